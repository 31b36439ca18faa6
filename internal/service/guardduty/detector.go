package guardduty

import (
	"context"
	"encoding/json"
	"time"

	"github.com/localsec/localsec/internal/awsarn"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol/restjson"
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

// Request shapes shared by CreateDetector, UpdateDetector and
// UpdateMemberDetectors.

type enableInput struct {
	Enable *bool `json:"enable"`
}

type dataSourcesInput struct {
	S3Logs     *enableInput `json:"s3Logs"`
	Kubernetes *struct {
		AuditLogs *enableInput `json:"auditLogs"`
	} `json:"kubernetes"`
	MalwareProtection *struct {
		ScanEc2InstanceWithFindings *struct {
			EbsVolumes *bool `json:"ebsVolumes"`
		} `json:"scanEc2InstanceWithFindings"`
	} `json:"malwareProtection"`
}

type additionalInput struct {
	Name   *string `json:"name"`
	Status *string `json:"status"`
}

type featureInput struct {
	Name                    *string           `json:"name"`
	Status                  *string           `json:"status"`
	AdditionalConfiguration []additionalInput `json:"additionalConfiguration"`
}

// change is one validated feature change.
type change struct {
	feature    string
	status     string // "" keeps the status
	additional map[string]string
}

// featureChanges validates the dataSources and features of a request and
// returns them as changes to apply.
func featureChanges(ds *dataSourcesInput, features []featureInput) ([]change, error) {
	var out []change
	if ds != nil {
		if ds.S3Logs != nil {
			if ds.S3Logs.Enable == nil {
				return nil, restjson.Missing("dataSources.s3Logs.enable")
			}
			out = append(out, change{feature: "S3_DATA_EVENTS", status: enabled(*ds.S3Logs.Enable)})
		}
		if ds.Kubernetes != nil {
			if ds.Kubernetes.AuditLogs == nil || ds.Kubernetes.AuditLogs.Enable == nil {
				return nil, restjson.Missing("dataSources.kubernetes.auditLogs.enable")
			}
			out = append(out, change{feature: "EKS_AUDIT_LOGS", status: enabled(*ds.Kubernetes.AuditLogs.Enable)})
		}
		if mp := ds.MalwareProtection; mp != nil && mp.ScanEc2InstanceWithFindings != nil && mp.ScanEc2InstanceWithFindings.EbsVolumes != nil {
			out = append(out, change{feature: "EBS_MALWARE_PROTECTION", status: enabled(*mp.ScanEc2InstanceWithFindings.EbsVolumes)})
		}
	}
	runtime := map[string]bool{}
	for _, f := range features {
		if f.Name == nil {
			return nil, restjson.Missing("features.name")
		}
		if err := enumValue("features.name", *f.Name, configurableFeatures()...); err != nil {
			return nil, err
		}
		if *f.Name == "RUNTIME_MONITORING" || *f.Name == "EKS_RUNTIME_MONITORING" {
			runtime[*f.Name] = true
		}
		c := change{feature: *f.Name, additional: map[string]string{}}
		if f.Status != nil {
			if err := enumValue("features.status", *f.Status, "ENABLED", "DISABLED"); err != nil {
				return nil, err
			}
			c.status = *f.Status
		}
		for _, a := range f.AdditionalConfiguration {
			if a.Name == nil || a.Status == nil {
				return nil, restjson.Missing("features.additionalConfiguration")
			}
			if err := enumValue("features.additionalConfiguration.name", *a.Name, additionalNames(*f.Name)...); err != nil {
				return nil, err
			}
			if err := enumValue("features.additionalConfiguration.status", *a.Status, "ENABLED", "DISABLED"); err != nil {
				return nil, err
			}
			c.additional[*a.Name] = *a.Status
		}
		out = append(out, c)
	}
	// The model: specifying both runtime-monitoring features "will cause
	// an error".
	if len(runtime) > 1 {
		return nil, restjson.Invalid("features", "EKS_RUNTIME_MONITORING and RUNTIME_MONITORING cannot be configured together.")
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

// Response shapes.

type statusResult struct {
	Status string `json:"status"`
}

type dataSourcesResult struct {
	CloudTrail statusResult `json:"cloudTrail"`
	DNSLogs    statusResult `json:"dnsLogs"`
	FlowLogs   statusResult `json:"flowLogs"`
	S3Logs     statusResult `json:"s3Logs"`
	Kubernetes struct {
		AuditLogs statusResult `json:"auditLogs"`
	} `json:"kubernetes"`
	MalwareProtection struct {
		ScanEc2InstanceWithFindings struct {
			EbsVolumes statusResult `json:"ebsVolumes"`
		} `json:"scanEc2InstanceWithFindings"`
		ServiceRole string `json:"serviceRole"`
	} `json:"malwareProtection"`
}

type additionalResult struct {
	Name      string                  `json:"name"`
	Status    string                  `json:"status"`
	UpdatedAt restjson.EpochTimestamp `json:"updatedAt"`
}

type featureResult struct {
	Name                    string                  `json:"name"`
	Status                  string                  `json:"status"`
	UpdatedAt               restjson.EpochTimestamp `json:"updatedAt"`
	AdditionalConfiguration []additionalResult      `json:"additionalConfiguration,omitempty"`
}

func (ds detectorSettings) dataSources(region, account string) dataSourcesResult {
	var r dataSourcesResult
	r.CloudTrail.Status = ds.status("CLOUD_TRAIL")
	r.DNSLogs.Status = ds.status("DNS_LOGS")
	r.FlowLogs.Status = ds.status("FLOW_LOGS")
	r.S3Logs.Status = ds.status("S3_DATA_EVENTS")
	r.Kubernetes.AuditLogs.Status = ds.status("EKS_AUDIT_LOGS")
	r.MalwareProtection.ScanEc2InstanceWithFindings.EbsVolumes.Status = ds.status("EBS_MALWARE_PROTECTION")
	r.MalwareProtection.ServiceRole = serviceLinkedRole(region, account, "malware-protection.guardduty.amazonaws.com", "AWSServiceRoleForAmazonGuardDutyMalwareProtection")
	return r
}

// features lists the features; only lists the names in keep when keep is
// not nil.
func (ds detectorSettings) features(keep []string) []featureResult {
	out := []featureResult{}
	for _, f := range ds.Features {
		if keep != nil && !contains(keep, f.Name) {
			continue
		}
		fr := featureResult{Name: f.Name, Status: f.Status, UpdatedAt: restjson.EpochTimestamp(time.UnixMilli(f.Updated))}
		for _, a := range f.Additional {
			fr.AdditionalConfiguration = append(fr.AdditionalConfiguration,
				additionalResult{Name: a.Name, Status: a.Status, UpdatedAt: restjson.EpochTimestamp(time.UnixMilli(a.Updated))})
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

func checkFrequency(v *string) error {
	if v == nil {
		return nil
	}
	return enumValue("findingPublishingFrequency", *v, "FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS")
}

// CreateDetector: POST /detector.
func (s *Service) createDetector(ctx context.Context, r *restjson.Request) (any, error) {
	var in struct {
		Enable                     *bool             `json:"enable"`
		ClientToken                *string           `json:"clientToken"`
		FindingPublishingFrequency *string           `json:"findingPublishingFrequency"`
		DataSources                *dataSourcesInput `json:"dataSources"`
		Tags                       map[string]string `json:"tags"`
		Features                   []featureInput    `json:"features"`
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if in.Enable == nil {
		return nil, restjson.Missing("enable")
	}
	if in.ClientToken != nil && len(*in.ClientToken) > 64 {
		return nil, restjson.Invalid("clientToken", "it can be at most 64 characters long.")
	}
	if err := checkFrequency(in.FindingPublishingFrequency); err != nil {
		return nil, err
	}
	if err := checkTags("tags", in.Tags); err != nil {
		return nil, err
	}
	changes, err := featureChanges(in.DataSources, in.Features)
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
	created, err := s.svc.Enable(ctx, caller(r), en)
	if err != nil {
		return nil, err
	}
	return struct {
		DetectorID string `json:"detectorId"`
	}{created.ResourceID}, nil
}

// ListDetectors: GET /detector.
func (s *Service) listDetectors(ctx context.Context, r *restjson.Request) (any, error) {
	p, err := page(r)
	if err != nil {
		return nil, err
	}
	// One detector per account and region: there is never a second
	// page, so no token localsec made can be presented.
	if p.Token != "" {
		return nil, &membership.Error{Code: membership.CodeInvalidNextToken}
	}
	out := struct {
		DetectorIDs []string `json:"detectorIds"`
	}{DetectorIDs: []string{}}
	en, err := s.svc.Enablement(ctx, caller(r))
	switch {
	case membership.ErrorCode(err) == membership.CodeNotEnabled:
	case err != nil:
		return nil, err
	default:
		out.DetectorIDs = append(out.DetectorIDs, en.ResourceID)
	}
	return out, nil
}

// GetDetector: GET /detector/{detectorId}.
func (s *Service) getDetector(ctx context.Context, r *restjson.Request) (any, error) {
	c, err := detectorCaller(r)
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
		tags = map[string]string{}
	}
	return struct {
		CreatedAt                  *restjson.Timestamp `json:"createdAt,omitempty"`
		FindingPublishingFrequency string              `json:"findingPublishingFrequency"`
		ServiceRole                string              `json:"serviceRole"`
		Status                     string              `json:"status"`
		UpdatedAt                  *restjson.Timestamp `json:"updatedAt,omitempty"`
		DataSources                dataSourcesResult   `json:"dataSources"`
		Tags                       map[string]string   `json:"tags"`
		Features                   []featureResult     `json:"features"`
	}{
		CreatedAt:                  restjson.NewTimestamp(en.Created),
		FindingPublishingFrequency: ds.Frequency,
		ServiceRole:                serviceLinkedRole(en.Region, en.Account, "guardduty.amazonaws.com", "AWSServiceRoleForAmazonGuardDuty"),
		Status:                     detectorStatus(en.Status),
		UpdatedAt:                  restjson.NewTimestamp(en.Updated),
		DataSources:                ds.dataSources(en.Region, en.Account),
		Tags:                       tags,
		Features:                   ds.features(nil),
	}, nil
}

// UpdateDetector: POST /detector/{detectorId}.
func (s *Service) updateDetector(ctx context.Context, r *restjson.Request) (any, error) {
	c, err := detectorCaller(r)
	if err != nil {
		return nil, err
	}
	var in struct {
		Enable                     *bool             `json:"enable"`
		FindingPublishingFrequency *string           `json:"findingPublishingFrequency"`
		DataSources                *dataSourcesInput `json:"dataSources"`
		Features                   []featureInput    `json:"features"`
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if err := checkFrequency(in.FindingPublishingFrequency); err != nil {
		return nil, err
	}
	changes, err := featureChanges(in.DataSources, in.Features)
	if err != nil {
		return nil, err
	}
	var u membership.EnablementUpdate
	if in.Enable != nil {
		suspend := !*in.Enable
		u.Suspended = &suspend
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
func (s *Service) deleteDetector(ctx context.Context, r *restjson.Request) (any, error) {
	c, err := detectorCaller(r)
	if err != nil {
		return nil, err
	}
	return nil, s.svc.Disable(ctx, c)
}
