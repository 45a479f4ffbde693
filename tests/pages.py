"""Reading rendered pages in tests, and counting what a request costs."""

from collections.abc import Callable
from typing import TypeVar

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

T = TypeVar("T")


def missing_from(text: str, *expected: str) -> list[str]:
    """The pieces of `expected` that `text` does not contain, in order: `assert missing_from(page, ...) == []` checks
    every piece and names all those absent at once."""
    return [piece for piece in expected if piece not in text]


def queries_of(request: Callable[[], T]) -> tuple[int, T]:
    """How many queries `request` (a test client's request) makes, and its answer. The connection's log is emptied
    first: it keeps at most 9,000 queries, and a count taken near that bound would miss the first ones."""
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        answer = request()
    return len(captured), answer
