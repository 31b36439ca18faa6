package seed_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/localsec/localsec/internal/clock"
	"github.com/localsec/localsec/internal/ids"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/organizations"
	"github.com/localsec/localsec/internal/seed"
	"github.com/localsec/localsec/internal/store"
	"github.com/localsec/localsec/internal/store/memstore"
)

// must fails the test on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// orgEngineOf imports snap into a fresh store and returns the
// Organizations engine on it, its clock at now.
func orgEngineOf(t *testing.T, snap store.Snapshot) *organizations.Engine {
	t.Helper()
	st := memstore.New()
	orgs := organizations.New(st, organizations.WithClock(clock.NewFake(now)))
	must(t, membership.New(st, membership.WithOrganizations(orgs)).Import(context.Background(), snap))
	return orgs
}

// The example's organizations section, written by hand with most fields
// left out, gives the organization it describes: the OUs by path, the
// accounts in them with their tags, the open invitation, trusted access
// and the delegated administrator, names and addresses from the accounts
// section.
func TestExampleOrganizationsSection(t *testing.T) {
	ctx := context.Background()
	raw, err := os.ReadFile("../../docs/examples/seed.yaml")
	must(t, err)
	doc, err := seed.Parse(raw, "seed.yaml")
	must(t, err)
	_, snap := load(t, doc)
	orgs := orgEngineOf(t, snap)
	const mgmt = "999999999999"
	org, err := orgs.DescribeOrganization(ctx, mgmt)
	if err != nil || org.FeatureSet != organizations.FeatureSetAll || org.ManagementEmail != "root@example.com" || org.ManagementName != "management" {
		t.Fatalf("DescribeOrganization = %+v, %v", org, err)
	}
	units, _, err := orgs.ListOrganizationalUnitsForParent(ctx, mgmt, org.RootID, organizations.Page{})
	if err != nil || len(units) != 1 || units[0].Name != "Workloads" {
		t.Fatalf("OUs of the root = %+v, %v", units, err)
	}
	prod, _, err := orgs.ListOrganizationalUnitsForParent(ctx, mgmt, units[0].ID, organizations.Page{})
	if err != nil || len(prod) != 1 || prod[0].Name != "Prod" {
		t.Fatalf("OUs of Workloads = %+v, %v", prod, err)
	}
	inProd, _, err := orgs.ListAccountsForParent(ctx, mgmt, prod[0].ID, organizations.Page{})
	if err != nil || len(inProd) != 1 || inProd[0].ID != "222222222222" || inProd[0].Email != "prod@example.com" ||
		inProd[0].JoinedMethod != organizations.JoinedCreated || inProd[0].State != organizations.StateActive || !inProd[0].Joined.Equal(now) {
		t.Fatalf("accounts of Workloads/Prod = %+v, %v", inProd, err)
	}
	tags, _, err := orgs.ListTagsForResource(ctx, mgmt, "222222222222", organizations.Page{})
	if err != nil || len(tags) != 1 || tags[0] != (organizations.Tag{Key: "team", Value: "payments"}) {
		t.Fatalf("tags of 222222222222 = %+v, %v", tags, err)
	}
	all, _, err := orgs.ListAccounts(ctx, mgmt, organizations.Page{})
	if err != nil || len(all) != 4 {
		t.Fatalf("ListAccounts = %+v, %v", all, err)
	}
	hs, _, err := orgs.ListHandshakesForAccount(ctx, "777777777777", organizations.HandshakeFilter{}, organizations.Page{})
	if err != nil || len(hs) != 1 || hs[0].State != organizations.HandshakeOpen || hs[0].OrgID != org.ID ||
		!hs[0].Expires.Equal(now.Add(organizations.InviteLifetime)) {
		t.Fatalf("the invitation of 777777777777 = %+v, %v", hs, err)
	}
	admins, _, err := orgs.ListDelegatedAdministrators(ctx, mgmt, "macie.amazonaws.com", organizations.Page{})
	if err != nil || len(admins) != 1 || admins[0].ID != "111111111111" {
		t.Fatalf("Macie's delegated administrators = %+v, %v", admins, err)
	}
	access, _, err := orgs.ListAWSServiceAccessForOrganization(ctx, mgmt, organizations.Page{})
	if err != nil || len(access) != 1 || access[0].Principal != "macie.amazonaws.com" {
		t.Fatalf("trusted access = %+v, %v", access, err)
	}
	// And the invited account can accept.
	if _, err := orgs.AcceptHandshake(ctx, "777777777777", hs[0].ID); err != nil {
		t.Fatalf("accepting the seeded invitation: %v", err)
	}
}

// recordsOf returns the records of snap that are AWS Organizations'.
func recordsOf(snap store.Snapshot) []store.Record {
	var out []store.Record
	for _, r := range snap.Records {
		if organizations.IsRecordKind(r.Kind) {
			out = append(out, r)
		}
	}
	return out
}

// A state made through the Organizations API is exported as the
// organizations section (no engine record left in records:, no
// shortcut), and seeding that export, JSON or YAML, gives the engine's
// records byte for byte.
func TestOrganizationsSectionRoundTrip(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	clk := clock.NewFake(now)
	orgs := organizations.New(st, organizations.WithClock(clk), organizations.WithIDs(&ids.Sequence{}),
		organizations.WithDirectory(func(id string) (string, string) {
			if id == "111111111111" {
				return "security-tooling", "security@example.com"
			}
			return "", ""
		}))
	const mgmt, mgmt2 = "999999999999", "888888888888"
	org, err := orgs.CreateOrganization(ctx, mgmt, "")
	must(t, err)
	ou, err := orgs.CreateOrganizationalUnit(ctx, mgmt, org.RootID, "Security", []organizations.Tag{{Key: "k", Value: "v"}})
	must(t, err)
	for _, a := range []string{"111111111111", "222222222222"} {
		clk.Advance(time.Second)
		h, err := orgs.InviteAccountToOrganization(ctx, mgmt, organizations.Party{ID: a, Type: organizations.PartyAccount}, "hi",
			[]organizations.Tag{{Key: "via", Value: "invite"}})
		must(t, err)
		_, err = orgs.AcceptHandshake(ctx, a, h.ID)
		must(t, err)
	}
	must(t, orgs.MoveAccount(ctx, mgmt, "111111111111", org.RootID, ou.ID))
	must(t, orgs.EnableAWSServiceAccess(ctx, mgmt, "guardduty.amazonaws.com"))
	must(t, orgs.RegisterDelegatedAdministrator(ctx, mgmt, "111111111111", "guardduty.amazonaws.com"))
	must(t, orgs.RegisterDelegatedAdministrator(ctx, mgmt, "111111111111", "config.amazonaws.com"))
	req, err := orgs.CreateAccount(ctx, mgmt, organizations.NewAccount{Name: "sandbox", Email: "sandbox@example.com", RoleName: "Admin"})
	must(t, err)
	created, err := orgs.DescribeCreateAccountStatus(ctx, mgmt, req.ID)
	must(t, err)
	_, err = orgs.CreateAccount(ctx, mgmt, organizations.NewAccount{Name: "again", Email: "SANDBOX@example.com"})
	must(t, err)
	must(t, orgs.RemoveAccountFromOrganization(ctx, mgmt, created.AccountID))
	must(t, orgs.CloseAccount(ctx, mgmt, "222222222222"))
	clk.Advance(time.Hour)
	h, err := orgs.InviteAccountToOrganization(ctx, mgmt, organizations.Party{ID: "333333333333", Type: organizations.PartyAccount}, "", nil)
	must(t, err)
	_, err = orgs.CancelHandshake(ctx, mgmt, h.ID)
	must(t, err)
	_, err = orgs.InviteAccountToOrganization(ctx, mgmt, organizations.Party{ID: "sandbox@example.com", Type: organizations.PartyEmail}, "come back", nil)
	must(t, err)
	_, err = orgs.SetPolicyType(ctx, mgmt, org.RootID, "SERVICE_CONTROL_POLICY", true)
	must(t, err)
	must(t, orgs.TagResource(ctx, mgmt, org.RootID, []organizations.Tag{{Key: "root", Value: "yes"}}))
	// A second organization, from the flags' shortcut: open.
	must(t, orgs.Seed(ctx, mgmt2, nil))

	var snap store.Snapshot
	must(t, st.View(ctx, func(tx store.Tx) error {
		var err error
		snap, err = tx.All(ctx)
		return err
	}))
	snap.Records = append(snap.Records, store.Record{Kind: "sessions.session", Key: "ASIAEXAMPLE", Value: []byte(`{"account":"111111111111"}`)})
	want := recordsOf(snap)
	dir := seed.Directory{Accounts: []seed.Account{{ID: "111111111111", Name: "security-tooling", Email: "security@example.com"}},
		Organization: membership.Organization{ManagementAccount: mgmt2}}
	doc := seed.Build(dir, snap)
	if len(doc.Organizations) != 2 || doc.Organization != nil {
		t.Fatalf("export: %d organizations, shortcut %+v; want 2 and no shortcut", len(doc.Organizations), doc.Organization)
	}
	if len(doc.Records) != 1 || doc.Records[0].Kind != "sessions.session" {
		t.Fatalf("export records = %+v, want only the session", doc.Records)
	}
	for _, format := range []string{"json", "yaml"} {
		var out []byte
		if format == "json" {
			out, err = doc.JSON()
		} else {
			out, err = doc.YAML()
		}
		must(t, err)
		if format == "yaml" {
			for _, s := range []string{"organizationalUnits:", "name: Security", "delegatedAdministrators:", "standaloneAccounts:",
				"state: CLOSED", "roleName: Admin", "target: sandbox@example.com", "open: true", "state: CANCELED", "failureReason: EMAIL_ALREADY_EXISTS"} {
				if !strings.Contains(string(out), s) {
					t.Errorf("the YAML export lacks %q", s)
				}
			}
			// Names and addresses the accounts section gives are not
			// written again.
			if strings.Contains(string(out[strings.Index(string(out), "organizations:"):]), "security@example.com") {
				t.Errorf("the organizations section repeats the accounts section's address:\n%s", out)
			}
			// Nor is the state Load gives by itself, ACTIVE.
			if strings.Contains(string(out), "state: ACTIVE") {
				t.Errorf("the export writes the default state ACTIVE:\n%s", out)
			}
		}
		again, err := seed.Parse(out, "export."+format)
		if err != nil {
			t.Fatalf("%s export does not parse: %v\n%s", format, err, out)
		}
		dir2, snap2 := load(t, again)
		if a, b := render(want), render(recordsOf(snap2)); a != b {
			t.Fatalf("%s: export -> seed changed the engine's records\n--- before\n%s--- after\n%s\nexport:\n%s", format, a, b, out)
		}
		if normalize(t, seed.Build(dir2, snap2)) != normalize(t, doc) {
			t.Fatalf("%s: export -> seed -> export changed the document", format)
		}
	}
}

func render(rs []store.Record) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Kind + " " + r.Key + " " + string(r.Value) + "\n")
	}
	return b.String()
}

// Records the section cannot say stay records, and the shortcut stays:
// an export never loses what it cannot write as a section. A document
// holding such records (as exports did before the section) seeds them.
func TestOrganizationsRecordsTheSectionCannotSay(t *testing.T) {
	st := memstore.New()
	orgs := organizations.New(st, organizations.WithClock(clock.NewFake(now)), organizations.WithIDs(&ids.Sequence{}))
	must(t, orgs.Seed(context.Background(), "999999999999", []string{"111111111111"}))
	var snap store.Snapshot
	must(t, st.View(context.Background(), func(tx store.Tx) error {
		var err error
		snap, err = tx.All(context.Background())
		return err
	}))
	snap.Records = append(snap.Records, store.Record{Kind: "organizations.parent-account", Key: "r-stray/111111111111", Value: []byte("{}")})
	dir := seed.Directory{Organization: membership.Organization{ManagementAccount: "999999999999", Accounts: []string{"111111111111"}}}
	doc := seed.Build(dir, snap)
	if len(doc.Organizations) != 0 || doc.Organization == nil || len(doc.Records) != len(snap.Records) {
		t.Fatalf("export of records it cannot describe: %d organizations, shortcut %+v, %d records (want 0, the shortcut, %d)",
			len(doc.Organizations), doc.Organization, len(doc.Records), len(snap.Records))
	}
	out, err := doc.YAML()
	must(t, err)
	again, err := seed.Parse(out, "export.yaml")
	must(t, err)
	_, snap2 := load(t, again)
	if render(snap2.Records) != render(snap.Records) {
		t.Fatalf("the records did not come back:\n%s", out)
	}
}

// Mistakes in the organizations section are named with their place.
func TestOrganizationsSectionErrors(t *testing.T) {
	const head = "version: 1\norganizations:\n  - managementAccount: \"999999999999\"\n"
	for _, tc := range []struct{ name, yaml, want string }{
		{"management account id", "version: 1\norganizations:\n  - managementAccount: \"99\"\n", `organizations[0]: managementAccount "99" is not a 12-digit account id`},
		{"feature set", head + "    featureSet: SOME\n", `organizations[0]: featureSet "SOME" is not ALL or CONSOLIDATED_BILLING`},
		{"organization id", head + "    id: org-1\n", `organizations[0]: id "org-1" is not o- and`},
		{"unknown field", head + "    acounts: []\n", "field acounts not found"},
		{"account id", head + "    accounts: [{id: \"1\"}]\n", `organizations[0].accounts[0]: id "1" is not a 12-digit account id`},
		{"joined method", head + "    accounts: [{id: \"111111111111\", joinedMethod: JOINED}]\n", `organizations[0].accounts[0]: joinedMethod "JOINED" is not CREATED or INVITED`},
		{"state", head + "    accounts: [{id: \"111111111111\", state: GONE}]\n", `organizations[0].accounts[0]: state "GONE" is not ACTIVE`},
		{"closed management", head + "    accounts: [{id: \"999999999999\", state: CLOSED}]\n", "organizations[0].accounts[0]: the management account is CLOSED"},
		{"unknown parent", head + "    accounts: [{id: \"111111111111\", parent: Nowhere}]\n", `organizations[0].accounts[0]: parent "Nowhere" is not the root`},
		{"account in two organizations", head + "    accounts: [{id: \"111111111111\"}]\n  - managementAccount: \"888888888888\"\n    accounts: [{id: \"111111111111\"}]\n",
			"organizations[1].accounts[0]: account 111111111111 is also organizations[0].accounts[0]"},
		{"management of two", head + "  - managementAccount: \"999999999999\"\n", "organizations[1]: account 999999999999 is also organizations[0]"},
		{"email twice", head + "    accounts: [{id: \"111111111111\", email: a@example.com}, {id: \"222222222222\", email: A@example.com}]\n",
			"organizations[0].accounts[1]: email A@example.com is also account 111111111111's"},
		{"bad email", head + "    accounts: [{id: \"111111111111\", email: nobody}]\n", `organizations[0].accounts[0]: email "nobody" is not an address`},
		{"OU parent", head + "    organizationalUnits: [{name: A, parent: B}]\n", `organizations[0].organizationalUnits[0]: parent "B" is not the root`},
		{"OU cycle", head + "    organizationalUnits: [{id: ou-aaaa-aaaaaaaa, name: A, parent: ou-aaaa-bbbbbbbb}, {id: ou-aaaa-bbbbbbbb, name: B, parent: ou-aaaa-aaaaaaaa}]\n",
			"organizations[0].organizationalUnits[0]: OU \"A\" is more than 5 levels below the root, or its own ancestor"},
		{"OU too deep", head + "    organizationalUnits: [{name: A}, {name: B, parent: A}, {name: C, parent: A/B}, {name: D, parent: A/B/C}, {name: E, parent: A/B/C/D}, {name: F, parent: A/B/C/D/E}]\n",
			"organizations[0].organizationalUnits[5]: OU \"F\" is more than 5 levels"},
		{"OU name twice", head + "    organizationalUnits: [{name: A}, {name: A}]\n", `organizations[0].organizationalUnits[1]: another OU of the same parent is named "A"`},
		{"OU without name", head + "    organizationalUnits: [{parent: \"\"}]\n", `organizations[0].organizationalUnits[0]: name "" is not 1 to 128 characters`},
		{"OU id twice", head + "    organizationalUnits: [{id: ou-aaaa-aaaaaaaa, name: A}, {id: ou-aaaa-aaaaaaaa, name: B}]\n",
			"organizations[0].organizationalUnits[1]: organizational unit ou-aaaa-aaaaaaaa is also organizations[0].organizationalUnits[0]"},
		{"tag key", head + "    rootTags: {\"aws:x\": y}\n", `organizations[0].rootTags: tag key "aws:x"`},
		{"handshake target", head + "    handshakes: [{target: \"12\"}]\n", `organizations[0].handshakes[0]: target "12" is not a 12-digit account id`},
		{"handshake state", head + "    handshakes: [{target: \"111111111111\", state: EXPIRED}]\n", "organizations[0].handshakes[0]: state EXPIRED is not kept"},
		{"handshake twice", head + "    handshakes: [{target: \"111111111111\"}, {target: \"111111111111\"}]\n",
			"organizations[0].handshakes[1]: 111111111111 has another open invitation from this organization, organizations[0].handshakes[0]"},
		{"handshake to an unknown address", head + "    handshakes: [{target: someone@example.com}]\n",
			"organizations[0].handshakes[0]: no account of the organizations or standaloneAccounts sections has the address someone@example.com"},
		{"trusted principal", head + "    trustedAccess: [{servicePrincipal: s3.amazonaws.com}]\n", `organizations[0].trustedAccess[0]: servicePrincipal "s3.amazonaws.com" is not one localsec knows`},
		{"trusted access without all features", head + "    featureSet: CONSOLIDATED_BILLING\n    trustedAccess: [{servicePrincipal: guardduty.amazonaws.com}]\n",
			"organizations[0].trustedAccess[0]: trusted access needs featureSet ALL"},
		{"delegated management", head + "    delegatedAdministrators: [{account: \"999999999999\", servicePrincipal: guardduty.amazonaws.com}]\n",
			"organizations[0].delegatedAdministrators[0]: the management account cannot be a delegated administrator"},
		{"delegated outsider", head + "    delegatedAdministrators: [{account: \"111111111111\", servicePrincipal: guardduty.amazonaws.com}]\n",
			`organizations[0].delegatedAdministrators[0]: account "111111111111" is not an account of this organization`},
		{"two delegated administrators", head + "    accounts: [{id: \"111111111111\"}, {id: \"222222222222\"}]\n    delegatedAdministrators:\n      - {account: \"111111111111\", servicePrincipal: guardduty.amazonaws.com}\n      - {account: \"222222222222\", servicePrincipal: guardduty.amazonaws.com}\n",
			"organizations[0].delegatedAdministrators[1]: guardduty.amazonaws.com allows one delegated administrator per organization"},
		{"create request state", head + "    createAccountStatuses: [{accountName: x, state: IN_PROGRESS}]\n", `organizations[0].createAccountStatuses[0]: state "IN_PROGRESS" is not SUCCEEDED or FAILED`},
		{"standalone account in an organization", head + "    accounts: [{id: \"111111111111\"}]\nstandaloneAccounts: [{id: \"111111111111\"}]\n",
			"standaloneAccounts[0]: account 111111111111 is also organizations[0].accounts[0]"},
		{"section and engine records", head + "records:\n  - {kind: organizations.organization, key: o-1, value: {}}\n",
			"records[0]: kind organizations.organization is AWS Organizations' own, which the organizations section describes"},
		{"shortcut inside another organization", head + "    accounts: [{id: \"111111111111\"}]\norganization:\n  managementAccount: \"111111111111\"\n",
			"organization: managementAccount 111111111111 is an account of organizations[0]"},
		{"several mistakes", head + "    featureSet: SOME\n    accounts: [{id: \"1\"}]\n", "organizations[0].accounts[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := seed.Parse([]byte(tc.yaml), "seed.yaml")
			if err == nil {
				_, _, err = seed.Load(doc, now, (&ids.Sequence{}).NewID)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// The shortcut and the section side by side: the shortcut's management
// account manages an organization of the section, which the server then
// keeps (Seed keeps an organization its management account has).
func TestOrganizationShortcutBesideTheSection(t *testing.T) {
	doc, err := seed.Parse([]byte("version: 1\norganization:\n  managementAccount: \"999999999999\"\n  accounts: [\"111111111111\"]\n"+
		"organizations:\n  - managementAccount: \"999999999999\"\n    accounts: [{id: \"222222222222\"}]\n"), "seed.yaml")
	must(t, err)
	dir, snap := load(t, doc)
	if dir.Organization.ManagementAccount != "999999999999" {
		t.Fatalf("the shortcut = %+v", dir.Organization)
	}
	ctx := context.Background()
	st := memstore.New()
	orgs := organizations.New(st, organizations.WithClock(clock.NewFake(now)))
	must(t, membership.New(st, membership.WithOrganizations(orgs), membership.WithOrganization(dir.Organization)).Import(ctx, snap))
	before, err := orgs.DescribeOrganization(ctx, "999999999999")
	must(t, err)
	must(t, orgs.Seed(ctx, dir.Organization.ManagementAccount, dir.Organization.Accounts))
	after, err := orgs.DescribeOrganization(ctx, "999999999999")
	must(t, err)
	accounts, _, err := orgs.ListAccounts(ctx, "999999999999", organizations.Page{})
	must(t, err)
	if before.ID != after.ID || len(accounts) != 3 {
		t.Fatalf("organization %s then %s, accounts %+v; want the section's, with the shortcut's account joined", before.ID, after.ID, accounts)
	}
}

// OUs nest five levels below the root, listed in any order: a parent by
// path may come after its child.
func TestOrganizationsSectionFiveLevels(t *testing.T) {
	doc, err := seed.Parse([]byte("version: 1\norganizations:\n  - managementAccount: \"999999999999\"\n"+
		"    organizationalUnits: [{name: E, parent: A/B/C/D}, {name: D, parent: A/B/C}, {name: C, parent: A/B}, {name: B, parent: A}, {name: A}]\n"+
		"    accounts: [{id: \"111111111111\", parent: A/B/C/D/E}]\n"), "seed.yaml")
	must(t, err)
	_, snap := load(t, doc)
	ctx := context.Background()
	orgs := orgEngineOf(t, snap)
	a, err := orgs.DescribeAccount(ctx, "999999999999", "111111111111")
	must(t, err)
	if n := strings.Count(a.Path, "/ou-"); n != 5 {
		t.Fatalf("the account's path %s has %d OUs, want 5", a.Path, n)
	}
}
