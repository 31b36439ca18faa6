package organizations

import (
	"context"

	api "github.com/localsec/localsec/internal/api/organizations"
	"github.com/localsec/localsec/internal/organizations"
	"github.com/localsec/localsec/internal/protocol"
)

// The organization.

// CreateOrganization makes the caller the management account of a new
// organization.
func (s *Service) CreateOrganization(ctx context.Context, call *protocol.Call, in *api.CreateOrganizationRequest) (*api.CreateOrganizationResponse, error) {
	o, err := s.orgs.CreateOrganization(ctx, call.Account, str(in.FeatureSet))
	if err != nil {
		return nil, err
	}
	return &api.CreateOrganizationResponse{Organization: toOrganization(call, o)}, nil
}

// DescribeOrganization returns the caller's organization.
func (s *Service) DescribeOrganization(ctx context.Context, call *protocol.Call, _ *struct{}) (*api.DescribeOrganizationResponse, error) {
	o, err := s.orgs.DescribeOrganization(ctx, call.Account)
	if err != nil {
		return nil, err
	}
	return &api.DescribeOrganizationResponse{Organization: toOrganization(call, o)}, nil
}

// DeleteOrganization deletes the caller's organization.
func (s *Service) DeleteOrganization(ctx context.Context, call *protocol.Call, _ *struct{}) (*struct{}, error) {
	return nil, s.orgs.DeleteOrganization(ctx, call.Account)
}

// ListRoots lists the organization's one root.
func (s *Service) ListRoots(ctx context.Context, call *protocol.Call, in *api.ListRootsRequest) (*api.ListRootsResponse, error) {
	roots, next, err := s.orgs.ListRoots(ctx, call.Account, page(in.MaxResults, in.NextToken))
	if err != nil {
		return nil, err
	}
	out := &api.ListRootsResponse{Roots: make([]api.Root, 0, len(roots)), NextToken: token(next)}
	for _, r := range roots {
		out.Roots = append(out.Roots, toRoot(call, r))
	}
	return out, nil
}

// EnablePolicyType enables a policy type in the root (the flag only).
func (s *Service) EnablePolicyType(ctx context.Context, call *protocol.Call, in *api.EnablePolicyTypeRequest) (*api.EnablePolicyTypeResponse, error) {
	r, err := s.orgs.SetPolicyType(ctx, call.Account, str(in.RootId), str(in.PolicyType), true)
	if err != nil {
		return nil, err
	}
	root := toRoot(call, r)
	return &api.EnablePolicyTypeResponse{Root: &root}, nil
}

// DisablePolicyType disables a policy type in the root.
func (s *Service) DisablePolicyType(ctx context.Context, call *protocol.Call, in *api.DisablePolicyTypeRequest) (*api.DisablePolicyTypeResponse, error) {
	r, err := s.orgs.SetPolicyType(ctx, call.Account, str(in.RootId), str(in.PolicyType), false)
	if err != nil {
		return nil, err
	}
	root := toRoot(call, r)
	return &api.DisablePolicyTypeResponse{Root: &root}, nil
}

// Accounts.

// ListAccounts lists every account of the organization.
func (s *Service) ListAccounts(ctx context.Context, call *protocol.Call, in *api.ListAccountsRequest) (*api.ListAccountsResponse, error) {
	as, next, err := s.orgs.ListAccounts(ctx, call.Account, page(in.MaxResults, in.NextToken))
	if err != nil {
		return nil, err
	}
	return &api.ListAccountsResponse{Accounts: toAccounts(call, as), NextToken: token(next)}, nil
}

// ListAccountsForParent lists the accounts directly in a root or OU.
func (s *Service) ListAccountsForParent(ctx context.Context, call *protocol.Call, in *api.ListAccountsForParentRequest) (*api.ListAccountsForParentResponse, error) {
	as, next, err := s.orgs.ListAccountsForParent(ctx, call.Account, str(in.ParentId), page(in.MaxResults, in.NextToken))
	if err != nil {
		return nil, err
	}
	return &api.ListAccountsForParentResponse{Accounts: toAccounts(call, as), NextToken: token(next)}, nil
}

// DescribeAccount returns an account of the organization.
func (s *Service) DescribeAccount(ctx context.Context, call *protocol.Call, in *api.DescribeAccountRequest) (*api.DescribeAccountResponse, error) {
	a, err := s.orgs.DescribeAccount(ctx, call.Account, str(in.AccountId))
	if err != nil {
		return nil, err
	}
	acct := toAccount(call, a)
	return &api.DescribeAccountResponse{Account: &acct}, nil
}

// CreateAccount creates an account in the organization's root.
func (s *Service) CreateAccount(ctx context.Context, call *protocol.Call, in *api.CreateAccountRequest) (*api.CreateAccountResponse, error) {
	st, err := s.orgs.CreateAccount(ctx, call.Account, organizations.NewAccount{
		Name: str(in.AccountName), Email: str(in.Email), RoleName: str(in.RoleName), Tags: fromTags(in.Tags)})
	if err != nil {
		return nil, err
	}
	return &api.CreateAccountResponse{CreateAccountStatus: toCreateStatus(st)}, nil
}

// DescribeCreateAccountStatus returns a CreateAccount request.
func (s *Service) DescribeCreateAccountStatus(ctx context.Context, call *protocol.Call, in *api.DescribeCreateAccountStatusRequest) (*api.DescribeCreateAccountStatusResponse, error) {
	st, err := s.orgs.DescribeCreateAccountStatus(ctx, call.Account, str(in.CreateAccountRequestId))
	if err != nil {
		return nil, err
	}
	return &api.DescribeCreateAccountStatusResponse{CreateAccountStatus: toCreateStatus(st)}, nil
}

// ListCreateAccountStatus lists the organization's CreateAccount requests.
func (s *Service) ListCreateAccountStatus(ctx context.Context, call *protocol.Call, in *api.ListCreateAccountStatusRequest) (*api.ListCreateAccountStatusResponse, error) {
	sts, next, err := s.orgs.ListCreateAccountStatus(ctx, call.Account, in.States, page(in.MaxResults, in.NextToken))
	if err != nil {
		return nil, err
	}
	out := &api.ListCreateAccountStatusResponse{CreateAccountStatuses: make([]api.CreateAccountStatus, 0, len(sts)), NextToken: token(next)}
	for _, st := range sts {
		out.CreateAccountStatuses = append(out.CreateAccountStatuses, *toCreateStatus(st))
	}
	return out, nil
}

// CloseAccount closes an account of the organization.
func (s *Service) CloseAccount(ctx context.Context, call *protocol.Call, in *api.CloseAccountRequest) (*struct{}, error) {
	return nil, s.orgs.CloseAccount(ctx, call.Account, str(in.AccountId))
}

// MoveAccount moves an account to another root or OU.
func (s *Service) MoveAccount(ctx context.Context, call *protocol.Call, in *api.MoveAccountRequest) (*struct{}, error) {
	return nil, s.orgs.MoveAccount(ctx, call.Account, str(in.AccountId), str(in.SourceParentId), str(in.DestinationParentId))
}

// ListParents returns the parent of an account or OU.
func (s *Service) ListParents(ctx context.Context, call *protocol.Call, in *api.ListParentsRequest) (*api.ListParentsResponse, error) {
	parents, next, err := s.orgs.ListParents(ctx, call.Account, str(in.ChildId), page(in.MaxResults, in.NextToken))
	if err != nil {
		return nil, err
	}
	out := &api.ListParentsResponse{Parents: make([]api.Parent, 0, len(parents)), NextToken: token(next)}
	for _, p := range parents {
		out.Parents = append(out.Parents, api.Parent{Id: new(p.ID), Type: new(p.Type)})
	}
	return out, nil
}

// ListChildren lists the accounts or OUs in a root or OU.
func (s *Service) ListChildren(ctx context.Context, call *protocol.Call, in *api.ListChildrenRequest) (*api.ListChildrenResponse, error) {
	children, next, err := s.orgs.ListChildren(ctx, call.Account, str(in.ParentId), str(in.ChildType), page(in.MaxResults, in.NextToken))
	if err != nil {
		return nil, err
	}
	out := &api.ListChildrenResponse{Children: make([]api.Child, 0, len(children)), NextToken: token(next)}
	for _, c := range children {
		out.Children = append(out.Children, api.Child{Id: new(c.ID), Type: new(c.Type)})
	}
	return out, nil
}

// RemoveAccountFromOrganization removes an account from the organization.
func (s *Service) RemoveAccountFromOrganization(ctx context.Context, call *protocol.Call, in *api.RemoveAccountFromOrganizationRequest) (*struct{}, error) {
	return nil, s.orgs.RemoveAccountFromOrganization(ctx, call.Account, str(in.AccountId))
}

// LeaveOrganization takes the caller out of its organization.
func (s *Service) LeaveOrganization(ctx context.Context, call *protocol.Call, _ *struct{}) (*struct{}, error) {
	return nil, s.orgs.LeaveOrganization(ctx, call.Account)
}

// Handshakes.

// InviteAccountToOrganization invites an account into the organization.
func (s *Service) InviteAccountToOrganization(ctx context.Context, call *protocol.Call, in *api.InviteAccountToOrganizationRequest) (*api.InviteAccountToOrganizationResponse, error) {
	target := organizations.Party{ID: str(in.Target.Id), Type: str(in.Target.Type)}
	h, err := s.orgs.InviteAccountToOrganization(ctx, call.Account, target, str(in.Notes), fromTags(in.Tags))
	if err != nil {
		return nil, err
	}
	return &api.InviteAccountToOrganizationResponse{Handshake: toHandshake(call, h)}, nil
}

// DescribeHandshake returns a handshake the caller sent or received.
func (s *Service) DescribeHandshake(ctx context.Context, call *protocol.Call, in *api.DescribeHandshakeRequest) (*api.DescribeHandshakeResponse, error) {
	h, err := s.orgs.DescribeHandshake(ctx, call.Account, str(in.HandshakeId))
	if err != nil {
		return nil, err
	}
	return &api.DescribeHandshakeResponse{Handshake: toHandshake(call, h)}, nil
}

func filter(f *api.HandshakeFilter) organizations.HandshakeFilter {
	if f == nil {
		return organizations.HandshakeFilter{}
	}
	return organizations.HandshakeFilter{ActionType: str(f.ActionType), ParentHandshakeID: str(f.ParentHandshakeId)}
}

// ListHandshakesForAccount lists the handshakes the caller received.
func (s *Service) ListHandshakesForAccount(ctx context.Context, call *protocol.Call, in *api.ListHandshakesForAccountRequest) (*api.ListHandshakesForAccountResponse, error) {
	hs, next, err := s.orgs.ListHandshakesForAccount(ctx, call.Account, filter(in.Filter), page(in.MaxResults, in.NextToken))
	if err != nil {
		return nil, err
	}
	return &api.ListHandshakesForAccountResponse{Handshakes: toHandshakes(call, hs), NextToken: token(next)}, nil
}

// ListHandshakesForOrganization lists the handshakes the organization sent.
func (s *Service) ListHandshakesForOrganization(ctx context.Context, call *protocol.Call, in *api.ListHandshakesForOrganizationRequest) (*api.ListHandshakesForOrganizationResponse, error) {
	hs, next, err := s.orgs.ListHandshakesForOrganization(ctx, call.Account, filter(in.Filter), page(in.MaxResults, in.NextToken))
	if err != nil {
		return nil, err
	}
	return &api.ListHandshakesForOrganizationResponse{Handshakes: toHandshakes(call, hs), NextToken: token(next)}, nil
}

// AcceptHandshake accepts an invitation.
func (s *Service) AcceptHandshake(ctx context.Context, call *protocol.Call, in *api.AcceptHandshakeRequest) (*api.AcceptHandshakeResponse, error) {
	h, err := s.orgs.AcceptHandshake(ctx, call.Account, str(in.HandshakeId))
	if err != nil {
		return nil, err
	}
	return &api.AcceptHandshakeResponse{Handshake: toHandshake(call, h)}, nil
}

// DeclineHandshake declines an invitation.
func (s *Service) DeclineHandshake(ctx context.Context, call *protocol.Call, in *api.DeclineHandshakeRequest) (*api.DeclineHandshakeResponse, error) {
	h, err := s.orgs.DeclineHandshake(ctx, call.Account, str(in.HandshakeId))
	if err != nil {
		return nil, err
	}
	return &api.DeclineHandshakeResponse{Handshake: toHandshake(call, h)}, nil
}

// CancelHandshake cancels an invitation the organization sent.
func (s *Service) CancelHandshake(ctx context.Context, call *protocol.Call, in *api.CancelHandshakeRequest) (*api.CancelHandshakeResponse, error) {
	h, err := s.orgs.CancelHandshake(ctx, call.Account, str(in.HandshakeId))
	if err != nil {
		return nil, err
	}
	return &api.CancelHandshakeResponse{Handshake: toHandshake(call, h)}, nil
}

// Organizational units.

// CreateOrganizationalUnit creates an OU.
func (s *Service) CreateOrganizationalUnit(ctx context.Context, call *protocol.Call, in *api.CreateOrganizationalUnitRequest) (*api.CreateOrganizationalUnitResponse, error) {
	u, err := s.orgs.CreateOrganizationalUnit(ctx, call.Account, str(in.ParentId), str(in.Name), fromTags(in.Tags))
	if err != nil {
		return nil, err
	}
	ou := toOU(call, u)
	return &api.CreateOrganizationalUnitResponse{OrganizationalUnit: &ou}, nil
}

// DescribeOrganizationalUnit returns an OU.
func (s *Service) DescribeOrganizationalUnit(ctx context.Context, call *protocol.Call, in *api.DescribeOrganizationalUnitRequest) (*api.DescribeOrganizationalUnitResponse, error) {
	u, err := s.orgs.DescribeOrganizationalUnit(ctx, call.Account, str(in.OrganizationalUnitId))
	if err != nil {
		return nil, err
	}
	ou := toOU(call, u)
	return &api.DescribeOrganizationalUnitResponse{OrganizationalUnit: &ou}, nil
}

// UpdateOrganizationalUnit renames an OU.
func (s *Service) UpdateOrganizationalUnit(ctx context.Context, call *protocol.Call, in *api.UpdateOrganizationalUnitRequest) (*api.UpdateOrganizationalUnitResponse, error) {
	u, err := s.orgs.UpdateOrganizationalUnit(ctx, call.Account, str(in.OrganizationalUnitId), str(in.Name))
	if err != nil {
		return nil, err
	}
	ou := toOU(call, u)
	return &api.UpdateOrganizationalUnitResponse{OrganizationalUnit: &ou}, nil
}

// DeleteOrganizationalUnit deletes an empty OU.
func (s *Service) DeleteOrganizationalUnit(ctx context.Context, call *protocol.Call, in *api.DeleteOrganizationalUnitRequest) (*struct{}, error) {
	return nil, s.orgs.DeleteOrganizationalUnit(ctx, call.Account, str(in.OrganizationalUnitId))
}

// ListOrganizationalUnitsForParent lists the OUs in a root or OU.
func (s *Service) ListOrganizationalUnitsForParent(ctx context.Context, call *protocol.Call, in *api.ListOrganizationalUnitsForParentRequest) (*api.ListOrganizationalUnitsForParentResponse, error) {
	us, next, err := s.orgs.ListOrganizationalUnitsForParent(ctx, call.Account, str(in.ParentId), page(in.MaxResults, in.NextToken))
	if err != nil {
		return nil, err
	}
	out := &api.ListOrganizationalUnitsForParentResponse{OrganizationalUnits: make([]api.OrganizationalUnit, 0, len(us)), NextToken: token(next)}
	for _, u := range us {
		out.OrganizationalUnits = append(out.OrganizationalUnits, toOU(call, u))
	}
	return out, nil
}

// Trusted access and delegated administrators.

// EnableAWSServiceAccess gives a service principal trusted access.
func (s *Service) EnableAWSServiceAccess(ctx context.Context, call *protocol.Call, in *api.EnableAWSServiceAccessRequest) (*struct{}, error) {
	return nil, s.orgs.EnableAWSServiceAccess(ctx, call.Account, str(in.ServicePrincipal))
}

// DisableAWSServiceAccess takes a principal's trusted access away.
func (s *Service) DisableAWSServiceAccess(ctx context.Context, call *protocol.Call, in *api.DisableAWSServiceAccessRequest) (*struct{}, error) {
	return nil, s.orgs.DisableAWSServiceAccess(ctx, call.Account, str(in.ServicePrincipal))
}

// ListAWSServiceAccessForOrganization lists the principals with trusted access.
func (s *Service) ListAWSServiceAccessForOrganization(ctx context.Context, call *protocol.Call, in *api.ListAWSServiceAccessForOrganizationRequest) (*api.ListAWSServiceAccessForOrganizationResponse, error) {
	as, next, err := s.orgs.ListAWSServiceAccessForOrganization(ctx, call.Account, page(in.MaxResults, in.NextToken))
	if err != nil {
		return nil, err
	}
	out := &api.ListAWSServiceAccessForOrganizationResponse{EnabledServicePrincipals: make([]api.EnabledServicePrincipal, 0, len(as)), NextToken: token(next)}
	for _, a := range as {
		out.EnabledServicePrincipals = append(out.EnabledServicePrincipals, api.EnabledServicePrincipal{ServicePrincipal: new(a.Principal), DateEnabled: stamp(a.Enabled)})
	}
	return out, nil
}

// RegisterDelegatedAdministrator registers a delegated administrator.
func (s *Service) RegisterDelegatedAdministrator(ctx context.Context, call *protocol.Call, in *api.RegisterDelegatedAdministratorRequest) (*struct{}, error) {
	return nil, s.orgs.RegisterDelegatedAdministrator(ctx, call.Account, str(in.AccountId), str(in.ServicePrincipal))
}

// DeregisterDelegatedAdministrator ends a registration.
func (s *Service) DeregisterDelegatedAdministrator(ctx context.Context, call *protocol.Call, in *api.DeregisterDelegatedAdministratorRequest) (*struct{}, error) {
	return nil, s.orgs.DeregisterDelegatedAdministrator(ctx, call.Account, str(in.AccountId), str(in.ServicePrincipal))
}

// ListDelegatedAdministrators lists the delegated administrators.
func (s *Service) ListDelegatedAdministrators(ctx context.Context, call *protocol.Call, in *api.ListDelegatedAdministratorsRequest) (*api.ListDelegatedAdministratorsResponse, error) {
	das, next, err := s.orgs.ListDelegatedAdministrators(ctx, call.Account, str(in.ServicePrincipal), page(in.MaxResults, in.NextToken))
	if err != nil {
		return nil, err
	}
	out := &api.ListDelegatedAdministratorsResponse{DelegatedAdministrators: make([]api.DelegatedAdministrator, 0, len(das)), NextToken: token(next)}
	for _, d := range das {
		a := toAccount(call, d.Account)
		out.DelegatedAdministrators = append(out.DelegatedAdministrators, api.DelegatedAdministrator{
			Arn: a.Arn, DelegationEnabledDate: stamp(d.Since), Email: a.Email, Id: a.Id, JoinedMethod: a.JoinedMethod,
			JoinedTimestamp: a.JoinedTimestamp, Name: a.Name, State: a.State, Status: a.Status,
		})
	}
	return out, nil
}

// ListDelegatedServicesForAccount lists the principals an account administers.
func (s *Service) ListDelegatedServicesForAccount(ctx context.Context, call *protocol.Call, in *api.ListDelegatedServicesForAccountRequest) (*api.ListDelegatedServicesForAccountResponse, error) {
	ds, next, err := s.orgs.ListDelegatedServicesForAccount(ctx, call.Account, str(in.AccountId), page(in.MaxResults, in.NextToken))
	if err != nil {
		return nil, err
	}
	out := &api.ListDelegatedServicesForAccountResponse{DelegatedServices: make([]api.DelegatedService, 0, len(ds)), NextToken: token(next)}
	for _, d := range ds {
		out.DelegatedServices = append(out.DelegatedServices, api.DelegatedService{ServicePrincipal: new(d.Principal), DelegationEnabledDate: stamp(d.Since)})
	}
	return out, nil
}

// Tags.

// TagResource tags a root, OU or account.
func (s *Service) TagResource(ctx context.Context, call *protocol.Call, in *api.TagResourceRequest) (*struct{}, error) {
	return nil, s.orgs.TagResource(ctx, call.Account, str(in.ResourceId), fromTags(in.Tags))
}

// UntagResource removes tags.
func (s *Service) UntagResource(ctx context.Context, call *protocol.Call, in *api.UntagResourceRequest) (*struct{}, error) {
	return nil, s.orgs.UntagResource(ctx, call.Account, str(in.ResourceId), in.TagKeys)
}

// ListTagsForResource lists a resource's tags: all of them on one page
// (a resource has at most 50; the operation has no MaxResults).
func (s *Service) ListTagsForResource(ctx context.Context, call *protocol.Call, in *api.ListTagsForResourceRequest) (*api.ListTagsForResourceResponse, error) {
	tags, next, err := s.orgs.ListTagsForResource(ctx, call.Account, str(in.ResourceId),
		organizations.Page{Token: str(in.NextToken), Limit: organizations.MaxTags})
	if err != nil {
		return nil, err
	}
	return &api.ListTagsForResourceResponse{Tags: toTags(tags), NextToken: token(next)}, nil
}
