package membership_test

import (
	"testing"

	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/store"
)

// TestOrganizationFlow: designation, members through Organizations, the
// organization configuration and the end of the designation.
func TestOrganizationFlow(t *testing.T) {
	e := newEnv(t, macieRules(), membership.WithOrganization(membership.Organization{
		ManagementAccount: acctMgmt, Accounts: []string{acctA, acctX, acctM},
	}))
	s := e.svc
	mustEnable(t, e, s, at(acctMgmt), at(acctA), at(acctX), at(acctB))
	mustOK(t, "EnableOrgAdmin", s.EnableOrgAdmin(e.ctx, at(acctMgmt), acctA, nil))
	mustOK(t, "EnableOrgAdmin again", s.EnableOrgAdmin(e.ctx, at(acctMgmt), acctA, nil))

	// The organization configuration starts empty and keeps what is set.
	cfg, err := s.OrgConfig(e.ctx, at(acctA))
	mustOK(t, "OrgConfig", err)
	if cfg.AutoEnable || cfg.Settings != nil || cfg.Account != acctA {
		t.Errorf("initial OrgConfig = %+v, want the zero configuration of %s", cfg, acctA)
	}
	now := e.advance()
	yes := true
	mustOK(t, "UpdateOrgConfig", s.UpdateOrgConfig(e.ctx, at(acctA), membership.OrgConfigUpdate{
		AutoEnable: &yes,
		Settings:   func(old []byte) ([]byte, error) { return append(old, `{"f":1}`...), nil },
	}))
	cfg, err = s.OrgConfig(e.ctx, at(acctA))
	mustOK(t, "OrgConfig", err)
	if !cfg.AutoEnable || string(cfg.Settings) != `{"f":1}` || !cfg.Updated.Equal(now) {
		t.Errorf("OrgConfig = %+v, want autoEnable, settings {\"f\":1}, updated %v", cfg, now)
	}

	// Organization accounts join Enabled at once; others by invitation.
	unp, err := s.CreateMembers(e.ctx, at(acctA), []membership.NewMember{
		{Account: acctX, Email: "x@example.com"}, {Account: acctM}, {Account: acctB, Email: "b@example.com"},
	})
	mustAllProcessed(t, "CreateMembers", unp, err)
	for _, tc := range []struct {
		account     string
		status      membership.Status
		association store.Association
		email       string
	}{
		{acctX, store.StatusEnabled, store.AssociationOrganizations, "x@example.com"}, // the engine keeps it; Macie's adapter hides it
		{acctM, store.StatusEnabled, store.AssociationOrganizations, ""},
		{acctB, store.StatusCreated, store.AssociationInvitation, "b@example.com"},
	} {
		m, err := s.GetMember(e.ctx, at(acctA), tc.account)
		mustOK(t, "GetMember", err)
		if m.Status != tc.status || m.Association != tc.association || m.Email != tc.email || m.InvitationID != "" {
			t.Errorf("%s: record %+v, want %s via %s with email %q and no invitation", tc.account, m.Member, tc.status, tc.association, tc.email)
		}
	}
	// X sees its administrator but no invitation; M is not even enabled.
	inv, ok, err := s.Administrator(e.ctx, at(acctX))
	mustOK(t, "Administrator", err)
	if !ok || inv.Admin != acctA || inv.Association != store.AssociationOrganizations || inv.Status != store.StatusEnabled {
		t.Errorf("X's Administrator() = %+v, %v; want %s through Organizations", inv, ok, acctA)
	}
	invs, err := listInvitations(t, e, s, at(acctX), 0)
	mustOK(t, "ListInvitations", err)
	if len(invs) != 0 {
		t.Errorf("X lists invitations %+v; an Organizations member has none", invs)
	}
	// The administrator pauses and resumes an Organizations member.
	unp, err = s.SetMembersSuspended(e.ctx, at(acctA), []string{acctX}, true)
	mustAllProcessed(t, "SetMembersSuspended", unp, err)
	unp, err = s.SetMembersSuspended(e.ctx, at(acctA), []string{acctX}, false)
	mustAllProcessed(t, "SetMembersSuspended", unp, err)

	// Ending the designation removes the Organizations members only.
	mustOK(t, "DisableOrgAdmin", s.DisableOrgAdmin(e.ctx, at(acctMgmt), acctA))
	for account, want := range map[string]membership.Status{acctX: store.StatusRemoved, acctM: store.StatusRemoved, acctB: store.StatusCreated} {
		m, err := s.GetMember(e.ctx, at(acctA), account)
		mustOK(t, "GetMember", err)
		if m.Status != want {
			t.Errorf("%s after DisableOrgAdmin: %s, want %s", account, m.Status, want)
		}
	}
	if _, ok, err := s.Administrator(e.ctx, at(acctX)); err != nil || ok {
		t.Errorf("X's Administrator() after DisableOrgAdmin = %v, %v; want none", ok, err)
	}
	_, err = s.OrgConfig(e.ctx, at(acctA))
	wantCode(t, "OrgConfig after DisableOrgAdmin", err, membership.CodeNotOrgAdmin)
	// Without the designation, CreateMembers no longer goes through
	// Organizations.
	unp, err = s.CreateMembers(e.ctx, at(acctA), []membership.NewMember{{Account: "888888888888", Email: "e@example.com"}})
	mustAllProcessed(t, "CreateMembers", unp, err)
	m, err := s.GetMember(e.ctx, at(acctA), "888888888888")
	mustOK(t, "GetMember", err)
	if m.Status != store.StatusCreated {
		t.Errorf("member created after the designation ended is %s, want Created", m.Status)
	}
}

// TestOrganizationQuota: members through Organizations count against
// OrganizationMemberQuota, not MemberQuota.
func TestOrganizationQuota(t *testing.T) {
	rules := macieRules()
	rules.MemberQuota, rules.OrganizationMemberQuota = 1, 3
	e := newEnv(t, rules, membership.WithOrganization(membership.Organization{
		ManagementAccount: acctMgmt, Accounts: []string{acctA, "100000000001", "100000000002", "100000000003", "100000000004"},
	}))
	s := e.svc
	mustEnable(t, e, s, at(acctMgmt), at(acctA))
	mustOK(t, "EnableOrgAdmin", s.EnableOrgAdmin(e.ctx, at(acctMgmt), acctA, nil))
	unp, err := s.CreateMembers(e.ctx, at(acctA), []membership.NewMember{
		{Account: "100000000001"}, {Account: "100000000002"}, {Account: "100000000003"}, {Account: "100000000004"},
		{Account: acctB, Email: "b@example.com"},
	})
	wantUnprocessed(t, "CreateMembers", unp, err,
		membership.Unprocessed{Account: "100000000004", Code: membership.CodeMemberQuotaExceeded},
		membership.Unprocessed{Account: acctB, Code: membership.CodeMemberQuotaExceeded})
}

// TestOrganizationPathKeepsRolesApart: spec §9.4 says an account is never
// administrator and member at once, and has one administrator, the same
// in every region. AcceptInvitation enforces both; CreateMembers through
// Organizations should too.
func TestOrganizationPathKeepsRolesApart(t *testing.T) {
	t.Run("administrator with members joins through Organizations", func(t *testing.T) {
		e := newEnv(t, macieRules(), withOrg())
		s := e.svc
		mustEnable(t, e, s, at(acctMgmt), at(acctA))
		mustAssociate(t, e, s, at(acctX), acctM) // X administers M
		mustOK(t, "EnableOrgAdmin", s.EnableOrgAdmin(e.ctx, at(acctMgmt), acctA, nil))
		unp, err := s.CreateMembers(e.ctx, at(acctA), []membership.NewMember{{Account: acctX}})
		mustOK(t, "CreateMembers", err)
		if len(unp) != 1 || unp[0].Code != membership.CodeMemberIsAdministrator {
			t.Fatalf("CreateMembers through Organizations of an administrator: unprocessed %v, want MemberIsAdministrator", unp)
		}
		if v := checkInvariants(e, s, []string{acctA, acctX, acctM}, allRegions); len(v) != 0 {
			t.Fatalf("invariants broken: %v", v)
		}
	})
	t.Run("member of another administrator in another region", func(t *testing.T) {
		e := newEnv(t, macieRules(), withOrg())
		s := e.svc
		mustAssociate(t, e, s, atIn(acctB, regionB), acctX) // X is B's member in regionB
		mustEnable(t, e, s, at(acctMgmt), at(acctA), at(acctX))
		mustOK(t, "EnableOrgAdmin", s.EnableOrgAdmin(e.ctx, at(acctMgmt), acctA, nil))
		unp, err := s.CreateMembers(e.ctx, at(acctA), []membership.NewMember{{Account: acctX}})
		mustOK(t, "CreateMembers", err)
		if len(unp) != 1 || unp[0].Code != membership.CodeMemberOfAnother {
			t.Fatalf("CreateMembers through Organizations of another region's member: unprocessed %v, want MemberOfAnother", unp)
		}
		if v := checkInvariants(e, s, []string{acctA, acctB, acctX}, allRegions); len(v) != 0 {
			t.Fatalf("invariants broken: %v", v)
		}
	})
}

// TestDeleteOrganizationMember: where invitation-based members must be
// disassociated before they are deleted (GuardDuty), a member that joined
// through Organizations is its administrator's to delete (the model says
// DeleteMembers fails for it only under autoEnableOrganizationMembers=ALL).
func TestDeleteOrganizationMember(t *testing.T) {
	e := newEnv(t, guardDutyRules(), withOrg())
	s := e.svc
	orgMember(acctA, acctX)(t, e, s)
	unp, err := s.DeleteMembers(e.ctx, at(acctA), []string{acctX})
	mustAllProcessed(t, "DeleteMembers", unp, err)
	if _, err := s.GetMember(e.ctx, at(acctA), acctX); membership.ErrorCode(err) != membership.CodeNotMember {
		t.Fatalf("GetMember after DeleteMembers: %v, want NotMember", err)
	}
	if _, ok, err := s.Administrator(e.ctx, at(acctX)); err != nil || ok {
		t.Fatalf("the deleted member still has an administrator (%v, %v)", ok, err)
	}
}
