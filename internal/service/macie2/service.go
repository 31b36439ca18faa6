// Package macie2 is the Amazon Macie (macie2, API 2020-01-01) adapter: it
// serves Macie's account-membership operations over rest-json by
// translating them into calls on the membership engine, and Macie's wire
// names, statuses and errors back.
package macie2

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol/restjson"
)

// SigningName is Macie's SigV4 service name.
const SigningName = "macie2"

// Quotas from the Macie User Guide (spec §9.4).
const (
	memberQuota             = 1000
	organizationMemberQuota = 10000
	maxPageSize             = 25
	maxAccountIDs           = 50
	maxInvitationMessage    = 80
	maxTags                 = 50
)

// Rules are Macie's answers to the points on which services differ; each
// is argued in ../shared/spec/macie2.md (section in the comment).
func Rules() membership.Rules {
	return membership.Rules{
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
	errs   errorReplies
	router *restjson.Router
}

// New returns the Macie adapter over engine.
func New(engine *membership.Engine, logger *slog.Logger) *Service {
	s := &Service{
		svc:  engine.Service(SigningName, Rules()),
		org:  engine.Organization(),
		errs: newErrorReplies(),
	}
	s.router = &restjson.Router{Errors: s.errs.toAPI, Internal: internalError(), Logger: logger}
	s.routes()
	return s
}

// SigningName returns "macie2".
func (s *Service) SigningName() string { return SigningName }

// Operations lists the operations served.
func (s *Service) Operations() []string { return s.router.Operations() }

// ServeHTTP serves one Macie request; its context carries the protocol.Call.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.router.ServeHTTP(w, r) }

// routes is the whole operation table, method and path as in the model.
func (s *Service) routes() {
	rt := s.router
	const ok, noContent = http.StatusOK, http.StatusNoContent

	rt.Handle("POST", "/macie", "EnableMacie", ok, s.enableMacie)
	rt.Handle("GET", "/macie", "GetMacieSession", ok, s.getMacieSession)
	rt.Handle("PATCH", "/macie", "UpdateMacieSession", ok, s.updateMacieSession)
	rt.Handle("DELETE", "/macie", "DisableMacie", ok, s.disableMacie)
	rt.Handle("PATCH", "/macie/members/{id}", "UpdateMemberSession", ok, s.updateMemberSession)

	rt.Handle("POST", "/members", "CreateMember", ok, s.createMember)
	rt.Handle("GET", "/members", "ListMembers", ok, s.listMembers)
	rt.Handle("GET", "/members/{id}", "GetMember", ok, s.getMember)
	rt.Handle("DELETE", "/members/{id}", "DeleteMember", ok, s.deleteMember)
	rt.Handle("POST", "/members/disassociate/{id}", "DisassociateMember", ok, s.disassociateMember)

	rt.Handle("POST", "/invitations", "CreateInvitations", ok, s.createInvitations)
	rt.Handle("GET", "/invitations", "ListInvitations", ok, s.listInvitations)
	rt.Handle("GET", "/invitations/count", "GetInvitationsCount", ok, s.getInvitationsCount)
	rt.Handle("POST", "/invitations/accept", "AcceptInvitation", ok, s.acceptInvitation)
	rt.Handle("POST", "/invitations/decline", "DeclineInvitations", ok, s.declineInvitations)
	rt.Handle("POST", "/invitations/delete", "DeleteInvitations", ok, s.deleteInvitations)

	rt.Handle("GET", "/administrator", "GetAdministratorAccount", ok, s.getAdministratorAccount)
	rt.Handle("POST", "/administrator/disassociate", "DisassociateFromAdministratorAccount", ok, s.disassociateFromAdministrator)
	rt.Handle("GET", "/master", "GetMasterAccount", ok, s.getMasterAccount)
	rt.Handle("POST", "/master/disassociate", "DisassociateFromMasterAccount", ok, s.disassociateFromAdministrator)

	rt.Handle("POST", "/admin", "EnableOrganizationAdminAccount", ok, s.enableOrganizationAdminAccount)
	rt.Handle("DELETE", "/admin", "DisableOrganizationAdminAccount", ok, s.disableOrganizationAdminAccount)
	rt.Handle("GET", "/admin", "ListOrganizationAdminAccounts", ok, s.listOrganizationAdminAccounts)
	rt.Handle("GET", "/admin/configuration", "DescribeOrganizationConfiguration", ok, s.describeOrganizationConfiguration)
	rt.Handle("PATCH", "/admin/configuration", "UpdateOrganizationConfiguration", ok, s.updateOrganizationConfiguration)

	rt.Handle("POST", "/tags/{resourceArn}", "TagResource", noContent, s.tagResource)
	rt.Handle("DELETE", "/tags/{resourceArn}", "UntagResource", noContent, s.untagResource)
	rt.Handle("GET", "/tags/{resourceArn}", "ListTagsForResource", ok, s.listTagsForResource)
}

// caller returns the engine's view of who calls.
func caller(r *restjson.Request) membership.Caller {
	return membership.Caller{Account: r.Call.Account, Region: r.Call.Region}
}

// page reads maxResults (1..25, default 25) and nextToken.
func page(r *restjson.Request) (membership.Page, error) {
	token, limit, err := r.PageParams(maxPageSize)
	return membership.Page{Token: token, Limit: limit}, err
}

// accountIDList checks a required list of account ids: 1..50 entries.
// The ids themselves are checked by the engine, one by one.
func accountIDList(field string, ids *[]string) ([]string, error) {
	if ids == nil {
		return nil, restjson.Missing(field)
	}
	if len(*ids) < 1 || len(*ids) > maxAccountIDs {
		return nil, restjson.Invalid(field, "the list must contain between 1 and 50 account IDs.")
	}
	return *ids, nil
}

// checkTags applies the tag constraints of Macie's TagMap.
func checkTags(field string, tags map[string]string) error {
	if len(tags) > maxTags {
		return restjson.Invalid(field, "a resource can have no more than 50 tags.")
	}
	for k, v := range tags {
		switch {
		case len(k) == 0 || len(k) > 128:
			return restjson.Invalid(field, "a tag key must be 1 to 128 characters long.")
		case len(v) > 256:
			return restjson.Invalid(field, "a tag value can be at most 256 characters long.")
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			return restjson.Invalid(field, "tag keys can't start with aws:.")
		}
	}
	return nil
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
