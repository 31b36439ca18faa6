package endpoint_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/endpoint"
	"github.com/localsec/localsec/internal/protocol/model"
)

var internal = &protocol.APIError{Type: "InternalServerException", Status: http.StatusInternalServerError, Message: "An internal error occurred."}

func inputError(t *testing.T, err error) *model.InputError {
	t.Helper()
	var in *model.InputError
	if !errors.As(err, &in) {
		t.Fatalf("error = %T %v, want a *model.InputError", err, err)
	}
	return in
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestReadBody(t *testing.T) {
	tests := []struct {
		name  string
		limit int64
		size  int
		err   string // "" for success
	}{
		{"empty", 16, 0, ""},
		{"at the bound", 16, 16, ""},
		{"over the bound", 16, 17, "The request body is larger than 16 bytes."},
		{"far over the bound", 16, 4096, "The request body is larger than 16 bytes."},
		{"the default bound", 0, endpoint.DefaultMaxBodyBytes, ""},
		{"over the default bound", 0, endpoint.DefaultMaxBodyBytes + 1, "The request body is larger than 1048576 bytes."},
		{"a negative bound is the default", -1, endpoint.DefaultMaxBodyBytes + 1, "The request body is larger than 1048576 bytes."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := endpoint.Config{MaxBodyBytes: tt.limit}
			body := bytes.Repeat([]byte("a"), tt.size)
			got, err := cfg.ReadBody(httptest.NewRecorder(), httptest.NewRequest("POST", "/", bytes.NewReader(body)))
			if tt.err == "" {
				if err != nil || !bytes.Equal(got, body) {
					t.Fatalf("ReadBody = %d bytes, %v; want the %d bytes", len(got), err, len(body))
				}
				return
			}
			in := inputError(t, err)
			if in.Kind != model.TooLarge || in.Message != tt.err || got != nil {
				t.Errorf("ReadBody = %d bytes, %+v; want TooLarge %q", len(got), in, tt.err)
			}
		})
	}
	if endpoint.DefaultMaxBodyBytes != 1<<20 {
		t.Errorf("DefaultMaxBodyBytes = %d", endpoint.DefaultMaxBodyBytes)
	}

	cfg := endpoint.Config{}
	_, err := cfg.ReadBody(httptest.NewRecorder(), httptest.NewRequest("POST", "/", failingReader{}))
	if in := inputError(t, err); in.Kind != model.Malformed || in.Message != "The request body could not be read." {
		t.Errorf("ReadBody of a failing body = %+v", in)
	}
}

func TestParseObject(t *testing.T) {
	const notObject, notJSON = "The request body must be a JSON object.", "The request body is not valid JSON."
	tests := []struct {
		body string
		want map[string]any
		err  string
	}{
		{"", map[string]any{}, ""},
		{" \n\t\r ", map[string]any{}, ""},
		{"{}", map[string]any{}, ""},
		{` {"a":1} `, map[string]any{"a": json.Number("1")}, ""},
		{`{"n":12345678901234567890,"f":1.50,"s":"x","b":true,"z":null,"l":[1,"2"],"o":{"k":{}}}`, map[string]any{
			"n": json.Number("12345678901234567890"), "f": json.Number("1.50"), "s": "x", "b": true, "z": nil,
			"l": []any{json.Number("1"), "2"}, "o": map[string]any{"k": map[string]any{}}}, ""},
		{`{"a":1,"a":2}`, map[string]any{"a": json.Number("2")}, ""},
		{"[]", nil, notObject},
		{"null", nil, notObject},
		{`"x"`, nil, notObject},
		{" 42", nil, notObject},
		{"account=1", nil, notObject},
		{"\xef\xbb\xbf{}", nil, notObject}, // a byte order mark
		// Only JSON's own white space surrounds a body, as encoding/json
		// reads it: a vertical tab, a form feed or a no-break space is
		// not white space.
		{"\v{}", nil, notObject},
		{"\u00a0{}", nil, notObject},
		{"{}\f", nil, notJSON},
		{"{}\u0085", nil, notJSON},
		{`{"account":`, nil, notJSON},
		{`{"account":null} x`, nil, notJSON},
		{`{}{}`, nil, notJSON},
		{`{} []`, nil, notJSON},
		{`{'account':1}`, nil, notJSON},
		{`{"tags":{"a":"b",}}`, nil, notJSON},
		{`{"a":NaN}`, nil, notJSON},
		{`{` + strings.Repeat(`"a":{`, 20000) + strings.Repeat("}", 20001), nil, notJSON}, // nested too deep
	}
	for _, tt := range tests {
		name := tt.body
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			got, err := endpoint.ParseObject([]byte(tt.body))
			if tt.err == "" {
				if err != nil || !reflect.DeepEqual(got, tt.want) {
					t.Errorf("ParseObject = %#v, %v; want %#v", got, err, tt.want)
				}
				return
			}
			in := inputError(t, err)
			if in.Kind != model.Malformed || in.Message != tt.err || got != nil {
				t.Errorf("ParseObject = %#v, %+v; want Malformed %q", got, in, tt.err)
			}
		})
	}
}

func TestWriteJSONError(t *testing.T) {
	tests := []struct {
		name string
		e    *protocol.APIError
		eb   endpoint.ErrorBody
		ct   string
		want string
	}{
		{"message only", &protocol.APIError{Type: "ConflictException", Status: 409, Message: "already"},
			endpoint.ErrorBody{Message: "message"}, "application/json", `{"message":"already"}`},
		{"the default message member", &protocol.APIError{Type: "T", Status: 404, Message: ""},
			endpoint.ErrorBody{}, "application/json", `{"message":""}`},
		{"Message and Code", &protocol.APIError{Type: "InvalidInputException", Status: 400, Message: "bad"},
			endpoint.ErrorBody{Message: "Message", Code: []string{"Code"}}, "application/json", `{"Message":"bad","Code":"InvalidInputException"}`},
		{"__type", &protocol.APIError{Type: "ResourceNotFoundException", Status: 400, Message: "gone"},
			endpoint.ErrorBody{Message: "message", Code: []string{"__type"}}, "application/x-amz-json-1.1",
			`{"message":"gone","__type":"ResourceNotFoundException"}`},
		{"fields override the code, never the message; sorted", &protocol.APIError{Type: "BadRequestException", Status: 400,
			Message: `quote " and <tag> & ünïcode` + "\n\u2028",
			Fields:  map[string]string{"__type": "InvalidInputException", "message": "overridden", "Reason": "r", "Code": "c"}},
			endpoint.ErrorBody{Message: "message", Code: []string{"__type"}}, "application/json",
			`{"message":"quote \" and <tag> & ünïcode\n\u2028","Code":"c","Reason":"r","__type":"InvalidInputException"}`},
		{"a code member named like the message", &protocol.APIError{Type: "T", Status: 400, Message: "m"},
			endpoint.ErrorBody{Message: "message", Code: []string{"message", "Code"}}, "application/json", `{"message":"m","Code":"T"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			endpoint.WriteJSONError(w, tt.e, tt.eb, tt.ct)
			if w.Code != tt.e.Status {
				t.Errorf("status = %d, want %d", w.Code, tt.e.Status)
			}
			if got := w.Body.String(); got != tt.want {
				t.Errorf("body =\n%s\nwant\n%s", got, tt.want)
			}
			want := http.Header{"X-Amzn-Errortype": {tt.e.Type}, "Content-Type": {tt.ct}, "Content-Length": {strconv.Itoa(len(tt.want))}}
			if !reflect.DeepEqual(w.Header(), want) {
				t.Errorf("headers = %v, want %v", w.Header(), want)
			}
			if !json.Valid(w.Body.Bytes()) {
				t.Errorf("body %s is not JSON", w.Body)
			}
		})
	}
}

func TestWriteBody(t *testing.T) {
	w := httptest.NewRecorder()
	endpoint.WriteBody(w, http.StatusCreated, "text/xml", []byte("<x/>"))
	if w.Code != http.StatusCreated || w.Body.String() != "<x/>" || w.Header().Get("Content-Type") != "text/xml" || w.Header().Get("Content-Length") != "4" {
		t.Errorf("WriteBody: %d %q %v", w.Code, w.Body, w.Header())
	}
	w = httptest.NewRecorder()
	endpoint.WriteBody(w, http.StatusOK, "application/json", nil)
	if w.Code != http.StatusOK || w.Body.Len() != 0 || w.Header().Get("Content-Length") != "0" {
		t.Errorf("WriteBody(nil): %d %q %v", w.Code, w.Body, w.Header())
	}
}

type ctxKey struct{}

func TestInvoke(t *testing.T) {
	var logs bytes.Buffer
	cfg := endpoint.Config{Internal: internal, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}
	call := &protocol.Call{RequestID: "req-1", Service: "demo", Operation: "Op"}
	r := httptest.NewRequest("GET", "/", nil)
	r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, "v"))

	// The handler gets the request's context, the call and the input;
	// its result comes back as it is.
	in := new(int)
	want := &struct{ N int }{7}
	out, err := cfg.Invoke(func(ctx context.Context, c *protocol.Call, i any) (any, error) {
		if ctx.Value(ctxKey{}) != "v" || c != call || i != any(in) {
			t.Errorf("handler called with ctx %v, call %p, in %v", ctx.Value(ctxKey{}), c, i)
		}
		return want, nil
	}, r, call, in)
	if out != any(want) || err != nil {
		t.Errorf("Invoke = %v, %v", out, err)
	}
	sentinel := errors.New("sentinel")
	if out, err := cfg.Invoke(func(context.Context, *protocol.Call, any) (any, error) { return "partial", sentinel }, r, call, in); out != "partial" || err != sentinel {
		t.Errorf("Invoke = %v, %v; want the handler's own result", out, err)
	}
	if logs.Len() != 0 {
		t.Errorf("Invoke logged %s", logs.String())
	}

	for _, p := range []any{"boom in handler", errors.New("boom in handler"), nil} {
		logs.Reset()
		out, err := cfg.Invoke(func(context.Context, *protocol.Call, any) (any, error) { panic(p) }, r, call, in)
		if out != nil || err == nil {
			t.Fatalf("Invoke of a panic(%v) = %v, %v; want nil and an error", p, out, err)
		}
		if e := cfg.Wire(call, err); e != internal {
			t.Errorf("Wire of a panic = %+v, want Internal", e)
		}
		for _, s := range []string{`"msg":"handler panic"`, `"request_id":"req-1"`, `"service":"demo"`, `"operation":"Op"`, `"stack":"goroutine`} {
			if !strings.Contains(logs.String(), s) {
				t.Errorf("log %s does not contain %s", logs.String(), s)
			}
		}
		if p != nil && !strings.Contains(logs.String(), `"panic":"boom in handler"`) {
			t.Errorf("log %s does not give the panic", logs.String())
		}
		if strings.Contains(logs.String(), "unmapped error") {
			t.Errorf("a panic is logged as an unmapped error too: %s", logs.String())
		}
	}
}

func TestWire(t *testing.T) {
	conflict := &protocol.APIError{Type: "ConflictException", Status: 409, Message: "already"}
	known := errors.New("known")
	var mapped []error
	var logs bytes.Buffer
	cfg := endpoint.Config{Internal: internal, Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
		Errors: func(err error) *protocol.APIError {
			mapped = append(mapped, err)
			if errors.Is(err, known) {
				return conflict
			}
			return nil
		}}
	call := &protocol.Call{RequestID: "req-9", Service: "demo", Operation: "Op"}

	if e := cfg.Wire(call, known); e != conflict {
		t.Errorf("Wire(known) = %+v, want the mapping's", e)
	}
	if logs.Len() != 0 {
		t.Errorf("a mapped error is logged: %s", logs.String())
	}
	if e := cfg.Wire(call, errors.New("disk on fire")); e != internal {
		t.Errorf("Wire(unknown) = %+v, want Internal", e)
	}
	for _, s := range []string{`"msg":"unmapped error"`, `"request_id":"req-9"`, `"operation":"Op"`, `"error":"disk on fire"`} {
		if !strings.Contains(logs.String(), s) {
			t.Errorf("log %s does not contain %s", logs.String(), s)
		}
	}
	if len(mapped) != 2 {
		t.Errorf("the mapping saw %d errors, want 2", len(mapped))
	}

	// A panic never reaches the mapping.
	_, perr := cfg.Invoke(func(context.Context, *protocol.Call, any) (any, error) { panic("x") }, httptest.NewRequest("GET", "/", nil), call, nil)
	mapped = nil
	if e := cfg.Wire(call, perr); e != internal || len(mapped) != 0 {
		t.Errorf("Wire(panic) = %+v after mapping %v; want Internal without the mapping", e, mapped)
	}

	// Without a mapping or a logger every error is Internal.
	bare := endpoint.Config{Internal: internal}
	if e := bare.Wire(call, conflict); e != internal {
		t.Errorf("Wire without a mapping = %+v, want Internal", e)
	}
}
