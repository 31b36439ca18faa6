package membership

import (
	"context"
	"errors"

	"github.com/localsec/localsec/internal/store"
)

// NewMember is an account to add to an administrator's inventory.
type NewMember struct {
	Account string
	Email   string
	Tags    map[string]string
}

// MemberView is a member record as the administrator sees it.
type MemberView struct {
	store.Member
	// MemberResourceID is the member account's own enablement resource
	// (its GuardDuty detector id), when it has one in the region.
	MemberResourceID string
}

// CreateMembers adds accounts to the caller's inventory. An account joins
// as Created; when the caller is the organization's delegated
// administrator and the account belongs to the organization, it joins
// through Organizations and is Enabled at once.
func (s *Service) CreateMembers(ctx context.Context, c Caller, members []NewMember) ([]Unprocessed, error) {
	var unprocessed []Unprocessed
	err := s.update(ctx, func(tx store.Tx) error {
		unprocessed = nil
		if _, err := s.requireEnabled(ctx, tx, c); err != nil {
			return err
		}
		_, callerIsMember, err := s.administratorOf(ctx, tx, c, c.Account)
		if err != nil {
			return err
		}
		orgAdmin, err := s.isOrgAdmin(ctx, tx, c, c.Account)
		if err != nil {
			return err
		}
		var org orgView
		if orgAdmin {
			if org, err = s.orgOf(ctx, tx, c.Account); err != nil {
				return err
			}
		}
		count, err := tx.CountMembers(ctx, s.accountKey(c, c.Account))
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, nm := range members {
			if seen[nm.Account] {
				continue
			}
			seen[nm.Account] = true
			code, err := s.createMember(ctx, tx, c, nm, callerIsMember, orgAdmin, org, count)
			if err != nil {
				return err
			}
			if code != "" {
				unprocessed = append(unprocessed, Unprocessed{Account: nm.Account, Code: code})
				continue
			}
			count++
		}
		return nil
	})
	return unprocessed, err
}

// createMember adds one account; org is the caller's organization when it
// is a delegated administrator.
func (s *Service) createMember(ctx context.Context, tx store.Tx, c Caller, nm NewMember, callerIsMember, orgAdmin bool, org orgView, count int) (Code, error) {
	switch {
	case !IsAccountID(nm.Account):
		return CodeInvalidAccountID, nil
	case nm.Account == c.Account:
		return CodeSelfMember, nil
	case callerIsMember:
		return CodeCreateByMember, nil
	case len(nm.Tags) > s.rules.MaxTags:
		return CodeTooManyTags, nil
	}
	k := s.memberKey(c, c.Account, nm.Account)
	if _, err := tx.GetMember(ctx, k); err == nil {
		return CodeAlreadyMember, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	viaOrg := false
	if orgAdmin {
		in, err := org.contains(nm.Account)
		if err != nil {
			return "", err
		}
		viaOrg = in
	}
	quota := s.rules.MemberQuota
	if viaOrg {
		quota = s.rules.OrganizationMemberQuota
	}
	if quota > 0 && count+1 > quota {
		return CodeMemberQuotaExceeded, nil
	}
	now := s.now()
	m := store.Member{
		MemberKey:   k,
		Email:       nm.Email,
		Status:      store.StatusCreated,
		Association: store.AssociationInvitation,
		Tags:        store.CloneTags(nm.Tags),
		Created:     now,
		Updated:     now,
	}
	if viaOrg {
		// The account joins with no handshake, so the checks that
		// AcceptInvitation makes on the member's side are made here.
		if code, err := s.canJoinWithoutInvitation(ctx, tx, c, nm.Account, org.management); code != "" || err != nil {
			return code, err
		}
		m.Status = store.StatusEnabled
		m.Association = store.AssociationOrganizations
	}
	return "", tx.PutMember(ctx, m)
}

// canJoinWithoutInvitation checks that account may become the caller's
// member at once: it has no other administrator (here, or in another
// region when the rules want the same one everywhere) and administers no
// members of its own.
func (s *Service) canJoinWithoutInvitation(ctx context.Context, tx store.Tx, c Caller, account, management string) (Code, error) {
	_, taken, err := s.administratorOf(ctx, tx, c, account)
	if err != nil || taken {
		return CodeMemberOfAnother, err
	}
	if s.rules.SameAdministratorInAllRegions {
		other, err := s.administratorElsewhere(ctx, tx, c, account, c.Account)
		if err != nil || other {
			return CodeMemberOfAnother, err
		}
	}
	busy, err := s.hasMembers(ctx, tx, c, account, append(engagedStatuses(), store.StatusCreated))
	if err != nil || busy {
		return CodeMemberIsAdministrator, err
	}
	if s.rules.OrgManagementMustBeEnabled && account == management {
		_, err := tx.GetEnablement(ctx, s.accountKey(c, account))
		if errors.Is(err, store.ErrNotFound) {
			return CodeManagementNotEnabled, nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", nil
}

// InviteOptions go with an invitation.
type InviteOptions struct {
	Message                  string
	DisableEmailNotification bool
}

// InviteMembers sends invitations to accounts of the caller's inventory.
// Each invitation gets a new id; the member sees it in its own list.
func (s *Service) InviteMembers(ctx context.Context, c Caller, accounts []string, opt InviteOptions) ([]Unprocessed, error) {
	var unprocessed []Unprocessed
	var emails []store.Email
	err := s.update(ctx, func(tx store.Tx) error {
		unprocessed, emails = nil, nil
		if _, err := s.requireEnabled(ctx, tx, c); err != nil {
			return err
		}
		_, callerIsMember, err := s.administratorOf(ctx, tx, c, c.Account)
		if err != nil {
			return err
		}
		for _, account := range dedupe(accounts) {
			code, email, err := s.invite(ctx, tx, c, account, callerIsMember, opt)
			if err != nil {
				return err
			}
			if code != "" {
				unprocessed = append(unprocessed, Unprocessed{Account: account, Code: code})
			}
			if email != nil {
				emails = append(emails, *email)
			}
		}
		return nil
	})
	if err == nil && len(emails) > 0 && s.e.notify != nil {
		s.e.notify(ctx, emails)
	}
	return unprocessed, err
}

// invite sends one invitation. Unless the email notification is off, the
// email AWS would send goes to the outbox, in the same transaction.
func (s *Service) invite(ctx context.Context, tx store.Tx, c Caller, account string, callerIsMember bool, opt InviteOptions) (Code, *store.Email, error) {
	switch {
	case !IsAccountID(account):
		return CodeInvalidAccountID, nil, nil
	case account == c.Account:
		return CodeSelfInvite, nil, nil
	case callerIsMember:
		return CodeInviteByMember, nil, nil
	}
	m, err := tx.GetMember(ctx, s.memberKey(c, c.Account, account))
	if errors.Is(err, store.ErrNotFound) {
		return CodeNotCreated, nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	switch {
	case m.Association == store.AssociationOrganizations:
		return CodeOrganizationMember, nil, nil
	case Associated(m.Status):
		return CodeAlreadyInvited, nil, nil
	case Pending(m.Status) && !s.rules.ResendInvitations:
		return CodeAlreadyInvited, nil, nil
	}
	now := s.now()
	m.Status = store.StatusInvited
	m.InvitationID = s.e.ids.NewID()
	m.InvitedAt = now
	m.Updated = now
	m.InvitationMessage = opt.Message
	m.DisableEmailNotification = opt.DisableEmailNotification
	m.Declined = false
	m.Hidden = false
	if err := tx.PutMember(ctx, m); err != nil {
		return "", nil, err
	}
	if opt.DisableEmailNotification || m.Email == "" {
		return "", nil, nil
	}
	email := store.Email{
		ID: s.e.ids.NewID(), Service: s.name, Region: c.Region, From: c.Account, To: account,
		Address: m.Email, Message: opt.Message, InvitationID: m.InvitationID, Sent: now,
	}
	return "", &email, tx.PutEmail(ctx, email)
}

// GetMembers returns the caller's records of accounts, in any status.
// Accounts that are not in the inventory come back as unprocessed.
func (s *Service) GetMembers(ctx context.Context, c Caller, accounts []string) ([]MemberView, []Unprocessed, error) {
	var views []MemberView
	var unprocessed []Unprocessed
	err := s.view(ctx, func(tx store.Tx) error {
		views, unprocessed = nil, nil
		if _, err := s.requireEnabled(ctx, tx, c); err != nil {
			return err
		}
		for _, account := range dedupe(accounts) {
			if !IsAccountID(account) {
				unprocessed = append(unprocessed, Unprocessed{Account: account, Code: CodeInvalidAccountID})
				continue
			}
			m, err := tx.GetMember(ctx, s.memberKey(c, c.Account, account))
			if errors.Is(err, store.ErrNotFound) {
				unprocessed = append(unprocessed, Unprocessed{Account: account, Code: CodeNotMember})
				continue
			}
			if err != nil {
				return err
			}
			v, err := s.view1(ctx, tx, m)
			if err != nil {
				return err
			}
			views = append(views, v)
		}
		return nil
	})
	return views, unprocessed, err
}

// GetMember returns the caller's record of one account; CodeNotMember when
// there is none.
func (s *Service) GetMember(ctx context.Context, c Caller, account string) (MemberView, error) {
	views, unprocessed, err := s.GetMembers(ctx, c, []string{account})
	if err != nil {
		return MemberView{}, err
	}
	if len(unprocessed) > 0 {
		return MemberView{}, &Error{Code: unprocessed[0].Code, Account: account}
	}
	return views[0], nil
}

func (s *Service) view1(ctx context.Context, tx store.Tx, m store.Member) (MemberView, error) {
	v := MemberView{Member: m}
	en, err := tx.GetEnablement(ctx, store.AccountKey{Scope: m.Scope, Account: m.Member})
	switch {
	case err == nil:
		v.MemberResourceID = en.ResourceID
	case !errors.Is(err, store.ErrNotFound):
		return v, err
	}
	return v, nil
}

// ListMembers returns a page of the caller's inventory, ordered by account
// id: only associated members when onlyAssociated, else every record.
func (s *Service) ListMembers(ctx context.Context, c Caller, onlyAssociated bool, p Page) ([]MemberView, string, error) {
	var views []MemberView
	var next string
	err := s.view(ctx, func(tx store.Tx) error {
		views, next = nil, ""
		if _, err := s.requireEnabled(ctx, tx, c); err != nil {
			return err
		}
		after, err := decodeToken(listMembers, p.Token)
		if err != nil {
			return err
		}
		q := store.MemberQuery{Admin: s.accountKey(c, c.Account), After: after, Limit: p.limit() + 1}
		if onlyAssociated {
			q.Statuses = associatedStatuses()
		}
		ms, err := tx.ListMembers(ctx, q)
		if err != nil {
			return err
		}
		if len(ms) > p.limit() {
			ms = ms[:p.limit()]
			next = encodeToken(listMembers, ms[len(ms)-1].Member)
		}
		views = make([]MemberView, 0, len(ms))
		for _, m := range ms {
			v, err := s.view1(ctx, tx, m)
			if err != nil {
				return err
			}
			views = append(views, v)
		}
		return nil
	})
	return views, next, err
}

// memberBatch runs fn on each account of the caller's inventory named in
// accounts, in one transaction, collecting refusals as unprocessed.
func (s *Service) memberBatch(ctx context.Context, c Caller, accounts []string, fn func(tx store.Tx, m store.Member) (Code, error)) ([]Unprocessed, error) {
	var unprocessed []Unprocessed
	err := s.update(ctx, func(tx store.Tx) error {
		unprocessed = nil
		if _, err := s.requireEnabled(ctx, tx, c); err != nil {
			return err
		}
		for _, account := range dedupe(accounts) {
			code := CodeInvalidAccountID
			if IsAccountID(account) {
				m, err := tx.GetMember(ctx, s.memberKey(c, c.Account, account))
				switch {
				case errors.Is(err, store.ErrNotFound):
					code = CodeNotMember
				case err != nil:
					return err
				default:
					if code, err = fn(tx, m); err != nil {
						return err
					}
				}
			}
			if code != "" {
				unprocessed = append(unprocessed, Unprocessed{Account: account, Code: code})
			}
		}
		return nil
	})
	return unprocessed, err
}

// DeleteMembers removes accounts from the caller's inventory, with their
// invitations. An associated member is disassociated on the way when the
// rules allow it or when it joined through Organizations, else refused.
func (s *Service) DeleteMembers(ctx context.Context, c Caller, accounts []string) ([]Unprocessed, error) {
	return s.memberBatch(ctx, c, accounts, func(tx store.Tx, m store.Member) (Code, error) {
		// An invitation-based member must be disassociated first where
		// the rules say so; a member through Organizations is its
		// administrator's to remove.
		if Associated(m.Status) && !s.rules.DeleteAssociatedMembers && m.Association != store.AssociationOrganizations {
			return CodeStillAssociated, nil
		}
		return "", tx.DeleteMember(ctx, m.MemberKey)
	})
}

// DisassociateMembers ends the caller's relationship with accounts: an
// invited or associated member becomes Removed; the record (email, tags)
// stays so that it can be invited again. Records already apart stay as they
// are; a never-invited (Created) one becomes Removed when the rules say so.
func (s *Service) DisassociateMembers(ctx context.Context, c Caller, accounts []string) ([]Unprocessed, error) {
	return s.memberBatch(ctx, c, accounts, func(tx store.Tx, m store.Member) (Code, error) {
		apart := !engaged(m.Status) && m.Status != store.StatusEmailVerificationFailed
		if apart && !(m.Status == store.StatusCreated && s.rules.DisassociateCreatedMembers) {
			return "", nil
		}
		m.Status = store.StatusRemoved
		m.Updated = s.now()
		return "", tx.PutMember(ctx, m)
	})
}

// SetMembersSuspended suspends (Macie's pause, GuardDuty's stop
// monitoring) or resumes associated members. The member's own enablement
// follows.
func (s *Service) SetMembersSuspended(ctx context.Context, c Caller, accounts []string, suspend bool) ([]Unprocessed, error) {
	from, to, enStatus := store.StatusSuspended, store.StatusEnabled, store.EnablementEnabled
	if suspend {
		from, to, enStatus = store.StatusEnabled, store.StatusSuspended, store.EnablementSuspended
	}
	return s.memberBatch(ctx, c, accounts, func(tx store.Tx, m store.Member) (Code, error) {
		switch m.Status {
		case to:
			return "", nil
		case from:
		default:
			return CodeNotAssociated, nil
		}
		now := s.now()
		m.Status = to
		m.Updated = now
		if err := tx.PutMember(ctx, m); err != nil {
			return "", err
		}
		en, err := tx.GetEnablement(ctx, store.AccountKey{Scope: m.Scope, Account: m.Member})
		if errors.Is(err, store.ErrNotFound) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		en.Status = enStatus
		en.Updated = now
		return "", tx.PutEnablement(ctx, en)
	})
}

// MemberEnablements returns the own enablements (GuardDuty: detectors) of
// associated members, for their administrator. Accounts that are not
// associated members with an enablement come back as unprocessed.
func (s *Service) MemberEnablements(ctx context.Context, c Caller, accounts []string) ([]store.Enablement, []Unprocessed, error) {
	var out []store.Enablement
	var unprocessed []Unprocessed
	err := s.view(ctx, func(tx store.Tx) error {
		out, unprocessed = nil, nil
		if _, err := s.requireEnabled(ctx, tx, c); err != nil {
			return err
		}
		for _, account := range dedupe(accounts) {
			en, code, err := s.memberEnablement(ctx, tx, c, account)
			if err != nil {
				return err
			}
			if code != "" {
				unprocessed = append(unprocessed, Unprocessed{Account: account, Code: code})
				continue
			}
			out = append(out, en)
		}
		return nil
	})
	return out, unprocessed, err
}

// UpdateMemberEnablements changes the settings of associated members'
// own enablements with settings, for their administrator.
func (s *Service) UpdateMemberEnablements(ctx context.Context, c Caller, accounts []string, settings func(old []byte) ([]byte, error)) ([]Unprocessed, error) {
	var unprocessed []Unprocessed
	err := s.update(ctx, func(tx store.Tx) error {
		unprocessed = nil
		if _, err := s.requireEnabled(ctx, tx, c); err != nil {
			return err
		}
		for _, account := range dedupe(accounts) {
			en, code, err := s.memberEnablement(ctx, tx, c, account)
			if err != nil {
				return err
			}
			if code != "" {
				unprocessed = append(unprocessed, Unprocessed{Account: account, Code: code})
				continue
			}
			if en.Settings, err = settings(store.CloneBytes(en.Settings)); err != nil {
				return err
			}
			en.Updated = s.now()
			if err := tx.PutEnablement(ctx, en); err != nil {
				return err
			}
		}
		return nil
	})
	return unprocessed, err
}

// memberEnablement finds the enablement of an associated member of the
// caller, or the code that says why there is none.
func (s *Service) memberEnablement(ctx context.Context, tx store.Tx, c Caller, account string) (store.Enablement, Code, error) {
	if !IsAccountID(account) {
		return store.Enablement{}, CodeInvalidAccountID, nil
	}
	m, err := tx.GetMember(ctx, s.memberKey(c, c.Account, account))
	if errors.Is(err, store.ErrNotFound) {
		return store.Enablement{}, CodeNotMember, nil
	}
	if err != nil {
		return store.Enablement{}, "", err
	}
	if !Associated(m.Status) {
		return store.Enablement{}, CodeNotAssociated, nil
	}
	en, err := tx.GetEnablement(ctx, store.AccountKey{Scope: m.Scope, Account: account})
	if errors.Is(err, store.ErrNotFound) {
		return store.Enablement{}, CodeNotAssociated, nil
	}
	return en, "", err
}
