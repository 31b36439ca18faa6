package organizations_test

import (
	"strings"
	"testing"
	"time"

	"github.com/localsec/localsec/internal/organizations"
	"github.com/localsec/localsec/internal/store"
	"github.com/localsec/localsec/internal/store/memstore"
)

// orgRecordsOf returns the engine's records of a snapshot.
func orgRecordsOf(snap store.Snapshot) []store.Record {
	var out []store.Record
	for _, r := range snap.Records {
		if organizations.IsRecordKind(r.Kind) {
			out = append(out, r)
		}
	}
	return out
}

// A state reached through the engine's API, with every kind of record,
// is described, and the description builds exactly the records read:
// the seed document's organizations section loses nothing.
func TestDescribeThenRecordsGivesTheSameRecords(t *testing.T) {
	w := newWorld(t)
	ctx := w.ctx
	// Nested OUs with tags, an account moved into one, tags on the root
	// and on accounts, a policy type, a closed account, one that left
	// (standalone, with a role from CreateAccount), a declined and a
	// canceled invitation, one by email, a failed CreateAccount.
	prod, err := w.eng.CreateOrganizationalUnit(ctx, mgmt, w.ou, "Prod", []organizations.Tag{{Key: "env", Value: "prod"}})
	ok(t, err)
	ok(t, w.eng.MoveAccount(ctx, mgmt, mem, w.org.RootID, prod.ID))
	ok(t, w.eng.TagResource(ctx, mgmt, w.org.RootID, []organizations.Tag{{Key: "b", Value: "2"}, {Key: "a", Value: "1"}}))
	ok(t, w.eng.TagResource(ctx, mgmt, mem, []organizations.Tag{{Key: "team", Value: "payments"}}))
	_, err = w.eng.SetPolicyType(ctx, mgmt, w.org.RootID, "TAG_POLICY", true)
	ok(t, err)
	_, leaver := w.createAccount(mgmt, "leaver", organizations.Tag{Key: "cost", Value: "x"})
	ok(t, w.eng.RemoveAccountFromOrganization(ctx, mgmt, leaver))
	_, closed := w.createAccount(mgmt, "closed")
	ok(t, w.eng.CloseAccount(ctx, mgmt, closed))
	_, err = w.eng.CreateAccount(ctx, mgmt, organizations.NewAccount{Name: "dup", Email: "created@example.com"})
	ok(t, err)
	declined := w.invite(mgmt2, extra, organizations.Tag{Key: "z", Value: "1"}, organizations.Tag{Key: "y", Value: "2"})
	_, err = w.eng.DeclineHandshake(ctx, extra, declined.ID)
	ok(t, err)
	w.clock.Advance(time.Minute)
	canceled := w.invite(mgmt2, stranger)
	_, err = w.eng.CancelHandshake(ctx, mgmt2, canceled.ID)
	ok(t, err)
	_, err = w.eng.InviteAccountToOrganization(ctx, mgmt2, organizations.Party{ID: "leaver@example.com", Type: organizations.PartyEmail}, "by email", nil)
	ok(t, err)

	records := orgRecordsOf(w.snapshot())
	d, err := organizations.Describe(records)
	ok(t, err)
	back, err := d.Records()
	ok(t, err)
	if a, b := renderRecords(records), renderRecords(back); a != b {
		t.Fatalf("Records of the description differ from the records described\n--- read\n%s\n--- built\n%s", a, b)
	}

	// The description says what was done, in plain values.
	if len(d.Organizations) != 2 {
		t.Fatalf("organizations = %+v", d.Organizations)
	}
	main := d.Organizations[0]
	if main.ID != w.org.ID {
		main = d.Organizations[1]
	}
	if len(main.Units) != 2 || main.Units[0].Name != "Workloads" || main.Units[1].ParentID != main.Units[0].ID ||
		len(main.Units[1].Tags) != 1 || len(main.RootTags) != 2 || main.RootTags[0].Key != "a" ||
		len(main.PolicyTypes) != 1 || len(main.Delegations) != 1 || main.Delegations[0].Account != da ||
		len(main.ServiceAccess) != 1 || len(main.CreateRequests) != 4 {
		t.Fatalf("main organization = %+v", main)
	}
	standalone := map[string]organizations.AccountDescription{}
	for _, a := range d.Standalone {
		standalone[a.ID] = a
	}
	if l := standalone[leaver]; l.RoleName != organizations.DefaultRoleName || l.CreatedBy != mgmt || l.ParentID != "" || len(l.Tags) != 0 {
		t.Fatalf("the account that left = %+v (standalone %v)", l, d.Standalone)
	}
	if _, ok := standalone[invitee]; !ok {
		t.Fatalf("the invited account is not standalone: %v", d.Standalone)
	}

	// Seeded into a fresh store, the records serve the same answers.
	st := memstore.New()
	ok(t, st.Update(ctx, func(tx store.Tx) error {
		for _, r := range back {
			if err := tx.PutRecord(ctx, r); err != nil {
				return err
			}
		}
		return nil
	}))
	eng := organizations.New(st, organizations.WithClock(w.clock))
	got, _, err := eng.ListAccountsForParent(ctx, mgmt, prod.ID, organizations.Page{})
	ok(t, err)
	if len(got) != 1 || got[0].ID != mem {
		t.Fatalf("the accounts of Prod from the described records = %+v", got)
	}
	hs, _, err := eng.ListHandshakesForAccount(ctx, leaver, organizations.HandshakeFilter{}, organizations.Page{})
	ok(t, err)
	if len(hs) != 1 || hs[0].State != organizations.HandshakeOpen {
		t.Fatalf("the invitation by email from the described records = %+v", hs)
	}
}

func renderRecords(rs []store.Record) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Kind + " " + r.Key + " " + string(r.Value) + "\n")
	}
	return b.String()
}

// Records the description cannot say are refused by Describe, which
// names them, so that a caller keeps them as records.
func TestDescribeRefusesWhatItCannotSay(t *testing.T) {
	w := newWorld(t)
	records := orgRecordsOf(w.snapshot())
	for name, extra := range map[string]store.Record{
		"a stray index":            {Kind: "organizations.parent-account", Key: w.org.RootID + "/999999999999", Value: []byte("{}")},
		"tags of nothing":          {Kind: "organizations.tags", Key: "ou-zzzz-zzzzzzzz", Value: []byte(`{"tags":[{"key":"k","value":"v"}]}`)},
		"an address of no account": {Kind: "organizations.email", Key: "ghost@example.com", Value: []byte(`"999999999999"`)},
		"an undecodable account":   {Kind: "organizations.account", Key: "999999999999", Value: []byte("{")},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := organizations.Describe(append(records[:len(records):len(records)], extra))
			if err == nil || !strings.Contains(err.Error(), extra.Key) && !strings.Contains(err.Error(), "999999999999") {
				t.Fatalf("Describe with %s: %v, want an error naming it", name, err)
			}
		})
	}
}

// Records refuses descriptions whose parts do not fit together.
func TestDescriptionRecordsRefusesBrokenDescriptions(t *testing.T) {
	base := func() organizations.Description {
		return organizations.Description{Organizations: []organizations.OrgDescription{{
			ID: "o-aaaaaaaaaa", RootID: "r-aaaa", Management: mgmt, FeatureSet: organizations.FeatureSetAll, Created: t0,
			Accounts: []organizations.AccountDescription{{ID: mgmt, Name: "m", Email: "m@example.com", ParentID: "r-aaaa",
				JoinedMethod: organizations.JoinedInvited, Joined: t0, State: organizations.StateActive}},
		}}}
	}
	if _, err := base().Records(); err != nil {
		t.Fatalf("the base description: %v", err)
	}
	for name, tc := range map[string]struct {
		change func(*organizations.Description)
		want   string
	}{
		"no management account":      {func(d *organizations.Description) { d.Organizations[0].Management = mem }, "management account"},
		"a parent that is not there": {func(d *organizations.Description) { d.Organizations[0].Accounts[0].ParentID = "ou-aaaa-bbbbbbbb" }, "parent"},
		"an account twice": {func(d *organizations.Description) {
			d.Standalone = append(d.Standalone, organizations.AccountDescription{ID: mgmt, Email: "x@example.com", State: organizations.StateActive})
		}, "account " + mgmt},
		"one address for two accounts": {func(d *organizations.Description) {
			d.Standalone = append(d.Standalone, organizations.AccountDescription{ID: mem, Email: "M@example.com", State: organizations.StateActive})
		}, "one email address"},
		"an invitation to nobody": {func(d *organizations.Description) {
			d.Organizations[0].Handshakes = []organizations.HandshakeDescription{{ID: "h-aaaaaaaaaa", Action: organizations.ActionInvite,
				State: organizations.HandshakeOpen, TargetType: organizations.PartyAccount, Target: mem, Requested: t0, Expires: t0}}
		}, "target"},
		"a delegated administrator from outside": {func(d *organizations.Description) {
			d.Organizations[0].Delegations = []organizations.Delegation{{Account: mem, Principal: guardduty, Since: t0}}
		}, "delegated administrator"},
	} {
		t.Run(name, func(t *testing.T) {
			d := base()
			tc.change(&d)
			if _, err := d.Records(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Records: %v, want an error about %q", err, tc.want)
			}
		})
	}
}
