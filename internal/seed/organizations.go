package seed

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/organizations"
	"github.com/localsec/localsec/internal/store"
)

// The organizations section describes AWS Organizations' state in full,
// readably:
//
//	organizations:
//	  - managementAccount: "999999999999"
//	    organizationalUnits:
//	      - name: Workloads
//	      - name: Prod
//	        parent: Workloads           # a path of OU names, or an id
//	    accounts:
//	      - id: "222222222222"
//	        parent: Workloads/Prod
//	        tags: {team: payments}
//	    handshakes:
//	      - target: "444444444444"      # an open invitation
//	    trustedAccess:
//	      - servicePrincipal: guardduty.amazonaws.com
//	    delegatedAdministrators:
//	      - account: "222222222222"
//	        servicePrincipal: guardduty.amazonaws.com
//
// What a hand-written section leaves out gets what the engine would
// have given: ids, times (now), the feature set ALL, parents (the root),
// the management account among the accounts, names and email addresses
// (the accounts section's, else account-<id> and
// account-<id>@localsec.invalid), accounts CREATED and ACTIVE. An export
// writes every id and time, so that it seeds the same records; it writes
// the section instead of the engine's records and, the state being all
// there, without the organization shortcut.

// OrganizationState is one organization with everything in it.
type OrganizationState struct {
	// ID is o- and 10 to 32 lowercase letters or digits; made up when
	// absent, as RootID (r- and 4 to 32).
	ID                string     `json:"id,omitempty" yaml:"id,omitempty"`
	ManagementAccount string     `json:"managementAccount" yaml:"managementAccount"`
	FeatureSet        string     `json:"featureSet,omitempty" yaml:"featureSet,omitempty"`
	RootID            string     `json:"rootId,omitempty" yaml:"rootId,omitempty"`
	CreatedAt         *time.Time `json:"createdAt,omitempty" yaml:"createdAt,omitempty"`
	// PolicyTypes are the policy types enabled in the root.
	PolicyTypes []string `json:"policyTypes,omitempty" yaml:"policyTypes,omitempty"`
	// Open: every account of no organization that a security service
	// asks about joins it (the flags' organization without accounts).
	Open                    bool                     `json:"open,omitempty" yaml:"open,omitempty"`
	RootTags                map[string]string        `json:"rootTags,omitempty" yaml:"rootTags,omitempty"`
	OrganizationalUnits     []OrganizationalUnit     `json:"organizationalUnits,omitempty" yaml:"organizationalUnits,omitempty"`
	Accounts                []OrganizationAccount    `json:"accounts,omitempty" yaml:"accounts,omitempty"`
	Handshakes              []Handshake              `json:"handshakes,omitempty" yaml:"handshakes,omitempty"`
	TrustedAccess           []TrustedAccess          `json:"trustedAccess,omitempty" yaml:"trustedAccess,omitempty"`
	DelegatedAdministrators []DelegatedAdministrator `json:"delegatedAdministrators,omitempty" yaml:"delegatedAdministrators,omitempty"`
	CreateAccountStatuses   []CreateAccountStatus    `json:"createAccountStatuses,omitempty" yaml:"createAccountStatuses,omitempty"`
}

// OrganizationalUnit is an OU. Parent is the root (empty, or the root's
// id), an OU's id, or the path of OU names from the root down to it
// (Workloads/Prod).
type OrganizationalUnit struct {
	ID        string            `json:"id,omitempty" yaml:"id,omitempty"`
	Name      string            `json:"name" yaml:"name"`
	Parent    string            `json:"parent,omitempty" yaml:"parent,omitempty"`
	Tags      map[string]string `json:"tags,omitempty" yaml:"tags,omitempty"`
	CreatedAt *time.Time        `json:"createdAt,omitempty" yaml:"createdAt,omitempty"`
}

// OrganizationAccount is an account of an organization. JoinedMethod is
// CREATED (the default) or INVITED (the management account's default);
// State ACTIVE (the default), SUSPENDED, PENDING_CLOSURE or CLOSED.
// RoleName is the role CreateAccount made, which CreatedBy (by default
// the management account) may assume.
type OrganizationAccount struct {
	ID           string            `json:"id" yaml:"id"`
	Name         string            `json:"name,omitempty" yaml:"name,omitempty"`
	Email        string            `json:"email,omitempty" yaml:"email,omitempty"`
	Parent       string            `json:"parent,omitempty" yaml:"parent,omitempty"`
	JoinedMethod string            `json:"joinedMethod,omitempty" yaml:"joinedMethod,omitempty"`
	JoinedAt     *time.Time        `json:"joinedAt,omitempty" yaml:"joinedAt,omitempty"`
	State        string            `json:"state,omitempty" yaml:"state,omitempty"`
	RoleName     string            `json:"roleName,omitempty" yaml:"roleName,omitempty"`
	CreatedBy    string            `json:"createdBy,omitempty" yaml:"createdBy,omitempty"`
	Tags         map[string]string `json:"tags,omitempty" yaml:"tags,omitempty"`
}

// Handshake is an invitation the organization sent to an account, by id
// or by email address (TargetType ACCOUNT or EMAIL, by default what
// Target looks like). State is OPEN (the default), ACCEPTED, DECLINED or
// CANCELED; an OPEN one past ExpiresAt (by default 15 days after
// RequestedAt) reads as EXPIRED.
type Handshake struct {
	ID          string            `json:"id,omitempty" yaml:"id,omitempty"`
	Target      string            `json:"target" yaml:"target"`
	TargetType  string            `json:"targetType,omitempty" yaml:"targetType,omitempty"`
	State       string            `json:"state,omitempty" yaml:"state,omitempty"`
	Notes       string            `json:"notes,omitempty" yaml:"notes,omitempty"`
	Tags        map[string]string `json:"tags,omitempty" yaml:"tags,omitempty"`
	RequestedAt *time.Time        `json:"requestedAt,omitempty" yaml:"requestedAt,omitempty"`
	ExpiresAt   *time.Time        `json:"expiresAt,omitempty" yaml:"expiresAt,omitempty"`
}

// TrustedAccess is a service principal with trusted access.
type TrustedAccess struct {
	ServicePrincipal string     `json:"servicePrincipal" yaml:"servicePrincipal"`
	EnabledAt        *time.Time `json:"enabledAt,omitempty" yaml:"enabledAt,omitempty"`
}

// DelegatedAdministrator is an account registered as a service
// principal's delegated administrator.
type DelegatedAdministrator struct {
	Account          string     `json:"account" yaml:"account"`
	ServicePrincipal string     `json:"servicePrincipal" yaml:"servicePrincipal"`
	DelegatedAt      *time.Time `json:"delegatedAt,omitempty" yaml:"delegatedAt,omitempty"`
}

// CreateAccountStatus is a CreateAccount request: SUCCEEDED with the
// account it made, or FAILED with its reason.
type CreateAccountStatus struct {
	ID            string     `json:"id,omitempty" yaml:"id,omitempty"`
	AccountName   string     `json:"accountName" yaml:"accountName"`
	State         string     `json:"state,omitempty" yaml:"state,omitempty"`
	AccountID     string     `json:"accountId,omitempty" yaml:"accountId,omitempty"`
	FailureReason string     `json:"failureReason,omitempty" yaml:"failureReason,omitempty"`
	RequestedAt   *time.Time `json:"requestedAt,omitempty" yaml:"requestedAt,omitempty"`
	CompletedAt   *time.Time `json:"completedAt,omitempty" yaml:"completedAt,omitempty"`
}

// StandaloneAccount is an account AWS Organizations knows that belongs to
// no organization: invited and not yet joined, or one that left or was
// removed (with the role CreateAccount made, if it made it).
type StandaloneAccount struct {
	ID        string `json:"id" yaml:"id"`
	Name      string `json:"name,omitempty" yaml:"name,omitempty"`
	Email     string `json:"email,omitempty" yaml:"email,omitempty"`
	State     string `json:"state,omitempty" yaml:"state,omitempty"`
	RoleName  string `json:"roleName,omitempty" yaml:"roleName,omitempty"`
	CreatedBy string `json:"createdBy,omitempty" yaml:"createdBy,omitempty"`
}

// idShape is the shape of one kind of id, from the Organizations model's
// patterns.
type idShape struct {
	kind    string // what the id names, in messages
	pattern *regexp.Regexp
	words   string // the pattern, in messages
}

var (
	orgIDShape       = idShape{"organization", regexp.MustCompile(`^o-[a-z0-9]{10,32}$`), "o- and 10 to 32 lowercase letters or digits"}
	rootIDShape      = idShape{"root", regexp.MustCompile(`^r-[0-9a-z]{4,32}$`), "r- and 4 to 32 lowercase letters or digits"}
	ouIDShape        = idShape{"organizational unit", regexp.MustCompile(`^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`), "ou-, 4 to 32 and 8 to 32 lowercase letters or digits"}
	handshakeIDShape = idShape{"handshake", regexp.MustCompile(`^h-[0-9a-z]{8,32}$`), "h- and 8 to 32 lowercase letters or digits"}
	createIDShape    = idShape{"CreateAccount request", regexp.MustCompile(`^car-[a-z0-9]{8,32}$`), "car- and 8 to 32 lowercase letters or digits"}
	emailPattern     = regexp.MustCompile(`^[^\s@]+@[^\s@]+\.[^\s@]+$`)
)

// identity is the name and email an account gets when the section gives
// none: the accounts section's, else the engine's defaults.
func (d Directory) identity(account string) (name, email string) {
	for _, a := range d.Accounts {
		if a.ID == account {
			name, email = a.Name, a.Email
		}
	}
	if name == "" {
		name = "account-" + account
	}
	if email == "" {
		email = "account-" + account + "@localsec.invalid"
	}
	return name, email
}

// orgLoader turns the organizations section into a description of the
// engine's state, reporting every problem with its place.
type orgLoader struct {
	dir   Directory
	now   time.Time
	newID func() string
	bad   func(where, format string, args ...any)
	// accounts: every account the section places, to the place it is
	// placed first.
	accounts map[string]string
	// emails: lower-cased address to the account that has it.
	emails map[string]string
	// ids: organization, root, OU, handshake and request ids to their
	// place.
	ids map[string]string
}

// loadOrganizations reads doc's organizations and standalone accounts;
// none is an empty description.
func loadOrganizations(doc Document, dir Directory, now time.Time, newID func() string, bad func(string, string, ...any)) organizations.Description {
	l := &orgLoader{dir: dir, now: now, newID: newID, bad: bad, accounts: map[string]string{}, emails: map[string]string{},
		ids: map[string]string{}}
	var d organizations.Description
	for i, o := range doc.Organizations {
		d.Organizations = append(d.Organizations, l.organization(fmt.Sprintf("organizations[%d]", i), o))
	}
	for i, a := range doc.StandaloneAccounts {
		where := fmt.Sprintf("standaloneAccounts[%d]", i)
		name, email := l.identity(where, a.ID, a.Name, a.Email)
		l.account(where, a.ID, email)
		state := l.state(where, a.State)
		if a.CreatedBy != "" && !membership.IsAccountID(a.CreatedBy) {
			bad(where, "createdBy %q is not a 12-digit account id", a.CreatedBy)
		}
		d.Standalone = append(d.Standalone, organizations.AccountDescription{ID: a.ID, Name: name, Email: email, State: state,
			RoleName: a.RoleName, CreatedBy: a.CreatedBy})
	}
	// An invitation by id reaches an account the engine then knows; one
	// the section does not place is standalone, named by the accounts
	// section, as InviteAccountToOrganization would have made it.
	for i, o := range d.Organizations {
		for j, h := range o.Handshakes {
			where := fmt.Sprintf("organizations[%d].handshakes[%d]", i, j)
			switch {
			case h.TargetType == organizations.PartyEmail:
				if l.emails[strings.ToLower(h.Target)] == "" {
					bad(where, "no account of the organizations or standaloneAccounts sections has the address %s", h.Target)
				}
			case membership.IsAccountID(h.Target) && l.accounts[h.Target] == "":
				name, email := l.identity(where, h.Target, "", "")
				l.account(where, h.Target, email)
				d.Standalone = append(d.Standalone, organizations.AccountDescription{ID: h.Target, Name: name, Email: email,
					State: organizations.StateActive})
			}
		}
	}
	return d
}

// identity fills in an account's name and email, checking those the
// section gives (the others are what the engine takes for any account).
func (l *orgLoader) identity(where, id, name, email string) (string, string) {
	if n := utf8.RuneCountInString(name); name != "" && n > 50 {
		l.bad(where, "name %q is longer than 50 characters", name)
	}
	if email != "" && (!emailPattern.MatchString(email) || len(email) > 64) {
		l.bad(where, "email %q is not an address of at most 64 characters", email)
	}
	dn, de := l.dir.identity(id)
	if name == "" {
		name = dn
	}
	if email == "" {
		email = de
	}
	return name, email
}

// account checks that an account the section places is placed once, and
// that its address is its own.
func (l *orgLoader) account(where, id, email string) {
	if !membership.IsAccountID(id) {
		l.bad(where, "id %q is not a 12-digit account id", id)
	} else if other, ok := l.accounts[id]; ok {
		l.bad(where, "account %s is also %s: an account belongs to one organization at most", id, other)
	} else {
		l.accounts[id] = where
	}
	addr := strings.ToLower(email)
	if other, ok := l.emails[addr]; ok && other != id {
		l.bad(where, "email %s is also account %s's: addresses are unique", email, other)
	}
	l.emails[addr] = id
}

func (l *orgLoader) state(where, s string) string {
	switch s {
	case "":
		return organizations.StateActive
	case organizations.StateActive, organizations.StateSuspended, organizations.StatePendingClosure, organizations.StateClosed:
		return s
	}
	l.bad(where, "state %q is not ACTIVE, SUSPENDED, PENDING_CLOSURE or CLOSED", s)
	return s
}

func (l *orgLoader) at(t *time.Time) time.Time {
	if t == nil {
		return l.now
	}
	return t.UTC()
}

// drawn returns the last n characters of a new id.
func (l *orgLoader) drawn(n int) string {
	id := l.newID()
	return id[len(id)-n:]
}

// id returns the id the section gives in field, checked against its
// shape, or when it gives none prefix and n drawn characters, as the
// engine makes one; either way claimed for where: no two things share an
// id.
func (l *orgLoader) id(where, field string, shape idShape, given, prefix string, n int) string {
	id := given
	if id == "" {
		id = prefix + l.drawn(n)
	} else if !shape.pattern.MatchString(id) {
		l.bad(where, "%s %q is not %s", field, id, shape.words)
	}
	if other, ok := l.ids[id]; ok {
		l.bad(where, "%s %s is also %s", shape.kind, id, other)
	} else {
		l.ids[id] = where
	}
	return id
}

func (l *orgLoader) tags(where string, m map[string]string) []organizations.Tag {
	if len(m) > organizations.MaxTags {
		l.bad(where, "%d tags: at most %d", len(m), organizations.MaxTags)
	}
	var out []organizations.Tag
	for _, k := range slices.Sorted(maps.Keys(m)) {
		switch {
		case k == "" || utf8.RuneCountInString(k) > 128:
			l.bad(where, "tag key %q is not 1 to 128 characters", k)
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			l.bad(where, "tag key %q: keys starting with aws: are AWS's", k)
		case utf8.RuneCountInString(m[k]) > 256:
			l.bad(where, "the value of tag %q is longer than 256 characters", k)
		}
		out = append(out, organizations.Tag{Key: k, Value: m[k]})
	}
	return out
}

func (l *orgLoader) organization(where string, o OrganizationState) organizations.OrgDescription {
	bad := l.bad
	mgmt := o.ManagementAccount
	if !membership.IsAccountID(mgmt) {
		bad(where, "managementAccount %q is not a 12-digit account id", mgmt)
	}
	d := organizations.OrgDescription{Management: mgmt, FeatureSet: o.FeatureSet,
		Created: l.at(o.CreatedAt), Open: o.Open, RootTags: l.tags(where+".rootTags", o.RootTags)}
	d.ID = l.id(where, "id", orgIDShape, o.ID, "o-", 10)
	d.RootID = l.id(where, "rootId", rootIDShape, o.RootID, "r-", 4)
	switch d.FeatureSet {
	case "":
		d.FeatureSet = organizations.FeatureSetAll
	case organizations.FeatureSetAll, organizations.FeatureSetConsolidatedBilling:
	default:
		bad(where, "featureSet %q is not ALL or CONSOLIDATED_BILLING", d.FeatureSet)
	}
	allFeatures := d.FeatureSet == organizations.FeatureSetAll
	for i, p := range o.PolicyTypes {
		pw := fmt.Sprintf("%s.policyTypes[%d]", where, i)
		switch {
		case p == "":
			bad(pw, "a policy type is required")
		case slices.Contains(o.PolicyTypes[:i], p):
			bad(pw, "policy type %s appears twice", p)
		case !allFeatures:
			bad(pw, "policy types need featureSet ALL")
		}
		d.PolicyTypes = append(d.PolicyTypes, p)
	}

	parents := l.units(where, o.OrganizationalUnits, &d)

	hasManagement := false
	for i, a := range o.Accounts {
		aw := fmt.Sprintf("%s.accounts[%d]", where, i)
		name, email := l.identity(aw, a.ID, a.Name, a.Email)
		l.account(aw, a.ID, email)
		method := a.JoinedMethod
		switch {
		case method == "" && a.ID == mgmt:
			method = organizations.JoinedInvited // as CreateOrganization lists it
		case method == "":
			method = organizations.JoinedCreated
		case method != organizations.JoinedCreated && method != organizations.JoinedInvited:
			bad(aw, "joinedMethod %q is not CREATED or INVITED", method)
		}
		state := l.state(aw, a.State)
		if a.ID == mgmt {
			hasManagement = true
			if state != organizations.StateActive {
				bad(aw, "the management account is %s: it can only be ACTIVE", state)
			}
		}
		parent, ok := parents(a.Parent)
		if !ok {
			bad(aw, "parent %q is not the root (%s), an OU id or a path of OU names of this organization", a.Parent, d.RootID)
		}
		createdBy := a.CreatedBy
		if createdBy == "" && a.RoleName != "" {
			createdBy = mgmt
		} else if createdBy != "" && !membership.IsAccountID(createdBy) {
			bad(aw, "createdBy %q is not a 12-digit account id", createdBy)
		}
		d.Accounts = append(d.Accounts, organizations.AccountDescription{ID: a.ID, Name: name, Email: email, ParentID: parent,
			JoinedMethod: method, Joined: l.at(a.JoinedAt), State: state, RoleName: a.RoleName, CreatedBy: createdBy,
			Tags: l.tags(aw, a.Tags)})
	}
	if !hasManagement && membership.IsAccountID(mgmt) {
		// The management account belongs to its organization: listed
		// or not, it is there, in the root, since the organization was
		// made.
		name, email := l.identity(where, mgmt, "", "")
		l.account(where, mgmt, email)
		d.Accounts = append(d.Accounts, organizations.AccountDescription{ID: mgmt, Name: name, Email: email, ParentID: d.RootID,
			JoinedMethod: organizations.JoinedInvited, Joined: d.Created, State: organizations.StateActive})
	}

	open := map[string]string{} // open invitations' targets -> their place
	for i, h := range o.Handshakes {
		hw := fmt.Sprintf("%s.handshakes[%d]", where, i)
		hd := organizations.HandshakeDescription{Action: organizations.ActionInvite, State: h.State,
			TargetType: h.TargetType, Target: h.Target, Notes: h.Notes, Tags: l.tags(hw, h.Tags), Requested: l.at(h.RequestedAt)}
		hd.ID = l.id(hw, "id", handshakeIDShape, h.ID, "h-", 10)
		if hd.TargetType == "" {
			hd.TargetType = handshakeTargetType(h.Target)
		}
		switch hd.TargetType {
		case organizations.PartyAccount:
			if !membership.IsAccountID(h.Target) {
				bad(hw, "target %q is not a 12-digit account id", h.Target)
			}
		case organizations.PartyEmail:
			if !emailPattern.MatchString(h.Target) {
				bad(hw, "target %q is not an email address", h.Target)
			}
		default:
			bad(hw, "targetType %q is not ACCOUNT or EMAIL", h.TargetType)
		}
		switch hd.State {
		case "":
			hd.State = organizations.HandshakeOpen
		case organizations.HandshakeOpen, organizations.HandshakeAccepted, organizations.HandshakeDeclined, organizations.HandshakeCanceled:
		case organizations.HandshakeExpired:
			bad(hw, "state EXPIRED is not kept: an expired handshake is OPEN with an expiresAt in the past")
		default:
			bad(hw, "state %q is not OPEN, ACCEPTED, DECLINED or CANCELED", hd.State)
		}
		if len(h.Notes) > 1024 {
			bad(hw, "notes are longer than 1024 characters")
		}
		hd.Expires = hd.Requested.Add(organizations.InviteLifetime)
		if h.ExpiresAt != nil {
			hd.Expires = h.ExpiresAt.UTC()
		}
		if hd.Expires.Before(hd.Requested) {
			bad(hw, "expiresAt is before requestedAt")
		}
		if hd.State == organizations.HandshakeOpen && l.now.Before(hd.Expires) {
			key := hd.TargetType + " " + strings.ToLower(hd.Target)
			if other, dup := open[key]; dup {
				bad(hw, "%s has another open invitation from this organization, %s (AWS refuses a duplicate handshake)", h.Target, other)
			}
			open[key] = hw
		}
		d.Handshakes = append(d.Handshakes, hd)
	}

	for i, a := range o.TrustedAccess {
		tw := fmt.Sprintf("%s.trustedAccess[%d]", where, i)
		switch p := a.ServicePrincipal; {
		case !slices.Contains(organizations.TrustedPrincipals(), p):
			bad(tw, "servicePrincipal %q is not one localsec knows (%s)", p, strings.Join(organizations.TrustedPrincipals(), ", "))
		case !allFeatures:
			bad(tw, "trusted access needs featureSet ALL")
		case slices.ContainsFunc(o.TrustedAccess[:i], func(x TrustedAccess) bool { return x.ServicePrincipal == p }):
			bad(tw, "servicePrincipal %s appears twice", p)
		}
		d.ServiceAccess = append(d.ServiceAccess, organizations.ServiceAccess{Principal: a.ServicePrincipal, Enabled: l.at(a.EnabledAt)})
	}

	for i, g := range o.DelegatedAdministrators {
		gw := fmt.Sprintf("%s.delegatedAdministrators[%d]", where, i)
		p := g.ServicePrincipal
		member := slices.ContainsFunc(d.Accounts, func(a organizations.AccountDescription) bool { return a.ID == g.Account })
		switch {
		case g.Account == mgmt:
			bad(gw, "the management account cannot be a delegated administrator")
		case !member:
			bad(gw, "account %q is not an account of this organization", g.Account)
		case !slices.Contains(organizations.DelegablePrincipals(), p):
			bad(gw, "servicePrincipal %q takes no delegated administrator (%s do)", p, strings.Join(organizations.DelegablePrincipals(), ", "))
		case !allFeatures:
			bad(gw, "delegated administrators need featureSet ALL")
		case slices.ContainsFunc(o.DelegatedAdministrators[:i], func(x DelegatedAdministrator) bool {
			return x.ServicePrincipal == p && x.Account == g.Account
		}):
			bad(gw, "account %s is registered for %s twice", g.Account, p)
		case organizations.OneAdministrator(p) && slices.ContainsFunc(o.DelegatedAdministrators[:i], func(x DelegatedAdministrator) bool {
			return x.ServicePrincipal == p
		}):
			bad(gw, "%s allows one delegated administrator per organization", p)
		}
		d.Delegations = append(d.Delegations, organizations.Delegation{Account: g.Account, Principal: p, Since: l.at(g.DelegatedAt)})
	}

	for i, c := range o.CreateAccountStatuses {
		cw := fmt.Sprintf("%s.createAccountStatuses[%d]", where, i)
		cd := organizations.CreateAccountStatus{AccountName: c.AccountName, State: c.State, AccountID: c.AccountID,
			FailureReason: c.FailureReason, Requested: l.at(c.RequestedAt)}
		cd.Completed = cd.Requested
		if c.CompletedAt != nil {
			cd.Completed = c.CompletedAt.UTC()
		}
		cd.ID = l.id(cw, "id", createIDShape, c.ID, "car-", 32)
		if n := utf8.RuneCountInString(c.AccountName); n < 1 || n > 50 {
			bad(cw, "accountName %q is not 1 to 50 characters", c.AccountName)
		}
		switch cd.State {
		case "", organizations.CreateSucceeded:
			cd.State = organizations.CreateSucceeded
			if !membership.IsAccountID(c.AccountID) || c.FailureReason != "" {
				bad(cw, "a SUCCEEDED request has the 12-digit accountId it made, and no failureReason")
			}
		case organizations.CreateFailed:
			if c.FailureReason == "" || c.AccountID != "" {
				bad(cw, "a FAILED request has a failureReason, and no accountId")
			}
		default:
			bad(cw, "state %q is not SUCCEEDED or FAILED (every read of a request says SUCCEEDED or FAILED)", c.State)
		}
		d.CreateRequests = append(d.CreateRequests, cd)
	}
	return d
}

// handshakeTargetType is the party type a target looks like.
func handshakeTargetType(target string) string {
	if strings.Contains(target, "@") {
		return organizations.PartyEmail
	}
	return organizations.PartyAccount
}

// units reads an organization's OUs into d, and returns how to resolve a
// parent given in the section: "" or the root's id is the root; an OU's
// id is that OU; else a path of OU names from the root.
func (l *orgLoader) units(where string, units []OrganizationalUnit, d *organizations.OrgDescription) func(string) (string, bool) {
	bad := l.bad
	if len(units) > organizations.MaxOUs {
		bad(where, "%d organizational units: at most %d", len(units), organizations.MaxOUs)
	}
	ids := make([]string, len(units))
	byID := map[string]int{}
	for i, u := range units {
		uw := fmt.Sprintf("%s.organizationalUnits[%d]", where, i)
		id := l.id(uw, "id", ouIDShape, u.ID, "ou-"+strings.TrimPrefix(d.RootID, "r-")+"-", 8)
		ids[i], byID[id] = id, i
		if n := utf8.RuneCountInString(u.Name); n < 1 || n > 128 {
			bad(uw, "name %q is not 1 to 128 characters", u.Name)
		}
	}
	// A parent by path needs its own parents resolved first: resolve in
	// passes until none moves (they may be listed in any order).
	parent := make([]string, len(units))
	resolved := make([]bool, len(units))
	byPath := func(path string) (string, bool) {
		at := d.RootID
		for name := range strings.SplitSeq(path, "/") {
			found := ""
			for j, u := range units {
				if resolved[j] && parent[j] == at && u.Name == name {
					found = ids[j]
				}
			}
			if found == "" {
				return "", false
			}
			at = found
		}
		return at, true
	}
	direct := func(ref string) (string, bool) {
		if ref == "" || ref == d.RootID {
			return d.RootID, true
		}
		if _, ok := byID[ref]; ok {
			return ref, true
		}
		return "", false
	}
	for moved := true; moved; {
		moved = false
		for i, u := range units {
			if resolved[i] {
				continue
			}
			p, ok := direct(u.Parent)
			if !ok {
				p, ok = byPath(u.Parent)
			}
			if ok {
				parent[i], resolved[i], moved = p, true, true
			}
		}
	}
	for i, u := range units {
		uw := fmt.Sprintf("%s.organizationalUnits[%d]", where, i)
		if !resolved[i] {
			bad(uw, "parent %q is not the root (%s), an OU id or a path of OU names of this organization", u.Parent, d.RootID)
			continue
		}
		// Depth and cycles: walk up to the root.
		depth, at := 0, ids[i]
		for at != d.RootID && depth <= organizations.MaxOUDepth {
			depth++
			at = parent[byID[at]]
		}
		switch {
		case at != d.RootID || depth > organizations.MaxOUDepth:
			bad(uw, "OU %q is more than %d levels below the root, or its own ancestor", u.Name, organizations.MaxOUDepth)
		case l.sibling(units[:i], parent, resolved, parent[i], u.Name):
			bad(uw, "another OU of the same parent is named %q (AWS refuses a duplicate OU)", u.Name)
		}
		d.Units = append(d.Units, organizations.UnitDescription{ID: ids[i], ParentID: parent[i], Name: u.Name,
			Created: l.at(u.CreatedAt), Tags: l.tags(uw, u.Tags)})
	}
	return func(ref string) (string, bool) {
		if p, ok := direct(ref); ok {
			return p, true
		}
		return byPath(ref)
	}
}

// sibling reports whether one of units, with its resolved parent, is
// named name under parent.
func (l *orgLoader) sibling(units []OrganizationalUnit, parents []string, resolved []bool, parent, name string) bool {
	for j, u := range units {
		if resolved[j] && parents[j] == parent && u.Name == name {
			return true
		}
	}
	return false
}

// organizationsSection writes the engine's records as the organizations
// and standalone accounts sections; ok is false when the records hold
// something the sections cannot say, which then stays in records.
func organizationsSection(dir Directory, records []store.Record) (orgs []OrganizationState, standalone []StandaloneAccount, ok bool) {
	d, err := organizations.Describe(records)
	if err != nil {
		return nil, nil, false
	}
	tp := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		t = t.UTC()
		return &t
	}
	// An account's name, address and state are written only where Load
	// would not give them by itself.
	beyondDefaults := func(a organizations.AccountDescription) (name, email, state string) {
		name, email, state = a.Name, a.Email, a.State
		dn, de := dir.identity(a.ID)
		if name == dn {
			name = ""
		}
		if email == de {
			email = ""
		}
		if state == organizations.StateActive {
			state = ""
		}
		return name, email, state
	}
	for _, o := range d.Organizations {
		s := OrganizationState{ID: o.ID, ManagementAccount: o.Management, FeatureSet: o.FeatureSet, RootID: o.RootID,
			CreatedAt: tp(o.Created), PolicyTypes: o.PolicyTypes, Open: o.Open, RootTags: tagMap(o.RootTags)}
		parent := func(id string) string {
			if id == o.RootID {
				return ""
			}
			return id
		}
		for _, u := range o.Units {
			s.OrganizationalUnits = append(s.OrganizationalUnits, OrganizationalUnit{ID: u.ID, Name: u.Name, Parent: parent(u.ParentID),
				Tags: tagMap(u.Tags), CreatedAt: tp(u.Created)})
		}
		for _, a := range o.Accounts {
			name, email, state := beyondDefaults(a)
			createdBy := a.CreatedBy
			if a.RoleName != "" && createdBy == o.Management {
				createdBy = ""
			}
			s.Accounts = append(s.Accounts, OrganizationAccount{ID: a.ID, Name: name, Email: email, Parent: parent(a.ParentID),
				JoinedMethod: a.JoinedMethod, JoinedAt: tp(a.Joined), State: state, RoleName: a.RoleName, CreatedBy: createdBy,
				Tags: tagMap(a.Tags)})
		}
		for _, h := range o.Handshakes {
			if h.Action != organizations.ActionInvite {
				return nil, nil, false
			}
			out := Handshake{ID: h.ID, Target: h.Target, State: h.State, Notes: h.Notes, Tags: tagMap(h.Tags),
				RequestedAt: tp(h.Requested), ExpiresAt: tp(h.Expires)}
			if h.TargetType != handshakeTargetType(h.Target) {
				out.TargetType = h.TargetType
			}
			if h.Expires.Equal(h.Requested.Add(organizations.InviteLifetime)) {
				out.ExpiresAt = nil
			}
			s.Handshakes = append(s.Handshakes, out)
		}
		for _, a := range o.ServiceAccess {
			s.TrustedAccess = append(s.TrustedAccess, TrustedAccess{ServicePrincipal: a.Principal, EnabledAt: tp(a.Enabled)})
		}
		for _, g := range o.Delegations {
			s.DelegatedAdministrators = append(s.DelegatedAdministrators, DelegatedAdministrator{Account: g.Account,
				ServicePrincipal: g.Principal, DelegatedAt: tp(g.Since)})
		}
		for _, c := range o.CreateRequests {
			out := CreateAccountStatus{ID: c.ID, AccountName: c.AccountName, State: c.State, AccountID: c.AccountID,
				FailureReason: c.FailureReason, RequestedAt: tp(c.Requested), CompletedAt: tp(c.Completed)}
			if c.Completed.Equal(c.Requested) {
				out.CompletedAt = nil
			}
			s.CreateAccountStatuses = append(s.CreateAccountStatuses, out)
		}
		orgs = append(orgs, s)
	}
	for _, a := range d.Standalone {
		name, email, state := beyondDefaults(a)
		standalone = append(standalone, StandaloneAccount{ID: a.ID, Name: name, Email: email, State: state,
			RoleName: a.RoleName, CreatedBy: a.CreatedBy})
	}
	return orgs, standalone, true
}

func tagMap(tags []organizations.Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}
