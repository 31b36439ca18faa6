package organizations_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/localsec/localsec/internal/ids"
	org "github.com/localsec/localsec/internal/organizations"
	"github.com/localsec/localsec/internal/store/memstore"
)

func TestCreateOrganization(t *testing.T) {
	for _, tc := range []struct {
		name, featureSet, want string
	}{
		{"default", "", org.FeatureSetAll},
		{"all", org.FeatureSetAll, org.FeatureSetAll},
		{"consolidated billing", org.FeatureSetConsolidatedBilling, org.FeatureSetConsolidatedBilling},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			o, err := e.eng.CreateOrganization(e.ctx, mgmt, tc.featureSet)
			ok(t, err)
			if !reOrg.MatchString(o.ID) || !reRoot.MatchString(o.RootID) {
				t.Fatalf("ids %q %q", o.ID, o.RootID)
			}
			want := org.Organization{ID: o.ID, Management: mgmt, ManagementName: "account-" + mgmt,
				ManagementEmail: "account-" + mgmt + "@localsec.invalid", FeatureSet: tc.want, RootID: o.RootID}
			if o != want {
				t.Fatalf("got %+v, want %+v", o, want)
			}
			got, err := e.eng.DescribeOrganization(e.ctx, mgmt)
			ok(t, err)
			if got != want {
				t.Fatalf("DescribeOrganization %+v, want %+v", got, want)
			}
			roots, next, err := e.eng.ListRoots(e.ctx, mgmt, org.Page{})
			ok(t, err)
			if next != "" || len(roots) != 1 || roots[0].ID != o.RootID || roots[0].OrgID != o.ID ||
				roots[0].Management != mgmt || len(roots[0].PolicyTypes) != 0 {
				t.Fatalf("roots %+v next %q", roots, next)
			}
			accts, next, err := e.eng.ListAccounts(e.ctx, mgmt, org.Page{})
			ok(t, err)
			wantAcct := org.Account{ID: mgmt, Name: "account-" + mgmt, Email: "account-" + mgmt + "@localsec.invalid",
				OrgID: o.ID, Management: mgmt, JoinedMethod: org.JoinedInvited, Joined: t0, State: org.StateActive,
				Path: o.ID + "/" + o.RootID + "/" + mgmt + "/"}
			if next != "" || len(accts) != 1 || accts[0] != wantAcct {
				t.Fatalf("accounts %+v, want [%+v]", accts, wantAcct)
			}
			parents, _, err := e.eng.ListParents(e.ctx, mgmt, mgmt, org.Page{})
			ok(t, err)
			if !slices.Equal(parents, []org.Child{{ID: o.RootID, Type: org.TypeRoot}}) {
				t.Fatalf("parents %+v", parents)
			}
		})
	}
}

func TestCreateOrganizationWithDirectory(t *testing.T) {
	e := newEnv(t, org.WithDirectory(func(a string) (string, string) {
		if a == mgmt {
			return "Management", "root@example.com"
		}
		return "", ""
	}))
	o := e.createOrg(mgmt)
	if o.ManagementName != "Management" || o.ManagementEmail != "root@example.com" {
		t.Fatalf("%+v", o)
	}
	// The address is taken.
	st, err := e.eng.CreateAccount(e.ctx, mgmt, org.NewAccount{Name: "x", Email: "ROOT@example.com"})
	ok(t, err)
	s, err := e.eng.DescribeCreateAccountStatus(e.ctx, mgmt, st.ID)
	ok(t, err)
	if s.State != org.CreateFailed || s.FailureReason != org.FailureEmailAlreadyExists {
		t.Fatalf("%+v", s)
	}
}

// TestRandomIDs checks the shapes of the ids the default generator makes.
func TestRandomIDs(t *testing.T) {
	e := newEnv(t)
	e.eng = org.New(e.store, org.WithClock(e.clock), org.WithIDs(ids.Random{}))
	o := e.createOrg(mgmt)
	if !reOrg.MatchString(o.ID) || !reRoot.MatchString(o.RootID) {
		t.Fatalf("ids %q %q", o.ID, o.RootID)
	}
	ou := e.createOU(mgmt, o.RootID, "A")
	if !reOU.MatchString(ou.ID) || !strings.HasPrefix(ou.ID, "ou-"+strings.TrimPrefix(o.RootID, "r-")+"-") {
		t.Fatalf("OU id %q for root %q", ou.ID, o.RootID)
	}
	h := e.invite(mgmt, mem)
	if !reHS.MatchString(h.ID) {
		t.Fatalf("handshake id %q", h.ID)
	}
	car, acct := e.createAccount(mgmt, "acct")
	if !reCAR.MatchString(car) || !reAccount.MatchString(acct) {
		t.Fatalf("request %q account %q", car, acct)
	}
	// Sequence ids have the shapes too.
	w := newWorld(t)
	if !reOrg.MatchString(w.org.ID) || !reRoot.MatchString(w.org.RootID) || !reOU.MatchString(w.ou) ||
		!reHS.MatchString(w.hs) || !reCAR.MatchString(w.car) || !reAccount.MatchString(w.created) {
		t.Fatalf("sequence ids %q %q %q %q %q %q", w.org.ID, w.org.RootID, w.ou, w.hs, w.car, w.created)
	}
}

func TestCreateOrganizationAlreadyInOrganization(t *testing.T) {
	w := newWorld(t)
	for _, c := range []string{mgmt, da, mem, mgmt2, other, w.created} {
		w.refused(func() error {
			_, err := w.eng.CreateOrganization(w.ctx, c, "")
			return err
		}, org.CodeAlreadyInOrganization, "")
	}
	// A standalone account with an open invitation may still make its own.
	_, err := w.eng.CreateOrganization(w.ctx, invitee, "")
	ok(t, err)
	// ... and then cannot accept the invitation.
	w.refused(func() error {
		_, err := w.eng.AcceptHandshake(w.ctx, invitee, w.hs)
		return err
	}, org.CodeHandshakeConstraint, org.ReasonAlreadyInOrganization)
}

func TestDescribeOrganizationFromMember(t *testing.T) {
	w := newWorld(t)
	for _, c := range []string{mgmt, da, mem, w.created} {
		got, err := w.eng.DescribeOrganization(w.ctx, c)
		ok(t, err)
		if got != w.org {
			t.Fatalf("%s sees %+v, want %+v", c, got, w.org)
		}
	}
	got, err := w.eng.DescribeOrganization(w.ctx, other)
	ok(t, err)
	if got != w.org2 {
		t.Fatalf("other sees %+v", got)
	}
}

func TestDeleteOrganization(t *testing.T) {
	w := newWorld(t)
	// Trusted access, tags, a nested OU with tags, a closed account.
	ok(t, w.eng.EnableAWSServiceAccess(w.ctx, mgmt, macie))
	ok(t, w.eng.TagResource(w.ctx, mgmt, w.org.RootID, []org.Tag{{Key: "root", Value: "1"}}))
	ok(t, w.eng.TagResource(w.ctx, mgmt, mgmt, []org.Tag{{Key: "mgmt", Value: "1"}}))
	child, err := w.eng.CreateOrganizationalUnit(w.ctx, mgmt, w.ou, "Child", []org.Tag{{Key: "ou", Value: "1"}})
	ok(t, err)
	ok(t, w.eng.CloseAccount(w.ctx, mgmt, w.created))
	// A declined and a canceled handshake besides the open one.
	h1 := w.invite(mgmt, extra)
	_, err = w.eng.DeclineHandshake(w.ctx, extra, h1.ID)
	ok(t, err)
	h2 := w.invite(mgmt, stranger)
	_, err = w.eng.CancelHandshake(w.ctx, mgmt, h2.ID)
	ok(t, err)

	// Refused while any member remains: each is removed in turn.
	steps := []func() error{
		func() error { return w.eng.DeregisterDelegatedAdministrator(w.ctx, mgmt, da, guardduty) },
		func() error { return w.eng.RemoveAccountFromOrganization(w.ctx, mgmt, da) },
		func() error { return w.eng.RemoveAccountFromOrganization(w.ctx, mgmt, mem) },
		func() error { return w.eng.RemoveAccountFromOrganization(w.ctx, mgmt, w.created) }, // closed, still a member
	}
	for _, step := range steps {
		w.refused(func() error { return w.eng.DeleteOrganization(w.ctx, mgmt) }, org.CodeOrganizationNotEmpty, "")
		ok(t, step())
	}
	w.rec.take()
	ok(t, w.eng.DeleteOrganization(w.ctx, mgmt))

	// Nothing of the organization is left in the store.
	for _, r := range w.snapshot().Records {
		if strings.Contains(r.Key, w.org.ID) || strings.Contains(string(r.Value), w.org.ID) ||
			strings.Contains(r.Key, w.org.RootID) || strings.Contains(string(r.Value), w.org.RootID) {
			t.Errorf("left behind: %s %s %s", r.Kind, r.Key, r.Value)
		}
	}
	for _, kind := range []string{"organizations.ou", "organizations.parent-ou", "organizations.organization-ou",
		"organizations.service-access", "organizations.delegated-admin", "organizations.account-delegation",
		"organizations.tags", "organizations.create-account"} {
		for _, r := range w.records(kind) {
			if !strings.HasPrefix(r.Key, w.org2.ID) && !strings.HasPrefix(r.Key, w.org2.RootID) {
				t.Errorf("left behind: %s %s %s", r.Kind, r.Key, r.Value)
			}
		}
	}
	// The handshakes are gone, for their recipients too.
	for _, c := range []struct{ who, id string }{{invitee, w.hs}, {extra, h1.ID}, {stranger, h2.ID}} {
		_, err := w.eng.DescribeHandshake(w.ctx, c.who, c.id)
		wantErr(t, err, org.CodeHandshakeNotFound, "")
		hs, _, err := w.eng.ListHandshakesForAccount(w.ctx, c.who, org.HandshakeFilter{}, org.Page{})
		ok(t, err)
		if len(hs) != 0 {
			t.Fatalf("%s still has %+v", c.who, hs)
		}
	}
	// The management account is standalone.
	_, err = w.eng.DescribeOrganization(w.ctx, mgmt)
	wantErr(t, err, org.CodeNotInUse, "")
	// The second organization is untouched.
	if got := w.accountIDs(mgmt2); !slices.Equal(got, []string{mgmt2, other}) {
		t.Fatalf("org2 accounts %v", got)
	}

	// The management account may create a new organization at once;
	// nothing of the old one shows.
	o2, err := w.eng.CreateOrganization(w.ctx, mgmt, org.FeatureSetConsolidatedBilling)
	ok(t, err)
	if o2.ID == w.org.ID || o2.RootID == w.org.RootID || o2.FeatureSet != org.FeatureSetConsolidatedBilling {
		t.Fatalf("new organization %+v", o2)
	}
	if got := w.accountIDs(mgmt); !slices.Equal(got, []string{mgmt}) {
		t.Fatalf("accounts %v", got)
	}
	if tags := w.tags(mgmt, mgmt); len(tags) != 0 {
		t.Fatalf("management tags survived: %+v", tags)
	}
	if tags := w.tags(mgmt, o2.RootID); len(tags) != 0 {
		t.Fatalf("root tags %+v", tags)
	}
	for _, id := range []string{w.ou, child.ID} {
		_, err = w.eng.DescribeOrganizationalUnit(w.ctx, mgmt, id)
		wantErr(t, err, org.CodeOUNotFound, "")
	}
	cs, _, err := w.eng.ListCreateAccountStatus(w.ctx, mgmt, nil, org.Page{})
	ok(t, err)
	if len(cs) != 0 {
		t.Fatalf("create statuses %+v", cs)
	}
	_, err = w.eng.DescribeCreateAccountStatus(w.ctx, mgmt, w.car)
	wantErr(t, err, org.CodeCreateAccountNotFound, "")
	hs, _, err := w.eng.ListHandshakesForOrganization(w.ctx, mgmt, org.HandshakeFilter{}, org.Page{})
	ok(t, err)
	if len(hs) != 0 {
		t.Fatalf("handshakes %+v", hs)
	}
	ous, _, err := w.eng.ListOrganizationalUnitsForParent(w.ctx, mgmt, o2.RootID, org.Page{})
	ok(t, err)
	if len(ous) != 0 {
		t.Fatalf("OUs %+v", ous)
	}
	// An ALL organization again: trusted access starts empty.
	ok(t, w.eng.RemoveAccountFromOrganization(w.ctx, mgmt2, other))
	ok(t, w.eng.DeleteOrganization(w.ctx, mgmt2))
	o3, err := w.eng.CreateOrganization(w.ctx, mgmt2, "")
	ok(t, err)
	sa, _, err := w.eng.ListAWSServiceAccessForOrganization(w.ctx, mgmt2, org.Page{})
	ok(t, err)
	if len(sa) != 0 || o3.ID == w.org2.ID {
		t.Fatalf("service access %+v org %+v", sa, o3)
	}
	// The former members are standalone and may join anything.
	w.join(mgmt2, da)
	w.join(mgmt2, w.created)
}

func TestDeleteOrganizationEmptyLeavesOnlyAccounts(t *testing.T) {
	e := newEnv(t)
	e.createOrg(mgmt)
	before := e.snapshot()
	o := e.createOrg(mgmt2)
	ou := e.createOU(mgmt2, o.RootID, "A")
	e.createOU(mgmt2, ou.ID, "B")
	ok(t, e.eng.EnableAWSServiceAccess(e.ctx, mgmt2, guardduty))
	ok(t, e.eng.TagResource(e.ctx, mgmt2, o.RootID, tagList(3, "k")))
	e.invite(mgmt2, stranger)
	_, err := e.eng.SetPolicyType(e.ctx, mgmt2, o.RootID, "TAG_POLICY", true)
	ok(t, err)
	ok(t, e.eng.DeleteOrganization(e.ctx, mgmt2))
	// What is left beyond the first state: mgmt2's and stranger's account
	// records and addresses, and the test listener's record of the
	// trusted access that ended; nothing else.
	after := e.snapshot()
	old := map[string]bool{}
	for _, r := range before.Records {
		old[r.Kind+" "+r.Key] = true
	}
	var added []string
	for _, r := range after.Records {
		if !old[r.Kind+" "+r.Key] {
			added = append(added, r.Kind+" "+r.Key)
		}
	}
	want := []string{
		"organizations.account " + stranger,
		"organizations.account " + mgmt2,
		"organizations.email account-" + stranger + "@localsec.invalid",
		"organizations.email account-" + mgmt2 + "@localsec.invalid",
		"test.listener disabled/" + guardduty,
	}
	if !slices.Equal(added, want) {
		t.Fatalf("left after delete:\n%s\nwant\n%s", strings.Join(added, "\n"), strings.Join(want, "\n"))
	}
}

func TestSetPolicyType(t *testing.T) {
	w := newWorld(t)
	root := w.org.RootID
	set := func(caller, rootID, typ string, enable bool) func() error {
		return func() error {
			_, err := w.eng.SetPolicyType(w.ctx, caller, rootID, typ, enable)
			return err
		}
	}
	r, err := w.eng.SetPolicyType(w.ctx, mgmt, root, "SERVICE_CONTROL_POLICY", true)
	ok(t, err)
	if !slices.Equal(r.PolicyTypes, []string{"SERVICE_CONTROL_POLICY"}) || r.ID != root {
		t.Fatalf("%+v", r)
	}
	// A delegated administrator may too (spec §1.1).
	r, err = w.eng.SetPolicyType(w.ctx, da, root, "BACKUP_POLICY", true)
	ok(t, err)
	if !slices.Equal(r.PolicyTypes, []string{"BACKUP_POLICY", "SERVICE_CONTROL_POLICY"}) {
		t.Fatalf("%+v", r)
	}
	for _, tc := range []struct {
		name   string
		call   func() error
		code   org.Code
		reason string
	}{
		{"already enabled", set(mgmt, root, "SERVICE_CONTROL_POLICY", true), org.CodePolicyTypeAlreadyEnabled, ""},
		{"not enabled", set(mgmt, root, "TAG_POLICY", false), org.CodePolicyTypeNotEnabled, ""},
		{"unknown root", set(mgmt, "r-zzzz", "TAG_POLICY", true), org.CodeRootNotFound, ""},
		{"root of another organization", set(mgmt, w.org2.RootID, "TAG_POLICY", true), org.CodeRootNotFound, ""},
		{"securityhub policy without trusted access", set(mgmt, root, "SECURITYHUB_POLICY", true), org.CodeConstraintViolation, org.ReasonServiceAccessNotEnabled},
		{"inspector policy without trusted access", set(mgmt, root, "INSPECTOR_POLICY", true), org.CodeConstraintViolation, org.ReasonServiceAccessNotEnabled},
		{"member", set(mem, root, "TAG_POLICY", true), org.CodeAccessDenied, ""},
		{"standalone", set(stranger, root, "TAG_POLICY", true), org.CodeNotInUse, ""},
	} {
		t.Run(tc.name, func(t *testing.T) { w.refused(tc.call, tc.code, tc.reason) })
	}
	ok(t, w.eng.EnableAWSServiceAccess(w.ctx, mgmt, shub))
	ok(t, set(mgmt, root, "SECURITYHUB_POLICY", true)())
	// Its service cannot lose trusted access while it is enabled.
	w.refused(func() error { return w.eng.DisableAWSServiceAccess(w.ctx, mgmt, shub) },
		org.CodeConstraintViolation, "POLICY_TYPE_ENABLED_FOR_THIS_SERVICE")
	ok(t, set(mgmt, root, "SERVICE_CONTROL_POLICY", false)())
	roots, _, err := w.eng.ListRoots(w.ctx, da, org.Page{})
	ok(t, err)
	if !slices.Equal(roots[0].PolicyTypes, []string{"BACKUP_POLICY", "SECURITYHUB_POLICY"}) {
		t.Fatalf("%+v", roots)
	}
	ok(t, set(mgmt, root, "SECURITYHUB_POLICY", false)())
	ok(t, w.eng.DisableAWSServiceAccess(w.ctx, mgmt, shub))
	// The second organization's root is its own.
	roots, _, err = w.eng.ListRoots(w.ctx, mgmt2, org.Page{})
	ok(t, err)
	if len(roots) != 1 || len(roots[0].PolicyTypes) != 0 {
		t.Fatalf("%+v", roots)
	}
}

func TestConsolidatedBillingOrganization(t *testing.T) {
	e := newEnv(t)
	o, err := e.eng.CreateOrganization(e.ctx, mgmt, org.FeatureSetConsolidatedBilling)
	ok(t, err)
	e.join(mgmt, mem)
	e.refused(func() error { return e.eng.EnableAWSServiceAccess(e.ctx, mgmt, guardduty) },
		org.CodeConstraintViolation, org.ReasonNotAllFeatures)
	e.refused(func() error {
		_, _, err := e.eng.ListAWSServiceAccessForOrganization(e.ctx, mgmt, org.Page{})
		return err
	}, org.CodeConstraintViolation, org.ReasonNotAllFeatures)
	e.refused(func() error { return e.eng.RegisterDelegatedAdministrator(e.ctx, mgmt, mem, guardduty) },
		org.CodeConstraintViolation, org.ReasonNotAllFeatures)
	e.refused(func() error {
		_, err := e.eng.SetPolicyType(e.ctx, mgmt, o.RootID, "SERVICE_CONTROL_POLICY", true)
		return err
	}, org.CodePolicyTypeNotAvailable, "")
	// The In view refuses trusted access as well.
	err = e.store.Update(e.ctx, func(tx storeTx) error {
		return e.eng.In(e.ctx, tx).EnableServiceAccess(o, guardduty)
	})
	wantErr(t, err, org.CodeConstraintViolation, org.ReasonNotAllFeatures)
}

// TestEngineOverSharedStore: two engines over one store see one state
// (the engine keeps nothing in memory).
func TestEngineOverSharedStore(t *testing.T) {
	st := memstore.New()
	a := org.New(st, org.WithIDs(&ids.Sequence{}))
	e := newEnv(t)
	o, err := a.CreateOrganization(e.ctx, mgmt, "")
	ok(t, err)
	b := org.New(st)
	got, err := b.DescribeOrganization(e.ctx, mgmt)
	ok(t, err)
	if got != o {
		t.Fatalf("%+v != %+v", got, o)
	}
}

// collidingIDs is a sequence that hands out some ids again: the draws
// listed in repeat return the id of the draw they name.
type collidingIDs struct {
	mu     sync.Mutex
	n      uint64
	repeat map[uint64]uint64
}

func (g *collidingIDs) NewID() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n++
	if r, ok := g.repeat[g.n]; ok {
		return fmt.Sprintf("%032x", r)
	}
	return fmt.Sprintf("%032x", g.n)
}

// TestRootIDsNeverShared: root ids have 4 characters only, so a generator
// can draw one an organization already has; the new organization must get
// another, or the two would share their root's children and tags. (A bug
// found by these tests: ListChildren of the second root listed the first
// organization's management account, and root tags leaked across.)
func TestRootIDsNeverShared(t *testing.T) {
	// Draws: 1 org1, 2 root1, 3 org2, 4 root2 = root1 again, 5 root2,
	// then for Seed: 6 = org1's id again, 7 = root1 again, 8, 9 …
	g := &collidingIDs{repeat: map[uint64]uint64{4: 2, 6: 1, 7: 2}}
	e := newEnv(t, org.WithIDs(g))
	o1 := e.createOrg(mgmt)
	o2 := e.createOrg(mgmt2)
	if o2.RootID == o1.RootID || o2.ID == o1.ID {
		t.Fatalf("shared ids: %+v %+v", o1, o2)
	}
	ok(t, e.eng.Seed(e.ctx, stranger, nil))
	o3, err := e.eng.DescribeOrganization(e.ctx, stranger)
	ok(t, err)
	if o3.ID == o1.ID || o3.RootID == o1.RootID || o3.RootID == o2.RootID || !reOrg.MatchString(o3.ID) || !reRoot.MatchString(o3.RootID) {
		t.Fatalf("shared ids: %+v %+v %+v", o1, o2, o3)
	}
	ok(t, e.eng.TagResource(e.ctx, mgmt, o1.RootID, []org.Tag{{Key: "org", Value: "1"}}))
	for _, c := range []struct {
		mgmt string
		root string
	}{{mgmt2, o2.RootID}, {stranger, o3.RootID}} {
		cs, _, err := e.eng.ListChildren(e.ctx, c.mgmt, c.root, org.TypeAccount, org.Page{})
		ok(t, err)
		if !slices.Equal(cs, []org.Child{{ID: c.mgmt, Type: org.TypeAccount}}) {
			t.Fatalf("%s's root holds %+v", c.mgmt, cs)
		}
		if tags := e.tags(c.mgmt, c.root); len(tags) != 0 {
			t.Fatalf("%s's root has tags %+v", c.mgmt, tags)
		}
	}
	if got := e.accountIDs(mgmt); !slices.Equal(got, []string{mgmt}) {
		t.Fatalf("%v", got)
	}
}

// sameID draws one id forever.
type sameID struct{}

func (sameID) NewID() string { return "0000000000000000000000000000000a" }

// TestNoFreeRootID: a generator that never draws a free root id makes
// CreateOrganization fail, with nothing written, instead of looping.
func TestNoFreeRootID(t *testing.T) {
	e := newEnv(t, org.WithIDs(sameID{}))
	e.createOrg(mgmt)
	before := e.snapshot()
	_, err := e.eng.CreateOrganization(e.ctx, mgmt2, "")
	if err == nil || org.ErrorOf(err) != nil {
		t.Fatalf("got %v, want a plain error", err)
	}
	if after := e.snapshot(); !reflect.DeepEqual(before, after) {
		t.Fatalf("%s", diffSnapshots(before, after))
	}
}
