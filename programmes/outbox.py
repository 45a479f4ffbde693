"""The one way the portal asks for background work: a transactional outbox.

`enqueue(task, *args)` (the task, or its registered name: "reviews.tasks.produce_review_report") writes an
OutboxMessage in the caller's transaction, so the request for work commits or rolls back with the change that
needs it. Once the transaction commits, the message is handed to the
broker at once; when the broker cannot take it (Redis stopped, a full disk under the filesystem transport),
the row stays and the request still succeeds. `send_due()` hands over whatever is waiting: the beat runs it
every minute (programmes.tasks.send_outbox) and `manage.py send_outbox` runs it by hand.

A message is sent at least once, never lost: `sent_at` is written only after the broker accepted it, so a
process that dies in between sends it again after CLAIM_LEASE. Every task is therefore safe to run twice
(each finds its work done and stops). Only ids travel: the log names the task and the message, no one's data.
"""

import datetime
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from celery import Task
from django.db import transaction
from django.db.models import Count, F, Min
from django.utils import timezone
from django.utils.module_loading import import_string

from config.celery import app as celery_app
from programmes.models import OutboxMessage

logger = logging.getLogger(__name__)
# Per broker URL: until when (time.monotonic()) requests do not try it again; see _send_after_commit.
_refused_until: dict[str, float] = {}

# How long a sender holds the messages it took before another may send them.
CLAIM_LEASE = datetime.timedelta(minutes=5)
# Asked from a request: fail fast and leave the rest to the sweep rather than keep the person waiting.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CHUNK = 200
# After the broker refused, the requests of this process leave their tasks to the sweep this long (seconds).
REFUSAL_MEMORY_SECONDS = 10.0
# A message naming a task that no longer exists is tried again only this much later.
UNKNOWN_TASK_PAUSE = datetime.timedelta(days=1)
# Sent messages are kept this long, to follow what happened, then deleted by the sweep.
KEEP_SENT = datetime.timedelta(days=7)


# A task, or its registered name: a service names the task it asks for, so that it need not import the task module,
# which imports the services (the tasks call them).
TaskRef = Task[..., object] | str


def task_name(task: TaskRef) -> str:
    """The registered name of `task`; a name must be that of a task the Celery app knows, so that a misspelt one
    fails where it is written rather than waiting in the outbox forever."""
    if not isinstance(task, str):
        return str(task.name)
    # The sender imports it the same way once the transaction commits (_hand_over): no extra cost.
    found = import_string(task)
    if not isinstance(found, Task) or found.name != task:
        raise LookupError(f"outbox: {task!r} names no task")
    return task


def enqueue(task: TaskRef, *args: Any) -> OutboxMessage:
    """Ask for `task(*args)` once the current transaction commits (at once outside one)."""
    message = OutboxMessage.objects.create(task=task_name(task), args=list(args))
    transaction.on_commit(lambda: _send_after_commit([message.pk]), robust=True)
    return message


def enqueue_many(task: TaskRef, calls: Iterable[tuple[Any, ...]]) -> list[OutboxMessage]:
    """`enqueue` for many calls of one task, written and sent together."""
    name = task_name(task)
    messages = OutboxMessage.objects.bulk_create(OutboxMessage(task=name, args=list(args)) for args in calls)
    ids = [message.pk for message in messages]
    if ids:
        transaction.on_commit(lambda: _send_after_commit(ids), robust=True)
    return messages


def _send_after_commit(ids: list[int]) -> None:
    """Right after the commit: try the broker, unless it refused this process a moment ago. A service that asks
    for several tasks, or the next requests, then leave them to the sweep instead of waiting on it each time."""
    app = celery_app
    if not app.conf.task_always_eager and time.monotonic() < _refused_until.get(app.conf.broker_url, 0.0):
        return
    send(ids)


def send(ids: list[int]) -> int:
    """Hand the given messages to the broker, in order, stopping at the first it refuses; how many went."""
    sent = 0
    for start in range(0, len(ids), CHUNK):
        lease, claimed = _claim(ids[start : start + CHUNK])
        for message in claimed:
            if not _hand_over(message):
                # The broker is away: the rest would fail the same way, slowly. The sweep takes them later.
                _release(claimed, lease)
                _refused_until[celery_app.conf.broker_url] = time.monotonic() + REFUSAL_MEMORY_SECONDS
                return sent
            sent += 1
    return sent


def send_due() -> int:
    """Hand over every message waiting for the broker, oldest first; how many went. Run by the beat."""
    OutboxMessage.objects.filter(sent_at__lt=timezone.now() - KEEP_SENT).delete()
    total = 0
    while True:
        due = list(
            OutboxMessage.objects.filter(sent_at__isnull=True, due_at__lte=timezone.now())
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)[:CHUNK]
        )
        if not due:
            return total
        sent = send(due)
        total += sent
        if sent < len(due):
            return total


def waiting(task: TaskRef, first_args: Iterable[Any]) -> bool:
    """Whether a call of `task` whose first argument is one of `first_args` still waits for the broker."""
    return OutboxMessage.objects.filter(
        task=task_name(task), sent_at__isnull=True, args__0__in=list(first_args)
    ).exists()


@dataclass(frozen=True)
class Backlog:
    unsent: int
    oldest_age_seconds: int | None


def backlog() -> Backlog:
    """How many messages wait for the broker and for how long the oldest has: for monitoring."""
    summary = OutboxMessage.objects.filter(sent_at__isnull=True).aggregate(unsent=Count("pk"), oldest=Min("created_at"))
    oldest = summary["oldest"]
    age = None if oldest is None else max(0, int((timezone.now() - oldest).total_seconds()))
    return Backlog(unsent=summary["unsent"], oldest_age_seconds=age)


def _claim(ids: list[int]) -> tuple[datetime.datetime, list[OutboxMessage]]:
    """Take the due, unsent messages among `ids` for this sender until the lease it returns: one conditional
    update, so that two senders (the request's and the sweep) never hand the same message over together."""
    now = timezone.now()
    lease = now + CLAIM_LEASE
    OutboxMessage.objects.filter(pk__in=ids, sent_at__isnull=True, due_at__lte=now).update(
        due_at=lease, attempts=F("attempts") + 1
    )
    claimed = OutboxMessage.objects.filter(pk__in=ids, sent_at__isnull=True, due_at=lease)
    order = {pk: position for position, pk in enumerate(ids)}
    return lease, sorted(claimed, key=lambda message: order[message.pk])


def _release(claimed: list[OutboxMessage], lease: datetime.datetime) -> None:
    """The messages this sender took and did not try: due again at once, the attempt not counted."""
    OutboxMessage.objects.filter(pk__in=[message.pk for message in claimed], sent_at__isnull=True, due_at=lease).update(
        due_at=timezone.now(), attempts=F("attempts") - 1
    )


def _hand_over(message: OutboxMessage) -> bool:
    """Give one message to the broker; False when the broker did not take it (the message waits)."""
    try:
        task = import_string(message.task)
    except ImportError:
        # A task renamed or removed by an upgrade: no sweep will ever send it, and it must not hold up the rest.
        logger.error("outbox: message %s names no known task (%s); it is set aside", message.pk, message.task)
        _note_failure(message, "ImportError", due_at=timezone.now() + UNKNOWN_TASK_PAUSE)
        return True
    if task.app.conf.task_always_eager:
        # No broker: the task runs here and now, and its own failures are its own (tests, a broker-less shell).
        _mark_sent(message)
        task.apply_async(args=message.args)
        return True
    try:
        task.apply_async(args=message.args, retry_policy=PUBLISH_RETRY_POLICY)
    except Exception as error:  # whatever the transport raises, the message waits for the next sweep
        logger.warning(
            "outbox: the broker did not take message %s (%s, attempt %s): %s",
            message.pk,
            message.task,
            message.attempts,
            type(error).__name__,
        )
        _note_failure(message, f"{type(error).__name__}: {error}", due_at=timezone.now())
        return False
    _mark_sent(message)
    return True


def _note_failure(message: OutboxMessage, error: str, *, due_at: datetime.datetime) -> None:
    OutboxMessage.objects.filter(pk=message.pk, sent_at__isnull=True).update(due_at=due_at, last_error=error[:300])


def _mark_sent(message: OutboxMessage) -> None:
    OutboxMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now(), last_error="")
