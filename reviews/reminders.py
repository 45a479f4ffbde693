"""The reviews' nightly reminders (programmes.reminders sends them, once per person, object, kind and day):

- a member whose self-review is still a draft, REMINDER_SELF_REVIEW_DAYS before the deadline and on its last day;
- the head of a deciding body, every REMINDER_CONFIRMATION_DAYS that a decision waits for their confirmation;
- the secretary of a residence cell, the day after a residence comment fell due unanswered and every
  REMINDER_OVERDUE_EVERY_DAYS after, while the workplace cell has not met.

Neither quotes a commitment.
"""

import datetime
import functools
from collections.abc import Callable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes import access as programme_access
from programmes.action_programmes.notifications import Notice, notices_for
from programmes.models import NotificationKind
from programmes.reminders import Pair, audit_sweep, every, send_reminders
from reviews.models import (
    Decision,
    DecisionState,
    PeriodState,
    RatingLevel,
    ResidenceComment,
    ResidenceCommentState,
    Review,
    ReviewState,
)


def self_review_pairs(today: datetime.date) -> list[Pair]:
    """(member, review) for the drafts of open periods whose deadline is in REMINDER_SELF_REVIEW_DAYS or today."""
    deadlines = {today, today + datetime.timedelta(days=settings.REMINDER_SELF_REVIEW_DAYS)}
    return list(
        Review.objects.filter(
            state=ReviewState.SELF_DRAFTING,
            period__state=PeriodState.OPEN,
            period__self_review_until__in=deadlines,
            cadre__user__isnull=False,
            cadre__user__is_active=True,
        )
        .order_by("pk")
        .values_list("cadre__user_id", "pk")
    )


def _self_review_text(title: str, until: datetime.date, today: datetime.date) -> tuple[str, str]:
    days = (until - today).days
    if days <= 0:
        subject = _("Hôm nay là hạn cuối nộp bản kiểm điểm")
    else:
        subject = _("Còn %(days)s ngày để nộp bản kiểm điểm") % {"days": days}
    body = _("Đợt “%(period)s”: hạn nộp bản kiểm điểm cá nhân là ngày %(date)s. Bản kiểm điểm của đồng chí chưa nộp.")
    return subject, body % {"period": title, "date": f"{until:%d/%m/%Y}"}


def _self_review_notices(today: datetime.date) -> Callable[[list[Pair]], list[Notice]]:
    def notices(pairs: list[Pair]) -> list[Notice]:
        rows = {
            pk: (title, until)
            for pk, title, until in Review.objects.filter(pk__in=[review for _user, review in pairs]).values_list(
                "pk", "period__title", "period__self_review_until"
            )
        }
        return notices_for(
            pairs,
            rows,
            NotificationKind.SELF_REVIEW_CLOSING,
            lambda review, _row: reverse("reviews:self_review_edit", args=[review]),
            lambda row: functools.partial(_self_review_text, *row, today),
        )

    return notices


def confirmation_pairs(today: datetime.date) -> list[Pair]:
    """(head, decision) for the decisions waiting for confirmation since REMINDER_CONFIRMATION_DAYS, or a multiple
    of it: the head is the deciding body's secretary (reviews.access.can_confirm_decision), never the subject."""
    days = every(today, first=settings.REMINDER_CONFIRMATION_DAYS, step=settings.REMINDER_CONFIRMATION_DAYS)
    waiting = list(
        Decision.objects.filter(state=DecisionState.AWAITING_CONFIRMATION, decided_at__date__in=days)
        .order_by("pk")
        .values_list("pk", "deciding_organisation_id", "review__cadre__user_id")
    )
    heads = programme_access.secretaries_of({organisation for _pk, organisation, _subject in waiting})
    return [
        (heads[organisation], pk)
        for pk, organisation, subject in waiting
        if organisation in heads and heads[organisation] != subject
    ]


def _confirmation_text(name: str, level: str, decided_at: datetime.datetime, today: datetime.date) -> tuple[str, str]:
    decided_on = timezone.localtime(decided_at).date()
    subject = _("Kết quả xếp loại chờ đồng chí xác nhận: %(name)s") % {"name": name}
    body = _("Cấp ủy đã quyết định mức “%(level)s” ngày %(date)s; đã %(days)s ngày chờ đồng chí xác nhận.") % {
        "level": RatingLevel(level).label,
        "date": f"{decided_on:%d/%m/%Y}",
        "days": (today - decided_on).days,
    }
    return subject, body


def _confirmation_notices(today: datetime.date) -> Callable[[list[Pair]], list[Notice]]:
    def notices(pairs: list[Pair]) -> list[Notice]:
        rows = {
            pk: (review, name, level, decided_at)
            for pk, review, name, level, decided_at in Decision.objects.filter(
                pk__in=[decision for _user, decision in pairs], state=DecisionState.AWAITING_CONFIRMATION
            ).values_list("pk", "review_id", "review__cadre__full_name", "level", "decided_at")
        }
        return notices_for(
            pairs,
            rows,
            NotificationKind.CONFIRMATION_WAITING,
            lambda _decision, row: reverse("reviews:decision_confirm", args=[row[0]]),
            lambda row: functools.partial(_confirmation_text, *row[1:], today),
        )

    return notices


def residence_overdue_pairs(today: datetime.date) -> list[Pair]:
    """(residence cell's secretary, comment) for the requests past their deadline, unanswered, while the workplace
    cell has not yet met: the secretary's own (reviews.access.can_record_residence_comment), never the member's."""
    overdue = list(
        ResidenceComment.objects.filter(
            state=ResidenceCommentState.REQUESTED,
            due_on__in=every(today, first=1, step=settings.REMINDER_OVERDUE_EVERY_DAYS),
            review__period__state=PeriodState.OPEN,
            review__state__in=[ReviewState.SELF_DRAFTING, ReviewState.SELF_SUBMITTED],
        )
        .order_by("pk")
        .values_list("pk", "residence_cell_id", "review__cadre__user_id")
    )
    secretaries = programme_access.secretaries_of({cell for _pk, cell, _subject in overdue})
    return [
        (secretaries[cell], pk) for pk, cell, subject in overdue if cell in secretaries and secretaries[cell] != subject
    ]


def _residence_text(name: str, cell: str, due_on: datetime.date, today: datetime.date) -> tuple[str, str]:
    subject = _("Quá hạn nhận xét nơi cư trú: %(name)s") % {"name": name}
    body = _(
        "Chi bộ nơi công tác của đồng chí %(name)s (%(cell)s) đề nghị nhận xét nơi cư trú trước ngày %(date)s; đã "
        "quá hạn %(days)s ngày. Đồng chí nhận xét, hoặc ghi “không có ý kiến” với lý do."
    ) % {"name": name, "cell": cell, "date": f"{due_on:%d/%m/%Y}", "days": (today - due_on).days}
    return subject, body


def _residence_notices(today: datetime.date) -> Callable[[list[Pair]], list[Notice]]:
    def notices(pairs: list[Pair]) -> list[Notice]:
        rows = {
            pk: (name, cell, due_on)
            for pk, name, cell, due_on in ResidenceComment.objects.filter(
                pk__in=[comment for _user, comment in pairs], state=ResidenceCommentState.REQUESTED
            ).values_list("pk", "review__cadre__full_name", "review__cell__name", "due_on")
        }
        return notices_for(
            pairs,
            rows,
            NotificationKind.RESIDENCE_COMMENT_OVERDUE,
            lambda comment, _row: reverse("reviews:residence_comment_record", args=[comment]),
            lambda row: functools.partial(_residence_text, *row, today),
        )

    return notices


def review_reminders_send(today: datetime.date | None = None) -> dict[str, int]:
    """The nightly job over every open review: how many reminders of each kind went out."""
    today = today or timezone.localdate()
    counts = {
        NotificationKind.SELF_REVIEW_CLOSING.value: send_reminders(
            NotificationKind.SELF_REVIEW_CLOSING, self_review_pairs(today), today, _self_review_notices(today)
        ),
        NotificationKind.CONFIRMATION_WAITING.value: send_reminders(
            NotificationKind.CONFIRMATION_WAITING, confirmation_pairs(today), today, _confirmation_notices(today)
        ),
        NotificationKind.RESIDENCE_COMMENT_OVERDUE.value: send_reminders(
            NotificationKind.RESIDENCE_COMMENT_OVERDUE,
            residence_overdue_pairs(today),
            today,
            _residence_notices(today),
        ),
    }
    audit_sweep("reviews", today, counts)
    return counts
