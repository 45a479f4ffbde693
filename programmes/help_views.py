"""The guides per role: read by anyone, signed in or not (they hold no one's data)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from programmes.help import GUIDES, GUIDES_BY_SLUG, guides_for


@require_safe
def help_index(request: HttpRequest) -> HttpResponse:
    return render(request, "help/index.html", {"guides": GUIDES, "mine": guides_for(request.user)})


@require_safe
def help_guide(request: HttpRequest, slug: str) -> HttpResponse:
    guide = GUIDES_BY_SLUG.get(slug)
    if guide is None:
        raise Http404
    return render(request, guide.template, {"guide": guide, "guides": GUIDES})
