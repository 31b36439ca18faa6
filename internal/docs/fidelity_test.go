package docs

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/localsec/localsec/internal/service/guardduty"
	"github.com/localsec/localsec/internal/service/macie2"
	orgsvc "github.com/localsec/localsec/internal/service/organizations"
)

var update = flag.Bool("update", false, "rewrite the generated parts of docs/fidelity.md")

// TestFidelityDoc keeps the message tables of docs/fidelity.md equal to
// the adapters' tables. Run with -update to rewrite them:
//
//	go test ./internal/docs -update
func TestFidelityDoc(t *testing.T) {
	const path = "../../docs/fidelity.md"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	sections := []struct{ name, body string }{
		{"macie2 messages", macie2.MessagesMarkdown()},
		{"macie2 deviations", macie2.DeviationsMarkdown()},
		{"guardduty messages", guardduty.MessagesMarkdown()},
		{"guardduty deviations", guardduty.DeviationsMarkdown()},
		{"organizations messages", orgsvc.MessagesMarkdown()},
	}
	changed := false
	for _, s := range sections {
		begin, end := "<!-- BEGIN generated: "+s.name+" -->", "<!-- END generated: "+s.name+" -->"
		i, j := strings.Index(doc, begin), strings.Index(doc, end)
		if i < 0 || j < i {
			t.Fatalf("%s lacks the %q ... %q markers", path, begin, end)
		}
		want := begin + "\n" + s.body + end
		if doc[i:j+len(end)] == want {
			continue
		}
		if !*update {
			t.Errorf("docs/fidelity.md's %s differ from the code; run: go test ./internal/docs -update", s.name)
			continue
		}
		doc = doc[:i] + want + doc[j+len(end):]
		changed = true
	}
	if changed {
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
