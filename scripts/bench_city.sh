#!/usr/bin/env bash
# `make bench-city [SCALE=0.1]`: the city-scale benchmark (scripts/bench_city.py) at 1/10 and then the whole city,
# or at the one scale given, into docs/BENCHMARKS.md. It runs on a throwaway PostgreSQL started here from Debian's
# packages (in a temporary folder, stopped by PID whatever happens), or on the server BENCH_CITY_DATABASE_URL names
# (postgres://user@host:port/postgres), where it creates and leaves the databases bench_city_<scale>. Django's cache
# is a Redis server started here too, as compose deploys it, or the one BENCH_CITY_CACHE_URL names.
# On two CPUs 1/10 takes about eight minutes; the whole city builds in about seven minutes (1.6 GB in PostgreSQL) and its
# slow pages make the measurement itself much longer.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SCALES=${1:-"0.1 1"}
PG_PORT=${BENCH_PG_PORT:-5434}
REDIS_PORT=${BENCH_REDIS_PORT:-6391}

as_postgres() {
  # initdb refuses to run as root; the Debian package provides the postgres account.
  if ((EUID == 0)); then runuser -u postgres -- "$@"; else "$@"; fi
}

compose_pg_settings() {
  # The settings docker-compose.yml gives its PostgreSQL (docs/SCALING.md says why), with their defaults: the
  # benchmark measures the portal as it is deployed.
  awk '/^  db:/ {db = 1; next} db && /^  [a-z]/ {db = 0} db && previous ~ /- -c$/ {sub(/^ *- /, ""); print "-c " $0}
       {previous = $0}' docker-compose.yml | sed -E 's/\$\{[A-Z_]+:-([^}]*)\}/\1/g' | tr '\n' ' '
}

SERVICE_DIR=""
stop_postgres() {
  local status=$?
  if [[ -n $SERVICE_DIR && -f $SERVICE_DIR/pg/data/postmaster.pid ]]; then
    echo "-- stopping PostgreSQL (pid $(head -1 "$SERVICE_DIR/pg/data/postmaster.pid"))"
    as_postgres timeout 60 "$PGBIN/pg_ctl" -D "$SERVICE_DIR/pg/data" -m fast -w -t 50 stop >/dev/null \
      || stop_pids "$(head -1 "$SERVICE_DIR/pg/data/postmaster.pid")"
  fi
  if [[ -n $SERVICE_DIR && -f $SERVICE_DIR/redis.pid ]]; then
    echo "-- stopping Redis (pid $(cat "$SERVICE_DIR/redis.pid"))"
    stop_pids "$(cat "$SERVICE_DIR/redis.pid")"
  fi
  [[ -n $SERVICE_DIR ]] && rm -rf "$SERVICE_DIR"
  exit "$status"
}

if [[ -z ${BENCH_CITY_DATABASE_URL:-} ]]; then
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  [[ -n $PGBIN ]] || { echo "PostgreSQL is not installed (make install as root installs it)" >&2; exit 1; }
  port_is_free 127.0.0.1 "$PG_PORT" || { echo "port $PG_PORT is in use: set BENCH_PG_PORT" >&2; exit 1; }
  SERVICE_DIR=$(mktemp -d -t portal-bench-city.XXXXXX)
  trap stop_postgres EXIT
  trap 'exit 130' INT TERM
  chmod 755 "$SERVICE_DIR"  # the postgres account must reach its data directory inside
  mkdir -p "$SERVICE_DIR/pg"
  ((EUID == 0)) && chown postgres:postgres "$SERVICE_DIR/pg"
  as_postgres "$PGBIN/initdb" -D "$SERVICE_DIR/pg/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
  settings=$(compose_pg_settings)
  [[ $settings == *jit=off* ]] || { echo "the PostgreSQL settings of docker-compose.yml were not found" >&2; exit 1; }
  # The deployed settings; fsync off only because the data is thrown away.
  as_postgres "$PGBIN/pg_ctl" -D "$SERVICE_DIR/pg/data" -l "$SERVICE_DIR/pg/log" -w -t 30 \
    -o "-p $PG_PORT -k $SERVICE_DIR/pg -c listen_addresses=127.0.0.1 $settings -c fsync=off" start >/dev/null
  echo "-- settings: $settings"
  echo "-- PostgreSQL on 127.0.0.1:$PG_PORT (pid $(head -1 "$SERVICE_DIR/pg/data/postmaster.pid"))"
  export BENCH_CITY_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
fi

if [[ -z ${BENCH_CITY_CACHE_URL:-} ]]; then
  command -v redis-server >/dev/null || { echo "redis-server is not installed (make install as root installs it)" >&2; exit 1; }
  port_is_free 127.0.0.1 "$REDIS_PORT" || { echo "port $REDIS_PORT is in use: set BENCH_REDIS_PORT" >&2; exit 1; }
  if [[ -z $SERVICE_DIR ]]; then
    SERVICE_DIR=$(mktemp -d -t portal-bench-city.XXXXXX)
    trap stop_postgres EXIT
    trap 'exit 130' INT TERM
  fi
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$SERVICE_DIR/redis.pid" --logfile "$SERVICE_DIR/redis.log" --dir "$SERVICE_DIR"
  for _try in $(seq 50); do
    [[ -s $SERVICE_DIR/redis.pid ]] && ! port_is_free 127.0.0.1 "$REDIS_PORT" && break
    sleep 0.1
  done
  [[ -s $SERVICE_DIR/redis.pid ]] && ! port_is_free 127.0.0.1 "$REDIS_PORT" \
    || { echo "Redis did not start (see $SERVICE_DIR/redis.log)" >&2; cat "$SERVICE_DIR/redis.log" >&2 || true; exit 1; }
  echo "-- Redis on 127.0.0.1:$REDIS_PORT (pid $(cat "$SERVICE_DIR/redis.pid"))"
  export BENCH_CITY_CACHE_URL="redis://127.0.0.1:$REDIS_PORT/2"
fi

for scale in $SCALES; do
  banner "City-scale benchmark, scale $scale"
  "$BIN/python" scripts/bench_city.py --scale "$scale" --output docs/BENCHMARKS.md
done
echo "Written to docs/BENCHMARKS.md"
