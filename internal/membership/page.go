package membership

import (
	"encoding/base64"
	"strings"
)

// Page asks for one page of a list.
type Page struct {
	// Token is the token a previous page returned; empty for the first.
	Token string
	// Limit is the page size; 0 means DefaultPageSize.
	Limit int
}

// DefaultPageSize is the page size when a Page gives none.
const DefaultPageSize = 25

func (p Page) limit() int {
	if p.Limit <= 0 {
		return DefaultPageSize
	}
	return p.Limit
}

// tokenVersion versions the token format, so that a token of an older
// format is refused instead of misread.
const tokenVersion = "ls1"

// The lists a token can resume: a token of one list is refused by another.
const (
	listMembers     = "members"
	listInvitations = "invitations"
	listOrgAdmins   = "orgadmins"
)

// encodeToken makes the opaque token that resumes list after key.
func encodeToken(list, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(tokenVersion + ":" + list + ":" + key))
}

// decodeToken returns the key a token of list resumes after; "" for no
// token. Anything the engine did not make for list is CodeInvalidNextToken.
func decodeToken(list, tok string) (string, error) {
	if tok == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return "", refuse(CodeInvalidNextToken)
	}
	key, ok := strings.CutPrefix(string(raw), tokenVersion+":"+list+":")
	if !ok || !IsAccountID(key) {
		return "", refuse(CodeInvalidNextToken)
	}
	return key, nil
}
