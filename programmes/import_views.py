"""Roster and organisation-tree imports on the web: upload, follow the job, read and download its errors."""

import csv
import io

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from programmes import access, outbox
from programmes.access import Action
from programmes.importing.forms import ImportUploadForm
from programmes.importing.limits import number
from programmes.importing.samples import sample_csv, sample_xlsx
from programmes.importing.selectors import get_import_job_for, import_jobs_visible_to
from programmes.importing.services import KINDS
from programmes.models import ImportKind, ImportStatus
from programmes.spreadsheets import safe_row
from programmes.tasks import run_import_job
from programmes.web import AuthenticatedRequest, paginate

JOBS_PER_PAGE = 25
# The page shows the first errors; the CSV download has all of them.
ERRORS_ON_PAGE = 500
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_import_right(request: HttpRequest) -> None:
    if not access.can_anywhere(request.user, Action.IMPORT_ROSTER):
        raise PermissionDenied


@login_required
@require_GET
def import_list(request: HttpRequest) -> HttpResponse:
    page, numbers = paginate(request, import_jobs_visible_to(request.user), JOBS_PER_PAGE)
    return render(request, "programmes/import_list.html", {"page": page, "page_numbers": numbers})


@login_required
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest) -> HttpResponse:
    _require_import_right(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        job = form.submit()
        if job is not None:
            return redirect("programmes:import_detail", pk=job.pk)
    kinds = [(value, label, KINDS[value].columns) for value, label in ImportKind.choices]
    context = {
        "form": form,
        "kinds": kinds,
        "max_upload_mb": settings.IMPORT_MAX_UPLOAD_MB,
        "max_rows": number(settings.IMPORT_MAX_ROWS),
    }
    return render(request, "programmes/import_new.html", context)


@login_required
@require_GET
def import_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    job = get_import_job_for(request.user, pk)
    context = {
        "job": job,
        "errors": job.errors[:ERRORS_ON_PAGE],
        "more_errors": len(job.errors) > ERRORS_ON_PAGE,
        # The broker could not take the job yet: it starts by itself once it can (programmes.outbox).
        "waiting_for_broker": job.status == ImportStatus.QUEUED and outbox.waiting(run_import_job, [job.pk]),
    }
    # htmx polls this page while the job runs and swaps in only the status block.
    template = "includes/import_status.html" if request.htmx else "programmes/import_detail.html"
    return render(request, template, context)


@login_required
@require_GET
def import_errors_csv(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_import_job_for(request.user, pk)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Dòng"), _("Cột"), _("Lỗi")])
    # The column is the file's own header, and a message may quote a cell: both are the uploader's text.
    writer.writerows(safe_row([error["row"], error["column"], error["message"]]) for error in job.errors)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="loi-nhap-{job.pk}.csv"'
    return response


@login_required
@require_GET
def import_template(request: HttpRequest, kind: str, file_format: str) -> HttpResponse:
    _require_import_right(request)
    if kind not in KINDS or file_format not in ("csv", "xlsx"):
        raise Http404
    if file_format == "xlsx":
        response = HttpResponse(sample_xlsx(kind), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(sample_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="mau-{kind}.{file_format}"'
    return response
