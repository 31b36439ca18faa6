package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
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
	return c, nil
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
