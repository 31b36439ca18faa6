package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// MaxSkew is how far a request's X-Amz-Date may be from the server's
// clock, either way, as in AWS.
const MaxSkew = 15 * time.Minute

// UnsignedPayload is the payload hash clients send when they do not sign
// the body (presigned URLs; S3-style streaming is not used here).
const UnsignedPayload = "UNSIGNED-PAYLOAD"

// VerifyError is a signature that does not hold. Code is the AWS error
// code to answer with; its status is 403 except for
// IncompleteSignatureException (400).
type VerifyError struct {
	Code    string
	Message string
}

func (e *VerifyError) Error() string { return e.Code + ": " + e.Message }

// Status returns the HTTP status of the error.
func (e *VerifyError) Status() int {
	if e.Code == "IncompleteSignatureException" {
		return http.StatusBadRequest
	}
	return http.StatusForbidden
}

// Verify checks that sig, read from r by FromRequest, is the SigV4
// signature of r and body under secret, made at most MaxSkew from now.
// Only SigV4 (HMAC-SHA256) is verified; SigV4a signatures are refused.
func Verify(r *http.Request, body []byte, sig Signature, secret string, now time.Time) error {
	if sig.Region == "" {
		return &VerifyError{"IncompleteSignatureException", "SigV4a (AWS4-ECDSA-P256-SHA256) signatures are not supported when signatures are verified."}
	}
	amzDate := r.Header.Get("X-Amz-Date")
	if sig.Presigned {
		amzDate = r.URL.Query().Get("X-Amz-Date")
	}
	t, err := time.Parse("20060102T150405Z", amzDate)
	if err != nil {
		return &VerifyError{"IncompleteSignatureException", "Authorization requires a valid X-Amz-Date in the form yyyyMMdd'T'HHmmss'Z'."}
	}
	if !strings.HasPrefix(amzDate, sig.Date) {
		return &VerifyError{"InvalidSignatureException", "The credential scope date " + sig.Date + " does not match X-Amz-Date " + amzDate + "."}
	}
	if d := now.Sub(t); d > MaxSkew || d < -MaxSkew {
		return &VerifyError{"InvalidSignatureException", "Signature expired: " + amzDate + " is now earlier than " +
			now.Add(-MaxSkew).UTC().Format("20060102T150405Z") + " (" + now.UTC().Format("20060102T150405Z") + " - 15 min.)"}
	}
	if sig.Presigned {
		if exp := r.URL.Query().Get("X-Amz-Expires"); exp != "" {
			secs, err := strconv.Atoi(exp)
			if err != nil || secs < 0 {
				return &VerifyError{"IncompleteSignatureException", "X-Amz-Expires must be a number of seconds."}
			}
			if end := t.Add(time.Duration(secs) * time.Second); now.After(end) {
				return &VerifyError{"InvalidSignatureException", "Signature expired: the presigned URL expired at " + end.UTC().Format("20060102T150405Z") + "."}
			}
		}
	}
	if !contains(sig.SignedHeaders, "host") {
		return &VerifyError{"InvalidSignatureException", "The request signature must sign the host header."}
	}

	payload := r.Header.Get("X-Amz-Content-Sha256")
	switch {
	case sig.Presigned && payload == "":
		payload = UnsignedPayload
	case payload == "":
		sum := sha256.Sum256(body)
		payload = hex.EncodeToString(sum[:])
	case payload == UnsignedPayload:
	default:
		// A declared hash must be the body's: a changed body is caught
		// here even when the header itself was signed.
		sum := sha256.Sum256(body)
		if !hmac.Equal([]byte(payload), []byte(hex.EncodeToString(sum[:]))) {
			return &VerifyError{"InvalidSignatureException", "The provided 'x-amz-content-sha256' header does not match what was computed."}
		}
	}

	canonical := CanonicalRequest(r, sig.SignedHeaders, payload, sig.Presigned)
	scope := sig.Date + "/" + sig.Region + "/" + sig.Service + "/aws4_request"
	hash := sha256.Sum256([]byte(canonical))
	stringToSign := Algorithm + "\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(hash[:])
	key := SigningKey(secret, sig.Date, sig.Region, sig.Service)
	want := hex.EncodeToString(hmacSHA256(key, []byte(stringToSign)))
	if !hmac.Equal([]byte(want), []byte(sig.Signature)) {
		return &VerifyError{"InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}
	}
	return nil
}

// SigningKey derives the SigV4 signing key of a secret for a scope.
func SigningKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), []byte(date))
	k = hmacSHA256(k, []byte(region))
	k = hmacSHA256(k, []byte(service))
	return hmacSHA256(k, []byte("aws4_request"))
}

func hmacSHA256(key, data []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(data)
	return h.Sum(nil)
}

// CanonicalRequest rebuilds the canonical request of r from the headers
// the client says it signed.
func CanonicalRequest(r *http.Request, signedHeaders []string, payloadHash string, presigned bool) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	// Non-S3 services sign the path URI-encoded twice: the client's
	// escaped path, escaped again.
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	b.WriteString(escape(path, false))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(r.URL.Query(), presigned))
	b.WriteByte('\n')
	for _, name := range signedHeaders {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(headerValue(r, name))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signedHeaders, ";"))
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

func canonicalQuery(q url.Values, presigned bool) string {
	type pair struct{ k, v string }
	var pairs []pair
	for k, vs := range q {
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		for _, v := range vs {
			pairs = append(pairs, pair{escape(k, true), escape(v, true)})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = p.k + "=" + p.v
	}
	return strings.Join(parts, "&")
}

// headerValue is a signed header's canonical value: its values trimmed,
// inner runs of spaces folded, joined with commas.
func headerValue(r *http.Request, name string) string {
	raw := []string{r.Host}
	if name != "host" {
		raw = r.Header.Values(name)
	}
	// Go keeps a client request's length out of its headers.
	if name == "content-length" && len(raw) == 0 && r.ContentLength >= 0 {
		raw = []string{strconv.FormatInt(r.ContentLength, 10)}
	}
	vals := make([]string, len(raw))
	for i, v := range raw {
		vals[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(vals, ",")
}

// escape percent-encodes everything but the unreserved characters (and
// "/" in paths), with upper-case hex, as SigV4 requires.
func escape(s string, encodeSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !encodeSlash) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
