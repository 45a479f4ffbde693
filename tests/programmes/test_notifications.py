"""Notifications: in the portal, emailed once after the commit (eager tasks in tests), never on rollback."""

import typing

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
from tests.factories import UserFactory
from tests.programmes.programme_data import make_draft, submit

pytestmark = pytest.mark.django_db

LINK = "/chuong-trinh/7/"


def account(username: str, email: str = "") -> User:
    return typing.cast(User, UserFactory(username=username, email=email))


def test_the_suite_runs_tasks_eagerly():
    # The on-commit callback calls .delay(); eager mode runs the task in place, so the outbox shows it.
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
    assert message.body == "Mời đồng chí xem.\n\nhttps://canbo.benthanh.example.vn/chuong-trinh/7/"
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
    assert mail.outbox[0].body == ""
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
    assert mail.outbox[0].body.endswith(f"\n\n{settings.SITE_URL}{review}")
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
