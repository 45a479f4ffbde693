"""The staff's search on a phone (375 px): the committee's head finds a member's programme without typing accents
and takes the list away as a spreadsheet; board staff search the ward's roster and a period's reviews; the committee
searches its queue; the Front searches its cases. No search form makes a page scroll sideways, and none has a
serious accessibility violation."""

from collections.abc import Callable

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from programmes.models import PartyPost
from reviews.models import Review
from tests.browser.test_login_journey import blocking_violations, log_in
from tests.factories import PositionFactory, make_member
from tests.programmes.programme_data import make_confirmed
from tests.publicity.feedback_data import send
from tests.publicity.public_data import make_public
from tests.reviews.review_data import open_period, propose, write_and_submit

PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True}


def fits_the_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert blocking_violations(page) == []


def search(page: Page, text: str) -> None:
    page.get_by_role("searchbox", name="Tìm kiếm").fill(text)
    page.get_by_role("button", name="Tìm", exact=True).click()


@pytest.mark.django_db(transaction=True)
def test_staff_search_their_lists_on_a_phone_and_take_one_away(
    live_server, cast, migrated_rows, browser, console_errors, tmp_path
):
    secretary_b = make_member(cast.cell_b, "secretary_b", full_name="Đỗ Văn Giang")
    PositionFactory(cadre=secretary_b, organisation=cast.cell_b, party_post=PartyPost.SECRETARY)
    assert secretary_b.user is not None
    programme = make_public(cast.member, cast.secretary.user)
    make_confirmed(cast.outsider, secretary_b.user, title="Chương trình của Cường")
    send(programme)
    period = open_period(cast.ward, cast.org_board)
    review = Review.objects.get(period=period, cadre=cast.member)
    write_and_submit(review)
    propose(review, cast.secretary.user)

    def phone(username: str) -> Page:
        context = browser.new_context(locale="vi-VN", accept_downloads=True, **PHONE)
        page = context.new_page()
        page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
        log_in(page, live_server.url, username)
        return page

    opened: list[Callable[[], None]] = []
    try:
        head = phone("head")
        opened.append(head.context.close)
        head.goto(f"{live_server.url}/chuong-trinh/")
        search(head, "tran thi anh")
        expect(head.get_by_text("Chương trình hành động nhiệm kỳ 2026")).to_be_visible()
        expect(head.get_by_text("Chương trình của Cường")).to_have_count(0)
        fits_the_phone(head)
        with head.expect_download() as download:
            head.get_by_role("link", name="Tải bảng tính (XLSX)").click()
        saved = tmp_path / "chuong-trinh.xlsx"
        download.value.save_as(saved)
        rows = list(load_workbook(saved)["Chương trình"].iter_rows(values_only=True))
        assert [row[0] for row in rows[1:]] == ["Trần Thị Ánh"]

        staff = phone("committee_staff")
        opened.append(staff.context.close)
        staff.goto(f"{live_server.url}/kiem-diem/")
        search(staff, "anh")
        expect(staff.get_by_role("link", name="Trần Thị Ánh").first).to_be_visible()
        fits_the_phone(staff)

        board = phone("org_board")
        opened.append(board.context.close)
        board.goto(f"{live_server.url}/to-chuc/{cast.ward.pk}/")
        search(board, "cuong")
        expect(board.get_by_role("link", name="Phạm Văn Cường")).to_be_visible()
        expect(board.get_by_role("link", name="Trần Thị Ánh")).to_have_count(0)
        fits_the_phone(board)
        board.goto(f"{live_server.url}/kiem-diem/dot/{period.pk}/")
        board.get_by_label("Trạng thái").select_option(label="Chi bộ đã đề xuất")
        board.get_by_role("button", name="Tìm", exact=True).click()
        expect(board.get_by_role("heading", name="Bản kiểm điểm khớp với bộ lọc (1)")).to_be_visible()
        fits_the_phone(board)

        front = phone("overseer")
        opened.append(front.context.close)
        front.goto(f"{live_server.url}/giam-sat/")
        search(front, "tran thi anh")
        expect(front.get_by_role("cell", name="Trần Thị Ánh")).to_be_visible()
        fits_the_phone(front)
    finally:
        for close in opened:
            close()
    assert console_errors == []
