package organizations

import (
	"errors"
	"net/http"

	api "github.com/localsec/localsec/internal/api/organizations"
	"github.com/localsec/localsec/internal/fidelity"
	"github.com/localsec/localsec/internal/organizations"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/model"
)

// Reply is what Organizations answers for one engine refusal.
type Reply = fidelity.Reply

// Evidence marks a message Confirmed (seen from AWS; the source is in
// ../shared/spec/organizations.md §2.4) or Inferred (localsec's wording,
// which clients do not match on, spec §17.6).
const (
	Confirmed = fidelity.Confirmed
	Inferred  = fidelity.Inferred
)

// Key names a refusal in the message table: the exception, or the
// exception and its reason ("ConstraintViolationException:OU_DEPTH_LIMIT_EXCEEDED").
type Key string

func keyOf(e *organizations.Error) Key {
	if e.Reason != "" {
		return Key(string(e.Code) + ":" + e.Reason)
	}
	return Key(e.Code)
}

// Messages is the one table of every message localsec's Organizations
// sends for an engine refusal. A refusal with a reason the table does not
// name gets its exception's text.
func Messages() map[Key]Reply {
	r := func(code organizations.Code, reason string) Key {
		if reason == "" {
			return Key(code)
		}
		return Key(string(code) + ":" + reason)
	}
	inferred := func(code organizations.Code, msg string) Reply {
		return Reply{Exception: string(code), Message: msg, Evidence: Inferred}
	}
	confirmed := func(code organizations.Code, msg string) Reply {
		return Reply{Exception: string(code), Message: msg, Evidence: Confirmed}
	}
	return map[Key]Reply{
		r(organizations.CodeNotInUse, ""):     confirmed(organizations.CodeNotInUse, "Your account is not a member of an organization."),
		r(organizations.CodeAccessDenied, ""): confirmed(organizations.CodeAccessDenied, "You don't have permissions to access this resource."),
		r(organizations.CodeAlreadyInOrganization, ""): inferred(organizations.CodeAlreadyInOrganization,
			"The account is already a member of an organization; an account belongs to one organization at a time."),
		r(organizations.CodeOrganizationNotEmpty, ""): inferred(organizations.CodeOrganizationNotEmpty,
			"The organization still has member accounts: remove every account but the management account before you delete it."),
		r(organizations.CodeAccountNotFound, ""): inferred(organizations.CodeAccountNotFound,
			"The account you specified is not an account of your organization, or your account is not a member of an organization."),
		r(organizations.CodeAccountAlreadyRegistered, ""): confirmed(organizations.CodeAccountAlreadyRegistered,
			"The provided account is already a delegated administrator for your organization."),
		r(organizations.CodeAccountNotRegistered, ""): inferred(organizations.CodeAccountNotRegistered,
			"The account you specified is not a delegated administrator for this service."),
		r(organizations.CodeAccountAlreadyClosed, ""): inferred(organizations.CodeAccountAlreadyClosed,
			"The account you specified is already closed."),
		r(organizations.CodeChildNotFound, ""): inferred(organizations.CodeChildNotFound,
			"No account or organizational unit with the ChildId you specified is in your organization."),
		r(organizations.CodeConstraintViolation, ""): inferred(organizations.CodeConstraintViolation,
			"The operation would violate a limit or a constraint of your organization."),
		r(organizations.CodeConstraintViolation, organizations.ReasonCannotRegisterMaster): confirmed(organizations.CodeConstraintViolation,
			"You cannot register management account/yourself as delegated administrator for your organization."),
		r(organizations.CodeConstraintViolation, organizations.ReasonNotAllFeatures): confirmed(organizations.CodeConstraintViolation,
			"The request failed because the organization does not have all features enabled. Please enable all features in your organization and then retry."),
		r(organizations.CodeConstraintViolation, organizations.ReasonCannotRemoveDelegatedAdmin): inferred(organizations.CodeConstraintViolation,
			"The account is a delegated administrator of a service: deregister it before it leaves the organization."),
		r(organizations.CodeConstraintViolation, organizations.ReasonMaxDelegatedAdmins): inferred(organizations.CodeConstraintViolation,
			"The service already has a delegated administrator in your organization, and it allows only one."),
		r(organizations.CodeConstraintViolation, organizations.ReasonOUDepthLimit): inferred(organizations.CodeConstraintViolation,
			"Organizational units nest at most five levels below the root."),
		r(organizations.CodeConstraintViolation, organizations.ReasonOUNumberLimit): inferred(organizations.CodeConstraintViolation,
			"Your organization already has the most organizational units it may have."),
		r(organizations.CodeConstraintViolation, organizations.ReasonMaxTagLimit): inferred(organizations.CodeConstraintViolation,
			"A resource can have at most 50 tags."),
		r(organizations.CodeConstraintViolation, organizations.ReasonServiceAccessNotEnabled): inferred(organizations.CodeConstraintViolation,
			"Enable trusted access for the service (EnableAWSServiceAccess) first."),
		r(organizations.CodeCreateAccountNotFound, ""): inferred(organizations.CodeCreateAccountNotFound,
			"No account creation request with the id you specified exists in your organization."),
		r(organizations.CodeDestinationParentNotFound, ""): inferred(organizations.CodeDestinationParentNotFound,
			"The destination root or organizational unit does not exist in your organization."),
		r(organizations.CodeSourceParentNotFound, ""): inferred(organizations.CodeSourceParentNotFound,
			"The source root or organizational unit does not exist in your organization."),
		r(organizations.CodeDuplicateAccount, ""): inferred(organizations.CodeDuplicateAccount,
			"That account is already present in the specified destination."),
		r(organizations.CodeDuplicateHandshake, ""): inferred(organizations.CodeDuplicateHandshake,
			"An open invitation to the same account already exists."),
		r(organizations.CodeDuplicateOU, ""): inferred(organizations.CodeDuplicateOU,
			"An OU with the same name already exists."),
		r(organizations.CodeHandshakeAlreadyInState, ""): inferred(organizations.CodeHandshakeAlreadyInState,
			"The handshake is already in the state you asked for."),
		r(organizations.CodeHandshakeConstraint, ""): inferred(organizations.CodeHandshakeConstraint,
			"The handshake would violate a constraint of the organization or of the account."),
		r(organizations.CodeHandshakeConstraint, organizations.ReasonAccountNumberLimit): confirmed(organizations.CodeHandshakeConstraint,
			"You have exceeded the allowed number of AWS accounts"),
		r(organizations.CodeHandshakeConstraint, organizations.ReasonAlreadyInOrganization): inferred(organizations.CodeHandshakeConstraint,
			"The invited account is already a member of an organization."),
		r(organizations.CodeHandshakeNotFound, ""): inferred(organizations.CodeHandshakeNotFound,
			"No handshake with the id you specified was sent or received by your account."),
		r(organizations.CodeInvalidHandshakeState, ""): inferred(organizations.CodeInvalidHandshakeState,
			"The handshake can no longer change that way: it was already accepted, declined, canceled or it expired."),
		r(organizations.CodeInvalidInput, ""): inferred(organizations.CodeInvalidInput,
			"The request has an input value that is not valid."),
		r(organizations.CodeInvalidInput, organizations.ReasonUnrecognizedServicePrincipal): confirmed(organizations.CodeInvalidInput,
			"You specified an unrecognized service principal."),
		r(organizations.CodeInvalidInput, organizations.ReasonInvalidNextToken): inferred(organizations.CodeInvalidInput,
			"The NextToken is not one this list gave."),
		r(organizations.CodeInvalidInput, organizations.ReasonInvalidPartyTypeTarget): inferred(organizations.CodeInvalidInput,
			"An invitation goes to an ACCOUNT or an EMAIL, not to an ORGANIZATION."),
		r(organizations.CodeInvalidInput, organizations.ReasonInvalidEmailAddressTarget): inferred(organizations.CodeInvalidInput,
			"No account has the email address you invited."),
		r(organizations.CodeInvalidInput, organizations.ReasonInvalidRoleName): inferred(organizations.CodeInvalidInput,
			"A role name must not start with AWSServiceRoleFor."),
		r(organizations.CodeInvalidInput, organizations.ReasonDuplicateTagKey): inferred(organizations.CodeInvalidInput,
			"The same tag key appears twice."),
		r(organizations.CodeInvalidInput, organizations.ReasonInvalidSystemTags): inferred(organizations.CodeInvalidInput,
			"Tag keys starting with aws: are reserved for AWS."),
		r(organizations.CodeInvalidInput, organizations.ReasonMaxFilterLimit): inferred(organizations.CodeInvalidInput,
			"A handshake filter takes ActionType or ParentHandshakeId, not both."),
		r(organizations.CodeMasterCannotLeave, ""): inferred(organizations.CodeMasterCannotLeave,
			"The management account cannot leave or be removed from its organization: delete the organization instead."),
		r(organizations.CodeOUNotEmpty, ""): inferred(organizations.CodeOUNotEmpty,
			"The organizational unit still holds accounts or organizational units."),
		r(organizations.CodeOUNotFound, ""): inferred(organizations.CodeOUNotFound,
			"No organizational unit with the id you specified is in your organization."),
		r(organizations.CodeParentNotFound, ""): inferred(organizations.CodeParentNotFound,
			"No root or organizational unit with the ParentId you specified is in your organization."),
		r(organizations.CodeRootNotFound, ""): inferred(organizations.CodeRootNotFound,
			"No root with the id you specified is in your organization."),
		r(organizations.CodeTargetNotFound, ""): inferred(organizations.CodeTargetNotFound,
			"No root, organizational unit or account with the ResourceId you specified is in your organization."),
		r(organizations.CodePolicyTypeAlreadyEnabled, ""): inferred(organizations.CodePolicyTypeAlreadyEnabled,
			"The policy type is already enabled in the root."),
		r(organizations.CodePolicyTypeNotEnabled, ""): inferred(organizations.CodePolicyTypeNotEnabled,
			"The policy type is not enabled in the root."),
		r(organizations.CodePolicyTypeNotAvailable, ""): inferred(organizations.CodePolicyTypeNotAvailable,
			"Policy types need an organization with all features enabled."),
	}
}

// mapError maps an error to Organizations' wire error: a request the
// model refuses, an engine refusal, or nil for an error it does not know.
func mapError(err error) *protocol.APIError {
	var in *model.InputError
	if errors.As(err, &in) {
		return inputError(in)
	}
	if e := organizations.ErrorOf(err); e != nil {
		msgs := Messages()
		reply, ok := msgs[keyOf(e)]
		if !ok {
			reply, ok = msgs[Key(e.Code)]
		}
		if !ok {
			return nil
		}
		return apiError(string(e.Code), e.Reason, reply.Message)
	}
	var api *protocol.APIError
	if errors.As(err, &api) {
		return api
	}
	return nil
}

// reasonOf is the InvalidInputException reason of a broken constraint.
func reasonOf(c model.Constraint) string {
	switch c {
	case model.Required:
		return "INPUT_REQUIRED"
	case model.Enum:
		return "INVALID_ENUM"
	case model.MinLength:
		return "MIN_LENGTH_EXCEEDED"
	case model.MaxLength:
		return "MAX_LENGTH_EXCEEDED"
	case model.MinValue:
		return "MIN_VALUE_EXCEEDED"
	case model.MaxValue:
		return "MAX_VALUE_EXCEEDED"
	case model.PatternMatch:
		return "INVALID_PATTERN"
	}
	return ""
}

// inputError answers a request the model refuses: InvalidInputException
// with the reason of the first broken constraint (spec §2.3, §11) and the
// validation's text.
func inputError(in *model.InputError) *protocol.APIError {
	reason := ""
	if in.Kind == model.Invalid {
		reason = reasonOf(in.First().Constraint)
	}
	e := apiError(string(organizations.CodeInvalidInput), reason, in.Message)
	if in.Kind == model.TooLarge {
		e.Status = http.StatusRequestEntityTooLarge
	}
	return e
}

// apiError builds an Organizations error with the model's status (400
// for every exception but ServiceException's 500: the model gives none,
// spec §2.1), and Reason in the body when there is one.
func apiError(exception, reason, message string) *protocol.APIError {
	e := &protocol.APIError{Type: exception, Status: api.Model().ErrorStatus(exception), Message: message}
	if reason != "" {
		e.Fields = map[string]string{"Reason": reason}
	}
	return e
}

// MessagesMarkdown renders the message table for docs/fidelity.md.
func MessagesMarkdown() string {
	status := func(exception string) int { return apiError(exception, "", "").Status }
	return "\n" + fidelity.Table(Messages(), status, "Message") + "\n"
}
