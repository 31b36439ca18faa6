package macie2

import (
	"context"

	api "github.com/localsec/localsec/internal/api/macie2"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/service/adapter"
)

func toInvitation(inv membership.Invitation) api.Invitation {
	return api.Invitation{
		AccountId:          new(inv.Admin),
		InvitationId:       adapter.NonEmpty(inv.ID),
		InvitedAt:          timestamp(inv.InvitedAt),
		RelationshipStatus: new(relationshipStatus(inv.Status)),
	}
}

// ListInvitations: GET /invitations.
func (s *Service) ListInvitations(ctx context.Context, call *protocol.Call, in *api.ListInvitationsRequest) (*api.ListInvitationsResponse, error) {
	invs, next, err := adapter.List(page(in.MaxResults, in.NextToken), func(p membership.Page) ([]membership.Invitation, string, error) {
		return s.svc.ListInvitations(ctx, caller(call), p)
	}, toInvitation)
	if err != nil {
		return nil, err
	}
	return &api.ListInvitationsResponse{Invitations: invs, NextToken: next}, nil
}

// GetInvitationsCount: GET /invitations/count.
func (s *Service) GetInvitationsCount(ctx context.Context, call *protocol.Call, _ *api.GetInvitationsCountRequest) (*api.GetInvitationsCountResponse, error) {
	n, err := s.svc.CountInvitations(ctx, caller(call))
	if err != nil {
		return nil, err
	}
	return &api.GetInvitationsCountResponse{InvitationsCount: new(int64(n))}, nil
}

// AcceptInvitation: POST /invitations/accept.
func (s *Service) AcceptInvitation(ctx context.Context, call *protocol.Call, in *api.AcceptInvitationRequest) (*api.AcceptInvitationResponse, error) {
	// masterAccount is the deprecated name of administratorAccountId: one
	// of them must be given, and both must agree when both are.
	var admin string
	switch {
	case in.AdministratorAccountId != nil && in.MasterAccount != nil && *in.AdministratorAccountId != *in.MasterAccount:
		return nil, refuse("administratorAccountId", "The value of administratorAccountId is not valid: it must equal masterAccount when both are specified.")
	case in.AdministratorAccountId != nil:
		admin = *in.AdministratorAccountId
	case in.MasterAccount != nil:
		admin = *in.MasterAccount
	default:
		return nil, refuse("administratorAccountId", "The administratorAccountId member is required.")
	}
	return nil, s.svc.AcceptInvitation(ctx, caller(call), admin, *in.InvitationId)
}

// DeclineInvitations: POST /invitations/decline.
func (s *Service) DeclineInvitations(ctx context.Context, call *protocol.Call, in *api.DeclineInvitationsRequest) (*api.DeclineInvitationsResponse, error) {
	ids, err := accountIDs("accountIds", in.AccountIds)
	if err != nil {
		return nil, err
	}
	unprocessed, err := s.svc.DeclineInvitations(ctx, caller(call), ids)
	if err != nil {
		return nil, err
	}
	return &api.DeclineInvitationsResponse{UnprocessedAccounts: s.unprocessedAccounts(unprocessed, nil)}, nil
}

// DeleteInvitations: POST /invitations/delete.
func (s *Service) DeleteInvitations(ctx context.Context, call *protocol.Call, in *api.DeleteInvitationsRequest) (*api.DeleteInvitationsResponse, error) {
	ids, err := accountIDs("accountIds", in.AccountIds)
	if err != nil {
		return nil, err
	}
	unprocessed, err := s.svc.DeleteInvitations(ctx, caller(call), ids)
	if err != nil {
		return nil, err
	}
	overrides := map[membership.Code]string{membership.CodeInvitationIsCurrent: deleteCurrentInvitation}
	return &api.DeleteInvitationsResponse{UnprocessedAccounts: s.unprocessedAccounts(unprocessed, overrides)}, nil
}

// GetAdministratorAccount: GET /administrator.
func (s *Service) GetAdministratorAccount(ctx context.Context, call *protocol.Call, _ *api.GetAdministratorAccountRequest) (*api.GetAdministratorAccountResponse, error) {
	inv, ok, err := s.svc.Administrator(ctx, caller(call))
	if err != nil || !ok {
		return nil, err
	}
	return &api.GetAdministratorAccountResponse{Administrator: new(toInvitation(inv))}, nil
}

// GetMasterAccount: GET /master, the deprecated GetAdministratorAccount.
func (s *Service) GetMasterAccount(ctx context.Context, call *protocol.Call, _ *api.GetMasterAccountRequest) (*api.GetMasterAccountResponse, error) {
	inv, ok, err := s.svc.Administrator(ctx, caller(call))
	if err != nil || !ok {
		return nil, err
	}
	return &api.GetMasterAccountResponse{Master: new(toInvitation(inv))}, nil
}

// DisassociateFromAdministratorAccount: POST /administrator/disassociate.
func (s *Service) DisassociateFromAdministratorAccount(ctx context.Context, call *protocol.Call, _ *api.DisassociateFromAdministratorAccountRequest) (*api.DisassociateFromAdministratorAccountResponse, error) {
	return nil, s.svc.DisassociateFromAdministrator(ctx, caller(call))
}

// DisassociateFromMasterAccount: POST /master/disassociate, the deprecated
// DisassociateFromAdministratorAccount.
func (s *Service) DisassociateFromMasterAccount(ctx context.Context, call *protocol.Call, _ *api.DisassociateFromMasterAccountRequest) (*api.DisassociateFromMasterAccountResponse, error) {
	return nil, s.svc.DisassociateFromAdministrator(ctx, caller(call))
}
