package organizations

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/localsec/localsec/internal/store"
)

// Description is the engine's whole state in plain values, without its
// index records: what a seed document's organizations section says and
// what an export writes. Records builds the engine's records from it and
// Describe reads it back from them, so that the seed package, which
// knows the document, need not know how the engine keeps its records.
type Description struct {
	Organizations []OrgDescription
	// Standalone are the accounts the engine knows that belong to no
	// organization: invited and not yet joined, left, or removed.
	Standalone []AccountDescription
}

// OrgDescription is one organization with everything in it.
type OrgDescription struct {
	ID, RootID, Management, FeatureSet string
	Created                            time.Time
	// PolicyTypes are the policy types enabled in the root.
	PolicyTypes []string
	// Open: the organization takes in every account of no organization
	// a security service asks about (see Seed).
	Open     bool
	RootTags []Tag
	Units    []UnitDescription
	// Accounts are every account of the organization, the management
	// account included.
	Accounts   []AccountDescription
	Handshakes []HandshakeDescription
	// ServiceAccess are the principals with trusted access.
	ServiceAccess []ServiceAccess
	Delegations   []Delegation
	// CreateRequests are the CreateAccount requests and their outcome.
	CreateRequests []CreateAccountStatus
}

// UnitDescription is an organizational unit.
type UnitDescription struct {
	ID, ParentID, Name string
	Created            time.Time
	Tags               []Tag
}

// AccountDescription is an account the engine knows: in an organization
// (ParentID, JoinedMethod and Joined set) or standalone.
type AccountDescription struct {
	ID, Name, Email        string
	ParentID, JoinedMethod string
	Joined                 time.Time
	State                  string
	// RoleName is the role CreateAccount made in the account, which
	// CreatedBy (a management account) may assume.
	RoleName, CreatedBy string
	// Tags are an organization's tags on the account (none standalone).
	Tags []Tag
}

// HandshakeDescription is a handshake an organization sent. State is the
// stored state: OPEN, ACCEPTED, DECLINED or CANCELED (an OPEN handshake
// past Expires reads as EXPIRED).
type HandshakeDescription struct {
	ID, Action, State  string
	TargetType, Target string
	Notes              string
	Tags               []Tag
	Requested, Expires time.Time
}

// Delegation is a delegated administrator registration.
type Delegation struct {
	Account, Principal string
	Since              time.Time
}

// IsRecordKind reports whether records of kind are the engine's.
func IsRecordKind(kind string) bool { return strings.HasPrefix(kind, "organizations.") }

// Records builds the records, index records included, that hold d, in
// the store's order (kind, then key). It refuses a description whose
// parts do not fit together (an id twice, a parent or an organization
// that is not there, an address of two accounts); it does not check the
// rules of AWS, which the description's author does.
func (d Description) Records() ([]store.Record, error) {
	b := recordBuilder{byKey: map[[2]string][]byte{}}
	orgIDs, roots := map[string]bool{}, map[string]bool{}
	accounts := map[string]string{} // account id -> its organization ("" standalone)
	emails := map[string]string{}   // lower-cased address -> account id
	addAccount := func(org string, a AccountDescription, rec accountRecord) {
		if other, ok := accounts[a.ID]; ok {
			b.fail("account %s is in %q and in %q", a.ID, other, org)
		}
		accounts[a.ID] = org
		addr := strings.ToLower(a.Email)
		if other, ok := emails[addr]; ok && other != a.ID {
			b.fail("accounts %s and %s have one email address, %s", other, a.ID, a.Email)
		}
		emails[addr] = a.ID
		b.put(kindAccount, a.ID, rec)
		b.put(kindEmail, addr, a.ID)
	}
	for _, o := range d.Organizations {
		if orgIDs[o.ID] || roots[o.RootID] {
			b.fail("organization %s or root %s appears twice", o.ID, o.RootID)
		}
		orgIDs[o.ID], roots[o.RootID] = true, true
		policies := slices.Clone(o.PolicyTypes)
		slices.Sort(policies)
		b.put(kindOrg, o.ID, orgRecord{ID: o.ID, Management: o.Management, FeatureSet: o.FeatureSet, RootID: o.RootID,
			Created: o.Created, PolicyTypes: policies, Open: o.Open})
		b.tags(o.RootID, o.RootTags)
		parents := map[string]bool{o.RootID: true}
		for _, u := range o.Units {
			parents[u.ID] = true
		}
		for _, u := range o.Units {
			if !parents[u.ParentID] || u.ParentID == u.ID {
				b.fail("OU %s: parent %q is not the root or an OU of %s", u.ID, u.ParentID, o.ID)
			}
			b.put(kindOU, u.ID, ouRecord{ID: u.ID, OrgID: o.ID, ParentID: u.ParentID, Name: u.Name, Created: u.Created})
			b.index(kindParentOU, u.ParentID, u.ID)
			b.index(kindOrgOU, o.ID, u.ID)
			b.tags(u.ID, u.Tags)
		}
		hasManagement := false
		for _, a := range o.Accounts {
			hasManagement = hasManagement || a.ID == o.Management
			if !parents[a.ParentID] {
				b.fail("account %s: parent %q is not the root or an OU of %s", a.ID, a.ParentID, o.ID)
			}
			addAccount(o.ID, a, accountRecord{ID: a.ID, Name: a.Name, Email: a.Email, OrgID: o.ID, ParentID: a.ParentID,
				JoinedMethod: a.JoinedMethod, Joined: a.Joined, State: a.State, RoleName: a.RoleName, CreatedBy: a.CreatedBy})
			b.index(kindOrgAccount, o.ID, a.ID)
			b.index(kindParentAccount, a.ParentID, a.ID)
			b.tags(a.ID, a.Tags)
		}
		if !hasManagement {
			b.fail("organization %s: its management account %s is not among its accounts", o.ID, o.Management)
		}
		for _, h := range o.Handshakes {
			var tags []Tag
			if len(h.Tags) > 0 {
				tags = sortedTags(h.Tags)
			}
			b.put(kindHandshake, h.ID, handshakeRecord{ID: h.ID, OrgID: o.ID, Action: h.Action, State: h.State,
				TargetType: h.TargetType, Target: h.Target, Notes: h.Notes, Tags: tags, Requested: h.Requested, Expires: h.Expires})
			b.index(kindOrgHandshake, o.ID, h.ID)
			b.index(kindTargetHandshake, targetKey(h.TargetType, h.Target), h.ID)
		}
		for _, s := range o.ServiceAccess {
			b.put(kindServiceAccess, o.ID+"/"+s.Principal, accessRecord{Principal: s.Principal, Enabled: s.Enabled})
		}
		for _, g := range o.Delegations {
			if accounts[g.Account] != o.ID {
				b.fail("delegated administrator %s of %s is not an account of %s", g.Account, g.Principal, o.ID)
			}
			rec := delegatedRecord{Account: g.Account, Principal: g.Principal, Since: g.Since}
			b.put(kindDelegatedAdmin, o.ID+"/"+g.Principal+"/"+g.Account, rec)
			b.put(kindAccountDelegation, g.Account+"/"+g.Principal, rec)
		}
		for _, c := range o.CreateRequests {
			b.put(kindCreateStatus, c.ID, createRecord{ID: c.ID, OrgID: o.ID, AccountName: c.AccountName, State: c.State,
				Requested: c.Requested, Completed: c.Completed, AccountID: c.AccountID, FailureReason: c.FailureReason})
			b.index(kindOrgCreateStatus, o.ID, c.ID)
		}
	}
	for _, a := range d.Standalone {
		addAccount("", a, accountRecord{ID: a.ID, Name: a.Name, Email: a.Email, State: a.State, RoleName: a.RoleName, CreatedBy: a.CreatedBy})
	}
	// A handshake's recipient by id is an account the engine knows, as
	// InviteAccountToOrganization makes it; by address, the address is.
	for _, o := range d.Organizations {
		for _, h := range o.Handshakes {
			switch _, known := accounts[h.Target]; {
			case h.TargetType == PartyAccount && !known:
				b.fail("handshake %s: its target %s is not an account of the description", h.ID, h.Target)
			case h.TargetType == PartyEmail && emails[strings.ToLower(h.Target)] == "":
				b.fail("handshake %s: no account has its target address %s", h.ID, h.Target)
			}
		}
	}
	if err := errors.Join(b.errs...); err != nil {
		return nil, fmt.Errorf("organizations: %w", err)
	}
	out := make([]store.Record, 0, len(b.byKey))
	for k, v := range b.byKey {
		out = append(out, store.Record{Kind: k[0], Key: k[1], Value: v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Key < out[j].Key
	})
	return out, nil
}

// recordBuilder collects records by kind and key, and what went wrong.
type recordBuilder struct {
	byKey map[[2]string][]byte
	errs  []error
}

func (b *recordBuilder) fail(format string, args ...any) {
	b.errs = append(b.errs, fmt.Errorf(format, args...))
}

func (b *recordBuilder) put(kind, key string, v any) {
	if _, dup := b.byKey[[2]string{kind, key}]; dup {
		b.fail("%s %s appears twice", strings.TrimPrefix(kind, "organizations."), key)
		return
	}
	value, err := json.Marshal(v)
	if err != nil {
		b.errs = append(b.errs, err)
		return
	}
	b.byKey[[2]string{kind, key}] = value
}

func (b *recordBuilder) index(kind, a, c string) {
	b.byKey[[2]string{kind, a + "/" + c}] = []byte("{}")
}

func (b *recordBuilder) tags(id string, tags []Tag) {
	if len(tags) > 0 {
		b.put(kindTags, id, tagsRecord{Tags: sortedTags(tags)})
	}
}

// Describe reads the engine's records (those of other kinds are
// ignored) as a description: organizations by id, in each the OUs with
// every parent before its children, accounts by id, handshakes and
// CreateAccount requests oldest first, principals by name; standalone
// accounts by id. It fails when the records hold something a
// description cannot say, so that Records of the description gives
// exactly the records read: a caller may then keep the records as they
// are.
func Describe(records []store.Record) (Description, error) {
	var mine []store.Record
	for _, r := range records {
		if IsRecordKind(r.Kind) {
			mine = append(mine, r)
		}
	}
	d, unfit, err := describe(mine)
	if err == nil {
		err = unfit
	}
	if err != nil {
		return Description{}, err
	}
	back, err := d.Records()
	if err != nil {
		return Description{}, fmt.Errorf("organizations: the records do not describe: %w", err)
	}
	if err := sameRecords(mine, back); err != nil {
		return Description{}, fmt.Errorf("organizations: the records do not describe: %w", err)
	}
	return d, nil
}

// describedKinds are the kinds of records describe reads; the others are
// indexes, which Records makes again (and Describe compares).
var describedKinds = []string{kindOrg, kindAccount, kindOU, kindHandshake, kindCreateStatus, kindTags,
	kindServiceAccess, kindDelegatedAdmin}

// describe reads records as a description, in the order Describe gives.
// A record it cannot decode fails it (err). What does not fit together
// (a record of an organization that is not there, tags of nothing) is
// left out of the description and reported in unfit: Describe refuses
// it, Overviews passes it over.
func describe(records []store.Record) (d Description, unfit, err error) {
	var problems []error
	decode := func(r store.Record, v any) bool {
		if err := json.Unmarshal(r.Value, v); err != nil {
			problems = append(problems, fmt.Errorf("record %s/%s: %w", r.Kind, r.Key, err))
			return false
		}
		return true
	}
	orgs := map[string]*OrgDescription{}
	var orgOrder []string
	var accounts []accountRecord
	var units []ouRecord
	var handshakes []handshakeRecord
	var creates []createRecord
	tags := map[string][]Tag{}
	type keyed struct {
		key string
		v   any
	}
	var access, delegations []keyed
	for _, r := range records {
		switch r.Kind {
		case kindOrg:
			var o orgRecord
			if decode(r, &o) {
				orgs[o.ID] = &OrgDescription{ID: o.ID, RootID: o.RootID, Management: o.Management, FeatureSet: o.FeatureSet,
					Created: o.Created, PolicyTypes: o.PolicyTypes, Open: o.Open}
				orgOrder = append(orgOrder, o.ID)
			}
		case kindAccount:
			var a accountRecord
			if decode(r, &a) {
				accounts = append(accounts, a)
			}
		case kindOU:
			var u ouRecord
			if decode(r, &u) {
				units = append(units, u)
			}
		case kindHandshake:
			var h handshakeRecord
			if decode(r, &h) {
				handshakes = append(handshakes, h)
			}
		case kindCreateStatus:
			var c createRecord
			if decode(r, &c) {
				creates = append(creates, c)
			}
		case kindTags:
			var tr tagsRecord
			if decode(r, &tr) {
				tags[r.Key] = tr.Tags
			}
		case kindServiceAccess:
			var a accessRecord
			if decode(r, &a) {
				access = append(access, keyed{r.Key, a})
			}
		case kindDelegatedAdmin:
			var g delegatedRecord
			if decode(r, &g) {
				delegations = append(delegations, keyed{r.Key, g})
			}
		}
		// The other kinds are indexes: see describedKinds.
	}
	if len(problems) > 0 {
		return d, nil, errors.Join(problems...)
	}
	org := func(id, what string) *OrgDescription {
		o, ok := orgs[id]
		if !ok {
			problems = append(problems, fmt.Errorf("%s: organization %q is not there", what, id))
		}
		return o
	}
	used := map[string]bool{}
	for _, u := range units {
		if o := org(u.OrgID, "OU "+u.ID); o != nil {
			o.Units = append(o.Units, UnitDescription{ID: u.ID, ParentID: u.ParentID, Name: u.Name, Created: u.Created, Tags: tags[u.ID]})
			used[u.ID] = true
		}
	}
	for _, a := range accounts {
		desc := AccountDescription{ID: a.ID, Name: a.Name, Email: a.Email, ParentID: a.ParentID, JoinedMethod: a.JoinedMethod,
			Joined: a.Joined, State: a.State, RoleName: a.RoleName, CreatedBy: a.CreatedBy}
		if a.OrgID == "" {
			d.Standalone = append(d.Standalone, desc)
			continue
		}
		if o := org(a.OrgID, "account "+a.ID); o != nil {
			desc.Tags = tags[a.ID]
			used[a.ID] = true
			o.Accounts = append(o.Accounts, desc)
		}
	}
	for _, h := range handshakes {
		if o := org(h.OrgID, "handshake "+h.ID); o != nil {
			o.Handshakes = append(o.Handshakes, HandshakeDescription{ID: h.ID, Action: h.Action, State: h.State,
				TargetType: h.TargetType, Target: h.Target, Notes: h.Notes, Tags: h.Tags, Requested: h.Requested, Expires: h.Expires})
		}
	}
	for _, c := range creates {
		if o := org(c.OrgID, "CreateAccount request "+c.ID); o != nil {
			o.CreateRequests = append(o.CreateRequests, statusOf(&c))
		}
	}
	for _, k := range access {
		orgID, _, _ := strings.Cut(k.key, "/")
		if o := org(orgID, "trusted access "+k.key); o != nil {
			a := k.v.(accessRecord)
			o.ServiceAccess = append(o.ServiceAccess, ServiceAccess{Principal: a.Principal, Enabled: a.Enabled})
		}
	}
	for _, k := range delegations {
		orgID, _, _ := strings.Cut(k.key, "/")
		if o := org(orgID, "delegated administrator "+k.key); o != nil {
			g := k.v.(delegatedRecord)
			o.Delegations = append(o.Delegations, Delegation{Account: g.Account, Principal: g.Principal, Since: g.Since})
		}
	}
	sort.Strings(orgOrder)
	for _, id := range orgOrder {
		o := orgs[id]
		o.RootTags = tags[o.RootID]
		used[o.RootID] = true
		o.Units = unitsParentsFirst(o.RootID, o.Units)
		slices.SortFunc(o.Accounts, func(a, b AccountDescription) int { return strings.Compare(a.ID, b.ID) })
		slices.SortFunc(o.Handshakes, func(a, b HandshakeDescription) int {
			if c := a.Requested.Compare(b.Requested); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
		slices.SortFunc(o.CreateRequests, func(a, b CreateAccountStatus) int {
			if c := a.Requested.Compare(b.Requested); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
		slices.SortFunc(o.ServiceAccess, func(a, b ServiceAccess) int { return strings.Compare(a.Principal, b.Principal) })
		slices.SortFunc(o.Delegations, func(a, b Delegation) int {
			return strings.Compare(a.Principal+"/"+a.Account, b.Principal+"/"+b.Account)
		})
		d.Organizations = append(d.Organizations, *o)
	}
	slices.SortFunc(d.Standalone, func(a, b AccountDescription) int { return strings.Compare(a.ID, b.ID) })
	for id := range tags {
		if !used[id] {
			problems = append(problems, fmt.Errorf("tags of %s: no root, OU or account of an organization has that id", id))
		}
	}
	return d, errors.Join(problems...), nil
}

// unitsParentsFirst orders OUs depth first from the root, the OUs of one
// parent by name then id; OUs the walk does not reach (a broken parent
// or a cycle, which the engine never leaves) come last, by id, rather
// than being lost.
func unitsParentsFirst(root string, units []UnitDescription) []UnitDescription {
	children := map[string][]UnitDescription{}
	for _, u := range units {
		children[u.ParentID] = append(children[u.ParentID], u)
	}
	out := make([]UnitDescription, 0, len(units))
	seen := map[string]bool{}
	var walk func(parent string)
	walk = func(parent string) {
		kids := children[parent]
		slices.SortFunc(kids, func(a, b UnitDescription) int {
			if c := strings.Compare(a.Name, b.Name); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
		for _, u := range kids {
			if seen[u.ID] {
				continue
			}
			seen[u.ID] = true
			out = append(out, u)
			walk(u.ID)
		}
	}
	walk(root)
	var rest []UnitDescription
	for _, u := range units {
		if !seen[u.ID] {
			rest = append(rest, u)
		}
	}
	slices.SortFunc(rest, func(a, b UnitDescription) int { return strings.Compare(a.ID, b.ID) })
	return append(out, rest...)
}

// sameRecords reports the first difference between two sets of records.
func sameRecords(want, got []store.Record) error {
	index := func(rs []store.Record) map[[2]string][]byte {
		m := make(map[[2]string][]byte, len(rs))
		for _, r := range rs {
			m[[2]string{r.Kind, r.Key}] = r.Value
		}
		return m
	}
	w, g := index(want), index(got)
	keys := make([][2]string, 0, len(w)+len(g))
	for k := range w {
		keys = append(keys, k)
	}
	for k := range g {
		if _, ok := w[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+"\x00"+keys[i][1] < keys[j][0]+"\x00"+keys[j][1] })
	for _, k := range keys {
		wv, inW := w[k]
		gv, inG := g[k]
		switch {
		case !inG:
			return fmt.Errorf("record %s/%s would be lost", k[0], k[1])
		case !inW:
			return fmt.Errorf("record %s/%s would be made up", k[0], k[1])
		case !bytes.Equal(wv, gv):
			return fmt.Errorf("record %s/%s would change from %s to %s", k[0], k[1], wv, gv)
		}
	}
	return nil
}
