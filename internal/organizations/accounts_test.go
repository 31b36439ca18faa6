package organizations_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	org "github.com/localsec/localsec/internal/organizations"
)

func TestCreateAccount(t *testing.T) {
	e := newEnv(t)
	o := e.createOrg(mgmt)
	e.rec.take()
	e.clock.Advance(time.Second)
	now := t0.Add(time.Second)
	tags := []org.Tag{{Key: "b", Value: "2"}, {Key: "a", Value: "1"}}
	st, err := e.eng.CreateAccount(e.ctx, mgmt, org.NewAccount{Name: "Prod", Email: "prod@example.com", Tags: tags})
	ok(t, err)
	if !reCAR.MatchString(st.ID) {
		t.Fatalf("request id %q", st.ID)
	}
	want := org.CreateAccountStatus{ID: st.ID, AccountName: "Prod", State: org.CreateInProgress, Requested: now}
	if st != want {
		t.Fatalf("got %+v, want %+v", st, want)
	}
	// The account exists at once: the listener heard it join.
	ev := e.rec.take()
	if len(ev) != 1 || ev[0].Kind != "joined" || ev[0].Org != o.ID || !reAccount.MatchString(ev[0].Account) {
		t.Fatalf("events %+v", ev)
	}
	id := ev[0].Account
	// The create answered IN_PROGRESS; every read from the first on says
	// SUCCEEDED with the account (spec §6.4).
	e.clock.Advance(time.Second)
	want.State, want.AccountID, want.Completed = org.CreateSucceeded, id, now
	for read := range 2 {
		s, err := e.eng.DescribeCreateAccountStatus(e.ctx, mgmt, st.ID)
		ok(t, err)
		if s != want {
			t.Fatalf("read %d: %+v, want %+v", read, s, want)
		}
	}
	if id == mgmt || !reAccount.MatchString(id) {
		t.Fatalf("account id %q", id)
	}
	a, err := e.eng.DescribeAccount(e.ctx, mgmt, id)
	ok(t, err)
	wantAcct := org.Account{ID: id, Name: "Prod", Email: "prod@example.com", OrgID: o.ID, Management: mgmt,
		JoinedMethod: org.JoinedCreated, Joined: now, State: org.StateActive, Path: o.ID + "/" + o.RootID + "/" + id + "/"}
	if a != wantAcct {
		t.Fatalf("got %+v\nwant %+v", a, wantAcct)
	}
	if got := e.tags(mgmt, id); !reflect.DeepEqual(got, []org.Tag{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}}) {
		t.Fatalf("tags %+v", got)
	}
	// The new account is a member: it reads its organization, cannot list.
	got, err := e.eng.DescribeOrganization(e.ctx, id)
	ok(t, err)
	if got != o {
		t.Fatalf("%+v", got)
	}
	_, _, err = e.eng.ListAccounts(e.ctx, id, org.Page{})
	wantErr(t, err, org.CodeAccessDenied, "")

	// The same address again (any case) FAILS, with no account and no
	// event.
	st2, err := e.eng.CreateAccount(e.ctx, mgmt, org.NewAccount{Name: "Again", Email: "PROD@example.com"})
	ok(t, err)
	if st2.State != org.CreateInProgress {
		t.Fatalf("%+v", st2)
	}
	if ev := e.rec.take(); len(ev) != 0 {
		t.Fatalf("events %+v", ev)
	}
	for range 2 {
		s, err := e.eng.DescribeCreateAccountStatus(e.ctx, mgmt, st2.ID)
		ok(t, err)
		later := now.Add(time.Second)
		want2 := org.CreateAccountStatus{ID: st2.ID, AccountName: "Again", State: org.CreateFailed, Requested: later,
			Completed: later, FailureReason: org.FailureEmailAlreadyExists}
		if s != want2 {
			t.Fatalf("got %+v, want %+v", s, want2)
		}
	}
	// The synthetic address of a known account is taken too.
	st3, err := e.eng.CreateAccount(e.ctx, mgmt, org.NewAccount{Name: "M", Email: "account-" + mgmt + "@localsec.invalid"})
	ok(t, err)
	s, err := e.eng.DescribeCreateAccountStatus(e.ctx, mgmt, st3.ID)
	ok(t, err)
	if s.State != org.CreateFailed || s.FailureReason != org.FailureEmailAlreadyExists {
		t.Fatalf("%+v", s)
	}
	if got := e.accountIDs(mgmt); len(got) != 2 {
		t.Fatalf("%v", got)
	}
}

func TestCreateAccountRefusals(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     org.NewAccount
		code   org.Code
		reason string
	}{
		{"service role name", org.NewAccount{Name: "x", Email: "x@example.com", RoleName: "AWSServiceRoleForSupport"},
			org.CodeInvalidInput, org.ReasonInvalidRoleName},
		{"duplicate tag keys", org.NewAccount{Name: "x", Email: "x@example.com", Tags: []org.Tag{{Key: "k"}, {Key: "k"}}},
			org.CodeInvalidInput, org.ReasonDuplicateTagKey},
		{"system tag", org.NewAccount{Name: "x", Email: "x@example.com", Tags: []org.Tag{{Key: "AWS:k"}}},
			org.CodeInvalidInput, org.ReasonInvalidSystemTags},
		{"51 tags", org.NewAccount{Name: "x", Email: "x@example.com", Tags: tagList(51, "k")},
			org.CodeConstraintViolation, org.ReasonMaxTagLimit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.refused(func() error {
				_, err := w.eng.CreateAccount(w.ctx, mgmt, tc.in)
				return err
			}, tc.code, tc.reason)
		})
	}
	// A custom role name is fine; 50 tags too.
	w := newWorld(t)
	_, err := w.eng.CreateAccount(w.ctx, mgmt, org.NewAccount{Name: "x", Email: "x@example.com", RoleName: "Admin", Tags: tagList(50, "k")})
	ok(t, err)
}

func TestDescribeCreateAccountStatusNotFound(t *testing.T) {
	w := newWorld(t)
	w.refused(func() error {
		_, err := w.eng.DescribeCreateAccountStatus(w.ctx, mgmt, "car-00000000000000000000000000000099")
		return err
	}, org.CodeCreateAccountNotFound, "")
	// A request of another organization is not found either.
	w.refused(func() error {
		_, err := w.eng.DescribeCreateAccountStatus(w.ctx, mgmt2, w.car)
		return err
	}, org.CodeCreateAccountNotFound, "")
}

func TestListCreateAccountStatus(t *testing.T) {
	e := newEnv(t)
	e.createOrg(mgmt)
	var succeeded, failed []string
	for _, n := range []string{"a", "b", "c"} {
		id, _ := e.createAccount(mgmt, n)
		succeeded = append(succeeded, id)
	}
	for range 2 {
		st, err := e.eng.CreateAccount(e.ctx, mgmt, org.NewAccount{Name: "dup", Email: "a@example.com"})
		ok(t, err)
		failed = append(failed, st.ID)
	}
	// Never read: lists show the outcome all the same.
	unread, err := e.eng.CreateAccount(e.ctx, mgmt, org.NewAccount{Name: "p", Email: "p@example.com"})
	ok(t, err)
	succeeded = append(succeeded, unread.ID)
	all := slices.Concat(succeeded, failed)
	slices.Sort(all)
	for _, tc := range []struct {
		name   string
		states []string
		want   []string
	}{
		{"all", nil, all},
		{"succeeded", []string{org.CreateSucceeded}, succeeded},
		{"failed", []string{org.CreateFailed}, failed},
		{"in progress", []string{org.CreateInProgress}, nil},
		{"succeeded or failed", []string{org.CreateSucceeded, org.CreateFailed}, sorted(slices.Concat(succeeded, failed))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, limit := range []int{1, 2, 3, 20} {
				got := walk(t, limit, func(p org.Page) ([]org.CreateAccountStatus, string, error) {
					return e.eng.ListCreateAccountStatus(e.ctx, mgmt, tc.states, p)
				})
				var ids []string
				for _, s := range got {
					ids = append(ids, s.ID)
					if len(tc.states) > 0 && !slices.Contains(tc.states, s.State) {
						t.Fatalf("state %s listed for filter %v", s.State, tc.states)
					}
				}
				if !slices.Equal(ids, sorted(tc.want)) {
					t.Fatalf("limit %d: got %v, want %v", limit, ids, sorted(tc.want))
				}
			}
		})
	}
	// A delegated administrator may list.
	e.join(mgmt, da)
	ok(t, e.eng.RegisterDelegatedAdministrator(e.ctx, mgmt, da, config))
	got, _, err := e.eng.ListCreateAccountStatus(e.ctx, da, nil, org.Page{})
	ok(t, err)
	if len(got) != len(all) {
		t.Fatalf("%d", len(got))
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestMoveAccountAndPaths(t *testing.T) {
	w := newWorld(t)
	o, root := w.org, w.org.RootID
	ou1 := w.ou
	ou2 := w.createOU(mgmt, ou1, "Inner").ID
	path := func(acct string) string {
		a, err := w.eng.DescribeAccount(w.ctx, mgmt, acct)
		ok(t, err)
		return a.Path
	}
	parents := func(child string) []org.Child {
		ps, next, err := w.eng.ListParents(w.ctx, da, child, org.Page{})
		ok(t, err)
		if next != "" {
			t.Fatalf("ListParents token %q", next)
		}
		return ps
	}
	if p := path(mem); p != o.ID+"/"+root+"/"+mem+"/" {
		t.Fatalf("%s", p)
	}
	ok(t, w.eng.MoveAccount(w.ctx, mgmt, mem, root, ou1))
	if p := path(mem); p != o.ID+"/"+root+"/"+ou1+"/"+mem+"/" {
		t.Fatalf("%s", p)
	}
	if ps := parents(mem); !slices.Equal(ps, []org.Child{{ID: ou1, Type: org.TypeOU}}) {
		t.Fatalf("%+v", ps)
	}
	ok(t, w.eng.MoveAccount(w.ctx, mgmt, mem, ou1, ou2))
	if p := path(mem); p != o.ID+"/"+root+"/"+ou1+"/"+ou2+"/"+mem+"/" {
		t.Fatalf("%s", p)
	}
	ou, err := w.eng.DescribeOrganizationalUnit(w.ctx, mgmt, ou2)
	ok(t, err)
	if ou.Path != o.ID+"/"+root+"/"+ou1+"/"+ou2+"/" || ou.Name != "Inner" {
		t.Fatalf("%+v", ou)
	}
	if ps := parents(ou2); !slices.Equal(ps, []org.Child{{ID: ou1, Type: org.TypeOU}}) {
		t.Fatalf("%+v", ps)
	}
	if ps := parents(ou1); !slices.Equal(ps, []org.Child{{ID: root, Type: org.TypeRoot}}) {
		t.Fatalf("%+v", ps)
	}
	// The listings follow.
	inOU := func(parent string) []string {
		accts, _, err := w.eng.ListAccountsForParent(w.ctx, mgmt, parent, org.Page{})
		ok(t, err)
		var ids []string
		for _, a := range accts {
			ids = append(ids, a.ID)
		}
		return ids
	}
	if got := inOU(ou2); !slices.Equal(got, []string{mem}) {
		t.Fatalf("%v", got)
	}
	if got := inOU(ou1); len(got) != 0 {
		t.Fatalf("%v", got)
	}
	if got := inOU(root); !slices.Equal(got, sorted([]string{mgmt, da, w.created})) {
		t.Fatalf("%v", got)
	}
	ok(t, w.eng.MoveAccount(w.ctx, mgmt, mem, ou2, root))
	if p := path(mem); p != o.ID+"/"+root+"/"+mem+"/" {
		t.Fatalf("%s", p)
	}
	// The management account moves like any other.
	ok(t, w.eng.MoveAccount(w.ctx, mgmt, mgmt, root, ou2))
	if p := path(mgmt); p != o.ID+"/"+root+"/"+ou1+"/"+ou2+"/"+mgmt+"/" {
		t.Fatalf("%s", p)
	}
}

func TestMoveAccountRefusals(t *testing.T) {
	w := newWorld(t)
	root, ou := w.org.RootID, w.ou
	ou2 := w.createOU(mgmt, root, "Second").ID
	otherOU := w.createOU(mgmt2, w.org2.RootID, "Theirs").ID
	ok(t, w.eng.MoveAccount(w.ctx, mgmt, da, root, ou))
	move := func(acct, src, dst string) func() error {
		return func() error { return w.eng.MoveAccount(w.ctx, mgmt, acct, src, dst) }
	}
	for _, tc := range []struct {
		name string
		call func() error
		code org.Code
	}{
		{"unknown source", move(mem, "ou-zzzz-zzzzzzzz", ou), org.CodeSourceParentNotFound},
		{"source of another organization", move(mem, w.org2.RootID, ou), org.CodeSourceParentNotFound},
		{"unknown destination", move(mem, root, "ou-zzzz-zzzzzzzz"), org.CodeDestinationParentNotFound},
		{"destination root of another organization", move(mem, root, w.org2.RootID), org.CodeDestinationParentNotFound},
		{"destination OU of another organization", move(mem, root, otherOU), org.CodeDestinationParentNotFound},
		{"already there", move(mem, root, root), org.CodeDuplicateAccount},
		{"already there (OU)", move(da, ou, ou), org.CodeDuplicateAccount},
		{"wrong source", move(mem, ou, ou2), org.CodeAccountNotFound},
		{"wrong source to its own parent", move(da, root, ou), org.CodeAccountNotFound},
		{"not a member", move(stranger, root, ou), org.CodeAccountNotFound},
		{"member of another organization", move(other, root, ou), org.CodeAccountNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) { w.refused(tc.call, tc.code, "") })
	}
}

func TestListParentsAndChildren(t *testing.T) {
	w := newWorld(t)
	root := w.org.RootID
	inner := w.createOU(mgmt, w.ou, "Inner").ID
	ok(t, w.eng.MoveAccount(w.ctx, mgmt, mem, root, inner))
	for _, tc := range []struct {
		child string
		want  org.Child
	}{
		{mgmt, org.Child{ID: root, Type: org.TypeRoot}},
		{da, org.Child{ID: root, Type: org.TypeRoot}},
		{mem, org.Child{ID: inner, Type: org.TypeOU}},
		{w.ou, org.Child{ID: root, Type: org.TypeRoot}},
		{inner, org.Child{ID: w.ou, Type: org.TypeOU}},
	} {
		ps, _, err := w.eng.ListParents(w.ctx, mgmt, tc.child, org.Page{})
		ok(t, err)
		if !slices.Equal(ps, []org.Child{tc.want}) {
			t.Fatalf("%s: %+v", tc.child, ps)
		}
	}
	for _, child := range []string{stranger, other, mgmt2, invitee, root, w.org2.RootID, "ou-zzzz-zzzzzzzz",
		w.createOU(mgmt2, w.org2.RootID, "X").ID} {
		w.refused(func() error {
			_, _, err := w.eng.ListParents(w.ctx, mgmt, child, org.Page{})
			return err
		}, org.CodeChildNotFound, "")
	}
	children := func(parent, typ string) []org.Child {
		cs, _, err := w.eng.ListChildren(w.ctx, da, parent, typ, org.Page{})
		ok(t, err)
		return cs
	}
	acc := func(ids ...string) []org.Child {
		var out []org.Child
		for _, id := range sorted(ids) {
			out = append(out, org.Child{ID: id, Type: org.TypeAccount})
		}
		return out
	}
	if got := children(root, org.TypeAccount); !slices.Equal(got, acc(mgmt, da, w.created)) {
		t.Fatalf("%+v", got)
	}
	if got := children(root, org.TypeOU); !slices.Equal(got, []org.Child{{ID: w.ou, Type: org.TypeOU}}) {
		t.Fatalf("%+v", got)
	}
	if got := children(w.ou, org.TypeOU); !slices.Equal(got, []org.Child{{ID: inner, Type: org.TypeOU}}) {
		t.Fatalf("%+v", got)
	}
	if got := children(w.ou, org.TypeAccount); len(got) != 0 {
		t.Fatalf("%+v", got)
	}
	if got := children(inner, org.TypeAccount); !slices.Equal(got, acc(mem)) {
		t.Fatalf("%+v", got)
	}
	if got := children(inner, org.TypeOU); len(got) != 0 {
		t.Fatalf("%+v", got)
	}
	for _, parent := range []string{"r-zzzz", w.org2.RootID, "ou-zzzz-zzzzzzzz", mem} {
		for _, typ := range []string{org.TypeAccount, org.TypeOU} {
			w.refused(func() error {
				_, _, err := w.eng.ListChildren(w.ctx, mgmt, parent, typ, org.Page{})
				return err
			}, org.CodeParentNotFound, "")
		}
		w.refused(func() error {
			_, _, err := w.eng.ListAccountsForParent(w.ctx, mgmt, parent, org.Page{})
			return err
		}, org.CodeParentNotFound, "")
		w.refused(func() error {
			_, _, err := w.eng.ListOrganizationalUnitsForParent(w.ctx, mgmt, parent, org.Page{})
			return err
		}, org.CodeParentNotFound, "")
	}
}

func TestDescribeAccount(t *testing.T) {
	w := newWorld(t)
	for _, a := range []string{mgmt, da, mem, w.created} {
		got, err := w.eng.DescribeAccount(w.ctx, da, a)
		ok(t, err)
		if got.ID != a || got.OrgID != w.org.ID || got.Management != mgmt || got.State != org.StateActive {
			t.Fatalf("%+v", got)
		}
	}
	for _, a := range []string{stranger, invitee, other, mgmt2, "000000000000"} {
		w.refused(func() error { _, err := w.eng.DescribeAccount(w.ctx, mgmt, a); return err }, org.CodeAccountNotFound, "")
	}
	// ListAccounts: every account, the management account included, by id.
	accts, _, err := w.eng.ListAccounts(w.ctx, da, org.Page{})
	ok(t, err)
	var ids []string
	methods := map[string]string{}
	for _, a := range accts {
		ids = append(ids, a.ID)
		methods[a.ID] = a.JoinedMethod
	}
	if !slices.Equal(ids, sorted([]string{mgmt, da, mem, w.created})) {
		t.Fatalf("%v", ids)
	}
	wantMethods := map[string]string{mgmt: org.JoinedInvited, da: org.JoinedInvited, mem: org.JoinedInvited, w.created: org.JoinedCreated}
	if !reflect.DeepEqual(methods, wantMethods) {
		t.Fatalf("%v", methods)
	}
}

func TestCloseAccount(t *testing.T) {
	w := newWorld(t)
	ok(t, w.eng.CloseAccount(w.ctx, mgmt, mem))
	a, err := w.eng.DescribeAccount(w.ctx, mgmt, mem)
	ok(t, err)
	if a.State != org.StateClosed {
		t.Fatalf("%+v", a)
	}
	// Still listed.
	if got := w.accountIDs(mgmt); !slices.Contains(got, mem) {
		t.Fatalf("%v", got)
	}
	w.refused(func() error { return w.eng.CloseAccount(w.ctx, mgmt, mem) }, org.CodeAccountAlreadyClosed, "")
	w.refused(func() error { return w.eng.CloseAccount(w.ctx, mgmt, mgmt) }, org.CodeConstraintViolation, "CANNOT_CLOSE_MANAGEMENT_ACCOUNT")
	for _, a := range []string{stranger, other} {
		w.refused(func() error { return w.eng.CloseAccount(w.ctx, mgmt, a) }, org.CodeAccountNotFound, "")
	}
	// A closed account cannot become a delegated administrator.
	w.refused(func() error { return w.eng.RegisterDelegatedAdministrator(w.ctx, mgmt, mem, macie) },
		org.CodeConstraintViolation, "CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR")
	// And the In view does not count it in.
	err = w.store.View(w.ctx, func(tx storeTx) error {
		in := w.eng.In(w.ctx, tx)
		if got, err := in.Contains(w.org, mem); err != nil || got {
			t.Errorf("closed account contained: %v %v", got, err)
		}
		return nil
	})
	ok(t, err)
}

func TestRemoveAndLeave(t *testing.T) {
	for _, how := range []string{"remove", "leave"} {
		t.Run(how, func(t *testing.T) {
			w := newWorld(t)
			out := func(acct string) error {
				if how == "remove" {
					return w.eng.RemoveAccountFromOrganization(w.ctx, mgmt, acct)
				}
				return w.eng.LeaveOrganization(w.ctx, acct)
			}
			// Tag it and put it in an OU first.
			ok(t, w.eng.TagResource(w.ctx, mgmt, mem, []org.Tag{{Key: "k", Value: "v"}}))
			ok(t, w.eng.MoveAccount(w.ctx, mgmt, mem, w.org.RootID, w.ou))
			w.refused(func() error { return out(da) }, org.CodeConstraintViolation, org.ReasonCannotRemoveDelegatedAdmin)
			ok(t, out(mem))
			if ev := w.rec.take(); !reflect.DeepEqual(ev, []event{{Kind: "left", Org: w.org.ID, Account: mem}}) {
				t.Fatalf("events %+v", ev)
			}
			// Standalone: no organization, no place, no tags.
			_, err := w.eng.DescribeOrganization(w.ctx, mem)
			wantErr(t, err, org.CodeNotInUse, "")
			if got := w.accountIDs(mgmt); slices.Contains(got, mem) {
				t.Fatalf("%v", got)
			}
			accts, _, err := w.eng.ListAccountsForParent(w.ctx, mgmt, w.ou, org.Page{})
			ok(t, err)
			if len(accts) != 0 {
				t.Fatalf("%+v", accts)
			}
			_, err = w.eng.DescribeAccount(w.ctx, mgmt, mem)
			wantErr(t, err, org.CodeAccountNotFound, "")
			_, _, err = w.eng.ListTagsForResource(w.ctx, mgmt, mem, org.Page{})
			wantErr(t, err, org.CodeTargetNotFound, "")
			if n := len(w.records("organizations.tags")); n != 0 {
				for _, r := range w.records("organizations.tags") {
					t.Errorf("tags left: %s %s", r.Key, r.Value)
				}
			}
			// Its past invitation is still visible to it.
			hs, _, err := w.eng.ListHandshakesForAccount(w.ctx, mem, org.HandshakeFilter{}, org.Page{})
			ok(t, err)
			if len(hs) != 1 || hs[0].State != org.HandshakeAccepted {
				t.Fatalf("%+v", hs)
			}
			// It may join another organization, with new tags.
			h := w.invite(mgmt2, mem, org.Tag{Key: "new", Value: "1"})
			_, err = w.eng.AcceptHandshake(w.ctx, mem, h.ID)
			ok(t, err)
			if got := w.tags(mgmt2, mem); !reflect.DeepEqual(got, []org.Tag{{Key: "new", Value: "1"}}) {
				t.Fatalf("%+v", got)
			}
			a, err := w.eng.DescribeAccount(w.ctx, mgmt2, mem)
			ok(t, err)
			if a.OrgID != w.org2.ID || a.Path != w.org2.ID+"/"+w.org2.RootID+"/"+mem+"/" || a.JoinedMethod != org.JoinedInvited {
				t.Fatalf("%+v", a)
			}
		})
	}
}

func TestRemoveRefusals(t *testing.T) {
	w := newWorld(t)
	remove := func(acct string) func() error {
		return func() error { return w.eng.RemoveAccountFromOrganization(w.ctx, mgmt, acct) }
	}
	w.refused(remove(mgmt), org.CodeMasterCannotLeave, "")
	w.refused(remove(stranger), org.CodeAccountNotFound, "")
	w.refused(remove(invitee), org.CodeAccountNotFound, "")
	w.refused(remove(other), org.CodeAccountNotFound, "")
	w.refused(remove(mgmt2), org.CodeAccountNotFound, "")
	w.refused(remove(da), org.CodeConstraintViolation, org.ReasonCannotRemoveDelegatedAdmin)
	// A created account may leave at once (the wait period is not enforced).
	ok(t, w.eng.LeaveOrganization(w.ctx, w.created))
	w.refused(func() error { return w.eng.LeaveOrganization(w.ctx, w.created) }, org.CodeNotInUse, "")
	w.refused(remove(w.created), org.CodeAccountNotFound, "")
}
