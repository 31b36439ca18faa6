// Package macie2 is the Amazon Macie (macie2, API 2020-01-01) adapter: it
// serves Macie's account-membership operations by translating the
// generated inputs of internal/api/macie2 into calls on the membership
// engine, and the engine's results and refusals into Macie's outputs,
// exceptions and messages. Routing, binding, validation against the model
// and the wire form are the restjson layer's.
package macie2

import (
	"log/slog"
	"net/http"

	api "github.com/localsec/localsec/internal/api/macie2"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/endpoint"
	"github.com/localsec/localsec/internal/protocol/restjson"
	"github.com/localsec/localsec/internal/service/adapter"
)

// SigningName is Macie's SigV4 service name.
const SigningName = "macie2"

// Quotas and limits from the Macie User Guide and the spec (section in
// the comment); the model states none of them.
const (
	memberQuota             = 1000  // §9.4
	organizationMemberQuota = 10000 // §9.4
	maxPageSize             = 25    // the model's MaxResults; the default page
	maxAccountIDs           = 50    // §4.2 [I]
	maxInvitationMessage    = 80    // §4.2
	maxTags                 = 50    // §7
)

// Rules are Macie's answers to the points on which services differ; each
// is argued in ../shared/spec/macie2.md (section in the comment).
func Rules() membership.Rules {
	return membership.Rules{
		ServicePrincipal:              "macie.amazonaws.com",   // organizations.md §13.1
		MemberQuota:                   memberQuota,             // §9.4
		OrganizationMemberQuota:       organizationMemberQuota, // §9.4
		MaxTags:                       maxTags,                 // §7
		SameAdministratorInAllRegions: true,                    // §9.5
		ResendInvitations:             true,                    // §4.2: re-send from Invited
		AcceptAgainSucceeds:           true,                    // §5.3
		DisassociateCreatedMembers:    true,                    // §4.5, §9.1
		DeleteAssociatedMembers:       true,                    // §4.6, §12.3
		ListDeclinedInvitations:       true,                    // §5.1, §5.4
		ListCurrentInvitation:         true,                    // §5.1
		ListRemovedInvitations:        true,                    // §4.5
		SuspendNeedsNoMembers:         true,                    // §3.3
		MemberSuspendMirrors:          true,                    // §3.3
		InvitationsNeedEnablement:     true,                    // §8
		OrganizationNeedsEnablement:   true,                    // §8
		TagsNeedEnablement:            true,                    // §8
	}
}

// Service serves Macie.
type Service struct {
	svc    *membership.Service
	org    membership.Organization
	errs   adapter.Errors
	server *restjson.Server
	// unprocessedTexts is UnprocessedMessages, built once.
	unprocessedTexts map[membership.Code]string
}

var _ api.API = (*Service)(nil)

// New returns the Macie adapter over engine.
func New(engine *membership.Engine, logger *slog.Logger) *Service {
	s := &Service{
		svc:  engine.Service(SigningName, Rules()),
		org:  engine.Organization(),
		errs: newErrors(),

		unprocessedTexts: UnprocessedMessages(),
	}
	s.server = restjson.New(api.Model(), api.Handlers(s), endpoint.Config{
		Errors:    s.errs.Map,
		Internal:  internalError(),
		ErrorBody: endpoint.ErrorBody{Message: "message"},
		Logger:    logger,
	})
	return s
}

// SigningName returns "macie2".
func (s *Service) SigningName() string { return SigningName }

// Operations lists the operations served.
func (s *Service) Operations() []string { return s.server.Operations() }

// ServeHTTP serves one Macie request; its context carries the protocol.Call.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.server.ServeHTTP(w, r) }

// WriteError writes e as Macie writes its errors.
func (s *Service) WriteError(w http.ResponseWriter, _ *protocol.Call, e *protocol.APIError) {
	s.server.WriteError(w, e)
}

// caller returns the engine's view of who calls.
func caller(call *protocol.Call) membership.Caller { return adapter.Caller(call) }

// page reads maxResults (1..25 by the model, default 25) and nextToken.
func page(maxResults *int32, nextToken *string) membership.Page {
	return adapter.Page(maxResults, nextToken, maxPageSize)
}

// accountIDs checks a list of account ids: 1..50 entries (spec §4.2 [I];
// the model gives no bound). The ids themselves are checked by the
// engine, one by one.
func accountIDs(field string, ids []string) ([]string, error) {
	if len(ids) < 1 || len(ids) > maxAccountIDs {
		return nil, refuse(field, "The value of "+field+" is not valid: the list must contain between 1 and 50 account IDs.")
	}
	return ids, nil
}

// refusal turns the single unprocessed account of a one-account engine
// call into the error that ends the request.
func refusal(us []membership.Unprocessed) error { return adapter.Refusal(us) }
