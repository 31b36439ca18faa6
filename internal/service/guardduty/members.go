package guardduty

import (
	"context"
	"strings"

	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol/restjson"
	"github.com/localsec/localsec/internal/store"
)

type member struct {
	AccountID          string              `json:"accountId"`
	DetectorID         string              `json:"detectorId,omitempty"`
	MasterID           string              `json:"masterId"`
	Email              string              `json:"email"`
	RelationshipStatus string              `json:"relationshipStatus"`
	InvitedAt          *restjson.Timestamp `json:"invitedAt,omitempty"`
	UpdatedAt          *restjson.Timestamp `json:"updatedAt,omitempty"`
	AdministratorID    string              `json:"administratorId"`
}

// relationshipStatus returns GuardDuty's name for an engine status: the
// engine's Suspended is GuardDuty's Disabled (stopped monitoring).
func relationshipStatus(st store.RelationshipStatus) string {
	if st == store.StatusSuspended {
		return "Disabled"
	}
	return string(st)
}

func toMember(v membership.MemberView) member {
	m := member{
		AccountID:          v.Member.Member,
		MasterID:           v.Admin,
		Email:              v.Email,
		RelationshipStatus: relationshipStatus(v.Status),
		InvitedAt:          restjson.NewTimestamp(v.InvitedAt),
		UpdatedAt:          restjson.NewTimestamp(v.Updated),
		AdministratorID:    v.Admin,
	}
	// The member's detector shows once the member is past the invitation
	// step (spec §3.2).
	switch v.Status {
	case store.StatusCreated, store.StatusEmailVerificationInProgress, store.StatusEmailVerificationFailed:
	default:
		m.DetectorID = v.MemberResourceID
	}
	return m
}

// plausibleEmail accepts what looks like an address of at most 64
// characters: one "@", text on both sides, no spaces.
func plausibleEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && domain != "" && !strings.Contains(domain, "@") &&
		!strings.ContainsAny(s, " \t\r\n") && len(s) <= maxEmailLength
}

// CreateMembers: POST /detector/{detectorId}/member.
func (s *Service) createMembers(ctx context.Context, r *restjson.Request) (any, error) {
	c, err := detectorCaller(r)
	if err != nil {
		return nil, err
	}
	var in struct {
		AccountDetails *[]struct {
			AccountID *string `json:"accountId"`
			Email     *string `json:"email"`
		} `json:"accountDetails"`
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if in.AccountDetails == nil {
		return nil, restjson.Missing("accountDetails")
	}
	if n := len(*in.AccountDetails); n < 1 || n > maxAccountIDs {
		return nil, restjson.Invalid("accountDetails", "the list must contain between 1 and 50 accounts.")
	}
	var members []membership.NewMember
	var badEmail []string
	for _, d := range *in.AccountDetails {
		if d.AccountID == nil || d.Email == nil {
			return nil, restjson.Missing("accountDetails.accountId")
		}
		if !membership.IsAccountID(*d.AccountID) {
			return nil, restjson.Invalid("accountDetails.accountId", "an account ID is 12 digits.")
		}
		if !plausibleEmail(*d.Email) {
			// An address GuardDuty would not take fails this account
			// only (spec §6 CreateMembers; the text is inferred).
			badEmail = append(badEmail, *d.AccountID)
			continue
		}
		members = append(members, membership.NewMember{Account: *d.AccountID, Email: *d.Email})
	}
	var unprocessed []membership.Unprocessed
	if len(members) > 0 {
		if unprocessed, err = s.svc.CreateMembers(ctx, c, members); err != nil {
			return nil, err
		}
	} else if _, err := s.svc.Enablement(ctx, c); err != nil {
		return nil, err
	}
	out := unprocessedOutput{s.errs.unprocessedAccounts(unprocessed, nil)}
	for _, account := range badEmail {
		out.UnprocessedAccounts = append(out.UnprocessedAccounts, unprocessedAccount{AccountID: account, Result: msgInvalidParams})
	}
	return out, nil
}

// accountIDsInput is the body of every batch call on account ids.
type accountIDsInput struct {
	AccountIDs *[]string `json:"accountIds"`
}

// batch decodes an accountIds body for a call on the caller's detector.
func batch(r *restjson.Request) (membership.Caller, []string, error) {
	c, err := detectorCaller(r)
	if err != nil {
		return c, nil, err
	}
	var in accountIDsInput
	if err := r.Decode(&in); err != nil {
		return c, nil, err
	}
	ids, err := accountIDList("accountIds", in.AccountIDs)
	return c, ids, err
}

// InviteMembers: POST /detector/{detectorId}/member/invite.
func (s *Service) inviteMembers(ctx context.Context, r *restjson.Request) (any, error) {
	c, err := detectorCaller(r)
	if err != nil {
		return nil, err
	}
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
		opt.Message = *in.Message
	}
	if in.DisableEmailNotification != nil {
		opt.DisableEmailNotification = *in.DisableEmailNotification
	}
	unprocessed, err := s.svc.InviteMembers(ctx, c, ids, opt)
	if err != nil {
		return nil, err
	}
	return unprocessedOutput{s.errs.unprocessedAccounts(unprocessed, nil)}, nil
}

// GetMembers: POST /detector/{detectorId}/member/get.
func (s *Service) getMembers(ctx context.Context, r *restjson.Request) (any, error) {
	c, ids, err := batch(r)
	if err != nil {
		return nil, err
	}
	views, unprocessed, err := s.svc.GetMembers(ctx, c, ids)
	if err != nil {
		return nil, err
	}
	out := struct {
		Members             []member             `json:"members"`
		UnprocessedAccounts []unprocessedAccount `json:"unprocessedAccounts"`
	}{Members: make([]member, 0, len(views)), UnprocessedAccounts: s.errs.unprocessedAccounts(unprocessed, nil)}
	for _, v := range views {
		out.Members = append(out.Members, toMember(v))
	}
	return out, nil
}

// ListMembers: GET /detector/{detectorId}/member.
func (s *Service) listMembers(ctx context.Context, r *restjson.Request) (any, error) {
	c, err := detectorCaller(r)
	if err != nil {
		return nil, err
	}
	p, err := page(r)
	if err != nil {
		return nil, err
	}
	// onlyAssociated is a string, "true" by default; GuardDuty refuses
	// anything but true or false, in any case (spec §1, §6).
	onlyAssociated := true
	if v, ok := r.Query()["onlyAssociated"]; ok && len(v) > 0 {
		switch strings.ToLower(v[0]) {
		case "true":
		case "false":
			onlyAssociated = false
		default:
			return nil, restjson.Invalid("onlyAssociated", "it must be true or false.")
		}
	}
	views, next, err := s.svc.ListMembers(ctx, c, onlyAssociated, p)
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

// DeleteMembers: POST /detector/{detectorId}/member/delete.
func (s *Service) deleteMembers(ctx context.Context, r *restjson.Request) (any, error) {
	return s.batchCall(ctx, r, s.svc.DeleteMembers)
}

// DisassociateMembers: POST /detector/{detectorId}/member/disassociate.
func (s *Service) disassociateMembers(ctx context.Context, r *restjson.Request) (any, error) {
	return s.batchCall(ctx, r, s.svc.DisassociateMembers)
}

// StartMonitoringMembers: POST /detector/{detectorId}/member/start.
func (s *Service) startMonitoringMembers(ctx context.Context, r *restjson.Request) (any, error) {
	return s.batchCall(ctx, r, func(ctx context.Context, c membership.Caller, ids []string) ([]membership.Unprocessed, error) {
		return s.svc.SetMembersSuspended(ctx, c, ids, false)
	})
}

// StopMonitoringMembers: POST /detector/{detectorId}/member/stop.
func (s *Service) stopMonitoringMembers(ctx context.Context, r *restjson.Request) (any, error) {
	return s.batchCall(ctx, r, func(ctx context.Context, c membership.Caller, ids []string) ([]membership.Unprocessed, error) {
		return s.svc.SetMembersSuspended(ctx, c, ids, true)
	})
}

func (s *Service) batchCall(ctx context.Context, r *restjson.Request, call func(context.Context, membership.Caller, []string) ([]membership.Unprocessed, error)) (any, error) {
	c, ids, err := batch(r)
	if err != nil {
		return nil, err
	}
	unprocessed, err := call(ctx, c, ids)
	if err != nil {
		return nil, err
	}
	return unprocessedOutput{s.errs.unprocessedAccounts(unprocessed, nil)}, nil
}

// GetMemberDetectors: POST /detector/{detectorId}/member/detector/get.
func (s *Service) getMemberDetectors(ctx context.Context, r *restjson.Request) (any, error) {
	c, ids, err := batch(r)
	if err != nil {
		return nil, err
	}
	ens, unprocessed, err := s.svc.MemberEnablements(ctx, c, ids)
	if err != nil {
		return nil, err
	}
	type memberConfiguration struct {
		AccountID   string            `json:"accountId"`
		DataSources dataSourcesResult `json:"dataSources"`
		Features    []featureResult   `json:"features"`
	}
	out := struct {
		Members             []memberConfiguration `json:"members"`
		UnprocessedAccounts []unprocessedAccount  `json:"unprocessedAccounts"`
	}{Members: make([]memberConfiguration, 0, len(ens)), UnprocessedAccounts: s.errs.unprocessedAccounts(unprocessed, nil)}
	for _, en := range ens {
		ds := readDetectorSettings(en.Settings, en.Created)
		out.Members = append(out.Members, memberConfiguration{
			AccountID:   en.Account,
			DataSources: ds.dataSources(en.Region, en.Account),
			// Member features are the OrgFeature names: the
			// foundational sources are not listed (spec §6).
			Features: ds.features(configurableFeatures()),
		})
	}
	return out, nil
}

// UpdateMemberDetectors: POST /detector/{detectorId}/member/detector/update.
func (s *Service) updateMemberDetectors(ctx context.Context, r *restjson.Request) (any, error) {
	c, err := detectorCaller(r)
	if err != nil {
		return nil, err
	}
	var in struct {
		AccountIDs  *[]string         `json:"accountIds"`
		DataSources *dataSourcesInput `json:"dataSources"`
		Features    []featureInput    `json:"features"`
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	ids, err := accountIDList("accountIds", in.AccountIDs)
	if err != nil {
		return nil, err
	}
	changes, err := featureChanges(in.DataSources, in.Features)
	if err != nil {
		return nil, err
	}
	now := s.svc.Now()
	unprocessed, err := s.svc.UpdateMemberEnablements(ctx, c, ids, func(old []byte) ([]byte, error) {
		ds := readDetectorSettings(old, now)
		ds.apply(changes, now)
		return ds.bytes(), nil
	})
	if err != nil {
		return nil, err
	}
	return unprocessedOutput{s.errs.unprocessedAccounts(unprocessed, nil)}, nil
}
