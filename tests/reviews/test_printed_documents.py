"""Every kind of PDF the portal prints, read back as a reader would (pdftotext, pdffonts): its figures are counted
to the day it is printed and say so, the cell summary agrees with the members' own reports, the roll-up's counts
add up, each is signed for the right collective in the right post, and the type is the Times-metric serif.
"""

import datetime
import re
import subprocess
import zoneinfo

import pytest
import segno
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from programmes.models import Commitment, PartyPost, Position, ProgressStatus
from reviews import services
from reviews.models import CellProposal, Decision, RatingLevel, Report, ReportKind, Review, ReviewState
from reviews.reports.contexts._common import printed_extra
from reviews.reports.produce import render, report_data, report_produce
from tests.factories import PositionFactory, client_for, make_member
from tests.programmes.programme_data import make_confirmed
from tests.programmes.test_documents import flowing_text, nfc, pdf_text
from tests.reviews.review_data import propose
from tests.reviews.test_report_kinds import period_with_final_review, submit

pytestmark = pytest.mark.django_db

DATE = r"(\d\d/\d\d/\d{4})"
VIETNAMESE_SAMPLE = "Đảng ủy, Nguyễn Thị Ánh, ỹ ữ ở ặ"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def report_pdf(report: Report) -> bytes:
    with report.file.open("rb") as stored:
        return stored.read()


def one(pattern: str, text: str) -> str:
    """The one group of the first match of `pattern`."""
    found = re.search(pattern, text)
    assert found, pattern
    return found.group(1)


def groups(pattern: str, text: str) -> tuple[str, ...]:
    """The groups of the first match of `pattern`."""
    found = re.search(pattern, text)
    assert found, pattern
    return found.groups()


def print_dates(text: str) -> set[str]:
    """The days a PDF says it was printed: the footer's and the header's date line."""
    footer = set(re.findall(r"Tạo lúc \d\d:\d\d ngày " + DATE, text))
    day, month, year = groups(r"ngày (\d\d) tháng (\d\d?) năm (\d{4})", text)
    return footer | {f"{day}/{int(month):02d}/{year}"}


def set_deadlines(review: Review, today: datetime.date) -> None:
    """The review's commitments (of a member who has judged none yet): the first two a day past their deadline,
    the second of them already reported done in the programme; the others due in ten days."""
    assessments = list(review.assessments.order_by("position"))
    for index, assessment in enumerate(assessments):
        assessment.deadline = today - datetime.timedelta(days=1) if index < 2 else today + datetime.timedelta(days=10)
        assessment.save(update_fields=["deadline"])
    Commitment.objects.filter(pk=assessments[1].commitment_id).update(status=ProgressStatus.DONE)


@pytest.fixture
def ward_in_review(cast):
    """Cell A: the member final; one member who has judged nothing yet, with one commitment overdue, one done in
    the programme and one due later; one whose level the committee decided and the head has not confirmed; the
    secretary still writing. Cell B has only a deputy secretary."""
    late = make_member(cast.cell_a, "late", full_name="Ngô Thị Kiều")
    make_confirmed(late, cast.secretary.user, weights=(40, 30, 30))
    pending = make_member(cast.cell_a, "pending", full_name="Đỗ Văn Lộc")
    make_confirmed(pending, cast.secretary.user, weights=(50, 50))
    period, review = period_with_final_review(cast)
    late_review = Review.objects.get(period=period, cadre=late)
    set_deadlines(late_review, timezone.localdate())
    pending_review = Review.objects.get(period=period, cadre=pending)
    submit(pending_review)
    propose(pending_review, cast.secretary.user)
    services.decision_make(
        review=pending_review, level=RatingLevel.GOOD, quota_override="", acting_user=cast.committee_staff.user
    )
    pending_review.refresh_from_db()
    assert pending_review.state == ReviewState.DECIDED
    PositionFactory(cadre=cast.outsider, organisation=cast.cell_b, party_post=PartyPost.DEPUTY_SECRETARY)
    return period, review, late_review


SITE_URL = "https://canbo.benthanh.example.vn:8443/"


def signature_lines(text: str) -> list[str]:
    """The signature lines: from the last "T/M" line to the verification code (or the page's end)."""
    lines = [line.strip() for line in text.split("Mã xác thực:")[0].splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith(("Tạo lúc", "Trang "))]
    start = max(index for index, line in enumerate(lines) if "T/M" in line)
    return lines[start:]


def printed_link(pdf: bytes) -> str:
    """The verification address the report prints under its QR code."""
    return one(r"(https?://\S+\?ma=[0-9A-Z]+)", flowing_text(pdf))


def qr_payload_matches(pdf: bytes, payload: str, tmp_path) -> bool:
    """Whether the QR image in the PDF is, module for module, the code of `payload` (the renderer draws it one pixel
    per module with a one-module margin): the image read back, as a scanner would read its modules."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "qr.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdfimages", "-png", str(path), str(tmp_path / "image")], check=True)
    symbol = segno.make(payload, error="m")
    side = int(symbol.symbol_size(scale=1, border=1)[0])
    expected = {(x, y) for y, row in enumerate(symbol.matrix_iter(border=1)) for x, bit in enumerate(row) if bit}
    for image_path in sorted(tmp_path.glob("image-*.png")):
        grey = Image.open(image_path).convert("L")
        if grey.size != (side, side):
            continue
        dark = {(x, y) for y in range(side) for x in range(side) if int(grey.getpixel((x, y)) or 0) < 128}  # type: ignore[arg-type]
        if dark == expected:
            return True
    return False


def assert_times_metric_serif(pdf: bytes, tmp_path, kind: str) -> None:
    rows = fonts(pdf, tmp_path)
    assert rows, kind
    for row in rows:
        name = row[0].split("+")[-1]
        assert name.startswith("Liberation-Serif-Portal"), (kind, name)
        assert row[-5] == "yes", f"{kind}: {name} is not embedded"


SIGNATURES = {
    ReportKind.INDIVIDUAL: [r"T/M CHI BỘ\s+T/M ĐẢNG ỦY", r"BÍ THƯ\s+BÍ THƯ"],
    ReportKind.CELL_SUMMARY: [r"T/M CHI BỘ", r"BÍ THƯ"],
    ReportKind.ORGANISATION_ROLLUP: [r"T/M ĐẢNG ỦY", r"BÍ THƯ"],
    ReportKind.PROGRAMME: [r"T/M CHI BỘ\s+NGƯỜI CAM KẾT", r"BÍ THƯ"],
}


@pytest.mark.postgres
def test_every_kind_of_pdf_read_back_as_a_reader_would(cast, ward_in_review, settings, tmp_path):
    """Every kind of PDF from a ward in review (the stored reports, the programme printed from its page and a
    person's copy of their data), read back with pdftotext, pdfimages and pdffonts: dated and counted to the print
    date, the cell summary agreeing with the members' own reports and the roll-up adding up, each signed for its
    collective in its signer's post, its QR code and printed link under the portal's public address
    (PORTAL_SITE_URL, here not the default), and set in the bundled Times-metric serif."""
    settings.SITE_URL = SITE_URL
    period, review, late = ward_in_review
    before = timezone.localdate()

    individuals = {
        other.pk: report_produce(ReportKind.INDIVIDUAL, other.pk)[0]
        for other in Review.objects.filter(period=period, place=cast.cell_a)
    }
    summary = report_produce(ReportKind.CELL_SUMMARY, cast.cell_a.pk, period)[0]
    rollup = report_produce(ReportKind.ORGANISATION_ROLLUP, cast.grassroots.pk, period)[0]
    after = timezone.localdate()
    printed = {f"{before:%d/%m/%Y}", f"{after:%d/%m/%Y}"}

    overdue_in_individuals = 0
    for report in individuals.values():
        text = pdf_text(report_pdf(report))
        flowing = flowing_text(report_pdf(report))
        dates = print_dates(text)
        assert len(dates) == 1 and dates <= printed
        if "Cam kết đúng hạn:" in flowing:
            _on_time, _total, overdue, as_of = groups(
                r"Cam kết đúng hạn: (\d+)/(\d+); quá hạn, chưa hoàn thành: (\d+) \(tính đến ngày " + DATE, flowing
            )
            assert {as_of} == dates
            overdue_in_individuals += int(overdue)
    late_text = flowing_text(report_pdf(individuals[late.pk]))
    assert nfc("Cam kết đúng hạn: 0/3; quá hạn, chưa hoàn thành: 1 (tính đến ngày") in late_text
    assert nfc("Cam kết đúng hạn: 2/2; quá hạn, chưa hoàn thành: 0") in flowing_text(report_pdf(individuals[review.pk]))

    summary_text = flowing_text(report_pdf(summary))
    summary_dates = print_dates(pdf_text(report_pdf(summary)))
    assert len(summary_dates) == 1 and summary_dates <= printed
    assert {one(r"Số liệu tính đến ngày: " + DATE, summary_text)} == summary_dates
    as_of, listed = groups(
        r"Quá thời hạn hoàn thành mà chưa hoàn thành, tính đến ngày " + DATE + r": (\d+)\.", summary_text
    )
    assert {as_of} == summary_dates
    # The summary's overdue count is the sum of the members' own reports'; the one overdue item is listed,
    # the one due in ten days and the one done in the programme are not.
    assert int(listed) == overdue_in_individuals == 1
    overdue_rows = summary_text.split("NỘI DUNG CAM KẾT QUÁ HẠN")[1]
    assert nfc("Ngô Thị Kiều") in overdue_rows
    assert f"{timezone.localdate() - datetime.timedelta(days=1):%d/%m/%Y}" in overdue_rows
    assert f"{timezone.localdate() + datetime.timedelta(days=10):%d/%m/%Y}" not in overdue_rows

    rollup_text = flowing_text(report_pdf(rollup))
    assert {one(r"Số liệu tính đến ngày: " + DATE, rollup_text)} == print_dates(pdf_text(report_pdf(rollup)))
    members = int(one(r"Số bản kiểm điểm: (\d+)", rollup_text))
    rated = int(one(r"Đã có kết quả: (\d+)", rollup_text))
    open_ = int(one(r"Chưa có kết quả: (\d+)", rollup_text))
    not_rated = int(one(r"Không đánh giá, xếp loại: (\d+)", rollup_text))
    assert rated + open_ + not_rated == members
    assert int(one(r"cộng: (\d+)\.", rollup_text)) == overdue_in_individuals

    programme = report_produce(ReportKind.PROGRAMME, review.cadre.programmes.get().pk)[0]
    programme_text = pdf_text(report_pdf(programme))
    assert print_dates(programme_text) <= printed and len(print_dates(programme_text)) == 1
    assert nfc("Tình trạng tính đến ngày " + print_dates(programme_text).pop()) in flowing_text(report_pdf(programme))
    stored = [*individuals.values(), summary, rollup, programme]
    assert {report.kind for report in stored} == set(ReportKind.values)
    for report in stored:
        pdf = report_pdf(report)
        lines = signature_lines(pdf_text(pdf))
        for line, expected in zip(lines, SIGNATURES[ReportKind(report.kind)], strict=False):
            assert re.fullmatch(nfc(expected), line), (report.kind, lines)
        link = printed_link(pdf)
        assert link.startswith(SITE_URL + "cong-khai/xac-thuc/?ma="), (report.kind, link)
        assert link.endswith(report.verification_code), report.kind
        assert qr_payload_matches(pdf, link, tmp_path / report.kind / str(report.pk)), report.kind
        assert_times_metric_serif(pdf, tmp_path, report.kind)

    # Printed from the pages: the programme (no code: it is not stored) and a person's copy of their data.
    page_pdf = client_for(cast.member.user).get(
        reverse("programmes:programme_pdf", args=[review.cadre.programmes.get().pk])
    )
    data_pdf = client_for(cast.member.user).get(reverse("programmes:my_data_pdf"))
    for kind, response in (("programme page", page_pdf), ("my data", data_pdf)):
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf", kind
        text = pdf_text(response.content)
        assert set(re.findall(r"Tạo lúc \d\d:\d\d ngày " + DATE, text)) <= printed, kind
        assert_times_metric_serif(response.content, tmp_path, kind)
    assert re.fullmatch(nfc(r"T/M CHI BỘ\s+NGƯỜI CAM KẾT"), signature_lines(pdf_text(page_pdf.content))[0])


@pytest.mark.postgres
def test_each_members_figures_in_the_cell_summary_are_those_of_the_members_own_report(cast, ward_in_review):
    period, _review, _late = ward_in_review

    summary = report_data(ReportKind.CELL_SUMMARY, cast.cell_a.pk, period).data
    own = {
        other.cadre.full_name: report_data(ReportKind.INDIVIDUAL, other.pk).data["figures"]
        for other in Review.objects.filter(period=period, place=cast.cell_a).select_related("cadre")
    }

    assert {
        row["name"]: {"commitments": row["commitments"], "on_time": row["on_time"], "overdue": row["overdue"]}
        for row in summary["members"]
    } == own
    assert own[nfc("Ngô Thị Kiều")] == {"commitments": 3, "on_time": 0, "overdue": 1}
    assert summary["overdue_count"] == sum(figures["overdue"] for figures in own.values()) == 1


@pytest.mark.postgres
def test_a_result_awaiting_confirmation_is_counted_once_in_the_rollup(cast, ward_in_review):
    period, _review, _late = ward_in_review

    report = report_produce(ReportKind.ORGANISATION_ROLLUP, cast.grassroots.pk, period)[0]

    text = flowing_text(report_pdf(report))
    members = int(one(r"Số bản kiểm điểm: (\d+)", text))
    rated = int(one(r"Đã có kết quả: (\d+)", text))
    open_ = int(one(r"Chưa có kết quả: (\d+)", text))
    not_rated = int(one(r"Không đánh giá, xếp loại: (\d+)", text))
    # The member's confirmed result and the one awaiting confirmation.
    assert (rated, not_rated) == (2, 0)
    assert rated + open_ + not_rated == members
    assert nfc("Đã có kết quả: 2 (1 đã quyết định, chờ người đứng đầu xác nhận)") in text
    table = text.split("IV. BẢN KIỂM ĐIỂM CHƯA CÓ KẾT QUẢ")[1]
    assert nfc("Đã quyết định, chờ người đứng đầu xác nhận") not in table
    assert int(one(r"Cộng (\d+)", table)) == open_


def test_each_kind_is_signed_for_its_collective_in_the_signers_post(cast, ward_in_review):
    period, review, _late = ward_in_review

    texts = {
        "individual": pdf_text(report_pdf(report_produce(ReportKind.INDIVIDUAL, review.pk)[0])),
        "cell": pdf_text(report_pdf(report_produce(ReportKind.CELL_SUMMARY, cast.cell_a.pk, period)[0])),
        "deputy": pdf_text(report_pdf(report_produce(ReportKind.CELL_SUMMARY, cast.cell_b.pk, period)[0])),
        "rollup": pdf_text(report_pdf(report_produce(ReportKind.ORGANISATION_ROLLUP, cast.grassroots.pk, period)[0])),
    }

    def block(text: str) -> list[str]:
        """The signature lines: from the last "T/M" line to the verification code."""
        lines = [line.strip() for line in text.split("Mã xác thực:")[0].splitlines() if line.strip()]
        start = max(index for index, line in enumerate(lines) if "T/M" in line)
        return lines[start:]

    individual = block(texts["individual"])
    assert re.fullmatch(r"T/M CHI BỘ\s+T/M ĐẢNG ỦY", individual[0])
    assert re.fullmatch(r"BÍ THƯ\s+BÍ THƯ", individual[1])
    # The two names on one line: at the same height.
    assert re.fullmatch(nfc(r"Lê Văn Bình\s+Huỳnh Văn Em"), individual[-1])
    assert block(texts["cell"])[:2] == ["T/M CHI BỘ", "BÍ THƯ"] and block(texts["cell"])[-1] == nfc("Lê Văn Bình")
    assert block(texts["deputy"])[:2] == ["T/M CHI BỘ", "PHÓ BÍ THƯ"]
    assert block(texts["deputy"])[-1] == nfc("Phạm Văn Cường")
    assert block(texts["rollup"])[:2] == ["T/M ĐẢNG ỦY", "BÍ THƯ"] and block(texts["rollup"])[-1] == nfc("Huỳnh Văn Em")
    for text in texts.values():
        for wrong in ("T/M ĐẢNG BỘ", "Người đứng đầu xác nhận", "NGƯỜI XÁC NHẬN", "SHA-256"):
            assert wrong not in text


def fonts(pdf: bytes, tmp_path) -> list[list[str]]:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    return [line.split() for line in listing.splitlines()[2:] if line.strip()]


def test_every_kind_is_set_in_the_bundled_times_metric_serif_with_every_vietnamese_letter(cast, tmp_path):
    cast.member.full_name = VIETNAMESE_SAMPLE
    cast.member.save(update_fields=["full_name"])
    period, review = period_with_final_review(cast)
    programme = review.cadre.programmes.get()
    reports = [
        report_produce(ReportKind.INDIVIDUAL, review.pk)[0],
        report_produce(ReportKind.CELL_SUMMARY, cast.cell_a.pk, period)[0],
        report_produce(ReportKind.ORGANISATION_ROLLUP, cast.grassroots.pk, period)[0],
        report_produce(ReportKind.PROGRAMME, programme.pk)[0],
    ]
    assert {report.kind for report in reports} == set(ReportKind.values)

    for report in reports:
        pdf = report_pdf(report)
        rows = fonts(pdf, tmp_path)
        assert rows, report.kind
        for row in rows:
            name = row[0].split("+")[-1]
            assert name.startswith("Liberation-Serif-Portal"), (report.kind, name)
            assert row[-5] == "yes", f"{name} is not embedded"
        if report.kind != ReportKind.ORGANISATION_ROLLUP:  # the roll-up names no member
            assert nfc(VIETNAMESE_SAMPLE) in flowing_text(pdf), report.kind


def test_the_print_date_is_the_day_in_viet_nam(cast):
    """At 18:30 UTC on 3 December it is already 4 December in Hồ Chí Minh City: the report says the 4th."""
    organisation = cast.grassroots
    moment = datetime.datetime(2026, 12, 3, 18, 30, tzinfo=datetime.UTC)

    extra = printed_extra(organisation, moment)

    assert extra["as_of"] == "2026-12-04"
    assert extra["header"].issued_on == datetime.date(2026, 12, 4)  # type: ignore[attr-defined]
    assert timezone.localtime(moment, zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")).date() == datetime.date(2026, 12, 4)


def test_a_report_made_again_after_a_change_of_post_prints_the_post_held_when_it_was_signed(cast):
    """The cell's secretary recorded the proposal and the committee's secretary confirmed the decision ten days
    ago; since yesterday both are deputies. The member's report, made again, still prints them as secretaries,
    while the cell summary, dated today, is signed in today's post."""
    period, review = period_with_final_review(cast)
    ten_days_ago = timezone.now() - datetime.timedelta(days=10)
    CellProposal.objects.filter(review=review).update(recorded_at=ten_days_ago)
    Decision.objects.filter(review=review, confirmed_at__isnull=False).update(confirmed_at=ten_days_ago)
    signers = Position.objects.filter(cadre__in=[cast.secretary, cast.head], party_post=PartyPost.SECRETARY)
    assert signers.count() == 2
    signers.update(start_date=timezone.localdate() - datetime.timedelta(days=365))
    before = report_data(ReportKind.INDIVIDUAL, review.pk).data["signatures"]
    assert [before[side]["title"] for side in ("cell", "deciding")] == ["BÍ THƯ", "BÍ THƯ"]

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    for position in list(signers):
        Position.objects.filter(pk=position.pk).update(end_date=yesterday - datetime.timedelta(days=1))
        PositionFactory(
            cadre=position.cadre,
            organisation=position.organisation,
            party_post=PartyPost.DEPUTY_SECRETARY,
            start_date=yesterday,
        )
    remade = report_data(ReportKind.INDIVIDUAL, review.pk)

    assert remade.data["signatures"] == before
    text = pdf_text(render(remade, "ABCDE12345"))
    lines = [line.strip() for line in text.split("Mã xác thực:")[0].splitlines() if line.strip()]
    start = max(index for index, line in enumerate(lines) if "T/M" in line)
    assert re.fullmatch(r"BÍ THƯ\s+BÍ THƯ", lines[start + 1])
    assert re.fullmatch(nfc(r"Lê Văn Bình\s+Huỳnh Văn Em"), lines[-1])
    assert "PHÓ BÍ THƯ" not in text
    summary = report_data(ReportKind.CELL_SUMMARY, cast.cell_a.pk, period).data["signature"]
    assert (summary["title"], summary["name"]) == ("PHÓ BÍ THƯ", nfc("Lê Văn Bình"))
