// The aws CLI harness of the end-to-end tests: it runs the real aws binary
// against a localsec started in-process. A test that needs an external tool
// skips when the tool is not on PATH, unless LOCALSEC_REQUIRE_<TOOL>=1 is
// set, in which case it fails.

package e2e_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/localsec/localsec/localsectest"
)

// cliRequireTool returns the path of tool on PATH. When it is absent the test
// is skipped, or fails if the environment variable requireVar is "1".
func cliRequireTool(t *testing.T, tool, requireVar string) string {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv(requireVar) == "1" {
			t.Fatalf("%s not found on PATH and %s=1: %v", tool, requireVar, err)
		}
		t.Skipf("%s not found on PATH (set %s=1 to make this a failure): %v", tool, requireVar, err)
	}
	return path
}

// cliLogBuffer collects a server's log; the test prints it if it fails.
type cliLogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *cliLogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *cliLogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// cliServer starts an in-process localsec whose access log is printed if
// the test fails, and closed when it ends.
func cliServer(t *testing.T, opts ...localsectest.Option) *localsectest.Server {
	t.Helper()
	logs := &cliLogBuffer{}
	opts = append([]localsectest.Option{localsectest.WithLogger(slog.New(slog.NewTextHandler(logs, nil)))}, opts...)
	srv := localsectest.NewServer(opts...)
	t.Cleanup(func() {
		srv.Close()
		if t.Failed() {
			t.Logf("localsec log:\n%s", logs.String())
		}
	})
	return srv
}

// cliEndpointMode is how an aws process is pointed at localsec.
type cliEndpointMode int

const (
	// cliViaFlag passes --endpoint-url.
	cliViaFlag cliEndpointMode = iota
	// cliViaEnv sets AWS_ENDPOINT_URL_MACIE2, the service-specific endpoint
	// variable of the SDKs and CLIs.
	cliViaEnv
	// cliViaGlobalEnv sets AWS_ENDPOINT_URL, the endpoint of every service.
	cliViaGlobalEnv
)

func (m cliEndpointMode) String() string {
	switch m {
	case cliViaEnv:
		return "AWS_ENDPOINT_URL_MACIE2"
	case cliViaGlobalEnv:
		return "AWS_ENDPOINT_URL"
	}
	return "--endpoint-url"
}

// awsCLI runs the aws binary against one localsec.
type awsCLI struct {
	bin      string
	endpoint string
	home     string
}

// newAWSCLI finds the aws CLI (see cliRequireTool), starts a localsec for
// it (see cliServer) and prepares an empty home directory for its processes.
func newAWSCLI(t *testing.T, opts ...localsectest.Option) *awsCLI {
	t.Helper()
	bin := cliRequireTool(t, "aws", "LOCALSEC_REQUIRE_AWSCLI")
	return &awsCLI{
		bin:      bin,
		endpoint: cliServer(t, opts...).URL,
		home:     t.TempDir(),
	}
}

// as returns a caller that signs as account (the access key id) and
// reaches localsec the way mode says.
func (c *awsCLI) as(account string, mode cliEndpointMode) *cliCaller {
	return &cliCaller{cli: c, account: account, mode: mode}
}

// cliCaller is one account using the aws CLI.
type cliCaller struct {
	cli     *awsCLI
	account string
	mode    cliEndpointMode
}

// via returns the same account reaching localsec the other way.
func (a *cliCaller) via(mode cliEndpointMode) *cliCaller {
	return &cliCaller{cli: a.cli, account: a.account, mode: mode}
}

// cliResult is what one aws process did.
type cliResult struct {
	args     []string
	env      []string // the AWS_* part of the environment
	stdout   string
	stderr   string
	exitCode int
	err      error
}

// String shows the command, how it ended, its stdout and its stderr, for
// failure messages.
func (r *cliResult) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "command: %s %s\n", strings.Join(r.env, " "), cliShellJoin(r.args))
	fmt.Fprintf(&b, "exit code: %d", r.exitCode)
	if r.err != nil {
		fmt.Fprintf(&b, " (%v)", r.err)
	}
	fmt.Fprintf(&b, "\nstdout:\n%s\nstderr:\n%s", cliIndent(r.stdout), cliIndent(r.stderr))
	return b.String()
}

// expect fails the test, showing the command, when cond is false.
func (r *cliResult) expect(t *testing.T, cond bool, format string, args ...any) {
	t.Helper()
	if !cond {
		t.Fatalf("%s\n%s", fmt.Sprintf(format, args...), r)
	}
}

// cliEqual fails the test, showing the command, when got != want.
func cliEqual[T comparable](t *testing.T, r *cliResult, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Fatalf("%s = %#v, want %#v\n%s", what, got, want, r)
	}
}

// run runs `aws macie2 <args> --output json` as the caller (see cliExec).
func (a *cliCaller) run(t *testing.T, args ...string) *cliResult {
	t.Helper()
	return cliExec(t, a.cli, "macie2", a.account, a.mode, args...)
}

// cliExec runs `aws <service> <args> --output json` as account in a clean
// environment: an empty HOME, config and credentials files that do not
// exist, no profile, the account as access key id, us-east-1; localsec is
// reached the way mode says.
func cliExec(t *testing.T, c *awsCLI, service, account string, mode cliEndpointMode, args ...string) *cliResult {
	t.Helper()
	full := append([]string{service}, args...)
	full = append(full, "--output", "json")
	awsEnv := []string{
		"AWS_ACCESS_KEY_ID=" + account,
		"AWS_SECRET_ACCESS_KEY=localsec-secret-" + account,
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + filepath.Join(c.home, "nonexistent", "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(c.home, "nonexistent", "credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_MAX_ATTEMPTS=1",
		"AWS_PAGER=",
	}
	switch mode {
	case cliViaFlag:
		full = append(full, "--endpoint-url", c.endpoint)
	case cliViaEnv:
		awsEnv = append(awsEnv, "AWS_ENDPOINT_URL_"+strings.ToUpper(service)+"="+c.endpoint)
	case cliViaGlobalEnv:
		awsEnv = append(awsEnv, "AWS_ENDPOINT_URL="+c.endpoint)
	}
	return c.runAWS(t, full, awsEnv)
}

// runAWS runs the aws binary with the arguments full in the CLI's home
// directory. Its environment is awsEnv and, from this process, only what
// the CLI's interpreter needs to start; a run longer than 2 minutes is
// killed.
func (c *awsCLI) runAWS(t *testing.T, full, awsEnv []string) *cliResult {
	t.Helper()
	env := []string{"HOME=" + c.home}
	for _, name := range []string{"PATH", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP", "LANG", "LC_ALL", "PYENV_ROOT", "PYENV_VERSION"} {
		if v, ok := os.LookupEnv(name); ok {
			env = append(env, name+"="+v)
		}
	}
	env = append(env, awsEnv...)

	cmd := exec.Command(c.bin, full...)
	cmd.Env = env
	cmd.Dir = c.home
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting aws %s: %v", cliShellJoin(full), err)
	}
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		err = fmt.Errorf("killed after 2 minutes: %v", <-done)
	}
	return &cliResult{
		args:     append([]string{"aws"}, full...),
		env:      awsEnv,
		stdout:   stdout.String(),
		stderr:   stderr.String(),
		exitCode: processExitCode(err),
		err:      err,
	}
}

// processExitCode is the exit status of a process whose Wait or Run
// returned err: 0 for nil, the status it exited with, or -1 when it did
// not run or did not exit by itself.
func processExitCode(err error) int {
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.ExitCode()
	}
	return -1
}

// succeeded fails the test unless the command succeeded, then decodes its
// JSON output into out (nil: not decoded; an empty output decodes as {}).
// who is the command and its caller, for the failure message.
func (r *cliResult) succeeded(t *testing.T, out any, who string) *cliResult {
	t.Helper()
	r.expect(t, r.err == nil, "%s failed, want success", who)
	if out != nil {
		data := strings.TrimSpace(r.stdout)
		if data == "" {
			data = "{}"
		}
		if err := json.Unmarshal([]byte(data), out); err != nil {
			t.Fatalf("stdout is not the JSON expected: %v\n%s", err, r)
		}
	}
	return r
}

// ok runs a command that must succeed and decodes its JSON output into out
// (nil: the output is not decoded). An empty output decodes as {}.
func (a *cliCaller) ok(t *testing.T, out any, args ...string) *cliResult {
	t.Helper()
	return a.run(t, args...).succeeded(t, out, fmt.Sprintf("aws as %s (%s)", a.account, a.mode))
}

// fails runs a command that must fail with the error code exception and a
// message containing message, as the CLI prints them on stderr.
func (a *cliCaller) fails(t *testing.T, exception, message string, args ...string) *cliResult {
	t.Helper()
	r := a.run(t, args...)
	r.expect(t, r.err != nil && r.exitCode > 0, "aws as %s (%s) succeeded or did not run, want %s", a.account, a.mode, exception)
	r.expect(t, strings.Contains(r.stderr, "("+exception+")"), "stderr does not name the error code %s", exception)
	r.expect(t, strings.Contains(r.stderr, message), "stderr does not contain the message %q", message)
	r.expect(t, strings.TrimSpace(r.stdout) == "", "stdout is not empty on an error")
	return r
}

func cliShellJoin(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$`*?[]{}()<>|&;#~=,") && !strings.HasPrefix(a, "--") {
			quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		} else {
			quoted[i] = a
		}
	}
	return strings.Join(quoted, " ")
}

func cliIndent(s string) string {
	if strings.TrimSpace(s) == "" {
		return "    (empty)"
	}
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}
