#!/usr/bin/env bash
# Install (from Debian's packages) and start a throwaway PostgreSQL server for the tests, as the
# postgres user (PostgreSQL refuses to run as root), listening on 127.0.0.1 only.
# Prints the URL the tests read from OPENPEEL_TEST_POSTGRES.
set -euo pipefail
PORT="${OPENPEEL_PG_PORT:-55432}"
DATA="${OPENPEEL_PG_DATA:-/tmp/openpeel-pg}"
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2
fi
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
if ! su postgres -c "$BIN/pg_isready -q -h 127.0.0.1 -p $PORT"; then
  rm -rf "$DATA" && mkdir -p "$DATA" && chown postgres:postgres "$DATA"
  su postgres -c "$BIN/initdb -D $DATA -A trust -U postgres" >/dev/null
  su postgres -c "$BIN/pg_ctl -s -D $DATA -l $DATA/server.log -o '-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$DATA -c fsync=off -c max_connections=300' start" >&2
  for _ in $(seq 1 30); do su postgres -c "$BIN/pg_isready -q -h 127.0.0.1 -p $PORT" && break; sleep 0.5; done
fi
echo "postgresql://postgres@127.0.0.1:$PORT/postgres"
