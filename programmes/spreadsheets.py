"""What every CSV and XLSX file the portal writes shares: cells a spreadsheet will not run as formulas.

A spreadsheet runs a text cell that begins with = + - @ (and, after a tab or a carriage return, whatever
follows) as a formula: "=HYPERLINK(...)" in a programme title or an import file's header would become a
live link, or worse, on the computer of whoever opens the export. Such text is written with a leading
apostrophe, which spreadsheets show as text. Numbers stay numbers, and so does a number written as text
(a decimal from the database, "-12.5"): nothing in it can run.
"""

import re
from collections.abc import Iterable
from typing import TypeVar

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
Value = TypeVar("Value")


def safe_cell(value: Value) -> Value | str:
    """The value to write into a CSV or XLSX cell: text that would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_row(values: Iterable[Value]) -> list[Value | str]:
    return [safe_cell(value) for value in values]


class Echo:
    """A file that hands back what is written, so that csv.writer yields a streamed response's lines one by one."""

    def write(self, value: str) -> str:
        return value
