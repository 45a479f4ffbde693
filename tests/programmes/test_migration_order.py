"""Migrations that upgrade a portal holding data: PostgreSQL refuses to index a table while the foreign-key checks
of rows changed in the same transaction are still pending ("cannot CREATE INDEX … pending trigger events"), and
Django makes its foreign keys DEFERRABLE INITIALLY DEFERRED. An empty test database never shows it; an upgrade of a
ward's data does. So a migration that changes rows and then indexes or alters a table in the same transaction runs
the pending checks first (`SET CONSTRAINTS ALL IMMEDIATE`), as programmes 0016 does."""

import importlib
import inspect

from django.db import migrations
from django.db.migrations.loader import MigrationLoader

SCHEMA_AFTER_DATA = (
    migrations.AddIndex,
    migrations.AddConstraint,
    migrations.AlterField,
    migrations.AddField,
    migrations.RemoveField,
    migrations.AlterUniqueTogether,
)
PROJECT_APPS = {"programmes", "reviews", "publicity"}
CHECK = "SET CONSTRAINTS ALL IMMEDIATE"


# What in a data step's code writes rows (an index built through schema_editor writes none).
WRITES = (".objects", ".save(", "bulk_", "UPDATE ", "INSERT ", "DELETE ")


def _source(operation: object) -> str:
    return inspect.getsource(operation.code) if isinstance(operation, migrations.RunPython) else ""


def _checks_constraints(operation: object) -> bool:
    return CHECK in _source(operation).upper()


def _writes_rows(operation: object) -> bool:
    return any(word in _source(operation) for word in WRITES)


def unchecked(migration: migrations.Migration) -> list[str]:
    """The schema changes of an atomic migration that follow a data step with no constraint check between."""
    if not migration.atomic:
        return []
    found, pending = [], False
    for operation in migration.operations:
        if _checks_constraints(operation):
            pending = False
        elif _writes_rows(operation):
            pending = True
        elif pending and isinstance(operation, SCHEMA_AFTER_DATA):
            found.append(f"{migration.app_label}.{migration.name}: {operation.describe()}")
    return found


def test_a_migration_that_changes_rows_runs_their_checks_before_it_indexes_or_alters_a_table():
    loaded = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    found = [line for (app, _name), migration in loaded.items() if app in PROJECT_APPS for line in unchecked(migration)]
    assert found == []


def test_the_rule_finds_programmes_0016_without_its_check():
    module = importlib.import_module("programmes.migrations.0016_public_flag_and_search_copies")
    migration = module.Migration("0016_public_flag_and_search_copies", "programmes")
    assert unchecked(migration) == []
    migration.operations = [operation for operation in migration.operations if not _checks_constraints(operation)]
    assert [line.split(": ")[1] for line in unchecked(migration)] == [
        "Create index programme_public_by_name on field(s) owner_name_folded, -term_start, id of model actionprogramme",
        "Create index programme_public_organisation on field(s) organisation of model actionprogramme",
    ]
