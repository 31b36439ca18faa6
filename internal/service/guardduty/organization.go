package guardduty

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol/restjson"
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
func (s *Service) enableOrganizationAdminAccount(ctx context.Context, r *restjson.Request) (any, error) {
	admin, err := adminAccountID(r)
	if err != nil {
		return nil, err
	}
	// GuardDuty is enabled in the delegated administrator (spec §8).
	settings := newDetectorSettings(s.svc.Now()).bytes()
	return nil, s.svc.EnableOrgAdmin(ctx, caller(r), admin, settings)
}

// DisableOrganizationAdminAccount: POST /admin/disable.
func (s *Service) disableOrganizationAdminAccount(ctx context.Context, r *restjson.Request) (any, error) {
	admin, err := adminAccountID(r)
	if err != nil {
		return nil, err
	}
	return nil, s.svc.DisableOrgAdmin(ctx, caller(r), admin)
}

func adminAccountID(r *restjson.Request) (string, error) {
	var in struct {
		AdminAccountID *string `json:"adminAccountId"`
	}
	if err := r.Decode(&in); err != nil {
		return "", err
	}
	if in.AdminAccountID == nil {
		return "", restjson.Missing("adminAccountId")
	}
	return *in.AdminAccountID, nil
}

// ListOrganizationAdminAccounts: GET /admin.
func (s *Service) listOrganizationAdminAccounts(ctx context.Context, r *restjson.Request) (any, error) {
	p, err := page(r)
	if err != nil {
		return nil, err
	}
	admins, next, err := s.svc.ListOrgAdmins(ctx, caller(r), p)
	if err != nil {
		return nil, err
	}
	type adminAccount struct {
		AdminAccountID string `json:"adminAccountId"`
		AdminStatus    string `json:"adminStatus"`
	}
	out := struct {
		AdminAccounts []adminAccount `json:"adminAccounts"`
		NextToken     string         `json:"nextToken,omitempty"`
	}{AdminAccounts: make([]adminAccount, 0, len(admins)), NextToken: next}
	for _, a := range admins {
		status := "ENABLED"
		if a.Status == store.OrgAdminDisableInProgress {
			status = "DISABLE_IN_PROGRESS"
		}
		out.AdminAccounts = append(out.AdminAccounts, adminAccount{AdminAccountID: a.Account, AdminStatus: status})
	}
	return out, nil
}

// DescribeOrganizationConfiguration: GET /detector/{detectorId}/admin.
func (s *Service) describeOrganizationConfiguration(ctx context.Context, r *restjson.Request) (any, error) {
	c, err := detectorCaller(r)
	if err != nil {
		return nil, err
	}
	p, err := page(r)
	if err != nil {
		return nil, err
	}
	start, err := featurePageStart(p.Token)
	if err != nil {
		return nil, err
	}
	cfg, err := s.svc.OrgConfig(ctx, c)
	if err != nil {
		return nil, err
	}
	os := readOrgSettings(cfg.Settings)
	type autoEnable struct {
		AutoEnable bool `json:"autoEnable"`
	}
	type additional struct {
		Name       string `json:"name"`
		AutoEnable string `json:"autoEnable"`
	}
	type feature struct {
		Name                    string       `json:"name"`
		AutoEnable              string       `json:"autoEnable"`
		AdditionalConfiguration []additional `json:"additionalConfiguration,omitempty"`
	}
	var out struct {
		AutoEnable                bool `json:"autoEnable"`
		MemberAccountLimitReached bool `json:"memberAccountLimitReached"`
		DataSources               struct {
			S3Logs     autoEnable `json:"s3Logs"`
			Kubernetes struct {
				AuditLogs autoEnable `json:"auditLogs"`
			} `json:"kubernetes"`
			MalwareProtection struct {
				ScanEc2InstanceWithFindings struct {
					EbsVolumes autoEnable `json:"ebsVolumes"`
				} `json:"scanEc2InstanceWithFindings"`
			} `json:"malwareProtection"`
		} `json:"dataSources"`
		Features                      []feature `json:"features"`
		NextToken                     string    `json:"nextToken,omitempty"`
		AutoEnableOrganizationMembers string    `json:"autoEnableOrganizationMembers"`
	}
	out.AutoEnable = cfg.AutoEnable
	out.MemberAccountLimitReached = len(s.org.Accounts)+1 >= organizationMemberQuota
	out.AutoEnableOrganizationMembers = os.AutoEnableMembers
	out.DataSources.S3Logs.AutoEnable = os.feature("S3_DATA_EVENTS") != "NONE"
	out.DataSources.Kubernetes.AuditLogs.AutoEnable = os.feature("EKS_AUDIT_LOGS") != "NONE"
	out.DataSources.MalwareProtection.ScanEc2InstanceWithFindings.EbsVolumes.AutoEnable = os.feature("EBS_MALWARE_PROTECTION") != "NONE"
	// maxResults and nextToken page the features (model); the other
	// members come with every page.
	names := configurableFeatures()
	end := min(start+p.Limit, len(names))
	if end < len(names) {
		out.NextToken = featurePageToken(end)
	}
	for _, name := range names[start:end] {
		f := feature{Name: name, AutoEnable: os.feature(name)}
		for _, a := range additionalNames(name) {
			v, ok := os.Additional[name+"/"+a]
			if !ok {
				v = "NONE"
			}
			f.AdditionalConfiguration = append(f.AdditionalConfiguration, additional{Name: a, AutoEnable: v})
		}
		out.Features = append(out.Features, f)
	}
	return out, nil
}

// UpdateOrganizationConfiguration: POST /detector/{detectorId}/admin.
func (s *Service) updateOrganizationConfiguration(ctx context.Context, r *restjson.Request) (any, error) {
	c, err := detectorCaller(r)
	if err != nil {
		return nil, err
	}
	type orgAutoEnable struct {
		AutoEnable *bool `json:"autoEnable"`
	}
	var in struct {
		AutoEnable                    *bool   `json:"autoEnable"`
		AutoEnableOrganizationMembers *string `json:"autoEnableOrganizationMembers"`
		DataSources                   *struct {
			S3Logs     *orgAutoEnable `json:"s3Logs"`
			Kubernetes *struct {
				AuditLogs *orgAutoEnable `json:"auditLogs"`
			} `json:"kubernetes"`
			MalwareProtection *struct {
				ScanEc2InstanceWithFindings *struct {
					EbsVolumes *orgAutoEnable `json:"ebsVolumes"`
				} `json:"scanEc2InstanceWithFindings"`
			} `json:"malwareProtection"`
		} `json:"dataSources"`
		Features []struct {
			Name                    *string `json:"name"`
			AutoEnable              *string `json:"autoEnable"`
			AdditionalConfiguration []struct {
				Name       *string `json:"name"`
				AutoEnable *string `json:"autoEnable"`
			} `json:"additionalConfiguration"`
		} `json:"features"`
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	// "You must provide a value for either autoEnableOrganizationMembers
	// or autoEnable, but not both" (model).
	if (in.AutoEnable == nil) == (in.AutoEnableOrganizationMembers == nil) {
		return nil, restjson.Invalid("autoEnableOrganizationMembers", "give either autoEnableOrganizationMembers or autoEnable, not both.")
	}
	members := ""
	autoEnable := false
	if in.AutoEnableOrganizationMembers != nil {
		if err := enumValue("autoEnableOrganizationMembers", *in.AutoEnableOrganizationMembers, "NEW", "ALL", "NONE"); err != nil {
			return nil, err
		}
		// ALL or NEW turns the deprecated flag on; NONE turns it off.
		members, autoEnable = *in.AutoEnableOrganizationMembers, *in.AutoEnableOrganizationMembers != "NONE"
	} else {
		// autoEnable true means NEW, false NONE (terraform-provider-aws
		// organization_configuration.go describes this coupling).
		members, autoEnable = "NONE", *in.AutoEnable
		if autoEnable {
			members = "NEW"
		}
	}
	featureValues := map[string]string{}
	additionalValues := map[string]string{}
	if ds := in.DataSources; ds != nil {
		set := func(feature string, v *orgAutoEnable) error {
			if v == nil {
				return nil
			}
			if v.AutoEnable == nil {
				return restjson.Missing("dataSources.autoEnable")
			}
			featureValues[feature] = "NONE"
			if *v.AutoEnable {
				featureValues[feature] = "NEW"
			}
			return nil
		}
		if err := set("S3_DATA_EVENTS", ds.S3Logs); err != nil {
			return nil, err
		}
		if ds.Kubernetes != nil {
			if err := set("EKS_AUDIT_LOGS", ds.Kubernetes.AuditLogs); err != nil {
				return nil, err
			}
		}
		if mp := ds.MalwareProtection; mp != nil && mp.ScanEc2InstanceWithFindings != nil {
			if err := set("EBS_MALWARE_PROTECTION", mp.ScanEc2InstanceWithFindings.EbsVolumes); err != nil {
				return nil, err
			}
		}
	}
	for _, f := range in.Features {
		if f.Name == nil {
			return nil, restjson.Missing("features.name")
		}
		if err := enumValue("features.name", *f.Name, configurableFeatures()...); err != nil {
			return nil, err
		}
		if f.AutoEnable != nil {
			if err := enumValue("features.autoEnable", *f.AutoEnable, "NEW", "NONE", "ALL"); err != nil {
				return nil, err
			}
			featureValues[*f.Name] = *f.AutoEnable
		}
		for _, a := range f.AdditionalConfiguration {
			if a.Name == nil || a.AutoEnable == nil {
				return nil, restjson.Missing("features.additionalConfiguration")
			}
			if err := enumValue("features.additionalConfiguration.name", *a.Name, additionalNames(*f.Name)...); err != nil {
				return nil, err
			}
			if err := enumValue("features.additionalConfiguration.autoEnable", *a.AutoEnable, "NEW", "NONE", "ALL"); err != nil {
				return nil, err
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
	bad := restjson.Invalid("nextToken", "it is not a token localsec made for this list.")
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
