package organizations_test

import (
	"encoding/base64"
	"fmt"
	"reflect"
	"slices"
	"testing"

	org "github.com/localsec/localsec/internal/organizations"
)

// pagedList is one paged list of the engine, reduced to the keys of its
// entries.
type pagedList struct {
	name string
	page func(p org.Page) ([]string, string, error)
}

func keysOf[T any](items []T, next string, err error, key func(T) string) ([]string, string, error) {
	var out []string
	for _, it := range items {
		out = append(out, key(it))
	}
	return out, next, err
}

// bigWorld is an organization with enough of everything to page through.
type bigWorld struct {
	*world
	inner string // an OU holding OUs and accounts
}

func newBigWorld(t *testing.T) *bigWorld {
	b := &bigWorld{world: newWorld(t)}
	w := b.world
	// Members: 7 more by invitation, 3 created.
	for i := range 7 {
		w.join(mgmt, fmt.Sprintf("9000000000%02d", i))
	}
	for i := range 3 {
		w.createAccount(mgmt, fmt.Sprintf("made%d", i))
	}
	// Open invitations and a declined one.
	for i := range 4 {
		w.invite(mgmt, fmt.Sprintf("9100000000%02d", i))
	}
	h := w.invite(mgmt, extra)
	_, err := w.eng.DeclineHandshake(w.ctx, extra, h.ID)
	ok(t, err)
	// invitee receives invitations from 5 more organizations (and by
	// email).
	for i := range 5 {
		m := fmt.Sprintf("9200000000%02d", i)
		w.createOrg(m)
		w.invite(m, invitee)
	}
	_, err = w.eng.InviteAccountToOrganization(w.ctx, mgmt2, org.Party{ID: "account-" + invitee + "@localsec.invalid", Type: org.PartyEmail}, "", nil)
	ok(t, err)
	// OUs: 6 at the root besides the world's, 5 under it.
	for i := range 6 {
		w.createOU(mgmt, w.org.RootID, fmt.Sprintf("Top%d", i))
	}
	b.inner = w.ou
	for i := range 5 {
		w.createOU(mgmt, w.ou, fmt.Sprintf("Inner%d", i))
	}
	for i := range 4 {
		ok(t, w.eng.MoveAccount(w.ctx, mgmt, fmt.Sprintf("9000000000%02d", i), w.org.RootID, w.ou))
	}
	// Trusted access for 8 principals.
	for _, p := range org.TrustedPrincipals()[:8] {
		ok(t, w.eng.EnableAWSServiceAccess(w.ctx, mgmt, p))
	}
	// Delegated administrators: 6 accounts for config, 3 for ssm, da for
	// 6 principals.
	for i := range 6 {
		ok(t, w.eng.RegisterDelegatedAdministrator(w.ctx, mgmt, fmt.Sprintf("9000000000%02d", i), config))
	}
	for i := 3; i < 6; i++ {
		ok(t, w.eng.RegisterDelegatedAdministrator(w.ctx, mgmt, fmt.Sprintf("9000000000%02d", i), ssm))
	}
	for _, p := range []string{macie, shub, config, ssm, "backup.amazonaws.com"} {
		ok(t, w.eng.RegisterDelegatedAdministrator(w.ctx, mgmt, da, p))
	}
	// Tags: 13 on the root.
	ok(t, w.eng.TagResource(w.ctx, mgmt, w.org.RootID, tagList(13, "tag")))
	return b
}

func (b *bigWorld) lists() []pagedList {
	w := b.world
	ctx, e := w.ctx, w.eng
	id := func(a org.Account) string { return a.ID }
	child := func(c org.Child) string { return c.ID }
	hsID := func(h org.Handshake) string { return h.ID }
	ouID := func(u org.OrganizationalUnit) string { return u.ID }
	daID := func(d org.DelegatedAdministrator) string { return d.ID }
	return []pagedList{
		{"ListAccounts", func(p org.Page) ([]string, string, error) {
			a, n, err := e.ListAccounts(ctx, da, p)
			return keysOf(a, n, err, id)
		}},
		{"ListAccountsForParent/root", func(p org.Page) ([]string, string, error) {
			a, n, err := e.ListAccountsForParent(ctx, mgmt, w.org.RootID, p)
			return keysOf(a, n, err, id)
		}},
		{"ListAccountsForParent/ou", func(p org.Page) ([]string, string, error) {
			a, n, err := e.ListAccountsForParent(ctx, mgmt, b.inner, p)
			return keysOf(a, n, err, id)
		}},
		{"ListChildren/root/ACCOUNT", func(p org.Page) ([]string, string, error) {
			c, n, err := e.ListChildren(ctx, mgmt, w.org.RootID, org.TypeAccount, p)
			return keysOf(c, n, err, child)
		}},
		{"ListChildren/root/OU", func(p org.Page) ([]string, string, error) {
			c, n, err := e.ListChildren(ctx, mgmt, w.org.RootID, org.TypeOU, p)
			return keysOf(c, n, err, child)
		}},
		{"ListChildren/ou/OU", func(p org.Page) ([]string, string, error) {
			c, n, err := e.ListChildren(ctx, mgmt, b.inner, org.TypeOU, p)
			return keysOf(c, n, err, child)
		}},
		{"ListOrganizationalUnitsForParent/root", func(p org.Page) ([]string, string, error) {
			u, n, err := e.ListOrganizationalUnitsForParent(ctx, da, w.org.RootID, p)
			return keysOf(u, n, err, ouID)
		}},
		{"ListOrganizationalUnitsForParent/ou", func(p org.Page) ([]string, string, error) {
			u, n, err := e.ListOrganizationalUnitsForParent(ctx, da, b.inner, p)
			return keysOf(u, n, err, ouID)
		}},
		{"ListCreateAccountStatus", func(p org.Page) ([]string, string, error) {
			s, n, err := e.ListCreateAccountStatus(ctx, mgmt, nil, p)
			return keysOf(s, n, err, func(s org.CreateAccountStatus) string { return s.ID })
		}},
		{"ListHandshakesForOrganization", func(p org.Page) ([]string, string, error) {
			h, n, err := e.ListHandshakesForOrganization(ctx, mgmt, org.HandshakeFilter{}, p)
			return keysOf(h, n, err, hsID)
		}},
		{"ListHandshakesForAccount", func(p org.Page) ([]string, string, error) {
			h, n, err := e.ListHandshakesForAccount(ctx, invitee, org.HandshakeFilter{ActionType: org.ActionInvite}, p)
			return keysOf(h, n, err, hsID)
		}},
		{"ListAWSServiceAccessForOrganization", func(p org.Page) ([]string, string, error) {
			s, n, err := e.ListAWSServiceAccessForOrganization(ctx, mgmt, p)
			return keysOf(s, n, err, func(s org.ServiceAccess) string { return s.Principal })
		}},
		{"ListDelegatedAdministrators", func(p org.Page) ([]string, string, error) {
			d, n, err := e.ListDelegatedAdministrators(ctx, mgmt, "", p)
			return keysOf(d, n, err, daID)
		}},
		{"ListDelegatedAdministrators/config", func(p org.Page) ([]string, string, error) {
			d, n, err := e.ListDelegatedAdministrators(ctx, da, config, p)
			return keysOf(d, n, err, daID)
		}},
		{"ListDelegatedAdministrators/ssm", func(p org.Page) ([]string, string, error) {
			d, n, err := e.ListDelegatedAdministrators(ctx, da, ssm, p)
			return keysOf(d, n, err, daID)
		}},
		{"ListDelegatedServicesForAccount", func(p org.Page) ([]string, string, error) {
			s, n, err := e.ListDelegatedServicesForAccount(ctx, mgmt, da, p)
			return keysOf(s, n, err, func(s org.DelegatedService) string { return s.Principal })
		}},
		{"ListTagsForResource", func(p org.Page) ([]string, string, error) {
			tg, n, err := e.ListTagsForResource(ctx, mgmt, w.org.RootID, p)
			return keysOf(tg, n, err, func(t org.Tag) string { return t.Key })
		}},
		{"ListRoots", func(p org.Page) ([]string, string, error) {
			r, n, err := e.ListRoots(ctx, mgmt, p)
			return keysOf(r, n, err, func(r org.Root) string { return r.ID })
		}},
		{"ListParents", func(p org.Page) ([]string, string, error) {
			c, n, err := e.ListParents(ctx, mgmt, mem, p)
			return keysOf(c, n, err, child)
		}},
	}
}

// TestPaginationWalksEveryEntryOnce: with any page size, every paged list
// gives each entry exactly once, in the order of the whole list, and
// omits the token on the last page.
func TestPaginationWalksEveryEntryOnce(t *testing.T) {
	b := newBigWorld(t)
	wantSizes := map[string]int{
		"ListAccounts": 14, "ListAccountsForParent/root": 10, "ListAccountsForParent/ou": 4,
		"ListChildren/root/ACCOUNT": 10, "ListChildren/root/OU": 7, "ListChildren/ou/OU": 5,
		"ListOrganizationalUnitsForParent/root": 7, "ListOrganizationalUnitsForParent/ou": 5,
		"ListCreateAccountStatus": 4, "ListHandshakesForOrganization": 15, "ListHandshakesForAccount": 7,
		"ListAWSServiceAccessForOrganization": 9, "ListDelegatedAdministrators": 7,
		"ListDelegatedAdministrators/config": 7, "ListDelegatedAdministrators/ssm": 4,
		"ListDelegatedServicesForAccount": 6, "ListTagsForResource": 13, "ListRoots": 1, "ListParents": 1,
	}
	for _, l := range b.lists() {
		t.Run(l.name, func(t *testing.T) {
			all, next, err := l.page(org.Page{Limit: 1000})
			ok(t, err)
			if next != "" {
				t.Fatalf("token on a complete list")
			}
			if len(all) != wantSizes[l.name] {
				t.Fatalf("%d entries, want %d: %v", len(all), wantSizes[l.name], all)
			}
			if !slices.IsSorted(all) {
				t.Fatalf("not in key order: %v", all)
			}
			if len(slices.Compact(slices.Clone(all))) != len(all) {
				t.Fatalf("duplicates: %v", all)
			}
			// The default page size is 20: everything here fits in one.
			def, next, err := l.page(org.Page{})
			ok(t, err)
			if next != "" || !slices.Equal(def, all) {
				t.Fatalf("default page %v %q", def, next)
			}
			for _, limit := range []int{1, 2, 3, 5, len(all), len(all) + 1} {
				got := walk(t, limit, l.page)
				if !slices.Equal(got, all) {
					t.Fatalf("limit %d: got %v, want %v", limit, got, all)
				}
			}
			// Exactly len(all) entries with limit len(all): one page, no
			// token.
			page, next, err := l.page(org.Page{Limit: len(all)})
			ok(t, err)
			if next != "" || len(page) != len(all) {
				t.Fatalf("full page %v token %q", page, next)
			}
		})
	}
}

// TestDefaultPageSize: more than 20 entries take two pages by default.
func TestDefaultPageSize(t *testing.T) {
	e := newEnv(t)
	e.createOrg(mgmt)
	for i := range 24 {
		e.join(mgmt, fmt.Sprintf("9000000000%02d", i))
	}
	accts, next, err := e.eng.ListAccounts(e.ctx, mgmt, org.Page{})
	ok(t, err)
	if len(accts) != org.DefaultPageSize || next == "" {
		t.Fatalf("%d %q", len(accts), next)
	}
	rest, next, err := e.eng.ListAccounts(e.ctx, mgmt, org.Page{Token: next})
	ok(t, err)
	if len(rest) != 5 || next != "" {
		t.Fatalf("%d %q", len(rest), next)
	}
}

// TestPaginationTokens: a token works only for the list that made it;
// anything else is INVALID_NEXT_TOKEN.
func TestPaginationTokens(t *testing.T) {
	b := newBigWorld(t)
	lists := b.lists()
	tokens := map[string]string{}
	for _, l := range lists {
		_, next, err := l.page(org.Page{Limit: 1})
		ok(t, err)
		if next != "" {
			tokens[l.name] = next
		}
	}
	if len(tokens) != len(lists)-2 { // ListRoots, ListParents have one entry
		t.Fatalf("%d tokens", len(tokens))
	}
	for _, l := range lists {
		for from, tok := range tokens {
			if from == l.name {
				continue
			}
			t.Run(l.name+"<-"+from, func(t *testing.T) {
				b.refused(func() error { _, _, err := l.page(org.Page{Token: tok, Limit: 1}); return err },
					org.CodeInvalidInput, org.ReasonInvalidNextToken)
			})
		}
		for i, tok := range []string{
			"garbage!",
			"bm90IGEgdG9rZW4",
			base64.RawURLEncoding.EncodeToString([]byte("ls1:org:accounts:")),
			base64.RawURLEncoding.EncodeToString([]byte("ls2:org:accounts:111111111111")),
			base64.StdEncoding.EncodeToString([]byte("ls1:org:accounts:111111111111")) + "==",
		} {
			t.Run(fmt.Sprintf("%s<-garbage%d", l.name, i), func(t *testing.T) {
				b.refused(func() error { _, _, err := l.page(org.Page{Token: tok, Limit: 1}); return err },
					org.CodeInvalidInput, org.ReasonInvalidNextToken)
			})
		}
	}
	// A ListCreateAccountStatus token works whatever the state filter.
	tok := tokens["ListCreateAccountStatus"]
	_, _, err := b.eng.ListCreateAccountStatus(b.ctx, mgmt, []string{org.CreateSucceeded}, org.Page{Token: tok})
	ok(t, err)
	// The token of a delegated administrator list with another principal is
	// refused.
	b.refused(func() error {
		_, _, err := b.eng.ListDelegatedAdministrators(b.ctx, mgmt, ssm, org.Page{Token: tokens["ListDelegatedAdministrators/config"]})
		return err
	}, org.CodeInvalidInput, org.ReasonInvalidNextToken)
}

// TestPaginationAcrossChanges: a token resumes after its key even when
// entries change between pages.
func TestPaginationAcrossChanges(t *testing.T) {
	e := newEnv(t)
	e.createOrg(mgmt)
	for _, a := range []string{"200000000000", "300000000000", "400000000000"} {
		e.join(mgmt, a)
	}
	page, next, err := e.eng.ListAccounts(e.ctx, mgmt, org.Page{Limit: 2})
	ok(t, err)
	if got := []string{page[0].ID, page[1].ID}; !reflect.DeepEqual(got, []string{mgmt, "200000000000"}) {
		t.Fatalf("%v", got)
	}
	// The last key of the page leaves; the token still resumes after it.
	ok(t, e.eng.RemoveAccountFromOrganization(e.ctx, mgmt, "200000000000"))
	rest, next, err := e.eng.ListAccounts(e.ctx, mgmt, org.Page{Token: next, Limit: 2})
	ok(t, err)
	if len(rest) != 2 || rest[0].ID != "300000000000" || rest[1].ID != "400000000000" || next != "" {
		t.Fatalf("%+v %q", rest, next)
	}
}
