package server

import (
	"strings"
	"time"

	"github.com/localsec/localsec/internal/organizations"
)

// The AWS Organizations part of the console: what the Organizations
// engine's overview says of every organization, which is global, so the
// same whatever service and region the page shows.

// consoleOrg is one organization.
type consoleOrg struct {
	ID, FeatureSet, Created                     string
	Management, ManagementName, ManagementEmail string
	PolicyTypes                                 string
	Open                                        bool
	Root                                        *consoleOrgParent // the tree, from the root down
	Units                                       int
	Accounts                                    []consoleOrgAccount
	OpenHandshakes, ClosedHandshakes            []consoleHandshake
	Access                                      []consoleAccess
	Delegated                                   []consoleOrgDelegated
}

// consoleOrgParent is the root or an OU, with what it holds.
type consoleOrgParent struct {
	Kind     string // "root" or "ou"
	ID, Name string
	Units    []*consoleOrgParent
	Accounts []consoleOrgAccount
}

// consoleOrgAccount is an account of an organization.
type consoleOrgAccount struct {
	ID, Name, Email      string
	State, Class         string
	JoinedMethod, Joined string
	ParentID, ParentName string
	RoleName             string
	Management           bool
}

// consoleHandshake is a handshake an organization sent.
type consoleHandshake struct {
	ID, State, Class     string
	FromOrg, FromAccount string // the organization and its management account
	TargetType, Target   string
	Notes                string
	Requested, Expires   string
}

// consoleAccess is a principal with trusted access.
type consoleAccess struct{ Principal, Since string }

// consoleOrgDelegated is a principal and its delegated administrators.
type consoleOrgDelegated struct {
	Principal string
	Admins    []consoleOrgAdmin
}

// consoleOrgAdmin is a delegated administrator of a principal.
type consoleOrgAdmin struct{ Account, Name, Since string }

// consoleRootName is what AWS names every root.
const consoleRootName = "Root"

// consoleAccountStateClass colours an account state: active, on its way
// out, or gone.
func consoleAccountStateClass(state string) string {
	switch state {
	case organizations.StateActive:
		return "associated"
	case organizations.StateClosed:
		return "apart"
	}
	return "pending"
}

// consoleHandshakeClass colours a handshake state: waiting for an
// answer, accepted, or ended otherwise.
func consoleHandshakeClass(state string) string {
	switch state {
	case organizations.HandshakeOpen:
		return "pending"
	case organizations.HandshakeAccepted:
		return "associated"
	}
	return "apart"
}

func consoleTimeOf(t time.Time) string { return consoleTime(&t) }

// buildConsoleOrgs lays out the organizations of the engine's overview.
func buildConsoleOrgs(overviews []organizations.Overview) []consoleOrg {
	out := make([]consoleOrg, 0, len(overviews))
	for _, o := range overviews {
		c := consoleOrg{
			ID: o.ID, FeatureSet: o.FeatureSet, Created: consoleTimeOf(o.Created),
			Management: o.Management, ManagementName: o.ManagementName, ManagementEmail: o.ManagementEmail,
			PolicyTypes: strings.Join(o.PolicyTypes, ", "), Open: o.Open, Units: len(o.Units),
		}

		// The tree: the root, then each OU under its parent. Overview
		// lists OUs after their parents, so one pass places them all.
		c.Root = &consoleOrgParent{Kind: "root", ID: o.RootID, Name: consoleRootName}
		parents := map[string]*consoleOrgParent{o.RootID: c.Root}
		for _, u := range o.Units {
			p := &consoleOrgParent{Kind: "ou", ID: u.ID, Name: u.Name}
			parents[u.ID] = p
			if above := parents[u.ParentID]; above != nil {
				above.Units = append(above.Units, p)
			}
		}
		names := map[string]string{}
		for _, a := range o.Accounts {
			names[a.ID] = a.Name
			row := consoleOrgAccount{
				ID: a.ID, Name: a.Name, Email: a.Email, State: a.State, Class: consoleAccountStateClass(a.State),
				JoinedMethod: a.JoinedMethod, Joined: consoleTimeOf(a.Joined), ParentID: a.ParentID,
				RoleName: a.RoleName, Management: a.ID == o.Management,
			}
			if p := parents[a.ParentID]; p != nil {
				row.ParentName = p.Name
				p.Accounts = append(p.Accounts, row)
			}
			c.Accounts = append(c.Accounts, row)
		}

		for _, h := range o.Handshakes {
			row := consoleHandshake{
				ID: h.ID, State: h.State, Class: consoleHandshakeClass(h.State),
				FromOrg: o.ID, FromAccount: o.Management,
				TargetType: h.TargetType, Target: h.Target, Notes: h.Notes,
				Requested: consoleTimeOf(h.Requested), Expires: consoleTimeOf(h.Expires),
			}
			if h.State == organizations.HandshakeOpen {
				c.OpenHandshakes = append(c.OpenHandshakes, row)
			} else {
				c.ClosedHandshakes = append(c.ClosedHandshakes, row)
			}
		}
		for _, a := range o.ServiceAccess {
			c.Access = append(c.Access, consoleAccess{Principal: a.Principal, Since: consoleTimeOf(a.Enabled)})
		}
		for _, p := range o.Delegated {
			d := consoleOrgDelegated{Principal: p.Principal}
			for _, a := range p.Administrators {
				d.Admins = append(d.Admins, consoleOrgAdmin{Account: a.Account, Name: names[a.Account], Since: consoleTimeOf(a.Since)})
			}
			c.Delegated = append(c.Delegated, d)
		}
		out = append(out, c)
	}
	return out
}
