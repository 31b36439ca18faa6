package e2e_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/macie2"
	"github.com/aws/aws-sdk-go-v2/service/macie2/types"

	"github.com/localsec/localsec/localsectest"
)

// The ten behaviours of ../shared/spec/macie2.md §13, one test each, through
// the Go SDK (and raw signed HTTP where the wire itself is the point).

// §13.1: Macie is off until enabled; every membership call says so.
func TestMacie13_1_OffByDefault(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	c := macieClient(srv, adminAcct)
	const notEnabled = "Macie is not enabled."
	calls := map[string]func() error{
		"GetMacieSession": func() error { _, err := c.GetMacieSession(ctx, &macie2.GetMacieSessionInput{}); return err },
		"UpdateMacieSession": func() error {
			_, err := c.UpdateMacieSession(ctx, &macie2.UpdateMacieSessionInput{Status: types.MacieStatusPaused})
			return err
		},
		"DisableMacie": func() error { _, err := c.DisableMacie(ctx, &macie2.DisableMacieInput{}); return err },
		"CreateMember": func() error { _, err := c.CreateMember(ctx, memberInput(memberAcct)); return err },
		"ListMembers":  func() error { _, err := c.ListMembers(ctx, &macie2.ListMembersInput{}); return err },
		"GetMember": func() error {
			_, err := c.GetMember(ctx, &macie2.GetMemberInput{Id: aws.String(memberAcct)})
			return err
		},
		"DeleteMember": func() error {
			_, err := c.DeleteMember(ctx, &macie2.DeleteMemberInput{Id: aws.String(memberAcct)})
			return err
		},
		"DisassociateMember": func() error {
			_, err := c.DisassociateMember(ctx, &macie2.DisassociateMemberInput{Id: aws.String(memberAcct)})
			return err
		},
		"UpdateMemberSession": func() error {
			_, err := c.UpdateMemberSession(ctx, &macie2.UpdateMemberSessionInput{Id: aws.String(memberAcct), Status: types.MacieStatusPaused})
			return err
		},
		"CreateInvitations": func() error {
			_, err := c.CreateInvitations(ctx, &macie2.CreateInvitationsInput{AccountIds: []string{memberAcct}})
			return err
		},
		"ListInvitations":     func() error { _, err := c.ListInvitations(ctx, &macie2.ListInvitationsInput{}); return err },
		"GetInvitationsCount": func() error { _, err := c.GetInvitationsCount(ctx, &macie2.GetInvitationsCountInput{}); return err },
		"AcceptInvitation": func() error {
			_, err := c.AcceptInvitation(ctx, acceptInput(memberAcct, strings.Repeat("a", 32)))
			return err
		},
		"DeclineInvitations": func() error {
			_, err := c.DeclineInvitations(ctx, &macie2.DeclineInvitationsInput{AccountIds: []string{memberAcct}})
			return err
		},
		"DeleteInvitations": func() error {
			_, err := c.DeleteInvitations(ctx, &macie2.DeleteInvitationsInput{AccountIds: []string{memberAcct}})
			return err
		},
		"GetAdministrator": func() error {
			_, err := c.GetAdministratorAccount(ctx, &macie2.GetAdministratorAccountInput{})
			return err
		},
		"GetMasterAccount": func() error { _, err := c.GetMasterAccount(ctx, &macie2.GetMasterAccountInput{}); return err },
		"DisassociateFromAdmin": func() error {
			_, err := c.DisassociateFromAdministratorAccount(ctx, &macie2.DisassociateFromAdministratorAccountInput{})
			return err
		},
		"ListTags": func() error {
			_, err := c.ListTagsForResource(ctx, &macie2.ListTagsForResourceInput{ResourceArn: aws.String(memberARN(adminAcct, memberAcct))})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) { wantAPIError(t, call(), "AccessDeniedException", 403, notEnabled) })
	}

	check(c.EnableMacie(ctx, &macie2.EnableMacieInput{ClientToken: aws.String("token-1")})).ok(t)
	_, err := c.EnableMacie(ctx, &macie2.EnableMacieInput{})
	wantAPIError(t, err, "ConflictException", 409, "Macie has already been enabled")
	// A retry with the same client token is the same call: success.
	check(c.EnableMacie(ctx, &macie2.EnableMacieInput{ClientToken: aws.String("token-1")})).ok(t)
}

func memberInput(account string) *macie2.CreateMemberInput {
	return &macie2.CreateMemberInput{Account: &types.AccountDetail{AccountId: aws.String(account), Email: aws.String(account + "@example.com")}}
}

func acceptInput(admin, id string) *macie2.AcceptInvitationInput {
	return &macie2.AcceptInvitationInput{AdministratorAccountId: aws.String(admin), InvitationId: aws.String(id)}
}

func memberARN(admin, member string) string {
	return "arn:aws:macie2:us-east-1:" + admin + ":member/" + member
}

// §13.2: ListInvitations lists what the caller received, with accountId
// the sender; the count leaves out the accepted one but keeps declined ones.
func TestMacie13_2_InvitationPerspective(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	a, b, c := macieClient(srv, adminAcct), macieClient(srv, memberAcct), macieClient(srv, thirdAcct)
	enable(t, srv, adminAcct, memberAcct, thirdAcct)
	// A and C both invite B.
	for _, admin := range []*macie2.Client{a, c} {
		check(admin.CreateMember(ctx, memberInput(memberAcct))).ok(t)
		check(admin.CreateInvitations(ctx, &macie2.CreateInvitationsInput{AccountIds: []string{memberAcct}})).ok(t)
	}
	if got := receivedInvitations(t, a); len(got) != 0 {
		t.Fatalf("the sender lists %v", got)
	}
	got := receivedInvitations(t, b)
	if len(got) != 2 || got[adminAcct].InvitationId == nil || got[thirdAcct].InvitationId == nil {
		t.Fatalf("B's invitations = %v, want one from A and one from C", got)
	}
	if n := invitationsCount(t, b); n != 2 {
		t.Fatalf("count = %d, want 2", n)
	}
	check(b.AcceptInvitation(ctx, acceptInput(adminAcct, aws.ToString(got[adminAcct].InvitationId)))).ok(t)
	check(b.DeclineInvitations(ctx, &macie2.DeclineInvitationsInput{AccountIds: []string{thirdAcct}})).ok(t)
	if n := invitationsCount(t, b); n != 1 {
		t.Fatalf("count = %d, want 1 (the declined one; not the accepted one)", n)
	}
	if got := receivedInvitations(t, b); got[adminAcct].RelationshipStatus != types.RelationshipStatusEnabled || len(got) != 2 {
		t.Fatalf("after accepting A and declining C, B lists %v", got)
	}
	// B cannot decline or delete its current administrator's invitation.
	out := check(b.DeclineInvitations(ctx, &macie2.DeclineInvitationsInput{AccountIds: []string{adminAcct}})).ok(t)
	if len(out.UnprocessedAccounts) != 1 || out.UnprocessedAccounts[0].ErrorCode != types.ErrorCodeClientError {
		t.Fatalf("declining the current administrator: %+v", out.UnprocessedAccounts)
	}
	del := check(b.DeleteInvitations(ctx, &macie2.DeleteInvitationsInput{AccountIds: []string{adminAcct, thirdAcct, fourthAcct}})).ok(t)
	unprocessed := map[string]string{}
	for _, u := range del.UnprocessedAccounts {
		unprocessed[aws.ToString(u.AccountId)] = aws.ToString(u.ErrorMessage)
	}
	if len(unprocessed) != 2 || unprocessed[adminAcct] == "" || unprocessed[fourthAcct] == "" {
		t.Fatalf("DeleteInvitations unprocessed = %v, want the current administrator and the unknown sender", unprocessed)
	}
}

// §13.3: members start Created; inviting an account never added, yourself,
// or one already associated gives unprocessed accounts inside a 200.
func TestMacie13_3_CreateBeforeInvite(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	a, b := macieClient(srv, adminAcct), macieClient(srv, memberAcct)
	enable(t, srv, adminAcct, memberAcct)
	associate(t, a, b, memberAcct)
	out := check(a.CreateInvitations(ctx, &macie2.CreateInvitationsInput{AccountIds: []string{thirdAcct, adminAcct, memberAcct, "12345"}})).ok(t)
	got := map[string]types.UnprocessedAccount{}
	for _, u := range out.UnprocessedAccounts {
		got[aws.ToString(u.AccountId)] = u
	}
	for acct, fragment := range map[string]string{
		thirdAcct:  "not an associated member",
		adminAcct:  "cannot invite itself",
		memberAcct: "already invited or is already the Macie master",
		"12345":    "invalid or out-of-range value",
	} {
		u, ok := got[acct]
		if !ok || u.ErrorCode != types.ErrorCodeClientError || !strings.Contains(aws.ToString(u.ErrorMessage), fragment) {
			t.Errorf("unprocessed %s = %+v, want ClientError containing %q", acct, u, fragment)
		}
	}
	if len(got) != 4 {
		t.Fatalf("unprocessed = %v, want exactly 4", got)
	}
	// Errors of CreateMember itself are exceptions.
	_, err := a.CreateMember(ctx, memberInput(adminAcct))
	wantAPIError(t, err, "ValidationException", 400, "cannot become a member of itself")
	_, err = a.CreateMember(ctx, memberInput(memberAcct))
	wantAPIError(t, err, "ValidationException", 400, "already a member")
	_, err = a.CreateMember(ctx, &macie2.CreateMemberInput{Account: &types.AccountDetail{AccountId: aws.String("1234"), Email: aws.String("x@example.com")}})
	wantAPIError(t, err, "ValidationException", 400, "accountId")
	_, err = a.CreateMember(ctx, &macie2.CreateMemberInput{Account: &types.AccountDetail{AccountId: aws.String(thirdAcct), Email: aws.String("not-an-email")}})
	wantAPIError(t, err, "ValidationException", 400, "email")
	// The target needs no Macie of its own to be added.
	created := check(a.CreateMember(ctx, memberInput(fourthAcct))).ok(t)
	if aws.ToString(created.Arn) != memberARN(adminAcct, fourthAcct) {
		t.Fatalf("arn = %s", aws.ToString(created.Arn))
	}
}

// §13.4: onlyAssociated defaults to associated members only; "false" (any
// case) returns every record.
func TestMacie13_4_OnlyAssociated(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	a, b := macieClient(srv, adminAcct), macieClient(srv, memberAcct)
	enable(t, srv, adminAcct, memberAcct)
	associate(t, a, b, memberAcct)                           // Enabled
	check(a.CreateMember(ctx, memberInput(thirdAcct))).ok(t) // Created
	check(a.CreateMember(ctx, memberInput(fourthAcct))).ok(t)
	check(a.CreateInvitations(ctx, &macie2.CreateInvitationsInput{AccountIds: []string{fourthAcct}})).ok(t) // Invited
	for _, v := range []*string{nil, aws.String("true"), aws.String("TRUE"), aws.String("anything")} {
		got := listedMembers(t, a, v)
		if len(got) != 1 || got[memberAcct] != types.RelationshipStatusEnabled {
			t.Errorf("onlyAssociated=%v: %v, want only the Enabled member", aws.ToString(v), got)
		}
	}
	for _, v := range []string{"false", "False", "FALSE"} {
		got := listedMembers(t, a, aws.String(v))
		if len(got) != 3 || got[thirdAcct] != types.RelationshipStatusCreated || got[fourthAcct] != types.RelationshipStatusInvited {
			t.Errorf("onlyAssociated=%s: %v, want all three", v, got)
		}
	}
}

// §13.5: disassociation keeps the record; only DeleteMember removes it.
func TestMacie13_5_DisassociationKeepsRecord(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	a, b := macieClient(srv, adminAcct), macieClient(srv, memberAcct)
	enable(t, srv, adminAcct, memberAcct)
	associate(t, a, b, memberAcct)
	check(b.DisassociateFromAdministratorAccount(ctx, &macie2.DisassociateFromAdministratorAccountInput{})).ok(t)
	m := check(a.GetMember(ctx, &macie2.GetMemberInput{Id: aws.String(memberAcct)})).ok(t)
	if m.RelationshipStatus != types.RelationshipStatusResigned || aws.ToString(m.Email) == "" {
		t.Fatalf("after resigning: %+v", m)
	}
	if adm, _ := administratorOf(t, b); adm != "" {
		t.Fatalf("GetAdministratorAccount still returns %s", adm)
	}
	check(a.DisassociateMember(ctx, &macie2.DisassociateMemberInput{Id: aws.String(memberAcct)})).ok(t)
	if s := memberStatus(t, a, memberAcct); s != types.RelationshipStatusResigned {
		t.Fatalf("disassociating a resigned member changed it to %s", s)
	}
	check(a.DeleteMember(ctx, &macie2.DeleteMemberInput{Id: aws.String(memberAcct)})).ok(t)
	if got := listedMembers(t, a, aws.String("false")); len(got) != 0 {
		t.Fatalf("after DeleteMember: %v", got)
	}
	if got := receivedInvitations(t, b); len(got) != 0 {
		t.Fatalf("the member still lists %v after DeleteMember", got)
	}
	// Deleting an associated member ends the association (spec §4.6).
	associate(t, a, b, memberAcct)
	check(a.DeleteMember(ctx, &macie2.DeleteMemberInput{Id: aws.String(memberAcct)})).ok(t)
	if adm, _ := administratorOf(t, b); adm != "" {
		t.Fatalf("member still has administrator %s after DeleteMember", adm)
	}
	_, err := a.DeleteMember(ctx, &macie2.DeleteMemberInput{Id: aws.String(memberAcct)})
	wantAPIError(t, err, "ValidationException", 400, "account is not associated with your account")
	_, err = a.DisassociateMember(ctx, &macie2.DisassociateMemberInput{Id: aws.String(memberAcct)})
	wantAPIError(t, err, "ValidationException", 400, "account is not associated with your account")
}

// §13.6: AcceptInvitation refuses wrong ids and already-associated callers
// with the exact text of terraform-provider-aws#40587.
func TestMacie13_6_AcceptValidation(t *testing.T) {
	const exact = "The request is rejected because the current account has no pending invitation from the given master account ID or is already an associated member of another master account."
	ctx := context.Background()
	srv := newServer(t)
	a, b, c := macieClient(srv, adminAcct), macieClient(srv, memberAcct), macieClient(srv, thirdAcct)
	enable(t, srv, adminAcct, memberAcct, thirdAcct)
	check(a.CreateMember(ctx, memberInput(memberAcct))).ok(t)
	check(a.CreateInvitations(ctx, &macie2.CreateInvitationsInput{AccountIds: []string{memberAcct}})).ok(t)
	id := aws.ToString(receivedInvitations(t, b)[adminAcct].InvitationId)

	for name, in := range map[string]*macie2.AcceptInvitationInput{
		"wrong id":            acceptInput(adminAcct, strings.Repeat("0", 32)),
		"empty id":            acceptInput(adminAcct, ""),
		"wrong administrator": acceptInput(thirdAcct, id),
		"malformed admin":     acceptInput("not-an-account", id),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := b.AcceptInvitation(ctx, in)
			wantAPIError(t, err, "ValidationException", 400, exact)
		})
	}
	// Neither administratorAccountId nor masterAccount: a validation error.
	_, err := b.AcceptInvitation(ctx, &macie2.AcceptInvitationInput{InvitationId: aws.String(id)})
	wantAPIError(t, err, "ValidationException", 400, "administratorAccountId")
	// Both, disagreeing.
	_, err = b.AcceptInvitation(ctx, &macie2.AcceptInvitationInput{AdministratorAccountId: aws.String(adminAcct), MasterAccount: aws.String(thirdAcct), InvitationId: aws.String(id)})
	wantAPIError(t, err, "ValidationException", 400, "masterAccount")

	check(b.AcceptInvitation(ctx, acceptInput(adminAcct, id))).ok(t)
	// Accepting the same invitation again changes nothing.
	check(b.AcceptInvitation(ctx, acceptInput(adminAcct, id))).ok(t)
	// C invites B too: B, associated with A, cannot accept.
	check(c.CreateMember(ctx, memberInput(memberAcct))).ok(t)
	check(c.CreateInvitations(ctx, &macie2.CreateInvitationsInput{AccountIds: []string{memberAcct}})).ok(t)
	cID := aws.ToString(receivedInvitations(t, b)[thirdAcct].InvitationId)
	_, err = b.AcceptInvitation(ctx, acceptInput(thirdAcct, cID))
	wantAPIError(t, err, "ValidationException", 400, exact)
	if adm, _ := administratorOf(t, b); adm != adminAcct {
		t.Fatalf("a refused accept changed the administrator to %q", adm)
	}
	// An account with members of its own cannot accept.
	_, err = c.AcceptInvitation(ctx, acceptInput(adminAcct, id))
	wantAPIError(t, err, "ValidationException", 400, "")
}

// §13.7: DisableMacie conflicts for an associated member and for an
// administrator with members; Created members do not block and go with it.
func TestMacie13_7_DisableConflicts(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	a, b := macieClient(srv, adminAcct), macieClient(srv, memberAcct)
	enable(t, srv, adminAcct, memberAcct)
	check(a.CreateMember(ctx, memberInput(thirdAcct))).ok(t) // Created only: does not block
	check(a.DisableMacie(ctx, &macie2.DisableMacieInput{})).ok(t)
	check(a.EnableMacie(ctx, &macie2.EnableMacieInput{})).ok(t)
	if got := listedMembers(t, a, aws.String("false")); len(got) != 0 {
		t.Fatalf("Created members survived DisableMacie: %v", got)
	}

	check(a.CreateMember(ctx, memberInput(memberAcct))).ok(t)
	check(a.CreateInvitations(ctx, &macie2.CreateInvitationsInput{AccountIds: []string{memberAcct}})).ok(t)
	_, err := a.DisableMacie(ctx, &macie2.DisableMacieInput{})
	wantAPIError(t, err, "ConflictException", 409, "member accounts are associated with your account")
	// Pausing is refused too while members are invited or associated.
	_, err = a.UpdateMacieSession(ctx, &macie2.UpdateMacieSessionInput{Status: types.MacieStatusPaused})
	wantAPIError(t, err, "ConflictException", 409, "")

	id := aws.ToString(receivedInvitations(t, b)[adminAcct].InvitationId)
	check(b.AcceptInvitation(ctx, acceptInput(adminAcct, id))).ok(t)
	_, err = b.DisableMacie(ctx, &macie2.DisableMacieInput{})
	wantAPIError(t, err, "ConflictException", 409, "Cannot disable Macie while associated with an administrator account")

	check(b.DisassociateFromAdministratorAccount(ctx, &macie2.DisassociateFromAdministratorAccountInput{})).ok(t)
	check(b.DisableMacie(ctx, &macie2.DisableMacieInput{})).ok(t)
	check(a.DisableMacie(ctx, &macie2.DisableMacieInput{})).ok(t)
}

// §13.8: the wire: X-Amzn-ErrorType and a JSON message, a request id on
// every answer, 402 for the quota, 204 for tagging, bodiless POSTs,
// timestamps in UTC with Z, absent optional members omitted.
func TestMacie13_8_WireDetails(t *testing.T) {
	srv := newServer(t)
	call := func(account, method, path, body string) rawResponse {
		return rawCall(t, srv, "macie2", account, "us-east-1", method, path, []byte(body))
	}
	r := call(adminAcct, "GET", "/macie", "")
	if r.Status != 403 || r.Header.Get("X-Amzn-ErrorType") != "AccessDeniedException" || r.JSON(t)["message"] != "Macie is not enabled." {
		t.Fatalf("GET /macie before enabling: %d %v %s", r.Status, r.Header, r.Body)
	}
	if r.Header.Get("x-amzn-RequestId") == "" || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("error headers: %v", r.Header)
	}
	if r := call(adminAcct, "POST", "/macie", ""); r.Status != 200 || string(r.Body) != "{}" {
		t.Fatalf("bodiless EnableMacie: %d %s", r.Status, r.Body)
	}
	call(memberAcct, "POST", "/macie", "{}")
	r = call(adminAcct, "POST", "/members", `{"account":{"accountId":"`+memberAcct+`","email":"m@example.com"}}`)
	if r.Status != 200 {
		t.Fatalf("CreateMember: %d %s", r.Status, r.Body)
	}
	r = call(adminAcct, "GET", "/members/"+memberAcct, "")
	m := r.JSON(t)
	if _, has := m["invitedAt"]; has {
		t.Fatalf("a never-invited member carries invitedAt: %s", r.Body)
	}
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`).MatchString(fmt.Sprint(m["updatedAt"])) {
		t.Fatalf("updatedAt %v is not ISO 8601 UTC with milliseconds and Z", m["updatedAt"])
	}
	// Bodiless POST with no Content-Type: DisassociateMember.
	if r := call(adminAcct, "POST", "/members/disassociate/"+memberAcct, ""); r.Status != 200 {
		t.Fatalf("bodiless DisassociateMember: %d %s", r.Status, r.Body)
	}
	arn := url.PathEscape(memberARN(adminAcct, memberAcct))
	if r := call(adminAcct, "POST", "/tags/"+arn, `{"tags":{"k":"v"}}`); r.Status != 204 || len(r.Body) != 0 {
		t.Fatalf("TagResource: %d %q, want 204 and no body", r.Status, r.Body)
	}
	if r := call(adminAcct, "DELETE", "/tags/"+arn+"?tagKeys=k&tagKeys=absent", ""); r.Status != 204 {
		t.Fatalf("UntagResource: %d %s", r.Status, r.Body)
	}
	// Malformed JSON, wrong types, unknown enum values: ValidationException.
	for _, tc := range []struct{ method, path, body string }{
		{"POST", "/members", `{"account":`},
		{"POST", "/members", `{"account":{"accountId":123456789012,"email":"x@example.com"}}`},
		{"POST", "/members", `[]`},
		{"POST", "/invitations", `{"accountIds":"` + memberAcct + `"}`},
		{"PATCH", "/macie", `{"status":"SLEEPING"}`},
		{"POST", "/macie", `{"findingPublishingFrequency":"EVERY_DAY"}`},
		{"GET", "/members?maxResults=abc", ""},
		{"GET", "/members?maxResults=0", ""},
		{"GET", "/members?nextToken=garbage!!", ""},
		{"POST", "/invitations", `{"accountIds":[]}`},
		{"POST", "/invitations/decline", `{}`},
	} {
		r := call(adminAcct, tc.method, tc.path, tc.body)
		if r.Status != 400 || r.Header.Get("X-Amzn-ErrorType") != "ValidationException" || r.JSON(t)["message"] == "" {
			t.Errorf("%s %s %s: %d %s %s, want 400 ValidationException", tc.method, tc.path, tc.body, r.Status, r.Header.Get("X-Amzn-ErrorType"), r.Body)
		}
	}
	// Unknown operation: an AWS-shaped error, never Go's plain 404 page.
	r = call(adminAcct, "GET", "/no/such/operation", "")
	if r.Status != 404 || r.Header.Get("X-Amzn-ErrorType") == "" || r.JSON(t)["message"] == "" {
		t.Fatalf("unknown operation: %d %v %s", r.Status, r.Header, r.Body)
	}
}

// §13.8, the quota: the 1001st member is a ServiceQuotaExceededException, 402.
func TestMacie13_8_MemberQuota(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	a := macieClient(srv, adminAcct)
	enable(t, srv, adminAcct)
	for i := 1; i <= 1000; i++ {
		check(a.CreateMember(ctx, memberInput(fmt.Sprintf("9%011d", i)))).ok(t)
	}
	_, err := a.CreateMember(ctx, memberInput("800000000000"))
	wantAPIError(t, err, "ServiceQuotaExceededException", 402, "")
	if got := listedMembers(t, a, aws.String("false")); len(got) != 1000 {
		t.Fatalf("members = %d, want 1000", len(got))
	}
}

// §13.9: paging and limits.
func TestMacie13_9_PagingAndLimits(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	a := macieClient(srv, adminAcct)
	enable(t, srv, adminAcct)
	const n = 60
	for i := 0; i < n; i++ {
		check(a.CreateMember(ctx, memberInput(fmt.Sprintf("5%011d", i)))).ok(t)
	}
	for _, size := range []int32{1, 7, 25} {
		seen := map[string]bool{}
		var last string
		pages := 0
		p := macie2.NewListMembersPaginator(a, &macie2.ListMembersInput{OnlyAssociated: aws.String("false"), MaxResults: aws.Int32(size)})
		for p.HasMorePages() {
			out := check(p.NextPage(ctx)).ok(t)
			pages++
			if len(out.Members) > int(size) {
				t.Fatalf("page of %d members for maxResults %d", len(out.Members), size)
			}
			for _, m := range out.Members {
				id := aws.ToString(m.AccountId)
				if seen[id] || id <= last {
					t.Fatalf("member %s repeated or out of order (after %s)", id, last)
				}
				seen[id], last = true, id
			}
		}
		if len(seen) != n || pages != (n+int(size)-1)/int(size) {
			t.Fatalf("maxResults %d: %d members in %d pages", size, len(seen), pages)
		}
	}
	// The last page carries no nextToken.
	out := check(a.ListMembers(ctx, &macie2.ListMembersInput{OnlyAssociated: aws.String("false"), MaxResults: aws.Int32(25), NextToken: nil})).ok(t)
	out = check(a.ListMembers(ctx, &macie2.ListMembersInput{OnlyAssociated: aws.String("false"), MaxResults: aws.Int32(25), NextToken: out.NextToken})).ok(t)
	out = check(a.ListMembers(ctx, &macie2.ListMembersInput{OnlyAssociated: aws.String("false"), MaxResults: aws.Int32(25), NextToken: out.NextToken})).ok(t)
	if out.NextToken != nil || len(out.Members) != 10 {
		t.Fatalf("last page: %d members, nextToken %v", len(out.Members), out.NextToken)
	}
	for _, max := range []int32{0, 26, -1} {
		_, err := a.ListMembers(ctx, &macie2.ListMembersInput{MaxResults: aws.Int32(max)})
		wantAPIError(t, err, "ValidationException", 400, "maxResults")
	}
	_, err := a.ListMembers(ctx, &macie2.ListMembersInput{NextToken: aws.String("not-a-token")})
	wantAPIError(t, err, "ValidationException", 400, "nextToken")
	_, err = a.ListInvitations(ctx, &macie2.ListInvitationsInput{MaxResults: aws.Int32(26)})
	wantAPIError(t, err, "ValidationException", 400, "maxResults")

	// An 80-character message with spaces is fine; 81 is not.
	msg80 := strings.Repeat("a b ", 20)
	check(a.CreateInvitations(ctx, &macie2.CreateInvitationsInput{AccountIds: []string{"500000000000"}, Message: aws.String(msg80)})).ok(t)
	_, err = a.CreateInvitations(ctx, &macie2.CreateInvitationsInput{AccountIds: []string{"500000000000"}, Message: aws.String(msg80 + "x")})
	wantAPIError(t, err, "ValidationException", 400, "message")
	// At most 50 account ids per call.
	ids := make([]string, 51)
	for i := range ids {
		ids[i] = fmt.Sprintf("5%011d", i)
	}
	_, err = a.CreateInvitations(ctx, &macie2.CreateInvitationsInput{AccountIds: ids})
	wantAPIError(t, err, "ValidationException", 400, "accountIds")
}

// §13.10: tags round-trip through the fully percent-encoded ARN, GetMember
// shows them, and another account learns nothing.
func TestMacie13_10_TagsAndARNs(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	a, c := macieClient(srv, adminAcct), macieClient(srv, thirdAcct)
	enable(t, srv, adminAcct, thirdAcct)
	arn := aws.ToString(check(a.CreateMember(ctx, &macie2.CreateMemberInput{
		Account: &types.AccountDetail{AccountId: aws.String(memberAcct), Email: aws.String("m@example.com")},
		Tags:    map[string]string{"a": "1"},
	})).ok(t).Arn)
	check(a.TagResource(ctx, &macie2.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"b": "2 with space/slash"}})).ok(t)
	tags := check(a.ListTagsForResource(ctx, &macie2.ListTagsForResourceInput{ResourceArn: aws.String(arn)})).ok(t).Tags
	if len(tags) != 2 || tags["b"] != "2 with space/slash" {
		t.Fatalf("tags = %v", tags)
	}
	check(a.UntagResource(ctx, &macie2.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"a", "never-set"}})).ok(t)
	if m := check(a.GetMember(ctx, &macie2.GetMemberInput{Id: aws.String(memberAcct)})).ok(t); len(m.Tags) != 1 || m.Tags["b"] == "" {
		t.Fatalf("GetMember tags = %v", m.Tags)
	}
	_, err := c.ListTagsForResource(ctx, &macie2.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	wantAPIError(t, err, "ResourceNotFoundException", 404, "")
	_, err = c.TagResource(ctx, &macie2.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"x": "y"}})
	wantAPIError(t, err, "ResourceNotFoundException", 404, "")
	_, err = a.TagResource(ctx, &macie2.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"aws:reserved": "y"}})
	wantAPIError(t, err, "ValidationException", 400, "aws:")
	many := map[string]string{}
	for i := 0; i < 50; i++ {
		many[fmt.Sprintf("k%d", i)] = "v"
	}
	_, err = a.TagResource(ctx, &macie2.TagResourceInput{ResourceArn: aws.String(arn), Tags: many})
	wantAPIError(t, err, "ValidationException", 400, "50 tags")
	// A GuardDuty-signed request to a colliding path is not Macie's.
	r := rawCall(t, srv, "guardduty", adminAcct, "us-east-1", "GET", "/tags/"+url.PathEscape(arn), nil)
	if r.Status < 400 || r.Status >= 500 {
		t.Fatalf("guardduty-signed /tags: %d %s", r.Status, r.Body)
	}
}

// Regions keep state apart, and a member's administrator is the same in
// every region (spec §9.5).
func TestMacieRegions(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	aEast, bEast := macieClient(srv, adminAcct), macieClient(srv, memberAcct)
	aWest, bWest := macieClientIn(srv, adminAcct, "eu-west-1"), macieClientIn(srv, memberAcct, "eu-west-1")
	cWest := macieClientIn(srv, thirdAcct, "eu-west-1")
	enable(t, srv, adminAcct, memberAcct)
	associate(t, aEast, bEast, memberAcct)
	if _, err := aWest.ListMembers(ctx, &macie2.ListMembersInput{}); err == nil {
		t.Fatal("eu-west-1 sees the us-east-1 Macie session")
	}
	for _, c := range []*macie2.Client{aWest, bWest, cWest} {
		check(c.EnableMacie(ctx, &macie2.EnableMacieInput{})).ok(t)
	}
	if got := listedMembers(t, aWest, aws.String("false")); len(got) != 0 {
		t.Fatalf("eu-west-1 lists us-east-1 members: %v", got)
	}
	if got := receivedInvitations(t, bWest); len(got) != 0 {
		t.Fatalf("eu-west-1 lists us-east-1 invitations: %v", got)
	}
	// C invites B in eu-west-1: B, whose administrator is A, cannot accept.
	check(cWest.CreateMember(ctx, memberInput(memberAcct))).ok(t)
	check(cWest.CreateInvitations(ctx, &macie2.CreateInvitationsInput{AccountIds: []string{memberAcct}})).ok(t)
	id := aws.ToString(receivedInvitations(t, bWest)[thirdAcct].InvitationId)
	_, err := bWest.AcceptInvitation(ctx, acceptInput(thirdAcct, id))
	wantAPIError(t, err, "ValidationException", 400, "no pending invitation")
	// A invites B in eu-west-1 too: that one B can accept.
	associate(t, aWest, bWest, memberAcct)
	if adm, _ := administratorOf(t, bWest); adm != adminAcct {
		t.Fatalf("eu-west-1 administrator = %q", adm)
	}
}

// Organizations: the management account designates a delegated
// administrator, which adds organization accounts as Enabled members.
func TestMacieOrganization(t *testing.T) {
	ctx := context.Background()
	const mgmt = "999999999999"
	srv := newServer(t, localsectest.WithOrganization(mgmt, adminAcct, memberAcct))
	m, a, b := macieClient(srv, mgmt), macieClient(srv, adminAcct), macieClient(srv, memberAcct)
	enable(t, srv, mgmt, adminAcct, memberAcct, thirdAcct)

	_, err := a.EnableOrganizationAdminAccount(ctx, &macie2.EnableOrganizationAdminAccountInput{AdminAccountId: aws.String(adminAcct)})
	wantAPIError(t, err, "AccessDeniedException", 403, "you must be a user of the management account")
	_, err = m.EnableOrganizationAdminAccount(ctx, &macie2.EnableOrganizationAdminAccountInput{AdminAccountId: aws.String(thirdAcct)})
	wantAPIError(t, err, "ValidationException", 400, "")
	check(m.EnableOrganizationAdminAccount(ctx, &macie2.EnableOrganizationAdminAccountInput{AdminAccountId: aws.String(adminAcct)})).ok(t)
	check(m.EnableOrganizationAdminAccount(ctx, &macie2.EnableOrganizationAdminAccountInput{AdminAccountId: aws.String(adminAcct)})).ok(t)
	_, err = m.EnableOrganizationAdminAccount(ctx, &macie2.EnableOrganizationAdminAccountInput{AdminAccountId: aws.String(memberAcct)})
	wantAPIError(t, err, "ConflictException", 409, "")
	admins := check(m.ListOrganizationAdminAccounts(ctx, &macie2.ListOrganizationAdminAccountsInput{})).ok(t).AdminAccounts
	if len(admins) != 1 || aws.ToString(admins[0].AccountId) != adminAcct || admins[0].Status != types.AdminStatusEnabled {
		t.Fatalf("admin accounts = %+v", admins)
	}

	_, err = b.DescribeOrganizationConfiguration(ctx, &macie2.DescribeOrganizationConfigurationInput{})
	wantAPIError(t, err, "AccessDeniedException", 403, "you must be the Macie administrator for an organization")
	check(a.UpdateOrganizationConfiguration(ctx, &macie2.UpdateOrganizationConfigurationInput{AutoEnable: aws.Bool(true)})).ok(t)
	cfg := check(a.DescribeOrganizationConfiguration(ctx, &macie2.DescribeOrganizationConfigurationInput{})).ok(t)
	if !aws.ToBool(cfg.AutoEnable) || aws.ToBool(cfg.MaxAccountLimitReached) {
		t.Fatalf("organization configuration = %+v", cfg)
	}

	// The delegated administrator adds an organization account: Enabled at
	// once, no email, and that member cannot leave by itself.
	check(a.CreateMember(ctx, memberInput(memberAcct))).ok(t)
	got := check(a.GetMember(ctx, &macie2.GetMemberInput{Id: aws.String(memberAcct)})).ok(t)
	if got.RelationshipStatus != types.RelationshipStatusEnabled || got.Email != nil {
		t.Fatalf("organization member = %+v", got)
	}
	if adm, _ := administratorOf(t, b); adm != adminAcct {
		t.Fatalf("organization member's administrator = %q", adm)
	}
	_, err = b.DisassociateFromAdministratorAccount(ctx, &macie2.DisassociateFromAdministratorAccountInput{})
	wantAPIError(t, err, "AccessDeniedException", 403, "")
	// An account outside the organization joins by invitation as usual.
	check(a.CreateMember(ctx, memberInput(thirdAcct))).ok(t)
	if s := memberStatus(t, a, thirdAcct); s != types.RelationshipStatusCreated {
		t.Fatalf("non-organization member = %s", s)
	}

	check(m.DisableOrganizationAdminAccount(ctx, &macie2.DisableOrganizationAdminAccountInput{AdminAccountId: aws.String(adminAcct)})).ok(t)
	_, err = m.DisableOrganizationAdminAccount(ctx, &macie2.DisableOrganizationAdminAccountInput{AdminAccountId: aws.String(adminAcct)})
	wantAPIError(t, err, "ResourceNotFoundException", 404, "")
	if s := memberStatus(t, a, memberAcct); s != types.RelationshipStatusRemoved {
		t.Fatalf("organization member after the designation ended = %s, want Removed", s)
	}
	if admins := check(m.ListOrganizationAdminAccounts(ctx, &macie2.ListOrganizationAdminAccountsInput{})).ok(t).AdminAccounts; len(admins) != 0 {
		t.Fatalf("admin accounts after disable = %+v", admins)
	}
}
