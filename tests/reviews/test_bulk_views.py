"""A cell's tables in the browser's terms: the secretary's proposals, the committee's decisions and the head's
confirmations of a whole cell, each posted as the page renders it. A table is stored whole or not at all, with each
refusal next to its row and listed above the table; the quota shows for the set; another ward's people are refused;
each page costs the same queries for 10 members as for 40; the cell page and the work list lead to them."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmes.models import OrganisationKind, PartyPost
from reviews.models import CellProposal, Decision, DecisionState, RatingLevel, Review, ReviewState
from tests.factories import PositionFactory, client_for, make_member, make_organisation
from tests.reviews.bulk_data import BulkCell, bulk_cell, cell_meeting, decision_row, propose_all
from tests.reviews.test_bulk_services import decide_table, decided

pytestmark = pytest.mark.django_db

EXCELLENT, GOOD, COMPLETED = RatingLevel.EXCELLENT, RatingLevel.GOOD, RatingLevel.COMPLETED
GROUNDS = "Hoàn thành vượt chỉ tiêu các nội dung cam kết, chi bộ kết luận đúng như tự đánh giá."
JUSTIFICATION = "Các đồng chí có sáng kiến được Ủy ban nhân dân Thành phố công nhận."


def url(name: str, cell: BulkCell) -> str:
    return reverse(f"reviews:{name}", args=[cell.period.pk, cell.cell.pk])


def page_data(response: Any) -> dict[str, Any]:
    """What the browser sends back from the page as rendered: every field of the table and of the rows."""
    data: dict[str, Any] = {}
    forms = [response.context["set_form"], *(row.form for row in response.context["rows"] if row.form is not None)]
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value in (None, False):
                continue
            data[form.add_prefix(name)] = "on" if value is True else value
    return data


def row_key(review: Review, name: str) -> str:
    return f"r{review.pk}-{name}"


def other_ward_person(cast) -> Client:
    """The other ward's cell secretary who also heads its grassroots committee: every table's right, elsewhere."""
    grassroots = make_organisation("Đảng bộ Khu phố 5", OrganisationKind.GRASSROOTS_COMMITTEE, cast.other_ward)
    cell = make_organisation("Chi bộ Khu phố 5A", OrganisationKind.SUBORDINATE_CELL, grassroots)
    cadre = make_member(cell, "bi_thu_sai_gon", full_name="Tạ Thị Nga")
    PositionFactory(cadre=cadre, organisation=cell, party_post=PartyPost.SECRETARY)
    PositionFactory(cadre=cadre, organisation=grassroots, party_post=PartyPost.SECRETARY)
    return client_for(cadre.user)


# --- Proposals -----------------------------------------------------------------------------------------------


def test_the_secretary_records_the_whole_cells_proposals_from_one_table(cast):
    cell = bulk_cell(cast, 10)
    cell_meeting(cell)
    client = client_for(cell.secretary)
    address = url("cell_proposals", cell)

    page = client.get(address)

    assert page.status_code == 200
    text = page.text
    for review in cell.reviews:
        assert review.cadre.full_name in text
    own = next(review for review in cell.reviews if review.cadre.user_id == cell.secretary.pk)
    assert f'name="{row_key(own, "level")}"' not in text
    assert "Bí thư không tự ghi đề xuất cho bản kiểm điểm của chính mình; phó bí thư ghi thay." in text
    assert "js/cell_table.js" in text
    assert "data-quota-box" in text
    data = page_data(page) | {"votes_for": "8", "votes_against": "1", "action": "record"}

    response = client.post(address, data, follow=True)

    assert response.redirect_chain[-1][0] == reverse("reviews:cell_reviews", args=[cell.period.pk, cell.cell.pk])
    assert "Đã ghi đề xuất của chi bộ cho 9 đồng chí." in response.text
    proposals = CellProposal.objects.filter(review__place=cell.cell)
    assert proposals.count() == 9
    assert set(proposals.values_list("votes_for", "votes_against", "level")) == {(8, 1, GOOD)}


def test_a_refused_proposal_row_stores_nothing_and_says_whose_and_why_next_to_it(cast):
    cell = bulk_cell(cast, 6)
    cell_meeting(cell)
    client = client_for(cell.secretary)
    address = url("cell_proposals", cell)
    data = page_data(client.get(address)) | {"votes_for": "4", "votes_against": "0", "action": "record"}
    wrong = next(review for review in cell.reviews if review.cadre.user_id != cell.secretary.pk)
    data[row_key(wrong, "level")] = EXCELLENT
    data[row_key(wrong, "general_points")] = "20"

    response = client.post(address, data)

    assert response.status_code == 200
    text = response.text
    assert "Chưa lưu dòng nào của bảng." in text
    assert f"Đồng chí {wrong.cadre.full_name}</a>: Tổng 85 điểm chỉ đạt mức" in text
    assert f'id="dong-{wrong.pk}" class="table-danger"' in text
    assert not CellProposal.objects.exists()


def test_a_row_without_votes_asks_for_them_where_it_stands(cast):
    cell = bulk_cell(cast, 4)
    cell_meeting(cell)
    client = client_for(cell.secretary)
    address = url("cell_proposals", cell)
    data = page_data(client.get(address)) | {"action": "record"}

    response = client.post(address, data)

    assert "Hãy ghi số phiếu ở dòng này hoặc ở phần biểu quyết chung." in response.text
    assert not CellProposal.objects.exists()


def test_checking_the_quota_without_javascript_counts_the_levels_sent_and_stores_nothing(cast):
    cell = bulk_cell(cast, 8)
    cell_meeting(cell)
    client = client_for(cell.secretary)
    address = url("cell_proposals", cell)
    data = page_data(client.get(address)) | {"action": "check"}
    others = [review for review in cell.reviews if review.cadre.user_id != cell.secretary.pk]
    for review in others[:3]:
        data[row_key(review, "level")] = EXCELLENT

    response = client.post(address, data)

    quota = response.context["quotas"][0]
    # 3 Excellent on 4 Good: 0 allowed, 3 beyond (a warning for the cell).
    assert (quota.status.excellent, quota.status.good, quota.status.allowed, quota.beyond) == (3, 4, 0, 3)
    assert 'data-count="excellent">3<' in response.text
    assert not CellProposal.objects.exists()


def test_the_quota_warning_is_given_once_naming_the_members_it_is_about(cast):
    cell = bulk_cell(cast, 8)
    cell_meeting(cell)
    client = client_for(cell.secretary)
    address = url("cell_proposals", cell)
    data = page_data(client.get(address)) | {"votes_for": "6", "votes_against": "0", "action": "record"}
    others = [review for review in cell.reviews if review.cadre.user_id != cell.secretary.pk]
    for review in others[:2]:
        data[row_key(review, "level")] = EXCELLENT

    response = client.post(address, data, follow=True)

    names = ", ".join(review.cadre.full_name for review in others[:2])
    warning = (
        f"Đồng chí {names}: Đảng bộ Khu phố 1 có 2 đảng viên xuất sắc trên 5 đảng viên tốt, vượt tỷ lệ cho phép: "
        "tối đa 1, tức 20% số hoàn thành tốt nhiệm vụ."
    )
    assert [str(message) for message in response.context["messages"] if "vượt tỷ lệ" in str(message)] == [warning]
    assert CellProposal.objects.filter(level=EXCELLENT).count() == 2


# --- Decisions -----------------------------------------------------------------------------------------------


def test_the_committee_decides_a_40_member_cell_from_one_table(cast):
    cell = bulk_cell(cast, 40)
    propose_all(cell)
    client = client_for(cast.committee_staff.user)
    address = url("cell_decisions", cell)
    page = client.get(address)
    assert page.status_code == 200
    assert page.text.count('<option value="good" selected>') == 40

    response = client.post(address, page_data(page) | {"action": "decide"}, follow=True)

    assert "Đã quyết định xếp loại 40 đồng chí; chờ người đứng đầu xác nhận." in response.text
    assert Decision.objects.filter(review__place=cell.cell, state=DecisionState.AWAITING_CONFIRMATION).count() == 40


def test_a_40_member_table_with_one_refused_row_decides_nobody(cast):
    cell = bulk_cell(cast, 40)
    propose_all(cell)
    client = client_for(cast.committee_staff.user)
    address = url("cell_decisions", cell)
    data = page_data(client.get(address)) | {"action": "decide"}
    lowered = cell.reviews[17]
    data[row_key(lowered, "level")] = COMPLETED

    response = client.post(address, data)

    assert response.status_code == 200
    assert (
        f"Đồng chí {lowered.cadre.full_name}</a>: Xếp loại khác đề xuất của chi bộ (“Hoàn thành tốt nhiệm vụ”) cần "
        "ghi lý do." in response.text
    )
    assert not Decision.objects.exists()


def test_the_tables_excellent_ratings_beyond_the_quota_need_the_sets_justification(cast):
    cell = bulk_cell(cast, 10)
    propose_all(cell)
    client = client_for(cast.committee_staff.user)
    address = url("cell_decisions", cell)
    data = page_data(client.get(address)) | {"action": "decide"}
    for review in cell.reviews[:3]:
        data[row_key(review, "level")] = EXCELLENT
        data[row_key(review, "reason")] = "Có sáng kiến được công nhận."

    refused = client.post(address, data)

    assert "Bảng làm vượt tỷ lệ xuất sắc: hãy ghi giải trình để quyết định vượt." in refused.text
    assert refused.context["beyond"] == 2
    assert not Decision.objects.exists()

    client.post(address, data | {"quota_override": JUSTIFICATION})

    decisions = Decision.objects.filter(review__place=cell.cell)
    assert decisions.count() == 10
    assert decisions.filter(quota_override=JUSTIFICATION).count() == 2


# --- Confirmations -------------------------------------------------------------------------------------------


def test_the_head_ticks_several_decisions_and_confirms_them_at_once(cast):
    cell = decided(cast, 5)
    client = client_for(cast.head.user)
    address = url("cell_confirmations", cell)
    page = client.get(address)
    assert page.status_code == 200
    data = page_data(page) | {"grounds": GROUNDS}
    chosen = cell.reviews[:3]
    for review in chosen:
        data[row_key(review, "confirm")] = "on"
        data[row_key(review, "assessments")] = [review.assessments.order_by("position")[0].pk]

    response = client.post(address, data, follow=True)

    assert "Đã xác nhận kết quả của 3 đồng chí" in response.text
    confirmed = Decision.objects.filter(state=DecisionState.CONFIRMED)
    assert {decision.review_id for decision in confirmed} == {review.pk for review in chosen}
    assert {decision.grounds for decision in confirmed} == {GROUNDS}


def test_a_ticked_decision_without_a_cited_commitment_confirms_none(cast):
    cell = decided(cast, 3)
    client = client_for(cast.head.user)
    address = url("cell_confirmations", cell)
    data = page_data(client.get(address)) | {"grounds": GROUNDS}
    for review in cell.reviews:
        data[row_key(review, "confirm")] = "on"
        data[row_key(review, "assessments")] = [review.assessments.order_by("position")[0].pk]
    del data[row_key(cell.reviews[1], "assessments")]

    response = client.post(address, data)

    assert "Hãy chọn ít nhất một nội dung cam kết hoặc minh chứng làm căn cứ cụ thể." in response.text
    assert f"Đồng chí {cell.reviews[1].cadre.full_name}" in response.text
    assert not Decision.objects.filter(state=DecisionState.CONFIRMED).exists()


# --- Who may open the tables ---------------------------------------------------------------------------------


TABLES = ("cell_proposals", "cell_decisions", "cell_confirmations")


def test_the_other_wards_people_get_404_plain_members_403_and_nothing_changes(cast):
    cell = bulk_cell(cast, 4)
    propose_all(cell)
    # The other ward, and a member of another cell, learn nothing of the period, as on the cell's page; a member of
    # the cell reads her own review there, and may not act.
    own = next(review.cadre for review in cell.reviews if review.cadre.user is None)
    own.user = User.objects.create_user("dang_vien_cua_chi_bo")
    own.save(update_fields=["user"])
    outsiders = {
        "other ward": (other_ward_person(cast), 404),
        "member of another cell": (client_for(cast.member.user), 404),
        "member of the cell": (client_for(own.user), 403),
    }
    for name in TABLES:
        for who, (client, status) in outsiders.items():
            page = client.get(url(name, cell))
            assert page.status_code == status, (name, who)
            assert (cell.period.title in page.text) == (status == 403), (name, who)
            assert client.post(url(name, cell), {"action": "record"}).status_code == status, (name, who)
    assert not Decision.objects.exists()
    assert Review.objects.filter(place=cell.cell, state=ReviewState.CELL_PROPOSED).count() == 4


def test_each_table_is_for_its_own_people(cast):
    cell = bulk_cell(cast, 4)
    propose_all(cell)
    assert client_for(cell.secretary).get(url("cell_decisions", cell)).status_code == 403
    assert client_for(cast.committee_staff.user).get(url("cell_proposals", cell)).status_code == 403
    assert client_for(cast.committee_staff.user).get(url("cell_confirmations", cell)).status_code == 403
    assert client_for(cast.head.user).get(url("cell_confirmations", cell)).status_code == 200


# --- Links ---------------------------------------------------------------------------------------------------


def test_the_cell_page_and_the_work_list_lead_to_the_tables(cast):
    cell = bulk_cell(cast, 4)
    cell_meeting(cell)
    cell_page = reverse("reviews:cell_reviews", args=[cell.period.pk, cell.cell.pk])
    secretary = client_for(cell.secretary)
    assert url("cell_proposals", cell) in secretary.get(cell_page).text
    assert url("cell_proposals", cell) in secretary.get(reverse("reviews:work_list")).text

    propose_all(cell)
    staff = client_for(cast.committee_staff.user)
    assert url("cell_decisions", cell) in staff.get(cell_page).text
    assert url("cell_decisions", cell) in staff.get(reverse("reviews:work_list")).text

    decide_table(cell, cast.committee_staff.user, [decision_row(review) for review in cell.reviews])
    head = client_for(cast.head.user)
    assert url("cell_confirmations", cell) in head.get(cell_page).text
    assert url("cell_confirmations", cell) in head.get(reverse("reviews:work_list")).text


# --- Query counts --------------------------------------------------------------------------------------------


def _queries(client: Client, address: str) -> int:
    client.get(address)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


# Session, user, the period, the place, grants (cadre, membership, posts, roles), the reviews, their commitments,
# the header's counts: 11; then each table's own, and for those who do not record for the place, whether they read
# one of its reviews (1: else 404). The proposals: the meetings, the flags on the verdicts shown
# (terms, finished dates, notes) and the quota outside the table (5). The decisions: the flags and the quota (4).
# The confirmations: the decisions waiting and the head of the deciding body (2).
PROPOSALS_PAGE_QUERIES = 11 + 5
DECISIONS_PAGE_QUERIES = 11 + 4 + 1
CONFIRMATIONS_PAGE_QUERIES = 11 + 2 + 1


@pytest.mark.parametrize("size", [10, 40])
def test_each_table_costs_the_same_queries_for_10_and_40_members(cast, size):
    cell = bulk_cell(cast, size)
    cell_meeting(cell)
    proposals = _queries(client_for(cell.secretary), url("cell_proposals", cell))
    propose_all(cell)
    decisions = _queries(client_for(cast.committee_staff.user), url("cell_decisions", cell))
    decide_table(cell, cast.committee_staff.user, [decision_row(review) for review in cell.reviews])
    confirmations = _queries(client_for(cast.head.user), url("cell_confirmations", cell))

    assert (proposals, decisions, confirmations) == (
        PROPOSALS_PAGE_QUERIES,
        DECISIONS_PAGE_QUERIES,
        CONFIRMATIONS_PAGE_QUERIES,
    )
