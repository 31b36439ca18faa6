package organizations_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	org "github.com/localsec/localsec/internal/organizations"
	"github.com/localsec/localsec/internal/store"
)

// Overviews shows every organization as the API shows it to its
// management account, in one read that changes nothing.
func TestOverviews(t *testing.T) {
	if got, err := newEnv(t).eng.Overviews(t.Context()); err != nil || len(got) != 0 {
		t.Fatalf("an engine with no organization: %+v, %v", got, err)
	}

	w := newWorld(t)
	// Beyond the fixture: OUs nested two deep (created out of name
	// order), mem moved into the deepest, a second principal with two
	// delegated administrators, a policy type, a declined invitation,
	// and the created account closed.
	zeta := w.createOU(mgmt, w.org.RootID, "Zeta").ID
	inner := w.createOU(mgmt, w.ou, "Inner").ID
	alpha := w.createOU(mgmt, w.org.RootID, "Alpha").ID
	ok(t, w.eng.MoveAccount(w.ctx, mgmt, mem, w.org.RootID, inner))
	ok(t, w.eng.EnableAWSServiceAccess(w.ctx, mgmt, config))
	ok(t, w.eng.RegisterDelegatedAdministrator(w.ctx, mgmt, mem, config))
	ok(t, w.eng.RegisterDelegatedAdministrator(w.ctx, mgmt, da, config))
	_, err := w.eng.SetPolicyType(w.ctx, mgmt, w.org.RootID, "SERVICE_CONTROL_POLICY", true)
	ok(t, err)
	declined := w.invite(mgmt, extra)
	_, err = w.eng.DeclineHandshake(w.ctx, extra, declined.ID)
	ok(t, err)
	ok(t, w.eng.CloseAccount(w.ctx, mgmt, w.created))

	var all []org.Overview
	w.unchanged(func() error {
		all, err = w.eng.Overviews(w.ctx)
		return err
	})
	if len(all) != 2 || all[0].ID > all[1].ID {
		t.Fatalf("%d overviews, want the two organizations by id: %+v", len(all), all)
	}
	main, second := all[0], all[1]
	if main.ID != w.org.ID {
		main, second = second, main
	}
	if organizationOf(main) != w.org || organizationOf(second) != w.org2 || main.Open || !main.Created.Equal(t0) {
		t.Fatalf("organizations: %+v and %+v, want %+v and %+v", organizationOf(main), organizationOf(second), w.org, w.org2)
	}
	if !slices.Equal(main.PolicyTypes, []string{"SERVICE_CONTROL_POLICY"}) {
		t.Errorf("policy types %v", main.PolicyTypes)
	}

	// OUs depth first, siblings by name.
	var units []string
	for _, u := range main.Units {
		units = append(units, u.Name+"<"+u.ParentID)
	}
	wantUnits := []string{"Alpha<" + w.org.RootID, "Workloads<" + w.org.RootID, "Inner<" + w.ou, "Zeta<" + w.org.RootID}
	if !slices.Equal(units, wantUnits) || main.Units[2].ID != inner || main.Units[0].ID != alpha || main.Units[3].ID != zeta {
		t.Errorf("units %v, want %v", units, wantUnits)
	}

	// The accounts ListAccounts lists, with what the API says of each
	// and where each sits.
	listed, _, err := w.eng.ListAccounts(w.ctx, mgmt, org.Page{Limit: 20})
	ok(t, err)
	if len(main.Accounts) != len(listed) {
		t.Fatalf("%d accounts, ListAccounts has %d", len(main.Accounts), len(listed))
	}
	for i, a := range main.Accounts {
		l := listed[i]
		if a.ID != l.ID || a.Name != l.Name || a.Email != l.Email || a.State != l.State || a.JoinedMethod != l.JoinedMethod || !a.Joined.Equal(l.Joined) {
			t.Errorf("account %+v, ListAccounts says %+v", a, l)
		}
	}
	where := map[string]string{}
	for _, a := range main.Accounts {
		where[a.ID] = fmt.Sprint(a.ParentID, " ", a.State, " ", a.JoinedMethod, " ", a.RoleName)
	}
	wantWhere := map[string]string{
		mgmt:      w.org.RootID + " ACTIVE INVITED ",
		da:        w.org.RootID + " ACTIVE INVITED ",
		mem:       inner + " ACTIVE INVITED ",
		w.created: w.org.RootID + " CLOSED CREATED OrganizationAccountAccessRole",
	}
	if fmt.Sprint(where) != fmt.Sprint(wantWhere) {
		t.Errorf("accounts %v, want %v", where, wantWhere)
	}

	// Every handshake the organization sent, in its state now.
	states := func(o org.Overview) []string {
		var out []string
		for _, h := range o.Handshakes {
			out = append(out, h.Target+" "+h.State)
			if h.Action != org.ActionInvite || h.TargetType != org.PartyAccount || h.Expires.Sub(h.Requested) != org.InviteLifetime {
				t.Errorf("handshake %+v", h)
			}
		}
		return out
	}
	wantStates := []string{da + " ACCEPTED", mem + " ACCEPTED", invitee + " OPEN", extra + " DECLINED"}
	if got := states(main); !slices.Equal(got, wantStates) || main.Handshakes[2].ID != w.hs {
		t.Errorf("handshakes %v, want %v (the open one %s)", got, wantStates, w.hs)
	}
	w.clock.Advance(org.InviteLifetime)
	later, err := w.eng.Overviews(w.ctx)
	ok(t, err)
	wantStates[2] = invitee + " EXPIRED"
	if got := states(later[slices.IndexFunc(later, func(o org.Overview) bool { return o.ID == w.org.ID })]); !slices.Equal(got, wantStates) {
		t.Errorf("15 days later: handshakes %v, want %v", got, wantStates)
	}

	var access []string
	for _, a := range main.ServiceAccess {
		access = append(access, a.Principal)
	}
	if !slices.Equal(access, []string{config, guardduty}) {
		t.Errorf("trusted access %v", access)
	}
	delegated := map[string][]string{}
	for _, p := range main.Delegated {
		for _, a := range p.Administrators {
			delegated[p.Principal] = append(delegated[p.Principal], a.Account)
		}
	}
	if fmt.Sprint(delegated) != fmt.Sprint(map[string][]string{config: {da, mem}, guardduty: {da}}) {
		t.Errorf("delegated administrators %v", delegated)
	}

	// The second organization is its own.
	var ids []string
	for _, a := range second.Accounts {
		ids = append(ids, a.ID)
	}
	if !slices.Equal(ids, []string{mgmt2, other}) || len(second.Units) != 0 || len(second.Delegated) != 0 ||
		len(second.ServiceAccess) != 0 || len(second.Handshakes) != 1 || second.Handshakes[0].State != org.HandshakeAccepted {
		t.Errorf("second organization %+v", second)
	}
}

// An account that leaves is no longer shown; nor is a deleted
// organization; the management account's name comes from the directory
// when the engine has no record of it.
func TestOverviewsFollowChanges(t *testing.T) {
	e := newEnv(t, org.WithDirectory(func(id string) (string, string) {
		if id == mgmt {
			return "security <root>", "root@example.com"
		}
		return "", ""
	}))
	o := e.createOrg(mgmt)
	e.join(mgmt, mem)
	ok(t, e.eng.RemoveAccountFromOrganization(e.ctx, mgmt, mem))
	got, err := e.eng.Overviews(e.ctx)
	ok(t, err)
	if len(got) != 1 || got[0].ID != o.ID || len(got[0].Accounts) != 1 || got[0].Accounts[0].ID != mgmt ||
		got[0].ManagementName != "security <root>" || got[0].ManagementEmail != "root@example.com" {
		t.Fatalf("after the member left: %+v", got)
	}
	ok(t, e.eng.DeleteOrganization(e.ctx, mgmt))
	if got, err := e.eng.Overviews(e.ctx); err != nil || len(got) != 0 {
		t.Fatalf("after DeleteOrganization: %+v, %v", got, err)
	}
}

// organizationOf is what an overview says of its organization, as
// DescribeOrganization says it.
func organizationOf(o org.Overview) org.Organization {
	return org.Organization{ID: o.ID, Management: o.Management, ManagementName: o.ManagementName,
		ManagementEmail: o.ManagementEmail, FeatureSet: o.FeatureSet, RootID: o.RootID}
}

// Records that do not fit together, which Describe refuses for an export,
// are passed over by the views, which show what they can; a record that
// cannot be read fails them, named.
func TestOverviewsPassOverRecordsThatDoNotFit(t *testing.T) {
	e := newEnv(t)
	o := e.createOrg(mgmt)
	put := func(r store.Record) {
		t.Helper()
		ok(t, e.store.Update(e.ctx, func(tx store.Tx) error { return tx.PutRecord(e.ctx, r) }))
	}
	put(store.Record{Kind: "organizations.ou", Key: "ou-zzzz-zzzzzzzz",
		Value: []byte(`{"id":"ou-zzzz-zzzzzzzz","orgId":"o-zzzzzzzzzz","parentId":"r-zzzz","name":"Lost","created":"2025-03-01T09:30:00Z"}`)})
	put(store.Record{Kind: "organizations.tags", Key: "ou-yyyy-yyyyyyyy", Value: []byte(`{"tags":[{"key":"k","value":"v"}]}`)})
	if _, err := org.Describe(e.snapshot().Records); err == nil {
		t.Fatal("Describe takes the records that do not fit: the test shows nothing")
	}
	got, err := e.eng.Overviews(e.ctx)
	ok(t, err)
	if len(got) != 1 || got[0].ID != o.ID || len(got[0].Units) != 0 || len(got[0].Accounts) != 1 {
		t.Fatalf("overviews with records that do not fit: %+v", got)
	}

	put(store.Record{Kind: "organizations.account", Key: "999999999999", Value: []byte("{")})
	if got, err := e.eng.Overviews(e.ctx); err == nil || !strings.Contains(err.Error(), "999999999999") {
		t.Fatalf("overviews with an unreadable record: %+v, %v, want an error naming it", got, err)
	}
}
