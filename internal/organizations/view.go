package organizations

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/localsec/localsec/internal/store"
)

// In is the engine as other engines see it inside their own store
// transaction: what the security services read of Organizations, and the
// changes their delegated administration makes to it (spec §13). Every
// method runs in tx, so that what it reads and writes commits or rolls
// back with the caller's transaction.
type In struct {
	t *txn
}

// In returns the engine's view inside tx.
func (e *Engine) In(ctx context.Context, tx store.Tx) In {
	return In{t: &txn{ctx: ctx, tx: tx, e: e, now: e.Now()}}
}

// OrganizationOf returns the organization account belongs to; false when
// it is standalone.
func (in In) OrganizationOf(account string) (Organization, bool, error) {
	c, err := in.t.who(account)
	if err != nil || c.org == nil {
		return Organization{}, false, err
	}
	org, err := in.t.organization(c.org)
	return org, err == nil, err
}

// Contains reports whether account is an active account of org. An open
// organization takes in an account of no organization here, when tx can
// write (see Seed).
func (in In) Contains(org Organization, account string) (bool, error) {
	var rec accountRecord
	ok, err := in.t.get(kindAccount, account, &rec)
	if err != nil {
		return false, err
	}
	if ok && rec.OrgID != "" {
		return rec.OrgID == org.ID && rec.State == StateActive, nil
	}
	o, err := in.orgRecord(org)
	if err != nil || !o.Open {
		return false, err
	}
	if err := in.t.join(o, account, JoinedCreated); errors.Is(err, store.ErrReadOnly) {
		return true, nil
	} else if err != nil {
		return false, err
	}
	return true, nil
}

// Accounts returns the accounts of org, by account id.
func (in In) Accounts(org Organization) ([]string, error) {
	return in.t.indexed(kindOrgAccount, org.ID, "", 0)
}

// DelegatedAdministrator returns the account registered as principal's
// delegated administrator in org (the first by id, for principals that
// allow several); false when there is none.
func (in In) DelegatedAdministrator(org Organization, principal string) (string, bool, error) {
	admins, err := in.t.indexed(kindDelegatedAdmin, org.ID+"/"+principal, "", 1)
	if err != nil || len(admins) == 0 {
		return "", false, err
	}
	return admins[0], true, nil
}

// HasServiceAccess reports whether principal has trusted access to org.
func (in In) HasServiceAccess(org Organization, principal string) (bool, error) {
	return in.t.get(kindServiceAccess, org.ID+"/"+principal, &accessRecord{})
}

// EnableServiceAccess gives principal trusted access, as a security
// service does when the management account designates its administrator
// (spec §13.2, step 4).
func (in In) EnableServiceAccess(org Organization, principal string) error {
	o, err := in.orgRecord(org)
	if err != nil {
		return err
	}
	return in.t.enableAccess(o, principal)
}

// RegisterDelegatedAdministrator registers account for principal unless
// it already is (spec §13.2, step 4).
func (in In) RegisterDelegatedAdministrator(org Organization, account, principal string) error {
	o, err := in.orgRecord(org)
	if err != nil {
		return err
	}
	if ok, err := in.t.get(kindAccountDelegation, account+"/"+principal, &delegatedRecord{}); err != nil || ok {
		return err
	}
	return in.t.register(o, account, principal)
}

func (in In) orgRecord(org Organization) (*orgRecord, error) {
	var o orgRecord
	ok, err := in.t.get(kindOrg, org.ID, &o)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, refuse(CodeNotInUse)
	}
	return &o, nil
}

// Directory is what a snapshot's records say of organizations: the
// organization of each account that belongs to one, and each
// organization's management account.
type Directory struct {
	orgOf      map[string]string
	management map[string]string
}

// DirectoryOf reads the organizations of a snapshot's records; ok is
// false when the records hold no organization.
func DirectoryOf(records []store.Record) (Directory, bool, error) {
	d := Directory{orgOf: map[string]string{}, management: map[string]string{}}
	for _, r := range records {
		switch r.Kind {
		case kindOrg:
			var o orgRecord
			if err := json.Unmarshal(r.Value, &o); err != nil {
				return d, false, fmt.Errorf("organization record %s: %w", r.Key, err)
			}
			d.management[o.ID] = o.Management
		case kindAccount:
			var a accountRecord
			if err := json.Unmarshal(r.Value, &a); err != nil {
				return d, false, fmt.Errorf("account record %s: %w", r.Key, err)
			}
			if a.OrgID != "" && a.State == StateActive {
				d.orgOf[a.ID] = a.OrgID
			}
		}
	}
	return d, len(d.management) > 0, nil
}

// OrgOf returns the organization an account belongs to.
func (d Directory) OrgOf(account string) (string, bool) {
	o, ok := d.orgOf[account]
	return o, ok
}

// Role returns the account trusted to assume role name in account: the
// management account whose CreateAccount made the role (the trust policy
// of OrganizationAccountAccessRole, spec §6.4); false when the account
// has no such role (localsec knows no other roles).
func (in In) Role(account, name string) (string, bool, error) {
	var rec accountRecord
	ok, err := in.t.get(kindAccount, account, &rec)
	if err != nil || !ok || rec.RoleName == "" || rec.RoleName != name || rec.CreatedBy == "" {
		return "", false, err
	}
	return rec.CreatedBy, true, nil
}
