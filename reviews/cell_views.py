"""The cell's part of a review: its page for a period, the meeting, the proposal, and the minutes download.

Those who record for a place (its secretary or deputy, or the head of a leadership collective) work
here; those who may read the place's reviews (the deciding committee, organisation-board staff) see the
page. Anyone else gets 404, whether or not the period, place or meeting exists.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from programmes.access import AnyUser
from programmes.files import extension_of, private_download
from programmes.models import PartyOrganisation, ReadKind
from programmes.reads import read_record
from programmes.web import AuthenticatedRequest, refusal_page
from reviews import access as review_access
from reviews import presentation, quota, rules, selectors, services
from reviews.bulk_tables import cell_access
from reviews.cell_forms import MeetingForm, ProposalForm, attendance_text, quorum_needed
from reviews.consistency import consistency_flags
from reviews.models import CellMeeting, CellProposal, MeetingAttendance, Review, ReviewPeriod, ReviewState


@dataclass(frozen=True)
class ReviewRow:
    review: Review
    proposal: CellProposal | None
    may_propose: bool


@dataclass(frozen=True)
class MeetingRow:
    meeting: CellMeeting
    attendance: str
    # The members named present, and those named absent with their reasons; both empty when none were named.
    present: list[MeetingAttendance]
    absent: list[MeetingAttendance]


def _meeting_row(meeting: CellMeeting) -> MeetingRow:
    named = list(meeting.attendance.all())
    return MeetingRow(
        meeting,
        attendance_text(meeting.members_present, meeting.members_total),
        [entry for entry in named if entry.present],
        [entry for entry in named if not entry.present],
    )


@dataclass(frozen=True)
class QuotaRow:
    organisation: PartyOrganisation
    status: rules.QuotaStatus


def _quota_rows(period: ReviewPeriod, reviews: list[Review]) -> list[QuotaRow]:
    """The quota of each deciding organisation of these reviews, over the whole picture of the period it decides on
    (as services.cell_quota warns): the decided levels, else the proposals."""
    if period.rule_set.quota_percent is None or not reviews:
        return []
    organisations = {review.deciding_organisation_id: review.deciding_organisation for review in reviews}
    pictures = quota.pictures(period, organisations)
    return [
        QuotaRow(organisation, rules.expected_quota(period.rule_set, pictures[organisation_id]))
        for organisation_id, organisation in organisations.items()
        if organisation_id in pictures
    ]


@login_required
@require_GET
def cell_reviews(request: HttpRequest, period_pk: int, cell_pk: int) -> HttpResponse:
    found = cell_access(request.user, period_pk, cell_pk)
    period, place = found.period, found.place
    reviews = list(found.reviews.select_related("cadre", "place", "deciding_organisation", "proposal"))
    rows = [
        ReviewRow(
            review=review,
            proposal=getattr(review, "proposal", None),
            may_propose=review.state == ReviewState.SELF_SUBMITTED
            and review_access.can_record_proposal(request.user, review),
        )
        for review in reviews
    ]
    meetings = [_meeting_row(meeting) for meeting in selectors.meetings_with_attendance(period, place)]
    # A member who sees only their own review is not shown the counts of the whole organisation.
    reads_others = found.may_record or any(review.cadre.user_id != request.user.pk for review in reviews)
    states = {review.state for review in reviews}
    context = {
        "period": period,
        "place": place,
        "rows": rows,
        # The tables of the whole cell, for those who may act on them, while there is something to do there.
        "table_proposals": found.may_record and ReviewState.SELF_SUBMITTED in states,
        "table_decisions": ReviewState.CELL_PROPOSED in states and review_access.can_decide_in(request.user, place),
        "table_confirmations": ReviewState.DECIDED in states and review_access.can_confirm_in(request.user, place),
        "meetings": meetings,
        "quotas": _quota_rows(period, reviews) if reads_others else [],
        "may_record": found.may_record,
        "uses_points": period.rule_set.uses_points,
    }
    return render(request, "reviews/cell_reviews.html", context)


def _int_or_none(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if number >= 0 else None


def _quorum_context(total: int | None, present: int | None) -> dict[str, object]:
    if not total:
        return {"quorum_known": False}
    context: dict[str, object] = {"quorum_known": True, "total": total, "needed": quorum_needed(total)}
    if present is not None and present <= total:
        context.update(
            {"present": present, "quorum": present * 2 > total, "attendance": attendance_text(present, total)}
        )
    return context


@login_required
@require_http_methods(["GET", "POST"])
def meeting_record(request: AuthenticatedRequest, period_pk: int, cell_pk: int) -> HttpResponse:
    found = cell_access(request.user, period_pk, cell_pk)
    period, place = found.period, found.place
    if not found.may_record:
        raise PermissionDenied(_("Chỉ bí thư, phó bí thư mới ghi cuộc họp này."))
    address = reverse("reviews:meeting_record", args=[period.pk, place.pk])
    if request.method == "GET" and request.htmx and "members_total" in request.GET:
        hint = _quorum_context(
            _int_or_none(request.GET.get("members_total")), _int_or_none(request.GET.get("members_present"))
        )
        return render(request, "includes/review_cell_quorum.html", hint)
    # The members who attend its meetings today, each to be marked present or absent.
    roster = list(selectors.meeting_roster(place))
    form = MeetingForm(
        request.POST or None,
        request.FILES or None,
        period=period,
        place=place,
        user=review_access.acting(request.user),
        quorum_url=address,
        roster=roster,
        initial={
            "held_on": timezone.localdate(),
            "members_total": len(roster),
            "chaired_by": _chair_name(request.user),
        },
    )
    if request.method == "POST" and form.is_valid():
        meeting = form.submit()
        if meeting is not None:
            text = _("Đã ghi cuộc họp ngày %(date)s: %(attendance)s.") % {
                "date": f"{meeting.held_on:%d/%m/%Y}",
                "attendance": attendance_text(meeting.members_present, meeting.members_total),
            }
            if meeting.has_quorum:
                messages.success(request, text)
            else:
                messages.warning(request, text + " " + _("Cuộc họp này không đủ điều kiện để đề xuất xếp loại."))
            return redirect("reviews:cell_reviews", period_pk=period.pk, cell_pk=place.pk)
    if form.is_bound:
        hint = _quorum_context(
            _int_or_none(request.POST.get("members_total")), _int_or_none(request.POST.get("members_present"))
        )
    else:
        hint = _quorum_context(form.initial["members_total"], None)
    context = {
        "period": period,
        "place": place,
        "form": form,
        "action": address,
        # What each member's residence cell said, read before the meeting (the recorder may bring one in).
        "residence_comments": selectors.residence_comments_of_place(period, place),
        "today": timezone.localdate(),
        **hint,
    }
    return render(request, "reviews/meeting_form.html", context)


def _chair_name(user: AnyUser) -> str:
    cadre = getattr(user, "cadre", None)
    return cadre.full_name if cadre is not None else ""


def _refused(request: HttpRequest, review: Review, message: str) -> HttpResponse:
    """A 403 that says why: the service's own words, so that the secretary knows who records instead."""
    return refusal_page(request, "reviews/proposal_form.html", message, review=review)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_record(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    review = review_access.get_review_for(request.user, pk)
    place = review.place
    refusal = services.proposal_refusal(review, request.user)
    if refusal is not None:
        return _refused(request, review, refusal)
    cell_page = reverse("reviews:cell_reviews", args=[review.period_id, place.pk])
    if review.state != ReviewState.SELF_SUBMITTED:
        messages.info(
            request,
            _("Bước này không làm được khi bản kiểm điểm đang ở trạng thái “%(state)s”.")
            % {"state": review.get_state_display()},
        )
        return redirect(cell_page)
    assessments = list(review.assessments.select_related("commitment"))
    form = ProposalForm(
        request.POST or None,
        review=review,
        assessments=assessments,
        previous=CellProposal.objects.filter(review=review).first(),
        user=review_access.acting(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            recorded = form.submit()
        except PermissionDenied as refusal:
            return _refused(request, review, str(refusal))
        if recorded is not None:
            proposal, warnings = recorded
            messages.success(
                request,
                _("Đã ghi đề xuất của chi bộ cho đồng chí %(name)s: “%(level)s”.")
                % {"name": review.cadre.full_name, "level": proposal.get_level_display()},
            )
            for warning in warnings:
                messages.warning(request, warning)
            return redirect(cell_page)
    rule_set = review.period.rule_set
    self_total = (
        review.self_general_points + review.self_task_points
        if review.self_general_points is not None and review.self_task_points is not None
        else None
    )
    context = {
        "review": review,
        "form": form,
        # Flagged for the verdicts on screen (as sent, or as pre-filled from the member's), so that the
        # secretary sees which ones need a reason before recording.
        "rows": form.assessment_rows(consistency_flags(assessments, judge="cell", verdicts=form.shown_verdicts())),
        "has_meetings": form.has_meetings,
        "uses_points": rule_set.uses_points,
        "self_total": self_total,
        "sections": [
            (presentation.section_title(name), getattr(review, name)) for name in presentation.SELF_REVIEW_SECTIONS
        ],
        "inputs": list(review.inputs.all()),
        "cell_page": cell_page,
    }
    return render(request, "reviews/proposal_form.html", context)


def _meeting_for(user: AnyUser, pk: int) -> CellMeeting:
    """The meeting if the user records for its place or reads a review of that place in its period, else 404."""
    meeting = CellMeeting.objects.select_related("cell").filter(pk=pk).first()
    if meeting is None:
        raise Http404
    if review_access.can_record_meeting(user, meeting.cell):
        return meeting
    if not review_access.reviews_visible_to(user).filter(period=meeting.period_id, place=meeting.cell_id).exists():
        raise Http404
    return meeting


@login_required
@require_GET
def minutes_download(request: HttpRequest, pk: int) -> FileResponse:
    meeting = _meeting_for(request.user, pk)
    if meeting.minutes_file:
        read_record(reader=request.user, kind=ReadKind.MINUTES, subject=None, obj=meeting, scope=meeting.cell)
    return private_download(meeting.minutes_file, filename=f"bien-ban-{meeting.pk}{extension_of(meeting.minutes_file)}")
