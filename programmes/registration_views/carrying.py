"""Carrying the owner's unfinished commitments of earlier programmes into the draft ("Chuyển tiếp cam kết chưa hoàn
thành"): the list of what may be carried, each with its programme, number, statement and last status, to tick."""

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from programmes.action_programmes import services
from programmes.action_programmes.carrying import Carryable, carryable_commitments
from programmes.models import Commitment
from programmes.web import AuthenticatedRequest, PortalForm, call_service

from .commitments import _editable_draft


class CarryForm(PortalForm):
    commitments = forms.TypedMultipleChoiceField(
        label=gettext_lazy("nội dung cam kết chuyển tiếp"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": gettext_lazy(
                "Một nội dung cam kết đã chọn không còn chuyển tiếp được (đã hoàn thành hoặc đã chuyển tiếp); "
                "hãy tải lại trang và chọn lại."
            ),
        },
    )

    def __init__(self, *args: Any, items: list[Carryable], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedMultipleChoiceField, self.fields["commitments"])
        field.choices = [(item.commitment.pk, f"{item.number} {item.terms.statement}") for item in items]


@login_required
@require_http_methods(["GET", "POST"])
def commitment_carry(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme, version = _editable_draft(request, pk)
    items = carryable_commitments(programme.owner, programme)
    form = CarryForm(request.POST if request.method == "POST" else None, items=items)
    if request.method == "POST" and form.is_valid():
        chosen = list(Commitment.objects.filter(pk__in=form.cleaned_data["commitments"]))
        carried = call_service(
            form, services.carry_commitments, actor=request.user, target_programme=programme, commitments=chosen
        )
        if carried is not None:
            messages.success(
                request,
                _("Đã chuyển tiếp %(count)s nội dung cam kết chưa hoàn thành vào bản nháp.") % {"count": len(carried)},
            )
            return redirect(reverse("programmes:programme_edit", args=[programme.pk]) + "#commitments")
    selected = {str(value) for value in form["commitments"].value() or []}
    context = {"programme": programme, "version": version, "items": items, "form": form, "selected": selected}
    return render(request, "programmes/commitment_carry.html", context)
