package membership_test

import (
	"fmt"
	"testing"

	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/store"
)

// TestIsolation: records of one service in one region are invisible to
// the other service and the other region, and the cross-region rule of
// Macie stays inside its own service.
func TestIsolation(t *testing.T) {
	e := newEnv(t, macieRules(), withOrg())
	home := e.svc                                     // svcName
	other := e.engine.Service(svcOther, macieRules()) // same rules, another name

	// In (home, regionA): A administers M (Enabled) and X (Invited), M's
	// record is tagged, A is the delegated administrator, B holds an
	// invitation from A that it declined.
	mustAssociate(t, e, home, at(acctA), acctM)
	mustEnable(t, e, home, at(acctX), at(acctB), at(acctMgmt))
	mustCreate(t, e, home, at(acctA), acctX, acctB)
	mustInvite(t, e, home, at(acctA), acctX, acctB)
	unp, err := home.DeclineInvitations(e.ctx, at(acctB), []string{acctA})
	mustAllProcessed(t, "DeclineInvitations", unp, err)
	mustOK(t, "TagResource", home.TagResource(e.ctx, at(acctA), memberResource(acctA, acctM), map[string]string{"k": "v"}))
	mustOK(t, "EnableOrgAdmin", home.EnableOrgAdmin(e.ctx, at(acctMgmt), acctA, nil))
	mIDHome := invitationID(t, e, home, at(acctA), acctM)
	xIDHome := invitationID(t, e, home, at(acctA), acctX)

	homeBefore := takeSnapshotIn(t, e, home, regionA)

	elsewhere := []struct {
		name   string
		s      *membership.Service
		region string
	}{
		{"same service, other region", home, regionB},
		{"other service, same region", other, regionA},
		{"other service, other region", other, regionB},
	}
	for _, w := range elsewhere {
		t.Run(w.name, func(t *testing.T) {
			s := w.s
			c := func(a string) membership.Caller { return atIn(a, w.region) }

			// Nothing is enabled there.
			for _, a := range allAccounts {
				_, err := s.Enablement(e.ctx, c(a))
				wantCode(t, "Enablement("+a+")", err, membership.CodeNotEnabled)
			}
			mustEnable(t, e, s, c(acctA), c(acctM), c(acctX), c(acctB), c(acctMgmt))

			// The administrator sees no members.
			for _, only := range []bool{false, true} {
				ms, err := listMembers(t, e, s, c(acctA), only, 0)
				mustOK(t, "ListMembers", err)
				if len(ms) != 0 {
					t.Errorf("ListMembers(onlyAssociated=%v) = %+v, want none", only, ms)
				}
			}
			_, err := s.GetMember(e.ctx, c(acctA), acctM)
			wantCode(t, "GetMember", err, membership.CodeNotMember)
			unp, err := s.InviteMembers(e.ctx, c(acctA), []string{acctM}, membership.InviteOptions{})
			wantUnprocessed(t, "InviteMembers", unp, err, membership.Unprocessed{Account: acctM, Code: membership.CodeNotCreated})
			unp, err = s.DeleteMembers(e.ctx, c(acctA), []string{acctM, acctX})
			wantUnprocessed(t, "DeleteMembers", unp, err,
				membership.Unprocessed{Account: acctM, Code: membership.CodeNotMember},
				membership.Unprocessed{Account: acctX, Code: membership.CodeNotMember})
			_, err = s.ResourceTags(e.ctx, c(acctA), membership.Resource{Kind: membership.ResourceMember, Region: w.region, Owner: acctA, ID: acctM})
			wantCode(t, "ResourceTags", err, membership.CodeResourceNotFound)

			// The members see no invitations and no administrator.
			for _, a := range []string{acctM, acctX, acctB} {
				invs, err := listInvitations(t, e, s, c(a), 0)
				mustOK(t, "ListInvitations", err)
				n, err := s.CountInvitations(e.ctx, c(a))
				mustOK(t, "CountInvitations", err)
				_, ok, err := s.Administrator(e.ctx, c(a))
				mustOK(t, "Administrator", err)
				if len(invs) != 0 || n != 0 || ok {
					t.Errorf("%s sees invitations %+v, count %d, administrator %v; want nothing", a, invs, n, ok)
				}
			}
			err = s.AcceptInvitation(e.ctx, c(acctX), acctA, xIDHome)
			wantCode(t, "AcceptInvitation with the home invitation id", err, membership.CodeNoInvitation)
			err = s.DisassociateFromAdministrator(e.ctx, c(acctM))
			wantCode(t, "DisassociateFromAdministrator", err, membership.CodeNoAdministrator)
			unp, err = s.DeclineInvitations(e.ctx, c(acctX), []string{acctA})
			wantUnprocessed(t, "DeclineInvitations", unp, err, membership.Unprocessed{Account: acctA, Code: membership.CodeNoInvitation})

			// No delegated administrator there (one is designated below).
			admins, err := listOrgAdmins(t, e, s, c(acctMgmt))
			mustOK(t, "ListOrgAdmins", err)
			if len(admins) != 0 {
				t.Errorf("ListOrgAdmins = %+v, want none", admins)
			}
			_, err = s.OrgConfig(e.ctx, c(acctA))
			wantCode(t, "OrgConfig", err, membership.CodeNotOrgAdmin)

			// A relationship built there, with the same accounts.
			mustCreate(t, e, s, c(acctB), acctM)
			mustInvite(t, e, s, c(acctB), acctM)
			id := invitationID(t, e, s, c(acctB), acctM)
			if id == mIDHome {
				t.Errorf("invitation id %s reused across scopes", id)
			}
			err = s.AcceptInvitation(e.ctx, c(acctM), acctB, id)
			if s == home {
				// Macie: the same administrator in every region.
				wantCode(t, "AcceptInvitation(other administrator, other region)", err, membership.CodeAcceptWhileMember)
			} else {
				// Another service's memberships do not count.
				mustOK(t, "AcceptInvitation(other service)", err)
				inv, ok, err := s.Administrator(e.ctx, c(acctM))
				mustOK(t, "Administrator", err)
				if !ok || inv.Admin != acctB {
					t.Errorf("Administrator there = %+v, %v; want %s", inv, ok, acctB)
				}
			}
			mustOK(t, "EnableOrgAdmin(B)", s.EnableOrgAdmin(e.ctx, c(acctMgmt), acctB, nil))
			// A may disable there: its members at home do not count.
			mustOK(t, "Disable(A)", s.Disable(e.ctx, c(acctA)))
		})
	}

	// Nothing done elsewhere changed home.
	wantUnchanged(t, homeBefore, takeSnapshotIn(t, e, home, regionA))
	inv, ok, err := home.Administrator(e.ctx, at(acctM))
	mustOK(t, "Administrator(home)", err)
	if !ok || inv.Admin != acctA || inv.ID != mIDHome {
		t.Errorf("home Administrator = %+v, %v; want %s with %s", inv, ok, acctA, mIDHome)
	}
}

// TestIsolationOfRecords looks under the engine: a relationship in one
// (service, region) leaves exactly one member record in the store.
func TestIsolationOfRecords(t *testing.T) {
	e := newEnv(t, macieRules())
	other := e.engine.Service(svcOther, guardDutyRules())
	mustAssociate(t, e, e.svc, at(acctA), acctM)
	mustAssociate(t, e, other, atIn(acctA, regionB), acctM)
	err := e.store.View(e.ctx, func(tx store.Tx) error {
		for _, svc := range []string{svcName, svcOther} {
			ms, err := tx.ListMemberships(e.ctx, store.MembershipQuery{Service: svc, Account: acctM})
			if err != nil {
				return err
			}
			var where []string
			for _, m := range ms {
				where = append(where, fmt.Sprintf("%s/%s/%s", m.Service, m.Region, m.Admin))
			}
			want := map[string]string{svcName: svcName + "/" + regionA + "/" + acctA, svcOther: svcOther + "/" + regionB + "/" + acctA}[svc]
			if len(where) != 1 || where[0] != want {
				t.Errorf("memberships of %s in %s = %v, want [%s]", acctM, svc, where, want)
			}
		}
		return nil
	})
	mustOK(t, "View", err)
}
