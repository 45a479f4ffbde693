"""The residence cell's annual comment on a working member (Quy định 213-QĐ/TW, Hướng dẫn 33-HD/BTCTW).

Opening an annual period asks it of the cell where each working member lives; that cell's secretary answers in
the portal, or the workplace cell's secretary uploads a comment obtained outside it. The workplace cell reads it
before its review meeting.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from programmes.models import PartyOrganisation

from .reviews import Review


class ResidenceCommentState(models.TextChoices):
    REQUESTED = "requested", _("Chờ nhận xét")
    COMMENTED = "commented", _("Đã nhận xét")
    NO_COMMENT = "no_comment", _("Không có ý kiến")


class ResidenceCommentChannel(models.TextChoices):
    PORTAL = "portal", _("Chi bộ nơi cư trú nhận xét trên cổng")
    OUTSIDE = "outside", _("Nhận xét nhận ngoài cổng, do chi bộ nơi công tác tải lên")


class PointAssessment(models.TextChoices):
    GOOD = "good", _("Thực hiện tốt")
    LIMITED = "limited", _("Còn hạn chế")


# The four points the residence cell comments on (Quy định 213-QĐ/TW, Điều 4; Hướng dẫn 33-HD/BTCTW): field name and
# the point's wording, in the order of the comment form.
RESIDENCE_POINTS = (
    ("point_policies", _("Chấp hành chủ trương, chính sách, pháp luật, quy định nơi cư trú")),
    ("point_ethics", _("Giữ gìn phẩm chất đạo đức, lối sống")),
    ("point_activities", _("Tham gia sinh hoạt, hoạt động ở nơi cư trú")),
    ("point_civic_duties", _("Thực hiện nghĩa vụ công dân")),
)


def _point(label: StrOrPromise) -> models.CharField[str, str]:
    return models.CharField(label, max_length=16, choices=PointAssessment.choices, blank=True)


class ResidenceComment(models.Model):
    """One member's residence comment in one period: asked when the period opens, then given or declined."""

    review = models.OneToOneField(
        Review,
        on_delete=models.CASCADE,
        related_name="residence_comment",
        verbose_name=_("kiểm điểm"),
        help_text=_("Bản kiểm điểm của đảng viên ở chi bộ nơi công tác."),
    )
    residence_cell = models.ForeignKey(
        PartyOrganisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("chi bộ nơi cư trú")
    )
    due_on = models.DateField(_("hạn nhận xét"))
    state = models.CharField(
        _("trạng thái"), max_length=16, choices=ResidenceCommentState.choices, default=ResidenceCommentState.REQUESTED
    )
    channel = models.CharField(_("cách nhận"), max_length=16, choices=ResidenceCommentChannel.choices, blank=True)
    source = models.CharField(
        _("nguồn văn bản"),
        max_length=255,
        blank=True,
        help_text=_("Với nhận xét nhận ngoài cổng: số, ngày văn bản và nơi gửi."),
    )
    text = models.TextField(_("nội dung nhận xét"), blank=True)
    point_policies = _point(RESIDENCE_POINTS[0][1])
    point_ethics = _point(RESIDENCE_POINTS[1][1])
    point_activities = _point(RESIDENCE_POINTS[2][1])
    point_civic_duties = _point(RESIDENCE_POINTS[3][1])
    no_comment_reason = models.TextField(_("lý do không có ý kiến"), blank=True)
    document = models.FileField(_("văn bản nhận xét (bản quét)"), upload_to="residence-comments/%Y/", blank=True)
    document_sha256 = models.CharField(_("mã băm SHA-256"), max_length=64, blank=True)
    requested_at = models.DateTimeField(_("đề nghị lúc"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người ghi"),
    )
    recorded_at = models.DateTimeField(_("ghi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("nhận xét nơi cư trú")
        verbose_name_plural = _("nhận xét nơi cư trú")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="requested") | (Q(recorded_at__isnull=False) & ~Q(channel="")),
                name="residence_comment_answer_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(state="no_comment") | ~Q(no_comment_reason=""),
                name="residence_comment_no_comment_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(channel="outside") | ~Q(source=""), name="residence_comment_outside_has_source"
            ),
        ]
        indexes = [
            # A residence secretary's list, and the nightly sweep of the overdue ones.
            models.Index(fields=["residence_cell", "state"], name="residence_comment_cell_state"),
            models.Index(fields=["state", "due_on"], name="residence_comment_state_due"),
        ]

    def __str__(self) -> str:
        return f"{self.residence_cell} – {self.review_id}"

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.state == ResidenceCommentState.REQUESTED and self.due_on < (today or timezone.localdate())

    @property
    def points(self) -> list[tuple[str, str]]:
        """The four points as (wording, assessment), for the panel."""
        return [(str(label), str(getattr(self, f"get_{name}_display")())) for name, label in RESIDENCE_POINTS]
