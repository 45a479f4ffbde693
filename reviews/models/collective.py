"""The rating of party organisations as collectives (Hướng dẫn 43-HD/BTCTW): the standing committee of the level
directly above rates each organisation under it, on the share of its tasks completed and exceeded and on whether
any subordinate unit or member of its leadership was disciplined."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.models import PartyOrganisation

from .periods import ReviewPeriod
from .rules import RatingLevel


class OrganisationRating(models.Model):
    """One organisation's rating in a period, as the committee directly above it decided it."""

    period = models.ForeignKey(
        ReviewPeriod, on_delete=models.CASCADE, related_name="organisation_ratings", verbose_name=_("đợt kiểm điểm")
    )
    organisation = models.ForeignKey(
        PartyOrganisation, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("tổ chức đảng")
    )
    function_group = models.CharField(
        _("nhóm chức năng, nhiệm vụ tương đồng"),
        max_length=255,
        help_text=_("Tỷ lệ tập thể xuất sắc được tính trong từng nhóm; mặc định là loại tổ chức."),
    )
    tasks_total = models.PositiveSmallIntegerField(_("số nhiệm vụ được giao"))
    tasks_completed = models.PositiveSmallIntegerField(_("số nhiệm vụ hoàn thành"))
    tasks_exceeding = models.PositiveSmallIntegerField(_("số nhiệm vụ hoàn thành vượt yêu cầu"))
    discipline_free = models.BooleanField(
        _("không có tổ chức trực thuộc, thành viên lãnh đạo bị kỷ luật"), default=False
    )
    level = models.CharField(_("mức xếp loại"), max_length=16, choices=RatingLevel.choices)
    quota_justification = models.TextField(_("giải trình vượt tỷ lệ xuất sắc"), blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người ghi xếp loại")
    )
    rated_at = models.DateTimeField(_("xếp loại lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("xếp loại tổ chức đảng")
        verbose_name_plural = _("xếp loại tổ chức đảng")
        ordering = ["period", "organisation__path"]
        constraints = [
            models.UniqueConstraint(fields=["period", "organisation"], name="organisation_rated_once_per_period"),
            models.CheckConstraint(
                condition=Q(tasks_completed__lte=F("tasks_total")) & Q(tasks_exceeding__lte=F("tasks_completed")),
                name="organisation_rating_tasks_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.get_level_display()}"

    @property
    def all_tasks_completed(self) -> bool:
        return self.tasks_completed >= self.tasks_total


class CollectiveReport(models.Model):
    """The collective's own review report (Mẫu 01, Hướng dẫn 43-HD/BTCTW), written under its head's direction and
    read by the committee that rates it."""

    period = models.ForeignKey(
        ReviewPeriod, on_delete=models.CASCADE, related_name="collective_reports", verbose_name=_("đợt kiểm điểm")
    )
    organisation = models.ForeignKey(
        PartyOrganisation, on_delete=models.PROTECT, related_name="collective_reports", verbose_name=_("tổ chức đảng")
    )
    tasks = models.TextField(_("nhiệm vụ được giao trong kỳ"), help_text=_("Mỗi nhiệm vụ một dòng."))
    results = models.TextField(_("kết quả thực hiện nhiệm vụ"))
    shortcomings = models.TextField(_("hạn chế, khuyết điểm và nguyên nhân"))
    remedies = models.TextField(_("kết quả khắc phục hạn chế, khuyết điểm đã được chỉ ra"), blank=True)
    direction = models.TextField(_("phương hướng, biện pháp khắc phục"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người chỉ đạo xây dựng")
    )
    written_at = models.DateTimeField(_("cập nhật lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("báo cáo kiểm điểm tập thể")
        verbose_name_plural = _("báo cáo kiểm điểm tập thể")
        constraints = [
            models.UniqueConstraint(fields=["period", "organisation"], name="collective_report_once_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.period}"

    @property
    def task_lines(self) -> list[str]:
        return [line.strip() for line in self.tasks.splitlines() if line.strip()]
