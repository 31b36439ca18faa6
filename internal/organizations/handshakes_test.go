package organizations_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	org "github.com/localsec/localsec/internal/organizations"
)

func TestInviteHandshakeShape(t *testing.T) {
	e := newEnv(t)
	o := e.createOrg(mgmt)
	e.clock.Advance(time.Hour)
	h, err := e.eng.InviteAccountToOrganization(e.ctx, mgmt, org.Party{ID: mem, Type: org.PartyAccount}, "welcome", nil)
	ok(t, err)
	now := t0.Add(time.Hour)
	want := org.Handshake{ID: h.ID, OrgID: o.ID, Management: mgmt, Action: org.ActionInvite, State: org.HandshakeOpen,
		Parties:   []org.Party{{ID: o.ID, Type: org.PartyOrganization}, {ID: mem, Type: org.PartyAccount}},
		Requested: now, Expires: now.Add(15 * 24 * time.Hour),
		Resources: []org.Resource{
			{Type: org.PartyOrganization, Value: o.ID, Resources: []org.Resource{
				{Type: org.ResourceMasterEmail, Value: o.ManagementEmail},
				{Type: org.ResourceMasterName, Value: o.ManagementName},
				{Type: org.ResourceFeatureSet, Value: org.FeatureSetAll},
			}},
			{Type: org.PartyAccount, Value: mem},
			{Type: org.ResourceNotes, Value: "welcome"},
		}}
	if !reflect.DeepEqual(h, want) {
		t.Fatalf("got  %+v\nwant %+v", h, want)
	}
	for _, c := range []string{mgmt, mem} {
		got, err := e.eng.DescribeHandshake(e.ctx, c, h.ID)
		ok(t, err)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s describes %+v", c, got)
		}
	}
	// Without notes there is no NOTES resource.
	h2 := e.invite(mgmt, stranger)
	if len(h2.Resources) != 2 {
		t.Fatalf("%+v", h2.Resources)
	}
	// The standalone invitee finds it.
	hs, next, err := e.eng.ListHandshakesForAccount(e.ctx, mem, org.HandshakeFilter{}, org.Page{})
	ok(t, err)
	if next != "" || len(hs) != 1 || !reflect.DeepEqual(hs[0], want) {
		t.Fatalf("%+v %q", hs, next)
	}
	// Accepting: in the root, INVITED, joined now.
	e.clock.Advance(time.Minute)
	acc, err := e.eng.AcceptHandshake(e.ctx, mem, h.ID)
	ok(t, err)
	want.State = org.HandshakeAccepted
	if !reflect.DeepEqual(acc, want) {
		t.Fatalf("accepted %+v", acc)
	}
	a, err := e.eng.DescribeAccount(e.ctx, mgmt, mem)
	ok(t, err)
	wantAcct := org.Account{ID: mem, Name: "account-" + mem, Email: "account-" + mem + "@localsec.invalid", OrgID: o.ID,
		Management: mgmt, JoinedMethod: org.JoinedInvited, Joined: now.Add(time.Minute), State: org.StateActive,
		Path: o.ID + "/" + o.RootID + "/" + mem + "/"}
	if a != wantAcct {
		t.Fatalf("got %+v\nwant %+v", a, wantAcct)
	}
	got, err := e.eng.DescribeOrganization(e.ctx, mem)
	ok(t, err)
	if got != o {
		t.Fatalf("%+v", got)
	}
}

// handshake actions as the party that may take them.
type hsAction struct {
	name  string
	state string
	do    func(e *env, id string) (org.Handshake, error)
}

func hsActions(recipient string) []hsAction {
	return []hsAction{
		{"accept", org.HandshakeAccepted, func(e *env, id string) (org.Handshake, error) {
			return e.eng.AcceptHandshake(e.ctx, recipient, id)
		}},
		{"decline", org.HandshakeDeclined, func(e *env, id string) (org.Handshake, error) {
			return e.eng.DeclineHandshake(e.ctx, recipient, id)
		}},
		{"cancel", org.HandshakeCanceled, func(e *env, id string) (org.Handshake, error) {
			return e.eng.CancelHandshake(e.ctx, mgmt, id)
		}},
	}
}

// TestHandshakeStateMachine: OPEN goes to ACCEPTED, DECLINED or CANCELED;
// the same action again is HandshakeAlreadyInState, another one
// InvalidHandshakeTransition (spec §7.1).
func TestHandshakeStateMachine(t *testing.T) {
	for _, first := range hsActions(mem) {
		for _, second := range hsActions(mem) {
			t.Run(first.name+"/"+second.name, func(t *testing.T) {
				e := newEnv(t)
				e.createOrg(mgmt)
				h := e.invite(mgmt, mem)
				got, err := first.do(e, h.ID)
				ok(t, err)
				if got.State != first.state {
					t.Fatalf("state %s, want %s", got.State, first.state)
				}
				d, err := e.eng.DescribeHandshake(e.ctx, mgmt, h.ID)
				ok(t, err)
				if d.State != first.state {
					t.Fatalf("described state %s", d.State)
				}
				want := org.CodeInvalidHandshakeState
				if first.name == second.name {
					want = org.CodeHandshakeAlreadyInState
				}
				e.refused(func() error {
					_, err := second.do(e, h.ID)
					return err
				}, want, "")
				// Only acceptance brings the account in.
				_, err = e.eng.DescribeOrganization(e.ctx, mem)
				if first.name == "accept" {
					ok(t, err)
				} else {
					wantErr(t, err, org.CodeNotInUse, "")
				}
			})
		}
	}
}

func TestHandshakeExpiry(t *testing.T) {
	e := newEnv(t)
	e.createOrg(mgmt)
	h := e.invite(mgmt, mem)
	e.clock.Advance(15*24*time.Hour - time.Millisecond)
	d, err := e.eng.DescribeHandshake(e.ctx, mem, h.ID)
	ok(t, err)
	if d.State != org.HandshakeOpen {
		t.Fatalf("state %s just before expiry", d.State)
	}
	// Still open: a second invitation is a duplicate.
	e.refused(func() error {
		_, err := e.eng.InviteAccountToOrganization(e.ctx, mgmt, org.Party{ID: mem, Type: org.PartyAccount}, "", nil)
		return err
	}, org.CodeDuplicateHandshake, "")
	e.clock.Advance(time.Millisecond)
	for _, c := range []string{mem, mgmt} {
		d, err = e.eng.DescribeHandshake(e.ctx, c, h.ID)
		ok(t, err)
		if d.State != org.HandshakeExpired {
			t.Fatalf("state %s after 15 days", d.State)
		}
	}
	hs, _, err := e.eng.ListHandshakesForAccount(e.ctx, mem, org.HandshakeFilter{}, org.Page{})
	ok(t, err)
	if len(hs) != 1 || hs[0].State != org.HandshakeExpired {
		t.Fatalf("%+v", hs)
	}
	hs, _, err = e.eng.ListHandshakesForOrganization(e.ctx, mgmt, org.HandshakeFilter{}, org.Page{})
	ok(t, err)
	if len(hs) != 1 || hs[0].State != org.HandshakeExpired {
		t.Fatalf("%+v", hs)
	}
	for _, a := range hsActions(mem) {
		e.refused(func() error {
			_, err := a.do(e, h.ID)
			return err
		}, org.CodeInvalidHandshakeState, "")
	}
	// An expired invitation is no duplicate: a new one may be sent and
	// accepted.
	h2 := e.invite(mgmt, mem)
	_, err = e.eng.AcceptHandshake(e.ctx, mem, h2.ID)
	ok(t, err)
}

// TestHandshakeVisibility: who may see and answer an invitation (spec
// §7.3–§7.5). Third parties get HandshakeNotFound, parties taking the
// other side's action AccessDenied.
func TestHandshakeVisibility(t *testing.T) {
	describe := func(w *world, c, id string) error { _, err := w.eng.DescribeHandshake(w.ctx, c, id); return err }
	accept := func(w *world, c, id string) error { _, err := w.eng.AcceptHandshake(w.ctx, c, id); return err }
	decline := func(w *world, c, id string) error { _, err := w.eng.DeclineHandshake(w.ctx, c, id); return err }
	cancel := func(w *world, c, id string) error { _, err := w.eng.CancelHandshake(w.ctx, c, id); return err }
	type call = func(w *world, c, id string) error
	for _, tc := range []struct {
		name   string
		caller string
		call   call
		code   org.Code // "" for success
	}{
		{"recipient describes", invitee, describe, ""},
		{"management describes", mgmt, describe, ""},
		{"delegated administrator describes", da, describe, ""},
		{"member describes", mem, describe, org.CodeHandshakeNotFound},
		{"stranger describes", stranger, describe, org.CodeHandshakeNotFound},
		{"other organization describes", mgmt2, describe, org.CodeHandshakeNotFound},
		{"other organization's member describes", other, describe, org.CodeHandshakeNotFound},
		{"stranger accepts", stranger, accept, org.CodeHandshakeNotFound},
		{"stranger declines", stranger, decline, org.CodeHandshakeNotFound},
		{"stranger cancels", stranger, cancel, org.CodeHandshakeNotFound},
		{"member accepts", mem, accept, org.CodeHandshakeNotFound},
		{"other organization cancels", mgmt2, cancel, org.CodeHandshakeNotFound},
		{"management accepts", mgmt, accept, org.CodeAccessDenied},
		{"management declines", mgmt, decline, org.CodeAccessDenied},
		{"delegated administrator cancels", da, cancel, org.CodeAccessDenied},
		{"recipient cancels", invitee, cancel, org.CodeAccessDenied},
		{"recipient declines", invitee, decline, ""},
		{"recipient accepts", invitee, accept, ""},
		{"management cancels", mgmt, cancel, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			if tc.code == "" {
				ok(t, tc.call(w, tc.caller, w.hs))
				return
			}
			w.refused(func() error { return tc.call(w, tc.caller, w.hs) }, tc.code, "")
		})
	}
	t.Run("unknown handshake", func(t *testing.T) {
		w := newWorld(t)
		for _, c := range []call{describe, accept, decline, cancel} {
			w.refused(func() error { return c(w, mgmt, "h-zzzzzzzzzz") }, org.CodeHandshakeNotFound, "")
		}
	})
}

// TestEmailInvitation: an invitation to an address is the account's that
// owns it.
func TestEmailInvitation(t *testing.T) {
	w := newWorld(t)
	email := "account-" + invitee + "@localsec.invalid"
	// invitee already has an open ACCOUNT invitation; the EMAIL one is a
	// distinct target.
	h, err := w.eng.InviteAccountToOrganization(w.ctx, mgmt, org.Party{ID: "Account-" + invitee + "@LocalSec.invalid", Type: org.PartyEmail}, "", nil)
	ok(t, err)
	if !slices.Equal(h.Parties, []org.Party{{ID: w.org.ID, Type: org.PartyOrganization}, {ID: "Account-" + invitee + "@LocalSec.invalid", Type: org.PartyEmail}}) {
		t.Fatalf("%+v", h.Parties)
	}
	if !reflect.DeepEqual(h.Resources[1], org.Resource{Type: org.PartyEmail, Value: "Account-" + invitee + "@LocalSec.invalid"}) {
		t.Fatalf("%+v", h.Resources)
	}
	// Duplicate whatever the case of the address.
	w.refused(func() error {
		_, err := w.eng.InviteAccountToOrganization(w.ctx, mgmt, org.Party{ID: email, Type: org.PartyEmail}, "", nil)
		return err
	}, org.CodeDuplicateHandshake, "")
	// The owner lists, describes and may accept it; others may not.
	hs, _, err := w.eng.ListHandshakesForAccount(w.ctx, invitee, org.HandshakeFilter{}, org.Page{})
	ok(t, err)
	if len(hs) != 2 || hs[0].ID != w.hs || hs[1].ID != h.ID {
		t.Fatalf("%+v", hs)
	}
	_, err = w.eng.DescribeHandshake(w.ctx, invitee, h.ID)
	ok(t, err)
	w.refused(func() error { _, err := w.eng.AcceptHandshake(w.ctx, stranger, h.ID); return err }, org.CodeHandshakeNotFound, "")
	_, err = w.eng.AcceptHandshake(w.ctx, invitee, h.ID)
	ok(t, err)
	if got := w.accountIDs(mgmt); !slices.Contains(got, invitee) {
		t.Fatalf("%v", got)
	}
	// The other invitation stays open and now fails on accept.
	w.refused(func() error { _, err := w.eng.AcceptHandshake(w.ctx, invitee, w.hs); return err },
		org.CodeHandshakeConstraint, org.ReasonAlreadyInOrganization)
	// An address no account has is refused.
	w.refused(func() error {
		_, err := w.eng.InviteAccountToOrganization(w.ctx, mgmt, org.Party{ID: "nobody@example.com", Type: org.PartyEmail}, "", nil)
		return err
	}, org.CodeInvalidInput, org.ReasonInvalidEmailAddressTarget)
	// The address of a member is already in an organization.
	w.refused(func() error {
		_, err := w.eng.InviteAccountToOrganization(w.ctx, mgmt2, org.Party{ID: "account-" + mem + "@localsec.invalid", Type: org.PartyEmail}, "", nil)
		return err
	}, org.CodeHandshakeConstraint, org.ReasonAlreadyInOrganization)
}

func TestInviteRefusals(t *testing.T) {
	invite := func(w *world, caller, id, typ string, tags []org.Tag) func() error {
		return func() error {
			_, err := w.eng.InviteAccountToOrganization(w.ctx, caller, org.Party{ID: id, Type: typ}, "", tags)
			return err
		}
	}
	for _, tc := range []struct {
		name   string
		call   func(w *world) func() error
		code   org.Code
		reason string
	}{
		{"organization target", func(w *world) func() error { return invite(w, mgmt, w.org2.ID, org.PartyOrganization, nil) },
			org.CodeInvalidInput, org.ReasonInvalidPartyTypeTarget},
		{"management account itself", func(w *world) func() error { return invite(w, mgmt, mgmt, org.PartyAccount, nil) },
			org.CodeHandshakeConstraint, org.ReasonAlreadyInOrganization},
		{"own member", func(w *world) func() error { return invite(w, mgmt, mem, org.PartyAccount, nil) },
			org.CodeHandshakeConstraint, org.ReasonAlreadyInOrganization},
		{"member of another organization", func(w *world) func() error { return invite(w, mgmt, other, org.PartyAccount, nil) },
			org.CodeHandshakeConstraint, org.ReasonAlreadyInOrganization},
		{"management account of another organization", func(w *world) func() error { return invite(w, mgmt, mgmt2, org.PartyAccount, nil) },
			org.CodeHandshakeConstraint, org.ReasonAlreadyInOrganization},
		{"duplicate", func(w *world) func() error { return invite(w, mgmt, invitee, org.PartyAccount, nil) },
			org.CodeDuplicateHandshake, ""},
		{"duplicate tag keys", func(w *world) func() error {
			return invite(w, mgmt, extra, org.PartyAccount, []org.Tag{{Key: "a"}, {Key: "a"}})
		}, org.CodeInvalidInput, org.ReasonDuplicateTagKey},
		{"system tags", func(w *world) func() error {
			return invite(w, mgmt, extra, org.PartyAccount, []org.Tag{{Key: "aws:x"}})
		}, org.CodeInvalidInput, org.ReasonInvalidSystemTags},
		{"too many tags", func(w *world) func() error {
			return invite(w, mgmt, extra, org.PartyAccount, tagList(51, "k"))
		}, org.CodeConstraintViolation, org.ReasonMaxTagLimit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.refused(tc.call(w), tc.code, tc.reason)
		})
	}
	// Another organization may invite an account that has an open
	// invitation elsewhere: duplicates are per organization.
	w := newWorld(t)
	ok(t, invite(w, mgmt2, invitee, org.PartyAccount, nil)())
	// After a decline, a new invitation may be sent.
	_, err := w.eng.DeclineHandshake(w.ctx, invitee, w.hs)
	ok(t, err)
	ok(t, invite(w, mgmt, invitee, org.PartyAccount, nil)())
}

// TestAcceptWhileInAnotherOrganization: an account invited by two
// organizations joins the first that it accepts.
func TestAcceptWhileInAnotherOrganization(t *testing.T) {
	w := newWorld(t)
	h2 := w.invite(mgmt2, invitee)
	_, err := w.eng.AcceptHandshake(w.ctx, invitee, h2.ID)
	ok(t, err)
	w.refused(func() error { _, err := w.eng.AcceptHandshake(w.ctx, invitee, w.hs); return err },
		org.CodeHandshakeConstraint, org.ReasonAlreadyInOrganization)
	// Declining it is still allowed.
	d, err := w.eng.DeclineHandshake(w.ctx, invitee, w.hs)
	ok(t, err)
	if d.State != org.HandshakeDeclined {
		t.Fatalf("%+v", d)
	}
	o, err := w.eng.DescribeOrganization(w.ctx, invitee)
	ok(t, err)
	if o.ID != w.org2.ID {
		t.Fatalf("%+v", o)
	}
}

func TestInvitationTagsOnAccept(t *testing.T) {
	w := newWorld(t)
	tags := []org.Tag{{Key: "team", Value: "sec"}, {Key: "env", Value: ""}}
	h := w.invite(mgmt, extra, tags...)
	// Not before acceptance: the account is not a member yet.
	_, _, err := w.eng.ListTagsForResource(w.ctx, mgmt, extra, org.Page{})
	wantErr(t, err, org.CodeTargetNotFound, "")
	_, err = w.eng.AcceptHandshake(w.ctx, extra, h.ID)
	ok(t, err)
	want := []org.Tag{{Key: "env", Value: ""}, {Key: "team", Value: "sec"}}
	if got := w.tags(mgmt, extra); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	// An invitation without tags leaves none.
	w.join(mgmt, stranger)
	if got := w.tags(mgmt, stranger); len(got) != 0 || got == nil {
		t.Fatalf("%#v", got)
	}
}

func TestHandshakeFilters(t *testing.T) {
	w := newWorld(t)
	w.invite(mgmt, extra)
	for _, tc := range []struct {
		name   string
		filter org.HandshakeFilter
		want   int // handshakes of the organization: 2 accepted, 2 open
	}{
		{"none", org.HandshakeFilter{}, 4},
		{"invite", org.HandshakeFilter{ActionType: org.ActionInvite}, 4},
		{"enable all features", org.HandshakeFilter{ActionType: "ENABLE_ALL_FEATURES"}, 0},
		{"parent handshake", org.HandshakeFilter{ParentHandshakeID: w.hs}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hs, _, err := w.eng.ListHandshakesForOrganization(w.ctx, mgmt, tc.filter, org.Page{})
			ok(t, err)
			if len(hs) != tc.want {
				t.Fatalf("%d handshakes, want %d", len(hs), tc.want)
			}
			hs, _, err = w.eng.ListHandshakesForAccount(w.ctx, invitee, tc.filter, org.Page{})
			ok(t, err)
			if n := min(tc.want, 1); len(hs) != n {
				t.Fatalf("account: %d handshakes, want %d", len(hs), n)
			}
		})
	}
	both := org.HandshakeFilter{ActionType: org.ActionInvite, ParentHandshakeID: w.hs}
	w.refused(func() error {
		_, _, err := w.eng.ListHandshakesForOrganization(w.ctx, mgmt, both, org.Page{})
		return err
	}, org.CodeInvalidInput, org.ReasonMaxFilterLimit)
	w.refused(func() error {
		_, _, err := w.eng.ListHandshakesForAccount(w.ctx, invitee, both, org.Page{})
		return err
	}, org.CodeInvalidInput, org.ReasonMaxFilterLimit)
}

func TestListHandshakesForAccount(t *testing.T) {
	w := newWorld(t)
	// A standalone account never seen lists nothing, without error.
	hs, next, err := w.eng.ListHandshakesForAccount(w.ctx, stranger, org.HandshakeFilter{}, org.Page{})
	ok(t, err)
	if len(hs) != 0 || next != "" {
		t.Fatalf("%+v", hs)
	}
	// A member lists the invitation it accepted, a delegated administrator
	// too.
	for _, c := range []string{mem, da} {
		hs, _, err = w.eng.ListHandshakesForAccount(w.ctx, c, org.HandshakeFilter{}, org.Page{})
		ok(t, err)
		if len(hs) != 1 || hs[0].State != org.HandshakeAccepted || hs[0].Parties[1].ID != c {
			t.Fatalf("%s: %+v", c, hs)
		}
	}
	// The management account received none.
	hs, _, err = w.eng.ListHandshakesForAccount(w.ctx, mgmt, org.HandshakeFilter{}, org.Page{})
	ok(t, err)
	if len(hs) != 0 {
		t.Fatalf("%+v", hs)
	}
	// The standalone invitee sees its invitations from both
	// organizations; each organization sees only its own.
	h2 := w.invite(mgmt2, invitee)
	hs, _, err = w.eng.ListHandshakesForAccount(w.ctx, invitee, org.HandshakeFilter{}, org.Page{})
	ok(t, err)
	if len(hs) != 2 || hs[0].ID != w.hs || hs[1].ID != h2.ID || hs[1].OrgID != w.org2.ID {
		t.Fatalf("%+v", hs)
	}
	for _, c := range []struct {
		mgmt, org string
		has       bool
	}{{mgmt, w.org.ID, false}, {mgmt2, w.org2.ID, true}} {
		hs, _, err = w.eng.ListHandshakesForOrganization(w.ctx, c.mgmt, org.HandshakeFilter{}, org.Page{})
		ok(t, err)
		var ids []string
		for _, h := range hs {
			if h.OrgID != c.org {
				t.Fatalf("%s lists a handshake of %s", c.org, h.OrgID)
			}
			ids = append(ids, h.ID)
		}
		if slices.Contains(ids, h2.ID) != c.has {
			t.Fatalf("%s lists %v", c.org, ids)
		}
	}
}

// TestAccountQuota: open invitations count toward the quota (spec §7.1,
// §12).
func TestAccountQuota(t *testing.T) {
	e := newEnv(t, org.WithAccountQuota(2))
	e.createOrg(mgmt)
	h := e.invite(mgmt, mem) // management + one open invitation = 2
	inviteStranger := func() error {
		_, err := e.eng.InviteAccountToOrganization(e.ctx, mgmt, org.Party{ID: stranger, Type: org.PartyAccount}, "", nil)
		return err
	}
	e.refused(inviteStranger, org.CodeHandshakeConstraint, org.ReasonAccountNumberLimit)
	// CreateAccount is not refused: it FAILS.
	st, err := e.eng.CreateAccount(e.ctx, mgmt, org.NewAccount{Name: "n", Email: "n@example.com"})
	ok(t, err)
	if st.State != org.CreateInProgress {
		t.Fatalf("%+v", st)
	}
	e.rec.take()
	s, err := e.eng.DescribeCreateAccountStatus(e.ctx, mgmt, st.ID)
	ok(t, err)
	if s.State != org.CreateFailed || s.FailureReason != org.FailureAccountLimitExceeded || s.AccountID != "" {
		t.Fatalf("%+v", s)
	}
	if ev := e.rec.take(); len(ev) != 0 {
		t.Fatalf("events %+v", ev)
	}
	if got := e.accountIDs(mgmt); !slices.Equal(got, []string{mgmt}) {
		t.Fatalf("%v", got)
	}
	// Canceling frees the place.
	_, err = e.eng.CancelHandshake(e.ctx, mgmt, h.ID)
	ok(t, err)
	ok(t, inviteStranger())
	// Accepting keeps it taken.
	hs, _, err := e.eng.ListHandshakesForAccount(e.ctx, stranger, org.HandshakeFilter{}, org.Page{})
	ok(t, err)
	_, err = e.eng.AcceptHandshake(e.ctx, stranger, hs[0].ID)
	ok(t, err)
	e.refused(func() error {
		_, err := e.eng.InviteAccountToOrganization(e.ctx, mgmt, org.Party{ID: mem, Type: org.PartyAccount}, "", nil)
		return err
	}, org.CodeHandshakeConstraint, org.ReasonAccountNumberLimit)
	// An expired invitation frees its place: remove the member, invite,
	// let it expire.
	ok(t, e.eng.RemoveAccountFromOrganization(e.ctx, mgmt, stranger))
	e.invite(mgmt, mem)
	e.clock.Advance(15 * 24 * time.Hour)
	_, sid := e.createAccount(mgmt, "fits")
	if sid == "" {
		t.Fatal("no account")
	}
}
