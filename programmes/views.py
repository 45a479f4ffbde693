import logging
import sys
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page
from django.db import connection
from django.db.models import Min, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET

from config.celery import app as celery_app
from programmes import access, outbox, selectors
from programmes.access import Action, Grant, Persona
from programmes.desk import desk_for
from programmes.help import guides_for
from programmes.member_filters import MemberFilterForm, filter_members
from programmes.middleware import database_busy_response, is_database_busy
from programmes.models import Cadre, CadrePrivateDetails, Membership, PartyOrganisation, ReadKind
from programmes.reads import read_record
from programmes.web import paginate

logger = logging.getLogger(__name__)

MEMBERS_PER_PAGE = 50
ORGANISATIONS_PER_PAGE = 100
# Deeper levels than this share the last indentation step, so a page never scrolls sideways on a phone.
MAX_INDENT = 8

PERSONA_LABELS: dict[Persona, Promise] = {
    Persona.MEMBER: _("Đảng viên"),
    Persona.CELL_SECRETARY: _("Bí thư chi bộ"),
    Persona.CELL_DEPUTY: _("Phó Bí thư chi bộ"),
    Persona.COMMITTEE_MEMBER: _("Cấp ủy viên"),
    Persona.STANDING_MEMBER: _("Ủy viên Ban Thường vụ"),
    Persona.COMMITTEE_HEAD: _("Bí thư cấp ủy (người đứng đầu)"),
    Persona.ORG_BOARD_STAFF: _("Cán bộ Ban Tổ chức"),
    Persona.FRONT_OVERSEER: _("Mặt trận Tổ quốc"),
    Persona.COUNCIL_OVERSEER: _("Thường trực HĐND"),
}

ACTION_LABELS: dict[Action, Promise] = {
    Action.VIEW_ORGANISATION: _("Xem cơ cấu tổ chức"),
    Action.VIEW_MEMBERS: _("Xem danh sách đảng viên"),
    Action.VIEW_PRIVATE_DETAILS: _("Xem thông tin cá nhân của đảng viên"),
    Action.MANAGE_TREE: _("Quản lý cây tổ chức"),
    Action.IMPORT_ROSTER: _("Nhập danh sách"),
    Action.VIEW_AUDIT_LOG: _("Xem nhật ký thao tác"),
    Action.OPEN_REVIEW_PERIOD: _("Mở đợt kiểm điểm"),
    Action.RECORD_CELL_PROPOSAL: _("Ghi đề xuất của chi bộ"),
    Action.RECORD_RESIDENCE_COMMENT: _("Nhận xét đảng viên cư trú trên địa bàn"),
    Action.DECIDE_RATING: _("Quyết định xếp loại"),
    Action.CONFIRM_DECISION: _("Xác nhận quyết định xếp loại"),
    Action.OVERSEE_AREA: _("Giám sát trên địa bàn"),
    Action.VIEW_DASHBOARD: _("Xem số liệu tổng hợp"),
    Action.EXPORT_LISTS: _("Xuất danh sách ra bảng tính"),
    Action.RATE_ORGANISATIONS: _("Xếp loại tổ chức đảng trực thuộc"),
}


@dataclass(frozen=True)
class RoleRow:
    """One line of "what I may do": a role, where it applies, and what it allows there."""

    persona: Promise
    organisation: PartyOrganisation
    actions: list[Promise]


@dataclass(frozen=True)
class TreeRow:
    organisation: PartyOrganisation
    indent: int


@dataclass(frozen=True)
class Link:
    """An organisation named on a page, linked only when the user may open it."""

    organisation: PartyOrganisation
    may_open: bool


def _current_membership(cadre: Cadre) -> Membership | None:
    """From the prefetched memberships, so it costs no query."""
    return next((m for m in cadre.memberships.all() if m.end_date is None), None)


def _role_rows(grants: tuple[Grant, ...], scopes: dict[int, PartyOrganisation]) -> list[RoleRow]:
    return [
        RoleRow(
            persona=PERSONA_LABELS[grant.persona],
            organisation=scopes[grant.organisation_id],
            actions=[ACTION_LABELS[action] for action in access.actions_of(grant)],
        )
        for grant in grants
        if grant.organisation_id in scopes
    ]


def dashboard(request: HttpRequest) -> HttpResponse:
    # The portal's address is also its front door for citizens: whoever is not signed in starts at what is
    # published for everyone, and cadres sign in from its header. Sending them to a login form they have no
    # account for would turn them away.
    if not request.user.is_authenticated:
        return redirect("publicity:public_home")
    cadre = getattr(request.user, "cadre", None)
    profile = selectors.cadre_profile(cadre.pk) if cadre is not None else None
    grants = access.grants_for(request.user)
    organisation_ids = {grant.organisation_id for grant in grants}
    scopes = {o.pk: o for o in selectors.organisations_visible_to(request.user).filter(pk__in=organisation_ids)}
    context = {
        # What waits for the user, per role they hold, before anything else on the page.
        "desk_groups": desk_for(request.user).groups,
        "profile": profile,
        "membership": _current_membership(profile) if profile is not None else None,
        "roles": _role_rows(grants, scopes),
        "is_superuser": access.is_superuser(request.user),
        "guides": guides_for(request.user),
    }
    return render(request, "programmes/dashboard.html", context)


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = selectors.organisations_visible_to(request.user)
    page, page_numbers = paginate(request, organisations, ORGANISATIONS_PER_PAGE)
    # Indent relative to the highest visible level, so staff of a ward see their ward flush left.
    top_depth = organisations.aggregate(top=Min("depth"))["top"] or 1
    rows = [TreeRow(o, min(o.depth - top_depth, MAX_INDENT)) for o in page.object_list]
    return render(
        request, "programmes/organisation_list.html", {"page": page, "page_numbers": page_numbers, "rows": rows}
    )


def _links(request: HttpRequest, organisations: QuerySet[PartyOrganisation]) -> list[Link]:
    return [Link(o, access.can(request.user, Action.VIEW_ORGANISATION, o)) for o in organisations]


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = access.get_organisation_for(request.user, pk)
    may_view_members = access.can(request.user, Action.VIEW_MEMBERS, organisation)
    members_page: Page[Membership] | None = None
    member_page_numbers: list[int | str] = []
    filter_form = None
    if may_view_members:
        # The staff's search of the roster, filtered inside the organisation's members.
        filter_form = MemberFilterForm(request.GET or None, organisation=organisation)
        members = filter_members(selectors.members_of(organisation), filter_form.filters())
        members_page, member_page_numbers = paginate(request, members, MEMBERS_PER_PAGE)
    context = {
        "organisation": organisation,
        "ancestors": _links(request, PartyOrganisation.objects.get_ancestors(organisation)),
        "children": selectors.organisation_children(organisation),
        # Named through the succession rows: the self-referential M2M's direction is easy to misread.
        "predecessors": _links(
            request,
            PartyOrganisation.objects.filter(succession_as_predecessor__successor=organisation).order_by("name"),
        ),
        "successors": _links(
            request,
            PartyOrganisation.objects.filter(succession_as_successor__predecessor=organisation).order_by("name"),
        ),
        "members_page": members_page,
        "member_page_numbers": member_page_numbers,
        "may_view_members": may_view_members,
        "filter_form": filter_form,
        "may_export_members": access.can_export_members(request.user, organisation),
        "may_import": access.can(request.user, Action.IMPORT_ROSTER, organisation),
    }
    return render(request, "programmes/organisation_detail.html", context)


@login_required
def cadre_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cadre = access.get_cadre_for(request.user, pk)
    private = None
    if access.can_view_private_details(request.user, cadre):
        private = CadrePrivateDetails.objects.filter(cadre=cadre).first()
    profile = selectors.cadre_profile(cadre.pk)
    membership = _current_membership(profile)
    cell = membership.cell if membership is not None else None
    if private is not None:
        read_record(reader=request.user, kind=ReadKind.CADRE_RECORD, subject=cadre, scope=cell)
    context = {
        "cadre": profile,
        "membership": membership,
        "may_open_cell": cell is not None and access.can(request.user, Action.VIEW_ORGANISATION, cell),
        "private": private,
    }
    return render(request, "programmes/cadre_detail.html", context)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            row: tuple[object, ...] | None = cursor.fetchone()
            return row == (1,)
    except Exception:
        logger.exception("health check: database unavailable")
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        logger.exception("health check: broker unavailable")
        return False


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: 200 when the database and the broker answer, else 503. With them, the
    outbox's backlog: how many tasks wait for the broker and the age of the oldest in seconds (counts only)."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    answer: dict[str, object] = {
        "status": "ok" if healthy else "error",
        "checks": {k: "ok" if v else "error" for k, v in checks.items()},
    }
    if checks["database"]:
        waiting = outbox.backlog()
        answer["outbox"] = {"unsent": waiting.unsent, "oldest_seconds": waiting.oldest_age_seconds}
    return JsonResponse(answer, status=200 if healthy else 503)


@requires_csrf_token
def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/400.html", status=400)


@requires_csrf_token
def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


@requires_csrf_token
def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


@requires_csrf_token
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its security token, most often from a page left open past the end of the session: the
    portal's own 403 page saying what to do, not Django's English one."""
    explanation = _(
        "Biểu mẫu vừa gửi đã hết hiệu lực, thường do trang được mở quá lâu hoặc phiên làm việc đã kết thúc. "
        "Chưa có gì được lưu: hãy tải lại trang, đăng nhập lại nếu được hỏi, rồi gửi lại."
    )
    return render(request, "errors/403.html", {"explanation": explanation}, status=403)


def error_500(request: HttpRequest) -> HttpResponse:
    """Rendered without the request: no context processor may fail again while the portal is failing. A busy
    database met outside a view (a middleware saving the session) gets the "try again" page, as in a view."""
    if is_database_busy(sys.exc_info()[1]):
        return database_busy_response()
    return HttpResponseServerError(loader.get_template("errors/500.html").render())
