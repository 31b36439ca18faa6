package organizations

import (
	"context"
	"strings"
	"time"
)

// Handshake states and actions, and party and resource types.
const (
	HandshakeOpen       = "OPEN"
	HandshakeAccepted   = "ACCEPTED"
	HandshakeDeclined   = "DECLINED"
	HandshakeCanceled   = "CANCELED"
	HandshakeExpired    = "EXPIRED"
	ActionInvite        = "INVITE"
	PartyAccount        = "ACCOUNT"
	PartyOrganization   = "ORGANIZATION"
	PartyEmail          = "EMAIL"
	ResourceMasterEmail = "MASTER_EMAIL"
	ResourceMasterName  = "MASTER_NAME"
	ResourceFeatureSet  = "ORGANIZATION_FEATURE_SET"
	ResourceNotes       = "NOTES"
)

// Handshake is an invitation between an organization and an account.
type Handshake struct {
	ID         string
	OrgID      string
	Management string
	Action     string
	State      string
	Parties    []Party
	Requested  time.Time
	Expires    time.Time
	Resources  []Resource
}

// Party is a party of a handshake.
type Party struct {
	ID   string
	Type string
}

// Resource is what a handshake is about.
type Resource struct {
	Type      string
	Value     string
	Resources []Resource
}

// HandshakeFilter narrows a list of handshakes: at most one of its
// fields may be set.
type HandshakeFilter struct {
	ActionType        string
	ParentHandshakeID string
}

// state is a handshake's state now: an open handshake past its
// expiration is EXPIRED.
func (t *txn) state(h *handshakeRecord) string {
	if h.State == HandshakeOpen && !t.now.Before(h.Expires) {
		return HandshakeExpired
	}
	return h.State
}

// targetKey is the index key of a handshake's recipient.
func targetKey(typ, target string) string {
	if typ == PartyEmail {
		return "email:" + strings.ToLower(target)
	}
	return target
}

func (t *txn) handshake(h *handshakeRecord) (Handshake, error) {
	var o orgRecord
	mgmt := Organization{ID: h.OrgID}
	if ok, err := t.get(kindOrg, h.OrgID, &o); err != nil {
		return Handshake{}, err
	} else if ok {
		if mgmt, err = t.organization(&o); err != nil {
			return Handshake{}, err
		}
	}
	out := Handshake{ID: h.ID, OrgID: h.OrgID, Management: mgmt.Management, Action: h.Action, State: t.state(h),
		Requested: h.Requested, Expires: h.Expires,
		Parties: []Party{{ID: h.OrgID, Type: PartyOrganization}, {ID: h.Target, Type: h.TargetType}},
		Resources: []Resource{
			{Type: PartyOrganization, Value: h.OrgID, Resources: []Resource{
				{Type: ResourceMasterEmail, Value: mgmt.ManagementEmail},
				{Type: ResourceMasterName, Value: mgmt.ManagementName},
				{Type: ResourceFeatureSet, Value: mgmt.FeatureSet},
			}},
			{Type: h.TargetType, Value: h.Target},
		}}
	if h.Notes != "" {
		out.Resources = append(out.Resources, Resource{Type: ResourceNotes, Value: h.Notes})
	}
	return out, nil
}

// InviteAccountToOrganization sends an invitation to join the caller's
// organization to an account (by id, or by its email address).
func (e *Engine) InviteAccountToOrganization(ctx context.Context, caller string, target Party, notes string, tags []Tag) (Handshake, error) {
	if target.Type == PartyOrganization {
		return Handshake{}, refuseWhy(CodeInvalidInput, ReasonInvalidPartyTypeTarget)
	}
	if err := checkTags(tags); err != nil {
		return Handshake{}, err
	}
	var out Handshake
	err := e.update(ctx, func(t *txn) error {
		c, err := t.manager(caller)
		if err != nil {
			return err
		}
		o := c.org
		account := target.ID
		if target.Type == PartyEmail {
			if ok, err := t.get(kindEmail, strings.ToLower(target.ID), &account); err != nil {
				return err
			} else if !ok {
				return refuseWhy(CodeInvalidInput, ReasonInvalidEmailAddressTarget)
			}
		}
		rec, err := t.knownAccount(account)
		if err != nil {
			return err
		}
		if rec.OrgID != "" {
			return refuseWhy(CodeHandshakeConstraint, ReasonAlreadyInOrganization)
		}
		if dup, err := t.openInvite(o.ID, target); err != nil {
			return err
		} else if dup {
			return refuse(CodeDuplicateHandshake)
		}
		if full, err := t.full(o); err != nil {
			return err
		} else if full {
			return refuseWhy(CodeHandshakeConstraint, ReasonAccountNumberLimit)
		}
		h := handshakeRecord{ID: "h-" + e.newID(10), OrgID: o.ID, Action: ActionInvite, State: HandshakeOpen,
			TargetType: target.Type, Target: target.ID, Notes: notes, Tags: sortedTags(tags),
			Requested: t.now, Expires: t.now.Add(InviteLifetime)}
		if err := t.put(kindHandshake, h.ID, h); err != nil {
			return err
		}
		if err := t.index(kindOrgHandshake, o.ID, h.ID); err != nil {
			return err
		}
		if err := t.index(kindTargetHandshake, targetKey(h.TargetType, h.Target), h.ID); err != nil {
			return err
		}
		out, err = t.handshake(&h)
		return err
	})
	return out, err
}

// openInvite reports whether org has an open invitation for target.
func (t *txn) openInvite(org string, target Party) (bool, error) {
	ids, err := t.indexed(kindTargetHandshake, targetKey(target.Type, target.ID), "", 0)
	if err != nil {
		return false, err
	}
	for _, id := range ids {
		var h handshakeRecord
		if ok, err := t.get(kindHandshake, id, &h); err != nil {
			return false, err
		} else if ok && h.OrgID == org && h.Action == ActionInvite && t.state(&h) == HandshakeOpen {
			return true, nil
		}
	}
	return false, nil
}

// recipient reports whether account received h (by id, or by its email).
func (t *txn) recipient(h *handshakeRecord, account string) (bool, error) {
	if h.TargetType == PartyAccount {
		return h.Target == account, nil
	}
	var owner string
	ok, err := t.get(kindEmail, strings.ToLower(h.Target), &owner)
	return ok && owner == account, err
}

// visible returns the handshake id if the caller may see it: its
// recipient, or the management account or a delegated administrator of
// the organization that sent it. Anyone else gets HandshakeNotFound, so
// that the handshake's existence is not revealed.
func (t *txn) visible(caller, id string) (handshakeRecord, error) {
	var h handshakeRecord
	ok, err := t.get(kindHandshake, id, &h)
	if err != nil {
		return h, err
	}
	if !ok {
		return h, refuse(CodeHandshakeNotFound)
	}
	if is, err := t.recipient(&h, caller); err != nil || is {
		return h, err
	}
	c, err := t.who(caller)
	if err != nil {
		return h, err
	}
	if c.org != nil && c.org.ID == h.OrgID && c.role >= delegatedAdmin {
		return h, nil
	}
	return h, refuse(CodeHandshakeNotFound)
}

// DescribeHandshake returns a handshake the caller sent or received.
func (e *Engine) DescribeHandshake(ctx context.Context, caller, id string) (Handshake, error) {
	var out Handshake
	err := e.view(ctx, func(t *txn) error {
		h, err := t.visible(caller, id)
		if err != nil {
			return err
		}
		out, err = t.handshake(&h)
		return err
	})
	return out, err
}

func checkFilter(f HandshakeFilter) error {
	if f.ActionType != "" && f.ParentHandshakeID != "" {
		return refuseWhy(CodeInvalidInput, ReasonMaxFilterLimit)
	}
	return nil
}

// matches reports whether h passes the filter (localsec's handshakes
// have no parent, so a ParentHandshakeId filter keeps none).
func (f HandshakeFilter) matches(h *handshakeRecord) bool {
	switch {
	case f.ActionType != "":
		return h.Action == f.ActionType
	case f.ParentHandshakeID != "":
		return false
	}
	return true
}

// listHandshakes pages through the handshakes of the index keys given.
func (t *txn) listHandshakes(kind string, keys []string, list string, f HandshakeFilter, p Page) ([]Handshake, string, error) {
	after, err := decodeToken(list, p.Token)
	if err != nil {
		return nil, "", err
	}
	var ids []string
	for _, k := range keys {
		got, err := t.indexed(kind, k, "", 0)
		if err != nil {
			return nil, "", err
		}
		ids = append(ids, got...)
	}
	sortStrings(ids)
	var out []Handshake
	next := ""
	for _, id := range ids {
		if after != "" && id <= after {
			continue
		}
		var h handshakeRecord
		if ok, err := t.get(kindHandshake, id, &h); err != nil {
			return nil, "", err
		} else if !ok || !f.matches(&h) {
			continue
		}
		if len(out) == p.limit() {
			next = encodeToken(list, out[len(out)-1].ID)
			break
		}
		hs, err := t.handshake(&h)
		if err != nil {
			return nil, "", err
		}
		out = append(out, hs)
	}
	return out, next, nil
}

// ListHandshakesForAccount lists the handshakes the caller received, by
// its id or its email address. A standalone account may call it: that is
// how an invited account finds its invitation.
func (e *Engine) ListHandshakesForAccount(ctx context.Context, caller string, f HandshakeFilter, p Page) ([]Handshake, string, error) {
	if err := checkFilter(f); err != nil {
		return nil, "", err
	}
	var out []Handshake
	var next string
	err := e.view(ctx, func(t *txn) error {
		keys := []string{caller}
		var rec accountRecord
		if ok, err := t.get(kindAccount, caller, &rec); err != nil {
			return err
		} else if ok && rec.Email != "" {
			keys = append(keys, targetKey(PartyEmail, rec.Email))
		} else if !ok {
			_, email := e.identity(caller)
			keys = append(keys, targetKey(PartyEmail, email))
		}
		var err error
		out, next, err = t.listHandshakes(kindTargetHandshake, keys, "handshakes-for-account", f, p)
		return err
	})
	return out, next, err
}

// ListHandshakesForOrganization lists the handshakes the caller's
// organization sent.
func (e *Engine) ListHandshakesForOrganization(ctx context.Context, caller string, f HandshakeFilter, p Page) ([]Handshake, string, error) {
	if err := checkFilter(f); err != nil {
		return nil, "", err
	}
	var out []Handshake
	var next string
	err := e.view(ctx, func(t *txn) error {
		c, err := t.reader(caller)
		if err != nil {
			return err
		}
		out, next, err = t.listHandshakes(kindOrgHandshake, []string{c.org.ID}, "handshakes-for-organization", f, p)
		return err
	})
	return out, next, err
}

// respond moves an open handshake to state to, if the caller may.
func (t *txn) respond(h *handshakeRecord, to string) error {
	switch cur := t.state(h); {
	case cur == to:
		return refuse(CodeHandshakeAlreadyInState)
	case cur != HandshakeOpen:
		return refuse(CodeInvalidHandshakeState)
	}
	h.State = to
	return t.put(kindHandshake, h.ID, *h)
}

// AcceptHandshake accepts an invitation the caller received: it joins
// the organization, in its root, with the invitation's tags.
func (e *Engine) AcceptHandshake(ctx context.Context, caller, id string) (Handshake, error) {
	var out Handshake
	err := e.update(ctx, func(t *txn) error {
		h, err := t.visible(caller, id)
		if err != nil {
			return err
		}
		if is, err := t.recipient(&h, caller); err != nil {
			return err
		} else if !is {
			return refuse(CodeAccessDenied)
		}
		cur := t.state(&h)
		if cur == HandshakeOpen {
			c, err := t.who(caller)
			if err != nil {
				return err
			}
			if c.org != nil {
				return refuseWhy(CodeHandshakeConstraint, ReasonAlreadyInOrganization)
			}
		}
		if err := t.respond(&h, HandshakeAccepted); err != nil {
			return err
		}
		var o orgRecord
		if ok, err := t.get(kindOrg, h.OrgID, &o); err != nil {
			return err
		} else if !ok {
			return refuse(CodeHandshakeNotFound)
		}
		rec, err := t.knownAccount(caller)
		if err != nil {
			return err
		}
		rec.OrgID, rec.ParentID, rec.JoinedMethod, rec.Joined, rec.State = o.ID, o.RootID, JoinedInvited, t.now, StateActive
		if err := t.put(kindAccount, caller, rec); err != nil {
			return err
		}
		if err := t.joinIndexes(&rec); err != nil {
			return err
		}
		if len(h.Tags) > 0 {
			if err := t.put(kindTags, caller, tagsRecord{Tags: h.Tags}); err != nil {
				return err
			}
		}
		org, err := t.organization(&o)
		if err != nil {
			return err
		}
		for _, l := range e.listeners {
			if err := l.AccountJoined(t.ctx, t.tx, org, caller); err != nil {
				return err
			}
		}
		out, err = t.handshake(&h)
		return err
	})
	return out, err
}

// DeclineHandshake declines an invitation the caller received.
func (e *Engine) DeclineHandshake(ctx context.Context, caller, id string) (Handshake, error) {
	return e.answer(ctx, caller, id, HandshakeDeclined, func(t *txn, h *handshakeRecord) (bool, error) {
		return t.recipient(h, caller)
	})
}

// CancelHandshake cancels an invitation the caller's organization sent:
// only its management account may.
func (e *Engine) CancelHandshake(ctx context.Context, caller, id string) (Handshake, error) {
	return e.answer(ctx, caller, id, HandshakeCanceled, func(t *txn, h *handshakeRecord) (bool, error) {
		c, err := t.who(caller)
		return c.org != nil && c.org.ID == h.OrgID && c.role == management, err
	})
}

func (e *Engine) answer(ctx context.Context, caller, id, to string, allowed func(*txn, *handshakeRecord) (bool, error)) (Handshake, error) {
	var out Handshake
	err := e.update(ctx, func(t *txn) error {
		h, err := t.visible(caller, id)
		if err != nil {
			return err
		}
		if ok, err := allowed(t, &h); err != nil {
			return err
		} else if !ok {
			return refuse(CodeAccessDenied)
		}
		if err := t.respond(&h, to); err != nil {
			return err
		}
		out, err = t.handshake(&h)
		return err
	})
	return out, err
}

// deleteHandshake deletes a handshake and its index records.
func (t *txn) deleteHandshake(h *handshakeRecord) error {
	if err := t.unindex(kindOrgHandshake, h.OrgID, h.ID); err != nil {
		return err
	}
	if err := t.unindex(kindTargetHandshake, targetKey(h.TargetType, h.Target), h.ID); err != nil {
		return err
	}
	return t.del(kindHandshake, h.ID)
}
