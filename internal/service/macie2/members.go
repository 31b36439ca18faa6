package macie2

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	api "github.com/localsec/localsec/internal/api/macie2"
	"github.com/localsec/localsec/internal/awsarn"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/service/adapter"
	"github.com/localsec/localsec/internal/store"
)

// relationshipStatus returns Macie's name for an engine status: the
// engine's Suspended is Macie's Paused; the others have the same names.
func relationshipStatus(st store.RelationshipStatus) string {
	if st == store.StatusSuspended {
		return api.RelationshipStatusPaused
	}
	return string(st)
}

// memberARN is arn:<partition>:macie2:<region>:<administrator>:member/<member>.
func memberARN(region, admin, memberAccount string) string {
	return awsarn.New(SigningName, region, admin, "member/"+memberAccount).String()
}

func timestamp(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func toMember(v membership.MemberView) api.Member {
	tags := v.Tags
	if tags == nil {
		tags = map[string]string{}
	}
	admin := new(v.Admin)
	m := api.Member{
		AccountId:              new(v.Member.Member),
		AdministratorAccountId: admin,
		Arn:                    new(memberARN(v.Region, v.Admin, v.Member.Member)),
		InvitedAt:              timestamp(v.InvitedAt),
		MasterAccountId:        admin,
		RelationshipStatus:     new(relationshipStatus(v.Status)),
		Tags:                   tags,
		UpdatedAt:              timestamp(v.Updated),
	}
	// Macie shows no email for accounts associated through Organizations
	// (model doc of Member.email).
	if v.Email != "" && v.Association != store.AssociationOrganizations {
		m.Email = new(v.Email)
	}
	return m
}

// CreateMember: POST /members.
func (s *Service) CreateMember(ctx context.Context, call *protocol.Call, in *api.CreateMemberRequest) (*api.CreateMemberResponse, error) {
	account, email := *in.Account.AccountId, *in.Account.Email
	switch {
	case !membership.IsAccountID(account):
		return nil, refuse("account.accountId", "The value of account.accountId is not valid: an account ID is 12 digits.")
	case !plausibleEmail(email):
		return nil, refuse("account.email", "The value of account.email is not valid: it is not an email address.")
	}
	if err := checkTags("tags", in.Tags); err != nil {
		return nil, err
	}
	c := caller(call)
	unprocessed, err := s.svc.CreateMembers(ctx, c, []membership.NewMember{{Account: account, Email: email, Tags: in.Tags}})
	if err != nil {
		return nil, err
	}
	if err := refusal(unprocessed); err != nil {
		return nil, err
	}
	return &api.CreateMemberResponse{Arn: new(memberARN(c.Region, c.Account, account))}, nil
}

// plausibleEmail accepts what looks like an address: one "@", text on both
// sides, no spaces. AWS's exact rule is unknown (spec §4.1).
func plausibleEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && domain != "" && !strings.Contains(domain, "@") &&
		!strings.ContainsAny(s, " \t\r\n") && utf8.RuneCountInString(s) <= 254
}

// ListMembers: GET /members.
func (s *Service) ListMembers(ctx context.Context, call *protocol.Call, in *api.ListMembersRequest) (*api.ListMembersResponse, error) {
	// onlyAssociated is a string; anything but "false" (in any case)
	// means the associated members only (spec §4.3).
	onlyAssociated := in.OnlyAssociated == nil || !strings.EqualFold(*in.OnlyAssociated, "false")
	members, next, err := adapter.List(page(in.MaxResults, in.NextToken), func(p membership.Page) ([]membership.MemberView, string, error) {
		return s.svc.ListMembers(ctx, caller(call), onlyAssociated, p)
	}, toMember)
	if err != nil {
		return nil, err
	}
	return &api.ListMembersResponse{Members: members, NextToken: next}, nil
}

// GetMember: GET /members/{id}.
func (s *Service) GetMember(ctx context.Context, call *protocol.Call, in *api.GetMemberRequest) (*api.GetMemberResponse, error) {
	v, err := s.svc.GetMember(ctx, caller(call), *in.Id)
	if err != nil {
		return nil, notAssociated(err)
	}
	// GetMember's output has the members of Member, in the same order.
	out := api.GetMemberResponse(toMember(v))
	return &out, nil
}

// notAssociated gives a malformed member id the same answer as an unknown
// one: from the administrator's side both are "not associated with your
// account".
func notAssociated(err error) error {
	if membership.ErrorCode(err) == membership.CodeInvalidAccountID {
		return &membership.Error{Code: membership.CodeNotMember}
	}
	return err
}

// DeleteMember: DELETE /members/{id}.
func (s *Service) DeleteMember(ctx context.Context, call *protocol.Call, in *api.DeleteMemberRequest) (*api.DeleteMemberResponse, error) {
	unprocessed, err := s.svc.DeleteMembers(ctx, caller(call), []string{*in.Id})
	if err != nil {
		return nil, err
	}
	return nil, notAssociated(refusal(unprocessed))
}

// DisassociateMember: POST /members/disassociate/{id}.
func (s *Service) DisassociateMember(ctx context.Context, call *protocol.Call, in *api.DisassociateMemberRequest) (*api.DisassociateMemberResponse, error) {
	unprocessed, err := s.svc.DisassociateMembers(ctx, caller(call), []string{*in.Id})
	if err != nil {
		return nil, err
	}
	return nil, notAssociated(refusal(unprocessed))
}

// UpdateMemberSession: PATCH /macie/members/{id}.
func (s *Service) UpdateMemberSession(ctx context.Context, call *protocol.Call, in *api.UpdateMemberSessionRequest) (*api.UpdateMemberSessionResponse, error) {
	unprocessed, err := s.svc.SetMembersSuspended(ctx, caller(call), []string{*in.Id}, *in.Status == api.MacieStatusPaused)
	if err != nil {
		return nil, err
	}
	return nil, notAssociated(refusal(unprocessed))
}

// CreateInvitations: POST /invitations.
func (s *Service) CreateInvitations(ctx context.Context, call *protocol.Call, in *api.CreateInvitationsRequest) (*api.CreateInvitationsResponse, error) {
	ids, err := accountIDs("accountIds", in.AccountIds)
	if err != nil {
		return nil, err
	}
	var opt membership.InviteOptions
	if in.Message != nil {
		if utf8.RuneCountInString(*in.Message) > maxInvitationMessage {
			return nil, refuse("message", "The value of message is not valid: it can be at most 80 characters long.")
		}
		opt.Message = *in.Message
	}
	if in.DisableEmailNotification != nil {
		opt.DisableEmailNotification = *in.DisableEmailNotification
	}
	unprocessed, err := s.svc.InviteMembers(ctx, caller(call), ids, opt)
	if err != nil {
		return nil, err
	}
	return &api.CreateInvitationsResponse{UnprocessedAccounts: s.unprocessedAccounts(unprocessed, nil)}, nil
}
