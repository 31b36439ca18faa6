package membership

import (
	"errors"
	"fmt"
)

// Code names why the engine refused something. Codes are the engine's own
// vocabulary; each service adapter maps them to its exception names and
// messages in one table. The same code is used whether the refusal ends a
// request (an error) or concerns one account of a batch (an Unprocessed).
type Code string

// Codes about the caller's own enablement.
const (
	// CodeNotEnabled: the caller has not enabled the service here.
	CodeNotEnabled Code = "NotEnabled"
	// CodeResourceNotOwned: the request names an enablement resource (a
	// detector id) that is not the caller's in this region.
	CodeResourceNotOwned Code = "ResourceNotOwned"
	// CodeAlreadyEnabled: the service is already enabled.
	CodeAlreadyEnabled Code = "AlreadyEnabled"
	// CodeDisableWhileMember: an associated member tried to disable.
	CodeDisableWhileMember Code = "DisableWhileMember"
	// CodeDisableWithMembers: an administrator with invited or
	// associated members tried to disable.
	CodeDisableWithMembers Code = "DisableWithMembers"
	// CodeSuspendWithMembers: an administrator with invited or associated
	// members tried to suspend.
	CodeSuspendWithMembers Code = "SuspendWithMembers"
)

// Codes of the administrator side.
const (
	CodeInvalidAccountID Code = "InvalidAccountID"
	// CodeSelfMember: an account cannot be a member of itself.
	CodeSelfMember Code = "SelfMember"
	// CodeAlreadyMember: the account is already in the inventory.
	CodeAlreadyMember Code = "AlreadyMember"
	// CodeCreateByMember: an associated member cannot create members.
	CodeCreateByMember Code = "CreateByMember"
	// CodeMemberQuotaExceeded: the inventory is full.
	CodeMemberQuotaExceeded Code = "MemberQuotaExceeded"
	// CodeMemberOfAnother: the account is associated with another
	// administrator and cannot be added through Organizations.
	CodeMemberOfAnother Code = "MemberOfAnother"
	// CodeMemberIsAdministrator: the account has members of its own and
	// cannot be added through Organizations.
	CodeMemberIsAdministrator Code = "MemberIsAdministrator"
	// CodeManagementNotEnabled: the organization's management account
	// must enable the service before it can be added as a member.
	CodeManagementNotEnabled Code = "ManagementNotEnabled"
	// CodeSelfInvite: an account cannot invite itself.
	CodeSelfInvite Code = "SelfInvite"
	// CodeInviteByMember: an associated member cannot invite.
	CodeInviteByMember Code = "InviteByMember"
	// CodeNotCreated: the invited account was never added as a member.
	CodeNotCreated Code = "NotCreated"
	// CodeAlreadyInvited: the account is already invited or associated.
	CodeAlreadyInvited Code = "AlreadyInvited"
	// CodeOrganizationMember: the member joined through Organizations and
	// is not managed by invitation.
	CodeOrganizationMember Code = "OrganizationMember"
	// CodeNotMember: the account is not in the caller's inventory.
	CodeNotMember Code = "NotMember"
	// CodeNotAssociated: the member is in the inventory but not
	// associated (so it cannot be suspended or resumed).
	CodeNotAssociated Code = "NotAssociated"
	// CodeStillAssociated: an associated member cannot be deleted.
	CodeStillAssociated Code = "StillAssociated"
)

// Codes of the member (invitee) side.
const (
	// CodeNoInvitation: no pending invitation from that administrator
	// with that id.
	CodeNoInvitation Code = "NoInvitation"
	// CodeAcceptWhileMember: the caller is already associated with
	// another administrator.
	CodeAcceptWhileMember Code = "AcceptWhileMember"
	// CodeAcceptWithMembers: the caller has members of its own.
	CodeAcceptWithMembers Code = "AcceptWithMembers"
	// CodeInviterIsMember: the inviter is an associated member itself.
	CodeInviterIsMember Code = "InviterIsMember"
	// CodeInvitationIsCurrent: the invitation is the one of the current
	// association; it cannot be declined or deleted.
	CodeInvitationIsCurrent Code = "InvitationIsCurrent"
	// CodeInvitationNotDeclined: the service only deletes declined
	// invitations.
	CodeInvitationNotDeclined Code = "InvitationNotDeclined"
	// CodeNoAdministrator: the caller has no administrator to leave.
	CodeNoAdministrator Code = "NoAdministrator"
	// CodeManagedByOrganization: an Organizations member cannot leave
	// its administrator by itself.
	CodeManagedByOrganization Code = "ManagedByOrganization"
)

// Codes of the Organizations delegation.
const (
	// CodeNotManagementAccount: only the organization's management
	// account may do this.
	CodeNotManagementAccount Code = "NotManagementAccount"
	// CodeNotInOrganization: the account is not in the organization.
	CodeNotInOrganization Code = "NotInOrganization"
	// CodeOrgAdminExists: another delegated administrator is designated.
	CodeOrgAdminExists Code = "OrgAdminExists"
	// CodeOrgAdminNotFound: the account is not a delegated administrator.
	CodeOrgAdminNotFound Code = "OrgAdminNotFound"
	// CodeNotOrgAdmin: only the delegated administrator may do this.
	CodeNotOrgAdmin Code = "NotOrgAdmin"
)

// Other codes.
const (
	// CodeInvalidNextToken: a pagination token was not one the engine made.
	CodeInvalidNextToken Code = "InvalidNextToken"
	// CodeResourceNotFound: a tagged resource does not exist.
	CodeResourceNotFound Code = "ResourceNotFound"
	// CodeResourceOfOtherAccount: the resource belongs to another account.
	CodeResourceOfOtherAccount Code = "ResourceOfOtherAccount"
	// CodeTooManyTags: the resource would have more tags than allowed.
	CodeTooManyTags Code = "TooManyTags"
)

// Error is a refusal by the engine.
type Error struct {
	Code Code
	// Account is the account the refusal concerns, when there is one.
	Account string
}

func (e *Error) Error() string {
	if e.Account != "" {
		return fmt.Sprintf("membership: %s (account %s)", e.Code, e.Account)
	}
	return "membership: " + string(e.Code)
}

func refuse(c Code) error { return &Error{Code: c} }

// ErrorCode returns the code of an engine refusal, or "" for any other error.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// Unprocessed is one account of a batch that the engine did not process.
type Unprocessed struct {
	Account string
	Code    Code
}
