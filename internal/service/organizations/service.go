// Package organizations is the AWS Organizations (organizations, API
// 2016-11-28) adapter: it serves Organizations over awsJson1_1 by
// translating the generated inputs of internal/api/organizations into calls
// on the organizations engine, and the engine's results and refusals into
// Organizations' outputs, exceptions (with their Reason) and messages.
// Organizations is global: one state per partition, whatever region
// signs the request.
package organizations

import (
	"log/slog"
	"net/http"

	api "github.com/localsec/localsec/internal/api/organizations"
	"github.com/localsec/localsec/internal/organizations"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/awsjson"
	"github.com/localsec/localsec/internal/protocol/endpoint"
)

// SigningName is Organizations' SigV4 service name.
const SigningName = "organizations"

// Service serves Organizations.
type Service struct {
	orgs   *organizations.Engine
	server *awsjson.Server
}

var _ api.API = (*Service)(nil)

// New returns the Organizations adapter over engine.
func New(engine *organizations.Engine, logger *slog.Logger) *Service {
	s := &Service{orgs: engine}
	s.server = awsjson.New(api.Model(), api.Handlers(s), endpoint.Config{
		Errors:   mapError,
		Internal: apiError("ServiceException", "", "AWS Organizations can't complete your request because of an internal service error. Try again later."),
		// The exception name in "__type" (botocore reads it) and in
		// the header (the Go SDK reads it), the message as "Message"
		// (spec §2.1).
		ErrorBody: endpoint.ErrorBody{Message: "Message", Code: []string{"__type"}},
		Logger:    logger,
	})
	return s
}

// SigningName returns "organizations".
func (s *Service) SigningName() string { return SigningName }

// Operations lists the operations served.
func (s *Service) Operations() []string { return s.server.Operations() }

// ServeHTTP serves one Organizations request; its context carries the
// protocol.Call.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.server.ServeHTTP(w, r) }

// WriteError writes e as Organizations writes its errors.
func (s *Service) WriteError(w http.ResponseWriter, _ *protocol.Call, e *protocol.APIError) {
	s.server.WriteError(w, e)
}

// page reads MaxResults (1..20 by the model, default 20) and NextToken.
func page(maxResults *int32, nextToken *string) organizations.Page {
	p := organizations.Page{}
	if maxResults != nil {
		p.Limit = int(*maxResults)
	}
	if nextToken != nil {
		p.Token = *nextToken
	}
	return p
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// token is a NextToken member: absent on the last page.
func token(next string) *string {
	if next == "" {
		return nil
	}
	return &next
}
