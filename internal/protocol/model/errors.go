package model

import (
	"fmt"
	"strconv"
	"strings"
)

// Kind classifies what is wrong with a request's input.
type Kind uint8

// Kinds of input errors.
const (
	// Malformed: the body cannot be read (not JSON, not a form).
	Malformed Kind = iota + 1
	// WrongType: a member's value has the wrong type (a string where the
	// model has a list, a number that is not an integer).
	WrongType
	// Invalid: one or more constraints of the model are not met; the
	// Violations say which.
	Invalid
	// TooLarge: the body is over the server's bound.
	TooLarge
)

// Constraint names the model constraint a value breaks.
type Constraint uint8

// Constraints.
const (
	Required Constraint = iota + 1
	Enum
	MinLength
	MaxLength
	MinValue
	MaxValue
	PatternMatch
	// Behaviour: a check of the service's own (a documented limit, a
	// relation between members), not of the model.
	Behaviour
)

// Violation is one broken constraint.
type Violation struct {
	// Path is the member's wire path: a top-level member's wire name
	// ("maxResults", "detectorId"), then ".name" for structure members,
	// "[i]" for list elements and "[key]" for map values.
	Path string
	// Location is where the top-level member travels.
	Location   Location
	Constraint Constraint
	// Value is the offending value as text ("" when absent), Limit the
	// bound, Pattern the pattern, Enum the allowed values.
	Value   string
	Limit   float64
	Pattern string
	Enum    []string
	// Detail replaces the constraint text for Behaviour violations.
	Detail string
}

// Field returns the wire name of the top-level member the violation is in.
func (v Violation) Field() string {
	if i := strings.IndexAny(v.Path, ".["); i >= 0 {
		return v.Path[:i]
	}
	return v.Path
}

// Text renders the violation in the form AWS's request validation uses:
// Value '26' at 'maxResults' failed to satisfy constraint: Member must have
// value less than or equal to 25.
func (v Violation) Text() string {
	value := "null"
	if v.Constraint != Required {
		value = "'" + v.Value + "'"
	}
	return "Value " + value + " at '" + v.Path + "' failed to satisfy constraint: " + v.Requirement()
}

// Requirement renders what the constraint asks for.
func (v Violation) Requirement() string {
	n := strconv.FormatFloat(v.Limit, 'f', -1, 64)
	switch v.Constraint {
	case Required:
		return "Member must not be null"
	case Enum:
		return "Member must satisfy enum value set: [" + strings.Join(v.Enum, ", ") + "]"
	case MinLength:
		return "Member must have length greater than or equal to " + n
	case MaxLength:
		return "Member must have length less than or equal to " + n
	case MinValue:
		return "Member must have value greater than or equal to " + n
	case MaxValue:
		return "Member must have value less than or equal to " + n
	case PatternMatch:
		return "Member must satisfy regular expression pattern: " + v.Pattern
	}
	return v.Detail
}

// InputError is a request whose input the model (or the service's own
// checks) refuses, before any state is read or written. Each service
// adapter turns it into its own exception and message.
type InputError struct {
	Kind Kind
	// Path is the member concerned for Malformed and WrongType errors
	// ("" for the whole body).
	Path string
	// Violations are the broken constraints of an Invalid error, in the
	// order of the model's members.
	Violations []Violation
	// Message is a neutral description.
	Message string
}

func (e *InputError) Error() string { return e.Message }

// Field returns the wire name of the top-level member concerned: the
// first violation's, or Path's.
func (e *InputError) Field() string {
	if len(e.Violations) > 0 {
		return e.Violations[0].Field()
	}
	return Violation{Path: e.Path}.Field()
}

// First returns the first violation; the zero Violation when there is none.
func (e *InputError) First() Violation {
	if len(e.Violations) > 0 {
		return e.Violations[0]
	}
	return Violation{Path: e.Path}
}

// invalid builds an Invalid error from violations, with the message AWS's
// request validation writes: "2 validation errors detected: …; …".
func invalid(vs []Violation) *InputError {
	texts := make([]string, len(vs))
	for i, v := range vs {
		texts[i] = v.Text()
	}
	noun := "errors"
	if len(vs) == 1 {
		noun = "error"
	}
	return &InputError{Kind: Invalid, Violations: vs,
		Message: fmt.Sprintf("%d validation %s detected: %s", len(vs), noun, strings.Join(texts, "; "))}
}

// Refuse returns an Invalid error for one check of a service's own: the
// member at path is refused because detail (a full sentence, such as "The
// list must contain between 1 and 50 account IDs.").
func Refuse(path, detail string) *InputError {
	e := invalid([]Violation{{Path: path, Constraint: Behaviour, Detail: detail}})
	e.Message = detail
	return e
}

// Missing returns an Invalid error for a required member the model does
// not mark as required but the service does.
func Missing(path string) *InputError {
	return invalid([]Violation{{Path: path, Constraint: Required}})
}

// MalformedBody returns the error for a body that cannot be read.
func MalformedBody(why string) *InputError {
	return &InputError{Kind: Malformed, Message: why}
}

// BodyTooLarge returns the error for a body over limit bytes.
func BodyTooLarge(limit int64) *InputError {
	return &InputError{Kind: TooLarge, Message: fmt.Sprintf("The request body is larger than %d bytes.", limit)}
}
