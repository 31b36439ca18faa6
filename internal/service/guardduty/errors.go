package guardduty

import (
	"net/http"
	"strings"

	api "github.com/localsec/localsec/internal/api/guardduty"
	"github.com/localsec/localsec/internal/fidelity"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/model"
	"github.com/localsec/localsec/internal/service/adapter"
)

// GuardDuty's exceptions (the header) and the finer codes its bodies carry
// in "__type" (spec §2.1).
const (
	badRequestException          = "BadRequestException"          // 400
	accessDeniedException        = "AccessDeniedException"        // 403
	internalServerErrorException = "InternalServerErrorException" // 500

	invalidInputType = "InvalidInputException"
	internalType     = "InternalException"
)

// Reply is what GuardDuty answers for one engine refusal that ends a
// request.
type Reply = fidelity.Reply

// Evidence marks a message Confirmed (seen from AWS, spec §2.2, §2.3) or
// Inferred.
const (
	Confirmed = fidelity.Confirmed
	Inferred  = fidelity.Inferred
)

// Texts shared by several answers.
const (
	msgInvalidValue    = "The request is rejected because an invalid or out-of-range value is specified as an input parameter."
	msgInvalidParams   = "The request is rejected because one or more input parameters have invalid values."
	msgNotOwned        = "The request is rejected because the input detectorId is not owned by the current account."
	msgNoOrgPermission = "The request failed because you do not have required AWS Organization master permission."
	msgNotAssociated   = "The request is rejected because the given account ID is not an associated member of account the current account."
	msgNoInvitation    = "The request is rejected because the current account does not have an invitation from the requested master account."
	msgCannotDelete    = "The request is rejected because the current account cannot delete the invitation from the given master account ID since it is still associated to it or has not declined their invitation yet."
)

// Messages is the one table of every message localsec's GuardDuty sends
// for an engine refusal that ends a request. All are 400
// BadRequestException with __type InvalidInputException unless the
// exception says otherwise.
func Messages() map[membership.Code]Reply {
	bad := func(msg string, ev fidelity.Evidence) Reply { return reply(badRequestException, msg, ev) }
	return map[membership.Code]Reply{
		membership.CodeNotEnabled:             bad(msgNotOwned, Inferred),
		membership.CodeResourceNotOwned:       bad(msgNotOwned, Confirmed),
		membership.CodeAlreadyEnabled:         bad("The request is rejected because a detector already exists for the current account.", Confirmed),
		membership.CodeDisableWhileMember:     bad(msgInvalidValue, Inferred),
		membership.CodeDisableWithMembers:     bad("The request is rejected because the current account cannot delete detector while it has invited or associated members.", Confirmed),
		membership.CodeSuspendWithMembers:     bad(msgInvalidValue, Inferred),
		membership.CodeInvalidAccountID:       bad(msgInvalidValue, Inferred),
		membership.CodeSelfMember:             bad("The request is rejected because an account cannot become a member of itself.", Confirmed),
		membership.CodeAlreadyMember:          bad("The request is rejected because the given account ID is already a member or associated member of the current account.", Confirmed),
		membership.CodeCreateByMember:         bad("The request is rejected because the current account cannot create members since it is already an associated member of another master account.", Confirmed),
		membership.CodeMemberQuotaExceeded:    bad("The request is rejected because the current account cannot create anymore members since it cannot exceed the maximum number of allowed members.", Confirmed),
		membership.CodeMemberOfAnother:        bad("The request is rejected because the given account ID is already an associated member of another master account.", Inferred),
		membership.CodeMemberIsAdministrator:  bad("The request is rejected because the given account ID still has created, invited or associated members.", Inferred),
		membership.CodeManagementNotEnabled:   bad("Operation failed because your organization master must first enable GuardDuty to be added as a member", Confirmed),
		membership.CodeSelfInvite:             bad("The request is rejected because the current account cannot invite itself.", Confirmed),
		membership.CodeInviteByMember:         bad("The request is rejected because the current account cannot invite other accounts since it is already an associated member of another master account.", Confirmed),
		membership.CodeNotCreated:             bad("The request is rejected because member account's email address is missing.", Confirmed),
		membership.CodeAlreadyInvited:         bad("The request is rejected because the current account has already invited or is already the GuardDuty master of the given member account ID.", Confirmed),
		membership.CodeOrganizationMember:     bad("The request is rejected because the given account ID is a member through AWS Organizations and cannot be invited.", Inferred),
		membership.CodeNotMember:              bad(msgNotAssociated, Confirmed),
		membership.CodeNotAssociated:          bad(msgNotAssociated, Confirmed),
		membership.CodeStillAssociated:        bad("The request is rejected because the current account cannot delete the given member account ID since it is still associated to it.", Confirmed),
		membership.CodeNoInvitation:           bad(msgNoInvitation, Confirmed),
		membership.CodeAcceptWhileMember:      bad("The request is rejected because the current account cannot accept invitations since it is already an associated member of some master account.", Confirmed),
		membership.CodeAcceptWithMembers:      bad("The request is rejected because the current account cannot accept invitations since it still has created, invited or associated members.", Confirmed),
		membership.CodeInviterIsMember:        bad("The request is rejected because the current account cannot accept invitation from the given account ID since the latter is an associated member of another master account.", Confirmed),
		membership.CodeInvitationIsCurrent:    bad(msgCannotDelete, Confirmed),
		membership.CodeInvitationNotDeclined:  bad(msgCannotDelete, Confirmed),
		membership.CodeNoAdministrator:        bad("The request is rejected because the current account is not associated to a master account.", Confirmed),
		membership.CodeManagedByOrganization:  bad("The request is rejected because the current account is a member through AWS Organizations and cannot disassociate itself from its master account.", Inferred),
		membership.CodeNotManagementAccount:   bad(msgNoOrgPermission, Inferred),
		membership.CodeNotInOrganization:      bad(msgInvalidValue, Confirmed),
		membership.CodeOrgAdminExists:         bad("The request failed because your organization already has a GuardDuty delegated administrator account.", Inferred),
		membership.CodeOrgAdminNotFound:       bad("The request failed because the delegated administrator account has already been disabled and/or GuardDuty protection has been disabled.", Confirmed),
		membership.CodeNotOrgAdmin:            bad(msgNoOrgPermission, Confirmed),
		membership.CodeInvalidNextToken:       bad(msgInvalidValue, Inferred),
		membership.CodeResourceNotFound:       bad("The request is rejected since no such resource found.", Inferred),
		membership.CodeResourceOfOtherAccount: reply(accessDeniedException, "The request is rejected because the resource belongs to another account.", Inferred),
		membership.CodeTooManyTags:            bad(msgInvalidValue, Inferred),
	}
}

// declineCurrentInvitation is DeclineInvitations' result for the
// invitation of the current association (inferred; the other results are
// the texts of Messages, spec §2.3).
const declineCurrentInvitation = "The request is rejected because the current account is already an associated member of the given master account ID."

func newErrors() adapter.Errors {
	return adapter.Errors{Replies: Messages(), Input: inputError, Wire: apiError}
}

// inputMessage is GuardDuty's text for a request the model or the adapter
// refused (spec §2.2): by the member concerned and what is wrong with it.
func inputMessage(in *model.InputError) string {
	first := in.First()
	// The model names the path label DetectorId and the query members in
	// camel case; GuardDuty's texts name them all in camel case.
	field := strings.ToLower(in.Field())
	switch {
	case in.Kind == model.Malformed:
		return msgInvalidParams
	case field == "detectorid":
		return "The request is rejected because the parameter detectorId has an invalid value."
	case field == "maxresults" && (first.Constraint == model.MinValue || first.Constraint == model.MaxValue):
		return "The request is rejected because the parameter maxResults is out-of-bounds."
	case field == "maxresults":
		return "The request is rejected because the parameter maxResults has an invalid value."
	case field == "onlyassociated":
		return "The request is rejected because the parameter onlyAssociated has an invalid value."
	case in.Kind == model.Invalid && first.Constraint == model.Required && (first.Location == model.URI || first.Location == model.QueryString):
		return "The request is rejected because required query or path parameters are not specified."
	}
	return msgInvalidValue
}

// inputError is GuardDuty's answer to a request the model or the adapter
// refuses: 400 BadRequestException (413 for a body over the bound).
func inputError(in *model.InputError) *protocol.APIError {
	e := apiError(badRequestException, inputMessage(in))
	if in.Kind == model.TooLarge {
		e.Status = http.StatusRequestEntityTooLarge
	}
	return e
}

// apiError is GuardDuty's error: the exception in the header, with the
// model's status, and GuardDuty's finer code in the body's "__type"
// (spec §2.1: InvalidInputException under BadRequestException).
func apiError(exception, message string) *protocol.APIError {
	e := &protocol.APIError{Type: exception, Status: api.Model().ErrorStatus(exception), Message: message}
	switch exception {
	case badRequestException:
		e.Fields = map[string]string{"__type": invalidInputType}
	case accessDeniedException:
		e.Fields = map[string]string{"__type": accessDeniedException}
	default:
		e.Fields = map[string]string{"__type": internalType}
	}
	return e
}

func internalError() *protocol.APIError {
	return apiError(internalServerErrorException, "Internal server error.")
}

// unprocessedAccounts turns engine refusals into the wire list (never nil:
// the member is required). overrides replaces texts for one operation.
func (s *Service) unprocessedAccounts(us []membership.Unprocessed, overrides map[membership.Code]string) []api.UnprocessedAccount {
	message := func(c membership.Code) string {
		if msg, ok := overrides[c]; ok {
			return msg
		}
		return s.errs.Message(c)
	}
	return adapter.Unprocessed(us, message, unprocessed)
}

func unprocessed(account, result string) api.UnprocessedAccount {
	return api.UnprocessedAccount{AccountId: new(account), Result: new(result)}
}

func reply(exception, message string, ev fidelity.Evidence) Reply {
	return Reply{Exception: exception, Message: message, Evidence: ev}
}
