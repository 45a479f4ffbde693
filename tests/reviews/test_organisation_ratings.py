"""The rating of party organisations (Hướng dẫn 43-HD/BTCTW), through the service: the committee directly above
rates the organisations under it as one table, all or none; Excellent collectives beyond 20% of the Good ones of a
group of similar function need a written justification, whatever the rows' order; two tables at once cannot both
pass the quota unjustified; and a leader's Excellent rating needs the units they lead to reach their tasks."""

import datetime
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import connection, transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from programmes.models import AuditEvent, PartyOrganisation, PartyPost
from programmes.models.organisations import OrganisationKind
from reviews import services
from reviews.audit_actions import ReviewAction
from reviews.models import AppealState, Decision, LevelChange, OrganisationRating, RatingLevel, ReviewPeriod
from reviews.services.collective import Standing, group_quotas, subordinates
from tests.access_matrix.runner import outer_test_block
from tests.concurrency import race
from tests.factories import PositionFactory, make_organisation
from tests.reviews.review_data import (
    committee_member,
    final_review,
    open_period,
    proposed_review,
    ward_committee_member,
)

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


def test_a_collective_with_no_task_assigned_is_neither_good_nor_excellent(cast):
    period = collective_period(cast)
    cells = ward_cells(cast, 3)
    empty: dict[str, Any] = {"tasks_total": 0, "tasks_completed": 0, "tasks_exceeding": 0}
    with pytest.raises(services.RowsRefused) as refused:
        rate(
            cast,
            period,
            [
                row(cells[0], GOOD, **empty),
                row(cells[1], EXCELLENT, justification=JUSTIFICATION, **empty),
                row(cells[2], COMPLETED),
            ],
        )
    assert set(refused.value.refusals) == {cells[0].pk, cells[1].pk}
    for cell, label in ((cells[0], "Hoàn thành tốt nhiệm vụ"), (cells[1], "Hoàn thành xuất sắc nhiệm vụ")):
        refusal = refused.value.refusals[cell.pk]
        assert isinstance(refusal, ValidationError)
        assert refusal.message_dict == {
            "tasks_total": [
                f"Mức “{label}” đòi hỏi tập thể hoàn thành các nhiệm vụ được giao trong kỳ; số nhiệm vụ được giao "
                "đang là 0."
            ]
        }
    assert not OrganisationRating.objects.exists()
    # Completed asks no task: a collective given none may still be rated so.
    assert len(rate(cast, period, [row(cells[0], COMPLETED, **empty)])) == 1


def stored_quota_missing(period: ReviewPeriod) -> dict[str, int]:
    """Each group's justifications still missing over the ratings stored."""
    stored = OrganisationRating.objects.filter(period=period)
    standings = [Standing(rating.function_group, rating.level, bool(rating.quota_justification)) for rating in stored]
    return {group: quota.missing for group, quota in group_quotas(period, standings).items()}


def test_a_later_table_lowering_good_ones_cannot_leave_a_stored_excellent_beyond_the_quota_unjustified(cast):
    period = collective_period(cast)
    cells = ward_cells(cast, 6)
    # 1 Excellent on 5 Good: within 20 %, no justification needed.
    rate(cast, period, [row(cells[0], EXCELLENT), *(row(cell) for cell in cells[1:])])
    lowered = [row(cell, COMPLETED, tasks_completed=8, tasks_exceeding=0) for cell in cells[1:4]]

    # Three Good cells re-rated Completed: 1 Excellent on 2 Good, none allowed, and the Excellent one unjustified.
    with pytest.raises(services.RowsRefused) as refused:
        rate(cast, period, lowered)
    assert list(refused.value.refusals) == [cells[0].pk]
    refusal = refused.value.refusals[cells[0].pk]
    assert isinstance(refusal, ValidationError)
    assert refusal.message_dict == {
        "quota_justification": [
            f"Nhóm “{CELLS}” có 1 tổ chức hoàn thành xuất sắc nhiệm vụ trên 2 tổ chức hoàn thành tốt nhiệm vụ, vượt "
            "tỷ lệ cho phép: tối đa 0, tức 20% số hoàn thành tốt nhiệm vụ. Cần giải trình cho ít nhất 1 tổ chức xuất "
            "sắc vượt tỷ lệ. Chi bộ Khu phố 10 đã được xếp “Hoàn thành xuất sắc nhiệm vụ” từ trước mà không có giải "
            "trình, nay vượt tỷ lệ của nhóm: hãy xếp loại lại dòng này kèm giải trình."
        ]
    }
    assert set(OrganisationRating.objects.values_list("level", flat=True)) == {EXCELLENT, GOOD}

    # With the Excellent one justified in the same table, it is stored, and no group is left short.
    rate(cast, period, [row(cells[0], EXCELLENT, justification=JUSTIFICATION), *lowered])
    assert OrganisationRating.objects.get(organisation=cells[0]).quota_justification == JUSTIFICATION
    assert set(stored_quota_missing(period).values()) == {0}


def test_a_later_table_moving_good_ones_to_another_group_cannot_leave_a_stored_excellent_unjustified(cast):
    period = collective_period(cast)
    cells = ward_cells(cast, 6)
    rate(cast, period, [row(cells[0], EXCELLENT), *(row(cell) for cell in cells[1:])])
    moved = [replace(row(cell), function_group="Chi bộ khu dân cư") for cell in cells[1:4]]

    with pytest.raises(services.RowsRefused) as refused:
        rate(cast, period, moved)
    assert list(refused.value.refusals) == [cells[0].pk]
    assert set(OrganisationRating.objects.values_list("function_group", flat=True)) == {CELLS}

    # A table that also adds an unjustified Excellent row of that group: the row alone could not cover the two
    # missing, so both are refused at once.
    extra = make_organisation("Chi bộ Khu phố 30", OrganisationKind.GRASSROOTS_CELL, cast.ward)
    with pytest.raises(services.RowsRefused) as refused:
        rate(cast, period, [*moved, row(extra, EXCELLENT)])
    assert set(refused.value.refusals) == {cells[0].pk, extra.pk}
    # Justifying the new row leaves one missing, which only the stored Excellent one can carry.
    with pytest.raises(services.RowsRefused) as refused:
        rate(cast, period, [*moved, row(extra, EXCELLENT, justification=JUSTIFICATION)])
    assert list(refused.value.refusals) == [cells[0].pk]
    # Left in its group, the moved cells keep the quota: stored.
    rate(cast, period, [row(extra, EXCELLENT, justification=JUSTIFICATION)])
    assert set(stored_quota_missing(period).values()) == {0}


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


GROUPS = st.sampled_from(["", "", "Chi bộ khu dân cư"])


def apply_table(cast, period: ReviewPeriod, rows: list[services.OrganisationRow]) -> frozenset[int]:
    """The rows refused (none when the table is stored)."""
    try:
        rate(cast, period, rows)
    except services.RowsRefused as refused:
        return frozenset(refused.refusals)
    return frozenset()


ORDERS = st.lists(st.permutations(range(6)), min_size=2, max_size=2)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    first=st.lists(st.tuples(levels, st.booleans(), GROUPS), min_size=1, max_size=12),
    second=st.lists(
        st.tuples(st.integers(0, 11), levels, st.booleans(), GROUPS), min_size=1, max_size=6, unique_by=lambda t: t[0]
    ),
    orders=ORDERS,
)
# 1 Excellent on 5 Good, then three of the Good ones lowered to Completed.
@example(
    first=[(EXCELLENT, False, ""), *[(GOOD, False, "")] * 5],
    second=[(index, COMPLETED, False, "") for index in (1, 2, 3)],
    orders=[[0, 1, 2, 3, 4, 5], [5, 4, 3, 2, 1, 0]],
)
def test_no_later_table_leaves_a_group_beyond_its_quota_unjustified_whatever_its_rows_order(
    cast, pool, first, second, orders
):
    """A first table, then a second re-rating some of the cells (or moving them to another group): the second's
    outcome does not depend on its rows' order, and after each table stored, every group's Excellent ratings beyond
    the quota carry enough justifications."""
    period, cells = pool

    def made(cell: PartyOrganisation, level: str, justified: bool, group: str) -> services.OrganisationRow:
        return replace(row(cell, level, justification=JUSTIFICATION if justified else ""), function_group=group)

    earlier = [made(cell, *chosen) for cell, chosen in zip(cells, first, strict=False)]
    later = [made(cells[index], level, justified, group) for index, level, justified, group in second]
    orderings = [later, *([later[index] for index in order if index < len(later)] for order in orders)]
    outcomes = set()
    for ordering in orderings:
        with outer_test_block():
            apply_table(cast, period, earlier)
            assert set(stored_quota_missing(period).values()) <= {0}
            outcomes.add(apply_table(cast, period, ordering))
            assert set(stored_quota_missing(period).values()) <= {0}
            transaction.set_rollback(True)
    assert len(outcomes) == 1


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


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("decided_first", [True, False], ids=["decision first", "table first"])
def test_a_leaders_excellent_and_a_short_rating_of_their_unit_at_once_cannot_both_pass(
    cast, migrated_rows, decided_first
):
    """The committee decides the cell's secretary Excellent while the ward's staff rate the cell 5 of 10 tasks, at the
    same moment: whichever counts second waits for the first to commit, sees it, and is refused."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite runs one writer at a time")
    review = proposed_review(cast, excellent=True, includes_collectives=True)
    unit = leading(cast)

    def decide():
        return services.decision_make(
            review=review, level=EXCELLENT, quota_override=JUSTIFICATION, acting_user=cast.committee_staff.user
        )

    def rate_short():
        return rate(cast, review.period, [row(unit, COMPLETED, tasks_completed=5, tasks_exceeding=0)])

    outcomes = (
        race(decide, rate_short, block=outer_test_block)
        if decided_first
        else race(rate_short, decide, block=outer_test_block)
    )

    assert not isinstance(outcomes["first"], BaseException), outcomes["first"]
    refused = outcomes["second"]
    assert isinstance(refused, (ValidationError, services.RowsRefused)), refused
    assert (
        Decision.objects.filter(review=review).exists() != OrganisationRating.objects.filter(organisation=unit).exists()
    )


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


def leading(cast) -> PartyOrganisation:
    """A cell directly under the ward whose secretary is the reviewed member."""
    unit = ward_cells(cast, 1)[0]
    PositionFactory(cadre=cast.member, organisation=unit, party_post=PartyPost.SECRETARY)
    return unit


def test_a_unit_with_no_task_does_not_carry_its_leaders_excellent(cast):
    review = proposed_review(cast, excellent=True, includes_collectives=True)
    unit = leading(cast)
    rate(cast, review.period, [row(unit, COMPLETED, tasks_total=0, tasks_completed=0, tasks_exceeding=0)])

    with pytest.raises(ValidationError) as refused:
        services.decision_make(
            review=review, level=EXCELLENT, quota_override=JUSTIFICATION, acting_user=cast.committee_staff.user
        )
    assert refused.value.message_dict == {
        "level": [
            "Đồng chí trực tiếp lãnh đạo Chi bộ Khu phố 10: đơn vị không có nhiệm vụ nào được giao trong kỳ. "
            "Người đứng đầu chỉ được xếp “Hoàn thành xuất sắc nhiệm vụ” khi đơn vị mình trực tiếp lãnh đạo hoàn "
            "thành 100% nhiệm vụ, trong đó ít nhất 30% vượt yêu cầu."
        ]
    }


def test_the_superior_committee_reclassifies_a_leader_excellent_only_when_the_unit_reached_its_tasks(cast):
    review = final_review(cast, includes_collectives=True)  # decided Good, confirmed
    unit = leading(cast)
    ward = ward_committee_member(cast)
    rate(cast, review.period, [row(unit, COMPLETED, tasks_completed=5, tasks_exceeding=0)])

    with pytest.raises(ValidationError) as refused:
        services.review_reclassify(review=review, level=EXCELLENT, reason="Cấp trên xem xét lại.", acting_user=ward)
    assert list(refused.value.message_dict) == ["level"]
    assert "Chi bộ Khu phố 10: đơn vị hoàn thành 5 trên 10 nhiệm vụ" in refused.value.message_dict["level"][0]
    review.refresh_from_db()
    assert review.final_level == GOOD
    assert not LevelChange.objects.exists()

    rate(cast, review.period, [row(unit, GOOD)])
    change = services.review_reclassify(
        review=review, level=EXCELLENT, reason="Cấp trên xem xét lại.", acting_user=ward
    )
    assert change.to_level == EXCELLENT


def test_an_appeal_resolved_to_excellent_keeps_the_leaders_rule_and_stays_pending(cast):
    review = final_review(cast, includes_collectives=True)
    unit = leading(cast)
    rate(cast, review.period, [row(unit, GOOD, tasks_exceeding=2)])
    appeal = services.appeal_file(review=review, text="Đề nghị xem xét mức xuất sắc.", acting_user=cast.member.user)

    with pytest.raises(ValidationError) as refused:
        services.appeal_resolve(
            appeal=appeal,
            upheld=False,
            new_level=EXCELLENT,
            resolution="Đồng chí hoàn thành xuất sắc.",
            acting_user=ward_committee_member(cast),
        )
    assert list(refused.value.message_dict) == ["new_level"]
    assert (
        "Chi bộ Khu phố 10: đơn vị hoàn thành 10 trên 10 nhiệm vụ, 2 vượt yêu cầu"
        in (refused.value.message_dict["new_level"][0])
    )
    appeal.refresh_from_db()
    review.refresh_from_db()
    assert (appeal.state, review.final_level) == (AppealState.PENDING, GOOD)
    assert not LevelChange.objects.exists()


def leaders_refusal(name: str = "Trần Thị Ánh") -> dict[str, list[str]]:
    return {
        NON_FIELD_ERRORS: [
            f"Đồng chí {name} trực tiếp lãnh đạo Chi bộ Khu phố 10 và đã được xếp “Hoàn thành xuất sắc nhiệm vụ” "
            "trong đợt này; mức đó đòi hỏi đơn vị hoàn thành 100% nhiệm vụ được giao, trong đó ít nhất 30% vượt "
            f"yêu cầu, mà số liệu của dòng này chưa đạt. Hãy xem xét lại xếp loại của đồng chí {name} trước (trả "
            "lại chi bộ hoặc xếp loại lại), rồi mới xếp loại đơn vị với số liệu này."
        ]
    }


def test_a_unit_rated_after_its_leaders_excellent_decision_must_reach_what_that_rating_needs(cast):
    review = proposed_review(cast, excellent=True, includes_collectives=True)
    unit = leading(cast)
    staff = cast.committee_staff.user
    # The committee decides the leader first, while the unit is not rated yet.
    services.decision_make(review=review, level=EXCELLENT, quota_override=JUSTIFICATION, acting_user=staff)

    with pytest.raises(services.RowsRefused) as refused:
        rate(cast, review.period, [row(unit, COMPLETED, tasks_completed=5, tasks_exceeding=0)])
    assert list(refused.value.refusals) == [unit.pk]
    refusal = refused.value.refusals[unit.pk]
    assert isinstance(refusal, ValidationError)
    assert refusal.message_dict == leaders_refusal()
    assert not OrganisationRating.objects.exists()

    # Figures that reach what the leader's rating needs are stored.
    rate(cast, review.period, [row(unit, GOOD)])
    # Once the decision is returned to the cell, the leader holds no Excellent rating: the unit's figures stand.
    services.decision_return(review=review, reason="Xem xét lại kết quả của chi bộ Khu phố 10.", acting_user=staff)
    rate(cast, review.period, [row(unit, COMPLETED, tasks_completed=5, tasks_exceeding=0)])
    assert OrganisationRating.objects.get(organisation=unit).tasks_completed == 5


def test_a_unit_short_of_its_tasks_is_refused_while_its_leaders_excellent_is_the_result_in_force(cast):
    review = final_review(cast, includes_collectives=True)
    unit = leading(cast)
    # The ward re-classifies the leader Excellent while the unit is not rated yet.
    services.review_reclassify(
        review=review, level=EXCELLENT, reason="Cấp trên xem xét lại.", acting_user=ward_committee_member(cast)
    )
    shortfalls: list[dict[str, Any]] = [
        {"tasks_completed": 9, "tasks_exceeding": 0},
        {"tasks_exceeding": 2},
        {"tasks_total": 0, "tasks_completed": 0, "tasks_exceeding": 0},
    ]
    for figures in shortfalls:
        with pytest.raises(services.RowsRefused) as refused:
            rate(cast, review.period, [row(unit, COMPLETED, **figures)])
        refusal = refused.value.refusals[unit.pk]
        assert isinstance(refusal, ValidationError)
        assert refusal.message_dict == leaders_refusal()
    assert not OrganisationRating.objects.exists()
    # Another cell of the same table, led by nobody rated Excellent, is not bound.
    other = make_organisation("Chi bộ Khu phố 20", OrganisationKind.GRASSROOTS_CELL, cast.ward)
    with pytest.raises(services.RowsRefused) as refused:
        rate(cast, review.period, [row(unit, COMPLETED, tasks_completed=9), row(other, COMPLETED, tasks_completed=5)])
    assert list(refused.value.refusals) == [unit.pk]
