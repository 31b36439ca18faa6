package membership_test

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/store"
)

// pageSizes are the sizes every list is read with: 1, small primes, the
// default (0), exact divisors and more than the whole list.
var pageSizes = []int{1, 7, 25, 0, 20, 59, 60, 61, 100}

// manyAccounts returns n distinct account ids, in a shuffled order, and
// the same ids sorted.
func manyAccounts(n int, seed uint64) (shuffled, sorted []string) {
	for i := range n {
		sorted = append(sorted, fmt.Sprintf("%012d", 500000000000+i*7919))
	}
	shuffled = slices.Clone(sorted)
	r := rand.New(rand.NewPCG(seed, 1))
	r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	return shuffled, sorted
}

func memberIDs(ms []membership.MemberView) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.MemberKey.Member)
	}
	return out
}

func adminIDs(invs []membership.Invitation) []string {
	var out []string
	for _, inv := range invs {
		out = append(out, inv.Admin)
	}
	return out
}

func TestListMembersPagination(t *testing.T) {
	e := newEnv(t, macieRules())
	s := e.svc
	mustEnable(t, e, s, at(acctA))
	shuffled, sorted := manyAccounts(60, 1)
	mustCreate(t, e, s, at(acctA), shuffled...)
	mustInvite(t, e, s, at(acctA), shuffled...)
	// Every third account accepts.
	var assoc []string
	for i, a := range sorted {
		if i%3 == 0 {
			mustEnable(t, e, s, at(a))
			mustAccept(t, e, s, at(a), acctA)
			assoc = append(assoc, a)
		}
	}
	// Records of the same administrator elsewhere must not show.
	mustEnable(t, e, s, atIn(acctA, regionB))
	mustCreate(t, e, s, atIn(acctA, regionB), acctM)
	// Nor those of another administrator.
	mustEnable(t, e, s, at(acctB))
	mustCreate(t, e, s, at(acctB), acctM, sorted[0])

	for _, only := range []bool{false, true} {
		want := sorted
		if only {
			want = assoc
		}
		for _, size := range pageSizes {
			t.Run(fmt.Sprintf("onlyAssociated=%v/size=%d", only, size), func(t *testing.T) {
				ms, err := listMembers(t, e, s, at(acctA), only, size)
				mustOK(t, "ListMembers", err)
				if got := memberIDs(ms); !slices.Equal(got, want) {
					t.Errorf("members %v\nwant (each once, ordered) %v", got, want)
				}
				for _, m := range ms {
					if m.Admin != acctA || m.Region != regionA {
						t.Errorf("record %+v is not A's in %s", m.MemberKey, regionA)
					}
					if only && !membership.Associated(m.Status) {
						t.Errorf("onlyAssociated shows %s in status %s", m.MemberKey.Member, m.Status)
					}
				}
			})
		}
	}

	t.Run("empty", func(t *testing.T) {
		mustEnable(t, e, s, at(acctX))
		ms, next, err := s.ListMembers(e.ctx, at(acctX), false, membership.Page{Limit: 1})
		if err != nil || len(ms) != 0 || next != "" {
			t.Errorf("ListMembers of no one = %v, %q, %v; want nothing and no token", ms, next, err)
		}
	})

	// Records deleted or added between pages: a token resumes after its
	// key, so nothing is repeated and nothing that stayed is lost.
	t.Run("changes between pages", func(t *testing.T) {
		page1, next, err := s.ListMembers(e.ctx, at(acctA), false, membership.Page{Limit: 7})
		mustOK(t, "ListMembers", err)
		last := page1[len(page1)-1].MemberKey.Member
		newcomer := fmt.Sprintf("%012d", 500000000001) // sorts right after sorted[0]
		unp, err := s.DeleteMembers(e.ctx, at(acctA), []string{last, sorted[8]})
		mustAllProcessed(t, "DeleteMembers", unp, err)
		mustCreate(t, e, s, at(acctA), newcomer)
		var rest []string
		for next != "" {
			var ms []membership.MemberView
			ms, next, err = s.ListMembers(e.ctx, at(acctA), false, membership.Page{Token: next, Limit: 7})
			mustOK(t, "ListMembers", err)
			rest = append(rest, memberIDs(ms)...)
		}
		var want []string
		for _, a := range sorted[7:] {
			if a != sorted[8] {
				want = append(want, a)
			}
		}
		if !slices.Equal(rest, want) {
			t.Errorf("after page 1: %v\nwant %v", rest, want)
		}
	})
}

func TestListInvitationsPagination(t *testing.T) {
	e := newEnv(t, macieRules())
	s := e.svc
	shuffled, sorted := manyAccounts(60, 2)
	mustEnable(t, e, s, at(acctM))
	for _, a := range shuffled {
		mustEnable(t, e, s, at(a))
		mustCreate(t, e, s, at(a), acctM)
		mustInvite(t, e, s, at(a), acctM)
	}
	// One accepted (listed under Macie, not counted), one declined
	// (listed and counted), one deleted (neither).
	accepted, declinedBy, deletedBy := sorted[10], sorted[20], sorted[30]
	mustAccept(t, e, s, at(acctM), accepted)
	unp, err := s.DeclineInvitations(e.ctx, at(acctM), []string{declinedBy})
	mustAllProcessed(t, "DeclineInvitations", unp, err)
	unp, err = s.DeleteInvitations(e.ctx, at(acctM), []string{deletedBy})
	mustAllProcessed(t, "DeleteInvitations", unp, err)
	// One never invited (Created only) and one in another region.
	mustEnable(t, e, s, at(acctB), atIn(acctX, regionB))
	mustCreate(t, e, s, at(acctB), acctM)
	mustCreate(t, e, s, atIn(acctX, regionB), acctM)
	mustInvite(t, e, s, atIn(acctX, regionB), acctM)

	want := slices.DeleteFunc(slices.Clone(sorted), func(a string) bool { return a == deletedBy })
	for _, size := range pageSizes {
		t.Run(fmt.Sprintf("size=%d", size), func(t *testing.T) {
			invs, err := listInvitations(t, e, s, at(acctM), size)
			mustOK(t, "ListInvitations", err)
			if got := adminIDs(invs); !slices.Equal(got, want) {
				t.Errorf("invitations from %v\nwant (each once, ordered) %v", got, want)
			}
			for _, inv := range invs {
				wantStatus := store.StatusInvited
				if inv.Admin == accepted {
					wantStatus = store.StatusEnabled
				}
				if inv.Status != wantStatus || inv.Declined != (inv.Admin == declinedBy) {
					t.Errorf("invitation %+v: want status %s, declined %v", inv, wantStatus, inv.Admin == declinedBy)
				}
			}
		})
	}
	n, err := s.CountInvitations(e.ctx, at(acctM))
	mustOK(t, "CountInvitations", err)
	if n != 58 {
		t.Errorf("CountInvitations = %d, want 58 (60 - accepted - deleted)", n)
	}
}

// TestListOrgAdminsPagination: one delegated administrator per region,
// one page, no token.
func TestListOrgAdminsPagination(t *testing.T) {
	e := newEnv(t, macieRules(), withOrg())
	s := e.svc
	mustEnable(t, e, s, at(acctMgmt), atIn(acctMgmt, regionB))
	mustOK(t, "EnableOrgAdmin", s.EnableOrgAdmin(e.ctx, at(acctMgmt), acctA, nil))
	mustOK(t, "EnableOrgAdmin again", s.EnableOrgAdmin(e.ctx, at(acctMgmt), acctA, nil))
	mustOK(t, "EnableOrgAdmin(regionB)", s.EnableOrgAdmin(e.ctx, atIn(acctMgmt, regionB), acctB, nil))
	for _, tc := range []struct{ region, want string }{{regionA, acctA}, {regionB, acctB}} {
		admins, err := listOrgAdmins(t, e, s, atIn(acctMgmt, tc.region))
		mustOK(t, "ListOrgAdmins", err)
		if len(admins) != 1 || admins[0].Account != tc.want || admins[0].Status != store.OrgAdminEnabled {
			t.Errorf("%s: org admins %+v, want %s ENABLED", tc.region, admins, tc.want)
		}
	}
	mustOK(t, "DisableOrgAdmin", s.DisableOrgAdmin(e.ctx, at(acctMgmt), acctA))
	admins, err := listOrgAdmins(t, e, s, at(acctMgmt))
	mustOK(t, "ListOrgAdmins", err)
	if len(admins) != 0 {
		t.Errorf("after DisableOrgAdmin: %+v, want none", admins)
	}
}

// TestGarbledTokens: only tokens the engine made are accepted.
func TestGarbledTokens(t *testing.T) {
	e := newEnv(t, macieRules(), withOrg())
	s := e.svc
	mustEnable(t, e, s, at(acctA), at(acctM), at(acctMgmt))
	mustCreate(t, e, s, at(acctA), acctM, acctB)
	// Tokens name their list: ls1:<list>:<key>.
	token := func(list, key string) string {
		return base64.RawURLEncoding.EncodeToString([]byte("ls1:" + list + ":" + key))
	}
	validFor := map[string]string{
		"ListMembers":     token("members", acctM),
		"ListInvitations": token("invitations", acctM),
		"ListOrgAdmins":   token("orgadmins", acctM),
	}
	valid := validFor["ListMembers"]
	garbled := map[string]string{
		"not base64":            "%%%",
		"spaces":                "   ",
		"undecodable base64url": "a",
		"no prefix":             base64.RawURLEncoding.EncodeToString([]byte(acctM)),
		"other version":         base64.RawURLEncoding.EncodeToString([]byte("ls0:members:" + acctM)),
		"no list":               base64.RawURLEncoding.EncodeToString([]byte("ls1:" + acctM)),
		"unknown list":          token("detectors", acctM),
		"empty key":             token("members", ""),
		"short key":             token("members", "12345678901"),
		"long key":              token("members", "1234567890123"),
		"letters in key":        token("members", "12345678901a"),
		"padded":                base64.URLEncoding.EncodeToString([]byte("ls1:members:" + acctM + "x")),
		"standard alphabet":     base64.StdEncoding.EncodeToString([]byte("ls1:members:" + acctM + "?")),
		"valid plus garbage":    valid + "!",
		"valid twice":           valid + valid,
	}
	lists := map[string]func(token string) error{
		"ListMembers": func(tok string) error {
			_, _, err := s.ListMembers(e.ctx, at(acctA), false, membership.Page{Token: tok})
			return err
		},
		"ListInvitations": func(tok string) error {
			_, _, err := s.ListInvitations(e.ctx, at(acctM), membership.Page{Token: tok})
			return err
		},
		"ListOrgAdmins": func(tok string) error {
			_, _, err := s.ListOrgAdmins(e.ctx, at(acctMgmt), membership.Page{Token: tok})
			return err
		},
	}
	for lname, list := range lists {
		for gname, tok := range garbled {
			if lname != "ListMembers" && (gname == "valid plus garbage" || gname == "valid twice") {
				continue // built from ListMembers' token: covered by "token of another list"
			}
			t.Run(lname+"/"+gname, func(t *testing.T) {
				wantCode(t, lname, list(tok), membership.CodeInvalidNextToken)
			})
		}
		// A token of another list is refused: tokens are not interchangeable.
		for other, tok := range validFor {
			if other != lname {
				t.Run(lname+"/token of "+other, func(t *testing.T) {
					wantCode(t, lname, list(tok), membership.CodeInvalidNextToken)
				})
			}
		}
		t.Run(lname+"/valid", func(t *testing.T) { mustOK(t, lname, list(validFor[lname])) })
	}
	// The valid token resumes after its key.
	ms, next, err := s.ListMembers(e.ctx, at(acctA), false, membership.Page{Token: valid})
	mustOK(t, "ListMembers", err)
	if got := memberIDs(ms); !slices.Equal(got, []string{acctB}) || next != "" {
		t.Errorf("ListMembers after %s = %v, %q; want [%s] and no token", acctM, got, next, acctB)
	}
}
