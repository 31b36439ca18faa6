package e2e_test

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/localsec/localsec/localsectest"
)

// orgClient returns an Organizations client acting as account. It signs
// for eu-west-1, as a client configured for any region does with an
// endpoint override: Organizations is global (spec organizations.md §1).
func orgClient(srv *localsectest.Server, account string) *organizations.Client {
	return organizations.NewFromConfig(srv.AWSConfigIn(account, "eu-west-1"), func(o *organizations.Options) {
		o.Retryer = aws.NopRetryer{}
	})
}

var (
	orgIDPattern  = regexp.MustCompile(`^o-[0-9a-z]{10}$`)
	rootIDPattern = regexp.MustCompile(`^r-[0-9a-z]{4}$`)
	ouIDPattern   = regexp.MustCompile(`^ou-[0-9a-z]{4}-[0-9a-z]{8}$`)
)

// wantReason checks the Reason of an Organizations error.
func wantReason(t *testing.T, err error, reason string) {
	t.Helper()
	var cv *otypes.ConstraintViolationException
	var hc *otypes.HandshakeConstraintViolationException
	var ii *otypes.InvalidInputException
	got := ""
	switch {
	case errors.As(err, &cv):
		got = string(cv.Reason)
	case errors.As(err, &hc):
		got = string(hc.Reason)
	case errors.As(err, &ii):
		got = string(ii.Reason)
	default:
		t.Fatalf("%v carries no Reason", err)
	}
	if got != reason {
		t.Fatalf("Reason = %q (%v), want %q", got, err, reason)
	}
}

// §16.1 and §16.2: an organization made and read, an account invited,
// declined, canceled and accepted, and who may read what.
func TestOrganizationsCreateAndInvite(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	mgmt, a, b := orgClient(srv, adminAcct), orgClient(srv, memberAcct), orgClient(srv, thirdAcct)

	_, err := mgmt.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	wantAPIError(t, err, "AWSOrganizationsNotInUseException", 400, "Your account is not a member of an organization.")

	org := check(mgmt.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: otypes.OrganizationFeatureSetAll})).ok(t).Organization
	if !orgIDPattern.MatchString(aws.ToString(org.Id)) || aws.ToString(org.MasterAccountId) != adminAcct ||
		aws.ToString(org.Arn) != "arn:aws:organizations::"+adminAcct+":organization/"+aws.ToString(org.Id) {
		t.Fatalf("organization = %+v", org)
	}
	_, err = mgmt.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
	wantAPIError(t, err, "AlreadyInOrganizationException", 400, "")

	roots := check(mgmt.ListRoots(ctx, &organizations.ListRootsInput{})).ok(t).Roots
	if len(roots) != 1 || !rootIDPattern.MatchString(aws.ToString(roots[0].Id)) || len(roots[0].PolicyTypes) != 0 || aws.ToString(roots[0].Name) != "Root" {
		t.Fatalf("roots = %+v", roots)
	}
	accounts := check(mgmt.ListAccounts(ctx, &organizations.ListAccountsInput{})).ok(t).Accounts
	if len(accounts) != 1 || aws.ToString(accounts[0].Id) != adminAcct || accounts[0].JoinedMethod != otypes.AccountJoinedMethodInvited ||
		accounts[0].State != otypes.AccountStateActive || accounts[0].JoinedTimestamp == nil {
		t.Fatalf("accounts = %+v", accounts)
	}
	_, err = a.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	wantAPIError(t, err, "AWSOrganizationsNotInUseException", 400, "")

	// An invitation the account declines, one the management account
	// cancels, one it accepts.
	invite := func() *otypes.Handshake {
		t.Helper()
		return check(mgmt.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
			Target: &otypes.HandshakeParty{Id: aws.String(memberAcct), Type: otypes.HandshakePartyTypeAccount},
			Notes:  aws.String("join us"),
		})).ok(t).Handshake
	}
	h := invite()
	if h.State != otypes.HandshakeStateOpen || h.Action != otypes.ActionTypeInviteAccountToOrganization ||
		h.ExpirationTimestamp.Sub(*h.RequestedTimestamp) != 15*24*time.Hour || len(h.Parties) != 2 {
		t.Fatalf("handshake = %+v", h)
	}
	_, err = mgmt.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
		Target: &otypes.HandshakeParty{Id: aws.String(memberAcct), Type: otypes.HandshakePartyTypeAccount}})
	wantAPIError(t, err, "DuplicateHandshakeException", 400, "")
	got := check(a.ListHandshakesForAccount(ctx, &organizations.ListHandshakesForAccountInput{})).ok(t).Handshakes
	if len(got) != 1 || aws.ToString(got[0].Id) != aws.ToString(h.Id) {
		t.Fatalf("the invitee's handshakes = %+v", got)
	}
	if d := check(a.DeclineHandshake(ctx, &organizations.DeclineHandshakeInput{HandshakeId: h.Id})).ok(t).Handshake; d.State != otypes.HandshakeStateDeclined {
		t.Fatalf("declined = %+v", d)
	}
	_, err = a.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: h.Id})
	wantAPIError(t, err, "InvalidHandshakeTransitionException", 400, "")
	_, err = a.DeclineHandshake(ctx, &organizations.DeclineHandshakeInput{HandshakeId: h.Id})
	wantAPIError(t, err, "HandshakeAlreadyInStateException", 400, "")

	h = invite()
	if c := check(mgmt.CancelHandshake(ctx, &organizations.CancelHandshakeInput{HandshakeId: h.Id})).ok(t).Handshake; c.State != otypes.HandshakeStateCanceled {
		t.Fatalf("canceled = %+v", c)
	}
	_, err = a.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: h.Id})
	wantAPIError(t, err, "InvalidHandshakeTransitionException", 400, "")
	// A third party learns nothing of it.
	_, err = b.DescribeHandshake(ctx, &organizations.DescribeHandshakeInput{HandshakeId: h.Id})
	wantAPIError(t, err, "HandshakeNotFoundException", 400, "")

	h = invite()
	if acc := check(a.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: h.Id})).ok(t).Handshake; acc.State != otypes.HandshakeStateAccepted {
		t.Fatalf("accepted = %+v", acc)
	}
	if o := check(a.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})).ok(t).Organization; aws.ToString(o.Id) != aws.ToString(org.Id) {
		t.Fatalf("the member's organization = %+v", o)
	}
	_, err = a.ListAccounts(ctx, &organizations.ListAccountsInput{})
	wantAPIError(t, err, "AccessDeniedException", 400, "You don't have permissions to access this resource.")
	acct := check(mgmt.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(memberAcct)})).ok(t).Account
	if acct.JoinedMethod != otypes.AccountJoinedMethodInvited || aws.ToString(acct.Arn) != "arn:aws:organizations::"+adminAcct+":account/"+aws.ToString(org.Id)+"/"+memberAcct {
		t.Fatalf("the invited account = %+v", acct)
	}
	parents := check(mgmt.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(memberAcct)})).ok(t).Parents
	if len(parents) != 1 || aws.ToString(parents[0].Id) != aws.ToString(roots[0].Id) || parents[0].Type != otypes.ParentTypeRoot {
		t.Fatalf("parents = %+v", parents)
	}

	// The management account is in an organization already; so is the
	// member now.
	_, err = mgmt.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
		Target: &otypes.HandshakeParty{Id: aws.String(memberAcct), Type: otypes.HandshakePartyTypeAccount}})
	wantReason(t, err, "ALREADY_IN_AN_ORGANIZATION")
	_, err = mgmt.RemoveAccountFromOrganization(ctx, &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(adminAcct)})
	wantAPIError(t, err, "MasterCannotLeaveOrganizationException", 400, "")
	_, err = mgmt.DeleteOrganization(ctx, &organizations.DeleteOrganizationInput{})
	wantAPIError(t, err, "OrganizationNotEmptyException", 400, "")

	check(a.LeaveOrganization(ctx, &organizations.LeaveOrganizationInput{})).ok(t)
	_, err = a.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	wantAPIError(t, err, "AWSOrganizationsNotInUseException", 400, "")
	check(mgmt.DeleteOrganization(ctx, &organizations.DeleteOrganizationInput{})).ok(t)
	_, err = mgmt.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	wantAPIError(t, err, "AWSOrganizationsNotInUseException", 400, "")
}

// §16.3: an account created, placed in an OU, and the OU's rules.
func TestOrganizationsCreatedAccountAndUnits(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	mgmt := orgClient(srv, adminAcct)
	check(mgmt.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})).ok(t)
	root := aws.ToString(check(mgmt.ListRoots(ctx, &organizations.ListRootsInput{})).ok(t).Roots[0].Id)

	st := check(mgmt.CreateAccount(ctx, &organizations.CreateAccountInput{
		AccountName: aws.String("workload"), Email: aws.String("workload@example.com"),
		Tags: []otypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}},
	})).ok(t).CreateAccountStatus
	if st.State != otypes.CreateAccountStateInProgress || st.AccountId != nil {
		t.Fatalf("CreateAccount = %+v", st)
	}
	// Terraform's waiter reads at once: SUCCEEDED from the first read (spec §6.4).
	first := check(mgmt.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: st.Id})).ok(t).CreateAccountStatus
	if first.State != otypes.CreateAccountStateSucceeded || len(aws.ToString(first.AccountId)) != 12 || first.CompletedTimestamp == nil {
		t.Fatalf("first read = %+v", first)
	}
	created := aws.ToString(first.AccountId)
	failed := check(mgmt.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("dup"), Email: aws.String("workload@example.com")})).ok(t).CreateAccountStatus
	if f := check(mgmt.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: failed.Id})).ok(t).CreateAccountStatus; f.State != otypes.CreateAccountStateFailed || f.FailureReason != otypes.CreateAccountFailureReasonEmailAlreadyExists {
		t.Fatalf("a second account with the same email = %+v", f)
	}
	done := check(mgmt.ListCreateAccountStatus(ctx, &organizations.ListCreateAccountStatusInput{States: []otypes.CreateAccountState{otypes.CreateAccountStateSucceeded}})).ok(t).CreateAccountStatuses
	if len(done) != 1 || aws.ToString(done[0].AccountId) != created {
		t.Fatalf("succeeded requests = %+v", done)
	}
	tags := check(mgmt.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: aws.String(created)})).ok(t).Tags
	if len(tags) != 1 || aws.ToString(tags[0].Key) != "env" {
		t.Fatalf("tags = %+v", tags)
	}

	ou := check(mgmt.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String("Security")})).ok(t).OrganizationalUnit
	if !ouIDPattern.MatchString(aws.ToString(ou.Id)) {
		t.Fatalf("OU = %+v", ou)
	}
	_, err := mgmt.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String("Security")})
	wantAPIError(t, err, "DuplicateOrganizationalUnitException", 400, "")
	// The same name under another parent is fine.
	check(mgmt.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: ou.Id, Name: aws.String("Security")})).ok(t)
	check(mgmt.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(created), SourceParentId: aws.String(root), DestinationParentId: ou.Id})).ok(t)
	_, err = mgmt.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(created), SourceParentId: ou.Id, DestinationParentId: ou.Id})
	wantAPIError(t, err, "DuplicateAccountException", 400, "That account is already present in the specified destination.")
	in := check(mgmt.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: ou.Id})).ok(t).Accounts
	if len(in) != 1 || aws.ToString(in[0].Id) != created || in[0].JoinedMethod != otypes.AccountJoinedMethodCreated {
		t.Fatalf("accounts in the OU = %+v", in)
	}
	children := check(mgmt.ListChildren(ctx, &organizations.ListChildrenInput{ParentId: ou.Id, ChildType: otypes.ChildTypeOrganizationalUnit})).ok(t).Children
	if len(children) != 1 {
		t.Fatalf("OUs in the OU = %+v", children)
	}
	_, err = mgmt.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: ou.Id})
	wantAPIError(t, err, "OrganizationalUnitNotEmptyException", 400, "")
	renamed := check(mgmt.UpdateOrganizationalUnit(ctx, &organizations.UpdateOrganizationalUnitInput{OrganizationalUnitId: ou.Id, Name: aws.String("Sec")})).ok(t).OrganizationalUnit
	if aws.ToString(renamed.Name) != "Sec" || aws.ToString(renamed.Id) != aws.ToString(ou.Id) {
		t.Fatalf("renamed = %+v", renamed)
	}
	// Paging: one account a page.
	p := organizations.NewListAccountsPaginator(mgmt, &organizations.ListAccountsInput{MaxResults: aws.Int32(1)})
	seen := 0
	for p.HasMorePages() {
		page := check(p.NextPage(ctx)).ok(t)
		if len(page.Accounts) > 1 {
			t.Fatalf("a page of %d accounts", len(page.Accounts))
		}
		seen += len(page.Accounts)
	}
	if seen != 2 {
		t.Fatalf("paged %d accounts, want 2", seen)
	}
	_, err = mgmt.ListAccounts(ctx, &organizations.ListAccountsInput{MaxResults: aws.Int32(21)})
	wantReason(t, err, "MAX_VALUE_EXCEEDED")
}

// §16.4 and §16.5: GuardDuty's delegated administrator through
// Organizations, and the management account as its own administrator.
func TestOrganizationsDelegatedAdministratorViaGuardDuty(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	mgmt, a := orgClient(srv, adminAcct), orgClient(srv, memberAcct)
	check(mgmt.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})).ok(t)
	h := check(mgmt.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
		Target: &otypes.HandshakeParty{Id: aws.String(memberAcct), Type: otypes.HandshakePartyTypeAccount}})).ok(t).Handshake
	check(a.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: h.Id})).ok(t)

	gdMgmt := guardduty.NewFromConfig(srv.AWSConfig(adminAcct), func(o *guardduty.Options) { o.Retryer = aws.NopRetryer{} })
	check(gdMgmt.EnableOrganizationAdminAccount(ctx, &guardduty.EnableOrganizationAdminAccountInput{AdminAccountId: aws.String(memberAcct)})).ok(t)

	access := check(mgmt.ListAWSServiceAccessForOrganization(ctx, &organizations.ListAWSServiceAccessForOrganizationInput{})).ok(t).EnabledServicePrincipals
	if len(access) != 1 || aws.ToString(access[0].ServicePrincipal) != "guardduty.amazonaws.com" || access[0].DateEnabled == nil {
		t.Fatalf("trusted access = %+v", access)
	}
	das := check(mgmt.ListDelegatedAdministrators(ctx, &organizations.ListDelegatedAdministratorsInput{ServicePrincipal: aws.String("guardduty.amazonaws.com")})).ok(t).DelegatedAdministrators
	if len(das) != 1 || aws.ToString(das[0].Id) != memberAcct || das[0].DelegationEnabledDate == nil {
		t.Fatalf("delegated administrators = %+v", das)
	}
	// A delegated administrator reads the organization.
	check(a.ListAccounts(ctx, &organizations.ListAccountsInput{})).ok(t)
	svcs := check(mgmt.ListDelegatedServicesForAccount(ctx, &organizations.ListDelegatedServicesForAccountInput{AccountId: aws.String(memberAcct)})).ok(t).DelegatedServices
	if len(svcs) != 1 || aws.ToString(svcs[0].ServicePrincipal) != "guardduty.amazonaws.com" {
		t.Fatalf("delegated services = %+v", svcs)
	}
	_, err := mgmt.RemoveAccountFromOrganization(ctx, &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(memberAcct)})
	wantReason(t, err, "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG")
	_, err = mgmt.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{
		AccountId: aws.String(memberAcct), ServicePrincipal: aws.String("guardduty.amazonaws.com")})
	wantAPIError(t, err, "AccountAlreadyRegisteredException", 400, "The provided account is already a delegated administrator for your organization.")
	_, err = mgmt.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{
		AccountId: aws.String(adminAcct), ServicePrincipal: aws.String("macie.amazonaws.com")})
	wantAPIError(t, err, "ConstraintViolationException", 400, "You cannot register management account/yourself as delegated administrator for your organization.")
	wantReason(t, err, "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR")
	_, err = mgmt.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("stacksets.cloudformation.amazonaws.com")})
	wantAPIError(t, err, "InvalidInputException", 400, "You specified an unrecognized service principal.")

	// GuardDuty's own Disable keeps the registration; Organizations'
	// Deregister ends GuardDuty's designation too.
	check(gdMgmt.DisableOrganizationAdminAccount(ctx, &guardduty.DisableOrganizationAdminAccountInput{AdminAccountId: aws.String(memberAcct)})).ok(t)
	if das := check(mgmt.ListDelegatedAdministrators(ctx, &organizations.ListDelegatedAdministratorsInput{})).ok(t).DelegatedAdministrators; len(das) != 1 {
		t.Fatalf("after GuardDuty's disable: %+v", das)
	}
	check(gdMgmt.EnableOrganizationAdminAccount(ctx, &guardduty.EnableOrganizationAdminAccountInput{AdminAccountId: aws.String(memberAcct)})).ok(t)
	check(mgmt.DeregisterDelegatedAdministrator(ctx, &organizations.DeregisterDelegatedAdministratorInput{
		AccountId: aws.String(memberAcct), ServicePrincipal: aws.String("guardduty.amazonaws.com")})).ok(t)
	if admins := check(gdMgmt.ListOrganizationAdminAccounts(ctx, &guardduty.ListOrganizationAdminAccountsInput{})).ok(t).AdminAccounts; len(admins) != 0 {
		t.Fatalf("GuardDuty's administrators after Deregister = %+v", admins)
	}
	_, err = mgmt.DeregisterDelegatedAdministrator(ctx, &organizations.DeregisterDelegatedAdministratorInput{
		AccountId: aws.String(memberAcct), ServicePrincipal: aws.String("guardduty.amazonaws.com")})
	wantAPIError(t, err, "AccountNotRegisteredException", 400, "")
	check(a.LeaveOrganization(ctx, &organizations.LeaveOrganizationInput{})).ok(t)

	// The management account as GuardDuty's administrator: trusted
	// access, no delegated administrator.
	check(gdMgmt.EnableOrganizationAdminAccount(ctx, &guardduty.EnableOrganizationAdminAccountInput{AdminAccountId: aws.String(adminAcct)})).ok(t)
	if das := check(mgmt.ListDelegatedAdministrators(ctx, &organizations.ListDelegatedAdministratorsInput{})).ok(t).DelegatedAdministrators; len(das) != 0 {
		t.Fatalf("delegated administrators with the management account as GuardDuty's = %+v", das)
	}
}
