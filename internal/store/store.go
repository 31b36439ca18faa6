// Package store defines the records of the membership engine and the
// transactional interface every storage implementation provides.
//
// The store knows no business rules: it keeps records, answers ordered
// queries and makes a group of writes atomic. Implementations live in
// sub-packages (memstore, …) and all pass the conformance suite in
// storetest.
package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrNotFound is returned by Get and Delete methods when no record has the key.
var ErrNotFound = errors.New("store: record not found")

// ErrReadOnly is returned by write methods called inside View.
var ErrReadOnly = errors.New("store: write in a read-only transaction")

// Store runs transactions.
type Store interface {
	// Update runs fn in a read-write transaction and commits it when fn
	// returns nil. When fn returns an error nothing fn wrote is kept and
	// Update returns that error. Implementations may run fn more than once
	// (to retry a serialization conflict), so fn must have no effects
	// outside tx.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction that sees one consistent
	// state.
	View(ctx context.Context, fn func(Tx) error) error
	// Reset deletes every record.
	Reset(ctx context.Context) error
	// Close releases the store's resources.
	Close() error
}

// Tx reads and writes records inside one transaction. Records returned by
// a Tx belong to the caller: changing them (their maps included) does not
// change the store until they are Put back.
type Tx interface {
	GetEnablement(ctx context.Context, k AccountKey) (Enablement, error)
	PutEnablement(ctx context.Context, e Enablement) error
	DeleteEnablement(ctx context.Context, k AccountKey) error

	GetMember(ctx context.Context, k MemberKey) (Member, error)
	PutMember(ctx context.Context, m Member) error
	DeleteMember(ctx context.Context, k MemberKey) error
	// ListMembers returns an administrator's member records ordered by
	// member account id.
	ListMembers(ctx context.Context, q MemberQuery) ([]Member, error)
	// CountMembers returns how many member records an administrator has.
	CountMembers(ctx context.Context, admin AccountKey) (int, error)
	// ListMemberships returns the member records, kept by any
	// administrator, whose member account is q.Account, ordered by
	// region, then administrator account id.
	ListMemberships(ctx context.Context, q MembershipQuery) ([]Member, error)

	GetOrgAdmin(ctx context.Context, k AccountKey) (OrgAdmin, error)
	PutOrgAdmin(ctx context.Context, a OrgAdmin) error
	DeleteOrgAdmin(ctx context.Context, k AccountKey) error
	// ListOrgAdmins returns the delegated administrators of a scope,
	// ordered by account id.
	ListOrgAdmins(ctx context.Context, s Scope) ([]OrgAdmin, error)

	GetOrgConfig(ctx context.Context, k AccountKey) (OrgConfig, error)
	PutOrgConfig(ctx context.Context, c OrgConfig) error
	DeleteOrgConfig(ctx context.Context, k AccountKey) error

	// PutEmail adds an email to the outbox.
	PutEmail(ctx context.Context, e Email) error
	// ListEmails returns outbox emails, oldest first (then by id).
	ListEmails(ctx context.Context, q EmailQuery) ([]Email, error)

	// GetRecord returns the record of kind and key; ErrNotFound if none.
	GetRecord(ctx context.Context, kind, key string) (Record, error)
	// PutRecord creates or replaces a record.
	PutRecord(ctx context.Context, r Record) error
	// DeleteRecord deletes a record; ErrNotFound if none.
	DeleteRecord(ctx context.Context, kind, key string) error
	// ListRecords returns the records q selects, in key order.
	ListRecords(ctx context.Context, q RecordQuery) ([]Record, error)

	// All returns every record, each kind in key order (emails oldest
	// first): the whole state, for export.
	All(ctx context.Context) (Snapshot, error)
}

// Scope is one service in one region: the unit in which AWS keeps
// membership state apart.
type Scope struct {
	Service string
	Region  string
}

// AccountKey names one account's state in a scope.
type AccountKey struct {
	Scope
	Account string
}

// MemberKey names one member record: the member account as kept in the
// administrator's inventory.
type MemberKey struct {
	Scope
	Admin  string
	Member string
}

// AdminKey returns the key of the administrator that keeps this record.
func (k MemberKey) AdminKey() AccountKey {
	return AccountKey{Scope: k.Scope, Account: k.Admin}
}

// EnablementStatus says whether an enabled service is running or suspended.
type EnablementStatus string

// Enablement statuses. Persisted: never rename.
const (
	EnablementEnabled   EnablementStatus = "ENABLED"
	EnablementSuspended EnablementStatus = "SUSPENDED"
)

// Enablement records that an account turned a service on in a region
// (a Macie session, a GuardDuty detector).
type Enablement struct {
	AccountKey
	// ResourceID is the id the service gives the enablement, if any
	// (a GuardDuty detector id); empty for Macie.
	ResourceID string
	Status     EnablementStatus
	// ClientToken is the idempotency token of the call that enabled it.
	ClientToken string
	// Settings is the service adapter's own document (JSON); the engine
	// never looks inside.
	Settings []byte
	Tags     map[string]string
	Created  time.Time
	Updated  time.Time
}

// RelationshipStatus is the state of an administrator–member relationship.
// The names are the engine's own; each service adapter maps them to its
// wire strings (Suspended is Macie's "Paused" and GuardDuty's "Disabled").
type RelationshipStatus string

// Relationship statuses. Persisted: never rename.
const (
	StatusCreated                     RelationshipStatus = "Created"
	StatusInvited                     RelationshipStatus = "Invited"
	StatusEnabled                     RelationshipStatus = "Enabled"
	StatusSuspended                   RelationshipStatus = "Suspended"
	StatusRemoved                     RelationshipStatus = "Removed"
	StatusResigned                    RelationshipStatus = "Resigned"
	StatusEmailVerificationInProgress RelationshipStatus = "EmailVerificationInProgress"
	StatusEmailVerificationFailed     RelationshipStatus = "EmailVerificationFailed"
	StatusRegionDisabled              RelationshipStatus = "RegionDisabled"
	StatusAccountSuspended            RelationshipStatus = "AccountSuspended"
)

// Association says how a member joined its administrator.
type Association string

// Associations. Persisted: never rename.
const (
	AssociationInvitation    Association = "INVITATION"
	AssociationOrganizations Association = "ORGANIZATIONS"
)

// Member is an administrator's record of one member account, together with
// the invitation the administrator last sent it: the member's view of the
// relationship is derived from this one record, so both sides always agree.
type Member struct {
	MemberKey
	Email       string
	Status      RelationshipStatus
	Association Association
	Tags        map[string]string
	Created     time.Time
	Updated     time.Time
	// InvitedAt is when the last invitation was sent; zero if never.
	InvitedAt time.Time
	// InvitationID is the id of the last invitation sent; empty if never.
	InvitationID             string
	InvitationMessage        string
	DisableEmailNotification bool
	// Declined is set when the member declined the current invitation.
	Declined bool
	// Hidden is set when the member deleted the current invitation from
	// its own view.
	Hidden bool
}

// MemberQuery selects an administrator's member records.
type MemberQuery struct {
	Admin AccountKey
	// Statuses keeps only records in one of these statuses; nil keeps all
	// (an empty, non-nil slice keeps none).
	Statuses []RelationshipStatus
	// After keeps only member account ids greater than After.
	After string
	// Limit caps the number of records; 0 means no cap.
	Limit int
}

// MembershipQuery selects the records in which an account is the member.
type MembershipQuery struct {
	Service string
	// Region keeps one region; empty means every region.
	Region  string
	Account string
}

// OrgAdminStatus is the state of a delegated administrator designation.
type OrgAdminStatus string

// Delegated administrator statuses. Persisted: never rename.
const (
	OrgAdminEnabled           OrgAdminStatus = "ENABLED"
	OrgAdminDisableInProgress OrgAdminStatus = "DISABLE_IN_PROGRESS"
)

// OrgAdmin records that the organization's management account designated
// an account as the service's delegated administrator in a region.
type OrgAdmin struct {
	AccountKey
	Status  OrgAdminStatus
	Created time.Time
}

// OrgConfig is a delegated administrator's organization configuration.
type OrgConfig struct {
	AccountKey
	AutoEnable bool
	// Settings is the service adapter's own document (JSON).
	Settings []byte
	Updated  time.Time
}

// Email is an invitation email as AWS would have sent it, kept in the
// outbox (localsec sends nothing unless told to relay it).
type Email struct {
	ID      string
	Service string
	Region  string
	// From is the account that sent the invitation; To the invited account
	// and Address its email address.
	From    string
	To      string
	Address string
	// Message is the invitation's custom message.
	Message      string
	InvitationID string
	Sent         time.Time
}

// EmailQuery selects outbox emails.
type EmailQuery struct {
	// Account keeps the emails it sent or received; empty keeps all.
	Account string
	// Limit caps the number of emails (the oldest first); 0 means no cap.
	Limit int
}

// Record is a document of an engine's own, kept under a key within a kind
// (the organizations engine keeps each organization, account, handshake…
// as one). The store never looks inside Value. Keys are ordered bytewise
// within their kind, so that an engine can lay out its keys for the
// ordered, paged queries it needs.
//
// Kind and Key must pass CheckRecordKey: non-empty, valid UTF-8, without
// NUL bytes (what every store can keep). For such strings byte order is
// code point order. Value is copied in and out: the caller owns the
// slice it passes and the slices it gets. A nil value is stored, and read
// back, as an empty one (never nil).
type Record struct {
	Kind  string
	Key   string
	Value []byte
}

// RecordQuery selects records of one kind, in key order.
type RecordQuery struct {
	Kind string
	// Prefix keeps the keys that start with it; "" keeps all.
	Prefix string
	// After keeps the keys greater than After; "" starts at the first.
	After string
	// Limit caps the number of records; 0 means no cap.
	Limit int
}

// CheckRecordKey returns why kind and key cannot name a record, or nil.
// Both must be non-empty, valid UTF-8 and free of NUL bytes: PostgreSQL's
// text holds nothing else, and every store refuses what one cannot keep.
// PutRecord returns its error; Get and Delete of such a key find nothing.
// Prefix and After of a RecordQuery may be any strings.
func CheckRecordKey(kind, key string) error {
	for _, f := range []struct{ name, v string }{{"kind", kind}, {"key", key}} {
		switch {
		case f.v == "":
			return fmt.Errorf("store: record %s is empty", f.name)
		case !utf8.ValidString(f.v):
			return fmt.Errorf("store: record %s %q is not valid UTF-8", f.name, f.v)
		case strings.IndexByte(f.v, 0) >= 0:
			return fmt.Errorf("store: record %s %q holds a NUL byte", f.name, f.v)
		}
	}
	return nil
}

// Snapshot is every record of a store.
type Snapshot struct {
	Enablements []Enablement
	Members     []Member
	OrgAdmins   []OrgAdmin
	OrgConfigs  []OrgConfig
	Emails      []Email
	// Records are ordered by kind, then key.
	Records []Record
}

// CloneTags returns a copy of m (nil stays nil).
func CloneTags(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// CloneBytes returns a copy of b (nil stays nil).
func CloneBytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}
