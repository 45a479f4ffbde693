"""The cell's review meeting, its proposal for each member and the notes kept on verdicts that contradict progress."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.models import Cadre, PartyOrganisation

from .periods import ReviewPeriod
from .reviews import CommitmentAssessment, Review
from .rules import RatingLevel, Verdict


class ConsistencyNote(models.Model):
    """A reviewer's written reason for keeping a verdict that contradicts the commitment's recorded progress.

    Written by the cell's secretary when recording the proposal, or by the deciding committee when deciding,
    for the flags of reviews.consistency. It covers the verdict it was written for and the contradictions it
    names; a new contradiction (the deadline passes, say) or another verdict needs a new one.
    """

    class Stage(models.TextChoices):
        CELL = "cell", _("Chi bộ đề xuất")
        COMMITTEE = "committee", _("Cấp ủy quyết định")

    assessment = models.ForeignKey(
        CommitmentAssessment,
        on_delete=models.CASCADE,
        related_name="consistency_notes",
        verbose_name=_("đánh giá nội dung cam kết"),
    )
    stage = models.CharField(_("bước"), max_length=16, choices=Stage.choices)
    verdict = models.CharField(_("kết luận được giữ"), max_length=16, choices=Verdict.choices)
    # The contradictions acknowledged (reviews.consistency.Inconsistency values), comma-separated.
    kinds = models.CharField(_("điểm trái với tiến độ"), max_length=100)
    figures = models.TextField(_("tiến độ ghi nhận lúc xác nhận"))
    reason = models.TextField(_("lý do giữ kết luận"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người xác nhận")
    )
    acknowledged_at = models.DateTimeField(_("xác nhận lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("xác nhận kết luận trái với tiến độ")
        verbose_name_plural = _("xác nhận kết luận trái với tiến độ")
        ordering = ["assessment", "acknowledged_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="consistency_note_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment}: {self.get_verdict_display()}"

    @property
    def kind_values(self) -> frozenset[str]:
        return frozenset(self.kinds.split(","))


class CellMeeting(models.Model):
    """The cell's review meeting: when, who attended (in numbers, and by name when the secretary lists them), who
    chaired, kept the minutes and presented, the minutes, and the opinions that differed or were reserved."""

    period = models.ForeignKey(
        ReviewPeriod, on_delete=models.CASCADE, related_name="cell_meetings", verbose_name=_("đợt")
    )
    cell = models.ForeignKey(PartyOrganisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("chi bộ"))
    held_on = models.DateField(_("ngày họp"))
    members_total = models.PositiveSmallIntegerField(_("tổng số đảng viên"))
    members_present = models.PositiveSmallIntegerField(_("số đảng viên dự họp"))
    chaired_by = models.CharField(_("chủ trì"), max_length=255)
    # Blank on meetings recorded before the minutes named them.
    meeting_secretary = models.CharField(_("thư ký cuộc họp"), max_length=255, blank=True)
    presented_by = models.CharField(_("người trình bày"), max_length=255, blank=True)
    minutes = models.TextField(_("biên bản"), blank=True)
    dissent = models.TextField(_("ý kiến khác, ý kiến bảo lưu"), blank=True)
    minutes_file = models.FileField(_("tệp biên bản"), upload_to="minutes/%Y/", blank=True)
    minutes_sha256 = models.CharField(_("mã băm SHA-256 của biên bản"), max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người ghi")
    )
    recorded_at = models.DateTimeField(_("ghi lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("cuộc họp kiểm điểm của chi bộ")
        verbose_name_plural = _("cuộc họp kiểm điểm của chi bộ")
        ordering = ["period", "cell", "held_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(members_present__lte=models.F("members_total")), name="meeting_present_within_total"
            ),
            models.CheckConstraint(condition=~Q(minutes="") | ~Q(minutes_file=""), name="meeting_has_minutes"),
        ]

    def __str__(self) -> str:
        return f"{self.cell} – {self.held_on:%d/%m/%Y}"

    @property
    def has_quorum(self) -> bool:
        """More than half the members attended (the rule for a valid cell meeting)."""
        return self.members_present * 2 > self.members_total


class CellProposal(models.Model):
    review = models.OneToOneField(
        Review, on_delete=models.CASCADE, related_name="proposal", verbose_name=_("kiểm điểm")
    )
    meeting = models.ForeignKey(
        CellMeeting, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("cuộc họp")
    )
    general_points = models.PositiveSmallIntegerField(_("điểm tiêu chí chung"), null=True, blank=True)
    task_points = models.PositiveSmallIntegerField(_("điểm kết quả thực hiện nhiệm vụ"), null=True, blank=True)
    level = models.CharField(_("mức đề xuất"), max_length=16, choices=RatingLevel.choices)
    votes_for = models.PositiveSmallIntegerField(_("tán thành"))
    votes_against = models.PositiveSmallIntegerField(_("không tán thành"))
    votes_abstain = models.PositiveSmallIntegerField(_("không biểu quyết"), default=0)
    comments = models.TextField(_("ý kiến của chi bộ"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người ghi")
    )
    recorded_at = models.DateTimeField(_("ghi lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("đề xuất của chi bộ")
        verbose_name_plural = _("đề xuất của chi bộ")

    def __str__(self) -> str:
        return f"{self.review}: {self.get_level_display()}"


class MeetingAttendance(models.Model):
    """One member named in the meeting's attendance: present, or absent with the reason given."""

    meeting = models.ForeignKey(
        CellMeeting, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("cuộc họp")
    )
    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="+", verbose_name=_("đảng viên"))
    present = models.BooleanField(_("có mặt"))
    absence_reason = models.CharField(_("lý do vắng mặt"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("điểm danh cuộc họp")
        verbose_name_plural = _("điểm danh cuộc họp")
        ordering = ["meeting", "-present", "cadre__name_folded", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "cadre"], name="attendance_once_per_meeting"),
            models.CheckConstraint(condition=Q(present=True) | ~Q(absence_reason=""), name="absence_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.cadre}"
