// Package membership is the administrator–member engine shared by every
// emulated service (Macie, GuardDuty, and later Security Hub and
// Detective).
//
// It keeps, per service and region, which accounts enabled the service,
// each administrator's member records, the invitations they sent and the
// relationship status machine that both sides observe. It knows nothing
// of HTTP or of any service's wire names: adapters translate their
// operations into calls on a Service and map the engine's Codes to their
// own errors. Where services really differ (may an invited member be
// re-invited? is a declined invitation still listed?) the difference is a
// field of Rules, not a branch on the service name.
//
// Every call is one store transaction: a call that returns an error has
// changed nothing.
package membership

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/localsec/localsec/internal/clock"
	"github.com/localsec/localsec/internal/ids"
	"github.com/localsec/localsec/internal/organizations"
	"github.com/localsec/localsec/internal/store"
)

// Status is a relationship status (see store.RelationshipStatus).
type Status = store.RelationshipStatus

// Engine holds what all services share: the store, the clock, the id
// generator and the organization.
type Engine struct {
	store  store.Store
	clock  clock.Clock
	ids    ids.Generator
	org    Organization
	orgs   *organizations.Engine
	notify func(context.Context, []store.Email)

	mu       sync.Mutex
	services map[string]*Service
}

// Option configures an Engine.
type Option func(*Engine)

// WithClock makes the engine read time from c instead of the system clock.
func WithClock(c clock.Clock) Option { return func(e *Engine) { e.clock = c } }

// WithIDs makes the engine draw invitation and resource ids from g.
func WithIDs(g ids.Generator) Option { return func(e *Engine) { e.ids = g } }

// WithOrganization tells the engine which AWS Organizations organization
// exists, for an engine without the Organizations engine (WithOrganizations
// wins over it). Without either there is none, and delegated
// administration is refused.
func WithOrganization(o Organization) Option { return func(e *Engine) { e.org = o } }

// WithOrganizations makes the Organizations engine, on the same store, the
// source of the organizations the services consult: whose management
// account designates administrators, which accounts join without
// invitations. The engine registers itself as its listener, so that
// accounts leaving, delegated administrators deregistered and trusted
// access disabled end the memberships they allowed (spec organizations.md
// §13).
func WithOrganizations(o *organizations.Engine) Option {
	return func(e *Engine) {
		e.orgs = o
		o.AddListener(orgListener{e})
	}
}

// WithNotifier has fn told, after each committed invitation, of the
// emails it put in the outbox (to relay them to an SMTP server). fn runs
// on the request's goroutine and must not block.
func WithNotifier(fn func(context.Context, []store.Email)) Option {
	return func(e *Engine) { e.notify = fn }
}

// New returns an engine over st.
func New(st store.Store, opts ...Option) *Engine {
	e := &Engine{store: st, clock: clock.Real{}, ids: ids.Random{}, services: map[string]*Service{}}
	for _, o := range opts {
		o(e)
	}
	return e
}

// Store returns the engine's store.
func (e *Engine) Store() store.Store { return e.store }

// Organization returns the organization the engine was given by
// WithOrganization.
func (e *Engine) Organization() Organization { return e.org }

// Organizations returns the Organizations engine, nil without one.
func (e *Engine) Organizations() *organizations.Engine { return e.orgs }

// Reset forgets all state of all services.
func (e *Engine) Reset(ctx context.Context) error { return e.store.Reset(ctx) }

// Organization is the one AWS Organizations organization localsec knows.
type Organization struct {
	// ManagementAccount is the organization's management account; empty
	// means there is no organization.
	ManagementAccount string
	// Accounts are the member accounts besides the management account.
	// Empty means every account belongs to the organization.
	Accounts []string
}

// Exists reports whether an organization is configured.
func (o Organization) Exists() bool { return o.ManagementAccount != "" }

// Contains reports whether account belongs to the organization.
func (o Organization) Contains(account string) bool {
	if !o.Exists() {
		return false
	}
	if account == o.ManagementAccount || len(o.Accounts) == 0 {
		return true
	}
	return slices.Contains(o.Accounts, account)
}

// Rules are the points on which services differ. The zero value is a
// valid, strict set of rules.
type Rules struct {
	// EnablementIDs gives each enablement an id (a GuardDuty detector id).
	EnablementIDs bool
	// MemberQuota caps an administrator's member records (all statuses);
	// 0 means no cap.
	MemberQuota int
	// OrganizationMemberQuota caps a delegated administrator's records.
	OrganizationMemberQuota int
	// MaxTags caps the tags of one resource; 0 means 50.
	MaxTags int
	// SameAdministratorInAllRegions: a member may only accept the
	// administrator it already has in other regions (Macie).
	SameAdministratorInAllRegions bool
	// ResendInvitations: inviting an already invited member sends a new
	// invitation instead of refusing with CodeAlreadyInvited.
	ResendInvitations bool
	// AcceptAgainSucceeds: accepting the invitation of the current
	// association again succeeds, changing nothing; otherwise it is
	// refused with CodeAcceptWhileMember.
	AcceptAgainSucceeds bool
	// DisassociateCreatedMembers: disassociating a never-invited member
	// makes it Removed instead of leaving it Created.
	DisassociateCreatedMembers bool
	// DeleteAssociatedMembers: deleting an associated member ends the
	// association instead of refusing with CodeStillAssociated.
	DeleteAssociatedMembers bool
	// ListDeclinedInvitations: declined invitations stay in the
	// member's list (and count) until deleted.
	ListDeclinedInvitations bool
	// ListCurrentInvitation: the invitation of the current association
	// stays in the member's list (never in the count).
	ListCurrentInvitation bool
	// ListRemovedInvitations: after the administrator disassociates the
	// member, the invitation stays listed with status Removed.
	ListRemovedInvitations bool
	// DeleteRequiresDecline: a member may only delete declined invitations.
	DeleteRequiresDecline bool
	// DisableResignsMember: an associated member that disables the
	// service resigns; otherwise it is refused with CodeDisableWhileMember.
	DisableResignsMember bool
	// SuspendNeedsNoMembers: an administrator with invited or associated
	// members cannot suspend itself.
	SuspendNeedsNoMembers bool
	// MemberSuspendMirrors: a member suspending or resuming its own
	// enablement shows as Suspended or Enabled to its administrator.
	MemberSuspendMirrors bool
	// InvitationsNeedEnablement: listing, counting, declining and
	// deleting invitations require the caller's enablement.
	InvitationsNeedEnablement bool
	// OrganizationNeedsEnablement: the delegated-administrator calls of
	// the management account require its enablement.
	OrganizationNeedsEnablement bool
	// OrgManagementMustBeEnabled: the management account joins the
	// delegated administrator through Organizations only once it has
	// enabled the service itself.
	OrgManagementMustBeEnabled bool
	// OrgAdminEnablesService: designating a delegated administrator
	// enables the service in that account.
	OrgAdminEnablesService bool
	// TagsNeedEnablement: the tag calls require the caller's enablement.
	TagsNeedEnablement bool
	// ServicePrincipal is the service's principal in AWS Organizations
	// (macie.amazonaws.com): designating a delegated administrator gives
	// it trusted access and registers the administrator for it.
	ServicePrincipal string
}

// Service is the engine as seen by one service's adapter.
type Service struct {
	e     *Engine
	name  string
	rules Rules
}

// Service returns the engine's view for the service name (a namespace:
// records of different names never meet) under rules.
func (e *Engine) Service(name string, rules Rules) *Service {
	if rules.MaxTags == 0 {
		rules.MaxTags = 50
	}
	svc := &Service{e: e, name: name, rules: rules}
	e.mu.Lock()
	e.services[name] = svc
	e.mu.Unlock()
	return svc
}

// servicesByPrincipal returns the services whose trusted-access principal
// is principal (every service for "").
func (e *Engine) servicesByPrincipal(principal string) []*Service {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []*Service
	for _, s := range e.services {
		if principal == "" || s.rules.ServicePrincipal == principal {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b *Service) int {
		if a.name < b.name {
			return -1
		}
		if a.name > b.name {
			return 1
		}
		return 0
	})
	return out
}

// Name returns the service's name.
func (s *Service) Name() string { return s.name }

// Rules returns the service's rules.
func (s *Service) Rules() Rules { return s.rules }

// Caller is who calls, where, and on which of its resources.
type Caller struct {
	Account string
	Region  string
	// ResourceID is the enablement resource the request names (a
	// GuardDuty detector id in the path); empty when the request names none.
	ResourceID string
}

func (s *Service) scope(c Caller) store.Scope {
	return store.Scope{Service: s.name, Region: c.Region}
}

func (s *Service) accountKey(c Caller, account string) store.AccountKey {
	return store.AccountKey{Scope: s.scope(c), Account: account}
}

func (s *Service) memberKey(c Caller, admin, member string) store.MemberKey {
	return store.MemberKey{Scope: s.scope(c), Admin: admin, Member: member}
}

// now returns the current time at the millisecond precision AWS shows.
func (s *Service) now() time.Time {
	return s.e.clock.Now().UTC().Truncate(time.Millisecond)
}

// Now returns the engine's current time, for adapters that stamp parts of
// their settings documents.
func (s *Service) Now() time.Time { return s.now() }

func (s *Service) update(ctx context.Context, fn func(store.Tx) error) error {
	return s.e.store.Update(ctx, fn)
}

func (s *Service) view(ctx context.Context, fn func(store.Tx) error) error {
	return s.e.store.View(ctx, fn)
}

// requireEnabled checks that the caller enabled the service and, when the
// request names a resource, that it is the caller's.
func (s *Service) requireEnabled(ctx context.Context, tx store.Tx, c Caller) (store.Enablement, error) {
	en, err := tx.GetEnablement(ctx, s.accountKey(c, c.Account))
	if errors.Is(err, store.ErrNotFound) {
		if c.ResourceID != "" {
			return en, refuse(CodeResourceNotOwned)
		}
		return en, refuse(CodeNotEnabled)
	}
	if err != nil {
		return en, err
	}
	if c.ResourceID != "" && c.ResourceID != en.ResourceID {
		return en, refuse(CodeResourceNotOwned)
	}
	return en, nil
}

// requireEnabledIf checks the enablement when the rule asks for it, and
// always checks a resource the request names.
func (s *Service) requireEnabledIf(ctx context.Context, tx store.Tx, c Caller, rule bool) error {
	if !rule && c.ResourceID == "" {
		return nil
	}
	_, err := s.requireEnabled(ctx, tx, c)
	return err
}

// Associated reports whether a status is a live association: the member
// is monitored by (or suspended under) its administrator.
func Associated(st Status) bool {
	switch st {
	case store.StatusEnabled, store.StatusSuspended, store.StatusRegionDisabled, store.StatusAccountSuspended:
		return true
	}
	return false
}

// associatedStatuses lists the statuses for which Associated is true.
func associatedStatuses() []Status {
	return []Status{store.StatusEnabled, store.StatusSuspended, store.StatusRegionDisabled, store.StatusAccountSuspended}
}

// engagedStatuses lists the statuses for which engaged is true.
func engagedStatuses() []Status {
	return append(associatedStatuses(), store.StatusInvited, store.StatusEmailVerificationInProgress)
}

// Pending reports whether an invitation is out and unanswered.
func Pending(st Status) bool {
	return st == store.StatusInvited || st == store.StatusEmailVerificationInProgress
}

// engaged reports whether a member record ties its administrator down:
// invited or associated.
func engaged(st Status) bool { return Pending(st) || Associated(st) }

// administratorOf returns the record of the caller's current association
// in the caller's region, if any.
func (s *Service) administratorOf(ctx context.Context, tx store.Tx, c Caller, account string) (store.Member, bool, error) {
	ms, err := tx.ListMemberships(ctx, store.MembershipQuery{Service: s.name, Region: c.Region, Account: account})
	if err != nil {
		return store.Member{}, false, err
	}
	for _, m := range ms {
		if Associated(m.Status) {
			return m, true, nil
		}
	}
	return store.Member{}, false, nil
}

// hasMembers reports whether account keeps any member record whose status
// is in statuses.
func (s *Service) hasMembers(ctx context.Context, tx store.Tx, c Caller, account string, statuses []Status) (bool, error) {
	ms, err := tx.ListMembers(ctx, store.MemberQuery{Admin: s.accountKey(c, account), Statuses: statuses, Limit: 1})
	return len(ms) > 0, err
}

// IsAccountID reports whether s is an AWS account id: exactly 12 digits.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// dedupe returns the accounts in their first order without repeats: AWS
// processes an account named twice in one batch once.
func dedupe(accounts []string) []string {
	seen := make(map[string]bool, len(accounts))
	out := make([]string, 0, len(accounts))
	for _, a := range accounts {
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}
