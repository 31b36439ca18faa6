package organizations

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Account is an account of an organization.
type Account struct {
	ID           string
	Name         string
	Email        string
	OrgID        string
	Management   string
	JoinedMethod string
	Joined       time.Time
	State        string
	// Path is the account's path from the organization down:
	// o-…/r-…/[ou-…/…]<id>/.
	Path string
}

// Parent and child types.
const (
	TypeRoot    = "ROOT"
	TypeOU      = "ORGANIZATIONAL_UNIT"
	TypeAccount = "ACCOUNT"
)

// Child is a child of a root or OU, or the parent of an account or OU.
type Child struct {
	ID   string
	Type string
}

// path returns the path of a parent: o-…/r-…/ou-…/…/ (with the trailing
// slash).
func (t *txn) path(o *orgRecord, parent string) (string, error) {
	var chain []string
	for id := parent; id != o.RootID; {
		chain = append(chain, id)
		var ou ouRecord
		ok, err := t.get(kindOU, id, &ou)
		if err != nil {
			return "", err
		}
		if !ok || len(chain) > MaxOUDepth+1 {
			break
		}
		id = ou.ParentID
	}
	slices.Reverse(chain)
	p := o.ID + "/" + o.RootID + "/"
	for _, id := range chain {
		p += id + "/"
	}
	return p, nil
}

func (t *txn) account(o *orgRecord, rec *accountRecord) (Account, error) {
	path, err := t.path(o, rec.ParentID)
	if err != nil {
		return Account{}, err
	}
	return Account{ID: rec.ID, Name: rec.Name, Email: rec.Email, OrgID: o.ID, Management: o.Management,
		JoinedMethod: rec.JoinedMethod, Joined: rec.Joined, State: rec.State, Path: path + rec.ID + "/"}, nil
}

// accounts reads the records of ids and returns them as accounts.
func (t *txn) accounts(o *orgRecord, ids []string) ([]Account, error) {
	out := make([]Account, 0, len(ids))
	for _, id := range ids {
		var rec accountRecord
		if ok, err := t.get(kindAccount, id, &rec); err != nil {
			return nil, err
		} else if !ok {
			continue
		}
		a, err := t.account(o, &rec)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// ListAccounts lists every account of the caller's organization, the
// management account included, ordered by account id.
func (e *Engine) ListAccounts(ctx context.Context, caller string, p Page) ([]Account, string, error) {
	var out []Account
	var next string
	err := e.view(ctx, func(t *txn) error {
		c, err := t.reader(caller)
		if err != nil {
			return err
		}
		ids, tok, err := t.paged(kindOrgAccount, c.org.ID, "accounts", p)
		if err != nil {
			return err
		}
		next = tok
		out, err = t.accounts(c.org, ids)
		return err
	})
	return out, next, err
}

// parentExists reports whether id is the root or an OU of o.
func (t *txn) parentExists(o *orgRecord, id string) (bool, error) {
	if id == o.RootID {
		return true, nil
	}
	var ou ouRecord
	ok, err := t.get(kindOU, id, &ou)
	return ok && ou.OrgID == o.ID, err
}

// ListAccountsForParent lists the accounts directly in a root or OU.
func (e *Engine) ListAccountsForParent(ctx context.Context, caller, parent string, p Page) ([]Account, string, error) {
	var out []Account
	var next string
	err := e.view(ctx, func(t *txn) error {
		c, err := t.reader(caller)
		if err != nil {
			return err
		}
		if ok, err := t.parentExists(c.org, parent); err != nil {
			return err
		} else if !ok {
			return refuse(CodeParentNotFound)
		}
		ids, tok, err := t.paged(kindParentAccount, parent, "accounts-for-parent:"+parent, p)
		if err != nil {
			return err
		}
		next = tok
		out, err = t.accounts(c.org, ids)
		return err
	})
	return out, next, err
}

// memberRecord returns the record of an account of o; AccountNotFound
// when it is not one.
func (t *txn) memberRecord(o *orgRecord, account string) (accountRecord, error) {
	var rec accountRecord
	ok, err := t.get(kindAccount, account, &rec)
	if err != nil {
		return rec, err
	}
	if !ok || rec.OrgID != o.ID {
		return rec, &Error{Code: CodeAccountNotFound, Detail: account}
	}
	return rec, nil
}

// DescribeAccount returns an account of the caller's organization.
func (e *Engine) DescribeAccount(ctx context.Context, caller, account string) (Account, error) {
	var out Account
	err := e.view(ctx, func(t *txn) error {
		c, err := t.reader(caller)
		if err != nil {
			return err
		}
		rec, err := t.memberRecord(c.org, account)
		if err != nil {
			return err
		}
		out, err = t.account(c.org, &rec)
		return err
	})
	return out, err
}

// CreateAccount request states and failure reasons.
const (
	CreateInProgress = "IN_PROGRESS"
	CreateSucceeded  = "SUCCEEDED"
	CreateFailed     = "FAILED"

	FailureEmailAlreadyExists   = "EMAIL_ALREADY_EXISTS"
	FailureAccountLimitExceeded = "ACCOUNT_LIMIT_EXCEEDED"
)

// CreateAccountStatus is a CreateAccount request and its outcome.
type CreateAccountStatus struct {
	ID            string
	AccountName   string
	State         string
	Requested     time.Time
	Completed     time.Time
	AccountID     string
	FailureReason string
}

func statusOf(r *createRecord) CreateAccountStatus {
	return CreateAccountStatus{ID: r.ID, AccountName: r.AccountName, State: r.State, Requested: r.Requested,
		Completed: r.Completed, AccountID: r.AccountID, FailureReason: r.FailureReason}
}

// NewAccount is what CreateAccount asks for.
type NewAccount struct {
	Name     string
	Email    string
	RoleName string
	Tags     []Tag
}

// CreateAccount creates an account in the root of the caller's
// organization. The account exists at once; the request answers
// IN_PROGRESS, as AWS's asynchronous creation does, and every later read
// says SUCCEEDED: Terraform's waiter reads at once and then every 10 s, so
// one IN_PROGRESS read would cost each created account 10 s (spec §6.4,
// [I]). A request that
// cannot succeed (an email in use, the account quota) is FAILED with its
// reason, not refused.
func (e *Engine) CreateAccount(ctx context.Context, caller string, in NewAccount) (CreateAccountStatus, error) {
	if in.RoleName == "" {
		in.RoleName = DefaultRoleName
	}
	if strings.HasPrefix(in.RoleName, "AWSServiceRoleFor") {
		return CreateAccountStatus{}, refuseWhy(CodeInvalidInput, ReasonInvalidRoleName)
	}
	if err := checkTags(in.Tags); err != nil {
		return CreateAccountStatus{}, err
	}
	var out CreateAccountStatus
	err := e.update(ctx, func(t *txn) error {
		c, err := t.manager(caller)
		if err != nil {
			return err
		}
		o := c.org
		r := createRecord{ID: "car-" + e.newID(32), OrgID: o.ID, AccountName: in.Name, State: CreateSucceeded,
			Requested: t.now, Completed: t.now}
		var taken string
		if ok, err := t.get(kindEmail, strings.ToLower(in.Email), &taken); err != nil {
			return err
		} else if ok {
			r.State, r.FailureReason, r.Completed = CreateFailed, FailureEmailAlreadyExists, t.now
		}
		if r.State == CreateSucceeded {
			if full, err := t.full(o); err != nil {
				return err
			} else if full {
				r.State, r.FailureReason = CreateFailed, FailureAccountLimitExceeded
			}
		}
		if r.State == CreateSucceeded {
			id, err := t.freeAccountID()
			if err != nil {
				return err
			}
			rec := accountRecord{ID: id, Name: in.Name, Email: in.Email, OrgID: o.ID, ParentID: o.RootID,
				JoinedMethod: JoinedCreated, Joined: t.now, State: StateActive, RoleName: in.RoleName, CreatedBy: caller}
			if err := t.put(kindAccount, id, rec); err != nil {
				return err
			}
			if err := t.put(kindEmail, strings.ToLower(in.Email), id); err != nil {
				return err
			}
			if err := t.joinIndexes(&rec); err != nil {
				return err
			}
			if len(in.Tags) > 0 {
				if err := t.put(kindTags, id, tagsRecord{Tags: sortedTags(in.Tags)}); err != nil {
					return err
				}
			}
			r.AccountID = id
			org, err := t.organization(o)
			if err != nil {
				return err
			}
			for _, l := range e.listeners {
				if err := l.AccountJoined(t.ctx, t.tx, org, id); err != nil {
					return err
				}
			}
		}
		if err := t.put(kindCreateStatus, r.ID, r); err != nil {
			return err
		}
		if err := t.index(kindOrgCreateStatus, o.ID, r.ID); err != nil {
			return err
		}
		out = CreateAccountStatus{ID: r.ID, AccountName: r.AccountName, State: CreateInProgress, Requested: r.Requested}
		return nil
	})
	return out, err
}

// freeAccountID draws account ids until one the engine does not know.
func (t *txn) freeAccountID() (string, error) {
	for {
		id := t.e.newAccountID()
		if ok, err := t.get(kindAccount, id, &accountRecord{}); err != nil || !ok {
			return id, err
		}
	}
}

// full reports whether o has as many accounts, open invitations
// included, as the quota allows.
func (t *txn) full(o *orgRecord) (bool, error) {
	accounts, err := t.indexed(kindOrgAccount, o.ID, "", t.e.quota+1)
	if err != nil {
		return false, err
	}
	n := len(accounts)
	if n >= t.e.quota {
		return true, nil
	}
	hs, err := t.indexed(kindOrgHandshake, o.ID, "", 0)
	if err != nil {
		return false, err
	}
	for _, id := range hs {
		var h handshakeRecord
		if ok, err := t.get(kindHandshake, id, &h); err != nil {
			return false, err
		} else if ok && t.state(&h) == HandshakeOpen {
			n++
		}
	}
	return n >= t.e.quota, nil
}

// DescribeCreateAccountStatus returns a CreateAccount request of the
// caller's organization.
func (e *Engine) DescribeCreateAccountStatus(ctx context.Context, caller, id string) (CreateAccountStatus, error) {
	var out CreateAccountStatus
	err := e.view(ctx, func(t *txn) error {
		c, err := t.reader(caller)
		if err != nil {
			return err
		}
		var r createRecord
		if ok, err := t.get(kindCreateStatus, id, &r); err != nil {
			return err
		} else if !ok || r.OrgID != c.org.ID {
			return refuse(CodeCreateAccountNotFound)
		}
		out = statusOf(&r)
		return nil
	})
	return out, err
}

// ListCreateAccountStatus lists the CreateAccount requests of the
// caller's organization, those in one of states when states is not empty.
func (e *Engine) ListCreateAccountStatus(ctx context.Context, caller string, states []string, p Page) ([]CreateAccountStatus, string, error) {
	var out []CreateAccountStatus
	var next string
	err := e.view(ctx, func(t *txn) error {
		c, err := t.reader(caller)
		if err != nil {
			return err
		}
		after, err := decodeToken("create-account-status", p.Token)
		if err != nil {
			return err
		}
		ids, err := t.indexed(kindOrgCreateStatus, c.org.ID, after, 0)
		if err != nil {
			return err
		}
		for _, id := range ids {
			var r createRecord
			if ok, err := t.get(kindCreateStatus, id, &r); err != nil {
				return err
			} else if !ok {
				continue
			}
			s := statusOf(&r)
			if len(states) > 0 && !slices.Contains(states, s.State) {
				continue
			}
			if len(out) == p.limit() {
				next = encodeToken("create-account-status", out[len(out)-1].ID)
				break
			}
			out = append(out, s)
		}
		return nil
	})
	return out, next, err
}

// CloseAccount closes an account of the caller's organization: CLOSED at
// once, where AWS passes through PENDING_CLOSURE (spec §6.9).
func (e *Engine) CloseAccount(ctx context.Context, caller, account string) error {
	return e.update(ctx, func(t *txn) error {
		c, err := t.manager(caller)
		if err != nil {
			return err
		}
		rec, err := t.memberRecord(c.org, account)
		if err != nil {
			return err
		}
		if rec.State == StateClosed {
			return refuse(CodeAccountAlreadyClosed)
		}
		if rec.ID == c.org.Management {
			return refuseWhy(CodeConstraintViolation, "CANNOT_CLOSE_MANAGEMENT_ACCOUNT")
		}
		rec.State = StateClosed
		return t.put(kindAccount, rec.ID, rec)
	})
}

// MoveAccount moves an account from its parent to another root or OU.
func (e *Engine) MoveAccount(ctx context.Context, caller, account, source, destination string) error {
	return e.update(ctx, func(t *txn) error {
		c, err := t.manager(caller)
		if err != nil {
			return err
		}
		o := c.org
		rec, err := t.memberRecord(o, account)
		if err != nil {
			return err
		}
		if ok, err := t.parentExists(o, source); err != nil {
			return err
		} else if !ok {
			return refuse(CodeSourceParentNotFound)
		}
		if ok, err := t.parentExists(o, destination); err != nil {
			return err
		} else if !ok {
			return refuse(CodeDestinationParentNotFound)
		}
		if rec.ParentID != source {
			// The source exists but does not hold the account (spec
			// §6.6, inferred).
			return &Error{Code: CodeAccountNotFound, Detail: account}
		}
		if source == destination {
			return refuse(CodeDuplicateAccount)
		}
		if err := t.unindex(kindParentAccount, source, account); err != nil {
			return err
		}
		if err := t.index(kindParentAccount, destination, account); err != nil {
			return err
		}
		rec.ParentID = destination
		return t.put(kindAccount, account, rec)
	})
}

// ListParents returns the one parent of an account or OU.
func (e *Engine) ListParents(ctx context.Context, caller, child string, p Page) ([]Child, string, error) {
	var out []Child
	err := e.view(ctx, func(t *txn) error {
		c, err := t.reader(caller)
		if err != nil {
			return err
		}
		if _, err := decodeToken("parents", p.Token); err != nil {
			return err
		}
		parent := ""
		if strings.HasPrefix(child, "ou-") {
			var ou ouRecord
			if ok, err := t.get(kindOU, child, &ou); err != nil {
				return err
			} else if ok && ou.OrgID == c.org.ID {
				parent = ou.ParentID
			}
		} else {
			var rec accountRecord
			if ok, err := t.get(kindAccount, child, &rec); err != nil {
				return err
			} else if ok && rec.OrgID == c.org.ID {
				parent = rec.ParentID
			}
		}
		if parent == "" {
			return refuse(CodeChildNotFound)
		}
		typ := TypeOU
		if parent == c.org.RootID {
			typ = TypeRoot
		}
		out = []Child{{ID: parent, Type: typ}}
		return nil
	})
	return out, "", err
}

// ListChildren lists the accounts or OUs directly in a root or OU.
func (e *Engine) ListChildren(ctx context.Context, caller, parent, childType string, p Page) ([]Child, string, error) {
	var out []Child
	var next string
	err := e.view(ctx, func(t *txn) error {
		c, err := t.reader(caller)
		if err != nil {
			return err
		}
		if ok, err := t.parentExists(c.org, parent); err != nil {
			return err
		} else if !ok {
			return refuse(CodeParentNotFound)
		}
		kind := kindParentAccount
		if childType == TypeOU {
			kind = kindParentOU
		}
		ids, tok, err := t.paged(kind, parent, "children:"+childType+":"+parent, p)
		if err != nil {
			return err
		}
		next = tok
		for _, id := range ids {
			out = append(out, Child{ID: id, Type: childType})
		}
		return nil
	})
	return out, next, err
}

// RemoveAccountFromOrganization removes a member account from the
// caller's organization.
func (e *Engine) RemoveAccountFromOrganization(ctx context.Context, caller, account string) error {
	return e.update(ctx, func(t *txn) error {
		c, err := t.manager(caller)
		if err != nil {
			return err
		}
		if account == c.org.Management {
			return refuse(CodeMasterCannotLeave)
		}
		return t.leave(c.org, account)
	})
}

// LeaveOrganization removes the caller from its organization.
func (e *Engine) LeaveOrganization(ctx context.Context, caller string) error {
	return e.update(ctx, func(t *txn) error {
		c, err := t.inOrg(caller)
		if err != nil {
			return err
		}
		if c.role == management {
			return refuse(CodeMasterCannotLeave)
		}
		return t.leave(c.org, caller)
	})
}

// leave takes account out of o: it becomes standalone, loses its place
// and its organization tags, and the listeners end what the security
// services based on its membership.
func (t *txn) leave(o *orgRecord, account string) error {
	rec, err := t.memberRecord(o, account)
	if err != nil {
		return err
	}
	if ds, err := t.indexed(kindAccountDelegation, account, "", 1); err != nil {
		return err
	} else if len(ds) > 0 {
		return refuseWhy(CodeConstraintViolation, ReasonCannotRemoveDelegatedAdmin)
	}
	if err := t.unindex(kindOrgAccount, o.ID, account); err != nil {
		return err
	}
	if err := t.unindex(kindParentAccount, rec.ParentID, account); err != nil {
		return err
	}
	if err := t.del(kindTags, account); err != nil {
		return err
	}
	rec.OrgID, rec.ParentID, rec.JoinedMethod, rec.Joined = "", "", "", time.Time{}
	if err := t.put(kindAccount, account, rec); err != nil {
		return err
	}
	org, err := t.organization(o)
	if err != nil {
		return err
	}
	for _, l := range t.e.listeners {
		if err := l.AccountLeft(t.ctx, t.tx, org, account); err != nil {
			return err
		}
	}
	return nil
}
