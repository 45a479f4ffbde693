"""The deciding committee's forms: decide, return to the cell, the head's confirmation on grounds, appeals
and re-classification.

The forms validate and lay out; the services decide. A service's ValidationError comes back on the form
(at the field it names, else above the form), so nothing is half-saved. A PermissionDenied is left to the
view, which shows it as a refusal page.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.models import Evidence
from programmes.web import PortalForm, add_service_error
from reviews import services
from reviews.consistency import ConsistencyFlag, acknowledgement_field
from reviews.models import (
    Appeal,
    AppealState,
    CellProposal,
    CommitmentAssessment,
    Decision,
    LevelChange,
    RatingLevel,
    Review,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

REASON_ROWS = 4


def _helper() -> FormHelper:
    """The templates write the <form> element themselves (with its CSRF token and, where used, htmx)."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


def _text(
    label: "str | StrPromise",
    *,
    required: bool = True,
    message: "StrPromise | None" = None,
    help_text: "str | StrPromise" = "",
) -> forms.CharField:
    field = forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": REASON_ROWS}), help_text=help_text
    )
    if message is not None:
        field.error_messages["required"] = message
    return field


def _points_field(label: "StrPromise", maximum: int, proposed: int | None) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=maximum,
        required=False,
        initial=proposed,
        help_text=_("Từ 0 đến %(max)s; chi bộ đề xuất %(points)s.")
        % {"max": maximum, "points": "—" if proposed is None else proposed},
    )


@dataclass(frozen=True)
class FlagRow:
    """A cell verdict that claims more than the recorded progress, with the field for the committee's reason."""

    flag: ConsistencyFlag
    field: forms.BoundField


class DecisionForm(PortalForm):
    """The committee's level (the cell's preselected), its points when the rule set scores, the reason for a
    level other than the cell's, the justification for breaking the quota of Excellent ratings, and a reason
    for each cell verdict that contradicts the recorded progress (required where nobody explained it yet)."""

    level = forms.ChoiceField(label=_("Mức xếp loại"), choices=RatingLevel.choices, widget=forms.RadioSelect)
    reason = _text(_("Lý do xếp loại khác đề xuất của chi bộ"), required=False)
    quota_override = _text(
        _("Giải trình vượt tỷ lệ xuất sắc"),
        required=False,
        help_text=_("Bắt buộc vì mức này làm vượt tỷ lệ đảng viên xuất sắc cho phép; ghi rõ căn cứ."),
    )

    def __init__(
        self,
        *args: Any,
        review: Review,
        proposal: CellProposal,
        flags: Sequence[ConsistencyFlag] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.review = review
        self.proposal = proposal
        self.flags = list(flags)
        for flag in self.flags:
            self.fields[acknowledgement_field(flag.assessment.pk)] = _text(
                _("Lý do cấp ủy giữ kết luận của chi bộ (nội dung %(number)s)") % {"number": flag.assessment.number},
                required=False,
                help_text=_("Không bắt buộc: chi bộ đã giải trình.")
                if flag.acknowledged
                else _("Bắt buộc: chưa ai giải trình điểm này; ghi căn cứ cấp ủy đã xem."),
            )
        rule_set = review.period.rule_set
        self.fields["level"].initial = proposal.level
        self.fields["reason"].help_text = _("Bắt buộc khi mức quyết định khác mức chi bộ đề xuất (“%(level)s”).") % {
            "level": proposal.get_level_display()
        }
        if rule_set.uses_points:
            self.fields["general_points"] = _points_field(
                _("Điểm tiêu chí chung"), rule_set.general_points_max, proposal.general_points
            )
            self.fields["task_points"] = _points_field(
                _("Điểm kết quả thực hiện nhiệm vụ"), rule_set.task_points_max, proposal.task_points
            )
        self.helper = _helper()

    @property
    def uses_points(self) -> bool:
        return "general_points" in self.fields

    @property
    def flag_rows(self) -> list[FlagRow]:
        return [FlagRow(flag, self[acknowledgement_field(flag.assessment.pk)]) for flag in self.flags]

    def chosen_level(self) -> str:
        """The level the page is about: the one sent if it is a level, else the cell's."""
        value = self.data.get("level") if self.is_bound else self.initial.get("level")
        return value if value in RatingLevel.values else self.proposal.level

    def submit(self, *, acting_user: User) -> Decision | None:
        data = self.cleaned_data
        try:
            return services.decision_make(
                review=self.review,
                level=data["level"],
                general_points=data.get("general_points"),
                task_points=data.get("task_points"),
                reason=data["reason"],
                quota_override=data["quota_override"],
                acknowledgements={
                    flag.assessment.pk: data[acknowledgement_field(flag.assessment.pk)] for flag in self.flags
                },
                acting_user=acting_user,
            )
        except ValidationError as error:
            add_service_error(self, error)
            return None


class DecisionReturnForm(PortalForm):
    reason = _text(
        _("Lý do trả lại chi bộ"),
        message=_("Hãy ghi lý do trả lại chi bộ."),
        help_text=_("Chi bộ nhận được lý do này và ghi lại đề xuất mới."),
    )

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.review = review
        self.helper = _helper()

    def submit(self, *, acting_user: User) -> Review | None:
        try:
            return services.decision_return(
                review=self.review, reason=self.cleaned_data["reason"], acting_user=acting_user
            )
        except ValidationError as error:
            add_service_error(self, error)
            return None


class AssessmentChoiceField(forms.ModelMultipleChoiceField[CommitmentAssessment]):
    def label_from_instance(self, obj: CommitmentAssessment) -> str:
        verdict = obj.get_cell_verdict_display() or _("chi bộ chưa kết luận")
        return f"{obj.position}. {obj.statement} — {verdict}"


class EvidenceChoiceField(forms.ModelMultipleChoiceField[Evidence]):
    def label_from_instance(self, obj: Evidence) -> str:
        name = obj.description or obj.original_name or obj.link
        # The day it came tells two files of the same name apart, in words the confirmer reads.
        uploaded = timezone.localtime(obj.uploaded_at).strftime("%d/%m/%Y")
        return str(_("%(name)s (tải lên ngày %(date)s)") % {"name": name, "date": uploaded})


class DecisionConfirmForm(PortalForm):
    """The head's grounds: a text, plus the commitments' verdicts and the evidence it rests on."""

    grounds = _text(
        _("Căn cứ xác nhận"),
        message=_("Hãy ghi căn cứ xác nhận."),
        help_text=_("Nêu cụ thể kết quả thực hiện các nội dung cam kết và minh chứng đã xem."),
    )
    assessments = AssessmentChoiceField(
        label=_("Nội dung cam kết làm căn cứ"),
        queryset=CommitmentAssessment.objects.none(),
        required=False,
        help_text=_("Chọn ít nhất một nội dung cam kết hoặc minh chứng làm căn cứ."),
        widget=forms.CheckboxSelectMultiple,
    )
    evidence = EvidenceChoiceField(
        label=_("Minh chứng làm căn cứ"),
        queryset=Evidence.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        decision: Decision,
        assessments: QuerySet[CommitmentAssessment],
        evidence: QuerySet[Evidence],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.decision = decision
        assessment_field = cast(AssessmentChoiceField, self.fields["assessments"])
        evidence_field = cast(EvidenceChoiceField, self.fields["evidence"])
        assessment_field.queryset = assessments
        evidence_field.queryset = evidence
        self.helper = _helper()

    def submit(self, *, acting_user: User) -> Decision | None:
        """Confirm, or put the service's objection on the form; a PermissionDenied goes up to the view."""
        data = self.cleaned_data
        try:
            return services.decision_confirm(
                decision=self.decision,
                grounds=data["grounds"],
                assessment_ids=[assessment.pk for assessment in data["assessments"]],
                evidence_ids=[item.pk for item in data["evidence"]],
                acting_user=acting_user,
            )
        except ValidationError as error:
            add_service_error(self, error)
            return None


class AppealForm(PortalForm):
    text = _text(
        _("Nội dung kiến nghị"),
        message=_("Hãy ghi nội dung kiến nghị."),
        help_text=_("Nêu rõ đồng chí chưa đồng ý với điều gì và căn cứ đề nghị xem xét lại."),
    )

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.review = review
        self.helper = _helper()

    def submit(self, *, acting_user: User) -> Appeal | None:
        try:
            return services.appeal_file(review=self.review, text=self.cleaned_data["text"], acting_user=acting_user)
        except ValidationError as error:
            add_service_error(self, error)
            return None


def _level_choices(exclude: str) -> Sequence[tuple[str, "str | StrPromise"]]:
    """Every level but the one in force, which a change could not keep."""
    return [("", _("— Chọn mức —")), *((value, label) for value, label in RatingLevel.choices if value != exclude)]


class AppealResolveForm(PortalForm):
    outcome = forms.ChoiceField(
        label=_("Kết quả giải quyết"),
        choices=[(state.value, state.label) for state in (AppealState.UPHELD, AppealState.RECLASSIFIED)],
        widget=forms.RadioSelect,
    )
    new_level = forms.ChoiceField(
        label=_("Mức xếp loại mới"),
        required=False,
        help_text=_("Chỉ khi xếp loại lại; phải khác mức hiện tại."),
    )
    resolution = _text(
        _("Nội dung giải quyết"),
        message=_("Hãy ghi kết quả giải quyết."),
        help_text=_("Người kiến nghị nhận được nội dung này."),
    )

    def __init__(self, *args: Any, appeal: Appeal, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.appeal = appeal
        new_level = cast(forms.ChoiceField, self.fields["new_level"])
        new_level.choices = _level_choices(review.final_level)
        self.helper = _helper()

    def submit(self, *, acting_user: User) -> Appeal | None:
        data = self.cleaned_data
        try:
            return services.appeal_resolve(
                appeal=self.appeal,
                upheld=data["outcome"] == AppealState.UPHELD,
                resolution=data["resolution"],
                new_level=data["new_level"],
                acting_user=acting_user,
            )
        except ValidationError as error:
            add_service_error(self, error)
            return None


class ReclassifyForm(PortalForm):
    level = forms.ChoiceField(
        label=_("Mức xếp loại mới"), error_messages={"required": _("Hãy chọn mức xếp loại mới khác mức hiện tại.")}
    )
    reason = _text(
        _("Lý do xếp loại lại"),
        message=_("Hãy ghi lý do xếp loại lại."),
        help_text=_("Căn cứ của cấp ủy cấp trên; được lưu cùng lần thay đổi kết quả."),
    )

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.review = review
        level = cast(forms.ChoiceField, self.fields["level"])
        level.choices = _level_choices(review.final_level)
        self.helper = _helper()

    def submit(self, *, acting_user: User) -> LevelChange | None:
        try:
            return services.review_reclassify(
                review=self.review,
                level=self.cleaned_data["level"],
                reason=self.cleaned_data["reason"],
                acting_user=acting_user,
            )
        except ValidationError as error:
            add_service_error(self, error)
            return None
