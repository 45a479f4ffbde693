"""Each persona starts at “Việc cần làm” on their own page and reaches their main task in one click, in a real browser.

Alice (member of cell A) is told her self-review is due and opens it; Bình (the cell's secretary) opens the meeting
to record, records it and is then asked for the cell's proposal; Võ Thị Dung (of the grassroots committee) reaches
the queue where the cell's proposals are decided; Huỳnh Văn Em (its secretary) the decisions waiting for his
confirmation; the ward's Front answers the case past its deadline and is left with nothing waiting. The page has no
serious accessibility violation, and on a 375 px phone each item's count and link come before its deadline.
"""

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from publicity import feedback
from publicity.models import FeedbackCase
from reviews.models import Review
from tests.browser.test_login_journey import blocking_violations, csp_refusals, log_in
from tests.programmes.programme_data import make_confirmed
from tests.publicity.feedback_data import send
from tests.publicity.public_data import make_public
from tests.reviews.review_data import decided_review, open_period, proposed_review, write_and_submit

MINUTES = "Chi bộ họp kiểm điểm cuối năm; các đồng chí dự họp góp ý từng bản kiểm điểm và biểu quyết."
ANSWER = "Ủy ban Mặt trận đã làm việc với khu phố: buổi đối thoại được tổ chức ngày 20 tháng này."


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def desk(page: Page) -> Locator:
    return page.get_by_role("region", name="Việc cần làm")


def task_group(page: Page, title: str) -> Locator:
    return desk(page).get_by_role("region", name=title)


def item(page: Page, group: str, label: str) -> Locator:
    return task_group(page, group).get_by_role("listitem").filter(has_text=label)


@pytest.mark.django_db(transaction=True)
def test_member_opens_the_self_review_that_is_due(live_server: Any, cast: Any, page: Page, console_errors: Any) -> None:
    make_confirmed(cast.member, cast.secretary.user)
    period = open_period(cast.ward, cast.org_board)
    log_in(page, live_server.url, "member")

    expect(page.get_by_role("heading", level=1)).to_have_text("Trang của tôi")
    due = item(page, "Việc của đồng chí", "Bản kiểm điểm cá nhân cần viết và nộp")
    expect(due).to_contain_text("1")
    expect(due).to_contain_text(f"Hạn gần nhất {period.self_review_until:%d/%m/%Y}, còn 10 ngày.")
    assert blocking_violations(page) == []

    due.get_by_role("link", name="Viết bản kiểm điểm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bản kiểm điểm cá nhân")
    review = Review.objects.get(period=period, cadre=cast.member)
    expect(page).to_have_url(re.compile(rf"/kiem-diem/{review.pk}/ban-kiem-diem/$"))
    assert csp_refusals(console_errors) == []


@pytest.mark.django_db(transaction=True)
def test_secretary_on_a_phone_records_the_meeting_then_is_asked_for_the_proposal(
    live_server: Any, cast: Any, phone_page: Page, console_errors: Any
) -> None:
    make_confirmed(cast.member, cast.secretary.user)
    period = open_period(cast.ward, cast.org_board)
    write_and_submit(Review.objects.get(period=period, cadre=cast.member))
    page = phone_page
    log_in(page, live_server.url, "secretary")

    meeting = item(page, "Việc của chi bộ, tập thể lãnh đạo", "Cuộc họp kiểm điểm của chi bộ chưa ghi biên bản")
    link = meeting.get_by_role("link", name="Ghi biên bản cuộc họp")
    deadline = meeting.get_by_text(re.compile("Hạn gần nhất"))
    # On the phone the count and the link come first, the deadline after them, and nothing scrolls sideways.
    for element in (meeting.locator(".desk-count"), link, deadline):
        expect(element).to_be_visible()
    count_box, link_box, deadline_box = (
        element.bounding_box() for element in (meeting.locator(".desk-count"), link, deadline)
    )
    assert count_box is not None and link_box is not None and deadline_box is not None
    assert count_box["y"] < link_box["y"] < deadline_box["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert blocking_violations(page) == []

    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ghi cuộc họp kiểm điểm")
    page.get_by_label("Ngày họp").fill(timezone.localdate().isoformat())
    page.get_by_label("Tổng số đảng viên của chi bộ").fill("2")
    page.get_by_label("Số đảng viên dự họp").fill("2")
    page.get_by_label("Người chủ trì").fill("Lê Văn Bình")
    page.get_by_label("Biên bản cuộc họp").fill(MINUTES)
    page.get_by_role("button", name="Ghi cuộc họp").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Ghi cuộc họp kiểm điểm")

    page.goto(f"{live_server.url}/")
    group = task_group(page, "Việc của chi bộ, tập thể lãnh đạo")
    expect(group.get_by_text("Cuộc họp kiểm điểm của chi bộ chưa ghi biên bản")).to_have_count(0)
    expect(item(page, "Việc của chi bộ, tập thể lãnh đạo", "Đề xuất mức xếp loại của chi bộ cần ghi")).to_contain_text(
        "Ghi đề xuất của chi bộ"
    )
    item(page, "Việc của chi bộ, tập thể lãnh đạo", "Đề xuất mức xếp loại của chi bộ cần ghi").get_by_role(
        "link", name="Ghi đề xuất của chi bộ"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đề xuất của cả chi bộ")
    assert csp_refusals(console_errors) == []


@pytest.mark.django_db(transaction=True)
def test_committee_member_reaches_the_table_where_the_cell_is_decided(
    live_server: Any, cast: Any, page: Page, console_errors: Any
) -> None:
    proposed_review(cast)
    log_in(page, live_server.url, "committee_staff")

    waiting = item(page, "Việc của cấp ủy", "Đề xuất của chi bộ chờ cấp ủy quyết định xếp loại")
    expect(waiting).to_contain_text("Chờ lâu nhất 0 ngày.")
    waiting.get_by_role("link", name="Quyết định xếp loại").click()

    # The cell's table: its whole cell decided in one page.
    expect(page.get_by_role("heading", level=1)).to_have_text("Quyết định xếp loại cả chi bộ")
    expect(page).to_have_url(re.compile(r"/kiem-diem/dot/\d+/chi-bo/\d+/quyet-dinh/$"))
    table = page.get_by_role("table", name="Quyết định xếp loại của cấp ủy cho từng đảng viên chi bộ đã đề xuất")
    expect(table).to_contain_text("Trần Thị Ánh")
    expect(page.get_by_text("Chi bộ Khu phố 1A").first).to_be_visible()
    assert csp_refusals(console_errors) == []


@pytest.mark.django_db(transaction=True)
def test_head_reaches_the_decisions_waiting_for_confirmation(
    live_server: Any, cast: Any, page: Page, console_errors: Any
) -> None:
    decided_review(cast)
    log_in(page, live_server.url, "head")

    # The head holds several roles: each has its group, and the desk comes before the table of rights.
    for title in ("Việc của đồng chí", "Việc của chi bộ, tập thể lãnh đạo", "Việc của cấp ủy"):
        expect(task_group(page, title)).to_be_visible()
    headings = page.get_by_role("heading", level=2).all_inner_texts()
    assert headings.index("Việc cần làm") < headings.index("Việc tôi được làm")
    assert blocking_violations(page) == []

    waiting = item(page, "Việc của cấp ủy", "Quyết định xếp loại chờ đồng chí xác nhận")
    waiting.get_by_role("link", name="Xác nhận kết quả xếp loại").click()
    expect(page).to_have_url(re.compile(r"/kiem-diem/dot/\d+/chi-bo/\d+/xac-nhan/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Xác nhận nhiều kết quả xếp loại")
    table = page.get_by_role("table", name="Quyết định xếp loại chờ người đứng đầu xác nhận, từng đảng viên")
    expect(table).to_contain_text("Trần Thị Ánh")
    assert csp_refusals(console_errors) == []


@pytest.mark.django_db(transaction=True)
def test_front_answers_the_case_past_its_deadline(live_server: Any, cast: Any, page: Page, console_errors: Any) -> None:
    case = send(make_public(cast.member, cast.secretary.user))
    feedback.case_accept(case=case, acting_user=cast.overseer)
    FeedbackCase.objects.filter(pk=case.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=3))
    log_in(page, live_server.url, "overseer")

    late = item(page, "Việc giám sát của Mặt trận Tổ quốc, Hội đồng nhân dân", "Góp ý, phản ánh đã quá hạn trả lời")
    expect(late).to_contain_text("đã quá hạn 3 ngày")
    assert blocking_violations(page) == []
    late.get_by_role("link", name="Trả lời góp ý quá hạn").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Góp ý, phản ánh {case.tracking_code}")
    # One decision at a time: the answer's form once it is chosen.
    page.get_by_role("radio", name="Ghi kết quả xác minh và trả lời").check()
    page.get_by_role("button", name="Tiếp tục").click()
    page.get_by_role("radio", name="Đúng một phần").check()
    page.get_by_label("Trả lời công khai cho người gửi").fill(ANSWER)
    page.get_by_role("button", name="Ghi kết quả và công khai trả lời").click()
    expect(page.get_by_text("Đã ghi kết quả; người gửi xem được trả lời bằng mã tra cứu.")).to_be_visible()

    page.goto(f"{live_server.url}/")
    expect(task_group(page, "Việc giám sát của Mặt trận Tổ quốc, Hội đồng nhân dân")).to_contain_text(
        "Không có việc nào đang chờ."
    )
    assert csp_refusals(console_errors) == []
