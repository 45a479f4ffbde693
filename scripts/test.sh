#!/usr/bin/env bash
# `make test`: everything CI checks, failing at the first error. Stage 1 runs the whole suite on SQLite;
# stage 2 runs the database-sensitive and integration tests again on a throwaway PostgreSQL with a real
# Redis, real Celery workers and an S3-compatible server (moto's), started on loopback ports and stopped by
# PID whatever happens.
set -euo pipefail
source "$(dirname "$0")/common.sh"

PG_PORT=${TEST_PG_PORT:-5433}
REDIS_PORT=${TEST_REDIS_PORT:-6390}
S3_PORT=${TEST_S3_PORT:-6391}
PYTEST_WORKERS=${PYTEST_WORKERS:-2}
PYTEST=("$BIN/pytest" -p no:cacheprovider)
export DJANGO_SETTINGS_MODULE=config.settings.test

bash scripts/install.sh

banner "lint: ruff, ruff format, mypy"
"$BIN/ruff" check .
"$BIN/ruff" format --check .
"$BIN/mypy" .

banner "migrations match the models"
manage makemigrations --check --dry-run

banner "translation catalogues: nothing untranslated or fuzzy"
check_catalogue() {
  local stats
  stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$1" 2>&1)
  echo "$1: $stats"
  if grep -Eq '[0-9]+ (fuzzy translation|untranslated message)' <<<"$stats"; then
    echo "$1 is incomplete" >&2
    return 1
  fi
}
if [[ -f locale/vi/LC_MESSAGES/django.po ]]; then
  for catalogue in locale/*/LC_MESSAGES/*.po; do check_catalogue "$catalogue"; done
else
  echo "no Vietnamese catalogue yet"
fi
# The hand-kept Vietnamese for Django's and the third-party apps' own messages (LOCALE_PATHS, after locale/).
for catalogue in locale_vendor/*/LC_MESSAGES/*.po; do check_catalogue "$catalogue"; done
compile_messages

banner "stage 1: SQLite + filesystem broker, the whole suite but the browser journeys ($PYTEST_WORKERS processes)"
# Explicit, so that a developer's .env cannot move this stage onto another database, broker or file storage.
export DATABASE_URL="sqlite:///$REPO_ROOT/var/test.sqlite3" CELERY_BROKER_URL="filesystem://" DJANGO_STORAGE_S3_BUCKET=""
"${PYTEST[@]}" -n "$PYTEST_WORKERS" -m "not browser"

banner "browser journeys: Debian's Chromium driven by Playwright, on SQLite"
"${PYTEST[@]}" -m browser -v
unset DATABASE_URL CELERY_BROKER_URL

# ---- stage 2 services -------------------------------------------------------------------------
as_postgres() {
  # initdb refuses to run as root; the Debian package provides the postgres account.
  if ((EUID == 0)); then runuser -u postgres -- "$@"; else "$@"; fi
}

SERVICE_DIR=$(mktemp -d -t portal-test-services.XXXXXX)
export TEST_WORKER_PID_DIR=$SERVICE_DIR/workers
PG_STARTED=""
stop_services() {
  local status=$? pidfile
  # Workers a killed pytest left behind; each leads its own process group (its pool processes).
  for pidfile in "$TEST_WORKER_PID_DIR"/*.pid; do
    [[ -f $pidfile ]] && kill -KILL -- "-$(cat "$pidfile")" 2>/dev/null && echo "-- killed a leftover Celery worker"
  done
  if [[ -n $PG_STARTED ]]; then
    echo "-- stopping PostgreSQL (pid $(head -1 "$SERVICE_DIR/pg/data/postmaster.pid" 2>/dev/null || echo '?'))"
    as_postgres timeout 30 "$PGBIN/pg_ctl" -D "$SERVICE_DIR/pg/data" -m fast -w -t 20 stop >/dev/null \
      || stop_pids "$(head -1 "$SERVICE_DIR/pg/data/postmaster.pid")"
  fi
  if [[ -f $SERVICE_DIR/redis.pid ]]; then
    echo "-- stopping Redis (pid $(cat "$SERVICE_DIR/redis.pid"))"
    stop_pids "$(cat "$SERVICE_DIR/redis.pid")"
  fi
  if [[ -f $SERVICE_DIR/s3.pid ]]; then
    echo "-- stopping the S3 server (pid $(cat "$SERVICE_DIR/s3.pid"))"
    stop_pids "$(cat "$SERVICE_DIR/s3.pid")"
  fi
  rm -rf "$SERVICE_DIR"
  exit "$status"
}
trap stop_services EXIT
trap 'exit 130' INT TERM

mkdir -p "$TEST_WORKER_PID_DIR"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
[[ -n $PGBIN ]] || { echo "PostgreSQL is not installed (run as root to install it)" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server is not installed (run as root to install it)" >&2; exit 1; }
for port in "$PG_PORT" "$REDIS_PORT" "$S3_PORT"; do
  port_is_free 127.0.0.1 "$port" || {
    echo "port $port is in use: set TEST_PG_PORT / TEST_REDIS_PORT / TEST_S3_PORT" >&2
    exit 1
  }
done

chmod 755 "$SERVICE_DIR"  # the postgres account must reach its data directory inside
mkdir -p "$SERVICE_DIR/pg"
((EUID == 0)) && chown postgres:postgres "$SERVICE_DIR/pg"
as_postgres "$PGBIN/initdb" -D "$SERVICE_DIR/pg/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
PG_STARTED=yes
as_postgres "$PGBIN/pg_ctl" -D "$SERVICE_DIR/pg/data" -l "$SERVICE_DIR/pg/log" -w -t 30 \
  -o "-p $PG_PORT -k $SERVICE_DIR/pg -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
"$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres portal
PG_VERSION=$("$PGBIN/postgres" --version | awk '{print $3}')
echo "-- PostgreSQL $PG_VERSION on 127.0.0.1:$PG_PORT (pid $(head -1 "$SERVICE_DIR/pg/data/postmaster.pid"))"

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
  --pidfile "$SERVICE_DIR/redis.pid" --logfile "$SERVICE_DIR/redis.log" --dir "$SERVICE_DIR"
for _ in $(seq 1 50); do
  [[ -s $SERVICE_DIR/redis.pid ]] && ! port_is_free 127.0.0.1 "$REDIS_PORT" && break
  sleep 0.1
done
REDIS_VERSION=$(redis-server --version | grep -o 'v=[0-9.]*' | cut -d= -f2)
echo "-- Redis $REDIS_VERSION on 127.0.0.1:$REDIS_PORT (pid $(cat "$SERVICE_DIR/redis.pid"))"

# moto's S3 server (in memory; it checks no credentials): the object-storage test makes its own bucket there.
"$BIN/moto_server" -H 127.0.0.1 -p "$S3_PORT" >"$SERVICE_DIR/s3.log" 2>&1 &
echo $! >"$SERVICE_DIR/s3.pid"
for _ in $(seq 1 100); do
  ! port_is_free 127.0.0.1 "$S3_PORT" && break
  kill -0 "$(cat "$SERVICE_DIR/s3.pid")" 2>/dev/null || { cat "$SERVICE_DIR/s3.log" >&2; exit 1; }
  sleep 0.1
done
S3_VERSION=$("$BIN/python" -c 'import moto; print(moto.__version__)')
echo "-- S3 server (moto $S3_VERSION) on 127.0.0.1:$S3_PORT (pid $(cat "$SERVICE_DIR/s3.pid"))"

banner "stage 2: PostgreSQL ${PG_VERSION%%.*} + Redis ${REDIS_VERSION%%.*} + Celery workers + S3 (tests marked postgres or integration)"
# The tests themselves keep the file system storage; the object-storage test points itself and its workers at
# a bucket of TEST_S3_ENDPOINT_URL.
DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/portal" \
  CELERY_BROKER_URL="redis://127.0.0.1:$REDIS_PORT/0" \
  CELERY_RESULT_BACKEND="redis://127.0.0.1:$REDIS_PORT/1" \
  DJANGO_STORAGE_S3_BUCKET="" \
  TEST_S3_ENDPOINT_URL="http://127.0.0.1:$S3_PORT" \
  "${PYTEST[@]}" -m "postgres or integration" -v
