package macie2

import (
	"context"

	api "github.com/localsec/localsec/internal/api/macie2"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/service/adapter"
	"github.com/localsec/localsec/internal/store"
)

// EnableOrganizationAdminAccount: POST /admin.
func (s *Service) EnableOrganizationAdminAccount(ctx context.Context, call *protocol.Call, in *api.EnableOrganizationAdminAccountRequest) (*api.EnableOrganizationAdminAccountResponse, error) {
	// Designating the same account twice is already a no-op, so the
	// client token needs no bookkeeping.
	return nil, s.svc.EnableOrgAdmin(ctx, caller(call), *in.AdminAccountId, nil)
}

// DisableOrganizationAdminAccount: DELETE /admin?adminAccountId=.
func (s *Service) DisableOrganizationAdminAccount(ctx context.Context, call *protocol.Call, in *api.DisableOrganizationAdminAccountRequest) (*api.DisableOrganizationAdminAccountResponse, error) {
	if *in.AdminAccountId == "" {
		return nil, refuse("adminAccountId", "The adminAccountId member is required.")
	}
	return nil, s.svc.DisableOrgAdmin(ctx, caller(call), *in.AdminAccountId)
}

// ListOrganizationAdminAccounts: GET /admin.
func (s *Service) ListOrganizationAdminAccounts(ctx context.Context, call *protocol.Call, in *api.ListOrganizationAdminAccountsRequest) (*api.ListOrganizationAdminAccountsResponse, error) {
	admins, next, err := adapter.List(page(in.MaxResults, in.NextToken), func(p membership.Page) ([]store.OrgAdmin, string, error) {
		return s.svc.ListOrgAdmins(ctx, caller(call), p)
	}, func(a store.OrgAdmin) api.AdminAccount {
		status := api.AdminStatusEnabled
		if a.Status == store.OrgAdminDisableInProgress {
			status = api.AdminStatusDisablingInProgress
		}
		return api.AdminAccount{AccountId: new(a.Account), Status: new(status)}
	})
	if err != nil {
		return nil, err
	}
	return &api.ListOrganizationAdminAccountsResponse{AdminAccounts: admins, NextToken: next}, nil
}

// DescribeOrganizationConfiguration: GET /admin/configuration.
func (s *Service) DescribeOrganizationConfiguration(ctx context.Context, call *protocol.Call, _ *api.DescribeOrganizationConfigurationRequest) (*api.DescribeOrganizationConfigurationResponse, error) {
	cfg, err := s.svc.OrgConfig(ctx, caller(call))
	if err != nil {
		return nil, err
	}
	return &api.DescribeOrganizationConfigurationResponse{
		AutoEnable:             new(cfg.AutoEnable),
		MaxAccountLimitReached: new(len(s.org.Accounts)+1 >= organizationMemberQuota),
	}, nil
}

// UpdateOrganizationConfiguration: PATCH /admin/configuration.
func (s *Service) UpdateOrganizationConfiguration(ctx context.Context, call *protocol.Call, in *api.UpdateOrganizationConfigurationRequest) (*api.UpdateOrganizationConfigurationResponse, error) {
	return nil, s.svc.UpdateOrgConfig(ctx, caller(call), membership.OrgConfigUpdate{AutoEnable: in.AutoEnable})
}
