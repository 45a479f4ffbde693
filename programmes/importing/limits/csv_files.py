"""The bounds of a CSV file: read as a stream of lines, it stops at the first limit passed (a line too long, too
many rows, columns or cells) and says which."""

import csv
import io
import itertools
from collections.abc import Iterator

from django.utils.translation import gettext as _

from .bounds import FileTooLarge, ImportLimits, UnreadableFile, number, too_many_cells, too_many_columns, too_many_rows

# Longest CSV line; the csv module also refuses a single field longer than 131,072 characters.
MAX_CSV_LINE_CHARACTERS = 1_000_000


def _lines(stream: io.TextIOWrapper) -> Iterator[str]:
    number_of_line = 0
    while line := stream.readline(MAX_CSV_LINE_CHARACTERS + 1):
        number_of_line += 1
        if len(line) > MAX_CSV_LINE_CHARACTERS:
            raise FileTooLarge(
                _("Dòng %(row)s của tệp CSV dài hơn %(limit)s ký tự.")
                % {"row": number(number_of_line), "limit": number(MAX_CSV_LINE_CHARACTERS)}
            )
        yield line


def csv_records(data: bytes, limits: ImportLimits) -> Iterator[list[str]]:
    """The records of a UTF-8 CSV file (comma, semicolon or tab separated), stopping at the first limit passed."""
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    cells = 0
    record = 0
    try:
        lines = _lines(stream)
        first = next(lines, "")
        # Spreadsheets set to a European or Vietnamese locale save CSV with semicolons.
        delimiter = max((",", ";", "\t"), key=first.count)
        # A spreadsheet row is one CSV record even when a cell holds a line break.
        for record, values in enumerate(csv.reader(itertools.chain([first], lines), delimiter=delimiter), start=1):
            if record > limits.last_row:
                raise too_many_rows(record, limits)
            if len(values) > limits.max_columns:
                raise too_many_columns(record, len(values), limits)
            cells += len(values)
            if cells > limits.max_cells:
                raise too_many_cells(limits)
            yield values
    except UnicodeDecodeError as error:
        raise UnreadableFile(_("Tệp CSV phải được lưu với bảng mã UTF-8.")) from error
    except csv.Error as error:
        raise UnreadableFile(
            _("Không đọc được tệp CSV ở dòng %(row)s: %(error)s") % {"row": number(record + 1), "error": error}
        ) from error
