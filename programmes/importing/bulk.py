# ruff: noqa: S608  (the SQL is built from names in the models' metadata; every value is a parameter or copied)
"""Writing many rows, and the history row of each, in a few statements.

On PostgreSQL the rows are copied (COPY) into a temporary staging table and written from there with one
`INSERT … SELECT` or `UPDATE … FROM`, whose RETURNING rows become the history rows in the same statement: no
model object is built. Elsewhere (the embedded SQLite default) the ORM's bulk methods with django-simple-history
write them, a modest batch at a time. Both write the history rows `bulk_create_with_history` and
`bulk_update_with_history` would: every tracked column as it stands after the write, history type "+" or "~",
the acting user and the change reason.
"""

import datetime
import io
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, cast

from django.contrib.auth.models import User
from django.db import connection, models
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

# Rows held in memory at once: one COPY buffer, or one batch of model objects.
CHUNK_ROWS = 5000
ORM_BATCH = 1000
STAGING_TABLE = "import_staging"

Row = tuple[Any, ...]


def chunks(rows: Iterable[Row], size: int = CHUNK_ROWS) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: object) -> str:
    """One value in COPY's text format: NULL as \\N, and the characters that separate fields and rows escaped."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(COPY_ESCAPES)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).translate(COPY_ESCAPES)


def _copy_column(values: tuple[object, ...]) -> Sequence[str]:
    """One column of a chunk in COPY's text format. A column holds one type, mostly: text with nothing to escape
    (nearly always) is written as it is, numbers through str, without a call to _copy_text per value."""
    kinds = set(map(type, values))
    if kinds == {str}:
        text = cast(tuple[str, ...], values)
        joined = "".join(text)
        if "\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined:
            return [value.translate(COPY_ESCAPES) for value in text]
        return text
    if kinds == {int}:
        return list(map(str, values))
    return list(map(_copy_text, values))


def _copy_chunk(chunk: list[Row]) -> str:
    """Rows in COPY's text format, built column by column (a roster's import copies about a million values)."""
    columns = [_copy_column(column) for column in zip(*chunk, strict=True)]
    return "\n".join(map("\t".join, zip(*columns, strict=True))) + "\n"


class BulkWriter:
    """Insert or update rows of one model given as tuples of column values, with their history rows."""

    def __init__(self, acting_user: User | None, change_reason: str) -> None:
        self.acting_user = acting_user
        self.change_reason = change_reason
        self.copies = connection.vendor == "postgresql"

    def insert(self, model: type[models.Model], fields: Sequence[str], rows: Iterable[Row]) -> None:
        """`fields` are attribute names (`cadre_id` for a foreign key); the primary key comes from the database
        unless it is one of them."""
        if self.copies:
            # The models' defaults live in Python, not in the tables: the columns left out are written with them.
            missing = [
                field
                for field in model._meta.concrete_fields
                if field.attname not in fields and not isinstance(field, models.AutoField)
            ]
            defaults = tuple(field.get_default() for field in missing)
            every_field = [*fields, *(field.attname for field in missing)]
            filled = (row + defaults for row in rows)
            self._copy(model, every_field, filled, self._insert_sql(model, every_field))
            return
        for chunk in chunks(rows, ORM_BATCH):
            objs = [model(**dict(zip(fields, row, strict=True))) for row in chunk]
            bulk_create_with_history(objs, model, **self._history_options())

    def update(self, model: type[models.Model], fields: Sequence[str], rows: Iterable[Row]) -> None:
        """Each row is the primary key followed by the new values of `fields`."""
        if self.copies:
            self._copy(model, [model._meta.pk.attname, *fields], rows, self._update_sql(model, fields))
            return
        for chunk in chunks(rows, ORM_BATCH):
            # The history row copies every tracked column, so the objects are read whole, a batch at a time.
            stored = model._default_manager.in_bulk([row[0] for row in chunk])
            objs = []
            for pk, *values in chunk:
                obj = stored[pk]
                for name, value in zip(fields, values, strict=True):
                    setattr(obj, name, value)
                objs.append(obj)
            bulk_update_with_history(objs, model, list(fields), **self._history_options())

    def _history_options(self) -> dict[str, Any]:
        return {"default_user": self.acting_user, "default_change_reason": self.change_reason, "batch_size": 500}

    def _copy(self, model: type[models.Model], fields: Sequence[str], rows: Iterable[Row], write_sql: str) -> None:
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(self._column(model, name) for name in fields)
        with connection.cursor() as cursor:
            # Typed like the real table, without its constraints; dropped at the end of the import's transaction.
            create = (
                f"CREATE TEMPORARY TABLE {STAGING_TABLE} ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA"
            )
            cursor.execute(create)
            copy = f"COPY {STAGING_TABLE} ({columns}) FROM STDIN"
            for chunk in chunks(rows):
                buffer = io.StringIO(_copy_chunk(chunk))
                cursor.cursor.copy_expert(copy, buffer)
            cursor.execute(write_sql, [timezone.now(), self.change_reason, getattr(self.acting_user, "pk", None)])
            cursor.execute(f"DROP TABLE {STAGING_TABLE}")

    @staticmethod
    def _column(model: type[models.Model], name: str) -> str:
        columns = {field.attname: field.column for field in model._meta.concrete_fields}
        return connection.ops.quote_name(str(columns[name]))

    def _history_sql(self, model: type[models.Model], history_type: str) -> str:
        """Insert the rows RETURNING from the `written` statement into the model's history table."""
        history = model.history.model  # type: ignore[attr-defined]
        tracked = ", ".join(connection.ops.quote_name(field.column) for field in history.tracked_fields)
        quote = connection.ops.quote_name
        return (
            f"INSERT INTO {quote(history._meta.db_table)} ({tracked}, history_date, history_change_reason, "
            f"history_type, history_user_id) SELECT {tracked}, %s, %s, '{history_type}', %s FROM written"
        )

    def _returning(self, model: type[models.Model]) -> str:
        history = model.history.model  # type: ignore[attr-defined]
        table = connection.ops.quote_name(model._meta.db_table)
        return ", ".join(f"{table}.{connection.ops.quote_name(field.column)}" for field in history.tracked_fields)

    def _insert_sql(self, model: type[models.Model], fields: Sequence[str]) -> str:
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(self._column(model, name) for name in fields)
        return (
            f"WITH written AS (INSERT INTO {table} ({columns}) SELECT {columns} FROM {STAGING_TABLE} "
            f"RETURNING {self._returning(model)}) {self._history_sql(model, '+')}"
        )

    def _update_sql(self, model: type[models.Model], fields: Sequence[str]) -> str:
        table = connection.ops.quote_name(model._meta.db_table)
        pk = connection.ops.quote_name(str(model._meta.pk.column))
        assignments = ", ".join(
            f"{self._column(model, name)} = {STAGING_TABLE}.{self._column(model, name)}" for name in fields
        )
        return (
            f"WITH written AS (UPDATE {table} SET {assignments} FROM {STAGING_TABLE} "
            f"WHERE {table}.{pk} = {STAGING_TABLE}.{pk} RETURNING {self._returning(model)}) "
            f"{self._history_sql(model, '~')}"
        )
