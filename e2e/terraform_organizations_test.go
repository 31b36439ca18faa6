package e2e_test

// A landing zone built by Terraform against localsec (configuration in
// testdata/terraform/organizations): the organization, an organizational
// unit, an invited security tooling account, a created workload account
// reached through OrganizationAccountAccessRole, and the security tooling
// account as delegated administrator of GuardDuty and Macie. The run
// re-plans with no changes, imports every resource into a fresh state
// (which must plan clean too), destroys from that state, and checks
// through the API what each step left.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/localsec/localsec/localsectest"
)

// The security tooling account's name and email, as the scenario's seed
// (testdata/terraform/organizations/seed.json) gives them to localsec: the
// configuration adopts that account and must name it as Organizations
// does, or the next plan would replace it.
const (
	tfOrgSecurityName  = "security-tooling"
	tfOrgSecurityEmail = "security-tooling@example.com"
)

// tfOrgResources are the resources the configuration manages; each one
// is imported by its id attribute.
var tfOrgResources = []string{
	"aws_guardduty_detector.security",
	"aws_guardduty_detector.workload",
	"aws_guardduty_organization_admin_account.security",
	"aws_macie2_account.management",
	"aws_macie2_account.security",
	"aws_macie2_organization_admin_account.security",
	"aws_organizations_account.security",
	"aws_organizations_account.workload",
	"aws_organizations_delegated_administrator.guardduty",
	"aws_organizations_delegated_administrator.macie",
	"aws_organizations_organization.this",
	"aws_organizations_organizational_unit.workloads",
}

// tfOrgNotImported are the attributes of a resource type that import
// cannot know: aws_organizations_account's close_on_deletion and
// create_govcloud are arguments no API reads back, and govcloud_id is only
// known when the account is created. The provider's own import tests
// ignore the same three; the plan after import stays clean because the
// configuration leaves them at their defaults.
var tfOrgNotImported = map[string][]string{
	"aws_organizations_account": {"close_on_deletion", "create_govcloud", "govcloud_id"},
}

// tfOrgImportable returns a resource's attributes without those import
// cannot know (see tfOrgNotImported).
func tfOrgImportable(address string, values map[string]any) map[string]any {
	out := make(map[string]any, len(values))
	for k, v := range values {
		out[k] = v
	}
	resourceType, _, _ := strings.Cut(address, ".")
	for _, k := range tfOrgNotImported[resourceType] {
		delete(out, k)
	}
	return out
}

// tfOrgAdoptedByConfig is the resource main.tf itself imports (an import
// block): the invited account.
const tfOrgAdoptedByConfig = "aws_organizations_account.security"

// tfWaitPattern finds terraform's progress lines for an operation that
// lasted 10 s or more: the provider waited (a poll interval, a retry).
var tfWaitPattern = regexp.MustCompile(`(?m)^.*: Still [a-z]+\.\.\. \[.*elapsed\]$`)

// tfNoWaits fails when a command shows an operation that took 10 s or
// more: every answer of localsec is final at once, so a provider waiting
// means it did not like an answer.
func tfNoWaits(t *testing.T, r *tfResult) {
	t.Helper()
	if waits := tfWaitPattern.FindAllString(r.stdout, -1); len(waits) > 0 {
		t.Errorf("terraform %s waited:\n  %s", cliShellJoin(r.args), strings.Join(waits, "\n  "))
	}
}

// tfOrgInvite does out of band what Terraform cannot (it has no handshake
// resource): the management account invites the security tooling
// account, which finds the invitation and accepts it, as its owner would
// in its console.
func tfOrgInvite(t *testing.T, srv *localsectest.Server, management, security string) {
	t.Helper()
	ctx := context.Background()
	sent := check(orgClient(srv, management).InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
		Target: &otypes.HandshakeParty{Id: aws.String(security), Type: otypes.HandshakePartyTypeAccount},
		Notes:  aws.String("Join as the security tooling account"),
	})).ok(t).Handshake
	received := check(orgClient(srv, security).ListHandshakesForAccount(ctx, &organizations.ListHandshakesForAccountInput{})).ok(t).Handshakes
	if len(received) != 1 || aws.ToString(received[0].Id) != aws.ToString(sent.Id) || received[0].State != otypes.HandshakeStateOpen {
		t.Fatalf("handshakes of %s = %+v, want the open invitation %s", security, received, aws.ToString(sent.Id))
	}
	accepted := check(orgClient(srv, security).AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: sent.Id})).ok(t).Handshake
	if accepted.State != otypes.HandshakeStateAccepted {
		t.Fatalf("the accepted invitation is %s", accepted.State)
	}
}

// tfOrgID returns the id attribute of a resource of a state.
func tfOrgID(t *testing.T, state map[string]map[string]any, address string) string {
	t.Helper()
	id, _ := state[address]["id"].(string)
	if id == "" {
		t.Fatalf("%s has no id in the state; the state has %v", address, tfKeys(state))
	}
	return id
}

// tfOrgCheckApplied checks through the API what the apply built.
func tfOrgCheckApplied(t *testing.T, srv *localsectest.Server, management, security, workload, workloadDetector string) {
	t.Helper()
	ctx := context.Background()
	mgmt := orgClient(srv, management)

	org := check(mgmt.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})).ok(t).Organization
	if org.FeatureSet != otypes.OrganizationFeatureSetAll || aws.ToString(org.MasterAccountId) != management {
		t.Errorf("organization = %+v, want feature set ALL, management account %s", org, management)
	}
	var principals []string
	for _, p := range check(mgmt.ListAWSServiceAccessForOrganization(ctx, &organizations.ListAWSServiceAccessForOrganizationInput{})).ok(t).EnabledServicePrincipals {
		principals = append(principals, aws.ToString(p.ServicePrincipal))
	}
	sort.Strings(principals)
	if want := []string{"guardduty.amazonaws.com", "macie.amazonaws.com", "malware-protection.guardduty.amazonaws.com"}; !reflect.DeepEqual(principals, want) {
		t.Errorf("trusted access = %v, want %v", principals, want)
	}
	roots := check(mgmt.ListRoots(ctx, &organizations.ListRootsInput{})).ok(t).Roots
	if len(roots) != 1 || len(roots[0].PolicyTypes) != 1 || roots[0].PolicyTypes[0].Type != otypes.PolicyTypeServiceControlPolicy ||
		roots[0].PolicyTypes[0].Status != otypes.PolicyTypeStatusEnabled {
		t.Errorf("roots = %+v, want one with SERVICE_CONTROL_POLICY enabled", roots)
	}

	joined := map[string]string{}
	for _, a := range check(mgmt.ListAccounts(ctx, &organizations.ListAccountsInput{})).ok(t).Accounts {
		joined[aws.ToString(a.Id)] = string(a.JoinedMethod)
	}
	if want := map[string]string{management: "INVITED", security: "INVITED", workload: "CREATED"}; !reflect.DeepEqual(joined, want) {
		t.Errorf("accounts and how they joined = %v, want %v", joined, want)
	}
	sec := check(mgmt.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(security)})).ok(t).Account
	if aws.ToString(sec.Name) != tfOrgSecurityName || aws.ToString(sec.Email) != tfOrgSecurityEmail {
		t.Errorf("security tooling account = %s <%s>, want %s <%s>", aws.ToString(sec.Name), aws.ToString(sec.Email), tfOrgSecurityName, tfOrgSecurityEmail)
	}
	parents := check(mgmt.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(workload)})).ok(t).Parents
	if len(parents) != 1 || parents[0].Type != otypes.ParentTypeOrganizationalUnit {
		t.Fatalf("parents of the workload account = %+v, want the organizational unit", parents)
	}
	ou := check(mgmt.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: parents[0].Id})).ok(t).OrganizationalUnit
	if aws.ToString(ou.Name) != "Workloads" {
		t.Errorf("the workload account's unit is %q, want Workloads", aws.ToString(ou.Name))
	}
	tags := check(mgmt.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: aws.String(workload)})).ok(t).Tags
	if len(tags) != 1 || aws.ToString(tags[0].Key) != "Environment" || aws.ToString(tags[0].Value) != "test" {
		t.Errorf("tags of the workload account = %+v, want Environment=test", tags)
	}

	for _, principal := range []string{"guardduty.amazonaws.com", "macie.amazonaws.com"} {
		das := check(mgmt.ListDelegatedAdministrators(ctx, &organizations.ListDelegatedAdministratorsInput{ServicePrincipal: aws.String(principal)})).ok(t).DelegatedAdministrators
		if len(das) != 1 || aws.ToString(das[0].Id) != security {
			t.Errorf("delegated administrators of %s = %+v, want %s", principal, das, security)
		}
	}
	want := []string{security + ":ENABLED"}
	if got := tfGuardDutyAdmins(t, srv, management); !reflect.DeepEqual(got, want) {
		t.Errorf("GuardDuty administrators = %v, want %v", got, want)
	}
	if got := tfMacieAdmins(t, srv, management); !reflect.DeepEqual(got, want) {
		t.Errorf("Macie administrators = %v, want %v", got, want)
	}

	// The detector the assumed-role provider made is the created
	// account's own, and the only one there; the management account,
	// whose keys signed the AssumeRole, has none.
	if got := tfDetector(t, srv, workload); got != workloadDetector {
		t.Errorf("the workload account's detector is %s, Terraform made %s", got, workloadDetector)
	}
	tfDetector(t, srv, security)
	tfNoDetectors(t, srv, management)
}

// tfOrgCheckAccessLog checks localsec's access log: only Organizations,
// GuardDuty, Macie and STS GetCallerIdentity / AssumeRole were called,
// every call answered 200, AssumeRole only by the management account,
// and the provider learned the identity of each of accounts; nothing was
// logged at level ERROR.
func tfOrgCheckAccessLog(t *testing.T, logs *cliLogBuffer, management string, accounts ...string) {
	t.Helper()
	identified := map[string]bool{}
	counts := map[string]int{}
	for _, rec := range tfLoggedRequests(t, logs) {
		counts[rec.Service+" "+rec.Operation]++
		switch {
		case rec.Status != 200:
			t.Errorf("a request did not answer 200: %s", rec.line)
		case rec.Service == "organizations", rec.Service == "guardduty", rec.Service == "macie2":
		case rec.Service == "sts" && rec.Operation == "GetCallerIdentity":
			identified[rec.Account] = true
		case rec.Service == "sts" && rec.Operation == "AssumeRole" && rec.Account == management:
		default:
			t.Errorf("an unexpected request: %s", rec.line)
		}
	}
	var summary []string
	for k, n := range counts {
		summary = append(summary, fmt.Sprintf("%s: %d×", k, n))
	}
	sort.Strings(summary)
	t.Logf("requests:\n  %s", strings.Join(summary, "\n  "))
	for _, a := range accounts {
		if !identified[a] {
			t.Errorf("the provider never called STS GetCallerIdentity as %s", a)
		}
	}
}

// tfOrgCheckDestroyed checks through the API that destroy left no
// organization and no GuardDuty or Macie in the three accounts.
func tfOrgCheckDestroyed(t *testing.T, srv *localsectest.Server, management, security, workload string) {
	t.Helper()
	ctx := context.Background()
	for _, a := range []string{management, security, workload} {
		_, err := orgClient(srv, a).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		wantAPIError(t, err, "AWSOrganizationsNotInUseException", 400, "not a member of an organization")
	}
	tfNoDetectors(t, srv, management, security, workload)
	tfMacieOff(t, srv, management, security)
}

// The landing zone, step by step; see the file comment and
// docs/terraform.md.
func TestTerraformOrganizations(t *testing.T) {
	tools := tfRequire(t)
	started := time.Now()
	defer func() { t.Logf("wall time of the scenario: %s", time.Since(started).Round(time.Second)) }()

	management, security := adminAcct, memberAcct
	srv, logs := tfServer(t, localsectest.WithSeedFile(filepath.Join("testdata", "terraform", "organizations", "seed.json")))
	vars := map[string]string{
		"endpoint":               srv.URL,
		"management_account":     management,
		"security_account":       security,
		"security_account_name":  tfOrgSecurityName,
		"security_account_email": tfOrgSecurityEmail,
	}

	// 1. The organization alone: the invitation needs it, and the
	// configuration's import block, which needs the invitation
	// accepted, is not planned for a target it does not name.
	w := tfNewWorkspace(t, tools, "organizations", vars)
	w.ok(t, "init", "-input=false", "-no-color")
	tfNoWaits(t, w.ok(t, "apply", "-auto-approve", "-input=false", "-no-color", "-target=aws_organizations_organization.this"))

	// 2. Out of band, the security tooling account joins by invitation.
	tfOrgInvite(t, srv, management, security)

	// 3. Everything else, with the provider's debug log to see where its
	// requests go.
	providerLog := filepath.Join(w.dir, "provider-debug.log")
	r := w.run(t, []string{"TF_LOG_PROVIDER=DEBUG", "TF_LOG_PATH=" + providerLog}, "apply", "-auto-approve", "-input=false", "-no-color")
	if r.exitCode != 0 || r.err != nil {
		t.Fatalf("terraform apply failed\n%s", r)
	}
	if !strings.Contains(r.stdout, "Resources: 1 imported, 10 added, 0 changed, 0 destroyed.") {
		t.Fatalf("the apply did not import the invited account and create the other ten resources\n%s", r)
	}
	tfNoWaits(t, r)
	tfCheckProviderURLs(t, providerLog, srv.URL)

	w.planClean(t, "after apply", "clean.tfplan")
	before := w.priorState(t, "clean.tfplan")
	workload := tfOrgID(t, before, "aws_organizations_account.workload")
	tfOrgCheckApplied(t, srv, management, security, workload, tfOrgID(t, before, "aws_guardduty_detector.workload"))
	if t.Failed() {
		t.FailNow()
	}

	// 4. A fresh working directory imports every resource (import
	// blocks, one apply) and must reproduce the state and plan clean.
	fresh := tfNewWorkspace(t, tools, "organizations", vars)
	var imports strings.Builder
	for _, address := range tfOrgResources {
		if address != tfOrgAdoptedByConfig {
			fmt.Fprintf(&imports, "import {\n  to = %s\n  id = %q\n}\n\n", address, tfOrgID(t, before, address))
		}
	}
	if err := os.WriteFile(filepath.Join(fresh.dir, "imports.tf"), []byte(imports.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	fresh.ok(t, "init", "-input=false", "-no-color")
	r = fresh.ok(t, "apply", "-auto-approve", "-input=false", "-no-color")
	if want := fmt.Sprintf("Resources: %d imported, 0 added, 0 changed, 0 destroyed.", len(tfOrgResources)); !strings.Contains(r.stdout, want) {
		t.Fatalf("the import apply did not say %q\n%s", want, r)
	}
	after := fresh.stateValues(t)
	want := append([]string(nil), tfOrgResources...)
	sort.Strings(want)
	if got := tfKeys(after); !reflect.DeepEqual(got, want) {
		t.Fatalf("the fresh state has %v, want %v", got, want)
	}
	for _, address := range tfOrgResources {
		if d := tfDiff(tfOrgImportable(address, before[address]), tfOrgImportable(address, after[address])); len(d) > 0 {
			t.Errorf("importing %s did not reproduce its state:\n  %s", address, strings.Join(d, "\n  "))
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	fresh.planClean(t, "after importing into a fresh state", "")

	// 5. Destroy from the imported state: the delegated administrators go
	// before the accounts leave, the accounts before the organization.
	tfNoWaits(t, fresh.ok(t, "destroy", "-auto-approve", "-input=false", "-no-color"))
	if r := fresh.ok(t, "state", "list", "-no-color"); strings.TrimSpace(r.stdout) != "" {
		t.Fatalf("resources left in the state after destroy:\n%s", r)
	}
	// The log first: the checks below expect refusals.
	tfOrgCheckAccessLog(t, logs, management, management, security, workload)
	tfOrgCheckDestroyed(t, srv, management, security, workload)
}

// The scenario's helpers, without terraform: a progress line of a 10 s
// operation is a wait, in the formats of Terraform 1.11 and later; the
// import comparison leaves out only what import cannot know.
func TestTerraformOrganizationsHelpers(t *testing.T) {
	for _, line := range []string{
		"aws_organizations_account.workload: Still creating... [10s elapsed]",
		"aws_organizations_account.workload: Still destroying... [id=123456789012, 00m20s elapsed]",
	} {
		if !tfWaitPattern.MatchString("x\n" + line + "\ny") {
			t.Errorf("tfWaitPattern misses %q", line)
		}
	}
	if tfWaitPattern.MatchString("aws_organizations_account.workload: Creation complete after 0s [id=123456789012]") {
		t.Errorf("tfWaitPattern matches a completion")
	}

	before := map[string]any{"id": "123456789012", "close_on_deletion": false, "create_govcloud": false, "govcloud_id": "", "name": "workload"}
	imported := map[string]any{"id": "123456789012", "name": "workload"}
	if d := tfDiff(tfOrgImportable("aws_organizations_account.workload", before), tfOrgImportable("aws_organizations_account.workload", imported)); len(d) != 0 {
		t.Errorf("an imported account differs in %v", d)
	}
	if d := tfDiff(tfOrgImportable("aws_guardduty_detector.workload", before), tfOrgImportable("aws_guardduty_detector.workload", imported)); len(d) != 3 {
		t.Errorf("another type's attributes are left out: diff %v, want close_on_deletion, create_govcloud and govcloud_id", d)
	}
	if _, ok := before["govcloud_id"]; !ok {
		t.Errorf("tfOrgImportable changed its argument")
	}
}
