package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/localsec/localsec/internal/server"
)

// lockedBuffer is a bytes.Buffer that a logger may write while a test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitReady reads lines from r until the line "Ready." and returns the URL
// announced on the line before it. It keeps draining r in the background
// afterwards, so that the writer never blocks. It fails the test if r ends
// first or nothing arrives within the timeout.
func waitReady(t *testing.T, r io.Reader) string {
	t.Helper()
	type result struct {
		url   string
		lines []string
		err   error
	}
	done := make(chan result, 1)
	go func() {
		sc := bufio.NewScanner(r)
		var lines []string
		for sc.Scan() {
			line := sc.Text()
			if line == "Ready." {
				url := ""
				if len(lines) > 0 {
					prev := lines[len(lines)-1]
					if i := strings.LastIndex(prev, " listening on "); i >= 0 {
						url = prev[i+len(" listening on "):]
					}
				}
				done <- result{url: url, lines: lines}
				_, _ = io.Copy(io.Discard, r)
				return
			}
			lines = append(lines, line)
		}
		done <- result{lines: lines, err: fmt.Errorf("stdout ended before \"Ready.\" (scan error: %v)", sc.Err())}
	}()
	select {
	case res := <-done:
		if res.err != nil {
			t.Fatalf("%v; stdout so far: %q", res.err, res.lines)
		}
		if !strings.HasPrefix(res.url, "http://127.0.0.1:") || strings.HasSuffix(res.url, ":0") {
			t.Fatalf("line before \"Ready.\" does not announce a 127.0.0.1 URL with a real port: %q", res.lines)
		}
		if want := "localsec " + server.Version + " listening on " + res.url; res.lines[len(res.lines)-1] != want {
			t.Errorf("announce line = %q, want %q", res.lines[len(res.lines)-1], want)
		}
		return res.url
	case <-time.After(30 * time.Second):
		t.Fatal("no \"Ready.\" line on stdout within 30s")
		return ""
	}
}

// getHealth GETs /_localsec/health and checks the answer.
func getHealth(t *testing.T, client *http.Client, url string) {
	t.Helper()
	resp, err := client.Get(url + "/_localsec/health")
	if err != nil {
		t.Fatalf("GET /_localsec/health: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the health body: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /_localsec/health: status %d, body %s", resp.StatusCode, body)
	}
	var h struct {
		Status   string            `json:"status"`
		Services map[string]string `json:"services"`
		Version  string            `json:"version"`
	}
	if err := json.Unmarshal(body, &h); err != nil {
		t.Fatalf("health body is not JSON: %v: %s", err, body)
	}
	if h.Status != "running" || h.Services["macie2"] != "running" || h.Version != server.Version {
		t.Errorf("health = %s, want status running, services.macie2 running, version %s", body, server.Version)
	}
}

// signedGet sends a SigV4-signed GET for service macie2 as accessKey and
// returns the status and the x-amzn-RequestId of the answer.
func signedGet(t *testing.T, client *http.Client, url, path, accessKey string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	emptySHA := sha256.Sum256(nil)
	creds := aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: "localsec-secret"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(emptySHA[:]), "macie2", "us-east-1", time.Now()); err != nil {
		t.Fatalf("signing: %v", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("x-amzn-RequestId")
}

func TestRunServesAndShutsDownOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	stderr := &lockedBuffer{}
	errc := make(chan error, 1)
	go func() {
		err := run(ctx, []string{"--addr", "127.0.0.1:0"}, envMap(nil), pw, stderr)
		pw.CloseWithError(fmt.Errorf("run returned %v", err))
		errc <- err
	}()

	url := waitReady(t, pr)
	client := &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	getHealth(t, client, url)
	status, requestID := signedGet(t, client, url, "/macie", "111111111111")
	if status != http.StatusForbidden {
		t.Errorf("GetMacieSession before EnableMacie: status %d, want 403 (Macie is not enabled)", status)
	}
	if requestID == "" {
		t.Errorf("answer has no x-amzn-RequestId header")
	}

	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("run returned %v after the context was cancelled, want nil", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return within 15s of the context being cancelled")
	}

	// The listener is closed after a clean shutdown.
	if resp, err := client.Get(url + "/_localsec/health"); err == nil {
		resp.Body.Close()
		t.Errorf("GET after shutdown succeeded with status %d, want a connection error", resp.StatusCode)
	}

	// Default log format is text, one access log line per request.
	logs := stderr.String()
	for _, want := range []string{
		"msg=\"localsec started\"",
		"msg=request request_id=" + requestID + " method=GET path=/macie account=111111111111 region=us-east-1 service=macie2 operation=GetMacieSession status=403 latency=",
		"service=localsec operation=Health status=200 latency=",
		"msg=\"localsec shutting down\"",
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("stderr does not contain %q:\n%s", want, logs)
		}
	}
}

func TestRunListenError(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"--addr", "127.0.0.1:notaport"}, envMap(nil), &stdout, &stderr)
	if err == nil {
		t.Fatal("run with an unusable address returned nil")
	}
	if strings.Contains(stdout.String(), "Ready.") {
		t.Errorf("run printed Ready. although it could not listen: %q", stdout.String())
	}
}

func TestRunBadConfig(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), nil, envMap(map[string]string{"LOCALSEC_LOG_FORMAT": "yaml"}), &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "--log-format") {
		t.Fatalf("run with LOCALSEC_LOG_FORMAT=yaml returned %v, want a --log-format error", err)
	}
	if stdout.Len() != 0 {
		t.Errorf("run wrote to stdout on a config error: %q", stdout.String())
	}
}

func TestRunVersion(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"--version"}, envMap(nil), &stdout, &stderr); err != nil {
		t.Fatalf("run --version: %v", err)
	}
	if got, want := stdout.String(), "localsec "+server.Version+"\n"; got != want {
		t.Errorf("run --version printed %q, want %q", got, want)
	}
}

// buildBinary builds ./cmd/localsec into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not on PATH: cannot build the binary")
	}
	bin := filepath.Join(t.TempDir(), "localsec")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	cmd := exec.Command(goTool, "build", "-o", bin, ".")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func TestBinary(t *testing.T) {
	bin := buildBinary(t)

	t.Run("version", func(t *testing.T) {
		out, err := exec.Command(bin, "--version").CombinedOutput()
		if err != nil {
			t.Fatalf("localsec --version: %v\n%s", err, out)
		}
		if got, want := string(out), "localsec "+server.Version+"\n"; got != want {
			t.Errorf("localsec --version printed %q, want %q", got, want)
		}
	})

	t.Run("bad flag exits 1", func(t *testing.T) {
		var stderr bytes.Buffer
		cmd := exec.Command(bin, "--log-level", "loud")
		cmd.Stderr = &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Fatalf("localsec --log-level loud: %v, want exit status 1", err)
		}
		if !strings.Contains(stderr.String(), "localsec: --log-level") {
			t.Errorf("stderr = %q, want the error prefixed with \"localsec:\"", stderr.String())
		}
	})

	t.Run("help exits 0", func(t *testing.T) {
		out, err := exec.Command(bin, "-help").CombinedOutput()
		if err != nil {
			t.Fatalf("localsec -help: %v\n%s", err, out)
		}
		if !strings.Contains(string(out), "Usage: localsec") {
			t.Errorf("localsec -help printed no usage: %s", out)
		}
	})

	t.Run("SIGTERM", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("no SIGTERM on windows")
		}
		cmd := exec.Command(bin, "--addr", "127.0.0.1:0")
		// The flag must beat the environment; the rest comes from it.
		cmd.Env = append(os.Environ(), "LOCALSEC_ADDR=127.0.0.1:1", "LOCALSEC_LOG_FORMAT=json", "LOCALSEC_ACCESS_KEYS=AKIDMEMBER=222222222222")
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		stderr := &lockedBuffer{}
		cmd.Stderr = stderr
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting localsec: %v", err)
		}
		waited := false
		defer func() {
			if !waited {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
			}
		}()

		url := waitReady(t, stdout)
		client := &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}
		defer client.CloseIdleConnections()
		getHealth(t, client, url)
		status, requestID := signedGet(t, client, url, "/macie", "AKIDMEMBER")
		if status != http.StatusForbidden {
			t.Errorf("GetMacieSession before EnableMacie: status %d, want 403", status)
		}

		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatalf("sending SIGTERM: %v", err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		select {
		case err := <-exited:
			waited = true
			if err != nil {
				t.Fatalf("localsec exited with %v after SIGTERM, want exit status 0\nstderr:\n%s", err, stderr.String())
			}
		case <-time.After(15 * time.Second):
			t.Fatalf("localsec did not exit within 15s of SIGTERM\nstderr:\n%s", stderr.String())
		}
		if code := cmd.ProcessState.ExitCode(); code != 0 {
			t.Errorf("exit code %d, want 0", code)
		}

		// Find the access log line of the signed request: JSON, with the
		// account the access key maps to.
		var found map[string]any
		for _, line := range strings.Split(stderr.String(), "\n") {
			if strings.TrimSpace(line) == "" {
				continue
			}
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Errorf("stderr line is not JSON (--log-format json from LOCALSEC_LOG_FORMAT): %q", line)
				continue
			}
			if rec["msg"] == "request" && rec["request_id"] == requestID {
				found = rec
			}
		}
		if found == nil {
			t.Fatalf("no access log line with request_id %q on stderr:\n%s", requestID, stderr.String())
		}
		want := map[string]any{
			"level":     "INFO",
			"method":    "GET",
			"path":      "/macie",
			"account":   "222222222222",
			"region":    "us-east-1",
			"service":   "macie2",
			"operation": "GetMacieSession",
			"status":    float64(http.StatusForbidden),
		}
		for k, v := range want {
			if found[k] != v {
				t.Errorf("access log %s = %#v, want %#v (line %v)", k, found[k], v, found)
			}
		}
		if lat, ok := found["latency"].(float64); !ok || lat <= 0 {
			t.Errorf("access log latency = %#v, want a positive duration (line %v)", found["latency"], found)
		}
		if _, ok := found["time"].(string); !ok {
			t.Errorf("access log has no time: %v", found)
		}
	})
}
