package organizations

import (
	"strings"
	"time"

	api "github.com/localsec/localsec/internal/api/organizations"
	"github.com/localsec/localsec/internal/awsarn"
	"github.com/localsec/localsec/internal/organizations"
	"github.com/localsec/localsec/internal/protocol"
)

// arn is an Organizations ARN: the account field is the management
// account, whoever asks (spec §3.1); the partition is the caller's.
func arn(call *protocol.Call, management, resource string) *string {
	return new("arn:" + awsarn.Partition(call.Region) + ":organizations::" + management + ":" + resource)
}

func stamp(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func toOrganization(call *protocol.Call, o organizations.Organization) *api.Organization {
	// AvailablePolicyTypes is deprecated and inaccurate in AWS; the
	// samples show the service control policy ENABLED for ALL and none
	// for consolidated billing (spec §3.2).
	available := []api.PolicyTypeSummary{}
	if o.FeatureSet == organizations.FeatureSetAll {
		available = append(available, api.PolicyTypeSummary{Type: new("SERVICE_CONTROL_POLICY"), Status: new("ENABLED")})
	}
	return &api.Organization{
		Arn:                  arn(call, o.Management, "organization/"+o.ID),
		AvailablePolicyTypes: available,
		FeatureSet:           new(o.FeatureSet),
		Id:                   new(o.ID),
		MasterAccountArn:     arn(call, o.Management, "account/"+o.ID+"/"+o.Management),
		MasterAccountEmail:   new(o.ManagementEmail),
		MasterAccountId:      new(o.Management),
	}
}

func toRoot(call *protocol.Call, r organizations.Root) api.Root {
	types := []api.PolicyTypeSummary{}
	for _, t := range r.PolicyTypes {
		types = append(types, api.PolicyTypeSummary{Type: new(t), Status: new("ENABLED")})
	}
	return api.Root{Arn: arn(call, r.Management, "root/"+r.OrgID+"/"+r.ID), Id: new(r.ID), Name: new("Root"), PolicyTypes: types}
}

// status is the deprecated Status of an account state.
func status(state string) string {
	switch state {
	case organizations.StateClosed:
		return "SUSPENDED"
	case organizations.StatePendingClosure:
		return "PENDING_CLOSURE"
	}
	return state
}

func toAccount(call *protocol.Call, a organizations.Account) api.Account {
	return api.Account{
		Arn:             arn(call, a.Management, "account/"+a.OrgID+"/"+a.ID),
		Email:           new(a.Email),
		Id:              new(a.ID),
		JoinedMethod:    new(a.JoinedMethod),
		JoinedTimestamp: stamp(a.Joined),
		Name:            new(a.Name),
		Paths:           []string{a.Path},
		State:           new(a.State),
		Status:          new(status(a.State)),
	}
}

func toAccounts(call *protocol.Call, as []organizations.Account) []api.Account {
	out := make([]api.Account, 0, len(as))
	for _, a := range as {
		out = append(out, toAccount(call, a))
	}
	return out
}

func toOU(call *protocol.Call, u organizations.OrganizationalUnit) api.OrganizationalUnit {
	return api.OrganizationalUnit{Arn: arn(call, u.Management, "ou/"+u.OrgID+"/"+u.ID), Id: new(u.ID), Name: new(u.Name), Path: new(u.Path)}
}

func toResources(rs []organizations.Resource) []api.HandshakeResource {
	if len(rs) == 0 {
		return nil
	}
	out := make([]api.HandshakeResource, 0, len(rs))
	for _, r := range rs {
		out = append(out, api.HandshakeResource{Type: new(r.Type), Value: new(r.Value), Resources: toResources(r.Resources)})
	}
	return out
}

func toHandshake(call *protocol.Call, h organizations.Handshake) *api.Handshake {
	parties := make([]api.HandshakeParty, 0, len(h.Parties))
	for _, p := range h.Parties {
		parties = append(parties, api.HandshakeParty{Id: new(p.ID), Type: new(p.Type)})
	}
	return &api.Handshake{
		Action:              new(h.Action),
		Arn:                 arn(call, h.Management, "handshake/"+h.OrgID+"/"+strings.ToLower(h.Action)+"/"+h.ID),
		ExpirationTimestamp: stamp(h.Expires),
		Id:                  new(h.ID),
		Parties:             parties,
		RequestedTimestamp:  stamp(h.Requested),
		Resources:           toResources(h.Resources),
		State:               new(h.State),
	}
}

func toHandshakes(call *protocol.Call, hs []organizations.Handshake) []api.Handshake {
	out := make([]api.Handshake, 0, len(hs))
	for _, h := range hs {
		out = append(out, *toHandshake(call, h))
	}
	return out
}

func toCreateStatus(s organizations.CreateAccountStatus) *api.CreateAccountStatus {
	out := &api.CreateAccountStatus{
		AccountName:        new(s.AccountName),
		CompletedTimestamp: stamp(s.Completed),
		Id:                 new(s.ID),
		RequestedTimestamp: stamp(s.Requested),
		State:              new(s.State),
	}
	if s.AccountID != "" {
		out.AccountId = new(s.AccountID)
	}
	if s.FailureReason != "" {
		out.FailureReason = new(s.FailureReason)
	}
	return out
}

func fromTags(tags []api.Tag) []organizations.Tag {
	out := make([]organizations.Tag, 0, len(tags))
	for _, t := range tags {
		out = append(out, organizations.Tag{Key: str(t.Key), Value: str(t.Value)})
	}
	return out
}

func toTags(tags []organizations.Tag) []api.Tag {
	out := make([]api.Tag, 0, len(tags))
	for _, t := range tags {
		out = append(out, api.Tag{Key: new(t.Key), Value: new(t.Value)})
	}
	return out
}
