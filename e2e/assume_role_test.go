package e2e_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/macie2"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/localsec/localsec/localsectest"
)

// createdAccount makes an organization of mgmt and an account in it, and
// returns the account's id.
func createdAccount(t *testing.T, srv *localsectest.Server, cfg aws.Config) string {
	t.Helper()
	ctx := context.Background()
	o := organizations.NewFromConfig(cfg, func(o *organizations.Options) { o.Retryer = aws.NopRetryer{} })
	check(o.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})).ok(t)
	st := check(o.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("workload"), Email: aws.String("workload@example.com")})).ok(t).CreateAccountStatus
	for i := 0; i < 3; i++ {
		st = check(o.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: st.Id})).ok(t).CreateAccountStatus
		if st.AccountId != nil {
			return *st.AccountId
		}
	}
	t.Fatalf("CreateAccount did not succeed: %+v", st)
	return ""
}

func stsClient(cfg aws.Config) *sts.Client {
	return sts.NewFromConfig(cfg, func(o *sts.Options) { o.Retryer = aws.NopRetryer{} })
}

// The management account reaches an account its organization created
// through OrganizationAccountAccessRole, as landing zones do; nobody else
// can, and nothing else is a role.
func TestAssumeRoleIntoACreatedAccount(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	var skew atomic.Int64
	srv := newServer(t, localsectest.WithClock(func() time.Time { return now.Add(time.Duration(skew.Load())) }))
	workload := createdAccount(t, srv, srv.AWSConfig(adminAcct))
	role := "arn:aws:iam::" + workload + ":role/OrganizationAccountAccessRole"

	out := check(stsClient(srv.AWSConfig(adminAcct)).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(role), RoleSessionName: aws.String("landing-zone")})).ok(t)
	c := out.Credentials
	if !strings.HasPrefix(aws.ToString(c.AccessKeyId), "ASIA") || aws.ToString(c.SecretAccessKey) == "" || aws.ToString(c.SessionToken) == "" ||
		!c.Expiration.Equal(now.Add(time.Hour)) {
		t.Fatalf("credentials = %+v", c)
	}
	if got := aws.ToString(out.AssumedRoleUser.Arn); got != "arn:aws:sts::"+workload+":assumed-role/OrganizationAccountAccessRole/landing-zone" {
		t.Fatalf("assumed role user = %s", got)
	}

	assumed := srv.AWSConfig(adminAcct)
	assumed.Credentials = credentials.NewStaticCredentialsProvider(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
	id := check(stsClient(assumed).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})).ok(t)
	if aws.ToString(id.Account) != workload || !strings.HasSuffix(aws.ToString(id.Arn), ":assumed-role/OrganizationAccountAccessRole/landing-zone") ||
		!strings.HasSuffix(aws.ToString(id.UserId), ":landing-zone") {
		t.Fatalf("caller identity = %+v", id)
	}
	// The temporary credentials act as the workload account in every
	// service.
	check(macie2.NewFromConfig(assumed).EnableMacie(ctx, &macie2.EnableMacieInput{})).ok(t)
	check(macieClient(srv, workload).GetMacieSession(ctx, &macie2.GetMacieSessionInput{})).ok(t)

	// The SDK's own assume-role provider.
	viaProvider := srv.AWSConfig(adminAcct)
	viaProvider.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(stsClient(srv.AWSConfig(adminAcct)), role))
	if got := aws.ToString(check(stsClient(viaProvider).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})).ok(t).Account); got != workload {
		t.Fatalf("through stscreds: account %s, want %s", got, workload)
	}

	// Another account is not trusted; an account without the role has
	// none; both are AccessDenied with AWS's text.
	_, err := stsClient(srv.AWSConfig(memberAcct)).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("x1")})
	wantAPIError(t, err, "AccessDenied", 403, "User: arn:aws:iam::"+memberAcct+":root is not authorized to perform: sts:AssumeRole on resource: "+role)
	_, err = stsClient(srv.AWSConfig(adminAcct)).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + memberAcct + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("x1")})
	wantAPIError(t, err, "AccessDenied", 403, "is not authorized to perform: sts:AssumeRole")

	// After its hour the session is refused, in each protocol's words.
	skew.Store(int64(time.Hour + time.Second))
	_, err = stsClient(assumed).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "ExpiredToken", http.StatusForbidden, "The security token included in the request is expired")
	_, err = organizations.NewFromConfig(assumed).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	wantAPIError(t, err, "ExpiredTokenException", http.StatusForbidden, "The security token included in the request is expired")
}

// With signatures checked, temporary credentials must be signed with
// their secret and carry their session token.
func TestAssumeRoleStrictSignatures(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t, localsectest.WithSigV4Credentials("AKIAMANAGEMENT000001", "management-secret", adminAcct))
	workload := createdAccount(t, srv, srv.AWSConfigForKey("AKIAMANAGEMENT000001"))
	c := check(stsClient(srv.AWSConfigForKey("AKIAMANAGEMENT000001")).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + workload + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("strict")})).ok(t).Credentials

	ok := srv.AWSConfig(adminAcct)
	ok.Credentials = credentials.NewStaticCredentialsProvider(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
	if got := aws.ToString(check(stsClient(ok).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})).ok(t).Account); got != workload {
		t.Fatalf("account %s, want %s", got, workload)
	}
	badToken := srv.AWSConfig(adminAcct)
	badToken.Credentials = credentials.NewStaticCredentialsProvider(*c.AccessKeyId, *c.SecretAccessKey, "not-the-token")
	_, err := stsClient(badToken).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "InvalidClientTokenId", http.StatusForbidden, "security token included in the request is invalid")
	badSecret := srv.AWSConfig(adminAcct)
	badSecret.Credentials = credentials.NewStaticCredentialsProvider(*c.AccessKeyId, "wrong-secret", *c.SessionToken)
	_, err = stsClient(badSecret).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "SignatureDoesNotMatch", http.StatusForbidden, "signature we calculated does not match")
}
