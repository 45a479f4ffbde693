"""Reads on the record in a real browser, on a phone: board staff open a member's record, the member finds who
looked in the account menu, and the staff read it on the audit page, filtered; no page scrolls sideways and none
has a serious accessibility violation."""

from playwright.sync_api import Page, expect

from tests.browser.test_login_journey import blocking_violations, log_in
from tests.programmes.programme_data import give_private_details

PHONE_WIDTH = 375


def open_account_menu(page: Page) -> None:
    page.locator(".navbar-toggler").click()
    page.get_by_role("button", name="Tài khoản:").click()


def fits_the_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    assert blocking_violations(page) == []


def test_a_member_sees_who_opened_her_record_and_staff_find_it_in_the_audit_log(
    live_server, cast, browser, phone_page: Page, console_errors
):
    give_private_details(cast.member)
    staff_context = browser.new_context(locale="vi-VN", viewport={"width": PHONE_WIDTH, "height": 812}, is_mobile=True)
    staff = staff_context.new_page()
    log_in(staff, live_server.url, "org_board")
    staff.goto(f"{live_server.url}/can-bo/{cast.member.pk}/")
    expect(staff.get_by_text("079185012345")).to_be_visible()

    log_in(phone_page, live_server.url, "member")
    open_account_menu(phone_page)
    phone_page.locator("#main-navigation").get_by_role("link", name="Ai đã xem hồ sơ của tôi").click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Ai đã xem hồ sơ của tôi")
    expect(phone_page.get_by_text("org_board")).to_be_visible()
    expect(phone_page.get_by_text("hồ sơ cá nhân")).to_be_visible()
    fits_the_phone(phone_page)

    open_account_menu(staff)
    staff.locator("#main-navigation").get_by_role("link", name="Nhật ký thao tác").click()
    staff.get_by_label("Xem").select_option(label="Lượt xem dữ liệu cá nhân")
    staff.get_by_label("Người thực hiện").fill("org_board")
    staff.get_by_role("button", name="Lọc").click()
    expect(staff.get_by_text("của Trần Thị Ánh")).to_be_visible()
    fits_the_phone(staff)
    with staff.expect_download() as download:
        staff.get_by_role("link", name="Tải về tệp CSV").click()
    with open(download.value.path(), encoding="utf-8-sig") as handle:
        assert "Trần Thị Ánh" in handle.read()
    staff_context.close()
    assert console_errors == []
