"""Evaluation reports: the stored PDFs with their versions, and the batches that request many at once."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.models import PartyOrganisation

from .periods import ReviewPeriod
from .reviews import Review


class ReportKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Báo cáo kết quả kiểm điểm, đánh giá cá nhân")
    CELL_SUMMARY = "cell_summary", _("Báo cáo tổng hợp của chi bộ")
    ORGANISATION_ROLLUP = "organisation_rollup", _("Báo cáo tổng hợp của tổ chức đảng")
    PROGRAMME = "programme", _("Chương trình hành động")


class Report(models.Model):
    """One stored PDF. A subject (kind + what it is about) has versions; a new one is made only when
    the data behind it changed, and then the previous one is marked superseded."""

    kind = models.CharField(_("loại báo cáo"), max_length=24, choices=ReportKind.choices)
    # What the report is about, as a stable key ("individual:12", "cell_summary:3:45"): the idempotency key.
    subject_key = models.CharField(_("đối tượng"), max_length=100, db_index=True)
    period = models.ForeignKey(
        ReviewPeriod, on_delete=models.PROTECT, null=True, blank=True, related_name="reports", verbose_name=_("đợt")
    )
    organisation = models.ForeignKey(
        PartyOrganisation, on_delete=models.PROTECT, related_name="reports", verbose_name=_("tổ chức đảng")
    )
    review = models.ForeignKey(
        Review, on_delete=models.PROTECT, null=True, blank=True, related_name="reports", verbose_name=_("kiểm điểm")
    )
    programme = models.ForeignKey(
        "programmes.ActionProgramme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("chương trình"),
    )
    title = models.CharField(_("tiêu đề"), max_length=255)
    content_hash = models.CharField(_("mã băm dữ liệu"), max_length=64)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    is_current = models.BooleanField(_("là bản mới nhất"), default=True)
    file = models.FileField(_("tệp PDF"), upload_to="reports/%Y/%m/")
    sha256 = models.CharField(_("mã băm SHA-256 của tệp"), max_length=64, unique=True)
    verification_code = models.CharField(_("mã xác thực"), max_length=16, unique=True)
    size = models.PositiveIntegerField(_("dung lượng (byte)"))
    generated_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    superseded_at = models.DateTimeField(_("bị thay thế lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("báo cáo")
        verbose_name_plural = _("báo cáo")
        ordering = ["-generated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["subject_key", "content_hash"], name="report_once_per_subject_and_data"),
            models.UniqueConstraint(fields=["subject_key", "version"], name="report_version_unique"),
            models.UniqueConstraint(
                fields=["subject_key"], condition=Q(is_current=True), name="report_one_current_per_subject"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class ReportBatch(models.Model):
    """A request for many reports at once (a subtree, a nightly run); one task per item."""

    title = models.CharField(_("tên lượt tạo"), max_length=255)
    period = models.ForeignKey(
        ReviewPeriod,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="report_batches",
        verbose_name=_("đợt"),
    )
    scope = models.ForeignKey(
        PartyOrganisation, on_delete=models.PROTECT, related_name="report_batches", verbose_name=_("phạm vi")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người yêu cầu"),
        help_text=_("Để trống khi do lịch tự động tạo."),
    )
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lượt tạo báo cáo")
        verbose_name_plural = _("lượt tạo báo cáo")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class ItemState(models.TextChoices):
    PENDING = "pending", _("Đang chờ")
    DONE = "done", _("Đã xong")
    FAILED = "failed", _("Lỗi")


class ReportBatchItem(models.Model):
    batch = models.ForeignKey(ReportBatch, on_delete=models.CASCADE, related_name="items", verbose_name=_("lượt"))
    kind = models.CharField(_("loại báo cáo"), max_length=24, choices=ReportKind.choices)
    # The id of what the report is about: a review, or an organisation (with the batch's period).
    object_id = models.PositiveIntegerField(_("mã đối tượng"))
    state = models.CharField(_("trạng thái"), max_length=16, choices=ItemState.choices, default=ItemState.PENDING)
    report = models.ForeignKey(
        Report, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("báo cáo")
    )
    error = models.TextField(_("lỗi"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("số lần chạy"), default=0)
    updated_at = models.DateTimeField(_("cập nhật lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("báo cáo trong lượt")
        verbose_name_plural = _("báo cáo trong lượt")
        ordering = ["batch", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "kind", "object_id"], name="batch_item_once"),
        ]

    def __str__(self) -> str:
        return f"{self.batch}: {self.kind} {self.object_id}"
