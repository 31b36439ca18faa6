// Package conformance checks every service localsec serves against its
// official model, from the outside, over real HTTP: for every operation,
// one request per constraint of its input gets the service's own
// validation error; and every answer of the services' happy paths has the
// model's output shape. Its non-test files derive the cases from the
// model, for any service, present or to come, and check answers
// (OutputChecker, which the end-to-end tests put around their servers).
package conformance

import (
	"encoding/json"
	"fmt"
	"regexp/syntax"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/localsec/localsec/internal/protocol/model"
)

// Input is a request's input: its top-level members by model member name,
// as JSON values (string, json.Number, bool, []any, map[string]any).
// model.Text marks a value sent as raw text where the member's type would
// write it otherwise (a number member given "x").
type Input map[string]any

// Case is one request that breaks one constraint of the model.
type Case struct {
	// Name says what is broken and where.
	Name string
	// Input is a valid input but for the broken constraint.
	Input Input
}

// Valid returns a valid input of op: every required member, recursively,
// with a value that meets its constraints.
func Valid(op *model.Operation) Input {
	in := Input{}
	if op.Input == nil {
		return in
	}
	for i := range op.Input.Members {
		m := &op.Input.Members[i]
		if m.Required {
			in[m.Name] = Example(m.Shape)
		}
	}
	return in
}

// Example returns a valid value of s: the first enum value, a string
// generated from the pattern and padded to the minimum length, the
// minimum of a number, lists and maps of their minimum size (at least
// one entry), structures with their required members.
func Example(s *model.Shape) any {
	return example(s, 0)
}

const maxDepth = 8

func example(s *model.Shape, depth int) any {
	switch s.Type {
	case model.String:
		return exampleString(s)
	case model.Boolean:
		return true
	case model.Integer, model.Long, model.Float, model.Double:
		n := 1.0
		if s.Min.Set {
			n = s.Min.Value
		} else if s.Max.Set && s.Max.Value < n {
			n = s.Max.Value
		}
		return json.Number(strconv.FormatFloat(n, 'f', -1, 64))
	case model.Timestamp:
		return json.Number("1714564800")
	case model.Blob:
		return "ZXhhbXBsZQ=="
	case model.List:
		n := size(s)
		out := make([]any, n)
		for i := range out {
			out[i] = example(s.Elem, depth+1)
		}
		return out
	case model.Map:
		keys := distinctKeys(s.Key, size(s))
		out := map[string]any{}
		for _, k := range keys {
			out[k] = example(s.Elem, depth+1)
		}
		return out
	case model.Structure:
		out := map[string]any{}
		if depth > maxDepth {
			return out
		}
		for i := range s.Members {
			m := &s.Members[i]
			if m.Required {
				out[m.WireName] = example(m.Shape, depth+1)
			}
		}
		return out
	}
	return nil
}

// size is the number of entries of an example list or map: its minimum,
// and at least one so that its elements' constraints can be broken.
func size(s *model.Shape) int {
	n := 1
	if s.Min.Set && int(s.Min.Value) > n {
		n = int(s.Min.Value)
	}
	return n
}

// exampleString returns a string of s that meets its constraints, or ""
// when none could be made (the case generator then skips what needs it).
func exampleString(s *model.Shape) string {
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	v := "a"
	if s.Pattern != nil {
		v = fromPattern(s.Pattern)
	}
	min := 1
	if s.Min.Set {
		min = int(s.Min.Value)
	}
	if v == "" && min > 0 {
		// A pattern whose shortest match is empty (a class repeated
		// with *): start from a character it takes.
		for _, c := range []string{"a", "0", "A", "x", "."} {
			if s.Pattern == nil || s.Pattern.Match(c) {
				v = c
				break
			}
		}
	}
	for utf8.RuneCountInString(v) < min && v != "" {
		if padded := pad(s, v, min); padded != "" {
			v = padded
			break
		}
		v = ""
	}
	if s.Max.Set && utf8.RuneCountInString(v) > int(s.Max.Value) {
		v = string([]rune(v)[:int(s.Max.Value)])
	}
	if !stringValid(s, v) {
		return ""
	}
	return v
}

// pad lengthens v to n characters by repeating its last character, which
// keeps most patterns (a class repeated with + or {m,n}) matched.
func pad(s *model.Shape, v string, n int) string {
	rs := []rune(v)
	last := rs[len(rs)-1]
	for len(rs) < n {
		rs = append(rs, last)
	}
	out := string(rs)
	if s.Pattern != nil && !s.Pattern.Match(out) {
		return ""
	}
	return out
}

func stringValid(s *model.Shape, v string) bool {
	n := utf8.RuneCountInString(v)
	if s.Min.Set && float64(n) < s.Min.Value || s.Max.Set && float64(n) > s.Max.Value {
		return false
	}
	if len(s.Enum) > 0 {
		for _, e := range s.Enum {
			if e == v {
				return true
			}
		}
		return false
	}
	return s.Pattern == nil || s.Pattern.Match(v)
}

// fromPattern returns a string the pattern matches, built from the
// expression: the first choice of every alternation, the lowest count of
// every repetition (one for +), a letter or digit of every class where it
// has one.
func fromPattern(p *model.Pattern) string {
	re, err := syntax.Parse(strings.TrimSuffix(strings.TrimPrefix(p.Source, "^"), "$"), syntax.Perl)
	if err != nil {
		// The source has what Go cannot parse (a lookahead): use the
		// anchored expression localsec compiled, which has none.
		return "a"
	}
	var b strings.Builder
	write(&b, re.Simplify())
	out := b.String()
	if p.NotPrefix != "" && strings.HasPrefix(out, p.NotPrefix) {
		out = "x" + out
	}
	return out
}

func write(b *strings.Builder, re *syntax.Regexp) {
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			b.WriteRune(r)
		}
	case syntax.OpCharClass:
		b.WriteRune(classRune(re.Rune))
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteRune('a')
	case syntax.OpCapture:
		write(b, re.Sub[0])
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			write(b, sub)
		}
	case syntax.OpAlternate:
		write(b, re.Sub[0])
	case syntax.OpPlus:
		write(b, re.Sub[0])
	case syntax.OpRepeat:
		for i := 0; i < re.Min; i++ {
			write(b, re.Sub[0])
		}
	}
}

// classRune picks a character of a class: a lower-case letter, a digit or
// an upper-case letter when the class has one, else its first.
func classRune(ranges []rune) rune {
	for _, want := range []rune{'a', '0', 'A'} {
		for i := 0; i+1 < len(ranges); i += 2 {
			lo, hi := ranges[i], ranges[i+1]
			for r := want; r < want+26; r++ {
				if lo <= r && r <= hi {
					return r
				}
			}
		}
	}
	if len(ranges) > 0 {
		return ranges[0]
	}
	return 'a'
}

// distinctKeys returns n valid keys of a map's key shape.
func distinctKeys(key *model.Shape, n int) []string {
	base := "k"
	if key != nil {
		base = exampleString(key)
	}
	keys := []string{}
	seen := map[string]bool{}
	for i := 0; len(keys) < n && i < 50*n+100; i++ {
		k := base
		if i > 0 {
			k = base + suffix(i)
		}
		if key != nil && !stringValid(key, k) {
			continue
		}
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys
}

// suffix spells i in letters: 1 → "a", 26 → "z", 27 → "ba".
func suffix(i int) string {
	var rs []rune
	for ; i > 0; i /= 26 {
		rs = append([]rune{rune('a' + i%26)}, rs...)
	}
	return string(rs)
}

// Cases returns one request of op per constraint of its input that the
// model lets a client break: each required member left out, each enum
// given a value outside it, each length, size and number bound passed by
// one, each pattern not matched, each member given a value of the wrong
// JSON type. Constraints that cannot travel (an empty URI label, a number
// in a URI label) are left out.
func Cases(op *model.Operation) []Case {
	if op.Input == nil {
		return nil
	}
	g := &caseGen{valid: Valid(op)}
	for i := range op.Input.Members {
		m := &op.Input.Members[i]
		g.member(m, []step{{name: m.Name}}, m.Location, m.Required, 0)
	}
	return g.cases
}

// step is one step of a path into an input: a member (by model name at
// the top, wire name below), a list index or a map key.
type step struct {
	name  string
	index int
	key   *string
}

type caseGen struct {
	valid Input
	cases []Case
}

func pathName(path []step) string {
	var b strings.Builder
	for i, s := range path {
		switch {
		case s.key != nil:
			b.WriteString("[" + *s.key + "]")
		case s.name == "":
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.name)
		}
	}
	return b.String()
}

// add records a case: the valid input with the value at path replaced by
// value (or removed when remove is set), its ancestors made present.
func (g *caseGen) add(name string, path []step, parents []*model.Shape, value any, remove bool) {
	in := deepCopy(g.valid).(map[string]any)
	var cur any = in
	for i, s := range path {
		last := i == len(path)-1
		switch c := cur.(type) {
		case map[string]any:
			k := s.name
			if s.key != nil {
				k = *s.key
			}
			if last {
				if remove {
					delete(c, k)
				} else {
					c[k] = value
				}
				break
			}
			if _, ok := c[k]; !ok {
				c[k] = example(parents[i+1], 0)
			}
			cur = c[k]
		case []any:
			if last {
				c[s.index] = value
				break
			}
			cur = c[s.index]
		}
	}
	g.cases = append(g.cases, Case{Name: pathName(path) + ": " + name, Input: Input(in)})
}

func (g *caseGen) member(m *model.Member, path []step, loc model.Location, required bool, depth int) {
	g.value(m.Shape, path, []*model.Shape{nil, m.Shape}, loc, required, depth)
}

// value adds the cases of the value of shape s at path. parents holds the
// shapes along the path (parents[i+1] is the shape at path[i]).
func (g *caseGen) value(s *model.Shape, path []step, parents []*model.Shape, loc model.Location, required bool, depth int) {
	if depth > maxDepth {
		return
	}
	if required && loc != model.URI {
		g.add("required member left out", path, parents, nil, true)
	}
	text := loc != model.Body
	switch s.Type {
	case model.String:
		g.stringCases(s, path, parents, loc)
		if !text {
			g.add("a number where a string is due", path, parents, json.Number("12345"), false)
		}
	case model.Boolean:
		if text {
			g.add("text that is not a boolean", path, parents, model.Text("maybe"), false)
		} else {
			g.add("a string where a boolean is due", path, parents, "true", false)
		}
	case model.Integer, model.Long, model.Float, model.Double:
		if s.Min.Set {
			g.add(fmt.Sprintf("a number below %v", s.Min.Value), path, parents, number(s.Min.Value-1), false)
		}
		if s.Max.Set {
			g.add(fmt.Sprintf("a number above %v", s.Max.Value), path, parents, number(s.Max.Value+1), false)
		}
		if text {
			g.add("text that is not a number", path, parents, model.Text("not-a-number"), false)
		} else {
			g.add("a string where a number is due", path, parents, "1", false)
			if s.Type == model.Integer || s.Type == model.Long {
				g.add("a fraction where an integer is due", path, parents, json.Number("1.5"), false)
			}
		}
	case model.Timestamp:
		if text {
			g.add("text that is not a timestamp", path, parents, model.Text("yesterday"), false)
		} else {
			g.add("a boolean where a timestamp is due", path, parents, true, false)
		}
	case model.List:
		elem := example(s.Elem, depth+1)
		if s.Min.Set && s.Min.Value > 0 && !(text && s.Min.Value == 1) {
			g.add(fmt.Sprintf("a list of fewer than %v entries", s.Min.Value), path, parents, repeat(elem, int(s.Min.Value)-1), false)
		}
		if s.Max.Set && s.Max.Value < 1000 {
			g.add(fmt.Sprintf("a list of more than %v entries", s.Max.Value), path, parents, repeat(elem, int(s.Max.Value)+1), false)
		}
		if !text {
			g.add("a string where a list is due", path, parents, "x", false)
		}
		g.value(s.Elem, append(clone(path), step{index: 0}), append(clone(parents), s.Elem), loc, false, depth+1)
	case model.Map:
		if s.Min.Set && s.Min.Value > 0 {
			g.add(fmt.Sprintf("a map of fewer than %v entries", s.Min.Value), path, parents, mapOf(s, int(s.Min.Value)-1), false)
		}
		if s.Max.Set && s.Max.Value < 1000 {
			if m := mapOf(s, int(s.Max.Value)+1); m != nil {
				g.add(fmt.Sprintf("a map of more than %v entries", s.Max.Value), path, parents, m, false)
			}
		}
		if !text {
			g.add("a list where a map is due", path, parents, []any{}, false)
		}
		if s.Key != nil {
			for _, bad := range badStrings(s.Key) {
				m := mapOf(s, size(s)-1)
				if m == nil {
					continue
				}
				m[bad.value] = example(s.Elem, depth+1)
				g.add("a key that is "+bad.why, path, parents, m, false)
			}
		}
		k := distinctKeys(s.Key, 1)
		if len(k) == 1 {
			g.value(s.Elem, append(clone(path), step{key: &k[0]}), append(clone(parents), s.Elem), model.Body, false, depth+1)
		}
	case model.Structure:
		if !text {
			g.add("a string where an object is due", path, parents, "x", false)
		}
		for i := range s.Members {
			m := &s.Members[i]
			g.value(m.Shape, append(clone(path), step{name: m.WireName}), append(clone(parents), m.Shape), model.Body, m.Required, depth+1)
		}
	}
}

func (g *caseGen) stringCases(s *model.Shape, path []step, parents []*model.Shape, loc model.Location) {
	for _, bad := range badStrings(s) {
		if loc == model.URI && bad.value == "" {
			continue // an empty label names another route
		}
		g.add("a string that is "+bad.why, path, parents, bad.value, false)
	}
}

type badString struct{ value, why string }

// badStrings returns strings that break one constraint of s each.
func badStrings(s *model.Shape) []badString {
	var out []badString
	if len(s.Enum) > 0 {
		out = append(out, badString{"NOT_A_VALUE_OF_THE_ENUM", "not a value of the enum"})
		return out
	}
	base := exampleString(s)
	if base == "" {
		base = "a"
	}
	if s.Min.Set && s.Min.Value > 0 {
		rs := []rune(base)
		out = append(out, badString{string(rs[:int(s.Min.Value)-1]), fmt.Sprintf("shorter than %v", s.Min.Value)})
	}
	if s.Max.Set && s.Max.Value < 100000 {
		rs := []rune(base)
		for len(rs) <= int(s.Max.Value) {
			rs = append(rs, rs[len(rs)-1])
		}
		out = append(out, badString{string(rs), fmt.Sprintf("longer than %v", s.Max.Value)})
	}
	if s.Pattern != nil {
		candidates := []string{"!", "\u00e9", " ", "\t", "#", "aws:x"}
		if s.Pattern.NotPrefix != "" {
			candidates = append([]string{s.Pattern.NotPrefix + base}, candidates...)
		}
		for _, c := range candidates {
			v := c
			for s.Min.Set && float64(utf8.RuneCountInString(v)) < s.Min.Value {
				v += c
			}
			n := float64(utf8.RuneCountInString(v))
			if s.Max.Set && n > s.Max.Value || s.Pattern.Match(v) {
				continue
			}
			out = append(out, badString{v, "not matched by the pattern"})
			break
		}
	}
	return out
}

func mapOf(s *model.Shape, n int) map[string]any {
	keys := distinctKeys(s.Key, n)
	if len(keys) < n {
		return nil
	}
	out := map[string]any{}
	for _, k := range keys {
		out[k] = example(s.Elem, 1)
	}
	return out
}

func repeat(v any, n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = deepCopy(v)
	}
	return out
}

func number(f float64) json.Number { return json.Number(strconv.FormatFloat(f, 'f', -1, 64)) }

func clone[T any](s []T) []T { return append([]T(nil), s...) }

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case Input:
		return deepCopy(map[string]any(x))
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}
