"""Marks on organisations whose dashboard figures must be counted again (publicity.dashboards.refresh).

The services that change a counted fact (a confirmation, a progress report, a review's step, a citizen's case) mark
the organisations it is counted in, in their own transaction; a change over a whole subtree (a period opened, a roster
imported) marks the subtree. The refresh claims the marks and counts those organisations again. One row per
organisation and kind, however many changes wait: a burst of changes costs one count.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .organisations import PartyOrganisation


class SummaryMark(models.Model):
    """`organisation` (with `subtree`, every organisation below it too) changed at `marked_at` and waits to be counted
    again."""

    organisation = models.ForeignKey(
        PartyOrganisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("tổ chức")
    )
    subtree = models.BooleanField(_("cả các tổ chức trực thuộc"), default=False)
    marked_at = models.DateTimeField(_("thay đổi lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("tổ chức chờ tổng hợp lại số liệu")
        verbose_name_plural = _("tổ chức chờ tổng hợp lại số liệu")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "subtree"], name="summary_mark_once_per_organisation"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} ({timezone.localtime(self.marked_at):%d/%m/%Y %H:%M})"
