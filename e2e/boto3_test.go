package e2e_test

// Runs the boto3 scripts of scripts/boto3 with the machine's python3
// against an in-process localsec each. They skip when python3 or boto3 is
// missing, unless LOCALSEC_REQUIRE_BOTO3=1, in which case they fail.

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/localsec/localsec/localsectest"
)

// boto3Python returns the path of a python3 that can import boto3 (see
// cliRequireTool for the skip/fail rule).
func boto3Python(t *testing.T) string {
	t.Helper()
	python := cliRequireTool(t, "python3", "LOCALSEC_REQUIRE_BOTO3")
	cmd := exec.Command(python, "-c", "import boto3")
	cmd.Env = boto3Env(t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		if os.Getenv("LOCALSEC_REQUIRE_BOTO3") == "1" {
			t.Fatalf("%s cannot import boto3 and LOCALSEC_REQUIRE_BOTO3=1: %v\n%s", python, err, out)
		}
		t.Skipf("%s cannot import boto3 (set LOCALSEC_REQUIRE_BOTO3=1 to make this a failure): %v\n%s", python, err, out)
	}
	return python
}

// boto3Env is a clean environment for python3 and boto3: an empty HOME,
// AWS config and credentials files that do not exist, no profile, no
// instance metadata; only what the interpreter needs to start is
// inherited.
func boto3Env(home string) []string {
	env := []string{
		"HOME=" + home,
		"AWS_CONFIG_FILE=" + filepath.Join(home, "nonexistent", "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "nonexistent", "credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
		"PYTHONDONTWRITEBYTECODE=1",
	}
	for _, name := range []string{"PATH", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP", "LANG", "LC_ALL", "PYENV_ROOT", "PYENV_VERSION"} {
		if v, ok := os.LookupEnv(name); ok {
			env = append(env, name+"="+v)
		}
	}
	return env
}

func TestBoto3Scripts(t *testing.T) {
	t.Parallel()
	python := boto3Python(t)
	for _, tc := range []struct {
		script string
		// viaEnv passes the endpoint as LOCALSEC_URL instead of argv[1].
		viaEnv bool
		// clock gives the script a clock it moves forward (see
		// movableClock), which it must use.
		clock bool
		pass  string
	}{
		{script: "macie2_two_accounts.py", pass: "PASS: macie2 two-account scenario"},
		{script: "guardduty_two_accounts.py", viaEnv: true, pass: "PASS: guardduty two-account scenario"},
		{script: "organizations_three_accounts.py", clock: true, pass: "PASS: organizations three-account scenario"},
	} {
		t.Run(strings.TrimSuffix(tc.script, ".py"), func(t *testing.T) {
			t.Parallel()
			script, err := filepath.Abs(filepath.Join("..", "scripts", "boto3", tc.script))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(script); err != nil {
				t.Fatalf("script not found: %v", err)
			}
			var opts []localsectest.Option
			clockMoves := new(atomic.Int64)
			if tc.clock {
				opts, clockMoves = movableClock()
			}
			srv := cliServer(t, opts...)
			home := t.TempDir()

			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			args := []string{script}
			env := boto3Env(home)
			how := "argv[1]"
			if tc.viaEnv {
				env = append(env, "LOCALSEC_URL="+srv.URL)
				how = "LOCALSEC_URL"
			} else {
				args = append(args, srv.URL)
			}
			if tc.clock {
				env = append(env, "LOCALSEC_E2E_CLOCK_URL="+srv.URL+movableClockPath)
			}
			cmd := exec.CommandContext(ctx, python, args...)
			cmd.Env = env
			cmd.Dir = home
			out, err := cmd.CombinedOutput()
			output := cliIndent(string(out))
			var exit *exec.ExitError
			switch {
			case ctx.Err() != nil:
				t.Fatalf("python3 %s (endpoint in %s) did not finish within 3 minutes; output:\n%s", tc.script, how, output)
			case errors.As(err, &exit):
				t.Fatalf("python3 %s (endpoint in %s) exited with status %d, want 0; output:\n%s", tc.script, how, exit.ExitCode(), output)
			case err != nil:
				t.Fatalf("running python3 %s: %v; output:\n%s", tc.script, err, output)
			}
			// Exit status 0 must come from a scenario that ran to its end.
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			steps := 0
			for _, l := range lines {
				if strings.HasPrefix(l, "ok ") {
					steps++
				}
				if strings.HasPrefix(l, "FAIL") {
					t.Fatalf("python3 %s exited 0 but printed a failure; output:\n%s", tc.script, output)
				}
			}
			if last := lines[len(lines)-1]; last != tc.pass || steps < 10 {
				t.Fatalf("python3 %s exited 0 but its output does not end with %q after the steps (%d ok lines); output:\n%s",
					tc.script, tc.pass, steps, output)
			}
			if tc.clock && clockMoves.Load() == 0 {
				t.Fatalf("python3 %s never moved the test clock (LOCALSEC_E2E_CLOCK_URL); output:\n%s", tc.script, output)
			}
			t.Logf("python3 %s (endpoint in %s): %d steps passed", tc.script, how, steps)
		})
	}
}

// movableClockPath is where a script moves its test server's clock
// forward: POST ?seconds=N, answered 204. Temporary credentials expire
// after an hour, which a test cannot wait for; a localsec started by hand
// has no such path.
const movableClockPath = "/_e2e/clock"

// movableClock returns the options of a server whose clock reads the real
// time plus what was added through movableClockPath, and the number of
// moves made.
func movableClock() ([]localsectest.Option, *atomic.Int64) {
	var skew, moves atomic.Int64
	clock := localsectest.WithClock(func() time.Time { return time.Now().Add(time.Duration(skew.Load())) })
	mover := localsectest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != movableClockPath {
				next.ServeHTTP(w, r)
				return
			}
			seconds, err := strconv.Atoi(r.URL.Query().Get("seconds"))
			if r.Method != http.MethodPost || err != nil || seconds <= 0 {
				http.Error(w, "POST "+movableClockPath+"?seconds=N with N > 0", http.StatusBadRequest)
				return
			}
			skew.Add(int64(seconds) * int64(time.Second))
			moves.Add(1)
			w.WriteHeader(http.StatusNoContent)
		})
	})
	return []localsectest.Option{clock, mover}, &moves
}
