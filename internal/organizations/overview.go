package organizations

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/localsec/localsec/internal/store"
)

// Overview is one organization in full, as localsec's own read-only views
// (the web console) show it: its description (see describe for the
// order of each list), with what those views derive from it.
type Overview struct {
	OrgDescription
	// ManagementName and ManagementEmail are the management account's,
	// as DescribeOrganization gives them.
	ManagementName, ManagementEmail string
	// Delegated are OrgDescription.Delegations grouped by principal, by
	// principal; each principal's administrators by account id.
	Delegated []DelegatedPrincipal
}

// DelegatedPrincipal is a service principal and its delegated
// administrators.
type DelegatedPrincipal struct {
	Principal      string
	Administrators []Delegation
}

// Overviews returns every organization, by id, read in one transaction.
// It is for localsec's own views, which see every organization at once:
// no caller, so no permission check, and no paging. It reads each kind of
// record a description needs once, whatever the number of organizations
// and accounts, and writes nothing. Each handshake's State is its state
// now: an OPEN handshake past its expiry is EXPIRED.
func (e *Engine) Overviews(ctx context.Context) ([]Overview, error) {
	var out []Overview
	err := e.view(ctx, func(t *txn) error {
		var records []store.Record
		for _, kind := range describedKinds {
			rs, err := t.tx.ListRecords(t.ctx, store.RecordQuery{Kind: kind})
			if err != nil {
				return err
			}
			records = append(records, rs...)
		}
		// Records that do not fit together, which the engine never
		// leaves, are passed over: a view shows what it can, where an
		// export (Describe) refuses.
		d, _, err := describe(records)
		if err != nil {
			return fmt.Errorf("organizations: %w", err)
		}
		for _, o := range d.Organizations {
			out = append(out, t.overview(o))
		}
		return nil
	})
	return out, err
}

// overview adds to an organization's description what the views derive.
func (t *txn) overview(o OrgDescription) Overview {
	v := Overview{OrgDescription: o}
	// Sorted as the API lists them, whatever order records seeded as
	// they are hold.
	v.PolicyTypes = slices.Sorted(slices.Values(o.PolicyTypes))
	if i := slices.IndexFunc(o.Accounts, func(a AccountDescription) bool { return a.ID == o.Management }); i >= 0 {
		v.ManagementName, v.ManagementEmail = o.Accounts[i].Name, o.Accounts[i].Email
	}
	if v.ManagementName == "" {
		v.ManagementName, v.ManagementEmail = t.e.identity(o.Management)
	}
	v.Handshakes = slices.Clone(o.Handshakes)
	for i := range v.Handshakes {
		h := &v.Handshakes[i]
		h.State = t.state(&handshakeRecord{State: h.State, Expires: h.Expires})
	}
	for _, g := range o.Delegations {
		i := slices.IndexFunc(v.Delegated, func(p DelegatedPrincipal) bool { return p.Principal == g.Principal })
		if i < 0 {
			v.Delegated = append(v.Delegated, DelegatedPrincipal{Principal: g.Principal})
			i = len(v.Delegated) - 1
		}
		// Delegations come by principal then account: each principal's
		// administrators stay by account id.
		v.Delegated[i].Administrators = append(v.Delegated[i].Administrators, g)
	}
	slices.SortFunc(v.Delegated, func(a, b DelegatedPrincipal) int { return cmp.Compare(a.Principal, b.Principal) })
	return v
}
