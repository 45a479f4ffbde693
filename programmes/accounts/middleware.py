"""The second step of signing in, and the setup that accounts which must have a second factor cannot skip.

A signed-in session that has not shown a code is held on one page until it does: the code page when the account
has a device, the setup page when it has none and its roles require one (PORTAL_REQUIRE_SECOND_FACTOR). Only
signing out, switching language, the health check and the link in an e-mail that turns a kind of notification
off (which needs no sign-in at all) pass meanwhile; static files are served before this runs.
The admin is behind the same gate, so a password alone never opens it for these accounts.
"""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect
from django_otp import user_has_device

from programmes import access

# Set at sign-in when the account has a device: the session waits for its code. Kept in the session so that the
# pages of every other account cost no query to check.
PENDING_SESSION_KEY = "portal_second_step"
VERIFY_VIEW = "accounts:verify"
SETUP_VIEW = "accounts:totp_setup"
_ALWAYS_ALLOWED = frozenset({"logout", "admin:logout", "set_language", "health", "accounts:unsubscribe"})
ALLOWED_VIEWS = {
    VERIFY_VIEW: _ALWAYS_ALLOWED | {VERIFY_VIEW},
    SETUP_VIEW: _ALWAYS_ALLOWED | {SETUP_VIEW},
}


def second_step_on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """Receiver of user_logged_in, whichever page signed the person in (the portal's or the admin's)."""
    if request is not None and hasattr(request, "session") and user_has_device(user, confirmed=True):
        request.session[PENDING_SESSION_KEY] = True


def second_step_needed(request: HttpRequest) -> str | None:
    """The view a signed-in, unverified session must go to first, or None when it may go anywhere."""
    if request.session.get(PENDING_SESSION_KEY):
        return VERIFY_VIEW
    user = request.user
    if settings.PORTAL_REQUIRE_SECOND_FACTOR and access.requires_second_factor(user):
        # A device set up from another session since this one signed in.
        if user_has_device(user, confirmed=True):
            request.session[PENDING_SESSION_KEY] = True
            return VERIFY_VIEW
        return SETUP_VIEW
    return None


def redirect_to(request: HttpRequest, view_name: str) -> HttpResponse:
    url = reverse(view_name)
    if request.method == "GET":
        url = f"{url}?{urlencode({'next': request.get_full_path()})}"
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or user.is_verified():  # type: ignore[attr-defined]
            return None
        target = second_step_needed(request)
        if target is None:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in ALLOWED_VIEWS[target]:
            return None
        return redirect_to(request, target)
