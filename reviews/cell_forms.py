"""The cell's forms: recording its review meeting, and its proposal on one member's review.

Forms validate and lay out; reviews.services records. A refusal from a service becomes the error of the
field it is about, or of the whole form when it names none (the rule conflicts of a level).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from programmes.action_programmes.evidence import ALLOWED_EXTENSIONS, check_upload
from programmes.models import Cadre, PartyOrganisation
from programmes.web import PortalForm, add_service_error
from reviews import services
from reviews.consistency import ConsistencyFlag, acknowledgement_field
from reviews.models import (
    CellMeeting,
    CellProposal,
    CommitmentAssessment,
    RatingLevel,
    Review,
    ReviewPeriod,
    Verdict,
)


def quorum_needed(total: int) -> int:
    """The fewest members present for a valid meeting: more than half."""
    return total // 2 + 1


def attendance_text(present: int, total: int) -> str:
    """“4/5 đảng viên dự — đủ quá nửa”, as every page and message says it."""
    if present * 2 > total:
        return gettext("%(present)s/%(total)s đảng viên dự — đủ quá nửa") % {"present": present, "total": total}
    return gettext("%(present)s/%(total)s đảng viên dự — chưa đủ quá nửa") % {"present": present, "total": total}


PRESENT, ABSENT = "present", "absent"


@dataclass(frozen=True)
class AttendanceRow:
    """One member of the roster in the meeting form: present or absent, and the reason when absent."""

    cadre: Cadre
    mark: forms.BoundField
    reason: forms.BoundField


class MeetingForm(PortalForm):
    held_on = forms.DateField(label=_("Ngày họp"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    members_total = forms.IntegerField(
        label=_("Tổng số đảng viên của chi bộ"),
        min_value=1,
        help_text=_("Đã điền sẵn số đảng viên đang sinh hoạt; sửa lại nếu khác."),
    )
    members_present = forms.IntegerField(
        label=_("Số đảng viên dự họp"),
        min_value=0,
        required=False,
        help_text=_(
            "Cuộc họp chỉ đủ điều kiện đề xuất xếp loại khi số dự họp nhiều hơn một nửa tổng số đảng viên. "
            "Để trống nếu đã điểm danh từng đồng chí bên dưới: số dự họp được đếm theo danh sách."
        ),
    )
    chaired_by = forms.CharField(label=_("Người chủ trì"), max_length=255)
    meeting_secretary = forms.CharField(label=_("Thư ký cuộc họp"), max_length=255, required=False)
    presented_by = forms.CharField(
        label=_("Người trình bày"),
        max_length=255,
        required=False,
        help_text=_("Người trình bày báo cáo kiểm điểm, dự kiến xếp loại trước chi bộ."),
    )
    minutes = forms.CharField(
        label=_("Biên bản cuộc họp"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Viết tóm tắt biên bản, hoặc tải tệp biên bản lên ở mục dưới (hoặc cả hai)."),
    )
    dissent = forms.CharField(
        label=_("Ý kiến khác, ý kiến bảo lưu"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ghi rõ đồng chí nào có ý kiến khác hoặc bảo lưu ý kiến, về nội dung gì."),
    )
    minutes_file = forms.FileField(label=_("Tệp biên bản"), required=False)

    def __init__(
        self,
        *args: Any,
        period: ReviewPeriod,
        place: PartyOrganisation,
        user: User,
        quorum_url: str,
        roster: Sequence[Cadre] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.period = period
        self.place = place
        self.user = user
        self.roster = list(roster)
        self.fields["minutes_file"].help_text = _(
            "Nhận PDF, ảnh (PNG, JPEG, WebP) và văn bản Word, Excel, OpenDocument; tối đa %(limit)s MB."
        ) % {"limit": settings.EVIDENCE_MAX_UPLOAD_MB}
        self.fields["minutes_file"].widget.attrs["accept"] = ",".join(ALLOWED_EXTENSIONS)
        # The quorum hint follows the two numbers as they are typed; without JavaScript it shows after saving.
        for name in ("members_total", "members_present"):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": quorum_url,
                    "hx-trigger": "input changed delay:300ms",
                    "hx-target": "#quorum-hint",
                    "hx-include": "[name='members_total'],[name='members_present']",
                    # Set by hand, so Django's own link to the help text is kept alongside the hint.
                    "aria-describedby": f"id_{name}_helptext quorum-hint",
                }
            )
        for cadre in self.roster:
            self.fields[attendance_field(cadre.pk)] = forms.ChoiceField(
                label=cadre.full_name,
                choices=[(PRESENT, _("Có mặt")), (ABSENT, _("Vắng mặt"))],
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[services.absence_reason_field(cadre.pk)] = forms.CharField(
                label=_("Lý do vắng mặt của đồng chí %(name)s") % {"name": cadre.full_name},
                max_length=255,
                required=False,
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def attendance_rows(self) -> list[AttendanceRow]:
        return [
            AttendanceRow(cadre, self[attendance_field(cadre.pk)], self[services.absence_reason_field(cadre.pk)])
            for cadre in self.roster
        ]

    def attendance(self) -> list[services.Attendance]:
        """The members marked, as the service takes them; empty when nobody was (the numbers alone are kept)."""
        data = self.cleaned_data
        return [
            services.Attendance(
                cadre.pk, data[attendance_field(cadre.pk)] == PRESENT, data[services.absence_reason_field(cadre.pk)]
            )
            for cadre in self.roster
            if data.get(attendance_field(cadre.pk))
        ]

    def clean_minutes_file(self) -> UploadedFile[bytes] | None:
        upload: UploadedFile[bytes] | None = self.cleaned_data.get("minutes_file")
        if upload:
            check_upload(upload)
        return upload or None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        marks = [data.get(attendance_field(cadre.pk)) for cadre in self.roster]
        if data.get("members_present") is None and "members_present" not in self.errors:
            if any(marks):
                # Counted from the names; the service checks the list is whole.
                data["members_present"] = marks.count(PRESENT)
            else:
                self.add_error(
                    "members_present", gettext("Hãy ghi số đảng viên dự họp, hoặc điểm danh từng đồng chí bên dưới.")
                )
        total, present = data.get("members_total"), data.get("members_present")
        if total is not None and present is not None and present > total:
            self.add_error("members_present", gettext("Số dự họp không thể lớn hơn tổng số đảng viên."))
        if (
            not (data.get("minutes") or "").strip()
            and not data.get("minutes_file")
            and "minutes_file" not in self.errors
        ):
            self.add_error("minutes", gettext("Hãy viết biên bản hoặc tải tệp biên bản lên."))
        return data

    def submit(self) -> CellMeeting | None:
        data = self.cleaned_data
        try:
            return services.meeting_record(
                period=self.period,
                cell=self.place,
                held_on=data["held_on"],
                members_total=data["members_total"],
                members_present=data["members_present"],
                chaired_by=data["chaired_by"],
                meeting_secretary=data["meeting_secretary"],
                presented_by=data["presented_by"],
                minutes=data["minutes"],
                dissent=data["dissent"],
                minutes_file=data["minutes_file"],
                attendance=self.attendance(),
                acting_user=self.user,
            )
        except ValidationError as error:
            add_service_error(self, error)
            return None


def attendance_field(cadre_id: int) -> str:
    return f"attendance_{cadre_id}"


class MeetingChoiceField(forms.ModelChoiceField[CellMeeting]):
    def label_from_instance(self, obj: CellMeeting) -> str:
        return f"{obj.held_on:%d/%m/%Y} · {attendance_text(obj.members_present, obj.members_total)}"


@dataclass(frozen=True)
class AssessmentRow:
    """One commitment in the form: what it said, the member's verdict, and the cell's two fields; with the flag
    (and the field for the reason to keep the verdict) when the verdict claims more than the recorded progress."""

    assessment: CommitmentAssessment
    verdict: forms.BoundField
    cause: forms.BoundField
    acknowledge: forms.BoundField
    flag: ConsistencyFlag | None = None


def assessment_rows(
    form: forms.Form, assessments: Sequence[CommitmentAssessment], flags: Sequence[ConsistencyFlag]
) -> list[AssessmentRow]:
    """The cell's fields of each commitment of a proposal form (the single page's or a table row's)."""
    flagged = {flag.assessment.pk: flag for flag in flags}
    return [
        AssessmentRow(
            assessment,
            form[f"verdict_{assessment.pk}"],
            form[f"cause_{assessment.pk}"],
            form[acknowledgement_field(assessment.pk)],
            flagged.get(assessment.pk),
        )
        for assessment in assessments
    ]


def proposal_initial(
    review: Review, previous: CellProposal | None, assessments: Iterable[CommitmentAssessment]
) -> dict[str, Any]:
    """What a cell's proposal starts from, in the single form and in the cell's table alike: a proposal the committee
    returned starts from what the cell said, a first one from the member's own self-review."""
    if previous is not None:
        initial: dict[str, Any] = {
            "meeting": previous.meeting_id,
            "general_points": previous.general_points,
            "task_points": previous.task_points,
            "level": previous.level,
            "votes_for": previous.votes_for,
            "votes_against": previous.votes_against,
            "votes_abstain": previous.votes_abstain,
            "comments": previous.comments,
        }
    else:
        initial = {
            "general_points": review.self_general_points,
            "task_points": review.self_task_points,
            "level": review.self_level,
        }
    for assessment in assessments:
        initial[f"verdict_{assessment.pk}"] = assessment.cell_verdict or assessment.self_verdict
        initial[f"cause_{assessment.pk}"] = assessment.cell_cause or assessment.self_cause
    return initial


class ProposalForm(PortalForm):
    meeting = MeetingChoiceField(
        label=_("Cuộc họp chi bộ"),
        queryset=CellMeeting.objects.none(),
        empty_label=None,
        help_text=_("Chỉ cuộc họp có hơn một nửa số đảng viên dự mới được dùng để đề xuất xếp loại."),
    )
    general_points = forms.IntegerField(label=_("Điểm tiêu chí chung"), min_value=0)
    task_points = forms.IntegerField(label=_("Điểm kết quả thực hiện nhiệm vụ"), min_value=0)
    level = forms.ChoiceField(label=_("Mức xếp loại chi bộ đề xuất"), choices=RatingLevel.choices)
    votes_for = forms.IntegerField(label=_("Số tán thành"), min_value=0)
    votes_against = forms.IntegerField(label=_("Số không tán thành"), min_value=0)
    votes_abstain = forms.IntegerField(label=_("Số không biểu quyết"), min_value=0, initial=0)
    comments = forms.CharField(
        label=_("Ý kiến của chi bộ"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Nhận xét chung; bắt buộc nêu lý do khi đề xuất mức khác mức điểm đạt được."),
    )

    def __init__(
        self,
        *args: Any,
        review: Review,
        assessments: list[CommitmentAssessment],
        previous: CellProposal | None,
        user: User,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.review = review
        self.assessments = assessments
        self.user = user
        rule_set = review.period.rule_set
        self.meetings = CellMeeting.objects.filter(period=review.period, cell=review.place).order_by("-held_on", "-pk")
        cast(MeetingChoiceField, self.fields["meeting"]).queryset = self.meetings
        if rule_set.uses_points:
            general = cast(forms.IntegerField, self.fields["general_points"])
            task = cast(forms.IntegerField, self.fields["task_points"])
            general.max_value = rule_set.general_points_max
            task.max_value = rule_set.task_points_max
            general.widget.attrs["max"] = rule_set.general_points_max
            task.widget.attrs["max"] = rule_set.task_points_max
            general.help_text = _("Từ 0 đến %(max)s.") % {"max": rule_set.general_points_max}
            task.help_text = _("Từ 0 đến %(max)s.") % {"max": rule_set.task_points_max}
        else:
            del self.fields["general_points"], self.fields["task_points"]
        verdict_choices = [("", _("— Chọn kết luận —")), *Verdict.choices]
        for assessment in assessments:
            self.fields[f"verdict_{assessment.pk}"] = forms.ChoiceField(
                label=_("Chi bộ kết luận"),
                choices=verdict_choices,
                error_messages={"required": _("Hãy chọn kết luận của chi bộ cho nội dung này.")},
            )
            self.fields[f"cause_{assessment.pk}"] = forms.CharField(
                label=_("Nguyên nhân, nhận xét của chi bộ"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            # Shown only while the verdict claims more than the recorded progress; the service asks for it then.
            self.fields[acknowledgement_field(assessment.pk)] = forms.CharField(
                label=_("Lý do chi bộ giữ kết luận này"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Bắt buộc nếu giữ kết luận trái với tiến độ ghi nhận: căn cứ, minh chứng chi bộ đã xem."),
            )
        self.initial.update(proposal_initial(self.review, previous, self.assessments))
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    @property
    def has_meetings(self) -> bool:
        return self.meetings.exists()

    def shown_verdicts(self) -> dict[int, str]:
        """The cell's verdicts as the form now shows them: as sent, else as pre-filled."""
        source = self.data if self.is_bound else self.initial
        return {assessment.pk: source.get(f"verdict_{assessment.pk}") or "" for assessment in self.assessments}

    def assessment_rows(self, flags: Sequence[ConsistencyFlag] = ()) -> list[AssessmentRow]:
        return assessment_rows(self, self.assessments, flags)

    def submit(self) -> tuple[CellProposal, list[str]] | None:
        data = self.cleaned_data
        verdicts = {
            assessment.pk: (data[f"verdict_{assessment.pk}"], data[f"cause_{assessment.pk}"])
            for assessment in self.assessments
        }
        try:
            return services.proposal_record(
                review=self.review,
                meeting=data["meeting"],
                general_points=data.get("general_points"),
                task_points=data.get("task_points"),
                level=data["level"],
                votes_for=data["votes_for"],
                votes_against=data["votes_against"],
                votes_abstain=data["votes_abstain"],
                comments=data["comments"],
                verdicts=verdicts,
                acknowledgements={
                    assessment.pk: data[acknowledgement_field(assessment.pk)] for assessment in self.assessments
                },
                acting_user=self.user,
            )
        except ValidationError as error:
            add_service_error(self, error)
            return None
