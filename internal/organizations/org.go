package organizations

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/localsec/localsec/internal/store"
)

// Feature sets.
const (
	FeatureSetAll                 = "ALL"
	FeatureSetConsolidatedBilling = "CONSOLIDATED_BILLING"
)

// Account states (State) and joined methods.
const (
	StateActive         = "ACTIVE"
	StateSuspended      = "SUSPENDED"
	StatePendingClosure = "PENDING_CLOSURE"
	StateClosed         = "CLOSED"
	JoinedInvited       = "INVITED"
	JoinedCreated       = "CREATED"
)

// Organization is an organization as its accounts see it.
type Organization struct {
	ID              string
	Management      string
	ManagementName  string
	ManagementEmail string
	FeatureSet      string
	RootID          string
}

// Root is an organization's root.
type Root struct {
	ID         string
	OrgID      string
	Management string
	// PolicyTypes are the enabled policy types.
	PolicyTypes []string
}

// role is what a caller may do in its organization.
type role int

const (
	standalone role = iota
	member
	delegatedAdmin
	management
)

// callerOf is who calls: its account record (nil when the engine does
// not know it), its organization (nil when standalone), its role.
type callerOf struct {
	account string
	rec     *accountRecord
	org     *orgRecord
	role    role
}

// who reads the caller's standing.
func (t *txn) who(account string) (callerOf, error) {
	c := callerOf{account: account}
	var rec accountRecord
	ok, err := t.get(kindAccount, account, &rec)
	if err != nil || !ok {
		return c, err
	}
	c.rec = &rec
	if rec.OrgID == "" {
		return c, nil
	}
	var org orgRecord
	if ok, err := t.get(kindOrg, rec.OrgID, &org); err != nil || !ok {
		return c, err
	}
	c.org = &org
	switch {
	case org.Management == account:
		c.role = management
	default:
		c.role = member
		ds, err := t.indexed(kindAccountDelegation, account, "", 1)
		if err != nil {
			return c, err
		}
		if len(ds) > 0 {
			c.role = delegatedAdmin
		}
	}
	return c, nil
}

// inOrg is who for operations any account of an organization may call.
func (t *txn) inOrg(account string) (callerOf, error) {
	c, err := t.who(account)
	if err == nil && c.org == nil {
		err = refuse(CodeNotInUse)
	}
	return c, err
}

// reader is who for operations the management account and delegated
// administrators may call.
func (t *txn) reader(account string) (callerOf, error) {
	c, err := t.inOrg(account)
	if err == nil && c.role < delegatedAdmin {
		err = refuse(CodeAccessDenied)
	}
	return c, err
}

// manager is who for operations only the management account may call.
func (t *txn) manager(account string) (callerOf, error) {
	c, err := t.inOrg(account)
	if err == nil && c.role != management {
		err = refuse(CodeAccessDenied)
	}
	return c, err
}

// identity returns the name and email of an account the engine did not
// create.
func (e *Engine) identity(account string) (name, email string) {
	if e.directory != nil {
		name, email = e.directory(account)
	}
	if name == "" {
		name = "account-" + account
	}
	if email == "" {
		email = "account-" + account + "@localsec.invalid"
	}
	return name, email
}

// knownAccount returns the record of account, making one for an account
// the engine has not seen yet (any 12-digit id is an account in localsec).
func (t *txn) knownAccount(account string) (accountRecord, error) {
	var rec accountRecord
	ok, err := t.get(kindAccount, account, &rec)
	if err != nil || ok {
		return rec, err
	}
	name, email := t.e.identity(account)
	rec = accountRecord{ID: account, Name: name, Email: email, State: StateActive}
	if err := t.put(kindEmail, strings.ToLower(email), account); err != nil {
		return rec, err
	}
	return rec, t.put(kindAccount, account, rec)
}

func (t *txn) organization(o *orgRecord) (Organization, error) {
	mgmt, err := t.knownAccount(o.Management)
	if err != nil {
		return Organization{}, err
	}
	return Organization{ID: o.ID, Management: o.Management, ManagementName: mgmt.Name,
		ManagementEmail: mgmt.Email, FeatureSet: o.FeatureSet, RootID: o.RootID}, nil
}

func rootOf(o *orgRecord) Root {
	return Root{ID: o.RootID, OrgID: o.ID, Management: o.Management, PolicyTypes: slices.Clone(o.PolicyTypes)}
}

// CreateOrganization makes the caller the management account of a new
// organization with one root, in which the caller is the only account.
func (e *Engine) CreateOrganization(ctx context.Context, caller, featureSet string) (Organization, error) {
	if featureSet == "" {
		featureSet = FeatureSetAll
	}
	var out Organization
	err := e.update(ctx, func(t *txn) error {
		c, err := t.who(caller)
		if err != nil {
			return err
		}
		if c.org != nil {
			return refuse(CodeAlreadyInOrganization)
		}
		rec, err := t.knownAccount(caller)
		if err != nil {
			return err
		}
		id, root, err := t.newOrgIDs()
		if err != nil {
			return err
		}
		o := orgRecord{ID: id, Management: caller, FeatureSet: featureSet, RootID: root, Created: t.now}
		if err := t.put(kindOrg, o.ID, o); err != nil {
			return err
		}
		// The management account is listed as INVITED, as in every AWS
		// sample (spec §3.4), and joined when the organization was made.
		rec.OrgID, rec.ParentID, rec.JoinedMethod, rec.Joined, rec.State = o.ID, o.RootID, JoinedInvited, t.now, StateActive
		if err := t.joinIndexes(&rec); err != nil {
			return err
		}
		if err := t.put(kindAccount, caller, rec); err != nil {
			return err
		}
		out, err = t.organization(&o)
		return err
	})
	return out, err
}

// newOrgIDs draws the ids of a new organization and its root, neither
// in use by another organization. A root id has only 4 hexadecimal
// characters (65536 values), and the indexes of a parent's children and
// the tags are keyed by the root id alone: two live organizations sharing
// one would see each other's accounts, OUs and root tags.
func (t *txn) newOrgIDs() (id, root string, err error) {
	rs, err := t.tx.ListRecords(t.ctx, store.RecordQuery{Kind: kindOrg})
	if err != nil {
		return "", "", err
	}
	ids, roots := map[string]bool{}, map[string]bool{}
	for _, r := range rs {
		var o orgRecord
		if err := json.Unmarshal(r.Value, &o); err != nil {
			return "", "", fmt.Errorf("organizations: record %s/%s: %w", r.Kind, r.Key, err)
		}
		ids[o.ID], roots[o.RootID] = true, true
	}
	for range 1000 {
		if id == "" || ids[id] {
			id = "o-" + t.e.newID(10)
		}
		if root = "r-" + t.e.newID(4); !ids[id] && !roots[root] {
			return id, root, nil
		}
	}
	return "", "", errors.New("organizations: no free organization or root id")
}

// join puts a standalone account into o's root.
func (t *txn) join(o *orgRecord, account, method string) error {
	rec, err := t.knownAccount(account)
	if err != nil {
		return err
	}
	rec.OrgID, rec.ParentID, rec.JoinedMethod, rec.Joined, rec.State = o.ID, o.RootID, method, t.now, StateActive
	if method == JoinedCreated && rec.RoleName == "" {
		// An account the flags, a seed or an open organization make
		// CREATED has what CreateAccount gives: the default role, which
		// the management account may assume.
		rec.RoleName, rec.CreatedBy = DefaultRoleName, o.Management
	}
	if err := t.put(kindAccount, account, rec); err != nil {
		return err
	}
	return t.joinIndexes(&rec)
}

// Seed makes the organization the command-line flags describe (spec §4):
// mgmt's organization, with accounts as CREATED accounts of its
// root. Without accounts the organization is open: it takes in any
// account of no organization that a security service asks about, as
// --org-management-account alone always did. An organization mgmt
// already has is kept (a durable store seeded before); listed accounts of
// no organization join it.
func (e *Engine) Seed(ctx context.Context, mgmt string, accounts []string) error {
	return e.update(ctx, func(t *txn) error {
		c, err := t.who(mgmt)
		if err != nil {
			return err
		}
		o := c.org
		if o == nil {
			if _, err := t.knownAccount(mgmt); err != nil {
				return err
			}
			id, root, err := t.newOrgIDs()
			if err != nil {
				return err
			}
			o = &orgRecord{ID: id, Management: mgmt, FeatureSet: FeatureSetAll,
				RootID: root, Created: t.now, Open: len(accounts) == 0}
			if err := t.put(kindOrg, o.ID, o); err != nil {
				return err
			}
			if err := t.join(o, mgmt, JoinedInvited); err != nil {
				return err
			}
		} else if c.role != management {
			return refuse(CodeAlreadyInOrganization)
		}
		for _, a := range accounts {
			if a == mgmt {
				continue
			}
			w, err := t.who(a)
			if err != nil {
				return err
			}
			if w.org != nil {
				continue
			}
			if err := t.join(o, a, JoinedCreated); err != nil {
				return err
			}
		}
		return nil
	})
}

// joinIndexes lists an account in its organization and its parent.
func (t *txn) joinIndexes(rec *accountRecord) error {
	if err := t.index(kindOrgAccount, rec.OrgID, rec.ID); err != nil {
		return err
	}
	return t.index(kindParentAccount, rec.ParentID, rec.ID)
}

// DescribeOrganization returns the caller's organization.
func (e *Engine) DescribeOrganization(ctx context.Context, caller string) (Organization, error) {
	var out Organization
	err := e.view(ctx, func(t *txn) error {
		c, err := t.inOrg(caller)
		if err != nil {
			return err
		}
		out, err = t.organization(c.org)
		return err
	})
	return out, err
}

// DeleteOrganization deletes the caller's organization, which must hold
// no account but the management account. Its root, OUs, handshakes,
// trusted access, delegated administrators and tags go with it.
func (e *Engine) DeleteOrganization(ctx context.Context, caller string) error {
	return e.update(ctx, func(t *txn) error {
		c, err := t.manager(caller)
		if err != nil {
			return err
		}
		o := c.org
		accounts, err := t.indexed(kindOrgAccount, o.ID, "", 2)
		if err != nil {
			return err
		}
		if len(accounts) > 1 {
			return refuse(CodeOrganizationNotEmpty)
		}
		ous, err := t.indexed(kindOrgOU, o.ID, "", 0)
		if err != nil {
			return err
		}
		for _, id := range ous {
			var ou ouRecord
			if _, err := t.get(kindOU, id, &ou); err != nil {
				return err
			}
			for _, del := range []func() error{
				func() error { return t.del(kindOU, id) },
				func() error { return t.unindex(kindOrgOU, o.ID, id) },
				func() error { return t.unindex(kindParentOU, ou.ParentID, id) },
				func() error { return t.del(kindTags, id) },
			} {
				if err := del(); err != nil {
					return err
				}
			}
		}
		hs, err := t.indexed(kindOrgHandshake, o.ID, "", 0)
		if err != nil {
			return err
		}
		for _, id := range hs {
			var h handshakeRecord
			if _, err := t.get(kindHandshake, id, &h); err != nil {
				return err
			}
			if err := t.deleteHandshake(&h); err != nil {
				return err
			}
		}
		creates, err := t.indexed(kindOrgCreateStatus, o.ID, "", 0)
		if err != nil {
			return err
		}
		for _, id := range creates {
			if err := t.del(kindCreateStatus, id); err != nil {
				return err
			}
			if err := t.unindex(kindOrgCreateStatus, o.ID, id); err != nil {
				return err
			}
		}
		principals, err := t.indexed(kindServiceAccess, o.ID, "", 0)
		if err != nil {
			return err
		}
		org, err := t.organization(o)
		if err != nil {
			return err
		}
		for _, p := range principals {
			if err := t.del(kindServiceAccess, o.ID+"/"+p); err != nil {
				return err
			}
			// Trusted access ends with the organization: the services
			// hear it as they hear DisableAWSServiceAccess, so a
			// management account that designated itself is no longer
			// their administrator.
			for _, l := range e.listeners {
				if err := l.ServiceAccessDisabled(t.ctx, t.tx, org, p); err != nil {
					return err
				}
			}
		}
		// Only the management account is left, and it cannot be a
		// delegated administrator: there are no registrations.
		rec := c.rec
		if err := t.unindex(kindOrgAccount, o.ID, rec.ID); err != nil {
			return err
		}
		if err := t.unindex(kindParentAccount, rec.ParentID, rec.ID); err != nil {
			return err
		}
		rec.OrgID, rec.ParentID, rec.JoinedMethod, rec.Joined = "", "", "", time.Time{}
		if err := t.put(kindAccount, rec.ID, rec); err != nil {
			return err
		}
		if err := t.del(kindTags, o.RootID); err != nil {
			return err
		}
		if err := t.del(kindTags, rec.ID); err != nil {
			return err
		}
		return t.del(kindOrg, o.ID)
	})
}

// ListRoots returns the caller's organization's root: always exactly one
// (Terraform reads roots[0] unconditionally, spec §5.4).
func (e *Engine) ListRoots(ctx context.Context, caller string, p Page) ([]Root, string, error) {
	var out []Root
	err := e.view(ctx, func(t *txn) error {
		c, err := t.reader(caller)
		if err != nil {
			return err
		}
		if _, err := decodeToken("roots", p.Token); err != nil {
			return err
		}
		out = []Root{rootOf(c.org)}
		return nil
	})
	return out, "", err
}

// policyTypeService is the trusted access a policy type needs (spec §5.5).
var policyTypeService = map[string]string{
	"SECURITYHUB_POLICY": "securityhub.amazonaws.com",
	"INSPECTOR_POLICY":   "inspector2.amazonaws.com",
}

// SetPolicyType enables or disables a policy type in a root: the flag
// only, no policy semantics.
func (e *Engine) SetPolicyType(ctx context.Context, caller, rootID, policyType string, enable bool) (Root, error) {
	var out Root
	err := e.update(ctx, func(t *txn) error {
		c, err := t.reader(caller)
		if err != nil {
			return err
		}
		o := c.org
		if rootID != o.RootID {
			return refuse(CodeRootNotFound)
		}
		if o.FeatureSet != FeatureSetAll {
			return refuse(CodePolicyTypeNotAvailable)
		}
		has := slices.Contains(o.PolicyTypes, policyType)
		switch {
		case enable && has:
			return refuse(CodePolicyTypeAlreadyEnabled)
		case !enable && !has:
			return refuse(CodePolicyTypeNotEnabled)
		case enable:
			if principal, ok := policyTypeService[policyType]; ok {
				if ok, err := t.get(kindServiceAccess, o.ID+"/"+principal, &accessRecord{}); err != nil {
					return err
				} else if !ok {
					return refuseWhy(CodeConstraintViolation, ReasonServiceAccessNotEnabled)
				}
			}
			o.PolicyTypes = append(o.PolicyTypes, policyType)
			slices.Sort(o.PolicyTypes)
		default:
			o.PolicyTypes = slices.DeleteFunc(o.PolicyTypes, func(s string) bool { return s == policyType })
		}
		out = rootOf(o)
		return t.put(kindOrg, o.ID, o)
	})
	return out, err
}
