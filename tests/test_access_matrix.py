"""The access matrix: every URL pattern of the portal and the admin, requested as every persona against objects in
every relation, GET and POST, compared with the table in tests/access_matrix/expectations.txt.

The world is built once per module (and rolled back after it); each request runs in a savepoint rolled back
after it, so no cell sees what another cell did. Two tests play the table, the portal's rows and the admin's,
so that the two halves run side by side under pytest-xdist.
"""

import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.test import override_settings
from django.utils import translation

from tests.access_matrix.runner import Player, outer_test_block
from tests.access_matrix.table import Pattern, Row, load_table, missing_rows, parse_table, resolver_patterns, stale_rows
from tests.access_matrix.world import World, build_world


def _pdf_without_layout(html: str) -> bytes:
    """The matrix asks who gets a PDF, not how it looks: the view still builds and renders its HTML, only
    WeasyPrint's layout (a second per document) is skipped, as scripts/bench_reports.py does."""
    return b"%PDF-1.7\n% " + hashlib.sha256(html.encode()).hexdigest().encode() + b"\n%%EOF\n"


def _bare_error(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponse(status=404 if isinstance(exception, Http404) else 403)


@pytest.fixture(scope="module")
def quiet() -> Iterator[None]:
    """Thousands of refusals are the point here: Django's log line (with a traceback) for each is not."""
    loggers = [logging.getLogger(name) for name in ("django.request", "django.security")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


@pytest.fixture(scope="module")
def world(
    django_db_setup: None, django_db_blocker, tmp_path_factory: pytest.TempPathFactory, quiet: None
) -> Iterator[World]:
    media: Path = tmp_path_factory.mktemp("access-matrix-media")
    with (
        django_db_blocker.unblock(),
        # Sessions in signed cookies: no session query per request, and a cookie put back undoes any sign-out.
        override_settings(MEDIA_ROOT=media, SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies"),
        translation.override("vi"),
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setattr("programmes.documents.html_to_pdf", _pdf_without_layout)
        # Thousands of refusals each render the full error page (half the run): the status is what counts here.
        patch.setattr("config.urls.handler404", _bare_error)
        patch.setattr("config.urls.handler403", _bare_error)
        # The test database exists only when a collected test is marked django_db: never build in another one.
        name = connection.settings_dict["NAME"]
        creation: Any = connection.creation
        assert name == creation._get_test_db_name(), f"not the test database: {name}"
        with outer_test_block():
            yield build_world()
            transaction.set_rollback(True)


@pytest.fixture(scope="module")
def patterns() -> dict[str, Pattern]:
    return {pattern.key: pattern for pattern in resolver_patterns()}


def _play(
    world: World,
    patterns: dict[str, Pattern],
    rows: list[Row],
    capsys: pytest.CaptureFixture[str],
    record_property: Callable[[str, object], None],
) -> None:
    """Play the rows and fail with every cell that differs from the table, wrongful grants first."""
    result = Player(world).play_all(patterns, rows)
    known = result.matching(lambda o: o.known_bug_still_there)
    record_property("cells", len(result.outcomes))
    record_property("known_bug_cells", len(known))
    by_row: dict[Row, Counter[str]] = {}
    for cell in known:
        by_row.setdefault(cell.row, Counter())[cell.persona] += 1
    with capsys.disabled():
        print(f"\naccess matrix: {result.summary()}")
        for row, personas in by_row.items():
            who = ", ".join(f"{persona} x{count}" for persona, count in personas.items())
            print(f"  known bug, line {row.line}: {row.pattern} {row.method} {row.target} {row.body}: {who}")
    failures: list[str] = []
    for title, test in (
        ("Server errors", lambda o: o.error),
        ("Wrongful grants (expected denied, got allowed)", lambda o: o.wrongful_grant),
        ("Wrongful refusals (expected allowed, got denied)", lambda o: o.wrongful_refusal),
        ("Known bugs fixed: write their letters in capitals", lambda o: o.known_bug_fixed),
    ):
        cells = result.matching(test)
        if cells:
            failures += [f"{title}: {len(cells)}", *(f"  {cell}" for cell in cells)]
    failing_rows = {outcome.row.line: outcome.row for outcome in result.outcomes if outcome.failed}
    for line, row in sorted(failing_rows.items()):
        failures += [
            f"line {line} expected: {' '.join(row.cells)}",
            f"line {line} observed: {result.observed_cells(row)}",
        ]
    assert not failures, "\n".join(failures)


def test_every_url_pattern_has_its_access_decision_in_the_table(patterns: dict[str, Pattern]) -> None:
    rows = load_table()
    assert missing_rows(patterns.values(), rows) == []
    assert stale_rows(patterns.values(), rows) == []


def test_removing_a_row_from_the_table_leaves_its_pattern_undecided(patterns: dict[str, Pattern]) -> None:
    rows = load_table()
    removed = next(row for row in rows if row.pattern == "programmes:cadre_detail" and row.method == "GET")
    assert missing_rows(patterns.values(), [row for row in rows if row is not removed]) == [
        "programmes:cadre_detail GET"
    ]
    # And so for every row that is the only decision for its pattern and method.
    decisions = Counter((row.pattern, row.method) for row in rows)
    for row in rows:
        if decisions[row.pattern, row.method] == 1:
            remaining = [other for other in rows if other is not row]
            assert missing_rows(patterns.values(), remaining) == [f"{row.pattern} {row.method}"], row


def test_a_table_naming_a_pattern_the_resolver_lacks_is_reported() -> None:
    rows = parse_table("@rule everyone " + " ".join(["A"] * 14) + "\nprogrammes:no_such_page GET - - =everyone")
    assert stale_rows(resolver_patterns(), rows) == ["line 2: programmes:no_such_page"]


@pytest.mark.django_db
def test_the_portal_answers_every_persona_as_the_table_says(world, patterns, capsys, record_property) -> None:
    rows = [row for row in load_table() if not patterns[row.pattern].is_admin]
    _play(world, patterns, rows, capsys, record_property)


@pytest.mark.django_db
def test_the_admin_answers_every_persona_as_the_table_says(world, patterns, capsys, record_property) -> None:
    rows = [row for row in load_table() if patterns[row.pattern].is_admin]
    _play(world, patterns, rows, capsys, record_property)
