"""The owner's list of programmes (their own, with what is pending, and the others they may read) and the page that
starts a new programme."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from programmes import access
from programmes.action_programmes import selectors, services
from programmes.action_programmes.filters import ProgrammeFilterForm, filter_programmes
from programmes.action_programmes.forms import ProgrammeForm
from programmes.action_programmes.progress import ProgrammeProgress, programme_progress
from programmes.models import ActionProgramme, Cadre, ProgrammeState, ProgrammeVersion
from programmes.models.action_programmes import EDITABLE_VERSION_STATES
from programmes.web import AuthenticatedRequest, call_service, paginate_by_ids

PROGRAMMES_PER_PAGE = 25


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
def programme_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    has_cadre = _cadre_of(user) is not None
    own = [
        # pending_versions: prefetched by the selector.
        OwnRow(programme, _progress(programme), next(iter(programme.pending_versions), None))  # type: ignore[attr-defined]
        # An account without a member record owns no programme: nothing to read.
        for programme in (selectors.programmes_owned_by(user) if has_cadre else ())
    ]
    # The staff's search of the programmes in their scope: filtered inside the access module's queryset.
    filter_form = ProgrammeFilterForm(request.GET or None, user=user)
    readable = filter_programmes(selectors.programmes_readable_by(user), filter_form.filters(), timezone.localdate())
    page, page_numbers = paginate_by_ids(request, readable, PROGRAMMES_PER_PAGE, selectors.readable_rows)
    # Others' programmes: a commitment capped below this reader weighs nothing in the progress or overdue count.
    readings = access.CommitmentReadings(user, page.object_list)
    context = {
        "has_cadre": has_cadre,
        "filter_form": filter_form,
        "may_export": access.can_export_lists(user),
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
def programme_create(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
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
