package main

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/localsec/localsec/internal/ids"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/seed"
	"github.com/localsec/localsec/internal/store"
)

// seedData is a loaded seed, merged with the command line.
type seedData struct {
	path        string
	dir         seed.Directory
	snap        store.Snapshot
	keys        map[string]string
	credentials map[string]protocol.Credential
}

// readSeed reads and checks the seed file, and merges what it says of
// access keys and the organization with the flags: the same key mapped to
// two accounts, or two organizations, is an error.
func readSeed(cfg config, logger *slog.Logger) (*seedData, error) {
	raw, err := os.ReadFile(cfg.Seed)
	if err != nil {
		return nil, fmt.Errorf("--seed (LOCALSEC_SEED): %w", err)
	}
	doc, err := seed.Parse(raw, cfg.Seed)
	if err != nil {
		return nil, fmt.Errorf("--seed (LOCALSEC_SEED): %w", err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	dir, snap, err := seed.Load(doc, now, ids.Random{}.NewID)
	if err != nil {
		return nil, fmt.Errorf("--seed (LOCALSEC_SEED) %s:\n%w", cfg.Seed, err)
	}
	logger.Info("seed read", "file", cfg.Seed, "accounts", len(dir.Accounts), "access_keys", len(dir.Keys),
		"organizations", len(doc.Organizations), "enablements", len(snap.Enablements), "members", len(snap.Members), "organization_admins", len(snap.OrgAdmins), "emails", len(snap.Emails))

	sd := &seedData{path: cfg.Seed, dir: dir, snap: snap, keys: map[string]string{}, credentials: cfg.Credentials}
	for k, a := range cfg.AccessKeys {
		sd.keys[k] = a
	}
	for k, a := range dir.Keys {
		if other, ok := sd.keys[k]; ok && other != a {
			return nil, fmt.Errorf("--seed %s: access key %s maps to %s, but --access-keys maps it to %s", cfg.Seed, k, a, other)
		}
		sd.keys[k] = a
	}
	if cfg.SigV4Strict {
		merged := map[string]protocol.Credential{}
		for k, c := range cfg.Credentials {
			merged[k] = c
		}
		for k, c := range dir.Credentials {
			if other, ok := merged[k]; ok && other != c {
				return nil, fmt.Errorf("--seed %s: access key %s differs from --credentials", cfg.Seed, k)
			}
			merged[k] = c
		}
		sd.credentials = merged
	}
	flagOrg := membership.Organization{ManagementAccount: cfg.OrgManagement, Accounts: cfg.OrgAccounts}
	switch {
	case flagOrg.Exists() && dir.Organization.Exists() && flagOrg.ManagementAccount != dir.Organization.ManagementAccount:
		return nil, fmt.Errorf("--seed %s: the organization's management account is %s, but --org-management-account says %s",
			cfg.Seed, dir.Organization.ManagementAccount, flagOrg.ManagementAccount)
	case !dir.Organization.Exists():
		sd.dir.Organization = flagOrg
	}
	// The flags' organization is made at start in the organization its
	// management account manages, or anew: an account of another
	// organization of the seed cannot be its management account.
	if flagOrg.Exists() {
		for i, o := range doc.Organizations {
			for _, a := range o.Accounts {
				if a.ID == flagOrg.ManagementAccount && a.ID != o.ManagementAccount {
					return nil, fmt.Errorf("--seed %s: --org-management-account %s is an account of organizations[%d], whose management account is %s",
						cfg.Seed, a.ID, i, o.ManagementAccount)
				}
			}
		}
	}
	return sd, nil
}

// logLoaded logs what the seed held (the server loaded it, unless the
// store already held state, which it then logged).
func (sd *seedData) logLoaded(logger *slog.Logger) {
	logger.Info("seed applied", "file", sd.path, "enablements", len(sd.snap.Enablements), "members", len(sd.snap.Members),
		"organization_admins", len(sd.snap.OrgAdmins), "organization_configs", len(sd.snap.OrgConfigs), "emails", len(sd.snap.Emails),
		"records", len(sd.snap.Records))
}
