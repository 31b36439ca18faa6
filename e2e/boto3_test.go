package e2e_test

// Runs the boto3 scripts of scripts/boto3 with the machine's python3
// against an in-process localsec each. They skip when python3 or boto3 is
// missing, unless LOCALSEC_REQUIRE_BOTO3=1, in which case they fail.

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
		pass   string
	}{
		{script: "macie2_two_accounts.py", pass: "PASS: macie2 two-account scenario"},
		{script: "guardduty_two_accounts.py", viaEnv: true, pass: "PASS: guardduty two-account scenario"},
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
			srv := cliServer(t)
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
			t.Logf("python3 %s (endpoint in %s): %d steps passed", tc.script, how, steps)
		})
	}
}
