package membership

import (
	"context"
	"errors"

	"github.com/localsec/localsec/internal/store"
)

// EnableInput describes a new enablement.
type EnableInput struct {
	// Suspended starts the service suspended.
	Suspended bool
	// ClientToken makes a retried call succeed instead of failing with
	// CodeAlreadyEnabled.
	ClientToken string
	// Settings is the adapter's document to keep with the enablement.
	Settings []byte
	Tags     map[string]string
}

// Enable turns the service on for the caller. A call that repeats the
// client token of the call that enabled it returns the existing
// enablement.
func (s *Service) Enable(ctx context.Context, c Caller, in EnableInput) (store.Enablement, error) {
	var out store.Enablement
	err := s.update(ctx, func(tx store.Tx) error {
		k := s.accountKey(c, c.Account)
		existing, err := tx.GetEnablement(ctx, k)
		if err == nil {
			if in.ClientToken != "" && in.ClientToken == existing.ClientToken {
				out = existing
				return nil
			}
			return refuse(CodeAlreadyEnabled)
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if len(in.Tags) > s.rules.MaxTags {
			return refuse(CodeTooManyTags)
		}
		out = s.newEnablement(k, in)
		return tx.PutEnablement(ctx, out)
	})
	return out, err
}

func (s *Service) newEnablement(k store.AccountKey, in EnableInput) store.Enablement {
	now := s.now()
	en := store.Enablement{
		AccountKey:  k,
		Status:      store.EnablementEnabled,
		ClientToken: in.ClientToken,
		Settings:    store.CloneBytes(in.Settings),
		Tags:        store.CloneTags(in.Tags),
		Created:     now,
		Updated:     now,
	}
	if in.Suspended {
		en.Status = store.EnablementSuspended
	}
	if s.rules.EnablementIDs {
		en.ResourceID = s.e.ids.NewID()
	}
	return en
}

// Enablement returns the caller's enablement.
func (s *Service) Enablement(ctx context.Context, c Caller) (store.Enablement, error) {
	var out store.Enablement
	err := s.view(ctx, func(tx store.Tx) error {
		var err error
		out, err = s.requireEnabled(ctx, tx, c)
		return err
	})
	return out, err
}

// EnablementUpdate changes an enablement. Nil fields stay as they are.
type EnablementUpdate struct {
	// Suspended suspends (true) or resumes (false) the service.
	Suspended *bool
	// Settings, when set, computes the new settings document from the old
	// one; an error from it aborts the update.
	Settings func(old []byte) ([]byte, error)
}

// UpdateEnablement changes the caller's enablement.
func (s *Service) UpdateEnablement(ctx context.Context, c Caller, u EnablementUpdate) error {
	return s.update(ctx, func(tx store.Tx) error {
		en, err := s.requireEnabled(ctx, tx, c)
		if err != nil {
			return err
		}
		if u.Settings != nil {
			settings, err := u.Settings(store.CloneBytes(en.Settings))
			if err != nil {
				return err
			}
			en.Settings = settings
		}
		if u.Suspended != nil {
			if err := s.setSuspended(ctx, tx, c, &en, *u.Suspended); err != nil {
				return err
			}
		}
		en.Updated = s.now()
		return tx.PutEnablement(ctx, en)
	})
}

// setSuspended applies the caller's own suspend or resume, with the
// consequences the rules give it on both sides of a relationship.
func (s *Service) setSuspended(ctx context.Context, tx store.Tx, c Caller, en *store.Enablement, suspend bool) error {
	if suspend && s.rules.SuspendNeedsNoMembers {
		busy, err := s.hasMembers(ctx, tx, c, c.Account, engagedStatuses())
		if err != nil {
			return err
		}
		if busy {
			return refuse(CodeSuspendWithMembers)
		}
	}
	en.Status = store.EnablementEnabled
	if suspend {
		en.Status = store.EnablementSuspended
	}
	if !s.rules.MemberSuspendMirrors {
		return nil
	}
	rel, ok, err := s.administratorOf(ctx, tx, c, c.Account)
	if err != nil || !ok {
		return err
	}
	want := store.StatusEnabled
	if suspend {
		want = store.StatusSuspended
	}
	if rel.Status == want || (rel.Status != store.StatusEnabled && rel.Status != store.StatusSuspended) {
		return nil
	}
	rel.Status = want
	rel.Updated = s.now()
	return tx.PutMember(ctx, rel)
}

// Disable turns the service off for the caller: the enablement goes, with
// the caller's member records that tie nobody (Created, Removed, Resigned,
// EmailVerificationFailed) and its organization configuration. Invitations
// the caller received are the senders' records and stay.
func (s *Service) Disable(ctx context.Context, c Caller) error {
	return s.update(ctx, func(tx store.Tx) error {
		if _, err := s.requireEnabled(ctx, tx, c); err != nil {
			return err
		}
		rel, associated, err := s.administratorOf(ctx, tx, c, c.Account)
		if err != nil {
			return err
		}
		if associated {
			if !s.rules.DisableResignsMember {
				return refuse(CodeDisableWhileMember)
			}
			rel.Status = store.StatusResigned
			rel.Updated = s.now()
			if err := tx.PutMember(ctx, rel); err != nil {
				return err
			}
		}
		busy, err := s.hasMembers(ctx, tx, c, c.Account, engagedStatuses())
		if err != nil {
			return err
		}
		if busy {
			return refuse(CodeDisableWithMembers)
		}
		own, err := tx.ListMembers(ctx, store.MemberQuery{Admin: s.accountKey(c, c.Account)})
		if err != nil {
			return err
		}
		for _, m := range own {
			if err := tx.DeleteMember(ctx, m.MemberKey); err != nil {
				return err
			}
		}
		if err := tx.DeleteOrgConfig(ctx, s.accountKey(c, c.Account)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return tx.DeleteEnablement(ctx, s.accountKey(c, c.Account))
	})
}
