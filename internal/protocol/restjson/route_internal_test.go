package restjson

import (
	"errors"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/endpoint"
	"github.com/localsec/localsec/internal/protocol/model"
)

func segments(path string) []string { return strings.Split(strings.TrimPrefix(path, "/"), "/") }

// A label that is not correctly percent-encoded is a malformed request.
// net/http cannot deliver one to ServeHTTP (its URL parser refuses such
// request targets and URL.EscapedPath never returns one), so route.bind is
// checked directly, and its error through a service's mapping.
func TestBindBadPercentEncoding(t *testing.T) {
	member := newRoute(&model.Operation{Name: "GetMember", Method: "GET", URI: "/members/{id}"})
	tags := newRoute(&model.Operation{Name: "ListTagsForResource", Method: "GET", URI: "/tags/{resourceArn}"})
	object := newRoute(&model.Operation{Name: "GetObject", Method: "GET", URI: "/objects/{Bucket}/{Key+}"})
	tests := []struct {
		rt    route
		path  string
		label string
	}{
		{member, "/members/%zz", "id"},
		{member, "/members/abc%", "id"},
		{member, "/members/%4", "id"},
		{tags, "/tags/arn%3Aaws%3Amacie2%3Aus-east-1%3A1%3Amember%2", "resourceArn"},
		{object, "/objects/%zz/key", "Bucket"},
		{object, "/objects/b/ok/%zz", "Key"},
		{object, "/objects/b/%/ok", "Key"},
	}
	mapping := endpoint.Config{Internal: &protocol.APIError{Type: "InternalServerException", Status: 500},
		Errors: func(err error) *protocol.APIError {
			var in *model.InputError
			if errors.As(err, &in) {
				return &protocol.APIError{Type: "ValidationException", Status: http.StatusBadRequest, Message: in.Message,
					Fields: map[string]string{"field": in.Field()}}
			}
			return nil
		}}
	for _, tt := range tests {
		labels, ok, err := tt.rt.bind(segments(tt.path))
		var in *model.InputError
		if !errors.As(err, &in) || ok || labels != nil {
			t.Errorf("bind(%s) = %v, %v, %v; want an *InputError", tt.path, labels, ok, err)
			continue
		}
		want := &model.InputError{Kind: model.Malformed, Path: tt.label, Message: "The request path is not correctly percent-encoded."}
		if !reflect.DeepEqual(in, want) {
			t.Errorf("bind(%s) error = %+v, want %+v", tt.path, in, want)
		}
		e := mapping.Wire(&protocol.Call{}, err)
		if e.Status != http.StatusBadRequest || e.Type != "ValidationException" || e.Fields["field"] != tt.label {
			t.Errorf("bind(%s) error maps to %+v", tt.path, e)
		}
	}

	// A bad escape in a segment that a literal refuses is no match, not
	// an error.
	for _, path := range []string{"/other/%zz", "/tags/%zz"} {
		if labels, ok, err := member.bind(segments(path)); ok || err != nil || labels != nil {
			t.Errorf("bind(%s) = %v, %v, %v; want no match and no error", path, labels, ok, err)
		}
	}
}

func TestRouteOrder(t *testing.T) {
	uris := []string{"/a", "/a/{b+}", "/a/{b}", "/a/{b}?x", "/a/c", "/a/{b}/d", "/a/{b}/{e}", "/{z}/c"}
	var routes []route
	for _, u := range uris {
		routes = append(routes, newRoute(&model.Operation{Name: u, Method: "GET", URI: u}))
	}
	sort.SliceStable(routes, func(i, j int) bool { return routes[i].moreSpecific(&routes[j]) })
	var got []string
	for _, rt := range routes {
		got = append(got, rt.op.Name)
	}
	want := []string{"/a/c", "/a/{b}/d", "/a/{b}/{e}", "/a/{b}?x", "/a/{b}", "/a/{b+}", "/a", "/{z}/c"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("order = %v, want %v", got, want)
	}
}

func TestNewRoute(t *testing.T) {
	rt := newRoute(&model.Operation{Method: "PUT", URI: "/buckets/{Bucket}/keys/{Key+}?versioning&type=acl"})
	want := []segment{{literal: "buckets"}, {label: "Bucket"}, {literal: "keys"}, {label: "Key", greedy: true}}
	if rt.method != "PUT" || !reflect.DeepEqual(rt.segs, want) || !reflect.DeepEqual(rt.query, map[string]string{"versioning": "", "type": "acl"}) {
		t.Errorf("newRoute = %+v", rt)
	}
	if root := newRoute(&model.Operation{Method: "POST", URI: "/"}); !reflect.DeepEqual(root.segs, []segment{{literal: ""}}) || root.query != nil {
		t.Errorf("newRoute(/) = %+v", root)
	}
}
