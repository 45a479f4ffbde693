"""The registration forms: what a programme is for, one commitment with its milestones, an amendment's reason.

The forms validate and lay out; the services persist. A service's ValidationError is put back on the
form with `programmes.web.add_service_error`, on the field it names when the form has that field.
"""

import datetime
from collections.abc import Callable, Iterable
from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, LayoutObject, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from programmes.action_programmes.quality import TASK_WEIGHT_TOTAL
from programmes.action_programmes.services import CONTENT_FIELDS, Milestones
from programmes.models import Cadre, CommitmentCategory, CommitmentTerms, Milestone, Occasion, Position
from programmes.web import NumberInput, PortalForm, PortalModelForm, call_service

MILESTONE_SLOTS = 3
# What a programme is for: the fields of ProgrammeForm, and the keyword arguments programme_create and
# programme_update take for them.
GENERAL_FIELDS = ("occasion", "title", "position", "term_start", "term_end")


class DateInput(forms.DateInput):
    """The browser's date picker; it sends and expects ISO dates, which Django always accepts."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _helper(*layout: str | LayoutObject) -> FormHelper:
    """The templates write the <form> element themselves (with its htmx attributes and CSRF token)."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if layout:
        helper.layout = Layout(*layout)
    return helper


def _side_by_side(first: str, second: str, *, first_width: int = 6) -> Row:
    """Two fields on one line from a small screen up, `first_width` of twelve columns for the first."""
    return Row(Column(first, css_class=f"col-sm-{first_width}"), Column(second, css_class=f"col-sm-{12 - first_width}"))


class PositionChoiceField(forms.ModelChoiceField[Position]):
    def label_from_instance(self, obj: Position) -> str:
        return str(obj.display_title)


class ProgrammeForm(PortalForm):
    # No reason chosen in advance: the person picks one (the empty option says "Chọn lý do lập chương trình").
    occasion = forms.ChoiceField(label=_("Lý do lập chương trình"), choices=[("", "---------"), *Occasion.choices])
    title = forms.CharField(
        label=_("Tên chương trình"),
        max_length=255,
        help_text=_("Ví dụ: Chương trình hành động nhiệm kỳ 2025–2030 của Bí thư Chi bộ Khu phố 1."),
    )
    position = PositionChoiceField(
        label=_("Chức vụ"),
        queryset=Position.objects.none(),
        required=False,
        empty_label=_("Không gắn chức vụ (đảng viên)"),
        help_text=_("Chức vụ hiện tại mà chương trình được lập cho; người xác nhận tùy theo chức vụ này."),
    )
    term_start = forms.DateField(
        label=_("Thực hiện từ ngày"),
        widget=DateInput(),
        error_messages={"required": _("Nhập ngày bắt đầu thực hiện")},
    )
    term_end = forms.DateField(
        label=_("Đến ngày"), widget=DateInput(), error_messages={"required": _("Nhập ngày kết thúc thực hiện")}
    )

    def __init__(self, *args: Any, cadre: Cadre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        position_field = cast(PositionChoiceField, self.fields["position"])
        position_field.queryset = (
            Position.objects.current().filter(cadre=cadre).select_related("organisation").order_by("start_date", "pk")
        )
        self.helper = _helper("occasion", "title", "position", _side_by_side("term_start", "term_end"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("term_start"), cleaned.get("term_end")
        if start and end and end < start:
            self.add_error("term_end", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return cleaned

    def general_information(self) -> dict[str, Any]:
        """The cleaned fields, as programme_create and programme_update take them."""
        return {name: self.cleaned_data[name] for name in GENERAL_FIELDS}


class CommitmentForm(PortalModelForm[CommitmentTerms]):
    """One commitment of a draft version: exactly the service's CONTENT_FIELDS, plus up to three milestones.

    Never saved as a model form: the view hands `content()` and `milestones()` to the services.
    """

    weight = forms.IntegerField(label=_("Trọng số"), min_value=1, max_value=100, required=False)

    class Meta:
        model = CommitmentTerms
        fields = CONTENT_FIELDS
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 3}),
            "measures": forms.Textarea(attrs={"rows": 3}),
            "deadline": DateInput(),
            "baseline_value": NumberInput(attrs={"step": "any"}),
            "target_value": NumberInput(attrs={"step": "any"}),
        }

    def __init__(
        self,
        *args: Any,
        weight_total: int,
        milestones: Iterable[Milestone] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        tasks = CommitmentCategory.task_values()
        task_labels = ", ".join(str(category.label) for category in CommitmentCategory if category in tasks)
        self.fields["weight"].help_text = _(
            "Từ 1 đến 100. Các nội dung nhiệm vụ (%(tasks)s) cộng lại phải đủ %(expected)s; "
            "hiện đang cộng được %(total)s."
        ) % {"tasks": task_labels, "expected": TASK_WEIGHT_TOTAL, "total": weight_total}
        existing = list(milestones)
        slots = []
        for number in range(1, MILESTONE_SLOTS + 1):
            date_name, text_name = f"milestone_{number}_date", f"milestone_{number}_description"
            self.fields[date_name] = forms.DateField(
                label=_("Mốc %(number)s: ngày") % {"number": number}, required=False, widget=DateInput()
            )
            self.fields[text_name] = forms.CharField(
                label=_("Mốc %(number)s: kết quả cần đạt") % {"number": number}, max_length=255, required=False
            )
            if number <= len(existing) and not self.is_bound:
                self.initial[date_name] = existing[number - 1].due_date
                self.initial[text_name] = existing[number - 1].description
            slots.append(_side_by_side(date_name, text_name, first_width=4))
        self.helper = _helper(
            "category",
            "statement",
            "is_deliverable",
            _side_by_side("indicator", "unit", first_width=8),
            _side_by_side("baseline_value", "target_value"),
            "measures",
            _side_by_side("deadline", "weight"),
            "evidence_kind",
            "within_own_authority",
            Fieldset(_("Mốc thực hiện (không bắt buộc)"), *slots),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for number in range(1, MILESTONE_SLOTS + 1):
            date_name, text_name = f"milestone_{number}_date", f"milestone_{number}_description"
            due_date, description = cleaned.get(date_name), (cleaned.get(text_name) or "").strip()
            if due_date and not description:
                self.add_error(text_name, _("Hãy ghi kết quả cần đạt ở mốc này."))
            elif description and not due_date and date_name not in self.errors:
                self.add_error(date_name, _("Hãy chọn ngày của mốc này."))
        return cleaned

    def content(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in CONTENT_FIELDS}

    def submit(self, service: Callable[..., CommitmentTerms], **arguments: Any) -> CommitmentTerms | None:
        """Hand the commitment to `service` (commitment_add with a version, commitment_update with the terms)."""
        return call_service(self, service, content=self.content(), milestones=self.milestones(), **arguments)

    def milestones(self) -> Milestones:
        pairs: list[tuple[datetime.date, str]] = []
        for number in range(1, MILESTONE_SLOTS + 1):
            due_date = self.cleaned_data.get(f"milestone_{number}_date")
            description = (self.cleaned_data.get(f"milestone_{number}_description") or "").strip()
            if due_date and description:
                pairs.append((due_date, description))
        return pairs


class AmendmentForm(PortalForm):
    reason = forms.CharField(
        label=_("Lý do điều chỉnh"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Vì sao cần thay đổi chương trình đã được xác nhận: nhiệm vụ mới, điều kiện thay đổi…"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()
