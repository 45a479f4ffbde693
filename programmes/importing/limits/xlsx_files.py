"""The bounds of an XLSX file, checked before anything parses it: the zip's directory, read from the end of the file
(the number of parts, the size of each once decompressed, how strongly each large part is compressed), then every
XML part streamed through expat without keeping anything (a sheet's declared area, its rows, columns, cells and the
bytes of each row; the shared strings' count and size; the elements of every other part). `thorough` False checks
only what the file declares (at upload); True counts everything (before the import).

The import's reader (programmes.importing.xlsx) streams the first sheet and the shared strings itself and
checks their rows, cells and strings as it reads them, with the same limits; `PartScan` checks the rest of those
two parts (the elements around the rows, the declared area and counts, a document type) as they stream past.
"""

import io
import struct
import zipfile
import zlib
from collections.abc import Collection
from typing import IO, Any
from xml.parsers import expat

from django.utils.translation import gettext as _
from openpyxl.utils.cell import column_index_from_string, range_boundaries
from openpyxl.xml.constants import SHEET_MAIN_NS

from .bounds import (
    MB,
    FileTooLarge,
    ImportLimits,
    UnreadableFile,
    megabytes,
    number,
    too_many_cells,
    too_many_columns,
    too_many_rows,
)

# A row of a roster is a few hundred bytes; a shared string at most Excel's 32,767 characters plus formatting.
MAX_ELEMENT_BYTES = 2 * MB
# Elements a reader of the whole part keeps in memory: styles, the workbook, a sheet's merged cells, links, formats.
MAX_OTHER_ELEMENTS = 100_000
# Spreadsheet XML compresses about tenfold; small parts (styles, themes) compress more and are harmless.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_FROM = MB
MAX_ZIP_PARTS = 1000
# The zip directory itself: zipfile reads all of it into memory when it opens the file.
MAX_DIRECTORY_BYTES = MB
CHUNK_BYTES = 64 * 1024

ROW = f"{SHEET_MAIN_NS} row"
CELL = f"{SHEET_MAIN_NS} c"
SHEET_DATA = f"{SHEET_MAIN_NS} sheetData"
DIMENSION = f"{SHEET_MAIN_NS} dimension"
WORKSHEET = f"{SHEET_MAIN_NS} worksheet"
SHARED_STRINGS = f"{SHEET_MAIN_NS} sst"
SHARED_STRING = f"{SHEET_MAIN_NS} si"


def xlsx_unreadable() -> UnreadableFile:
    return UnreadableFile(_("Không đọc được tệp Excel; hãy lưu lại dưới dạng .xlsx."))


# --- Refusals -------------------------------------------------------------------------------------------------


def _declared_too_large(ref: str, rows: int, columns: int, limits: ImportLimits) -> FileTooLarge:
    return FileTooLarge(
        _(
            "Trang tính khai báo vùng dữ liệu %(ref)s (%(rows)s dòng, %(columns)s cột), vượt giới hạn cho một lần "
            "nhập: %(max_rows)s dòng dữ liệu và %(max_columns)s cột. Hãy xóa các dòng, cột thừa rồi lưu lại, "
            "hoặc chia tệp, ví dụ theo từng đảng bộ phường, xã."
        )
        % {
            "ref": ref,
            "rows": number(rows),
            "columns": number(columns),
            "max_rows": number(limits.max_rows),
            "max_columns": number(limits.max_columns),
        }
    )


def row_too_large(row: int) -> FileTooLarge:
    return FileTooLarge(
        _("Dòng %(row)s của trang tính lớn hơn %(limit)s MB, không phải một dòng danh sách.")
        % {"row": number(row), "limit": number(MAX_ELEMENT_BYTES // MB)}
    )


def text_too_large() -> FileTooLarge:
    return FileTooLarge(
        _("Tệp có một ô chữ lớn hơn %(limit)s MB, không phải nội dung của danh sách.")
        % {"limit": number(MAX_ELEMENT_BYTES // MB)}
    )


def too_many_strings(count: int, limits: ImportLimits) -> FileTooLarge:
    return FileTooLarge(
        _("Tệp có %(count)s ô chữ khác nhau, vượt giới hạn %(limit)s ô dữ liệu cho một lần nhập.")
        % {"count": number(count), "limit": number(limits.max_cells)}
    )


def _too_many_elements(part: str) -> FileTooLarge:
    return FileTooLarge(
        _(
            "Phần “%(part)s” của tệp Excel có hơn %(limit)s mục (định dạng, ô gộp, liên kết…), bất thường với "
            "một danh sách. Hãy chép dữ liệu sang một tệp mới chỉ gồm các cột của mẫu, hoặc lưu dưới dạng CSV."
        )
        % {"part": part, "limit": number(MAX_OTHER_ELEMENTS)}
    )


# --- The zip directory ----------------------------------------------------------------------------------------

END_OF_DIRECTORY = struct.Struct("<4s4H2LH")
ZIP64_LOCATOR = struct.Struct("<4sLQL")
ZIP64_END_OF_DIRECTORY = struct.Struct("<4sQ2H2L4Q")


def _declared_directory(data: bytes) -> tuple[int, int]:
    """The number of parts and the directory's size in bytes, as the end of the zip declares them."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - END_OF_DIRECTORY.size - 0xFFFF))
    if at < 0 or len(data) < at + END_OF_DIRECTORY.size:
        raise xlsx_unreadable()
    fields = END_OF_DIRECTORY.unpack_from(data, at)
    parts, directory_bytes = fields[4], fields[5]
    locator_at = at - ZIP64_LOCATOR.size
    if (parts == 0xFFFF or directory_bytes == 0xFFFFFFFF) and locator_at >= 0:
        locator = ZIP64_LOCATOR.unpack_from(data, locator_at)
        record_at = locator[2]
        if locator[0] == b"PK\x06\x07" and len(data) >= record_at + ZIP64_END_OF_DIRECTORY.size:
            record = ZIP64_END_OF_DIRECTORY.unpack_from(data, record_at)
            if record[0] == b"PK\x06\x06":
                parts, directory_bytes = record[7], record[8]
    return parts, directory_bytes


def _too_many_parts(count: int) -> FileTooLarge:
    return FileTooLarge(
        _("Tệp Excel gồm %(count)s phần, vượt giới hạn %(limit)s phần.")
        % {"count": number(count), "limit": number(MAX_ZIP_PARTS)}
    )


def _check_declared_directory(data: bytes) -> None:
    """Before zipfile reads the directory into memory."""
    parts, directory_bytes = _declared_directory(data)
    if parts > MAX_ZIP_PARTS or directory_bytes > MAX_DIRECTORY_BYTES:
        raise _too_many_parts(parts)


def _check_parts(archive: zipfile.ZipFile, limits: ImportLimits) -> None:
    """What each part will decompress to: zipfile never yields more than the size the directory gives."""
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_PARTS:
        raise _too_many_parts(len(infos))
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed_bytes:
        raise FileTooLarge(
            _("Nội dung tệp Excel khi giải nén là %(size)s MB, vượt giới hạn %(limit)s MB.")
            % {"size": megabytes(total), "limit": number(limits.max_uncompressed_bytes // MB)}
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= RATIO_CHECKED_FROM and ratio > MAX_COMPRESSION_RATIO:
            raise FileTooLarge(
                _(
                    "Phần “%(part)s” của tệp Excel nén tới %(ratio)s lần, vượt mức %(limit)s lần của một bảng tính "
                    "thông thường. Hãy mở tệp bằng Excel rồi lưu lại, hoặc lưu dưới dạng CSV."
                )
                % {"part": info.filename, "ratio": number(int(ratio)), "limit": number(MAX_COMPRESSION_RATIO)}
            )


# --- The XML parts --------------------------------------------------------------------------------------------


class _Enough(Exception):
    """The part has been read as far as the check needs."""


class PartScan:
    """Streams one XML part through expat and checks it as it goes; keeps counts, never content."""

    def __init__(self, part: str, limits: ImportLimits, thorough: bool) -> None:
        self.part = part
        self.limits = limits
        self.thorough = thorough
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.StartElementHandler = self.first
        # A spreadsheet never carries a document type; one that does may define entities that expand.
        self.parser.StartDoctypeDeclHandler = self.refuse_doctype
        self.others = 0
        self.row = 0
        self.row_start = 0
        self.column = 0
        self.row_cells = 0
        self.cells = 0
        self.in_data = False
        self.strings = 0
        self.string_start = 0

    def feed(self, stream: IO[bytes]) -> None:
        try:
            while chunk := stream.read(CHUNK_BYTES):
                self.parser.Parse(chunk, False)
            self.parser.Parse(b"", True)
        except _Enough:
            return
        except expat.ExpatError:
            # Not XML (an image), or broken XML: the reader refuses the latter if it reads that part, and
            # everything before the break has been counted.
            return

    def refuse_doctype(self, *args: Any) -> None:
        raise xlsx_unreadable()

    def first(self, name: str, attrs: dict[str, str]) -> None:
        """The root element says what the part is."""
        if name == WORKSHEET:
            self.parser.StartElementHandler = self.sheet_start
            self.parser.EndElementHandler = self.sheet_end
        elif name == SHARED_STRINGS:
            self.declared_strings(attrs)
            self.parser.StartElementHandler = self.string_start_element
            self.parser.EndElementHandler = self.string_end_element
        elif self.thorough:
            self.parser.StartElementHandler = self.other_element
        else:
            raise _Enough

    # A worksheet

    def sheet_start(self, name: str, attrs: dict[str, str]) -> None:
        if name == CELL:
            self.cell(attrs)
        elif name == ROW:
            self.start_row(attrs)
        elif name == DIMENSION:
            self.declared_area(attrs.get("ref", ""))
        elif name == SHEET_DATA:
            if not self.thorough:
                raise _Enough
            self.in_data = True
        elif not self.in_data:
            self.other_element(name, attrs)

    def sheet_end(self, name: str) -> None:
        if name == ROW:
            if self.parser.CurrentByteIndex - self.row_start > MAX_ELEMENT_BYTES:
                raise row_too_large(self.row)
        elif name == SHEET_DATA:
            self.in_data = False

    def declared_area(self, ref: str) -> None:
        try:
            _min_column, _min_row, max_column, max_row = range_boundaries(ref)
        except (TypeError, ValueError):
            return
        rows, columns = max_row or 0, max_column or 0
        if rows > self.limits.last_row or columns > self.limits.max_columns:
            raise _declared_too_large(ref, rows, columns, self.limits)

    def start_row(self, attrs: dict[str, str]) -> None:
        # As openpyxl numbers rows: the r attribute, else the one after the last.
        self.row = _row_number(attrs["r"]) if "r" in attrs else self.row + 1
        if self.row > self.limits.last_row:
            raise too_many_rows(self.row, self.limits)
        self.row_start = self.parser.CurrentByteIndex
        self.column = 0
        self.row_cells = 0

    def cell(self, attrs: dict[str, str]) -> None:
        reference = attrs.get("r")
        self.column = _column_of(reference) if reference else self.column + 1
        self.row_cells += 1
        self.cells += 1
        if self.column > self.limits.max_columns or self.row_cells > self.limits.max_columns:
            raise too_many_columns(self.row, max(self.column, self.row_cells), self.limits)
        if self.cells > self.limits.max_cells:
            raise too_many_cells(self.limits)

    # The shared strings: openpyxl reads all of them into memory when it opens the workbook.

    def declared_strings(self, attrs: dict[str, str]) -> None:
        declared = attrs.get("uniqueCount", "")
        if declared.isdigit() and int(declared) > self.limits.max_cells:
            raise too_many_strings(int(declared), self.limits)
        if not self.thorough:
            raise _Enough

    def string_start_element(self, name: str, attrs: dict[str, str]) -> None:
        if name == SHARED_STRING:
            self.strings += 1
            if self.strings > self.limits.max_cells:
                raise too_many_strings(self.strings, self.limits)
            self.string_start = self.parser.CurrentByteIndex

    def string_end_element(self, name: str) -> None:
        if name == SHARED_STRING and self.parser.CurrentByteIndex - self.string_start > MAX_ELEMENT_BYTES:
            raise text_too_large()

    # Any other part

    def other_element(self, name: str, attrs: dict[str, str]) -> None:
        self.others += 1
        if self.others > MAX_OTHER_ELEMENTS:
            raise _too_many_elements(self.part)


def _row_number(text: str) -> int:
    try:
        value = float(text)
    except ValueError as error:
        raise xlsx_unreadable() from error
    if not value.is_integer():
        raise xlsx_unreadable()
    return int(value)


def _column_of(reference: str) -> int:
    """The column number of a cell reference such as "XFD20"."""
    try:
        return column_index_from_string(reference.rstrip("0123456789"))
    except ValueError as error:
        raise xlsx_unreadable() from error


# A zip damaged, encrypted or compressed in a way the standard library does not read.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError, OSError)


def open_xlsx(data: bytes, limits: ImportLimits) -> zipfile.ZipFile:
    """The file as a zip, once its directory and what each part decompresses to are within the limits."""
    _check_declared_directory(data)
    archive = zipfile.ZipFile(io.BytesIO(data))
    try:
        _check_parts(archive, limits)
    except FileTooLarge:
        archive.close()
        raise
    return archive


def scan_parts(archive: zipfile.ZipFile, limits: ImportLimits, *, thorough: bool, skip: Collection[str] = ()) -> None:
    """Stream every XML part through a PartScan, but those in `skip` (a reader checks them as it reads them)."""
    for info in archive.infolist():
        if info.is_dir() or info.filename in skip:
            continue
        with archive.open(info) as stream:
            PartScan(info.filename, limits, thorough).feed(stream)


def check_xlsx(data: bytes, limits: ImportLimits, *, thorough: bool) -> None:
    """Refuse an XLSX file over the limits, reading only the zip directory and streaming its XML parts.

    `thorough` False checks what the file declares (at upload); True counts everything.
    """
    try:
        with open_xlsx(data, limits) as archive:
            scan_parts(archive, limits, thorough=thorough)
    except ZIP_ERRORS as error:
        raise xlsx_unreadable() from error
