package server

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/localsec/localsec/internal/outbox"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/model"
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
	if r.URL.Path == "/_localsec/ui" || strings.HasPrefix(r.URL.Path, "/_localsec/ui/") {
		call.Operation = "Console"
		if !s.adminAllowed(w, r) {
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			s.adminMethodNotAllowed(w, r)
			return
		}
		s.console(w, r)
		return
	}
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
		if err := s.Reset(r.Context()); err != nil {
			s.logger.Error("reset failed", "request_id", call.RequestID, "error", err.Error())
			restjson.WriteError(w, &protocol.APIError{Type: "InternalFailure", Status: http.StatusInternalServerError, Message: "The reset failed: " + err.Error()})
			return
		}
		_ = restjson.WriteJSON(w, http.StatusOK, map[string]string{"status": "reset"})
	case "/_localsec/state":
		call.Operation = "ExportState"
		if !s.adminAllowed(w, r) {
			return
		}
		if r.Method != http.MethodGet {
			s.adminMethodNotAllowed(w, r)
			return
		}
		s.exportState(w, r)
	case "/_localsec/emails":
		call.Operation = "ListEmails"
		if !s.adminAllowed(w, r) {
			return
		}
		if r.Method != http.MethodGet {
			s.adminMethodNotAllowed(w, r)
			return
		}
		s.listEmails(w, r)
	default:
		restjson.WriteError(w, &protocol.APIError{Type: "NotFoundException", Status: http.StatusNotFound,
			Message: "localsec has no admin endpoint " + r.URL.Path + "; it has /_localsec/health, /_localsec/reset, /_localsec/state, /_localsec/emails and /_localsec/ui."})
	}
}

func (s *Server) adminMethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	restjson.WriteError(w, &protocol.APIError{Type: "MethodNotAllowedException", Status: http.StatusMethodNotAllowed,
		Message: r.Method + " is not allowed on " + r.URL.Path + "."})
}

// adminAllowed guards the admin endpoints that change or reveal state.
// The health check stays open: load balancers and orchestrators probe it
// without credentials, and it tells nothing about accounts.
func (s *Server) adminAllowed(w http.ResponseWriter, r *http.Request) bool {
	switch {
	case s.adminOff:
		restjson.WriteError(w, &protocol.APIError{Type: "AccessDeniedException", Status: http.StatusForbidden,
			Message: "The admin endpoints are off: localsec listens beyond loopback without --admin-token."})
		return false
	case s.token == "":
		return true
	}
	presented := r.Header.Get("X-Localsec-Admin-Token")
	if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		presented = bearer
	}
	// A browser opening the console cannot send a header: it may give
	// the token in the query string instead.
	if t := r.URL.Query().Get("token"); presented == "" && t != "" {
		presented = t
	}
	if subtle.ConstantTimeCompare([]byte(presented), []byte(s.token)) != 1 {
		restjson.WriteError(w, &protocol.APIError{Type: "AccessDeniedException", Status: http.StatusForbidden,
			Message: "The admin endpoints need the admin token (Authorization: Bearer TOKEN or X-Localsec-Admin-Token)."})
		return false
	}
	return true
}

// exportState writes the whole state as a seed document: JSON, or YAML
// with ?format=yaml.
func (s *Server) exportState(w http.ResponseWriter, r *http.Request) {
	doc, err := s.Export(r.Context())
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	var body []byte
	contentType := "application/json"
	if r.URL.Query().Get("format") == "yaml" {
		body, err = doc.YAML()
		contentType = "application/yaml"
	} else {
		body, err = doc.JSON()
	}
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// emailView is an outbox email as the admin endpoint shows it.
type emailView struct {
	ID           string `json:"id"`
	Service      string `json:"service"`
	Region       string `json:"region"`
	FromAccount  string `json:"fromAccount"`
	ToAccount    string `json:"toAccount"`
	To           string `json:"to"`
	From         string `json:"from"`
	Subject      string `json:"subject"`
	Body         string `json:"body"`
	Message      string `json:"message,omitempty"`
	InvitationID string `json:"invitationId,omitempty"`
	SentAt       string `json:"sentAt"`
}

// listEmails writes the outbox, oldest first; ?account= keeps the emails
// an account sent or received.
func (s *Server) listEmails(w http.ResponseWriter, r *http.Request) {
	emails, err := s.engine.Emails(r.Context(), r.URL.Query().Get("account"))
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	out := struct {
		Emails []emailView `json:"emails"`
	}{Emails: make([]emailView, 0, len(emails))}
	for _, e := range emails {
		out.Emails = append(out.Emails, emailView{
			ID: e.ID, Service: e.Service, Region: e.Region, FromAccount: e.From, ToAccount: e.To, To: e.Address,
			From: outbox.Sender(e), Subject: outbox.Subject(e), Body: outbox.Body(e), Message: e.Message,
			InvitationID: e.InvitationID, SentAt: e.Sent.UTC().Format(model.ISO8601Layout),
		})
	}
	_ = restjson.WriteJSON(w, http.StatusOK, out)
}

func (s *Server) internalError(w http.ResponseWriter, r *http.Request, err error) {
	call := protocol.CallFrom(r.Context())
	s.logger.Error("admin endpoint failed", "request_id", call.RequestID, "operation", call.Operation, "error", err.Error())
	restjson.WriteError(w, &protocol.APIError{Type: "InternalFailure", Status: http.StatusInternalServerError, Message: "The request failed: " + err.Error()})
}
