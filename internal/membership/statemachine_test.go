package membership_test

import (
	"testing"
	"time"

	"github.com/localsec/localsec/internal/ids"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/store"
)

// relView is what both sides of one administrator–member pair should see.
type relView struct {
	// status is the administrator's record; "" means there is none.
	status membership.Status
	// listed: the member's ListInvitations shows the administrator's
	// invitation (with relationship status = status).
	listed bool
	// declined: the listed invitation is flagged declined.
	declined bool
	// count is the member's CountInvitations.
	count int
	// associated: the member's Administrator() reports the administrator.
	associated bool
	// memberOff: the member has no enablement, so Administrator() is
	// refused with NotEnabled.
	memberOff bool
}

// checkRel asserts both sides' views of the (admin, member) pair in
// regionA and returns the administrator's record (zero if none).
func checkRel(t *testing.T, e *env, s *membership.Service, admin, member string, want relView) membership.MemberView {
	t.Helper()
	ac, mc := at(admin), at(member)

	// Administrator side: GetMember.
	rec, err := s.GetMember(e.ctx, ac, member)
	switch {
	case want.status == "":
		wantCode(t, "GetMember", err, membership.CodeNotMember)
	case err != nil:
		t.Fatalf("GetMember: %v", err)
	case rec.Status != want.status:
		t.Errorf("GetMember: status %s, want %s", rec.Status, want.status)
	case rec.Admin != admin || rec.MemberKey.Member != member || rec.Region != regionA || rec.Service != svcName:
		t.Errorf("GetMember: key %+v, want %s/%s admin %s member %s", rec.MemberKey, svcName, regionA, admin, member)
	}
	if want.status == "" {
		rec = membership.MemberView{}
	}

	// Administrator side: ListMembers, all records and associated only.
	for _, only := range []bool{false, true} {
		ms, err := listMembers(t, e, s, ac, only, 0)
		if err != nil {
			t.Fatalf("ListMembers(onlyAssociated=%v): %v", only, err)
		}
		var found []membership.Status
		for _, m := range ms {
			if m.MemberKey.Member == member {
				found = append(found, m.Status)
			}
		}
		shown := want.status != "" && (!only || membership.Associated(want.status))
		switch {
		case !shown && len(found) != 0:
			t.Errorf("ListMembers(onlyAssociated=%v) shows the member as %v; want it absent", only, found)
		case shown && (len(found) != 1 || found[0] != want.status):
			t.Errorf("ListMembers(onlyAssociated=%v) shows the member as %v; want once as %s", only, found, want.status)
		}
	}

	// Member side: ListInvitations.
	invs, err := listInvitations(t, e, s, mc, 0)
	if err != nil {
		t.Fatalf("ListInvitations: %v", err)
	}
	var mine []membership.Invitation
	for _, inv := range invs {
		if inv.Admin == admin {
			mine = append(mine, inv)
		}
	}
	switch {
	case !want.listed && len(mine) != 0:
		t.Errorf("ListInvitations shows %+v; want no invitation from %s", mine, admin)
	case want.listed && len(mine) != 1:
		t.Errorf("ListInvitations shows %+v; want one invitation from %s", mine, admin)
	case want.listed:
		inv := mine[0]
		if inv.Status != want.status || inv.ID != rec.InvitationID || !inv.InvitedAt.Equal(rec.InvitedAt) || inv.Declined != want.declined {
			t.Errorf("ListInvitations shows %+v; want status %s, id %q, invitedAt %v, declined %v",
				inv, want.status, rec.InvitationID, rec.InvitedAt, want.declined)
		}
		if inv.Association != store.AssociationInvitation {
			t.Errorf("ListInvitations: association %s, want %s", inv.Association, store.AssociationInvitation)
		}
	}

	// Member side: CountInvitations.
	n, err := s.CountInvitations(e.ctx, mc)
	if err != nil {
		t.Fatalf("CountInvitations: %v", err)
	}
	if n != want.count {
		t.Errorf("CountInvitations = %d, want %d", n, want.count)
	}

	// Member side: Administrator.
	inv, ok, err := s.Administrator(e.ctx, mc)
	switch {
	case want.memberOff:
		wantCode(t, "Administrator", err, membership.CodeNotEnabled)
	case err != nil:
		t.Fatalf("Administrator: %v", err)
	case ok != want.associated:
		t.Errorf("Administrator: ok=%v (%+v), want %v", ok, inv, want.associated)
	case ok && (inv.Admin != admin || inv.ID != rec.InvitationID || inv.Status != want.status):
		t.Errorf("Administrator = %+v; want admin %s, invitation %q, status %s", inv, admin, rec.InvitationID, want.status)
	}
	return rec
}

// step is one event of a relationship's life and what follows from it.
type step struct {
	name string
	// do performs the event; prev is the administrator's record before it.
	do   func(t *testing.T, prev membership.MemberView)
	want relView
	// touched: the event changed the status, so Updated must be now.
	touched bool
	// invited: the event sent a new invitation (new id, InvitedAt = now);
	// otherwise the id and InvitedAt must not change.
	invited bool
}

// runSteps plays steps in order, advancing the clock before each, and
// checks both views and the record's timestamps after each.
func runSteps(t *testing.T, e *env, s *membership.Service, admin, member string, steps []step) {
	t.Helper()
	prev := membership.MemberView{}
	seenIDs := map[string]bool{}
	for _, st := range steps {
		ok := t.Run(st.name, func(t *testing.T) {
			now := e.advance()
			st.do(t, prev)
			rec := checkRel(t, e, s, admin, member, st.want)
			if st.want.status == "" {
				return
			}
			if st.touched && !rec.Updated.Equal(now) {
				t.Errorf("Updated = %v, want now (%v)", rec.Updated, now)
			}
			if !st.touched && !rec.Updated.Equal(prev.Updated) {
				t.Errorf("Updated = %v, want unchanged %v", rec.Updated, prev.Updated)
			}
			switch {
			case st.invited:
				if !ids.IsID(rec.InvitationID) {
					t.Errorf("InvitationID %q is not a 32-hex id", rec.InvitationID)
				}
				if seenIDs[rec.InvitationID] {
					t.Errorf("InvitationID %q was used before; a new invitation needs a new id", rec.InvitationID)
				}
				seenIDs[rec.InvitationID] = true
				if !rec.InvitedAt.Equal(now) {
					t.Errorf("InvitedAt = %v, want now (%v)", rec.InvitedAt, now)
				}
			default:
				if rec.InvitationID != prev.InvitationID || !rec.InvitedAt.Equal(prev.InvitedAt) {
					t.Errorf("invitation %q at %v, want unchanged %q at %v", rec.InvitationID, rec.InvitedAt, prev.InvitationID, prev.InvitedAt)
				}
			}
		})
		if !ok {
			t.Fatalf("step %q failed; later steps depend on it", st.name)
		}
		if st.want.status != "" {
			var err error
			prev, err = s.GetMember(e.ctx, at(admin), member)
			mustOK(t, "GetMember", err)
		} else {
			prev = membership.MemberView{}
		}
	}
}

// Common events of the walks below.

func createStep(e *env, s *membership.Service) func(*testing.T, membership.MemberView) {
	return func(t *testing.T, _ membership.MemberView) { mustCreate(t, e, s, at(acctA), acctM) }
}

func inviteStep(e *env, s *membership.Service) func(*testing.T, membership.MemberView) {
	return func(t *testing.T, _ membership.MemberView) { mustInvite(t, e, s, at(acctA), acctM) }
}

func acceptStep(e *env, s *membership.Service) func(*testing.T, membership.MemberView) {
	return func(t *testing.T, prev membership.MemberView) {
		mustOK(t, "AcceptInvitation", s.AcceptInvitation(e.ctx, at(acctM), acctA, prev.InvitationID))
	}
}

func suspendStep(e *env, s *membership.Service, suspend bool, wantEnablement store.EnablementStatus) func(*testing.T, membership.MemberView) {
	return func(t *testing.T, _ membership.MemberView) {
		unp, err := s.SetMembersSuspended(e.ctx, at(acctA), []string{acctM}, suspend)
		mustAllProcessed(t, "SetMembersSuspended", unp, err)
		en, err := s.Enablement(e.ctx, at(acctM))
		mustOK(t, "Enablement(member)", err)
		if en.Status != wantEnablement {
			t.Errorf("member's enablement is %s, want %s (it follows the administrator's suspend/resume)", en.Status, wantEnablement)
		}
	}
}

func resignStep(e *env, s *membership.Service) func(*testing.T, membership.MemberView) {
	return func(t *testing.T, _ membership.MemberView) {
		mustOK(t, "DisassociateFromAdministrator", s.DisassociateFromAdministrator(e.ctx, at(acctM)))
	}
}

func removeStep(e *env, s *membership.Service) func(*testing.T, membership.MemberView) {
	return func(t *testing.T, prev membership.MemberView) {
		unp, err := s.DisassociateMembers(e.ctx, at(acctA), []string{acctM})
		mustAllProcessed(t, "DisassociateMembers", unp, err)
		// A removed member cannot take its invitation back (spec §4.5).
		wantCode(t, "AcceptInvitation(removed)", s.AcceptInvitation(e.ctx, at(acctM), acctA, prev.InvitationID), membership.CodeNoInvitation)
	}
}

// reinviteStep re-invites and checks that the previous invitation id is dead.
func reinviteStep(e *env, s *membership.Service) func(*testing.T, membership.MemberView) {
	return func(t *testing.T, prev membership.MemberView) {
		mustInvite(t, e, s, at(acctA), acctM)
		if prev.InvitationID != "" {
			wantCode(t, "AcceptInvitation(previous id)", s.AcceptInvitation(e.ctx, at(acctM), acctA, prev.InvitationID), membership.CodeNoInvitation)
		}
	}
}

func declineStep(e *env, s *membership.Service) func(*testing.T, membership.MemberView) {
	return func(t *testing.T, _ membership.MemberView) {
		unp, err := s.DeclineInvitations(e.ctx, at(acctM), []string{acctA})
		mustAllProcessed(t, "DeclineInvitations", unp, err)
	}
}

func deleteInvitationStep(e *env, s *membership.Service) func(*testing.T, membership.MemberView) {
	return func(t *testing.T, prev membership.MemberView) {
		unp, err := s.DeleteInvitations(e.ctx, at(acctM), []string{acctA})
		mustAllProcessed(t, "DeleteInvitations", unp, err)
		wantCode(t, "AcceptInvitation(deleted)", s.AcceptInvitation(e.ctx, at(acctM), acctA, prev.InvitationID), membership.CodeNoInvitation)
	}
}

func deleteMemberStep(e *env, s *membership.Service) func(*testing.T, membership.MemberView) {
	return func(t *testing.T, prev membership.MemberView) {
		unp, err := s.DeleteMembers(e.ctx, at(acctA), []string{acctM})
		mustAllProcessed(t, "DeleteMembers", unp, err)
		wantCode(t, "AcceptInvitation(deleted member)", s.AcceptInvitation(e.ctx, at(acctM), acctA, prev.InvitationID), membership.CodeNoInvitation)
	}
}

// TestStateMachineMacie walks every transition of spec §9.1 under the
// Macie rules and checks, after each, what the administrator and the
// member see.
func TestStateMachineMacie(t *testing.T) {
	e := newEnv(t, macieRules())
	s := e.svc
	mustEnable(t, e, s, at(acctA), at(acctM))

	var (
		none      = relView{}
		created   = relView{status: store.StatusCreated}
		invited   = relView{status: store.StatusInvited, listed: true, count: 1}
		declined  = relView{status: store.StatusInvited, listed: true, declined: true, count: 1}
		hidden    = relView{status: store.StatusInvited}
		enabled   = relView{status: store.StatusEnabled, listed: true, associated: true}
		suspended = relView{status: store.StatusSuspended, listed: true, associated: true}
		resigned  = relView{status: store.StatusResigned, listed: true, count: 1}
		removed   = relView{status: store.StatusRemoved, listed: true, count: 1}
	)

	runSteps(t, e, s, acctA, acctM, []step{
		{name: "start", do: func(*testing.T, membership.MemberView) {}, want: none},
		{name: "Created by CreateMembers", do: createStep(e, s), want: created, touched: true},
		{name: "Invited by InviteMembers", do: inviteStep(e, s), want: invited, touched: true, invited: true},
		{name: "decline keeps Invited", do: declineStep(e, s), want: declined},
		{name: "Enabled by accepting the declined invitation", do: acceptStep(e, s), want: enabled, touched: true},
		{name: "accepting the current invitation again changes nothing", do: acceptStep(e, s), want: enabled},
		{name: "Suspended by SetMembersSuspended", do: suspendStep(e, s, true, store.EnablementSuspended), want: suspended, touched: true},
		{name: "suspending again changes nothing", do: suspendStep(e, s, true, store.EnablementSuspended), want: suspended},
		{name: "Enabled by resuming", do: suspendStep(e, s, false, store.EnablementEnabled), want: enabled, touched: true},
		{name: "Resigned by DisassociateFromAdministrator", do: resignStep(e, s), want: resigned, touched: true},
		{name: "Enabled by re-accepting the standing invitation", do: acceptStep(e, s), want: enabled, touched: true},
		{name: "Resigned from Suspended", do: func(t *testing.T, prev membership.MemberView) {
			suspendStep(e, s, true, store.EnablementSuspended)(t, prev)
			resignStep(e, s)(t, prev)
		}, want: resigned, touched: true},
		{name: "Enabled again", do: acceptStep(e, s), want: enabled, touched: true},
		{name: "Removed by DisassociateMembers", do: removeStep(e, s), want: removed, touched: true},
		{name: "disassociating a Removed member changes nothing", do: func(t *testing.T, _ membership.MemberView) {
			unp, err := s.DisassociateMembers(e.ctx, at(acctA), []string{acctM})
			mustAllProcessed(t, "DisassociateMembers", unp, err)
		}, want: removed},
		{name: "re-invited from Removed with a new id", do: reinviteStep(e, s), want: invited, touched: true, invited: true},
		{name: "Enabled by accepting the new id", do: acceptStep(e, s), want: enabled, touched: true},
		{name: "Resigned", do: resignStep(e, s), want: resigned, touched: true},
		{name: "re-invited from Resigned with a new id", do: reinviteStep(e, s), want: invited, touched: true, invited: true},
		{name: "re-sent while Invited with a new id", do: reinviteStep(e, s), want: invited, touched: true, invited: true},
		{name: "Removed from Invited", do: removeStep(e, s), want: removed, touched: true},
		{name: "re-invited", do: reinviteStep(e, s), want: invited, touched: true, invited: true},
		{name: "invitation deleted by the member keeps Invited", do: deleteInvitationStep(e, s), want: hidden},
		{name: "re-invited after the member deleted it", do: reinviteStep(e, s), want: invited, touched: true, invited: true},
		{name: "Enabled", do: acceptStep(e, s), want: enabled, touched: true},
		{name: "DeleteMembers removes an associated member's record", do: deleteMemberStep(e, s), want: none},
		{name: "Created again from nothing", do: createStep(e, s), want: created, touched: true},
		{name: "DeleteMembers removes a Created record", do: func(t *testing.T, _ membership.MemberView) {
			unp, err := s.DeleteMembers(e.ctx, at(acctA), []string{acctM})
			mustAllProcessed(t, "DeleteMembers", unp, err)
		}, want: none},
	})
}

// TestStateMachineGuardDutyRules walks the same life under GuardDuty-like
// rules: the statuses are the same, the member's view and a few refusals
// differ.
func TestStateMachineGuardDutyRules(t *testing.T) {
	e := newEnv(t, guardDutyRules())
	s := e.svc
	mustEnable(t, e, s, at(acctA), at(acctM))

	var (
		none      = relView{}
		created   = relView{status: store.StatusCreated}
		invited   = relView{status: store.StatusInvited, listed: true, count: 1}
		declined  = relView{status: store.StatusInvited} // not listed, not counted
		enabled   = relView{status: store.StatusEnabled, associated: true}
		suspended = relView{status: store.StatusSuspended, associated: true}
		resigned  = relView{status: store.StatusResigned, listed: true, count: 1}
		removed   = relView{status: store.StatusRemoved}
	)

	runSteps(t, e, s, acctA, acctM, []step{
		{name: "Created", do: createStep(e, s), want: created, touched: true},
		{name: "Invited", do: inviteStep(e, s), want: invited, touched: true, invited: true},
		{name: "re-sending while Invited is refused", do: func(t *testing.T, _ membership.MemberView) {
			unp, err := s.InviteMembers(e.ctx, at(acctA), []string{acctM}, membership.InviteOptions{})
			wantUnprocessed(t, "InviteMembers", unp, err, membership.Unprocessed{Account: acctM, Code: membership.CodeAlreadyInvited})
		}, want: invited},
		{name: "deleting an undeclined invitation is refused", do: func(t *testing.T, _ membership.MemberView) {
			unp, err := s.DeleteInvitations(e.ctx, at(acctM), []string{acctA})
			wantUnprocessed(t, "DeleteInvitations", unp, err, membership.Unprocessed{Account: acctA, Code: membership.CodeInvitationNotDeclined})
		}, want: invited},
		{name: "a declined invitation is neither listed nor counted", do: declineStep(e, s), want: declined},
		{name: "Enabled; the current invitation is not listed", do: acceptStep(e, s), want: enabled, touched: true},
		{name: "Suspended", do: suspendStep(e, s, true, store.EnablementSuspended), want: suspended, touched: true},
		{name: "Enabled by resuming", do: suspendStep(e, s, false, store.EnablementEnabled), want: enabled, touched: true},
		{name: "deleting an associated member is refused", do: func(t *testing.T, _ membership.MemberView) {
			unp, err := s.DeleteMembers(e.ctx, at(acctA), []string{acctM})
			wantUnprocessed(t, "DeleteMembers", unp, err, membership.Unprocessed{Account: acctM, Code: membership.CodeStillAssociated})
		}, want: enabled},
		{name: "Removed; the invitation is no longer listed", do: removeStep(e, s), want: removed, touched: true},
		{name: "re-invited from Removed", do: reinviteStep(e, s), want: invited, touched: true, invited: true},
		{name: "Enabled", do: acceptStep(e, s), want: enabled, touched: true},
		{name: "the member disabling resigns", do: func(t *testing.T, _ membership.MemberView) {
			mustOK(t, "Disable(member)", s.Disable(e.ctx, at(acctM)))
		}, want: relView{status: store.StatusResigned, listed: true, count: 1, memberOff: true}, touched: true},
		{name: "re-enabled and re-accepted", do: func(t *testing.T, prev membership.MemberView) {
			mustEnable(t, e, s, at(acctM))
			acceptStep(e, s)(t, prev)
		}, want: enabled, touched: true},
		{name: "Resigned", do: resignStep(e, s), want: resigned, touched: true},
		{name: "re-invited from Resigned", do: reinviteStep(e, s), want: invited, touched: true, invited: true},
		{name: "declined then deleted", do: func(t *testing.T, prev membership.MemberView) {
			declineStep(e, s)(t, prev)
			deleteInvitationStep(e, s)(t, prev)
		}, want: relView{status: store.StatusInvited}},
		{name: "deleting a not associated member", do: func(t *testing.T, _ membership.MemberView) {
			unp, err := s.DeleteMembers(e.ctx, at(acctA), []string{acctM})
			mustAllProcessed(t, "DeleteMembers", unp, err)
		}, want: none},
	})
}

// TestDisassociateCreatedMember: spec §9.1 lists Created among the
// statuses DisassociateMember turns into Removed (and §4.5: "Allowed from
// Created? → no-op to Removed").
func TestDisassociateCreatedMember(t *testing.T) {
	e := newEnv(t, macieRules())
	s := e.svc
	mustEnable(t, e, s, at(acctA))
	mustCreate(t, e, s, at(acctA), acctM)
	unp, err := s.DisassociateMembers(e.ctx, at(acctA), []string{acctM})
	mustAllProcessed(t, "DisassociateMembers", unp, err)
	m, err := s.GetMember(e.ctx, at(acctA), acctM)
	mustOK(t, "GetMember", err)
	if m.Status != store.StatusRemoved {
		t.Fatalf("DisassociateMembers leaves a Created member %s; spec §9.1 table (Created, Invited, Enabled, Paused → Removed) and §4.5 say Removed", m.Status)
	}
}

// TestMemberSelfSuspendMirrors: under Macie a member pausing or resuming
// its own session shows to its administrator (spec §3.3).
func TestMemberSelfSuspendMirrors(t *testing.T) {
	e := newEnv(t, macieRules())
	s := e.svc
	mustAssociate(t, e, s, at(acctA), acctM)
	for _, tc := range []struct {
		suspend bool
		want    membership.Status
	}{{true, store.StatusSuspended}, {false, store.StatusEnabled}, {true, store.StatusSuspended}} {
		now := e.advance()
		mustOK(t, "UpdateEnablement", s.UpdateEnablement(e.ctx, at(acctM), membership.EnablementUpdate{Suspended: &tc.suspend}))
		m, err := s.GetMember(e.ctx, at(acctA), acctM)
		mustOK(t, "GetMember", err)
		if m.Status != tc.want || !m.Updated.Equal(now) {
			t.Errorf("after the member's own suspend=%v: administrator sees %s updated %v, want %s updated %v", tc.suspend, m.Status, m.Updated, tc.want, now)
		}
		inv, ok, err := s.Administrator(e.ctx, at(acctM))
		mustOK(t, "Administrator", err)
		if !ok || inv.Status != tc.want {
			t.Errorf("member's Administrator() = %+v, %v; want status %s", inv, ok, tc.want)
		}
	}
}

// TestDisableForgetsOwnRecordsKeepsReceivedInvitations: disabling deletes
// the caller's untied member records but not the invitations it received
// (spec §3.4).
func TestDisableForgetsOwnRecordsKeepsReceivedInvitations(t *testing.T) {
	e := newEnv(t, macieRules())
	s := e.svc
	mustEnable(t, e, s, at(acctA), at(acctM), at(acctB), at(acctX))
	// A keeps M Resigned, X Removed and B Created.
	mustAssociate(t, e, s, at(acctA), acctM)
	mustOK(t, "DisassociateFromAdministrator", s.DisassociateFromAdministrator(e.ctx, at(acctM)))
	mustCreate(t, e, s, at(acctA), acctX, acctB)
	mustInvite(t, e, s, at(acctA), acctX)
	unp, err := s.DisassociateMembers(e.ctx, at(acctA), []string{acctX})
	mustAllProcessed(t, "DisassociateMembers", unp, err)
	// A holds an invitation from B.
	mustCreate(t, e, s, at(acctB), acctA)
	mustInvite(t, e, s, at(acctB), acctA)

	mustOK(t, "Disable", s.Disable(e.ctx, at(acctA)))
	wantCode(t, "Enablement after Disable", func() error { _, err := s.Enablement(e.ctx, at(acctA)); return err }(), membership.CodeNotEnabled)

	// M's standing invitation went with A's record.
	invs, err := listInvitations(t, e, s, at(acctM), 0)
	mustOK(t, "ListInvitations(M)", err)
	if len(invs) != 0 {
		t.Errorf("M still sees %+v after its administrator disabled", invs)
	}

	mustEnable(t, e, s, at(acctA))
	ms, err := listMembers(t, e, s, at(acctA), false, 0)
	mustOK(t, "ListMembers", err)
	if len(ms) != 0 {
		t.Errorf("after Disable and Enable, A still has members %+v", ms)
	}
	invs, err = listInvitations(t, e, s, at(acctA), 0)
	mustOK(t, "ListInvitations(A)", err)
	if len(invs) != 1 || invs[0].Admin != acctB || invs[0].Status != store.StatusInvited {
		t.Errorf("A's received invitations after Disable/Enable = %+v, want the one from B", invs)
	}
}

// TestSuspendedEnablementStillWorks: a PAUSED session is still enabled
// (spec §8).
func TestSuspendedEnablementStillWorks(t *testing.T) {
	e := newEnv(t, macieRules())
	s := e.svc
	if _, err := s.Enable(e.ctx, at(acctA), membership.EnableInput{Suspended: true}); err != nil {
		t.Fatal(err)
	}
	en, err := s.Enablement(e.ctx, at(acctA))
	mustOK(t, "Enablement", err)
	if en.Status != store.EnablementSuspended {
		t.Errorf("enablement status %s, want %s", en.Status, store.EnablementSuspended)
	}
	mustCreate(t, e, s, at(acctA), acctM)
	mustInvite(t, e, s, at(acctA), acctM)
	mustEnable(t, e, s, at(acctM))
	mustAccept(t, e, s, at(acctM), acctA)
	if _, ok, err := s.Administrator(e.ctx, at(acctM)); err != nil || !ok {
		t.Errorf("Administrator() = %v, %v; want the suspended administrator", ok, err)
	}
}

// TestTimestampsAreMilliseconds: the engine records times at the
// millisecond precision AWS shows, in UTC.
func TestTimestampsAreMilliseconds(t *testing.T) {
	e := newEnv(t, macieRules())
	s := e.svc
	e.clock.Advance(1234567 * time.Nanosecond)
	mustEnable(t, e, s, at(acctA))
	mustCreate(t, e, s, at(acctA), acctM)
	mustInvite(t, e, s, at(acctA), acctM)
	m, err := s.GetMember(e.ctx, at(acctA), acctM)
	mustOK(t, "GetMember", err)
	want := t0.Add(time.Millisecond)
	for name, got := range map[string]time.Time{"Created": m.Created, "Updated": m.Updated, "InvitedAt": m.InvitedAt} {
		if !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("%s = %v, want %v UTC", name, got, want)
		}
	}
}
