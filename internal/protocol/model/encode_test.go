package model_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/localsec/localsec/internal/protocol/model"
)

type detail struct {
	Name *string
	At   *time.Time
}

// output is the Go struct of shOutput: field i is Members[i].
type output struct {
	Name      *string
	Arn       *string
	Count     *int32
	Big       *int64
	Ratio     *float64
	Ok        *bool
	CreatedAt *time.Time
	UpdatedAt *time.Time
	SeenAt    *time.Time
	EpochAt   *time.Time
	Data      []byte
	Ids       []string
	Tags      map[string]string
	Detail    *detail
	Details   []detail
	ById      map[string]detail
	Times     []time.Time
	RequestId *string
}

var shDetail = &model.Shape{Name: "Detail", Type: model.Structure, Members: []model.Member{
	{Name: "name", WireName: "name", Shape: shString},
	{Name: "at", WireName: "at", Shape: shTime},
}}

// shOutput's members are not in alphabetical order: AppendJSON keeps the
// model's.
var shOutput = &model.Shape{Name: "Output", Type: model.Structure, Members: []model.Member{
	{Name: "name", WireName: "name", Shape: shString},
	{Name: "arn", WireName: "arn", Shape: shString},
	{Name: "count", WireName: "count", Shape: shCount},
	{Name: "big", WireName: "big", Shape: shLong},
	{Name: "ratio", WireName: "ratio", Shape: shRatio},
	{Name: "ok", WireName: "ok", Shape: shBool},
	{Name: "createdAt", WireName: "createdAt", Shape: shTime},
	{Name: "updatedAt", WireName: "updatedAt", Shape: shISO},
	{Name: "seenAt", WireName: "seenAt", Shape: shISO, TimestampFormat: model.HTTPDate},
	{Name: "epochAt", WireName: "epochAt", Shape: shISO, TimestampFormat: model.UnixTimestamp},
	{Name: "data", WireName: "data", Shape: shBlob},
	{Name: "ids", WireName: "ids", Shape: shIds},
	{Name: "tags", WireName: "tags", Shape: shTagMap},
	{Name: "detail", WireName: "detail", Shape: shDetail},
	{Name: "details", WireName: "details", Shape: &model.Shape{Name: "DetailList", Type: model.List, Elem: shDetail}},
	{Name: "byId", WireName: "byId", Shape: &model.Shape{Name: "DetailMap", Type: model.Map, Key: shString, Elem: shDetail}},
	{Name: "times", WireName: "times", Shape: &model.Shape{Name: "TimeList", Type: model.List, Elem: shTime}},
	{Name: "requestId", WireName: "X-Request-Id", Shape: shString, Location: model.Header},
}}

func TestAppendJSON(t *testing.T) {
	at := time.Date(2024, 5, 1, 14, 34, 56, 789_999_999, time.FixedZone("CEST", 2*60*60))
	full := &output{
		Name: new("n"), Arn: new(`arn:aws:x:"q"`), Count: new(int32(-7)), Big: new(int64(math.MaxInt64)), Ratio: new(0.1),
		Ok: new(true), CreatedAt: new(at), UpdatedAt: new(at), SeenAt: new(at), EpochAt: new(at),
		Data: []byte("hi!"), Ids: []string{"a", "b"}, Tags: map[string]string{"b": "2", "a": "1", "B": "0"},
		Detail:    &detail{Name: new("d"), At: new(at)},
		Details:   []detail{{Name: new("x")}, {}},
		ById:      map[string]detail{"k": {At: new(at)}},
		Times:     []time.Time{at, time.Unix(0, 0)},
		RequestId: new("req-1"),
	}
	tests := []struct {
		name string
		v    any
		def  model.TimestampFormat
		want string
	}{
		{"nil pointer", (*output)(nil), model.UnixTimestamp, `{}`},
		{"untyped nil", nil, model.UnixTimestamp, `{}`},
		{"no members set", &output{}, model.UnixTimestamp, `{}`},
		{"a struct value", output{Name: new("v")}, model.UnixTimestamp, `{"name":"v"}`},
		{"a pointer to a pointer", new(&output{Name: new("v")}), model.UnixTimestamp, `{"name":"v"}`},
		{"zero values are values", &output{Name: new(""), Count: new(int32(0)), Ok: new(false), Ratio: new(0.0)}, model.UnixTimestamp,
			`{"name":"","count":0,"ratio":0,"ok":false}`},
		{"empty collections are values", &output{Data: []byte{}, Ids: []string{}, Tags: map[string]string{}, Details: []detail{}, Detail: &detail{}},
			model.UnixTimestamp, `{"data":"","ids":[],"tags":{},"detail":{},"details":[]}`},
		{"header members are not in the body", &output{RequestId: new("r")}, model.UnixTimestamp, `{}`},
		{"every member, epoch seconds by default", full, model.UnixTimestamp,
			`{"name":"n","arn":"arn:aws:x:\"q\"","count":-7,"big":9223372036854775807,"ratio":0.1,"ok":true,` +
				`"createdAt":1714566896.789,"updatedAt":"2024-05-01T12:34:56.789Z","seenAt":"Wed, 01 May 2024 12:34:56 GMT",` +
				`"epochAt":1714566896.789,"data":"aGkh","ids":["a","b"],"tags":{"B":"0","a":"1","b":"2"},` +
				`"detail":{"name":"d","at":1714566896.789},"details":[{"name":"x"},{}],"byId":{"k":{"at":1714566896.789}},` +
				`"times":[1714566896.789,0.000]}`},
		{"every member, ISO 8601 by default", full, model.ISO8601,
			`{"name":"n","arn":"arn:aws:x:\"q\"","count":-7,"big":9223372036854775807,"ratio":0.1,"ok":true,` +
				`"createdAt":"2024-05-01T12:34:56.789Z","updatedAt":"2024-05-01T12:34:56.789Z","seenAt":"Wed, 01 May 2024 12:34:56 GMT",` +
				`"epochAt":1714566896.789,"data":"aGkh","ids":["a","b"],"tags":{"B":"0","a":"1","b":"2"},` +
				`"detail":{"name":"d","at":"2024-05-01T12:34:56.789Z"},"details":[{"name":"x"},{}],"byId":{"k":{"at":"2024-05-01T12:34:56.789Z"}},` +
				`"times":["2024-05-01T12:34:56.789Z","1970-01-01T00:00:00.000Z"]}`},
		{"DefaultFormat is epoch seconds", &output{CreatedAt: new(at)}, model.DefaultFormat, `{"createdAt":1714566896.789}`},
		{"floats", &output{Ratio: new(1e21)}, model.UnixTimestamp, `{"ratio":1e+21}`},
		{"small floats", &output{Ratio: new(1e-7)}, model.UnixTimestamp, `{"ratio":1e-07}`},
		{"integral floats", &output{Ratio: new(100.0)}, model.UnixTimestamp, `{"ratio":100}`},
		{"escaped keys and values", &output{Tags: map[string]string{"q\"": "\u2028", "\n": "\x00"}}, model.UnixTimestamp,
			`{"tags":{"\n":"\u0000","q\"":"\u2028"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := model.AppendJSON(nil, shOutput, tt.v, tt.def)
			if err != nil {
				t.Fatalf("AppendJSON: %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("AppendJSON =\n%s\nwant\n%s", got, tt.want)
			}
			if !json.Valid(got) {
				t.Errorf("AppendJSON wrote invalid JSON %s", got)
			}
		})
	}
}

func TestAppendJSONAppends(t *testing.T) {
	got, err := model.AppendJSON([]byte("prefix:"), shOutput, &output{Name: new("x")}, model.UnixTimestamp)
	if err != nil || string(got) != `prefix:{"name":"x"}` {
		t.Errorf("AppendJSON = %q, %v", got, err)
	}
	got, err = model.AppendJSON([]byte("prefix:"), shOutput, nil, model.UnixTimestamp)
	if err != nil || string(got) != `prefix:{}` {
		t.Errorf("AppendJSON(nil) = %q, %v", got, err)
	}
}

func TestAppendJSONErrors(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string // a part of the error
	}{
		{"another struct", &detail{}, "is not the Go struct of shape Output"},
		{"not a struct", new(42), "is not the Go struct of shape Output"},
		{"a map", map[string]any{}, "is not the Go struct of shape Output"},
		{"NaN", &output{Ratio: new(math.NaN())}, "Ratio: NaN is not a JSON number"},
		{"infinity", &output{Ratio: new(math.Inf(-1))}, "Ratio: -Inf is not a JSON number"},
	}
	for _, tt := range tests {
		_, err := model.AppendJSON(nil, shOutput, tt.v, model.UnixTimestamp)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: AppendJSON error = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

func TestTimeFormats(t *testing.T) {
	if model.ISO8601Layout != "2006-01-02T15:04:05.000Z" {
		t.Errorf("ISO8601Layout = %q", model.ISO8601Layout)
	}
	cest := time.FixedZone("CEST", 2*60*60)
	tests := []struct {
		in                   time.Time
		epoch, iso, httpDate string
	}{
		{time.Date(2024, 5, 1, 12, 34, 56, 789_000_000, time.UTC), "1714566896.789", "2024-05-01T12:34:56.789Z", "Wed, 01 May 2024 12:34:56 GMT"},
		{time.Date(2024, 5, 1, 14, 34, 56, 789_000_000, cest), "1714566896.789", "2024-05-01T12:34:56.789Z", "Wed, 01 May 2024 12:34:56 GMT"},
		{time.Date(2024, 5, 1, 12, 34, 56, 0, time.UTC), "1714566896.000", "2024-05-01T12:34:56.000Z", "Wed, 01 May 2024 12:34:56 GMT"},
		// Truncated to the millisecond, not rounded.
		{time.Date(2024, 12, 31, 23, 59, 59, 999_999_999, time.UTC), "1735689599.999", "2024-12-31T23:59:59.999Z", "Tue, 31 Dec 2024 23:59:59 GMT"},
		{time.Date(2024, 5, 1, 12, 34, 56, 1_000, time.UTC), "1714566896.000", "2024-05-01T12:34:56.000Z", "Wed, 01 May 2024 12:34:56 GMT"},
		{time.Unix(0, 0), "0.000", "1970-01-01T00:00:00.000Z", "Thu, 01 Jan 1970 00:00:00 GMT"},
		{time.Unix(0, 0).Add(-1500 * time.Millisecond), "-1.500", "1969-12-31T23:59:58.500Z", "Wed, 31 Dec 1969 23:59:58 GMT"},
	}
	for _, tt := range tests {
		if got := string(model.AppendEpochSeconds([]byte("x"), tt.in)); got != "x"+tt.epoch {
			t.Errorf("AppendEpochSeconds(%v) = %s, want x%s", tt.in, got, tt.epoch)
		}
		for _, f := range []struct {
			format model.TimestampFormat
			want   string
		}{{model.DefaultFormat, tt.iso}, {model.ISO8601, tt.iso}, {model.UnixTimestamp, tt.epoch}, {model.HTTPDate, tt.httpDate}} {
			if got := model.FormatTime(tt.in, f.format); got != f.want {
				t.Errorf("FormatTime(%v, %d) = %s, want %s", tt.in, f.format, got, f.want)
			}
		}
		// What AppendJSON writes parses back to the same millisecond.
		var back time.Time
		if err := json.Unmarshal([]byte(`"`+tt.iso+`"`), &back); err != nil || !back.Equal(tt.in.Truncate(time.Millisecond)) {
			t.Errorf("%s parses to %v, %v; want %v", tt.iso, back, err, tt.in.Truncate(time.Millisecond))
		}
	}
}

func TestAppendString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `""`},
		{"plain", `"plain"`},
		{`quote " backslash \ slash /`, `"quote \" backslash \\ slash /"`},
		{"\n\r\t", `"\n\r\t"`},
		{"\x00\x01\x08\x0c\x1f", `"\u0000\u0001\u0008\u000c\u001f"`},
		{"\x7f", "\"\x7f\""},
		{"<tag> & ü €", `"<tag> & ü €"`}, // no HTML escaping
		{"\u2028 and \u2029", `"\u2028 and \u2029"`},
		{"\u2027\u202a", "\"\u2027\u202a\""},
		{"a\xffb", `"a\ufffdb"`},
		{"\xff\xfe", `"\ufffd\ufffd"`},
		{"\xe2\x82", `"\ufffd\ufffd"`},           // a truncated €
		{"\xed\xa0\x80", `"\ufffd\ufffd\ufffd"`}, // an encoded surrogate
		{"\U0001F600", "\"\U0001F600\""},
		{"ok\xc3", `"ok\ufffd"`},
	}
	for _, tt := range tests {
		got := string(model.AppendString([]byte("x"), tt.in))
		if got != "x"+tt.want {
			t.Errorf("AppendString(%q) = %s, want x%s", tt.in, got, tt.want)
		}
	}
}

// FuzzAppendString: AppendString writes a JSON string that reads back as
// encoding/json reads its own encoding of s (invalid UTF-8 as U+FFFD),
// with no raw control character, U+2028 or U+2029.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "a", "\"\\", "\x00\x1f\x7f", "\u2028\u2029", "\xff", "\xe2\x82", "€\U0001F600", "<>&"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := model.AppendString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("AppendString(%q) = %s: %v", s, b, err)
		}
		want, _ := json.Marshal(s)
		var wantStr string
		if err := json.Unmarshal(want, &wantStr); err != nil {
			t.Fatal(err)
		}
		if got != wantStr {
			t.Fatalf("AppendString(%q) reads back as %q, want %q", s, got, wantStr)
		}
		if !utf8.Valid(b) || strings.ContainsAny(string(b), "\u2028\u2029") {
			t.Fatalf("AppendString(%q) = %q: invalid UTF-8 or a raw U+2028/U+2029", s, b)
		}
		for _, c := range b {
			if c < 0x20 {
				t.Fatalf("AppendString(%q) = %q: a raw control character", s, b)
			}
		}
	})
}
