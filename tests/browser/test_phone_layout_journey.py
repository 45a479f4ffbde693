"""A member writes her programme on a phone (375 px): the steps come before the form that creates it; in the editor
the send button stays at the bottom of the screen however far down she is, and the add form waits behind "Thêm cam
kết" until asked for (it opens without JavaScript too). A list's rows read as cards with their action first."""

import re

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.test_login_journey import csp_refusals, log_in
from tests.browser.test_record_pages_journey import fits_the_phone
from tests.programmes.programme_data import make_draft, submit

PHONE = {"width": 375, "height": 812}


def _within_the_screen(element: Locator) -> None:
    box = element.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


@pytest.mark.django_db(transaction=True)
def test_a_member_writes_her_programme_on_a_phone(live_server, cast, phone_page: Page, console_errors) -> None:
    programme = make_draft(cast.member)
    log_in(phone_page, live_server.url, "member")

    phone_page.goto(f"{live_server.url}/chuong-trinh/moi/")
    steps = phone_page.get_by_role("heading", name="Các bước")
    create = phone_page.get_by_role("button", name="Tạo chương trình và thêm nội dung cam kết")
    assert steps.bounding_box()["y"] < create.bounding_box()["y"]  # type: ignore[index]
    fits_the_phone(phone_page)

    phone_page.goto(f"{live_server.url}/chuong-trinh/{programme.pk}/soan/")
    send = phone_page.get_by_role("button", name="Gửi xác nhận")
    _within_the_screen(send)
    add_form = phone_page.get_by_role("region", name="Thêm nội dung cam kết")
    expect(add_form).to_be_hidden()
    phone_page.mouse.wheel(0, 2000)
    _within_the_screen(send)
    fits_the_phone(phone_page)

    phone_page.get_by_text("Thêm cam kết", exact=True).click()
    expect(add_form.get_by_label("Nội dung cam kết")).to_be_visible()
    fits_the_phone(phone_page)

    send.click()
    expect(phone_page.get_by_role("status")).to_contain_text("Đã gửi phiên bản 1 cho người xác nhận")
    assert csp_refusals(console_errors) == []


@pytest.mark.django_db(transaction=True)
def test_the_add_form_opens_without_javascript(live_server, cast, browser: Browser) -> None:
    programme = make_draft(cast.member)
    context = browser.new_context(locale="vi-VN", viewport=PHONE, is_mobile=True, java_script_enabled=False)  # type: ignore[arg-type]
    page = context.new_page()
    log_in(page, live_server.url, "member")
    page.goto(f"{live_server.url}/chuong-trinh/{programme.pk}/soan/")
    add_form = page.get_by_role("region", name="Thêm nội dung cam kết")
    expect(add_form).to_be_hidden()
    page.get_by_text("Thêm cam kết", exact=True).click()
    expect(add_form).to_be_visible()
    context.close()


@pytest.mark.django_db(transaction=True)
def test_the_confirmation_queue_reads_as_cards_with_the_action_first(live_server, cast, phone_page: Page) -> None:
    submit(make_draft(cast.member))
    log_in(phone_page, live_server.url, "secretary")
    phone_page.goto(f"{live_server.url}/xac-nhan/")
    card = phone_page.locator("table.table-cards tbody tr").first
    action = card.get_by_role("link", name=re.compile("^Xem và xác nhận"))
    owner = card.get_by_role("rowheader", name="Trần Thị Ánh")
    assert action.bounding_box()["y"] < owner.bounding_box()["y"]  # type: ignore[index]
    _within_the_screen(action)
    expect(card.locator("[data-label='Ngày gửi']")).to_be_visible()
    fits_the_phone(phone_page)
