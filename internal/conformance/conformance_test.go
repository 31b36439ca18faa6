package conformance

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"testing"

	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol/model"
	"github.com/localsec/localsec/internal/server"
)

// Accounts of the tests: the organization's management account, a member
// invited by hand, two accounts of the organization and one outside it.
const (
	mgmt    = "111111111111"
	invitee = "222222222222"
	orgA    = "333333333333"
	orgB    = "444444444444"
	other   = "555555555555"
)

func newServer(t *testing.T, wrap func(http.Handler) http.Handler) *httptest.Server {
	t.Helper()
	srv := server.New(server.Config{Organization: membership.Organization{ManagementAccount: mgmt, Accounts: []string{orgA, orgB}}})
	var h http.Handler = srv.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts
}

// bindInput binds an input as the service's protocol layer would.
func bindInput(op *model.Operation, in Input) error {
	if op.Input == nil {
		return nil
	}
	return model.Bind(op.Input, op.NewInput(), func(m *model.Member) (any, bool) {
		v, ok := in[m.Name]
		if !ok || m.Location == model.Body {
			return v, ok
		}
		if list, isList := v.([]any); isList {
			out := make([]any, len(list))
			for i, e := range list {
				out[i] = model.Text(text(e))
			}
			return out, true
		}
		if _, isText := v.(model.Text); isText {
			return v, true
		}
		if s, isString := v.(string); isString && m.Location != model.URI && m.Shape.Type == model.String {
			return s, true
		}
		return model.Text(text(v)), true
	})
}

// TestEveryConstraintIsRefused sends, for every operation of every
// service, one request per constraint of its input (derived from the
// model) and wants the service's own validation error for each: a 4xx,
// never a 2xx or a 5xx, with the service's exception (one its model has)
// and a message.
func TestEveryConstraintIsRefused(t *testing.T) {
	ts := newServer(t, nil)
	total := 0
	for _, name := range sortedNames(Services()) {
		svc := Services()[name]
		t.Run(name, func(t *testing.T) {
			n := 0
			for _, op := range svc.Model.Served() {
				if err := bindInput(op, Valid(op)); err != nil {
					t.Errorf("%s: the valid input the cases start from is refused by the model: %v", op.Name, err)
					continue
				}
				for _, c := range Cases(op) {
					n++
					if err := bindInput(op, c.Input); err == nil {
						t.Errorf("%s %s: the model accepts the case", op.Name, c.Name)
						continue
					}
					req, err := Request(svc.Model, op, c.Input, ts.URL, mgmt, "us-east-1")
					if err != nil {
						t.Fatalf("%s %s: %v", op.Name, c.Name, err)
					}
					checkRefusal(t, svc, op.Name+" "+c.Name, req)
				}
			}
			if n == 0 && name != "sts" {
				t.Fatal("no case was derived from the model")
			}
			t.Logf("%d cases", n)
			total += n
		})
	}
	t.Logf("%d cases in all", total)
}

func checkRefusal(t *testing.T, svc Service, what string, req *http.Request) {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	typ := res.Header.Get("X-Amzn-ErrorType")
	if res.StatusCode < 400 || res.StatusCode >= 500 || typ != svc.Validation {
		t.Errorf("%s: %d %s %s, want 4xx %s", what, res.StatusCode, typ, body, svc.Validation)
		return
	}
	if svc.Model.Protocol == model.Query {
		var doc struct {
			Code    string `xml:"Error>Code"`
			Message string `xml:"Error>Message"`
		}
		if xml.Unmarshal(body, &doc) != nil || doc.Code != typ || doc.Message == "" {
			t.Errorf("%s: error document %s", what, body)
		}
		return
	}
	if _, modelled := svc.Model.Errors[typ]; !modelled {
		t.Errorf("%s: %s is not an exception of the %s model", what, typ, svc.Model.Name)
	}
	var obj map[string]any
	if err := json.Unmarshal(body, &obj); err != nil {
		t.Errorf("%s: error body %s is not a JSON object", what, body)
		return
	}
	msg, _ := obj["message"].(string)
	if m, ok := obj["Message"].(string); ok {
		msg = m
	}
	if msg == "" {
		t.Errorf("%s: error body %s has no message", what, body)
	}
}

func sortedNames[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
