package model_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"reflect"
	"regexp"
	"testing"
	"time"

	guardduty "github.com/localsec/localsec/internal/api/guardduty"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/model"
)

// The test model: one input structure with a member of every type and
// constraint Bind checks, nested lists, maps and structures. Field i of
// bindInput is Members[i] of shInput.

type account struct {
	AccountId *string
	Email     *string
	At        *time.Time
}

type bindInput struct {
	Id       *string
	Name     *string
	Count    *int32
	Big      *int64
	Ratio    *float64
	Enabled  *bool
	Status   *string
	When     *time.Time
	At       *time.Time
	Data     []byte
	Ids      []string
	Tags     map[string]string
	Account  *account
	Accounts []account
	ById     map[string]account
	Matrix   [][]int64
	Key      *string
}

var (
	shString  = &model.Shape{Name: "__string", Type: model.String}
	shName    = &model.Shape{Name: "Name", Type: model.String, Min: model.Limit(1), Max: model.Limit(5)}
	shCount   = &model.Shape{Name: "MaxResults", Type: model.Integer, Min: model.Limit(1), Max: model.Limit(25)}
	shLong    = &model.Shape{Name: "__long", Type: model.Long}
	shRatio   = &model.Shape{Name: "Ratio", Type: model.Double, Min: model.Limit(0), Max: model.Limit(1)}
	shBool    = &model.Shape{Name: "__boolean", Type: model.Boolean}
	shStatus  = &model.Shape{Name: "Status", Type: model.String, Enum: []string{"ENABLED", "PAUSED"}}
	shTime    = &model.Shape{Name: "__timestamp", Type: model.Timestamp}
	shISO     = &model.Shape{Name: "__timestampIso8601", Type: model.Timestamp, TimestampFormat: model.ISO8601}
	shBlob    = &model.Shape{Name: "Blob", Type: model.Blob, Max: model.Limit(4)}
	shTagKey  = &model.Shape{Name: "TagKey", Type: model.String, Min: model.Limit(1), Max: model.Limit(10), Pattern: model.NewPattern("(?!aws:)[a-zA-Z:]+", "aws:", regexp.MustCompile(`^(?:[a-zA-Z:]+)$`))}
	shTagVal  = &model.Shape{Name: "TagValue", Type: model.String, Max: model.Limit(4)}
	shTagMap  = &model.Shape{Name: "TagMap", Type: model.Map, Key: shTagKey, Elem: shTagVal, Min: model.Limit(1), Max: model.Limit(3)}
	shIds     = &model.Shape{Name: "IdList", Type: model.List, Elem: shName, Min: model.Limit(1), Max: model.Limit(3)}
	shAccount = &model.Shape{Name: "AccountDetail", Type: model.Structure}
	shAccts   = &model.Shape{Name: "AccountList", Type: model.List, Elem: shAccount}
	shAcctMap = &model.Shape{Name: "AccountMap", Type: model.Map, Key: shString, Elem: shAccount}
	shRow     = &model.Shape{Name: "Row", Type: model.List, Elem: shLong, Max: model.Limit(2)}
	shMatrix  = &model.Shape{Name: "Matrix", Type: model.List, Elem: shRow}
	shInput   = &model.Shape{Name: "BindInput", Type: model.Structure}
)

func init() {
	shAccount.Members = []model.Member{
		{Name: "accountId", WireName: "accountId", Shape: shString, Required: true},
		{Name: "email", WireName: "email", Shape: shString, Required: true},
		{Name: "at", WireName: "at", Shape: shTime},
	}
	shInput.Members = []model.Member{
		{Name: "id", WireName: "id", Shape: shString, Required: true},
		{Name: "name", WireName: "name", Shape: shName},
		{Name: "count", WireName: "count", Shape: shCount},
		{Name: "big", WireName: "big", Shape: shLong},
		{Name: "ratio", WireName: "ratio", Shape: shRatio},
		{Name: "enabled", WireName: "enabled", Shape: shBool},
		{Name: "status", WireName: "status", Shape: shStatus},
		{Name: "when", WireName: "when", Shape: shTime},
		{Name: "at", WireName: "at", Shape: shISO},
		{Name: "data", WireName: "data", Shape: shBlob},
		{Name: "ids", WireName: "ids", Shape: shIds},
		{Name: "tags", WireName: "tags", Shape: shTagMap},
		{Name: "account", WireName: "account", Shape: shAccount},
		{Name: "accounts", WireName: "accounts", Shape: shAccts},
		{Name: "byId", WireName: "byId", Shape: shAcctMap},
		{Name: "matrix", WireName: "matrix", Shape: shMatrix},
		{Name: "key", WireName: "key", Shape: shTagKey},
	}
}

// decodeObject decodes body as the protocol layers do (UseNumber, one
// object, nothing after it).
func decodeObject(body []byte) (map[string]any, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	return obj, true
}

// fromObject is the value function of a JSON body.
func fromObject(obj map[string]any) func(m *model.Member) (any, bool) {
	return func(m *model.Member) (any, bool) {
		v, ok := obj[m.WireName]
		return v, ok
	}
}

// bindJSON binds the JSON object body to dst with s.
func bindJSON(t testing.TB, s *model.Shape, body string, dst any) error {
	t.Helper()
	obj, ok := decodeObject([]byte(body))
	if !ok {
		t.Fatalf("test body %s is not a JSON object", body)
	}
	return model.Bind(s, dst, fromObject(obj))
}

func TestTypeString(t *testing.T) {
	tests := []struct {
		typ  model.Type
		want string
	}{
		{model.Structure, "structure"}, {model.List, "list"}, {model.Map, "map"}, {model.String, "string"},
		{model.Boolean, "boolean"}, {model.Integer, "integer"}, {model.Long, "long"}, {model.Float, "float"},
		{model.Double, "double"}, {model.Timestamp, "timestamp"}, {model.Blob, "blob"},
		{model.Type(0), "unknown"}, {model.Type(12), "unknown"}, {model.Type(255), "unknown"},
	}
	for _, tt := range tests {
		if got := tt.typ.String(); got != tt.want {
			t.Errorf("Type(%d).String() = %q, want %q", tt.typ, got, tt.want)
		}
	}
}

func TestLocationString(t *testing.T) {
	tests := []struct {
		loc  model.Location
		want string
	}{
		{model.Body, "body"}, {model.URI, "uri"}, {model.QueryString, "querystring"},
		{model.Header, "header"}, {model.StatusCode, "statusCode"}, {model.Location(99), "body"},
	}
	for _, tt := range tests {
		if got := tt.loc.String(); got != tt.want {
			t.Errorf("Location(%d).String() = %q, want %q", tt.loc, got, tt.want)
		}
	}
}

func TestMemberFormat(t *testing.T) {
	tests := []struct {
		name   string
		member model.TimestampFormat
		shape  model.TimestampFormat
		def    model.TimestampFormat
		want   model.TimestampFormat
	}{
		{"default", model.DefaultFormat, model.DefaultFormat, model.UnixTimestamp, model.UnixTimestamp},
		{"default stays default", model.DefaultFormat, model.DefaultFormat, model.DefaultFormat, model.DefaultFormat},
		{"shape's", model.DefaultFormat, model.ISO8601, model.UnixTimestamp, model.ISO8601},
		{"member's over shape's", model.HTTPDate, model.ISO8601, model.UnixTimestamp, model.HTTPDate},
		{"member's over default", model.UnixTimestamp, model.DefaultFormat, model.ISO8601, model.UnixTimestamp},
	}
	for _, tt := range tests {
		m := model.Member{Name: "t", Shape: &model.Shape{Type: model.Timestamp, TimestampFormat: tt.shape}, TimestampFormat: tt.member}
		if got := m.Format(tt.def); got != tt.want {
			t.Errorf("%s: Format = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestShapeMember(t *testing.T) {
	if m := shInput.Member("count"); m != &shInput.Members[2] {
		t.Errorf("Member(count) = %p, want &Members[2] %p", m, &shInput.Members[2])
	}
	for _, name := range []string{"Count", "COUNT", "", "nope"} {
		if m := shInput.Member(name); m != nil {
			t.Errorf("Member(%q) = %+v, want nil (names are exact)", name, m)
		}
	}
	if m := shString.Member("x"); m != nil {
		t.Errorf("a string shape has member %+v", m)
	}
}

func TestServiceLookups(t *testing.T) {
	notFound := &model.Shape{Name: "ResourceNotFoundException", Type: model.Structure, Error: &model.ErrorInfo{Status: 404, Sender: true}}
	plain := &model.Shape{Name: "Plain", Type: model.Structure}
	a := &model.Operation{Name: "A", Served: true}
	b := &model.Operation{Name: "B"}
	c := &model.Operation{Name: "C", Served: true}
	svc := &model.Service{Name: "demo", Operations: []*model.Operation{a, b, c},
		Errors: map[string]*model.Shape{"ResourceNotFoundException": notFound, "Plain": plain}}

	if svc.Operation("B") != b || svc.Operation("C") != c {
		t.Error("Operation does not return the operation of the name")
	}
	if svc.Operation("a") != nil || svc.Operation("") != nil {
		t.Error("Operation matched a name that is not exact")
	}
	served := svc.Served()
	if len(served) != 2 || served[0] != a || served[1] != c {
		t.Errorf("Served = %v, want [A C] in model order", served)
	}
	if got := (&model.Service{}).Served(); got != nil {
		t.Errorf("Served of an empty service = %v", got)
	}
	if got := svc.ServedNames(); !reflect.DeepEqual(got, []string{"A", "C"}) {
		t.Errorf("ServedNames = %v, want [A C]", got)
	}
	if got := (&model.Service{}).ServedNames(); len(got) != 0 {
		t.Errorf("ServedNames of an empty service = %v", got)
	}
	h := func(context.Context, *protocol.Call, any) (any, error) { return nil, nil }
	for _, tt := range []struct {
		handlers map[string]model.Handler
		want     string
	}{
		{map[string]model.Handler{"A": h, "C": h}, ""},
		{map[string]model.Handler{"A": h, "B": h, "C": h, "D": h}, ""}, // extra handlers are fine
		{map[string]model.Handler{"A": h}, "C"},
		{map[string]model.Handler{"C": h, "B": h}, "A"},
		{map[string]model.Handler{"A": h, "C": nil}, "C"},
		{nil, "A"},
	} {
		if got := svc.MissingHandler(tt.handlers); got != tt.want {
			t.Errorf("MissingHandler(%v) = %q, want %q", tt.handlers, got, tt.want)
		}
	}
	for _, tt := range []struct {
		name string
		want int
	}{{"ResourceNotFoundException", 404}, {"Plain", 500}, {"Missing", 500}} {
		if got := svc.ErrorStatus(tt.name); got != tt.want {
			t.Errorf("ErrorStatus(%s) = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestLimit(t *testing.T) {
	if got := model.Limit(0); got != (model.Bound{Set: true, Value: 0}) {
		t.Errorf("Limit(0) = %+v, want a set bound of 0", got)
	}
	if (model.Bound{}).Set {
		t.Error("the zero Bound is set")
	}
}

func TestPatternMatch(t *testing.T) {
	anchored := regexp.MustCompile(`^(?:[a-z]+)$`)
	tests := []struct {
		name string
		p    *model.Pattern
		in   string
		want bool
	}{
		{"match", model.NewPattern("[a-z]+", "", anchored), "abc", true},
		{"anchored at the end", model.NewPattern("[a-z]+", "", anchored), "abc1", false},
		{"anchored at the start", model.NewPattern("[a-z]+", "", anchored), "1abc", false},
		{"empty", model.NewPattern("[a-z]+", "", anchored), "", false},
		{"not prefix", model.NewPattern("(?!aws:)[a-z:]+", "aws:", regexp.MustCompile(`^(?:[a-z:]+)$`)), "aws:x", false},
		{"not prefix exact", model.NewPattern("(?!aws:)[a-z:]+", "aws:", regexp.MustCompile(`^(?:[a-z:]+)$`)), "aws:", false},
		{"prefix elsewhere", model.NewPattern("(?!aws:)[a-z:]+", "aws:", regexp.MustCompile(`^(?:[a-z:]+)$`)), "x:aws:", true},
		{"prefix is case-sensitive", model.NewPattern("(?!aws:)[a-zA-Z:]+", "aws:", regexp.MustCompile(`^(?:[a-zA-Z:]+)$`)), "AWS:x", true},
		{"shorter than the prefix", model.NewPattern("(?!aws:)[a-z:]+", "aws:", regexp.MustCompile(`^(?:[a-z:]+)$`)), "aws", true},
		{"no regexp", model.NewPattern(".*", "", nil), "anything", true},
		{"no regexp, not prefix", model.NewPattern("(?!x).*", "x", nil), "xy", false},
	}
	for _, tt := range tests {
		if got := tt.p.Match(tt.in); got != tt.want {
			t.Errorf("%s: Match(%q) = %v, want %v", tt.name, tt.in, got, tt.want)
		}
	}
	p := model.NewPattern("src", "np", nil)
	if p.Source != "src" || p.NotPrefix != "np" {
		t.Errorf("NewPattern = %+v", p)
	}
}

// The generated GuardDuty model keeps TagKey's (?!aws:) lookahead as a
// NotPrefix: Bind refuses an aws: key with the model's own pattern text.
func TestGeneratedNotPrefixPattern(t *testing.T) {
	op := guardduty.Model().Operation("TagResource")
	if op == nil || op.Input == nil {
		t.Fatal("GuardDuty's model has no served TagResource")
	}
	// Member takes the model's name, not the wire name.
	if op.Input.Member("tags") != nil {
		t.Error(`Member("tags") found a member by its wire name`)
	}
	tags := op.Input.Member("Tags")
	if tags == nil || tags.WireName != "tags" || tags.Shape.Key == nil || tags.Shape.Key.Pattern == nil {
		t.Fatalf("TagResource's tags member has no key pattern: %+v", tags)
	}
	key := tags.Shape.Key.Pattern
	if key.NotPrefix != "aws:" {
		t.Errorf("TagKey NotPrefix = %q, want aws:", key.NotPrefix)
	}
	for in, want := range map[string]bool{"aws:x": false, "team": true, "a:b/c": true, "with space": false} {
		if got := key.Match(in); got != want {
			t.Errorf("TagKey.Match(%q) = %v, want %v", in, got, want)
		}
	}
}
