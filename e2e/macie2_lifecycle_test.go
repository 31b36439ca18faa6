package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/macie2"
	"github.com/aws/aws-sdk-go-v2/service/macie2/types"

	"github.com/localsec/localsec/localsectest"
)

// memberStatus returns the administrator's view of account's status
// through GetMember.
func memberStatus(t *testing.T, admin *macie2.Client, account string) types.RelationshipStatus {
	t.Helper()
	out := check(admin.GetMember(context.Background(), &macie2.GetMemberInput{Id: aws.String(account)})).ok(t)
	return out.RelationshipStatus
}

// listedMembers returns the accounts ListMembers shows, with onlyAssociated
// as given (nil: the default).
func listedMembers(t *testing.T, admin *macie2.Client, onlyAssociated *string) map[string]types.RelationshipStatus {
	t.Helper()
	got := map[string]types.RelationshipStatus{}
	p := macie2.NewListMembersPaginator(admin, &macie2.ListMembersInput{OnlyAssociated: onlyAssociated})
	for p.HasMorePages() {
		out := check(p.NextPage(context.Background())).ok(t)
		for _, m := range out.Members {
			got[aws.ToString(m.AccountId)] = m.RelationshipStatus
		}
	}
	return got
}

// receivedInvitations returns the member's invitations by sender.
func receivedInvitations(t *testing.T, member *macie2.Client) map[string]types.Invitation {
	t.Helper()
	got := map[string]types.Invitation{}
	p := macie2.NewListInvitationsPaginator(member, &macie2.ListInvitationsInput{})
	for p.HasMorePages() {
		out := check(p.NextPage(context.Background())).ok(t)
		for _, inv := range out.Invitations {
			got[aws.ToString(inv.AccountId)] = inv
		}
	}
	return got
}

func invitationsCount(t *testing.T, member *macie2.Client) int64 {
	t.Helper()
	return aws.ToInt64(check(member.GetInvitationsCount(context.Background(), &macie2.GetInvitationsCountInput{})).ok(t).InvitationsCount)
}

// administratorOf returns the member's administrator account and status,
// or "" when it has none.
func administratorOf(t *testing.T, member *macie2.Client) (string, types.RelationshipStatus) {
	t.Helper()
	out := check(member.GetAdministratorAccount(context.Background(), &macie2.GetAdministratorAccountInput{})).ok(t)
	if out.Administrator == nil {
		return "", ""
	}
	return aws.ToString(out.Administrator.AccountId), out.Administrator.RelationshipStatus
}

// TestMacieLifecycleTwoAccounts walks the whole administrator/member
// workflow with the Go SDK, checking both sides after every step.
func TestMacieLifecycleTwoAccounts(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	admin, member := macieClient(srv, adminAcct), macieClient(srv, memberAcct)
	enable(t, srv, adminAcct, memberAcct)
	all := aws.String("false")

	// The administrator adds the member: Created, visible only with
	// onlyAssociated=false, nothing on the member's side yet.
	created := check(admin.CreateMember(ctx, &macie2.CreateMemberInput{
		Account: &types.AccountDetail{AccountId: aws.String(memberAcct), Email: aws.String("member@example.com")},
		Tags:    map[string]string{"team": "blue"},
	})).ok(t)
	if want := "arn:aws:macie2:us-east-1:" + adminAcct + ":member/" + memberAcct; aws.ToString(created.Arn) != want {
		t.Fatalf("CreateMember arn = %q, want %q", aws.ToString(created.Arn), want)
	}
	got := check(admin.GetMember(ctx, &macie2.GetMemberInput{Id: aws.String(memberAcct)})).ok(t)
	if got.RelationshipStatus != types.RelationshipStatusCreated || got.InvitedAt != nil || got.UpdatedAt == nil ||
		aws.ToString(got.AdministratorAccountId) != adminAcct || aws.ToString(got.MasterAccountId) != adminAcct ||
		aws.ToString(got.Email) != "member@example.com" || got.Tags["team"] != "blue" {
		t.Fatalf("GetMember after CreateMember = %+v", got)
	}
	if m := listedMembers(t, admin, nil); len(m) != 0 {
		t.Fatalf("default ListMembers = %v, want none (only associated members)", m)
	}
	if m := listedMembers(t, admin, all); m[memberAcct] != types.RelationshipStatusCreated {
		t.Fatalf("ListMembers(onlyAssociated=false) = %v, want Created", m)
	}
	if invs := receivedInvitations(t, member); len(invs) != 0 {
		t.Fatalf("member sees invitations before any was sent: %v", invs)
	}

	// Invite: Invited on both sides, counted.
	inv := check(admin.CreateInvitations(ctx, &macie2.CreateInvitationsInput{
		AccountIds: []string{memberAcct}, Message: aws.String("Join my Macie organization please"),
	})).ok(t)
	if inv.UnprocessedAccounts == nil || len(inv.UnprocessedAccounts) != 0 {
		t.Fatalf("CreateInvitations unprocessed = %v, want an empty list", inv.UnprocessedAccounts)
	}
	if s := memberStatus(t, admin, memberAcct); s != types.RelationshipStatusInvited {
		t.Fatalf("admin sees %s after invite, want Invited", s)
	}
	received := receivedInvitations(t, member)
	first, ok := received[adminAcct]
	if !ok || first.RelationshipStatus != types.RelationshipStatusInvited || !invitationIDPattern.MatchString(aws.ToString(first.InvitationId)) || first.InvitedAt == nil {
		t.Fatalf("member's invitations = %+v", received)
	}
	if n := invitationsCount(t, member); n != 1 {
		t.Fatalf("GetInvitationsCount = %d, want 1", n)
	}
	if invs := receivedInvitations(t, admin); len(invs) != 0 {
		t.Fatalf("the administrator lists invitations it sent: %v (ListInvitations is for received ones)", invs)
	}

	// Accept: Enabled on both sides; the accepted invitation no longer counts.
	check(member.AcceptInvitation(ctx, &macie2.AcceptInvitationInput{
		AdministratorAccountId: aws.String(adminAcct), InvitationId: first.InvitationId,
	})).ok(t)
	if s := memberStatus(t, admin, memberAcct); s != types.RelationshipStatusEnabled {
		t.Fatalf("admin sees %s after accept, want Enabled", s)
	}
	if a, s := administratorOf(t, member); a != adminAcct || s != types.RelationshipStatusEnabled {
		t.Fatalf("member's administrator = %q %s, want %s Enabled", a, s, adminAcct)
	}
	master := check(member.GetMasterAccount(ctx, &macie2.GetMasterAccountInput{})).ok(t)
	if master.Master == nil || aws.ToString(master.Master.InvitationId) != aws.ToString(first.InvitationId) {
		t.Fatalf("GetMasterAccount = %+v", master.Master)
	}
	if n := invitationsCount(t, member); n != 0 {
		t.Fatalf("GetInvitationsCount after accept = %d, want 0", n)
	}
	if m := listedMembers(t, admin, nil); m[memberAcct] != types.RelationshipStatusEnabled {
		t.Fatalf("default ListMembers after accept = %v", m)
	}

	// Pause and resume: Paused is still associated; the member's session follows.
	check(admin.UpdateMemberSession(ctx, &macie2.UpdateMemberSessionInput{Id: aws.String(memberAcct), Status: types.MacieStatusPaused})).ok(t)
	if s := memberStatus(t, admin, memberAcct); s != types.RelationshipStatusPaused {
		t.Fatalf("after PAUSED admin sees %s", s)
	}
	if sess := check(member.GetMacieSession(ctx, &macie2.GetMacieSessionInput{})).ok(t); sess.Status != types.MacieStatusPaused {
		t.Fatalf("member's session after pause = %s, want PAUSED", sess.Status)
	}
	if m := listedMembers(t, admin, nil); m[memberAcct] != types.RelationshipStatusPaused {
		t.Fatalf("a paused member must stay in the default ListMembers: %v", m)
	}
	check(admin.UpdateMemberSession(ctx, &macie2.UpdateMemberSessionInput{Id: aws.String(memberAcct), Status: types.MacieStatusEnabled})).ok(t)
	if s := memberStatus(t, admin, memberAcct); s != types.RelationshipStatusEnabled {
		t.Fatalf("after ENABLED admin sees %s", s)
	}

	// The administrator disassociates: Removed, record kept, the member has
	// no administrator and cannot re-accept the old invitation.
	check(admin.DisassociateMember(ctx, &macie2.DisassociateMemberInput{Id: aws.String(memberAcct)})).ok(t)
	if s := memberStatus(t, admin, memberAcct); s != types.RelationshipStatusRemoved {
		t.Fatalf("after DisassociateMember admin sees %s, want Removed", s)
	}
	if a, _ := administratorOf(t, member); a != "" {
		t.Fatalf("member still has administrator %s after DisassociateMember", a)
	}
	_, err := member.AcceptInvitation(ctx, &macie2.AcceptInvitationInput{AdministratorAccountId: aws.String(adminAcct), InvitationId: first.InvitationId})
	wantAPIError(t, err, "ValidationException", 400, "has no pending invitation from the given master account ID")

	// Re-invite without CreateMember: a new invitation id.
	check(admin.CreateInvitations(ctx, &macie2.CreateInvitationsInput{AccountIds: []string{memberAcct}, DisableEmailNotification: aws.Bool(true)})).ok(t)
	second := receivedInvitations(t, member)[adminAcct]
	if aws.ToString(second.InvitationId) == aws.ToString(first.InvitationId) || second.RelationshipStatus != types.RelationshipStatusInvited {
		t.Fatalf("re-invitation = %+v, want a new id and Invited", second)
	}
	check(member.AcceptInvitation(ctx, &macie2.AcceptInvitationInput{MasterAccount: aws.String(adminAcct), InvitationId: second.InvitationId})).ok(t)
	if s := memberStatus(t, admin, memberAcct); s != types.RelationshipStatusEnabled {
		t.Fatalf("after accept via masterAccount admin sees %s", s)
	}

	// The member cannot disable Macie while associated.
	_, err = member.DisableMacie(ctx, &macie2.DisableMacieInput{})
	wantAPIError(t, err, "ConflictException", 409, "Cannot disable Macie while associated with an administrator account")
	// The administrator cannot either while it has associated members.
	_, err = admin.DisableMacie(ctx, &macie2.DisableMacieInput{})
	wantAPIError(t, err, "ConflictException", 409, "member accounts are associated with your account")

	// The member resigns: Resigned; it re-accepts the standing invitation.
	check(member.DisassociateFromAdministratorAccount(ctx, &macie2.DisassociateFromAdministratorAccountInput{})).ok(t)
	if s := memberStatus(t, admin, memberAcct); s != types.RelationshipStatusResigned {
		t.Fatalf("after the member resigned admin sees %s, want Resigned", s)
	}
	if a, _ := administratorOf(t, member); a != "" {
		t.Fatalf("member still has administrator %s after resigning", a)
	}
	if inv := receivedInvitations(t, member)[adminAcct]; inv.RelationshipStatus != types.RelationshipStatusResigned {
		t.Fatalf("member's invitation after resigning = %+v, want Resigned", inv)
	}
	check(member.AcceptInvitation(ctx, &macie2.AcceptInvitationInput{AdministratorAccountId: aws.String(adminAcct), InvitationId: second.InvitationId})).ok(t)
	if s := memberStatus(t, admin, memberAcct); s != types.RelationshipStatusEnabled {
		t.Fatalf("after re-accepting admin sees %s", s)
	}
	check(member.DisassociateFromMasterAccount(ctx, &macie2.DisassociateFromMasterAccountInput{})).ok(t)
	_, err = member.DisassociateFromAdministratorAccount(ctx, &macie2.DisassociateFromAdministratorAccountInput{})
	wantAPIError(t, err, "ResourceNotFoundException", 404, "")

	// The member declines the standing invitation: still listed and counted
	// (Macie lists declined invitations until they are deleted).
	decl := check(member.DeclineInvitations(ctx, &macie2.DeclineInvitationsInput{AccountIds: []string{adminAcct}})).ok(t)
	if len(decl.UnprocessedAccounts) != 0 {
		t.Fatalf("DeclineInvitations unprocessed = %+v", decl.UnprocessedAccounts)
	}
	if _, ok := receivedInvitations(t, member)[adminAcct]; !ok {
		t.Fatal("a declined invitation disappeared before it was deleted")
	}
	if n := invitationsCount(t, member); n != 1 {
		t.Fatalf("GetInvitationsCount after decline = %d, want 1", n)
	}
	// Then deletes it: gone from the list and the count; the administrator's
	// record does not change.
	del := check(member.DeleteInvitations(ctx, &macie2.DeleteInvitationsInput{AccountIds: []string{adminAcct}})).ok(t)
	if len(del.UnprocessedAccounts) != 0 {
		t.Fatalf("DeleteInvitations unprocessed = %+v", del.UnprocessedAccounts)
	}
	if invs := receivedInvitations(t, member); len(invs) != 0 {
		t.Fatalf("invitations after delete = %v", invs)
	}
	if n := invitationsCount(t, member); n != 0 {
		t.Fatalf("count after delete = %d", n)
	}
	if s := memberStatus(t, admin, memberAcct); s != types.RelationshipStatusResigned {
		t.Fatalf("the member's delete changed the admin's record to %s", s)
	}
	_, err = member.AcceptInvitation(ctx, &macie2.AcceptInvitationInput{AdministratorAccountId: aws.String(adminAcct), InvitationId: second.InvitationId})
	wantAPIError(t, err, "ValidationException", 400, "has no pending invitation")

	// DeleteMember removes the record; then both can disable Macie.
	check(admin.DeleteMember(ctx, &macie2.DeleteMemberInput{Id: aws.String(memberAcct)})).ok(t)
	_, err = admin.GetMember(ctx, &macie2.GetMemberInput{Id: aws.String(memberAcct)})
	wantAPIError(t, err, "ValidationException", 400, "account is not associated with your account")
	check(member.DisableMacie(ctx, &macie2.DisableMacieInput{})).ok(t)
	check(admin.DisableMacie(ctx, &macie2.DisableMacieInput{})).ok(t)
	_, err = admin.GetMacieSession(ctx, &macie2.GetMacieSessionInput{})
	wantAPIError(t, err, "AccessDeniedException", 403, "Macie is not enabled.")
}

// TestMacieThreeAccounts: one administrator with two members, one of which
// accepts and one declines; a member cannot invite; each side sees only
// its own records.
func TestMacieThreeAccounts(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	admin, b, c := macieClient(srv, adminAcct), macieClient(srv, memberAcct), macieClient(srv, thirdAcct)
	enable(t, srv, adminAcct, memberAcct, thirdAcct)

	for _, acct := range []string{memberAcct, thirdAcct} {
		check(admin.CreateMember(ctx, &macie2.CreateMemberInput{Account: &types.AccountDetail{AccountId: aws.String(acct), Email: aws.String(acct + "@example.com")}})).ok(t)
	}
	out := check(admin.CreateInvitations(ctx, &macie2.CreateInvitationsInput{AccountIds: []string{memberAcct, thirdAcct}})).ok(t)
	if len(out.UnprocessedAccounts) != 0 {
		t.Fatalf("unprocessed = %+v", out.UnprocessedAccounts)
	}
	bInv := receivedInvitations(t, b)[adminAcct]
	cInv := receivedInvitations(t, c)[adminAcct]
	if aws.ToString(bInv.InvitationId) == aws.ToString(cInv.InvitationId) {
		t.Fatal("two members got the same invitation id")
	}
	// C cannot accept B's invitation id.
	_, err := c.AcceptInvitation(ctx, &macie2.AcceptInvitationInput{AdministratorAccountId: aws.String(adminAcct), InvitationId: bInv.InvitationId})
	wantAPIError(t, err, "ValidationException", 400, "has no pending invitation")

	check(b.AcceptInvitation(ctx, &macie2.AcceptInvitationInput{AdministratorAccountId: aws.String(adminAcct), InvitationId: bInv.InvitationId})).ok(t)
	check(c.DeclineInvitations(ctx, &macie2.DeclineInvitationsInput{AccountIds: []string{adminAcct}})).ok(t)

	all := listedMembers(t, admin, aws.String("FALSE")) // case-insensitive
	if all[memberAcct] != types.RelationshipStatusEnabled || all[thirdAcct] != types.RelationshipStatusInvited || len(all) != 2 {
		t.Fatalf("admin's inventory = %v, want B Enabled and C Invited (a decline does not change it)", all)
	}
	if assoc := listedMembers(t, admin, nil); len(assoc) != 1 || assoc[memberAcct] != types.RelationshipStatusEnabled {
		t.Fatalf("associated members = %v, want only B", assoc)
	}
	// Members see no members of their own.
	if m := listedMembers(t, b, aws.String("false")); len(m) != 0 {
		t.Fatalf("B sees members %v", m)
	}
	// C declined but still holds the invitation: it accepts it later.
	check(c.AcceptInvitation(ctx, &macie2.AcceptInvitationInput{AdministratorAccountId: aws.String(adminAcct), InvitationId: cInv.InvitationId})).ok(t)
	if assoc := listedMembers(t, admin, nil); len(assoc) != 2 {
		t.Fatalf("associated members after C accepted = %v", assoc)
	}
}

// TestMacieMemberCannotCreateMembers keeps the three-account test honest:
// an associated member's CreateMember is a ValidationException and its
// CreateInvitations reports every account as unprocessed.
func TestMacieMemberCannotCreateMembers(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	admin, b := macieClient(srv, adminAcct), macieClient(srv, memberAcct)
	enable(t, srv, adminAcct, memberAcct)
	associate(t, admin, b, memberAcct)

	_, err := b.CreateMember(ctx, &macie2.CreateMemberInput{Account: &types.AccountDetail{AccountId: aws.String(thirdAcct), Email: aws.String("c@example.com")}})
	wantAPIError(t, err, "ValidationException", 400, "cannot create members since it is already an associated member")
	out := check(b.CreateInvitations(ctx, &macie2.CreateInvitationsInput{AccountIds: []string{thirdAcct}})).ok(t)
	if len(out.UnprocessedAccounts) != 1 || out.UnprocessedAccounts[0].ErrorCode != types.ErrorCodeClientError ||
		aws.ToString(out.UnprocessedAccounts[0].AccountId) != thirdAcct {
		t.Fatalf("unprocessed = %+v", out.UnprocessedAccounts)
	}
}

// associate makes memberAccount an Enabled member of admin.
func associate(t *testing.T, admin, member *macie2.Client, memberAccount string) {
	t.Helper()
	ctx := context.Background()
	check(admin.CreateMember(ctx, &macie2.CreateMemberInput{Account: &types.AccountDetail{AccountId: aws.String(memberAccount), Email: aws.String(memberAccount + "@example.com")}})).ok(t)
	check(admin.CreateInvitations(ctx, &macie2.CreateInvitationsInput{AccountIds: []string{memberAccount}})).ok(t)
	adminID := check(admin.GetMember(ctx, &macie2.GetMemberInput{Id: aws.String(memberAccount)})).ok(t).AdministratorAccountId
	var id *string
	for _, inv := range check(member.ListInvitations(ctx, &macie2.ListInvitationsInput{})).ok(t).Invitations {
		if aws.ToString(inv.AccountId) == aws.ToString(adminID) {
			id = inv.InvitationId
		}
	}
	check(member.AcceptInvitation(ctx, &macie2.AcceptInvitationInput{AdministratorAccountId: adminID, InvitationId: id})).ok(t)
}

// TestTwoEmbeddedServersAreIsolated: state never leaks between servers.
func TestTwoEmbeddedServersAreIsolated(t *testing.T) {
	ctx := context.Background()
	one, two := newServer(t), newServer(t)
	enable(t, one, adminAcct)
	if _, err := macieClient(two, adminAcct).GetMacieSession(ctx, &macie2.GetMacieSessionInput{}); err == nil {
		t.Fatal("the second server sees the first server's Macie session")
	}
	check(macieClient(two, adminAcct).EnableMacie(ctx, &macie2.EnableMacieInput{})).ok(t)
}

// TestTimestampsAreUTCAndPinned uses a pinned clock to check the times
// every side reports.
func TestTimestampsAreUTCAndPinned(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2024, 5, 1, 12, 34, 56, 789_000_000, time.UTC)
	srv := newServer(t, localsectest.WithClock(func() time.Time { return at }))
	enable(t, srv, adminAcct, memberAcct)
	admin, member := macieClient(srv, adminAcct), macieClient(srv, memberAcct)
	associate(t, admin, member, memberAcct)
	m := check(admin.GetMember(ctx, &macie2.GetMemberInput{Id: aws.String(memberAcct)})).ok(t)
	if !m.InvitedAt.Equal(at) || !m.UpdatedAt.Equal(at) {
		t.Fatalf("invitedAt %v updatedAt %v, want %v", m.InvitedAt, m.UpdatedAt, at)
	}
	s := check(admin.GetMacieSession(ctx, &macie2.GetMacieSessionInput{})).ok(t)
	if !s.CreatedAt.Equal(at) {
		t.Fatalf("createdAt %v, want %v", s.CreatedAt, at)
	}
}
