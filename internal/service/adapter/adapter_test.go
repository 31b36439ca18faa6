package adapter

import (
	"errors"
	"fmt"
	"strconv"
	"testing"

	"github.com/localsec/localsec/internal/fidelity"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/model"
)

func TestPage(t *testing.T) {
	if p := Page(nil, nil, 25); p.Limit != 25 || p.Token != "" {
		t.Errorf("no paging = %+v, want the default", p)
	}
	if p := Page(new(int32(7)), new("tok"), 25); p.Limit != 7 || p.Token != "tok" {
		t.Errorf("paging = %+v", p)
	}
}

func TestList(t *testing.T) {
	var asked membership.Page
	list := func(p membership.Page) ([]int, string, error) { asked = p; return []int{1, 2}, "next", nil }
	got, next, err := List(membership.Page{Limit: 2, Token: "t"}, list, strconv.Itoa)
	if err != nil || fmt.Sprint(got) != "[1 2]" || next == nil || *next != "next" || asked.Limit != 2 || asked.Token != "t" {
		t.Fatalf("List = %v %v %v (asked %+v)", got, next, err, asked)
	}
	// The last page: an empty, non-nil list and no token.
	got, next, err = List(membership.Page{}, func(membership.Page) ([]int, string, error) { return nil, "", nil }, strconv.Itoa)
	if err != nil || got == nil || len(got) != 0 || next != nil {
		t.Fatalf("last page = %#v %v %v", got, next, err)
	}
	boom := errors.New("boom")
	if _, _, err := List(membership.Page{}, func(membership.Page) ([]int, string, error) { return nil, "", boom }, strconv.Itoa); err != boom {
		t.Fatalf("error = %v", err)
	}
}

func TestRefusalAndUnprocessed(t *testing.T) {
	if Refusal(nil) != nil {
		t.Error("no refusal for no unprocessed account")
	}
	us := []membership.Unprocessed{{Account: "222222222222", Code: membership.CodeNotMember}, {Account: "333333333333", Code: membership.CodeSelfInvite}}
	if membership.ErrorCode(Refusal(us)) != membership.CodeNotMember {
		t.Errorf("Refusal = %v, want the first account's code", Refusal(us))
	}
	got := Unprocessed(us, func(c membership.Code) string { return "text of " + string(c) },
		func(account, msg string) string { return account + ": " + msg })
	if fmt.Sprint(got) != "[222222222222: text of NotMember 333333333333: text of SelfInvite]" {
		t.Errorf("Unprocessed = %v", got)
	}
	if got := Unprocessed(nil, nil, func(a, m string) string { return a }); got == nil {
		t.Error("Unprocessed(nil) is nil, want an empty list")
	}
}

func TestErrorsMap(t *testing.T) {
	e := Errors{
		Replies: map[membership.Code]fidelity.Reply{membership.CodeNotEnabled: {Exception: "AccessDeniedException", Message: "off"}},
		Input: func(in *model.InputError) *protocol.APIError {
			return &protocol.APIError{Type: "ValidationException", Status: 400, Message: in.Message}
		},
		Wire: func(exception, message string) *protocol.APIError {
			return &protocol.APIError{Type: exception, Status: 403, Message: message}
		},
	}
	if got := e.Map(fmt.Errorf("wrapped: %w", model.Refuse("x", "bad x"))); got == nil || got.Type != "ValidationException" || got.Message != "bad x" {
		t.Errorf("input error = %+v", got)
	}
	if got := e.Map(&membership.Error{Code: membership.CodeNotEnabled}); got == nil || got.Type != "AccessDeniedException" || got.Message != "off" {
		t.Errorf("engine refusal = %+v", got)
	}
	wire := &protocol.APIError{Type: "X", Status: 409}
	if got := e.Map(fmt.Errorf("w: %w", wire)); got != wire {
		t.Errorf("wire error = %+v", got)
	}
	if got := e.Map(&membership.Error{Code: membership.CodeSelfInvite}); got != nil {
		t.Errorf("a code without a reply = %+v, want nil", got)
	}
	if got := e.Map(errors.New("disk on fire")); got != nil {
		t.Errorf("an unknown error = %+v, want nil", got)
	}
	if e.Message(membership.CodeNotEnabled) != "off" {
		t.Error("Message")
	}
	if NonEmpty("") != nil || *NonEmpty("x") != "x" {
		t.Error("NonEmpty")
	}
}
