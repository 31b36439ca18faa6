package sigv4_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/localsec/localsec/internal/protocol/sigv4"
)

var signingTime = time.Date(2024, 5, 1, 12, 34, 56, 0, time.UTC)

const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

func bodyHash(body string) string {
	sum := sha256.Sum256([]byte(body))
	return hex.EncodeToString(sum[:])
}

// signed returns a request signed by aws-sdk-go-v2's SigV4 signer, the
// oracle for what real clients send.
func signed(t *testing.T, method, target, body string, creds aws.Credentials, service, region string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(method, "http://macie2.example.test"+target, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, bodyHash(body), service, region, signingTime); err != nil {
		t.Fatalf("SignHTTP: %v", err)
	}
	return r
}

// presigned returns a request for a URL presigned by aws-sdk-go-v2.
func presigned(t *testing.T, method, target string, creds aws.Credentials, service, region string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(method, "http://macie2.example.test"+target, nil)
	u, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), creds, r, emptySHA256, service, region, signingTime)
	if err != nil {
		t.Fatalf("PresignHTTP: %v", err)
	}
	if strings.Contains(u, "Authorization") {
		t.Fatalf("presigned URL %q unexpectedly carries an Authorization parameter", u)
	}
	out := httptest.NewRequest(method, u, nil)
	for k, vs := range hdr {
		if k != "Host" {
			out.Header[k] = vs
		}
	}
	return out
}

var sigHex = regexp.MustCompile(`^[0-9a-f]{64}$`)

func TestFromRequestWithSDKSigner(t *testing.T) {
	tests := []struct {
		name      string
		creds     aws.Credentials
		service   string
		region    string
		method    string
		target    string
		body      string
		presigned bool
	}{
		{name: "account key, POST with body", creds: aws.Credentials{AccessKeyID: "111111111111", SecretAccessKey: "s"},
			service: "macie2", region: "us-east-1", method: "POST", target: "/members",
			body: `{"account":{"accountId":"222222222222","email":"a@example.com"}}`},
		{name: "AKIA key, other region", creds: aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "s"},
			service: "macie2", region: "eu-west-3", method: "GET", target: "/members?maxResults=26&onlyAssociated=false"},
		{name: "session token", creds: aws.Credentials{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "s", SessionToken: "tok"},
			service: "guardduty", region: "ap-southeast-2", method: "GET", target: "/detector"},
		{name: "gov partition", creds: aws.Credentials{AccessKeyID: "123456789012", SecretAccessKey: "s"},
			service: "macie2", region: "us-gov-west-1", method: "DELETE", target: "/members/222222222222"},
		{name: "encoded ARN path", creds: aws.Credentials{AccessKeyID: "111111111111", SecretAccessKey: "s"},
			service: "macie2", region: "us-east-1", method: "GET",
			target: "/tags/arn%3Aaws%3Amacie2%3Aus-east-1%3A111111111111%3Amember%2F222222222222"},
		{name: "presigned", creds: aws.Credentials{AccessKeyID: "111111111111", SecretAccessKey: "s"},
			service: "macie2", region: "eu-central-1", method: "GET", target: "/invitations?maxResults=5", presigned: true},
		{name: "presigned with session token", creds: aws.Credentials{AccessKeyID: "ASIAXYZ", SecretAccessKey: "s", SessionToken: "tok"},
			service: "s3", region: "us-west-2", method: "GET", target: "/bucket/key", presigned: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r *http.Request
			if tt.presigned {
				r = presigned(t, tt.method, tt.target, tt.creds, tt.service, tt.region)
			} else {
				r = signed(t, tt.method, tt.target, tt.body, tt.creds, tt.service, tt.region)
			}
			sig, err := sigv4.FromRequest(r)
			if err != nil {
				t.Fatalf("FromRequest: %v (Authorization %q, URL %q)", err, r.Header.Get("Authorization"), r.URL)
			}
			want := sigv4.Credential{AccessKeyID: tt.creds.AccessKeyID, Date: "20240501", Region: tt.region, Service: tt.service}
			if sig.Credential != want {
				t.Errorf("Credential = %+v, want %+v", sig.Credential, want)
			}
			if sig.Presigned != tt.presigned {
				t.Errorf("Presigned = %v, want %v", sig.Presigned, tt.presigned)
			}
			if !sigHex.MatchString(sig.Signature) {
				t.Errorf("Signature = %q, want 64 hex characters", sig.Signature)
			}
			if !slices.Contains(sig.SignedHeaders, "host") {
				t.Errorf("SignedHeaders = %q, want it to contain host", sig.SignedHeaders)
			}
			if !tt.presigned {
				// ParseAuthorization on the header alone reads the same.
				direct, err := sigv4.ParseAuthorization(r.Header.Get("Authorization"))
				if err != nil {
					t.Fatalf("ParseAuthorization: %v", err)
				}
				if !slices.Equal(direct.SignedHeaders, sig.SignedHeaders) || direct.Credential != sig.Credential || direct.Signature != sig.Signature {
					t.Errorf("ParseAuthorization = %+v, FromRequest = %+v", direct, sig)
				}
				if !slices.Contains(sig.SignedHeaders, "x-amz-date") {
					t.Errorf("SignedHeaders = %q, want it to contain x-amz-date", sig.SignedHeaders)
				}
			}
		})
	}
}

// TestFromRequestPrefersAuthorization: a request with both a header and a
// presigned query is read from the header.
func TestFromRequestPrefersAuthorization(t *testing.T) {
	r := presigned(t, "GET", "/members", aws.Credentials{AccessKeyID: "111111111111", SecretAccessKey: "s"}, "macie2", "eu-west-1")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=222222222222/20240501/us-east-2/guardduty/aws4_request, SignedHeaders=host, Signature=abc")
	sig, err := sigv4.FromRequest(r)
	if err != nil {
		t.Fatal(err)
	}
	if sig.Presigned || sig.AccessKeyID != "222222222222" || sig.Region != "us-east-2" || sig.Service != "guardduty" {
		t.Errorf("FromRequest = %+v, want the Authorization header's scope", sig)
	}
}

const v4aAuth = "AWS4-ECDSA-P256-SHA256 Credential=AKIDV4A/20240501/macie2/aws4_request, " +
	"SignedHeaders=host;x-amz-date;x-amz-region-set, " +
	"Signature=3045022100c7a0b3c1f2e6d0b1e0d1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70220"

func TestParseAuthorization(t *testing.T) {
	valid := "AWS4-HMAC-SHA256 Credential=111111111111/20240501/us-east-1/macie2/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=" + strings.Repeat("a", 64)
	tests := []struct {
		name    string
		header  string
		want    sigv4.Signature
		wantErr string // substring of the MalformedError's reason; "" means success
	}{
		{name: "valid", header: valid, want: sigv4.Signature{
			Credential:    sigv4.Credential{AccessKeyID: "111111111111", Date: "20240501", Region: "us-east-1", Service: "macie2"},
			SignedHeaders: []string{"content-type", "host", "x-amz-date"}, Signature: strings.Repeat("a", 64)}},
		{name: "no spaces after commas",
			header: "AWS4-HMAC-SHA256 Credential=AK/20240501/eu-west-1/macie2/aws4_request,SignedHeaders=host,Signature=ff",
			want: sigv4.Signature{Credential: sigv4.Credential{AccessKeyID: "AK", Date: "20240501", Region: "eu-west-1", Service: "macie2"},
				SignedHeaders: []string{"host"}, Signature: "ff"}},
		{name: "surrounding whitespace", header: "  " + valid + "  ", want: sigv4.Signature{
			Credential:    sigv4.Credential{AccessKeyID: "111111111111", Date: "20240501", Region: "us-east-1", Service: "macie2"},
			SignedHeaders: []string{"content-type", "host", "x-amz-date"}, Signature: strings.Repeat("a", 64)}},
		{name: "parameters in another order",
			header: "AWS4-HMAC-SHA256 Signature=ff, SignedHeaders=host, Credential=AK/20240501/eu-west-1/macie2/aws4_request",
			want: sigv4.Signature{Credential: sigv4.Credential{AccessKeyID: "AK", Date: "20240501", Region: "eu-west-1", Service: "macie2"},
				SignedHeaders: []string{"host"}, Signature: "ff"}},
		{name: "unknown parameter ignored",
			header: "AWS4-HMAC-SHA256 Credential=AK/20240501/eu-west-1/macie2/aws4_request, Foo=bar, SignedHeaders=host, Signature=ff",
			want: sigv4.Signature{Credential: sigv4.Credential{AccessKeyID: "AK", Date: "20240501", Region: "eu-west-1", Service: "macie2"},
				SignedHeaders: []string{"host"}, Signature: "ff"}},
		{name: "SigV4a with 4-part scope", header: v4aAuth, want: sigv4.Signature{
			Credential:    sigv4.Credential{AccessKeyID: "AKIDV4A", Date: "20240501", Region: "", Service: "macie2"},
			SignedHeaders: []string{"host", "x-amz-date", "x-amz-region-set"},
			Signature:     "3045022100c7a0b3c1f2e6d0b1e0d1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70220"}},

		{name: "empty", header: "", wantErr: "requires the 'AWS4-HMAC-SHA256' algorithm"},
		{name: "algorithm only", header: "AWS4-HMAC-SHA256", wantErr: "requires 'Credential'"},
		{name: "wrong algorithm", header: strings.Replace(valid, "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1", 1), wantErr: "algorithm"},
		{name: "lowercase algorithm", header: strings.Replace(valid, "AWS4-HMAC-SHA256", "aws4-hmac-sha256", 1), wantErr: "algorithm"},
		{name: "SigV2", header: "AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=", wantErr: "algorithm"},
		{name: "basic auth", header: "Basic dXNlcjpwYXNz", wantErr: "algorithm"},
		{name: "bearer", header: "Bearer eyJhbGciOiJIUzI1NiJ9", wantErr: "algorithm"},
		{name: "missing Credential", header: "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=ff", wantErr: "requires 'Credential'"},
		{name: "missing Signature", header: "AWS4-HMAC-SHA256 Credential=AK/20240501/eu-west-1/macie2/aws4_request, SignedHeaders=host", wantErr: "requires 'Signature'"},
		{name: "empty Signature", header: "AWS4-HMAC-SHA256 Credential=AK/20240501/eu-west-1/macie2/aws4_request, SignedHeaders=host, Signature=", wantErr: "requires 'Signature'"},
		{name: "missing SignedHeaders", header: "AWS4-HMAC-SHA256 Credential=AK/20240501/eu-west-1/macie2/aws4_request, Signature=ff", wantErr: "requires 'SignedHeaders'"},
		{name: "empty SignedHeaders", header: "AWS4-HMAC-SHA256 Credential=AK/20240501/eu-west-1/macie2/aws4_request, SignedHeaders=, Signature=ff", wantErr: "requires 'SignedHeaders'"},
		{name: "SignedHeaders with an empty name", header: "AWS4-HMAC-SHA256 Credential=AK/20240501/eu-west-1/macie2/aws4_request, SignedHeaders=host;;x-amz-date, Signature=ff", wantErr: "requires 'SignedHeaders'"},
		{name: "date not digits", header: "AWS4-HMAC-SHA256 Credential=AK/abcdefgh/eu-west-1/macie2/aws4_request, SignedHeaders=host, Signature=ff", wantErr: "Credential should be scoped"},
		{name: "SigV4 with 4-part scope", header: "AWS4-HMAC-SHA256 Credential=AK/20240501/macie2/aws4_request, SignedHeaders=host, Signature=ff", wantErr: "Credential should be scoped"},
		{name: "SigV4a with 5-part scope", header: "AWS4-ECDSA-P256-SHA256 Credential=AK/20240501/us-east-1/macie2/aws4_request, SignedHeaders=host, Signature=ff", wantErr: "Credential should be scoped"},
		{name: "bad terminal", header: "AWS4-HMAC-SHA256 Credential=AK/20240501/us-east-1/macie2/aws5_request, SignedHeaders=host, Signature=ff", wantErr: "Credential should be scoped"},
		{name: "uppercase region", header: "AWS4-HMAC-SHA256 Credential=AK/20240501/US-EAST-1/macie2/aws4_request, SignedHeaders=host, Signature=ff", wantErr: "Credential should be scoped"},
		{name: "uppercase service", header: "AWS4-HMAC-SHA256 Credential=AK/20240501/us-east-1/Macie2/aws4_request, SignedHeaders=host, Signature=ff", wantErr: "Credential should be scoped"},
		{name: "empty service", header: "AWS4-HMAC-SHA256 Credential=AK/20240501/us-east-1//aws4_request, SignedHeaders=host, Signature=ff", wantErr: "Credential should be scoped"},
		{name: "empty region", header: "AWS4-HMAC-SHA256 Credential=AK/20240501//macie2/aws4_request, SignedHeaders=host, Signature=ff", wantErr: "Credential should be scoped"},
		{name: "empty access key", header: "AWS4-HMAC-SHA256 Credential=/20240501/us-east-1/macie2/aws4_request, SignedHeaders=host, Signature=ff", wantErr: "Credential should be scoped"},
		{name: "access key over 128", header: "AWS4-HMAC-SHA256 Credential=" + strings.Repeat("A", 129) + "/20240501/us-east-1/macie2/aws4_request, SignedHeaders=host, Signature=ff", wantErr: "Credential should be scoped"},
		{name: "short date", header: "AWS4-HMAC-SHA256 Credential=AK/2024051/us-east-1/macie2/aws4_request, SignedHeaders=host, Signature=ff", wantErr: "Credential should be scoped"},
		{name: "region with a space", header: "AWS4-HMAC-SHA256 Credential=AK/20240501/us east/macie2/aws4_request, SignedHeaders=host, Signature=ff", wantErr: "Credential should be scoped"},
		{name: "region over 64", header: "AWS4-HMAC-SHA256 Credential=AK/20240501/" + strings.Repeat("a", 65) + "/macie2/aws4_request, SignedHeaders=host, Signature=ff", wantErr: "Credential should be scoped"},
		{name: "extra scope part", header: "AWS4-HMAC-SHA256 Credential=AK/20240501/us-east-1/macie2/x/aws4_request, SignedHeaders=host, Signature=ff", wantErr: "Credential should be scoped"},
		{name: "junk", header: "\x00\xff\xfe garbage", wantErr: "algorithm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sigv4.ParseAuthorization(tt.header)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("ParseAuthorization(%q): %v", tt.header, err)
				}
				if got.Credential != tt.want.Credential || got.Signature != tt.want.Signature ||
					!slices.Equal(got.SignedHeaders, tt.want.SignedHeaders) || got.Presigned {
					t.Errorf("ParseAuthorization(%q) = %+v, want %+v", tt.header, got, tt.want)
				}
				return
			}
			var malformed *sigv4.MalformedError
			if !errors.As(err, &malformed) {
				t.Fatalf("ParseAuthorization(%q) = %+v, %v; want a *MalformedError", tt.header, got, err)
			}
			if !strings.Contains(malformed.Reason, tt.wantErr) {
				t.Errorf("reason %q does not contain %q", malformed.Reason, tt.wantErr)
			}
			if malformed.Error() != malformed.Reason {
				t.Errorf("Error() = %q, want the reason %q", malformed.Error(), malformed.Reason)
			}
			if errors.Is(err, sigv4.ErrMissing) {
				t.Errorf("a malformed header must not be ErrMissing")
			}
		})
	}
}

func TestParseCredential(t *testing.T) {
	good := []struct {
		in   string
		want sigv4.Credential
	}{
		{"111111111111/20240501/us-east-1/macie2/aws4_request", sigv4.Credential{AccessKeyID: "111111111111", Date: "20240501", Region: "us-east-1", Service: "macie2"}},
		{"AKIAIOSFODNN7EXAMPLE/20991231/cn-north-1/guardduty/aws4_request", sigv4.Credential{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", Date: "20991231", Region: "cn-north-1", Service: "guardduty"}},
		{"k/20240501/us-gov-west-1/securityhub/aws4_request", sigv4.Credential{AccessKeyID: "k", Date: "20240501", Region: "us-gov-west-1", Service: "securityhub"}},
	}
	for _, tt := range good {
		got, err := sigv4.ParseCredential(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseCredential(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
	bad := []string{
		"",
		"111111111111",
		"111111111111/20240501/macie2/aws4_request", // SigV4a shape is not SigV4
		"111111111111/20240501/us-east-1/macie2",
		"111111111111/20240501/us-east-1/macie2/aws4_request/",
		"111111111111/20240501/us-east-1/macie2/AWS4_REQUEST",
		"/20240501/us-east-1/macie2/aws4_request",
		"111111111111//us-east-1/macie2/aws4_request",
		"111111111111/20240501/us_east_1/macie2/aws4_request",
		"111111111111/20240501/us-east-1/macie 2/aws4_request",
		"111111111111/20240501/us-east-1/mac\u00efe/aws4_request",
	}
	for _, in := range bad {
		got, err := sigv4.ParseCredential(in)
		var malformed *sigv4.MalformedError
		if !errors.As(err, &malformed) {
			t.Errorf("ParseCredential(%q) = %+v, %v; want a *MalformedError", in, got, err)
			continue
		}
		if !strings.Contains(malformed.Reason, "'"+in+"'") {
			t.Errorf("ParseCredential(%q) reason %q does not quote the credential", in, malformed.Reason)
		}
	}
}

func TestFromRequestUnsignedAndPresignedQuery(t *testing.T) {
	const cred = "111111111111%2F20240501%2Feu-west-1%2Fmacie2%2Faws4_request"
	tests := []struct {
		name       string
		target     string
		auth       string
		want       sigv4.Signature
		wantMiss   bool
		wantReason string
	}{
		{name: "nothing", target: "/members", wantMiss: true},
		{name: "unrelated query", target: "/members?maxResults=5&X-Amz-Date=20240501T000000Z", wantMiss: true},
		{name: "empty Authorization is missing", target: "/members", auth: "", wantMiss: true},
		{name: "handmade presigned query",
			target: "/members?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + cred + "&X-Amz-SignedHeaders=host%3Bx-amz-date&X-Amz-Signature=ff",
			want: sigv4.Signature{Credential: sigv4.Credential{AccessKeyID: "111111111111", Date: "20240501", Region: "eu-west-1", Service: "macie2"},
				SignedHeaders: []string{"host", "x-amz-date"}, Signature: "ff", Presigned: true}},
		{name: "presigned SigV4a",
			target: "/members?X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256&X-Amz-Credential=AK%2F20240501%2Fmacie2%2Faws4_request&X-Amz-Region-Set=eu-west-2&X-Amz-SignedHeaders=host&X-Amz-Signature=30",
			want: sigv4.Signature{Credential: sigv4.Credential{AccessKeyID: "AK", Date: "20240501", Service: "macie2"},
				SignedHeaders: []string{"host"}, Signature: "30", Presigned: true}},
		{name: "credential without algorithm", target: "/members?X-Amz-Credential=" + cred, wantReason: "Unsupported AWS 'algorithm': ''"},
		{name: "algorithm without credential", target: "/members?X-Amz-Algorithm=AWS4-HMAC-SHA256", wantReason: "Credential should be scoped"},
		{name: "wrong query algorithm", target: "/members?X-Amz-Algorithm=AWS4-HMAC-SHA1&X-Amz-Credential=" + cred, wantReason: "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA1'"},
		{name: "bad query credential", target: "/members?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AK%2F20240501%2Fmacie2%2Faws4_request", wantReason: "Credential should be scoped"},
		{name: "malformed header wins over a good query",
			target: "/members?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + cred + "&X-Amz-SignedHeaders=host&X-Amz-Signature=ff",
			auth:   "Bearer x", wantReason: "algorithm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", tt.target, nil)
			if tt.auth != "" {
				r.Header.Set("Authorization", tt.auth)
			}
			got, err := sigv4.FromRequest(r)
			switch {
			case tt.wantMiss:
				if !errors.Is(err, sigv4.ErrMissing) {
					t.Fatalf("FromRequest = %+v, %v; want ErrMissing", got, err)
				}
			case tt.wantReason != "":
				var malformed *sigv4.MalformedError
				if !errors.As(err, &malformed) || !strings.Contains(malformed.Reason, tt.wantReason) {
					t.Fatalf("FromRequest = %+v, %v; want a *MalformedError containing %q", got, err, tt.wantReason)
				}
			default:
				if err != nil {
					t.Fatalf("FromRequest: %v", err)
				}
				if got.Credential != tt.want.Credential || got.Signature != tt.want.Signature ||
					!slices.Equal(got.SignedHeaders, tt.want.SignedHeaders) || got.Presigned != tt.want.Presigned {
					t.Errorf("FromRequest = %+v, want %+v", got, tt.want)
				}
			}
		})
	}
}

func TestRegionSet(t *testing.T) {
	tests := []struct {
		name   string
		header string
		query  string
		want   string
	}{
		{name: "one region", header: "eu-west-1", want: "eu-west-1"},
		{name: "padded", header: "  eu-west-1 ", want: "eu-west-1"},
		{name: "absent", want: ""},
		{name: "wildcard", header: "*", want: ""},
		{name: "partial wildcard", header: "us-*", want: ""},
		{name: "several", header: "us-east-1,us-west-2", want: ""},
		{name: "one with a trailing comma", header: "us-east-1,", want: ""},
		{name: "uppercase", header: "US-EAST-1", want: ""},
		{name: "junk", header: "us east 1", want: ""},
		{name: "too long", header: strings.Repeat("a", 65), want: ""},
		{name: "query", query: "ap-south-1", want: "ap-south-1"},
		{name: "header wins over query", header: "eu-north-1", query: "ap-south-1", want: "eu-north-1"},
		{name: "query wildcard", query: "*", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := "/members"
			if tt.query != "" {
				target += "?X-Amz-Region-Set=" + url.QueryEscape(tt.query)
			}
			r := httptest.NewRequest("GET", target, nil)
			if tt.header != "" {
				r.Header.Set("X-Amz-Region-Set", tt.header)
			}
			if got := sigv4.RegionSet(r); got != tt.want {
				t.Errorf("RegionSet = %q, want %q", got, tt.want)
			}
		})
	}
}

// isName mirrors the documented charset of regions and services.
var nameRE = regexp.MustCompile(`^[a-z0-9-]{1,64}$`)

func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{
		"AWS4-HMAC-SHA256 Credential=111111111111/20240501/us-east-1/macie2/aws4_request, SignedHeaders=host;x-amz-date, Signature=ff",
		v4aAuth,
		"AWS4-HMAC-SHA256 Credential=AK/20240501/eu-west-1/macie2/aws4_request,SignedHeaders=,Signature=1",
		"AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=;, Signature==",
		"AWS4-ECDSA-P256-SHA256 Credential=a/b/c/aws4_request, SignedHeaders=host, Signature=0",
		"AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=",
		"",
		"AWS4-HMAC-SHA256",
	} {
		f.Add(s)
	}
	// A real header from the SDK signer.
	r := httptest.NewRequest("POST", "http://macie2.example.test/members", strings.NewReader("{}"))
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "111111111111", SecretAccessKey: "s", SessionToken: "t"},
		r, bodyHash("{}"), "macie2", "us-east-1", signingTime); err != nil {
		f.Fatal(err)
	}
	f.Add(r.Header.Get("Authorization"))

	f.Fuzz(func(t *testing.T, h string) {
		sig, err := sigv4.ParseAuthorization(h)
		if err != nil {
			var malformed *sigv4.MalformedError
			if !errors.As(err, &malformed) || malformed.Reason == "" {
				t.Fatalf("ParseAuthorization(%q) error %T %v, want a *MalformedError with a reason", h, err, err)
			}
			return
		}
		if !nameRE.MatchString(sig.Service) {
			t.Errorf("ParseAuthorization(%q): service %q is not 1-64 of [a-z0-9-]", h, sig.Service)
		}
		v4a := strings.HasPrefix(strings.TrimSpace(h), sigv4.AlgorithmV4a+" ")
		if v4a && sig.Region != "" {
			t.Errorf("ParseAuthorization(%q): SigV4a gave region %q, want none", h, sig.Region)
		}
		if !v4a && !nameRE.MatchString(sig.Region) {
			t.Errorf("ParseAuthorization(%q): region %q is not 1-64 of [a-z0-9-]", h, sig.Region)
		}
		if sig.AccessKeyID == "" || len(sig.AccessKeyID) > 128 || strings.Contains(sig.AccessKeyID, "/") {
			t.Errorf("ParseAuthorization(%q): access key %q", h, sig.AccessKeyID)
		}
		if len(sig.Date) != 8 {
			t.Errorf("ParseAuthorization(%q): date %q is not 8 characters", h, sig.Date)
		}
		if sig.Signature == "" || len(sig.SignedHeaders) == 0 || sig.Presigned {
			t.Errorf("ParseAuthorization(%q) = %+v: signature, signed headers or presigned wrong", h, sig)
		}
	})
}
