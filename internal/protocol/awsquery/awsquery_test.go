package awsquery_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	sts "github.com/localsec/localsec/internal/api/sts"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/awsquery"
	"github.com/localsec/localsec/internal/protocol/endpoint"
	"github.com/localsec/localsec/internal/protocol/model"
)

const ns = "https://demo.amazonaws.com/doc/2011-06-15/"

type kv struct {
	Key   *string
	Value *string
}

type (
	emptyIn     struct{}
	identityOut struct {
		Account *string
		Arn     *string
		UserId  *string
	}
	putThingIn struct {
		Name    *string
		Count   *int32
		Enabled *bool
		Ids     []string
		Flat    []string
		Tags    map[string]string
		Detail  *kv
		Items   []kv
		When    *time.Time
		Named   []string
		Attrs   map[string]string
	}
	putThingOut struct {
		Name    *string
		Ids     []string
		Flat    []string
		Tags    map[string]string
		Detail  *kv
		Count   *int32
		Enabled *bool
		When    *time.Time
		Ratio   *float64
		Items   []kv
		Named   []string
	}
)

var testTime = time.Date(2024, 5, 1, 12, 34, 56, 789_000_000, time.UTC)

func demoModel() *model.Service {
	str := &model.Shape{Name: "String", Type: model.String}
	strs := &model.Shape{Name: "Strings", Type: model.List, Elem: str}
	named := &model.Shape{Name: "Named", Type: model.List, Elem: str, ElemName: "item"}
	tags := &model.Shape{Name: "TagMap", Type: model.Map, Key: str, Elem: str}
	attrs := &model.Shape{Name: "Attrs", Type: model.Map, Key: str, Elem: str, KeyName: "Name", ValueName: "Val"}
	pair := &model.Shape{Name: "Pair", Type: model.Structure, Members: []model.Member{
		{Name: "Key", WireName: "Key", Shape: str, Required: true},
		{Name: "Value", WireName: "Value", Shape: str},
	}}
	pairs := &model.Shape{Name: "Pairs", Type: model.List, Elem: pair}
	ts := &model.Shape{Name: "Timestamp", Type: model.Timestamp}
	count := &model.Shape{Name: "Count", Type: model.Integer, Max: model.Limit(10)}
	boolean := &model.Shape{Name: "Boolean", Type: model.Boolean}
	empty := &model.Shape{Name: "Empty", Type: model.Structure}
	identity := &model.Shape{Name: "GetIdentityResponse", Type: model.Structure, Members: []model.Member{
		{Name: "Account", WireName: "Account", Shape: str},
		{Name: "Arn", WireName: "Arn", Shape: str},
		{Name: "UserId", WireName: "UserId", Shape: str},
	}}
	putIn := &model.Shape{Name: "PutThingRequest", Type: model.Structure, Members: []model.Member{
		{Name: "Name", WireName: "Name", Shape: &model.Shape{Name: "ThingName", Type: model.String, Min: model.Limit(1)}, Required: true},
		{Name: "Count", WireName: "Count", Shape: count},
		{Name: "Enabled", WireName: "Enabled", Shape: boolean},
		{Name: "Ids", WireName: "Ids", Shape: strs},
		{Name: "Flat", WireName: "Flat", Shape: strs, Flattened: true},
		{Name: "Tags", WireName: "Tags", Shape: tags},
		{Name: "Detail", WireName: "Detail", Shape: pair},
		{Name: "Items", WireName: "Items", Shape: pairs},
		{Name: "When", WireName: "When", Shape: ts},
		{Name: "Named", WireName: "Named", Shape: named},
		{Name: "Attrs", WireName: "Attrs", Shape: attrs},
	}}
	putOut := &model.Shape{Name: "PutThingResponse", Type: model.Structure, Members: []model.Member{
		{Name: "Name", WireName: "Name", Shape: str},
		{Name: "Ids", WireName: "Ids", Shape: strs},
		{Name: "Flat", WireName: "Flat", Shape: strs, Flattened: true},
		{Name: "Tags", WireName: "Tags", Shape: tags},
		{Name: "Detail", WireName: "Detail", Shape: pair},
		{Name: "Count", WireName: "Count", Shape: count},
		{Name: "Enabled", WireName: "Enabled", Shape: boolean},
		{Name: "When", WireName: "When", Shape: ts},
		{Name: "Ratio", WireName: "Ratio", Shape: &model.Shape{Name: "Double", Type: model.Double}},
		{Name: "Items", WireName: "Items", Shape: pairs},
		{Name: "Named", WireName: "Named", Shape: named},
	}}
	newEmpty := func() any { return new(emptyIn) }
	op := func(name string, in, out *model.Shape, wrapper string, newIn func() any) *model.Operation {
		return &model.Operation{Name: name, Method: "POST", URI: "/", Status: 200, Input: in, Output: out, ResultWrapper: wrapper, NewInput: newIn, Served: true}
	}
	return &model.Service{Name: "demo", APIVersion: "2011-06-15", Protocol: model.Query, XMLNamespace: ns,
		Operations: []*model.Operation{
			{Name: "AssumeRole", Method: "POST", URI: "/"},
			op("GetIdentity", empty, identity, "GetIdentityResult", newEmpty),
			op("PutThing", putIn, putOut, "", func() any { return new(putThingIn) }),
			op("NoOutput", empty, nil, "", newEmpty),
			op("NilOutput", nil, identity, "", newEmpty),
			op("TypedNil", nil, identity, "", newEmpty),
			op("Panic", empty, identity, "", newEmpty),
			op("Fail", empty, identity, "", newEmpty),
			op("Conflict", empty, identity, "", newEmpty),
			op("BadOutput", empty, identity, "", newEmpty),
		}}
}

type recorder struct {
	calls []string
	in    any
	call  *protocol.Call
}

func demoHandlers(rec *recorder) map[string]model.Handler {
	results := map[string]func() (any, error){
		"GetIdentity": func() (any, error) {
			return &identityOut{Account: new("111111111111"), Arn: new(`arn:aws:iam::111111111111:user/a&b<c>"d"`)}, nil
		},
		"PutThing": func() (any, error) {
			return &putThingOut{Name: new("n"), Ids: []string{"x", "y"}, Flat: []string{"f1", "f2"}, Tags: map[string]string{"b": "2", "a": "1"},
				Detail: &kv{Key: new("k"), Value: new("v")}, Count: new(int32(3)), Enabled: new(false), When: new(testTime), Ratio: new(0.5),
				Items: []kv{{Key: new("i1")}, {}}, Named: []string{"n1"}}, nil
		},
		"NoOutput":  func() (any, error) { return &identityOut{Account: new("ignored")}, nil },
		"NilOutput": func() (any, error) { return nil, nil },
		"TypedNil":  func() (any, error) { return (*identityOut)(nil), nil },
		"Panic":     func() (any, error) { panic("boom") },
		"Fail":      func() (any, error) { return nil, errors.New("disk on fire") },
		"Conflict": func() (any, error) {
			return nil, &protocol.APIError{Type: "EntityAlreadyExists", Status: 409, Message: `it "exists" & more`}
		},
		"BadOutput": func() (any, error) { return &kv{}, nil },
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

var internal = &protocol.APIError{Type: "InternalFailure", Status: http.StatusInternalServerError, Message: "An internal error occurred."}

func testErrors(err error) *protocol.APIError {
	var in *model.InputError
	if errors.As(err, &in) {
		status := http.StatusBadRequest
		if in.Kind == model.TooLarge {
			status = http.StatusRequestEntityTooLarge
		}
		return &protocol.APIError{Type: "ValidationError", Status: status, Message: in.Message}
	}
	var e *protocol.APIError
	if errors.As(err, &e) {
		return e
	}
	return nil
}

func newDemo(cfg endpoint.Config) (*awsquery.Server, *recorder) {
	rec := &recorder{}
	return awsquery.New(demoModel(), demoHandlers(rec), cfg), rec
}

func demoConfig() endpoint.Config { return endpoint.Config{Errors: testErrors, Internal: internal} }

// serve sends a request: a POST with form as its body, or another method
// with the target's query only.
func serve(t *testing.T, h http.Handler, method, target, form string) (*httptest.ResponseRecorder, *protocol.Call) {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(form))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	call := &protocol.Call{RequestID: "req-1", Service: "demo"}
	r = r.WithContext(protocol.WithCall(r.Context(), call))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w, call
}

// wellFormed checks that b is one well-formed XML document.
func wellFormed(t *testing.T, b []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("%s is not well-formed XML: %v", b, err)
		}
	}
}

func success(name, result string) string {
	return xml.Header + `<` + name + `Response xmlns="` + ns + `">` + result +
		`<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></` + name + `Response>`
}

func errorDoc(fault, code, message string) string {
	return xml.Header + `<ErrorResponse xmlns="` + ns + `"><Error><Type>` + fault + `</Type><Code>` + code +
		`</Code><Message>` + message + `</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`
}

func checkAnswer(t *testing.T, w *httptest.ResponseRecorder, status int, typ, body string) {
	t.Helper()
	if w.Code != status {
		t.Errorf("status = %d, want %d", w.Code, status)
	}
	if got := w.Body.String(); got != body {
		t.Errorf("body =\n%s\nwant\n%s", got, body)
	}
	if got := w.Header().Get("X-Amzn-ErrorType"); got != typ {
		t.Errorf("X-Amzn-ErrorType = %q, want %q", got, typ)
	}
	if ct, cl := w.Header().Get("Content-Type"), w.Header().Get("Content-Length"); ct != "text/xml" || cl != strconv.Itoa(w.Body.Len()) {
		t.Errorf("Content-Type %q, Content-Length %q for %d bytes", ct, cl, w.Body.Len())
	}
	wellFormed(t, w.Body.Bytes())
}

func TestActions(t *testing.T) {
	identity := success("GetIdentity", `<GetIdentityResult><Account>111111111111</Account>`+
		`<Arn>arn:aws:iam::111111111111:user/a&amp;b&lt;c&gt;&#34;d&#34;</Arn></GetIdentityResult>`)
	tests := []struct {
		name, method, target, form string
		op, body                   string
	}{
		{"form", "POST", "/", "Action=GetIdentity&Version=2011-06-15", "GetIdentity", identity},
		{"URL query", "GET", "/?Action=GetIdentity&Version=2011-06-15", "", "GetIdentity", identity},
		{"POST with the URL query", "POST", "/?Action=GetIdentity", "", "GetIdentity", identity},
		{"the form wins over the URL", "POST", "/?Action=Nope", "Action=GetIdentity", "GetIdentity", identity},
		{"other methods read the URL only", "PUT", "/?Action=GetIdentity", "Action=Nope", "GetIdentity", identity},
		{"the first Action", "POST", "/", "Action=GetIdentity&Action=Nope", "GetIdentity", identity},
		{"no output shape", "POST", "/", "Action=NoOutput", "NoOutput", success("NoOutput", "")},
		{"a nil output", "POST", "/", "Action=NilOutput", "NilOutput", success("NilOutput", "<NilOutputResult></NilOutputResult>")},
		{"a nil output pointer", "POST", "/", "Action=TypedNil", "TypedNil", success("TypedNil", "<TypedNilResult></TypedNilResult>")},
		{"every kind of member", "POST", "/", "Action=PutThing&Name=x", "PutThing", success("PutThing", `<PutThingResult><Name>n</Name>`+
			`<Ids><member>x</member><member>y</member></Ids><Flat>f1</Flat><Flat>f2</Flat>`+
			`<Tags><entry><key>a</key><value>1</value></entry><entry><key>b</key><value>2</value></entry></Tags>`+
			`<Detail><Key>k</Key><Value>v</Value></Detail><Count>3</Count><Enabled>false</Enabled>`+
			`<When>2024-05-01T12:34:56.789Z</When><Ratio>0.5</Ratio><Items><member><Key>i1</Key></member><member></member></Items>`+
			`<Named><item>n1</item></Named></PutThingResult>`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, rec := newDemo(demoConfig())
			w, call := serve(t, s, tt.method, tt.target, tt.form)
			checkAnswer(t, w, 200, "", tt.body)
			if call.Operation != tt.op || !slices.Equal(rec.calls, []string{tt.op}) || rec.call != call {
				t.Errorf("call.Operation %q, handlers %v; want %s", call.Operation, rec.calls, tt.op)
			}
		})
	}
}

func TestActionErrors(t *testing.T) {
	const served = "GetIdentity, PutThing, NoOutput, NilOutput, TypedNil, Panic, Fail, Conflict, BadOutput"
	tests := []struct {
		name, method, target, form string
		status                     int
		code, fault, message       string
	}{
		{"no Action", "POST", "/", "Version=2011-06-15", 400, "MissingAction", "Sender", "The request must contain the parameter Action."},
		{"no parameters", "GET", "/", "", 400, "MissingAction", "Sender", "The request must contain the parameter Action."},
		{"an empty Action", "POST", "/", "Action=", 400, "MissingAction", "Sender", "The request must contain the parameter Action."},
		{"an unknown Action", "POST", "/", "Action=Nope", 400, "InvalidAction", "Sender",
			"Could not find operation Nope for version 2011-06-15: localsec&#39;s DEMO serves " + served + "."},
		{"an unserved Action", "POST", "/", "Action=AssumeRole", 400, "InvalidAction", "Sender",
			"Could not find operation AssumeRole for version 2011-06-15: localsec&#39;s DEMO serves " + served + "."},
		{"Actions are case-sensitive", "GET", "/?Action=getidentity", "", 400, "InvalidAction", "Sender",
			"Could not find operation getidentity for version 2011-06-15: localsec&#39;s DEMO serves " + served + "."},
		{"a bad escape", "POST", "/", "Action=GetIdentity&x=%zz", 400, "MalformedQueryString", "Sender", "The request body is not a valid form."},
		{"a semicolon", "POST", "/", "Action=GetIdentity;x=1", 400, "MalformedQueryString", "Sender", "The request body is not a valid form."},
		{"a panic", "POST", "/", "Action=Panic", 500, "InternalFailure", "Receiver", "An internal error occurred."},
		{"an unmapped error", "POST", "/", "Action=Fail", 500, "InternalFailure", "Receiver", "An internal error occurred."},
		{"a wrong output", "POST", "/", "Action=BadOutput", 500, "InternalFailure", "Receiver", "An internal error occurred."},
		{"an API error", "POST", "/", "Action=Conflict", 409, "EntityAlreadyExists", "Sender", "it &#34;exists&#34; &amp; more"},
		{"a required member", "POST", "/", "Action=PutThing", 400, "ValidationError", "Sender",
			"1 validation error detected: Value null at &#39;Name&#39; failed to satisfy constraint: Member must not be null"},
		{"an integer over max", "POST", "/", "Action=PutThing&Name=x&Count=11", 400, "ValidationError", "Sender",
			"1 validation error detected: Value &#39;11&#39; at &#39;Count&#39; failed to satisfy constraint: Member must have value less than or equal to 10"},
		{"not an integer", "POST", "/", "Action=PutThing&Name=x&Count=abc", 400, "ValidationError", "Sender",
			"The value of Count must be of type integer, not &#39;abc&#39;."},
		{"not a boolean", "POST", "/", "Action=PutThing&Name=x&Enabled=yes", 400, "ValidationError", "Sender",
			"The value of Enabled must be of type boolean, not &#39;yes&#39;."},
		{"not a timestamp", "POST", "/", "Action=PutThing&Name=x&When=soon", 400, "ValidationError", "Sender",
			"The value of When must be of type timestamp, not &#39;soon&#39;."},
		{"a required structure member", "POST", "/", "Action=PutThing&Name=x&Detail.Value=v", 400, "ValidationError", "Sender",
			"1 validation error detected: Value null at &#39;Detail.Key&#39; failed to satisfy constraint: Member must not be null"},
		{"a required member of a list element", "POST", "/", "Action=PutThing&Name=x&Items.member.1.Key=a&Items.member.2.Value=v", 400,
			"ValidationError", "Sender",
			"1 validation error detected: Value null at &#39;Items[1].Key&#39; failed to satisfy constraint: Member must not be null"},
		{"an empty string under min", "POST", "/", "Action=PutThing&Name=", 400, "ValidationError", "Sender",
			"1 validation error detected: Value &#39;&#39; at &#39;Name&#39; failed to satisfy constraint: Member must have length greater than or equal to 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, rec := newDemo(demoConfig())
			w, _ := serve(t, s, tt.method, tt.target, tt.form)
			checkAnswer(t, w, tt.status, tt.code, errorDoc(tt.fault, tt.code, tt.message))
			if tt.status != 500 && tt.status != 409 && len(rec.calls) != 0 {
				t.Errorf("handlers called: %v", rec.calls)
			}
		})
	}
}

func TestBodyBound(t *testing.T) {
	s, rec := newDemo(endpoint.Config{Errors: testErrors, Internal: internal, MaxBodyBytes: 32})
	form := "Action=GetIdentity&Pad=" + strings.Repeat("x", 9) // 32 bytes
	w, _ := serve(t, s, "POST", "/", form)
	if w.Code != 200 || len(form) != 32 {
		t.Fatalf("at the bound (%d bytes): %d %s", len(form), w.Code, w.Body)
	}
	w, _ = serve(t, s, "POST", "/", form+"x")
	checkAnswer(t, w, 413, "ValidationError", errorDoc("Sender", "ValidationError", "The request body is larger than 32 bytes."))
	if len(rec.calls) != 1 {
		t.Errorf("handlers called %v, want once", rec.calls)
	}
}

func TestBindForm(t *testing.T) {
	tests := []struct {
		name, form string
		want       *putThingIn
	}{
		{"scalars", "Name=a+b%26c&Count=10&Enabled=TRUE&When=2024-05-01T12:34:56.789Z",
			&putThingIn{Name: new("a b&c"), Count: new(int32(10)), Enabled: new(true), When: new(testTime)}},
		{"epoch seconds", "Name=x&When=1714566896.789", &putThingIn{Name: new("x"), When: new(testTime)}},
		{"lists", "Name=x&Ids.member.1=a&Ids.member.2=b&Flat.1=f&Named.item.1=n1&Named.item.2=n2",
			&putThingIn{Name: new("x"), Ids: []string{"a", "b"}, Flat: []string{"f"}, Named: []string{"n1", "n2"}}},
		{"a list stops at its first gap", "Name=x&Ids.member.1=a&Ids.member.3=c", &putThingIn{Name: new("x"), Ids: []string{"a"}}},
		{"a list that does not start at 1", "Name=x&Ids.member.2=b&Ids.member.0=z", &putThingIn{Name: new("x")}},
		{"an empty list", "Name=x&Ids=", &putThingIn{Name: new("x"), Ids: []string{}}},
		{"a flattened list has no member element", "Name=x&Flat.member.1=a", &putThingIn{Name: new("x")}},
		{"list elements are never members of another name", "Name=x&Ids.1=a&Named.member.1=b", &putThingIn{Name: new("x")}},
		{"maps", "Name=x&Tags.entry.1.key=k&Tags.entry.1.value=v&Tags.entry.2.key=k2&Tags.entry.2.value=&Attrs.entry.1.Name=an&Attrs.entry.1.Val=av",
			&putThingIn{Name: new("x"), Tags: map[string]string{"k": "v", "k2": ""}, Attrs: map[string]string{"an": "av"}}},
		{"a map entry without a value ends the map", "Name=x&Tags.entry.1.key=k&Tags.entry.2.key=k2&Tags.entry.2.value=v", &putThingIn{Name: new("x")}},
		{"structures", "Name=x&Detail.Key=k&Detail.Value=v&Items.member.1.Key=i1&Items.member.2.Key=i2&Items.member.2.Value=v2",
			&putThingIn{Name: new("x"), Detail: &kv{Key: new("k"), Value: new("v")}, Items: []kv{{Key: new("i1")}, {Key: new("i2"), Value: new("v2")}}}},
		{"unknown members", "Name=x&Detail.Other=1&Unknown=2&name=3", &putThingIn{Name: new("x")}},
		{"repeated fields: the first wins", "Name=x&Name=y", &putThingIn{Name: new("x")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, rec := newDemo(demoConfig())
			w, _ := serve(t, s, "POST", "/", "Action=PutThing&Version=2011-06-15&"+tt.form)
			if w.Code != 200 {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if !reflect.DeepEqual(rec.in, tt.want) {
				got, _ := json.Marshal(rec.in)
				want, _ := json.Marshal(tt.want)
				t.Errorf("input = %s, want %s", got, want)
			}
		})
	}
}

func TestRequestIDIsEscaped(t *testing.T) {
	s, _ := newDemo(demoConfig())
	for _, form := range []string{"Action=NoOutput", "Action=Nope"} {
		r := httptest.NewRequest("POST", "/", strings.NewReader(form))
		r = r.WithContext(protocol.WithCall(r.Context(), &protocol.Call{RequestID: `<a&b>`}))
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if !strings.Contains(w.Body.String(), "<RequestId>&lt;a&amp;b&gt;</RequestId>") {
			t.Errorf("%s: body %s", form, w.Body)
		}
		wellFormed(t, w.Body.Bytes())
	}
	// Without a call in the context the request id is empty.
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("GET", "/?Action=NoOutput", nil))
	if w.Code != 200 || !strings.Contains(w.Body.String(), "<RequestId></RequestId>") {
		t.Errorf("no call: %d %s", w.Code, w.Body)
	}
}

func TestWriteError(t *testing.T) {
	s, _ := newDemo(demoConfig())
	w := httptest.NewRecorder()
	s.WriteError(w, &protocol.Call{RequestID: "req-1"}, &protocol.APIError{Type: "Throttling", Status: 503, Message: "Rate exceeded"})
	checkAnswer(t, w, 503, "Throttling", errorDoc("Receiver", "Throttling", "Rate exceeded"))
	w = httptest.NewRecorder()
	s.WriteError(w, &protocol.Call{RequestID: "req-1"}, &protocol.APIError{Type: "AccessDenied", Status: 403, Message: "<no>"})
	checkAnswer(t, w, 403, "AccessDenied", errorDoc("Sender", "AccessDenied", "&lt;no&gt;"))
}

func TestNewAndOperations(t *testing.T) {
	s, _ := newDemo(demoConfig())
	want := []string{"GetIdentity", "PutThing", "NoOutput", "NilOutput", "TypedNil", "Panic", "Fail", "Conflict", "BadOutput"}
	if got := s.Operations(); !slices.Equal(got, want) {
		t.Errorf("Operations = %v, want %v", got, want)
	}
	defer func() {
		if p := recover(); p != "awsquery: demo serves GetIdentity without a handler" {
			t.Errorf("recover() = %v", p)
		}
	}()
	hs := demoHandlers(&recorder{})
	delete(hs, "GetIdentity")
	awsquery.New(demoModel(), hs, demoConfig())
	t.Error("New did not panic")
}

// The generated STS model answers GetCallerIdentity as STS does.
func TestSTSModel(t *testing.T) {
	handlers := map[string]model.Handler{
		"GetCallerIdentity": func(_ context.Context, call *protocol.Call, in any) (any, error) {
			if _, ok := in.(*sts.GetCallerIdentityRequest); !ok {
				t.Errorf("input %T", in)
			}
			return &sts.GetCallerIdentityResponse{Account: new(call.Account), Arn: new("arn:aws:iam::" + call.Account + ":user/alice"), UserId: new("AIDAEXAMPLE")}, nil
		},
		"AssumeRole": func(context.Context, *protocol.Call, any) (any, error) {
			return nil, errors.New("not called")
		},
	}
	s := awsquery.New(sts.Model(), handlers, demoConfig())
	r := httptest.NewRequest("POST", "/", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
	r = r.WithContext(protocol.WithCall(r.Context(), &protocol.Call{RequestID: "req-1", Account: "111111111111"}))
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	want := xml.Header + `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
		`<Account>111111111111</Account><Arn>arn:aws:iam::111111111111:user/alice</Arn><UserId>AIDAEXAMPLE</UserId></GetCallerIdentityResult>` +
		`<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`
	checkAnswer(t, w, 200, "", want)

	w = httptest.NewRecorder()
	r = httptest.NewRequest("POST", "/", strings.NewReader("Action=GetSessionToken&Version=2011-06-15"))
	r = r.WithContext(protocol.WithCall(r.Context(), &protocol.Call{RequestID: "req-1"}))
	s.ServeHTTP(w, r)
	checkAnswer(t, w, 400, "InvalidAction", xml.Header+`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>`+
		`<Code>InvalidAction</Code><Message>Could not find operation GetSessionToken for version 2011-06-15: localsec&#39;s STS serves AssumeRole, GetCallerIdentity.</Message>`+
		`</Error><RequestId>req-1</RequestId></ErrorResponse>`)
}
