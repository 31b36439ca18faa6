package organizations_test

import (
	"reflect"
	"testing"

	org "github.com/localsec/localsec/internal/organizations"
)

func TestTags(t *testing.T) {
	w := newWorld(t)
	for _, target := range []struct {
		name string
		id   func(w *world) string
	}{
		{"root", func(w *world) string { return w.org.RootID }},
		{"OU", func(w *world) string { return w.ou }},
		{"member", func(w *world) string { return mem }},
		{"management", func(w *world) string { return mgmt }},
		{"created account", func(w *world) string { return w.created }},
	} {
		t.Run(target.name, func(t *testing.T) {
			id := target.id(w)
			if got := w.tags(mgmt, id); got == nil || len(got) != 0 {
				t.Fatalf("%#v", got)
			}
			ok(t, w.eng.TagResource(w.ctx, mgmt, id, []org.Tag{{Key: "b", Value: "1"}, {Key: "a", Value: ""}}))
			// A delegated administrator tags too; a key is replaced.
			ok(t, w.eng.TagResource(w.ctx, da, id, []org.Tag{{Key: "b", Value: "2"}, {Key: "c", Value: "3"}}))
			want := []org.Tag{{Key: "a", Value: ""}, {Key: "b", Value: "2"}, {Key: "c", Value: "3"}}
			if got := w.tags(da, id); !reflect.DeepEqual(got, want) {
				t.Fatalf("got %+v, want %+v", got, want)
			}
			// Untagging absent keys changes nothing.
			w.unchanged(func() error { return w.eng.UntagResource(w.ctx, mgmt, id, []string{"x", "y"}) })
			ok(t, w.eng.UntagResource(w.ctx, mgmt, id, []string{"a", "x"}))
			if got := w.tags(mgmt, id); !reflect.DeepEqual(got, want[1:]) {
				t.Fatalf("%+v", got)
			}
			ok(t, w.eng.UntagResource(w.ctx, mgmt, id, []string{"b", "c"}))
			if got := w.tags(mgmt, id); got == nil || len(got) != 0 {
				t.Fatalf("%#v", got)
			}
			// Untagging a resource without tags changes nothing.
			w.unchanged(func() error { return w.eng.UntagResource(w.ctx, mgmt, id, []string{"b"}) })
		})
	}
}

func TestTagsNotFound(t *testing.T) {
	w := newWorld(t)
	theirs := w.createOU(mgmt2, w.org2.RootID, "Theirs")
	for _, id := range []string{
		"r-zzzz", "ou-zzzz-zzzzzzzz", "999999999999", "p-FullAWSAccess", "rp-12345678", "rt-12345678",
		stranger, invitee, // standalone accounts
		w.org2.RootID, theirs.ID, other, mgmt2, // another organization's
		w.org.ID, w.car, w.hs, // not taggable
	} {
		t.Run(id, func(t *testing.T) {
			w.refused(func() error { return w.eng.TagResource(w.ctx, mgmt, id, []org.Tag{{Key: "k"}}) }, org.CodeTargetNotFound, "")
			w.refused(func() error { return w.eng.UntagResource(w.ctx, mgmt, id, []string{"k"}) }, org.CodeTargetNotFound, "")
			w.refused(func() error { _, _, err := w.eng.ListTagsForResource(w.ctx, mgmt, id, org.Page{}); return err }, org.CodeTargetNotFound, "")
		})
	}
}

func TestTagRefusals(t *testing.T) {
	w := newWorld(t)
	ok(t, w.eng.TagResource(w.ctx, mgmt, mem, tagList(49, "k")))
	for _, tc := range []struct {
		name   string
		tags   []org.Tag
		code   org.Code
		reason string
	}{
		{"duplicate keys", []org.Tag{{Key: "x", Value: "1"}, {Key: "x", Value: "2"}}, org.CodeInvalidInput, org.ReasonDuplicateTagKey},
		{"system key", []org.Tag{{Key: "aws:createdBy"}}, org.CodeInvalidInput, org.ReasonInvalidSystemTags},
		{"system key, upper case", []org.Tag{{Key: "AWS:x"}}, org.CodeInvalidInput, org.ReasonInvalidSystemTags},
		{"51 in one call", tagList(51, "n"), org.CodeConstraintViolation, org.ReasonMaxTagLimit},
		{"51st with the existing ones", []org.Tag{{Key: "n1"}, {Key: "n2"}}, org.CodeConstraintViolation, org.ReasonMaxTagLimit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w.refused(func() error { return w.eng.TagResource(w.ctx, mgmt, mem, tc.tags) }, tc.code, tc.reason)
		})
	}
	// The 50th fits; replacing a key at 50 fits too; the 51st does not.
	ok(t, w.eng.TagResource(w.ctx, mgmt, mem, []org.Tag{{Key: "n1"}}))
	ok(t, w.eng.TagResource(w.ctx, mgmt, mem, []org.Tag{{Key: "k00", Value: "new"}}))
	w.refused(func() error { return w.eng.TagResource(w.ctx, mgmt, mem, []org.Tag{{Key: "n2"}}) }, org.CodeConstraintViolation, org.ReasonMaxTagLimit)
	if got := w.tags(mgmt, mem); len(got) != 50 || got[0] != (org.Tag{Key: "k00", Value: "new"}) {
		t.Fatalf("%d %+v", len(got), got[0])
	}
	// Callers that may not tag.
	w.refused(func() error { return w.eng.TagResource(w.ctx, mem, mem, []org.Tag{{Key: "z"}}) }, org.CodeAccessDenied, "")
	w.refused(func() error { return w.eng.TagResource(w.ctx, stranger, mem, []org.Tag{{Key: "z"}}) }, org.CodeNotInUse, "")
	w.refused(func() error { return w.eng.TagResource(w.ctx, mgmt2, mem, []org.Tag{{Key: "z"}}) }, org.CodeTargetNotFound, "")
}
