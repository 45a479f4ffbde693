"""Citizens follow by e-mail: the form's own page (and its answer), the confirmation link's page and the unsubscribe
page. None is cached or indexed, and none shows an e-mail address.

Two of them take a POST without a CSRF token, on purpose: the follow form is part of the cached public programme page,
which cannot carry one (a request only asks for an e-mail to the address, whose owner alone can confirm it); and the
unsubscribe address is posted to by mail programs themselves (RFC 8058 one-click), the link's signature being the
authority.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from programmes.middleware import client_address
from programmes.models import ActionProgramme, PartyOrganisation
from programmes.web import add_service_error
from publicity import follow, selectors
from publicity.feedback_views import private_page
from publicity.follow.tokens import confirmed_id, unsubscribed_id
from publicity.follow_forms import FollowForm


@dataclass(frozen=True)
class FollowPage:
    """What the form's address names: a published programme (and so its owner), or an area."""

    programme: ActionProgramme | None = None
    area: PartyOrganisation | None = None

    def followed(self, form: FollowForm) -> follow.Followed:
        if self.programme is not None:
            if form.follows_cadre:
                return follow.Followed.cadre(self.programme.owner_id)
            return follow.Followed.programme(self.programme)
        if self.area is None:  # _follow_page returns one of the two
            raise Http404
        return follow.Followed.area(self.area)


def _id(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else None


def _follow_page(request: HttpRequest) -> FollowPage:
    programme_id, area_id = _id(request, "chuong_trinh"), _id(request, "khu_vuc")
    if programme_id is not None:
        return FollowPage(programme=selectors.public_programme(programme_id))
    if area_id is not None:
        return FollowPage(area=selectors.public_area(area_id))
    raise Http404


@csrf_exempt
@private_page
@require_http_methods(["GET", "POST"])
def follow_new(request: HttpRequest) -> HttpResponse:
    page = _follow_page(request)
    owner_name = page.programme.owner.full_name if page.programme is not None else ""
    form = FollowForm(request.POST if request.method == "POST" else None, owner_name=owner_name)
    status = 400 if form.is_bound else 200
    if form.is_bound and form.is_valid():
        try:
            follow.follow_request(
                followed=page.followed(form),
                email=form.cleaned_data["email"],
                language=get_language(),
                source_address=client_address(request),
            )
        except ValidationError as error:
            add_service_error(form, error)
            status = 429 if isinstance(error, follow.FollowThrottled) else 400
        else:
            return redirect("publicity:follow_sent")
    context = {"programme": page.programme, "area": page.area, "form": form}
    return render(request, "publicity/follow.html", context, status=status)


@private_page
@require_safe
def follow_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "publicity/follow_sent.html", {"confirm_days": settings.FOLLOW_CONFIRM_DAYS})


def _link_refused(request: HttpRequest, message: str, status: int = 404) -> HttpResponse:
    return render(request, "publicity/follow_link.html", {"refusal": message}, status=status)


@private_page
@require_http_methods(["GET", "POST"])
def follow_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what is followed and a button (a mail scanner opening the link confirms nothing); POST confirms."""
    if confirmed_id(token) is None:
        return _link_refused(request, str(follow.INVALID_LINK))
    if request.method == "POST":
        try:
            confirmed = follow.follow_confirm(token=token)
        except ValidationError as error:
            return _link_refused(request, " ".join(error.messages), status=400)
        what = follow.described(follow.Followed.of(confirmed))
        return render(request, "publicity/follow_confirm.html", {"what": what, "confirmed": True})
    pending = follow.subscription_for_confirmation(token)
    if pending is None:
        return _link_refused(request, str(follow.INVALID_LINK))
    context = {
        "what": follow.described(follow.Followed.of(pending)),
        "confirmed": pending.confirmed_at is not None,
    }
    return render(request, "publicity/follow_confirm.html", context)


@csrf_exempt
@private_page
@require_http_methods(["GET", "POST"])
def follow_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what is followed and a button; POST (the button, or a mail program's one-click) deletes it."""
    if unsubscribed_id(token) is None:
        return _link_refused(request, str(follow.INVALID_LINK))
    if request.method == "POST":
        removed = follow.follow_cancel(token=token)
        return render(request, "publicity/follow_unsubscribe.html", {"done": True, "removed": removed})
    subscription = follow.subscription_for_unsubscribing(token)
    context = {
        "done": subscription is None,
        "removed": False,
        "what": follow.described(follow.Followed.of(subscription)) if subscription is not None else "",
    }
    return render(request, "publicity/follow_unsubscribe.html", context)
