# The two commands of the README, plus lint, bench, install and clean. The work is in scripts/
.PHONY: run test install lint bench bench-city clean lock backup restore

run:  ## install what is missing, migrate, load the demo once, serve on 127.0.0.1:8000 with a worker and beat
	bash scripts/run.sh

test:  ## everything CI runs: lint, types, migrations, catalogue, SQLite stage, PostgreSQL + Redis stage
	bash scripts/test.sh

install:  ## only the installation step (Debian packages as root, .venv, Python packages)
	bash scripts/install.sh

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy .

bench: install
	bash scripts/bench.sh

bench-city: install  ## city-scale benchmark on a throwaway PostgreSQL: 1/10 then the whole city, or SCALE=0.1 only
	bash scripts/bench_city.sh $(SCALE)

backup: install  ## the database and uploaded files into var/backups/portal-backup-<time>.tar, with a SHA-256 manifest
	.venv/bin/python manage.py backup

restore: install  ## make restore FILE=var/backups/portal-backup-<time>.tar, into an empty database and media folder
	@test -n "$(FILE)" || { echo 'usage: make restore FILE=var/backups/portal-backup-<time>.tar' >&2; exit 2; }
	.venv/bin/python manage.py restore "$(FILE)"

lock:  ## rewrite requirements*.txt (every package with its hashes) from requirements*.in
	bash scripts/lock.sh

clean:  ## remove what runs leave behind; keeps .venv and the local database
	rm -rf var/staticfiles var/broker var/test.sqlite3* .mypy_cache .ruff_cache .pytest_cache .hypothesis test-results
	find . -path ./.venv -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
