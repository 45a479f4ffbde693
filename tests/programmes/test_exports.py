"""Spreadsheets of the staff lists (programmes and their commitments, an organisation's roster): opened with
openpyxl, with the list's rows under Vietnamese headers, no cell a spreadsheet would run as a formula, the same
access and filters as the list on screen, an audit event each; a long list written in the background."""

import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.workbook import Workbook

from programmes import privacy
from programmes.action_programmes import services
from programmes.exports.services import export_files_expire, export_job_run
from programmes.models import (
    ActionProgramme,
    AuditEvent,
    Commitment,
    ExportJob,
    ExportState,
    OutboxMessage,
    PartyPost,
    PublicityLevel,
    Role,
    RoleAssignment,
)
from tests.factories import (
    PositionFactory,
    RoleAssignmentFactory,
    UserFactory,
    client_for,
    copy_programme,
    make_member,
    make_members,
)
from tests.pages import queries_of
from tests.programmes.programme_data import (
    PRIVATE_DETAILS_SHOWN,
    give_private_details,
    make_confirmed,
    make_draft,
    submit,
)

pytestmark = pytest.mark.django_db

# Text a spreadsheet would run as a formula, typed into a title and a commitment.
FORMULA_TITLE = '=HYPERLINK("http://example.invalid","Bấm vào")'
FORMULA_STATEMENT = "@SUM(1+1)*cmd|' /C calc'!A0"

PROGRAMME_HEADERS = [
    "Người lập",
    "Chức vụ, chức danh",
    "Tổ chức đảng",
    "Tên chương trình",
    "Lý do lập chương trình",
    "Thực hiện từ ngày",
    "Đến ngày",
    "Trạng thái",
    "Tiến độ chung (%)",
    "Số cam kết quá hạn",
]
MEMBER_HEADERS = ["Họ và tên", "Chi bộ", "Loại đảng viên", "Tình trạng sinh hoạt", "Chức vụ"]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def workbook(response: Any) -> Workbook:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment;")
    # Reading the content to its end closes the file (the test client's wrapper), as a browser's download does.
    content = b"".join(response.streaming_content)
    return load_workbook(io.BytesIO(content))


def rows(book: Workbook, sheet: str) -> list[list[Any]]:
    return [list(row) for row in book[sheet].iter_rows(values_only=True)]


def every_text(book: Workbook) -> list[str]:
    return [
        value for sheet in book for row in sheet.iter_rows(values_only=True) for value in row if isinstance(value, str)
    ]


def board_of(organisation: Any, username: str) -> Any:
    return RoleAssignmentFactory(
        user=UserFactory(username=username), role=Role.ORG_BOARD_STAFF, organisation=organisation
    ).user


@pytest.fixture
def programmes(cast: Any) -> dict[str, Any]:
    """Ánh's confirmed programme, whose title and a commitment read as formulas; Cường's of cell 1B; a draft."""
    anh = make_draft(cast.member, title=FORMULA_TITLE, weights=(100,))
    version = anh.versions.get(number=1)
    terms = version.terms.get(position=1)
    terms.statement = FORMULA_STATEMENT
    terms.save(update_fields=["statement"])
    services.programme_confirm(
        version=submit(anh), publicity_max=PublicityLevel.PUBLIC, acting_user=cast.secretary.user
    )
    cuong_secretary = make_member(cast.cell_b, "secretary_b", full_name="Đỗ Văn Giang")
    PositionFactory(cadre=cuong_secretary, organisation=cast.cell_b, party_post=PartyPost.SECRETARY)
    assert cuong_secretary.user is not None
    cuong = make_confirmed(cast.outsider, cuong_secretary.user, title="Chương trình của Cường")
    make_draft(cast.head, title="Bản nháp của đồng chí Em")
    return {"anh": anh, "cuong": cuong}


# --- Programmes ---------------------------------------------------------------------------------------------------


@pytest.mark.postgres
def test_the_programmes_export_opens_with_vietnamese_headers_the_lists_rows_and_no_formula(cast, programmes):
    response = client_for(cast.head.user).get(reverse("programmes:programme_export"))
    book = workbook(response)

    assert book.sheetnames == ["Chương trình", "Cam kết"]
    table = rows(book, "Chương trình")
    assert table[0] == PROGRAMME_HEADERS
    # The committee's head reads both cells' confirmed programmes, by owner's name; never a draft.
    assert [(row[0], row[3]) for row in table[1:]] == [
        ("Phạm Văn Cường", "Chương trình của Cường"),
        ("Trần Thị Ánh", "'" + FORMULA_TITLE),
    ]
    assert table[2][5] == datetime.datetime(2026, 1, 1) and table[2][7] == "Đã xác nhận, đang thực hiện"
    commitments = rows(book, "Cam kết")
    assert commitments[0][:5] == ["Người lập", "Tên chương trình", "Thứ tự", "Nhóm nội dung", "Nội dung cam kết"]
    assert commitments[-1][:3] == ["Trần Thị Ánh", "'" + FORMULA_TITLE, 1]
    assert "'" + FORMULA_STATEMENT in commitments[-1]
    assert len(commitments) == 1 + 1 + 2  # Ánh's one commitment, Cường's two
    # No cell of any sheet would run as a formula.
    assert not [text for text in every_text(book) if text.startswith(("=", "+", "-", "@", "\t", "\r"))]


@pytest.mark.postgres
def test_the_export_carries_the_lists_filters_and_the_page_links_it_with_them(cast, programmes):
    secretary = client_for(cast.head.user)
    page = secretary.get(reverse("programmes:programme_list"), {"q": "tran thi anh", "page": "1"}).text
    export_link = reverse("programmes:programme_export") + "?q=tran+thi+anh"
    assert f'href="{export_link}"' in page
    assert "Chương trình của Cường" not in page

    table = rows(workbook(secretary.get(export_link)), "Chương trình")
    assert [row[0] for row in table[1:]] == ["Trần Thị Ánh"]
    by_cell = rows(
        workbook(secretary.get(reverse("programmes:programme_export"), {"to_chuc": cast.cell_b.pk})), "Chương trình"
    )
    assert [row[0] for row in by_cell[1:]] == ["Phạm Văn Cường"]


def test_a_commitment_capped_below_the_reader_stays_out_of_the_export(cast, programmes):
    anh = programmes["anh"]
    anh.publicity_level = PublicityLevel.COMMITTEE
    anh.save(update_fields=["publicity_level"])
    Commitment.objects.filter(programme=anh).update(publicity_cap=PublicityLevel.CELL)
    ward_board = board_of(cast.ward, "board_a")

    commitments = rows(workbook(client_for(ward_board).get(reverse("programmes:programme_export"))), "Cam kết")

    assert [row[0] for row in commitments[1:]] == ["Phạm Văn Cường", "Phạm Văn Cường"]


def test_a_member_and_another_wards_staff_are_refused_the_programmes_of_the_ward(cast, programmes):
    address = reverse("programmes:programme_export")
    assert client_for(cast.member.user).get(address).status_code == 403
    other_board = client_for(board_of(cast.other_ward, "board_b"))
    # Naming an organisation outside their scope is refused; their own list holds nothing of ward A.
    assert other_board.get(address, {"to_chuc": cast.ward.pk}).status_code == 403
    assert rows(workbook(other_board.get(address)), "Chương trình") == [PROGRAMME_HEADERS]
    assert client_for(None).get(address).status_code == 302
    assert not AuditEvent.objects.filter(action="export.list", actor__username="member").exists()


def test_each_export_is_audited_with_its_list_filters_and_rows_under_its_organisation(cast, programmes):
    address = reverse("programmes:programme_export")
    workbook(client_for(cast.head.user).get(address, {"to_chuc": cast.cell_a.pk, "page": 2}))

    event = AuditEvent.objects.get(action="export.list")
    assert event.actor == cast.head.user
    assert event.after == {"list": "programmes", "filters": {"to_chuc": str(cast.cell_a.pk)}, "rows": 1}
    # The cell's audit readers (the committee above, the ward's board) find it in their log.
    assert event.scope_path == cast.cell_a.path


# --- An organisation's roster -------------------------------------------------------------------------------------


def test_the_roster_export_holds_the_rosters_columns_and_no_private_detail(cast):
    give_private_details(cast.member)
    response = client_for(cast.secretary.user).get(reverse("programmes:members_export", args=[cast.cell_a.pk]))
    book = workbook(response)

    table = rows(book, "Danh sách đảng viên")
    assert table[0] == MEMBER_HEADERS
    assert [row[0] for row in table[1:]] == ["Lê Văn Bình", "Trần Thị Ánh"]
    assert table[1][1:] == ["Chi bộ Khu phố 1A", "Đảng viên chính thức", "Đang sinh hoạt", "Bí thư Chi bộ Khu phố 1A"]
    assert not [text for text in every_text(book) for shown in PRIVATE_DETAILS_SHOWN if shown in text]


@pytest.mark.postgres
def test_the_roster_export_filters_as_the_roster_does(cast):
    make_member(cast.cell_b, full_name="Nguyễn Văn Nên")
    client = client_for(board_of(cast.ward, "board_a"))
    address = reverse("programmes:members_export", args=[cast.ward.pk])

    table = rows(workbook(client.get(address, {"q": "nguyen van nen"})), "Danh sách đảng viên")
    assert [row[0] for row in table[1:]] == ["Nguyễn Văn Nên"]
    in_cell_a = rows(workbook(client.get(address, {"chi_bo": cast.cell_a.pk})), "Danh sách đảng viên")
    assert [row[0] for row in in_cell_a[1:]] == ["Lê Văn Bình", "Trần Thị Ánh"]
    page = client.get(reverse("programmes:organisation_detail", args=[cast.ward.pk]), {"q": "nen"}).text
    assert "Nguyễn Văn Nên" in page and "Trần Thị Ánh" not in page
    assert f'href="{address}?q=nen"' in page


@pytest.mark.parametrize("who", ["member", "other_board", "overseer", "anonymous"])
def test_an_outsider_is_refused_the_roster(cast, who):
    user = {
        "member": cast.member.user,
        "other_board": board_of(cast.other_ward, "board_b"),
        "overseer": cast.overseer,
        "anonymous": None,
    }[who]
    response = client_for(user).get(reverse("programmes:members_export", args=[cast.cell_a.pk]))
    assert response.status_code == (302 if user is None else 403)
    assert not AuditEvent.objects.filter(action="export.list").exists()


# --- A long list, in the background ----------------------------------------------------------------------------


def test_a_long_list_is_written_in_the_background_with_its_progress_then_downloaded_by_its_maker(
    cast, programmes, settings, media, django_capture_on_commit_callbacks
):
    settings.EXPORT_BACKGROUND_ROWS = 1
    head = client_for(cast.head.user)
    offer = head.get(reverse("programmes:programme_export"), {"trang_thai": "confirmed"})
    assert offer.status_code == 200 and "Xuất trong nền" in offer.text
    assert 'name="trang_thai" value="confirmed"' in offer.text

    with django_capture_on_commit_callbacks(execute=True):
        response = head.post(
            reverse("programmes:export_request"), {"danh_sach": "programmes", "trang_thai": "confirmed"}
        )
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("programmes:export_detail", args=[job.pk])
    assert OutboxMessage.objects.get(task="programmes.tasks.run_export_job").args == [job.pk]
    # The task ran (eagerly here; a real worker in tests/integration) and stored the file through the storage.
    job.refresh_from_db()
    assert (job.state, job.percent, job.row_count) == (ExportState.DONE, 100, 2)
    assert (job.file.name or "").startswith("exports/") and (media / job.file.name).exists()
    assert job.parameters == {"trang_thai": "confirmed"}

    page = head.get(reverse("programmes:export_detail", args=[job.pk]))
    assert "Tải bảng tính (XLSX)" in page.text and "hx-get" not in page.text
    download = head.get(reverse("programmes:export_download", args=[job.pk]))
    table = rows(workbook(download), "Chương trình")
    assert [row[3] for row in table[1:]] == ["Chương trình của Cường", "'" + FORMULA_TITLE]
    assert [event.action for event in AuditEvent.objects.filter(action__startswith="export.").order_by("pk")] == [
        "export.request",
        "export.download",
    ]
    # Nobody else follows or takes the file.
    for other in (cast.secretary.user, board_of(cast.ward, "board_a")):
        assert client_for(other).get(reverse("programmes:export_detail", args=[job.pk])).status_code == 404
        assert client_for(other).get(reverse("programmes:export_download", args=[job.pk])).status_code == 404


def test_a_running_export_polls_its_progress_with_htmx(cast):
    job = ExportJob.objects.create(
        list_key="programmes", created_by=cast.head.user, state=ExportState.RUNNING, percent=40
    )
    head = client_for(cast.head.user)

    page = head.get(reverse("programmes:export_detail", args=[job.pk])).text
    part = head.get(reverse("programmes:export_detail", args=[job.pk]), headers={"HX-Request": "true"}).text

    assert 'hx-trigger="every 2s"' in page and 'aria-valuenow="40"' in page
    assert part.lstrip().startswith("<section") and "<html" not in part
    assert head.get(reverse("programmes:export_download", args=[job.pk])).status_code == 403


def test_a_background_export_of_a_list_the_maker_may_no_longer_read_fails_and_writes_no_file(cast):
    job = ExportJob.objects.create(
        list_key="members", parameters={"id": str(cast.cell_a.pk)}, created_by=cast.member.user
    )

    export_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.state == ExportState.FAILED and not job.file
    assert "không còn được xuất" in job.error
    # A second delivery of the message finds the job finished and does nothing.
    assert export_job_run(job_id=job.pk) is None


def test_a_request_to_export_an_unknown_list_or_a_refused_one_creates_no_job(cast):
    board_b = client_for(board_of(cast.other_ward, "board_b"))
    assert board_b.post(reverse("programmes:export_request"), {"danh_sach": "nothing"}).status_code == 404
    refused = board_b.post(reverse("programmes:export_request"), {"danh_sach": "members", "id": cast.cell_a.pk})
    assert refused.status_code == 403
    assert board_b.get(reverse("programmes:export_request")).status_code == 405
    assert not ExportJob.objects.exists()


def test_the_file_is_deleted_after_its_retention_and_the_record_stays(cast, programmes, settings, media):
    job = ExportJob.objects.create(list_key="programmes", created_by=cast.head.user)
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    stored = media / job.file.name
    assert stored.exists()

    assert export_files_expire(timezone.now()) == 0
    later = timezone.now() + datetime.timedelta(hours=settings.EXPORT_FILE_RETENTION_HOURS + 1)
    kept = client_for(cast.head.user).get(reverse("programmes:export_download", args=[job.pk]))
    assert kept.status_code == 200
    b"".join(kept.streaming_content)  # type: ignore[attr-defined]
    counts = privacy.retention_enforce(now=later)

    assert counts["export_files"] == 1
    job.refresh_from_db()
    assert not job.file and not stored.exists() and job.state == ExportState.DONE
    assert client_for(cast.head.user).get(reverse("programmes:export_download", args=[job.pk])).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(cast):
    client = Client()
    for address in (
        reverse("programmes:programme_export"),
        reverse("programmes:members_export", args=[cast.ward.pk]),
        reverse("programmes:export_detail", args=[1]),
    ):
        assert client.get(address).status_code == 302


# --- Query counts: the searched lists and their spreadsheets cost the same for 10 and 100 rows ---------------------


def _more_programmes(template: Any, cell: Any, number: int) -> None:
    owners = make_members(cell, number)
    copies = copy_programme(template, owners)
    ActionProgramme.objects.filter(pk__in=[copy.pk for copy in copies]).update(publicity_level=PublicityLevel.CELL)
    ActionProgramme.refresh_owner_names([owner.pk for owner in owners])


@pytest.mark.parametrize(
    "search",
    [{}, {"q": "nguyen van", "trang_thai": "confirmed"}, {"to_chuc": "cell_a", "qua_han": "on"}],
    ids=["unfiltered", "name_and_state", "cell_and_overdue"],
)
def test_the_searched_programme_list_and_its_export_cost_the_same_for_10_and_100(cast, search):
    filters = {name: str(cast.cell_a.pk) if value == "cell_a" else value for name, value in search.items()}
    template = make_confirmed(cast.member, cast.secretary.user, title="Chương trình mẫu")
    client = client_for(cast.secretary.user)
    page, export = reverse("programmes:programme_list"), reverse("programmes:programme_export")
    _more_programmes(template, cast.cell_a, 10)
    page_ten, _answer = queries_of(lambda: client.get(page, filters))
    export_ten, _book = queries_of(lambda: workbook(client.get(export, filters)))
    _more_programmes(template, cast.cell_a, 90)

    page_hundred, _answer = queries_of(lambda: client.get(page, filters))
    export_hundred, book = queries_of(lambda: workbook(client.get(export, filters)))

    assert (page_hundred, export_hundred) == (page_ten, export_ten)
    # The spreadsheet holds the list's rows: the hundred copies, and Ánh's own unless her name is not searched.
    listed = client.get(page, filters).context["page"].paginator.count
    assert len(rows(book, "Chương trình")) == 1 + listed and listed >= 100


@pytest.mark.parametrize("search", [{}, {"q": "nguyen van so", "loai": "official", "chi_bo": "cell_a"}])
def test_the_searched_roster_and_its_export_cost_the_same_for_10_and_100_members(cast, search):
    filters = {name: str(cast.cell_a.pk) if value == "cell_a" else value for name, value in search.items()}
    client = client_for(board_of(cast.ward, "board_a"))
    page = reverse("programmes:organisation_detail", args=[cast.ward.pk])
    export = reverse("programmes:members_export", args=[cast.ward.pk])
    make_members(cast.cell_a, 10)
    page_ten, _answer = queries_of(lambda: client.get(page, filters))
    export_ten, _book = queries_of(lambda: workbook(client.get(export, filters)))
    make_members(cast.cell_a, 90)

    page_hundred, _answer = queries_of(lambda: client.get(page, filters))
    export_hundred, book = queries_of(lambda: workbook(client.get(export, filters)))

    assert (page_hundred, export_hundred) == (page_ten, export_ten)
    assert len(rows(book, "Danh sách đảng viên")) > 100


def test_a_background_export_is_not_downloaded_by_its_maker_once_they_no_longer_read_the_list(cast, settings, media):
    """Made by the ward's board staff, who then moves to the other ward: the copy stays with the ward."""
    settings.EXPORT_BACKGROUND_ROWS = 1
    board = cast.org_board
    client_for(board).post(reverse("programmes:export_request"), {"danh_sach": "members", "id": str(cast.ward.pk)})
    job = ExportJob.objects.get()
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == ExportState.DONE
    first = client_for(board).get(reverse("programmes:export_download", args=[job.pk]))
    assert first.status_code == 200 and first.getvalue()  # read to its end, as a browser does: the file closes

    RoleAssignment.objects.filter(user=board).update(end_date=timezone.localdate() - datetime.timedelta(days=1))
    RoleAssignmentFactory(user=board, role=Role.ORG_BOARD_STAFF, organisation=cast.other_ward)
    moved = client_for(board)
    assert moved.get(reverse("programmes:members_export", args=[cast.ward.pk])).status_code == 403
    assert moved.get(reverse("programmes:export_download", args=[job.pk])).status_code == 403
    assert AuditEvent.objects.filter(action="export.download").count() == 1
