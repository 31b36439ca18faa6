package guardduty

import (
	"fmt"
	"sort"
	"strings"

	"github.com/localsec/localsec/internal/membership"
)

// MessagesMarkdown renders the message table as Markdown, for
// docs/fidelity.md (a test keeps the document equal to it).
func MessagesMarkdown() string {
	var b strings.Builder
	replies := Messages()
	codes := make([]string, 0, len(replies))
	for c := range replies {
		codes = append(codes, string(c))
	}
	sort.Strings(codes)
	b.WriteString("\nAs an error (`message`; `__type` is `InvalidInputException` for 400s) or as an `unprocessedAccounts[].result`:\n\n")
	b.WriteString("| Engine refusal | Exception (HTTP) | Message / result | Evidence |\n| --- | --- | --- | --- |\n")
	for _, c := range codes {
		r := replies[membership.Code(c)]
		e := apiError(r.Exception, r.Message)
		fmt.Fprintf(&b, "| %s | %s (%d) | %s | %s |\n", c, r.Exception, e.Status, r.Message, r.Evidence)
	}
	fmt.Fprintf(&b, "| InvitationIsCurrent (DeclineInvitations result) | | %s | inferred |\n\n", declineCurrentInvitation)
	return b.String()
}
