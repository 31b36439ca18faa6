package sigv4_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/localsec/localsec/internal/protocol/sigv4"
)

var signedAt = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

// signed returns a request signed by aws-sdk-go-v2's signer, the oracle.
func signedReq(t *testing.T, method, url, body string, headers map[string]string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: "111111111111", SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), "macie2", "eu-west-1", signedAt); err != nil {
		t.Fatal(err)
	}
	return r
}

func verify(t *testing.T, r *http.Request, body, secretKey string, now time.Time) error {
	t.Helper()
	sig, err := sigv4.FromRequest(r)
	if err != nil {
		t.Fatalf("FromRequest: %v", err)
	}
	return sigv4.Verify(r, []byte(body), sig, secretKey, now)
}

func TestVerifyAcceptsTheSDKsSignatures(t *testing.T) {
	for _, tc := range []struct{ name, method, url, body string }{
		{"GET", "GET", "http://127.0.0.1:4566/macie", ""},
		{"POST with body", "POST", "http://127.0.0.1:4566/members", `{"account":{"accountId":"222222222222","email":"a@b.c"}}`},
		{"query, repeated keys", "DELETE", "http://127.0.0.1:4566/tags/x?tagKeys=b%20c&tagKeys=a&tagKeys=a", ""},
		{"percent-encoded label", "GET", "http://127.0.0.1:4566/tags/arn%3Aaws%3Amacie2%3Aeu-west-1%3A111111111111%3Amember%2F222222222222", ""},
		{"odd query characters", "GET", "http://localhost:4566/members?nextToken=a%2Bb%3D%3D&maxResults=5", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := signedReq(t, tc.method, tc.url, tc.body, map[string]string{"Content-Type": "application/json", "X-Extra": "  a   b  "})
			if err := verify(t, r, tc.body, secret, signedAt.Add(time.Minute)); err != nil {
				t.Fatalf("Verify: %v", err)
			}
		})
	}
}

func TestVerifyAcceptsPresignedURLs(t *testing.T) {
	r, _ := http.NewRequest("GET", "http://127.0.0.1:4566/members?onlyAssociated=false", nil)
	creds := aws.Credentials{AccessKeyID: "111111111111", SecretAccessKey: secret}
	u, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, r, sigv4.UnsignedPayload, "macie2", "eu-west-1", signedAt)
	if err != nil {
		t.Fatal(err)
	}
	pr, _ := http.NewRequest("GET", u, nil)
	if err := verify(t, pr, "", secret, signedAt.Add(time.Minute)); err != nil {
		t.Fatalf("Verify presigned: %v", err)
	}
	// Tampering with a query parameter breaks it.
	tampered, _ := http.NewRequest("GET", strings.Replace(u, "onlyAssociated=false", "onlyAssociated=true", 1), nil)
	if err := verify(t, tampered, "", secret, signedAt.Add(time.Minute)); err == nil {
		t.Fatal("a tampered presigned URL verified")
	}
}

// Every part of the request is covered: changing any one is a rejection.
func TestVerifyRejectsTampering(t *testing.T) {
	const body = `{"accountIds":["222222222222"]}`
	base := func() *http.Request {
		return signedReq(t, "POST", "http://127.0.0.1:4566/invitations?x=1", body, map[string]string{"Content-Type": "application/json"})
	}
	now := signedAt.Add(time.Minute)
	for _, tc := range []struct {
		name   string
		tamper func(r *http.Request) (body, secret string, now time.Time)
		code   string
	}{
		{"body", func(r *http.Request) (string, string, time.Time) {
			return strings.Replace(body, "2222", "3333", 1), secret, now
		}, "InvalidSignatureException"},
		{"path", func(r *http.Request) (string, string, time.Time) {
			r.URL.Path = "/invitations/accept"
			return body, secret, now
		}, "InvalidSignatureException"},
		{"query", func(r *http.Request) (string, string, time.Time) { r.URL.RawQuery = "x=2"; return body, secret, now }, "InvalidSignatureException"},
		{"method", func(r *http.Request) (string, string, time.Time) { r.Method = "PUT"; return body, secret, now }, "InvalidSignatureException"},
		{"signed header", func(r *http.Request) (string, string, time.Time) {
			r.Header.Set("Content-Type", "text/plain")
			return body, secret, now
		}, "InvalidSignatureException"},
		{"host", func(r *http.Request) (string, string, time.Time) { r.Host = "evil:4566"; return body, secret, now }, "InvalidSignatureException"},
		{"secret", func(r *http.Request) (string, string, time.Time) { return body, "other-secret", now }, "InvalidSignatureException"},
		{"date header", func(r *http.Request) (string, string, time.Time) {
			r.Header.Set("X-Amz-Date", "20240501T120001Z")
			return body, secret, now
		}, "InvalidSignatureException"},
		{"too old", func(r *http.Request) (string, string, time.Time) { return body, secret, signedAt.Add(16 * time.Minute) }, "InvalidSignatureException"},
		{"from the future", func(r *http.Request) (string, string, time.Time) {
			return body, secret, signedAt.Add(-16 * time.Minute)
		}, "InvalidSignatureException"},
		{"region", func(r *http.Request) (string, string, time.Time) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/eu-west-1/", "/us-east-1/", 1))
			return body, secret, now
		}, "InvalidSignatureException"},
		{"service", func(r *http.Request) (string, string, time.Time) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/macie2/", "/guardduty/", 1))
			return body, secret, now
		}, "InvalidSignatureException"},
		{"signature", func(r *http.Request) (string, string, time.Time) {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:len(a)-1]+string("0123456789abcdef"[(strings.IndexByte("0123456789abcdef", a[len(a)-1])+1)%16]))
			return body, secret, now
		}, "InvalidSignatureException"},
		{"no date", func(r *http.Request) (string, string, time.Time) {
			r.Header.Del("X-Amz-Date")
			return body, secret, now
		}, "IncompleteSignatureException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := base()
			b, s, at := tc.tamper(r)
			err := verify(t, r, b, s, at)
			ve, ok := err.(*sigv4.VerifyError)
			if !ok || ve.Code != tc.code {
				t.Fatalf("Verify after tampering with the %s = %v, want %s", tc.name, err, tc.code)
			}
		})
	}
	// The untampered request verifies (so the cases above test tampering).
	if err := verify(t, base(), body, secret, now); err != nil {
		t.Fatalf("untampered: %v", err)
	}
}
