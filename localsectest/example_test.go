package localsectest_test

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/macie2"
	"github.com/aws/aws-sdk-go-v2/service/macie2/types"

	"github.com/localsec/localsec/localsectest"
)

// An administrator invites a member; the member sees the invitation and
// accepts it; the administrator sees the member Enabled. Two accounts, one
// in-process server.
func Example() {
	srv := localsectest.NewServer()
	defer srv.Close()
	ctx := context.Background()
	admin := macie2.NewFromConfig(srv.AWSConfig("111111111111"))
	member := macie2.NewFromConfig(srv.AWSConfig("222222222222"))

	for _, c := range []*macie2.Client{admin, member} {
		if _, err := c.EnableMacie(ctx, &macie2.EnableMacieInput{}); err != nil {
			panic(err)
		}
	}
	_, err := admin.CreateMember(ctx, &macie2.CreateMemberInput{
		Account: &types.AccountDetail{AccountId: aws.String("222222222222"), Email: aws.String("member@example.com")},
	})
	if err != nil {
		panic(err)
	}
	if _, err := admin.CreateInvitations(ctx, &macie2.CreateInvitationsInput{AccountIds: []string{"222222222222"}}); err != nil {
		panic(err)
	}

	invs, err := member.ListInvitations(ctx, &macie2.ListInvitationsInput{})
	if err != nil {
		panic(err)
	}
	inv := invs.Invitations[0]
	fmt.Println("invited by", aws.ToString(inv.AccountId), inv.RelationshipStatus)
	_, err = member.AcceptInvitation(ctx, &macie2.AcceptInvitationInput{
		AdministratorAccountId: inv.AccountId, InvitationId: inv.InvitationId,
	})
	if err != nil {
		panic(err)
	}

	m, err := admin.GetMember(ctx, &macie2.GetMemberInput{Id: aws.String("222222222222")})
	if err != nil {
		panic(err)
	}
	fmt.Println("member", aws.ToString(m.AccountId), m.RelationshipStatus)
	// Output:
	// invited by 111111111111 Invited
	// member 222222222222 Enabled
}
