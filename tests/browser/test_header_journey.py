"""The header in a real browser: on a 1366 px screen it stays one line in Vietnamese and in English for the account
with the most links, and on a phone the unread count sits beside the menu toggle, readable without opening it."""

import pytest
from playwright.sync_api import Page, expect

from programmes.models import Notification, Role
from tests.browser.test_login_journey import blocking_violations, log_in
from tests.factories import RoleAssignmentFactory
from tests.programmes.programme_data import make_draft, submit

WIDE = {"width": 1366, "height": 900}


@pytest.fixture
def busiest(cast):
    """The committee's head made to hold every link the header offers: a programme waits for his confirmation, he is
    also board staff and the Front's overseer of the ward, with the admin, and has unread notifications."""
    submit(make_draft(cast.secretary))
    user = cast.head.user
    RoleAssignmentFactory(user=user, role=Role.ORG_BOARD_STAFF, organisation=cast.ward)
    RoleAssignmentFactory(user=user, role=Role.FRONT_OVERSEER, organisation=cast.ward)
    # A long name, as the account menu shows it.
    user.last_name, user.first_name, user.is_staff = "Tôn Nữ Huyền", "Trân", True
    user.save(update_fields=["last_name", "first_name", "is_staff"])
    for number in range(3):
        Notification.objects.create(recipient=user, subject=f"Thông báo thử {number}")
    # The submission told him too: four unread in all.
    assert Notification.objects.filter(recipient=user, read_at=None).count() == 4
    return user


def top_level_items_on_one_line(page: Page) -> None:
    """Every item of the bar (brand, links, menus, language) starts on the same line, and the bar is one line high."""
    tops = page.evaluate(
        """() => [...document.querySelectorAll(
              '.portal-header .navbar-brand, #main-navigation > .navbar-nav > .nav-item')]
            .filter(item => item.offsetParent !== null)
            .map(item => Math.round(item.getBoundingClientRect().top + item.getBoundingClientRect().height / 2))"""
    )
    assert len(tops) >= 10
    assert max(tops) - min(tops) <= 4, tops
    rightmost = page.evaluate(
        "Math.max(...[...document.querySelectorAll('.portal-header .nav-item')]"
        ".map(item => item.getBoundingClientRect().right))"
    )
    assert rightmost <= WIDE["width"] - 12, rightmost
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDE["width"]
    height = page.evaluate("document.querySelector('.portal-header .navbar').getBoundingClientRect().height")
    assert height <= 72, height


@pytest.mark.django_db(transaction=True)
def test_the_busiest_header_is_one_line_at_1366_in_both_languages(live_server, busiest, browser):
    context = browser.new_context(locale="vi-VN", viewport=WIDE)
    page = context.new_page()
    log_in(page, live_server.url, busiest.username)
    navigation = page.get_by_role("navigation", name="Điều hướng chính")
    expect(navigation.get_by_role("link", name="Chờ xác nhận (1)")).to_be_visible()
    expect(navigation.get_by_role("link", name="Góp ý của Nhân dân")).to_be_visible()
    expect(navigation.get_by_role("link", name="Thông báo (4 chưa đọc)")).to_be_visible()
    top_level_items_on_one_line(page)

    # The occasional pages are one click away, under "Thêm".
    navigation.get_by_role("button", name="Thêm").click()
    expect(navigation.get_by_role("link", name="Nhập danh sách")).to_be_visible()
    expect(navigation.get_by_role("link", name="Quản trị")).to_be_visible()
    expect(navigation.get_by_role("link", name="Công khai")).to_be_visible()
    assert blocking_violations(page) == []

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    top_level_items_on_one_line(page)
    context.close()


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_unread_count_shows_beside_the_toggle(live_server, busiest, phone_page: Page):
    log_in(phone_page, live_server.url, busiest.username)
    toggle = phone_page.locator(".navbar-toggler")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    count = phone_page.get_by_role("link", name="Thông báo (4 chưa đọc)")
    expect(count).to_be_visible()
    expect(count).to_contain_text("4")
    box = count.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert box["height"] >= 44  # a finger's target
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375

    count.click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Thông báo")
