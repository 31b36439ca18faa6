package macie2

import (
	"context"
	"encoding/json"

	"github.com/localsec/localsec/internal/awsarn"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol/restjson"
	"github.com/localsec/localsec/internal/store"
)

// sessionSettings is what Macie keeps in the engine's settings document.
type sessionSettings struct {
	FindingPublishingFrequency string `json:"findingPublishingFrequency"`
}

const defaultFrequency = "FIFTEEN_MINUTES"

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

func checkFrequency(v *string) error {
	if v == nil {
		return nil
	}
	return enumValue("findingPublishingFrequency", *v, "FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS")
}

func checkMacieStatus(field string, v *string) error {
	if v == nil {
		return nil
	}
	return enumValue(field, *v, "ENABLED", "PAUSED")
}

// EnableMacie: POST /macie.
func (s *Service) enableMacie(ctx context.Context, r *restjson.Request) (any, error) {
	var in struct {
		ClientToken                *string `json:"clientToken"`
		FindingPublishingFrequency *string `json:"findingPublishingFrequency"`
		Status                     *string `json:"status"`
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if err := checkFrequency(in.FindingPublishingFrequency); err != nil {
		return nil, err
	}
	if err := checkMacieStatus("status", in.Status); err != nil {
		return nil, err
	}
	ss := sessionSettings{FindingPublishingFrequency: defaultFrequency}
	if in.FindingPublishingFrequency != nil {
		ss.FindingPublishingFrequency = *in.FindingPublishingFrequency
	}
	en := membership.EnableInput{Settings: writeSettings(ss), Suspended: in.Status != nil && *in.Status == "PAUSED"}
	if in.ClientToken != nil {
		en.ClientToken = *in.ClientToken
	}
	_, err := s.svc.Enable(ctx, caller(r), en)
	return nil, err
}

// GetMacieSession: GET /macie.
func (s *Service) getMacieSession(ctx context.Context, r *restjson.Request) (any, error) {
	en, err := s.svc.Enablement(ctx, caller(r))
	if err != nil {
		return nil, err
	}
	return struct {
		CreatedAt                  *restjson.Timestamp `json:"createdAt,omitempty"`
		FindingPublishingFrequency string              `json:"findingPublishingFrequency"`
		ServiceRole                string              `json:"serviceRole"`
		Status                     string              `json:"status"`
		UpdatedAt                  *restjson.Timestamp `json:"updatedAt,omitempty"`
	}{
		CreatedAt:                  timestamp(en.Created),
		FindingPublishingFrequency: readSettings(en.Settings).FindingPublishingFrequency,
		ServiceRole:                serviceRole(en.Region, en.Account),
		Status:                     macieStatus(en.Status),
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
		return "PAUSED"
	}
	return "ENABLED"
}

// UpdateMacieSession: PATCH /macie.
func (s *Service) updateMacieSession(ctx context.Context, r *restjson.Request) (any, error) {
	var in struct {
		FindingPublishingFrequency *string `json:"findingPublishingFrequency"`
		Status                     *string `json:"status"`
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if err := checkFrequency(in.FindingPublishingFrequency); err != nil {
		return nil, err
	}
	if err := checkMacieStatus("status", in.Status); err != nil {
		return nil, err
	}
	var u membership.EnablementUpdate
	if in.Status != nil {
		suspend := *in.Status == "PAUSED"
		u.Suspended = &suspend
	}
	if in.FindingPublishingFrequency != nil {
		freq := *in.FindingPublishingFrequency
		u.Settings = func(old []byte) ([]byte, error) {
			ss := readSettings(old)
			ss.FindingPublishingFrequency = freq
			return writeSettings(ss), nil
		}
	}
	return nil, s.svc.UpdateEnablement(ctx, caller(r), u)
}

// DisableMacie: DELETE /macie.
func (s *Service) disableMacie(ctx context.Context, r *restjson.Request) (any, error) {
	return nil, s.svc.Disable(ctx, caller(r))
}
