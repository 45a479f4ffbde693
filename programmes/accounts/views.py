"""The account's security page, the second factor's pages, the sign-in's second step and password reset."""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice

from programmes import access
from programmes.accounts import passwords, second_factor
from programmes.accounts.forms import PasswordResetRequestForm, PasswordResetSetForm, TokenForm
from programmes.accounts.middleware import PENDING_SESSION_KEY, VERIFY_VIEW, redirect_to
from programmes.middleware import client_address
from programmes.web import add_service_error, call_service

# The key being set up lives in the session until a code confirms it: no half-made device is ever stored.
SETUP_KEY_SESSION_KEY = "portal_totp_setup_key"
# Fresh recovery codes wait here for the one page that shows them.
FRESH_CODES_SESSION_KEY = "portal_fresh_recovery_codes"

View = Callable[..., HttpResponse]


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _next_url(request: HttpRequest) -> str:
    """Where to go after the step: the page the person asked for, if it is on this site, else their page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def verified_if_enrolled(view: View) -> View:
    """The pages that manage a second factor need a session that has shown a code, when the account has one.

    The middleware sends there every session signed in with a device; this also covers a session that signed in
    before the device was set up elsewhere."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_verified() and user_has_device(request.user, confirmed=True):  # type: ignore[union-attr]
            request.session[PENDING_SESSION_KEY] = True
            return redirect_to(request, VERIFY_VIEW)
        return view(request, *args, **kwargs)

    return wrapper


def device_page(view: View) -> View:
    """A page about the account's authenticator app: never cached, signed in and verified as above; without a
    confirmed app there is nothing to manage, so it sends to the security page."""

    @wraps(view)
    def with_device(request: HttpRequest) -> HttpResponse:
        if second_factor.totp_device(_user(request)) is None:
            return redirect("accounts:security")
        return view(request)

    return never_cache(require_http_methods(["GET", "POST"])(login_required(verified_if_enrolled(with_device))))


@require_http_methods(["GET"])
@login_required
@verified_if_enrolled
def security(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "programmes/account_security.html",
        {
            "enabled": second_factor.totp_device(user) is not None,
            "codes_left": second_factor.recovery_codes_left(user),
            "required": access.requires_second_factor(user),
        },
    )


@sensitive_post_parameters("token")
@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def totp_setup(request: HttpRequest) -> HttpResponse:
    """Scan the QR code (or type the key), then type a code to show that the app holds the key."""
    user = _user(request)
    if second_factor.totp_device(user) is not None:
        messages.info(request, _("Xác thực hai bước đã được bật cho tài khoản này."))
        return redirect("accounts:security")
    key = request.session.get(SETUP_KEY_SESSION_KEY) or second_factor.new_key()
    request.session[SETUP_KEY_SESSION_KEY] = key
    form = TokenForm(request.POST or None, recovery=False)
    if request.method == "POST" and form.is_valid():
        result = call_service(
            form,
            second_factor.totp_enable,
            user=user,
            key=key,
            token=form.cleaned_data["token"],
            acting_user=user,
        )
        if result is not None:
            device, codes = result
            otp_login(request, device)
            request.session.pop(PENDING_SESSION_KEY, None)
            del request.session[SETUP_KEY_SESSION_KEY]
            request.session[FRESH_CODES_SESSION_KEY] = codes
            messages.success(request, _("Đã bật xác thực hai bước."))
            return redirect(f"{reverse('accounts:recovery_codes')}?next={_next_url(request)}")
    url = second_factor.setup_url(user, key)
    return render(
        request,
        "programmes/account_totp_setup.html",
        {
            "form": form,
            "qr_uri": second_factor.qr_data_uri(url),
            "key_text": second_factor.key_text(key),
            "required": access.requires_second_factor(user),
            "next": request.GET.get("next") or request.POST.get("next") or "",
        },
    )


@device_page
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Fresh codes are shown once, right after they are drawn; afterwards only how many are left."""
    user = _user(request)
    if request.method == "POST":
        request.session[FRESH_CODES_SESSION_KEY] = second_factor.recovery_codes_regenerate(user=user, acting_user=user)
        messages.success(request, _("Đã tạo bộ mã dự phòng mới; các mã cũ không còn dùng được."))
        return redirect("accounts:recovery_codes")
    fresh = request.session.pop(FRESH_CODES_SESSION_KEY, None)
    return render(
        request,
        "programmes/account_recovery_codes.html",
        {
            "codes": [second_factor.format_recovery_code(code) for code in fresh] if fresh else None,
            "codes_left": second_factor.recovery_codes_left(user),
            "next": _next_url(request) if request.GET.get("next") else "",
        },
    )


@sensitive_post_parameters("token")
@device_page
def totp_disable(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            second_factor.totp_disable(user=user, token=form.cleaned_data["token"], acting_user=user)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Đã tắt xác thực hai bước."))
            if settings.PORTAL_REQUIRE_SECOND_FACTOR and access.requires_second_factor(user):
                messages.warning(
                    request, _("Tài khoản của đồng chí bắt buộc dùng xác thực hai bước: hãy bật lại ngay.")
                )
                return redirect("accounts:totp_setup")
            return redirect("accounts:security")
    return render(
        request,
        "programmes/account_totp_disable.html",
        {"form": form, "required": access.requires_second_factor(user)},
    )


@sensitive_post_parameters("token")
@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the app, or a recovery code."""
    user = _user(request)
    if request.user.is_verified() or not user_has_device(user, confirmed=True):  # type: ignore[union-attr]
        request.session.pop(PENDING_SESSION_KEY, None)
        return redirect(_next_url(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = call_service(form, second_factor.second_factor_check, user=user, token=form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            request.session.pop(PENDING_SESSION_KEY, None)
            if isinstance(device, StaticDevice):
                left = second_factor.recovery_codes_left(user)
                messages.warning(
                    request,
                    _(
                        "Đồng chí vừa dùng một mã dự phòng; còn %(left)d mã. Nếu mất điện thoại, hãy tắt rồi bật lại "
                        "xác thực hai bước với thiết bị mới trong trang Bảo mật tài khoản."
                    )
                    % {"left": left},
                )
            return redirect(_next_url(request))
    return render(request, "programmes/account_verify.html", {"form": form, "next": _next_url(request)})


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for the account's e-mail address; the answer is the same whether or not an account has it."""

    form_class = PasswordResetRequestForm
    subject_template_name = "emails/password_reset_subject.txt"
    email_template_name = "emails/password_reset_body.txt"

    def form_valid(self, form: auth_forms.PasswordResetForm) -> HttpResponse:
        # The link is built by the worker from the portal's address (SITE_URL), never from the Host header.
        refusal = passwords.reset_request_refusal(client_address(self.request))
        if refusal is not None:
            form.add_error(None, refusal)
            return self.form_invalid(form)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = PasswordResetSetForm
