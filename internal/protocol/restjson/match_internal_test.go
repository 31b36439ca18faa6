package restjson

import (
	"context"
	"errors"
	"net/http"
	"testing"
)

// Bad percent-encoding cannot reach ServeHTTP through net/http (its URL
// parser refuses such request targets and URL.EscapedPath never returns
// one), so the label unescaping is checked on match directly.
func TestMatchBadPercentEncoding(t *testing.T) {
	rt := &Router{}
	nop := func(context.Context, *Request) (any, error) { return nil, nil }
	rt.Handle("GET", "/members/{id}", "GetMember", http.StatusOK, nop)
	rt.Handle("GET", "/tags/{resourceArn}", "ListTagsForResource", http.StatusOK, nop)

	for _, tt := range []struct{ path, field string }{
		{"/members/%zz", "id"},
		{"/members/abc%", "id"},
		{"/members/%4", "id"},
		{"/tags/arn%3Aaws%3Amacie2%3Aus-east-1%3A1%3Amember%2", "resourceArn"},
	} {
		r, params, err := rt.match("GET", tt.path)
		var in *InputError
		if !errors.As(err, &in) {
			t.Errorf("match(%q) = %v, %v, %v; want an *InputError", tt.path, r, params, err)
			continue
		}
		if in.Kind != InputInvalid || in.Field != tt.field || in.Message == "" {
			t.Errorf("match(%q) error = %+v, want InputInvalid on %s", tt.path, in, tt.field)
		}
	}

	// A bad escape in a segment that no route binds is just no match.
	if r, _, err := rt.match("GET", "/other/%zz"); r != nil || err != nil {
		t.Errorf("match(/other/%%zz) = %v, %v; want no route and no error", r, err)
	}
	// The method is checked before the label is unescaped.
	if r, _, err := rt.match("POST", "/members/%zz"); r != nil || err != nil {
		t.Errorf("match(POST /members/%%zz) = %v, %v; want no route and no error", r, err)
	}
}
