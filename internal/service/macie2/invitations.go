package macie2

import (
	"context"

	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol/restjson"
)

// ListInvitations: GET /invitations.
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

// GetInvitationsCount: GET /invitations/count.
func (s *Service) getInvitationsCount(ctx context.Context, r *restjson.Request) (any, error) {
	n, err := s.svc.CountInvitations(ctx, caller(r))
	if err != nil {
		return nil, err
	}
	return struct {
		InvitationsCount int `json:"invitationsCount"`
	}{n}, nil
}

// AcceptInvitation: POST /invitations/accept.
func (s *Service) acceptInvitation(ctx context.Context, r *restjson.Request) (any, error) {
	var in struct {
		AdministratorAccountID *string `json:"administratorAccountId"`
		InvitationID           *string `json:"invitationId"`
		MasterAccount          *string `json:"masterAccount"`
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if in.InvitationID == nil {
		return nil, restjson.Missing("invitationId")
	}
	// masterAccount is the deprecated name of administratorAccountId: one
	// of them must be given, and both must agree when both are.
	var admin string
	switch {
	case in.AdministratorAccountID != nil && in.MasterAccount != nil && *in.AdministratorAccountID != *in.MasterAccount:
		return nil, restjson.Invalid("administratorAccountId", "it must equal masterAccount when both are specified.")
	case in.AdministratorAccountID != nil:
		admin = *in.AdministratorAccountID
	case in.MasterAccount != nil:
		admin = *in.MasterAccount
	default:
		return nil, restjson.Missing("administratorAccountId")
	}
	return nil, s.svc.AcceptInvitation(ctx, caller(r), admin, *in.InvitationID)
}

// accountIDsInput is the body of DeclineInvitations and DeleteInvitations.
type accountIDsInput struct {
	AccountIDs *[]string `json:"accountIds"`
}

// DeclineInvitations: POST /invitations/decline.
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
	return unprocessedOutput{s.errs.unprocessedAccounts(unprocessed, nil)}, nil
}

// DeleteInvitations: POST /invitations/delete.
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
	overrides := map[membership.Code]string{membership.CodeInvitationIsCurrent: deleteCurrentInvitation}
	return unprocessedOutput{s.errs.unprocessedAccounts(unprocessed, overrides)}, nil
}

// GetAdministratorAccount: GET /administrator.
func (s *Service) getAdministratorAccount(ctx context.Context, r *restjson.Request) (any, error) {
	inv, ok, err := s.svc.Administrator(ctx, caller(r))
	if err != nil || !ok {
		return nil, err
	}
	return struct {
		Administrator invitation `json:"administrator"`
	}{toInvitation(inv)}, nil
}

// GetMasterAccount: GET /master, the deprecated GetAdministratorAccount.
func (s *Service) getMasterAccount(ctx context.Context, r *restjson.Request) (any, error) {
	inv, ok, err := s.svc.Administrator(ctx, caller(r))
	if err != nil || !ok {
		return nil, err
	}
	return struct {
		Master invitation `json:"master"`
	}{toInvitation(inv)}, nil
}

// DisassociateFromAdministratorAccount: POST /administrator/disassociate
// (and the deprecated POST /master/disassociate).
func (s *Service) disassociateFromAdministrator(ctx context.Context, r *restjson.Request) (any, error) {
	return nil, s.svc.DisassociateFromAdministrator(ctx, caller(r))
}
