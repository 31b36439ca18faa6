package protocol_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/localsec/localsec/internal/protocol"
)

func TestAccountsAccount(t *testing.T) {
	mapped := protocol.Accounts{Keys: map[string]string{
		"AKIAIOSFODNN7EXAMPLE": "222222222222",
		// A 12-digit key is the account itself even when the map says
		// otherwise: the map is only for keys that are not account ids.
		"333333333333": "444444444444",
	}}
	withDefault := protocol.Accounts{Default: "999999999999", Keys: map[string]string{"test": "555555555555"}}

	tests := []struct {
		name     string
		accounts protocol.Accounts
		key      string
		want     string
	}{
		{"12 digits is the account", protocol.Accounts{}, "111111111111", "111111111111"},
		{"12 zeros is the account", protocol.Accounts{}, "000000000000", "000000000000"},
		{"12 digits wins over default", withDefault, "123456789012", "123456789012"},
		{"12 digits wins over the map", mapped, "333333333333", "333333333333"},
		{"11 digits is not an account", protocol.Accounts{}, "11111111111", protocol.DefaultAccount},
		{"13 digits is not an account", protocol.Accounts{}, "1111111111111", protocol.DefaultAccount},
		{"letters are not an account", protocol.Accounts{}, "11111111111a", protocol.DefaultAccount},
		{"AKIA key unmapped", protocol.Accounts{}, "AKIAIOSFODNN7EXAMPLE", protocol.DefaultAccount},
		{"test key unmapped", protocol.Accounts{}, "test", protocol.DefaultAccount},
		{"empty key", protocol.Accounts{}, "", protocol.DefaultAccount},
		{"fullwidth digits are not digits", protocol.Accounts{}, "１１１１１１１１１１１１", protocol.DefaultAccount},
		{"12 digits with a space", protocol.Accounts{}, "11111111111 ", protocol.DefaultAccount},
		{"mapped key", mapped, "AKIAIOSFODNN7EXAMPLE", "222222222222"},
		{"map lookup is exact", mapped, "akiaiosfodnn7example", protocol.DefaultAccount},
		{"unmapped key with configured default", withDefault, "AKIAOTHER", "999999999999"},
		{"mapped key with configured default", withDefault, "test", "555555555555"},
		{"11 digits with configured default", withDefault, "12345678901", "999999999999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.accounts.Account(tt.key); got != tt.want {
				t.Errorf("Account(%q) = %q, want %q", tt.key, got, tt.want)
			}
		})
	}
}

func TestDefaultAccountIsLocalStacks(t *testing.T) {
	if protocol.DefaultAccount != "000000000000" {
		t.Errorf("DefaultAccount = %q, want 000000000000", protocol.DefaultAccount)
	}
}

func TestCallContext(t *testing.T) {
	if c := protocol.CallFrom(context.Background()); c != nil {
		t.Fatalf("CallFrom(empty context) = %+v, want nil", c)
	}
	c := &protocol.Call{RequestID: "r", Service: "macie2"}
	ctx := protocol.WithCall(context.Background(), c)
	if got := protocol.CallFrom(ctx); got != c {
		t.Fatalf("CallFrom = %p, want the same *Call %p", got, c)
	}
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestNewRequestID(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := protocol.NewRequestID()
		if !uuidV4.MatchString(id) {
			t.Fatalf("NewRequestID() = %q, not a version 4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("NewRequestID() repeated %q", id)
		}
		seen[id] = true
	}
}
