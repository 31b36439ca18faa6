// Package restjson speaks AWS's restJson1 protocol on the server side, for
// any service, from its model: it routes a request on method and escaped
// path to an operation, binds its URI labels, query parameters, headers
// and JSON body members to the operation's generated input struct while
// checking every constraint of the model, runs the operation's handler,
// and writes the output or the error the way the service's SDKs read them.
// It knows nothing of membership or of any one service.
package restjson

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/endpoint"
	"github.com/localsec/localsec/internal/protocol/model"
)

// contentType is the media type of restJson1 bodies.
const contentType = "application/json"

// Server serves one restJson1 service.
type Server struct {
	svc      *model.Service
	handlers map[string]model.Handler
	cfg      endpoint.Config
	routes   []route
}

// New returns the server of svc. Every operation the model marks as served
// must have a handler (the generated API interface makes sure of it).
func New(svc *model.Service, handlers map[string]model.Handler, cfg endpoint.Config) *Server {
	if name := svc.MissingHandler(handlers); name != "" {
		panic("restjson: " + svc.Name + " serves " + name + " without a handler")
	}
	return &Server{svc: svc, handlers: handlers, cfg: cfg, routes: routesOf(svc)}
}

// Operations returns the names of the served operations, in model order.
func (s *Server) Operations() []string { return s.svc.ServedNames() }

// WriteError writes e in the service's error form.
func (s *Server) WriteError(w http.ResponseWriter, e *protocol.APIError) {
	endpoint.WriteJSONError(w, e, s.cfg.ErrorBody, contentType)
}

// ServeHTTP routes and serves one request. The request's context carries
// its protocol.Call.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	call := protocol.CallFrom(r.Context())
	if call == nil {
		call = &protocol.Call{}
	}
	rt, labels, query, err := s.match(r)
	if err != nil {
		s.WriteError(w, s.cfg.Wire(call, err))
		return
	}
	if rt == nil {
		s.WriteError(w, UnknownOperation(s.svc.Name, r.Method, r.URL.EscapedPath()))
		return
	}
	op := rt.op
	call.Operation = op.Name
	if !op.Served {
		s.WriteError(w, NotImplemented(s.svc.Name, op))
		return
	}
	body, err := s.cfg.ReadBody(w, r)
	if err != nil {
		s.WriteError(w, s.cfg.Wire(call, err))
		return
	}
	in := op.NewInput()
	if op.Input != nil {
		if err := bind(op.Input, in, r, labels, query, body); err != nil {
			s.WriteError(w, s.cfg.Wire(call, err))
			return
		}
	}
	out, err := s.cfg.Invoke(s.handlers[op.Name], r, call, in)
	if err != nil {
		s.WriteError(w, s.cfg.Wire(call, err))
		return
	}
	if err := s.writeOutput(w, op, out); err != nil {
		s.WriteError(w, s.cfg.Wire(call, err))
	}
}

// bind binds the request's parts to in, the operation's input struct.
func bind(shape *model.Shape, in any, r *http.Request, labels map[string]string, query url.Values, body []byte) error {
	var obj map[string]any
	for i := range shape.Members {
		if shape.Members[i].Location == model.Body {
			var err error
			if obj, err = endpoint.ParseObject(body); err != nil {
				return err
			}
			break
		}
	}
	return model.Bind(shape, in, func(m *model.Member) (any, bool) {
		switch m.Location {
		case model.Body:
			v, ok := obj[m.WireName]
			return v, ok
		case model.URI:
			v, ok := labels[m.WireName]
			return model.Text(v), ok
		case model.QueryString:
			vs, ok := query[m.WireName]
			if !ok {
				return nil, false
			}
			if m.Shape.Type == model.List {
				return texts(vs), true
			}
			return model.Text(vs[0]), true
		case model.Header:
			v := r.Header.Values(m.WireName)
			if len(v) == 0 {
				return nil, false
			}
			if m.Shape.Type == model.List {
				var parts []string
				for _, h := range v {
					for _, p := range strings.Split(h, ",") {
						parts = append(parts, strings.TrimSpace(p))
					}
				}
				return texts(parts), true
			}
			return model.Text(strings.Join(v, ",")), true
		}
		return nil, false
	})
}

func texts(vs []string) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = model.Text(v)
	}
	return out
}

// writeOutput writes the operation's success answer: header members as
// headers, body members as a JSON object (none for a 204).
func (s *Server) writeOutput(w http.ResponseWriter, op *model.Operation, out any) error {
	if op.Output != nil && out != nil {
		if err := writeHeaders(w, op.Output, out); err != nil {
			return err
		}
	}
	if op.Status == http.StatusNoContent {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	b := []byte("{}")
	if op.Output != nil && out != nil {
		var err error
		if b, err = model.AppendJSON(make([]byte, 0, 256), op.Output, out, model.UnixTimestamp); err != nil {
			return err
		}
	}
	endpoint.WriteBody(w, op.Status, contentType, b)
	return nil
}

// writeHeaders sets the output members bound to headers.
func writeHeaders(w http.ResponseWriter, shape *model.Shape, out any) error {
	v := reflect.ValueOf(out)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	for i := range shape.Members {
		m := &shape.Members[i]
		if m.Location != model.Header {
			continue
		}
		f := v.Field(i)
		if f.Kind() == reflect.Pointer {
			if f.IsNil() {
				continue
			}
			f = f.Elem()
		}
		switch x := f.Interface().(type) {
		case string:
			w.Header().Set(m.WireName, x)
		case bool:
			w.Header().Set(m.WireName, strconv.FormatBool(x))
		case int32, int64, float64:
			w.Header().Set(m.WireName, fmt.Sprint(x))
		default:
			return fmt.Errorf("restjson: header member %s of type %s", m.Name, f.Type())
		}
	}
	return nil
}

// UnknownOperation is the answer to a request that no operation of the
// service's model matches.
func UnknownOperation(service, method, path string) *protocol.APIError {
	return &protocol.APIError{
		Type:    "UnknownOperationException",
		Status:  http.StatusNotFound,
		Message: fmt.Sprintf("localsec has no %s operation for %s %s.", service, method, path),
	}
}

// NotImplemented is the answer to an operation of the model that localsec
// does not serve: the unknown operation's 404, with a message that names
// the operation, so that a client learns what is missing. (LocalStack
// answers 501; localsec keeps to a 4xx, which no SDK retries.)
func NotImplemented(service string, op *model.Operation) *protocol.APIError {
	return &protocol.APIError{
		Type:   "UnknownOperationException",
		Status: http.StatusNotFound,
		Message: fmt.Sprintf("localsec does not implement %s's %s operation (%s %s); it serves the operations of account membership.",
			service, op.Name, op.Method, op.URI),
	}
}

// WriteError writes e as a rest-json error with a "message" member, for
// answers given before a service is known (a missing signature).
func WriteError(w http.ResponseWriter, e *protocol.APIError) {
	endpoint.WriteJSONError(w, e, endpoint.ErrorBody{Message: "message"}, contentType)
}

// WriteJSON writes v, encoded by encoding/json, with status: for localsec's
// own endpoints, which no model describes.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	endpoint.WriteBody(w, status, contentType, b)
	return nil
}
