"""The deciding committee's rating, its return to the cell, and the quota the rating counts against."""

from collections.abc import Iterable, Mapping

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from programmes import access as programme_access
from programmes.models import NotificationKind, PartyOrganisation, PartyPost, Position
from reviews import access as review_access
from reviews import quota, rules
from reviews.audit_actions import ReviewAction
from reviews.models import (
    ConsistencyNote,
    Decision,
    DecisionState,
    OrganisationRating,
    RatingLevel,
    Review,
    ReviewPeriod,
    ReviewState,
)
from reviews.services._common import (
    Acknowledgements,
    _audit,
    _lock,
    _move,
    _require,
    _require_state,
    _tell,
)
from reviews.services._verdicts import _acknowledge, _check_level_and_verdicts


def decision_quota(review: Review, level: str, alongside: Mapping[int, str] | None = None) -> rules.DecisionQuota:
    """The quota of the deciding organisation's period if this review is decided at `level` (rules.decision_quota),
    with the levels decided `alongside` it in the same submission (quota.others_of)."""
    return rules.decision_quota(review.period.rule_set, quota.others_of(review, alongside), level)


def lock_quotas(organisation_ids: Iterable[int]) -> None:
    """Hold the organisations until the transaction commits: two decisions of the same committee counted at once
    would each miss the other's Excellent rating and could jointly pass the quota unjustified; a leader's Excellent
    decided while their unit is rated would each miss the other. Higher organisations first, then by id, whoever
    locks (a decision: its deciding organisation, then the units its leader leads; a rating table: its committee,
    then the units it rates), so that two submissions holding several wait for each other instead of deadlocking."""
    ids = sorted(set(organisation_ids))
    list(PartyOrganisation.objects.select_for_update().filter(pk__in=ids).order_by("depth", "pk").values_list("pk"))


def _lock_quota(review: Review) -> None:
    lock_quotas([review.deciding_organisation_id])


def leading_posts(period: ReviewPeriod) -> QuerySet[Position]:
    """The posts by which a cadre directly leads a unit in `period`: a secretary's post, or head of the unit, held
    during what the period covers. The one link between a leader and their units, read both ways: the units of a
    leader (led_units), the leaders of a unit (excellent_leaders)."""
    return (
        Position.objects.filter(organisation__isnull=False, start_date__lte=period.covers_to)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=period.covers_from))
        .filter(Q(is_head=True) | Q(party_post=PartyPost.SECRETARY))
    )


def led_unit_ids(review: Review) -> list[int]:
    """The organisations the reviewed cadre directly leads (leading_posts), when the period rates collectives."""
    if not review.period.includes_collectives:
        return []
    return list(leading_posts(review.period).filter(cadre=review.cadre_id).values_list("organisation_id", flat=True))


def led_units(review: Review) -> list[rules.LedUnit]:
    """The units the reviewed cadre directly leads (leading_posts) that the period rated as collectives; none when
    the period rates no collective. One query."""
    period = review.period
    if not period.includes_collectives:
        return []
    posts = leading_posts(period).filter(cadre=review.cadre_id)
    ratings = OrganisationRating.objects.filter(period=period, organisation__in=posts.values("organisation"))
    return [
        rules.LedUnit(rating.organisation.name, rating.tasks_total, rating.tasks_completed, rating.tasks_exceeding)
        for rating in ratings.select_related("organisation").order_by("organisation__path")
    ]


def excellent_leaders(period: ReviewPeriod, organisation_ids: Iterable[int]) -> dict[int, list[str]]:
    """The names of the cadres who directly lead each of the organisations (leading_posts) and whose rating in
    `period` stands at Excellent (decided and awaiting confirmation, or the result in force), by organisation id.
    One query."""
    excellent = (
        Review.objects.filter(period=period)
        .annotate(standing=quota.standing_level())
        .filter(standing=RatingLevel.EXCELLENT)
    )
    posts = (
        leading_posts(period)
        .filter(organisation__in=list(organisation_ids), cadre__in=excellent.values("cadre"))
        .values_list("organisation_id", "cadre__full_name")
        .order_by("cadre__full_name")
        .distinct()
    )
    found: dict[int, list[str]] = {}
    for organisation_id, name in posts:
        found.setdefault(organisation_id, []).append(name)
    return found


def _check_led_units(review: Review, level: str, field: str = "level") -> None:
    """A leader's Excellent rating needs the units they directly lead to reach every task, enough of them exceeding
    (rules.led_units_conflicts); the refusal is given on `field`, the form's field of the level."""
    if level != RatingLevel.EXCELLENT:
        return
    # Read under the lock a rating table takes: a table rating one of these units at this moment waits for this
    # decision and then sees it (excellent_leaders), or this decision waits for the table and reads its figures.
    lock_quotas([review.deciding_organisation_id, *led_unit_ids(review)])
    conflicts = rules.led_units_conflicts(review.period.rule_set, led_units(review))
    if conflicts:
        raise ValidationError({field: conflicts})


@transaction.atomic
def decision_make(
    *,
    review: Review,
    level: str,
    general_points: int | None = None,
    task_points: int | None = None,
    reason: str = "",
    quota_override: str = "",
    acknowledgements: Acknowledgements | None = None,
    alongside: Mapping[int, str] | None = None,
    acting_user: User,
) -> Decision:
    """The deciding committee's rating. A level other than the cell's needs a reason; an Excellent rating beyond
    the quota needs a written justification; a cell verdict that claims more than the recorded progress and that
    nobody has explained yet needs the committee's reason in `acknowledgements` (a reason given for one the cell
    explained is kept too).

    `alongside` gives the levels the same submission decides for other reviews of the deciding organisation and
    has not stored yet (the committee's table of a whole cell): the quota counts them at those levels, so that the
    set is weighed whole and the Excellent ratings needing a justification are the same whatever the rows' order.
    """
    review = _lock(review)
    _require(review_access.can_decide(acting_user, review), _("Đồng chí không thuộc cấp ủy có thẩm quyền quyết định."))
    _require_state(review, ReviewState.CELL_PROPOSED)
    proposal = review.proposal
    if general_points is None and task_points is None:
        # Deciding on the cell's points unless the committee scores differently.
        general_points, task_points = proposal.general_points, proposal.task_points
    if level != proposal.level and not reason.strip():
        raise ValidationError(
            {
                "reason": _("Xếp loại khác đề xuất của chi bộ (“%(proposed)s”) cần ghi lý do.")
                % {"proposed": proposal.get_level_display()}
            }
        )
    assessments = list(review.assessments.select_related("commitment"))
    _conflicts, flags, reasons = _check_level_and_verdicts(
        review,
        assessments,
        level=level,
        general_points=general_points,
        task_points=task_points,
        acknowledgements=acknowledgements,
    )
    _check_led_units(review, level)
    _lock_quota(review)
    checked = decision_quota(review, level, alongside)
    if checked.needs_justification and not quota_override.strip():
        raise ValidationError(
            {"quota_override": checked.message(review.deciding_organisation.name) + " " + _("Cần giải trình để vượt.")}
        )
    notes = _acknowledge(review, flags, reasons, stage=ConsistencyNote.Stage.COMMITTEE, acting_user=acting_user)
    decision = Decision.objects.create(
        review=review,
        deciding_organisation=review.deciding_organisation,
        general_points=general_points,
        task_points=task_points,
        level=level,
        reclassification_reason=reason.strip() if level != proposal.level else "",
        quota_override=quota_override.strip() if checked.needs_justification else "",
        decided_by=acting_user,
    )
    _move(review, ReviewState.DECIDED)
    _audit(
        acting_user,
        ReviewAction.DECIDE,
        decision,
        review=review.pk,
        level=level,
        proposed=proposal.level,
        reason=decision.reclassification_reason,
        quota_override=decision.quota_override,
        explained=[note.assessment.position for note in notes],
    )
    head = programme_access.secretary_user(review.deciding_organisation)
    _tell(
        acting_user,
        [head] if head is not None else [],
        NotificationKind.DECISION_MADE,
        review,
        lambda: (
            _("Chờ xác nhận kết quả xếp loại: %(name)s") % {"name": review.cadre.full_name},
            _("Cấp ủy đã quyết định mức “%(level)s”.") % {"level": decision.get_level_display()},
        ),
    )
    return decision


@transaction.atomic(durable=True)
def decision_return(*, review: Review, reason: str, acting_user: User) -> Review:
    """Send the proposal back to the cell with a reason; the cell records a new one."""
    review = _lock(review)
    _require(review_access.can_decide(acting_user, review), _("Đồng chí không thuộc cấp ủy có thẩm quyền quyết định."))
    _require_state(review, ReviewState.CELL_PROPOSED, ReviewState.DECIDED)
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy ghi lý do trả lại chi bộ.")})
    Decision.objects.filter(review=review, state=DecisionState.AWAITING_CONFIRMATION).update(
        state=DecisionState.SUPERSEDED
    )
    _move(review, ReviewState.SELF_SUBMITTED, return_reason=reason.strip())
    _audit(acting_user, ReviewAction.RETURN_TO_CELL, review, reason=review.return_reason)
    return review
