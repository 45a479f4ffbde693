#!/usr/bin/env bash
# Rewrites the locks requirements.txt and requirements-dev.txt from requirements*.in: every package,
# transitive ones included, pinned with the SHA-256 of each of its files on PyPI, so that
# `pip install --require-hashes` (what scripts/install.sh runs) installs exactly what was reviewed.
# Run it after changing a pin in requirements*.in; commit the .in and .txt files together.
set -euo pipefail
source "$(dirname "$0")/common.sh"

TOOLS=$(mktemp -d -t portal-lock.XXXXXX)
trap 'rm -rf "$TOOLS"' EXIT
"$(command -v python3.11 || command -v python3)" -m venv "$TOOLS/venv"
"$TOOLS/venv/bin/pip" install --quiet --disable-pip-version-check pip-tools==7.7.0

# Hashes of the files on PyPI itself, whatever local mirrors this machine's pip is configured with.
compile() {
  PIP_CONFIG_FILE=/dev/null "$TOOLS/venv/bin/pip-compile" --quiet --generate-hashes --allow-unsafe \
    --strip-extras --no-emit-index-url --no-emit-find-links --index-url https://pypi.org/simple \
    --output-file "$2" "$1"
}
compile requirements.in requirements.txt
compile requirements-dev.in requirements-dev.txt
echo "requirements.txt: $(grep -c '==' requirements.txt) packages; requirements-dev.txt: $(grep -c '==' requirements-dev.txt) packages"
