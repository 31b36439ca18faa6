package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/server"
	"github.com/localsec/localsec/internal/store"
)

// seedDesignations is a seed whose Macie designations were written
// without Organizations: admins maps a region to the designated account.
func seedDesignations(admins map[string]string) *store.Snapshot {
	snap := &store.Snapshot{}
	for region, account := range admins {
		k := store.AccountKey{Scope: store.Scope{Service: "macie2", Region: region}, Account: account}
		snap.Enablements = append(snap.Enablements, store.Enablement{AccountKey: k, Status: "ENABLED", Created: epoch, Updated: epoch})
		snap.OrgAdmins = append(snap.OrgAdmins, store.OrgAdmin{AccountKey: k, Status: store.OrgAdminEnabled, Created: epoch})
	}
	return snap
}

// TestSeedDesignationsReachOrganizations: a seed's delegated
// administrator designation shows in Organizations as designating it
// through the API would: trusted access and the registration.
func TestSeedDesignationsReachOrganizations(t *testing.T) {
	cfg := testConfig()
	cfg.Organization = membership.Organization{ManagementAccount: "999999999999", Accounts: []string{"111111111111", "222222222222"}}
	cfg.Seed = seedDesignations(map[string]string{"us-east-1": "111111111111", "eu-west-1": "111111111111"})
	srv, err := server.Open(cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	orgs := organizations.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(ts.URL), HTTPClient: http.DefaultClient,
		Credentials: credentials.NewStaticCredentialsProvider("999999999999", "x", "")})
	ctx := context.Background()
	das, err := orgs.ListDelegatedAdministrators(ctx, &organizations.ListDelegatedAdministratorsInput{ServicePrincipal: aws.String("macie.amazonaws.com")})
	if err != nil || len(das.DelegatedAdministrators) != 1 || aws.ToString(das.DelegatedAdministrators[0].Id) != "111111111111" {
		t.Fatalf("delegated administrators = %+v, %v", das, err)
	}
	access, err := orgs.ListAWSServiceAccessForOrganization(ctx, &organizations.ListAWSServiceAccessForOrganizationInput{})
	if err != nil || len(access.EnabledServicePrincipals) != 1 || aws.ToString(access.EnabledServicePrincipals[0].ServicePrincipal) != "macie.amazonaws.com" {
		t.Fatalf("trusted access = %+v, %v", access, err)
	}
}

// TestSeedDesignationsMustAgree: two regions designating different
// accounts contradict Organizations' one delegated administrator per
// service; the seed is refused, naming both.
func TestSeedDesignationsMustAgree(t *testing.T) {
	cfg := testConfig()
	cfg.Organization = membership.Organization{ManagementAccount: "999999999999", Accounts: []string{"111111111111", "222222222222"}}
	cfg.Seed = seedDesignations(map[string]string{"us-east-1": "111111111111", "eu-west-1": "222222222222"})
	_, err := server.Open(cfg)
	if err == nil || !strings.Contains(err.Error(), "111111111111") || !strings.Contains(err.Error(), "222222222222") {
		t.Fatalf("Open = %v, want a refusal naming both administrators", err)
	}
}
