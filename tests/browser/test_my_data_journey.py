"""“Dữ liệu của tôi” in a real browser: found in the account menu, readable on a phone, no serious accessibility
violation, and the JSON copy downloads as a file."""

import json

from playwright.sync_api import Page, expect

from tests.browser.test_login_journey import blocking_violations, log_in
from tests.programmes.programme_data import give_private_details, make_confirmed

TITLE = "Chương trình hành động của đồng chí Ánh năm 2026"


def test_a_member_finds_reads_and_downloads_her_data_on_a_phone(live_server, cast, phone_page: Page, console_errors):
    give_private_details(cast.member)
    make_confirmed(cast.member, cast.secretary.user, title=TITLE)
    log_in(phone_page, live_server.url, "member")

    phone_page.locator(".navbar-toggler").click()
    phone_page.get_by_role("button", name="Tài khoản:").click()
    phone_page.locator("#main-navigation").get_by_role("link", name="Dữ liệu của tôi").click()

    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Dữ liệu của tôi")
    expect(phone_page.get_by_role("heading", name="Thông tin cá nhân", level=2)).to_be_visible()
    expect(phone_page.get_by_text("079185012345")).to_be_visible()
    expect(phone_page.get_by_role("heading", name=TITLE, exact=True)).to_be_visible()
    # Long values (hashes, addresses, texts) wrap: the page never scrolls sideways.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    assert blocking_violations(phone_page) == []

    with phone_page.expect_download() as download:
        phone_page.get_by_role("link", name="Tải tệp JSON (đọc được bằng máy)").click()
    assert download.value.suggested_filename == "du-lieu-cua-toi.json"
    with open(download.value.path(), encoding="utf-8") as handle:
        data = json.load(handle)
    assert data["programmes"][0]["title"] == TITLE
    assert console_errors == []
