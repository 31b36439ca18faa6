package restjson_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/restjson"
)

// testErrors maps input errors the way a service adapter would, and
// exposes the kind and field in the body so tests can read them back.
func testErrors(err error) *restjson.APIError {
	var in *restjson.InputError
	if errors.As(err, &in) {
		status := http.StatusBadRequest
		if in.Kind == restjson.InputTooLarge {
			status = http.StatusRequestEntityTooLarge
		}
		return &restjson.APIError{Type: "ValidationException", Status: status, Message: in.Message,
			Fields: map[string]string{"kind": strconv.Itoa(int(in.Kind)), "field": in.Field}}
	}
	var api *restjson.APIError
	if errors.As(err, &api) {
		return api
	}
	return nil
}

var internal = &restjson.APIError{Type: "InternalServerException", Status: http.StatusInternalServerError, Message: "An internal error occurred."}

// echo returns the labels, query and body it was given.
func echo(_ context.Context, r *restjson.Request) (any, error) {
	return map[string]any{
		"id":          r.Param("id"),
		"resourceArn": r.Param("resourceArn"),
		"absent":      r.Param("absent"),
		"query":       r.Query(),
		"body":        string(r.Body()),
		"operation":   r.Call.Operation,
	}, nil
}

func newRouter() *restjson.Router {
	rt := &restjson.Router{Errors: testErrors, Internal: internal}
	rt.Handle("GET", "/members", "ListMembers", http.StatusOK, echo)
	rt.Handle("POST", "/members", "CreateMember", http.StatusOK, echo)
	rt.Handle("GET", "/invitations/count", "GetInvitationsCount", http.StatusOK, echo)
	rt.Handle("GET", "/invitations/{id}", "GetInvitation", http.StatusOK, echo)
	rt.Handle("GET", "/members/{id}", "GetMember", http.StatusOK, echo)
	rt.Handle("POST", "/members/disassociate/{id}", "DisassociateMember", http.StatusOK, echo)
	rt.Handle("PATCH", "/macie/members/{id}", "UpdateMemberSession", http.StatusOK, echo)
	rt.Handle("GET", "/tags/{resourceArn}", "ListTagsForResource", http.StatusOK, echo)
	rt.Handle("POST", "/tags/{resourceArn}", "TagResource", http.StatusNoContent, echo)
	rt.Handle("DELETE", "/tags/{resourceArn}", "UntagResource", http.StatusNoContent,
		func(context.Context, *restjson.Request) (any, error) { return nil, nil })
	rt.Handle("POST", "/nil", "NilOutput", http.StatusOK,
		func(context.Context, *restjson.Request) (any, error) { return nil, nil })
	return rt
}

// serve runs one request through h with a protocol.Call in its context.
func serve(t testing.TB, h http.Handler, method, target string, body []byte) (*httptest.ResponseRecorder, *protocol.Call) {
	t.Helper()
	r := httptest.NewRequest(method, target, bytes.NewReader(body))
	call := &protocol.Call{RequestID: "req-1", Service: "macie2", Region: "us-east-1", Account: "111111111111"}
	r = r.WithContext(protocol.WithCall(r.Context(), call))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w, call
}

// wireError checks that w is a rest-json error of type typ and status, and
// returns its body.
func wireError(t *testing.T, w *httptest.ResponseRecorder, status int, typ string) map[string]string {
	t.Helper()
	if w.Code != status {
		t.Errorf("status = %d, want %d (body %s)", w.Code, status, w.Body)
	}
	if got := w.Header().Get("X-Amzn-ErrorType"); got != typ {
		t.Errorf("X-Amzn-ErrorType = %q, want %q", got, typ)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if cl := w.Header().Get("Content-Length"); cl != strconv.Itoa(w.Body.Len()) {
		t.Errorf("Content-Length = %q, body is %d bytes", cl, w.Body.Len())
	}
	var body map[string]string
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("error body %q is not a JSON object of strings: %v", w.Body, err)
	}
	if body["message"] == "" {
		t.Errorf("error body %s has no message", w.Body)
	}
	return body
}

type echoed struct {
	ID          string              `json:"id"`
	ResourceArn string              `json:"resourceArn"`
	Absent      string              `json:"absent"`
	Query       map[string][]string `json:"query"`
	Body        string              `json:"body"`
	Operation   string              `json:"operation"`
}

func decodeEcho(t *testing.T, w *httptest.ResponseRecorder) echoed {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200 (body %s)", w.Code, w.Body)
	}
	var e echoed
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
		t.Fatalf("body %q: %v", w.Body, err)
	}
	return e
}

func TestRouterMatches(t *testing.T) {
	const encodedARN = "arn%3Aaws%3Amacie2%3Aus-east-1%3A111111111111%3Amember%2F222222222222"
	tests := []struct {
		method, target string
		operation      string
		id, arn        string
	}{
		{"GET", "/members", "ListMembers", "", ""},
		{"GET", "/members?maxResults=26&onlyAssociated=false", "ListMembers", "", ""},
		{"POST", "/members", "CreateMember", "", ""},
		{"GET", "/members/222222222222", "GetMember", "222222222222", ""},
		{"POST", "/members/disassociate/222222222222", "DisassociateMember", "222222222222", ""},
		{"PATCH", "/macie/members/333333333333", "UpdateMemberSession", "333333333333", ""},
		// The table order decides: the literal route comes first.
		{"GET", "/invitations/count", "GetInvitationsCount", "", ""},
		{"GET", "/invitations/other", "GetInvitation", "other", ""},
		// Labels are unescaped per segment, after matching.
		{"GET", "/tags/" + encodedARN, "ListTagsForResource", "", "arn:aws:macie2:us-east-1:111111111111:member/222222222222"},
		{"GET", "/members/a%20b", "GetMember", "a b", ""},
		{"GET", "/members/a+b", "GetMember", "a+b", ""},
		{"GET", "/members/100%25", "GetMember", "100%", ""},
		{"GET", "/members/%E2%82%AC", "GetMember", "€", ""},
		{"GET", "/members/%2F", "GetMember", "/", ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			w, call := serve(t, newRouter(), tt.method, tt.target, nil)
			e := decodeEcho(t, w)
			if e.Operation != tt.operation || call.Operation != tt.operation {
				t.Errorf("operation = %q (call %q), want %q", e.Operation, call.Operation, tt.operation)
			}
			if e.ID != tt.id || e.ResourceArn != tt.arn || e.Absent != "" {
				t.Errorf("labels id=%q resourceArn=%q absent=%q, want id=%q resourceArn=%q", e.ID, e.ResourceArn, e.Absent, tt.id, tt.arn)
			}
		})
	}
}

func TestRouterQueryAndBody(t *testing.T) {
	w, _ := serve(t, newRouter(), "POST", "/members?tagKeys=a&tagKeys=b%2Fc&x=", []byte(`{"k":"v"}`))
	e := decodeEcho(t, w)
	if !slices.Equal(e.Query["tagKeys"], []string{"a", "b/c"}) || !slices.Equal(e.Query["x"], []string{""}) {
		t.Errorf("query = %v", e.Query)
	}
	if e.Body != `{"k":"v"}` {
		t.Errorf("body = %q", e.Body)
	}
}

func TestRouterUnknownOperation(t *testing.T) {
	tests := []struct{ method, target string }{
		{"PUT", "/members"},                // wrong method
		{"DELETE", "/members"},             // wrong method
		{"GET", "/members/"},               // empty label
		{"GET", "/tags/"},                  // empty label
		{"POST", "/members/disassociate/"}, // empty label
		{"GET", "/members/a/b"},            // too many segments
		{"GET", "/members/a%2Fb/c"},        // still too many
		{"GET", "/member"},                 // no such literal
		{"GET", "/Members"},                // literals are case-sensitive
		{"GET", "/"},                       // root
		{"GET", "//members"},               // doubled slash
		{"GET", "/invitations/count/"},     // trailing slash
		{"POST", "/%6Dembers"},             // literals match the escaped path only
		{"GET", "/tags/arn:aws:macie2:us-east-1:111111111111:member/222222222222"}, // unencoded "/" splits
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			w, call := serve(t, newRouter(), tt.method, tt.target, nil)
			body := wireError(t, w, http.StatusNotFound, "UnknownOperationException")
			if !strings.Contains(body["message"], tt.method) || !strings.Contains(body["message"], "macie2") {
				t.Errorf("message %q does not name the method and service", body["message"])
			}
			if call.Operation != "" {
				t.Errorf("call.Operation = %q, want none for an unknown operation", call.Operation)
			}
		})
	}
}

func TestUnknownOperation(t *testing.T) {
	e := restjson.UnknownOperation("macie2", "PUT", "/members")
	if e.Type != "UnknownOperationException" || e.Status != http.StatusNotFound {
		t.Errorf("UnknownOperation = %+v", e)
	}
	for _, s := range []string{"macie2", "PUT", "/members"} {
		if !strings.Contains(e.Message, s) {
			t.Errorf("message %q does not contain %q", e.Message, s)
		}
	}
}

func TestRouterWithoutCall(t *testing.T) {
	rt := newRouter()
	w := httptest.NewRecorder()
	rt.ServeHTTP(w, httptest.NewRequest("GET", "/members/1", nil))
	if e := decodeEcho(t, w); e.ID != "1" || e.Operation != "GetMember" {
		t.Errorf("echo = %+v", e)
	}
	w = httptest.NewRecorder()
	rt.ServeHTTP(w, httptest.NewRequest("GET", "/nowhere", nil))
	wireError(t, w, http.StatusNotFound, "UnknownOperationException")
}

func TestRouterBodyLimit(t *testing.T) {
	called := 0
	h := func(_ context.Context, r *restjson.Request) (any, error) {
		called++
		return map[string]int{"n": len(r.Body())}, nil
	}
	rt := &restjson.Router{Errors: testErrors, Internal: internal, MaxBodyBytes: 16}
	rt.Handle("POST", "/x", "X", http.StatusOK, h)

	w, _ := serve(t, rt, "POST", "/x", bytes.Repeat([]byte("a"), 16))
	if w.Code != http.StatusOK || w.Body.String() != `{"n":16}` {
		t.Fatalf("at the limit: %d %s", w.Code, w.Body)
	}
	w, _ = serve(t, rt, "POST", "/x", bytes.Repeat([]byte("a"), 17))
	body := wireError(t, w, http.StatusRequestEntityTooLarge, "ValidationException")
	if body["kind"] != strconv.Itoa(int(restjson.InputTooLarge)) {
		t.Errorf("kind = %q, want InputTooLarge", body["kind"])
	}
	if !strings.Contains(body["message"], "16") {
		t.Errorf("message %q does not state the limit", body["message"])
	}
	if called != 1 {
		t.Errorf("handler called %d times, want once (not for the oversized body)", called)
	}

	// The zero value bounds bodies at DefaultMaxBodyBytes.
	def := &restjson.Router{Errors: testErrors, Internal: internal}
	def.Handle("POST", "/x", "X", http.StatusOK, h)
	w, _ = serve(t, def, "POST", "/x", make([]byte, restjson.DefaultMaxBodyBytes))
	if w.Code != http.StatusOK {
		t.Errorf("DefaultMaxBodyBytes body: status %d", w.Code)
	}
	w, _ = serve(t, def, "POST", "/x", make([]byte, restjson.DefaultMaxBodyBytes+1))
	wireError(t, w, http.StatusRequestEntityTooLarge, "ValidationException")
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestRouterBodyReadError(t *testing.T) {
	rt := newRouter()
	r := httptest.NewRequest("POST", "/members", failingReader{})
	w := httptest.NewRecorder()
	rt.ServeHTTP(w, r)
	body := wireError(t, w, http.StatusBadRequest, "ValidationException")
	if body["kind"] != strconv.Itoa(int(restjson.InputMalformed)) {
		t.Errorf("kind = %q, want InputMalformed", body["kind"])
	}
}

func TestRouterPanicAndUnmappedErrors(t *testing.T) {
	var logs bytes.Buffer
	rt := &restjson.Router{Errors: testErrors, Internal: internal, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}
	rt.Handle("GET", "/panic", "Panic", http.StatusOK, func(context.Context, *restjson.Request) (any, error) {
		panic("boom in handler")
	})
	rt.Handle("GET", "/unmapped", "Unmapped", http.StatusOK, func(context.Context, *restjson.Request) (any, error) {
		return nil, errors.New("disk on fire")
	})
	rt.Handle("GET", "/unmarshalable", "Unmarshalable", http.StatusOK, func(context.Context, *restjson.Request) (any, error) {
		return map[string]any{"f": func() {}}, nil
	})
	rt.Handle("GET", "/apierror", "APIError", http.StatusOK, func(context.Context, *restjson.Request) (any, error) {
		return nil, &restjson.APIError{Type: "ConflictException", Status: http.StatusConflict, Message: "already"}
	})

	w, _ := serve(t, rt, "GET", "/panic", nil)
	body := wireError(t, w, http.StatusInternalServerError, "InternalServerException")
	if body["message"] != internal.Message {
		t.Errorf("message = %q, want the Internal one", body["message"])
	}
	for _, s := range []string{`"msg":"handler panic"`, `"request_id":"req-1"`, `"operation":"Panic"`, `boom in handler`, `"stack":`} {
		if !strings.Contains(logs.String(), s) {
			t.Errorf("log %s does not contain %s", logs.String(), s)
		}
	}

	logs.Reset()
	w, _ = serve(t, rt, "GET", "/unmapped", nil)
	wireError(t, w, http.StatusInternalServerError, "InternalServerException")
	if strings.Contains(w.Body.String(), "disk on fire") {
		t.Errorf("internal error text leaked to the caller: %s", w.Body)
	}
	for _, s := range []string{`"msg":"unmapped error"`, `"operation":"Unmapped"`, `disk on fire`} {
		if !strings.Contains(logs.String(), s) {
			t.Errorf("log %s does not contain %s", logs.String(), s)
		}
	}

	w, _ = serve(t, rt, "GET", "/unmarshalable", nil)
	wireError(t, w, http.StatusInternalServerError, "InternalServerException")

	w, _ = serve(t, rt, "GET", "/apierror", nil)
	if body := wireError(t, w, http.StatusConflict, "ConflictException"); body["message"] != "already" {
		t.Errorf("message = %q", body["message"])
	}

	// Without Errors or Logger every error is Internal, and nothing panics.
	bare := &restjson.Router{Internal: internal}
	bare.Handle("GET", "/x", "X", http.StatusOK, func(context.Context, *restjson.Request) (any, error) {
		return nil, &restjson.InputError{Kind: restjson.InputInvalid, Message: "bad"}
	})
	bare.Handle("GET", "/p", "P", http.StatusOK, func(context.Context, *restjson.Request) (any, error) { panic(errors.New("x")) })
	w, _ = serve(t, bare, "GET", "/x", nil)
	wireError(t, w, http.StatusInternalServerError, "InternalServerException")
	w, _ = serve(t, bare, "GET", "/p", nil)
	wireError(t, w, http.StatusInternalServerError, "InternalServerException")
}

func TestRouterSuccessBodies(t *testing.T) {
	rt := newRouter()

	// 204 routes write no body, even when the handler returns one.
	for _, method := range []string{"POST", "DELETE"} {
		w, _ := serve(t, rt, method, "/tags/arn%3Aaws%3Amacie2%3Aus-east-1%3A1%3Amember%2F2", []byte(`{"tags":{"a":"b"}}`))
		if w.Code != http.StatusNoContent || w.Body.Len() != 0 {
			t.Errorf("%s: %d %q, want 204 and no body", method, w.Code, w.Body)
		}
	}

	// A nil output on a 200 route writes {}.
	w, _ := serve(t, rt, "POST", "/nil", nil)
	if w.Code != http.StatusOK || w.Body.String() != "{}" {
		t.Errorf("nil output: %d %q, want 200 {}", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cl := w.Header().Get("Content-Length"); cl != "2" {
		t.Errorf("Content-Length = %q, want 2", cl)
	}
	if w.Header().Get("X-Amzn-ErrorType") != "" {
		t.Errorf("a success carries X-Amzn-ErrorType %q", w.Header().Get("X-Amzn-ErrorType"))
	}

	// Other statuses are written as given.
	created := &restjson.Router{Internal: internal}
	created.Handle("PUT", "/thing", "CreateThing", http.StatusCreated, func(context.Context, *restjson.Request) (any, error) {
		return struct {
			Name string `json:"name"`
		}{"x"}, nil
	})
	w, _ = serve(t, created, "PUT", "/thing", nil)
	if w.Code != http.StatusCreated || w.Body.String() != `{"name":"x"}` {
		t.Errorf("201 route: %d %q", w.Code, w.Body)
	}
}

func TestRouterOperations(t *testing.T) {
	got := newRouter().Operations()
	want := []string{"ListMembers", "CreateMember", "GetInvitationsCount", "GetInvitation", "GetMember", "DisassociateMember",
		"UpdateMemberSession", "ListTagsForResource", "TagResource", "UntagResource", "NilOutput"}
	if !slices.Equal(got, want) {
		t.Errorf("Operations = %v, want %v", got, want)
	}
	if ops := (&restjson.Router{}).Operations(); len(ops) != 0 {
		t.Errorf("empty router Operations = %v", ops)
	}
}

func TestQueryInt(t *testing.T) {
	type result struct {
		N       int    `json:"n"`
		Present bool   `json:"present"`
		Kind    int    `json:"kind"`
		Field   string `json:"field"`
	}
	rt := &restjson.Router{Internal: internal}
	rt.Handle("GET", "/q", "Q", http.StatusOK, func(_ context.Context, r *restjson.Request) (any, error) {
		n, ok, err := r.QueryInt("maxResults")
		res := result{N: n, Present: ok}
		var in *restjson.InputError
		if errors.As(err, &in) {
			res.Kind, res.Field = int(in.Kind), in.Field
		} else if err != nil {
			return nil, err
		}
		return res, nil
	})
	tests := []struct {
		query string
		want  result
	}{
		{"", result{}},
		{"?other=1", result{}},
		{"?maxResults=26", result{N: 26, Present: true}},
		{"?maxResults=0", result{N: 0, Present: true}},
		{"?maxResults=-3", result{N: -3, Present: true}},
		{"?maxResults=1&maxResults=2", result{N: 1, Present: true}},
		{"?maxResults=abc", result{Present: true, Kind: int(restjson.InputWrongType), Field: "maxResults"}},
		{"?maxResults=1.5", result{Present: true, Kind: int(restjson.InputWrongType), Field: "maxResults"}},
		{"?maxResults=99999999999999999999999", result{Present: true, Kind: int(restjson.InputWrongType), Field: "maxResults"}},
		{"?maxResults=", result{Present: true, Kind: int(restjson.InputWrongType), Field: "maxResults"}},
	}
	for _, tt := range tests {
		w, _ := serve(t, rt, "GET", "/q"+tt.query, nil)
		var got result
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", tt.query, w.Code, w.Body)
		}
		if got != tt.want {
			t.Errorf("QueryInt(%q) = %+v, want %+v", tt.query, got, tt.want)
		}
	}
}

func TestInputErrorHelpers(t *testing.T) {
	tests := []struct {
		err   *restjson.InputError
		kind  restjson.InputErrorKind
		field string
		text  []string
	}{
		{restjson.Missing("account.email"), restjson.InputMissing, "account.email", []string{"account.email", "required"}},
		{restjson.Invalid("message", "it is too long."), restjson.InputInvalid, "message", []string{"message", "it is too long."}},
		{restjson.OutOfRange("maxResults", 1, 25), restjson.InputOutOfRange, "maxResults", []string{"maxResults", "1", "25"}},
	}
	for _, tt := range tests {
		if tt.err.Kind != tt.kind || tt.err.Field != tt.field {
			t.Errorf("%+v: want kind %d field %q", tt.err, tt.kind, tt.field)
		}
		if tt.err.Error() != tt.err.Message {
			t.Errorf("Error() = %q, Message = %q", tt.err.Error(), tt.err.Message)
		}
		for _, s := range tt.text {
			if !strings.Contains(tt.err.Message, s) {
				t.Errorf("message %q does not contain %q", tt.err.Message, s)
			}
		}
	}
}
