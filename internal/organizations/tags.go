package organizations

import (
	"context"
	"sort"
	"strings"

	"github.com/localsec/localsec/internal/store"
)

// Tag is a tag of a root, OU or account.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

func sortStrings(s []string) { sort.Strings(s) }

func recordQuery(kind, prefix string) store.RecordQuery {
	return store.RecordQuery{Kind: kind, Prefix: prefix}
}

// sortedTags returns tags sorted by key (a later duplicate wins).
func sortedTags(tags []Tag) []Tag {
	m := map[string]string{}
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	out := make([]Tag, 0, len(m))
	for k, v := range m {
		out = append(out, Tag{Key: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// checkTags refuses duplicate keys, system (aws:) keys and more than
// MaxTags tags (spec §10).
func checkTags(tags []Tag) error {
	seen := map[string]bool{}
	for _, t := range tags {
		if seen[t.Key] {
			return refuseWhy(CodeInvalidInput, ReasonDuplicateTagKey)
		}
		seen[t.Key] = true
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return refuseWhy(CodeInvalidInput, ReasonInvalidSystemTags)
		}
	}
	if len(tags) > MaxTags {
		return refuseWhy(CodeConstraintViolation, ReasonMaxTagLimit)
	}
	return nil
}

// taggable checks that id is the root, an OU or an account of o.
func (t *txn) taggable(o *orgRecord, id string) error {
	switch {
	case id == o.RootID:
		return nil
	case strings.HasPrefix(id, "ou-"):
		if _, err := t.ouOf(o, id); err != nil {
			return refuse(CodeTargetNotFound)
		}
		return nil
	case strings.HasPrefix(id, "r-"), strings.HasPrefix(id, "p-"), strings.HasPrefix(id, "rp-"), strings.HasPrefix(id, "rt-"):
		return refuse(CodeTargetNotFound)
	}
	if _, err := t.memberRecord(o, id); err != nil {
		return refuse(CodeTargetNotFound)
	}
	return nil
}

// TagResource adds or replaces tags of a root, OU or account.
func (e *Engine) TagResource(ctx context.Context, caller, id string, tags []Tag) error {
	if err := checkTags(tags); err != nil {
		return err
	}
	return e.update(ctx, func(t *txn) error {
		c, err := t.reader(caller)
		if err != nil {
			return err
		}
		if err := t.taggable(c.org, id); err != nil {
			return err
		}
		var cur tagsRecord
		if _, err := t.get(kindTags, id, &cur); err != nil {
			return err
		}
		merged := sortedTags(append(cur.Tags, tags...))
		if len(merged) > MaxTags {
			return refuseWhy(CodeConstraintViolation, ReasonMaxTagLimit)
		}
		return t.put(kindTags, id, tagsRecord{Tags: merged})
	})
}

// UntagResource removes tags; keys a resource does not have are ignored.
func (e *Engine) UntagResource(ctx context.Context, caller, id string, keys []string) error {
	return e.update(ctx, func(t *txn) error {
		c, err := t.reader(caller)
		if err != nil {
			return err
		}
		if err := t.taggable(c.org, id); err != nil {
			return err
		}
		var cur tagsRecord
		if ok, err := t.get(kindTags, id, &cur); err != nil || !ok {
			return err
		}
		drop := map[string]bool{}
		for _, k := range keys {
			drop[k] = true
		}
		kept := cur.Tags[:0]
		for _, tg := range cur.Tags {
			if !drop[tg.Key] {
				kept = append(kept, tg)
			}
		}
		if len(kept) == 0 {
			return t.del(kindTags, id)
		}
		return t.put(kindTags, id, tagsRecord{Tags: kept})
	})
}

// ListTagsForResource returns the tags of a root, OU or account, by key.
func (e *Engine) ListTagsForResource(ctx context.Context, caller, id string, p Page) ([]Tag, string, error) {
	var out []Tag
	var next string
	err := e.view(ctx, func(t *txn) error {
		c, err := t.reader(caller)
		if err != nil {
			return err
		}
		if err := t.taggable(c.org, id); err != nil {
			return err
		}
		after, err := decodeToken("tags:"+id, p.Token)
		if err != nil {
			return err
		}
		var cur tagsRecord
		if _, err := t.get(kindTags, id, &cur); err != nil {
			return err
		}
		out = []Tag{}
		for _, tg := range cur.Tags {
			if after != "" && tg.Key <= after {
				continue
			}
			if len(out) == p.limit() {
				next = encodeToken("tags:"+id, out[len(out)-1].Key)
				break
			}
			out = append(out, tg)
		}
		return nil
	})
	return out, next, err
}
