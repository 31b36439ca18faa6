package membership_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/localsec/localsec/internal/ids"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/store"
)

// describe summarises an outcome in a few words, for side-by-side tables.
func describe(r result) string {
	switch {
	case r.err != nil:
		if c := membership.ErrorCode(r.err); c != "" {
			return string(c)
		}
		return "error " + r.err.Error()
	case len(r.unp) != 0:
		var parts []string
		for _, u := range r.unp {
			parts = append(parts, string(u.Code))
		}
		return "unprocessed " + strings.Join(parts, ",")
	}
	return "ok"
}

// memberSide summarises what acctM sees of its invitations: how many are
// listed (with their statuses) and the count.
func memberSide(t *testing.T, e *env, s *membership.Service) string {
	t.Helper()
	invs, err := listInvitations(t, e, s, at(acctM), 0)
	mustOK(t, "ListInvitations", err)
	n, err := s.CountInvitations(e.ctx, at(acctM))
	mustOK(t, "CountInvitations", err)
	var st []string
	for _, inv := range invs {
		st = append(st, string(inv.Status))
	}
	return fmt.Sprintf("listed=[%s] count=%d", strings.Join(st, ","), n)
}

func adminSees(t *testing.T, e *env, s *membership.Service, admin, member string) string {
	t.Helper()
	m, err := s.GetMember(e.ctx, at(admin), member)
	if err != nil {
		return "record " + describe(whole(err))
	}
	return "record " + string(m.Status)
}

// TestRulesMacieVersusGuardDuty plays the same scenarios under the Macie
// rules and GuardDuty-like rules and shows where the outcomes differ.
func TestRulesMacieVersusGuardDuty(t *testing.T) {
	scenarios := []struct {
		name      string
		org       bool
		run       func(t *testing.T, e *env, s *membership.Service) string
		macie, gd string
	}{
		{
			name: "re-sending a pending invitation",
			run: func(t *testing.T, e *env, s *membership.Service) string {
				invited(acctA, acctM)(t, e, s)
				old := invitationID(t, e, s, at(acctA), acctM)
				r := batch(s.InviteMembers(e.ctx, at(acctA), []string{acctM}, membership.InviteOptions{}))
				return fmt.Sprintf("%s; new id %v", describe(r), invitationID(t, e, s, at(acctA), acctM) != old)
			},
			macie: "ok; new id true",
			gd:    "unprocessed AlreadyInvited; new id false",
		},
		{
			name: "deleting an associated member",
			run: func(t *testing.T, e *env, s *membership.Service) string {
				associated(acctA, acctM)(t, e, s)
				r := batch(s.DeleteMembers(e.ctx, at(acctA), []string{acctM}))
				_, ok, err := s.Administrator(e.ctx, at(acctM))
				mustOK(t, "Administrator", err)
				return fmt.Sprintf("%s; %s; member has administrator %v", describe(r), adminSees(t, e, s, acctA, acctM), ok)
			},
			macie: "ok; record NotMember; member has administrator false",
			gd:    "unprocessed StillAssociated; record Enabled; member has administrator true",
		},
		{
			name: "a declined invitation",
			run: func(t *testing.T, e *env, s *membership.Service) string {
				invited(acctA, acctM)(t, e, s)
				r := batch(s.DeclineInvitations(e.ctx, at(acctM), []string{acctA}))
				return fmt.Sprintf("%s; %s; %s", describe(r), memberSide(t, e, s), adminSees(t, e, s, acctA, acctM))
			},
			macie: "ok; listed=[Invited] count=1; record Invited",
			gd:    "ok; listed=[] count=0; record Invited",
		},
		{
			name: "the current invitation",
			run: func(t *testing.T, e *env, s *membership.Service) string {
				associated(acctA, acctM)(t, e, s)
				return memberSide(t, e, s)
			},
			macie: "listed=[Enabled] count=0",
			gd:    "listed=[] count=0",
		},
		{
			name: "an invitation after the administrator disassociated",
			run: func(t *testing.T, e *env, s *membership.Service) string {
				associated(acctA, acctM)(t, e, s)
				r := batch(s.DisassociateMembers(e.ctx, at(acctA), []string{acctM}))
				return fmt.Sprintf("%s; %s", describe(r), memberSide(t, e, s))
			},
			macie: "ok; listed=[Removed] count=1",
			gd:    "ok; listed=[] count=0",
		},
		{
			name: "an invitation after the member resigned",
			run: func(t *testing.T, e *env, s *membership.Service) string {
				associated(acctA, acctM)(t, e, s)
				r := whole(s.DisassociateFromAdministrator(e.ctx, at(acctM)))
				return fmt.Sprintf("%s; %s", describe(r), memberSide(t, e, s))
			},
			macie: "ok; listed=[Resigned] count=1",
			gd:    "ok; listed=[Resigned] count=1",
		},
		{
			name: "deleting an invitation that was not declined",
			run: func(t *testing.T, e *env, s *membership.Service) string {
				invited(acctA, acctM)(t, e, s)
				r := batch(s.DeleteInvitations(e.ctx, at(acctM), []string{acctA}))
				return fmt.Sprintf("%s; %s", describe(r), memberSide(t, e, s))
			},
			macie: "ok; listed=[] count=0",
			gd:    "unprocessed InvitationNotDeclined; listed=[Invited] count=1",
		},
		{
			name: "an associated member disables the service",
			run: func(t *testing.T, e *env, s *membership.Service) string {
				associated(acctA, acctM)(t, e, s)
				r := whole(s.Disable(e.ctx, at(acctM)))
				_, en := s.Enablement(e.ctx, at(acctM))
				return fmt.Sprintf("%s; %s; member enablement %s", describe(r), adminSees(t, e, s, acctA, acctM), describe(whole(en)))
			},
			macie: "DisableWhileMember; record Enabled; member enablement ok",
			gd:    "ok; record Resigned; member enablement NotEnabled",
		},
		{
			name: "an administrator with an invited member suspends itself",
			run: func(t *testing.T, e *env, s *membership.Service) string {
				invited(acctA, acctM)(t, e, s)
				yes := true
				return describe(whole(s.UpdateEnablement(e.ctx, at(acctA), membership.EnablementUpdate{Suspended: &yes})))
			},
			macie: "SuspendWithMembers",
			gd:    "ok",
		},
		{
			name: "a member suspends itself",
			run: func(t *testing.T, e *env, s *membership.Service) string {
				associated(acctA, acctM)(t, e, s)
				yes := true
				r := whole(s.UpdateEnablement(e.ctx, at(acctM), membership.EnablementUpdate{Suspended: &yes}))
				return fmt.Sprintf("%s; %s", describe(r), adminSees(t, e, s, acctA, acctM))
			},
			macie: "ok; record Suspended",
			gd:    "ok; record Enabled",
		},
		{
			name: "invitations seen before enabling",
			run: func(t *testing.T, e *env, s *membership.Service) string {
				mustEnable(t, e, s, at(acctA))
				mustCreate(t, e, s, at(acctA), acctM)
				mustInvite(t, e, s, at(acctA), acctM)
				invs, _, err := s.ListInvitations(e.ctx, at(acctM), membership.Page{})
				n, err2 := s.CountInvitations(e.ctx, at(acctM))
				return fmt.Sprintf("list %s %d; count %s %d", describe(whole(err)), len(invs), describe(whole(err2)), n)
			},
			macie: "list NotEnabled 0; count NotEnabled 0",
			gd:    "list ok 1; count ok 1",
		},
		{
			name: "tags of a missing resource before enabling",
			run: func(t *testing.T, e *env, s *membership.Service) string {
				return describe(wholeV(s.ResourceTags(e.ctx, at(acctA), memberResource(acctA, acctM))))
			},
			macie: "NotEnabled",
			gd:    "ResourceNotFound",
		},
		{
			name: "enabling gives a resource id",
			run: func(t *testing.T, e *env, s *membership.Service) string {
				en, err := s.Enable(e.ctx, at(acctA), membership.EnableInput{})
				mustOK(t, "Enable", err)
				got, err := s.Enablement(e.ctx, at(acctA))
				mustOK(t, "Enablement", err)
				return fmt.Sprintf("id %v stored %v", ids.IsID(en.ResourceID), got.ResourceID == en.ResourceID)
			},
			macie: "id false stored true",
			gd:    "id true stored true",
		},
		{
			name: "designating an organization administrator",
			org:  true,
			run: func(t *testing.T, e *env, s *membership.Service) string {
				mustEnable(t, e, s, at(acctMgmt))
				r := whole(s.EnableOrgAdmin(e.ctx, at(acctMgmt), acctA, []byte(`{"x":1}`)))
				en, err := s.Enablement(e.ctx, at(acctA))
				return fmt.Sprintf("%s; admin enablement %s %s", describe(r), describe(whole(err)), en.Settings)
			},
			macie: "ok; admin enablement NotEnabled ",
			gd:    `ok; admin enablement ok {"x":1}`,
		},
		{
			name: "accepting another administrator in another region",
			run: func(t *testing.T, e *env, s *membership.Service) string {
				associated(acctA, acctM)(t, e, s)
				mustEnable(t, e, s, atIn(acctB, regionB), atIn(acctM, regionB))
				mustCreate(t, e, s, atIn(acctB, regionB), acctM)
				mustInvite(t, e, s, atIn(acctB, regionB), acctM)
				id := invitationID(t, e, s, atIn(acctB, regionB), acctM)
				return describe(whole(s.AcceptInvitation(e.ctx, atIn(acctM, regionB), acctB, id)))
			},
			macie: "AcceptWhileMember",
			gd:    "ok",
		},
		{
			name: "the same administrator in another region",
			run: func(t *testing.T, e *env, s *membership.Service) string {
				associated(acctA, acctM)(t, e, s)
				mustEnable(t, e, s, atIn(acctA, regionB), atIn(acctM, regionB))
				mustCreate(t, e, s, atIn(acctA, regionB), acctM)
				mustInvite(t, e, s, atIn(acctA, regionB), acctM)
				id := invitationID(t, e, s, atIn(acctA, regionB), acctM)
				return describe(whole(s.AcceptInvitation(e.ctx, atIn(acctM, regionB), acctA, id)))
			},
			macie: "ok",
			gd:    "ok",
		},
		{
			name: "the administrator sees the member's resource id",
			run: func(t *testing.T, e *env, s *membership.Service) string {
				associated(acctA, acctM)(t, e, s)
				en, err := s.Enablement(e.ctx, at(acctM))
				mustOK(t, "Enablement", err)
				m, err := s.GetMember(e.ctx, at(acctA), acctM)
				mustOK(t, "GetMember", err)
				return fmt.Sprintf("member resource shown %v", m.MemberResourceID == en.ResourceID && ids.IsID(m.MemberResourceID))
			},
			macie: "member resource shown false",
			gd:    "member resource shown true",
		},
	}
	for _, sc := range scenarios {
		for _, rs := range []struct {
			name  string
			rules membership.Rules
			want  string
		}{{"macie", macieRules(), sc.macie}, {"guardduty", guardDutyRules(), sc.gd}} {
			t.Run(sc.name+"/"+rs.name, func(t *testing.T) {
				var opts []membership.Option
				if sc.org {
					opts = append(opts, withOrg())
				}
				e := newEnv(t, rs.rules, opts...)
				if got := sc.run(t, e, e.svc); got != rs.want {
					t.Errorf("got  %q\nwant %q", got, rs.want)
				}
			})
		}
	}
}

// TestResourceIDMatchesCaller: under GuardDuty-like rules every call that
// names the caller's own enablement resource works, and naming another
// fails with ResourceNotOwned.
func TestResourceIDMatchesCaller(t *testing.T) {
	e := newEnv(t, guardDutyRules())
	s := e.svc
	mustAssociate(t, e, s, at(acctA), acctM)
	a, err := s.Enablement(e.ctx, at(acctA))
	mustOK(t, "Enablement(A)", err)
	m, err := s.Enablement(e.ctx, at(acctM))
	mustOK(t, "Enablement(M)", err)
	if !ids.IsID(a.ResourceID) || !ids.IsID(m.ResourceID) || a.ResourceID == m.ResourceID {
		t.Fatalf("resource ids %q and %q, want two distinct ids", a.ResourceID, m.ResourceID)
	}
	own := func(acct, id string) membership.Caller {
		c := at(acct)
		c.ResourceID = id
		return c
	}
	ok := []struct {
		name string
		call func() error
	}{
		{"ListMembers", func() error {
			_, _, err := s.ListMembers(e.ctx, own(acctA, a.ResourceID), false, membership.Page{})
			return err
		}},
		{"GetMember", func() error { _, err := s.GetMember(e.ctx, own(acctA, a.ResourceID), acctM); return err }},
		{"Administrator", func() error { _, _, err := s.Administrator(e.ctx, own(acctM, m.ResourceID)); return err }},
		{"ListInvitations", func() error {
			_, _, err := s.ListInvitations(e.ctx, own(acctM, m.ResourceID), membership.Page{})
			return err
		}},
		{"ResourceTags", func() error {
			r := membership.Resource{Kind: membership.ResourceEnablement, Region: regionA, Owner: acctA, ID: a.ResourceID}
			_, err := s.ResourceTags(e.ctx, own(acctA, a.ResourceID), r)
			return err
		}},
	}
	for _, tc := range ok {
		t.Run(tc.name+"/own", func(t *testing.T) { mustOK(t, tc.name, tc.call()) })
	}
	// Each account naming the other's resource.
	wrong := []struct {
		name string
		call func() error
	}{
		{"ListMembers", func() error {
			_, _, err := s.ListMembers(e.ctx, own(acctA, m.ResourceID), false, membership.Page{})
			return err
		}},
		{"SetMembersSuspended", func() error {
			_, err := s.SetMembersSuspended(e.ctx, own(acctA, m.ResourceID), []string{acctM}, true)
			return err
		}},
		{"Administrator", func() error { _, _, err := s.Administrator(e.ctx, own(acctM, a.ResourceID)); return err }},
		{"DisassociateFromAdministrator", func() error {
			return s.DisassociateFromAdministrator(e.ctx, own(acctM, a.ResourceID))
		}},
		{"CountInvitations", func() error { _, err := s.CountInvitations(e.ctx, own(acctM, a.ResourceID)); return err }},
		{"DeclineInvitations", func() error {
			_, err := s.DeclineInvitations(e.ctx, own(acctM, a.ResourceID), []string{acctA})
			return err
		}},
		{"Disable", func() error { return s.Disable(e.ctx, own(acctM, a.ResourceID)) }},
		{"TagResource", func() error {
			return s.TagResource(e.ctx, own(acctA, m.ResourceID), memberResource(acctA, acctM), map[string]string{"k": "v"})
		}},
	}
	before := takeSnapshot(t, e, s)
	for _, tc := range wrong {
		t.Run(tc.name+"/other", func(t *testing.T) { wantCode(t, tc.name, tc.call(), membership.CodeResourceNotOwned) })
	}
	wantUnchanged(t, before, takeSnapshot(t, e, s))
}

// TestTags covers the tag calls on both kinds of resources.
func TestTags(t *testing.T) {
	e := newEnv(t, guardDutyRules())
	s := e.svc
	en, err := s.Enable(e.ctx, at(acctA), membership.EnableInput{Tags: map[string]string{"env": "dev"}})
	mustOK(t, "Enable", err)
	unp, err := s.CreateMembers(e.ctx, at(acctA), []membership.NewMember{{Account: acctM, Email: "m@example.com", Tags: map[string]string{"team": "x"}}})
	mustAllProcessed(t, "CreateMembers", unp, err)

	for _, tc := range []struct {
		name    string
		r       membership.Resource
		initial map[string]string
	}{
		{"member", memberResource(acctA, acctM), map[string]string{"team": "x"}},
		{"enablement", membership.Resource{Kind: membership.ResourceEnablement, Region: regionA, Owner: acctA, ID: en.ResourceID}, map[string]string{"env": "dev"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			check := func(want map[string]string) {
				t.Helper()
				got, err := s.ResourceTags(e.ctx, at(acctA), tc.r)
				mustOK(t, "ResourceTags", err)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("tags %v, want %v", got, want)
				}
			}
			check(tc.initial)
			mustOK(t, "TagResource", s.TagResource(e.ctx, at(acctA), tc.r, map[string]string{"a": "1", "b": "2"}))
			want := map[string]string{"a": "1", "b": "2"}
			for k, v := range tc.initial {
				want[k] = v
			}
			check(want)
			mustOK(t, "TagResource overwrite", s.TagResource(e.ctx, at(acctA), tc.r, map[string]string{"a": "9"}))
			want["a"] = "9"
			check(want)
			mustOK(t, "UntagResource", s.UntagResource(e.ctx, at(acctA), tc.r, []string{"a", "absent"}))
			delete(want, "a")
			check(want)
			var keys []string
			for k := range want {
				keys = append(keys, k)
			}
			mustOK(t, "UntagResource all", s.UntagResource(e.ctx, at(acctA), tc.r, keys))
			got, err := s.ResourceTags(e.ctx, at(acctA), tc.r)
			mustOK(t, "ResourceTags", err)
			if got == nil || len(got) != 0 {
				t.Errorf("tags after removing all = %#v, want an empty, non-nil map", got)
			}
		})
	}
	// Member tags show in GetMember.
	mustOK(t, "TagResource", s.TagResource(e.ctx, at(acctA), memberResource(acctA, acctM), map[string]string{"z": "26"}))
	m, err := s.GetMember(e.ctx, at(acctA), acctM)
	mustOK(t, "GetMember", err)
	if m.Tags["z"] != "26" {
		t.Errorf("GetMember tags %v, want z=26", m.Tags)
	}
	// Tags returned are copies.
	m.Tags["z"] = "changed"
	got, err := s.ResourceTags(e.ctx, at(acctA), memberResource(acctA, acctM))
	mustOK(t, "ResourceTags", err)
	if got["z"] != "26" {
		t.Errorf("changing a returned map changed the store: %v", got)
	}
	if got, err := s.Enablement(e.ctx, at(acctA)); err != nil || got.Status != store.EnablementEnabled {
		t.Errorf("Enablement = %+v, %v", got, err)
	}
}
