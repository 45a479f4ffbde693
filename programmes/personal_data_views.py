"""“Dữ liệu của tôi”: the signed-in person reads or downloads everything the portal holds on them.

Each page or file is a download of personal data, written to the audit log with its format."""

from typing import cast

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET

from programmes.action_programmes.notifications import in_portal_language
from programmes.audit import audit_record
from programmes.audit_actions import PrivacyAction
from programmes.documents import render_pdf
from programmes.personal_copy import PersonalData, personal_data_for

FILE_NAME = "du-lieu-cua-toi"


def _download(request: HttpRequest, file_format: str) -> PersonalData:
    user = cast(User, request.user)
    audit_record(actor=user, action=PrivacyAction.PERSONAL_DATA_DOWNLOAD, obj=user, after={"format": file_format})
    return personal_data_for(user)


def _private(response: HttpResponse) -> HttpResponse:
    """Never kept by the browser's or a proxy's cache: a shared computer must not hand it to the next person."""
    add_never_cache_headers(response)
    return response


@login_required
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    data = _download(request, "html")
    return _private(render(request, "programmes/my_data.html", {"data": data}))


@login_required
@require_GET
def my_data_json(request: HttpRequest) -> HttpResponse:
    data = _download(request, "json")
    response = JsonResponse(data.as_json(), json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{FILE_NAME}.json"'
    return _private(response)


@login_required
@require_GET
def my_data_pdf(request: HttpRequest) -> HttpResponse:
    # The PDF prints in the portal's language (render_pdf), so its labels and values are gathered in it too.
    with in_portal_language():
        data = _download(request, "pdf")
    pdf = render_pdf("reports/my_data.html", {"data": data, "generated_at": data.generated_at})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{FILE_NAME}.pdf"'
    return _private(response)
