// Package guardduty is the Amazon GuardDuty (guardduty, API 2017-11-28)
// adapter: detectors and the administrator/member/invitation workflow,
// served over rest-json on the membership engine that Macie uses. What is
// GuardDuty's own lives here: detector ids in every path, the detector's
// features and data sources, the wire names, the error shape with
// "__type", and the unprocessedAccounts[].result strings.
package guardduty

import (
	"log/slog"
	"net/http"
	"regexp"
	"strings"

	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol/restjson"
)

// SigningName is GuardDuty's SigV4 service name.
const SigningName = "guardduty"

// Limits from the service model and the GuardDuty quotas (spec §10).
const (
	memberQuota             = 5000
	organizationMemberQuota = 50000
	maxPageSize             = 50
	maxAccountIDs           = 50
	maxTags                 = 50
	maxEmailLength          = 64
)

// Rules are GuardDuty's answers to the points on which services differ;
// each is argued in ../shared/spec/guardduty.md (section in the comment).
func Rules() membership.Rules {
	return membership.Rules{
		EnablementIDs:              true,                    // §3.1: one detector, a 32-hex id
		MemberQuota:                memberQuota,             // §10
		OrganizationMemberQuota:    organizationMemberQuota, // §10
		MaxTags:                    maxTags,                 // §5 tagging
		ResendInvitations:          false,                   // §2.3: an Invited member is "already invited"
		DeleteAssociatedMembers:    false,                   // §6 DeleteMembers, §12.1
		DeleteRequiresDecline:      true,                    // §7 DeleteInvitations
		DisableResignsMember:       true,                    // §5 DeleteDetector, §12.4
		OrgAdminEnablesService:     true,                    // §8: a detector is created in the delegated administrator
		OrgManagementMustBeEnabled: true,                    // §2.3: "your organization master must first enable GuardDuty"
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
	errs       errorReplies
	router     *restjson.Router
}

// New returns the GuardDuty adapter over engine.
func New(engine *membership.Engine, logger *slog.Logger) *Service {
	s := &Service{
		svc:  engine.Service(SigningName, Rules()),
		org:  engine.Organization(),
		errs: newErrorReplies(),

		arnPattern: detectorARNPattern(),
	}
	s.router = &restjson.Router{Errors: s.errs.toAPI, Internal: internalError(), Logger: logger}
	s.routes()
	return s
}

// SigningName returns "guardduty".
func (s *Service) SigningName() string { return SigningName }

// Operations lists the operations served.
func (s *Service) Operations() []string { return s.router.Operations() }

// ServeHTTP serves one GuardDuty request; its context carries the protocol.Call.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.router.ServeHTTP(w, r) }

// routes is the whole operation table, method and path as in the model.
func (s *Service) routes() {
	rt := s.router
	const ok, noContent = http.StatusOK, http.StatusNoContent

	rt.Handle("POST", "/detector", "CreateDetector", ok, s.createDetector)
	rt.Handle("GET", "/detector", "ListDetectors", ok, s.listDetectors)
	rt.Handle("GET", "/detector/{detectorId}", "GetDetector", ok, s.getDetector)
	rt.Handle("POST", "/detector/{detectorId}", "UpdateDetector", ok, s.updateDetector)
	rt.Handle("DELETE", "/detector/{detectorId}", "DeleteDetector", ok, s.deleteDetector)

	rt.Handle("POST", "/detector/{detectorId}/member", "CreateMembers", ok, s.createMembers)
	rt.Handle("GET", "/detector/{detectorId}/member", "ListMembers", ok, s.listMembers)
	rt.Handle("POST", "/detector/{detectorId}/member/get", "GetMembers", ok, s.getMembers)
	rt.Handle("POST", "/detector/{detectorId}/member/invite", "InviteMembers", ok, s.inviteMembers)
	rt.Handle("POST", "/detector/{detectorId}/member/delete", "DeleteMembers", ok, s.deleteMembers)
	rt.Handle("POST", "/detector/{detectorId}/member/disassociate", "DisassociateMembers", ok, s.disassociateMembers)
	rt.Handle("POST", "/detector/{detectorId}/member/start", "StartMonitoringMembers", ok, s.startMonitoringMembers)
	rt.Handle("POST", "/detector/{detectorId}/member/stop", "StopMonitoringMembers", ok, s.stopMonitoringMembers)
	rt.Handle("POST", "/detector/{detectorId}/member/detector/get", "GetMemberDetectors", ok, s.getMemberDetectors)
	rt.Handle("POST", "/detector/{detectorId}/member/detector/update", "UpdateMemberDetectors", ok, s.updateMemberDetectors)

	rt.Handle("POST", "/detector/{detectorId}/administrator", "AcceptAdministratorInvitation", ok, s.acceptAdministratorInvitation)
	rt.Handle("GET", "/detector/{detectorId}/administrator", "GetAdministratorAccount", ok, s.getAdministratorAccount)
	rt.Handle("POST", "/detector/{detectorId}/administrator/disassociate", "DisassociateFromAdministratorAccount", ok, s.disassociateFromAdministrator)
	rt.Handle("POST", "/detector/{detectorId}/master", "AcceptInvitation", ok, s.acceptInvitation)
	rt.Handle("GET", "/detector/{detectorId}/master", "GetMasterAccount", ok, s.getMasterAccount)
	rt.Handle("POST", "/detector/{detectorId}/master/disassociate", "DisassociateFromMasterAccount", ok, s.disassociateFromAdministrator)

	rt.Handle("GET", "/invitation", "ListInvitations", ok, s.listInvitations)
	rt.Handle("GET", "/invitation/count", "GetInvitationsCount", ok, s.getInvitationsCount)
	rt.Handle("POST", "/invitation/decline", "DeclineInvitations", ok, s.declineInvitations)
	rt.Handle("POST", "/invitation/delete", "DeleteInvitations", ok, s.deleteInvitations)

	rt.Handle("GET", "/admin", "ListOrganizationAdminAccounts", ok, s.listOrganizationAdminAccounts)
	rt.Handle("POST", "/admin/enable", "EnableOrganizationAdminAccount", ok, s.enableOrganizationAdminAccount)
	rt.Handle("POST", "/admin/disable", "DisableOrganizationAdminAccount", ok, s.disableOrganizationAdminAccount)
	rt.Handle("GET", "/detector/{detectorId}/admin", "DescribeOrganizationConfiguration", ok, s.describeOrganizationConfiguration)
	rt.Handle("POST", "/detector/{detectorId}/admin", "UpdateOrganizationConfiguration", ok, s.updateOrganizationConfiguration)

	rt.Handle("POST", "/tags/{resourceArn}", "TagResource", noContent, s.tagResource)
	rt.Handle("DELETE", "/tags/{resourceArn}", "UntagResource", noContent, s.untagResource)
	rt.Handle("GET", "/tags/{resourceArn}", "ListTagsForResource", ok, s.listTagsForResource)
}

// caller returns the engine's view of who calls, without a detector.
func caller(r *restjson.Request) membership.Caller {
	return membership.Caller{Account: r.Call.Account, Region: r.Call.Region}
}

// detectorCaller returns the caller with the detector id of the path,
// which must be well-formed; the engine checks that the caller owns it.
func detectorCaller(r *restjson.Request) (membership.Caller, error) {
	c := caller(r)
	id := r.Param("detectorId")
	if !isDetectorID(id) {
		return c, restjson.Invalid("detectorId", "a detector id is 32 lowercase letters and digits.")
	}
	c.ResourceID = id
	return c, nil
}

// isDetectorID reports whether id has the shape of a detector id: 32
// characters of [0-9a-z] (spec §2.2; the ids localsec makes are hex).
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

// page reads maxResults (1..50, default 50) and nextToken.
func page(r *restjson.Request) (membership.Page, error) {
	token, limit, err := r.PageParams(maxPageSize)
	return membership.Page{Token: token, Limit: limit}, err
}

// accountIDList checks a required list of 1..50 account ids of 12 digits.
// GuardDuty refuses the whole request for a malformed id (spec §6).
func accountIDList(field string, ids *[]string) ([]string, error) {
	if ids == nil {
		return nil, restjson.Missing(field)
	}
	if len(*ids) < 1 || len(*ids) > maxAccountIDs {
		return nil, restjson.Invalid(field, "the list must contain between 1 and 50 account IDs.")
	}
	for _, id := range *ids {
		if !membership.IsAccountID(id) {
			return nil, restjson.Invalid(field, "an account ID is 12 digits.")
		}
	}
	return *ids, nil
}

// enumValue checks that v is one of allowed.
func enumValue(field, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return restjson.Invalid(field, "it must be one of "+strings.Join(allowed, ", ")+".")
}

// checkTags applies the model's TagMap constraints: keys of 1..128
// characters matching (?!aws:)[a-zA-Z+-=._:/]+, values of 0..256; and at
// most 50 tags (the documented quota; the shape allows 200).
func checkTags(field string, tags map[string]string) error {
	if len(tags) > maxTags {
		return restjson.Invalid(field, "a resource can have no more than 50 tags.")
	}
	for k, v := range tags {
		if err := checkTagKey(field, k); err != nil {
			return err
		}
		if len(v) > 256 {
			return restjson.Invalid(field, "a tag value can be at most 256 characters long.")
		}
	}
	return nil
}

func checkTagKey(field, k string) error {
	if len(k) == 0 || len(k) > 128 || strings.HasPrefix(k, "aws:") {
		return restjson.Invalid(field, "a tag key is 1 to 128 characters and does not start with aws:.")
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		letter := (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		// '+' to '=' is a range in the model's pattern: it holds
		// + , - . / 0-9 : ; < =.
		if !letter && !(c >= '+' && c <= '=') && c != '_' {
			return restjson.Invalid(field, "a tag key may only hold letters, digits and + - = . _ : / characters.")
		}
	}
	return nil
}
