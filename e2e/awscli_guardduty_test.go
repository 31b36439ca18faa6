package e2e_test

// The GuardDuty scenarios driven by the real aws CLI. They reuse the
// harness of awscli_test.go (newAWSCLI, cliResult, cliEqual, ...); the
// gdcli helpers below only differ from cliCaller in the service they call
// ("aws guardduty") and the service-specific endpoint variable
// (AWS_ENDPOINT_URL_GUARDDUTY).

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// gdcliDetectorID is the shape of the detector ids localsec makes (spec
// §3.1: 32 lowercase hex characters).
var gdcliDetectorID = regexp.MustCompile(`^[0-9a-f]{32}$`)

// GuardDuty's texts (spec §2.2, §2.3), all confirmed.
const (
	gdcliNotOwned        = "The request is rejected because the input detectorId is not owned by the current account."
	gdcliDetectorExists  = "The request is rejected because a detector already exists for the current account."
	gdcliDeleteBlocked   = "cannot delete detector while it has invited or associated members"
	gdcliAlreadyInvited  = "The request is rejected because the current account has already invited or is already the GuardDuty master of the given member account ID."
	gdcliNotAssociated   = "The request is rejected because the given account ID is not an associated member of account the current account."
	gdcliNoMasterAccount = "The request is rejected because the current account is not associated to a master account."
)

// Output shapes of `aws guardduty ... --output json`: botocore prints the
// model's member names (PascalCase), not the wire names.
type (
	gdcliDetectorIDOut struct {
		DetectorID string `json:"DetectorId"`
	}
	gdcliDetectorIDs struct {
		DetectorIDs *[]string `json:"DetectorIds"`
	}
	gdcliDetector struct {
		CreatedAt                  string            `json:"CreatedAt"`
		UpdatedAt                  string            `json:"UpdatedAt"`
		FindingPublishingFrequency string            `json:"FindingPublishingFrequency"`
		ServiceRole                string            `json:"ServiceRole"`
		Status                     string            `json:"Status"`
		Tags                       map[string]string `json:"Tags"`
	}
	gdcliUnprocessedAccount struct {
		AccountID string `json:"AccountId"`
		Result    string `json:"Result"`
	}
	gdcliUnprocessed struct {
		UnprocessedAccounts *[]gdcliUnprocessedAccount `json:"UnprocessedAccounts"`
	}
	gdcliMember struct {
		AccountID          string `json:"AccountId"`
		DetectorID         string `json:"DetectorId"`
		MasterID           string `json:"MasterId"`
		AdministratorID    string `json:"AdministratorId"`
		Email              string `json:"Email"`
		RelationshipStatus string `json:"RelationshipStatus"`
		InvitedAt          string `json:"InvitedAt"`
		UpdatedAt          string `json:"UpdatedAt"`
	}
	gdcliGetMembers struct {
		Members             *[]gdcliMember             `json:"Members"`
		UnprocessedAccounts *[]gdcliUnprocessedAccount `json:"UnprocessedAccounts"`
	}
	gdcliListMembers struct {
		Members   *[]gdcliMember `json:"Members"`
		NextToken string         `json:"NextToken"`
	}
	gdcliInvitation struct {
		AccountID          string `json:"AccountId"`
		InvitationID       string `json:"InvitationId"`
		InvitedAt          string `json:"InvitedAt"`
		RelationshipStatus string `json:"RelationshipStatus"`
	}
	gdcliInvitations struct {
		Invitations *[]gdcliInvitation `json:"Invitations"`
		NextToken   string             `json:"NextToken"`
	}
	gdcliCount struct {
		InvitationsCount *int64 `json:"InvitationsCount"`
	}
	// gdcliRelationship is the output of GetAdministratorAccount
	// ("Administrator") and of GetMasterAccount ("Master").
	gdcliRelationship struct {
		Administrator *gdcliInvitation `json:"Administrator"`
		Master        *gdcliInvitation `json:"Master"`
	}
)

// gdcliCaller is one account using `aws guardduty`, reaching localsec with
// --endpoint-url (cliViaFlag) or AWS_ENDPOINT_URL_GUARDDUTY (cliViaEnv).
type gdcliCaller struct {
	cli     *awsCLI
	account string
	mode    cliEndpointMode
}

func gdcliAs(cli *awsCLI, account string, mode cliEndpointMode) *gdcliCaller {
	return &gdcliCaller{cli: cli, account: account, mode: mode}
}

// via returns the same account reaching localsec the other way.
func (a *gdcliCaller) via(mode cliEndpointMode) *gdcliCaller {
	return gdcliAs(a.cli, a.account, mode)
}

func (a *gdcliCaller) how() string {
	switch a.mode {
	case cliViaEnv:
		return "AWS_ENDPOINT_URL_GUARDDUTY"
	case cliViaGlobalEnv:
		return "AWS_ENDPOINT_URL"
	}
	return "--endpoint-url"
}

// run runs `aws guardduty <args> --output json` as the caller (see cliExec).
func (a *gdcliCaller) run(t *testing.T, args ...string) *cliResult {
	t.Helper()
	return cliExec(t, a.cli, "guardduty", a.account, a.mode, args...)
}

// ok runs a command that must succeed and decodes its JSON output into out
// (nil: not decoded; an empty output decodes as {}).
func (a *gdcliCaller) ok(t *testing.T, out any, args ...string) *cliResult {
	t.Helper()
	return a.run(t, args...).succeeded(t, out, fmt.Sprintf("aws guardduty as %s (%s)", a.account, a.how()))
}

// fails runs a command that must fail with exception and a message
// containing message, as the CLI prints them on stderr.
func (a *gdcliCaller) fails(t *testing.T, exception, message string, args ...string) *cliResult {
	t.Helper()
	r := a.run(t, args...)
	r.expect(t, r.err != nil && r.exitCode > 0, "aws guardduty as %s (%s) succeeded or did not run, want %s", a.account, a.how(), exception)
	r.expect(t, strings.Contains(r.stderr, "("+exception+")"), "stderr does not name the error code %s", exception)
	r.expect(t, strings.Contains(r.stderr, message), "stderr does not contain the message %q", message)
	r.expect(t, strings.TrimSpace(r.stdout) == "", "stdout is not empty on an error")
	return r
}

// noUnprocessed runs a command whose output is {"UnprocessedAccounts": []}.
func (a *gdcliCaller) noUnprocessed(t *testing.T, args ...string) {
	t.Helper()
	var out gdcliUnprocessed
	r := a.ok(t, &out, args...)
	r.expect(t, out.UnprocessedAccounts != nil && len(*out.UnprocessedAccounts) == 0, "UnprocessedAccounts is not []")
}

// member returns the administrator's record of account via GetMembers,
// which must know it.
func (a *gdcliCaller) member(t *testing.T, detectorID, account string) (gdcliMember, *cliResult) {
	t.Helper()
	var out gdcliGetMembers
	r := a.ok(t, &out, "get-members", "--detector-id", detectorID, "--account-ids", account)
	r.expect(t, out.UnprocessedAccounts != nil && len(*out.UnprocessedAccounts) == 0, "UnprocessedAccounts is not []")
	r.expect(t, out.Members != nil && len(*out.Members) == 1, "want exactly one member")
	m := (*out.Members)[0]
	cliEqual(t, r, "AccountId", m.AccountID, account)
	return m, r
}

// TestAWSCLIGuardDutyTwoAccounts is the GuardDuty administrator/member life
// cycle of spec §10.5 (flows 1, 2 and 3, and guard rails of 4), driven by
// the aws CLI.
func TestAWSCLIGuardDutyTwoAccounts(t *testing.T) {
	t.Parallel()
	cli := newAWSCLI(t)
	// The administrator mostly uses --endpoint-url, the member mostly
	// AWS_ENDPOINT_URL_GUARDDUTY; some steps swap.
	admin := gdcliAs(cli, cliAdmin, cliViaFlag)
	adminEnv := admin.via(cliViaEnv)
	mem := gdcliAs(cli, cliMember, cliViaEnv)
	memFlag := mem.via(cliViaFlag)
	// AWS_ENDPOINT_URL, for every service at once, works too.
	adminGlobal := admin.via(cliViaGlobalEnv)

	// Both create their detector.
	var det gdcliDetectorIDOut
	r := admin.ok(t, &det, "create-detector", "--enable")
	r.expect(t, gdcliDetectorID.MatchString(det.DetectorID), "DetectorId %q is not 32 lowercase hex characters", det.DetectorID)
	adminDet := det.DetectorID
	det = gdcliDetectorIDOut{}
	r = mem.ok(t, &det, "create-detector", "--enable", "--finding-publishing-frequency", "ONE_HOUR")
	r.expect(t, gdcliDetectorID.MatchString(det.DetectorID), "DetectorId %q is not 32 lowercase hex characters", det.DetectorID)
	memDet := det.DetectorID
	r.expect(t, memDet != adminDet, "both accounts got the detector id %s", memDet)
	var listed struct {
		DetectorIds []string
	}
	adminGlobal.ok(t, &listed, "list-detectors")
	r.expect(t, len(listed.DetectorIds) == 1 && listed.DetectorIds[0] == adminDet, "list-detectors via AWS_ENDPOINT_URL = %v, want [%s]", listed.DetectorIds, adminDet)

	for _, c := range []*gdcliCaller{admin, adminEnv} {
		var ids gdcliDetectorIDs
		r = c.ok(t, &ids, "list-detectors")
		r.expect(t, ids.DetectorIDs != nil && len(*ids.DetectorIDs) == 1 && (*ids.DetectorIDs)[0] == adminDet,
			"list-detectors is not exactly [%s]", adminDet)
		var d gdcliDetector
		r = c.ok(t, &d, "get-detector", "--detector-id", adminDet)
		cliEqual(t, r, "Status", d.Status, "ENABLED")
		cliEqual(t, r, "FindingPublishingFrequency", d.FindingPublishingFrequency, "SIX_HOURS")
		cliEqual(t, r, "ServiceRole", d.ServiceRole, "arn:aws:iam::"+cliAdmin+":role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty")
		r.expect(t, cliIsTimestamp(d.CreatedAt) && cliIsTimestamp(d.UpdatedAt), "CreatedAt/UpdatedAt are not UTC ISO 8601 timestamps")
		r.expect(t, d.Tags != nil && len(d.Tags) == 0, "Tags is not {}")
	}
	var memDetector gdcliDetector
	r = memFlag.ok(t, &memDetector, "get-detector", "--detector-id", memDet)
	cliEqual(t, r, "member FindingPublishingFrequency", memDetector.FindingPublishingFrequency, "ONE_HOUR")

	// Guard rails: one detector per account; another account's detector
	// id is "not owned", whichever way the endpoint is given.
	admin.fails(t, "BadRequestException", gdcliDetectorExists, "create-detector", "--enable")
	mem.fails(t, "BadRequestException", gdcliDetectorExists, "create-detector", "--enable")
	r = admin.fails(t, "BadRequestException", gdcliNotOwned, "get-detector", "--detector-id", memDet)
	r.expect(t, strings.Contains(r.stderr, "(BadRequestException) when calling the GetDetector operation: "+gdcliNotOwned),
		"stderr is not the CLI's rendering of BadRequestException %q for GetDetector", gdcliNotOwned)
	mem.fails(t, "BadRequestException", gdcliNotOwned, "get-detector", "--detector-id", adminDet)
	memFlag.fails(t, "BadRequestException", gdcliNotOwned, "list-members", "--detector-id", adminDet)
	mem.fails(t, "BadRequestException", gdcliNotOwned, "create-members", "--detector-id", adminDet,
		"--account-details", "AccountId="+cliOther+",Email=other@example.com")

	// Flow 2: the administrator adds the member: Created.
	admin.noUnprocessed(t, "create-members", "--detector-id", adminDet,
		"--account-details", "AccountId="+cliMember+",Email="+cliMemberEmail)
	m, r := admin.member(t, adminDet, cliMember)
	cliEqual(t, r, "RelationshipStatus after create-members", m.RelationshipStatus, "Created")
	cliEqual(t, r, "Email", m.Email, cliMemberEmail)
	cliEqual(t, r, "MasterId", m.MasterID, cliAdmin)
	cliEqual(t, r, "AdministratorId", m.AdministratorID, cliAdmin)
	r.expect(t, m.InvitedAt == "", "InvitedAt is set before any invitation")
	r.expect(t, m.DetectorID == "", "DetectorId is set on a Created member")
	r.expect(t, cliIsTimestamp(m.UpdatedAt), "UpdatedAt %q is not a UTC ISO 8601 timestamp", m.UpdatedAt)
	var unproc gdcliUnprocessed
	r = admin.ok(t, &unproc, "create-members", "--detector-id", adminDet,
		"--account-details", "AccountId="+cliMember+",Email="+cliMemberEmail)
	r.expect(t, unproc.UnprocessedAccounts != nil && len(*unproc.UnprocessedAccounts) == 1, "a second create-members of the same account is not one UnprocessedAccounts entry")
	cliEqual(t, r, "UnprocessedAccounts[0].Result", (*unproc.UnprocessedAccounts)[0].Result,
		"The request is rejected because the given account ID is already a member or associated member of the current account.")

	// ... invites it: Invited. A second invitation is refused per account.
	adminEnv.noUnprocessed(t, "invite-members", "--detector-id", adminDet, "--account-ids", cliMember,
		"--message", "Join my GuardDuty", "--disable-email-notification")
	m, r = admin.member(t, adminDet, cliMember)
	cliEqual(t, r, "RelationshipStatus after invite-members", m.RelationshipStatus, "Invited")
	r.expect(t, cliIsTimestamp(m.InvitedAt), "InvitedAt %q is not a UTC ISO 8601 timestamp", m.InvitedAt)
	unproc = gdcliUnprocessed{}
	r = admin.ok(t, &unproc, "invite-members", "--detector-id", adminDet, "--account-ids", cliMember)
	r.expect(t, unproc.UnprocessedAccounts != nil && len(*unproc.UnprocessedAccounts) == 1, "a second invite-members is not one UnprocessedAccounts entry")
	cliEqual(t, r, "UnprocessedAccounts[0].AccountId", (*unproc.UnprocessedAccounts)[0].AccountID, cliMember)
	cliEqual(t, r, "UnprocessedAccounts[0].Result", (*unproc.UnprocessedAccounts)[0].Result, gdcliAlreadyInvited)

	// The member sees the invitation.
	var invs gdcliInvitations
	r = mem.ok(t, &invs, "list-invitations")
	r.expect(t, invs.Invitations != nil && len(*invs.Invitations) == 1, "want exactly one invitation")
	inv := (*invs.Invitations)[0]
	cliEqual(t, r, "invitation AccountId", inv.AccountID, cliAdmin)
	cliEqual(t, r, "invitation RelationshipStatus", inv.RelationshipStatus, "Invited")
	r.expect(t, cliInvitationID.MatchString(inv.InvitationID), "InvitationId %q is not 32 lowercase hex characters", inv.InvitationID)
	cliEqual(t, r, "invitation InvitedAt", inv.InvitedAt, m.InvitedAt)
	var count gdcliCount
	r = memFlag.ok(t, &count, "get-invitations-count")
	r.expect(t, count.InvitationsCount != nil && *count.InvitationsCount == 1, "InvitationsCount is not 1")

	// ListMembers shows an Invited member only with --only-associated false.
	var members gdcliListMembers
	r = admin.ok(t, &members, "list-members", "--detector-id", adminDet)
	r.expect(t, members.Members != nil && len(*members.Members) == 0, "default list-members (associated only) is not empty")
	members = gdcliListMembers{}
	r = admin.ok(t, &members, "list-members", "--detector-id", adminDet, "--only-associated", "false")
	r.expect(t, members.Members != nil && len(*members.Members) == 1 && (*members.Members)[0].RelationshipStatus == "Invited",
		"list-members --only-associated false does not show the Invited member")

	// An Invited member blocks the administrator's delete-detector.
	admin.fails(t, "BadRequestException", gdcliDeleteBlocked, "delete-detector", "--detector-id", adminDet)

	// The member accepts with its own detector (the administrator's is not
	// its own).
	mem.fails(t, "BadRequestException", gdcliNotOwned, "accept-administrator-invitation", "--detector-id", adminDet,
		"--administrator-id", cliAdmin, "--invitation-id", inv.InvitationID)
	mem.ok(t, nil, "accept-administrator-invitation", "--detector-id", memDet,
		"--administrator-id", cliAdmin, "--invitation-id", inv.InvitationID)

	var rel gdcliRelationship
	r = mem.ok(t, &rel, "get-administrator-account", "--detector-id", memDet)
	r.expect(t, rel.Administrator != nil && rel.Master == nil, "get-administrator-account does not answer exactly an Administrator")
	cliEqual(t, r, "Administrator.AccountId", rel.Administrator.AccountID, cliAdmin)
	cliEqual(t, r, "Administrator.InvitationId", rel.Administrator.InvitationID, inv.InvitationID)
	cliEqual(t, r, "Administrator.RelationshipStatus", rel.Administrator.RelationshipStatus, "Enabled")
	cliEqual(t, r, "Administrator.InvitedAt", rel.Administrator.InvitedAt, inv.InvitedAt)
	rel = gdcliRelationship{}
	r = memFlag.ok(t, &rel, "get-master-account", "--detector-id", memDet)
	r.expect(t, rel.Master != nil && rel.Administrator == nil, "get-master-account does not answer exactly a Master")
	cliEqual(t, r, "Master.AccountId", rel.Master.AccountID, cliAdmin)
	cliEqual(t, r, "Master.InvitationId", rel.Master.InvitationID, inv.InvitationID)
	cliEqual(t, r, "Master.RelationshipStatus", rel.Master.RelationshipStatus, "Enabled")
	count = gdcliCount{}
	r = mem.ok(t, &count, "get-invitations-count")
	r.expect(t, count.InvitationsCount != nil && *count.InvitationsCount == 0, "InvitationsCount is not 0 once the invitation is accepted")

	// The administrator sees it Enabled, with the member's detector id.
	m, r = adminEnv.member(t, adminDet, cliMember)
	cliEqual(t, r, "RelationshipStatus after accept-administrator-invitation", m.RelationshipStatus, "Enabled")
	cliEqual(t, r, "DetectorId", m.DetectorID, memDet)
	members = gdcliListMembers{}
	r = admin.ok(t, &members, "list-members", "--detector-id", adminDet)
	r.expect(t, members.Members != nil && len(*members.Members) == 1 && (*members.Members)[0].AccountID == cliMember,
		"default list-members does not show the associated member")
	admin.fails(t, "BadRequestException", gdcliDeleteBlocked, "delete-detector", "--detector-id", adminDet)

	// Flow 3: suspend and resume monitoring.
	admin.noUnprocessed(t, "stop-monitoring-members", "--detector-id", adminDet, "--account-ids", cliMember)
	m, r = admin.member(t, adminDet, cliMember)
	cliEqual(t, r, "RelationshipStatus after stop-monitoring-members", m.RelationshipStatus, "Disabled")
	members = gdcliListMembers{}
	r = adminEnv.ok(t, &members, "list-members", "--detector-id", adminDet)
	r.expect(t, members.Members != nil && len(*members.Members) == 1 && (*members.Members)[0].RelationshipStatus == "Disabled",
		"default list-members does not show the Disabled member")
	adminEnv.noUnprocessed(t, "start-monitoring-members", "--detector-id", adminDet, "--account-ids", cliMember)
	m, r = admin.member(t, adminDet, cliMember)
	cliEqual(t, r, "RelationshipStatus after start-monitoring-members", m.RelationshipStatus, "Enabled")

	// Flow 2 again: the administrator disassociates the member: Removed,
	// the email kept; the member has no administrator any more.
	admin.noUnprocessed(t, "disassociate-members", "--detector-id", adminDet, "--account-ids", cliMember)
	m, r = admin.member(t, adminDet, cliMember)
	cliEqual(t, r, "RelationshipStatus after disassociate-members", m.RelationshipStatus, "Removed")
	cliEqual(t, r, "Email after disassociate-members", m.Email, cliMemberEmail)
	rel = gdcliRelationship{}
	r = mem.ok(t, &rel, "get-administrator-account", "--detector-id", memDet)
	r.expect(t, rel.Administrator == nil && rel.Master == nil, "get-administrator-account still shows an administrator after disassociate-members")

	// ... invites it again without create-members ...
	admin.noUnprocessed(t, "invite-members", "--detector-id", adminDet, "--account-ids", cliMember, "--message", "")
	m, r = admin.member(t, adminDet, cliMember)
	cliEqual(t, r, "RelationshipStatus after the second invite-members", m.RelationshipStatus, "Invited")
	invs = gdcliInvitations{}
	r = memFlag.ok(t, &invs, "list-invitations")
	r.expect(t, invs.Invitations != nil && len(*invs.Invitations) == 1, "want exactly one invitation after the re-invitation")
	inv2 := (*invs.Invitations)[0]
	cliEqual(t, r, "invitation AccountId", inv2.AccountID, cliAdmin)
	cliEqual(t, r, "invitation RelationshipStatus", inv2.RelationshipStatus, "Invited")
	r.expect(t, cliInvitationID.MatchString(inv2.InvitationID), "InvitationId %q is not 32 lowercase hex characters", inv2.InvitationID)
	r.expect(t, inv2.InvitationID != inv.InvitationID, "the re-invitation kept the invitation id %s (spec §3.3: new for every InviteMembers)", inv.InvitationID)

	// ... and the member accepts with the deprecated AcceptInvitation.
	mem.ok(t, nil, "accept-invitation", "--detector-id", memDet, "--master-id", cliAdmin, "--invitation-id", inv2.InvitationID)
	rel = gdcliRelationship{}
	r = mem.ok(t, &rel, "get-master-account", "--detector-id", memDet)
	r.expect(t, rel.Master != nil, "get-master-account has no Master")
	cliEqual(t, r, "Master.AccountId", rel.Master.AccountID, cliAdmin)
	cliEqual(t, r, "Master.InvitationId", rel.Master.InvitationID, inv2.InvitationID)
	cliEqual(t, r, "Master.RelationshipStatus", rel.Master.RelationshipStatus, "Enabled")
	m, r = admin.member(t, adminDet, cliMember)
	cliEqual(t, r, "RelationshipStatus after accept-invitation", m.RelationshipStatus, "Enabled")
	cliEqual(t, r, "DetectorId", m.DetectorID, memDet)

	// Flow 1's destroy: the member resigns (deprecated call): Resigned.
	memFlag.ok(t, nil, "disassociate-from-master-account", "--detector-id", memDet)
	rel = gdcliRelationship{}
	r = mem.ok(t, &rel, "get-master-account", "--detector-id", memDet)
	r.expect(t, rel.Master == nil && rel.Administrator == nil, "get-master-account still shows a master after disassociate-from-master-account")
	m, r = admin.member(t, adminDet, cliMember)
	cliEqual(t, r, "RelationshipStatus after disassociate-from-master-account", m.RelationshipStatus, "Resigned")
	mem.fails(t, "BadRequestException", gdcliNoMasterAccount, "disassociate-from-master-account", "--detector-id", memDet)

	// The administrator deletes the record; GetMembers then reports the
	// account as unprocessed, not as an error.
	admin.noUnprocessed(t, "delete-members", "--detector-id", adminDet, "--account-ids", cliMember)
	var got gdcliGetMembers
	r = adminEnv.ok(t, &got, "get-members", "--detector-id", adminDet, "--account-ids", cliMember)
	r.expect(t, got.Members != nil && len(*got.Members) == 0, "get-members still returns the deleted member")
	r.expect(t, got.UnprocessedAccounts != nil && len(*got.UnprocessedAccounts) == 1, "get-members of a deleted member is not one UnprocessedAccounts entry")
	cliEqual(t, r, "UnprocessedAccounts[0].AccountId", (*got.UnprocessedAccounts)[0].AccountID, cliMember)
	cliEqual(t, r, "UnprocessedAccounts[0].Result", (*got.UnprocessedAccounts)[0].Result, gdcliNotAssociated)
	members = gdcliListMembers{}
	r = admin.ok(t, &members, "list-members", "--detector-id", adminDet, "--only-associated", "false")
	r.expect(t, members.Members != nil && len(*members.Members) == 0, "list-members --only-associated false still lists the deleted member")

	// Both delete their detector; afterwards the ids are not owned.
	admin.ok(t, nil, "delete-detector", "--detector-id", adminDet)
	mem.ok(t, nil, "delete-detector", "--detector-id", memDet)
	admin.fails(t, "BadRequestException", gdcliNotOwned, "get-detector", "--detector-id", adminDet)
	memFlag.fails(t, "BadRequestException", gdcliNotOwned, "get-master-account", "--detector-id", memDet)
	adminEnv.fails(t, "BadRequestException", gdcliNotOwned, "get-members", "--detector-id", adminDet, "--account-ids", cliMember)
	var ids gdcliDetectorIDs
	r = admin.ok(t, &ids, "list-detectors")
	r.expect(t, ids.DetectorIDs != nil && len(*ids.DetectorIDs) == 0, "list-detectors is not [] after delete-detector")
}
