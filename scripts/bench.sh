#!/usr/bin/env bash
# Benchmarks, on fresh temporary SQLite databases; results go into docs/BENCHMARKS.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

banner "Roster import benchmark"
echo "nproc: $(nproc); $("$BIN/python" --version)"
# An empty DATABASE_URL lets the script create its own throwaway database.
env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.test \
  "$BIN/python" scripts/bench_import.py --output docs/BENCHMARKS.md

banner "Import limits benchmark"
# No database at all: every file is refused (or read) before an import would touch one. --with-before also gives
# the bomb to the reader as it was before the limits, in a process capped at 2 GB of address space.
env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.test \
  "$BIN/python" scripts/bench_import_limits.py --with-before --output docs/BENCHMARKS.md

banner "Evaluation report benchmark"
# Its own throwaway database and media folder too; each script rewrites only its own section of the file.
env -u DATABASE_URL -u DJANGO_MEDIA_ROOT DJANGO_SETTINGS_MODULE=config.settings.test \
  "$BIN/python" scripts/bench_reports.py --output docs/BENCHMARKS.md
echo "Written to docs/BENCHMARKS.md"
