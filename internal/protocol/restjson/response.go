// Package restjson speaks AWS's rest-json protocol on the server side:
// routing by method and escaped path, decoding bodies and query strings
// into Go values, and writing results and errors the way AWS SDKs read
// them. It knows nothing of membership or of any one service.
package restjson

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"time"
)

// APIError is an error as it goes on the wire.
type APIError struct {
	// Type is the exception name, sent in X-Amzn-ErrorType.
	Type string
	// Status is the HTTP status.
	Status int
	// Message goes in the body's "message".
	Message string
	// Fields are further body members (GuardDuty's "__type").
	Fields map[string]string
}

func (e *APIError) Error() string { return e.Type + ": " + e.Message }

// WriteError writes e as a rest-json error: X-Amzn-ErrorType header and a
// JSON body with "message". The request id header is set by the server.
func WriteError(w http.ResponseWriter, e *APIError) {
	body := make(map[string]string, len(e.Fields)+1)
	for k, v := range e.Fields {
		body[k] = v
	}
	body["message"] = e.Message
	h := w.Header()
	h.Set("X-Amzn-ErrorType", e.Type)
	writeBody(w, e.Status, orderedJSON(body))
}

// WriteJSON writes v as a JSON response with status.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	writeBody(w, status, b)
	return nil
}

func writeBody(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// orderedJSON encodes a flat string map with "message" first, then the other
// keys sorted, so that error bodies are byte-stable.
func orderedJSON(m map[string]string) []byte {
	keys := make([]string, 0, len(m))
	for k := range m {
		if k != "message" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	keys = append([]string{"message"}, keys...)
	b := []byte{'{'}
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		kb, _ := json.Marshal(k)
		vb, _ := json.Marshal(m[k])
		b = append(append(append(b, kb...), ':'), vb...)
	}
	return append(b, '}')
}

// Timestamp is a time written as ISO 8601 in UTC with milliseconds and a
// "Z", the form AWS uses for iso8601 timestamp members
// (2024-05-01T12:34:56.789Z). The zero time is never written: use a nil
// *Timestamp with omitempty for absent times.
type Timestamp time.Time

// TimestampFormat is the layout of Timestamp.
const TimestampFormat = "2006-01-02T15:04:05.000Z"

// NewTimestamp returns a pointer to t as a Timestamp, or nil for the zero time.
func NewTimestamp(t time.Time) *Timestamp {
	if t.IsZero() {
		return nil
	}
	ts := Timestamp(t)
	return &ts
}

// MarshalJSON writes the timestamp as an ISO 8601 string.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, len(TimestampFormat)+2)
	b = append(b, '"')
	b = time.Time(t).UTC().AppendFormat(b, TimestampFormat)
	return append(b, '"'), nil
}

// EpochTimestamp is a time written as epoch seconds, a JSON number: the
// rest-json default for timestamp members without a timestampFormat.
type EpochTimestamp time.Time

// MarshalJSON writes the timestamp as seconds since the epoch with
// millisecond precision.
func (t EpochTimestamp) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	return []byte(strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64)), nil
}
