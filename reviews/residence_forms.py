"""The residence cell's answer (a comment on the four points of Quy định 213, or "không có ý kiến") and the workplace
side's upload of a comment obtained outside the portal. They validate and lay out; reviews.services.residence
persists."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from programmes.action_programmes.evidence import ALLOWED_EXTENSIONS, check_upload
from programmes.web import PortalForm
from reviews.models import RESIDENCE_POINTS, PointAssessment

ANSWER_COMMENT = "comment"
ANSWER_NONE = "none"
POINT_NAMES = tuple(name for name, _label in RESIDENCE_POINTS)


def _helper(*layout: Any) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if layout:
        helper.layout = Layout(*layout)
    return helper


def _document_field() -> forms.FileField:
    field = forms.FileField(label=_("Bản quét văn bản nhận xét (nếu có)"), required=False)
    field.widget.attrs["accept"] = ",".join(ALLOWED_EXTENSIONS)
    return field


def _document_help() -> str:
    return str(
        _("PDF, ảnh (PNG, JPEG, WebP) hoặc văn bản Word, Excel, PowerPoint, OpenDocument; tối đa %(limit)s MB.")
    ) % {"limit": settings.EVIDENCE_MAX_UPLOAD_MB}


def _point_fields(*, required: bool) -> dict[str, forms.ChoiceField]:
    blank = [] if required else [("", _("Không ghi"))]
    return {
        name: forms.ChoiceField(
            label=label, choices=[*blank, *PointAssessment.choices], widget=forms.RadioSelect, required=required
        )
        for name, label in RESIDENCE_POINTS
    }


class _DocumentMixin(PortalForm):
    """A comment's four points (none required here: the answer form asks them of a comment) and its scan."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in _point_fields(required=False).items():
            self.fields[name] = field
        self.fields["document"].help_text = _document_help()

    def clean_document(self) -> UploadedFile[bytes] | None:
        upload: UploadedFile[bytes] | None = self.cleaned_data.get("document")
        if upload is not None:
            check_upload(upload)
        return upload

    def points(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in POINT_NAMES}


class ResidenceAnswerForm(_DocumentMixin):
    """The residence cell's secretary comments on the four points, or answers that the cell has no comment."""

    answer = forms.ChoiceField(
        label=_("Trả lời"),
        choices=[
            (ANSWER_COMMENT, _("Chi bộ nhận xét đảng viên")),
            (ANSWER_NONE, _("Không có ý kiến nhận xét")),
        ],
        widget=forms.RadioSelect,
        initial=ANSWER_COMMENT,
    )
    text = forms.CharField(
        label=_("Nội dung nhận xét"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("Ưu điểm, hạn chế của đảng viên ở nơi cư trú, theo ý kiến của chi ủy và ban công tác Mặt trận."),
    )
    reason = forms.CharField(
        label=_("Lý do không có ý kiến"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Ví dụ: đảng viên mới chuyển đến, chi bộ chưa đủ căn cứ để nhận xét."),
    )
    document = _document_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            "answer",
            Fieldset(_("Nhận xét theo Quy định 213-QĐ/TW"), *POINT_NAMES, "text", "document"),
            Fieldset(_("Nếu không có ý kiến"), "reason"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("answer") == ANSWER_NONE:
            if not (cleaned.get("reason") or "").strip():
                self.add_error("reason", _("Hãy ghi lý do không có ý kiến nhận xét."))
            return cleaned
        for name, label in RESIDENCE_POINTS:
            if not cleaned.get(name):
                self.add_error(name, _("Hãy đánh giá nội dung “%(point)s”.") % {"point": label})
        if not (cleaned.get("text") or "").strip():
            self.add_error("text", _("Hãy ghi nội dung nhận xét."))
        return cleaned


class ResidenceUploadForm(_DocumentMixin):
    """A comment the residence cell gave outside the portal, brought in with its source."""

    source = forms.CharField(
        label=_("Nguồn nhận xét"),
        max_length=255,
        help_text=_(
            "Số, ngày văn bản và nơi gửi; ví dụ: Phiếu nhận xét ngày 05/12, Chi ủy Chi bộ Khu phố 2, nhận qua "
            "Cổng dịch vụ công quốc gia."
        ),
    )
    text = forms.CharField(
        label=_("Nội dung nhận xét"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("Chép lại nội dung, hoặc để trống nếu đã tải lên bản quét."),
    )
    document = _document_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            "source", "text", "document", Fieldset(_("Đánh giá theo bốn nội dung (nếu văn bản có ghi)"), *POINT_NAMES)
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not (cleaned.get("text") or "").strip() and not cleaned.get("document") and "document" not in self.errors:
            self.add_error("text", _("Hãy ghi nội dung nhận xét hoặc tải lên bản quét văn bản nhận xét."))
        return cleaned
