// Package sessions keeps the temporary credentials STS hands out when an
// account assumes a role: an ASIA… access key id, a secret and a session
// token that act as the role's account until they expire. Landing zones
// reach the accounts their organization created this way
// (OrganizationAccountAccessRole), so the roles localsec knows are those
// AWS Organizations made, trusting the management account that made them.
//
// Sessions are store records, so that every replica on one store knows
// them.
package sessions

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/localsec/localsec/internal/clock"
	"github.com/localsec/localsec/internal/ids"
	"github.com/localsec/localsec/internal/organizations"
	"github.com/localsec/localsec/internal/store"
)

// kindSession: key access key id → Session. Persisted: never rename.
const kindSession = "sessions.session"

// Durations of a session (the model's DurationSeconds bounds).
const (
	DefaultDuration = time.Hour
	MinDuration     = 15 * time.Minute
	MaxDuration     = 12 * time.Hour
)

// Session is one set of temporary credentials.
type Session struct {
	AccessKeyID string    `json:"accessKeyId"`
	Secret      string    `json:"secret"`
	Token       string    `json:"token"`
	Account     string    `json:"account"`
	RoleName    string    `json:"roleName"`
	RoleID      string    `json:"roleId"`
	SessionName string    `json:"sessionName"`
	Caller      string    `json:"caller"`
	Expires     time.Time `json:"expires"`
}

// Expired reports whether the session is over at now.
func (s Session) Expired(now time.Time) bool { return !now.Before(s.Expires) }

// Code names why the engine refused something.
type Code string

// Codes.
const (
	// CodeAccessDenied: the role does not exist or does not trust the
	// caller (STS answers both the same way).
	CodeAccessDenied Code = "AccessDenied"
	// CodeInvalidRoleArn: the role ARN is not an IAM role ARN.
	CodeInvalidRoleArn Code = "InvalidRoleArn"
)

// Error is a refusal.
type Error struct {
	Code Code
	// RoleArn is the role asked for.
	RoleArn string
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.RoleArn }

// Engine issues and finds sessions.
type Engine struct {
	store store.Store
	clock clock.Clock
	ids   ids.Generator
	orgs  *organizations.Engine
}

// New returns an engine over st; orgs knows the roles.
func New(st store.Store, orgs *organizations.Engine, c clock.Clock, g ids.Generator) *Engine {
	if c == nil {
		c = clock.Real{}
	}
	if g == nil {
		g = ids.Random{}
	}
	return &Engine{store: st, clock: c, ids: g, orgs: orgs}
}

// Now is the engine's time, to the second that expirations carry.
func (e *Engine) Now() time.Time { return e.clock.Now().UTC().Truncate(time.Second) }

// RoleOf reads arn:<partition>:iam::<account>:role/[<path>/]<name>.
func RoleOf(arn string) (account, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || parts[3] != "" || len(parts[4]) != 12 {
		return "", "", false
	}
	res, isRole := strings.CutPrefix(parts[5], "role/")
	if !isRole || res == "" || strings.HasSuffix(res, "/") {
		return "", "", false
	}
	return parts[4], res[strings.LastIndexByte(res, '/')+1:], true
}

// AssumeRole gives caller temporary credentials of the role roleArn, if
// the role exists and trusts caller.
func (e *Engine) AssumeRole(ctx context.Context, caller, roleArn, sessionName string, duration time.Duration) (Session, error) {
	account, name, ok := RoleOf(roleArn)
	if !ok {
		return Session{}, &Error{Code: CodeInvalidRoleArn, RoleArn: roleArn}
	}
	if duration <= 0 {
		duration = DefaultDuration
	}
	var out Session
	err := e.store.Update(ctx, func(tx store.Tx) error {
		trusted, exists, err := e.orgs.In(ctx, tx).Role(account, name)
		if err != nil {
			return err
		}
		if !exists || trusted != caller {
			return &Error{Code: CodeAccessDenied, RoleArn: roleArn}
		}
		out = Session{
			AccessKeyID: "ASIA" + e.token(16),
			Secret:      e.secret(),
			Token:       base64.StdEncoding.EncodeToString([]byte(e.ids.NewID() + e.ids.NewID() + e.ids.NewID())),
			Account:     account,
			RoleName:    name,
			RoleID:      RoleID(account, name),
			SessionName: sessionName,
			Caller:      caller,
			Expires:     e.Now().Add(duration),
		}
		b, err := json.Marshal(out)
		if err != nil {
			return err
		}
		return tx.PutRecord(ctx, store.Record{Kind: kindSession, Key: out.AccessKeyID, Value: b})
	})
	return out, err
}

// Lookup returns the session of an access key id; false when there is
// none.
func (e *Engine) Lookup(ctx context.Context, accessKeyID string) (Session, bool, error) {
	var out Session
	found := false
	err := e.store.View(ctx, func(tx store.Tx) error {
		r, err := tx.GetRecord(ctx, kindSession, accessKeyID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		return json.Unmarshal(r.Value, &out)
	})
	return out, found, err
}

// RoleID is the stable unique id of a role: AROA and 17 characters, as
// IAM's role ids look.
func RoleID(account, name string) string {
	sum := sha256.Sum256([]byte(account + "/" + name))
	return "AROA" + base32.StdEncoding.EncodeToString(sum[:])[:17]
}

// token returns n characters of [A-Z2-7] from fresh ids.
func (e *Engine) token(n int) string {
	sum := sha256.Sum256([]byte(e.ids.NewID()))
	return base32.StdEncoding.EncodeToString(sum[:])[:n]
}

// secret returns a 40-character secret access key.
func (e *Engine) secret() string {
	sum := sha256.Sum256([]byte(e.ids.NewID() + "secret"))
	return base64.StdEncoding.EncodeToString(sum[:])[:40]
}
