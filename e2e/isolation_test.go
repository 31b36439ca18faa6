package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"
	"github.com/aws/aws-sdk-go-v2/service/macie2"
	"github.com/aws/aws-sdk-go-v2/service/macie2/types"

	"github.com/localsec/localsec/internal/membership"
	gdsvc "github.com/localsec/localsec/internal/service/guardduty"
	maciesvc "github.com/localsec/localsec/internal/service/macie2"
	"github.com/localsec/localsec/internal/store/memstore"
	"github.com/localsec/localsec/localsectest"
)

// The cross-account isolation matrix (issue 7, point 2). In both services
// account A administers B (associated) and D (invited, pending); A is
// also the organization's management account and its own delegated
// administrator; A's and B's resources are tagged. Then C, a stranger,
// calls every operation of both services aimed at their detectors,
// members, invitations and ARNs, before and after it enables the service
// itself. For each call:
//
//   - C gets the answer the specs document (../shared/spec/macie2.md,
//     ../shared/spec/guardduty.md);
//   - C learns nothing: the answer for A's or B's existing thing is the
//     same (status, error type, body with the named id put back as a
//     placeholder) as for a thing that does not exist (isoX, isoNoID);
//   - nothing changes: every view A, B and D have of the service is the
//     same after the call as before it (the only thing C may add is its
//     own invitation, which AWS lets anyone send; the views leave out
//     invitations from C).
//
// Every route of both adapters must have a case: a new route without one
// fails TestIsolationCoversEveryRoute.

const (
	isoX    = "555555555555"                     // an account nobody has seen
	isoNoID = "0123456789abcdef0123456789abcdef" // a detector / invitation id nobody has
)

// Texts the Macie spec gives (§9.3 confirmed, §4-§6 inferred).
const (
	isoMacieNotEnabled     = "Macie is not enabled."
	isoMacieNotYours       = "The request failed because the specified account is not associated with your account."
	isoMacieNoPending      = "The request is rejected because the current account has no pending invitation from the given master account ID or is already an associated member of another master account."
	isoMacieNotManagement  = "The request failed because you must be a user of the management account for your AWS organization to perform this operation"
	isoMacieNotOrgAdmin    = "you must be the Macie administrator for an organization"
	isoMacieResNotCreated  = "The request is rejected because the given account ID is not an associated member of account the current account."
	isoMacieResNoInvite    = "The request is rejected because the current account has no pending invitation from the given account ID."
	isoMacieAlreadyEnabled = "Macie has already been enabled"
	isoMacieHasMembers     = "member accounts are associated with your account"
)

// isoOpLog records the operation of every request from the access log,
// by request id, so that each case checks the route it reached.
type isoOpLog struct {
	mu  sync.Mutex
	ops map[string]string
}

func (l *isoOpLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *isoOpLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *isoOpLog) WithGroup(string) slog.Handler            { return l }

func (l *isoOpLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "request" {
		return nil
	}
	var id, op string
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "request_id":
			id = a.Value.String()
		case "operation":
			op = a.Value.String()
		}
		return true
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ops[id] = op
	return nil
}

func (l *isoOpLog) operation(requestID string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ops[requestID]
}

// isoAim binds the placeholders of a case ({acct}, {det}, {inv},
// {admin}, {arn}) to values.
type isoAim map[string]string

// isoWant is the documented answer.
type isoWant struct {
	status  int
	errType string // X-Amzn-ErrorType; "" for a success
	gdType  string // GuardDuty: the body's __type
	msg     string // the exact message
	part    string // or a fragment of it (texts the spec only gives in part); neither: any non-empty message
	body    string // a success's exact body, JSON, with placeholders for the aim's values
	check   func(t *testing.T, body map[string]any)
}

// isoCase is one call C makes, once per aim: the first aim names A's or
// B's real things, the others things that do not exist or belong to
// someone else; all must get the same answer.
type isoCase struct {
	op     string // the operation the route table names
	name   string // a variant's label, when an operation has several cases
	method string
	path   string
	body   string
	aims   []isoAim
	want   isoWant
}

// isoAnswer is a normalised answer: the aim's values replaced by their
// placeholders, the JSON body in canonical form.
type isoAnswer struct {
	status  int
	errType string
	body    string
}

// isoWorld is the server and what the setup made.
type isoWorld struct {
	srv *localsectest.Server
	log *isoOpLog
	clk *gdClock

	macieInvB, macieInvD string // A's invitations to B (accepted) and D (pending)
	gdA, gdB, gdD        *gdAcct
	gdInvB, gdInvD       string
	gdC                  string // C's own detector, once created
}

func isoCanonical(t *testing.T, b []byte) string {
	t.Helper()
	if len(b) == 0 {
		return ""
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("body %q is not JSON: %v", b, err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// fill puts the aim's values (and C's detector id) into a template;
// path values are percent-encoded as SDKs encode a label.
func (w *isoWorld) fill(s string, aim isoAim, path bool) string {
	for k, v := range w.bindings(aim) {
		if path {
			v = gdEscapeARN(v)
		}
		s = strings.ReplaceAll(s, k, v)
	}
	return s
}

func (w *isoWorld) bindings(aim isoAim) map[string]string {
	m := map[string]string{}
	for k, v := range aim {
		m[k] = v
	}
	if w.gdC != "" {
		m["{own}"] = w.gdC
	}
	return m
}

func (w *isoWorld) normalise(t *testing.T, r rawResponse, aim isoAim) isoAnswer {
	t.Helper()
	b := w.bindings(aim)
	keys := make([]string, 0, len(b))
	for k := range b {
		keys = append(keys, k)
	}
	// Longest values first: an ARN holds an account id.
	sort.Slice(keys, func(i, j int) bool { return len(b[keys[i]]) > len(b[keys[j]]) })
	body := isoCanonical(t, r.Body)
	for _, k := range keys {
		body = strings.ReplaceAll(body, b[k], k)
	}
	return isoAnswer{status: r.Status, errType: r.Header.Get("X-Amzn-ErrorType"), body: body}
}

// call sends one case's request for aim as C and checks that it reached
// the case's operation.
func (w *isoWorld) call(t *testing.T, service string, c isoCase, aim isoAim) rawResponse {
	t.Helper()
	w.clk.advance(time.Second) // a record rewritten by the call would show a new time
	r := rawCall(t, w.srv, service, thirdAcct, "us-east-1", c.method, w.fill(c.path, aim, true), []byte(w.fill(c.body, aim, false)))
	if r.Status >= 500 {
		t.Fatalf("%s %s: %d %s", c.method, c.path, r.Status, r.Body)
	}
	if op := w.log.operation(r.Header.Get("x-amzn-RequestId")); op != c.op {
		t.Fatalf("%s %s reached operation %q, want %q", c.method, c.path, op, c.op)
	}
	return r
}

// checkWant checks an answer against the documented one.
func (c isoCase) checkWant(t *testing.T, r rawResponse, ans isoAnswer) {
	t.Helper()
	want := c.want
	if ans.status != want.status || ans.errType != want.errType {
		t.Fatalf("answer %d %q %s, want %d %q", ans.status, ans.errType, r.Body, want.status, want.errType)
	}
	var body map[string]any
	if len(r.Body) > 0 {
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatalf("body %q is not a JSON object: %v", r.Body, err)
		}
	}
	if want.errType != "" {
		msg, _ := body["message"].(string)
		switch {
		case want.msg != "" && msg != want.msg:
			t.Fatalf("message %q, want %q", msg, want.msg)
		case want.part != "" && !strings.Contains(msg, want.part):
			t.Fatalf("message %q, want it to contain %q", msg, want.part)
		case msg == "":
			t.Fatalf("error without a message: %s", r.Body)
		}
		if want.gdType != "" && body["__type"] != want.gdType {
			t.Fatalf("__type %v, want %q", body["__type"], want.gdType)
		}
	} else if want.body != "" && ans.body != isoCanonical(t, []byte(want.body)) {
		t.Fatalf("body %s, want %s", ans.body, isoCanonical(t, []byte(want.body)))
	}
	if want.check != nil {
		want.check(t, body)
	}
}

// run plays one case for every aim, checks the answers, and checks that
// the views did not change.
func (w *isoWorld) run(t *testing.T, service string, c isoCase, views func(*testing.T) map[string]string) {
	name := c.op
	if c.name != "" {
		name += "/" + c.name
	}
	t.Run(name, func(t *testing.T) {
		before := views(t)
		var first isoAnswer
		var firstAim isoAim
		for i, aim := range c.aims {
			r := w.call(t, service, c, aim)
			ans := w.normalise(t, r, aim)
			if i == 0 {
				c.checkWant(t, r, ans)
				first, firstAim = ans, aim
				continue
			}
			if ans != first {
				t.Errorf("existence leak: for %v the answer is\n\t%d %q %s\nbut for %v it is\n\t%d %q %s",
					firstAim, first.status, first.errType, first.body, aim, ans.status, ans.errType, ans.body)
			}
		}
		isoSame(t, before, views(t))
	})
}

// isoSame reports every view that changed.
func isoSame(t *testing.T, before, after map[string]string) {
	t.Helper()
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	for _, k := range gdKeys(keys) {
		if before[k] != after[k] {
			t.Errorf("C's call changed %s:\n\tbefore %s\n\tafter  %s", k, before[k], after[k])
		}
	}
}

// isoNoAim is the aims of a case whose operation names nothing of
// another account's: it is called once.
var isoNoAim = []isoAim{{}}

// isoFromStranger drops the invitations C sent from a ListInvitations
// body and from the matching count: anyone may invite anyone.
func isoFromStranger(t *testing.T, invitations rawResponse, count rawResponse) (string, string) {
	t.Helper()
	var list map[string]any
	if err := json.Unmarshal(invitations.Body, &list); err != nil || invitations.Status != 200 {
		return isoCanonical(t, invitations.Body), isoCanonical(t, count.Body)
	}
	kept := []any{}
	dropped := 0
	invs, _ := list["invitations"].([]any)
	for _, inv := range invs {
		if m, ok := inv.(map[string]any); ok && m["accountId"] == thirdAcct {
			dropped++
			continue
		}
		kept = append(kept, inv)
	}
	list["invitations"] = kept
	l, _ := json.Marshal(list)
	var n map[string]any
	if err := json.Unmarshal(count.Body, &n); err == nil {
		if c, ok := n["invitationsCount"].(float64); ok {
			n["invitationsCount"] = c - float64(dropped)
		}
	}
	c, _ := json.Marshal(n)
	return string(l), string(c)
}

func isoView(t *testing.T, r rawResponse) string {
	t.Helper()
	return fmt.Sprintf("%d %s", r.Status, isoCanonical(t, r.Body))
}

// macieViews is every Macie view of A, B and D: session, members (each
// read alone, with its tags), invitations and their count, administrator,
// organization.
func (w *isoWorld) macieViews(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, acct := range []string{adminAcct, memberAcct, fourthAcct} {
		get := func(path string) rawResponse {
			r := rawCall(t, w.srv, "macie2", acct, "us-east-1", "GET", path, nil)
			out[acct+" GET "+path] = isoView(t, r)
			return r
		}
		get("/macie")
		members := get("/members?onlyAssociated=false")
		var list struct {
			Members []struct {
				AccountID string `json:"accountId"`
				Arn       string `json:"arn"`
			} `json:"members"`
		}
		if err := json.Unmarshal(members.Body, &list); err != nil {
			t.Fatal(err)
		}
		for _, m := range list.Members {
			get("/members/" + m.AccountID)
			get("/tags/" + gdEscapeARN(m.Arn))
		}
		invs := rawCall(t, w.srv, "macie2", acct, "us-east-1", "GET", "/invitations", nil)
		count := rawCall(t, w.srv, "macie2", acct, "us-east-1", "GET", "/invitations/count", nil)
		l, c := isoFromStranger(t, invs, count)
		out[acct+" GET /invitations (not from C)"] = fmt.Sprintf("%d %s", invs.Status, l)
		out[acct+" GET /invitations/count (not from C)"] = fmt.Sprintf("%d %s", count.Status, c)
		get("/administrator")
		get("/master")
		get("/admin")
		get("/admin/configuration")
	}
	return out
}

// guardDutyViews is every GuardDuty view of A, B and D: detectors,
// detector (with tags), members and their detectors, invitations and
// their count, administrator, tags, organization.
func (w *isoWorld) guardDutyViews(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, a := range []*gdAcct{w.gdA, w.gdB, w.gdD} {
		do := func(method, path, body string) rawResponse {
			r := rawCall(t, w.srv, "guardduty", a.id, "us-east-1", method, path, []byte(body))
			out[a.id+" "+method+" "+path+" "+body] = isoView(t, r)
			return r
		}
		do("GET", "/detector", "")
		do("GET", "/detector/"+a.det, "")
		members := do("GET", "/detector/"+a.det+"/member?onlyAssociated=false", "")
		var list struct {
			Members []struct {
				AccountID string `json:"accountId"`
			} `json:"members"`
		}
		if err := json.Unmarshal(members.Body, &list); err != nil {
			t.Fatal(err)
		}
		if len(list.Members) > 0 {
			ids := make([]string, len(list.Members))
			for i, m := range list.Members {
				ids[i] = m.AccountID
			}
			b, _ := json.Marshal(map[string][]string{"accountIds": ids})
			do("POST", "/detector/"+a.det+"/member/get", string(b))
			do("POST", "/detector/"+a.det+"/member/detector/get", string(b))
		}
		invs := rawCall(t, w.srv, "guardduty", a.id, "us-east-1", "GET", "/invitation", nil)
		count := rawCall(t, w.srv, "guardduty", a.id, "us-east-1", "GET", "/invitation/count", nil)
		l, c := isoFromStranger(t, invs, count)
		out[a.id+" GET /invitation (not from C)"] = fmt.Sprintf("%d %s", invs.Status, l)
		out[a.id+" GET /invitation/count (not from C)"] = fmt.Sprintf("%d %s", count.Status, c)
		do("GET", "/detector/"+a.det+"/administrator", "")
		do("GET", "/detector/"+a.det+"/master", "")
		do("GET", "/tags/"+gdEscapeARN(a.arn("us-east-1")), "")
		do("GET", "/admin", "")
		do("GET", "/detector/"+a.det+"/admin", "")
	}
	return out
}

// newIsoWorld sets up A, B and D in both services.
func newIsoWorld(t *testing.T) *isoWorld {
	t.Helper()
	ctx := context.Background()
	w := &isoWorld{log: &isoOpLog{ops: map[string]string{}}, clk: &gdClock{now: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}}
	w.srv = newServer(t,
		localsectest.WithOrganization(adminAcct, adminAcct, memberAcct),
		localsectest.WithLogger(slog.New(w.log)),
		localsectest.WithClock(w.clk.Now))

	// Macie: A administers B (associated, tagged) and D (invited).
	enable(t, w.srv, adminAcct, memberAcct, fourthAcct)
	ma, mb, md := macieClient(w.srv, adminAcct), macieClient(w.srv, memberAcct), macieClient(w.srv, fourthAcct)
	check(ma.CreateMember(ctx, &macie2.CreateMemberInput{
		Account: &types.AccountDetail{AccountId: aws.String(memberAcct), Email: aws.String("b@example.com")},
		Tags:    map[string]string{"team": "red"},
	})).ok(t)
	check(ma.CreateMember(ctx, memberInput(fourthAcct))).ok(t)
	out := check(ma.CreateInvitations(ctx, &macie2.CreateInvitationsInput{AccountIds: []string{memberAcct, fourthAcct}})).ok(t)
	if len(out.UnprocessedAccounts) != 0 {
		t.Fatalf("CreateInvitations: %+v", out.UnprocessedAccounts)
	}
	w.macieInvB = aws.ToString(receivedInvitations(t, mb)[adminAcct].InvitationId)
	w.macieInvD = aws.ToString(receivedInvitations(t, md)[adminAcct].InvitationId)
	check(mb.AcceptInvitation(ctx, acceptInput(adminAcct, w.macieInvB))).ok(t)
	check(ma.TagResource(ctx, &macie2.TagResourceInput{ResourceArn: aws.String(memberARN(adminAcct, memberAcct)), Tags: map[string]string{"env": "prod"}})).ok(t)
	check(ma.TagResource(ctx, &macie2.TagResourceInput{ResourceArn: aws.String(memberARN(adminAcct, fourthAcct)), Tags: map[string]string{"env": "dev"}})).ok(t)
	check(ma.EnableOrganizationAdminAccount(ctx, &macie2.EnableOrganizationAdminAccountInput{AdminAccountId: aws.String(adminAcct)})).ok(t)
	check(ma.UpdateOrganizationConfiguration(ctx, &macie2.UpdateOrganizationConfigurationInput{AutoEnable: aws.Bool(false)})).ok(t)
	if s := memberStatus(t, ma, memberAcct); s != types.RelationshipStatusEnabled {
		t.Fatalf("Macie: B is %s, want Enabled", s)
	}

	// GuardDuty: the same, with tagged detectors.
	accts := gdAccounts(t, w.srv, adminAcct, memberAcct, fourthAcct)
	w.gdA, w.gdB, w.gdD = accts[0], accts[1], accts[2]
	gdInvite(t, w.gdA, memberAcct, fourthAcct)
	w.gdInvB = gdInvitationID(t, w.gdB, adminAcct)
	w.gdInvD = gdInvitationID(t, w.gdD, adminAcct)
	gdAccept(t, w.gdB, adminAcct)
	for _, a := range accts {
		check(a.c.TagResource(ctx, &guardduty.TagResourceInput{ResourceArn: aws.String(a.arn("us-east-1")), Tags: map[string]string{"team": a.id}})).ok(t)
	}
	check(w.gdA.c.EnableOrganizationAdminAccount(ctx, &guardduty.EnableOrganizationAdminAccountInput{AdminAccountId: aws.String(adminAcct)})).ok(t)
	check(w.gdA.c.UpdateOrganizationConfiguration(ctx, &guardduty.UpdateOrganizationConfigurationInput{
		DetectorId: aws.String(w.gdA.det), AutoEnableOrganizationMembers: gdtypes.AutoEnableMembersNone,
	})).ok(t)
	if s := gdStatus(t, w.gdA, memberAcct); s != "Enabled" {
		t.Fatalf("GuardDuty: B is %s, want Enabled", s)
	}
	return w
}

// Aims shared by the cases.
func isoAccountAims() []isoAim {
	return []isoAim{{"{acct}": memberAcct}, {"{acct}": adminAcct}, {"{acct}": fourthAcct}, {"{acct}": isoX}}
}

func (w *isoWorld) macieInvitationAims() []isoAim {
	return []isoAim{
		{"{admin}": adminAcct, "{inv}": w.macieInvB},
		{"{admin}": adminAcct, "{inv}": w.macieInvD},
		{"{admin}": adminAcct, "{inv}": isoNoID},
		{"{admin}": isoX, "{inv}": w.macieInvB},
		{"{admin}": isoX, "{inv}": isoNoID},
	}
}

func (w *isoWorld) gdInvitationAims() []isoAim {
	return []isoAim{
		{"{admin}": adminAcct, "{inv}": w.gdInvB},
		{"{admin}": adminAcct, "{inv}": w.gdInvD},
		{"{admin}": adminAcct, "{inv}": isoNoID},
		{"{admin}": isoX, "{inv}": w.gdInvB},
		{"{admin}": isoX, "{inv}": isoNoID},
	}
}

func isoMacieARNAims() []isoAim {
	return []isoAim{
		{"{arn}": memberARN(adminAcct, memberAcct)},
		{"{arn}": memberARN(adminAcct, fourthAcct)},
		{"{arn}": memberARN(adminAcct, isoX)},
		{"{arn}": memberARN(isoX, memberAcct)},
	}
}

func (w *isoWorld) gdDetectorAims() []isoAim {
	return []isoAim{{"{det}": w.gdA.det}, {"{det}": w.gdB.det}, {"{det}": w.gdD.det}, {"{det}": isoNoID}}
}

func (w *isoWorld) gdARNAims() []isoAim {
	return []isoAim{
		{"{arn}": w.gdA.arn("us-east-1")},
		{"{arn}": w.gdB.arn("us-east-1")},
		{"{arn}": "arn:aws:guardduty:us-east-1:" + adminAcct + ":detector/" + isoNoID},
		{"{arn}": "arn:aws:guardduty:us-east-1:" + isoX + ":detector/" + w.gdA.det},
	}
}

// macieCases is the matrix for C with Macie enabled, in the order it is
// played: the calls that give C members of its own come last.
func (w *isoWorld) macieCases() []isoCase {
	notYours := isoWant{status: 400, errType: "ValidationException", msg: isoMacieNotYours}
	notManagement := isoWant{status: 403, errType: "AccessDeniedException", msg: isoMacieNotManagement}
	notOrgAdmin := isoWant{status: 403, errType: "AccessDeniedException", part: isoMacieNotOrgAdmin}
	notFound := isoWant{status: 404, errType: "ResourceNotFoundException"} // spec §7: type only
	unprocessed := func(msg string) isoWant {
		return isoWant{status: 200, body: `{"unprocessedAccounts":[{"accountId":"{acct}","errorCode":"ClientError","errorMessage":"` + msg + `"}]}`}
	}
	ownSession := isoWant{status: 200, check: func(t *testing.T, b map[string]any) {
		if role, _ := b["serviceRole"].(string); !strings.Contains(role, ":"+thirdAcct+":") {
			t.Fatalf("C's session names the role %q", role)
		}
	}}
	return []isoCase{
		{op: "GetMacieSession", method: "GET", path: "/macie", aims: isoNoAim, want: ownSession},
		{op: "UpdateMacieSession", method: "PATCH", path: "/macie", body: `{"findingPublishingFrequency":"ONE_HOUR"}`, aims: isoNoAim, want: isoWant{status: 200, body: `{}`}},
		{op: "EnableMacie", method: "POST", path: "/macie", body: `{}`, aims: isoNoAim, want: isoWant{status: 409, errType: "ConflictException", part: isoMacieAlreadyEnabled}},
		{op: "UpdateMemberSession", method: "PATCH", path: "/macie/members/{acct}", body: `{"status":"PAUSED"}`, aims: isoAccountAims(), want: notYours},
		{op: "ListMembers", method: "GET", path: "/members?onlyAssociated=false", aims: isoNoAim, want: isoWant{status: 200, body: `{"members":[]}`}},
		{op: "GetMember", method: "GET", path: "/members/{acct}", aims: isoAccountAims(), want: notYours},
		{op: "DeleteMember", method: "DELETE", path: "/members/{acct}", aims: isoAccountAims(), want: notYours},
		{op: "DisassociateMember", method: "POST", path: "/members/disassociate/{acct}", aims: isoAccountAims(), want: notYours},
		{op: "CreateInvitations", name: "no record", method: "POST", path: "/invitations", body: `{"accountIds":["{acct}"]}`, aims: isoAccountAims(), want: unprocessed(isoMacieResNotCreated)},
		{op: "ListInvitations", method: "GET", path: "/invitations", aims: isoNoAim, want: isoWant{status: 200, body: `{"invitations":[]}`}},
		{op: "GetInvitationsCount", method: "GET", path: "/invitations/count", aims: isoNoAim, want: isoWant{status: 200, body: `{"invitationsCount":0}`}},
		{op: "AcceptInvitation", method: "POST", path: "/invitations/accept", body: `{"administratorAccountId":"{admin}","invitationId":"{inv}"}`, aims: w.macieInvitationAims(),
			want: isoWant{status: 400, errType: "ValidationException", msg: isoMacieNoPending}},
		{op: "AcceptInvitation", name: "masterAccount", method: "POST", path: "/invitations/accept", body: `{"masterAccount":"{admin}","invitationId":"{inv}"}`, aims: w.macieInvitationAims(),
			want: isoWant{status: 400, errType: "ValidationException", msg: isoMacieNoPending}},
		{op: "DeclineInvitations", method: "POST", path: "/invitations/decline", body: `{"accountIds":["{acct}"]}`, aims: isoAccountAims(), want: unprocessed(isoMacieResNoInvite)},
		{op: "DeleteInvitations", method: "POST", path: "/invitations/delete", body: `{"accountIds":["{acct}"]}`, aims: isoAccountAims(), want: unprocessed(isoMacieResNoInvite)},
		{op: "GetAdministratorAccount", method: "GET", path: "/administrator", aims: isoNoAim, want: isoWant{status: 200, body: `{}`}},
		{op: "GetMasterAccount", method: "GET", path: "/master", aims: isoNoAim, want: isoWant{status: 200, body: `{}`}},
		{op: "DisassociateFromAdministratorAccount", method: "POST", path: "/administrator/disassociate", aims: isoNoAim, want: notFound},
		{op: "DisassociateFromMasterAccount", method: "POST", path: "/master/disassociate", aims: isoNoAim, want: notFound},
		{op: "EnableOrganizationAdminAccount", method: "POST", path: "/admin", body: `{"adminAccountId":"{acct}"}`, aims: isoAccountAims(), want: notManagement},
		{op: "DisableOrganizationAdminAccount", method: "DELETE", path: "/admin?adminAccountId={acct}", aims: isoAccountAims(), want: notManagement},
		{op: "ListOrganizationAdminAccounts", method: "GET", path: "/admin", aims: isoNoAim, want: notManagement},
		{op: "DescribeOrganizationConfiguration", method: "GET", path: "/admin/configuration", aims: isoNoAim, want: notOrgAdmin},
		{op: "UpdateOrganizationConfiguration", method: "PATCH", path: "/admin/configuration", body: `{"autoEnable":true}`, aims: isoNoAim, want: notOrgAdmin},
		{op: "TagResource", method: "POST", path: "/tags/{arn}", body: `{"tags":{"owner":"mallory"}}`, aims: isoMacieARNAims(), want: notFound},
		{op: "UntagResource", method: "DELETE", path: "/tags/{arn}?tagKeys=team&tagKeys=env", aims: isoMacieARNAims(), want: notFound},
		{op: "ListTagsForResource", method: "GET", path: "/tags/{arn}", aims: isoMacieARNAims(), want: notFound},
		// C's own inventory: adding A, B or D changes nothing of theirs,
		// and says nothing about them.
		{op: "CreateMember", method: "POST", path: "/members", body: `{"account":{"accountId":"{acct}","email":"{acct}@example.com"}}`, aims: isoAccountAims(),
			want: isoWant{status: 200, body: `{"arn":"arn:aws:macie2:us-east-1:` + thirdAcct + `:member/{acct}"}`}},
		{op: "CreateInvitations", name: "to C's own members", method: "POST", path: "/invitations", body: `{"accountIds":["{acct}"]}`, aims: isoAccountAims(),
			want: isoWant{status: 200, body: `{"unprocessedAccounts":[]}`}},
		{op: "DisableMacie", method: "DELETE", path: "/macie", aims: isoNoAim, want: isoWant{status: 409, errType: "ConflictException", part: isoMacieHasMembers}},
	}
}

// macieDisabledCases is the matrix for C before it enables Macie: every
// call is refused because C's own Macie is off (spec §1.4, §8).
func (w *isoWorld) macieDisabledCases() []isoCase {
	var out []isoCase
	for _, c := range w.macieCases() {
		switch c.op {
		case "EnableMacie":
			continue
		case "DescribeOrganizationConfiguration", "UpdateOrganizationConfiguration":
			// §6.4, §8: the "must be the Macie administrator" text.
			c.want = isoWant{status: 403, errType: "AccessDeniedException", part: isoMacieNotOrgAdmin}
		default:
			c.want = isoWant{status: 403, errType: "AccessDeniedException", msg: isoMacieNotEnabled}
		}
		out = append(out, c)
	}
	return out
}

// guardDutyCases is the matrix for C aimed at A's, B's and D's detectors
// (C's own detector or not, the answer is the same), then, once C has a
// detector (withOwn), C's own detector aimed at A's, B's and D's
// accounts and invitations.
func (w *isoWorld) guardDutyCases(withOwn bool) []isoCase {
	notOwned := isoWant{status: 400, errType: "BadRequestException", gdType: "InvalidInputException", msg: gdMsgNotOwned}
	bad := func(msg string) isoWant {
		return isoWant{status: 400, errType: "BadRequestException", gdType: "InvalidInputException", msg: msg}
	}
	denied := isoWant{status: 403, errType: "AccessDeniedException", gdType: "AccessDeniedException"} // spec §5 Tagging: type only
	unprocessed := func(msg string) isoWant {
		return isoWant{status: 200, body: `{"unprocessedAccounts":[{"accountId":"{acct}","result":"` + msg + `"}]}`}
	}
	det := w.gdDetectorAims()
	b := `{"accountIds":["` + memberAcct + `"]}`
	detectors := `{"detectorIds":[]}`
	if withOwn {
		detectors = `{"detectorIds":["{own}"]}`
	}
	cases := []isoCase{
		{op: "ListDetectors", method: "GET", path: "/detector", aims: isoNoAim, want: isoWant{status: 200, body: detectors}},
		{op: "GetDetector", method: "GET", path: "/detector/{det}", aims: det, want: notOwned},
		{op: "UpdateDetector", method: "POST", path: "/detector/{det}", body: `{"enable":false,"findingPublishingFrequency":"ONE_HOUR"}`, aims: det, want: notOwned},
		{op: "DeleteDetector", method: "DELETE", path: "/detector/{det}", aims: det, want: notOwned},
		{op: "CreateMembers", method: "POST", path: "/detector/{det}/member", body: `{"accountDetails":[{"accountId":"` + thirdAcct + `","email":"c@example.com"}]}`, aims: det, want: notOwned},
		{op: "ListMembers", method: "GET", path: "/detector/{det}/member?onlyAssociated=false", aims: det, want: notOwned},
		{op: "GetMembers", method: "POST", path: "/detector/{det}/member/get", body: b, aims: det, want: notOwned},
		{op: "InviteMembers", method: "POST", path: "/detector/{det}/member/invite", body: `{"accountIds":["` + thirdAcct + `"]}`, aims: det, want: notOwned},
		{op: "DeleteMembers", method: "POST", path: "/detector/{det}/member/delete", body: b, aims: det, want: notOwned},
		{op: "DisassociateMembers", method: "POST", path: "/detector/{det}/member/disassociate", body: b, aims: det, want: notOwned},
		{op: "StartMonitoringMembers", method: "POST", path: "/detector/{det}/member/start", body: b, aims: det, want: notOwned},
		{op: "StopMonitoringMembers", method: "POST", path: "/detector/{det}/member/stop", body: b, aims: det, want: notOwned},
		{op: "GetMemberDetectors", method: "POST", path: "/detector/{det}/member/detector/get", body: b, aims: det, want: notOwned},
		{op: "UpdateMemberDetectors", method: "POST", path: "/detector/{det}/member/detector/update",
			body: `{"accountIds":["` + memberAcct + `"],"features":[{"name":"S3_DATA_EVENTS","status":"DISABLED"}]}`, aims: det, want: notOwned},
		{op: "AcceptAdministratorInvitation", method: "POST", path: "/detector/{det}/administrator",
			body: `{"administratorId":"` + adminAcct + `","invitationId":"` + w.gdInvB + `"}`, aims: det, want: notOwned},
		{op: "GetAdministratorAccount", method: "GET", path: "/detector/{det}/administrator", aims: det, want: notOwned},
		{op: "DisassociateFromAdministratorAccount", method: "POST", path: "/detector/{det}/administrator/disassociate", aims: det, want: notOwned},
		{op: "AcceptInvitation", method: "POST", path: "/detector/{det}/master",
			body: `{"masterId":"` + adminAcct + `","invitationId":"` + w.gdInvB + `"}`, aims: det, want: notOwned},
		{op: "GetMasterAccount", method: "GET", path: "/detector/{det}/master", aims: det, want: notOwned},
		{op: "DisassociateFromMasterAccount", method: "POST", path: "/detector/{det}/master/disassociate", aims: det, want: notOwned},
		{op: "DescribeOrganizationConfiguration", method: "GET", path: "/detector/{det}/admin", aims: det, want: notOwned},
		{op: "UpdateOrganizationConfiguration", method: "POST", path: "/detector/{det}/admin", body: `{"autoEnableOrganizationMembers":"ALL"}`, aims: det, want: notOwned},
		{op: "ListInvitations", method: "GET", path: "/invitation", aims: isoNoAim, want: isoWant{status: 200, body: `{"invitations":[]}`}},
		{op: "GetInvitationsCount", method: "GET", path: "/invitation/count", aims: isoNoAim, want: isoWant{status: 200, body: `{"invitationsCount":0}`}},
		// §7 DeclineInvitations, §2.3: "no invitation" (recommended text).
		{op: "DeclineInvitations", method: "POST", path: "/invitation/decline", body: `{"accountIds":["{acct}"]}`, aims: isoAccountAims(), want: unprocessed(gdMsgNoInvitation)},
		// §7 DeleteInvitations: no text for "no invitation at all"; either
		// documented refusal will do.
		{op: "DeleteInvitations", method: "POST", path: "/invitation/delete", body: `{"accountIds":["{acct}"]}`, aims: isoAccountAims(), want: isoWant{status: 200, check: isoOneUnprocessed(gdMsgNoInvitation, gdResCannotDeleteInvitation)}},
		{op: "ListOrganizationAdminAccounts", method: "GET", path: "/admin", aims: isoNoAim, want: bad(gdMsgNoOrgPermission)},
		{op: "EnableOrganizationAdminAccount", method: "POST", path: "/admin/enable", body: `{"adminAccountId":"{acct}"}`, aims: isoAccountAims(), want: bad(gdMsgNoOrgPermission)},
		{op: "DisableOrganizationAdminAccount", method: "POST", path: "/admin/disable", body: `{"adminAccountId":"{acct}"}`, aims: isoAccountAims(), want: bad(gdMsgNoOrgPermission)},
		{op: "TagResource", method: "POST", path: "/tags/{arn}", body: `{"tags":{"owner":"mallory"}}`, aims: w.gdARNAims(), want: denied},
		{op: "UntagResource", method: "DELETE", path: "/tags/{arn}?tagKeys=team", aims: w.gdARNAims(), want: denied},
		{op: "ListTagsForResource", method: "GET", path: "/tags/{arn}", aims: w.gdARNAims(), want: denied},
	}
	if !withOwn {
		return cases
	}
	acct := isoAccountAims()
	own := func(op, method, path, body string, aims []isoAim, want isoWant) isoCase {
		return isoCase{op: op, name: "own detector", method: method, path: path, body: body, aims: aims, want: want}
	}
	a := `{"accountIds":["{acct}"]}`
	cases = append(cases,
		isoCase{op: "CreateDetector", method: "POST", path: "/detector", body: `{"enable":true}`, aims: isoNoAim, want: bad(gdMsgDetectorExists)},
		own("ListMembers", "GET", "/detector/{own}/member?onlyAssociated=false", "", isoNoAim, isoWant{status: 200, body: `{"members":[]}`}),
		own("GetMembers", "POST", "/detector/{own}/member/get", a, acct,
			isoWant{status: 200, body: `{"members":[],"unprocessedAccounts":[{"accountId":"{acct}","result":"` + gdResNotAssociated + `"}]}`}),
		own("InviteMembers", "POST", "/detector/{own}/member/invite", a, acct, unprocessed(gdResEmailMissing)),
		own("DeleteMembers", "POST", "/detector/{own}/member/delete", a, acct, unprocessed(gdResNotAssociated)),
		own("DisassociateMembers", "POST", "/detector/{own}/member/disassociate", a, acct, unprocessed(gdResNotAssociated)),
		own("StartMonitoringMembers", "POST", "/detector/{own}/member/start", a, acct, unprocessed(gdResNotAssociated)),
		own("StopMonitoringMembers", "POST", "/detector/{own}/member/stop", a, acct, unprocessed(gdResNotAssociated)),
		own("GetMemberDetectors", "POST", "/detector/{own}/member/detector/get", a, acct,
			isoWant{status: 200, body: `{"members":[],"unprocessedAccounts":[{"accountId":"{acct}","result":"` + gdResNotAssociated + `"}]}`}),
		own("UpdateMemberDetectors", "POST", "/detector/{own}/member/detector/update",
			`{"accountIds":["{acct}"],"features":[{"name":"S3_DATA_EVENTS","status":"DISABLED"}]}`, acct, unprocessed(gdResNotAssociated)),
		own("AcceptAdministratorInvitation", "POST", "/detector/{own}/administrator", `{"administratorId":"{admin}","invitationId":"{inv}"}`, w.gdInvitationAims(), bad(gdMsgNoInvitation)),
		own("AcceptInvitation", "POST", "/detector/{own}/master", `{"masterId":"{admin}","invitationId":"{inv}"}`, w.gdInvitationAims(), bad(gdMsgNoInvitation)),
		own("GetAdministratorAccount", "GET", "/detector/{own}/administrator", "", isoNoAim, isoWant{status: 200, body: `{}`}),
		own("GetMasterAccount", "GET", "/detector/{own}/master", "", isoNoAim, isoWant{status: 200, body: `{}`}),
		own("DisassociateFromAdministratorAccount", "POST", "/detector/{own}/administrator/disassociate", "", isoNoAim, bad(gdMsgNoAdministrator)),
		own("DisassociateFromMasterAccount", "POST", "/detector/{own}/master/disassociate", "", isoNoAim, bad(gdMsgNoAdministrator)),
		own("DescribeOrganizationConfiguration", "GET", "/detector/{own}/admin", "", isoNoAim, bad(gdMsgNoOrgPermission)),
		own("UpdateOrganizationConfiguration", "POST", "/detector/{own}/admin", `{"autoEnableOrganizationMembers":"ALL"}`, isoNoAim, bad(gdMsgNoOrgPermission)),
		// C's own inventory: adding and inviting A, B, D changes nothing
		// of theirs but the invitation from C, and says nothing about them.
		own("CreateMembers", "POST", "/detector/{own}/member", `{"accountDetails":[{"accountId":"{acct}","email":"{acct}@example.com"}]}`, acct, isoWant{status: 200, body: `{"unprocessedAccounts":[]}`}),
		isoCase{op: "InviteMembers", name: "C's own members", method: "POST", path: "/detector/{own}/member/invite", body: a, aims: acct, want: isoWant{status: 200, body: `{"unprocessedAccounts":[]}`}},
	)
	return cases
}

// isoOneUnprocessed checks an unprocessedAccounts list of the one aimed
// account with one of the results.
func isoOneUnprocessed(results ...string) func(*testing.T, map[string]any) {
	return func(t *testing.T, b map[string]any) {
		t.Helper()
		list, _ := b["unprocessedAccounts"].([]any)
		if len(list) != 1 {
			t.Fatalf("unprocessedAccounts %v, want the one account", b["unprocessedAccounts"])
		}
		got, _ := list[0].(map[string]any)["result"].(string)
		for _, r := range results {
			if got == r {
				return
			}
		}
		t.Fatalf("result %q, want one of %q", got, results)
	}
}

// TestIsolationMacie plays the Macie matrix: C without Macie, C enabling
// it, C with Macie.
func TestIsolationMacie(t *testing.T) {
	w := newIsoWorld(t)
	base := w.macieViews(t)
	t.Run("C not enabled", func(t *testing.T) {
		for _, c := range w.macieDisabledCases() {
			w.run(t, "macie2", c, w.macieViews)
		}
	})
	w.run(t, "macie2", isoCase{op: "EnableMacie", name: "C enables", method: "POST", path: "/macie", body: `{}`, aims: isoNoAim, want: isoWant{status: 200, body: `{}`}}, w.macieViews)
	t.Run("C enabled", func(t *testing.T) {
		for _, c := range w.macieCases() {
			w.run(t, "macie2", c, w.macieViews)
		}
	})
	isoSame(t, base, w.macieViews(t))
	// C's invitations did reach B and D, as AWS delivers anyone's; B's
	// administrator is still A.
	if _, ok := receivedInvitations(t, macieClient(w.srv, memberAcct))[thirdAcct]; !ok {
		t.Errorf("B did not receive C's invitation")
	}
	if admin, status := administratorOf(t, macieClient(w.srv, memberAcct)); admin != adminAcct || status != types.RelationshipStatusEnabled {
		t.Errorf("B's administrator is %s (%s), want %s Enabled", admin, status, adminAcct)
	}
}

// TestIsolationGuardDuty plays the GuardDuty matrix: C without a
// detector, C creating one, C with its detector.
func TestIsolationGuardDuty(t *testing.T) {
	w := newIsoWorld(t)
	base := w.guardDutyViews(t)
	t.Run("C without detector", func(t *testing.T) {
		for _, c := range w.guardDutyCases(false) {
			w.run(t, "guardduty", c, w.guardDutyViews)
		}
	})
	t.Run("CreateDetector/C creates", func(t *testing.T) {
		before := w.guardDutyViews(t)
		r := w.call(t, "guardduty", isoCase{op: "CreateDetector", method: "POST", path: "/detector", body: `{"enable":true}`}, isoAim{})
		if r.Status != 200 {
			t.Fatalf("CreateDetector: %d %s", r.Status, r.Body)
		}
		w.gdC, _ = r.JSON(t)["detectorId"].(string)
		if !invitationIDPattern.MatchString(w.gdC) {
			t.Fatalf("C's detector id %q", w.gdC)
		}
		isoSame(t, before, w.guardDutyViews(t))
	})
	if w.gdC == "" {
		t.Fatal("C has no detector")
	}
	t.Run("C with detector", func(t *testing.T) {
		for _, c := range w.guardDutyCases(true) {
			w.run(t, "guardduty", c, w.guardDutyViews)
		}
	})
	isoSame(t, base, w.guardDutyViews(t))
	if _, ok := gdInvitations(t, w.gdB.c)[thirdAcct]; !ok {
		t.Errorf("B did not receive C's invitation")
	}
	if adm := gdAdministrator(t, w.gdB); adm == nil || aws.ToString(adm.AccountId) != adminAcct {
		t.Errorf("B's administrator is %+v, want %s", adm, adminAcct)
	}
}

// TestIsolationCoversEveryRoute fails when an operation of either
// adapter's route table has no case in the matrix.
func TestIsolationCoversEveryRoute(t *testing.T) {
	w := &isoWorld{gdA: &gdAcct{}, gdB: &gdAcct{}, gdD: &gdAcct{}}
	engine := membership.New(memstore.New())
	for _, svc := range []struct {
		name  string
		ops   []string
		cases []isoCase
	}{
		{"macie2", maciesvc.New(engine, nil).Operations(),
			append(w.macieCases(), w.macieDisabledCases()...)},
		{"guardduty", gdsvc.New(engine, nil).Operations(),
			append(w.guardDutyCases(false), w.guardDutyCases(true)...)},
	} {
		covered := map[string]bool{}
		for _, c := range svc.cases {
			covered[c.op] = true
		}
		if len(svc.ops) == 0 {
			t.Fatalf("%s: no operations listed", svc.name)
		}
		served := map[string]bool{}
		for _, op := range svc.ops {
			served[op] = true
			if !covered[op] {
				t.Errorf("%s: operation %s has no isolation case", svc.name, op)
			}
		}
		for op := range covered {
			if !served[op] {
				t.Errorf("%s: the matrix has a case for %s, which the route table does not serve", svc.name, op)
			}
		}
	}
}
