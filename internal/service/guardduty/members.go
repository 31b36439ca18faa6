package guardduty

import (
	"context"
	"strings"

	api "github.com/localsec/localsec/internal/api/guardduty"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/model"
	"github.com/localsec/localsec/internal/service/adapter"
	"github.com/localsec/localsec/internal/store"
)

// relationshipStatus returns GuardDuty's name for an engine status: the
// engine's Suspended is GuardDuty's Disabled (stopped monitoring).
func relationshipStatus(st store.RelationshipStatus) string {
	if st == store.StatusSuspended {
		return "Disabled"
	}
	return string(st)
}

func toMember(v membership.MemberView) api.Member {
	admin := new(v.Admin)
	m := api.Member{
		AccountId:          new(v.Member.Member),
		MasterId:           admin,
		Email:              new(v.Email),
		RelationshipStatus: new(relationshipStatus(v.Status)),
		InvitedAt:          isoTime(v.InvitedAt),
		UpdatedAt:          isoTime(v.Updated),
		AdministratorId:    admin,
	}
	// The member's detector shows once the member is past the invitation
	// step (spec §3.2).
	switch v.Status {
	case store.StatusCreated, store.StatusEmailVerificationInProgress, store.StatusEmailVerificationFailed:
	default:
		if v.MemberResourceID != "" {
			m.DetectorId = new(v.MemberResourceID)
		}
	}
	return m
}

// plausibleEmail accepts what looks like an address (the model bounds its
// length to 1..64): one "@", text on both sides, no spaces.
func plausibleEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && domain != "" && !strings.Contains(domain, "@") && !strings.ContainsAny(s, " \t\r\n")
}

// CreateMembers: POST /detector/{detectorId}/member.
func (s *Service) CreateMembers(ctx context.Context, call *protocol.Call, in *api.CreateMembersRequest) (*api.CreateMembersResponse, error) {
	c, err := detectorCaller(call, in.DetectorId)
	if err != nil {
		return nil, err
	}
	var members []membership.NewMember
	var badEmail []string
	for i, d := range in.AccountDetails {
		if !membership.IsAccountID(*d.AccountId) {
			return nil, model.Refuse("accountDetails["+itoa(i)+"].accountId", "The value of accountDetails.accountId is not valid: an account ID is 12 digits.")
		}
		if !plausibleEmail(*d.Email) {
			// An address GuardDuty would not take fails this account
			// only (spec §6 CreateMembers; the text is inferred).
			badEmail = append(badEmail, *d.AccountId)
			continue
		}
		members = append(members, membership.NewMember{Account: *d.AccountId, Email: *d.Email})
	}
	var unprocessedAccounts []membership.Unprocessed
	if len(members) > 0 {
		if unprocessedAccounts, err = s.svc.CreateMembers(ctx, c, members); err != nil {
			return nil, err
		}
	} else if _, err := s.svc.Enablement(ctx, c); err != nil {
		return nil, err
	}
	out := &api.CreateMembersResponse{UnprocessedAccounts: s.unprocessedAccounts(unprocessedAccounts, nil)}
	for _, account := range badEmail {
		out.UnprocessedAccounts = append(out.UnprocessedAccounts, unprocessed(account, msgInvalidParams))
	}
	return out, nil
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// InviteMembers: POST /detector/{detectorId}/member/invite.
func (s *Service) InviteMembers(ctx context.Context, call *protocol.Call, in *api.InviteMembersRequest) (*api.InviteMembersResponse, error) {
	c, err := detectorCaller(call, in.DetectorId)
	if err != nil {
		return nil, err
	}
	ids, err := accountIDs("accountIds", in.AccountIds)
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
	us, err := s.svc.InviteMembers(ctx, c, ids, opt)
	if err != nil {
		return nil, err
	}
	return &api.InviteMembersResponse{UnprocessedAccounts: s.unprocessedAccounts(us, nil)}, nil
}

// batch checks the detector and the account ids of a batch call.
func batch(call *protocol.Call, detectorID *string, accountIDList []string) (membership.Caller, []string, error) {
	c, err := detectorCaller(call, detectorID)
	if err != nil {
		return c, nil, err
	}
	ids, err := accountIDs("accountIds", accountIDList)
	return c, ids, err
}

// GetMembers: POST /detector/{detectorId}/member/get.
func (s *Service) GetMembers(ctx context.Context, call *protocol.Call, in *api.GetMembersRequest) (*api.GetMembersResponse, error) {
	c, ids, err := batch(call, in.DetectorId, in.AccountIds)
	if err != nil {
		return nil, err
	}
	views, us, err := s.svc.GetMembers(ctx, c, ids)
	if err != nil {
		return nil, err
	}
	out := &api.GetMembersResponse{Members: make([]api.Member, 0, len(views)), UnprocessedAccounts: s.unprocessedAccounts(us, nil)}
	for _, v := range views {
		out.Members = append(out.Members, toMember(v))
	}
	return out, nil
}

// ListMembers: GET /detector/{detectorId}/member.
func (s *Service) ListMembers(ctx context.Context, call *protocol.Call, in *api.ListMembersRequest) (*api.ListMembersResponse, error) {
	c, err := detectorCaller(call, in.DetectorId)
	if err != nil {
		return nil, err
	}
	// onlyAssociated is a string, "true" by default; GuardDuty refuses
	// anything but true or false, in any case (spec §1, §6).
	onlyAssociated := true
	if in.OnlyAssociated != nil {
		switch strings.ToLower(*in.OnlyAssociated) {
		case "true":
		case "false":
			onlyAssociated = false
		default:
			return nil, model.Refuse("onlyAssociated", "The value of onlyAssociated must be true or false.")
		}
	}
	members, next, err := adapter.List(page(in.MaxResults, in.NextToken), func(p membership.Page) ([]membership.MemberView, string, error) {
		return s.svc.ListMembers(ctx, c, onlyAssociated, p)
	}, toMember)
	if err != nil {
		return nil, err
	}
	return &api.ListMembersResponse{Members: members, NextToken: next}, nil
}

// batchCall runs a batch engine call on the accounts of a request.
func (s *Service) batchCall(ctx context.Context, call *protocol.Call, detectorID *string, accountIDList []string,
	run func(context.Context, membership.Caller, []string) ([]membership.Unprocessed, error)) ([]api.UnprocessedAccount, error) {
	c, ids, err := batch(call, detectorID, accountIDList)
	if err != nil {
		return nil, err
	}
	us, err := run(ctx, c, ids)
	if err != nil {
		return nil, err
	}
	return s.unprocessedAccounts(us, nil), nil
}

// DeleteMembers: POST /detector/{detectorId}/member/delete.
func (s *Service) DeleteMembers(ctx context.Context, call *protocol.Call, in *api.DeleteMembersRequest) (*api.DeleteMembersResponse, error) {
	un, err := s.batchCall(ctx, call, in.DetectorId, in.AccountIds, s.svc.DeleteMembers)
	if err != nil {
		return nil, err
	}
	return &api.DeleteMembersResponse{UnprocessedAccounts: un}, nil
}

// DisassociateMembers: POST /detector/{detectorId}/member/disassociate.
func (s *Service) DisassociateMembers(ctx context.Context, call *protocol.Call, in *api.DisassociateMembersRequest) (*api.DisassociateMembersResponse, error) {
	un, err := s.batchCall(ctx, call, in.DetectorId, in.AccountIds, s.svc.DisassociateMembers)
	if err != nil {
		return nil, err
	}
	return &api.DisassociateMembersResponse{UnprocessedAccounts: un}, nil
}

// StartMonitoringMembers: POST /detector/{detectorId}/member/start.
func (s *Service) StartMonitoringMembers(ctx context.Context, call *protocol.Call, in *api.StartMonitoringMembersRequest) (*api.StartMonitoringMembersResponse, error) {
	un, err := s.batchCall(ctx, call, in.DetectorId, in.AccountIds, s.suspend(false))
	if err != nil {
		return nil, err
	}
	return &api.StartMonitoringMembersResponse{UnprocessedAccounts: un}, nil
}

// StopMonitoringMembers: POST /detector/{detectorId}/member/stop.
func (s *Service) StopMonitoringMembers(ctx context.Context, call *protocol.Call, in *api.StopMonitoringMembersRequest) (*api.StopMonitoringMembersResponse, error) {
	un, err := s.batchCall(ctx, call, in.DetectorId, in.AccountIds, s.suspend(true))
	if err != nil {
		return nil, err
	}
	return &api.StopMonitoringMembersResponse{UnprocessedAccounts: un}, nil
}

func (s *Service) suspend(suspended bool) func(context.Context, membership.Caller, []string) ([]membership.Unprocessed, error) {
	return func(ctx context.Context, c membership.Caller, ids []string) ([]membership.Unprocessed, error) {
		return s.svc.SetMembersSuspended(ctx, c, ids, suspended)
	}
}

// GetMemberDetectors: POST /detector/{detectorId}/member/detector/get.
func (s *Service) GetMemberDetectors(ctx context.Context, call *protocol.Call, in *api.GetMemberDetectorsRequest) (*api.GetMemberDetectorsResponse, error) {
	c, ids, err := batch(call, in.DetectorId, in.AccountIds)
	if err != nil {
		return nil, err
	}
	ens, us, err := s.svc.MemberEnablements(ctx, c, ids)
	if err != nil {
		return nil, err
	}
	out := &api.GetMemberDetectorsResponse{
		MemberDataSourceConfigurations: make([]api.MemberDataSourceConfiguration, 0, len(ens)),
		UnprocessedAccounts:            s.unprocessedAccounts(us, nil),
	}
	for _, en := range ens {
		ds := readDetectorSettings(en.Settings, en.Created)
		out.MemberDataSourceConfigurations = append(out.MemberDataSourceConfigurations, api.MemberDataSourceConfiguration{
			AccountId:   new(en.Account),
			DataSources: ds.dataSources(en.Region, en.Account),
			// Member features are the OrgFeature names: the
			// foundational sources are not listed (spec §6).
			Features: ds.memberFeatures(),
		})
	}
	return out, nil
}

// UpdateMemberDetectors: POST /detector/{detectorId}/member/detector/update.
func (s *Service) UpdateMemberDetectors(ctx context.Context, call *protocol.Call, in *api.UpdateMemberDetectorsRequest) (*api.UpdateMemberDetectorsResponse, error) {
	c, ids, err := batch(call, in.DetectorId, in.AccountIds)
	if err != nil {
		return nil, err
	}
	features := make([]featureInput, len(in.Features))
	for i, f := range in.Features {
		features[i] = featureInput{Name: f.Name, Status: f.Status}
		for _, a := range f.AdditionalConfiguration {
			features[i].Additional = append(features[i].Additional, additionalInput{Name: a.Name, Status: a.Status})
		}
	}
	changes, err := featureChanges(in.DataSources, features)
	if err != nil {
		return nil, err
	}
	now := s.svc.Now()
	us, err := s.svc.UpdateMemberEnablements(ctx, c, ids, func(old []byte) ([]byte, error) {
		ds := readDetectorSettings(old, now)
		ds.apply(changes, now)
		return ds.bytes(), nil
	})
	if err != nil {
		return nil, err
	}
	return &api.UpdateMemberDetectorsResponse{UnprocessedAccounts: s.unprocessedAccounts(us, nil)}, nil
}
