package organizations_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/localsec/localsec/internal/clock"
	"github.com/localsec/localsec/internal/ids"
	"github.com/localsec/localsec/internal/organizations"
	"github.com/localsec/localsec/internal/store"
	"github.com/localsec/localsec/internal/store/memstore"
)

// Accounts used throughout the tests.
const (
	mgmt     = "111111111111" // management account of the main organization
	da       = "222222222222" // member, delegated administrator for guardduty
	mem      = "333333333333" // plain member
	stranger = "444444444444" // standalone, never invited
	mgmt2    = "555555555555" // management account of a second organization
	other    = "666666666666" // member of the second organization
	invitee  = "777777777777" // standalone, holds an open invitation of the main organization
	extra    = "888888888888" // standalone spare
)

const (
	guardduty = "guardduty.amazonaws.com"
	macie     = "macie.amazonaws.com"
	shub      = "securityhub.amazonaws.com"
	config    = "config.amazonaws.com" // several delegated administrators allowed
	ssm       = "ssm.amazonaws.com"    // several delegated administrators allowed
)

// t0 is when every test's clock starts.
var t0 = time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)

var (
	reOrg     = regexp.MustCompile(`^o-[0-9a-z]{10}$`)
	reRoot    = regexp.MustCompile(`^r-[0-9a-z]{4}$`)
	reOU      = regexp.MustCompile(`^ou-[0-9a-z]{4}-[0-9a-z]{8}$`)
	reAccount = regexp.MustCompile(`^\d{12}$`)
	reHS      = regexp.MustCompile(`^h-[0-9a-z]{8,32}$`)
	reCAR     = regexp.MustCompile(`^car-[0-9a-z]{8,32}$`)
)

// storeTx is the store's transaction, for closures given to Update and View.
type storeTx = store.Tx

// event is what the recording listener heard.
type event struct {
	Kind      string // joined, left, deregistered, disabled
	Org       string
	Account   string
	Principal string
}

// recorder is a Listener that records the events it hears and, when told
// to, writes a record of its own and fails, so that rollbacks can be seen.
type recorder struct {
	mu     sync.Mutex
	events []event
	fail   map[string]bool
}

var errListener = errors.New("listener refuses")

func (r *recorder) hear(ctx context.Context, tx store.Tx, ev event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	// A write of the listener's own, which must commit or roll back with
	// the operation.
	if err := tx.PutRecord(ctx, store.Record{Kind: "test.listener", Key: ev.Kind + "/" + ev.Account + ev.Principal, Value: []byte("{}")}); err != nil {
		return err
	}
	if r.fail[ev.Kind] {
		return fmt.Errorf("%s: %w", ev.Kind, errListener)
	}
	r.events = append(r.events, ev)
	return nil
}

func (r *recorder) AccountLeft(ctx context.Context, tx store.Tx, org organizations.Organization, account string) error {
	return r.hear(ctx, tx, event{Kind: "left", Org: org.ID, Account: account})
}

func (r *recorder) DelegatedAdminDeregistered(ctx context.Context, tx store.Tx, org organizations.Organization, principal, account string) error {
	return r.hear(ctx, tx, event{Kind: "deregistered", Org: org.ID, Account: account, Principal: principal})
}

func (r *recorder) ServiceAccessDisabled(ctx context.Context, tx store.Tx, org organizations.Organization, principal string) error {
	return r.hear(ctx, tx, event{Kind: "disabled", Org: org.ID, Principal: principal})
}

func (r *recorder) AccountJoined(ctx context.Context, tx store.Tx, org organizations.Organization, account string) error {
	return r.hear(ctx, tx, event{Kind: "joined", Org: org.ID, Account: account})
}

// take returns the events heard so far and forgets them.
func (r *recorder) take() []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	ev := r.events
	r.events = nil
	return ev
}

func (r *recorder) failOn(kind string, fail bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail == nil {
		r.fail = map[string]bool{}
	}
	r.fail[kind] = fail
}

// env is one engine over a fresh memstore, with a fake clock, predictable
// ids and a recording listener.
type env struct {
	t     *testing.T
	ctx   context.Context
	clock *clock.Fake
	store store.Store
	eng   *organizations.Engine
	rec   *recorder
}

func newEnv(t *testing.T, opts ...organizations.Option) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), clock: clock.NewFake(t0), store: memstore.New(), rec: &recorder{}}
	all := append([]organizations.Option{
		organizations.WithClock(e.clock),
		organizations.WithIDs(&ids.Sequence{}),
		organizations.WithListener(e.rec),
	}, opts...)
	e.eng = organizations.New(e.store, all...)
	return e
}

// snapshot returns the whole state of the store.
func (e *env) snapshot() store.Snapshot {
	e.t.Helper()
	var s store.Snapshot
	err := e.store.View(e.ctx, func(tx store.Tx) error {
		var err error
		s, err = tx.All(e.ctx)
		return err
	})
	if err != nil {
		e.t.Fatalf("snapshot: %v", err)
	}
	return s
}

// records returns the store's records of kind.
func (e *env) records(kind string) []store.Record {
	e.t.Helper()
	var out []store.Record
	for _, r := range e.snapshot().Records {
		if r.Kind == kind {
			out = append(out, r)
		}
	}
	return out
}

// ok fails the test on err.
func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

// wantErr checks that err is the engine error code with reason exactly.
func wantErr(t *testing.T, err error, code organizations.Code, reason string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s (%q)", code, reason)
	}
	oe := organizations.ErrorOf(err)
	if oe == nil {
		t.Fatalf("got %v, not an engine error; want %s", err, code)
	}
	if oe.Code != code || oe.Reason != reason {
		t.Fatalf("got %s reason %q, want %s reason %q (%v)", oe.Code, oe.Reason, code, reason, err)
	}
}

// refused runs call, checks it fails with code and reason, and that it
// changed nothing in the store.
func (e *env) refused(call func() error, code organizations.Code, reason string) {
	e.t.Helper()
	before := e.snapshot()
	err := call()
	wantErr(e.t, err, code, reason)
	if after := e.snapshot(); !reflect.DeepEqual(before, after) {
		e.t.Fatalf("refused call (%v) changed the store:\n%s", err, diffSnapshots(before, after))
	}
}

// unchanged runs call, checks it succeeds and changed nothing.
func (e *env) unchanged(call func() error) {
	e.t.Helper()
	before := e.snapshot()
	ok(e.t, call())
	if after := e.snapshot(); !reflect.DeepEqual(before, after) {
		e.t.Fatalf("call changed the store:\n%s", diffSnapshots(before, after))
	}
}

func diffSnapshots(a, b store.Snapshot) string {
	index := func(s store.Snapshot) map[string]string {
		m := map[string]string{}
		for _, r := range s.Records {
			m[r.Kind+" "+r.Key] = string(r.Value)
		}
		return m
	}
	ma, mb := index(a), index(b)
	var out []string
	for k, v := range ma {
		if w, ok := mb[k]; !ok {
			out = append(out, "- "+k+" "+v)
		} else if w != v {
			out = append(out, "~ "+k+" "+v+" -> "+w)
		}
	}
	for k, v := range mb {
		if _, ok := ma[k]; !ok {
			out = append(out, "+ "+k+" "+v)
		}
	}
	slices.Sort(out)
	if len(out) == 0 {
		return "(records equal; other parts differ)"
	}
	return strings.Join(out, "\n")
}

// createOrg makes caller the management account of a new ALL organization.
func (e *env) createOrg(caller string) organizations.Organization {
	e.t.Helper()
	o, err := e.eng.CreateOrganization(e.ctx, caller, "")
	ok(e.t, err)
	return o
}

// invite invites account (by id) into caller's organization.
func (e *env) invite(caller, account string, tags ...organizations.Tag) organizations.Handshake {
	e.t.Helper()
	h, err := e.eng.InviteAccountToOrganization(e.ctx, caller, organizations.Party{ID: account, Type: organizations.PartyAccount}, "", tags)
	ok(e.t, err)
	return h
}

// join invites account into caller's organization and has it accept.
func (e *env) join(caller, account string) {
	e.t.Helper()
	h := e.invite(caller, account)
	_, err := e.eng.AcceptHandshake(e.ctx, account, h.ID)
	ok(e.t, err)
}

// createAccount creates an account in caller's organization and returns
// its id (reading the request twice, as a poller would).
func (e *env) createAccount(caller, name string, tags ...organizations.Tag) (requestID, account string) {
	e.t.Helper()
	st, err := e.eng.CreateAccount(e.ctx, caller, organizations.NewAccount{Name: name, Email: name + "@example.com", Tags: tags})
	ok(e.t, err)
	s, err := e.eng.DescribeCreateAccountStatus(e.ctx, caller, st.ID)
	ok(e.t, err)
	if s.State != organizations.CreateSucceeded {
		e.t.Fatalf("CreateAccount %s: %+v", name, s)
	}
	return st.ID, s.AccountID
}

// createOU creates an OU.
func (e *env) createOU(caller, parent, name string) organizations.OrganizationalUnit {
	e.t.Helper()
	ou, err := e.eng.CreateOrganizationalUnit(e.ctx, caller, parent, name, nil)
	ok(e.t, err)
	return ou
}

func (e *env) accountIDs(caller string) []string {
	e.t.Helper()
	accts, _, err := e.eng.ListAccounts(e.ctx, caller, organizations.Page{Limit: 1000})
	ok(e.t, err)
	var out []string
	for _, a := range accts {
		out = append(out, a.ID)
	}
	return out
}

func (e *env) tags(caller, id string) []organizations.Tag {
	e.t.Helper()
	tags, _, err := e.eng.ListTagsForResource(e.ctx, caller, id, organizations.Page{Limit: 1000})
	ok(e.t, err)
	return tags
}

// world is the common fixture: the main organization (mgmt) with a
// delegated administrator (da, guardduty), a plain member (mem), an OU,
// a CreateAccount request and an open invitation to invitee; a second
// organization (mgmt2) with one member (other); a standalone stranger.
type world struct {
	*env
	org, org2 organizations.Organization
	ou        string // OU directly in the main root
	car       string // a (read, SUCCEEDED) CreateAccount request of the main organization
	created   string // the account it created
	hs        string // the open invitation to invitee
}

func newWorld(t *testing.T, opts ...organizations.Option) *world {
	t.Helper()
	w := &world{env: newEnv(t, opts...)}
	w.org = w.createOrg(mgmt)
	w.join(mgmt, da)
	w.join(mgmt, mem)
	ok(t, w.eng.RegisterDelegatedAdministrator(w.ctx, mgmt, da, guardduty))
	ok(t, w.eng.EnableAWSServiceAccess(w.ctx, mgmt, guardduty))
	w.ou = w.createOU(mgmt, w.org.RootID, "Workloads").ID
	w.car, w.created = w.createAccount(mgmt, "created")
	w.hs = w.invite(mgmt, invitee).ID
	w.org2 = w.createOrg(mgmt2)
	w.join(mgmt2, other)
	w.rec.take()
	return w
}

// walk pages through a list with limit, checking each page's size, and
// returns every entry.
func walk[T any](t *testing.T, limit int, page func(organizations.Page) ([]T, string, error)) []T {
	t.Helper()
	var all []T
	tok := ""
	for i := 0; ; i++ {
		if i > 10000 {
			t.Fatalf("paging does not end")
		}
		items, next, err := page(organizations.Page{Token: tok, Limit: limit})
		ok(t, err)
		if len(items) > limit {
			t.Fatalf("page of %d entries with limit %d", len(items), limit)
		}
		if next != "" && len(items) == 0 {
			t.Fatalf("empty page with a next token")
		}
		all = append(all, items...)
		if next == "" {
			return all
		}
		tok = next
	}
}

func tagList(n int, prefix string) []organizations.Tag {
	out := make([]organizations.Tag, n)
	for i := range out {
		out[i] = organizations.Tag{Key: fmt.Sprintf("%s%02d", prefix, i), Value: fmt.Sprint(i)}
	}
	return out
}
