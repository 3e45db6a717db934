#!/usr/bin/env bash
# Serves meetingsec: the background worker (it renders the records) beside gunicorn, with
# gunicorn's arguments as given. Stopping one (Ctrl+C, SIGTERM) stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
# instance/ holds the database, its -wal/-shm, the job queue and the keys: whatever either
# process creates there is for this account only (create_app sets the same umask).
umask 077
export FLASK_APP=meetingsec:create_app
.venv/bin/flask worker &
worker=$!
trap 'kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT
.venv/bin/gunicorn "$@" wsgi:app
