package e2e_test

// The AWS Organizations reference flows (spec organizations.md §16, flows 1
// to 5) driven by the real aws CLI, with three accounts: the management
// account, a security tooling account that is invited and becomes
// GuardDuty's delegated administrator, and a workload account the
// management account creates and reaches as landing zones do, through a
// profile that assumes its OrganizationAccountAccessRole. It reuses the
// harness of awscli_test.go (newAWSCLI, cliExec, cliResult, cliEqual).
// scripts/awscli/organizations-three-accounts.sh is the same scenario, to
// run by hand.

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const (
	orgcliManagement = "111111111111"
	orgcliSecurity   = "222222222222"
	orgcliGuardDuty  = "guardduty.amazonaws.com"
	orgcliMacie      = "macie.amazonaws.com"
	orgcliRole       = "OrganizationAccountAccessRole"
	// orgcliInviteLifetime is how long an invitation stays OPEN: 15 days
	// (spec §3.7).
	orgcliInviteLifetime = 15 * 24 * 60 * 60
)

// Confirmed texts (spec §2.4).
const (
	orgcliNotInUse          = "Your account is not a member of an organization."
	orgcliNoPermission      = "You don't have permissions to access this resource."
	orgcliMasterAsDelegated = "You cannot register management account/yourself as delegated administrator for your organization."
)

var (
	orgcliOrgID     = regexp.MustCompile(`^o-[0-9a-z]{10}$`)
	orgcliRootID    = regexp.MustCompile(`^r-[0-9a-z]{4}$`)
	orgcliOUID      = regexp.MustCompile(`^ou-[0-9a-z]{4}-[0-9a-z]{8}$`)
	orgcliAccountID = regexp.MustCompile(`^[0-9]{12}$`)
	orgcliCarID     = regexp.MustCompile(`^car-[0-9a-z]{8,32}$`)
)

// Output shapes of `aws organizations ... --output json` (the model's
// member names; timestamps are epoch seconds).
type (
	orgcliOrganization struct {
		ID               string `json:"Id"`
		Arn              string `json:"Arn"`
		FeatureSet       string `json:"FeatureSet"`
		MasterAccountID  string `json:"MasterAccountId"`
		MasterAccountArn string `json:"MasterAccountArn"`
	}
	orgcliOrganizationOut struct {
		Organization orgcliOrganization `json:"Organization"`
	}
	orgcliRoots struct {
		Roots []struct {
			ID          string             `json:"Id"`
			Name        string             `json:"Name"`
			PolicyTypes *[]json.RawMessage `json:"PolicyTypes"`
		} `json:"Roots"`
	}
	orgcliAccount struct {
		ID           string `json:"Id"`
		JoinedMethod string `json:"JoinedMethod"`
		State        string `json:"State"`
	}
	orgcliAccounts struct {
		Accounts []orgcliAccount `json:"Accounts"`
	}
	orgcliHandshake struct {
		ID                  string  `json:"Id"`
		Arn                 string  `json:"Arn"`
		State               string  `json:"State"`
		Action              string  `json:"Action"`
		RequestedTimestamp  float64 `json:"RequestedTimestamp"`
		ExpirationTimestamp float64 `json:"ExpirationTimestamp"`
		Parties             []struct {
			ID   string `json:"Id"`
			Type string `json:"Type"`
		} `json:"Parties"`
	}
	orgcliHandshakeOut struct {
		Handshake orgcliHandshake `json:"Handshake"`
	}
	orgcliHandshakes struct {
		Handshakes []orgcliHandshake `json:"Handshakes"`
	}
	orgcliCreateAccountStatus struct {
		CreateAccountStatus struct {
			ID        string `json:"Id"`
			State     string `json:"State"`
			AccountID string `json:"AccountId"`
		} `json:"CreateAccountStatus"`
	}
	orgcliParents struct {
		Parents []struct {
			ID   string `json:"Id"`
			Type string `json:"Type"`
		} `json:"Parents"`
	}
	orgcliServiceAccess struct {
		EnabledServicePrincipals []struct {
			ServicePrincipal string  `json:"ServicePrincipal"`
			DateEnabled      float64 `json:"DateEnabled"`
		} `json:"EnabledServicePrincipals"`
	}
	orgcliDelegatedAdministrators struct {
		DelegatedAdministrators *[]struct {
			ID                    string  `json:"Id"`
			JoinedMethod          string  `json:"JoinedMethod"`
			DelegationEnabledDate float64 `json:"DelegationEnabledDate"`
		} `json:"DelegatedAdministrators"`
	}
	orgcliCallerIdentity struct {
		Account string `json:"Account"`
		Arn     string `json:"Arn"`
		UserID  string `json:"UserId"`
	}
)

// orgcliCaller runs the aws CLI for any service, either as an account
// (its id as access key, localsec reached the way mode says) or with a
// profile of the config file orgcliProfiles wrote.
type orgcliCaller struct {
	cli      *awsCLI
	account  string
	mode     cliEndpointMode
	profiles *orgcliProfiles
	profile  string
	calls    *atomic.Int64
}

func (a *orgcliCaller) who() string {
	if a.profile != "" {
		return "profile " + a.profile
	}
	return a.account + " (" + a.mode.String() + ")"
}

// run runs `aws <service> <args> --output json`.
func (a *orgcliCaller) run(t *testing.T, service string, args ...string) *cliResult {
	t.Helper()
	a.calls.Add(1)
	if a.profile != "" {
		return a.profiles.exec(t, a.profile, service, args...)
	}
	return cliExec(t, a.cli, service, a.account, a.mode, args...)
}

// ok runs a command that must succeed and decodes its JSON output into out
// (nil: not decoded; an empty output decodes as {}).
func (a *orgcliCaller) ok(t *testing.T, out any, service string, args ...string) *cliResult {
	t.Helper()
	return a.run(t, service, args...).succeeded(t, out, fmt.Sprintf("aws %s as %s", service, a.who()))
}

// fails runs a command that must fail with exception; the CLI's last line
// must be its rendering of the error, ending with message when message is
// not empty (localsec's own texts, where AWS's are not known, are not
// pinned here: clients match the exception and the Reason).
func (a *orgcliCaller) fails(t *testing.T, exception, message, service string, args ...string) *cliResult {
	t.Helper()
	r := a.run(t, service, args...)
	r.expect(t, r.err != nil && r.exitCode > 0, "aws %s as %s succeeded or did not run, want %s", service, a.who(), exception)
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	last := lines[len(lines)-1]
	r.expect(t, strings.HasPrefix(last, "An error occurred ("+exception+") when calling the "), "the CLI's error line does not name %s", exception)
	r.expect(t, message == "" || strings.HasSuffix(last, " operation: "+message), "the CLI's error message is not %q", message)
	r.expect(t, strings.TrimSpace(r.stdout) == "", "stdout is not empty on an error")
	return r
}

// failsWithReason is fails for an Organizations error with a Reason: the
// CLI does not print the Reason, its --debug log of the response body
// shows it.
func (a *orgcliCaller) failsWithReason(t *testing.T, exception, reason, message string, args ...string) {
	t.Helper()
	r := a.fails(t, exception, message, "organizations", append(args, "--debug")...)
	r.expect(t, strings.Contains(r.stderr, `"__type":"`+exception+`"`), "the response body's __type is not %s", exception)
	r.expect(t, strings.Contains(r.stderr, `"Reason":"`+reason+`"`), "the response body's Reason is not %s", reason)
}

// orgcliProfiles is a config and a credentials file as a landing zone has
// them: a profile "management" with the management account's long-term
// keys, and profiles that assume a role with it as source_profile.
type orgcliProfiles struct {
	cli         *awsCLI
	config      string
	credentials string
}

// newOrgcliProfiles writes the files; roles maps a profile name to the
// role ARN it assumes.
func newOrgcliProfiles(t *testing.T, cli *awsCLI, roles map[string]string) *orgcliProfiles {
	t.Helper()
	dir := t.TempDir()
	p := &orgcliProfiles{cli: cli, config: filepath.Join(dir, "config"), credentials: filepath.Join(dir, "credentials")}
	var config strings.Builder
	config.WriteString("[profile management]\nregion = us-east-1\n")
	for name, role := range roles {
		// endpoint_url in the profile also points the CLI's own STS
		// client (the one that assumes the role) at localsec.
		fmt.Fprintf(&config, "\n[profile %s]\nrole_arn = %s\nsource_profile = management\nrole_session_name = landing-zone\nregion = us-east-1\nendpoint_url = %s\n",
			name, role, cli.endpoint)
	}
	credentials := "[management]\naws_access_key_id = " + orgcliManagement + "\naws_secret_access_key = management-secret\n"
	for path, content := range map[string]string{p.config: config.String(), p.credentials: credentials} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// exec runs `aws <service> <args> --profile <profile> --output json` with
// the files and no credentials in the environment, otherwise as cliExec.
func (p *orgcliProfiles) exec(t *testing.T, profile, service string, args ...string) *cliResult {
	t.Helper()
	full := append([]string{service}, args...)
	full = append(full, "--profile", profile, "--output", "json")
	awsEnv := []string{
		"AWS_CONFIG_FILE=" + p.config,
		"AWS_SHARED_CREDENTIALS_FILE=" + p.credentials,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_MAX_ATTEMPTS=1",
		"AWS_PAGER=",
	}
	return p.cli.runAWS(t, full, awsEnv)
}

// orgcliHandshakeStates maps handshake ids to their states.
func orgcliHandshakeStates(hs []orgcliHandshake) map[string]string {
	out := map[string]string{}
	for _, h := range hs {
		out[h.ID] = h.State
	}
	return out
}

// orgcliAccountIDs lists the accounts' ids and how they joined, sorted.
func orgcliAccountIDs(as []orgcliAccount) []string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, a.ID+" "+a.JoinedMethod)
	}
	slices.Sort(out)
	return out
}

// TestAWSCLIOrganizationsThreeAccounts runs spec §16's flows 1 to 4, and
// flow 5 with Macie in place of Security Hub, with the aws CLI.
func TestAWSCLIOrganizationsThreeAccounts(t *testing.T) {
	t.Parallel()
	cli := newAWSCLI(t)
	calls := new(atomic.Int64)
	start := time.Now()
	// The management account uses --endpoint-url, the security account
	// AWS_ENDPOINT_URL_<SERVICE>, the workload account a profile.
	mgmt := &orgcliCaller{cli: cli, account: orgcliManagement, mode: cliViaFlag, calls: calls}
	sec := &orgcliCaller{cli: cli, account: orgcliSecurity, mode: cliViaEnv, calls: calls}
	defer func() { t.Logf("%d aws CLI calls in %v", calls.Load(), time.Since(start).Round(time.Millisecond)) }()

	// Flow 1: the organization made and read.
	var created, described orgcliOrganizationOut
	r := mgmt.ok(t, &created, "organizations", "create-organization", "--feature-set", "ALL")
	o := created.Organization
	r.expect(t, orgcliOrgID.MatchString(o.ID), "organization Id %q is not o- and 10 characters", o.ID)
	cliEqual(t, r, "Organization", o, orgcliOrganization{
		ID: o.ID, Arn: "arn:aws:organizations::" + orgcliManagement + ":organization/" + o.ID, FeatureSet: "ALL",
		MasterAccountID: orgcliManagement, MasterAccountArn: "arn:aws:organizations::" + orgcliManagement + ":account/" + o.ID + "/" + orgcliManagement,
	})
	r = mgmt.ok(t, &described, "organizations", "describe-organization")
	cliEqual(t, r, "described Organization", described.Organization, o)
	var roots orgcliRoots
	r = mgmt.ok(t, &roots, "organizations", "list-roots")
	r.expect(t, len(roots.Roots) == 1 && orgcliRootID.MatchString(roots.Roots[0].ID) && roots.Roots[0].Name == "Root",
		"list-roots is not one root r-xxxx named Root")
	r.expect(t, roots.Roots[0].PolicyTypes != nil && len(*roots.Roots[0].PolicyTypes) == 0, "the root's PolicyTypes is not []")
	root := roots.Roots[0].ID
	var accounts orgcliAccounts
	r = mgmt.ok(t, &accounts, "organizations", "list-accounts")
	cliEqual(t, r, "accounts", strings.Join(orgcliAccountIDs(accounts.Accounts), ","), orgcliManagement+" INVITED")
	cliEqual(t, r, "management account State", accounts.Accounts[0].State, "ACTIVE")
	sec.fails(t, "AWSOrganizationsNotInUseException", orgcliNotInUse, "organizations", "describe-organization")

	// Flow 2: an invitation declined, one canceled, one accepted.
	invite := func() (orgcliHandshake, *cliResult) {
		t.Helper()
		var out orgcliHandshakeOut
		r := mgmt.ok(t, &out, "organizations", "invite-account-to-organization", "--target", "Id="+orgcliSecurity+",Type=ACCOUNT", "--notes", "join us")
		return out.Handshake, r
	}
	h1, r := invite()
	cliEqual(t, r, "invitation State", h1.State, "OPEN")
	cliEqual(t, r, "invitation Action", h1.Action, "INVITE")
	cliEqual(t, r, "invitation Arn", h1.Arn, "arn:aws:organizations::"+orgcliManagement+":handshake/"+o.ID+"/invite/"+h1.ID)
	r.expect(t, len(h1.Parties) == 2 && h1.Parties[0].ID == o.ID && h1.Parties[0].Type == "ORGANIZATION" &&
		h1.Parties[1].ID == orgcliSecurity && h1.Parties[1].Type == "ACCOUNT", "the invitation's Parties are not the organization and the account: %+v", h1.Parties)
	r.expect(t, math.Abs(h1.ExpirationTimestamp-h1.RequestedTimestamp-orgcliInviteLifetime) < 0.01, "the invitation does not expire 15 days after it was requested")
	mgmt.fails(t, "DuplicateHandshakeException", "", "organizations", "invite-account-to-organization", "--target", "Id="+orgcliSecurity+",Type=ACCOUNT")
	var hs orgcliHandshakes
	r = sec.ok(t, &hs, "organizations", "list-handshakes-for-account")
	cliEqual(t, r, "the invitee's handshakes", fmt.Sprint(orgcliHandshakeStates(hs.Handshakes)), fmt.Sprint(map[string]string{h1.ID: "OPEN"}))
	var h orgcliHandshakeOut
	r = sec.ok(t, &h, "organizations", "decline-handshake", "--handshake-id", h1.ID)
	cliEqual(t, r, "declined State", h.Handshake.State, "DECLINED")
	sec.fails(t, "InvalidHandshakeTransitionException", "", "organizations", "accept-handshake", "--handshake-id", h1.ID)
	h2, _ := invite()
	h = orgcliHandshakeOut{}
	r = mgmt.ok(t, &h, "organizations", "cancel-handshake", "--handshake-id", h2.ID)
	cliEqual(t, r, "canceled State", h.Handshake.State, "CANCELED")
	sec.fails(t, "InvalidHandshakeTransitionException", "", "organizations", "accept-handshake", "--handshake-id", h2.ID)
	h3, _ := invite()
	h = orgcliHandshakeOut{}
	r = sec.ok(t, &h, "organizations", "accept-handshake", "--handshake-id", h3.ID)
	cliEqual(t, r, "accepted State", h.Handshake.State, "ACCEPTED")
	// Both parties see the three outcomes.
	want := fmt.Sprint(map[string]string{h1.ID: "DECLINED", h2.ID: "CANCELED", h3.ID: "ACCEPTED"})
	hs = orgcliHandshakes{}
	r = mgmt.ok(t, &hs, "organizations", "list-handshakes-for-organization")
	cliEqual(t, r, "the organization's handshakes", fmt.Sprint(orgcliHandshakeStates(hs.Handshakes)), want)
	hs = orgcliHandshakes{}
	r = sec.ok(t, &hs, "organizations", "list-handshakes-for-account")
	cliEqual(t, r, "the invitee's handshakes", fmt.Sprint(orgcliHandshakeStates(hs.Handshakes)), want)

	accounts = orgcliAccounts{}
	r = mgmt.ok(t, &accounts, "organizations", "list-accounts-for-parent", "--parent-id", root)
	cliEqual(t, r, "accounts in the root", strings.Join(orgcliAccountIDs(accounts.Accounts), ","), orgcliManagement+" INVITED,"+orgcliSecurity+" INVITED")
	described = orgcliOrganizationOut{}
	r = sec.ok(t, &described, "organizations", "describe-organization")
	cliEqual(t, r, "the member's Organization", described.Organization, o)
	sec.fails(t, "AccessDeniedException", orgcliNoPermission, "organizations", "list-accounts")
	mgmt.failsWithReason(t, "HandshakeConstraintViolationException", "ALREADY_IN_AN_ORGANIZATION", "",
		"invite-account-to-organization", "--target", "Id="+orgcliManagement+",Type=ACCOUNT")

	// Flow 3: an account created and moved into an OU.
	var st orgcliCreateAccountStatus
	r = mgmt.ok(t, &st, "organizations", "create-account", "--account-name", "workload", "--email", "workload@example.com")
	cliEqual(t, r, "CreateAccount State", st.CreateAccountStatus.State, "IN_PROGRESS")
	r.expect(t, orgcliCarID.MatchString(st.CreateAccountStatus.ID) && st.CreateAccountStatus.AccountID == "", "CreateAccount is not a car- request without an account yet")
	carID := st.CreateAccountStatus.ID
	st = orgcliCreateAccountStatus{}
	r = mgmt.ok(t, &st, "organizations", "describe-create-account-status", "--create-account-request-id", carID)
	cliEqual(t, r, "DescribeCreateAccountStatus State", st.CreateAccountStatus.State, "SUCCEEDED")
	workload := st.CreateAccountStatus.AccountID
	r.expect(t, orgcliAccountID.MatchString(workload) && workload != orgcliManagement && workload != orgcliSecurity, "the created AccountId %q is not a new account", workload)
	var parents orgcliParents
	r = mgmt.ok(t, &parents, "organizations", "list-parents", "--child-id", workload)
	r.expect(t, len(parents.Parents) == 1 && parents.Parents[0].ID == root && parents.Parents[0].Type == "ROOT", "the created account's parent is not the root")
	var ou struct {
		OrganizationalUnit struct {
			ID   string `json:"Id"`
			Name string `json:"Name"`
		} `json:"OrganizationalUnit"`
	}
	r = mgmt.ok(t, &ou, "organizations", "create-organizational-unit", "--parent-id", root, "--name", "Workloads")
	ouID := ou.OrganizationalUnit.ID
	r.expect(t, orgcliOUID.MatchString(ouID) && strings.HasPrefix(ouID, "ou-"+strings.TrimPrefix(root, "r-")+"-"), "OU Id %q is not ou-<root>-<8>", ouID)
	mgmt.ok(t, nil, "organizations", "move-account", "--account-id", workload, "--source-parent-id", root, "--destination-parent-id", ouID)
	accounts = orgcliAccounts{}
	r = mgmt.ok(t, &accounts, "organizations", "list-accounts-for-parent", "--parent-id", ouID)
	cliEqual(t, r, "accounts in the OU", strings.Join(orgcliAccountIDs(accounts.Accounts), ","), workload+" CREATED")
	mgmt.fails(t, "OrganizationalUnitNotEmptyException", "", "organizations", "delete-organizational-unit", "--organizational-unit-id", ouID)

	// The landing zone reaches the created account: a profile assumes its
	// OrganizationAccountAccessRole with the management account's keys.
	workloadRole := "arn:aws:iam::" + workload + ":role/" + orgcliRole
	securityRole := "arn:aws:iam::" + orgcliSecurity + ":role/" + orgcliRole
	profiles := newOrgcliProfiles(t, cli, map[string]string{"workload": workloadRole, "security": securityRole})
	wl := &orgcliCaller{cli: cli, profiles: profiles, profile: "workload", calls: calls}
	var id orgcliCallerIdentity
	r = wl.ok(t, &id, "sts", "get-caller-identity")
	cliEqual(t, r, "caller identity Account", id.Account, workload)
	cliEqual(t, r, "caller identity Arn", id.Arn, "arn:aws:sts::"+workload+":assumed-role/"+orgcliRole+"/landing-zone")
	r.expect(t, regexp.MustCompile(`^AROA[A-Z2-7]{17}:landing-zone$`).MatchString(id.UserID), "caller identity UserId %q is not the role id and the session name", id.UserID)
	var det gdcliDetectorIDOut
	r = wl.ok(t, &det, "guardduty", "create-detector", "--enable")
	r.expect(t, gdcliDetectorID.MatchString(det.DetectorID), "DetectorId %q is not 32 lowercase hex characters", det.DetectorID)
	workloadDet := det.DetectorID
	// The invited security account has no such role: AccessDenied, in
	// the AssumeRole the CLI makes for the profile.
	(&orgcliCaller{cli: cli, profiles: profiles, profile: "security", calls: calls}).fails(t, "AccessDenied",
		"User: arn:aws:iam::"+orgcliManagement+":root is not authorized to perform: sts:AssumeRole on resource: "+securityRole,
		"sts", "get-caller-identity")

	// Flow 4: GuardDuty's delegated administrator through Organizations.
	mgmt.ok(t, nil, "guardduty", "enable-organization-admin-account", "--admin-account-id", orgcliSecurity)
	var access orgcliServiceAccess
	r = mgmt.ok(t, &access, "organizations", "list-aws-service-access-for-organization")
	r.expect(t, len(access.EnabledServicePrincipals) == 1 && access.EnabledServicePrincipals[0].ServicePrincipal == orgcliGuardDuty &&
		access.EnabledServicePrincipals[0].DateEnabled > 0, "trusted access is not exactly %s with its DateEnabled", orgcliGuardDuty)
	var das orgcliDelegatedAdministrators
	r = mgmt.ok(t, &das, "organizations", "list-delegated-administrators", "--service-principal", orgcliGuardDuty)
	r.expect(t, das.DelegatedAdministrators != nil && len(*das.DelegatedAdministrators) == 1, "GuardDuty has not exactly one delegated administrator")
	da := (*das.DelegatedAdministrators)[0]
	r.expect(t, da.ID == orgcliSecurity && da.JoinedMethod == "INVITED" && da.DelegationEnabledDate > 0, "the delegated administrator is not the security account: %+v", da)
	accounts = orgcliAccounts{}
	r = sec.ok(t, &accounts, "organizations", "list-accounts")
	cliEqual(t, r, "accounts the delegated administrator reads", strings.Join(orgcliAccountIDs(accounts.Accounts), ","),
		strings.Join(orgcliAccountIDs([]orgcliAccount{{ID: orgcliManagement, JoinedMethod: "INVITED"}, {ID: orgcliSecurity, JoinedMethod: "INVITED"}, {ID: workload, JoinedMethod: "CREATED"}}), ","))

	// The delegated administrator (its detector came with the
	// designation) adds the workload account: Enabled at once.
	var ids gdcliDetectorIDs
	r = sec.ok(t, &ids, "guardduty", "list-detectors")
	r.expect(t, ids.DetectorIDs != nil && len(*ids.DetectorIDs) == 1, "the delegated administrator has not exactly one detector")
	secDet := (*ids.DetectorIDs)[0]
	var unprocessed gdcliUnprocessed
	r = sec.ok(t, &unprocessed, "guardduty", "create-members", "--detector-id", secDet, "--account-details", "AccountId="+workload+",Email=workload@example.com")
	r.expect(t, unprocessed.UnprocessedAccounts != nil && len(*unprocessed.UnprocessedAccounts) == 0, "UnprocessedAccounts is not []")
	member := func() (gdcliMember, *cliResult) {
		t.Helper()
		var out gdcliGetMembers
		r := sec.ok(t, &out, "guardduty", "get-members", "--detector-id", secDet, "--account-ids", workload)
		r.expect(t, out.Members != nil && len(*out.Members) == 1, "get-members does not return the workload account")
		return (*out.Members)[0], r
	}
	m, r := member()
	cliEqual(t, r, "the workload member's RelationshipStatus", m.RelationshipStatus, "Enabled")
	// The detector the profile created is the workload account's.
	cliEqual(t, r, "the workload member's DetectorId", m.DetectorID, workloadDet)
	var rel gdcliRelationship
	r = wl.ok(t, &rel, "guardduty", "get-administrator-account", "--detector-id", workloadDet)
	r.expect(t, rel.Administrator != nil && rel.Administrator.AccountID == orgcliSecurity && rel.Administrator.RelationshipStatus == "Enabled",
		"the workload account's administrator is not the security account, Enabled")

	mgmt.failsWithReason(t, "ConstraintViolationException", "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG", "",
		"remove-account-from-organization", "--account-id", orgcliSecurity)
	// The workload account leaves, as itself: its membership through
	// Organizations ends (Removed).
	wl.ok(t, nil, "organizations", "leave-organization")
	m, r = member()
	cliEqual(t, r, "the workload member's RelationshipStatus after it left", m.RelationshipStatus, "Removed")

	// GuardDuty's disable keeps the Organizations registration;
	// deregistering ends it, and the security account may leave.
	mgmt.ok(t, nil, "guardduty", "disable-organization-admin-account", "--admin-account-id", orgcliSecurity)
	das = orgcliDelegatedAdministrators{}
	r = mgmt.ok(t, &das, "organizations", "list-delegated-administrators", "--service-principal", orgcliGuardDuty)
	r.expect(t, das.DelegatedAdministrators != nil && len(*das.DelegatedAdministrators) == 1 && (*das.DelegatedAdministrators)[0].ID == orgcliSecurity,
		"GuardDuty's disable-organization-admin-account deregistered the delegated administrator")
	mgmt.ok(t, nil, "organizations", "deregister-delegated-administrator", "--account-id", orgcliSecurity, "--service-principal", orgcliGuardDuty)
	sec.ok(t, nil, "organizations", "leave-organization")
	accounts = orgcliAccounts{}
	r = mgmt.ok(t, &accounts, "organizations", "list-accounts")
	cliEqual(t, r, "accounts after both left", strings.Join(orgcliAccountIDs(accounts.Accounts), ","), orgcliManagement+" INVITED")

	// Flow 5, with Macie: the management account designates itself.
	mgmt.ok(t, nil, "macie2", "enable-macie")
	mgmt.ok(t, nil, "macie2", "enable-organization-admin-account", "--admin-account-id", orgcliManagement)
	access = orgcliServiceAccess{}
	r = mgmt.ok(t, &access, "organizations", "list-aws-service-access-for-organization")
	var principals []string
	for _, p := range access.EnabledServicePrincipals {
		principals = append(principals, p.ServicePrincipal)
	}
	slices.Sort(principals)
	cliEqual(t, r, "trusted access", strings.Join(principals, ","), orgcliGuardDuty+","+orgcliMacie)
	das = orgcliDelegatedAdministrators{}
	r = mgmt.ok(t, &das, "organizations", "list-delegated-administrators", "--service-principal", orgcliMacie)
	r.expect(t, das.DelegatedAdministrators != nil && len(*das.DelegatedAdministrators) == 0, "Macie's delegated administrators are not []")
	mgmt.failsWithReason(t, "ConstraintViolationException", "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR", orgcliMasterAsDelegated,
		"register-delegated-administrator", "--account-id", orgcliManagement, "--service-principal", orgcliMacie)
}
