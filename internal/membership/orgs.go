package membership

import (
	"context"
	"errors"
	"fmt"

	"github.com/localsec/localsec/internal/organizations"
	"github.com/localsec/localsec/internal/store"
)

// orgView is an account's organization as the engine sees it inside one
// transaction: from the Organizations engine when it has one, else from
// the Organization it was given.
type orgView struct {
	exists     bool
	management string
	contains   func(account string) (bool, error)
	// live is set when the view comes from the Organizations engine.
	live *organizations.In
	org  organizations.Organization
}

// orgOf returns the organization account belongs to (exists is false
// when it belongs to none).
func (s *Service) orgOf(ctx context.Context, tx store.Tx, account string) (orgView, error) {
	if s.e.orgs == nil {
		o := s.e.org
		return orgView{
			exists:     o.Contains(account),
			management: o.ManagementAccount,
			contains:   func(a string) (bool, error) { return o.Contains(a), nil },
		}, nil
	}
	in := s.e.orgs.In(ctx, tx)
	org, ok, err := in.OrganizationOf(account)
	if err != nil || !ok {
		return orgView{contains: func(string) (bool, error) { return false, nil }}, err
	}
	return orgView{
		exists:     true,
		management: org.Management,
		contains:   func(a string) (bool, error) { return in.Contains(org, a) },
		live:       &in,
		org:        org,
	}, nil
}

// designate makes the Organizations side of designating admin (spec
// organizations.md §13.2): the principal gets trusted access, and a
// member account admin becomes its delegated administrator, unless
// Organizations already has another one, which only that account or the
// management account may be.
func (s *Service) designate(v orgView, admin string) error {
	if v.live == nil || s.rules.ServicePrincipal == "" || v.org.FeatureSet != organizations.FeatureSetAll {
		return nil
	}
	current, ok, err := v.live.DelegatedAdministrator(v.org, s.rules.ServicePrincipal)
	if err != nil {
		return err
	}
	if ok && current != admin && admin != v.management {
		return refuse(CodeOrgAdminExists)
	}
	if err := v.live.EnableServiceAccess(v.org, s.rules.ServicePrincipal); err != nil {
		return err
	}
	if admin == v.management || (ok && current == admin) {
		return nil
	}
	return v.live.RegisterDelegatedAdministrator(v.org, admin, s.rules.ServicePrincipal)
}

// orgListener ends what the services based on an organization when the
// organization changes (spec organizations.md §13.3 to §13.5).
type orgListener struct{ e *Engine }

var _ organizations.Listener = orgListener{}

// AccountLeft: the account's memberships through Organizations, in every
// service and region, become Removed; the service stays enabled in it.
func (l orgListener) AccountLeft(ctx context.Context, tx store.Tx, _ organizations.Organization, account string) error {
	now := l.e.clock.Now().UTC()
	for _, s := range l.e.servicesByPrincipal("") {
		ms, err := tx.ListMemberships(ctx, store.MembershipQuery{Service: s.name, Account: account})
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.Association != store.AssociationOrganizations || m.Status == store.StatusRemoved {
				continue
			}
			m.Status, m.Updated = store.StatusRemoved, now
			if err := tx.PutMember(ctx, m); err != nil {
				return err
			}
		}
	}
	return nil
}

// DelegatedAdminDeregistered: the service designation the account held
// ends in every region, as DisableOrgAdmin ends it in one.
func (l orgListener) DelegatedAdminDeregistered(ctx context.Context, tx store.Tx, _ organizations.Organization, principal, account string) error {
	return l.undesignate(ctx, tx, principal, func(a string) bool { return a == account })
}

// ServiceAccessDisabled: the service's designations in the organization
// end in every region, and with them its memberships through
// Organizations (spec §13.4).
func (l orgListener) ServiceAccessDisabled(ctx context.Context, tx store.Tx, org organizations.Organization, principal string) error {
	in := l.e.orgs.In(ctx, tx)
	var err error
	undo := l.undesignate(ctx, tx, principal, func(a string) bool {
		ok, e := in.Contains(org, a)
		if e != nil {
			err = e
		}
		return ok || a == org.Management
	})
	if undo != nil {
		return undo
	}
	return err
}

// AccountJoined: nothing yet; auto-enable acts on it (issue 15).
func (l orgListener) AccountJoined(context.Context, store.Tx, organizations.Organization, string) error {
	return nil
}

// undesignate removes, for the services of principal, every delegated
// administrator designation of an account chosen keeps, in every region;
// their members through Organizations become Removed.
func (l orgListener) undesignate(ctx context.Context, tx store.Tx, principal string, chosen func(string) bool) error {
	services := l.e.servicesByPrincipal(principal)
	if len(services) == 0 {
		return nil
	}
	// Designations are kept per region; the snapshot finds them in
	// every region, whatever regions clients signed for. These events
	// are rare, so reading the whole state is affordable.
	snap, err := tx.All(ctx)
	if err != nil {
		return err
	}
	for _, s := range services {
		for _, a := range snap.OrgAdmins {
			if a.Service != s.name || !chosen(a.Account) {
				continue
			}
			if err := s.removeOrgAdmin(ctx, tx, a.AccountKey); err != nil {
				return err
			}
		}
	}
	return nil
}

// removeOrgAdmin deletes a designation; the members the administrator had
// through Organizations become Removed.
func (s *Service) removeOrgAdmin(ctx context.Context, tx store.Tx, k store.AccountKey) error {
	if err := tx.DeleteOrgAdmin(ctx, k); err != nil {
		return err
	}
	ms, err := tx.ListMembers(ctx, store.MemberQuery{Admin: k})
	if err != nil {
		return err
	}
	now := s.now()
	for _, m := range ms {
		if m.Association != store.AssociationOrganizations || m.Status == store.StatusRemoved {
			continue
		}
		m.Status = store.StatusRemoved
		m.Updated = now
		if err := tx.PutMember(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// orgRefusal turns a refusal of the Organizations engine during a
// service's call into the service's refusal.
func orgRefusal(err error) error {
	if e := organizations.ErrorOf(err); e != nil && !errors.Is(err, store.ErrNotFound) {
		switch e.Code {
		case organizations.CodeAccountNotFound, organizations.CodeNotInUse:
			return refuse(CodeNotInOrganization)
		case organizations.CodeConstraintViolation:
			return refuse(CodeOrgAdminExists)
		}
		return refuse(CodeNotInOrganization)
	}
	return err
}

// ReconcileOrganizations makes AWS Organizations agree with the services'
// designations, as designating through the API would have: every
// delegated administrator designation of an account in an organization
// gets the service's trusted access and, for an account other than the
// management account, the delegated administrator registration. It runs
// once a seed or an older store has been loaded, whose designations were
// written without Organizations; a designation that contradicts the
// organization's registered delegated administrator is refused, naming
// both.
func (e *Engine) ReconcileOrganizations(ctx context.Context) error {
	if e.orgs == nil {
		return nil
	}
	return e.store.Update(ctx, func(tx store.Tx) error {
		snap, err := tx.All(ctx)
		if err != nil {
			return err
		}
		services := map[string]*Service{}
		for _, s := range e.servicesByPrincipal("") {
			services[s.name] = s
		}
		for _, a := range snap.OrgAdmins {
			s := services[a.Service]
			if s == nil {
				continue
			}
			v, err := s.orgOf(ctx, tx, a.Account)
			if err != nil {
				return err
			}
			if !v.exists {
				continue
			}
			if err := s.designate(v, a.Account); err != nil {
				if ErrorCode(err) == CodeOrgAdminExists {
					current, _, _ := v.live.DelegatedAdministrator(v.org, s.rules.ServicePrincipal)
					return fmt.Errorf("%s's delegated administrator in %s is %s, but the organization %s registered %s for %s",
						a.Service, a.Region, a.Account, v.org.ID, current, s.rules.ServicePrincipal)
				}
				return err
			}
		}
		return nil
	})
}
