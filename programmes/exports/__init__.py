"""Spreadsheets of the staff lists: the same rows as the list on screen, under the same access and filters.

Each list the portal exports is an `ExportList` registered here by its app (the members and programmes here,
reviews and feedback cases by their apps' `ready()`, since this app cannot import them). A list answers, for a user
and the parameters of its address (its filters, and the organisation or period it is about), with a `Selection`:
the rows, already scoped by the access module and filtered by the list's own form, and how to write them. The
views, the background job and the audit log then treat every list alike (programmes.exports.services).
"""

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, ClassVar, TypeVar

from django.contrib.auth.models import User
from django.db.models import Model, QuerySet
from django.utils.functional import Promise

from programmes.exports.workbook import Book
from programmes.models import PartyOrganisation

M = TypeVar("M", bound=Model)
# Rows are read and written this many at a time: what a batch prefetches, and how often the progress moves.
BATCH = 1000


def batches(queryset: QuerySet[M], size: int = BATCH) -> Iterator[list[M]]:
    """The rows of `queryset` in its order, `size` at a time, read with a server-side cursor where there is one."""
    batch: list[M] = []
    for row in queryset.iterator(chunk_size=size):
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class Selection(ABC):
    """What one user exports of one list with given filters: the rows and how they are written."""

    # The organisation the list is about (the audit log of its subtree records the export); None: the user's own.
    scope: PartyOrganisation | None = None

    @abstractmethod
    def rows(self) -> QuerySet[Any]:
        """The list's rows (the main sheet's), in the list's order: what is counted against the background threshold."""

    @abstractmethod
    def write(self, book: Book) -> None:
        """Write the sheets, calling book.advance() as the rows of `rows()` are written."""


class ExportList(ABC):
    """One exportable staff list."""

    key: ClassVar[str]
    # What the list is called in the audit log, the file's title and the background job's page.
    label: ClassVar[Promise]
    # The file name's start, without accents (browsers and mail clients mangle others).
    file_stem: ClassVar[str]

    @abstractmethod
    def select(self, user: User, parameters: dict[str, str]) -> Selection:
        """The user's selection; PermissionDenied when they may not export this list (or not with these filters),
        Http404 when the object the list is about does not exist."""


_LISTS: dict[str, ExportList] = {}


def register(*lists: ExportList) -> None:
    for exported in lists:
        _LISTS[exported.key] = exported


def get_list(key: str) -> ExportList:
    """The registered list (a KeyError for an unknown key: a job's key is one the portal wrote)."""
    return _LISTS[key]


def is_registered(key: str) -> bool:
    return key in _LISTS


def list_label(key: str) -> str:
    exported = _LISTS.get(key)
    return str(exported.label) if exported is not None else key


def write_rows(
    book: Book,
    sheet_title: str,
    headers: Sequence[str | Promise],
    rows: Iterable[list[M]],
    row_values: Callable[[M], Sequence[Any]],
) -> None:
    """A one-sheet list: each row of each batch written as `row_values` gives it, the progress moved per batch."""
    sheet = book.sheet(sheet_title, headers)
    for batch in rows:
        for row in batch:
            sheet.append(row_values(row))
        book.advance(len(batch))
