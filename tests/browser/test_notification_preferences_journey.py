"""Choosing how notifications arrive, on a phone: the member opens the page from her account menu, puts one kind
in the daily digest and saves; an e-mail's link turns a kind off without signing in. Both pages fit 375 px, and
axe finds no serious violation."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from programmes.action_programmes.notifications import unsubscribe_url
from programmes.models import Delivery, NotificationKind, NotificationPreference
from tests.browser.test_login_journey import blocking_violations, csp_refusals, log_in

PHONE_WIDTH = 375


@pytest.mark.django_db(transaction=True)
def test_a_member_puts_a_kind_in_the_daily_digest_on_a_phone(live_server, cast, phone_page, console_errors):
    log_in(phone_page, live_server.url, "member")
    phone_page.goto(f"{live_server.url}/tai-khoan/thong-bao/")
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Cách nhận thông báo")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    assert blocking_violations(phone_page) == []

    kind = phone_page.get_by_role("group", name="Mở đợt kiểm điểm")
    kind.get_by_role("radio", name="Gộp vào thư tổng hợp hằng ngày").check()
    phone_page.get_by_role("button", name="Lưu cách nhận thông báo").click()

    expect(phone_page.get_by_text("Đã lưu cách nhận thông báo.")).to_be_visible()
    expect(kind.get_by_role("radio", name="Gộp vào thư tổng hợp hằng ngày")).to_be_checked()
    chosen = NotificationPreference.objects.get(user=cast.member.user)
    assert (chosen.kind, chosen.delivery) == (NotificationKind.PERIOD_OPENED, Delivery.DIGEST)
    assert csp_refusals(console_errors) == []


@pytest.mark.django_db(transaction=True)
def test_the_link_in_an_e_mail_turns_a_kind_off_without_signing_in(live_server, cast, phone_page, console_errors):
    link = unsubscribe_url(cast.member.user, NotificationKind.REVIEW_PROMPT).removeprefix(settings.SITE_URL)
    phone_page.goto(f"{live_server.url}{link}")
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Hủy nhận thư")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    assert blocking_violations(phone_page) == []

    phone_page.get_by_role("button", name="Thôi nhận thư loại này").click()

    expect(phone_page.get_by_role("status")).to_contain_text("Đã thôi gửi thư về “Nội dung gợi ý kiểm điểm”")
    chosen = NotificationPreference.objects.get(user=cast.member.user)
    assert (chosen.kind, chosen.delivery) == (NotificationKind.REVIEW_PROMPT, Delivery.PORTAL)
    assert csp_refusals(console_errors) == []
