package organizations

import (
	"context"
	"strings"
)

// OrganizationalUnit is an OU of an organization.
type OrganizationalUnit struct {
	ID         string
	OrgID      string
	Management string
	Name       string
	// Path is o-…/r-…/ou-…/…/ down to the OU, with a trailing slash.
	Path string
}

func (t *txn) unit(o *orgRecord, ou *ouRecord) (OrganizationalUnit, error) {
	p, err := t.path(o, ou.ParentID)
	if err != nil {
		return OrganizationalUnit{}, err
	}
	return OrganizationalUnit{ID: ou.ID, OrgID: o.ID, Management: o.Management, Name: ou.Name, Path: p + ou.ID + "/"}, nil
}

// ouOf returns an OU of o; OrganizationalUnitNotFound when it is not one.
func (t *txn) ouOf(o *orgRecord, id string) (ouRecord, error) {
	var ou ouRecord
	ok, err := t.get(kindOU, id, &ou)
	if err != nil {
		return ou, err
	}
	if !ok || ou.OrgID != o.ID {
		return ou, refuse(CodeOUNotFound)
	}
	return ou, nil
}

// nameTaken reports whether parent has an OU named name other than except.
func (t *txn) nameTaken(parent, name, except string) (bool, error) {
	ids, err := t.indexed(kindParentOU, parent, "", 0)
	if err != nil {
		return false, err
	}
	for _, id := range ids {
		if id == except {
			continue
		}
		var ou ouRecord
		if ok, err := t.get(kindOU, id, &ou); err != nil {
			return false, err
		} else if ok && ou.Name == name {
			return true, nil
		}
	}
	return false, nil
}

// CreateOrganizationalUnit creates an OU in a root or OU. Names are unique
// among the OUs of one parent (spec §3.5).
func (e *Engine) CreateOrganizationalUnit(ctx context.Context, caller, parent, name string, tags []Tag) (OrganizationalUnit, error) {
	if err := checkTags(tags); err != nil {
		return OrganizationalUnit{}, err
	}
	var out OrganizationalUnit
	err := e.update(ctx, func(t *txn) error {
		c, err := t.manager(caller)
		if err != nil {
			return err
		}
		o := c.org
		if ok, err := t.parentExists(o, parent); err != nil {
			return err
		} else if !ok {
			return refuse(CodeParentNotFound)
		}
		if taken, err := t.nameTaken(parent, name, ""); err != nil {
			return err
		} else if taken {
			return refuse(CodeDuplicateOU)
		}
		path, err := t.path(o, parent)
		if err != nil {
			return err
		}
		// o-…/r-…/ plus one segment per OU: the new one would be at
		// depth count+1.
		if strings.Count(path, "/")-2+1 > MaxOUDepth {
			return refuseWhy(CodeConstraintViolation, ReasonOUDepthLimit)
		}
		if all, err := t.indexed(kindOrgOU, o.ID, "", MaxOUs); err != nil {
			return err
		} else if len(all) >= MaxOUs {
			return refuseWhy(CodeConstraintViolation, ReasonOUNumberLimit)
		}
		ou := ouRecord{ID: "ou-" + strings.TrimPrefix(o.RootID, "r-") + "-" + e.newID(8), OrgID: o.ID,
			ParentID: parent, Name: name, Created: t.now}
		for _, w := range []func() error{
			func() error { return t.put(kindOU, ou.ID, ou) },
			func() error { return t.index(kindParentOU, parent, ou.ID) },
			func() error { return t.index(kindOrgOU, o.ID, ou.ID) },
		} {
			if err := w(); err != nil {
				return err
			}
		}
		if len(tags) > 0 {
			if err := t.put(kindTags, ou.ID, tagsRecord{Tags: sortedTags(tags)}); err != nil {
				return err
			}
		}
		out, err = t.unit(o, &ou)
		return err
	})
	return out, err
}

// DescribeOrganizationalUnit returns an OU of the caller's organization.
func (e *Engine) DescribeOrganizationalUnit(ctx context.Context, caller, id string) (OrganizationalUnit, error) {
	var out OrganizationalUnit
	err := e.view(ctx, func(t *txn) error {
		c, err := t.reader(caller)
		if err != nil {
			return err
		}
		ou, err := t.ouOf(c.org, id)
		if err != nil {
			return err
		}
		out, err = t.unit(c.org, &ou)
		return err
	})
	return out, err
}

// UpdateOrganizationalUnit renames an OU.
func (e *Engine) UpdateOrganizationalUnit(ctx context.Context, caller, id, name string) (OrganizationalUnit, error) {
	var out OrganizationalUnit
	err := e.update(ctx, func(t *txn) error {
		c, err := t.manager(caller)
		if err != nil {
			return err
		}
		ou, err := t.ouOf(c.org, id)
		if err != nil {
			return err
		}
		if name != "" {
			if taken, err := t.nameTaken(ou.ParentID, name, ou.ID); err != nil {
				return err
			} else if taken {
				return refuse(CodeDuplicateOU)
			}
			ou.Name = name
			if err := t.put(kindOU, ou.ID, ou); err != nil {
				return err
			}
		}
		out, err = t.unit(c.org, &ou)
		return err
	})
	return out, err
}

// DeleteOrganizationalUnit deletes an OU that holds no account and no OU.
func (e *Engine) DeleteOrganizationalUnit(ctx context.Context, caller, id string) error {
	return e.update(ctx, func(t *txn) error {
		c, err := t.manager(caller)
		if err != nil {
			return err
		}
		ou, err := t.ouOf(c.org, id)
		if err != nil {
			return err
		}
		for _, kind := range []string{kindParentAccount, kindParentOU} {
			if children, err := t.indexed(kind, id, "", 1); err != nil {
				return err
			} else if len(children) > 0 {
				return refuse(CodeOUNotEmpty)
			}
		}
		for _, del := range []func() error{
			func() error { return t.del(kindOU, id) },
			func() error { return t.unindex(kindParentOU, ou.ParentID, id) },
			func() error { return t.unindex(kindOrgOU, c.org.ID, id) },
			func() error { return t.del(kindTags, id) },
		} {
			if err := del(); err != nil {
				return err
			}
		}
		return nil
	})
}

// ListOrganizationalUnitsForParent lists the OUs directly in a root or OU.
func (e *Engine) ListOrganizationalUnitsForParent(ctx context.Context, caller, parent string, p Page) ([]OrganizationalUnit, string, error) {
	var out []OrganizationalUnit
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
		ids, tok, err := t.paged(kindParentOU, parent, "ous-for-parent:"+parent, p)
		if err != nil {
			return err
		}
		next = tok
		for _, id := range ids {
			ou, err := t.ouOf(c.org, id)
			if err != nil {
				return err
			}
			u, err := t.unit(c.org, &ou)
			if err != nil {
				return err
			}
			out = append(out, u)
		}
		return nil
	})
	return out, next, err
}
