#!/usr/bin/env bash
# guardduty-two-accounts.sh: the GuardDuty administrator/member scenario of
# e2e/awscli_guardduty_test.go (spec §10.5 flows 1 to 4), run by hand with
# the real aws CLI.
#
#   scripts/awscli/guardduty-two-accounts.sh
#       builds localsec (go on PATH), starts it on a free loopback port,
#       runs the scenario and stops it.
#   LOCALSEC_URL=http://127.0.0.1:4566 scripts/awscli/guardduty-two-accounts.sh
#       runs the scenario against a localsec that is already running.
#       It RESETS that server's state first (POST /_localsec/reset, needs curl).
#
# Accounts: 111111111111 (administrator) and 222222222222 (member), used as
# access key ids. Every aws process gets a clean environment: an empty HOME,
# config and credentials files that do not exist, no profile, us-east-1.
# The administrator mostly passes --endpoint-url, the member mostly sets
# AWS_ENDPOINT_URL_GUARDDUTY; some steps swap. Exits non-zero at the first
# unexpected answer, printing the command, its stdout and its stderr.
set -euo pipefail

ADMIN=111111111111
MEMBER=222222222222
REJECTED="The request is rejected because"
NOT_OWNED="$REJECTED the input detectorId is not owned by the current account."

SERVICE=guardduty
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# unprocessed ACCOUNT RESULT: the last output's UnprocessedAccounts is
# exactly one entry for ACCOUNT with RESULT.
unprocessed() {
	expect 'len(j["UnprocessedAccounts"])' 1
	expect 'j["UnprocessedAccounts"][0]["AccountId"]' "$1"
	expect 'j["UnprocessedAccounts"][0]["Result"]' "$2"
}

# Both create their detector; one detector per account.
ok $ADMIN flag create-detector --enable
admin_det=$(field 'j["DetectorId"]')
[[ $admin_det =~ ^[0-9a-f]{32}$ ]] || fail "DetectorId $admin_det is not 32 hex characters"
ok $MEMBER env create-detector --enable
member_det=$(field 'j["DetectorId"]')
[[ $member_det =~ ^[0-9a-f]{32}$ ]] || fail "DetectorId $member_det is not 32 hex characters"
ok $ADMIN env list-detectors
expect 'j["DetectorIds"]' "[\"$admin_det\"]"
ok $ADMIN flag get-detector --detector-id "$admin_det"
expect 'j["Status"]' ENABLED
expect 'j["FindingPublishingFrequency"]' SIX_HOURS
fails BadRequestException "$REJECTED a detector already exists for the current account." $ADMIN flag create-detector --enable
fails BadRequestException "$NOT_OWNED" $ADMIN flag get-detector --detector-id "$member_det"
fails BadRequestException "$NOT_OWNED" $MEMBER env list-members --detector-id "$admin_det"

# Created, then Invited; a second invitation is unprocessed.
ok $ADMIN flag create-members --detector-id "$admin_det" --account-details "AccountId=$MEMBER,Email=member@example.com"
expect 'j["UnprocessedAccounts"]' '[]'
ok $ADMIN flag get-members --detector-id "$admin_det" --account-ids $MEMBER
expect 'j["Members"][0]["RelationshipStatus"]' Created
expect 'j["Members"][0]["MasterId"]' $ADMIN
ok $ADMIN env invite-members --detector-id "$admin_det" --account-ids $MEMBER --message "Join my GuardDuty"
expect 'j["UnprocessedAccounts"]' '[]'
ok $ADMIN flag get-members --detector-id "$admin_det" --account-ids $MEMBER
expect 'j["Members"][0]["RelationshipStatus"]' Invited
ok $ADMIN flag invite-members --detector-id "$admin_det" --account-ids $MEMBER
unprocessed $MEMBER "$REJECTED the current account has already invited or is already the GuardDuty master of the given member account ID."

# The member sees the invitation.
ok $MEMBER env list-invitations
expect 'len(j["Invitations"])' 1
expect 'j["Invitations"][0]["AccountId"]' $ADMIN
expect 'j["Invitations"][0]["RelationshipStatus"]' Invited
invitation_id=$(field 'j["Invitations"][0]["InvitationId"]')
[[ $invitation_id =~ ^[0-9a-f]{32}$ ]] || fail "InvitationId $invitation_id is not 32 hex characters"
ok $MEMBER flag get-invitations-count
expect 'j["InvitationsCount"]' 1

ok $ADMIN flag list-members --detector-id "$admin_det"
expect 'j["Members"]' '[]'
ok $ADMIN flag list-members --detector-id "$admin_det" --only-associated false
expect 'j["Members"][0]["RelationshipStatus"]' Invited
fails BadRequestException "cannot delete detector while it has invited or associated members" $ADMIN flag delete-detector --detector-id "$admin_det"

# The member accepts: Enabled.
ok $MEMBER env accept-administrator-invitation --detector-id "$member_det" --administrator-id $ADMIN --invitation-id "$invitation_id"
ok $MEMBER env get-administrator-account --detector-id "$member_det"
expect 'j["Administrator"]["AccountId"]' $ADMIN
expect 'j["Administrator"]["InvitationId"]' "$invitation_id"
expect 'j["Administrator"]["RelationshipStatus"]' Enabled
ok $MEMBER flag get-master-account --detector-id "$member_det"
expect 'j["Master"]["AccountId"]' $ADMIN
expect 'j["Master"]["RelationshipStatus"]' Enabled
ok $MEMBER env get-invitations-count
expect 'j["InvitationsCount"]' 0
ok $ADMIN flag get-members --detector-id "$admin_det" --account-ids $MEMBER
expect 'j["Members"][0]["RelationshipStatus"]' Enabled
expect 'j["Members"][0]["DetectorId"]' "$member_det"
fails BadRequestException "cannot delete detector while it has invited or associated members" $ADMIN env delete-detector --detector-id "$admin_det"

# Suspend and resume monitoring.
ok $ADMIN flag stop-monitoring-members --detector-id "$admin_det" --account-ids $MEMBER
expect 'j["UnprocessedAccounts"]' '[]'
ok $ADMIN flag get-members --detector-id "$admin_det" --account-ids $MEMBER
expect 'j["Members"][0]["RelationshipStatus"]' Disabled
ok $ADMIN env start-monitoring-members --detector-id "$admin_det" --account-ids $MEMBER
expect 'j["UnprocessedAccounts"]' '[]'
ok $ADMIN flag get-members --detector-id "$admin_det" --account-ids $MEMBER
expect 'j["Members"][0]["RelationshipStatus"]' Enabled

# The administrator disassociates (Removed), invites again, the member
# accepts with the deprecated AcceptInvitation.
ok $ADMIN flag disassociate-members --detector-id "$admin_det" --account-ids $MEMBER
expect 'j["UnprocessedAccounts"]' '[]'
ok $ADMIN flag get-members --detector-id "$admin_det" --account-ids $MEMBER
expect 'j["Members"][0]["RelationshipStatus"]' Removed
expect 'j["Members"][0]["Email"]' member@example.com
ok $MEMBER env get-administrator-account --detector-id "$member_det"
expect '"Administrator" in j' false
ok $ADMIN flag invite-members --detector-id "$admin_det" --account-ids $MEMBER
expect 'j["UnprocessedAccounts"]' '[]'
ok $MEMBER env list-invitations
expect 'len(j["Invitations"])' 1
invitation_id=$(field 'j["Invitations"][0]["InvitationId"]')
ok $MEMBER env accept-invitation --detector-id "$member_det" --master-id $ADMIN --invitation-id "$invitation_id"
ok $MEMBER flag get-master-account --detector-id "$member_det"
expect 'j["Master"]["InvitationId"]' "$invitation_id"
expect 'j["Master"]["RelationshipStatus"]' Enabled
ok $ADMIN flag get-members --detector-id "$admin_det" --account-ids $MEMBER
expect 'j["Members"][0]["RelationshipStatus"]' Enabled

# The member resigns (Resigned); the administrator deletes the record.
ok $MEMBER env disassociate-from-master-account --detector-id "$member_det"
ok $MEMBER env get-master-account --detector-id "$member_det"
expect '"Master" in j' false
ok $ADMIN flag get-members --detector-id "$admin_det" --account-ids $MEMBER
expect 'j["Members"][0]["RelationshipStatus"]' Resigned
fails BadRequestException "$REJECTED the current account is not associated to a master account." $MEMBER env disassociate-from-master-account --detector-id "$member_det"
ok $ADMIN flag delete-members --detector-id "$admin_det" --account-ids $MEMBER
expect 'j["UnprocessedAccounts"]' '[]'
ok $ADMIN env get-members --detector-id "$admin_det" --account-ids $MEMBER
expect 'j["Members"]' '[]'
unprocessed $MEMBER "$REJECTED the given account ID is not an associated member of account the current account."

# Both delete their detector.
ok $ADMIN flag delete-detector --detector-id "$admin_det"
ok $MEMBER env delete-detector --detector-id "$member_det"
fails BadRequestException "$NOT_OWNED" $ADMIN flag get-detector --detector-id "$admin_det"
fails BadRequestException "$NOT_OWNED" $MEMBER env get-master-account --detector-id "$member_det"
ok $ADMIN flag list-detectors
expect 'j["DetectorIds"]' '[]'

echo "PASS: guardduty two-account scenario"
