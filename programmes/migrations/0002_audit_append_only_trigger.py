"""The database itself refuses to change or delete audit events, whatever the code does."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION programmes_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER programmes_auditevent_append_only
    BEFORE UPDATE OR DELETE ON programmes_auditevent
    FOR EACH ROW EXECUTE FUNCTION programmes_auditevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS programmes_auditevent_append_only ON programmes_auditevent;
DROP FUNCTION IF EXISTS programmes_auditevent_append_only();
"""


SQLITE_CREATE = [
    """
    CREATE TRIGGER programmes_auditevent_no_update BEFORE UPDATE ON programmes_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
    """,
    """
    CREATE TRIGGER programmes_auditevent_no_delete BEFORE DELETE ON programmes_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
    """,
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS programmes_auditevent_no_update;",
    "DROP TRIGGER IF EXISTS programmes_auditevent_no_delete;",
]


def create_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(CREATE)
    elif vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)


def drop_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(DROP)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
