package e2e_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"
	"github.com/aws/aws-sdk-go-v2/service/macie2"
	"github.com/aws/aws-sdk-go-v2/service/macie2/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	gdsvc "github.com/localsec/localsec/internal/service/guardduty"
	maciesvc "github.com/localsec/localsec/internal/service/macie2"
	"github.com/localsec/localsec/localsectest"
)

// Concurrency (issue 7, point 6): one in-process server, many goroutines
// sending conflicting operations through the Go SDK at the same moment,
// round after round, for both services at once:
//
//   - accept against disassociate (by the administrator) and against
//     leaving (by the member);
//   - two administrators inviting one account, which then accepts both;
//   - delete member against accept;
//   - accept against creating members of one's own;
//   - a chain: Q deletes its member M while M accepts Q and Q accepts P.
//
// After every round the invariants are read back through the API:
// a member has at most one associated administrator; the administrator's
// record and the member's GetAdministratorAccount agree both ways;
// nobody is an associated member while it keeps created, invited or
// associated members of its own. Every answer must be a 2xx or a 4xx
// whose exception and message are in the adapter's table of refusals
// (never a 5xx, never a transport error). Run it under -race.

const (
	concInstances = 3 // scenario sets per round: 13 racing goroutines each, per service
	concRounds    = 8
)

// concUnprocessed is a batch call's refusal of the one account it named.
type concUnprocessed struct{ msgs []string }

func (e *concUnprocessed) Error() string { return "unprocessed: " + strings.Join(e.msgs, "; ") }

// concRecorder checks and counts every answer.
type concRecorder struct {
	service     string
	refusals    map[string]bool // "Exception: message" the adapter documents
	unprocessed map[string]bool // per-account results it documents

	mu       sync.Mutex
	outcomes map[string]int
	bad      []string
}

func newConcRecorder(service string) *concRecorder {
	r := &concRecorder{service: service, refusals: map[string]bool{}, unprocessed: map[string]bool{}, outcomes: map[string]int{}}
	switch service {
	case "macie2":
		for _, rep := range maciesvc.Messages() {
			r.refusals[rep.Exception+": "+rep.Message] = true
		}
		for _, msg := range maciesvc.UnprocessedMessages() {
			r.unprocessed[msg] = true
		}
	case "guardduty":
		for _, rep := range gdsvc.Messages() {
			r.refusals[rep.Exception+": "+rep.Message] = true
			r.unprocessed[rep.Message] = true
		}
	}
	return r
}

// note records op's answer; it returns err unchanged.
func (r *concRecorder) note(op string, err error) error {
	outcome, bad := "ok", ""
	var unp *concUnprocessed
	var apiErr smithy.APIError
	var respErr *smithyhttp.ResponseError
	switch {
	case err == nil:
	case errors.As(err, &unp):
		outcome = "unprocessed"
		for _, m := range unp.msgs {
			if !r.unprocessed[m] {
				bad = fmt.Sprintf("%s %s: undocumented unprocessed result %q", r.service, op, m)
			}
			outcome += " " + m
		}
	case errors.As(err, &apiErr) && errors.As(err, &respErr):
		status := respErr.HTTPStatusCode()
		key := apiErr.ErrorCode() + ": " + apiErr.ErrorMessage()
		outcome = fmt.Sprintf("%d %s", status, key)
		if status < 400 || status >= 500 || !r.refusals[key] {
			bad = fmt.Sprintf("%s %s: undocumented answer %d %s", r.service, op, status, key)
		}
	default:
		outcome = "error"
		bad = fmt.Sprintf("%s %s: %v", r.service, op, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.outcomes[op+" -> "+outcome]++
	if bad != "" {
		r.bad = append(r.bad, bad)
	}
	return err
}

// concService is what the scenarios need of a service; every call is
// recorded.
type concService interface {
	enable(ctx context.Context, acct string) error
	create(ctx context.Context, admin, member string) error
	invite(ctx context.Context, admin, member string) error
	invitationFrom(ctx context.Context, member, admin string) (string, error)
	accept(ctx context.Context, member, admin, id string) error
	disassociate(ctx context.Context, admin, member string) error
	remove(ctx context.Context, admin, member string) error
	leave(ctx context.Context, member string) error
	// administrator is the member's GetAdministratorAccount: the account
	// and status, "" when it has none.
	administrator(ctx context.Context, member string) (string, string, error)
	// records is the administrator's ListMembers(onlyAssociated=false):
	// status by member account.
	records(ctx context.Context, admin string) (map[string]string, error)
	associated(status string) bool
	recorder() *concRecorder
}

// concMacie drives Macie.
type concMacie struct {
	srv     *localsectest.Server
	rec     *concRecorder
	clients sync.Map // account -> *macie2.Client
}

func (m *concMacie) c(acct string) *macie2.Client {
	if c, ok := m.clients.Load(acct); ok {
		return c.(*macie2.Client)
	}
	c, _ := m.clients.LoadOrStore(acct, macieClient(m.srv, acct))
	return c.(*macie2.Client)
}

func (m *concMacie) recorder() *concRecorder { return m.rec }

func (m *concMacie) enable(ctx context.Context, acct string) error {
	_, err := m.c(acct).EnableMacie(ctx, &macie2.EnableMacieInput{})
	return m.rec.note("EnableMacie", err)
}

func (m *concMacie) create(ctx context.Context, admin, member string) error {
	_, err := m.c(admin).CreateMember(ctx, memberInput(member))
	return m.rec.note("CreateMember", err)
}

func (m *concMacie) invite(ctx context.Context, admin, member string) error {
	out, err := m.c(admin).CreateInvitations(ctx, &macie2.CreateInvitationsInput{AccountIds: []string{member}})
	if err == nil && len(out.UnprocessedAccounts) > 0 {
		err = &concUnprocessed{msgs: []string{aws.ToString(out.UnprocessedAccounts[0].ErrorMessage)}}
	}
	return m.rec.note("CreateInvitations", err)
}

func (m *concMacie) invitationFrom(ctx context.Context, member, admin string) (string, error) {
	p := macie2.NewListInvitationsPaginator(m.c(member), &macie2.ListInvitationsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return "", m.rec.note("ListInvitations", err)
		}
		for _, inv := range out.Invitations {
			if aws.ToString(inv.AccountId) == admin {
				return aws.ToString(inv.InvitationId), nil
			}
		}
	}
	return "", nil
}

func (m *concMacie) accept(ctx context.Context, member, admin, id string) error {
	_, err := m.c(member).AcceptInvitation(ctx, acceptInput(admin, id))
	return m.rec.note("AcceptInvitation", err)
}

func (m *concMacie) disassociate(ctx context.Context, admin, member string) error {
	_, err := m.c(admin).DisassociateMember(ctx, &macie2.DisassociateMemberInput{Id: aws.String(member)})
	return m.rec.note("DisassociateMember", err)
}

func (m *concMacie) remove(ctx context.Context, admin, member string) error {
	_, err := m.c(admin).DeleteMember(ctx, &macie2.DeleteMemberInput{Id: aws.String(member)})
	return m.rec.note("DeleteMember", err)
}

func (m *concMacie) leave(ctx context.Context, member string) error {
	_, err := m.c(member).DisassociateFromAdministratorAccount(ctx, &macie2.DisassociateFromAdministratorAccountInput{})
	return m.rec.note("DisassociateFromAdministratorAccount", err)
}

func (m *concMacie) administrator(ctx context.Context, member string) (string, string, error) {
	out, err := m.c(member).GetAdministratorAccount(ctx, &macie2.GetAdministratorAccountInput{})
	if err != nil {
		return "", "", m.rec.note("GetAdministratorAccount", err)
	}
	master, err := m.c(member).GetMasterAccount(ctx, &macie2.GetMasterAccountInput{})
	if err != nil {
		return "", "", m.rec.note("GetMasterAccount", err)
	}
	if (out.Administrator == nil) != (master.Master == nil) ||
		out.Administrator != nil && (aws.ToString(out.Administrator.AccountId) != aws.ToString(master.Master.AccountId) ||
			out.Administrator.RelationshipStatus != master.Master.RelationshipStatus) {
		return "", "", fmt.Errorf("%s: GetAdministratorAccount %+v, GetMasterAccount %+v", member, out.Administrator, master.Master)
	}
	if out.Administrator == nil {
		return "", "", nil
	}
	return aws.ToString(out.Administrator.AccountId), string(out.Administrator.RelationshipStatus), nil
}

func (m *concMacie) records(ctx context.Context, admin string) (map[string]string, error) {
	got := map[string]string{}
	p := macie2.NewListMembersPaginator(m.c(admin), &macie2.ListMembersInput{OnlyAssociated: aws.String("false")})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, m.rec.note("ListMembers", err)
		}
		for _, mem := range out.Members {
			got[aws.ToString(mem.AccountId)] = string(mem.RelationshipStatus)
		}
	}
	return got, nil
}

func (m *concMacie) associated(status string) bool {
	switch types.RelationshipStatus(status) {
	case types.RelationshipStatusEnabled, types.RelationshipStatusPaused, types.RelationshipStatusRegionDisabled, types.RelationshipStatusAccountSuspended:
		return true
	}
	return false
}

// concGuardDuty drives GuardDuty; every account has a detector.
type concGuardDuty struct {
	srv     *localsectest.Server
	rec     *concRecorder
	clients sync.Map // account -> *guardduty.Client
	dets    sync.Map // account -> detector id
}

func (g *concGuardDuty) c(acct string) *guardduty.Client {
	if c, ok := g.clients.Load(acct); ok {
		return c.(*guardduty.Client)
	}
	c, _ := g.clients.LoadOrStore(acct, gdClient(g.srv, acct))
	return c.(*guardduty.Client)
}

func (g *concGuardDuty) det(acct string) *string {
	d, _ := g.dets.Load(acct)
	s, _ := d.(string)
	return aws.String(s)
}

func (g *concGuardDuty) recorder() *concRecorder { return g.rec }

func (g *concGuardDuty) enable(ctx context.Context, acct string) error {
	out, err := g.c(acct).CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true)})
	if err == nil {
		g.dets.Store(acct, aws.ToString(out.DetectorId))
	}
	return g.rec.note("CreateDetector", err)
}

func gdUnprocessed(us []gdtypes.UnprocessedAccount) error {
	if len(us) == 0 {
		return nil
	}
	e := &concUnprocessed{}
	for _, u := range us {
		e.msgs = append(e.msgs, aws.ToString(u.Result))
	}
	return e
}

func (g *concGuardDuty) create(ctx context.Context, admin, member string) error {
	out, err := g.c(admin).CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: g.det(admin), AccountDetails: gdDetails([]string{member})})
	if err == nil {
		err = gdUnprocessed(out.UnprocessedAccounts)
	}
	return g.rec.note("CreateMembers", err)
}

func (g *concGuardDuty) invite(ctx context.Context, admin, member string) error {
	out, err := g.c(admin).InviteMembers(ctx, &guardduty.InviteMembersInput{DetectorId: g.det(admin), AccountIds: []string{member}})
	if err == nil {
		err = gdUnprocessed(out.UnprocessedAccounts)
	}
	return g.rec.note("InviteMembers", err)
}

func (g *concGuardDuty) invitationFrom(ctx context.Context, member, admin string) (string, error) {
	p := guardduty.NewListInvitationsPaginator(g.c(member), &guardduty.ListInvitationsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return "", g.rec.note("ListInvitations", err)
		}
		for _, inv := range out.Invitations {
			if aws.ToString(inv.AccountId) == admin {
				return aws.ToString(inv.InvitationId), nil
			}
		}
	}
	return "", nil
}

func (g *concGuardDuty) accept(ctx context.Context, member, admin, id string) error {
	_, err := g.c(member).AcceptAdministratorInvitation(ctx, &guardduty.AcceptAdministratorInvitationInput{
		DetectorId: g.det(member), AdministratorId: aws.String(admin), InvitationId: aws.String(id),
	})
	return g.rec.note("AcceptAdministratorInvitation", err)
}

func (g *concGuardDuty) disassociate(ctx context.Context, admin, member string) error {
	out, err := g.c(admin).DisassociateMembers(ctx, &guardduty.DisassociateMembersInput{DetectorId: g.det(admin), AccountIds: []string{member}})
	if err == nil {
		err = gdUnprocessed(out.UnprocessedAccounts)
	}
	return g.rec.note("DisassociateMembers", err)
}

func (g *concGuardDuty) remove(ctx context.Context, admin, member string) error {
	out, err := g.c(admin).DeleteMembers(ctx, &guardduty.DeleteMembersInput{DetectorId: g.det(admin), AccountIds: []string{member}})
	if err == nil {
		err = gdUnprocessed(out.UnprocessedAccounts)
	}
	return g.rec.note("DeleteMembers", err)
}

func (g *concGuardDuty) leave(ctx context.Context, member string) error {
	_, err := g.c(member).DisassociateFromAdministratorAccount(ctx, &guardduty.DisassociateFromAdministratorAccountInput{DetectorId: g.det(member)})
	return g.rec.note("DisassociateFromAdministratorAccount", err)
}

func (g *concGuardDuty) administrator(ctx context.Context, member string) (string, string, error) {
	out, err := g.c(member).GetAdministratorAccount(ctx, &guardduty.GetAdministratorAccountInput{DetectorId: g.det(member)})
	if err != nil {
		return "", "", g.rec.note("GetAdministratorAccount", err)
	}
	master, err := g.c(member).GetMasterAccount(ctx, &guardduty.GetMasterAccountInput{DetectorId: g.det(member)})
	if err != nil {
		return "", "", g.rec.note("GetMasterAccount", err)
	}
	if (out.Administrator == nil) != (master.Master == nil) ||
		out.Administrator != nil && (aws.ToString(out.Administrator.AccountId) != aws.ToString(master.Master.AccountId) ||
			aws.ToString(out.Administrator.RelationshipStatus) != aws.ToString(master.Master.RelationshipStatus)) {
		return "", "", fmt.Errorf("%s: GetAdministratorAccount %+v, GetMasterAccount %+v", member, out.Administrator, master.Master)
	}
	if out.Administrator == nil {
		return "", "", nil
	}
	return aws.ToString(out.Administrator.AccountId), aws.ToString(out.Administrator.RelationshipStatus), nil
}

func (g *concGuardDuty) records(ctx context.Context, admin string) (map[string]string, error) {
	got := map[string]string{}
	p := guardduty.NewListMembersPaginator(g.c(admin), &guardduty.ListMembersInput{DetectorId: g.det(admin), OnlyAssociated: aws.String("false")})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, g.rec.note("ListMembers", err)
		}
		for _, mem := range out.Members {
			got[aws.ToString(mem.AccountId)] = aws.ToString(mem.RelationshipStatus)
		}
	}
	return got, nil
}

func (g *concGuardDuty) associated(status string) bool {
	switch status {
	case "Enabled", "Disabled", "RegionDisabled", "AccountSuspended":
		return true
	}
	return false
}

// concEngaged reports whether a record makes its owner an administrator
// (spec: "can't be administrator and member at once"; GuardDuty refuses
// an accept while the caller "still has created, invited or associated
// members").
func concEngaged(s concService, status string) bool {
	switch status {
	case "Created", "Invited", "EmailVerificationInProgress":
		return true
	}
	return s.associated(status)
}

// concRace runs fns at the same moment and waits for them.
func concRace(fns []func()) {
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	for _, fn := range fns {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			fn()
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
}

// concRound plays one round of every scenario on fresh accounts and
// returns the accounts it used.
func concRound(t *testing.T, s concService, round int) []string {
	t.Helper()
	ctx := context.Background()
	n := 0
	var accounts []string
	fresh := func() string {
		n++
		a := fmt.Sprintf("6%02d%09d", round, n)
		accounts = append(accounts, a)
		return a
	}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("round %d setup: %s: %v", round, what, err)
		}
	}
	invitation := func(member, admin string) string {
		t.Helper()
		id, err := s.invitationFrom(ctx, member, admin)
		must("ListInvitations", err)
		return id
	}

	type pair struct{ p, q, m, n string }
	var accDis, twoAdmins, delAcc, acceptCreate, chain []pair
	for range concInstances {
		accDis = append(accDis, pair{p: fresh(), m: fresh()})
		twoAdmins = append(twoAdmins, pair{p: fresh(), q: fresh(), m: fresh()})
		delAcc = append(delAcc, pair{p: fresh(), m: fresh()})
		acceptCreate = append(acceptCreate, pair{p: fresh(), m: fresh(), n: fresh()})
		chain = append(chain, pair{p: fresh(), q: fresh(), m: fresh()})
	}
	for _, a := range accounts {
		must("enable "+a, s.enable(ctx, a))
	}
	invite := func(admin, member string) {
		t.Helper()
		must("create", s.create(ctx, admin, member))
		must("invite", s.invite(ctx, admin, member))
	}
	for _, x := range accDis {
		invite(x.p, x.m)
	}
	for _, x := range delAcc {
		invite(x.p, x.m)
	}
	for _, x := range acceptCreate {
		invite(x.p, x.m)
	}
	for _, x := range chain {
		invite(x.p, x.q)
		invite(x.q, x.m)
	}

	// Phase 1: everything at once.
	var fns []func()
	for _, x := range accDis {
		id := invitation(x.m, x.p)
		fns = append(fns,
			func() { _ = s.accept(ctx, x.m, x.p, id) },
			func() { _ = s.accept(ctx, x.m, x.p, id) },
			func() { _ = s.disassociate(ctx, x.p, x.m) },
			func() { _ = s.leave(ctx, x.m) })
	}
	for _, x := range twoAdmins {
		for _, admin := range []string{x.p, x.q} {
			fns = append(fns, func() {
				if s.create(ctx, admin, x.m) == nil {
					_ = s.invite(ctx, admin, x.m)
				}
			})
		}
	}
	for _, x := range delAcc {
		id := invitation(x.m, x.p)
		fns = append(fns,
			func() { _ = s.accept(ctx, x.m, x.p, id) },
			func() { _ = s.remove(ctx, x.p, x.m) })
	}
	for _, x := range acceptCreate {
		id := invitation(x.m, x.p)
		fns = append(fns,
			func() { _ = s.accept(ctx, x.m, x.p, id) },
			func() {
				if s.create(ctx, x.m, x.n) == nil {
					_ = s.invite(ctx, x.m, x.n)
				}
			})
	}
	for _, x := range chain {
		idPQ, idQM := invitation(x.q, x.p), invitation(x.m, x.q)
		fns = append(fns,
			func() { _ = s.remove(ctx, x.q, x.m) },
			func() { _ = s.accept(ctx, x.m, x.q, idQM) },
			func() { _ = s.accept(ctx, x.q, x.p, idPQ) })
	}
	concRace(fns)

	// Phase 2: the account invited by two administrators accepts both at
	// once, while the first administrator disassociates it.
	fns = nil
	for _, x := range twoAdmins {
		idP, idQ := invitation(x.m, x.p), invitation(x.m, x.q)
		if idP == "" || idQ == "" {
			t.Errorf("round %d: %s holds invitations %q from %s and %q from %s, want both", round, x.m, idP, x.p, idQ, x.q)
			continue
		}
		fns = append(fns,
			func() { _ = s.accept(ctx, x.m, x.p, idP) },
			func() { _ = s.accept(ctx, x.m, x.q, idQ) },
			func() { _ = s.disassociate(ctx, x.p, x.m) })
	}
	concRace(fns)
	return accounts
}

// concInvariants reads the accounts' state back and reports every
// violation.
func concInvariants(t *testing.T, s concService, accounts []string) {
	t.Helper()
	ctx := context.Background()
	adminOf := map[string][2]string{}
	records := map[string]map[string]string{}
	for _, a := range accounts {
		admin, status, err := s.administrator(ctx, a)
		if err != nil {
			t.Fatalf("reading %s's administrator: %v", a, err)
		}
		adminOf[a] = [2]string{admin, status}
		if records[a], err = s.records(ctx, a); err != nil {
			t.Fatalf("reading %s's members: %v", a, err)
		}
	}
	for _, m := range accounts {
		var admins []string
		for _, a := range accounts {
			if st, ok := records[a][m]; ok && s.associated(st) {
				admins = append(admins, a+" ("+st+")")
				if adminOf[m][0] != a {
					t.Errorf("%s keeps %s as %s, but %s's administrator is %q", a, m, st, m, adminOf[m][0])
				}
			}
		}
		if len(admins) > 1 {
			t.Errorf("%s is associated with %d administrators: %v", m, len(admins), admins)
		}
		admin, status := adminOf[m][0], adminOf[m][1]
		if admin == "" {
			continue
		}
		if st := records[admin][m]; st != status || !s.associated(st) {
			t.Errorf("%s's administrator is %s (%s), but %s's record of it is %q", m, admin, status, admin, st)
		}
		for other, st := range records[m] {
			if concEngaged(s, st) {
				t.Errorf("%s is a member of %s and also keeps %s as %s", m, admin, other, st)
			}
		}
	}
}

func concPlay(t *testing.T, s concService) {
	rounds := concRounds
	if testing.Short() {
		rounds = 2
	}
	for round := 1; round <= rounds; round++ {
		accounts := concRound(t, s, round)
		concInvariants(t, s, accounts)
		if t.Failed() {
			break
		}
	}
	rec := s.recorder()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, b := range rec.bad {
		t.Error(b)
	}
	lines := make([]string, 0, len(rec.outcomes))
	for k, v := range rec.outcomes {
		lines = append(lines, fmt.Sprintf("%5d  %s", v, k))
	}
	sort.Strings(lines)
	t.Logf("%s answers:\n%s", rec.service, strings.Join(lines, "\n"))
}

// TestConcurrencyConflicts plays the rounds for Macie and GuardDuty at
// the same time on one server.
func TestConcurrencyConflicts(t *testing.T) {
	srv := newServer(t)
	t.Run("macie2", func(t *testing.T) {
		t.Parallel()
		concPlay(t, &concMacie{srv: srv, rec: newConcRecorder("macie2")})
	})
	t.Run("guardduty", func(t *testing.T) {
		t.Parallel()
		concPlay(t, &concGuardDuty{srv: srv, rec: newConcRecorder("guardduty")})
	})
}
