package macie2

import (
	"context"

	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol/restjson"
	"github.com/localsec/localsec/internal/store"
)

// EnableOrganizationAdminAccount: POST /admin.
func (s *Service) enableOrganizationAdminAccount(ctx context.Context, r *restjson.Request) (any, error) {
	var in struct {
		AdminAccountID *string `json:"adminAccountId"`
		ClientToken    *string `json:"clientToken"`
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if in.AdminAccountID == nil {
		return nil, restjson.Missing("adminAccountId")
	}
	// Designating the same account twice is already a no-op, so the
	// client token needs no bookkeeping.
	return nil, s.svc.EnableOrgAdmin(ctx, caller(r), *in.AdminAccountID, nil)
}

// DisableOrganizationAdminAccount: DELETE /admin?adminAccountId=.
func (s *Service) disableOrganizationAdminAccount(ctx context.Context, r *restjson.Request) (any, error) {
	admin := r.Query().Get("adminAccountId")
	if admin == "" {
		return nil, restjson.Missing("adminAccountId")
	}
	return nil, s.svc.DisableOrgAdmin(ctx, caller(r), admin)
}

// ListOrganizationAdminAccounts: GET /admin.
func (s *Service) listOrganizationAdminAccounts(ctx context.Context, r *restjson.Request) (any, error) {
	p, err := page(r)
	if err != nil {
		return nil, err
	}
	admins, next, err := s.svc.ListOrgAdmins(ctx, caller(r), p)
	if err != nil {
		return nil, err
	}
	out := struct {
		AdminAccounts []adminAccount `json:"adminAccounts"`
		NextToken     string         `json:"nextToken,omitempty"`
	}{AdminAccounts: make([]adminAccount, 0, len(admins)), NextToken: next}
	for _, a := range admins {
		status := "ENABLED"
		if a.Status == store.OrgAdminDisableInProgress {
			status = "DISABLING_IN_PROGRESS"
		}
		out.AdminAccounts = append(out.AdminAccounts, adminAccount{AccountID: a.Account, Status: status})
	}
	return out, nil
}

// DescribeOrganizationConfiguration: GET /admin/configuration.
func (s *Service) describeOrganizationConfiguration(ctx context.Context, r *restjson.Request) (any, error) {
	cfg, err := s.svc.OrgConfig(ctx, caller(r))
	if err != nil {
		return nil, err
	}
	return struct {
		AutoEnable             bool `json:"autoEnable"`
		MaxAccountLimitReached bool `json:"maxAccountLimitReached"`
	}{cfg.AutoEnable, len(s.org.Accounts)+1 >= organizationMemberQuota}, nil
}

// UpdateOrganizationConfiguration: PATCH /admin/configuration.
func (s *Service) updateOrganizationConfiguration(ctx context.Context, r *restjson.Request) (any, error) {
	var in struct {
		AutoEnable *bool `json:"autoEnable"`
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if in.AutoEnable == nil {
		return nil, restjson.Missing("autoEnable")
	}
	return nil, s.svc.UpdateOrgConfig(ctx, caller(r), orgConfigUpdate(*in.AutoEnable))
}

func orgConfigUpdate(autoEnable bool) membership.OrgConfigUpdate {
	return membership.OrgConfigUpdate{AutoEnable: &autoEnable}
}
