"""The public search and the report check. Both are GET forms: a result has an address one can share."""

import functools
from collections.abc import Sequence
from typing import Any, cast

from crispy_forms.bootstrap import StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Div, Field, Layout, Row
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from programmes.models import Occasion
from programmes.web import LongSelect, PortalForm
from publicity.selectors import Area, Filters, OrganisationCount, StatusFilter
from reviews.reports.produce import CODE_ALPHABET, CODE_LENGTH

STATUS_CHOICES = [
    ("", _("Tất cả")),
    (StatusFilter.IN_PROGRESS.value, _("Đang thực hiện")),
    (StatusFilter.CLOSED.value, _("Đã kết thúc")),
]


class PublicSearchForm(PortalForm):
    """Search and filters of the published programmes. An unknown value is reported and left out, and the
    rest still applies, so that an old shared address keeps working."""

    q = forms.CharField(
        label=_("Tìm theo tên, chức vụ hoặc tổ chức"),
        required=False,
        max_length=100,
        help_text=_("Gõ có dấu hay không dấu đều được, ví dụ: nguyen van nen, chu tich phuong."),
    )
    khu_vuc = forms.TypedChoiceField(
        label=_("Phường, xã, đặc khu"), required=False, coerce=int, empty_value=None, widget=LongSelect
    )
    to_chuc = forms.TypedChoiceField(
        label=_("Tổ chức đảng"), required=False, coerce=int, empty_value=None, widget=LongSelect
    )
    ly_do = forms.ChoiceField(
        label=_("Lý do lập chương trình"), required=False, choices=[("", _("Tất cả")), *Occasion.choices]
    )
    trang_thai = forms.ChoiceField(label=_("Tình trạng"), required=False, choices=STATUS_CHOICES)
    qua_han = forms.BooleanField(label=_("Chỉ chương trình có nội dung quá hạn"), required=False)

    def __init__(
        self,
        *args: Any,
        areas: Sequence[Area],
        organisations: Sequence[OrganisationCount],
        area_chosen: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._areas = {area.organisation.pk: area for area in areas}
        area_field = cast(forms.TypedChoiceField, self.fields["khu_vuc"])
        # The 168 wards are read only to check a ward asked for, or to write the select (a fragment kept in the cache):
        # made into choices every time, they cost a search a tenth of its time.
        area_field.choices = functools.cache(
            lambda: [
                ("", _("Tất cả")),
                *((area.organisation.pk, f"{area.organisation.name} ({area.published})") for area in areas),
            ]
        )
        area_field.error_messages["invalid_choice"] = _("Không có chương trình nào được công khai ở địa bàn này.")
        organisation_field = cast(forms.TypedChoiceField, self.fields["to_chuc"])
        organisation_field.choices = [
            ("", _("Tất cả")),
            *((item.pk, f"{item.name} ({item.published})") for item in organisations),
        ]
        organisation_field.error_messages["invalid_choice"] = _(
            "Tổ chức này không có chương trình nào được công khai (trong địa bàn đã chọn)."
        )
        if not area_chosen:
            # The city has thousands of organisations: they are offered once the ward is chosen (the page reloads).
            organisation_field.help_text = _("Chọn phường, xã, đặc khu rồi bấm “Tìm” để lọc theo tổ chức đảng.")
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_id = "public-search"
        self.helper.attrs = {"role": "search", "aria-label": _("Tìm chương trình hành động")}
        self.helper.layout = Layout(
            Field("q", type="search", autocomplete="off"),
            Row(Column("khu_vuc", css_class="col-md-6"), Column("to_chuc", css_class="col-md-6")),
            Row(Column("ly_do", css_class="col-md-6"), Column("trang_thai", css_class="col-md-6")),
            "qua_han",
            Div(StrictButton(_("Tìm"), type="submit", css_class="btn-portal"), css_class="mb-3"),
        )

    def filters(self) -> Filters:
        """What to apply: the valid part of the request (call after is_valid)."""
        data = getattr(self, "cleaned_data", {})
        area_pk = data.get("khu_vuc")
        return Filters(
            text=data.get("q") or "",
            area=self._areas[area_pk].organisation if area_pk in self._areas else None,
            organisation_id=data.get("to_chuc"),
            occasion=data.get("ly_do") or "",
            status=data.get("trang_thai") or "",
            overdue=bool(data.get("qua_han")),
        )


# Crockford's reading of a code typed from paper: O is 0, I and L are 1.
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_HEX = frozenset("0123456789abcdef")
SHA256_LENGTH = 64


def normalise_code(raw: str) -> str:
    """The printed code without dashes or spaces, in capitals and with look-alike letters read as digits;
    a SHA-256 in lower case."""
    value = "".join(raw.split()).replace("-", "")
    if len(value) == SHA256_LENGTH:
        return value.lower()
    return value.upper().translate(_READ_AS)


class VerifyForm(PortalForm):
    ma = forms.CharField(
        label=_("Mã xác thực hoặc mã băm SHA-256"),
        max_length=80,
        help_text=_(
            "Mã in ở cuối báo cáo, dạng ABCDE-12345 (có hay không có gạch nối), hoặc 64 ký tự mã băm SHA-256 "
            "của tệp PDF."
        ),
        error_messages={"required": _("Hãy nhập mã xác thực in trên báo cáo.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_id = "verify-form"
        self.helper.layout = Layout(
            Field("ma", autocomplete="off", spellcheck="false", autocapitalize="characters"),
            Div(StrictButton(_("Kiểm tra"), type="submit", css_class="btn-portal"), css_class="mb-3"),
        )

    def clean_ma(self) -> str:
        value = normalise_code(self.cleaned_data["ma"])
        is_code = len(value) == CODE_LENGTH and all(char in CODE_ALPHABET for char in value)
        is_hash = len(value) == SHA256_LENGTH and set(value) <= _HEX
        if not (is_code or is_hash):
            raise forms.ValidationError(
                _(
                    "Mã chưa đúng dạng: mã xác thực gồm %(length)s chữ và số (ví dụ ABCDE-12345), "
                    "mã băm SHA-256 gồm 64 ký tự 0-9, a-f."
                ),
                params={"length": CODE_LENGTH},
            )
        return value


PDF_MAGIC = b"%PDF-"


class VerifyFileForm(PortalForm):
    """A PDF someone holds, to check its digital signature. It is read in the request and kept nowhere."""

    tep = forms.FileField(
        label=_("Tệp PDF của báo cáo"),
        error_messages={
            "required": _("Hãy chọn tệp PDF của báo cáo cần kiểm tra."),
            "empty": _("Tệp đã chọn rỗng: hãy chọn đúng tệp PDF của báo cáo."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tep"].help_text = _(
            "Tệp PDF tải về từ cổng hoặc nhận được từ người khác; tối đa %(limit)s MB. Tệp chỉ được đọc để kiểm tra "
            "chữ ký số, không được lưu lại."
        ) % {"limit": settings.VERIFY_MAX_UPLOAD_MB}
        self.fields["tep"].widget.attrs["accept"] = ".pdf,application/pdf"
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.form_id = "verify-file-form"
        self.helper.attrs = {"enctype": "multipart/form-data"}
        # The page is the same for every visitor and kept by shared caches: no per-visitor token in it. Checking a
        # file changes nothing, so the view does without the CSRF check.
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field("tep"),
            Div(StrictButton(_("Kiểm tra tệp"), type="submit", css_class="btn-portal"), css_class="mb-3"),
        )

    def clean_tep(self) -> bytes:
        upload = self.cleaned_data["tep"]
        limit = settings.VERIFY_MAX_UPLOAD_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                _("Tệp “%(name)s” nặng %(size).1f MB, quá giới hạn %(limit)s MB của trang kiểm tra."),
                params={"name": upload.name, "size": upload.size / 1024 / 1024, "limit": limit},
            )
        content = cast(bytes, upload.read())
        if not content.startswith(PDF_MAGIC):
            raise forms.ValidationError(
                _("Tệp “%(name)s” không phải tệp PDF: trang này chỉ kiểm tra chữ ký số của báo cáo dạng PDF."),
                params={"name": upload.name},
            )
        return content
