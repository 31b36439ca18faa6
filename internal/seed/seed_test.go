package seed_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/localsec/localsec/internal/ids"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/seed"
	"github.com/localsec/localsec/internal/store"
	"github.com/localsec/localsec/internal/store/memstore"
)

var now = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func load(t *testing.T, doc seed.Document) (seed.Directory, store.Snapshot) {
	t.Helper()
	seq := &ids.Sequence{}
	dir, snap, err := seed.Load(doc, now, seq.NewID)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return dir, snap
}

// The example in the docs is a valid seed: it parses, loads, imports and
// gives the state it describes.
func TestExampleSeed(t *testing.T) {
	raw, err := os.ReadFile("../../docs/examples/seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := seed.Parse(raw, "seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir, snap := load(t, doc)
	// The organization is the organizations section's, not the shortcut's.
	if dir.Keys["AKIAADMINEXAMPLE0001"] != "111111111111" || dir.Credentials["AKIAADMINEXAMPLE0001"].SecretAccessKey != "admin-secret" ||
		dir.Organization.Exists() {
		t.Fatalf("directory = %+v", dir)
	}
	eng := membership.New(memstore.New(), membership.WithOrganization(dir.Organization))
	if err := eng.Import(context.Background(), snap); err != nil {
		t.Fatal(err)
	}
	macie := eng.Service("macie2", membership.Rules{})
	m, err := macie.GetMember(context.Background(), membership.Caller{Account: "111111111111", Region: "us-east-1"}, "333333333333")
	if err != nil || m.Status != store.StatusInvited || m.Email != "dev@example.com" || len(m.InvitationID) != 32 || !m.InvitedAt.Equal(now) {
		t.Fatalf("dev's record = %+v, %v", m.Member, err)
	}
	inv, ok, err := macie.Administrator(context.Background(), membership.Caller{Account: "222222222222", Region: "us-east-1"})
	if err != nil || !ok || inv.Admin != "111111111111" {
		t.Fatalf("prod's administrator = %+v %v %v", inv, ok, err)
	}
	gd := eng.Service("guardduty", membership.Rules{EnablementIDs: true})
	en, err := gd.Enablement(context.Background(), membership.Caller{Account: "222222222222", Region: "us-east-1"})
	if err != nil || len(en.ResourceID) != 32 {
		t.Fatalf("prod's detector = %+v %v (an id is made up when the seed has none)", en, err)
	}
}

// Build then Load then Build gives the same document, in JSON and YAML.
func TestRoundTrip(t *testing.T) {
	raw, _ := os.ReadFile("../../docs/examples/seed.yaml")
	doc, err := seed.Parse(raw, "seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir, snap := load(t, doc)
	first := seed.Build(dir, snap)
	for _, format := range []string{"json", "yaml"} {
		var out []byte
		if format == "json" {
			out, err = first.JSON()
		} else {
			out, err = first.YAML()
		}
		if err != nil {
			t.Fatal(err)
		}
		again, err := seed.Parse(out, "export."+format)
		if err != nil {
			t.Fatalf("%s export does not parse: %v\n%s", format, err, out)
		}
		dir2, snap2 := load(t, again)
		if second := seed.Build(dir2, snap2); !reflect.DeepEqual(normalize(t, first), normalize(t, second)) {
			t.Fatalf("%s round trip changed the document:\n%s", format, out)
		}
	}
}

// normalize compares documents through their JSON, where a time's
// location does not matter.
func normalize(t *testing.T, doc seed.Document) string {
	t.Helper()
	b, err := doc.JSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Mistakes are named with their place in the document.
func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown field", "version: 1\naccount: []\n", "field account not found"},
		{"wrong version", "version: 2\n", "version 2"},
		{"empty", "", "version 0"},
		{"bad account id", "version: 1\naccounts:\n  - id: \"12\"\n", "accounts[0]: id \"12\""},
		{"duplicate key", "version: 1\naccounts:\n  - id: \"111111111111\"\n    accessKeys: [{id: K}]\n  - id: \"222222222222\"\n    accessKeys: [{id: K}]\n", "accounts[1].accessKeys[0]: access key K appears twice"},
		{"unknown service", "version: 1\nservices:\n  - service: s3\n    region: us-east-1\n", "services[0]: service \"s3\""},
		{"unknown status", "version: 1\nservices:\n  - service: macie2\n    region: us-east-1\n    enabled: [{account: \"111111111111\"}]\n    members:\n      - {administrator: \"111111111111\", account: \"222222222222\", status: Enabeld}\n", "services[0].members[0]: status \"Enabeld\""},
		{"two administrators", "version: 1\nservices:\n  - service: macie2\n    region: us-east-1\n    enabled: [{account: \"111111111111\"}, {account: \"333333333333\"}]\n    members:\n      - {administrator: \"111111111111\", account: \"222222222222\", status: Enabled}\n      - {administrator: \"333333333333\", account: \"222222222222\", status: Paused}\n", "2 administrators"},
		{"administrator not enabled", "version: 1\nservices:\n  - service: guardduty\n    region: us-east-1\n    members:\n      - {administrator: \"111111111111\", account: \"222222222222\", status: Created}\n", "has not enabled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := seed.Parse([]byte(tc.yaml), "seed.yaml")
			if err == nil {
				_, _, err = seed.Load(doc, now, (&ids.Sequence{}).NewID)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestParseJSON(t *testing.T) {
	doc, err := seed.Parse([]byte(`{"version":1,"accounts":[{"id":"111111111111","accessKeys":[{"id":"AKIA1"}]}]}`), "seed.json")
	if err != nil {
		t.Fatal(err)
	}
	dir, _ := load(t, doc)
	if dir.Keys["AKIA1"] != "111111111111" || len(dir.Credentials) != 0 {
		t.Fatalf("directory = %+v", dir)
	}
	if _, err := seed.Parse([]byte(`{"version":1,"acounts":[]}`), "seed.json"); err == nil || !strings.Contains(err.Error(), "acounts") {
		t.Fatalf("a misspelt JSON key was not refused: %v", err)
	}
}

// goJSON is a value as an engine writes it: encoding/json, fields in the
// struct's order, <, > and & escaped.
func goJSON(t *testing.T) []byte {
	t.Helper()
	type account struct {
		ID, Arn, Email, Name string
		JoinedMethod         string `json:"JoinedMethod"`
		Big                  uint64
		Ratio                float64
		Tags                 map[string]string
		Parents              []string
		None                 *string
		OK                   bool
	}
	b, err := json.Marshal(account{ID: "111111111111", Arn: "arn:aws:organizations::999999999999:account/o-1/111111111111",
		Email: "a&b <sec@example.com>", Name: "ünïcödé ✓\nline 2\ttab", JoinedMethod: "INVITED", Big: 18446744073709551615, Ratio: 1.5,
		Tags: map[string]string{"true": "yes", "123": "456", "": "~", "- x": "# y", "null": "null"}, Parents: []string{}, OK: true})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Records round-trip through a document, JSON or YAML, byte for byte: as
// JSON values when they read back unchanged, in base64 otherwise.
func TestRecordsRoundTrip(t *testing.T) {
	type tc struct {
		value  []byte
		asJSON bool // written as a JSON value, not base64
	}
	cases := map[string]tc{
		"engine":         {goJSON(t), true},
		"object":         {[]byte(`{"z":1,"a":{"y":[1,2.50,-0,1e5,1E-7,12345678901234567890123],"x":{}},"m":[]}`), true},
		"null":           {[]byte(`null`), true},
		"true":           {[]byte(`true`), true},
		"string":         {[]byte(`"a string"`), true},
		"number":         {[]byte(`-12.5e+3`), true},
		"empty array":    {[]byte(`[]`), true},
		"yaml specials":  {[]byte(`{"a":"true","b":"123","c":"null","d":"","e":"- x","f":"a: b","g":"  lead","h":"#","i":"~","j":"0x1F","k":"1e5","l":"2024-05-01","m":"=","n":"\u003c\u003c"}`), true},
		"not compact":    {[]byte(`{"a": 1}`), false},
		"escaped rune":   {[]byte(`{"a":"\u00e9"}`), false},
		"literal <":      {[]byte(`{"a":"<"}`), false},
		"not JSON":       {[]byte("hello"), false},
		"two documents":  {[]byte(`{}{}`), false},
		"binary":         {[]byte{0, 1, 0xff, 0xc3}, false},
		"NUL in JSON":    {[]byte(`{"a":"\u0000"}`), true},
		"merge key":      {[]byte(`{"<<":{"a":1}}`), false},
		"empty":          {[]byte{}, false},
		"trailing space": {[]byte(`{} `), false},
	}
	var snap store.Snapshot
	for name, c := range cases {
		snap.Records = append(snap.Records, store.Record{Kind: "test", Key: name, Value: c.value})
	}
	snap.Records = append(snap.Records, store.Record{Kind: "account", Key: "o-1/111111111111", Value: goJSON(t)},
		store.Record{Kind: "ünïcödé", Key: "日本/\U0010ffff", Value: []byte(`{"k":"v"}`)})
	sort.Slice(snap.Records, func(i, j int) bool {
		a, b := snap.Records[i], snap.Records[j]
		return a.Kind < b.Kind || (a.Kind == b.Kind && a.Key < b.Key)
	})
	doc := seed.Build(seed.Directory{}, snap)
	if len(doc.Records) != len(snap.Records) {
		t.Fatalf("document has %d records, want %d", len(doc.Records), len(snap.Records))
	}
	for i, r := range doc.Records {
		if r.Kind != snap.Records[i].Kind || r.Key != snap.Records[i].Key {
			t.Fatalf("document record %d is %q/%q, want %q/%q", i, r.Kind, r.Key, snap.Records[i].Kind, snap.Records[i].Key)
		}
		if c, ok := cases[r.Key]; ok && r.Kind == "test" {
			if got := r.Value != nil; got != c.asJSON {
				t.Errorf("record %q written as JSON: %v, want %v (value %q, base64 %q)", r.Key, got, c.asJSON, r.Value, r.Base64)
			}
			if r.Value == nil && (r.Base64 == "") != (len(c.value) == 0) {
				t.Errorf("record %q: base64 %q for value %q", r.Key, r.Base64, c.value)
			}
		}
	}
	for _, format := range []string{"json", "yaml"} {
		var out []byte
		var err error
		if format == "json" {
			out, err = doc.JSON()
		} else {
			out, err = doc.YAML()
		}
		if err != nil {
			t.Fatal(err)
		}
		again, err := seed.Parse(out, "export."+format)
		if err != nil {
			t.Fatalf("%s export does not parse: %v\n%s", format, err, out)
		}
		_, snap2 := load(t, again)
		if len(snap2.Records) != len(snap.Records) {
			t.Fatalf("%s: %d records read back, want %d", format, len(snap2.Records), len(snap.Records))
		}
		for i, r := range snap2.Records {
			if w := snap.Records[i]; r.Kind != w.Kind || r.Key != w.Key || !bytes.Equal(r.Value, w.Value) {
				t.Errorf("%s: record %d read back as %q/%q %q, want %q/%q %q", format, i, r.Kind, r.Key, r.Value, w.Kind, w.Key, w.Value)
			}
		}
		if second := seed.Build(seed.Directory{}, snap2); normalize(t, second) != normalize(t, doc) {
			t.Fatalf("%s round trip changed the document:\n%s", format, out)
		}
		// An engine's value reads as the document it is, in order.
		if format == "yaml" && !strings.Contains(string(out), "      ID: \"111111111111\"\n      Arn: arn:aws:organizations::999999999999:account/o-1/111111111111\n") {
			t.Errorf("the engine's record is not written as YAML in its order:\n%s", out)
		}
	}
}

// Records written by hand: YAML values in any style become compact JSON
// in their order; base64 and no value at all are read too.
func TestRecordsHandWritten(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"block", "value:\n      Id: o-1\n      Count: 3\n      List: [a, 1, true, null]\n      Nested: {b: 2, a: 1}\n", `{"Id":"o-1","Count":3,"List":["a",1,true,null],"Nested":{"b":2,"a":1}}`},
		{"flow", `value: {"Id": "o-1", "FeatureSet": "ALL"}` + "\n", `{"Id":"o-1","FeatureSet":"ALL"}`},
		{"null", "value: null\n", `null`},
		{"tilde", "value: ~\n", `null`},
		{"string", "value: hello\n", `"hello"`},
		{"quoted number", "value: \"123\"\n", `"123"`},
		{"yaml numbers", "value: [0x1F, 1.50, 12345678901234567890123, -0, 1e5]\n", `[31,1.50,12345678901234567890123,-0,1e5]`},
		{"html", "value: {a: \"<&>\"}\n", `{"a":"\u003c\u0026\u003e"}`},
		{"multiline", "value: |\n      line 1\n      line 2\n", `"line 1\nline 2\n"`},
		{"anchor", "value: {a: &x [1, 2], b: *x}\n", `{"a":[1,2],"b":[1,2]}`},
		{"timestamp", "value: 2024-05-01\n", `"2024-05-01"`},
		{"base64", "base64: AP8K\n", "\x00\xff\n"},
		{"nothing", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := "version: 1\nrecords:\n  - kind: k\n    key: r\n    " + strings.ReplaceAll(strings.TrimSuffix(tc.doc, "\n"), "\n", "\n") + "\n"
			if tc.doc == "" {
				raw = "version: 1\nrecords:\n  - kind: k\n    key: r\n"
			}
			doc, err := seed.Parse([]byte(raw), "seed.yaml")
			if err != nil {
				t.Fatalf("%v\n%s", err, raw)
			}
			_, snap := load(t, doc)
			if len(snap.Records) != 1 || string(snap.Records[0].Value) != tc.want {
				t.Fatalf("records = %q, want one of value %q", snap.Records, tc.want)
			}
		})
	}
	// JSON seeds: the value is the document, compacted.
	doc, err := seed.Parse([]byte(`{"version":1,"records":[{"kind":"k","key":"a","value":{"b": [1, 2.0], "a": null}},{"kind":"k","key":"b","value":null},{"kind":"k","key":"c","base64":"aGk="}]}`), "seed.json")
	if err != nil {
		t.Fatal(err)
	}
	_, snap := load(t, doc)
	if len(snap.Records) != 3 || string(snap.Records[0].Value) != `{"b":[1,2.0],"a":null}` || string(snap.Records[1].Value) != "null" || string(snap.Records[2].Value) != "hi" {
		t.Fatalf("records from JSON = %q", snap.Records)
	}
	// An export and seeds of records reach the store and come back.
	eng := membership.New(memstore.New())
	if err := eng.Import(context.Background(), snap); err != nil {
		t.Fatal(err)
	}
	back, err := eng.Export(context.Background())
	if err != nil || !reflect.DeepEqual(back.Records, snap.Records) {
		t.Fatalf("records through the store = %q, %v; want %q", back.Records, err, snap.Records)
	}
}

func TestRecordErrors(t *testing.T) {
	record := func(fields string) string { return "version: 1\nrecords:\n  - {" + fields + "}\n" }
	for _, tc := range []struct{ name, yaml, want string }{
		{"no kind", record("key: k, value: 1"), "records[0]: kind is required"},
		{"no key", record("kind: k, value: 1"), "records[0]: key is required"},
		{"NUL in key", record(`kind: k, key: "a\0b"`), "records[0]: record key \"a\\x00b\" holds a NUL byte"},
		{"both", record("kind: k, key: k, value: 1, base64: AA=="), "records[0]: value and base64 both given"},
		{"bad base64", record("kind: k, key: k, base64: '***'"), "records[0]: base64: illegal base64"},
		{"misspelt field", record("kind: k, key: k, valeu: 1"), "field valeu not found in type seed.Record"},
		{"field twice", record("kind: k, key: k, kind: j"), "line 3: field kind appears twice"},
		{"merge", "version: 1\nrecords:\n  - kind: k\n    key: k\n    value: {a: &x {b: 1}, c: {<<: *x}}\n", "line 5: merge keys (<<) are not supported"},
		{"twice", "version: 1\nrecords:\n  - {kind: k, key: a}\n  - {kind: k, key: a, value: 2}\n", "record \"a\" of kind \"k\" appears twice"},
		{"binary value", record("kind: k, key: k, value: !!binary AP8K"), "!!binary scalar is not JSON"},
		{"infinity", record("kind: k, key: k, value: .inf"), "unsupported value: +Inf"},
		{"not a mapping", "version: 1\nrecords:\n  - just a string\n", "a record is a mapping"},
		{"complex key", "version: 1\nrecords:\n  - kind: k\n    key: k\n    value: {[1, 2]: x}\n", "keys are strings"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := seed.Parse([]byte(tc.yaml), "seed.yaml")
			if err == nil {
				_, _, err = seed.Load(doc, now, (&ids.Sequence{}).NewID)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
	if _, err := seed.Parse([]byte(`{"version":1,"records":[{"kind":"k","key":"k","valeu":1}]}`), "seed.json"); err == nil || !strings.Contains(err.Error(), "valeu") {
		t.Fatalf("a misspelt JSON record field was not refused: %v", err)
	}
}
