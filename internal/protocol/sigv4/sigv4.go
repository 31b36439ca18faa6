// Package sigv4 reads who signed a request and for which service and
// region, from the SigV4 Authorization header or a presigned URL's query.
// It does not verify signatures.
package sigv4

import (
	"errors"
	"net/http"
	"slices"
	"strings"
)

// ErrMissing means the request carries no SigV4 signature at all.
var ErrMissing = errors.New("sigv4: request is not signed")

// MalformedError means the request tries to carry a signature but it
// cannot be read. Its text is meant for the caller.
type MalformedError struct{ Reason string }

func (e *MalformedError) Error() string { return e.Reason }

// The signing algorithms localsec reads: SigV4, and SigV4a, whose
// credential scope names no region (the X-Amz-Region-Set header does).
const (
	Algorithm    = "AWS4-HMAC-SHA256"
	AlgorithmV4a = "AWS4-ECDSA-P256-SHA256"
)

// Credential is the credential scope of a signature:
// <AccessKeyID>/<Date>/<Region>/<Service>/aws4_request, or for SigV4a
// <AccessKeyID>/<Date>/<Service>/aws4_request (Region is then empty).
type Credential struct {
	AccessKeyID string
	Date        string
	Region      string
	Service     string
}

// Signature is what a request says about its signature.
type Signature struct {
	Credential
	SignedHeaders []string
	Signature     string
	// Presigned is true when the signature came from the query string.
	Presigned bool
}

// FromRequest reads the signature of r: the Authorization header, else the
// presigned query parameters. ErrMissing when there is neither.
func FromRequest(r *http.Request) (Signature, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		return ParseAuthorization(h)
	}
	q := r.URL.Query()
	if q.Get("X-Amz-Credential") == "" && q.Get("X-Amz-Algorithm") == "" {
		return Signature{}, ErrMissing
	}
	alg := q.Get("X-Amz-Algorithm")
	if alg != Algorithm && alg != AlgorithmV4a {
		return Signature{}, &MalformedError{Reason: "Unsupported AWS 'algorithm': '" + alg + "'"}
	}
	cred, err := parseCredential(q.Get("X-Amz-Credential"), alg == AlgorithmV4a)
	if err != nil {
		return Signature{}, err
	}
	sig := Signature{Credential: cred, Signature: q.Get("X-Amz-Signature"), Presigned: true}
	if sh := q.Get("X-Amz-SignedHeaders"); sh != "" {
		sig.SignedHeaders = strings.Split(sh, ";")
	}
	return sig, nil
}

// ParseAuthorization reads an Authorization header of the form
// "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…".
func ParseAuthorization(h string) (Signature, error) {
	alg, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	if alg != Algorithm && alg != AlgorithmV4a {
		return Signature{}, &MalformedError{Reason: "Authorization header requires the 'AWS4-HMAC-SHA256' algorithm."}
	}
	var sig Signature
	var haveCred bool
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "Credential":
			cred, err := parseCredential(v, alg == AlgorithmV4a)
			if err != nil {
				return Signature{}, err
			}
			sig.Credential, haveCred = cred, true
		case "SignedHeaders":
			sig.SignedHeaders = strings.Split(v, ";")
		case "Signature":
			sig.Signature = v
		}
	}
	if !haveCred {
		return Signature{}, &MalformedError{Reason: "Authorization header requires 'Credential' parameter."}
	}
	if sig.Signature == "" {
		return Signature{}, &MalformedError{Reason: "Authorization header requires 'Signature' parameter."}
	}
	if len(sig.SignedHeaders) == 0 || slices.Contains(sig.SignedHeaders, "") {
		return Signature{}, &MalformedError{Reason: "Authorization header requires 'SignedHeaders' parameter."}
	}
	return sig, nil
}

// ParseCredential reads "<AccessKeyID>/<Date>/<Region>/<Service>/aws4_request".
func ParseCredential(s string) (Credential, error) { return parseCredential(s, false) }

func parseCredential(s string, v4a bool) (Credential, error) {
	bad := &MalformedError{Reason: "Credential should be scoped to a valid region, service and aws4_request terminal: '" + s + "'."}
	parts := strings.Split(s, "/")
	if v4a {
		// SigV4a scopes have no region: splice an empty one in.
		if len(parts) != 4 {
			return Credential{}, bad
		}
		parts = []string{parts[0], parts[1], "", parts[2], parts[3]}
	}
	if len(parts) != 5 || parts[4] != "aws4_request" {
		return Credential{}, bad
	}
	c := Credential{AccessKeyID: parts[0], Date: parts[1], Region: parts[2], Service: parts[3]}
	if c.AccessKeyID == "" || len(c.AccessKeyID) > 128 || !isName(c.Service) || !isDate(c.Date) {
		return Credential{}, bad
	}
	if (!v4a && !isName(c.Region)) || (v4a && c.Region != "") {
		return Credential{}, bad
	}
	return c, nil
}

// RegionSet returns the one region a SigV4a request names in its
// X-Amz-Region-Set header, or "" when it names none, several or "*".
func RegionSet(r *http.Request) string {
	v := strings.TrimSpace(r.Header.Get("X-Amz-Region-Set"))
	if v == "" {
		v = r.URL.Query().Get("X-Amz-Region-Set")
	}
	if strings.ContainsAny(v, ",*") || !isName(v) {
		return ""
	}
	return v
}

// isName reports whether s is a plausible region or service name: 1 to 64
// characters of lowercase letters, digits and hyphens. Anything else is
// refused before it can reach a store key or a log line.
func isName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// isDate reports whether s is a scope date: 8 digits, YYYYMMDD.
func isDate(s string) bool {
	if len(s) != 8 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
