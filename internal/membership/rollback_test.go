package membership_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/localsec/localsec/internal/store"
	"testing"

	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/store/memstore"
)

var five = []string{"100000000001", "100000000002", "100000000003", "100000000004", "100000000005"}

// associateFive makes the five accounts associated members of A.
func associateFive(t *testing.T, e *env, s *membership.Service) {
	t.Helper()
	mustEnable(t, e, s, at(acctA))
	mustCreate(t, e, s, at(acctA), five...)
	mustInvite(t, e, s, at(acctA), five...)
	for _, a := range five {
		mustEnable(t, e, s, at(a))
		mustAccept(t, e, s, at(a), acctA)
	}
}

// invitedByFive: each of the five accounts invited M.
func invitedByFive(t *testing.T, e *env, s *membership.Service) {
	t.Helper()
	mustEnable(t, e, s, at(acctM))
	for _, a := range five {
		mustEnable(t, e, s, at(a))
		mustCreate(t, e, s, at(a), acctM)
		mustInvite(t, e, s, at(a), acctM)
	}
}

// batchCase is a call that writes several records in one transaction.
type batchCase struct {
	name  string
	rules membership.Rules
	org   bool
	setup func(t *testing.T, e *env, s *membership.Service)
	call  func(e *env, s *membership.Service) error
	// failAt is the write that fails; it must not be the first of the
	// call, so that some writes precede the failure.
	failAt int
}

// unprocessedError is a batch call's unprocessed accounts as an error.
type unprocessedError []membership.Unprocessed

func (u unprocessedError) Error() string {
	return fmt.Sprintf("unprocessed %+v", []membership.Unprocessed(u))
}

// batchErr turns a batch call's result into one error: the call's error,
// else its unprocessed accounts, else nil.
func batchErr(unp []membership.Unprocessed, err error) error {
	if err == nil && len(unp) != 0 {
		return unprocessedError(unp)
	}
	return err
}

func batchCases() []batchCase {
	gd := guardDutyRules()
	return []batchCase{
		{name: "CreateMembers", rules: macieRules(), failAt: 3,
			setup: func(t *testing.T, e *env, s *membership.Service) { mustEnable(t, e, s, at(acctA)) },
			call: func(e *env, s *membership.Service) error {
				var nms []membership.NewMember
				for _, a := range five {
					nms = append(nms, membership.NewMember{Account: a, Email: a + "@example.com"})
				}
				return batchErr(s.CreateMembers(e.ctx, at(acctA), nms))
			}},
		{name: "InviteMembers", rules: macieRules(), failAt: 3,
			setup: func(t *testing.T, e *env, s *membership.Service) {
				mustEnable(t, e, s, at(acctA))
				mustCreate(t, e, s, at(acctA), five...)
			},
			call: func(e *env, s *membership.Service) error {
				return batchErr(s.InviteMembers(e.ctx, at(acctA), five, membership.InviteOptions{}))
			}},
		{name: "InviteMembers/re-send", rules: macieRules(), failAt: 3,
			setup: func(t *testing.T, e *env, s *membership.Service) {
				mustEnable(t, e, s, at(acctA))
				mustCreate(t, e, s, at(acctA), five...)
				mustInvite(t, e, s, at(acctA), five...)
			},
			call: func(e *env, s *membership.Service) error {
				return batchErr(s.InviteMembers(e.ctx, at(acctA), five, membership.InviteOptions{}))
			}},
		{name: "DisassociateMembers", rules: macieRules(), failAt: 3, setup: associateFive,
			call: func(e *env, s *membership.Service) error {
				return batchErr(s.DisassociateMembers(e.ctx, at(acctA), five))
			}},
		{name: "DeleteMembers", rules: macieRules(), failAt: 3, setup: associateFive,
			call: func(e *env, s *membership.Service) error {
				return batchErr(s.DeleteMembers(e.ctx, at(acctA), five))
			}},
		{name: "SetMembersSuspended/record written, enablement fails", rules: macieRules(), failAt: 4, setup: associateFive,
			call: func(e *env, s *membership.Service) error {
				return batchErr(s.SetMembersSuspended(e.ctx, at(acctA), five, true))
			}},
		{name: "SetMembersSuspended/record fails", rules: macieRules(), failAt: 5, setup: associateFive,
			call: func(e *env, s *membership.Service) error {
				return batchErr(s.SetMembersSuspended(e.ctx, at(acctA), five, true))
			}},
		{name: "DeclineInvitations", rules: macieRules(), failAt: 3, setup: invitedByFive,
			call: func(e *env, s *membership.Service) error {
				return batchErr(s.DeclineInvitations(e.ctx, at(acctM), five))
			}},
		{name: "DeleteInvitations", rules: macieRules(), failAt: 3, setup: invitedByFive,
			call: func(e *env, s *membership.Service) error {
				return batchErr(s.DeleteInvitations(e.ctx, at(acctM), five))
			}},
		{name: "Disable/with untied records", rules: macieRules(), failAt: 3,
			setup: func(t *testing.T, e *env, s *membership.Service) {
				mustEnable(t, e, s, at(acctA))
				mustCreate(t, e, s, at(acctA), five...)
			},
			call: func(e *env, s *membership.Service) error { return s.Disable(e.ctx, at(acctA)) }},
		{name: "Disable/member resigns (GuardDuty)", rules: gd, failAt: 2,
			// M keeps a Removed record of X and is A's member.
			setup: func(t *testing.T, e *env, s *membership.Service) {
				mustEnable(t, e, s, at(acctM))
				mustCreate(t, e, s, at(acctM), acctX)
				mustInvite(t, e, s, at(acctM), acctX)
				unp, err := s.DisassociateMembers(e.ctx, at(acctM), []string{acctX})
				mustAllProcessed(t, "DisassociateMembers", unp, err)
				mustAssociate(t, e, s, at(acctA), acctM)
			},
			call: func(e *env, s *membership.Service) error { return s.Disable(e.ctx, at(acctM)) }},
		{name: "UpdateEnablement/member suspends itself", rules: macieRules(), failAt: 2,
			setup: func(t *testing.T, e *env, s *membership.Service) { mustAssociate(t, e, s, at(acctA), acctM) },
			call: func(e *env, s *membership.Service) error {
				yes := true
				return s.UpdateEnablement(e.ctx, at(acctM), membership.EnablementUpdate{Suspended: &yes})
			}},
		{name: "DisableOrgAdmin", rules: macieRules(), org: true, failAt: 3,
			setup: func(t *testing.T, e *env, s *membership.Service) {
				mustEnable(t, e, s, at(acctMgmt), at(acctA))
				mustOK(t, "EnableOrgAdmin", s.EnableOrgAdmin(e.ctx, at(acctMgmt), acctA, nil))
				var nms []membership.NewMember
				for _, a := range five {
					nms = append(nms, membership.NewMember{Account: a})
				}
				unp, err := s.CreateMembers(e.ctx, at(acctA), nms)
				mustAllProcessed(t, "CreateMembers", unp, err)
			},
			call: func(e *env, s *membership.Service) error { return s.DisableOrgAdmin(e.ctx, at(acctMgmt), acctA) }},
		{name: "EnableOrgAdmin/enables the service (GuardDuty)", rules: gd, org: true, failAt: 2,
			setup: func(t *testing.T, e *env, s *membership.Service) {},
			call: func(e *env, s *membership.Service) error {
				return s.EnableOrgAdmin(e.ctx, at(acctMgmt), acctA, []byte(`{}`))
			}},
	}
}

// TestBatchAtomicity: a call whose store write fails (or panics) half-way
// leaves the state exactly as it was, and the same call without the
// fault does change it.
func TestBatchAtomicity(t *testing.T) {
	for _, tc := range batchCases() {
		for _, mode := range []string{"error", "panic"} {
			t.Run(tc.name+"/"+mode, func(t *testing.T) {
				fs := &faultyStore{Store: memstore.New()}
				var opts []membership.Option
				if tc.org {
					opts = append(opts, withOrg())
				}
				e := newEnvOn(t, fs, tc.rules, opts...)
				s := e.svc
				tc.setup(t, e, s)
				accounts := append(append([]string(nil), allAccounts...), five...)
				snap := func() snapshot { return takeSnapshotOf(t, e, s, accounts, allRegions) }

				before := snap()
				e.advance()
				switch mode {
				case "error":
					fs.arm(tc.failAt, 0)
					err := tc.call(e, s)
					if !errors.Is(err, errInjected) {
						t.Fatalf("call returned %v, want the injected store error", err)
					}
				case "panic":
					fs.arm(0, tc.failAt)
					p := func() (p any) {
						defer func() { p = recover() }()
						_ = tc.call(e, s)
						return nil
					}()
					if p != (panicInjected{tc.failAt}) {
						t.Fatalf("recovered %v, want the injected panic", p)
					}
				}
				wantUnchanged(t, before, snap())

				// The store is still usable and the call really writes
				// more than failAt records.
				mustOK(t, "call without fault", tc.call(e, s))
				if n := fs.lastWrites(); tc.failAt < 2 || n < tc.failAt {
					t.Errorf("the call writes %d records; failing write %d does not come after other writes", n, tc.failAt)
				}
				if diffSnapshots(before, snap()) == "" {
					t.Errorf("the call without fault changed nothing either; the test proves nothing")
				}
			})
		}
	}
}

// TestRefusedCallAfterWrites: Disable under DisableResignsMember writes
// the resignation first and only then finds the caller's own members;
// the refusal must undo the resignation. The API never lets an account be
// member and administrator at once, so the test writes that state into
// the store directly.
func TestRefusedCallAfterWrites(t *testing.T) {
	e := newEnv(t, guardDutyRules())
	s := e.svc
	mustEnable(t, e, s, at(acctX))
	mustAssociate(t, e, s, at(acctA), acctX) // X is A's member
	now := e.advance()
	err := e.store.Update(e.ctx, func(tx store.Tx) error {
		return tx.PutMember(e.ctx, store.Member{
			MemberKey:   store.MemberKey{Scope: store.Scope{Service: s.Name(), Region: regionA}, Admin: acctX, Member: acctM},
			Status:      store.StatusInvited,
			Association: store.AssociationInvitation,
			Created:     now, Updated: now, InvitedAt: now, InvitationID: strings.Repeat("f", 32),
		})
	})
	mustOK(t, "PutMember", err)
	before := takeSnapshot(t, e, s)
	e.advance()
	wantCode(t, "Disable(X)", s.Disable(e.ctx, at(acctX)), membership.CodeDisableWithMembers)
	wantUnchanged(t, before, takeSnapshot(t, e, s))
}
