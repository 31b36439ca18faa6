package guardduty

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	api "github.com/localsec/localsec/internal/api/guardduty"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol/model"
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

// bindInput binds a request of op as the restjson layer does: bound
// holds the URI and query members (by wire name), body the JSON body.
func bindInput(t *testing.T, op string, bound map[string]any, body string) (any, error) {
	t.Helper()
	var obj map[string]any
	if body != "" {
		dec := json.NewDecoder(strings.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&obj); err != nil {
			t.Fatalf("bad test body %s: %v", body, err)
		}
	}
	o := api.Model().Operation(op)
	in := o.NewInput()
	err := model.Bind(o.Input, in, func(m *model.Member) (any, bool) {
		if m.Location != model.Body {
			v, ok := bound[m.WireName]
			return v, ok
		}
		v, ok := obj[m.WireName]
		return v, ok
	})
	return in, err
}

// wantInvalidValue checks that err is an Invalid input error that
// GuardDuty answers with its generic invalid-value text.
func wantInvalidValue(t *testing.T, what string, err error) {
	t.Helper()
	var in *model.InputError
	if !errors.As(err, &in) || in.Kind != model.Invalid || inputMessage(in) != msgInvalidValue {
		t.Errorf("%s: %v, want an invalid-value input error", what, err)
	}
}

const someArn = "arn:aws:guardduty:us-east-1:111111111111:detector/12abc34d567e8fa901bc2d34e56789f0"

// The model's TagKey: 1..128 characters matching (?!aws:)[a-zA-Z+-=._:/]+,
// which Go's regexp holds as a prefix the key must not have and an
// anchored expression.
var modelTagKey = regexp.MustCompile(`^[a-zA-Z+-=._:/]+$`)

func modelAllowsTagKey(k string) bool {
	return utf8.RuneCountInString(k) >= 1 && utf8.RuneCountInString(k) <= 128 && !strings.HasPrefix(k, "aws:") && modelTagKey.MatchString(k)
}

func TestTagKeysFollowTheModelPattern(t *testing.T) {
	var keys []string
	for c := 0; c < 256; c++ {
		keys = append(keys, string(rune(c)), "k"+string(rune(c)))
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
		_, err := bindInput(t, "UntagResource", map[string]any{"ResourceArn": model.Text(someArn), "tagKeys": []any{model.Text(k)}}, "")
		if (err == nil) != want {
			t.Errorf("tag key %q: %v, the model pattern says allowed=%v", k, err, want)
		}
		if err != nil {
			wantInvalidValue(t, fmt.Sprintf("tag key %q", k), err)
		}
	}
	// The range +-= takes in digits and , ; < as the model's regex does.
	for _, k := range []string{"0123456789", "a,b", "a;b", "a<b", "+", "=", "/", ":"} {
		body, _ := json.Marshal(map[string]any{"tags": map[string]string{k: "v"}})
		if _, err := bindInput(t, "TagResource", map[string]any{"ResourceArn": model.Text(someArn)}, string(body)); err != nil {
			t.Errorf("tag key %q: %v, want it allowed", k, err)
		}
	}
}

func TestTagLimits(t *testing.T) {
	tags := map[string]string{}
	for i := 0; i < 50; i++ {
		tags[fmt.Sprintf("k%d", i)] = strings.Repeat("v", 256)
	}
	tagResource := func(tags map[string]string) error {
		body, _ := json.Marshal(map[string]any{"tags": tags})
		in, err := bindInput(t, "TagResource", map[string]any{"ResourceArn": model.Text(someArn)}, string(body))
		if err != nil {
			return err
		}
		return checkTags("tags", in.(*api.TagResourceRequest).Tags)
	}
	if err := tagResource(tags); err != nil {
		t.Fatalf("50 tags with 256-character values: %v", err)
	}
	tags["k50"] = "v"
	wantInvalidValue(t, "51 tags", tagResource(tags))
	wantInvalidValue(t, "a 257-character value", tagResource(map[string]string{"k": strings.Repeat("v", 257)}))
	wantInvalidValue(t, "an aws: key", tagResource(map[string]string{"aws:k": "v"}))
	wantInvalidValue(t, "no tags", tagResource(map[string]string{}))
	if err := tagResource(map[string]string{"k": ""}); err != nil {
		t.Fatalf("an empty value: %v", err)
	}
}

func TestAccountIDs(t *testing.T) {
	ids := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = fmt.Sprintf("1%011d", i)
		}
		return out
	}
	getMembers := func(ids []any) error {
		body := "{}"
		if ids != nil {
			b, _ := json.Marshal(map[string]any{"accountIds": ids})
			body = string(b)
		}
		in, err := bindInput(t, "GetMembers", map[string]any{"DetectorId": model.Text(strings.Repeat("0", 32))}, body)
		if err != nil {
			return err
		}
		_, err = accountIDs("accountIds", in.(*api.GetMembersRequest).AccountIds)
		return err
	}
	for name, list := range map[string][]any{
		"absent":      nil,
		"empty":       ids(0),
		"51":          ids(51),
		"13 digits":   {"1234567890123"},
		"11 digits":   {"12345678901"},
		"letters":     {"12345678901a"},
		"one bad":     {"123456789012", "x"},
		"empty entry": {""},
	} {
		wantInvalidValue(t, name, getMembers(list))
	}
	for _, n := range []int{1, 50} {
		if err := getMembers(ids(n)); err != nil {
			t.Errorf("%d ids: %v", n, err)
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
		if (m.DetectorId != nil) != shown {
			t.Errorf("%s: detectorId %v, shown=%v expected", st, m.DetectorId, shown)
		}
		if *m.MasterId != "111111111111" || *m.AdministratorId != "111111111111" || *m.AccountId != "222222222222" || m.UpdatedAt == nil || m.InvitedAt != nil {
			t.Errorf("%s: member %+v", st, m)
		}
	}
	// A Resigned member's standing invitation shows as Invited.
	if inv := toInvitation(membership.Invitation{Admin: "111111111111", ID: "x", Status: store.StatusResigned, InvitedAt: at}); *inv.RelationshipStatus != "Invited" || *inv.AccountId != "111111111111" {
		t.Errorf("Resigned invitation = %+v", inv)
	}
	if inv := toInvitation(membership.Invitation{Admin: "111111111111", ID: "x", Status: store.StatusEnabled, InvitedAt: at}); *inv.RelationshipStatus != "Enabled" {
		t.Errorf("Enabled invitation = %+v", inv)
	}
}

func TestPlausibleEmail(t *testing.T) {
	for _, e := range []string{"a@example.com", "x.y+z@sub.example.org", strings.Repeat("a", 52) + "@example.com"} {
		if !plausibleEmail(e) {
			t.Errorf("plausibleEmail(%q) = false", e)
		}
	}
	for _, e := range []string{"", "not-an-email", "@example.com", "a@", "a@b@c", "a b@example.com"} {
		if plausibleEmail(e) {
			t.Errorf("plausibleEmail(%q) = true", e)
		}
	}
	// The model bounds an email to 1..64 characters: a longer or empty one
	// is refused with the request, not as an unprocessed account.
	for _, e := range []string{"", strings.Repeat("a", 53) + "@example.com"} {
		body, _ := json.Marshal(map[string]any{"accountDetails": []any{map[string]any{"accountId": "222222222222", "email": e}}})
		_, err := bindInput(t, "CreateMembers", map[string]any{"DetectorId": model.Text(strings.Repeat("0", 32))}, string(body))
		wantInvalidValue(t, fmt.Sprintf("email of %d characters", len(e)), err)
	}
}
