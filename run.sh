#!/usr/bin/env bash
# Set up and serve Matchmaker on http://127.0.0.1:5000 with SQLite, demo data and the
# reminder scheduler running inside the web process.
set -euo pipefail
cd "$(dirname "$0")"
. ./scripts/setup.sh
export FLASK_APP=matchmaker SCHEDULER_ENABLED="${SCHEDULER_ENABLED:-1}"
.venv/bin/flask db upgrade
.venv/bin/flask demo
exec .venv/bin/flask serve --host 127.0.0.1 --port "${PORT:-5000}"
