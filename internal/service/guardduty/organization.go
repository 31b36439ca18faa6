package guardduty

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"

	api "github.com/localsec/localsec/internal/api/guardduty"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/model"
	"github.com/localsec/localsec/internal/service/adapter"
	"github.com/localsec/localsec/internal/store"
)

// orgSettings is what GuardDuty keeps in the engine's organization
// configuration document: whom new accounts get enabled for, and each
// feature's auto-enable value. The deprecated autoEnable flag and
// dataSources view are derived from them.
type orgSettings struct {
	AutoEnableMembers string            `json:"autoEnableMembers"`
	Features          map[string]string `json:"features"`
	Additional        map[string]string `json:"additional"` // "FEATURE/NAME" -> NEW|NONE|ALL
}

func readOrgSettings(b []byte) orgSettings {
	os := orgSettings{AutoEnableMembers: "NONE"}
	if len(b) > 0 {
		_ = json.Unmarshal(b, &os) // written by bytes only
	}
	if os.Features == nil {
		os.Features = map[string]string{}
	}
	if os.Additional == nil {
		os.Additional = map[string]string{}
	}
	return os
}

func (os orgSettings) bytes() []byte {
	b, _ := json.Marshal(os)
	return b
}

func (os orgSettings) feature(name string) string {
	if v, ok := os.Features[name]; ok {
		return v
	}
	return "NONE"
}

// EnableOrganizationAdminAccount: POST /admin/enable.
func (s *Service) EnableOrganizationAdminAccount(ctx context.Context, call *protocol.Call, in *api.EnableOrganizationAdminAccountRequest) (*api.EnableOrganizationAdminAccountResponse, error) {
	// GuardDuty is enabled in the delegated administrator (spec §8).
	settings := newDetectorSettings(s.svc.Now()).bytes()
	return nil, s.svc.EnableOrgAdmin(ctx, caller(call), *in.AdminAccountId, settings)
}

// DisableOrganizationAdminAccount: POST /admin/disable.
func (s *Service) DisableOrganizationAdminAccount(ctx context.Context, call *protocol.Call, in *api.DisableOrganizationAdminAccountRequest) (*api.DisableOrganizationAdminAccountResponse, error) {
	return nil, s.svc.DisableOrgAdmin(ctx, caller(call), *in.AdminAccountId)
}

// ListOrganizationAdminAccounts: GET /admin.
func (s *Service) ListOrganizationAdminAccounts(ctx context.Context, call *protocol.Call, in *api.ListOrganizationAdminAccountsRequest) (*api.ListOrganizationAdminAccountsResponse, error) {
	admins, next, err := adapter.List(page(in.MaxResults, in.NextToken), func(p membership.Page) ([]store.OrgAdmin, string, error) {
		return s.svc.ListOrgAdmins(ctx, caller(call), p)
	}, func(a store.OrgAdmin) api.AdminAccount {
		status := api.AdminStatusEnabled
		if a.Status == store.OrgAdminDisableInProgress {
			status = api.AdminStatusDisableInProgress
		}
		return api.AdminAccount{AdminAccountId: new(a.Account), AdminStatus: new(status)}
	})
	if err != nil {
		return nil, err
	}
	return &api.ListOrganizationAdminAccountsResponse{AdminAccounts: admins, NextToken: next}, nil
}

// DescribeOrganizationConfiguration: GET /detector/{detectorId}/admin.
func (s *Service) DescribeOrganizationConfiguration(ctx context.Context, call *protocol.Call, in *api.DescribeOrganizationConfigurationRequest) (*api.DescribeOrganizationConfigurationResponse, error) {
	c, err := detectorCaller(call, in.DetectorId)
	if err != nil {
		return nil, err
	}
	p := page(in.MaxResults, in.NextToken)
	start, err := featurePageStart(p.Token)
	if err != nil {
		return nil, err
	}
	cfg, err := s.svc.OrgConfig(ctx, c)
	if err != nil {
		return nil, err
	}
	os := readOrgSettings(cfg.Settings)
	autoEnable := func(feature string) *bool { return new(os.feature(feature) != "NONE") }
	out := &api.DescribeOrganizationConfigurationResponse{
		AutoEnable:                    new(cfg.AutoEnable),
		MemberAccountLimitReached:     new(len(s.org.Accounts)+1 >= organizationMemberQuota),
		AutoEnableOrganizationMembers: new(os.AutoEnableMembers),
		DataSources: &api.OrganizationDataSourceConfigurationsResult{
			S3Logs: &api.OrganizationS3LogsConfigurationResult{AutoEnable: autoEnable("S3_DATA_EVENTS")},
			Kubernetes: &api.OrganizationKubernetesConfigurationResult{
				AuditLogs: &api.OrganizationKubernetesAuditLogsConfigurationResult{AutoEnable: autoEnable("EKS_AUDIT_LOGS")}},
			MalwareProtection: &api.OrganizationMalwareProtectionConfigurationResult{
				ScanEc2InstanceWithFindings: &api.OrganizationScanEc2InstanceWithFindingsResult{
					EbsVolumes: &api.OrganizationEbsVolumesResult{AutoEnable: autoEnable("EBS_MALWARE_PROTECTION")}}},
		},
	}
	// maxResults and nextToken page the features (model); the other
	// members come with every page.
	names := configurableFeatures()
	end := min(start+p.Limit, len(names))
	if end < len(names) {
		out.NextToken = new(featurePageToken(end))
	}
	for _, name := range names[start:end] {
		f := api.OrganizationFeatureConfigurationResult{Name: new(name), AutoEnable: new(os.feature(name))}
		for _, a := range additionalNames(name) {
			v, ok := os.Additional[name+"/"+a]
			if !ok {
				v = "NONE"
			}
			f.AdditionalConfiguration = append(f.AdditionalConfiguration, api.OrganizationAdditionalConfigurationResult{Name: new(a), AutoEnable: new(v)})
		}
		out.Features = append(out.Features, f)
	}
	return out, nil
}

// UpdateOrganizationConfiguration: POST /detector/{detectorId}/admin.
func (s *Service) UpdateOrganizationConfiguration(ctx context.Context, call *protocol.Call, in *api.UpdateOrganizationConfigurationRequest) (*api.UpdateOrganizationConfigurationResponse, error) {
	c, err := detectorCaller(call, in.DetectorId)
	if err != nil {
		return nil, err
	}
	// "You must provide a value for either autoEnableOrganizationMembers
	// or autoEnable, but not both" (model).
	if (in.AutoEnable == nil) == (in.AutoEnableOrganizationMembers == nil) {
		return nil, model.Refuse("autoEnableOrganizationMembers", "Give either autoEnableOrganizationMembers or autoEnable, not both.")
	}
	var members string
	var autoEnable bool
	if in.AutoEnableOrganizationMembers != nil {
		// ALL or NEW turns the deprecated flag on; NONE turns it off.
		members, autoEnable = *in.AutoEnableOrganizationMembers, *in.AutoEnableOrganizationMembers != api.AutoEnableMembersNone
	} else {
		// autoEnable true means NEW, false NONE (terraform-provider-aws
		// organization_configuration.go describes this coupling).
		members, autoEnable = api.AutoEnableMembersNone, *in.AutoEnable
		if autoEnable {
			members = api.AutoEnableMembersNew
		}
	}
	featureValues := map[string]string{}
	additionalValues := map[string]string{}
	if ds := in.DataSources; ds != nil {
		set := func(feature string, v *bool) {
			featureValues[feature] = "NONE"
			if *v {
				featureValues[feature] = "NEW"
			}
		}
		if ds.S3Logs != nil {
			set("S3_DATA_EVENTS", ds.S3Logs.AutoEnable)
		}
		if ds.Kubernetes != nil {
			set("EKS_AUDIT_LOGS", ds.Kubernetes.AuditLogs.AutoEnable)
		}
		if mp := ds.MalwareProtection; mp != nil && mp.ScanEc2InstanceWithFindings != nil && mp.ScanEc2InstanceWithFindings.EbsVolumes != nil &&
			mp.ScanEc2InstanceWithFindings.EbsVolumes.AutoEnable != nil {
			set("EBS_MALWARE_PROTECTION", mp.ScanEc2InstanceWithFindings.EbsVolumes.AutoEnable)
		}
	}
	for _, f := range in.Features {
		if f.Name == nil {
			return nil, model.Missing("features.name")
		}
		if f.AutoEnable != nil {
			featureValues[*f.Name] = *f.AutoEnable
		}
		for _, a := range f.AdditionalConfiguration {
			if a.Name == nil || a.AutoEnable == nil {
				return nil, model.Missing("features.additionalConfiguration")
			}
			if !contains(additionalNames(*f.Name), *a.Name) {
				return nil, model.Refuse("features.additionalConfiguration.name",
					"The additional configuration "+*a.Name+" does not belong to the feature "+*f.Name+".")
			}
			additionalValues[*f.Name+"/"+*a.Name] = *a.AutoEnable
		}
	}
	return nil, s.svc.UpdateOrgConfig(ctx, c, membership.OrgConfigUpdate{
		AutoEnable: &autoEnable,
		Settings: func(old []byte) ([]byte, error) {
			os := readOrgSettings(old)
			os.AutoEnableMembers = members
			for k, v := range featureValues {
				os.Features[k] = v
			}
			for k, v := range additionalValues {
				os.Additional[k] = v
			}
			return os.bytes(), nil
		},
	})
}

// featurePageToken is the nextToken of DescribeOrganizationConfiguration's
// features from index i on.
func featurePageToken(i int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("ls1:orgfeatures:" + strconv.Itoa(i)))
}

// featurePageStart reads a featurePageToken; "" is the first page.
func featurePageStart(tok string) (int, error) {
	if tok == "" {
		return 0, nil
	}
	bad := model.Refuse("nextToken", "The nextToken is not a token localsec made for this list.")
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, bad
	}
	n, ok := strings.CutPrefix(string(raw), "ls1:orgfeatures:")
	i, err := strconv.Atoi(n)
	if !ok || err != nil || i <= 0 || i >= len(configurableFeatures()) || strconv.Itoa(i) != n {
		return 0, bad
	}
	return i, nil
}
