package e2e_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/macie2"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/localsec/localsec/internal/conformance"
	"github.com/localsec/localsec/localsectest"
)

// Accounts used across the end-to-end tests.
const (
	adminAcct  = "111111111111"
	memberAcct = "222222222222"
	thirdAcct  = "333333333333"
	fourthAcct = "444444444444"
)

var invitationIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// newServer starts an isolated localsec for one test. Every success answer
// it gives is checked against its operation's output shape in the
// service's model.
func newServer(t *testing.T, opts ...localsectest.Option) *localsectest.Server {
	t.Helper()
	opts = append([]localsectest.Option{localsectest.WithMiddleware(conformance.NewOutputChecker(t).Wrap)}, opts...)
	srv := localsectest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// macieClient returns a Macie client acting as account in the server's
// default region. Retries are off so that every answer is seen as it is.
func macieClient(srv *localsectest.Server, account string) *macie2.Client {
	return macie2.NewFromConfig(srv.AWSConfig(account), func(o *macie2.Options) {
		o.Retryer = aws.NopRetryer{}
	})
}

// macieClientIn is macieClient in another region.
func macieClientIn(srv *localsectest.Server, account, region string) *macie2.Client {
	return macie2.NewFromConfig(srv.AWSConfigIn(account, region), func(o *macie2.Options) {
		o.Retryer = aws.NopRetryer{}
	})
}

// check holds a call's result until ok is called with the test:
// check(client.Op(ctx, in)).ok(t) returns the output or fails the test.
func check[T any](v T, err error) result[T] { return result[T]{v, err} }

type result[T any] struct {
	v   T
	err error
}

// ok returns the value, failing the test if the call failed.
func (r result[T]) ok(t *testing.T) T {
	t.Helper()
	if r.err != nil {
		t.Fatalf("unexpected error: %v", r.err)
	}
	return r.v
}

// wantAPIError checks that err is the AWS error code, with the HTTP
// status, and a message that contains msg.
func wantAPIError(t *testing.T, err error, code string, status int, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("got %v (%T), want an API error %s", err, err, code)
	}
	if apiErr.ErrorCode() != code {
		t.Fatalf("error code = %q (%v), want %q", apiErr.ErrorCode(), err, code)
	}
	if !strings.Contains(apiErr.ErrorMessage(), msg) {
		t.Fatalf("error message = %q, want it to contain %q", apiErr.ErrorMessage(), msg)
	}
	var respErr *smithyhttp.ResponseError
	if status != 0 && errors.As(err, &respErr) && respErr.HTTPStatusCode() != status {
		t.Fatalf("HTTP status = %d, want %d", respErr.HTTPStatusCode(), status)
	}
}

// enable turns Macie on for each account.
func enable(t *testing.T, srv *localsectest.Server, accounts ...string) {
	t.Helper()
	for _, a := range accounts {
		check(macieClient(srv, a).EnableMacie(context.Background(), &macie2.EnableMacieInput{})).ok(t)
	}
}

// rawResponse is an answer to a raw signed request.
type rawResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic map.
func (r rawResponse) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", r.Body, err)
	}
	return m
}

// rawCall sends a SigV4-signed request for service as account in region,
// with rawPath used as the escaped path, so that tests see the exact
// wire answer.
func rawCall(t *testing.T, srv *localsectest.Server, service, account, region, method, rawPath string, body []byte) rawResponse {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+rawPath, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(body) > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: account, SecretAccessKey: "secret"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, region, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: b}
}
