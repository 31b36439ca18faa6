// Package adapter holds what every membership service adapter does the
// same way, written once: who calls, paging, the single account of a batch
// refusal, the per-account lists of unprocessed accounts, and the mapping
// of engine refusals to a service's exceptions through its message table.
// The service packages keep what is their own: their message tables, the
// form of their errors, and the meaning of their members.
package adapter

import (
	"errors"

	"github.com/localsec/localsec/internal/fidelity"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/model"
)

// Caller returns the engine's view of who calls.
func Caller(call *protocol.Call) membership.Caller {
	return membership.Caller{Account: call.Account, Region: call.Region}
}

// Page returns the engine page of a list request: maxResults (already
// checked against the model's bounds; def when absent) and nextToken.
func Page(maxResults *int32, nextToken *string, def int) membership.Page {
	p := membership.Page{Limit: def}
	if maxResults != nil {
		p.Limit = int(*maxResults)
	}
	if nextToken != nil {
		p.Token = *nextToken
	}
	return p
}

// Refusal turns the single unprocessed account of a one-account engine
// call into the error that ends the request; nil when there is none.
func Refusal(us []membership.Unprocessed) error {
	if len(us) == 0 {
		return nil
	}
	return &membership.Error{Code: us[0].Code, Account: us[0].Account}
}

// Unprocessed turns engine refusals into a service's list of unprocessed
// accounts (never nil: services always send the member), with the text
// message gives each code.
func Unprocessed[T any](us []membership.Unprocessed, message func(membership.Code) string, entry func(account, message string) T) []T {
	out := make([]T, 0, len(us))
	for _, u := range us {
		out = append(out, entry(u.Account, message(u.Code)))
	}
	return out
}

// Errors maps errors to one service's wire errors.
type Errors struct {
	// Replies is the service's message table for engine refusals.
	Replies map[membership.Code]fidelity.Reply
	// Input answers a request the model or the adapter refuses.
	Input func(*model.InputError) *protocol.APIError
	// Wire builds the service's error of an exception and message (with
	// the status its model gives, and any members of the service's own).
	Wire func(exception, message string) *protocol.APIError
}

// Map returns the wire error of err: an input error, an engine refusal in
// the table, or an error that already is a wire error; nil for any other
// (the protocol layer then logs it and answers the internal error).
func (e Errors) Map(err error) *protocol.APIError {
	var in *model.InputError
	if errors.As(err, &in) {
		return e.Input(in)
	}
	if code := membership.ErrorCode(err); code != "" {
		if r, ok := e.Replies[code]; ok {
			return e.Wire(r.Exception, r.Message)
		}
	}
	var api *protocol.APIError
	if errors.As(err, &api) {
		return api
	}
	return nil
}

// Message returns the text of a code in the table.
func (e Errors) Message(code membership.Code) string { return e.Replies[code].Message }

// List runs one page of an engine listing and converts its items to the
// service's wire shape: the items (never nil, so that the member is always
// present) and the nextToken member (absent on the last page).
func List[T, W any](page membership.Page, list func(membership.Page) ([]T, string, error), convert func(T) W) ([]W, *string, error) {
	items, next, err := list(page)
	if err != nil {
		return nil, nil, err
	}
	out := make([]W, 0, len(items))
	for _, it := range items {
		out = append(out, convert(it))
	}
	return out, NonEmpty(next), nil
}

// NonEmpty is an optional string member: absent when empty.
func NonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
