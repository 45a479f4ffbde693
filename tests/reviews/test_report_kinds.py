"""The three review report kinds: what each prints, that user text fetches nothing, that private details
never appear, that a report is made once per state of its data, and that building it costs a fixed number
of queries.

PDFs are read back with poppler's `pdftotext`, as a person copying text out of them would.
"""

import hashlib

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from programmes.action_programmes.progress import progress_report
from programmes.models import ActionProgramme, CommitmentTerms, Evidence, ProgressStatus
from reviews import services
from reviews.models import RatingLevel, Report, ReportKind, Review, ReviewPeriod, ReviewState, Verdict
from reviews.reports.produce import data_hash, display_code, report_data, report_produce, verification_url
from tests.factories import make_member
from tests.programmes.programme_data import PRIVATE_DETAILS_SHOWN, give_private_details, make_confirmed
from tests.programmes.test_documents import counting_http_server, flowing_text, nfc, pdf_text
from tests.reviews.review_data import SECTIONS, open_period, propose, ward_committee_member

pytestmark = pytest.mark.django_db

EVIDENCE_PDF = b"%PDF-1.4\n% bien ban kiem tra ho so\n"
EVIDENCE_SHA = hashlib.sha256(EVIDENCE_PDF).hexdigest()
EVIDENCE_LINK = "https://motcua.example.vn/sotheodoi"
QUOTA_OVERRIDE = "Đồng chí có sáng kiến được Ủy ban nhân dân phường công nhận."
GROUNDS = "Hoàn thành đúng hạn nội dung cam kết số 1, có sổ theo dõi hồ sơ làm minh chứng."
EXTRA_NAMES = ("Đặng Thị Giang", "Bùi Văn Hùng", "Ngô Thị Kiều", "Đỗ Văn Lộc")
# Queries to build each kind's data, the same whatever the number of members, commitments or evidence.
INDIVIDUAL_QUERIES = 12
# The cell summary reads its meetings' named attendance in one query more.
CELL_SUMMARY_QUERIES = 11
ROLLUP_QUERIES = 12


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def report_pdf(report: Report) -> bytes:
    with report.file.open("rb") as stored:
        return stored.read()


def add_evidence(programme: ActionProgramme) -> None:
    """A file and a link proving the first commitment of the programme done, reported by its owner."""
    commitment = (
        CommitmentTerms.objects.filter(version_id=programme.current_version_id).order_by("position")[0].commitment
    )
    owner = programme.owner
    assert owner.user is not None
    progress_report(
        commitment=commitment,
        status=ProgressStatus.DONE,
        files=[SimpleUploadedFile("so-theo-doi-ho-so.pdf", EVIDENCE_PDF, content_type="application/pdf")],
        links=[EVIDENCE_LINK],
        acting_user=owner.user,
    )


def submit(review: Review, *, strengths: str = SECTIONS["strengths"], level: str = RatingLevel.GOOD) -> None:
    user = review.cadre.user
    assert user is not None
    excellent = level == RatingLevel.EXCELLENT
    services.self_review_save(
        review=review,
        sections={**SECTIONS, "strengths": strengths},
        general_points=28 if excellent else 27,
        task_points=65 if excellent else 60,
        level=level,
        verdicts={
            assessment.pk: (Verdict.EXCEEDED if excellent else Verdict.DONE, "")
            for assessment in review.assessments.all()
        },
        acting_user=user,
    )
    services.self_review_submit(review=review, acting_user=user)


def finalise(review: Review, cast, *, strengths: str = SECTIONS["strengths"], level: str = RatingLevel.GOOD) -> Review:
    """Self-review, the cell's proposal, the committee's decision and the head's confirmation, at `level`."""
    excellent = level == RatingLevel.EXCELLENT
    submit(review, strengths=strengths, level=level)
    if excellent:
        propose(review, cast.secretary.user, level=level, general=28, task=65, verdict=Verdict.EXCEEDED)
    else:
        propose(review, cast.secretary.user)
    decision = services.decision_make(
        review=review,
        level=level,
        quota_override=QUOTA_OVERRIDE if excellent else "",
        acting_user=cast.committee_staff.user,
    )
    first = review.assessments.order_by("position")[0]
    evidence = list(Evidence.objects.filter(commitment=first.commitment, link=""))
    services.decision_confirm(
        decision=decision,
        grounds=GROUNDS,
        assessment_ids=[first.pk],
        evidence_ids=[item.pk for item in evidence],
        acting_user=cast.head.user,
    )
    review.refresh_from_db()
    return review


def period_with_final_review(
    cast, *, extra_members: int = 0, strengths: str = SECTIONS["strengths"], level: str = RatingLevel.GOOD
):
    """The ward's period with the member's review final (with evidence) and `extra_members` more in cell A."""
    add_evidence(make_confirmed(cast.member, cast.secretary.user))
    extras = [
        make_member(cast.cell_a, f"extra{number}", full_name=EXTRA_NAMES[number]) for number in range(extra_members)
    ]
    for extra in extras:
        make_confirmed(extra, cast.secretary.user, weights=(20, 20, 20, 20, 20))
    period = open_period(cast.ward, cast.org_board)
    review = finalise(Review.objects.get(period=period, cadre=cast.member), cast, strengths=strengths, level=level)
    for extra in extras:
        finalise(Review.objects.get(period=period, cadre=extra), cast)
    return period, review


# --- What each kind prints ----------------------------------------------------------------------------------


def test_individual_report_prints_the_review_from_self_review_to_confirmation(cast):
    period, review = period_with_final_review(cast)

    report, made = report_produce(ReportKind.INDIVIDUAL, review.pk)

    assert made
    assert report.review == review and report.period == period and report.organisation == cast.cell_a
    assert report.subject_key == f"individual:{review.pk}"
    pdf = report_pdf(report)
    assert hashlib.sha256(pdf).hexdigest() == report.sha256
    text = pdf_text(pdf)
    flowing = flowing_text(pdf)
    for expected in (
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "ĐẢNG BỘ KHU PHỐ 1",
        "CHI BỘ KHU PHỐ 1A",
        "BÁO CÁO KẾT QUẢ KIỂM ĐIỂM, ĐÁNH GIÁ, XẾP LOẠI",
        "Kiểm điểm, đánh giá, xếp loại năm 2026",
        "Trần Thị Ánh",
        "I. Ưu điểm, kết quả đạt được",
        "VI. Phương hướng, biện pháp khắc phục hạn chế, khuyết điểm",
        "VII. Tự nhận mức xếp loại chất lượng",
        "Hoàn thành tốt nhiệm vụ",
        "Hoàn thành đúng hạn",
        "so-theo-doi-ho-so.pdf",
        "Số đảng viên dự họp: 4/5",
        "Biểu quyết: 4 tán thành, 0 không tán thành, 0 không biểu quyết.",
        "Đảng bộ Khu phố 1",
        "Đồng chí Huỳnh Văn Em xác nhận ngày",
        "KẾT QUẢ XẾP LOẠI: Hoàn thành tốt nhiệm vụ",
        "Lê Văn Bình",
        "Huỳnh Văn Em",
        f"Mã xác thực: {display_code(report.verification_code)}",
        "/cong-khai/xac-thuc/?ma=",
        "Trang 1/",
    ):
        assert nfc(expected) in text, expected
    for expected in (SECTIONS["strengths"], SECTIONS["remedy_plan"], GROUNDS, EVIDENCE_LINK):
        assert nfc(expected) in flowing, expected
    # The verification code and its QR code vouch for the document: no hash in its body.
    assert EVIDENCE_SHA[:12] not in flowing and "SHA-256" not in flowing


def test_individual_report_of_a_review_still_in_draft_says_what_is_missing(cast):
    period = open_period(cast.ward, cast.org_board)
    review = Review.objects.get(period=period, cadre=cast.member)

    built = report_data(ReportKind.INDIVIDUAL, review.pk)

    assert built.data["proposal"] is None and built.data["decision"] is None and built.data["confirmation"] is None
    assert built.data["state"] == "Đang viết bản kiểm điểm" and built.data["final_level"] == ""
    report, _made = report_produce(ReportKind.INDIVIDUAL, review.pk)
    text = pdf_text(report_pdf(report))
    for expected in ("Chi bộ chưa đề xuất.", "Cấp ủy chưa quyết định.", "KẾT QUẢ XẾP LOẠI: chưa có"):
        assert nfc(expected) in text, expected


def test_cell_summary_lists_each_member_with_levels_commitments_and_overdue_items(cast):
    period, _review = period_with_final_review(cast, extra_members=1)

    report, made = report_produce(ReportKind.CELL_SUMMARY, cast.cell_a.pk, period)

    assert made
    assert report.subject_key == f"cell_summary:{period.pk}:{cast.cell_a.pk}"
    built = report_data(ReportKind.CELL_SUMMARY, cast.cell_a.pk, period)
    rows = {row["name"]: row for row in built.data["members"]}
    assert set(rows) == {"Trần Thị Ánh", "Lê Văn Bình", "Đặng Thị Giang"}
    assert (
        rows["Trần Thị Ánh"].items()
        >= {
            "self_level": "HTTNV",
            "proposed_level": "HTTNV",
            "decided_level": "HTTNV",
            "final_level": "HTTNV",
            "on_time": 2,
            "commitments": 2,
            # The second commitment (due 30/06/2026) was never reported done in the programme, but the member
            # and the cell judged it done on time, as her own report prints it: not overdue.
            "overdue": 0,
        }.items()
    )
    assert rows["Lê Văn Bình"]["final_level"] == "" and rows["Lê Văn Bình"]["state"] == "Đang viết bản kiểm điểm"
    assert rows["Đặng Thị Giang"]["overdue"] == 0
    good = next(row for row in built.data["totals"] if row["short"] == "HTTNV")
    assert good == {"level": "Hoàn thành tốt nhiệm vụ", "short": "HTTNV", "count": 2, "percent": 100}
    text = pdf_text(report_pdf(report))
    for expected in (
        "BÁO CÁO TỔNG HỢP",
        "KẾT QUẢ KIỂM ĐIỂM, ĐÁNH GIÁ, XẾP LOẠI ĐẢNG VIÊN",
        "CHI BỘ KHU PHỐ 1A",
        "Trần Thị Ánh",
        "Đặng Thị Giang",
        "Lê Văn Bình",
        "Hoàn thành tốt nhiệm vụ (HTTNV)",
        "NỘI DUNG CAM KẾT QUÁ HẠN",
        f"tính đến ngày {timezone.localdate():%d/%m/%Y}",
        f"Mã xác thực: {display_code(report.verification_code)}",
        "Trang 1/",
    ):
        assert nfc(expected) in text, expected


def test_cell_summary_names_the_members_not_rated_and_why(cast):
    membership = cast.outsider.memberships.get()
    membership.status = "exempt"
    membership.save()
    period = open_period(cast.ward, cast.org_board)

    built = report_data(ReportKind.CELL_SUMMARY, cast.cell_b.pk, period)

    assert built.data["not_rated"] == [{"name": "Phạm Văn Cường", "reason": "Miễn công tác và sinh hoạt đảng"}]
    assert built.data["not_rated_count"] == 1 and built.data["rated_count"] == 0
    report, _made = report_produce(ReportKind.CELL_SUMMARY, cast.cell_b.pk, period)
    flowing = flowing_text(report_pdf(report))
    assert nfc("Phạm Văn Cường: Miễn công tác và sinh hoạt đảng") in flowing


def test_rollups_of_the_grassroots_organisation_and_the_ward_count_levels_and_check_the_quota(cast):
    period, _review = period_with_final_review(cast, extra_members=1)

    grassroots = report_data(ReportKind.ORGANISATION_ROLLUP, cast.grassroots.pk, period).data
    ward = report_data(ReportKind.ORGANISATION_ROLLUP, cast.ward.pk, period).data

    good = next(row for row in grassroots["distribution"] if row["short"] == "HTTNV")
    assert good["count"] == 2 and good["percent"] == 100
    assert grassroots["quota"] == [
        {
            "organisation": "Đảng bộ Khu phố 1",
            "decided": 2,
            "excellent": 0,
            "good": 2,
            "allowed": 0,
            "percent": 20,
            "exceeded": False,
            "justified": [],
        }
    ]
    cells = {row["name"]: row for row in grassroots["cells"]}
    assert (
        cells["Chi bộ Khu phố 1A"].items() >= {"members": 3, "with_result": 2, "on_time": 7, "commitments": 7}.items()
    )
    assert cells["Chi bộ Khu phố 1A"]["rate"] == 100
    # Committee members are reviewed in their cell and in the committee; all of it still open.
    assert grassroots["members_count"] == ward["members_count"] == 8
    assert grassroots["open_count"] == 6
    assert {row["state"]: row["count"] for row in grassroots["open_states"]} == {"Đang viết bản kiểm điểm": 6}
    assert ward["rated_count"] == 2
    assert [row["organisation"] for row in ward["quota"]] == ["Đảng bộ Khu phố 1"]

    report, made = report_produce(ReportKind.ORGANISATION_ROLLUP, cast.grassroots.pk, period)
    assert made
    text = pdf_text(report_pdf(report))
    for expected in (
        "BÁO CÁO TỔNG HỢP",
        "KẾT QUẢ KIỂM ĐIỂM, ĐÁNH GIÁ, XẾP LOẠI",
        "Phường Bến Thành, ngày",
        "ĐẢNG BỘ KHU PHỐ 1",
        "Hoàn thành tốt nhiệm vụ (HTTNV)",
        "Chi bộ Khu phố 1A",
        "7/7",
        "đạt",
        "Đang viết bản kiểm điểm",
        "Huỳnh Văn Em",
        f"Mã xác thực: {display_code(report.verification_code)}",
        "Trang 1/",
    ):
        assert nfc(expected) in text, expected


def test_excellent_beyond_the_quota_is_marked_exceeded_and_its_justification_printed(cast):
    period, review = period_with_final_review(cast, level=RatingLevel.EXCELLENT)

    built = report_data(ReportKind.ORGANISATION_ROLLUP, cast.grassroots.pk, period)

    assert built.data["quota"][0].items() >= {"excellent": 1, "good": 0, "allowed": 0, "exceeded": True}.items()
    assert built.data["quota"][0]["justified"] == [{"name": "Trần Thị Ánh", "text": QUOTA_OVERRIDE, "confirmed": True}]
    rollup, _made = report_produce(ReportKind.ORGANISATION_ROLLUP, cast.grassroots.pk, period)
    rollup_text = flowing_text(report_pdf(rollup))
    assert "vượt" in rollup_text
    assert nfc("Xuất sắc vượt tỷ lệ có giải trình (Đảng bộ Khu phố 1):") in rollup_text
    assert nfc(f"Trần Thị Ánh: {QUOTA_OVERRIDE}") in rollup_text
    individual, _made = report_produce(ReportKind.INDIVIDUAL, review.pk)
    flowing = flowing_text(report_pdf(individual))
    assert nfc("Hoàn thành xuất sắc nhiệm vụ") in flowing
    assert nfc(f"Giải trình vượt tỷ lệ xuất sắc: {QUOTA_OVERRIDE}") in flowing


def test_cell_summary_and_rollup_need_a_period(cast):
    with pytest.raises(ValueError, match="period"):
        report_data(ReportKind.CELL_SUMMARY, cast.cell_a.pk)
    with pytest.raises(ValueError, match="period"):
        report_data(ReportKind.ORGANISATION_ROLLUP, cast.grassroots.pk)


# --- Safety: user text, private details ---------------------------------------------------------------------


def test_markup_and_file_urls_in_a_self_review_are_printed_as_text_and_nothing_is_fetched(cast):
    with counting_http_server() as (origin, requests):
        strengths = f'Hoàn thành tốt <img src="{origin}/x.png"> và <a href="file:///etc/passwd">file:///etc/passwd</a>'
        _period, review = period_with_final_review(cast, strengths=strengths)

        report, made = report_produce(ReportKind.INDIVIDUAL, review.pk)

    assert made
    assert requests == []
    flowing = flowing_text(report_pdf(report))
    assert f'<img src="{origin}/x.png">' in flowing
    assert "file:///etc/passwd" in flowing
    assert "root:x:0:0" not in flowing


def test_private_details_never_appear_in_any_report(cast):
    give_private_details(cast.member)
    period, review = period_with_final_review(cast)

    reports = [
        report_produce(ReportKind.INDIVIDUAL, review.pk)[0],
        report_produce(ReportKind.CELL_SUMMARY, cast.cell_a.pk, period)[0],
        report_produce(ReportKind.ORGANISATION_ROLLUP, cast.grassroots.pk, period)[0],
    ]

    for report in reports:
        text = pdf_text(report_pdf(report)) + flowing_text(report_pdf(report))
        # The roll-up counts members without naming them.
        assert ("Trần Thị Ánh" in text) == (report.kind != ReportKind.ORGANISATION_ROLLUP)
        for private in (*PRIVATE_DETAILS_SHOWN, "1985", "079185012345"):
            assert private not in text, (report.kind, private)


# --- Made once per state of the data ------------------------------------------------------------------------


@pytest.mark.postgres
def test_a_rerun_with_unchanged_data_makes_no_new_report_of_any_kind(cast, media):
    period, review = period_with_final_review(cast)
    subjects = [
        (ReportKind.INDIVIDUAL, review.pk, None),
        (ReportKind.CELL_SUMMARY, cast.cell_a.pk, period),
        (ReportKind.ORGANISATION_ROLLUP, cast.grassroots.pk, period),
        (ReportKind.ORGANISATION_ROLLUP, cast.ward.pk, period),
    ]
    first = [report_produce(kind, object_id, for_period) for kind, object_id, for_period in subjects]

    again = [report_produce(kind, object_id, for_period) for kind, object_id, for_period in subjects]

    assert all(made for _report, made in first)
    assert not any(made for _report, made in again)
    assert [report.pk for report, _made in again] == [report.pk for report, _made in first]
    assert Report.objects.count() == len(subjects)
    assert len(list((media / "reports").rglob("*.pdf"))) == len(subjects)


def test_data_is_the_same_whatever_the_language_of_the_request(cast):
    period, review = period_with_final_review(cast)
    subjects = [
        (ReportKind.INDIVIDUAL, review.pk, None),
        (ReportKind.CELL_SUMMARY, cast.cell_a.pk, period),
        (ReportKind.ORGANISATION_ROLLUP, cast.ward.pk, period),
    ]
    in_vietnamese = [data_hash(report_data(*subject).data) for subject in subjects]

    with translation.override("en"):
        in_english = [data_hash(report_data(*subject).data) for subject in subjects]

    assert in_english == in_vietnamese


def test_a_level_changed_by_appeal_makes_version_2_and_supersedes_version_1(cast):
    period, review = period_with_final_review(cast)
    ward_member = ward_committee_member(cast)
    first, _made = report_produce(ReportKind.INDIVIDUAL, review.pk)
    summary, _made = report_produce(ReportKind.CELL_SUMMARY, cast.cell_a.pk, period)
    assert summary.version == 1
    appeal = services.appeal_file(review=review, text="Đề nghị xem xét lại mức xếp loại.", acting_user=cast.member.user)
    services.appeal_resolve(
        appeal=appeal,
        upheld=False,
        new_level=RatingLevel.COMPLETED,
        resolution="Nội dung cam kết số 2 chưa có minh chứng hoàn thành.",
        acting_user=ward_member,
    )

    second, made = report_produce(ReportKind.INDIVIDUAL, review.pk)
    summary_2, summary_made = report_produce(ReportKind.CELL_SUMMARY, cast.cell_a.pk, period)

    assert made and summary_made
    assert second.version == 2 and second.is_current
    first.refresh_from_db()
    assert not first.is_current and first.superseded_at is not None
    assert summary_2.version == 2
    assert Report.objects.filter(subject_key=first.subject_key).count() == 2
    text = pdf_text(report_pdf(second))
    assert nfc("KẾT QUẢ XẾP LOẠI: Hoàn thành nhiệm vụ") in text
    assert nfc("Giải quyết kiến nghị") in text
    assert nfc("Nội dung cam kết số 2 chưa có minh chứng hoàn thành.") in flowing_text(report_pdf(second))


# --- A fixed number of queries ------------------------------------------------------------------------------


def queries_to_build(kind: str, object_id: int, period: ReviewPeriod | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        report_data(kind, object_id, period)
    return len(captured.captured_queries)


@pytest.mark.parametrize("extra_members", [0, 4])
def test_building_each_kind_costs_the_same_queries_for_one_and_five_members(cast, extra_members):
    period, review = period_with_final_review(cast, extra_members=extra_members)
    assert Review.objects.filter(period=period, place=cast.cell_a, state=ReviewState.FINAL).count() == (
        1 + extra_members
    )
    busiest = Review.objects.filter(period=period, cadre__full_name=EXTRA_NAMES[0]).get() if extra_members else review

    assert queries_to_build(ReportKind.INDIVIDUAL, busiest.pk) == INDIVIDUAL_QUERIES
    assert queries_to_build(ReportKind.CELL_SUMMARY, cast.cell_a.pk, period) == CELL_SUMMARY_QUERIES
    assert queries_to_build(ReportKind.ORGANISATION_ROLLUP, cast.grassroots.pk, period) == ROLLUP_QUERIES
    # A ward names itself in the date line: one query fewer for the header.
    assert queries_to_build(ReportKind.ORGANISATION_ROLLUP, cast.ward.pk, period) == ROLLUP_QUERIES - 1


def test_a_printed_report_points_to_the_verification_page_without_a_language_prefix():
    """The paper is read in any language: its address is the portal's own, whoever had it printed."""
    with translation.override("en"):
        url = verification_url("ABCDE12345")
    assert url == f"{settings.SITE_URL}/cong-khai/xac-thuc/?ma=ABCDE12345"
