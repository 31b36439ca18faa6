package macie2

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol/restjson"
)

// CreateMember: POST /members.
func (s *Service) createMember(ctx context.Context, r *restjson.Request) (any, error) {
	var in struct {
		Account *struct {
			AccountID *string `json:"accountId"`
			Email     *string `json:"email"`
		} `json:"account"`
		Tags map[string]string `json:"tags"`
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	switch {
	case in.Account == nil:
		return nil, restjson.Missing("account")
	case in.Account.AccountID == nil:
		return nil, restjson.Missing("account.accountId")
	case in.Account.Email == nil:
		return nil, restjson.Missing("account.email")
	case !membership.IsAccountID(*in.Account.AccountID):
		return nil, restjson.Invalid("account.accountId", "an account ID is 12 digits.")
	case !plausibleEmail(*in.Account.Email):
		return nil, restjson.Invalid("account.email", "it is not an email address.")
	}
	if err := checkTags("tags", in.Tags); err != nil {
		return nil, err
	}
	c := caller(r)
	account := *in.Account.AccountID
	unprocessed, err := s.svc.CreateMembers(ctx, c, []membership.NewMember{{Account: account, Email: *in.Account.Email, Tags: in.Tags}})
	if err != nil {
		return nil, err
	}
	if err := refusal(unprocessed); err != nil {
		return nil, err
	}
	return struct {
		Arn string `json:"arn"`
	}{memberARN(c.Region, c.Account, account)}, nil
}

// plausibleEmail accepts what looks like an address: one "@", text on both
// sides, no spaces. AWS's exact rule is unknown (spec §4.1).
func plausibleEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && domain != "" && !strings.Contains(domain, "@") &&
		!strings.ContainsAny(s, " \t\r\n") && utf8.RuneCountInString(s) <= 254
}

// ListMembers: GET /members.
func (s *Service) listMembers(ctx context.Context, r *restjson.Request) (any, error) {
	p, err := page(r)
	if err != nil {
		return nil, err
	}
	// onlyAssociated is a string; anything but "false" (in any case)
	// means the associated members only (spec §4.3).
	onlyAssociated := !strings.EqualFold(r.Query().Get("onlyAssociated"), "false")
	views, next, err := s.svc.ListMembers(ctx, caller(r), onlyAssociated, p)
	if err != nil {
		return nil, err
	}
	out := struct {
		Members   []member `json:"members"`
		NextToken string   `json:"nextToken,omitempty"`
	}{Members: make([]member, 0, len(views)), NextToken: next}
	for _, v := range views {
		out.Members = append(out.Members, toMember(v))
	}
	return out, nil
}

// GetMember: GET /members/{id}.
func (s *Service) getMember(ctx context.Context, r *restjson.Request) (any, error) {
	v, err := s.svc.GetMember(ctx, caller(r), r.Param("id"))
	if err != nil {
		return nil, notAssociated(err)
	}
	return toMember(v), nil
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
func (s *Service) deleteMember(ctx context.Context, r *restjson.Request) (any, error) {
	unprocessed, err := s.svc.DeleteMembers(ctx, caller(r), []string{r.Param("id")})
	if err != nil {
		return nil, err
	}
	return nil, notAssociated(refusal(unprocessed))
}

// DisassociateMember: POST /members/disassociate/{id}.
func (s *Service) disassociateMember(ctx context.Context, r *restjson.Request) (any, error) {
	unprocessed, err := s.svc.DisassociateMembers(ctx, caller(r), []string{r.Param("id")})
	if err != nil {
		return nil, err
	}
	return nil, notAssociated(refusal(unprocessed))
}

// UpdateMemberSession: PATCH /macie/members/{id}.
func (s *Service) updateMemberSession(ctx context.Context, r *restjson.Request) (any, error) {
	var in struct {
		Status *string `json:"status"`
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if in.Status == nil {
		return nil, restjson.Missing("status")
	}
	if err := checkMacieStatus("status", in.Status); err != nil {
		return nil, err
	}
	unprocessed, err := s.svc.SetMembersSuspended(ctx, caller(r), []string{r.Param("id")}, *in.Status == "PAUSED")
	if err != nil {
		return nil, err
	}
	return nil, notAssociated(refusal(unprocessed))
}

// CreateInvitations: POST /invitations.
func (s *Service) createInvitations(ctx context.Context, r *restjson.Request) (any, error) {
	var in struct {
		AccountIDs               *[]string `json:"accountIds"`
		DisableEmailNotification *bool     `json:"disableEmailNotification"`
		Message                  *string   `json:"message"`
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	ids, err := accountIDList("accountIds", in.AccountIDs)
	if err != nil {
		return nil, err
	}
	var opt membership.InviteOptions
	if in.Message != nil {
		if utf8.RuneCountInString(*in.Message) > maxInvitationMessage {
			return nil, restjson.Invalid("message", "it can be at most 80 characters long.")
		}
		opt.Message = *in.Message
	}
	if in.DisableEmailNotification != nil {
		opt.DisableEmailNotification = *in.DisableEmailNotification
	}
	unprocessed, err := s.svc.InviteMembers(ctx, caller(r), ids, opt)
	if err != nil {
		return nil, err
	}
	return unprocessedOutput{s.errs.unprocessedAccounts(unprocessed, nil)}, nil
}

type unprocessedOutput struct {
	UnprocessedAccounts []unprocessedAccount `json:"unprocessedAccounts"`
}
