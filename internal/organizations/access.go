package organizations

import (
	"context"
	"slices"
	"strings"
	"time"
)

// TrustedPrincipals are the service principals EnableAWSServiceAccess
// knows: the security services and what landing zones commonly enable
// (spec §9.1). An unknown principal is refused, as AWS refuses
// stacksets.cloudformation.amazonaws.com.
func TrustedPrincipals() []string {
	return []string{
		"access-analyzer.amazonaws.com", "account.amazonaws.com", "auditmanager.amazonaws.com",
		"backup.amazonaws.com", "cloudtrail.amazonaws.com", "compute-optimizer.amazonaws.com",
		"config.amazonaws.com", "config-multiaccountsetup.amazonaws.com", "controltower.amazonaws.com",
		"detective.amazonaws.com", "devops-guru.amazonaws.com", "ds.amazonaws.com", "fms.amazonaws.com",
		"guardduty.amazonaws.com", "health.amazonaws.com", "inspector2.amazonaws.com",
		"ipam.amazonaws.com", "license-manager.amazonaws.com", "macie.amazonaws.com",
		"malware-protection.guardduty.amazonaws.com", "member.org.stacksets.cloudformation.amazonaws.com",
		"ram.amazonaws.com", "reporting.trustedadvisor.amazonaws.com", "securityhub.amazonaws.com",
		"securitylake.amazonaws.com", "servicecatalog.amazonaws.com", "ssm.amazonaws.com",
		"sso.amazonaws.com", "storage-lens.s3.amazonaws.com", "tagpolicies.tag.amazonaws.com",
		"wellarchitected.amazonaws.com",
	}
}

// DelegablePrincipals are the principals an account may be registered as
// delegated administrator for; OneAdministrator those that allow one
// delegated administrator per organization (the security services, spec
// §9.4, §12).
func DelegablePrincipals() []string {
	return []string{
		"access-analyzer.amazonaws.com", "auditmanager.amazonaws.com", "backup.amazonaws.com",
		"cloudtrail.amazonaws.com", "compute-optimizer.amazonaws.com", "config.amazonaws.com",
		"config-multiaccountsetup.amazonaws.com", "detective.amazonaws.com", "devops-guru.amazonaws.com",
		"fms.amazonaws.com", "guardduty.amazonaws.com", "health.amazonaws.com", "inspector2.amazonaws.com",
		"ipam.amazonaws.com", "license-manager.amazonaws.com", "macie.amazonaws.com",
		"member.org.stacksets.cloudformation.amazonaws.com", "securityhub.amazonaws.com",
		"securitylake.amazonaws.com", "servicecatalog.amazonaws.com", "ssm.amazonaws.com", "sso.amazonaws.com",
		"storage-lens.s3.amazonaws.com",
	}
}

// OneAdministrator reports whether principal allows one delegated
// administrator per organization.
func OneAdministrator(principal string) bool {
	switch principal {
	case "guardduty.amazonaws.com", "macie.amazonaws.com", "securityhub.amazonaws.com",
		"detective.amazonaws.com", "inspector2.amazonaws.com":
		return true
	}
	return false
}

// ServiceAccess is a principal with trusted access.
type ServiceAccess struct {
	Principal string
	Enabled   time.Time
}

// DelegatedAdministrator is an account registered as a principal's
// delegated administrator.
type DelegatedAdministrator struct {
	Account
	Since time.Time
}

// DelegatedService is a principal an account administers.
type DelegatedService struct {
	Principal string
	Since     time.Time
}

// EnableAWSServiceAccess gives a service principal trusted access to the
// caller's organization. Enabling it again changes nothing.
func (e *Engine) EnableAWSServiceAccess(ctx context.Context, caller, principal string) error {
	return e.update(ctx, func(t *txn) error {
		c, err := t.manager(caller)
		if err != nil {
			return err
		}
		return t.enableAccess(c.org, principal)
	})
}

func (t *txn) enableAccess(o *orgRecord, principal string) error {
	if !slices.Contains(TrustedPrincipals(), principal) {
		return refuseWhy(CodeInvalidInput, ReasonUnrecognizedServicePrincipal)
	}
	if o.FeatureSet != FeatureSetAll {
		return refuseWhy(CodeConstraintViolation, ReasonNotAllFeatures)
	}
	if ok, err := t.get(kindServiceAccess, o.ID+"/"+principal, &accessRecord{}); err != nil || ok {
		return err
	}
	return t.put(kindServiceAccess, o.ID+"/"+principal, accessRecord{Principal: principal, Enabled: t.now})
}

// DisableAWSServiceAccess takes a principal's trusted access away;
// disabling a principal without it changes nothing. The listeners end
// what the service based on the organization (spec §13.4).
func (e *Engine) DisableAWSServiceAccess(ctx context.Context, caller, principal string) error {
	return e.update(ctx, func(t *txn) error {
		c, err := t.manager(caller)
		if err != nil {
			return err
		}
		o := c.org
		if !slices.Contains(TrustedPrincipals(), principal) {
			return refuseWhy(CodeInvalidInput, ReasonUnrecognizedServicePrincipal)
		}
		for policyType, p := range policyTypeService {
			if p == principal && slices.Contains(o.PolicyTypes, policyType) {
				return refuseWhy(CodeConstraintViolation, "POLICY_TYPE_ENABLED_FOR_THIS_SERVICE")
			}
		}
		if ok, err := t.get(kindServiceAccess, o.ID+"/"+principal, &accessRecord{}); err != nil || !ok {
			return err
		}
		if err := t.del(kindServiceAccess, o.ID+"/"+principal); err != nil {
			return err
		}
		org, err := t.organization(o)
		if err != nil {
			return err
		}
		for _, l := range e.listeners {
			if err := l.ServiceAccessDisabled(t.ctx, t.tx, org, principal); err != nil {
				return err
			}
		}
		return nil
	})
}

// ListAWSServiceAccessForOrganization lists exactly the principals with
// trusted access, by principal.
func (e *Engine) ListAWSServiceAccessForOrganization(ctx context.Context, caller string, p Page) ([]ServiceAccess, string, error) {
	var out []ServiceAccess
	var next string
	err := e.view(ctx, func(t *txn) error {
		c, err := t.reader(caller)
		if err != nil {
			return err
		}
		if c.org.FeatureSet != FeatureSetAll {
			return refuseWhy(CodeConstraintViolation, ReasonNotAllFeatures)
		}
		principals, tok, err := t.paged(kindServiceAccess, c.org.ID, "service-access", p)
		if err != nil {
			return err
		}
		next = tok
		for _, pr := range principals {
			var a accessRecord
			if ok, err := t.get(kindServiceAccess, c.org.ID+"/"+pr, &a); err != nil {
				return err
			} else if ok {
				out = append(out, ServiceAccess{Principal: a.Principal, Enabled: a.Enabled})
			}
		}
		return nil
	})
	return out, next, err
}

// RegisterDelegatedAdministrator registers a member account as a
// principal's delegated administrator.
func (e *Engine) RegisterDelegatedAdministrator(ctx context.Context, caller, account, principal string) error {
	return e.update(ctx, func(t *txn) error {
		c, err := t.manager(caller)
		if err != nil {
			return err
		}
		return t.register(c.org, account, principal)
	})
}

// register records account as principal's delegated administrator in o,
// with the checks of spec §9.4 in their order.
func (t *txn) register(o *orgRecord, account, principal string) error {
	if account == o.Management {
		return refuseWhy(CodeConstraintViolation, ReasonCannotRegisterMaster)
	}
	rec, err := t.memberRecord(o, account)
	if err != nil {
		return err
	}
	if rec.State != StateActive {
		return refuseWhy(CodeConstraintViolation, "CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR")
	}
	if !slices.Contains(DelegablePrincipals(), principal) {
		return refuseWhy(CodeInvalidInput, ReasonUnrecognizedServicePrincipal)
	}
	if o.FeatureSet != FeatureSetAll {
		return refuseWhy(CodeConstraintViolation, ReasonNotAllFeatures)
	}
	admins, err := t.indexed(kindDelegatedAdmin, o.ID+"/"+principal, "", 0)
	if err != nil {
		return err
	}
	if slices.Contains(admins, account) {
		return refuse(CodeAccountAlreadyRegistered)
	}
	if len(admins) > 0 && OneAdministrator(principal) {
		return refuseWhy(CodeConstraintViolation, ReasonMaxDelegatedAdmins)
	}
	d := delegatedRecord{Account: account, Principal: principal, Since: t.now}
	if err := t.put(kindDelegatedAdmin, o.ID+"/"+principal+"/"+account, d); err != nil {
		return err
	}
	return t.put(kindAccountDelegation, account+"/"+principal, d)
}

// DeregisterDelegatedAdministrator ends a registration; the listeners end
// the service administration it allowed (spec §13.3).
func (e *Engine) DeregisterDelegatedAdministrator(ctx context.Context, caller, account, principal string) error {
	return e.update(ctx, func(t *txn) error {
		c, err := t.manager(caller)
		if err != nil {
			return err
		}
		return t.deregister(c.org, account, principal)
	})
}

func (t *txn) deregister(o *orgRecord, account, principal string) error {
	if account == o.Management {
		return refuseWhy(CodeConstraintViolation, ReasonCannotRegisterMaster)
	}
	if _, err := t.memberRecord(o, account); err != nil {
		return err
	}
	if ok, err := t.get(kindAccountDelegation, account+"/"+principal, &delegatedRecord{}); err != nil {
		return err
	} else if !ok {
		return refuse(CodeAccountNotRegistered)
	}
	if err := t.del(kindDelegatedAdmin, o.ID+"/"+principal+"/"+account); err != nil {
		return err
	}
	if err := t.del(kindAccountDelegation, account+"/"+principal); err != nil {
		return err
	}
	org, err := t.organization(o)
	if err != nil {
		return err
	}
	for _, l := range t.e.listeners {
		if err := l.DelegatedAdminDeregistered(t.ctx, t.tx, org, principal, account); err != nil {
			return err
		}
	}
	return nil
}

// ListDelegatedAdministrators lists the delegated administrators of one
// principal, or of every principal (each account once), by account id.
func (e *Engine) ListDelegatedAdministrators(ctx context.Context, caller, principal string, p Page) ([]DelegatedAdministrator, string, error) {
	var out []DelegatedAdministrator
	var next string
	err := e.view(ctx, func(t *txn) error {
		c, err := t.reader(caller)
		if err != nil {
			return err
		}
		after, err := decodeToken("delegated-administrators:"+principal, p.Token)
		if err != nil {
			return err
		}
		prefix := c.org.ID + "/"
		if principal != "" {
			prefix += principal + "/"
		}
		recs, err := t.tx.ListRecords(t.ctx, recordQuery(kindDelegatedAdmin, prefix))
		if err != nil {
			return err
		}
		since := map[string]time.Time{}
		for _, r := range recs {
			account := r.Key[strings.LastIndexByte(r.Key, '/')+1:]
			var d delegatedRecord
			if ok, err := t.get(kindDelegatedAdmin, r.Key, &d); err != nil {
				return err
			} else if ok {
				if s, seen := since[account]; !seen || d.Since.Before(s) {
					since[account] = d.Since
				}
			}
		}
		accounts := make([]string, 0, len(since))
		for a := range since {
			if a > after {
				accounts = append(accounts, a)
			}
		}
		sortStrings(accounts)
		if len(accounts) > p.limit() {
			accounts = accounts[:p.limit()]
			next = encodeToken("delegated-administrators:"+principal, accounts[len(accounts)-1])
		}
		for _, a := range accounts {
			rec, err := t.memberRecord(c.org, a)
			if err != nil {
				return err
			}
			acct, err := t.account(c.org, &rec)
			if err != nil {
				return err
			}
			out = append(out, DelegatedAdministrator{Account: acct, Since: since[a]})
		}
		return nil
	})
	return out, next, err
}

// ListDelegatedServicesForAccount lists the principals an account
// administers.
func (e *Engine) ListDelegatedServicesForAccount(ctx context.Context, caller, account string, p Page) ([]DelegatedService, string, error) {
	var out []DelegatedService
	var next string
	err := e.view(ctx, func(t *txn) error {
		c, err := t.reader(caller)
		if err != nil {
			return err
		}
		if _, err := t.memberRecord(c.org, account); err != nil {
			return err
		}
		principals, tok, err := t.paged(kindAccountDelegation, account, "delegated-services:"+account, p)
		if err != nil {
			return err
		}
		if len(principals) == 0 && p.Token == "" {
			return refuse(CodeAccountNotRegistered)
		}
		next = tok
		for _, pr := range principals {
			var d delegatedRecord
			if ok, err := t.get(kindAccountDelegation, account+"/"+pr, &d); err != nil {
				return err
			} else if ok {
				out = append(out, DelegatedService{Principal: d.Principal, Since: d.Since})
			}
		}
		return nil
	})
	return out, next, err
}
