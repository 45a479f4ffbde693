"""Citizen feedback in a real browser: a visitor finds a cadre by an unaccented name, reads the amended target,
sends feedback and keeps the code; the Front of that ward verifies it and publishes an answer; the visitor reads
the answer by the code; the Front of another ward sees nothing of it. Accessible, and usable on a phone."""

import re
from collections.abc import Iterator

import pytest
from django.utils import translation
from playwright.sync_api import Browser, Page, expect

from programmes.models import Role
from tests.browser.test_login_journey import blocking_violations, csp_refusals, log_in
from tests.factories import make_member
from tests.publicity.feedback_data import overseer_of
from tests.publicity.public_data import AMENDMENT_REASON, amend_target, make_public

FEEDBACK = "Khu phố chưa thấy lịch tiếp nhận hồ sơ buổi tối như đồng chí đã cam kết."
ANSWER = "Ủy ban MTTQ phường đã làm việc với chi bộ: lịch tiếp nhận buổi tối bắt đầu từ tháng sau."


@pytest.fixture(autouse=True)
def _vietnamese() -> Iterator[None]:
    with translation.override("vi"):
        yield


@pytest.fixture
def published(cast):
    """Nguyễn Văn Nên's published programme, its first target raised by a confirmed amendment; and the Front
    account of the neighbouring ward."""
    nen = make_member(cast.cell_a, "nen", full_name="Nguyễn Văn Nên")
    programme = make_public(nen, cast.secretary.user, title="Chương trình hành động nhiệm kỳ 2026 của đồng chí Nên")
    amend_target(programme, cast.secretary.user, "90")
    overseer_of(cast.other_ward, Role.FRONT_OVERSEER, "front_saigon")
    return programme


def _answer_the_question(page: Page) -> None:
    label = page.get_by_text(re.compile(r"Câu hỏi kiểm tra: \d+ cộng \d+")).inner_text()
    first, second = (int(number) for number in re.findall(r"\d+", label)[:2])
    page.get_by_label(re.compile("Câu hỏi kiểm tra")).fill(str(first + second))


def _send_feedback(page: Page, base_url: str) -> str:
    page.goto(f"{base_url}/cong-khai/")
    page.get_by_label("Tìm theo tên, chức vụ hoặc tổ chức").fill("nguyen van nen")
    page.get_by_role("button", name="Tìm").click()
    page.locator("#main-content").get_by_role("link", name="Nguyễn Văn Nên").click()
    first = page.locator("article", has=page.get_by_role("heading", name=re.compile(r"^Nội dung I.1 ·")))
    expect(first.get_by_text("Chỉ tiêu đã thay đổi 1 lần")).to_be_visible()
    first.get_by_role("link", name=re.compile("Xem chỉ tiêu ban đầu")).click()
    expect(
        page.locator("section", has=page.get_by_role("heading", name="Lịch sử điều chỉnh")).get_by_text(
            AMENDMENT_REASON
        )
    ).to_be_visible()

    first.get_by_role("link", name="Góp ý, phản ánh về nội dung I.1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Góp ý, phản ánh")
    assert blocking_violations(page) == []
    expect(page.get_by_label("Về nội dung")).to_have_value(re.compile(r"^\d+$"))
    page.get_by_role("radio", name="Phản ánh").check()
    page.get_by_label("Nội dung góp ý, phản ánh").fill(FEEDBACK)
    page.get_by_label("Họ và tên").fill("Ngô Thị Hạnh")
    page.get_by_label("Thư điện tử").fill("hanh.ngo@example.vn")
    _answer_the_question(page)
    page.get_by_role("button", name="Gửi góp ý, phản ánh").click()

    expect(page.get_by_text("Đã gửi. Xin cảm ơn bạn.")).to_be_visible()
    assert blocking_violations(page) == []
    return page.locator(".tracking-code").inner_text()


@pytest.mark.django_db(transaction=True)
def test_feedback_goes_to_the_front_of_the_ward_and_its_answer_comes_back_by_the_code(
    live_server, published, browser: Browser, page: Page, console_errors
):
    code = _send_feedback(page, live_server.url)
    assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", code)

    front_context = browser.new_context(locale="vi-VN")
    front = front_context.new_page()
    log_in(front, live_server.url, "overseer")
    front.get_by_role("link", name="Góp ý của Nhân dân").click()
    expect(front.get_by_role("heading", level=1)).to_have_text("Góp ý, phản ánh của Nhân dân")
    assert blocking_violations(front) == []
    front.get_by_role("link", name=code).click()
    expect(front.get_by_text(FEEDBACK)).to_be_visible()
    expect(front.get_by_text("hanh.ngo@example.vn")).to_be_visible()
    # One decision at a time: the question first, then the form of the decision chosen.
    expect(front.get_by_role("group", name="Đồng chí muốn làm gì?")).to_be_visible()
    expect(front.get_by_role("button", name="Tiếp nhận", exact=True)).to_have_count(0)
    front.get_by_role("radio", name="Tiếp nhận góp ý, phản ánh").check()
    front.get_by_role("button", name="Tiếp tục").click()
    front.get_by_role("button", name="Tiếp nhận", exact=True).click()
    expect(front.get_by_text("Đã tiếp nhận.")).to_be_visible()
    assert blocking_violations(front) == []
    expect(front.get_by_label("Trả lời công khai cho người gửi")).to_have_count(0)
    front.get_by_role("radio", name="Ghi kết quả xác minh và trả lời").check()
    front.get_by_role("button", name="Tiếp tục").click()
    expect(front.get_by_role("button", name="Chuyển cấp ủy xác minh")).to_have_count(0)
    assert blocking_violations(front) == []
    front.get_by_role("radio", name="Đúng một phần").check()
    front.get_by_label("Trả lời công khai cho người gửi").fill(ANSWER)
    front.get_by_role("button", name="Ghi kết quả và công khai trả lời").click()
    expect(front.get_by_text("Đã ghi kết quả; người gửi xem được trả lời bằng mã tra cứu.")).to_be_visible()
    front_context.close()

    page.goto(f"{live_server.url}/cong-khai/")
    page.get_by_role("link", name="Tra cứu góp ý").click()
    page.get_by_label("Mã tra cứu").fill(code.lower())
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.get_by_text(ANSWER)).to_be_visible()
    expect(page.get_by_text("Đúng một phần")).to_be_visible()
    expect(page.get_by_text("hanh.ngo@example.vn")).to_have_count(0)
    assert blocking_violations(page) == []

    other_context = browser.new_context(locale="vi-VN")
    other = other_context.new_page()
    log_in(other, live_server.url, "front_saigon")
    other.get_by_role("link", name="Góp ý của Nhân dân").click()
    expect(other.get_by_text("Không có góp ý, phản ánh nào trong mục này.")).to_be_visible()
    other.get_by_role("link", name="Tất cả").click()
    expect(other.get_by_text(code)).to_have_count(0)
    other_context.close()
    assert csp_refusals(console_errors) == []


@pytest.mark.django_db(transaction=True)
def test_the_feedback_form_fits_a_phone(live_server, published, phone_page: Page):
    phone_page.goto(f"{live_server.url}/cong-khai/chuong-trinh/{published.pk}/gop-y/")
    expect(phone_page.get_by_role("heading", level=1)).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    phone_page.get_by_label("Nội dung góp ý, phản ánh").fill("Đề nghị công khai lịch tiếp dân.")
    _answer_the_question(phone_page)
    phone_page.get_by_role("button", name="Gửi góp ý, phản ánh").click()
    expect(phone_page.get_by_text("Đã gửi. Xin cảm ơn bạn.")).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
