"""The rating of party organisations (Hướng dẫn 43-HD/BTCTW), through the service: the committee directly above
rates the organisations under it as one table, all or none; Excellent collectives beyond 20% of the Good ones of a
group of similar function need a written justification, whatever the rows' order; two tables at once cannot both
pass the quota unjustified; and a leader's Excellent rating needs the units they lead to reach their tasks."""

import datetime
from collections.abc import Sequence

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from programmes.models import AuditEvent, PartyOrganisation, PartyPost
from programmes.models.organisations import OrganisationKind
from reviews import services
from reviews.audit_actions import ReviewAction
from reviews.models import OrganisationRating, RatingLevel, ReviewPeriod
from reviews.services.collective import subordinates
from tests.access_matrix.runner import outer_test_block
from tests.concurrency import race
from tests.factories import PositionFactory, make_organisation
from tests.reviews.review_data import committee_member, open_period, proposed_review

pytestmark = pytest.mark.django_db

EXCELLENT, GOOD, COMPLETED = RatingLevel.EXCELLENT, RatingLevel.GOOD, RatingLevel.COMPLETED
JUSTIFICATION = "Chi bộ dẫn đầu phong trào chuyển đổi số của phường, được Thành ủy biểu dương."
CELLS = OrganisationKind.GRASSROOTS_CELL.label


def ward_cells(cast, number: int) -> list[PartyOrganisation]:
    """`number` grassroots cells directly under the ward (one group of similar function: grassroots cells)."""
    return [
        make_organisation(f"Chi bộ Khu phố {index + 10}", OrganisationKind.GRASSROOTS_CELL, cast.ward)
        for index in range(number)
    ]


def ward_standing_member(cast):
    return committee_member(cast.cell_b, cast.ward, "ward_standing", "Đặng Văn Phúc", post=PartyPost.STANDING_MEMBER)


def collective_period(cast) -> ReviewPeriod:
    return open_period(cast.ward, cast.org_board, includes_collectives=True)


def row(
    organisation: PartyOrganisation, level: str = GOOD, *, justification: str = "", **figures: int | bool
) -> services.OrganisationRow:
    """A row that keeps the rules of its level: Excellent on 10 tasks all completed, 3 exceeding, nobody
    disciplined; `figures` change any of them."""
    values: dict[str, int | bool] = {
        "tasks_total": 10,
        "tasks_completed": 10,
        "tasks_exceeding": 3,
        "discipline_free": True,
    }
    values.update(figures)
    return services.OrganisationRow(
        organisation=organisation,
        level=level,
        quota_justification=justification,
        tasks_total=int(values["tasks_total"]),
        tasks_completed=int(values["tasks_completed"]),
        tasks_exceeding=int(values["tasks_exceeding"]),
        discipline_free=bool(values["discipline_free"]),
    )


def rate(cast, period: ReviewPeriod, rows: Sequence[services.OrganisationRow], user=None) -> list[OrganisationRating]:
    return services.rate_organisations(
        period=period, upper=cast.ward, rows=rows, acting_user=user if user is not None else cast.org_board
    )


def test_the_third_excellent_of_ten_good_asks_for_a_justification_and_is_stored_with_one(cast):
    period = collective_period(cast)
    cells = ward_cells(cast, 13)
    levels = [GOOD] * 10 + [EXCELLENT] * 3

    with pytest.raises(services.RowsRefused) as refused:
        rate(cast, period, [row(cell, level) for cell, level in zip(cells, levels, strict=True)])

    assert set(refused.value.refusals) == {cell.pk for cell in cells[10:]}
    for refusal in refused.value.refusals.values():
        assert isinstance(refusal, ValidationError)
        assert refusal.message_dict == {
            "quota_justification": [
                f"Nhóm “{CELLS}” có 3 tổ chức hoàn thành xuất sắc nhiệm vụ trên 10 tổ chức hoàn thành tốt nhiệm vụ, "
                "vượt tỷ lệ cho phép: tối đa 2, tức 20% số hoàn thành tốt nhiệm vụ. Cần giải trình cho ít nhất 1 "
                "tổ chức xuất sắc vượt tỷ lệ."
            ]
        }
    assert not OrganisationRating.objects.exists()

    rows = [row(cell, level) for cell, level in zip(cells[:12], levels, strict=False)]
    rows.append(row(cells[12], EXCELLENT, justification=JUSTIFICATION))
    ratings = rate(cast, period, rows)

    assert len(ratings) == 13
    stored = dict(OrganisationRating.objects.values_list("organisation", "quota_justification"))
    assert stored[cells[12].pk] == JUSTIFICATION
    assert {stored[cell.pk] for cell in cells[:12]} == {""}
    assert set(OrganisationRating.objects.values_list("function_group", flat=True)) == {CELLS}
    events = AuditEvent.objects.filter(action=ReviewAction.ORGANISATION_RATE)
    assert events.count() == 13
    assert {(event.after or {}).get("level") for event in events} == {GOOD, EXCELLENT}


def test_a_later_table_adding_the_third_excellent_asks_for_its_justification_alone(cast):
    period = collective_period(cast)
    cells = ward_cells(cast, 13)
    rate(cast, period, [row(cell) for cell in cells[:10]] + [row(cell, EXCELLENT) for cell in cells[10:12]])

    with pytest.raises(services.RowsRefused) as refused:
        rate(cast, period, [row(cells[12], EXCELLENT)])
    assert list(refused.value.refusals) == [cells[12].pk]

    # The two stored before stay unjustified: the one that goes beyond the quota carries the justification.
    rate(cast, period, [row(cells[12], EXCELLENT, justification=JUSTIFICATION)])
    assert OrganisationRating.objects.filter(level=EXCELLENT).count() == 3


def test_the_rules_of_an_excellent_or_good_collective_are_refused_row_by_row_and_nothing_is_stored(cast):
    period = collective_period(cast)
    cells = ward_cells(cast, 5)
    rows = [
        row(cells[0], EXCELLENT, tasks_completed=9, tasks_exceeding=3),
        row(cells[1], EXCELLENT, tasks_exceeding=2),
        row(cells[2], EXCELLENT, discipline_free=False),
        row(cells[3], COMPLETED, tasks_completed=8, tasks_exceeding=0),
        row(cells[4], GOOD, tasks_completed=9, tasks_exceeding=0, discipline_free=False),
    ]
    with pytest.raises(services.RowsRefused) as refused:
        rate(cast, period, rows)

    refusals = {pk: refusal for pk, refusal in refused.value.refusals.items() if isinstance(refusal, ValidationError)}
    assert set(refusals) == set(refused.value.refusals) == {cells[0].pk, cells[1].pk, cells[2].pk, cells[4].pk}
    assert "tasks_completed" in refusals[cells[0].pk].message_dict
    # Good asks every task completed, not the share exceeding nor the discipline condition of Excellent.
    assert refusals[cells[4].pk].message_dict == {
        "tasks_completed": ["Mức “Hoàn thành tốt nhiệm vụ” đòi hỏi hoàn thành 100% nhiệm vụ; mới hoàn thành 9 trên 10."]
    }
    assert refusals[cells[1].pk].message_dict["tasks_exceeding"] == [
        "Mức “Hoàn thành xuất sắc nhiệm vụ” đòi hỏi ít nhất 30% nhiệm vụ vượt yêu cầu (3 trên 10); hiện có 2."
    ]
    assert "discipline_free" in refusals[cells[2].pk].message_dict
    assert not OrganisationRating.objects.exists()


def test_only_the_committee_directly_above_rates_and_only_its_own_subordinates(cast):
    period = collective_period(cast)
    cells = ward_cells(cast, 2)
    standing = ward_standing_member(cast)
    other_ward = committee_member(
        cast.cell_b, cast.other_ward, "other_standing", "Lý Văn Tâm", post=PartyPost.STANDING_MEMBER
    )
    for outsider in (other_ward, cast.committee_staff.user, cast.head.user):
        with pytest.raises(PermissionDenied):
            rate(cast, period, [row(cells[0])], user=outsider)
    # A cell further down is not directly under the ward.
    with pytest.raises(ValidationError, match="không trực thuộc"):
        rate(cast, period, [row(cast.cell_a)], user=standing)
    assert len(rate(cast, period, [row(cell) for cell in cells], user=standing)) == 2


def test_an_organisation_dissolved_before_the_period_ends_is_not_rated_and_one_formed_later_neither(cast):
    period = collective_period(cast)
    kept, dissolved, formed_later = ward_cells(cast, 3)
    dissolved.valid_to = period.covers_to - datetime.timedelta(days=1)
    dissolved.save(update_fields=["valid_to"])
    formed_later.valid_from = period.covers_to + datetime.timedelta(days=1)
    formed_later.save(update_fields=["valid_from"])
    assert kept in set(subordinates(cast.ward, period))
    assert not {dissolved, formed_later} & set(subordinates(cast.ward, period))
    for gone in (dissolved, formed_later):
        with pytest.raises(ValidationError, match="không trực thuộc"):
            rate(cast, period, [row(kept), row(gone)])
    assert not OrganisationRating.objects.exists()


def test_a_period_without_collectives_rates_no_organisation(cast):
    period = open_period(cast.ward, cast.org_board)
    with pytest.raises(ValidationError, match="không xếp loại tổ chức đảng"):
        rate(cast, period, [row(ward_cells(cast, 1)[0])])


# --- Whatever the order ------------------------------------------------------------------------------------------

levels = st.sampled_from([EXCELLENT, EXCELLENT, GOOD, GOOD, GOOD, COMPLETED])


@pytest.fixture
def pool(cast) -> tuple[ReviewPeriod, list[PartyOrganisation]]:
    return collective_period(cast), ward_cells(cast, 12)


def outcome(cast, period: ReviewPeriod, rows: list[services.OrganisationRow]) -> tuple[str, frozenset[int]]:
    """Whether the table was stored, and which rows were refused; rolled back either way."""
    with outer_test_block():
        try:
            rate(cast, period, rows)
        except services.RowsRefused as refused:
            result = ("refused", frozenset(refused.refusals))
        else:
            result = ("stored", frozenset(OrganisationRating.objects.values_list("organisation", flat=True)))
        transaction.set_rollback(True)
    return result


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chosen=st.lists(st.tuples(levels, st.booleans()), min_size=1, max_size=12), data=st.data())
def test_the_outcome_of_a_table_does_not_depend_on_the_order_of_its_rows(cast, pool, chosen, data):
    period, cells = pool
    rows = [
        row(cell, level, justification=JUSTIFICATION if justified else "")
        for cell, (level, justified) in zip(cells, chosen, strict=False)
    ]
    first = outcome(cast, period, rows)
    for _round in range(3):
        assert outcome(cast, period, data.draw(st.permutations(rows))) == first
    excellent = sum(level == EXCELLENT for level, _ in chosen)
    allowed = sum(level == GOOD for level, _ in chosen) * 20 // 100
    justified = sum(level == EXCELLENT and flag for level, flag in chosen)
    assert (first[0] == "stored") == (excellent - allowed <= justified)


# --- Two tables at once --------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tables_of_the_ward_at_once_cannot_both_pass_the_quota_unjustified(cast, migrated_rows):
    """Ten Good cells are rated; two staff members then each rate one more cell Excellent at the same moment, with
    two allowed and one already standing. The second table to count waits for the first to commit, sees its
    Excellent rating and asks for the justification."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite runs one writer at a time")
    period = collective_period(cast)
    cells = ward_cells(cast, 13)
    standing = ward_standing_member(cast)
    rate(cast, period, [row(cell) for cell in cells[:10]] + [row(cells[10], EXCELLENT)])

    outcomes = race(
        lambda: rate(cast, period, [row(cells[11], EXCELLENT)]),
        lambda: rate(cast, period, [row(cells[12], EXCELLENT)], user=standing),
        block=outer_test_block,
    )

    assert isinstance(outcomes["first"], list) and len(outcomes["first"]) == 1
    refused = outcomes["second"]
    assert isinstance(refused, services.RowsRefused), refused
    assert list(refused.refusals) == [cells[12].pk]
    assert OrganisationRating.objects.filter(level=EXCELLENT).count() == 2


# --- A leader's Excellent rating ----------------------------------------------------------------------------------


def test_a_leaders_excellent_needs_the_unit_they_lead_to_complete_every_task_with_enough_exceeding(cast):
    review = proposed_review(cast, excellent=True, includes_collectives=True)
    unit = ward_cells(cast, 1)[0]
    PositionFactory(cadre=cast.member, organisation=unit, party_post=PartyPost.SECRETARY)
    staff = cast.committee_staff.user
    rate(cast, review.period, [row(unit, COMPLETED, tasks_completed=9, tasks_exceeding=4)])

    with pytest.raises(ValidationError) as refused:
        services.decision_make(review=review, level=EXCELLENT, acting_user=staff)
    assert refused.value.message_dict == {
        "level": [
            "Đồng chí trực tiếp lãnh đạo Chi bộ Khu phố 10: đơn vị hoàn thành 9 trên 10 nhiệm vụ, 4 vượt yêu cầu. "
            "Người đứng đầu chỉ được xếp “Hoàn thành xuất sắc nhiệm vụ” khi đơn vị mình trực tiếp lãnh đạo hoàn "
            "thành 100% nhiệm vụ, trong đó ít nhất 30% vượt yêu cầu."
        ]
    }
    # Every task completed but too few exceeding: still refused.
    rate(cast, review.period, [row(unit, GOOD, tasks_exceeding=2)])
    with pytest.raises(ValidationError, match="Chi bộ Khu phố 10"):
        services.decision_make(review=review, level=EXCELLENT, acting_user=staff)

    # The unit's figures count, not its level: every task completed, 3 of 10 exceeding.
    rate(cast, review.period, [row(unit, GOOD, tasks_exceeding=3)])
    # (The only member decided in the organisation: the individual quota asks its own justification.)
    decision = services.decision_make(review=review, level=EXCELLENT, quota_override=JUSTIFICATION, acting_user=staff)
    assert decision.level == EXCELLENT


def test_a_unit_short_of_its_tasks_does_not_bind_a_good_rating_of_its_leader(cast):
    review = proposed_review(cast, excellent=True, includes_collectives=True)
    unit = ward_cells(cast, 1)[0]
    PositionFactory(cadre=cast.member, organisation=unit, party_post=PartyPost.SECRETARY)
    rate(cast, review.period, [row(unit, COMPLETED, tasks_completed=5)])

    decision = services.decision_make(
        review=review,
        level=GOOD,
        reason="Đơn vị đồng chí lãnh đạo chưa hoàn thành hết nhiệm vụ.",
        acting_user=cast.committee_staff.user,
    )
    assert decision.level == GOOD
