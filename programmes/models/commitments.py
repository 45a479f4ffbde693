"""What a cadre commits to: the commitment, which lasts across versions (progress and evidence attach to it), and
its terms in one version (`CommitmentTerms`: wording, target, deadline, weight), with their milestones.

Comparing two versions pairs the terms of the same commitment, so a moved target shows as a change, not as one
removed and one added.
"""

import datetime
import uuid
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .action_programmes import ActionProgramme, ProgrammeVersion, PublicityLevel


class CommitmentCategory(models.TextChoices):
    POLITICS_ETHICS = "politics_ethics", _("Tư tưởng chính trị, đạo đức, lối sống")
    EXEMPLARY = "exemplary", _("Trách nhiệm nêu gương")
    PROFESSIONAL_TASK = "professional_task", _("Nhiệm vụ chuyên môn được giao")
    SERVICE_TO_PEOPLE = "service_to_people", _("Phục vụ Nhân dân")
    PARTY_BUILDING = "party_building", _("Xây dựng Đảng")
    SELF_IMPROVEMENT = "self_improvement", _("Học tập, tự rèn luyện")

    @classmethod
    def task_values(cls) -> frozenset[str]:
        """The categories scored as task results (the 70 points of rule set 366); their weights sum to 100."""
        return frozenset({cls.PROFESSIONAL_TASK, cls.SERVICE_TO_PEOPLE, cls.PARTY_BUILDING})


class ProgressStatus(models.TextChoices):
    # "Not started" rather than "no action": nothing has been reported yet (PolitiFact's lesson).
    NOT_STARTED = "not_started", _("Chưa bắt đầu")
    ON_TRACK = "on_track", _("Đúng tiến độ")
    AT_RISK = "at_risk", _("Có nguy cơ chậm")
    DONE = "done", _("Hoàn thành")
    EXCEEDED = "exceeded", _("Vượt chỉ tiêu")
    DROPPED = "dropped", _("Không thực hiện (có lý do)")

    @classmethod
    def finished_values(cls) -> frozenset[str]:
        return frozenset({cls.DONE, cls.EXCEEDED, cls.DROPPED})

    @classmethod
    def needing_evidence(cls) -> frozenset[str]:
        return frozenset({cls.DONE, cls.EXCEEDED})


class FinalVerdict(models.TextChoices):
    """The result of a commitment at the end of term (DOMAIN 7.1: close stores per-item results)."""

    EXCEEDED = "exceeded", _("Vượt yêu cầu")
    MET = "met", _("Đạt")
    PARTLY = "partly", _("Đạt một phần")
    NOT_MET = "not_met", _("Không đạt")


class Commitment(models.Model):
    """A promise that lasts across versions; its progress and evidence attach here."""

    programme = models.ForeignKey(
        ActionProgramme, on_delete=models.CASCADE, related_name="commitments", verbose_name=_("chương trình")
    )
    # A short stable reference for links and comparisons, independent of the position in a version.
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(
        _("tình trạng thực hiện"), max_length=16, choices=ProgressStatus.choices, default=ProgressStatus.NOT_STARTED
    )
    value_reached = models.DecimalField(_("giá trị đạt được"), max_digits=14, decimal_places=2, null=True, blank=True)
    last_reported_at = models.DateTimeField(_("báo cáo gần nhất"), null=True, blank=True)
    # A commitment may be shown to fewer people than its programme, never to more. None: as the programme.
    publicity_cap = models.PositiveSmallIntegerField(
        _("mức độ công khai riêng"), choices=PublicityLevel.choices, null=True, blank=True
    )
    # The unfinished commitment of an earlier programme of the same owner that this one carries on.
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="carried_into",
        verbose_name=_("chuyển tiếp từ cam kết"),
    )

    # Set when the programme closes, from the progress (services.closing.verdict_for); the confirmer may change it.
    final_verdict = models.CharField(
        _("kết quả cuối nhiệm kỳ"), max_length=16, choices=FinalVerdict.choices, blank=True
    )
    final_note = models.TextField(_("nhận xét cuối nhiệm kỳ"), blank=True)

    class Meta:
        verbose_name = _("nội dung cam kết")
        verbose_name_plural = _("nội dung cam kết")

    def __str__(self) -> str:
        return str(self.reference)


class CommitmentTerms(models.Model):
    """What a commitment says in one version of the programme."""

    version = models.ForeignKey(
        ProgrammeVersion, on_delete=models.CASCADE, related_name="terms", verbose_name=_("phiên bản")
    )
    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="terms", verbose_name=_("nội dung cam kết")
    )
    position = models.PositiveIntegerField(_("thứ tự"))
    category = models.CharField(_("nhóm nội dung"), max_length=32, choices=CommitmentCategory.choices)
    statement = models.TextField(_("nội dung cam kết"), help_text=_("Việc sẽ làm được, nói cụ thể."))
    is_deliverable = models.BooleanField(
        _("cam kết một sản phẩm (có/không)"),
        default=False,
        help_text=_("Chọn khi kết quả là một sản phẩm cụ thể thay vì một con số."),
    )
    indicator = models.CharField(_("chỉ tiêu đo lường"), max_length=255, blank=True)
    unit = models.CharField(_("đơn vị tính"), max_length=64, blank=True)
    baseline_value = models.DecimalField(_("giá trị hiện tại"), max_digits=14, decimal_places=2, null=True, blank=True)
    target_value = models.DecimalField(_("giá trị cam kết"), max_digits=14, decimal_places=2, null=True, blank=True)
    measures = models.TextField(_("biện pháp thực hiện"), blank=True)
    deadline = models.DateField(_("thời hạn hoàn thành"), null=True, blank=True)
    evidence_kind = models.CharField(
        _("sản phẩm, minh chứng"),
        max_length=255,
        blank=True,
        help_text=_("Điều gì sẽ chứng minh việc đã làm: văn bản, số liệu, công trình…"),
    )
    weight = models.PositiveSmallIntegerField(
        _("trọng số"), null=True, blank=True, help_text=_("Các nội dung nhiệm vụ cộng lại đủ 100.")
    )
    within_own_authority = models.BooleanField(_("thuộc thẩm quyền của bản thân"), default=True)
    # On a returned version, the confirmer's note on this commitment; on its correction, the same note
    # (copied) until that is confirmed, so that the owner and the confirmer read what it answers.
    return_note = models.TextField(_("ý kiến trả lại"), blank=True)

    class Meta:
        verbose_name = _("nội dung cam kết trong phiên bản")
        verbose_name_plural = _("nội dung cam kết trong phiên bản")
        ordering = ["version", "position"]
        # The nightly reminders pick the commitments due or overdue on given days (programmes.reminders).
        indexes = [models.Index(fields=["deadline"], name="commitment_terms_deadline")]
        constraints = [
            models.UniqueConstraint(fields=["version", "commitment"], name="commitment_terms_once_per_version"),
            models.CheckConstraint(
                condition=Q(weight__isnull=True) | Q(weight__gte=1, weight__lte=100),
                name="commitment_weight_between_1_and_100",
            ),
        ]

    def __str__(self) -> str:
        return self.statement[:80]

    @property
    def is_task(self) -> bool:
        return self.category in CommitmentCategory.task_values()

    def completion(self, status: str, value_reached: Decimal | None) -> int:
        """Per cent done, from the commitment's latest status and value, for the progress bars."""
        if status in ProgressStatus.needing_evidence():
            return 100
        if status == ProgressStatus.DROPPED or self.is_deliverable:
            return 0
        if value_reached is None or self.target_value is None:
            return 0
        baseline = self.baseline_value or Decimal(0)
        span = self.target_value - baseline
        if span == 0:
            return 100 if value_reached >= self.target_value else 0
        share = (value_reached - baseline) / span * 100
        return int(max(Decimal(0), min(Decimal(100), share)))

    def is_overdue(self, status: str, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.deadline is not None and self.deadline < today and status not in ProgressStatus.finished_values()


class Milestone(models.Model):
    terms = models.ForeignKey(
        CommitmentTerms, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("nội dung cam kết")
    )
    due_date = models.DateField(_("mốc thời gian"))
    description = models.CharField(_("kết quả cần đạt ở mốc này"), max_length=255)

    class Meta:
        verbose_name = _("mốc thực hiện")
        verbose_name_plural = _("mốc thực hiện")
        ordering = ["terms", "due_date", "pk"]

    def __str__(self) -> str:
        return f"{self.due_date:%d/%m/%Y}: {self.description}"
