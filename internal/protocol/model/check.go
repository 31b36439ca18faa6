package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
)

// Problem is one way a JSON document breaks its shape.
type Problem struct {
	Path       string
	Constraint Constraint // 0 for unknown members and wrong types
	Text       string
}

func (p Problem) String() string { return p.Path + ": " + p.Text }

// Allowance tells CheckJSON to accept a broken constraint of a shape: the
// named overrides of services whose real answers differ from their model
// (GuardDuty answers "tags": {} where its TagMap has at least one entry).
// For Required, Shape is the structure whose required members may be
// missing.
type Allowance struct {
	Shape      string
	Constraint Constraint
}

var iso8601Pattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$`)

// CheckJSON checks a JSON body against the structure s as an answer of the
// service: no member the shape does not have, every value of its type,
// enum values from the enum, timestamps in their format (def for those
// without one), required members present, lengths and values within
// bounds. It returns every problem found; none for a faithful answer.
func CheckJSON(s *Shape, body []byte, def TimestampFormat, allow ...Allowance) []Problem {
	c := checker{def: def, allow: allow}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return []Problem{{Text: "not JSON: " + err.Error()}}
	}
	if _, err := dec.Token(); err != io.EOF {
		return []Problem{{Text: "more than one JSON value"}}
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return []Problem{{Text: "not a JSON object"}}
	}
	c.structure(s, obj, "", true)
	return c.problems
}

type checker struct {
	def      TimestampFormat
	allow    []Allowance
	problems []Problem
}

func (c *checker) add(path string, con Constraint, format string, args ...any) {
	c.problems = append(c.problems, Problem{Path: path, Constraint: con, Text: fmt.Sprintf(format, args...)})
}

func (c *checker) allowed(s *Shape, con Constraint) bool {
	for _, a := range c.allow {
		if a.Shape == s.Name && a.Constraint == con {
			return true
		}
	}
	return false
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func (c *checker) structure(s *Shape, obj map[string]any, path string, top bool) {
	known := map[string]bool{}
	for i := range s.Members {
		m := &s.Members[i]
		if top && m.Location != Body {
			continue
		}
		known[m.WireName] = true
		p := join(path, m.WireName)
		v, ok := obj[m.WireName]
		if !ok || v == nil {
			if ok {
				c.add(p, 0, "null instead of an absent member")
			}
			if m.Required && !c.allowed(s, Required) {
				c.add(p, Required, "required member missing")
			}
			continue
		}
		c.value(m.Shape, v, p, m.Format(c.def))
	}
	for _, k := range sortedKeys(obj) {
		if !known[k] {
			c.add(join(path, k), 0, "member not in shape %s", s.Name)
		}
	}
}

func (c *checker) value(s *Shape, v any, path string, format TimestampFormat) {
	switch s.Type {
	case String:
		str, ok := v.(string)
		if !ok {
			c.add(path, 0, "want a string, got %s", describe(v))
			return
		}
		if len(s.Enum) > 0 && !contains(s.Enum, str) && !c.allowed(s, Enum) {
			c.add(path, Enum, "%q is not a value of %s", str, s.Name)
		}
		c.length(s, length(str), path)
		if s.Pattern != nil && !s.Pattern.Match(str) && !c.allowed(s, PatternMatch) {
			c.add(path, PatternMatch, "%q does not match %s", str, s.Pattern.Source)
		}
	case Boolean:
		if _, ok := v.(bool); !ok {
			c.add(path, 0, "want a boolean, got %s", describe(v))
		}
	case Integer, Long, Float, Double:
		n, ok := v.(json.Number)
		if !ok {
			c.add(path, 0, "want a number, got %s", describe(v))
			return
		}
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil || ((s.Type == Integer || s.Type == Long) && f != math.Trunc(f)) {
			c.add(path, 0, "want %s, got %s", s.Type, n)
			return
		}
		if s.Min.Set && f < s.Min.Value && !c.allowed(s, MinValue) {
			c.add(path, MinValue, "%s is below %v", n, s.Min.Value)
		}
		if s.Max.Set && f > s.Max.Value && !c.allowed(s, MaxValue) {
			c.add(path, MaxValue, "%s is above %v", n, s.Max.Value)
		}
	case Timestamp:
		switch format {
		case ISO8601:
			str, ok := v.(string)
			if !ok || !iso8601Pattern.MatchString(str) {
				c.add(path, 0, "want an ISO 8601 timestamp, got %v", v)
			}
		case HTTPDate:
			if _, ok := v.(string); !ok {
				c.add(path, 0, "want an HTTP date, got %v", v)
			}
		default:
			if _, ok := v.(json.Number); !ok {
				c.add(path, 0, "want epoch seconds (a number), got %v", v)
			}
		}
	case Blob:
		if _, ok := v.(string); !ok {
			c.add(path, 0, "want base64 text, got %s", describe(v))
		}
	case List:
		arr, ok := v.([]any)
		if !ok {
			c.add(path, 0, "want an array, got %s", describe(v))
			return
		}
		c.length(s, len(arr), path)
		for i, e := range arr {
			c.value(s.Elem, e, path+"["+strconv.Itoa(i)+"]", format)
		}
	case Map:
		obj, ok := v.(map[string]any)
		if !ok {
			c.add(path, 0, "want an object, got %s", describe(v))
			return
		}
		c.length(s, len(obj), path)
		for _, k := range sortedKeys(obj) {
			if s.Key != nil {
				c.value(s.Key, k, path+"["+k+"]", format)
			}
			c.value(s.Elem, obj[k], path+"["+k+"]", format)
		}
	case Structure:
		obj, ok := v.(map[string]any)
		if !ok {
			c.add(path, 0, "want an object, got %s", describe(v))
			return
		}
		c.structure(s, obj, path, false)
	}
}

func (c *checker) length(s *Shape, n int, path string) {
	if s.Min.Set && float64(n) < s.Min.Value && !c.allowed(s, MinLength) {
		c.add(path, MinLength, "length %d is below %v (%s)", n, s.Min.Value, s.Name)
	}
	if s.Max.Set && float64(n) > s.Max.Value && !c.allowed(s, MaxLength) {
		c.add(path, MaxLength, "length %d is above %v (%s)", n, s.Max.Value, s.Name)
	}
}
