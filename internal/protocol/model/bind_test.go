package model_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	macie2 "github.com/localsec/localsec/internal/api/macie2"
	"github.com/localsec/localsec/internal/protocol/model"
)

func inputError(t testing.TB, err error) *model.InputError {
	t.Helper()
	var in *model.InputError
	if !errors.As(err, &in) {
		t.Fatalf("error = %T %v, want a *model.InputError", err, err)
	}
	return in
}

func TestBindValues(t *testing.T) {
	at := time.Date(2024, 5, 1, 12, 34, 56, 789_000_000, time.UTC)
	tests := []struct {
		name string
		body string
		want bindInput
	}{
		{"only the required member", `{"id":"i-1"}`, bindInput{Id: new("i-1")}},
		{"every member", `{"id":"i-1","name":"héllo","count":25,"big":9223372036854775807,"ratio":0.5,"enabled":false,
			"status":"PAUSED","when":1714566896.789,"at":"2024-05-01T12:34:56.789Z","data":"AQID","ids":["a","bb"],
			"tags":{"k":"v","K:x":""},"account":{"accountId":"1","email":"e","at":1714566896.789},
			"accounts":[{"accountId":"2","email":"f"},{"accountId":"3","email":"g"}],
			"byId":{"x":{"accountId":"4","email":"h"}},"matrix":[[1,2],[],[-3]],"key":"ok:Key"}`,
			bindInput{Id: new("i-1"), Name: new("héllo"), Count: new(int32(25)), Big: new(int64(9223372036854775807)),
				Ratio: new(0.5), Enabled: new(false), Status: new("PAUSED"), When: new(at), At: new(at),
				Data: []byte{1, 2, 3}, Ids: []string{"a", "bb"}, Tags: map[string]string{"k": "v", "K:x": ""},
				Account:  &account{AccountId: new("1"), Email: new("e"), At: new(at)},
				Accounts: []account{{AccountId: new("2"), Email: new("f")}, {AccountId: new("3"), Email: new("g")}},
				ById:     map[string]account{"x": {AccountId: new("4"), Email: new("h")}},
				Matrix:   [][]int64{{1, 2}, {}, {-3}}, Key: new("ok:Key")}},
		{"bounds are inclusive", `{"id":"","name":"a","count":1,"ratio":0,"ids":["a","b","c"],"data":"AQIDBA==","tags":{"a":"1234","b":"","c":""}}`,
			bindInput{Id: new(""), Name: new("a"), Count: new(int32(1)), Ratio: new(0.0), Ids: []string{"a", "b", "c"},
				Data: []byte{1, 2, 3, 4}, Tags: map[string]string{"a": "1234", "b": "", "c": ""}}},
		{"lengths count characters, not bytes", `{"id":"x","name":"ééééé","tags":{"k":"€€€€"}}`,
			bindInput{Id: new("x"), Name: new("ééééé"), Tags: map[string]string{"k": "€€€€"}}},
		{"int64 extremes", `{"id":"x","big":-9223372036854775808,"count":25}`,
			bindInput{Id: new("x"), Big: new(int64(-9223372036854775808)), Count: new(int32(25))}},
		{"null members are absent", `{"id":"x","name":null,"ids":null,"account":null,"tags":null}`, bindInput{Id: new("x")}},
		{"unknown members are ignored", `{"id":"x","unknown":[1,{"y":null}],"Name":5,"COUNT":"z"}`, bindInput{Id: new("x")}},
		{"member names are case-sensitive", `{"ID":"a","id":"b","Name":"x","ACCOUNT":{},"account":{"AccountId":"1","accountId":"2","email":"e"}}`,
			bindInput{Id: new("b"), Account: &account{AccountId: new("2"), Email: new("e")}}},
		{"empty list, map and blob are present", `{"id":"x","matrix":[],"byId":{},"accounts":[],"data":""}`,
			bindInput{Id: new("x"), Matrix: [][]int64{}, ById: map[string]account{}, Accounts: []account{}, Data: []byte{}}},
		{"an empty structure is present", `{"id":"x","byId":{"k":{"accountId":"","email":""}}}`,
			bindInput{Id: new("x"), ById: map[string]account{"k": {AccountId: new(""), Email: new("")}}}},
		{"duplicate keys: the last wins", `{"id":"a","id":"b"}`, bindInput{Id: new("b")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got bindInput
			if err := bindJSON(t, shInput, tt.body, &got); err != nil {
				t.Fatalf("Bind: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Bind =\n%s\nwant\n%s", dump(got), dump(tt.want))
			}
		})
	}
}

// dump renders v with its pointers followed.
func dump(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestBindViolations(t *testing.T) {
	type v = model.Violation
	status := []string{"ENABLED", "PAUSED"}
	tests := []struct {
		name    string
		body    string
		want    []v
		message string
	}{
		{"required member missing", `{}`,
			[]v{{Path: "id", Constraint: model.Required}},
			"1 validation error detected: Value null at 'id' failed to satisfy constraint: Member must not be null"},
		{"required member null", `{"id":null}`,
			[]v{{Path: "id", Constraint: model.Required}}, ""},
		{"required member in another case", `{"Id":"x"}`,
			[]v{{Path: "id", Constraint: model.Required}}, ""},
		{"empty string under min length", `{"id":"x","name":""}`,
			[]v{{Path: "name", Constraint: model.MinLength, Value: "", Limit: 1}},
			"1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"string over max length in characters", `{"id":"x","name":"héllo!"}`,
			[]v{{Path: "name", Constraint: model.MaxLength, Value: "héllo!", Limit: 5}},
			"1 validation error detected: Value 'héllo!' at 'name' failed to satisfy constraint: Member must have length less than or equal to 5"},
		{"integer over max", `{"id":"x","count":26}`,
			[]v{{Path: "count", Constraint: model.MaxValue, Value: "26", Limit: 25}},
			"1 validation error detected: Value '26' at 'count' failed to satisfy constraint: Member must have value less than or equal to 25"},
		{"integer under min", `{"id":"x","count":0}`,
			[]v{{Path: "count", Constraint: model.MinValue, Value: "0", Limit: 1}},
			"1 validation error detected: Value '0' at 'count' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"negative integer", `{"id":"x","count":-5}`,
			[]v{{Path: "count", Constraint: model.MinValue, Value: "-5", Limit: 1}}, ""},
		{"double over max", `{"id":"x","ratio":1.5}`,
			[]v{{Path: "ratio", Constraint: model.MaxValue, Value: "1.5", Limit: 1}}, ""},
		{"double under min", `{"id":"x","ratio":-0.25}`,
			[]v{{Path: "ratio", Constraint: model.MinValue, Value: "-0.25", Limit: 0}},
			"1 validation error detected: Value '-0.25' at 'ratio' failed to satisfy constraint: Member must have value greater than or equal to 0"},
		{"enum", `{"id":"x","status":"enabled"}`,
			[]v{{Path: "status", Constraint: model.Enum, Value: "enabled", Enum: status}},
			"1 validation error detected: Value 'enabled' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, PAUSED]"},
		{"empty enum value", `{"id":"x","status":""}`,
			[]v{{Path: "status", Constraint: model.Enum, Value: "", Enum: status}}, ""},
		{"pattern: refused prefix", `{"id":"x","key":"aws:x"}`,
			[]v{{Path: "key", Constraint: model.PatternMatch, Value: "aws:x", Pattern: "(?!aws:)[a-zA-Z:]+"}},
			"1 validation error detected: Value 'aws:x' at 'key' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!aws:)[a-zA-Z:]+"},
		{"pattern: anchored", `{"id":"x","key":"ab1"}`,
			[]v{{Path: "key", Constraint: model.PatternMatch, Value: "ab1", Pattern: "(?!aws:)[a-zA-Z:]+"}}, ""},
		{"length and pattern of one value", `{"id":"x","key":""}`,
			[]v{{Path: "key", Constraint: model.MinLength, Value: "", Limit: 1},
				{Path: "key", Constraint: model.PatternMatch, Value: "", Pattern: "(?!aws:)[a-zA-Z:]+"}},
			"2 validation errors detected: Value '' at 'key' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '' at 'key' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!aws:)[a-zA-Z:]+"},
		{"blob over max length in bytes", `{"id":"x","data":"AQIDBAU="}`,
			[]v{{Path: "data", Constraint: model.MaxLength, Value: "5", Limit: 4}}, ""},
		{"empty list under min", `{"id":"x","ids":[]}`,
			[]v{{Path: "ids", Constraint: model.MinLength, Value: "0", Limit: 1}},
			"1 validation error detected: Value '0' at 'ids' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"list over max", `{"id":"x","ids":["a","b","c","d"]}`,
			[]v{{Path: "ids", Constraint: model.MaxLength, Value: "4", Limit: 3}}, ""},
		{"list element", `{"id":"x","ids":["a",""]}`,
			[]v{{Path: "ids[1]", Constraint: model.MinLength, Value: "", Limit: 1}},
			"1 validation error detected: Value '' at 'ids[1]' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"empty map under min", `{"id":"x","tags":{}}`,
			[]v{{Path: "tags", Constraint: model.MinLength, Value: "0", Limit: 1}}, ""},
		{"map over max", `{"id":"x","tags":{"a":"","b":"","c":"","d":""}}`,
			[]v{{Path: "tags", Constraint: model.MaxLength, Value: "4", Limit: 3}}, ""},
		{"map key pattern", `{"id":"x","tags":{"aws:k":"v"}}`,
			[]v{{Path: "tags[aws:k]", Constraint: model.PatternMatch, Value: "aws:k", Pattern: "(?!aws:)[a-zA-Z:]+"}}, ""},
		{"map key length", `{"id":"x","tags":{"abcdefghijk":"v"}}`,
			[]v{{Path: "tags[abcdefghijk]", Constraint: model.MaxLength, Value: "abcdefghijk", Limit: 10}}, ""},
		{"map value", `{"id":"x","tags":{"k":"toolong"}}`,
			[]v{{Path: "tags[k]", Constraint: model.MaxLength, Value: "toolong", Limit: 4}},
			"1 validation error detected: Value 'toolong' at 'tags[k]' failed to satisfy constraint: Member must have length less than or equal to 4"},
		{"nested required members", `{"id":"x","account":{}}`,
			[]v{{Path: "account.accountId", Constraint: model.Required}, {Path: "account.email", Constraint: model.Required}},
			"2 validation errors detected: Value null at 'account.accountId' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'account.email' failed to satisfy constraint: Member must not be null"},
		{"required member of a list element", `{"id":"x","accounts":[{"accountId":"1","email":"e"},{"accountId":"2","email":null}]}`,
			[]v{{Path: "accounts[1].email", Constraint: model.Required}}, ""},
		{"required members of map values, keys sorted", `{"id":"x","byId":{"b":{"email":"e"},"a":{"accountId":"1"}}}`,
			[]v{{Path: "byId[a].email", Constraint: model.Required}, {Path: "byId[b].accountId", Constraint: model.Required}}, ""},
		{"list in a list", `{"id":"x","matrix":[[1],[1,2,3]]}`,
			[]v{{Path: "matrix[1]", Constraint: model.MaxLength, Value: "3", Limit: 2}}, ""},
		{"violations in model order", `{"count":26,"name":"","ids":[]}`,
			[]v{{Path: "id", Constraint: model.Required}, {Path: "name", Constraint: model.MinLength, Value: "", Limit: 1},
				{Path: "count", Constraint: model.MaxValue, Value: "26", Limit: 25}, {Path: "ids", Constraint: model.MinLength, Value: "0", Limit: 1}},
			"4 validation errors detected: Value null at 'id' failed to satisfy constraint: Member must not be null; " +
				"Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '26' at 'count' failed to satisfy constraint: Member must have value less than or equal to 25; " +
				"Value '0' at 'ids' failed to satisfy constraint: Member must have length greater than or equal to 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got bindInput
			in := inputError(t, bindJSON(t, shInput, tt.body, &got))
			if in.Kind != model.Invalid {
				t.Fatalf("Kind = %d, want Invalid (%s)", in.Kind, in.Message)
			}
			if !reflect.DeepEqual(in.Violations, tt.want) {
				t.Errorf("Violations =\n%+v\nwant\n%+v", in.Violations, tt.want)
			}
			if tt.message != "" && in.Message != tt.message {
				t.Errorf("Message =\n%s\nwant\n%s", in.Message, tt.message)
			}
			if in.Error() != in.Message {
				t.Errorf("Error() = %q, Message = %q", in.Error(), in.Message)
			}
			if in.Field() != tt.want[0].Field() {
				t.Errorf("Field() = %q, want %q", in.Field(), tt.want[0].Field())
			}
		})
	}
}

func TestBindViolationsAreBounded(t *testing.T) {
	ids := strings.TrimSuffix(strings.Repeat(`"",`, 12), ",")
	var got bindInput
	in := inputError(t, bindJSON(t, shInput, `{"id":"x","ids":[`+ids+`],"key":"1"}`, &got))
	if len(in.Violations) != 10 {
		t.Fatalf("%d violations, want 10: %+v", len(in.Violations), in.Violations)
	}
	if want := (model.Violation{Path: "ids", Constraint: model.MaxLength, Value: "12", Limit: 3}); !reflect.DeepEqual(in.Violations[0], want) {
		t.Errorf("first violation = %+v, want %+v", in.Violations[0], want)
	}
	for i, v := range in.Violations[1:] {
		if want := fmt.Sprintf("ids[%d]", i); v.Path != want || v.Constraint != model.MinLength {
			t.Errorf("violation %d = %+v, want MinLength at %s", i+1, v, want)
		}
	}
	if !strings.HasPrefix(in.Message, "10 validation errors detected: ") || strings.Count(in.Message, "; ") != 9 {
		t.Errorf("Message = %s", in.Message)
	}
	if strings.Contains(in.Message, "'key'") {
		t.Errorf("Message reports more than 10 violations: %s", in.Message)
	}
}

func TestBindWrongType(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		path    string
		message string // "" when only the path is checked
	}{
		{"string is a number", `{"id":5}`, "id", "The value of id must be of type string, not number 5."},
		{"string is a boolean", `{"id":"x","name":true}`, "name", "The value of name must be of type string, not boolean."},
		{"string is an object", `{"id":{}}`, "id", "The value of id must be of type string, not object."},
		{"integer is a string", `{"id":"x","count":"5"}`, "count", "The value of count must be of type integer, not string."},
		{"integer is a fraction", `{"id":"x","count":1.5}`, "count", "The value of count must be of type integer, not number 1.5."},
		{"integer in exponent form", `{"id":"x","count":1e1}`, "count", "The value of count must be of type integer, not number 1e1."},
		{"integer over int32", `{"id":"x","count":2147483648}`, "count", "The value of count must be of type integer, not number 2147483648."},
		{"integer under int32", `{"id":"x","count":-2147483649}`, "count", ""},
		{"long over int64", `{"id":"x","big":9223372036854775808}`, "big", "The value of big must be of type integer, not number 9223372036854775808."},
		{"double is a string", `{"id":"x","ratio":"0.5"}`, "ratio", "The value of ratio must be of type number, not string."},
		{"double out of range", `{"id":"x","ratio":1e400}`, "ratio", "The value of ratio must be of type number, not number 1e400."},
		{"boolean is a string", `{"id":"x","enabled":"true"}`, "enabled", "The value of enabled must be of type boolean, not string."},
		{"boolean is a number", `{"id":"x","enabled":1}`, "enabled", "The value of enabled must be of type boolean, not number 1."},
		{"enum is an array", `{"id":"x","status":["ENABLED"]}`, "status", "The value of status must be of type string, not array."},
		{"timestamp is a boolean", `{"id":"x","when":true}`, "when", "The value of when must be of type timestamp, not boolean."},
		{"timestamp is not a date", `{"id":"x","when":"yesterday"}`, "when", "The value of when must be of type timestamp, not string."},
		{"timestamp too large", `{"id":"x","when":1e13}`, "when", "The value of when must be of type timestamp, not number 1e13."},
		{"timestamp is an object", `{"id":"x","at":{}}`, "at", "The value of at must be of type timestamp, not object."},
		{"blob is not base64", `{"id":"x","data":"***"}`, "data", ""},
		{"blob is a number", `{"id":"x","data":1}`, "data", "The value of data must be of type string, not number 1."},
		{"list is a string", `{"id":"x","ids":"a"}`, "ids", "The value of ids must be of type array, not string."},
		{"list is an object", `{"id":"x","ids":{"0":"a"}}`, "ids", "The value of ids must be of type array, not object."},
		{"null list element", `{"id":"x","ids":[null]}`, "ids[0]", "The value of ids[0] must be of type string, not null."},
		{"list element", `{"id":"x","ids":["a",7]}`, "ids[1]", "The value of ids[1] must be of type string, not number 7."},
		{"map is an array", `{"id":"x","tags":["a"]}`, "tags", "The value of tags must be of type object, not array."},
		{"null map value", `{"id":"x","tags":{"k":null}}`, "tags[k]", "The value of tags[k] must be of type string, not null."},
		{"map value", `{"id":"x","tags":{"k":1}}`, "tags[k]", "The value of tags[k] must be of type string, not number 1."},
		{"structure is a string", `{"id":"x","account":"222222222222"}`, "account", "The value of account must be of type object, not string."},
		{"structure member", `{"id":"x","account":{"accountId":222222222222,"email":"e"}}`, "account.accountId",
			"The value of account.accountId must be of type string, not number 222222222222."},
		{"member of a list element", `{"id":"x","accounts":[{"accountId":"1","email":false}]}`, "accounts[0].email",
			"The value of accounts[0].email must be of type string, not boolean."},
		{"null structure in a list", `{"id":"x","accounts":[null]}`, "accounts[0]", "The value of accounts[0] must be of type object, not null."},
		{"structure in a map", `{"id":"x","byId":{"k":[]}}`, "byId[k]", "The value of byId[k] must be of type object, not array."},
		{"timestamp in a structure", `{"id":"x","byId":{"k":{"accountId":"1","email":"e","at":"soon"}}}`, "byId[k].at", ""},
		{"list in a list", `{"id":"x","matrix":[1]}`, "matrix[0]", "The value of matrix[0] must be of type array, not number 1."},
		{"element of a list in a list", `{"id":"x","matrix":[[1,"2"]]}`, "matrix[0][1]", "The value of matrix[0][1] must be of type integer, not string."},
		// A wrong type ends binding: the violations found before it are
		// not reported.
		{"wrong type wins over violations", `{"count":26,"ratio":"x"}`, "ratio", "The value of ratio must be of type number, not string."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got bindInput
			in := inputError(t, bindJSON(t, shInput, tt.body, &got))
			if in.Kind != model.WrongType {
				t.Fatalf("Kind = %d, want WrongType (%s)", in.Kind, in.Message)
			}
			if in.Path != tt.path {
				t.Errorf("Path = %q, want %q", in.Path, tt.path)
			}
			if len(in.Violations) != 0 {
				t.Errorf("Violations = %+v, want none", in.Violations)
			}
			if tt.message != "" && in.Message != tt.message {
				t.Errorf("Message = %q, want %q", in.Message, tt.message)
			}
			if field := strings.FieldsFunc(tt.path, func(r rune) bool { return r == '.' || r == '[' })[0]; in.Field() != field {
				t.Errorf("Field() = %q, want %q", in.Field(), field)
			}
		})
	}
}

func TestBindTimestamps(t *testing.T) {
	base := time.Date(2024, 5, 1, 12, 34, 56, 0, time.UTC)
	tests := []struct {
		raw  any
		want time.Time
	}{
		{json.Number("1714566896"), base},
		{json.Number("1714566896.789"), base.Add(789 * time.Millisecond)},
		{json.Number("1714566896.7894"), base.Add(789 * time.Millisecond)}, // to the millisecond
		{json.Number("1714566896.7896"), base.Add(790 * time.Millisecond)},
		{json.Number("1.7145668967e9"), base.Add(700 * time.Millisecond)},
		{json.Number("0"), time.Unix(0, 0).UTC()},
		{json.Number("-1.5"), time.Unix(0, 0).Add(-1500 * time.Millisecond).UTC()},
		{json.Number("999999999999"), time.Unix(999999999999, 0).UTC()},
		{"1714566896.789", base.Add(789 * time.Millisecond)}, // epoch seconds as a JSON string
		{"2024-05-01T12:34:56Z", base},
		{"2024-05-01T12:34:56.123456789Z", base.Add(123456789)},
		{"2024-05-01T14:34:56+02:00", base},
		{"2024-05-01T12:34:56+0000", base},
		{"2024-05-01T10:34:56.5-0200", base.Add(500 * time.Millisecond)},
		{"Wed, 01 May 2024 12:34:56 GMT", base},
		{model.Text("1714566896"), base},
		{model.Text("2024-05-01T12:34:56.789Z"), base.Add(789 * time.Millisecond)},
		{model.Text("Wed, 01 May 2024 12:34:56 GMT"), base},
	}
	for _, tt := range tests {
		var got bindInput
		err := model.Bind(shInput, &got, func(m *model.Member) (any, bool) {
			switch m.WireName {
			case "id":
				return "x", true
			case "when", "at":
				return tt.raw, true
			}
			return nil, false
		})
		if err != nil {
			t.Errorf("Bind(%#v): %v", tt.raw, err)
			continue
		}
		for _, ts := range []*time.Time{got.When, got.At} {
			if ts == nil || !ts.Equal(tt.want) || ts.Location() != time.UTC {
				t.Errorf("Bind(%#v) = %v, want %v in UTC", tt.raw, ts, tt.want)
			}
		}
	}
	for _, raw := range []any{json.Number("1e12"), json.Number("-1e12"), json.Number("1e400"), model.Text("1e12"),
		model.Text(""), "", "2024-05-01", "2024-05-01 12:34:56", "12:34:56", json.Number("NaN"), false} {
		var got bindInput
		err := model.Bind(shInput, &got, func(m *model.Member) (any, bool) {
			if m.WireName == "when" {
				return raw, true
			}
			return nil, false
		})
		if in := inputError(t, err); in.Kind != model.WrongType || in.Path != "when" {
			t.Errorf("Bind(%#v) = %+v, want WrongType at when", raw, in)
		}
	}
}

// Text values (labels, query parameters, headers, form fields) are
// converted to their member's type.
func TestBindText(t *testing.T) {
	tests := []struct {
		name   string
		values map[string]any
		want   bindInput
		err    string // the message of the error when one is expected
		kind   model.Kind
	}{
		{name: "every scalar", values: map[string]any{"id": model.Text("a b"), "name": model.Text("n"), "count": model.Text("07"),
			"big": model.Text("-9"), "ratio": model.Text("0.25"), "enabled": model.Text("TRUE"), "status": model.Text("PAUSED"),
			"key": model.Text("k"), "data": model.Text("AQ==")},
			want: bindInput{Id: new("a b"), Name: new("n"), Count: new(int32(7)), Big: new(int64(-9)), Ratio: new(0.25),
				Enabled: new(true), Status: new("PAUSED"), Key: new("k"), Data: []byte{1}}},
		{name: "false in any case", values: map[string]any{"id": model.Text(""), "enabled": model.Text("fAlSe")},
			want: bindInput{Id: new(""), Enabled: new(false)}},
		{name: "a list of text", values: map[string]any{"id": model.Text("x"), "ids": []any{model.Text("a"), model.Text("b")}},
			want: bindInput{Id: new("x"), Ids: []string{"a", "b"}}},
		{name: "an integer over max", values: map[string]any{"id": model.Text("x"), "count": model.Text("26")}, kind: model.Invalid,
			err: "1 validation error detected: Value '26' at 'count' failed to satisfy constraint: Member must have value less than or equal to 25"},
		{name: "an empty string under min", values: map[string]any{"id": model.Text("x"), "name": model.Text("")}, kind: model.Invalid,
			err: "1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{name: "not an integer", values: map[string]any{"id": model.Text("x"), "count": model.Text("abc")}, kind: model.WrongType,
			err: "The value of count must be of type integer, not 'abc'."},
		{name: "an empty integer", values: map[string]any{"id": model.Text("x"), "count": model.Text("")}, kind: model.WrongType,
			err: "The value of count must be of type integer, not ''."},
		{name: "a fraction", values: map[string]any{"id": model.Text("x"), "count": model.Text("1.5")}, kind: model.WrongType,
			err: "The value of count must be of type integer, not '1.5'."},
		{name: "a huge integer", values: map[string]any{"id": model.Text("x"), "count": model.Text("99999999999999999999999")}, kind: model.WrongType,
			err: "The value of count must be of type integer, not '99999999999999999999999'."},
		{name: "not a boolean", values: map[string]any{"id": model.Text("x"), "enabled": model.Text("yes")}, kind: model.WrongType,
			err: "The value of enabled must be of type boolean, not 'yes'."},
		{name: "a boolean as 1", values: map[string]any{"id": model.Text("x"), "enabled": model.Text("1")}, kind: model.WrongType,
			err: "The value of enabled must be of type boolean, not '1'."},
		{name: "NaN", values: map[string]any{"id": model.Text("x"), "ratio": model.Text("NaN")}, kind: model.WrongType,
			err: "The value of ratio must be of type number, not 'NaN'."},
		{name: "infinity", values: map[string]any{"id": model.Text("x"), "ratio": model.Text("+Inf")}, kind: model.WrongType,
			err: "The value of ratio must be of type number, not '+Inf'."},
		{name: "a text element", values: map[string]any{"id": model.Text("x"), "matrix": []any{[]any{model.Text("1"), model.Text("z")}}},
			kind: model.WrongType, err: "The value of matrix[0][1] must be of type integer, not 'z'."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got bindInput
			err := model.Bind(shInput, &got, func(m *model.Member) (any, bool) {
				v, ok := tt.values[m.WireName]
				return v, ok
			})
			if tt.err == "" {
				if err != nil {
					t.Fatalf("Bind: %v", err)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("Bind =\n%s\nwant\n%s", dump(got), dump(tt.want))
				}
				return
			}
			in := inputError(t, err)
			if in.Kind != tt.kind || in.Message != tt.err {
				t.Errorf("error = kind %d %q, want kind %d %q", in.Kind, in.Message, tt.kind, tt.err)
			}
		})
	}
}

// Violations say where their top-level member travels.
func TestBindViolationLocation(t *testing.T) {
	shReq := &model.Shape{Name: "Req", Type: model.Structure, Members: []model.Member{
		{Name: "id", WireName: "id", Shape: shString, Required: true, Location: model.URI},
		{Name: "maxResults", WireName: "maxResults", Shape: shCount, Location: model.QueryString},
		{Name: "token", WireName: "X-Token", Shape: shName, Location: model.Header},
		{Name: "account", WireName: "account", Shape: shAccount},
	}}
	type req struct {
		Id         *string
		MaxResults *int32
		Token      *string
		Account    *account
	}
	values := map[string]any{"maxResults": model.Text("0"), "X-Token": model.Text("toolong"), "account": map[string]any{}}
	var got req
	in := inputError(t, model.Bind(shReq, &got, func(m *model.Member) (any, bool) {
		v, ok := values[m.WireName]
		return v, ok
	}))
	want := []model.Violation{
		{Path: "id", Location: model.URI, Constraint: model.Required},
		{Path: "maxResults", Location: model.QueryString, Constraint: model.MinValue, Value: "0", Limit: 1},
		{Path: "X-Token", Location: model.Header, Constraint: model.MaxLength, Value: "toolong", Limit: 5},
		{Path: "account.accountId", Location: model.Body, Constraint: model.Required},
		{Path: "account.email", Location: model.Body, Constraint: model.Required},
	}
	if !reflect.DeepEqual(in.Violations, want) {
		t.Errorf("Violations =\n%+v\nwant\n%+v", in.Violations, want)
	}
}

// Bind asks for each top-level member once, by member, in model order,
// and leaves absent members alone.
func TestBindAsksForEachMember(t *testing.T) {
	var asked []string
	got := bindInput{Name: new("kept")}
	err := model.Bind(shInput, &got, func(m *model.Member) (any, bool) {
		asked = append(asked, m.WireName)
		if m.WireName == "id" {
			return "x", true
		}
		return nil, false
	})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, m := range shInput.Members {
		want = append(want, m.WireName)
	}
	if !reflect.DeepEqual(asked, want) {
		t.Errorf("asked %v, want %v", asked, want)
	}
	if got.Name == nil || *got.Name != "kept" || *got.Id != "x" {
		t.Errorf("Bind = %s", dump(got))
	}
}

// The generated Macie model gives AWS's own validation text for a
// maxResults query parameter over its bound.
func TestBindGeneratedModel(t *testing.T) {
	op := macie2.Model().Operation("ListMembers")
	in := op.NewInput()
	query := map[string]string{"maxResults": "26", "nextToken": "t"}
	err := model.Bind(op.Input, in, func(m *model.Member) (any, bool) {
		v, ok := query[m.WireName]
		return model.Text(v), ok
	})
	ie := inputError(t, err)
	const want = "1 validation error detected: Value '26' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 25"
	if ie.Message != want {
		t.Errorf("Message = %q, want %q", ie.Message, want)
	}
	if v := ie.First(); v.Location != model.QueryString || v.Field() != "maxResults" {
		t.Errorf("First = %+v", v)
	}

	query["maxResults"] = "25"
	in = op.NewInput()
	if err := model.Bind(op.Input, in, func(m *model.Member) (any, bool) {
		v, ok := query[m.WireName]
		return model.Text(v), ok
	}); err != nil {
		t.Fatal(err)
	}
	want2 := &macie2.ListMembersRequest{MaxResults: new(int32(25)), NextToken: new("t")}
	if !reflect.DeepEqual(in, want2) {
		t.Errorf("Bind = %s, want %s", dump(in), dump(want2))
	}
}

// fuzzShape is bindInput's shape without the constraints that make random
// bodies fail early, so that the fuzzer reaches the nested values.
var fuzzShape = func() *model.Shape {
	str := &model.Shape{Name: "S", Type: model.String}
	key := &model.Shape{Name: "K", Type: model.String, Max: model.Limit(8)}
	acct := &model.Shape{Name: "A", Type: model.Structure}
	acct.Members = []model.Member{
		{Name: "accountId", WireName: "accountId", Shape: str, Required: true},
		{Name: "email", WireName: "email", Shape: str},
		{Name: "at", WireName: "at", Shape: shTime},
	}
	s := &model.Shape{Name: "F", Type: model.Structure}
	s.Members = []model.Member{
		{Name: "id", WireName: "id", Shape: str},
		{Name: "name", WireName: "name", Shape: str},
		{Name: "count", WireName: "count", Shape: shCount},
		{Name: "big", WireName: "big", Shape: shLong},
		{Name: "ratio", WireName: "ratio", Shape: &model.Shape{Name: "D", Type: model.Double}},
		{Name: "enabled", WireName: "enabled", Shape: shBool},
		{Name: "status", WireName: "status", Shape: shStatus},
		{Name: "when", WireName: "when", Shape: shTime},
		{Name: "at", WireName: "at", Shape: shISO},
		{Name: "data", WireName: "data", Shape: &model.Shape{Name: "B", Type: model.Blob}},
		{Name: "ids", WireName: "ids", Shape: &model.Shape{Name: "L", Type: model.List, Elem: str, Max: model.Limit(20)}},
		{Name: "tags", WireName: "tags", Shape: &model.Shape{Name: "M", Type: model.Map, Key: key, Elem: str}},
		{Name: "account", WireName: "account", Shape: acct},
		{Name: "accounts", WireName: "accounts", Shape: &model.Shape{Name: "AL", Type: model.List, Elem: acct}},
		{Name: "byId", WireName: "byId", Shape: &model.Shape{Name: "AM", Type: model.Map, Key: str, Elem: acct}},
		{Name: "matrix", WireName: "matrix", Shape: &model.Shape{Name: "LL", Type: model.List,
			Elem: &model.Shape{Name: "R", Type: model.List, Elem: shLong}}},
		{Name: "key", WireName: "key", Shape: shTagKey},
	}
	return s
}()

// truncateTimes brings every timestamp of v to the millisecond, the
// precision of the JSON answers' timestamps.
func truncateTimes(v *bindInput) {
	tr := func(t *time.Time) {
		if t != nil {
			*t = t.Truncate(time.Millisecond)
		}
	}
	tr(v.When)
	tr(v.At)
	if v.Account != nil {
		tr(v.Account.At)
	}
	for i := range v.Accounts {
		tr(v.Accounts[i].At)
	}
	for k, a := range v.ById {
		tr(a.At)
		v.ById[k] = a
	}
}

// maxFuzzBody bounds fuzzed bodies: large inputs add little here but make
// the fuzzer's minimization of every new interesting input slow, and it
// stops fuzzing meanwhile.
const maxFuzzBody = 1024

// FuzzBind: no JSON body makes Bind panic; every refusal is an InputError
// of a binding kind with a sensible path; and what Bind accepts,
// AppendJSON writes as a body that binds to the same value.
func FuzzBind(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"id":"x"}`, `{"id":5}`, `{"count":26}`, `{"count":"5"}`, `{"ratio":1e308}`, `{"ratio":-0}`,
		`{"when":1714566896.789,"at":"2024-05-01T12:34:56.123456789+02:00"}`, `{"when":"Wed, 01 May 2024 12:34:56 GMT"}`,
		`{"data":"AQID"}`, `{"data":"A"}`, `{"ids":["a",null]}`, `{"tags":{"k":"v","\u2028":"\ud800"}}`,
		`{"account":{"accountId":"1","at":-1.5}}`, `{"accounts":[{"accountId":"1"},{}]}`,
		`{"byId":{"":{"accountId":""}}}`, `{"matrix":[[1,2],[],[9223372036854775807]]}`, `{"key":"aws:x"}`,
		"{\"name\":\"\xff\xfe\"}", `{"status":"PAUSED","enabled":true,"big":-1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > maxFuzzBody {
			return
		}
		obj, ok := decodeObject(body)
		if !ok {
			return
		}
		var v1 bindInput
		err := model.Bind(fuzzShape, &v1, fromObject(obj))
		if err != nil {
			var in *model.InputError
			if !errors.As(err, &in) {
				t.Fatalf("Bind(%s) = %T %v, want an *InputError", body, err, err)
			}
			if in.Message == "" || in.Field() == "" || fuzzShape.Member(in.Field()) == nil {
				t.Fatalf("Bind(%s) = %+v: no message, or no member named", body, in)
			}
			switch in.Kind {
			case model.WrongType:
				if in.Path == "" || len(in.Violations) != 0 {
					t.Fatalf("Bind(%s) = %+v: a WrongType error without a path", body, in)
				}
			case model.Invalid:
				if n := len(in.Violations); n == 0 || n > 10 {
					t.Fatalf("Bind(%s): %d violations", body, n)
				}
				for _, v := range in.Violations {
					if v.Constraint < model.Required || v.Constraint > model.PatternMatch || fuzzShape.Member(v.Field()) == nil {
						t.Fatalf("Bind(%s): violation %+v", body, v)
					}
				}
			default:
				t.Fatalf("Bind(%s) = kind %d, want WrongType or Invalid", body, in.Kind)
			}
			return
		}
		out, err := model.AppendJSON(nil, fuzzShape, &v1, model.UnixTimestamp)
		if err != nil {
			t.Fatalf("AppendJSON of Bind(%s): %v", body, err)
		}
		obj2, ok := decodeObject(out)
		if !ok {
			t.Fatalf("AppendJSON of Bind(%s) = %s, not a JSON object", body, out)
		}
		var v2 bindInput
		if err := model.Bind(fuzzShape, &v2, fromObject(obj2)); err != nil {
			t.Fatalf("Bind(%s) succeeded but its encoding %s does not bind: %v", body, out, err)
		}
		truncateTimes(&v1)
		if !reflect.DeepEqual(v1, v2) {
			t.Fatalf("Bind(%s) =\n%s\nbut its encoding %s binds to\n%s", body, dump(v1), out, dump(v2))
		}
	})
}
