"""Spreadsheets of the staff lists on the web: the export link of each list (its filters in the address), the
background export of a long list with its progress, and the download of the file it made.

Each list's own export view (here, in reviews and in publicity) hands its parameters to `export_response`."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from programmes import access
from programmes.exports import get_list, is_registered, list_label
from programmes.exports.services import export_job_open, export_job_request, export_now, export_prepare
from programmes.exports.workbook import XLSX_TYPE
from programmes.models import ExportJob
from programmes.search import filter_parameters
from programmes.web import AuthenticatedRequest

# The form that asks for a background export names the list by this field; every other field is a parameter.
LIST_FIELD = "danh_sach"


def _file_name(list_key: str) -> str:
    return f"{get_list(list_key).file_stem}-{timezone.localdate():%Y-%m-%d}.xlsx"


def export_response(request: AuthenticatedRequest, list_key: str, parameters: dict[str, str]) -> HttpResponseBase:
    """The list's spreadsheet at once, or, for a long list, the page that offers to write it in the background.
    PermissionDenied (403) when the user may not export the list (or not with these filters)."""
    prepared = export_prepare(list_key=list_key, parameters=parameters, acting_user=request.user)
    if prepared.large:
        context = {
            "label": prepared.exported.label,
            "list_key": list_key,
            "parameters": parameters,
            "limit": settings.EXPORT_BACKGROUND_ROWS,
        }
        return render(request, "programmes/export_large.html", context)
    handle, _rows = export_now(prepared=prepared, acting_user=request.user)
    return FileResponse(handle, as_attachment=True, filename=_file_name(list_key), content_type=XLSX_TYPE)


@login_required
@require_GET
def programme_export(request: AuthenticatedRequest) -> HttpResponseBase:
    return export_response(request, "programmes", filter_parameters(request.GET))


@login_required
@require_GET
def members_export(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    return export_response(request, "members", {**filter_parameters(request.GET), "id": str(pk)})


@login_required
@require_POST
def export_request(request: AuthenticatedRequest) -> HttpResponse:
    parameters = filter_parameters(request.POST)
    list_key = parameters.pop(LIST_FIELD, "")
    parameters.pop("csrfmiddlewaretoken", None)
    if not is_registered(list_key):
        raise Http404
    job = export_job_request(list_key=list_key, parameters=parameters, acting_user=request.user)
    return redirect("programmes:export_detail", pk=job.pk)


def _job_for(request: AuthenticatedRequest, pk: int) -> ExportJob:
    return access.get_or_404(request.user, ExportJob.objects.all(), pk, access.can_follow_export)


@login_required
@require_GET
def export_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    context = {"job": job, "label": list_label(job.list_key), "now": timezone.now()}
    # htmx polls this page while the job runs and swaps in only the progress block.
    template = "includes/export_status.html" if request.htmx else "programmes/export_detail.html"
    return render(request, template, context)


@login_required
@require_GET
def export_download(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    job = _job_for(request, pk)
    handle = export_job_open(job=job, acting_user=request.user)
    return FileResponse(handle, as_attachment=True, filename=_file_name(job.list_key), content_type=XLSX_TYPE)
