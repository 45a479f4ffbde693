"""Writing an XLSX workbook of a list, one row at a time, in openpyxl's write-only mode (the rows are never all
held in memory), with cells a spreadsheet will not run as formulas (programmes.spreadsheets.safe_cell)."""

import datetime
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import IO, Any

from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from programmes.spreadsheets import safe_cell

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
# A sheet's name is at most 31 characters, without these.
_SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))
COLUMN_WIDTH = 22


class Sheet:
    """One sheet being written: a bold header row, then rows of values made safe."""

    def __init__(self, worksheet: WriteOnlyWorksheet) -> None:
        self.worksheet = worksheet

    def append(self, values: Sequence[Any]) -> None:
        self.worksheet.append([self._cell(value) for value in values])

    def _cell(self, value: Any) -> Any:
        if isinstance(value, Promise):
            value = str(value)
        if isinstance(value, datetime.datetime):
            # Spreadsheets know no time zones: the portal's local time, as the pages show it.
            return self._formatted(timezone.localtime(value).replace(tzinfo=None), DATETIME_FORMAT)
        if isinstance(value, datetime.date):
            return self._formatted(datetime.datetime.combine(value, datetime.time.min), DATE_FORMAT)
        if isinstance(value, Decimal):
            return float(value)
        return safe_cell(value)

    def _formatted(self, value: datetime.datetime, number_format: str) -> Cell:
        cell = WriteOnlyCell(self.worksheet, value=value)
        cell.number_format = number_format
        return cell


class Book:
    """A workbook of one or more sheets, and the progress of the list's rows written into it."""

    def __init__(self, on_progress: Callable[[int], None] | None = None) -> None:
        self.workbook = Workbook(write_only=True)
        self.written = 0
        self._on_progress = on_progress

    def sheet(self, title: str | Promise, headers: Sequence[str | Promise]) -> Sheet:
        worksheet = self.workbook.create_sheet(title=str(title).translate(_SHEET_NAME_FORBIDDEN)[:31])
        for number in range(1, len(headers) + 1):
            worksheet.column_dimensions[get_column_letter(number)].width = COLUMN_WIDTH
        # The header row stays in view while the rows scroll.
        worksheet.freeze_panes = "A2"
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(worksheet, value=safe_cell(str(header)))
            cell.font = Font(bold=True)
            header_cells.append(cell)
        worksheet.append(header_cells)
        return Sheet(worksheet)

    def advance(self, rows: int) -> None:
        """`rows` more of the list's rows are written."""
        self.written += rows
        if self._on_progress is not None:
            self._on_progress(self.written)

    def save(self, target: str | IO[bytes]) -> None:
        self.workbook.save(target)
