package organizations_test

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	org "github.com/localsec/localsec/internal/organizations"
)

func TestSeedWithAccounts(t *testing.T) {
	e := newEnv(t)
	ok(t, e.eng.Seed(e.ctx, mgmt, []string{mem, mgmt, da}))
	o, err := e.eng.DescribeOrganization(e.ctx, mgmt)
	ok(t, err)
	if o.Management != mgmt || o.FeatureSet != org.FeatureSetAll || !reOrg.MatchString(o.ID) || !reRoot.MatchString(o.RootID) {
		t.Fatalf("%+v", o)
	}
	check := func(want map[string]string) {
		t.Helper()
		accts, _, err := e.eng.ListAccounts(e.ctx, mgmt, org.Page{})
		ok(t, err)
		got := map[string]string{}
		for _, a := range accts {
			got[a.ID] = a.JoinedMethod
			if a.State != org.StateActive || a.Path != o.ID+"/"+o.RootID+"/"+a.ID+"/" {
				t.Fatalf("%+v", a)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	check(map[string]string{mgmt: org.JoinedInvited, mem: org.JoinedCreated, da: org.JoinedCreated})
	// Seeding joins accounts quietly.
	if ev := e.rec.take(); len(ev) != 0 {
		t.Fatalf("%+v", ev)
	}
	// A second identical call changes nothing.
	e.unchanged(func() error { return e.eng.Seed(e.ctx, mgmt, []string{mem, mgmt, da}) })
	// Not open: an unlisted account is not taken in.
	err = e.store.Update(e.ctx, func(tx storeTx) error {
		got, err := e.eng.In(e.ctx, tx).Contains(o, stranger)
		if got {
			t.Errorf("stranger contained")
		}
		return err
	})
	ok(t, err)
	check(map[string]string{mgmt: org.JoinedInvited, mem: org.JoinedCreated, da: org.JoinedCreated})
	// Seeding more keeps the organization and adds the new ones; an
	// account of another organization is left where it is.
	e.createOrg(mgmt2)
	e.join(mgmt2, other)
	e.clock.Advance(time.Hour)
	ok(t, e.eng.Seed(e.ctx, mgmt, []string{extra, other, mgmt2}))
	o2, err := e.eng.DescribeOrganization(e.ctx, mgmt)
	ok(t, err)
	if o2 != o {
		t.Fatalf("%+v != %+v", o2, o)
	}
	check(map[string]string{mgmt: org.JoinedInvited, mem: org.JoinedCreated, da: org.JoinedCreated, extra: org.JoinedCreated})
	a, err := e.eng.DescribeAccount(e.ctx, mgmt, extra)
	ok(t, err)
	if a.Joined != t0.Add(time.Hour) {
		t.Fatalf("%+v", a)
	}
	// A seed whose management account is another organization's member is
	// refused.
	e.refused(func() error { return e.eng.Seed(e.ctx, other, nil) }, org.CodeAlreadyInOrganization, "")
	e.refused(func() error { return e.eng.Seed(e.ctx, mem, []string{stranger}) }, org.CodeAlreadyInOrganization, "")
}

// TestSeedKeepsCreatedOrganization: a seed over an organization made by
// the API keeps it (a durable store seeded before).
func TestSeedKeepsCreatedOrganization(t *testing.T) {
	w := newWorld(t)
	before := w.snapshot()
	ok(t, w.eng.Seed(w.ctx, mgmt, nil))
	if after := w.snapshot(); !reflect.DeepEqual(before, after) {
		t.Fatalf("%s", diffSnapshots(before, after))
	}
	// Not made open by the seed.
	err := w.store.Update(w.ctx, func(tx storeTx) error {
		got, err := w.eng.In(w.ctx, tx).Contains(w.org, stranger)
		if got {
			t.Errorf("contained")
		}
		return err
	})
	ok(t, err)
	ok(t, w.eng.Seed(w.ctx, mgmt, []string{stranger}))
	if got := w.accountIDs(mgmt); !slices.Contains(got, stranger) {
		t.Fatalf("%v", got)
	}
}

func TestSeedOpenOrganization(t *testing.T) {
	e := newEnv(t)
	ok(t, e.eng.Seed(e.ctx, mgmt, nil))
	o, err := e.eng.DescribeOrganization(e.ctx, mgmt)
	ok(t, err)
	if got := e.accountIDs(mgmt); !slices.Equal(got, []string{mgmt}) {
		t.Fatalf("%v", got)
	}
	e.unchanged(func() error { return e.eng.Seed(e.ctx, mgmt, nil) })
	e.createOrg(mgmt2)
	e.join(mgmt2, other)
	e.rec.take()

	// In a read-only transaction, a standalone account is contained but
	// nothing is written.
	e.unchanged(func() error {
		return e.store.View(e.ctx, func(tx storeTx) error {
			got, err := e.eng.In(e.ctx, tx).Contains(o, stranger)
			if !got {
				t.Errorf("stranger not contained in a view")
			}
			return err
		})
	})
	// In a read-write transaction it is taken in, as CREATED.
	e.clock.Advance(time.Minute)
	err = e.store.Update(e.ctx, func(tx storeTx) error {
		in := e.eng.In(e.ctx, tx)
		for _, c := range []struct {
			account string
			want    bool
		}{{stranger, true}, {stranger, true}, {mgmt, true}, {other, false}, {mgmt2, false}} {
			got, err := in.Contains(o, c.account)
			if err != nil {
				return err
			}
			if got != c.want {
				t.Errorf("Contains(%s) = %v, want %v", c.account, got, c.want)
			}
		}
		// The second organization is not open.
		o2, _, err := in.OrganizationOf(mgmt2)
		if err != nil {
			return err
		}
		if got, err := in.Contains(o2, extra); err != nil || got {
			t.Errorf("closed organization took in extra: %v %v", got, err)
		}
		return nil
	})
	ok(t, err)
	a, err := e.eng.DescribeAccount(e.ctx, mgmt, stranger)
	ok(t, err)
	want := org.Account{ID: stranger, Name: "account-" + stranger, Email: "account-" + stranger + "@localsec.invalid",
		OrgID: o.ID, Management: mgmt, JoinedMethod: org.JoinedCreated, Joined: t0.Add(time.Minute), State: org.StateActive,
		Path: o.ID + "/" + o.RootID + "/" + stranger + "/"}
	if a != want {
		t.Fatalf("got %+v\nwant %+v", a, want)
	}
	if got := e.accountIDs(mgmt); !slices.Equal(got, []string{mgmt, stranger}) {
		t.Fatalf("%v", got)
	}
	got, err := e.eng.DescribeOrganization(e.ctx, stranger)
	ok(t, err)
	if got != o {
		t.Fatalf("%+v", got)
	}
	// An account that left is standalone again: the open organization
	// takes it back.
	ok(t, e.eng.LeaveOrganization(e.ctx, stranger))
	err = e.store.Update(e.ctx, func(tx storeTx) error {
		got, err := e.eng.In(e.ctx, tx).Contains(o, stranger)
		if !got {
			t.Errorf("not taken back")
		}
		return err
	})
	ok(t, err)
	// A rolled-back transaction takes nobody in.
	errAbort := errors.New("abort")
	err = e.store.Update(e.ctx, func(tx storeTx) error {
		if _, err := e.eng.In(e.ctx, tx).Contains(o, extra); err != nil {
			return err
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatal(err)
	}
	if got := e.accountIDs(mgmt); slices.Contains(got, extra) {
		t.Fatalf("%v", got)
	}
}

func TestInView(t *testing.T) {
	w := newWorld(t)
	ok(t, w.eng.RegisterDelegatedAdministrator(w.ctx, mgmt, mem, config))
	ok(t, w.eng.RegisterDelegatedAdministrator(w.ctx, mgmt, da, config))
	err := w.store.View(w.ctx, func(tx storeTx) error {
		in := w.eng.In(w.ctx, tx)
		for _, c := range []struct {
			account string
			want    org.Organization
			in      bool
		}{
			{mgmt, w.org, true}, {da, w.org, true}, {mem, w.org, true}, {w.created, w.org, true},
			{mgmt2, w.org2, true}, {other, w.org2, true}, {stranger, org.Organization{}, false}, {invitee, org.Organization{}, false},
		} {
			got, in2, err := in.OrganizationOf(c.account)
			ok(t, err)
			if got != c.want || in2 != c.in {
				t.Errorf("OrganizationOf(%s) = %+v %v", c.account, got, in2)
			}
		}
		for _, c := range []struct {
			o       org.Organization
			account string
			want    bool
		}{
			{w.org, mgmt, true}, {w.org, mem, true}, {w.org, other, false}, {w.org, stranger, false},
			{w.org, invitee, false}, {w.org2, other, true}, {w.org2, mem, false},
		} {
			got, err := in.Contains(c.o, c.account)
			ok(t, err)
			if got != c.want {
				t.Errorf("Contains(%s, %s) = %v", c.o.ID, c.account, got)
			}
		}
		accts, err := in.Accounts(w.org)
		ok(t, err)
		if !slices.Equal(accts, sorted([]string{mgmt, da, mem, w.created})) {
			t.Errorf("Accounts %v", accts)
		}
		for _, c := range []struct {
			o         org.Organization
			principal string
			want      string
		}{
			{w.org, guardduty, da}, {w.org, macie, ""}, {w.org, config, da}, {w.org2, guardduty, ""},
		} {
			got, has, err := in.DelegatedAdministrator(c.o, c.principal)
			ok(t, err)
			if got != c.want || has != (c.want != "") {
				t.Errorf("DelegatedAdministrator(%s, %s) = %q %v", c.o.ID, c.principal, got, has)
			}
		}
		for _, c := range []struct {
			o         org.Organization
			principal string
			want      bool
		}{{w.org, guardduty, true}, {w.org, macie, false}, {w.org2, guardduty, false}} {
			got, err := in.HasServiceAccess(c.o, c.principal)
			ok(t, err)
			if got != c.want {
				t.Errorf("HasServiceAccess(%s, %s) = %v", c.o.ID, c.principal, got)
			}
		}
		// Writes are refused in a view.
		if err := in.EnableServiceAccess(w.org, macie); err == nil {
			t.Errorf("EnableServiceAccess wrote in a view")
		}
		return nil
	})
	ok(t, err)
}

func TestInWrites(t *testing.T) {
	w := newWorld(t)
	inUpdate := func(fn func(in org.In) error) error {
		return w.store.Update(w.ctx, func(tx storeTx) error { return fn(w.eng.In(w.ctx, tx)) })
	}
	// EnableServiceAccess: enabled with the time; again, nothing changes.
	ok(t, inUpdate(func(in org.In) error { return in.EnableServiceAccess(w.org, macie) }))
	w.clock.Advance(time.Hour)
	w.unchanged(func() error {
		return inUpdate(func(in org.In) error { return in.EnableServiceAccess(w.org, macie) })
	})
	sa, _, err := w.eng.ListAWSServiceAccessForOrganization(w.ctx, mgmt, org.Page{})
	ok(t, err)
	if !reflect.DeepEqual(sa, []org.ServiceAccess{{Principal: guardduty, Enabled: t0}, {Principal: macie, Enabled: t0}}) {
		t.Fatalf("%+v", sa)
	}
	w.refused(func() error {
		return inUpdate(func(in org.In) error { return in.EnableServiceAccess(w.org, "nope.amazonaws.com") })
	}, org.CodeInvalidInput, org.ReasonUnrecognizedServicePrincipal)

	// RegisterDelegatedAdministrator: no error when already registered.
	w.unchanged(func() error {
		return inUpdate(func(in org.In) error { return in.RegisterDelegatedAdministrator(w.org, da, guardduty) })
	})
	ok(t, inUpdate(func(in org.In) error { return in.RegisterDelegatedAdministrator(w.org, mem, macie) }))
	admins, _, err := w.eng.ListDelegatedAdministrators(w.ctx, mgmt, macie, org.Page{})
	ok(t, err)
	if len(admins) != 1 || admins[0].ID != mem || admins[0].Since != t0.Add(time.Hour) {
		t.Fatalf("%+v", admins)
	}
	for _, tc := range []struct {
		account, principal string
		code               org.Code
		reason             string
	}{
		{mgmt, shub, org.CodeConstraintViolation, org.ReasonCannotRegisterMaster},
		{mem, guardduty, org.CodeConstraintViolation, org.ReasonMaxDelegatedAdmins},
		{other, shub, org.CodeAccountNotFound, ""},
		{stranger, shub, org.CodeAccountNotFound, ""},
	} {
		w.refused(func() error {
			return inUpdate(func(in org.In) error { return in.RegisterDelegatedAdministrator(w.org, tc.account, tc.principal) })
		}, tc.code, tc.reason)
	}
	// A write of the view rolls back with the caller's transaction.
	errAbort := errors.New("abort")
	before := w.snapshot()
	err = inUpdate(func(in org.In) error {
		if err := in.EnableServiceAccess(w.org, shub); err != nil {
			return err
		}
		if err := in.RegisterDelegatedAdministrator(w.org, mem, shub); err != nil {
			return err
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatal(err)
	}
	if after := w.snapshot(); !reflect.DeepEqual(before, after) {
		t.Fatalf("%s", diffSnapshots(before, after))
	}
	// An organization that no longer exists is not in use.
	e := newEnv(t)
	o := e.createOrg(mgmt)
	ok(t, e.eng.DeleteOrganization(e.ctx, mgmt))
	err = e.store.Update(e.ctx, func(tx storeTx) error { return e.eng.In(e.ctx, tx).EnableServiceAccess(o, macie) })
	wantErr(t, err, org.CodeNotInUse, "")
	err = e.store.Update(e.ctx, func(tx storeTx) error {
		return e.eng.In(e.ctx, tx).RegisterDelegatedAdministrator(o, mem, macie)
	})
	wantErr(t, err, org.CodeNotInUse, "")
}

// TestDirectoryOf reads the organizations of exported records.
func TestDirectoryOf(t *testing.T) {
	e := newEnv(t)
	if _, has, err := org.DirectoryOf(e.snapshot().Records); err != nil || has {
		t.Fatalf("empty store: %v %v", has, err)
	}
	w := newWorld(t)
	ok(t, w.eng.CloseAccount(w.ctx, mgmt, w.created))
	d, has, err := org.DirectoryOf(w.snapshot().Records)
	ok(t, err)
	if !has {
		t.Fatal("no organization")
	}
	for _, c := range []struct {
		account, want string
	}{
		{mgmt, w.org.ID}, {da, w.org.ID}, {mem, w.org.ID}, {mgmt2, w.org2.ID}, {other, w.org2.ID},
		{stranger, ""}, {invitee, ""}, {w.created, ""}, // closed: not active
	} {
		got, in := d.OrgOf(c.account)
		if got != c.want || in != (c.want != "") {
			t.Errorf("OrgOf(%s) = %q %v, want %q", c.account, got, in, c.want)
		}
	}
}

// TestRole: CreateAccount's role trusts the management account that made
// the account, and only that role.
func TestRole(t *testing.T) {
	w := newWorld(t)
	st, err := w.eng.CreateAccount(w.ctx, mgmt, org.NewAccount{Name: "custom", Email: "custom@example.com", RoleName: "Admin"})
	ok(t, err)
	_, err = w.eng.DescribeCreateAccountStatus(w.ctx, mgmt, st.ID)
	ok(t, err)
	s, err := w.eng.DescribeCreateAccountStatus(w.ctx, mgmt, st.ID)
	ok(t, err)
	custom := s.AccountID
	err = w.store.View(w.ctx, func(tx storeTx) error {
		in := w.eng.In(w.ctx, tx)
		for _, c := range []struct {
			account, role, want string
		}{
			{w.created, org.DefaultRoleName, mgmt},
			{w.created, "Admin", ""},
			{custom, "Admin", mgmt},
			{custom, org.DefaultRoleName, ""},
			{mem, org.DefaultRoleName, ""}, // invited: no role
			{mgmt, org.DefaultRoleName, ""},
			{stranger, org.DefaultRoleName, ""},
		} {
			got, has, err := in.Role(c.account, c.role)
			ok(t, err)
			if got != c.want || has != (c.want != "") {
				t.Errorf("Role(%s, %s) = %q %v, want %q", c.account, c.role, got, has, c.want)
			}
		}
		return nil
	})
	ok(t, err)
}
