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

	"github.com/localsec/localsec/internal/protocol"
)

// Request is a routed request: its path labels, query and body, read once.
type Request struct {
	HTTP   *http.Request
	Call   *protocol.Call
	params map[string]string
	query  url.Values
	body   []byte
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
	err = json.Unmarshal(canonical, v)
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
