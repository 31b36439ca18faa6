package guardduty

import (
	"github.com/localsec/localsec/internal/fidelity"
	"github.com/localsec/localsec/internal/protocol/model"
)

// Deviations are the named points where GuardDuty's real answers differ
// from its model, and localsec answers as GuardDuty does.
func Deviations() []fidelity.Deviation {
	return []fidelity.Deviation{
		{
			Name: "EmptyTagMap",
			What: "GetDetector and ListTagsForResource answer `\"tags\": {}` for a detector without tags; the model's TagMap has at least one entry.",
			Evidence: "The GuardDuty CLI reference's get-detector example shows `\"Tags\": {}`; terraform-provider-aws's tests expect `tags.% = 0` " +
				"(../shared/spec/guardduty.md §3.1, §5 tagging).",
			Allow: []model.Allowance{{Shape: "TagMap", Constraint: model.MinLength}},
		},
		{
			Name: "InvalidInputType",
			What: "Every 400 carries `BadRequestException` in X-Amzn-ErrorType and `\"__type\": \"InvalidInputException\"` in the body " +
				"(403s `AccessDeniedException`, 500s `InternalException`); the model's exceptions have a `type` member and no such code.",
			Evidence: "Raw HTTP answers in boto/boto3#3890, turbot/steampipe-plugin-aws#1105, " +
				"ministryofjustice/modernisation-platform#854 (../shared/spec/guardduty.md §2.1).",
		},
		{
			Name: "NoAdministrator",
			What: "GetAdministratorAccount and GetMasterAccount answer 200 `{}` when the caller has no administrator; the model marks `administrator` and `master` as required.",
			Evidence: "The model's own documentation of the operations (\"success (HTTP 200) but no content\" for an administrator or a standalone account); " +
				"terraform-provider-aws's invite accepter reads a missing `master` as an empty result (../shared/spec/guardduty.md §7).",
			Allow: []model.Allowance{{Shape: "GetAdministratorAccountResponse", Constraint: model.Required},
				{Shape: "GetMasterAccountResponse", Constraint: model.Required}},
		},
		{
			Name: "EmptyMemberDetectors",
			What: "GetMemberDetectors answers `\"members\": []` when none of the accounts asked for is a member (all are `unprocessedAccounts`); " +
				"the model requires the list and gives it at least one entry.",
			Evidence: "Inferred: an empty list is the only answer that keeps the member the model requires; AWS's answer in this case was not seen.",
			Allow:    []model.Allowance{{Shape: "MemberDataSourceConfigurations", Constraint: model.MinLength}},
		},
		{
			Name:     "TagQuota",
			What:     "A detector has at most 50 tags, else the request is an invalid value; the model's TagMap allows 200.",
			Evidence: "The GuardDuty quotas page (../shared/spec/guardduty.md §5 tagging, §10).",
		},
		{
			Name: "DetectorIDShape",
			What: "A detector id in a path must be 32 characters of [0-9a-z], or the request is refused as invalid; the model only bounds its length (1..300).",
			Evidence: "The text \"The request is rejected because the parameter detectorId has an invalid value.\" for `mygooddetectorid` in boto/boto3#3890; " +
				"the exact rule is inferred from the ids AWS makes (../shared/spec/guardduty.md §2.2).",
		},
	}
}

// DeviationsMarkdown renders the deviations for docs/fidelity.md.
func DeviationsMarkdown() string { return "\n" + fidelity.DeviationsMarkdown(Deviations()) + "\n" }

// OutputAllowances are the output constraints of the model that
// GuardDuty's answers break (Deviations).
func OutputAllowances() []model.Allowance { return fidelity.Allowances(Deviations()) }
