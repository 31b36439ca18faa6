package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/macie2"
	"github.com/aws/aws-sdk-go-v2/service/macie2/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/localsec/localsec/internal/smtptest"
	"github.com/localsec/localsec/localsectest"
)

// seedConfig signs as accessKey for a running binary at url and sends
// every request once.
func seedConfig(url, accessKey string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(accessKey, "secret", ""),
		BaseEndpoint: aws.String(url),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
}

// seedMacie is a Macie client of a running binary, as accessKey.
func seedMacie(url, accessKey string) *macie2.Client {
	return macie2.NewFromConfig(seedConfig(url, accessKey))
}

type seedEmails struct {
	Emails []struct {
		ID, Service, Region, FromAccount, ToAccount, To, From, Subject, Body, Message, InvitationID, SentAt string
	}
}

func seedGetEmails(t *testing.T, url, account string) seedEmails {
	t.Helper()
	resp, err := http.Get(url + "/_localsec/emails?account=" + account)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out seedEmails
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&out) != nil {
		t.Fatalf("GET /_localsec/emails: %s", resp.Status)
	}
	return out
}

// The binary starts from a seed: the relationships it describes hold at
// once for the SDK, through the seed's access keys. An invitation then
// sent lands in the outbox and, with --smtp, at a real SMTP server.
// `localsec export` writes the state, which seeds a second binary whose
// export is the same document. The seed also holds records of an engine
// of their own (store.Record), which go through the same round trip.
func TestSeedEmailsAndExportRoundTrip(t *testing.T) {
	ctx := context.Background()
	bin := durBuild(t)
	mail, err := smtptest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer mail.Close()
	example, err := os.ReadFile("../docs/examples/seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	seedFile := filepath.Join(t.TempDir(), "seed.yaml")
	if err := os.WriteFile(seedFile, append(example, seedRecords...), 0o600); err != nil {
		t.Fatal(err)
	}
	p := durStart(t, bin, "seeded", "--seed", seedFile, "--smtp", mail.Addr)

	admin := seedMacie(p.url, "AKIAADMINEXAMPLE0001") // the seed maps this key to 111111111111
	prod, dev := seedMacie(p.url, "222222222222"), seedMacie(p.url, "333333333333")
	if adm, _ := administratorOf(t, prod); adm != "111111111111" {
		t.Fatalf("prod's administrator = %q, want the seeded 111111111111", adm)
	}
	check(dev.EnableMacie(ctx, &macie2.EnableMacieInput{})).ok(t) // dev has no Macie in the seed
	invs := receivedInvitations(t, dev)
	if invs["111111111111"].RelationshipStatus != types.RelationshipStatusInvited {
		t.Fatalf("dev's seeded invitation: %+v", invs)
	}
	gd := guardduty.NewFromConfig(seedConfig(p.url, "111111111111"))
	dets := check(gd.ListDetectors(ctx, &guardduty.ListDetectorsInput{})).ok(t).DetectorIds
	if len(dets) != 1 || dets[0] != "0a1b2c3d4e5f60718293a4b5c6d7e8f9" {
		t.Fatalf("seeded detector = %v", dets)
	}

	// The administrator re-sends the invitation with a message.
	check(admin.CreateInvitations(ctx, &macie2.CreateInvitationsInput{AccountIds: []string{"333333333333"}, Message: aws.String("Welcome aboard")})).ok(t)
	check(admin.CreateMember(ctx, memberInput("444444444444"))).ok(t)
	check(admin.CreateInvitations(ctx, &macie2.CreateInvitationsInput{AccountIds: []string{"444444444444"}, DisableEmailNotification: aws.Bool(true)})).ok(t)

	out := seedGetEmails(t, p.url, "333333333333")
	if len(out.Emails) != 1 {
		t.Fatalf("outbox of 333333333333 = %+v", out)
	}
	e := out.Emails[0]
	newID := aws.ToString(receivedInvitations(t, dev)["111111111111"].InvitationId)
	if e.FromAccount != "111111111111" || e.To != "dev@example.com" || e.Message != "Welcome aboard" || e.InvitationID != newID ||
		e.Service != "macie2" || !strings.Contains(e.Body, "Welcome aboard") || !strings.Contains(e.Subject, "Amazon Macie") {
		t.Fatalf("email = %+v (invitation %s)", e, newID)
	}
	if all := seedGetEmails(t, p.url, ""); len(all.Emails) != 1 {
		t.Fatalf("the invitation with disableEmailNotification made an email: %+v", all)
	}
	if !mail.Wait(1, 20*time.Second) {
		t.Fatal("the SMTP server received nothing")
	}
	msg := mail.Messages()[0]
	if len(msg.To) != 1 || msg.To[0] != "dev@example.com" || !strings.Contains(msg.Data, "Welcome aboard") || !strings.Contains(msg.Data, newID) {
		t.Fatalf("SMTP message = %+v", msg)
	}

	// Export, seed a second binary with it, export again: the same document.
	first := seedExport(t, bin, p.url)
	file := filepath.Join(t.TempDir(), "export.yaml")
	if err := os.WriteFile(file, first, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"invitationMessage: Welcome aboard", "0a1b2c3d4e5f60718293a4b5c6d7e8f9", "secret: admin-secret", "address: dev@example.com",
		seedRecordsExport, "organizations:\n  - id: o-", "        name: Prod\n", "standaloneAccounts:\n  - id: \"777777777777\"\n"} {
		if !strings.Contains(string(first), want) {
			t.Fatalf("export lacks %q:\n%s", want, first)
		}
	}
	// AWS Organizations' state is the organizations section, not records.
	if strings.Contains(string(first), "kind: organizations.") {
		t.Fatalf("export writes AWS Organizations' records:\n%s", first)
	}
	q := durStart(t, bin, "reseeded", "--seed", file)
	if second := seedExport(t, bin, q.url); string(second) != string(first) {
		t.Fatalf("export -> seed -> export changed the document:\n--- first\n%s\n--- second\n%s", first, second)
	}
	if adm, _ := administratorOf(t, seedMacie(q.url, "222222222222")); adm != "111111111111" {
		t.Fatalf("the re-seeded prod's administrator = %q", adm)
	}
	if a, b := seedOrgView(t, p.url, "999999999999"), seedOrgView(t, q.url, "999999999999"); a != b {
		t.Fatalf("the re-seeded organization differs through the API:\n--- first\n%s--- re-seeded\n%s", a, b)
	}
}

// seedExport runs `localsec export` against url and returns the YAML.
func seedExport(t *testing.T, bin, url string) []byte {
	t.Helper()
	b, err := exec.Command(bin, "export", "--url", url, "--format", "yaml").Output()
	if err != nil {
		t.Fatalf("localsec export: %v", err)
	}
	return b
}

// seedOrgs is an Organizations client of a running binary, as account.
func seedOrgs(url, account string) *organizations.Client {
	return organizations.NewFromConfig(seedConfig(url, account))
}

// seedOrgView renders, through the Organizations API as the management
// account, everything of its organization: the organization, the tree of
// OUs with the accounts in each and every tag, the handshakes, trusted
// access, delegated administrators and CreateAccount requests.
func seedOrgView(t *testing.T, url, mgmt string) string {
	t.Helper()
	ctx := context.Background()
	c := seedOrgs(url, mgmt)
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	org := check(c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})).ok(t).Organization
	line("organization %s %s %s %s", aws.ToString(org.Id), aws.ToString(org.MasterAccountId), aws.ToString(org.MasterAccountEmail), org.FeatureSet)
	root := check(c.ListRoots(ctx, &organizations.ListRootsInput{})).ok(t).Roots[0]
	tags := func(id string) string {
		var out []string
		for _, tg := range check(c.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: aws.String(id)})).ok(t).Tags {
			out = append(out, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
		}
		return strings.Join(out, ",")
	}
	var walk func(parent, indent string)
	walk = func(parent, indent string) {
		for _, a := range check(c.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: aws.String(parent)})).ok(t).Accounts {
			line("%saccount %s %q %s %s %s %v [%s]", indent, aws.ToString(a.Id), aws.ToString(a.Name), aws.ToString(a.Email), a.State,
				a.JoinedMethod, a.JoinedTimestamp.UTC(), tags(aws.ToString(a.Id)))
		}
		for _, u := range check(c.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parent)})).ok(t).OrganizationalUnits {
			line("%sou %s %q [%s]", indent, aws.ToString(u.Id), aws.ToString(u.Name), tags(aws.ToString(u.Id)))
			walk(aws.ToString(u.Id), indent+"  ")
		}
	}
	line("root %s %v [%s]", aws.ToString(root.Id), root.PolicyTypes, tags(aws.ToString(root.Id)))
	walk(aws.ToString(root.Id), "  ")
	for _, h := range check(c.ListHandshakesForOrganization(ctx, &organizations.ListHandshakesForOrganizationInput{})).ok(t).Handshakes {
		var parties []string
		for _, p := range h.Parties {
			parties = append(parties, string(p.Type)+":"+aws.ToString(p.Id))
		}
		line("handshake %s %s %v %v %v", aws.ToString(h.Id), h.State, parties, h.RequestedTimestamp.UTC(), h.ExpirationTimestamp.UTC())
	}
	for _, p := range check(c.ListAWSServiceAccessForOrganization(ctx, &organizations.ListAWSServiceAccessForOrganizationInput{})).ok(t).EnabledServicePrincipals {
		line("trusted %s %v", aws.ToString(p.ServicePrincipal), p.DateEnabled.UTC())
	}
	for _, d := range check(c.ListDelegatedAdministrators(ctx, &organizations.ListDelegatedAdministratorsInput{})).ok(t).DelegatedAdministrators {
		line("delegated %s %v", aws.ToString(d.Id), d.DelegationEnabledDate.UTC())
	}
	for _, s := range check(c.ListCreateAccountStatus(ctx, &organizations.ListCreateAccountStatusInput{})).ok(t).CreateAccountStatuses {
		line("create %s %s %s %s %s", aws.ToString(s.Id), aws.ToString(s.AccountName), s.State, aws.ToString(s.AccountId), s.FailureReason)
	}
	return b.String()
}

// The organization shortcuts still make an organization: the seed's
// `organization:` and the --org-* flags. What the Organizations API then
// changes (an OU, an account moved, removed, created, an invitation, a
// delegated administrator, tags) is exported as the organizations section,
// and a binary seeded with that export serves the same organization and
// exports the same document. The shortcut is not exported: an account
// removed stays out after the round trip.
func TestSeedOrganizationsSectionRoundTrip(t *testing.T) {
	ctx := context.Background()
	bin := durBuild(t)
	const mgmt = "999999999999"
	shortcut := filepath.Join(t.TempDir(), "shortcut.yaml")
	if err := os.WriteFile(shortcut, []byte("version: 1\naccounts:\n  - {id: \"999999999999\", name: management, email: root@example.com}\n"+
		"organization:\n  managementAccount: \"999999999999\"\n  accounts: [\"111111111111\", \"222222222222\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := durStart(t, bin, "shortcut", "--seed", shortcut)
	c := seedOrgs(p.url, mgmt)
	accounts := check(c.ListAccounts(ctx, &organizations.ListAccountsInput{})).ok(t).Accounts
	if len(accounts) != 3 {
		t.Fatalf("the seed's organization shortcut made accounts %+v, want 3", accounts)
	}
	for _, a := range accounts {
		if want := map[bool]otypes.AccountJoinedMethod{true: otypes.AccountJoinedMethodInvited, false: otypes.AccountJoinedMethodCreated}[aws.ToString(a.Id) == mgmt]; a.JoinedMethod != want {
			t.Fatalf("account %s joined %s, want %s", aws.ToString(a.Id), a.JoinedMethod, want)
		}
	}
	root := aws.ToString(check(c.ListRoots(ctx, &organizations.ListRootsInput{})).ok(t).Roots[0].Id)
	ou := aws.ToString(check(c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String("Security"),
		Tags: []otypes.Tag{{Key: aws.String("team"), Value: aws.String("sec")}}})).ok(t).OrganizationalUnit.Id)
	check(c.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String("111111111111"), SourceParentId: aws.String(root), DestinationParentId: aws.String(ou)})).ok(t)
	check(c.RemoveAccountFromOrganization(ctx, &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String("222222222222")})).ok(t)
	check(c.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("guardduty.amazonaws.com")})).ok(t)
	check(c.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String("111111111111"),
		ServicePrincipal: aws.String("guardduty.amazonaws.com")})).ok(t)
	check(c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("sandbox"), Email: aws.String("sandbox@example.com")})).ok(t)
	check(c.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
		Target: &otypes.HandshakeParty{Id: aws.String("333333333333"), Type: otypes.HandshakePartyTypeAccount}, Notes: aws.String("join")})).ok(t)
	check(c.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(root), Tags: []otypes.Tag{{Key: aws.String("env"), Value: aws.String("test")}}})).ok(t)

	first := seedExport(t, bin, p.url)
	for _, want := range []string{"organizations:\n", "    organizationalUnits:\n", "        name: Security\n", "    delegatedAdministrators:\n",
		"standaloneAccounts:\n", "  - id: \"222222222222\"\n", "    createAccountStatuses:\n", "      - id: h-"} {
		if !strings.Contains(string(first), want) {
			t.Fatalf("export lacks %q:\n%s", want, first)
		}
	}
	if strings.Contains(string(first), "kind: organizations.") || strings.Contains(string(first), "\norganization:\n") {
		t.Fatalf("export writes AWS Organizations' records or the shortcut:\n%s", first)
	}
	file := filepath.Join(t.TempDir(), "export.yaml")
	if err := os.WriteFile(file, first, 0o600); err != nil {
		t.Fatal(err)
	}
	q := durStart(t, bin, "reseeded", "--seed", file)
	if a, b := seedOrgView(t, p.url, mgmt), seedOrgView(t, q.url, mgmt); a != b {
		t.Fatalf("the re-seeded organization differs through the API:\n--- first\n%s--- re-seeded\n%s", a, b)
	} else if !strings.Contains(a, "ou ") || !strings.Contains(a, "delegated 111111111111") || strings.Contains(a, "222222222222") {
		t.Fatalf("the organization through the API is not what was done:\n%s", a)
	}
	if second := seedExport(t, bin, q.url); string(second) != string(first) {
		t.Fatalf("export -> seed -> export changed the document:\n--- first\n%s\n--- second\n%s", first, second)
	}
	// The invited account accepts on the re-seeded binary.
	invited := seedOrgs(q.url, "333333333333")
	hs := check(invited.ListHandshakesForAccount(ctx, &organizations.ListHandshakesForAccountInput{})).ok(t).Handshakes
	if len(hs) != 1 {
		t.Fatalf("the invited account's handshakes on the re-seeded binary: %+v", hs)
	}
	check(invited.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: hs[0].Id})).ok(t)

	// The flags still make an organization (open: every account of no
	// organization that a security service asks about joins it), which
	// the export carries as the section.
	f := durStart(t, bin, "flags", "--org-management-account", "555555555555", "--org-accounts", "666666666666")
	if got := check(seedOrgs(f.url, "666666666666").DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})).ok(t).Organization; aws.ToString(got.MasterAccountId) != "555555555555" {
		t.Fatalf("the flags' organization as seen by its account: %+v", got)
	}
	flagged := seedExport(t, bin, f.url)
	if !strings.Contains(string(flagged), "    managementAccount: \"555555555555\"\n") || !strings.Contains(string(flagged), "      - id: \"666666666666\"\n") {
		t.Fatalf("the export of the flags' organization:\n%s", flagged)
	}
}

// seedRecords is a records section for the example seed, and
// seedRecordsExport how an export writes it: in the store's order, JSON
// values in their order (written as YAML, a number too large for a float
// tagged as the integer it is), other values in base64, an empty value as
// nothing.
const (
	seedRecords = `records:
  - kind: organization
    key: o-exampleorgid
    value: {"Id": "o-exampleorgid", "MasterAccountId": "999999999999", "FeatureSet": "ALL", "Big": 12345678901234567890123}
  - kind: account
    key: o-exampleorgid/222222222222
    value:
      Id: "222222222222"
      Name: workload-prod
      Status: ACTIVE
  - kind: account
    key: o-exampleorgid/111111111111
    base64: AP8K
  - kind: handshake
    key: h-ünïcödé
`
	seedRecordsExport = `records:
  - kind: account
    key: o-exampleorgid/111111111111
    base64: AP8K
  - kind: account
    key: o-exampleorgid/222222222222
    value:
      Id: "222222222222"
      Name: workload-prod
      Status: ACTIVE
  - kind: handshake
    key: h-ünïcödé
  - kind: organization
    key: o-exampleorgid
    value:
      Id: o-exampleorgid
      MasterAccountId: "999999999999"
      FeatureSet: ALL
      Big: !!int 12345678901234567890123
`
)

// A broken seed stops the binary with the place of the mistake.
func TestSeedErrors(t *testing.T) {
	bin := durBuild(t)
	file := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(file, []byte("version: 1\nservices:\n  - service: macie2\n    region: us-east-1\n    enabled: [{account: \"111111111111\"}]\n    members:\n      - {administrator: \"111111111111\", account: \"222222222222\", status: Enabeld}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "--addr", "127.0.0.1:0", "--seed", file).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "services[0].members[0]") || !strings.Contains(string(out), "Enabeld") {
		t.Fatalf("localsec with a broken seed: %v\n%s", err, out)
	}
}

// Go tests can start from a seed too.
func TestEmbeddedSeed(t *testing.T) {
	srv := newServer(t, localsectest.WithSeedFile("../docs/examples/seed.yaml"))
	prod := macieClient(srv, "222222222222")
	if adm, _ := administratorOf(t, prod); adm != "111111111111" {
		t.Fatalf("administrator = %q", adm)
	}
	admin := macie2.NewFromConfig(srv.AWSConfigForKey("AKIAADMINEXAMPLE0001"))
	if got := listedMembers(t, admin, aws.String("false")); len(got) != 2 {
		t.Fatalf("members through the seeded key = %v", got)
	}
}
