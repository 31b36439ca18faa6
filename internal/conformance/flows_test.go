package conformance

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"
	"github.com/aws/aws-sdk-go-v2/service/macie2"
	macietypes "github.com/aws/aws-sdk-go-v2/service/macie2/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// config returns an SDK configuration acting as account against url,
// without retries, so that every answer is seen as it is.
func config(url, account string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(account, "secret", ""),
		BaseEndpoint: aws.String(url),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
		HTTPClient:   http.DefaultClient,
	}
}

// must fails the test when a call of a happy path fails.
func must[T any](t *testing.T, what string) func(T, error) T {
	t.Helper()
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

// TestMacieHappyPathsFollowTheModel runs the two-account Macie lifecycle
// and the organization's delegated administration through the Go SDK;
// every success answer must have the model's output shape, and every
// served operation must have answered at least once.
func TestMacieHappyPathsFollowTheModel(t *testing.T) {
	ctx := context.Background()
	checker := NewOutputChecker(t)
	ts := newServer(t, checker.Wrap)
	c := func(account string) *macie2.Client { return macie2.NewFromConfig(config(ts.URL, account)) }
	admin, member, decliner, orgAdmin := c(mgmt), c(invitee), c(other), c(orgA)

	for _, cl := range []*macie2.Client{admin, member, decliner, orgAdmin} {
		must[*macie2.EnableMacieOutput](t, "EnableMacie")(cl.EnableMacie(ctx, &macie2.EnableMacieInput{}))
	}
	must[*macie2.GetMacieSessionOutput](t, "GetMacieSession")(admin.GetMacieSession(ctx, &macie2.GetMacieSessionInput{}))
	must[*macie2.UpdateMacieSessionOutput](t, "UpdateMacieSession")(admin.UpdateMacieSession(ctx, &macie2.UpdateMacieSessionInput{
		FindingPublishingFrequency: macietypes.FindingPublishingFrequencyOneHour}))

	arn := must[*macie2.CreateMemberOutput](t, "CreateMember")(admin.CreateMember(ctx, &macie2.CreateMemberInput{
		Account: &macietypes.AccountDetail{AccountId: aws.String(invitee), Email: aws.String("member@example.com")},
		Tags:    map[string]string{"team": "security"},
	})).Arn
	must[*macie2.CreateInvitationsOutput](t, "CreateInvitations")(admin.CreateInvitations(ctx, &macie2.CreateInvitationsInput{
		AccountIds: []string{invitee}, Message: aws.String("join us")}))
	must[*macie2.GetInvitationsCountOutput](t, "GetInvitationsCount")(member.GetInvitationsCount(ctx, &macie2.GetInvitationsCountInput{}))
	invs := must[*macie2.ListInvitationsOutput](t, "ListInvitations")(member.ListInvitations(ctx, &macie2.ListInvitationsInput{})).Invitations
	if len(invs) != 1 {
		t.Fatalf("invitations = %d, want 1", len(invs))
	}
	must[*macie2.AcceptInvitationOutput](t, "AcceptInvitation")(member.AcceptInvitation(ctx, &macie2.AcceptInvitationInput{
		AdministratorAccountId: aws.String(mgmt), InvitationId: invs[0].InvitationId}))
	must[*macie2.ListMembersOutput](t, "ListMembers")(admin.ListMembers(ctx, &macie2.ListMembersInput{OnlyAssociated: aws.String("false")}))
	must[*macie2.GetMemberOutput](t, "GetMember")(admin.GetMember(ctx, &macie2.GetMemberInput{Id: aws.String(invitee)}))
	must[*macie2.TagResourceOutput](t, "TagResource")(admin.TagResource(ctx, &macie2.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"env": "test"}}))
	must[*macie2.ListTagsForResourceOutput](t, "ListTagsForResource")(admin.ListTagsForResource(ctx, &macie2.ListTagsForResourceInput{ResourceArn: arn}))
	must[*macie2.UntagResourceOutput](t, "UntagResource")(admin.UntagResource(ctx, &macie2.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"env"}}))
	must[*macie2.UpdateMemberSessionOutput](t, "UpdateMemberSession")(admin.UpdateMemberSession(ctx, &macie2.UpdateMemberSessionInput{
		Id: aws.String(invitee), Status: macietypes.MacieStatusPaused}))
	must[*macie2.UpdateMemberSessionOutput](t, "UpdateMemberSession")(admin.UpdateMemberSession(ctx, &macie2.UpdateMemberSessionInput{
		Id: aws.String(invitee), Status: macietypes.MacieStatusEnabled}))
	must[*macie2.GetAdministratorAccountOutput](t, "GetAdministratorAccount")(member.GetAdministratorAccount(ctx, &macie2.GetAdministratorAccountInput{}))
	must[*macie2.GetMasterAccountOutput](t, "GetMasterAccount")(member.GetMasterAccount(ctx, &macie2.GetMasterAccountInput{}))
	must[*macie2.DisassociateFromAdministratorAccountOutput](t, "DisassociateFromAdministratorAccount")(
		member.DisassociateFromAdministratorAccount(ctx, &macie2.DisassociateFromAdministratorAccountInput{}))
	// Accepted again (the invitation stands), then left the old way.
	must[*macie2.AcceptInvitationOutput](t, "AcceptInvitation again")(member.AcceptInvitation(ctx, &macie2.AcceptInvitationInput{
		MasterAccount: aws.String(mgmt), InvitationId: invs[0].InvitationId}))
	must[*macie2.DisassociateFromMasterAccountOutput](t, "DisassociateFromMasterAccount")(
		member.DisassociateFromMasterAccount(ctx, &macie2.DisassociateFromMasterAccountInput{}))
	must[*macie2.DisassociateMemberOutput](t, "DisassociateMember")(admin.DisassociateMember(ctx, &macie2.DisassociateMemberInput{Id: aws.String(invitee)}))
	must[*macie2.DeleteMemberOutput](t, "DeleteMember")(admin.DeleteMember(ctx, &macie2.DeleteMemberInput{Id: aws.String(invitee)}))

	// An invitation declined, then deleted.
	must[*macie2.CreateMemberOutput](t, "CreateMember")(admin.CreateMember(ctx, &macie2.CreateMemberInput{
		Account: &macietypes.AccountDetail{AccountId: aws.String(other), Email: aws.String("other@example.com")}}))
	must[*macie2.CreateInvitationsOutput](t, "CreateInvitations")(admin.CreateInvitations(ctx, &macie2.CreateInvitationsInput{AccountIds: []string{other}}))
	must[*macie2.DeclineInvitationsOutput](t, "DeclineInvitations")(decliner.DeclineInvitations(ctx, &macie2.DeclineInvitationsInput{AccountIds: []string{mgmt}}))
	must[*macie2.DeleteInvitationsOutput](t, "DeleteInvitations")(decliner.DeleteInvitations(ctx, &macie2.DeleteInvitationsInput{AccountIds: []string{mgmt}}))
	must[*macie2.DeleteMemberOutput](t, "DeleteMember")(admin.DeleteMember(ctx, &macie2.DeleteMemberInput{Id: aws.String(other)}))

	// The organization's delegated administrator.
	must[*macie2.EnableOrganizationAdminAccountOutput](t, "EnableOrganizationAdminAccount")(admin.EnableOrganizationAdminAccount(ctx,
		&macie2.EnableOrganizationAdminAccountInput{AdminAccountId: aws.String(orgA)}))
	must[*macie2.ListOrganizationAdminAccountsOutput](t, "ListOrganizationAdminAccounts")(admin.ListOrganizationAdminAccounts(ctx,
		&macie2.ListOrganizationAdminAccountsInput{}))
	must[*macie2.UpdateOrganizationConfigurationOutput](t, "UpdateOrganizationConfiguration")(orgAdmin.UpdateOrganizationConfiguration(ctx,
		&macie2.UpdateOrganizationConfigurationInput{AutoEnable: aws.Bool(true)}))
	must[*macie2.DescribeOrganizationConfigurationOutput](t, "DescribeOrganizationConfiguration")(orgAdmin.DescribeOrganizationConfiguration(ctx,
		&macie2.DescribeOrganizationConfigurationInput{}))
	must[*macie2.DisableOrganizationAdminAccountOutput](t, "DisableOrganizationAdminAccount")(admin.DisableOrganizationAdminAccount(ctx,
		&macie2.DisableOrganizationAdminAccountInput{AdminAccountId: aws.String(orgA)}))
	must[*macie2.DisableMacieOutput](t, "DisableMacie")(member.DisableMacie(ctx, &macie2.DisableMacieInput{}))

	checker.Covered(t, "macie2")
}

// TestGuardDutyHappyPathsFollowTheModel is the same for GuardDuty.
func TestGuardDutyHappyPathsFollowTheModel(t *testing.T) {
	ctx := context.Background()
	checker := NewOutputChecker(t)
	ts := newServer(t, checker.Wrap)
	c := func(account string) *guardduty.Client { return guardduty.NewFromConfig(config(ts.URL, account)) }
	admin, member, decliner := c(mgmt), c(invitee), c(other)
	detector := func(cl *guardduty.Client, what string, tags map[string]string) *string {
		return must[*guardduty.CreateDetectorOutput](t, what)(cl.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true), Tags: tags})).DetectorId
	}
	a := detector(admin, "CreateDetector", map[string]string{"team": "security"})
	b := detector(member, "CreateDetector", nil)
	d := detector(decliner, "CreateDetector", nil)
	must[*guardduty.ListDetectorsOutput](t, "ListDetectors")(admin.ListDetectors(ctx, &guardduty.ListDetectorsInput{}))
	must[*guardduty.GetDetectorOutput](t, "GetDetector")(admin.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: a}))
	must[*guardduty.GetDetectorOutput](t, "GetDetector without tags")(member.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: b}))
	must[*guardduty.UpdateDetectorOutput](t, "UpdateDetector")(admin.UpdateDetector(ctx, &guardduty.UpdateDetectorInput{DetectorId: a,
		FindingPublishingFrequency: gdtypes.FindingPublishingFrequencyOneHour,
		Features:                   []gdtypes.DetectorFeatureConfiguration{{Name: gdtypes.DetectorFeatureRdsLoginEvents, Status: gdtypes.FeatureStatusDisabled}}}))

	must[*guardduty.CreateMembersOutput](t, "CreateMembers")(admin.CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: a,
		AccountDetails: []gdtypes.AccountDetail{{AccountId: aws.String(invitee), Email: aws.String("member@example.com")}}}))
	must[*guardduty.InviteMembersOutput](t, "InviteMembers")(admin.InviteMembers(ctx, &guardduty.InviteMembersInput{DetectorId: a, AccountIds: []string{invitee}}))
	must[*guardduty.GetInvitationsCountOutput](t, "GetInvitationsCount")(member.GetInvitationsCount(ctx, &guardduty.GetInvitationsCountInput{}))
	invs := must[*guardduty.ListInvitationsOutput](t, "ListInvitations")(member.ListInvitations(ctx, &guardduty.ListInvitationsInput{})).Invitations
	if len(invs) != 1 {
		t.Fatalf("invitations = %d, want 1", len(invs))
	}
	must[*guardduty.AcceptAdministratorInvitationOutput](t, "AcceptAdministratorInvitation")(member.AcceptAdministratorInvitation(ctx,
		&guardduty.AcceptAdministratorInvitationInput{DetectorId: b, AdministratorId: aws.String(mgmt), InvitationId: invs[0].InvitationId}))
	ids := []string{invitee}
	must[*guardduty.GetMembersOutput](t, "GetMembers")(admin.GetMembers(ctx, &guardduty.GetMembersInput{DetectorId: a, AccountIds: ids}))
	must[*guardduty.ListMembersOutput](t, "ListMembers")(admin.ListMembers(ctx, &guardduty.ListMembersInput{DetectorId: a, OnlyAssociated: aws.String("false")}))
	must[*guardduty.StopMonitoringMembersOutput](t, "StopMonitoringMembers")(admin.StopMonitoringMembers(ctx, &guardduty.StopMonitoringMembersInput{DetectorId: a, AccountIds: ids}))
	must[*guardduty.StartMonitoringMembersOutput](t, "StartMonitoringMembers")(admin.StartMonitoringMembers(ctx, &guardduty.StartMonitoringMembersInput{DetectorId: a, AccountIds: ids}))
	must[*guardduty.UpdateMemberDetectorsOutput](t, "UpdateMemberDetectors")(admin.UpdateMemberDetectors(ctx, &guardduty.UpdateMemberDetectorsInput{DetectorId: a, AccountIds: ids,
		Features: []gdtypes.MemberFeaturesConfiguration{{Name: gdtypes.OrgFeatureLambdaNetworkLogs, Status: gdtypes.FeatureStatusDisabled}}}))
	must[*guardduty.GetMemberDetectorsOutput](t, "GetMemberDetectors")(admin.GetMemberDetectors(ctx, &guardduty.GetMemberDetectorsInput{DetectorId: a, AccountIds: ids}))
	// No account asked for is a member: an empty list (EmptyMemberDetectors).
	none := must[*guardduty.GetMemberDetectorsOutput](t, "GetMemberDetectors of a non-member")(admin.GetMemberDetectors(ctx,
		&guardduty.GetMemberDetectorsInput{DetectorId: a, AccountIds: []string{orgB}}))
	if len(none.MemberDataSourceConfigurations) != 0 || len(none.UnprocessedAccounts) != 1 {
		t.Fatalf("GetMemberDetectors of a non-member = %+v", none)
	}
	must[*guardduty.GetAdministratorAccountOutput](t, "GetAdministratorAccount")(member.GetAdministratorAccount(ctx, &guardduty.GetAdministratorAccountInput{DetectorId: b}))
	must[*guardduty.GetMasterAccountOutput](t, "GetMasterAccount")(member.GetMasterAccount(ctx, &guardduty.GetMasterAccountInput{DetectorId: b}))
	must[*guardduty.DisassociateFromAdministratorAccountOutput](t, "DisassociateFromAdministratorAccount")(member.DisassociateFromAdministratorAccount(ctx,
		&guardduty.DisassociateFromAdministratorAccountInput{DetectorId: b}))
	// A Resigned member's invitation stands: accepted again the old way,
	// then left the old way.
	must[*guardduty.AcceptInvitationOutput](t, "AcceptInvitation")(member.AcceptInvitation(ctx,
		&guardduty.AcceptInvitationInput{DetectorId: b, MasterId: aws.String(mgmt), InvitationId: invs[0].InvitationId}))
	must[*guardduty.DisassociateFromMasterAccountOutput](t, "DisassociateFromMasterAccount")(member.DisassociateFromMasterAccount(ctx,
		&guardduty.DisassociateFromMasterAccountInput{DetectorId: b}))
	must[*guardduty.DisassociateMembersOutput](t, "DisassociateMembers")(admin.DisassociateMembers(ctx, &guardduty.DisassociateMembersInput{DetectorId: a, AccountIds: ids}))
	must[*guardduty.DeleteMembersOutput](t, "DeleteMembers")(admin.DeleteMembers(ctx, &guardduty.DeleteMembersInput{DetectorId: a, AccountIds: ids}))

	// An invitation declined, then deleted.
	must[*guardduty.CreateMembersOutput](t, "CreateMembers")(admin.CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: a,
		AccountDetails: []gdtypes.AccountDetail{{AccountId: aws.String(other), Email: aws.String("other@example.com")}}}))
	must[*guardduty.InviteMembersOutput](t, "InviteMembers")(admin.InviteMembers(ctx, &guardduty.InviteMembersInput{DetectorId: a, AccountIds: []string{other}}))
	must[*guardduty.DeclineInvitationsOutput](t, "DeclineInvitations")(decliner.DeclineInvitations(ctx, &guardduty.DeclineInvitationsInput{AccountIds: []string{mgmt}}))
	must[*guardduty.DeleteInvitationsOutput](t, "DeleteInvitations")(decliner.DeleteInvitations(ctx, &guardduty.DeleteInvitationsInput{AccountIds: []string{mgmt}}))
	_ = d

	// Tags on the detector.
	arn := aws.String("arn:aws:guardduty:us-east-1:" + mgmt + ":detector/" + aws.ToString(a))
	must[*guardduty.TagResourceOutput](t, "TagResource")(admin.TagResource(ctx, &guardduty.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"env": "test"}}))
	must[*guardduty.ListTagsForResourceOutput](t, "ListTagsForResource")(admin.ListTagsForResource(ctx, &guardduty.ListTagsForResourceInput{ResourceArn: arn}))
	must[*guardduty.UntagResourceOutput](t, "UntagResource")(admin.UntagResource(ctx, &guardduty.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"env", "team"}}))
	must[*guardduty.ListTagsForResourceOutput](t, "ListTagsForResource without tags")(admin.ListTagsForResource(ctx, &guardduty.ListTagsForResourceInput{ResourceArn: arn}))

	// The organization's delegated administrator.
	must[*guardduty.EnableOrganizationAdminAccountOutput](t, "EnableOrganizationAdminAccount")(admin.EnableOrganizationAdminAccount(ctx,
		&guardduty.EnableOrganizationAdminAccountInput{AdminAccountId: aws.String(orgA)}))
	must[*guardduty.ListOrganizationAdminAccountsOutput](t, "ListOrganizationAdminAccounts")(admin.ListOrganizationAdminAccounts(ctx,
		&guardduty.ListOrganizationAdminAccountsInput{}))
	orgAdmin := c(orgA)
	dets := must[*guardduty.ListDetectorsOutput](t, "ListDetectors")(orgAdmin.ListDetectors(ctx, &guardduty.ListDetectorsInput{})).DetectorIds
	if len(dets) != 1 {
		t.Fatalf("the delegated administrator has %d detectors, want 1", len(dets))
	}
	must[*guardduty.UpdateOrganizationConfigurationOutput](t, "UpdateOrganizationConfiguration")(orgAdmin.UpdateOrganizationConfiguration(ctx,
		&guardduty.UpdateOrganizationConfigurationInput{DetectorId: aws.String(dets[0]), AutoEnableOrganizationMembers: gdtypes.AutoEnableMembersNew}))
	must[*guardduty.DescribeOrganizationConfigurationOutput](t, "DescribeOrganizationConfiguration")(orgAdmin.DescribeOrganizationConfiguration(ctx,
		&guardduty.DescribeOrganizationConfigurationInput{DetectorId: aws.String(dets[0]), MaxResults: aws.Int32(2)}))
	must[*guardduty.DisableOrganizationAdminAccountOutput](t, "DisableOrganizationAdminAccount")(admin.DisableOrganizationAdminAccount(ctx,
		&guardduty.DisableOrganizationAdminAccountInput{AdminAccountId: aws.String(orgA)}))

	must[*guardduty.DeleteDetectorOutput](t, "DeleteDetector")(member.DeleteDetector(ctx, &guardduty.DeleteDetectorInput{DetectorId: b}))

	checker.Covered(t, "guardduty")
}

// TestSTSHappyPathFollowsTheModel checks GetCallerIdentity's and
// AssumeRole's XML answers: the management account assumes the role of an
// account it created.
func TestSTSHappyPathFollowsTheModel(t *testing.T) {
	ctx := context.Background()
	checker := NewOutputChecker(t)
	ts := newServer(t, checker.Wrap)
	out := must[*sts.GetCallerIdentityOutput](t, "GetCallerIdentity")(sts.NewFromConfig(config(ts.URL, invitee)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if aws.ToString(out.Account) != invitee {
		t.Fatalf("account = %s", aws.ToString(out.Account))
	}
	orgs := organizations.NewFromConfig(config(ts.URL, mgmt))
	req := must[*organizations.CreateAccountOutput](t, "CreateAccount")(orgs.CreateAccount(ctx, &organizations.CreateAccountInput{
		AccountName: aws.String("workload"), Email: aws.String("workload@example.com")}))
	created := must[*organizations.DescribeCreateAccountStatusOutput](t, "DescribeCreateAccountStatus")(orgs.DescribeCreateAccountStatus(ctx,
		&organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: req.CreateAccountStatus.Id}))
	role := "arn:aws:iam::" + aws.ToString(created.CreateAccountStatus.AccountId) + ":role/OrganizationAccountAccessRole"
	assumed := must[*sts.AssumeRoleOutput](t, "AssumeRole")(sts.NewFromConfig(config(ts.URL, mgmt)).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(role), RoleSessionName: aws.String("conformance")}))
	if assumed.Credentials == nil || assumed.AssumedRoleUser == nil {
		t.Fatalf("AssumeRole = %+v", assumed)
	}
	checker.Covered(t, "sts")
}
