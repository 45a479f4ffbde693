"""The collective's own report (Mẫu 01, Hướng dẫn 43-HD/BTCTW): written under its head's direction, for a period
that rates collectives, before the committee above rates it; kept as one row per organisation and period."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.models import PartyOrganisation
from reviews import access as review_access
from reviews.audit_actions import ReviewAction
from reviews.models import CollectiveReport, PeriodState, ReviewPeriod
from reviews.services._common import _audit, _require
from reviews.services.collective import is_rated

REPORT_SECTIONS = ("tasks", "results", "shortcomings", "remedies", "direction")
REQUIRED_REPORT_SECTIONS = ("tasks", "results", "shortcomings", "direction")


@transaction.atomic(durable=True)
def collective_report_save(
    *, period: ReviewPeriod, organisation: PartyOrganisation, sections: dict[str, str], acting_user: User
) -> CollectiveReport:
    """Store the organisation's report for the period (a second save replaces the first): its head alone, while
    the period that rates collectives is open and rates the organisation (services.collective.is_rated: never a
    party group, nor one not in force at the end of the period); every section but the remedies of earlier
    shortcomings must be written."""
    _require(
        review_access.can_write_collective_report(acting_user, organisation),
        _("Chỉ người đứng đầu tổ chức đảng chỉ đạo xây dựng báo cáo kiểm điểm của tập thể."),
    )
    if not period.includes_collectives or period.state != PeriodState.OPEN:
        raise ValidationError(_("Đợt kiểm điểm này không (hoặc không còn) kiểm điểm tập thể."))
    if not is_rated(period, organisation):
        raise ValidationError(
            _(
                "%(organisation)s không được xếp loại trong đợt kiểm điểm này (tổ đảng, tổ chức ngoài phạm vi đợt, "
                "hoặc không còn hay chưa hoạt động vào ngày %(date)s), nên không có báo cáo kiểm điểm tập thể."
            )
            % {"organisation": organisation.name, "date": f"{period.covers_to:%d/%m/%Y}"}
        )
    values = {name: sections.get(name, "").strip() for name in REPORT_SECTIONS}
    missing = {name: _("Hãy viết phần này của báo cáo.") for name in REQUIRED_REPORT_SECTIONS if not values[name]}
    if missing:
        raise ValidationError(missing)
    report, created = CollectiveReport.objects.update_or_create(
        period=period,
        organisation=organisation,
        defaults={**values, "written_by": acting_user, "written_at": timezone.now()},
    )
    _audit(
        acting_user,
        ReviewAction.COLLECTIVE_REPORT,
        report,
        period=period.pk,
        organisation=organisation.pk,
        created=created,
        tasks=len(report.task_lines),
    )
    return report
