#!/usr/bin/env bash
# Makes sure the machine's PostgreSQL 15 answers on 127.0.0.1:5432 and that the
# `test` database exists; starts the cluster if it is down (no systemd on CI).
set -euo pipefail
# shellcheck source=scripts/ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly PG_VERSION=15 PG_CLUSTER=main PG_HOST=127.0.0.1 PG_PORT=5432 TEST_DB=test
readonly READY_TIMEOUT_S=30

ready() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; }

if ready; then
  ci_log "PostgreSQL already accepting connections on $PG_HOST:$PG_PORT"
else
  ci_log "starting cluster $PG_VERSION/$PG_CLUSTER"
  "${SUDO[@]}" pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" start >&2
  for ((i = 0; i < READY_TIMEOUT_S; i++)); do ready && break; sleep 1; done
  ready || ci_die "PostgreSQL not ready after ${READY_TIMEOUT_S}s"
  ci_log "PostgreSQL is up"
fi

# The CI image ships `test`; creating it when absent keeps a hand-made machine usable.
if exists=$(psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -tAc \
  "SELECT 1 FROM pg_database WHERE datname = '$TEST_DB'" 2>/dev/null); then
  if [[ $exists != 1 ]]; then
    ci_log "creating database $TEST_DB"
    createdb -h "$PG_HOST" -p "$PG_PORT" -U postgres "$TEST_DB" >&2
  fi
else
  ci_log "WARNING: cannot connect as role postgres; not checking database $TEST_DB"
fi
