"""The confirmer's two forms (return with reasons, or confirm with a maximum publicity) and the version picker.

The forms validate and lay out; the services decide. A refusal from a service comes back as the form's
errors (to the field it names, else to the form as a whole), so nothing is half-saved.
"""

from collections.abc import Sequence
from typing import Any, cast

from crispy_forms.bootstrap import StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.contrib.auth.models import User
from django.utils.functional import Promise
from django.utils.html import escape, format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from programmes.action_programmes import numbering, services
from programmes.models import CommitmentTerms, ProgrammeVersion, PublicityLevel
from programmes.web import PortalForm, call_service

NOTE_PREFIX = "note_"
# What each maximum lets the owner open the programme to; the owner chooses the level within it.
PUBLICITY_EXPLANATIONS: dict[int, Promise] = {
    PublicityLevel.CELL: _("Chỉ đảng viên trong chi bộ của người lập chương trình và người xác nhận được xem."),
    PublicityLevel.COMMITTEE: _(
        "Thêm cấp ủy cơ sở và cấp ủy cấp trên (cán bộ tổ chức, kiểm tra) trong phạm vi quản lý được xem."
    ),
    PublicityLevel.OVERSIGHT: _(
        "Thêm Mặt trận Tổ quốc và Thường trực HĐND cùng địa bàn (đăng nhập bằng tài khoản) được xem để giám sát."
    ),
    PublicityLevel.PUBLIC: _(
        "Mọi người dân xem được trên trang công khai, chỉ gồm các thông tin được phép công khai; "
        "không bao giờ có thông tin cá nhân, điểm, xếp loại."
    ),
}
CONFIRMABLE_LEVELS = [(value, label) for value, label in PublicityLevel.choices if value >= PublicityLevel.CELL]


def _submit_button(label: Promise, action: str, css_class: str) -> StrictButton:
    return StrictButton(label, type="submit", name="action", value=action, css_class=css_class)


class ReturnForm(PortalForm):
    """A general reason and an optional note per commitment; at least one of them (the service checks)."""

    reason = forms.CharField(
        label=_("Lý do trả lại (chung cho cả chương trình)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Có thể để trống nếu đã ghi ý kiến ở từng nội dung cam kết bên dưới."),
    )

    def __init__(self, *args: Any, terms: Sequence[CommitmentTerms], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "return")
        super().__init__(*args, **kwargs)
        self.terms = numbering.document_order(terms)
        numbers = numbering.commitment_numbers(self.terms)
        for item in self.terms:
            self.fields[f"{NOTE_PREFIX}{item.pk}"] = forms.CharField(
                label=_("Ý kiến về nội dung %(number)s") % {"number": numbers[item.commitment_id]},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                # Crispy shows help text unescaped; this is the owner's own text.
                help_text=escape(Truncator(item.statement).words(20)),
            )
        self.helper = FormHelper()
        self.helper.form_id = "return-form"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            *self.fields, _submit_button(_("Trả lại để người lập chương trình sửa"), "return", "btn-outline-danger")
        )

    def commitment_notes(self) -> dict[int, str]:
        return {item.pk: self.cleaned_data.get(f"{NOTE_PREFIX}{item.pk}", "") for item in self.terms}

    def submit(self, *, version: ProgrammeVersion, acting_user: User) -> ProgrammeVersion | None:
        return call_service(
            self,
            services.programme_return,
            version=version,
            reason=self.cleaned_data["reason"],
            commitment_notes=self.commitment_notes(),
            acting_user=acting_user,
        )


def _publicity_help() -> str:
    items = format_html_join(
        "",
        "<li><strong>{}</strong>: {}</li>",
        ((label, PUBLICITY_EXPLANATIONS[value]) for value, label in CONFIRMABLE_LEVELS),
    )
    return format_html(
        "{}<ul class='mb-0'>{}</ul>",
        _(
            "Mức cao nhất chương trình được phép công khai. "
            "Người lập chương trình chọn mức cụ thể, không vượt quá mức này."
        ),
        items,
    )


class ConfirmForm(PortalForm):
    publicity_max = forms.TypedChoiceField(
        label=_("Mức độ công khai tối đa"), choices=CONFIRMABLE_LEVELS, coerce=int, initial=PublicityLevel.COMMITTEE
    )
    comment = forms.CharField(
        label=_("Ý kiến của người xác nhận"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "confirm")
        super().__init__(*args, **kwargs)
        self.fields["publicity_max"].help_text = _publicity_help()
        self.helper = FormHelper()
        self.helper.form_id = "confirm-form"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout("publicity_max", "comment", _submit_button(_("Xác nhận"), "confirm", "btn-portal"))

    def submit(self, *, version: ProgrammeVersion, acting_user: User) -> ProgrammeVersion | None:
        return call_service(
            self,
            services.programme_confirm,
            version=version,
            publicity_max=self.cleaned_data["publicity_max"],
            comment=self.cleaned_data["comment"],
            acting_user=acting_user,
        )


class VersionPickForm(PortalForm):
    """Which two versions to compare (?tu=&den=), among those the reader may see."""

    tu = forms.TypedChoiceField(label=_("So sánh phiên bản"), coerce=int)
    den = forms.TypedChoiceField(label=_("với phiên bản"), coerce=int)

    def __init__(self, *args: Any, versions: Sequence[ProgrammeVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(version.number, version_choice_label(version)) for version in versions]
        for name in ("tu", "den"):
            field = cast(forms.TypedChoiceField, self.fields[name])
            field.choices = choices
            field.error_messages["invalid_choice"] = _("Không có phiên bản số %(value)s để so sánh.")
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_id = "version-pick"
        self.helper.layout = Layout(
            "tu", "den", StrictButton(_("So sánh"), type="submit", css_class="btn-outline-primary")
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("tu") is not None and cleaned.get("tu") == cleaned.get("den"):
            self.add_error("den", _("Hãy chọn hai phiên bản khác nhau."))
        return cleaned


def version_choice_label(version: ProgrammeVersion) -> str:
    return str(_("Phiên bản %(number)s (%(state)s)") % {"number": version.number, "state": version.get_state_display()})
