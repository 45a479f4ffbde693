"""A form sent back with errors, in a real browser: the error summary at the top is announced and focused, and each
of its links takes the focus to its field, a text box as well as a list to choose from. And the bản kiểm điểm,
whose check panel follows the typing and whose draft saves itself."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from programmes.models import AuditEvent
from reviews.models import Review
from tests.browser.test_login_journey import blocking_violations, csp_refusals, log_in
from tests.programmes.programme_data import make_confirmed
from tests.reviews.review_data import open_period


def _focused_id(page: Page) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


@pytest.mark.django_db(transaction=True)
def test_an_empty_new_programme_opens_on_a_summary_whose_links_reach_the_fields(
    live_server: Any, cast: Any, page: Page, console_errors: list[str]
) -> None:
    log_in(page, live_server.url, "member")
    page.goto(f"{live_server.url}/chuong-trinh/moi/")
    page.get_by_label("Tên chương trình").fill("")
    page.get_by_role("button", name="Tạo chương trình và thêm nội dung cam kết").click()

    summary = page.get_by_role("alert").filter(has=page.get_by_role("heading", name="Có lỗi cần sửa"))
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Nhập tên chương trình")).to_be_visible()
    expect(summary.get_by_role("link", name="Chọn lý do lập chương trình")).to_be_visible()
    assert "Trường này là bắt buộc" not in page.content()

    summary.get_by_role("link", name="Nhập tên chương trình").click()
    expect(page.get_by_label("Tên chương trình")).to_be_focused()
    summary.get_by_role("link", name="Chọn lý do lập chương trình").click()
    expect(page.get_by_label("Lý do lập chương trình")).to_be_focused()
    # The list's empty option says what to choose, not Django's dashes.
    expect(page.get_by_label("Lý do lập chương trình").locator("option").first).to_have_text(
        "Chọn lý do lập chương trình"
    )

    assert blocking_violations(page) == []
    assert csp_refusals(console_errors) == []


@pytest.mark.django_db(transaction=True)
def test_the_self_review_checks_itself_as_it_is_written_and_saves_itself_on_leaving_a_field(
    live_server: Any, cast: Any, page: Page, console_errors: list[str]
) -> None:
    make_confirmed(cast.member, cast.secretary.user)
    period = open_period(cast.ward, cast.org_board, rule_code="366-2025")
    review = Review.objects.get(period=period, cadre=cast.member)
    log_in(page, live_server.url, "member")
    page.goto(f"{live_server.url}/kiem-diem/{review.pk}/ban-kiem-diem/")
    check = page.get_by_role("region", name="Kiểm tra trước khi nộp")
    strengths = page.get_by_label("I. Ưu điểm, kết quả đạt được")
    expect(check).to_contain_text("Chưa viết phần “I. Ưu điểm, kết quả đạt được”.")

    strengths.press_sequentially("Hoàn thành tốt nhiệm vụ được giao.")
    # The panel follows the typing, from the portal's own checks on the unsaved text.
    expect(check).not_to_contain_text("Chưa viết phần “I. Ưu điểm, kết quả đạt được”.")
    expect(check).to_contain_text("Kiểm tra theo nội dung đang viết")
    review.refresh_from_db()
    assert review.strengths == ""

    page.get_by_label("Điểm tiêu chí chung (0–30)").click()  # leaving the text saves the draft
    expect(page.locator("#self-review-status")).to_contain_text("Đã tự động lưu bản nháp lúc")
    review.refresh_from_db()
    assert review.strengths == "Hoàn thành tốt nhiệm vụ được giao."
    strengths.press_sequentially(" Gương mẫu.")
    page.get_by_label("Điểm tiêu chí chung (0–30)").click()
    expect(page.locator("#self-review-status")).to_contain_text("Đã tự động lưu bản nháp lúc")
    page.wait_for_function("document.getElementById('self-review-check').textContent.length > 0")
    review.refresh_from_db()
    assert review.strengths.endswith("Gương mẫu.")
    assert AuditEvent.objects.filter(action="review.self_save", object_id=str(review.pk)).count() == 1
    assert csp_refusals(console_errors) == []
