package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// orgPager is what every paginator of the Organizations SDK has.
type orgPager[T any] interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(*organizations.Options)) (T, error)
}

// allOrgPages reads every page of p, failing the test on an error. The
// paginators are made with Limit 1, so that every NextToken the service
// hands out is sent back and the last page is seen without one.
func allOrgPages[T any](t *testing.T, what string, p orgPager[T]) []T {
	t.Helper()
	var pages []T
	for p.HasMorePages() {
		pages = append(pages, must[T](t, what)(p.NextPage(context.Background())))
		// A service that always hands out a token would page forever.
		if len(pages) > 100 {
			t.Fatalf("%s: more than 100 pages", what)
		}
	}
	return pages
}

// orgTags makes Organizations tags of key, value pairs.
func orgTags(kv ...string) []otypes.Tag {
	var out []otypes.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, otypes.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

// TestOrganizationsHappyPathFollowsTheModel runs the organization's life
// through the Go SDK with four kinds of account (the management account
// seeded by newServer, an account invited by hand, an account created by
// the API, and a delegated administrator), then an organization made and
// deleted with the API; every success answer must have the model's
// output shape, and every served operation must have answered at least
// once. Lists are read one item a page, with filters where the operation
// has them, so that NextToken and the optional members travel too.
func TestOrganizationsHappyPathFollowsTheModel(t *testing.T) {
	ctx := context.Background()
	checker := NewOutputChecker(t)
	ts := newServer(t, checker.Wrap)
	c := func(account string) *organizations.Client {
		return organizations.NewFromConfig(config(ts.URL, account))
	}
	manager, invited, delegated, outsider := c(mgmt), c(invitee), c(orgA), c(other)

	// The organization newServer seeds for mgmt, with orgA and orgB.
	org := must[*organizations.DescribeOrganizationOutput](t, "DescribeOrganization")(manager.DescribeOrganization(ctx,
		&organizations.DescribeOrganizationInput{})).Organization
	if aws.ToString(org.MasterAccountId) != mgmt {
		t.Fatalf("organization = %+v", org)
	}
	rootPages := allOrgPages[*organizations.ListRootsOutput](t, "ListRoots", organizations.NewListRootsPaginator(manager,
		&organizations.ListRootsInput{}, func(o *organizations.ListRootsPaginatorOptions) { o.Limit = 1 }))
	if len(rootPages) != 1 || len(rootPages[0].Roots) != 1 {
		t.Fatalf("roots = %+v", rootPages)
	}
	root := rootPages[0].Roots[0].Id
	enabled := must[*organizations.EnablePolicyTypeOutput](t, "EnablePolicyType")(manager.EnablePolicyType(ctx,
		&organizations.EnablePolicyTypeInput{RootId: root, PolicyType: otypes.PolicyTypeServiceControlPolicy})).Root
	if len(enabled.PolicyTypes) != 1 {
		t.Fatalf("the root after EnablePolicyType = %+v", enabled)
	}

	// An account invited by id, with notes and tags, that accepts.
	invitation := must[*organizations.InviteAccountToOrganizationOutput](t, "InviteAccountToOrganization")(manager.InviteAccountToOrganization(ctx,
		&organizations.InviteAccountToOrganizationInput{
			Target: &otypes.HandshakeParty{Id: aws.String(invitee), Type: otypes.HandshakePartyTypeAccount},
			Notes:  aws.String("join the security organization"),
			Tags:   orgTags("team", "security"),
		})).Handshake
	must[*organizations.DescribeHandshakeOutput](t, "DescribeHandshake")(invited.DescribeHandshake(ctx,
		&organizations.DescribeHandshakeInput{HandshakeId: invitation.Id}))
	received := allOrgPages[*organizations.ListHandshakesForAccountOutput](t, "ListHandshakesForAccount", organizations.NewListHandshakesForAccountPaginator(invited,
		&organizations.ListHandshakesForAccountInput{Filter: &otypes.HandshakeFilter{ActionType: otypes.ActionTypeInviteAccountToOrganization}},
		func(o *organizations.ListHandshakesForAccountPaginatorOptions) { o.Limit = 1 }))
	if len(received) != 1 || len(received[0].Handshakes) != 1 {
		t.Fatalf("the invited account's handshakes = %+v", received)
	}
	accepted := must[*organizations.AcceptHandshakeOutput](t, "AcceptHandshake")(invited.AcceptHandshake(ctx,
		&organizations.AcceptHandshakeInput{HandshakeId: invitation.Id})).Handshake
	if accepted.State != otypes.HandshakeStateAccepted {
		t.Fatalf("accepted handshake = %+v", accepted)
	}
	must[*organizations.DescribeOrganizationOutput](t, "DescribeOrganization as the invited member")(invited.DescribeOrganization(ctx,
		&organizations.DescribeOrganizationInput{}))

	// An invitation the outsider declines, then one the management
	// account cancels.
	declined := must[*organizations.InviteAccountToOrganizationOutput](t, "InviteAccountToOrganization")(manager.InviteAccountToOrganization(ctx,
		&organizations.InviteAccountToOrganizationInput{Target: &otypes.HandshakeParty{Id: aws.String(other), Type: otypes.HandshakePartyTypeAccount}})).Handshake
	must[*organizations.DeclineHandshakeOutput](t, "DeclineHandshake")(outsider.DeclineHandshake(ctx,
		&organizations.DeclineHandshakeInput{HandshakeId: declined.Id}))
	canceled := must[*organizations.InviteAccountToOrganizationOutput](t, "InviteAccountToOrganization")(manager.InviteAccountToOrganization(ctx,
		&organizations.InviteAccountToOrganizationInput{Target: &otypes.HandshakeParty{Id: aws.String(other), Type: otypes.HandshakePartyTypeAccount}})).Handshake
	must[*organizations.CancelHandshakeOutput](t, "CancelHandshake")(manager.CancelHandshake(ctx,
		&organizations.CancelHandshakeInput{HandshakeId: canceled.Id}))
	sent := allOrgPages[*organizations.ListHandshakesForOrganizationOutput](t, "ListHandshakesForOrganization", organizations.NewListHandshakesForOrganizationPaginator(manager,
		&organizations.ListHandshakesForOrganizationInput{Filter: &otypes.HandshakeFilter{ActionType: otypes.ActionTypeInviteAccountToOrganization}},
		func(o *organizations.ListHandshakesForOrganizationPaginatorOptions) { o.Limit = 1 }))
	if len(sent) != 3 {
		t.Fatalf("the organization's handshakes came in %d pages of one, want 3", len(sent))
	}

	// An account created with tags and a role, read as it is made.
	request := must[*organizations.CreateAccountOutput](t, "CreateAccount")(manager.CreateAccount(ctx, &organizations.CreateAccountInput{
		AccountName: aws.String("workload"), Email: aws.String("workload@example.com"),
		RoleName: aws.String("OrganizationAccountAccessRole"), IamUserAccessToBilling: otypes.IAMUserAccessToBillingAllow,
		Tags: orgTags("env", "prod"),
	})).CreateAccountStatus
	status := must[*organizations.DescribeCreateAccountStatusOutput](t, "DescribeCreateAccountStatus")(manager.DescribeCreateAccountStatus(ctx,
		&organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: request.Id})).CreateAccountStatus
	if status.State != otypes.CreateAccountStateSucceeded || status.AccountId == nil {
		t.Fatalf("the CreateAccount request = %+v", status)
	}
	createdID := aws.ToString(status.AccountId)
	created := c(createdID)
	// A second request for the same email fails as a status, so that the
	// list has a FAILED request with its FailureReason beside the other.
	must[*organizations.CreateAccountOutput](t, "CreateAccount with a taken email")(manager.CreateAccount(ctx, &organizations.CreateAccountInput{
		AccountName: aws.String("duplicate"), Email: aws.String("workload@example.com")}))
	requests := allOrgPages[*organizations.ListCreateAccountStatusOutput](t, "ListCreateAccountStatus", organizations.NewListCreateAccountStatusPaginator(manager,
		&organizations.ListCreateAccountStatusInput{States: []otypes.CreateAccountState{otypes.CreateAccountStateSucceeded, otypes.CreateAccountStateFailed}},
		func(o *organizations.ListCreateAccountStatusPaginatorOptions) { o.Limit = 1 }))
	if len(requests) != 2 {
		t.Fatalf("the CreateAccount requests came in %d pages of one, want 2", len(requests))
	}
	must[*organizations.DescribeOrganizationOutput](t, "DescribeOrganization as the created account")(created.DescribeOrganization(ctx,
		&organizations.DescribeOrganizationInput{}))
	// The created account received no handshake: an empty list.
	must[*organizations.ListHandshakesForAccountOutput](t, "ListHandshakesForAccount of the created account")(created.ListHandshakesForAccount(ctx,
		&organizations.ListHandshakesForAccountInput{}))

	// Every account, one a page: the management account, orgA, orgB, the
	// invited and the created account.
	accounts := allOrgPages[*organizations.ListAccountsOutput](t, "ListAccounts", organizations.NewListAccountsPaginator(manager,
		&organizations.ListAccountsInput{}, func(o *organizations.ListAccountsPaginatorOptions) { o.Limit = 1 }))
	inRoot := allOrgPages[*organizations.ListAccountsForParentOutput](t, "ListAccountsForParent", organizations.NewListAccountsForParentPaginator(manager,
		&organizations.ListAccountsForParentInput{ParentId: root}, func(o *organizations.ListAccountsForParentPaginatorOptions) { o.Limit = 1 }))
	if len(accounts) != 5 || len(inRoot) != 5 {
		t.Fatalf("accounts in %d and %d pages of one, want 5", len(accounts), len(inRoot))
	}
	must[*organizations.DescribeAccountOutput](t, "DescribeAccount")(manager.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: status.AccountId}))

	// Organizational units: two under the root, one renamed, the created
	// account moved into it.
	security := must[*organizations.CreateOrganizationalUnitOutput](t, "CreateOrganizationalUnit")(manager.CreateOrganizationalUnit(ctx,
		&organizations.CreateOrganizationalUnitInput{ParentId: root, Name: aws.String("Security"), Tags: orgTags("owner", "secops")})).OrganizationalUnit
	workloads := must[*organizations.CreateOrganizationalUnitOutput](t, "CreateOrganizationalUnit")(manager.CreateOrganizationalUnit(ctx,
		&organizations.CreateOrganizationalUnitInput{ParentId: root, Name: aws.String("Workload")})).OrganizationalUnit
	must[*organizations.DescribeOrganizationalUnitOutput](t, "DescribeOrganizationalUnit")(manager.DescribeOrganizationalUnit(ctx,
		&organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: security.Id}))
	renamed := must[*organizations.UpdateOrganizationalUnitOutput](t, "UpdateOrganizationalUnit")(manager.UpdateOrganizationalUnit(ctx,
		&organizations.UpdateOrganizationalUnitInput{OrganizationalUnitId: workloads.Id, Name: aws.String("Workloads")})).OrganizationalUnit
	if aws.ToString(renamed.Name) != "Workloads" {
		t.Fatalf("renamed OU = %+v", renamed)
	}
	units := allOrgPages[*organizations.ListOrganizationalUnitsForParentOutput](t, "ListOrganizationalUnitsForParent", organizations.NewListOrganizationalUnitsForParentPaginator(manager,
		&organizations.ListOrganizationalUnitsForParentInput{ParentId: root}, func(o *organizations.ListOrganizationalUnitsForParentPaginatorOptions) { o.Limit = 1 }))
	if len(units) != 2 {
		t.Fatalf("OUs of the root in %d pages of one, want 2", len(units))
	}
	must[*organizations.MoveAccountOutput](t, "MoveAccount")(manager.MoveAccount(ctx, &organizations.MoveAccountInput{
		AccountId: status.AccountId, SourceParentId: root, DestinationParentId: workloads.Id}))
	parents := allOrgPages[*organizations.ListParentsOutput](t, "ListParents", organizations.NewListParentsPaginator(manager,
		&organizations.ListParentsInput{ChildId: status.AccountId}, func(o *organizations.ListParentsPaginatorOptions) { o.Limit = 1 }))
	if len(parents) != 1 || len(parents[0].Parents) != 1 || aws.ToString(parents[0].Parents[0].Id) != aws.ToString(workloads.Id) ||
		parents[0].Parents[0].Type != otypes.ParentTypeOrganizationalUnit {
		t.Fatalf("parents of the moved account = %+v", parents)
	}
	children := allOrgPages[*organizations.ListChildrenOutput](t, "ListChildren", organizations.NewListChildrenPaginator(manager,
		&organizations.ListChildrenInput{ParentId: root, ChildType: otypes.ChildTypeOrganizationalUnit},
		func(o *organizations.ListChildrenPaginatorOptions) { o.Limit = 1 }))
	if len(children) != 2 {
		t.Fatalf("OU children of the root in %d pages of one, want 2", len(children))
	}
	must[*organizations.ListChildrenOutput](t, "ListChildren of accounts")(manager.ListChildren(ctx,
		&organizations.ListChildrenInput{ParentId: workloads.Id, ChildType: otypes.ChildTypeAccount}))

	// Tags on an OU, the root and an account.
	for _, id := range []*string{security.Id, root, status.AccountId} {
		must[*organizations.TagResourceOutput](t, "TagResource")(manager.TagResource(ctx, &organizations.TagResourceInput{
			ResourceId: id, Tags: orgTags("cost-center", "1234", "review", "2026")}))
		got := must[*organizations.ListTagsForResourceOutput](t, "ListTagsForResource")(manager.ListTagsForResource(ctx,
			&organizations.ListTagsForResourceInput{ResourceId: id})).Tags
		if len(got) < 2 {
			t.Fatalf("tags of %s = %+v", aws.ToString(id), got)
		}
		must[*organizations.UntagResourceOutput](t, "UntagResource")(manager.UntagResource(ctx, &organizations.UntagResourceInput{
			ResourceId: id, TagKeys: []string{"review"}}))
	}

	// Trusted access for two principals, and orgA their delegated
	// administrator.
	principals := []string{"config.amazonaws.com", "guardduty.amazonaws.com"}
	for _, p := range principals {
		must[*organizations.EnableAWSServiceAccessOutput](t, "EnableAWSServiceAccess")(manager.EnableAWSServiceAccess(ctx,
			&organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(p)}))
		must[*organizations.RegisterDelegatedAdministratorOutput](t, "RegisterDelegatedAdministrator")(manager.RegisterDelegatedAdministrator(ctx,
			&organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(orgA), ServicePrincipal: aws.String(p)}))
	}
	access := allOrgPages[*organizations.ListAWSServiceAccessForOrganizationOutput](t, "ListAWSServiceAccessForOrganization",
		organizations.NewListAWSServiceAccessForOrganizationPaginator(manager, &organizations.ListAWSServiceAccessForOrganizationInput{},
			func(o *organizations.ListAWSServiceAccessForOrganizationPaginatorOptions) { o.Limit = 1 }))
	if len(access) != len(principals) {
		t.Fatalf("trusted access in %d pages of one, want %d", len(access), len(principals))
	}
	admins := allOrgPages[*organizations.ListDelegatedAdministratorsOutput](t, "ListDelegatedAdministrators", organizations.NewListDelegatedAdministratorsPaginator(manager,
		&organizations.ListDelegatedAdministratorsInput{ServicePrincipal: aws.String("guardduty.amazonaws.com")},
		func(o *organizations.ListDelegatedAdministratorsPaginatorOptions) { o.Limit = 1 }))
	if len(admins) != 1 || len(admins[0].DelegatedAdministrators) != 1 || aws.ToString(admins[0].DelegatedAdministrators[0].Id) != orgA {
		t.Fatalf("GuardDuty's delegated administrators = %+v", admins)
	}
	services := allOrgPages[*organizations.ListDelegatedServicesForAccountOutput](t, "ListDelegatedServicesForAccount",
		organizations.NewListDelegatedServicesForAccountPaginator(manager, &organizations.ListDelegatedServicesForAccountInput{AccountId: aws.String(orgA)},
			func(o *organizations.ListDelegatedServicesForAccountPaginatorOptions) { o.Limit = 1 }))
	if len(services) != len(principals) {
		t.Fatalf("orgA's delegated services in %d pages of one, want %d", len(services), len(principals))
	}

	// What the delegated administrator may read.
	must[*organizations.ListAccountsOutput](t, "ListAccounts as the delegated administrator")(delegated.ListAccounts(ctx, &organizations.ListAccountsInput{}))
	must[*organizations.DescribeAccountOutput](t, "DescribeAccount as the delegated administrator")(delegated.DescribeAccount(ctx,
		&organizations.DescribeAccountInput{AccountId: aws.String(invitee)}))
	must[*organizations.ListRootsOutput](t, "ListRoots as the delegated administrator")(delegated.ListRoots(ctx, &organizations.ListRootsInput{}))
	must[*organizations.DescribeOrganizationalUnitOutput](t, "DescribeOrganizationalUnit as the delegated administrator")(delegated.DescribeOrganizationalUnit(ctx,
		&organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: security.Id}))
	must[*organizations.ListDelegatedAdministratorsOutput](t, "ListDelegatedAdministrators as the delegated administrator")(delegated.ListDelegatedAdministrators(ctx,
		&organizations.ListDelegatedAdministratorsInput{}))
	must[*organizations.ListDelegatedServicesForAccountOutput](t, "ListDelegatedServicesForAccount as the delegated administrator")(delegated.ListDelegatedServicesForAccount(ctx,
		&organizations.ListDelegatedServicesForAccountInput{AccountId: aws.String(orgA)}))
	must[*organizations.ListHandshakesForOrganizationOutput](t, "ListHandshakesForOrganization as the delegated administrator")(delegated.ListHandshakesForOrganization(ctx,
		&organizations.ListHandshakesForOrganizationInput{}))

	// Undone in turn: the registrations, one principal's trusted access,
	// the policy type.
	for _, p := range principals {
		must[*organizations.DeregisterDelegatedAdministratorOutput](t, "DeregisterDelegatedAdministrator")(manager.DeregisterDelegatedAdministrator(ctx,
			&organizations.DeregisterDelegatedAdministratorInput{AccountId: aws.String(orgA), ServicePrincipal: aws.String(p)}))
	}
	must[*organizations.DisableAWSServiceAccessOutput](t, "DisableAWSServiceAccess")(manager.DisableAWSServiceAccess(ctx,
		&organizations.DisableAWSServiceAccessInput{ServicePrincipal: aws.String("config.amazonaws.com")}))
	disabled := must[*organizations.DisablePolicyTypeOutput](t, "DisablePolicyType")(manager.DisablePolicyType(ctx,
		&organizations.DisablePolicyTypeInput{RootId: root, PolicyType: otypes.PolicyTypeServiceControlPolicy})).Root
	if len(disabled.PolicyTypes) != 0 {
		t.Fatalf("the root after DisablePolicyType = %+v", disabled)
	}

	// The OUs emptied and deleted; the created account closed; the
	// invited account leaves; orgB is removed.
	must[*organizations.MoveAccountOutput](t, "MoveAccount back")(manager.MoveAccount(ctx, &organizations.MoveAccountInput{
		AccountId: status.AccountId, SourceParentId: workloads.Id, DestinationParentId: root}))
	for _, ou := range []*string{security.Id, workloads.Id} {
		must[*organizations.DeleteOrganizationalUnitOutput](t, "DeleteOrganizationalUnit")(manager.DeleteOrganizationalUnit(ctx,
			&organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: ou}))
	}
	must[*organizations.CloseAccountOutput](t, "CloseAccount")(manager.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: status.AccountId}))
	closed := must[*organizations.DescribeAccountOutput](t, "DescribeAccount of the closed account")(manager.DescribeAccount(ctx,
		&organizations.DescribeAccountInput{AccountId: status.AccountId})).Account
	if closed.State == otypes.AccountStateActive {
		t.Fatalf("the closed account = %+v", closed)
	}
	must[*organizations.LeaveOrganizationOutput](t, "LeaveOrganization")(invited.LeaveOrganization(ctx, &organizations.LeaveOrganizationInput{}))
	must[*organizations.RemoveAccountFromOrganizationOutput](t, "RemoveAccountFromOrganization")(manager.RemoveAccountFromOrganization(ctx,
		&organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(orgB)}))

	// The outsider makes an organization of its own and deletes it.
	own := must[*organizations.CreateOrganizationOutput](t, "CreateOrganization")(outsider.CreateOrganization(ctx,
		&organizations.CreateOrganizationInput{FeatureSet: otypes.OrganizationFeatureSetAll})).Organization
	if aws.ToString(own.MasterAccountId) != other {
		t.Fatalf("the outsider's organization = %+v", own)
	}
	must[*organizations.DeleteOrganizationOutput](t, "DeleteOrganization")(outsider.DeleteOrganization(ctx, &organizations.DeleteOrganizationInput{}))

	checker.Covered(t, "organizations")
}

// errorRecorder is a test that keeps what OutputChecker reports instead
// of failing, so that a test can see the checker catch a broken answer.
type errorRecorder struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *errorRecorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *errorRecorder) reported() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.errors)
}

// TestOutputCheckerChecksOrganizationsAnswers proves the checker reads
// awsJson answers: it finds the operation by X-Amz-Target and holds the
// body to the model's PascalCase members and epoch-number timestamps. It
// takes a real DescribeAccount answer of localsec, which must pass, and
// breaks it one way at a time, each of which must be reported.
func TestOutputCheckerChecksOrganizationsAnswers(t *testing.T) {
	svc := Services()["organizations"]
	op := svc.Model.Operation("DescribeAccount")
	describe := func(base string) *http.Request {
		t.Helper()
		req, err := Request(svc.Model, op, Input{"AccountId": orgA}, base, mgmt, "us-east-1")
		if err != nil {
			t.Fatal(err)
		}
		return req
	}

	live := newServer(t, nil)
	res, err := http.DefaultClient.Do(describe(live.URL))
	if err != nil {
		t.Fatal(err)
	}
	faithful, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !bytes.Contains(faithful, []byte(`"JoinedTimestamp":`)) {
		t.Fatalf("DescribeAccount = %d %s", res.StatusCode, faithful)
	}

	// broken decodes the faithful answer, lets change break it, and
	// encodes it again.
	broken := func(change func(account map[string]any, doc map[string]any)) []byte {
		dec := json.NewDecoder(bytes.NewReader(faithful))
		dec.UseNumber()
		var doc map[string]any
		if err := dec.Decode(&doc); err != nil {
			t.Fatal(err)
		}
		change(doc["Account"].(map[string]any), doc)
		b, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tt := range []struct {
		name   string
		body   []byte
		status int
		want   string // in the report; "" for none
	}{
		{name: "the real answer", body: faithful, status: http.StatusOK},
		{name: "a timestamp as ISO 8601 text", status: http.StatusOK, want: "Account.JoinedTimestamp: want epoch seconds",
			body: broken(func(a, _ map[string]any) { a["JoinedTimestamp"] = "2026-01-01T00:00:00Z" })},
		{name: "a member in camelCase", status: http.StatusOK, want: "account: member not in shape",
			body: broken(func(_, doc map[string]any) { doc["account"] = doc["Account"]; delete(doc, "Account") })},
		{name: "a nested member in camelCase", status: http.StatusOK, want: "Account.joinedMethod: member not in shape",
			body: broken(func(a, _ map[string]any) { a["joinedMethod"] = a["JoinedMethod"]; delete(a, "JoinedMethod") })},
		{name: "a value outside the enum", status: http.StatusOK, want: `Account.State: "Active" is not a value`,
			body: broken(func(a, _ map[string]any) { a["State"] = "Active" })},
		{name: "null for an absent member", status: http.StatusOK, want: "Account.Name: null instead of an absent member",
			body: broken(func(a, _ map[string]any) { a["Name"] = nil })},
		{name: "another success status", status: http.StatusCreated, want: "status 201, the model says 200", body: faithful},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := &errorRecorder{TB: t}
			checker := NewOutputChecker(rec)
			fake := httptest.NewServer(checker.Wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/x-amz-json-1.1")
				w.WriteHeader(tt.status)
				_, _ = w.Write(tt.body)
			})))
			defer fake.Close()
			res, err := http.DefaultClient.Do(describe(fake.URL))
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if !bytes.Equal(got, tt.body) || res.StatusCode != tt.status {
				t.Fatalf("the checker changed the answer: %d %s", res.StatusCode, got)
			}
			reports := rec.reported()
			if tt.want == "" {
				if len(reports) != 0 {
					t.Fatalf("a faithful answer was reported: %q", reports)
				}
				return
			}
			if !slices.ContainsFunc(reports, func(r string) bool {
				return strings.Contains(r, "organizations DescribeAccount answer breaks the model") && strings.Contains(r, tt.want)
			}) {
				t.Fatalf("reports %q, want one with %q", reports, tt.want)
			}
		})
	}
}
