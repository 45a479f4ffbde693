"""The evaluation reports on the web: the list a user may download, asking for a batch, following its
progress, and downloading one stored PDF.

Who may download what is reviews.access's answer; who may ask for reports is
reviews.reports.batches.can_request_reports. The PDFs themselves are made by Celery tasks
(reviews.tasks), never in a request.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from programmes import outbox
from programmes.access import AnyUser
from programmes.files import private_download
from programmes.models import ReadKind
from programmes.reads import read_record
from programmes.web import paginate
from reviews import access as review_access
from reviews.access import can_download_report, get_report_for, reports_visible_to
from reviews.models import ItemState, Report, ReportBatch, ReportBatchItem, Review
from reviews.report_forms import ReportFilterForm, ReportPeriodForm, ReportRequestForm, may_request_somewhere
from reviews.reports.batches import batch_progress, can_request_reports
from reviews.reports.produce import display_code
from reviews.tasks import produce_batch_item

REPORTS_PER_PAGE = 25


# --- The list ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    report: Report
    code: str


def _row(report: Report) -> ReportRow:
    return ReportRow(report, display_code(report.verification_code))


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    form = ReportFilterForm(request.GET or None, user=request.user)
    reports = (
        reports_visible_to(request.user)
        .select_related("organisation", "period")
        .order_by("-is_current", "-generated_at", "-pk")
    )
    if form.is_bound and form.is_valid():
        if form.cleaned_data["dot"] is not None:
            reports = reports.filter(period=form.cleaned_data["dot"])
        if form.cleaned_data["loai"]:
            reports = reports.filter(kind=form.cleaned_data["loai"])
    page, page_numbers = paginate(request, reports, REPORTS_PER_PAGE)
    context = {
        "form": form,
        "page": page,
        "page_numbers": page_numbers,
        "rows": [_row(report) for report in page.object_list],
        "filtered": form.is_bound and form.is_valid() and any(form.cleaned_data.values()),
        "may_request": may_request_somewhere(request.user),
    }
    return render(request, "reviews/report_list.html", context)


# --- Asking for reports --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def report_request(request: HttpRequest) -> HttpResponse:
    if not may_request_somewhere(request.user):
        raise Http404
    chooser = ReportPeriodForm(request.GET if "dot" in request.GET else None, user=request.user)
    if not chooser.is_bound or not chooser.is_valid():
        return render(request, "reviews/report_request.html", {"chooser": chooser, "form": None})
    period = chooser.cleaned_data["dot"]
    form = ReportRequestForm(
        request.POST if request.method == "POST" else None, user=review_access.acting(request.user), period=period
    )
    if request.method == "POST" and form.is_valid():
        batch = form.submit()
        if batch is not None:
            item_ids = list(batch.items.values_list("pk", flat=True))
            if outbox.waiting(produce_batch_item, item_ids):
                answer = _(
                    "Đã ghi nhận yêu cầu tạo %(count)s báo cáo. Bộ phận xử lý nền đang tạm gián đoạn nên việc tạo sẽ "
                    "tự bắt đầu trong ít phút; không cần yêu cầu lại, trang này tự cập nhật."
                )
            else:
                answer = _("Đã yêu cầu tạo %(count)s báo cáo; các báo cáo được tạo lần lượt, trang này tự cập nhật.")
            messages.success(request, answer % {"count": len(item_ids)})
            return redirect("reviews:batch_detail", pk=batch.pk)
    return render(request, "reviews/report_request.html", {"chooser": chooser, "form": form, "period": period})


# --- One batch and its progress ------------------------------------------------------------------------------


def _batch_for(user: AnyUser, pk: int) -> ReportBatch:
    """The batch for its requester or anyone who may request reports for its scope; else 404."""
    batch = ReportBatch.objects.select_related("scope", "period", "requested_by__cadre").filter(pk=pk).first()
    if batch is None or not user.is_authenticated:
        raise Http404
    if batch.requested_by_id == user.pk or can_request_reports(review_access.acting(user), batch.scope):
        return batch
    raise Http404


@dataclass(frozen=True)
class FinishedRow:
    item: ReportBatchItem
    may_download: bool


def _progress_context(user: AnyUser, batch: ReportBatch) -> dict[str, Any]:
    progress = batch_progress(batch)
    pending = (
        [] if progress.pending == 0 else list(batch.items.filter(state=ItemState.PENDING).values_list("pk", flat=True))
    )
    items = list(
        batch.items.exclude(state=ItemState.PENDING).select_related(
            "report__organisation", "report__review__cadre", "report__review__place", "report__review__cell"
        )
    )
    return {
        "batch": batch,
        "progress": progress,
        "finished": progress.pending == 0,
        # The broker could not take some of its reports yet: they start by themselves once it can.
        "waiting_for_broker": bool(pending) and outbox.waiting(produce_batch_item, pending),
        "failures": [item for item in items if item.state == ItemState.FAILED],
        "done": [
            FinishedRow(item, can_download_report(user, item.report))
            for item in items
            if item.state == ItemState.DONE and item.report is not None
        ],
    }


@login_required
@require_GET
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch_for(request.user, pk)
    return render(request, "reviews/batch_detail.html", _progress_context(request.user, batch))


@login_required
@require_GET
def batch_progress_part(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress block alone, for htmx to swap in every 2 s until the batch has finished."""
    batch = _batch_for(request.user, pk)
    return render(request, "includes/report_batch_progress.html", _progress_context(request.user, batch))


# --- Downloading one report ----------------------------------------------------------------------------------


@login_required
@require_GET
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    report = get_report_for(request.user, pk)
    if report.review_id is not None:
        review = Review.objects.select_related("cadre", "cell").get(pk=report.review_id)
        read_record(reader=request.user, kind=ReadKind.REPORT, subject=review.cadre, obj=report, scope=review.cell)
    # It names people and their ratings: kept by the browser only, never by a shared cache.
    response = private_download(
        report.file, filename=f"{report.kind}-{report.verification_code}.pdf", content_type="application/pdf"
    )
    response["ETag"] = f'"{report.sha256}"'
    response["X-Report-SHA256"] = report.sha256
    return response
