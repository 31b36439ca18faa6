package membership_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/localsec/localsec/internal/clock"
	"github.com/localsec/localsec/internal/ids"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/service/macie2"
	"github.com/localsec/localsec/internal/store"
	"github.com/localsec/localsec/internal/store/memstore"
)

// Accounts and places used throughout the tests.
const (
	regionA = "us-east-1"
	regionB = "eu-west-1"

	svcName  = "macie2"
	svcOther = "guardduty"

	acctA    = "111111111111" // an administrator
	acctM    = "222222222222" // a member (invitee)
	acctB    = "333333333333" // a second administrator
	acctX    = "444444444444" // a bystander / third party
	acctMgmt = "999999999999" // the organization's management account
)

// allAccounts are the accounts a snapshot looks at.
var allAccounts = []string{acctA, acctM, acctB, acctX, acctMgmt}

// allRegions are the regions a snapshot looks at.
var allRegions = []string{regionA, regionB}

// t0 is when every test's fake clock starts.
var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// macieRules are the real Macie rules, as the adapter uses them.
func macieRules() membership.Rules { return macie2.Rules() }

// guardDutyRules is a GuardDuty-like set of rules. The false fields are
// spelled out: they are the points where it differs from Macie.
func guardDutyRules() membership.Rules {
	return membership.Rules{
		EnablementIDs:           true,
		ResendInvitations:       false,
		DeleteAssociatedMembers: false,
		ListDeclinedInvitations: false,
		ListCurrentInvitation:   false,
		ListRemovedInvitations:  false,
		DeleteRequiresDecline:   true,
		DisableResignsMember:    true,
		OrgAdminEnablesService:  true,
	}
}

// env is one engine over a fresh store, with a fake clock and predictable
// ids, seen as one service.
type env struct {
	ctx    context.Context
	clock  *clock.Fake
	ids    *ids.Sequence
	store  store.Store
	engine *membership.Engine
	svc    *membership.Service
}

// newEnv returns an env over a new memstore.
func newEnv(tb testing.TB, rules membership.Rules, opts ...membership.Option) *env {
	tb.Helper()
	return newEnvOn(tb, memstore.New(), rules, opts...)
}

// newEnvOn returns an env over st.
func newEnvOn(tb testing.TB, st store.Store, rules membership.Rules, opts ...membership.Option) *env {
	tb.Helper()
	e := &env{ctx: context.Background(), clock: clock.NewFake(t0), ids: &ids.Sequence{}, store: st}
	opts = append([]membership.Option{membership.WithClock(e.clock), membership.WithIDs(e.ids)}, opts...)
	e.engine = membership.New(st, opts...)
	e.svc = e.engine.Service(svcName, rules)
	tb.Cleanup(func() { _ = st.Close() })
	return e
}

// withOrg is the option of an organization managed by acctMgmt that
// contains every account.
func withOrg() membership.Option {
	return membership.WithOrganization(membership.Organization{ManagementAccount: acctMgmt})
}

// at is a caller in regionA.
func at(account string) membership.Caller {
	return membership.Caller{Account: account, Region: regionA}
}

// atIn is a caller in a region.
func atIn(account, region string) membership.Caller {
	return membership.Caller{Account: account, Region: region}
}

// advance moves the clock one minute and returns the new "now" as the
// engine records it.
func (e *env) advance() time.Time {
	e.clock.Advance(time.Minute)
	return e.clock.Now().UTC().Truncate(time.Millisecond)
}

// --- arranging state (every helper fails the test on any refusal) ---

func mustEnable(tb testing.TB, e *env, s *membership.Service, cs ...membership.Caller) {
	tb.Helper()
	for _, c := range cs {
		if _, err := s.Enable(e.ctx, c, membership.EnableInput{}); err != nil {
			tb.Fatalf("Enable(%s/%s): %v", c.Account, c.Region, err)
		}
	}
}

// ensureEnabled enables the callers that are not enabled yet.
func ensureEnabled(tb testing.TB, e *env, s *membership.Service, cs ...membership.Caller) {
	tb.Helper()
	for _, c := range cs {
		if _, err := s.Enable(e.ctx, c, membership.EnableInput{}); err != nil && membership.ErrorCode(err) != membership.CodeAlreadyEnabled {
			tb.Fatalf("Enable(%s/%s): %v", c.Account, c.Region, err)
		}
	}
}

func mustCreate(tb testing.TB, e *env, s *membership.Service, admin membership.Caller, members ...string) {
	tb.Helper()
	var nms []membership.NewMember
	for _, m := range members {
		nms = append(nms, membership.NewMember{Account: m, Email: m + "@example.com"})
	}
	unp, err := s.CreateMembers(e.ctx, admin, nms)
	mustAllProcessed(tb, "CreateMembers", unp, err)
}

func mustInvite(tb testing.TB, e *env, s *membership.Service, admin membership.Caller, members ...string) {
	tb.Helper()
	unp, err := s.InviteMembers(e.ctx, admin, members, membership.InviteOptions{Message: "join us"})
	mustAllProcessed(tb, "InviteMembers", unp, err)
}

// invitationID returns the id of the last invitation admin sent member,
// read from the administrator's record.
func invitationID(tb testing.TB, e *env, s *membership.Service, admin membership.Caller, member string) string {
	tb.Helper()
	m, err := s.GetMember(e.ctx, admin, member)
	if err != nil {
		tb.Fatalf("GetMember(%s, %s): %v", admin.Account, member, err)
	}
	if m.InvitationID == "" {
		tb.Fatalf("GetMember(%s, %s): no invitation was sent", admin.Account, member)
	}
	return m.InvitationID
}

func mustAccept(tb testing.TB, e *env, s *membership.Service, member membership.Caller, admin string) {
	tb.Helper()
	id := invitationID(tb, e, s, membership.Caller{Account: admin, Region: member.Region}, member.Account)
	if err := s.AcceptInvitation(e.ctx, member, admin, id); err != nil {
		tb.Fatalf("AcceptInvitation(%s <- %s): %v", member.Account, admin, err)
	}
}

// mustAssociate enables both accounts if needed, then creates, invites
// and accepts, leaving member Enabled under admin in admin's region.
func mustAssociate(tb testing.TB, e *env, s *membership.Service, admin membership.Caller, member string) {
	tb.Helper()
	mc := membership.Caller{Account: member, Region: admin.Region}
	ensureEnabled(tb, e, s, admin, mc)
	mustCreate(tb, e, s, admin, member)
	mustInvite(tb, e, s, admin, member)
	mustAccept(tb, e, s, mc, admin.Account)
}

func mustAllProcessed(tb testing.TB, op string, unp []membership.Unprocessed, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("%s: %v", op, err)
	}
	if len(unp) != 0 {
		tb.Fatalf("%s: unprocessed %+v", op, unp)
	}
}

func mustOK(tb testing.TB, op string, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("%s: %v", op, err)
	}
}

// wantCode checks that err is an engine refusal with code want.
func wantCode(tb testing.TB, op string, err error, want membership.Code) {
	tb.Helper()
	if err == nil {
		tb.Errorf("%s: succeeded, want refusal %s", op, want)
		return
	}
	if got := membership.ErrorCode(err); got != want {
		tb.Errorf("%s: error %v (code %q), want code %s", op, err, got, want)
	}
}

// wantUnprocessed checks that a batch call succeeded as a whole and left
// exactly the given accounts unprocessed with the given codes.
func wantUnprocessed(tb testing.TB, op string, unp []membership.Unprocessed, err error, want ...membership.Unprocessed) {
	tb.Helper()
	if err != nil {
		tb.Errorf("%s: %v, want unprocessed %+v", op, err, want)
		return
	}
	if len(unp) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(unp, want) {
		tb.Errorf("%s: unprocessed %+v, want %+v", op, unp, want)
	}
}

// --- reading ---

// pageCheck walks every page of a list and checks the paging contract:
// full pages but the last, a token on every page but the last, never the
// token that was passed in. It returns the pages.
func pageCheck[T any](tb testing.TB, limit int, fetch func(token string) ([]T, string, error)) ([][]T, error) {
	tb.Helper()
	size := limit
	if size <= 0 {
		size = membership.DefaultPageSize
	}
	var pages [][]T
	token := ""
	for i := 0; ; i++ {
		if i > 10000 {
			tb.Fatalf("more than 10000 pages: the list does not end")
		}
		items, next, err := fetch(token)
		if err != nil {
			return pages, err
		}
		if next != "" && next == token {
			tb.Fatalf("page %d returned the token it was given (%q)", i, token)
		}
		if len(items) > size {
			tb.Errorf("page %d has %d items, more than the limit %d", i, len(items), size)
		}
		pages = append(pages, items)
		if next == "" {
			if len(items) == 0 && i > 0 {
				tb.Errorf("page %d is an empty last page: the previous page should have had no token", i)
			}
			return pages, nil
		}
		if len(items) != size {
			tb.Errorf("page %d has %d items and a token; want a full page of %d", i, len(items), size)
		}
		token = next
	}
}

func listMembers(tb testing.TB, e *env, s *membership.Service, c membership.Caller, onlyAssociated bool, limit int) ([]membership.MemberView, error) {
	tb.Helper()
	pages, err := pageCheck(tb, limit, func(token string) ([]membership.MemberView, string, error) {
		return s.ListMembers(e.ctx, c, onlyAssociated, membership.Page{Token: token, Limit: limit})
	})
	return slices.Concat(pages...), err
}

func listInvitations(tb testing.TB, e *env, s *membership.Service, c membership.Caller, limit int) ([]membership.Invitation, error) {
	tb.Helper()
	pages, err := pageCheck(tb, limit, func(token string) ([]membership.Invitation, string, error) {
		return s.ListInvitations(e.ctx, c, membership.Page{Token: token, Limit: limit})
	})
	return slices.Concat(pages...), err
}

func listOrgAdmins(tb testing.TB, e *env, s *membership.Service, c membership.Caller) ([]store.OrgAdmin, error) {
	tb.Helper()
	pages, err := pageCheck(tb, 1, func(token string) ([]store.OrgAdmin, string, error) {
		return s.ListOrgAdmins(e.ctx, c, membership.Page{Token: token, Limit: 1})
	})
	return slices.Concat(pages...), err
}

// --- snapshots: the whole state, as the engine shows it ---

// outcome is a value or the error that came instead.
type outcome[T any] struct {
	V   T
	Err string
}

func capture[T any](v T, err error) outcome[T] {
	if err != nil {
		var zero T
		return outcome[T]{V: zero, Err: err.Error()}
	}
	return outcome[T]{V: v}
}

type administrator struct {
	Invitation membership.Invitation
	OK         bool
}

// accountView is everything one account sees of itself in one region.
type accountView struct {
	Enablement    outcome[store.Enablement]
	Members       outcome[[]membership.MemberView]
	Invitations   outcome[[]membership.Invitation]
	Count         outcome[int]
	Administrator outcome[administrator]
	OrgConfig     outcome[store.OrgConfig]
}

// snapshot maps "region/account" (and "region/orgadmins") to what the
// engine shows.
type snapshot map[string]any

func takeSnapshot(tb testing.TB, e *env, s *membership.Service) snapshot {
	tb.Helper()
	return takeSnapshotIn(tb, e, s, allRegions...)
}

// takeSnapshotIn is takeSnapshot limited to some regions.
func takeSnapshotIn(tb testing.TB, e *env, s *membership.Service, regions ...string) snapshot {
	tb.Helper()
	return takeSnapshotOf(tb, e, s, allAccounts, regions)
}

// takeSnapshotOf is the snapshot of some accounts in some regions.
func takeSnapshotOf(tb testing.TB, e *env, s *membership.Service, accounts, regions []string) snapshot {
	tb.Helper()
	snap := snapshot{}
	for _, r := range regions {
		for _, a := range accounts {
			c := atIn(a, r)
			var v accountView
			v.Enablement = capture(s.Enablement(e.ctx, c))
			v.Members = capture(listMembers(tb, e, s, c, false, 0))
			v.Invitations = capture(listInvitations(tb, e, s, c, 0))
			v.Count = capture(s.CountInvitations(e.ctx, c))
			inv, ok, err := s.Administrator(e.ctx, c)
			v.Administrator = capture(administrator{inv, ok}, err)
			v.OrgConfig = capture(s.OrgConfig(e.ctx, c))
			snap[r+"/"+a] = v
		}
		snap[r+"/orgadmins"] = capture(listOrgAdmins(tb, e, s, atIn(acctMgmt, r)))
	}
	return snap
}

// diffSnapshots describes how two snapshots differ ("" when equal).
func diffSnapshots(before, after snapshot) string {
	var keys []string
	for k := range before {
		keys = append(keys, k)
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		if !reflect.DeepEqual(before[k], after[k]) {
			fmt.Fprintf(&b, "\n%s:\n  before %+v\n  after  %+v", k, before[k], after[k])
		}
	}
	return b.String()
}

func wantUnchanged(tb testing.TB, before, after snapshot) {
	tb.Helper()
	if d := diffSnapshots(before, after); d != "" {
		tb.Errorf("state changed:%s", d)
	}
}

// --- a store that fails on demand ---

// errInjected is the error faultyStore's writes fail with.
var errInjected = errors.New("injected write failure")

// panicInjected is the value faultyStore's writes panic with.
type panicInjected struct{ write int }

// faultyStore wraps a store; when armed, the failAt-th (or panicAt-th)
// write of the next Update fails with errInjected (or panics).
type faultyStore struct {
	store.Store
	mu      sync.Mutex
	failAt  int
	panicAt int
	// writes is the number of writes the last completed Update tried.
	writes int
}

// arm sets the faults of the next Update (0 = none).
func (s *faultyStore) arm(failAt, panicAt int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failAt, s.panicAt = failAt, panicAt
}

func (s *faultyStore) lastWrites() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes
}

func (s *faultyStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	s.mu.Lock()
	failAt, panicAt := s.failAt, s.panicAt
	s.failAt, s.panicAt = 0, 0
	s.mu.Unlock()
	return s.Store.Update(ctx, func(tx store.Tx) error {
		ft := &faultyTx{Tx: tx, failAt: failAt, panicAt: panicAt}
		err := fn(ft)
		s.mu.Lock()
		s.writes = ft.n
		s.mu.Unlock()
		return err
	})
}

type faultyTx struct {
	store.Tx
	failAt, panicAt, n int
}

func (t *faultyTx) write() error {
	t.n++
	if t.n == t.panicAt {
		panic(panicInjected{t.n})
	}
	if t.n == t.failAt {
		return errInjected
	}
	return nil
}

func (t *faultyTx) PutEnablement(ctx context.Context, v store.Enablement) error {
	if err := t.write(); err != nil {
		return err
	}
	return t.Tx.PutEnablement(ctx, v)
}

func (t *faultyTx) DeleteEnablement(ctx context.Context, k store.AccountKey) error {
	if err := t.write(); err != nil {
		return err
	}
	return t.Tx.DeleteEnablement(ctx, k)
}

func (t *faultyTx) PutMember(ctx context.Context, v store.Member) error {
	if err := t.write(); err != nil {
		return err
	}
	return t.Tx.PutMember(ctx, v)
}

func (t *faultyTx) DeleteMember(ctx context.Context, k store.MemberKey) error {
	if err := t.write(); err != nil {
		return err
	}
	return t.Tx.DeleteMember(ctx, k)
}

func (t *faultyTx) PutOrgAdmin(ctx context.Context, v store.OrgAdmin) error {
	if err := t.write(); err != nil {
		return err
	}
	return t.Tx.PutOrgAdmin(ctx, v)
}

func (t *faultyTx) DeleteOrgAdmin(ctx context.Context, k store.AccountKey) error {
	if err := t.write(); err != nil {
		return err
	}
	return t.Tx.DeleteOrgAdmin(ctx, k)
}

func (t *faultyTx) PutOrgConfig(ctx context.Context, v store.OrgConfig) error {
	if err := t.write(); err != nil {
		return err
	}
	return t.Tx.PutOrgConfig(ctx, v)
}

func (t *faultyTx) DeleteOrgConfig(ctx context.Context, k store.AccountKey) error {
	if err := t.write(); err != nil {
		return err
	}
	return t.Tx.DeleteOrgConfig(ctx, k)
}
