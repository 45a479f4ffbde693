"""Registering an action programme: the owner's list, a new programme, the draft editor, submission,
withdrawal and the start of an amendment.

The editor works with and without JavaScript. Every action is a form POST that redirects back to the
editor; sent by htmx, the same POST answers with the commitment section only and fires the
`programmeChanged` event, on which the quality panel reloads itself.
"""

from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from programmes import access
from programmes.action_programmes import selectors, services
from programmes.action_programmes.confirmers import Confirmer, find_confirmer
from programmes.action_programmes.forms import (
    GENERAL_FIELDS,
    AmendmentForm,
    CommitmentForm,
    ProgrammeForm,
)
from programmes.action_programmes.progress import ProgrammeProgress, programme_progress
from programmes.action_programmes.quality import TASK_WEIGHT_TOTAL, Finding, check_version
from programmes.models import ActionProgramme, Cadre, CommitmentTerms, ProgrammeState, ProgrammeVersion
from programmes.models.action_programmes import EDITABLE_VERSION_STATES, PENDING_VERSION_STATES
from programmes.web import AuthenticatedRequest, call_service, paginate, person_name

PROGRAMMES_PER_PAGE = 25
# The event the quality panel listens for (see templates/programmes/programme_edit.html).
CHANGED_EVENT = "programmeChanged"
ADD_PREFIX = "new"


def _user(request: HttpRequest) -> User:
    """The signed-in account; every view here is behind login_required."""
    return cast(User, request.user)


def _cadre_of(user: User) -> Cadre | None:
    return Cadre.objects.filter(user=user).first()


# --- The owner's list ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OwnRow:
    programme: ActionProgramme
    progress: ProgrammeProgress | None
    # The version being prepared or waiting for confirmation, if any (the registration or an amendment).
    pending: ProgrammeVersion | None

    @property
    def editable(self) -> bool:
        return self.pending is not None and self.pending.state in EDITABLE_VERSION_STATES

    @property
    def may_amend(self) -> bool:
        return self.pending is None and self.programme.state == ProgrammeState.CONFIRMED


@dataclass(frozen=True)
class ReadableRow:
    programme: ActionProgramme
    progress: ProgrammeProgress | None


def _progress(programme: ActionProgramme, reading: access.CommitmentReading | None = None) -> ProgrammeProgress | None:
    """The figures of the version in force; with `reading`, over the commitments that reader may read only."""
    version = programme.current_version
    if version is None:
        return None
    return programme_progress(version, terms=reading.terms(version.terms.all()) if reading is not None else None)


@login_required
@require_GET
def programme_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    own = [
        # pending_versions: prefetched by the selector.
        OwnRow(programme, _progress(programme), next(iter(programme.pending_versions), None))  # type: ignore[attr-defined]
        for programme in selectors.programmes_owned_by(user)
    ]
    page, page_numbers = paginate(request, selectors.programmes_readable_by(user), PROGRAMMES_PER_PAGE)
    # Others' programmes: a commitment capped below this reader weighs nothing in the progress or overdue count.
    readings = access.CommitmentReadings(user, page.object_list)
    context = {
        "has_cadre": _cadre_of(user) is not None,
        "own_rows": own,
        "page": page,
        "page_numbers": page_numbers,
        "readable_rows": [
            ReadableRow(programme, _progress(programme, readings.of(programme))) for programme in page.object_list
        ],
    }
    return render(request, "programmes/programme_list.html", context)


# --- A new programme -----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def programme_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    cadre = _cadre_of(user)
    if cadre is None:
        return render(request, "programmes/programme_form.html", {"no_cadre": True}, status=403)
    form = ProgrammeForm(request.POST or None, cadre=cadre)
    if request.method == "POST" and form.is_valid():
        programme = call_service(
            form, services.programme_create, owner=cadre, **form.general_information(), acting_user=user
        )
        if programme is not None:
            messages.success(request, _("Đã tạo chương trình. Hãy thêm các nội dung cam kết."))
            return redirect("programmes:programme_edit", pk=programme.pk)
    return render(request, "programmes/programme_form.html", {"form": form})


# --- The editor ----------------------------------------------------------------------------------------------


def _editable_version(programme: ActionProgramme) -> ProgrammeVersion | None:
    """The version the owner may edit now: the registration's draft (version 1, or its correction after a
    return), or an amendment's draft; with the returned version it corrects, if any."""
    return (
        programme.versions.filter(state__in=EDITABLE_VERSION_STATES)
        .select_related("resubmission_of")
        .order_by("-number")
        .first()
    )


def _editable_or_404(programme: ActionProgramme) -> ProgrammeVersion:
    version = _editable_version(programme)
    if version is None:
        raise Http404
    return version


def _terms_or_404(version: ProgrammeVersion, terms_pk: int) -> CommitmentTerms:
    """A commitment of the editable version only: a confirmed version's commitments cannot be reached."""
    return get_object_or_404(CommitmentTerms.objects.select_related("version__programme"), pk=terms_pk, version=version)


def _not_editable(request: AuthenticatedRequest, programme: ActionProgramme) -> HttpResponse:
    pending = programme.versions.filter(state__in=PENDING_VERSION_STATES).first()
    if pending is not None:
        messages.info(
            request,
            _("Phiên bản %(number)s đang ở trạng thái “%(state)s” nên không sửa được.")
            % {"number": pending.number, "state": pending.get_state_display()},
        )
    else:
        messages.info(
            request,
            _("Chương trình không có bản nào đang soạn. Muốn thay đổi bản đã xác nhận, hãy lập bản điều chỉnh."),
        )
    return _go(request, reverse("programmes:programme_detail", args=[programme.pk]))


def _go(request: AuthenticatedRequest, url: str) -> HttpResponse:
    """A redirect; sent by htmx, one that reloads the whole page rather than swapping the answer in."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _report_refusal(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _general_info_editable(programme: ActionProgramme) -> bool:
    """Only before the first confirmation: until then every version is the registration (or its correction)."""
    return programme.current_version_id is None


def _weight_total(terms: list[CommitmentTerms]) -> int:
    return sum(item.weight or 0 for item in terms if item.is_task)


def _load_terms(version: ProgrammeVersion) -> list[CommitmentTerms]:
    """The version's commitments in order, read afresh: a view reads them again after changing them."""
    return list(
        CommitmentTerms.objects.filter(version=version)
        .select_related("commitment")
        .prefetch_related("milestones")
        .order_by("position")
    )


@dataclass(frozen=True)
class CardRow:
    terms: CommitmentTerms
    # Set while this commitment is being edited: the card shows its form instead.
    form: CommitmentForm | None
    is_first: bool
    is_last: bool


def _commitment_form(
    data: Any, terms_list: list[CommitmentTerms], terms: CommitmentTerms | None = None
) -> CommitmentForm:
    weight_total = _weight_total(terms_list)
    if terms is None:
        return CommitmentForm(data, prefix=ADD_PREFIX, weight_total=weight_total)
    return CommitmentForm(
        data,
        prefix=f"c{terms.pk}",
        initial=model_to_dict(terms, fields=services.CONTENT_FIELDS),
        milestones=terms.milestones.all(),
        weight_total=weight_total,
    )


def _section_context(
    programme: ActionProgramme,
    version: ProgrammeVersion,
    terms_list: list[CommitmentTerms],
    *,
    add_form: CommitmentForm | None = None,
    editing: CommitmentTerms | None = None,
    edit_form: CommitmentForm | None = None,
    focus: str = "",
    status_message: str = "",
) -> dict[str, Any]:
    editing_pk = editing.pk if editing is not None else None
    last = len(terms_list) - 1
    rows = [
        CardRow(item, edit_form if item.pk == editing_pk else None, index == 0, index == last)
        for index, item in enumerate(terms_list)
    ]
    return {
        "programme": programme,
        "version": version,
        "rows": rows,
        "weight_total": _weight_total(terms_list),
        "weight_expected": TASK_WEIGHT_TOTAL,
        "add_form": add_form or _commitment_form(None, terms_list),
        "focus": focus,
        "status_message": status_message,
    }


@dataclass(frozen=True)
class FindingRow:
    finding: Finding
    # The card the finding is about, for a link to it; None for the programme as a whole.
    terms_pk: int | None


def _quality_context(
    programme: ActionProgramme, version: ProgrammeVersion, terms_list: list[CommitmentTerms]
) -> dict[str, Any]:
    findings = check_version(version, terms_list)
    by_position = {item.position: item.pk for item in terms_list}
    commitment_findings = [
        FindingRow(finding, by_position.get(finding.position)) for finding in findings if finding.position
    ]
    confirmer: Confirmer | None = None
    confirmer_errors: list[str] = []
    try:
        confirmer = find_confirmer(programme)
    except ValidationError as error:
        confirmer_errors = error.messages
    confirmer_name = person_name(confirmer.user) if confirmer is not None else ""
    return {
        "programme": programme,
        "version": version,
        "general_findings": [finding for finding in findings if finding.position is None],
        "commitment_findings": commitment_findings,
        "finding_count": len(findings),
        "confirmer": confirmer,
        "confirmer_name": confirmer_name,
        "confirmer_errors": confirmer_errors,
        "may_submit": not findings and confirmer is not None,
    }


def _render_editor(
    request: AuthenticatedRequest,
    programme: ActionProgramme,
    version: ProgrammeVersion,
    *,
    general_form: ProgrammeForm | None = None,
    partial: bool | None = None,
    **section: Any,
) -> HttpResponse:
    """The commitment section alone for htmx (unless told otherwise), else the whole editor page."""
    terms_list = _load_terms(version)
    context = _section_context(programme, version, terms_list, **section)
    if request.htmx if partial is None else partial:
        return render(request, "includes/commitment_section.html", context)
    if general_form is None and _general_info_editable(programme):
        general_form = _programme_form(programme)
    context.update(_quality_context(programme, version, terms_list))
    context["general_form"] = general_form
    context["version_in_force"] = programme.current_version
    return render(request, "programmes/programme_edit.html", context)


def _changed(
    request: AuthenticatedRequest,
    programme: ActionProgramme,
    version: ProgrammeVersion,
    message: str,
    *,
    focus: str = "heading",
) -> HttpResponse:
    """After a successful change: the fresh section for htmx (and a quality refresh), else back to the editor."""
    if request.htmx:
        response = _render_editor(request, programme, version, focus=focus, status_message=message)
        response["HX-Trigger"] = CHANGED_EVENT
        return response
    messages.success(request, message)
    return redirect(reverse("programmes:programme_edit", args=[programme.pk]) + "#commitments")


def _programme_form(programme: ActionProgramme, data: Any = None) -> ProgrammeForm:
    return ProgrammeForm(data, cadre=programme.owner, initial=model_to_dict(programme, fields=GENERAL_FIELDS))


@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = _user(request)
    programme = access.get_programme_for(user, pk, write=True)
    version = _editable_version(programme)
    if version is None:
        return _not_editable(request, programme)
    if request.method == "GET":
        # htmx asks for the section alone when an in-place edit is cancelled.
        return _render_editor(request, programme, version, focus="heading" if request.htmx else "")
    if not _general_info_editable(programme):
        messages.error(request, _("Thông tin chung chỉ sửa được trước khi chương trình được xác nhận lần đầu."))
        return redirect("programmes:programme_edit", pk=programme.pk)
    form = _programme_form(programme, request.POST)
    if form.is_valid():
        information = form.general_information()
        if call_service(form, services.programme_update, programme=programme, **information, acting_user=user):
            messages.success(request, _("Đã lưu thông tin chung."))
            return redirect("programmes:programme_edit", pk=programme.pk)
    # The general information is a plain form: a refused change is shown on the whole page.
    return _render_editor(request, programme, version, general_form=form, partial=False)


@login_required
@require_GET
def programme_quality(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = access.get_programme_for(_user(request), pk, write=True)
    version = _editable_version(programme)
    if version is None:
        return _not_editable(request, programme)
    if not request.htmx:
        return redirect(reverse("programmes:programme_edit", args=[programme.pk]) + "#quality-panel")
    context = _quality_context(programme, version, _load_terms(version))
    return render(request, "includes/commitment_quality.html", context)


@login_required
@require_POST
def commitment_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = _user(request)
    programme = access.get_programme_for(user, pk, write=True)
    version = _editable_or_404(programme)
    form = _commitment_form(request.POST, _load_terms(version))
    if form.is_valid():
        terms = form.submit(services.commitment_add, version=version, acting_user=user)
        if terms is not None:
            message = _("Đã thêm nội dung cam kết %(number)s.") % {"number": terms.position}
            return _changed(request, programme, version, message, focus=str(terms.pk))
    return _render_editor(request, programme, version, add_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def commitment_edit(request: AuthenticatedRequest, pk: int, terms_pk: int) -> HttpResponse:
    user = _user(request)
    programme = access.get_programme_for(user, pk, write=True)
    version = _editable_or_404(programme)
    terms = _terms_or_404(version, terms_pk)
    form = _commitment_form(request.POST if request.method == "POST" else None, _load_terms(version), terms)
    valid_post = request.method == "POST" and form.is_valid()
    if valid_post and form.submit(services.commitment_update, terms=terms, acting_user=user) is not None:
        message = _("Đã lưu nội dung cam kết %(number)s.") % {"number": terms.position}
        return _changed(request, programme, version, message, focus=str(terms.pk))
    return _render_editor(request, programme, version, editing=terms, edit_form=form, focus="form")


@login_required
@require_POST
def commitment_delete(request: AuthenticatedRequest, pk: int, terms_pk: int) -> HttpResponse:
    user = _user(request)
    programme = access.get_programme_for(user, pk, write=True)
    version = _editable_or_404(programme)
    terms = _terms_or_404(version, terms_pk)
    position = terms.position
    try:
        services.commitment_remove(terms=terms, acting_user=user)
    except ValidationError as error:
        return _refused(request, programme, error)
    message = _("Đã xóa nội dung cam kết %(number)s.") % {"number": position}
    return _changed(request, programme, version, message)


@login_required
@require_POST
def commitment_move(request: AuthenticatedRequest, pk: int, terms_pk: int) -> HttpResponse:
    user = _user(request)
    programme = access.get_programme_for(user, pk, write=True)
    version = _editable_or_404(programme)
    terms = _terms_or_404(version, terms_pk)
    offset = request.POST.get("offset")
    if offset not in ("-1", "1"):
        return HttpResponseBadRequest(_("Hướng di chuyển không hợp lệ."))
    try:
        services.commitment_move(terms=terms, offset=int(offset), acting_user=user)
    except ValidationError as error:
        return _refused(request, programme, error)
    terms.refresh_from_db(fields=["position"])
    if offset == "1":
        message = _("Đã chuyển nội dung cam kết xuống vị trí %(number)s.") % {"number": terms.position}
    else:
        message = _("Đã chuyển nội dung cam kết lên vị trí %(number)s.") % {"number": terms.position}
    return _changed(request, programme, version, message, focus=str(terms.pk))


def _refused(request: AuthenticatedRequest, programme: ActionProgramme, error: ValidationError) -> HttpResponse:
    _report_refusal(request, error)
    return _go(request, reverse("programmes:programme_edit", args=[programme.pk]))


# --- Submission, withdrawal, amendment -----------------------------------------------------------------------


@login_required
@require_POST
def programme_submit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = _user(request)
    programme = access.get_programme_for(user, pk, write=True)
    version = _editable_version(programme)
    if version is None:
        return _not_editable(request, programme)
    try:
        version = services.programme_submit(version=version, acting_user=user)
    except ValidationError as error:
        messages.error(request, _("Chưa gửi được chương trình:"))
        return _refused(request, programme, error)
    messages.success(
        request,
        _("Đã gửi phiên bản %(number)s cho người xác nhận: %(title)s.")
        % {"number": version.number, "title": version.confirmer_title},
    )
    return redirect("programmes:programme_detail", pk=programme.pk)


@login_required
@require_http_methods(["GET", "POST"])
def version_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw the version not yet confirmed, after a confirmation page."""
    user = _user(request)
    programme = access.get_programme_for(user, pk, write=True)
    version = programme.versions.filter(state__in=PENDING_VERSION_STATES).first()
    if version is None:
        messages.info(request, _("Chương trình không có phiên bản nào chờ xác nhận hoặc đang soạn để rút."))
        return redirect("programmes:programme_detail", pk=programme.pk)
    if request.method == "POST":
        try:
            services.version_withdraw(version=version, acting_user=user)
        except ValidationError as error:
            _report_refusal(request, error)
            return redirect("programmes:programme_detail", pk=programme.pk)
        if version.is_amendment:
            messages.success(
                request,
                _("Đã rút bản điều chỉnh (phiên bản %(number)s). Phiên bản đã xác nhận vẫn có hiệu lực.")
                % {"number": version.number},
            )
            return redirect("programmes:programme_detail", pk=programme.pk)
        messages.success(request, _("Đã rút chương trình “%(title)s”.") % {"title": programme.title})
        return redirect("programmes:programme_list")
    return render(request, "programmes/version_withdraw.html", {"programme": programme, "version": version})


@login_required
@require_http_methods(["GET", "POST"])
def amendment_start(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    programme = access.get_programme_for(user, pk, write=True)
    if request.method == "GET":
        pending = programme.versions.filter(state__in=PENDING_VERSION_STATES).first()
        if pending is not None and pending.is_editable:
            messages.info(request, _("Chương trình đang có một bản đang soạn; hãy soạn tiếp bản đó."))
            return redirect("programmes:programme_edit", pk=programme.pk)
        if pending is not None:
            messages.info(request, _("Chương trình đang có một bản chờ xác nhận, chưa lập bản điều chỉnh được."))
            return redirect("programmes:programme_detail", pk=programme.pk)
    form = AmendmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        version = call_service(form, services.amendment_start, programme=programme, reason=reason, acting_user=user)
        if version is not None:
            messages.success(
                request,
                _("Đã mở bản điều chỉnh (phiên bản %(number)s) từ phiên bản đang có hiệu lực.")
                % {"number": version.number},
            )
            return redirect("programmes:programme_edit", pk=programme.pk)
    return render(request, "programmes/amendment_form.html", {"programme": programme, "form": form})
