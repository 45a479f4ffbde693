from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# PostgreSQL only, and outside the models' state, as the public search's index (0017): SQLite has neither pg_trgm nor
# GIN. The staff's search reads every programme and every cadre of the searcher's subtree, not only published ones:
# at city scale (370,000 members) a word of a name (`LIKE '%word%'`) is found through these indexes, then checked
# against the access module's conditions, instead of reading every row of the city.
STAFF_INDEXES = {
    "ActionProgramme": GinIndex(fields=["search_folded"], opclasses=["gin_trgm_ops"], name="programme_search_trgm"),
    "Cadre": GinIndex(fields=["name_folded"], opclasses=["gin_trgm_ops"], name="cadre_name_trgm"),
}


def _on_postgresql(schema_editor):
    return schema_editor.connection.vendor == "postgresql"


def add_indexes(apps, schema_editor):
    if not _on_postgresql(schema_editor):
        return
    TrigramExtension().database_forwards("programmes", schema_editor, None, None)
    for model_name, index in STAFF_INDEXES.items():
        schema_editor.add_index(apps.get_model("programmes", model_name), index)


def remove_indexes(apps, schema_editor):
    if _on_postgresql(schema_editor):
        for model_name, index in STAFF_INDEXES.items():
            schema_editor.remove_index(apps.get_model("programmes", model_name), index)


class Migration(migrations.Migration):

    dependencies = [
        ("programmes", "0022_export_jobs"),
    ]

    operations = [
        migrations.RunPython(add_indexes, remove_indexes),
    ]
