package main

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/localsec/localsec/localsectest"
)

// TestProfileLoad is a profiling harness, not a check: it runs a scenario
// for a while against localsec in this process, so that go test's
// -cpuprofile and -memprofile see the server under load (focus on
// net/http.(*conn).serve for the server side). It runs only when
// LOCALSEC_BENCH_PROFILE names a scenario:
//
//	LOCALSEC_BENCH_PROFILE=lifecycle-mix go test -run TestProfileLoad \
//	    -cpuprofile /tmp/cpu.out ./cmd/localsec-bench/
//	go tool pprof -top -focus 'conn..serve' /tmp/cpu.out
//
// LOCALSEC_BENCH_PROFILE_C sets the concurrency (default 8) and
// LOCALSEC_BENCH_PROFILE_D the duration (default 10s).
func TestProfileLoad(t *testing.T) {
	name := os.Getenv("LOCALSEC_BENCH_PROFILE")
	if name == "" {
		t.Skip("set LOCALSEC_BENCH_PROFILE to a scenario to profile it")
	}
	s := findScenario(name)
	if s == nil {
		t.Fatalf("unknown scenario %q", name)
	}
	c, d := 8, 10*time.Second
	if v := os.Getenv("LOCALSEC_BENCH_PROFILE_C"); v != "" {
		var err error
		if c, err = strconv.Atoi(v); err != nil {
			t.Fatal(err)
		}
	}
	if v := os.Getenv("LOCALSEC_BENCH_PROFILE_D"); v != "" {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			t.Fatal(err)
		}
	}
	srv := localsectest.NewServer(localsectest.WithOrganization(orgManagement))
	defer srv.Close()
	tgt := &target{kind: kindLocalsec, url: srv.URL, client: newHTTPClient(c+setupConcurrency, nil)}
	defer tgt.client.CloseIdleConnections()
	res := runScenario(t, tgt, s, c, 1<<40, d)
	t.Logf("%s at concurrency %d in process: %.0f req/s, p50 %.3f ms, p99 %.3f ms, errors %v", name, c, res.RequestsPerS, res.P50ms, res.P99ms, res.Errors)
	if len(res.Errors) > 0 {
		t.Errorf("errors: %v", res.Errors)
	}
}
