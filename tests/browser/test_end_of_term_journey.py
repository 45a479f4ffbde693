"""The end of term on a phone (375 px): the confirmer closes a member's programme early from its page, evaluates
each commitment on “Đánh giá cuối nhiệm kỳ”, and the member reads the verdicts and the conclusion on her page. Each
page fits the screen and axe finds no serious violation on it."""

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.test_login_journey import csp_refusals, log_in
from tests.browser.test_record_pages_journey import fits_the_phone
from tests.programmes.programme_data import make_confirmed

PHONE = {"width": 375, "height": 812}


@pytest.mark.django_db(transaction=True)
def test_the_confirmer_closes_and_evaluates_and_the_member_reads_it_on_a_phone(
    live_server, cast, browser: Browser, console_errors
) -> None:
    programme = make_confirmed(cast.member, cast.secretary.user)
    context = browser.new_context(locale="vi-VN", viewport=PHONE, is_mobile=True)  # type: ignore[arg-type]
    page = context.new_page()
    log_in(page, live_server.url, "secretary")

    page.goto(f"{live_server.url}/chuong-trinh/{programme.pk}/")
    page.get_by_role("link", name="Kết thúc chương trình").click()
    fits_the_phone(page)
    page.get_by_role("button", name="Kết thúc chương trình").click()
    expect(page.get_by_role("alert")).to_contain_text("Chọn lý do kết thúc")
    fits_the_phone(page)
    page.get_by_label("Thôi giữ chức vụ").check()
    page.get_by_role("button", name="Kết thúc chương trình").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Đánh giá cuối nhiệm kỳ")
    fits_the_phone(page)
    page.get_by_label("Kết quả cuối nhiệm kỳ của nội dung I.1").select_option(label="Đạt một phần")
    page.get_by_label("Nhận xét về nội dung I.1").fill("Chưa đủ minh chứng")
    page.get_by_label("Kết luận của người xác nhận").fill("Hoàn thành nhiệm vụ")
    page.get_by_role("button", name="Ghi đánh giá").click()
    expect(page.get_by_role("status")).to_contain_text("Đã ghi đánh giá cuối nhiệm kỳ")
    fits_the_phone(page)
    context.close()

    member = browser.new_context(locale="vi-VN", viewport=PHONE, is_mobile=True)  # type: ignore[arg-type]
    mine = member.new_page()
    log_in(mine, live_server.url, "member")
    mine.goto(f"{live_server.url}/chuong-trinh/{programme.pk}/")
    expect(mine.get_by_text("Chưa đủ minh chứng")).to_be_visible()
    expect(mine.get_by_text("Hoàn thành nhiệm vụ")).to_be_visible()
    fits_the_phone(mine)
    member.close()
    assert csp_refusals(console_errors) == []
