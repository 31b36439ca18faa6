package sqlstore

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/localsec/localsec/internal/store"
)

func TestPrefixEnd(t *testing.T) {
	for _, tc := range []struct {
		prefix, end string
		ok          bool
	}{
		{"", "", false},
		{"a", "b", true},
		{"ab", "ac", true},
		{"a\xff", "b", true},
		{"a\xff\xff", "b", true},
		{"\xff", "", false},
		{"\xff\xff", "", false},
		{"\xfe\xff", "\xff", true},
		{"é", "ê", true},
		{"\u00ff", "\xc3\xc0", true},
		{"\U0010ffff", "\xf4\x8f\xbf\xc0", true},
		{"a\x00", "a\x01", true},
	} {
		end, ok := prefixEnd(tc.prefix)
		if end != tc.end || ok != tc.ok {
			t.Errorf("prefixEnd(%q) = %q, %v; want %q, %v", tc.prefix, end, ok, tc.end, tc.ok)
		}
	}
}

func TestValidCeil(t *testing.T) {
	for _, tc := range []struct {
		s, ceil string
		ok      bool
	}{
		{"", "", true},
		{"abc", "abc", true},
		{"é日\U0010ffff", "é日\U0010ffff", true},
		{"\xff", "", false},
		{"a\xff", "b", true},
		{"\xc3", "\u00c0", true},
		{"\xc3\xc0", "\u0100", true},
		{"\xc3\xbf\xff", "\u0100", true},
		{"\xe0", "\u0800", true},
		{"\xe0\x80", "\u0800", true},         // overlong: no rune starts so
		{"\xed\xa0\x80", "\ue000", true},     // a surrogate
		{"\xf4\x8f\xbf", "\U0010ffc0", true}, // the least rune it starts
		{"\xf4\x90", "", false},
		{"\U0010ffff\xff", "", false},
		{"a\U0010ffff\xff", "b", true},
		{"\ud7ff\xff", "\ue000", true},
		{"a\x00", "a\x01", true},
		{"\x00", "\x01", true},
		{"\x80", "\u0080", true},
	} {
		ceil, ok := validCeil(tc.s)
		if ceil != tc.ceil || ok != tc.ok {
			t.Errorf("validCeil(%q) = %q, %v; want %q, %v", tc.s, ceil, ok, tc.ceil, tc.ok)
		}
	}
}

// The bounds the SQL query uses select, among valid keys, exactly the keys
// that a bytewise filter selects: for random bytes s and valid keys k,
// k >= s exactly when k >= validCeil(s), and k starts with s exactly when
// k >= s and k < prefixEnd(s).
func TestRecordBounds(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	alphabet := []byte{0x00, 0x01, 'a', 'b', 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xc3, 0xdf, 0xe0, 0xed, 0xee, 0xef, 0xf0, 0xf4, 0xf5, 0xff}
	runes := []rune{1, 'a', 'b', 0x7f, 0x80, 0xff, 0x100, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xfffd, 0xffff, 0x10000, 0x10fffe, 0x10ffff}
	randomBytes := func() string {
		b := make([]byte, r.IntN(6))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(b)
	}
	var keys []string
	for len(keys) < 2000 {
		var k string
		if r.IntN(2) == 0 {
			k = randomBytes()
		} else {
			var b strings.Builder
			for range 1 + r.IntN(3) {
				b.WriteRune(runes[r.IntN(len(runes))])
			}
			k = b.String()
		}
		if store.CheckRecordKey("kind", k) == nil {
			keys = append(keys, k)
		}
	}
	for range 3000 {
		s := randomBytes()
		if r.IntN(3) == 0 {
			k := keys[r.IntN(len(keys))]
			s = k[:r.IntN(len(k)+1)] + s // a key's start, a rune maybe cut
		}
		ceil, ok := validCeil(s)
		if ok && (!utf8.ValidString(ceil) || strings.IndexByte(ceil, 0) >= 0 || ceil < s) {
			t.Fatalf("validCeil(%q) = %q: not a valid string not less than it", s, ceil)
		}
		end, endOK := prefixEnd(s)
		endCeil, endCeilOK := "", false
		if endOK {
			endCeil, endCeilOK = validCeil(end)
		}
		for _, k := range keys {
			if got, want := ok && k >= ceil, k >= s; got != want {
				t.Fatalf("key %q: >= validCeil(%q) = %q is %v, >= %q is %v", k, s, ceil, got, s, want)
			}
			inRange := ok && k >= ceil && (!endCeilOK || k < endCeil)
			if want := strings.HasPrefix(k, s); inRange != want {
				t.Fatalf("key %q: in the range of prefix %q (%q to %q, %v) is %v, HasPrefix is %v", k, s, ceil, endCeil, endCeilOK, inRange, want)
			}
		}
	}
}
