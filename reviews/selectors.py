"""Reads of reviews, scoped to the user through reviews.access and already joined, for the review pages.

Each selector is one query whatever the number of rows; the work lists add the role conditions of
reviews.access (decide, confirm, record the proposal) in SQL on top of `reviews_visible_to`.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.utils import timezone

from programmes.access import AnyUser
from programmes.models import AuditEvent, Cadre, Evidence, Membership, MembershipStatus, PartyOrganisation, Position
from programmes.models.organisations import CELL_KINDS
from reviews.access import (
    appeals_resolvable_by,
    can_upload_residence_comment,
    confirming_condition,
    deciding_condition,
    periods_visible_to,
    recording_condition,
    residence_requests_for,
    result_appealed_annotation,
    reviews_visible_to,
)
from reviews.models import (
    ENDED_REVIEW_STATES,
    Appeal,
    CellMeeting,
    CellProposal,
    CommitmentAssessment,
    Decision,
    DecisionState,
    LevelChange,
    MeetingAttendance,
    PeriodState,
    ResidenceComment,
    ResidenceCommentState,
    Review,
    ReviewInput,
    ReviewPeriod,
    ReviewPrompt,
    ReviewState,
)

LIVE_DECISION_STATES = (DecisionState.AWAITING_CONFIRMATION, DecisionState.CONFIRMED)


def live_decision_level() -> Subquery:
    """For a Review queryset: the level of the review's latest decision still standing (awaiting confirmation
    or confirmed); null while undecided."""
    return Subquery(
        Decision.objects.filter(review=OuterRef("pk"), state__in=LIVE_DECISION_STATES)
        .order_by("-decided_at", "-pk")
        .values("level")[:1]
    )


def overdue_condition(today: datetime.date) -> Q:
    """A review whose current step's window has passed: self-review, cell meeting, or decision."""
    return (
        Q(state=ReviewState.SELF_DRAFTING, period__self_review_until__lt=today)
        | Q(state=ReviewState.SELF_SUBMITTED, period__cell_meetings_until__lt=today)
        | Q(state__in=[ReviewState.CELL_PROPOSED, ReviewState.DECIDED], period__decisions_until__lt=today)
    )


def _with_overdue(queryset: QuerySet[Review], today: datetime.date) -> QuerySet[Review]:
    return queryset.annotate(is_overdue=ExpressionWrapper(overdue_condition(today), output_field=BooleanField()))


def _awaiting_level() -> Subquery:
    """The level of the decision waiting for the head's confirmation, if any."""
    return Subquery(
        Decision.objects.filter(review=OuterRef("pk"), state=DecisionState.AWAITING_CONFIRMATION).values("level")[:1]
    )


# --- Work lists ----------------------------------------------------------------------------------------------


def own_reviews(user: AnyUser, today: datetime.date | None = None) -> QuerySet[Review]:
    """The user's own reviews in every period, newest first, with `result_appealed`."""
    if not user.is_authenticated:
        return Review.objects.none()
    queryset = (
        reviews_visible_to(user)
        .filter(cadre__user=user)
        .select_related("period", "place")
        .annotate(result_appealed=result_appealed_annotation())
    )
    return _with_overdue(queryset, today or timezone.localdate()).order_by("-period__covers_to", "-period_id")


def recorded_places(user: AnyUser, today: datetime.date | None = None) -> QuerySet[Any, Any] | None:
    """Per open period and cell the user records for: how many reviews in each state, and how many overdue.

    Rows are dicts; None when the user records for no place (so the page makes no query for it).
    """
    condition = recording_condition(user)
    if condition is None:
        return None
    today = today or timezone.localdate()
    per_state = {state: Count("pk", filter=Q(state=state)) for state in ReviewState}
    return (
        reviews_visible_to(user)
        .filter(condition, period__state=PeriodState.OPEN)
        .values("period", "period__title", "period__cell_meetings_until", "cell", "cell__name", "cell__path")
        .annotate(total=Count("pk"), overdue=Count("pk", filter=overdue_condition(today)), **per_state)
        .order_by("-period__cell_meetings_until", "period", "cell__path")
    )


def _queue(user: AnyUser, condition: Q | Exists, state: str, today: datetime.date | None) -> QuerySet[Review]:
    queryset = (
        reviews_visible_to(user)
        .filter(condition, state=state)
        .select_related("period", "cadre", "place", "deciding_organisation", "proposal")
    )
    return _with_overdue(queryset, today or timezone.localdate()).order_by(
        "period__decisions_until", "period_id", "place__path", "cadre__name_folded"
    )


def reviews_to_decide(user: AnyUser, today: datetime.date | None = None) -> QuerySet[Review] | None:
    """Cell proposals waiting for a committee the user sits on (or one above it); None if the user decides nowhere."""
    condition = deciding_condition(user)
    return None if condition is None else _queue(user, condition, ReviewState.CELL_PROPOSED, today)


def reviews_to_confirm(user: AnyUser, today: datetime.date | None = None) -> QuerySet[Review] | None:
    """Decisions waiting for the user as head (secretary) of the deciding organisation."""
    condition = confirming_condition(user)
    if condition is None:
        return None
    return _queue(user, condition, ReviewState.DECIDED, today).annotate(decided_level=_awaiting_level())


def places_of(queue: QuerySet[Review]) -> list[dict[str, Any]]:
    """The places of a work-list queue, with how many of its reviews wait in each, for the links to a place's table
    (one query)."""
    rows = (
        queue.order_by()
        .values("period", "period__title", "place", "place__name")
        .annotate(waiting=Count("pk"))
        .order_by("period__decisions_until", "period", "place__path")
    )
    return [dict(row) for row in rows]


def appeals_to_resolve(user: AnyUser, today: datetime.date | None = None) -> QuerySet[Review] | None:
    """Appealed reviews whose pending appeal the user may resolve, with that appeal's id as `pending_appeal`."""
    pending = appeals_resolvable_by(user)
    if pending is None:
        return None
    condition = Exists(pending) & ~Q(cadre__user=user)
    return _queue(user, condition, ReviewState.APPEALED, today).annotate(
        pending_appeal=Subquery(pending.values("pk")[:1]), appealed_at=Subquery(pending.values("filed_at")[:1])
    )


# --- Periods -------------------------------------------------------------------------------------------------


def periods_for(user: AnyUser) -> QuerySet[ReviewPeriod]:
    return periods_visible_to(user).select_related("rule_set", "scope").order_by("-covers_to", "-pk")


def state_counts(user: AnyUser, periods: list[ReviewPeriod]) -> dict[int, dict[str, int]]:
    """{period id: {state: number}} over the reviews the user may see, in one query."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    if not periods:
        return counts
    rows = (
        reviews_visible_to(user)
        .filter(period__in=[period.pk for period in periods])
        .values("period", "state")
        .annotate(number=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["period"]][row["state"]] = row["number"]
    return counts


def opening_counts(period: ReviewPeriod) -> dict[str, int]:
    """How many reviews a period opened with ("rated"), and how many members it lists as not rated."""
    return period.reviews.aggregate(
        rated=Count("pk", filter=~Q(state=ReviewState.NOT_RATED)),
        not_rated=Count("cadre", filter=Q(state=ReviewState.NOT_RATED), distinct=True),
    )


def get_period(pk: Any) -> ReviewPeriod | None:
    return ReviewPeriod.objects.select_related("rule_set", "scope", "opened_by__cadre").filter(pk=pk).first()


def period_reviews(user: AnyUser, period: ReviewPeriod) -> QuerySet[Review]:
    """The period's reviews the user may see, grouped by cell, with the proposal and the awaiting decision."""
    return (
        reviews_visible_to(user)
        .filter(period=period)
        .select_related("cadre", "place", "cell", "deciding_organisation", "proposal")
        .annotate(decided_level=_awaiting_level())
        .order_by("cell__path", "cadre__name_folded", "place__path")
    )


def period_deciding_organisations(user: AnyUser, period: ReviewPeriod) -> list[PartyOrganisation]:
    """The deciding organisations of the period's reviews the user may see, whatever page of them is shown."""
    deciding = reviews_visible_to(user).filter(period=period).values("deciding_organisation")
    return list(PartyOrganisation.objects.filter(pk__in=deciding).order_by("path"))


@dataclass(frozen=True)
class OpenCell:
    """A cell (or leadership collective) of a period with reviews still open, counted by state."""

    pk: int
    name: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def open_reviews_by_cell(period: ReviewPeriod) -> list[OpenCell]:
    """The period's reviews without a result (not final, not 'not rated'), by cell and state; one query."""
    rows = (
        period.reviews.exclude(state__in=ENDED_REVIEW_STATES)
        .values("cell", "cell__name", "cell__path", "state")
        .annotate(number=Count("pk"))
        .order_by("cell__path", "state")
    )
    cells: dict[int, OpenCell] = {}
    for row in rows:
        cell = cells.setdefault(row["cell"], OpenCell(row["cell"], row["cell__name"], {}))
        cell.counts[row["state"]] = row["number"]
    return list(cells.values())


# --- The cell's meeting ---------------------------------------------------------------------------------------


def meeting_roster(place: PartyOrganisation) -> QuerySet[Cadre]:
    """Who attends the place's meetings today, by name: a cell's active members; a leadership collective's members
    (its current posts)."""
    roster = Cadre.objects.order_by("name_folded", "pk")
    if place.kind in CELL_KINDS:
        active = Membership.objects.filter(cell=place, end_date__isnull=True, status=MembershipStatus.ACTIVE)
        return roster.filter(pk__in=active.values("cadre"))
    return roster.filter(pk__in=Position.objects.current().filter(organisation=place).values("cadre"))


def meetings_with_attendance(period: ReviewPeriod, place: PartyOrganisation) -> QuerySet[CellMeeting]:
    """The place's meetings in the period, newest first, each with its named attendance (two queries)."""
    return (
        CellMeeting.objects.filter(period=period, cell=place)
        .prefetch_related(Prefetch("attendance", queryset=MeetingAttendance.objects.select_related("cadre")))
        .order_by("-held_on", "-pk")
    )


def meeting_attendance(meeting: CellMeeting) -> list[MeetingAttendance]:
    """The members named at the meeting, those present first, by name."""
    return list(MeetingAttendance.objects.filter(meeting=meeting).select_related("cadre"))


# --- One review ----------------------------------------------------------------------------------------------


def review_assessments(review: Review) -> QuerySet[CommitmentAssessment]:
    """The commitments judged in the review, each with its commitment's evidence (two queries)."""
    return (
        CommitmentAssessment.objects.filter(review=review)
        .select_related("commitment")
        .prefetch_related(
            Prefetch("commitment__evidence", queryset=Evidence.objects.order_by("uploaded_at", "pk"), to_attr="files")
        )
        .order_by("position", "pk")
    )


def review_prompts(review: Review) -> QuerySet[ReviewPrompt]:
    return ReviewPrompt.objects.filter(review=review).select_related("issued_by__cadre").order_by("issued_at", "pk")


def review_inputs(review: Review) -> QuerySet[ReviewInput]:
    return ReviewInput.objects.filter(review=review).order_by("received_on", "pk")


def _residence_comments() -> QuerySet[ResidenceComment]:
    return ResidenceComment.objects.select_related(
        "residence_cell",
        "recorded_by__cadre",
        "review__cadre",
        "review__place",
        "review__cell",
        "review__deciding_organisation",
    )


def residence_comment_of(review: Review) -> ResidenceComment | None:
    """The member's residence comment in the review's period: asked at their cell, read in every place they are
    reviewed (a leader's collective too). The caller has checked that the user reads the review."""
    return _residence_comments().filter(review__period=review.period_id, review__cadre=review.cadre_id).first()


def residence_comments_of_place(period: ReviewPeriod, place: PartyOrganisation) -> list[ResidenceComment]:
    """The residence comments of the members reviewed at a place in a period, for its meeting page, by name."""
    members = Review.objects.filter(period=period, place=place).values("cadre")
    return list(
        _residence_comments()
        .filter(review__period=period, review__cadre__in=members)
        .order_by("review__cadre__name_folded", "pk")
    )


def residence_context(user: AnyUser, review: Review) -> dict[str, Any]:
    """The "Ý kiến nhận xét nơi cư trú" panel of a review's pages: the member's comment in the period, and whether
    the reader may bring one in from outside the portal."""
    comment = residence_comment_of(review)
    return {
        "residence_comment": comment,
        "may_upload_residence": comment is not None and can_upload_residence_comment(user, comment),
    }


def residence_requests(user: AnyUser) -> QuerySet[ResidenceComment]:
    """The residence secretary's list: what waits for an answer first, by deadline; then what was answered."""
    return (
        residence_requests_for(user)
        .select_related("residence_cell", "review__period", "review__cadre", "review__cell")
        .annotate(answered=Case(When(state=ResidenceCommentState.REQUESTED, then=0), default=1))
        .order_by("answered", "due_on", "review__cadre__name_folded", "pk")
    )


def review_proposal(review: Review) -> CellProposal | None:
    return CellProposal.objects.select_related("meeting", "recorded_by__cadre").filter(review=review).first()


def review_decisions(review: Review) -> QuerySet[Decision]:
    return (
        Decision.objects.filter(review=review)
        .select_related("deciding_organisation", "decided_by__cadre", "confirmed_by__cadre")
        .prefetch_related(
            Prefetch("grounds_assessments", queryset=CommitmentAssessment.objects.order_by("position", "pk")),
            Prefetch("grounds_evidence", queryset=Evidence.objects.order_by("uploaded_at", "pk")),
        )
        .order_by("decided_at", "pk")
    )


def review_appeals(review: Review) -> QuerySet[Appeal]:
    return (
        Appeal.objects.filter(review=review)
        .select_related(
            "filed_by__cadre", "resolved_by__cadre", "contested_change__organisation", "resolving_organisation"
        )
        .order_by("filed_at", "pk")
    )


def review_level_changes(review: Review) -> QuerySet[LevelChange]:
    return (
        LevelChange.objects.filter(review=review)
        .select_related("changed_by__cadre", "organisation")
        .order_by("changed_at", "pk")
    )


def review_history(review: Review, proposal: CellProposal | None) -> QuerySet[AuditEvent]:
    """The audit events of the review and of what hangs off it (their `after` names the review), oldest first.

    The cell meeting behind the proposal is included: its event names the meeting, not the review.
    """
    condition = Q(content_type__app_label="reviews", content_type__model="review", object_id=str(review.pk)) | Q(
        after__review=review.pk
    )
    if proposal is not None:
        condition |= Q(
            content_type__app_label="reviews", content_type__model="cellmeeting", object_id=str(proposal.meeting_id)
        )
    return (
        AuditEvent.objects.filter(condition, action__startswith="review.")
        .select_related("actor__cadre")
        .order_by("at", "pk")
    )
