"""A person's first minutes in the portal, in a real browser: log in, find the cell, switch language, use a phone."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.factories import DEFAULT_PASSWORD

BLOCKING_IMPACTS = {"serious", "critical"}


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def blocking_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    # Each violation with the first elements it was found on, so that a failure says where to look.
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


def csp_refusals(console_errors: list[str]) -> list[str]:
    return [message for message in console_errors if "Content Security Policy" in message]


@pytest.mark.django_db(transaction=True)
def test_secretary_logs_in_and_finds_the_members_of_the_cell(live_server, cast, page, console_errors):
    log_in(page, live_server.url, "secretary")

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Trang của tôi")
    expect(page.get_by_text("Bí thư Chi bộ Khu phố 1A").first).to_be_visible()

    page.get_by_role("link", name="Chi bộ Khu phố 1A").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chi bộ Khu phố 1A")
    members = page.locator("table#members")
    expect(members).to_be_visible()
    expect(members.get_by_role("link", name="Trần Thị Ánh")).to_be_visible()
    expect(members.get_by_role("link", name="Lê Văn Bình")).to_be_visible()

    members.get_by_role("link", name="Trần Thị Ánh").click()
    expect(page.get_by_role("heading", name="Thông tin cá nhân")).to_be_visible()
    assert csp_refusals(console_errors) == []


@pytest.mark.django_db(transaction=True)
def test_outsider_sees_no_member_list_for_the_neighbouring_cell(live_server, cast, page):
    log_in(page, live_server.url, "outsider")
    expect(page.get_by_role("heading", level=1)).to_have_text("Trang của tôi")
    expect(page.get_by_role("link", name="Chi bộ Khu phố 1B").first).to_be_visible()

    response = page.goto(f"{live_server.url}/to-chuc/{cast.cell_a.pk}/")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_contain_text("Không tìm thấy trang")
    expect(page.locator("table#members")).to_have_count(0)
    expect(page.get_by_text("Trần Thị Ánh")).to_have_count(0)


@pytest.mark.django_db(transaction=True)
def test_language_switch_to_english_and_back(live_server, cast, page):
    log_in(page, live_server.url, "member")
    expect(page.locator("html")).to_have_attribute("lang", "vi")

    page.get_by_role("button", name="English").click()
    expect(page).to_have_url(f"{live_server.url}/en/")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")


@pytest.mark.django_db(transaction=True)
def test_phone_viewport_collapses_the_navigation_behind_a_toggle(live_server, cast, phone_page):
    log_in(phone_page, live_server.url, "secretary")
    toggle = phone_page.locator(".navbar-toggler")
    expect(toggle).to_be_visible()
    organisations = phone_page.get_by_role("link", name="Tổ chức đảng")
    expect(organisations).to_be_hidden()

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(organisations).to_be_visible()
    organisations.click()
    expect(phone_page).to_have_url(re.compile(r"/to-chuc/$"))
    # Nothing wider than the phone: the page never scrolls sideways.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375


@pytest.mark.django_db(transaction=True)
def test_login_page_and_dashboard_have_no_serious_accessibility_violations(live_server, cast, page, console_errors):
    page.goto(f"{live_server.url}/dang-nhap/")
    assert blocking_violations(page) == []

    log_in(page, live_server.url, "secretary")
    expect(page.get_by_role("heading", level=1)).to_have_text("Trang của tôi")
    assert blocking_violations(page) == []
    assert csp_refusals(console_errors) == []
