#!/usr/bin/env bash
# Installs what is missing, and only that: Debian packages (as root), the virtual environment,
# the pinned Python packages (again only when a requirements file changed).
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-noto-core
  poppler-utils redis-server postgresql chromium gettext
)
VENV=.venv
STAMP=var/requirements.sha256

log() { printf '%s\n' "-- $*"; }

pick_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3.11 python3 "$VENV/bin/python"; do
    if [[ -n "$candidate" ]] && command -v "$candidate" >/dev/null \
      && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      echo "$candidate"
      return
    fi
  done
  echo "Python 3.11 is required (set PYTHON=/path/to/python3.11)" >&2
  exit 1
}

missing_debian_packages() {
  local package
  for package in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
      echo "$package"
    fi
  done
}

install_debian_packages() {
  command -v dpkg-query >/dev/null || { log "not a Debian system: skipping system packages"; return; }
  local wanted=("${DEBIAN_PACKAGES[@]}")
  # Debian's own python3 needs the venv package; a self-built Python brings ensurepip with it.
  if [[ ! -x $VENV/bin/python ]] && ! "$(pick_python)" -c 'import ensurepip' 2>/dev/null; then
    wanted+=(python3-venv)
  fi
  local missing
  mapfile -t missing < <(missing_debian_packages "${wanted[@]}")
  if ((${#missing[@]} == 0)); then
    log "Debian packages: all present"
    return
  fi
  if ((EUID != 0)); then
    log "Debian packages missing (run as root to install them): ${missing[*]}"
    return
  fi
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

requirements_hash() {
  { "$VENV/bin/python" --version; cat requirements.txt requirements-dev.txt; } | sha256sum | cut -d' ' -f1
}

install_python_packages() {
  mkdir -p var
  if [[ ! -x $VENV/bin/python ]]; then
    log "creating $VENV"
    "$(pick_python)" -m venv "$VENV"
    rm -f "$STAMP"
  fi
  local wanted
  wanted=$(requirements_hash)
  if [[ -f $STAMP && $(cat "$STAMP") == "$wanted" ]]; then
    log "Python packages: up to date"
    return
  fi
  log "installing Python packages from requirements-dev.txt"
  # The lock carries the hash of every file: pip refuses anything else (made by scripts/lock.sh).
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.txt
  echo "$wanted" >"$STAMP"
}

install_debian_packages
install_python_packages
