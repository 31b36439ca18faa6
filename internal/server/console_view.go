package server

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/localsec/localsec/internal/organizations"
	"github.com/localsec/localsec/internal/outbox"
	"github.com/localsec/localsec/internal/seed"
	"github.com/localsec/localsec/internal/store"
)

// consoleView is everything the console page shows, computed from one
// state export.
type consoleView struct {
	Now     string
	Refresh int

	Service, Region string // the selected pair
	ServiceName     string // "Amazon Macie"
	Scopes          []consoleLink
	HasState        bool // the selected pair has any record or email
	GuardDuty       bool // show detector ids

	Accounts    []consoleAccount
	Graph       *consoleGraph
	Members     []consoleMember
	Invitations []consoleMember
	Admins      []consoleDelegated

	// Organizations are AWS Organizations' organizations: global, the
	// same whatever the selected pair.
	Organizations []consoleOrg

	Account      string // the outbox filter
	AccountLinks []consoleLink
	Emails       []consoleEmail
	EmailsInPair int // before the account filter
	EmailsOther  int // in other services and regions

	// Form fields of the outbox filter, to keep the rest of the query.
	FormService, FormRegion, FormToken string
	FormRefresh                        string
}

// consoleLink is a link of a selector.
type consoleLink struct {
	Label   string
	Href    string
	Current bool
}

// consoleAccount is a row of the accounts table.
type consoleAccount struct {
	ID, Name, Email string
	AccessKeys      string
	Org             string // "management · o-…", "member · o-…" or ""
	Enabled         string // the enablement status, "" when not enabled
	DetectorID      string
	Roles           []string
}

// consoleMember is a member record (and its invitation).
type consoleMember struct {
	Admin, Member, Email string
	Status               string
	Class                string // associated, pending or apart
	Association          string
	InvitationID         string
	InvitedAt, UpdatedAt string
	Declined             bool
	DeletedByMember      bool
	NoEmail              bool
	Message              string
}

// consoleDelegated is a delegated administrator.
type consoleDelegated struct {
	Account, Name, Status, Since string
	AutoEnable                   string
}

// consoleEmail is an outbox email.
type consoleEmail struct {
	SentAt, To, ToAccount, FromAccount, Sender string
	Subject, Body, InvitationID                string
}

// consoleTime formats a time for the page ("" for none).
func consoleTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// consoleServiceName is the product name of a signing name.
func consoleServiceName(service string) string {
	switch service {
	case "macie2":
		return "Amazon Macie"
	case "guardduty":
		return "Amazon GuardDuty"
	}
	return service
}

// consoleStatusClass sorts a relationship status (in the service's own
// name) into what the graph colours: associated, pending or apart.
func consoleStatusClass(status string) string {
	switch status {
	case "Enabled", "Paused", "Disabled", string(store.StatusSuspended):
		return "associated"
	case "Created", "Invited", "EmailVerificationInProgress":
		return "pending"
	}
	return "apart"
}

// consolePending reports whether a member record is a pending invitation.
func consolePending(m seed.Member) bool {
	return (m.Status == "Invited" || m.Status == "EmailVerificationInProgress") &&
		(m.Association == "" || m.Association == string(store.AssociationInvitation))
}

type consoleScope struct{ service, region string }

// choosePair picks the service and region to show: the query's, with what
// it leaves out taken from the state (Macie and the server's default
// region first).
func choosePair(q consoleQuery, scopes []consoleScope, defaultRegion string) (string, string) {
	service, region := q.service, q.region
	has := func(s consoleScope) bool {
		return (service == "" || s.service == service) && (region == "" || s.region == region)
	}
	if service == "" && region == "" && slices.Contains(scopes, consoleScope{"macie2", defaultRegion}) {
		return "macie2", defaultRegion
	}
	for _, s := range scopes {
		if has(s) {
			return s.service, s.region
		}
	}
	if service == "" {
		service = "macie2"
	}
	if region == "" {
		region = defaultRegion
	}
	return service, region
}

// buildConsoleView computes the page for query q from doc and the
// Organizations engine's overview of every organization.
func buildConsoleView(doc seed.Document, orgs []organizations.Overview, q consoleQuery, defaultRegion string, now time.Time) *consoleView {
	// The pairs with state: records or emails.
	var scopes []consoleScope
	addScope := func(s consoleScope) {
		if !slices.Contains(scopes, s) {
			scopes = append(scopes, s)
		}
	}
	for _, svc := range doc.Services {
		addScope(consoleScope{svc.Service, svc.Region})
	}
	for _, e := range doc.Emails {
		addScope(consoleScope{e.Service, e.Region})
	}
	slices.SortFunc(scopes, func(a, b consoleScope) int {
		return cmp.Or(cmp.Compare(a.service, b.service), cmp.Compare(a.region, b.region))
	})
	service, region := choosePair(q, scopes, defaultRegion)

	v := &consoleView{
		Now:           now.UTC().Format("2006-01-02 15:04:05Z"),
		Refresh:       q.refresh,
		Service:       service,
		Region:        region,
		ServiceName:   consoleServiceName(service),
		GuardDuty:     service == "guardduty",
		Organizations: buildConsoleOrgs(orgs),
		Account:       q.account,
		FormService:   service,
		FormRegion:    region,
		FormToken:     q.token,
	}
	if q.refresh != consoleDefaultRefresh {
		v.FormRefresh = strconv.Itoa(q.refresh)
	}
	for _, s := range scopes {
		v.Scopes = append(v.Scopes, consoleLink{
			Label:   consoleServiceName(s.service) + " · " + s.region,
			Href:    q.href(s.service, s.region, ""),
			Current: s.service == service && s.region == region,
		})
	}

	var state seed.Service
	for _, svc := range doc.Services {
		if svc.Service == service && svc.Region == region {
			state = svc
			v.HasState = true
		}
	}

	// Accounts: the directory, the organization, and whoever appears in
	// the selected pair.
	names := map[string]*consoleAccount{}
	account := func(id string) *consoleAccount {
		if a, ok := names[id]; ok {
			return a
		}
		a := &consoleAccount{ID: id}
		names[id] = a
		return a
	}
	for _, a := range doc.Accounts {
		row := account(a.ID)
		row.Name, row.Email = a.Name, a.Email
		keys := make([]string, 0, len(a.AccessKeys))
		for _, k := range a.AccessKeys {
			keys = append(keys, k.ID)
		}
		row.AccessKeys = strings.Join(keys, " ")
	}
	// Where each account stands in AWS Organizations.
	open := ""
	var orgAccounts []organizations.AccountDescription
	for _, o := range orgs {
		if o.Open {
			open = o.ID
		}
		for _, m := range o.Accounts {
			a := account(m.ID)
			a.Org = "member · " + o.ID
			if m.ID == o.Management {
				a.Org = "management · " + o.ID
			}
			orgAccounts = append(orgAccounts, m)
		}
	}
	for _, en := range state.Enabled {
		a := account(en.Account)
		a.Enabled = cmp.Or(en.Status, "ENABLED")
		a.DetectorID = en.ResourceID
	}
	delegated := map[string]bool{}
	autoEnable := map[string]bool{}
	for _, c := range state.OrganizationConfigs {
		autoEnable[c.Account] = c.AutoEnable
	}
	for _, d := range state.OrganizationAdmins {
		delegated[d.Account] = true
		a := account(d.Account)
		a.Roles = append(a.Roles, "delegated administrator")
		auto := "no"
		if autoEnable[d.Account] {
			auto = "yes"
		}
		v.Admins = append(v.Admins, consoleDelegated{Account: d.Account, Status: cmp.Or(d.Status, "ENABLED"),
			Since: consoleTime(d.CreatedAt), AutoEnable: auto})
	}

	adminOf := map[string]int{}
	for _, m := range state.Members {
		account(m.Administrator)
		mem := account(m.Account)
		if mem.Email == "" {
			mem.Email = m.Email
		}
		adminOf[m.Administrator]++
		mem.Roles = append(mem.Roles, "member of "+m.Administrator+" ("+m.Status+")")
		row := consoleMember{
			Admin: m.Administrator, Member: m.Account, Email: m.Email, Status: m.Status,
			Class: consoleStatusClass(m.Status), Association: cmp.Or(m.Association, string(store.AssociationInvitation)),
			InvitationID: m.InvitationID, InvitedAt: consoleTime(m.InvitedAt), UpdatedAt: consoleTime(m.UpdatedAt),
			Declined: m.Declined, DeletedByMember: m.DeletedByMember, NoEmail: m.DisableEmailNotification,
			Message: m.InvitationMessage,
		}
		v.Members = append(v.Members, row)
		if consolePending(m) {
			v.Invitations = append(v.Invitations, row)
		}
	}
	for id, n := range adminOf {
		a := account(id)
		role := "administrator of 1 member"
		if n != 1 {
			role = "administrator of " + strconv.Itoa(n) + " members"
		}
		a.Roles = append([]string{role}, a.Roles...)
	}
	slices.SortFunc(v.Members, func(a, b consoleMember) int {
		return cmp.Or(cmp.Compare(a.Admin, b.Admin), cmp.Compare(a.Member, b.Member))
	})
	slices.SortFunc(v.Invitations, func(a, b consoleMember) int {
		return cmp.Or(cmp.Compare(b.InvitedAt, a.InvitedAt), cmp.Compare(a.Admin, b.Admin), cmp.Compare(a.Member, b.Member))
	})
	// The name and email Organizations knows (CreateAccount's) for the
	// accounts the directory and the member records leave without.
	for _, m := range orgAccounts {
		a := names[m.ID]
		a.Name = cmp.Or(a.Name, m.Name)
		a.Email = cmp.Or(a.Email, m.Email)
	}
	for _, a := range names {
		if open != "" && a.Org == "" {
			// An open organization takes the account in as soon as a
			// security service asks about it.
			a.Org = "member · " + open + " (open)"
		}
		v.Accounts = append(v.Accounts, *a)
	}
	slices.SortFunc(v.Accounts, func(a, b consoleAccount) int { return cmp.Compare(a.ID, b.ID) })
	for i := range v.Admins {
		v.Admins[i].Name = names[v.Admins[i].Account].Name
	}
	v.Graph = buildConsoleGraph(state.Members, names, delegated)

	// The outbox of the pair, newest first, filtered by account.
	involved := map[string]bool{}
	for i := len(doc.Emails) - 1; i >= 0; i-- {
		e := doc.Emails[i]
		if e.Service != service || e.Region != region {
			v.EmailsOther++
			continue
		}
		v.EmailsInPair++
		involved[e.From], involved[e.To] = true, true
		if q.account != "" && e.From != q.account && e.To != q.account {
			continue
		}
		se := store.Email{ID: e.ID, Service: e.Service, Region: e.Region, From: e.From, To: e.To, Address: e.Address,
			Message: e.Message, InvitationID: e.InvitationID}
		if e.SentAt != nil {
			se.Sent = *e.SentAt
		}
		v.Emails = append(v.Emails, consoleEmail{
			SentAt: consoleTime(e.SentAt), To: e.Address, ToAccount: e.To, FromAccount: e.From, Sender: outbox.Sender(se),
			Subject: outbox.Subject(se), Body: outbox.Body(se), InvitationID: e.InvitationID,
		})
	}
	if v.EmailsInPair > 0 || q.account != "" {
		v.AccountLinks = append(v.AccountLinks, consoleLink{Label: "all accounts", Href: q.href(service, region, ""), Current: q.account == ""})
		ids := make([]string, 0, len(involved))
		for id := range involved {
			ids = append(ids, id)
		}
		if q.account != "" && !involved[q.account] {
			ids = append(ids, q.account)
		}
		slices.Sort(ids)
		for _, id := range ids {
			v.AccountLinks = append(v.AccountLinks, consoleLink{Label: id, Href: q.href(service, region, id), Current: id == q.account})
		}
	}
	return v
}
