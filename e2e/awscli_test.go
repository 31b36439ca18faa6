package e2e_test

import (
	"encoding/json"
	"regexp"
	"testing"
	"time"
)

const (
	cliAdmin       = "111111111111"
	cliMember      = "222222222222"
	cliOther       = "333333333333"
	cliMemberARN   = "arn:aws:macie2:us-east-1:" + cliAdmin + ":member/" + cliMember
	cliMemberEmail = "member@example.com"
)

var cliInvitationID = regexp.MustCompile(`^[0-9a-f]{32}$`)

// Output shapes of the aws CLI (the API's JSON, as printed by --output json).
type (
	cliSession struct {
		CreatedAt                  string `json:"createdAt"`
		UpdatedAt                  string `json:"updatedAt"`
		FindingPublishingFrequency string `json:"findingPublishingFrequency"`
		ServiceRole                string `json:"serviceRole"`
		Status                     string `json:"status"`
	}
	cliMemberOut struct {
		AccountID              string            `json:"accountId"`
		AdministratorAccountID string            `json:"administratorAccountId"`
		MasterAccountID        string            `json:"masterAccountId"`
		ARN                    string            `json:"arn"`
		Email                  string            `json:"email"`
		InvitedAt              string            `json:"invitedAt"`
		UpdatedAt              string            `json:"updatedAt"`
		RelationshipStatus     string            `json:"relationshipStatus"`
		Tags                   map[string]string `json:"tags"`
	}
	cliInvitation struct {
		AccountID          string `json:"accountId"`
		InvitationID       string `json:"invitationId"`
		InvitedAt          string `json:"invitedAt"`
		RelationshipStatus string `json:"relationshipStatus"`
	}
	cliMembers struct {
		Members   *[]cliMemberOut `json:"members"`
		NextToken string          `json:"nextToken"`
	}
	cliInvitations struct {
		Invitations *[]cliInvitation `json:"invitations"`
		NextToken   string           `json:"nextToken"`
	}
	cliUnprocessed struct {
		UnprocessedAccounts *[]json.RawMessage `json:"unprocessedAccounts"`
	}
	cliAdministrator struct {
		Administrator *cliInvitation `json:"administrator"`
	}
	cliTags struct {
		Tags map[string]string `json:"tags"`
	}
	cliCount struct {
		InvitationsCount *int64 `json:"invitationsCount"`
	}
)

// cliIsTimestamp reports whether s is an ISO 8601 timestamp in UTC.
func cliIsTimestamp(s string) bool {
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return false
	}
	_, offset := ts.Zone()
	return offset == 0
}

// TestAWSCLIMacieTwoAccounts is the whole invitation life cycle between an
// administrator and a member account, driven by the aws CLI.
func TestAWSCLIMacieTwoAccounts(t *testing.T) {
	t.Parallel()
	cli := newAWSCLI(t)
	// The administrator mostly uses --endpoint-url, the member mostly
	// AWS_ENDPOINT_URL_MACIE2; some steps swap.
	admin := cli.as(cliAdmin, cliViaFlag)
	adminEnv := admin.via(cliViaEnv)
	mem := cli.as(cliMember, cliViaEnv)
	memFlag := mem.via(cliViaFlag)

	// Both enable Macie.
	admin.ok(t, nil, "enable-macie")
	mem.ok(t, nil, "enable-macie", "--finding-publishing-frequency", "ONE_HOUR")
	for _, c := range []*cliCaller{admin, adminEnv} {
		var s cliSession
		r := c.ok(t, &s, "get-macie-session")
		cliEqual(t, r, "status", s.Status, "ENABLED")
		cliEqual(t, r, "findingPublishingFrequency", s.FindingPublishingFrequency, "FIFTEEN_MINUTES")
		cliEqual(t, r, "serviceRole", s.ServiceRole, "arn:aws:iam::"+cliAdmin+":role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie")
		r.expect(t, cliIsTimestamp(s.CreatedAt) && cliIsTimestamp(s.UpdatedAt), "createdAt/updatedAt are not UTC ISO 8601 timestamps")
	}
	var memSession cliSession
	r := memFlag.ok(t, &memSession, "get-macie-session")
	cliEqual(t, r, "member findingPublishingFrequency", memSession.FindingPublishingFrequency, "ONE_HOUR")
	admin.fails(t, "ConflictException", "Macie has already been enabled", "enable-macie")

	// The administrator adds the member, with tags.
	var created struct {
		ARN string `json:"arn"`
	}
	r = admin.ok(t, &created, "create-member", "--account", "accountId="+cliMember+",email="+cliMemberEmail, "--tags", "Team=security,Env=test")
	cliEqual(t, r, "arn", created.ARN, cliMemberARN)

	var got cliMemberOut
	r = admin.ok(t, &got, "get-member", "--id", cliMember)
	cliEqual(t, r, "relationshipStatus after create-member", got.RelationshipStatus, "Created")
	r.expect(t, got.InvitedAt == "", "invitedAt is set before any invitation")

	// ... and invites it.
	var unproc cliUnprocessed
	r = admin.ok(t, &unproc, "create-invitations", "--account-ids", cliMember, "--message", "Join my Macie organization")
	r.expect(t, unproc.UnprocessedAccounts != nil && len(*unproc.UnprocessedAccounts) == 0, "unprocessedAccounts is not []")

	// The member sees the invitation.
	var invs cliInvitations
	r = mem.ok(t, &invs, "list-invitations")
	r.expect(t, invs.Invitations != nil && len(*invs.Invitations) == 1, "want exactly one invitation")
	inv := (*invs.Invitations)[0]
	cliEqual(t, r, "invitation accountId", inv.AccountID, cliAdmin)
	cliEqual(t, r, "invitation relationshipStatus", inv.RelationshipStatus, "Invited")
	r.expect(t, cliInvitationID.MatchString(inv.InvitationID), "invitationId %q is not 32 lowercase hex characters", inv.InvitationID)
	r.expect(t, cliIsTimestamp(inv.InvitedAt), "invitedAt %q is not a UTC ISO 8601 timestamp", inv.InvitedAt)

	var count cliCount
	r = memFlag.ok(t, &count, "get-invitations-count")
	r.expect(t, count.InvitationsCount != nil && *count.InvitationsCount == 1, "invitationsCount is not 1")

	// The administrator sees it as Invited only with --only-associated false.
	var members cliMembers
	r = admin.ok(t, &members, "list-members", "--only-associated", "false")
	r.expect(t, members.Members != nil && len(*members.Members) == 1, "want exactly one member")
	m := (*members.Members)[0]
	cliEqual(t, r, "accountId", m.AccountID, cliMember)
	cliEqual(t, r, "relationshipStatus", m.RelationshipStatus, "Invited")
	cliEqual(t, r, "arn", m.ARN, cliMemberARN)
	cliEqual(t, r, "email", m.Email, cliMemberEmail)
	cliEqual(t, r, "administratorAccountId", m.AdministratorAccountID, cliAdmin)
	cliEqual(t, r, "masterAccountId", m.MasterAccountID, cliAdmin)
	cliEqual(t, r, "tags", len(m.Tags), 2)
	cliEqual(t, r, "tags.Team", m.Tags["Team"], "security")
	cliEqual(t, r, "invitedAt", m.InvitedAt, inv.InvitedAt)
	r.expect(t, cliIsTimestamp(m.UpdatedAt), "updatedAt %q is not a UTC ISO 8601 timestamp", m.UpdatedAt)

	members = cliMembers{}
	r = adminEnv.ok(t, &members, "list-members")
	r.expect(t, members.Members != nil && len(*members.Members) == 0, "default list-members (associated only) is not empty")

	// The member accepts.
	mem.ok(t, nil, "accept-invitation", "--administrator-account-id", cliAdmin, "--invitation-id", inv.InvitationID)

	var adm cliAdministrator
	r = mem.ok(t, &adm, "get-administrator-account")
	r.expect(t, adm.Administrator != nil, "get-administrator-account has no administrator")
	cliEqual(t, r, "administrator.accountId", adm.Administrator.AccountID, cliAdmin)
	cliEqual(t, r, "administrator.invitationId", adm.Administrator.InvitationID, inv.InvitationID)
	cliEqual(t, r, "administrator.relationshipStatus", adm.Administrator.RelationshipStatus, "Enabled")

	count = cliCount{}
	r = mem.ok(t, &count, "get-invitations-count")
	r.expect(t, count.InvitationsCount != nil && *count.InvitationsCount == 0, "invitationsCount is not 0 once the invitation is accepted")

	got = cliMemberOut{}
	r = admin.ok(t, &got, "get-member", "--id", cliMember)
	cliEqual(t, r, "relationshipStatus after accept-invitation", got.RelationshipStatus, "Enabled")

	members = cliMembers{}
	r = admin.ok(t, &members, "list-members")
	r.expect(t, members.Members != nil && len(*members.Members) == 1 && (*members.Members)[0].AccountID == cliMember,
		"default list-members does not show the associated member")

	// The administrator pauses the member's Macie.
	admin.ok(t, nil, "update-member-session", "--id", cliMember, "--status", "PAUSED")
	got = cliMemberOut{}
	r = adminEnv.ok(t, &got, "get-member", "--id", cliMember)
	cliEqual(t, r, "relationshipStatus after update-member-session PAUSED", got.RelationshipStatus, "Paused")
	adm = cliAdministrator{}
	r = memFlag.ok(t, &adm, "get-administrator-account")
	r.expect(t, adm.Administrator != nil, "get-administrator-account has no administrator")
	cliEqual(t, r, "administrator.relationshipStatus", adm.Administrator.RelationshipStatus, "Paused")
	memSession = cliSession{}
	r = mem.ok(t, &memSession, "get-macie-session")
	cliEqual(t, r, "member session status while paused by its administrator", memSession.Status, "PAUSED")

	// An associated member cannot disable Macie.
	mem.fails(t, "ConflictException", "Cannot disable Macie while associated with an administrator account", "disable-macie")

	// The member leaves: the administrator sees it as Resigned.
	mem.ok(t, nil, "disassociate-from-administrator-account")
	adm = cliAdministrator{}
	r = mem.ok(t, &adm, "get-administrator-account")
	r.expect(t, adm.Administrator == nil, "get-administrator-account still shows an administrator after disassociate-from-administrator-account")
	got = cliMemberOut{}
	r = admin.ok(t, &got, "get-member", "--id", cliMember)
	cliEqual(t, r, "relationshipStatus after disassociate-from-administrator-account", got.RelationshipStatus, "Resigned")

	// Tags on the member ARN (the ARN is percent-encoded in the path).
	admin.ok(t, nil, "tag-resource", "--resource-arn", cliMemberARN, "--tags", "Owner=alice,Env=prod")
	var tags cliTags
	r = adminEnv.ok(t, &tags, "list-tags-for-resource", "--resource-arn", cliMemberARN)
	cliEqual(t, r, "number of tags", len(tags.Tags), 3)
	cliEqual(t, r, "tags.Owner", tags.Tags["Owner"], "alice")
	cliEqual(t, r, "tags.Env (overwritten)", tags.Tags["Env"], "prod")
	cliEqual(t, r, "tags.Team", tags.Tags["Team"], "security")
	admin.ok(t, nil, "untag-resource", "--resource-arn", cliMemberARN, "--tag-keys", "Owner", "Env")
	tags = cliTags{}
	r = admin.ok(t, &tags, "list-tags-for-resource", "--resource-arn", cliMemberARN)
	r.expect(t, len(tags.Tags) == 1 && tags.Tags["Team"] == "security", "tags after untag-resource are not {Team: security}")
	got = cliMemberOut{}
	r = admin.ok(t, &got, "get-member", "--id", cliMember)
	r.expect(t, len(got.Tags) == 1 && got.Tags["Team"] == "security", "get-member tags do not follow tag-resource/untag-resource")

	// The administrator deletes the member record.
	adminEnv.ok(t, nil, "delete-member", "--id", cliMember)
	admin.fails(t, "ValidationException", "account is not associated with your account", "get-member", "--id", cliMember)
	members = cliMembers{}
	r = admin.ok(t, &members, "list-members", "--only-associated", "false")
	r.expect(t, members.Members != nil && len(*members.Members) == 0, "list-members --only-associated false still lists the deleted member")

	// Both disable Macie.
	mem.ok(t, nil, "disable-macie")
	admin.ok(t, nil, "disable-macie")
	admin.fails(t, "AccessDeniedException", "Macie is not enabled.", "get-macie-session")
	mem.fails(t, "AccessDeniedException", "Macie is not enabled.", "get-macie-session")
}

// TestAWSCLIMacieNotEnabled checks the error an account that never enabled
// Macie gets, through both ways of giving the endpoint.
func TestAWSCLIMacieNotEnabled(t *testing.T) {
	t.Parallel()
	cli := newAWSCLI(t)
	for _, mode := range []cliEndpointMode{cliViaFlag, cliViaEnv, cliViaGlobalEnv} {
		other := cli.as(cliOther, mode)
		r := other.fails(t, "AccessDeniedException", "Macie is not enabled.", "get-macie-session")
		r.expect(t, regexp.MustCompile(`\(AccessDeniedException\) when calling the GetMacieSession operation: Macie is not enabled\.`).MatchString(r.stderr),
			"stderr is not the CLI's rendering of AccessDeniedException \"Macie is not enabled.\" for GetMacieSession")
		other.fails(t, "AccessDeniedException", "Macie is not enabled.", "list-members")
		other.fails(t, "AccessDeniedException", "Macie is not enabled.", "disable-macie")
	}
}
