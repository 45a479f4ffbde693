"""The reader's choice of how each kind of notification reaches them, and the link in every e-mail that turns a
kind off without signing in."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from programmes.accounts.forms import NotificationPreferencesForm, preferences_initial
from programmes.action_programmes import notification_preferences
from programmes.web import call_service


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def notification_preferences_edit(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    current = notification_preferences.preferences_of(user)
    form = NotificationPreferencesForm(request.POST or None, initial=preferences_initial(current))
    if request.method == "POST" and form.is_valid():
        saved = call_service(
            form,
            notification_preferences.preferences_save,
            user=user,
            deliveries=form.deliveries(),
            language=form.cleaned_data["language"],
            acting_user=user,
        )
        if saved is not None:
            messages.success(request, _("Đã lưu cách nhận thông báo."))
            return redirect("accounts:notification_preferences")
    return render(request, "programmes/account_notifications.html", {"form": form})


# No login and no CSRF token: the signed link is the authority, as the e-mail's reader. A mail program's one-click
# unsubscribe (RFC 8058) posts to it without a page or a cookie.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the link turns off and a button; POST turns it off."""
    found = notification_preferences.read_unsubscribe_token(token)
    if found is None:
        return render(request, "programmes/account_unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        done = notification_preferences.unsubscribe(token=token)
        return render(request, "programmes/account_unsubscribe.html", {"done": True, "label": done.label})
    return render(request, "programmes/account_unsubscribe.html", {"label": found.label})
