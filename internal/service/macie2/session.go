package macie2

import (
	"context"
	"encoding/json"

	api "github.com/localsec/localsec/internal/api/macie2"
	"github.com/localsec/localsec/internal/awsarn"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/store"
)

// sessionSettings is what Macie keeps in the engine's settings document.
type sessionSettings struct {
	FindingPublishingFrequency string `json:"findingPublishingFrequency"`
}

const defaultFrequency = api.FindingPublishingFrequencyFifteenMinutes

func readSettings(b []byte) sessionSettings {
	ss := sessionSettings{FindingPublishingFrequency: defaultFrequency}
	if len(b) > 0 {
		_ = json.Unmarshal(b, &ss) // written by writeSettings only
	}
	return ss
}

func writeSettings(ss sessionSettings) []byte {
	b, _ := json.Marshal(ss) // a struct of strings always marshals
	return b
}

// EnableMacie: POST /macie.
func (s *Service) EnableMacie(ctx context.Context, call *protocol.Call, in *api.EnableMacieRequest) (*api.EnableMacieResponse, error) {
	ss := sessionSettings{FindingPublishingFrequency: defaultFrequency}
	if in.FindingPublishingFrequency != nil {
		ss.FindingPublishingFrequency = *in.FindingPublishingFrequency
	}
	en := membership.EnableInput{Settings: writeSettings(ss), Suspended: in.Status != nil && *in.Status == api.MacieStatusPaused}
	if in.ClientToken != nil {
		en.ClientToken = *in.ClientToken
	}
	_, err := s.svc.Enable(ctx, caller(call), en)
	return nil, err
}

// GetMacieSession: GET /macie.
func (s *Service) GetMacieSession(ctx context.Context, call *protocol.Call, _ *api.GetMacieSessionRequest) (*api.GetMacieSessionResponse, error) {
	en, err := s.svc.Enablement(ctx, caller(call))
	if err != nil {
		return nil, err
	}
	return &api.GetMacieSessionResponse{
		CreatedAt:                  timestamp(en.Created),
		FindingPublishingFrequency: new(readSettings(en.Settings).FindingPublishingFrequency),
		ServiceRole:                new(serviceRole(en.Region, en.Account)),
		Status:                     new(macieStatus(en.Status)),
		UpdatedAt:                  timestamp(en.Updated),
	}, nil
}

// serviceRole is the service-linked role Macie uses in an account.
func serviceRole(region, account string) string {
	return "arn:" + awsarn.Partition(region) + ":iam::" + account +
		":role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie"
}

func macieStatus(st store.EnablementStatus) string {
	if st == store.EnablementSuspended {
		return api.MacieStatusPaused
	}
	return api.MacieStatusEnabled
}

// UpdateMacieSession: PATCH /macie.
func (s *Service) UpdateMacieSession(ctx context.Context, call *protocol.Call, in *api.UpdateMacieSessionRequest) (*api.UpdateMacieSessionResponse, error) {
	var u membership.EnablementUpdate
	if in.Status != nil {
		u.Suspended = new(*in.Status == api.MacieStatusPaused)
	}
	if in.FindingPublishingFrequency != nil {
		freq := *in.FindingPublishingFrequency
		u.Settings = func(old []byte) ([]byte, error) {
			ss := readSettings(old)
			ss.FindingPublishingFrequency = freq
			return writeSettings(ss), nil
		}
	}
	return nil, s.svc.UpdateEnablement(ctx, caller(call), u)
}

// DisableMacie: DELETE /macie.
func (s *Service) DisableMacie(ctx context.Context, call *protocol.Call, _ *api.DisableMacieRequest) (*api.DisableMacieResponse, error) {
	return nil, s.svc.Disable(ctx, caller(call))
}
