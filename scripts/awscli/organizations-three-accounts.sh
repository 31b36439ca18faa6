#!/usr/bin/env bash
# organizations-three-accounts.sh: the AWS Organizations scenario of
# e2e/awscli_organizations_test.go (spec organizations.md §16 flows 1 to 4,
# and flow 5 with Macie in place of Security Hub), run by hand with the
# real aws CLI.
#
#   scripts/awscli/organizations-three-accounts.sh
#       builds localsec (go on PATH), starts it on a free loopback port,
#       runs the scenario and stops it.
#   LOCALSEC_URL=http://127.0.0.1:4566 scripts/awscli/organizations-three-accounts.sh
#       runs the scenario against a localsec that is already running.
#       It RESETS that server's state first (POST /_localsec/reset, needs curl).
#
# Accounts: 111111111111 (management, --endpoint-url), 222222222222
# (security tooling, invited, GuardDuty's delegated administrator;
# AWS_ENDPOINT_URL_<SERVICE>) and the workload account the management
# account creates, reached as landing zones do: a profile with role_arn
# OrganizationAccountAccessRole and source_profile, in a config and a
# credentials file of its own. Every aws process gets a clean environment.
# Exits non-zero at the first unexpected answer, printing the command, its
# stdout and its stderr.
set -euo pipefail

MGMT=111111111111
SEC=222222222222
GUARDDUTY=guardduty.amazonaws.com
MACIE=macie.amazonaws.com
ROLE=OrganizationAccountAccessRole
NOT_IN_USE="Your account is not a member of an organization."
NO_PERMISSION="You don't have permissions to access this resource."
MASTER_AS_DELEGATED="You cannot register management account/yourself as delegated administrator for your organization."

# lib.sh runs `aws $SERVICE`; the steps below name theirs.
SERVICE=organizations
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

org() { SERVICE=organizations "$@"; }
gd() { SERVICE=guardduty "$@"; }

# fails_reason EXCEPTION REASON MESSAGE ACCOUNT MODE ARGS...: an
# Organizations command must fail with EXCEPTION and MESSAGE; the CLI does
# not print the Reason, its --debug log of the response body does.
fails_reason() {
	local exception=$1 reason=$2 message=$3
	shift 3
	SERVICE=organizations fails "$exception" "$message" "$@" --debug >/dev/null
	[[ $ERR == *"\"Reason\":\"$reason\""* ]] || fail "the response body's Reason is not $reason"
	echo "ok   [$1 via $2] ${*:3} -> $exception ($reason)"
}

# awsprofile PROFILE ARGS...: runs `aws ARGS --profile PROFILE --output
# json` with the scenario's config and credentials files and no
# credentials in the environment. Sets OUT, ERR and RC like awsas.
awsprofile() {
	local profile=$1
	shift
	local -a env=(
		"PATH=$PATH" "HOME=$work/home"
		"AWS_CONFIG_FILE=$work/profiles/config"
		"AWS_SHARED_CREDENTIALS_FILE=$work/profiles/credentials"
		"AWS_EC2_METADATA_DISABLED=true" "AWS_MAX_ATTEMPTS=1"
	)
	CMD="${env[*]:2} aws $* --profile $profile --output json"
	RC=0
	OUT=$(env -i "${env[@]}" aws "$@" --profile "$profile" --output json 2>"$work/stderr") || RC=$?
	ERR=$(<"$work/stderr")
}

okp() {
	awsprofile "$@"
	[[ $RC == 0 ]] || fail "want success"
	echo "ok   [profile $1] ${*:2}"
}

# states: the last output's handshakes as "id=STATE" lines, sorted.
states() {
	field '"\n".join(sorted(h["Id"] + "=" + h["State"] for h in j["Handshakes"]))'
}

# accounts: the last output's accounts as "id JoinedMethod", sorted.
accounts() {
	field '",".join(sorted(a["Id"] + " " + a["JoinedMethod"] for a in j["Accounts"]))'
}

# Flow 1: the organization made and read.
org ok $MGMT flag create-organization --feature-set ALL
org_id=$(field 'j["Organization"]["Id"]')
[[ $org_id =~ ^o-[0-9a-z]{10}$ ]] || fail "organization Id $org_id is not o- and 10 characters"
expect 'j["Organization"]["FeatureSet"]' ALL
expect 'j["Organization"]["MasterAccountId"]' $MGMT
expect 'j["Organization"]["Arn"]' "arn:aws:organizations::$MGMT:organization/$org_id"
org ok $MGMT flag describe-organization
expect 'j["Organization"]["Id"]' "$org_id"
expect 'j["Organization"]["FeatureSet"]' ALL
org ok $MGMT flag list-roots
expect 'len(j["Roots"])' 1
expect 'j["Roots"][0]["PolicyTypes"]' '[]'
root=$(field 'j["Roots"][0]["Id"]')
[[ $root =~ ^r-[0-9a-z]{4}$ ]] || fail "root Id $root is not r- and 4 characters"
org ok $MGMT flag list-accounts
[[ $(accounts) == "$MGMT INVITED" ]] || fail "the accounts are not the management account alone, INVITED"
org fails AWSOrganizationsNotInUseException "$NOT_IN_USE" $SEC env describe-organization

# Flow 2: an invitation declined, one canceled, one accepted.
invite() { org ok $MGMT flag invite-account-to-organization --target "Id=$SEC,Type=ACCOUNT" --notes "join us"; }
invite
h1=$(field 'j["Handshake"]["Id"]')
expect 'j["Handshake"]["State"]' OPEN
expect 'j["Handshake"]["Action"]' INVITE
expect 'j["Handshake"]["Parties"]' "[{\"Id\": \"$org_id\", \"Type\": \"ORGANIZATION\"}, {\"Id\": \"$SEC\", \"Type\": \"ACCOUNT\"}]"
expect 'round(j["Handshake"]["ExpirationTimestamp"] - j["Handshake"]["RequestedTimestamp"])' 1296000
org fails DuplicateHandshakeException "" $MGMT flag invite-account-to-organization --target "Id=$SEC,Type=ACCOUNT"
org ok $SEC env list-handshakes-for-account
[[ $(states) == "$h1=OPEN" ]] || fail "the invitee does not see exactly $h1 OPEN"
org ok $SEC env decline-handshake --handshake-id "$h1"
expect 'j["Handshake"]["State"]' DECLINED
org fails InvalidHandshakeTransitionException "" $SEC env accept-handshake --handshake-id "$h1"
invite
h2=$(field 'j["Handshake"]["Id"]')
org ok $MGMT flag cancel-handshake --handshake-id "$h2"
expect 'j["Handshake"]["State"]' CANCELED
org fails InvalidHandshakeTransitionException "" $SEC env accept-handshake --handshake-id "$h2"
invite
h3=$(field 'j["Handshake"]["Id"]')
org ok $SEC env accept-handshake --handshake-id "$h3"
expect 'j["Handshake"]["State"]' ACCEPTED
# Both parties see the three outcomes.
want=$(printf '%s\n' "$h1=DECLINED" "$h2=CANCELED" "$h3=ACCEPTED" | LC_ALL=C sort)
org ok $MGMT flag list-handshakes-for-organization
[[ $(states) == "$want" ]] || fail "the organization's handshakes are not: $want"
org ok $SEC env list-handshakes-for-account
[[ $(states) == "$want" ]] || fail "the invitee's handshakes are not: $want"

org ok $MGMT flag list-accounts-for-parent --parent-id "$root"
[[ $(accounts) == "$MGMT INVITED,$SEC INVITED" ]] || fail "the root does not hold both accounts, INVITED"
org ok $SEC env describe-organization
expect 'j["Organization"]["Id"]' "$org_id"
org fails AccessDeniedException "$NO_PERMISSION" $SEC env list-accounts
fails_reason HandshakeConstraintViolationException ALREADY_IN_AN_ORGANIZATION "" $MGMT flag \
	invite-account-to-organization --target "Id=$MGMT,Type=ACCOUNT"

# Flow 3: an account created and moved into an OU.
org ok $MGMT flag create-account --account-name workload --email workload@example.com
expect 'j["CreateAccountStatus"]["State"]' IN_PROGRESS
expect '"AccountId" in j["CreateAccountStatus"]' false
car=$(field 'j["CreateAccountStatus"]["Id"]')
org ok $MGMT flag describe-create-account-status --create-account-request-id "$car"
expect 'j["CreateAccountStatus"]["State"]' SUCCEEDED
workload=$(field 'j["CreateAccountStatus"]["AccountId"]')
[[ $workload =~ ^[0-9]{12}$ && $workload != "$MGMT" && $workload != "$SEC" ]] || fail "the created AccountId $workload is not a new account"
org ok $MGMT flag list-parents --child-id "$workload"
expect 'j["Parents"]' "[{\"Id\": \"$root\", \"Type\": \"ROOT\"}]"
org ok $MGMT flag create-organizational-unit --parent-id "$root" --name Workloads
ou=$(field 'j["OrganizationalUnit"]["Id"]')
[[ $ou =~ ^ou-${root#r-}-[0-9a-z]{8}$ ]] || fail "OU Id $ou is not ou-<root>-<8>"
org ok $MGMT flag move-account --account-id "$workload" --source-parent-id "$root" --destination-parent-id "$ou"
org ok $MGMT flag list-accounts-for-parent --parent-id "$ou"
[[ $(accounts) == "$workload CREATED" ]] || fail "the OU does not hold the workload account alone, CREATED"
org fails OrganizationalUnitNotEmptyException "" $MGMT flag delete-organizational-unit --organizational-unit-id "$ou"

# The landing zone reaches the created account: a profile assumes its
# OrganizationAccountAccessRole with the management account's keys
# (endpoint_url also points the CLI's own STS client at localsec).
mkdir -p "$work/profiles"
profile() {
	printf '\n[profile %s]\nrole_arn = %s\nsource_profile = management\nrole_session_name = landing-zone\nregion = us-east-1\nendpoint_url = %s\n' \
		"$1" "$2" "$LOCALSEC_URL"
}
{
	printf '[profile management]\nregion = us-east-1\n'
	profile workload "arn:aws:iam::$workload:role/$ROLE"
	profile security "arn:aws:iam::$SEC:role/$ROLE"
} >"$work/profiles/config"
printf '[management]\naws_access_key_id = %s\naws_secret_access_key = management-secret\n' $MGMT >"$work/profiles/credentials"
okp workload sts get-caller-identity
expect 'j["Account"]' "$workload"
expect 'j["Arn"]' "arn:aws:sts::$workload:assumed-role/$ROLE/landing-zone"
okp workload guardduty create-detector --enable
workload_det=$(field 'j["DetectorId"]')
# The invited security account has no such role.
awsprofile security sts get-caller-identity
[[ $RC != 0 && $ERR == *"An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:iam::$MGMT:root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::$SEC:role/$ROLE"* ]] \
	|| fail "want AccessDenied from the profile's AssumeRole"
echo "ok   [profile security] sts get-caller-identity -> AccessDenied"

# Flow 4: GuardDuty's delegated administrator through Organizations.
gd ok $MGMT flag enable-organization-admin-account --admin-account-id $SEC
org ok $MGMT flag list-aws-service-access-for-organization
expect '[p["ServicePrincipal"] for p in j["EnabledServicePrincipals"]]' "[\"$GUARDDUTY\"]"
org ok $MGMT flag list-delegated-administrators --service-principal $GUARDDUTY
expect '[(d["Id"], d["JoinedMethod"]) for d in j["DelegatedAdministrators"]]' "[[\"$SEC\", \"INVITED\"]]"
org ok $SEC env list-accounts
[[ $(accounts) == "$(printf '%s\n' "$MGMT INVITED" "$SEC INVITED" "$workload CREATED" | LC_ALL=C sort | paste -sd,)" ]] \
	|| fail "the delegated administrator does not read the three accounts"
# The delegated administrator (its detector came with the designation)
# adds the workload account: Enabled at once.
gd ok $SEC env list-detectors
expect 'len(j["DetectorIds"])' 1
sec_det=$(field 'j["DetectorIds"][0]')
gd ok $SEC env create-members --detector-id "$sec_det" --account-details "AccountId=$workload,Email=workload@example.com"
expect 'j["UnprocessedAccounts"]' '[]'
gd ok $SEC env get-members --detector-id "$sec_det" --account-ids "$workload"
expect 'j["Members"][0]["RelationshipStatus"]' Enabled
expect 'j["Members"][0]["DetectorId"]' "$workload_det"
okp workload guardduty get-administrator-account --detector-id "$workload_det"
expect 'j["Administrator"]["AccountId"]' $SEC
expect 'j["Administrator"]["RelationshipStatus"]' Enabled

fails_reason ConstraintViolationException CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG "" $MGMT flag \
	remove-account-from-organization --account-id $SEC
# The workload account leaves, as itself: its membership through
# Organizations ends (Removed).
okp workload organizations leave-organization
gd ok $SEC env get-members --detector-id "$sec_det" --account-ids "$workload"
expect 'j["Members"][0]["RelationshipStatus"]' Removed

# GuardDuty's disable keeps the Organizations registration; deregistering
# ends it, and the security account may leave.
gd ok $MGMT flag disable-organization-admin-account --admin-account-id $SEC
org ok $MGMT flag list-delegated-administrators --service-principal $GUARDDUTY
expect '[d["Id"] for d in j["DelegatedAdministrators"]]' "[\"$SEC\"]"
org ok $MGMT flag deregister-delegated-administrator --account-id $SEC --service-principal $GUARDDUTY
org ok $SEC env leave-organization
org ok $MGMT flag list-accounts
[[ $(accounts) == "$MGMT INVITED" ]] || fail "the accounts are not the management account alone after both left"

# Flow 5, with Macie: the management account designates itself.
SERVICE=macie2 ok $MGMT flag enable-macie
SERVICE=macie2 ok $MGMT flag enable-organization-admin-account --admin-account-id $MGMT
org ok $MGMT flag list-aws-service-access-for-organization
expect 'sorted(p["ServicePrincipal"] for p in j["EnabledServicePrincipals"])' "[\"$GUARDDUTY\", \"$MACIE\"]"
org ok $MGMT flag list-delegated-administrators --service-principal $MACIE
expect 'j["DelegatedAdministrators"]' '[]'
fails_reason ConstraintViolationException CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR "$MASTER_AS_DELEGATED" $MGMT flag \
	register-delegated-administrator --account-id $MGMT --service-principal $MACIE

echo "PASS: organizations three-account scenario"
