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

command -v aws >/dev/null || { echo "aws CLI not found on PATH" >&2; exit 2; }
command -v python3 >/dev/null || { echo "python3 not found on PATH" >&2; exit 2; }

work=$(mktemp -d)
server_pid=
cleanup() {
	if [[ -n $server_pid ]]; then
		kill -TERM "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

if [[ -z ${LOCALSEC_URL:-} ]]; then
	command -v go >/dev/null || { echo "go not found on PATH (or set LOCALSEC_URL)" >&2; exit 2; }
	repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	(cd "$repo" && go build -o "$work/localsec" ./cmd/localsec)
	mkfifo "$work/stdout"
	"$work/localsec" --addr 127.0.0.1:0 >"$work/stdout" 2>"$work/localsec.log" &
	server_pid=$!
	exec 3<"$work/stdout"
	prev=
	while :; do
		if ! IFS= read -r -t 30 -u 3 line; then
			echo "localsec did not print Ready. within 30s; its log:" >&2
			cat "$work/localsec.log" >&2
			exit 1
		fi
		[[ $line == Ready. ]] && break
		prev=$line
	done
	LOCALSEC_URL=${prev##* listening on }
	echo "started localsec at $LOCALSEC_URL"
else
	command -v curl >/dev/null || { echo "curl not found on PATH (needed to reset $LOCALSEC_URL)" >&2; exit 2; }
	curl -fsS -X POST "$LOCALSEC_URL/_localsec/reset" >/dev/null
	echo "reset localsec at $LOCALSEC_URL"
fi

mkdir -p "$work/home"

# awsas ACCOUNT MODE ARGS...: runs `aws macie2 ARGS --output json` as
# ACCOUNT; MODE is flag (--endpoint-url) or env (AWS_ENDPOINT_URL_MACIE2).
# Sets OUT, ERR and RC.
awsas() {
	local account=$1 mode=$2
	shift 2
	local -a env=(
		"PATH=$PATH" "HOME=$work/home"
		"AWS_ACCESS_KEY_ID=$account" "AWS_SECRET_ACCESS_KEY=localsec-secret"
		"AWS_DEFAULT_REGION=us-east-1"
		"AWS_CONFIG_FILE=$work/home/nonexistent/config"
		"AWS_SHARED_CREDENTIALS_FILE=$work/home/nonexistent/credentials"
		"AWS_EC2_METADATA_DISABLED=true" "AWS_MAX_ATTEMPTS=1"
	)
	local -a args=(macie2 "$@" --output json)
	if [[ $mode == env ]]; then
		env+=("AWS_ENDPOINT_URL_MACIE2=$LOCALSEC_URL")
	else
		args+=(--endpoint-url "$LOCALSEC_URL")
	fi
	CMD="${env[*]:2} aws ${args[*]}"
	RC=0
	OUT=$(env -i "${env[@]}" aws "${args[@]}" 2>"$work/stderr") || RC=$?
	ERR=$(<"$work/stderr")
}

fail() {
	echo "FAIL: $*" >&2
	echo "command: $CMD" >&2
	echo "exit code: $RC" >&2
	echo "stdout:" >&2
	echo "$OUT" >&2
	echo "stderr:" >&2
	echo "$ERR" >&2
	if [[ -n $server_pid ]]; then
		echo "localsec log:" >&2
		cat "$work/localsec.log" >&2
	fi
	exit 1
}

# ok ACCOUNT MODE ARGS...: the command must succeed.
ok() {
	awsas "$@"
	[[ $RC == 0 ]] || fail "want success"
	echo "ok   [$1 via $2] ${*:3}"
}

# fails EXCEPTION MESSAGE ACCOUNT MODE ARGS...: the command must fail with
# EXCEPTION and a message containing MESSAGE.
fails() {
	local exception=$1 message=$2
	shift 2
	awsas "$@"
	[[ $RC != 0 ]] || fail "want $exception"
	[[ $ERR == *"($exception)"* ]] || fail "stderr does not name $exception"
	[[ $ERR == *"$message"* ]] || fail "stderr does not contain: $message"
	echo "ok   [$1 via $2] ${*:3} -> $exception"
}

# field PATH: extracts PATH (a Python expression on the parsed JSON object
# j) from OUT, with python3.
field() {
	python3 -c 'import json,sys; j=json.loads(sys.stdin.read().strip() or "{}"); v=eval(sys.argv[1]); print(json.dumps(v) if not isinstance(v, str) else v)' "$1" <<<"$OUT" \
		|| fail "cannot read $1 from the output"
}

# expect PATH WANT: the field at PATH of the last output must be WANT.
expect() {
	local got
	got=$(field "$1")
	[[ $got == "$2" ]] || fail "$1 = $got, want $2"
}

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
