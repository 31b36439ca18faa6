package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// StartupResult is the JSON line of -startup.
type StartupResult struct {
	Kind   string `json:"kind"`
	Target string `json:"target"`
	Runs   int    `json:"runs"`
	// FirstServed: from just before exec to the first answered health
	// request (polled every 200 µs on new connections).
	FirstServedMinMs    float64 `json:"first_served_min_ms"`
	FirstServedMedianMs float64 `json:"first_served_median_ms"`
	FirstServedMaxMs    float64 `json:"first_served_max_ms"`
	// ReadyLine: from just before exec to the "Ready." line (localsec).
	ReadyLineMedianMs float64 `json:"ready_line_median_ms,omitempty"`
	// IdleRSSKiB is VmRSS right after the first served request.
	IdleRSSMedianKiB int64 `json:"idle_rss_median_kib"`
	IdleRSSMaxKiB    int64 `json:"idle_rss_max_kib"`
}

// RSSResult is the JSON line of -rss-members.
type RSSResult struct {
	Kind           string  `json:"kind"`
	Target         string  `json:"target"`
	Store          string  `json:"store"`
	IdleRSSKiB     int64   `json:"idle_rss_kib"`
	Members        int     `json:"members"`
	PopulateS      float64 `json:"populate_s"`
	WithMembersKiB int64   `json:"with_members_rss_kib"`
	PeakKiB        int64   `json:"peak_rss_kib"`
}

// measureStartup starts localsec (and moto, when it is a target) again and
// again and times the first served request.
func measureStartup(ctx context.Context, o options, enc *json.Encoder, stderr io.Writer) error {
	res, err := startupRuns(ctx, kindLocalsec, o.startup, func(port int) *exec.Cmd {
		args := []string{"--addr", "127.0.0.1:" + strconv.Itoa(port), "--log-level", "warn"}
		if o.store != "" {
			args = append(args, "--store", o.store)
		}
		cmd := exec.Command(o.localsecBin, args...)
		cmd.Env = withoutLocalsecEnv(os.Environ())
		return cmd
	}, "/_localsec/health")
	if err != nil {
		return err
	}
	if err := enc.Encode(res); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "localsec start to first served request: min %.1f ms, median %.1f ms, max %.1f ms (%d runs); \"Ready.\" line median %.1f ms; idle RSS median %.1f MiB\n",
		res.FirstServedMinMs, res.FirstServedMedianMs, res.FirstServedMaxMs, res.Runs, res.ReadyLineMedianMs, float64(res.IdleRSSMedianKiB)/1024)
	if slices.Contains(o.targets, kindMoto) {
		bin, err := exec.LookPath(o.motoBin)
		if err != nil {
			return err
		}
		res, err := startupRuns(ctx, kindMoto, min(o.startup, 3), func(port int) *exec.Cmd {
			return exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
		}, "/moto-api/")
		if err != nil {
			return err
		}
		if err := enc.Encode(res); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "moto start to first served request: min %.1f ms, median %.1f ms (%d runs); idle RSS median %.1f MiB\n",
			res.FirstServedMinMs, res.FirstServedMedianMs, res.Runs, float64(res.IdleRSSMedianKiB)/1024)
	}
	return nil
}

func startupRuns(ctx context.Context, kind string, runs int, command func(port int) *exec.Cmd, healthPath string) (StartupResult, error) {
	res := StartupResult{Kind: "startup", Target: kind, Runs: runs}
	var served, ready []time.Duration
	var rss []int64
	client := &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}, Timeout: 5 * time.Second}
	for range runs {
		port, err := freePort()
		if err != nil {
			return res, err
		}
		cmd := command(port)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		out, pw := io.Pipe()
		cmd.Stdout = pw
		cmd.Stderr = io.Discard
		readyAt := make(chan time.Time, 1)
		start := time.Now()
		if err := cmd.Start(); err != nil {
			return res, err
		}
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if strings.TrimSpace(sc.Text()) == "Ready." {
					select {
					case readyAt <- time.Now():
					default:
					}
				}
			}
			_, _ = io.Copy(io.Discard, out)
		}()
		url := fmt.Sprintf("http://127.0.0.1:%d%s", port, healthPath)
		var d time.Duration
		deadline := start.Add(60 * time.Second)
		for {
			resp, err := client.Get(url)
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					d = time.Since(start)
					break
				}
			}
			if time.Now().After(deadline) || ctx.Err() != nil {
				_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				_ = cmd.Wait()
				pw.Close()
				return res, fmt.Errorf("%s did not serve %s within 60 s", kind, healthPath)
			}
			time.Sleep(200 * time.Microsecond)
		}
		r, _, err := procRSS(cmd.Process.Pid)
		if err == nil {
			rss = append(rss, r)
		}
		served = append(served, d)
		if kind == kindLocalsec {
			// The line may be read after the health answer; it is
			// printed once the listener is open.
			select {
			case t := <-readyAt:
				ready = append(ready, t.Sub(start))
			case <-time.After(2 * time.Second):
			}
		}
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		waited := make(chan struct{})
		go func() { _ = cmd.Wait(); pw.Close(); close(waited) }()
		select {
		case <-waited:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-waited
		}
	}
	slices.Sort(served)
	slices.Sort(ready)
	slices.Sort(rss)
	res.FirstServedMinMs = ms(served[0])
	res.FirstServedMedianMs = ms(served[len(served)/2])
	res.FirstServedMaxMs = ms(served[len(served)-1])
	if len(ready) > 0 {
		res.ReadyLineMedianMs = ms(ready[len(ready)/2])
	}
	if len(rss) > 0 {
		res.IdleRSSMedianKiB = rss[len(rss)/2]
		res.IdleRSSMaxKiB = rss[len(rss)-1]
	}
	return res, nil
}

// measureRSS starts a fresh localsec, reads its idle resident memory, adds
// members and reads it again.
func measureRSS(ctx context.Context, o options, enc *json.Encoder, stderr io.Writer) error {
	t, err := startLocalsec(ctx, o.localsecBin, o.store, setupConcurrency)
	if err != nil {
		return err
	}
	defer t.stop()
	res := RSSResult{Kind: "rss", Target: kindLocalsec, Store: t.store, Members: o.rssMembers}
	if res.IdleRSSKiB, _, err = t.rssKiB(); err != nil {
		return err
	}
	e := newEnv(t, o.region, stderr)
	start := time.Now()
	if err := populate(ctx, e, o.rssMembers); err != nil {
		return err
	}
	res.PopulateS = round3(time.Since(start).Seconds())
	if res.WithMembersKiB, res.PeakKiB, err = t.rssKiB(); err != nil {
		return err
	}
	if err := enc.Encode(res); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "localsec (%s store) resident memory: idle %.1f MiB; with %d members %.1f MiB (peak %.1f MiB); populated in %.2f s\n",
		res.Store, float64(res.IdleRSSKiB)/1024, res.Members, float64(res.WithMembersKiB)/1024, float64(res.PeakKiB)/1024, res.PopulateS)
	return nil
}
