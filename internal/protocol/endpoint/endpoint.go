// Package endpoint is what every protocol layer (restjson, awsjson,
// awsquery) does around its own routing and binding: read the body within
// its bound, run the operation's handler with a recover, turn its error
// into the service's wire error, and write JSON bodies and errors the way
// the service does. It knows nothing of any one service.
package endpoint

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sort"
	"strconv"

	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/jsontree"
	"github.com/localsec/localsec/internal/protocol/model"
)

// DefaultMaxBodyBytes bounds request bodies when a Config sets no bound.
const DefaultMaxBodyBytes = 1 << 20

// ErrorBody says which members a service's JSON error bodies carry.
type ErrorBody struct {
	// Message is the member that holds the message: "message" (Macie,
	// GuardDuty) or "Message" (Security Hub, Organizations).
	Message string
	// Code lists the members that repeat the exception name: "Code"
	// (Security Hub), "__type" (Organizations). APIError.Fields may
	// replace them.
	Code []string
}

// Config is what a service gives its protocol layer besides its model and
// handlers.
type Config struct {
	// Errors maps an error of a handler, or the *model.InputError of a
	// request the model refuses, to the service's wire error; nil means
	// "not an error I know", which is logged and answered with Internal.
	Errors func(error) *protocol.APIError
	// Internal is the answer to a panic or an unknown error.
	Internal *protocol.APIError
	// ErrorBody is the form of the service's JSON error bodies.
	ErrorBody ErrorBody
	// Logger receives panics and unknown errors; nil discards them.
	Logger *slog.Logger
	// MaxBodyBytes bounds request bodies; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
}

// ReadBody reads the whole request body within the bound. A body over it
// is a *model.InputError of kind TooLarge; one that cannot be read, of
// kind Malformed.
func (c *Config) ReadBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	limit := c.MaxBodyBytes
	if limit <= 0 {
		limit = DefaultMaxBodyBytes
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, model.BodyTooLarge(limit)
		}
		return nil, model.MalformedBody("The request body could not be read.")
	}
	return body, nil
}

// ParseObject reads a JSON body that must be one object. An empty body
// (SDKs send none for operations without body members) is an empty
// object.
func ParseObject(body []byte) (map[string]any, error) {
	body = trimJSONSpace(body)
	if len(body) == 0 {
		return map[string]any{}, nil
	}
	if body[0] != '{' {
		return nil, model.MalformedBody("The request body must be a JSON object.")
	}
	obj, err := jsontree.ParseObject(body)
	if err != nil {
		return nil, model.MalformedBody("The request body is not valid JSON.")
	}
	return obj, nil
}

// trimJSONSpace trims JSON's whitespace (space, tab, newline, carriage
// return) and no other, so that a body is judged as encoding/json would.
func trimJSONSpace(b []byte) []byte {
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// Invoke runs h, turning a panic into an error that Fail answers with
// Internal.
func (c *Config) Invoke(h model.Handler, r *http.Request, call *protocol.Call, in any) (out any, err error) {
	defer func() {
		if p := recover(); p != nil {
			c.logger().Error("handler panic", "request_id", call.RequestID, "service", call.Service,
				"operation", call.Operation, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			out, err = nil, errPanic
		}
	}()
	return h(r.Context(), call, in)
}

var errPanic = errors.New("the handler panicked")

// Wire returns the wire error of err: the service's mapping, or Internal
// (logged) for an error the mapping does not know.
func (c *Config) Wire(call *protocol.Call, err error) *protocol.APIError {
	var e *protocol.APIError
	if c.Errors != nil && !errors.Is(err, errPanic) {
		e = c.Errors(err)
	}
	if e == nil {
		if !errors.Is(err, errPanic) {
			c.logger().Error("unmapped error", "request_id", call.RequestID, "service", call.Service,
				"operation", call.Operation, "error", err.Error())
		}
		e = c.Internal
	}
	if e == nil {
		e = &protocol.APIError{Type: "InternalFailure", Status: http.StatusInternalServerError,
			Message: "The request processing has failed because of an unknown error."}
	}
	return e
}

func (c *Config) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// WriteJSONError writes e as a JSON error of the form eb, with
// contentType: the X-Amzn-ErrorType header, then a body holding the
// message first and the other members sorted, so that error bodies are
// byte-stable.
func WriteJSONError(w http.ResponseWriter, e *protocol.APIError, eb ErrorBody, contentType string) {
	msgKey := eb.Message
	if msgKey == "" {
		msgKey = "message"
	}
	members := make(map[string]string, len(eb.Code)+len(e.Fields))
	for _, k := range eb.Code {
		members[k] = e.Type
	}
	for k, v := range e.Fields {
		members[k] = v
	}
	delete(members, msgKey)
	keys := make([]string, 0, len(members))
	for k := range members {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b := make([]byte, 0, 64+len(e.Message))
	b = append(b, '{')
	b = model.AppendString(b, msgKey)
	b = append(b, ':')
	b = model.AppendString(b, e.Message)
	for _, k := range keys {
		b = append(b, ',')
		b = model.AppendString(b, k)
		b = append(b, ':')
		b = model.AppendString(b, members[k])
	}
	b = append(b, '}')
	w.Header().Set("X-Amzn-ErrorType", e.Type)
	WriteBody(w, e.Status, contentType, b)
}

// WriteBody writes b with status and contentType.
func WriteBody(w http.ResponseWriter, status int, contentType string, b []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
