"""The oversight queue's search (tracking code, the cadre's name without accents, area, state, kind) and its
spreadsheet: the cases of the tab and search on screen, never the sender's contact; only the accounts that handle
cases export, and only their own area's."""

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from programmes.models import AuditEvent, PartyPost
from publicity import feedback
from publicity.models import CaseState
from tests.factories import PositionFactory, client_for, make_member
from tests.pages import queries_of
from tests.publicity.feedback_data import SENDER, overseer_of, send
from tests.publicity.public_data import make_public

pytestmark = pytest.mark.django_db

QUEUE = reverse("oversight:queue")
EXPORT = reverse("oversight:queue_export")
CASE_HEADERS = [
    "Mã tra cứu",
    "Cán bộ",
    "Chương trình",
    "Loại",
    "Địa bàn",
    "Cơ quan giám sát",
    "Gửi lúc",
    "Hạn trả lời",
    "Trạng thái",
    "Quá hạn",
    "Kết thúc lúc",
]


def sheet(response: Any) -> list[list[Any]]:
    assert response.status_code == 200, response.status_code
    content = b"".join(response.streaming_content)
    book = load_workbook(io.BytesIO(content))
    return [list(row) for row in book["Góp ý, phản ánh"].iter_rows(values_only=True)]


@pytest.fixture
def cases(cast: Any) -> dict[str, Any]:
    """Two cases about Ánh's programme, one about Cường's; the second about Ánh's is a suggestion whose text would
    run as a formula."""
    secretary_b = make_member(cast.cell_b, "secretary_b", full_name="Đỗ Văn Giang")
    PositionFactory(cadre=secretary_b, organisation=cast.cell_b, party_post=PartyPost.SECRETARY)
    assert secretary_b.user is not None
    anh = make_public(cast.member, cast.secretary.user)
    cuong = make_public(cast.outsider, secretary_b.user, title="Chương trình của Cường")
    return {
        "anh": send(anh, address="192.0.2.1"),
        "anh_formula": send(anh, address="192.0.2.2", kind="suggestion", text="=cmd|' /C calc'!A0 góp ý"),
        "cuong": send(cuong, address="192.0.2.3"),
    }


def test_the_queue_export_has_the_tabs_cases_under_vietnamese_headers_and_no_contact(cast, cases):
    rows = sheet(client_for(cast.overseer).get(EXPORT))

    assert rows[0] == CASE_HEADERS
    assert sorted(row[0] for row in rows[1:]) == sorted(case.tracking_code for case in cases.values())
    assert {row[1] for row in rows[1:]} == {"Trần Thị Ánh", "Phạm Văn Cường"}
    texts = [value for row in rows for value in row if isinstance(value, str)]
    assert not [text for text in texts if text.startswith(("=", "+", "-", "@"))]
    assert not [text for text in texts for value in SENDER.values() if value in text]


@pytest.mark.postgres
def test_the_search_finds_a_case_by_code_or_by_the_cadres_name_and_the_export_follows(cast, cases):
    client = client_for(cast.overseer)
    code = cases["cuong"].tracking_code

    assert [row[0] for row in sheet(client.get(EXPORT, {"q": code.lower()}))[1:]] == [code]
    by_name = sheet(client.get(EXPORT, {"q": "tran thi anh", "loai": "suggestion"}))
    assert [row[0] for row in by_name[1:]] == [cases["anh_formula"].tracking_code]
    page = client.get(QUEUE, {"q": "pham van cuong"}).text
    assert code in page and cases["anh"].tracking_code not in page
    assert f'href="{EXPORT}?q=pham+van+cuong"' in page


def test_the_tab_and_the_state_filter_are_kept_by_the_export(cast, cases):
    feedback.case_accept(case=cases["anh"], acting_user=cast.overseer)
    client = client_for(cast.overseer)

    accepted = sheet(client.get(EXPORT, {"trang_thai": CaseState.ACCEPTED}))
    assert [row[0] for row in accepted[1:]] == [cases["anh"].tracking_code]
    assert sheet(client.get(EXPORT, {"loc": "closed"}))[1:] == []
    page = client.get(QUEUE, {"loc": "all", "q": "anh"}).text
    # The tabs keep the search, and the search keeps the tab.
    assert 'href="?loc=open&amp;q=anh"' in page
    assert 'name="loc" value="all"' in page


@pytest.mark.parametrize("who", ["member", "secretary", "org_board"])
def test_the_party_side_is_refused_the_queues_spreadsheet(cast, cases, who):
    user = {"member": cast.member.user, "secretary": cast.secretary.user, "org_board": cast.org_board}[who]
    assert client_for(user).get(EXPORT).status_code == 403


def test_another_wards_front_exports_its_own_area_and_is_refused_ours(cast, cases):
    other_front = client_for(overseer_of(cast.other_ward, username="front_b"))

    assert sheet(other_front.get(EXPORT)) == [CASE_HEADERS]
    assert other_front.get(EXPORT, {"dia_ban": cast.ward.pk}).status_code == 403
    assert not AuditEvent.objects.filter(action="export.list", after__rows__gt=0).exists()


def test_the_export_is_audited_with_its_filters(cast, cases):
    sheet(client_for(cast.overseer).get(EXPORT, {"loc": "all", "dia_ban": cast.ward.pk}))

    event = AuditEvent.objects.get(action="export.list")
    assert event.actor == cast.overseer
    assert event.after == {"list": "feedback_cases", "filters": {"dia_ban": str(cast.ward.pk), "loc": "all"}, "rows": 3}
    assert event.scope_path == cast.ward.path


def test_the_searched_queue_and_its_export_cost_the_same_queries_for_10_and_100_cases(cast):
    programme = make_public(cast.member, cast.secretary.user)
    client = client_for(cast.overseer)
    search = {"q": "tran thi", "dia_ban": cast.ward.pk, "loai": "report"}

    def cases(first: int, number: int) -> None:
        for index in range(first, first + number):
            send(programme, address=f"198.51.{index // 200}.{index % 200}")

    cases(0, 10)
    page_ten, _answer = queries_of(lambda: client.get(QUEUE, search))
    export_ten, rows = queries_of(lambda: sheet(client.get(EXPORT, search)))
    assert len(rows) == 1 + 10
    cases(10, 90)

    page_hundred, _answer = queries_of(lambda: client.get(QUEUE, search))
    export_hundred, rows = queries_of(lambda: sheet(client.get(EXPORT, search)))

    assert len(rows) == 1 + 100
    assert (page_hundred, export_hundred) == (page_ten, export_ten)
