package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGeneratedFilesAreCurrent regenerates every package of internal/api
// from the botocore models on the machine and fails on any difference
// from the committed api_gen.go: the generated code is what the models
// say, and nothing else. Without botocore it skips, unless
// LOCALSEC_REQUIRE_BOTOCORE=1 (as in CI).
func TestGeneratedFilesAreCurrent(t *testing.T) {
	data, err := BotocoreData()
	if err == nil {
		_, err = os.Stat(data)
	}
	if err != nil {
		if os.Getenv("LOCALSEC_REQUIRE_BOTOCORE") == "1" {
			t.Fatalf("botocore's models are required (LOCALSEC_REQUIRE_BOTOCORE=1): %v", err)
		}
		t.Skipf("botocore's models are not on this machine: %v", err)
	}
	dirs, err := filepath.Glob(filepath.Join("..", "api", "*", scopeFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatal("no package under internal/api has an operations.txt")
	}
	for _, scope := range dirs {
		dir := filepath.Dir(scope)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			want, err := GeneratePackage(dir, data)
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(dir, generatedFile))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s is not what botocore's model generates; run: go generate ./internal/api/...", filepath.Join(dir, generatedFile))
			}
			// Only facts: the generated code holds no documentation of
			// the model.
			if bytes.Contains(got, []byte("<p>")) || bytes.Contains(got, []byte("documentation")) {
				t.Errorf("%s carries documentation text of the model", generatedFile)
			}
		})
	}
}

func TestReadScope(t *testing.T) {
	sc, err := ReadScope("# comment\nservice macie2 2020-01-01\n\nEnableMacie\n  GetMacieSession  \n")
	if err != nil {
		t.Fatal(err)
	}
	if sc.Service != "macie2" || sc.Version != "2020-01-01" || strings.Join(sc.Operations, ",") != "EnableMacie,GetMacieSession" {
		t.Fatalf("scope = %+v", sc)
	}
	for _, bad := range []string{"", "EnableMacie\n", "service macie2\nX\n", "service a b\nservice c d\nX\n", "service a b\n"} {
		if _, err := ReadScope(bad); err == nil {
			t.Errorf("ReadScope(%q) accepted", bad)
		}
	}
}

// A small model exercises what the services of today do not: patterns
// Go cannot hold, a negative lookahead, greedy labels, timestamps formats
// and an exception without a status.
func TestGenerate(t *testing.T) {
	modelJSON := `{
	 "metadata": {"apiVersion": "2024-01-01", "endpointPrefix": "demo", "protocol": "rest-json"},
	 "operations": {
	  "PutThing": {"name": "PutThing", "http": {"method": "PUT", "requestUri": "/things/{Key+}", "responseCode": 201},
	   "input": {"shape": "PutThingRequest"}, "output": {"shape": "PutThingResponse"}, "errors": [{"shape": "Oops"}, {"shape": "Boom"}]},
	  "Other": {"name": "Other", "http": {"method": "GET", "requestUri": "/other"}}
	 },
	 "shapes": {
	  "PutThingRequest": {"type": "structure", "required": ["Key"], "members": {
	   "Key": {"shape": "Key", "location": "uri", "locationName": "Key"},
	   "tag": {"shape": "TagKey", "locationName": "tagName"},
	   "when": {"shape": "Stamp", "timestampFormat": "iso8601"},
	   "mail": {"shape": "Mail"}}},
	  "PutThingResponse": {"type": "structure", "members": {"Items": {"shape": "Items"}}},
	  "Items": {"type": "list", "member": {"shape": "Key"}, "min": 1, "max": 5},
	  "Key": {"type": "string", "min": 1, "max": 10, "documentation": "<p>do not copy me</p>"},
	  "TagKey": {"type": "string", "pattern": "^(?!aws:)[a-z]+$"},
	  "Mail": {"type": "string", "pattern": "^(?:(?!-)[a-z])+$"},
	  "Stamp": {"type": "timestamp"},
	  "Oops": {"type": "structure", "members": {"message": {"shape": "Key"}}, "exception": true, "error": {"httpStatusCode": 409}},
	  "Boom": {"type": "structure", "members": {}, "exception": true, "fault": true}
	 }}`
	src, err := Generate("demo", Scope{Service: "demo", Version: "2024-01-01", Operations: []string{"PutThing"}}, []byte(modelJSON))
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	for _, want := range []string{
		"package demo",
		`Name: "PutThing", Method: "PUT", URI: "/things/{Key+}", Status: 201, Served: true`,
		`{Name: "Other", Method: "GET", URI: "/other"}`,
		`model.NewPattern("^(?!aws:)[a-z]+$", "aws:", regexp.MustCompile("^(?:[a-z]+$)$"))`,
		"Patterns of the model that Go's regexp cannot hold, not checked:",
		"Mail: ^(?:(?!-)[a-z])+$",
		`WireName: "tagName"`,
		"TimestampFormat: model.ISO8601",
		`Error: &model.ErrorInfo{Status: 409, Code: "", Sender: true}`,
		`Error: &model.ErrorInfo{Status: 500, Code: "", Sender: false}`,
		"PutThing(ctx context.Context, call *protocol.Call, in *PutThingRequest) (*PutThingResponse, error)",
		"Items []string",
		"When *time.Time",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("generated code lacks %q", want)
		}
	}
	if strings.Contains(text, "do not copy me") {
		t.Error("documentation text was copied")
	}
	if _, err := Generate("demo", Scope{Service: "demo", Operations: []string{"Missing"}}, []byte(modelJSON)); err == nil {
		t.Error("an operation the model does not have was accepted")
	}
}
