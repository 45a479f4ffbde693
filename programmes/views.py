import logging

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery import app as celery_app
from programmes import access, selectors
from programmes.access import Action
from programmes.models import CadrePrivateDetails, PartyOrganisation

logger = logging.getLogger(__name__)

MEMBERS_PER_PAGE = 50


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    cadre = getattr(request.user, "cadre", None)
    profile = selectors.cadre_profile(cadre.pk) if cadre is not None else None
    grants = access.grants_for(request.user)
    organisation_ids = {grant.organisation_id for grant in grants}
    scopes = selectors.organisations_visible_to(request.user).filter(pk__in=organisation_ids)
    return render(
        request,
        "programmes/dashboard.html",
        {"profile": profile, "grants": grants, "scopes": scopes},
    )


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = selectors.organisations_visible_to(request.user)
    page = Paginator(organisations, 100).get_page(request.GET.get("page"))
    return render(request, "programmes/organisation_list.html", {"page": page})


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = access.get_organisation_for(request.user, pk)
    may_view_members = access.can(request.user, Action.VIEW_MEMBERS, organisation)
    members_page = None
    if may_view_members:
        members_page = Paginator(selectors.members_of(organisation), MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "organisation": organisation,
        "ancestors": PartyOrganisation.objects.get_ancestors(organisation),
        "children": selectors.organisation_children(organisation),
        "predecessors": organisation.predecessors.all(),
        "successors": organisation.successors.all(),
        "members_page": members_page,
        "may_view_members": may_view_members,
        "may_import": access.can(request.user, Action.IMPORT_ROSTER, organisation),
    }
    return render(request, "programmes/organisation_detail.html", context)


@login_required
def cadre_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cadre = access.get_cadre_for(request.user, pk)
    private = None
    if access.can_view_private_details(request.user, cadre):
        private = CadrePrivateDetails.objects.filter(cadre=cadre).first()
    return render(
        request,
        "programmes/cadre_detail.html",
        {"cadre": selectors.cadre_profile(cadre.pk), "private": private},
    )


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
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
    """For load balancers and monitoring: 200 when the database and the broker answer, else 503."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": {k: "ok" if v else "error" for k, v in checks.items()}},
        status=200 if healthy else 503,
    )


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/400.html", status=400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "errors/500.html", status=500)
