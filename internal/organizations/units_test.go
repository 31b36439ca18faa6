package organizations_test

import (
	"reflect"
	"slices"
	"testing"

	org "github.com/localsec/localsec/internal/organizations"
)

func TestCreateOrganizationalUnit(t *testing.T) {
	w := newWorld(t)
	root := w.org.RootID
	ou, err := w.eng.CreateOrganizationalUnit(w.ctx, mgmt, root, "Security", []org.Tag{{Key: "z", Value: "1"}, {Key: "a", Value: "2"}})
	ok(t, err)
	want := org.OrganizationalUnit{ID: ou.ID, OrgID: w.org.ID, Management: mgmt, Name: "Security", Path: w.org.ID + "/" + root + "/" + ou.ID + "/"}
	if ou != want || !reOU.MatchString(ou.ID) {
		t.Fatalf("got %+v, want %+v", ou, want)
	}
	got, err := w.eng.DescribeOrganizationalUnit(w.ctx, da, ou.ID)
	ok(t, err)
	if got != want {
		t.Fatalf("%+v", got)
	}
	if tags := w.tags(mgmt, ou.ID); !reflect.DeepEqual(tags, []org.Tag{{Key: "a", Value: "2"}, {Key: "z", Value: "1"}}) {
		t.Fatalf("%+v", tags)
	}
	// Names are unique per parent only.
	w.createOU(mgmt, w.ou, "Security")
	w.createOU(mgmt2, w.org2.RootID, "Security")
	w.refused(func() error {
		_, err := w.eng.CreateOrganizationalUnit(w.ctx, mgmt, root, "Security", nil)
		return err
	}, org.CodeDuplicateOU, "")
	w.refused(func() error {
		_, err := w.eng.CreateOrganizationalUnit(w.ctx, mgmt, w.ou, "Security", nil)
		return err
	}, org.CodeDuplicateOU, "")
	// Case matters.
	w.createOU(mgmt, root, "security")
	for _, parent := range []string{"ou-zzzz-zzzzzzzz", "r-zzzz", w.org2.RootID, mem} {
		w.refused(func() error {
			_, err := w.eng.CreateOrganizationalUnit(w.ctx, mgmt, parent, "X", nil)
			return err
		}, org.CodeParentNotFound, "")
	}
	for _, tc := range []struct {
		tags   []org.Tag
		code   org.Code
		reason string
	}{
		{[]org.Tag{{Key: "k"}, {Key: "k"}}, org.CodeInvalidInput, org.ReasonDuplicateTagKey},
		{[]org.Tag{{Key: "aws:k"}}, org.CodeInvalidInput, org.ReasonInvalidSystemTags},
		{tagList(51, "t"), org.CodeConstraintViolation, org.ReasonMaxTagLimit},
	} {
		w.refused(func() error {
			_, err := w.eng.CreateOrganizationalUnit(w.ctx, mgmt, root, "Tagged", tc.tags)
			return err
		}, tc.code, tc.reason)
	}
}

func TestOUDepthLimit(t *testing.T) {
	w := newWorld(t)
	parent := w.org.RootID
	path := w.org.ID + "/" + parent + "/"
	for depth := 1; depth <= 5; depth++ {
		ou := w.createOU(mgmt, parent, "Level")
		path += ou.ID + "/"
		if ou.Path != path {
			t.Fatalf("depth %d: path %q, want %q", depth, ou.Path, path)
		}
		parent = ou.ID
	}
	w.refused(func() error {
		_, err := w.eng.CreateOrganizationalUnit(w.ctx, mgmt, parent, "Sixth", nil)
		return err
	}, org.CodeConstraintViolation, org.ReasonOUDepthLimit)
	// An account may live at the deepest level.
	ok(t, w.eng.MoveAccount(w.ctx, mgmt, mem, w.org.RootID, parent))
	a, err := w.eng.DescribeAccount(w.ctx, mgmt, mem)
	ok(t, err)
	if a.Path != path+mem+"/" {
		t.Fatalf("%q", a.Path)
	}
}

func TestOUNumberLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("creates 1000 OUs")
	}
	e := newEnv(t)
	o := e.createOrg(mgmt)
	// Spread over parents, so that the per-parent name check stays cheap.
	var parents []string
	for i := range 40 {
		parents = append(parents, e.createOU(mgmt, o.RootID, "P"+string(rune('A'+i/26))+string(rune('a'+i%26))).ID)
	}
	for i := 40; i < org.MaxOUs; i++ {
		e.createOU(mgmt, parents[i%40], "C"+itoa(i))
	}
	e.refused(func() error {
		_, err := e.eng.CreateOrganizationalUnit(e.ctx, mgmt, o.RootID, "TooMany", nil)
		return err
	}, org.CodeConstraintViolation, org.ReasonOUNumberLimit)
	// Deleting one frees a place.
	ok(t, e.eng.DeleteOrganizationalUnit(e.ctx, mgmt, lastOU(t, e, parents[0])))
	e.createOU(mgmt, o.RootID, "Fits")
}

func itoa(i int) string {
	return string([]byte{byte('0' + i/1000%10), byte('0' + i/100%10), byte('0' + i/10%10), byte('0' + i%10)})
}

func lastOU(t *testing.T, e *env, parent string) string {
	t.Helper()
	ous, _, err := e.eng.ListOrganizationalUnitsForParent(e.ctx, mgmt, parent, org.Page{Limit: 1000})
	ok(t, err)
	return ous[len(ous)-1].ID
}

func TestUpdateOrganizationalUnit(t *testing.T) {
	w := newWorld(t)
	root := w.org.RootID
	a := w.createOU(mgmt, root, "A")
	w.createOU(mgmt, root, "B")
	nested := w.createOU(mgmt, a.ID, "B") // same name, another parent
	rename := func(caller, id, name string) func() error {
		return func() error { _, err := w.eng.UpdateOrganizationalUnit(w.ctx, caller, id, name); return err }
	}
	w.refused(rename(mgmt, a.ID, "B"), org.CodeDuplicateOU, "")
	w.refused(rename(mgmt, "ou-zzzz-zzzzzzzz", "C"), org.CodeOUNotFound, "")
	theirs := w.createOU(mgmt2, w.org2.RootID, "Theirs")
	w.refused(rename(mgmt, theirs.ID, "C"), org.CodeOUNotFound, "")
	// Its own name succeeds and changes nothing.
	w.unchanged(rename(mgmt, a.ID, "A"))
	// The name of the world's OU, a sibling, is taken.
	w.refused(rename(mgmt, a.ID, "Workloads"), org.CodeDuplicateOU, "")
	got, err := w.eng.UpdateOrganizationalUnit(w.ctx, mgmt, a.ID, "Apps")
	ok(t, err)
	if got.ID != a.ID || got.Name != "Apps" || got.Path != a.Path {
		t.Fatalf("%+v", got)
	}
	// The nested OU may take its parent's name: only siblings count.
	ok(t, rename(mgmt, nested.ID, "Apps")())
	// A name used under another parent ("Workloads" at the root) is fine.
	ok(t, rename(mgmt, nested.ID, "Workloads")())
	d, err := w.eng.DescribeOrganizationalUnit(w.ctx, mgmt, nested.ID)
	ok(t, err)
	if d.Name != "Workloads" || d.Path != w.org.ID+"/"+root+"/"+a.ID+"/"+nested.ID+"/" {
		t.Fatalf("%+v", d)
	}
	// An empty name changes nothing.
	w.unchanged(rename(mgmt, a.ID, ""))
}

func TestDeleteOrganizationalUnit(t *testing.T) {
	w := newWorld(t)
	root := w.org.RootID
	parent := w.createOU(mgmt, root, "Parent")
	child, err := w.eng.CreateOrganizationalUnit(w.ctx, mgmt, parent.ID, "Child", []org.Tag{{Key: "k", Value: "v"}})
	ok(t, err)
	del := func(id string) func() error {
		return func() error { return w.eng.DeleteOrganizationalUnit(w.ctx, mgmt, id) }
	}
	w.refused(del(parent.ID), org.CodeOUNotEmpty, "")
	ok(t, w.eng.MoveAccount(w.ctx, mgmt, mem, root, child.ID))
	w.refused(del(child.ID), org.CodeOUNotEmpty, "")
	ok(t, w.eng.MoveAccount(w.ctx, mgmt, mem, child.ID, root))
	ok(t, del(child.ID)())
	w.refused(del(child.ID), org.CodeOUNotFound, "")
	w.refused(del("ou-zzzz-zzzzzzzz"), org.CodeOUNotFound, "")
	theirs := w.createOU(mgmt2, w.org2.RootID, "Theirs")
	w.refused(del(theirs.ID), org.CodeOUNotFound, "")
	_, err = w.eng.DescribeOrganizationalUnit(w.ctx, mgmt, child.ID)
	wantErr(t, err, org.CodeOUNotFound, "")
	_, _, err = w.eng.ListTagsForResource(w.ctx, mgmt, child.ID, org.Page{})
	wantErr(t, err, org.CodeTargetNotFound, "")
	for _, r := range w.records("organizations.tags") {
		if r.Key == child.ID {
			t.Fatalf("tags left: %s", r.Value)
		}
	}
	ok(t, del(parent.ID)())
	ous, _, err := w.eng.ListOrganizationalUnitsForParent(w.ctx, mgmt, root, org.Page{})
	ok(t, err)
	if len(ous) != 1 || ous[0].ID != w.ou {
		t.Fatalf("%+v", ous)
	}
	// The name is free again.
	w.createOU(mgmt, root, "Parent")
}

func TestDescribeOrganizationalUnitNotFound(t *testing.T) {
	w := newWorld(t)
	theirs := w.createOU(mgmt2, w.org2.RootID, "Theirs")
	for _, id := range []string{"ou-zzzz-zzzzzzzz", theirs.ID} {
		w.refused(func() error { _, err := w.eng.DescribeOrganizationalUnit(w.ctx, mgmt, id); return err }, org.CodeOUNotFound, "")
	}
}

func TestListOrganizationalUnitsForParent(t *testing.T) {
	w := newWorld(t)
	root := w.org.RootID
	b := w.createOU(mgmt, root, "B")
	w.createOU(mgmt, b.ID, "Nested")
	ous, next, err := w.eng.ListOrganizationalUnitsForParent(w.ctx, da, root, org.Page{})
	ok(t, err)
	var ids []string
	for _, ou := range ous {
		ids = append(ids, ou.ID)
		if ou.OrgID != w.org.ID || ou.Path != w.org.ID+"/"+root+"/"+ou.ID+"/" {
			t.Fatalf("%+v", ou)
		}
	}
	if next != "" || !slices.Equal(ids, sorted([]string{w.ou, b.ID})) {
		t.Fatalf("%v %q", ids, next)
	}
}
