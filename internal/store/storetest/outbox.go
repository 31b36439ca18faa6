package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/localsec/localsec/internal/store"
)

func email(id, from, to string, sent time.Time) store.Email {
	return store.Email{ID: id, Service: macie, Region: usEast1, From: from, To: to, Address: to + "@example.com",
		Message: "join " + id, InvitationID: id + id, Sent: sent}
}

func sameEmails(t *testing.T, what string, got, want []store.Email) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d emails %+v, want %d %+v", what, len(got), got, len(want), want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if !g.Sent.Equal(w.Sent) {
			t.Fatalf("%s[%d]: sent %v, want %v", what, i, g.Sent, w.Sent)
		}
		g.Sent, w.Sent = time.Time{}, time.Time{}
		if g != w {
			t.Fatalf("%s[%d] = %+v, want %+v", what, i, g, w)
		}
	}
}

// testEmails: the outbox keeps every field, lists oldest first (then by
// id, whatever the order of the puts), filters by sender or recipient and
// honours Limit.
func testEmails(t *testing.T, s store.Store) {
	ctx := t.Context()
	e3 := email("c", "111111111111", "333333333333", t1)
	e1 := email("b", "111111111111", "222222222222", t0)
	e2 := email("a", "444444444444", "111111111111", t0) // same time as e1, smaller id
	e4 := email("d", "555555555555", "666666666666", t1.Add(time.Millisecond))
	mustUpdate(t, s, func(tx store.Tx) error {
		for _, e := range []store.Email{e3, e1, e2, e4} {
			if err := tx.PutEmail(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	view := func(q store.EmailQuery) (out []store.Email) {
		t.Helper()
		err := s.View(ctx, func(tx store.Tx) error {
			var err error
			out, err = tx.ListEmails(ctx, q)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	sameEmails(t, "all", view(store.EmailQuery{}), []store.Email{e2, e1, e3, e4})
	sameEmails(t, "account 111111111111", view(store.EmailQuery{Account: "111111111111"}), []store.Email{e2, e1, e3})
	sameEmails(t, "recipient only", view(store.EmailQuery{Account: "666666666666"}), []store.Email{e4})
	sameEmails(t, "limit", view(store.EmailQuery{Limit: 2}), []store.Email{e2, e1})
	sameEmails(t, "account with limit", view(store.EmailQuery{Account: "111111111111", Limit: 1}), []store.Email{e2})
	if got := view(store.EmailQuery{Account: "999999999999"}); len(got) != 0 {
		t.Fatalf("unknown account: %+v", got)
	}
	err := s.View(ctx, func(tx store.Tx) error { return tx.PutEmail(ctx, email("z", "1", "2", t0)) })
	if !errors.Is(err, store.ErrReadOnly) {
		t.Fatalf("PutEmail in View: %v, want ErrReadOnly", err)
	}
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if got := view(store.EmailQuery{}); len(got) != 0 {
		t.Fatalf("emails after Reset: %+v", got)
	}
}

// testEmailsRollBack: an email put by a failing Update is gone.
func testEmailsRollBack(t *testing.T, s store.Store) {
	ctx := t.Context()
	kept := email("k", "111111111111", "222222222222", t0)
	mustUpdate(t, s, func(tx store.Tx) error { return tx.PutEmail(ctx, kept) })
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.PutEmail(ctx, email("x", "111111111111", "222222222222", t1)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want boom", err)
	}
	var got []store.Email
	if err := s.View(ctx, func(tx store.Tx) error {
		var err error
		got, err = tx.ListEmails(ctx, store.EmailQuery{})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	sameEmails(t, "after rollback", got, []store.Email{kept})
}

// testAll: All returns every record of every kind, in key order, equal to
// what was put (an empty record value comes back empty, not nil).
func testAll(t *testing.T, s store.Store) {
	ctx := t.Context()
	en := func(svc, region, acct string) store.Enablement {
		return store.Enablement{AccountKey: store.AccountKey{Scope: store.Scope{Service: svc, Region: region}, Account: acct},
			Status: store.EnablementEnabled, Settings: []byte(`{"a":1}`), Tags: map[string]string{"k": "v"}, Created: t0, Updated: t1}
	}
	mem := func(svc, region, admin, member string) store.Member {
		return store.Member{MemberKey: store.MemberKey{Scope: store.Scope{Service: svc, Region: region}, Admin: admin, Member: member},
			Email: member + "@example.com", Status: store.StatusInvited, Association: store.AssociationInvitation,
			Created: t0, Updated: t1, InvitedAt: t1, InvitationID: "id-" + member}
	}
	want := store.Snapshot{
		Enablements: []store.Enablement{en(guardduty, usEast1, "111111111111"), en(macie, euWest1, "222222222222"), en(macie, usEast1, "111111111111")},
		Members: []store.Member{mem(guardduty, usEast1, "111111111111", "222222222222"), mem(macie, usEast1, "111111111111", "222222222222"),
			mem(macie, usEast1, "111111111111", "333333333333"), mem(macie, usEast1, "444444444444", "222222222222")},
		OrgAdmins: []store.OrgAdmin{{AccountKey: store.AccountKey{Scope: store.Scope{Service: macie, Region: usEast1}, Account: "111111111111"},
			Status: store.OrgAdminEnabled, Created: t0}},
		OrgConfigs: []store.OrgConfig{{AccountKey: store.AccountKey{Scope: store.Scope{Service: macie, Region: usEast1}, Account: "111111111111"},
			AutoEnable: true, Settings: []byte(`{}`), Updated: t1}},
		Emails: []store.Email{email("a", "111111111111", "222222222222", t0)},
		Records: []store.Record{
			{Kind: "account", Key: "o-1/111111111111", Value: []byte(`{"id":"111111111111"}`)},
			{Kind: "account", Key: "o-1/222222222222", Value: []byte{0, 0xff}},
			{Kind: "organization", Key: "o-1", Value: []byte{}},
		},
	}
	mustUpdate(t, s, func(tx store.Tx) error {
		// Put in an order unlike the key order.
		for i := len(want.Enablements) - 1; i >= 0; i-- {
			if err := tx.PutEnablement(ctx, want.Enablements[i]); err != nil {
				return err
			}
		}
		for i := len(want.Members) - 1; i >= 0; i-- {
			if err := tx.PutMember(ctx, want.Members[i]); err != nil {
				return err
			}
		}
		if err := tx.PutOrgAdmin(ctx, want.OrgAdmins[0]); err != nil {
			return err
		}
		if err := tx.PutOrgConfig(ctx, want.OrgConfigs[0]); err != nil {
			return err
		}
		for i := len(want.Records) - 1; i >= 0; i-- {
			if err := tx.PutRecord(ctx, want.Records[i]); err != nil {
				return err
			}
		}
		return tx.PutEmail(ctx, want.Emails[0])
	})
	var got store.Snapshot
	if err := s.View(ctx, func(tx store.Tx) error {
		var err error
		got, err = tx.All(ctx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// Times compare by instant; the rest must be deeply equal.
	norm := func(sn store.Snapshot) store.Snapshot {
		for i := range sn.Enablements {
			sn.Enablements[i].Created, sn.Enablements[i].Updated = sn.Enablements[i].Created.UTC(), sn.Enablements[i].Updated.UTC()
		}
		for i := range sn.Members {
			m := &sn.Members[i]
			m.Created, m.Updated, m.InvitedAt = m.Created.UTC(), m.Updated.UTC(), m.InvitedAt.UTC()
		}
		for i := range sn.OrgAdmins {
			sn.OrgAdmins[i].Created = sn.OrgAdmins[i].Created.UTC()
		}
		for i := range sn.OrgConfigs {
			sn.OrgConfigs[i].Updated = sn.OrgConfigs[i].Updated.UTC()
		}
		for i := range sn.Emails {
			sn.Emails[i].Sent = sn.Emails[i].Sent.UTC()
		}
		return sn
	}
	if g, w := norm(got), norm(want); !reflect.DeepEqual(g, w) {
		t.Fatalf("All =\n%+v\nwant\n%+v", g, w)
	}
}
