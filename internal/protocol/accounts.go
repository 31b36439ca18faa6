package protocol

// Accounts maps access key ids to account ids.
type Accounts struct {
	// Default is the account of keys that map to nothing else.
	Default string
	// Keys maps access key ids to accounts, for keys that are not
	// themselves account ids.
	Keys map[string]string
}

// DefaultAccount is the account of unmapped keys when none is configured,
// as in LocalStack.
const DefaultAccount = "000000000000"

// Account returns the account an access key id stands for: a key of
// exactly 12 digits is the account id itself; a configured key maps to its
// account; any other key is the default account.
func (a Accounts) Account(accessKeyID string) string {
	if isAccountID(accessKeyID) {
		return accessKeyID
	}
	if acct, ok := a.Keys[accessKeyID]; ok {
		return acct
	}
	if a.Default != "" {
		return a.Default
	}
	return DefaultAccount
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Credential is what a verifying server knows of an access key: its
// secret and its account.
type Credential struct {
	SecretAccessKey string
	Account         string
}
