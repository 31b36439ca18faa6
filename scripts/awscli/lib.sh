# lib.sh: what the two-account CLI scenarios share. Source it after
# setting SERVICE (the aws CLI's service name: macie2, guardduty): it starts
# localsec (or resets the one LOCALSEC_URL names) and defines awsas, ok,
# fails, field and expect. See macie2-two-accounts.sh for the usage.

command -v aws >/dev/null || { echo "aws CLI not found on PATH" >&2; exit 2; }
command -v python3 >/dev/null || { echo "python3 not found on PATH" >&2; exit 2; }
: "${SERVICE:?set SERVICE before sourcing lib.sh}"

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

# awsas ACCOUNT MODE ARGS...: runs `aws $SERVICE ARGS --output json` as
# ACCOUNT; MODE is flag (--endpoint-url) or env (AWS_ENDPOINT_URL_<SERVICE>).
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
	local -a args=("$SERVICE" "$@" --output json)
	if [[ $mode == env ]]; then
		env+=("AWS_ENDPOINT_URL_${SERVICE^^}=$LOCALSEC_URL")
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
