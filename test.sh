#!/usr/bin/env bash
# Set up everything the tests need, then run them on SQLite and on PostgreSQL.
# Under CI=true a missing PostgreSQL, Chromium or nginx is a failure, not a skip.
set -euo pipefail
cd "$(dirname "$0")"
. ./scripts/setup.sh

ci="${CI:-false}"
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing Debian chromium and chromium-driver"
    apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null
  elif [ "$ci" = true ]; then
    echo "chromium is missing and cannot be installed here" >&2; exit 1
  fi
fi

# nginx: the TLS-terminating proxy of tests/integration/test_proxy.py.
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing Debian nginx"
    apt-get update -qq && apt-get install -y -qq nginx openssl >/dev/null
  elif [ "$ci" = true ]; then
    echo "nginx is missing and cannot be installed here" >&2; exit 1
  fi
fi

pg_url="${TEST_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}"
pg_up() { .venv/bin/python scripts/pg_ping.py "$pg_url" >/dev/null 2>&1; }
if ! pg_up && command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "== starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  sleep 2
fi
run_pg=true
if ! pg_up; then
  if [ "$ci" = true ]; then echo "PostgreSQL at $pg_url is not reachable" >&2; exit 1; fi
  echo "!! PostgreSQL not reachable at $pg_url: skipping the PostgreSQL run" >&2
  run_pg=false
fi

echo "== ruff"
.venv/bin/ruff check .
echo "== mypy"
.venv/bin/mypy

# The two databases run side by side (one per core); the SQLite run also measures coverage.
pg_log="$(mktemp)"
if [ "$run_pg" = true ]; then
  echo "== tests on PostgreSQL (in the background; its log follows the SQLite run)"
  MATCHMAKER_TEST_DB=postgres TEST_PG_URL="$pg_url" .venv/bin/python -m pytest -q -p no:cacheprovider "$@" \
    >"$pg_log" 2>&1 &
  pg_pid=$!
fi
started=$SECONDS
echo "== tests on SQLite, with coverage (floor ${COVERAGE_FLOOR:=90} %), from $(date +%H:%M:%S): several minutes, a dot per test"
sqlite_status=0
.venv/bin/python -m pytest -p no:cacheprovider --cov --cov-report=term --cov-fail-under="$COVERAGE_FLOOR" "$@" \
  || sqlite_status=$?
echo "== SQLite run took $((SECONDS - started)) s"
pg_status=0
if [ "$run_pg" = true ]; then
  echo "== tests on PostgreSQL: waiting for the background run"
  wait "$pg_pid" || pg_status=$?
  cat "$pg_log"
  echo "== both runs done after $((SECONDS - started)) s"
fi
rm -f "$pg_log"
[ "$sqlite_status" = 0 ] || { echo "!! SQLite run failed" >&2; exit "$sqlite_status"; }
[ "$pg_status" = 0 ] || { echo "!! PostgreSQL run failed" >&2; exit "$pg_status"; }
echo "== all green"
