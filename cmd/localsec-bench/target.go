package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Target kinds.
const (
	kindLocalsec = "localsec"
	kindCeiling  = "ceiling"
	kindMoto     = "moto"
)

// target is a server under load.
type target struct {
	kind string
	url  string
	// store is the localsec store the health endpoint names.
	store string
	// pid is the server's process when the generator started it (0 for
	// a server it did not start).
	pid    int
	cmd    *exec.Cmd
	client *http.Client
	// stdout keeps the child's output flowing after its ready line.
	waitDone chan struct{}
}

// Loopback-only: the generator never loads a server it cannot prove is
// on this machine.

// checkLoopback refuses any URL whose host is not a loopback address
// (127.0.0.0/8, ::1, or a name that resolves only to those).
func checkLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("target %q: %v", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("target %q: the scheme must be http or https", raw)
	}
	host := u.Hostname()
	if host == "" {
		return fmt.Errorf("target %q has no host", raw)
	}
	if ip := net.ParseIP(host); ip != nil {
		if !ip.IsLoopback() {
			return fmt.Errorf("target %q is not a loopback address: localsec-bench only loads servers on this machine", raw)
		}
		return nil
	}
	ips, err := net.LookupIP(host)
	if err != nil {
		return fmt.Errorf("target %q: %v", raw, err)
	}
	if len(ips) == 0 {
		return fmt.Errorf("target %q resolves to no address", raw)
	}
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return fmt.Errorf("target %q resolves to %s, which is not a loopback address: localsec-bench only loads servers on this machine", raw, ip)
		}
	}
	return nil
}

// newHTTPClient is the client of one target: keep-alive connections,
// enough idle ones for the concurrency, no proxy (a proxy would take the
// load off this machine), no compression.
func newHTTPClient(maxConns int, wrap func(http.RoundTripper) http.RoundTripper) *http.Client {
	var tr http.RoundTripper = &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        maxConns,
		MaxIdleConnsPerHost: maxConns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}
	if wrap != nil {
		tr = wrap(tr)
	}
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

// motoAccounts passes the caller's account to moto, which keys its state
// by the x-moto-account-id header: the access key of every request the
// generator signs is the 12-digit account id.
type motoAccounts struct{ next http.RoundTripper }

var credentialRE = regexp.MustCompile(`Credential=([^/]+)/`)

func (m motoAccounts) RoundTrip(r *http.Request) (*http.Response, error) {
	if sub := credentialRE.FindStringSubmatch(r.Header.Get("Authorization")); sub != nil {
		r = r.Clone(r.Context())
		r.Header.Set("x-moto-account-id", sub[1])
	}
	return m.next.RoundTrip(r)
}

// resetState forgets the target's state between runs.
func (t *target) resetState(ctx context.Context) error {
	var path string
	switch t.kind {
	case kindLocalsec:
		path = "/_localsec/reset"
	case kindMoto:
		path = "/moto-api/reset"
	default:
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url+path, nil)
	if err != nil {
		return err
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return fmt.Errorf("reset %s: %w", t.kind, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("reset %s: %s", t.kind, resp.Status)
	}
	return nil
}

// rssKiB returns the server's resident set (VmRSS) and its peak (VmHWM),
// when the generator started it.
func (t *target) rssKiB() (rss, peak int64, err error) {
	if t.pid == 0 {
		return 0, 0, errors.New("not started by the generator")
	}
	return procRSS(t.pid)
}

// procRSS reads VmRSS and VmHWM of pid from /proc/<pid>/status.
func procRSS(pid int) (rss, peak int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	rss, peak = -1, -1
	for line := range strings.SplitSeq(string(b), "\n") {
		name, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(val)
		if len(f) == 0 {
			continue
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			continue
		}
		switch name {
		case "VmRSS":
			rss = n
		case "VmHWM":
			peak = n
		}
	}
	if rss < 0 {
		return 0, 0, fmt.Errorf("/proc/%d/status has no VmRSS", pid)
	}
	return rss, peak, nil
}

// procCPU returns the user+system CPU time pid has used, from
// /proc/<pid>/stat (in clock ticks of 1/100 s).
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state): utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// selfCPU returns the user+system CPU time this process has used.
func selfCPU() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, err
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}

// cpu reads the CPU time of the server (when the generator started it)
// and of the generator.
func (t *target) cpu() (server, generator time.Duration, ok bool) {
	if t.pid == 0 {
		return 0, 0, false
	}
	server, err := procCPU(t.pid)
	if err != nil {
		return 0, 0, false
	}
	generator, err = selfCPU()
	return server, generator, err == nil
}

// stop ends a server the generator started: SIGTERM to its process
// group, SIGKILL after 5 s.
func (t *target) stop() {
	if t.client != nil {
		t.client.CloseIdleConnections()
	}
	if t.cmd == nil || t.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-t.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-t.waitDone:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-t.cmd.Process.Pid, syscall.SIGKILL)
		<-t.waitDone
	}
}

// startChild starts a server command in its own process group and waits
// for readyRE on its stdout or stderr (group 1 is the URL, if any).
// Output after the ready line is discarded.
func startChild(ctx context.Context, kind string, cmd *exec.Cmd, readyRE *regexp.Regexp, timeout time.Duration) (*target, string, error) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	pr, pw := io.Pipe()
	cmd.Stdout = pw
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("start %s: %w", kind, err)
	}
	t := &target{kind: kind, cmd: cmd, pid: cmd.Process.Pid, waitDone: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		pw.Close()
		close(t.waitDone)
	}()
	found := make(chan string, 1)
	var tail strings.Builder
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			if sent {
				continue
			}
			if tail.Len() < 8<<10 {
				tail.WriteString(line + "\n")
			}
			if m := readyRE.FindStringSubmatch(line); m != nil {
				url := ""
				if len(m) > 1 {
					url = m[1]
				}
				found <- url
				sent = true
			}
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case u := <-found:
		return t, u, nil
	case <-t.waitDone:
		return nil, "", fmt.Errorf("%s exited before it was ready: %s", kind, strings.TrimSpace(tail.String()))
	case <-timer.C:
	case <-ctx.Done():
	}
	t.stop()
	return nil, "", fmt.Errorf("%s was not ready within %s", kind, timeout)
}

var localsecReadyRE = regexp.MustCompile(`listening on (http://\S+)`)

// startLocalsec starts the localsec binary on a free loopback port with
// the access log off. The organization's management account is set so
// that the list-members scenario can hold 10,000 members (Macie's quota
// for a delegated administrator; 1,000 otherwise).
func startLocalsec(ctx context.Context, bin, store string, maxConns int) (*target, error) {
	args := []string{"--addr", "127.0.0.1:0", "--log-level", "warn", "--org-management-account", orgManagement}
	if store != "" {
		args = append(args, "--store", store)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = withoutLocalsecEnv(os.Environ())
	t, u, err := startChild(ctx, kindLocalsec, cmd, localsecReadyRE, 30*time.Second)
	if err != nil {
		return nil, err
	}
	t.url = u
	t.client = newHTTPClient(maxConns, nil)
	if err := checkLoopback(t.url); err != nil {
		t.stop()
		return nil, err
	}
	t.store, err = healthStore(ctx, t.client, t.url)
	if err != nil {
		t.stop()
		return nil, err
	}
	return t, nil
}

// withoutLocalsecEnv drops LOCALSEC_* variables, so that the server runs
// with the flags the generator gives and nothing else.
func withoutLocalsecEnv(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, "LOCALSEC_") {
			out = append(out, kv)
		}
	}
	return out
}

// healthStore asks a localsec for its health and returns its store kind.
func healthStore(ctx context.Context, c *http.Client, base string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/_localsec/health", nil)
	if err != nil {
		return "", err
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("localsec health: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("localsec health: %s", resp.Status)
	}
	if m := regexp.MustCompile(`"store":"([^"]*)"`).FindSubmatch(b); m != nil {
		return string(m[1]), nil
	}
	return "", nil
}

// useLocalsec loads an already running localsec at rawURL.
func useLocalsec(ctx context.Context, rawURL string, maxConns int) (*target, error) {
	if err := checkLoopback(rawURL); err != nil {
		return nil, err
	}
	t := &target{kind: kindLocalsec, url: strings.TrimRight(rawURL, "/"), client: newHTTPClient(maxConns, nil)}
	var err error
	if t.store, err = healthStore(ctx, t.client, t.url); err != nil {
		return nil, err
	}
	return t, nil
}

var ceilingReadyRE = regexp.MustCompile(`^ceiling ready on (http://\S+)`)

// startCeiling starts this program again as the trivial server (a
// process of its own, like localsec).
func startCeiling(ctx context.Context, maxConns int) (*target, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, ceilingFlag)
	t, u, err := startChild(ctx, kindCeiling, cmd, ceilingReadyRE, 30*time.Second)
	if err != nil {
		return nil, err
	}
	t.url = u
	t.client = newHTTPClient(maxConns, nil)
	return t, nil
}

// ceilingFlag makes the program serve as the ceiling instead.
const ceilingFlag = "-serve-ceiling"

// ceilingBody is the ceiling's answer to every request.
var ceilingBody = []byte("{}")

// ceilingHandler answers every request with a fixed small JSON body.
func ceilingHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", "2")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(ceilingBody)
	})
}

// serveCeiling is the ceiling process: it serves on a free loopback port
// with the settings localsec's binary uses, until SIGTERM.
func serveCeiling(stdout io.Writer) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           ceilingHandler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	fmt.Fprintf(stdout, "ceiling ready on http://%s\n", ln.Addr())
	return srv.Serve(ln)
}

// startMoto starts moto_server on a free loopback port and waits until it
// answers.
func startMoto(ctx context.Context, bin string, maxConns int) (*target, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	// moto prints " * Running on http://127.0.0.1:PORT" once it listens.
	t, _, err := startChild(ctx, kindMoto, cmd, regexp.MustCompile(`Running on (http://\S+)`), 120*time.Second)
	if err != nil {
		return nil, err
	}
	t.url = fmt.Sprintf("http://127.0.0.1:%d", port)
	t.client = newHTTPClient(maxConns, func(rt http.RoundTripper) http.RoundTripper { return motoAccounts{rt} })
	if err := waitHTTP(ctx, t.client, t.url+"/moto-api/", 60*time.Second); err != nil {
		t.stop()
		return nil, err
	}
	return t, nil
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitHTTP polls url until it answers 2xx.
func waitHTTP(ctx context.Context, c *http.Client, url string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := c.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode/100 == 2 {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer within %s", url, timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}
