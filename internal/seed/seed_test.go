package seed_test

import (
	"context"
	"os"
	"reflect"
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
	if dir.Keys["AKIAADMINEXAMPLE0001"] != "111111111111" || dir.Credentials["AKIAADMINEXAMPLE0001"].SecretAccessKey != "admin-secret" ||
		dir.Organization.ManagementAccount != "999999999999" || len(dir.Organization.Accounts) != 3 {
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
