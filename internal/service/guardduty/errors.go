package guardduty

import (
	"errors"
	"net/http"

	"github.com/localsec/localsec/internal/fidelity"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol/restjson"
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

// errorReplies is built once per Service from the table above.
type errorReplies struct {
	replies map[membership.Code]Reply
}

func newErrorReplies() errorReplies { return errorReplies{replies: Messages()} }

// inputMessage is GuardDuty's text for a request the protocol layer or
// the adapter refused (spec §2.2).
func inputMessage(in *restjson.InputError) string {
	switch {
	case in.Kind == restjson.InputMalformed:
		return msgInvalidParams
	case in.Field == "detectorId":
		return "The request is rejected because the parameter detectorId has an invalid value."
	case in.Field == "maxResults" && in.Kind == restjson.InputOutOfRange:
		return "The request is rejected because the parameter maxResults is out-of-bounds."
	case in.Field == "maxResults":
		return "The request is rejected because the parameter maxResults has an invalid value."
	case in.Field == "onlyAssociated":
		return "The request is rejected because the parameter onlyAssociated has an invalid value."
	case in.Kind == restjson.InputMissing && (in.Field == "tagKeys" || in.Field == "resourceArn"):
		return "The request is rejected because required query or path parameters are not specified."
	}
	return msgInvalidValue
}

// toAPI maps a handler error to GuardDuty's wire error; nil for an error
// it does not know (the router then answers InternalServerErrorException).
func (er errorReplies) toAPI(err error) *restjson.APIError {
	var in *restjson.InputError
	if errors.As(err, &in) {
		e := apiError(badRequestException, inputMessage(in))
		if in.Kind == restjson.InputTooLarge {
			e.Status = http.StatusRequestEntityTooLarge
		}
		return e
	}
	if code := membership.ErrorCode(err); code != "" {
		if r, ok := er.replies[code]; ok {
			return apiError(r.Exception, r.Message)
		}
	}
	return nil
}

func apiError(exception, message string) *restjson.APIError {
	e := &restjson.APIError{Type: exception, Message: message}
	switch exception {
	case badRequestException:
		e.Status, e.Fields = http.StatusBadRequest, map[string]string{"__type": invalidInputType}
	case accessDeniedException:
		e.Status, e.Fields = http.StatusForbidden, map[string]string{"__type": accessDeniedException}
	default:
		e.Status, e.Fields = http.StatusInternalServerError, map[string]string{"__type": internalType}
	}
	return e
}

func internalError() *restjson.APIError {
	return apiError(internalServerErrorException, "Internal server error.")
}

// unprocessedAccounts turns engine refusals into the wire list (never nil:
// the member is required). overrides replaces texts for one operation.
func (er errorReplies) unprocessedAccounts(us []membership.Unprocessed, overrides map[membership.Code]string) []unprocessedAccount {
	out := make([]unprocessedAccount, 0, len(us))
	for _, u := range us {
		msg, ok := overrides[u.Code]
		if !ok {
			msg = er.replies[u.Code].Message
		}
		out = append(out, unprocessedAccount{AccountID: u.Account, Result: msg})
	}
	return out
}

type unprocessedAccount struct {
	AccountID string `json:"accountId"`
	Result    string `json:"result"`
}

type unprocessedOutput struct {
	UnprocessedAccounts []unprocessedAccount `json:"unprocessedAccounts"`
}

func reply(exception, message string, ev fidelity.Evidence) Reply {
	return Reply{Exception: exception, Message: message, Evidence: ev}
}
