"""The first sheet of an XLSX file, read in one streaming pass with the values openpyxl gives (read-only, data only).

openpyxl builds an ElementTree element and a cell object for every cell: reading a roster of 50,000 rows took it
about 11 of the import's 14 seconds. Here the sheet's XML part, and the shared strings', are streamed once from the
zip, a megabyte at a time:

- expat reads what surrounds the rows (up to the start of sheetData and one row further, then from the end of
  sheetData to the end of the part), so that a part which is not well-formed there, or carries a document type, is
  refused as before, and the limits' PartScan checks what it always checked (the declared area, the elements around
  the data);
- the rows are cut out of the bytes, and each is read by this module alone: by one regular expression when written
  the plain way every spreadsheet program writes them (cells with r, s and t attributes, a <v> value or an inline
  <is><t> string, perhaps a formula, whose cached value is taken), once searched for the characters XML refuses; by
  a pattern learnt from the first row of its shape (its cells, styles and types) when it has the shape of one of the
  last few; by ElementTree, parsed alone, when it is written any other way (rich text, other attributes, namespace
  prefixes, comments). Shared strings the same way. Each row is checked against the import limits (row number,
  columns, cells, bytes) before its values are kept.

Memory holds the shared strings (once) and a window of about a megabyte of the sheet. The values follow openpyxl's
rules to the letter (see `rows.Values`): numbers as int or float, a number in a cell whose style has a date format as a
datetime (time, timedelta) in the workbook's 1900 or 1904 date system, booleans, shared and inline strings, rows
missing from the sheet as empty rows, a row as wide as its last cell.
"""

from collections.abc import Iterator

from openpyxl.utils.exceptions import CellCoordinatesException

from ..limits import ImportLimits, UnreadableFile, xlsx_unreadable
from ..limits.xlsx_files import ZIP_ERRORS, open_xlsx, scan_parts
from .package import locate, read_shared_strings
from .rows import SheetRows, Values

# What a damaged part raises as it is read (ET.ParseError is a SyntaxError; a char reference past Unicode an
# OverflowError).
READ_ERRORS = (*ZIP_ERRORS, ValueError, LookupError, SyntaxError, OverflowError, CellCoordinatesException)


def first_sheet_rows(data: bytes, limits: ImportLimits) -> Iterator[list[object]]:
    """The rows of the XLSX file's first worksheet, as openpyxl (read-only, data only) gives them, from row 1.

    The file is refused (FileTooLarge, UnreadableFile) as soon as it passes a limit or cannot be read: its zip
    directory and sizes before anything, its other parts before the sheet, the sheet's rows as they come.
    """
    try:
        with open_xlsx(data, limits) as archive:
            package = locate(archive, limits)
            streamed = {part for part in (package.sheet, package.strings) if part is not None}
            scan_parts(archive, limits, thorough=True, skip=streamed | package.read)
            if package.sheet is None:
                raise xlsx_unreadable()
            strings: list[str] = []
            if package.strings is not None:
                strings = read_shared_strings(archive, package.strings, limits)
            yield from SheetRows(archive, package.sheet, Values(package, strings), limits)
    except UnreadableFile:
        raise
    except READ_ERRORS as error:
        raise xlsx_unreadable() from error
