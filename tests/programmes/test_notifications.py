"""Notifications: in the portal, emailed once after the commit (eager tasks in tests), never on rollback."""

import typing
from smtplib import SMTPRecipientsRefused

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from programmes.action_programmes.notifications import mark_read, notification_email_send, notify
from programmes.models import Notification
from programmes.tasks import send_notification_email
from publicity.tasks import send_answer_email
from tests.factories import UserFactory
from tests.programmes.programme_data import make_confirmed, make_draft, submit

pytestmark = pytest.mark.django_db

LINK = "/chuong-trinh/7/"


def account(username: str, email: str = "") -> User:
    return typing.cast(User, UserFactory(username=username, email=email))


def test_the_suite_runs_tasks_eagerly():
    # After the commit the task is handed over (programmes.outbox); eager mode runs it in place, so mail.outbox
    # shows the e-mail.
    assert settings.CELERY_TASK_ALWAYS_EAGER is True
    assert send_notification_email.app.conf.task_always_eager is True


def test_the_email_goes_out_after_the_commit_with_the_link_from_the_site_url(
    settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://canbo.benthanh.example.vn"
    recipient = account("binh", "binh@example.vn")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = notify(
            recipient=recipient,
            subject="Chờ xác nhận: chương trình của Trần Thị Ánh",
            body="Mời đồng chí xem.",
            link=LINK,
        )
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["binh@example.vn"]
    assert message.subject == "Chờ xác nhận: chương trình của Trần Thị Ánh"
    text, footer = message.body.split("\n\n—\n")
    assert text == "Mời đồng chí xem.\n\nhttps://canbo.benthanh.example.vn/chuong-trinh/7/"
    # Every e-mail ends with the link that turns its kind off, on the portal's address, and says so in its headers.
    assert "Không nhận thư về “Thông báo khác” nữa: https://canbo.benthanh.example.vn/tai-khoan/huy-nhan-thu/" in footer
    assert message.extra_headers["List-Unsubscribe"].startswith("<https://canbo.benthanh.example.vn/tai-khoan/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    assert notification.read_at is None


def test_sending_twice_sends_once(django_capture_on_commit_callbacks):
    recipient = account("binh", "binh@example.vn")
    with django_capture_on_commit_callbacks(execute=False):
        notification = notify(recipient=recipient, subject="Thông báo", body="", link="")
    assert notification_email_send(notification_id=notification.pk) is True
    emailed_at = Notification.objects.get(pk=notification.pk).emailed_at
    assert notification_email_send(notification_id=notification.pk) is False
    assert send_notification_email.delay(notification.pk).get() is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].body.startswith("\n\n—\n")
    assert Notification.objects.get(pk=notification.pk).emailed_at == emailed_at


def test_a_recipient_without_email_gets_the_portal_notification_only(django_capture_on_commit_callbacks):
    recipient = account("khongthu")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = notify(recipient=recipient, subject="Thông báo", body="Nội dung", link=LINK)
    assert callbacks == []
    assert mail.outbox == []
    assert list(Notification.objects.filter(recipient=recipient)) == [notification]
    assert notification_email_send(notification_id=notification.pk) is False
    assert Notification.objects.get(pk=notification.pk).emailed_at is None


def test_an_unknown_notification_sends_nothing():
    assert notification_email_send(notification_id=123456) is False
    assert mail.outbox == []


def test_a_rolled_back_change_sends_nothing(django_capture_on_commit_callbacks):
    recipient = account("binh", "binh@example.vn")
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(recipient=recipient, subject="Thông báo", body="", link=LINK)
        raise RuntimeError("the service failed after notifying")
    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_a_submission_emails_the_confirmer_once_with_the_review_link(cast, django_capture_on_commit_callbacks):
    programme = make_draft(cast.member)
    with django_capture_on_commit_callbacks(execute=True):
        submit(programme)
    assert [message.to for message in mail.outbox] == [[cast.secretary.user.email]]
    review = reverse("programmes:programme_review", args=[programme.pk, 1])
    assert f"\n\n{settings.SITE_URL}{review}\n\n—\n" in mail.outbox[0].body
    assert mail.outbox[0].subject == "Chờ xác nhận: chương trình hành động của Trần Thị Ánh"


def test_a_refused_submission_emails_nobody(cast, django_capture_on_commit_callbacks):
    programme = make_draft(cast.member, weights=(50, 40))
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ValidationError, match="90"):
        submit(programme)
    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_mark_read_marks_only_the_recipient_s_unread_notifications():
    alice = account("alice")
    binh = account("binh")
    for number in range(3):
        notify(recipient=alice, subject=f"Thông báo {number}", body="", link="")
    notify(recipient=binh, subject="Của Bình", body="", link="")
    assert mark_read(recipient=alice) == 3
    assert mark_read(recipient=alice) == 0
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=binh, read_at__isnull=True).count() == 1


def test_a_title_typed_with_line_breaks_is_emailed_with_a_subject_on_one_line(cast, django_capture_on_commit_callbacks):
    title = "Chương trình hành động\r\nBcc: ai@example.vn\nnhiệm kỳ 2026"
    with django_capture_on_commit_callbacks(execute=True):
        make_confirmed(cast.member, cast.secretary.user, title=title)

    confirmed = Notification.objects.get(recipient=cast.member.user, subject__startswith="Đã xác nhận")
    assert confirmed.subject == "Đã xác nhận: Chương trình hành động Bcc: ai@example.vn nhiệm kỳ 2026 (phiên bản 1)"
    assert confirmed.emailed_at is not None
    sent = [message for message in mail.outbox if message.subject == confirmed.subject]
    assert [message.to for message in sent] == [[cast.member.user.email]]
    assert sent[0].bcc == []


def test_a_notification_stored_with_a_line_break_before_the_fix_is_still_sent():
    recipient = account("binh", "binh@example.vn")
    notification = Notification.objects.create(recipient=recipient, subject="Đã xác nhận: Dòng 1\r\nDòng 2", body="")

    assert notification_email_send(notification_id=notification.pk) is True

    assert [message.subject for message in mail.outbox] == ["Đã xác nhận: Dòng 1 Dòng 2"]
    assert Notification.objects.get(pk=notification.pk).emailed_at is not None


def test_e_mail_tasks_retry_a_mail_server_failure_for_days_and_never_a_refused_address():
    for task in (send_notification_email, send_answer_email):
        # Celery puts the options on the task; its stubs do not declare the retry ones.
        options = {name: getattr(task, name) for name in ("autoretry_for", "dont_autoretry_for", "retry_backoff_max")}
        assert options == {
            "autoretry_for": (OSError,),
            "dont_autoretry_for": (SMTPRecipientsRefused,),
            "retry_backoff_max": 3600,
        }
        assert task.max_retries == 100
        # A retry waits as an unacknowledged message in the worker: shorter than Redis's visibility timeout.
        assert options["retry_backoff_max"] < 2 * 3600
        assert task.acks_late is True
