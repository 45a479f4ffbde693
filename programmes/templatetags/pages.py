"""Links between the pages of a list on a page with several lists, each paginated by a parameter of its own."""

from django import template
from django.http import HttpRequest

register = template.Library()


@register.simple_tag(takes_context=True)
def page_query(context: template.Context, parameter: str, number: int) -> str:
    """The current query string with `parameter` set to `number`: the other lists' pages and filters stay."""
    request: HttpRequest = context["request"]
    query = request.GET.copy()
    query[parameter] = str(number)
    return "?" + query.urlencode()
