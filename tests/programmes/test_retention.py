"""Retention: the nightly purge deletes row history, notifications, read events and uploaded import files once
they are older than their settings allow, in batches, once, and says how many in the audit log."""

import datetime
import uuid

import pytest
from axes.models import AccessLog
from django.core.files.base import ContentFile
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from config.celery import app
from programmes import privacy
from programmes.models import (
    AuditEvent,
    Cadre,
    CadrePrivateDetails,
    ImportJob,
    ImportKind,
    ImportStatus,
    Membership,
    Notification,
    ReadEvent,
    ReadKind,
    ReminderLog,
)
from programmes.tasks import enforce_retention

pytestmark = pytest.mark.django_db

# The night the purge runs: rows the tests make without a date are from this night too.
NOW = timezone.now()


@pytest.fixture(autouse=True)
def periods(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.HISTORY_RETENTION_DAYS = 100
    settings.NOTIFICATION_RETENTION_DAYS = 30
    settings.READ_EVENT_RETENTION_DAYS = 60
    settings.IMPORT_FILE_RETENTION_DAYS = 10
    settings.SIGN_IN_LOG_RETENTION_DAYS = 20


def days_before_now(days: int) -> datetime.datetime:
    return NOW - datetime.timedelta(days=days)


def age_history(cadre: Cadre, days: int) -> None:
    """The history rows of the cadre, their private details and membership, as if written `days` before NOW."""
    moment = days_before_now(days)
    Cadre.history.filter(id=cadre.pk).update(history_date=moment)
    CadrePrivateDetails.history.filter(cadre_id=cadre.pk).update(history_date=moment)
    Membership.history.filter(cadre_id=cadre.pk).update(history_date=moment)


def notification(user, days: int) -> Notification:
    return Notification.objects.create(
        recipient=user, subject=f"Thông báo {days} ngày", created_at=days_before_now(days)
    )


def reminder_log(user, days: int) -> ReminderLog:
    sent = days_before_now(days)
    return ReminderLog.objects.create(
        recipient=user, kind="commitment_due", object_id=days, day=sent.date(), sweep=uuid.uuid4(), created_at=sent
    )


def read_event(cast, days: int) -> ReadEvent:
    return ReadEvent.objects.create(
        at=days_before_now(days),
        reader=cast.org_board,
        reader_repr="org_board",
        kind=ReadKind.CADRE_RECORD,
        subject=cast.member,
        object_repr=str(cast.member),
    )


def import_job(cast, days: int) -> ImportJob:
    job = ImportJob(kind=ImportKind.ROSTER, original_name="dang-vien.csv", scope=cast.ward, created_by=cast.org_board)
    job.file.save("dang-vien.csv", ContentFile(b"ma_dang_vien\nDV1\n"), save=False)
    job.status = ImportStatus.SUCCEEDED
    job.finished_at = days_before_now(days)
    job.save()
    return job


def sign_in(username: str, days: int) -> AccessLog:
    record = AccessLog.objects.create(username=username, ip_address="203.0.113.9", user_agent="Firefox")
    # The time of a sign-in is set on creation (auto_now_add): moved back afterwards.
    AccessLog.objects.filter(pk=record.pk).update(attempt_time=days_before_now(days))
    return record


def history_count(cadre: Cadre) -> int:
    return Cadre.history.filter(id=cadre.pk).count()


@pytest.mark.postgres
def test_only_what_is_past_its_period_is_deleted_and_the_audit_log_says_how_much(
    cast, tmp_path, django_capture_on_commit_callbacks
):
    age_history(cast.outsider, 101)
    kept_history = history_count(cast.member)
    assert history_count(cast.outsider) == 1 and kept_history == 1
    old_note, new_note = notification(cast.member.user, 31), notification(cast.member.user, 29)
    old_log, new_log = reminder_log(cast.member.user, 31), reminder_log(cast.member.user, 29)
    old_read, new_read = read_event(cast, 61), read_event(cast, 59)
    old_job, new_job = import_job(cast, 11), import_job(cast, 9)
    old_sign_in, new_sign_in = sign_in("member", 21), sign_in("member", 19)
    old_file = tmp_path / old_job.file.name

    with django_capture_on_commit_callbacks(execute=True):
        counts = privacy.retention_enforce(now=NOW)

    assert counts == {
        "history_rows": 3,
        "notifications": 1,
        "reminder_log": 1,
        "import_files": 1,
        "export_files": 0,
        "sign_in_records": 1,
        "read_events": 1,
    }
    # The outsider's cadre, private details and membership rows were old; the others' are recent.
    assert history_count(cast.outsider) == 0 and history_count(cast.member) == kept_history
    assert list(Notification.objects.filter(pk__in=[old_note.pk, new_note.pk])) == [new_note]
    assert list(ReadEvent.objects.filter(pk__in=[old_read.pk, new_read.pk])) == [new_read]
    assert list(ReminderLog.objects.filter(pk__in=[old_log.pk, new_log.pk])) == [new_log]
    assert list(AccessLog.objects.filter(pk__in=[old_sign_in.pk, new_sign_in.pk])) == [new_sign_in]
    old_job.refresh_from_db()
    new_job.refresh_from_db()
    assert old_job.file.name == "" and not old_file.exists()
    assert new_job.file.name != "" and (tmp_path / new_job.file.name).exists()
    # The record of the import stays; only the uploaded file is gone.
    assert old_job.status == ImportStatus.SUCCEEDED
    event = AuditEvent.objects.get(action="privacy.retention")
    assert event.actor is None and event.after == counts

    # A second run the same night finds nothing and writes nothing.
    assert privacy.retention_enforce(now=NOW) == {
        "history_rows": 0,
        "notifications": 0,
        "reminder_log": 0,
        "import_files": 0,
        "export_files": 0,
        "sign_in_records": 0,
        "read_events": 0,
    }
    assert AuditEvent.objects.filter(action="privacy.retention").count() == 1


def test_the_purge_works_in_batches(cast, monkeypatch):
    monkeypatch.setattr(privacy, "RETENTION_BATCH", 2)
    for days in range(31, 36):
        notification(cast.member.user, days)
    for days in range(61, 66):
        read_event(cast, days)

    counts = privacy.retention_enforce(now=NOW)

    assert counts["notifications"] == 5 and counts["read_events"] == 5
    assert not Notification.objects.exists() and not ReadEvent.objects.exists()


def test_the_defaults_are_the_documented_ones():
    from config.settings import base

    assert base.HISTORY_RETENTION_DAYS == 1095
    assert base.NOTIFICATION_RETENTION_DAYS == 365
    assert base.READ_EVENT_RETENTION_DAYS == 1095
    assert base.IMPORT_FILE_RETENTION_DAYS == 30
    assert base.SIGN_IN_LOG_RETENTION_DAYS == 180
    assert base.FEEDBACK_CONTACT_RETENTION_DAYS == 180


def test_the_nightly_task_runs_the_purge(cast, settings):
    settings.NOTIFICATION_RETENTION_DAYS = 1
    Notification.objects.create(
        recipient=cast.member.user, subject="Cũ", created_at=timezone.now() - datetime.timedelta(days=2)
    )

    counts = enforce_retention.delay().get()

    assert counts["notifications"] == 1
    assert not Notification.objects.exists()


def test_the_purge_is_on_the_beat_schedule_every_night():
    app.loader.import_default_modules()
    row = PeriodicTask.objects.select_related("crontab").get(task="programmes.tasks.enforce_retention")

    assert row.enabled and row.task == enforce_retention.name and row.task in app.tasks
    assert row.crontab is not None
    assert (row.crontab.minute, row.crontab.hour, row.crontab.day_of_week) == ("40", "3", "*")
    assert str(row.crontab.timezone) == "Asia/Ho_Chi_Minh"
