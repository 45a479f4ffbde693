"""In-portal notifications, each also sent by email once (at once, or in the day's digest), the reader's choices of
how to receive each kind and of their language, and the log that lets a reminder go out once a day."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    """What a notification is about: the reader chooses per kind how to receive it (NotificationPreference)."""

    GENERAL = "general", _("Thông báo khác")
    ACCOUNT = "account", _("Tài khoản, chức vụ và vai trò trên cổng")
    # Action programmes.
    PROGRAMME_CONFIRMATION = "programme_confirmation", _("Chương trình hành động: gửi, trả lại, xác nhận")
    EVIDENCE_REJECTED = "evidence_rejected", _("Minh chứng bị người xác nhận từ chối")
    # The review, hand-off by hand-off.
    PERIOD_OPENED = "period_opened", _("Mở đợt kiểm điểm")
    REVIEW_PROMPT = "review_prompt", _("Nội dung gợi ý kiểm điểm")
    SELF_REVIEW_SUBMITTED = "self_review_submitted", _("Đảng viên nộp bản kiểm điểm cá nhân")
    MEETING_RECORDED = "meeting_recorded", _("Chi bộ ghi biên bản họp kiểm điểm")
    PROPOSAL_RECORDED = "proposal_recorded", _("Chi bộ đề xuất mức xếp loại")
    DECISION_MADE = "decision_made", _("Cấp ủy quyết định xếp loại, chờ xác nhận")
    RESULT_CONFIRMED = "result_confirmed", _("Kết quả đánh giá, xếp loại được xác nhận")
    RECLASSIFIED = "reclassified", _("Cấp ủy cấp trên xếp loại lại")
    APPEAL_FILED = "appeal_filed", _("Kiến nghị về kết quả xếp loại")
    APPEAL_RESOLVED = "appeal_resolved", _("Giải quyết kiến nghị")
    RESIDENCE_COMMENT = "residence_comment", _("Nhận xét đảng viên nơi cư trú: đề nghị, kết quả")
    # Citizen feedback.
    FEEDBACK_CASE = "feedback_case", _("Góp ý, phản ánh của Nhân dân")
    FEEDBACK_FORWARDED = "feedback_forwarded", _("Đề nghị xác minh góp ý, phản ánh của Nhân dân")
    # Reminders, sent by the nightly jobs.
    COMMITMENT_DUE = "commitment_due", _("Nhắc việc: nội dung cam kết sắp đến hạn")
    COMMITMENT_OVERDUE = "commitment_overdue", _("Nhắc việc: nội dung cam kết quá hạn chưa hoàn thành")
    OVERDUE_WITHOUT_EVIDENCE = "overdue_without_evidence", _("Nhắc việc: nội dung cam kết quá hạn chưa có minh chứng")
    COMMITMENT_STALLED = "commitment_stalled", _("Nhắc việc: lâu chưa báo cáo tiến độ")
    SELF_REVIEW_CLOSING = "self_review_closing", _("Nhắc việc: sắp hết hạn nộp bản kiểm điểm")
    CONFIRMATION_WAITING = "confirmation_waiting", _("Nhắc việc: kết quả xếp loại chờ xác nhận")
    FEEDBACK_OVERDUE = "feedback_overdue", _("Nhắc việc: góp ý, phản ánh quá hạn trả lời")
    RESIDENCE_COMMENT_OVERDUE = "residence_comment_overdue", _("Nhắc việc: quá hạn nhận xét đảng viên nơi cư trú")


class Delivery(models.TextChoices):
    """How a kind of notification reaches its reader besides the portal."""

    IMMEDIATE = "immediate", _("Gửi thư điện tử ngay")
    DIGEST = "digest", _("Gộp vào thư tổng hợp hằng ngày")
    PORTAL = "portal", _("Chỉ xem trên cổng, không gửi thư")


class Notification(models.Model):
    """An in-portal message; the same event is also sent by email, at once or in the day's digest (`delivery`,
    the reader's choice for its kind when it was made)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("người nhận")
    )
    kind = models.CharField(
        _("loại thông báo"), max_length=32, choices=NotificationKind.choices, default=NotificationKind.GENERAL
    )
    subject = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung"), blank=True)
    link = models.CharField(_("liên kết"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("thời điểm"), default=timezone.now)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)
    delivery = models.CharField(_("cách gửi thư"), max_length=16, choices=Delivery.choices, default=Delivery.IMMEDIATE)
    # Set once the email went out (alone or in a digest), so that a retried task never sends it twice.
    emailed_at = models.DateTimeField(_("đã gửi thư lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            # The day's digest reads only what waits for it.
            models.Index(
                fields=["recipient"],
                condition=Q(delivery="digest", emailed_at__isnull=True),
                name="notification_digest_waiting",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class NotificationPreference(models.Model):
    """A reader's choice for one kind; a kind without a row is e-mailed at once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("tài khoản"),
    )
    kind = models.CharField(_("loại thông báo"), max_length=32, choices=NotificationKind.choices)
    delivery = models.CharField(_("cách nhận"), max_length=16, choices=Delivery.choices)
    updated_at = models.DateTimeField(_("đổi lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("cách nhận thông báo")
        verbose_name_plural = _("cách nhận thông báo")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.delivery}"


class AccountPreferences(models.Model):
    """What an account chose for itself: the language its notifications and e-mails are written in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="account_preferences",
        verbose_name=_("tài khoản"),
    )
    # Empty: the portal's language.
    language = models.CharField(_("ngôn ngữ của thông báo và thư"), max_length=8, blank=True)

    class Meta:
        verbose_name = _("tùy chọn tài khoản")
        verbose_name_plural = _("tùy chọn tài khoản")

    def __str__(self) -> str:
        return self.language or settings.LANGUAGE_CODE


class ReminderLog(models.Model):
    """One reminder (or one day's digest, or one hand-off told to many) sent to one person about one object on one
    day. The unique constraint, not a check before inserting, is what keeps two runs of a job, even at the same
    moment, from sending it twice: each run inserts with ON CONFLICT DO NOTHING under its own `sweep` mark and
    notifies only for the rows that carry its mark."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("người nhận")
    )
    kind = models.CharField(_("loại"), max_length=32)
    object_id = models.BigIntegerField(_("đối tượng"))
    day = models.DateField(_("ngày"))
    sweep = models.UUIDField(_("lượt gửi"))
    created_at = models.DateTimeField(_("lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("nhắc việc đã gửi")
        verbose_name_plural = _("nhắc việc đã gửi")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "kind", "object_id", "day"], name="reminder_once_a_day")
        ]
        indexes = [
            models.Index(fields=["sweep"], name="reminder_log_sweep"),
            models.Index(fields=["created_at"], name="reminder_log_created"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} {self.day}"
