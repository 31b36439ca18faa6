package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"
	"github.com/aws/aws-sdk-go-v2/service/macie2"
	macietypes "github.com/aws/aws-sdk-go-v2/service/macie2/types"
)

// Accounts. Every run starts from a reset server, so runs reuse them.
// An access key of 12 digits is the account for localsec and moto alike.
const orgManagement = "999999999999"

func account(base, n int) string { return fmt.Sprintf("%012d", base+n) }

const (
	readAdminBase        = 100000000000 // list-invitations administrators
	readMemberBase       = 200000000000 // list-invitations members
	writeAdminBase       = 110000000000 // writes-*: worker w's g-th administrator is base+w*100000+g
	freshMemberBase      = 300000000000 // writes-*: fresh member accounts
	macieAdminBase       = 120000000000 // lifecycle: worker w's pair
	macieMemberBase      = 220000000000
	gdAdminBase          = 130000000000
	gdMemberBase         = 230000000000
	pagingAdmin          = 140000000000 // list-members: the delegated administrator
	pagingMemberBase     = 400000000000
	backgroundAdminBase  = 500000000000 // populate: GuardDuty administrators
	backgroundMemberBase = 600000000000
)

// Quotas the write scenarios respect (spec §9.4, GuardDuty §10).
const (
	macieMemberQuota = 1000
	gdMemberQuota    = 5000
	gdBatch          = 50
)

// Placeholders for answers a target leaves out (the ceiling answers {}):
// the next request is still well-formed and the same size.
const (
	placeholderDetector   = "00000000000000000000000000000000"
	placeholderInvitation = "00000000000000000000000000000000"
)

// env is what the scenarios of one target share: SDK clients per account.
type env struct {
	tgt    *target
	region string

	mu    sync.Mutex
	macie map[string]*macie2.Client
	gd    map[string]*guardduty.Client
	// log receives setup progress.
	log io.Writer
}

func newEnv(t *target, region string, log io.Writer) *env {
	return &env{tgt: t, region: region, macie: map[string]*macie2.Client{}, gd: map[string]*guardduty.Client{}, log: log}
}

func (e *env) awsConfig(account string) aws.Config {
	return aws.Config{
		Region:       e.region,
		Credentials:  credentials.NewStaticCredentialsProvider(account, "localsec-bench-secret", ""),
		BaseEndpoint: aws.String(e.tgt.url),
		HTTPClient:   e.tgt.client,
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
}

// mc returns the Macie client of account (retries off).
func (e *env) mc(account string) *macie2.Client {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.macie[account]
	if c == nil {
		c = macie2.NewFromConfig(e.awsConfig(account), func(o *macie2.Options) { o.Retryer = aws.NopRetryer{} })
		e.macie[account] = c
	}
	return c
}

// gc returns the GuardDuty client of account (retries off).
func (e *env) gc(account string) *guardduty.Client {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.gd[account]
	if c == nil {
		c = guardduty.NewFromConfig(e.awsConfig(account), func(o *guardduty.Options) { o.Retryer = aws.NopRetryer{} })
		e.gd[account] = c
	}
	return c
}

func (e *env) moto() bool     { return e.tgt.kind == kindMoto }
func (e *env) localsec() bool { return e.tgt.kind == kindLocalsec }

// workerLoop is one iteration of a scenario's worker w; it returns
// errStop when the run is over.
type workerLoop func(ctx context.Context, w int, r *runner, ws *workerStats) error

// scenario is a workload.
type scenario struct {
	name  string
	about string
	// moto says how moto runs the scenario; empty means it cannot.
	moto string
	// prepare sets the server up (unmeasured) for concurrency workers
	// and returns the worker loop.
	prepare func(ctx context.Context, e *env, concurrency int) (workerLoop, error)
}

var scenarios = []*scenario{
	{
		name:    "list-invitations",
		about:   "members call Macie ListInvitations; each of max(16, 2×concurrency) members holds 4 invitations",
		moto:    "moto keeps invitations with their sender, so its members' lists are empty (same requests)",
		prepare: prepareListInvitations,
	},
	{
		name:    "writes-macie",
		about:   "administrators call Macie CreateMember then CreateInvitations for a fresh account; a new administrator (EnableMacie) every 1,000 members",
		moto:    "moto has no CreateMember: CreateInvitations only",
		prepare: prepareWritesMacie,
	},
	{
		name:    "writes-guardduty",
		about:   "administrators call GuardDuty CreateMembers then InviteMembers for a fresh account; a new detector (CreateDetector) every 5,000 members",
		prepare: prepareWritesGuardDuty,
	},
	{
		name:  "lifecycle-macie",
		about: "two-account Macie lifecycle per worker: CreateMember, CreateInvitations, ListInvitations, AcceptInvitation, ListMembers, DisassociateMember, DeleteMember",
		moto:  "moto has no CreateMember (skipped) and lists an invitation to its sender, so the administrator makes the ListInvitations; its DeleteMember after DisassociateMember is ResourceNotFoundException",
		prepare: func(ctx context.Context, e *env, c int) (workerLoop, error) {
			return prepareLifecycle(ctx, e, c, true, false)
		},
	},
	{
		name:  "lifecycle-guardduty",
		about: "two-account GuardDuty lifecycle per worker: CreateMembers, InviteMembers, ListInvitations, AcceptAdministratorInvitation, ListMembers, DisassociateMembers, DeleteMembers",
		prepare: func(ctx context.Context, e *env, c int) (workerLoop, error) {
			return prepareLifecycle(ctx, e, c, false, true)
		},
	},
	{
		name:  "lifecycle-mix",
		about: "each worker alternates the Macie and the GuardDuty lifecycle (7 requests each)",
		prepare: func(ctx context.Context, e *env, c int) (workerLoop, error) {
			return prepareLifecycle(ctx, e, c, true, true)
		},
	},
	{
		name:    "list-members",
		about:   "a Macie delegated administrator pages through its members with ListMembers (25 a page), over and over",
		prepare: prepareListMembers,
	},
}

func findScenario(name string) *scenario {
	for _, s := range scenarios {
		if s.name == name {
			return s
		}
	}
	return nil
}

// parallel runs fn(0..n-1) on up to c goroutines and returns the first error.
func parallel(ctx context.Context, n, c int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	for range min(n, c) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(ctx, i); err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

const setupConcurrency = 8

// enableMacie enables Macie for accounts (moto's accounts have it already).
func (e *env) enableMacie(ctx context.Context, accounts ...string) error {
	return parallel(ctx, len(accounts), setupConcurrency, func(ctx context.Context, i int) error {
		_, err := e.mc(accounts[i]).EnableMacie(ctx, &macie2.EnableMacieInput{})
		if err != nil {
			return fmt.Errorf("EnableMacie %s: %w", accounts[i], err)
		}
		return nil
	})
}

// createDetector creates account's GuardDuty detector and returns its id.
func (e *env) createDetector(ctx context.Context, account string) (string, error) {
	out, err := e.gc(account).CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true)})
	if err != nil {
		return "", fmt.Errorf("CreateDetector %s: %w", account, err)
	}
	if out.DetectorId == nil {
		return placeholderDetector, nil
	}
	return *out.DetectorId, nil
}

func email(account string) *string { return aws.String("bench+" + account + "@example.com") }

func prepareListInvitations(ctx context.Context, e *env, c int) (workerLoop, error) {
	const admins = 4
	nMembers := max(16, 2*c)
	members := make([]string, nMembers)
	for i := range members {
		members[i] = account(readMemberBase, i)
	}
	adminIDs := make([]string, admins)
	for i := range adminIDs {
		adminIDs[i] = account(readAdminBase, i)
	}
	if err := e.enableMacie(ctx, append(append([]string{}, adminIDs...), members...)...); err != nil {
		return nil, err
	}
	err := parallel(ctx, admins, admins, func(ctx context.Context, a int) error {
		admin := e.mc(adminIDs[a])
		if !e.moto() {
			for _, m := range members {
				if _, err := admin.CreateMember(ctx, &macie2.CreateMemberInput{Account: &macietypes.AccountDetail{AccountId: aws.String(m), Email: email(m)}}); err != nil {
					return fmt.Errorf("CreateMember: %w", err)
				}
			}
		}
		for i := 0; i < len(members); i += 50 {
			out, err := admin.CreateInvitations(ctx, &macie2.CreateInvitationsInput{AccountIds: members[i:min(i+50, len(members))]})
			if err != nil {
				return fmt.Errorf("CreateInvitations: %w", err)
			}
			if len(out.UnprocessedAccounts) > 0 {
				return fmt.Errorf("CreateInvitations left %d accounts unprocessed", len(out.UnprocessedAccounts))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	counters := make([]int, c)
	check := e.localsec()
	return func(ctx context.Context, w int, r *runner, ws *workerStats) error {
		m := members[(w+counters[w]*c)%nMembers]
		counters[w]++
		client := e.mc(m)
		return r.do(ctx, ws, func(ctx context.Context) error {
			out, err := client.ListInvitations(ctx, &macie2.ListInvitationsInput{})
			if err == nil && check && len(out.Invitations) != admins {
				return &semanticError{"UnexpectedInvitationCount", fmt.Sprintf("%s holds %d invitations, want %d", m, len(out.Invitations), admins)}
			}
			return err
		})
	}, nil
}

// writer is one worker's state in a write scenario.
type writer struct {
	admin    string
	detector string
	gen      int
	members  int
}

var freshAccounts atomic.Int64

func freshAccount() string { return account(freshMemberBase, int(freshAccounts.Add(1))) }

func writeAdmin(w, gen int) string { return account(writeAdminBase, w*100000+gen) }

func prepareWritesMacie(ctx context.Context, e *env, c int) (workerLoop, error) {
	ws := make([]*writer, c)
	first := make([]string, c)
	for w := range ws {
		ws[w] = &writer{admin: writeAdmin(w, 0)}
		first[w] = ws[w].admin
	}
	if err := e.enableMacie(ctx, first...); err != nil {
		return nil, err
	}
	return func(ctx context.Context, w int, r *runner, st *workerStats) error {
		wr := ws[w]
		if wr.members >= macieMemberQuota {
			wr.gen++
			wr.admin, wr.members = writeAdmin(w, wr.gen), 0
			admin := e.mc(wr.admin)
			if err := r.do(ctx, st, func(ctx context.Context) error {
				_, err := admin.EnableMacie(ctx, &macie2.EnableMacieInput{})
				return err
			}); err == errStop {
				return err
			}
		}
		admin := e.mc(wr.admin)
		m := freshAccount()
		wr.members++
		if !e.moto() {
			err := r.do(ctx, st, func(ctx context.Context) error {
				_, err := admin.CreateMember(ctx, &macie2.CreateMemberInput{Account: &macietypes.AccountDetail{AccountId: aws.String(m), Email: email(m)}})
				return err
			})
			if err == errStop {
				return err
			}
		}
		return r.do(ctx, st, func(ctx context.Context) error {
			out, err := admin.CreateInvitations(ctx, &macie2.CreateInvitationsInput{AccountIds: []string{m}})
			if err == nil {
				for _, u := range out.UnprocessedAccounts {
					st.addUnprocessed("CreateInvitations", string(u.ErrorCode))
				}
			}
			return err
		})
	}, nil
}

func prepareWritesGuardDuty(ctx context.Context, e *env, c int) (workerLoop, error) {
	ws := make([]*writer, c)
	err := parallel(ctx, c, setupConcurrency, func(ctx context.Context, w int) error {
		wr := &writer{admin: writeAdmin(w, 0)}
		var err error
		wr.detector, err = e.createDetector(ctx, wr.admin)
		ws[w] = wr
		return err
	})
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, w int, r *runner, st *workerStats) error {
		wr := ws[w]
		if wr.members >= gdMemberQuota {
			wr.gen++
			wr.admin, wr.members = writeAdmin(w, wr.gen), 0
			admin := e.gc(wr.admin)
			if err := r.do(ctx, st, func(ctx context.Context) error {
				out, err := admin.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true)})
				wr.detector = placeholderDetector
				if err == nil && out.DetectorId != nil {
					wr.detector = *out.DetectorId
				}
				return err
			}); err == errStop {
				return err
			}
		}
		admin := e.gc(wr.admin)
		m := freshAccount()
		wr.members++
		if err := r.do(ctx, st, func(ctx context.Context) error {
			out, err := admin.CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: aws.String(wr.detector),
				AccountDetails: []gdtypes.AccountDetail{{AccountId: aws.String(m), Email: email(m)}}})
			if err == nil {
				gdUnprocessed(st, "CreateMembers", out.UnprocessedAccounts)
			}
			return err
		}); err == errStop {
			return err
		}
		return r.do(ctx, st, func(ctx context.Context) error {
			out, err := admin.InviteMembers(ctx, &guardduty.InviteMembersInput{DetectorId: aws.String(wr.detector), AccountIds: []string{m}})
			if err == nil {
				gdUnprocessed(st, "InviteMembers", out.UnprocessedAccounts)
			}
			return err
		})
	}, nil
}

func gdUnprocessed(st *workerStats, op string, us []gdtypes.UnprocessedAccount) {
	for _, u := range us {
		st.addUnprocessed(op, aws.ToString(u.Result))
	}
}

// pair is one worker's two accounts for a lifecycle.
type pair struct {
	admin, member       string
	adminDet, memberDet string
}

func prepareLifecycle(ctx context.Context, e *env, c int, withMacie, withGD bool) (workerLoop, error) {
	macie := make([]pair, c)
	gd := make([]pair, c)
	if withMacie {
		var accounts []string
		for w := range macie {
			macie[w] = pair{admin: account(macieAdminBase, w), member: account(macieMemberBase, w)}
			accounts = append(accounts, macie[w].admin, macie[w].member)
		}
		if err := e.enableMacie(ctx, accounts...); err != nil {
			return nil, err
		}
	}
	if withGD {
		err := parallel(ctx, c, setupConcurrency, func(ctx context.Context, w int) error {
			p := pair{admin: account(gdAdminBase, w), member: account(gdMemberBase, w)}
			var err error
			if p.adminDet, err = e.createDetector(ctx, p.admin); err != nil {
				return err
			}
			if p.memberDet, err = e.createDetector(ctx, p.member); err != nil {
				return err
			}
			gd[w] = p
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	iteration := make([]int, c)
	return func(ctx context.Context, w int, r *runner, st *workerStats) error {
		i := iteration[w]
		iteration[w]++
		if withMacie && (!withGD || i%2 == 0) {
			return e.macieLifecycle(ctx, macie[w], r, st)
		}
		return e.gdLifecycle(ctx, gd[w], r, st)
	}, nil
}

// macieLifecycle is one pass of the two-account Macie lifecycle: seven
// requests (six on moto).
func (e *env) macieLifecycle(ctx context.Context, p pair, r *runner, st *workerStats) error {
	admin, member := e.mc(p.admin), e.mc(p.member)
	steps := []func(ctx context.Context) error{}
	if !e.moto() {
		steps = append(steps, func(ctx context.Context) error {
			_, err := admin.CreateMember(ctx, &macie2.CreateMemberInput{Account: &macietypes.AccountDetail{AccountId: aws.String(p.member), Email: email(p.member)}})
			return err
		})
	}
	invitation := placeholderInvitation
	steps = append(steps,
		func(ctx context.Context) error {
			out, err := admin.CreateInvitations(ctx, &macie2.CreateInvitationsInput{AccountIds: []string{p.member}})
			if err == nil {
				for _, u := range out.UnprocessedAccounts {
					st.addUnprocessed("CreateInvitations", string(u.ErrorCode))
				}
			}
			return err
		},
		func(ctx context.Context) error {
			// moto lists an invitation to the account that sent it.
			lister, from := member, p.admin
			if e.moto() {
				lister, from = admin, p.member
			}
			out, err := lister.ListInvitations(ctx, &macie2.ListInvitationsInput{})
			if err != nil {
				return err
			}
			for _, inv := range out.Invitations {
				if aws.ToString(inv.AccountId) == from && inv.RelationshipStatus == macietypes.RelationshipStatusInvited {
					invitation = aws.ToString(inv.InvitationId)
					return nil
				}
			}
			if e.tgt.kind != kindCeiling {
				return &semanticError{"NoInvitation", "the invitation is not listed"}
			}
			return nil
		},
		func(ctx context.Context) error {
			_, err := member.AcceptInvitation(ctx, &macie2.AcceptInvitationInput{AdministratorAccountId: aws.String(p.admin), InvitationId: aws.String(invitation)})
			return err
		},
		func(ctx context.Context) error {
			out, err := admin.ListMembers(ctx, &macie2.ListMembersInput{})
			if err == nil && e.tgt.kind != kindCeiling && len(out.Members) != 1 {
				return &semanticError{"UnexpectedMemberCount", fmt.Sprintf("%d members listed, want 1", len(out.Members))}
			}
			return err
		},
		func(ctx context.Context) error {
			_, err := admin.DisassociateMember(ctx, &macie2.DisassociateMemberInput{Id: aws.String(p.member)})
			return err
		},
		func(ctx context.Context) error {
			_, err := admin.DeleteMember(ctx, &macie2.DeleteMemberInput{Id: aws.String(p.member)})
			return err
		},
	)
	for _, step := range steps {
		if err := r.do(ctx, st, step); err == errStop {
			return err
		}
	}
	return nil
}

// gdLifecycle is one pass of the two-account GuardDuty lifecycle: seven
// requests.
func (e *env) gdLifecycle(ctx context.Context, p pair, r *runner, st *workerStats) error {
	admin, member := e.gc(p.admin), e.gc(p.member)
	invitation := placeholderInvitation
	steps := []func(ctx context.Context) error{
		func(ctx context.Context) error {
			out, err := admin.CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: aws.String(p.adminDet),
				AccountDetails: []gdtypes.AccountDetail{{AccountId: aws.String(p.member), Email: email(p.member)}}})
			if err == nil {
				gdUnprocessed(st, "CreateMembers", out.UnprocessedAccounts)
			}
			return err
		},
		func(ctx context.Context) error {
			out, err := admin.InviteMembers(ctx, &guardduty.InviteMembersInput{DetectorId: aws.String(p.adminDet), AccountIds: []string{p.member}})
			if err == nil {
				gdUnprocessed(st, "InviteMembers", out.UnprocessedAccounts)
			}
			return err
		},
		func(ctx context.Context) error {
			out, err := member.ListInvitations(ctx, &guardduty.ListInvitationsInput{})
			if err != nil {
				return err
			}
			for _, inv := range out.Invitations {
				if aws.ToString(inv.AccountId) == p.admin {
					invitation = aws.ToString(inv.InvitationId)
					return nil
				}
			}
			if e.tgt.kind != kindCeiling {
				return &semanticError{"NoInvitation", "the invitation is not listed"}
			}
			return nil
		},
		func(ctx context.Context) error {
			_, err := member.AcceptAdministratorInvitation(ctx, &guardduty.AcceptAdministratorInvitationInput{
				DetectorId: aws.String(p.memberDet), AdministratorId: aws.String(p.admin), InvitationId: aws.String(invitation)})
			return err
		},
		func(ctx context.Context) error {
			out, err := admin.ListMembers(ctx, &guardduty.ListMembersInput{DetectorId: aws.String(p.adminDet)})
			if err == nil && e.tgt.kind != kindCeiling && len(out.Members) != 1 {
				return &semanticError{"UnexpectedMemberCount", fmt.Sprintf("%d members listed, want 1", len(out.Members))}
			}
			return err
		},
		func(ctx context.Context) error {
			out, err := admin.DisassociateMembers(ctx, &guardduty.DisassociateMembersInput{DetectorId: aws.String(p.adminDet), AccountIds: []string{p.member}})
			if err == nil {
				gdUnprocessed(st, "DisassociateMembers", out.UnprocessedAccounts)
			}
			return err
		},
		func(ctx context.Context) error {
			out, err := admin.DeleteMembers(ctx, &guardduty.DeleteMembersInput{DetectorId: aws.String(p.adminDet), AccountIds: []string{p.member}})
			if err == nil {
				gdUnprocessed(st, "DeleteMembers", out.UnprocessedAccounts)
			}
			return err
		},
	}
	for _, step := range steps {
		if err := r.do(ctx, st, step); err == errStop {
			return err
		}
	}
	return nil
}

// pagingMembers is how many members list-members pages through (set by
// the -members flag).
var pagingMembers = 10000

func prepareListMembers(ctx context.Context, e *env, c int) (workerLoop, error) {
	n := pagingMembers
	admin := account(pagingAdmin, 0)
	if err := e.enableMacie(ctx, orgManagement); err != nil {
		return nil, err
	}
	if _, err := e.mc(orgManagement).EnableOrganizationAdminAccount(ctx, &macie2.EnableOrganizationAdminAccountInput{AdminAccountId: aws.String(admin)}); err != nil {
		return nil, fmt.Errorf("EnableOrganizationAdminAccount: %w", err)
	}
	if err := e.enableMacie(ctx, admin); err != nil {
		return nil, err
	}
	if e.log != nil {
		fmt.Fprintf(e.log, "  setting up %d members of %s…\n", n, admin)
	}
	client := e.mc(admin)
	err := parallel(ctx, n, setupConcurrency, func(ctx context.Context, i int) error {
		m := account(pagingMemberBase, i)
		_, err := client.CreateMember(ctx, &macie2.CreateMemberInput{Account: &macietypes.AccountDetail{AccountId: aws.String(m), Email: email(m)}})
		if err != nil {
			return fmt.Errorf("CreateMember %d: %w", i, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	check := e.localsec()
	return func(ctx context.Context, w int, r *runner, st *workerStats) error {
		var token *string
		seen := 0
		for {
			var next *string
			err := r.do(ctx, st, func(ctx context.Context) error {
				out, err := client.ListMembers(ctx, &macie2.ListMembersInput{MaxResults: aws.Int32(25), NextToken: token})
				if err != nil {
					return err
				}
				seen += len(out.Members)
				next = out.NextToken
				if check && next == nil && seen != n {
					return &semanticError{"IncompletePaging", fmt.Sprintf("paged through %d members, want %d", seen, n)}
				}
				return nil
			})
			if err == errStop {
				return err
			}
			if err != nil || next == nil {
				return nil
			}
			token = next
		}
	}, nil
}

// populate adds n members to the server, outside any scenario: GuardDuty
// administrators of 5,000 members each (its invitation quota), created
// 50 to a CreateMembers call.
func populate(ctx context.Context, e *env, n int) error {
	admins := (n + gdMemberQuota - 1) / gdMemberQuota
	dets := make([]string, admins)
	err := parallel(ctx, admins, setupConcurrency, func(ctx context.Context, a int) error {
		var err error
		dets[a], err = e.createDetector(ctx, account(backgroundAdminBase, a))
		return err
	})
	if err != nil {
		return err
	}
	batches := (n + gdBatch - 1) / gdBatch
	var done atomic.Int64
	return parallel(ctx, batches, setupConcurrency, func(ctx context.Context, b int) error {
		first := b * gdBatch
		a := first / gdMemberQuota
		var details []gdtypes.AccountDetail
		for i := first; i < min(first+gdBatch, n); i++ {
			m := account(backgroundMemberBase, i)
			details = append(details, gdtypes.AccountDetail{AccountId: aws.String(m), Email: email(m)})
		}
		out, err := e.gc(account(backgroundAdminBase, a)).CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: aws.String(dets[a]), AccountDetails: details})
		if err != nil {
			return fmt.Errorf("populate CreateMembers: %w", err)
		}
		if len(out.UnprocessedAccounts) > 0 {
			return fmt.Errorf("populate CreateMembers: %d unprocessed (%s)", len(out.UnprocessedAccounts), aws.ToString(out.UnprocessedAccounts[0].Result))
		}
		if d := done.Add(int64(len(details))); e.log != nil && d%20000 == 0 {
			fmt.Fprintf(e.log, "  populated %d members\n", d)
		}
		return nil
	})
}
