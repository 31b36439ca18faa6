package sessions_test

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/localsec/localsec/internal/clock"
	"github.com/localsec/localsec/internal/ids"
	"github.com/localsec/localsec/internal/organizations"
	"github.com/localsec/localsec/internal/sessions"
	"github.com/localsec/localsec/internal/store/memstore"
)

const (
	mgmt     = "999999999999"
	invited  = "111111111111"
	outsider = "222222222222"
	seeded   = "333333333333"
)

var t0 = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)

type world struct {
	ctx     context.Context
	clock   *clock.Fake
	orgs    *organizations.Engine
	eng     *sessions.Engine
	created string
}

// newWorld: mgmt's organization (made through Seed, with seeded as a
// CREATED account), an invited account, and an account mgmt created.
func newWorld(t *testing.T) *world {
	t.Helper()
	st := memstore.New()
	w := &world{ctx: context.Background(), clock: clock.NewFake(t0)}
	w.orgs = organizations.New(st, organizations.WithClock(w.clock), organizations.WithIDs(&ids.Sequence{}))
	w.eng = sessions.New(st, w.orgs, w.clock, &ids.Sequence{})
	if err := w.orgs.Seed(w.ctx, mgmt, []string{seeded}); err != nil {
		t.Fatal(err)
	}
	h, err := w.orgs.InviteAccountToOrganization(w.ctx, mgmt, organizations.Party{ID: invited, Type: organizations.PartyAccount}, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.orgs.AcceptHandshake(w.ctx, invited, h.ID); err != nil {
		t.Fatal(err)
	}
	req, err := w.orgs.CreateAccount(w.ctx, mgmt, organizations.NewAccount{Name: "workload", Email: "workload@example.com", RoleName: "LandingZoneAdmin"})
	if err != nil {
		t.Fatal(err)
	}
	st2, err := w.orgs.DescribeCreateAccountStatus(w.ctx, mgmt, req.ID)
	if err != nil {
		t.Fatal(err)
	}
	w.created = st2.AccountID
	return w
}

func role(account, name string) string { return "arn:aws:iam::" + account + ":role/" + name }

func TestAssumeRole(t *testing.T) {
	w := newWorld(t)
	s, err := w.eng.AssumeRole(w.ctx, mgmt, role(w.created, "LandingZoneAdmin"), "ci", 0)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^ASIA[A-Z2-7]{16}$`).MatchString(s.AccessKeyID) || len(s.Secret) != 40 || s.Token == "" {
		t.Fatalf("credentials %+v", s)
	}
	if s.Account != w.created || s.RoleName != "LandingZoneAdmin" || s.SessionName != "ci" || s.Caller != mgmt ||
		!s.Expires.Equal(t0.Add(sessions.DefaultDuration)) || s.RoleID != sessions.RoleID(w.created, "LandingZoneAdmin") {
		t.Fatalf("session %+v", s)
	}
	got, found, err := w.eng.Lookup(w.ctx, s.AccessKeyID)
	if err != nil || !found || got != s {
		t.Fatalf("Lookup = %+v, %v, %v; want %+v", got, found, err, s)
	}
	if _, found, err := w.eng.Lookup(w.ctx, "ASIAUNKNOWN"); err != nil || found {
		t.Fatalf("Lookup of an unknown key: found %v, %v", found, err)
	}
	// A duration is honoured; the session ends at its expiry.
	s2, err := w.eng.AssumeRole(w.ctx, mgmt, role(w.created, "LandingZoneAdmin"), "short", 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if s2.AccessKeyID == s.AccessKeyID || s2.Secret == s.Secret || s2.Token == s.Token {
		t.Fatal("two sessions share credentials")
	}
	if s2.Expired(t0.Add(15*time.Minute-time.Second)) || !s2.Expired(t0.Add(15*time.Minute)) {
		t.Fatalf("expiry %v", s2.Expires)
	}
}

// TestAssumeRoleSeededAccount: an account the flags or a seed made
// CREATED has the default role, trusting the management account.
func TestAssumeRoleSeededAccount(t *testing.T) {
	w := newWorld(t)
	if _, err := w.eng.AssumeRole(w.ctx, mgmt, role(seeded, organizations.DefaultRoleName), "ci", 0); err != nil {
		t.Fatal(err)
	}
}

func TestAssumeRoleRefusals(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct {
		name, caller, arn string
		want              sessions.Code
	}{
		{"another caller", outsider, role(w.created, "LandingZoneAdmin"), sessions.CodeAccessDenied},
		{"the account itself", w.created, role(w.created, "LandingZoneAdmin"), sessions.CodeAccessDenied},
		{"another role name", mgmt, role(w.created, organizations.DefaultRoleName), sessions.CodeAccessDenied},
		{"an invited account has no role", mgmt, role(invited, organizations.DefaultRoleName), sessions.CodeAccessDenied},
		{"an unknown account", mgmt, role("444444444444", organizations.DefaultRoleName), sessions.CodeAccessDenied},
		{"not a role ARN", mgmt, "arn:aws:iam::" + w.created + ":user/admin", sessions.CodeInvalidRoleArn},
		{"a short account", mgmt, "arn:aws:iam::1234:role/x", sessions.CodeInvalidRoleArn},
		{"not IAM", mgmt, "arn:aws:s3:::bucket", sessions.CodeInvalidRoleArn},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := w.eng.AssumeRole(w.ctx, tc.caller, tc.arn, "x", 0)
			var e *sessions.Error
			if !errors.As(err, &e) || e.Code != tc.want || e.RoleArn != tc.arn {
				t.Fatalf("err = %v, want %s for %s", err, tc.want, tc.arn)
			}
		})
	}
}

func TestRoleOf(t *testing.T) {
	for arn, want := range map[string][2]string{
		"arn:aws:iam::111111111111:role/Admin":           {"111111111111", "Admin"},
		"arn:aws:iam::111111111111:role/path/to/Admin":   {"111111111111", "Admin"},
		"arn:aws-us-gov:iam::111111111111:role/Admin":    {"111111111111", "Admin"},
		"arn:aws:iam::111111111111:role/":                {},
		"arn:aws:iam::111111111111:role/path/":           {},
		"arn:aws:iam:us-east-1:111111111111:role/Admin":  {},
		"arn:aws:sts::111111111111:assumed-role/Admin/x": {},
		"arn:aws:iam::11111111111:role/Admin":            {},
		"not an arn":                                     {},
	} {
		account, name, ok := sessions.RoleOf(arn)
		if ok != (want[0] != "") || account != want[0] || name != want[1] {
			t.Errorf("RoleOf(%q) = %q, %q, %v; want %q, %q", arn, account, name, ok, want[0], want[1])
		}
	}
}
