package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/server"
)

// Authorization modes of FuzzHandler.
const (
	authNone           = iota // no Authorization header
	authSignedAdmin           // a real SigV4 signature for macie2 by account 111111111111
	authText                  // the fuzzed text as the Authorization header
	authSignedMember          // a real SigV4 signature for macie2 by account 222222222222
	authSignedAdminGD         // the same for guardduty, by 111111111111
	authSignedMemberGD        // the same for guardduty, by 222222222222
	authSignedSTS             // the same for sts, by 111111111111
	authModes
)

// signedAs is the account and service a signed mode signs for.
func signedAs(mode uint8) (account, service string, ok bool) {
	switch mode {
	case authSignedAdmin:
		return admin, "macie2", true
	case authSignedMember:
		return member, "macie2", true
	case authSignedAdminGD:
		return admin, "guardduty", true
	case authSignedMemberGD:
		return member, "guardduty", true
	case authSignedSTS:
		return admin, "sts", true
	}
	return "", "", false
}

// maxFuzzInput bounds the total size of FuzzHandler's arguments. The
// body limit is tested in server_test.go; large inputs only slow the
// fuzzer, whose minimization of each new interesting input (up to
// -fuzzminimizetime, default 60s) stops fuzzing while it runs.
const maxFuzzInput = 2048

// FuzzHandler sends fuzzed requests to one server and checks the wire
// contract of every answer: the server never panics, never answers 5xx,
// always sends x-amzn-RequestId, and every refusal is a rest-json error
// (X-Amzn-ErrorType plus a JSON object with a string "message").
//
// Requests are built by net/http's own request parser (http.ReadRequest)
// from raw bytes, so the handler sees only what a net/http server would
// hand it; a target the parser refuses is answered by net/http itself and
// is skipped here. The seed corpus in testdata/fuzz/FuzzHandler holds
// real Macie requests.
func FuzzHandler(f *testing.F) {
	f.Add("GET", "/members?maxResults=26", uint8(authSignedAdmin), "", "", "", []byte(nil))
	f.Add("POST", "/members", uint8(authSignedAdmin), "", "application/json", "",
		[]byte(`{"account":{"accountId":"222222222222","email":"member@example.com"}}`))
	f.Add("GET", "/_localsec/health", uint8(authNone), "", "", "", []byte(nil))
	f.Add("GET", "/members", uint8(authText), "AWS4-HMAC-SHA256 Credential=x", "", "", []byte(nil))
	f.Add("POST", "/detector", uint8(authSignedAdminGD), "", "application/json", "", []byte(`{"enable":true}`))
	f.Add("GET", "/invitation", uint8(authSignedMemberGD), "", "", "", []byte(nil))
	f.Add("POST", "/", uint8(authSignedSTS), "", "application/x-www-form-urlencoded", "", []byte("Action=GetCallerIdentity&Version=2011-06-15"))
	f.Add("POST", "/", uint8(authSignedSTS), "", "application/x-www-form-urlencoded", "", []byte("Action=AssumeRole"))
	f.Add("GET", "/_localsec/state?format=yaml", uint8(authNone), "", "", "", []byte(nil))
	f.Add("GET", "/_localsec/emails", uint8(authNone), "", "", "", []byte(nil))

	h := &handlerFuzzer{srv: server.New(testConfig()), signer: v4.NewSigner(), signingTime: time.Now()}
	f.Fuzz(h.fuzz)
}

// handlerFuzzer is FuzzHandler's one server and signer.
type handlerFuzzer struct {
	srv         *server.Server
	signer      *v4.Signer
	signingTime time.Time
}

func (h *handlerFuzzer) fuzz(t *testing.T, method, target string, authMode uint8, auth, contentType, regionSet string, body []byte) {
	for _, s := range []string{method, target, auth, contentType, regionSet} {
		if strings.ContainsAny(s, "\r\n") {
			return // would inject header lines: not the fields we mean to fuzz
		}
	}
	if len(method)+len(target)+len(auth)+len(contentType)+len(regionSet)+len(body) > maxFuzzInput {
		return // see maxFuzzInput
	}
	var raw bytes.Buffer
	raw.WriteString(method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n")
	if contentType != "" {
		raw.WriteString("Content-Type: " + contentType + "\r\n")
	}
	if regionSet != "" {
		raw.WriteString("X-Amz-Region-Set: " + regionSet + "\r\n")
	}
	mode := authMode % authModes
	if mode == authText {
		raw.WriteString("Authorization: " + auth + "\r\n")
	}
	raw.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n")
	raw.Write(body)

	r, err := http.ReadRequest(bufio.NewReader(&raw))
	if err != nil {
		return // net/http answers 400 before any handler runs
	}
	r.RemoteAddr = "192.0.2.1:1234"
	if account, service, ok := signedAs(mode); ok {
		creds := aws.Credentials{AccessKeyID: account, SecretAccessKey: "localsec-secret"}
		if err := h.signer.SignHTTP(context.Background(), creds, r, payloadHash(body), service, "us-east-1", h.signingTime); err != nil {
			return
		}
	}

	w := httptest.NewRecorder()
	h.srv.ServeHTTP(w, r)
	checkWireContract(t, r, w)
	// Whatever arrived, the state is still one the engine could reach.
	snap, err := h.srv.Engine().Export(context.Background())
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	if problems := membership.CheckInvariants(snap, h.srv.Engine().Organization()); len(problems) > 0 {
		t.Fatalf("after %s %s the state breaks the invariants: %v", r.Method, r.RequestURI, problems)
	}
}

func checkWireContract(t *testing.T, r *http.Request, w *httptest.ResponseRecorder) {
	t.Helper()
	what := r.Method + " " + r.RequestURI
	if w.Header().Get("x-amzn-RequestId") == "" {
		t.Errorf("%s: no x-amzn-RequestId", what)
	}
	if w.Code >= 500 {
		t.Fatalf("%s: status %d (%s) body %s", what, w.Code, w.Header().Get("X-Amzn-ErrorType"), w.Body)
	}
	ct := w.Header().Get("Content-Type")
	if strings.HasPrefix(ct, "text/xml") {
		checkXMLContract(t, what, w)
		return
	}
	if w.Code < 200 || w.Code >= 300 {
		if w.Header().Get("X-Amzn-ErrorType") == "" {
			t.Errorf("%s: status %d without X-Amzn-ErrorType; body %s", what, w.Code, w.Body)
		}
		var body map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
			t.Fatalf("%s: status %d, error body %q is not a JSON object: %v", what, w.Code, w.Body, err)
		}
		if _, ok := body["message"].(string); !ok {
			t.Errorf("%s: status %d, error body %s has no string message", what, w.Code, w.Body)
		}
		return
	}
	if w.Header().Get("X-Amzn-ErrorType") != "" {
		t.Errorf("%s: success %d with X-Amzn-ErrorType %q", what, w.Code, w.Header().Get("X-Amzn-ErrorType"))
	}
	if w.Code == http.StatusNoContent {
		if w.Body.Len() != 0 {
			t.Errorf("%s: 204 with a body %q", what, w.Body)
		}
		return
	}
	switch {
	case ct == "application/yaml" || strings.HasPrefix(ct, "text/html"):
		// The state export in YAML and the console: admin endpoints,
		// not AWS APIs.
		if !strings.HasPrefix(r.URL.Path, "/_localsec/") {
			t.Errorf("%s: status %d Content-Type %q outside the admin endpoints", what, w.Code, ct)
		}
		return
	case ct != "application/json":
		t.Errorf("%s: status %d Content-Type %q", what, w.Code, ct)
	}
	if !json.Valid(w.Body.Bytes()) || !bytes.HasPrefix(w.Body.Bytes(), []byte("{")) {
		t.Errorf("%s: status %d body %q is not a JSON object", what, w.Code, w.Body)
	}
}

// checkXMLContract checks an awsQuery answer (STS): a success is an XML
// document; a refusal an ErrorResponse with a Code and a Message, and
// X-Amzn-ErrorType.
func checkXMLContract(t *testing.T, what string, w *httptest.ResponseRecorder) {
	t.Helper()
	var doc struct {
		XMLName xml.Name
		Error   struct {
			Code    string `xml:"Code"`
			Message string `xml:"Message"`
		} `xml:"Error"`
	}
	if err := xml.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatalf("%s: status %d, body %q is not XML: %v", what, w.Code, w.Body, err)
	}
	if w.Code >= 200 && w.Code < 300 {
		return
	}
	if doc.XMLName.Local != "ErrorResponse" || doc.Error.Code == "" || doc.Error.Message == "" || w.Header().Get("X-Amzn-ErrorType") == "" {
		t.Errorf("%s: status %d, XML error %q lacks ErrorResponse/Code/Message or X-Amzn-ErrorType", what, w.Code, w.Body)
	}
}
