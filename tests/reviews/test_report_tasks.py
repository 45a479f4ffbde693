"""The report tasks with eager Celery: one item done once, failures retried then listed, the schedules,
the report made when a decision is confirmed, and the broker settings that keep a slow task from running twice.

The real-worker counterpart (a worker killed mid-batch) is tests/integration/test_report_worker.py.
"""

import datetime
import runpy
import threading
import time
from pathlib import Path
from typing import Any
from typing import cast as typed

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from config.celery import app
from programmes.models import ActionProgramme, OutboxMessage
from reviews import services, tasks
from reviews.models import (
    ItemState,
    PeriodState,
    Report,
    ReportBatch,
    ReportBatchItem,
    ReportKind,
    ReviewPeriod,
)
from reviews.reports import batches, produce
from reviews.reports.batches import MAX_ATTEMPTS, batch_create, batch_progress
from tests.factories import UserFactory, admin_staff, make_member
from tests.programmes.programme_data import make_confirmed
from tests.reviews.review_data import decided_review, open_period

pytestmark = pytest.mark.django_db

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEDULE_MIGRATION = REPO_ROOT / "reviews" / "migrations" / "0004_report_schedules.py"
BASE_SETTINGS = REPO_ROOT / "config" / "settings" / "base.py"


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def eager_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Eager tasks run their retries in place, as a worker would; the test settings' propagation would
    instead raise celery's Retry to the caller at the first one."""
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)


def pdf_files(media: Path) -> list[Path]:
    return sorted(media.rglob("*.pdf"))


@pytest.fixture
def period(cast) -> ReviewPeriod:
    return open_period(cast.ward, cast.org_board)


@pytest.fixture
def programmes(cast) -> list[ActionProgramme]:
    """Two confirmed programmes of cell A, confirmed by its secretary."""
    second = make_member(cast.cell_a, "member2", full_name="Đỗ Thị Giang")
    return [make_confirmed(cast.member, cast.secretary.user), make_confirmed(second, cast.secretary.user)]


def programme_batch(cast, period: ReviewPeriod, object_ids: list[int], callbacks: Any) -> ReportBatch:
    """A batch of programme reports; `callbacks` is django_capture_on_commit_callbacks, run or not."""
    with callbacks:
        return batch_create(
            period=period,
            scope=cast.ward,
            title="Chương trình hành động của chi bộ 1A",
            items=[(ReportKind.PROGRAMME, pk) for pk in object_ids],
            acting_user=cast.org_board,
        )


# --- produce_batch_item ---------------------------------------------------------------------------------------


# PostgreSQL refuses to lock the nullable side of an outer join: run again there.
@pytest.mark.postgres
def test_a_batch_item_is_done_with_its_report_and_the_batch_finishes(
    cast, period, programmes, media, django_capture_on_commit_callbacks
):
    batch = programme_batch(cast, period, [p.pk for p in programmes], django_capture_on_commit_callbacks(execute=True))

    batch.refresh_from_db()
    assert batch.finished_at is not None
    items = list(batch.items.select_related("report"))
    assert [item.state for item in items] == [ItemState.DONE, ItemState.DONE]
    assert [item.attempts for item in items] == [1, 1]
    assert all(item.error == "" for item in items)
    reports = {item.object_id: item.report for item in items}
    for programme in programmes:
        report = reports[programme.pk]
        assert report is not None
        assert report.subject_key == f"programme:{programme.pk}"
        assert report.programme_id == programme.pk
    assert batch_progress(batch) == batches.Progress(total=2, done=2, failed=0)
    assert len(pdf_files(media)) == 2


def test_running_a_done_item_again_changes_nothing_and_stores_no_file(
    cast, period, programmes, media, django_capture_on_commit_callbacks
):
    batch = programme_batch(cast, period, [programmes[0].pk], django_capture_on_commit_callbacks(execute=True))
    item = batch.items.get()
    files = pdf_files(media)

    # A redelivered message: the task finds its item done and stops.
    result = tasks.produce_batch_item.apply(args=(item.pk,))

    assert result.get() == ItemState.DONE
    again = ReportBatchItem.objects.get(pk=item.pk)
    assert (again.state, again.report_id, again.attempts, again.updated_at) == (
        item.state,
        item.report_id,
        item.attempts,
        item.updated_at,
    )
    assert Report.objects.count() == 1
    assert pdf_files(media) == files


def test_a_new_batch_with_the_same_items_reuses_the_stored_reports(
    cast, period, programmes, media, django_capture_on_commit_callbacks
):
    ids = [p.pk for p in programmes]
    first = programme_batch(cast, period, ids, django_capture_on_commit_callbacks(execute=True))
    files = pdf_files(media)

    second = programme_batch(cast, period, ids, django_capture_on_commit_callbacks(execute=True))

    assert set(second.items.values_list("state", flat=True)) == {ItemState.DONE}
    assert sorted(second.items.values_list("report", flat=True)) == sorted(first.items.values_list("report", flat=True))
    assert Report.objects.count() == 2
    assert pdf_files(media) == files


# PostgreSQL refuses to lock the nullable side of an outer join: run again there.
@pytest.mark.postgres
def test_an_item_for_a_missing_object_is_retried_then_failed_and_the_batch_still_finishes(
    cast, period, programmes, media, eager_retries, django_capture_on_commit_callbacks
):
    missing = ActionProgramme.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000

    batch = programme_batch(cast, period, [programmes[0].pk, missing], django_capture_on_commit_callbacks(execute=True))

    batch.refresh_from_db()
    assert batch.finished_at is not None
    done = batch.items.get(object_id=programmes[0].pk)
    failed = batch.items.get(object_id=missing)
    assert done.state == ItemState.DONE and done.report is not None
    assert failed.state == ItemState.FAILED
    assert failed.report is None
    assert failed.attempts == MAX_ATTEMPTS
    assert failed.error.startswith("DoesNotExist: ")
    assert batch_progress(batch) == batches.Progress(total=2, done=1, failed=1)
    assert len(pdf_files(media)) == 1


def test_a_failing_render_is_retried_max_attempts_times_then_listed_with_its_error(
    cast, period, programmes, media, eager_retries, monkeypatch, django_capture_on_commit_callbacks
):
    calls: list[int] = []

    def broken(kind: str, object_id: int, period: ReviewPeriod | None = None) -> Any:
        calls.append(object_id)
        raise RuntimeError("WeasyPrint hết bộ nhớ")

    monkeypatch.setattr(batches, "report_produce", broken)

    batch = programme_batch(cast, period, [programmes[0].pk], django_capture_on_commit_callbacks(execute=True))

    item = batch.items.get()
    assert calls == [programmes[0].pk] * MAX_ATTEMPTS
    assert item.state == ItemState.FAILED
    assert item.attempts == MAX_ATTEMPTS
    assert item.error == "RuntimeError: WeasyPrint hết bộ nhớ"
    batch.refresh_from_db()
    assert batch.finished_at is not None
    assert not Report.objects.exists()
    assert pdf_files(media) == []


def test_a_passing_failure_is_retried_and_the_item_is_done(
    cast, period, programmes, media, eager_retries, monkeypatch, django_capture_on_commit_callbacks
):
    real = produce.report_produce
    calls: list[int] = []

    def flaky(kind: str, object_id: int, period: ReviewPeriod | None = None) -> Any:
        calls.append(object_id)
        if len(calls) == 1:
            raise ConnectionError("máy chủ cơ sở dữ liệu không trả lời")
        return real(kind, object_id, period)

    monkeypatch.setattr(batches, "report_produce", flaky)

    batch = programme_batch(cast, period, [programmes[0].pk], django_capture_on_commit_callbacks(execute=True))

    item = batch.items.get()
    assert len(calls) == 2
    assert (item.state, item.attempts, item.error) == (ItemState.DONE, 2, "")
    assert item.report is not None
    assert len(pdf_files(media)) == 1


def test_a_failed_item_run_again_later_is_done(
    cast, period, programmes, media, eager_retries, monkeypatch, django_capture_on_commit_callbacks
):
    real = produce.report_produce

    def broken(kind: str, object_id: int, period: ReviewPeriod | None = None) -> Any:
        raise RuntimeError("tạm thời lỗi")

    monkeypatch.setattr(batches, "report_produce", broken)
    batch = programme_batch(cast, period, [programmes[0].pk], django_capture_on_commit_callbacks(execute=True))
    item = batch.items.get()
    assert item.state == ItemState.FAILED
    monkeypatch.setattr(batches, "report_produce", real)

    # A failed item is not done: running its task again (staff retry, a redelivery) produces it.
    assert tasks.produce_batch_item.apply(args=(item.pk,)).get() == ItemState.DONE

    item.refresh_from_db()
    assert (item.state, item.error) == (ItemState.DONE, "")
    assert item.report is not None


def test_a_task_for_a_deleted_item_does_nothing(cast, period, programmes, media, django_capture_on_commit_callbacks):
    batch = programme_batch(cast, period, [programmes[0].pk], django_capture_on_commit_callbacks(execute=False))
    item_id = batch.items.get().pk
    batch.delete()

    assert tasks.produce_batch_item.apply(args=(item_id,)).get() == "missing"
    assert not Report.objects.exists()


def test_batch_create_queues_one_task_per_item_only_on_commit(
    cast, period, programmes, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = batch_create(
            period=period,
            scope=cast.ward,
            items=[(ReportKind.PROGRAMME, p.pk) for p in programmes],
            acting_user=cast.org_board,
        )
    assert len(callbacks) == 1
    assert set(batch.items.values_list("state", flat=True)) == {ItemState.PENDING}
    assert not Report.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_items_finishing_at_once_finish_their_batch(cast):
    """Each finishing item checks whether any other is still pending: without a lock on the batch, two
    finishing at the same moment each see the other pending and the batch never finishes."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite runs one writer at a time")
    batch = ReportBatch.objects.create(title="Hai báo cáo", scope=cast.ward)
    first, second = (
        ReportBatchItem.objects.create(batch=batch, kind=ReportKind.PROGRAMME, object_id=number) for number in (1, 2)
    )
    second_done = threading.Event()
    errors: list[BaseException] = []

    def finish_second() -> None:
        try:
            with transaction.atomic():
                ReportBatchItem.objects.filter(pk=second.pk).update(state=ItemState.DONE)
                second_done.set()
                batches._finish_if_complete(batch.pk)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    other = threading.Thread(target=finish_second)
    with transaction.atomic():
        ReportBatchItem.objects.filter(pk=first.pk).update(state=ItemState.DONE)
        other.start()
        assert second_done.wait(10)
        batches._finish_if_complete(batch.pk)
        # The other item checks now, before this one commits.
        time.sleep(0.3)
    other.join(10)

    assert errors == []
    batch.refresh_from_db()
    assert batch.finished_at is not None


def test_nightly_reports_sends_again_the_items_whose_message_was_lost(
    cast, period, programmes, media, django_capture_on_commit_callbacks
):
    # Two items queued but never run, as if their messages were lost.
    batch = programme_batch(cast, period, [p.pk for p in programmes], django_capture_on_commit_callbacks(execute=False))
    lost, recent = batch.items.order_by("pk")
    long_ago = timezone.now() - tasks.STALLED_AFTER - datetime.timedelta(minutes=1)
    ReportBatchItem.objects.filter(pk=lost.pk).update(updated_at=long_ago)
    ReportBatchItem.objects.filter(pk=recent.pk).update(updated_at=timezone.now() - datetime.timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.nightly_reports.apply().get() == []

    lost.refresh_from_db()
    recent.refresh_from_db()
    assert (lost.state, lost.attempts) == (ItemState.DONE, 1)
    # Still within the broker's own redelivery time: left to it.
    assert (recent.state, recent.attempts) == (ItemState.PENDING, 0)
    assert Report.objects.count() == 1


def test_an_item_sent_again_is_not_sent_once_more_by_the_next_sweep(
    cast, period, programmes, media, django_capture_on_commit_callbacks
):
    programme_batch(cast, period, [programmes[0].pk], django_capture_on_commit_callbacks(execute=False))
    ReportBatchItem.objects.update(updated_at=timezone.now() - datetime.timedelta(hours=4))

    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert batches.batch_items_requeue(datetime.timedelta(hours=3)) == 1
        assert batches.batch_items_requeue(datetime.timedelta(hours=3)) == 0
    assert len(sent) == 1


# --- the schedules --------------------------------------------------------------------------------------------


def shift_decisions(period: ReviewPeriod, days: int) -> None:
    """Move the period's decision deadline to `days` from today, keeping the deadlines in order."""
    until = timezone.localdate() + datetime.timedelta(days=days)
    ReviewPeriod.objects.filter(pk=period.pk).update(
        self_review_until=until, cell_meetings_until=until, decisions_until=until
    )


def test_nightly_reports_plans_a_batch_only_for_periods_whose_decisions_closed_yesterday_or_today(
    cast, media, django_capture_on_commit_callbacks
):
    periods = {}
    # One year each: two periods of a kind may not cover the same time over the same members.
    for year, days in enumerate((-2, -1, 0, 1), start=2023):
        periods[days] = open_period(
            cast.ward,
            cast.org_board,
            title=f"Đợt kiểm điểm {days:+d}",
            covers_from=datetime.date(year, 1, 1),
            covers_to=datetime.date(year, 12, 31),
        )
        shift_decisions(periods[days], days)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        made = tasks.nightly_reports.apply().get()

    planned = ReportBatch.objects.filter(pk__in=made)
    assert sorted(planned.values_list("period", flat=True)) == sorted([periods[-1].pk, periods[0].pk])
    assert ReportBatch.objects.count() == 2
    assert len(callbacks) == 2
    for batch in planned:
        assert batch.requested_by is None
        assert batch.scope == cast.ward
        assert "nightly" in batch.title
        items = set(batch.items.values_list("kind", "object_id"))
        assert (ReportKind.ORGANISATION_ROLLUP, cast.ward.pk) in items
        assert (ReportKind.CELL_SUMMARY, cast.cell_a.pk) in items
        # No review is decided yet: no individual report.
        assert not any(kind == ReportKind.INDIVIDUAL for kind, _id in items)


def test_nightly_reports_with_nothing_due_plans_nothing(cast, period, media):
    assert tasks.nightly_reports.apply().get() == []
    assert not ReportBatch.objects.exists()


def test_weekly_rollups_plans_the_rollups_of_open_periods_only(cast, media, django_capture_on_commit_callbacks):
    open_one = open_period(cast.ward, cast.org_board, title="Đợt đang mở")
    closed = open_period(
        cast.ward,
        cast.org_board,
        title="Đợt đã đóng",
        covers_from=datetime.date(2025, 1, 1),
        covers_to=datetime.date(2025, 12, 31),
    )
    ReviewPeriod.objects.filter(pk=closed.pk).update(state=PeriodState.CLOSED)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        made = tasks.weekly_rollups.apply().get()

    assert list(ReportBatch.objects.filter(pk__in=made).values_list("period", flat=True)) == [open_one.pk]
    assert ReportBatch.objects.count() == 1
    assert len(callbacks) == 1
    kinds = set(ReportBatchItem.objects.values_list("kind", flat=True))
    assert kinds <= {ReportKind.ORGANISATION_ROLLUP, ReportKind.CELL_SUMMARY}


def test_the_beat_schedules_exist_and_name_registered_tasks():
    app.loader.import_default_modules()
    names = [row[0] for row in runpy.run_path(str(SCHEDULE_MIGRATION))["SCHEDULES"]]
    rows = {row.name: row for row in PeriodicTask.objects.filter(name__in=names).select_related("crontab")}

    assert set(rows) == set(names)
    nightly = rows["Báo cáo đánh giá sau hạn quyết định (hằng đêm)"]
    weekly = rows["Báo cáo tổng hợp trong đợt kiểm điểm (hằng tuần)"]
    assert nightly.task == tasks.nightly_reports.name == "reviews.tasks.nightly_reports"
    assert weekly.task == tasks.weekly_rollups.name == "reviews.tasks.weekly_rollups"
    for row in rows.values():
        assert row.enabled
        assert row.task in app.tasks
        assert row.crontab is not None
    assert nightly.crontab is not None and weekly.crontab is not None
    assert (nightly.crontab.minute, nightly.crontab.hour, nightly.crontab.day_of_week) == ("30", "1", "*")
    assert (weekly.crontab.minute, weekly.crontab.hour, weekly.crontab.day_of_week) == ("0", "2", "1")
    assert str(nightly.crontab.timezone) == "Asia/Ho_Chi_Minh"


# --- the report of a confirmed decision -----------------------------------------------------------------------


def test_confirming_a_decision_queues_the_individual_report_on_commit(cast, media, django_capture_on_commit_callbacks):
    review, decision = decided_review(cast)
    period = review.period
    assessment = review.assessments.order_by("position")[0]

    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.decision_confirm(
            decision=decision,
            grounds="Hoàn thành đúng hạn 2/2 nội dung cam kết, có minh chứng.",
            assessment_ids=[assessment.pk],
            acting_user=cast.head.user,
        )
    # Nothing is produced before the confirmation is committed.
    assert not Report.objects.exists()
    # The request for the report is written with the confirmation, and handed to the broker on commit.
    waiting = OutboxMessage.objects.get(task=tasks.produce_review_report.name)
    assert waiting.args == [review.pk] and waiting.sent_at is None

    for callback in queued:  # the commit
        callback()
    waiting.refresh_from_db()
    assert waiting.sent_at is not None

    report = Report.objects.get(kind=ReportKind.INDIVIDUAL, review=review)
    assert report.is_current and report.version == 1
    assert report.period == period
    assert (media / report.file.name).is_file()
    # A second delivery of the same task makes nothing new.
    assert tasks.produce_review_report.apply(args=(review.pk,)).get() == report.pk
    assert Report.objects.count() == 1
    assert len(pdf_files(media)) == 1


# --- the task settings ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("task", [tasks.produce_batch_item, tasks.produce_review_report], ids=lambda task: task.name)
def test_report_tasks_are_acknowledged_late_and_time_limited(task):
    assert task.acks_late is True
    assert task.reject_on_worker_lost is True
    assert task.max_retries == MAX_ATTEMPTS - 1
    assert task.soft_time_limit == tasks.REPORT_SOFT_TIME_LIMIT < task.time_limit == tasks.REPORT_TIME_LIMIT


def test_the_redis_visibility_timeout_outlasts_every_report_task(monkeypatch):
    """On Redis an unacknowledged task is delivered again once the visibility timeout passes: it must be
    longer than the longest a report task may run, and than the longest retry countdown (retries wait as
    unacknowledged messages in the worker), or a slow task runs twice."""
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6390/0")
    monkeypatch.delenv("CELERY_VISIBILITY_TIMEOUT", raising=False)
    production = runpy.run_path(str(BASE_SETTINGS))

    timeout = production["CELERY_BROKER_TRANSPORT_OPTIONS"]["visibility_timeout"]
    assert timeout == 2 * 3600
    assert timeout > tasks.REPORT_TIME_LIMIT
    assert timeout > production["CELERY_TASK_TIME_LIMIT"]
    longest_countdown = tasks.RETRY_BASE_SECONDS * 2 ** (MAX_ATTEMPTS - 2)
    assert timeout > longest_countdown
    # Items are sent again only once Redis has given back the message of a task whose worker died.
    assert tasks.STALLED_AFTER.total_seconds() > timeout + tasks.REPORT_TIME_LIMIT
    assert production["CELERY_TASK_ACKS_LATE"] is True
    assert production["CELERY_TASK_REJECT_ON_WORKER_LOST"] is True
    assert production["CELERY_WORKER_PREFETCH_MULTIPLIER"] == 1


def test_the_running_settings_outlast_the_report_tasks(settings):
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    if settings.CELERY_BROKER_URL.startswith("redis://"):
        assert options["visibility_timeout"] > tasks.REPORT_TIME_LIMIT
    else:
        # The filesystem transport has no visibility timeout: nothing is delivered twice while it runs.
        assert "visibility_timeout" not in options


# --- the admin ------------------------------------------------------------------------------------------------


def admin_url(model: Any, view: str, *args: Any) -> str:
    return reverse(f"admin:reviews_{model._meta.model_name}_{view}", args=args)


def test_reports_and_batches_are_shown_read_only_to_superusers_only(
    cast, period, programmes, media, django_capture_on_commit_callbacks
):
    batch = programme_batch(cast, period, [programmes[0].pk], django_capture_on_commit_callbacks(execute=True))
    report = Report.objects.get()
    superuser = Client()
    superuser.force_login(typed(User, UserFactory(username="quantri", is_staff=True, is_superuser=True)))
    pages = [
        admin_url(Report, "changelist"),
        admin_url(Report, "change", report.pk),
        admin_url(Report, "changelist") + f"?q={report.verification_code}",
        admin_url(ReportBatch, "changelist"),
        admin_url(ReportBatch, "change", batch.pk),
    ]
    for page in pages:
        assert superuser.get(page).status_code == 200, page
    assert str(report.file.name) in superuser.get(admin_url(Report, "change", report.pk)).content.decode()
    assert "1 / 0 / 1" in superuser.get(admin_url(ReportBatch, "changelist")).content.decode()
    for page in (admin_url(Report, "add"), admin_url(ReportBatch, "add")):
        assert superuser.get(page).status_code == 403, page
    assert superuser.post(admin_url(Report, "delete", report.pk), {"post": "yes"}).status_code == 403
    assert superuser.post(admin_url(ReportBatch, "delete", batch.pk), {"post": "yes"}).status_code == 403

    staff = Client()
    staff.force_login(admin_staff(cast.org_board, "reviews"))
    for page in pages:
        assert staff.get(page).status_code == 403, page
    assert Report.objects.count() == 1 and ReportBatch.objects.count() == 1
