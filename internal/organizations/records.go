package organizations

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/localsec/localsec/internal/store"
)

// The kinds of store records the engine keeps, and their keys. Index
// records have an empty document: their key says it all. Persisted:
// never rename.
const (
	// kindOrg: key organization id → orgRecord.
	kindOrg = "organizations.organization"
	// kindAccount: key account id → accountRecord, for every account
	// the engine knows, in an organization or not.
	kindAccount = "organizations.account"
	// kindOrgAccount: key "<org id>/<account id>", the accounts of an
	// organization.
	kindOrgAccount = "organizations.organization-account"
	// kindParentAccount: key "<parent id>/<account id>", the accounts
	// directly in a root or OU.
	kindParentAccount = "organizations.parent-account"
	// kindOU: key OU id → ouRecord.
	kindOU = "organizations.ou"
	// kindParentOU: key "<parent id>/<OU id>", the OUs directly in a
	// root or OU.
	kindParentOU = "organizations.parent-ou"
	// kindOrgOU: key "<org id>/<OU id>", every OU of an organization.
	kindOrgOU = "organizations.organization-ou"
	// kindHandshake: key handshake id → handshakeRecord.
	kindHandshake = "organizations.handshake"
	// kindOrgHandshake: key "<org id>/<handshake id>", the handshakes an
	// organization sent.
	kindOrgHandshake = "organizations.organization-handshake"
	// kindTargetHandshake: key "<account id or email:address>/<handshake
	// id>", the handshakes a party received.
	kindTargetHandshake = "organizations.target-handshake"
	// kindCreateStatus: key request id → createRecord.
	kindCreateStatus = "organizations.create-account"
	// kindOrgCreateStatus: key "<org id>/<request id>".
	kindOrgCreateStatus = "organizations.organization-create-account"
	// kindServiceAccess: key "<org id>/<principal>" → accessRecord.
	kindServiceAccess = "organizations.service-access"
	// kindDelegatedAdmin: key "<org id>/<principal>/<account id>" →
	// delegatedRecord.
	kindDelegatedAdmin = "organizations.delegated-admin"
	// kindAccountDelegation: key "<account id>/<principal>" →
	// delegatedRecord, the services an account administers.
	kindAccountDelegation = "organizations.account-delegation"
	// kindTags: key resource id (root, OU or account) → tagsRecord.
	kindTags = "organizations.tags"
	// kindEmail: key lower-cased address → account id: addresses are
	// unique across accounts.
	kindEmail = "organizations.email"
)

// orgRecord is an organization with its one root.
type orgRecord struct {
	ID         string    `json:"id"`
	Management string    `json:"management"`
	FeatureSet string    `json:"featureSet"`
	RootID     string    `json:"rootId"`
	Created    time.Time `json:"created"`
	// PolicyTypes are the policy types enabled in the root, sorted.
	PolicyTypes []string `json:"policyTypes,omitempty"`
	// Open is localsec's shortcut for tests: an organization made from
	// --org-management-account without --org-accounts takes in, as
	// CREATED accounts of its root, the accounts of no other
	// organization that a security service asks about.
	Open bool `json:"open,omitempty"`
}

// accountRecord is an account the engine knows.
type accountRecord struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	// OrgID is the organization the account belongs to; empty for a
	// standalone account.
	OrgID        string    `json:"orgId,omitempty"`
	ParentID     string    `json:"parentId,omitempty"`
	JoinedMethod string    `json:"joinedMethod,omitempty"`
	Joined       time.Time `json:"joined,omitzero"`
	State        string    `json:"state"`
	// RoleName is the administrator role CreateAccount made in the
	// account; empty for accounts that joined by invitation.
	RoleName string `json:"roleName,omitempty"`
	// CreatedBy is the management account whose CreateAccount made it.
	CreatedBy string `json:"createdBy,omitempty"`
}

// ouRecord is an organizational unit.
type ouRecord struct {
	ID       string    `json:"id"`
	OrgID    string    `json:"orgId"`
	ParentID string    `json:"parentId"`
	Name     string    `json:"name"`
	Created  time.Time `json:"created"`
}

// handshakeRecord is a handshake an organization sent.
type handshakeRecord struct {
	ID     string `json:"id"`
	OrgID  string `json:"orgId"`
	Action string `json:"action"`
	State  string `json:"state"`
	// TargetType is ACCOUNT or EMAIL; Target the account id or address.
	TargetType string    `json:"targetType"`
	Target     string    `json:"target"`
	Notes      string    `json:"notes,omitempty"`
	Tags       []Tag     `json:"tags,omitempty"`
	Requested  time.Time `json:"requested"`
	Expires    time.Time `json:"expires"`
}

// createRecord is a CreateAccount request and its outcome.
type createRecord struct {
	ID            string    `json:"id"`
	OrgID         string    `json:"orgId"`
	AccountName   string    `json:"accountName"`
	State         string    `json:"state"`
	Requested     time.Time `json:"requested"`
	Completed     time.Time `json:"completed,omitzero"`
	AccountID     string    `json:"accountId,omitempty"`
	FailureReason string    `json:"failureReason,omitempty"`
}

// accessRecord is a service principal's trusted access.
type accessRecord struct {
	Principal string    `json:"principal"`
	Enabled   time.Time `json:"enabled"`
}

// delegatedRecord is a delegated administrator registration.
type delegatedRecord struct {
	Account   string    `json:"account"`
	Principal string    `json:"principal"`
	Since     time.Time `json:"since"`
}

// tagsRecord holds a resource's tags, sorted by key.
type tagsRecord struct {
	Tags []Tag `json:"tags"`
}

// txn is one transaction of the engine.
type txn struct {
	ctx context.Context
	tx  store.Tx
	e   *Engine
	now time.Time
}

// get reads the record kind/key into v; false when there is none.
func (t *txn) get(kind, key string, v any) (bool, error) {
	r, err := t.tx.GetRecord(t.ctx, kind, key)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(r.Value, v); err != nil {
		return false, fmt.Errorf("organizations: record %s/%s: %w", kind, key, err)
	}
	return true, nil
}

// put writes v as the record kind/key.
func (t *txn) put(kind, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return t.tx.PutRecord(t.ctx, store.Record{Kind: kind, Key: key, Value: b})
}

// del deletes the record kind/key, if there is one.
func (t *txn) del(kind, key string) error {
	err := t.tx.DeleteRecord(t.ctx, kind, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// index writes the index record kind/"<a>/<b>".
func (t *txn) index(kind, a, b string) error {
	return t.tx.PutRecord(t.ctx, store.Record{Kind: kind, Key: a + "/" + b, Value: []byte("{}")})
}

// unindex deletes the index record kind/"<a>/<b>".
func (t *txn) unindex(kind, a, b string) error { return t.del(kind, a+"/"+b) }

// indexed returns the second parts of the index records kind/"<a>/…", in
// order, after after (a second part), at most limit (0: all).
func (t *txn) indexed(kind, a, after string, limit int) ([]string, error) {
	q := store.RecordQuery{Kind: kind, Prefix: a + "/", Limit: limit}
	if after != "" {
		q.After = a + "/" + after
	}
	rs, err := t.tx.ListRecords(t.ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = strings.TrimPrefix(r.Key, a+"/")
	}
	return out, nil
}

// Page asks for one page of a list.
type Page struct {
	// Token is the NextToken a previous page returned; empty for the
	// first.
	Token string
	// Limit is the page size; 0 means DefaultPageSize.
	Limit int
}

func (p Page) limit() int {
	if p.Limit <= 0 {
		return DefaultPageSize
	}
	return p.Limit
}

// tokenVersion versions the token format.
const tokenVersion = "ls1"

// encodeToken makes the opaque token that resumes list after key.
func encodeToken(list, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(tokenVersion + ":org:" + list + ":" + key))
}

// decodeToken returns the key a token of list resumes after; "" for no
// token. Anything the engine did not make for list is refused.
func decodeToken(list, tok string) (string, error) {
	if tok == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return "", refuseWhy(CodeInvalidInput, ReasonInvalidNextToken)
	}
	key, ok := strings.CutPrefix(string(raw), tokenVersion+":org:"+list+":")
	if !ok || key == "" {
		return "", refuseWhy(CodeInvalidInput, ReasonInvalidNextToken)
	}
	return key, nil
}

// paged reads one page of the index kind/"<a>/…" for list: the second
// parts of its keys, and the token of the next page ("" on the last).
func (t *txn) paged(kind, a, list string, p Page) ([]string, string, error) {
	after, err := decodeToken(list, p.Token)
	if err != nil {
		return nil, "", err
	}
	n := p.limit()
	keys, err := t.indexed(kind, a, after, n+1)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(keys) > n {
		keys = keys[:n]
		next = encodeToken(list, keys[n-1])
	}
	return keys, next, nil
}
