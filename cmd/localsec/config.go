package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/server"
)

// errUsage reports a command line the flag package refused and already
// explained on stderr.
var errUsage = errors.New("invalid command line")

// config is everything the command line and the environment set.
type config struct {
	Addr          string
	Region        string
	Account       string
	AccessKeys    map[string]string
	LogLevel      slog.Level
	LogFormat     string
	OrgManagement string
	OrgAccounts   []string
	ShowVersion   bool
	// SigV4Strict verifies every signature against Credentials.
	SigV4Strict bool
	Credentials map[string]protocol.Credential
	// AdminToken guards the admin endpoints; AdminDisabled turns them off
	// (beyond loopback without a token).
	AdminToken    string
	AdminDisabled bool
	// Seed is a seed document to load at start; SMTP relays invitation
	// emails to host:port.
	Seed string
	SMTP string
	// Store is where state lives: "memory", "sqlite:PATH" or a
	// postgres:// URL, after --data-dir and PERSISTENCE=1 are resolved.
	Store string
}

// parseConfig reads flags from args; every flag's default comes from its
// LOCALSEC_* environment variable, read through getenv.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	fs := flag.NewFlagSet("localsec", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: localsec [flags]\n\nlocalsec emulates the multi-account membership APIs of Amazon Macie (macie2)\non one endpoint. Every flag defaults to the environment variable named in its help.\n\n")
		fs.PrintDefaults()
	}
	var c config
	var accessKeys, logLevel, orgAccounts string
	fs.StringVar(&c.Addr, "addr", env("LOCALSEC_ADDR", "127.0.0.1:4566"), "listen address (LOCALSEC_ADDR)")
	fs.StringVar(&c.Region, "region", env("LOCALSEC_REGION", server.DefaultRegion),
		"region of requests whose signature names none, e.g. SigV4a (LOCALSEC_REGION)")
	fs.StringVar(&c.Account, "account", env("LOCALSEC_ACCOUNT", protocol.DefaultAccount),
		"account of access keys that are neither 12-digit account ids nor mapped by --access-keys (LOCALSEC_ACCOUNT)")
	fs.StringVar(&accessKeys, "access-keys", env("LOCALSEC_ACCESS_KEYS", ""),
		"access key to account mappings, KEY=ACCOUNT[,KEY=ACCOUNT...] (LOCALSEC_ACCESS_KEYS)")
	fs.StringVar(&logLevel, "log-level", env("LOCALSEC_LOG_LEVEL", "info"),
		"log level: debug, info (one access log line per request), warn or error (LOCALSEC_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", env("LOCALSEC_LOG_FORMAT", "text"), "log format: text or json (LOCALSEC_LOG_FORMAT)")
	fs.StringVar(&c.OrgManagement, "org-management-account", env("LOCALSEC_ORG_MANAGEMENT_ACCOUNT", ""),
		"management account of the AWS Organizations organization; empty means no organization (LOCALSEC_ORG_MANAGEMENT_ACCOUNT)")
	fs.StringVar(&orgAccounts, "org-accounts", env("LOCALSEC_ORG_ACCOUNTS", ""),
		"the organization's other accounts, comma-separated; empty means every account (LOCALSEC_ORG_ACCOUNTS)")
	var store, dataDir string
	fs.StringVar(&store, "store", env("LOCALSEC_STORE", ""),
		"where state lives: memory (the default), sqlite:PATH, or postgres://USER@HOST:PORT/DB for replicas sharing one state (LOCALSEC_STORE)")
	fs.StringVar(&dataDir, "data-dir", env("LOCALSEC_DATA_DIR", ""),
		"keep state in DIR/localsec.db (SQLite); PERSISTENCE=1 without it uses "+defaultDataDirHelp+" (LOCALSEC_DATA_DIR)")
	var sigv4Mode, credentials string
	fs.StringVar(&sigv4Mode, "sigv4", env("LOCALSEC_SIGV4", "off"),
		"signature checking: off (any secret works, as in LocalStack) or strict (every request verified against --credentials) (LOCALSEC_SIGV4)")
	fs.StringVar(&credentials, "credentials", env("LOCALSEC_CREDENTIALS", ""),
		"JSON file of access keys for --sigv4 strict: {\"credentials\":[{\"accessKeyId\":…,\"secretAccessKey\":…,\"accountId\":…}]} (LOCALSEC_CREDENTIALS)")
	fs.StringVar(&c.AdminToken, "admin-token", env("LOCALSEC_ADMIN_TOKEN", ""),
		"token the /_localsec admin endpoints but health require (Authorization: Bearer TOKEN, or ?token=TOKEN for the console in a browser); without it they are off when --addr is not loopback (LOCALSEC_ADMIN_TOKEN)")
	fs.StringVar(&c.Seed, "seed", env("LOCALSEC_SEED", ""),
		"seed document (JSON or YAML) of accounts, access keys, organization and relationships, loaded into an empty store at start (LOCALSEC_SEED)")
	fs.StringVar(&c.SMTP, "smtp", env("LOCALSEC_SMTP", ""),
		"also relay invitation emails to the SMTP server at HOST:PORT; they are always kept in GET /_localsec/emails (LOCALSEC_SMTP)")
	fs.BoolVar(&c.ShowVersion, "version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, err
		}
		// The flag package has printed the problem and the usage already;
		// errUsage tells main not to print it again.
		return c, fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	switch strings.ToLower(logLevel) {
	case "debug", "info", "warn", "error":
	default:
		return c, fmt.Errorf("--log-level (LOCALSEC_LOG_LEVEL): %q is not one of debug, info, warn, error", logLevel)
	}
	if err := c.LogLevel.UnmarshalText([]byte(logLevel)); err != nil {
		return c, fmt.Errorf("--log-level (LOCALSEC_LOG_LEVEL): %q is not one of debug, info, warn, error", logLevel)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return c, fmt.Errorf("--log-format (LOCALSEC_LOG_FORMAT): %q is not text or json", c.LogFormat)
	}
	if !membership.IsAccountID(c.Account) {
		return c, fmt.Errorf("--account (LOCALSEC_ACCOUNT): %q is not a 12-digit account id", c.Account)
	}
	keys, err := parseAccessKeys(accessKeys)
	if err != nil {
		return c, err
	}
	c.AccessKeys = keys
	if c.OrgManagement != "" && !membership.IsAccountID(c.OrgManagement) {
		return c, fmt.Errorf("--org-management-account (LOCALSEC_ORG_MANAGEMENT_ACCOUNT): %q is not a 12-digit account id", c.OrgManagement)
	}
	for _, a := range splitList(orgAccounts) {
		if !membership.IsAccountID(a) {
			return c, fmt.Errorf("--org-accounts (LOCALSEC_ORG_ACCOUNTS): %q is not a 12-digit account id", a)
		}
		c.OrgAccounts = append(c.OrgAccounts, a)
	}
	if len(c.OrgAccounts) > 0 && c.OrgManagement == "" {
		return c, fmt.Errorf("--org-accounts (LOCALSEC_ORG_ACCOUNTS) needs --org-management-account (LOCALSEC_ORG_MANAGEMENT_ACCOUNT)")
	}
	if c.Store, err = resolveStore(store, dataDir, getenv); err != nil {
		return c, err
	}
	switch sigv4Mode {
	case "off":
		if credentials != "" {
			return c, fmt.Errorf("--credentials (LOCALSEC_CREDENTIALS) needs --sigv4 strict (LOCALSEC_SIGV4)")
		}
	case "strict":
		if credentials == "" {
			return c, fmt.Errorf("--sigv4 strict (LOCALSEC_SIGV4) needs --credentials FILE (LOCALSEC_CREDENTIALS)")
		}
		c.SigV4Strict = true
		if c.Credentials, err = readCredentials(credentials); err != nil {
			return c, err
		}
	default:
		return c, fmt.Errorf("--sigv4 (LOCALSEC_SIGV4): %q is not off or strict", sigv4Mode)
	}
	c.AdminDisabled = c.AdminToken == "" && !isLoopback(c.Addr)
	if c.SMTP != "" {
		if _, _, err := net.SplitHostPort(c.SMTP); err != nil {
			return c, fmt.Errorf("--smtp (LOCALSEC_SMTP): %q is not HOST:PORT", c.SMTP)
		}
	}
	return c, nil
}

// readCredentials reads the access keys of a credentials file.
func readCredentials(path string) (map[string]protocol.Credential, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--credentials (LOCALSEC_CREDENTIALS): %w", err)
	}
	var file struct {
		Credentials []struct {
			AccessKeyID     string `json:"accessKeyId"`
			SecretAccessKey string `json:"secretAccessKey"`
			AccountID       string `json:"accountId"`
		} `json:"credentials"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		return nil, fmt.Errorf("--credentials (LOCALSEC_CREDENTIALS) %s: %w", path, err)
	}
	out := map[string]protocol.Credential{}
	for i, c := range file.Credentials {
		switch {
		case c.AccessKeyID == "" || c.SecretAccessKey == "":
			return nil, fmt.Errorf("--credentials %s: entry %d needs accessKeyId and secretAccessKey", path, i+1)
		case !membership.IsAccountID(c.AccountID):
			return nil, fmt.Errorf("--credentials %s: entry %d: accountId %q is not a 12-digit account id", path, i+1, c.AccountID)
		}
		if _, dup := out[c.AccessKeyID]; dup {
			return nil, fmt.Errorf("--credentials %s: access key %s appears twice", path, c.AccessKeyID)
		}
		out[c.AccessKeyID] = protocol.Credential{SecretAccessKey: c.SecretAccessKey, Account: c.AccountID}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--credentials %s: no credentials", path)
	}
	return out, nil
}

// isLoopback reports whether a listen address only accepts local
// connections.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// defaultDataDirHelp names the default data directory in the help text.
const defaultDataDirHelp = "$XDG_DATA_HOME/localsec or ~/.local/share/localsec"

// resolveStore decides where state lives: --store when given; else
// --data-dir; else, with PERSISTENCE=1 (LocalStack's switch), the default
// data directory; else memory.
func resolveStore(store, dataDir string, getenv func(string) string) (string, error) {
	switch {
	case store != "" && dataDir != "":
		return "", fmt.Errorf("--store (LOCALSEC_STORE) and --data-dir (LOCALSEC_DATA_DIR) both say where state lives: give one")
	case store != "":
		if store == "memory" || strings.HasPrefix(store, "postgres://") || strings.HasPrefix(store, "postgresql://") {
			return store, nil
		}
		if path, ok := strings.CutPrefix(store, "sqlite:"); ok && path != "" {
			return store, nil
		}
		return "", fmt.Errorf("--store (LOCALSEC_STORE): %q is not memory, sqlite:PATH or a postgres:// URL", store)
	case dataDir != "":
		return "sqlite:" + filepath.Join(dataDir, "localsec.db"), nil
	case getenv("PERSISTENCE") == "1":
		dir := getenv("XDG_DATA_HOME")
		if dir == "" {
			home := getenv("HOME")
			if home == "" {
				return "", fmt.Errorf("PERSISTENCE=1: no HOME or XDG_DATA_HOME to put the data directory in; give --data-dir")
			}
			dir = filepath.Join(home, ".local", "share")
		}
		return "sqlite:" + filepath.Join(dir, "localsec", "localsec.db"), nil
	}
	return "memory", nil
}

func parseAccessKeys(s string) (map[string]string, error) {
	keys := map[string]string{}
	for _, pair := range splitList(s) {
		key, account, ok := strings.Cut(pair, "=")
		if !ok || key == "" || !membership.IsAccountID(account) {
			return nil, fmt.Errorf("--access-keys (LOCALSEC_ACCESS_KEYS): %q is not KEY=ACCOUNT with a 12-digit account", pair)
		}
		keys[key] = account
	}
	return keys, nil
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
