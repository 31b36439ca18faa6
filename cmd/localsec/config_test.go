package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/server"
)

// envMap is a getenv over a fixed set of variables.
func envMap(m map[string]string) func(string) string {
	return func(name string) string { return m[name] }
}

// defaults is the configuration with no flags and no environment.
func defaults() config {
	return config{
		Addr:       "127.0.0.1:4566",
		Region:     server.DefaultRegion,
		Account:    protocol.DefaultAccount,
		AccessKeys: map[string]string{},
		LogLevel:   slog.LevelInfo,
		LogFormat:  "text",
		Store:      "memory",
	}
}

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want func(c *config) // edits defaults() into the expected config
	}{
		{name: "defaults", want: func(c *config) {}},

		// LOCALSEC_STORE / --store, LOCALSEC_DATA_DIR / --data-dir, PERSISTENCE=1
		{name: "store from env", env: map[string]string{"LOCALSEC_STORE": "sqlite:/tmp/x.db"},
			want: func(c *config) { c.Store = "sqlite:/tmp/x.db" }},
		{name: "store flag beats env", args: []string{"--store", "postgres://u@h:5432/db"}, env: map[string]string{"LOCALSEC_STORE": "sqlite:/tmp/x.db"},
			want: func(c *config) { c.Store = "postgres://u@h:5432/db" }},
		{name: "store memory", args: []string{"--store", "memory"}, want: func(c *config) { c.Store = "memory" }},
		{name: "postgresql scheme", args: []string{"--store", "postgresql://h/db"}, want: func(c *config) { c.Store = "postgresql://h/db" }},
		{name: "data dir from env", env: map[string]string{"LOCALSEC_DATA_DIR": "/srv/ls"},
			want: func(c *config) { c.Store = "sqlite:/srv/ls/localsec.db" }},
		{name: "data dir flag beats env", args: []string{"--data-dir", "/a"}, env: map[string]string{"LOCALSEC_DATA_DIR": "/b"},
			want: func(c *config) { c.Store = "sqlite:/a/localsec.db" }},
		{name: "PERSISTENCE=1 uses XDG_DATA_HOME", env: map[string]string{"PERSISTENCE": "1", "XDG_DATA_HOME": "/xdg", "HOME": "/home/u"},
			want: func(c *config) { c.Store = "sqlite:/xdg/localsec/localsec.db" }},
		{name: "PERSISTENCE=1 falls back to HOME", env: map[string]string{"PERSISTENCE": "1", "HOME": "/home/u"},
			want: func(c *config) { c.Store = "sqlite:/home/u/.local/share/localsec/localsec.db" }},
		{name: "data dir beats PERSISTENCE=1", env: map[string]string{"PERSISTENCE": "1", "HOME": "/home/u", "LOCALSEC_DATA_DIR": "/d"},
			want: func(c *config) { c.Store = "sqlite:/d/localsec.db" }},
		{name: "PERSISTENCE=0 is memory", env: map[string]string{"PERSISTENCE": "0", "HOME": "/home/u"}, want: func(c *config) {}},

		// LOCALSEC_ADDR / --addr
		{name: "addr from env", env: map[string]string{"LOCALSEC_ADDR": "0.0.0.0:4567"},
			want: func(c *config) { c.Addr = "0.0.0.0:4567"; c.AdminDisabled = true }},
		{name: "addr flag beats env", args: []string{"--addr", "127.0.0.1:0"}, env: map[string]string{"LOCALSEC_ADDR": "0.0.0.0:4567"},
			want: func(c *config) { c.Addr = "127.0.0.1:0" }},
		{name: "addr single dash and equals", args: []string{"-addr=:9000"},
			want: func(c *config) { c.Addr = ":9000"; c.AdminDisabled = true }},

		// LOCALSEC_ADMIN_TOKEN / --admin-token: beyond loopback the admin
		// endpoints are off without a token.
		{name: "admin token from env", env: map[string]string{"LOCALSEC_ADMIN_TOKEN": "s3cret", "LOCALSEC_ADDR": "0.0.0.0:4566"},
			want: func(c *config) { c.Addr = "0.0.0.0:4566"; c.AdminToken = "s3cret" }},
		{name: "admin token flag beats env", args: []string{"--admin-token", "a"}, env: map[string]string{"LOCALSEC_ADMIN_TOKEN": "b"},
			want: func(c *config) { c.AdminToken = "a" }},
		{name: "ipv6 loopback keeps admin on", args: []string{"--addr", "[::1]:4566"},
			want: func(c *config) { c.Addr = "[::1]:4566" }},
		{name: "localhost keeps admin on", args: []string{"--addr", "localhost:4566"},
			want: func(c *config) { c.Addr = "localhost:4566" }},
		{name: "sigv4 off explicitly", env: map[string]string{"LOCALSEC_SIGV4": "off"}, want: func(c *config) {}},

		// LOCALSEC_REGION / --region
		{name: "region from env", env: map[string]string{"LOCALSEC_REGION": "eu-west-1"},
			want: func(c *config) { c.Region = "eu-west-1" }},
		{name: "region flag beats env", args: []string{"--region", "ap-south-1"}, env: map[string]string{"LOCALSEC_REGION": "eu-west-1"},
			want: func(c *config) { c.Region = "ap-south-1" }},

		// LOCALSEC_ACCOUNT / --account
		{name: "account from env", env: map[string]string{"LOCALSEC_ACCOUNT": "123456789012"},
			want: func(c *config) { c.Account = "123456789012" }},
		{name: "account flag beats env", args: []string{"--account", "210987654321"}, env: map[string]string{"LOCALSEC_ACCOUNT": "123456789012"},
			want: func(c *config) { c.Account = "210987654321" }},

		// LOCALSEC_ACCESS_KEYS / --access-keys
		{name: "access keys from env", env: map[string]string{"LOCALSEC_ACCESS_KEYS": "AKIDADMIN=111111111111, AKIDMEMBER=222222222222 ,"},
			want: func(c *config) {
				c.AccessKeys = map[string]string{"AKIDADMIN": "111111111111", "AKIDMEMBER": "222222222222"}
			}},
		{name: "access keys flag beats env", args: []string{"--access-keys", "test=333333333333"},
			env:  map[string]string{"LOCALSEC_ACCESS_KEYS": "AKIDADMIN=111111111111"},
			want: func(c *config) { c.AccessKeys = map[string]string{"test": "333333333333"} }},

		// LOCALSEC_LOG_LEVEL / --log-level
		{name: "log level from env", env: map[string]string{"LOCALSEC_LOG_LEVEL": "debug"},
			want: func(c *config) { c.LogLevel = slog.LevelDebug }},
		{name: "log level flag beats env", args: []string{"--log-level", "error"}, env: map[string]string{"LOCALSEC_LOG_LEVEL": "debug"},
			want: func(c *config) { c.LogLevel = slog.LevelError }},
		{name: "log level warn", args: []string{"--log-level=warn"},
			want: func(c *config) { c.LogLevel = slog.LevelWarn }},
		{name: "log level is case-insensitive", env: map[string]string{"LOCALSEC_LOG_LEVEL": "WARN"},
			want: func(c *config) { c.LogLevel = slog.LevelWarn }},

		// LOCALSEC_LOG_FORMAT / --log-format
		{name: "log format from env", env: map[string]string{"LOCALSEC_LOG_FORMAT": "json"},
			want: func(c *config) { c.LogFormat = "json" }},
		{name: "log format flag beats env", args: []string{"--log-format", "text"}, env: map[string]string{"LOCALSEC_LOG_FORMAT": "json"},
			want: func(c *config) { c.LogFormat = "text" }},

		// LOCALSEC_ORG_MANAGEMENT_ACCOUNT / --org-management-account
		{name: "org management from env", env: map[string]string{"LOCALSEC_ORG_MANAGEMENT_ACCOUNT": "999999999999"},
			want: func(c *config) { c.OrgManagement = "999999999999" }},
		{name: "org management flag beats env", args: []string{"--org-management-account", "888888888888"},
			env:  map[string]string{"LOCALSEC_ORG_MANAGEMENT_ACCOUNT": "999999999999"},
			want: func(c *config) { c.OrgManagement = "888888888888" }},

		// LOCALSEC_ORG_ACCOUNTS / --org-accounts
		{name: "org accounts from env", env: map[string]string{
			"LOCALSEC_ORG_MANAGEMENT_ACCOUNT": "999999999999",
			"LOCALSEC_ORG_ACCOUNTS":           "111111111111, 222222222222",
		}, want: func(c *config) {
			c.OrgManagement = "999999999999"
			c.OrgAccounts = []string{"111111111111", "222222222222"}
		}},
		{name: "org accounts flag beats env", args: []string{"--org-accounts", "333333333333"}, env: map[string]string{
			"LOCALSEC_ORG_MANAGEMENT_ACCOUNT": "999999999999",
			"LOCALSEC_ORG_ACCOUNTS":           "111111111111,222222222222",
		}, want: func(c *config) {
			c.OrgManagement = "999999999999"
			c.OrgAccounts = []string{"333333333333"}
		}},

		// --version has no variable.
		{name: "version", args: []string{"--version"}, want: func(c *config) { c.ShowVersion = true }},

		// Every variable at once, every flag at once.
		{name: "all from env", env: map[string]string{
			"LOCALSEC_ADDR":                   "127.0.0.1:5000",
			"LOCALSEC_REGION":                 "eu-central-1",
			"LOCALSEC_ACCOUNT":                "444444444444",
			"LOCALSEC_ACCESS_KEYS":            "k1=555555555555",
			"LOCALSEC_LOG_LEVEL":              "debug",
			"LOCALSEC_LOG_FORMAT":             "json",
			"LOCALSEC_ORG_MANAGEMENT_ACCOUNT": "666666666666",
			"LOCALSEC_ORG_ACCOUNTS":           "777777777777",
		}, want: func(c *config) {
			*c = config{Addr: "127.0.0.1:5000", Region: "eu-central-1", Account: "444444444444",
				AccessKeys: map[string]string{"k1": "555555555555"}, LogLevel: slog.LevelDebug, LogFormat: "json",
				OrgManagement: "666666666666", OrgAccounts: []string{"777777777777"}, Store: "memory"}
		}},
		{name: "all flags beat all env", args: []string{
			"--addr", "127.0.0.1:6000", "--region", "us-west-2", "--account", "121212121212",
			"--access-keys", "k2=131313131313", "--log-level", "warn", "--log-format", "text",
			"--org-management-account", "141414141414", "--org-accounts", "151515151515,161616161616",
		}, env: map[string]string{
			"LOCALSEC_ADDR":                   "127.0.0.1:5000",
			"LOCALSEC_REGION":                 "eu-central-1",
			"LOCALSEC_ACCOUNT":                "444444444444",
			"LOCALSEC_ACCESS_KEYS":            "k1=555555555555",
			"LOCALSEC_LOG_LEVEL":              "debug",
			"LOCALSEC_LOG_FORMAT":             "json",
			"LOCALSEC_ORG_MANAGEMENT_ACCOUNT": "666666666666",
			"LOCALSEC_ORG_ACCOUNTS":           "777777777777",
		}, want: func(c *config) {
			*c = config{Addr: "127.0.0.1:6000", Region: "us-west-2", Account: "121212121212",
				AccessKeys: map[string]string{"k2": "131313131313"}, LogLevel: slog.LevelWarn, LogFormat: "text",
				OrgManagement: "141414141414", OrgAccounts: []string{"151515151515", "161616161616"}, Store: "memory"}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := defaults()
			tc.want(&want)
			var stderr strings.Builder
			got, err := parseConfig(tc.args, envMap(tc.env), &stderr)
			if err != nil {
				t.Fatalf("parseConfig(%q, %v): unexpected error %v\nstderr: %s", tc.args, tc.env, err, stderr.String())
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("parseConfig(%q, %v)\n got: %+v\nwant: %+v", tc.args, tc.env, got, want)
			}
			if stderr.Len() != 0 {
				t.Errorf("parseConfig wrote to stderr on success: %q", stderr.String())
			}
		})
	}
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		// wantErr are fragments the error message must contain.
		wantErr []string
	}{
		{name: "bad log level flag", args: []string{"--log-level", "verbose"},
			wantErr: []string{"--log-level", `"verbose"`, "debug, info, warn, error"}},
		{name: "bad log level env", env: map[string]string{"LOCALSEC_LOG_LEVEL": "loud"},
			wantErr: []string{"--log-level", `"loud"`}},
		{name: "bad log format flag", args: []string{"--log-format", "xml"},
			wantErr: []string{"--log-format", `"xml"`, "text or json"}},
		{name: "bad log format env", env: map[string]string{"LOCALSEC_LOG_FORMAT": "JSON"},
			wantErr: []string{"--log-format", `"JSON"`}},
		{name: "unknown sigv4 mode", args: []string{"--sigv4", "lenient"},
			wantErr: []string{"--sigv4 (LOCALSEC_SIGV4)", `"lenient"`}},
		{name: "strict without credentials", env: map[string]string{"LOCALSEC_SIGV4": "strict"},
			wantErr: []string{"--sigv4 strict", "--credentials"}},
		{name: "credentials without strict", args: []string{"--credentials", "/nonexistent.json"},
			wantErr: []string{"--credentials", "--sigv4 strict"}},
		{name: "credentials file missing", args: []string{"--sigv4", "strict", "--credentials", "/nonexistent/creds.json"},
			wantErr: []string{"--credentials (LOCALSEC_CREDENTIALS)", "/nonexistent/creds.json"}},
		{name: "unknown store", args: []string{"--store", "mysql://x"},
			wantErr: []string{"--store (LOCALSEC_STORE)", `"mysql://x"`, "sqlite:PATH"}},
		{name: "sqlite without a path", args: []string{"--store", "sqlite:"},
			wantErr: []string{"--store", "sqlite:PATH"}},
		{name: "store and data dir", args: []string{"--store", "memory", "--data-dir", "/d"},
			wantErr: []string{"--store", "--data-dir", "give one"}},
		{name: "PERSISTENCE=1 without a home", env: map[string]string{"PERSISTENCE": "1"},
			wantErr: []string{"PERSISTENCE=1", "--data-dir"}},
		{name: "bad account flag", args: []string{"--account", "12345"},
			wantErr: []string{"--account", `"12345"`, "12-digit account id"}},
		{name: "bad account env", env: map[string]string{"LOCALSEC_ACCOUNT": "abcdefghijkl"},
			wantErr: []string{"--account", `"abcdefghijkl"`, "12-digit"}},
		{name: "account with 13 digits", args: []string{"--account", "1234567890123"},
			wantErr: []string{"--account", `"1234567890123"`}},
		{name: "access key without account", args: []string{"--access-keys", "AKID"},
			wantErr: []string{"--access-keys", `"AKID"`, "KEY=ACCOUNT"}},
		{name: "access key with short account", env: map[string]string{"LOCALSEC_ACCESS_KEYS": "good=111111111111,AKID=123"},
			wantErr: []string{"--access-keys", `"AKID=123"`}},
		{name: "access key with empty key", args: []string{"--access-keys", "=111111111111"},
			wantErr: []string{"--access-keys", `"=111111111111"`}},
		{name: "bad org management flag", args: []string{"--org-management-account", "mgmt"},
			wantErr: []string{"--org-management-account", `"mgmt"`, "12-digit"}},
		{name: "bad org management env", env: map[string]string{"LOCALSEC_ORG_MANAGEMENT_ACCOUNT": "99999999999"},
			wantErr: []string{"--org-management-account", `"99999999999"`}},
		{name: "bad org account", args: []string{"--org-management-account", "999999999999", "--org-accounts", "111111111111,x"},
			wantErr: []string{"--org-accounts", `"x"`, "12-digit"}},
		{name: "bad org account env", env: map[string]string{"LOCALSEC_ORG_MANAGEMENT_ACCOUNT": "999999999999", "LOCALSEC_ORG_ACCOUNTS": "22222222222a"},
			wantErr: []string{"--org-accounts", `"22222222222a"`}},
		{name: "org accounts without management", env: map[string]string{"LOCALSEC_ORG_ACCOUNTS": "111111111111"},
			wantErr: []string{"--org-accounts (LOCALSEC_ORG_ACCOUNTS) needs --org-management-account"}},
		{name: "positional argument", args: []string{"serve"},
			wantErr: []string{"unexpected argument", `"serve"`}},
		{name: "unknown flag", args: []string{"--port", "4566"},
			wantErr: []string{"flag provided but not defined", "-port"}},
		{name: "flag without value", args: []string{"--addr"},
			wantErr: []string{"flag needs an argument", "-addr"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseConfig(tc.args, envMap(tc.env), io.Discard)
			if err == nil {
				t.Fatalf("parseConfig(%q, %v): no error, want one containing %q", tc.args, tc.env, tc.wantErr)
			}
			for _, frag := range tc.wantErr {
				if !strings.Contains(err.Error(), frag) {
					t.Errorf("parseConfig(%q, %v) error %q does not contain %q", tc.args, tc.env, err, frag)
				}
			}
		})
	}
}

func TestParseConfigHelp(t *testing.T) {
	var stderr strings.Builder
	_, err := parseConfig([]string{"-help"}, envMap(nil), &stderr)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("parseConfig(-help) error = %v, want flag.ErrHelp", err)
	}
	usage := stderr.String()
	for _, want := range []string{
		"Usage: localsec",
		"LOCALSEC_ADDR", "LOCALSEC_REGION", "LOCALSEC_ACCOUNT", "LOCALSEC_ACCESS_KEYS",
		"LOCALSEC_LOG_LEVEL", "LOCALSEC_LOG_FORMAT", "LOCALSEC_ORG_MANAGEMENT_ACCOUNT", "LOCALSEC_ORG_ACCOUNTS",
		"-version",
	} {
		if !strings.Contains(usage, want) {
			t.Errorf("usage does not mention %q:\n%s", want, usage)
		}
	}
}

// TestParseConfigEnvDefaultsShownInHelp checks that an environment value
// becomes the flag's default, as -help shows it.
func TestParseConfigEnvDefaultsShownInHelp(t *testing.T) {
	var stderr strings.Builder
	_, err := parseConfig([]string{"-h"}, envMap(map[string]string{"LOCALSEC_REGION": "eu-north-1"}), &stderr)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("parseConfig(-h) error = %v, want flag.ErrHelp", err)
	}
	if !strings.Contains(stderr.String(), `(default "eu-north-1")`) {
		t.Errorf("usage does not show the LOCALSEC_REGION value as the default of -region:\n%s", stderr.String())
	}
}

func TestReadCredentials(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		t.Helper()
		p := filepath.Join(dir, fmt.Sprintf("c%d.json", len(body)))
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write(`{"credentials":[{"accessKeyId":"AKIAADMIN","secretAccessKey":"s1","accountId":"111111111111"},
		{"accessKeyId":"AKIAMEMBER","secretAccessKey":"s2","accountId":"222222222222"}]}`)
	c, err := parseConfig([]string{"--sigv4", "strict", "--credentials", good}, envMap(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !c.SigV4Strict || len(c.Credentials) != 2 || c.Credentials["AKIAMEMBER"] != (protocol.Credential{SecretAccessKey: "s2", Account: "222222222222"}) {
		t.Fatalf("credentials = %+v", c.Credentials)
	}
	for body, want := range map[string]string{
		`{"credentials":[]}`: "no credentials",
		`{"credentials":[{"accessKeyId":"K","secretAccessKey":"s","accountId":"12"}]}`:                                                                                "not a 12-digit account id",
		`{"credentials":[{"accessKeyId":"K","accountId":"111111111111"}]}`:                                                                                            "needs accessKeyId and secretAccessKey",
		`{"credentials":[{"accessKeyId":"K","secretAccessKey":"s","accountId":"111111111111"},{"accessKeyId":"K","secretAccessKey":"t","accountId":"222222222222"}]}`: "appears twice",
		`{"credentials":[{"accessKey":"K"}]}`: "unknown field",
		`not json`:                            "invalid character",
	} {
		_, err := parseConfig([]string{"--sigv4", "strict", "--credentials", write(body)}, envMap(nil), io.Discard)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("credentials %s: error %v, want it to contain %q", body, err, want)
		}
	}
}
