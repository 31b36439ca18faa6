package e2e_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// STS GetCallerIdentity tells each access key's account, as the Terraform
// provider asks at start.
func TestSTSGetCallerIdentity(t *testing.T) {
	srv := newServer(t)
	for _, acct := range []string{adminAcct, memberAcct} {
		c := sts.NewFromConfig(srv.AWSConfig(acct), func(o *sts.Options) { o.Retryer = aws.NopRetryer{} })
		out := check(c.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})).ok(t)
		if aws.ToString(out.Account) != acct || aws.ToString(out.Arn) != "arn:aws:iam::"+acct+":root" || aws.ToString(out.UserId) != acct {
			t.Fatalf("GetCallerIdentity as %s = account %s arn %s user %s", acct, aws.ToString(out.Account), aws.ToString(out.Arn), aws.ToString(out.UserId))
		}
	}
	// Another action is a well-formed awsQuery error the SDK can read.
	c := sts.NewFromConfig(srv.AWSConfig(adminAcct), func(o *sts.Options) { o.Retryer = aws.NopRetryer{} })
	_, err := c.GetSessionToken(context.Background(), &sts.GetSessionTokenInput{})
	wantAPIError(t, err, "InvalidAction", 400, "GetSessionToken")
	r := rawCall(t, srv, "sts", adminAcct, "us-east-1", "POST", "/", []byte("Action=GetCallerIdentity&Version=2011-06-15"))
	if r.Status != 200 || !strings.Contains(string(r.Body), "<Account>"+adminAcct+"</Account>") {
		t.Fatalf("raw GetCallerIdentity: %d %s", r.Status, r.Body)
	}
}
