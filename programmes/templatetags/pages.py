"""Links between the pages of a list on a page with several lists, each paginated by a parameter of its own, and the
link to a list's spreadsheet with its filters."""

from urllib.parse import urlencode

from django import template
from django.http import HttpRequest

from programmes.search import filter_parameters

register = template.Library()


@register.simple_tag(takes_context=True)
def page_query(context: template.Context, parameter: str, number: int) -> str:
    """The current query string with `parameter` set to `number`: the other lists' pages and filters stay."""
    request: HttpRequest = context["request"]
    query = request.GET.copy()
    query[parameter] = str(number)
    return "?" + query.urlencode()


@register.simple_tag(takes_context=True)
def export_link(context: template.Context, address: str) -> str:
    """The address of a list's spreadsheet with the list's current filters (not its page): the file holds what the
    list shows, whichever page of it is on screen."""
    request: HttpRequest = context["request"]
    filters = filter_parameters(request.GET)
    return address + ("?" + urlencode(filters) if filters else "")
