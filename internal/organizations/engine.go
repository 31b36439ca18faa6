// Package organizations is the AWS Organizations engine: organizations
// with their root, organizational units and accounts, account creation,
// the invitation handshakes between an organization and an account,
// trusted access for service principals, delegated administrators and
// tags. It keeps one state per partition, whatever region a request is
// signed for, and it is the one source of truth the security services
// read their organization from.
//
// Like the membership engine it knows nothing of HTTP or of wire names:
// the adapter in internal/service/organizations translates operations
// into calls here and the engine's Codes into exceptions and messages.
// Every call is one store transaction: a call that returns an error has
// changed nothing. Its records are the store's generic records, under the
// kinds named in records.go.
package organizations

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/localsec/localsec/internal/clock"
	"github.com/localsec/localsec/internal/ids"
	"github.com/localsec/localsec/internal/store"
)

// Limits and lifetimes from the Organizations quotas (spec §12).
const (
	// DefaultAccountQuota is the accounts an organization may have, open
	// invitations included. AWS starts organizations at 10 and raises it
	// on request; localsec's default is high, for tests (spec §12).
	DefaultAccountQuota = 10000
	// MaxOUs is the organizational units of an organization.
	MaxOUs = 1000
	// MaxOUDepth is how deep OUs nest below the root.
	MaxOUDepth = 5
	// MaxTags is the tags of one resource.
	MaxTags = 50
	// InviteLifetime is how long an invitation stays open.
	InviteLifetime = 15 * 24 * time.Hour
	// DefaultPageSize is the page size when a request gives none.
	DefaultPageSize = 20
	// DefaultRoleName is the role CreateAccount makes in the new account.
	DefaultRoleName = "OrganizationAccountAccessRole"
)

// Engine runs Organizations on a store.
type Engine struct {
	store     store.Store
	clock     clock.Clock
	ids       ids.Generator
	quota     int
	directory func(account string) (name, email string)
	listeners []Listener
}

// Option configures an Engine.
type Option func(*Engine)

// WithClock makes the engine read time from c (handshakes expire on it).
func WithClock(c clock.Clock) Option { return func(e *Engine) { e.clock = c } }

// WithIDs makes the engine draw its ids from g.
func WithIDs(g ids.Generator) Option { return func(e *Engine) { e.ids = g } }

// WithAccountQuota sets how many accounts an organization may have, open
// invitations included (AWS's default is 10).
func WithAccountQuota(n int) Option { return func(e *Engine) { e.quota = n } }

// WithDirectory gives the names and email addresses of accounts localsec
// did not create (from the seed's account list); the others get
// account-<id> and account-<id>@localsec.invalid.
func WithDirectory(f func(account string) (name, email string)) Option {
	return func(e *Engine) { e.directory = f }
}

// WithListener has l told, inside the transaction, of the organization
// events the security services act on (an account leaving, a delegated
// administrator deregistered, trusted access disabled).
func WithListener(l Listener) Option {
	return func(e *Engine) { e.listeners = append(e.listeners, l) }
}

// Listener hears of organization events inside the transaction that
// makes them, so that what it changes commits or rolls back with them.
type Listener interface {
	// AccountLeft: account left organization org (removed, or it left).
	AccountLeft(ctx context.Context, tx store.Tx, org Organization, account string) error
	// DelegatedAdminDeregistered: account is no longer the delegated
	// administrator of principal in org.
	DelegatedAdminDeregistered(ctx context.Context, tx store.Tx, org Organization, principal, account string) error
	// ServiceAccessDisabled: principal lost trusted access in org.
	ServiceAccessDisabled(ctx context.Context, tx store.Tx, org Organization, principal string) error
	// AccountJoined: account joined org (an accepted invitation, a
	// created account).
	AccountJoined(ctx context.Context, tx store.Tx, org Organization, account string) error
}

// New returns an engine over st.
func New(st store.Store, opts ...Option) *Engine {
	e := &Engine{store: st, clock: clock.Real{}, ids: ids.Random{}, quota: DefaultAccountQuota}
	for _, o := range opts {
		o(e)
	}
	return e
}

// Now returns the engine's time, truncated to the millisecond that epoch
// timestamps carry.
func (e *Engine) Now() time.Time { return e.clock.Now().UTC().Truncate(time.Millisecond) }

// Code names why the engine refused something: the Organizations
// exception it is answered with.
type Code string

// Codes. Each is the name of an exception of the Organizations model.
const (
	CodeNotInUse                  Code = "AWSOrganizationsNotInUseException"
	CodeAccessDenied              Code = "AccessDeniedException"
	CodeAlreadyInOrganization     Code = "AlreadyInOrganizationException"
	CodeOrganizationNotEmpty      Code = "OrganizationNotEmptyException"
	CodeAccountNotFound           Code = "AccountNotFoundException"
	CodeAccountAlreadyRegistered  Code = "AccountAlreadyRegisteredException"
	CodeAccountNotRegistered      Code = "AccountNotRegisteredException"
	CodeAccountAlreadyClosed      Code = "AccountAlreadyClosedException"
	CodeChildNotFound             Code = "ChildNotFoundException"
	CodeConstraintViolation       Code = "ConstraintViolationException"
	CodeCreateAccountNotFound     Code = "CreateAccountStatusNotFoundException"
	CodeDestinationParentNotFound Code = "DestinationParentNotFoundException"
	CodeSourceParentNotFound      Code = "SourceParentNotFoundException"
	CodeDuplicateAccount          Code = "DuplicateAccountException"
	CodeDuplicateHandshake        Code = "DuplicateHandshakeException"
	CodeDuplicateOU               Code = "DuplicateOrganizationalUnitException"
	CodeHandshakeAlreadyInState   Code = "HandshakeAlreadyInStateException"
	CodeHandshakeConstraint       Code = "HandshakeConstraintViolationException"
	CodeHandshakeNotFound         Code = "HandshakeNotFoundException"
	CodeInvalidHandshakeState     Code = "InvalidHandshakeTransitionException"
	CodeInvalidInput              Code = "InvalidInputException"
	CodeMasterCannotLeave         Code = "MasterCannotLeaveOrganizationException"
	CodeOUNotEmpty                Code = "OrganizationalUnitNotEmptyException"
	CodeOUNotFound                Code = "OrganizationalUnitNotFoundException"
	CodeParentNotFound            Code = "ParentNotFoundException"
	CodeRootNotFound              Code = "RootNotFoundException"
	CodeTargetNotFound            Code = "TargetNotFoundException"
	CodePolicyTypeAlreadyEnabled  Code = "PolicyTypeAlreadyEnabledException"
	CodePolicyTypeNotEnabled      Code = "PolicyTypeNotEnabledException"
	CodePolicyTypeNotAvailable    Code = "PolicyTypeNotAvailableForOrganizationException"
)

// Reasons the engine gives with ConstraintViolation,
// HandshakeConstraintViolation and InvalidInput (the model's enums).
const (
	ReasonAccountNumberLimit           = "ACCOUNT_NUMBER_LIMIT_EXCEEDED"
	ReasonOUDepthLimit                 = "OU_DEPTH_LIMIT_EXCEEDED"
	ReasonOUNumberLimit                = "OU_NUMBER_LIMIT_EXCEEDED"
	ReasonMaxTagLimit                  = "MAX_TAG_LIMIT_EXCEEDED"
	ReasonCannotRegisterMaster         = "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR"
	ReasonCannotRemoveDelegatedAdmin   = "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG"
	ReasonMaxDelegatedAdmins           = "MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED"
	ReasonNotAllFeatures               = "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE"
	ReasonServiceAccessNotEnabled      = "SERVICE_ACCESS_NOT_ENABLED"
	ReasonAlreadyInOrganization        = "ALREADY_IN_AN_ORGANIZATION"
	ReasonInvalidPartyTypeTarget       = "INVALID_PARTY_TYPE_TARGET"
	ReasonInvalidEmailAddressTarget    = "INVALID_EMAIL_ADDRESS_TARGET"
	ReasonUnrecognizedServicePrincipal = "UNRECOGNIZED_SERVICE_PRINCIPAL"
	ReasonInvalidRoleName              = "INVALID_ROLE_NAME"
	ReasonInvalidNextToken             = "INVALID_NEXT_TOKEN"
	ReasonDuplicateTagKey              = "DUPLICATE_TAG_KEY"
	ReasonInvalidSystemTags            = "INVALID_SYSTEM_TAGS_PARAMETER"
	ReasonMaxFilterLimit               = "MAX_LIMIT_EXCEEDED_FILTER"
	ReasonInvalidPattern               = "INVALID_PATTERN"
	ReasonMovingBetweenRoots           = "MOVING_ACCOUNT_BETWEEN_DIFFERENT_ROOTS"
)

// Error is a refusal of the engine.
type Error struct {
	Code Code
	// Reason is the model's reason value, for the exceptions that carry
	// one.
	Reason string
	// Detail names what was refused, for messages ("the account
	// 222222222222"); it may be empty.
	Detail string
}

func (e *Error) Error() string {
	s := string(e.Code)
	if e.Reason != "" {
		s += " (" + e.Reason + ")"
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

func refuse(c Code) error { return &Error{Code: c} }

func refuseWhy(c Code, reason string) error { return &Error{Code: c, Reason: reason} }

// ErrorOf returns the engine error in err's chain, or nil.
func ErrorOf(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// update runs fn in a read-write transaction.
func (e *Engine) update(ctx context.Context, fn func(t *txn) error) error {
	return e.store.Update(ctx, func(tx store.Tx) error {
		return fn(&txn{ctx: ctx, tx: tx, e: e, now: e.Now()})
	})
}

// view runs fn in a read-only transaction.
func (e *Engine) view(ctx context.Context, fn func(t *txn) error) error {
	return e.store.View(ctx, func(tx store.Tx) error {
		return fn(&txn{ctx: ctx, tx: tx, e: e, now: e.Now()})
	})
}

// newID returns n lowercase hexadecimal characters of a fresh id (its
// last ones: a sequence generator's ids differ there).
func (e *Engine) newID(n int) string {
	id := e.ids.NewID()
	return id[len(id)-n:]
}

// newAccountID returns a fresh 12-digit account id.
func (e *Engine) newAccountID() string {
	id := e.ids.NewID()
	v, err := strconv.ParseUint(id[len(id)-12:], 16, 64)
	if err != nil {
		v = uint64(e.clock.Now().UnixNano())
	}
	return fmt.Sprintf("%012d", v%1_000_000_000_000)
}

// AddListener adds a listener after construction: the membership engine,
// built on this one, registers itself so.
func (e *Engine) AddListener(l Listener) { e.listeners = append(e.listeners, l) }
