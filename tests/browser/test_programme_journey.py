"""An action programme from registration to evidence, in a real browser, by the two people it concerns.

Alice (member of cell A) registers a programme and writes five commitments in the htmx editor; the quality
check stops her until the weights reach 100 and every commitment has a deadline. Bình, the cell secretary,
returns it with reasons, she amends and resubmits, he confirms it. She then amends the confirmed programme
(the confirmed target stays in force meanwhile) and reports progress with a PDF as evidence.
"""

import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, expect

from tests.browser.test_login_journey import blocking_violations, log_in

TITLE = "Chương trình hành động nhiệm kỳ 2026–2029 của đồng chí Trần Thị Ánh"
RETURN_REASON = "Cần ghi rõ thời điểm kiểm tra kết quả từng quý."
RETURN_NOTE = "Biện pháp còn chung, hãy nêu cách theo dõi hằng tháng."
AMENDMENT_REASON = "Khu phố được giao thêm nhiệm vụ cải cách hành chính nên nâng chỉ tiêu."
EVIDENCE_REJECTION = "Biên bản chưa có chữ ký của chi ủy"
EVIDENCE_NAME = "bien-ban-ket-qua-quy-1.pdf"
# Where the editor's quality panel reloads itself from after every change (programmes:programme_quality).
QUALITY_URL = re.compile(r"/chuong-trinh/\d+/soan/kiem-tra/$")


@dataclass(frozen=True)
class Spec:
    category: str
    statement: str
    indicator: str
    unit: str
    baseline: str
    target: str
    measures: str
    evidence: str
    weight: str
    deadline: datetime.date | None


def _commitments(today: datetime.date) -> list[Spec]:
    """Five commitments: three tasks weighing 40 + 30 + 20 = 90, and the second has no deadline yet."""
    later = today + datetime.timedelta(days=300)
    return [
        Spec(
            "Nhiệm vụ chuyên môn được giao",
            "Giải quyết đúng hạn 80% hồ sơ hành chính của khu phố",
            "Tỷ lệ hồ sơ giải quyết đúng hạn",
            "%",
            "70",
            "80",
            "Lập sổ theo dõi hồ sơ, nhắc hạn mỗi tuần.",
            "Sổ theo dõi hồ sơ có xác nhận của Ban điều hành khu phố",
            "40",
            later,
        ),
        Spec(
            "Phục vụ Nhân dân",
            "Tiếp 12 lượt công dân tại nhà văn hóa khu phố",
            "Số lượt tiếp công dân",
            "lượt",
            "4",
            "12",
            "Tiếp công dân sáng thứ Bảy đầu tháng.",
            "Sổ tiếp công dân",
            "30",
            None,
        ),
        Spec(
            "Xây dựng Đảng",
            "Giới thiệu 2 quần chúng ưu tú để chi bộ xem xét kết nạp",
            "Số quần chúng được giới thiệu",
            "người",
            "0",
            "2",
            "Theo dõi, giúp đỡ quần chúng trong đoàn thanh niên khu phố.",
            "Đơn giới thiệu đã nộp chi bộ",
            "20",
            later,
        ),
        Spec(
            "Tư tưởng chính trị, đạo đức, lối sống",
            "Dự đủ 12 buổi sinh hoạt chi bộ trong năm",
            "Số buổi sinh hoạt chi bộ dự",
            "buổi",
            "10",
            "12",
            "Sắp xếp công việc để dự sinh hoạt chi bộ định kỳ.",
            "Sổ ghi biên bản sinh hoạt chi bộ",
            "",
            later,
        ),
        Spec(
            "Học tập, tự rèn luyện",
            "Hoàn thành 1 khóa bồi dưỡng lý luận chính trị",
            "Số khóa bồi dưỡng hoàn thành",
            "khóa",
            "0",
            "1",
            "Đăng ký lớp bồi dưỡng của Trung tâm chính trị quận.",
            "Giấy chứng nhận hoàn thành khóa học",
            "",
            later,
        ),
    ]


# --- Helpers -------------------------------------------------------------------------------------------------


def _record_console(page: Page, errors: list[str]) -> None:
    def record(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", record)


@pytest.fixture
def second_page(browser: Browser, console_errors: list[str]) -> Iterator[Page]:
    """Another person's browser: its own context, so its own session cookie."""
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    _record_console(page, console_errors)
    yield page
    context.close()


def _quality_reloaded(page: Page, action: Callable[[], None]) -> None:
    """Do an editor action and wait until the quality panel has fetched its fresh findings."""
    with page.expect_response(lambda response: bool(QUALITY_URL.search(response.url))):
        action()


def _fill_commitment(form: Locator, spec: Spec) -> None:
    form.get_by_label("Nhóm nội dung").select_option(label=spec.category)
    form.get_by_label("Nội dung cam kết").fill(spec.statement)
    form.get_by_label("Chỉ tiêu đo lường").fill(spec.indicator)
    form.get_by_label("Đơn vị tính").fill(spec.unit)
    form.get_by_label("Giá trị hiện tại").fill(spec.baseline)
    form.get_by_label("Giá trị cam kết").fill(spec.target)
    form.get_by_label("Biện pháp thực hiện").fill(spec.measures)
    form.get_by_label("Thời hạn hoàn thành").fill(spec.deadline.isoformat() if spec.deadline else "")
    form.get_by_label("Trọng số").fill(spec.weight)
    form.get_by_label("Sản phẩm, minh chứng").fill(spec.evidence)


def _edit_commitment(page: Page, number: str, change: Callable[[Locator], None]) -> None:
    """Open a commitment's form in place (htmx), change it, save it, and wait for the refreshed section."""
    page.get_by_role("link", name=f"Sửa nội dung {number}").click()
    card = page.get_by_role("article", name=f"Sửa nội dung {number}")
    expect(card).to_be_visible()
    change(card)
    _quality_reloaded(page, card.get_by_role("button", name="Lưu nội dung").click)
    expect(page.locator("#editor-status")).to_have_text(f"Đã lưu nội dung cam kết {number}.")
    expect(card).to_have_count(0)


def _write_pdf(path: Path) -> Path:
    """A small, valid one-page PDF (the upload check reads the content, not only the name)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    body = b"%PDF-1.4\n"
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(body)
    return path


# --- The journey ---------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_programme_from_registration_to_evidence(
    live_server: Any,
    cast: Any,
    page: Page,
    second_page: Page,
    console_errors: list[str],
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    today = timezone.localdate()
    specs = _commitments(today)
    fixed_deadline = today + datetime.timedelta(days=200)
    alice, binh = page, second_page

    # 1. Alice registers a new-duty programme and writes five commitments without leaving the editor.
    log_in(alice, live_server.url, "member")
    alice.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Chương trình của tôi").click()
    expect(alice.get_by_role("heading", level=1)).to_have_text("Chương trình hành động của tôi")
    alice.get_by_role("link", name="Đăng ký chương trình mới").click()
    alice.get_by_label("Lý do lập chương trình").select_option(label="Nhận nhiệm vụ mới")
    alice.get_by_label("Tên chương trình").fill(TITLE)
    alice.get_by_label("Thực hiện từ ngày").fill(today.isoformat())
    alice.get_by_label("Đến ngày").fill((today + datetime.timedelta(days=3 * 365)).isoformat())
    alice.get_by_role("button", name="Tạo chương trình và thêm nội dung cam kết").click()
    expect(alice.get_by_role("heading", level=1)).to_contain_text("Soạn chương trình hành động")
    editor_url = alice.url

    alice.evaluate("window.__marker = 1")
    add_form = alice.get_by_role("region", name="Thêm nội dung cam kết")
    # Numbered by section ("II.1"): the fourth, of the first section, comes before the three added before it.
    added_as = ("I.1", "II.1", "III.1", "I.1", "V.1")
    for count, (spec, number) in enumerate(zip(specs, added_as, strict=True), start=1):
        if count > 1:  # once there is a commitment, the add form folds behind its button
            expect(add_form).to_be_hidden()
            alice.get_by_text("Thêm cam kết", exact=True).click()
        _fill_commitment(add_form, spec)
        _quality_reloaded(alice, add_form.get_by_role("button", name="Thêm nội dung").click)
        expect(alice.get_by_role("heading", name=f"Nội dung cam kết ({count})")).to_be_visible()
        expect(alice.locator("#editor-status")).to_have_text(f"Đã thêm nội dung cam kết {number}.")
    assert alice.evaluate("window.__marker") == 1, "adding commitments reloaded the whole page"
    assert alice.url == editor_url

    # 2. The quality check says what is wrong, in Vietnamese, and the submit button stays off.
    quality = alice.get_by_role("region", name="Kiểm tra trước khi gửi")
    expect(quality).to_contain_text("Trọng số các nội dung nhiệm vụ cộng lại được 90, cần đúng 100.")
    expect(quality).to_contain_text("Nội dung III.1: Chưa có thời hạn hoàn thành.")
    submit = quality.get_by_role("button", name="Gửi xác nhận")
    expect(submit).to_be_disabled()
    expect(alice.get_by_text("Tổng trọng số các nội dung nhiệm vụ: 90/100.")).to_be_visible()
    assert blocking_violations(alice) == []

    _edit_commitment(alice, "IV.1", lambda card: card.get_by_label("Trọng số").fill("30"))
    _edit_commitment(
        alice, "III.1", lambda card: card.get_by_label("Thời hạn hoàn thành").fill(fixed_deadline.isoformat())
    )
    assert alice.evaluate("window.__marker") == 1, "editing commitments reloaded the whole page"
    expect(quality).to_contain_text("Đạt yêu cầu")
    expect(quality).not_to_contain_text("Chưa có thời hạn hoàn thành")
    expect(quality).to_contain_text("Người xác nhận: Bí thư Chi bộ Khu phố 1A, Lê Văn Bình")
    expect(submit).to_be_enabled()
    submit.click()

    expect(alice.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(alice.get_by_role("status")).to_contain_text("Đã gửi phiên bản 1 cho người xác nhận")
    programme_url = alice.url
    versions = alice.get_by_role("table", name=re.compile("Các phiên bản của chương trình"))
    expect(versions.get_by_role("row").nth(1)).to_contain_text("Chờ xác nhận")
    expect(versions.get_by_role("row").nth(1)).to_contain_text("Lê Văn Bình")

    # 3. Bình finds it waiting for him and returns it, with a general reason and a note on commitment 1.
    log_in(binh, live_server.url, "secretary")
    binh.get_by_role("link", name="Chờ xác nhận (1)").click()
    expect(binh.get_by_role("heading", level=1)).to_have_text("Chương trình chờ xác nhận")
    binh.get_by_role("link", name=re.compile(r"^Xem và xác nhận.*Trần Thị Ánh")).click()
    expect(binh.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert blocking_violations(binh) == []
    binh.get_by_label("Lý do trả lại (chung cho cả chương trình)").fill(RETURN_REASON)
    binh.get_by_label("Ý kiến về nội dung II.1").fill(RETURN_NOTE)
    binh.get_by_role("button", name="Trả lại để người lập chương trình sửa").click()
    expect(binh.get_by_role("status")).to_contain_text("Đã trả lại")
    expect(binh.get_by_text("Hiện không có chương trình nào chờ đồng chí xác nhận.")).to_be_visible()

    # 4. Alice reads why, corrects commitment 1 in version 2 and sends it; version 1 stays as it was sent.
    alice.reload()
    expect(alice.get_by_role("note")).to_contain_text("Phiên bản 1 đã được trả lại")
    expect(alice.get_by_role("note")).to_contain_text(RETURN_REASON)
    expect(alice.get_by_role("article", name=re.compile("^Nội dung II.1 ·"))).to_contain_text(RETURN_NOTE)
    alice.get_by_role("link", name="Sửa chương trình").click()
    expect(alice.get_by_role("region", name="Người xác nhận đã trả lại để sửa")).to_contain_text(RETURN_REASON)
    expect(alice.get_by_role("article", name=re.compile("^Nội dung II.1 ·"))).to_contain_text(RETURN_NOTE)
    _edit_commitment(
        alice,
        "II.1",
        lambda card: card.get_by_label("Biện pháp thực hiện").fill(
            "Lập sổ theo dõi hồ sơ, nhắc hạn mỗi tuần; cuối mỗi tháng báo cáo số hồ sơ đúng hạn với chi bộ."
        ),
    )
    alice.get_by_role("region", name="Kiểm tra trước khi gửi").get_by_role("button", name="Gửi lại để xác nhận").click()
    expect(alice.get_by_role("status")).to_contain_text("Đã gửi phiên bản 2 cho người xác nhận")

    # 5. Bình confirms it and sets how far it may be made public.
    binh.reload()
    binh.get_by_role("link", name="Chờ xác nhận (1)").click()
    binh.get_by_role("link", name=re.compile(r"^Xem và xác nhận.*Trần Thị Ánh")).click()
    binh.get_by_label("Mức độ công khai tối đa").select_option(label="Mặt trận và HĐND")
    binh.get_by_label("Ý kiến của người xác nhận").fill("Đồng ý, chương trình cụ thể, đo được.")
    binh.get_by_role("button", name="Xác nhận", exact=True).click()
    expect(binh.get_by_role("status")).to_contain_text("Đã xác nhận")

    # 6. Alice amends the confirmed programme: a higher target for commitment 1, waiting for Bình.
    alice.goto(programme_url)
    expect(alice.get_by_text("Đã xác nhận, đang thực hiện")).to_be_visible()
    expect(alice.get_by_text("(tối đa: Mặt trận và HĐND)")).to_be_visible()
    expect(versions.get_by_role("row").nth(1)).to_contain_text("Đã trả lại")
    expect(versions.get_by_role("row").nth(1)).to_contain_text(RETURN_REASON)
    expect(versions.get_by_role("row").nth(2)).to_contain_text("Sửa theo ý kiến trả lại phiên bản 1")
    alice.get_by_role("link", name="Điều chỉnh chương trình").click()
    alice.get_by_label("Lý do điều chỉnh").fill(AMENDMENT_REASON)
    alice.get_by_role("button", name="Mở bản điều chỉnh").click()
    expect(alice.get_by_role("heading", level=1)).to_contain_text("Bản điều chỉnh (phiên bản 3)")
    _edit_commitment(alice, "II.1", lambda card: card.get_by_label("Giá trị cam kết").fill("95"))
    alice.get_by_role("region", name="Kiểm tra trước khi gửi").get_by_role("button", name="Gửi xác nhận").click()
    expect(alice.get_by_role("status")).to_contain_text("Đã gửi phiên bản 3 cho người xác nhận")

    pending_note = alice.get_by_role("note")
    expect(pending_note).to_contain_text("Có bản điều chỉnh (phiên bản 3) đang ở trạng thái: Chờ xác nhận")
    expect(pending_note).to_contain_text(AMENDMENT_REASON)
    first = alice.get_by_role("article", name=re.compile("^Nội dung II.1 ·"))
    expect(first).to_contain_text("70 → 80 %")  # the confirmed target stays in force
    expect(first).not_to_contain_text("95")

    pending_note.get_by_role("link", name="So sánh với bản đang có hiệu lực").click()
    expect(alice.get_by_role("heading", level=1)).to_have_text("So sánh phiên bản")
    target_row = (
        alice.get_by_role("article", name=re.compile("^Nội dung II.1:"))
        .get_by_role("row")
        .filter(has=alice.get_by_role("rowheader", name=re.compile("^Giá trị cam kết")))
    )
    expect(target_row.get_by_role("cell").nth(0)).to_have_text("Trước: 80")
    expect(target_row.get_by_role("cell").nth(1)).to_have_text("Sau: 95")
    expect(alice.get_by_role("article", name=re.compile("^Nội dung II.1:"))).to_contain_text("Chỉ tiêu đã thay đổi")
    assert blocking_violations(alice) == []

    # 7. Alice reports commitment 3 done, with the minutes as a PDF; the programme page lists the file.
    alice.goto(programme_url)
    alice.get_by_role("link", name="Báo cáo tiến độ nội dung IV.1").click()
    expect(alice.get_by_role("heading", level=1)).to_have_text("Báo cáo tiến độ nội dung cam kết IV.1")
    alice.get_by_label("Tình trạng thực hiện").select_option(label="Hoàn thành")
    alice.get_by_label("Giá trị đạt được").fill("2")
    alice.get_by_label("Kết quả, khó khăn").fill("Đã giới thiệu 2 quần chúng, chi bộ đã nhận hồ sơ.")
    alice.get_by_label("Tệp minh chứng").set_input_files(_write_pdf(tmp_path / EVIDENCE_NAME))
    assert blocking_violations(alice) == []
    alice.get_by_role("button", name="Gửi báo cáo tiến độ").click()

    expect(alice.get_by_role("status")).to_contain_text(
        "Đã ghi báo cáo tiến độ “Hoàn thành” cho nội dung cam kết số IV.1"
    )
    third = alice.get_by_role("article", name=re.compile("^Nội dung IV.1 ·"))
    evidence_link = third.get_by_role("link", name=EVIDENCE_NAME)
    expect(evidence_link).to_be_visible()
    expect(third.get_by_role("table", name="Minh chứng của nội dung IV.1")).to_contain_text("PDF")
    expect(third.get_by_role("table", name="Báo cáo tiến độ gần nhất của nội dung IV.1")).to_contain_text("Hoàn thành")
    assert blocking_violations(alice) == []
    with alice.expect_download() as download:
        evidence_link.click()
    assert download.value.suggested_filename == EVIDENCE_NAME
    assert Path(download.value.path()).read_bytes() == (tmp_path / EVIDENCE_NAME).read_bytes()

    # 8. Bình, the confirmer, finds the evidence waiting on his page and rejects it with a reason: the commitment
    # is back in progress, and Alice reads why.
    binh.goto(f"{live_server.url}/")
    waiting = (
        binh.get_by_role("region", name="Việc cần làm")
        .get_by_role("listitem")
        .filter(has_text="Minh chứng chờ kiểm tra")
    )
    expect(waiting).to_contain_text("1")
    waiting.get_by_role("link", name="Kiểm tra minh chứng").click()
    expect(binh.get_by_role("heading", level=1)).to_have_text("Minh chứng chờ kiểm tra")
    assert blocking_violations(binh) == []
    binh.locator("summary").filter(has_text=f"Từ chối minh chứng {EVIDENCE_NAME}").click()
    binh.get_by_label("Lý do từ chối (người lập chương trình sẽ đọc)").fill(EVIDENCE_REJECTION)
    assert blocking_violations(binh) == []
    binh.get_by_role("button", name="Gửi ý kiến từ chối").click()
    expect(binh.get_by_role("status")).to_contain_text("Đã từ chối minh chứng")
    expect(binh.get_by_text("Không có minh chứng nào chờ đồng chí kiểm tra.")).to_be_visible()

    alice.goto(programme_url)
    third = alice.get_by_role("article", name=re.compile("^Nội dung IV.1 ·"))
    expect(third.get_by_role("table", name="Minh chứng của nội dung IV.1")).to_contain_text("Bị từ chối")
    expect(third.get_by_role("table", name="Minh chứng của nội dung IV.1")).to_contain_text(EVIDENCE_REJECTION)
    expect(third.get_by_role("table", name="Báo cáo tiến độ gần nhất của nội dung IV.1")).to_contain_text(
        "Đúng tiến độ"
    )
    assert blocking_violations(alice) == []

    assert console_errors == []
