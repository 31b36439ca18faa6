package archtest

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/localsec/localsec/"

// rules says, for packages under a prefix, which project packages they
// must not import (by prefix), and whether net/http is off limits.
var rules = []struct {
	pkg       string
	forbidden []string
	noHTTP    bool
}{
	{"internal/store", []string{"internal/membership", "internal/protocol", "internal/service", "internal/server"}, true},
	{"internal/membership", []string{"internal/protocol", "internal/service", "internal/server", "internal/store/"}, true},
	// Organizations and STS sessions are engines too; the membership
	// engine reads the organization, never the other way round.
	{"internal/organizations", []string{"internal/membership", "internal/sessions", "internal/protocol", "internal/service", "internal/server", "internal/store/"}, true},
	{"internal/sessions", []string{"internal/membership", "internal/protocol", "internal/service", "internal/server", "internal/store/"}, true},
	{"internal/protocol", []string{"internal/membership", "internal/service", "internal/server", "internal/store", "internal/api/"}, false},
	// The generated API packages are wire facts: they know the protocol
	// layer's model types and nothing of behaviour.
	{"internal/api/", []string{"internal/membership", "internal/service", "internal/server", "internal/store"}, true},
	// The generator reads botocore's models and writes Go: it needs none
	// of localsec.
	{"internal/apigen", []string{"internal/"}, true},
	{"internal/service", []string{"internal/server", "internal/store/memstore", "internal/store/sqlitestore", "internal/store/pgstore", "internal/store/sqlstore"}, false},
	{"internal/server", []string{"internal/store/sqlitestore", "internal/store/pgstore", "internal/store/sqlstore"}, false},
	{"internal/", []string{"cmd/", "localsectest"}, false},
	{"localsectest", []string{"cmd/"}, false},
}

// TestDependencyDirection parses the imports of every non-test file of the
// project and checks them against rules.
func TestDependencyDirection(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		rel = filepath.ToSlash(rel)
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			for _, r := range rules {
				if !strings.HasPrefix(rel, r.pkg) {
					continue
				}
				checked++
				if r.noHTTP && p == "net/http" {
					t.Errorf("%s imports net/http: %s must know nothing of HTTP", path, r.pkg)
				}
				for _, f := range r.forbidden {
					if strings.HasPrefix(p, module+f) && !strings.HasPrefix(p, module+rel) {
						t.Errorf("%s imports %s: %s must not depend on %s", path, p, r.pkg, f)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatal("no import was checked: the walk found no source")
	}
	if _, err := os.Stat(filepath.Join(root, "internal", "membership")); err != nil {
		t.Fatalf("the tree is not where the test expects it: %v", err)
	}
}
