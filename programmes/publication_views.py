"""The owner's publication page: who reads the programme, the consent to publish it, and per-item choices."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from programmes import access
from programmes.action_programmes import publication
from programmes.action_programmes.publication_forms import ConsentGiveForm, ConsentWithdrawForm, ItemsForm, LevelForm
from programmes.action_programmes.review_forms import PUBLICITY_EXPLANATIONS
from programmes.models import ActionProgramme, PublicityLevel
from programmes.web import AuthenticatedRequest

ACTIONS = frozenset({"level", "consent_give", "consent_withdraw", "items"})
# Who reads at each level; the confirmer's page explains the four it may choose as a maximum.
LEVEL_READERS: dict[int, Promise] = {
    PublicityLevel.PRIVATE: gettext_lazy(
        "Chỉ đồng chí (và người xác nhận khi đồng chí gửi chương trình); dùng cho bản nháp chưa được xác nhận."
    ),
    **PUBLICITY_EXPLANATIONS,
}


@dataclass(frozen=True)
class LevelRow:
    level: PublicityLevel
    readers: Promise
    is_current: bool
    is_max: bool
    within_max: bool
    needs_consent: bool


def _level_rows(programme: ActionProgramme) -> list[LevelRow]:
    confirmed = publication.is_confirmed(programme)
    return [
        LevelRow(
            level=level,
            readers=LEVEL_READERS[level],
            is_current=level == programme.publicity_level,
            is_max=confirmed and level == programme.publicity_max,
            within_max=level <= programme.publicity_max if confirmed else level <= PublicityLevel.CELL,
            needs_consent=level > publication.INSIDE_PARTY,
        )
        for level in PublicityLevel
    ]


def _success_message(action: str, programme: ActionProgramme, changed: int | None) -> str:
    level = programme.get_publicity_level_display()
    if action == "level":
        return _("Đã lưu mức công khai: %(level)s.") % {"level": level}
    if action == "consent_give":
        return _(
            "Đã ghi nhận đồng chí đồng ý công khai. "
            "Đồng chí có thể chọn mức công khai cao hơn, trong giới hạn cho phép."
        )
    if action == "consent_withdraw":
        return _(
            "Đã rút lại sự đồng ý công khai. Chương trình đã thôi hiển thị với Mặt trận, HĐND và Nhân dân; "
            "mức công khai hiện nay: %(level)s."
        ) % {"level": level}
    if not changed:
        return _("Không có thay đổi nào cần lưu.")
    return _("Đã lưu %(count)s thay đổi về công khai từng nội dung và minh chứng.") % {"count": changed}


@login_required
@require_http_methods(["GET", "POST"])
def publication_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = access.get_programme_for(request.user, pk, write=True)
    items = publication.publication_items(programme)
    level_form = LevelForm(programme=programme)
    consent_form = ConsentGiveForm(programme=programme)
    withdraw_form = ConsentWithdrawForm(programme=programme)
    items_form = ItemsForm(programme=programme, items=items)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            raise BadRequest
        saved: object = None
        changed: int | None = None
        if action == "level":
            level_form = LevelForm(request.POST, programme=programme)
            saved = level_form.is_valid() and level_form.submit(acting_user=request.user)
        elif action == "consent_give":
            consent_form = ConsentGiveForm(request.POST, programme=programme)
            saved = consent_form.is_valid() and consent_form.submit(acting_user=request.user)
        elif action == "consent_withdraw":
            withdraw_form = ConsentWithdrawForm(request.POST, programme=programme)
            saved = withdraw_form.is_valid() and withdraw_form.submit(acting_user=request.user)
        else:
            items_form = ItemsForm(request.POST, programme=programme, items=items)
            changed = items_form.submit(acting_user=request.user) if items_form.is_valid() else None
            saved = changed is not None
        if saved:
            programme.refresh_from_db(fields=["publicity_level", "publication_consent_at"])
            messages.success(request, _success_message(action, programme, changed))
            return redirect("programmes:publication_edit", pk=programme.pk)

    context = {
        "programme": programme,
        "confirmed": publication.is_confirmed(programme),
        "public": publication.is_public(programme),
        "level_rows": _level_rows(programme),
        "level_form": level_form,
        "consent_form": consent_form,
        "withdraw_form": withdraw_form,
        "items_form": items_form,
        "has_items": bool(items),
        "may_leave_party": programme.publicity_max > publication.INSIDE_PARTY,
    }
    return render(request, "programmes/publication_form.html", context)
