"""The expectation table (expectations.txt beside this file) and the URL patterns it must cover.

A row names a URL pattern, a method, the kind of object the pattern is filled with, the body of a POST, and one
cell per persona. A cell is one letter for every relation of the object, or four letters for the relations
own, cell, other, ward (see world.py): A allowed, D denied, "-" no such object, and for a known bug being fixed
the lower-case letter of what the cell must become (a, d), which the test expects to fail until the fix lands.
A row may name a rule (=name) defined by an "@rule" line instead of writing its cells. Every pattern of the URL
resolver needs a GET row and a POST row.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

from tests.access_matrix.world import NO_RELATION, PERSONAS, RELATIONS

TABLE_PATH = Path(__file__).with_name("expectations.txt")
METHODS = ("GET", "POST")
LETTERS = frozenset("ADad-")
KNOWN_BUG = "KNOWN BUG"


@dataclass(frozen=True)
class Pattern:
    """One URL pattern of the resolver: its key in the table (the namespaced name, or the route when unnamed)."""

    key: str
    name: str | None
    route: str

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("quan-tri/")

    @property
    def parameters(self) -> frozenset[str]:
        """The names the route takes (a target may carry more, for the body of a POST)."""
        return frozenset(next(name for name in match if name) for match in ROUTE_PARAMETER.findall(self.route))

    @property
    def positional(self) -> bool:
        return "([^/]+)" in self.route


@dataclass(frozen=True)
class Row:
    pattern: str
    method: str
    target: str
    body: str
    cells: tuple[str, ...]
    note: str
    line: int

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.pattern, self.method, self.target, self.body)


def _walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[Pattern]:
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            yield from _walk(entry, route, inner or "")
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield Pattern(key=name or route, name=name, route=route)


def resolver_patterns() -> list[Pattern]:
    """Every URL pattern, through every include (the language prefix of the default language is empty)."""
    return list(_walk(get_resolver(), "", ""))


class TableError(ValueError):
    pass


def _expand_rule(cells: list[str], rules: dict[str, tuple[str, ...]], line: int) -> tuple[str, ...]:
    if len(cells) == 1 and cells[0].startswith("="):
        name = cells[0][1:]
        if name not in rules:
            raise TableError(f"line {line}: no rule named {name!r}")
        return rules[name]
    if len(cells) != len(PERSONAS):
        raise TableError(f"line {line}: {len(cells)} cells for {len(PERSONAS)} personas")
    for cell in cells:
        if len(cell) not in (1, len(RELATIONS)) or not set(cell) <= LETTERS:
            raise TableError(f"line {line}: bad cell {cell!r}")
    return tuple(cells)


def parse_table(text: str) -> list[Row]:
    rules: dict[str, tuple[str, ...]] = {}
    rows: list[Row] = []
    seen: set[tuple[str, str, str, str]] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        content, _hash, note = raw.partition(" # ")
        content = content.strip()
        if not content or content.startswith("#"):
            continue
        fields = content.split()
        if fields[0] == "@rule":
            rules[fields[1]] = _expand_rule(fields[2:], rules, number)
            continue
        if len(fields) < 5:
            raise TableError(f"line {number}: a row is: pattern method target body cells…")
        pattern, method, target, body, *cells = fields
        if method not in METHODS:
            raise TableError(f"line {number}: method {method!r}")
        row = Row(pattern, method, target, body, _expand_rule(cells, rules, number), note.strip(), number)
        if any(letter in cell for cell in row.cells for letter in "ad") and not row.note.startswith(KNOWN_BUG):
            raise TableError(f"line {number}: a known-bug cell needs a note starting with {KNOWN_BUG!r}")
        if row.key in seen:
            raise TableError(f"line {number}: a second row for {row.key}")
        seen.add(row.key)
        rows.append(row)
    return rows


def load_table() -> list[Row]:
    return parse_table(TABLE_PATH.read_text(encoding="utf-8"))


def missing_rows(patterns: Iterable[Pattern], rows: Iterable[Row]) -> list[str]:
    """ "pattern METHOD" for every pattern and method the table has no row for: its access was never decided."""
    covered = {(row.pattern, row.method) for row in rows}
    return [
        f"{pattern.key} {method}" for pattern in patterns for method in METHODS if (pattern.key, method) not in covered
    ]


def stale_rows(patterns: Iterable[Pattern], rows: Iterable[Row]) -> list[str]:
    """Rows for patterns the resolver no longer has."""
    keys = {pattern.key for pattern in patterns}
    return [f"line {row.line}: {row.pattern}" for row in rows if row.pattern not in keys]


def expand(row: Row, relations: Iterable[str]) -> Iterator[tuple[str, str, str]]:
    """(persona, relation, expected letter) for every cell of the row, given the relations its object has."""
    relations = list(relations)
    for persona, cell in zip(PERSONAS, row.cells, strict=True):
        if relations == [NO_RELATION]:
            if len(cell) != 1 or cell == "-":
                raise TableError(f"line {row.line}: {row.target} has no relations; {persona} needs one letter")
            yield persona, NO_RELATION, cell
            continue
        if len(cell) == 1:
            for relation in relations:
                yield persona, relation, cell
            continue
        for relation, letter in zip(RELATIONS, cell, strict=True):
            if (letter == "-") != (relation not in relations):
                raise TableError(f"line {row.line}: {persona}'s cell {cell!r} against the relations {relations}")
            if letter != "-":
                yield persona, relation, letter


ROUTE_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def fill_route(route: str, values: dict[str, object]) -> str:
    """The path of an unnamed pattern (it cannot be reversed), from its route and the target's values."""

    def value(match: re.Match[str]) -> str:
        return str(values[match.group(1) or match.group(2)])

    return "/" + ROUTE_PARAMETER.sub(value, route).replace("^", "").replace("$", "")
