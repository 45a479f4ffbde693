"""The form that opens a review period. It validates and lays out; services.period_open persists."""

import datetime
from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programmes import access
from programmes.access import Action, AnyUser
from programmes.action_programmes.forms import DateInput
from programmes.models import PartyOrganisation
from programmes.models.organisations import CELL_KINDS
from programmes.web import PortalForm
from reviews.models import PeriodKind, RuleSet

DEFAULT_APPEAL_DAYS = 15
DEFAULT_RESIDENCE_COMMENT_DAYS = 10


class ScopeChoiceField(forms.ModelChoiceField[PartyOrganisation]):
    def label_from_instance(self, obj: PartyOrganisation) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


class RuleSetChoiceField(forms.ModelChoiceField[RuleSet]):
    def label_from_instance(self, obj: RuleSet) -> str:
        return f"{obj.code}: {obj.name} ({obj.regulation})"


def rule_set_in_force(day: datetime.date) -> RuleSet | None:
    """The rule set valid on `day`, the newest one if several overlap."""
    return (
        RuleSet.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)
        .order_by("-valid_from")
        .first()
    )


def default_initial(today: datetime.date) -> dict[str, Any]:
    """An annual period for this year on the default calendar (DOMAIN 1.2): self-review by 15/12,
    cell meetings by 20/12, decisions by 31/12."""
    year = today.year
    return {
        "title": _("Kiểm điểm, đánh giá, xếp loại chất lượng năm %(year)s") % {"year": year},
        "kind": PeriodKind.ANNUAL,
        "rule_set": rule_set_in_force(today),
        "covers_from": datetime.date(year, 1, 1),
        "covers_to": datetime.date(year, 12, 31),
        "self_review_until": datetime.date(year, 12, 15),
        "cell_meetings_until": datetime.date(year, 12, 20),
        "decisions_until": datetime.date(year, 12, 31),
        "appeal_days": DEFAULT_APPEAL_DAYS,
        "residence_comment_days": DEFAULT_RESIDENCE_COMMENT_DAYS,
    }


class PeriodForm(PortalForm):
    title = forms.CharField(label=_("Tên đợt kiểm điểm"), max_length=255)
    kind = forms.ChoiceField(label=_("Loại đợt"), choices=PeriodKind.choices)
    rule_set = RuleSetChoiceField(
        label=_("Quy định áp dụng"),
        queryset=RuleSet.objects.order_by("-valid_from"),
        empty_label=None,
        help_text=_("Đợt kiểm điểm giữ quy định này đến khi kết thúc."),
    )
    scope = ScopeChoiceField(
        label=_("Phạm vi"),
        queryset=PartyOrganisation.objects.none(),
        help_text=_(
            "Tổ chức đảng mà đợt kiểm điểm áp dụng cho mọi đảng viên trong đó, gồm các tổ chức trực thuộc. "
            "Chỉ có các tổ chức mà đồng chí được mở đợt kiểm điểm."
        ),
    )
    covers_from = forms.DateField(label=_("Kiểm điểm kết quả từ ngày"), widget=DateInput())
    covers_to = forms.DateField(label=_("Đến ngày"), widget=DateInput())
    self_review_until = forms.DateField(label=_("Hạn nộp bản kiểm điểm"), widget=DateInput())
    cell_meetings_until = forms.DateField(label=_("Hạn họp chi bộ"), widget=DateInput())
    decisions_until = forms.DateField(label=_("Hạn quyết định xếp loại"), widget=DateInput())
    appeal_days = forms.IntegerField(
        label=_("Số ngày được kiến nghị sau khi có kết quả"), min_value=1, max_value=90, initial=DEFAULT_APPEAL_DAYS
    )
    residence_comment_days = forms.IntegerField(
        label=_("Số ngày nhận xét nơi cư trú gửi trước cuộc họp chi bộ"),
        min_value=0,
        max_value=60,
        required=False,
        initial=DEFAULT_RESIDENCE_COMMENT_DAYS,
        help_text=_(
            "Đợt kiểm điểm hằng năm đề nghị chi bộ nơi cư trú nhận xét đảng viên đang công tác (Quy định 213-QĐ/TW)."
        ),
    )
    includes_collectives = forms.BooleanField(
        label=_("Xếp loại cả tổ chức đảng (tập thể)"),
        required=False,
        help_text=_(
            "Cấp ủy cấp trên trực tiếp xếp loại chất lượng các tổ chức đảng trực thuộc (Hướng dẫn 43-HD/BTCTW); "
            "người đứng đầu chỉ được xếp xuất sắc khi đơn vị mình lãnh đạo đạt yêu cầu."
        ),
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope_field = cast(ScopeChoiceField, self.fields["scope"])
        # Cells are reviewed inside a period opened above them; a period is opened for a committee's subtree.
        scope_field.queryset = (
            access.organisations_where(user, Action.OPEN_REVIEW_PERIOD).exclude(kind__in=CELL_KINDS).order_by("path")
        )
        scope_field.error_messages["invalid_choice"] = _(
            "Hãy chọn một tổ chức trong danh sách: đồng chí không được mở đợt kiểm điểm ở tổ chức này."
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "title",
            Row(Column("kind", css_class="col-md-6"), Column("rule_set", css_class="col-md-6")),
            "scope",
            Fieldset(
                _("Thời gian được kiểm điểm"),
                Row(Column("covers_from", css_class="col-sm-6"), Column("covers_to", css_class="col-sm-6")),
            ),
            Fieldset(
                _("Các mốc"),
                Row(
                    Column("self_review_until", css_class="col-md-4"),
                    Column("cell_meetings_until", css_class="col-md-4"),
                    Column("decisions_until", css_class="col-md-4"),
                ),
                Row(
                    Column("appeal_days", css_class="col-md-6"),
                    Column("residence_comment_days", css_class="col-md-6"),
                ),
            ),
            "includes_collectives",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("covers_from"), cleaned.get("covers_to")
        if start and end and end < start:
            self.add_error("covers_to", _("Ngày kết thúc phải sau ngày bắt đầu."))
        own, cell, decision = (
            cleaned.get("self_review_until"),
            cleaned.get("cell_meetings_until"),
            cleaned.get("decisions_until"),
        )
        if own and cell and cell < own:
            self.add_error("cell_meetings_until", _("Hạn họp chi bộ phải sau hạn nộp bản kiểm điểm."))
        if cell and decision and decision < cell:
            self.add_error("decisions_until", _("Hạn quyết định xếp loại phải sau hạn họp chi bộ."))
        return cleaned


class PeriodCloseForm(PortalForm):
    """The explicit confirmation that ends a period; services.period_close decides whether it may end."""

    confirm = forms.BooleanField(
        label=_("Tôi xác nhận kết thúc đợt kiểm điểm này."),
        help_text=_("Sau khi kết thúc, đợt không mở lại được."),
        error_messages={"required": _("Hãy đánh dấu xác nhận để kết thúc đợt kiểm điểm.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
