#!/usr/bin/env bash
# Starts a throwaway PostgreSQL on loopback for the test suite and prints
# the DSN of a fresh database on stdout. Installs PostgreSQL from Debian's
# packages when the machine has none. Usage: dsn=$(.ci/postgres.sh DIR)
set -euo pipefail
dir=${1:?usage: postgres.sh DATA_DIR}
port=${LOCALSEC_PG_PORT:-54329}

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
  echo "installing PostgreSQL from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

# PostgreSQL refuses to run as root: run it as the postgres user then.
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

mkdir -p "$dir"
if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
as_pg "$pgbin/initdb" -D "$dir/data" -A trust -U postgres --no-sync >&2
as_pg "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 -c fsync=on" start >&2
"$pgbin/psql" -h 127.0.0.1 -p "$port" -U postgres -q -c 'CREATE DATABASE localsec_test' >&2
echo "postgres://postgres@127.0.0.1:$port/localsec_test?sslmode=disable"
