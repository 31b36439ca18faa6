package model_test

import (
	"reflect"
	"testing"

	"github.com/localsec/localsec/internal/protocol/model"
)

func TestViolationText(t *testing.T) {
	tests := []struct {
		v    model.Violation
		want string
	}{
		{model.Violation{Path: "id", Constraint: model.Required},
			"Value null at 'id' failed to satisfy constraint: Member must not be null"},
		// Required ignores a value: the member has none.
		{model.Violation{Path: "id", Constraint: model.Required, Value: "ignored"},
			"Value null at 'id' failed to satisfy constraint: Member must not be null"},
		{model.Violation{Path: "status", Constraint: model.Enum, Value: "X", Enum: []string{"A", "B", "C"}},
			"Value 'X' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [A, B, C]"},
		{model.Violation{Path: "name", Constraint: model.MinLength, Value: "", Limit: 1},
			"Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{model.Violation{Path: "name", Constraint: model.MaxLength, Value: "abcdef", Limit: 5},
			"Value 'abcdef' at 'name' failed to satisfy constraint: Member must have length less than or equal to 5"},
		{model.Violation{Path: "maxResults", Constraint: model.MinValue, Value: "0", Limit: 1},
			"Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{model.Violation{Path: "maxResults", Constraint: model.MaxValue, Value: "26", Limit: 25},
			"Value '26' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 25"},
		{model.Violation{Path: "ratio", Constraint: model.MaxValue, Value: "0.75", Limit: 0.5},
			"Value '0.75' at 'ratio' failed to satisfy constraint: Member must have value less than or equal to 0.5"},
		{model.Violation{Path: "big", Constraint: model.MaxValue, Value: "1e+21", Limit: 1e20},
			"Value '1e+21' at 'big' failed to satisfy constraint: Member must have value less than or equal to 100000000000000000000"},
		{model.Violation{Path: "big", Constraint: model.MinValue, Value: "-6", Limit: -5},
			"Value '-6' at 'big' failed to satisfy constraint: Member must have value greater than or equal to -5"},
		{model.Violation{Path: "tags[aws:x]", Constraint: model.PatternMatch, Value: "aws:x", Pattern: "(?!aws:)[a-z:]+"},
			"Value 'aws:x' at 'tags[aws:x]' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!aws:)[a-z:]+"},
		{model.Violation{Path: "accountIds", Constraint: model.Behaviour, Value: "51", Detail: "The list must contain between 1 and 50 account IDs."},
			"Value '51' at 'accountIds' failed to satisfy constraint: The list must contain between 1 and 50 account IDs."},
	}
	for _, tt := range tests {
		if got := tt.v.Text(); got != tt.want {
			t.Errorf("Text(%+v) =\n%q\nwant\n%q", tt.v, got, tt.want)
		}
	}
}

func TestViolationField(t *testing.T) {
	tests := []struct{ path, want string }{
		{"maxResults", "maxResults"},
		{"account.email", "account"},
		{"accountIds[3]", "accountIds"},
		{"tags[a.b]", "tags"},
		{"members[0].tags[k]", "members"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := (model.Violation{Path: tt.path}).Field(); got != tt.want {
			t.Errorf("Field(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestInputErrorAccessors(t *testing.T) {
	wrong := &model.InputError{Kind: model.WrongType, Path: "account.accountId", Message: "m"}
	if wrong.Field() != "account" {
		t.Errorf("Field() = %q, want account", wrong.Field())
	}
	if got := wrong.First(); !reflect.DeepEqual(got, model.Violation{Path: "account.accountId"}) {
		t.Errorf("First() = %+v, want the zero violation at the path", got)
	}
	if wrong.Error() != "m" {
		t.Errorf("Error() = %q", wrong.Error())
	}

	malformed := model.MalformedBody("The request body is not valid JSON.")
	if malformed.Kind != model.Malformed || malformed.Message != "The request body is not valid JSON." ||
		malformed.Path != "" || malformed.Field() != "" || len(malformed.Violations) != 0 {
		t.Errorf("MalformedBody = %+v", malformed)
	}

	large := model.BodyTooLarge(16)
	if large.Kind != model.TooLarge || large.Message != "The request body is larger than 16 bytes." {
		t.Errorf("BodyTooLarge(16) = %+v", large)
	}
	if got := model.BodyTooLarge(1 << 20).Message; got != "The request body is larger than 1048576 bytes." {
		t.Errorf("BodyTooLarge(1<<20).Message = %q", got)
	}

	missing := model.Missing("account.email")
	want := &model.InputError{Kind: model.Invalid, Violations: []model.Violation{{Path: "account.email", Constraint: model.Required}},
		Message: "1 validation error detected: Value null at 'account.email' failed to satisfy constraint: Member must not be null"}
	if !reflect.DeepEqual(missing, want) {
		t.Errorf("Missing = %+v, want %+v", missing, want)
	}
	if missing.Field() != "account" || missing.First().Path != "account.email" {
		t.Errorf("Missing: Field %q First %+v", missing.Field(), missing.First())
	}

	refused := model.Refuse("accountIds", "The list must contain between 1 and 50 account IDs.")
	want = &model.InputError{Kind: model.Invalid,
		Violations: []model.Violation{{Path: "accountIds", Constraint: model.Behaviour, Detail: "The list must contain between 1 and 50 account IDs."}},
		Message:    "The list must contain between 1 and 50 account IDs."}
	if !reflect.DeepEqual(refused, want) {
		t.Errorf("Refuse = %+v, want %+v", refused, want)
	}
	if refused.Error() != refused.Message || refused.Field() != "accountIds" {
		t.Errorf("Refuse: Error %q Field %q", refused.Error(), refused.Field())
	}
	if got := refused.First().Requirement(); got != "The list must contain between 1 and 50 account IDs." {
		t.Errorf("Requirement of a Behaviour violation = %q", got)
	}
}
