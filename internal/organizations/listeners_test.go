package organizations_test

import (
	"errors"
	"reflect"
	"slices"
	"testing"

	org "github.com/localsec/localsec/internal/organizations"
)

// TestListenerEvents: each event is heard once, inside the operation's
// transaction (the listener's own record commits with it).
func TestListenerEvents(t *testing.T) {
	e := newEnv(t)
	o := e.createOrg(mgmt)
	if ev := e.rec.take(); len(ev) != 0 {
		t.Fatalf("CreateOrganization: %+v", ev)
	}
	for _, tc := range []struct {
		name string
		do   func() error
		want func() []event
	}{
		{"accept", func() error {
			h := e.invite(mgmt, mem)
			_, err := e.eng.AcceptHandshake(e.ctx, mem, h.ID)
			return err
		}, func() []event { return []event{{Kind: "joined", Org: o.ID, Account: mem}} }},
		{"decline tells nothing", func() error {
			h := e.invite(mgmt, extra)
			_, err := e.eng.DeclineHandshake(e.ctx, extra, h.ID)
			return err
		}, func() []event { return nil }},
		{"register tells nothing", func() error {
			return e.eng.RegisterDelegatedAdministrator(e.ctx, mgmt, mem, guardduty)
		}, func() []event { return nil }},
		{"enable tells nothing", func() error {
			return e.eng.EnableAWSServiceAccess(e.ctx, mgmt, guardduty)
		}, func() []event { return nil }},
		{"deregister", func() error {
			return e.eng.DeregisterDelegatedAdministrator(e.ctx, mgmt, mem, guardduty)
		}, func() []event { return []event{{Kind: "deregistered", Org: o.ID, Account: mem, Principal: guardduty}} }},
		{"disable", func() error {
			return e.eng.DisableAWSServiceAccess(e.ctx, mgmt, guardduty)
		}, func() []event { return []event{{Kind: "disabled", Org: o.ID, Principal: guardduty}} }},
		{"remove", func() error {
			return e.eng.RemoveAccountFromOrganization(e.ctx, mgmt, mem)
		}, func() []event { return []event{{Kind: "left", Org: o.ID, Account: mem}} }},
		{"leave", func() error {
			e.join(mgmt, da)
			e.rec.take()
			return e.eng.LeaveOrganization(e.ctx, da)
		}, func() []event { return []event{{Kind: "left", Org: o.ID, Account: da}} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok(t, tc.do())
			if got, want := e.rec.take(), tc.want(); !reflect.DeepEqual(got, want) {
				t.Fatalf("got %+v, want %+v", got, want)
			}
		})
	}
	// CreateAccount: joined with the new account's id.
	_, acct := e.createAccount(mgmt, "made")
	if got := e.rec.take(); !reflect.DeepEqual(got, []event{{Kind: "joined", Org: o.ID, Account: acct}}) {
		t.Fatalf("%+v", got)
	}
	// The listener's writes committed with the operations.
	var keys []string
	for _, r := range e.records("test.listener") {
		keys = append(keys, r.Key)
	}
	want := []string{"deregistered/" + mem + guardduty, "disabled/" + guardduty, "joined/" + mem, "joined/" + da,
		"joined/" + acct, "left/" + mem, "left/" + da}
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		t.Fatalf("listener records %v, want %v", keys, want)
	}
}

// TestListenerErrorRollsBack: a listener's error undoes the whole
// operation, the listener's own writes included.
func TestListenerErrorRollsBack(t *testing.T) {
	for _, tc := range []struct {
		name  string
		kind  string
		call  func(w *world) error
		check func(t *testing.T, w *world)
	}{
		{"CreateAccount", "joined", func(w *world) error {
			_, err := w.eng.CreateAccount(w.ctx, mgmt, org.NewAccount{Name: "n", Email: "n@example.com", Tags: []org.Tag{{Key: "k"}}})
			return err
		}, func(t *testing.T, w *world) {
			if got := w.accountIDs(mgmt); len(got) != 4 {
				t.Fatalf("%v", got)
			}
		}},
		{"AcceptHandshake", "joined", func(w *world) error {
			_, err := w.eng.AcceptHandshake(w.ctx, invitee, w.hs)
			return err
		}, func(t *testing.T, w *world) {
			h, err := w.eng.DescribeHandshake(w.ctx, invitee, w.hs)
			ok(t, err)
			if h.State != org.HandshakeOpen {
				t.Fatalf("%+v", h)
			}
		}},
		{"RemoveAccountFromOrganization", "left", func(w *world) error {
			return w.eng.RemoveAccountFromOrganization(w.ctx, mgmt, mem)
		}, func(t *testing.T, w *world) {
			_, err := w.eng.DescribeOrganization(w.ctx, mem)
			ok(t, err)
		}},
		{"LeaveOrganization", "left", func(w *world) error {
			return w.eng.LeaveOrganization(w.ctx, mem)
		}, nil},
		{"DeregisterDelegatedAdministrator", "deregistered", func(w *world) error {
			return w.eng.DeregisterDelegatedAdministrator(w.ctx, mgmt, da, guardduty)
		}, func(t *testing.T, w *world) {
			_, _, err := w.eng.ListAccounts(w.ctx, da, org.Page{})
			ok(t, err)
		}},
		{"DisableAWSServiceAccess", "disabled", func(w *world) error {
			return w.eng.DisableAWSServiceAccess(w.ctx, mgmt, guardduty)
		}, func(t *testing.T, w *world) {
			sa, _, err := w.eng.ListAWSServiceAccessForOrganization(w.ctx, mgmt, org.Page{})
			ok(t, err)
			if len(sa) != 1 {
				t.Fatalf("%+v", sa)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.rec.failOn(tc.kind, true)
			before := w.snapshot()
			err := tc.call(w)
			if !errors.Is(err, errListener) {
				t.Fatalf("got %v, want the listener's error", err)
			}
			if after := w.snapshot(); !reflect.DeepEqual(before, after) {
				t.Fatalf("changed:\n%s", diffSnapshots(before, after))
			}
			if ev := w.rec.take(); len(ev) != 0 {
				t.Fatalf("%+v", ev)
			}
			if tc.check != nil {
				tc.check(t, w)
			}
			// Once the listener agrees, the operation goes through.
			w.rec.failOn(tc.kind, false)
			ok(t, tc.call(w))
			if ev := w.rec.take(); len(ev) != 1 || ev[0].Kind != tc.kind {
				t.Fatalf("%+v", ev)
			}
		})
	}
}

// TestAddListener: a listener added after construction hears events.
func TestAddListener(t *testing.T) {
	e := newEnv(t)
	late := &recorder{}
	e.eng.AddListener(late)
	e.createOrg(mgmt)
	e.join(mgmt, mem)
	if got := late.take(); len(got) != 1 || got[0].Kind != "joined" {
		t.Fatalf("%+v", got)
	}
	if got := e.rec.take(); len(got) != 1 {
		t.Fatalf("%+v", got)
	}
}

// TestDeleteOrganizationEndsTrustedAccess: deleting the organization
// tells the services that each principal lost trusted access, as
// DisableAWSServiceAccess does, so a management account that designated
// itself stops being their administrator.
func TestDeleteOrganizationEndsTrustedAccess(t *testing.T) {
	e := newEnv(t)
	o := e.createOrg(mgmt)
	ok(t, e.eng.EnableAWSServiceAccess(e.ctx, mgmt, guardduty))
	ok(t, e.eng.EnableAWSServiceAccess(e.ctx, mgmt, macie))
	e.rec.take()
	ok(t, e.eng.DeleteOrganization(e.ctx, mgmt))
	want := []event{{Kind: "disabled", Org: o.ID, Principal: guardduty}, {Kind: "disabled", Org: o.ID, Principal: macie}}
	if got := e.rec.take(); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}
