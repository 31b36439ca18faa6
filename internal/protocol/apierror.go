package protocol

// APIError is an error as it goes on the wire: the exception name (sent in
// X-Amzn-ErrorType and, as the service does, in the body), the HTTP status
// and the message. Each protocol layer writes it in its service's form.
type APIError struct {
	// Type is the exception name.
	Type string
	// Status is the HTTP status.
	Status int
	// Message is the human-readable text.
	Message string
	// Fields are further body members, or members that replace those the
	// service's error form fills from Type (GuardDuty's "__type"
	// InvalidInputException under the BadRequestException header;
	// Organizations' "Reason").
	Fields map[string]string
}

func (e *APIError) Error() string { return e.Type + ": " + e.Message }
