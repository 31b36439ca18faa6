package restjson_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/localsec/localsec/internal/protocol/restjson"
)

// createMemberInput is the shape of Macie's CreateMember input, decoded the
// way the adapter decodes it.
type createMemberInput struct {
	Account *struct {
		AccountID *string `json:"accountId"`
		Email     *string `json:"email"`
	} `json:"account"`
	Tags map[string]string `json:"tags"`
}

// invitationsInput is the shape of CreateInvitations' input.
type invitationsInput struct {
	AccountIDs               *[]string `json:"accountIds"`
	DisableEmailNotification *bool     `json:"disableEmailNotification"`
	Message                  *string   `json:"message"`
	MaxResults               *int      `json:"maxResults"`
}

// decode runs body through a Router's Request.Decode into v and returns
// the error Decode gave, and whether the handler ran at all.
func decode(t testing.TB, body []byte, v any) (err error) {
	t.Helper()
	ran := false
	rt := &restjson.Router{Internal: internal, Errors: func(error) *restjson.APIError {
		return &restjson.APIError{Type: "X", Status: 400, Message: "x"}
	}}
	rt.Handle("POST", "/d", "Decode", http.StatusOK, func(_ context.Context, r *restjson.Request) (any, error) {
		ran = true
		err = r.Decode(v)
		return nil, nil
	})
	w := httptest.NewRecorder()
	rt.ServeHTTP(w, httptest.NewRequest("POST", "/d", bytes.NewReader(body)))
	if !ran {
		t.Fatalf("handler did not run: %d %s", w.Code, w.Body)
	}
	return err
}

func TestDecodeOK(t *testing.T) {
	for _, body := range []string{"", "   ", "\n\t\r "} {
		in := createMemberInput{Tags: map[string]string{"keep": "me"}}
		if err := decode(t, []byte(body), &in); err != nil {
			t.Errorf("Decode(%q) = %v, want nil", body, err)
		}
		if in.Account != nil || in.Tags["keep"] != "me" {
			t.Errorf("Decode(%q) changed the value: %+v", body, in)
		}
	}

	var in createMemberInput
	body := ` {"account":{"accountId":"222222222222","email":"a@example.com"},"tags":{"k":"v"},"unknown":[1,2]} `
	if err := decode(t, []byte(body), &in); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if in.Account == nil || *in.Account.AccountID != "222222222222" || *in.Account.Email != "a@example.com" || in.Tags["k"] != "v" {
		t.Errorf("Decode = %+v", in)
	}

	var empty createMemberInput
	if err := decode(t, []byte(`{}`), &empty); err != nil || empty.Account != nil || empty.Tags != nil {
		t.Errorf("Decode({}) = %+v, %v", empty, err)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		into  func() any
		kind  restjson.InputErrorKind
		field string
		text  []string
	}{
		{name: "array", body: `[]`, kind: restjson.InputMalformed},
		{name: "null", body: `null`, kind: restjson.InputMalformed},
		{name: "string", body: `"x"`, kind: restjson.InputMalformed},
		{name: "number", body: ` 42`, kind: restjson.InputMalformed},
		{name: "not JSON", body: `account=1`, kind: restjson.InputMalformed},
		{name: "truncated", body: `{"account":`, kind: restjson.InputMalformed},
		{name: "trailing garbage", body: `{"account":null} x`, kind: restjson.InputMalformed},
		{name: "two objects", body: `{}{}`, kind: restjson.InputMalformed},
		{name: "single quotes", body: `{'account':1}`, kind: restjson.InputMalformed},
		{name: "trailing comma", body: `{"tags":{"a":"b",}}`, kind: restjson.InputMalformed},
		{name: "account is a string", body: `{"account":"222222222222"}`, kind: restjson.InputWrongType,
			field: "account", text: []string{"account", "object", "string"}},
		{name: "accountId is a number", body: `{"account":{"accountId":222222222222,"email":"a@b"}}`, kind: restjson.InputWrongType,
			field: "account.accountId", text: []string{"account.accountId", "must be of type string", "number"}},
		{name: "email is a bool", body: `{"account":{"accountId":"1","email":true}}`, kind: restjson.InputWrongType,
			field: "account.email", text: []string{"account.email", "string", "bool"}},
		{name: "tags is an array", body: `{"tags":["a"]}`, kind: restjson.InputWrongType,
			field: "tags", text: []string{"tags", "object", "array"}},
		{name: "accountIds is a string", body: `{"accountIds":"222222222222"}`, into: func() any { return new(invitationsInput) },
			kind: restjson.InputWrongType, field: "accountIds", text: []string{"accountIds", "array", "string"}},
		{name: "disableEmailNotification is a string", body: `{"disableEmailNotification":"true"}`, into: func() any { return new(invitationsInput) },
			kind: restjson.InputWrongType, field: "disableEmailNotification", text: []string{"disableEmailNotification", "boolean", "string"}},
		{name: "maxResults is a string", body: `{"maxResults":"5"}`, into: func() any { return new(invitationsInput) },
			kind: restjson.InputWrongType, field: "maxResults", text: []string{"maxResults", "integer", "string"}},
		{name: "maxResults is a fraction", body: `{"maxResults":1.5}`, into: func() any { return new(invitationsInput) },
			kind: restjson.InputWrongType, field: "maxResults", text: []string{"maxResults must be of type integer, not number 1.5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v any = new(createMemberInput)
			if tt.into != nil {
				v = tt.into()
			}
			err := decode(t, []byte(tt.body), v)
			var in *restjson.InputError
			if !errors.As(err, &in) {
				t.Fatalf("Decode(%s) = %v, want an *InputError", tt.body, err)
			}
			if in.Kind != tt.kind {
				t.Errorf("Decode(%s) kind = %d, want %d (%s)", tt.body, in.Kind, tt.kind, in.Message)
			}
			if in.Field != tt.field {
				t.Errorf("Decode(%s) field = %q, want %q", tt.body, in.Field, tt.field)
			}
			if in.Message == "" {
				t.Errorf("Decode(%s) has no message", tt.body)
			}
			for _, s := range tt.text {
				if !strings.Contains(in.Message, s) {
					t.Errorf("Decode(%s) message %q does not contain %q", tt.body, in.Message, s)
				}
			}
		})
	}
}

// maxFuzzBody bounds fuzzed bodies. Large inputs add little here (sizes
// are tested above) but make the fuzzer's minimization of every new
// interesting input take up to -fuzzminimizetime, during which it stops
// fuzzing.
const maxFuzzBody = 1024

// FuzzDecode: any body decoded into CreateMember's or CreateInvitations'
// input never panics, and every failure is an *InputError of a decoding
// kind with a message.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		``, ` `, `{}`, `[]`, `null`, `{"account":{"accountId":"222222222222","email":"a@example.com"},"tags":{"k":"v"}}`,
		`{"account":{"accountId":222222222222}}`, `{"account":"x"}`, `{"tags":{"a":1}}`, `{"accountIds":["1",2]}`,
		`{"accountIds":"x","disableEmailNotification":"no","message":7}`, `{"maxResults":1e400}`, `{"maxResults":-0.5}`,
		`{"account":`, "{\"account\":{\"email\":\"\xff\xfe\"}}", `{"\u0000":"\ud800"}`, `{"a":1,"a":2}`,
		strings.Repeat(`{"account":`, 60),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > maxFuzzBody {
			return // see maxFuzzBody
		}
		for _, v := range []any{new(createMemberInput), new(invitationsInput), new(map[string]any)} {
			err := decode(t, body, v)
			if err == nil {
				trimmed := bytes.TrimSpace(body)
				if len(trimmed) > 0 && (!json.Valid(trimmed) || trimmed[0] != '{') {
					t.Fatalf("Decode(%q) into %T succeeded on a body that is not a JSON object", body, v)
				}
				continue
			}
			in, ok := err.(*restjson.InputError)
			if !ok {
				t.Fatalf("Decode(%q) into %T = %T %v, want *restjson.InputError", body, v, err, err)
			}
			if in.Message == "" {
				t.Fatalf("Decode(%q) into %T: empty message", body, v)
			}
			switch in.Kind {
			case restjson.InputMalformed:
				if bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) && json.Valid(body) {
					t.Fatalf("Decode(%q) into %T: valid JSON object called malformed", body, v)
				}
			case restjson.InputWrongType:
				_, isMap := v.(*map[string]any)
				if in.Field == "" && !isMap && !bytes.Contains(body, []byte(`""`)) {
					// encoding/json names the member path of a struct
					// field; only an empty key can give an empty path.
					// (Map values have no path.)
					t.Fatalf("Decode(%q) into %T: wrong type with no field", body, v)
				}
			default:
				t.Fatalf("Decode(%q) into %T: kind %d, want Malformed or WrongType", body, v, in.Kind)
			}
		}
	})
}

func TestTimestampJSON(t *testing.T) {
	paris := time.FixedZone("CEST", 2*60*60)
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2024, 5, 1, 12, 34, 56, 789_000_000, time.UTC), `"2024-05-01T12:34:56.789Z"`},
		{time.Date(2024, 5, 1, 12, 34, 56, 0, time.UTC), `"2024-05-01T12:34:56.000Z"`},
		{time.Date(2024, 5, 1, 14, 34, 56, 789_000_000, paris), `"2024-05-01T12:34:56.789Z"`},
		{time.Date(2024, 1, 1, 0, 30, 0, 0, time.FixedZone("EST", -5*60*60)), `"2024-01-01T05:30:00.000Z"`},
		{time.Date(2024, 12, 31, 23, 59, 59, 999_999_999, time.UTC), `"2024-12-31T23:59:59.999Z"`}, // truncated, not rounded
		{time.Date(2024, 5, 1, 12, 34, 56, 1_000, time.UTC), `"2024-05-01T12:34:56.000Z"`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(restjson.Timestamp(tt.in))
		if err != nil || string(b) != tt.want {
			t.Errorf("Marshal(Timestamp(%v)) = %s, %v; want %s", tt.in, b, err, tt.want)
		}
		// Through a pointer, as the wire shapes use it.
		b, err = json.Marshal(struct {
			At *restjson.Timestamp `json:"at,omitempty"`
		}{restjson.NewTimestamp(tt.in)})
		if err != nil || string(b) != `{"at":`+tt.want+`}` {
			t.Errorf("Marshal(NewTimestamp(%v)) = %s, %v", tt.in, b, err)
		}
		// And it parses back as RFC 3339 to the same millisecond.
		var back time.Time
		if err := json.Unmarshal([]byte(tt.want), &back); err != nil || !back.Equal(tt.in.Truncate(time.Millisecond)) || back.Location() != time.UTC {
			t.Errorf("%s parses to %v, %v", tt.want, back, err)
		}
	}

	if ts := restjson.NewTimestamp(time.Time{}); ts != nil {
		t.Errorf("NewTimestamp(zero) = %v, want nil", ts)
	}
	b, err := json.Marshal(struct {
		At *restjson.Timestamp `json:"at,omitempty"`
	}{restjson.NewTimestamp(time.Time{})})
	if err != nil || string(b) != `{}` {
		t.Errorf("zero time with omitempty = %s, %v; want {}", b, err)
	}
	if restjson.TimestampFormat != "2006-01-02T15:04:05.000Z" {
		t.Errorf("TimestampFormat = %q", restjson.TimestampFormat)
	}
}

func TestEpochTimestampJSON(t *testing.T) {
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2024, 5, 1, 12, 34, 56, 789_000_000, time.UTC), `1714566896.789`},
		{time.Date(2024, 5, 1, 14, 34, 56, 789_000_000, time.FixedZone("CEST", 2*60*60)), `1714566896.789`},
		{time.Date(2024, 5, 1, 12, 34, 56, 0, time.UTC), `1714566896.000`},
		{time.Date(2024, 5, 1, 12, 34, 56, 999_999_999, time.UTC), `1714566896.999`},
		{time.Unix(0, 0), `0.000`},
		{time.Unix(0, 0).Add(-1500 * time.Millisecond), `-1.500`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(restjson.EpochTimestamp(tt.in))
		if err != nil || string(b) != tt.want {
			t.Errorf("Marshal(EpochTimestamp(%v)) = %s, %v; want %s", tt.in, b, err, tt.want)
		}
		var f float64
		if err := json.Unmarshal(b, &f); err != nil {
			t.Errorf("%s is not a JSON number: %v", b, err)
		}
	}
}

func TestWriteError(t *testing.T) {
	w := httptest.NewRecorder()
	restjson.WriteError(w, &restjson.APIError{
		Type: "BadRequestException", Status: http.StatusBadRequest, Message: `quote " and <tag> & ünïcode`,
		Fields: map[string]string{"__type": "InvalidInputException", "message": "overridden", "Code": "c"},
	})
	if w.Code != http.StatusBadRequest {
		t.Errorf("status = %d", w.Code)
	}
	if got := w.Header().Get("X-Amzn-ErrorType"); got != "BadRequestException" {
		t.Errorf("X-Amzn-ErrorType = %q", got)
	}
	// "message" first, then the other keys sorted: byte-stable bodies.
	want := `{"message":"quote \" and \u003ctag\u003e \u0026 ünïcode","Code":"c","__type":"InvalidInputException"}`
	if w.Body.String() != want {
		t.Errorf("body = %s\nwant   %s", w.Body, want)
	}
	var m map[string]string
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil || m["message"] != `quote " and <tag> & ünïcode` {
		t.Errorf("body does not round-trip: %v %v", m, err)
	}

	w = httptest.NewRecorder()
	restjson.WriteError(w, &restjson.APIError{Type: "T", Status: 404, Message: ""})
	if w.Body.String() != `{"message":""}` {
		t.Errorf("empty message body = %s", w.Body)
	}

	e := &restjson.APIError{Type: "ConflictException", Message: "already"}
	if e.Error() != "ConflictException: already" {
		t.Errorf("Error() = %q", e.Error())
	}
}

func TestWriteJSON(t *testing.T) {
	w := httptest.NewRecorder()
	if err := restjson.WriteJSON(w, http.StatusOK, map[string]int{"n": 1}); err != nil {
		t.Fatal(err)
	}
	if w.Code != 200 || w.Body.String() != `{"n":1}` || w.Header().Get("Content-Type") != "application/json" || w.Header().Get("Content-Length") != "7" {
		t.Errorf("WriteJSON: %d %q %v", w.Code, w.Body, w.Header())
	}
	w = httptest.NewRecorder()
	if err := restjson.WriteJSON(w, http.StatusOK, make(chan int)); err == nil {
		t.Error("WriteJSON(chan) = nil error")
	}
	if w.Body.Len() != 0 || w.Header().Get("Content-Type") != "" {
		t.Errorf("WriteJSON wrote something on a marshalling error: %q %v", w.Body, w.Header())
	}
}

// Member names match exactly, as in AWS: a member in another case is an
// unknown member, ignored, so a required one counts as missing.
func TestDecodeMemberNamesAreCaseSensitive(t *testing.T) {
	var in createMemberInput
	body := `{"ACCOUNT":{"accountId":"111111111111"},"account":{"ACCOUNTID":"222222222222","email":"e@example.com"},"Tags":{"k":"v"}}`
	if err := decode(t, []byte(body), &in); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if in.Account == nil || in.Account.AccountID != nil || in.Account.Email == nil || *in.Account.Email != "e@example.com" {
		t.Fatalf("account = %+v, want only the exactly named email", in.Account)
	}
	if in.Tags != nil {
		t.Fatalf("tags = %v, want nil: \"Tags\" is not \"tags\"", in.Tags)
	}
	var list invitationsInput
	if err := decode(t, []byte(`{"AccountIds":["111111111111"],"accountIds":["222222222222"]}`), &list); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if list.AccountIDs == nil || len(*list.AccountIDs) != 1 || (*list.AccountIDs)[0] != "222222222222" {
		t.Fatalf("accountIds = %v", list.AccountIDs)
	}
}
