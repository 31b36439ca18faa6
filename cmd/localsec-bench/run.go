package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/smithy-go"
)

// errStop tells a worker that the run is over: its time or its request
// budget is spent.
var errStop = errors.New("run over")

// runConfig is one run: a scenario against a target at a concurrency.
type runConfig struct {
	Concurrency int
	Duration    time.Duration
	// Warmup is how long the workers run before measuring starts.
	Warmup time.Duration
	// MaxRequests bounds the measured requests; the run ends at the
	// first of Duration and MaxRequests.
	MaxRequests int64
	// Progress, when not nil, receives a progress line every second.
	Progress io.Writer
	// CPU, when not nil, reads the CPU time the server and the
	// generator have used so far; it is read when measuring starts and
	// when the run ends.
	CPU func() (server, generator time.Duration, ok bool)
}

// Result is one run's line of JSON.
type Result struct {
	Kind         string         `json:"kind"`
	Scenario     string         `json:"scenario"`
	Target       string         `json:"target"`
	Store        string         `json:"store,omitempty"`
	Concurrency  int            `json:"concurrency"`
	DurationS    float64        `json:"duration_s"`
	Requests     int64          `json:"requests"`
	RequestsPerS float64        `json:"requests_per_s"`
	P50ms        float64        `json:"p50_ms"`
	P90ms        float64        `json:"p90_ms"`
	P99ms        float64        `json:"p99_ms"`
	MaxMs        float64        `json:"max_ms"`
	Errors       map[string]int `json:"errors"`
	Unprocessed  map[string]int `json:"unprocessed,omitempty"`
	// ServerCPUus and GeneratorCPUus are the CPU time (user+system) the
	// server process and the generator used per measured request.
	ServerCPUus    float64 `json:"server_cpu_us_per_request,omitempty"`
	GeneratorCPUus float64 `json:"generator_cpu_us_per_request,omitempty"`
	ServerRSSKiB   int64   `json:"server_rss_kib,omitempty"`
	Note           string  `json:"note,omitempty"`
	// Repeat numbers the run among the -repeat runs of the same
	// scenario, target and concurrency; Runs, in the summary only, says
	// of how many runs it is the median.
	Repeat int `json:"repeat,omitempty"`
	Runs   int `json:"-"`
}

// workerStats is what one worker saw; only its own goroutine writes it.
type workerStats struct {
	lat         []time.Duration
	errs        map[string]int
	unprocessed map[string]int
}

// runner times the requests of one run.
type runner struct {
	cfg      runConfig
	measure  time.Time // measuring starts here
	deadline time.Time // no request starts after this
	budget   atomic.Int64
	done     atomic.Int64 // measured requests completed
	over     atomic.Bool
}

func newRunner(cfg runConfig) *runner {
	now := time.Now()
	r := &runner{cfg: cfg, measure: now.Add(cfg.Warmup)}
	r.deadline = r.measure.Add(cfg.Duration)
	r.budget.Store(cfg.MaxRequests)
	return r
}

// do makes one request with fn and records it when it started inside
// the measured window. It returns errStop, without calling fn, once the
// run is over.
func (r *runner) do(ctx context.Context, ws *workerStats, fn func(context.Context) error) error {
	if r.over.Load() || ctx.Err() != nil {
		return errStop
	}
	start := time.Now()
	if !start.Before(r.deadline) {
		r.over.Store(true)
		return errStop
	}
	measured := !start.Before(r.measure)
	if measured && r.budget.Add(-1) < 0 {
		r.over.Store(true)
		return errStop
	}
	err := fn(ctx)
	if measured {
		ws.lat = append(ws.lat, time.Since(start))
		if err != nil {
			ws.errs[errorCode(err)]++
		}
		r.done.Add(1)
	}
	return err
}

// unprocessed records the accounts a batch call did not process.
func (ws *workerStats) addUnprocessed(op, code string) {
	ws.unprocessed[op+":"+code]++
}

// errorCode names an error the way AWS does: the error code of an API
// error, else a short name of what failed.
func errorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	var se *smithy.OperationError
	if errors.As(err, &se) {
		err = se.Err
	}
	var sce *semanticError
	if errors.As(err, &sce) {
		return sce.code
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "Timeout"
	case strings.Contains(err.Error(), "connection refused"):
		return "ConnectionRefused"
	case strings.Contains(err.Error(), "connection reset"):
		return "ConnectionReset"
	}
	return "TransportError"
}

// semanticError is an answer the scenario did not expect although the
// call succeeded (say, no invitation to accept).
type semanticError struct{ code, msg string }

func (e *semanticError) Error() string { return e.code + ": " + e.msg }

// runWorkers runs loop in cfg.Concurrency workers until the run is over
// and folds what they saw into a Result. loop is called again and again;
// it returns errStop (from runner.do) when the run is over.
func runWorkers(ctx context.Context, cfg runConfig, label string, loop func(ctx context.Context, w int, r *runner, ws *workerStats) error) Result {
	r := newRunner(cfg)
	stats := make([]*workerStats, cfg.Concurrency)
	var wg sync.WaitGroup
	for w := range cfg.Concurrency {
		ws := &workerStats{errs: map[string]int{}, unprocessed: map[string]int{}}
		stats[w] = ws
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if err := loop(ctx, w, r, ws); errors.Is(err, errStop) {
					return
				}
			}
		}()
	}
	type cpuSample struct {
		server, gen time.Duration
		ok          bool
	}
	var cpuStart cpuSample
	cpuStarted := make(chan struct{})
	go func() {
		defer close(cpuStarted)
		if cfg.CPU == nil {
			return
		}
		time.Sleep(time.Until(r.measure))
		cpuStart.server, cpuStart.gen, cpuStart.ok = cfg.CPU()
	}()
	stopProgress := make(chan struct{})
	progressDone := make(chan struct{})
	go func() {
		defer close(progressDone)
		if cfg.Progress == nil {
			return
		}
		t := time.NewTicker(time.Second)
		defer t.Stop()
		last, lastAt := int64(0), time.Now()
		for {
			select {
			case <-stopProgress:
				return
			case now := <-t.C:
				n := r.done.Load()
				phase := "measuring"
				if now.Before(r.measure) {
					phase = "warming up"
				}
				fmt.Fprintf(cfg.Progress, "  %s: %s, %d requests measured, %.0f req/s now\n",
					label, phase, n, float64(n-last)/now.Sub(lastAt).Seconds())
				last, lastAt = n, now
			}
		}
	}()
	wg.Wait()
	end := time.Now()
	close(stopProgress)
	<-progressDone
	<-cpuStarted
	var cpuEnd cpuSample
	if cfg.CPU != nil {
		cpuEnd.server, cpuEnd.gen, cpuEnd.ok = cfg.CPU()
	}

	res := Result{Kind: "run", Concurrency: cfg.Concurrency, Errors: map[string]int{}, Unprocessed: map[string]int{}}
	var lat []time.Duration
	for _, ws := range stats {
		lat = append(lat, ws.lat...)
		for k, v := range ws.errs {
			res.Errors[k] += v
		}
		for k, v := range ws.unprocessed {
			res.Unprocessed[k] += v
		}
	}
	elapsed := end.Sub(r.measure)
	if elapsed <= 0 {
		elapsed = time.Nanosecond
	}
	res.DurationS = round3(elapsed.Seconds())
	res.Requests = int64(len(lat))
	res.RequestsPerS = round1(float64(len(lat)) / elapsed.Seconds())
	slices.Sort(lat)
	res.P50ms = ms(percentile(lat, 50))
	res.P90ms = ms(percentile(lat, 90))
	res.P99ms = ms(percentile(lat, 99))
	if len(lat) > 0 {
		res.MaxMs = ms(lat[len(lat)-1])
	}
	if cpuStart.ok && cpuEnd.ok && len(lat) > 0 {
		n := float64(len(lat))
		res.ServerCPUus = round1(float64(cpuEnd.server-cpuStart.server) / float64(time.Microsecond) / n)
		res.GeneratorCPUus = round1(float64(cpuEnd.gen-cpuStart.gen) / float64(time.Microsecond) / n)
	}
	if len(res.Unprocessed) == 0 {
		res.Unprocessed = nil
	}
	return res
}

// percentile returns the nearest-rank p-th percentile of sorted.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}

func ms(d time.Duration) float64 { return round3(float64(d) / float64(time.Millisecond)) }

func round1(f float64) float64 { return math.Round(f*10) / 10 }
func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// errorSummary writes errors as "Code×n, …" in a stable order.
func errorSummary(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s×%d", k, m[k])
	}
	return strings.Join(parts, ", ")
}
