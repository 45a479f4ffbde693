"""Sending the draft to the confirmer, withdrawing a version not yet confirmed, and starting an amendment of the
version in force."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from programmes import access
from programmes.action_programmes import services
from programmes.action_programmes.forms import AmendmentForm
from programmes.models.action_programmes import PENDING_VERSION_STATES
from programmes.web import AuthenticatedRequest, call_service

from .editor import not_editable, refused, report_refusal, writable_draft


@login_required
@require_POST
def programme_submit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme, version = writable_draft(request, pk)
    if version is None:
        return not_editable(request, programme)
    try:
        version = services.programme_submit(version=version, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, _("Chưa gửi được chương trình:"))
        return refused(request, programme, error)
    messages.success(
        request,
        _("Đã gửi phiên bản %(number)s cho người xác nhận: %(title)s.")
        % {"number": version.number, "title": version.confirmer_title},
    )
    return redirect("programmes:programme_detail", pk=programme.pk)


@login_required
@require_http_methods(["GET", "POST"])
def version_withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Withdraw the version not yet confirmed, after a confirmation page."""
    user = request.user
    programme = access.get_programme_for(user, pk, write=True)
    version = programme.versions.filter(state__in=PENDING_VERSION_STATES).first()
    if version is None:
        messages.info(request, _("Chương trình không có phiên bản nào chờ xác nhận hoặc đang soạn để rút."))
        return redirect("programmes:programme_detail", pk=programme.pk)
    if request.method == "POST":
        try:
            services.version_withdraw(version=version, acting_user=user)
        except ValidationError as error:
            report_refusal(request, error)
            return redirect("programmes:programme_detail", pk=programme.pk)
        if version.is_amendment:
            messages.success(
                request,
                _("Đã rút bản điều chỉnh (phiên bản %(number)s). Phiên bản đã xác nhận vẫn có hiệu lực.")
                % {"number": version.number},
            )
            return redirect("programmes:programme_detail", pk=programme.pk)
        messages.success(request, _("Đã rút chương trình “%(title)s”.") % {"title": programme.title})
        return redirect("programmes:programme_list")
    return render(request, "programmes/version_withdraw.html", {"programme": programme, "version": version})


@login_required
@require_http_methods(["GET", "POST"])
def amendment_start(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    programme = access.get_programme_for(user, pk, write=True)
    if request.method == "GET":
        pending = programme.versions.filter(state__in=PENDING_VERSION_STATES).first()
        if pending is not None and pending.is_editable:
            messages.info(request, _("Chương trình đang có một bản đang soạn; hãy soạn tiếp bản đó."))
            return redirect("programmes:programme_edit", pk=programme.pk)
        if pending is not None:
            messages.info(request, _("Chương trình đang có một bản chờ xác nhận, chưa lập bản điều chỉnh được."))
            return redirect("programmes:programme_detail", pk=programme.pk)
    form = AmendmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        version = call_service(form, services.amendment_start, programme=programme, reason=reason, acting_user=user)
        if version is not None:
            messages.success(
                request,
                _("Đã mở bản điều chỉnh (phiên bản %(number)s) từ phiên bản đang có hiệu lực.")
                % {"number": version.number},
            )
            return redirect("programmes:programme_edit", pk=programme.pk)
    return render(request, "programmes/amendment_form.html", {"programme": programme, "form": form})
