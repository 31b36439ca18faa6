package macie2

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/localsec/localsec/internal/membership"
)

var update = flag.Bool("update", false, "rewrite the generated part of docs/fidelity.md")

// allCodes lists every engine code, so that a code added to the engine
// without a Macie answer fails here.
func allCodes() []membership.Code {
	return []membership.Code{
		membership.CodeNotEnabled, membership.CodeResourceNotOwned, membership.CodeAlreadyEnabled,
		membership.CodeDisableWhileMember, membership.CodeDisableWithMembers, membership.CodeSuspendWithMembers,
		membership.CodeInvalidAccountID, membership.CodeSelfMember, membership.CodeAlreadyMember,
		membership.CodeCreateByMember, membership.CodeMemberQuotaExceeded, membership.CodeMemberOfAnother,
		membership.CodeMemberIsAdministrator,
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

// TestFidelityDoc keeps the message tables of docs/fidelity.md equal to
// the code. Run with -update to rewrite them.
func TestFidelityDoc(t *testing.T) {
	const path = "../../../docs/fidelity.md"
	const begin, end = "<!-- BEGIN generated: macie2 messages -->", "<!-- END generated: macie2 messages -->"
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i, j := strings.Index(string(doc), begin), strings.Index(string(doc), end)
	if i < 0 || j < i {
		t.Fatalf("%s lacks the %q ... %q markers", path, begin, end)
	}
	generated := begin + "\n" + messagesMarkdown() + end
	current := string(doc[i : j+len(end)])
	if current == generated {
		return
	}
	if !*update {
		t.Fatalf("docs/fidelity.md's Macie message tables differ from internal/service/macie2/errors.go; run: go test ./internal/service/macie2 -run TestFidelityDoc -update")
	}
	if err := os.WriteFile(path, []byte(string(doc[:i])+generated+string(doc[j+len(end):])), 0o644); err != nil {
		t.Fatal(err)
	}
}

func messagesMarkdown() string {
	var b strings.Builder
	replies := Messages()
	codes := make([]string, 0, len(replies))
	for c := range replies {
		codes = append(codes, string(c))
	}
	sort.Strings(codes)
	b.WriteString("\n| Engine refusal | Exception (HTTP) | Message | Evidence |\n| --- | --- | --- | --- |\n")
	for _, c := range codes {
		r := replies[membership.Code(c)]
		fmt.Fprintf(&b, "| %s | %s (%d) | %s | %s |\n", c, r.Exception, statusOf(r.Exception), r.Message, r.Evidence)
	}
	un := UnprocessedMessages()
	codes = codes[:0]
	for c := range un {
		codes = append(codes, string(c))
	}
	sort.Strings(codes)
	b.WriteString("\n`unprocessedAccounts[].errorMessage` (errorCode `ClientError`), all inferred:\n\n| Engine refusal | errorMessage |\n| --- | --- |\n")
	for _, c := range codes {
		fmt.Fprintf(&b, "| %s | %s |\n", c, un[membership.Code(c)])
	}
	fmt.Fprintf(&b, "| InvitationIsCurrent (DeleteInvitations) | %s |\n\n", deleteCurrentInvitation)
	return b.String()
}
