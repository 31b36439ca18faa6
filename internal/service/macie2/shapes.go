package macie2

import (
	"time"

	"github.com/localsec/localsec/internal/awsarn"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol/restjson"
	"github.com/localsec/localsec/internal/store"
)

// Wire shapes. Member names are the model's jsonNames; optional members
// are omitted when they have no value.

type member struct {
	AccountID              string              `json:"accountId"`
	AdministratorAccountID string              `json:"administratorAccountId"`
	Arn                    string              `json:"arn"`
	Email                  string              `json:"email,omitempty"`
	InvitedAt              *restjson.Timestamp `json:"invitedAt,omitempty"`
	MasterAccountID        string              `json:"masterAccountId"`
	RelationshipStatus     string              `json:"relationshipStatus"`
	Tags                   map[string]string   `json:"tags"`
	UpdatedAt              *restjson.Timestamp `json:"updatedAt,omitempty"`
}

type invitation struct {
	AccountID          string              `json:"accountId"`
	InvitationID       string              `json:"invitationId,omitempty"`
	InvitedAt          *restjson.Timestamp `json:"invitedAt,omitempty"`
	RelationshipStatus string              `json:"relationshipStatus"`
}

type unprocessedAccount struct {
	AccountID    string `json:"accountId"`
	ErrorCode    string `json:"errorCode"`
	ErrorMessage string `json:"errorMessage"`
}

type adminAccount struct {
	AccountID string `json:"accountId"`
	Status    string `json:"status"`
}

// relationshipStatus returns Macie's name for an engine status: the
// engine's Suspended is Macie's Paused; the others have the same names.
func relationshipStatus(st store.RelationshipStatus) string {
	if st == store.StatusSuspended {
		return "Paused"
	}
	return string(st)
}

// memberARN is arn:<partition>:macie2:<region>:<administrator>:member/<member>.
func memberARN(region, admin, memberAccount string) string {
	return awsarn.New(SigningName, region, admin, "member/"+memberAccount).String()
}

func toMember(v membership.MemberView) member {
	tags := v.Tags
	if tags == nil {
		tags = map[string]string{}
	}
	email := v.Email
	if v.Association == store.AssociationOrganizations {
		// Macie shows no email for accounts associated through
		// Organizations (model doc of Member.email).
		email = ""
	}
	return member{
		AccountID:              v.Member.Member,
		AdministratorAccountID: v.Admin,
		Arn:                    memberARN(v.Region, v.Admin, v.Member.Member),
		Email:                  email,
		InvitedAt:              restjson.NewTimestamp(v.InvitedAt),
		MasterAccountID:        v.Admin,
		RelationshipStatus:     relationshipStatus(v.Status),
		Tags:                   tags,
		UpdatedAt:              restjson.NewTimestamp(v.Updated),
	}
}

func toInvitation(inv membership.Invitation) invitation {
	return invitation{
		AccountID:          inv.Admin,
		InvitationID:       inv.ID,
		InvitedAt:          restjson.NewTimestamp(inv.InvitedAt),
		RelationshipStatus: relationshipStatus(inv.Status),
	}
}

func timestamp(t time.Time) *restjson.Timestamp { return restjson.NewTimestamp(t) }
