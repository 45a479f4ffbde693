"""What every import kind shares: reading a CSV or XLSX sheet, parsing cells, collecting errors, checking scope."""

import datetime
import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar, cast

from django.contrib.auth.models import User
from django.core.validators import validate_email
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

from programmes import access
from programmes.access import Action
from programmes.models import PartyOrganisation
from programmes.text import fold, normalise

from .limits import HEADER_ROW, ImportLimits, UnreadableFile, csv_records, read_bounded
from .xlsx import first_sheet_rows

# A file's own header is its first row (HEADER_ROW), so the first data row the user sees is row 2.
CellValue = str | int | float | datetime.date | datetime.datetime | None
# What an importer makes of one row of its file.
ParsedRow = TypeVar("ParsedRow")


@dataclass(frozen=True)
class Column:
    header: str
    description: StrOrPromise
    example: str = ""
    required: bool = False
    # A column added to the template later: files made before it may leave it out, and read as blank.
    may_be_absent: bool = False


@dataclass(frozen=True)
class ImportIssue:
    """One problem, where the user will find it: sheet row number and column header."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[ImportIssue] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass(frozen=True)
class SourceRow:
    number: int
    values: dict[str, CellValue]


@dataclass
class Table:
    headers: list[str]
    rows: list[SourceRow]


def _normalise_header(value: CellValue) -> str:
    return normalise(str(value)).lower() if value is not None else ""


def _is_blank(values: Iterable[CellValue]) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


def _table(header: list[CellValue], records: Iterable[tuple[int, list[CellValue]]]) -> Table:
    headers = [_normalise_header(value) for value in header]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    every_column_named = all(headers)
    rows = []
    for number, values in records:
        if _is_blank(values):
            continue
        padded = values + [None] * (width - len(values)) if len(values) < width else values
        if every_column_named:
            # The usual file, and the quick way (a roster has tens of thousands of rows). Cells right of the last
            # header are not read.
            rows.append(SourceRow(number, dict(zip(headers, padded, strict=False))))
        else:
            rows.append(SourceRow(number, {name: padded[i] for i, name in enumerate(headers) if name}))
    return Table(headers=[name for name in headers if name], rows=rows)


def _read_csv(data: bytes, limits: ImportLimits) -> Table:
    # Counted first, keeping nothing (a tenth of a second for 100,000 rows), so that a file over the limits is
    # refused before its rows fill memory.
    for _values in csv_records(data, limits):
        pass
    records = csv_records(data, limits)
    header = next(records, None)
    if header is None:
        raise UnreadableFile(_("Tệp không có dòng tiêu đề."))
    return _table(list(header), ((HEADER_ROW + i, list(values)) for i, values in enumerate(records, start=1)))


def _cell(value: object) -> CellValue:
    """A spreadsheet cell as text, number or date; anything else (times, rich text, booleans) as its text."""
    if value is None or (isinstance(value, str | int | float | datetime.date) and not isinstance(value, bool)):
        return value
    return str(value)


# The types of the cells _cell keeps as they are (bool, time and timedelta become text).
KEPT_CELL_TYPES = frozenset({str, int, float, datetime.date, datetime.datetime, type(None)})


def _cells(values: list[object]) -> list[CellValue]:
    """_cell of each value, without a call per cell for the usual row, whose cells all keep their values."""
    if KEPT_CELL_TYPES.issuperset(map(type, values)):
        return cast(list[CellValue], values)
    return [_cell(value) for value in values]


def _read_xlsx(data: bytes, limits: ImportLimits) -> Table:
    """The first sheet, every row of it (not only the area the sheet declares, which some writers leave short),
    each row checked against the limits as it is read."""
    rows = first_sheet_rows(data, limits)
    header = next(rows, None)
    if header is None:
        raise UnreadableFile(_("Tệp không có dòng tiêu đề."))
    body = ((HEADER_ROW + i, _cells(values)) for i, values in enumerate(rows, start=1))
    return _table(_cells(header), body)


def read_table(source: Path | IO[bytes], name: str) -> Table:
    """The first sheet (XLSX) or the file (CSV): header on row 1, blank rows skipped.

    A file over the import limits (settings.IMPORT_MAX_*) is refused with FileTooLarge before it is parsed.
    """
    limits = ImportLimits.from_settings()
    suffix = Path(name).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise UnreadableFile(_("Chỉ nhận tệp .csv hoặc .xlsx."))
    data = read_bounded(source, limits)
    if suffix == ".xlsx":
        return _read_xlsx(data, limits)
    return _read_csv(data, limits)


def check_headers(table: Table, columns: Iterable[Column]) -> list[ImportIssue]:
    """Missing and unknown columns, each reported once on row 1."""
    columns = list(columns)
    expected = [column.header for column in columns]
    absent_allowed = {column.header for column in columns if column.may_be_absent}
    issues = [
        ImportIssue(
            HEADER_ROW, header, _("Thiếu cột “%(column)s”. Dòng 1 phải có đủ các cột của mẫu.") % {"column": header}
        )
        for header in expected
        if header not in table.headers and header not in absent_allowed
    ]
    issues += [
        ImportIssue(
            HEADER_ROW,
            header,
            _("Cột “%(column)s” không có trong mẫu. Các cột hợp lệ: %(expected)s.")
            % {"column": header, "expected": ", ".join(expected)},
        )
        for header in table.headers
        if header not in expected
    ]
    seen: set[str] = set()
    for header in table.headers:
        if header in seen:
            issues.append(ImportIssue(HEADER_ROW, header, _("Cột “%(column)s” bị lặp lại.") % {"column": header}))
        seen.add(header)
    return issues


YES = frozenset({"co", "x", "1", "yes", "true", "c"})
NO = frozenset({"khong", "0", "no", "false", "k", ""})
CITIZEN_ID = re.compile(r"^[0-9]{12}$")


@dataclass(frozen=True)
class ChoiceLookup:
    """Accepted spellings of each value, folded (the value, its Vietnamese label, aliases), and how to list them."""

    values: dict[str, str]
    allowed: str


def choice_lookup(choices: type[models.TextChoices], aliases: dict[str, str] | None = None) -> ChoiceLookup:
    values: dict[str, str] = {}
    shown: list[str] = []
    with translation.override("vi"):
        for value, label in zip(choices.values, choices.labels, strict=True):
            values[fold(value.replace("_", " "))] = value
            values[fold(str(label))] = value
            shown.append(f"{label} ({value})")
    for alias, value in (aliases or {}).items():
        values[fold(alias.replace("_", " "))] = value
    return ChoiceLookup(values, "; ".join(shown))


DAY_FIRST = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
YEAR_FIRST = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")


def _plain_date(text: str) -> datetime.date | None:
    """The usual spellings of a date read without `strptime`, which costs most of the parsing of a big roster;
    None for anything else, which `strptime` then reads or refuses."""
    if match := DAY_FIRST.fullmatch(text):
        day, month, year = match.groups()
    elif match := YEAR_FIRST.fullmatch(text):
        year, month, day = match.groups()
    else:
        return None
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None


@functools.lru_cache(maxsize=1024)
def _choice_key(text: str) -> str:
    """A cell of a choice column folded for looking up; the same few spellings fill a whole column."""
    return fold(text.replace("_", " "))


def _as_text(value: CellValue) -> str:
    """A number or a date cell as the text it stands for: 12.0 as "12", a date as yyyy-mm-dd."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


def email_is_valid(address: str) -> bool:
    """What Django's validate_email decides, the verdict on each domain kept: a roster's 50,000 addresses share a
    few domains, and the domain's pattern is most of the validator's time."""
    if not address or "@" not in address or len(address) > 320:
        return False
    user, domain = address.rsplit("@", 1)
    return _email_user_is_valid(user) and _email_domain_is_valid(domain)


def _email_user_is_valid(user: str) -> bool:
    return _email_user_pattern().match(user) is not None


@functools.cache
def _email_user_pattern() -> re.Pattern[str]:
    # Django's pattern, compiled once more: Django's own is a lazy object, slow to go through for every row.
    lazy = validate_email.user_regex
    return re.compile(lazy.pattern, lazy.flags)


@functools.lru_cache(maxsize=1024)
def _email_domain_is_valid(domain: str) -> bool:
    return domain in validate_email.domain_allowlist or bool(validate_email.validate_domain_part(domain))


class RowReader:
    """Parses one row's cells, recording every problem instead of stopping at the first."""

    def __init__(self, row: SourceRow, issues: list[ImportIssue]) -> None:
        self.row = row
        self.issues = issues

    def error(self, column: str, message: str) -> None:
        self.issues.append(ImportIssue(self.row.number, column, message))

    def raw(self, column: str) -> CellValue:
        return self.row.values.get(column)

    def text(self, column: str, *, required: bool = False, max_length: int = 255) -> str:
        value = self.row.values.get(column)
        # Most cells are text: read them first (this runs for every cell of every row).
        if value.__class__ is str:
            # ASCII is already NFC (codes, numbers, addresses): only the spaces to strip.
            text = value.strip() if value.isascii() else normalise(value)
        elif value is None:
            text = ""
        else:
            text = normalise(_as_text(value))
        if required and not text:
            self.error(column, _("Cột “%(column)s” không được để trống.") % {"column": column})
        elif len(text) > max_length:
            self.error(column, _("Dài quá %(max)d ký tự.") % {"max": max_length})
            return text[:max_length]
        return text

    def date(self, column: str, *, required: bool = False) -> datetime.date | None:
        value = self.raw(column)
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = self.text(column, required=required)
        if not text:
            return None
        parsed = _plain_date(text)
        if parsed is not None:
            return parsed
        for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                return datetime.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        self.error(
            column,
            _("Ngày “%(value)s” không hợp lệ. Nhập theo dạng dd/mm/yyyy (ví dụ 01/07/2025) hoặc yyyy-mm-dd.")
            % {"value": text},
        )
        return None

    def choice(self, column: str, lookup: ChoiceLookup, *, required: bool = False, default: str = "") -> str:
        text = self.text(column, required=required)
        if not text:
            return default
        value = lookup.values.get(_choice_key(text))
        if value is None:
            self.error(
                column,
                _("Giá trị “%(value)s” không hợp lệ. Chọn một trong: %(allowed)s.")
                % {"value": text, "allowed": lookup.allowed},
            )
            return default
        return value

    def flag(self, column: str) -> bool:
        text = fold(self.text(column))
        if text in YES:
            return True
        if text not in NO:
            self.error(column, _("Giá trị “%(value)s” không hợp lệ. Nhập “có” hoặc “không”.") % {"value": text})
        return False

    def citizen_id(self, column: str) -> str:
        value = self.raw(column)
        text = self.text(column)
        if text and not CITIZEN_ID.match(text):
            hint = (
                _(" Trong Excel, hãy định dạng ô là văn bản để giữ số 0 ở đầu.")
                if isinstance(value, int | float)
                else ""
            )
            self.error(column, _("Số CCCD “%(value)s” phải gồm đúng 12 chữ số.") % {"value": text} + hint)
            return ""
        return text

    def email(self, column: str) -> str:
        text = self.text(column, max_length=254)
        if text and not email_is_valid(text):
            self.error(column, _("Địa chỉ thư điện tử “%(value)s” không hợp lệ.") % {"value": text})
            return ""
        return text

    def period(
        self, start_column: str, end_column: str, *, start_required: bool = False
    ) -> tuple[datetime.date | None, datetime.date | None]:
        """The dates in the two columns, the end refused when it comes before the start."""
        start = self.date(start_column, required=start_required)
        end = self.date(end_column)
        if start is not None and end is not None and end < start:
            self.error(
                end_column,
                _("Ngày ở cột “%(end)s” (%(end_value)s) trước ngày ở cột “%(start)s” (%(start_value)s).")
                % {
                    "end": end_column,
                    "start": start_column,
                    "end_value": end.strftime("%d/%m/%Y"),
                    "start_value": start.strftime("%d/%m/%Y"),
                },
            )
        return start, end


def parse_table(table: Table, parse_row: Callable[[RowReader], ParsedRow]) -> tuple[list[ParsedRow], list[ImportIssue]]:
    """Every row of `table` as `parse_row` reads it, and every problem it found in any row."""
    issues: list[ImportIssue] = []
    return [parse_row(RowReader(source, issues)) for source in table.rows], issues


class ScopeCheck:
    """Where an import may write: inside `scope` (when given) and where the user may import.

    `user` None is the system itself (management commands), which may write anywhere.
    """

    def __init__(self, user: User | None, scope: PartyOrganisation | None) -> None:
        self.user = user
        self.scope = scope

    def allows(self, organisation: PartyOrganisation) -> bool:
        if self.scope is not None and not self.scope.contains(organisation):
            return False
        return self.user is None or access.can(self.user, Action.IMPORT_ROSTER, organisation)

    def allows_new_root(self) -> bool:
        if self.scope is not None:
            return False
        return self.user is None or access.acts_on_whole_tree(self.user)

    def refusal(self, organisation: PartyOrganisation) -> str:
        return _("“%(code)s – %(name)s” nằm ngoài phạm vi đồng chí được nhập dữ liệu.") % {
            "code": organisation.code,
            "name": organisation.name,
        }


def assign_changed(obj: object, values: Mapping[str, object]) -> bool:
    """Set on `obj` the values that differ from its own; True when anything changed (so that an upsert saves, and
    counts as an update, only rows that really changed)."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def in_chunks(values: Iterable[Any], size: int = 2000) -> Iterable[list[Any]]:
    """Split long `__in` lists: SQLite limits the number of parameters in one query."""
    chunk: list[Any] = []
    for value in values:
        chunk.append(value)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
