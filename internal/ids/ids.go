// Package ids makes the identifiers AWS hands out for membership resources
// (invitation ids, detector ids): 32 lowercase hexadecimal characters.
package ids

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync/atomic"
)

// Generator makes new identifiers. Implementations must be safe for
// concurrent use.
type Generator interface {
	// NewID returns a fresh 32-character lowercase hexadecimal id.
	NewID() string
}

// Random draws ids from crypto/rand, like AWS's opaque ids.
type Random struct{}

// NewID returns 16 random bytes as 32 hex characters.
func (Random) NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms.
	return hex.EncodeToString(b[:])
}

// Sequence hands out predictable ids for tests: the first is
// 00000000000000000000000000000001, then ...02, and so on.
type Sequence struct {
	n atomic.Uint64
}

// NewID returns the next id of the sequence.
func (s *Sequence) NewID() string {
	return fmt.Sprintf("%032x", s.n.Add(1))
}

// IsID reports whether s has the shape of an id made here: exactly 32
// characters of [0-9a-f].
func IsID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
