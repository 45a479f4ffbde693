"""The staff's search of a period's reviews and of the work list's queues, and the period's spreadsheet: levels at
each step and the confirmed decision's grounds, the same rows as the page under the same access and filters."""

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.workbook import Workbook

from programmes.models import AuditEvent, Role
from reviews.models import RatingLevel, Review, ReviewState
from tests.factories import RoleAssignmentFactory, UserFactory, client_for, make_members
from tests.pages import queries_of
from tests.reviews.review_data import final_review, open_period, propose, write_and_submit

pytestmark = pytest.mark.django_db

REVIEW_HEADERS = [
    "Đảng viên",
    "Chức vụ khi kiểm điểm",
    "Chi bộ",
    "Nơi kiểm điểm",
    "Cấp quyết định",
    "Mẫu",
    "Trạng thái",
    "Tự nhận mức",
    "Chi bộ đề xuất",
    "Quyết định chờ xác nhận",
    "Kết quả xếp loại",
    "Căn cứ xác nhận",
    "Lý do không xếp loại",
    "Quá hạn bước hiện tại",
]
# Grounds a spreadsheet would run as a formula.
FORMULA_GROUNDS = '=HYPERLINK("http://example.invalid","Căn cứ") hoàn thành 2/2 nội dung cam kết'


def workbook(response: Any) -> Workbook:
    assert response.status_code == 200, response.status_code
    content = b"".join(response.streaming_content)
    return load_workbook(io.BytesIO(content))


def table(book: Workbook) -> list[list[Any]]:
    return [list(row) for row in book["Bản kiểm điểm"].iter_rows(values_only=True)]


def export_url(review: Review) -> str:
    return reverse("reviews:period_export", args=[review.period_id])


def period_url(review: Review) -> str:
    return reverse("reviews:period_detail", args=[review.period_id])


def board_of(organisation: Any, username: str) -> Any:
    return RoleAssignmentFactory(
        user=UserFactory(username=username), role=Role.ORG_BOARD_STAFF, organisation=organisation
    ).user


@pytest.fixture
def final(cast: Any) -> Review:
    """The member's review, confirmed Good on grounds that read as a formula; the others still self-reviewing."""
    return final_review(cast, grounds=FORMULA_GROUNDS)


@pytest.mark.postgres
def test_the_periods_export_has_the_levels_the_grounds_vietnamese_headers_and_no_formula(cast, final):
    book = workbook(client_for(cast.org_board).get(export_url(final)))

    rows = table(book)
    assert rows[0] == REVIEW_HEADERS
    # By cell, then by name: the grassroots committee's own collective (its members' second review), cell 1A, 1B.
    assert [(row[0], row[3]) for row in rows[1:]] == [
        ("Huỳnh Văn Em", "Đảng bộ Khu phố 1"),
        ("Võ Thị Dung", "Đảng bộ Khu phố 1"),
        ("Lê Văn Bình", "Chi bộ Khu phố 1A"),
        ("Trần Thị Ánh", "Chi bộ Khu phố 1A"),
        ("Huỳnh Văn Em", "Chi bộ Khu phố 1B"),
        ("Phạm Văn Cường", "Chi bộ Khu phố 1B"),
        ("Võ Thị Dung", "Chi bộ Khu phố 1B"),
    ]
    member = rows[4]
    assert member[2:7] == ["Chi bộ Khu phố 1A", "Chi bộ Khu phố 1A", "Đảng bộ Khu phố 1", "2A", "Đã có kết quả"]
    assert member[8] == RatingLevel.GOOD.label and member[10] == RatingLevel.GOOD.label
    assert member[11] == "'" + FORMULA_GROUNDS
    assert rows[3][6] == "Đang viết bản kiểm điểm" and rows[3][10] is None
    texts = [value for row in rows for value in row if isinstance(value, str)]
    assert not [text for text in texts if text.startswith(("=", "+", "-", "@"))]


def test_the_export_holds_what_the_page_shows_each_reader(cast, final):
    secretary = table(workbook(client_for(cast.secretary.user).get(export_url(final))))
    assert [row[0] for row in secretary[1:]] == ["Lê Văn Bình", "Trần Thị Ánh"]
    # The head of the grassroots committee reads its whole subtree, its own collective included.
    head = table(workbook(client_for(cast.head.user).get(export_url(final))))
    assert len(head) == 1 + 7


@pytest.mark.postgres
def test_the_export_carries_the_pages_filters(cast, final):
    client = client_for(cast.org_board)
    by_level = table(workbook(client.get(export_url(final), {"muc": RatingLevel.GOOD})))
    assert [row[0] for row in by_level[1:]] == ["Trần Thị Ánh"]
    by_name = table(workbook(client.get(export_url(final), {"q": "vo thi"})))
    assert [(row[0], row[3]) for row in by_name[1:]] == [
        ("Võ Thị Dung", "Đảng bộ Khu phố 1"),
        ("Võ Thị Dung", "Chi bộ Khu phố 1B"),
    ]
    by_cell = table(workbook(client.get(export_url(final), {"chi_bo": cast.cell_b.pk, "trang_thai": "self_drafting"})))
    assert [row[0] for row in by_cell[1:]] == ["Huỳnh Văn Em", "Phạm Văn Cường", "Võ Thị Dung"]

    page = client.get(period_url(final), {"q": "vo thi"}).text
    assert "Võ Thị Dung" in page and "Trần Thị Ánh" not in page
    assert f'href="{export_url(final)}?q=vo+thi"' in page
    assert "Bản kiểm điểm khớp với bộ lọc (2)" in page


@pytest.mark.parametrize("who", ["member", "other_board", "overseer"])
def test_an_outsider_is_refused_the_periods_spreadsheet(cast, final, who):
    user = {
        "member": cast.member.user,
        "other_board": board_of(cast.other_ward, "board_b"),
        "overseer": cast.overseer,
    }[who]
    assert client_for(user).get(export_url(final)).status_code == 403
    assert not AuditEvent.objects.filter(action="export.list").exists()


def test_a_cell_filter_outside_the_readers_cells_is_refused(cast, final):
    response = client_for(cast.secretary.user).get(export_url(final), {"chi_bo": cast.cell_b.pk})
    assert response.status_code == 403


def test_the_export_is_audited_under_the_periods_scope(cast, final):
    workbook(client_for(cast.org_board).get(export_url(final), {"q": "anh"}))
    event = AuditEvent.objects.get(action="export.list")
    assert event.after == {"list": "reviews", "filters": {"id": str(final.period_id), "q": "anh"}, "rows": 1}
    assert event.scope_path == cast.ward.path


def test_a_search_that_finds_nothing_still_shows_the_period_to_its_reader(cast, final):
    response = client_for(cast.secretary.user).get(period_url(final), {"q": "khong ai ten nay"})
    assert response.status_code == 200
    assert "Không có bản kiểm điểm nào khớp với bộ lọc." in response.text
    # To someone who reads none of its reviews, the period does not exist, searched or not.
    assert client_for(board_of(cast.other_ward, "board_b")).get(period_url(final), {"q": "x"}).status_code == 404


def _more_reviews(review: Review, number: int) -> None:
    """`number` more reviews in the period of `review`, of members without accounts in its cell, written in bulk."""
    cadres = make_members(review.cell, number)
    Review.objects.bulk_create(
        Review(
            period_id=review.period_id,
            cadre=cadre,
            place=review.cell,
            cell=review.cell,
            deciding_organisation=review.deciding_organisation,
        )
        for cadre in cadres
    )


SEARCHES = [
    {},
    {"q": "nguyen van", "trang_thai": "self_drafting"},
    {"muc": "good", "chi_bo": "cell_a", "qua_han": "on"},
]


@pytest.mark.parametrize("search", SEARCHES, ids=["unfiltered", "name_and_state", "level_cell_overdue"])
def test_the_searched_period_page_and_its_export_cost_the_same_queries_for_10_and_100_reviews(cast, final, search):
    filters = {name: str(cast.cell_a.pk) if value == "cell_a" else value for name, value in search.items()}
    client = client_for(cast.org_board)
    _more_reviews(final, 10 - Review.objects.filter(period=final.period).count())
    page_ten, _answer = queries_of(lambda: client.get(period_url(final), filters))
    export_ten, _book = queries_of(lambda: workbook(client.get(export_url(final), filters)))
    _more_reviews(final, 90)
    assert Review.objects.filter(period=final.period).count() == 100

    page_hundred, answer = queries_of(lambda: client.get(period_url(final), filters))
    export_hundred, _book = queries_of(lambda: workbook(client.get(export_url(final), filters)))

    assert answer.status_code == 200
    assert (page_hundred, export_hundred) == (page_ten, export_ten)


def test_the_searched_work_list_costs_the_same_queries_for_10_and_100_proposals(cast):
    period = open_period(cast.ward, cast.org_board)
    member = Review.objects.get(period=period, cadre=cast.member)
    write_and_submit(member)
    propose(member, cast.secretary.user)
    member.refresh_from_db()
    client = client_for(cast.committee_staff.user)
    search = {"q": "nguyen van", "to_chuc": cast.cell_a.pk, "qua_han": ""}

    def proposals(number: int) -> None:
        _more_reviews(member, number)
        Review.objects.filter(period=period, state=ReviewState.SELF_DRAFTING, cadre__user__isnull=True).update(
            state=ReviewState.CELL_PROPOSED
        )

    proposals(10)
    ten, response = queries_of(lambda: client.get(reverse("reviews:work_list"), search))
    assert response.context["to_decide"].total == 10
    proposals(90)
    hundred, response = queries_of(lambda: client.get(reverse("reviews:work_list"), search))
    assert response.context["to_decide"].total == 100
    assert hundred == ten


def test_the_committee_searches_its_queues(cast):
    period = open_period(cast.ward, cast.org_board)
    for cadre in (cast.member, cast.outsider):
        review = Review.objects.get(period=period, cadre=cadre)
        write_and_submit(review)
        secretary = cast.secretary.user if cadre == cast.member else None
        if secretary is not None:
            propose(review, secretary)
    proposed = Review.objects.filter(period=period, state=ReviewState.CELL_PROPOSED)
    assert [review.cadre for review in proposed] == [cast.member]
    client = client_for(cast.committee_staff.user)
    work_list = reverse("reviews:work_list")

    assert "Trần Thị Ánh" in client.get(work_list, {"q": "tran thi anh"}).text
    found = client.get(work_list, {"q": "pham van"})
    assert found.context["to_decide"].total == 0
    assert client.get(work_list, {"to_chuc": cast.cell_a.pk}).context["to_decide"].total == 1
    assert client.get(work_list, {"to_chuc": cast.cell_b.pk}).context["to_decide"].total == 0
    assert client.get(work_list, {"qua_han": "on"}).context["to_decide"].total == 0
