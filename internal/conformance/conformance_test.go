package conformance

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"

	gdapi "github.com/localsec/localsec/internal/api/guardduty"
	macieapi "github.com/localsec/localsec/internal/api/macie2"
	stsapi "github.com/localsec/localsec/internal/api/sts"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol/model"
	"github.com/localsec/localsec/internal/protocol/restjson"
	"github.com/localsec/localsec/internal/protocol/sigv4"
	"github.com/localsec/localsec/internal/server"
	"github.com/localsec/localsec/internal/service/guardduty"
)

// A service under test: its model, the exception it answers a request the
// model refuses with, and the named overrides where its real answers
// differ from its model.
type service struct {
	model      *model.Service
	validation string
	allow      []model.Allowance
}

func services() map[string]service {
	return map[string]service{
		"macie2":    {model: macieapi.Model(), validation: "ValidationException"},
		"guardduty": {model: gdapi.Model(), validation: "BadRequestException", allow: guardduty.OutputAllowances()},
		// STS's request validation error is one of its common errors,
		// which the model does not list.
		"sts": {model: stsapi.Model(), validation: "ValidationError"},
	}
}

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
	for _, name := range sortedNames(services()) {
		svc := services()[name]
		t.Run(name, func(t *testing.T) {
			n := 0
			for _, op := range svc.model.Served() {
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
					req, err := Request(svc.model, op, c.Input, ts.URL, mgmt, "us-east-1")
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

func checkRefusal(t *testing.T, svc service, what string, req *http.Request) {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	typ := res.Header.Get("X-Amzn-ErrorType")
	if res.StatusCode < 400 || res.StatusCode >= 500 || typ != svc.validation {
		t.Errorf("%s: %d %s %s, want 4xx %s", what, res.StatusCode, typ, body, svc.validation)
		return
	}
	if svc.model.Protocol == model.Query {
		var doc struct {
			Code    string `xml:"Error>Code"`
			Message string `xml:"Error>Message"`
		}
		if xml.Unmarshal(body, &doc) != nil || doc.Code != typ || doc.Message == "" {
			t.Errorf("%s: error document %s", what, body)
		}
		return
	}
	if _, modelled := svc.model.Errors[typ]; !modelled {
		t.Errorf("%s: %s is not an exception of the %s model", what, typ, svc.model.Name)
	}
	var obj map[string]any
	if err := json.Unmarshal(body, &obj); err != nil {
		t.Errorf("%s: error body %s is not a JSON object", what, body)
		return
	}
	if msg, _ := obj["message"].(string); msg == "" {
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

// outputChecker checks every success answer of a server against its
// operation's output shape, and records which operations answered.
type outputChecker struct {
	t        *testing.T
	next     http.Handler
	services map[string]service
	mu       sync.Mutex
	answered map[string]map[string]bool
}

func newOutputChecker(t *testing.T) *outputChecker {
	return &outputChecker{t: t, services: services(), answered: map[string]map[string]bool{}}
}

func (c *outputChecker) wrap(next http.Handler) http.Handler {
	c.next = next
	return c
}

func (c *outputChecker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqBody, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(reqBody))
	rec := httptest.NewRecorder()
	c.next.ServeHTTP(rec, r)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())

	if rec.Code >= 300 {
		return
	}
	sig, err := sigv4.FromRequest(r)
	if err != nil {
		return
	}
	svc, ok := c.services[sig.Service]
	if !ok {
		c.t.Errorf("a success answer for a service not under test: %s", sig.Service)
		return
	}
	op := operationOf(svc.model, r, reqBody)
	if op == nil {
		c.t.Errorf("%s %s %s: success, but no operation of the %s model", r.Method, r.URL, reqBody, sig.Service)
		return
	}
	var problems []string
	switch svc.model.Protocol {
	case model.Query:
		problems = checkXML(op, rec.Body.Bytes())
	default:
		if op.Status == http.StatusNoContent {
			if rec.Body.Len() != 0 {
				problems = append(problems, "a 204 answer with a body")
			}
			break
		}
		for _, p := range model.CheckJSON(op.Output, rec.Body.Bytes(), model.UnixTimestamp, svc.allow...) {
			problems = append(problems, p.String())
		}
	}
	if rec.Code != op.Status {
		problems = append(problems, fmt.Sprintf("status %d, the model says %d", rec.Code, op.Status))
	}
	for _, p := range problems {
		c.t.Errorf("%s %s answer breaks the model: %s\n%s", sig.Service, op.Name, p, rec.Body.Bytes())
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.answered[sig.Service] == nil {
		c.answered[sig.Service] = map[string]bool{}
	}
	c.answered[sig.Service][op.Name] = true
}

// operationOf finds the operation a request names.
func operationOf(svc *model.Service, r *http.Request, body []byte) *model.Operation {
	switch svc.Protocol {
	case model.RestJSON:
		return restjson.Operation(svc, r)
	case model.JSON:
		_, name, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
		return svc.Operation(name)
	case model.Query:
		form, _ := parseForm(r, body)
		return svc.Operation(form)
	}
	return nil
}

func parseForm(r *http.Request, body []byte) (string, error) {
	q := r.URL.Query()
	if r.Method == http.MethodPost {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return "", err
		}
		for k, v := range form {
			q[k] = v
		}
	}
	return q.Get("Action"), nil
}

// covered fails the test for every served operation no success answer
// was seen for.
func (c *outputChecker) covered(t *testing.T, name string) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, op := range c.services[name].model.Served() {
		if !c.answered[name][op.Name] {
			t.Errorf("%s %s: the happy path never got a success answer", name, op.Name)
		}
	}
}

// checkXML checks a query service's answer: the response and result
// elements the model names, only output members inside, required ones
// present, and the request id.
func checkXML(op *model.Operation, body []byte) []string {
	var doc struct {
		XMLName xml.Name
		Result  struct {
			XMLName xml.Name
			Members []struct {
				XMLName xml.Name
			} `xml:",any"`
		} `xml:",any"`
		RequestID string `xml:"ResponseMetadata>RequestId"`
	}
	if err := xml.Unmarshal(body, &doc); err != nil {
		return []string{"not XML: " + err.Error()}
	}
	var problems []string
	if doc.XMLName.Local != op.Name+"Response" {
		problems = append(problems, "root element "+doc.XMLName.Local)
	}
	if doc.Result.XMLName.Local != op.ResultWrapper {
		problems = append(problems, "result element "+doc.Result.XMLName.Local)
	}
	if doc.RequestID == "" {
		problems = append(problems, "no request id")
	}
	seen := map[string]bool{}
	for _, m := range doc.Result.Members {
		seen[m.XMLName.Local] = true
		if op.Output.Member(m.XMLName.Local) == nil {
			problems = append(problems, "member "+m.XMLName.Local+" not in the output shape")
		}
	}
	for _, m := range op.Output.Members {
		if m.Required && !seen[m.WireName] {
			problems = append(problems, "required member "+m.WireName+" missing")
		}
	}
	return problems
}
