"""Account security in a real browser: organisation-board staff must turn on the second factor at first sign-in,
then sign in with password and code; a member who forgot the password sets a new one from the e-mailed link."""

import re
from base64 import b32decode

import pytest
from django.core import mail
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from tests.browser.test_login_journey import blocking_violations, csp_refusals, log_in
from tests.factories import DEFAULT_PASSWORD

NEW_PASSWORD = "Mat-khau-moi-rat-dai-2026"


def current_code(key_text: str, steps_ahead: int = 0) -> str:
    """What the person's authenticator app shows for the key typed from the page (`steps_ahead` 30-second steps
    later: a code already accepted is never accepted again)."""
    key = b32decode(key_text.replace(" ", ""))
    return f"{totp(key, drift=steps_ahead):06d}"


def sign_out(page: Page) -> None:
    page.locator("#user-menu").click()
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đồng chí đã đăng xuất")


@pytest.mark.django_db(transaction=True)
def test_board_staff_turns_on_the_second_factor_then_signs_in_with_password_and_code(
    live_server, cast, page, console_errors, settings
):
    settings.PORTAL_REQUIRE_SECOND_FACTOR = True
    log_in(page, live_server.url, "org_board")

    # Board staff read private details: nothing else opens before the second factor is on.
    expect(page.get_by_role("heading", level=1)).to_have_text("Bật xác thực hai bước")
    expect(page.get_by_text("cần bật xác thực hai bước trước khi tiếp tục")).to_be_visible()
    page.goto(f"{live_server.url}/to-chuc/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bật xác thực hai bước")
    qr = page.get_by_role("img", name="Mã QR để thêm tài khoản này vào ứng dụng xác thực")
    expect(qr).to_be_visible()
    assert (qr.get_attribute("src") or "").startswith("data:image/svg+xml")
    assert blocking_violations(page) == []

    key_text = page.locator("#totp-key").inner_text()
    page.get_by_label("Mã xác thực").fill(current_code(key_text))
    page.get_by_role("button", name="Xác nhận và bật").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Mã dự phòng")
    expect(page.get_by_text("Đã bật xác thực hai bước.")).to_be_visible()
    codes = page.get_by_role("list", name="Các mã dự phòng").get_by_role("listitem")
    expect(codes).to_have_count(10)
    page.get_by_role("link", name="Đã lưu mã, tiếp tục").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tổ chức đảng")

    sign_out(page)
    log_in(page, live_server.url, "org_board")
    expect(page.get_by_role("heading", level=1)).to_have_text("Xác thực hai bước")
    assert blocking_violations(page) == []
    page.get_by_label("Mã xác thực").fill(current_code(key_text, steps_ahead=1))
    page.get_by_role("button", name="Xác nhận").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Trang của tôi")
    page.locator("#user-menu").click()
    page.get_by_role("link", name="Bảo mật tài khoản").click()
    expect(page.get_by_text("Đang bật")).to_be_visible()
    expect(page.get_by_text("Còn 10 mã dự phòng chưa dùng.")).to_be_visible()
    assert csp_refusals(console_errors) == []


@pytest.mark.django_db(transaction=True)
def test_the_setup_page_fits_a_phone(live_server, cast, phone_page, settings):
    settings.PORTAL_REQUIRE_SECOND_FACTOR = True
    log_in(phone_page, live_server.url, "head")
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Bật xác thực hai bước")
    expect(phone_page.get_by_role("img", name=re.compile("Mã QR"))).to_be_in_viewport()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375


@pytest.mark.django_db(transaction=True)
def test_member_resets_a_forgotten_password_from_the_emailed_link(live_server, cast, page, console_errors, settings):
    settings.SITE_URL = live_server.url
    member = cast.member.user
    member.email = "anh.tran@example.vn"
    member.save(update_fields=["email"])

    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_role("link", name="Quên mật khẩu?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quên mật khẩu")
    assert blocking_violations(page) == []
    page.get_by_label("Địa chỉ thư điện tử").fill("anh.tran@example.vn")
    page.get_by_role("button", name="Gửi đường dẫn đặt lại mật khẩu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm tra hộp thư")

    (message,) = mail.outbox
    assert message.subject == "Đặt lại mật khẩu tài khoản trên Cổng chương trình hành động"
    link = re.search(rf"{re.escape(live_server.url)}/dat-lai-mat-khau/\S+/", str(message.body))
    assert link is not None, message.body
    page.goto(link.group(0))

    expect(page.get_by_role("heading", level=1)).to_have_text("Đặt mật khẩu mới")
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Đặt mật khẩu mới").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đã đặt mật khẩu mới")

    page.get_by_role("link", name="Đăng nhập").last.click()
    page.get_by_label("Tên đăng nhập").fill("member")
    page.get_by_label("Mật khẩu").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_text("Tên đăng nhập và mật khẩu chính xác", exact=False)).to_be_visible()
    page.get_by_label("Mật khẩu").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trang của tôi")

    # The link works once.
    page.goto(link.group(0))
    expect(page.get_by_text("không còn hiệu lực")).to_be_visible()
    assert csp_refusals(console_errors) == []
