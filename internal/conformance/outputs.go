package conformance

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	gdapi "github.com/localsec/localsec/internal/api/guardduty"
	macieapi "github.com/localsec/localsec/internal/api/macie2"
	orgapi "github.com/localsec/localsec/internal/api/organizations"
	stsapi "github.com/localsec/localsec/internal/api/sts"
	"github.com/localsec/localsec/internal/protocol/model"
	"github.com/localsec/localsec/internal/protocol/restjson"
	"github.com/localsec/localsec/internal/protocol/sigv4"
	"github.com/localsec/localsec/internal/service/guardduty"
)

// Service is a service under test: its model, the exception it answers a
// request the model refuses with, and the named overrides where its real
// answers differ from its model.
type Service struct {
	Model      *model.Service
	Validation string
	Allow      []model.Allowance
}

// Services returns every service localsec serves, by signing name.
func Services() map[string]Service {
	return map[string]Service{
		"macie2":    {Model: macieapi.Model(), Validation: "ValidationException"},
		"guardduty": {Model: gdapi.Model(), Validation: "BadRequestException", Allow: guardduty.OutputAllowances()},
		// STS's request validation error is one of its common errors,
		// which the model does not list.
		"sts":           {Model: stsapi.Model(), Validation: "ValidationError"},
		"organizations": {Model: orgapi.Model(), Validation: "InvalidInputException"},
	}
}

// OutputChecker checks every success answer of a server against its
// operation's output shape, reporting what breaks the model to a test, and
// records which operations answered.
type OutputChecker struct {
	t        testing.TB
	next     http.Handler
	services map[string]Service
	mu       sync.Mutex
	answered map[string]map[string]bool
}

// NewOutputChecker returns a checker reporting to t.
func NewOutputChecker(t testing.TB) *OutputChecker {
	return &OutputChecker{t: t, services: Services(), answered: map[string]map[string]bool{}}
}

// Wrap returns next with every answer checked.
func (c *OutputChecker) Wrap(next http.Handler) http.Handler {
	c.next = next
	return c
}

// ServeHTTP serves r through the wrapped handler and checks the answer.
func (c *OutputChecker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqBody, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(reqBody))
	rec := httptest.NewRecorder()
	c.next.ServeHTTP(rec, r)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())

	if rec.Code >= 300 || strings.HasPrefix(r.URL.Path, "/_localsec/") || strings.HasPrefix(r.URL.Path, "/_localstack/") {
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
	op := operationOf(svc.Model, r, reqBody)
	if op == nil {
		c.t.Errorf("%s %s %s: success, but no operation of the %s model", r.Method, r.URL, reqBody, sig.Service)
		return
	}
	for _, p := range CheckAnswer(svc, op, rec.Code, rec.Body.Bytes()) {
		c.t.Errorf("%s %s answer breaks the model: %s\n%s", sig.Service, op.Name, p, rec.Body.Bytes())
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.answered[sig.Service] == nil {
		c.answered[sig.Service] = map[string]bool{}
	}
	c.answered[sig.Service][op.Name] = true
}

// CheckAnswer returns what breaks the model in a success answer of op.
func CheckAnswer(svc Service, op *model.Operation, status int, body []byte) []string {
	var problems []string
	switch {
	case svc.Model.Protocol == model.Query:
		problems = checkXML(op, body)
	case op.Status == http.StatusNoContent:
		if len(body) != 0 {
			problems = append(problems, "a 204 answer with a body")
		}
	case op.Output == nil:
		if b := strings.TrimSpace(string(body)); b != "" && b != "{}" {
			problems = append(problems, "an answer with members for an operation without output: "+b)
		}
	default:
		for _, p := range model.CheckJSON(op.Output, body, model.UnixTimestamp, svc.Allow...) {
			problems = append(problems, p.String())
		}
	}
	if status != op.Status {
		problems = append(problems, fmt.Sprintf("status %d, the model says %d", status, op.Status))
	}
	return problems
}

// Covered fails the test for every served operation of the service no
// success answer was seen for.
func (c *OutputChecker) Covered(t testing.TB, name string) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, op := range c.services[name].Model.Served() {
		if !c.answered[name][op.Name] {
			t.Errorf("%s %s: the happy path never got a success answer", name, op.Name)
		}
	}
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
		q := r.URL.Query()
		if r.Method == http.MethodPost {
			if form, err := url.ParseQuery(string(body)); err == nil {
				for k, v := range form {
					q[k] = v
				}
			}
		}
		return svc.Operation(q.Get("Action"))
	}
	return nil
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
