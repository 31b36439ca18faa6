// Command apigen generates, for one AWS service, the Go form of its
// official API model: the package internal/api/<service>. It reads the
// model that ships with botocore (data/<service>/<version>/service-2.json,
// gzipped or not) and writes api_gen.go into the current directory, which
// holds an operations.txt naming the service, its API version and the
// operations localsec serves.
//
// Only facts of the model go into the generated file: names, types,
// constraints, HTTP bindings, statuses. Its documentation text does not.
//
// Run it through go generate in a package of internal/api:
//
//	//go:generate go run github.com/localsec/localsec/internal/apigen
//
// botocore is found with the machine's python3, or at
// $LOCALSEC_BOTOCORE_DATA (the botocore data directory).
package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// generatedFile is the name of the file apigen writes in each package.
const generatedFile = "api_gen.go"

// scopeFile is the name of the file that says what to generate.
const scopeFile = "operations.txt"

func main() {
	dir, err := os.Getwd()
	if err != nil {
		fail(err)
	}
	data, err := BotocoreData()
	if err != nil {
		fail(err)
	}
	src, err := GeneratePackage(dir, data)
	if err != nil {
		fail(err)
	}
	if err := os.WriteFile(filepath.Join(dir, generatedFile), src, 0o644); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "apigen:", err)
	os.Exit(1)
}

// Scope is what operations.txt says: the service, its API version, and
// the operations localsec serves, in the file's order.
type Scope struct {
	Service, Version string
	Operations       []string
}

// ReadScope parses an operations.txt: a line "service <name> <version>",
// then one operation name a line; blank lines and lines starting with #
// are comments.
func ReadScope(text string) (Scope, error) {
	var sc Scope
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		switch {
		case fields[0] == "service" && len(fields) == 3 && sc.Service == "":
			sc.Service, sc.Version = fields[1], fields[2]
		case len(fields) == 1 && sc.Service != "":
			sc.Operations = append(sc.Operations, fields[0])
		default:
			return sc, fmt.Errorf("%s line %d: %q is neither \"service <name> <version>\" (first) nor an operation name", scopeFile, n+1, line)
		}
	}
	if sc.Service == "" || len(sc.Operations) == 0 {
		return sc, fmt.Errorf("%s names no service or no operation", scopeFile)
	}
	return sc, nil
}

// GeneratePackage generates the api_gen.go of the package in dir from the
// models under botocoreData.
func GeneratePackage(dir, botocoreData string) ([]byte, error) {
	raw, err := os.ReadFile(filepath.Join(dir, scopeFile))
	if err != nil {
		return nil, err
	}
	sc, err := ReadScope(string(raw))
	if err != nil {
		return nil, err
	}
	model, err := ReadModel(filepath.Join(botocoreData, sc.Service, sc.Version))
	if err != nil {
		return nil, err
	}
	return Generate(filepath.Base(dir), sc, model)
}

// ReadModel reads service-2.json.gz or service-2.json from dir.
func ReadModel(dir string) ([]byte, error) {
	f, err := os.Open(filepath.Join(dir, "service-2.json.gz"))
	if errors.Is(err, os.ErrNotExist) {
		return os.ReadFile(filepath.Join(dir, "service-2.json"))
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// BotocoreData returns botocore's data directory: $LOCALSEC_BOTOCORE_DATA,
// or the one of the botocore that the machine's python3 imports.
func BotocoreData() (string, error) {
	if d := os.Getenv("LOCALSEC_BOTOCORE_DATA"); d != "" {
		return d, nil
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		return "", errors.New("python3 is not on PATH, so botocore's models cannot be found; set LOCALSEC_BOTOCORE_DATA")
	}
	var out, stderr bytes.Buffer
	cmd := exec.Command(py, "-c", "import botocore, os; print(os.path.join(os.path.dirname(botocore.__file__), 'data'))")
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("python3 cannot import botocore (%v: %s); install boto3 or set LOCALSEC_BOTOCORE_DATA", err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(out.String()), nil
}
