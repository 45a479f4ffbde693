"""Queues by kind on the real stack (PostgreSQL, Redis, Celery workers as in docker-compose.yml: one worker for
`reports`, another for `interactive`): a notification queued behind a report batch that takes many seconds is
e-mailed while the batch is still running, not after it.

Were the notification routed with the reports (or both kinds served by one busy worker), its message would wait
behind every item of the batch in the same queue, and the test would see the batch finish first.
"""

import email
import email.policy
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
from django.utils import timezone

from programmes.action_programmes.notifications import notify
from programmes.models import Notification
from reviews.models import ItemState, ReportBatch, ReportBatchItem, ReportKind
from reviews.reports.batches import batch_create
from tests.factories import make_member
from tests.integration import waiting
from tests.integration.conftest import CeleryWorker, queue_keys, worker_database_url
from tests.programmes.programme_data import make_confirmed
from tests.reviews.review_data import open_period

pytestmark = pytest.mark.integration

# Programme reports of 20 commitments take about a second each on an idle machine; one reports process renders
# them one after the other, so the batch lasts well beyond the few seconds a notification may take.
PROGRAMMES = 8
COMMITMENTS = (5,) * 20
TIMEOUT = 180.0
SUBJECT = "Thông báo thử: lịch họp chi bộ tháng 12"


def items_started(batch: ReportBatch) -> int:
    return ReportBatchItem.objects.filter(batch=batch, attempts__gt=0).count()


def items_done(batch: ReportBatch) -> int:
    return ReportBatchItem.objects.filter(batch=batch, state=ItemState.DONE).count()


def wait_until(condition: Callable[[], bool], what: str, *workers: CeleryWorker) -> None:
    waiting.wait_until(condition, what, *workers, timeout=TIMEOUT)


def mailed_subjects(mail_dir: Path) -> list[str]:
    subjects = []
    for path in mail_dir.iterdir():
        for part in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if part.strip():
                subjects.append(str(email.message_from_bytes(part, policy=email.policy.default)["Subject"]).strip())
    return subjects


def test_a_notification_queued_behind_a_report_batch_is_mailed_before_the_batch_ends(
    cast, migrated_rows, celery_worker: CeleryWorker, settings, tmp_path: Path
) -> None:
    media, mail_dir = tmp_path / "media", tmp_path / "mail"
    media.mkdir()
    mail_dir.mkdir()
    settings.MEDIA_ROOT = media
    # The session's worker consumes every queue (as `make run`'s): this test has compose's layout instead.
    celery_worker.kill()
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(*queue_keys())
    environment = {"DJANGO_MEDIA_ROOT": str(media), "TEST_EMAIL_FILE_PATH": str(mail_dir)}
    reports = CeleryWorker(worker_database_url(), tmp_path, queues=("reports",), concurrency=1)
    interactive = CeleryWorker(worker_database_url(), tmp_path, queues=("interactive",), concurrency=1)
    reports.start(environment)
    interactive.start(environment)
    try:
        period = open_period(cast.ward, cast.org_board)
        programmes = [
            make_confirmed(
                make_member(cast.cell_a, f"dang_vien_{number:02d}"), cast.secretary.user, weights=COMMITMENTS
            )
            for number in range(PROGRAMMES)
        ]
        items: list[tuple[str, int]] = [(ReportKind.PROGRAMME, programme.pk) for programme in programmes]
        # Committed at once (transactional test): one task per report in the reports queue.
        batch = batch_create(period=period, scope=cast.ward, title="Lượt 1", items=items, acting_user=cast.org_board)
        wait_until(lambda: items_started(batch) >= 1, "the batch starting", reports, interactive)

        # Queued after every item of the batch.
        queued_at = timezone.now()
        notification = notify(recipient=cast.member.user, subject=SUBJECT, body="Họp chi bộ ngày 10/12.", link="")
        wait_until(
            lambda: Notification.objects.filter(pk=notification.pk, emailed_at__isnull=False).exists(),
            "the notification e-mail",
            reports,
            interactive,
        )

        batch.refresh_from_db()
        done_when_mailed = items_done(batch)
        assert batch.finished_at is None, "the batch ended before the notification was mailed"
        assert done_when_mailed < PROGRAMMES - 1, f"{done_when_mailed} of {PROGRAMMES} reports were already done"
        notification.refresh_from_db()
        assert notification.emailed_at is not None and (notification.emailed_at - queued_at).total_seconds() < 15
        assert SUBJECT in mailed_subjects(mail_dir)

        # The batch still completes, on its own worker.
        wait_until(
            lambda: ReportBatch.objects.filter(pk=batch.pk, finished_at__isnull=False).exists(),
            "the batch finishing",
            reports,
            interactive,
        )
        assert set(ReportBatchItem.objects.filter(batch=batch).values_list("state", flat=True)) == {ItemState.DONE}
    finally:
        reports.kill()
        interactive.kill()
