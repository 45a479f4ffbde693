"""Carrying an unfinished commitment into a new programme, and the cadre's portfolio, on a phone: the member finds
both from her own pages, ticks and carries, reads where the commitment came from, and every page fits 375 px with
no serious accessibility violation."""

from decimal import Decimal

from playwright.sync_api import Page, expect

from programmes.action_programmes.progress import progress_report
from programmes.models import ProgressStatus
from tests.browser.test_login_journey import blocking_violations, log_in
from tests.programmes.programme_data import make_confirmed, make_draft

NEW_TITLE = "Chương trình hành động khi nhận nhiệm vụ mới"
HISTORY_NOTE = "Đã xử lý chín phần mười hồ sơ"


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert blocking_violations(page) == []


def test_a_member_carries_a_commitment_and_reads_her_portfolio_on_a_phone(
    live_server, cast, phone_page: Page, console_errors
):
    earlier = make_confirmed(cast.member, cast.secretary.user)
    assert earlier.current_version is not None
    unfinished = earlier.current_version.terms.get(position=2).commitment
    progress_report(
        commitment=unfinished,
        status=ProgressStatus.ON_TRACK,
        value_reached=Decimal("90"),
        note=HISTORY_NOTE,
        acting_user=cast.member.user,
    )
    target = make_draft(cast.member, weights=(60,), title=NEW_TITLE)
    log_in(phone_page, live_server.url, "member")

    phone_page.goto(f"{live_server.url}/chuong-trinh/{target.pk}/soan/")
    phone_page.get_by_role("link", name="Chuyển tiếp cam kết chưa hoàn thành").click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Chuyển tiếp cam kết chưa hoàn thành")
    _fits(phone_page)
    phone_page.get_by_label("Mục I.2", exact=False).check()
    phone_page.get_by_role("button", name="Chuyển tiếp vào bản nháp").click()
    expect(phone_page.get_by_text("Đã chuyển tiếp 1 nội dung cam kết chưa hoàn thành vào bản nháp.")).to_be_visible()
    expect(phone_page.get_by_text(f"Chuyển tiếp từ: {earlier.title}")).to_be_visible()

    phone_page.goto(f"{live_server.url}/chuong-trinh/{target.pk}/")
    expect(phone_page.get_by_text(HISTORY_NOTE)).to_be_visible()
    _fits(phone_page)

    phone_page.goto(f"{live_server.url}/")
    phone_page.get_by_role("link", name="Quá trình thực hiện và kết quả kiểm điểm").click()
    expect(phone_page.get_by_role("heading", level=1)).to_contain_text("Quá trình thực hiện và kết quả kiểm điểm")
    expect(phone_page.get_by_role("link", name=NEW_TITLE)).to_be_visible()
    _fits(phone_page)
    assert console_errors == []
