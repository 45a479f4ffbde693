"""The form of one row of the table of party organisations' ratings (reviews.collective_views): the level, the task
figures, whether any unit or leader was disciplined, the group of similar function and the justification of an
Excellent rating beyond the quota. A row left without a level is not part of the submission; the service decides."""

from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from programmes.models import PartyOrganisation
from programmes.web import PortalForm
from reviews import services
from reviews.bulk_forms import SMALL_INPUT, SMALL_SELECT, RowForm
from reviews.models import OrganisationRating, RatingLevel
from reviews.services.collective import default_function_group

FIGURES = ("tasks_total", "tasks_completed", "tasks_exceeding")


def _number(label: str) -> forms.IntegerField:
    field = forms.IntegerField(label=label, min_value=0, max_value=999, required=False)
    field.widget.attrs.update({"class": SMALL_INPUT, "inputmode": "numeric", "size": 3})
    return field


class OrganisationRowForm(RowForm):
    """One organisation's rating, its fields prefixed with the organisation's id; filled with its stored rating."""

    def __init__(
        self, *args: Any, organisation: PartyOrganisation, rating: OrganisationRating | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **{**kwargs, "prefix": f"o{organisation.pk}"})
        self.organisation = organisation
        name = organisation.name

        def named(label: str) -> str:
            return f"{label}: {name}"

        self.fields["level"] = forms.ChoiceField(
            label=named(gettext("Mức xếp loại")),
            choices=[("", _("— Chưa xếp loại —")), *RatingLevel.choices],
            required=False,
            widget=forms.Select(attrs={"class": SMALL_SELECT}),
        )
        self.fields["tasks_total"] = _number(named(gettext("Số nhiệm vụ được giao")))
        self.fields["tasks_completed"] = _number(named(gettext("Số nhiệm vụ hoàn thành")))
        self.fields["tasks_exceeding"] = _number(named(gettext("Số nhiệm vụ vượt yêu cầu")))
        self.fields["discipline_free"] = forms.BooleanField(
            label=named(gettext("Không có tổ chức trực thuộc, thành viên lãnh đạo bị kỷ luật")), required=False
        )
        self.fields["function_group"] = forms.CharField(
            label=named(gettext("Nhóm chức năng, nhiệm vụ tương đồng")),
            max_length=255,
            required=False,
            widget=forms.TextInput(attrs={"class": SMALL_INPUT}),
        )
        self.fields["quota_justification"] = forms.CharField(
            label=named(gettext("Giải trình vượt tỷ lệ xuất sắc")),
            required=False,
            widget=forms.Textarea(attrs={"rows": 2, "class": SMALL_INPUT, "cols": 24}),
        )
        self.fields["function_group"].initial = default_function_group(organisation)
        if rating is not None:
            for field in (*FIGURES, "level", "discipline_free", "function_group", "quota_justification"):
                self.fields[field].initial = getattr(rating, field)

    def chosen_level(self) -> str:
        level = self["level"].value()
        return level if level in RatingLevel.values else ""

    def chosen_group(self) -> str:
        return str(self["function_group"].value() or "").strip() or default_function_group(self.organisation)

    def chosen_justified(self) -> bool:
        return bool(str(self["quota_justification"].value() or "").strip())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("level"):
            for name in FIGURES:
                if name in cleaned and cleaned[name] is None:
                    self.add_error(name, gettext("Hãy ghi số nhiệm vụ (ghi 0 nếu không có)."))
        return cleaned

    def organisation_row(self) -> services.OrganisationRow | None:
        data = self.cleaned_data
        if not data.get("level"):
            return None
        return services.OrganisationRow(
            organisation=self.organisation,
            level=data["level"],
            tasks_total=data["tasks_total"],
            tasks_completed=data["tasks_completed"],
            tasks_exceeding=data["tasks_exceeding"],
            discipline_free=data["discipline_free"],
            function_group=data["function_group"],
            quota_justification=data["quota_justification"],
        )


def _section(label: Any, help_text: Any = "", required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label, help_text=help_text, required=required, widget=forms.Textarea(attrs={"rows": 5})
    )


class CollectiveReportForm(PortalForm):
    """The sections of Mẫu 01, as the collective's report sets them out."""

    tasks = _section(_("I. Nhiệm vụ được giao trong kỳ"), _("Mỗi nhiệm vụ một dòng."))
    results = _section(
        _("II. Kết quả thực hiện nhiệm vụ"),
        _("Kết quả từng nhiệm vụ: hoàn thành, vượt yêu cầu hay chưa hoàn thành, có số liệu cụ thể."),
    )
    shortcomings = _section(_("III. Hạn chế, khuyết điểm và nguyên nhân"))
    remedies = _section(
        _("IV. Kết quả khắc phục hạn chế, khuyết điểm đã được cấp có thẩm quyền kết luận hoặc chỉ ra"), required=False
    )
    direction = _section(_("V. Phương hướng, biện pháp khắc phục hạn chế, khuyết điểm"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
