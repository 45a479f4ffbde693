"""Evaluation reports from the request to the download, in a real browser.

Alice (member of cell A) has a final rating, reached through the services. The organisation board of the
ward asks for cell A's reports (the cell summary and Alice's individual report) and follows the batch's
progress until it has finished. Bình, the cell's secretary, finds the cell summary with its verification code in
his list and downloads it, the very file on record. Cường, a member of the neighbouring cell, gets a 404 for that
file and sees nothing of cell A in his own list.
"""

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from reviews.models import Report, ReportKind, Review
from reviews.reports.produce import display_code
from tests.browser.test_login_journey import blocking_violations, log_in
from tests.reviews.review_data import final_review

CELL_A = "Chi bộ Khu phố 1A"
ALICE = "Trần Thị Ánh"
CELL_TARGET = "Một chi bộ: báo cáo tổng hợp và báo cáo của từng đảng viên đã có kết quả"
GROUNDS = "Hoàn thành đúng hạn 2/2 nội dung cam kết, có minh chứng."
# The batch runs its tasks eagerly in the request that creates it; the htmx poll (every 2 s) is the fallback.
FINISHED_TIMEOUT_MS = 20_000


def _final_review(cast: Any) -> Review:
    """Alice's review, from the period's opening to the head's confirmation, through the services.

    The confirmation queues Alice's individual report on commit; whether it is already made or not, the
    batch below produces it (or finds it unchanged)."""
    return final_review(cast, grounds=GROUNDS)


def _work_list(page: Page) -> None:
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Kiểm điểm", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm điểm, đánh giá, xếp loại")


def _report_list(page: Page) -> None:
    _work_list(page)
    page.get_by_role("main").get_by_role("link", name="Báo cáo", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Báo cáo đánh giá")


@pytest.mark.django_db(transaction=True)
def test_board_requests_cell_reports_and_the_secretary_downloads_the_summary(
    live_server: Any,
    cast: Any,
    open_page: Callable[..., Page],
    console_errors: list[str],
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    review = _final_review(cast)
    period = review.period
    summary_title = f"{CELL_A} – {period.title}"
    alice_title = f"{ALICE} – {period.title}"
    board, binh = open_page(), open_page()

    # 1. The organisation board asks for cell A's reports: the period first, then the cell.
    log_in(board, live_server.url, "org_board")
    _report_list(board)
    board.get_by_role("link", name="Tạo báo cáo").click()
    expect(board.get_by_role("heading", level=1)).to_have_text("Tạo báo cáo")
    board.get_by_role("combobox", name=re.compile("^Đợt kiểm điểm")).select_option(
        label=f"{period.title} ({period.covers_from:%d/%m/%Y} – {period.covers_to:%d/%m/%Y})"
    )
    board.get_by_role("button", name="Chọn đợt").click()
    expect(board.get_by_role("heading", level=2, name=re.compile("^2. Chọn báo cáo cần tạo"))).to_contain_text(
        period.title
    )
    board.get_by_role("radio", name=CELL_TARGET).check()
    cell_choice = board.get_by_role("combobox", name=re.compile("^Chi bộ"))
    expect(cell_choice.locator("option")).to_contain_text(["Chọn chi bộ", CELL_A, "Chi bộ Khu phố 1B"])
    cell_choice.select_option(value=str(cast.cell_a.pk))
    expect(cell_choice.locator("option:checked")).to_contain_text(CELL_A)
    assert blocking_violations(board) == []
    board.get_by_role("button", name="Tạo báo cáo").click()

    # The batch's page: its progress, finished at once (eager tasks) or after a few htmx polls.
    expect(board.get_by_role("status")).to_contain_text("Đã yêu cầu tạo 2 báo cáo")
    expect(board.get_by_role("heading", level=1)).to_contain_text(CELL_A)
    progress = board.locator("#batch-progress")
    expect(progress).to_contain_text("2 / 2 báo cáo đã xong", timeout=FINISHED_TIMEOUT_MS)
    expect(progress).to_contain_text("Đã hoàn tất.")
    expect(progress.get_by_role("progressbar", name="Tiến độ tạo báo cáo")).to_have_attribute("aria-valuenow", "100")
    expect(progress).not_to_contain_text("báo cáo lỗi")
    finished = progress.get_by_role("listitem")
    expect(finished).to_have_count(2)
    for title in (summary_title, alice_title):
        link = progress.get_by_role("link", name=title, exact=True)
        expect(link).to_have_attribute("href", re.compile(r"/kiem-diem/bao-cao/\d+/"))
        expect(link).to_have_attribute("download", "")
    assert blocking_violations(board) == []

    summary = Report.objects.get(kind=ReportKind.CELL_SUMMARY, organisation=cast.cell_a, is_current=True)
    assert summary.title == summary_title
    download_path = board.get_by_role("link", name=summary_title, exact=True).get_attribute("href")
    assert download_path is not None

    # 2. Bình finds the summary in his list with its verification code (no hash: that is for the verification page)
    # and downloads the PDF, the very file on record.
    log_in(binh, live_server.url, "secretary")
    _report_list(binh)
    row = binh.get_by_role("row").filter(has=binh.get_by_role("link", name=re.compile(f"^{re.escape(summary_title)}")))
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Báo cáo tổng hợp của chi bộ")
    expect(row).to_contain_text(CELL_A)
    expect(row).to_contain_text(display_code(summary.verification_code))
    expect(row).not_to_contain_text(summary.sha256[:12])
    with binh.expect_download() as download_info:
        row.get_by_role("link", name=re.compile(f"^{re.escape(summary_title)}")).click()
    download = download_info.value
    assert download.suggested_filename == f"cell_summary-{summary.verification_code}.pdf"
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF")
    assert hashlib.sha256(content).hexdigest() == summary.sha256

    # 3. Cường, of the neighbouring cell, gets a 404 for the file and finds nothing of cell A in his list.
    # (A 404 is a console error in Chromium, so this browser's console is not recorded.)
    cuong = open_page(record_console=False)
    log_in(cuong, live_server.url, "outsider")
    expect(cuong.get_by_role("heading", level=1)).to_have_text("Trang của tôi")
    refused = cuong.request.get(f"{live_server.url}{download_path}", max_redirects=0)
    assert refused.status == 404
    assert not refused.body().startswith(b"%PDF")
    response = cuong.goto(f"{live_server.url}{download_path}")
    assert response is not None
    assert response.status == 404
    expect(cuong.get_by_role("heading", level=1)).to_contain_text("Không tìm thấy trang")
    _report_list(cuong)
    main = cuong.get_by_role("main")
    expect(main.get_by_role("table")).to_have_count(0)
    expect(main).to_contain_text("Chưa có báo cáo nào đồng chí được tải về.")
    expect(main).not_to_contain_text(CELL_A)
    expect(main).not_to_contain_text(ALICE)

    assert console_errors == []
