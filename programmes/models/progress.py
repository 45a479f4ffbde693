"""Progress on a commitment: the reports its owner makes, and the evidence (a private file or a link) that proves it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .commitments import Commitment, ProgressStatus


class ProgressReport(models.Model):
    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="progress_reports", verbose_name=_("nội dung cam kết")
    )
    status = models.CharField(_("tình trạng"), max_length=16, choices=ProgressStatus.choices)
    value_reached = models.DecimalField(_("giá trị đạt được"), max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.TextField(_("kết quả, khó khăn"), blank=True)
    drop_reason = models.TextField(_("lý do không thực hiện"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người báo cáo")
    )
    reported_at = models.DateTimeField(_("ngày báo cáo"), default=timezone.now)
    # The one-time key of the form that sent it, so that the same form sent twice stores one report.
    submission_key = models.UUIDField(_("mã lần gửi"), null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("báo cáo tiến độ")
        verbose_name_plural = _("báo cáo tiến độ")
        ordering = ["commitment", "-reported_at", "-pk"]
        # The public feed reads the newest reports first.
        indexes = [models.Index(fields=["-reported_at", "-id"], name="progress_report_newest")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="dropped") | ~Q(drop_reason=""), name="progress_dropped_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} ({timezone.localdate(self.reported_at):%d/%m/%Y})"


class EvidenceReview(models.TextChoices):
    """Where the confirmer's check of an evidence item behind a "done" claim stands; blank for evidence that needs
    no check (behind a report that claims nothing finished)."""

    PENDING = "pending", _("Chờ kiểm tra")
    ACCEPTED = "accepted", _("Đã chấp nhận")
    REJECTED = "rejected", _("Bị từ chối")


class Evidence(models.Model):
    """A file or a link that proves progress. Files are private and served only through the access module."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("nội dung cam kết")
    )
    progress_report = models.ForeignKey(
        ProgressReport,
        on_delete=models.CASCADE,
        related_name="evidence",
        null=True,
        blank=True,
        verbose_name=_("báo cáo tiến độ"),
    )
    file = models.FileField(_("tệp"), upload_to="evidence/%Y/%m/", blank=True)
    original_name = models.CharField(_("tên tệp gốc"), max_length=255, blank=True)
    content_type = models.CharField(_("loại tệp"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"), null=True, blank=True)
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64, blank=True)
    link = models.URLField(_("đường dẫn"), max_length=1000, blank=True)
    description = models.CharField(_("mô tả"), max_length=255, blank=True)
    is_public = models.BooleanField(_("được công khai"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người tải lên")
    )
    uploaded_at = models.DateTimeField(_("ngày tải lên"), default=timezone.now)
    # The confirmer's check (programmes.action_programmes.evidence_checks); blank: no check needed.
    review_state = models.CharField(
        _("kiểm tra minh chứng"), max_length=16, choices=EvidenceReview.choices, blank=True, default=""
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người kiểm tra"),
    )
    reviewed_at = models.DateTimeField(_("kiểm tra lúc"), null=True, blank=True)
    review_reason = models.TextField(_("lý do từ chối"), blank=True)

    class Meta:
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")
        ordering = ["commitment", "-uploaded_at", "-pk"]
        indexes = [
            # The reviewer's list: what waits for a check.
            models.Index(fields=["uploaded_at"], condition=Q(review_state="pending"), name="evidence_waiting_check")
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(link="")) | (~Q(file="") & Q(link="") & Q(sha256__regex=r"^[0-9a-f]{64}$")),
                name="evidence_is_a_hashed_file_or_a_link",
            ),
            models.CheckConstraint(
                condition=~Q(review_state="rejected") | ~Q(review_reason=""), name="evidence_rejection_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(review_state__in=["", "pending"]) | Q(reviewed_by__isnull=False, reviewed_at__isnull=False),
                name="evidence_checked_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return self.description or self.original_name or self.link


class ArchiveState(models.TextChoices):
    PENDING = "pending", _("Đang lưu bản sao")
    ARCHIVED = "archived", _("Đã lưu bản sao")
    FAILED = "failed", _("Không lưu được bản sao")


class LinkArchive(models.Model):
    """The copy of a linked page (HTML or PDF) fetched when the link was attached, so that what the rating rested on
    survives the page changing or vanishing. Private like evidence files; served through the access module."""

    evidence = models.OneToOneField(
        Evidence, on_delete=models.CASCADE, related_name="archive", verbose_name=_("minh chứng")
    )
    state = models.CharField(_("trạng thái"), max_length=16, choices=ArchiveState.choices, default=ArchiveState.PENDING)
    file = models.FileField(_("bản sao"), upload_to="evidence/archive/%Y/%m/", blank=True)
    content_type = models.CharField(_("loại nội dung"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"), null=True, blank=True)
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64, blank=True)
    # Where the copy came from after following redirects.
    fetched_url = models.URLField(_("địa chỉ đã tải"), max_length=1000, blank=True)
    fetched_at = models.DateTimeField(_("tải lúc"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("số lần thử"), default=0)
    failure_reason = models.CharField(_("lý do không lưu được"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("bản lưu đường dẫn minh chứng")
        verbose_name_plural = _("bản lưu đường dẫn minh chứng")
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="archived")
                | (~Q(file="") & Q(sha256__regex=r"^[0-9a-f]{64}$") & Q(fetched_at__isnull=False)),
                name="link_archive_stored_with_hash",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evidence.link} ({self.get_state_display()})"
