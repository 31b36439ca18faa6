package model

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Text is an input value that travels as text (a URI label, a query
// parameter, a header, a form field): Bind converts it to the type of its
// shape. The other input values are those of a JSON document decoded with
// UseNumber: map[string]any, []any, string, json.Number, bool and nil.
type Text string

// maxViolations bounds the violations one error reports: a list of 10,000
// bad elements is refused with the first few.
const maxViolations = 10

// Bind binds the top-level members of the structure s into dst, a pointer
// to s's generated Go struct, and checks every constraint of the model.
// value returns the raw value of a top-level member and whether it is
// present; nested members come from their parent's JSON object.
//
// A value of the wrong type ends binding with a WrongType error; broken
// constraints are collected into one Invalid error. Members AWS would
// ignore (unknown names, names in another case) are ignored.
func Bind(s *Shape, dst any, value func(m *Member) (any, bool)) error {
	b := binder{}
	v := reflect.ValueOf(dst).Elem()
	for i := range s.Members {
		m := &s.Members[i]
		raw, ok := value(m)
		b.path = append(b.path[:0], pathElem{name: m.WireName})
		b.loc = m.Location
		if !ok || raw == nil {
			if m.Required {
				b.violate(Violation{Constraint: Required})
			}
			continue
		}
		if err := b.bind(m.Shape, v.Field(i), raw, m.Format(DefaultFormat)); err != nil {
			return err
		}
	}
	if len(b.violations) > 0 {
		return invalid(b.violations)
	}
	return nil
}

type pathElem struct {
	name  string // member name, or map key when index < 0 and isKey
	index int    // list index when name == ""
	isKey bool
}

type binder struct {
	path       []pathElem
	loc        Location
	violations []Violation
}

func (b *binder) pathString() string {
	var sb strings.Builder
	for i, p := range b.path {
		switch {
		case p.isKey:
			sb.WriteString("[" + p.name + "]")
		case p.name == "":
			sb.WriteString("[" + strconv.Itoa(p.index) + "]")
		default:
			if i > 0 {
				sb.WriteByte('.')
			}
			sb.WriteString(p.name)
		}
	}
	return sb.String()
}

func (b *binder) violate(v Violation) {
	if len(b.violations) >= maxViolations {
		return
	}
	v.Path = b.pathString()
	v.Location = b.loc
	b.violations = append(b.violations, v)
}

func (b *binder) wrongType(s *Shape, raw any) error {
	path := b.pathString()
	return &InputError{Kind: WrongType, Path: path,
		Message: "The value of " + path + " must be of type " + jsonTypeOf(s.Type) + ", not " + describe(raw) + "."}
}

// jsonTypeOf names the JSON type that carries a shape's values.
func jsonTypeOf(t Type) string {
	switch t {
	case Structure, Map:
		return "object"
	case List:
		return "array"
	case Boolean:
		return "boolean"
	case Integer, Long:
		return "integer"
	case Float, Double:
		return "number"
	case Timestamp:
		return "timestamp"
	}
	return "string"
}

func describe(raw any) string {
	switch r := raw.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case bool:
		return "boolean"
	case json.Number:
		return "number " + string(r)
	case string:
		return "string"
	case Text:
		return "'" + string(r) + "'"
	}
	return "null"
}

// set stores x in v, allocating when v is a pointer. The generated field
// types are known, so most stores go through a type switch on the field's
// address (no reflection, one allocation for a pointer member); any other
// type of the same kind is converted by reflection.
func set[T any](v reflect.Value, x T) {
	if v.CanAddr() {
		switch p := v.Addr().Interface().(type) {
		case **T:
			*p = &x
			return
		case *T:
			*p = x
			return
		}
		if n, ok := any(x).(int64); ok {
			switch p := v.Addr().Interface().(type) {
			case **int32:
				*p = new(int32(n))
				return
			case *int32:
				*p = int32(n)
				return
			}
		}
	}
	if v.Kind() == reflect.Pointer {
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(reflect.ValueOf(x).Convert(v.Type().Elem()))
		v.Set(p)
		return
	}
	v.Set(reflect.ValueOf(x).Convert(v.Type()))
}

func (b *binder) bind(s *Shape, v reflect.Value, raw any, format TimestampFormat) error {
	switch s.Type {
	case String:
		str, ok := stringOf(raw)
		if !ok {
			return b.wrongType(s, raw)
		}
		b.checkString(s, str)
		set(v, str)
	case Boolean:
		var x bool
		switch r := raw.(type) {
		case bool:
			x = r
		case Text:
			switch strings.ToLower(string(r)) {
			case "true":
				x = true
			case "false":
			default:
				return b.wrongType(s, raw)
			}
		default:
			return b.wrongType(s, raw)
		}
		set(v, x)
	case Integer, Long:
		n, ok := integerOf(raw)
		if !ok || (s.Type == Integer && (n < math.MinInt32 || n > math.MaxInt32)) {
			return b.wrongType(s, raw)
		}
		b.checkNumber(s, float64(n), strconv.FormatInt(n, 10))
		set(v, n)
	case Float, Double:
		f, ok := floatOf(raw)
		if !ok {
			return b.wrongType(s, raw)
		}
		b.checkNumber(s, f, strconv.FormatFloat(f, 'g', -1, 64))
		set(v, f)
	case Timestamp:
		t, ok := timeOf(raw, format)
		if !ok {
			return b.wrongType(s, raw)
		}
		set(v, t)
	case Blob:
		str, ok := stringOf(raw)
		if !ok {
			return b.wrongType(s, raw)
		}
		data, err := base64.StdEncoding.DecodeString(str)
		if err != nil {
			path := b.pathString()
			return &InputError{Kind: WrongType, Path: path, Message: "The value of " + path + " must be base64-encoded."}
		}
		b.checkLength(s, len(data), strconv.Itoa(len(data)))
		v.SetBytes(data)
	case List:
		arr, ok := raw.([]any)
		if !ok {
			return b.wrongType(s, raw)
		}
		b.checkLength(s, len(arr), strconv.Itoa(len(arr)))
		sl := reflect.MakeSlice(v.Type(), len(arr), len(arr))
		depth := len(b.path)
		for i, e := range arr {
			b.path = append(b.path[:depth], pathElem{index: i})
			if e == nil {
				return b.wrongType(s.Elem, e)
			}
			if err := b.bind(s.Elem, sl.Index(i), e, format); err != nil {
				return err
			}
		}
		b.path = b.path[:depth]
		v.Set(sl)
	case Map:
		obj, ok := raw.(map[string]any)
		if !ok {
			return b.wrongType(s, raw)
		}
		b.checkLength(s, len(obj), strconv.Itoa(len(obj)))
		mv := reflect.MakeMapWithSize(v.Type(), len(obj))
		depth := len(b.path)
		for _, k := range sortedKeys(obj) {
			e := obj[k]
			b.path = append(b.path[:depth], pathElem{name: k, isKey: true})
			if s.Key != nil {
				b.checkString(s.Key, k)
			}
			if e == nil {
				return b.wrongType(s.Elem, e)
			}
			ev := reflect.New(v.Type().Elem()).Elem()
			if err := b.bind(s.Elem, ev, e, format); err != nil {
				return err
			}
			mv.SetMapIndex(reflect.ValueOf(k), ev)
		}
		b.path = b.path[:depth]
		v.Set(mv)
	case Structure:
		obj, ok := raw.(map[string]any)
		if !ok {
			return b.wrongType(s, raw)
		}
		if v.Kind() == reflect.Pointer {
			v.Set(reflect.New(v.Type().Elem()))
			v = v.Elem()
		}
		depth := len(b.path)
		for i := range s.Members {
			m := &s.Members[i]
			b.path = append(b.path[:depth], pathElem{name: m.WireName})
			e, present := obj[m.WireName]
			if !present || e == nil {
				if m.Required {
					b.violate(Violation{Constraint: Required})
				}
				continue
			}
			if err := b.bind(m.Shape, v.Field(i), e, m.Format(format)); err != nil {
				return err
			}
		}
		b.path = b.path[:depth]
	default:
		return b.wrongType(s, raw)
	}
	return nil
}

func (b *binder) checkString(s *Shape, str string) {
	if len(s.Enum) > 0 && !contains(s.Enum, str) {
		b.violate(Violation{Constraint: Enum, Value: str, Enum: s.Enum})
		return
	}
	b.checkLength(s, length(str), str)
	if s.Pattern != nil && !s.Pattern.Match(str) {
		b.violate(Violation{Constraint: PatternMatch, Value: str, Pattern: s.Pattern.Source})
	}
}

// checkLength checks the length n of a value; value is its text in a
// violation: the string itself, or the count for lists, maps and blobs.
func (b *binder) checkLength(s *Shape, n int, value string) {
	switch {
	case s.Min.Set && float64(n) < s.Min.Value:
		b.violate(Violation{Constraint: MinLength, Value: value, Limit: s.Min.Value})
	case s.Max.Set && float64(n) > s.Max.Value:
		b.violate(Violation{Constraint: MaxLength, Value: value, Limit: s.Max.Value})
	}
}

func (b *binder) checkNumber(s *Shape, f float64, value string) {
	switch {
	case s.Min.Set && f < s.Min.Value:
		b.violate(Violation{Constraint: MinValue, Value: value, Limit: s.Min.Value})
	case s.Max.Set && f > s.Max.Value:
		b.violate(Violation{Constraint: MaxValue, Value: value, Limit: s.Max.Value})
	}
}

func stringOf(raw any) (string, bool) {
	switch r := raw.(type) {
	case string:
		return r, true
	case Text:
		return string(r), true
	}
	return "", false
}

// numberText is the text of a number: a JSON number, or text.
func numberText(raw any) (string, bool) {
	switch r := raw.(type) {
	case json.Number:
		return string(r), true
	case Text:
		return string(r), true
	}
	return "", false
}

func integerOf(raw any) (int64, bool) {
	s, ok := numberText(raw)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func floatOf(raw any) (float64, bool) {
	s, ok := numberText(raw)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil && !math.IsInf(f, 0) && !math.IsNaN(f)
}

// timeOf reads a timestamp: epoch seconds as a JSON number or as text, or
// an ISO 8601 or HTTP date string, whatever the member's format, because
// SDKs differ in what they send for the default format.
func timeOf(raw any, _ TimestampFormat) (time.Time, bool) {
	var s string
	switch r := raw.(type) {
	case json.Number:
		s = string(r)
	case string:
		s = r
	case Text:
		s = string(r)
	default:
		return time.Time{}, false
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) && math.Abs(f) < 1e12 {
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6).UTC(), true
	}
	if _, isNumber := raw.(json.Number); isNumber {
		return time.Time{}, false
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05.999999999Z0700", http1123} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

const http1123 = "Mon, 02 Jan 2006 15:04:05 GMT"

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
