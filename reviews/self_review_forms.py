"""The member's bản kiểm điểm, a review prompt (gợi ý kiểm điểm) and a comment (ý kiến nhận xét) with its document.

The forms validate and lay out; reviews.services persists. A service's refusal is put back on the form
with `programmes.web.add_service_error` (given SERVICE_FIELDS), at the field it names when the form has that field.
"""

from dataclasses import dataclass
from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from programmes.action_programmes.evidence import ALLOWED_EXTENSIONS, check_upload
from programmes.action_programmes.forms import DateInput
from programmes.models import Evidence
from programmes.web import PortalForm
from reviews.consistency import ConsistencyFlag
from reviews.models import CommitmentAssessment, InputSource, RatingLevel, Review, ReviewForm, RuleSet, Verdict
from reviews.presentation import SELF_REVIEW_SECTIONS, section_title
from reviews.services import Verdicts

# The service names the form of the bản kiểm điểm "form"; a form's field cannot sensibly carry that name.
SERVICE_FIELDS = {"form": "review_form"}

# What each section asks for, by form (HD 43 forms 2A/2B/2C; DOMAIN 1.5). Sections not listed have no hint.
SECTION_HELP: dict[str, dict[str, Any]] = {
    "strengths": {
        ReviewForm.MEMBER: _(
            "Về tư tưởng chính trị; phẩm chất đạo đức, lối sống; tác phong, lề lối làm việc; ý thức tổ chức kỷ "
            "luật; kết quả thực hiện chức trách, nhiệm vụ được giao."
        ),
        ReviewForm.LEADER: _(
            "Về tư tưởng chính trị; phẩm chất đạo đức, lối sống; tác phong, lề lối làm việc; ý thức tổ chức kỷ "
            "luật; kết quả thực hiện chức trách, nhiệm vụ được giao; năng lực lãnh đạo, quản lý; trách nhiệm nêu "
            "gương; kết quả của lĩnh vực, địa phương, đơn vị được giao lãnh đạo, quản lý."
        ),
        ReviewForm.OUTSIDE: _(
            "Về tư tưởng chính trị; phẩm chất đạo đức, lối sống; ý thức tổ chức kỷ luật; việc thực hiện nhiệm vụ "
            "đảng viên và nghĩa vụ công dân nơi cư trú, nơi làm việc."
        ),
    },
    "shortcomings": {"*": _("Nêu cụ thể từng hạn chế, khuyết điểm và nguyên nhân (chủ quan, khách quan).")},
    "remedies_done": {
        "*": _("Kết quả khắc phục những hạn chế, khuyết điểm đã được cấp có thẩm quyền kết luận hoặc chỉ ra kỳ trước.")
    },
    "prompt_answers": {"*": _("Giải trình từng vấn đề được gợi ý kiểm điểm nêu trên (nếu có).")},
    "collective_responsibility": {"*": _("Nếu có: phần trách nhiệm của bản thân với hạn chế của tập thể.")},
    "remedy_plan": {"*": _("Việc sẽ làm, thời hạn và cách làm để khắc phục từng hạn chế, khuyết điểm.")},
}


def rule_set_summary(rule_set: RuleSet) -> str:
    """The rule set in one line: its regulation and its thresholds, or that it has no points."""
    if not rule_set.uses_points:
        return gettext(
            "Theo %(regulation)s: không chấm điểm; mức xếp loại tự nhận căn cứ vào các tiêu chí và kết quả "
            "thực hiện nhiệm vụ."
        ) % {"regulation": rule_set.regulation}
    return gettext(
        "Theo %(regulation)s: tối đa %(general)s điểm tiêu chí chung và %(task)s điểm kết quả thực hiện "
        "nhiệm vụ; xuất sắc từ %(excellent)s điểm, tốt từ %(good)s điểm, hoàn thành từ %(completed)s điểm, "
        "dưới %(completed)s điểm là không hoàn thành nhiệm vụ."
    ) % {
        "regulation": rule_set.regulation,
        "general": rule_set.general_points_max,
        "task": rule_set.task_points_max,
        "excellent": rule_set.excellent_from,
        "good": rule_set.good_from,
        "completed": rule_set.completed_from,
    }


def _helper() -> FormHelper:
    """The templates write the <form> element themselves (with its htmx attributes and CSRF token)."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


@dataclass(frozen=True)
class AssessmentRow:
    """One pre-filled commitment on the page: what was committed, its live progress, and the member's verdict."""

    assessment: CommitmentAssessment
    verdict: forms.BoundField
    cause: forms.BoundField
    evidence: list[Evidence]
    # Set when the saved verdict claims more than the recorded progress.
    flag: ConsistencyFlag | None = None


class SelfReviewForm(PortalForm):
    """The bản kiểm điểm as a draft: every field may stay empty until submission, which the service checks."""

    def __init__(
        self,
        *args: Any,
        review: Review,
        assessments: list[CommitmentAssessment],
        flags: list[ConsistencyFlag] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.review = review
        self.assessments = assessments
        self.flags = flags or []
        rule_set = review.period.rule_set
        # A member may use 2A or 2C; 2B follows the leadership post the period found, so it is not a choice.
        if review.form != ReviewForm.LEADER:
            self.fields["review_form"] = forms.ChoiceField(
                label=_("Mẫu bản kiểm điểm"),
                choices=[(value, label) for value, label in ReviewForm.choices if value != ReviewForm.LEADER],
                initial=review.form,
                widget=forms.RadioSelect,
                help_text=_("Chọn Mẫu 2C nếu đồng chí không làm việc trong hệ thống chính trị."),
            )
        for name in SELF_REVIEW_SECTIONS:
            hints = SECTION_HELP.get(name, {})
            self.fields[name] = forms.CharField(
                label=section_title(name),
                required=False,
                strip=True,
                initial=getattr(review, name),
                widget=forms.Textarea(attrs={"rows": 6}),
                help_text=hints.get(review.form, hints.get("*", "")),
            )
        for assessment in assessments:
            self.fields[f"verdict_{assessment.pk}"] = forms.ChoiceField(
                label=_("Tự đánh giá nội dung %(number)s") % {"number": assessment.number},
                choices=[("", _("— Chưa đánh giá —")), *Verdict.choices],
                required=False,
                initial=assessment.self_verdict,
            )
            self.fields[f"cause_{assessment.pk}"] = forms.CharField(
                label=_("Nguyên nhân (nội dung %(number)s)") % {"number": assessment.number},
                required=False,
                initial=assessment.self_cause,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Bắt buộc khi nội dung hoàn thành chậm, một phần hoặc không hoàn thành."),
            )
        if rule_set.uses_points:
            self.fields["self_general_points"] = forms.IntegerField(
                label=_("Điểm tiêu chí chung (0–%(max)s)") % {"max": rule_set.general_points_max},
                min_value=0,
                max_value=rule_set.general_points_max,
                required=False,
                initial=review.self_general_points,
            )
            self.fields["self_task_points"] = forms.IntegerField(
                label=_("Điểm kết quả thực hiện nhiệm vụ (0–%(max)s)") % {"max": rule_set.task_points_max},
                min_value=0,
                max_value=rule_set.task_points_max,
                required=False,
                initial=review.self_task_points,
            )
        self.fields["self_level"] = forms.ChoiceField(
            label=_("Tự nhận mức xếp loại"),
            choices=RatingLevel.choices,
            required=False,
            initial=review.self_level,
            widget=forms.RadioSelect,
        )
        self.helper = _helper()

    @property
    def form_choice(self) -> forms.BoundField | None:
        return self["review_form"] if "review_form" in self.fields else None

    @property
    def point_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("self_general_points", "self_task_points") if name in self.fields]

    @property
    def section_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in SELF_REVIEW_SECTIONS]

    @property
    def rows(self) -> list[AssessmentRow]:
        flags = {flag.assessment.pk: flag for flag in self.flags}
        return [
            AssessmentRow(
                assessment=assessment,
                verdict=self[f"verdict_{assessment.pk}"],
                cause=self[f"cause_{assessment.pk}"],
                evidence=list(assessment.commitment.evidence.all()),
                flag=flags.get(assessment.pk),
            )
            for assessment in self.assessments
        ]

    def sections(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in SELF_REVIEW_SECTIONS}

    def verdicts(self) -> Verdicts:
        return {
            assessment.pk: (self.cleaned_data[f"verdict_{assessment.pk}"], self.cleaned_data[f"cause_{assessment.pk}"])
            for assessment in self.assessments
        }

    def save_arguments(self) -> dict[str, Any]:
        """The keyword arguments of services.self_review_save, apart from the review and the user."""
        data = self.cleaned_data
        return {
            "sections": self.sections(),
            "general_points": data.get("self_general_points"),
            "task_points": data.get("self_task_points"),
            "level": data["self_level"],
            "form": data.get("review_form"),
            "verdicts": self.verdicts(),
        }


class PromptForm(PortalForm):
    text = forms.CharField(
        label=_("Nội dung gợi ý kiểm điểm"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Vấn đề đảng viên cần giải trình ở phần IV của bản kiểm điểm. Đảng viên nhận được thông báo ngay "
            "khi gợi ý được gửi."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class InputForm(PortalForm):
    source = forms.ChoiceField(label=_("Nguồn nhận xét"), choices=InputSource.choices)
    author = forms.CharField(
        label=_("Nơi, người nhận xét"),
        max_length=255,
        help_text=_("Ví dụ: Chi ủy Chi bộ Khu phố 3, phường Bến Thành."),
    )
    text = forms.CharField(label=_("Nội dung nhận xét"), widget=forms.Textarea(attrs={"rows": 6}))
    received_on = forms.DateField(label=_("Ngày nhận"), widget=DateInput())
    document = forms.FileField(label=_("Văn bản kèm theo (nếu có)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate
        document = self.fields["document"]
        document.help_text = _(
            "Bản chụp hoặc bản điện tử của văn bản nhận xét: PDF, ảnh (PNG, JPEG, WebP) hoặc văn bản Word, Excel, "
            "PowerPoint, OpenDocument; tối đa %(limit)s MB."
        ) % {"limit": settings.EVIDENCE_MAX_UPLOAD_MB}
        document.widget.attrs["accept"] = ",".join(ALLOWED_EXTENSIONS)
        self.helper = _helper()

    def clean_document(self) -> UploadedFile[bytes] | None:
        upload: UploadedFile[bytes] | None = self.cleaned_data.get("document")
        if upload is not None:
            check_upload(upload)
        return upload
