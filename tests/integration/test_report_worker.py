"""A batch of reports on the real stack (PostgreSQL, Redis, a Celery worker process) survives a worker that
is SIGKILLed in the middle of it: a new worker finishes the batch with every report stored exactly once, no
stray file, and every file matching its recorded SHA-256; running the batch again stores nothing new.

How a killed worker's tasks come back: they are acknowledged late, so the messages it was running stay
unacknowledged in Redis until the broker's visibility timeout passes, and the next worker that sweeps the
unacknowledged set (at its start, then periodically) puts them back in the queue. In production that
timeout is 2 h (longer than any report task may run: tests/reviews/test_report_tasks.py); this test gives
its workers a few seconds instead, so that the new worker's start-up sweep already finds them.
"""

import base64
import datetime
import hashlib
import json
import time
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from programmes.models import ActionProgramme, Cadre
from reviews import services
from reviews.models import ItemState, Report, ReportBatch, ReportBatchItem, ReportKind, Review
from reviews.reports.batches import batch_create, batch_items_requeue, planned_items
from tests.factories import make_member
from tests.integration.conftest import CeleryWorker, queue_keys
from tests.programmes.programme_data import make_confirmed
from tests.reviews.review_data import open_period, propose, write_and_submit

pytestmark = pytest.mark.integration

REPORTS_QUEUE = settings.CELERY_TASK_ROUTES["reviews.tasks.produce_batch_item"]["queue"]

# Enough reports that a busy machine still offers a moment with both pool processes mid-render.
PROGRAMMES = 20
VISIBILITY_TIMEOUT = 4
BATCH_TIMEOUT = 120.0
POLL = 0.005
# Each programme report renders in about 1 s on an idle machine (20 commitments), longer on a busy one; a kill
# this soon after both processes started their items lands inside both renders. The window is wide enough that
# two staggered pool processes share it often: at 100 ms it needed them to start almost together.
COMMITMENTS = (5,) * 20
RENDER_HEAD_START = datetime.timedelta(milliseconds=300)


def kill_mid_render(batch: ReportBatch, worker: CeleryWorker) -> list[int]:
    """SIGKILL the worker (its whole process group) while both pool processes are rendering: at least one
    report done, and two items started less than RENDER_HEAD_START ago; their object ids.

    Both processes busy means the worker holds as many unacknowledged messages as it may prefetch, so it
    is not fetching a new one: kombu's Redis transport loses a message popped from the queue but not yet
    recorded as unacknowledged (reviews.reports.batches.batch_items_requeue sends such an item again
    later), a moment the broker, not the portal, decides and that this test does not aim at.
    """
    deadline = time.monotonic() + BATCH_TIMEOUT
    while time.monotonic() < deadline:
        if ReportBatchItem.objects.filter(batch=batch, state=ItemState.FAILED).exists():
            pytest.fail(f"an item failed:\n{worker.log_tail()}")
        if done_count(batch) >= 1:
            running = ReportBatchItem.objects.filter(batch=batch, state=ItemState.PENDING, attempts__gt=0)
            started = dict(running.values_list("object_id", "updated_at"))
            if len(started) == 2 and timezone.now() - min(started.values()) < RENDER_HEAD_START:
                worker.kill()
                return list(started)
        if done_count(batch) >= PROGRAMMES - 2:
            pytest.fail("no moment with both worker processes mid-render: make the reports heavier")
        time.sleep(POLL)
    pytest.fail(f"no report was made:\n{worker.log_tail()}")


def stop_and_empty_the_queue(worker: CeleryWorker, broker_url: str) -> redis.Redis:
    """No worker, and no message left by an earlier test (its ids could name this test's items)."""
    worker.kill()
    broker = redis.Redis.from_url(broker_url)
    broker.delete(*queue_keys())
    return broker


def done_count(batch: ReportBatch) -> int:
    return ReportBatchItem.objects.filter(batch=batch, state=ItemState.DONE).count()


def wait_until_finished(batch: ReportBatch, worker: CeleryWorker, timeout: float = BATCH_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ReportBatch.objects.filter(pk=batch.pk, finished_at__isnull=False).exists():
            return
        if not worker.running:
            pytest.fail(f"the worker exited:\n{worker.log_tail()}")
        time.sleep(0.2)
    pytest.fail(f"the batch did not finish within {timeout:.0f} s ({done_count(batch)} done):\n{worker.log_tail()}")


def stored_files(media: Path) -> dict[Path, int]:
    """Every PDF under MEDIA_ROOT, with its modification time in nanoseconds."""
    return {path: path.stat().st_mtime_ns for path in media.rglob("*.pdf")}


def test_a_worker_killed_mid_batch_leaves_every_report_stored_exactly_once(
    cast, migrated_rows, celery_worker: CeleryWorker, settings, tmp_path: Path
) -> None:
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = media
    # The worker writes where the test looks, and gives the messages of a killed worker back quickly.
    worker_env = {"DJANGO_MEDIA_ROOT": str(media), "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)}
    broker = stop_and_empty_the_queue(celery_worker, settings.CELERY_BROKER_URL)
    celery_worker.start(worker_env)
    try:
        period = open_period(cast.ward, cast.org_board)
        programmes: list[ActionProgramme] = [
            make_confirmed(
                make_member(cast.cell_a, f"dang_vien_{number:02d}"), cast.secretary.user, weights=COMMITMENTS
            )
            for number in range(PROGRAMMES)
        ]
        items: list[tuple[str, int]] = [(ReportKind.PROGRAMME, programme.pk) for programme in programmes]

        # Committed at once (transactional test): its on-commit hook sends one task per item to Redis.
        batch = batch_create(period=period, scope=cast.ward, title="Lượt 1", items=items, acting_user=cast.org_board)

        running = kill_mid_render(batch, celery_worker)
        killed_at = time.monotonic()
        done_at_kill = done_count(batch)
        assert 1 <= done_at_kill < PROGRAMMES, f"the worker was not killed mid-batch ({done_at_kill} done)"
        # Acknowledged late: the messages of the two interrupted tasks are still held by Redis.
        assert broker.hlen("unacked") == len(running)

        # Once the killed worker's messages are past the visibility timeout, the new worker's first sweep
        # returns them to the queue.
        time.sleep(max(0.0, killed_at + VISIBILITY_TIMEOUT + 0.5 - time.monotonic()))
        celery_worker.start(worker_env)
        wait_until_finished(batch, celery_worker)

        first = {item.object_id: item for item in ReportBatchItem.objects.filter(batch=batch)}
        assert {item.state for item in first.values()} == {ItemState.DONE}, [
            (item.object_id, item.state, item.error) for item in first.values()
        ]
        # Every delivery of a task counts an attempt: the two interrupted items were delivered again.
        assert {pk: first[pk].attempts for pk in running} == dict.fromkeys(running, 2)
        assert sum(item.attempts for item in first.values()) == PROGRAMMES + len(running)
        reports = list(Report.objects.all())
        assert len(reports) == PROGRAMMES
        assert sorted(report.subject_key for report in reports) == sorted(
            f"programme:{programme.pk}" for programme in programmes
        )
        assert not Report.objects.values("subject_key").annotate(n=Count("pk")).filter(n__gt=1).exists()
        assert all(report.version == 1 and report.is_current for report in reports)
        assert {item.report_id for item in first.values()} == {report.pk for report in reports}

        files = stored_files(media)
        assert set(files) == {media / str(report.file.name) for report in reports}, "stray or missing PDF files"
        for report in reports:
            content = (media / str(report.file.name)).read_bytes()
            assert hashlib.sha256(content).hexdigest() == report.sha256, report.file.name
            assert len(content) == report.size

        # The same batch again, on the worker that finished the first: nothing new is stored.
        again = batch_create(period=period, scope=cast.ward, title="Lượt 2", items=items, acting_user=cast.org_board)
        wait_until_finished(again, celery_worker)

        second = {item.object_id: item for item in ReportBatchItem.objects.filter(batch=again)}
        assert {item.state for item in second.values()} == {ItemState.DONE}
        assert {pk: item.report_id for pk, item in second.items()} == {pk: item.report_id for pk, item in first.items()}
        assert Report.objects.count() == PROGRAMMES
        assert stored_files(media) == files
    finally:
        # The next test gets a worker with the default environment.
        celery_worker.kill()


def test_an_item_whose_message_the_broker_lost_is_sent_again_and_its_batch_finishes(
    cast, migrated_rows, celery_worker: CeleryWorker, settings, tmp_path: Path
) -> None:
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = media
    # No worker while the batch is queued, so that one of its messages can be lost as a killed worker would.
    broker = stop_and_empty_the_queue(celery_worker, settings.CELERY_BROKER_URL)
    try:
        period = open_period(cast.ward, cast.org_board)
        owners = [cast.member, make_member(cast.cell_a, "dang_vien_2"), make_member(cast.cell_a, "dang_vien_3")]
        programmes = [make_confirmed(owner, cast.secretary.user) for owner in owners]
        items: list[tuple[str, int]] = [(ReportKind.PROGRAMME, programme.pk) for programme in programmes]
        # Every other queue's messages: the confirmations' notification e-mails, the period's own tasks (telling its
        # members, counting the dashboards), which would hold the worker's unacknowledged slots below.
        broker.delete(*(queue for queue in settings.TASK_QUEUES if queue != REPORTS_QUEUE))
        batch = batch_create(period=period, scope=cast.ward, title="Lượt 1", items=items, acting_user=cast.org_board)
        assert broker.llen(REPORTS_QUEUE) == len(items)

        # The message a worker takes next, gone before it was recorded as unacknowledged.
        message = json.loads(broker.rpop(REPORTS_QUEUE))  # type: ignore[arg-type]
        lost_item = json.loads(base64.b64decode(message["body"]))[0][0]
        celery_worker.start({"DJANGO_MEDIA_ROOT": str(media)})
        deadline = time.monotonic() + BATCH_TIMEOUT
        while done_count(batch) < len(items) - 1:
            assert time.monotonic() < deadline, celery_worker.log_tail()
            time.sleep(0.1)
        assert broker.llen(REPORTS_QUEUE) == 0 and broker.hlen("unacked") == 0
        stalled = ReportBatchItem.objects.get(batch=batch, state=ItemState.PENDING)
        assert (stalled.pk, stalled.attempts) == (lost_item, 0)
        batch.refresh_from_db()
        assert batch.finished_at is None

        assert batch_items_requeue(datetime.timedelta(0)) == 1
        wait_until_finished(batch, celery_worker)

        assert set(ReportBatchItem.objects.filter(batch=batch).values_list("state", flat=True)) == {ItemState.DONE}
        assert Report.objects.count() == len(items)
        assert len(stored_files(media)) == len(items)
    finally:
        celery_worker.kill()


def _final_review(cast: Any, cadre: Cadre) -> None:
    """The cadre's review taken to a final rating through the services, as in tests/reviews/test_review_flow."""
    review = Review.objects.get(cadre=cadre, place=cast.cell_a)
    write_and_submit(review)
    propose(review, cast.secretary.user)
    decision = services.decision_make(review=review, level="good", acting_user=cast.committee_staff.user)
    first = review.assessments.order_by("position")[0]
    services.decision_confirm(
        decision=decision,
        grounds="Hoàn thành đúng hạn các nội dung cam kết.",
        assessment_ids=[first.pk],
        acting_user=cast.head.user,
    )


def test_a_batch_for_a_wards_reviews_stores_every_report_once(
    cast, migrated_rows, celery_worker: CeleryWorker, settings, tmp_path: Path
) -> None:
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = media
    stop_and_empty_the_queue(celery_worker, settings.CELERY_BROKER_URL)
    celery_worker.start({"DJANGO_MEDIA_ROOT": str(media)})
    try:
        members = [cast.member, *(make_member(cast.cell_a, f"thanh_vien_{number}") for number in range(3))]
        for member in members:
            make_confirmed(member, cast.secretary.user)
        period = open_period(cast.ward, cast.org_board)
        for member in members:
            _final_review(cast, member)
        # The confirmations' own report tasks went to the worker too: let them settle first.
        deadline = time.monotonic() + BATCH_TIMEOUT
        while Report.objects.filter(kind=ReportKind.INDIVIDUAL).count() < len(members):
            assert time.monotonic() < deadline, celery_worker.log_tail()
            time.sleep(0.2)

        items = planned_items(period, cast.ward)
        kinds = {kind for kind, _object_id in items}
        assert kinds == {ReportKind.INDIVIDUAL, ReportKind.CELL_SUMMARY, ReportKind.ORGANISATION_ROLLUP}
        batch = batch_create(period=period, scope=cast.ward, acting_user=cast.org_board)
        wait_until_finished(batch, celery_worker)

        done = ReportBatchItem.objects.filter(batch=batch)
        assert {item.state for item in done} == {ItemState.DONE}, [(item.kind, item.error) for item in done]
        assert Report.objects.count() == len(items)
        assert not Report.objects.values("subject_key").annotate(n=Count("pk")).filter(n__gt=1).exists()
        files = stored_files(media)
        assert len(files) == len(items)

        # Unchanged data: a second batch stores nothing new.
        again = batch_create(period=period, scope=cast.ward, acting_user=cast.org_board)
        wait_until_finished(again, celery_worker)
        assert Report.objects.count() == len(items)
        assert stored_files(media) == files
    finally:
        celery_worker.kill()
