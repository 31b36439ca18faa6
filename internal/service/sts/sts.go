// Package sts serves the AWS STS calls that tools make to learn which
// account their credentials belong to (GetCallerIdentity) and to act as
// another account (AssumeRole into the role AWS Organizations made in an
// account it created). With them the Terraform AWS provider finds each
// provider alias's account from its access key and reaches created
// accounts through assume_role. The awsquery layer speaks the protocol (a
// form naming its Action, answered in XML).
package sts

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	api "github.com/localsec/localsec/internal/api/sts"
	"github.com/localsec/localsec/internal/awsarn"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/awsquery"
	"github.com/localsec/localsec/internal/protocol/endpoint"
	"github.com/localsec/localsec/internal/protocol/model"
	"github.com/localsec/localsec/internal/sessions"
)

// SigningName is STS's SigV4 service name.
const SigningName = "sts"

// maxBody bounds the form body; STS's are a few hundred bytes.
const maxBody = 64 << 10

// Service serves STS.
type Service struct {
	sessions *sessions.Engine
	server   *awsquery.Server
}

var _ api.API = (*Service)(nil)

// New returns the STS adapter; sessions issues AssumeRole's credentials.
func New(sess *sessions.Engine, logger *slog.Logger) *Service {
	s := &Service{sessions: sess}
	s.server = awsquery.New(api.Model(), api.Handlers(s), endpoint.Config{
		Errors:       mapError,
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
// The server names its refusals of credentials and signatures as the JSON
// services do; the query services (STS, IAM) have their own names for the
// same refusals, which clients match on (aws-cli: "An error occurred
// (InvalidClientTokenId) when calling the GetCallerIdentity operation").
func (s *Service) WriteError(w http.ResponseWriter, call *protocol.Call, e *protocol.APIError) {
	if name, ok := queryAuthErrors[e.Type]; ok {
		renamed := *e
		renamed.Type = name
		e = &renamed
	}
	s.server.WriteError(w, call, e)
}

// queryAuthErrors maps the JSON services' authentication error names to
// the query protocol's.
var queryAuthErrors = map[string]string{
	"UnrecognizedClientException": "InvalidClientTokenId",
	"InvalidSignatureException":   "SignatureDoesNotMatch",
	"ExpiredTokenException":       "ExpiredToken",
}

// mapError answers a request STS refuses: the protocol's common errors
// (ValidationError, 400; RequestEntityTooLarge, 413) and AssumeRole's
// AccessDenied (403).
func mapError(err error) *protocol.APIError {
	var in *model.InputError
	if errors.As(err, &in) {
		if in.Kind == model.TooLarge {
			return &protocol.APIError{Type: "RequestEntityTooLarge", Status: http.StatusRequestEntityTooLarge, Message: "The request body is larger than the service accepts."}
		}
		return &protocol.APIError{Type: "ValidationError", Status: http.StatusBadRequest, Message: in.Message}
	}
	var denied *accessDenied
	if errors.As(err, &denied) {
		return &protocol.APIError{Type: "AccessDenied", Status: http.StatusForbidden,
			Message: "User: " + denied.caller + " is not authorized to perform: sts:AssumeRole on resource: " + denied.role}
	}
	var se *sessions.Error
	if errors.As(err, &se) && se.Code == sessions.CodeInvalidRoleArn {
		return &protocol.APIError{Type: "ValidationError", Status: http.StatusBadRequest,
			Message: se.RoleArn + " is not a valid role ARN (arn:aws:iam::<account>:role/<name>)."}
	}
	return nil
}

// accessDenied is AssumeRole's refusal, with the names AWS's text gives.
type accessDenied struct{ caller, role string }

func (e *accessDenied) Error() string { return "AccessDenied: " + e.caller + " on " + e.role }

// callerARN is the ARN of who calls: an account's root, or an assumed
// role's session.
func callerARN(call *protocol.Call) string {
	p := awsarn.Partition(call.Region)
	if r := call.Role; r != nil {
		return "arn:" + p + ":sts::" + call.Account + ":assumed-role/" + r.Name + "/" + r.SessionName
	}
	return "arn:" + p + ":iam::" + call.Account + ":root"
}

// GetCallerIdentity answers with the caller's account: its root user, or
// the assumed role's session.
func (s *Service) GetCallerIdentity(_ context.Context, call *protocol.Call, _ *api.GetCallerIdentityRequest) (*api.GetCallerIdentityResponse, error) {
	userID := call.Account
	if r := call.Role; r != nil {
		userID = r.ID + ":" + r.SessionName
	}
	return &api.GetCallerIdentityResponse{Account: new(call.Account), Arn: new(callerARN(call)), UserId: new(userID)}, nil
}

// AssumeRole gives the caller temporary credentials of a role: the role
// an organization's CreateAccount made, assumed by that organization's
// management account.
func (s *Service) AssumeRole(ctx context.Context, call *protocol.Call, in *api.AssumeRoleRequest) (*api.AssumeRoleResponse, error) {
	duration := time.Duration(0)
	if in.DurationSeconds != nil {
		duration = time.Duration(*in.DurationSeconds) * time.Second
	}
	sess, err := s.sessions.AssumeRole(ctx, call.Account, *in.RoleArn, *in.RoleSessionName, duration)
	var se *sessions.Error
	if errors.As(err, &se) && se.Code == sessions.CodeAccessDenied {
		return nil, &accessDenied{caller: callerARN(call), role: *in.RoleArn}
	}
	if err != nil {
		return nil, err
	}
	p := awsarn.Partition(call.Region)
	return &api.AssumeRoleResponse{
		AssumedRoleUser: &api.AssumedRoleUser{
			Arn:           new("arn:" + p + ":sts::" + sess.Account + ":assumed-role/" + sess.RoleName + "/" + sess.SessionName),
			AssumedRoleId: new(sess.RoleID + ":" + sess.SessionName),
		},
		Credentials: &api.Credentials{
			AccessKeyId:     new(sess.AccessKeyID),
			SecretAccessKey: new(sess.Secret),
			SessionToken:    new(sess.Token),
			Expiration:      &sess.Expires,
		},
	}, nil
}
