"""A cell's whole table at once, through the services: the secretary's proposals, the committee's decisions and the
head's confirmations. Every row goes through the single-member service; the table stores all its rows or none,
with the refusal of each refused row; the quota is weighed on the whole set, whatever the rows' order, and two
tables of the same committee submitted at once cannot both pass it unjustified."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from programmes.models import AuditEvent, Notification
from reviews import services
from reviews.models import CellProposal, Decision, DecisionState, RatingLevel, Review, ReviewState
from tests.access_matrix.runner import outer_test_block
from tests.concurrency import race
from tests.reviews.bulk_data import (
    BulkCell,
    bulk_cell,
    bulk_cells,
    cell_meeting,
    decision_row,
    proposal_row,
    propose_all,
)

pytestmark = pytest.mark.django_db

EXCELLENT, GOOD, COMPLETED = RatingLevel.EXCELLENT, RatingLevel.GOOD, RatingLevel.COMPLETED
JUSTIFICATION = "Các đồng chí có sáng kiến cải cách hành chính được Ủy ban nhân dân Thành phố công nhận."
GROUNDS = "Hoàn thành vượt chỉ tiêu 2/2 nội dung cam kết, có sổ theo dõi hồ sơ."


def quota_refused(refusal: Exception) -> bool:
    """Refused for the quota alone: the justification it asks for."""
    return isinstance(refusal, ValidationError) and set(refusal.message_dict) == {"quota_override"}


def decide_table(cell: BulkCell, staff, rows, **options) -> list[Decision]:
    return services.cell_decisions_make(period=cell.period, place=cell.cell, rows=rows, acting_user=staff, **options)


# --- Proposals -----------------------------------------------------------------------------------------------


def test_the_secretary_proposes_the_cell_in_one_table_and_each_row_is_audited_as_alone(cast):
    cell = bulk_cell(cast, 10)
    meeting = cell_meeting(cell)
    rows = [proposal_row(review) for review in cell.reviews if review.cadre.user_id != cell.secretary.pk]

    stored = services.cell_proposals_record(
        period=cell.period, place=cell.cell, meeting=meeting, rows=rows, acting_user=cell.secretary
    )

    assert len(stored) == 9
    assert CellProposal.objects.filter(meeting=meeting).count() == 9
    assert Review.objects.filter(place=cell.cell, state=ReviewState.CELL_PROPOSED).count() == 9
    assert AuditEvent.objects.filter(action="review.propose", actor=cell.secretary).count() == 9


def test_the_secretarys_own_row_is_refused_and_then_no_proposal_is_stored(cast):
    cell = bulk_cell(cast, 10)
    meeting = cell_meeting(cell)
    own = next(review for review in cell.reviews if review.cadre.user_id == cell.secretary.pk)

    with pytest.raises(services.RowsRefused) as refused:
        services.cell_proposals_record(
            period=cell.period,
            place=cell.cell,
            meeting=meeting,
            rows=[proposal_row(review) for review in cell.reviews],
            acting_user=cell.secretary,
        )

    assert list(refused.value.refusals) == [own.pk]
    assert isinstance(refused.value.refusals[own.pk], PermissionDenied)
    assert "phó bí thư ghi thay" in str(refused.value.refusals[own.pk])
    assert not CellProposal.objects.exists()
    assert not AuditEvent.objects.filter(action="review.propose").exists()
    assert set(Review.objects.filter(place=cell.cell).values_list("state", flat=True)) == {ReviewState.SELF_SUBMITTED}


def test_a_proposals_rules_refuse_its_row_with_the_single_forms_words(cast):
    cell = bulk_cell(cast, 4)
    meeting = cell_meeting(cell)
    others = [review for review in cell.reviews if review.cadre.user_id != cell.secretary.pk]
    rows = [proposal_row(review) for review in others]
    rows[1] = proposal_row(others[1], EXCELLENT, general_points=20)

    with pytest.raises(services.RowsRefused) as refused:
        services.cell_proposals_record(
            period=cell.period, place=cell.cell, meeting=meeting, rows=rows, acting_user=cell.secretary
        )

    assert list(refused.value.refusals) == [others[1].pk]
    assert "Tổng 85 điểm chỉ đạt mức" in str(refused.value.refusals[others[1].pk])
    assert not CellProposal.objects.exists()


def test_the_proposals_quota_warning_weighs_the_whole_set(cast):
    cell = bulk_cell(cast, 10)
    meeting = cell_meeting(cell)
    others = [review for review in cell.reviews if review.cadre.user_id != cell.secretary.pk]
    # 3 Excellent on 6 Good (and the secretary's own not yet proposed): 1 allowed.
    rows = [proposal_row(review, EXCELLENT if index < 3 else GOOD) for index, review in enumerate(others)]

    stored = services.cell_proposals_record(
        period=cell.period, place=cell.cell, meeting=meeting, rows=rows, acting_user=cell.secretary
    )

    warned = {warning for _proposal, warnings in stored for warning in warnings if "vượt tỷ lệ" in warning}
    # Every Excellent row sees the same whole set: one warning, the same for each.
    assert warned == {
        "Đảng bộ Khu phố 1 có 3 đảng viên xuất sắc trên 6 đảng viên tốt, vượt tỷ lệ cho phép: tối đa 1, tức 20% "
        "số hoàn thành tốt nhiệm vụ."
    }


# --- Decisions -----------------------------------------------------------------------------------------------


def test_a_40_member_cell_is_decided_in_one_table_storing_40_decisions(cast):
    cell = bulk_cell(cast, 40)
    propose_all(cell)
    staff = cast.committee_staff.user

    decisions = decide_table(cell, staff, [decision_row(review) for review in cell.reviews])

    assert len(decisions) == 40
    assert Decision.objects.filter(review__place=cell.cell, state=DecisionState.AWAITING_CONFIRMATION).count() == 40
    assert Review.objects.filter(place=cell.cell, state=ReviewState.DECIDED).count() == 40
    # Audited and notified row by row, as the single decision is.
    assert AuditEvent.objects.filter(action="review.decide", actor=staff).count() == 40
    assert Notification.objects.filter(recipient=cast.head.user, subject__startswith="Chờ xác nhận").count() == 40


def test_a_40_member_table_with_refused_rows_stores_no_decision_and_names_each_refusal(cast):
    cell = bulk_cell(cast, 40)
    propose_all(cell)
    staff = cast.committee_staff.user
    # Meanwhile another committee member sent one proposal back to the cell.
    services.decision_return(review=cell.reviews[31], reason="Biên bản thiếu biểu quyết.", acting_user=staff)
    rows = [decision_row(review) for review in cell.reviews]
    # And the table lowers one without a reason.
    rows[4] = services.DecisionRow(review=cell.reviews[4], level=COMPLETED)
    notices_before = Notification.objects.count()

    with pytest.raises(services.RowsRefused) as refused:
        decide_table(cell, staff, rows)

    refusals = refused.value.refusals
    assert list(refusals) == [cell.reviews[4].pk, cell.reviews[31].pk]
    first, second = refusals[cell.reviews[4].pk], refusals[cell.reviews[31].pk]
    assert isinstance(first, ValidationError) and isinstance(second, ValidationError)
    assert first.message_dict == {
        "reason": ["Xếp loại khác đề xuất của chi bộ (“Hoàn thành tốt nhiệm vụ”) cần ghi lý do."]
    }
    assert second.messages == ["Bước này không làm được khi bản kiểm điểm đang ở trạng thái “Đã nộp bản kiểm điểm”."]
    assert not Decision.objects.exists()
    assert Review.objects.filter(place=cell.cell, state=ReviewState.CELL_PROPOSED).count() == 39
    assert not AuditEvent.objects.filter(action="review.decide").exists()
    assert Notification.objects.count() == notices_before


def test_someone_outside_the_committee_is_refused_the_whole_table(cast):
    cell = bulk_cell(cast, 4)
    propose_all(cell)
    with pytest.raises(PermissionDenied):
        decide_table(cell, cell.secretary, [decision_row(review) for review in cell.reviews])
    assert not Decision.objects.exists()


def test_a_table_holds_only_the_cells_reviews_of_the_period(cast):
    first, second = bulk_cells(cast, 3, 3)
    propose_all(first)
    propose_all(second)
    with pytest.raises(ValidationError, match="không thuộc chi bộ và đợt này"):
        decide_table(first, cast.committee_staff.user, [decision_row(review) for review in second.reviews])


def test_the_set_is_weighed_whole_a_proposal_lowered_to_good_counts_for_the_excellent_rows_before_it(cast):
    """Twelve members: 11 proposed Good, one Excellent. The table decides two Excellent (before it in the table) and
    ten Good, the Excellent proposal among them: 10 Good allow 2 Excellent. Row by row against what is stored, the
    second Excellent row would still count the Excellent proposal and only 9 Good, and ask for a justification."""
    cell = bulk_cell(cast, 12)
    proposed_excellent = cell.reviews[-1]
    propose_all(cell, {proposed_excellent.pk: EXCELLENT})
    staff = cast.committee_staff.user
    rows = [decision_row(cell.reviews[0], EXCELLENT), decision_row(cell.reviews[1], EXCELLENT)]
    rows += [decision_row(review) for review in cell.reviews[2:-1]]
    rows.append(decision_row(proposed_excellent, GOOD, proposed=EXCELLENT))

    for order in (rows, list(reversed(rows))):
        with outer_test_block():
            decisions = decide_table(cell, staff, order)
            assert [decision.quota_override for decision in decisions] == [""] * 12
            transaction.set_rollback(True)


def test_excellent_rows_beyond_the_quota_ask_for_one_justification_for_the_set_in_any_order(cast):
    cell = bulk_cell(cast, 10)
    propose_all(cell)
    staff = cast.committee_staff.user
    # 3 Excellent and 7 Good: 1 allowed, 2 beyond.
    rows = [decision_row(review, EXCELLENT if index < 3 else GOOD) for index, review in enumerate(cell.reviews)]

    for order in (rows, list(reversed(rows)), rows[3:] + rows[:3]):
        with pytest.raises(services.RowsRefused) as refused:
            decide_table(cell, staff, order)
        assert len(refused.value.refusals) == 2
        assert all(quota_refused(refusal) for refusal in refused.value.refusals.values())
        assert not Decision.objects.exists()

        with outer_test_block():
            decisions = decide_table(cell, staff, order, quota_override=JUSTIFICATION)
            assert sorted(decision.quota_override for decision in decisions) == [""] * 8 + [JUSTIFICATION] * 2
            transaction.set_rollback(True)


# --- Confirmations -------------------------------------------------------------------------------------------


def decided(cast, size: int) -> BulkCell:
    cell = bulk_cell(cast, size)
    propose_all(cell)
    decide_table(cell, cast.committee_staff.user, [decision_row(review) for review in cell.reviews])
    return cell


def confirmation_row(review: Review, grounds: str = GROUNDS) -> services.ConfirmationRow:
    decision = Decision.objects.select_related("review").get(review=review, state=DecisionState.AWAITING_CONFIRMATION)
    first = review.assessments.order_by("position")[0]
    return services.ConfirmationRow(decision=decision, grounds=grounds, assessment_ids=[first.pk])


def test_the_head_confirms_several_decisions_at_once(cast):
    cell = decided(cast, 6)
    chosen = cell.reviews[:4]

    confirmed = services.cell_decisions_confirm(
        period=cell.period,
        place=cell.cell,
        rows=[confirmation_row(review) for review in chosen],
        acting_user=cast.head.user,
    )

    assert {decision.review_id for decision in confirmed} == {review.pk for review in chosen}
    assert Review.objects.filter(place=cell.cell, state=ReviewState.FINAL).count() == 4
    assert Review.objects.filter(place=cell.cell, state=ReviewState.DECIDED).count() == 2
    assert AuditEvent.objects.filter(action="review.confirm", actor=cast.head.user).count() == 4


def test_a_confirmation_without_grounds_refuses_the_set(cast):
    cell = decided(cast, 4)
    rows = [confirmation_row(review) for review in cell.reviews]
    rows[2] = confirmation_row(cell.reviews[2], grounds=" ")

    with pytest.raises(services.RowsRefused) as refused:
        services.cell_decisions_confirm(period=cell.period, place=cell.cell, rows=rows, acting_user=cast.head.user)

    assert list(refused.value.refusals) == [cell.reviews[2].pk]
    assert not Decision.objects.filter(state=DecisionState.CONFIRMED).exists()


def test_only_the_head_confirms_and_an_empty_choice_is_refused(cast):
    cell = decided(cast, 3)
    rows = [confirmation_row(review) for review in cell.reviews]
    with pytest.raises(PermissionDenied):
        services.cell_decisions_confirm(
            period=cell.period, place=cell.cell, rows=rows, acting_user=cast.committee_staff.user
        )
    with pytest.raises(ValidationError, match="Hãy chọn ít nhất một quyết định"):
        services.cell_decisions_confirm(period=cell.period, place=cell.cell, rows=[], acting_user=cast.head.user)
    assert not Decision.objects.filter(state=DecisionState.CONFIRMED).exists()


# --- Two tables at once --------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_cells_tables_submitted_at_once_cannot_both_pass_the_quota_unjustified(cast, migrated_rows):
    """Two committee members each decide a cell of five at the same moment, one Excellent and four Good each: alone,
    each table stays within the quota (one Excellent on nine Good), together they pass it (two on eight). The second
    table to count waits for the first to commit, sees its Excellent rating and asks for the justification."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite runs one writer at a time")
    first, second = bulk_cells(cast, 5, 5)
    propose_all(first)
    propose_all(second)
    deciders = {"first": cast.committee_staff.user, "second": cast.head.user}

    def rows_of(cell: BulkCell) -> list[services.DecisionRow]:
        return [decision_row(cell.reviews[0], EXCELLENT)] + [decision_row(review) for review in cell.reviews[1:]]

    # The first table's block stands for the request's transaction: the table's own commits with it.
    outcomes = race(
        lambda: decide_table(first, deciders["first"], rows_of(first)),
        lambda: decide_table(second, deciders["second"], rows_of(second)),
        block=outer_test_block,
    )

    assert isinstance(outcomes["first"], list) and len(outcomes["first"]) == 5
    refused = outcomes["second"]
    assert isinstance(refused, services.RowsRefused), refused
    assert list(refused.refusals) == [second.reviews[0].pk]
    assert quota_refused(refused.refusals[second.reviews[0].pk])
    assert Decision.objects.filter(review__place=first.cell).count() == 5
    assert not Decision.objects.filter(review__place=second.cell).exists()
