package membership_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/store"
)

// checkInvariants reads the whole state of the accounts in one
// consistent view and returns every violation of:
//   - a member account has at most one associated administrator per
//     service and region (and, with SameAdministratorInAllRegions, the
//     same one in every region);
//   - an associated member is no administrator: it keeps no Created,
//     invited or associated records of its own;
//   - both ends of an invited or associated record have the service
//     enabled (the administrator), and so has an associated member.
func checkInvariants(e *env, s *membership.Service, accounts, regions []string) []string {
	var bad []string
	err := e.store.View(e.ctx, func(tx store.Tx) error {
		for _, a := range accounts {
			ms, err := tx.ListMemberships(e.ctx, store.MembershipQuery{Service: s.Name(), Account: a})
			if err != nil {
				return err
			}
			perRegion := map[string][]string{}
			admins := map[string]bool{}
			for _, m := range ms {
				if !membership.Associated(m.Status) {
					continue
				}
				perRegion[m.Region] = append(perRegion[m.Region], m.Admin)
				admins[m.Admin] = true
			}
			for r, as := range perRegion {
				if len(as) > 1 {
					bad = append(bad, fmt.Sprintf("%s has %d administrators in %s: %v", a, len(as), r, as))
				}
				own, err := tx.ListMembers(e.ctx, store.MemberQuery{Admin: store.AccountKey{Scope: store.Scope{Service: s.Name(), Region: r}, Account: a}})
				if err != nil {
					return err
				}
				for _, o := range own {
					if o.Status == store.StatusCreated || membership.Pending(o.Status) || membership.Associated(o.Status) {
						bad = append(bad, fmt.Sprintf("%s is a member in %s and keeps %s as %s", a, r, o.MemberKey.Member, o.Status))
					}
				}
				if _, err := tx.GetEnablement(e.ctx, store.AccountKey{Scope: store.Scope{Service: s.Name(), Region: r}, Account: a}); err != nil {
					bad = append(bad, fmt.Sprintf("%s is an associated member in %s without enablement (%v)", a, r, err))
				}
			}
			if s.Rules().SameAdministratorInAllRegions && len(admins) > 1 {
				bad = append(bad, fmt.Sprintf("%s has different administrators across regions: %v", a, perRegion))
			}
			for _, r := range regions {
				own, err := tx.ListMembers(e.ctx, store.MemberQuery{Admin: store.AccountKey{Scope: store.Scope{Service: s.Name(), Region: r}, Account: a}})
				if err != nil {
					return err
				}
				for _, o := range own {
					if !membership.Pending(o.Status) && !membership.Associated(o.Status) {
						continue
					}
					if _, err := tx.GetEnablement(e.ctx, o.AdminKey()); err != nil {
						bad = append(bad, fmt.Sprintf("%s keeps %s as %s in %s without enablement (%v)", a, o.MemberKey.Member, o.Status, r, err))
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		bad = append(bad, "View: "+err.Error())
	}
	return bad
}

// checkAgreement checks, call by call through the engine, that every
// member's Administrator() agrees with its administrator's record. Only
// for a quiet state.
func checkAgreement(t *testing.T, e *env, s *membership.Service, accounts, regions []string) {
	t.Helper()
	for _, r := range regions {
		for _, a := range accounts {
			c := atIn(a, r)
			var assoc []store.Member
			err := e.store.View(e.ctx, func(tx store.Tx) error {
				ms, err := tx.ListMemberships(e.ctx, store.MembershipQuery{Service: s.Name(), Region: r, Account: a})
				for _, m := range ms {
					if membership.Associated(m.Status) {
						assoc = append(assoc, m)
					}
				}
				return err
			})
			mustOK(t, "View", err)
			inv, ok, err := s.Administrator(e.ctx, c)
			if membership.ErrorCode(err) == membership.CodeNotEnabled {
				if len(assoc) != 0 {
					t.Errorf("%s/%s: not enabled but associated with %+v", r, a, assoc)
				}
				continue
			}
			mustOK(t, "Administrator", err)
			switch {
			case len(assoc) == 0 && ok:
				t.Errorf("%s/%s: Administrator() = %+v but no administrator keeps it associated", r, a, inv)
			case len(assoc) == 1 && !ok:
				t.Errorf("%s/%s: Administrator() says none but %s keeps it %s", r, a, assoc[0].Admin, assoc[0].Status)
			case len(assoc) == 1:
				rec, err := s.GetMember(e.ctx, atIn(assoc[0].Admin, r), a)
				mustOK(t, "GetMember", err)
				if inv.Admin != rec.Admin || inv.ID != rec.InvitationID || inv.Status != rec.Status {
					t.Errorf("%s/%s: Administrator() = %+v, administrator's record %+v", r, a, inv, rec.Member)
				}
			}
		}
	}
}

// race runs fns at the same time, as far as goroutines allow.
func race(fns ...func()) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for _, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fn()
		}()
	}
	close(start)
	wg.Wait()
}

const raceRounds = 40

// TestConcurrentAcceptOfSeveralAdministrators: M accepts invitations from
// several administrators at once; exactly one wins.
func TestConcurrentAcceptOfSeveralAdministrators(t *testing.T) {
	admins := []string{acctA, acctB, acctX, "555555555555", "666666666666", "777777777777"}
	for round := range raceRounds {
		e := newEnv(t, macieRules())
		s := e.svc
		mustEnable(t, e, s, at(acctM))
		ids := map[string]string{}
		for _, a := range admins {
			mustEnable(t, e, s, at(a))
			mustCreate(t, e, s, at(a), acctM)
			mustInvite(t, e, s, at(a), acctM)
			ids[a] = invitationID(t, e, s, at(a), acctM)
		}
		errs := make([]error, len(admins))
		var fns []func()
		for i, a := range admins {
			fns = append(fns, func() { errs[i] = s.AcceptInvitation(e.ctx, at(acctM), a, ids[a]) })
		}
		race(fns...)
		winners := 0
		for i, err := range errs {
			switch membership.ErrorCode(err) {
			case "":
				if err != nil {
					t.Fatalf("round %d: accept %s: %v", round, admins[i], err)
				}
				winners++
			case membership.CodeAcceptWhileMember:
			default:
				t.Errorf("round %d: accept %s: %v, want success or AcceptWhileMember", round, admins[i], err)
			}
		}
		if winners != 1 {
			t.Errorf("round %d: %d accepts succeeded, want exactly 1", round, winners)
		}
		for _, v := range checkInvariants(e, s, append(admins, acctM), allRegions) {
			t.Errorf("round %d: %s", round, v)
		}
		checkAgreement(t, e, s, append(admins, acctM), allRegions)
	}
}

// TestConcurrentAcceptAcrossRegions: under Macie, M accepting two
// administrators in two regions at once joins only one of them.
func TestConcurrentAcceptAcrossRegions(t *testing.T) {
	for round := range raceRounds {
		e := newEnv(t, macieRules())
		s := e.svc
		a, b := atIn(acctA, regionA), atIn(acctB, regionB)
		mustEnable(t, e, s, a, b, atIn(acctM, regionA), atIn(acctM, regionB))
		mustCreate(t, e, s, a, acctM)
		mustInvite(t, e, s, a, acctM)
		mustCreate(t, e, s, b, acctM)
		mustInvite(t, e, s, b, acctM)
		idA, idB := invitationID(t, e, s, a, acctM), invitationID(t, e, s, b, acctM)
		var errA, errB error
		race(
			func() { errA = s.AcceptInvitation(e.ctx, atIn(acctM, regionA), acctA, idA) },
			func() { errB = s.AcceptInvitation(e.ctx, atIn(acctM, regionB), acctB, idB) },
		)
		if (errA == nil) == (errB == nil) {
			t.Errorf("round %d: accept A: %v, accept B: %v; want exactly one success", round, errA, errB)
		}
		for _, err := range []error{errA, errB} {
			if err != nil && membership.ErrorCode(err) != membership.CodeAcceptWhileMember {
				t.Errorf("round %d: %v, want AcceptWhileMember", round, err)
			}
		}
		for _, v := range checkInvariants(e, s, []string{acctA, acctB, acctM}, allRegions) {
			t.Errorf("round %d: %s", round, v)
		}
		checkAgreement(t, e, s, []string{acctA, acctB, acctM}, allRegions)
	}
}

// TestConcurrentConflicts races pairs of calls that cannot both have
// their way and checks that the outcome is one of the serial ones.
func TestConcurrentConflicts(t *testing.T) {
	type pair struct {
		name  string
		rules membership.Rules
		setup func(t *testing.T, e *env, s *membership.Service)
		one   func(e *env, s *membership.Service) error
		two   func(e *env, s *membership.Service) error
		// check looks at both errors and the final state.
		check func(t *testing.T, e *env, s *membership.Service, err1, err2 error)
	}
	acceptA := func(e *env, s *membership.Service) error {
		return s.AcceptInvitation(e.ctx, at(acctM), acctA, idOf(e, s, at(acctA), acctM))
	}
	// The accept reads the id before the race so that it does not read
	// a state the other call already changed.
	var pairs = []pair{
		{
			name: "accept vs administrator disassociates", rules: macieRules(), setup: invited(acctA, acctM),
			one: acceptA,
			two: func(e *env, s *membership.Service) error {
				return batchErr(s.DisassociateMembers(e.ctx, at(acctA), []string{acctM}))
			},
			check: func(t *testing.T, e *env, s *membership.Service, accErr, disErr error) {
				mustOK(t, "DisassociateMembers", disErr)
				if accErr != nil && membership.ErrorCode(accErr) != membership.CodeNoInvitation {
					t.Errorf("accept: %v, want success or NoInvitation", accErr)
				}
				m, err := s.GetMember(e.ctx, at(acctA), acctM)
				mustOK(t, "GetMember", err)
				if m.Status != store.StatusRemoved {
					t.Errorf("final status %s, want Removed either way", m.Status)
				}
			},
		},
		{
			name: "accept vs administrator deletes", rules: macieRules(), setup: invited(acctA, acctM),
			one: acceptA,
			two: func(e *env, s *membership.Service) error {
				return batchErr(s.DeleteMembers(e.ctx, at(acctA), []string{acctM}))
			},
			check: func(t *testing.T, e *env, s *membership.Service, accErr, delErr error) {
				mustOK(t, "DeleteMembers", delErr)
				if accErr != nil && membership.ErrorCode(accErr) != membership.CodeNoInvitation {
					t.Errorf("accept: %v, want success or NoInvitation", accErr)
				}
				_, err := s.GetMember(e.ctx, at(acctA), acctM)
				wantCode(t, "GetMember", err, membership.CodeNotMember)
			},
		},
		{
			name: "accept vs administrator deletes (GuardDuty)", rules: guardDutyRules(), setup: invited(acctA, acctM),
			one: acceptA,
			two: func(e *env, s *membership.Service) error {
				return batchErr(s.DeleteMembers(e.ctx, at(acctA), []string{acctM}))
			},
			check: func(t *testing.T, e *env, s *membership.Service, accErr, delErr error) {
				// Either deleted before the accept, or refused after it.
				m, err := s.GetMember(e.ctx, at(acctA), acctM)
				switch {
				case accErr == nil && delErr != nil:
					mustOK(t, "GetMember", err)
					if m.Status != store.StatusEnabled {
						t.Errorf("accepted, delete refused (%v), but status %s", delErr, m.Status)
					}
				case accErr != nil && delErr == nil:
					wantCode(t, "accept", accErr, membership.CodeNoInvitation)
					wantCode(t, "GetMember", err, membership.CodeNotMember)
				default:
					t.Errorf("accept: %v, delete: %v; want exactly one to succeed", accErr, delErr)
				}
			},
		},
		{
			name: "accept vs member creates a member of its own", rules: macieRules(), setup: invited(acctA, acctM),
			one: acceptA,
			two: func(e *env, s *membership.Service) error {
				return batchErr(s.CreateMembers(e.ctx, at(acctM), []membership.NewMember{{Account: acctX}}))
			},
			check: func(t *testing.T, e *env, s *membership.Service, accErr, createErr error) {
				if (accErr == nil) == (createErr == nil) {
					t.Errorf("accept: %v, create: %v; want exactly one to succeed", accErr, createErr)
				}
				if accErr != nil {
					wantCode(t, "accept", accErr, membership.CodeAcceptWithMembers)
				}
			},
		},
		{
			name: "administrator invites vs administrator joins another", rules: macieRules(),
			setup: setups(invited(acctB, acctA), func(t *testing.T, e *env, s *membership.Service) {
				mustCreate(t, e, s, at(acctA), acctM)
				// A's Created record of M blocks the accept: make it
				// Removed so that only the invite competes.
				mustInvite(t, e, s, at(acctA), acctM)
				unp, err := s.DisassociateMembers(e.ctx, at(acctA), []string{acctM})
				mustAllProcessed(t, "DisassociateMembers", unp, err)
			}),
			one: func(e *env, s *membership.Service) error {
				return s.AcceptInvitation(e.ctx, at(acctA), acctB, idOf(e, s, at(acctB), acctA))
			},
			two: func(e *env, s *membership.Service) error {
				return batchErr(s.InviteMembers(e.ctx, at(acctA), []string{acctM}, membership.InviteOptions{}))
			},
			check: func(t *testing.T, e *env, s *membership.Service, accErr, invErr error) {
				if (accErr == nil) == (invErr == nil) {
					t.Errorf("accept: %v, invite: %v; want exactly one to succeed", accErr, invErr)
				}
				if accErr != nil {
					wantCode(t, "accept", accErr, membership.CodeAcceptWithMembers)
				}
			},
		},
		{
			name: "member resigns vs administrator disassociates", rules: macieRules(), setup: associated(acctA, acctM),
			one: func(e *env, s *membership.Service) error { return s.DisassociateFromAdministrator(e.ctx, at(acctM)) },
			two: func(e *env, s *membership.Service) error {
				return batchErr(s.DisassociateMembers(e.ctx, at(acctA), []string{acctM}))
			},
			check: func(t *testing.T, e *env, s *membership.Service, resErr, disErr error) {
				mustOK(t, "DisassociateMembers", disErr)
				m, err := s.GetMember(e.ctx, at(acctA), acctM)
				mustOK(t, "GetMember", err)
				// Resigned first: disassociating a Resigned member
				// changes nothing (spec §4.5). Removed first: there is
				// no administrator left to resign from.
				switch {
				case resErr == nil && m.Status != store.StatusResigned:
					t.Errorf("resigned first: final status %s, want Resigned", m.Status)
				case resErr != nil:
					wantCode(t, "resign", resErr, membership.CodeNoAdministrator)
					if m.Status != store.StatusRemoved {
						t.Errorf("removed first: final status %s, want Removed", m.Status)
					}
				}
			},
		},
	}
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			for round := range raceRounds {
				e := newEnv(t, p.rules)
				s := e.svc
				p.setup(t, e, s)
				var err1, err2 error
				one, two := p.one, p.two
				race(func() { err1 = one(e, s) }, func() { err2 = two(e, s) })
				for _, err := range []error{err1, err2} {
					var unp unprocessedError
					if err != nil && membership.ErrorCode(err) == "" && !errors.As(err, &unp) {
						t.Fatalf("round %d: non-engine error %v", round, err)
					}
				}
				p.check(t, e, s, err1, err2)
				accounts := []string{acctA, acctB, acctM, acctX}
				for _, v := range checkInvariants(e, s, accounts, allRegions) {
					t.Errorf("round %d: %s", round, v)
				}
				checkAgreement(t, e, s, accounts, allRegions)
				if t.Failed() {
					t.Fatalf("round %d failed", round)
				}
			}
		})
	}
}

// TestConcurrentChaos: goroutines throw random operations at a few
// accounts in two regions while a checker reads consistent views; the
// invariants hold in every view and, at the end, both sides agree.
func TestConcurrentChaos(t *testing.T) {
	accounts := []string{acctA, acctB, acctM, acctX}
	for _, rs := range []struct {
		name  string
		rules membership.Rules
	}{{"macie", macieRules()}, {"guardduty", guardDutyRules()}} {
		t.Run(rs.name, func(t *testing.T) {
			e := newEnv(t, rs.rules)
			s := e.svc
			const workers, opsPerWorker = 8, 500
			var wg sync.WaitGroup
			done := make(chan struct{})
			violations := make(chan string, 100)
			checked := 0
			go func() {
				defer close(violations)
				for {
					select {
					case <-done:
						return
					default:
					}
					checked++
					for _, v := range checkInvariants(e, s, accounts, allRegions) {
						select {
						case violations <- v:
						default:
						}
					}
				}
			}()
			opCounts := make([]map[string]int, workers)
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := rand.New(rand.NewPCG(uint64(w), 42))
					opCounts[w] = map[string]int{}
					for range opsPerWorker {
						name, err := randomOp(e, s, r, accounts)
						if err != nil && membership.ErrorCode(err) == "" {
							t.Errorf("%s: non-engine error %v", name, err)
						}
						if err == nil {
							opCounts[w][name]++
						}
					}
				}()
			}
			wg.Wait()
			close(done)
			for v := range violations {
				t.Errorf("invariant broken: %s", v)
			}
			for _, v := range checkInvariants(e, s, accounts, allRegions) {
				t.Errorf("final state: %s", v)
			}
			checkAgreement(t, e, s, accounts, allRegions)
			if checked == 0 {
				t.Errorf("the checker never ran")
			}
			// The run must have built and broken relationships, or it
			// proves little.
			succeeded := map[string]int{}
			for _, c := range opCounts {
				for k, v := range c {
					succeeded[k] += v
				}
			}
			for _, op := range []string{"AcceptInvitation", "InviteMembers", "DisassociateFromAdministrator"} {
				if succeeded[op] == 0 {
					t.Errorf("no %s succeeded during the run", op)
				}
			}
			t.Logf("%d invariant checks during the run; successful calls: %v", checked, succeeded)
		})
	}
}

// randomOp performs one random operation and returns its name and error.
// Unprocessed accounts are not errors: they are refusals the batch
// reports, which is fine here.
func randomOp(e *env, s *membership.Service, r *rand.Rand, accounts []string) (string, error) {
	pick := func() string { return accounts[r.IntN(len(accounts))] }
	region := allRegions[r.IntN(len(allRegions))]
	me, other := atIn(pick(), region), pick()
	switch r.IntN(16) {
	case 0, 1:
		_, err := s.Enable(e.ctx, me, membership.EnableInput{})
		return "Enable", err
	case 2:
		return "Disable", s.Disable(e.ctx, me)
	case 3:
		_, err := s.CreateMembers(e.ctx, me, []membership.NewMember{{Account: other, Email: "x@example.com"}})
		return "CreateMembers", err
	case 4, 5:
		_, err := s.InviteMembers(e.ctx, me, []string{other, pick()}, membership.InviteOptions{})
		return "InviteMembers", err
	case 6, 7:
		// Mostly accept an invitation me really holds (as read a moment
		// ago: it may be gone by now), sometimes a made-up one.
		admin, id := other, "00000000000000000000000000000001"
		var held []store.Member
		_ = e.store.View(e.ctx, func(tx store.Tx) error {
			ms, err := tx.ListMemberships(e.ctx, store.MembershipQuery{Service: s.Name(), Region: region, Account: me.Account})
			for _, m := range ms {
				if m.InvitationID != "" {
					held = append(held, m)
				}
			}
			return err
		})
		if len(held) > 0 && r.IntN(4) != 0 {
			m := held[r.IntN(len(held))]
			admin, id = m.Admin, m.InvitationID
		}
		return "AcceptInvitation", s.AcceptInvitation(e.ctx, me, admin, id)
	case 8:
		_, err := s.DeclineInvitations(e.ctx, me, []string{other})
		return "DeclineInvitations", err
	case 9:
		_, err := s.DeleteInvitations(e.ctx, me, []string{other})
		return "DeleteInvitations", err
	case 10:
		_, err := s.DisassociateMembers(e.ctx, me, []string{other})
		return "DisassociateMembers", err
	case 11:
		_, err := s.DeleteMembers(e.ctx, me, []string{other})
		return "DeleteMembers", err
	case 12, 13:
		return "DisassociateFromAdministrator", s.DisassociateFromAdministrator(e.ctx, me)
	default:
		suspend := r.IntN(2) == 0
		if r.IntN(2) == 0 {
			_, err := s.SetMembersSuspended(e.ctx, me, []string{other}, suspend)
			return "SetMembersSuspended", err
		}
		return "UpdateEnablement", s.UpdateEnablement(e.ctx, me, membership.EnablementUpdate{Suspended: &suspend})
	}
}
