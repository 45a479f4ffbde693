#!/usr/bin/env bash
# Benchmarks, on a fresh temporary SQLite database; results go into docs/BENCHMARKS.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

banner "Roster import benchmark"
echo "nproc: $(nproc); $("$BIN/python" --version)"
# An empty DATABASE_URL lets the script create its own throwaway database.
env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.test \
  "$BIN/python" scripts/bench_import.py --output docs/BENCHMARKS.md
echo "Written to docs/BENCHMARKS.md"
