"""Building import files in tests: CSV bytes as a spreadsheet would save them, XLSX through openpyxl."""

import csv
import datetime
import io
from collections.abc import Sequence

from openpyxl import Workbook

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
