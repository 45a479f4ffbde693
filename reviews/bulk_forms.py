"""The forms of a cell's tables: one small form per member's row (its fields prefixed with the review's id) and one
for what the whole table shares (the meeting and the votes, the quota's justification, the common grounds).

The rows ask what the single-member forms ask; the services decide. A row left without a level (or, for the head,
unticked) is not part of the submission. A refusal of the table service comes back onto the row it names.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from programmes.web import PortalForm, add_service_error
from reviews import services
from reviews.cell_forms import AssessmentRow, MeetingChoiceField, assessment_rows, proposal_initial
from reviews.consistency import ConsistencyFlag, acknowledgement_field
from reviews.decision_forms import FlagRow
from reviews.models import CellMeeting, CellProposal, CommitmentAssessment, Decision, RatingLevel, Review, Verdict

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

SMALL_INPUT = "form-control form-control-sm"
SMALL_SELECT = "form-select form-select-sm"


def row_prefix(review: Review) -> str:
    return f"r{review.pk}"


def _number(label: "StrPromise | str", maximum: int | None = None) -> forms.IntegerField:
    field = forms.IntegerField(label=label, min_value=0, max_value=maximum, required=False)
    field.widget.attrs.update({"class": SMALL_INPUT, "inputmode": "numeric", "size": 3})
    return field


def _text(label: "StrPromise | str", rows: int = 2) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, widget=forms.Textarea(attrs={"rows": rows, "class": SMALL_INPUT, "cols": 24})
    )


def _level_field(label: "StrPromise | str", empty: "StrPromise") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=[("", empty), *RatingLevel.choices],
        required=False,
        widget=forms.Select(attrs={"class": SMALL_SELECT}),
    )


def _count_for_quota(field: forms.Field, review: Review, kept: str) -> None:
    """Let static/js/cell_table.js count the level in its deciding organisation's quota, and what a blank keeps."""
    field.widget.attrs.update({"data-quota-group": review.deciding_organisation_id, "data-fallback": kept})


def _named(label: "StrPromise | str", review: Review) -> str:
    """A field's label with the member's name, for those who hear the table cell by cell."""
    return f"{label}: {review.cadre.full_name}"


class RowForm(PortalForm):
    """One member's row. `refused` puts a refusal of the table service onto it (at its field, else above it)."""

    review: Review

    def refused(self, refusal: ValidationError | Exception) -> None:
        if isinstance(refusal, ValidationError):
            add_service_error(self, refusal)
        else:
            self.add_error(None, str(refusal))

    def mark_errors(self) -> None:
        """Style and describe the refused fields, for the page that shows the row again."""
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}_error"

    @property
    def row_errors(self) -> list[str]:
        """Every message of the row, for the summary above the table."""
        return [str(message) for errors in self.errors.values() for message in errors]


# --- The cell's proposals -----------------------------------------------------------------------------------


class ProposalSetForm(PortalForm):
    """The meeting the table's proposals are recorded at, and the votes of every row that gives none of its own."""

    meeting = MeetingChoiceField(
        label=_("Cuộc họp chi bộ"),
        queryset=CellMeeting.objects.none(),
        empty_label=None,
        help_text=_("Chỉ cuộc họp có hơn một nửa số đảng viên dự mới được dùng để đề xuất xếp loại."),
    )
    votes_for = _number(_("Số tán thành"))
    votes_against = _number(_("Số không tán thành"))
    votes_abstain = _number(_("Số không biểu quyết"))

    def __init__(self, *args: Any, meetings: Sequence[CellMeeting], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        meeting = cast(MeetingChoiceField, self.fields["meeting"])
        meeting.queryset = CellMeeting.objects.filter(pk__in=[item.pk for item in meetings]).order_by("-held_on")
        # The choices are the meetings already read: no second query to list them.
        meeting.choices = [(item.pk, meeting.label_from_instance(item)) for item in meetings]
        if meetings:
            meeting.initial = meetings[0].pk
        meeting.widget.attrs["class"] = "form-select"


class ProposalRowForm(RowForm):
    """What the single proposal form asks of one member: the level, points, votes, the cell's opinion, and its
    verdict on each commitment (with the reason for one it keeps against the recorded progress)."""

    def __init__(
        self,
        *args: Any,
        review: Review,
        assessments: Sequence[CommitmentAssessment],
        previous: CellProposal | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **{**kwargs, "prefix": row_prefix(review)})
        self.review = review
        self.assessments = list(assessments)
        rule_set = review.period.rule_set
        self.fields["level"] = _level_field(_named(_("Mức đề xuất"), review), _("— Chưa ghi —"))
        _count_for_quota(self.fields["level"], review, previous.level if previous is not None else "")
        if rule_set.uses_points:
            self.fields["general_points"] = _number(
                _named(_("Điểm tiêu chí chung"), review), rule_set.general_points_max
            )
            self.fields["task_points"] = _number(
                _named(_("Điểm kết quả thực hiện nhiệm vụ"), review), rule_set.task_points_max
            )
        self.fields["votes_for"] = _number(_named(_("Số tán thành"), review))
        self.fields["votes_against"] = _number(_named(_("Số không tán thành"), review))
        self.fields["votes_abstain"] = _number(_named(_("Số không biểu quyết"), review))
        self.fields["comments"] = _text(_named(_("Ý kiến của chi bộ"), review))
        verdicts = [("", _("— Chọn kết luận —")), *Verdict.choices]
        for assessment in self.assessments:
            number = {"number": assessment.number}
            self.fields[f"verdict_{assessment.pk}"] = forms.ChoiceField(
                label=_named(_("Chi bộ kết luận nội dung %(number)s") % number, review),
                choices=verdicts,
                required=False,
                widget=forms.Select(attrs={"class": SMALL_SELECT}),
            )
            self.fields[f"cause_{assessment.pk}"] = forms.CharField(
                label=_named(_("Nguyên nhân, nhận xét về nội dung %(number)s") % number, review),
                required=False,
                widget=forms.TextInput(attrs={"class": SMALL_INPUT}),
            )
            self.fields[acknowledgement_field(assessment.pk)] = _text(
                _named(_("Lý do chi bộ giữ kết luận nội dung %(number)s") % number, review)
            )
        # The table's meeting is one for the whole cell, chosen above the rows.
        initial = proposal_initial(self.review, previous, self.assessments)
        self.initial.update({name: value for name, value in initial.items() if name != "meeting"})

    def shown(self, name: str) -> Any:
        """A field's value as the page shows it: as sent, else as pre-filled."""
        return self[name].value()

    def shown_verdicts(self) -> dict[int, str]:
        return {assessment.pk: self.shown(f"verdict_{assessment.pk}") or "" for assessment in self.assessments}

    def assessment_rows(self, flags: Sequence[ConsistencyFlag]) -> list[AssessmentRow]:
        return assessment_rows(self, self.assessments, flags)

    def chosen_level(self) -> str:
        level = self.shown("level")
        return level if level in RatingLevel.values else ""

    def proposal_row(self, defaults: dict[str, int | None]) -> services.ProposalRow | None:
        """The row as the table service takes it, or None when the row is left out (no level). A vote the row
        leaves blank is the table's common one; none at all is an error on the row."""
        data = self.cleaned_data
        if not data.get("level"):
            return None
        votes: dict[str, int] = {}
        for name in ("votes_for", "votes_against", "votes_abstain"):
            value = data.get(name)
            if value is None:
                value = defaults.get(name)
            if value is None and name == "votes_abstain":
                value = 0
            if value is None:
                self.add_error(name, gettext("Hãy ghi số phiếu ở dòng này hoặc ở phần biểu quyết chung."))
                continue
            votes[name] = value
        if self.errors:
            return None
        return services.ProposalRow(
            review=self.review,
            level=data["level"],
            general_points=data.get("general_points"),
            task_points=data.get("task_points"),
            comments=data["comments"],
            verdicts={
                assessment.pk: (data[f"verdict_{assessment.pk}"], data[f"cause_{assessment.pk}"])
                for assessment in self.assessments
            },
            acknowledgements={
                assessment.pk: data[acknowledgement_field(assessment.pk)] for assessment in self.assessments
            },
            **votes,
        )


# --- The committee's decisions ------------------------------------------------------------------------------


class DecisionSetForm(PortalForm):
    quota_override = forms.CharField(
        label=_("Giải trình vượt tỷ lệ xuất sắc"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Chỉ bắt buộc khi bảng làm vượt tỷ lệ đảng viên hoàn thành xuất sắc nhiệm vụ; được ghi vào từng quyết "
            "định xuất sắc vượt tỷ lệ."
        ),
    )


class DecisionRowForm(RowForm):
    """The committee's level for one member (the cell's preselected), the reason for another level, and the reason
    for each cell verdict that contradicts the recorded progress."""

    def __init__(self, *args: Any, review: Review, flags: Sequence[ConsistencyFlag], **kwargs: Any) -> None:
        super().__init__(*args, **{**kwargs, "prefix": row_prefix(review)})
        self.review = review
        self.flags = list(flags)
        self.fields["level"] = _level_field(_named(_("Mức quyết định"), review), _("— Chưa quyết định —"))
        self.fields["level"].initial = review.proposal.level
        _count_for_quota(self.fields["level"], review, review.proposal.level)
        self.fields["reason"] = _text(_named(_("Lý do xếp loại khác đề xuất"), review))
        for flag in self.flags:
            self.fields[acknowledgement_field(flag.assessment.pk)] = _text(
                _named(
                    _("Lý do cấp ủy giữ kết luận của chi bộ (nội dung %(number)s)")
                    % {"number": flag.assessment.number},
                    review,
                )
            )

    def chosen_level(self) -> str:
        level = self["level"].value()
        return level if level in RatingLevel.values else ""

    @property
    def flag_fields(self) -> list[FlagRow]:
        return [FlagRow(flag, self[acknowledgement_field(flag.assessment.pk)]) for flag in self.flags]

    def decision_row(self) -> services.DecisionRow | None:
        data = self.cleaned_data
        if not data.get("level"):
            return None
        return services.DecisionRow(
            review=self.review,
            level=data["level"],
            reason=data["reason"],
            acknowledgements={
                flag.assessment.pk: data[acknowledgement_field(flag.assessment.pk)] for flag in self.flags
            },
        )


# --- The head's confirmations -------------------------------------------------------------------------------


class ConfirmationSetForm(PortalForm):
    grounds = forms.CharField(
        label=_("Căn cứ chung"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Ghi cho mọi quyết định được chọn; căn cứ riêng của từng đồng chí (nếu có) được ghi nối theo. Mỗi quyết "
            "định cần ít nhất một nội dung cam kết làm căn cứ cụ thể."
        ),
    )


class ConfirmationRowForm(RowForm):
    """Whether the head confirms this decision now, with the grounds particular to it and the commitments cited."""

    def __init__(
        self,
        *args: Any,
        review: Review,
        decision: Decision,
        assessments: Sequence[CommitmentAssessment],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **{**kwargs, "prefix": row_prefix(review)})
        self.review = review
        self.decision = decision
        self.fields["confirm"] = forms.BooleanField(
            label=_named(_("Xác nhận"), review),
            required=False,
            widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        )
        self.fields["grounds"] = _text(_named(_("Căn cứ riêng"), review))
        self.fields["assessments"] = forms.TypedMultipleChoiceField(
            label=_named(_("Nội dung cam kết làm căn cứ"), review),
            coerce=int,
            required=False,
            choices=[
                (
                    assessment.pk,
                    f"{assessment.number}. {assessment.statement} — "
                    f"{assessment.get_cell_verdict_display() or gettext('chi bộ chưa kết luận')}",
                )
                for assessment in assessments
            ],
            widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        )

    def confirmation_row(self, common: str) -> services.ConfirmationRow | None:
        data = self.cleaned_data
        if not data.get("confirm"):
            return None
        grounds = "\n".join(text.strip() for text in (common, data["grounds"]) if text.strip())
        return services.ConfirmationRow(decision=self.decision, grounds=grounds, assessment_ids=data["assessments"])
