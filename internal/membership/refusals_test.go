package membership_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"

	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/store"
)

// result is what a call under test returned: an error, or the
// unprocessed accounts of a batch.
type result struct {
	err error
	unp []membership.Unprocessed
}

func whole(err error) result { return result{err: err} }

func wholeV[T any](_ T, err error) result { return result{err: err} }

func wholeVV[T, U any](_ T, _ U, err error) result { return result{err: err} }

func batch(unp []membership.Unprocessed, err error) result { return result{err: err, unp: unp} }

// refusal is one way to make the engine say no.
type refusal struct {
	name  string
	rules *membership.Rules // nil: Macie
	org   *membership.Organization
	setup func(t *testing.T, e *env, s *membership.Service)
	call  func(e *env, s *membership.Service) result
	want  membership.Code
	// account is set when the refusal is an unprocessed entry of a batch
	// (for that account); empty when it is the call's error.
	account string
}

func withRules(r membership.Rules) *membership.Rules { return &r }

func withQuota(n int) *membership.Rules {
	r := macieRules()
	r.MemberQuota = n
	return &r
}

func orgOf(accounts ...string) *membership.Organization {
	return &membership.Organization{ManagementAccount: acctMgmt, Accounts: accounts}
}

func rawToken(raw string) string { return base64.RawURLEncoding.EncodeToString([]byte(raw)) }

// idOf returns the id of the last invitation admin sent member ("" if
// none).
func idOf(e *env, s *membership.Service, admin membership.Caller, member string) string {
	m, err := s.GetMember(e.ctx, admin, member)
	if err != nil {
		return ""
	}
	return m.InvitationID
}

// staleInvitation: the id of an invitation that was sent again no longer
// works.
func staleInvitation() refusal {
	var old string
	return refusal{name: "NoInvitation/old id after a re-invite", want: membership.CodeNoInvitation,
		setup: func(t *testing.T, e *env, s *membership.Service) {
			invited(acctA, acctM)(t, e, s)
			old = invitationID(t, e, s, at(acctA), acctM)
			mustInvite(t, e, s, at(acctA), acctM)
			if invitationID(t, e, s, at(acctA), acctM) == old {
				t.Fatalf("re-invite kept the id %s", old)
			}
		},
		call: func(e *env, s *membership.Service) result {
			return whole(s.AcceptInvitation(e.ctx, at(acctM), acctA, old))
		}}
}

// deletedRecordInvitation: the invitation of a deleted member record no
// longer works.
func deletedRecordInvitation() refusal {
	var old string
	return refusal{name: "NoInvitation/deleted member record", want: membership.CodeNoInvitation,
		setup: func(t *testing.T, e *env, s *membership.Service) {
			invited(acctA, acctM)(t, e, s)
			old = invitationID(t, e, s, at(acctA), acctM)
			unp, err := s.DeleteMembers(e.ctx, at(acctA), []string{acctM})
			mustAllProcessed(t, "DeleteMembers", unp, err)
		},
		call: func(e *env, s *membership.Service) result {
			return whole(s.AcceptInvitation(e.ctx, at(acctM), acctA, old))
		}}
}

func noSetup(*testing.T, *env, *membership.Service) {}

// enabled returns a setup enabling accounts in regionA.
func enabled(accounts ...string) func(*testing.T, *env, *membership.Service) {
	return func(t *testing.T, e *env, s *membership.Service) {
		for _, a := range accounts {
			mustEnable(t, e, s, at(a))
		}
	}
}

// associated returns a setup that makes member an associated member of admin.
func associated(admin, member string) func(*testing.T, *env, *membership.Service) {
	return func(t *testing.T, e *env, s *membership.Service) { mustAssociate(t, e, s, at(admin), member) }
}

// invited returns a setup in which admin invited member; both enabled.
func invited(admin, member string) func(*testing.T, *env, *membership.Service) {
	return func(t *testing.T, e *env, s *membership.Service) {
		ensureEnabled(t, e, s, at(admin), at(member))
		mustCreate(t, e, s, at(admin), member)
		mustInvite(t, e, s, at(admin), member)
	}
}

func setups(fs ...func(*testing.T, *env, *membership.Service)) func(*testing.T, *env, *membership.Service) {
	return func(t *testing.T, e *env, s *membership.Service) {
		for _, f := range fs {
			f(t, e, s)
		}
	}
}

// orgMember returns a setup in which the delegated administrator admin
// (designated by acctMgmt) has member through Organizations.
func orgMember(admin, member string) func(*testing.T, *env, *membership.Service) {
	return func(t *testing.T, e *env, s *membership.Service) {
		mustEnable(t, e, s, at(acctMgmt), at(admin), at(member))
		mustOK(t, "EnableOrgAdmin", s.EnableOrgAdmin(e.ctx, at(acctMgmt), admin, nil))
		unp, err := s.CreateMembers(e.ctx, at(admin), []membership.NewMember{{Account: member}})
		mustAllProcessed(t, "CreateMembers(org)", unp, err)
		m, err := s.GetMember(e.ctx, at(admin), member)
		mustOK(t, "GetMember", err)
		if m.Status != store.StatusEnabled || m.Association != store.AssociationOrganizations || m.Email != "" {
			t.Fatalf("org member record %+v; want Enabled through ORGANIZATIONS without email", m.Member)
		}
	}
}

func accept(member, admin string) func(*env, *membership.Service) result {
	return func(e *env, s *membership.Service) result {
		id := ""
		if m, err := s.GetMember(e.ctx, at(admin), member); err == nil {
			id = m.InvitationID
		}
		return whole(s.AcceptInvitation(e.ctx, at(member), admin, id))
	}
}

func tooManyTags(n int) map[string]string {
	tags := map[string]string{}
	for i := range n {
		tags[fmt.Sprintf("k%d", i)] = "v"
	}
	return tags
}

func memberResource(owner, member string) membership.Resource {
	return membership.Resource{Kind: membership.ResourceMember, Region: regionA, Owner: owner, ID: member}
}

// refusals lists every refusal code with a precondition that triggers it.
func refusals() []refusal {
	gd := withRules(guardDutyRules())
	keepAssociated := withRules(func() membership.Rules { r := macieRules(); r.DeleteAssociatedMembers = false; return r }())
	mgmtMustEnable := withRules(func() membership.Rules { r := macieRules(); r.OrgManagementMustBeEnabled = true; return r }())
	onePerBatch := func(admin string, f func(*env, *membership.Service, membership.Caller) ([]membership.Unprocessed, error)) func(*env, *membership.Service) result {
		return func(e *env, s *membership.Service) result { return batch(f(e, s, at(admin))) }
	}
	return []refusal{
		// The caller's own enablement.
		{name: "NotEnabled/ListMembers", setup: noSetup, want: membership.CodeNotEnabled,
			call: func(e *env, s *membership.Service) result {
				return wholeVV(s.ListMembers(e.ctx, at(acctA), false, membership.Page{}))
			}},
		{name: "NotEnabled/other region", setup: enabled(acctA), want: membership.CodeNotEnabled,
			call: func(e *env, s *membership.Service) result {
				return wholeV(s.Enablement(e.ctx, atIn(acctA, regionB)))
			}},
		{name: "AlreadyEnabled/no token", setup: enabled(acctA), want: membership.CodeAlreadyEnabled,
			call: func(e *env, s *membership.Service) result {
				return wholeV(s.Enable(e.ctx, at(acctA), membership.EnableInput{}))
			}},
		{name: "AlreadyEnabled/other token", want: membership.CodeAlreadyEnabled,
			setup: func(t *testing.T, e *env, s *membership.Service) {
				_, err := s.Enable(e.ctx, at(acctA), membership.EnableInput{ClientToken: "token-1"})
				mustOK(t, "Enable", err)
			},
			call: func(e *env, s *membership.Service) result {
				return wholeV(s.Enable(e.ctx, at(acctA), membership.EnableInput{ClientToken: "token-2"}))
			}},
		{name: "AlreadyEnabled/token dropped", want: membership.CodeAlreadyEnabled,
			setup: func(t *testing.T, e *env, s *membership.Service) {
				_, err := s.Enable(e.ctx, at(acctA), membership.EnableInput{ClientToken: "token-1"})
				mustOK(t, "Enable", err)
			},
			call: func(e *env, s *membership.Service) result {
				return wholeV(s.Enable(e.ctx, at(acctA), membership.EnableInput{}))
			}},
		{name: "DisableWhileMember", setup: associated(acctA, acctM), want: membership.CodeDisableWhileMember,
			call: func(e *env, s *membership.Service) result { return whole(s.Disable(e.ctx, at(acctM))) }},
		{name: "DisableWhileMember/suspended member", want: membership.CodeDisableWhileMember,
			setup: setups(associated(acctA, acctM), func(t *testing.T, e *env, s *membership.Service) {
				unp, err := s.SetMembersSuspended(e.ctx, at(acctA), []string{acctM}, true)
				mustAllProcessed(t, "SetMembersSuspended", unp, err)
			}),
			call: func(e *env, s *membership.Service) result { return whole(s.Disable(e.ctx, at(acctM))) }},
		{name: "DisableWithMembers/invited", setup: invited(acctA, acctM), want: membership.CodeDisableWithMembers,
			call: func(e *env, s *membership.Service) result { return whole(s.Disable(e.ctx, at(acctA))) }},
		{name: "DisableWithMembers/associated", setup: associated(acctA, acctM), want: membership.CodeDisableWithMembers,
			call: func(e *env, s *membership.Service) result { return whole(s.Disable(e.ctx, at(acctA))) }},
		{name: "SuspendWithMembers/invited", setup: invited(acctA, acctM), want: membership.CodeSuspendWithMembers,
			call: func(e *env, s *membership.Service) result {
				yes := true
				return whole(s.UpdateEnablement(e.ctx, at(acctA), membership.EnablementUpdate{Suspended: &yes}))
			}},
		{name: "SuspendWithMembers/associated", setup: associated(acctA, acctM), want: membership.CodeSuspendWithMembers,
			call: func(e *env, s *membership.Service) result {
				yes := true
				return whole(s.UpdateEnablement(e.ctx, at(acctA), membership.EnablementUpdate{Suspended: &yes}))
			}},

		// Administrator side.
		{name: "InvalidAccountID/CreateMembers", setup: enabled(acctA), want: membership.CodeInvalidAccountID, account: "12345",
			call: func(e *env, s *membership.Service) result {
				return batch(s.CreateMembers(e.ctx, at(acctA), []membership.NewMember{{Account: "12345", Email: "x@example.com"}}))
			}},
		{name: "InvalidAccountID/InviteMembers", setup: enabled(acctA), want: membership.CodeInvalidAccountID, account: "abcdefghijkl",
			call: onePerBatch(acctA, func(e *env, s *membership.Service, c membership.Caller) ([]membership.Unprocessed, error) {
				return s.InviteMembers(e.ctx, c, []string{"abcdefghijkl"}, membership.InviteOptions{})
			})},
		{name: "SelfMember", setup: enabled(acctA), want: membership.CodeSelfMember, account: acctA,
			call: func(e *env, s *membership.Service) result {
				return batch(s.CreateMembers(e.ctx, at(acctA), []membership.NewMember{{Account: acctA, Email: "a@example.com"}}))
			}},
		{name: "AlreadyMember/Created", want: membership.CodeAlreadyMember, account: acctM,
			setup: func(t *testing.T, e *env, s *membership.Service) {
				mustEnable(t, e, s, at(acctA))
				mustCreate(t, e, s, at(acctA), acctM)
			},
			call: func(e *env, s *membership.Service) result {
				return batch(s.CreateMembers(e.ctx, at(acctA), []membership.NewMember{{Account: acctM, Email: "other@example.com"}}))
			}},
		{name: "AlreadyMember/Enabled", setup: associated(acctA, acctM), want: membership.CodeAlreadyMember, account: acctM,
			call: func(e *env, s *membership.Service) result {
				return batch(s.CreateMembers(e.ctx, at(acctA), []membership.NewMember{{Account: acctM, Email: "m@example.com"}}))
			}},
		{name: "CreateByMember", setup: associated(acctB, acctA), want: membership.CodeCreateByMember, account: acctX,
			call: func(e *env, s *membership.Service) result {
				return batch(s.CreateMembers(e.ctx, at(acctA), []membership.NewMember{{Account: acctX, Email: "x@example.com"}}))
			}},
		{name: "MemberQuotaExceeded", rules: withQuota(2), want: membership.CodeMemberQuotaExceeded, account: acctX,
			setup: func(t *testing.T, e *env, s *membership.Service) {
				mustEnable(t, e, s, at(acctA))
				mustCreate(t, e, s, at(acctA), acctM, acctB)
			},
			call: func(e *env, s *membership.Service) result {
				return batch(s.CreateMembers(e.ctx, at(acctA), []membership.NewMember{{Account: acctX, Email: "x@example.com"}}))
			}},
		{name: "MemberQuotaExceeded/Removed records count", rules: withQuota(1), want: membership.CodeMemberQuotaExceeded, account: acctX,
			setup: func(t *testing.T, e *env, s *membership.Service) {
				mustEnable(t, e, s, at(acctA))
				mustCreate(t, e, s, at(acctA), acctM)
				mustInvite(t, e, s, at(acctA), acctM)
				unp, err := s.DisassociateMembers(e.ctx, at(acctA), []string{acctM})
				mustAllProcessed(t, "DisassociateMembers", unp, err)
			},
			call: func(e *env, s *membership.Service) result {
				return batch(s.CreateMembers(e.ctx, at(acctA), []membership.NewMember{{Account: acctX, Email: "x@example.com"}}))
			}},
		{name: "SelfInvite", setup: enabled(acctA), want: membership.CodeSelfInvite, account: acctA,
			call: onePerBatch(acctA, func(e *env, s *membership.Service, c membership.Caller) ([]membership.Unprocessed, error) {
				return s.InviteMembers(e.ctx, c, []string{acctA}, membership.InviteOptions{})
			})},
		{name: "InviteByMember", setup: associated(acctB, acctA), want: membership.CodeInviteByMember, account: acctX,
			call: onePerBatch(acctA, func(e *env, s *membership.Service, c membership.Caller) ([]membership.Unprocessed, error) {
				return s.InviteMembers(e.ctx, c, []string{acctX}, membership.InviteOptions{})
			})},
		{name: "InviteByMember/standing record", want: membership.CodeInviteByMember, account: acctX,
			// A keeps X Resigned, then joins B; re-inviting X is refused.
			setup: setups(associated(acctA, acctX), func(t *testing.T, e *env, s *membership.Service) {
				mustOK(t, "DisassociateFromAdministrator", s.DisassociateFromAdministrator(e.ctx, at(acctX)))
			}, invited(acctB, acctA), func(t *testing.T, e *env, s *membership.Service) {
				mustAccept(t, e, s, at(acctA), acctB)
			}),
			call: onePerBatch(acctA, func(e *env, s *membership.Service, c membership.Caller) ([]membership.Unprocessed, error) {
				return s.InviteMembers(e.ctx, c, []string{acctX}, membership.InviteOptions{})
			})},
		{name: "NotCreated", setup: enabled(acctA, acctM), want: membership.CodeNotCreated, account: acctM,
			call: onePerBatch(acctA, func(e *env, s *membership.Service, c membership.Caller) ([]membership.Unprocessed, error) {
				return s.InviteMembers(e.ctx, c, []string{acctM}, membership.InviteOptions{})
			})},
		{name: "AlreadyInvited/associated", setup: associated(acctA, acctM), want: membership.CodeAlreadyInvited, account: acctM,
			call: onePerBatch(acctA, func(e *env, s *membership.Service, c membership.Caller) ([]membership.Unprocessed, error) {
				return s.InviteMembers(e.ctx, c, []string{acctM}, membership.InviteOptions{})
			})},
		{name: "AlreadyInvited/pending without resend", rules: gd, setup: invited(acctA, acctM), want: membership.CodeAlreadyInvited, account: acctM,
			call: onePerBatch(acctA, func(e *env, s *membership.Service, c membership.Caller) ([]membership.Unprocessed, error) {
				return s.InviteMembers(e.ctx, c, []string{acctM}, membership.InviteOptions{})
			})},
		{name: "NotMember/GetMember", setup: enabled(acctA), want: membership.CodeNotMember,
			call: func(e *env, s *membership.Service) result { return wholeV(s.GetMember(e.ctx, at(acctA), acctM)) }},
		{name: "NotMember/GetMembers", setup: enabled(acctA), want: membership.CodeNotMember, account: acctM,
			call: func(e *env, s *membership.Service) result {
				_, unp, err := s.GetMembers(e.ctx, at(acctA), []string{acctM})
				return batch(unp, err)
			}},
		{name: "NotMember/DisassociateMembers", setup: enabled(acctA), want: membership.CodeNotMember, account: acctM,
			call: onePerBatch(acctA, func(e *env, s *membership.Service, c membership.Caller) ([]membership.Unprocessed, error) {
				return s.DisassociateMembers(e.ctx, c, []string{acctM})
			})},
		{name: "NotMember/DeleteMembers", setup: enabled(acctA), want: membership.CodeNotMember, account: acctM,
			call: onePerBatch(acctA, func(e *env, s *membership.Service, c membership.Caller) ([]membership.Unprocessed, error) {
				return s.DeleteMembers(e.ctx, c, []string{acctM})
			})},
		{name: "NotMember/SetMembersSuspended", setup: enabled(acctA), want: membership.CodeNotMember, account: acctM,
			call: onePerBatch(acctA, func(e *env, s *membership.Service, c membership.Caller) ([]membership.Unprocessed, error) {
				return s.SetMembersSuspended(e.ctx, c, []string{acctM}, true)
			})},
		{name: "NotMember/the member asks about its own administrator", setup: associated(acctA, acctM), want: membership.CodeNotMember,
			call: func(e *env, s *membership.Service) result { return wholeV(s.GetMember(e.ctx, at(acctM), acctA)) }},
		{name: "NotAssociated/invited", setup: invited(acctA, acctM), want: membership.CodeNotAssociated, account: acctM,
			call: onePerBatch(acctA, func(e *env, s *membership.Service, c membership.Caller) ([]membership.Unprocessed, error) {
				return s.SetMembersSuspended(e.ctx, c, []string{acctM}, true)
			})},
		{name: "NotAssociated/resume a Created member", want: membership.CodeNotAssociated, account: acctM,
			setup: func(t *testing.T, e *env, s *membership.Service) {
				mustEnable(t, e, s, at(acctA))
				mustCreate(t, e, s, at(acctA), acctM)
			},
			call: onePerBatch(acctA, func(e *env, s *membership.Service, c membership.Caller) ([]membership.Unprocessed, error) {
				return s.SetMembersSuspended(e.ctx, c, []string{acctM}, false)
			})},
		{name: "StillAssociated", rules: keepAssociated, setup: associated(acctA, acctM), want: membership.CodeStillAssociated, account: acctM,
			call: onePerBatch(acctA, func(e *env, s *membership.Service, c membership.Caller) ([]membership.Unprocessed, error) {
				return s.DeleteMembers(e.ctx, c, []string{acctM})
			})},

		// Member side.
		{name: "NoInvitation/wrong id", setup: invited(acctA, acctM), want: membership.CodeNoInvitation,
			call: func(e *env, s *membership.Service) result {
				return whole(s.AcceptInvitation(e.ctx, at(acctM), acctA, "ffffffffffffffffffffffffffffffff"))
			}},
		{name: "NoInvitation/empty id", setup: invited(acctA, acctM), want: membership.CodeNoInvitation,
			call: func(e *env, s *membership.Service) result {
				return whole(s.AcceptInvitation(e.ctx, at(acctM), acctA, ""))
			}},
		{name: "NoInvitation/wrong administrator", setup: setups(invited(acctA, acctM), enabled(acctB)), want: membership.CodeNoInvitation,
			call: func(e *env, s *membership.Service) result {
				id := idOf(e, s, at(acctA), acctM)
				return whole(s.AcceptInvitation(e.ctx, at(acctM), acctB, id))
			}},
		{name: "NoInvitation/malformed administrator", setup: invited(acctA, acctM), want: membership.CodeNoInvitation,
			call: func(e *env, s *membership.Service) result {
				id := idOf(e, s, at(acctA), acctM)
				return whole(s.AcceptInvitation(e.ctx, at(acctM), "1111", id))
			}},
		{name: "NoInvitation/never invited", want: membership.CodeNoInvitation,
			setup: func(t *testing.T, e *env, s *membership.Service) {
				mustEnable(t, e, s, at(acctA), at(acctM))
				mustCreate(t, e, s, at(acctA), acctM)
			},
			call: accept(acctM, acctA)},
		staleInvitation(),
		{name: "NoInvitation/deleted invitation", want: membership.CodeNoInvitation,
			setup: setups(invited(acctA, acctM), func(t *testing.T, e *env, s *membership.Service) {
				unp, err := s.DeleteInvitations(e.ctx, at(acctM), []string{acctA})
				mustAllProcessed(t, "DeleteInvitations", unp, err)
			}),
			call: accept(acctM, acctA)},
		deletedRecordInvitation(),
		{name: "NoInvitation/removed", want: membership.CodeNoInvitation,
			setup: setups(invited(acctA, acctM), func(t *testing.T, e *env, s *membership.Service) {
				unp, err := s.DisassociateMembers(e.ctx, at(acctA), []string{acctM})
				mustAllProcessed(t, "DisassociateMembers", unp, err)
			}),
			call: accept(acctM, acctA)},
		{name: "NoInvitation/invitation of another region", want: membership.CodeNoInvitation,
			setup: setups(invited(acctA, acctM), func(t *testing.T, e *env, s *membership.Service) {
				mustEnable(t, e, s, atIn(acctM, regionB))
			}),
			call: func(e *env, s *membership.Service) result {
				id := idOf(e, s, at(acctA), acctM)
				return whole(s.AcceptInvitation(e.ctx, atIn(acctM, regionB), acctA, id))
			}},
		{name: "NoInvitation/decline without invitation", setup: enabled(acctA, acctM), want: membership.CodeNoInvitation, account: acctA,
			call: onePerBatch(acctM, func(e *env, s *membership.Service, c membership.Caller) ([]membership.Unprocessed, error) {
				return s.DeclineInvitations(e.ctx, c, []string{acctA})
			})},
		{name: "NoInvitation/delete without invitation", setup: enabled(acctM), want: membership.CodeNoInvitation, account: acctA,
			call: onePerBatch(acctM, func(e *env, s *membership.Service, c membership.Caller) ([]membership.Unprocessed, error) {
				return s.DeleteInvitations(e.ctx, c, []string{acctA})
			})},
		{name: "NoInvitation/decline a deleted invitation", want: membership.CodeNoInvitation, account: acctA,
			setup: setups(invited(acctA, acctM), func(t *testing.T, e *env, s *membership.Service) {
				unp, err := s.DeleteInvitations(e.ctx, at(acctM), []string{acctA})
				mustAllProcessed(t, "DeleteInvitations", unp, err)
			}),
			call: onePerBatch(acctM, func(e *env, s *membership.Service, c membership.Caller) ([]membership.Unprocessed, error) {
				return s.DeclineInvitations(e.ctx, c, []string{acctA})
			})},
		{name: "AcceptWhileMember/same region", setup: setups(associated(acctA, acctM), invited(acctB, acctM)), want: membership.CodeAcceptWhileMember,
			call: accept(acctM, acctB)},
		{name: "AcceptWhileMember/the current invitation again without AcceptAgainSucceeds", rules: gd,
			setup: associated(acctA, acctM), want: membership.CodeAcceptWhileMember, call: accept(acctM, acctA)},
		{name: "AcceptWhileMember/same administrator, other id", setup: associated(acctA, acctM), want: membership.CodeAcceptWhileMember,
			call: func(e *env, s *membership.Service) result {
				return whole(s.AcceptInvitation(e.ctx, at(acctM), acctA, "ffffffffffffffffffffffffffffffff"))
			}},
		{name: "AcceptWhileMember/other region, other administrator", want: membership.CodeAcceptWhileMember,
			setup: setups(associated(acctA, acctM), func(t *testing.T, e *env, s *membership.Service) {
				mustEnable(t, e, s, atIn(acctB, regionB), atIn(acctM, regionB))
				mustCreate(t, e, s, atIn(acctB, regionB), acctM)
				mustInvite(t, e, s, atIn(acctB, regionB), acctM)
			}),
			call: func(e *env, s *membership.Service) result {
				id := idOf(e, s, atIn(acctB, regionB), acctM)
				return whole(s.AcceptInvitation(e.ctx, atIn(acctM, regionB), acctB, id))
			}},
		{name: "AcceptWithMembers/Created", want: membership.CodeAcceptWithMembers,
			setup: setups(invited(acctA, acctM), func(t *testing.T, e *env, s *membership.Service) {
				mustCreate(t, e, s, at(acctM), acctX)
			}),
			call: accept(acctM, acctA)},
		{name: "AcceptWithMembers/associated", want: membership.CodeAcceptWithMembers,
			setup: setups(invited(acctA, acctM), associated(acctM, acctX)),
			call:  accept(acctM, acctA)},
		{name: "InviterIsMember", want: membership.CodeInviterIsMember,
			// M resigns from A, A joins B, M takes A's standing invitation.
			setup: setups(associated(acctA, acctM), func(t *testing.T, e *env, s *membership.Service) {
				mustOK(t, "DisassociateFromAdministrator", s.DisassociateFromAdministrator(e.ctx, at(acctM)))
			}, associated(acctB, acctA)),
			call: accept(acctM, acctA)},
		{name: "InvitationIsCurrent/decline", setup: associated(acctA, acctM), want: membership.CodeInvitationIsCurrent, account: acctA,
			call: onePerBatch(acctM, func(e *env, s *membership.Service, c membership.Caller) ([]membership.Unprocessed, error) {
				return s.DeclineInvitations(e.ctx, c, []string{acctA})
			})},
		{name: "InvitationIsCurrent/delete", setup: associated(acctA, acctM), want: membership.CodeInvitationIsCurrent, account: acctA,
			call: onePerBatch(acctM, func(e *env, s *membership.Service, c membership.Caller) ([]membership.Unprocessed, error) {
				return s.DeleteInvitations(e.ctx, c, []string{acctA})
			})},
		{name: "InvitationNotDeclined", rules: gd, setup: invited(acctA, acctM), want: membership.CodeInvitationNotDeclined, account: acctA,
			call: onePerBatch(acctM, func(e *env, s *membership.Service, c membership.Caller) ([]membership.Unprocessed, error) {
				return s.DeleteInvitations(e.ctx, c, []string{acctA})
			})},
		{name: "NoAdministrator/never associated", setup: enabled(acctM), want: membership.CodeNoAdministrator,
			call: func(e *env, s *membership.Service) result {
				return whole(s.DisassociateFromAdministrator(e.ctx, at(acctM)))
			}},
		{name: "NoAdministrator/only invited", setup: invited(acctA, acctM), want: membership.CodeNoAdministrator,
			call: func(e *env, s *membership.Service) result {
				return whole(s.DisassociateFromAdministrator(e.ctx, at(acctM)))
			}},
		{name: "NoAdministrator/already resigned", want: membership.CodeNoAdministrator,
			setup: setups(associated(acctA, acctM), func(t *testing.T, e *env, s *membership.Service) {
				mustOK(t, "DisassociateFromAdministrator", s.DisassociateFromAdministrator(e.ctx, at(acctM)))
			}),
			call: func(e *env, s *membership.Service) result {
				return whole(s.DisassociateFromAdministrator(e.ctx, at(acctM)))
			}},
		{name: "ManagedByOrganization", org: orgOf(), setup: orgMember(acctA, acctX), want: membership.CodeManagedByOrganization,
			call: func(e *env, s *membership.Service) result {
				return whole(s.DisassociateFromAdministrator(e.ctx, at(acctX)))
			}},
		{name: "OrganizationMember", org: orgOf(), setup: orgMember(acctA, acctX), want: membership.CodeOrganizationMember, account: acctX,
			call: onePerBatch(acctA, func(e *env, s *membership.Service, c membership.Caller) ([]membership.Unprocessed, error) {
				return s.InviteMembers(e.ctx, c, []string{acctX}, membership.InviteOptions{})
			})},
		{name: "MemberOfAnother", org: orgOf(), want: membership.CodeMemberOfAnother, account: acctM,
			setup: setups(associated(acctB, acctM), enabled(acctMgmt, acctA), func(t *testing.T, e *env, s *membership.Service) {
				mustOK(t, "EnableOrgAdmin", s.EnableOrgAdmin(e.ctx, at(acctMgmt), acctA, nil))
			}),
			call: func(e *env, s *membership.Service) result {
				return batch(s.CreateMembers(e.ctx, at(acctA), []membership.NewMember{{Account: acctM}}))
			}},

		{name: "ManagementNotEnabled", org: orgOf(), rules: mgmtMustEnable, want: membership.CodeManagementNotEnabled, account: acctMgmt,
			setup: setups(enabled(acctA), func(t *testing.T, e *env, s *membership.Service) {
				// The management account designates A, then disables
				// the service itself.
				mustEnable(t, e, s, at(acctMgmt))
				mustOK(t, "EnableOrgAdmin", s.EnableOrgAdmin(e.ctx, at(acctMgmt), acctA, nil))
				mustOK(t, "Disable", s.Disable(e.ctx, at(acctMgmt)))
			}),
			call: func(e *env, s *membership.Service) result {
				return batch(s.CreateMembers(e.ctx, at(acctA), []membership.NewMember{{Account: acctMgmt}}))
			}},
		{name: "MemberIsAdministrator", org: orgOf(), want: membership.CodeMemberIsAdministrator, account: acctM,
			setup: setups(associated(acctM, acctB), enabled(acctMgmt, acctA), func(t *testing.T, e *env, s *membership.Service) {
				mustOK(t, "EnableOrgAdmin", s.EnableOrgAdmin(e.ctx, at(acctMgmt), acctA, nil))
			}),
			call: func(e *env, s *membership.Service) result {
				return batch(s.CreateMembers(e.ctx, at(acctA), []membership.NewMember{{Account: acctM}}))
			}},
		{name: "MemberOfAnother/other region", org: orgOf(), want: membership.CodeMemberOfAnother, account: acctM,
			setup: setups(func(t *testing.T, e *env, s *membership.Service) {
				mustAssociate(t, e, s, atIn(acctB, regionB), acctM)
			}, enabled(acctMgmt, acctA), func(t *testing.T, e *env, s *membership.Service) {
				mustOK(t, "EnableOrgAdmin", s.EnableOrgAdmin(e.ctx, at(acctMgmt), acctA, nil))
			}),
			call: func(e *env, s *membership.Service) result {
				return batch(s.CreateMembers(e.ctx, at(acctA), []membership.NewMember{{Account: acctM}}))
			}},

		// Organizations delegation.
		{name: "NotManagementAccount/no organization", setup: enabled(acctMgmt), want: membership.CodeNotManagementAccount,
			call: func(e *env, s *membership.Service) result {
				return whole(s.EnableOrgAdmin(e.ctx, at(acctMgmt), acctA, nil))
			}},
		{name: "NotManagementAccount/EnableOrgAdmin", org: orgOf(), setup: enabled(acctA), want: membership.CodeNotManagementAccount,
			call: func(e *env, s *membership.Service) result {
				return whole(s.EnableOrgAdmin(e.ctx, at(acctA), acctA, nil))
			}},
		{name: "NotManagementAccount/ListOrgAdmins", org: orgOf(), setup: enabled(acctA), want: membership.CodeNotManagementAccount,
			call: func(e *env, s *membership.Service) result {
				return wholeVV(s.ListOrgAdmins(e.ctx, at(acctA), membership.Page{}))
			}},
		{name: "NotManagementAccount/DisableOrgAdmin", org: orgOf(), want: membership.CodeNotManagementAccount,
			setup: setups(enabled(acctMgmt, acctA), func(t *testing.T, e *env, s *membership.Service) {
				mustOK(t, "EnableOrgAdmin", s.EnableOrgAdmin(e.ctx, at(acctMgmt), acctA, nil))
			}),
			call: func(e *env, s *membership.Service) result { return whole(s.DisableOrgAdmin(e.ctx, at(acctA), acctA)) }},
		{name: "NotEnabled/management account (Macie)", org: orgOf(), setup: noSetup, want: membership.CodeNotEnabled,
			call: func(e *env, s *membership.Service) result {
				return whole(s.EnableOrgAdmin(e.ctx, at(acctMgmt), acctA, nil))
			}},
		{name: "InvalidAccountID/EnableOrgAdmin", org: orgOf(), setup: enabled(acctMgmt), want: membership.CodeInvalidAccountID,
			call: func(e *env, s *membership.Service) result {
				return whole(s.EnableOrgAdmin(e.ctx, at(acctMgmt), "x", nil))
			}},
		{name: "NotInOrganization", org: orgOf(acctA, acctM), setup: enabled(acctMgmt), want: membership.CodeNotInOrganization,
			call: func(e *env, s *membership.Service) result {
				return whole(s.EnableOrgAdmin(e.ctx, at(acctMgmt), acctX, nil))
			}},
		{name: "OrgAdminExists", org: orgOf(), want: membership.CodeOrgAdminExists,
			setup: setups(enabled(acctMgmt), func(t *testing.T, e *env, s *membership.Service) {
				mustOK(t, "EnableOrgAdmin", s.EnableOrgAdmin(e.ctx, at(acctMgmt), acctA, nil))
			}),
			call: func(e *env, s *membership.Service) result {
				return whole(s.EnableOrgAdmin(e.ctx, at(acctMgmt), acctB, nil))
			}},
		{name: "OrgAdminNotFound", org: orgOf(), setup: enabled(acctMgmt), want: membership.CodeOrgAdminNotFound,
			call: func(e *env, s *membership.Service) result {
				return whole(s.DisableOrgAdmin(e.ctx, at(acctMgmt), acctA))
			}},
		{name: "OrgAdminNotFound/other region", org: orgOf(), want: membership.CodeOrgAdminNotFound,
			setup: setups(enabled(acctMgmt), func(t *testing.T, e *env, s *membership.Service) {
				mustOK(t, "EnableOrgAdmin", s.EnableOrgAdmin(e.ctx, at(acctMgmt), acctA, nil))
				mustEnable(t, e, s, atIn(acctMgmt, regionB))
			}),
			call: func(e *env, s *membership.Service) result {
				return whole(s.DisableOrgAdmin(e.ctx, atIn(acctMgmt, regionB), acctA))
			}},
		{name: "NotOrgAdmin/OrgConfig", org: orgOf(), setup: enabled(acctA), want: membership.CodeNotOrgAdmin,
			call: func(e *env, s *membership.Service) result { return wholeV(s.OrgConfig(e.ctx, at(acctA))) }},
		{name: "NotOrgAdmin/UpdateOrgConfig", org: orgOf(), setup: enabled(acctA), want: membership.CodeNotOrgAdmin,
			call: func(e *env, s *membership.Service) result {
				yes := true
				return whole(s.UpdateOrgConfig(e.ctx, at(acctA), membership.OrgConfigUpdate{AutoEnable: &yes}))
			}},
		{name: "NotOrgAdmin/no organization", setup: enabled(acctA), want: membership.CodeNotOrgAdmin,
			call: func(e *env, s *membership.Service) result { return wholeV(s.OrgConfig(e.ctx, at(acctA))) }},

		// Pagination tokens.
		{name: "InvalidNextToken/ListMembers", setup: enabled(acctA), want: membership.CodeInvalidNextToken,
			call: func(e *env, s *membership.Service) result {
				return wholeVV(s.ListMembers(e.ctx, at(acctA), false, membership.Page{Token: "%%%"}))
			}},
		{name: "InvalidNextToken/ListInvitations", setup: enabled(acctM), want: membership.CodeInvalidNextToken,
			call: func(e *env, s *membership.Service) result {
				return wholeVV(s.ListInvitations(e.ctx, at(acctM), membership.Page{Token: rawToken("ls1:123")}))
			}},
		{name: "InvalidNextToken/ListOrgAdmins", org: orgOf(), setup: enabled(acctMgmt), want: membership.CodeInvalidNextToken,
			call: func(e *env, s *membership.Service) result {
				return wholeVV(s.ListOrgAdmins(e.ctx, at(acctMgmt), membership.Page{Token: rawToken("111111111111")}))
			}},

		// Tags.
		{name: "ResourceNotFound/no such member", setup: enabled(acctA), want: membership.CodeResourceNotFound,
			call: func(e *env, s *membership.Service) result {
				return whole(s.TagResource(e.ctx, at(acctA), memberResource(acctA, acctM), map[string]string{"k": "v"}))
			}},
		{name: "ResourceNotFound/member of another region", want: membership.CodeResourceNotFound,
			setup: setups(enabled(acctA), func(t *testing.T, e *env, s *membership.Service) {
				mustCreate(t, e, s, at(acctA), acctM)
				mustEnable(t, e, s, atIn(acctA, regionB))
			}),
			call: func(e *env, s *membership.Service) result {
				return wholeV(s.ResourceTags(e.ctx, atIn(acctA, regionB), memberResource(acctA, acctM)))
			}},
		{name: "ResourceNotFound/enablement with another id", rules: gd, setup: enabled(acctA), want: membership.CodeResourceNotFound,
			call: func(e *env, s *membership.Service) result {
				r := membership.Resource{Kind: membership.ResourceEnablement, Region: regionA, Owner: acctA, ID: "ffffffffffffffffffffffffffffffff"}
				return whole(s.TagResource(e.ctx, at(acctA), r, map[string]string{"k": "v"}))
			}},
		{name: "ResourceNotFound/unknown kind", setup: enabled(acctA), want: membership.CodeResourceNotFound,
			call: func(e *env, s *membership.Service) result {
				return wholeV(s.ResourceTags(e.ctx, at(acctA), membership.Resource{Region: regionA, Owner: acctA, ID: acctM}))
			}},
		{name: "ResourceOfOtherAccount", want: membership.CodeResourceOfOtherAccount,
			setup: func(t *testing.T, e *env, s *membership.Service) {
				mustEnable(t, e, s, at(acctA), at(acctB))
				mustCreate(t, e, s, at(acctB), acctM)
			},
			call: func(e *env, s *membership.Service) result {
				return whole(s.TagResource(e.ctx, at(acctA), memberResource(acctB, acctM), map[string]string{"k": "v"}))
			}},
		{name: "TooManyTags/TagResource", want: membership.CodeTooManyTags,
			setup: func(t *testing.T, e *env, s *membership.Service) {
				mustEnable(t, e, s, at(acctA))
				unp, err := s.CreateMembers(e.ctx, at(acctA), []membership.NewMember{{Account: acctM, Email: "m@example.com", Tags: tooManyTags(49)}})
				mustAllProcessed(t, "CreateMembers", unp, err)
			},
			call: func(e *env, s *membership.Service) result {
				return whole(s.TagResource(e.ctx, at(acctA), memberResource(acctA, acctM), map[string]string{"x": "1", "y": "2"}))
			}},
		{name: "TooManyTags/Enable", setup: noSetup, want: membership.CodeTooManyTags,
			call: func(e *env, s *membership.Service) result {
				return wholeV(s.Enable(e.ctx, at(acctA), membership.EnableInput{Tags: tooManyTags(51)}))
			}},
		{name: "TooManyTags/CreateMembers", setup: enabled(acctA), want: membership.CodeTooManyTags, account: acctM,
			call: func(e *env, s *membership.Service) result {
				return batch(s.CreateMembers(e.ctx, at(acctA), []membership.NewMember{{Account: acctM, Email: "m@example.com", Tags: tooManyTags(51)}}))
			}},

		// A request naming an enablement resource (a detector id).
		{name: "ResourceNotOwned/other id", rules: gd, setup: enabled(acctA), want: membership.CodeResourceNotOwned,
			call: func(e *env, s *membership.Service) result {
				c := at(acctA)
				c.ResourceID = "ffffffffffffffffffffffffffffffff"
				return wholeVV(s.ListMembers(e.ctx, c, false, membership.Page{}))
			}},
		{name: "ResourceNotOwned/another account's id", rules: gd, setup: enabled(acctA, acctB), want: membership.CodeResourceNotOwned,
			call: func(e *env, s *membership.Service) result {
				b, err := s.Enablement(e.ctx, at(acctB))
				if err != nil {
					return whole(err)
				}
				c := at(acctA)
				c.ResourceID = b.ResourceID
				return wholeV(s.Enablement(e.ctx, c))
			}},
		{name: "ResourceNotOwned/not enabled", rules: gd, setup: noSetup, want: membership.CodeResourceNotOwned,
			call: func(e *env, s *membership.Service) result {
				c := at(acctA)
				c.ResourceID = "00000000000000000000000000000001"
				return wholeV(s.Enablement(e.ctx, c))
			}},
		{name: "ResourceNotOwned/ungated call names a resource", rules: gd, setup: enabled(acctM), want: membership.CodeResourceNotOwned,
			call: func(e *env, s *membership.Service) result {
				c := at(acctM)
				c.ResourceID = "ffffffffffffffffffffffffffffffff"
				return wholeVV(s.ListInvitations(e.ctx, c, membership.Page{}))
			}},
		{name: "ResourceNotOwned/org config", rules: gd, org: orgOf(), want: membership.CodeResourceNotOwned,
			setup: setups(enabled(acctMgmt), func(t *testing.T, e *env, s *membership.Service) {
				mustOK(t, "EnableOrgAdmin", s.EnableOrgAdmin(e.ctx, at(acctMgmt), acctA, nil))
			}),
			call: func(e *env, s *membership.Service) result {
				c := at(acctA)
				c.ResourceID = "ffffffffffffffffffffffffffffffff"
				return wholeV(s.OrgConfig(e.ctx, c))
			}},
	}
}

// TestRefusals triggers every refusal code and checks that the refused
// call changed nothing.
func TestRefusals(t *testing.T) {
	for _, tc := range refusals() {
		t.Run(tc.name, func(t *testing.T) {
			rules := macieRules()
			if tc.rules != nil {
				rules = *tc.rules
			}
			var opts []membership.Option
			if tc.org != nil {
				opts = append(opts, membership.WithOrganization(*tc.org))
			}
			e := newEnv(t, rules, opts...)
			s := e.svc
			tc.setup(t, e, s)
			before := takeSnapshot(t, e, s)
			e.advance()
			got := tc.call(e, s)
			if tc.account == "" {
				if len(got.unp) != 0 {
					t.Errorf("unprocessed %+v, want none", got.unp)
				}
				wantCode(t, "call", got.err, tc.want)
			} else {
				wantUnprocessed(t, "call", got.unp, got.err, membership.Unprocessed{Account: tc.account, Code: tc.want})
			}
			var refused *membership.Error
			if got.err != nil && !errors.As(got.err, &refused) {
				t.Errorf("error %v (%T) is not a *membership.Error", got.err, got.err)
			}
			wantUnchanged(t, before, takeSnapshot(t, e, s))
		})
	}
}

// TestEnableIdempotent: repeating the client token of the call that
// enabled returns the existing enablement unchanged.
func TestEnableIdempotent(t *testing.T) {
	for _, rules := range []struct {
		name  string
		rules membership.Rules
	}{{"macie", macieRules()}, {"guardduty", guardDutyRules()}} {
		t.Run(rules.name, func(t *testing.T) {
			e := newEnv(t, rules.rules)
			s := e.svc
			first, err := s.Enable(e.ctx, at(acctA), membership.EnableInput{ClientToken: "tok", Settings: []byte(`{"a":1}`), Tags: map[string]string{"k": "v"}})
			mustOK(t, "Enable", err)
			e.advance()
			again, err := s.Enable(e.ctx, at(acctA), membership.EnableInput{ClientToken: "tok", Settings: []byte(`{"a":2}`)})
			mustOK(t, "Enable with the same token", err)
			got, err := s.Enablement(e.ctx, at(acctA))
			mustOK(t, "Enablement", err)
			for name, v := range map[string]store.Enablement{"retry": again, "stored": got} {
				if v.ResourceID != first.ResourceID || !v.Created.Equal(first.Created) || !v.Updated.Equal(first.Updated) ||
					string(v.Settings) != `{"a":1}` || v.Tags["k"] != "v" || v.ClientToken != "tok" {
					t.Errorf("%s enablement %+v, want the first one %+v unchanged", name, v, first)
				}
			}
			if rules.rules.EnablementIDs && len(first.ResourceID) != 32 {
				t.Errorf("ResourceID %q, want a 32-hex id", first.ResourceID)
			}
			// Empty tokens never match each other.
			e2 := newEnv(t, rules.rules)
			mustEnable(t, e2, e2.svc, at(acctA))
			_, err = e2.svc.Enable(e2.ctx, at(acctA), membership.EnableInput{})
			wantCode(t, "Enable twice without token", err, membership.CodeAlreadyEnabled)
		})
	}
}

// TestMemberQuotaInOneBatch: the quota counts the members created earlier
// in the same batch, skips refused ones, and frees up on delete.
func TestMemberQuotaInOneBatch(t *testing.T) {
	e := newEnv(t, *withQuota(3))
	s := e.svc
	mustEnable(t, e, s, at(acctA))
	const a1, a2, a3, a4, a5 = "100000000001", "100000000002", "100000000003", "100000000004", "100000000005"
	unp, err := s.CreateMembers(e.ctx, at(acctA), []membership.NewMember{
		{Account: a1}, {Account: "bad"}, {Account: a2}, {Account: a1}, {Account: acctA}, {Account: a3}, {Account: a4}, {Account: a5},
	})
	wantUnprocessed(t, "CreateMembers", unp, err,
		membership.Unprocessed{Account: "bad", Code: membership.CodeInvalidAccountID},
		membership.Unprocessed{Account: acctA, Code: membership.CodeSelfMember},
		membership.Unprocessed{Account: a4, Code: membership.CodeMemberQuotaExceeded},
		membership.Unprocessed{Account: a5, Code: membership.CodeMemberQuotaExceeded},
	)
	unp, err = s.DeleteMembers(e.ctx, at(acctA), []string{a2})
	mustAllProcessed(t, "DeleteMembers", unp, err)
	unp, err = s.CreateMembers(e.ctx, at(acctA), []membership.NewMember{{Account: a4}, {Account: a5}})
	wantUnprocessed(t, "CreateMembers after a delete", unp, err, membership.Unprocessed{Account: a5, Code: membership.CodeMemberQuotaExceeded})
	ms, err := listMembers(t, e, s, at(acctA), false, 0)
	mustOK(t, "ListMembers", err)
	var got []string
	for _, m := range ms {
		got = append(got, m.MemberKey.Member)
	}
	if fmt.Sprint(got) != fmt.Sprint([]string{a1, a3, a4}) {
		t.Errorf("members %v, want [%s %s %s]", got, a1, a3, a4)
	}
}

// TestNotEnabledGating: which calls need the caller's own enablement
// (spec §8), under Macie and under GuardDuty-like rules. "" means the
// call is not refused for that reason (it may succeed or be refused for
// another one, given as its code).
func TestNotEnabledGating(t *testing.T) {
	yes := true
	calls := []struct {
		name      string
		call      func(e *env, s *membership.Service, c membership.Caller) result
		macie, gd membership.Code
	}{
		{"Enablement", func(e *env, s *membership.Service, c membership.Caller) result { return wholeV(s.Enablement(e.ctx, c)) },
			membership.CodeNotEnabled, membership.CodeNotEnabled},
		{"UpdateEnablement", func(e *env, s *membership.Service, c membership.Caller) result {
			return whole(s.UpdateEnablement(e.ctx, c, membership.EnablementUpdate{Suspended: &yes}))
		}, membership.CodeNotEnabled, membership.CodeNotEnabled},
		{"Disable", func(e *env, s *membership.Service, c membership.Caller) result { return whole(s.Disable(e.ctx, c)) },
			membership.CodeNotEnabled, membership.CodeNotEnabled},
		{"CreateMembers", func(e *env, s *membership.Service, c membership.Caller) result {
			return batch(s.CreateMembers(e.ctx, c, []membership.NewMember{{Account: acctM}}))
		}, membership.CodeNotEnabled, membership.CodeNotEnabled},
		{"InviteMembers", func(e *env, s *membership.Service, c membership.Caller) result {
			return batch(s.InviteMembers(e.ctx, c, []string{acctM}, membership.InviteOptions{}))
		}, membership.CodeNotEnabled, membership.CodeNotEnabled},
		{"GetMember", func(e *env, s *membership.Service, c membership.Caller) result {
			return wholeV(s.GetMember(e.ctx, c, acctM))
		},
			membership.CodeNotEnabled, membership.CodeNotEnabled},
		{"ListMembers", func(e *env, s *membership.Service, c membership.Caller) result {
			return wholeVV(s.ListMembers(e.ctx, c, true, membership.Page{}))
		}, membership.CodeNotEnabled, membership.CodeNotEnabled},
		{"DeleteMembers", func(e *env, s *membership.Service, c membership.Caller) result {
			return batch(s.DeleteMembers(e.ctx, c, []string{acctM}))
		}, membership.CodeNotEnabled, membership.CodeNotEnabled},
		{"DisassociateMembers", func(e *env, s *membership.Service, c membership.Caller) result {
			return batch(s.DisassociateMembers(e.ctx, c, []string{acctM}))
		}, membership.CodeNotEnabled, membership.CodeNotEnabled},
		{"SetMembersSuspended", func(e *env, s *membership.Service, c membership.Caller) result {
			return batch(s.SetMembersSuspended(e.ctx, c, []string{acctM}, true))
		}, membership.CodeNotEnabled, membership.CodeNotEnabled},
		{"ListInvitations", func(e *env, s *membership.Service, c membership.Caller) result {
			return wholeVV(s.ListInvitations(e.ctx, c, membership.Page{}))
		}, membership.CodeNotEnabled, ""},
		{"CountInvitations", func(e *env, s *membership.Service, c membership.Caller) result {
			return wholeV(s.CountInvitations(e.ctx, c))
		}, membership.CodeNotEnabled, ""},
		{"AcceptInvitation", func(e *env, s *membership.Service, c membership.Caller) result {
			return whole(s.AcceptInvitation(e.ctx, c, acctB, "00000000000000000000000000000001"))
		}, membership.CodeNotEnabled, membership.CodeNotEnabled},
		{"DeclineInvitations", func(e *env, s *membership.Service, c membership.Caller) result {
			return batch(s.DeclineInvitations(e.ctx, c, []string{acctB}))
		}, membership.CodeNotEnabled, membership.CodeNoInvitation},
		{"DeleteInvitations", func(e *env, s *membership.Service, c membership.Caller) result {
			return batch(s.DeleteInvitations(e.ctx, c, []string{acctB}))
		}, membership.CodeNotEnabled, membership.CodeNoInvitation},
		{"Administrator", func(e *env, s *membership.Service, c membership.Caller) result {
			return wholeVV(s.Administrator(e.ctx, c))
		}, membership.CodeNotEnabled, membership.CodeNotEnabled},
		{"DisassociateFromAdministrator", func(e *env, s *membership.Service, c membership.Caller) result {
			return whole(s.DisassociateFromAdministrator(e.ctx, c))
		}, membership.CodeNotEnabled, membership.CodeNotEnabled},
		{"EnableOrgAdmin(management)", func(e *env, s *membership.Service, _ membership.Caller) result {
			return whole(s.EnableOrgAdmin(e.ctx, at(acctMgmt), acctA, nil))
		}, membership.CodeNotEnabled, ""},
		{"ListOrgAdmins(management)", func(e *env, s *membership.Service, _ membership.Caller) result {
			return wholeVV(s.ListOrgAdmins(e.ctx, at(acctMgmt), membership.Page{}))
		}, membership.CodeNotEnabled, ""},
		{"DisableOrgAdmin(management)", func(e *env, s *membership.Service, _ membership.Caller) result {
			return whole(s.DisableOrgAdmin(e.ctx, at(acctMgmt), acctA))
		}, membership.CodeNotEnabled, membership.CodeOrgAdminNotFound},
		{"OrgConfig", func(e *env, s *membership.Service, c membership.Caller) result { return wholeV(s.OrgConfig(e.ctx, c)) },
			membership.CodeNotOrgAdmin, membership.CodeNotOrgAdmin},
		{"TagResource", func(e *env, s *membership.Service, c membership.Caller) result {
			return whole(s.TagResource(e.ctx, c, memberResource(c.Account, acctM), map[string]string{"k": "v"}))
		}, membership.CodeNotEnabled, membership.CodeResourceNotFound},
		{"UntagResource", func(e *env, s *membership.Service, c membership.Caller) result {
			return whole(s.UntagResource(e.ctx, c, memberResource(c.Account, acctM), []string{"k"}))
		}, membership.CodeNotEnabled, membership.CodeResourceNotFound},
		{"ResourceTags", func(e *env, s *membership.Service, c membership.Caller) result {
			return wholeV(s.ResourceTags(e.ctx, c, memberResource(c.Account, acctM)))
		}, membership.CodeNotEnabled, membership.CodeResourceNotFound},
	}
	for _, rs := range []struct {
		name  string
		rules membership.Rules
		want  func(i int) membership.Code
	}{
		{"macie", macieRules(), func(i int) membership.Code { return calls[i].macie }},
		{"guardduty", guardDutyRules(), func(i int) membership.Code { return calls[i].gd }},
	} {
		for i, tc := range calls {
			t.Run(rs.name+"/"+tc.name, func(t *testing.T) {
				e := newEnv(t, rs.rules, withOrg())
				// Someone else is enabled, so the store is not empty.
				mustEnable(t, e, e.svc, at(acctB))
				got := tc.call(e, e.svc, at(acctA))
				code := membership.ErrorCode(got.err)
				if got.err != nil && code == "" {
					t.Fatalf("non-engine error %v", got.err)
				}
				if code == "" && len(got.unp) == 1 {
					code = got.unp[0].Code
				}
				if want := rs.want(i); code != want {
					t.Errorf("got code %q (err %v, unprocessed %+v), want %q", code, got.err, got.unp, want)
				}
			})
		}
	}
}

// TestRefusalsCoverEveryCode reads the Code constants from errors.go and
// checks that the refusal table triggers each of them.
func TestRefusalsCoverEveryCode(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var codes []membership.Code
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			vs := spec.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
				continue
			}
			for _, v := range vs.Values {
				lit, ok := v.(*ast.BasicLit)
				if !ok {
					continue
				}
				c, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				codes = append(codes, membership.Code(c))
			}
		}
	}
	if len(codes) < 30 {
		t.Fatalf("found only %d codes in errors.go: %v", len(codes), codes)
	}
	covered := map[membership.Code]bool{}
	for _, r := range refusals() {
		covered[r.want] = true
	}
	for _, c := range codes {
		if !covered[c] {
			t.Errorf("no refusal case triggers %s", c)
		}
	}
}
