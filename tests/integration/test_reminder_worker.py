"""The morning's reminders on the real stack (PostgreSQL, Redis, Celery worker processes): the job asked twice on
the same day, both runs at once on a worker with two processes, sends each reminder once, and its e-mail once, on
the e-mail queue; the day's digest, asked twice, sends one e-mail."""

import datetime
import email
import email.policy
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from config.celery import app
from programmes.models import (
    AuditEvent,
    CommitmentTerms,
    Delivery,
    Notification,
    NotificationKind,
    NotificationPreference,
    ReminderLog,
)
from tests.integration import waiting
from tests.integration.conftest import CeleryWorker, queue_keys, worker_database_url
from tests.programmes.programme_data import make_confirmed

pytestmark = pytest.mark.integration

TIMEOUT = 120.0


def wait_until(condition: Callable[[], bool], what: str, *workers: CeleryWorker) -> None:
    waiting.wait_until(condition, what, *workers, timeout=TIMEOUT)


def mailed(mail_dir: Path) -> list[email.message.EmailMessage]:
    messages = []
    for path in mail_dir.iterdir():
        for part in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if part.strip():
                messages.append(email.message_from_bytes(part, policy=email.policy.default))
    return messages


def subjects(mail_dir: Path, start: str) -> list[str]:
    """The subjects of the e-mails written so far that begin with `start` (the programme's own e-mails aside)."""
    found = [str(message["Subject"]).strip() for message in mailed(mail_dir)]
    return [subject for subject in found if subject.startswith(start)]


def runs_of(job: str) -> int:
    return AuditEvent.objects.filter(action="notification.reminders", after__job=job).count()


@pytest.fixture
def worker(celery_worker: CeleryWorker, tmp_path: Path):
    """A worker of every queue with two processes, writing its e-mails to a folder the test reads."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    celery_worker.kill()
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(*queue_keys())
    own = CeleryWorker(worker_database_url(), tmp_path, concurrency=2, name="reminders")
    own.start({"TEST_EMAIL_FILE_PATH": str(mail_dir), "DJANGO_MEDIA_ROOT": str(tmp_path / "media")})
    try:
        yield own, mail_dir
    finally:
        own.stop()


def test_the_reminders_asked_twice_on_the_same_day_send_each_reminder_once(cast, migrated_rows, worker):
    own, mail_dir = worker
    programme = make_confirmed(cast.member, cast.secretary.user)
    due = timezone.localdate() + datetime.timedelta(days=settings.REMINDER_DUE_DAYS)
    CommitmentTerms.objects.filter(version__programme=programme).update(deadline=due)

    # Both at once: the worker's two processes may run them side by side.
    app.send_task("programmes.tasks.remind_commitments")
    app.send_task("programmes.tasks.remind_commitments")
    wait_until(lambda: runs_of("commitments") == 2, "both runs", own)
    reminders = Notification.objects.filter(kind=NotificationKind.COMMITMENT_DUE)
    wait_until(lambda: not reminders.filter(emailed_at__isnull=True).exists(), "the e-mails", own)

    assert reminders.count() == 2
    assert set(reminders.values_list("recipient", flat=True)) == {cast.member.user.pk}
    assert ReminderLog.objects.filter(kind=NotificationKind.COMMITMENT_DUE).count() == 2
    counts = sorted(
        (event.after or {})[NotificationKind.COMMITMENT_DUE]
        for event in AuditEvent.objects.filter(action="notification.reminders", after__job="commitments")
    )
    assert counts == [0, 2]
    time.sleep(1)  # an e-mail sent twice would be written by now
    assert subjects(mail_dir, "Nội dung cam kết") == [f"Nội dung cam kết sắp đến hạn ({due:%d/%m/%Y})"] * 2
    assert all(message["List-Unsubscribe"] for message in mailed(mail_dir))


def test_the_digest_asked_twice_on_the_same_day_sends_one_e_mail(cast, migrated_rows, worker):
    own, mail_dir = worker
    programme = make_confirmed(cast.member, cast.secretary.user)
    NotificationPreference.objects.create(
        user=cast.member.user, kind=NotificationKind.COMMITMENT_DUE, delivery=Delivery.DIGEST
    )
    due = timezone.localdate() + datetime.timedelta(days=settings.REMINDER_DUE_DAYS)
    CommitmentTerms.objects.filter(version__programme=programme).update(deadline=due)
    app.send_task("programmes.tasks.remind_commitments")
    wait_until(lambda: runs_of("commitments") == 1, "the reminders", own)

    app.send_task("programmes.tasks.send_digests")
    app.send_task("programmes.tasks.send_digests")
    waiting = Notification.objects.filter(kind=NotificationKind.COMMITMENT_DUE)
    wait_until(lambda: runs_of("digests") == 2, "both digest runs", own)
    wait_until(lambda: not waiting.filter(emailed_at__isnull=True).exists(), "the digest e-mail", own)
    time.sleep(1)

    assert subjects(mail_dir, "Thông báo trong ngày") == ["Thông báo trong ngày: 2 mục"]
    assert subjects(mail_dir, "Nội dung cam kết") == []
    assert waiting.count() == 2
