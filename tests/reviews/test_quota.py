"""The quota of Excellent ratings is a property of the deciding organisation's whole period, not of the order the
committee decides in: the same set of decisions asks for the same number of written justifications in every order,
only a decision that adds an Excellent rating beyond the quota asks for one, and two decisions taken at once cannot
both slip past it."""

from collections.abc import Sequence

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from programmes.models import Cadre
from reviews import quota, rules, services
from reviews.models import CellMeeting, CellProposal, Decision, RatingLevel, Review, ReviewPeriod, ReviewState
from tests.concurrency import race
from tests.factories import make_member
from tests.reviews.review_data import open_period
from tests.reviews.test_appeals import Committees
from tests.reviews.test_rules import rule_366

EXCELLENT, GOOD, COMPLETED, NOT_COMPLETED = (
    RatingLevel.EXCELLENT,
    RatingLevel.GOOD,
    RatingLevel.COMPLETED,
    RatingLevel.NOT_COMPLETED,
)
LEVELS = [EXCELLENT, GOOD, COMPLETED, NOT_COMPLETED]
# Points that reach each level under 366-2025, so that the rules refuse none of the levels decided.
POINTS: dict[str, tuple[int, int]] = {EXCELLENT: (28, 65), GOOD: (27, 60), COMPLETED: (20, 40), NOT_COMPLETED: (10, 20)}
JUSTIFICATION = "Đồng chí có sáng kiến cải cách hành chính được Ủy ban nhân dân Thành phố công nhận."
REASON = "Cấp ủy đánh giá lại kết quả thực hiện nhiệm vụ của đồng chí."
ALLOWED_PERCENT = 20

# Proposals lean to Excellent and Good: that is where the quota bites.
levels = st.sampled_from([EXCELLENT, EXCELLENT, GOOD, GOOD, GOOD, COMPLETED, NOT_COMPLETED])


# --- The rule, pure: every order of the same decisions -------------------------------------------------------


def asked_in_order(proposals: Sequence[str], decisions: Sequence[str], order: Sequence[int]) -> list[bool]:
    """Decide review `i` at decisions[i], in `order`: whether each decision asked for a justification, as
    decision_make asks (the decided reviews at their decision, the others at their proposal)."""
    rule_set = rule_366()
    decided: dict[int, str] = {}
    asked = []
    for index in order:
        others = rules.QuotaPicture(
            decided=tuple(decided.values()),
            proposed=tuple(level for other, level in enumerate(proposals) if other != index and other not in decided),
        )
        asked.append(rules.decision_quota(rule_set, others, decisions[index]).needs_justification)
        decided[index] = decisions[index]
    return asked


def excess(levels: Sequence[str]) -> int:
    """The Excellent ratings beyond the quota in a set of levels."""
    allowed = sum(level == GOOD for level in levels) * ALLOWED_PERCENT // 100
    return max(0, sum(level == EXCELLENT for level in levels) - allowed)


@settings(max_examples=400)
@given(proposals=st.lists(levels, min_size=1, max_size=60), data=st.data())
def test_the_committee_deciding_as_the_cells_proposed_asks_the_same_justifications_in_every_order(proposals, data):
    orders = [data.draw(st.permutations(range(len(proposals)))) for _ in range(4)]
    asked = [asked_in_order(proposals, proposals, order) for order in orders]

    beyond = excess(proposals)
    within = sum(level == EXCELLENT for level in proposals) - beyond
    for order, answers in zip(orders, asked, strict=True):
        by_level = list(zip((proposals[index] for index in order), answers, strict=True))
        assert sum(answers) == beyond
        # Only the Excellent decided beyond the allowed number ask, whichever reviews they are.
        assert [answer for level, answer in by_level if level == EXCELLENT] == [False] * within + [True] * beyond
        assert not any(answer for level, answer in by_level if level != EXCELLENT)


@settings(max_examples=400)
@given(
    pairs=st.lists(st.tuples(levels, st.sampled_from(LEVELS)), min_size=1, max_size=40),
    data=st.data(),
)
def test_a_decision_that_adds_no_excellent_rating_never_asks_for_a_justification(pairs, data):
    proposals = [proposal for proposal, _decision in pairs]
    decisions = [decision for _proposal, decision in pairs]
    order = data.draw(st.permutations(range(len(pairs))))

    asked = asked_in_order(proposals, decisions, order)

    assert not any(answer for index, answer in zip(order, asked, strict=True) if decisions[index] != EXCELLENT)


@settings(max_examples=400)
@given(
    pairs=st.lists(st.tuples(levels, st.sampled_from(LEVELS)), min_size=1, max_size=40),
    data=st.data(),
)
def test_no_order_passes_the_quota_unjustified_unless_a_good_rating_is_lowered_afterwards(pairs, data):
    """Re-classifying changes the picture as it goes; but while no Good proposal is decided lower, the Good ones only
    grow, and every Excellent rating beyond the final quota was justified when it was decided."""
    proposals = [proposal for proposal, _decision in pairs]
    decisions = [GOOD if proposal == GOOD else decision for proposal, decision in pairs]
    order = data.draw(st.permutations(range(len(pairs))))

    assert sum(asked_in_order(proposals, decisions, order)) >= excess(decisions)


def test_the_issue_of_8_excellent_and_30_good_in_both_orders():
    proposals = [EXCELLENT] * 8 + [GOOD] * 30
    excellent_first = asked_in_order(proposals, proposals, range(38))
    good_first = asked_in_order(proposals, proposals, [*range(8, 38), *range(8)])

    assert excellent_first == [False] * 6 + [True] * 2 + [False] * 30
    assert good_first == [False] * 30 + [False] * 6 + [True] * 2


def test_without_a_quota_nothing_asks():
    quota = rules.decision_quota(rule_366(quota_percent=None), rules.QuotaPicture(decided=(EXCELLENT,) * 9), EXCELLENT)
    assert not quota.needs_justification


# --- Through the service, on the database --------------------------------------------------------------------


def new_members(cast, number: int) -> list[Cadre]:
    return [make_member(cast.cell_b, full_name=f"Đảng viên số {index}") for index in range(number)]


def proposed_reviews(cast, proposals: Sequence[str]) -> list[Review]:
    """Reviews of new members of cell 1B in a period of the grassroots organisation, each proposed at its level."""
    cadres = new_members(cast, len(proposals))
    return propose_directly(cast, open_period(cast.grassroots, cast.org_board), cadres, proposals)


def propose_directly(cast, period: ReviewPeriod, cadres: list[Cadre], proposals: Sequence[str]) -> list[Review]:
    """The cell's meeting and proposals, written as rows: the proposal's own service is tested elsewhere, and here
    it would only make hundreds of orders slow."""
    secretary = cast.head.user
    meeting = CellMeeting.objects.create(
        period=period,
        cell=cast.cell_b,
        held_on=timezone.localdate(),
        members_total=len(proposals) + 3,
        members_present=len(proposals) + 3,
        chaired_by="Huỳnh Văn Em",
        minutes="Chi bộ họp kiểm điểm cuối năm.",
        recorded_by=secretary,
    )
    reviews = [Review.objects.get(period=period, cadre=cadre) for cadre in cadres]
    for review, level in zip(reviews, proposals, strict=True):
        general, task = POINTS[level]
        CellProposal.objects.create(
            review=review,
            meeting=meeting,
            general_points=general,
            task_points=task,
            level=level,
            votes_for=4,
            votes_against=0,
            recorded_by=secretary,
        )
    Review.objects.filter(pk__in=[review.pk for review in reviews]).update(state=ReviewState.CELL_PROPOSED)
    return reviews


def decide(review: Review, level: str, staff: User, *, quota_override: str = "") -> Decision:
    general, task = POINTS[level]
    return services.decision_make(
        review=review,
        level=level,
        general_points=general,
        task_points=task,
        reason=REASON,
        quota_override=quota_override,
        acting_user=staff,
    )


def decide_as_asked(review: Review, level: str, staff: User) -> bool:
    """Decide without a justification; when refused for the quota, decide again with one. Whether it asked."""
    try:
        decide(review, level, staff)
    except ValidationError as refusal:
        assert set(refusal.message_dict) == {"quota_override"}
        decide(review, level, staff, quota_override=JUSTIFICATION)
        return True
    return False


def quota_refusal(number: int, allowed: int, good: int) -> str:
    return (
        f"Đây là đảng viên hoàn thành xuất sắc nhiệm vụ thứ {number} mà Đảng bộ Khu phố 1 quyết định trong đợt này, "
        f"vượt tỷ lệ cho phép: tối đa {allowed}, tức 20% của {good} đảng viên hoàn thành tốt nhiệm vụ (đã quyết "
        "định, hoặc chi bộ đề xuất khi chưa quyết định). Cần giải trình để vượt."
    )


@pytest.mark.django_db
def test_8_excellent_decided_before_30_good_ask_only_for_the_7th_and_8th_and_lowering_one_asks_nothing(cast):
    reviews = proposed_reviews(cast, [EXCELLENT] * 8 + [GOOD] * 30)
    staff = cast.committee_staff.user
    excellent, good = reviews[:8], reviews[8:]

    # The first Excellent decided counts the 30 Good proposed: within the quota of 6.
    for review in excellent[:6]:
        assert decide(review, EXCELLENT, staff).quota_override == ""
    with pytest.raises(ValidationError) as refused:
        decide(excellent[6], EXCELLENT, staff)
    assert refused.value.message_dict == {"quota_override": [quota_refusal(7, 6, 30)]}
    assert decide(excellent[6], EXCELLENT, staff, quota_override=JUSTIFICATION).quota_override == JUSTIFICATION

    # The regression: lowering the 8th to Good adds no Excellent rating and needs no justification.
    lowered = decide(excellent[7], GOOD, staff)
    assert (lowered.level, lowered.reclassification_reason, lowered.quota_override) == (GOOD, REASON, "")
    for review in good:
        assert decide(review, GOOD, staff).quota_override == ""
    assert Decision.objects.filter(review__in=reviews).count() == 38


@pytest.mark.django_db
def test_8_excellent_decided_after_30_good_ask_for_the_same_two(cast):
    reviews = proposed_reviews(cast, [EXCELLENT] * 8 + [GOOD] * 30)
    staff = cast.committee_staff.user

    asked = [decide_as_asked(review, GOOD, staff) for review in reviews[8:]]
    asked += [decide_as_asked(review, EXCELLENT, staff) for review in reviews[:8]]

    assert asked == [False] * 36 + [True] * 2
    justified = Decision.objects.filter(review__in=reviews).exclude(quota_override="")
    assert sorted(decision.review.cadre.full_name for decision in justified) == ["Đảng viên số 6", "Đảng viên số 7"]


@pytest.mark.django_db
def test_a_good_decision_in_an_organisation_over_its_quota_needs_no_justification(cast):
    reviews = proposed_reviews(cast, [EXCELLENT, EXCELLENT, GOOD])
    staff = cast.committee_staff.user
    for review in reviews[:2]:
        decide(review, EXCELLENT, staff, quota_override=JUSTIFICATION)

    assert decide(reviews[2], GOOD, staff).quota_override == ""
    # Nor does a Completed one, though it lowers the Good ratings the quota is counted on.
    assert services.decision_quota(reviews[2], COMPLETED).needs_justification is False


@pytest.mark.django_db
def test_the_quota_counts_a_result_changed_after_confirmation_at_its_new_level(cast):
    reviews = proposed_reviews(cast, [EXCELLENT] + [GOOD] * 5)
    staff = cast.committee_staff.user
    decide(reviews[0], EXCELLENT, staff)
    # The superior committee re-classified the first Excellent one, say, after an appeal: its slot is free again.
    Review.objects.filter(pk=reviews[0].pk).update(state=ReviewState.FINAL, final_level=GOOD)

    assert services.decision_quota(reviews[1], EXCELLENT).after.excellent == 1


@pytest.fixture
def pool(cast) -> tuple[ReviewPeriod, list[Cadre]]:
    """Ten members of cell 1B and a period of their grassroots organisation, for every example of a test."""
    cadres = new_members(cast, 10)
    return open_period(cast.grassroots, cast.org_board), cadres


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(proposals=st.lists(levels, min_size=1, max_size=10), data=st.data())
def test_every_order_of_the_same_decisions_asks_the_same_justifications_through_the_service(
    cast, pool, proposals, data
):
    """Hundreds of orders in all: 25 sets of proposals, each decided in 4 random orders, each rolled back."""
    staff = cast.committee_staff.user
    period, cadres = pool
    with transaction.atomic():
        reviews = propose_directly(cast, period, cadres[: len(proposals)], proposals)
        answers = []
        for _round in range(4):
            order = data.draw(st.permutations(range(len(reviews))))
            with transaction.atomic():
                asked = {index: decide_as_asked(reviews[index], proposals[index], staff) for index in order}
                final = dict(
                    Decision.objects.filter(review__in=reviews).values_list("review__cadre__full_name", "level")
                )
                transaction.set_rollback(True)
            assert not any(asked[index] for index in asked if proposals[index] != EXCELLENT)
            assert final == {review.cadre.full_name: level for review, level in zip(reviews, proposals, strict=True)}
            answers.append(sum(asked.values()))
        transaction.set_rollback(True)
    assert answers == [excess(proposals)] * 4


# --- Two decisions at once ----------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_excellent_decisions_at_once_that_jointly_pass_the_quota_cannot_both_go_unjustified(cast, migrated_rows):
    """Two committee members decide an Excellent rating each at the same moment, with one allowed. The second to
    count waits for the first to commit, sees its Excellent rating and asks for a justification."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite runs one writer at a time")
    first, second = proposed_reviews(cast, [EXCELLENT, EXCELLENT] + [GOOD] * 5)[:2]
    staff = cast.committee_staff.user
    outcomes = race(lambda: decide(first, EXCELLENT, staff), lambda: decide(second, EXCELLENT, staff), timeout=20)

    assert isinstance(outcomes["first"], Decision)
    refusal = outcomes["second"]
    assert isinstance(refusal, ValidationError)
    assert refusal.message_dict == {"quota_override": [quota_refusal(2, 1, 5)]}
    assert list(Decision.objects.filter(review__in=[first, second]).values_list("review", flat=True)) == [first.pk]


# --- Changes after confirmation ------------------------------------------------------------------------------


def standing(review: Review, level: str) -> Review:
    """The review with a confirmed result at `level` (its decision and confirmation are tested elsewhere)."""
    Review.objects.filter(pk=review.pk).update(state=ReviewState.FINAL, final_level=level, final_at=timezone.now())
    review.refresh_from_db()
    return review


@pytest.mark.django_db
def test_a_change_to_excellent_beyond_the_quota_is_listed_with_its_reason_as_the_justification(cast):
    reviews = proposed_reviews(cast, [EXCELLENT] + [GOOD] * 5)
    decide(reviews[0], EXCELLENT, cast.committee_staff.user)
    ward_member = Committees(cast).ward

    change = services.review_reclassify(
        review=standing(reviews[1], GOOD), level=EXCELLENT, reason=JUSTIFICATION, acting_user=ward_member
    )

    # 2 Excellent over 4 Good: at most 0 at 20 %.
    assert change.beyond_quota
    [listed] = quota.justified(reviews[1].period)
    assert (listed.review_id, listed.text, listed.confirmed) == (reviews[1].pk, JUSTIFICATION, True)


@pytest.mark.django_db
def test_a_change_to_excellent_within_the_quota_is_not_listed(cast):
    reviews = proposed_reviews(cast, [GOOD] * 11)

    change = services.review_reclassify(
        review=standing(reviews[0], GOOD), level=EXCELLENT, reason=REASON, acting_user=Committees(cast).ward
    )

    # 1 Excellent over 10 Good: 2 allowed.
    assert not change.beyond_quota
    assert quota.justified(reviews[0].period) == []
