package server

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/restjson"
)

// health is the body of the health endpoints. Its shape follows
// LocalStack's /_localstack/health ("services" maps a service to
// "running", plus "edition" and "version"), so that LocalStack-aware
// waiters read it unchanged.
type health struct {
	Status   string            `json:"status"`
	Services map[string]string `json:"services"`
	Edition  string            `json:"edition"`
	Version  string            `json:"version"`
	Store    string            `json:"store"`
	Uptime   int64             `json:"uptime"`
}

// admin serves the endpoints under /_localsec/ and their LocalStack aliases.
func (s *Server) admin(w http.ResponseWriter, r *http.Request) {
	call := protocol.CallFrom(r.Context())
	call.Service = "localsec"
	switch r.URL.Path {
	case "/_localsec/health", "/_localstack/health":
		call.Operation = "Health"
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			s.adminMethodNotAllowed(w, r)
			return
		}
		services := map[string]string{}
		for _, name := range s.ServiceNames() {
			services[name] = "running"
		}
		_ = restjson.WriteJSON(w, http.StatusOK, health{
			Status:   "running",
			Services: services,
			Edition:  "localsec",
			Version:  Version,
			Store:    s.store,
			Uptime:   int64(time.Since(s.started).Seconds()),
		})
	case "/_localsec/reset", "/_localstack/state/reset":
		call.Operation = "Reset"
		if !s.adminAllowed(w, r) {
			return
		}
		if r.Method != http.MethodPost {
			s.adminMethodNotAllowed(w, r)
			return
		}
		if err := s.engine.Reset(r.Context()); err != nil {
			s.logger.Error("reset failed", "request_id", call.RequestID, "error", err.Error())
			restjson.WriteError(w, &restjson.APIError{Type: "InternalFailure", Status: http.StatusInternalServerError, Message: "The reset failed: " + err.Error()})
			return
		}
		_ = restjson.WriteJSON(w, http.StatusOK, map[string]string{"status": "reset"})
	default:
		restjson.WriteError(w, &restjson.APIError{Type: "NotFoundException", Status: http.StatusNotFound,
			Message: "localsec has no admin endpoint " + r.URL.Path + "; it has /_localsec/health and /_localsec/reset."})
	}
}

func (s *Server) adminMethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	restjson.WriteError(w, &restjson.APIError{Type: "MethodNotAllowedException", Status: http.StatusMethodNotAllowed,
		Message: r.Method + " is not allowed on " + r.URL.Path + "."})
}

// adminAllowed guards the admin endpoints that change or reveal state.
// The health check stays open: load balancers and orchestrators probe it
// without credentials, and it tells nothing about accounts.
func (s *Server) adminAllowed(w http.ResponseWriter, r *http.Request) bool {
	switch {
	case s.adminOff:
		restjson.WriteError(w, &restjson.APIError{Type: "AccessDeniedException", Status: http.StatusForbidden,
			Message: "The admin endpoints are off: localsec listens beyond loopback without --admin-token."})
		return false
	case s.token == "":
		return true
	}
	presented := r.Header.Get("X-Localsec-Admin-Token")
	if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		presented = bearer
	}
	if subtle.ConstantTimeCompare([]byte(presented), []byte(s.token)) != 1 {
		restjson.WriteError(w, &restjson.APIError{Type: "AccessDeniedException", Status: http.StatusForbidden,
			Message: "The admin endpoints need the admin token (Authorization: Bearer TOKEN or X-Localsec-Admin-Token)."})
		return false
	}
	return true
}
