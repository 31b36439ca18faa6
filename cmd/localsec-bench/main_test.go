package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/localsec/localsec/localsectest"
)

// TestMain lets the test binary stand in for the generator as the
// ceiling and the profiled localsec child processes.
func TestMain(m *testing.M) {
	if len(os.Args) == 2 && os.Args[1] == ceilingFlag {
		if err := serveCeiling(os.Stdout); err != nil {
			os.Exit(1)
		}
		return
	}
	if len(os.Args) == 3 && os.Args[1] == serveLocalsecFlag {
		if err := serveLocalsecProfiled(os.Args[2], os.Stdout); err != nil {
			os.Exit(1)
		}
		return
	}
	os.Exit(m.Run())
}

func TestCheckLoopback(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:4566", "http://127.9.8.7", "http://[::1]:4566/", "http://localhost:4566"} {
		if err := checkLoopback(u); err != nil {
			t.Errorf("checkLoopback(%q) = %v, want nil", u, err)
		}
	}
	for _, u := range []string{"http://10.0.0.1:4566", "http://192.168.1.2", "http://[2001:db8::1]:80", "http://0.0.0.0:4566", "ftp://127.0.0.1", "http://:4566", "127.0.0.1:4566"} {
		if err := checkLoopback(u); err == nil {
			t.Errorf("checkLoopback(%q) = nil, want a refusal", u)
		}
	}
}

func TestParseOptionsRefusesRemoteTarget(t *testing.T) {
	var stderr bytes.Buffer
	_, err := parseOptions([]string{"-localsec-url", "http://10.1.2.3:4566"}, &stderr)
	if !errors.Is(err, errUsage) || !strings.Contains(stderr.String(), "not a loopback address") {
		t.Fatalf("err = %v, stderr = %q; want a usage error naming loopback", err, stderr.String())
	}
	for _, args := range [][]string{
		{"-scenario", "nope"},
		{"-targets", "localstack"},
		{"-sweep", "1,x"},
		{"-svg", "x.svg"},
		{"-n", "0"},
		{"-members", "10001"},
	} {
		if _, err := parseOptions(args, &bytes.Buffer{}); !errors.Is(err, errUsage) {
			t.Errorf("parseOptions(%q) = %v, want errUsage", args, err)
		}
	}
	o, err := parseOptions([]string{"-scenario", "all", "-targets", "localsec,ceiling,moto,ceiling", "-sweep", "1,2,4"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if len(o.scenarios) != len(scenarios) || strings.Join(o.targets, ",") != "localsec,ceiling,moto" || len(o.concurrency) != 3 {
		t.Fatalf("options = %+v", o)
	}
}

func TestPercentile(t *testing.T) {
	var lat []time.Duration
	for i := 1; i <= 200; i++ {
		lat = append(lat, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{50, 100 * time.Millisecond}, {90, 180 * time.Millisecond}, {99, 198 * time.Millisecond}, {100, 200 * time.Millisecond}, {0.1, time.Millisecond}} {
		if got := percentile(lat, c.p); got != c.want {
			t.Errorf("percentile(%v) = %v, want %v", c.p, got, c.want)
		}
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("percentile(nil) = %v", got)
	}
}

// runScenario sets s up on t and runs it for at most n requests.
func runScenario(t *testing.T, tgt *target, s *scenario, c int, n int64, d time.Duration) Result {
	t.Helper()
	ctx := context.Background()
	if err := tgt.resetState(ctx); err != nil {
		t.Fatal(err)
	}
	loop, err := s.prepare(ctx, newEnv(tgt, "us-east-1", nil), c)
	if err != nil {
		t.Fatalf("%s on %s: setup: %v", s.name, tgt.kind, err)
	}
	return runWorkers(ctx, runConfig{Concurrency: c, Duration: d, MaxRequests: n}, s.name, loop)
}

func withPagingMembers(t *testing.T, n int) {
	old := pagingMembers
	pagingMembers = n
	t.Cleanup(func() { pagingMembers = old })
}

// Every scenario runs against localsec without a single error or
// unprocessed account, and stops at its request budget.
func TestScenariosOnLocalsec(t *testing.T) {
	srv := localsectest.NewServer(localsectest.WithOrganization(orgManagement))
	defer srv.Close()
	tgt := &target{kind: kindLocalsec, url: srv.URL, client: newHTTPClient(8, nil)}
	defer tgt.client.CloseIdleConnections()
	withPagingMembers(t, 60)
	for _, s := range scenarios {
		res := runScenario(t, tgt, s, 3, 70, 20*time.Second)
		if res.Requests != 70 {
			t.Errorf("%s: %d requests, want the budget of 70", s.name, res.Requests)
		}
		if len(res.Errors) > 0 || len(res.Unprocessed) > 0 {
			t.Errorf("%s: errors %v, unprocessed %v", s.name, res.Errors, res.Unprocessed)
		}
		if res.P50ms <= 0 || res.P50ms > res.P99ms || res.P99ms > res.MaxMs || res.RequestsPerS <= 0 {
			t.Errorf("%s: implausible figures %+v", s.name, res)
		}
	}
}

// The write scenarios move to a new administrator at the quota: 1,001
// Macie members need a second administrator, and its EnableMacie is
// counted.
func TestWritesRespectQuota(t *testing.T) {
	if testing.Short() {
		t.Skip("2,000 requests")
	}
	srv := localsectest.NewServer()
	defer srv.Close()
	tgt := &target{kind: kindLocalsec, url: srv.URL, client: newHTTPClient(4, nil)}
	defer tgt.client.CloseIdleConnections()
	res := runScenario(t, tgt, findScenario("writes-macie"), 1, 2*macieMemberQuota+3, time.Minute)
	if len(res.Errors) > 0 || len(res.Unprocessed) > 0 {
		t.Fatalf("errors %v, unprocessed %v", res.Errors, res.Unprocessed)
	}
}

// The semantic checks can fail: a server that answers every call but
// lists no invitation and no member makes the lifecycles report it.
func TestLifecycleReportsMissingInvitation(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasPrefix(r.URL.Path, "/invitation"):
			_, _ = w.Write([]byte(`{"invitations":[]}`))
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/member"), r.Method == http.MethodGet && r.URL.Path == "/members":
			_, _ = w.Write([]byte(`{"members":[]}`))
		default:
			_, _ = w.Write([]byte(`{}`))
		}
	}))
	defer ts.Close()
	// Seen as localsec, whose answers the generator checks.
	tgt := &target{kind: kindLocalsec, url: ts.URL, client: newHTTPClient(4, nil)}
	defer tgt.client.CloseIdleConnections()
	res := runScenario(t, tgt, findScenario("lifecycle-mix"), 1, 14, 20*time.Second)
	if res.Errors["NoInvitation"] != 2 || res.Errors["UnexpectedMemberCount"] != 2 || len(res.Errors) != 2 {
		t.Fatalf("errors %v, want NoInvitation×2 and UnexpectedMemberCount×2", res.Errors)
	}
}

// The ceiling answers {} to everything, and every scenario runs on it
// without an error: the generator copes with empty answers.
func TestScenariosOnCeiling(t *testing.T) {
	ts := httptest.NewServer(ceilingHandler())
	defer ts.Close()
	tgt := &target{kind: kindCeiling, url: ts.URL, client: newHTTPClient(8, nil)}
	defer tgt.client.CloseIdleConnections()
	withPagingMembers(t, 20)
	for _, s := range scenarios {
		res := runScenario(t, tgt, s, 2, 40, 20*time.Second)
		if res.Requests != 40 || len(res.Errors) > 0 {
			t.Errorf("%s: %d requests, errors %v", s.name, res.Requests, res.Errors)
		}
	}
}

// A run ends at its duration when the budget is larger.
func TestRunEndsAtDuration(t *testing.T) {
	ts := httptest.NewServer(ceilingHandler())
	defer ts.Close()
	tgt := &target{kind: kindCeiling, url: ts.URL, client: newHTTPClient(4, nil)}
	defer tgt.client.CloseIdleConnections()
	start := time.Now()
	res := runScenario(t, tgt, findScenario("list-invitations"), 2, 1<<40, 300*time.Millisecond)
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("the run took %s", took)
	}
	if res.DurationS < 0.3 || res.DurationS > 5 || res.Requests == 0 {
		t.Fatalf("duration %.3fs, %d requests", res.DurationS, res.Requests)
	}
}

// The ceiling child process starts, serves, reports its CPU and memory,
// and is gone after stop.
func TestCeilingProcess(t *testing.T) {
	tgt, err := startCeiling(context.Background(), 4)
	if err != nil {
		t.Fatal(err)
	}
	pid := tgt.pid
	res := runScenario(t, tgt, findScenario("lifecycle-mix"), 2, 50, 20*time.Second)
	if res.Requests != 50 || len(res.Errors) > 0 {
		t.Errorf("%d requests, errors %v", res.Requests, res.Errors)
	}
	if rss, _, err := tgt.rssKiB(); err != nil || rss <= 0 {
		t.Errorf("rssKiB = %d, %v", rss, err)
	}
	if _, _, ok := tgt.cpu(); !ok {
		t.Error("cpu() not ok")
	}
	tgt.stop()
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("ceiling process %d still exists after stop (kill 0: %v)", pid, err)
	}
}

// The profiled localsec serves every scenario and writes a CPU profile
// when stopped.
func TestProfiledServer(t *testing.T) {
	profile := t.TempDir() + "/cpu.out"
	tgt, err := startLocalsecProfiled(context.Background(), profile, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer tgt.stop()
	if tgt.store != "memory" {
		t.Errorf("store %q, want memory", tgt.store)
	}
	res := runScenario(t, tgt, findScenario("lifecycle-mix"), 2, 50, 20*time.Second)
	if res.Requests != 50 || len(res.Errors) > 0 {
		t.Errorf("%d requests, errors %v", res.Requests, res.Errors)
	}
	tgt.stop()
	if fi, err := os.Stat(profile); err != nil || fi.Size() == 0 {
		t.Fatalf("no profile written: %v", err)
	}
}

func TestProcCPUAndRSS(t *testing.T) {
	rss, peak, err := procRSS(os.Getpid())
	if err != nil || rss <= 0 || peak < rss {
		t.Fatalf("procRSS = %d, %d, %v", rss, peak, err)
	}
	if _, err := procCPU(os.Getpid()); err != nil {
		t.Fatal(err)
	}
}

func TestPlotSVG(t *testing.T) {
	var results []Result
	for _, c := range []int{1, 2, 4, 8} {
		results = append(results,
			Result{Scenario: "lifecycle-mix", Target: kindLocalsec, Concurrency: c, RequestsPerS: float64(1000 * c)},
			Result{Scenario: "lifecycle-mix", Target: kindCeiling, Concurrency: c, RequestsPerS: float64(1500 * c)},
			Result{Scenario: "lifecycle-mix", Target: kindMoto, Concurrency: c, RequestsPerS: 300},
			Result{Scenario: "other", Target: kindLocalsec, Concurrency: c, RequestsPerS: 1e6},
		)
	}
	svg := plotSVG("lifecycle-mix", results)
	var doc struct {
		XMLName xml.Name
		Paths   []struct {
			D string `xml:"d,attr"`
		} `xml:"path"`
		Circles []struct{} `xml:"circle"`
		Texts   []string   `xml:"text"`
	}
	if err := xml.Unmarshal(svg, &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, svg)
	}
	if doc.XMLName.Local != "svg" || len(doc.Paths) != 3 || len(doc.Circles) != 12 {
		t.Fatalf("root %s, %d paths, %d points; want svg, 3, 12", doc.XMLName.Local, len(doc.Paths), len(doc.Circles))
	}
	texts := strings.Join(doc.Texts, "|")
	for _, want := range []string{"localsec", "moto_server", "ceiling", "15,000", "lifecycle-mix"} {
		if !strings.Contains(texts, want) {
			t.Errorf("no text %q in %s", want, texts)
		}
	}
	if strings.Contains(texts, "1,000,000") {
		t.Error("another scenario's figures are plotted")
	}
}

func TestNiceScale(t *testing.T) {
	for _, c := range []struct{ max, step, top float64 }{{12000, 5000, 15000}, {9.5, 2, 10}, {430, 100, 500}, {0, 1, 1}} {
		if step, top := niceScale(c.max); step != c.step || top != c.top {
			t.Errorf("niceScale(%v) = %v, %v; want %v, %v", c.max, step, top, c.step, c.top)
		}
	}
}

func TestJSONLine(t *testing.T) {
	res := Result{Kind: "run", Scenario: "list-invitations", Target: kindLocalsec, Concurrency: 8, Errors: map[string]int{"ThrottlingException": 2}}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"scenario"`, `"target"`, `"concurrency"`, `"duration_s"`, `"requests"`, `"requests_per_s"`, `"p50_ms"`, `"p90_ms"`, `"p99_ms"`, `"max_ms"`, `"errors":{"ThrottlingException":2}`} {
		if !bytes.Contains(b, []byte(key)) {
			t.Errorf("JSON line %s has no %s", b, key)
		}
	}
}

// moto_server, when it is on PATH, runs the scenarios it supports; the
// generator starts it on a free loopback port and stops it.
func TestMoto(t *testing.T) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		if os.Getenv("LOCALSEC_REQUIRE_MOTO") == "1" {
			t.Fatal("LOCALSEC_REQUIRE_MOTO=1 but moto_server is not on PATH")
		}
		t.Skip("moto_server is not on PATH")
	}
	if testing.Short() {
		t.Skip("starting moto takes seconds")
	}
	tgt, err := startMoto(context.Background(), bin, 4)
	if err != nil {
		t.Fatal(err)
	}
	pid := tgt.pid
	defer tgt.stop()
	for _, s := range scenarios {
		if s.moto == "" {
			continue
		}
		res := runScenario(t, tgt, s, 2, 24, 30*time.Second)
		if res.Requests != 24 {
			t.Errorf("%s: %d requests", s.name, res.Requests)
		}
		for code := range res.Errors {
			// moto's DeleteMember after DisassociateMember (see the
			// scenario's note) is its only expected error.
			if s.name != "lifecycle-macie" || code != "ResourceNotFoundException" {
				t.Errorf("%s on moto: errors %v", s.name, res.Errors)
			}
		}
	}
	tgt.stop()
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("moto process %d still exists after stop (kill 0: %v)", pid, err)
	}
}

// -replot reads saved JSON lines and writes the summary and one plot per
// scenario found.
func TestReplot(t *testing.T) {
	dir := t.TempDir()
	var lines bytes.Buffer
	enc := json.NewEncoder(&lines)
	for _, r := range []Result{
		{Kind: "run", Scenario: "lifecycle-mix", Target: kindLocalsec, Concurrency: 1, RequestsPerS: 100, Repeat: 1},
		{Kind: "run", Scenario: "lifecycle-mix", Target: kindLocalsec, Concurrency: 1, RequestsPerS: 300, Repeat: 2},
		{Kind: "run", Scenario: "lifecycle-mix", Target: kindLocalsec, Concurrency: 1, RequestsPerS: 200, Repeat: 3},
		{Kind: "run", Scenario: "lifecycle-mix", Target: kindCeiling, Concurrency: 1, RequestsPerS: 400},
		{Kind: "run", Scenario: "list-invitations", Target: kindLocalsec, Concurrency: 1, RequestsPerS: 50},
	} {
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
	}
	in := dir + "/runs.jsonl"
	if err := os.WriteFile(in, lines.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"-replot", in, "-scenario", "all", "-svg", dir + "/p.svg"}, &bytes.Buffer{}, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "lifecycle-mix at concurrency 1: localsec is 50% of the ceiling") {
		t.Errorf("summary:\n%s", stderr.String())
	}
	for _, name := range []string{"p-lifecycle-mix.svg", "p-list-invitations.svg"} {
		if _, err := os.Stat(dir + "/" + name); err != nil {
			t.Error(err)
		}
	}
	if _, err := os.Stat(dir + "/p-writes-macie.svg"); err == nil {
		t.Error("a plot for a scenario without runs")
	}
}
