package e2e_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/macie2"

	"github.com/localsec/localsec/localsectest"
)

// With signatures verified, the SDK's requests signed with the right
// secret are served, as the account the credentials file names; a wrong
// secret, an unknown key, or no signature are refused with the errors
// clients know.
func TestSigV4Strict(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t,
		localsectest.WithSigV4Credentials("AKIAADMINEXAMPLE0001", "admin-secret", adminAcct),
		localsectest.WithSigV4Credentials("AKIAMEMBEREXAMPLE001", "member-secret", memberAcct))
	noRetry := func(o *macie2.Options) { o.Retryer = aws.NopRetryer{} }
	admin := macie2.NewFromConfig(srv.AWSConfigForKey("AKIAADMINEXAMPLE0001"), noRetry)
	member := macie2.NewFromConfig(srv.AWSConfigForKey("AKIAMEMBEREXAMPLE001"), noRetry)

	check(admin.EnableMacie(ctx, &macie2.EnableMacieInput{})).ok(t)
	check(member.EnableMacie(ctx, &macie2.EnableMacieInput{})).ok(t)
	arn := check(admin.CreateMember(ctx, memberInput(memberAcct))).ok(t).Arn
	if want := memberARN(adminAcct, memberAcct); aws.ToString(arn) != want {
		t.Fatalf("the key's account was not used: arn %s, want %s", aws.ToString(arn), want)
	}
	// Percent-encoded labels and query strings verify too.
	check(admin.TagResource(ctx, &macie2.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"k": "v w"}})).ok(t)
	check(admin.UntagResource(ctx, &macie2.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"k", "a b"}})).ok(t)
	check(admin.ListMembers(ctx, &macie2.ListMembersInput{OnlyAssociated: aws.String("false"), MaxResults: aws.Int32(5)})).ok(t)
	gd := guardduty.NewFromConfig(srv.AWSConfigForKey("AKIAADMINEXAMPLE0001"), func(o *guardduty.Options) { o.Retryer = aws.NopRetryer{} })
	check(gd.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true)})).ok(t)

	wrongSecret := srv.AWSConfigForKey("AKIAADMINEXAMPLE0001")
	wrongSecret.Credentials = credentials.NewStaticCredentialsProvider("AKIAADMINEXAMPLE0001", "not-the-secret", "")
	_, err := macie2.NewFromConfig(wrongSecret, noRetry).GetMacieSession(ctx, &macie2.GetMacieSessionInput{})
	wantAPIError(t, err, "InvalidSignatureException", http.StatusForbidden, "signature we calculated does not match")

	// Another registered key with this key's secret: the key is part of
	// what is checked, through the secret it stands for.
	swapped := srv.AWSConfigForKey("AKIAMEMBEREXAMPLE001")
	swapped.Credentials = credentials.NewStaticCredentialsProvider("AKIAMEMBEREXAMPLE001", "admin-secret", "")
	_, err = macie2.NewFromConfig(swapped, noRetry).GetMacieSession(ctx, &macie2.GetMacieSessionInput{})
	wantAPIError(t, err, "InvalidSignatureException", http.StatusForbidden, "signature we calculated does not match")

	// A 12-digit key is no longer an account by itself: it must be registered.
	_, err = macie2.NewFromConfig(srv.AWSConfig(thirdAcct), noRetry).GetMacieSession(ctx, &macie2.GetMacieSessionInput{})
	wantAPIError(t, err, "UnrecognizedClientException", http.StatusForbidden, "security token included in the request is invalid")

	r := rawCall(t, srv, "macie2", "AKIAADMINEXAMPLE0001", "us-east-1", "GET", "/macie", nil) // signed with "secret"
	if r.Status != http.StatusForbidden || r.Header.Get("X-Amzn-ErrorType") != "InvalidSignatureException" {
		t.Fatalf("raw request signed with another secret: %d %s", r.Status, r.Body)
	}
	resp, err := srv.Client().Get(srv.URL + "/macie")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("X-Amzn-ErrorType") != "MissingAuthenticationTokenException" {
		t.Fatalf("unsigned request: %d %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"))
	}
}

// The server's clock decides whether a signature is too old: 15 minutes
// either way.
func TestSigV4StrictClockSkew(t *testing.T) {
	ctx := context.Background()
	skewed := time.Now().Add(20 * time.Minute)
	srv := newServer(t,
		localsectest.WithSigV4Credentials("AKIAADMINEXAMPLE0001", "admin-secret", adminAcct),
		localsectest.WithClock(func() time.Time { return skewed }))
	c := macie2.NewFromConfig(srv.AWSConfigForKey("AKIAADMINEXAMPLE0001"), func(o *macie2.Options) { o.Retryer = aws.NopRetryer{} })
	_, err := c.EnableMacie(ctx, &macie2.EnableMacieInput{})
	wantAPIError(t, err, "InvalidSignatureException", http.StatusForbidden, "Signature expired")
}
