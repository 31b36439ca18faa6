package macie2

import (
	"strings"
	"testing"

	"github.com/localsec/localsec/internal/membership"
)

// allCodes lists every engine code, so that a code added to the engine
// without a Macie answer fails here.
func allCodes() []membership.Code {
	return []membership.Code{
		membership.CodeNotEnabled, membership.CodeResourceNotOwned, membership.CodeAlreadyEnabled,
		membership.CodeDisableWhileMember, membership.CodeDisableWithMembers, membership.CodeSuspendWithMembers,
		membership.CodeInvalidAccountID, membership.CodeSelfMember, membership.CodeAlreadyMember,
		membership.CodeCreateByMember, membership.CodeMemberQuotaExceeded, membership.CodeMemberOfAnother,
		membership.CodeMemberIsAdministrator, membership.CodeManagementNotEnabled,
		membership.CodeSelfInvite, membership.CodeInviteByMember, membership.CodeNotCreated,
		membership.CodeAlreadyInvited, membership.CodeOrganizationMember, membership.CodeNotMember,
		membership.CodeNotAssociated, membership.CodeStillAssociated, membership.CodeNoInvitation,
		membership.CodeAcceptWhileMember, membership.CodeAcceptWithMembers, membership.CodeInviterIsMember,
		membership.CodeInvitationIsCurrent, membership.CodeInvitationNotDeclined, membership.CodeNoAdministrator,
		membership.CodeManagedByOrganization, membership.CodeNotManagementAccount, membership.CodeNotInOrganization,
		membership.CodeOrgAdminExists, membership.CodeOrgAdminNotFound, membership.CodeNotOrgAdmin,
		membership.CodeInvalidNextToken, membership.CodeResourceNotFound, membership.CodeResourceOfOtherAccount,
		membership.CodeTooManyTags,
	}
}

func TestEveryCodeHasAnAnswer(t *testing.T) {
	replies := Messages()
	for _, c := range allCodes() {
		r, ok := replies[c]
		if !ok {
			t.Errorf("no Macie answer for engine code %s", c)
			continue
		}
		if statusOf(r.Exception) == 500 || r.Message == "" || (r.Evidence != Confirmed && r.Evidence != Inferred) {
			t.Errorf("answer for %s is incomplete: %+v", c, r)
		}
		if r.Exception == "ClientError" || r.Exception == "InternalError" {
			t.Errorf("%s uses %s as an exception name: Terraform would retry it for minutes", c, r.Exception)
		}
	}
	if len(replies) != len(allCodes()) {
		t.Errorf("the table has %d answers for %d codes", len(replies), len(allCodes()))
	}
}

// The confirmed texts of spec §9.3, verbatim.
func TestConfirmedMessagesAreVerbatim(t *testing.T) {
	want := map[membership.Code]string{
		membership.CodeNotEnabled:           "Macie is not enabled.",
		membership.CodeAlreadyEnabled:       "Macie has already been enabled",
		membership.CodeNoInvitation:         "The request is rejected because the current account has no pending invitation from the given master account ID or is already an associated member of another master account.",
		membership.CodeNotManagementAccount: "The request failed because you must be a user of the management account for your AWS organization to perform this operation",
	}
	fragments := map[membership.Code]string{
		membership.CodeDisableWhileMember: "Cannot disable Macie while associated with an administrator account",
		membership.CodeNotOrgAdmin:        "you must be the Macie administrator for an organization",
		membership.CodeNotMember:          "account is not associated with your account",
		membership.CodeNotAssociated:      "not an associated member of account",
		membership.CodeDisableWithMembers: "member accounts are associated with your account",
	}
	replies := Messages()
	for c, msg := range want {
		if replies[c].Message != msg {
			t.Errorf("%s: %q, want %q", c, replies[c].Message, msg)
		}
	}
	for c, frag := range fragments {
		if !strings.Contains(replies[c].Message, frag) {
			t.Errorf("%s: %q does not contain %q", c, replies[c].Message, frag)
		}
	}
}
