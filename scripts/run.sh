#!/usr/bin/env bash
# `make run`: the whole portal on one machine. SQLite, kombu's filesystem broker under var/,
# gunicorn (whitenoise serves the collected static files) and a Celery worker with embedded beat.
set -euo pipefail
source "$(dirname "$0")/common.sh"

HOST=${PORTAL_HOST:-127.0.0.1}
PORT=${PORTAL_PORT:-8000}
DEMO_STAMP=var/demo-loaded
STATIC_STAMP=var/static.sha256
export DJANGO_SETTINGS_MODULE=config.settings.local
# Links in e-mails and the QR codes of printed documents point where this portal answers, unless told otherwise.
export PORTAL_SITE_URL=${PORTAL_SITE_URL:-http://$HOST:$PORT}

bash scripts/install.sh

banner "preparing: messages, static files, database"
compile_messages
# Compressing every file again takes about a minute: collect only when the sources or packages changed.
static_sources() {
  find . \( -path ./.venv -o -path ./var -o -path ./.git \) -prune -o -type f -path '*/static/*' -print0 \
    | sort -z | xargs -0 sha256sum
}
static_hash=$({ cat var/requirements.sha256; static_sources; } | sha256sum)
if [[ ! -f var/staticfiles/staticfiles.json || ! -f $STATIC_STAMP || $(cat "$STATIC_STAMP") != "$static_hash" ]]; then
  manage collectstatic --noinput --verbosity 0
  echo "$static_hash" >"$STATIC_STAMP"
fi
# The demo is loaded once per database: again when the local database file has been removed.
fresh_database=false
[[ -n ${DATABASE_URL:-} || -f var/portal.sqlite3 ]] || fresh_database=true
manage migrate --noinput
if [[ ! -f $DEMO_STAMP || $fresh_database == true ]]; then
  manage seed_demo
  touch "$DEMO_STAMP"
fi
# The open-data files not made yet (a new database): queued now, made once the worker starts, not at night.
manage prepare_open_data

port_is_free "$HOST" "$PORT" || { echo "port $PORT on $HOST is already in use" >&2; exit 1; }

pids=()
stop_all() {
  trap - INT TERM EXIT
  ((${#pids[@]})) || return 0
  echo "-- stopping the worker and the web server (pids ${pids[*]})"
  stop_pids "${pids[@]}"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

banner "starting the Celery worker (with beat) and gunicorn"
# Prefork with two processes so a long PDF does not hold up the other tasks. One worker takes every queue
# (settings TASK_QUEUES); compose gives each queue its own workers.
"$BIN/celery" -A config worker -B -Q interactive,reports,imports --pool=prefork --concurrency=2 -l info &
pids+=($!)
"$BIN/gunicorn" config.wsgi --bind "$HOST:$PORT" --workers 2 --access-logfile - &
pids+=($!)

for _ in $(seq 1 150); do
  port_is_free "$HOST" "$PORT" || break
  sleep 0.2
done
# The worker answers pings once it consumes tasks; wait for it so that its banner comes before ours.
for _ in $(seq 1 10); do
  "$BIN/celery" -A config inspect ping --timeout 2 >/dev/null 2>&1 && break
done || true

banner "demo accounts"
manage seed_demo --accounts || echo "could not list the demo accounts" >&2
banner "the portal is running at http://$HOST:$PORT/ (Ctrl-C stops it)"

# Whichever process ends first ends the portal: a web server without its worker is not the portal.
wait -n "${pids[@]}"
