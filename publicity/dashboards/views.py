"""The dashboards' pages: staff read their subtree's (the access module decides whose), anyone reads an area's
published figures. Each page reads rows counted ahead (`refresh`), never the facts themselves."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from programmes import access
from programmes.action_programmes.public_stamps import summaries_stamp
from programmes.models import PartyOrganisation
from publicity.dashboards import figures
from publicity.views import public_cache, shared_page_cache


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


@require_safe
@public_cache()
@shared_page_cache("area-dashboard", lambda _pk: summaries_stamp())
def area_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """A ward's or a commune's published figures, for anyone."""
    area = PartyOrganisation.objects.filter(pk=pk).first()
    if area is None or not figures.is_area(area):
        raise Http404
    return render(request, "publicity/area_dashboard.html", {"dashboard": figures.public_dashboard(area)})
