"""The draft editor: the page (general information, the commitment cards, the quality panel), its htmx section and
panel, and what the commitment views share with it (the section re-rendered after a change, a refusal reported).

The editor works with and without JavaScript. Every action is a form POST that redirects back to the editor; sent
by htmx, the same POST answers with the commitment section only and fires the `programmeChanged` event, on which
the quality panel reloads itself.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from programmes import access
from programmes.action_programmes import numbering, services
from programmes.action_programmes.confirmers import Confirmer, find_confirmer
from programmes.action_programmes.forms import GENERAL_FIELDS, CommitmentForm, ProgrammeForm
from programmes.action_programmes.quality import TASK_WEIGHT_TOTAL, Finding, check_version
from programmes.models import ActionProgramme, CommitmentTerms, ProgrammeVersion
from programmes.models.action_programmes import EDITABLE_VERSION_STATES, PENDING_VERSION_STATES
from programmes.web import AuthenticatedRequest, call_service, person_name

# The event the quality panel listens for (see templates/programmes/programme_edit.html).
CHANGED_EVENT = "programmeChanged"
ADD_PREFIX = "new"


def editable_version(programme: ActionProgramme) -> ProgrammeVersion | None:
    """The version the owner may edit now: the registration's draft (version 1, or its correction after a
    return), or an amendment's draft; with the returned version it corrects, if any."""
    return (
        programme.versions.filter(state__in=EDITABLE_VERSION_STATES)
        .select_related("resubmission_of")
        .order_by("-number")
        .first()
    )


def writable_draft(request: AuthenticatedRequest, pk: int) -> tuple[ActionProgramme, ProgrammeVersion | None]:
    """The programme the user may write (else 404), and its version being drafted, None when there is none."""
    programme = access.get_programme_for(request.user, pk, write=True)
    return programme, editable_version(programme)


def not_editable(request: AuthenticatedRequest, programme: ActionProgramme) -> HttpResponse:
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


def report_refusal(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _general_info_editable(programme: ActionProgramme) -> bool:
    """Only before the first confirmation: until then every version is the registration (or its correction)."""
    return programme.current_version_id is None


def _weight_total(terms: list[CommitmentTerms]) -> int:
    return sum(item.weight or 0 for item in terms if item.is_task)


def load_terms(version: ProgrammeVersion) -> list[CommitmentTerms]:
    """The version's commitments in order, read afresh: a view reads them again after changing them."""
    return list(
        CommitmentTerms.objects.filter(version=version)
        .select_related("commitment__carried_from__programme")
        .prefetch_related("milestones")
        .order_by("position")
    )


@dataclass(frozen=True)
class CardRow:
    terms: CommitmentTerms
    # Its number in the version ("II.2"), as everywhere else.
    number: str
    # Set while this commitment is being edited: the card shows its form instead.
    form: CommitmentForm | None
    is_first: bool
    is_last: bool


def commitment_form(
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
    numbers = numbering.commitment_numbers(terms_list)
    # In document order; a commitment moves up or down inside its section only.
    ordered = numbering.document_order(terms_list)
    rows = [
        CardRow(
            item,
            numbers[item.commitment_id],
            edit_form if item.pk == editing_pk else None,
            index == 0 or ordered[index - 1].category != item.category,
            index == len(ordered) - 1 or ordered[index + 1].category != item.category,
        )
        for index, item in enumerate(ordered)
    ]
    return {
        "programme": programme,
        "version": version,
        "rows": rows,
        "weight_total": _weight_total(terms_list),
        "weight_expected": TASK_WEIGHT_TOTAL,
        "add_form": add_form or commitment_form(None, terms_list),
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


def render_editor(
    request: AuthenticatedRequest,
    programme: ActionProgramme,
    version: ProgrammeVersion,
    *,
    general_form: ProgrammeForm | None = None,
    partial: bool | None = None,
    **section: Any,
) -> HttpResponse:
    """The commitment section alone for htmx (unless told otherwise), else the whole editor page."""
    terms_list = load_terms(version)
    context = _section_context(programme, version, terms_list, **section)
    if request.htmx if partial is None else partial:
        return render(request, "includes/commitment_section.html", context)
    if general_form is None and _general_info_editable(programme):
        general_form = _programme_form(programme)
    context.update(_quality_context(programme, version, terms_list))
    context["general_form"] = general_form
    context["version_in_force"] = programme.current_version
    return render(request, "programmes/programme_edit.html", context)


def changed(
    request: AuthenticatedRequest,
    programme: ActionProgramme,
    version: ProgrammeVersion,
    message: str,
    *,
    focus: str = "heading",
) -> HttpResponse:
    """After a successful change: the fresh section for htmx (and a quality refresh), else back to the editor."""
    if request.htmx:
        response = render_editor(request, programme, version, focus=focus, status_message=message)
        response["HX-Trigger"] = CHANGED_EVENT
        return response
    messages.success(request, message)
    return redirect(reverse("programmes:programme_edit", args=[programme.pk]) + "#commitments")


def _programme_form(programme: ActionProgramme, data: Any = None) -> ProgrammeForm:
    return ProgrammeForm(data, cadre=programme.owner, initial=model_to_dict(programme, fields=GENERAL_FIELDS))


@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme, version = writable_draft(request, pk)
    if version is None:
        return not_editable(request, programme)
    if request.method == "GET":
        # htmx asks for the section alone when an in-place edit is cancelled.
        return render_editor(request, programme, version, focus="heading" if request.htmx else "")
    if not _general_info_editable(programme):
        messages.error(request, _("Thông tin chung chỉ sửa được trước khi chương trình được xác nhận lần đầu."))
        return redirect("programmes:programme_edit", pk=programme.pk)
    form = _programme_form(programme, request.POST)
    if form.is_valid():
        information = form.general_information()
        if call_service(form, services.programme_update, programme=programme, **information, acting_user=request.user):
            messages.success(request, _("Đã lưu thông tin chung."))
            return redirect("programmes:programme_edit", pk=programme.pk)
    # The general information is a plain form: a refused change is shown on the whole page.
    return render_editor(request, programme, version, general_form=form, partial=False)


@login_required
@require_GET
def programme_quality(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme, version = writable_draft(request, pk)
    if version is None:
        return not_editable(request, programme)
    if not request.htmx:
        return redirect(reverse("programmes:programme_edit", args=[programme.pk]) + "#quality-panel")
    context = _quality_context(programme, version, load_terms(version))
    return render(request, "includes/commitment_quality.html", context)


def refused(request: AuthenticatedRequest, programme: ActionProgramme, error: ValidationError) -> HttpResponse:
    report_refusal(request, error)
    return _go(request, reverse("programmes:programme_edit", args=[programme.pk]))
