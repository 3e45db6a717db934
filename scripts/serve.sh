#!/usr/bin/env bash
# Serves meetingsec: the background worker (it renders the records) beside gunicorn, with
# gunicorn's arguments as given. Stopping one (Ctrl+C, SIGTERM) stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
export FLASK_APP=meetingsec:create_app
.venv/bin/flask worker &
worker=$!
trap 'kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT
.venv/bin/gunicorn "$@" wsgi:app
