"""The programme page, the owner's progress reports with evidence, and the private evidence download."""

from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from programmes import access
from programmes.action_programmes import numbering, selectors
from programmes.action_programmes.carrying import CarriedFrom, carried_from
from programmes.action_programmes.evidence import (
    ALLOWED_EXTENSIONS,
    JPEG,
    OLE,
    OOXML,
    OPENDOCUMENT,
    PDF,
    PNG,
    WEBP,
    download_name,
)
from programmes.action_programmes.progress import CommitmentProgress, programme_progress
from programmes.action_programmes.progress_forms import ProgressForm
from programmes.evaluation_document import closing_reason_text
from programmes.files import private_download
from programmes.idempotency import was_sent_before
from programmes.models import (
    ActionProgramme,
    CommitmentTerms,
    Evidence,
    EvidenceReview,
    ProgrammeState,
    ProgrammeVersion,
    ProgressReport,
    ReadKind,
    VersionState,
)
from programmes.models.action_programmes import PENDING_VERSION_STATES
from programmes.reads import read_record
from programmes.web import person_name

# A friendly name for each stored content type ("Word" rather than a long MIME type).
KIND_LABELS = {
    kind.content_type: kind.label
    for kind in (PDF, PNG, JPEG, WEBP, *OOXML.values(), *OPENDOCUMENT.values(), *OLE.values())
}


@dataclass(frozen=True)
class EvidenceRow:
    evidence: Evidence
    kind_label: str


@dataclass(frozen=True)
class CommitmentRow:
    """One commitment on the page: its terms and figures, its latest reports and its evidence."""

    progress: CommitmentProgress
    terms: CommitmentTerms
    # Its number ("II.2", programmes.action_programmes.numbering) among the commitments this reader sees, so that
    # a hidden one leaves no gap.
    number: str
    reports: list[ProgressReport]
    evidence: list[EvidenceRow]
    may_report: bool
    # Where it was carried from (an unfinished commitment of an earlier programme), as this reader may see it.
    carried: CarriedFrom | None = None


@dataclass(frozen=True)
class VersionRow:
    version: ProgrammeVersion
    confirmer_name: str
    # The version it is compared with (the one before it), None for the first.
    previous_number: int | None
    # The returned version it corrects, if it is a correction.
    corrects_number: int | None


def _commitment_rows(
    items: list[CommitmentProgress], may_report: bool, carried: dict[int, CarriedFrom]
) -> list[CommitmentRow]:
    numbers = numbering.commitment_numbers(item.terms for item in items)
    by_commitment = {item.terms.commitment_id: item for item in items}
    in_order = [by_commitment[terms.commitment_id] for terms in numbering.document_order(item.terms for item in items)]
    return [
        CommitmentRow(
            progress=item,
            terms=item.terms,
            number=numbers[item.terms.commitment_id],
            # Set by selectors.terms_with_progress_prefetch.
            reports=item.terms.commitment.latest_reports,  # type: ignore[attr-defined]
            evidence=[
                EvidenceRow(evidence, KIND_LABELS.get(evidence.content_type, evidence.content_type))
                for evidence in item.terms.commitment.evidence.all()
            ],
            may_report=may_report,
            carried=carried.get(item.terms.commitment_id),
        )
        for item in in_order
    ]


def _end_of_term(user: access.AnyUser, programme: ActionProgramme, is_owner: bool) -> dict[str, object]:
    """What the page shows and links of the end of term: closing early and the evaluation, for the confirmer; the
    closing and the verdicts, for every reader of a closed programme; the conclusion and the confirmer's own words on
    why it closed, for the readers of the evaluation's words."""
    closed = programme.state == ProgrammeState.CLOSED
    judgement = closed and access.reads_end_of_term_judgement(user, programme)
    return {
        "is_closed": closed,
        "reads_judgement": judgement,
        "closed_reason": closing_reason_text(programme, with_note=judgement) if closed else "",
        "evaluated_by_name": person_name(programme.evaluated_by) if closed and programme.evaluated_by_id else "",
        "may_close": not is_owner and access.can_close_programme(user, programme),
        "may_evaluate": closed and not is_owner and access.can_evaluate_programme(user, programme),
    }


@login_required
@require_GET
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = access.get_programme_for(request.user, pk)
    every_version = list(selectors.programme_versions(programme))
    if not every_version:
        raise Http404
    by_pk = {version.pk: version for version in every_version}
    in_force = by_pk.get(programme.current_version_id) if programme.current_version_id else None
    # An amendment being drafted, withdrawn or waiting for someone else's confirmation is not other readers' to see.
    versions = [version for version in every_version if access.can_view_version(request.user, version)]
    # Before the first confirmation the page shows the latest version the reader may see: the draft (or the
    # submitted, returned, withdrawn one) for the owner, the one sent or returned for the confirmer.
    shown = in_force or (versions or every_version)[-1]
    pending = next((v for v in versions if v.state in PENDING_VERSION_STATES), None)
    # The return a pending correction answers: its owner and its confirmer read why it came back.
    answered = by_pk.get(pending.resubmission_of_id) if pending is not None and pending.resubmission_of_id else None
    prefetch_related_objects([shown], selectors.terms_with_progress_prefetch())
    # A commitment the owner capped below this reader is not on the page, nor in its figures.
    reading = access.commitment_reading(request.user, programme, versions=every_version)
    figures = programme_progress(shown, terms=reading.terms(shown.terms.all()))

    is_owner = access.is_programme_owner(request.user, programme)
    may_report = is_owner and in_force is not None and programme.state == ProgrammeState.CONFIRMED
    carried = carried_from(request.user, (item.terms.commitment for item in figures.items))
    rows = _commitment_rows(figures.items, may_report, carried)
    # Asked only when something waits for a check: most readers of most pages never need the answer.
    waiting = any(item.evidence.review_state == EvidenceReview.PENDING for row in rows for item in row.evidence)
    may_check = waiting and access.checks_evidence_of(request.user, programme)
    submitted = pending if pending is not None and pending.state == VersionState.SUBMITTED else None
    version_rows = [
        VersionRow(
            version=version,
            confirmer_name=person_name(version.confirmed_by or version.confirmer),
            previous_number=versions[index - 1].number if index else None,
            corrects_number=by_pk[version.resubmission_of_id].number if version.resubmission_of_id else None,
        )
        for index, version in enumerate(versions)
    ]
    context = {
        "programme": programme,
        "in_force": in_force,
        "in_force_confirmer": person_name(in_force.confirmed_by) if in_force is not None else "",
        "shown": shown,
        "pending": pending,
        "answered": answered,
        "figures": figures,
        "rows": rows,
        "may_check_evidence": may_check,
        "version_rows": version_rows,
        "is_owner": is_owner,
        # The owner's name opens their programmes and reviews over time, for those who may see the owner.
        "owner_portfolio": access.can_view_cadre(request.user, programme.owner),
        "may_edit": is_owner and pending is not None and pending.is_editable,
        "may_amend": is_owner and programme.state == ProgrammeState.CONFIRMED and pending is None,
        "may_review": submitted is not None and access.can_confirm_version(request.user, submitted),
        "submitted": submitted,
        **_end_of_term(request.user, programme, is_owner),
    }
    return render(request, "programmes/programme_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def progress_new(request: HttpRequest, pk: int, commitment_pk: int) -> HttpResponse:
    programme = access.get_programme_for(request.user, pk, write=True)
    if programme.current_version is None:
        raise Http404
    terms = programme.current_version.terms.select_related("commitment").filter(commitment_id=commitment_pk).first()
    if terms is None:
        raise Http404
    # Only the owner gets this far (get_programme_for with write), so the user is a signed-in account.
    owner = cast(User, request.user)
    form = ProgressForm(request.POST or None, request.FILES or None, terms=terms, user=owner)
    number = numbering.version_numbers(programme.current_version.pk)[terms.commitment_id]
    if request.method == "POST" and form.is_valid():
        report = form.submit()
        if report is not None:
            said = {"status": report.get_status_display(), "position": number}
            if was_sent_before(report):
                # The page sent again (a double click, a resend): the report the first sending stored, said once.
                text = _(
                    "Báo cáo tiến độ “%(status)s” cho nội dung cam kết số %(position)s đã được ghi từ lần gửi trước; "
                    "không ghi thêm lần nữa."
                )
            else:
                text = _("Đã ghi báo cáo tiến độ “%(status)s” cho nội dung cam kết số %(position)s.")
            messages.success(request, text % said)
            detail = reverse("programmes:programme_detail", args=[programme.pk])
            return redirect(f"{detail}#cam-ket-{terms.commitment_id}")
    context = {
        "programme": programme,
        "terms": terms,
        "number": number,
        "carried": carried_from(request.user, [terms.commitment]).get(terms.commitment_id),
        "form": form,
        "accepted_extensions": ", ".join(ALLOWED_EXTENSIONS),
        "max_upload_mb": settings.EVIDENCE_MAX_UPLOAD_MB,
    }
    return render(request, "programmes/progress_form.html", context)


def evidence_for(user: access.AnyUser, pk: int) -> Evidence:
    """The evidence if the user may read its programme and its commitment, else 404 (whether or not it exists)."""
    evidence = (
        Evidence.objects.select_related(
            "commitment__programme__owner",
            "commitment__programme__organisation",
            "commitment__programme__current_version",
            "archive",
        )
        .filter(pk=pk)
        .first()
    )
    if evidence is None:
        raise Http404
    programme = evidence.commitment.programme
    if not access.can_view_programme(user, programme):
        raise Http404
    if not access.commitment_reading(user, programme).shows(evidence.commitment):
        raise Http404
    return evidence


@login_required
@require_GET
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = evidence_for(request.user, pk)
    if evidence.file and not evidence.is_public:
        programme = evidence.commitment.programme
        owner, organisation = programme.owner, programme.organisation
        read_record(reader=request.user, kind=ReadKind.EVIDENCE, subject=owner, obj=evidence, scope=organisation)
    # A link is shown on the programme page as it is; there is no file to serve.
    return private_download(evidence.file, filename=download_name(evidence), content_type=evidence.content_type)
