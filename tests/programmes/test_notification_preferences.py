"""How each reader receives each kind of notification: at once, in the day's digest, or in the portal only; the
language they read them in; and the link in every e-mail that turns a kind off without signing in."""

import datetime
import re
import time
import typing

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programmes.accounts.forms import PREFERENCE_GROUPS
from programmes.action_programmes.digests import digest_email_send, digest_sweep
from programmes.action_programmes.notification_preferences import (
    preferences_of,
    preferences_save,
    read_unsubscribe_token,
)
from programmes.action_programmes.notifications import (
    UNSUBSCRIBE_SALT,
    in_language_of,
    notify,
    unsubscribe_token,
    unsubscribe_url,
)
from programmes.models import (
    AccountPreferences,
    AuditEvent,
    Delivery,
    Notification,
    NotificationKind,
    NotificationPreference,
    ReminderLog,
)
from tests.factories import UserFactory, client_for
from tests.programmes.programme_data import make_draft, submit

pytestmark = pytest.mark.django_db

UNSUBSCRIBE_LINK = re.compile(r"https?://\S+/tai-khoan/huy-nhan-thu/\S+/")


def account(username: str, email: str = "") -> User:
    return typing.cast(User, UserFactory(username=username, email=email))


def choose(user: User, kind: str, delivery: str) -> None:
    NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": delivery})


def tell(user: User, kind: str, subject: str) -> Notification:
    return notify(recipient=user, subject=subject, body=f"Nội dung: {subject}", link="/kiem-diem/", kind=kind)


# --- The daily digest ---------------------------------------------------------------------------------------------


def test_a_member_with_the_digest_gets_one_e_mail_listing_three_items(django_capture_on_commit_callbacks):
    member = account("anh", "anh@example.vn")
    for kind in (NotificationKind.PERIOD_OPENED, NotificationKind.REVIEW_PROMPT, NotificationKind.RESULT_CONFIRMED):
        choose(member, kind, Delivery.DIGEST)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        tell(member, NotificationKind.PERIOD_OPENED, "Đợt kiểm điểm mới: năm 2026")
        tell(member, NotificationKind.REVIEW_PROMPT, "Gợi ý kiểm điểm: năm 2026")
        tell(member, NotificationKind.RESULT_CONFIRMED, "Kết quả xếp loại: Hoàn thành tốt nhiệm vụ")
    assert callbacks == []
    assert mail.outbox == []

    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        assert digest_sweep(today) == 1

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anh@example.vn"]
    assert message.subject == "Thông báo trong ngày: 3 mục"
    for subject in ("Đợt kiểm điểm mới: năm 2026", "Gợi ý kiểm điểm: năm 2026", "Kết quả xếp loại: Hoàn thành tốt"):
        assert subject in message.body
    assert message.body.count(f"{settings.SITE_URL}/kiem-diem/") == 3
    # A link per kind in it, and the header's link turns every kind off.
    assert len(UNSUBSCRIBE_LINK.findall(str(message.body))) == 3
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert not Notification.objects.filter(recipient=member, emailed_at__isnull=True).exists()


def test_the_digest_goes_once_a_day_and_only_with_something_new(django_capture_on_commit_callbacks):
    member = account("anh", "anh@example.vn")
    choose(member, NotificationKind.PERIOD_OPENED, Delivery.DIGEST)
    today = timezone.localdate()
    tell(member, NotificationKind.PERIOD_OPENED, "Đợt kiểm điểm mới")
    with django_capture_on_commit_callbacks(execute=True):
        digest_sweep(today)
    tell(member, NotificationKind.PERIOD_OPENED, "Đợt kiểm điểm bổ sung")
    with django_capture_on_commit_callbacks(execute=True):
        assert digest_sweep(today) == 0
    assert len(mail.outbox) == 1
    # The task itself sends nothing twice: the second call finds nothing waiting once it sent.
    assert digest_email_send(user_id=member.pk) is True
    assert digest_email_send(user_id=member.pk) is False
    assert len(mail.outbox) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert digest_sweep(today + datetime.timedelta(days=1)) == 0
    assert ReminderLog.objects.filter(kind="digest", recipient=member).count() == 1


def test_immediate_and_portal_only_kinds_stay_out_of_the_digest(django_capture_on_commit_callbacks):
    member = account("anh", "anh@example.vn")
    choose(member, NotificationKind.REVIEW_PROMPT, Delivery.PORTAL)
    with django_capture_on_commit_callbacks(execute=True):
        tell(member, NotificationKind.PERIOD_OPENED, "Đợt kiểm điểm mới")
        tell(member, NotificationKind.REVIEW_PROMPT, "Gợi ý kiểm điểm")
    assert [message.subject for message in mail.outbox] == ["Đợt kiểm điểm mới"]
    with django_capture_on_commit_callbacks(execute=True):
        assert digest_sweep() == 0
    assert len(mail.outbox) == 1
    prompt = Notification.objects.get(kind=NotificationKind.REVIEW_PROMPT)
    assert prompt.delivery == Delivery.PORTAL and prompt.emailed_at is None


def test_an_account_without_an_address_keeps_everything_in_the_portal(django_capture_on_commit_callbacks):
    member = account("khongthu")
    choose(member, NotificationKind.PERIOD_OPENED, Delivery.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        tell(member, NotificationKind.PERIOD_OPENED, "Đợt kiểm điểm mới")
        assert digest_sweep() == 0
    assert mail.outbox == []
    assert Notification.objects.get().delivery == Delivery.PORTAL


# --- The link that turns a kind off -------------------------------------------------------------------------------


def emailed_link(user: User, kind: str, django_capture_on_commit_callbacks) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        tell(user, kind, "Thông báo có liên kết hủy")
    links = UNSUBSCRIBE_LINK.findall(str(mail.outbox[-1].body))
    assert len(links) == 1
    assert mail.outbox[-1].extra_headers["List-Unsubscribe"] == f"<{links[0]}>"
    return links[0].removeprefix(settings.SITE_URL)


def test_the_unsubscribe_link_turns_its_kind_off_in_one_click_without_signing_in(django_capture_on_commit_callbacks):
    member = account("anh", "anh@example.vn")
    link = emailed_link(member, NotificationKind.REVIEW_PROMPT, django_capture_on_commit_callbacks)
    browser = Client(enforce_csrf_checks=True)

    page = browser.get(link)
    assert page.status_code == 200
    assert "Thôi gửi thư điện tử về “Nội dung gợi ý kiểm điểm”" in page.text
    assert not NotificationPreference.objects.exists(), "opening the link changes nothing"

    done = browser.post(link)
    assert done.status_code == 200
    assert "Đã thôi gửi thư về “Nội dung gợi ý kiểm điểm”" in done.text
    assert preferences_of(member).deliveries[NotificationKind.REVIEW_PROMPT] == Delivery.PORTAL
    assert preferences_of(member).deliveries[NotificationKind.PERIOD_OPENED] == Delivery.IMMEDIATE
    event = AuditEvent.objects.get(action="notification.unsubscribe")
    assert event.actor == member and event.after is not None
    assert event.after["deliveries"] == {NotificationKind.REVIEW_PROMPT: Delivery.PORTAL}

    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        tell(member, NotificationKind.REVIEW_PROMPT, "Gợi ý kiểm điểm khác")
    assert len(mail.outbox) == sent, "no e-mail of a kind turned off"
    assert Notification.objects.filter(subject="Gợi ý kiểm điểm khác").exists(), "still in the portal"
    # Twice changes nothing more, and writes no second event.
    assert browser.post(link).status_code == 200
    assert AuditEvent.objects.filter(action="notification.unsubscribe").count() == 1


def test_a_mail_program_posts_the_one_click_unsubscribe(django_capture_on_commit_callbacks):
    member = account("anh", "anh@example.vn")
    link = emailed_link(member, NotificationKind.PERIOD_OPENED, django_capture_on_commit_callbacks)
    response = Client(enforce_csrf_checks=True).post(
        link, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert preferences_of(member).deliveries[NotificationKind.PERIOD_OPENED] == Delivery.PORTAL


def test_the_digest_link_in_the_header_turns_every_kind_off(django_capture_on_commit_callbacks):
    member = account("anh", "anh@example.vn")
    choose(member, NotificationKind.PERIOD_OPENED, Delivery.DIGEST)
    tell(member, NotificationKind.PERIOD_OPENED, "Đợt kiểm điểm mới")
    with django_capture_on_commit_callbacks(execute=True):
        digest_sweep()
    link = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>").removeprefix(settings.SITE_URL)
    assert Client().post(link).status_code == 200
    assert set(preferences_of(member).deliveries.values()) == {Delivery.PORTAL}


def bad_links(member: User) -> dict[str, str]:
    good = unsubscribe_token(member, NotificationKind.PERIOD_OPENED)
    payload, _stamp, _signature = good.split(":")
    other = account("binh", "binh@example.vn")
    forged = signing.dumps({"u": other.pk, "k": NotificationKind.PERIOD_OPENED, "a": "0" * 16}, salt=UNSUBSCRIBE_SALT)
    return {
        "altered": good[:-2] + ("AA" if not good.endswith("AA") else "BB"),
        "another salt": signing.dumps({"u": member.pk, "k": NotificationKind.PERIOD_OPENED}),
        "no signature": payload,
        "another account's without its address": forged,
        "an unknown kind": signing.dumps({"u": member.pk, "k": "everything", "a": "x"}, salt=UNSUBSCRIBE_SALT),
    }


def test_a_forged_or_altered_link_changes_nothing_and_tells_nothing(django_capture_on_commit_callbacks):
    member = account("anh", "anh@example.vn")
    for what, token in bad_links(member).items():
        url = reverse("accounts:unsubscribe", args=[token])
        for method in ("get", "post"):
            response = getattr(Client(), method)(url)
            assert response.status_code == 404, (what, method)
            assert "không hợp lệ hoặc đã hết hạn" in response.text
    assert not NotificationPreference.objects.exists()
    assert not AuditEvent.objects.filter(action="notification.unsubscribe").exists()


def test_a_link_expires_and_one_sent_to_a_former_address_stops_working(monkeypatch):
    member = account("anh", "anh@example.vn")
    token = unsubscribe_token(member, NotificationKind.PERIOD_OPENED)
    assert read_unsubscribe_token(token) is not None
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now - (settings.NOTIFICATION_UNSUBSCRIBE_DAYS + 1) * 86400)
    old = unsubscribe_token(member, NotificationKind.PERIOD_OPENED)
    monkeypatch.undo()
    assert read_unsubscribe_token(old) is None
    member.email = "anh.moi@example.vn"
    member.save(update_fields=["email"])
    assert read_unsubscribe_token(token) is None
    assert read_unsubscribe_token(unsubscribe_token(member, NotificationKind.PERIOD_OPENED)) is not None


def test_the_link_is_in_the_readers_language():
    member = account("anh", "anh@example.vn")
    AccountPreferences.objects.create(user=member, language="en")
    with in_language_of(member):
        assert unsubscribe_url(member, NotificationKind.PERIOD_OPENED).startswith(
            f"{settings.SITE_URL}/en/tai-khoan/huy-nhan-thu/"
        )


# --- The page where the reader chooses ----------------------------------------------------------------------------


def test_every_kind_is_on_the_page_once():
    kinds = [kind for _title, group in PREFERENCE_GROUPS for kind in group]
    assert sorted(kinds) == sorted(NotificationKind.values)


def test_the_page_saves_each_kind_and_the_language(cast):
    user = cast.member.user
    client = client_for(user)
    url = reverse("accounts:notification_preferences")
    page = client.get(url)
    assert page.status_code == 200
    for label in ("Cách nhận thông báo", "Gộp vào thư tổng hợp hằng ngày", "Chỉ xem trên cổng, không gửi thư"):
        assert label in page.text
    assert "Nhắc việc: nội dung cam kết quá hạn chưa có minh chứng" in page.text

    data: dict[str, str] = {f"kind_{kind}": Delivery.IMMEDIATE.value for kind in NotificationKind.values}
    data |= {"kind_period_opened": Delivery.DIGEST, "kind_commitment_stalled": Delivery.PORTAL, "language": "en"}
    response = client.post(url, data)

    assert response.status_code == 302
    saved = preferences_of(user)
    assert saved.language == "en"
    assert saved.deliveries[NotificationKind.PERIOD_OPENED] == Delivery.DIGEST
    assert saved.deliveries[NotificationKind.COMMITMENT_STALLED] == Delivery.PORTAL
    assert NotificationPreference.objects.filter(user=user).count() == 2
    event = AuditEvent.objects.get(action="notification.preferences")
    assert event.actor == user and event.after is not None and event.after["language"] == "en"


def test_a_wrong_choice_is_refused_with_nothing_saved(cast):
    client = client_for(cast.member.user)
    data: dict[str, str] = {f"kind_{kind}": Delivery.IMMEDIATE.value for kind in NotificationKind.values}
    data |= {"kind_period_opened": "hourly"}
    response = client.post(reverse("accounts:notification_preferences"), data)
    assert response.status_code == 200
    assert "aria-invalid" in response.text
    assert not NotificationPreference.objects.exists()


def test_nobody_saves_another_accounts_choices(cast):
    with pytest.raises(Exception, match="Chỉ chủ tài khoản"):
        preferences_save(
            user=cast.member.user,
            deliveries={NotificationKind.PERIOD_OPENED: Delivery.PORTAL},
            language="",
            acting_user=cast.secretary.user,
        )
    assert not NotificationPreference.objects.exists()


def test_a_notification_is_written_in_its_readers_language(cast, django_capture_on_commit_callbacks):
    secretary = cast.secretary.user
    AccountPreferences.objects.create(user=secretary, language="en")
    programme = make_draft(cast.member)
    with django_capture_on_commit_callbacks(execute=True):
        submit(programme)
    waiting = Notification.objects.get(recipient=secretary)
    assert waiting.subject.startswith("Awaiting confirmation:")
    assert waiting.kind == NotificationKind.PROGRAMME_CONFIRMATION
    assert mail.outbox[0].subject == waiting.subject
    # The member who acted reads the portal in Vietnamese; her screen's language changed nothing for him.
    assert "Chờ xác nhận" not in waiting.subject
