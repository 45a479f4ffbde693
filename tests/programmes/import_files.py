"""Building import files in tests: CSV bytes as a spreadsheet would save them, XLSX through openpyxl, and XLSX
written part by part (`RawXlsx`) for the files openpyxl would never write: bombs, lies, a million rows."""

import csv
import datetime
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from programmes.models import (
    AuditEvent,
    Cadre,
    CadrePrivateDetails,
    Membership,
    OrganisationSuccession,
    PartyOrganisation,
    Position,
)

ORGANISATION_HEADERS = [
    "ma_to_chuc",
    "ten_to_chuc",
    "loai",
    "ma_cap_tren",
    "ma_don_vi_hanh_chinh",
    "hieu_luc_tu",
    "hieu_luc_den",
    "ma_tien_than",
]
ROSTER_HEADERS = [
    "ma_dang_vien",
    "ho_ten",
    "gioi_tinh",
    "ngay_sinh",
    "so_cccd",
    "dien_thoai",
    "email",
    "ma_chi_bo",
    "loai_dang_vien",
    "tinh_trang",
    "ngay_vao_dang",
    "ngay_chinh_thuc",
]
# The roster's residence columns (Quy định 213-QĐ/TW), added later: files without them are still read.
RESIDENCE_HEADERS = ["ma_chi_bo_cu_tru", "mien_nhan_xet_cu_tru", "ly_do_mien"]
POSITION_HEADERS = [
    "ma_dang_vien",
    "loai_chuc_vu",
    "chuc_vu_dang",
    "ma_to_chuc",
    "chuc_danh",
    "co_quan",
    "nguoi_dung_dau",
    "tu_ngay",
    "den_ngay",
]
Cell = str | int | datetime.date | None


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[Cell]], *, bom: bool = True) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(["" if value is None else value for value in row] for row in rows)
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode()


def to_xlsx(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row_counts() -> dict[str, int]:
    """How many rows each table the imports write holds, to prove a refused file wrote nothing."""
    models = (PartyOrganisation, Cadre, CadrePrivateDetails, Membership, Position, OrganisationSuccession, AuditEvent)
    counts = {model.__name__: model.objects.count() for model in models}
    counts["history"] = sum(model.history.count() for model in models if hasattr(model, "history"))
    return counts


def where(result) -> set[tuple[int, str]]:
    return {(issue.row, issue.column) for issue in result.errors}


# --- XLSX written part by part --------------------------------------------------------------------------------

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PACKAGE_NS = "http://schemas.openxmlformats.org/package/2006"
OFFICE_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAIN_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
CONTENT_TYPES = (
    f'{XML_DECLARATION}<Types xmlns="{PACKAGE_NS}/content-types">'
    f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{MAIN_TYPE}"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEET_TYPE}"/></Types>'
)
PACKAGE_RELS = (
    f'{XML_DECLARATION}<Relationships xmlns="{PACKAGE_NS}/relationships">'
    f'<Relationship Id="rId1" Type="{OFFICE_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'{XML_DECLARATION}<workbook xmlns="{MAIN_NS}" xmlns:r="{OFFICE_NS}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'{XML_DECLARATION}<Relationships xmlns="{PACKAGE_NS}/relationships">'
    f'<Relationship Id="rId1" Type="{OFFICE_NS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def sheet_row(number: int, values: Sequence[Cell], first_column: int = 1) -> str:
    """One <row> of inline strings and numbers, each cell with its reference."""
    cells = []
    for offset, value in enumerate(values):
        if value is None:
            continue
        reference = f"{get_column_letter(first_column + offset)}{number}"
        if isinstance(value, int):
            cells.append(f'<c r="{reference}"><v>{value}</v></c>')
        else:
            cells.append(f'<c r="{reference}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


class RawXlsx:
    """An XLSX package whose sheet XML is written as given, streamed into the zip (never held in memory).

    `dimension` None leaves the declaration out; `after_rows` is XML after the sheet data (merged cells...).
    """

    def __init__(
        self,
        rows: Iterable[str],
        *,
        dimension: str | None,
        before_rows: str = "",
        after_rows: str = "",
        extra_parts: dict[str, bytes] | None = None,
        doctype: str = "",
    ) -> None:
        self.rows = rows
        self.dimension = dimension
        self.before_rows = before_rows
        self.after_rows = after_rows
        self.extra_parts = extra_parts or {}
        self.doctype = doctype

    def sheet_chunks(self) -> Iterator[str]:
        yield f'{XML_DECLARATION}{self.doctype}<worksheet xmlns="{MAIN_NS}">'
        if self.dimension is not None:
            yield f"<dimension ref={quoteattr(self.dimension)}/>"
        yield f"{self.before_rows}<sheetData>"
        batch: list[str] = []
        for row in self.rows:
            batch.append(row)
            if len(batch) == 1000:
                yield "".join(batch)
                batch = []
        yield "".join(batch)
        yield f"</sheetData>{self.after_rows}</worksheet>"

    def write(self, target: Path | IO[bytes]) -> None:
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            archive.writestr("[Content_Types].xml", CONTENT_TYPES)
            archive.writestr("_rels/.rels", PACKAGE_RELS)
            archive.writestr("xl/workbook.xml", WORKBOOK)
            archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
            with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
                for chunk in self.sheet_chunks():
                    sheet.write(chunk.encode())
            for name, content in self.extra_parts.items():
                archive.writestr(name, content)

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.write(buffer)
        return buffer.getvalue()


def xlsx_bomb(rows: int = 20_000) -> RawXlsx:
    """The shape from the field: 51 KB that declares the whole sheet, A1:XFD1048576, with 20,000 rows of one cell.
    openpyxl pads every row to the declared 16,384 columns: 327 million values, a MemoryError at 2 GB."""
    return RawXlsx(
        (f'<row r="{number}"><c><v>1</v></c></row>' for number in range(1, rows + 1)), dimension="A1:XFD1048576"
    )


def long_roster(rows: int, *, declared: bool = True) -> RawXlsx:
    """A roster of `rows` data rows that are all alike but for the code, under the roster's header."""
    header = sheet_row(1, ROSTER_HEADERS)
    body = (sheet_row(number, [f"BDV{number:07d}"]) for number in range(2, rows + 2))
    last = f"{get_column_letter(len(ROSTER_HEADERS))}{rows + 1}"
    return RawXlsx(_chain([header], body), dimension=f"A1:{last}" if declared else None)


def _chain(first: Iterable[str], rest: Iterable[str]) -> Iterator[str]:
    yield from first
    yield from rest
