"""The commitments of the draft in the editor: add, edit, delete and move one. Each is a form POST that redirects
back to the editor; sent by htmx, it answers with the commitment section only (editor.changed)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from programmes.action_programmes import numbering, services
from programmes.models import ActionProgramme, CommitmentTerms, ProgrammeVersion
from programmes.web import AuthenticatedRequest

from .editor import changed, commitment_form, load_terms, refused, render_editor, writable_draft


def _editable_draft(request: AuthenticatedRequest, pk: int) -> tuple[ActionProgramme, ProgrammeVersion]:
    """The programme the user may write and its version being drafted; 404 when none is."""
    programme, version = writable_draft(request, pk)
    if version is None:
        raise Http404
    return programme, version


def _editable_terms(
    request: AuthenticatedRequest, pk: int, terms_pk: int
) -> tuple[ActionProgramme, ProgrammeVersion, CommitmentTerms]:
    """As _editable_draft, with one commitment of that draft: a confirmed version's commitments cannot be reached."""
    programme, version = _editable_draft(request, pk)
    terms = get_object_or_404(
        CommitmentTerms.objects.select_related("version__programme"), pk=terms_pk, version=version
    )
    return programme, version, terms


def _number(terms: CommitmentTerms) -> str:
    """Its number in its version as the editor shows it ("II.2")."""
    return numbering.version_numbers(terms.version_id)[terms.commitment_id]


@login_required
@require_POST
def commitment_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme, version = _editable_draft(request, pk)
    form = commitment_form(request.POST, load_terms(version))
    if form.is_valid():
        terms = form.submit(services.commitment_add, version=version, acting_user=request.user)
        if terms is not None:
            message = _("Đã thêm nội dung cam kết %(number)s.") % {"number": _number(terms)}
            return changed(request, programme, version, message, focus=str(terms.pk))
    return render_editor(request, programme, version, add_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def commitment_edit(request: AuthenticatedRequest, pk: int, terms_pk: int) -> HttpResponse:
    programme, version, terms = _editable_terms(request, pk, terms_pk)
    form = commitment_form(request.POST if request.method == "POST" else None, load_terms(version), terms)
    valid_post = request.method == "POST" and form.is_valid()
    if valid_post and form.submit(services.commitment_update, terms=terms, acting_user=request.user) is not None:
        message = _("Đã lưu nội dung cam kết %(number)s.") % {"number": _number(terms)}
        return changed(request, programme, version, message, focus=str(terms.pk))
    return render_editor(request, programme, version, editing=terms, edit_form=form, focus="form")


@login_required
@require_POST
def commitment_delete(request: AuthenticatedRequest, pk: int, terms_pk: int) -> HttpResponse:
    programme, version, terms = _editable_terms(request, pk, terms_pk)
    position = _number(terms)
    try:
        services.commitment_remove(terms=terms, acting_user=request.user)
    except ValidationError as error:
        return refused(request, programme, error)
    message = _("Đã xóa nội dung cam kết %(number)s.") % {"number": position}
    return changed(request, programme, version, message)


@login_required
@require_POST
def commitment_move(request: AuthenticatedRequest, pk: int, terms_pk: int) -> HttpResponse:
    programme, version, terms = _editable_terms(request, pk, terms_pk)
    offset = request.POST.get("offset")
    if offset not in ("-1", "1"):
        return HttpResponseBadRequest(_("Hướng di chuyển không hợp lệ."))
    try:
        services.commitment_move(terms=terms, offset=int(offset), acting_user=request.user)
    except ValidationError as error:
        return refused(request, programme, error)
    terms.refresh_from_db(fields=["position"])  # its number follows its new place
    if offset == "1":
        message = _("Đã chuyển nội dung cam kết xuống vị trí %(number)s.") % {"number": _number(terms)}
    else:
        message = _("Đã chuyển nội dung cam kết lên vị trí %(number)s.") % {"number": _number(terms)}
    return changed(request, programme, version, message, focus=str(terms.pk))
