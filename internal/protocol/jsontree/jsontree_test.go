package jsontree_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/localsec/localsec/internal/protocol/jsontree"
)

// reference decodes data as the endpoint package did before jsontree: one
// value decoded by encoding/json with UseNumber into a map[string]any, then
// nothing but whitespace. A top-level null decodes into a nil map without
// error; it is not an object, so it is refused here.
func reference(data []byte) (map[string]any, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	return obj, obj != nil
}

// nest returns an object holding depth-1 levels of nested arrays and
// objects: depth levels in all.
func nest(depth int) string {
	var b strings.Builder
	b.WriteString(`{"a":`)
	for i := 1; i < depth; i++ {
		if i%2 == 1 {
			b.WriteString(`[`)
		} else {
			b.WriteString(`{"b":`)
		}
	}
	b.WriteString(`0`)
	for i := depth - 1; i >= 1; i-- {
		if i%2 == 1 {
			b.WriteString(`]`)
		} else {
			b.WriteString(`}`)
		}
	}
	b.WriteString(`}`)
	return b.String()
}

func TestParseObjectValid(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want map[string]any
	}{
		{"empty", `{}`, map[string]any{}},
		{"whitespace around", " \t\r\n{ \t\r\n} \t\r\n", map[string]any{}},
		{"scalars", `{"s":"x","n":-1.5e+10,"t":true,"f":false,"z":null}`, map[string]any{
			"s": "x", "n": json.Number("-1.5e+10"), "t": true, "f": false, "z": nil}},
		{"number texts kept", `{"a":[0,-0,1.50,1E5,12345678901234567890,0.0e-0]}`, map[string]any{
			"a": []any{json.Number("0"), json.Number("-0"), json.Number("1.50"), json.Number("1E5"),
				json.Number("12345678901234567890"), json.Number("0.0e-0")}}},
		{"empty containers", `{"a":[],"o":{},"l":[[],{}]}`, map[string]any{
			"a": []any{}, "o": map[string]any{}, "l": []any{[]any{}, map[string]any{}}}},
		{"duplicate keys: the last wins", `{"a":1,"b":2,"a":{"c":3},"a":[4]}`, map[string]any{
			"a": []any{json.Number("4")}, "b": json.Number("2")}},
		{"nested duplicates", `{"o":{"k":1,"k":2},"o2":{"k":"x"}}`, map[string]any{
			"o": map[string]any{"k": json.Number("2")}, "o2": map[string]any{"k": "x"}}},
		{"escapes", `{"e":"\"\\\/\b\f\n\r\t\u0041\u00e9\u20AC"}`, map[string]any{"e": "\"\\/\b\f\n\r\tAé€"}},
		{"escaped key", `{"a\u0062":1,"ab":2}`, map[string]any{"ab": json.Number("2")}},
		{"surrogate pair", `{"e":"\ud83d\ude00"}`, map[string]any{"e": "😀"}},
		{"lone high surrogate", `{"e":"\ud800x"}`, map[string]any{"e": "\uFFFDx"}},
		{"lone low surrogate", `{"e":"\udc00\ud800"}`, map[string]any{"e": "\uFFFD\uFFFD"}},
		{"high then non-surrogate escape", `{"e":"\ud800\u0041"}`, map[string]any{"e": "\uFFFDA"}},
		{"high then high then low", `{"e":"\ud800\ud83d\ude00"}`, map[string]any{"e": "\uFFFD😀"}},
		{"invalid UTF-8", "{\"e\":\"a\xffb\xed\xa0\x80c\xe2\x82\"}", map[string]any{
			"e": "a\uFFFDb\uFFFD\uFFFD\uFFFDc\uFFFD\uFFFD"}},
		{"invalid UTF-8 in a key", "{\"\xc0\":1}", map[string]any{"\uFFFD": json.Number("1")}},
		{"valid UTF-8 kept", `{"ü":"日本語 \u2028","m":"` + "\uFFFD" + `"}`, map[string]any{
			"ü": "日本語 \u2028", "m": "\uFFFD"}},
		{"DEL unescaped", "{\"a\":\"\x7f\"}", map[string]any{"a": "\x7f"}},
		{"typical request", `{"accountIds":["222222222222","333333333333"],"message":"join us","disableEmailNotification":false}`,
			map[string]any{"accountIds": []any{"222222222222", "333333333333"}, "message": "join us",
				"disableEmailNotification": false}},
		{"many members", `{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"k":11,"l":12,"m":13,"n":14,"o":15,"p":16,"q":17,"r":18}`, nil},
		{"many elements", `{"a":[` + strings.Repeat(`"x",[1],{"y":[]},`, 30) + `null]}`, nil},
		{"max depth", nest(jsontree.MaxDepth), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref, ok := reference([]byte(tt.doc))
			if !ok {
				t.Fatalf("encoding/json refuses %q", tt.doc)
			}
			if tt.want != nil && !reflect.DeepEqual(ref, tt.want) {
				t.Fatalf("encoding/json: %#v, want %#v", ref, tt.want)
			}
			got, err := jsontree.ParseObject([]byte(tt.doc))
			if err != nil {
				t.Fatalf("ParseObject: %v", err)
			}
			if !reflect.DeepEqual(got, ref) {
				t.Errorf("ParseObject = %#v, want %#v", got, ref)
			}
		})
	}
}

func TestParseObjectInvalid(t *testing.T) {
	tests := []struct{ name, doc string }{
		{"empty", ``},
		{"whitespace", " \n"},
		{"null", `null`},
		{"array", `[]`},
		{"string", `"x"`},
		{"number", `1`},
		{"true", `true`},
		{"byte order mark", "\xef\xbb\xbf{}"},
		{"unicode space before", "\u00a0{}"},
		{"unicode space after", "{}\u00a0"},
		{"vertical tab", "{}\v"},
		{"form feed", "\f{}"},
		{"trailing object", `{}{}`},
		{"trailing array", `{} []`},
		{"trailing garbage", `{"a":1} x`},
		{"trailing NUL", "{}\x00"},
		{"truncated", `{"a":`},
		{"truncated key", `{"a`},
		{"truncated after value", `{"a":1`},
		{"truncated after comma", `{"a":1,`},
		{"truncated escape", `{"a":"\`},
		{"truncated \\u", `{"a":"\u12`},
		{"truncated literal", `{"a":tru`},
		{"truncated array", `{"a":[1,`},
		{"unclosed", `{`},
		{"trailing comma", `{"a":1,}`},
		{"trailing comma in array", `{"a":[1,]}`},
		{"leading comma", `{,"a":1}`},
		{"double comma", `{"a":[1,,2]}`},
		{"missing colon", `{"a" 1}`},
		{"missing comma", `{"a":1 "b":2}`},
		{"missing value", `{"a":}`},
		{"unquoted key", `{a:1}`},
		{"number key", `{1:1}`},
		{"single quotes", `{'a':1}`},
		{"single-quoted value", `{"a":'x'}`},
		{"line comment", "{// c\n}"},
		{"block comment", `{/* c */}`},
		{"hash comment", "{# c\n}"},
		{"leading zero", `{"a":01}`},
		{"leading zero negative", `{"a":-01}`},
		{"leading plus", `{"a":+1}`},
		{"trailing dot", `{"a":1.}`},
		{"leading dot", `{"a":.5}`},
		{"empty exponent", `{"a":1e}`},
		{"signed empty exponent", `{"a":1e+}`},
		{"lone minus", `{"a":-}`},
		{"minus space", `{"a":- 1}`},
		{"hex", `{"a":0x1F}`},
		{"NaN", `{"a":NaN}`},
		{"Infinity", `{"a":Infinity}`},
		{"-Infinity", `{"a":-Infinity}`},
		{"True", `{"a":True}`},
		{"nul", `{"a":nul}`},
		{"truex", `{"a":truex}`},
		{"falsey", `{"a":falsey}`},
		{"nullnull", `{"a":nullnull}`},
		{"control in string", "{\"a\":\"x\ny\"}"},
		{"tab in string", "{\"a\":\"\t\"}"},
		{"NUL in string", "{\"a\":\"\x00\"}"},
		{"control in key", "{\"\x1f\":1}"},
		{"control after escape", "{\"a\":\"\\n\x01\"}"},
		{"bad escape", `{"a":"\x"}`},
		{"escaped single quote", `{"a":"\'"}`},
		{"bad \\u", `{"a":"\u12G4"}`},
		{"short \\u", `{"a":"\u12"}`},
		{"bad second \\u", `{"a":"\ud800\u12G4"}`},
		{"upper \\U", `{"a":"\U0041"}`},
		{"unclosed string", `{"a":"x}`},
		{"unclosed string after escape", `{"a":"\"}`},
		{"mismatched brackets", `{"a":[}`},
		{"mismatched braces", `{"a":{]}`},
		{"extra close", `{"a":1}}`},
		{"invalid UTF-8 outside strings", "{\xff}"},
		{"non-breaking space inside", "{\u00a0}"},
		{"too deep", nest(jsontree.MaxDepth + 1)},
		{"far too deep", `{` + strings.Repeat(`"a":{`, 20000) + strings.Repeat("}", 20001)},
		{"far too deep, truncated", strings.Repeat(`{"a":[`, 100000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if obj, ok := reference([]byte(tt.doc)); ok {
				t.Fatalf("encoding/json accepts %q: %#v", tt.doc, obj)
			}
			got, err := jsontree.ParseObject([]byte(tt.doc))
			var se *jsontree.SyntaxError
			if !errors.As(err, &se) || got != nil {
				t.Fatalf("ParseObject(%q) = %#v, %v; want a *SyntaxError", tt.doc, got, err)
			}
			if se.Offset < 0 || se.Offset > len(tt.doc) || !strings.HasPrefix(se.Error(), "jsontree: ") {
				t.Errorf("ParseObject(%q): error %q at offset %d", tt.doc, se, se.Offset)
			}
		})
	}
}

// TestParseObjectOwnsItsStrings: the tree shares nothing with the input,
// which the caller may reuse.
func TestParseObjectOwnsItsStrings(t *testing.T) {
	data := []byte(`{"key":"value","n":42,"l":["x"],"e":"a\nb"}`)
	got, err := jsontree.ParseObject(data)
	if err != nil {
		t.Fatal(err)
	}
	for i := range data {
		data[i] = '#'
	}
	want := map[string]any{"key": "value", "n": json.Number("42"), "l": []any{"x"}, "e": "a\nb"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after the input was overwritten: %#v, want %#v", got, want)
	}
}

// maxFuzzInput bounds fuzzed documents: large inputs add little (nesting
// beyond MaxDepth is in the table tests) but make the fuzzer's
// minimization of every new interesting input slow.
const maxFuzzInput = 1024

// FuzzParseObject: ParseObject accepts what encoding/json accepts, and
// builds the same tree.
func FuzzParseObject(f *testing.F) {
	for _, s := range []string{
		`{}`,
		` {"a":1} `,
		`{"accountIds":["222222222222","333333333333"],"message":"join us","disableEmailNotification":false}`,
		`{"n":[0,-0,1.5e+10,-2E-3,12345678901234567890],"t":true,"f":false,"z":null}`,
		`{"a":1,"a":{"b":[]},"c":{"d":{"e":[[],{}]}}}`,
		`{"e":"\"\\\/\b\f\n\r\t\u0041\u00e9"}`,
		`{"s":"\ud83d\ude00\ud800\udc00x\udc00\ud800\u0041"}`,
		"{\"u\":\"\xff\xed\xa0\x80\xe2\x82日本\"}",
		"{\"a\":\"x\ny\"}",
		`{"a":01,"b":1.,"c":-}`,
		`{"a":[1,],}`,
		"{} \t\r\n",
		`{}{}`,
		`null`,
		`[{}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzInput {
			return
		}
		want, wantOK := reference(data)
		// Parse a copy and overwrite it after, to check that the tree
		// shares nothing with the input (the fuzzer's input must not be
		// modified).
		in := bytes.Clone(data)
		got, err := jsontree.ParseObject(in)
		for i := range in {
			in[i] = 0
		}
		if gotOK := err == nil; gotOK != wantOK {
			t.Fatalf("ParseObject(%q): error %v, but encoding/json accepts it: %t", data, err, wantOK)
		}
		if err != nil {
			if got != nil {
				t.Fatalf("ParseObject(%q) = %#v with error %v", data, got, err)
			}
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("ParseObject(%q) =\n%#v\nencoding/json:\n%#v", data, got, want)
		}
	})
}

const benchBody = `{"accountIds":["222222222222","333333333333"],"message":"join us","disableEmailNotification":false,` +
	`"account":{"accountId":"222222222222","email":"a@example.com"},"tags":{"k":"v","team":"security","env":"prod"},` +
	`"detectorId":"12abc34d567e8fa901bc2d34e56789f0","maxResults":50,"nextToken":"eyJvZmZzZXQiOjUwfQ=="}`

func BenchmarkParseObject(b *testing.B) {
	data := []byte(benchBody)
	b.Run("jsontree", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := jsontree.ParseObject(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, ok := reference(data); !ok {
				b.Fatal("refused")
			}
		}
	})
}
