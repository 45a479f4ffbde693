"""The confirmer's side: the queue of versions waiting, the review page with its return and confirm forms,
the comparison of two versions, and the user's notifications.
"""

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from programmes import access
from programmes.action_programmes import notifications, numbering, quality, selectors, services
from programmes.action_programmes.compare import ChangeKind, CommitmentChange, compare_versions
from programmes.action_programmes.quality import Finding
from programmes.action_programmes.review_forms import ConfirmForm, ReturnForm, VersionPickForm
from programmes.models import ActionProgramme, CommitmentTerms, ProgrammeVersion, PublicityLevel, VersionState
from programmes.models.action_programmes import PENDING_VERSION_STATES
from programmes.web import AuthenticatedRequest, paginate, refusal_page

QUEUE_PER_PAGE = 50
NOTIFICATIONS_PER_PAGE = 25


# --- The queue -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    version: ProgrammeVersion
    days_waiting: int


def _days_since(moment: datetime.datetime | None) -> int:
    if moment is None:
        return 0
    return (timezone.localdate() - timezone.localdate(moment)).days


@login_required
@require_GET
def confirmation_queue(request: AuthenticatedRequest) -> HttpResponse:
    page, numbers = paginate(request, selectors.confirmation_queue(request.user), QUEUE_PER_PAGE)
    rows = [QueueRow(version, _days_since(version.submitted_at)) for version in page.object_list]
    return render(request, "programmes/confirmation_queue.html", {"page": page, "page_numbers": numbers, "rows": rows})


# --- Reviewing one version -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewItem:
    """One commitment as the confirmer reads it: its terms, what the quality check says, what the amendment did."""

    terms: CommitmentTerms
    # Its number ("II.2"), as on every other page.
    number: str
    findings: list[Finding]
    change: CommitmentChange | None


def _refuse(request: HttpRequest, programme: ActionProgramme, reason: str) -> HttpResponse:
    return refusal_page(request, "programmes/programme_review.html", reason, programme=programme)


def _version_in_force(programme: ActionProgramme, version: ProgrammeVersion) -> ProgrammeVersion | None:
    """The confirmed version an amendment would replace."""
    current = programme.current_version
    if current is None or current.pk == version.pk or not version.is_amendment:
        return None
    return current


def _compared_with(programme: ActionProgramme, version: ProgrammeVersion) -> ProgrammeVersion | None:
    """The version each commitment is marked against, with its commitments: the returned version a correction
    answers (what changed in response to the return), else the version in force an amendment would replace."""
    if version.resubmission_of is not None:
        return selectors.version_for_display(programme, version.resubmission_of.number)
    in_force = _version_in_force(programme, version)
    return selectors.version_for_display(programme, in_force.number) if in_force is not None else None


@login_required
@require_http_methods(["GET", "POST"])
def programme_review(request: AuthenticatedRequest, pk: int, number: int) -> HttpResponse:
    programme = access.get_programme_for(request.user, pk)
    version = selectors.version_for_display(programme, number)
    if version is None:
        raise Http404
    refusal = services.confirmer_refusal(request.user, version)
    if refusal is not None:
        return _refuse(request, programme, refusal)

    terms = list(version.terms.all())
    pending = version.state == VersionState.SUBMITTED
    initial_level = programme.publicity_max if programme.current_version_id else PublicityLevel.COMMITTEE
    return_form = ReturnForm(terms=terms)
    confirm_form = ConfirmForm(initial={"publicity_max": initial_level})
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("return", "confirm"):
            raise BadRequest
        if not pending:
            messages.error(request, _("Phiên bản này không còn chờ xác nhận; không có gì được thay đổi."))
            return redirect("programmes:programme_review", pk=programme.pk, number=version.number)
        if action == "return":
            return_form = ReturnForm(request.POST, terms=terms)
            if return_form.is_valid() and return_form.submit(version=version, acting_user=request.user):
                messages.success(
                    request,
                    _("Đã trả lại “%(title)s” và báo cho %(owner)s.")
                    % {"title": programme.title, "owner": programme.owner.full_name},
                )
                return redirect("programmes:confirmation_queue")
        else:
            confirm_form = ConfirmForm(request.POST)
            if confirm_form.is_valid() and confirm_form.submit(version=version, acting_user=request.user):
                messages.success(
                    request,
                    _("Đã xác nhận “%(title)s”, phiên bản %(number)s; phiên bản này bắt đầu có hiệu lực.")
                    % {"title": programme.title, "number": version.number},
                )
                return redirect("programmes:confirmation_queue")

    compared = _compared_with(programme, version)
    changes = {change.commitment_id: change for change in compare_versions(compared, version)} if compared else {}
    findings = quality.check_version(version, terms)
    numbers = numbering.commitment_numbers(terms)
    items = [
        ReviewItem(
            terms=item,
            number=numbers[item.commitment_id],
            findings=[finding for finding in findings if finding.position == item.position],
            change=changes.get(item.commitment_id),
        )
        for item in numbering.document_order(terms)
    ]
    context = {
        "programme": programme,
        "version": version,
        "in_force": _version_in_force(programme, version),
        "compared": compared,
        "returned": version.resubmission_of,
        "items": items,
        "removed": [change for change in changes.values() if change.kind == ChangeKind.REMOVED],
        "findings": findings,
        "general_findings": [finding for finding in findings if finding.position is None],
        "pending": pending,
        "return_form": return_form,
        "confirm_form": confirm_form,
    }
    return render(request, "programmes/programme_review.html", context)


# --- Comparing two versions ----------------------------------------------------------------------------------


def _comparable_versions(request: AuthenticatedRequest, versions: list[ProgrammeVersion]) -> list[ProgrammeVersion]:
    """The versions this reader may compare: all for the owner; confirmed ones, and the one they confirm, for others."""
    return [version for version in versions if access.can_view_version(request.user, version)]


def _default_pair(programme: ActionProgramme, versions: list[ProgrammeVersion]) -> tuple[int, int] | None:
    """The version in force against the newest pending one, else the version in force against the one before it."""
    if len(versions) < 2:
        return None
    numbers = [version.number for version in versions]
    current = programme.current_version.number if programme.current_version is not None else None
    pending = [version.number for version in versions if version.state in PENDING_VERSION_STATES]
    if current is not None and pending:
        return current, pending[-1]
    if current is not None and numbers.index(current) > 0:
        return numbers[numbers.index(current) - 1], current
    return numbers[-2], numbers[-1]


@dataclass(frozen=True)
class Summary:
    added: int
    removed: int
    changed: int
    unchanged: int


def _summary(changes: list[CommitmentChange]) -> Summary:
    kinds = [change.kind for change in changes]
    return Summary(
        added=kinds.count(ChangeKind.ADDED),
        removed=kinds.count(ChangeKind.REMOVED),
        changed=kinds.count(ChangeKind.CHANGED),
        unchanged=kinds.count(ChangeKind.UNCHANGED),
    )


@login_required
@require_GET
def version_compare(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = access.get_programme_for(request.user, pk)
    every_version = list(selectors.programme_versions(programme))
    versions = _comparable_versions(request, every_version)
    pair = _default_pair(programme, versions)
    if "tu" in request.GET or "den" in request.GET:
        form = VersionPickForm(request.GET, versions=versions)
        pair = (form.cleaned_data["tu"], form.cleaned_data["den"]) if form.is_valid() else None
    else:
        initial = {"tu": pair[0], "den": pair[1]} if pair else {}
        form = VersionPickForm(initial=initial, versions=versions)
    context: dict[str, object] = {"programme": programme, "versions": versions, "form": form}
    if pair is not None:
        old = selectors.version_for_display(programme, pair[0])
        new = selectors.version_for_display(programme, pair[1])
        if old is None or new is None:
            raise Http404
        # A commitment capped below this reader is left out of the comparison and of its counts.
        reading = access.commitment_reading(request.user, programme, versions=every_version)
        changes = compare_versions(old, new, shows=reading.shows)
        context |= {"old": old, "new": new, "changes": changes, "summary": _summary(changes)}
    return render(request, "programmes/version_compare.html", context)


# --- Notifications -------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    if request.method == "POST":
        count = notifications.mark_read(recipient=request.user)
        if count:
            messages.success(request, _("Đã đánh dấu %(count)s thông báo là đã đọc.") % {"count": count})
        return redirect("programmes:notification_list")
    page, numbers = paginate(request, selectors.notifications_of(request.user), NOTIFICATIONS_PER_PAGE)
    return render(request, "programmes/notification_list.html", {"page": page, "page_numbers": numbers})
