// Package protocol holds what every layer of a request shares: who is
// calling, where, and which operation it turned out to be.
package protocol

import (
	"context"
	"crypto/rand"
	"encoding/hex"
)

// Call describes one API request once its signature scope is read.
type Call struct {
	// RequestID is the id sent back in x-amzn-RequestId.
	RequestID string
	// Service is the signing name from the credential scope (macie2, guardduty).
	Service string
	// Region is the region from the credential scope.
	Region string
	// AccessKeyID is the caller's access key id.
	AccessKeyID string
	// Account is the account the access key maps to.
	Account string
	// Role is set when the access key is an assumed role's temporary
	// credentials.
	Role *AssumedRole
	// Operation is the AWS operation name, set once the request is routed
	// (the access log reads it).
	Operation string
}

// AssumedRole is who calls with temporary credentials: the role and the
// session name the caller gave AssumeRole.
type AssumedRole struct {
	Name        string
	ID          string
	SessionName string
}

type callKey struct{}

// WithCall returns a context that carries c.
func WithCall(ctx context.Context, c *Call) context.Context {
	return context.WithValue(ctx, callKey{}, c)
}

// CallFrom returns the call of ctx, or nil.
func CallFrom(ctx context.Context) *Call {
	c, _ := ctx.Value(callKey{}).(*Call)
	return c
}

// NewRequestID returns a random request id in the UUID form AWS uses.
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	hex.Encode(out[9:13], b[4:6])
	hex.Encode(out[14:18], b[6:8])
	hex.Encode(out[19:23], b[8:10])
	hex.Encode(out[24:36], b[10:16])
	out[8], out[13], out[18], out[23] = '-', '-', '-', '-'
	return string(out[:])
}
