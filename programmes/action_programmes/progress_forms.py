"""The owner's progress report on one commitment: status, value reached, note, evidence files and links."""

import uuid
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from programmes.action_programmes.evidence import ALLOWED_EXTENSIONS, check_link, check_upload
from programmes.action_programmes.progress import Upload, progress_report
from programmes.models import CommitmentTerms, ProgressReport, ProgressStatus
from programmes.text import display_number
from programmes.web import NumberInput, PortalForm, call_service


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files at once and cleans to a list (empty when none)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Upload]:
        single = super().clean
        if isinstance(data, list | tuple):
            if not data and self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


# The service names the evidence "files"; the form's field for them has another name.
SERVICE_FIELDS = {"files": "evidence_files"}


def _decimal(value: Any) -> str:
    """As the pages show it: localised, without trailing zeros ("80", "92,5")."""
    return display_number(value) if value is not None else "—"


class ProgressForm(PortalForm):
    status = forms.ChoiceField(
        label=_("Tình trạng thực hiện"),
        choices=ProgressStatus.choices,
        help_text=_("“Hoàn thành” và “Vượt chỉ tiêu” cần kèm minh chứng; “Không thực hiện” cần ghi lý do."),
    )
    value_reached = forms.DecimalField(
        label=_("Giá trị đạt được"),
        max_digits=14,
        decimal_places=2,
        required=False,
        widget=NumberInput(),
    )
    note = forms.CharField(
        label=_("Kết quả, khó khăn"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    drop_reason = forms.CharField(
        label=_("Lý do không thực hiện"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Bắt buộc khi chọn “Không thực hiện (có lý do)”."),
    )
    # Not "files": a form keeps the request's uploads under that name.
    evidence_files = MultipleFileField(label=_("Tệp minh chứng"), required=False)
    links = forms.CharField(
        label=_("Đường dẫn minh chứng"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Mỗi dòng một đường dẫn, bắt đầu bằng http:// hoặc https://."),
    )
    # A new key each time the page is shown; the same page sent twice stores one report.
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False, initial=uuid.uuid4)

    def __init__(self, *args: Any, terms: CommitmentTerms, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.terms = terms
        self.user = user
        commitment = terms.commitment
        self.fields["status"].initial = commitment.status
        if terms.is_deliverable or terms.target_value is None:
            del self.fields["value_reached"]
        else:
            value_field = self.fields["value_reached"]
            if terms.unit:
                value_field.label = _("Giá trị đạt được (%(unit)s)") % {"unit": terms.unit}
            value_field.help_text = _("Giá trị ban đầu: %(baseline)s; giá trị cam kết: %(target)s %(unit)s.") % {
                "baseline": _decimal(terms.baseline_value),
                "target": _decimal(terms.target_value),
                # Help texts are rendered unescaped by the form templates; the unit is the cadre's text.
                "unit": escape(terms.unit),
            }
            value_field.initial = commitment.value_reached
        self.fields["evidence_files"].help_text = _(
            "Có thể chọn nhiều tệp. Nhận PDF, ảnh (PNG, JPEG, WebP) và văn bản Word, Excel, PowerPoint, "
            "OpenDocument; mỗi tệp tối đa %(limit)s MB."
        ) % {"limit": settings.EVIDENCE_MAX_UPLOAD_MB}
        self.fields["evidence_files"].widget.attrs["accept"] = ",".join(ALLOWED_EXTENSIONS)
        self.helper = FormHelper()
        self.helper.form_enctype = "multipart/form-data"
        self.helper.form_id = "progress-form"
        self.helper.add_input(Submit("submit", _("Gửi báo cáo tiến độ")))

    def clean_evidence_files(self) -> list[Upload]:
        files: list[Upload] = self.cleaned_data["evidence_files"]
        errors: list[str] = []
        for upload in files:
            try:
                check_upload(upload)
            except ValidationError as error:
                errors += error.messages
        if errors:
            raise ValidationError(errors)
        return files

    def clean_links(self) -> list[str]:
        links: list[str] = []
        errors: list[str] = []
        for line in self.cleaned_data["links"].splitlines():
            if not line.strip():
                continue
            try:
                links.append(check_link(line))
            except ValidationError as error:
                errors += error.messages
        if errors:
            raise ValidationError(errors)
        return links

    def submit(self) -> ProgressReport | None:
        """Record the report; a refusal from the service becomes the error of the field it is about."""
        data = self.cleaned_data
        return call_service(
            self,
            progress_report,
            SERVICE_FIELDS,
            commitment=self.terms.commitment,
            status=data["status"],
            value_reached=data.get("value_reached"),
            note=data["note"],
            drop_reason=data["drop_reason"],
            files=data["evidence_files"],
            links=data["links"],
            acting_user=self.user,
            submission_key=data["submission_key"],
        )


class EvidenceCheckForm(PortalForm):
    """The confirmer's verdict on one evidence item: accept, or reject with a reason."""

    ACCEPT, REJECT = "accept", "reject"

    decision = forms.ChoiceField(
        label=_("Kết quả kiểm tra"), choices=[(ACCEPT, _("Chấp nhận")), (REJECT, _("Từ chối"))]
    )
    reason = forms.CharField(
        label=_("Lý do từ chối"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Bắt buộc khi từ chối: người lập chương trình sẽ đọc lý do này."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == self.REJECT and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Hãy ghi lý do từ chối minh chứng."))
        return cleaned
