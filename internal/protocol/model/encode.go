package model

import (
	"encoding/base64"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"
)

var timeType = reflect.TypeFor[time.Time]()

// ISO8601Layout is how localsec writes ISO 8601 timestamps: UTC with
// milliseconds and a "Z" (2024-05-01T12:34:56.789Z), as AWS does.
const ISO8601Layout = "2006-01-02T15:04:05.000Z"

// AppendJSON appends the body members of v, a generated struct of the
// structure s (or a pointer to one; nil writes {}), as a JSON object.
// Members without a value (nil pointers, slices and maps) are left out;
// timestamps without a format of their own are written as def says.
func AppendJSON(b []byte, s *Shape, v any, def TimestampFormat) ([]byte, error) {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return append(b, '{', '}'), nil
	}
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return append(b, '{', '}'), nil
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct || rv.NumField() != len(s.Members) {
		return b, fmt.Errorf("model: %s is not the Go struct of shape %s", rv.Type(), s.Name)
	}
	return appendStruct(b, s, rv, def, true)
}

func appendStruct(b []byte, s *Shape, v reflect.Value, def TimestampFormat, top bool) ([]byte, error) {
	b = append(b, '{')
	first := true
	var err error
	for i := range s.Members {
		m := &s.Members[i]
		if top && m.Location != Body {
			continue
		}
		f := v.Field(i)
		if isAbsent(f) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = AppendString(b, m.WireName)
		b = append(b, ':')
		if b, err = appendValue(b, m.Shape, f, m.Format(def)); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

func isAbsent(f reflect.Value) bool {
	switch f.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return f.IsNil()
	}
	return false
}

func appendValue(b []byte, s *Shape, v reflect.Value, format TimestampFormat) ([]byte, error) {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return append(b, "null"...), nil
		}
		v = v.Elem()
	}
	var err error
	switch s.Type {
	case String:
		return AppendString(b, v.String()), nil
	case Boolean:
		return strconv.AppendBool(b, v.Bool()), nil
	case Integer, Long:
		return strconv.AppendInt(b, v.Int(), 10), nil
	case Float, Double:
		f := v.Float()
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return b, fmt.Errorf("model: %s: %v is not a JSON number", s.Name, f)
		}
		return strconv.AppendFloat(b, f, 'g', -1, 64), nil
	case Timestamp:
		var t time.Time
		switch {
		case v.CanAddr() && v.Type() == timeType:
			// Through the address: boxing a time.Time would allocate.
			t = *v.Addr().Interface().(*time.Time)
		case v.Type() == timeType:
			t = v.Interface().(time.Time)
		default:
			return b, fmt.Errorf("model: %s: %s is not a time.Time", s.Name, v.Type())
		}
		return appendTime(b, t, format), nil
	case Blob:
		return AppendString(b, base64.StdEncoding.EncodeToString(v.Bytes())), nil
	case List:
		b = append(b, '[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = appendValue(b, s.Elem, v.Index(i), format); err != nil {
				return b, err
			}
		}
		return append(b, ']'), nil
	case Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendString(b, k.String())
			b = append(b, ':')
			if b, err = appendValue(b, s.Elem, v.MapIndex(k), format); err != nil {
				return b, err
			}
		}
		return append(b, '}'), nil
	case Structure:
		return appendStruct(b, s, v, format, false)
	}
	return b, fmt.Errorf("model: shape %s has no JSON form", s.Name)
}

// appendTime writes t in format; DefaultFormat in a JSON body means epoch
// seconds.
func appendTime(b []byte, t time.Time, format TimestampFormat) []byte {
	switch format {
	case ISO8601:
		b = append(b, '"')
		b = t.UTC().AppendFormat(b, ISO8601Layout)
		return append(b, '"')
	case HTTPDate:
		b = append(b, '"')
		b = t.UTC().AppendFormat(b, http1123)
		return append(b, '"')
	}
	return AppendEpochSeconds(b, t)
}

// AppendEpochSeconds writes t as seconds since the epoch with millisecond
// precision (1699340995.123), the JSON protocols' default timestamp form.
func AppendEpochSeconds(b []byte, t time.Time) []byte {
	return strconv.AppendFloat(b, float64(t.UnixMilli())/1000, 'f', 3, 64)
}

// FormatTime writes t as format says, without quotes; DefaultFormat is
// ISO 8601 (the form of timestamps in URIs, queries and XML).
func FormatTime(t time.Time, format TimestampFormat) string {
	switch format {
	case UnixTimestamp:
		return string(AppendEpochSeconds(nil, t))
	case HTTPDate:
		return t.UTC().Format(http1123)
	}
	return t.UTC().Format(ISO8601Layout)
}

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD,
// as encoding/json does.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		// U+2028 and U+2029 are valid JSON but break JavaScript; escape
		// them as encoding/json does.
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
