package main

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sectionSeed is a seed whose organizations section has 999999999999
// manage 111111111111.
const sectionSeed = `version: 1
organizations:
  - managementAccount: "999999999999"
    accounts: [{id: "111111111111"}]
`

func writeSeed(t *testing.T, doc string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "seed.yaml")
	if err := os.WriteFile(file, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// The flags' organization and a seed's organizations section: the flags
// may name the section's management account (the organization is kept)
// or an account of no organization (a second one is made), never an
// account the section puts in an organization it does not manage.
func TestReadSeedOrganizationsSectionAndFlags(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	file := writeSeed(t, sectionSeed)
	for _, tc := range []struct {
		mgmt    string
		accts   []string
		wantErr string
	}{
		{mgmt: "999999999999", accts: []string{"222222222222"}},
		{mgmt: "333333333333"},
		{mgmt: "111111111111", wantErr: "--org-management-account 111111111111 is an account of organizations[0], whose management account is 999999999999"},
	} {
		sd, err := readSeed(config{Seed: file, OrgManagement: tc.mgmt, OrgAccounts: tc.accts}, logger)
		switch {
		case tc.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("--org-management-account %s: %v, want an error containing %q", tc.mgmt, err, tc.wantErr)
			}
		case err != nil:
			t.Errorf("--org-management-account %s: %v", tc.mgmt, err)
		case sd.dir.Organization.ManagementAccount != tc.mgmt || len(sd.snap.Records) == 0:
			t.Errorf("--org-management-account %s: organization %+v, %d records", tc.mgmt, sd.dir.Organization, len(sd.snap.Records))
		}
	}
}

// A mistake in the organizations section stops localsec with its place.
func TestReadSeedOrganizationsSectionError(t *testing.T) {
	file := writeSeed(t, sectionSeed+"    handshakes: [{target: \"111111111111\", state: Pending}]\n")
	_, err := readSeed(config{Seed: file}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil || !strings.Contains(err.Error(), `organizations[0].handshakes[0]: state "Pending" is not OPEN, ACCEPTED, DECLINED or CANCELED`) {
		t.Fatalf("readSeed: %v", err)
	}
}
