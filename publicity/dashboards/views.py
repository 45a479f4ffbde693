"""The dashboards' pages: staff read their subtree's (the access module decides whose), anyone reads an area's
published figures. Each page reads rows counted ahead (`refresh`), never the facts themselves."""

from collections.abc import Callable
from functools import wraps
from http import HTTPStatus

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from programmes import access
from programmes.action_programmes.public_stamps import summaries_stamp
from programmes.models import PartyOrganisation
from publicity.dashboards import figures
from publicity.views import PUBLIC_MAX_AGE, public_cache

View = Callable[..., HttpResponseBase]


@require_safe
@login_required
def dashboard_home(request: HttpRequest) -> HttpResponseBase:
    """Where the dashboards open: the reader's one subtree, or the list of theirs."""
    tops = list(access.dashboard_tops(request.user))
    if not tops:
        raise PermissionDenied
    if len(tops) == 1:
        return redirect("dashboards:organisation", tops[0].pk)
    return render(request, "publicity/dashboard_home.html", {"tops": tops})


@require_safe
@login_required
def organisation_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = access.get_dashboard_organisation(request.user, pk)
    context = {"dashboard": figures.staff_dashboard(request.user, organisation)}
    return render(request, "publicity/dashboard.html", context)


def _cached_area_page(view: View) -> View:
    """Serve an area's dashboard from the server's cache to visitors without a session: the page depends only on
    the area, the language, the day and the figures, whose count moves the stamp in the key (public_stamps)."""

    @wraps(view)
    def wrapped(request: HttpRequest, pk: int) -> HttpResponseBase:
        shared = not (request.user.is_authenticated or request.GET or request.COOKIES)
        day = timezone.localdate().isoformat()
        key = f"publicity:area-dashboard:{pk}:{get_language()}:{day}:{summaries_stamp()}" if shared else None
        content = cache.get(key) if key is not None else None
        if content is not None:
            return HttpResponse(content)
        response = view(request, pk)
        if key is not None and response.status_code == HTTPStatus.OK and isinstance(response, HttpResponse):
            cache.set(key, response.content, PUBLIC_MAX_AGE)
        return response

    return wrapped


@require_safe
@public_cache()
@_cached_area_page
def area_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """A ward's or a commune's published figures, for anyone."""
    area = PartyOrganisation.objects.filter(pk=pk).first()
    if area is None or not figures.is_area(area):
        raise Http404
    return render(request, "publicity/area_dashboard.html", {"dashboard": figures.public_dashboard(area)})
