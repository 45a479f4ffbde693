"""The deciding committee's decision, its head's confirmation, appeals against a result and later changes of level."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.models import Evidence, PartyOrganisation

from .reviews import CommitmentAssessment, Review
from .rules import RatingLevel


class DecisionState(models.TextChoices):
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("Chờ người đứng đầu xác nhận")
    CONFIRMED = "confirmed", _("Đã xác nhận")
    SUPERSEDED = "superseded", _("Đã được thay thế")


class Decision(models.Model):
    """The deciding committee's rating; it takes effect only once its head confirms it on grounds."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("kiểm điểm"))
    deciding_organisation = models.ForeignKey(
        PartyOrganisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("cấp quyết định")
    )
    general_points = models.PositiveSmallIntegerField(_("điểm tiêu chí chung"), null=True, blank=True)
    task_points = models.PositiveSmallIntegerField(_("điểm kết quả thực hiện nhiệm vụ"), null=True, blank=True)
    level = models.CharField(_("mức xếp loại"), max_length=16, choices=RatingLevel.choices)
    reclassification_reason = models.TextField(_("lý do xếp loại khác đề xuất của chi bộ"), blank=True)
    quota_override = models.TextField(_("giải trình vượt tỷ lệ xuất sắc"), blank=True)
    state = models.CharField(
        _("trạng thái"), max_length=24, choices=DecisionState.choices, default=DecisionState.AWAITING_CONFIRMATION
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người quyết định")
    )
    decided_at = models.DateTimeField(_("quyết định lúc"), default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người đứng đầu xác nhận"),
    )
    confirmed_at = models.DateTimeField(_("xác nhận lúc"), null=True, blank=True)
    grounds = models.TextField(_("căn cứ xác nhận"), blank=True)
    grounds_assessments = models.ManyToManyField(
        CommitmentAssessment, blank=True, related_name="+", verbose_name=_("căn cứ: đánh giá nội dung cam kết")
    )
    grounds_evidence = models.ManyToManyField(
        Evidence, blank=True, related_name="+", verbose_name=_("căn cứ: minh chứng")
    )

    class Meta:
        verbose_name = _("quyết định xếp loại")
        verbose_name_plural = _("quyết định xếp loại")
        ordering = ["review", "decided_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review"],
                condition=Q(state="awaiting_confirmation"),
                name="decision_one_awaiting_per_review",
            ),
            models.CheckConstraint(
                condition=~Q(state="confirmed") | (Q(confirmed_by__isnull=False) & ~Q(grounds="")),
                name="decision_confirmed_with_grounds",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review}: {self.get_level_display()}"


class AppealState(models.TextChoices):
    PENDING = "pending", _("Đang xem xét")
    UPHELD = "upheld", _("Giữ nguyên kết quả")
    RECLASSIFIED = "reclassified", _("Xếp loại lại")


class Appeal(models.Model):
    """The member's kiến nghị against one result: the confirmed decision, or a later change of level.

    One appeal per result; it goes to the committee above the body whose result it contests.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="appeals", verbose_name=_("kiểm điểm"))
    contested_change = models.ForeignKey(
        "LevelChange",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name=_("kết quả bị kiến nghị"),
        help_text=_("Để trống: kiến nghị về kết quả người đứng đầu đã xác nhận."),
    )
    resolving_organisation = models.ForeignKey(
        PartyOrganisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cấp giải quyết"),
        help_text=_("Cấp ủy cấp trên của cấp đã ra kết quả bị kiến nghị."),
    )
    text = models.TextField(_("nội dung kiến nghị"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người kiến nghị")
    )
    filed_at = models.DateTimeField(_("gửi lúc"), default=timezone.now)
    state = models.CharField(_("trạng thái"), max_length=16, choices=AppealState.choices, default=AppealState.PENDING)
    resolution = models.TextField(_("kết quả giải quyết"), blank=True)
    new_level = models.CharField(_("mức xếp loại mới"), max_length=16, choices=RatingLevel.choices, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người giải quyết"),
    )
    resolved_at = models.DateTimeField(_("giải quyết lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("kiến nghị về kết quả xếp loại")
        verbose_name_plural = _("kiến nghị về kết quả xếp loại")
        ordering = ["review", "filed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["review"], condition=Q(state="pending"), name="appeal_one_pending_per_review"
            ),
            # One appeal per result: the confirmed decision (no change contested), or each change of level.
            models.UniqueConstraint(
                fields=["review"], condition=Q(contested_change__isnull=True), name="appeal_once_against_decision"
            ),
            models.UniqueConstraint(fields=["contested_change"], name="appeal_once_against_level_change"),
        ]

    def __str__(self) -> str:
        return f"{self.review}: {self.get_state_display()}"


class LevelChange(models.Model):
    """Every change of a final level after confirmation: by appeal or by the superior committee."""

    class Cause(models.TextChoices):
        APPEAL = "appeal", _("Giải quyết kiến nghị")
        SUPERIOR = "superior", _("Cấp ủy cấp trên xếp loại lại")

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="level_changes", verbose_name=_("kiểm điểm")
    )
    cause = models.CharField(_("lý do thay đổi"), max_length=16, choices=Cause.choices)
    # The body whose result this change is: the committee that resolved the appeal, or the superior committee
    # that re-classified. An appeal against the change goes to the committee above it.
    organisation = models.ForeignKey(
        PartyOrganisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("cấp ủy thay đổi kết quả")
    )
    from_level = models.CharField(_("từ mức"), max_length=16, choices=RatingLevel.choices)
    to_level = models.CharField(_("thành mức"), max_length=16, choices=RatingLevel.choices)
    reason = models.TextField(_("căn cứ, lý do"))
    # A change to Excellent that takes the deciding organisation beyond its quota: the reason written for the
    # change is then its justification, listed with the decisions' ones (reviews.quota.justified).
    beyond_quota = models.BooleanField(_("vượt tỷ lệ xuất sắc"), default=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người thay đổi")
    )
    changed_at = models.DateTimeField(_("lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("thay đổi kết quả xếp loại")
        verbose_name_plural = _("thay đổi kết quả xếp loại")
        ordering = ["review", "changed_at"]

    def __str__(self) -> str:
        return f"{self.review}: {self.from_level} → {self.to_level}"
