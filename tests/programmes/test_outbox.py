"""The outbox: every task is written with the change that asks for it and handed to the broker after the commit;
with the broker away the page still answers, and the sweep sends what waited once the broker is back.

"Away" is a Redis URL on a port where nothing listens, as when Redis is stopped: the real transport refuses.
"Back" is the suite's eager mode, where handing a task over runs it here (tests/integration runs the same
journeys on a real Redis that is stopped and started again, with a worker process).
"""

import datetime
import io
import time

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from config.celery import app
from programmes import outbox
from programmes.models import ImportJob, ImportKind, ImportStatus, Notification, OutboxMessage
from programmes.tasks import run_import_job, send_notification_email, send_outbox
from programmes.text import one_line
from reviews.models import Decision, DecisionState, ItemState, Report, ReportBatch, ReportKind
from reviews.tasks import produce_batch_item, produce_review_report
from tests.broker import broker_away
from tests.factories import client_for
from tests.programmes.import_files import ROSTER_HEADERS, to_xlsx
from tests.programmes.test_import_roster import roster_rows
from tests.reviews.review_data import GROUNDS, decided_review, final_review

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def unsent(task) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(task=task.name, sent_at__isnull=True).order_by("pk"))


# --- Writing and sending ---------------------------------------------------------------------------------------


def test_a_task_is_written_with_the_change_and_sent_only_after_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = outbox.enqueue(run_import_job, 123456)
    assert (message.task, message.args, message.sent_at) == ("programmes.tasks.run_import_job", [123456], None)
    assert len(callbacks) == 1

    callbacks[0]()  # the commit: the eager suite runs the task (no such job: it skips)

    message.refresh_from_db()
    assert message.sent_at is not None and message.attempts == 1


def test_a_task_may_be_asked_for_by_its_registered_name(django_capture_on_commit_callbacks):
    # How the services ask for the tasks that call them, without importing the task module.
    with django_capture_on_commit_callbacks(execute=False):
        by_name = outbox.enqueue("programmes.tasks.run_import_job", 7)
        many = outbox.enqueue_many("programmes.tasks.run_import_job", [(8,), (9,)])
    assert [message.task for message in (by_name, *many)] == [run_import_job.name] * 3
    assert outbox.waiting("programmes.tasks.run_import_job", [8])
    assert not outbox.waiting("programmes.tasks.run_import_job", [10])


@pytest.mark.parametrize("name", ["programmes.tasks.run_import_jobs", "programmes.outbox.CHUNK", "nowhere.task"])
def test_a_name_that_is_no_task_is_refused_where_it_is_written(name):
    with pytest.raises((ImportError, LookupError)):
        outbox.enqueue(name, 1)
    assert not OutboxMessage.objects.exists()


def test_a_rolled_back_change_leaves_no_task(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        outbox.enqueue(run_import_job, 1)
        raise RuntimeError("the service failed after asking for the task")
    assert callbacks == []
    assert not OutboxMessage.objects.exists()


def test_with_the_broker_away_the_task_waits_and_the_caller_is_not_kept_long(django_capture_on_commit_callbacks):
    started = time.monotonic()
    with broker_away(), django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue_many(run_import_job, [(1,), (2,), (3,)])
    assert time.monotonic() - started < 5

    first, second, third = OutboxMessage.objects.order_by("pk")
    assert first.sent_at is None and first.attempts == 1
    assert first.last_error.startswith("OperationalError")
    assert first.due_at <= timezone.now()
    # Tried once: the others were not tried against a broker that had just refused.
    assert [(message.sent_at, message.attempts) for message in (second, third)] == [(None, 0), (None, 0)]
    assert second.due_at <= timezone.now() and third.due_at <= timezone.now()
    assert outbox.backlog().unsent == 3


@pytest.mark.postgres
def test_the_sweep_sends_what_waited_once_the_broker_is_back_and_nothing_twice():
    messages = [OutboxMessage.objects.create(task=run_import_job.name, args=[number]) for number in (1, 2)]
    with broker_away():
        assert outbox.send_due() == 0
    assert outbox.backlog().unsent == 2

    assert outbox.send_due() == 2
    assert outbox.send_due() == 0
    for message in messages:
        message.refresh_from_db()
        assert message.sent_at is not None
    assert outbox.backlog() == outbox.Backlog(unsent=0, oldest_age_seconds=None)


@pytest.mark.postgres
def test_a_message_another_sender_holds_is_not_sent_again():
    message = OutboxMessage.objects.create(task=run_import_job.name, args=[1])
    _lease, taken = outbox._claim([message.pk])
    assert taken == [message]

    assert outbox.send([message.pk]) == 0
    assert outbox.send_due() == 0
    message.refresh_from_db()
    assert message.sent_at is None and message.attempts == 1

    # A sender that died lets it go once its lease has passed.
    OutboxMessage.objects.filter(pk=message.pk).update(due_at=timezone.now())
    assert outbox.send_due() == 1


def test_a_message_naming_no_known_task_is_set_aside_without_holding_up_the_rest():
    lost = OutboxMessage.objects.create(task="programmes.tasks.no_longer_exists", args=[1])
    waiting = OutboxMessage.objects.create(task=run_import_job.name, args=[2])

    outbox.send_due()

    lost.refresh_from_db()
    waiting.refresh_from_db()
    assert waiting.sent_at is not None
    assert lost.sent_at is None and lost.last_error == "ImportError"
    assert lost.due_at > timezone.now() + datetime.timedelta(hours=23)


def test_the_sweep_forgets_messages_sent_more_than_a_week_ago():
    long_ago = timezone.now() - outbox.KEEP_SENT - datetime.timedelta(minutes=1)
    OutboxMessage.objects.create(task=run_import_job.name, args=[1], sent_at=long_ago)
    recent = OutboxMessage.objects.create(task=run_import_job.name, args=[2], sent_at=timezone.now())

    outbox.send_due()

    assert list(OutboxMessage.objects.all()) == [recent]


def test_the_sweep_runs_every_minute_on_the_beat_and_by_hand():
    row = PeriodicTask.objects.select_related("interval").get(task=send_outbox.name)
    assert row.enabled
    assert (row.interval.every, row.interval.period) == (1, IntervalSchedule.MINUTES)
    assert row.expire_seconds is not None and row.expire_seconds < 60
    assert send_outbox.name in app.tasks

    OutboxMessage.objects.create(task=run_import_job.name, args=[1])
    refused = io.StringIO()
    with broker_away():
        call_command("send_outbox", stdout=refused)
    assert "Đã gửi 0 tác vụ; còn 1 tác vụ chờ gửi." in refused.getvalue()
    assert send_outbox.delay().get() == 1


def test_every_task_the_portal_asks_for_is_found_by_its_name():
    for task in (run_import_job, send_notification_email, produce_batch_item, produce_review_report):
        assert import_string(OutboxMessage(task=task.name).task) is task


# --- The three journeys with the broker away --------------------------------------------------------------------


@pytest.mark.postgres
def test_an_import_upload_with_the_broker_away_is_saved_and_runs_once_the_broker_is_back(
    cast, django_capture_on_commit_callbacks
):
    client = client_for(cast.org_board)
    upload = SimpleUploadedFile("dang-vien.xlsx", to_xlsx(ROSTER_HEADERS, roster_rows(cast.cell_a.code)))
    with broker_away(), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("programmes:import_new"), {"kind": ImportKind.ROSTER, "scope": cast.ward.pk, "file": upload}
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert job.status == ImportStatus.QUEUED
    assert [message.args for message in unsent(run_import_job)] == [[job.pk]]
    page = client.get(response["Location"]).text
    assert "việc nhập sẽ tự bắt đầu trong ít phút" in page
    assert 'hx-trigger="every 2s"' in page

    outbox.send_due()

    job.refresh_from_db()
    assert job.status == ImportStatus.SUCCEEDED
    assert "Tạo mới: 3" in client.get(response["Location"]).text


@pytest.mark.postgres
def test_a_report_request_with_the_broker_away_is_saved_and_its_batch_completes_once_the_broker_is_back(
    cast, django_capture_on_commit_callbacks
):
    review = final_review(cast)
    client = client_for(cast.committee_staff.user)
    url = f"{reverse('reviews:report_request')}?dot={review.period.pk}"
    with broker_away(), django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"target": "cell", "cell": cast.cell_a.pk}, follow=True)
    batch = ReportBatch.objects.get()
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("reviews:batch_detail", args=[batch.pk])
    page = response.text
    assert "việc tạo sẽ tự bắt đầu trong ít phút" in page
    assert "các báo cáo còn lại sẽ tự bắt đầu được tạo trong ít phút" in page
    assert len(unsent(produce_batch_item)) == 2

    outbox.send_due()

    batch.refresh_from_db()
    assert batch.finished_at is not None
    assert set(batch.items.values_list("state", flat=True)) == {ItemState.DONE}


def test_a_rating_confirmation_with_the_broker_away_emails_the_member_once_the_broker_is_back(
    cast, django_capture_on_commit_callbacks
):
    review, decision = decided_review(cast)
    first = review.assessments.order_by("position")[0]
    client = client_for(cast.head.user)
    mail.outbox.clear()
    with broker_away(), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reviews:decision_confirm", args=[review.pk]), {"grounds": GROUNDS, "assessments": [first.pk]}
        )
    assert response.status_code == 302
    assert Decision.objects.get(pk=decision.pk).state == DecisionState.CONFIRMED
    notification = Notification.objects.get(recipient=cast.member.user, subject__startswith="Kết quả xếp loại")
    assert notification.emailed_at is None
    assert mail.outbox == []
    assert [notification.pk] in [message.args for message in unsent(send_notification_email)]

    outbox.send_due()
    outbox.send_due()
    send_notification_email.delay(notification.pk)  # a second delivery of the same task

    notification.refresh_from_db()
    assert notification.emailed_at is not None
    assert [message.to for message in mail.outbox if message.subject == notification.subject] == [
        [cast.member.user.email]
    ]
    # The individual report asked for on confirmation waited too, and is made once.
    assert Report.objects.filter(kind=ReportKind.INDIVIDUAL, review=review).count() == 1


# --- Subjects on one line ---------------------------------------------------------------------------------------


def test_one_line_turns_line_breaks_and_control_characters_into_single_spaces():
    assert one_line("Chương trình\r\nBcc: ai@example.vn\tnăm 2026\u2028 ") == "Chương trình Bcc: ai@example.vn năm 2026"
    assert one_line("") == ""
