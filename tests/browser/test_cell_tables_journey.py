"""A cell of ten, from its proposals to the head's confirmations, each in one table, on a phone (375 px wide).

The cell's secretary opens the table of proposals from the cell page, records the meeting's attendance first, raises
two members to Excellent and sees the quota counted again as he does (no page load), lowers one back and records
the whole table. A member of the grassroots committee opens the table of decisions from the work list and decides
the cell in one submission; its head ticks two decisions and confirms them on common grounds. No page scrolls
sideways (each row of a table reads as a card), none has a serious accessibility violation, none breaks the
content security policy.
"""

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from reviews.models import Decision, DecisionState, RatingLevel, Review, ReviewState
from tests.browser.test_login_journey import blocking_violations, csp_refusals, log_in
from tests.reviews.bulk_data import bulk_cell

PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True}
GROUNDS = "Hoàn thành vượt chỉ tiêu các nội dung cam kết, có sổ theo dõi hồ sơ."


def phone(browser: Browser) -> Page:
    return browser.new_context(locale="vi-VN", **PHONE).new_page()  # type: ignore[arg-type]


def fits_the_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert blocking_violations(page) == []


@pytest.mark.django_db(transaction=True)
def test_a_cell_is_proposed_decided_and_confirmed_in_three_tables_on_a_phone(
    live_server: Any, cast: Any, browser: Browser, console_errors: list[str]
) -> None:
    cell = bulk_cell(cast, 10)
    others = [review for review in cell.reviews if review.cadre.user_id != cell.secretary.pk]
    secretary, staff, head = phone(browser), phone(browser), phone(browser)
    for page in (secretary, staff, head):
        page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    cell_page = f"{live_server.url}/kiem-diem/dot/{cell.period.pk}/chi-bo/{cell.cell.pk}/"

    # 1. The secretary records the meeting, naming who attended, then opens the table of proposals.
    log_in(secretary, live_server.url, cell.secretary.username)
    secretary.goto(cell_page)
    secretary.get_by_role("link", name="Ghi cuộc họp").click()
    fits_the_phone(secretary)
    for review in cell.reviews:
        secretary.get_by_role("radiogroup", name=review.cadre.full_name).get_by_text("Có mặt").click()
    absent = others[-1].cadre.full_name
    secretary.get_by_role("radiogroup", name=absent).get_by_text("Vắng mặt").click()
    secretary.get_by_label(f"Lý do vắng mặt của đồng chí {absent}").fill("Đi công tác")
    # The number present follows the names.
    expect(secretary.get_by_label("Số đảng viên dự họp")).to_have_value("9")
    secretary.get_by_label("Thư ký cuộc họp").fill("Hồ Thị Phó")
    secretary.get_by_label("Biên bản cuộc họp").fill("Chi bộ họp kiểm điểm cuối năm, góp ý từng bản kiểm điểm.")
    secretary.get_by_role("button", name="Ghi cuộc họp").click()
    expect(secretary.get_by_text("9/10 đảng viên dự — đủ quá nửa").first).to_be_visible()

    secretary.get_by_role("link", name="Ghi đề xuất cả chi bộ").click()
    expect(secretary.get_by_role("heading", level=1)).to_have_text("Đề xuất của cả chi bộ")
    fits_the_phone(secretary)
    quota = secretary.locator("[data-quota-box]")
    expect(quota.get_by_text("Trong tỷ lệ cho phép.")).to_be_visible()
    for review in others[:2]:
        secretary.get_by_label(f"Mức đề xuất: {review.cadre.full_name}").select_option(RatingLevel.EXCELLENT)
    # Counted again in the page: 2 Excellent on 7 Good, 1 allowed.
    expect(quota.locator('[data-count="excellent"]').first).to_have_text("2")
    expect(quota.get_by_text("Vượt tỷ lệ")).to_be_visible()
    secretary.get_by_label(f"Mức đề xuất: {others[1].cadre.full_name}").select_option(RatingLevel.GOOD)
    expect(quota.get_by_text("Trong tỷ lệ cho phép.")).to_be_visible()
    secretary.locator("#id_votes_for").fill("8")
    secretary.locator("#id_votes_against").fill("1")
    secretary.get_by_role("button", name="Ghi đề xuất của cả bảng").click()
    expect(secretary.get_by_text("Đã ghi đề xuất của chi bộ cho 9 đồng chí.")).to_be_visible()
    assert Review.objects.filter(place=cell.cell, state=ReviewState.CELL_PROPOSED).count() == 9

    # 2. The committee member decides the cell from the work list, in one table.
    log_in(staff, live_server.url, "committee_staff")
    staff.goto(f"{live_server.url}/kiem-diem/")
    staff.get_by_role("link", name=cell.cell.name).first.click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Quyết định xếp loại cả chi bộ")
    fits_the_phone(staff)
    staff.get_by_role("button", name="Quyết định cả bảng").click()
    expect(staff.get_by_text("Đã quyết định xếp loại 9 đồng chí; chờ người đứng đầu xác nhận.")).to_be_visible()

    # 3. The head ticks two decisions and confirms them on common grounds and their first commitment.
    log_in(head, live_server.url, "head")
    head.goto(f"{live_server.url}/kiem-diem/")
    head.get_by_role("link", name=cell.cell.name).first.click()
    expect(head.get_by_role("heading", level=1)).to_have_text("Xác nhận nhiều kết quả xếp loại")
    fits_the_phone(head)
    head.get_by_label("Căn cứ chung").fill(GROUNDS)
    for review in others[:2]:
        head.get_by_label(f"Xác nhận: {review.cadre.full_name}").check()
        row = head.locator(f"#dong-{review.pk}")
        row.get_by_role("checkbox").nth(1).check()
    head.get_by_role("button", name="Xác nhận các quyết định đã chọn").click()
    expect(head.get_by_text("Đã xác nhận kết quả của 2 đồng chí")).to_be_visible()
    confirmed = Decision.objects.filter(state=DecisionState.CONFIRMED)
    assert {decision.review_id for decision in confirmed} == {review.pk for review in others[:2]}
    assert csp_refusals(console_errors) == []
