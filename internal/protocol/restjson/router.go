package restjson

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"

	"github.com/localsec/localsec/internal/protocol"
)

// HandlerFunc serves one operation. It returns the response body (a value
// to encode as JSON; nil for an empty one) or an error for the router's
// Errors function to put on the wire.
type HandlerFunc func(ctx context.Context, r *Request) (any, error)

// DefaultMaxBodyBytes bounds request bodies when a Router sets no bound.
const DefaultMaxBodyBytes = 1 << 20

// Router dispatches one service's requests on method and escaped path, in
// the route table's order, and writes what handlers return.
//
// Matching runs on the escaped path split at "/" before any unescaping,
// because SDKs percent-encode labels whole: /tags/arn%3Aaws%3A…%2F… is one
// label, which matching on the decoded path would split.
type Router struct {
	// Errors maps a handler's error to the wire; nil means "not an error
	// I know", which is logged and answered with Internal.
	Errors func(error) *APIError
	// Internal is the answer to a panic or an unknown error.
	Internal *APIError
	// Logger receives panics and unknown errors.
	Logger *slog.Logger
	// MaxBodyBytes bounds request bodies; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64

	routes []route
	names  nameCache
}

type route struct {
	method    string
	segments  []string
	operation string
	status    int
	handler   HandlerFunc
}

// Handle adds an operation: method, a pattern of literal segments and
// {label} segments, the AWS operation name, and the success status.
func (rt *Router) Handle(method, pattern, operation string, status int, h HandlerFunc) {
	rt.routes = append(rt.routes, route{
		method:    method,
		segments:  strings.Split(strings.TrimPrefix(pattern, "/"), "/"),
		operation: operation,
		status:    status,
		handler:   h,
	})
}

// Operations returns the names of the operations in the table, in order.
func (rt *Router) Operations() []string {
	var ops []string
	for _, r := range rt.routes {
		ops = append(ops, r.operation)
	}
	return ops
}

// match finds the route of method and escapedPath.
func (rt *Router) match(method, escapedPath string) (*route, map[string]string, error) {
	segs := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	for i := range rt.routes {
		r := &rt.routes[i]
		if r.method != method || len(r.segments) != len(segs) {
			continue
		}
		params, ok, err := r.bind(segs)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			return r, params, nil
		}
	}
	return nil, nil, nil
}

func (r *route) bind(segs []string) (map[string]string, bool, error) {
	var params map[string]string
	for i, p := range r.segments {
		s := segs[i]
		if strings.HasPrefix(p, "{") {
			if s == "" {
				return nil, false, nil
			}
			v, err := url.PathUnescape(s)
			if err != nil {
				return nil, false, &InputError{Kind: InputInvalid, Field: strings.Trim(p, "{}"), Message: "The request path is not correctly percent-encoded."}
			}
			if params == nil {
				params = map[string]string{}
			}
			params[strings.Trim(p, "{}")] = v
			continue
		}
		if p != s {
			return nil, false, nil
		}
	}
	return params, true, nil
}

// ServeHTTP routes and serves one request. The request's context must carry
// a protocol.Call.
func (rt *Router) ServeHTTP(w http.ResponseWriter, hr *http.Request) {
	call := protocol.CallFrom(hr.Context())
	if call == nil {
		call = &protocol.Call{}
	}
	defer func() {
		if p := recover(); p != nil {
			rt.logger().Error("handler panic", "request_id", call.RequestID, "service", call.Service,
				"operation", call.Operation, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			WriteError(w, rt.Internal)
		}
	}()

	r, params, err := rt.match(hr.Method, hr.URL.EscapedPath())
	if err != nil {
		rt.writeError(w, call, err)
		return
	}
	if r == nil {
		WriteError(w, UnknownOperation(call.Service, hr.Method, hr.URL.EscapedPath()))
		return
	}
	call.Operation = r.operation

	limit := rt.MaxBodyBytes
	if limit <= 0 {
		limit = DefaultMaxBodyBytes
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, hr.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			rt.writeError(w, call, &InputError{Kind: InputTooLarge, Message: fmt.Sprintf("The request body is larger than %d bytes.", limit)})
			return
		}
		rt.writeError(w, call, &InputError{Kind: InputMalformed, Message: "The request body could not be read."})
		return
	}

	req := &Request{HTTP: hr, Call: call, params: params, query: hr.URL.Query(), body: body, names: &rt.names}
	out, err := r.handler(hr.Context(), req)
	if err != nil {
		rt.writeError(w, call, err)
		return
	}
	switch {
	case r.status == http.StatusNoContent:
		w.WriteHeader(http.StatusNoContent)
	case out == nil:
		writeBody(w, r.status, []byte("{}"))
	default:
		if err := WriteJSON(w, r.status, out); err != nil {
			rt.writeError(w, call, err)
		}
	}
}

func (rt *Router) writeError(w http.ResponseWriter, call *protocol.Call, err error) {
	var e *APIError
	if rt.Errors != nil {
		e = rt.Errors(err)
	}
	if e == nil {
		rt.logger().Error("unmapped error", "request_id", call.RequestID, "service", call.Service,
			"operation", call.Operation, "error", err.Error())
		e = rt.Internal
	}
	WriteError(w, e)
}

func (rt *Router) logger() *slog.Logger {
	if rt.Logger != nil {
		return rt.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// UnknownOperation is the answer to a request that no route matches.
func UnknownOperation(service, method, path string) *APIError {
	return &APIError{
		Type:    "UnknownOperationException",
		Status:  http.StatusNotFound,
		Message: fmt.Sprintf("localsec has no %s operation for %s %s.", service, method, path),
	}
}
