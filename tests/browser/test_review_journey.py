"""A self-criticism review from the opening of the period to a resolved appeal, in a real browser.

Alice (member of cell A) already has a confirmed action programme with two commitments. The organisation
board opens the year's period for the ward; Alice writes her bản kiểm điểm, finds her two commitments
pre-filled and first claims “Hoàn thành xuất sắc nhiệm vụ”, which her 87 points do not reach: the check panel
says why and the submission is refused until she claims “Hoàn thành tốt nhiệm vụ”. Bình (the cell's secretary)
records the meeting and the cell's proposal, Võ Thị Dung (a member of the grassroots committee) decides, Huỳnh
Văn Em (its secretary) confirms on cited grounds. Alice appeals; the appeal goes to the ward's committee, above
the one that decided, so Em is not offered to resolve it and Đặng Văn Phúc (of the ward's committee) upholds the
result. Alice reads the outcome in the review's history and is no longer offered to appeal the same result. A
member of the neighbouring cell gets a 404 for Alice's review.
"""

import datetime
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from tests.browser.test_login_journey import blocking_violations, log_in
from tests.programmes.programme_data import make_confirmed
from tests.reviews.review_data import COVERS_FROM, COVERS_TO, committee_member

PERIOD_TITLE = "Kiểm điểm, đánh giá, xếp loại chất lượng năm 2026"
GOOD = "Hoàn thành tốt nhiệm vụ"
EXCELLENT = "Hoàn thành xuất sắc nhiệm vụ"
ON_TIME = "Hoàn thành đúng hạn"
# The two commitments programme_data.make_confirmed gives Alice, as the review pre-fills them.
STATEMENTS = (
    "Giải quyết đúng hạn 100% hồ sơ hành chính của khu phố, đợt 1",
    "Giải quyết đúng hạn 100% hồ sơ hành chính của khu phố, đợt 2",
)
STRENGTHS = "Giữ vững lập trường chính trị; giải quyết đúng hạn toàn bộ hồ sơ hành chính của khu phố."
SHORTCOMINGS = "Có lúc chưa sâu sát cơ sở; nguyên nhân chủ quan là sắp xếp thời gian chưa hợp lý."
REMEDY_PLAN = "Mỗi tháng xuống khu phố ít nhất hai lần, báo cáo chi bộ kết quả hằng quý."
MINUTES = "Chi bộ họp kiểm điểm cuối năm; các đồng chí dự họp góp ý từng bản kiểm điểm và biểu quyết."
GROUNDS = "Hoàn thành đúng hạn 2/2 nội dung cam kết, chi bộ kết luận đúng như tự đánh giá."
APPEAL = "Đề nghị xem xét lại: nội dung 1 đã vượt chỉ tiêu từ tháng 10, đủ căn cứ xếp loại cao hơn."
RESOLUTION = "Giữ nguyên kết quả: nội dung 1 đạt đúng chỉ tiêu đã cam kết, không vượt yêu cầu."

# The rule sets are rows a data migration adds; an earlier live-server test's flush may have emptied the table.


def _work_list(page: Page) -> None:
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Kiểm điểm", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm điểm, đánh giá, xếp loại")


def _commitment(page: Page, number: int) -> Locator:
    # Numbered as in the programme: its commitments are all in one section, "I".
    return page.get_by_role("article", name=f"Nội dung I.{number}")


def _level_radio(page: Page, level: str) -> Locator:
    return page.get_by_role("radio", name=level, exact=True)


# --- The journey ---------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_review_from_self_review_to_resolved_appeal(
    live_server: Any,
    cast: Any,
    page: Page,
    open_page: Callable[..., Page],
    console_errors: list[str],
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    make_confirmed(cast.member, cast.secretary.user)
    today = timezone.localdate()
    board, alice, binh, dung, em = page, open_page(), open_page(), open_page(), open_page()

    # 0. The organisation board opens the period for the ward; the deadlines follow today, the results 2026.
    log_in(board, live_server.url, "org_board")
    _work_list(board)
    board.get_by_role("link", name="Mở đợt kiểm điểm").click()
    expect(board.get_by_role("heading", level=1)).to_have_text("Mở đợt kiểm điểm")
    board.get_by_label("Tên đợt kiểm điểm").fill(PERIOD_TITLE)
    board.get_by_label("Phạm vi").select_option(label="Đảng bộ phường Bến Thành (Đảng bộ xã, phường, đặc khu)")
    board.get_by_label("Kiểm điểm kết quả từ ngày").fill(COVERS_FROM.isoformat())
    board.get_by_label("Đến ngày").fill(COVERS_TO.isoformat())
    for label, days in (("Hạn nộp bản kiểm điểm", 10), ("Hạn họp chi bộ", 20), ("Hạn quyết định xếp loại", 30)):
        board.get_by_label(label).fill((today + datetime.timedelta(days=days)).isoformat())
    board.get_by_role("button", name="Mở đợt và tạo bản kiểm điểm").click()
    expect(board.get_by_role("status")).to_contain_text(f"Đã mở đợt “{PERIOD_TITLE}”")
    expect(board.get_by_role("heading", level=1)).to_contain_text(PERIOD_TITLE)

    # 1. Alice finds her review and writes it: sections I, II and VI, her two commitments, points and level.
    log_in(alice, live_server.url, "member")
    _work_list(alice)
    alice.get_by_role("table", name=re.compile("^Bản kiểm điểm của tôi")).get_by_role(
        "link", name=PERIOD_TITLE, exact=True
    ).click()
    expect(alice.get_by_role("heading", level=1)).to_have_text("Bản kiểm điểm cá nhân: Trần Thị Ánh")
    review_url = alice.url
    alice.get_by_role("group", name="Việc đồng chí có thể làm").get_by_role("link", name="Viết bản kiểm điểm").click()
    expect(alice.get_by_role("heading", level=1)).to_have_text("Bản kiểm điểm cá nhân")

    alice.get_by_label("I. Ưu điểm, kết quả đạt được").fill(STRENGTHS)
    alice.get_by_label("II. Hạn chế, khuyết điểm và nguyên nhân").fill(SHORTCOMINGS)
    alice.get_by_label("VI. Phương hướng, biện pháp khắc phục hạn chế, khuyết điểm").fill(REMEDY_PLAN)
    for number, statement in enumerate(STATEMENTS, start=1):
        commitment = _commitment(alice, number)
        expect(commitment).to_contain_text(statement)
        expect(commitment).to_contain_text("30/06/2026")
        commitment.get_by_label(f"Tự đánh giá nội dung I.{number}").select_option(label=ON_TIME)
    alice.get_by_label("Điểm tiêu chí chung (0–30)").fill("27")
    alice.get_by_label("Điểm kết quả thực hiện nhiệm vụ (0–70)").fill("60")
    _level_radio(alice, EXCELLENT).check()

    check = alice.get_by_role("region", name="Kiểm tra trước khi nộp")
    alice.get_by_role("button", name="Lưu bản nháp").click()
    expect(alice.locator("#self-review-status")).to_contain_text("Đã lưu bản nháp lúc")
    expect(check).to_contain_text("Tổng tự chấm: 87/100 điểm, tương ứng mức “Hoàn thành tốt nhiệm vụ”.")
    expect(check).to_contain_text(
        "Phải sửa Tổng 87 điểm chỉ đạt mức “Hoàn thành tốt nhiệm vụ”, chưa đủ để xếp “Hoàn thành xuất sắc nhiệm vụ”."
    )
    expect(check).not_to_contain_text("Có thể nộp")
    assert blocking_violations(alice) == []

    alice.get_by_role("button", name="Nộp bản kiểm điểm").click()
    expect(check).to_contain_text("Bản kiểm điểm chưa nộp được vì:")
    expect(check.get_by_role("listitem").filter(has_text="Tổng 87 điểm chỉ đạt mức").first).to_be_visible()
    expect(alice.get_by_role("heading", level=1)).to_have_text("Bản kiểm điểm cá nhân")

    _level_radio(alice, GOOD).check()
    alice.get_by_role("button", name="Lưu bản nháp").click()
    expect(check).to_contain_text("Có thể nộp")
    expect(check).not_to_contain_text("Phải sửa")
    alice.get_by_role("button", name="Nộp bản kiểm điểm").click()
    expect(alice.get_by_role("heading", level=1)).to_have_text("Bản kiểm điểm cá nhân: Trần Thị Ánh")
    expect(alice.get_by_role("status")).to_contain_text("Đã nộp bản kiểm điểm.")
    expect(alice.get_by_role("note")).to_contain_text("Đã nộp bản kiểm điểm")
    expect(alice.get_by_text("87 điểm, đạt mức “Hoàn thành tốt nhiệm vụ”")).to_be_visible()

    # 2. Bình records the cell's meeting (5 members, 4 present) and its proposal for Alice.
    log_in(binh, live_server.url, "secretary")
    _work_list(binh)
    binh.get_by_role("link", name=re.compile(r"^Mở trang chi bộ\W+Chi bộ Khu phố 1A")).click()
    expect(binh.get_by_role("heading", level=1)).to_have_text("Chi bộ Khu phố 1A")
    binh.get_by_role("link", name="Ghi cuộc họp").click()
    expect(binh.get_by_role("heading", level=1)).to_have_text("Ghi cuộc họp kiểm điểm")
    binh.get_by_label("Ngày họp").fill(today.isoformat())
    binh.get_by_label("Tổng số đảng viên của chi bộ").fill("5")
    binh.get_by_label("Số đảng viên dự họp").fill("4")
    expect(binh.locator("#quorum-hint")).to_contain_text("Đủ quá nửa 4/5 đảng viên dự — đủ quá nửa.")
    binh.get_by_label("Người chủ trì").fill("Lê Văn Bình")
    binh.get_by_label("Biên bản cuộc họp").fill(MINUTES)
    binh.get_by_role("button", name="Ghi cuộc họp").click()
    expect(binh.get_by_role("status")).to_contain_text(
        f"Đã ghi cuộc họp ngày {today:%d/%m/%Y}: 4/5 đảng viên dự — đủ quá nửa."
    )

    binh.get_by_role("link", name=re.compile(r"^Ghi đề xuất\W+Trần Thị Ánh")).click()
    expect(binh.get_by_role("heading", level=1)).to_have_text("Đề xuất của chi bộ: đồng chí Trần Thị Ánh")
    expect(binh.get_by_label("Cuộc họp chi bộ")).to_contain_text("4/5 đảng viên dự — đủ quá nửa")
    for number in (1, 2):
        verdict = binh.get_by_role("group", name=re.compile(f"^Nội dung I.{number}")).get_by_label("Chi bộ kết luận")
        expect(verdict).to_have_value("done")  # pre-filled from Alice's own verdict
        verdict.select_option(label=ON_TIME)
    binh.get_by_label("Điểm tiêu chí chung").fill("27")
    binh.get_by_label("Điểm kết quả thực hiện nhiệm vụ").fill("60")
    binh.get_by_label("Mức xếp loại chi bộ đề xuất").select_option(label=GOOD)
    binh.get_by_role("spinbutton", name=re.compile("^Số tán thành")).fill("4")
    binh.get_by_label("Số không tán thành").fill("0")
    binh.get_by_label("Số không biểu quyết").fill("0")
    assert blocking_violations(binh) == []
    binh.get_by_role("button", name="Ghi đề xuất").click()
    expect(binh.get_by_role("status")).to_contain_text(
        "Đã ghi đề xuất của chi bộ cho đồng chí Trần Thị Ánh: “Hoàn thành tốt nhiệm vụ”."
    )
    alice_row = binh.get_by_role("row").filter(has=binh.get_by_role("link", name="Trần Thị Ánh"))
    expect(alice_row).to_contain_text("Chi bộ đã đề xuất")

    # 3. Võ Thị Dung, for the grassroots committee, decides the cell's level.
    log_in(dung, live_server.url, "committee_staff")
    _work_list(dung)
    dung.get_by_role("link", name=re.compile(r"^Quyết định xếp loại\W+Trần Thị Ánh")).click()
    expect(dung.get_by_role("heading", level=1)).to_have_text("Quyết định xếp loại: Trần Thị Ánh")
    expect(_level_radio(dung, GOOD)).to_be_checked()
    expect(dung.locator("#quota-box")).to_contain_text(
        "Nếu quyết định mức “Hoàn thành tốt nhiệm vụ”: 0 xuất sắc / 1 tốt."
    )
    assert blocking_violations(dung) == []
    dung.get_by_role("button", name="Quyết định", exact=True).click()
    expect(dung.get_by_role("status")).to_contain_text(
        "Đã quyết định mức “Hoàn thành tốt nhiệm vụ” cho đồng chí Trần Thị Ánh; chờ người đứng đầu xác nhận."
    )

    # 4. Huỳnh Văn Em, the committee's secretary, confirms on grounds citing the first commitment.
    log_in(em, live_server.url, "head")
    _work_list(em)
    em.get_by_role("link", name=re.compile(r"^Xác nhận kết quả\W+Trần Thị Ánh")).click()
    expect(em.get_by_role("heading", level=1)).to_have_text("Xác nhận kết quả xếp loại: Trần Thị Ánh")
    expect(em.get_by_role("region", name="Quyết định của cấp ủy, chờ xác nhận")).to_contain_text("Võ Thị Dung")
    em.get_by_role("textbox", name=re.compile("^Căn cứ xác nhận")).fill(GROUNDS)
    em.get_by_role("checkbox", name=f"1. {STATEMENTS[0]} — {ON_TIME}").check()
    assert blocking_violations(em) == []
    em.get_by_role("button", name="Xác nhận kết quả").click()
    expect(em.get_by_role("status")).to_contain_text(
        "Đã xác nhận kết quả “Hoàn thành tốt nhiệm vụ” của đồng chí Trần Thị Ánh"
    )

    # 5. Alice reads her result and appeals it.
    alice.goto(review_url)
    expect(alice.get_by_role("note")).to_contain_text(f"Kết quả xếp loại: {GOOD}")
    confirmed = alice.get_by_role("article").filter(has_text="Đã xác nhận")
    expect(confirmed).to_contain_text(GROUNDS)
    expect(confirmed).to_contain_text("Huỳnh Văn Em")
    expect(confirmed).to_contain_text(f"1. {STATEMENTS[0]}")
    assert blocking_violations(alice) == []
    alice.get_by_role("group", name="Việc đồng chí có thể làm").get_by_role("link", name="Gửi kiến nghị").click()
    expect(alice.get_by_role("heading", level=1)).to_have_text("Kiến nghị về kết quả xếp loại")
    alice.get_by_role("textbox", name=re.compile("^Nội dung kiến nghị")).fill(APPEAL)
    alice.get_by_role("button", name="Gửi kiến nghị").click()
    expect(alice.get_by_role("status")).to_contain_text("Đã gửi kiến nghị")
    expect(alice.get_by_role("note")).to_contain_text("Đang giải quyết kiến nghị")

    # The head confirmed the contested decision: the appeal is not his to resolve.
    _work_list(em)
    expect(em.get_by_role("link", name=re.compile(r"^Giải quyết kiến nghị\W+Trần Thị Ánh"))).to_have_count(0)

    # The ward's committee resolves it: the result is upheld, with its reasons.
    committee_member(cast.cell_b, cast.ward, "ward_member", "Đặng Văn Phúc")
    phuc = open_page()
    log_in(phuc, live_server.url, "ward_member")
    _work_list(phuc)
    phuc.get_by_role("link", name=re.compile(r"^Giải quyết kiến nghị\W+Trần Thị Ánh")).click()
    expect(phuc.get_by_role("heading", level=1)).to_have_text("Giải quyết kiến nghị: Trần Thị Ánh")
    region = phuc.get_by_role("region", name="Kiến nghị", exact=True)
    expect(region).to_contain_text(APPEAL)
    expect(region).to_contain_text("Đảng bộ phường Bến Thành")
    assert blocking_violations(phuc) == []
    _level_radio(phuc, "Giữ nguyên kết quả").check()
    phuc.get_by_label("Nội dung giải quyết").fill(RESOLUTION)
    phuc.get_by_role("button", name="Ghi kết quả giải quyết").click()
    expect(phuc.get_by_role("status")).to_contain_text(
        "Đã giải quyết kiến nghị của đồng chí Trần Thị Ánh: Giữ nguyên kết quả."
    )

    # Alice sees the outcome on her review and in its history.
    alice.goto(review_url)
    expect(alice.get_by_role("note")).to_contain_text(f"Kết quả xếp loại: {GOOD}")
    appeal = alice.get_by_role("article", name=re.compile("^Kiến nghị ngày"))
    expect(appeal).to_contain_text("Giữ nguyên kết quả")
    expect(appeal).to_contain_text(RESOLUTION)
    history = alice.get_by_role("region", name="Lịch sử").get_by_role("listitem")
    expect(history).to_contain_text(
        [
            "Nộp bản kiểm điểm · Trần Thị Ánh",
            "Ghi cuộc họp kiểm điểm của chi bộ · Lê Văn Bình",
            "Chi bộ đề xuất mức xếp loại · Lê Văn Bình",
            "Cấp ủy quyết định xếp loại · Võ Thị Dung",
            "Người đứng đầu xác nhận kết quả · Huỳnh Văn Em",
            "Gửi kiến nghị về kết quả · Trần Thị Ánh",
            "Giải quyết kiến nghị · Đặng Văn Phúc",
        ]
    )
    # One appeal per result: this one was appealed.
    expect(alice.get_by_role("note")).to_contain_text("mỗi kết quả chỉ được kiến nghị một lần")
    expect(alice.get_by_role("link", name="Gửi kiến nghị")).to_have_count(0)
    assert blocking_violations(alice) == []

    # A member of the neighbouring cell learns nothing of Alice's review. (A 404 is a console error in
    # Chromium, so this browser's console is not recorded.)
    outsider = open_page(record_console=False)
    log_in(outsider, live_server.url, "outsider")
    expect(outsider.get_by_role("heading", level=1)).to_have_text("Trang của tôi")
    response = outsider.goto(review_url)
    assert response is not None
    assert response.status == 404
    expect(outsider.get_by_role("heading", level=1)).to_contain_text("Không tìm thấy trang")
    expect(outsider.get_by_text("Trần Thị Ánh")).to_have_count(0)

    assert console_errors == []
