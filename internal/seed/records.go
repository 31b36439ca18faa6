package seed

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/localsec/localsec/internal/store"
)

// JSONValue is a record's value that is a JSON document, kept as compact
// JSON text; nil when the record has none. In a JSON document it is that
// document; in YAML, the same value, with mappings in their order and
// numbers with their digits.
type JSONValue []byte

// IsZero reports whether there is no value (omitted from documents).
func (v JSONValue) IsZero() bool { return v == nil }

// MarshalJSON writes the document.
func (v JSONValue) MarshalJSON() ([]byte, error) {
	if v == nil {
		return []byte("null"), nil
	}
	return v, nil
}

// UnmarshalJSON keeps the document, compacted.
func (v *JSONValue) UnmarshalJSON(b []byte) error {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return err
	}
	*v = append(JSONValue{}, buf.Bytes()...)
	return nil
}

// MarshalYAML writes the document as YAML nodes.
func (v JSONValue) MarshalYAML() (any, error) {
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	n, err := jsonNode(dec, 0)
	if err != nil {
		return nil, fmt.Errorf("value %q: %w", []byte(v), err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("value %q: more than one JSON document", []byte(v))
	}
	return n, nil
}

// UnmarshalYAML reads a record: by hand, so that `value: null` is the JSON
// document null (yaml.v3 does not give a null to an unmarshaler) and a
// misspelt field is an error as elsewhere in the document.
func (r *Record) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: a record is a mapping of kind, key, and value or base64", n.Line)
	}
	*r = Record{}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			return fmt.Errorf("line %d: field %s appears twice", k.Line, k.Value)
		}
		seen[k.Value] = true
		var err error
		switch k.Value {
		case "kind":
			err = v.Decode(&r.Kind)
		case "key":
			err = v.Decode(&r.Key)
		case "base64":
			err = v.Decode(&r.Base64)
		case "value":
			var buf bytes.Buffer
			budget := maxValueNodes
			if err := writeJSON(&buf, v, 0, &budget); err != nil {
				return err // with the line of the node at fault
			}
			r.Value = buf.Bytes()
		default:
			err = fmt.Errorf("field %s not found in type seed.Record", k.Value)
		}
		if err != nil {
			return fmt.Errorf("line %d: %w", v.Line, err)
		}
	}
	return nil
}

// Limits on a value read from YAML: nesting, and nodes written (aliases
// can make a small document a huge value).
const (
	maxValueDepth = 1000
	maxValueNodes = 1 << 20
)

// jsonNode reads one JSON value from dec as a YAML node.
func jsonNode(dec *json.Decoder, depth int) (*yaml.Node, error) {
	if depth > maxValueDepth {
		return nil, errors.New("nested too deep")
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		if t == '[' {
			n = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		}
		for dec.More() {
			if n.Kind == yaml.MappingNode {
				key, err := dec.Token()
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key.(string)})
			}
			child, err := jsonNode(dec, depth+1)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, child)
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
		return n, nil
	case string:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: t}, nil
	case json.Number:
		tag := "!!int"
		if strings.ContainsAny(string(t), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: string(t)}, nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(t)}, nil
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok)
}

// jsonNumber matches the numbers JSON writes, which are kept as written.
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)

// writeJSON writes a YAML node as compact JSON, strings escaped as Go's
// encoding/json escapes them (as the engines write their values).
func writeJSON(buf *bytes.Buffer, n *yaml.Node, depth int, budget *int) error {
	if *budget--; *budget < 0 {
		return fmt.Errorf("line %d: value too large", n.Line)
	}
	if depth > maxValueDepth {
		return fmt.Errorf("line %d: value nested too deep", n.Line)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			buf.WriteString("null")
			return nil
		}
		return writeJSON(buf, n.Content[0], depth+1, budget)
	case yaml.AliasNode:
		return writeJSON(buf, n.Alias, depth+1, budget)
	case yaml.MappingNode:
		buf.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.AliasNode {
				k = k.Alias
			}
			switch {
			case k.Kind != yaml.ScalarNode:
				return fmt.Errorf("line %d: a JSON object's keys are strings", k.Line)
			case k.ShortTag() == "!!merge":
				return fmt.Errorf("line %d: merge keys (<<) are not supported in a record's value", k.Line)
			}
			if i > 0 {
				buf.WriteByte(',')
			}
			key, _ := json.Marshal(k.Value)
			buf.Write(key)
			buf.WriteByte(':')
			if err := writeJSON(buf, v, depth+1, budget); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, v := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSON(buf, v, depth+1, budget); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	case yaml.ScalarNode:
		var b []byte
		var err error
		switch tag := n.ShortTag(); tag {
		case "!!str", "!!timestamp", "!!merge":
			// A plain << is a merge key only as a key: as a value it is
			// the string (yaml.v3 writes it unquoted).
			b, err = json.Marshal(n.Value)
		case "!!int", "!!float":
			if jsonNumber.MatchString(n.Value) {
				b = []byte(n.Value)
				break
			}
			var x any // 0x1F, 1_000, .inf…
			if err = n.Decode(&x); err == nil {
				b, err = json.Marshal(x)
			}
		case "!!bool":
			var x bool
			if err = n.Decode(&x); err == nil {
				b = []byte(strconv.FormatBool(x))
			}
		case "!!null":
			b = []byte("null")
		default:
			err = fmt.Errorf("a %s scalar is not JSON (use base64 for a value that is not)", tag)
		}
		if err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		buf.Write(b)
		return nil
	}
	return fmt.Errorf("line %d: not a JSON value", n.Line)
}

// recordBytes is the value a record of the document gives.
func recordBytes(r Record) ([]byte, error) {
	switch {
	case r.Value != nil && r.Base64 != "":
		return nil, errors.New("value and base64 both given: give one")
	case r.Value != nil:
		return append([]byte{}, r.Value...), nil
	case r.Base64 != "":
		b, err := base64.StdEncoding.DecodeString(r.Base64)
		if err != nil {
			return nil, fmt.Errorf("base64: %w", err)
		}
		return b, nil
	}
	return []byte{}, nil
}

// documentRecord writes a store record for the document: its value as
// JSON when reading the document back, JSON or YAML, gives the same
// bytes; otherwise in base64.
func documentRecord(r store.Record) Record {
	out := Record{Kind: r.Kind, Key: r.Key, Value: JSONValue(r.Value)}
	if len(r.Value) > 0 && json.Valid(r.Value) && readsBack(out) {
		out.Value = append(JSONValue{}, r.Value...)
		return out
	}
	out.Value = nil
	if len(r.Value) > 0 {
		out.Base64 = base64.StdEncoding.EncodeToString(r.Value)
	}
	return out
}

// readsBack reports whether a document holding r reads back r's value
// unchanged, written as JSON and as YAML.
func readsBack(r Record) bool {
	doc := Document{Version: Version, Records: []Record{r}}
	for _, format := range []string{"json", "yaml"} {
		var out []byte
		var err error
		if format == "json" {
			out, err = doc.JSON()
		} else {
			out, err = doc.YAML()
		}
		if err != nil {
			return false
		}
		back, err := Parse(out, "record."+format)
		if err != nil || len(back.Records) != 1 || back.Records[0].Value == nil || !bytes.Equal(back.Records[0].Value, r.Value) {
			return false
		}
	}
	return true
}
