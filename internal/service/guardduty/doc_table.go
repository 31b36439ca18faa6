package guardduty

import (
	"github.com/localsec/localsec/internal/fidelity"
)

// MessagesMarkdown renders the message table as Markdown, for
// docs/fidelity.md (a test keeps the document equal to it).
func MessagesMarkdown() string {
	status := func(exception string) int { return apiError(exception, "").Status }
	return "\nAs an error (`message`; `__type` is `InvalidInputException` for 400s) or as an `unprocessedAccounts[].result`:\n\n" +
		fidelity.Table(Messages(), status, "Message / result") +
		"| InvitationIsCurrent (DeclineInvitations result) | | " + declineCurrentInvitation + " | inferred |\n\n"
}
