"""Reminders: what the nightly jobs tell people, each at most once per person, object, kind and day.

`send_reminders` is the one way to send them. It takes the (recipient, object) pairs a job found with set-based
queries and, batch by batch, inserts one ReminderLog row per pair with ON CONFLICT DO NOTHING under a mark of its
own, then notifies only the pairs whose rows carry that mark: the rows it really inserted. A second run on the
same day, or one running at the same moment, finds the unique constraint in its way and sends nothing again. The
log rows and the notifications of a batch commit together, so a batch that fails is sent by the next run.

The commitments' reminders live here (their owner is reminded): due in REMINDER_DUE_DAYS, overdue and not done,
overdue with nothing to show for it, and no progress reported for REMINDER_STALLED_DAYS. The reviews' and the
citizen feedback's reminders live in their apps (reviews.reminders, publicity.reminders). Days are local days.
"""

import datetime
import functools
import itertools
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.action_programmes.notifications import Notice, notices_for, notify_many
from programmes.audit import audit_record
from programmes.audit_actions import NotificationAction
from programmes.models import (
    CommitmentTerms,
    Evidence,
    NotificationKind,
    ProgrammeState,
    ProgressStatus,
    ReminderLog,
)

# Pairs per batch: one transaction, a handful of queries and at most this many notifications each.
BATCH = 2000
# How far back a repeated reminder looks (a programme's term is at most a congress term of five years).
HORIZON_DAYS = 5 * 366
STATEMENT_CHARS = 200

Pair = tuple[int, int]


def _batches(pairs: Iterable[Pair], size: int) -> Iterator[list[Pair]]:
    iterator = iter(dict.fromkeys(pairs))
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def claim(kind: str, pairs: list[Pair], day: datetime.date) -> set[Pair]:
    """Log (recipient, object) `pairs` for `kind` on `day`; the pairs this call logged (not those already there)."""
    sweep = uuid.uuid4()
    ReminderLog.objects.bulk_create(
        (
            ReminderLog(recipient_id=recipient, kind=kind, object_id=obj, day=day, sweep=sweep)
            for recipient, obj in pairs
        ),
        ignore_conflicts=True,
    )
    return set(ReminderLog.objects.filter(sweep=sweep).values_list("recipient_id", "object_id"))


def send_reminders(
    kind: str,
    pairs: Iterable[Pair],
    day: datetime.date,
    notices: Callable[[list[Pair]], list[Notice]],
    *,
    batch: int = BATCH,
) -> int:
    """Notify each (recipient, object) pair once for `kind` on `day`; `notices` writes the notices of the pairs
    claimed in a batch (reading their objects in one query). How many were sent."""
    sent = 0
    for chunk in _batches(pairs, batch):
        with transaction.atomic():
            claimed = sorted(claim(kind, chunk, day))
            if claimed:
                notify_many(notices(claimed))
        sent += len(claimed)
    return sent


def every(today: datetime.date, *, first: int, step: int) -> list[datetime.date]:
    """The days `first`, `first + step`, `first + 2·step`… before `today`, within the horizon: the days an object
    reminded again every `step` days must date from to be reminded today."""
    return [today - datetime.timedelta(days=days) for days in range(first, HORIZON_DAYS, max(step, 1))]


def audit_sweep(job: str, today: datetime.date, counts: dict[str, int]) -> None:
    """One event per run of a reminder job: the system's step, with how many of each kind went out."""
    audit_record(
        actor=None,
        action=NotificationAction.REMINDERS,
        after={"job": job, "day": today.isoformat(), **counts},
        keep_address=False,
    )


# --- The commitments --------------------------------------------------------------------------------------------


def _in_force() -> QuerySet[CommitmentTerms]:
    """The terms in force of confirmed programmes whose owner has an active account."""
    return CommitmentTerms.objects.filter(
        version__programme__state=ProgrammeState.CONFIRMED,
        version__programme__current_version=F("version"),
        version__programme__owner__user__isnull=False,
        version__programme__owner__user__is_active=True,
    )


def _unfinished() -> QuerySet[CommitmentTerms]:
    return _in_force().exclude(commitment__status__in=ProgressStatus.finished_values())


def unfinished_terms() -> QuerySet[CommitmentTerms]:
    """The terms in force not done yet (nor dropped), of confirmed programmes whose owner has an active account: what
    the reminders are about, and what the owner's "Việc cần làm" counts."""
    return _unfinished()


def _pairs(terms: QuerySet[CommitmentTerms]) -> list[Pair]:
    return list(terms.order_by("commitment_id").values_list("version__programme__owner__user_id", "commitment_id"))


def due_pairs(today: datetime.date) -> list[Pair]:
    return _pairs(_unfinished().filter(deadline=today + datetime.timedelta(days=settings.REMINDER_DUE_DAYS)))


def _has_evidence() -> Exists:
    return Exists(Evidence.objects.filter(commitment=OuterRef("commitment")))


def _overdue_days(today: datetime.date) -> list[datetime.date]:
    return every(today, first=1, step=settings.REMINDER_OVERDUE_EVERY_DAYS)


def overdue_pairs(today: datetime.date) -> list[Pair]:
    """Past its deadline, not done, with evidence of some work (without any, it is overdue_without_evidence)."""
    return _pairs(_unfinished().filter(_has_evidence(), deadline__in=_overdue_days(today)))


def overdue_without_evidence_pairs(today: datetime.date) -> list[Pair]:
    """Past its deadline with nothing to show for it: not done, or reported done without a file or a link."""
    return _pairs(
        _in_force()
        .exclude(commitment__status=ProgressStatus.DROPPED)
        .filter(~_has_evidence(), deadline__in=_overdue_days(today))
    )


def stalled_pairs(today: datetime.date) -> list[Pair]:
    """Not done, not yet due, and no progress reported for REMINDER_STALLED_DAYS (counted from the version's
    confirmation when nothing was ever reported), again every as many days."""
    days = every(today, first=settings.REMINDER_STALLED_DAYS, step=settings.REMINDER_STALLED_DAYS)
    quiet = Q(commitment__last_reported_at__date__in=days) | Q(
        commitment__last_reported_at__isnull=True, version__confirmed_at__date__in=days
    )
    return _pairs(_unfinished().filter(quiet).filter(Q(deadline__isnull=True) | Q(deadline__gte=today)))


def _statement(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= STATEMENT_CHARS else text[: STATEMENT_CHARS - 1] + "…"


def _date(day: datetime.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else "—"


def _commitment_texts(kind: str, today: datetime.date) -> Callable[[Mapping[str, Any]], tuple[str, str]]:
    """The subject and body of a commitment reminder (called in the reader's language)."""

    def text(row: Mapping[str, Any]) -> tuple[str, str]:
        values = {
            "title": row["version__programme__title"],
            "statement": _statement(str(row["statement"])),
            "date": _date(row["deadline"]),
            "days": settings.REMINDER_STALLED_DAYS,
        }
        if kind == NotificationKind.COMMITMENT_DUE:
            subject = _("Nội dung cam kết sắp đến hạn (%(date)s)") % values
            body = _(
                "Chương trình “%(title)s”: nội dung “%(statement)s” đến hạn ngày %(date)s. Hãy báo cáo tiến độ "
                "và tải sản phẩm, minh chứng lên."
            )
        elif kind == NotificationKind.COMMITMENT_OVERDUE:
            subject = _("Nội dung cam kết đã quá hạn (%(date)s)") % values
            body = _(
                "Chương trình “%(title)s”: nội dung “%(statement)s” đã quá hạn ngày %(date)s mà chưa hoàn thành. "
                "Hãy báo cáo tiến độ, hoặc ghi rõ lý do không thực hiện."
            )
        elif kind == NotificationKind.OVERDUE_WITHOUT_EVIDENCE:
            subject = _("Nội dung cam kết quá hạn chưa có minh chứng (%(date)s)") % values
            body = _(
                "Chương trình “%(title)s”: nội dung “%(statement)s” đã quá hạn ngày %(date)s mà chưa có sản phẩm, "
                "minh chứng nào. Hãy báo cáo tiến độ kèm minh chứng."
            )
        else:
            subject = _("Đã %(days)s ngày chưa báo cáo tiến độ") % values
            body = _(
                "Chương trình “%(title)s”: nội dung “%(statement)s” đã %(days)s ngày chưa có báo cáo tiến độ. "
                "Hãy cập nhật tình hình thực hiện."
            )
        return subject, body % values

    return text


def _commitment_notices(kind: str, today: datetime.date) -> Callable[[list[Pair]], list[Notice]]:
    text = _commitment_texts(kind, today)

    def notices(pairs: list[Pair]) -> list[Notice]:
        rows = {
            row["commitment_id"]: row
            for row in _in_force()
            .filter(commitment_id__in=[obj for _recipient, obj in pairs])
            .values("commitment_id", "statement", "deadline", "version__programme_id", "version__programme__title")
        }
        return notices_for(
            pairs,
            rows,
            kind,
            lambda _commitment, row: reverse("programmes:programme_detail", args=[row["version__programme_id"]]),
            lambda row: functools.partial(text, row),
        )

    return notices


COMMITMENT_REMINDERS: dict[str, Callable[[datetime.date], list[Pair]]] = {
    NotificationKind.COMMITMENT_DUE: due_pairs,
    NotificationKind.COMMITMENT_OVERDUE: overdue_pairs,
    NotificationKind.OVERDUE_WITHOUT_EVIDENCE: overdue_without_evidence_pairs,
    NotificationKind.COMMITMENT_STALLED: stalled_pairs,
}


def commitment_reminders_send(today: datetime.date | None = None) -> dict[str, int]:
    """The nightly job over every commitment in force: how many reminders of each kind went out."""
    today = today or timezone.localdate()
    counts = {
        str(kind): send_reminders(kind, find(today), today, _commitment_notices(kind, today))
        for kind, find in COMMITMENT_REMINDERS.items()
    }
    audit_sweep("commitments", today, counts)
    return counts
