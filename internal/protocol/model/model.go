// Package model holds the official AWS API models as Go values: a
// service's operations with their HTTP bindings, its shapes with their
// constraints, its errors with their statuses. The packages under
// internal/api are generated from botocore's service-2.json files and build
// these values; the protocol layers (restjson, awsjson, awsquery) read them
// to route, bind, validate and encode, so that no service adapter states
// its wire contract a second time.
//
// The package also binds generic input values (a decoded JSON tree, or the
// text of a URI label, query parameter, header or form field) to the
// generated Go structs, checking every constraint of the model on the way,
// and encodes generated output structs as JSON.
package model

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/localsec/localsec/internal/protocol"
)

// Type is a shape's type, as the model names it.
type Type uint8

// The shape types localsec serves.
const (
	Structure Type = iota + 1
	List
	Map
	String
	Boolean
	Integer
	Long
	Float
	Double
	Timestamp
	Blob
)

var typeNames = [...]string{Structure: "structure", List: "list", Map: "map", String: "string",
	Boolean: "boolean", Integer: "integer", Long: "long", Float: "float", Double: "double",
	Timestamp: "timestamp", Blob: "blob"}

func (t Type) String() string {
	if int(t) < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return "unknown"
}

// Location is where a member travels in an HTTP request or response.
type Location uint8

// Member locations.
const (
	Body Location = iota
	URI
	QueryString
	Header
	StatusCode
)

func (l Location) String() string {
	switch l {
	case URI:
		return "uri"
	case QueryString:
		return "querystring"
	case Header:
		return "header"
	case StatusCode:
		return "statusCode"
	}
	return "body"
}

// TimestampFormat is how a timestamp is written on the wire.
type TimestampFormat uint8

// Timestamp formats. Default means the protocol's default: epoch seconds
// in JSON bodies, ISO 8601 in query and XML documents and URIs, an HTTP
// date in headers.
const (
	DefaultFormat TimestampFormat = iota
	ISO8601
	UnixTimestamp
	HTTPDate
)

// Bound is an optional minimum or maximum: a length for strings, lists,
// maps and blobs, a value for numbers.
type Bound struct {
	Set   bool
	Value float64
}

// Limit returns a set Bound.
func Limit(v float64) Bound { return Bound{Set: true, Value: v} }

// Shape is one shape of a model.
type Shape struct {
	Name string
	Type Type
	// Members are a structure's members, in the order of the generated Go
	// struct's fields: Members[i] is field i.
	Members []Member
	// Elem is a list's element or a map's value.
	Elem *Shape
	// Key is a map's key.
	Key *Shape
	// ElemName is the XML and query name of a list's elements ("member"
	// unless the model names it); KeyName and ValueName those of a map's
	// entries.
	ElemName, KeyName, ValueName string
	// Flattened lists and maps have no wrapping element in XML and query.
	Flattened bool
	Enum      []string
	Min, Max  Bound
	Pattern   *Pattern
	// TimestampFormat is the shape's own format, DefaultFormat if none.
	TimestampFormat TimestampFormat
	// Error describes an exception shape; nil for others.
	Error *ErrorInfo
}

// Member is a member of a structure.
type Member struct {
	// Name is the model's member name; the Go field is its exported form.
	Name  string
	Shape *Shape
	// Required: the model lists the member as required.
	Required bool
	Location Location
	// WireName is the member's name where it travels: its JSON or XML
	// name, URI label, query parameter or header name.
	WireName        string
	TimestampFormat TimestampFormat
	// IdempotencyToken: SDKs fill the member with a fresh token.
	IdempotencyToken bool
	Flattened        bool
}

// Format returns the timestamp format of the member: its own, its shape's,
// or def.
func (m *Member) Format(def TimestampFormat) TimestampFormat {
	switch {
	case m.TimestampFormat != DefaultFormat:
		return m.TimestampFormat
	case m.Shape.TimestampFormat != DefaultFormat:
		return m.Shape.TimestampFormat
	}
	return def
}

// Member returns the member named name (the model's name), or nil.
func (s *Shape) Member(name string) *Member {
	for i := range s.Members {
		if s.Members[i].Name == name {
			return &s.Members[i]
		}
	}
	return nil
}

// ErrorInfo describes an exception shape.
type ErrorInfo struct {
	// Status is the HTTP status the model gives the exception (400 when
	// it gives none and the fault is the sender's, 500 for the server's).
	Status int
	// Code is the error code on the wire when the model names one that
	// differs from the shape's name (awsQuery services).
	Code string
	// Sender: the fault is the caller's (senderFault, or not a server
	// fault).
	Sender bool
}

// Operation is one operation of a service.
type Operation struct {
	Name string
	// Method and URI are the HTTP binding: a URI pattern with {label} and
	// {label+} segments, as in the model.
	Method, URI string
	// Status is the success status.
	Status int
	// Input and Output are the operation's shapes; nil when it has none.
	Input, Output *Shape
	// ResultWrapper is the element that wraps a query service's output.
	ResultWrapper string
	// Errors are the exception shapes the model lists for the operation.
	Errors []*Shape
	// NewInput returns a pointer to a new zero value of Input's Go struct
	// (a pointer to an empty struct when the operation has no input).
	NewInput func() any
	// Served: localsec implements the operation. An operation that is
	// not served is known by name and route only, so that a request for
	// it gets a clear answer instead of being mistaken for another.
	Served bool
}

// Protocol is a service's wire protocol.
type Protocol string

// The protocols localsec speaks.
const (
	RestJSON Protocol = "rest-json"
	JSON     Protocol = "json"
	Query    Protocol = "query"
)

// Service is a service's model.
type Service struct {
	// Name is the endpoint prefix (macie2, guardduty).
	Name        string
	SigningName string
	APIVersion  string
	Protocol    Protocol
	// TargetPrefix is the X-Amz-Target prefix of JSON services.
	TargetPrefix string
	// JSONVersion is the JSON protocol version ("1.1").
	JSONVersion string
	// XMLNamespace is the namespace of query services' XML answers.
	XMLNamespace string
	// Operations are every operation of the model: served ones with their
	// shapes, the others with their route only.
	Operations []*Operation
	// Errors are the exception shapes the served operations list.
	Errors map[string]*Shape
}

// Operation returns the operation named name, or nil.
func (s *Service) Operation(name string) *Operation {
	for _, op := range s.Operations {
		if op.Name == name {
			return op
		}
	}
	return nil
}

// Served returns the served operations, in model order.
func (s *Service) Served() []*Operation {
	var ops []*Operation
	for _, op := range s.Operations {
		if op.Served {
			ops = append(ops, op)
		}
	}
	return ops
}

// ServedNames returns the names of the served operations, in model order.
func (s *Service) ServedNames() []string {
	var names []string
	for _, op := range s.Served() {
		names = append(names, op.Name)
	}
	return names
}

// MissingHandler returns the name of a served operation that handlers
// has no handler for; "" when every one has one.
func (s *Service) MissingHandler(handlers map[string]Handler) string {
	for _, op := range s.Served() {
		if handlers[op.Name] == nil {
			return op.Name
		}
	}
	return ""
}

// ErrorStatus returns the HTTP status of the exception named name: the
// model's, or 500 when the model has no such exception (a programming
// error in an adapter, which tests catch).
func (s *Service) ErrorStatus(name string) int {
	if e, ok := s.Errors[name]; ok && e.Error != nil {
		return e.Error.Status
	}
	return 500
}

// Handler serves one operation: in is the bound, validated input (a
// pointer to the operation's generated input struct); the result is a
// pointer to its generated output struct (nil for an empty output) or an
// error for the service's error mapping.
type Handler func(ctx context.Context, call *protocol.Call, in any) (any, error)

// Pattern is a model pattern as Go's regexp can hold it. AWS matches a
// pattern against the whole value, so the expression is anchored. A
// leading negative lookahead of a literal, which Go's regexp cannot
// express, is kept apart as a prefix the value must not have.
type Pattern struct {
	// Source is the model's pattern.
	Source string
	// NotPrefix is a prefix the value must not start with.
	NotPrefix string
	re        interface{ MatchString(string) bool }
}

// NewPattern returns a pattern matching with re (an anchored Go regexp)
// after checking notPrefix.
func NewPattern(source, notPrefix string, re interface{ MatchString(string) bool }) *Pattern {
	return &Pattern{Source: source, NotPrefix: notPrefix, re: re}
}

// Match reports whether s matches the whole pattern.
func (p *Pattern) Match(s string) bool {
	if p.NotPrefix != "" && strings.HasPrefix(s, p.NotPrefix) {
		return false
	}
	return p.re == nil || p.re.MatchString(s)
}

// length is the length of a string as AWS counts it: in characters
// (Unicode code points), not bytes.
func length(s string) int { return utf8.RuneCountInString(s) }
