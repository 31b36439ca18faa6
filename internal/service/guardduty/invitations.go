package guardduty

import (
	"context"

	api "github.com/localsec/localsec/internal/api/guardduty"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/model"
	"github.com/localsec/localsec/internal/service/adapter"
)

func toInvitation(inv membership.Invitation) api.Invitation {
	status := relationshipStatus(inv.Status)
	// A Resigned member's standing invitation can be accepted again: the
	// invitee sees it as an invitation, Invited (spec §4).
	if inv.Status == "Resigned" {
		status = "Invited"
	}
	return api.Invitation{
		AccountId:          new(inv.Admin),
		InvitationId:       adapter.NonEmpty(inv.ID),
		RelationshipStatus: new(status),
		InvitedAt:          isoTime(inv.InvitedAt),
	}
}

// ListInvitations: GET /invitation.
func (s *Service) ListInvitations(ctx context.Context, call *protocol.Call, in *api.ListInvitationsRequest) (*api.ListInvitationsResponse, error) {
	invs, next, err := adapter.List(page(in.MaxResults, in.NextToken), func(p membership.Page) ([]membership.Invitation, string, error) {
		return s.svc.ListInvitations(ctx, caller(call), p)
	}, toInvitation)
	if err != nil {
		return nil, err
	}
	return &api.ListInvitationsResponse{Invitations: invs, NextToken: next}, nil
}

// GetInvitationsCount: GET /invitation/count.
func (s *Service) GetInvitationsCount(ctx context.Context, call *protocol.Call, _ *api.GetInvitationsCountRequest) (*api.GetInvitationsCountResponse, error) {
	n, err := s.svc.CountInvitations(ctx, caller(call))
	if err != nil {
		return nil, err
	}
	return &api.GetInvitationsCountResponse{InvitationsCount: new(int32(n))}, nil
}

// AcceptAdministratorInvitation: POST /detector/{detectorId}/administrator.
func (s *Service) AcceptAdministratorInvitation(ctx context.Context, call *protocol.Call, in *api.AcceptAdministratorInvitationRequest) (*api.AcceptAdministratorInvitationResponse, error) {
	return nil, s.accept(ctx, call, in.DetectorId, *in.AdministratorId, *in.InvitationId)
}

// AcceptInvitation: POST /detector/{detectorId}/master, the deprecated
// AcceptAdministratorInvitation (Terraform's invite accepter uses it).
func (s *Service) AcceptInvitation(ctx context.Context, call *protocol.Call, in *api.AcceptInvitationRequest) (*api.AcceptInvitationResponse, error) {
	return nil, s.accept(ctx, call, in.DetectorId, *in.MasterId, *in.InvitationId)
}

func (s *Service) accept(ctx context.Context, call *protocol.Call, detectorID *string, admin, id string) error {
	c, err := detectorCaller(call, detectorID)
	if err != nil {
		return err
	}
	if id == "" {
		// An empty invitation id is refused as an invalid value
		// (terraform-provider-aws#38833), before any state is read.
		return model.Refuse("invitationId", "The invitationId must not be empty.")
	}
	return s.svc.AcceptInvitation(ctx, c, admin, id)
}

// DeclineInvitations: POST /invitation/decline.
func (s *Service) DeclineInvitations(ctx context.Context, call *protocol.Call, in *api.DeclineInvitationsRequest) (*api.DeclineInvitationsResponse, error) {
	ids, err := accountIDs("accountIds", in.AccountIds)
	if err != nil {
		return nil, err
	}
	us, err := s.svc.DeclineInvitations(ctx, caller(call), ids)
	if err != nil {
		return nil, err
	}
	overrides := map[membership.Code]string{membership.CodeInvitationIsCurrent: declineCurrentInvitation}
	return &api.DeclineInvitationsResponse{UnprocessedAccounts: s.unprocessedAccounts(us, overrides)}, nil
}

// DeleteInvitations: POST /invitation/delete.
func (s *Service) DeleteInvitations(ctx context.Context, call *protocol.Call, in *api.DeleteInvitationsRequest) (*api.DeleteInvitationsResponse, error) {
	ids, err := accountIDs("accountIds", in.AccountIds)
	if err != nil {
		return nil, err
	}
	us, err := s.svc.DeleteInvitations(ctx, caller(call), ids)
	if err != nil {
		return nil, err
	}
	return &api.DeleteInvitationsResponse{UnprocessedAccounts: s.unprocessedAccounts(us, nil)}, nil
}

// GetAdministratorAccount: GET /detector/{detectorId}/administrator.
func (s *Service) GetAdministratorAccount(ctx context.Context, call *protocol.Call, in *api.GetAdministratorAccountRequest) (*api.GetAdministratorAccountResponse, error) {
	inv, ok, err := s.administrator(ctx, call, in.DetectorId)
	if err != nil || !ok {
		return nil, err
	}
	return &api.GetAdministratorAccountResponse{Administrator: new(api.Administrator(toInvitation(inv)))}, nil
}

// GetMasterAccount: GET /detector/{detectorId}/master.
func (s *Service) GetMasterAccount(ctx context.Context, call *protocol.Call, in *api.GetMasterAccountRequest) (*api.GetMasterAccountResponse, error) {
	inv, ok, err := s.administrator(ctx, call, in.DetectorId)
	if err != nil || !ok {
		return nil, err
	}
	return &api.GetMasterAccountResponse{Master: new(api.Master(toInvitation(inv)))}, nil
}

func (s *Service) administrator(ctx context.Context, call *protocol.Call, detectorID *string) (membership.Invitation, bool, error) {
	c, err := detectorCaller(call, detectorID)
	if err != nil {
		return membership.Invitation{}, false, err
	}
	return s.svc.Administrator(ctx, c)
}

// DisassociateFromAdministratorAccount: POST
// /detector/{detectorId}/administrator/disassociate.
func (s *Service) DisassociateFromAdministratorAccount(ctx context.Context, call *protocol.Call, in *api.DisassociateFromAdministratorAccountRequest) (*api.DisassociateFromAdministratorAccountResponse, error) {
	return nil, s.disassociate(ctx, call, in.DetectorId)
}

// DisassociateFromMasterAccount: POST /detector/{detectorId}/master/disassociate.
func (s *Service) DisassociateFromMasterAccount(ctx context.Context, call *protocol.Call, in *api.DisassociateFromMasterAccountRequest) (*api.DisassociateFromMasterAccountResponse, error) {
	return nil, s.disassociate(ctx, call, in.DetectorId)
}

func (s *Service) disassociate(ctx context.Context, call *protocol.Call, detectorID *string) error {
	c, err := detectorCaller(call, detectorID)
	if err != nil {
		return err
	}
	return s.svc.DisassociateFromAdministrator(ctx, c)
}
