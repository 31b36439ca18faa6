package guardduty

import (
	"context"
	"encoding/json"
	"time"

	api "github.com/localsec/localsec/internal/api/guardduty"
	"github.com/localsec/localsec/internal/awsarn"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/model"
	"github.com/localsec/localsec/internal/store"
)

// A detector's settings live in the engine's settings document of its
// enablement: the finding frequency and every feature's status. The
// deprecated dataSources view is derived from the features, so the two
// never disagree (spec §3.1).

// featureNames are the features GetDetector lists, in its order.
func featureNames() []string {
	return []string{"CLOUD_TRAIL", "DNS_LOGS", "FLOW_LOGS", "S3_DATA_EVENTS", "EKS_AUDIT_LOGS",
		"EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS", "LAMBDA_NETWORK_LOGS", "EKS_RUNTIME_MONITORING", "RUNTIME_MONITORING"}
}

// configurableFeatures are the features a request may name (the model's
// DetectorFeature and OrgFeature enums): the foundational sources are
// always on.
func configurableFeatures() []string { return featureNames()[3:] }

// additionalNames are the additional configurations of a feature.
func additionalNames(feature string) []string {
	switch feature {
	case "EKS_RUNTIME_MONITORING":
		return []string{"EKS_ADDON_MANAGEMENT"}
	case "RUNTIME_MONITORING":
		return []string{"EKS_ADDON_MANAGEMENT", "ECS_FARGATE_AGENT_MANAGEMENT", "EC2_AGENT_MANAGEMENT"}
	}
	return nil
}

// defaultFeatureStatus: everything is on in a new detector except runtime
// monitoring (spec §3.1; EKS_RUNTIME_MONITORING off is inferred).
func defaultFeatureStatus(feature string) string {
	if feature == "RUNTIME_MONITORING" || feature == "EKS_RUNTIME_MONITORING" {
		return "DISABLED"
	}
	return "ENABLED"
}

type additionalSetting struct {
	Name    string `json:"name"`
	Status  string `json:"status"`
	Updated int64  `json:"updated"` // Unix milliseconds
}

type featureSetting struct {
	Name       string              `json:"name"`
	Status     string              `json:"status"`
	Updated    int64               `json:"updated"`
	Additional []additionalSetting `json:"additional,omitempty"`
}

type detectorSettings struct {
	Frequency string           `json:"frequency"`
	Features  []featureSetting `json:"features"`
}

const defaultFrequency = "SIX_HOURS"

func newDetectorSettings(now time.Time) detectorSettings {
	ds := detectorSettings{Frequency: defaultFrequency}
	for _, name := range featureNames() {
		f := featureSetting{Name: name, Status: defaultFeatureStatus(name), Updated: now.UnixMilli()}
		for _, a := range additionalNames(name) {
			f.Additional = append(f.Additional, additionalSetting{Name: a, Status: "DISABLED", Updated: now.UnixMilli()})
		}
		ds.Features = append(ds.Features, f)
	}
	return ds
}

func readDetectorSettings(b []byte, fallback time.Time) detectorSettings {
	var ds detectorSettings
	if len(b) == 0 || json.Unmarshal(b, &ds) != nil || len(ds.Features) == 0 {
		return newDetectorSettings(fallback)
	}
	return ds
}

func (ds detectorSettings) bytes() []byte {
	b, _ := json.Marshal(ds) // plain structs always marshal
	return b
}

func (ds *detectorSettings) feature(name string) *featureSetting {
	for i := range ds.Features {
		if ds.Features[i].Name == name {
			return &ds.Features[i]
		}
	}
	return nil
}

func (ds detectorSettings) status(name string) string {
	if f := ds.feature(name); f != nil {
		return f.Status
	}
	return "DISABLED"
}

// featureInput is one feature of a request: the generated
// DetectorFeatureConfiguration and MemberFeaturesConfiguration have the
// same members under different names.
type featureInput struct {
	Name, Status *string
	Additional   []additionalInput
}

type additionalInput struct {
	Name, Status *string
}

func detectorFeatures(fs []api.DetectorFeatureConfiguration) []featureInput {
	out := make([]featureInput, len(fs))
	for i, f := range fs {
		out[i] = featureInput{Name: f.Name, Status: f.Status}
		for _, a := range f.AdditionalConfiguration {
			out[i].Additional = append(out[i].Additional, additionalInput{Name: a.Name, Status: a.Status})
		}
	}
	return out
}

// change is one validated feature change.
type change struct {
	feature    string
	status     string // "" keeps the status
	additional map[string]string
}

// featureChanges checks what the model cannot (a feature's name is
// required; an additional configuration belongs to its feature and names
// both members; the two runtime-monitoring features are exclusive) and
// returns the dataSources and features of a request as changes to apply.
// The enums are the model's, checked before.
func featureChanges(ds *api.DataSourceConfigurations, features []featureInput) ([]change, error) {
	var out []change
	if ds != nil {
		if ds.S3Logs != nil {
			out = append(out, change{feature: "S3_DATA_EVENTS", status: enabled(*ds.S3Logs.Enable)})
		}
		if ds.Kubernetes != nil {
			out = append(out, change{feature: "EKS_AUDIT_LOGS", status: enabled(*ds.Kubernetes.AuditLogs.Enable)})
		}
		if mp := ds.MalwareProtection; mp != nil && mp.ScanEc2InstanceWithFindings != nil && mp.ScanEc2InstanceWithFindings.EbsVolumes != nil {
			out = append(out, change{feature: "EBS_MALWARE_PROTECTION", status: enabled(*mp.ScanEc2InstanceWithFindings.EbsVolumes)})
		}
	}
	runtime := map[string]bool{}
	for _, f := range features {
		if f.Name == nil {
			return nil, model.Missing("features.name")
		}
		if *f.Name == "RUNTIME_MONITORING" || *f.Name == "EKS_RUNTIME_MONITORING" {
			runtime[*f.Name] = true
		}
		c := change{feature: *f.Name, additional: map[string]string{}}
		if f.Status != nil {
			c.status = *f.Status
		}
		for _, a := range f.Additional {
			if a.Name == nil || a.Status == nil {
				return nil, model.Missing("features.additionalConfiguration")
			}
			if !contains(additionalNames(*f.Name), *a.Name) {
				return nil, model.Refuse("features.additionalConfiguration.name",
					"The additional configuration "+*a.Name+" does not belong to the feature "+*f.Name+".")
			}
			c.additional[*a.Name] = *a.Status
		}
		out = append(out, c)
	}
	// The model: specifying both runtime-monitoring features "will cause
	// an error".
	if len(runtime) > 1 {
		return nil, model.Refuse("features", "EKS_RUNTIME_MONITORING and RUNTIME_MONITORING cannot be configured together.")
	}
	return out, nil
}

func enabled(b bool) string {
	if b {
		return "ENABLED"
	}
	return "DISABLED"
}

// apply makes the changes, stamping what changed with now.
func (ds *detectorSettings) apply(changes []change, now time.Time) {
	for _, c := range changes {
		f := ds.feature(c.feature)
		if f == nil {
			continue
		}
		if c.status != "" && c.status != f.Status {
			f.Status, f.Updated = c.status, now.UnixMilli()
		}
		for i := range f.Additional {
			if st, ok := c.additional[f.Additional[i].Name]; ok && st != f.Additional[i].Status {
				f.Additional[i].Status, f.Additional[i].Updated = st, now.UnixMilli()
			}
		}
	}
}

func (ds detectorSettings) dataSources(region, account string) *api.DataSourceConfigurationsResult {
	status := func(name string) *string { return new(ds.status(name)) }
	return &api.DataSourceConfigurationsResult{
		CloudTrail: &api.CloudTrailConfigurationResult{Status: status("CLOUD_TRAIL")},
		DNSLogs:    &api.DNSLogsConfigurationResult{Status: status("DNS_LOGS")},
		FlowLogs:   &api.FlowLogsConfigurationResult{Status: status("FLOW_LOGS")},
		S3Logs:     &api.S3LogsConfigurationResult{Status: status("S3_DATA_EVENTS")},
		Kubernetes: &api.KubernetesConfigurationResult{AuditLogs: &api.KubernetesAuditLogsConfigurationResult{Status: status("EKS_AUDIT_LOGS")}},
		MalwareProtection: &api.MalwareProtectionConfigurationResult{
			ScanEc2InstanceWithFindings: &api.ScanEc2InstanceWithFindingsResult{EbsVolumes: &api.EbsVolumesResult{Status: status("EBS_MALWARE_PROTECTION")}},
			ServiceRole:                 new(serviceLinkedRole(region, account, "malware-protection.guardduty.amazonaws.com", "AWSServiceRoleForAmazonGuardDutyMalwareProtection")),
		},
	}
}

// features lists every feature of the detector, as GetDetector does.
func (ds detectorSettings) features() []api.DetectorFeatureConfigurationResult {
	out := []api.DetectorFeatureConfigurationResult{}
	for _, f := range ds.Features {
		fr := api.DetectorFeatureConfigurationResult{Name: new(f.Name), Status: new(f.Status), UpdatedAt: new(time.UnixMilli(f.Updated).UTC())}
		for _, a := range f.Additional {
			fr.AdditionalConfiguration = append(fr.AdditionalConfiguration, api.DetectorAdditionalConfigurationResult{
				Name: new(a.Name), Status: new(a.Status), UpdatedAt: new(time.UnixMilli(a.Updated).UTC())})
		}
		out = append(out, fr)
	}
	return out
}

// memberFeatures lists the configurable features, as GetMemberDetectors
// does: the foundational sources are not listed (spec §6).
func (ds detectorSettings) memberFeatures() []api.MemberFeaturesConfigurationResult {
	out := []api.MemberFeaturesConfigurationResult{}
	for _, f := range ds.Features {
		if !contains(configurableFeatures(), f.Name) {
			continue
		}
		fr := api.MemberFeaturesConfigurationResult{Name: new(f.Name), Status: new(f.Status), UpdatedAt: new(time.UnixMilli(f.Updated).UTC())}
		for _, a := range f.Additional {
			fr.AdditionalConfiguration = append(fr.AdditionalConfiguration, api.MemberAdditionalConfigurationResult{
				Name: new(a.Name), Status: new(a.Status), UpdatedAt: new(time.UnixMilli(a.Updated).UTC())})
		}
		out = append(out, fr)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func serviceLinkedRole(region, account, principal, name string) string {
	return "arn:" + awsarn.Partition(region) + ":iam::" + account + ":role/aws-service-role/" + principal + "/" + name
}

func detectorStatus(st store.EnablementStatus) string {
	if st == store.EnablementSuspended {
		return "DISABLED"
	}
	return "ENABLED"
}

// CreateDetector: POST /detector.
func (s *Service) CreateDetector(ctx context.Context, call *protocol.Call, in *api.CreateDetectorRequest) (*api.CreateDetectorResponse, error) {
	if err := checkTags("tags", in.Tags); err != nil {
		return nil, err
	}
	changes, err := featureChanges(in.DataSources, detectorFeatures(in.Features))
	if err != nil {
		return nil, err
	}
	now := s.svc.Now()
	ds := newDetectorSettings(now)
	if in.FindingPublishingFrequency != nil {
		ds.Frequency = *in.FindingPublishingFrequency
	}
	ds.apply(changes, now)
	en := membership.EnableInput{Suspended: !*in.Enable, Settings: ds.bytes(), Tags: in.Tags}
	if in.ClientToken != nil {
		en.ClientToken = *in.ClientToken
	}
	created, err := s.svc.Enable(ctx, caller(call), en)
	if err != nil {
		return nil, err
	}
	return &api.CreateDetectorResponse{DetectorId: new(created.ResourceID)}, nil
}

// ListDetectors: GET /detector.
func (s *Service) ListDetectors(ctx context.Context, call *protocol.Call, in *api.ListDetectorsRequest) (*api.ListDetectorsResponse, error) {
	// One detector per account and region: there is never a second
	// page, so no token localsec made can be presented.
	if in.NextToken != nil && *in.NextToken != "" {
		return nil, &membership.Error{Code: membership.CodeInvalidNextToken}
	}
	out := &api.ListDetectorsResponse{DetectorIds: []string{}}
	en, err := s.svc.Enablement(ctx, caller(call))
	switch {
	case membership.ErrorCode(err) == membership.CodeNotEnabled:
	case err != nil:
		return nil, err
	default:
		out.DetectorIds = append(out.DetectorIds, en.ResourceID)
	}
	return out, nil
}

// GetDetector: GET /detector/{detectorId}.
func (s *Service) GetDetector(ctx context.Context, call *protocol.Call, in *api.GetDetectorRequest) (*api.GetDetectorResponse, error) {
	c, err := detectorCaller(call, in.DetectorId)
	if err != nil {
		return nil, err
	}
	en, err := s.svc.Enablement(ctx, c)
	if err != nil {
		return nil, err
	}
	ds := readDetectorSettings(en.Settings, en.Created)
	tags := en.Tags
	if tags == nil {
		// GuardDuty answers an empty map, where its model's TagMap has at
		// least one entry (a named deviation, deviations.go).
		tags = map[string]string{}
	}
	return &api.GetDetectorResponse{
		CreatedAt:                  isoTime(en.Created),
		FindingPublishingFrequency: new(ds.Frequency),
		ServiceRole:                new(serviceLinkedRole(en.Region, en.Account, "guardduty.amazonaws.com", "AWSServiceRoleForAmazonGuardDuty")),
		Status:                     new(detectorStatus(en.Status)),
		UpdatedAt:                  isoTime(en.Updated),
		DataSources:                ds.dataSources(en.Region, en.Account),
		Tags:                       tags,
		Features:                   ds.features(),
	}, nil
}

// UpdateDetector: POST /detector/{detectorId}.
func (s *Service) UpdateDetector(ctx context.Context, call *protocol.Call, in *api.UpdateDetectorRequest) (*api.UpdateDetectorResponse, error) {
	c, err := detectorCaller(call, in.DetectorId)
	if err != nil {
		return nil, err
	}
	changes, err := featureChanges(in.DataSources, detectorFeatures(in.Features))
	if err != nil {
		return nil, err
	}
	var u membership.EnablementUpdate
	if in.Enable != nil {
		u.Suspended = new(!*in.Enable)
	}
	now := s.svc.Now()
	u.Settings = func(old []byte) ([]byte, error) {
		ds := readDetectorSettings(old, now)
		if in.FindingPublishingFrequency != nil {
			ds.Frequency = *in.FindingPublishingFrequency
		}
		ds.apply(changes, now)
		return ds.bytes(), nil
	}
	return nil, s.svc.UpdateEnablement(ctx, c, u)
}

// DeleteDetector: DELETE /detector/{detectorId}.
func (s *Service) DeleteDetector(ctx context.Context, call *protocol.Call, in *api.DeleteDetectorRequest) (*api.DeleteDetectorResponse, error) {
	c, err := detectorCaller(call, in.DetectorId)
	if err != nil {
		return nil, err
	}
	return nil, s.svc.Disable(ctx, c)
}
