"""The Party's rating levels and task verdicts, and the rule sets a period is reviewed under."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RatingLevel(models.TextChoices):
    EXCELLENT = "excellent", _("Hoàn thành xuất sắc nhiệm vụ")
    GOOD = "good", _("Hoàn thành tốt nhiệm vụ")
    COMPLETED = "completed", _("Hoàn thành nhiệm vụ")
    NOT_COMPLETED = "not_completed", _("Không hoàn thành nhiệm vụ")


# Best first: comparisons of levels use the index.
LEVEL_ORDER = [RatingLevel.EXCELLENT, RatingLevel.GOOD, RatingLevel.COMPLETED, RatingLevel.NOT_COMPLETED]


class Verdict(models.TextChoices):
    EXCEEDED = "exceeded", _("Hoàn thành vượt yêu cầu")
    DONE = "done", _("Hoàn thành đúng hạn")
    DONE_LATE = "done_late", _("Hoàn thành nhưng chậm")
    PARTLY = "partly", _("Hoàn thành một phần")
    NOT_DONE = "not_done", _("Không hoàn thành")

    @classmethod
    def on_time_values(cls) -> frozenset[str]:
        return frozenset({cls.EXCEEDED, cls.DONE})


class RuleSet(models.Model):
    """The rules a period is reviewed under; shipped as data (migration), never as scattered code paths."""

    code = models.CharField(_("mã"), max_length=16, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    regulation = models.CharField(_("văn bản quy định"), max_length=255)
    uses_points = models.BooleanField(_("chấm điểm"), default=True)
    general_points_max = models.PositiveSmallIntegerField(_("điểm tối đa tiêu chí chung"), default=30)
    task_points_max = models.PositiveSmallIntegerField(_("điểm tối đa kết quả thực hiện nhiệm vụ"), default=70)
    excellent_from = models.PositiveSmallIntegerField(_("xuất sắc từ (điểm)"), default=90)
    good_from = models.PositiveSmallIntegerField(_("tốt từ (điểm)"), default=70)
    completed_from = models.PositiveSmallIntegerField(_("hoàn thành từ (điểm)"), default=50)
    excellent_exceeding_percent = models.PositiveSmallIntegerField(
        _("tỷ lệ nhiệm vụ vượt yêu cầu để xếp xuất sắc (%)"), default=30
    )
    quota_percent = models.PositiveSmallIntegerField(
        _("số xuất sắc tối đa so với số tốt (%)"),
        null=True,
        blank=True,
        help_text=_("Trong mỗi tổ chức cơ sở đảng. Để trống: không giới hạn."),
    )
    collective_quota_percent = models.PositiveSmallIntegerField(
        _("số tập thể xuất sắc tối đa so với số tập thể tốt (%)"),
        null=True,
        blank=True,
        default=20,
        help_text=_("Trong mỗi nhóm tổ chức đảng có chức năng, nhiệm vụ tương đồng. Để trống: không giới hạn."),
    )
    valid_from = models.DateField(_("áp dụng từ ngày"))
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("bộ quy tắc đánh giá")
        verbose_name_plural = _("bộ quy tắc đánh giá")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(excellent_from__gt=models.F("good_from")) & Q(good_from__gt=models.F("completed_from")),
                name="rule_set_thresholds_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"
