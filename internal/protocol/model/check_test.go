package model_test

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/localsec/localsec/internal/protocol/model"
)

var (
	shItem = &model.Shape{Name: "Item", Type: model.Structure, Members: []model.Member{
		{Name: "name", WireName: "name", Shape: shString, Required: true},
		{Name: "size", WireName: "size", Shape: shLong},
	}}
	shAnswer = &model.Shape{Name: "Answer", Type: model.Structure, Members: []model.Member{
		{Name: "id", WireName: "id", Shape: shString, Required: true},
		{Name: "status", WireName: "status", Shape: shStatus},
		{Name: "count", WireName: "count", Shape: &model.Shape{Name: "Count", Type: model.Integer, Min: model.Limit(0), Max: model.Limit(10)}},
		{Name: "ratio", WireName: "ratio", Shape: &model.Shape{Name: "__double", Type: model.Double}},
		{Name: "ok", WireName: "ok", Shape: shBool},
		{Name: "createdAt", WireName: "createdAt", Shape: shISO},
		{Name: "updatedAt", WireName: "updatedAt", Shape: shTime},
		{Name: "seenAt", WireName: "seenAt", Shape: shTime, TimestampFormat: model.HTTPDate},
		{Name: "data", WireName: "data", Shape: shBlob},
		{Name: "tags", WireName: "tags", Shape: shTagMap},
		{Name: "items", WireName: "items", Shape: &model.Shape{Name: "ItemList", Type: model.List, Elem: shItem, Max: model.Limit(2)}},
		{Name: "label", WireName: "label", Shape: &model.Shape{Name: "Label", Type: model.String, Min: model.Limit(1), Max: model.Limit(3),
			Pattern: model.NewPattern("[a-zé]+", "", regexp.MustCompile(`^(?:[a-zé]+)$`))}},
		{Name: "requestId", WireName: "X-Request-Id", Shape: shString, Location: model.Header},
	}}
)

func TestCheckJSON(t *testing.T) {
	type p = model.Problem
	const faithful = `{"id":"x","status":"ENABLED","count":10,"ratio":-1.5e3,"ok":false,"createdAt":"2024-05-01T12:34:56.789Z",
		"updatedAt":1714566896.789,"seenAt":"Wed, 01 May 2024 12:34:56 GMT","data":"AQID","tags":{"k":"v"},
		"items":[{"name":"a","size":1},{"name":"b"}],"label":"héé"}`
	tests := []struct {
		name  string
		body  string
		def   model.TimestampFormat
		allow []model.Allowance
		want  []p
	}{
		{name: "faithful", body: faithful, def: model.UnixTimestamp},
		{name: "only the required member", body: ` {"id":""} `, def: model.UnixTimestamp},
		{name: "integers may be written with a zero fraction", body: `{"id":"x","count":2.0,"items":[{"name":"a","size":1e3}]}`},
		{name: "timestamp offsets", body: `{"id":"x","createdAt":"2024-05-01T12:34:56+02:00"}`},
		{name: "required member missing", body: `{}`, want: []p{{Path: "id", Constraint: model.Required, Text: "required member missing"}}},
		{name: "null member", body: `{"id":null,"status":null}`, want: []p{
			{Path: "id", Text: "null instead of an absent member"},
			{Path: "id", Constraint: model.Required, Text: "required member missing"},
			{Path: "status", Text: "null instead of an absent member"}}},
		{name: "unknown members, sorted", body: `{"id":"x","zeta":1,"Id":"y"}`, want: []p{
			{Path: "Id", Text: "member not in shape Answer"},
			{Path: "zeta", Text: "member not in shape Answer"}}},
		{name: "a header member in the body", body: `{"id":"x","X-Request-Id":"r"}`, want: []p{
			{Path: "X-Request-Id", Text: "member not in shape Answer"}}},
		{name: "nested unknown and missing members", body: `{"id":"x","items":[{"size":1,"extra":true}]}`, want: []p{
			{Path: "items[0].name", Constraint: model.Required, Text: "required member missing"},
			{Path: "items[0].extra", Text: "member not in shape Item"}}},
		{name: "string of the wrong type", body: `{"id":5}`, want: []p{{Path: "id", Text: "want a string, got number 5"}}},
		{name: "enum", body: `{"id":"x","status":"enabled"}`, want: []p{{Path: "status", Constraint: model.Enum, Text: `"enabled" is not a value of Status`}}},
		{name: "integer over max", body: `{"id":"x","count":11}`, want: []p{{Path: "count", Constraint: model.MaxValue, Text: "11 is above 10"}}},
		{name: "integer under min", body: `{"id":"x","count":-1}`, want: []p{{Path: "count", Constraint: model.MinValue, Text: "-1 is below 0"}}},
		{name: "integer with a fraction", body: `{"id":"x","count":1.5}`, want: []p{{Path: "count", Text: "want integer, got 1.5"}}},
		{name: "long with a fraction", body: `{"id":"x","items":[{"name":"a","size":0.5}]}`, want: []p{{Path: "items[0].size", Text: "want long, got 0.5"}}},
		{name: "number as a string", body: `{"id":"x","count":"1"}`, want: []p{{Path: "count", Text: "want a number, got string"}}},
		{name: "double as a boolean", body: `{"id":"x","ratio":true}`, want: []p{{Path: "ratio", Text: "want a number, got boolean"}}},
		{name: "boolean as a string", body: `{"id":"x","ok":"true"}`, want: []p{{Path: "ok", Text: "want a boolean, got string"}}},
		{name: "ISO 8601 as epoch seconds", body: `{"id":"x","createdAt":1714566896}`, want: []p{
			{Path: "createdAt", Text: "want an ISO 8601 timestamp, got 1714566896"}}},
		{name: "ISO 8601 without a T", body: `{"id":"x","createdAt":"2024-05-01 12:34:56Z"}`, want: []p{
			{Path: "createdAt", Text: "want an ISO 8601 timestamp, got 2024-05-01 12:34:56Z"}}},
		{name: "ISO 8601 without a zone", body: `{"id":"x","createdAt":"2024-05-01T12:34:56"}`, want: []p{
			{Path: "createdAt", Text: "want an ISO 8601 timestamp, got 2024-05-01T12:34:56"}}},
		{name: "default timestamp as text under epoch seconds", body: `{"id":"x","updatedAt":"2024-05-01T12:34:56.789Z"}`, def: model.UnixTimestamp,
			want: []p{{Path: "updatedAt", Text: "want epoch seconds (a number), got 2024-05-01T12:34:56.789Z"}}},
		{name: "default timestamp as text under ISO 8601", body: `{"id":"x","updatedAt":"2024-05-01T12:34:56.789Z"}`, def: model.ISO8601},
		{name: "default timestamp as a number under ISO 8601", body: `{"id":"x","updatedAt":1}`, def: model.ISO8601,
			want: []p{{Path: "updatedAt", Text: "want an ISO 8601 timestamp, got 1"}}},
		{name: "HTTP date as a number", body: `{"id":"x","seenAt":5}`, want: []p{{Path: "seenAt", Text: "want an HTTP date, got 5"}}},
		{name: "blob as a number", body: `{"id":"x","data":5}`, want: []p{{Path: "data", Text: "want base64 text, got number 5"}}},
		{name: "empty map under min", body: `{"id":"x","tags":{}}`, want: []p{
			{Path: "tags", Constraint: model.MinLength, Text: "length 0 is below 1 (TagMap)"}}},
		{name: "map key pattern", body: `{"id":"x","tags":{"aws:x":"v"}}`, want: []p{
			{Path: "tags[aws:x]", Constraint: model.PatternMatch, Text: `"aws:x" does not match (?!aws:)[a-zA-Z:]+`}}},
		{name: "map value", body: `{"id":"x","tags":{"k":1,"l":"toolong"}}`, want: []p{
			{Path: "tags[k]", Text: "want a string, got number 1"},
			{Path: "tags[l]", Constraint: model.MaxLength, Text: "length 7 is above 4 (TagValue)"}}},
		{name: "map as an array", body: `{"id":"x","tags":[]}`, want: []p{{Path: "tags", Text: "want an object, got array"}}},
		{name: "list over max", body: `{"id":"x","items":[{"name":"a"},{"name":"b"},{"name":"c"}]}`, want: []p{
			{Path: "items", Constraint: model.MaxLength, Text: "length 3 is above 2 (ItemList)"}}},
		{name: "list as a string", body: `{"id":"x","items":"x"}`, want: []p{{Path: "items", Text: "want an array, got string"}}},
		{name: "structure as a string", body: `{"id":"x","items":["x"]}`, want: []p{{Path: "items[0]", Text: "want an object, got string"}}},
		{name: "string length and pattern", body: `{"id":"x","label":""}`, want: []p{
			{Path: "label", Constraint: model.MinLength, Text: "length 0 is below 1 (Label)"},
			{Path: "label", Constraint: model.PatternMatch, Text: `"" does not match [a-zé]+`}}},
		{name: "string length in characters", body: `{"id":"x","label":"éééé"}`, want: []p{
			{Path: "label", Constraint: model.MaxLength, Text: "length 4 is above 3 (Label)"}}},
		{name: "problems in member order, then unknown members", body: `{"zz":0,"label":"A","count":99}`, want: []p{
			{Path: "id", Constraint: model.Required, Text: "required member missing"},
			{Path: "count", Constraint: model.MaxValue, Text: "99 is above 10"},
			{Path: "label", Constraint: model.PatternMatch, Text: `"A" does not match [a-zé]+`},
			{Path: "zz", Text: "member not in shape Answer"}}},
		{name: "allowance for the shape's constraint", body: `{"id":"x","tags":{}}`,
			allow: []model.Allowance{{Shape: "TagMap", Constraint: model.MinLength}}},
		{name: "allowance for another constraint", body: `{"id":"x","tags":{}}`,
			allow: []model.Allowance{{Shape: "TagMap", Constraint: model.MaxLength}},
			want:  []p{{Path: "tags", Constraint: model.MinLength, Text: "length 0 is below 1 (TagMap)"}}},
		{name: "allowance for another shape", body: `{"id":"x","tags":{}}`,
			allow: []model.Allowance{{Shape: "ItemList", Constraint: model.MinLength}},
			want:  []p{{Path: "tags", Constraint: model.MinLength, Text: "length 0 is below 1 (TagMap)"}}},
		{name: "allowances for enum, pattern and value", body: `{"id":"x","status":"NEW","tags":{"aws:x":"v"},"count":11}`,
			allow: []model.Allowance{{Shape: "Status", Constraint: model.Enum}, {Shape: "TagKey", Constraint: model.PatternMatch},
				{Shape: "Count", Constraint: model.MaxValue}}},
		{name: "not JSON", body: `{"id":`, want: []p{{Text: "not JSON: unexpected EOF"}}},
		{name: "empty", body: ``, want: []p{{Text: "not JSON: EOF"}}},
		{name: "an array", body: `[]`, want: []p{{Text: "not a JSON object"}}},
		{name: "null", body: `null`, want: []p{{Text: "not a JSON object"}}},
		{name: "two objects", body: `{"id":"x"}{}`, want: []p{{Text: "more than one JSON value"}}},
		{name: "trailing garbage", body: `{"id":"x"} x`, want: []p{{Text: "more than one JSON value"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := model.CheckJSON(shAnswer, []byte(tt.body), tt.def, tt.allow...)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("CheckJSON(%s) =\n%q\nwant\n%q", tt.body, got, tt.want)
			}
		})
	}
}

var testTime = time.Date(2024, 5, 1, 12, 34, 56, 789_000_000, time.UTC)

// What AppendJSON writes, CheckJSON accepts.
func TestCheckJSONOfAppendJSON(t *testing.T) {
	full := &output{Name: new("n"), Count: new(int32(3)), Ratio: new(0.5), Ok: new(true), CreatedAt: new(testTime),
		UpdatedAt: new(testTime), SeenAt: new(testTime), EpochAt: new(testTime), Data: []byte{1}, Ids: []string{"a"},
		Tags: map[string]string{"k": "v"}, Detail: &detail{At: new(testTime)}, Details: []detail{{}}, Times: []time.Time{testTime},
		RequestId: new("r")}
	for _, def := range []model.TimestampFormat{model.UnixTimestamp, model.ISO8601} {
		b, err := model.AppendJSON(nil, shOutput, full, def)
		if err != nil {
			t.Fatal(err)
		}
		if problems := model.CheckJSON(shOutput, b, def); len(problems) != 0 {
			t.Errorf("CheckJSON(%s) = %v", b, problems)
		}
	}
}

func TestProblemString(t *testing.T) {
	p := model.Problem{Path: "tags", Constraint: model.MinLength, Text: "length 0 is below 1 (TagMap)"}
	if got := p.String(); got != "tags: length 0 is below 1 (TagMap)" {
		t.Errorf("String() = %q", got)
	}
	if got := (model.Problem{Text: "not a JSON object"}).String(); !strings.HasSuffix(got, "not a JSON object") {
		t.Errorf("String() = %q", got)
	}
}
