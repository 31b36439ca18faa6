package guardduty

import (
	"context"

	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol/restjson"
)

type invitation struct {
	AccountID          string              `json:"accountId"`
	InvitationID       string              `json:"invitationId,omitempty"`
	RelationshipStatus string              `json:"relationshipStatus"`
	InvitedAt          *restjson.Timestamp `json:"invitedAt,omitempty"`
}

func toInvitation(inv membership.Invitation) invitation {
	status := relationshipStatus(inv.Status)
	// A Resigned member's standing invitation can be accepted again: the
	// invitee sees it as an invitation, Invited (spec §4).
	if inv.Status == "Resigned" {
		status = "Invited"
	}
	return invitation{
		AccountID:          inv.Admin,
		InvitationID:       inv.ID,
		RelationshipStatus: status,
		InvitedAt:          restjson.NewTimestamp(inv.InvitedAt),
	}
}

// ListInvitations: GET /invitation.
func (s *Service) listInvitations(ctx context.Context, r *restjson.Request) (any, error) {
	p, err := page(r)
	if err != nil {
		return nil, err
	}
	invs, next, err := s.svc.ListInvitations(ctx, caller(r), p)
	if err != nil {
		return nil, err
	}
	out := struct {
		Invitations []invitation `json:"invitations"`
		NextToken   string       `json:"nextToken,omitempty"`
	}{Invitations: make([]invitation, 0, len(invs)), NextToken: next}
	for _, inv := range invs {
		out.Invitations = append(out.Invitations, toInvitation(inv))
	}
	return out, nil
}

// GetInvitationsCount: GET /invitation/count.
func (s *Service) getInvitationsCount(ctx context.Context, r *restjson.Request) (any, error) {
	n, err := s.svc.CountInvitations(ctx, caller(r))
	if err != nil {
		return nil, err
	}
	return struct {
		InvitationsCount int `json:"invitationsCount"`
	}{n}, nil
}

// AcceptAdministratorInvitation: POST /detector/{detectorId}/administrator.
func (s *Service) acceptAdministratorInvitation(ctx context.Context, r *restjson.Request) (any, error) {
	var in struct {
		AdministratorID *string `json:"administratorId"`
		InvitationID    *string `json:"invitationId"`
	}
	return s.accept(ctx, r, &in, func() (*string, *string) { return in.AdministratorID, in.InvitationID }, "administratorId")
}

// AcceptInvitation: POST /detector/{detectorId}/master, the deprecated
// AcceptAdministratorInvitation (Terraform's invite accepter uses it).
func (s *Service) acceptInvitation(ctx context.Context, r *restjson.Request) (any, error) {
	var in struct {
		MasterID     *string `json:"masterId"`
		InvitationID *string `json:"invitationId"`
	}
	return s.accept(ctx, r, &in, func() (*string, *string) { return in.MasterID, in.InvitationID }, "masterId")
}

func (s *Service) accept(ctx context.Context, r *restjson.Request, in any, fields func() (*string, *string), adminField string) (any, error) {
	c, err := detectorCaller(r)
	if err != nil {
		return nil, err
	}
	if err := r.Decode(in); err != nil {
		return nil, err
	}
	admin, id := fields()
	switch {
	case admin == nil:
		return nil, restjson.Missing(adminField)
	case id == nil:
		return nil, restjson.Missing("invitationId")
	case *id == "":
		// An empty invitation id is refused as an invalid value
		// (terraform-provider-aws#38833), before any state is read.
		return nil, restjson.Invalid("invitationId", "it must not be empty.")
	}
	return nil, s.svc.AcceptInvitation(ctx, c, *admin, *id)
}

// DeclineInvitations: POST /invitation/decline.
func (s *Service) declineInvitations(ctx context.Context, r *restjson.Request) (any, error) {
	var in accountIDsInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	ids, err := accountIDList("accountIds", in.AccountIDs)
	if err != nil {
		return nil, err
	}
	unprocessed, err := s.svc.DeclineInvitations(ctx, caller(r), ids)
	if err != nil {
		return nil, err
	}
	overrides := map[membership.Code]string{membership.CodeInvitationIsCurrent: declineCurrentInvitation}
	return unprocessedOutput{s.errs.unprocessedAccounts(unprocessed, overrides)}, nil
}

// DeleteInvitations: POST /invitation/delete.
func (s *Service) deleteInvitations(ctx context.Context, r *restjson.Request) (any, error) {
	var in accountIDsInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	ids, err := accountIDList("accountIds", in.AccountIDs)
	if err != nil {
		return nil, err
	}
	unprocessed, err := s.svc.DeleteInvitations(ctx, caller(r), ids)
	if err != nil {
		return nil, err
	}
	return unprocessedOutput{s.errs.unprocessedAccounts(unprocessed, nil)}, nil
}

// GetAdministratorAccount: GET /detector/{detectorId}/administrator.
func (s *Service) getAdministratorAccount(ctx context.Context, r *restjson.Request) (any, error) {
	inv, ok, err := s.administrator(ctx, r)
	if err != nil || !ok {
		return nil, err
	}
	return struct {
		Administrator invitation `json:"administrator"`
	}{toInvitation(inv)}, nil
}

// GetMasterAccount: GET /detector/{detectorId}/master.
func (s *Service) getMasterAccount(ctx context.Context, r *restjson.Request) (any, error) {
	inv, ok, err := s.administrator(ctx, r)
	if err != nil || !ok {
		return nil, err
	}
	return struct {
		Master invitation `json:"master"`
	}{toInvitation(inv)}, nil
}

func (s *Service) administrator(ctx context.Context, r *restjson.Request) (membership.Invitation, bool, error) {
	c, err := detectorCaller(r)
	if err != nil {
		return membership.Invitation{}, false, err
	}
	return s.svc.Administrator(ctx, c)
}

// DisassociateFromAdministratorAccount: POST
// /detector/{detectorId}/administrator/disassociate (and the deprecated
// /master/disassociate).
func (s *Service) disassociateFromAdministrator(ctx context.Context, r *restjson.Request) (any, error) {
	c, err := detectorCaller(r)
	if err != nil {
		return nil, err
	}
	return nil, s.svc.DisassociateFromAdministrator(ctx, c)
}
