package organizations_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	org "github.com/localsec/localsec/internal/organizations"
)

func TestTrustedAccess(t *testing.T) {
	e := newEnv(t)
	e.createOrg(mgmt)
	list := func() []org.ServiceAccess {
		sa, next, err := e.eng.ListAWSServiceAccessForOrganization(e.ctx, mgmt, org.Page{})
		ok(t, err)
		if next != "" {
			t.Fatalf("token %q", next)
		}
		return sa
	}
	if got := list(); len(got) != 0 {
		t.Fatalf("%+v", got)
	}
	for _, p := range []string{"stacksets.cloudformation.amazonaws.com", "nope.amazonaws.com", ""} {
		e.refused(func() error { return e.eng.EnableAWSServiceAccess(e.ctx, mgmt, p) }, org.CodeInvalidInput, org.ReasonUnrecognizedServicePrincipal)
		e.refused(func() error { return e.eng.DisableAWSServiceAccess(e.ctx, mgmt, p) }, org.CodeInvalidInput, org.ReasonUnrecognizedServicePrincipal)
	}
	ok(t, e.eng.EnableAWSServiceAccess(e.ctx, mgmt, guardduty))
	e.clock.Advance(time.Hour)
	ok(t, e.eng.EnableAWSServiceAccess(e.ctx, mgmt, "malware-protection.guardduty.amazonaws.com"))
	ok(t, e.eng.EnableAWSServiceAccess(e.ctx, mgmt, "member.org.stacksets.cloudformation.amazonaws.com"))
	e.clock.Advance(time.Hour)
	// Enabling again changes nothing: DateEnabled is kept.
	e.unchanged(func() error { return e.eng.EnableAWSServiceAccess(e.ctx, mgmt, guardduty) })
	want := []org.ServiceAccess{
		{Principal: guardduty, Enabled: t0},
		{Principal: "malware-protection.guardduty.amazonaws.com", Enabled: t0.Add(time.Hour)},
		{Principal: "member.org.stacksets.cloudformation.amazonaws.com", Enabled: t0.Add(time.Hour)},
	}
	if got := list(); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	// Disabling one without access changes nothing and tells nobody.
	e.rec.take()
	e.unchanged(func() error { return e.eng.DisableAWSServiceAccess(e.ctx, mgmt, macie) })
	if ev := e.rec.take(); len(ev) != 0 {
		t.Fatalf("%+v", ev)
	}
	ok(t, e.eng.DisableAWSServiceAccess(e.ctx, mgmt, "malware-protection.guardduty.amazonaws.com"))
	if got := list(); !reflect.DeepEqual(got, []org.ServiceAccess{want[0], want[2]}) {
		t.Fatalf("%+v", got)
	}
	// Re-enabling dates it anew.
	ok(t, e.eng.EnableAWSServiceAccess(e.ctx, mgmt, "malware-protection.guardduty.amazonaws.com"))
	if got := list(); got[1].Enabled != t0.Add(2*time.Hour) {
		t.Fatalf("%+v", got)
	}
	// Every known principal may be enabled.
	for _, p := range org.TrustedPrincipals() {
		ok(t, e.eng.EnableAWSServiceAccess(e.ctx, mgmt, p))
	}
	var got []string
	for _, sa := range list2(t, e) {
		got = append(got, sa.Principal)
	}
	if !slices.Equal(got, sorted(org.TrustedPrincipals())) {
		t.Fatalf("%v", got)
	}
}

func list2(t *testing.T, e *env) []org.ServiceAccess {
	return walk(t, 7, func(p org.Page) ([]org.ServiceAccess, string, error) {
		return e.eng.ListAWSServiceAccessForOrganization(e.ctx, mgmt, p)
	})
}

// TestTrustedAccessPerOrganization: each organization has its own list.
func TestTrustedAccessPerOrganization(t *testing.T) {
	w := newWorld(t)
	ok(t, w.eng.EnableAWSServiceAccess(w.ctx, mgmt2, macie))
	for _, c := range []struct {
		caller string
		want   string
	}{{mgmt, guardduty}, {da, guardduty}, {mgmt2, macie}} {
		sa, _, err := w.eng.ListAWSServiceAccessForOrganization(w.ctx, c.caller, org.Page{})
		ok(t, err)
		if len(sa) != 1 || sa[0].Principal != c.want {
			t.Fatalf("%s: %+v", c.caller, sa)
		}
	}
}

// TestRegisterDelegatedAdministrator: the checks of spec §9.4, in order.
func TestRegisterDelegatedAdministrator(t *testing.T) {
	for _, tc := range []struct {
		name      string
		account   string
		principal string
		code      org.Code
		reason    string
	}{
		{"management", mgmt, guardduty, org.CodeConstraintViolation, org.ReasonCannotRegisterMaster},
		{"management, unknown principal", mgmt, "nope.amazonaws.com", org.CodeConstraintViolation, org.ReasonCannotRegisterMaster},
		{"standalone", stranger, macie, org.CodeAccountNotFound, ""},
		{"standalone, unknown principal", stranger, "nope.amazonaws.com", org.CodeAccountNotFound, ""},
		{"invitee", invitee, macie, org.CodeAccountNotFound, ""},
		{"member of another organization", other, macie, org.CodeAccountNotFound, ""},
		{"management of another organization", mgmt2, macie, org.CodeAccountNotFound, ""},
		{"unknown principal", mem, "nope.amazonaws.com", org.CodeInvalidInput, org.ReasonUnrecognizedServicePrincipal},
		{"trusted but not delegable", mem, "ram.amazonaws.com", org.CodeInvalidInput, org.ReasonUnrecognizedServicePrincipal},
		{"already registered", da, guardduty, org.CodeAccountAlreadyRegistered, ""},
		{"second for a one-administrator service", mem, guardduty, org.CodeConstraintViolation, org.ReasonMaxDelegatedAdmins},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.refused(func() error { return w.eng.RegisterDelegatedAdministrator(w.ctx, mgmt, tc.account, tc.principal) }, tc.code, tc.reason)
		})
	}
	t.Run("every one-administrator service", func(t *testing.T) {
		w := newWorld(t)
		for _, p := range []string{macie, shub, "detective.amazonaws.com", "inspector2.amazonaws.com"} {
			if !org.OneAdministrator(p) {
				t.Fatalf("%s allows several", p)
			}
			ok(t, w.eng.RegisterDelegatedAdministrator(w.ctx, mgmt, da, p))
			w.refused(func() error { return w.eng.RegisterDelegatedAdministrator(w.ctx, mgmt, mem, p) },
				org.CodeConstraintViolation, org.ReasonMaxDelegatedAdmins)
		}
	})
	t.Run("several for a multi-administrator principal", func(t *testing.T) {
		w := newWorld(t)
		if org.OneAdministrator(config) {
			t.Fatal("config allows one")
		}
		for _, a := range []string{mem, da, w.created} {
			ok(t, w.eng.RegisterDelegatedAdministrator(w.ctx, mgmt, a, config))
		}
		admins, _, err := w.eng.ListDelegatedAdministrators(w.ctx, mgmt, config, org.Page{})
		ok(t, err)
		var ids []string
		for _, a := range admins {
			ids = append(ids, a.ID)
		}
		if !slices.Equal(ids, sorted([]string{mem, da, w.created})) {
			t.Fatalf("%v", ids)
		}
		w.refused(func() error { return w.eng.RegisterDelegatedAdministrator(w.ctx, mgmt, mem, config) },
			org.CodeAccountAlreadyRegistered, "")
	})
	t.Run("without trusted access", func(t *testing.T) {
		// SERVICE_ACCESS_NOT_ENABLED is not enforced (spec §17.2).
		w := newWorld(t)
		ok(t, w.eng.RegisterDelegatedAdministrator(w.ctx, mgmt, mem, "securitylake.amazonaws.com"))
	})
}

func TestDeregisterDelegatedAdministrator(t *testing.T) {
	w := newWorld(t)
	ok(t, w.eng.RegisterDelegatedAdministrator(w.ctx, mgmt, da, config))
	dereg := func(account, principal string) func() error {
		return func() error { return w.eng.DeregisterDelegatedAdministrator(w.ctx, mgmt, account, principal) }
	}
	for _, tc := range []struct {
		name               string
		account, principal string
		code               org.Code
		reason             string
	}{
		{"not registered", mem, guardduty, org.CodeAccountNotRegistered, ""},
		{"registered for another principal", da, macie, org.CodeAccountNotRegistered, ""},
		{"unknown principal", da, "nope.amazonaws.com", org.CodeAccountNotRegistered, ""},
		{"standalone", stranger, guardduty, org.CodeAccountNotFound, ""},
		{"member of another organization", other, guardduty, org.CodeAccountNotFound, ""},
		{"management", mgmt, guardduty, org.CodeConstraintViolation, org.ReasonCannotRegisterMaster},
	} {
		t.Run(tc.name, func(t *testing.T) { w.refused(dereg(tc.account, tc.principal), tc.code, tc.reason) })
	}
	w.rec.take()
	ok(t, dereg(da, guardduty)())
	if ev := w.rec.take(); !reflect.DeepEqual(ev, []event{{Kind: "deregistered", Org: w.org.ID, Account: da, Principal: guardduty}}) {
		t.Fatalf("%+v", ev)
	}
	w.refused(dereg(da, guardduty), org.CodeAccountNotRegistered, "")
	// Another account may now be guardduty's administrator.
	ok(t, w.eng.RegisterDelegatedAdministrator(w.ctx, mgmt, mem, guardduty))
}

func TestListDelegatedAdministrators(t *testing.T) {
	w := newWorld(t) // da: guardduty at t0
	w.clock.Advance(time.Hour)
	ok(t, w.eng.RegisterDelegatedAdministrator(w.ctx, mgmt, da, config))
	ok(t, w.eng.RegisterDelegatedAdministrator(w.ctx, mgmt, mem, config))
	w.clock.Advance(time.Hour)
	ok(t, w.eng.RegisterDelegatedAdministrator(w.ctx, mgmt, mem, macie))
	ok(t, w.eng.RegisterDelegatedAdministrator(w.ctx, mgmt2, other, guardduty))
	type entry struct {
		id    string
		since time.Time
	}
	list := func(caller, principal string) []entry {
		admins, next, err := w.eng.ListDelegatedAdministrators(w.ctx, caller, principal, org.Page{})
		ok(t, err)
		if next != "" {
			t.Fatalf("token %q", next)
		}
		var out []entry
		for _, a := range admins {
			if a.OrgID != admins[0].OrgID || a.State != org.StateActive || a.JoinedMethod == "" {
				t.Fatalf("%+v", a)
			}
			out = append(out, entry{a.ID, a.Since})
		}
		return out
	}
	for _, tc := range []struct {
		caller, principal string
		want              []entry
	}{
		{mgmt, guardduty, []entry{{da, t0}}},
		{mgmt, config, []entry{{da, t0.Add(time.Hour)}, {mem, t0.Add(time.Hour)}}},
		{mgmt, macie, []entry{{mem, t0.Add(2 * time.Hour)}}},
		{mgmt, shub, nil},
		{mgmt, "nope.amazonaws.com", nil},
		// Without a principal, every administrator once, with its first
		// delegation.
		{mgmt, "", []entry{{da, t0}, {mem, t0.Add(time.Hour)}}},
		{da, "", []entry{{da, t0}, {mem, t0.Add(time.Hour)}}},
		{mem, "", []entry{{da, t0}, {mem, t0.Add(time.Hour)}}},
		{mgmt2, "", []entry{{other, t0.Add(2 * time.Hour)}}},
		{mgmt2, config, nil},
	} {
		if got := list(tc.caller, tc.principal); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s %q: got %v, want %v", tc.caller, tc.principal, got, tc.want)
		}
	}
	// The entry is the account.
	admins, _, err := w.eng.ListDelegatedAdministrators(w.ctx, mgmt, guardduty, org.Page{})
	ok(t, err)
	acct, err := w.eng.DescribeAccount(w.ctx, mgmt, da)
	ok(t, err)
	if admins[0].Account != acct {
		t.Fatalf("%+v != %+v", admins[0].Account, acct)
	}
}

func TestListDelegatedServicesForAccount(t *testing.T) {
	w := newWorld(t)
	w.clock.Advance(time.Minute)
	ok(t, w.eng.RegisterDelegatedAdministrator(w.ctx, mgmt, da, macie))
	svcs, next, err := w.eng.ListDelegatedServicesForAccount(w.ctx, da, da, org.Page{})
	ok(t, err)
	want := []org.DelegatedService{{Principal: guardduty, Since: t0}, {Principal: macie, Since: t0.Add(time.Minute)}}
	if next != "" || !reflect.DeepEqual(svcs, want) {
		t.Fatalf("got %+v, want %+v", svcs, want)
	}
	for _, tc := range []struct {
		account string
		code    org.Code
	}{
		{mem, org.CodeAccountNotRegistered},
		{mgmt, org.CodeAccountNotRegistered},
		{stranger, org.CodeAccountNotFound},
		{other, org.CodeAccountNotFound},
	} {
		w.refused(func() error {
			_, _, err := w.eng.ListDelegatedServicesForAccount(w.ctx, mgmt, tc.account, org.Page{})
			return err
		}, tc.code, "")
	}
	// Of another organization's administrator: not found.
	ok(t, w.eng.RegisterDelegatedAdministrator(w.ctx, mgmt2, other, guardduty))
	w.refused(func() error {
		_, _, err := w.eng.ListDelegatedServicesForAccount(w.ctx, mgmt, other, org.Page{})
		return err
	}, org.CodeAccountNotFound, "")
}
