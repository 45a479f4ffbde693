"""Review periods: what is reviewed, for which organisation's subtree, under which rule set and until when."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.models import PartyOrganisation

from .rules import RuleSet


class PeriodKind(models.TextChoices):
    ANNUAL = "annual", _("Hằng năm")
    QUARTERLY = "quarterly", _("Hằng quý")
    MID_TERM = "mid_term", _("Giữa nhiệm kỳ")
    END_OF_TERM = "end_of_term", _("Cuối nhiệm kỳ")
    AD_HOC = "ad_hoc", _("Đột xuất (nhận nhiệm vụ mới, bầu cử, bổ nhiệm)")


class PeriodState(models.TextChoices):
    OPEN = "open", _("Đang kiểm điểm")
    CLOSED = "closed", _("Đã kết thúc")


class ReviewPeriod(models.Model):
    title = models.CharField(_("tên đợt kiểm điểm"), max_length=255)
    kind = models.CharField(_("loại"), max_length=16, choices=PeriodKind.choices, default=PeriodKind.ANNUAL)
    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="periods", verbose_name=_("quy định"))
    scope = models.ForeignKey(
        PartyOrganisation, on_delete=models.PROTECT, related_name="review_periods", verbose_name=_("phạm vi")
    )
    covers_from = models.DateField(_("kiểm điểm kết quả từ ngày"))
    covers_to = models.DateField(_("đến ngày"))
    self_review_until = models.DateField(_("hạn nộp bản kiểm điểm"))
    cell_meetings_until = models.DateField(_("hạn họp chi bộ"))
    decisions_until = models.DateField(_("hạn quyết định xếp loại"))
    appeal_days = models.PositiveSmallIntegerField(_("số ngày được kiến nghị sau khi có kết quả"), default=15)
    residence_comment_days = models.PositiveSmallIntegerField(
        _("hạn nhận xét nơi cư trú: số ngày trước hạn họp chi bộ"),
        default=10,
        help_text=_("Chi bộ nơi cư trú gửi nhận xét trước hạn họp chi bộ nơi công tác chừng ấy ngày."),
    )
    includes_collectives = models.BooleanField(
        _("kiểm điểm cả tập thể"),
        default=False,
        help_text=_("Cấp ủy cấp trên trực tiếp xếp loại chất lượng các tổ chức đảng trực thuộc trong đợt này."),
    )
    state = models.CharField(_("trạng thái"), max_length=16, choices=PeriodState.choices, default=PeriodState.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người mở đợt")
    )
    opened_at = models.DateTimeField(_("mở lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("đợt kiểm điểm")
        verbose_name_plural = _("đợt kiểm điểm")
        ordering = ["-covers_to", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(covers_to__gte=models.F("covers_from")), name="period_covers_in_order"),
            models.CheckConstraint(
                condition=Q(cell_meetings_until__gte=models.F("self_review_until"))
                & Q(decisions_until__gte=models.F("cell_meetings_until")),
                name="period_windows_in_order",
            ),
            # The exact duplicate (a form sent twice); services.period_open also refuses any overlap of time and
            # scope, which a unique constraint cannot express.
            models.UniqueConstraint(
                fields=["scope", "kind", "covers_from"],
                condition=~Q(kind="ad_hoc"),
                name="period_once_per_scope_kind_and_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def residence_comments_due(self) -> datetime.date:
        """When the residence cells' comments are due: the period's setting before the cell meetings, but never
        before the period opened (a late opening leaves them until the meetings' deadline at most)."""
        due = self.cell_meetings_until - datetime.timedelta(days=self.residence_comment_days)
        opened = timezone.localtime(self.opened_at).date()
        return max(due, min(opened, self.cell_meetings_until))
