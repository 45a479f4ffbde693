"""The confirmer's check of evidence (the list of what waits, the accept and reject controls), and the download of
the archived copy of a linked page."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from programmes import access
from programmes.action_programmes.evidence import download_name
from programmes.action_programmes.evidence_checks import check_refusal, evidence_accept, evidence_reject
from programmes.action_programmes.progress_forms import EvidenceCheckForm
from programmes.files import private_download
from programmes.models import ArchiveState, Evidence, ReadKind
from programmes.progress_views import evidence_for
from programmes.reads import read_record
from programmes.web import AuthenticatedRequest, call_service, paginate

QUEUE_PER_PAGE = 50


@dataclass(frozen=True)
class WaitingRow:
    evidence: Evidence
    name: str


@login_required
@require_GET
def evidence_queue(request: AuthenticatedRequest) -> HttpResponse:
    """“Minh chứng chờ kiểm tra”: the evidence behind "done" claims waiting for this confirmer, oldest first."""
    waiting = access.evidence_to_check(request.user).select_related("commitment__programme__owner", "progress_report")
    page, numbers = paginate(request, waiting, QUEUE_PER_PAGE)
    rows = [
        WaitingRow(evidence, download_name(evidence) if evidence.file else evidence.link)
        for evidence in page.object_list
    ]
    return render(request, "programmes/evidence_queue.html", {"page": page, "page_numbers": numbers, "rows": rows})


@login_required
@require_POST
def evidence_check(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Accept or reject one evidence item, from the programme page or the list; back to where it was sent from."""
    evidence = evidence_for(request.user, pk)
    if not access.can_check_evidence(request.user, evidence):
        raise PermissionDenied(check_refusal(request.user, evidence))
    programme = evidence.commitment.programme
    back = request.POST.get("back") == "queue"
    target = (
        reverse("programmes:evidence_queue")
        if back
        else f"{reverse('programmes:programme_detail', args=[programme.pk])}#cam-ket-{evidence.commitment_id}"
    )
    form = EvidenceCheckForm(request.POST)
    done = None
    if form.is_valid():
        if form.cleaned_data["decision"] == EvidenceCheckForm.ACCEPT:
            done = call_service(form, evidence_accept, evidence=evidence, acting_user=request.user)
        else:
            done = call_service(
                form, evidence_reject, evidence=evidence, reason=form.cleaned_data["reason"], acting_user=request.user
            )
    if done is None:
        errors = [str(error) for errors in form.errors.values() for error in errors]
        messages.error(request, " ".join(errors) or _("Chưa ghi được kết quả kiểm tra minh chứng."))
    elif form.cleaned_data["decision"] == EvidenceCheckForm.ACCEPT:
        messages.success(request, _("Đã chấp nhận minh chứng."))
    else:
        messages.success(request, _("Đã từ chối minh chứng; người lập chương trình đã được thông báo kèm lý do."))
    return redirect(target)


@login_required
@require_GET
def evidence_archive_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """The archived copy of a linked page, for whoever may read the evidence (the same rule as its download)."""
    evidence = evidence_for(request.user, pk)
    archive = getattr(evidence, "archive", None)
    if archive is None or archive.state != ArchiveState.ARCHIVED:
        raise Http404
    if not evidence.is_public:
        programme = evidence.commitment.programme
        read_record(
            reader=request.user,
            kind=ReadKind.EVIDENCE,
            subject=programme.owner,
            obj=evidence,
            scope=programme.organisation,
        )
    extension = ".pdf" if archive.content_type == "application/pdf" else ".html"
    return private_download(
        archive.file, filename=f"ban-luu-minh-chung-{evidence.pk}{extension}", content_type=archive.content_type
    )
