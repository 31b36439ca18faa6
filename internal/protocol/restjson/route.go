package restjson

import (
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/localsec/localsec/internal/protocol/model"
)

// A route is an operation's HTTP binding: a method, a URI pattern of
// literal, {label} and {label+} (greedy) segments, and the query
// parameters the pattern requires (its part after "?").
//
// Matching runs on the escaped path split at "/" before any unescaping,
// because SDKs percent-encode labels whole: /tags/arn%3Aaws%3A…%2F… is one
// label, which matching on the decoded path would split.
type route struct {
	op     *model.Operation
	method string
	segs   []segment
	query  map[string]string // required parameters; "" matches any value
}

type segment struct {
	literal string
	label   string // set for a label
	greedy  bool
}

func newRoute(op *model.Operation) route {
	rt := route{op: op, method: op.Method}
	path, rawQuery, _ := strings.Cut(op.URI, "?")
	for _, s := range strings.Split(strings.TrimPrefix(path, "/"), "/") {
		switch {
		case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "+}"):
			rt.segs = append(rt.segs, segment{label: s[1 : len(s)-2], greedy: true})
		case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}"):
			rt.segs = append(rt.segs, segment{label: s[1 : len(s)-1]})
		default:
			rt.segs = append(rt.segs, segment{literal: s})
		}
	}
	if rawQuery != "" {
		rt.query = map[string]string{}
		for _, kv := range strings.Split(rawQuery, "&") {
			k, v, _ := strings.Cut(kv, "=")
			rt.query[k] = v
		}
	}
	return rt
}

// moreSpecific orders routes so that the first match is the right one:
// at the first segment where they differ, a literal beats a label and a
// label beats a greedy label; then more required query parameters win.
func (rt *route) moreSpecific(o *route) bool {
	for i := 0; i < len(rt.segs) && i < len(o.segs); i++ {
		a, b := rt.segs[i].rank(), o.segs[i].rank()
		if a != b {
			return a < b
		}
	}
	if len(rt.segs) != len(o.segs) {
		return len(rt.segs) > len(o.segs)
	}
	return len(rt.query) > len(o.query)
}

func (s segment) rank() int {
	switch {
	case s.greedy:
		return 2
	case s.label != "":
		return 1
	}
	return 0
}

// match finds the route of r, with its labels unescaped. A label that is
// not correctly percent-encoded is a malformed request.
func (s *Server) match(r *http.Request) (*route, map[string]string, url.Values, error) {
	segs := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/")
	query := r.URL.Query()
	for i := range s.routes {
		rt := &s.routes[i]
		if rt.method != r.Method || !rt.queryMatches(query) {
			continue
		}
		labels, ok, err := rt.bind(segs)
		if err != nil {
			return nil, nil, nil, err
		}
		if ok {
			return rt, labels, query, nil
		}
	}
	return nil, nil, nil, nil
}

func (rt *route) queryMatches(q url.Values) bool {
	for k, v := range rt.query {
		got, ok := q[k]
		if !ok || (v != "" && (len(got) == 0 || got[0] != v)) {
			return false
		}
	}
	return true
}

func (rt *route) bind(segs []string) (map[string]string, bool, error) {
	if n := len(rt.segs); len(segs) != n && (n == 0 || !rt.segs[n-1].greedy || len(segs) < n) {
		return nil, false, nil
	}
	var labels map[string]string
	for i, p := range rt.segs {
		if i >= len(segs) {
			return nil, false, nil
		}
		switch {
		case p.greedy:
			rest := segs[i:]
			if strings.Join(rest, "") == "" {
				return nil, false, nil
			}
			parts := make([]string, len(rest))
			for j, seg := range rest {
				v, err := url.PathUnescape(seg)
				if err != nil {
					return nil, false, malformedPath(p.label)
				}
				parts[j] = v
			}
			if labels == nil {
				labels = map[string]string{}
			}
			labels[p.label] = strings.Join(parts, "/")
			return labels, true, nil
		case p.label != "":
			if segs[i] == "" {
				return nil, false, nil
			}
			v, err := url.PathUnescape(segs[i])
			if err != nil {
				return nil, false, malformedPath(p.label)
			}
			if labels == nil {
				labels = map[string]string{}
			}
			labels[p.label] = v
		case p.literal != segs[i]:
			return nil, false, nil
		}
	}
	if len(segs) != len(rt.segs) {
		return nil, false, nil
	}
	return labels, true, nil
}

func malformedPath(label string) error {
	return &model.InputError{Kind: model.Malformed, Path: label, Message: "The request path is not correctly percent-encoded."}
}

// Operation returns the operation of svc that r names, served or not; nil
// when none does. Tests use it to know which output shape an answer must
// have.
func Operation(svc *model.Service, r *http.Request) *model.Operation {
	s := &Server{svc: svc, routes: routesOf(svc)}
	rt, _, _, _ := s.match(r)
	if rt == nil {
		return nil
	}
	return rt.op
}

// routesOf returns the routes of every operation of svc, most specific
// first.
func routesOf(svc *model.Service) []route {
	routes := make([]route, 0, len(svc.Operations))
	for _, op := range svc.Operations {
		routes = append(routes, newRoute(op))
	}
	sort.SliceStable(routes, func(i, j int) bool { return routes[i].moreSpecific(&routes[j]) })
	return routes
}
