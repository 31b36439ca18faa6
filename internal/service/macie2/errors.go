package macie2

import (
	"net/http"

	api "github.com/localsec/localsec/internal/api/macie2"
	"github.com/localsec/localsec/internal/fidelity"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/model"
	"github.com/localsec/localsec/internal/service/adapter"
)

// Macie's exception names, from the service model.
const (
	validationException           = "ValidationException"
	serviceQuotaExceededException = "ServiceQuotaExceededException"
	accessDeniedException         = "AccessDeniedException"
	resourceNotFoundException     = "ResourceNotFoundException"
	conflictException             = "ConflictException"
	internalServerException       = "InternalServerException"
)

// statusOf returns the HTTP status the model gives an exception.
func statusOf(exception string) int { return api.Model().ErrorStatus(exception) }

// Reply is what Macie answers for one engine refusal.
type Reply = fidelity.Reply

// Evidence marks a message Confirmed (seen from AWS, see
// ../shared/spec/macie2.md §9.3) or Inferred (mostly GuardDuty's wording for
// the same situation, spec §9.3).
const (
	Confirmed = fidelity.Confirmed
	Inferred  = fidelity.Inferred
)

// Messages is the one table of every message localsec's Macie sends for an
// engine refusal that ends a request. Messages marked Confirmed are
// verbatim; the others are inferred.
func Messages() map[membership.Code]Reply {
	const invalidValue = "The request is rejected because an invalid or out-of-range value is specified as an input parameter."
	const noPending = "The request is rejected because the current account has no pending invitation from the given master account ID or is already an associated member of another master account."
	const notFound = "The request failed because the specified resource wasn't found."
	return map[membership.Code]Reply{
		membership.CodeNotEnabled:             reply(accessDeniedException, "Macie is not enabled.", Confirmed),
		membership.CodeResourceNotOwned:       reply(accessDeniedException, "Macie is not enabled.", Inferred),
		membership.CodeAlreadyEnabled:         reply(conflictException, "Macie has already been enabled", Confirmed),
		membership.CodeDisableWhileMember:     reply(conflictException, "Cannot disable Macie while associated with an administrator account.", Confirmed),
		membership.CodeDisableWithMembers:     reply(conflictException, "Cannot disable Macie while member accounts are associated with your account.", Inferred),
		membership.CodeSuspendWithMembers:     reply(conflictException, "Cannot suspend Macie while member accounts are associated with your account.", Inferred),
		membership.CodeInvalidAccountID:       reply(validationException, invalidValue, Inferred),
		membership.CodeSelfMember:             reply(validationException, "The request is rejected because an account cannot become a member of itself.", Inferred),
		membership.CodeAlreadyMember:          reply(validationException, "The request is rejected because the given account ID is already a member or associated member of the current account.", Inferred),
		membership.CodeCreateByMember:         reply(validationException, "The request is rejected because the current account cannot create members since it is already an associated member of another master account.", Inferred),
		membership.CodeMemberQuotaExceeded:    reply(serviceQuotaExceededException, "The request failed because it would exceed the maximum number of member accounts for your account.", Inferred),
		membership.CodeMemberOfAnother:        reply(validationException, "The request is rejected because the given account ID is already an associated member of another master account.", Inferred),
		membership.CodeMemberIsAdministrator:  reply(validationException, "The request is rejected because the given account ID still has created, invited or associated members.", Inferred),
		membership.CodeManagementNotEnabled:   reply(validationException, "The request failed because the management account of your organization must enable Macie first.", Inferred),
		membership.CodeSelfInvite:             reply(validationException, "The request is rejected because the current account cannot invite itself.", Inferred),
		membership.CodeInviteByMember:         reply(validationException, "The request is rejected because the current account cannot invite other accounts since it is already an associated member of another master account.", Inferred),
		membership.CodeNotCreated:             reply(validationException, "The request is rejected because the given account ID is not an associated member of account the current account.", Inferred),
		membership.CodeAlreadyInvited:         reply(validationException, "The request is rejected because the current account has already invited or is already the Macie master of the given member account ID.", Inferred),
		membership.CodeOrganizationMember:     reply(validationException, "The request is rejected because the given account ID is a member through AWS Organizations and cannot be invited.", Inferred),
		membership.CodeNotMember:              reply(validationException, "The request failed because the specified account is not associated with your account.", Confirmed),
		membership.CodeNotAssociated:          reply(validationException, "The request is rejected because the given account ID is not an associated member of account the current account.", Confirmed),
		membership.CodeStillAssociated:        reply(validationException, "The request is rejected because the current account cannot delete the given member account ID since it is still associated to it.", Inferred),
		membership.CodeNoInvitation:           reply(validationException, noPending, Confirmed),
		membership.CodeAcceptWhileMember:      reply(validationException, noPending, Confirmed),
		membership.CodeAcceptWithMembers:      reply(validationException, "The request is rejected because the current account cannot accept invitations since it still has created, invited or associated members.", Inferred),
		membership.CodeInviterIsMember:        reply(validationException, "The request is rejected because the current account cannot accept invitation from the given account ID since the latter is an associated member of another master account.", Inferred),
		membership.CodeInvitationIsCurrent:    reply(validationException, "The request is rejected because the current account is already an associated member of the given account ID.", Inferred),
		membership.CodeInvitationNotDeclined:  reply(validationException, "The request is rejected because the current account has not declined the invitation from the given account ID.", Inferred),
		membership.CodeNoAdministrator:        reply(resourceNotFoundException, "The request failed because your account isn't associated with an administrator account.", Inferred),
		membership.CodeManagedByOrganization:  reply(accessDeniedException, "The request failed because your account is a member through AWS Organizations and can't disassociate itself from its administrator account.", Inferred),
		membership.CodeNotManagementAccount:   reply(accessDeniedException, "The request failed because you must be a user of the management account for your AWS organization to perform this operation", Confirmed),
		membership.CodeNotInOrganization:      reply(validationException, "The request failed because the specified account isn't a member of your organization.", Inferred),
		membership.CodeOrgAdminExists:         reply(conflictException, "The request failed because your organization already has a delegated Macie administrator account.", Inferred),
		membership.CodeOrgAdminNotFound:       reply(resourceNotFoundException, "The request failed because the specified account isn't the delegated Macie administrator account for your organization.", Inferred),
		membership.CodeNotOrgAdmin:            reply(accessDeniedException, "The request failed because you must be the Macie administrator for an organization to perform this operation", Confirmed),
		membership.CodeInvalidNextToken:       reply(validationException, "The request failed because the specified nextToken isn't valid.", Inferred),
		membership.CodeResourceNotFound:       reply(resourceNotFoundException, notFound, Inferred),
		membership.CodeResourceOfOtherAccount: reply(resourceNotFoundException, notFound, Inferred),
		membership.CodeTooManyTags:            reply(validationException, "The request failed because a resource can have no more than 50 tags.", Inferred),
	}
}

// UnprocessedMessages is the one table of the errorMessage texts of
// unprocessedAccounts entries (errorCode ClientError). All are inferred,
// from GuardDuty's documented texts for the same cases (spec §4.2, §5.4,
// §5.5).
func UnprocessedMessages() map[membership.Code]string {
	return map[membership.Code]string{
		membership.CodeInvalidAccountID:      "The request is rejected because an invalid or out-of-range value is specified as an input parameter.",
		membership.CodeSelfInvite:            "The request is rejected because the current account cannot invite itself.",
		membership.CodeInviteByMember:        "The request is rejected because the current account cannot invite other accounts since it is already an associated member of another master account.",
		membership.CodeNotCreated:            "The request is rejected because the given account ID is not an associated member of account the current account.",
		membership.CodeAlreadyInvited:        "The request is rejected because the current account has already invited or is already the Macie master of the given member account ID.",
		membership.CodeOrganizationMember:    "The request is rejected because the given account ID is a member through AWS Organizations and cannot be invited.",
		membership.CodeNoInvitation:          "The request is rejected because the current account has no pending invitation from the given account ID.",
		membership.CodeInvitationIsCurrent:   "The request is rejected because the current account is already an associated member of the given account ID.",
		membership.CodeInvitationNotDeclined: "The request is rejected because the current account has not declined the invitation from the given account ID.",
	}
}

// deleteCurrentInvitation is DeleteInvitations' text for the invitation of
// the current association (inferred).
const deleteCurrentInvitation = "The request is rejected because the current account cannot delete the invitation from its administrator account."

func newErrors() adapter.Errors {
	return adapter.Errors{Replies: Messages(), Input: inputError, Wire: apiError}
}

// inputError is Macie's answer to a request the model or the adapter
// refuses: a ValidationException with the validation's text, which names
// the member (spec §1.3; the text's form is AWS's request validation's
// [I] for Macie), or 413 for a body over the bound.
func inputError(in *model.InputError) *protocol.APIError {
	e := apiError(validationException, in.Message)
	if in.Kind == model.TooLarge {
		e.Status = http.StatusRequestEntityTooLarge
	}
	return e
}

func apiError(exception, message string) *protocol.APIError {
	return &protocol.APIError{Type: exception, Status: statusOf(exception), Message: message}
}

func internalError() *protocol.APIError {
	return apiError(internalServerException, "An internal error occurred. Try again later.")
}

// refuse is the ValidationException of a check of Macie's own.
func refuse(field, detail string) error { return model.Refuse(field, detail) }

// unprocessedAccounts turns engine refusals into the wire list (never nil,
// so that the member is always present). overrides replaces texts for one
// operation.
func (s *Service) unprocessedAccounts(us []membership.Unprocessed, overrides map[membership.Code]string) []api.UnprocessedAccount {
	un := s.unprocessedTexts
	message := func(c membership.Code) string {
		if msg, ok := overrides[c]; ok {
			return msg
		}
		if msg, ok := un[c]; ok {
			return msg
		}
		return s.errs.Message(c)
	}
	return adapter.Unprocessed(us, message, func(account, msg string) api.UnprocessedAccount {
		return api.UnprocessedAccount{AccountId: new(account), ErrorCode: new(api.ErrorCodeClientError), ErrorMessage: new(msg)}
	})
}

func reply(exception, message string, ev fidelity.Evidence) Reply {
	return Reply{Exception: exception, Message: message, Evidence: ev}
}
