"""Citizen feedback's nightly reminder (programmes.reminders sends it, once per person, case and day): the accounts
that handle a case still open past its answer deadline are reminded the day after it, then every
REMINDER_FEEDBACK_EVERY_DAYS. It names the case and the cadre, never the sender or a commitment."""

import datetime
import functools

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.action_programmes.notifications import Notice, notices_for
from programmes.models import NotificationKind
from programmes.reminders import Pair, audit_sweep, every, send_reminders
from publicity import access
from publicity.models import OPEN_STATES, FeedbackCase


def overdue_case_pairs(today: datetime.date) -> list[Pair]:
    """(handler, case) for the open cases whose deadline passed 1, 1 + N, 1 + 2N… days ago."""
    days = every(today, first=1, step=settings.REMINDER_FEEDBACK_EVERY_DAYS)
    cases = list(
        FeedbackCase.objects.filter(state__in=OPEN_STATES, due_on__in=days)
        .select_related("area", "programme__owner")
        .only("pk", "body", "area__path", "area__name", "programme__owner__user_id")
        .order_by("pk")
    )
    handlers = access.case_handlers(cases)
    return [(user_id, case.pk) for case in cases for user_id in sorted(handlers.get(case.pk, ()))]


def _case_text(code: str, due_on: datetime.date, name: str) -> tuple[str, str]:
    subject = _("Góp ý, phản ánh mã %(code)s đã quá hạn trả lời") % {"code": code}
    body = _("Hạn trả lời là ngày %(date)s. Góp ý, phản ánh về chương trình hành động của đồng chí %(name)s.") % {
        "date": f"{due_on:%d/%m/%Y}",
        "name": name,
    }
    return subject, body


def _case_notices(pairs: list[Pair]) -> list[Notice]:
    rows = {
        pk: (code, due_on, name)
        for pk, code, due_on, name in FeedbackCase.objects.filter(
            pk__in=[case for _user, case in pairs], state__in=OPEN_STATES
        ).values_list("pk", "tracking_code", "due_on", "programme__owner__full_name")
    }
    return notices_for(
        pairs,
        rows,
        NotificationKind.FEEDBACK_OVERDUE,
        lambda case, _row: reverse("oversight:case", args=[case]),
        lambda row: functools.partial(_case_text, *row),
    )


def feedback_reminders_send(today: datetime.date | None = None) -> dict[str, int]:
    """The nightly job over every open case: how many reminders went out."""
    today = today or timezone.localdate()
    counts = {
        NotificationKind.FEEDBACK_OVERDUE.value: send_reminders(
            NotificationKind.FEEDBACK_OVERDUE, overdue_case_pairs(today), today, _case_notices
        )
    }
    audit_sweep("feedback", today, counts)
    return counts
