package guardduty

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	api "github.com/localsec/localsec/internal/api/guardduty"
	"github.com/localsec/localsec/internal/protocol/model"
)

var (
	t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	t1 = t0.Add(time.Hour)
)

// modelDetectorFeatures is the model's DetectorFeature (= OrgFeature) enum.
var modelDetectorFeatures = []string{"S3_DATA_EVENTS", "EKS_AUDIT_LOGS", "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS",
	"LAMBDA_NETWORK_LOGS", "EKS_RUNTIME_MONITORING", "RUNTIME_MONITORING"}

// modelDetectorFeatureResults is the model's DetectorFeatureResult enum.
var modelDetectorFeatureResults = append([]string{"FLOW_LOGS", "CLOUD_TRAIL", "DNS_LOGS"}, modelDetectorFeatures...)

func sorted(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

func TestFeatureNamesMatchTheModel(t *testing.T) {
	if !slices.Equal(sorted(featureNames()), sorted(modelDetectorFeatureResults)) {
		t.Errorf("featureNames = %v, want the DetectorFeatureResult enum %v", featureNames(), modelDetectorFeatureResults)
	}
	if !slices.Equal(sorted(configurableFeatures()), sorted(modelDetectorFeatures)) {
		t.Errorf("configurableFeatures = %v, want the DetectorFeature enum %v", configurableFeatures(), modelDetectorFeatures)
	}
	for _, name := range featureNames() {
		var want []string
		switch name {
		case "EKS_RUNTIME_MONITORING":
			want = []string{"EKS_ADDON_MANAGEMENT"}
		case "RUNTIME_MONITORING":
			want = []string{"EKS_ADDON_MANAGEMENT", "ECS_FARGATE_AGENT_MANAGEMENT", "EC2_AGENT_MANAGEMENT"}
		}
		if got := additionalNames(name); !slices.Equal(got, want) {
			t.Errorf("additionalNames(%s) = %v, want %v", name, got, want)
		}
	}
}

func TestNewDetectorSettingsDefaults(t *testing.T) {
	ds := newDetectorSettings(t0)
	if ds.Frequency != "SIX_HOURS" {
		t.Errorf("frequency = %s, want SIX_HOURS", ds.Frequency)
	}
	seen := map[string]int{}
	for _, f := range ds.Features {
		seen[f.Name]++
		want := "ENABLED"
		if f.Name == "RUNTIME_MONITORING" || f.Name == "EKS_RUNTIME_MONITORING" {
			want = "DISABLED"
		}
		if f.Status != want || f.Updated != t0.UnixMilli() {
			t.Errorf("default %s = %s at %d, want %s at %d", f.Name, f.Status, f.Updated, want, t0.UnixMilli())
		}
		var extra []string
		for _, a := range f.Additional {
			extra = append(extra, a.Name)
			if a.Status != "DISABLED" || a.Updated != t0.UnixMilli() {
				t.Errorf("default %s/%s = %s at %d", f.Name, a.Name, a.Status, a.Updated)
			}
		}
		if !slices.Equal(extra, additionalNames(f.Name)) {
			t.Errorf("default %s additional = %v, want %v", f.Name, extra, additionalNames(f.Name))
		}
	}
	for _, name := range featureNames() {
		if seen[name] != 1 {
			t.Errorf("feature %s appears %d times, want once", name, seen[name])
		}
	}
	if len(ds.Features) != len(featureNames()) {
		t.Errorf("%d features, want %d", len(ds.Features), len(featureNames()))
	}
}

// bindUpdateDetector binds a body of UpdateDetector as the restjson layer
// does: through the model, which checks its enums and required members.
func bindUpdateDetector(t *testing.T, body string) (*api.UpdateDetectorRequest, error) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(body)))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		t.Fatalf("bad test body %s: %v", body, err)
	}
	in := new(api.UpdateDetectorRequest)
	err := model.Bind(api.Model().Operation("UpdateDetector").Input, in, func(m *model.Member) (any, bool) {
		if m.Location == model.URI {
			return model.Text(strings.Repeat("0", 32)), true
		}
		v, ok := obj[m.WireName]
		return v, ok
	})
	return in, err
}

// parseChangeInput binds a body and returns its dataSources and features.
func parseChangeInput(t *testing.T, body string) (*api.DataSourceConfigurations, []featureInput) {
	t.Helper()
	in, err := bindUpdateDetector(t, body)
	if err != nil {
		t.Fatalf("body %s refused: %v", body, err)
	}
	return in.DataSources, detectorFeatures(in.Features)
}

func describeChanges(cs []change) string {
	var out []string
	for _, c := range cs {
		s := c.feature + "=" + c.status
		if len(c.additional) > 0 {
			s += "+" + fmt.Sprint(c.additional)
		}
		out = append(out, s)
	}
	return fmt.Sprint(out)
}

func TestFeatureChanges(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       string // describeChanges of the result
	}{
		{"nothing", `{}`, "[]"},
		{"s3Logs off", `{"dataSources":{"s3Logs":{"enable":false}}}`, "[S3_DATA_EVENTS=DISABLED]"},
		{"audit logs on", `{"dataSources":{"kubernetes":{"auditLogs":{"enable":true}}}}`, "[EKS_AUDIT_LOGS=ENABLED]"},
		{"ebs off", `{"dataSources":{"malwareProtection":{"scanEc2InstanceWithFindings":{"ebsVolumes":false}}}}`, "[EBS_MALWARE_PROTECTION=DISABLED]"},
		{"empty malware protection", `{"dataSources":{"malwareProtection":{}}}`, "[]"},
		{"all data sources", `{"dataSources":{"s3Logs":{"enable":true},"kubernetes":{"auditLogs":{"enable":false}},"malwareProtection":{"scanEc2InstanceWithFindings":{"ebsVolumes":true}}}}`,
			"[S3_DATA_EVENTS=ENABLED EKS_AUDIT_LOGS=DISABLED EBS_MALWARE_PROTECTION=ENABLED]"},
		{"one feature", `{"features":[{"name":"RDS_LOGIN_EVENTS","status":"DISABLED"}]}`, "[RDS_LOGIN_EVENTS=DISABLED]"},
		{"feature without status", `{"features":[{"name":"EKS_RUNTIME_MONITORING","additionalConfiguration":[{"name":"EKS_ADDON_MANAGEMENT","status":"ENABLED"}]}]}`,
			"[EKS_RUNTIME_MONITORING=+map[EKS_ADDON_MANAGEMENT:ENABLED]]"},
		{"runtime with its three", `{"features":[{"name":"RUNTIME_MONITORING","status":"ENABLED","additionalConfiguration":[{"name":"EKS_ADDON_MANAGEMENT","status":"ENABLED"},{"name":"ECS_FARGATE_AGENT_MANAGEMENT","status":"DISABLED"},{"name":"EC2_AGENT_MANAGEMENT","status":"ENABLED"}]}]}`,
			"[RUNTIME_MONITORING=ENABLED+map[EC2_AGENT_MANAGEMENT:ENABLED ECS_FARGATE_AGENT_MANAGEMENT:DISABLED EKS_ADDON_MANAGEMENT:ENABLED]]"},
		{"data source and feature", `{"dataSources":{"s3Logs":{"enable":false}},"features":[{"name":"LAMBDA_NETWORK_LOGS","status":"DISABLED"}]}`,
			"[S3_DATA_EVENTS=DISABLED LAMBDA_NETWORK_LOGS=DISABLED]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds, fs := parseChangeInput(t, tc.body)
			got, err := featureChanges(ds, fs)
			if err != nil {
				t.Fatalf("featureChanges: %v", err)
			}
			if s := describeChanges(got); s != tc.want {
				t.Fatalf("changes = %s, want %s", s, tc.want)
			}
		})
	}
}

// Refusals of a request's dataSources and features, by the model (enums,
// required members) or by the adapter (what the model cannot say).
func TestFeatureChangesRefusals(t *testing.T) {
	index := regexp.MustCompile(`\[\d+\]`)
	for _, tc := range []struct {
		name, body string
		byModel    bool
		field      string // the violation's path without list indices
	}{
		{"s3Logs without enable", `{"dataSources":{"s3Logs":{}}}`, true, "dataSources.s3Logs.enable"},
		{"kubernetes without auditLogs", `{"dataSources":{"kubernetes":{}}}`, true, "dataSources.kubernetes.auditLogs"},
		{"auditLogs without enable", `{"dataSources":{"kubernetes":{"auditLogs":{}}}}`, true, "dataSources.kubernetes.auditLogs.enable"},
		{"feature without name", `{"features":[{"status":"ENABLED"}]}`, false, "features.name"},
		{"foundational feature", `{"features":[{"name":"CLOUD_TRAIL","status":"DISABLED"}]}`, true, "features.name"},
		{"flow logs", `{"features":[{"name":"FLOW_LOGS","status":"DISABLED"}]}`, true, "features.name"},
		{"unknown feature", `{"features":[{"name":"s3_data_events","status":"DISABLED"}]}`, true, "features.name"},
		{"bad status", `{"features":[{"name":"S3_DATA_EVENTS","status":"OFF"}]}`, true, "features.status"},
		{"bad frequency", `{"findingPublishingFrequency":"DAILY"}`, true, "findingPublishingFrequency"},
		{"lower-case frequency", `{"findingPublishingFrequency":"six_hours"}`, true, "findingPublishingFrequency"},
		{"both runtime features", `{"features":[{"name":"EKS_RUNTIME_MONITORING","status":"ENABLED"},{"name":"RUNTIME_MONITORING","status":"DISABLED"}]}`, false, "features"},
		{"both runtime features, no status", `{"features":[{"name":"RUNTIME_MONITORING"},{"name":"EKS_RUNTIME_MONITORING"}]}`, false, "features"},
		{"additional of the other runtime feature", `{"features":[{"name":"EKS_RUNTIME_MONITORING","status":"ENABLED","additionalConfiguration":[{"name":"ECS_FARGATE_AGENT_MANAGEMENT","status":"ENABLED"}]}]}`,
			false, "features.additionalConfiguration.name"},
		{"EC2 agent for EKS runtime", `{"features":[{"name":"EKS_RUNTIME_MONITORING","additionalConfiguration":[{"name":"EC2_AGENT_MANAGEMENT","status":"ENABLED"}]}]}`,
			false, "features.additionalConfiguration.name"},
		{"additional where there is none", `{"features":[{"name":"RDS_LOGIN_EVENTS","status":"ENABLED","additionalConfiguration":[{"name":"EKS_ADDON_MANAGEMENT","status":"ENABLED"}]}]}`,
			false, "features.additionalConfiguration.name"},
		{"unknown additional", `{"features":[{"name":"RUNTIME_MONITORING","additionalConfiguration":[{"name":"GPU_AGENT","status":"ENABLED"}]}]}`,
			true, "features.additionalConfiguration.name"},
		{"additional bad status", `{"features":[{"name":"RUNTIME_MONITORING","additionalConfiguration":[{"name":"EKS_ADDON_MANAGEMENT","status":"YES"}]}]}`,
			true, "features.additionalConfiguration.status"},
		{"additional without status", `{"features":[{"name":"RUNTIME_MONITORING","additionalConfiguration":[{"name":"EKS_ADDON_MANAGEMENT"}]}]}`,
			false, "features.additionalConfiguration"},
		{"additional without name", `{"features":[{"name":"RUNTIME_MONITORING","additionalConfiguration":[{"status":"ENABLED"}]}]}`,
			false, "features.additionalConfiguration"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := bindUpdateDetector(t, tc.body)
			if (err != nil) != tc.byModel {
				t.Fatalf("the model's binding: %v; want a refusal: %t", err, tc.byModel)
			}
			if err == nil {
				var got []change
				got, err = featureChanges(in.DataSources, detectorFeatures(in.Features))
				if err == nil {
					t.Fatalf("featureChanges = %s, want a refusal", describeChanges(got))
				}
			}
			var ie *model.InputError
			if !errors.As(err, &ie) || ie.Kind != model.Invalid {
				t.Fatalf("error %v, want an Invalid input error", err)
			}
			if path := index.ReplaceAllString(ie.First().Path, ""); path != tc.field {
				t.Fatalf("violation at %q, want %q", path, tc.field)
			}
			// Every such refusal is GuardDuty's generic invalid-value 400.
			if msg := inputMessage(ie); msg != msgInvalidValue {
				t.Fatalf("message %q, want %q", msg, msgInvalidValue)
			}
		})
	}
}

func TestApplyIsPartial(t *testing.T) {
	ds := newDetectorSettings(t0)
	before := newDetectorSettings(t0)
	changes, err := featureChanges(parseChangeInput(t, `{"dataSources":{"s3Logs":{"enable":false}},"features":[
		{"name":"RDS_LOGIN_EVENTS","status":"ENABLED"},
		{"name":"EKS_RUNTIME_MONITORING","additionalConfiguration":[{"name":"EKS_ADDON_MANAGEMENT","status":"ENABLED"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	ds.apply(changes, t1)
	for i, f := range ds.Features {
		old := before.Features[i]
		switch f.Name {
		case "S3_DATA_EVENTS":
			if f.Status != "DISABLED" || f.Updated != t1.UnixMilli() {
				t.Errorf("S3_DATA_EVENTS = %s at %d, want DISABLED at t1", f.Status, f.Updated)
			}
		case "RDS_LOGIN_EVENTS":
			// Already ENABLED: no change, so no new time.
			if f.Status != "ENABLED" || f.Updated != t0.UnixMilli() {
				t.Errorf("RDS_LOGIN_EVENTS = %s at %d, want ENABLED untouched", f.Status, f.Updated)
			}
		case "EKS_RUNTIME_MONITORING":
			if f.Status != "DISABLED" || f.Updated != t0.UnixMilli() {
				t.Errorf("EKS_RUNTIME_MONITORING = %s at %d: a change without status must keep the status", f.Status, f.Updated)
			}
			if a := f.Additional[0]; a.Status != "ENABLED" || a.Updated != t1.UnixMilli() {
				t.Errorf("EKS_ADDON_MANAGEMENT = %s at %d, want ENABLED at t1", a.Status, a.Updated)
			}
		default:
			if fmt.Sprint(f) != fmt.Sprint(old) {
				t.Errorf("%s changed: %+v -> %+v", f.Name, old, f)
			}
		}
	}
	// Only the named additional configuration of RUNTIME_MONITORING changes.
	ds.apply([]change{{feature: "RUNTIME_MONITORING", additional: map[string]string{"EC2_AGENT_MANAGEMENT": "ENABLED"}}}, t1)
	for _, a := range ds.feature("RUNTIME_MONITORING").Additional {
		want := "DISABLED"
		if a.Name == "EC2_AGENT_MANAGEMENT" {
			want = "ENABLED"
		}
		if a.Status != want {
			t.Errorf("RUNTIME_MONITORING/%s = %s, want %s", a.Name, a.Status, want)
		}
	}
	// A change for a feature the settings do not hold is ignored.
	snapshot := fmt.Sprint(ds)
	ds.apply([]change{{feature: "NO_SUCH_FEATURE", status: "ENABLED"}}, t1)
	if fmt.Sprint(ds) != snapshot {
		t.Error("an unknown feature changed the settings")
	}
}

func TestDataSourcesFollowFeatures(t *testing.T) {
	ds := newDetectorSettings(t0)
	r := ds.dataSources("us-east-1", "111111111111")
	for name, st := range map[string]string{
		"cloudTrail": *r.CloudTrail.Status, "dnsLogs": *r.DNSLogs.Status, "flowLogs": *r.FlowLogs.Status, "s3Logs": *r.S3Logs.Status,
		"kubernetes.auditLogs": *r.Kubernetes.AuditLogs.Status, "ebsVolumes": *r.MalwareProtection.ScanEc2InstanceWithFindings.EbsVolumes.Status,
	} {
		if st != "ENABLED" {
			t.Errorf("default %s = %s, want ENABLED", name, st)
		}
	}
	const wantRole = "arn:aws:iam::111111111111:role/aws-service-role/malware-protection.guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDutyMalwareProtection"
	if *r.MalwareProtection.ServiceRole != wantRole {
		t.Errorf("malware role = %s", *r.MalwareProtection.ServiceRole)
	}
	if got := *ds.dataSources("cn-north-1", "111111111111").MalwareProtection.ServiceRole; !strings.HasPrefix(got, "arn:aws-cn:iam::111111111111:") {
		t.Errorf("China role = %s, want the aws-cn partition", got)
	}
	ds.apply([]change{{feature: "S3_DATA_EVENTS", status: "DISABLED"}, {feature: "EKS_AUDIT_LOGS", status: "DISABLED"}, {feature: "EBS_MALWARE_PROTECTION", status: "DISABLED"}}, t1)
	r = ds.dataSources("us-east-1", "111111111111")
	if *r.S3Logs.Status != "DISABLED" || *r.Kubernetes.AuditLogs.Status != "DISABLED" || *r.MalwareProtection.ScanEc2InstanceWithFindings.EbsVolumes.Status != "DISABLED" || *r.CloudTrail.Status != "ENABLED" {
		t.Errorf("dataSources after disabling the features = %+v", r)
	}
	if ds.status("NO_SUCH_FEATURE") != "DISABLED" {
		t.Error("an absent feature must read DISABLED")
	}
}

// featuresJSON encodes a detector's features as GetDetector's answer
// carries them.
func featuresJSON(t *testing.T, fs []api.DetectorFeatureConfigurationResult) []byte {
	t.Helper()
	b, err := model.AppendJSON(nil, api.Model().Operation("GetDetector").Output, &api.GetDetectorResponse{Features: fs}, model.UnixTimestamp)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFeaturesView(t *testing.T) {
	ds := newDetectorSettings(t0)
	all := ds.features()
	if len(all) != len(featureNames()) {
		t.Fatalf("%d features, want %d", len(all), len(featureNames()))
	}
	var wire struct {
		Features []map[string]any `json:"features"`
	}
	if err := json.Unmarshal(featuresJSON(t, all), &wire); err != nil {
		t.Fatal(err)
	}
	for _, f := range wire.Features {
		name := f["name"].(string)
		if ts, ok := f["updatedAt"].(float64); !ok || ts != float64(t0.Unix()) {
			t.Errorf("%s updatedAt = %#v, want the JSON number %d", name, f["updatedAt"], t0.Unix())
		}
		extra, has := f["additionalConfiguration"]
		switch name {
		case "EKS_RUNTIME_MONITORING", "RUNTIME_MONITORING":
			list, _ := extra.([]any)
			if len(list) != len(additionalNames(name)) {
				t.Errorf("%s additionalConfiguration = %v", name, extra)
			}
			for _, x := range list {
				if _, ok := x.(map[string]any)["updatedAt"].(float64); !ok {
					t.Errorf("%s additional updatedAt is not a number: %v", name, x)
				}
			}
		default:
			if has {
				t.Errorf("%s has additionalConfiguration %v; only runtime features have one", name, extra)
			}
		}
	}
	var names []string
	for _, f := range ds.memberFeatures() {
		names = append(names, *f.Name)
	}
	if !slices.Equal(sorted(names), sorted(modelDetectorFeatures)) {
		t.Errorf("member features = %v, want the OrgFeature names", names)
	}
	// Millisecond precision survives.
	ds.apply([]change{{feature: "S3_DATA_EVENTS", status: "DISABLED"}}, t1.Add(250*time.Millisecond))
	b := featuresJSON(t, ds.features())
	if want := fmt.Sprintf(`"name":"S3_DATA_EVENTS","status":"DISABLED","updatedAt":%d.250`, t1.Unix()); !json.Valid(b) || !strings.Contains(string(b), want) {
		t.Errorf("features on the wire = %s, want %s", b, want)
	}
}

func TestReadDetectorSettings(t *testing.T) {
	for _, raw := range [][]byte{nil, []byte(""), []byte("not json"), []byte(`{"frequency":"ONE_HOUR","features":[]}`)} {
		ds := readDetectorSettings(raw, t0)
		if fmt.Sprint(ds) != fmt.Sprint(newDetectorSettings(t0)) {
			t.Errorf("readDetectorSettings(%q) = %+v, want the defaults", raw, ds)
		}
	}
	ds := newDetectorSettings(t0)
	ds.Frequency = "FIFTEEN_MINUTES"
	ds.apply([]change{{feature: "RUNTIME_MONITORING", status: "ENABLED", additional: map[string]string{"EC2_AGENT_MANAGEMENT": "ENABLED"}}}, t1)
	back := readDetectorSettings(ds.bytes(), t1)
	if fmt.Sprint(back) != fmt.Sprint(ds) {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, ds)
	}
}
