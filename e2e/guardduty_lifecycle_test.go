package e2e_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/guardduty/types"
	"github.com/aws/smithy-go"

	"github.com/localsec/localsec/localsectest"
)

// GuardDuty's texts, byte for byte as ../shared/spec/guardduty.md §2.2
// and §2.3 give them.
const (
	// Request-level (HTTP 400) messages, §2.2.
	gdMsgNotOwned          = "The request is rejected because the input detectorId is not owned by the current account."
	gdMsgBadDetectorID     = "The request is rejected because the parameter detectorId has an invalid value."
	gdMsgInvalidValue      = "The request is rejected because an invalid or out-of-range value is specified as an input parameter."
	gdMsgMissingParams     = "The request is rejected because required query or path parameters are not specified."
	gdMsgInvalidParams     = "The request is rejected because one or more input parameters have invalid values."
	gdMsgMaxResultsInvalid = "The request is rejected because the parameter maxResults has an invalid value."
	gdMsgMaxResultsBounds  = "The request is rejected because the parameter maxResults is out-of-bounds."
	gdMsgOnlyAssociated    = "The request is rejected because the parameter onlyAssociated has an invalid value."
	gdMsgDetectorExists    = "The request is rejected because a detector already exists for the current account."
	gdMsgDeleteWithMembers = "The request is rejected because the current account cannot delete detector while it has invited or associated members."
	gdMsgNoInvitation      = "The request is rejected because the current account does not have an invitation from the requested master account."
	gdMsgAcceptWhileMember = "The request is rejected because the current account cannot accept invitations since it is already an associated member of some master account."
	gdMsgAcceptWithMembers = "The request is rejected because the current account cannot accept invitations since it still has created, invited or associated members."
	gdMsgInviterIsMember   = "The request is rejected because the current account cannot accept invitation from the given account ID since the latter is an associated member of another master account."
	gdMsgNoAdministrator   = "The request is rejected because the current account is not associated to a master account."
	gdMsgOrgAdminDisabled  = "The request failed because the delegated administrator account has already been disabled and/or GuardDuty protection has been disabled."
	gdMsgNoOrgPermission   = "The request failed because you do not have required AWS Organization master permission."

	// Per-account unprocessedAccounts[].result strings, §2.3.
	gdResAlreadyMember          = "The request is rejected because the given account ID is already a member or associated member of the current account."
	gdResSelfMember             = "The request is rejected because an account cannot become a member of itself."
	gdResCreateByMember         = "The request is rejected because the current account cannot create members since it is already an associated member of another master account."
	gdResQuota                  = "The request is rejected because the current account cannot create anymore members since it cannot exceed the maximum number of allowed members."
	gdResOrgMasterNoDetector    = "Operation failed because your organization master must first enable GuardDuty to be added as a member"
	gdResAlreadyInvited         = "The request is rejected because the current account has already invited or is already the GuardDuty master of the given member account ID."
	gdResSelfInvite             = "The request is rejected because the current account cannot invite itself."
	gdResEmailMissing           = "The request is rejected because member account's email address is missing."
	gdResInviteByMember         = "The request is rejected because the current account cannot invite other accounts since it is already an associated member of another master account."
	gdResNotAssociated          = "The request is rejected because the given account ID is not an associated member of account the current account."
	gdResStillAssociated        = "The request is rejected because the current account cannot delete the given member account ID since it is still associated to it."
	gdResCannotDeleteInvitation = "The request is rejected because the current account cannot delete the invitation from the given master account ID since it is still associated to it or has not declined their invitation yet."
)

// gdClient returns a GuardDuty client acting as account in the server's
// default region, retries off so that every answer is seen as it is.
func gdClient(srv *localsectest.Server, account string) *guardduty.Client {
	return guardduty.NewFromConfig(srv.AWSConfig(account), func(o *guardduty.Options) {
		o.Retryer = aws.NopRetryer{}
	})
}

// gdClientIn is gdClient in another region.
func gdClientIn(srv *localsectest.Server, account, region string) *guardduty.Client {
	return guardduty.NewFromConfig(srv.AWSConfigIn(account, region), func(o *guardduty.Options) {
		o.Retryer = aws.NopRetryer{}
	})
}

// gdAcct is one account's GuardDuty client and, once created, its detector.
type gdAcct struct {
	id  string
	c   *guardduty.Client
	det string
}

// gdNew returns account's client in the default region, with no detector.
func gdNew(srv *localsectest.Server, account string) *gdAcct {
	return &gdAcct{id: account, c: gdClient(srv, account)}
}

// gdNewIn is gdNew in region.
func gdNewIn(srv *localsectest.Server, account, region string) *gdAcct {
	return &gdAcct{id: account, c: gdClientIn(srv, account, region)}
}

// gdAccounts returns the accounts, each with a detector.
func gdAccounts(t *testing.T, srv *localsectest.Server, accounts ...string) []*gdAcct {
	t.Helper()
	out := make([]*gdAcct, len(accounts))
	for i, account := range accounts {
		out[i] = gdNew(srv, account)
		out[i].createDetector(t)
	}
	return out
}

// createDetector creates the account's detector and remembers its id.
func (a *gdAcct) createDetector(t *testing.T) string {
	t.Helper()
	out := check(a.c.CreateDetector(context.Background(), &guardduty.CreateDetectorInput{Enable: aws.Bool(true)})).ok(t)
	a.det = aws.ToString(out.DetectorId)
	if !invitationIDPattern.MatchString(a.det) {
		t.Fatalf("detector id %q is not 32 lowercase hex characters", a.det)
	}
	return a.det
}

// arn is the account's detector ARN in region.
func (a *gdAcct) arn(region string) string {
	return "arn:aws:guardduty:" + region + ":" + a.id + ":detector/" + a.det
}

// gdWantError checks that err is the AWS error code with the HTTP status
// and exactly the message msg.
func gdWantError(t *testing.T, err error, code string, status int, msg string) {
	t.Helper()
	wantAPIError(t, err, code, status, msg)
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorMessage() != msg {
		t.Fatalf("message = %q, want exactly %q", apiErr.ErrorMessage(), msg)
	}
}

// gdBadRequest checks a 400 BadRequestException with exactly msg.
func gdBadRequest(t *testing.T, err error, msg string) {
	t.Helper()
	gdWantError(t, err, "BadRequestException", 400, msg)
}

// gdWantUnprocessed checks an unprocessedAccounts list: present (even
// when empty), no account twice, and exactly the accounts and results of
// want.
func gdWantUnprocessed(t *testing.T, what string, got []types.UnprocessedAccount, want map[string]string) {
	t.Helper()
	if got == nil {
		t.Fatalf("%s: unprocessedAccounts is absent, want a list (%v)", what, want)
	}
	m := map[string]string{}
	for _, u := range got {
		acct := aws.ToString(u.AccountId)
		if _, dup := m[acct]; dup {
			t.Fatalf("%s: account %s listed twice in unprocessedAccounts", what, acct)
		}
		m[acct] = aws.ToString(u.Result)
	}
	if !maps.Equal(m, want) {
		t.Fatalf("%s: unprocessedAccounts = %v, want %v", what, m, want)
	}
}

// gdNone checks an empty (but present) unprocessedAccounts list.
func gdNone(t *testing.T, what string, got []types.UnprocessedAccount) {
	t.Helper()
	gdWantUnprocessed(t, what, got, map[string]string{})
}

// gdRaw sends a signed GuardDuty request in us-east-1.
func gdRaw(t *testing.T, srv *localsectest.Server, account, method, path, body string) rawResponse {
	t.Helper()
	return rawCall(t, srv, "guardduty", account, "us-east-1", method, path, []byte(body))
}

// gdWantRawError checks a raw error answer: status, X-Amzn-ErrorType,
// the body's __type and exactly the message.
func gdWantRawError(t *testing.T, what string, r rawResponse, status int, exception, typ, msg string) {
	t.Helper()
	if r.Status != status || r.Header.Get("X-Amzn-ErrorType") != exception {
		t.Fatalf("%s: %d %q %s, want %d %s", what, r.Status, r.Header.Get("X-Amzn-ErrorType"), r.Body, status, exception)
	}
	body := r.JSON(t)
	if body["__type"] != typ || body["message"] != msg {
		t.Fatalf("%s: body %s, want __type %q and message %q", what, r.Body, typ, msg)
	}
	if r.Header.Get("Content-Type") != "application/json" || r.Header.Get("x-amzn-RequestId") == "" {
		t.Fatalf("%s: headers %v, want JSON and a request id", what, r.Header)
	}
}

// gdWantRawBadRequest is gdWantRawError for 400 BadRequestException /
// InvalidInputException.
func gdWantRawBadRequest(t *testing.T, what string, r rawResponse, msg string) {
	t.Helper()
	gdWantRawError(t, what, r, 400, "BadRequestException", "InvalidInputException", msg)
}

// gdMembers returns the members ListMembers shows, by account, with
// onlyAssociated as given (nil: the default).
func gdMembers(t *testing.T, a *gdAcct, onlyAssociated *string) map[string]types.Member {
	t.Helper()
	got := map[string]types.Member{}
	p := guardduty.NewListMembersPaginator(a.c, &guardduty.ListMembersInput{DetectorId: aws.String(a.det), OnlyAssociated: onlyAssociated})
	for p.HasMorePages() {
		out := check(p.NextPage(context.Background())).ok(t)
		for _, m := range out.Members {
			got[aws.ToString(m.AccountId)] = m
		}
	}
	return got
}

// gdStatuses is gdMembers reduced to the statuses.
func gdStatuses(t *testing.T, a *gdAcct, onlyAssociated *string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for k, m := range gdMembers(t, a, onlyAssociated) {
		out[k] = aws.ToString(m.RelationshipStatus)
	}
	return out
}

// gdGetMember returns the administrator's record of account through
// GetMembers, failing if the account comes back unprocessed.
func gdGetMember(t *testing.T, a *gdAcct, account string) types.Member {
	t.Helper()
	out := check(a.c.GetMembers(context.Background(), &guardduty.GetMembersInput{DetectorId: aws.String(a.det), AccountIds: []string{account}})).ok(t)
	gdNone(t, "GetMembers "+account, out.UnprocessedAccounts)
	if len(out.Members) != 1 || aws.ToString(out.Members[0].AccountId) != account {
		t.Fatalf("GetMembers %s = %+v, want that one member", account, out.Members)
	}
	return out.Members[0]
}

// gdStatus is the administrator's view of account's relationship status.
func gdStatus(t *testing.T, a *gdAcct, account string) string {
	t.Helper()
	return aws.ToString(gdGetMember(t, a, account).RelationshipStatus)
}

// gdInvitations returns the invitations c received, by sender.
func gdInvitations(t *testing.T, c *guardduty.Client) map[string]types.Invitation {
	t.Helper()
	got := map[string]types.Invitation{}
	p := guardduty.NewListInvitationsPaginator(c, &guardduty.ListInvitationsInput{})
	for p.HasMorePages() {
		out := check(p.NextPage(context.Background())).ok(t)
		for _, inv := range out.Invitations {
			if _, dup := got[aws.ToString(inv.AccountId)]; dup {
				t.Fatalf("two invitations from %s", aws.ToString(inv.AccountId))
			}
			got[aws.ToString(inv.AccountId)] = inv
		}
	}
	return got
}

func gdCount(t *testing.T, c *guardduty.Client) int32 {
	t.Helper()
	out := check(c.GetInvitationsCount(context.Background(), &guardduty.GetInvitationsCountInput{})).ok(t)
	if out.InvitationsCount == nil {
		t.Fatal("GetInvitationsCount without invitationsCount")
	}
	return *out.InvitationsCount
}

// gdAdministrator returns the member's administrator (nil when it has
// none), checking that GetMasterAccount says the same.
func gdAdministrator(t *testing.T, a *gdAcct) *types.Administrator {
	t.Helper()
	ctx := context.Background()
	adm := check(a.c.GetAdministratorAccount(ctx, &guardduty.GetAdministratorAccountInput{DetectorId: aws.String(a.det)})).ok(t).Administrator
	master := check(a.c.GetMasterAccount(ctx, &guardduty.GetMasterAccountInput{DetectorId: aws.String(a.det)})).ok(t).Master
	if (adm == nil) != (master == nil) {
		t.Fatalf("GetAdministratorAccount %+v but GetMasterAccount %+v", adm, master)
	}
	if adm != nil && (aws.ToString(adm.AccountId) != aws.ToString(master.AccountId) ||
		aws.ToString(adm.InvitationId) != aws.ToString(master.InvitationId) ||
		aws.ToString(adm.RelationshipStatus) != aws.ToString(master.RelationshipStatus) ||
		aws.ToString(adm.InvitedAt) != aws.ToString(master.InvitedAt)) {
		t.Fatalf("GetAdministratorAccount %+v differs from GetMasterAccount %+v", *adm, *master)
	}
	return adm
}

// gdInvite adds the accounts to admin's members and invites them.
func gdInvite(t *testing.T, admin *gdAcct, accounts ...string) {
	t.Helper()
	ctx := context.Background()
	details := make([]types.AccountDetail, len(accounts))
	for i, account := range accounts {
		details[i] = types.AccountDetail{AccountId: aws.String(account), Email: aws.String(account + "@example.com")}
	}
	gdNone(t, "CreateMembers", check(admin.c.CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: aws.String(admin.det), AccountDetails: details})).ok(t).UnprocessedAccounts)
	gdNone(t, "InviteMembers", check(admin.c.InviteMembers(ctx, &guardduty.InviteMembersInput{DetectorId: aws.String(admin.det), AccountIds: accounts})).ok(t).UnprocessedAccounts)
}

// gdInvitationID returns the id of the invitation member holds from admin.
func gdInvitationID(t *testing.T, member *gdAcct, admin string) string {
	t.Helper()
	inv, ok := gdInvitations(t, member.c)[admin]
	if !ok {
		t.Fatalf("%s holds no invitation from %s", member.id, admin)
	}
	return aws.ToString(inv.InvitationId)
}

// gdAccept accepts admin's invitation with AcceptAdministratorInvitation.
func gdAccept(t *testing.T, member *gdAcct, admin string) {
	t.Helper()
	id := gdInvitationID(t, member, admin)
	check(member.c.AcceptAdministratorInvitation(context.Background(), &guardduty.AcceptAdministratorInvitationInput{
		DetectorId: aws.String(member.det), AdministratorId: aws.String(admin), InvitationId: aws.String(id),
	})).ok(t)
}

// gdAssociate makes member an Enabled member of admin.
func gdAssociate(t *testing.T, admin, member *gdAcct) {
	t.Helper()
	gdInvite(t, admin, member.id)
	gdAccept(t, member, admin.id)
	if s := gdStatus(t, admin, member.id); s != "Enabled" {
		t.Fatalf("after accepting %s is %s, want Enabled", member.id, s)
	}
}

// gdAccountIDs returns n distinct 12-digit account ids starting with lead.
func gdAccountIDs(lead byte, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%c%011d", lead, i+1)
	}
	return out
}

// gdDetectorStatus returns the account's own detector status.
func gdDetectorStatus(t *testing.T, a *gdAcct) types.DetectorStatus {
	t.Helper()
	return check(a.c.GetDetector(context.Background(), &guardduty.GetDetectorInput{DetectorId: aws.String(a.det)})).ok(t).Status
}

func gdKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestGuardDutyLifecycleTwoAccounts walks spec §10.5 flows 2 and 3 and the
// rest of the administrator/member workflow with two accounts, checking
// both sides after every step.
func TestGuardDutyLifecycleTwoAccounts(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	accts := gdAccounts(t, srv, adminAcct, memberAcct)
	a, b := accts[0], accts[1]
	if a.det == b.det {
		t.Fatal("two accounts got the same detector id")
	}
	for _, x := range accts {
		ids := check(x.c.ListDetectors(ctx, &guardduty.ListDetectorsInput{})).ok(t).DetectorIds
		if len(ids) != 1 || ids[0] != x.det {
			t.Fatalf("%s ListDetectors = %v, want exactly [%s]", x.id, ids, x.det)
		}
	}
	det := aws.String(a.det)

	// CreateMembers: Created, masterId the caller, no invitedAt, no
	// detectorId; the other account sees nothing yet.
	out := check(a.c.CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: det, AccountDetails: []types.AccountDetail{
		{AccountId: aws.String(memberAcct), Email: aws.String("member@example.com")},
	}})).ok(t)
	gdNone(t, "CreateMembers", out.UnprocessedAccounts)
	m := gdGetMember(t, a, memberAcct)
	if aws.ToString(m.RelationshipStatus) != "Created" || m.InvitedAt != nil || m.DetectorId != nil || m.UpdatedAt == nil ||
		aws.ToString(m.MasterId) != adminAcct || aws.ToString(m.AdministratorId) != adminAcct || aws.ToString(m.Email) != "member@example.com" {
		t.Fatalf("member after CreateMembers = %+v", m)
	}
	if got := gdStatuses(t, a, nil); len(got) != 0 {
		t.Fatalf("default ListMembers = %v, want none (only associated members)", got)
	}
	for _, v := range []string{"false", "FALSE", "False"} {
		if got := gdStatuses(t, a, aws.String(v)); len(got) != 1 || got[memberAcct] != "Created" {
			t.Fatalf("ListMembers(onlyAssociated=%s) = %v, want the Created member", v, got)
		}
	}
	if got := gdStatuses(t, a, aws.String("TRUE")); len(got) != 0 {
		t.Fatalf("ListMembers(onlyAssociated=TRUE) = %v, want none", got)
	}
	_, err := a.c.ListMembers(ctx, &guardduty.ListMembersInput{DetectorId: det, OnlyAssociated: aws.String("maybe")})
	gdBadRequest(t, err, gdMsgOnlyAssociated)
	if invs := gdInvitations(t, b.c); len(invs) != 0 || gdCount(t, b.c) != 0 {
		t.Fatalf("the member sees invitations before any was sent: %v", invs)
	}

	// InviteMembers: Invited with invitedAt; the invitee lists exactly one
	// invitation from A, counted; the sender lists none.
	inv := check(a.c.InviteMembers(ctx, &guardduty.InviteMembersInput{
		DetectorId: det, AccountIds: []string{memberAcct}, Message: aws.String(""), DisableEmailNotification: aws.Bool(false),
	})).ok(t)
	gdNone(t, "InviteMembers", inv.UnprocessedAccounts)
	m = gdGetMember(t, a, memberAcct)
	if aws.ToString(m.RelationshipStatus) != "Invited" || m.InvitedAt == nil || aws.ToString(m.Email) != "member@example.com" {
		t.Fatalf("member after InviteMembers = %+v", m)
	}
	received := gdInvitations(t, b.c)
	first, ok := received[adminAcct]
	if !ok || len(received) != 1 || aws.ToString(first.RelationshipStatus) != "Invited" ||
		!invitationIDPattern.MatchString(aws.ToString(first.InvitationId)) || first.InvitedAt == nil {
		t.Fatalf("member's invitations = %+v", received)
	}
	if n := gdCount(t, b.c); n != 1 {
		t.Fatalf("GetInvitationsCount = %d, want 1", n)
	}
	if invs := gdInvitations(t, a.c); len(invs) != 0 {
		t.Fatalf("the administrator lists invitations it sent: %v", invs)
	}
	if adm := gdAdministrator(t, b); adm != nil {
		t.Fatalf("a pending invitation is already the administrator: %+v", *adm)
	}

	// AcceptAdministratorInvitation: Enabled on both sides, the member's
	// detector id in the record, no longer counted.
	check(b.c.AcceptAdministratorInvitation(ctx, &guardduty.AcceptAdministratorInvitationInput{
		DetectorId: aws.String(b.det), AdministratorId: aws.String(adminAcct), InvitationId: first.InvitationId,
	})).ok(t)
	m = gdGetMember(t, a, memberAcct)
	if aws.ToString(m.RelationshipStatus) != "Enabled" || aws.ToString(m.DetectorId) != b.det {
		t.Fatalf("member after accept = %+v, want Enabled with detectorId %s", m, b.det)
	}
	adm := gdAdministrator(t, b)
	if adm == nil || aws.ToString(adm.AccountId) != adminAcct || aws.ToString(adm.RelationshipStatus) != "Enabled" ||
		aws.ToString(adm.InvitationId) != aws.ToString(first.InvitationId) || adm.InvitedAt == nil {
		t.Fatalf("member's administrator = %+v", adm)
	}
	if adm := gdAdministrator(t, a); adm != nil {
		t.Fatalf("the administrator has an administrator: %+v", *adm)
	}
	if n := gdCount(t, b.c); n != 0 {
		t.Fatalf("GetInvitationsCount after accept = %d, want 0", n)
	}
	if listed := gdMembers(t, a, nil); aws.ToString(listed[memberAcct].RelationshipStatus) != "Enabled" || aws.ToString(listed[memberAcct].DetectorId) != b.det {
		t.Fatalf("default ListMembers after accept = %+v", listed)
	}

	// Stop/StartMonitoringMembers: Disabled and back; the member's detector
	// follows; both states are associated.
	gdNone(t, "StopMonitoringMembers", check(a.c.StopMonitoringMembers(ctx, &guardduty.StopMonitoringMembersInput{DetectorId: det, AccountIds: []string{memberAcct}})).ok(t).UnprocessedAccounts)
	if s := gdStatus(t, a, memberAcct); s != "Disabled" {
		t.Fatalf("after StopMonitoringMembers the admin sees %s, want Disabled", s)
	}
	if s := gdDetectorStatus(t, b); s != types.DetectorStatusDisabled {
		t.Fatalf("member's detector after StopMonitoringMembers = %s, want DISABLED", s)
	}
	if got := gdStatuses(t, a, nil); got[memberAcct] != "Disabled" {
		t.Fatalf("a Disabled member must stay in the default ListMembers: %v", got)
	}
	gdNone(t, "StopMonitoringMembers again", check(a.c.StopMonitoringMembers(ctx, &guardduty.StopMonitoringMembersInput{DetectorId: det, AccountIds: []string{memberAcct}})).ok(t).UnprocessedAccounts)
	gdNone(t, "StartMonitoringMembers", check(a.c.StartMonitoringMembers(ctx, &guardduty.StartMonitoringMembersInput{DetectorId: det, AccountIds: []string{memberAcct}})).ok(t).UnprocessedAccounts)
	if s := gdStatus(t, a, memberAcct); s != "Enabled" {
		t.Fatalf("after StartMonitoringMembers the admin sees %s, want Enabled", s)
	}
	if s := gdDetectorStatus(t, b); s != types.DetectorStatusEnabled {
		t.Fatalf("member's detector after StartMonitoringMembers = %s, want ENABLED", s)
	}

	// DisassociateMembers: Removed, email kept; the member has no
	// administrator and no invitation; the old one cannot be accepted.
	gdNone(t, "DisassociateMembers", check(a.c.DisassociateMembers(ctx, &guardduty.DisassociateMembersInput{DetectorId: det, AccountIds: []string{memberAcct}})).ok(t).UnprocessedAccounts)
	m = gdGetMember(t, a, memberAcct)
	if aws.ToString(m.RelationshipStatus) != "Removed" || aws.ToString(m.Email) != "member@example.com" {
		t.Fatalf("member after DisassociateMembers = %+v, want Removed with its email", m)
	}
	if got := gdStatuses(t, a, nil); len(got) != 0 {
		t.Fatalf("default ListMembers lists a Removed member: %v", got)
	}
	if adm := gdAdministrator(t, b); adm != nil {
		t.Fatalf("member still has administrator %+v after DisassociateMembers", *adm)
	}
	if invs := gdInvitations(t, b.c); len(invs) != 0 {
		t.Fatalf("member still lists %v after DisassociateMembers", invs)
	}
	_, err = b.c.AcceptAdministratorInvitation(ctx, &guardduty.AcceptAdministratorInvitationInput{
		DetectorId: aws.String(b.det), AdministratorId: aws.String(adminAcct), InvitationId: first.InvitationId,
	})
	gdBadRequest(t, err, gdMsgNoInvitation)

	// Re-invite without CreateMembers: a new invitation, accepted with the
	// deprecated AcceptInvitation and its masterId.
	gdNone(t, "InviteMembers again", check(a.c.InviteMembers(ctx, &guardduty.InviteMembersInput{DetectorId: det, AccountIds: []string{memberAcct}, DisableEmailNotification: aws.Bool(true)})).ok(t).UnprocessedAccounts)
	if s := gdStatus(t, a, memberAcct); s != "Invited" {
		t.Fatalf("re-invited member is %s, want Invited", s)
	}
	second := gdInvitations(t, b.c)[adminAcct]
	if aws.ToString(second.InvitationId) == aws.ToString(first.InvitationId) || !invitationIDPattern.MatchString(aws.ToString(second.InvitationId)) {
		t.Fatalf("re-invitation = %+v, want a new invitation id", second)
	}
	check(b.c.AcceptInvitation(ctx, &guardduty.AcceptInvitationInput{
		DetectorId: aws.String(b.det), MasterId: aws.String(adminAcct), InvitationId: second.InvitationId,
	})).ok(t)
	if s := gdStatus(t, a, memberAcct); s != "Enabled" {
		t.Fatalf("after AcceptInvitation(masterId) the admin sees %s", s)
	}
	master := check(b.c.GetMasterAccount(ctx, &guardduty.GetMasterAccountInput{DetectorId: aws.String(b.det)})).ok(t).Master
	if master == nil || aws.ToString(master.AccountId) != adminAcct || aws.ToString(master.InvitationId) != aws.ToString(second.InvitationId) {
		t.Fatalf("GetMasterAccount = %+v", master)
	}

	// Guard rails while associated: no DeleteDetector, no DeleteMembers.
	_, err = a.c.DeleteDetector(ctx, &guardduty.DeleteDetectorInput{DetectorId: det})
	gdBadRequest(t, err, gdMsgDeleteWithMembers)
	gdWantUnprocessed(t, "DeleteMembers of an Enabled member",
		check(a.c.DeleteMembers(ctx, &guardduty.DeleteMembersInput{DetectorId: det, AccountIds: []string{memberAcct}})).ok(t).UnprocessedAccounts,
		map[string]string{memberAcct: gdResStillAssociated})

	// The member resigns: Resigned; its invitation is listed and counted
	// again and can be accepted again.
	check(b.c.DisassociateFromAdministratorAccount(ctx, &guardduty.DisassociateFromAdministratorAccountInput{DetectorId: aws.String(b.det)})).ok(t)
	m = gdGetMember(t, a, memberAcct)
	if aws.ToString(m.RelationshipStatus) != "Resigned" || aws.ToString(m.Email) != "member@example.com" {
		t.Fatalf("member after resigning = %+v, want Resigned with its email", m)
	}
	if adm := gdAdministrator(t, b); adm != nil {
		t.Fatalf("member still has administrator %+v after resigning", *adm)
	}
	again := gdInvitations(t, b.c)
	if inv, ok := again[adminAcct]; !ok || len(again) != 1 || aws.ToString(inv.InvitationId) != aws.ToString(second.InvitationId) || aws.ToString(inv.RelationshipStatus) != "Invited" {
		t.Fatalf("member's invitations after resigning = %+v, want A's, Invited", again)
	}
	if n := gdCount(t, b.c); n != 1 {
		t.Fatalf("GetInvitationsCount after resigning = %d, want 1", n)
	}
	check(b.c.AcceptAdministratorInvitation(ctx, &guardduty.AcceptAdministratorInvitationInput{
		DetectorId: aws.String(b.det), AdministratorId: aws.String(adminAcct), InvitationId: second.InvitationId,
	})).ok(t)
	if s := gdStatus(t, a, memberAcct); s != "Enabled" {
		t.Fatalf("after re-accepting the admin sees %s", s)
	}

	// The deprecated DisassociateFromMasterAccount does the same; a second
	// one has nothing to leave.
	check(b.c.DisassociateFromMasterAccount(ctx, &guardduty.DisassociateFromMasterAccountInput{DetectorId: aws.String(b.det)})).ok(t)
	if s := gdStatus(t, a, memberAcct); s != "Resigned" {
		t.Fatalf("after DisassociateFromMasterAccount the admin sees %s, want Resigned", s)
	}
	_, err = b.c.DisassociateFromMasterAccount(ctx, &guardduty.DisassociateFromMasterAccountInput{DetectorId: aws.String(b.det)})
	gdBadRequest(t, err, gdMsgNoAdministrator)
	_, err = b.c.DisassociateFromAdministratorAccount(ctx, &guardduty.DisassociateFromAdministratorAccountInput{DetectorId: aws.String(b.det)})
	gdBadRequest(t, err, gdMsgNoAdministrator)

	// DeleteInvitations only after declining; declining hides the
	// invitation; the administrator's record does not change.
	gdWantUnprocessed(t, "DeleteInvitations before declining",
		check(b.c.DeleteInvitations(ctx, &guardduty.DeleteInvitationsInput{AccountIds: []string{adminAcct}})).ok(t).UnprocessedAccounts,
		map[string]string{adminAcct: gdResCannotDeleteInvitation})
	gdNone(t, "DeclineInvitations", check(b.c.DeclineInvitations(ctx, &guardduty.DeclineInvitationsInput{AccountIds: []string{adminAcct}})).ok(t).UnprocessedAccounts)
	if invs := gdInvitations(t, b.c); len(invs) != 0 || gdCount(t, b.c) != 0 {
		t.Fatalf("a declined invitation is still listed or counted: %v", invs)
	}
	if s := gdStatus(t, a, memberAcct); s != "Resigned" {
		t.Fatalf("declining changed the admin's record to %s", s)
	}
	gdNone(t, "DeleteInvitations after declining", check(b.c.DeleteInvitations(ctx, &guardduty.DeleteInvitationsInput{AccountIds: []string{adminAcct}})).ok(t).UnprocessedAccounts)
	_, err = b.c.AcceptAdministratorInvitation(ctx, &guardduty.AcceptAdministratorInvitationInput{
		DetectorId: aws.String(b.det), AdministratorId: aws.String(adminAcct), InvitationId: second.InvitationId,
	})
	gdBadRequest(t, err, gdMsgNoInvitation)

	// DeleteMembers removes the record: GetMembers reports it unprocessed.
	gdNone(t, "DeleteMembers", check(a.c.DeleteMembers(ctx, &guardduty.DeleteMembersInput{DetectorId: det, AccountIds: []string{memberAcct}})).ok(t).UnprocessedAccounts)
	gm := check(a.c.GetMembers(ctx, &guardduty.GetMembersInput{DetectorId: det, AccountIds: []string{memberAcct}})).ok(t)
	if gm.Members == nil || len(gm.Members) != 0 {
		t.Fatalf("GetMembers after DeleteMembers: members = %+v, want []", gm.Members)
	}
	gdWantUnprocessed(t, "GetMembers after DeleteMembers", gm.UnprocessedAccounts, map[string]string{memberAcct: gdResNotAssociated})

	// Both detectors go; every detector call then says not owned.
	check(a.c.DeleteDetector(ctx, &guardduty.DeleteDetectorInput{DetectorId: det})).ok(t)
	check(b.c.DeleteDetector(ctx, &guardduty.DeleteDetectorInput{DetectorId: aws.String(b.det)})).ok(t)
	gdWantNotOwnedEverywhere(t, a)
	gdWantNotOwnedEverywhere(t, b)
	if ids := check(a.c.ListDetectors(ctx, &guardduty.ListDetectorsInput{})).ok(t).DetectorIds; ids == nil || len(ids) != 0 {
		t.Fatalf("ListDetectors after DeleteDetector = %v, want []", ids)
	}
}

// gdWantNotOwnedEverywhere checks that every operation on a's detector
// (deleted, or never a's) answers 400 with the not-owned message.
func gdWantNotOwnedEverywhere(t *testing.T, a *gdAcct) {
	t.Helper()
	ctx := context.Background()
	det := aws.String(a.det)
	ids := []string{thirdAcct}
	calls := map[string]func() error{
		"GetDetector": func() error { _, err := a.c.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: det}); return err },
		"UpdateDetector": func() error {
			_, err := a.c.UpdateDetector(ctx, &guardduty.UpdateDetectorInput{DetectorId: det, Enable: aws.Bool(true)})
			return err
		},
		"DeleteDetector": func() error {
			_, err := a.c.DeleteDetector(ctx, &guardduty.DeleteDetectorInput{DetectorId: det})
			return err
		},
		"CreateMembers": func() error {
			_, err := a.c.CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: det, AccountDetails: []types.AccountDetail{{AccountId: aws.String(thirdAcct), Email: aws.String("c@example.com")}}})
			return err
		},
		"ListMembers": func() error { _, err := a.c.ListMembers(ctx, &guardduty.ListMembersInput{DetectorId: det}); return err },
		"GetMembers": func() error {
			_, err := a.c.GetMembers(ctx, &guardduty.GetMembersInput{DetectorId: det, AccountIds: ids})
			return err
		},
		"InviteMembers": func() error {
			_, err := a.c.InviteMembers(ctx, &guardduty.InviteMembersInput{DetectorId: det, AccountIds: ids})
			return err
		},
		"DeleteMembers": func() error {
			_, err := a.c.DeleteMembers(ctx, &guardduty.DeleteMembersInput{DetectorId: det, AccountIds: ids})
			return err
		},
		"DisassociateMembers": func() error {
			_, err := a.c.DisassociateMembers(ctx, &guardduty.DisassociateMembersInput{DetectorId: det, AccountIds: ids})
			return err
		},
		"StartMonitoringMembers": func() error {
			_, err := a.c.StartMonitoringMembers(ctx, &guardduty.StartMonitoringMembersInput{DetectorId: det, AccountIds: ids})
			return err
		},
		"StopMonitoringMembers": func() error {
			_, err := a.c.StopMonitoringMembers(ctx, &guardduty.StopMonitoringMembersInput{DetectorId: det, AccountIds: ids})
			return err
		},
		"GetMemberDetectors": func() error {
			_, err := a.c.GetMemberDetectors(ctx, &guardduty.GetMemberDetectorsInput{DetectorId: det, AccountIds: ids})
			return err
		},
		"UpdateMemberDetectors": func() error {
			_, err := a.c.UpdateMemberDetectors(ctx, &guardduty.UpdateMemberDetectorsInput{DetectorId: det, AccountIds: ids})
			return err
		},
		"AcceptAdministratorInvitation": func() error {
			_, err := a.c.AcceptAdministratorInvitation(ctx, &guardduty.AcceptAdministratorInvitationInput{DetectorId: det, AdministratorId: aws.String(thirdAcct), InvitationId: aws.String(a.det)})
			return err
		},
		"AcceptInvitation": func() error {
			_, err := a.c.AcceptInvitation(ctx, &guardduty.AcceptInvitationInput{DetectorId: det, MasterId: aws.String(thirdAcct), InvitationId: aws.String(a.det)})
			return err
		},
		"GetAdministratorAccount": func() error {
			_, err := a.c.GetAdministratorAccount(ctx, &guardduty.GetAdministratorAccountInput{DetectorId: det})
			return err
		},
		"GetMasterAccount": func() error {
			_, err := a.c.GetMasterAccount(ctx, &guardduty.GetMasterAccountInput{DetectorId: det})
			return err
		},
		"DisassociateFromAdministratorAccount": func() error {
			_, err := a.c.DisassociateFromAdministratorAccount(ctx, &guardduty.DisassociateFromAdministratorAccountInput{DetectorId: det})
			return err
		},
		"DisassociateFromMasterAccount": func() error {
			_, err := a.c.DisassociateFromMasterAccount(ctx, &guardduty.DisassociateFromMasterAccountInput{DetectorId: det})
			return err
		},
		"DescribeOrganizationConfiguration": func() error {
			_, err := a.c.DescribeOrganizationConfiguration(ctx, &guardduty.DescribeOrganizationConfigurationInput{DetectorId: det})
			return err
		},
		"UpdateOrganizationConfiguration": func() error {
			_, err := a.c.UpdateOrganizationConfiguration(ctx, &guardduty.UpdateOrganizationConfigurationInput{DetectorId: det, AutoEnable: aws.Bool(true)})
			return err
		},
	}
	for _, name := range gdKeys(calls) {
		t.Run(a.id+"/"+name, func(t *testing.T) { gdBadRequest(t, calls[name](), gdMsgNotOwned) })
	}
}

// TestGuardDutyTerraformInviteFlow is spec §10.5 flow 1: the call
// sequence of aws_guardduty_member and aws_guardduty_invite_accepter, with
// the deprecated "master" trio, then their destroy.
func TestGuardDutyTerraformInviteFlow(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	accts := gdAccounts(t, srv, adminAcct, memberAcct)
	a, b := accts[0], accts[1]

	gdNone(t, "CreateMembers", check(a.c.CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: aws.String(a.det), AccountDetails: []types.AccountDetail{
		{AccountId: aws.String(memberAcct), Email: aws.String("required@example.com")},
	}})).ok(t).UnprocessedAccounts)
	gdNone(t, "InviteMembers", check(a.c.InviteMembers(ctx, &guardduty.InviteMembersInput{
		DetectorId: aws.String(a.det), AccountIds: []string{memberAcct}, Message: aws.String(""), DisableEmailNotification: aws.Bool(true),
	})).ok(t).UnprocessedAccounts)
	if s := gdStatus(t, a, memberAcct); s != "Invited" {
		t.Fatalf("member = %s, want Invited (Terraform's target state)", s)
	}
	// The accepter pages ListInvitations and needs exactly one from A.
	var matches []types.Invitation
	p := guardduty.NewListInvitationsPaginator(b.c, &guardduty.ListInvitationsInput{})
	for p.HasMorePages() {
		for _, inv := range check(p.NextPage(ctx)).ok(t).Invitations {
			if aws.ToString(inv.AccountId) == adminAcct {
				matches = append(matches, inv)
			}
		}
	}
	if len(matches) != 1 {
		t.Fatalf("invitations from A = %+v, want exactly one", matches)
	}
	check(b.c.AcceptInvitation(ctx, &guardduty.AcceptInvitationInput{
		DetectorId: aws.String(b.det), MasterId: aws.String(adminAcct), InvitationId: matches[0].InvitationId,
	})).ok(t)
	master := check(b.c.GetMasterAccount(ctx, &guardduty.GetMasterAccountInput{DetectorId: aws.String(b.det)})).ok(t).Master
	if master == nil || aws.ToString(master.AccountId) != adminAcct || aws.ToString(master.RelationshipStatus) != "Enabled" {
		t.Fatalf("GetMasterAccount = %+v, want A Enabled", master)
	}
	if m := gdGetMember(t, a, memberAcct); aws.ToString(m.RelationshipStatus) != "Enabled" || aws.ToString(m.DetectorId) != b.det {
		t.Fatalf("member = %+v, want Enabled with B's detector", m)
	}

	// Destroy.
	check(b.c.DisassociateFromMasterAccount(ctx, &guardduty.DisassociateFromMasterAccountInput{DetectorId: aws.String(b.det)})).ok(t)
	gdNone(t, "DeleteMembers", check(a.c.DeleteMembers(ctx, &guardduty.DeleteMembersInput{DetectorId: aws.String(a.det), AccountIds: []string{memberAcct}})).ok(t).UnprocessedAccounts)
	check(a.c.DeleteDetector(ctx, &guardduty.DeleteDetectorInput{DetectorId: aws.String(a.det)})).ok(t)
	check(b.c.DeleteDetector(ctx, &guardduty.DeleteDetectorInput{DetectorId: aws.String(b.det)})).ok(t)
	_, err := a.c.GetMembers(ctx, &guardduty.GetMembersInput{DetectorId: aws.String(a.det), AccountIds: []string{memberAcct}})
	gdBadRequest(t, err, gdMsgNotOwned)
	_, err = b.c.GetMasterAccount(ctx, &guardduty.GetMasterAccountInput{DetectorId: aws.String(b.det)})
	gdBadRequest(t, err, gdMsgNotOwned)
	_, err = a.c.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String(a.det)})
	gdBadRequest(t, err, gdMsgNotOwned)
}

// TestGuardDutyThreeAccounts: one administrator, one member that accepts,
// one that declines and deletes; member-side refusals; member detectors.
func TestGuardDutyThreeAccounts(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	accts := gdAccounts(t, srv, adminAcct, memberAcct, thirdAcct)
	a, b, c := accts[0], accts[1], accts[2]
	det := aws.String(a.det)

	gdInvite(t, a, memberAcct, thirdAcct)
	bID, cID := gdInvitationID(t, b, adminAcct), gdInvitationID(t, c, adminAcct)
	if bID == cID {
		t.Fatal("two members got the same invitation id")
	}
	// C cannot use B's invitation id.
	_, err := c.c.AcceptAdministratorInvitation(ctx, &guardduty.AcceptAdministratorInvitationInput{DetectorId: aws.String(c.det), AdministratorId: aws.String(adminAcct), InvitationId: aws.String(bID)})
	gdBadRequest(t, err, gdMsgNoInvitation)

	gdAccept(t, b, adminAcct)
	gdNone(t, "DeclineInvitations", check(c.c.DeclineInvitations(ctx, &guardduty.DeclineInvitationsInput{AccountIds: []string{adminAcct}})).ok(t).UnprocessedAccounts)
	if invs := gdInvitations(t, c.c); len(invs) != 0 || gdCount(t, c.c) != 0 {
		t.Fatalf("C's declined invitation is listed or counted: %v", invs)
	}
	if all := gdStatuses(t, a, aws.String("false")); len(all) != 2 || all[memberAcct] != "Enabled" || all[thirdAcct] != "Invited" {
		t.Fatalf("admin's members = %v, want B Enabled and C Invited (a decline changes nothing)", all)
	}
	if assoc := gdStatuses(t, a, nil); len(assoc) != 1 || assoc[memberAcct] != "Enabled" {
		t.Fatalf("associated members = %v, want only B", assoc)
	}
	// The administrator cannot delete its detector with an Enabled and an
	// Invited member.
	_, err = a.c.DeleteDetector(ctx, &guardduty.DeleteDetectorInput{DetectorId: det})
	gdBadRequest(t, err, gdMsgDeleteWithMembers)

	// Members have no members, and a member cannot make any.
	if got := gdStatuses(t, b, aws.String("false")); len(got) != 0 {
		t.Fatalf("B lists members %v", got)
	}
	gdWantUnprocessed(t, "CreateMembers by a member",
		check(b.c.CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: aws.String(b.det), AccountDetails: []types.AccountDetail{{AccountId: aws.String(thirdAcct), Email: aws.String("c@example.com")}}})).ok(t).UnprocessedAccounts,
		map[string]string{thirdAcct: gdResCreateByMember})
	gdWantUnprocessed(t, "InviteMembers by a member",
		check(b.c.InviteMembers(ctx, &guardduty.InviteMembersInput{DetectorId: aws.String(b.det), AccountIds: []string{thirdAcct}})).ok(t).UnprocessedAccounts,
		map[string]string{thirdAcct: gdResInviteByMember})

	// C invites B: B, associated with A, cannot accept.
	gdInvite(t, c, memberAcct)
	if invs := gdInvitations(t, b.c); len(invs) != 1 || invs[thirdAcct].InvitationId == nil {
		t.Fatalf("B's invitations = %v, want only C's (A's is accepted)", invs)
	}
	if n := gdCount(t, b.c); n != 1 {
		t.Fatalf("B's count = %d, want 1 (C's; not the accepted one)", n)
	}
	_, err = b.c.AcceptAdministratorInvitation(ctx, &guardduty.AcceptAdministratorInvitationInput{DetectorId: aws.String(b.det), AdministratorId: aws.String(thirdAcct), InvitationId: aws.String(gdInvitationID(t, b, thirdAcct))})
	gdBadRequest(t, err, gdMsgAcceptWhileMember)
	if adm := gdAdministrator(t, b); adm == nil || aws.ToString(adm.AccountId) != adminAcct {
		t.Fatalf("a refused accept changed B's administrator to %+v", adm)
	}
	// C now has an invited member: it cannot accept A's invitation either
	// (it declined it, but still holds it).
	_, err = c.c.AcceptAdministratorInvitation(ctx, &guardduty.AcceptAdministratorInvitationInput{DetectorId: aws.String(c.det), AdministratorId: aws.String(adminAcct), InvitationId: aws.String(cID)})
	gdBadRequest(t, err, gdMsgAcceptWithMembers)

	// C deletes the declined invitation: gone for good.
	gdWantUnprocessed(t, "DeleteInvitations",
		check(c.c.DeleteInvitations(ctx, &guardduty.DeleteInvitationsInput{AccountIds: []string{adminAcct, fourthAcct}})).ok(t).UnprocessedAccounts,
		map[string]string{fourthAcct: gdMsgNoInvitation})
	gdNone(t, "C drops B", check(c.c.DeleteMembers(ctx, &guardduty.DeleteMembersInput{DetectorId: aws.String(c.det), AccountIds: []string{memberAcct}})).ok(t).UnprocessedAccounts)
	if invs := gdInvitations(t, b.c); len(invs) != 0 {
		t.Fatalf("deleting an Invited member must withdraw its invitation: B lists %v", invs)
	}
	_, err = c.c.AcceptAdministratorInvitation(ctx, &guardduty.AcceptAdministratorInvitationInput{DetectorId: aws.String(c.det), AdministratorId: aws.String(adminAcct), InvitationId: aws.String(cID)})
	gdBadRequest(t, err, gdMsgNoInvitation)

	// GetMemberDetectors: B only; C (Invited) and D (unknown) unprocessed.
	gmd := check(a.c.GetMemberDetectors(ctx, &guardduty.GetMemberDetectorsInput{DetectorId: det, AccountIds: []string{memberAcct, thirdAcct, fourthAcct}})).ok(t)
	gdWantUnprocessed(t, "GetMemberDetectors", gmd.UnprocessedAccounts, map[string]string{thirdAcct: gdResNotAssociated, fourthAcct: gdResNotAssociated})
	if len(gmd.MemberDataSourceConfigurations) != 1 || aws.ToString(gmd.MemberDataSourceConfigurations[0].AccountId) != memberAcct {
		t.Fatalf("GetMemberDetectors members = %+v, want B only", gmd.MemberDataSourceConfigurations)
	}
	bCfg := gmd.MemberDataSourceConfigurations[0]
	if bCfg.DataSources == nil || bCfg.DataSources.S3Logs == nil || bCfg.DataSources.S3Logs.Status != types.DataSourceStatusEnabled {
		t.Fatalf("B's data sources = %+v", bCfg.DataSources)
	}
	seen := map[types.OrgFeature]int{}
	for _, f := range bCfg.Features {
		seen[f.Name]++
		switch f.Name {
		case "CLOUD_TRAIL", "DNS_LOGS", "FLOW_LOGS":
			t.Errorf("member detector feature %s is not an OrgFeature", f.Name)
		}
	}
	for _, name := range types.OrgFeature("").Values() {
		if seen[name] != 1 {
			t.Errorf("member detector lists feature %s %d times, want once", name, seen[name])
		}
	}

	// UpdateMemberDetectors: B changes (its own GetDetector shows it), C is
	// unprocessed.
	gdWantUnprocessed(t, "UpdateMemberDetectors",
		check(a.c.UpdateMemberDetectors(ctx, &guardduty.UpdateMemberDetectorsInput{
			DetectorId: det, AccountIds: []string{memberAcct, thirdAcct},
			Features: []types.MemberFeaturesConfiguration{{Name: types.OrgFeatureS3DataEvents, Status: types.FeatureStatusDisabled}},
		})).ok(t).UnprocessedAccounts,
		map[string]string{thirdAcct: gdResNotAssociated})
	bDet := check(b.c.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String(b.det)})).ok(t)
	if bDet.DataSources.S3Logs.Status != types.DataSourceStatusDisabled || gdFeature(t, bDet.Features, "S3_DATA_EVENTS").Status != types.FeatureStatusDisabled {
		t.Fatalf("B's detector after UpdateMemberDetectors: s3Logs %s", bDet.DataSources.S3Logs.Status)
	}
	if gdFeature(t, bDet.Features, "EKS_AUDIT_LOGS").Status != types.FeatureStatusEnabled {
		t.Fatal("UpdateMemberDetectors changed a feature it did not name")
	}
	gmd = check(a.c.GetMemberDetectors(ctx, &guardduty.GetMemberDetectorsInput{DetectorId: det, AccountIds: []string{memberAcct}})).ok(t)
	gdNone(t, "GetMemberDetectors B", gmd.UnprocessedAccounts)
	if len(gmd.MemberDataSourceConfigurations) != 1 || gmd.MemberDataSourceConfigurations[0].DataSources.S3Logs.Status != types.DataSourceStatusDisabled {
		t.Fatalf("GetMemberDetectors after the update = %+v", gmd.MemberDataSourceConfigurations)
	}
	_, err = a.c.UpdateMemberDetectors(ctx, &guardduty.UpdateMemberDetectorsInput{
		DetectorId: det, AccountIds: []string{memberAcct},
		Features: []types.MemberFeaturesConfiguration{{Name: types.OrgFeatureEksRuntimeMonitoring, Status: types.FeatureStatusEnabled}, {Name: types.OrgFeatureRuntimeMonitoring, Status: types.FeatureStatusEnabled}},
	})
	gdBadRequest(t, err, gdMsgInvalidValue)
	// After B resigns, its detector is no longer A's to read.
	check(b.c.DisassociateFromAdministratorAccount(ctx, &guardduty.DisassociateFromAdministratorAccountInput{DetectorId: aws.String(b.det)})).ok(t)
	gmd = check(a.c.GetMemberDetectors(ctx, &guardduty.GetMemberDetectorsInput{DetectorId: det, AccountIds: []string{memberAcct}})).ok(t)
	gdWantUnprocessed(t, "GetMemberDetectors of a Resigned member", gmd.UnprocessedAccounts, map[string]string{memberAcct: gdResNotAssociated})
}

// gdFeature returns the one feature named name, failing unless there is
// exactly one.
func gdFeature(t *testing.T, features []types.DetectorFeatureConfigurationResult, name string) types.DetectorFeatureConfigurationResult {
	t.Helper()
	var found []types.DetectorFeatureConfigurationResult
	for _, f := range features {
		if string(f.Name) == name {
			found = append(found, f)
		}
	}
	if len(found) != 1 {
		t.Fatalf("feature %s appears %d times, want once", name, len(found))
	}
	return found[0]
}
