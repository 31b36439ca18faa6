package membership

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/localsec/localsec/internal/organizations"
	"github.com/localsec/localsec/internal/store"
)

// Emails returns the outbox, oldest first: every email, or those account
// sent or received.
func (e *Engine) Emails(ctx context.Context, account string) ([]store.Email, error) {
	var out []store.Email
	err := e.store.View(ctx, func(tx store.Tx) error {
		var err error
		out, err = tx.ListEmails(ctx, store.EmailQuery{Account: account})
		return err
	})
	return out, err
}

// Export returns the whole state, in one consistent view.
func (e *Engine) Export(ctx context.Context) (store.Snapshot, error) {
	var snap store.Snapshot
	err := e.store.View(ctx, func(tx store.Tx) error {
		var err error
		snap, err = tx.All(ctx)
		return err
	})
	return snap, err
}

// ErrNotEmpty is returned by Import when the store already holds state.
var ErrNotEmpty = errors.New("membership: the store already holds state")

// Import loads snap into an empty store, in one transaction, after
// checking that it is a state the engine could have reached (see
// CheckInvariants). Nothing is written when it fails.
func (e *Engine) Import(ctx context.Context, snap store.Snapshot) error {
	if problems := CheckInvariants(snap, e.org); len(problems) > 0 {
		return errors.Join(problems...)
	}
	return e.store.Update(ctx, func(tx store.Tx) error {
		current, err := tx.All(ctx)
		if err != nil {
			return err
		}
		if len(current.Enablements)+len(current.Members)+len(current.OrgAdmins)+len(current.OrgConfigs)+len(current.Emails)+len(current.Records) > 0 {
			return ErrNotEmpty
		}
		for _, en := range snap.Enablements {
			if err := tx.PutEnablement(ctx, en); err != nil {
				return err
			}
		}
		for _, m := range snap.Members {
			if err := tx.PutMember(ctx, m); err != nil {
				return err
			}
		}
		for _, a := range snap.OrgAdmins {
			if err := tx.PutOrgAdmin(ctx, a); err != nil {
				return err
			}
		}
		for _, c := range snap.OrgConfigs {
			if err := tx.PutOrgConfig(ctx, c); err != nil {
				return err
			}
		}
		for _, em := range snap.Emails {
			if err := tx.PutEmail(ctx, em); err != nil {
				return err
			}
		}
		for _, r := range snap.Records {
			if err := tx.PutRecord(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
}

// knownStatuses are the relationship statuses a record may have.
func knownStatuses() []Status {
	return append(engagedStatuses(), store.StatusCreated, store.StatusRemoved, store.StatusResigned, store.StatusEmailVerificationFailed)
}

// CheckInvariants lists what makes snap a state the engine could never
// reach: malformed keys or values, a member associated with two
// administrators in one service and region, an account that is
// administrator and member at once, a member record of an administrator
// that has not enabled the service, two records of one key, delegated
// administrators without an organization or beyond one per scope, an
// engine's record whose kind or key the store cannot keep. (What an
// engine's records hold is the engine's to check.)
//
// The organizations are those of the snapshot's Organizations records
// when it has any, else org.
func CheckInvariants(snap store.Snapshot, org Organization) []error {
	var problems []error
	bad := func(format string, args ...any) { problems = append(problems, fmt.Errorf(format, args...)) }

	dir, live, err := organizations.DirectoryOf(snap.Records)
	if err != nil {
		bad("%v", err)
	}
	// orgOf is the organization of an account: the records', or the
	// one org describes.
	orgOf := func(account string) (string, bool) {
		if live {
			return dir.OrgOf(account)
		}
		return "configured", org.Contains(account)
	}
	sameOrg := func(a, b string) bool {
		oa, ina := orgOf(a)
		ob, inb := orgOf(b)
		return ina && inb && oa == ob
	}

	enabled := map[store.AccountKey]bool{}
	for _, en := range snap.Enablements {
		if !IsAccountID(en.Account) || en.Service == "" || en.Region == "" {
			bad("enablement %s/%s/%s: service, region and a 12-digit account are required", en.Service, en.Region, en.Account)
		}
		if en.Status != store.EnablementEnabled && en.Status != store.EnablementSuspended {
			bad("enablement %s/%s/%s: status %q is not ENABLED or SUSPENDED", en.Service, en.Region, en.Account, en.Status)
		}
		if enabled[en.AccountKey] {
			bad("enablement %s/%s/%s appears twice", en.Service, en.Region, en.Account)
		}
		enabled[en.AccountKey] = true
	}

	type scopedAccount struct {
		store.Scope
		account string
	}
	seen := map[store.MemberKey]bool{}
	administrators := map[scopedAccount][]string{} // member -> its associated administrators
	hasMembers := map[scopedAccount]bool{}         // administrator -> it keeps ties (Created or engaged)
	for _, m := range snap.Members {
		where := fmt.Sprintf("member %s of %s in %s/%s", m.Member, m.Admin, m.Service, m.Region)
		switch {
		case !IsAccountID(m.Admin) || !IsAccountID(m.Member):
			bad("%s: administrator and member must be 12-digit account ids", where)
		case m.Admin == m.Member:
			bad("%s: an account cannot be a member of itself", where)
		}
		if !contains(knownStatuses(), m.Status) {
			bad("%s: unknown status %q", where, m.Status)
		}
		if m.Association != store.AssociationInvitation && m.Association != store.AssociationOrganizations {
			bad("%s: association %q is not INVITATION or ORGANIZATIONS", where, m.Association)
		}
		if m.Association == store.AssociationOrganizations && !sameOrg(m.Admin, m.Member) && Associated(m.Status) {
			bad("%s: joined through Organizations but is not in the administrator's organization", where)
		}
		if (Pending(m.Status) || m.Status == store.StatusResigned) && m.Association == store.AssociationInvitation && m.InvitationID == "" {
			bad("%s: status %s needs an invitation id", where, m.Status)
		}
		if seen[m.MemberKey] {
			bad("%s appears twice", where)
		}
		seen[m.MemberKey] = true
		if !enabled[m.AdminKey()] {
			bad("%s: the administrator has not enabled %s in %s", where, m.Service, m.Region)
		}
		if Associated(m.Status) {
			k := scopedAccount{m.Scope, m.Member}
			administrators[k] = append(administrators[k], m.Admin)
		}
		if engaged(m.Status) || m.Status == store.StatusCreated {
			hasMembers[scopedAccount{m.Scope, m.Admin}] = true
		}
	}
	keys := make([]scopedAccount, 0, len(administrators))
	for k := range administrators {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j])
	})
	for _, k := range keys {
		admins := administrators[k]
		if len(admins) > 1 {
			bad("account %s has %d administrators in %s/%s (%v): at most one", k.account, len(admins), k.Service, k.Region, admins)
		}
		if hasMembers[k] {
			bad("account %s is a member and has members of its own in %s/%s", k.account, k.Service, k.Region)
		}
	}

	type scopedOrg struct {
		store.Scope
		org string
	}
	perScope := map[scopedOrg]int{}
	for _, a := range snap.OrgAdmins {
		o, in := orgOf(a.Account)
		switch {
		case !live && !org.Exists():
			bad("delegated administrator %s in %s/%s: no organization is configured", a.Account, a.Service, a.Region)
		case !in:
			bad("delegated administrator %s in %s/%s is not in an organization", a.Account, a.Service, a.Region)
		}
		if k := (scopedOrg{a.Scope, o}); in {
			if perScope[k]++; perScope[k] == 2 {
				bad("%s/%s has more than one delegated administrator in organization %s", a.Service, a.Region, o)
			}
		}
	}

	type recordKey struct{ kind, key string }
	records := map[recordKey]bool{}
	for _, r := range snap.Records {
		if err := store.CheckRecordKey(r.Kind, r.Key); err != nil {
			bad("record %q of kind %q: %v", r.Key, r.Kind, err)
		}
		if records[recordKey{r.Kind, r.Key}] {
			bad("record %q of kind %q appears twice", r.Key, r.Kind)
		}
		records[recordKey{r.Kind, r.Key}] = true
	}
	return problems
}

func contains(list []Status, st Status) bool {
	for _, s := range list {
		if s == st {
			return true
		}
	}
	return false
}
