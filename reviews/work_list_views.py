"""The work list everyone starts from: the user's own reviews with their next step, and the queues of what their
roles have to do (record, decide, confirm, resolve appeals), each paged on its own."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from programmes import access as programme_access
from programmes.access import Action
from programmes.web import AuthenticatedRequest, paginate
from reviews import access, selectors, services
from reviews.filters import WorkListFilterForm, filter_queue
from reviews.models import Review, ReviewState

# --- Work lists ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class OwnRow:
    """One of the user's own reviews, with what comes next for them."""

    review: Review
    next_step: str
    link: Link | None = None


def _own_row(review: Review, today: datetime.date) -> OwnRow:
    period = review.period
    state = review.state
    if state == ReviewState.SELF_DRAFTING:
        return OwnRow(
            review,
            _("Viết và nộp bản kiểm điểm, hạn %(date)s.") % {"date": f"{period.self_review_until:%d/%m/%Y}"},
            Link(_("Viết bản kiểm điểm"), reverse("reviews:self_review_edit", args=[review.pk])),
        )
    if state == ReviewState.SELF_SUBMITTED:
        if review.return_reason:
            return OwnRow(review, _("Cấp ủy đã trả lại chi bộ; chờ chi bộ đề xuất lại."))
        return OwnRow(
            review,
            _("Đã nộp; chờ chi bộ họp, đề xuất (hạn %(date)s).") % {"date": f"{period.cell_meetings_until:%d/%m/%Y}"},
        )
    if state == ReviewState.CELL_PROPOSED:
        return OwnRow(review, _("Chi bộ đã đề xuất; chờ cấp ủy quyết định."))
    if state == ReviewState.DECIDED:
        return OwnRow(review, _("Cấp ủy đã quyết định; chờ người đứng đầu xác nhận."))
    if state == ReviewState.APPEALED:
        return OwnRow(review, _("Đang giải quyết kiến nghị của đồng chí."))
    if state == ReviewState.NOT_RATED:
        return OwnRow(review, _("Không đánh giá, xếp loại: %(reason)s.") % {"reason": review.not_rated_reason})
    deadline = services.appeal_deadline(review)
    result = _("Kết quả: %(level)s.") % {"level": review.get_final_level_display()}
    # One appeal per result: once this result is appealed, the link goes until a new result stands.
    if deadline is not None and today <= deadline and not getattr(review, "result_appealed", False):
        return OwnRow(
            review,
            result + " " + _("Được kiến nghị đến hết ngày %(date)s.") % {"date": f"{deadline:%d/%m/%Y}"},
            Link(_("Gửi kiến nghị"), reverse("reviews:appeal_file", args=[review.pk])),
        )
    return OwnRow(review, result)


# A committee's queues cover a whole ward: each shows this many at a time, by deadline, place and name.
QUEUE_PER_PAGE = 50


@dataclass(frozen=True)
class QueuePage:
    """One page of a work-list queue, with the page numbers to offer and the queue's own page parameter."""

    reviews: list[Review]
    page: Page[Review]
    numbers: list[int | str]
    parameter: str

    @property
    def total(self) -> int:
        return self.page.paginator.count

    # Read as the reviews of the page shown.
    def __iter__(self) -> Iterator[Review]:
        return iter(self.reviews)

    def __len__(self) -> int:
        return len(self.reviews)


def _queue_page(request: AuthenticatedRequest, queue: QuerySet[Review] | None, parameter: str) -> QueuePage | None:
    if queue is None:
        return None
    page, numbers = paginate(request, queue, QUEUE_PER_PAGE, parameter)
    return QueuePage(list(page.object_list), page, numbers, parameter)


def _places(queue: QuerySet[Review] | None, page: QueuePage | None) -> list[dict[str, Any]]:
    """The places a queue's reviews wait in, for the links to each place's table; nothing asked when it is empty."""
    if queue is None or page is None or not page.total:
        return []
    return selectors.places_of(queue)


@login_required
@require_GET
def work_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    own = [_own_row(review, today) for review in selectors.own_reviews(user, today)]
    places = selectors.recorded_places(user, today)
    # The staff's search of their queues (by name, place, overdue step), inside what each queue already holds.
    filter_form = WorkListFilterForm(request.GET or None, user=user)
    filters = filter_form.filters()
    to_decide = filter_queue(selectors.reviews_to_decide(user, today), filters, today)
    to_confirm = filter_queue(selectors.reviews_to_confirm(user, today), filters, today)
    appeals = filter_queue(selectors.appeals_to_resolve(user, today), filters, today)
    decide_page = _queue_page(request, to_decide, "trang_quyet_dinh")
    confirm_page = _queue_page(request, to_confirm, "trang_xac_nhan")
    context = {
        "today": today,
        "own": own,
        "records": places is not None,
        "places": list(places) if places is not None else [],
        "decides": to_decide is not None,
        "to_decide": decide_page,
        # The places with proposals (decisions) waiting, each with its table for the whole place.
        "decide_places": _places(to_decide, decide_page),
        "confirm_places": _places(to_confirm, confirm_page),
        # A cell secretary heads a grassroots cell at most: their empty list would only be noise.
        "heads": (confirm_page is not None and confirm_page.total > 0) or access.heads_a_body(user),
        "to_confirm": confirm_page,
        "appeals": _queue_page(request, appeals, "trang_kien_nghi"),
        "may_open": programme_access.can_anywhere(user, Action.OPEN_REVIEW_PERIOD),
        # A cell's secretary answers the residence comments asked of their cell (Quy định 213-QĐ/TW).
        "answers_residence": bool(programme_access.grants_allowing(user, Action.RECORD_RESIDENCE_COMMENT)),
        "filter_form": filter_form,
    }
    return render(request, "reviews/work_list.html", context)
