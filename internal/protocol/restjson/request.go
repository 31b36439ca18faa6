package restjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/localsec/localsec/internal/protocol"
)

// Request is a routed request: its path labels, query and body, read once.
type Request struct {
	HTTP   *http.Request
	Call   *protocol.Call
	params map[string]string
	query  url.Values
	body   []byte
	names  *nameCache
}

// Param returns the unescaped value of a path label.
func (r *Request) Param(name string) string { return r.params[name] }

// Query returns the request's query parameters.
func (r *Request) Query() url.Values { return r.query }

// Body returns the raw request body.
func (r *Request) Body() []byte { return r.body }

// Decode reads the JSON body into v, a pointer to a struct. An empty body
// (SDKs send none for operations without body members) leaves v as it is.
// Member names match exactly, as AWS's do: a member spelled in another
// case is an unknown member and is ignored (encoding/json alone would
// match it case-insensitively). Any problem is an *InputError.
func (r *Request) Decode(v any) error {
	body := bytes.TrimSpace(r.body)
	if len(body) == 0 {
		return nil
	}
	if body[0] != '{' {
		return &InputError{Kind: InputMalformed, Message: "The request body must be a JSON object."}
	}
	if keysExact(body, r.names.of(reflect.TypeOf(v))) {
		return decodeError(json.Unmarshal(body, v))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return &InputError{Kind: InputMalformed, Message: "The request body is not valid JSON."}
	}
	if _, err := dec.Token(); err != io.EOF {
		return &InputError{Kind: InputMalformed, Message: "The request body is not valid JSON."}
	}
	dropMiscased(generic, reflect.TypeOf(v))
	canonical, err := json.Marshal(generic)
	if err != nil {
		return &InputError{Kind: InputMalformed, Message: "The request body is not valid JSON."}
	}
	return decodeError(json.Unmarshal(canonical, v))
}

func decodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &typeErr):
		subject := "The request body"
		if typeErr.Field != "" {
			subject = "The value of " + typeErr.Field
		}
		return &InputError{
			Kind:    InputWrongType,
			Field:   typeErr.Field,
			Message: fmt.Sprintf("%s must be of type %s, not %s.", subject, jsonTypeName(typeErr.Type.Kind()), typeErr.Value),
		}
	default:
		return &InputError{Kind: InputMalformed, Message: "The request body is not valid JSON."}
	}
}

// dropMiscased removes, from a decoded JSON value, the object members whose
// names match a member of t only when case is ignored, recursing through
// structs, maps and slices.
func dropMiscased(v any, t reflect.Type) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return
		}
		fields := map[string]reflect.Type{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" || !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			fields[name] = f.Type
		}
		for k, val := range obj {
			if ft, ok := fields[k]; ok {
				dropMiscased(val, ft)
				continue
			}
			for name := range fields {
				if strings.EqualFold(name, k) {
					delete(obj, k)
					break
				}
			}
		}
	case reflect.Map:
		if obj, ok := v.(map[string]any); ok {
			for _, val := range obj {
				dropMiscased(val, t.Elem())
			}
		}
	case reflect.Slice, reflect.Array:
		if arr, ok := v.([]any); ok {
			for _, val := range arr {
				dropMiscased(val, t.Elem())
			}
		}
	}
}

func jsonTypeName(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	}
	return "object"
}

// QueryInt reads an integer query parameter; ok is false when it is absent.
func (r *Request) QueryInt(name string) (n int, ok bool, err error) {
	s, present := r.query[name]
	if !present || len(s) == 0 {
		return 0, false, nil
	}
	n, convErr := strconv.Atoi(s[0])
	if convErr != nil {
		return 0, true, &InputError{Kind: InputWrongType, Field: name, Message: fmt.Sprintf("The value of %s must be an integer.", name)}
	}
	return n, true, nil
}

// PageParams reads the paging query parameters of a list operation:
// nextToken, and maxResults, which must lie in 1..max and defaults to max.
func (r *Request) PageParams(max int) (token string, limit int, err error) {
	n, present, err := r.QueryInt("maxResults")
	if err != nil {
		return "", 0, err
	}
	limit = max
	if present {
		if n < 1 || n > max {
			return "", 0, OutOfRange("maxResults", 1, max)
		}
		limit = n
	}
	return r.query.Get("nextToken"), limit, nil
}

// InputErrorKind classifies what is wrong with a request's input.
type InputErrorKind int

// Kinds of input errors.
const (
	// InputMalformed: the body cannot be read as JSON.
	InputMalformed InputErrorKind = iota + 1
	// InputWrongType: a member has the wrong JSON type.
	InputWrongType
	// InputMissing: a required member is absent.
	InputMissing
	// InputInvalid: a member's value is not allowed (enum, pattern, length).
	InputInvalid
	// InputOutOfRange: a number is outside its bounds.
	InputOutOfRange
	// InputTooLarge: the body is over the size bound.
	InputTooLarge
)

// InputError is a request the protocol or an adapter's validation refuses
// before any state is touched. Message is a neutral description; each
// service adapter turns the error into its own exception.
type InputError struct {
	Kind    InputErrorKind
	Field   string
	Message string
}

func (e *InputError) Error() string { return e.Message }

// Missing returns the error for an absent required member.
func Missing(field string) *InputError {
	return &InputError{Kind: InputMissing, Field: field, Message: fmt.Sprintf("The %s member is required.", field)}
}

// Invalid returns the error for a value that is not allowed.
func Invalid(field, why string) *InputError {
	return &InputError{Kind: InputInvalid, Field: field, Message: fmt.Sprintf("The value of %s is not valid: %s", field, why)}
}

// OutOfRange returns the error for a number outside [min, max].
func OutOfRange(field string, min, max int) *InputError {
	return &InputError{Kind: InputOutOfRange, Field: field, Message: fmt.Sprintf("The value of %s must be between %d and %d.", field, min, max)}
}

// nameSet is every JSON member name of a type tree: exact names, and
// their lower-case forms. ok is false when two names differ only in case
// (the fast path cannot tell them apart).
type nameSet struct {
	exact, folded map[string]bool
	ok            bool
}

// nameCache keeps the nameSet of each input type a router decodes into,
// so that reflection runs once per type, not once per request. Each
// Router has its own: no state is shared between servers.
type nameCache struct {
	sets sync.Map // reflect.Type -> *nameSet
}

func (c *nameCache) of(t reflect.Type) *nameSet {
	if c == nil {
		return namesOf(t)
	}
	if ns, ok := c.sets.Load(t); ok {
		return ns.(*nameSet)
	}
	ns := namesOf(t)
	c.sets.Store(t, ns)
	return ns
}

func namesOf(t reflect.Type) *nameSet {
	ns := &nameSet{exact: map[string]bool{}, folded: map[string]bool{}, ok: true}
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" || !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			low := strings.ToLower(name)
			if ns.folded[low] && !ns.exact[name] {
				ns.ok = false
			}
			ns.exact[name], ns.folded[low] = true, true
			walk(f.Type)
		}
	}
	walk(t)
	return ns
}

// keysExact reports whether no object member name of body matches a name
// of ns only when case is ignored: then encoding/json decodes body as
// Decode means it to.
func keysExact(body []byte, ns *nameSet) bool {
	if !ns.ok {
		return false
	}
	for i := 0; i < len(body); i++ {
		if body[i] != '"' {
			continue
		}
		j, escaped := i+1, false
		for ; j < len(body) && body[j] != '"'; j++ {
			if body[j] == '\\' {
				escaped = true
				j++
			}
		}
		if j >= len(body) {
			return false
		}
		k := j + 1
		for k < len(body) && (body[k] == ' ' || body[k] == '\t' || body[k] == '\n' || body[k] == '\r') {
			k++
		}
		if k < len(body) && body[k] == ':' {
			if escaped {
				return false
			}
			if key := body[i+1 : j]; !ns.exact[string(key)] && ns.folded[strings.ToLower(string(key))] {
				return false
			}
		}
		i = j
	}
	return true
}
