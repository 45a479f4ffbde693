"""The ward's organisation-board staff rate the ward's party organisations on a phone (375 px wide): from the period
page to the table, three cells raised to Excellent on ten Good, the table refused with the quota's error beside the
rows and counted per group, then stored once one of them is justified. No page scrolls sideways (each row reads as a
card), none has a serious accessibility violation, none breaks the content security policy. The head of a grassroots
committee writes its collective report (Mẫu 01) on the same screen.
"""

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from reviews.models import CollectiveReport, OrganisationRating, RatingLevel
from tests.browser.test_login_journey import blocking_violations, csp_refusals, log_in
from tests.reviews.test_organisation_ratings import JUSTIFICATION, collective_period, ward_cells

PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True}


def phone(browser: Browser) -> Page:
    return browser.new_context(locale="vi-VN", **PHONE).new_page()  # type: ignore[arg-type]


def fits_the_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert blocking_violations(page) == []


def fill_row(page: Page, name: str, level: str) -> None:
    page.get_by_label(f"Mức xếp loại: {name}").select_option(level)
    page.get_by_label(f"Số nhiệm vụ được giao: {name}").fill("10")
    page.get_by_label(f"Số nhiệm vụ hoàn thành: {name}").fill("10")
    page.get_by_label(f"Số nhiệm vụ vượt yêu cầu: {name}").fill("3")
    page.get_by_label(f"Không có tổ chức trực thuộc, thành viên lãnh đạo bị kỷ luật ({name})").check()


@pytest.mark.django_db(transaction=True)
def test_the_ward_rates_its_party_organisations_on_a_phone(
    live_server: Any, cast: Any, migrated_rows: None, browser: Browser, console_errors: list[str]
) -> None:
    period = collective_period(cast)
    cells = ward_cells(cast, 13)
    page = phone(browser)
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    log_in(page, live_server.url, "org_board")
    page.goto(f"{live_server.url}/kiem-diem/dot/{period.pk}/")
    page.get_by_role("link", name=f"Xếp loại các tổ chức đảng trực thuộc {cast.ward.name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xếp loại tổ chức đảng")
    fits_the_phone(page)

    for index, cell in enumerate(cells):
        fill_row(page, cell.name, RatingLevel.EXCELLENT if index >= 10 else RatingLevel.GOOD)
    page.get_by_role("button", name="Lưu xếp loại cả bảng").click()
    expect(page.get_by_role("heading", name="Có lỗi cần sửa")).to_be_visible()
    expect(page.get_by_text("còn thiếu giải trình cho 1.")).to_be_visible()
    fits_the_phone(page)
    assert not OrganisationRating.objects.exists()

    page.get_by_label(f"Giải trình vượt tỷ lệ xuất sắc: {cells[12].name}").fill(JUSTIFICATION)
    page.get_by_role("button", name="Lưu xếp loại cả bảng").click()
    expect(page.get_by_text("Đã lưu xếp loại 13 tổ chức đảng.")).to_be_visible()
    expect(page.get_by_text("Vượt tỷ lệ 1 tổ chức, đã có giải trình.")).to_be_visible()
    fits_the_phone(page)
    assert OrganisationRating.objects.count() == 13
    assert csp_refusals(console_errors) == []


@pytest.mark.django_db(transaction=True)
def test_the_head_writes_the_collective_report_on_a_phone(
    live_server: Any, cast: Any, migrated_rows: None, browser: Browser, console_errors: list[str]
) -> None:
    period = collective_period(cast)
    page = phone(browser)
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    log_in(page, live_server.url, "head")
    page.goto(f"{live_server.url}/kiem-diem/dot/{period.pk}/")
    page.get_by_role("link", name=f"Báo cáo kiểm điểm tập thể (Mẫu 01) của {cast.grassroots.name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Báo cáo kiểm điểm tập thể (Mẫu 01)")
    fits_the_phone(page)
    page.get_by_label("I. Nhiệm vụ được giao trong kỳ").fill("Lãnh đạo chuyển đổi số trong khu phố.")
    page.get_by_label("II. Kết quả thực hiện nhiệm vụ").fill("Hoàn thành 1/1 nhiệm vụ, vượt yêu cầu.")
    page.get_by_role("button", name="Lưu báo cáo").click()
    expect(page.get_by_role("heading", name="Có lỗi cần sửa")).to_be_visible()
    fits_the_phone(page)
    page.get_by_label("III. Hạn chế, khuyết điểm và nguyên nhân").fill("Sinh hoạt có lúc chưa đều.")
    page.get_by_label("V. Phương hướng, biện pháp khắc phục hạn chế, khuyết điểm").fill("Sinh hoạt chuyên đề mỗi quý.")
    page.get_by_role("button", name="Lưu báo cáo").click()
    expect(page.get_by_text(f"Đã lưu báo cáo kiểm điểm của {cast.grassroots.name}.")).to_be_visible()
    assert CollectiveReport.objects.filter(period=period, organisation=cast.grassroots).exists()
    assert csp_refusals(console_errors) == []
