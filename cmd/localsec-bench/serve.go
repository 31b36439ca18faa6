package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/server"
)

// serveLocalsecFlag makes the program serve localsec itself (memory
// store, as the binary configures it for the generator) with a CPU
// profile of the whole server process, written when it is stopped: the
// profiling harness of -profile-server. The shipped binary has no
// profiling endpoint and must not get one.
const serveLocalsecFlag = "-serve-localsec-profiled"

// serveLocalsecProfiled serves until SIGTERM and writes the CPU profile
// of the process to profile.
func serveLocalsecProfiled(profile string, stdout io.Writer) error {
	f, err := os.Create(profile)
	if err != nil {
		return err
	}
	defer f.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := server.New(server.Config{Organization: membership.Organization{ManagementAccount: orgManagement}})
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		_ = hs.Close()
	}()
	fmt.Fprintf(stdout, "localsec (profiled) listening on http://%s\nReady.\n", ln.Addr())
	err = hs.Serve(ln)
	pprof.StopCPUProfile()
	if err == http.ErrServerClosed {
		return nil
	}
	return err
}

// startLocalsecProfiled starts this program as a profiled localsec.
func startLocalsecProfiled(ctx context.Context, profile string, maxConns int) (*target, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	t, u, err := startChild(ctx, kindLocalsec, exec.Command(self, serveLocalsecFlag, profile), localsecReadyRE, 30*time.Second)
	if err != nil {
		return nil, err
	}
	t.url = u
	t.client = newHTTPClient(maxConns, nil)
	t.store, err = healthStore(ctx, t.client, t.url)
	if err != nil {
		t.stop()
		return nil, err
	}
	return t, nil
}
