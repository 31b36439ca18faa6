#!/usr/bin/env bash
# macie2-two-accounts.sh: the Macie administrator/member scenario of
# e2e/awscli_test.go, run by hand with the real aws CLI.
#
#   scripts/awscli/macie2-two-accounts.sh
#       builds localsec (go on PATH), starts it on a free loopback port,
#       runs the scenario and stops it.
#   LOCALSEC_URL=http://127.0.0.1:4566 scripts/awscli/macie2-two-accounts.sh
#       runs the scenario against a localsec that is already running.
#       It RESETS that server's state first (POST /_localsec/reset, needs curl).
#
# Accounts: 111111111111 (administrator) and 222222222222 (member), used as
# access key ids. Every aws process gets a clean environment: an empty HOME,
# config and credentials files that do not exist, no profile, us-east-1.
# The administrator passes --endpoint-url, the member sets
# AWS_ENDPOINT_URL_MACIE2. Exits non-zero at the first unexpected answer,
# printing the command, its stdout and its stderr.
set -euo pipefail

ADMIN=111111111111
MEMBER=222222222222
OTHER=333333333333
MEMBER_ARN="arn:aws:macie2:us-east-1:$ADMIN:member/$MEMBER"

SERVICE=macie2
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ok $ADMIN flag enable-macie
ok $MEMBER env enable-macie
ok $ADMIN env get-macie-session
expect 'j["status"]' ENABLED

ok $ADMIN flag create-member --account "accountId=$MEMBER,email=member@example.com" --tags Team=security,Env=test
expect 'j["arn"]' "$MEMBER_ARN"

ok $ADMIN flag create-invitations --account-ids $MEMBER
expect 'j["unprocessedAccounts"]' '[]'

ok $MEMBER env list-invitations
expect 'len(j["invitations"])' 1
expect 'j["invitations"][0]["accountId"]' $ADMIN
expect 'j["invitations"][0]["relationshipStatus"]' Invited
invitation_id=$(field 'j["invitations"][0]["invitationId"]')
[[ $invitation_id =~ ^[0-9a-f]{32}$ ]] || fail "invitationId $invitation_id is not 32 hex characters"
ok $MEMBER flag get-invitations-count
expect 'j["invitationsCount"]' 1

ok $ADMIN flag list-members --only-associated false
expect 'j["members"][0]["relationshipStatus"]' Invited
ok $ADMIN env list-members
expect 'j["members"]' '[]'

ok $MEMBER env accept-invitation --administrator-account-id $ADMIN --invitation-id "$invitation_id"
ok $MEMBER env get-administrator-account
expect 'j["administrator"]["accountId"]' $ADMIN
expect 'j["administrator"]["relationshipStatus"]' Enabled
ok $ADMIN flag get-member --id $MEMBER
expect 'j["relationshipStatus"]' Enabled

ok $ADMIN flag update-member-session --id $MEMBER --status PAUSED
ok $ADMIN flag get-member --id $MEMBER
expect 'j["relationshipStatus"]' Paused

fails ConflictException "Cannot disable Macie while associated with an administrator account" $MEMBER env disable-macie

ok $MEMBER env disassociate-from-administrator-account
ok $ADMIN flag get-member --id $MEMBER
expect 'j["relationshipStatus"]' Resigned

ok $ADMIN flag tag-resource --resource-arn "$MEMBER_ARN" --tags Owner=alice
ok $ADMIN env list-tags-for-resource --resource-arn "$MEMBER_ARN"
expect 'j["tags"]["Owner"]' alice
expect 'len(j["tags"])' 3
ok $ADMIN flag untag-resource --resource-arn "$MEMBER_ARN" --tag-keys Owner
ok $ADMIN flag list-tags-for-resource --resource-arn "$MEMBER_ARN"
expect 'sorted(j["tags"])' '["Env", "Team"]'

ok $ADMIN flag delete-member --id $MEMBER
ok $MEMBER env disable-macie
ok $ADMIN flag disable-macie

fails AccessDeniedException "Macie is not enabled." $OTHER flag get-macie-session
fails AccessDeniedException "Macie is not enabled." $OTHER env get-macie-session

echo "PASS: macie2 two-account scenario"
