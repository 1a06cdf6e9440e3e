#!/usr/bin/env bash
# Set up and serve Matchmaker on http://127.0.0.1:$PORT (default 5000) with SQLite, demo data
# and the reminder scheduler running inside the web process.
set -euo pipefail
cd "$(dirname "$0")"
. ./scripts/setup.sh
export FLASK_APP=matchmaker SCHEDULER_ENABLED="${SCHEDULER_ENABLED:-1}"
port="${PORT:-5000}"
echo "== migrating the database (first run: about a minute)"
.venv/bin/flask db upgrade
echo "== loading the 514 regions, BPS figures and the demo data (first run: about a minute)"
.venv/bin/flask demo
echo "== serving http://127.0.0.1:$port (Ctrl-C stops)"
exec .venv/bin/flask serve --host 127.0.0.1 --port "$port"
