"""A form sent back with errors, in a real browser: the error summary at the top is announced and focused, and each
of its links takes the focus to its field, a text box as well as a list to choose from."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_login_journey import blocking_violations, csp_refusals, log_in


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
