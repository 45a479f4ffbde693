"""The benchmark's URLconf: the portal's own, plus the bare view every page is compared with. Only the benchmark's
settings (scripts/bench_city_settings.py) use it."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.html import format_html_join

from config.urls import urlpatterns as portal_urlpatterns
from programmes.models import Cadre

BARE_ROWS = 50


def bare(request: HttpRequest) -> HttpResponse:
    """Fifty rows from one indexed query as a bare HTML table: the floor of what Django serves on this machine."""
    rows = Cadre.objects.order_by("pk").values_list("code", "full_name")[:BARE_ROWS]
    table = format_html_join("", "<tr><td>{}</td><td>{}</td></tr>", rows)
    return HttpResponse(f"<!doctype html><title>bare</title><table>{table}</table>")


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *portal_urlpatterns]
