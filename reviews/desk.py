"""The reviews' share of “Việc cần làm” (programmes.desk): the member's self-review, the cell's reading, meeting and
proposals, the committee's decisions, confirmations and appeals, and the periods to open or close.

Each source reads the queues the work list already computes (reviews.selectors, scoped by reviews.access), counted
and grouped in the database: a fixed number of queries whatever the number of reviews, cells or members.
"""

import datetime
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, Min, OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _

from programmes import access as programme_access
from programmes.access import Action
from programmes.desk import BOARD, CELL, COMMITTEE, OWN, Desk, Task, local_day, most_urgent, source
from reviews import access, selectors
from reviews.models import (
    ENDED_REVIEW_STATES,
    CellMeeting,
    Decision,
    DecisionState,
    PeriodKind,
    PeriodState,
    ResidenceCommentState,
    Review,
    ReviewPeriod,
    ReviewState,
)

# The default calendar (DOMAIN §1.2): self-reviews from 1 December, so the year's period is due open by then.
ANNUAL_SELF_REVIEWS_START = (12, 1)


@source(100)
def own_self_review(desk: Desk) -> None:
    """The member's self-reviews still to write and submit, in open periods."""
    drafts = selectors.own_reviews(desk.user, desk.today).filter(
        state=ReviewState.SELF_DRAFTING, period__state=PeriodState.OPEN
    )
    desk.add_first_due(
        OWN,
        drafts,
        "period__self_review_until",
        (_("Bản kiểm điểm cá nhân cần viết và nộp"), _("Viết bản kiểm điểm")),
        "reviews:self_review_edit",
    )


# --- The cell: its secretary or deputy (or the head of a leadership collective) ----------------------------------


def _place_rows(desk: Desk) -> list[dict[str, Any]] | None:
    """Per open period, place, state and whether the place's meeting is recorded: how many of the other members'
    reviews wait before the proposal. One query; None when the user records for no place."""
    condition = access.recording_condition(desk.user)
    if condition is None:
        return None
    meeting = CellMeeting.objects.filter(period=OuterRef("period"), cell=OuterRef("place"))
    rows = (
        access.reviews_visible_to(desk.user)
        .filter(
            condition,
            period__state=PeriodState.OPEN,
            state__in=[ReviewState.SELF_DRAFTING, ReviewState.SELF_SUBMITTED],
        )
        .exclude(cadre__user=desk.user.pk)
        .annotate(met=Exists(meeting))
        .values("period", "place", "state", "met", "period__self_review_until", "period__cell_meetings_until")
        .annotate(number=Count("pk"))
        .order_by("period__cell_meetings_until", "period", "place")
    )
    return [dict(row) for row in rows]


def _cell_url(row: dict[str, Any]) -> str:
    return reverse("reviews:cell_reviews", args=[row["period"], row["place"]])


def _nearest(rows: list[dict[str, Any]], deadline: str) -> dict[str, Any]:
    return min(rows, key=lambda row: (row[deadline], row["period"], row["place"]))


def _add_cell_task(
    desk: Desk,
    rows: list[dict[str, Any]],
    deadline: str,
    texts: tuple[str, str],
    url: Callable[[dict[str, Any]], str] = _cell_url,
    count: int | None = None,
) -> None:
    """One line of the cell's work: the rows' number of reviews (or `count`), opening the place whose deadline
    comes first."""
    if not rows:
        return
    first = _nearest(rows, deadline)
    title, action = texts
    number = sum(row["number"] for row in rows) if count is None else count
    desk.add(CELL, desk.task(title, number, action, url(first), deadline=first[deadline]))


def _meeting_url(row: dict[str, Any]) -> str:
    return reverse("reviews:meeting_record", args=[row["period"], row["place"]])


def _proposals_url(row: dict[str, Any]) -> str:
    # The cell's table of proposals: the whole cell proposed in one page.
    return reverse("reviews:cell_proposals", args=[row["period"], row["place"]])


@source(110)
def cell_work(desk: Desk) -> None:
    rows = _place_rows(desk)
    if rows is None:
        return
    desk.open(CELL)
    drafting = [row for row in rows if row["state"] == ReviewState.SELF_DRAFTING]
    to_read = [row for row in rows if row["state"] == ReviewState.SELF_SUBMITTED and not row["met"]]
    to_propose = [row for row in rows if row["state"] == ReviewState.SELF_SUBMITTED and row["met"]]
    unmet = {(row["period"], row["place"]): row for row in rows if not row["met"]}
    _add_cell_task(
        desk,
        drafting,
        "period__self_review_until",
        (_("Đảng viên chưa nộp bản kiểm điểm"), _("Xem bản kiểm điểm của chi bộ")),
    )
    _add_cell_task(
        desk,
        to_read,
        "period__cell_meetings_until",
        (_("Bản kiểm điểm đã nộp, cần đọc trước cuộc họp chi bộ"), _("Đọc bản kiểm điểm")),
    )
    _add_cell_task(
        desk,
        list(unmet.values()),
        "period__cell_meetings_until",
        (_("Cuộc họp kiểm điểm của chi bộ chưa ghi biên bản"), _("Ghi biên bản cuộc họp")),
        url=_meeting_url,
        count=len(unmet),
    )
    _add_cell_task(
        desk,
        to_propose,
        "period__cell_meetings_until",
        (_("Đề xuất mức xếp loại của chi bộ cần ghi"), _("Ghi đề xuất của chi bộ")),
        url=_proposals_url,
    )


@source(115)
def residence_comments(desk: Desk) -> None:
    """The residence cell's secretary: the working members living in its area whose comment it has not given yet
    (Quy định 213-QĐ/TW), by the nearest deadline. One query, for those who hold a cell's post only."""
    if not programme_access.grants_allowing(desk.user, Action.RECORD_RESIDENCE_COMMENT):
        return
    desk.open(CELL)
    waiting = access.residence_requests_for(desk.user).filter(
        state=ResidenceCommentState.REQUESTED,
        review__period__state=PeriodState.OPEN,
        review__state__in=[ReviewState.SELF_DRAFTING, ReviewState.SELF_SUBMITTED],
    )
    found = most_urgent(waiting, ["due_on", "pk"], ["pk", "due_on"])
    if found is not None:
        desk.add(
            CELL,
            desk.task(
                _("Đảng viên cư trú trên địa bàn chờ chi bộ nhận xét"),
                found.total,
                _("Nhận xét nơi cư trú"),
                reverse("reviews:residence_requests"),
                deadline=found.row["due_on"],
            ),
        )


# --- The committee: its members decide, its head confirms, the committee above resolves appeals ----------------


def _work_list(anchor: str) -> str:
    return f"{reverse('reviews:work_list')}#{anchor}"


@source(120)
def decisions_to_make(desk: Desk) -> None:
    queue = selectors.reviews_to_decide(desk.user, desk.today)
    if queue is None:
        return
    desk.open(COMMITTEE)
    found = most_urgent(
        queue,
        ["proposal__recorded_at", "pk"],
        ["period", "place"],
        deadline=Min("period__decisions_until"),
        since=Min("proposal__recorded_at"),
    )
    if found is None:
        return
    desk.add(
        COMMITTEE,
        desk.task(
            _("Đề xuất của chi bộ chờ cấp ủy quyết định xếp loại"),
            found.total,
            _("Quyết định xếp loại"),
            # The table of the cell waiting longest: its whole cell decided in one page.
            reverse("reviews:cell_decisions", args=[found.row["period"], found.row["place"]]),
            deadline=found.over["deadline"],
            since=local_day(found.over["since"]),
        ),
    )


def _awaiting_since() -> Subquery:
    return Subquery(
        Decision.objects.filter(review=OuterRef("pk"), state=DecisionState.AWAITING_CONFIRMATION)
        .order_by("-decided_at")
        .values("decided_at")[:1]
    )


@source(130)
def decisions_to_confirm(desk: Desk) -> None:
    queue = selectors.reviews_to_confirm(desk.user, desk.today)
    if queue is None:
        return
    desk.open(COMMITTEE)
    found = most_urgent(
        queue.annotate(awaiting_since=_awaiting_since()),
        ["awaiting_since", "pk"],
        ["period", "place", "awaiting_since"],
        deadline=Min("period__decisions_until"),
    )
    if found is None:
        return
    desk.add(
        COMMITTEE,
        desk.task(
            _("Quyết định xếp loại chờ đồng chí xác nhận"),
            found.total,
            _("Xác nhận kết quả xếp loại"),
            # The table of the cell whose decision waits longest: its whole cell confirmed in one page.
            reverse("reviews:cell_confirmations", args=[found.row["period"], found.row["place"]]),
            deadline=found.over["deadline"],
            since=local_day(found.row["awaiting_since"]),
        ),
    )


@source(140)
def appeals_to_resolve(desk: Desk) -> None:
    queue = selectors.appeals_to_resolve(desk.user, desk.today)
    if queue is None:
        return
    desk.open(COMMITTEE)
    found = most_urgent(queue, ["appealed_at", "pk"], ["pending_appeal", "appealed_at"])
    if found is None:
        return
    single = found.total == 1
    desk.add(
        COMMITTEE,
        desk.task(
            _("Kiến nghị về kết quả xếp loại chờ giải quyết"),
            found.total,
            _("Giải quyết kiến nghị"),
            reverse("reviews:appeal_resolve", args=[found.row["pending_appeal"]])
            if single
            else _work_list("appeals-heading"),
            since=local_day(found.row["appealed_at"]),
        ),
    )


# --- Periods: whoever may open them (organisation-board staff, standing members and heads) ---------------------


@source(150)
def periods(desk: Desk) -> None:
    user = desk.user
    where = programme_access.paths_where(user, Action.OPEN_REVIEW_PERIOD, "scope__path")
    if where is None:
        return
    # Organisation-board staff keep the calendar for their committee; a committee's own officers see it as theirs.
    group = BOARD if programme_access.can_anywhere(user, Action.IMPORT_ROSTER) else COMMITTEE
    desk.open(group)
    still_open = Review.objects.filter(period=OuterRef("pk")).exclude(state__in=ENDED_REVIEW_STATES)
    ready = ReviewPeriod.objects.filter(where, state=PeriodState.OPEN).exclude(Exists(still_open))
    desk.add_first_due(
        group,
        ready,
        "decisions_until",
        (_("Đợt kiểm điểm đã có đủ kết quả, cần kết thúc"), _("Kết thúc đợt kiểm điểm")),
        "reviews:period_detail",
    )
    desk.add(group, _annual_period_to_open(desk))


def _annual_period_to_open(desk: Desk) -> Task | None:
    """From DESK_ANNUAL_PERIOD_MONTH on: the organisations where the user opens periods that no annual period of
    the year covers (opened for them or for a committee above). One query."""
    today = desk.today
    if today.month < settings.DESK_ANNUAL_PERIOD_MONTH:
        return None
    grants = programme_access.grants_allowing(desk.user, Action.OPEN_REVIEW_PERIOD)
    tops = {grant.organisation_id: grant.path for grant in grants}
    if not tops:
        return None
    above = {path for top in tops.values() for path in programme_access.path_and_above(top)}
    covered = set(
        ReviewPeriod.objects.filter(
            kind=PeriodKind.ANNUAL,
            covers_from__lte=datetime.date(today.year, 12, 31),
            covers_to__gte=datetime.date(today.year, 1, 1),
            scope__path__in=above,
        ).values_list("scope__path", flat=True)
    )
    missing = [pk for pk, path in tops.items() if not any(path.startswith(scope) for scope in covered)]
    if not missing:
        return None
    return desk.task(
        _("Đợt kiểm điểm năm %(year)s chưa được mở") % {"year": today.year},
        len(missing),
        _("Mở đợt kiểm điểm"),
        reverse("reviews:period_open"),
        deadline=datetime.date(today.year, *ANNUAL_SELF_REVIEWS_START),
    )
