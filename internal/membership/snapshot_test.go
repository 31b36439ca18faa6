package membership_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/store"
	"github.com/localsec/localsec/internal/store/memstore"
)

// A state reached through the engine exports, passes the invariant check,
// imports into an empty store and exports again unchanged.
func TestExportImportRoundTrip(t *testing.T) {
	e := newEnv(t, macieRules(), withOrg())
	s := e.svc
	mustAssociate(t, e, s, at(acctA), acctM)
	mustCreate(t, e, s, at(acctA), acctB)
	mustInvite(t, e, s, at(acctA), acctB)
	mustEnable(t, e, s, at(acctMgmt))
	mustOK(t, "EnableOrgAdmin", s.EnableOrgAdmin(e.ctx, at(acctMgmt), acctA, nil))
	yes := true
	mustOK(t, "UpdateOrgConfig", s.UpdateOrgConfig(e.ctx, at(acctA), membership.OrgConfigUpdate{AutoEnable: &yes}))
	// Records of an engine of their own (the organizations engine's), any bytes.
	records := []store.Record{
		{Kind: "account", Key: "o-1/" + acctA, Value: []byte(`{"Id":"` + acctA + `","Status":"ACTIVE"}`)},
		{Kind: "account", Key: "o-1/" + acctB, Value: []byte{0, 0xff, '\n'}},
		{Kind: "organization", Key: "o-1", Value: []byte{}},
	}
	mustOK(t, "PutRecord", e.store.Update(e.ctx, func(tx store.Tx) error {
		for _, r := range records {
			if err := tx.PutRecord(e.ctx, r); err != nil {
				return err
			}
		}
		return nil
	}))

	snap, err := e.engine.Export(e.ctx)
	mustOK(t, "Export", err)
	if len(snap.Members) != 2 || len(snap.Enablements) != 3 || len(snap.OrgAdmins) != 1 || len(snap.OrgConfigs) != 1 || len(snap.Emails) == 0 {
		t.Fatalf("export = %+v", snap)
	}
	if !reflect.DeepEqual(snap.Records, records) {
		t.Fatalf("exported records = %q, want %q", snap.Records, records)
	}
	if problems := membership.CheckInvariants(snap, *orgOf()); len(problems) > 0 {
		t.Fatalf("a reachable state fails the check: %v", problems)
	}
	fresh := membership.New(memstore.New(), membership.WithOrganization(*orgOf()))
	mustOK(t, "Import", fresh.Import(e.ctx, snap))
	again, err := fresh.Export(e.ctx)
	mustOK(t, "Export", err)
	if !reflect.DeepEqual(snap, again) {
		t.Fatalf("round trip changed the state:\n%+v\n%+v", snap, again)
	}
	// Importing again is refused: the store is no longer empty.
	if err := fresh.Import(e.ctx, snap); !errors.Is(err, membership.ErrNotEmpty) {
		t.Fatalf("second Import = %v, want ErrNotEmpty", err)
	}
	// Records alone make a store not empty.
	onlyRecords := membership.New(memstore.New())
	mustOK(t, "Import", onlyRecords.Import(e.ctx, store.Snapshot{Records: records[2:]}))
	if err := onlyRecords.Import(e.ctx, store.Snapshot{Records: records[:1]}); !errors.Is(err, membership.ErrNotEmpty) {
		t.Fatalf("Import into a store holding records = %v, want ErrNotEmpty", err)
	}
}

// The invitation email AWS would send goes to the outbox with the
// invitation, unless disabled; the notifier hears of it after commit.
func TestInvitationEmails(t *testing.T) {
	var heard []store.Email
	e := newEnvOn(t, memstore.New(), macieRules(), membership.WithNotifier(func(_ context.Context, es []store.Email) {
		heard = append(heard, es...)
	}))
	s := e.svc
	mustEnable(t, e, s, at(acctA))
	mustCreate(t, e, s, at(acctA), acctM, acctB)
	unp, err := s.InviteMembers(e.ctx, at(acctA), []string{acctM}, membership.InviteOptions{Message: "hello"})
	mustAllProcessed(t, "InviteMembers", unp, err)
	unp, err = s.InviteMembers(e.ctx, at(acctA), []string{acctB}, membership.InviteOptions{DisableEmailNotification: true})
	mustAllProcessed(t, "InviteMembers", unp, err)
	emails, err := e.engine.Emails(e.ctx, acctM)
	mustOK(t, "Emails", err)
	m, err := s.GetMember(e.ctx, at(acctA), acctM)
	mustOK(t, "GetMember", err)
	if len(emails) != 1 || emails[0].From != acctA || emails[0].To != acctM || emails[0].Address != m.Email ||
		emails[0].Message != "hello" || emails[0].InvitationID != m.InvitationID || emails[0].Service != s.Name() || !emails[0].Sent.Equal(m.InvitedAt) {
		t.Fatalf("outbox of %s = %+v (member %+v)", acctM, emails, m.Member)
	}
	if all, _ := e.engine.Emails(e.ctx, ""); len(all) != 1 {
		t.Fatalf("the disabled notification still made an email: %+v", all)
	}
	if len(heard) != 1 || heard[0] != emails[0] {
		t.Fatalf("notifier heard %+v", heard)
	}
	// A refused invitation sends nothing.
	_, _ = s.InviteMembers(e.ctx, at(acctA), []string{acctX}, membership.InviteOptions{})
	if all, _ := e.engine.Emails(e.ctx, ""); len(all) != 1 || len(heard) != 1 {
		t.Fatalf("a refused invitation made an email: %+v", all)
	}
}

// Each broken state is named by the check and refused by Import, which
// then writes nothing.
func TestCheckInvariantsFindsBrokenStates(t *testing.T) {
	scope := store.Scope{Service: "macie2", Region: regionA}
	en := func(acct string) store.Enablement {
		return store.Enablement{AccountKey: store.AccountKey{Scope: scope, Account: acct}, Status: store.EnablementEnabled}
	}
	mem := func(admin, member string, st membership.Status) store.Member {
		return store.Member{MemberKey: store.MemberKey{Scope: scope, Admin: admin, Member: member}, Status: st,
			Association: store.AssociationInvitation, InvitationID: strings.Repeat("a", 32)}
	}
	for _, tc := range []struct {
		name string
		snap store.Snapshot
		want string
	}{
		{"two administrators", store.Snapshot{Enablements: []store.Enablement{en(acctA), en(acctB)},
			Members: []store.Member{mem(acctA, acctM, store.StatusEnabled), mem(acctB, acctM, store.StatusSuspended)}}, "2 administrators"},
		{"member and administrator", store.Snapshot{Enablements: []store.Enablement{en(acctA), en(acctM)},
			Members: []store.Member{mem(acctA, acctM, store.StatusEnabled), mem(acctM, acctX, store.StatusCreated)}}, "has members of its own"},
		{"administrator not enabled", store.Snapshot{Members: []store.Member{mem(acctA, acctM, store.StatusCreated)}}, "has not enabled"},
		{"member of itself", store.Snapshot{Enablements: []store.Enablement{en(acctA)}, Members: []store.Member{mem(acctA, acctA, store.StatusCreated)}}, "member of itself"},
		{"unknown status", store.Snapshot{Enablements: []store.Enablement{en(acctA)}, Members: []store.Member{mem(acctA, acctM, "Dancing")}}, "unknown status"},
		{"bad account", store.Snapshot{Enablements: []store.Enablement{en("12")}}, "12-digit"},
		{"invited without id", store.Snapshot{Enablements: []store.Enablement{en(acctA)}, Members: []store.Member{func() store.Member {
			m := mem(acctA, acctM, store.StatusInvited)
			m.InvitationID = ""
			return m
		}()}}, "needs an invitation id"},
		{"org admin without organization", store.Snapshot{OrgAdmins: []store.OrgAdmin{{AccountKey: store.AccountKey{Scope: scope, Account: acctA}, Status: store.OrgAdminEnabled}}}, "no organization"},
		{"record without key", store.Snapshot{Records: []store.Record{{Kind: "account", Value: []byte("v")}}}, "key is empty"},
		{"record without kind", store.Snapshot{Records: []store.Record{{Key: "k"}}}, "kind is empty"},
		{"record key not UTF-8", store.Snapshot{Records: []store.Record{{Kind: "account", Key: "a\xff"}}}, "not valid UTF-8"},
		{"record twice", store.Snapshot{Records: []store.Record{{Kind: "account", Key: "k"}, {Kind: "account", Key: "k", Value: []byte("2")}}}, "appears twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			problems := membership.CheckInvariants(tc.snap, membership.Organization{})
			if err := errors.Join(problems...); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("CheckInvariants = %v, want a problem containing %q", err, tc.want)
			}
			eng := membership.New(memstore.New())
			if err := eng.Import(context.Background(), tc.snap); err == nil {
				t.Fatal("Import accepted a broken state")
			}
			if snap, _ := eng.Export(context.Background()); len(snap.Enablements)+len(snap.Members)+len(snap.Records) != 0 {
				t.Fatalf("a refused Import wrote %+v", snap)
			}
		})
	}
}
