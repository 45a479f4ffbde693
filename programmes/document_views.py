"""The printable programme: one version as a PDF in the Party document layout."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from programmes import access
from programmes.action_programmes.selectors import version_for_display
from programmes.documents import render_pdf
from programmes.models import ActionProgramme, ProgrammeVersion
from programmes.programme_document import programme_document_context

VERSION_PARAMETER = "phien-ban"


def _requested_number(request: HttpRequest) -> int | None:
    raw = request.GET.get(VERSION_PARAMETER)
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise Http404
    return int(raw)


def _version_to_print(request: HttpRequest, programme: ActionProgramme) -> ProgrammeVersion:
    """The version asked for, else the one in force; a version never confirmed only for its owner (as a draft)."""
    is_owner = access.is_programme_owner(request.user, programme)
    number = _requested_number(request)
    if number is None:
        if programme.current_version is not None:
            number = programme.current_version.number
        elif is_owner:
            latest = programme.versions.order_by("-number").values_list("number", flat=True).first()
            number = latest
    version = version_for_display(programme, number) if number is not None else None
    if version is None or (version.confirmed_at is None and not is_owner):
        raise Http404
    return version


@login_required
@require_GET
def programme_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    programme = access.get_programme_for(request.user, pk)
    version = _version_to_print(request, programme)
    # Only the commitments this reader may read: a cap holds on paper as on the page.
    terms = access.commitment_reading(request.user, programme).terms(version.terms.all())
    pdf = render_pdf("reports/programme.html", programme_document_context(programme, version, terms=terms))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="chuong-trinh-hanh-dong-{programme.pk}-v{version.number}.pdf"'
    # The programme names a person: never kept by a shared cache, and asked for again after an amendment.
    patch_cache_control(response, private=True, no_cache=True)
    return response
