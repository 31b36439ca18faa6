package macie2

import (
	"fmt"
	"sort"
	"strings"

	"github.com/localsec/localsec/internal/fidelity"
	"github.com/localsec/localsec/internal/membership"
)

// MessagesMarkdown renders the message tables as Markdown, for
// docs/fidelity.md (a test keeps the document equal to it).
func MessagesMarkdown() string {
	var b strings.Builder
	b.WriteString("\n" + fidelity.Table(Messages(), statusOf, "Message"))
	un := UnprocessedMessages()
	codes := make([]string, 0, len(un))
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
