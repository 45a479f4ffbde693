"""The review pages: the periods (list, opening one, one period, closing it) and one review with everything the
user may see of it, its next steps and its history (the work list is in work_list_views).

Reads go through reviews.selectors (scoped by reviews.access, joined once); the state changes here, opening
and closing a period, go through services.period_open and services.period_close.
"""

import datetime
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from programmes import access as programme_access
from programmes.access import Action
from programmes.audit import action_label
from programmes.export_views import export_response
from programmes.models import AuditEvent, PartyOrganisation, ReadKind
from programmes.reads import read_record
from programmes.search import filter_parameters
from programmes.web import AuthenticatedRequest, add_service_error, paginate, person_name
from reviews import access, presentation, quota, rules, selectors, services
from reviews.filters import PeriodReviewFilterForm, filter_period_reviews
from reviews.forms import PeriodCloseForm, PeriodForm, default_initial
from reviews.models import (
    Appeal,
    AppealState,
    PeriodState,
    RatingLevel,
    Review,
    ReviewPeriod,
    ReviewState,
)
from reviews.services.collective import collectives

PERIODS_PER_PAGE = 25
# A period's reviews, by cell: a ward's period has thousands.
REVIEWS_PER_PAGE = 100

# --- Periods -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StateCount:
    label: str
    state: str
    number: int


@dataclass(frozen=True)
class PeriodRow:
    period: ReviewPeriod
    counts: list[StateCount]
    total: int


def _state_counts(counts: dict[str, int]) -> list[StateCount]:
    return [StateCount(str(label), value, counts[value]) for value, label in ReviewState.choices if counts.get(value)]


@login_required
@require_GET
def period_list(request: AuthenticatedRequest) -> HttpResponse:
    page, page_numbers = paginate(request, selectors.periods_for(request.user), PERIODS_PER_PAGE)
    periods = list(page.object_list)
    counts = selectors.state_counts(request.user, periods)
    rows = [
        PeriodRow(period, _state_counts(counts.get(period.pk, {})), sum(counts.get(period.pk, {}).values()))
        for period in periods
    ]
    context = {
        "page": page,
        "page_numbers": page_numbers,
        "rows": rows,
        "may_open": programme_access.can_anywhere(request.user, Action.OPEN_REVIEW_PERIOD),
    }
    return render(request, "reviews/period_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def period_open(request: AuthenticatedRequest) -> HttpResponse:
    if not programme_access.can_anywhere(request.user, Action.OPEN_REVIEW_PERIOD):
        raise Http404
    form = PeriodForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        initial=default_initial(timezone.localdate()),
    )
    if request.method == "POST" and form.is_valid():
        try:
            period = services.period_open(**form.cleaned_data, acting_user=access.acting(request.user))
        except ValidationError as error:
            add_service_error(form, error)
        except PermissionDenied as refused:
            form.add_error("scope", str(refused))
        else:
            created = selectors.opening_counts(period)
            messages.success(
                request,
                _(
                    "Đã mở đợt “%(title)s”: tạo %(rated)s bản kiểm điểm; "
                    "%(not_rated)s đảng viên thuộc diện không đánh giá, xếp loại."
                )
                % {"title": period.title, "rated": created["rated"], "not_rated": created["not_rated"]},
            )
            return redirect("reviews:period_detail", pk=period.pk)
    return render(request, "reviews/period_form.html", {"form": form})


@dataclass
class CellGroup:
    """The reviews of one cell (or leadership collective) that the user may see."""

    cell: PartyOrganisation
    may_record: bool
    rated: list[Review] = field(default_factory=list)
    not_rated: list[Review] = field(default_factory=list)


@dataclass(frozen=True)
class QuotaLine:
    organisation: PartyOrganisation
    decided: str
    decided_exceeded: bool
    expected: str
    expected_exceeded: bool
    # The Excellent decisions beyond the quota, each with the committee's written justification.
    justified: list[quota.Justified]


def quota_text(status: rules.QuotaStatus) -> str:
    """ "2 xuất sắc / 10 tốt — tối đa 2: đạt" """
    counted = _("%(excellent)s xuất sắc / %(good)s tốt") % {"excellent": status.excellent, "good": status.good}
    if status.allowed is None:
        return counted + " — " + _("không giới hạn tỷ lệ")
    verdict = _("vượt tỷ lệ") if status.exceeded else _("đạt")
    return counted + " — " + _("tối đa %(allowed)s: %(verdict)s") % {"allowed": status.allowed, "verdict": verdict}


def _may_see_quota(user: User, organisation: PartyOrganisation) -> bool:
    """Counts of a whole organisation's levels are for those who decide there or run its periods: with a
    handful of members, a member or a cell secretary could read others' ratings off them."""
    return programme_access.can(user, Action.DECIDE_RATING, organisation) or programme_access.can(
        user, Action.OPEN_REVIEW_PERIOD, organisation
    )


def _quota_lines(user: User, period: ReviewPeriod, deciding: list[PartyOrganisation]) -> list[QuotaLine]:
    """The quota of each deciding organisation of the reviews the user sees in the period (all pages)."""
    organisations = {organisation.pk: organisation for organisation in deciding if _may_see_quota(user, organisation)}
    if not organisations:
        return []
    pictures = quota.pictures(period, organisations)
    justified: dict[int, list[quota.Justified]] = {}
    for entry in quota.justified(period, organisations):
        justified.setdefault(entry.organisation_id, []).append(entry)
    lines = []
    for organisation in sorted(organisations.values(), key=lambda organisation: organisation.path):
        picture = pictures.get(organisation.pk, rules.QuotaPicture())
        decided = rules.decided_quota(period.rule_set, picture)
        expected = rules.expected_quota(period.rule_set, picture)
        lines.append(
            QuotaLine(
                organisation,
                quota_text(decided),
                decided.exceeded,
                quota_text(expected),
                expected.exceeded,
                justified.get(organisation.pk, []),
            )
        )
    return lines


def _cell_groups(request: AuthenticatedRequest, reviews: list[Review]) -> list[CellGroup]:
    groups = []
    for _cell_id, members in groupby(reviews, key=lambda review: review.cell_id):
        rows = list(members)
        cell = rows[0].cell
        group = CellGroup(cell, access.can_record_meeting(request.user, cell))
        for review in rows:
            (group.not_rated if review.state == ReviewState.NOT_RATED else group.rated).append(review)
        groups.append(group)
    return groups


@login_required
@require_GET
def period_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    period = selectors.get_period(pk)
    if period is None:
        raise Http404
    today = timezone.localdate()
    all_reviews = selectors.period_reviews(request.user, period)
    # The staff's search of the period's reviews, filtered inside the reviews the user may read.
    filter_form = PeriodReviewFilterForm(request.GET or None, user=request.user, period=period)
    filters = filter_form.filters()
    page, page_numbers = paginate(request, filter_period_reviews(all_reviews, filters, today), REVIEWS_PER_PAGE)
    reviews = list(page.object_list)
    total = page.paginator.count
    # Seeing a period is seeing some of its reviews: overseers and other organisations learn nothing of it. A search
    # that finds nothing says nothing of that, so it asks once more, unfiltered.
    reviews_seen = total > 0 or (bool(filters) and all_reviews.exists())
    if not access.can_view_period(request.user, period, reviews_seen=reviews_seen):
        raise Http404
    context = {
        "filter_form": filter_form,
        "may_export": access.can_export_reviews(request.user),
        "period": period,
        "rule_set": period.rule_set,
        "groups": _cell_groups(request, reviews),
        "page": page,
        "page_numbers": page_numbers,
        "quotas": _quota_lines(request.user, period, selectors.period_deciding_organisations(request.user, period)),
        "total": total,
        "today": today,
        "may_close": period.state == PeriodState.OPEN and access.can_open_period(request.user, period.scope),
        "rating_bodies": list(access.rating_bodies(request.user, period.scope)) if period.includes_collectives else [],
        "reporting_organisations": (
            list(access.reporting_organisations(request.user, period.scope).filter(pk__in=collectives(period)))
            if period.includes_collectives
            else []
        ),
    }
    return render(request, "reviews/period_detail.html", context)


@login_required
@require_GET
def period_export(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """The period's reviews the user reads, with the page's filters, as a spreadsheet (reviews.exports)."""
    return export_response(request, "reviews", {**filter_parameters(request.GET), "id": str(pk)})


@dataclass(frozen=True)
class OpenCellRow:
    cell: selectors.OpenCell
    counts: list[StateCount]


@login_required
@require_http_methods(["GET", "POST"])
def period_close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """What is still open in the period, by cell and state; with an explicit confirmation, the period ends."""
    period = selectors.get_period(pk)
    # Only those who may open a period over its scope close it; to anyone else the page does not exist.
    if period is None or not access.can_open_period(request.user, period.scope):
        raise Http404
    form = PeriodCloseForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.period_close(period=period, acting_user=access.acting(request.user))
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Đã kết thúc đợt “%(title)s”.") % {"title": period.title})
            return redirect("reviews:period_detail", pk=period.pk)
    cells = [OpenCellRow(cell, _state_counts(cell.counts)) for cell in selectors.open_reviews_by_cell(period)]
    totals: dict[str, int] = {}
    for row in cells:
        for state, number in row.cell.counts.items():
            totals[state] = totals.get(state, 0) + number
    context = {
        "period": period,
        "form": form,
        "cells": cells,
        "totals": _state_counts(totals),
        "open_total": sum(totals.values()),
    }
    return render(request, "reviews/period_close.html", context)


# --- One review ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    title: str
    text: str


@dataclass(frozen=True)
class HistoryRow:
    at: datetime.datetime
    actor: str
    label: str


@dataclass(frozen=True)
class ActionButton:
    label: str
    url: str
    primary: bool = True


def _history(events: list[AuditEvent]) -> list[HistoryRow]:
    return [
        HistoryRow(
            event.at,
            person_name(event.actor) if event.actor is not None else event.actor_repr,
            action_label(event.action),
        )
        for event in events
    ]


def _pending_appeal(appeals: list[Appeal]) -> Appeal | None:
    return next((appeal for appeal in appeals if appeal.state == AppealState.PENDING), None)


def _actions(user: User, review: Review, appeals: list[Appeal], appeal_refusal: str | None) -> list[ActionButton]:
    """The steps this user may take on the review now, as links to their pages. `appeal_refusal` is why the
    subject may not appeal the result in force (services.appeal_refusal), None when they may."""
    pk = review.pk
    state = review.state
    subject = access.is_subject(user, review)
    buttons: list[ActionButton] = []
    if subject and state == ReviewState.SELF_DRAFTING:
        buttons.append(ActionButton(_("Viết bản kiểm điểm"), reverse("reviews:self_review_edit", args=[pk])))
    if state in (ReviewState.SELF_DRAFTING, ReviewState.SELF_SUBMITTED) and access.can_add_prompt_or_input(
        user, review
    ):
        buttons.append(ActionButton(_("Gửi gợi ý kiểm điểm"), reverse("reviews:prompt_add", args=[pk]), False))
        buttons.append(ActionButton(_("Thêm ý kiến nhận xét"), reverse("reviews:input_add", args=[pk]), False))
    if state == ReviewState.SELF_SUBMITTED and access.can_record_proposal(user, review):
        buttons.append(ActionButton(_("Ghi đề xuất của chi bộ"), reverse("reviews:proposal_record", args=[pk])))
    if state == ReviewState.CELL_PROPOSED and access.can_decide(user, review):
        buttons.append(ActionButton(_("Quyết định xếp loại"), reverse("reviews:decision_make", args=[pk])))
        buttons.append(ActionButton(_("Trả lại chi bộ"), reverse("reviews:decision_return", args=[pk]), False))
    if state == ReviewState.DECIDED and access.can_confirm_decision(user, review):
        buttons.append(ActionButton(_("Xác nhận kết quả"), reverse("reviews:decision_confirm", args=[pk])))
    if state == ReviewState.FINAL and subject and appeal_refusal is None:
        buttons.append(ActionButton(_("Gửi kiến nghị"), reverse("reviews:appeal_file", args=[pk]), False))
    pending = _pending_appeal(appeals) if state == ReviewState.APPEALED else None
    if pending is not None and access.can_resolve_appeal(user, pending):
        buttons.append(ActionButton(_("Giải quyết kiến nghị"), reverse("reviews:appeal_resolve", args=[pending.pk])))
    if state == ReviewState.FINAL and access.can_reclassify(user, review):
        buttons.append(ActionButton(_("Xếp loại lại"), reverse("reviews:review_reclassify", args=[pk]), False))
    return buttons


def _level_label(level: str) -> str:
    return str(RatingLevel(level).label) if level in RatingLevel.values else ""


@login_required
@require_GET
def review_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    review = access.get_review_for(request.user, pk)
    period = review.period
    rule_set = period.rule_set
    today = timezone.localdate()
    proposal = selectors.review_proposal(review)
    appeals = list(selectors.review_appeals(review))
    for appeal in appeals:
        appeal.review = review
    appeal_refusal = None
    if access.is_subject(request.user, review) and review.state == ReviewState.FINAL:
        change = services.current_change(review)
        addressee = access.appeal_addressee(review, change)
        appeal_refusal = services.appeal_refusal(review, change, addressee, today)
    self_total = (
        review.self_general_points + review.self_task_points
        if review.self_general_points is not None and review.self_task_points is not None
        else None
    )
    proposal_total = (
        proposal.general_points + proposal.task_points
        if proposal is not None and proposal.general_points is not None and proposal.task_points is not None
        else None
    )
    named = selectors.meeting_attendance(proposal.meeting) if proposal is not None else []
    context: dict[str, Any] = {
        "review": review,
        "period": period,
        "rule_set": rule_set,
        "sections": [
            Section(presentation.section_title(name), getattr(review, name))
            for name in presentation.SELF_REVIEW_SECTIONS
        ],
        "self_total": self_total,
        "self_reached": _level_label(rules.level_for_points(rule_set, self_total))
        if self_total is not None and rule_set.uses_points
        else "",
        "assessments": list(selectors.review_assessments(review)),
        "prompts": list(selectors.review_prompts(review)),
        "inputs": list(selectors.review_inputs(review)),
        **selectors.residence_context(request.user, review),
        "proposal": proposal,
        "proposal_total": proposal_total,
        "meeting": proposal.meeting if proposal is not None else None,
        "meeting_present": [entry for entry in named if entry.present],
        "meeting_absent": [entry for entry in named if not entry.present],
        "decisions": list(selectors.review_decisions(review)),
        "appeals": appeals,
        "level_changes": list(selectors.review_level_changes(review)),
        "history": _history(list(selectors.review_history(review, proposal))),
        "appeal_until": services.appeal_deadline(review),
        "appeal_refusal": appeal_refusal,
        "actions": _actions(request.user, review, appeals, appeal_refusal),
        "may_open_cell": access.can_record_meeting(request.user, review.cell),
        "is_subject": access.is_subject(request.user, review),
        "report": access.current_individual_report(review),
        "today": today,
    }
    read_record(reader=request.user, kind=ReadKind.SELF_REVIEW, subject=review.cadre, obj=review, scope=review.cell)
    return render(request, "reviews/review_detail.html", context)
