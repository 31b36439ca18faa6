package seed

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/organizations"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/service/guardduty"
	"github.com/localsec/localsec/internal/service/macie2"
	"github.com/localsec/localsec/internal/store"
)

// Directory is what a document says outside the store: the accounts, how
// access keys map to them, and the organization.
type Directory struct {
	Accounts     []Account
	Keys         map[string]string
	Credentials  map[string]protocol.Credential
	Organization membership.Organization
}

// Email returns an account's email address, or "".
func (d Directory) Email(account string) string {
	for _, a := range d.Accounts {
		if a.ID == account {
			return a.Email
		}
	}
	return ""
}

// services lists the services a document may hold, and whether their
// enablements carry a resource id (a GuardDuty detector id), as each
// adapter's rules say.
func services() map[string]bool {
	return map[string]bool{
		macie2.SigningName:    macie2.Rules().EnablementIDs,
		guardduty.SigningName: guardduty.Rules().EnablementIDs,
	}
}

// Load turns a document into its directory and store records. Missing
// times become now, missing invitation and detector ids are made with
// newID. Every problem is reported with its place in the document; the
// store-level invariants are checked later by membership.Engine.Import.
func Load(doc Document, now time.Time, newID func() string) (Directory, store.Snapshot, error) {
	var problems []error
	bad := func(where, format string, args ...any) {
		problems = append(problems, fmt.Errorf("%s: %s", where, fmt.Sprintf(format, args...)))
	}
	dir := Directory{Keys: map[string]string{}, Credentials: map[string]protocol.Credential{}}
	known := map[string]bool{}
	for i, a := range doc.Accounts {
		where := fmt.Sprintf("accounts[%d]", i)
		if !membership.IsAccountID(a.ID) {
			bad(where, "id %q is not a 12-digit account id", a.ID)
		}
		if known[a.ID] {
			bad(where, "account %s appears twice", a.ID)
		}
		known[a.ID] = true
		for j, k := range a.AccessKeys {
			kw := fmt.Sprintf("%s.accessKeys[%d]", where, j)
			switch {
			case k.ID == "":
				bad(kw, "id is required")
			case dir.Keys[k.ID] != "":
				bad(kw, "access key %s appears twice", k.ID)
			}
			dir.Keys[k.ID] = a.ID
			if k.Secret != "" {
				dir.Credentials[k.ID] = protocol.Credential{SecretAccessKey: k.Secret, Account: a.ID}
			}
		}
		dir.Accounts = append(dir.Accounts, a)
	}
	if o := doc.Organization; o != nil {
		if !membership.IsAccountID(o.ManagementAccount) {
			bad("organization", "managementAccount %q is not a 12-digit account id", o.ManagementAccount)
		}
		for i, a := range o.Accounts {
			if !membership.IsAccountID(a) {
				bad(fmt.Sprintf("organization.accounts[%d]", i), "%q is not a 12-digit account id", a)
			}
		}
		dir.Organization = membership.Organization{ManagementAccount: o.ManagementAccount, Accounts: o.Accounts}
	}
	orgs := loadOrganizations(doc, dir, now, newID, bad)
	if o := doc.Organization; o != nil {
		// The shortcut's organization is made at start in the one its
		// management account manages, or anew: never around an account
		// of another organization.
		for i, od := range orgs.Organizations {
			for _, a := range od.Accounts {
				if a.ID == o.ManagementAccount && od.Management != a.ID {
					bad("organization", "managementAccount %s is an account of organizations[%d] (%s), managed by %s", a.ID, i, od.ID, od.Management)
				}
			}
		}
	}
	var sectionRecords []store.Record
	if len(doc.Organizations)+len(doc.StandaloneAccounts) > 0 && len(problems) == 0 {
		var err error
		if sectionRecords, err = orgs.Records(); err != nil {
			bad("organizations", "%v", err)
		}
	}

	at := func(t *time.Time) time.Time {
		if t == nil {
			return now
		}
		return t.UTC()
	}
	var snap store.Snapshot
	for i, svc := range doc.Services {
		where := fmt.Sprintf("services[%d]", i)
		hasIDs, ok := services()[svc.Service]
		if !ok {
			bad(where, "service %q is not macie2 or guardduty", svc.Service)
		}
		if svc.Region == "" || strings.ContainsAny(svc.Region, " /") {
			bad(where, "region %q is not a region name", svc.Region)
		}
		scope := store.Scope{Service: svc.Service, Region: svc.Region}
		for j, en := range svc.Enabled {
			ew := fmt.Sprintf("%s.enabled[%d]", where, j)
			status, err := enablementStatus(en.Status)
			if err != nil {
				bad(ew, "%v", err)
			}
			settings, err := settingsBytes(en.Settings)
			if err != nil {
				bad(ew, "settings: %v", err)
			}
			id := en.ResourceID
			if hasIDs && id == "" {
				id = newID()
			}
			snap.Enablements = append(snap.Enablements, store.Enablement{
				AccountKey: store.AccountKey{Scope: scope, Account: en.Account}, ResourceID: id, Status: status,
				ClientToken: en.ClientToken, Settings: settings, Tags: en.Tags, Created: at(en.CreatedAt), Updated: at(en.UpdatedAt),
			})
		}
		for j, m := range svc.Members {
			mw := fmt.Sprintf("%s.members[%d]", where, j)
			status, err := relationshipStatus(m.Status)
			if err != nil {
				bad(mw, "%v", err)
			}
			association := store.Association(m.Association)
			if association == "" {
				association = store.AssociationInvitation
			}
			email := m.Email
			if email == "" {
				email = dir.Email(m.Account)
			}
			rec := store.Member{
				MemberKey: store.MemberKey{Scope: scope, Admin: m.Administrator, Member: m.Account},
				Email:     email, Status: status, Association: association, Tags: m.Tags,
				Created: at(m.CreatedAt), Updated: at(m.UpdatedAt),
				InvitationID: m.InvitationID, InvitationMessage: m.InvitationMessage,
				DisableEmailNotification: m.DisableEmailNotification, Declined: m.Declined, Hidden: m.DeletedByMember,
			}
			invited := status != store.StatusCreated && association == store.AssociationInvitation
			if invited && rec.InvitationID == "" {
				rec.InvitationID = newID()
			}
			if m.InvitedAt != nil {
				rec.InvitedAt = m.InvitedAt.UTC()
			} else if invited {
				rec.InvitedAt = now
			}
			snap.Members = append(snap.Members, rec)
		}
		for j, a := range svc.OrganizationAdmins {
			status := store.OrgAdminStatus(a.Status)
			if status == "" {
				status = store.OrgAdminEnabled
			}
			if status != store.OrgAdminEnabled && status != store.OrgAdminDisableInProgress {
				bad(fmt.Sprintf("%s.organizationAdmins[%d]", where, j), "status %q is not ENABLED or DISABLE_IN_PROGRESS", a.Status)
			}
			snap.OrgAdmins = append(snap.OrgAdmins, store.OrgAdmin{AccountKey: store.AccountKey{Scope: scope, Account: a.Account}, Status: status, Created: at(a.CreatedAt)})
		}
		for j, c := range svc.OrganizationConfigs {
			settings, err := settingsBytes(c.Settings)
			if err != nil {
				bad(fmt.Sprintf("%s.organizationConfigs[%d]", where, j), "settings: %v", err)
			}
			snap.OrgConfigs = append(snap.OrgConfigs, store.OrgConfig{AccountKey: store.AccountKey{Scope: scope, Account: c.Account},
				AutoEnable: c.AutoEnable, Settings: settings, Updated: at(c.UpdatedAt)})
		}
	}
	for i, e := range doc.Emails {
		if e.ID == "" {
			bad(fmt.Sprintf("emails[%d]", i), "id is required")
		}
		snap.Emails = append(snap.Emails, store.Email{ID: e.ID, Service: e.Service, Region: e.Region, From: e.From, To: e.To,
			Address: e.Address, Message: e.Message, InvitationID: e.InvitationID, Sent: at(e.SentAt)})
	}
	for i, r := range doc.Records {
		where := fmt.Sprintf("records[%d]", i)
		switch {
		case r.Kind == "":
			bad(where, "kind is required")
		case r.Key == "":
			bad(where, "key is required")
		default:
			if err := store.CheckRecordKey(r.Kind, r.Key); err != nil {
				bad(where, "%s", strings.TrimPrefix(err.Error(), "store: "))
			}
		}
		if organizations.IsRecordKind(r.Kind) && len(doc.Organizations)+len(doc.StandaloneAccounts) > 0 {
			bad(where, "kind %s is AWS Organizations' own, which the organizations section describes: give one or the other", r.Kind)
		}
		value, err := recordBytes(r)
		if err != nil {
			bad(where, "%v", err)
		}
		snap.Records = append(snap.Records, store.Record{Kind: r.Kind, Key: r.Key, Value: value})
	}
	snap.Records = append(snap.Records, sectionRecords...)
	if len(problems) == 0 {
		problems = membership.CheckInvariants(snap, dir.Organization)
	}
	return dir, snap, errors.Join(problems...)
}

// enablementStatus reads ENABLED, or PAUSED/DISABLED/SUSPENDED (the
// service's word for a suspended enablement).
func enablementStatus(s string) (store.EnablementStatus, error) {
	switch s {
	case "", "ENABLED":
		return store.EnablementEnabled, nil
	case "PAUSED", "DISABLED", "SUSPENDED":
		return store.EnablementSuspended, nil
	}
	return "", fmt.Errorf("status %q is not ENABLED, PAUSED, DISABLED or SUSPENDED", s)
}

// relationshipStatus reads a relationship status, accepting each
// service's name for a suspended member (Macie's Paused, GuardDuty's
// Disabled).
func relationshipStatus(s string) (store.RelationshipStatus, error) {
	switch s {
	case "Paused", "Disabled", "Suspended":
		return store.StatusSuspended, nil
	case "Created", "Invited", "Enabled", "Removed", "Resigned", "EmailVerificationInProgress",
		"EmailVerificationFailed", "RegionDisabled", "AccountSuspended":
		return store.RelationshipStatus(s), nil
	}
	return "", fmt.Errorf("status %q is not a relationship status (Created, Invited, Enabled, Paused or Disabled, Removed, Resigned, …)", s)
}

func settingsBytes(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	return json.Marshal(v)
}

func settingsValue(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	var v any
	if json.Unmarshal(b, &v) != nil {
		return string(b)
	}
	return v
}

// Build writes a directory and store records as a document, grouped by
// service and region in name order, with each service's own status names.
func Build(dir Directory, snap store.Snapshot) Document {
	doc := Document{Version: Version, Accounts: dir.Accounts}
	// AWS Organizations' records are written as the organizations
	// section, which then holds the whole of its state: the shortcut,
	// which would make an organization at start, is left out. Records the
	// section cannot say stay records, with the shortcut as before.
	var orgRecords, otherRecords []store.Record
	for _, r := range snap.Records {
		if organizations.IsRecordKind(r.Kind) {
			orgRecords = append(orgRecords, r)
		} else {
			otherRecords = append(otherRecords, r)
		}
	}
	described := false
	if len(orgRecords) > 0 {
		doc.Organizations, doc.StandaloneAccounts, described = organizationsSection(dir, orgRecords)
	}
	if !described {
		otherRecords = snap.Records
	}
	if dir.Organization.Exists() && !described {
		doc.Organization = &Organization{ManagementAccount: dir.Organization.ManagementAccount, Accounts: dir.Organization.Accounts}
	}
	byScope := map[store.Scope]*Service{}
	scope := func(s store.Scope) *Service {
		if svc, ok := byScope[s]; ok {
			return svc
		}
		svc := &Service{Service: s.Service, Region: s.Region}
		byScope[s] = svc
		return svc
	}
	tp := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		t = t.UTC()
		return &t
	}
	for _, en := range snap.Enablements {
		svc := scope(en.Scope)
		svc.Enabled = append(svc.Enabled, Enablement{
			Account: en.Account, Status: enablementName(en.Scope.Service, en.Status), ResourceID: en.ResourceID,
			ClientToken: en.ClientToken, Settings: settingsValue(en.Settings), Tags: nonEmpty(en.Tags),
			CreatedAt: tp(en.Created), UpdatedAt: tp(en.Updated),
		})
	}
	for _, m := range snap.Members {
		svc := scope(m.Scope)
		association := string(m.Association)
		if m.Association == store.AssociationInvitation {
			association = ""
		}
		svc.Members = append(svc.Members, Member{
			Administrator: m.Admin, Account: m.Member, Email: m.Email, Status: statusName(m.Scope.Service, m.Status),
			Association: association, InvitationID: m.InvitationID, InvitationMessage: m.InvitationMessage,
			DisableEmailNotification: m.DisableEmailNotification, Declined: m.Declined, DeletedByMember: m.Hidden,
			Tags: nonEmpty(m.Tags), CreatedAt: tp(m.Created), UpdatedAt: tp(m.Updated), InvitedAt: tp(m.InvitedAt),
		})
	}
	for _, a := range snap.OrgAdmins {
		svc := scope(a.Scope)
		svc.OrganizationAdmins = append(svc.OrganizationAdmins, OrganizationAdmin{Account: a.Account, Status: string(a.Status), CreatedAt: tp(a.Created)})
	}
	for _, c := range snap.OrgConfigs {
		svc := scope(c.Scope)
		svc.OrganizationConfigs = append(svc.OrganizationConfigs, OrganizationConfig{Account: c.Account, AutoEnable: c.AutoEnable,
			Settings: settingsValue(c.Settings), UpdatedAt: tp(c.Updated)})
	}
	scopes := make([]store.Scope, 0, len(byScope))
	for s := range byScope {
		scopes = append(scopes, s)
	}
	sort.Slice(scopes, func(i, j int) bool {
		if scopes[i].Service != scopes[j].Service {
			return scopes[i].Service < scopes[j].Service
		}
		return scopes[i].Region < scopes[j].Region
	})
	for _, s := range scopes {
		doc.Services = append(doc.Services, *byScope[s])
	}
	for _, e := range snap.Emails {
		doc.Emails = append(doc.Emails, Email{ID: e.ID, Service: e.Service, Region: e.Region, From: e.From, To: e.To,
			Address: e.Address, Message: e.Message, InvitationID: e.InvitationID, SentAt: tp(e.Sent)})
	}
	for _, r := range otherRecords {
		doc.Records = append(doc.Records, documentRecord(r))
	}
	return doc
}

func nonEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

// statusName is a service's name for a relationship status.
func statusName(service string, st store.RelationshipStatus) string {
	if st != store.StatusSuspended {
		return string(st)
	}
	switch service {
	case "macie2":
		return "Paused"
	case "guardduty":
		return "Disabled"
	}
	return string(st)
}

// enablementName is a service's name for an enablement status.
func enablementName(service string, st store.EnablementStatus) string {
	if st != store.EnablementSuspended {
		return string(st)
	}
	switch service {
	case "macie2":
		return "PAUSED"
	case "guardduty":
		return "DISABLED"
	}
	return string(st)
}
