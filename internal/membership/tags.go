package membership

import (
	"context"
	"errors"

	"github.com/localsec/localsec/internal/store"
)

// ResourceKind says which record a taggable resource is.
type ResourceKind int

// Taggable resources.
const (
	// ResourceMember is a member record; Owner is the administrator and
	// ID the member account.
	ResourceMember ResourceKind = iota + 1
	// ResourceEnablement is an enablement (a detector); Owner is the
	// account and ID the enablement's resource id.
	ResourceEnablement
)

// Resource names a taggable record, as an adapter reads it from an ARN.
type Resource struct {
	Kind   ResourceKind
	Region string
	Owner  string
	ID     string
}

// tagged loads, changes and stores the tags of r in one transaction.
// change may be nil (read only); it returns the new tags.
func (s *Service) tagged(ctx context.Context, c Caller, r Resource, write bool, change func(map[string]string) (map[string]string, error)) (map[string]string, error) {
	var out map[string]string
	run := s.view
	if write {
		run = s.update
	}
	err := run(ctx, func(tx store.Tx) error {
		if err := s.requireEnabledIf(ctx, tx, c, s.rules.TagsNeedEnablement); err != nil {
			return err
		}
		if r.Owner != c.Account {
			return refuse(CodeResourceOfOtherAccount)
		}
		if r.Region != c.Region {
			return refuse(CodeResourceNotFound)
		}
		switch r.Kind {
		case ResourceMember:
			m, err := tx.GetMember(ctx, s.memberKey(c, r.Owner, r.ID))
			if errors.Is(err, store.ErrNotFound) {
				return refuse(CodeResourceNotFound)
			}
			if err != nil {
				return err
			}
			if out, err = change(m.Tags); err != nil || !write {
				return err
			}
			m.Tags = out
			return tx.PutMember(ctx, m)
		case ResourceEnablement:
			en, err := tx.GetEnablement(ctx, s.accountKey(c, r.Owner))
			if errors.Is(err, store.ErrNotFound) || (err == nil && en.ResourceID != r.ID) {
				return refuse(CodeResourceNotFound)
			}
			if err != nil {
				return err
			}
			if out, err = change(en.Tags); err != nil || !write {
				return err
			}
			en.Tags = out
			return tx.PutEnablement(ctx, en)
		}
		return refuse(CodeResourceNotFound)
	})
	return out, err
}

// TagResource adds or replaces tags on r.
func (s *Service) TagResource(ctx context.Context, c Caller, r Resource, tags map[string]string) error {
	_, err := s.tagged(ctx, c, r, true, func(old map[string]string) (map[string]string, error) {
		merged := store.CloneTags(old)
		if merged == nil {
			merged = map[string]string{}
		}
		for k, v := range tags {
			merged[k] = v
		}
		if len(merged) > s.rules.MaxTags {
			return nil, refuse(CodeTooManyTags)
		}
		return merged, nil
	})
	return err
}

// UntagResource removes tag keys from r; absent keys are ignored.
func (s *Service) UntagResource(ctx context.Context, c Caller, r Resource, keys []string) error {
	_, err := s.tagged(ctx, c, r, true, func(old map[string]string) (map[string]string, error) {
		kept := store.CloneTags(old)
		for _, k := range keys {
			delete(kept, k)
		}
		return kept, nil
	})
	return err
}

// ResourceTags returns the tags of r (never nil).
func (s *Service) ResourceTags(ctx context.Context, c Caller, r Resource) (map[string]string, error) {
	tags, err := s.tagged(ctx, c, r, false, func(old map[string]string) (map[string]string, error) {
		return old, nil
	})
	if tags == nil && err == nil {
		tags = map[string]string{}
	}
	return tags, err
}
