"""The residence comment of Quy định 213-QĐ/TW in the demo, in a real browser.

The school's annual period is open (the demo opens it, which asks each working member's residence cell for its
comment). bithukp2, secretary of Chi bộ Khu phố 2 in Phường Sài Gòn, signs in on a 375 px phone, finds under
"Việc cần làm" the request for dangvien3, a member of the school's cell in the other ward (Bến Thành), and comments
on the four points. bithuchibo, the secretary of dangvien3's cell, opens the page of the cell's meeting and reads
the comment under "Ý kiến nhận xét nơi cư trú" before recording the meeting. bithukp2 gets 404 on everything else
about dangvien3: his review and self-review, the review's decision page, his programme, his cadre page and the roster
of his cell; their guide is linked from their page. Each page fits the phone and has no serious accessibility
violation.
"""

import re
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Locator, Page, ViewportSize, expect

from demo.people import DEFAULT_PASSWORD
from demo.plan import RESIDENCE_CELL
from demo.reviews import REVIEW_PERIOD_TITLE
from programmes.models import Cadre, Membership, PublicityLevel
from reviews.models import CellMeeting, ResidenceComment, ResidenceCommentState, Review, ReviewPeriod
from tests.browser.test_login_journey import blocking_violations, csp_refusals
from tests.programmes.programme_data import make_confirmed

PHONE: ViewportSize = {"width": 375, "height": 812}
COMMENT = (
    "Đồng chí Võ Thanh Tùng gương mẫu chấp hành quy định của khu phố, tham gia đầy đủ các buổi sinh hoạt tổ dân "
    "phố; chưa tham gia nhiều hoạt động tình nguyện của khu phố."
)
# The four points of Quy định 213 (Điều 4), as the form words them, and the secretary's assessment of each.
POINTS = {
    "Chấp hành chủ trương, chính sách, pháp luật, quy định nơi cư trú": "Thực hiện tốt",
    "Giữ gìn phẩm chất đạo đức, lối sống": "Thực hiện tốt",
    "Tham gia sinh hoạt, hoạt động ở nơi cư trú": "Còn hạn chế",
    "Thực hiện nghĩa vụ công dân": "Thực hiện tốt",
}
MINUTES = "Chi bộ họp kiểm điểm cuối năm; đã đọc nhận xét của chi bộ nơi cư trú trước khi góp ý từng bản kiểm điểm."


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def demo() -> Review:
    """The demo seeded, with the school's period open; dangvien3's review in it, and a programme of his confirmed by
    his cell's secretary so that there is a programme page to refuse."""
    call_command("seed_demo", "--password", DEFAULT_PASSWORD, stdout=StringIO())
    member = Cadre.objects.get(user__username="dangvien3")
    make_confirmed(member, User.objects.get(username="bithuchibo"), publicity_max=PublicityLevel.COMMITTEE)
    return Review.objects.select_related("period", "cell").get(cadre=member, period__title=REVIEW_PERIOD_TITLE)


@pytest.fixture
def phone(browser: Browser, console_errors: list[str]) -> Iterator[Callable[[], Page]]:
    """A new person's phone on each call: its own context, so its own session."""
    contexts: list[BrowserContext] = []

    def make() -> Page:
        context = browser.new_context(locale="vi-VN", reduced_motion="reduce", viewport=PHONE, is_mobile=True)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: record_error(console_errors, message))
        return page

    yield make
    for context in contexts:
        context.close()


def record_error(console_errors: list[str], message: ConsoleMessage) -> None:
    if message.type == "error":
        console_errors.append(message.text)


def sign_in(page: Page, base_url: str, username: str) -> None:
    """With the demo password, then the code `manage.py demo_otp` prints for an account with a second factor."""
    page.goto(f"{base_url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_label("Mã xác thực")).to_be_visible()
    code = StringIO()
    call_command("demo_otp", username, stdout=code)
    page.get_by_label("Mã xác thực").fill(code.getvalue().strip())
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trang của tôi")


def fits_the_phone(page: Page) -> None:
    """No sideways scrolling at 375 px, and no serious or critical accessibility violation."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url
    assert blocking_violations(page) == [], page.url


def residence_task(page: Page) -> Locator:
    desk = page.get_by_role("region", name="Việc cần làm")
    group = desk.get_by_role("region", name="Việc của chi bộ, tập thể lãnh đạo")
    return group.get_by_role("listitem").filter(has_text="Đảng viên cư trú trên địa bàn chờ chi bộ nhận xét")


@pytest.mark.django_db(transaction=True)
def test_the_residence_secretary_comments_and_the_workplace_secretary_reads_it_before_the_meeting(
    live_server: Any, demo: Review, phone: Callable[[], Page], console_errors: list[str]
) -> None:
    review = demo
    base = live_server.url
    request = ResidenceComment.objects.select_related("residence_cell").get(review=review)
    # Asked when the period opened, of the cell of the quarter in the other ward where he lives.
    assert request.requested_at >= ReviewPeriod.objects.get(pk=review.period_id).opened_at
    assert (request.residence_cell.code, request.state) == (RESIDENCE_CELL, ResidenceCommentState.REQUESTED)

    # The residence secretary, on a phone: "Việc cần làm" → the list of requests → the comment.
    page = phone()
    sign_in(page, base, "bithukp2")
    task = residence_task(page)
    expect(task).to_contain_text(f"Hạn gần nhất {request.due_on:%d/%m/%Y}")
    fits_the_phone(page)
    task.get_by_role("link", name="Nhận xét nơi cư trú").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đề nghị nhận xét đảng viên nơi cư trú")
    row = page.get_by_role("row").filter(has_text="Võ Thanh Tùng")
    expect(row).to_contain_text("Chi bộ Tổ Toán - Tin học")
    expect(row).to_contain_text("Chi bộ Khu phố 2")
    expect(row).to_contain_text("Chờ nhận xét")
    fits_the_phone(page)
    # "Nhận xét", with the member's name for screen readers.
    row.get_by_role("link", name=re.compile(r"^Nhận xét\s*: Võ Thanh Tùng$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhận xét nơi cư trú: Võ Thanh Tùng")
    expect(page).to_have_url(f"{base}{reverse('reviews:residence_comment_record', args=[request.pk])}")
    fits_the_phone(page)

    # Sent without the points, the form says which are missing and keeps nothing.
    page.get_by_label("Nội dung nhận xét").fill(COMMENT)
    page.get_by_role("button", name="Gửi trả lời").click()
    expect(page.get_by_role("alert").first).to_contain_text("Trả lời chưa được gửi")
    expect(page.get_by_text("Hãy đánh giá nội dung “Thực hiện nghĩa vụ công dân”.")).to_be_visible()
    request.refresh_from_db()
    assert request.state == ResidenceCommentState.REQUESTED

    for point, assessment in POINTS.items():
        page.get_by_role("group", name=point, exact=True).get_by_label(assessment, exact=True).check()
    page.get_by_label("Nội dung nhận xét").fill(COMMENT)
    page.get_by_role("button", name="Gửi trả lời").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đề nghị nhận xét đảng viên nơi cư trú")
    expect(page.get_by_text("Đã gửi trả lời về đồng chí Võ Thanh Tùng cho chi bộ nơi công tác.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Võ Thanh Tùng")).to_contain_text("Đã nhận xét")
    fits_the_phone(page)
    request.refresh_from_db()
    assert (request.state, request.text, request.point_activities) == (
        ResidenceCommentState.COMMENTED,
        COMMENT,
        "limited",
    )

    # The workplace secretary reads it on the meeting page, then records the meeting.
    secretary = phone()
    sign_in(secretary, base, "bithuchibo")
    secretary.goto(f"{base}{reverse('reviews:cell_reviews', args=[review.period_id, review.cell_id])}")
    secretary.get_by_role("link", name="Ghi cuộc họp", exact=True).click()
    expect(secretary.get_by_role("heading", level=1)).to_have_text("Ghi cuộc họp kiểm điểm")
    panel = secretary.get_by_role("region", name="Ý kiến nhận xét nơi cư trú")
    # Each member asked for is named above the answer of their residence cell.
    name = panel.get_by_role("heading", name="Võ Thanh Tùng", exact=True)
    expect(name).to_be_visible()
    card = name.locator("xpath=following-sibling::div[contains(@class, 'card')][1]")
    expect(card).to_contain_text("Chi bộ Khu phố 2")
    expect(card).to_contain_text("Đã nhận xét")
    expect(card).to_contain_text(COMMENT)
    for point, assessment in POINTS.items():
        term = card.get_by_role("term").filter(has_text=point)
        expect(term.locator("xpath=following-sibling::dd[1]")).to_have_text(assessment)
    fits_the_phone(secretary)
    meetings = CellMeeting.objects.filter(period=review.period, cell=review.cell).count()
    members_total = secretary.get_by_label("Tổng số đảng viên của chi bộ").input_value()
    secretary.get_by_label("Số đảng viên dự họp").fill(members_total)
    secretary.get_by_label("Biên bản cuộc họp").fill(MINUTES)
    secretary.get_by_role("button", name="Ghi cuộc họp").click()
    expect(secretary.get_by_text(re.compile(r"Đã ghi cuộc họp ngày"))).to_be_visible()
    assert CellMeeting.objects.filter(period=review.period, cell=review.cell).count() == meetings + 1

    # The review's own page shows the same comment to its readers.
    secretary.goto(f"{base}{reverse('reviews:review_detail', args=[review.pk])}")
    expect(secretary.get_by_role("region", name="Ý kiến nhận xét nơi cư trú")).to_contain_text(COMMENT)
    assert csp_refusals(console_errors) == []


@pytest.mark.django_db(transaction=True)
def test_the_residence_secretary_reaches_nothing_else_about_the_member(
    live_server: Any, demo: Review, phone: Callable[[], Page]
) -> None:
    review = demo
    member = review.cadre
    cell = Membership.objects.get(cadre=member, end_date__isnull=True).cell
    programme = member.programmes.get()
    page = phone()
    sign_in(page, live_server.url, "bithukp2")
    refused = [
        reverse("reviews:review_detail", args=[review.pk]),
        reverse("reviews:self_review_edit", args=[review.pk]),
        reverse("reviews:decision_make", args=[review.pk]),
        reverse("reviews:residence_comment_upload", args=[review.residence_comment.pk]),
        reverse("programmes:programme_detail", args=[programme.pk]),
        reverse("programmes:programme_pdf", args=[programme.pk]),
        reverse("programmes:cadre_detail", args=[member.pk]),
        reverse("programmes:organisation_detail", args=[cell.pk]),
        reverse("reviews:cell_reviews", args=[review.period_id, cell.pk]),
        reverse("reviews:meeting_record", args=[review.period_id, cell.pk]),
    ]
    for address in refused:
        response = page.goto(f"{live_server.url}{address}")
        assert response is not None and response.status == 404, address
    # The roster's spreadsheet is refused as every export is (programmes.export_views.export_response), naming no one.
    response = page.goto(f"{live_server.url}{reverse('programmes:members_export', args=[cell.pk])}")
    assert response is not None and response.status in (403, 404)
    assert member.full_name not in response.text()
    # Only the request itself is theirs.
    address = reverse("reviews:residence_comment_record", args=[review.residence_comment.pk])
    response = page.goto(f"{live_server.url}{address}")
    assert response is not None and response.status == 200

    # Their guide, linked from their page, reads on the phone.
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Hướng dẫn nhận xét đảng viên nơi cư trú").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hướng dẫn nhận xét đảng viên nơi cư trú")
    expect(page.get_by_role("listitem").filter(has_text="Gửi trả lời")).to_be_visible()
    fits_the_phone(page)
