"""Build the city-scale data set (Ho Chi Minh City: 168 wards, 5,040 cells, 370,000 members with accounts and
programmes, 1.52 million commitments, 926,000 progress reports, 74,000 published programmes) into an empty
PostgreSQL database migrated by `manage.py migrate`, at a fraction of that size with --scale.

The rows are generated as they are sent: one `COPY ... FROM STDIN` per table, in the order the foreign keys
need, no model objects. Every column of every model is written (the columns are checked against the models
first), the tree's materialised paths, depths and child counts are treebeard's, and the check and unique
constraints hold because the database checks them as the rows arrive. History tables stay empty. Then the
identity sequences are moved past the rows and the tables are vacuumed and analysed, as a live database would be.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_city_0_1 \
        .venv/bin/python scripts/city_data.py --scale 0.1 --migrate
"""

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO_ROOT), str(Path(__file__).resolve().parent)]

from city_plan import STAFF_PASSWORD, Plan  # noqa: E402  (scripts/ is on sys.path as the script runs)
from city_rows import COLUMNS, CityRows, Row  # noqa: E402

# Tables loaded together share one transaction: a programme names its version in force and the version its
# programme, and the foreign keys (deferred in Django's schema) are checked at the commit.
GROUPS: tuple[tuple[str, ...], ...] = (
    ("programmes.PartyOrganisation", "programmes.OrganisationSuccession"),
    ("auth.User", "programmes.Cadre", "programmes.Membership", "programmes.Position", "programmes.RoleAssignment"),
    ("programmes.ActionProgramme", "programmes.ProgrammeVersion"),
    ("programmes.Commitment",),
    ("programmes.CommitmentTerms",),
    ("programmes.ProgressReport",),
)
ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
CHUNK = 1 << 18


class DataMismatch(Exception):
    """The models and the builder disagree: a column added or removed, or a table that is not empty."""


def copy_field(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(ESCAPES)
    return str(value)


class RowStream:
    """A file-like view of generated rows, read by psycopg2's copy_expert a chunk at a time."""

    def __init__(self, rows: Iterable[Row]) -> None:
        self.rows: Iterator[Row] = iter(rows)
        self.count = 0

    def read(self, size: int = CHUNK) -> bytes:
        parts: list[str] = []
        length = 0
        for row in self.rows:
            line = "\t".join(map(copy_field, row)) + "\n"
            parts.append(line)
            length += len(line)
            self.count += 1
            if length >= size:
                break
        return "".join(parts).encode()

    def readline(self, size: int = -1) -> bytes:  # copy_expert may ask for it; a chunk of lines is as good
        return self.read()


def check_models() -> None:
    """Every column of every model loaded is written, and nothing else: a new field stops the build here."""
    from django.apps import apps
    from django.db import models

    for label, columns in COLUMNS.items():
        model = apps.get_model(label)
        # A generated column (the stored public flag) is computed by the database as each row arrives.
        expected = {
            field.column for field in model._meta.concrete_fields if not isinstance(field, models.GeneratedField)
        }
        if expected != set(columns):
            raise DataMismatch(f"{label}: model columns {sorted(expected ^ set(columns))} differ from the builder's")
        if model._default_manager.exists():
            raise DataMismatch(f"{label}: the table is not empty; build into a freshly migrated database")


def row_sources(rows: CityRows, password_hash: str) -> dict[str, Callable[[], Iterable[Row]]]:
    return {
        "programmes.PartyOrganisation": rows.organisations,
        "programmes.OrganisationSuccession": rows.successions,
        "auth.User": lambda: rows.users(password_hash),
        "programmes.Cadre": rows.cadres,
        "programmes.Membership": rows.memberships,
        "programmes.Position": rows.positions,
        "programmes.RoleAssignment": rows.role_assignments,
        "programmes.ActionProgramme": rows.programmes,
        "programmes.ProgrammeVersion": rows.versions,
        "programmes.Commitment": rows.commitments,
        "programmes.CommitmentTerms": rows.terms,
        "programmes.ProgressReport": rows.progress,
    }


def build(plan: Plan, password_hash: str, report: Callable[[str], None] = print) -> dict[str, dict[str, float]]:
    """Load the plan into the default database; returns rows and seconds per table (and the whole build)."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection, transaction

    started = time.perf_counter()
    check_models()
    rows = CityRows(plan)
    sources = row_sources(rows, password_hash)
    figures: dict[str, dict[str, float]] = {}
    for group in GROUPS:
        with transaction.atomic(), connection.cursor() as cursor:
            for label in group:
                table_started = time.perf_counter()
                stream = RowStream(sources[label]())
                table = apps.get_model(label)._meta.db_table
                sql = f"COPY {table} ({', '.join(COLUMNS[label])}) FROM STDIN"
                cursor.copy_expert(sql, stream, size=CHUNK)
                figures[label] = {"rows": stream.count, "seconds": time.perf_counter() - table_started}
                report(f"{label}: {stream.count:,} rows in {figures[label]['seconds']:.1f} s")
    models = [apps.get_model(label) for label in COLUMNS]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
    analyse_started = time.perf_counter()
    vacuum_analyse([model._meta.db_table for model in models])
    figures["vacuum analyse"] = {"rows": 0, "seconds": time.perf_counter() - analyse_started}
    figures["total"] = {"rows": sum(figure["rows"] for figure in figures.values()), "seconds": 0}
    figures["total"]["seconds"] = time.perf_counter() - started
    return figures


def vacuum_analyse(tables: list[str]) -> None:
    """Statistics for the planner and a visibility map for index-only scans, as autovacuum leaves a live database
    (and so that autovacuum does not start on the new rows in the middle of a measurement)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {table}")


def table_counts() -> dict[str, int]:
    from django.apps import apps

    return {label: apps.get_model(label)._default_manager.count() for label in COLUMNS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=0.1, help="1 is the whole city; 0.1 a tenth")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: DATABASE_URL)")
    parser.add_argument("--migrate", action="store_true", help="run manage.py migrate first")
    args = parser.parse_args()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        parser.error("a PostgreSQL database is needed: give --database-url or DATABASE_URL")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    if args.migrate:
        call_command("migrate", verbosity=0)
    plan = Plan.for_scale(args.scale, seed=args.seed)
    figures = build(plan, make_password(STAFF_PASSWORD))
    counts = table_counts()
    expected = plan.counts()
    if counts != expected:
        raise DataMismatch(f"rows per table {counts} differ from the plan's {expected}")
    print(f"built scale {args.scale:g} in {figures['total']['seconds']:.0f} s ({figures['total']['rows']:,} rows)")


if __name__ == "__main__":
    main()
