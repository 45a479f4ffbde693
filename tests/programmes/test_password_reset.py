"""Password reset by e-mail: the same answer for every address, a Vietnamese mail with the portal's own link."""

import re

import pytest
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse

from programmes.models import AuditEvent
from tests.factories import DEFAULT_PASSWORD

NEW_PASSWORD = "Mat-khau-moi-rat-dai-2026"


@pytest.fixture
def member_with_email(cast):
    user = cast.member.user
    user.email = "anh.tran@example.vn"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = "https://cong.example.vn/"
    return settings.SITE_URL


def ask_reset(client: Client, email: str):
    # The e-mail leaves from a worker once the request's transaction commits: run those callbacks.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("password_reset"), {"email": email}, follow=True)


def reset_link(message: mail.EmailMessage) -> str:
    found = re.search(r"https://cong\.example\.vn(/dat-lai-mat-khau/[^/\s]+/[^/\s]+/)", str(message.body))
    assert found is not None, message.body
    return found.group(1)


def test_the_login_page_links_to_the_reset_page(cast):
    response = Client().get(reverse("login"))
    assert f'href="{reverse("password_reset")}"' in response.text
    assert "Quên mật khẩu?" in response.text


def test_the_reset_page_is_in_vietnamese_with_a_labelled_field(cast):
    response = Client().get(reverse("password_reset"))
    assert response.status_code == 200
    assert reverse("password_reset") == "/quen-mat-khau/"
    assert '<html lang="vi">' in response.text
    assert re.search(r'<label\s+for="id_email"[^>]*>\s*Địa chỉ thư điện tử', response.text)


def test_known_and_unknown_addresses_get_the_same_answer(member_with_email, site_url):
    known = ask_reset(Client(), "ANH.TRAN@example.vn")
    unknown = ask_reset(Client(), "khong-co@example.vn")
    assert known.redirect_chain == unknown.redirect_chain == [(reverse("password_reset_done"), 302)]

    def main(text: str) -> str:
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text.split("<main", 1)[1])

    assert main(known.text) == main(unknown.text)
    assert "Kiểm tra hộp thư" in known.text
    assert len(mail.outbox) == 1


def test_the_mail_is_in_vietnamese_and_links_to_the_portals_own_address(member_with_email, site_url):
    ask_reset(Client(HTTP_HOST="127.0.0.1"), "anh.tran@example.vn")
    (message,) = mail.outbox
    assert message.to == ["anh.tran@example.vn"]
    assert message.subject == "Đặt lại mật khẩu tài khoản trên Cổng chương trình hành động"
    assert "yêu cầu đặt lại mật khẩu cho tài khoản member" in message.body
    assert "hết hạn sau 60 phút" in message.body
    assert "127.0.0.1" not in message.body
    assert reset_link(message).startswith("/dat-lai-mat-khau/")


def test_the_link_sets_a_new_password_once_and_the_reset_is_on_the_record(member_with_email, site_url):
    ask_reset(Client(), "anh.tran@example.vn")
    link = reset_link(mail.outbox[0])
    client = Client()
    form_page = client.get(link, follow=True)
    assert "Đặt mật khẩu mới" in form_page.text
    assert re.search(r'<label\s+for="id_new_password1"[^>]*>\s*Mật khẩu mới', form_page.text)
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("password_reset_complete")
    assert "Đã đặt mật khẩu mới" in done.text

    member_with_email.refresh_from_db()
    assert member_with_email.check_password(NEW_PASSWORD)
    assert not member_with_email.check_password(DEFAULT_PASSWORD)
    event = AuditEvent.objects.get(action="account.password_reset")
    assert event.actor == member_with_email
    assert event.before is None and event.after is None

    used = Client().get(link, follow=True)
    assert "không còn hiệu lực" in used.text


def test_mismatched_passwords_are_refused_and_nothing_changes(member_with_email, site_url):
    ask_reset(Client(), "anh.tran@example.vn")
    client = Client()
    set_url = client.get(reset_link(mail.outbox[0]), follow=True).redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"})
    assert response.status_code == 200
    member_with_email.refresh_from_db()
    assert member_with_email.check_password(DEFAULT_PASSWORD)
    assert not AuditEvent.objects.filter(action="account.password_reset").exists()


def test_a_forged_link_is_refused(member_with_email):
    response = Client().get(reverse("password_reset_confirm", args=["MQ", "sai-ma"]))
    assert response.status_code == 200
    assert "không còn hiệu lực" in response.text


def test_a_reset_ends_other_sessions(member_with_email, site_url):
    other = Client()
    other.force_login(member_with_email)
    ask_reset(Client(), "anh.tran@example.vn")
    client = Client()
    set_url = client.get(reset_link(mail.outbox[0]), follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert other.get(reverse("programmes:dashboard")).status_code == 302


def test_the_mail_leaves_only_after_the_request_commits_and_names_no_address_in_the_record(member_with_email):
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        Client().post(reverse("password_reset"), {"email": "anh.tran@example.vn"})
    assert mail.outbox == [] and len(callbacks) == 1
    event = AuditEvent.objects.get(action="account.password_reset_requested")
    assert event.actor is None and event.ip_address == "127.0.0.1"
    assert "anh.tran" not in f"{event.object_repr}{event.before}{event.after}"


def test_requests_from_one_address_are_limited_whatever_the_addresses_named(member_with_email, settings):
    settings.PASSWORD_RESET_HOURLY_LIMIT = 3
    client = Client()
    for number in range(3):
        ask_reset(client, f"nguoi-{number}@example.vn")

    refused = ask_reset(client, "anh.tran@example.vn")

    assert refused.redirect_chain == []
    assert "yêu cầu đặt lại mật khẩu từ máy này trong một giờ qua" in refused.text
    assert mail.outbox == []
    other_address = ask_reset(Client(REMOTE_ADDR="10.0.0.9"), "anh.tran@example.vn")
    assert other_address.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert len(mail.outbox) == 1
