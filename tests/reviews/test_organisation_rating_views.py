"""The page of party organisations' ratings: the ward's committee rates the organisations directly under it in one
table, each refusal beside its row and the quota shown per group; others get 404; the page costs the same number of
queries whatever the number of organisations."""

import datetime
from collections.abc import Sequence
from collections.abc import Set as AbstractSet

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmes.models import PartyOrganisation, PartyPost
from reviews import services
from reviews.models import Decision, OrganisationRating, RatingLevel, ReviewPeriod
from tests.factories import PositionFactory, client_for
from tests.reviews.review_data import committee_member, open_period, proposed_review
from tests.reviews.test_organisation_ratings import JUSTIFICATION, collective_period, row, ward_cells

pytestmark = pytest.mark.django_db

EXCELLENT, GOOD, COMPLETED = RatingLevel.EXCELLENT, RatingLevel.GOOD, RatingLevel.COMPLETED


def page(period: ReviewPeriod, upper: PartyOrganisation) -> str:
    return reverse("reviews:organisation_ratings", args=[period.pk, upper.pk])


def table_post(
    cells: Sequence[PartyOrganisation], levels: Sequence[str], justified: AbstractSet[int] = frozenset()
) -> dict[str, str]:
    data = {"action": "rate"}
    for index, (cell, level) in enumerate(zip(cells, levels, strict=True)):
        prefix = f"o{cell.pk}-"
        data |= {
            prefix + "level": level,
            prefix + "tasks_total": "10",
            prefix + "tasks_completed": "10",
            prefix + "tasks_exceeding": "3",
            prefix + "discipline_free": "on",
            prefix + "function_group": "",
            prefix + "quota_justification": JUSTIFICATION if index in justified else "",
        }
    return data


def test_the_ward_rates_its_organisations_from_the_period_page_and_the_quota_asks_for_a_justification(cast):
    period = collective_period(cast)
    cells = ward_cells(cast, 13)
    board = client_for(cast.org_board)
    assert page(period, cast.ward) in board.get(reverse("reviews:period_detail", args=[period.pk])).text
    shown = board.get(page(period, cast.ward))
    assert shown.status_code == 200
    assert all(cell.name in shown.text for cell in cells)
    # The ward's own grassroots committee is a row too; the cells further down are not.
    assert cast.grassroots.name in shown.text and cast.cell_a.name not in shown.text

    # The grassroots committee is left blank: not part of the table.
    levels = [GOOD] * 10 + [EXCELLENT] * 3
    refused = board.post(page(period, cast.ward), table_post(cells, levels))
    assert refused.status_code == 200
    assert not OrganisationRating.objects.exists()
    text = refused.text
    assert "Chưa lưu dòng nào của bảng." in text
    assert f'id="to-chuc-{cells[12].pk}" class="row-refused"' in text
    assert f'id="to-chuc-{cells[0].pk}" class="row-refused"' not in text
    assert "Vượt tỷ lệ: 1 tổ chức xuất sắc vượt, còn thiếu giải trình cho 1." in text
    assert "Cần giải trình cho ít nhất 1 tổ chức xuất sắc vượt tỷ lệ." in text

    stored = board.post(page(period, cast.ward), table_post(cells, levels, justified={12}))
    assert stored.status_code == 302
    assert OrganisationRating.objects.count() == 13
    assert OrganisationRating.objects.get(organisation=cells[12]).quota_justification == JUSTIFICATION
    again = board.get(page(period, cast.ward)).text
    assert "Vượt tỷ lệ 1 tổ chức, đã có giải trình." in again


def test_a_row_without_its_figures_is_named_and_nothing_is_stored(cast):
    period = collective_period(cast)
    cells = ward_cells(cast, 2)
    data = table_post(cells, [GOOD, GOOD])
    data[f"o{cells[1].pk}-tasks_total"] = ""
    response = client_for(cast.org_board).post(page(period, cast.ward), data)
    assert response.status_code == 200
    assert "Hãy ghi số nhiệm vụ (ghi 0 nếu không có)." in response.text
    assert not OrganisationRating.objects.exists()


def test_another_wards_committee_and_the_committees_below_get_404(cast):
    period = collective_period(cast)
    ward_cells(cast, 2)
    other_ward = committee_member(
        cast.cell_b, cast.other_ward, "other_standing", "Lý Văn Tâm", post=PartyPost.STANDING_MEMBER
    )
    for user in (other_ward, cast.committee_staff.user, cast.head.user, cast.member.user):
        client = client_for(user)
        assert client.get(page(period, cast.ward)).status_code == 404
        assert client.post(page(period, cast.ward), {"action": "rate"}).status_code == 404


def test_a_period_without_collectives_has_no_such_page_and_no_link_to_it(cast):
    period = open_period(cast.ward, cast.org_board)
    ward_cells(cast, 2)
    board = client_for(cast.org_board)
    assert board.get(page(period, cast.ward)).status_code == 404
    assert "/xep-loai/" not in board.get(reverse("reviews:period_detail", args=[period.pk])).text


def test_the_page_costs_the_same_queries_whatever_the_number_of_organisations(cast):
    period = collective_period(cast)
    board = client_for(cast.org_board)
    ward_cells(cast, 2)
    board.get(page(period, cast.ward))
    counts = []
    for more in (0, 6):
        if more:
            ward_cells(cast, more)
        with CaptureQueriesContext(connection) as captured:
            assert board.get(page(period, cast.ward)).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_the_committees_decision_page_shows_the_leaders_unit_refusal_beside_the_level(cast):
    review = proposed_review(cast, excellent=True, includes_collectives=True)
    unit = ward_cells(cast, 1)[0]
    PositionFactory(cadre=cast.member, organisation=unit, party_post=PartyPost.SECRETARY)
    services.rate_organisations(
        period=review.period,
        upper=cast.ward,
        rows=[row(unit, RatingLevel.COMPLETED, tasks_completed=9, tasks_exceeding=4)],
        acting_user=cast.org_board,
    )
    values = {"action": "decide", "level": EXCELLENT, "general_points": "30", "task_points": "65"}
    response = client_for(cast.committee_staff.user).post(reverse("reviews:decision_make", args=[review.pk]), values)
    assert response.status_code == 200
    assert f"Đồng chí trực tiếp lãnh đạo {unit.name}: đơn vị hoàn thành 9 trên 10 nhiệm vụ" in response.text
    assert not Decision.objects.filter(review=review).exists()


def test_a_stored_excellent_left_beyond_the_quota_is_refused_beside_its_row_or_above_the_table(cast):
    period = collective_period(cast)
    cells = ward_cells(cast, 6)
    services.rate_organisations(
        period=period,
        upper=cast.ward,
        rows=[row(cells[0], EXCELLENT), *(row(cell) for cell in cells[1:])],
        acting_user=cast.org_board,
    )
    board = client_for(cast.org_board)
    # The Excellent row is left blank and three Good cells are lowered to Completed.
    lowered = table_post(cells, ["", COMPLETED, COMPLETED, COMPLETED, GOOD, GOOD])
    refused = board.post(page(period, cast.ward), lowered)
    assert refused.status_code == 200
    assert f'id="to-chuc-{cells[0].pk}" class="row-refused"' in refused.text
    assert f"{cells[0].name} đã được xếp “Hoàn thành xuất sắc nhiệm vụ” từ trước mà không có giải trình" in (
        refused.text
    )
    assert set(OrganisationRating.objects.values_list("level", flat=True)) == {EXCELLENT, GOOD}

    # An organisation no longer listed (dissolved before the period's end after it was rated): above the table.
    cells[0].valid_to = period.covers_to - datetime.timedelta(days=1)
    cells[0].save(update_fields=["valid_to"])
    refused = board.post(page(period, cast.ward), table_post(cells[1:], [COMPLETED, COMPLETED, COMPLETED, GOOD, GOOD]))
    assert refused.status_code == 200
    assert f"{cells[0].name} đã được xếp “Hoàn thành xuất sắc nhiệm vụ” từ trước mà không có giải trình" in (
        refused.text
    )
    assert set(OrganisationRating.objects.values_list("level", flat=True)) == {EXCELLENT, GOOD}
