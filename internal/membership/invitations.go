package membership

import (
	"context"
	"errors"
	"time"

	"github.com/localsec/localsec/internal/store"
)

// Invitation is an invitation as the invited account sees it.
type Invitation struct {
	// Admin is the account that sent it.
	Admin     string
	ID        string
	InvitedAt time.Time
	// Status mirrors the administrator's record of the relationship.
	Status      Status
	Association store.Association
	Declined    bool
}

func invitationOf(m store.Member) Invitation {
	return Invitation{
		Admin:       m.Admin,
		ID:          m.InvitationID,
		InvitedAt:   m.InvitedAt,
		Status:      m.Status,
		Association: m.Association,
		Declined:    m.Declined,
	}
}

// holdsInvitation reports whether the member still holds the invitation of
// record m: it was sent, not withdrawn by its sender and not deleted by the
// member. Whether a declined one is shown is a separate question (listed).
func (s *Service) holdsInvitation(m store.Member) bool {
	if m.InvitationID == "" || m.Hidden || m.Association != store.AssociationInvitation {
		return false
	}
	switch {
	case Pending(m.Status), m.Status == store.StatusResigned:
		return true
	case Associated(m.Status):
		return true
	case m.Status == store.StatusRemoved:
		return s.rules.ListRemovedInvitations
	}
	return false
}

// listed reports whether the member's ListInvitations shows record m.
func (s *Service) listed(m store.Member) bool {
	if !s.holdsInvitation(m) {
		return false
	}
	if Associated(m.Status) {
		return s.rules.ListCurrentInvitation
	}
	return !m.Declined || s.rules.ListDeclinedInvitations
}

// received returns the records of invitations the caller holds in its
// region, ordered by administrator.
func (s *Service) received(ctx context.Context, tx store.Tx, c Caller) ([]store.Member, error) {
	ms, err := tx.ListMemberships(ctx, store.MembershipQuery{Service: s.name, Region: c.Region, Account: c.Account})
	if err != nil {
		return nil, err
	}
	out := ms[:0]
	for _, m := range ms {
		if s.listed(m) {
			out = append(out, m)
		}
	}
	return out, nil
}

// ListInvitations returns a page of the invitations the caller received.
func (s *Service) ListInvitations(ctx context.Context, c Caller, p Page) ([]Invitation, string, error) {
	var out []Invitation
	var next string
	err := s.view(ctx, func(tx store.Tx) error {
		out, next = nil, ""
		if err := s.requireEnabledIf(ctx, tx, c, s.rules.InvitationsNeedEnablement); err != nil {
			return err
		}
		after, err := decodeToken(listInvitations, p.Token)
		if err != nil {
			return err
		}
		ms, err := s.received(ctx, tx, c)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.Admin <= after {
				continue
			}
			if len(out) == p.limit() {
				next = encodeToken(listInvitations, out[len(out)-1].Admin)
				break
			}
			out = append(out, invitationOf(m))
		}
		return nil
	})
	return out, next, err
}

// CountInvitations counts the invitations the caller received, except the
// one of its current association.
func (s *Service) CountInvitations(ctx context.Context, c Caller) (int, error) {
	n := 0
	err := s.view(ctx, func(tx store.Tx) error {
		n = 0
		if err := s.requireEnabledIf(ctx, tx, c, s.rules.InvitationsNeedEnablement); err != nil {
			return err
		}
		ms, err := s.received(ctx, tx, c)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if !Associated(m.Status) {
				n++
			}
		}
		return nil
	})
	return n, err
}

// AcceptInvitation makes the caller a member of admin, using the
// invitation id it received. Accepting the invitation of the current
// association again changes nothing when the rules say so, and is
// refused like any acceptance by a member otherwise.
func (s *Service) AcceptInvitation(ctx context.Context, c Caller, admin, invitationID string) error {
	return s.update(ctx, func(tx store.Tx) error {
		if _, err := s.requireEnabled(ctx, tx, c); err != nil {
			return err
		}
		current, associated, err := s.administratorOf(ctx, tx, c, c.Account)
		if err != nil {
			return err
		}
		if associated {
			again := current.Admin == admin && current.InvitationID == invitationID && invitationID != ""
			if again && s.rules.AcceptAgainSucceeds {
				return nil
			}
			return refuse(CodeAcceptWhileMember)
		}
		if s.rules.SameAdministratorInAllRegions {
			other, err := s.administratorElsewhere(ctx, tx, c, c.Account, admin)
			if err != nil {
				return err
			}
			if other {
				return refuse(CodeAcceptWhileMember)
			}
		}
		busy, err := s.hasMembers(ctx, tx, c, c.Account, append(engagedStatuses(), store.StatusCreated))
		if err != nil {
			return err
		}
		if busy {
			return refuse(CodeAcceptWithMembers)
		}
		if !IsAccountID(admin) || invitationID == "" {
			return refuse(CodeNoInvitation)
		}
		m, err := tx.GetMember(ctx, s.memberKey(c, admin, c.Account))
		if errors.Is(err, store.ErrNotFound) {
			return refuse(CodeNoInvitation)
		}
		if err != nil {
			return err
		}
		acceptable := Pending(m.Status) || m.Status == store.StatusResigned
		if !acceptable || !s.holdsInvitation(m) || m.InvitationID != invitationID {
			return refuse(CodeNoInvitation)
		}
		_, inviterIsMember, err := s.administratorOf(ctx, tx, c, admin)
		if err != nil {
			return err
		}
		if inviterIsMember {
			return refuse(CodeInviterIsMember)
		}
		m.Status = store.StatusEnabled
		m.Declined = false
		m.Updated = s.now()
		return tx.PutMember(ctx, m)
	})
}

// administratorElsewhere reports whether account is associated with an
// administrator other than admin in a region other than the caller's.
func (s *Service) administratorElsewhere(ctx context.Context, tx store.Tx, c Caller, account, admin string) (bool, error) {
	all, err := tx.ListMemberships(ctx, store.MembershipQuery{Service: s.name, Account: account})
	if err != nil {
		return false, err
	}
	for _, m := range all {
		if m.Region != c.Region && Associated(m.Status) && m.Admin != admin {
			return true, nil
		}
	}
	return false, nil
}

// invitationBatch runs fn on the caller's record of each administrator's
// invitation, collecting refusals as unprocessed.
func (s *Service) invitationBatch(ctx context.Context, c Caller, admins []string, fn func(tx store.Tx, m store.Member) (Code, error)) ([]Unprocessed, error) {
	var unprocessed []Unprocessed
	err := s.update(ctx, func(tx store.Tx) error {
		unprocessed = nil
		if err := s.requireEnabledIf(ctx, tx, c, s.rules.InvitationsNeedEnablement); err != nil {
			return err
		}
		for _, admin := range dedupe(admins) {
			code := CodeInvalidAccountID
			if IsAccountID(admin) {
				m, err := tx.GetMember(ctx, s.memberKey(c, admin, c.Account))
				switch {
				case errors.Is(err, store.ErrNotFound):
					code = CodeNoInvitation
				case err != nil:
					return err
				case !s.holdsInvitation(m):
					code = CodeNoInvitation
				case Associated(m.Status):
					code = CodeInvitationIsCurrent
				default:
					if code, err = fn(tx, m); err != nil {
						return err
					}
				}
			}
			if code != "" {
				unprocessed = append(unprocessed, Unprocessed{Account: admin, Code: code})
			}
		}
		return nil
	})
	return unprocessed, err
}

// DeclineInvitations declines the invitations the caller received from
// admins. The administrators' records do not change.
func (s *Service) DeclineInvitations(ctx context.Context, c Caller, admins []string) ([]Unprocessed, error) {
	return s.invitationBatch(ctx, c, admins, func(tx store.Tx, m store.Member) (Code, error) {
		if m.Declined {
			return "", nil
		}
		m.Declined = true
		return "", tx.PutMember(ctx, m)
	})
}

// DeleteInvitations removes the invitations the caller received from
// admins from its view. The administrators' records do not change; a new
// invitation shows again.
func (s *Service) DeleteInvitations(ctx context.Context, c Caller, admins []string) ([]Unprocessed, error) {
	return s.invitationBatch(ctx, c, admins, func(tx store.Tx, m store.Member) (Code, error) {
		if s.rules.DeleteRequiresDecline && !m.Declined {
			return CodeInvitationNotDeclined, nil
		}
		m.Hidden = true
		return "", tx.PutMember(ctx, m)
	})
}

// Administrator returns the invitation of the caller's current
// association, or false when it has none.
func (s *Service) Administrator(ctx context.Context, c Caller) (Invitation, bool, error) {
	var inv Invitation
	var ok bool
	err := s.view(ctx, func(tx store.Tx) error {
		if _, err := s.requireEnabled(ctx, tx, c); err != nil {
			return err
		}
		m, associated, err := s.administratorOf(ctx, tx, c, c.Account)
		if err != nil {
			return err
		}
		inv, ok = invitationOf(m), associated
		return nil
	})
	return inv, ok, err
}

// DisassociateFromAdministrator ends the caller's current association: the
// administrator sees it Resigned, and the caller may accept the same
// invitation again later.
func (s *Service) DisassociateFromAdministrator(ctx context.Context, c Caller) error {
	return s.update(ctx, func(tx store.Tx) error {
		if _, err := s.requireEnabled(ctx, tx, c); err != nil {
			return err
		}
		m, associated, err := s.administratorOf(ctx, tx, c, c.Account)
		if err != nil {
			return err
		}
		if !associated {
			return refuse(CodeNoAdministrator)
		}
		if m.Association == store.AssociationOrganizations {
			return refuse(CodeManagedByOrganization)
		}
		m.Status = store.StatusResigned
		m.Updated = s.now()
		return tx.PutMember(ctx, m)
	})
}
