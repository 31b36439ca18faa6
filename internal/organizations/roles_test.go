package organizations_test

import (
	"testing"

	org "github.com/localsec/localsec/internal/organizations"
)

// opClass says who may call an operation (spec §1.1).
type opClass int

const (
	anyMember opClass = iota // MEM
	reader                   // MGMT, DA
	manager                  // MGMT
)

// roleOp is one operation, called with valid arguments from the world
// fixture.
type roleOp struct {
	name  string
	class opClass
	// mgmtErr is what the management account gets (most succeed).
	mgmtErr org.Code
	call    func(w *world, caller string) error
}

func roleOps() []roleOp {
	p := org.Page{}
	return []roleOp{
		{"DescribeOrganization", anyMember, "", func(w *world, c string) error {
			_, err := w.eng.DescribeOrganization(w.ctx, c)
			return err
		}},
		{"DeleteOrganization", manager, org.CodeOrganizationNotEmpty, func(w *world, c string) error {
			return w.eng.DeleteOrganization(w.ctx, c)
		}},
		{"ListRoots", reader, "", func(w *world, c string) error {
			_, _, err := w.eng.ListRoots(w.ctx, c, p)
			return err
		}},
		{"ListAccounts", reader, "", func(w *world, c string) error {
			_, _, err := w.eng.ListAccounts(w.ctx, c, p)
			return err
		}},
		{"DescribeAccount", reader, "", func(w *world, c string) error {
			_, err := w.eng.DescribeAccount(w.ctx, c, mem)
			return err
		}},
		{"ListAccountsForParent", reader, "", func(w *world, c string) error {
			_, _, err := w.eng.ListAccountsForParent(w.ctx, c, w.org.RootID, p)
			return err
		}},
		{"CreateAccount", manager, "", func(w *world, c string) error {
			_, err := w.eng.CreateAccount(w.ctx, c, org.NewAccount{Name: "new", Email: "new@example.com"})
			return err
		}},
		{"DescribeCreateAccountStatus", reader, "", func(w *world, c string) error {
			_, err := w.eng.DescribeCreateAccountStatus(w.ctx, c, w.car)
			return err
		}},
		{"ListCreateAccountStatus", reader, "", func(w *world, c string) error {
			_, _, err := w.eng.ListCreateAccountStatus(w.ctx, c, nil, p)
			return err
		}},
		{"InviteAccountToOrganization", manager, "", func(w *world, c string) error {
			_, err := w.eng.InviteAccountToOrganization(w.ctx, c, org.Party{ID: extra, Type: org.PartyAccount}, "", nil)
			return err
		}},
		{"ListHandshakesForOrganization", reader, "", func(w *world, c string) error {
			_, _, err := w.eng.ListHandshakesForOrganization(w.ctx, c, org.HandshakeFilter{}, p)
			return err
		}},
		{"RemoveAccountFromOrganization", manager, "", func(w *world, c string) error {
			return w.eng.RemoveAccountFromOrganization(w.ctx, c, mem)
		}},
		{"CreateOrganizationalUnit", manager, "", func(w *world, c string) error {
			_, err := w.eng.CreateOrganizationalUnit(w.ctx, c, w.org.RootID, "New", nil)
			return err
		}},
		{"ListOrganizationalUnitsForParent", reader, "", func(w *world, c string) error {
			_, _, err := w.eng.ListOrganizationalUnitsForParent(w.ctx, c, w.org.RootID, p)
			return err
		}},
		{"DescribeOrganizationalUnit", reader, "", func(w *world, c string) error {
			_, err := w.eng.DescribeOrganizationalUnit(w.ctx, c, w.ou)
			return err
		}},
		{"UpdateOrganizationalUnit", manager, "", func(w *world, c string) error {
			_, err := w.eng.UpdateOrganizationalUnit(w.ctx, c, w.ou, "Renamed")
			return err
		}},
		{"DeleteOrganizationalUnit", manager, "", func(w *world, c string) error {
			return w.eng.DeleteOrganizationalUnit(w.ctx, c, w.ou)
		}},
		{"MoveAccount", manager, "", func(w *world, c string) error {
			return w.eng.MoveAccount(w.ctx, c, mem, w.org.RootID, w.ou)
		}},
		{"ListParents", reader, "", func(w *world, c string) error {
			_, _, err := w.eng.ListParents(w.ctx, c, mem, p)
			return err
		}},
		{"ListChildren/ACCOUNT", reader, "", func(w *world, c string) error {
			_, _, err := w.eng.ListChildren(w.ctx, c, w.org.RootID, org.TypeAccount, p)
			return err
		}},
		{"ListChildren/OU", reader, "", func(w *world, c string) error {
			_, _, err := w.eng.ListChildren(w.ctx, c, w.org.RootID, org.TypeOU, p)
			return err
		}},
		{"EnableAWSServiceAccess", manager, "", func(w *world, c string) error {
			return w.eng.EnableAWSServiceAccess(w.ctx, c, macie)
		}},
		{"DisableAWSServiceAccess", manager, "", func(w *world, c string) error {
			return w.eng.DisableAWSServiceAccess(w.ctx, c, guardduty)
		}},
		{"ListAWSServiceAccessForOrganization", reader, "", func(w *world, c string) error {
			_, _, err := w.eng.ListAWSServiceAccessForOrganization(w.ctx, c, p)
			return err
		}},
		{"RegisterDelegatedAdministrator", manager, "", func(w *world, c string) error {
			return w.eng.RegisterDelegatedAdministrator(w.ctx, c, mem, macie)
		}},
		{"DeregisterDelegatedAdministrator", manager, "", func(w *world, c string) error {
			return w.eng.DeregisterDelegatedAdministrator(w.ctx, c, da, guardduty)
		}},
		{"ListDelegatedAdministrators", reader, "", func(w *world, c string) error {
			_, _, err := w.eng.ListDelegatedAdministrators(w.ctx, c, "", p)
			return err
		}},
		{"ListDelegatedAdministrators/principal", reader, "", func(w *world, c string) error {
			_, _, err := w.eng.ListDelegatedAdministrators(w.ctx, c, guardduty, p)
			return err
		}},
		{"ListDelegatedServicesForAccount", reader, "", func(w *world, c string) error {
			_, _, err := w.eng.ListDelegatedServicesForAccount(w.ctx, c, da, p)
			return err
		}},
		{"TagResource", reader, "", func(w *world, c string) error {
			return w.eng.TagResource(w.ctx, c, mem, []org.Tag{{Key: "k", Value: "v"}})
		}},
		{"UntagResource", reader, "", func(w *world, c string) error {
			return w.eng.UntagResource(w.ctx, c, mem, []string{"k"})
		}},
		{"ListTagsForResource", reader, "", func(w *world, c string) error {
			_, _, err := w.eng.ListTagsForResource(w.ctx, c, mem, p)
			return err
		}},
		{"EnablePolicyType", reader, "", func(w *world, c string) error {
			_, err := w.eng.SetPolicyType(w.ctx, c, w.org.RootID, "SERVICE_CONTROL_POLICY", true)
			return err
		}},
		{"CloseAccount", manager, "", func(w *world, c string) error {
			return w.eng.CloseAccount(w.ctx, c, mem)
		}},
	}
}

// TestCallerRoles checks who may call each operation: a standalone
// account is not in use, a member that is no delegated administrator is
// denied, a delegated administrator may read but not write, the
// management account may do everything (spec §1.1, §18.3). Every refusal
// leaves the store as it was.
func TestCallerRoles(t *testing.T) {
	for _, op := range roleOps() {
		t.Run(op.name, func(t *testing.T) {
			t.Run("standalone", func(t *testing.T) {
				w := newWorld(t)
				for _, c := range []string{stranger, invitee} {
					w.refused(func() error { return op.call(w, c) }, org.CodeNotInUse, "")
				}
			})
			t.Run("member", func(t *testing.T) {
				w := newWorld(t)
				if op.class == anyMember {
					ok(t, op.call(w, mem))
					return
				}
				w.refused(func() error { return op.call(w, mem) }, org.CodeAccessDenied, "")
				// A member of another organization is denied too.
				w.refused(func() error { return op.call(w, other) }, org.CodeAccessDenied, "")
			})
			t.Run("delegated administrator", func(t *testing.T) {
				w := newWorld(t)
				if op.class == manager {
					w.refused(func() error { return op.call(w, da) }, org.CodeAccessDenied, "")
					return
				}
				ok(t, op.call(w, da))
			})
			t.Run("management", func(t *testing.T) {
				w := newWorld(t)
				if op.mgmtErr != "" {
					w.refused(func() error { return op.call(w, mgmt) }, op.mgmtErr, "")
					return
				}
				ok(t, op.call(w, mgmt))
			})
		})
	}
}

// TestLeaveOrganizationRoles: only a member may leave.
func TestLeaveOrganizationRoles(t *testing.T) {
	w := newWorld(t)
	w.refused(func() error { return w.eng.LeaveOrganization(w.ctx, stranger) }, org.CodeNotInUse, "")
	w.refused(func() error { return w.eng.LeaveOrganization(w.ctx, mgmt) }, org.CodeMasterCannotLeave, "")
	w.refused(func() error { return w.eng.LeaveOrganization(w.ctx, da) }, org.CodeConstraintViolation, org.ReasonCannotRemoveDelegatedAdmin)
	ok(t, w.eng.LeaveOrganization(w.ctx, mem))
}

// TestDelegatedAdministratorLosesReadAccess: once deregistered from every
// principal, a delegated administrator is a plain member again.
func TestDelegatedAdministratorLosesReadAccess(t *testing.T) {
	w := newWorld(t)
	ok(t, w.eng.RegisterDelegatedAdministrator(w.ctx, mgmt, da, config))
	ok(t, w.eng.DeregisterDelegatedAdministrator(w.ctx, mgmt, da, guardduty))
	_, _, err := w.eng.ListAccounts(w.ctx, da, org.Page{})
	ok(t, err) // still DA for config
	ok(t, w.eng.DeregisterDelegatedAdministrator(w.ctx, mgmt, da, config))
	_, _, err = w.eng.ListAccounts(w.ctx, da, org.Page{})
	wantErr(t, err, org.CodeAccessDenied, "")
	// A member that becomes DA gains it.
	ok(t, w.eng.RegisterDelegatedAdministrator(w.ctx, mgmt, mem, ssm))
	_, _, err = w.eng.ListAccounts(w.ctx, mem, org.Page{})
	ok(t, err)
}
