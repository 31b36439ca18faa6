package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/localsec/localsec/internal/clock"
	"github.com/localsec/localsec/internal/ids"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/server"
)

const (
	admin  = "111111111111"
	member = "222222222222"
	// encodedMemberARN is how SDKs send the member ARN of admin's member
	// in /tags/{resourceArn}: the whole ARN percent-encoded, "/" as %2F.
	encodedMemberARN = "arn%3Aaws%3Amacie2%3Aus-east-1%3A111111111111%3Amember%2F222222222222"
)

var epoch = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func testConfig() server.Config {
	return server.Config{Clock: clock.NewFake(epoch), IDs: &ids.Sequence{}}
}

func newTestServer(t *testing.T, cfg server.Config) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(server.New(cfg))
	t.Cleanup(ts.Close)
	return ts
}

func payloadHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// newRequest builds a request to ts; target is the escaped path and query.
func newRequest(t testing.TB, ts *httptest.Server, method, target string, body []byte) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, ts.URL+target, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("NewRequest(%s %s): %v", method, target, err)
	}
	if len(body) > 0 {
		r.Header.Set("Content-Type", "application/json")
	}
	return r
}

// sign signs r the way aws-sdk-go-v2 clients do.
func sign(t testing.TB, r *http.Request, body []byte, accessKey, service, region string) *http.Request {
	t.Helper()
	creds := aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: "localsec-secret"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, payloadHash(body), service, region, time.Now()); err != nil {
		t.Fatalf("SignHTTP: %v", err)
	}
	return r
}

// response is a read answer.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func do(t testing.TB, ts *httptest.Server, r *http.Request) response {
	t.Helper()
	resp, err := ts.Client().Do(r)
	if err != nil {
		t.Fatalf("%s %s: %v", r.Method, r.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading %s %s: %v", r.Method, r.URL, err)
	}
	return response{resp.StatusCode, resp.Header, b}
}

// macie sends a Macie request signed for account in region.
func macie(t testing.TB, ts *httptest.Server, account, region, method, target, body string) response {
	t.Helper()
	r := newRequest(t, ts, method, target, []byte(body))
	return do(t, ts, sign(t, r, []byte(body), account, "macie2", region))
}

// wantOK checks a 2xx answer of status and decodes its JSON body into v
// (if v is not nil).
func wantOK(t testing.TB, res response, status int, v any) {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status = %d, want %d; body %s; error type %q", res.Status, status, res.Body, res.Header.Get("X-Amzn-ErrorType"))
	}
	if v != nil {
		if err := json.Unmarshal(res.Body, v); err != nil {
			t.Fatalf("body %q: %v", res.Body, err)
		}
	}
}

// wantError checks a rest-json error answer and returns its message.
func wantError(t testing.TB, res response, status int, typ string) string {
	t.Helper()
	if res.Status != status {
		t.Errorf("status = %d, want %d; body %s", res.Status, status, res.Body)
	}
	if got := res.Header.Get("X-Amzn-ErrorType"); got != typ {
		t.Errorf("X-Amzn-ErrorType = %q, want %q", got, typ)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var body map[string]any
	if err := json.Unmarshal(res.Body, &body); err != nil {
		t.Fatalf("error body %q is not a JSON object: %v", res.Body, err)
	}
	msg, ok := body["message"].(string)
	if !ok || msg == "" {
		t.Errorf("error body %s has no string message", res.Body)
	}
	return msg
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func TestRequestIDOnEveryAnswer(t *testing.T) {
	ts := newTestServer(t, testConfig())
	reqs := []func() *http.Request{
		func() *http.Request { return newRequest(t, ts, "GET", "/members", nil) },
		func() *http.Request {
			r := newRequest(t, ts, "GET", "/members", nil)
			r.Header.Set("Authorization", "Bearer x")
			return r
		},
		func() *http.Request {
			return sign(t, newRequest(t, ts, "GET", "/", nil), nil, admin, "s3", "us-east-1")
		},
		func() *http.Request {
			return sign(t, newRequest(t, ts, "GET", "/nope", nil), nil, admin, "macie2", "us-east-1")
		},
		func() *http.Request {
			return sign(t, newRequest(t, ts, "GET", "/macie", nil), nil, admin, "macie2", "us-east-1")
		},
		func() *http.Request {
			return sign(t, newRequest(t, ts, "POST", "/macie", nil), nil, admin, "macie2", "us-east-1")
		},
		func() *http.Request {
			return sign(t, newRequest(t, ts, "GET", "/macie", nil), nil, admin, "macie2", "us-east-1")
		},
		func() *http.Request {
			body := []byte(`{"account":{"accountId":"222222222222","email":"m@example.com"}}`)
			return sign(t, newRequest(t, ts, "POST", "/members", body), body, admin, "macie2", "us-east-1")
		},
		func() *http.Request {
			return sign(t, newRequest(t, ts, "POST", "/tags/"+encodedMemberARN, []byte(`{"tags":{}}`)), []byte(`{"tags":{}}`), admin, "macie2", "us-east-1")
		},
		func() *http.Request { return newRequest(t, ts, "GET", "/_localsec/health", nil) },
		func() *http.Request { return newRequest(t, ts, "HEAD", "/_localstack/health", nil) },
		func() *http.Request { return newRequest(t, ts, "PUT", "/_localsec/health", nil) },
		func() *http.Request { return newRequest(t, ts, "POST", "/_localsec/reset", nil) },
		func() *http.Request { return newRequest(t, ts, "GET", "/_localsec/other", nil) },
	}
	seen := map[string]bool{}
	statuses := map[int]bool{}
	for _, mk := range reqs {
		r := mk()
		res := do(t, ts, r)
		id := res.Header.Get("x-amzn-RequestId")
		if !uuidRE.MatchString(id) {
			t.Errorf("%s %s -> %d: x-amzn-RequestId = %q, want a UUID", r.Method, r.URL.Path, res.Status, id)
		}
		if seen[id] {
			t.Errorf("%s %s: request id %q repeated", r.Method, r.URL.Path, id)
		}
		seen[id] = true
		statuses[res.Status] = true
	}
	// The table covers successes, 204s and each kind of refusal.
	for _, s := range []int{200, 204, 400, 403, 404, 405} {
		if !statuses[s] {
			t.Errorf("no request in the table answered %d (got %v)", s, statuses)
		}
	}
}

func TestUnsignedRequest(t *testing.T) {
	ts := newTestServer(t, testConfig())
	for _, target := range []string{"/members", "/macie", "/", "/nope", "/_localsec"} {
		for _, method := range []string{"GET", "POST"} {
			res := do(t, ts, newRequest(t, ts, method, target, nil))
			if msg := wantError(t, res, http.StatusForbidden, "MissingAuthenticationTokenException"); msg != "Missing Authentication Token" {
				t.Errorf("%s %s: message %q", method, target, msg)
			}
		}
	}
}

func TestMalformedAuthorization(t *testing.T) {
	ts := newTestServer(t, testConfig())
	for _, auth := range []string{
		"Bearer x",
		"AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=",
		"AWS4-HMAC-SHA256",
		"AWS4-HMAC-SHA256 Credential=111111111111/20240501/us-east-1/macie2/aws4_request, SignedHeaders=host",
		"AWS4-HMAC-SHA256 Credential=111111111111/20240501/us-east-1/macie2/aws4_request, Signature=ff",
		"AWS4-HMAC-SHA256 SignedHeaders=host, Signature=ff",
		"AWS4-HMAC-SHA256 Credential=111111111111/20240501/macie2/aws4_request, SignedHeaders=host, Signature=ff",
		"AWS4-HMAC-SHA256 Credential=111111111111/20240501/US-EAST-1/macie2/aws4_request, SignedHeaders=host, Signature=ff",
	} {
		r := newRequest(t, ts, "GET", "/members", nil)
		r.Header.Set("Authorization", auth)
		wantError(t, do(t, ts, r), http.StatusBadRequest, "IncompleteSignatureException")
	}
	// A presigned query that cannot be read.
	r := newRequest(t, ts, "GET", "/members?X-Amz-Algorithm=AWS4-HMAC-SHA1&X-Amz-Credential=x", nil)
	wantError(t, do(t, ts, r), http.StatusBadRequest, "IncompleteSignatureException")
}

func TestUnknownService(t *testing.T) {
	ts := newTestServer(t, testConfig())
	// Services localsec does not emulate (not guardduty: it is planned).
	for _, svc := range []string{"s3", "dynamodb", "macie"} {
		res := do(t, ts, sign(t, newRequest(t, ts, "GET", "/members", nil), nil, admin, svc, "us-east-1"))
		msg := wantError(t, res, http.StatusBadRequest, "UnknownServiceException")
		if !strings.Contains(msg, `"`+svc+`"`) || !strings.Contains(msg, "macie2") {
			t.Errorf("%s: message %q does not name the service asked for and the ones served", svc, msg)
		}
	}
}

func TestUnknownMacieOperation(t *testing.T) {
	ts := newTestServer(t, testConfig())
	for _, tt := range []struct{ method, target string }{
		{"GET", "/nope"},
		{"GET", "/"},
		{"PUT", "/members"},
		{"GET", "/members/"},
		{"GET", "/members/a/b"},
		{"POST", "/macie/members"},
		{"GET", "/tags/arn:aws:macie2:us-east-1:111111111111:member/222222222222"},
		{"GET", "/findings"},
	} {
		res := macie(t, ts, admin, "us-east-1", tt.method, tt.target, "")
		msg := wantError(t, res, http.StatusNotFound, "UnknownOperationException")
		if strings.Contains(string(res.Body), "404 page not found") {
			t.Errorf("%s %s answered Go's plain-text 404", tt.method, tt.target)
		}
		if !strings.Contains(msg, tt.method) {
			t.Errorf("%s %s: message %q does not name the method", tt.method, tt.target, msg)
		}
	}
}

func TestHealth(t *testing.T) {
	ts := newTestServer(t, testConfig())
	for _, path := range []string{"/_localsec/health", "/_localstack/health"} {
		res := do(t, ts, newRequest(t, ts, "GET", path, nil))
		var h struct {
			Status   string            `json:"status"`
			Services map[string]string `json:"services"`
			Edition  string            `json:"edition"`
			Version  string            `json:"version"`
			Uptime   *int64            `json:"uptime"`
		}
		wantOK(t, res, http.StatusOK, &h)
		if ct := res.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: Content-Type %q", path, ct)
		}
		if h.Services["macie2"] != "running" || h.Status != "running" {
			t.Errorf("%s: %s, want services.macie2 = running", path, res.Body)
		}
		if h.Version != server.Version || h.Version == "" || h.Uptime == nil || *h.Uptime < 0 {
			t.Errorf("%s: version/uptime wrong in %s", path, res.Body)
		}
		// Health needs no signature, but a signed one is fine too.
		res = do(t, ts, sign(t, newRequest(t, ts, "GET", path, nil), nil, admin, "macie2", "us-east-1"))
		wantOK(t, res, http.StatusOK, nil)

		res = do(t, ts, newRequest(t, ts, "HEAD", path, nil))
		if res.Status != http.StatusOK || len(res.Body) != 0 {
			t.Errorf("HEAD %s: %d %q", path, res.Status, res.Body)
		}
	}
}

func TestAdminWrongMethods(t *testing.T) {
	ts := newTestServer(t, testConfig())
	for _, tt := range []struct{ method, path string }{
		{"POST", "/_localsec/health"},
		{"DELETE", "/_localsec/health"},
		{"PUT", "/_localstack/health"},
		{"GET", "/_localsec/reset"},
		{"PUT", "/_localsec/reset"},
		{"DELETE", "/_localstack/state/reset"},
		{"HEAD", "/_localsec/reset"},
	} {
		res := do(t, ts, newRequest(t, ts, tt.method, tt.path, nil))
		if tt.method == "HEAD" {
			if res.Status != http.StatusMethodNotAllowed || res.Header.Get("X-Amzn-ErrorType") != "MethodNotAllowedException" {
				t.Errorf("HEAD %s: %d %q", tt.path, res.Status, res.Header.Get("X-Amzn-ErrorType"))
			}
			continue
		}
		msg := wantError(t, res, http.StatusMethodNotAllowed, "MethodNotAllowedException")
		if !strings.Contains(msg, tt.method) || !strings.Contains(msg, tt.path) {
			t.Errorf("%s %s: message %q", tt.method, tt.path, msg)
		}
	}
	for _, path := range []string{"/_localsec/", "/_localsec/healthz", "/_localstack/state", "/_localsec/health/"} {
		wantError(t, do(t, ts, newRequest(t, ts, "GET", path, nil)), http.StatusNotFound, "NotFoundException")
	}
}

func TestReset(t *testing.T) {
	for _, resetPath := range []string{"/_localsec/reset", "/_localstack/state/reset"} {
		t.Run(resetPath, func(t *testing.T) {
			ts := newTestServer(t, testConfig())
			wantOK(t, macie(t, ts, admin, "us-east-1", "POST", "/macie", `{"status":"ENABLED"}`), http.StatusOK, nil)
			wantOK(t, macie(t, ts, admin, "us-east-1", "POST", "/members",
				`{"account":{"accountId":"222222222222","email":"m@example.com"},"tags":{"team":"red"}}`), http.StatusOK, nil)
			var got struct {
				AccountID          string            `json:"accountId"`
				RelationshipStatus string            `json:"relationshipStatus"`
				Tags               map[string]string `json:"tags"`
			}
			wantOK(t, macie(t, ts, admin, "us-east-1", "GET", "/members/"+member, ""), http.StatusOK, &got)
			if got.AccountID != member || got.RelationshipStatus != "Created" || got.Tags["team"] != "red" {
				t.Fatalf("GetMember before reset = %+v", got)
			}

			var status map[string]string
			wantOK(t, do(t, ts, newRequest(t, ts, "POST", resetPath, nil)), http.StatusOK, &status)
			if status["status"] != "reset" {
				t.Errorf("reset body = %v", status)
			}

			// The session is gone ...
			msg := wantError(t, macie(t, ts, admin, "us-east-1", "GET", "/macie", ""), http.StatusForbidden, "AccessDeniedException")
			if msg != "Macie is not enabled." {
				t.Errorf("GetMacieSession after reset: %q", msg)
			}
			// ... and so is the member, once Macie is on again.
			wantOK(t, macie(t, ts, admin, "us-east-1", "POST", "/macie", `{}`), http.StatusOK, nil)
			msg = wantError(t, macie(t, ts, admin, "us-east-1", "GET", "/members/"+member, ""), http.StatusBadRequest, "ValidationException")
			if !strings.Contains(msg, "account is not associated with your account") {
				t.Errorf("GetMember after reset: %q", msg)
			}
			var list struct {
				Members []json.RawMessage `json:"members"`
			}
			wantOK(t, macie(t, ts, admin, "us-east-1", "GET", "/members?onlyAssociated=false", ""), http.StatusOK, &list)
			if len(list.Members) != 0 {
				t.Errorf("ListMembers after reset = %s", list.Members)
			}
		})
	}
}

// TestMacieThroughServer checks what the server hands the Macie adapter:
// account from the access key, region from the scope, the escaped ARN
// label, and the adapter's errors on the wire.
func TestMacieThroughServer(t *testing.T) {
	cfg := testConfig()
	cfg.Accounts = protocol.Accounts{Keys: map[string]string{"AKIAADMINEXAMPLE": admin}}
	cfg.DefaultRegion = "ap-northeast-1"
	ts := newTestServer(t, cfg)

	// A mapped access key acts as its account.
	wantOK(t, macie(t, ts, "AKIAADMINEXAMPLE", "us-east-1", "POST", "/macie", ""), http.StatusOK, nil)
	var created struct {
		Arn string `json:"arn"`
	}
	wantOK(t, macie(t, ts, admin, "us-east-1", "POST", "/members",
		`{"account":{"accountId":"222222222222","email":"m@example.com"}}`), http.StatusOK, &created)
	if created.Arn != "arn:aws:macie2:us-east-1:111111111111:member/222222222222" {
		t.Errorf("member ARN = %q", created.Arn)
	}

	// The %2F-encoded ARN is one label.
	res := macie(t, ts, admin, "us-east-1", "POST", "/tags/"+encodedMemberARN, `{"tags":{"env":"test"}}`)
	if res.Status != http.StatusNoContent || len(res.Body) != 0 {
		t.Fatalf("TagResource = %d %q, want 204 and no body", res.Status, res.Body)
	}
	var tags struct {
		Tags map[string]string `json:"tags"`
	}
	wantOK(t, macie(t, ts, admin, "us-east-1", "GET", "/tags/"+encodedMemberARN, ""), http.StatusOK, &tags)
	if tags.Tags["env"] != "test" {
		t.Errorf("ListTagsForResource = %v", tags.Tags)
	}

	// The state is per region: the region is the credential scope's.
	wantError(t, macie(t, ts, admin, "eu-west-3", "GET", "/members/"+member, ""), http.StatusForbidden, "AccessDeniedException")

	// A presigned request is read from its query.
	r := newRequest(t, ts, "GET", "/macie", nil)
	u, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: admin, SecretAccessKey: "s"},
		r, payloadHash(nil), "macie2", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	pr, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range hdr {
		if k != "Host" {
			pr.Header[k] = vs
		}
	}
	var session struct {
		Status      string `json:"status"`
		ServiceRole string `json:"serviceRole"`
		CreatedAt   string `json:"createdAt"`
	}
	wantOK(t, do(t, ts, pr), http.StatusOK, &session)
	if session.Status != "ENABLED" || !strings.Contains(session.ServiceRole, ":"+admin+":") || session.CreatedAt != "2024-05-01T12:00:00.000Z" {
		t.Errorf("GetMacieSession (presigned) = %+v", session)
	}

	// SigV4a: the region comes from X-Amz-Region-Set, else the default.
	v4a := func(regionSet, method, target, body string) response {
		r := newRequest(t, ts, method, target, []byte(body))
		r.Header.Set("Authorization", "AWS4-ECDSA-P256-SHA256 Credential="+admin+"/20240501/macie2/aws4_request, SignedHeaders=host;x-amz-region-set, Signature=3045")
		if regionSet != "" {
			r.Header.Set("X-Amz-Region-Set", regionSet)
		}
		return do(t, ts, r)
	}
	wantOK(t, v4a("eu-west-2", "POST", "/macie", ""), http.StatusOK, nil)
	wantOK(t, macie(t, ts, admin, "eu-west-2", "GET", "/macie", ""), http.StatusOK, nil)
	wantOK(t, v4a("*", "POST", "/macie", ""), http.StatusOK, nil)
	wantOK(t, macie(t, ts, admin, "ap-northeast-1", "GET", "/macie", ""), http.StatusOK, nil)
	wantOK(t, v4a("", "POST", "/members", `{"account":{"accountId":"333333333333","email":"x@example.com"}}`), http.StatusOK, &created)
	if created.Arn != "arn:aws:macie2:ap-northeast-1:111111111111:member/333333333333" {
		t.Errorf("SigV4a without a region set: ARN %q, want the default region", created.Arn)
	}

	// Adapter errors keep their shape through the server.
	msg := wantError(t, macie(t, ts, admin, "us-east-1", "GET", "/members?maxResults=26", ""), http.StatusBadRequest, "ValidationException")
	if !strings.Contains(msg, "maxResults") {
		t.Errorf("maxResults=26: %q", msg)
	}
	wantError(t, macie(t, ts, admin, "us-east-1", "POST", "/members", `{"account":"x"}`), http.StatusBadRequest, "ValidationException")
	wantError(t, macie(t, ts, admin, "us-east-1", "POST", "/members", `not json`), http.StatusBadRequest, "ValidationException")
	wantError(t, macie(t, ts, member, "us-east-1", "POST", "/invitations/accept", `{"administratorAccountId":"junk","invitationId":"junk"}`),
		http.StatusForbidden, "AccessDeniedException") // the member has no session yet
	wantOK(t, macie(t, ts, member, "us-east-1", "POST", "/macie", ""), http.StatusOK, nil)
	msg = wantError(t, macie(t, ts, member, "us-east-1", "POST", "/invitations/accept", `{"administratorAccountId":"junk","invitationId":"junk"}`),
		http.StatusBadRequest, "ValidationException")
	if msg == "" {
		t.Errorf("AcceptInvitation with junk: empty message")
	}
}

func TestBodyTooLarge(t *testing.T) {
	ts := newTestServer(t, testConfig())
	body := `{"account":{"accountId":"222222222222","email":"m@example.com"},"tags":{"k":"` + strings.Repeat("v", 1<<20) + `"}}`
	res := macie(t, ts, admin, "us-east-1", "POST", "/members", body)
	wantError(t, res, http.StatusRequestEntityTooLarge, "ValidationException")
}

// syncBuffer is a bytes.Buffer safe for the server goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestAccessLog(t *testing.T) {
	var logs syncBuffer
	cfg := testConfig()
	cfg.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	srv := server.New(cfg)

	// Through a recorder: the handler has returned, and logged, when
	// ServeHTTP returns.
	r := httptest.NewRequest("POST", "/macie", nil)
	sign(t, r, nil, "222222222222", "macie2", "eu-central-1")
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Fatalf("EnableMacie: %d %s", w.Code, w.Body)
	}
	var line map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(logs.String())), &line); err != nil {
		t.Fatalf("log %q: %v", logs.String(), err)
	}
	want := map[string]any{
		"msg": "request", "method": "POST", "path": "/macie", "account": "222222222222", "region": "eu-central-1",
		"service": "macie2", "operation": "EnableMacie", "status": float64(200), "request_id": w.Header().Get("x-amzn-RequestId"),
	}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("log %s = %v, want %v", k, line[k], v)
		}
	}

	// The same server through Handler().
	w = httptest.NewRecorder()
	srv.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/_localsec/health", nil))
	if w.Code != http.StatusOK || w.Header().Get("x-amzn-RequestId") == "" {
		t.Errorf("Handler(): %d %v", w.Code, w.Header())
	}
	if !strings.Contains(logs.String(), `"operation":"Health"`) {
		t.Errorf("health request not logged: %s", logs.String())
	}
	names := srv.ServiceNames()
	if srv.Engine() == nil || !slices.Contains(names, "macie2") || !slices.IsSorted(names) {
		t.Errorf("Engine/ServiceNames: %v %v", srv.Engine(), names)
	}
}
