package guardduty

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol/restjson"
	"github.com/localsec/localsec/internal/store"
)

func TestIsDetectorID(t *testing.T) {
	for _, id := range []string{
		"12abc34d567e8fa901bc2d34e56789f0",
		strings.Repeat("0", 32),
		strings.Repeat("z", 32), // 32 of [0-9a-z] (spec §2.2)
		"84b097800250d17d1872b34c4daadcf5",
	} {
		if !isDetectorID(id) {
			t.Errorf("isDetectorID(%q) = false", id)
		}
	}
	for _, id := range []string{
		"", "mygooddetectorid",
		strings.Repeat("a", 31), strings.Repeat("a", 33),
		"12ABC34D567E8FA901BC2D34E56789F0",
		"12abc34d-567e-8fa9-01bc-2d34e567",
		"12abc34d567e8fa901bc2d34e56789f ",
		"12abc34d567e8fa901bc2d34e56789f/",
		"12abc34d567e8fa901bc2d34e56789fé",
	} {
		if isDetectorID(id) {
			t.Errorf("isDetectorID(%q) = true", id)
		}
	}
}

// The model's TagKey: 1..128 characters matching (?!aws:)[a-zA-Z+-=._:/]+.
// Go's regexp has no lookahead; the prefix is checked apart.
var modelTagKey = regexp.MustCompile(`^[a-zA-Z+-=._:/]+$`)

func modelAllowsTagKey(k string) bool {
	return len(k) >= 1 && len(k) <= 128 && !strings.HasPrefix(k, "aws:") && modelTagKey.MatchString(k)
}

func TestCheckTagKeyFollowsTheModelPattern(t *testing.T) {
	var keys []string
	for c := 0; c < 256; c++ {
		keys = append(keys, string(rune(c)), "k"+string([]byte{byte(c)}), "k"+string(rune(c)))
	}
	for _, k := range []string{
		"", "aws:", "aws:x", "AWS:x", "aws", "awsx:", "xaws:", "a:ws", "aws-x",
		"env", "team:name/x", "a+b=c", "a,b;c<d", "a b", "a>b", "a?b", "a@b", "a*b", "a\\b", "a\"b", "a_b", "a-b", "a.b",
		"ключ", "日本", "tab\tkey", strings.Repeat("k", 128), strings.Repeat("k", 129), "aws:" + strings.Repeat("k", 124),
	} {
		keys = append(keys, k)
	}
	for _, k := range keys {
		want := modelAllowsTagKey(k)
		err := checkTagKey("tags", k)
		if (err == nil) != want {
			t.Errorf("checkTagKey(%q) = %v, the model pattern says allowed=%v", k, err, want)
		}
		var in *restjson.InputError
		if err != nil && (!errors.As(err, &in) || in.Kind != restjson.InputInvalid || inputMessage(in) != msgInvalidValue) {
			t.Errorf("checkTagKey(%q) = %#v, want an invalid-value input error", k, err)
		}
	}
	// The range +-= takes in digits and , ; < as the model's regex does.
	for _, k := range []string{"0123456789", "a,b", "a;b", "a<b", "+", "=", "/", ":"} {
		if err := checkTagKey("tags", k); err != nil {
			t.Errorf("checkTagKey(%q) = %v, want it allowed", k, err)
		}
	}
}

func TestCheckTags(t *testing.T) {
	tags := map[string]string{}
	for i := 0; i < 50; i++ {
		tags[fmt.Sprintf("k%d", i)] = strings.Repeat("v", 256)
	}
	if err := checkTags("tags", tags); err != nil {
		t.Fatalf("50 tags with 256-character values: %v", err)
	}
	tags["k50"] = "v"
	if err := checkTags("tags", tags); err == nil {
		t.Fatal("51 tags accepted")
	}
	if err := checkTags("tags", map[string]string{"k": strings.Repeat("v", 257)}); err == nil {
		t.Fatal("a 257-character value accepted")
	}
	if err := checkTags("tags", map[string]string{"aws:k": "v"}); err == nil {
		t.Fatal("an aws: key accepted")
	}
	if err := checkTags("tags", map[string]string{"k": ""}); err != nil {
		t.Fatalf("an empty value: %v", err)
	}
	if err := checkTags("tags", nil); err != nil {
		t.Fatalf("no tags: %v", err)
	}
}

func TestAccountIDList(t *testing.T) {
	ids := func(n int) *[]string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("1%011d", i)
		}
		return &out
	}
	for name, tc := range map[string]struct {
		in   *[]string
		kind restjson.InputErrorKind
	}{
		"absent":      {nil, restjson.InputMissing},
		"empty":       {ids(0), restjson.InputInvalid},
		"51":          {ids(51), restjson.InputInvalid},
		"13 digits":   {&[]string{"1234567890123"}, restjson.InputInvalid},
		"11 digits":   {&[]string{"12345678901"}, restjson.InputInvalid},
		"letters":     {&[]string{"12345678901a"}, restjson.InputInvalid},
		"one bad":     {&[]string{"123456789012", "x"}, restjson.InputInvalid},
		"empty entry": {&[]string{""}, restjson.InputInvalid},
	} {
		_, err := accountIDList("accountIds", tc.in)
		var in *restjson.InputError
		if !errors.As(err, &in) || in.Kind != tc.kind || inputMessage(in) != msgInvalidValue {
			t.Errorf("%s: %v, want an input error of kind %d with the invalid-value text", name, err, tc.kind)
		}
	}
	for _, n := range []int{1, 50} {
		got, err := accountIDList("accountIds", ids(n))
		if err != nil || len(got) != n {
			t.Errorf("%d ids: %d, %v", n, len(got), err)
		}
	}
}

func TestDetectorARNPattern(t *testing.T) {
	re := detectorARNPattern()
	for _, arn := range []string{
		"arn:aws:guardduty:us-east-1:111111111111:detector/12abc34d567e8fa901bc2d34e56789f0",
		"arn:aws-cn:guardduty:cn-north-1:111111111111:detector/12abc34d567e8fa901bc2d34e56789f0",
	} {
		if !re.MatchString(arn) {
			t.Errorf("%s does not match", arn)
		}
	}
	for _, arn := range []string{
		"", "arn:aws:guardduty:us-east-1:111111111111:detector/short",
		"arn:aws:macie2:us-east-1:111111111111:member/222222222222",
		"arn:aws:guardduty:us-east-1:111111111111:filter/12abc34d567e8fa901bc2d34e56789f0",
		"xarn:aws:guardduty:us-east-1:111111111111:detector/12abc34d567e8fa901bc2d34e56789f0",
		"arn:aws:guardduty:us-east-1:111111111111:detector/12abc34d567e8fa901bc2d34e56789f0 ",
	} {
		if re.MatchString(arn) {
			t.Errorf("%q matches", arn)
		}
	}
}

// The rules argued in the spec (see the comments of Rules).
func TestRules(t *testing.T) {
	r := Rules()
	if !r.EnablementIDs || r.MemberQuota != 5000 || r.OrganizationMemberQuota != 50000 || r.MaxTags != 50 ||
		r.ResendInvitations || r.DeleteAssociatedMembers || !r.DeleteRequiresDecline || !r.DisableResignsMember || !r.OrgAdminEnablesService ||
		r.ListDeclinedInvitations || r.ListCurrentInvitation || r.ListRemovedInvitations || r.InvitationsNeedEnablement || r.SameAdministratorInAllRegions {
		t.Fatalf("Rules() = %+v", r)
	}
}

func TestStatusMapping(t *testing.T) {
	for st, want := range map[store.RelationshipStatus]string{
		store.StatusCreated: "Created", store.StatusInvited: "Invited", store.StatusEnabled: "Enabled",
		store.StatusSuspended: "Disabled", store.StatusRemoved: "Removed", store.StatusResigned: "Resigned",
		store.StatusEmailVerificationInProgress: "EmailVerificationInProgress", store.StatusEmailVerificationFailed: "EmailVerificationFailed",
	} {
		if got := relationshipStatus(st); got != want {
			t.Errorf("relationshipStatus(%s) = %s, want %s", st, got, want)
		}
	}
	if detectorStatus(store.EnablementSuspended) != "DISABLED" || detectorStatus(store.EnablementEnabled) != "ENABLED" {
		t.Error("detector status mapping")
	}
	// The detector id shows once the member is past the invitation step.
	at := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	for st, shown := range map[store.RelationshipStatus]bool{
		store.StatusCreated: false, store.StatusEmailVerificationInProgress: false, store.StatusEmailVerificationFailed: false,
		store.StatusInvited: true, store.StatusEnabled: true, store.StatusSuspended: true, store.StatusRemoved: true, store.StatusResigned: true,
	} {
		v := membership.MemberView{Member: store.Member{MemberKey: store.MemberKey{Admin: "111111111111", Member: "222222222222"}, Status: st, Updated: at}, MemberResourceID: "12abc34d567e8fa901bc2d34e56789f0"}
		m := toMember(v)
		if (m.DetectorID != "") != shown {
			t.Errorf("%s: detectorId %q, shown=%v expected", st, m.DetectorID, shown)
		}
		if m.MasterID != "111111111111" || m.AdministratorID != "111111111111" || m.AccountID != "222222222222" || m.UpdatedAt == nil || m.InvitedAt != nil {
			t.Errorf("%s: member %+v", st, m)
		}
	}
	// A Resigned member's standing invitation shows as Invited.
	if inv := toInvitation(membership.Invitation{Admin: "111111111111", ID: "x", Status: store.StatusResigned, InvitedAt: at}); inv.RelationshipStatus != "Invited" || inv.AccountID != "111111111111" {
		t.Errorf("Resigned invitation = %+v", inv)
	}
	if inv := toInvitation(membership.Invitation{Admin: "111111111111", ID: "x", Status: store.StatusEnabled, InvitedAt: at}); inv.RelationshipStatus != "Enabled" {
		t.Errorf("Enabled invitation = %+v", inv)
	}
}

func TestPlausibleEmail(t *testing.T) {
	for _, e := range []string{"a@example.com", "x.y+z@sub.example.org", strings.Repeat("a", 52) + "@example.com"} {
		if !plausibleEmail(e) {
			t.Errorf("plausibleEmail(%q) = false", e)
		}
	}
	for _, e := range []string{"", "not-an-email", "@example.com", "a@", "a@b@c", "a b@example.com", strings.Repeat("a", 53) + "@example.com"} {
		if plausibleEmail(e) {
			t.Errorf("plausibleEmail(%q) = true", e)
		}
	}
}
