// Package sts serves the one AWS STS call that tools make to learn which
// account their credentials belong to: GetCallerIdentity. With it the
// Terraform AWS provider finds each provider alias's account from its
// access key, with no skip_requesting_account_id. The awsquery layer
// speaks the protocol (a form naming its Action, answered in XML).
package sts

import (
	"context"
	"log/slog"
	"net/http"

	api "github.com/localsec/localsec/internal/api/sts"
	"github.com/localsec/localsec/internal/awsarn"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/awsquery"
	"github.com/localsec/localsec/internal/protocol/endpoint"
	"github.com/localsec/localsec/internal/protocol/model"
)

// SigningName is STS's SigV4 service name.
const SigningName = "sts"

// maxBody bounds the form body; GetCallerIdentity's is a few dozen bytes.
const maxBody = 64 << 10

// Service serves STS.
type Service struct {
	server *awsquery.Server
}

var _ api.API = (*Service)(nil)

// New returns the STS adapter.
func New(logger *slog.Logger) *Service {
	s := &Service{}
	s.server = awsquery.New(api.Model(), api.Handlers(s), endpoint.Config{
		Errors:       inputError,
		Internal:     &protocol.APIError{Type: "InternalFailure", Status: http.StatusInternalServerError, Message: "The request processing has failed because of an unknown error."},
		Logger:       logger,
		MaxBodyBytes: maxBody,
	})
	return s
}

// SigningName returns "sts".
func (s *Service) SigningName() string { return SigningName }

// Operations lists the operations served.
func (s *Service) Operations() []string { return s.server.Operations() }

// ServeHTTP serves one STS request; its context carries the protocol.Call.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.server.ServeHTTP(w, r) }

// WriteError writes e as STS writes its errors: an XML error document.
func (s *Service) WriteError(w http.ResponseWriter, call *protocol.Call, e *protocol.APIError) {
	s.server.WriteError(w, call, e)
}

// inputError answers a request the protocol refuses: STS's common errors
// (ValidationError, 400; RequestEntityTooLarge, 413).
func inputError(err error) *protocol.APIError {
	in, ok := err.(*model.InputError)
	switch {
	case !ok:
		return nil
	case in.Kind == model.TooLarge:
		return &protocol.APIError{Type: "RequestEntityTooLarge", Status: http.StatusRequestEntityTooLarge, Message: "The request body is larger than the service accepts."}
	}
	return &protocol.APIError{Type: "ValidationError", Status: http.StatusBadRequest, Message: in.Message}
}

// GetCallerIdentity answers with the account of the caller's access key.
// The credentials are an account's root credentials: the same ARN and
// user id AWS gives the root user.
func (s *Service) GetCallerIdentity(_ context.Context, call *protocol.Call, _ *api.GetCallerIdentityRequest) (*api.GetCallerIdentityResponse, error) {
	return &api.GetCallerIdentityResponse{
		Account: new(call.Account),
		Arn:     new("arn:" + awsarn.Partition(call.Region) + ":iam::" + call.Account + ":root"),
		UserId:  new(call.Account),
	}, nil
}
