// Package guardduty is the Amazon GuardDuty (guardduty, API 2017-11-28)
// adapter: detectors and the administrator/member/invitation workflow,
// served on the membership engine that Macie uses. It translates the
// generated inputs of internal/api/guardduty into engine calls and the
// engine's results into GuardDuty's outputs. What is GuardDuty's own lives
// here: detector ids in every path, the detector's features and data
// sources, the error form with "__type", and the
// unprocessedAccounts[].result strings. Routing, binding, validation
// against the model and the wire form are the restjson layer's.
package guardduty

import (
	"log/slog"
	"net/http"
	"regexp"
	"time"

	api "github.com/localsec/localsec/internal/api/guardduty"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/endpoint"
	"github.com/localsec/localsec/internal/protocol/model"
	"github.com/localsec/localsec/internal/protocol/restjson"
	"github.com/localsec/localsec/internal/service/adapter"
)

// SigningName is GuardDuty's SigV4 service name.
const SigningName = "guardduty"

// Limits from the GuardDuty quotas (spec §10); the model states the others.
const (
	memberQuota             = 5000
	organizationMemberQuota = 50000
	maxPageSize             = 50 // the model's MaxResults; the default page
	maxTags                 = 50 // the documented quota; the model's TagMap allows 200
)

// Rules are GuardDuty's answers to the points on which services differ;
// each is argued in ../shared/spec/guardduty.md (section in the comment).
func Rules() membership.Rules {
	return membership.Rules{
		ServicePrincipal:           "guardduty.amazonaws.com", // organizations.md §13.1
		EnablementIDs:              true,                      // §3.1: one detector, a 32-hex id
		MemberQuota:                memberQuota,               // §10
		OrganizationMemberQuota:    organizationMemberQuota,   // §10
		MaxTags:                    maxTags,                   // §5 tagging
		ResendInvitations:          false,                     // §2.3: an Invited member is "already invited"
		DeleteAssociatedMembers:    false,                     // §6 DeleteMembers, §12.1
		DeleteRequiresDecline:      true,                      // §7 DeleteInvitations
		DisableResignsMember:       true,                      // §5 DeleteDetector, §12.4
		OrgAdminEnablesService:     true,                      // §8: a detector is created in the delegated administrator
		OrgManagementMustBeEnabled: true,                      // §2.3: "your organization master must first enable GuardDuty"
		// Declined, accepted and removed invitations are not listed
		// (§7 ListInvitations, §12.2, §12.3); a Resigned member's old
		// invitation is.
	}
}

// Service serves GuardDuty.
type Service struct {
	svc        *membership.Service
	arnPattern *regexp.Regexp
	org        membership.Organization
	errs       adapter.Errors
	server     *restjson.Server
}

var _ api.API = (*Service)(nil)

// New returns the GuardDuty adapter over engine.
func New(engine *membership.Engine, logger *slog.Logger) *Service {
	s := &Service{
		svc:        engine.Service(SigningName, Rules()),
		org:        engine.Organization(),
		errs:       newErrors(),
		arnPattern: detectorARNPattern(),
	}
	s.server = restjson.New(api.Model(), api.Handlers(s), endpoint.Config{
		Errors:   s.errs.Map,
		Internal: internalError(),
		// "__type" comes with each error's Fields (errors.go).
		ErrorBody: endpoint.ErrorBody{Message: "message"},
		Logger:    logger,
	})
	return s
}

// SigningName returns "guardduty".
func (s *Service) SigningName() string { return SigningName }

// Operations lists the operations served.
func (s *Service) Operations() []string { return s.server.Operations() }

// ServeHTTP serves one GuardDuty request; its context carries the protocol.Call.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.server.ServeHTTP(w, r) }

// WriteError writes e as GuardDuty writes its errors.
func (s *Service) WriteError(w http.ResponseWriter, _ *protocol.Call, e *protocol.APIError) {
	s.server.WriteError(w, e)
}

// caller returns the engine's view of who calls, without a detector.
func caller(call *protocol.Call) membership.Caller { return adapter.Caller(call) }

// detectorCaller returns the caller with the detector id of the path,
// which must be well-formed; the engine checks that the caller owns it.
func detectorCaller(call *protocol.Call, detectorID *string) (membership.Caller, error) {
	c := caller(call)
	if !isDetectorID(*detectorID) {
		return c, model.Refuse("detectorId", "The detectorId must be 32 lowercase letters and digits.")
	}
	c.ResourceID = *detectorID
	return c, nil
}

// isDetectorID reports whether id has the shape of a detector id: 32
// characters of [0-9a-z] (spec §2.2; the ids localsec makes are hex). The
// model only bounds its length (1..300).
func isDetectorID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'z') {
			return false
		}
	}
	return true
}

// page reads maxResults (1..50 by the model, default 50) and nextToken.
func page(maxResults *int32, nextToken *string) membership.Page {
	return adapter.Page(maxResults, nextToken, maxPageSize)
}

// accountIDs checks the ids of a batch: 12 characters by the model, and
// digits; GuardDuty refuses the whole request for a malformed id (spec §6).
func accountIDs(field string, ids []string) ([]string, error) {
	for _, id := range ids {
		if !membership.IsAccountID(id) {
			return nil, model.Refuse(field, "The value of "+field+" is not valid: an account ID is 12 digits.")
		}
	}
	return ids, nil
}

// refusal turns the single unprocessed account of a one-account engine
// call into the error that ends the request.
func refusal(us []membership.Unprocessed) error { return adapter.Refusal(us) }

// isoTime is a timestamp GuardDuty's model types as a string: ISO 8601 in
// UTC with milliseconds (spec §1); absent for the zero time.
func isoTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	return new(t.UTC().Format(model.ISO8601Layout))
}
