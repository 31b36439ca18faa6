package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// runExport is `localsec export`: it fetches the whole state of a running
// localsec (GET /_localsec/state) and writes it as a seed document.
func runExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("localsec export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	def := func(name, value string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return value
	}
	url := fs.String("url", def("LOCALSEC_URL", "http://127.0.0.1:4566"), "the running localsec (LOCALSEC_URL)")
	format := fs.String("format", "yaml", "json or yaml")
	output := fs.String("output", "", "write to this file instead of stdout")
	token := fs.String("admin-token", def("LOCALSEC_ADMIN_TOKEN", ""), "the server's admin token, if it has one (LOCALSEC_ADMIN_TOKEN)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: localsec export [flags]\n\nWrites the whole state of a running localsec as a seed document,\nwhich `localsec --seed FILE` loads back.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *format != "json" && *format != "yaml" {
		return fmt.Errorf("export --format: %q is not json or yaml", *format)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url+"/_localsec/state?format="+*format, nil)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if *token != "" {
		req.Header.Set("Authorization", "Bearer "+*token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("export: %s answered %s: %s", *url, resp.Status, body)
	}
	if *output == "" {
		_, err = stdout.Write(body)
		return err
	}
	return os.WriteFile(*output, body, 0o600)
}
