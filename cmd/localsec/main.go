// Command localsec runs the localsec emulator of the multi-account
// membership APIs of AWS security services.
//
//	go run ./cmd/localsec            # serves on 127.0.0.1:4566
//	go run ./cmd/localsec -help      # flags and their LOCALSEC_* variables
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/outbox"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal, give the default behaviour back, so
		// that a second Ctrl-C ends a shutdown that hangs.
		<-ctx.Done()
		stop()
	}()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "localsec:", err)
		os.Exit(1)
	}
}

// run serves until ctx is done, then shuts down cleanly.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "export" {
		return runExport(ctx, args[1:], getenv, stdout, stderr)
	}
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	if cfg.ShowVersion {
		fmt.Fprintln(stdout, "localsec", server.Version)
		return nil
	}
	logger := newLogger(cfg, stderr)

	var seeded *seedData
	if cfg.Seed != "" {
		if seeded, err = readSeed(cfg, logger); err != nil {
			return err
		}
	}
	st, storeKind, err := openStore(ctx, cfg.Store)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	scfg := server.Config{
		Store:         st,
		StoreKind:     storeKind,
		Accounts:      protocol.Accounts{Default: cfg.Account, Keys: cfg.AccessKeys},
		Credentials:   cfg.Credentials,
		AdminToken:    cfg.AdminToken,
		AdminDisabled: cfg.AdminDisabled,
		DefaultRegion: cfg.Region,
		Organization:  membership.Organization{ManagementAccount: cfg.OrgManagement, Accounts: cfg.OrgAccounts},
		Logger:        logger,
	}
	if seeded != nil {
		scfg.Directory = seeded.dir.Accounts
		scfg.Organization = seeded.dir.Organization
		scfg.Accounts.Keys = seeded.keys
		scfg.Credentials = seeded.credentials
		scfg.Seed = &seeded.snap
	}
	var relay *outbox.Relay
	if cfg.SMTP != "" {
		relay = outbox.NewRelay(cfg.SMTP, logger)
		scfg.Notifier = relay.Notify
	}
	srv, err := server.Open(scfg)
	defer srv.Engine().Store().Close()
	if err != nil {
		if seeded != nil {
			return fmt.Errorf("--seed (LOCALSEC_SEED) %s: %w", seeded.path, err)
		}
		return err
	}
	if seeded != nil {
		seeded.logLoaded(logger)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	httpServer := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- httpServer.Serve(ln) }()

	url := "http://" + ln.Addr().String()
	logger.Info("localsec started", "version", server.Version, "url", url, "services", srv.ServiceNames(), "store", storeKind,
		"default_region", cfg.Region, "default_account", cfg.Account, "sigv4_strict", cfg.SigV4Strict, "admin_endpoints", adminState(cfg))
	// The ready line: the listener accepts connections from here on.
	// "Ready." alone on a line is what LocalStack-style waiters look for.
	fmt.Fprintf(stdout, "localsec %s listening on %s\nReady.\n", server.Version, url)

	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}
	logger.Info("localsec shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if relay != nil {
		if err := relay.Close(shutdownCtx); err != nil {
			logger.Warn("smtp relay: emails still queued at shutdown", "error", err.Error())
		}
	}
	if err := <-serveErr; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func newLogger(cfg config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func adminState(cfg config) string {
	switch {
	case cfg.AdminDisabled:
		return "off (not loopback, no --admin-token)"
	case cfg.AdminToken != "":
		return "token required"
	}
	return "open (loopback)"
}
