package membership

import (
	"context"
	"errors"

	"github.com/localsec/localsec/internal/store"
)

// isOrgAdmin reports whether account is the delegated administrator of the
// caller's scope.
func (s *Service) isOrgAdmin(ctx context.Context, tx store.Tx, c Caller, account string) (bool, error) {
	if s.e.orgs == nil && !s.e.org.Exists() {
		return false, nil
	}
	_, err := tx.GetOrgAdmin(ctx, s.accountKey(c, account))
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// requireManagement checks that the caller is the management account of
// its organization (and enabled, when the rules ask for it), and returns
// the organization.
func (s *Service) requireManagement(ctx context.Context, tx store.Tx, c Caller) (orgView, error) {
	if err := s.requireEnabledIf(ctx, tx, c, s.rules.OrganizationNeedsEnablement); err != nil {
		return orgView{}, err
	}
	v, err := s.orgOf(ctx, tx, c.Account)
	if err != nil {
		return v, err
	}
	if !v.exists || c.Account != v.management {
		return v, refuse(CodeNotManagementAccount)
	}
	return v, nil
}

// orgAdmins returns the delegated administrators of the caller's scope
// that belong to organization v (several organizations can designate
// administrators in one region).
func (s *Service) orgAdmins(ctx context.Context, tx store.Tx, c Caller, v orgView) ([]store.OrgAdmin, error) {
	all, err := tx.ListOrgAdmins(ctx, s.scope(c))
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, a := range all {
		in, err := v.contains(a.Account)
		if err != nil {
			return nil, err
		}
		if in {
			out = append(out, a)
		}
	}
	return out, nil
}

// EnableOrgAdmin designates admin as the service's delegated administrator
// in the caller's region. Designating the current one again is a no-op.
// When the rules say so, the service is enabled in admin with settings.
func (s *Service) EnableOrgAdmin(ctx context.Context, c Caller, admin string, settings []byte) error {
	return s.update(ctx, func(tx store.Tx) error {
		v, err := s.requireManagement(ctx, tx, c)
		if err != nil {
			return err
		}
		if !IsAccountID(admin) {
			return refuse(CodeInvalidAccountID)
		}
		if in, err := v.contains(admin); err != nil {
			return err
		} else if !in {
			return refuse(CodeNotInOrganization)
		}
		current, err := s.orgAdmins(ctx, tx, c, v)
		if err != nil {
			return err
		}
		// One delegated administrator per organization and region: the
		// same one again is a no-op, another is a conflict.
		if len(current) > 0 {
			if current[0].Account == admin {
				return nil
			}
			return refuse(CodeOrgAdminExists)
		}
		if err := s.designate(v, admin); err != nil {
			return orgRefusal(err)
		}
		k := s.accountKey(c, admin)
		if err := tx.PutOrgAdmin(ctx, store.OrgAdmin{AccountKey: k, Status: store.OrgAdminEnabled, Created: s.now()}); err != nil {
			return err
		}
		if !s.rules.OrgAdminEnablesService {
			return nil
		}
		if _, err := tx.GetEnablement(ctx, k); !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return tx.PutEnablement(ctx, s.newEnablement(k, EnableInput{Settings: settings}))
	})
}

// DisableOrgAdmin removes admin's designation in the caller's region. The
// members it had through Organizations become Removed. Organizations'
// delegated administrator registration stays (spec organizations.md
// §13.3).
func (s *Service) DisableOrgAdmin(ctx context.Context, c Caller, admin string) error {
	return s.update(ctx, func(tx store.Tx) error {
		v, err := s.requireManagement(ctx, tx, c)
		if err != nil {
			return err
		}
		k := s.accountKey(c, admin)
		if _, err := tx.GetOrgAdmin(ctx, k); errors.Is(err, store.ErrNotFound) {
			return refuse(CodeOrgAdminNotFound)
		} else if err != nil {
			return err
		}
		if in, err := v.contains(admin); err != nil {
			return err
		} else if !in && admin != v.management {
			return refuse(CodeOrgAdminNotFound)
		}
		return s.removeOrgAdmin(ctx, tx, k)
	})
}

// ListOrgAdmins returns a page of the delegated administrators of the
// caller's region.
func (s *Service) ListOrgAdmins(ctx context.Context, c Caller, p Page) ([]store.OrgAdmin, string, error) {
	var out []store.OrgAdmin
	var next string
	err := s.view(ctx, func(tx store.Tx) error {
		out, next = nil, ""
		v, err := s.requireManagement(ctx, tx, c)
		if err != nil {
			return err
		}
		after, err := decodeToken(listOrgAdmins, p.Token)
		if err != nil {
			return err
		}
		all, err := s.orgAdmins(ctx, tx, c, v)
		if err != nil {
			return err
		}
		for _, a := range all {
			if a.Account <= after {
				continue
			}
			if len(out) == p.limit() {
				next = encodeToken(listOrgAdmins, out[len(out)-1].Account)
				break
			}
			out = append(out, a)
		}
		return nil
	})
	return out, next, err
}

// requireOrgAdmin checks that the caller is the delegated administrator.
func (s *Service) requireOrgAdmin(ctx context.Context, tx store.Tx, c Caller) error {
	if c.ResourceID != "" {
		if _, err := s.requireEnabled(ctx, tx, c); err != nil {
			return err
		}
	}
	ok, err := s.isOrgAdmin(ctx, tx, c, c.Account)
	if err != nil {
		return err
	}
	if !ok {
		return refuse(CodeNotOrgAdmin)
	}
	return nil
}

// OrgConfig returns the delegated administrator's organization
// configuration (the zero configuration if it never set one).
func (s *Service) OrgConfig(ctx context.Context, c Caller) (store.OrgConfig, error) {
	var out store.OrgConfig
	err := s.view(ctx, func(tx store.Tx) error {
		if err := s.requireOrgAdmin(ctx, tx, c); err != nil {
			return err
		}
		k := s.accountKey(c, c.Account)
		cfg, err := tx.GetOrgConfig(ctx, k)
		if errors.Is(err, store.ErrNotFound) {
			out = store.OrgConfig{AccountKey: k}
			return nil
		}
		out = cfg
		return err
	})
	return out, err
}

// OrgConfigUpdate changes an organization configuration. Nil fields stay.
type OrgConfigUpdate struct {
	AutoEnable *bool
	// Settings computes the new settings document from the old one.
	Settings func(old []byte) ([]byte, error)
}

// UpdateOrgConfig changes the delegated administrator's organization
// configuration.
func (s *Service) UpdateOrgConfig(ctx context.Context, c Caller, u OrgConfigUpdate) error {
	return s.update(ctx, func(tx store.Tx) error {
		if err := s.requireOrgAdmin(ctx, tx, c); err != nil {
			return err
		}
		k := s.accountKey(c, c.Account)
		cfg, err := tx.GetOrgConfig(ctx, k)
		if errors.Is(err, store.ErrNotFound) {
			cfg = store.OrgConfig{AccountKey: k}
		} else if err != nil {
			return err
		}
		if u.AutoEnable != nil {
			cfg.AutoEnable = *u.AutoEnable
		}
		if u.Settings != nil {
			if cfg.Settings, err = u.Settings(cfg.Settings); err != nil {
				return err
			}
		}
		cfg.Updated = s.now()
		return tx.PutOrgConfig(ctx, cfg)
	})
}
