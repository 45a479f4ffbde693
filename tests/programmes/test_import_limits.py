"""Import limits: a file over them is refused before it is parsed, at upload (nothing stored) and again by the
import itself (a file may lie about its size), with a Vietnamese message naming the limit and what the file holds.

The limits are lowered in most tests so that small files pass them; the bomb keeps its real shape (it is small).
"""

import io
import random
import struct
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from programmes.importing.communes import import_communes
from programmes.importing.services import import_file, import_job_submit
from programmes.models import Cadre, ImportJob, ImportKind, ImportStatus
from tests.programmes.import_files import (
    ROSTER_HEADERS,
    RawXlsx,
    long_roster,
    row_counts,
    sheet_row,
    to_csv,
    xlsx_bomb,
)
from tests.programmes.test_import_communes import HCMC as COMMUNES_FILE
from tests.programmes.test_import_roster import roster_rows

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def refused_by_import(data: bytes, name: str = "dang-vien.xlsx") -> str:
    """The import's single error, on row 1 with no column, for a file refused as a whole."""
    before = row_counts()
    result = import_file(kind=ImportKind.ROSTER, source=io.BytesIO(data), name=name, acting_user=None)
    assert [(issue.row, issue.column) for issue in result.errors] == [(1, "")]
    assert row_counts() == before
    return result.errors[0].message


def submit(cast, data: bytes, name: str = "dang-vien.xlsx") -> ImportJob:
    return import_job_submit(
        kind=ImportKind.ROSTER,
        uploaded_file=SimpleUploadedFile(name, data),
        scope=cast.ward,
        acting_user=cast.org_board,
    )


def refused_at_upload(cast, data: bytes, name: str = "dang-vien.xlsx") -> str:
    with pytest.raises(ValidationError) as refused:
        submit(cast, data, name)
    assert refused.value.code == "file_limits"
    assert not ImportJob.objects.exists()
    return refused.value.messages[0]


def roster_sheet(rows: list[list], *, dimension: str | None, **parts) -> RawXlsx:
    numbered = [sheet_row(1, ROSTER_HEADERS), *(sheet_row(n, row) for n, row in enumerate(rows, start=2))]
    return RawXlsx(numbered, dimension=dimension, **parts)


# --- What a file declares: refused at upload ------------------------------------------------------------------


def test_the_xlsx_bomb_is_refused_at_upload_and_by_the_import(cast):
    bomb = xlsx_bomb().bytes()
    # The shape reported: about 50 KB declaring A1:XFD1048576 over 20,000 rows.
    assert len(bomb) < 60_000

    message = refused_at_upload(cast, bomb)
    assert message.startswith("Trang tính khai báo vùng dữ liệu A1:XFD1048576 (1.048.576 dòng, 16.384 cột)")
    assert "100.000 dòng dữ liệu và 100 cột" in message
    assert refused_by_import(bomb) == message


def test_the_upload_form_shows_the_refusal_on_the_file_field(client, cast):
    client.force_login(cast.org_board)
    response = client.post(
        reverse("programmes:import_new"),
        {"kind": ImportKind.ROSTER, "scope": cast.ward.pk, "file": SimpleUploadedFile("bom.xlsx", xlsx_bomb().bytes())},
    )
    assert response.status_code == 200
    assert "A1:XFD1048576" in str(response.context["form"].errors["file"])
    assert not ImportJob.objects.exists()


def test_a_file_declaring_a_million_rows_is_refused_from_the_declaration_alone(cast):
    # Declares 1,000,001 rows and holds 50: only the declaration is read.
    declared = RawXlsx([sheet_row(n, [f"BDV{n:07d}"]) for n in range(1, 51)], dimension="A1:L1000001").bytes()
    message = refused_at_upload(cast, declared)
    assert "A1:L1000001 (1.000.001 dòng, 12 cột)" in message
    assert refused_by_import(declared) == message


def test_the_import_command_refuses_the_bomb_too(tmp_path, capsys):
    path = tmp_path / "bom.xlsx"
    xlsx_bomb().write(path)
    with pytest.raises(CommandError):
        call_command("import_roster", str(path))
    assert "A1:XFD1048576" in capsys.readouterr().err


def test_a_declared_count_of_shared_strings_over_the_cells_limit_is_refused_at_upload(cast):
    strings = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="3000000"/>'
    data = roster_sheet([], dimension="A1:L1", extra_parts={"xl/sharedStrings.xml": strings}).bytes()
    assert "3.000.000 ô chữ khác nhau, vượt giới hạn 2.000.000 ô" in refused_at_upload(cast, data)


def test_a_zip_of_too_many_parts_is_refused_at_upload(cast):
    parts = {f"xl/media/anh{n}.png": b"x" for n in range(1001)}
    data = roster_sheet([], dimension="A1:L1", extra_parts=parts).bytes()
    assert "gồm 1.006 phần, vượt giới hạn 1.000 phần" in refused_at_upload(cast, data)


def test_a_csv_over_the_row_limit_is_refused_at_upload(cast, settings):
    settings.IMPORT_MAX_ROWS = 5
    data = to_csv(ROSTER_HEADERS, roster_rows(cast.cell_a.code, count=10))
    message = refused_at_upload(cast, data, "dang-vien.csv")
    assert message.startswith("Tệp có dữ liệu ở dòng 7, vượt giới hạn 5 dòng dữ liệu (không kể dòng tiêu đề)")
    assert refused_by_import(data, "dang-vien.csv") == message


def test_a_file_over_the_size_limit_is_refused_with_its_size(cast, settings, tmp_path):
    settings.IMPORT_MAX_UPLOAD_MB = 1
    data = to_csv(ROSTER_HEADERS, []) + b"x" * (1024 * 1024 + 200_000)
    with pytest.raises(ValidationError) as refused:
        submit(cast, data, "dang-vien.csv")
    assert refused.value.messages == [
        "Tệp nặng 1,2 MB, vượt giới hạn 1 MB cho một lần nhập. Hãy chia tệp thành nhiều tệp nhỏ hơn."
    ]
    path = tmp_path / "dang-vien.csv"
    path.write_bytes(data)
    assert (
        import_file(kind=ImportKind.ROSTER, source=path, name=path.name, acting_user=None).errors[0].message
        == (refused.value.messages[0])
    )
    assert refused_by_import(data, "dang-vien.csv").startswith("Tệp lớn hơn 1 MB")


# --- What a file holds: counted by the import -----------------------------------------------------------------


def test_a_file_that_understates_its_rows_is_refused_by_the_import(cast, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_MAX_ROWS = 20
    lying = roster_sheet(roster_rows(cast.cell_a.code, count=30), dimension="A1:L3").bytes()
    before = row_counts()
    with django_capture_on_commit_callbacks(execute=True):
        job = submit(cast, lying)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.errors[0]["message"].startswith("Tệp có dữ liệu ở dòng 22, vượt giới hạn 20 dòng dữ liệu")
    after = row_counts()
    assert after.pop("AuditEvent") == before.pop("AuditEvent") + 1  # the submission only
    assert after == before


def test_a_million_rows_without_a_declared_area_stop_at_the_row_limit(settings):
    settings.IMPORT_MAX_ROWS = 1000
    message = refused_by_import(long_roster(1_000_000 // 200, declared=False).bytes())
    assert message.startswith("Tệp có dữ liệu ở dòng 1.002, vượt giới hạn 1.000 dòng dữ liệu")


def test_a_cell_past_the_column_limit_is_refused():
    far = RawXlsx([sheet_row(1, ROSTER_HEADERS), sheet_row(2, ["xa"], first_column=101)], dimension=None).bytes()
    assert refused_by_import(far).startswith("Dòng 2 có ô ở cột thứ 101, vượt giới hạn 100 cột.")


def test_cells_past_the_cells_limit_are_refused(cast, settings):
    settings.IMPORT_MAX_CELLS = 30
    data = roster_sheet(roster_rows(cast.cell_a.code, count=3), dimension=None).bytes()
    assert refused_by_import(data).startswith("Tệp có hơn 30 ô dữ liệu")


def test_the_decompressed_size_is_bounded(settings):
    settings.IMPORT_MAX_UNCOMPRESSED_MB = 1
    noise = random.Random(1).randbytes(1_200_000)
    data = roster_sheet([], dimension=None, extra_parts={"xl/media/anh.png": noise}).bytes()
    assert refused_by_import(data).startswith("Nội dung tệp Excel khi giải nén là 1,2 MB, vượt giới hạn 1 MB.")


def test_a_part_compressed_far_beyond_a_spreadsheet_is_refused():
    data = roster_sheet([], dimension=None, extra_parts={"xl/dem.xml": b" " * 2_000_000}).bytes()
    message = refused_by_import(data)
    assert message.startswith("Phần “xl/dem.xml” của tệp Excel nén tới")
    assert "vượt mức 100 lần" in message


def test_shared_strings_are_counted(settings):
    settings.IMPORT_MAX_CELLS = 12  # the header's cells
    strings = "".join(f"<si><t>chữ {n}</t></si>" for n in range(13))
    sst = f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{strings}</sst>'
    data = roster_sheet([], dimension="A1:L1", extra_parts={"xl/sharedStrings.xml": sst.encode()}).bytes()
    assert refused_by_import(data).startswith("Tệp có 13 ô chữ khác nhau, vượt giới hạn 12 ô dữ liệu")


def test_a_row_larger_than_any_roster_row_is_refused():
    text = "".join(random.Random(2).choices("abcdefghijklmnopqrstuvwxyz", k=2_500_000))
    data = RawXlsx([sheet_row(1, ROSTER_HEADERS), sheet_row(2, [text])], dimension=None).bytes()
    assert refused_by_import(data).startswith("Dòng 2 của trang tính lớn hơn 2 MB")


def test_merged_cells_and_links_past_what_a_roster_needs_are_refused():
    merges = "".join(f'<mergeCell ref="A{n}:B{n}"/>' for n in range(2, 100_003))
    data = roster_sheet([], dimension=None, after_rows=f"<mergeCells>{merges}</mergeCells>").bytes()
    assert refused_by_import(data).startswith("Phần “xl/worksheets/sheet1.xml” của tệp Excel có hơn 100.000 mục")


def test_a_document_type_is_refused_as_unreadable():
    entity = '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    data = roster_sheet([], dimension=None, doctype=entity).bytes()
    assert refused_by_import(data) == "Không đọc được tệp Excel; hãy lưu lại dưới dạng .xlsx."


def test_csv_columns_lines_and_fields_are_bounded():
    wide = to_csv([*ROSTER_HEADERS, *(f"cot_{n}" for n in range(89))], [])
    assert refused_by_import(wide, "dang-vien.csv").startswith("Dòng 1 có ô ở cột thứ 101, vượt giới hạn 100 cột.")
    long_line = to_csv(ROSTER_HEADERS, []) + b"x" * 1_000_001
    assert refused_by_import(long_line, "dang-vien.csv") == "Dòng 2 của tệp CSV dài hơn 1.000.000 ký tự."
    long_field = to_csv(ROSTER_HEADERS, []) + b"x" * 200_000
    assert refused_by_import(long_field, "dang-vien.csv").startswith("Không đọc được tệp CSV ở dòng 2:")


# --- Files within the limits ----------------------------------------------------------------------------------


def test_rows_past_a_too_small_declared_area_are_imported(cast):
    # Some writers declare "A1" whatever the sheet holds; the rows were counted, so none is dropped.
    data = roster_sheet(roster_rows(cast.cell_a.code), dimension="A1").bytes()
    result = import_file(kind=ImportKind.ROSTER, source=io.BytesIO(data), name="dang-vien.xlsx", acting_user=None)
    assert result.errors == []
    assert Cadre.objects.filter(code__startswith="IMP").count() == 3


def test_a_file_at_the_limits_is_accepted(cast, settings):
    settings.IMPORT_MAX_ROWS = 3
    settings.IMPORT_MAX_COLUMNS = 12
    settings.IMPORT_MAX_CELLS = 48
    for data, name in (
        (roster_sheet(roster_rows(cast.cell_a.code), dimension="A1:L4").bytes(), "dang-vien.xlsx"),
        (to_csv(ROSTER_HEADERS, roster_rows(cast.cell_a.code)), "dang-vien.csv"),
    ):
        result = import_file(kind=ImportKind.ROSTER, source=io.BytesIO(data), name=name, acting_user=None)
        assert result.errors == [], name


def test_the_national_communes_file_is_read_within_the_limits(settings):
    settings.IMPORT_MAX_ROWS = 10
    result = import_communes(source=COMMUNES_FILE, province="79")
    assert [(issue.row, issue.column) for issue in result.errors] == [(1, "")]
    assert result.errors[0].message.startswith("Tệp có dữ liệu ở dòng 12, vượt giới hạn 10 dòng dữ liệu")


def with_zip64_end(data: bytes) -> bytes:
    """The same zip, its end record in the zip64 form some writers always use (counts in a second record)."""
    at = data.rfind(b"PK\x05\x06")
    fields = list(struct.unpack_from("<4s4H2LH", data, at))
    parts, directory_bytes, directory_at = fields[4], fields[5], fields[6]
    record = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, parts, parts, directory_bytes, directory_at)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, at, 1)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return data[:at] + record + locator + end


def test_a_zip64_end_record_is_read_for_its_counts(cast):
    data = with_zip64_end(roster_sheet(roster_rows(cast.cell_a.code), dimension="A1:L4").bytes())
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    job = submit(cast, data)
    assert job.pk is not None
    result = import_file(kind=ImportKind.ROSTER, source=io.BytesIO(data), name="dang-vien.xlsx", acting_user=None)
    assert result.errors == []
