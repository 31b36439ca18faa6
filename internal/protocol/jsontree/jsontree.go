// Package jsontree parses a JSON object into the tree that encoding/json
// builds when it decodes into a map[string]any with Decoder.UseNumber:
// map[string]any, []any, string, json.Number, bool and nil. It accepts and
// refuses exactly what encoding/json does, and builds the same tree, with
// far fewer allocations: the input is copied into one string, and keys,
// strings without escapes and numbers are substrings of it.
package jsontree

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth is the deepest nesting of objects and arrays that ParseObject
// accepts, the top-level object counting as 1: encoding/json's own limit.
const MaxDepth = 10000

// A SyntaxError says why and where a document was refused.
type SyntaxError struct {
	// Offset is the byte offset in the document where the error was found.
	Offset int
	msg    string
}

func (e *SyntaxError) Error() string {
	return "jsontree: " + e.msg + " at offset " + strconv.Itoa(e.Offset)
}

// ParseObject parses data, which must be exactly one JSON object (surrounding
// whitespace allowed), into its tree. Any other document is a *SyntaxError.
func ParseObject(data []byte) (map[string]any, error) {
	// The one copy: every substring the tree holds shares it, and data may
	// be reused by the caller.
	p := parser{s: string(data)}
	p.skipSpace()
	if p.i >= len(p.s) || p.s[p.i] != '{' {
		return nil, p.fail("the document is not a JSON object")
	}
	p.i++
	obj, err := p.object()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.i != len(p.s) {
		return nil, p.fail("data after the top-level object")
	}
	return obj, nil
}

// member is an object member or (with no key) an array element waiting on
// the parser's stack until its container is complete and its size known.
type member struct {
	key string
	val any
}

// initialStack is the capacity of the members stack when first needed:
// enough for typical request bodies, small enough for any.
const initialStack = 16

type parser struct {
	s     string
	i     int
	depth int
	// stack holds the members of the open containers, innermost last, so
	// that each map and slice is allocated once, at its final size.
	stack []member
}

func (p *parser) fail(msg string) error {
	if p.i >= len(p.s) && msg != "exceeded max depth" {
		msg = "unexpected end of JSON input"
	}
	return &SyntaxError{Offset: p.i, msg: msg}
}

func (p *parser) push(key string, val any) {
	if p.stack == nil {
		p.stack = make([]member, 0, initialStack)
	}
	p.stack = append(p.stack, member{key, val})
}

// skipSpace skips JSON whitespace, and no other.
func (p *parser) skipSpace() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// value parses the value at p.i, which follows any whitespace.
func (p *parser) value() (any, error) {
	if p.i >= len(p.s) {
		return nil, p.fail("")
	}
	switch c := p.s[p.i]; c {
	case '{':
		p.i++
		m, err := p.object()
		if err != nil {
			return nil, err
		}
		return m, nil
	case '[':
		p.i++
		a, err := p.array()
		if err != nil {
			return nil, err
		}
		return a, nil
	case '"':
		p.i++
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return s, nil
	case 't':
		if strings.HasPrefix(p.s[p.i:], "true") {
			p.i += 4
			return true, nil
		}
	case 'f':
		if strings.HasPrefix(p.s[p.i:], "false") {
			p.i += 5
			return false, nil
		}
	case 'n':
		if strings.HasPrefix(p.s[p.i:], "null") {
			p.i += 4
			return nil, nil
		}
	default:
		if c == '-' || '0' <= c && c <= '9' {
			return p.number()
		}
	}
	return nil, p.fail("invalid character looking for a value")
}

// enter counts one more level of nesting, refusing one too many.
func (p *parser) enter() error {
	p.depth++
	if p.depth > MaxDepth {
		return p.fail("exceeded max depth")
	}
	return nil
}

// object parses the members of an object whose '{' is just before p.i.
func (p *parser) object() (map[string]any, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		p.depth--
		return map[string]any{}, nil
	}
	base := len(p.stack)
	for {
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, p.fail("invalid character looking for an object key")
		}
		p.i++
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, p.fail("invalid character after an object key")
		}
		p.i++
		p.skipSpace()
		val, err := p.value()
		if err != nil {
			return nil, err
		}
		p.push(key, val)
		p.skipSpace()
		if p.i >= len(p.s) {
			return nil, p.fail("")
		}
		c := p.s[p.i]
		if c == '}' {
			p.i++
			break
		}
		if c != ',' {
			return nil, p.fail("invalid character after an object member")
		}
		p.i++
		p.skipSpace()
	}
	members := p.stack[base:]
	m := make(map[string]any, len(members))
	for _, kv := range members {
		m[kv.key] = kv.val // the last of duplicate keys wins, as in encoding/json
	}
	clear(members)
	p.stack = p.stack[:base]
	p.depth--
	return m, nil
}

// array parses the elements of an array whose '[' is just before p.i.
func (p *parser) array() ([]any, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		p.depth--
		return []any{}, nil // not nil: encoding/json makes an empty slice
	}
	base := len(p.stack)
	for {
		val, err := p.value()
		if err != nil {
			return nil, err
		}
		p.push("", val)
		p.skipSpace()
		if p.i >= len(p.s) {
			return nil, p.fail("")
		}
		c := p.s[p.i]
		if c == ']' {
			p.i++
			break
		}
		if c != ',' {
			return nil, p.fail("invalid character after an array element")
		}
		p.i++
		p.skipSpace()
	}
	elems := p.stack[base:]
	a := make([]any, len(elems))
	for i, e := range elems {
		a[i] = e.val
	}
	clear(elems)
	p.stack = p.stack[:base]
	p.depth--
	return a, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// number parses the number at p.i, by the JSON grammar
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, keeping its text.
func (p *parser) number() (any, error) {
	s, i := p.s, p.i
	start := i
	if s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		for i++; i < len(s) && isDigit(s[i]); i++ {
		}
	default:
		p.i = i
		return nil, p.fail("invalid character in numeric literal")
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || !isDigit(s[i]) {
			p.i = i
			return nil, p.fail("invalid character after decimal point in numeric literal")
		}
		for i++; i < len(s) && isDigit(s[i]); i++ {
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			p.i = i
			return nil, p.fail("invalid character in exponent of numeric literal")
		}
		for i++; i < len(s) && isDigit(s[i]); i++ {
		}
	}
	p.i = i
	return json.Number(s[start:i]), nil
}

// str parses the rest of a string whose opening quote is just before p.i.
// A string with no escape and only valid UTF-8 is a substring of the
// document; any other is decoded into a new string.
func (p *parser) str() (string, error) {
	s := p.s
	start, i := p.i, p.i
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if c == '"' {
				p.i = i + 1
				return s[start:i], nil
			}
			if c == '\\' || c < ' ' {
				break
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		i += size
	}
	return p.strSlow(start, i)
}

// strSlow decodes the string that starts at start, s[start:i] needing no
// decoding, as encoding/json does: escapes are decoded, a \u escape of a
// surrogate that does not start a pair with the next \u escape is U+FFFD,
// and so is each byte that is not part of valid UTF-8.
func (p *parser) strSlow(start, i int) (string, error) {
	s := p.s
	// Size the result by the source up to the closing quote: escapes only
	// shrink, and only invalid UTF-8 (rare) grows.
	end := i
	for end < len(s) && s[end] != '"' {
		if s[end] == '\\' {
			end++
		}
		end++
	}
	var b strings.Builder
	b.Grow(min(end, len(s)) - start)
	b.WriteString(s[start:i])
	for {
		if i >= len(s) {
			p.i = i
			return "", p.fail("")
		}
		c := s[i]
		switch {
		case c == '"':
			p.i = i + 1
			return b.String(), nil
		case c == '\\':
			i++
			if i >= len(s) {
				p.i = i
				return "", p.fail("")
			}
			switch e := s[i]; e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, ok := hex4(s, i+1)
				if !ok {
					p.i = i
					return "", p.fail("invalid character in \\u hexadecimal character escape")
				}
				i += 5
				if utf16.IsSurrogate(r) {
					if i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
						if r2, ok := hex4(s, i+2); ok {
							if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
								b.WriteRune(pair)
								i += 6
								continue
							}
						}
					}
					r = utf8.RuneError
				}
				b.WriteRune(r)
				continue
			default:
				p.i = i
				return "", p.fail("invalid character in string escape code")
			}
			i++
		case c < ' ':
			p.i = i
			return "", p.fail("invalid character in string literal")
		case c < utf8.RuneSelf:
			j := i + 1
			for j < len(s) && s[j] < utf8.RuneSelf && s[j] >= ' ' && s[j] != '"' && s[j] != '\\' {
				j++
			}
			b.WriteString(s[i:j])
			i = j
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b.WriteRune(utf8.RuneError)
			} else {
				b.WriteString(s[i : i+size])
			}
			i += size
		}
	}
}

// hex4 reads the four hexadecimal digits at s[i:].
func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
