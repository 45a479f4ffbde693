"""The morning reminders about commitments: each goes to the commitment's owner at most once per day, on the days
its settings say, counted in local days (Asia/Ho_Chi_Minh), whatever the reader chose for its kind.

The member's programme (make_confirmed) has two commitments due on 30/06/2026."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from programmes.action_programmes.progress import progress_report
from programmes.models import (
    AuditEvent,
    Commitment,
    Delivery,
    Notification,
    NotificationKind,
    NotificationPreference,
    ProgressStatus,
    ReminderLog,
)
from programmes.reminders import (
    commitment_reminders_send,
    due_pairs,
    every,
    overdue_pairs,
    overdue_without_evidence_pairs,
    stalled_pairs,
)
from tests.concurrency import race
from tests.programmes.programme_data import make_confirmed

pytestmark = pytest.mark.django_db

DEADLINE = datetime.date(2026, 6, 30)
PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def days(number: int) -> datetime.timedelta:
    return datetime.timedelta(days=number)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def programme(cast):
    return make_confirmed(cast.member, cast.secretary.user)


def commitments(programme) -> list[Commitment]:
    return list(Commitment.objects.filter(programme=programme).order_by("pk"))


def reminders(kind: str) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind).order_by("pk"))


def test_a_commitment_due_in_seven_days_reminds_its_owner_once_however_often_the_job_runs(
    cast, programme, django_capture_on_commit_callbacks
):
    today = DEADLINE - days(7)
    with django_capture_on_commit_callbacks(execute=True):
        first = commitment_reminders_send(today)
    with django_capture_on_commit_callbacks(execute=True):
        second = commitment_reminders_send(today)

    assert first[NotificationKind.COMMITMENT_DUE] == 2
    assert second[NotificationKind.COMMITMENT_DUE] == 0
    sent = reminders(NotificationKind.COMMITMENT_DUE)
    assert {notification.recipient for notification in sent} == {cast.member.user}
    assert len(sent) == 2
    assert sent[0].subject == "Nội dung cam kết sắp đến hạn (30/06/2026)"
    assert "Giải quyết đúng hạn 100% hồ sơ hành chính của khu phố, đợt 1" in sent[0].body + sent[1].body
    assert sent[0].link == reverse("programmes:programme_detail", args=[programme.pk])
    # One e-mail each, sent once.
    assert [message.to for message in mail.outbox] == [[cast.member.user.email]] * 2
    assert ReminderLog.objects.filter(kind=NotificationKind.COMMITMENT_DUE, day=today).count() == 2
    # Each run leaves its counts in the log, as the system's step.
    runs = AuditEvent.objects.filter(action="notification.reminders").order_by("pk")
    assert [(event.after or {})[NotificationKind.COMMITMENT_DUE] for event in runs] == [2, 0]


def test_the_next_day_and_the_day_before_remind_nothing_due(programme):
    assert due_pairs(DEADLINE - days(8)) == []
    assert due_pairs(DEADLINE - days(6)) == []


def test_a_finished_commitment_is_not_reminded(cast, programme):
    first = commitments(programme)[0]
    Commitment.objects.filter(pk=first.pk).update(status=ProgressStatus.DONE)
    assert [obj for _user, obj in due_pairs(DEADLINE - days(7))] == [commitments(programme)[1].pk]


def test_overdue_reminders_come_the_day_after_and_every_week_split_by_evidence(cast, programme):
    with_evidence, without = commitments(programme)
    progress_report(
        commitment=with_evidence,
        status=ProgressStatus.ON_TRACK,
        value_reached=None,
        files=[SimpleUploadedFile("so-theo-doi.pdf", PDF_BYTES, content_type="application/pdf")],
        acting_user=cast.member.user,
    )
    owner = cast.member.user.pk
    for late in (1, 8, 15):
        assert overdue_pairs(DEADLINE + days(late)) == [(owner, with_evidence.pk)], late
        assert overdue_without_evidence_pairs(DEADLINE + days(late)) == [(owner, without.pk)], late
    for quiet in (0, 2, 7, 9):
        assert overdue_pairs(DEADLINE + days(quiet)) == [], quiet
        assert overdue_without_evidence_pairs(DEADLINE + days(quiet)) == [], quiet


def test_done_without_evidence_past_the_deadline_is_reminded_but_dropped_is_not(cast, programme):
    done, dropped = commitments(programme)
    Commitment.objects.filter(pk=done.pk).update(status=ProgressStatus.DONE)
    Commitment.objects.filter(pk=dropped.pk).update(status=ProgressStatus.DROPPED)
    today = DEADLINE + days(1)
    assert overdue_without_evidence_pairs(today) == [(cast.member.user.pk, done.pk)]
    assert overdue_pairs(today) == []


def test_stalled_counts_local_days_since_the_last_report(settings, cast, programme):
    settings.REMINDER_STALLED_DAYS = 30
    first, second = commitments(programme)
    # 18:30 UTC on 1 March is 01:30 on 2 March in Hồ Chí Minh City: the report was made on 2 March.
    reported = datetime.datetime(2026, 3, 1, 18, 30, tzinfo=datetime.UTC)
    Commitment.objects.filter(pk=first.pk).update(last_reported_at=reported)
    Commitment.objects.filter(pk=second.pk).update(last_reported_at=reported + days(10))
    owner = cast.member.user.pk

    assert stalled_pairs(datetime.date(2026, 3, 31)) == []
    assert stalled_pairs(datetime.date(2026, 4, 1)) == [(owner, first.pk)]
    assert stalled_pairs(datetime.date(2026, 5, 1)) == [(owner, first.pk)]
    assert stalled_pairs(datetime.date(2026, 4, 2)) == []
    # Past its deadline a commitment is overdue, not stalled.
    assert stalled_pairs(datetime.date(2026, 7, 1) + days(0)) == []


def test_a_commitment_never_reported_is_stalled_from_its_confirmation(settings, cast, programme):
    settings.REMINDER_STALLED_DAYS = 30
    assert programme.current_version is not None
    confirmed = datetime.datetime(2026, 2, 1, 9, 0, tzinfo=datetime.UTC)
    type(programme.current_version).objects.filter(pk=programme.current_version_id).update(confirmed_at=confirmed)
    assert len(stalled_pairs(datetime.date(2026, 3, 3))) == 2


def test_the_days_settings_are_read_at_each_run(settings, programme):
    settings.REMINDER_DUE_DAYS = 3
    assert due_pairs(DEADLINE - days(7)) == []
    assert len(due_pairs(DEADLINE - days(3))) == 2


def test_every_lists_the_days_back_from_today():
    today = datetime.date(2026, 7, 20)
    assert every(today, first=1, step=7)[:3] == [
        datetime.date(2026, 7, 19),
        datetime.date(2026, 7, 12),
        today - days(15),
    ]


def test_a_reader_who_chose_the_digest_or_the_portal_gets_no_e_mail_at_once(
    cast, programme, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(
        user=cast.member.user, kind=NotificationKind.COMMITMENT_DUE, delivery=Delivery.DIGEST
    )
    with django_capture_on_commit_callbacks(execute=True):
        commitment_reminders_send(DEADLINE - days(7))
    assert mail.outbox == []
    assert {notification.delivery for notification in reminders(NotificationKind.COMMITMENT_DUE)} == {Delivery.DIGEST}


def test_a_programme_no_longer_in_force_reminds_nobody(cast, programme):
    type(programme).objects.filter(pk=programme.pk).update(state="closed")
    assert due_pairs(DEADLINE - days(7)) == []


def test_an_owner_without_an_account_is_not_reminded(cast, programme):
    type(cast.member).objects.filter(pk=cast.member.pk).update(user=None)
    assert due_pairs(DEADLINE - days(7)) == []


# --- Two runs at once (PostgreSQL) --------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_still_send_each_reminder_once(cast, migrated_rows):
    """The first run has logged its reminders and not committed yet when the second inserts the same rows: the
    unique constraint makes the second wait, then find them taken, and it sends nothing."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite runs one writer at a time")
    make_confirmed(cast.member, cast.secretary.user)
    today = DEADLINE - days(7)
    outcomes = race(lambda: commitment_reminders_send(today), lambda: commitment_reminders_send(today))

    sent = [outcomes["first"], outcomes["second"]]
    assert all(isinstance(outcome, dict) for outcome in sent), sent
    assert sorted(outcome[NotificationKind.COMMITMENT_DUE] for outcome in sent) == [0, 2]  # type: ignore[index]
    assert Notification.objects.filter(kind=NotificationKind.COMMITMENT_DUE).count() == 2
    assert ReminderLog.objects.filter(kind=NotificationKind.COMMITMENT_DUE, day=today).count() == 2
