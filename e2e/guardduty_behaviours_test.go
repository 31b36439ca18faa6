package e2e_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/guardduty/types"
	"github.com/aws/aws-sdk-go-v2/service/macie2"
	macietypes "github.com/aws/aws-sdk-go-v2/service/macie2/types"
	"github.com/aws/smithy-go"

	"github.com/localsec/localsec/localsectest"
)

// The ten behaviours of ../shared/spec/guardduty.md §13 and the error
// tables of §2.2/§2.3, through the Go SDK, and raw signed HTTP where the
// wire itself is the point.

var gdISOTime = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

// gdEscapeARN percent-encodes an ARN the way botocore puts it in a path
// label: every ":" and "/" escaped.
func gdEscapeARN(arn string) string {
	return strings.ReplaceAll(url.PathEscape(arn), ":", "%3A")
}

// gdClock is a settable clock for pinned timestamps.
type gdClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *gdClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *gdClock) advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// §13.1: errors are 400 BadRequestException in the header, __type
// InvalidInputException in the body, byte-exact messages; "not found" is
// never a 404.
func TestGuardDuty13_1_ErrorWireFormat(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	a, b := gdNew(srv, adminAcct), gdNew(srv, memberAcct)
	unknown := strings.Repeat("0a", 16)

	// No detector at all: a well-formed id is "not owned".
	gdWantRawBadRequest(t, "GetDetector without a detector", gdRaw(t, srv, adminAcct, "GET", "/detector/"+unknown, ""), gdMsgNotOwned)
	a.createDetector(t)
	b.createDetector(t)
	// Another account's detector, a detector that never existed: 400, not 404.
	gdWantRawBadRequest(t, "GetDetector of another account", gdRaw(t, srv, memberAcct, "GET", "/detector/"+a.det, ""), gdMsgNotOwned)
	gdWantRawBadRequest(t, "GetDetector of an unknown id", gdRaw(t, srv, adminAcct, "GET", "/detector/"+unknown, ""), gdMsgNotOwned)
	_, err := b.c.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String(a.det)})
	gdBadRequest(t, err, gdMsgNotOwned)
	_, err = b.c.ListMembers(ctx, &guardduty.ListMembersInput{DetectorId: aws.String(a.det)})
	gdBadRequest(t, err, gdMsgNotOwned)

	// Malformed detector ids.
	for _, id := range []string{"mygooddetectorid", strings.Repeat("AB", 16), a.det + "0", a.det[:31], strings.Repeat("-", 32)} {
		gdWantRawBadRequest(t, "GetDetector "+id, gdRaw(t, srv, adminAcct, "GET", "/detector/"+id, ""), gdMsgBadDetectorID)
	}
	_, err = a.c.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String("mygooddetectorid")})
	gdBadRequest(t, err, gdMsgBadDetectorID)
	_, err = a.c.CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: aws.String("mygooddetectorid"), AccountDetails: []types.AccountDetail{{AccountId: aws.String(thirdAcct), Email: aws.String("c@example.com")}}})
	gdBadRequest(t, err, gdMsgBadDetectorID)

	// Every request-level text of §2.2 that does not need a relationship,
	// on the wire.
	arn := gdEscapeARN(a.arn("us-east-1"))
	for _, tc := range []struct {
		what, method, path, body, msg string
	}{
		{"empty accountIds", "POST", "/detector/" + a.det + "/member/get", `{"accountIds":[]}`, gdMsgInvalidValue},
		{"bad frequency", "POST", "/detector/" + a.det, `{"findingPublishingFrequency":"EVERY_DAY"}`, gdMsgInvalidValue},
		{"UntagResource without tagKeys", "DELETE", "/tags/" + arn, "", gdMsgMissingParams},
		{"malformed body", "POST", "/detector/" + a.det + "/member/get", `{"accountIds":`, gdMsgInvalidParams},
		{"body not an object", "POST", "/detector/" + a.det + "/member/get", `["` + memberAcct + `"]`, gdMsgInvalidParams},
		{"maxResults not an integer", "GET", "/detector?maxResults=abc", "", gdMsgMaxResultsInvalid},
		{"maxResults 51", "GET", "/detector?maxResults=51", "", gdMsgMaxResultsBounds},
		{"maxResults 0", "GET", "/detector/" + a.det + "/member?maxResults=0", "", gdMsgMaxResultsBounds},
		{"onlyAssociated", "GET", "/detector/" + a.det + "/member?onlyAssociated=yes", "", gdMsgOnlyAssociated},
		{"second detector", "POST", "/detector", `{"enable":true}`, gdMsgDetectorExists},
		{"no administrator", "POST", "/detector/" + a.det + "/administrator/disassociate", "", gdMsgNoAdministrator},
		{"no invitation", "POST", "/detector/" + a.det + "/administrator", `{"administratorId":"` + memberAcct + `","invitationId":"` + unknown + `"}`, gdMsgNoInvitation},
		{"no organization", "POST", "/admin/enable", `{"adminAccountId":"` + memberAcct + `"}`, gdMsgNoOrgPermission},
		{"not the delegated administrator", "GET", "/detector/" + a.det + "/admin", "", gdMsgNoOrgPermission},
		{"no delegated administrator to disable", "POST", "/admin/disable", `{"adminAccountId":"` + memberAcct + `"}`, gdMsgNoOrgPermission},
	} {
		t.Run(tc.what, func(t *testing.T) {
			gdWantRawBadRequest(t, tc.what, gdRaw(t, srv, adminAcct, tc.method, tc.path, tc.body), tc.msg)
		})
	}
}

// §13.2: per-account failures are unprocessedAccounts inside a 200, the
// list is always there, processed accounts never are; list-size and
// account-id errors fail the whole request.
func TestGuardDuty13_2_UnprocessedAccounts(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	accts := gdAccounts(t, srv, adminAcct, memberAcct)
	a, b := accts[0], accts[1]
	det := aws.String(a.det)

	r := gdRaw(t, srv, adminAcct, "POST", "/detector/"+a.det+"/member", `{"accountDetails":[{"accountId":"`+memberAcct+`","email":"b@example.com"}]}`)
	if r.Status != 200 || string(r.Body) != `{"unprocessedAccounts":[]}` {
		t.Fatalf("CreateMembers: %d %s, want 200 {\"unprocessedAccounts\":[]}", r.Status, r.Body)
	}
	r = gdRaw(t, srv, adminAcct, "POST", "/detector/"+a.det+"/member/get", `{"accountIds":["`+fourthAcct+`"]}`)
	if body := r.JSON(t); r.Status != 200 || fmt.Sprint(body["members"]) != "[]" || body["unprocessedAccounts"] == nil {
		t.Fatalf("GetMembers of an unknown account: %d %s, want members [] and the account unprocessed", r.Status, r.Body)
	}
	for _, path := range []string{"/member/invite", "/member/disassociate", "/member/start", "/member/stop", "/member/delete", "/member/detector/get", "/member/detector/update"} {
		r := gdRaw(t, srv, adminAcct, "POST", "/detector/"+a.det+path, `{"accountIds":["`+thirdAcct+`"]}`)
		if r.Status != 200 || !strings.Contains(string(r.Body), `"unprocessedAccounts":[{"accountId":"`+thirdAcct+`","result":"`) {
			t.Errorf("%s: %d %s, want the account in unprocessedAccounts", path, r.Status, r.Body)
		}
	}
	for _, path := range []string{"/invitation/decline", "/invitation/delete"} {
		r := gdRaw(t, srv, memberAcct, "POST", path, `{"accountIds":["`+thirdAcct+`"]}`)
		if r.Status != 200 || !strings.Contains(string(r.Body), `"unprocessedAccounts":[{"accountId":"`+thirdAcct+`","result":"`) {
			t.Errorf("%s: %d %s, want the account in unprocessedAccounts", path, r.Status, r.Body)
		}
	}

	// A mixed batch: only the failures are listed; a repeated id counts once.
	out := check(a.c.CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: det, AccountDetails: []types.AccountDetail{
		{AccountId: aws.String(thirdAcct), Email: aws.String("c@example.com")},
		{AccountId: aws.String(adminAcct), Email: aws.String("a@example.com")},
		{AccountId: aws.String(memberAcct), Email: aws.String("b@example.com")},
		{AccountId: aws.String(thirdAcct), Email: aws.String("c@example.com")},
	}})).ok(t)
	gdWantUnprocessed(t, "mixed CreateMembers", out.UnprocessedAccounts, map[string]string{adminAcct: gdResSelfMember, memberAcct: gdResAlreadyMember})
	if got := gdStatuses(t, a, aws.String("false")); len(got) != 2 || got[thirdAcct] != "Created" {
		t.Fatalf("members = %v, want B and C Created", got)
	}
	inv := check(a.c.InviteMembers(ctx, &guardduty.InviteMembersInput{DetectorId: det, AccountIds: []string{memberAcct, thirdAcct, memberAcct, fourthAcct}})).ok(t)
	gdWantUnprocessed(t, "mixed InviteMembers", inv.UnprocessedAccounts, map[string]string{fourthAcct: gdResEmailMissing})
	if n := len(gdInvitations(t, b.c)); n != 1 {
		t.Fatalf("B holds %d invitations after being named twice, want 1", n)
	}

	// Whole-request refusals: 51 ids, a 13- or 11-digit id, no id at all.
	tooMany := gdAccountIDs('7', 51)
	for name, ids := range map[string][]string{
		"51 ids":       tooMany,
		"13-digit id":  {memberAcct + "0"},
		"11-digit id":  {memberAcct[:11]},
		"letters":      {"12345678901x"},
		"empty list":   {},
		"one bad of 2": {thirdAcct, "1234567890123"},
	} {
		t.Run(name, func(t *testing.T) {
			calls := map[string]func() error{
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
				"DeclineInvitations": func() error {
					_, err := b.c.DeclineInvitations(ctx, &guardduty.DeclineInvitationsInput{AccountIds: ids})
					return err
				},
				"DeleteInvitations": func() error {
					_, err := b.c.DeleteInvitations(ctx, &guardduty.DeleteInvitationsInput{AccountIds: ids})
					return err
				},
				"CreateMembers": func() error {
					details := make([]types.AccountDetail, len(ids))
					for i, id := range ids {
						details[i] = types.AccountDetail{AccountId: aws.String(id), Email: aws.String("x@example.com")}
					}
					_, err := a.c.CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: det, AccountDetails: details})
					return err
				},
			}
			for _, op := range gdKeys(calls) {
				t.Run(op, func(t *testing.T) { gdBadRequest(t, calls[op](), gdMsgInvalidValue) })
			}
		})
	}
	// Nothing of the refused requests happened.
	if got := gdStatuses(t, a, aws.String("false")); len(got) != 2 || got[memberAcct] != "Invited" || got[thirdAcct] != "Invited" {
		t.Fatalf("members after refused requests = %v", got)
	}
	// 50 ids are fine.
	gdNone(t, "CreateMembers of 50", check(a.c.CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: det, AccountDetails: gdDetails(tooMany[:50])})).ok(t).UnprocessedAccounts)
}

func gdDetails(ids []string) []types.AccountDetail {
	out := make([]types.AccountDetail, len(ids))
	for i, id := range ids {
		out[i] = types.AccountDetail{AccountId: aws.String(id), Email: aws.String("m" + id + "@example.com")}
	}
	return out
}

// §13.3: one detector per account and region; ListDetectors gives exactly
// that one.
func TestGuardDuty13_3_OneDetector(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	a := gdNew(srv, adminAcct)
	if ids := check(a.c.ListDetectors(ctx, &guardduty.ListDetectorsInput{})).ok(t).DetectorIds; ids == nil || len(ids) != 0 {
		t.Fatalf("ListDetectors before any = %v, want []", ids)
	}
	first := check(a.c.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true), ClientToken: aws.String("token-1")})).ok(t)
	a.det = aws.ToString(first.DetectorId)
	_, err := a.c.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true)})
	gdBadRequest(t, err, gdMsgDetectorExists)
	_, err = a.c.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(false), ClientToken: aws.String("token-2")})
	gdBadRequest(t, err, gdMsgDetectorExists)
	// A retry with the same client token is the same call.
	again := check(a.c.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true), ClientToken: aws.String("token-1")})).ok(t)
	if aws.ToString(again.DetectorId) != a.det {
		t.Fatalf("client token replay returned %s, want %s", aws.ToString(again.DetectorId), a.det)
	}
	for _, max := range []*int32{nil, aws.Int32(1), aws.Int32(50)} {
		out := check(a.c.ListDetectors(ctx, &guardduty.ListDetectorsInput{MaxResults: max})).ok(t)
		if len(out.DetectorIds) != 1 || out.DetectorIds[0] != a.det || out.NextToken != nil {
			t.Fatalf("ListDetectors(maxResults %v) = %v next %v, want exactly [%s]", aws.ToInt32(max), out.DetectorIds, out.NextToken, a.det)
		}
	}
	for _, max := range []int32{0, 51, -1} {
		_, err := a.c.ListDetectors(ctx, &guardduty.ListDetectorsInput{MaxResults: aws.Int32(max)})
		gdBadRequest(t, err, gdMsgMaxResultsBounds)
	}
	_, err = a.c.ListDetectors(ctx, &guardduty.ListDetectorsInput{NextToken: aws.String("garbage")})
	gdBadRequest(t, err, gdMsgInvalidValue)
	// Another region is another partition: a second detector there.
	west := gdNewIn(srv, adminAcct, "eu-west-1")
	if west.createDetector(t) == a.det {
		t.Fatal("eu-west-1 detector has the us-east-1 id")
	}
	if ids := check(west.c.ListDetectors(ctx, &guardduty.ListDetectorsInput{})).ok(t).DetectorIds; len(ids) != 1 || ids[0] != west.det {
		t.Fatalf("eu-west-1 ListDetectors = %v", ids)
	}
	// The disabled-at-creation detector: DISABLED.
	c := gdNew(srv, thirdAcct)
	c.det = aws.ToString(check(c.c.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(false)})).ok(t).DetectorId)
	if s := gdDetectorStatus(t, c); s != types.DetectorStatusDisabled {
		t.Fatalf("detector created with enable=false is %s", s)
	}
}

// §13.4: DeleteDetector is refused while the administrator has invited or
// associated members; Created, Removed and Resigned members do not block
// and go with the detector.
func TestGuardDuty13_4_DeleteDetectorGuard(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	accts := gdAccounts(t, srv, adminAcct, memberAcct)
	a, b := accts[0], accts[1]

	gdNone(t, "CreateMembers", check(a.c.CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: aws.String(a.det), AccountDetails: gdDetails([]string{thirdAcct})})).ok(t).UnprocessedAccounts)
	check(a.c.DeleteDetector(ctx, &guardduty.DeleteDetectorInput{DetectorId: aws.String(a.det)})).ok(t)
	a.createDetector(t)
	if got := gdStatuses(t, a, aws.String("false")); len(got) != 0 {
		t.Fatalf("Created members survived DeleteDetector: %v", got)
	}

	// Invited blocks; Removed does not.
	gdInvite(t, a, thirdAcct)
	_, err := a.c.DeleteDetector(ctx, &guardduty.DeleteDetectorInput{DetectorId: aws.String(a.det)})
	gdBadRequest(t, err, gdMsgDeleteWithMembers)
	gdNone(t, "DisassociateMembers", check(a.c.DisassociateMembers(ctx, &guardduty.DisassociateMembersInput{DetectorId: aws.String(a.det), AccountIds: []string{thirdAcct}})).ok(t).UnprocessedAccounts)
	// Enabled blocks.
	gdAssociate(t, a, b)
	_, err = a.c.DeleteDetector(ctx, &guardduty.DeleteDetectorInput{DetectorId: aws.String(a.det)})
	gdBadRequest(t, err, gdMsgDeleteWithMembers)
	// Disabled blocks.
	gdNone(t, "StopMonitoringMembers", check(a.c.StopMonitoringMembers(ctx, &guardduty.StopMonitoringMembersInput{DetectorId: aws.String(a.det), AccountIds: []string{memberAcct}})).ok(t).UnprocessedAccounts)
	_, err = a.c.DeleteDetector(ctx, &guardduty.DeleteDetectorInput{DetectorId: aws.String(a.det)})
	gdBadRequest(t, err, gdMsgDeleteWithMembers)
	gdNone(t, "StartMonitoringMembers", check(a.c.StartMonitoringMembers(ctx, &guardduty.StartMonitoringMembersInput{DetectorId: aws.String(a.det), AccountIds: []string{memberAcct}})).ok(t).UnprocessedAccounts)

	// The member may delete its own detector: it resigns, without a
	// detector id; its invitation survives the detector.
	check(b.c.DeleteDetector(ctx, &guardduty.DeleteDetectorInput{DetectorId: aws.String(b.det)})).ok(t)
	m := gdGetMember(t, a, memberAcct)
	if aws.ToString(m.RelationshipStatus) != "Resigned" || m.DetectorId != nil {
		t.Fatalf("member after deleting its detector = %+v, want Resigned without detectorId", m)
	}
	if invs := gdInvitations(t, b.c); len(invs) != 1 || invs[adminAcct].InvitationId == nil {
		t.Fatalf("B's invitations after deleting its detector = %v, want A's", invs)
	}
	if n := gdCount(t, b.c); n != 1 {
		t.Fatalf("B's count without a detector = %d, want 1", n)
	}
	// With only Removed and Resigned members, the administrator may go.
	check(a.c.DeleteDetector(ctx, &guardduty.DeleteDetectorInput{DetectorId: aws.String(a.det)})).ok(t)
	if invs := gdInvitations(t, b.c); len(invs) != 0 {
		t.Fatalf("B still lists %v after A's detector and members went", invs)
	}
}

// §13.5: statuses and transitions; GetMembers shows every status,
// ListMembers only Enabled and Disabled unless onlyAssociated=false.
func TestGuardDuty13_5_EveryStatus(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	const fifth, sixth = "555555555555", "666666666666"
	accts := gdAccounts(t, srv, adminAcct, memberAcct, thirdAcct, fourthAcct)
	a, b, c, d := accts[0], accts[1], accts[2], accts[3]
	det := aws.String(a.det)
	gdAssociate(t, a, b) // -> Disabled
	gdAssociate(t, a, c) // -> Resigned
	gdAssociate(t, a, d) // -> Removed
	gdNone(t, "stop B", check(a.c.StopMonitoringMembers(ctx, &guardduty.StopMonitoringMembersInput{DetectorId: det, AccountIds: []string{memberAcct}})).ok(t).UnprocessedAccounts)
	check(c.c.DisassociateFromAdministratorAccount(ctx, &guardduty.DisassociateFromAdministratorAccountInput{DetectorId: aws.String(c.det)})).ok(t)
	gdNone(t, "disassociate D", check(a.c.DisassociateMembers(ctx, &guardduty.DisassociateMembersInput{DetectorId: det, AccountIds: []string{fourthAcct}})).ok(t).UnprocessedAccounts)
	gdNone(t, "create E", check(a.c.CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: det, AccountDetails: gdDetails([]string{fifth})})).ok(t).UnprocessedAccounts)
	gdInvite(t, a, sixth) // no detector: Invited anyway

	want := map[string]string{memberAcct: "Disabled", thirdAcct: "Resigned", fourthAcct: "Removed", fifth: "Created", sixth: "Invited"}
	gm := check(a.c.GetMembers(ctx, &guardduty.GetMembersInput{DetectorId: det, AccountIds: gdKeys(want)})).ok(t)
	gdNone(t, "GetMembers", gm.UnprocessedAccounts)
	got := map[string]string{}
	for _, m := range gm.Members {
		got[aws.ToString(m.AccountId)] = aws.ToString(m.RelationshipStatus)
		if aws.ToString(m.MasterId) != adminAcct || aws.ToString(m.AdministratorId) != adminAcct || m.UpdatedAt == nil {
			t.Errorf("member %+v: masterId/administratorId/updatedAt", m)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("GetMembers statuses = %v, want %v", got, want)
	}
	if got := gdStatuses(t, a, nil); len(got) != 1 || got[memberAcct] != "Disabled" {
		t.Fatalf("default ListMembers = %v, want only the Disabled member", got)
	}
	if got := gdStatuses(t, a, aws.String("false")); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("ListMembers(false) = %v, want %v", got, want)
	}
	// Detector ids: present for the associated member, absent for Created.
	members := gdMembers(t, a, aws.String("false"))
	if aws.ToString(members[memberAcct].DetectorId) != b.det || members[fifth].DetectorId != nil || members[sixth].DetectorId != nil {
		t.Fatalf("detector ids: B %v, E %v, F %v", aws.ToString(members[memberAcct].DetectorId), members[fifth].DetectorId, members[sixth].DetectorId)
	}

	// Start/Stop only for associated members; others and strangers are
	// unprocessed with the not-associated text.
	const stranger = "777777777777"
	notAssoc := map[string]string{thirdAcct: gdResNotAssociated, fourthAcct: gdResNotAssociated, fifth: gdResNotAssociated, sixth: gdResNotAssociated, stranger: gdResNotAssociated}
	gdWantUnprocessed(t, "StartMonitoringMembers",
		check(a.c.StartMonitoringMembers(ctx, &guardduty.StartMonitoringMembersInput{DetectorId: det, AccountIds: append(gdKeys(notAssoc), memberAcct)})).ok(t).UnprocessedAccounts, notAssoc)
	gdWantUnprocessed(t, "StopMonitoringMembers",
		check(a.c.StopMonitoringMembers(ctx, &guardduty.StopMonitoringMembersInput{DetectorId: det, AccountIds: append(gdKeys(notAssoc), memberAcct)})).ok(t).UnprocessedAccounts, notAssoc)
	if s := gdStatus(t, a, memberAcct); s != "Disabled" {
		t.Fatalf("B after Start then Stop = %s", s)
	}
	// Disassociating a Created, Removed or Resigned member changes nothing;
	// a stranger is unprocessed.
	gdWantUnprocessed(t, "DisassociateMembers",
		check(a.c.DisassociateMembers(ctx, &guardduty.DisassociateMembersInput{DetectorId: det, AccountIds: []string{thirdAcct, fourthAcct, fifth, stranger}})).ok(t).UnprocessedAccounts,
		map[string]string{stranger: gdResNotAssociated})
	for acct, s := range map[string]string{thirdAcct: "Resigned", fourthAcct: "Removed", fifth: "Created"} {
		if got := gdStatus(t, a, acct); got != s {
			t.Errorf("%s after a no-op DisassociateMembers = %s, want %s", acct, got, s)
		}
	}
	// A Resigned member is invited again without CreateMembers: a new
	// invitation.
	oldID := gdInvitationID(t, c, adminAcct)
	gdNone(t, "InviteMembers of a Resigned member", check(a.c.InviteMembers(ctx, &guardduty.InviteMembersInput{DetectorId: det, AccountIds: []string{thirdAcct}})).ok(t).UnprocessedAccounts)
	if s := gdStatus(t, a, thirdAcct); s != "Invited" {
		t.Fatalf("re-invited Resigned member = %s", s)
	}
	if newID := gdInvitationID(t, c, adminAcct); newID == oldID {
		t.Fatalf("re-invitation kept the invitation id %s", newID)
	}
	// DeleteMembers: associated ones refused, strangers unprocessed, the
	// rest gone.
	gdWantUnprocessed(t, "DeleteMembers",
		check(a.c.DeleteMembers(ctx, &guardduty.DeleteMembersInput{DetectorId: det, AccountIds: []string{memberAcct, thirdAcct, fourthAcct, fifth, sixth, stranger}})).ok(t).UnprocessedAccounts,
		map[string]string{memberAcct: gdResStillAssociated, stranger: gdResNotAssociated})
	if got := gdStatuses(t, a, aws.String("false")); len(got) != 1 || got[memberAcct] != "Disabled" {
		t.Fatalf("members after DeleteMembers = %v, want only B", got)
	}
}

// §13.6: CreateMembers takes any 12-digit account; InviteMembers needs a
// prior CreateMembers and refuses self and already-invited accounts; the
// invitation reaches the other account even without a detector.
func TestGuardDuty13_6_CreateAndInvite(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	const unseen, neverCreated = "555555555555", "666666666666"
	a := gdAccounts(t, srv, adminAcct)[0]
	det := aws.String(a.det)

	gdNone(t, "CreateMembers of an unseen account", check(a.c.CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: det, AccountDetails: []types.AccountDetail{
		{AccountId: aws.String(unseen), Email: aws.String("placeholder@example.com")},
	}})).ok(t).UnprocessedAccounts)
	if s := gdStatus(t, a, unseen); s != "Created" {
		t.Fatalf("unseen account = %s, want Created", s)
	}
	gdWantUnprocessed(t, "CreateMembers again and self",
		check(a.c.CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: det, AccountDetails: gdDetails([]string{unseen, adminAcct})})).ok(t).UnprocessedAccounts,
		map[string]string{unseen: gdResAlreadyMember, adminAcct: gdResSelfMember})
	// An address GuardDuty would not take fails that account only.
	gdWantUnprocessed(t, "CreateMembers with a bad email",
		check(a.c.CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: det, AccountDetails: []types.AccountDetail{
			{AccountId: aws.String(thirdAcct), Email: aws.String("not-an-email")},
			{AccountId: aws.String(fourthAcct), Email: aws.String("d@example.com")},
		}})).ok(t).UnprocessedAccounts,
		map[string]string{thirdAcct: gdMsgInvalidParams})

	gdWantUnprocessed(t, "InviteMembers",
		check(a.c.InviteMembers(ctx, &guardduty.InviteMembersInput{DetectorId: det, AccountIds: []string{unseen, neverCreated, adminAcct}, Message: aws.String("hi")})).ok(t).UnprocessedAccounts,
		map[string]string{neverCreated: gdResEmailMissing, adminAcct: gdResSelfInvite})
	gdWantUnprocessed(t, "InviteMembers again",
		check(a.c.InviteMembers(ctx, &guardduty.InviteMembersInput{DetectorId: det, AccountIds: []string{unseen}})).ok(t).UnprocessedAccounts,
		map[string]string{unseen: gdResAlreadyInvited})

	// The invitee, with no detector, sees it and counts it, but cannot
	// accept without a detector of its own.
	e := gdNew(srv, unseen)
	invs := gdInvitations(t, e.c)
	if len(invs) != 1 || aws.ToString(invs[adminAcct].RelationshipStatus) != "Invited" {
		t.Fatalf("invitee without a detector lists %v", invs)
	}
	if n := gdCount(t, e.c); n != 1 {
		t.Fatalf("invitee's count = %d", n)
	}
	_, err := e.c.AcceptAdministratorInvitation(ctx, &guardduty.AcceptAdministratorInvitationInput{
		DetectorId: aws.String(strings.Repeat("ab", 16)), AdministratorId: aws.String(adminAcct), InvitationId: invs[adminAcct].InvitationId,
	})
	gdBadRequest(t, err, gdMsgNotOwned)
	e.createDetector(t)
	gdAccept(t, e, adminAcct)
	gdWantUnprocessed(t, "InviteMembers of an Enabled member",
		check(a.c.InviteMembers(ctx, &guardduty.InviteMembersInput{DetectorId: det, AccountIds: []string{unseen}})).ok(t).UnprocessedAccounts,
		map[string]string{unseen: gdResAlreadyInvited})
	// Nobody else sees the invitation.
	if invs := gdInvitations(t, gdClient(srv, neverCreated)); len(invs) != 0 {
		t.Fatalf("an account never invited lists %v", invs)
	}
}

// §13.7: an account is never administrator and member at once.
func TestGuardDuty13_7_CrossAccountInvariants(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	accts := gdAccounts(t, srv, adminAcct, memberAcct, thirdAcct, fourthAcct)
	a, b, c, d := accts[0], accts[1], accts[2], accts[3]

	gdAssociate(t, a, b)
	// Accepting the current administrator's invitation again is refused
	// like any accept by an associated member (spec §7, precondition 1).
	t.Run("accept the current invitation again", func(t *testing.T) {
		_, err := b.c.AcceptAdministratorInvitation(ctx, &guardduty.AcceptAdministratorInvitationInput{
			DetectorId: aws.String(b.det), AdministratorId: aws.String(adminAcct), InvitationId: aws.String(gdCurrentInvitationID(t, b)),
		})
		if err == nil {
			t.Fatalf("a second AcceptAdministratorInvitation of the current invitation succeeds; spec §7 precondition 1 wants 400 %q (or %q)",
				gdMsgAcceptWhileMember, gdMsgNoInvitation)
		}
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || (apiErr.ErrorMessage() != gdMsgAcceptWhileMember && apiErr.ErrorMessage() != gdMsgNoInvitation) {
			t.Fatalf("second accept: %v, want %q or %q", err, gdMsgAcceptWhileMember, gdMsgNoInvitation)
		}
		gdWantError(t, err, "BadRequestException", 400, apiErr.ErrorMessage())
	})
	// C invites A and D; D only has a Created member of its own.
	gdInvite(t, c, adminAcct, fourthAcct)
	gdNone(t, "D creates", check(d.c.CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: aws.String(d.det), AccountDetails: gdDetails([]string{"555555555555"})})).ok(t).UnprocessedAccounts)
	accept := func(x *gdAcct, admin string) error {
		_, err := x.c.AcceptAdministratorInvitation(ctx, &guardduty.AcceptAdministratorInvitationInput{
			DetectorId: aws.String(x.det), AdministratorId: aws.String(admin), InvitationId: aws.String(gdInvitationID(t, x, admin)),
		})
		return err
	}
	// An administrator (with an Enabled member) cannot accept; even a
	// Created member is enough to block.
	gdBadRequest(t, accept(a, thirdAcct), gdMsgAcceptWithMembers)
	gdBadRequest(t, accept(d, thirdAcct), gdMsgAcceptWithMembers)
	_, err := d.c.AcceptInvitation(ctx, &guardduty.AcceptInvitationInput{DetectorId: aws.String(d.det), MasterId: aws.String(thirdAcct), InvitationId: aws.String(gdInvitationID(t, d, thirdAcct))})
	gdBadRequest(t, err, gdMsgAcceptWithMembers)

	// B resigns: A's record is Resigned, which does not block A, so A
	// joins C. B cannot go back to A, now a member of C.
	check(b.c.DisassociateFromAdministratorAccount(ctx, &guardduty.DisassociateFromAdministratorAccountInput{DetectorId: aws.String(b.det)})).ok(t)
	check(a.c.AcceptAdministratorInvitation(ctx, &guardduty.AcceptAdministratorInvitationInput{
		DetectorId: aws.String(a.det), AdministratorId: aws.String(thirdAcct), InvitationId: aws.String(gdInvitationID(t, a, thirdAcct)),
	})).ok(t)
	gdBadRequest(t, accept(b, adminAcct), gdMsgInviterIsMember)
	if s := gdStatus(t, a, memberAcct); s != "Resigned" {
		t.Fatalf("a refused accept changed B to %s", s)
	}
	// A, a member now, cannot create or invite members; its Resigned record
	// of B cannot be re-invited either.
	gdWantUnprocessed(t, "CreateMembers by a member",
		check(a.c.CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: aws.String(a.det), AccountDetails: gdDetails([]string{fourthAcct})})).ok(t).UnprocessedAccounts,
		map[string]string{fourthAcct: gdResCreateByMember})
	gdWantUnprocessed(t, "InviteMembers by a member",
		check(a.c.InviteMembers(ctx, &guardduty.InviteMembersInput{DetectorId: aws.String(a.det), AccountIds: []string{memberAcct}})).ok(t).UnprocessedAccounts,
		map[string]string{memberAcct: gdResInviteByMember})
	// A, associated with C, cannot accept anything else, nor C's again.
	gdBadRequest(t, accept(b, adminAcct), gdMsgInviterIsMember)
	_, err = a.c.AcceptAdministratorInvitation(ctx, &guardduty.AcceptAdministratorInvitationInput{
		DetectorId: aws.String(a.det), AdministratorId: aws.String(fourthAcct), InvitationId: aws.String(strings.Repeat("c", 32)),
	})
	gdBadRequest(t, err, gdMsgAcceptWhileMember)

	// The member's side of its current invitation: it cannot delete it;
	// declining it is refused too.
	gdWantUnprocessed(t, "DeleteInvitations of the current administrator",
		check(a.c.DeleteInvitations(ctx, &guardduty.DeleteInvitationsInput{AccountIds: []string{thirdAcct}})).ok(t).UnprocessedAccounts,
		map[string]string{thirdAcct: gdResCannotDeleteInvitation})
	dec := check(a.c.DeclineInvitations(ctx, &guardduty.DeclineInvitationsInput{AccountIds: []string{thirdAcct, fourthAcct}})).ok(t)
	got := map[string]string{}
	for _, u := range dec.UnprocessedAccounts {
		got[aws.ToString(u.AccountId)] = aws.ToString(u.Result)
	}
	if len(got) != 2 || got[thirdAcct] == "" || got[fourthAcct] != gdMsgNoInvitation {
		t.Fatalf("DeclineInvitations unprocessed = %v, want the current administrator and the stranger (%q)", got, gdMsgNoInvitation)
	}
	if adm := gdAdministrator(t, a); adm == nil || aws.ToString(adm.AccountId) != thirdAcct {
		t.Fatalf("A's administrator after the refused decline = %+v", adm)
	}
	// D (no administrator) has nothing to leave.
	_, err = d.c.DisassociateFromAdministratorAccount(ctx, &guardduty.DisassociateFromAdministratorAccountInput{DetectorId: aws.String(d.det)})
	gdBadRequest(t, err, gdMsgNoAdministrator)
}

// gdCurrentInvitationID is the invitation id of member's current
// administrator.
func gdCurrentInvitationID(t *testing.T, member *gdAcct) string {
	t.Helper()
	adm := gdAdministrator(t, member)
	if adm == nil {
		t.Fatalf("%s has no administrator", member.id)
	}
	return aws.ToString(adm.InvitationId)
}

// §13.8: the deprecated "master" endpoints, and GetAdministratorAccount /
// GetMasterAccount answering 200 without an object when there is no
// administrator.
func TestGuardDuty13_8_MasterEndpoints(t *testing.T) {
	srv := newServer(t)
	accts := gdAccounts(t, srv, adminAcct, memberAcct, thirdAcct)
	a, b := accts[0], accts[1]
	gdInvite(t, a, memberAcct)
	id := gdInvitationID(t, b, adminAcct)
	call := func(account, method, path, body string) rawResponse {
		return gdRaw(t, srv, account, method, path, body)
	}

	noObject := func(what string, r rawResponse, key string) {
		t.Helper()
		body := r.JSON(t)
		if r.Status != 200 || len(body) != 0 {
			t.Fatalf("%s: %d %s, want 200 with no %q object", what, r.Status, r.Body, key)
		}
	}
	// Pending only, admin, standalone: no object.
	noObject("B pending", call(memberAcct, "GET", "/detector/"+b.det+"/master", ""), "master")
	noObject("A admin", call(adminAcct, "GET", "/detector/"+a.det+"/administrator", ""), "administrator")
	noObject("C standalone", call(thirdAcct, "GET", "/detector/"+accts[2].det+"/master", ""), "master")

	// Accept through /master with masterId.
	gdWantRawBadRequest(t, "accept without masterId", call(memberAcct, "POST", "/detector/"+b.det+"/master", `{"invitationId":"`+id+`"}`), gdMsgInvalidValue)
	gdWantRawBadRequest(t, "accept with an empty invitationId", call(memberAcct, "POST", "/detector/"+b.det+"/master", `{"masterId":"`+adminAcct+`","invitationId":""}`), gdMsgInvalidValue)
	gdWantRawBadRequest(t, "accept with another invitationId", call(memberAcct, "POST", "/detector/"+b.det+"/master", `{"masterId":"`+adminAcct+`","invitationId":"`+strings.Repeat("e", 32)+`"}`), gdMsgNoInvitation)
	gdWantRawBadRequest(t, "administratorId on /master", call(memberAcct, "POST", "/detector/"+b.det+"/master", `{"administratorId":"`+adminAcct+`","invitationId":"`+id+`"}`), gdMsgInvalidValue)
	if r := call(memberAcct, "POST", "/detector/"+b.det+"/master", `{"masterId":"`+adminAcct+`","invitationId":"`+id+`"}`); r.Status != 200 {
		t.Fatalf("AcceptInvitation: %d %s", r.Status, r.Body)
	}
	for _, tc := range []struct{ path, key string }{{"/master", "master"}, {"/administrator", "administrator"}} {
		r := call(memberAcct, "GET", "/detector/"+b.det+tc.path, "")
		body := r.JSON(t)
		obj, ok := body[tc.key].(map[string]any)
		if r.Status != 200 || !ok || len(body) != 1 {
			t.Fatalf("GET %s: %d %s, want a %q object", tc.path, r.Status, r.Body, tc.key)
		}
		if obj["accountId"] != adminAcct || obj["invitationId"] != id || obj["relationshipStatus"] != "Enabled" || !gdISOTime.MatchString(fmt.Sprint(obj["invitedAt"])) || len(obj) != 4 {
			t.Fatalf("GET %s: %s, want accountId, invitationId, relationshipStatus Enabled and an ISO invitedAt", tc.path, r.Body)
		}
	}
	// Disassociate through /master with no body at all.
	if r := call(memberAcct, "POST", "/detector/"+b.det+"/master/disassociate", ""); r.Status != 200 {
		t.Fatalf("DisassociateFromMasterAccount without a body: %d %s", r.Status, r.Body)
	}
	noObject("B resigned", call(memberAcct, "GET", "/detector/"+b.det+"/master", ""), "master")
	noObject("B resigned", call(memberAcct, "GET", "/detector/"+b.det+"/administrator", ""), "administrator")
	gdWantRawBadRequest(t, "second disassociate", call(memberAcct, "POST", "/detector/"+b.det+"/administrator/disassociate", ""), gdMsgNoAdministrator)
	// Accept through /administrator with administratorId.
	if r := call(memberAcct, "POST", "/detector/"+b.det+"/administrator", `{"administratorId":"`+adminAcct+`","invitationId":"`+id+`"}`); r.Status != 200 {
		t.Fatalf("AcceptAdministratorInvitation: %d %s", r.Status, r.Body)
	}
	if s := gdStatus(t, a, memberAcct); s != "Enabled" {
		t.Fatalf("after the raw accept A sees %s", s)
	}
}

// §13.9: wire details: camelCase, ISO strings and epoch numbers, string
// onlyAssociated, escaped tag ARNs, 204s, bodiless requests, server-side
// limits.
func TestGuardDuty13_9_WireDetails(t *testing.T) {
	srv := newServer(t)
	call := func(account, method, path, body string) rawResponse {
		return gdRaw(t, srv, account, method, path, body)
	}
	r := call(adminAcct, "POST", "/detector", `{"enable":true,"clientToken":"7f0c2e3a-2b1d-4c5e-9f00-0123456789ab"}`)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/json" || r.Header.Get("x-amzn-RequestId") == "" {
		t.Fatalf("CreateDetector: %d %v %s", r.Status, r.Header, r.Body)
	}
	det, _ := r.JSON(t)["detectorId"].(string)
	if !invitationIDPattern.MatchString(det) || len(r.JSON(t)) != 1 {
		t.Fatalf("CreateDetector body %s, want only a 32-hex detectorId", r.Body)
	}
	call(memberAcct, "POST", "/detector", `{"enable":true}`)
	// Lists are always there, empty or not.
	for _, tc := range []struct{ account, path, want string }{
		{adminAcct, "/detector/" + det + "/member", `{"members":[]}`},
		{adminAcct, "/detector/" + det + "/member?onlyAssociated=false", `{"members":[]}`},
		{adminAcct, "/invitation", `{"invitations":[]}`},
		{adminAcct, "/invitation/count", `{"invitationsCount":0}`},
		{thirdAcct, "/detector", `{"detectorIds":[]}`},
		{adminAcct, "/detector", `{"detectorIds":["` + det + `"]}`},
	} {
		if r := call(tc.account, "GET", tc.path, ""); r.Status != 200 || string(r.Body) != tc.want {
			t.Errorf("GET %s as %s: %d %s, want %s", tc.path, tc.account, r.Status, r.Body, tc.want)
		}
	}

	// Terraform's InviteMembers: empty message, explicit false.
	if r := call(adminAcct, "POST", "/detector/"+det+"/member", `{"accountDetails":[{"accountId":"`+memberAcct+`","email":"b@example.com"}]}`); r.Status != 200 {
		t.Fatalf("CreateMembers: %d %s", r.Status, r.Body)
	}
	if r := call(adminAcct, "POST", "/detector/"+det+"/member/invite", `{"accountIds":["`+memberAcct+`"],"message":"","disableEmailNotification":false}`); r.Status != 200 || string(r.Body) != `{"unprocessedAccounts":[]}` {
		t.Fatalf("InviteMembers: %d %s", r.Status, r.Body)
	}
	// Member objects: camelCase names, ISO timestamps.
	r = call(adminAcct, "GET", "/detector/"+det+"/member?onlyAssociated=false&maxResults=5", "")
	members, _ := r.JSON(t)["members"].([]any)
	if r.Status != 200 || len(members) != 1 {
		t.Fatalf("ListMembers: %d %s", r.Status, r.Body)
	}
	m := members[0].(map[string]any)
	for _, key := range []string{"accountId", "email", "masterId", "administratorId", "relationshipStatus", "invitedAt", "updatedAt"} {
		if _, ok := m[key]; !ok {
			t.Errorf("member object %s lacks %q", r.Body, key)
		}
	}
	for key := range m {
		if key[0] < 'a' || key[0] > 'z' {
			t.Errorf("member object key %q is not camelCase", key)
		}
	}
	if !gdISOTime.MatchString(fmt.Sprint(m["invitedAt"])) || !gdISOTime.MatchString(fmt.Sprint(m["updatedAt"])) {
		t.Errorf("member timestamps %v %v are not ISO 8601 UTC with milliseconds", m["invitedAt"], m["updatedAt"])
	}
	if _, has := r.JSON(t)["nextToken"]; has {
		t.Errorf("the last page carries a nextToken: %s", r.Body)
	}
	r = call(memberAcct, "GET", "/invitation", "")
	invs, _ := r.JSON(t)["invitations"].([]any)
	if r.Status != 200 || len(invs) != 1 {
		t.Fatalf("ListInvitations: %d %s", r.Status, r.Body)
	}
	inv := invs[0].(map[string]any)
	if inv["accountId"] != adminAcct || inv["relationshipStatus"] != "Invited" || !invitationIDPattern.MatchString(fmt.Sprint(inv["invitationId"])) || !gdISOTime.MatchString(fmt.Sprint(inv["invitedAt"])) {
		t.Fatalf("invitation %s", r.Body)
	}
	if _, has := r.JSON(t)["nextToken"]; has {
		t.Errorf("ListInvitations' last page carries a nextToken: %s", r.Body)
	}
	if r := call(memberAcct, "GET", "/invitation/count", ""); r.Status != 200 || string(r.Body) != `{"invitationsCount":1}` {
		t.Fatalf("GetInvitationsCount: %d %s", r.Status, r.Body)
	}
	// GetDetector's timestamps: ISO strings for the detector, epoch numbers
	// inside features.
	r = call(adminAcct, "GET", "/detector/"+det, "")
	body := r.JSON(t)
	if !gdISOTime.MatchString(fmt.Sprint(body["createdAt"])) || !gdISOTime.MatchString(fmt.Sprint(body["updatedAt"])) {
		t.Fatalf("detector createdAt/updatedAt %v %v", body["createdAt"], body["updatedAt"])
	}
	features, _ := body["features"].([]any)
	if len(features) == 0 {
		t.Fatalf("GetDetector without features: %s", r.Body)
	}
	for _, f := range features {
		fm := f.(map[string]any)
		if _, isNumber := fm["updatedAt"].(float64); !isNumber {
			t.Errorf("feature %v: updatedAt %#v is not a JSON number", fm["name"], fm["updatedAt"])
		}
		extra, _ := fm["additionalConfiguration"].([]any)
		for _, x := range extra {
			if _, isNumber := x.(map[string]any)["updatedAt"].(float64); !isNumber {
				t.Errorf("feature %v additional configuration %v: updatedAt is not a JSON number", fm["name"], x)
			}
		}
	}

	// Tags: the ARN fully percent-encoded in the path; 204 with no body.
	arn := "arn:aws:guardduty:us-east-1:" + adminAcct + ":detector/" + det
	escaped := gdEscapeARN(arn)
	if !strings.Contains(escaped, "%3A") || !strings.Contains(escaped, "%2F") {
		t.Fatalf("escaped ARN %s", escaped)
	}
	if r := call(adminAcct, "POST", "/tags/"+escaped, `{"tags":{"a":"1","b:c/d":"2 with space"}}`); r.Status != 204 || len(r.Body) != 0 {
		t.Fatalf("TagResource: %d %q, want 204 and no body", r.Status, r.Body)
	}
	if r := call(adminAcct, "GET", "/tags/"+escaped, ""); r.Status != 200 || string(r.Body) != `{"tags":{"a":"1","b:c/d":"2 with space"}}` {
		t.Fatalf("ListTagsForResource: %d %s", r.Status, r.Body)
	}
	if r := call(adminAcct, "DELETE", "/tags/"+escaped+"?tagKeys=a&tagKeys=b%3Ac%2Fd", ""); r.Status != 204 || len(r.Body) != 0 {
		t.Fatalf("UntagResource: %d %q, want 204", r.Status, r.Body)
	}
	if r := call(adminAcct, "GET", "/tags/"+escaped, ""); r.Status != 200 || string(r.Body) != `{"tags":{}}` {
		t.Fatalf("ListTagsForResource after untag: %d %s, want {\"tags\":{}}", r.Status, r.Body)
	}

	// Empty outputs: 200 with nothing or {}.
	for _, tc := range []struct{ method, path, body string }{
		{"POST", "/detector/" + det, `{"findingPublishingFrequency":"ONE_HOUR"}`},
	} {
		r := call(adminAcct, tc.method, tc.path, tc.body)
		if r.Status != 200 || (len(r.Body) != 0 && string(r.Body) != "{}") {
			t.Errorf("%s %s: %d %q, want 200 with an empty body", tc.method, tc.path, r.Status, r.Body)
		}
	}

	// Server-side limits the SDKs do not check.
	for _, path := range []string{"/detector/" + det + "/member", "/invitation", "/detector", "/admin", "/detector/" + det + "/admin"} {
		gdWantRawBadRequest(t, path+" maxResults=51", call(adminAcct, "GET", path+"?maxResults=51", ""), gdMsgMaxResultsBounds)
		gdWantRawBadRequest(t, path+" maxResults=x", call(adminAcct, "GET", path+"?maxResults=x", ""), gdMsgMaxResultsInvalid)
	}
	gdWantRawBadRequest(t, "bad nextToken", call(adminAcct, "GET", "/detector/"+det+"/member?nextToken=garbage!!", ""), gdMsgInvalidValue)

	// Bodiless DELETE of a detector with only a Removed member.
	call(adminAcct, "POST", "/detector/"+det+"/member/disassociate", `{"accountIds":["`+memberAcct+`"]}`)
	if r := call(adminAcct, "DELETE", "/detector/"+det, ""); r.Status != 200 || (len(r.Body) != 0 && string(r.Body) != "{}") {
		t.Fatalf("DeleteDetector without a body: %d %s", r.Status, r.Body)
	}

	// An operation localsec does not serve under /detector/{id}: an AWS
	// error, not a success or a Go 404 page.
	r = call(memberAcct, "GET", "/detector/"+det+"/filter", "")
	if r.Status < 400 || r.Status >= 500 || r.Header.Get("X-Amzn-ErrorType") == "" || r.JSON(t)["message"] == "" {
		t.Fatalf("out-of-scope operation: %d %v %s", r.Status, r.Header, r.Body)
	}
}

// §13.10: GetDetector gives back what Terraform reads: defaults, written
// values, one feature per name, tags.
func TestGuardDuty13_10_DetectorReadBack(t *testing.T) {
	ctx := context.Background()
	clk := &gdClock{now: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}
	start := clk.Now()
	srv := newServer(t, localsectest.WithClock(clk.Now))
	a := gdAccounts(t, srv, adminAcct)[0]
	det := aws.String(a.det)

	got := check(a.c.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: det})).ok(t)
	wantRole := "arn:aws:iam::" + adminAcct + ":role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty"
	if got.Status != types.DetectorStatusEnabled || aws.ToString(got.ServiceRole) != wantRole || got.FindingPublishingFrequency != types.FindingPublishingFrequencySixHours {
		t.Fatalf("GetDetector = status %s role %q frequency %s", got.Status, aws.ToString(got.ServiceRole), got.FindingPublishingFrequency)
	}
	if aws.ToString(got.CreatedAt) != "2024-05-01T12:00:00.000Z" || aws.ToString(got.UpdatedAt) != "2024-05-01T12:00:00.000Z" {
		t.Fatalf("createdAt %v updatedAt %v", aws.ToString(got.CreatedAt), aws.ToString(got.UpdatedAt))
	}
	ds := got.DataSources
	if ds == nil || ds.CloudTrail.Status != types.DataSourceStatusEnabled || ds.DNSLogs.Status != types.DataSourceStatusEnabled ||
		ds.FlowLogs.Status != types.DataSourceStatusEnabled || ds.S3Logs.Status != types.DataSourceStatusEnabled ||
		ds.Kubernetes == nil || ds.Kubernetes.AuditLogs.Status != types.DataSourceStatusEnabled ||
		ds.MalwareProtection == nil || ds.MalwareProtection.ScanEc2InstanceWithFindings.EbsVolumes.Status != types.DataSourceStatusEnabled {
		t.Fatalf("default dataSources = %+v", ds)
	}
	if got.Tags == nil || len(got.Tags) != 0 {
		t.Fatalf("tags = %v, want {}", got.Tags)
	}
	if r := gdRaw(t, srv, adminAcct, "GET", "/detector/"+a.det, ""); !strings.Contains(string(r.Body), `"tags":{}`) {
		t.Fatalf("GetDetector body lacks \"tags\":{}: %s", r.Body)
	}
	wantAdditional := map[string][]string{
		"EKS_RUNTIME_MONITORING": {"EKS_ADDON_MANAGEMENT"},
		"RUNTIME_MONITORING":     {"EKS_ADDON_MANAGEMENT", "ECS_FARGATE_AGENT_MANAGEMENT", "EC2_AGENT_MANAGEMENT"},
	}
	names := types.DetectorFeatureResult("").Values()
	if len(got.Features) != len(names) {
		t.Fatalf("%d features, want one per name (%d)", len(got.Features), len(names))
	}
	for _, name := range names {
		f := gdFeature(t, got.Features, string(name))
		wantStatus := types.FeatureStatusEnabled
		if name == "RUNTIME_MONITORING" || name == "EKS_RUNTIME_MONITORING" {
			wantStatus = types.FeatureStatusDisabled
		}
		if f.Status != wantStatus || f.UpdatedAt == nil || !f.UpdatedAt.Equal(start) {
			t.Errorf("feature %s = %s at %v, want %s at %v", name, f.Status, f.UpdatedAt, wantStatus, start)
		}
		var extra []string
		for _, x := range f.AdditionalConfiguration {
			extra = append(extra, string(x.Name))
			if x.Status != types.FeatureStatusDisabled || x.UpdatedAt == nil {
				t.Errorf("feature %s additional %s = %s at %v", name, x.Name, x.Status, x.UpdatedAt)
			}
		}
		if fmt.Sprint(extra) != fmt.Sprint(wantAdditional[string(name)]) {
			t.Errorf("feature %s additionalConfiguration = %v, want %v", name, extra, wantAdditional[string(name)])
		}
	}

	// Partial updates: only what is named changes, with its updatedAt.
	later := clk.advance(time.Hour)
	check(a.c.UpdateDetector(ctx, &guardduty.UpdateDetectorInput{DetectorId: det, Features: []types.DetectorFeatureConfiguration{{
		Name: types.DetectorFeatureEksRuntimeMonitoring, Status: types.FeatureStatusEnabled,
		AdditionalConfiguration: []types.DetectorAdditionalConfiguration{{Name: types.FeatureAdditionalConfigurationEksAddonManagement, Status: types.FeatureStatusEnabled}},
	}}})).ok(t)
	got = check(a.c.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: det})).ok(t)
	eks := gdFeature(t, got.Features, "EKS_RUNTIME_MONITORING")
	if eks.Status != types.FeatureStatusEnabled || !eks.UpdatedAt.Equal(later) || eks.AdditionalConfiguration[0].Status != types.FeatureStatusEnabled || !eks.AdditionalConfiguration[0].UpdatedAt.Equal(later) {
		t.Fatalf("EKS_RUNTIME_MONITORING after update = %+v", eks)
	}
	if s3 := gdFeature(t, got.Features, "S3_DATA_EVENTS"); s3.Status != types.FeatureStatusEnabled || !s3.UpdatedAt.Equal(start) {
		t.Fatalf("S3_DATA_EVENTS changed: %+v", s3)
	}
	if got.FindingPublishingFrequency != types.FindingPublishingFrequencySixHours || aws.ToString(got.UpdatedAt) != "2024-05-01T13:00:00.000Z" {
		t.Fatalf("after a feature update: frequency %s updatedAt %s", got.FindingPublishingFrequency, aws.ToString(got.UpdatedAt))
	}
	check(a.c.UpdateDetector(ctx, &guardduty.UpdateDetectorInput{DetectorId: det, Enable: aws.Bool(true), FindingPublishingFrequency: types.FindingPublishingFrequencyFifteenMinutes})).ok(t)
	got = check(a.c.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: det})).ok(t)
	if got.FindingPublishingFrequency != types.FindingPublishingFrequencyFifteenMinutes || gdFeature(t, got.Features, "EKS_RUNTIME_MONITORING").Status != types.FeatureStatusEnabled {
		t.Fatalf("frequency-only update: frequency %s, EKS runtime %s", got.FindingPublishingFrequency, gdFeature(t, got.Features, "EKS_RUNTIME_MONITORING").Status)
	}
	// The deprecated dataSources write the features, and the other way.
	check(a.c.UpdateDetector(ctx, &guardduty.UpdateDetectorInput{DetectorId: det, DataSources: &types.DataSourceConfigurations{
		S3Logs:     &types.S3LogsConfiguration{Enable: aws.Bool(false)},
		Kubernetes: &types.KubernetesConfiguration{AuditLogs: &types.KubernetesAuditLogsConfiguration{Enable: aws.Bool(false)}},
	}})).ok(t)
	check(a.c.UpdateDetector(ctx, &guardduty.UpdateDetectorInput{DetectorId: det, Features: []types.DetectorFeatureConfiguration{{Name: types.DetectorFeatureEbsMalwareProtection, Status: types.FeatureStatusDisabled}}})).ok(t)
	got = check(a.c.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: det})).ok(t)
	if got.DataSources.S3Logs.Status != types.DataSourceStatusDisabled || gdFeature(t, got.Features, "S3_DATA_EVENTS").Status != types.FeatureStatusDisabled ||
		got.DataSources.Kubernetes.AuditLogs.Status != types.DataSourceStatusDisabled || gdFeature(t, got.Features, "EKS_AUDIT_LOGS").Status != types.FeatureStatusDisabled ||
		got.DataSources.MalwareProtection.ScanEc2InstanceWithFindings.EbsVolumes.Status != types.DataSourceStatusDisabled ||
		got.DataSources.CloudTrail.Status != types.DataSourceStatusEnabled {
		t.Fatalf("dataSources and features disagree: %+v", got.DataSources)
	}
	check(a.c.UpdateDetector(ctx, &guardduty.UpdateDetectorInput{DetectorId: det, Enable: aws.Bool(false)})).ok(t)
	if s := gdDetectorStatus(t, a); s != types.DetectorStatusDisabled {
		t.Fatalf("after enable=false: %s", s)
	}

	// Refused updates change nothing.
	for name, in := range map[string]*guardduty.UpdateDetectorInput{
		"both runtime features": {DetectorId: det, Features: []types.DetectorFeatureConfiguration{
			{Name: types.DetectorFeatureEksRuntimeMonitoring, Status: types.FeatureStatusDisabled},
			{Name: types.DetectorFeatureRuntimeMonitoring, Status: types.FeatureStatusEnabled},
		}},
		"foundational feature": {DetectorId: det, Features: []types.DetectorFeatureConfiguration{{Name: "CLOUD_TRAIL", Status: types.FeatureStatusDisabled}}},
		"unknown feature":      {DetectorId: det, Features: []types.DetectorFeatureConfiguration{{Name: "TELEPATHY", Status: types.FeatureStatusEnabled}}},
		"bad status":           {DetectorId: det, Features: []types.DetectorFeatureConfiguration{{Name: types.DetectorFeatureRdsLoginEvents, Status: "ON"}}},
		"additional of another feature": {DetectorId: det, Features: []types.DetectorFeatureConfiguration{{
			Name: types.DetectorFeatureEksRuntimeMonitoring, Status: types.FeatureStatusEnabled,
			AdditionalConfiguration: []types.DetectorAdditionalConfiguration{{Name: types.FeatureAdditionalConfigurationEc2AgentManagement, Status: types.FeatureStatusEnabled}},
		}}},
		"additional where there is none": {DetectorId: det, Features: []types.DetectorFeatureConfiguration{{
			Name: types.DetectorFeatureRdsLoginEvents, Status: types.FeatureStatusEnabled,
			AdditionalConfiguration: []types.DetectorAdditionalConfiguration{{Name: types.FeatureAdditionalConfigurationEksAddonManagement, Status: types.FeatureStatusEnabled}},
		}}},
		"bad frequency": {DetectorId: det, FindingPublishingFrequency: "EVERY_DAY"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := a.c.UpdateDetector(ctx, in)
			gdBadRequest(t, err, gdMsgInvalidValue)
		})
	}
	if f := gdFeature(t, check(a.c.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: det})).ok(t).Features, "RUNTIME_MONITORING"); f.Status != types.FeatureStatusDisabled {
		t.Fatalf("a refused update enabled RUNTIME_MONITORING")
	}

	// CreateDetector echoes what it was given.
	b := gdNew(srv, memberAcct)
	b.det = aws.ToString(check(b.c.CreateDetector(ctx, &guardduty.CreateDetectorInput{
		Enable: aws.Bool(true), FindingPublishingFrequency: types.FindingPublishingFrequencyOneHour,
		DataSources: &types.DataSourceConfigurations{S3Logs: &types.S3LogsConfiguration{Enable: aws.Bool(false)}},
		Features:    []types.DetectorFeatureConfiguration{{Name: types.DetectorFeatureRdsLoginEvents, Status: types.FeatureStatusDisabled}},
		Tags:        map[string]string{"env": "test", "team:name/x": "a b"},
	})).ok(t).DetectorId)
	bGot := check(b.c.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String(b.det)})).ok(t)
	if bGot.FindingPublishingFrequency != types.FindingPublishingFrequencyOneHour || bGot.DataSources.S3Logs.Status != types.DataSourceStatusDisabled ||
		gdFeature(t, bGot.Features, "RDS_LOGIN_EVENTS").Status != types.FeatureStatusDisabled || len(bGot.Tags) != 2 || bGot.Tags["team:name/x"] != "a b" ||
		gdFeature(t, bGot.Features, "LAMBDA_NETWORK_LOGS").Status != types.FeatureStatusEnabled {
		t.Fatalf("GetDetector after a full CreateDetector = %+v", bGot)
	}
	for name, in := range map[string]*guardduty.CreateDetectorInput{
		"both runtime features": {Enable: aws.Bool(true), Features: []types.DetectorFeatureConfiguration{
			{Name: types.DetectorFeatureEksRuntimeMonitoring, Status: types.FeatureStatusEnabled},
			{Name: types.DetectorFeatureRuntimeMonitoring, Status: types.FeatureStatusEnabled},
		}},
		"aws: tag":      {Enable: aws.Bool(true), Tags: map[string]string{"aws:owner": "x"}},
		"bad frequency": {Enable: aws.Bool(true), FindingPublishingFrequency: "DAILY"},
	} {
		t.Run("CreateDetector "+name, func(t *testing.T) {
			_, err := gdClient(srv, thirdAcct).CreateDetector(ctx, in)
			gdBadRequest(t, err, gdMsgInvalidValue)
		})
	}
	if ids := check(gdClient(srv, thirdAcct).ListDetectors(ctx, &guardduty.ListDetectorsInput{})).ok(t).DetectorIds; len(ids) != 0 {
		t.Fatalf("a refused CreateDetector made %v", ids)
	}

	// Tags set by TagResource show in GetDetector; UntagResource removes them.
	arn := aws.String(a.arn("us-east-1"))
	check(a.c.TagResource(ctx, &guardduty.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"k1": "v1", "k2": "v2"}})).ok(t)
	if tags := check(a.c.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: det})).ok(t).Tags; len(tags) != 2 || tags["k1"] != "v1" {
		t.Fatalf("GetDetector tags after TagResource = %v", tags)
	}
	check(a.c.UntagResource(ctx, &guardduty.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"k1", "never-set"}})).ok(t)
	if tags := check(a.c.ListTagsForResource(ctx, &guardduty.ListTagsForResourceInput{ResourceArn: arn})).ok(t).Tags; len(tags) != 1 || tags["k2"] != "v2" {
		t.Fatalf("ListTagsForResource after untag = %v", tags)
	}
	if tags := check(a.c.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: det})).ok(t).Tags; len(tags) != 1 || tags["k2"] != "v2" {
		t.Fatalf("GetDetector tags after untag = %v", tags)
	}

	// Another account's detector ARN: 403 AccessDeniedException.
	otherARN := aws.String(b.arn("us-east-1"))
	_, err := a.c.TagResource(ctx, &guardduty.TagResourceInput{ResourceArn: otherARN, Tags: map[string]string{"x": "y"}})
	wantAPIError(t, err, "AccessDeniedException", 403, "")
	_, err = a.c.UntagResource(ctx, &guardduty.UntagResourceInput{ResourceArn: otherARN, TagKeys: []string{"env"}})
	wantAPIError(t, err, "AccessDeniedException", 403, "")
	_, err = a.c.ListTagsForResource(ctx, &guardduty.ListTagsForResourceInput{ResourceArn: otherARN})
	wantAPIError(t, err, "AccessDeniedException", 403, "")
	r := gdRaw(t, srv, adminAcct, "GET", "/tags/"+gdEscapeARN(b.arn("us-east-1")), "")
	if r.Status != 403 || r.Header.Get("X-Amzn-ErrorType") != "AccessDeniedException" || r.JSON(t)["message"] == "" {
		t.Fatalf("raw ListTagsForResource of another account: %d %v %s", r.Status, r.Header, r.Body)
	}
	if tags := check(b.c.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String(b.det)})).ok(t).Tags; len(tags) != 2 {
		t.Fatalf("B's tags changed by A: %v", tags)
	}
	// Own account, no such detector; malformed ARNs; bad keys; too many.
	_, err = a.c.ListTagsForResource(ctx, &guardduty.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:guardduty:us-east-1:" + adminAcct + ":detector/" + strings.Repeat("1", 32))})
	wantAPIError(t, err, "BadRequestException", 400, "")
	for _, bad := range []string{"arn:aws:macie2:us-east-1:" + adminAcct + ":member/" + memberAcct, "not-an-arn", "arn:aws:guardduty:us-east-1:" + adminAcct + ":detector/short"} {
		_, err = a.c.ListTagsForResource(ctx, &guardduty.ListTagsForResourceInput{ResourceArn: aws.String(bad)})
		gdBadRequest(t, err, gdMsgInvalidValue)
	}
	_, err = a.c.TagResource(ctx, &guardduty.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"aws:reserved": "y"}})
	gdBadRequest(t, err, gdMsgInvalidValue)
	_, err = a.c.TagResource(ctx, &guardduty.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"bad key!": "y"}})
	gdBadRequest(t, err, gdMsgInvalidValue)
	_, err = a.c.TagResource(ctx, &guardduty.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"k": strings.Repeat("v", 257)}})
	gdBadRequest(t, err, gdMsgInvalidValue)
	many := map[string]string{}
	for i := 0; i < 50; i++ {
		many[fmt.Sprintf("n%d", i)] = "v"
	}
	_, err = a.c.TagResource(ctx, &guardduty.TagResourceInput{ResourceArn: arn, Tags: many})
	gdBadRequest(t, err, gdMsgInvalidValue)
	if tags := check(a.c.ListTagsForResource(ctx, &guardduty.ListTagsForResourceInput{ResourceArn: arn})).ok(t).Tags; len(tags) != 1 {
		t.Fatalf("refused TagResource calls changed the tags: %v", tags)
	}
}

// §9: pagination of ListMembers and ListInvitations.
func TestGuardDutyPagination(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	a := gdAccounts(t, srv, adminAcct)[0]
	ids := gdAccountIDs('5', 60)
	for i := 0; i < len(ids); i += 50 {
		end := min(i+50, len(ids))
		gdNone(t, "CreateMembers", check(a.c.CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: aws.String(a.det), AccountDetails: gdDetails(ids[i:end])})).ok(t).UnprocessedAccounts)
	}
	for _, size := range []int32{1, 7, 50} {
		seen := map[string]bool{}
		var last string
		pages := 0
		p := guardduty.NewListMembersPaginator(a.c, &guardduty.ListMembersInput{DetectorId: aws.String(a.det), OnlyAssociated: aws.String("false"), MaxResults: aws.Int32(size)})
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
		if len(seen) != len(ids) || pages != (len(ids)+int(size)-1)/int(size) {
			t.Fatalf("maxResults %d: %d members in %d pages", size, len(seen), pages)
		}
	}
	// Default page size is 50.
	out := check(a.c.ListMembers(ctx, &guardduty.ListMembersInput{DetectorId: aws.String(a.det), OnlyAssociated: aws.String("false")})).ok(t)
	if len(out.Members) != 50 || out.NextToken == nil {
		t.Fatalf("default page: %d members, nextToken %v", len(out.Members), out.NextToken)
	}
	out = check(a.c.ListMembers(ctx, &guardduty.ListMembersInput{DetectorId: aws.String(a.det), OnlyAssociated: aws.String("false"), NextToken: out.NextToken})).ok(t)
	if len(out.Members) != 10 || out.NextToken != nil {
		t.Fatalf("last page: %d members, nextToken %v", len(out.Members), out.NextToken)
	}
	_, err := a.c.ListMembers(ctx, &guardduty.ListMembersInput{DetectorId: aws.String(a.det), NextToken: aws.String("not-a-token")})
	gdBadRequest(t, err, gdMsgInvalidValue)

	// Three administrators invite one account: ListInvitations pages.
	for _, admin := range gdAccounts(t, srv, memberAcct, thirdAcct, fourthAcct) {
		gdInvite(t, admin, "600000000000")
	}
	invitee := gdClient(srv, "600000000000")
	var got []string
	p := guardduty.NewListInvitationsPaginator(invitee, &guardduty.ListInvitationsInput{MaxResults: aws.Int32(1)})
	for p.HasMorePages() {
		page := check(p.NextPage(ctx)).ok(t)
		if len(page.Invitations) > 1 {
			t.Fatalf("page of %d invitations for maxResults 1", len(page.Invitations))
		}
		for _, inv := range page.Invitations {
			got = append(got, aws.ToString(inv.AccountId))
		}
	}
	if fmt.Sprint(got) != fmt.Sprint([]string{memberAcct, thirdAcct, fourthAcct}) {
		t.Fatalf("paged invitations = %v", got)
	}
	if n := gdCount(t, invitee); n != 3 {
		t.Fatalf("count = %d, want 3", n)
	}
	_, err = invitee.ListInvitations(ctx, &guardduty.ListInvitationsInput{MaxResults: aws.Int32(51)})
	gdBadRequest(t, err, gdMsgMaxResultsBounds)
}

// §10: the member quota (5,000) counts every status; the next account is
// unprocessed with the quota text.
func TestGuardDutyMemberQuota(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	a := gdAccounts(t, srv, adminAcct)[0]
	ids := gdAccountIDs('8', 5000)
	for i := 0; i < len(ids); i += 50 {
		gdNone(t, "CreateMembers", check(a.c.CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: aws.String(a.det), AccountDetails: gdDetails(ids[i : i+50])})).ok(t).UnprocessedAccounts)
	}
	gdNone(t, "InviteMembers", check(a.c.InviteMembers(ctx, &guardduty.InviteMembersInput{DetectorId: aws.String(a.det), AccountIds: ids[:3]})).ok(t).UnprocessedAccounts)
	gdWantUnprocessed(t, "the 5,001st member",
		check(a.c.CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: aws.String(a.det), AccountDetails: gdDetails([]string{"900000000000", ids[0]})})).ok(t).UnprocessedAccounts,
		map[string]string{"900000000000": gdResQuota, ids[0]: gdResAlreadyMember})
	// Deleting one makes room.
	gdNone(t, "DeleteMembers", check(a.c.DeleteMembers(ctx, &guardduty.DeleteMembersInput{DetectorId: aws.String(a.det), AccountIds: ids[4999:]})).ok(t).UnprocessedAccounts)
	gdNone(t, "CreateMembers after a delete", check(a.c.CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: aws.String(a.det), AccountDetails: gdDetails([]string{"900000000000"})})).ok(t).UnprocessedAccounts)
}

// §8: Organizations delegated administration.
func TestGuardDutyOrganization(t *testing.T) {
	ctx := context.Background()
	const mgmt = "999999999999"
	srv := newServer(t, localsectest.WithOrganization(mgmt, adminAcct, memberAcct))
	m, a := gdNew(srv, mgmt), gdNew(srv, adminAcct)
	b := gdAccounts(t, srv, memberAcct)[0]
	c := gdAccounts(t, srv, thirdAcct)[0]

	_, err := a.c.EnableOrganizationAdminAccount(ctx, &guardduty.EnableOrganizationAdminAccountInput{AdminAccountId: aws.String(adminAcct)})
	gdBadRequest(t, err, gdMsgNoOrgPermission)
	_, err = m.c.EnableOrganizationAdminAccount(ctx, &guardduty.EnableOrganizationAdminAccountInput{AdminAccountId: aws.String(thirdAcct)})
	gdBadRequest(t, err, gdMsgInvalidValue)
	_, err = m.c.EnableOrganizationAdminAccount(ctx, &guardduty.EnableOrganizationAdminAccountInput{AdminAccountId: aws.String("12345")})
	gdBadRequest(t, err, gdMsgInvalidValue)
	if admins := check(m.c.ListOrganizationAdminAccounts(ctx, &guardduty.ListOrganizationAdminAccountsInput{})).ok(t).AdminAccounts; admins == nil || len(admins) != 0 {
		t.Fatalf("admin accounts before any = %+v, want []", admins)
	}
	check(m.c.EnableOrganizationAdminAccount(ctx, &guardduty.EnableOrganizationAdminAccountInput{AdminAccountId: aws.String(adminAcct)})).ok(t)
	check(m.c.EnableOrganizationAdminAccount(ctx, &guardduty.EnableOrganizationAdminAccountInput{AdminAccountId: aws.String(adminAcct)})).ok(t)
	_, err = m.c.EnableOrganizationAdminAccount(ctx, &guardduty.EnableOrganizationAdminAccountInput{AdminAccountId: aws.String(memberAcct)})
	wantAPIError(t, err, "BadRequestException", 400, "")
	admins := check(m.c.ListOrganizationAdminAccounts(ctx, &guardduty.ListOrganizationAdminAccountsInput{})).ok(t).AdminAccounts
	if len(admins) != 1 || aws.ToString(admins[0].AdminAccountId) != adminAcct || admins[0].AdminStatus != types.AdminStatusEnabled {
		t.Fatalf("admin accounts = %+v", admins)
	}
	_, err = m.c.ListOrganizationAdminAccounts(ctx, &guardduty.ListOrganizationAdminAccountsInput{MaxResults: aws.Int32(51)})
	gdBadRequest(t, err, gdMsgMaxResultsBounds)
	_, err = b.c.ListOrganizationAdminAccounts(ctx, &guardduty.ListOrganizationAdminAccountsInput{})
	gdBadRequest(t, err, gdMsgNoOrgPermission)

	// The delegated administrator got a detector, with the defaults.
	ids := check(a.c.ListDetectors(ctx, &guardduty.ListDetectorsInput{})).ok(t).DetectorIds
	if len(ids) != 1 || !invitationIDPattern.MatchString(ids[0]) {
		t.Fatalf("delegated administrator's detectors = %v, want exactly one", ids)
	}
	a.det = ids[0]
	if d := check(a.c.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String(a.det)})).ok(t); d.Status != types.DetectorStatusEnabled || d.FindingPublishingFrequency != types.FindingPublishingFrequencySixHours {
		t.Fatalf("delegated administrator's detector = %+v", d)
	}
	_, err = a.c.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true)})
	gdBadRequest(t, err, gdMsgDetectorExists)

	// Only the delegated administrator reads and writes the configuration.
	_, err = b.c.DescribeOrganizationConfiguration(ctx, &guardduty.DescribeOrganizationConfigurationInput{DetectorId: aws.String(b.det)})
	gdBadRequest(t, err, gdMsgNoOrgPermission)
	_, err = b.c.UpdateOrganizationConfiguration(ctx, &guardduty.UpdateOrganizationConfigurationInput{DetectorId: aws.String(b.det), AutoEnable: aws.Bool(true)})
	gdBadRequest(t, err, gdMsgNoOrgPermission)
	cfg := check(a.c.DescribeOrganizationConfiguration(ctx, &guardduty.DescribeOrganizationConfigurationInput{DetectorId: aws.String(a.det)})).ok(t)
	if aws.ToBool(cfg.AutoEnable) || cfg.AutoEnableOrganizationMembers != types.AutoEnableMembersNone || cfg.MemberAccountLimitReached == nil || *cfg.MemberAccountLimitReached {
		t.Fatalf("default organization configuration = autoEnable %v members %s limit %v", aws.ToBool(cfg.AutoEnable), cfg.AutoEnableOrganizationMembers, cfg.MemberAccountLimitReached)
	}
	if r := gdRaw(t, srv, adminAcct, "GET", "/detector/"+a.det+"/admin", ""); !strings.Contains(string(r.Body), `"memberAccountLimitReached":false`) {
		t.Fatalf("DescribeOrganizationConfiguration lacks the required memberAccountLimitReached: %s", r.Body)
	}
	orgCfg := func() (bool, types.AutoEnableMembers) {
		t.Helper()
		cfg := check(a.c.DescribeOrganizationConfiguration(ctx, &guardduty.DescribeOrganizationConfigurationInput{DetectorId: aws.String(a.det)})).ok(t)
		return aws.ToBool(cfg.AutoEnable), cfg.AutoEnableOrganizationMembers
	}
	for _, tc := range []struct {
		in          guardduty.UpdateOrganizationConfigurationInput
		auto        bool
		autoMembers types.AutoEnableMembers
	}{
		{guardduty.UpdateOrganizationConfigurationInput{AutoEnable: aws.Bool(true)}, true, types.AutoEnableMembersNew},
		{guardduty.UpdateOrganizationConfigurationInput{AutoEnable: aws.Bool(false)}, false, types.AutoEnableMembersNone},
		{guardduty.UpdateOrganizationConfigurationInput{AutoEnableOrganizationMembers: types.AutoEnableMembersAll}, true, types.AutoEnableMembersAll},
		{guardduty.UpdateOrganizationConfigurationInput{AutoEnableOrganizationMembers: types.AutoEnableMembersNone}, false, types.AutoEnableMembersNone},
		{guardduty.UpdateOrganizationConfigurationInput{AutoEnableOrganizationMembers: types.AutoEnableMembersNew}, true, types.AutoEnableMembersNew},
	} {
		in := tc.in
		in.DetectorId = aws.String(a.det)
		check(a.c.UpdateOrganizationConfiguration(ctx, &in)).ok(t)
		if auto, members := orgCfg(); auto != tc.auto || members != tc.autoMembers {
			t.Fatalf("after autoEnable=%v autoEnableOrganizationMembers=%q: autoEnable %v, members %s; want %v, %s",
				aws.ToBool(tc.in.AutoEnable), tc.in.AutoEnableOrganizationMembers, auto, members, tc.auto, tc.autoMembers)
		}
	}
	for name, in := range map[string]*guardduty.UpdateOrganizationConfigurationInput{
		"both":        {DetectorId: aws.String(a.det), AutoEnable: aws.Bool(true), AutoEnableOrganizationMembers: types.AutoEnableMembersAll},
		"neither":     {DetectorId: aws.String(a.det)},
		"bad members": {DetectorId: aws.String(a.det), AutoEnableOrganizationMembers: "SOME"},
		"bad feature": {DetectorId: aws.String(a.det), AutoEnable: aws.Bool(true), Features: []types.OrganizationFeatureConfiguration{{Name: "CLOUD_TRAIL", AutoEnable: types.OrgFeatureStatusNew}}},
		"bad additional": {DetectorId: aws.String(a.det), AutoEnable: aws.Bool(true), Features: []types.OrganizationFeatureConfiguration{{
			Name: types.OrgFeatureEksRuntimeMonitoring, AutoEnable: types.OrgFeatureStatusNew,
			AdditionalConfiguration: []types.OrganizationAdditionalConfiguration{{Name: types.OrgFeatureAdditionalConfigurationEcsFargateAgentManagement, AutoEnable: types.OrgFeatureStatusNew}},
		}}},
	} {
		t.Run("UpdateOrganizationConfiguration "+name, func(t *testing.T) {
			_, err := a.c.UpdateOrganizationConfiguration(ctx, in)
			gdBadRequest(t, err, gdMsgInvalidValue)
		})
	}
	if auto, members := orgCfg(); !auto || members != types.AutoEnableMembersNew {
		t.Fatalf("refused updates changed the configuration: %v %s", auto, members)
	}
	check(a.c.UpdateOrganizationConfiguration(ctx, &guardduty.UpdateOrganizationConfigurationInput{DetectorId: aws.String(a.det), AutoEnableOrganizationMembers: types.AutoEnableMembersAll,
		Features: []types.OrganizationFeatureConfiguration{
			{Name: types.OrgFeatureS3DataEvents, AutoEnable: types.OrgFeatureStatusAll},
			{Name: types.OrgFeatureRuntimeMonitoring, AutoEnable: types.OrgFeatureStatusNew, AdditionalConfiguration: []types.OrganizationAdditionalConfiguration{
				{Name: types.OrgFeatureAdditionalConfigurationEc2AgentManagement, AutoEnable: types.OrgFeatureStatusNew},
			}},
		}})).ok(t)
	cfg = check(a.c.DescribeOrganizationConfiguration(ctx, &guardduty.DescribeOrganizationConfigurationInput{DetectorId: aws.String(a.det)})).ok(t)
	if cfg.DataSources == nil || !aws.ToBool(cfg.DataSources.S3Logs.AutoEnable) || aws.ToBool(cfg.DataSources.Kubernetes.AuditLogs.AutoEnable) {
		t.Fatalf("organization dataSources = %+v", cfg.DataSources)
	}
	orgFeatures := map[types.OrgFeature]types.OrganizationFeatureConfigurationResult{}
	for _, f := range cfg.Features {
		if _, dup := orgFeatures[f.Name]; dup {
			t.Fatalf("organization feature %s listed twice", f.Name)
		}
		orgFeatures[f.Name] = f
	}
	if orgFeatures[types.OrgFeatureS3DataEvents].AutoEnable != types.OrgFeatureStatusAll || orgFeatures[types.OrgFeatureRuntimeMonitoring].AutoEnable != types.OrgFeatureStatusNew ||
		orgFeatures[types.OrgFeatureRdsLoginEvents].AutoEnable != types.OrgFeatureStatusNone {
		t.Fatalf("organization features = %+v", orgFeatures)
	}
	ec2 := false
	for _, x := range orgFeatures[types.OrgFeatureRuntimeMonitoring].AdditionalConfiguration {
		if x.Name == types.OrgFeatureAdditionalConfigurationEc2AgentManagement {
			ec2 = x.AutoEnable == types.OrgFeatureStatusNew
		}
	}
	if !ec2 {
		t.Fatalf("RUNTIME_MONITORING additional configuration = %+v", orgFeatures[types.OrgFeatureRuntimeMonitoring].AdditionalConfiguration)
	}

	t.Run("DescribeOrganizationConfiguration pages features", func(t *testing.T) {
		first := check(a.c.DescribeOrganizationConfiguration(ctx, &guardduty.DescribeOrganizationConfigurationInput{DetectorId: aws.String(a.det), MaxResults: aws.Int32(1)})).ok(t)
		if len(first.Features) > 1 {
			t.Fatalf("DescribeOrganizationConfiguration(maxResults=1) returned %d features and nextToken %v; spec §8 (model) says maxResults/nextToken paginate features",
				len(first.Features), first.NextToken)
		}
		var names []types.OrgFeature
		p := guardduty.NewDescribeOrganizationConfigurationPaginator(a.c, &guardduty.DescribeOrganizationConfigurationInput{DetectorId: aws.String(a.det), MaxResults: aws.Int32(2)})
		for p.HasMorePages() {
			page := check(p.NextPage(ctx)).ok(t)
			if len(page.Features) > 2 {
				t.Fatalf("page of %d features for maxResults 2", len(page.Features))
			}
			for _, f := range page.Features {
				names = append(names, f.Name)
			}
		}
		if len(names) != len(types.OrgFeature("").Values()) {
			t.Fatalf("paged features = %v", names)
		}
	})

	// The delegated administrator adds an organization account: Enabled at
	// once, with its detector; an outside account joins by invitation.
	gdNone(t, "CreateMembers of an organization account", check(a.c.CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: aws.String(a.det), AccountDetails: gdDetails([]string{memberAcct, thirdAcct})})).ok(t).UnprocessedAccounts)
	if bm := gdGetMember(t, a, memberAcct); aws.ToString(bm.RelationshipStatus) != "Enabled" || aws.ToString(bm.DetectorId) != b.det {
		t.Fatalf("organization member = %+v, want Enabled with its detector", bm)
	}
	if adm := gdAdministrator(t, b); adm == nil || aws.ToString(adm.AccountId) != adminAcct {
		t.Fatalf("organization member's administrator = %+v", adm)
	}
	if s := gdStatus(t, a, thirdAcct); s != "Created" {
		t.Fatalf("outside account = %s, want Created", s)
	}
	gdWantUnprocessed(t, "InviteMembers", check(a.c.InviteMembers(ctx, &guardduty.InviteMembersInput{DetectorId: aws.String(a.det), AccountIds: []string{thirdAcct}})).ok(t).UnprocessedAccounts, map[string]string{})
	gdAccept(t, c, adminAcct)
	_, err = b.c.DisassociateFromAdministratorAccount(ctx, &guardduty.DisassociateFromAdministratorAccountInput{DetectorId: aws.String(b.det)})
	wantAPIError(t, err, "BadRequestException", 400, "")

	// Disabling: only the management account, only the current one.
	_, err = a.c.DisableOrganizationAdminAccount(ctx, &guardduty.DisableOrganizationAdminAccountInput{AdminAccountId: aws.String(adminAcct)})
	gdBadRequest(t, err, gdMsgNoOrgPermission)
	_, err = m.c.DisableOrganizationAdminAccount(ctx, &guardduty.DisableOrganizationAdminAccountInput{AdminAccountId: aws.String(memberAcct)})
	gdBadRequest(t, err, gdMsgOrgAdminDisabled)
	check(m.c.DisableOrganizationAdminAccount(ctx, &guardduty.DisableOrganizationAdminAccountInput{AdminAccountId: aws.String(adminAcct)})).ok(t)
	if admins := check(m.c.ListOrganizationAdminAccounts(ctx, &guardduty.ListOrganizationAdminAccountsInput{})).ok(t).AdminAccounts; len(admins) != 0 {
		t.Fatalf("admin accounts after disable = %+v", admins)
	}
	_, err = m.c.DisableOrganizationAdminAccount(ctx, &guardduty.DisableOrganizationAdminAccountInput{AdminAccountId: aws.String(adminAcct)})
	gdBadRequest(t, err, gdMsgOrgAdminDisabled)
	_, err = a.c.DescribeOrganizationConfiguration(ctx, &guardduty.DescribeOrganizationConfigurationInput{DetectorId: aws.String(a.det)})
	gdBadRequest(t, err, gdMsgNoOrgPermission)
	// The invited member stays.
	if s := gdStatus(t, a, thirdAcct); s != "Enabled" {
		t.Fatalf("invited member after the designation ended = %s", s)
	}
}

// §2.3: a delegated administrator adding the management account, which
// has no detector, gets GuardDuty's "organization master must first
// enable GuardDuty" result.
func TestGuardDutyOrganizationMasterWithoutDetector(t *testing.T) {
	ctx := context.Background()
	const mgmt = "999999999999"
	srv := newServer(t, localsectest.WithOrganization(mgmt, adminAcct, memberAcct))
	m, a := gdNew(srv, mgmt), gdNew(srv, adminAcct)
	check(m.c.EnableOrganizationAdminAccount(ctx, &guardduty.EnableOrganizationAdminAccountInput{AdminAccountId: aws.String(adminAcct)})).ok(t)
	a.det = check(a.c.ListDetectors(ctx, &guardduty.ListDetectorsInput{})).ok(t).DetectorIds[0]
	out := check(a.c.CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: aws.String(a.det), AccountDetails: gdDetails([]string{mgmt})})).ok(t)
	if len(out.UnprocessedAccounts) != 1 || aws.ToString(out.UnprocessedAccounts[0].Result) != gdResOrgMasterNoDetector {
		t.Fatalf("CreateMembers by the delegated administrator of the management account without a detector: unprocessed %+v, want %q (spec §2.3, confirmed)",
			out.UnprocessedAccounts, gdResOrgMasterNoDetector)
	}
	gdWantUnprocessed(t, "CreateMembers of the management account", out.UnprocessedAccounts, map[string]string{mgmt: gdResOrgMasterNoDetector})
}

// Without an organization, delegated administration is refused.
func TestGuardDutyNoOrganization(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	a := gdAccounts(t, srv, adminAcct)[0]
	_, err := a.c.EnableOrganizationAdminAccount(ctx, &guardduty.EnableOrganizationAdminAccountInput{AdminAccountId: aws.String(memberAcct)})
	gdBadRequest(t, err, gdMsgNoOrgPermission)
	_, err = a.c.DescribeOrganizationConfiguration(ctx, &guardduty.DescribeOrganizationConfigurationInput{DetectorId: aws.String(a.det)})
	gdBadRequest(t, err, gdMsgNoOrgPermission)
}

// A Macie member is not a GuardDuty member, and the other way round: the
// services share the engine, never the records.
func TestGuardDutyIsNotMacie(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	enable(t, srv, adminAcct, memberAcct)
	mA, mB := macieClient(srv, adminAcct), macieClient(srv, memberAcct)
	associate(t, mA, mB, memberAcct)

	accts := gdAccounts(t, srv, adminAcct, memberAcct)
	a, b := accts[0], accts[1]
	if got := gdStatuses(t, a, aws.String("false")); len(got) != 0 {
		t.Fatalf("GuardDuty lists the Macie member: %v", got)
	}
	gm := check(a.c.GetMembers(ctx, &guardduty.GetMembersInput{DetectorId: aws.String(a.det), AccountIds: []string{memberAcct}})).ok(t)
	gdWantUnprocessed(t, "GuardDuty GetMembers of the Macie member", gm.UnprocessedAccounts, map[string]string{memberAcct: gdResNotAssociated})
	if adm := gdAdministrator(t, b); adm != nil {
		t.Fatalf("GuardDuty gives the Macie member an administrator: %+v", *adm)
	}
	if invs := gdInvitations(t, b.c); len(invs) != 0 || gdCount(t, b.c) != 0 {
		t.Fatalf("GuardDuty lists Macie invitations: %v", invs)
	}
	_, err := b.c.DisassociateFromAdministratorAccount(ctx, &guardduty.DisassociateFromAdministratorAccountInput{DetectorId: aws.String(b.det)})
	gdBadRequest(t, err, gdMsgNoAdministrator)

	// In GuardDuty the roles are reversed: B administers A.
	gdAssociate(t, b, a)
	if adm := gdAdministrator(t, a); adm == nil || aws.ToString(adm.AccountId) != memberAcct {
		t.Fatalf("A's GuardDuty administrator = %+v", adm)
	}
	if s := memberStatus(t, mA, memberAcct); s != macietypes.RelationshipStatusEnabled {
		t.Fatalf("Macie member after the GuardDuty association = %s", s)
	}
	if adm, _ := administratorOf(t, mB); adm != adminAcct {
		t.Fatalf("B's Macie administrator = %q", adm)
	}
	if adm, _ := administratorOf(t, mA); adm != "" {
		t.Fatalf("A got a Macie administrator %q from GuardDuty", adm)
	}
	if got := listedMembers(t, mB, aws.String("false")); len(got) != 0 {
		t.Fatalf("Macie lists B's GuardDuty members: %v", got)
	}
	// Leaving Macie leaves GuardDuty alone.
	check(mB.DisassociateFromAdministratorAccount(ctx, &macie2.DisassociateFromAdministratorAccountInput{})).ok(t)
	if s := gdStatus(t, b, adminAcct); s != "Enabled" {
		t.Fatalf("GuardDuty member after a Macie resignation = %s", s)
	}
}

// Regions are apart: detectors, members and invitations of us-east-1 do
// not exist in eu-west-1.
func TestGuardDutyRegions(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	accts := gdAccounts(t, srv, adminAcct, memberAcct)
	a, b := accts[0], accts[1]
	gdAssociate(t, a, b)
	gdInvite(t, a, thirdAcct)

	aw, bw, cw := gdNewIn(srv, adminAcct, "eu-west-1"), gdNewIn(srv, memberAcct, "eu-west-1"), gdNewIn(srv, thirdAcct, "eu-west-1")
	if ids := check(aw.c.ListDetectors(ctx, &guardduty.ListDetectorsInput{})).ok(t).DetectorIds; len(ids) != 0 {
		t.Fatalf("eu-west-1 lists the us-east-1 detector: %v", ids)
	}
	_, err := aw.c.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String(a.det)})
	gdBadRequest(t, err, gdMsgNotOwned)
	_, err = aw.c.ListMembers(ctx, &guardduty.ListMembersInput{DetectorId: aws.String(a.det)})
	gdBadRequest(t, err, gdMsgNotOwned)
	if invs := gdInvitations(t, cw.c); len(invs) != 0 || gdCount(t, cw.c) != 0 {
		t.Fatalf("eu-west-1 lists the us-east-1 invitation: %v", invs)
	}
	for _, x := range []*gdAcct{aw, bw, cw} {
		x.createDetector(t)
	}
	if got := gdStatuses(t, aw, aws.String("false")); len(got) != 0 {
		t.Fatalf("eu-west-1 lists us-east-1 members: %v", got)
	}
	if adm := gdAdministrator(t, bw); adm != nil {
		t.Fatalf("B has an administrator in eu-west-1: %+v", *adm)
	}
	_, err = aw.c.ListTagsForResource(ctx, &guardduty.ListTagsForResourceInput{ResourceArn: aws.String(a.arn("us-east-1"))})
	wantAPIError(t, err, "BadRequestException", 400, "")

	// An invitation sent in eu-west-1 exists only there; in eu-west-1 B is
	// free to join another administrator.
	gdInvite(t, cw, memberAcct)
	if invs := gdInvitations(t, b.c); len(invs) != 0 {
		t.Fatalf("us-east-1 lists the eu-west-1 invitation: %v", invs)
	}
	gdAccept(t, bw, thirdAcct)
	if adm := gdAdministrator(t, bw); adm == nil || aws.ToString(adm.AccountId) != thirdAcct {
		t.Fatalf("B's eu-west-1 administrator = %+v", adm)
	}
	if adm := gdAdministrator(t, b); adm == nil || aws.ToString(adm.AccountId) != adminAcct {
		t.Fatalf("B's us-east-1 administrator = %+v", adm)
	}
	// Deleting the eu-west-1 detector leaves us-east-1 alone.
	check(aw.c.DeleteDetector(ctx, &guardduty.DeleteDetectorInput{DetectorId: aws.String(aw.det)})).ok(t)
	if s := gdStatus(t, a, memberAcct); s != "Enabled" {
		t.Fatalf("us-east-1 member after the eu-west-1 detector went = %s", s)
	}
}

// Timestamps: ISO strings from the pinned clock; a re-invitation gets a
// new id and time.
func TestGuardDutyTimestamps(t *testing.T) {
	ctx := context.Background()
	clk := &gdClock{now: time.Date(2024, 5, 1, 12, 34, 56, 789_000_000, time.UTC)}
	srv := newServer(t, localsectest.WithClock(clk.Now))
	accts := gdAccounts(t, srv, adminAcct, memberAcct)
	a, b := accts[0], accts[1]
	iso := func(tm time.Time) string { return tm.UTC().Format("2006-01-02T15:04:05.000Z") }
	t0 := clk.Now()

	gdNone(t, "CreateMembers", check(a.c.CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: aws.String(a.det), AccountDetails: gdDetails([]string{memberAcct})})).ok(t).UnprocessedAccounts)
	if m := gdGetMember(t, a, memberAcct); aws.ToString(m.UpdatedAt) != iso(t0) || m.InvitedAt != nil {
		t.Fatalf("created member: updatedAt %v invitedAt %v", aws.ToString(m.UpdatedAt), m.InvitedAt)
	}
	t1 := clk.advance(time.Minute)
	gdNone(t, "InviteMembers", check(a.c.InviteMembers(ctx, &guardduty.InviteMembersInput{DetectorId: aws.String(a.det), AccountIds: []string{memberAcct}})).ok(t).UnprocessedAccounts)
	if m := gdGetMember(t, a, memberAcct); aws.ToString(m.UpdatedAt) != iso(t1) || aws.ToString(m.InvitedAt) != iso(t1) {
		t.Fatalf("invited member: updatedAt %v invitedAt %v, want %s", aws.ToString(m.UpdatedAt), aws.ToString(m.InvitedAt), iso(t1))
	}
	first := gdInvitations(t, b.c)[adminAcct]
	if aws.ToString(first.InvitedAt) != iso(t1) {
		t.Fatalf("invitation invitedAt %v, want %s", aws.ToString(first.InvitedAt), iso(t1))
	}
	t2 := clk.advance(time.Minute)
	gdAccept(t, b, adminAcct)
	if m := gdGetMember(t, a, memberAcct); aws.ToString(m.UpdatedAt) != iso(t2) || aws.ToString(m.InvitedAt) != iso(t1) {
		t.Fatalf("accepted member: updatedAt %v invitedAt %v", aws.ToString(m.UpdatedAt), aws.ToString(m.InvitedAt))
	}
	if adm := gdAdministrator(t, b); aws.ToString(adm.InvitedAt) != iso(t1) {
		t.Fatalf("administrator invitedAt %v, want %s", aws.ToString(adm.InvitedAt), iso(t1))
	}
	t3 := clk.advance(time.Minute)
	gdNone(t, "DisassociateMembers", check(a.c.DisassociateMembers(ctx, &guardduty.DisassociateMembersInput{DetectorId: aws.String(a.det), AccountIds: []string{memberAcct}})).ok(t).UnprocessedAccounts)
	if m := gdGetMember(t, a, memberAcct); aws.ToString(m.UpdatedAt) != iso(t3) {
		t.Fatalf("removed member: updatedAt %v, want %s", aws.ToString(m.UpdatedAt), iso(t3))
	}
	t4 := clk.advance(time.Minute)
	gdNone(t, "InviteMembers again", check(a.c.InviteMembers(ctx, &guardduty.InviteMembersInput{DetectorId: aws.String(a.det), AccountIds: []string{memberAcct}})).ok(t).UnprocessedAccounts)
	second := gdInvitations(t, b.c)[adminAcct]
	if aws.ToString(second.InvitedAt) != iso(t4) || aws.ToString(second.InvitationId) == aws.ToString(first.InvitationId) {
		t.Fatalf("re-invitation %+v, want a new id at %s", second, iso(t4))
	}
	if m := gdGetMember(t, a, memberAcct); aws.ToString(m.InvitedAt) != iso(t4) {
		t.Fatalf("re-invited member invitedAt %v, want %s", aws.ToString(m.InvitedAt), iso(t4))
	}
}
