#!/usr/bin/env bash
# Starts a PostgreSQL server on 127.0.0.1 for strata.tuning's tests (idempotent) and prints its URL.
#
# Uses Debian's `postgresql` package (installed with apt-get when absent) and its default cluster,
# creates the role `strata` (password `strata`) and the database `strata_test` when missing.
# Only the URL goes to stdout, so callers can capture it:
#     export STRATA_TEST_POSTGRES_URL="$(tools/postgres/start_test_server.sh)"
set -euo pipefail

log() { echo "start_test_server: $*" >&2; }

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  log "installing Debian's postgresql package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi

version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
  log "creating cluster $version/main"
  pg_createcluster "$version" main >&2
fi
port="$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')"
status="$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $4}')"
if [ "$status" != "online" ]; then
  log "starting cluster $version/main on port $port"
  pg_ctlcluster "$version" main start >&2
fi

for _ in $(seq 1 60); do
  if pg_isready -q -h 127.0.0.1 -p "$port"; then break; fi
  sleep 0.5
done
pg_isready -q -h 127.0.0.1 -p "$port" || { log "server on 127.0.0.1:$port did not come up"; exit 1; }

# The server refuses to run as root; its administration goes through the postgres account.
as_postgres() { su -s /bin/sh postgres -c "$1"; }
psql_admin="psql -q -v ON_ERROR_STOP=1 -p $port -d postgres"
if [ "$(as_postgres "$psql_admin -tAc \"SELECT 1 FROM pg_roles WHERE rolname = 'strata'\"")" != "1" ]; then
  log "creating role strata"
  as_postgres "$psql_admin -c \"CREATE ROLE strata LOGIN PASSWORD 'strata'\"" >&2
fi
# CREATEDB: a test creates a fresh database to race several processes creating Optuna's tables.
as_postgres "$psql_admin -c \"ALTER ROLE strata CREATEDB\"" >&2
if [ "$(as_postgres "$psql_admin -tAc \"SELECT 1 FROM pg_database WHERE datname = 'strata_test'\"")" != "1" ]; then
  log "creating database strata_test"
  as_postgres "$psql_admin -c \"CREATE DATABASE strata_test OWNER strata\"" >&2
fi

echo "postgresql://strata:strata@127.0.0.1:$port/strata_test"
