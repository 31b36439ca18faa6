package awsjson_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/awsjson"
	"github.com/localsec/localsec/internal/protocol/endpoint"
	"github.com/localsec/localsec/internal/protocol/model"
)

type (
	getThingIn struct {
		Name  *string
		Count *int32
		Tags  map[string]string
	}
	getThingOut struct {
		Name      *string
		CreatedAt *time.Time
	}
	emptyIn     struct{}
	listThingsO struct{ Names []string }
)

var testTime = time.Date(2024, 5, 1, 12, 34, 56, 789_000_000, time.UTC)

func demoModel(version string) *model.Service {
	str := &model.Shape{Name: "String", Type: model.String}
	getIn := &model.Shape{Name: "GetThingRequest", Type: model.Structure, Members: []model.Member{
		{Name: "Name", WireName: "Name", Shape: &model.Shape{Name: "ThingName", Type: model.String, Min: model.Limit(1)}, Required: true},
		{Name: "Count", WireName: "Count", Shape: &model.Shape{Name: "Count", Type: model.Integer, Max: model.Limit(10)}},
		{Name: "Tags", WireName: "Tags", Shape: &model.Shape{Name: "TagMap", Type: model.Map, Key: str, Elem: str}},
	}}
	getOut := &model.Shape{Name: "GetThingResponse", Type: model.Structure, Members: []model.Member{
		{Name: "Name", WireName: "Name", Shape: str},
		{Name: "CreatedAt", WireName: "CreatedAt", Shape: &model.Shape{Name: "Timestamp", Type: model.Timestamp}},
	}}
	empty := &model.Shape{Name: "Empty", Type: model.Structure}
	listOut := &model.Shape{Name: "ListThingsResponse", Type: model.Structure, Members: []model.Member{
		{Name: "Names", WireName: "Names", Shape: &model.Shape{Name: "Names", Type: model.List, Elem: str}}}}
	newEmpty := func() any { return new(emptyIn) }
	op := func(name string, in, out *model.Shape, newIn func() any) *model.Operation {
		return &model.Operation{Name: name, Method: "POST", URI: "/", Status: 200, Input: in, Output: out, NewInput: newIn, Served: true}
	}
	return &model.Service{Name: "demo", Protocol: model.JSON, TargetPrefix: "Demo_20240101", JSONVersion: version,
		Operations: []*model.Operation{
			op("GetThing", getIn, getOut, func() any { return new(getThingIn) }),
			{Name: "DeleteThing", Method: "POST", URI: "/"},
			op("ListThings", empty, listOut, newEmpty),
			op("Ping", nil, nil, newEmpty),
			op("Panic", empty, empty, newEmpty),
			op("Fail", empty, empty, newEmpty),
			op("Conflict", empty, empty, newEmpty),
		}}
}

type recorder struct {
	calls []string
	in    any
	call  *protocol.Call
}

func demoHandlers(rec *recorder) map[string]model.Handler {
	results := map[string]func() (any, error){
		"GetThing":   func() (any, error) { return &getThingOut{Name: new("x"), CreatedAt: new(testTime)}, nil },
		"ListThings": func() (any, error) { return nil, nil },
		"Ping":       func() (any, error) { return &getThingOut{Name: new("ignored")}, nil }, // no output shape
		"Panic":      func() (any, error) { panic("boom") },
		"Fail":       func() (any, error) { return nil, errors.New("disk on fire") },
		"Conflict": func() (any, error) {
			return nil, &protocol.APIError{Type: "ConflictException", Status: 409, Message: "already"}
		},
	}
	hs := map[string]model.Handler{}
	for name, res := range results {
		hs[name] = func(_ context.Context, call *protocol.Call, in any) (any, error) {
			rec.calls = append(rec.calls, name)
			rec.in, rec.call = in, call
			return res()
		}
	}
	return hs
}

var internal = &protocol.APIError{Type: "InternalServerException", Status: http.StatusInternalServerError, Message: "An internal error occurred."}

func testErrors(err error) *protocol.APIError {
	var in *model.InputError
	if errors.As(err, &in) {
		status := http.StatusBadRequest
		if in.Kind == model.TooLarge {
			status = http.StatusRequestEntityTooLarge
		}
		return &protocol.APIError{Type: "ValidationException", Status: status, Message: in.Message}
	}
	var e *protocol.APIError
	if errors.As(err, &e) {
		return e
	}
	return nil
}

func newDemo(version string, cfg endpoint.Config) (*awsjson.Server, *recorder) {
	rec := &recorder{}
	return awsjson.New(demoModel(version), demoHandlers(rec), cfg), rec
}

func serve(t *testing.T, h http.Handler, method, target, body string) (*httptest.ResponseRecorder, *protocol.Call) {
	t.Helper()
	r := httptest.NewRequest(method, "/", strings.NewReader(body))
	if target != "" {
		r.Header.Set("X-Amz-Target", target)
	}
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	call := &protocol.Call{RequestID: "req-1", Service: "demo"}
	r = r.WithContext(protocol.WithCall(r.Context(), call))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w, call
}

// answer checks w's status, type and headers, and returns its body.
func answer(t *testing.T, w *httptest.ResponseRecorder, status int, typ, contentType string) map[string]any {
	t.Helper()
	if w.Code != status {
		t.Errorf("status = %d, want %d (%s)", w.Code, status, w.Body)
	}
	if got := w.Header().Get("X-Amzn-ErrorType"); got != typ {
		t.Errorf("X-Amzn-ErrorType = %q, want %q", got, typ)
	}
	if got := w.Header().Get("Content-Type"); got != contentType {
		t.Errorf("Content-Type = %q, want %q", got, contentType)
	}
	if cl := w.Header().Get("Content-Length"); cl != strconv.Itoa(w.Body.Len()) {
		t.Errorf("Content-Length = %q for %d bytes", cl, w.Body.Len())
	}
	var body map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", w.Body, err)
	}
	return body
}

const ct11 = "application/x-amz-json-1.1"

func TestServe(t *testing.T) {
	s, rec := newDemo("1.1", endpoint.Config{Errors: testErrors, Internal: internal})
	w, call := serve(t, s, "POST", "Demo_20240101.GetThing", `{"Name":"x","Count":10,"Tags":{"k":"v"},"unknown":1}`)
	answer(t, w, 200, "", ct11)
	if got := w.Body.String(); got != `{"Name":"x","CreatedAt":1714566896.789}` {
		t.Errorf("body = %s", got)
	}
	want := &getThingIn{Name: new("x"), Count: new(int32(10)), Tags: map[string]string{"k": "v"}}
	if !reflect.DeepEqual(rec.in, want) || call.Operation != "GetThing" || rec.call != call {
		t.Errorf("input %+v, call %+v", rec.in, rec.call)
	}

	tests := []struct{ target, body, want string }{
		{"Demo_20240101.ListThings", ``, `{}`}, // a nil output
		{"Demo_20240101.ListThings", `{"x":1}`, `{}`},
		{"Demo_20240101.Ping", `not JSON`, `{}`}, // no input shape: the body is not read as JSON; no output shape
	}
	for _, tt := range tests {
		w, _ := serve(t, s, "POST", tt.target, tt.body)
		answer(t, w, 200, "", ct11)
		if w.Body.String() != tt.want {
			t.Errorf("%s: body %s, want %s", tt.target, w.Body, tt.want)
		}
	}
}

func TestUnknownOperations(t *testing.T) {
	s, rec := newDemo("", endpoint.Config{Errors: testErrors, Internal: internal})
	noOp := func(target string) string {
		return `localsec has no demo operation "` + target + `" (X-Amz-Target must be Demo_20240101.<Operation>).`
	}
	tests := []struct {
		method, target, message, operation string
	}{
		{"GET", "Demo_20240101.GetThing", "demo answers POST requests only, not GET.", ""},
		{"PUT", "", "demo answers POST requests only, not PUT.", ""},
		{"POST", "", "The request names no operation: its X-Amz-Target header is missing.", ""},
		{"POST", "GetThing", noOp("GetThing"), ""},
		{"POST", "Other_20240101.GetThing", noOp("Other_20240101.GetThing"), ""},
		{"POST", "demo_20240101.GetThing", noOp("demo_20240101.GetThing"), ""},
		{"POST", "Demo_20240101.getthing", noOp("Demo_20240101.getthing"), ""},
		{"POST", "Demo_20240101.", noOp("Demo_20240101."), ""},
		{"POST", "Demo_20240101.GetThing.Extra", noOp("Demo_20240101.GetThing.Extra"), ""},
		{"POST", "Demo_20240101.Nope", noOp("Demo_20240101.Nope"), ""},
		{"POST", "Demo_20240101.DeleteThing",
			"localsec does not implement demo's DeleteThing operation; it serves GetThing, ListThings, Ping, Panic, Fail, Conflict.", "DeleteThing"},
	}
	for _, tt := range tests {
		w, call := serve(t, s, tt.method, tt.target, `{"Name":"x"}`)
		body := answer(t, w, http.StatusBadRequest, "UnknownOperationException", ct11)
		if want := map[string]any{"message": tt.message, "__type": "UnknownOperationException"}; !reflect.DeepEqual(body, want) {
			t.Errorf("%s %q: body %v, want %v", tt.method, tt.target, body, want)
		}
		if !strings.HasPrefix(w.Body.String(), `{"message":`) {
			t.Errorf("body %s does not start with its message", w.Body)
		}
		if call.Operation != tt.operation {
			t.Errorf("%s %q: call.Operation = %q, want %q", tt.method, tt.target, call.Operation, tt.operation)
		}
	}
	if len(rec.calls) != 0 {
		t.Errorf("handlers called: %v", rec.calls)
	}
}

func TestInputErrors(t *testing.T) {
	s, rec := newDemo("1.1", endpoint.Config{Errors: testErrors, Internal: internal, MaxBodyBytes: 32})
	tests := []struct {
		body    string
		status  int
		message string
	}{
		{``, 400, "1 validation error detected: Value null at 'Name' failed to satisfy constraint: Member must not be null"},
		{`{}`, 400, "1 validation error detected: Value null at 'Name' failed to satisfy constraint: Member must not be null"},
		{`{"name":"x"}`, 400, "1 validation error detected: Value null at 'Name' failed to satisfy constraint: Member must not be null"},
		{`{"Name":""}`, 400, "1 validation error detected: Value '' at 'Name' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{`{"Name":"x","Count":11}`, 400, "1 validation error detected: Value '11' at 'Count' failed to satisfy constraint: Member must have value less than or equal to 10"},
		{`{"Name":"x","Count":"1"}`, 400, "The value of Count must be of type integer, not string."},
		{`{"Name":"x","Tags":[]}`, 400, "The value of Tags must be of type object, not array."},
		{`[]`, 400, "The request body must be a JSON object."},
		{`Name=x`, 400, "The request body must be a JSON object."},
		{`{"Name":"x"`, 400, "The request body is not valid JSON."},
		{`{"Name":"x"} {}`, 400, "The request body is not valid JSON."},
		{`{"Name":"` + strings.Repeat("x", 30) + `"}`, 413, "The request body is larger than 32 bytes."},
	}
	for _, tt := range tests {
		w, _ := serve(t, s, "POST", "Demo_20240101.GetThing", tt.body)
		body := answer(t, w, tt.status, "ValidationException", ct11)
		if want := map[string]any{"message": tt.message, "__type": "ValidationException"}; !reflect.DeepEqual(body, want) {
			t.Errorf("%s: body %v, want %v", tt.body, body, want)
		}
	}
	if len(rec.calls) != 0 {
		t.Errorf("handlers called: %v", rec.calls)
	}
}

func TestHandlerErrors(t *testing.T) {
	s, _ := newDemo("1.1", endpoint.Config{Errors: testErrors, Internal: internal})
	tests := []struct {
		op, typ string
		status  int
		want    string
	}{
		{"Panic", "InternalServerException", 500, `{"message":"An internal error occurred.","__type":"InternalServerException"}`},
		{"Fail", "InternalServerException", 500, `{"message":"An internal error occurred.","__type":"InternalServerException"}`},
		{"Conflict", "ConflictException", 409, `{"message":"already","__type":"ConflictException"}`},
	}
	for _, tt := range tests {
		w, _ := serve(t, s, "POST", "Demo_20240101."+tt.op, `{}`)
		answer(t, w, tt.status, tt.typ, ct11)
		if w.Body.String() != tt.want {
			t.Errorf("%s: body %s, want %s", tt.op, w.Body, tt.want)
		}
	}
}

func TestVersionsAndErrorBodies(t *testing.T) {
	// JSON 1.0 services answer with their own media type, errors too.
	s, _ := newDemo("1.0", endpoint.Config{Errors: testErrors, Internal: internal})
	w, _ := serve(t, s, "POST", "Demo_20240101.ListThings", `{}`)
	answer(t, w, 200, "", "application/x-amz-json-1.0")
	w, _ = serve(t, s, "POST", "Demo_20240101.Nope", `{}`)
	answer(t, w, 400, "UnknownOperationException", "application/x-amz-json-1.0")

	// A service's own error form replaces the default.
	s, _ = newDemo("1.1", endpoint.Config{Errors: testErrors, Internal: internal, ErrorBody: endpoint.ErrorBody{Message: "Message"}})
	w, _ = serve(t, s, "POST", "Demo_20240101.Conflict", `{}`)
	if got := w.Body.String(); got != `{"Message":"already"}` {
		t.Errorf("body = %s", got)
	}

	w = httptest.NewRecorder()
	s.WriteError(w, &protocol.APIError{Type: "ThrottlingException", Status: 400, Message: "slow down"})
	if w.Body.String() != `{"Message":"slow down"}` || w.Header().Get("X-Amzn-ErrorType") != "ThrottlingException" || w.Header().Get("Content-Type") != ct11 {
		t.Errorf("WriteError: %s %v", w.Body, w.Header())
	}
}

func TestRequestWithoutCall(t *testing.T) {
	s, rec := newDemo("1.1", endpoint.Config{Errors: testErrors, Internal: internal})
	r := httptest.NewRequest("POST", "/", strings.NewReader(`{"Name":"x"}`))
	r.Header.Set("X-Amz-Target", "Demo_20240101.GetThing")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	if w.Code != 200 || rec.call == nil || rec.call.Operation != "GetThing" {
		t.Errorf("%d %s, call %+v", w.Code, w.Body, rec.call)
	}
}

func TestNewAndOperations(t *testing.T) {
	s, _ := newDemo("1.1", endpoint.Config{Internal: internal})
	if got, want := s.Operations(), []string{"GetThing", "ListThings", "Ping", "Panic", "Fail", "Conflict"}; !slices.Equal(got, want) {
		t.Errorf("Operations = %v, want %v", got, want)
	}
	defer func() {
		if p := recover(); p != "awsjson: demo serves Panic without a handler" {
			t.Errorf("recover() = %v", p)
		}
	}()
	hs := demoHandlers(&recorder{})
	delete(hs, "Panic")
	awsjson.New(demoModel("1.1"), hs, endpoint.Config{})
	t.Error("New did not panic")
}
