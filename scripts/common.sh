# Shared by the scripts: the repository root, the virtual environment's tools, banners.
# shellcheck shell=bash
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO_ROOT"
BIN=$REPO_ROOT/.venv/bin

banner() { printf '\n== %s ==\n' "$*"; }
manage() { "$BIN/python" manage.py "$@"; }

compile_messages() {
  if find locale locale_vendor -name '*.po' 2>/dev/null | grep -q .; then
    # Only the portal's own catalogues (locale/ and locale_vendor/, both in LOCALE_PATHS): without --ignore
    # Django walks into .venv as well.
    manage compilemessages --ignore=.venv --ignore=var --verbosity 0
  fi
}

# True when nothing listens on host $1, port $2.
port_is_free() {
  ! (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# Stops processes we started, by PID: SIGTERM to all, a bounded wait (a Celery worker with embedded
# beat needs several seconds for its warm shutdown), then SIGKILL to whatever is left.
stop_pids() {
  local pid waited=0
  kill -TERM "$@" 2>/dev/null || true
  while ((waited < 200)); do
    for pid in "$@"; do
      kill -0 "$pid" 2>/dev/null && break
      pid=""
    done
    [[ -z $pid ]] && return 0
    sleep 0.1
    waited=$((waited + 1))
  done
  kill -KILL "$@" 2>/dev/null || true
}
