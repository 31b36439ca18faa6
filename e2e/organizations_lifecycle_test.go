package e2e_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/macie2"
	"github.com/aws/aws-sdk-go-v2/service/macie2/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/localsec/localsec/localsectest"
)

// TestOrganizationsDriveMacieMemberships: Macie's organization operations
// read the organization built through the Organizations API, and what
// happens in Organizations ends Macie's designations and memberships in
// every region (spec organizations.md §13.2 to §13.5).
func TestOrganizationsDriveMacieMemberships(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	const east, west = "us-east-1", "eu-west-1"
	mgmt := orgClient(srv, adminAcct)
	security, workload := memberAcct, thirdAcct
	check(mgmt.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})).ok(t)
	for _, acct := range []string{security, workload} {
		h := check(mgmt.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
			Target: &otypes.HandshakeParty{Id: aws.String(acct), Type: otypes.HandshakePartyTypeAccount}})).ok(t).Handshake
		check(orgClient(srv, acct).AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: h.Id})).ok(t)
	}
	macie := func(acct, region string) *macie2.Client { return macieClientIn(srv, acct, region) }
	for _, region := range []string{east, west} {
		for _, acct := range []string{adminAcct, security, workload, fourthAcct} {
			check(macie(acct, region).EnableMacie(ctx, &macie2.EnableMacieInput{})).ok(t)
		}
	}

	// An account outside the organization cannot be designated.
	_, err := macie(adminAcct, east).EnableOrganizationAdminAccount(ctx, &macie2.EnableOrganizationAdminAccountInput{AdminAccountId: aws.String(fourthAcct)})
	if err == nil {
		t.Fatal("an account outside the organization became Macie's administrator")
	}
	// Designated in both regions: trusted access and the registration
	// appear in Organizations.
	for _, region := range []string{east, west} {
		check(macie(adminAcct, region).EnableOrganizationAdminAccount(ctx, &macie2.EnableOrganizationAdminAccountInput{AdminAccountId: aws.String(security)})).ok(t)
	}
	das := check(mgmt.ListDelegatedAdministrators(ctx, &organizations.ListDelegatedAdministratorsInput{ServicePrincipal: aws.String("macie.amazonaws.com")})).ok(t).DelegatedAdministrators
	if len(das) != 1 || aws.ToString(das[0].Id) != security {
		t.Fatalf("Macie's delegated administrators = %+v", das)
	}
	// Organizations knows one Macie administrator: another account is
	// refused in any region.
	_, err = macie(adminAcct, west).EnableOrganizationAdminAccount(ctx, &macie2.EnableOrganizationAdminAccountInput{AdminAccountId: aws.String(workload)})
	wantAPIError(t, err, "ConflictException", http.StatusConflict, "already has a delegated Macie administrator")

	// The delegated administrator enrols the workload account in both
	// regions without an invitation; a non-member of the organization
	// still needs one.
	for _, region := range []string{east, west} {
		check(macie(security, region).CreateMember(ctx, &macie2.CreateMemberInput{
			Account: &types.AccountDetail{AccountId: aws.String(workload), Email: aws.String("workload@example.com")}})).ok(t)
		m := check(macie(security, region).GetMember(ctx, &macie2.GetMemberInput{Id: aws.String(workload)})).ok(t)
		if m.RelationshipStatus != types.RelationshipStatusEnabled {
			t.Fatalf("%s: the organization member is %s, want Enabled", region, m.RelationshipStatus)
		}
	}

	// The workload account leaves the organization: its memberships
	// through Organizations end in every region.
	check(orgClient(srv, workload).LeaveOrganization(ctx, &organizations.LeaveOrganizationInput{})).ok(t)
	for _, region := range []string{east, west} {
		m := check(macie(security, region).GetMember(ctx, &macie2.GetMemberInput{Id: aws.String(workload)})).ok(t)
		if m.RelationshipStatus != types.RelationshipStatusRemoved {
			t.Fatalf("%s: after leaving, the member is %s, want Removed", region, m.RelationshipStatus)
		}
		if a := check(macie(workload, region).GetAdministratorAccount(ctx, &macie2.GetAdministratorAccountInput{})).ok(t).Administrator; a != nil {
			t.Fatalf("%s: after leaving, the workload account still has administrator %+v", region, a)
		}
	}

	// Disabling trusted access ends the designation in every region.
	check(mgmt.DisableAWSServiceAccess(ctx, &organizations.DisableAWSServiceAccessInput{ServicePrincipal: aws.String("macie.amazonaws.com")})).ok(t)
	for _, region := range []string{east, west} {
		if admins := check(macie(adminAcct, region).ListOrganizationAdminAccounts(ctx, &macie2.ListOrganizationAdminAccountsInput{})).ok(t).AdminAccounts; len(admins) != 0 {
			t.Fatalf("%s: Macie's administrators after DisableAWSServiceAccess = %+v", region, admins)
		}
	}
	// Designating again enables trusted access again; deregistering in
	// Organizations ends the designation in every region.
	for _, region := range []string{east, west} {
		check(macie(adminAcct, region).EnableOrganizationAdminAccount(ctx, &macie2.EnableOrganizationAdminAccountInput{AdminAccountId: aws.String(security)})).ok(t)
	}
	access := check(mgmt.ListAWSServiceAccessForOrganization(ctx, &organizations.ListAWSServiceAccessForOrganizationInput{})).ok(t).EnabledServicePrincipals
	if len(access) != 1 || aws.ToString(access[0].ServicePrincipal) != "macie.amazonaws.com" {
		t.Fatalf("trusted access after designating again = %+v", access)
	}
	check(mgmt.DeregisterDelegatedAdministrator(ctx, &organizations.DeregisterDelegatedAdministratorInput{
		AccountId: aws.String(security), ServicePrincipal: aws.String("macie.amazonaws.com")})).ok(t)
	for _, region := range []string{east, west} {
		if admins := check(macie(adminAcct, region).ListOrganizationAdminAccounts(ctx, &macie2.ListOrganizationAdminAccountsInput{})).ok(t).AdminAccounts; len(admins) != 0 {
			t.Fatalf("%s: Macie's administrators after DeregisterDelegatedAdministrator = %+v", region, admins)
		}
	}
}

// TestOrganizationsHandshakeExpires: an open invitation expires after its
// 15 days on localsec's clock, seen by both parties, and can then neither
// be accepted nor canceled (spec organizations.md §7.1).
func TestOrganizationsHandshakeExpires(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	var elapsed atomic.Int64
	srv := newServer(t, localsectest.WithClock(func() time.Time { return start.Add(time.Duration(elapsed.Load())) }))
	mgmt, invitee := orgClient(srv, adminAcct), orgClient(srv, memberAcct)
	check(mgmt.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})).ok(t)
	h := check(mgmt.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
		Target: &otypes.HandshakeParty{Id: aws.String(memberAcct), Type: otypes.HandshakePartyTypeAccount}})).ok(t).Handshake
	if want := start.Add(15 * 24 * time.Hour); !aws.ToTime(h.ExpirationTimestamp).Equal(want) {
		t.Fatalf("expires %v, want %v", aws.ToTime(h.ExpirationTimestamp), want)
	}
	elapsed.Store(int64(15*24*time.Hour - time.Second))
	if got := check(invitee.DescribeHandshake(ctx, &organizations.DescribeHandshakeInput{HandshakeId: h.Id})).ok(t).Handshake.State; got != otypes.HandshakeStateOpen {
		t.Fatalf("a second before expiry: %s", got)
	}
	elapsed.Store(int64(15*24*time.Hour + time.Second))
	for who, c := range map[string]*organizations.Client{"management": mgmt, "invitee": invitee} {
		if got := check(c.DescribeHandshake(ctx, &organizations.DescribeHandshakeInput{HandshakeId: h.Id})).ok(t).Handshake.State; got != otypes.HandshakeStateExpired {
			t.Fatalf("%s sees %s after 15 days, want EXPIRED", who, got)
		}
	}
	listed := check(invitee.ListHandshakesForAccount(ctx, &organizations.ListHandshakesForAccountInput{})).ok(t).Handshakes
	if len(listed) != 1 || listed[0].State != otypes.HandshakeStateExpired {
		t.Fatalf("the invitee lists %+v", listed)
	}
	_, err := invitee.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: h.Id})
	wantAPIError(t, err, "InvalidHandshakeTransitionException", http.StatusBadRequest, "")
	_, err = mgmt.CancelHandshake(ctx, &organizations.CancelHandshakeInput{HandshakeId: h.Id})
	wantAPIError(t, err, "InvalidHandshakeTransitionException", http.StatusBadRequest, "")
	// Nobody joined; a new invitation can be sent.
	if accts := check(mgmt.ListAccounts(ctx, &organizations.ListAccountsInput{})).ok(t).Accounts; len(accts) != 1 {
		t.Fatalf("accounts = %+v", accts)
	}
	check(mgmt.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
		Target: &otypes.HandshakeParty{Id: aws.String(memberAcct), Type: otypes.HandshakePartyTypeAccount}})).ok(t)
}
