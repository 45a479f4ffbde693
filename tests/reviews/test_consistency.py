"""Verdicts that claim more than the recorded progress: the flags with their figures, the member's warning, the
cell's and the committee's written reasons (stored and audited), and the pages that show them."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Max
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmes.action_programmes import services as programme_services
from programmes.action_programmes.progress import progress_report
from programmes.models import (
    AuditEvent,
    Cadre,
    Commitment,
    CommitmentCategory,
    Occasion,
    ProgressReport,
    ProgressStatus,
    PublicityLevel,
)
from reviews import services
from reviews.consistency import Inconsistency, consistency_flags
from reviews.models import ConsistencyNote, RatingLevel, Review, ReviewState, Verdict
from tests.factories import client_for, make_member
from tests.programmes.programme_data import commitment_content
from tests.reviews.review_data import (
    cell_proposal,
    meeting,
    open_period,
    proposal_post,
    save_self_review,
    write_and_submit,
)

pytestmark = pytest.mark.django_db

LINK = "https://example.vn/so-theo-doi-ho-so"
DEADLINE = datetime.date(2026, 11, 15)
# Late enough for DEADLINE to have passed, whatever day the tests run (they run after it).
TODAY = datetime.date(2026, 12, 1)
CELL_REASON = "Chi bộ đã xem sổ theo dõi: 40 hồ sơ giải quyết xong ngày 10/11, đồng chí chưa cập nhật lên cổng."
COMMITTEE_REASON = "Cấp ủy đã kiểm tra tại bộ phận một cửa: đủ 40 hồ sơ trước hạn."
# Whatever the number of commitments. Each page reads a review's flags in a fixed few queries: the terms in force
# and the first report of completion (and, for the cell's verdicts, the reasons already written). The self-review
# and decision pages also read the residence cell's comment (one query).
SELF_REVIEW_PAGE_QUERIES = 14
PROPOSAL_PAGE_QUERIES = 17
DECISION_PAGE_QUERIES = 15


def files_target(**overrides: Any) -> dict[str, Any]:
    """40 files by 15/11/2026, from none: the commitment of the issue."""
    values: dict[str, Any] = {
        "statement": "Giải quyết dứt điểm 40 hồ sơ tồn đọng của khu phố",
        "indicator": "Số hồ sơ tồn đọng được giải quyết",
        "unit": "hồ sơ",
        "baseline_value": Decimal("0"),
        "target_value": Decimal("40"),
        "deadline": DEADLINE,
    }
    return commitment_content(1, **(values | overrides))


def confirmed_programme(owner: Cadre, confirmer, contents: list[dict[str, Any]]) -> list[Commitment]:
    """A programme of `owner` with these commitments, confirmed; its commitments in order."""
    assert owner.user is not None
    programme = programme_services.programme_create(
        owner=owner,
        occasion=Occasion.ANNUAL,
        title="Chương trình hành động năm 2026",
        position=None,
        term_start=datetime.date(2026, 1, 1),
        term_end=datetime.date(2026, 12, 31),
        acting_user=owner.user,
    )
    version = programme.versions.get()
    for content in contents:
        programme_services.commitment_add(version=version, content=content, acting_user=owner.user)
    version = programme_services.programme_submit(version=version, acting_user=owner.user)
    programme_services.programme_confirm(version=version, publicity_max=PublicityLevel.CELL, acting_user=confirmer)
    return [terms.commitment for terms in version.terms.order_by("position")]


def report(commitment: Commitment, status: str, value: str | None = None, *, on: datetime.date | None = None) -> None:
    """The owner reports progress; `on` dates the report (and the commitment's latest report) that day."""
    owner = commitment.programme.owner.user
    assert owner is not None
    done = status in ProgressStatus.needing_evidence()
    made = progress_report(
        commitment=commitment,
        status=status,
        value_reached=Decimal(value) if value is not None else None,
        links=[LINK] if done else [],
        acting_user=owner,
    )
    if on is not None:
        moment = datetime.datetime.combine(on, datetime.time(9), tzinfo=datetime.UTC)
        ProgressReport.objects.filter(pk=made.pk).update(reported_at=moment)
        Commitment.objects.filter(pk=commitment.pk).update(last_reported_at=moment)


def review_of(cast, contents: list[dict[str, Any]]) -> tuple[Review, list[Commitment]]:
    commitments = confirmed_programme(cast.member, cast.secretary.user, contents)
    period = open_period(cast.ward, cast.org_board)
    return Review.objects.get(period=period, cadre=cast.member), commitments


def flags_of(review: Review, judge: str = "self", **options: Any):
    assessments = list(review.assessments.select_related("commitment"))
    return consistency_flags(assessments, judge=judge, today=TODAY, **options)  # type: ignore[arg-type]


def judged(review: Review, verdict: str, field: str = "self") -> None:
    review.assessments.update(**{f"{field}_verdict": verdict})


# --- The flags -----------------------------------------------------------------------------------------------


def test_done_on_time_against_at_risk_26_of_40_past_the_deadline_is_flagged_with_the_figures(cast):
    review, (commitment,) = review_of(cast, [files_target()])
    report(commitment, ProgressStatus.AT_RISK, "26")
    judged(review, Verdict.DONE)
    (flag,) = flags_of(review)
    assert flag.kinds == (Inconsistency.NOT_FINISHED, Inconsistency.BELOW_TARGET, Inconsistency.OVERDUE)
    assert flag.figures == "Tiến độ ghi nhận: Có nguy cơ chậm, 26/40 hồ sơ, hạn 15/11/2026"
    assert flag.message == (
        "Nội dung I.1: tự đánh giá “Hoàn thành đúng hạn” trái với tiến độ ghi nhận (tiến độ ghi nhận là “Có nguy cơ "
        "chậm”, chưa hoàn thành; giá trị đạt được 26 chưa đạt chỉ tiêu 40; đã quá hạn 15/11/2026 mà chưa hoàn thành)."
    )
    conflict = flag.conflict()
    assert not conflict.blocking
    assert conflict.message.endswith("Tiến độ ghi nhận: Có nguy cơ chậm, 26/40 hồ sơ, hạn 15/11/2026.")


@pytest.mark.parametrize(
    ("verdict", "kinds"),
    [
        (Verdict.EXCEEDED, (Inconsistency.NOT_FINISHED, Inconsistency.BELOW_TARGET, Inconsistency.OVERDUE)),
        (Verdict.DONE_LATE, (Inconsistency.NOT_FINISHED, Inconsistency.BELOW_TARGET)),
        (Verdict.PARTLY, None),
        (Verdict.NOT_DONE, None),
        ("", None),
    ],
)
def test_only_a_verdict_that_claims_the_commitment_done_is_weighed(cast, verdict, kinds):
    review, (commitment,) = review_of(cast, [files_target()])
    report(commitment, ProgressStatus.AT_RISK, "26")
    judged(review, verdict)
    flags = flags_of(review)
    assert [flag.kinds for flag in flags] == ([kinds] if kinds else [])


def test_done_before_the_deadline_at_the_target_is_not_flagged(cast):
    review, (commitment,) = review_of(cast, [files_target()])
    report(commitment, ProgressStatus.DONE, "40", on=datetime.date(2026, 11, 10))
    judged(review, Verdict.DONE)
    assert flags_of(review) == []


def test_a_commitment_nobody_reported_on_has_nothing_to_contradict(cast):
    review, _commitments = review_of(cast, [files_target()])
    judged(review, Verdict.DONE)
    assert flags_of(review) == []


@pytest.mark.postgres
def test_done_reported_after_the_deadline_is_flagged_as_finished_late_but_done_late_is_not(cast):
    review, (commitment,) = review_of(cast, [files_target()])
    report(commitment, ProgressStatus.DONE, "40", on=datetime.date(2026, 11, 20))
    judged(review, Verdict.DONE)
    (flag,) = flags_of(review)
    assert flag.kinds == (Inconsistency.FINISHED_LATE,)
    assert "báo cáo hoàn thành ngày 20/11/2026, sau hạn 15/11/2026" in flag.message
    assert (
        flag.figures == "Tiến độ ghi nhận: Hoàn thành, 40/40 hồ sơ, hạn 15/11/2026, báo cáo hoàn thành ngày 20/11/2026"
    )
    judged(review, Verdict.DONE_LATE)
    assert flags_of(review) == []


def test_done_below_the_target_and_exceeded_at_the_target_are_flagged(cast):
    review, (commitment,) = review_of(cast, [files_target()])
    report(commitment, ProgressStatus.DONE, "35", on=datetime.date(2026, 11, 10))
    judged(review, Verdict.DONE)
    assert [flag.kinds for flag in flags_of(review)] == [(Inconsistency.BELOW_TARGET,)]
    report(commitment, ProgressStatus.DONE, "40", on=datetime.date(2026, 11, 12))
    judged(review, Verdict.EXCEEDED)
    assert [flag.kinds for flag in flags_of(review)] == [(Inconsistency.NOT_EXCEEDED,)]
    report(commitment, ProgressStatus.EXCEEDED, "44", on=datetime.date(2026, 11, 14))
    assert flags_of(review) == []


def test_a_target_to_bring_down_is_reached_from_above(cast):
    late_files = files_target(
        statement="Giảm số hồ sơ trễ hạn xuống còn 5",
        baseline_value=Decimal("20"),
        target_value=Decimal("5"),
    )
    review, (commitment,) = review_of(cast, [late_files])
    report(commitment, ProgressStatus.DONE, "4", on=datetime.date(2026, 11, 1))
    judged(review, Verdict.DONE)
    assert flags_of(review) == []
    report(commitment, ProgressStatus.DONE, "9", on=datetime.date(2026, 11, 2))
    assert [flag.kinds for flag in flags_of(review)] == [(Inconsistency.BELOW_TARGET,)]


def test_a_deliverable_is_weighed_by_its_status_and_deadline_only(cast):
    deliverable = files_target(is_deliverable=True, target_value=None, unit="", indicator="")
    review, (commitment,) = review_of(cast, [deliverable])
    report(commitment, ProgressStatus.ON_TRACK)
    judged(review, Verdict.DONE)
    (flag,) = flags_of(review)
    assert flag.kinds == (Inconsistency.NOT_FINISHED, Inconsistency.OVERDUE)
    assert flag.figures == "Tiến độ ghi nhận: Đúng tiến độ, hạn 15/11/2026"


def test_the_verdicts_a_form_is_about_to_record_are_weighed_instead_of_the_saved_ones(cast):
    review, (commitment,) = review_of(cast, [files_target()])
    report(commitment, ProgressStatus.AT_RISK, "26")
    judged(review, Verdict.PARTLY, "cell")
    assert flags_of(review, "cell") == []
    (assessment,) = review.assessments.all()
    (flag,) = flags_of(review, "cell", verdicts={assessment.pk: Verdict.DONE})
    assert flag.message.startswith("Nội dung I.1: chi bộ kết luận “Hoàn thành đúng hạn” trái với tiến độ ghi nhận")


# --- The member is warned, and may still submit -----------------------------------------------------------------


def test_the_self_review_lists_the_flag_as_a_warning_and_still_submits(cast):
    review, (commitment,) = review_of(cast, [files_target()])
    report(commitment, ProgressStatus.AT_RISK, "26")
    judged(review, Verdict.DONE)
    conflicts = services.self_review_conflicts(review)
    (warning,) = [conflict for conflict in conflicts if "trái với tiến độ ghi nhận" in conflict.message]
    assert not warning.blocking
    assert "26/40 hồ sơ, hạn 15/11/2026" in warning.message
    write_and_submit(review)
    review.refresh_from_db()
    assert review.state == ReviewState.SELF_SUBMITTED


def test_the_self_review_page_shows_the_flag_on_the_commitment_and_in_the_check(cast):
    review, (commitment,) = review_of(cast, [files_target()])
    report(commitment, ProgressStatus.AT_RISK, "26")
    judged(review, Verdict.DONE)
    page = client_for(cast.member.user).get(reverse("reviews:self_review_edit", args=[review.pk])).text
    assert "Tự đánh giá trái với tiến độ ghi nhận" in page
    assert "Tiến độ ghi nhận: Có nguy cơ chậm, 26/40 hồ sơ, hạn 15/11/2026" in page
    check = page[page.index('id="check-heading"') :]
    assert "Lưu ý</span> Nội dung I.1: tự đánh giá “Hoàn thành đúng hạn” trái với tiến độ ghi nhận" in check


# --- The cell explains, or changes its verdict ---------------------------------------------------------------------


def submitted_with_flag(cast) -> tuple[Review, Commitment]:
    review, (commitment,) = review_of(cast, [files_target()])
    report(commitment, ProgressStatus.AT_RISK, "26")
    write_and_submit(review)
    return review, commitment


def record(review: Review, secretary, *, verdict: str = Verdict.DONE, reason: str = "", cause: str = "") -> Any:
    (assessment,) = review.assessments.all()
    return services.proposal_record(
        review=review,
        meeting=meeting(review, secretary),
        general_points=27,
        task_points=60 if verdict in Verdict.on_time_values() else 40,
        level=RatingLevel.GOOD if verdict in Verdict.on_time_values() else RatingLevel.COMPLETED,
        votes_for=4,
        votes_against=0,
        verdicts={assessment.pk: (verdict, cause)},
        acknowledgements={assessment.pk: reason},
        acting_user=secretary,
    )


def test_the_cell_cannot_keep_a_flagged_verdict_without_a_reason_and_nothing_is_saved(cast):
    review, _commitment = submitted_with_flag(cast)
    (assessment,) = review.assessments.all()
    last = AuditEvent.objects.aggregate(last=Max("id"))["last"]
    with pytest.raises(ValidationError) as error:
        record(review, cast.secretary.user, reason="   ")
    (message,) = error.value.message_dict[f"acknowledge_{assessment.pk}"]
    assert message.startswith("Nội dung I.1: chi bộ kết luận “Hoàn thành đúng hạn” trái với tiến độ ghi nhận")
    assert message.endswith("Hãy sửa kết luận, hoặc ghi lý do giữ kết luận này.")
    review.refresh_from_db()
    assessment.refresh_from_db()
    assert (review.state, assessment.cell_verdict) == (ReviewState.SELF_SUBMITTED, "")
    assert not ConsistencyNote.objects.exists()
    # Only the meeting the helper recorded first was written.
    assert list(AuditEvent.objects.filter(id__gt=last).values_list("action", flat=True)) == ["review.meeting_record"]


@pytest.mark.postgres
def test_the_cell_keeps_a_flagged_verdict_with_its_reason_stored_with_the_figures_and_audited(cast):
    review, _commitment = submitted_with_flag(cast)
    (assessment,) = review.assessments.all()
    record(review, cast.secretary.user, reason=f"  {CELL_REASON}  ")
    note = ConsistencyNote.objects.get()
    assert (note.assessment, note.stage, note.verdict, note.reason, note.acknowledged_by) == (
        assessment,
        ConsistencyNote.Stage.CELL,
        Verdict.DONE,
        CELL_REASON,
        cast.secretary.user,
    )
    assert note.kind_values == {"not_finished", "below_target", "overdue"}
    assert note.figures.startswith("Tiến độ ghi nhận: Có nguy cơ chậm, 26/40 hồ sơ, hạn 15/11/2026")
    event = AuditEvent.objects.get(action="review.consistency_note")
    assert event.actor == cast.secretary.user
    assert event.after is not None
    assert (event.after["review"], event.after["reason"], event.after["figures"]) == (
        review.pk,
        CELL_REASON,
        note.figures,
    )
    assert (AuditEvent.objects.get(action="review.propose").after or {})["explained"] == [1]
    review.refresh_from_db()
    assert review.state == ReviewState.CELL_PROPOSED
    (flag,) = flags_of(review, "cell")
    assert flag.acknowledged and flag.notes == (note,)


def test_a_verdict_the_cell_lowers_to_what_the_record_shows_needs_no_reason(cast):
    review, _commitment = submitted_with_flag(cast)
    record(review, cast.secretary.user, verdict=Verdict.PARTLY, cause="Mới giải quyết 26/40 hồ sơ.")
    review.refresh_from_db()
    assert review.state == ReviewState.CELL_PROPOSED
    assert not ConsistencyNote.objects.exists()


def test_a_reason_covers_only_the_verdict_and_the_contradictions_it_was_written_for(cast):
    review, _commitment = submitted_with_flag(cast)
    record(review, cast.secretary.user, reason=CELL_REASON)
    judged(review, Verdict.EXCEEDED, "cell")
    (flag,) = flags_of(review, "cell")
    assert not flag.acknowledged


# --- The committee --------------------------------------------------------------------------------------------


def test_the_committee_decides_on_a_verdict_the_cell_explained_and_may_add_its_own_reason(cast):
    review, _commitment = submitted_with_flag(cast)
    record(review, cast.secretary.user, reason=CELL_REASON)
    (assessment,) = review.assessments.all()
    services.decision_make(
        review=review,
        level=RatingLevel.GOOD,
        acknowledgements={assessment.pk: COMMITTEE_REASON},
        acting_user=cast.committee_staff.user,
    )
    assert list(ConsistencyNote.objects.order_by("pk").values_list("stage", "reason", "acknowledged_by")) == [
        (ConsistencyNote.Stage.CELL, CELL_REASON, cast.secretary.user.pk),
        (ConsistencyNote.Stage.COMMITTEE, COMMITTEE_REASON, cast.committee_staff.user.pk),
    ]


@pytest.mark.postgres
def test_a_contradiction_that_arose_after_the_proposal_must_be_explained_by_the_committee(cast):
    review, (commitment,) = review_of(cast, [files_target()])
    report(commitment, ProgressStatus.DONE, "40", on=datetime.date(2026, 11, 10))
    write_and_submit(review)
    record(review, cast.secretary.user)
    assert not ConsistencyNote.objects.exists()
    # After the cell's meeting the member reports the work undone again.
    report(commitment, ProgressStatus.AT_RISK, "30")
    (assessment,) = review.assessments.all()
    with pytest.raises(ValidationError) as error:
        services.decision_make(review=review, level=RatingLevel.GOOD, acting_user=cast.committee_staff.user)
    assert list(error.value.message_dict) == [f"acknowledge_{assessment.pk}"]
    review.refresh_from_db()
    assert review.state == ReviewState.CELL_PROPOSED
    services.decision_make(
        review=review,
        level=RatingLevel.GOOD,
        acknowledgements={assessment.pk: COMMITTEE_REASON},
        acting_user=cast.committee_staff.user,
    )
    note = ConsistencyNote.objects.get()
    assert (note.stage, note.figures) == (
        ConsistencyNote.Stage.COMMITTEE,
        "Tiến độ ghi nhận: Có nguy cơ chậm, 30/40 hồ sơ, hạn 15/11/2026, báo cáo hoàn thành ngày 10/11/2026",
    )
    assert (AuditEvent.objects.get(action="review.decide").after or {})["explained"] == [1]


# --- The pages ------------------------------------------------------------------------------------------------


def test_the_secretary_sees_the_flag_with_the_figures_and_records_only_with_a_reason(cast):
    review, _commitment = submitted_with_flag(cast)
    (assessment,) = review.assessments.all()
    secretary = client_for(cast.secretary.user)
    held = meeting(review, cast.secretary.user)
    url = reverse("reviews:proposal_record", args=[review.pk])
    page = secretary.get(url).text
    assert "Kết luận trái với tiến độ ghi nhận" in page
    assert "Tiến độ ghi nhận: Có nguy cơ chậm, 26/40 hồ sơ, hạn 15/11/2026" in page
    assert f'name="acknowledge_{assessment.pk}"' in page

    response = secretary.post(url, proposal_post(review, held.pk))
    assert response.status_code == 200
    assert "Hãy sửa kết luận, hoặc ghi lý do giữ kết luận này." in response.text
    assert f'id="id_acknowledge_{assessment.pk}"' in response.text
    assert 'aria-invalid="true"' in response.text
    review.refresh_from_db()
    assert review.state == ReviewState.SELF_SUBMITTED

    response = secretary.post(url, proposal_post(review, held.pk, **{f"acknowledge_{assessment.pk}": CELL_REASON}))
    assert response.status_code == 302
    assert ConsistencyNote.objects.get().reason == CELL_REASON


def test_a_verdict_the_secretary_changes_to_done_on_the_form_is_flagged_when_sent(cast):
    review, (commitment,) = review_of(cast, [files_target()])
    report(commitment, ProgressStatus.AT_RISK, "26")
    (assessment,) = review.assessments.all()
    save_self_review(
        review,
        task_points=40,
        level=RatingLevel.COMPLETED,
        verdicts={assessment.pk: (Verdict.PARTLY, "Mới giải quyết 26/40 hồ sơ.")},
    )
    services.self_review_submit(review=review, acting_user=cast.member.user)
    secretary = client_for(cast.secretary.user)
    url = reverse("reviews:proposal_record", args=[review.pk])
    assert "Kết luận trái với tiến độ ghi nhận" not in secretary.get(url).text
    held = meeting(review, cast.secretary.user)
    response = secretary.post(url, proposal_post(review, held.pk))
    assert response.status_code == 200
    assert "Kết luận trái với tiến độ ghi nhận" in response.text
    assert f'name="acknowledge_{assessment.pk}"' in response.text


def test_the_committee_s_page_shows_the_cell_s_reason_and_asks_for_its_own_where_none_was_given(cast):
    review, (commitment,) = review_of(cast, [files_target()])
    report(commitment, ProgressStatus.AT_RISK, "26")
    write_and_submit(review)
    record(review, cast.secretary.user, reason=CELL_REASON)
    committee = client_for(cast.committee_staff.user)
    url = reverse("reviews:decision_make", args=[review.pk])
    page = committee.get(url).text
    assert "Kết luận của chi bộ trái với tiến độ ghi nhận" in page
    assert "Tiến độ ghi nhận: Có nguy cơ chậm, 26/40 hồ sơ, hạn 15/11/2026" in page
    assert "Đã giải trình" in page
    assert CELL_REASON in page
    assert "Không bắt buộc: chi bộ đã giải trình." in page
    response = committee.post(
        url, {"action": "decide", "level": RatingLevel.GOOD, "general_points": "27", "task_points": "60"}
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.state == ReviewState.DECIDED
    # The head reads the same on the confirmation page.
    page = client_for(cast.head.user).get(reverse("reviews:decision_confirm", args=[review.pk])).text
    assert CELL_REASON in page
    assert "26/40 hồ sơ" in page


def test_the_committee_page_refuses_to_decide_on_an_unexplained_flag(cast):
    review, (commitment,) = review_of(cast, [files_target()])
    report(commitment, ProgressStatus.DONE, "40", on=datetime.date(2026, 11, 10))
    write_and_submit(review)
    record(review, cast.secretary.user)
    report(commitment, ProgressStatus.AT_RISK, "30")
    (assessment,) = review.assessments.all()
    committee = client_for(cast.committee_staff.user)
    url = reverse("reviews:decision_make", args=[review.pk])
    page = committee.get(url).text
    assert "Chưa giải trình" in page
    assert "Bắt buộc: chưa ai giải trình điểm này" in page
    decide = {"action": "decide", "level": RatingLevel.GOOD, "general_points": "27", "task_points": "60"}
    response = committee.post(url, decide)
    assert response.status_code == 200
    assert "Hãy sửa kết luận, hoặc ghi lý do giữ kết luận này." in response.text
    review.refresh_from_db()
    assert review.state == ReviewState.CELL_PROPOSED
    # Checking the quota keeps what was typed.
    typed = committee.post(url, {**decide, "action": "check", f"acknowledge_{assessment.pk}": COMMITTEE_REASON})
    assert COMMITTEE_REASON in typed.text
    response = committee.post(url, {**decide, f"acknowledge_{assessment.pk}": COMMITTEE_REASON})
    assert response.status_code == 302
    assert ConsistencyNote.objects.get().stage == ConsistencyNote.Stage.COMMITTEE


def test_the_member_s_copy_of_their_data_has_the_cell_s_reason(cast):
    review, _commitment = submitted_with_flag(cast)
    record(review, cast.secretary.user, reason=CELL_REASON)
    data = client_for(cast.member.user).get(reverse("programmes:my_data_json")).json()
    (assessment,) = data["reviews"][0]["assessments"]
    (note,) = assessment["consistency_notes"]
    assert note["reason"] == CELL_REASON
    assert note["figures"].startswith("Tiến độ ghi nhận: Có nguy cơ chậm, 26/40 hồ sơ")


# --- Query counts --------------------------------------------------------------------------------------------


def many(count: int) -> list[dict[str, Any]]:
    weights = [100 // count] * count
    weights[0] += 100 - sum(weights)
    return [
        files_target(
            statement=f"Giải quyết dứt điểm 40 hồ sơ tồn đọng của tổ {number}",
            weight=weights[number - 1],
            category=CommitmentCategory.PROFESSIONAL_TASK,
        )
        for number in range(1, count + 1)
    ]


def page_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.fixture
def one_and_six(cast):
    """Two members of the cell, one with 1 flagged commitment and one with 6, in the same period."""
    other = make_member(cast.cell_a, "member6", full_name="Phan Văn Sáu")
    commitments = {
        cast.member.pk: confirmed_programme(cast.member, cast.secretary.user, many(1)),
        other.pk: confirmed_programme(other, cast.secretary.user, many(6)),
    }
    for items in commitments.values():
        for commitment in items:
            report(commitment, ProgressStatus.AT_RISK, "26")
    period = open_period(cast.ward, cast.org_board)
    return Review.objects.get(period=period, cadre=cast.member), Review.objects.get(period=period, cadre=other)


def test_the_three_pages_cost_the_same_queries_for_1_and_6_flagged_commitments(cast, one_and_six):
    one, six = one_and_six
    assert (one.assessments.count(), six.assessments.count()) == (1, 6)
    for review in (one, six):
        judged(review, Verdict.DONE)
    members = {one.pk: client_for(cast.member.user), six.pk: client_for(six.cadre.user)}
    edit = {
        review.pk: page_queries(members[review.pk], reverse("reviews:self_review_edit", args=[review.pk]))
        for review in (one, six)
    }
    assert edit[one.pk] == edit[six.pk]
    assert len(members[six.pk].get(reverse("reviews:self_review_edit", args=[six.pk])).context["form"].flags) == 6

    for review in (one, six):
        write_and_submit(review)
    secretary = client_for(cast.secretary.user)
    meeting(one, cast.secretary.user)
    secretary.get(reverse("reviews:proposal_record", args=[one.pk]))  # content types and the like, cached
    propose_one = page_queries(secretary, reverse("reviews:proposal_record", args=[one.pk]))
    propose_six = page_queries(secretary, reverse("reviews:proposal_record", args=[six.pk]))
    assert propose_one == propose_six

    for review in (one, six):
        record_all(review, cast.secretary.user)
    committee = client_for(cast.committee_staff.user)
    decide_one = page_queries(committee, reverse("reviews:decision_make", args=[one.pk]))
    decide_six = page_queries(committee, reverse("reviews:decision_make", args=[six.pk]))
    assert decide_one == decide_six
    assert (edit[six.pk], propose_six, decide_six) == (
        SELF_REVIEW_PAGE_QUERIES,
        PROPOSAL_PAGE_QUERIES,
        DECISION_PAGE_QUERIES,
    )
    assert len(committee.get(reverse("reviews:decision_make", args=[six.pk])).context["flags"]) == 6


def record_all(review: Review, secretary) -> None:
    assessments = list(review.assessments.all())
    cell_meeting = review.period.cell_meetings.first()
    assert cell_meeting is not None
    cell_proposal(
        review,
        secretary,
        meeting=cell_meeting,
        verdicts={item.pk: (Verdict.DONE, "") for item in assessments},
        acknowledgements={item.pk: CELL_REASON for item in assessments},
    )
