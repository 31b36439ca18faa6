// Package awsjson speaks AWS's awsJson1_1 (and 1_0) protocol on the server
// side, for any service, from its model: every call is a POST of a JSON
// body naming its operation in X-Amz-Target (<TargetPrefix>.<Operation>);
// members are the model's names, timestamps epoch seconds; errors carry
// their exception name in X-Amzn-ErrorType and the body's "__type". It
// knows nothing of any one service.
package awsjson

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/endpoint"
	"github.com/localsec/localsec/internal/protocol/model"
)

// Server serves one JSON service.
type Server struct {
	svc         *model.Service
	handlers    map[string]model.Handler
	cfg         endpoint.Config
	contentType string
	ops         map[string]*model.Operation
}

// New returns the server of svc. Every served operation must have a
// handler. The error body form defaults to {"__type", "message"} when cfg
// gives none.
func New(svc *model.Service, handlers map[string]model.Handler, cfg endpoint.Config) *Server {
	if cfg.ErrorBody.Message == "" && cfg.ErrorBody.Code == nil {
		cfg.ErrorBody = endpoint.ErrorBody{Message: "message", Code: []string{"__type"}}
	}
	version := svc.JSONVersion
	if version == "" {
		version = "1.1"
	}
	s := &Server{svc: svc, handlers: handlers, cfg: cfg, contentType: "application/x-amz-json-" + version,
		ops: map[string]*model.Operation{}}
	if name := svc.MissingHandler(handlers); name != "" {
		panic("awsjson: " + svc.Name + " serves " + name + " without a handler")
	}
	for _, op := range svc.Operations {
		s.ops[op.Name] = op
	}
	return s
}

// Operations returns the names of the served operations, in model order.
func (s *Server) Operations() []string { return s.svc.ServedNames() }

// WriteError writes e in the service's error form.
func (s *Server) WriteError(w http.ResponseWriter, e *protocol.APIError) {
	endpoint.WriteJSONError(w, e, s.cfg.ErrorBody, s.contentType)
}

// ServeHTTP serves one request; its context carries the protocol.Call.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	call := protocol.CallFrom(r.Context())
	if call == nil {
		call = &protocol.Call{}
	}
	target := r.Header.Get("X-Amz-Target")
	prefix, name, ok := strings.Cut(target, ".")
	op := s.ops[name]
	switch {
	case r.Method != http.MethodPost:
		s.WriteError(w, unknown(fmt.Sprintf("%s answers POST requests only, not %s.", s.svc.Name, r.Method)))
		return
	case target == "":
		s.WriteError(w, unknown("The request names no operation: its X-Amz-Target header is missing."))
		return
	case !ok || prefix != s.svc.TargetPrefix || op == nil:
		s.WriteError(w, unknown(fmt.Sprintf("localsec has no %s operation %q (X-Amz-Target must be %s.<Operation>).", s.svc.Name, target, s.svc.TargetPrefix)))
		return
	}
	call.Operation = op.Name
	if !op.Served {
		s.WriteError(w, unknown(fmt.Sprintf("localsec does not implement %s's %s operation; it serves %s.",
			s.svc.Name, op.Name, strings.Join(s.Operations(), ", "))))
		return
	}
	body, err := s.cfg.ReadBody(w, r)
	if err != nil {
		s.WriteError(w, s.cfg.Wire(call, err))
		return
	}
	in := op.NewInput()
	if op.Input != nil {
		obj, err := endpoint.ParseObject(body)
		if err == nil {
			err = model.Bind(op.Input, in, func(m *model.Member) (any, bool) {
				v, ok := obj[m.WireName]
				return v, ok
			})
		}
		if err != nil {
			s.WriteError(w, s.cfg.Wire(call, err))
			return
		}
	}
	out, err := s.cfg.Invoke(s.handlers[op.Name], r, call, in)
	if err != nil {
		s.WriteError(w, s.cfg.Wire(call, err))
		return
	}
	b := []byte("{}")
	if op.Output != nil && out != nil {
		if b, err = model.AppendJSON(make([]byte, 0, 256), op.Output, out, model.UnixTimestamp); err != nil {
			s.WriteError(w, s.cfg.Wire(call, err))
			return
		}
	}
	endpoint.WriteBody(w, op.Status, s.contentType, b)
}

func unknown(msg string) *protocol.APIError {
	return &protocol.APIError{Type: "UnknownOperationException", Status: http.StatusBadRequest, Message: msg}
}
