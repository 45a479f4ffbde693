"""Playing the table: one request per cell, as the persona, inside a savepoint rolled back afterwards, classified.

Classification: 403, 404 and 405 are refusals, and so is a redirect to a login page (or, for an object of the
admin, to the admin's index, which is how the admin says "no such object here"; any other request it sends to
its index is followed there once). Any other answer reached the view: a page (200, or 400 for a form shown
again with its errors), a file, or a redirect. For a POST, a redirect that changed nothing is neither (it
matches either expectation), and a change counts as allowed whatever the status: a refused persona must never
leave a trace (an audit event other than a refusal, an admin log entry, a history row, or a change to the
object's row). A POST with a named body probes a rule, so it is allowed when, and only when, it took effect: a
form shown again with an error, nothing saved, is a refusal. On pages that list within a scope, the object is
shown only if its marker appears: an answer without it is a refusal.
"""

import copy
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.admin.helpers import AdminForm
from django.contrib.admin.models import LogEntry
from django.db import connection, transaction
from django.db.models import Q
from django.forms import BaseForm, BaseFormSet
from django.http import HttpResponseBase
from django.test import Client
from django.urls import reverse
from django.utils import translation

from programmes.models import AuditEvent
from tests.access_matrix.bodies import BODIES
from tests.access_matrix.table import Pattern, Row, expand, fill_route
from tests.access_matrix.world import NO_RELATION, PERSONAS, Target, World

ALLOWED, DENIED, NO_EFFECT, ERROR = "A", "D", "N", "E"
# The admin sends a request it does not serve to its index, which then decides: followed once.
FOLLOW = "F"
LOGIN_PATHS = ("/dang-nhap/", "/quan-tri/login/")
ADMIN_INDEX = "/quan-tri/"
# Events that put a refusal on the record (grant.refused, admin.history_refused): they follow a refused request.
HARMLESS_EVENTS = Q(action__endswith="refused")


@dataclass(frozen=True)
class Outcome:
    row: Row
    persona: str
    relation: str
    expected: str
    observed: str
    status: int
    url: str
    detail: str = ""

    @property
    def wrongful_grant(self) -> bool:
        return self.expected == "D" and self.observed == ALLOWED

    @property
    def wrongful_refusal(self) -> bool:
        return self.expected == "A" and self.observed == DENIED

    @property
    def known_bug_still_there(self) -> bool:
        """A cell marked a (or d) that is not yet allowed (denied): a wrong answer or a server error."""
        return self.expected in ("a", "d") and not _matches(self.expected.upper(), self.observed)

    @property
    def known_bug_fixed(self) -> bool:
        return self.expected in ("a", "d") and _matches(self.expected.upper(), self.observed)

    @property
    def failed(self) -> bool:
        return self.error or self.wrongful_grant or self.wrongful_refusal or self.known_bug_fixed

    @property
    def error(self) -> bool:
        return self.observed == ERROR and self.expected not in ("a", "d")

    def __str__(self) -> str:
        where = f"{self.row.pattern} {self.row.method} [{self.row.target}"
        where += f" {self.relation}]" if self.relation != NO_RELATION else "]"
        if self.row.body != "-":
            where += f" body={self.row.body}"
        return f"{where} as {self.persona}: {self.status} {self.url} {self.detail}".rstrip()


@dataclass
class Result:
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    row_seconds: dict[int, float] = field(default_factory=dict)

    def matching(self, test: Callable[[Outcome], bool]) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if test(outcome)]

    def observed_cells(self, row: Row) -> str:
        """The row as observed, in the table's notation (N: redirected without effect, E: error)."""
        cells: dict[str, str] = {}
        for outcome in self.outcomes:
            if outcome.row is row:
                letter = outcome.observed
                if outcome.relation == NO_RELATION:
                    cells[outcome.persona] = letter
                else:
                    current = cells.get(outcome.persona, "----")
                    index = ("own", "cell", "other", "ward").index(outcome.relation)
                    cells[outcome.persona] = current[:index] + letter + current[index + 1 :]
        return " ".join(cells.get(persona, "?") for persona in PERSONAS)

    def summary(self) -> str:
        observed = Counter(outcome.observed for outcome in self.outcomes)
        return (
            f"{len(self.outcomes)} cells in {self.seconds:.0f} s (allowed {observed[ALLOWED]}, "
            f"denied {observed[DENIED]}, redirected without effect {observed[NO_EFFECT]}, "
            f"server errors {observed[ERROR]}); "
            f"wrongful grants {len(self.matching(lambda o: o.wrongful_grant))}, "
            f"wrongful refusals {len(self.matching(lambda o: o.wrongful_refusal))}, "
            f"known bugs still there {len(self.matching(lambda o: o.known_bug_still_there))}, "
            f"known bugs fixed {len(self.matching(lambda o: o.known_bug_fixed))}"
        )


def _writes() -> int | None:
    """Rows written so far on this connection, where the database counts them (SQLite)."""
    raw = connection.connection
    return raw.total_changes if connection.vendor == "sqlite" and raw is not None else None


def _matches(expected: str, observed: str) -> bool:
    return observed in (expected, NO_EFFECT)


def _history_models() -> list[Any]:
    return [model for model in apps.get_models() if model.__name__.startswith("Historical")]


def outer_test_block() -> transaction.Atomic:
    """A block that stands for a test's own transaction (the world's, and each played request's, both rolled back
    after): a service that must be the outermost transaction (atomic(durable=True)) runs inside it as in a test."""
    block = transaction.atomic()
    block._from_testcase = True  # type: ignore[attr-defined]  # Django's own flag for TestCase's blocks
    return block


class Player:
    """One signed-in client per persona, reused for every cell; cookies put back after each request."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.clients: dict[str, Client] = {}
        self.cookies: dict[str, Any] = {}
        for persona, user in world.users.items():
            client = Client(raise_request_exception=False)
            if user is not None:
                client.force_login(user)
            self.clients[persona] = client
            self.cookies[persona] = copy.deepcopy(client.cookies)
        self.history_models = _history_models()
        # Every request is rolled back, so before each one the database is the world as built: what a POST
        # must leave unchanged is read once.
        self.baseline = self.records()
        self.watched: dict[tuple[str, Any], list[dict[str, Any]]] = {}

    def records(self) -> tuple[Any, ...]:
        """The audit log (but refusals and reads), the admin's log, and every row's history."""
        return (
            AuditEvent.objects.exclude(HARMLESS_EVENTS).count(),
            LogEntry.objects.count(),
            tuple(model.objects.count() for model in self.history_models),
        )

    def row_of(self, target: Target) -> list[dict[str, Any]]:
        if target.watch is None:
            return []
        model = type(target.watch)
        return list(model._default_manager.filter(pk=target.watch.pk).values())

    def watched_row(self, target: Target) -> list[dict[str, Any]]:
        if target.watch is None:
            return []
        key = (target.watch._meta.label, target.watch.pk)
        if key not in self.watched:
            self.watched[key] = self.row_of(target)
        return self.watched[key]

    def changed(self, target: Target, writes_before: int | None) -> bool:
        """Did the request leave a trace? SQLite counts the rows each statement wrote: none, nothing changed."""
        if writes_before is not None and _writes() == writes_before:
            return False
        return self.records() != self.baseline or self.row_of(target) != self.watched_row(target)

    def url(self, pattern: Pattern, target: Target) -> str:
        kwargs = {name: value for name, value in target.kwargs.items() if name in pattern.parameters}
        args = target.args if pattern.positional else ()
        with translation.override("vi"):
            if pattern.name is not None:
                path = reverse(pattern.name, args=args, kwargs=kwargs)
            else:
                path = fill_route(pattern.route, kwargs)
        return f"{path}?{target.query}" if target.query else path

    def play(self, pattern: Pattern, row: Row, persona: str, relation: str, expected: str) -> Outcome:
        target = self.target(row, relation)
        url = self.url(pattern, target)
        client = self.clients[persona]
        client.cookies = copy.deepcopy(self.cookies[persona])
        body: dict[str, Any] = {}
        if row.body != "-":
            body = BODIES[row.body](self.world, persona, relation, target)
        if row.method == "POST":
            self.watched_row(target)
        with outer_test_block():
            writes = _writes()
            response = client.get(url) if row.method == "GET" else client.post(url, body)
            changed = row.method == "POST" and self.changed(target, writes)
            observed, detail = classify(response, row, target, changed)
            if observed == FOLLOW:
                followed = client.get(ADMIN_INDEX)
                observed, _detail = classify(followed, row, Target(), changed=False, method="GET")
                detail = f"-> {ADMIN_INDEX} -> {followed.status_code}"
                followed.close()
            transaction.set_rollback(True)
        response.close()
        return Outcome(row, persona, relation, expected, observed, response.status_code, url, detail)

    def target(self, row: Row, relation: str) -> Target:
        if row.target == "-":
            return Target()
        return self.world.targets[row.target][relation]

    def relations(self, row: Row) -> list[str]:
        if row.target == "-":
            return [NO_RELATION]
        if row.target not in self.world.targets:
            raise KeyError(f"line {row.line}: the world has no object of kind {row.target!r}")
        present = self.world.targets[row.target]
        return (
            [NO_RELATION] if NO_RELATION in present else [r for r in ("own", "cell", "other", "ward") if r in present]
        )

    def play_all(self, patterns: dict[str, Pattern], rows: Iterable[Row]) -> Result:
        result = Result()
        started = time.perf_counter()
        # Every row is checked against the world before any request: a bad table fails at once.
        cells = [(row, list(expand(row, self.relations(row)))) for row in rows]
        for row, expanded in cells:
            row_started = time.perf_counter()
            for persona, relation, expected in expanded:
                result.outcomes.append(self.play(patterns[row.pattern], row, persona, relation, expected))
            result.row_seconds[row.line] = time.perf_counter() - row_started
        result.seconds = time.perf_counter() - started
        return result


def _content(response: HttpResponseBase) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")  # type: ignore[attr-defined]
    return response.content.decode(errors="replace")  # type: ignore[attr-defined]


def _shows_form_errors(response: HttpResponseBase) -> bool:
    """Was a bound form (or an admin form, or a formset) shown again with errors?"""
    contexts = getattr(response, "context", None)
    if contexts is None:
        return False
    for context in contexts if isinstance(contexts, list) else [contexts]:
        for value in context.flatten().values():
            if isinstance(value, AdminForm):
                value = value.form
            if isinstance(value, BaseForm) and value.is_bound and value.errors:
                return True
            if isinstance(value, BaseFormSet) and value.is_bound and (value.non_form_errors() or any(value.errors)):
                return True
    return False


def classify(
    response: HttpResponseBase, row: Row, target: Target, changed: bool, method: str | None = None
) -> tuple[str, str]:
    method = method or row.method
    status = response.status_code
    if changed:
        return ALLOWED, "changed"
    if status >= 500:
        return ERROR, "server error"
    if method == "POST" and row.body != "-":
        # A probe is an attempt to change something: it is allowed when, and only when, it took effect.
        return DENIED, "no effect" + (" (form refused)" if _shows_form_errors(response) else "")
    if status in (403, 404, 405):
        return DENIED, ""
    if 300 <= status < 400:
        location = response.get("Location", "")
        if location.startswith(LOGIN_PATHS):
            return DENIED, f"-> {location}"
        if location.split("?")[0] == ADMIN_INDEX:
            # For an object, the admin's way of saying it is not there (for this user); else the index decides.
            return (DENIED, f"-> {location}") if target.args or "object_id" in target.kwargs else (FOLLOW, "")
        if method == "POST":
            return NO_EFFECT, f"-> {location}"
        return ALLOWED, f"-> {location}"
    if target.marker and target.marker not in _content(response):
        return DENIED, "not shown"
    return ALLOWED, ""
