// Command localsec-bench loads localsec with real SigV4-signed requests
// made through aws-sdk-go-v2 (retries off), from several accounts, at a
// chosen concurrency, for a chosen duration and at most a chosen number
// of requests, and prints one JSON line per run on stdout and a summary on
// stderr. It only loads servers on loopback addresses.
//
// In the same run it can load, with the same requests, a trivial net/http
// server that answers {} to everything (the ceiling: what the machine,
// the SDK and net/http allow) and moto_server (the peer), both started by
// the generator on free loopback ports and stopped at the end.
//
//	go build -o /tmp/localsec ./cmd/localsec
//	go run ./cmd/localsec-bench -localsec /tmp/localsec -targets localsec,ceiling,moto \
//	    -scenario lifecycle-mix -c 8 -d 10s
//	go run ./cmd/localsec-bench -localsec /tmp/localsec -targets localsec,ceiling,moto \
//	    -scenario all -sweep 1,2,4,8,16,32 -svg docs/performance.svg
//
// See docs/performance.md for the figures and how they were taken.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) == 2 && os.Args[1] == ceilingFlag {
		if err := serveCeiling(os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "ceiling:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) == 3 && os.Args[1] == serveLocalsecFlag {
		if err := serveLocalsecProfiled(os.Args[2], os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "profiled localsec:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "localsec-bench:", err)
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

// options are the command line.
type options struct {
	scenarios   []*scenario
	targets     []string
	localsecBin string
	localsecURL string
	store       string
	motoBin     string
	concurrency []int
	sweep       bool
	repeat      int
	duration    time.Duration
	warmup      time.Duration
	maxRequests int64
	background  int
	svg         string
	startup     int
	rssMembers  int
	region      string
	cpuprofile  string
	profileSrv  string
	replot      string
	quiet       bool
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("localsec-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var scen, targets, sweep string
	var conc int
	names := make([]string, len(scenarios))
	for i, s := range scenarios {
		names[i] = s.name
	}
	fs.StringVar(&scen, "scenario", "lifecycle-mix", "scenarios, comma-separated, or all: "+strings.Join(names, ", "))
	fs.StringVar(&targets, "targets", "localsec", "targets, comma-separated: localsec, ceiling (a trivial net/http server the generator starts), moto (moto_server, started by the generator)")
	fs.StringVar(&o.localsecBin, "localsec", "localsec", "the localsec binary the generator starts (looked up on PATH)")
	fs.StringVar(&o.localsecURL, "localsec-url", "", "load this already running localsec (loopback only) instead of starting one; list-members needs it started with --org-management-account "+orgManagement)
	fs.StringVar(&o.store, "store", "", "--store of the localsec the generator starts (memory, sqlite:PATH, postgres://…); empty means its default")
	fs.StringVar(&o.motoBin, "moto", "moto_server", "the moto_server command (looked up on PATH)")
	fs.IntVar(&conc, "c", 8, "concurrency: workers making requests at the same time")
	fs.StringVar(&sweep, "sweep", "", "concurrencies to run in turn, e.g. 1,2,4,8,16,32 (replaces -c)")
	fs.DurationVar(&o.duration, "d", 5*time.Second, "measured duration of each run")
	fs.IntVar(&o.repeat, "repeat", 1, "runs of each scenario, concurrency and target, interleaved across targets; the summary and the plot show the median run")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured warm-up before each run")
	fs.Int64Var(&o.maxRequests, "n", 1_000_000, "most measured requests of each run (the run ends at -d or -n, whichever comes first)")
	fs.IntVar(&pagingMembers, "members", 10000, "members list-members pages through (at most 10,000: Macie's quota for a delegated administrator)")
	fs.IntVar(&o.background, "background-members", 0, "members added to localsec after each reset, besides the scenario's own (GuardDuty administrators of 5,000)")
	fs.StringVar(&o.svg, "svg", "", "with -sweep, write a plot of requests/s against concurrency to this file (one file per scenario, suffixed with its name, when there are several)")
	fs.IntVar(&o.startup, "startup", 0, "measure this many times the time from starting localsec to its first served request, and its idle resident memory (moto too, at most 3 times, when it is in -targets)")
	fs.IntVar(&o.rssMembers, "rss-members", 0, "start a fresh localsec, add this many members, and report its resident memory")
	fs.StringVar(&o.region, "region", "us-east-1", "region of the requests")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write the generator's own CPU profile to this file")
	fs.StringVar(&o.profileSrv, "profile-server", "", "instead of the localsec binary, load localsec (memory store) served by a child process of this program that writes its CPU profile to this file when stopped")
	fs.StringVar(&o.replot, "replot", "", "make no runs: read the JSON lines of an earlier run from this file and write its summary and, with -svg, its plots")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress lines")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: localsec-bench [flags]\n\nLoads localsec (and, side by side, a trivial HTTP server and moto) with SigV4-signed\nAWS SDK requests; one JSON line per run on stdout, a summary on stderr.\n\nScenarios:\n")
		for _, s := range scenarios {
			fmt.Fprintf(stderr, "  %-20s %s\n", s.name, s.about)
		}
		fmt.Fprintf(stderr, "\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "localsec-bench: unexpected arguments %q\n", fs.Args())
		return o, errUsage
	}
	bad := func(format string, a ...any) (options, error) {
		fmt.Fprintf(stderr, "localsec-bench: "+format+"\n", a...)
		return o, errUsage
	}
	if scen == "all" {
		o.scenarios = scenarios
	} else {
		for _, name := range strings.Split(scen, ",") {
			s := findScenario(strings.TrimSpace(name))
			if s == nil {
				return bad("unknown scenario %q (known: %s)", name, strings.Join(names, ", "))
			}
			o.scenarios = append(o.scenarios, s)
		}
	}
	for _, t := range strings.Split(targets, ",") {
		t = strings.TrimSpace(t)
		switch t {
		case kindLocalsec, kindCeiling, kindMoto:
			if !slices.Contains(o.targets, t) {
				o.targets = append(o.targets, t)
			}
		default:
			return bad("unknown target %q (known: localsec, ceiling, moto)", t)
		}
	}
	if sweep != "" {
		o.sweep = true
		for _, f := range strings.Split(sweep, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 || n > 1024 {
				return bad("-sweep: %q is not a concurrency between 1 and 1024", f)
			}
			o.concurrency = append(o.concurrency, n)
		}
	} else {
		if conc < 1 || conc > 1024 {
			return bad("-c must be between 1 and 1024")
		}
		o.concurrency = []int{conc}
	}
	switch {
	case o.duration <= 0:
		return bad("-d must be positive")
	case o.warmup < 0:
		return bad("-warmup must not be negative")
	case o.maxRequests < 1:
		return bad("-n must be at least 1")
	case o.repeat < 1:
		return bad("-repeat must be at least 1")
	case pagingMembers < 1 || pagingMembers > 10000:
		return bad("-members must be between 1 and 10000")
	case o.background < 0 || o.rssMembers < 0 || o.startup < 0:
		return bad("-background-members, -rss-members and -startup must not be negative")
	case o.svg != "" && !o.sweep && o.replot == "":
		return bad("-svg needs -sweep (or -replot)")
	}
	if o.localsecURL != "" {
		if err := checkLoopback(o.localsecURL); err != nil {
			return bad("%v", err)
		}
		if o.startup > 0 || o.rssMembers > 0 {
			return bad("-startup and -rss-members start localsec themselves: use -localsec, not -localsec-url")
		}
	}
	if o.profileSrv != "" && (o.localsecURL != "" || o.store != "") {
		return bad("-profile-server serves localsec with the memory store itself: no -localsec-url or -store")
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if o.replot != "" {
		return replot(o, stderr)
	}
	var progress io.Writer = stderr
	if o.quiet {
		progress = nil
	}
	enc := json.NewEncoder(stdout)
	needLocalsecBin := (slices.Contains(o.targets, kindLocalsec) && o.localsecURL == "" && o.profileSrv == "") || o.startup > 0 || o.rssMembers > 0
	if needLocalsecBin {
		bin, err := exec.LookPath(o.localsecBin)
		if err != nil {
			return fmt.Errorf("the localsec binary: %w (build it: go build -o /tmp/localsec ./cmd/localsec, then -localsec /tmp/localsec)", err)
		}
		o.localsecBin = bin
	}
	if o.startup > 0 {
		if err := measureStartup(ctx, o, enc, stderr); err != nil {
			return err
		}
	}
	if o.rssMembers > 0 {
		if err := measureRSS(ctx, o, enc, stderr); err != nil {
			return err
		}
	}
	if (o.startup > 0 || o.rssMembers > 0) && !explicitRuns(args) {
		return nil
	}
	return runAll(ctx, o, enc, stderr, progress)
}

// explicitRuns reports whether the command line asks for load runs
// besides -startup or -rss-members, by naming a scenario or
// concurrencies (-targets alone also says where -startup measures).
func explicitRuns(args []string) bool {
	for _, a := range args {
		name := strings.TrimLeft(strings.SplitN(a, "=", 2)[0], "-")
		switch name {
		case "scenario", "c", "sweep":
			return true
		}
	}
	return false
}

// runAll starts the targets, runs every scenario at every concurrency on
// every target (interleaved, so that a change of background load hits
// them alike), and writes the summary and plots.
func runAll(ctx context.Context, o options, enc *json.Encoder, stderr, progress io.Writer) error {
	maxConns := slices.Max(o.concurrency) + setupConcurrency
	var targets []*target
	defer func() {
		for _, t := range targets {
			t.stop()
		}
	}()
	for _, kind := range o.targets {
		var t *target
		var err error
		switch kind {
		case kindLocalsec:
			switch {
			case o.profileSrv != "":
				t, err = startLocalsecProfiled(ctx, o.profileSrv, maxConns)
			case o.localsecURL != "":
				t, err = useLocalsec(ctx, o.localsecURL, maxConns)
			default:
				t, err = startLocalsec(ctx, o.localsecBin, o.store, maxConns)
			}
		case kindCeiling:
			t, err = startCeiling(ctx, maxConns)
		case kindMoto:
			var bin string
			if bin, err = exec.LookPath(o.motoBin); err == nil {
				t, err = startMoto(ctx, bin, maxConns)
			}
		}
		if err != nil {
			return fmt.Errorf("target %s: %w", kind, err)
		}
		if progress != nil {
			fmt.Fprintf(progress, "target %s at %s (pid %d)\n", kind, t.url, t.pid)
		}
		targets = append(targets, t)
	}

	var results []Result
	for _, s := range o.scenarios {
		for _, c := range o.concurrency {
			for rep := range o.repeat {
				for _, t := range targets {
					if t.kind == kindMoto && s.moto == "" {
						continue
					}
					if err := ctx.Err(); err != nil {
						return err
					}
					res, err := runOne(ctx, o, s, t, c, stderr, progress)
					if err != nil {
						return fmt.Errorf("%s on %s at concurrency %d: %w", s.name, t.kind, c, err)
					}
					res.Repeat = rep + 1
					if err := enc.Encode(res); err != nil {
						return err
					}
					results = append(results, res)
				}
			}
		}
	}
	return report(o, results, stderr)
}

// report writes the summary of results and, with -svg, the plots.
func report(o options, results []Result, stderr io.Writer) error {
	results = medians(results)
	writeSummary(stderr, results)
	if o.svg == "" {
		return nil
	}
	var names []string
	for _, s := range o.scenarios {
		if slices.ContainsFunc(results, func(r Result) bool { return r.Scenario == s.name }) {
			names = append(names, s.name)
		}
	}
	for _, name := range names {
		path := o.svg
		if len(names) > 1 {
			path = strings.TrimSuffix(path, ".svg") + "-" + name + ".svg"
		}
		if err := os.WriteFile(path, plotSVG(name, results), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "wrote %s\n", path)
	}
	return nil
}

// replot reads the run lines of an earlier run and reports them.
func replot(o options, stderr io.Writer) error {
	f, err := os.Open(o.replot)
	if err != nil {
		return err
	}
	defer f.Close()
	var results []Result
	dec := json.NewDecoder(f)
	for {
		var r Result
		if err := dec.Decode(&r); err == io.EOF {
			break
		} else if err != nil {
			return fmt.Errorf("%s: %w", o.replot, err)
		}
		if r.Kind == "run" && slices.ContainsFunc(o.scenarios, func(s *scenario) bool { return s.name == r.Scenario }) {
			results = append(results, r)
		}
	}
	if len(results) == 0 {
		return fmt.Errorf("%s holds no run of the scenarios asked for", o.replot)
	}
	return report(o, results, stderr)
}

// runOne resets the target, sets the scenario up and measures it.
func runOne(ctx context.Context, o options, s *scenario, t *target, c int, stderr, progress io.Writer) (Result, error) {
	label := fmt.Sprintf("%s on %s, concurrency %d", s.name, t.kind, c)
	if progress != nil {
		fmt.Fprintf(progress, "%s: setting up\n", label)
	}
	if err := t.resetState(ctx); err != nil {
		return Result{}, err
	}
	e := newEnv(t, o.region, progress)
	if o.background > 0 && t.kind == kindLocalsec {
		if err := populate(ctx, e, o.background); err != nil {
			return Result{}, err
		}
	}
	loop, err := s.prepare(ctx, e, c)
	if err != nil {
		return Result{}, fmt.Errorf("setup: %w", err)
	}
	res := runWorkers(ctx, runConfig{Concurrency: c, Duration: o.duration, Warmup: o.warmup, MaxRequests: o.maxRequests, Progress: progress, CPU: t.cpu}, label, loop)
	res.Scenario, res.Target, res.Store = s.name, t.kind, t.store
	if t.kind == kindMoto {
		res.Note = s.moto
	}
	if o.background > 0 && t.kind == kindLocalsec {
		res.Note = strings.TrimPrefix(res.Note+fmt.Sprintf("; %d background members", o.background), "; ")
	}
	if rss, _, err := t.rssKiB(); err == nil {
		res.ServerRSSKiB = rss
	}
	fmt.Fprintf(stderr, "%s: %.0f req/s, p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms, %d requests in %.2fs, errors: %s\n",
		label, res.RequestsPerS, res.P50ms, res.P90ms, res.P99ms, res.MaxMs, res.Requests, res.DurationS, errorSummary(res.Errors))
	if res.ServerCPUus > 0 || res.GeneratorCPUus > 0 {
		fmt.Fprintf(stderr, "  CPU per request: server %.1f µs, generator %.1f µs\n", res.ServerCPUus, res.GeneratorCPUus)
	}
	if len(res.Unprocessed) > 0 {
		fmt.Fprintf(stderr, "  unprocessed accounts: %s\n", errorSummary(res.Unprocessed))
	}
	return res, nil
}

// medians keeps, of the repeated runs of each scenario, target and
// concurrency, the run of median requests/s (the lower middle one for an
// even count), in their first order.
func medians(results []Result) []Result {
	type key struct {
		scenario, target string
		c                int
	}
	groups := map[key][]Result{}
	var order []key
	for _, r := range results {
		k := key{r.Scenario, r.Target, r.Concurrency}
		if groups[k] == nil {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	out := make([]Result, 0, len(order))
	for _, k := range order {
		g := slices.Clone(groups[k])
		slices.SortStableFunc(g, func(a, b Result) int { return cmp.Compare(a.RequestsPerS, b.RequestsPerS) })
		m := g[(len(g)-1)/2]
		m.Runs = len(g)
		out = append(out, m)
	}
	return out
}

// writeSummary writes the table of all runs and the ratios of localsec to
// the ceiling and to moto.
func writeSummary(w io.Writer, results []Result) {
	if len(results) == 0 {
		return
	}
	if results[0].Runs > 1 {
		fmt.Fprintf(w, "\nmedian of %d runs each (by requests/s):", results[0].Runs)
	}
	fmt.Fprintf(w, "\n%-20s %-9s %5s %10s %9s %9s %9s %9s %8s %8s  %s\n", "scenario", "target", "conc", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "srv µs", "gen µs", "errors")
	for _, r := range results {
		fmt.Fprintf(w, "%-20s %-9s %5d %10.0f %9.3f %9.3f %9.3f %9.3f %8.1f %8.1f  %s\n", r.Scenario, r.Target, r.Concurrency, r.RequestsPerS, r.P50ms, r.P90ms, r.P99ms, r.MaxMs, r.ServerCPUus, r.GeneratorCPUus, errorSummary(r.Errors))
	}
	type key struct {
		scenario string
		c        int
	}
	by := map[key]map[string]Result{}
	var order []key
	for _, r := range results {
		k := key{r.Scenario, r.Concurrency}
		if by[k] == nil {
			by[k] = map[string]Result{}
			order = append(order, k)
		}
		by[k][r.Target] = r
	}
	fmt.Fprintln(w)
	for _, k := range order {
		l, ok := by[k][kindLocalsec]
		if !ok {
			continue
		}
		var parts []string
		if c, ok := by[k][kindCeiling]; ok && c.RequestsPerS > 0 {
			parts = append(parts, fmt.Sprintf("%.0f%% of the ceiling", 100*l.RequestsPerS/c.RequestsPerS))
		}
		if m, ok := by[k][kindMoto]; ok && m.RequestsPerS > 0 {
			parts = append(parts, fmt.Sprintf("%.1f× moto", l.RequestsPerS/m.RequestsPerS))
		}
		if len(parts) > 0 {
			fmt.Fprintf(w, "%s at concurrency %d: localsec is %s\n", k.scenario, k.c, strings.Join(parts, ", "))
		}
	}
}
