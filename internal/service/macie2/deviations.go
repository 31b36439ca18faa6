package macie2

import "github.com/localsec/localsec/internal/fidelity"

// Deviations are the named points where Macie's answers differ from what
// its model alone says: limits the documentation states and the model
// does not.
func Deviations() []fidelity.Deviation {
	return []fidelity.Deviation{
		{
			Name:     "AccountIDsPerCall",
			What:     "CreateInvitations, DeclineInvitations and DeleteInvitations take 1 to 50 account ids, else `ValidationException`; the model bounds no list.",
			Evidence: "Inferred from GuardDuty's model, which bounds the same lists to 1..50 (../shared/spec/macie2.md §4.2).",
		},
		{
			Name:     "InvitationMessageLength",
			What:     "A CreateInvitations `message` of more than 80 characters is a `ValidationException`; the model bounds no string.",
			Evidence: "The Macie API reference for CreateInvitations (../shared/spec/macie2.md §4.2).",
		},
		{
			Name:     "TagLimits",
			What:     "At most 50 tags a resource, keys of 1..128 characters not starting with `aws:`, values up to 256 characters, else `ValidationException`; the model's TagMap has no constraint.",
			Evidence: "The Macie user guide's tagging limits (../shared/spec/macie2.md §7).",
		},
		{
			Name:     "MemberAccountShape",
			What:     "CreateMember refuses an `accountId` that is not 12 digits and an `email` that is not an address with `ValidationException`; the model types both as any string.",
			Evidence: "Inferred (../shared/spec/macie2.md §4.1): AWS's exact rule is unknown.",
		},
	}
}

// DeviationsMarkdown renders the deviations for docs/fidelity.md.
func DeviationsMarkdown() string { return "\n" + fidelity.DeviationsMarkdown(Deviations()) + "\n" }
