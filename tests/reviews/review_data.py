"""Review periods and reviews built through the real services, for tests of every layer."""

import datetime
import hashlib
from typing import Any

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.utils import timezone

from programmes.models import PartyOrganisation, PartyPost
from reviews import services
from reviews.models import (
    CellMeeting,
    Decision,
    PeriodKind,
    RatingLevel,
    Report,
    ReportKind,
    Review,
    ReviewPeriod,
    RuleSet,
    Verdict,
)
from tests.factories import PositionFactory, make_member
from tests.programmes.programme_data import make_confirmed

COVERS_FROM = datetime.date(2026, 1, 1)
COVERS_TO = datetime.date(2026, 12, 31)

# The head's grounds for confirming a Good rating on the two commitments make_confirmed gives the member.
GROUNDS = "Hoàn thành đúng hạn 2/2 nội dung cam kết; sổ theo dõi hồ sơ có xác nhận của bộ phận một cửa."
# A PDF small enough for a stored report's file, where how it was rendered does not matter.
STORED_PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

SECTIONS = {
    "strengths": "Giữ vững lập trường chính trị, hoàn thành các nhiệm vụ được giao.",
    "shortcomings": "Có lúc chưa sâu sát cơ sở; nguyên nhân: khối lượng công việc lớn.",
    "remedy_plan": "Sắp xếp lịch làm việc, mỗi tháng xuống khu phố ít nhất 2 lần.",
}


def open_period(scope: Any, acting_user: User, *, rule_code: str = "366-2025", **overrides: Any) -> ReviewPeriod:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "title": "Kiểm điểm, đánh giá, xếp loại năm 2026",
        "kind": PeriodKind.ANNUAL,
        "rule_set": RuleSet.objects.get(code=rule_code),
        "scope": scope,
        "covers_from": COVERS_FROM,
        "covers_to": COVERS_TO,
        "self_review_until": today + datetime.timedelta(days=10),
        "cell_meetings_until": today + datetime.timedelta(days=20),
        "decisions_until": today + datetime.timedelta(days=30),
    }
    values.update(overrides)
    return services.period_open(**values, acting_user=acting_user)


def save_self_review(review: Review, **fields: Any) -> Review:
    """The subject saves their self-review through the service: the three sections, 27 + 60 points and Good, unless
    `fields` say otherwise (another `acting_user` included). No commitment is judged unless `verdicts` is given."""
    values: dict[str, Any] = {
        "sections": SECTIONS,
        "general_points": 27,
        "task_points": 60,
        "level": RatingLevel.GOOD,
        "acting_user": review.cadre.user,
    }
    values.update(fields)
    return services.self_review_save(review=review, **values)


def write_and_submit(
    review: Review, *, general: int | None = 27, task: int | None = 60, level: str = "good", verdict: str = Verdict.DONE
) -> Review:
    user = review.cadre.user
    assert user is not None
    verdicts = {assessment.pk: (verdict, "") for assessment in review.assessments.all()}
    save_self_review(review, general_points=general, task_points=task, level=level, verdicts=verdicts)
    return services.self_review_submit(review=review, acting_user=user)


def meeting(review: Review, secretary: User, *, total: int = 5, present: int = 4) -> CellMeeting:
    return services.meeting_record(
        period=review.period,
        cell=review.place,
        held_on=timezone.localdate(),
        members_total=total,
        members_present=present,
        chaired_by="Lê Văn Bình",
        minutes="Chi bộ họp kiểm điểm cuối năm, các đồng chí dự họp góp ý từng bản kiểm điểm.",
        acting_user=secretary,
    )


# What the cell writes for a verdict it keeps against the recorded progress (kept only where one is flagged).
CELL_EXPLANATION = "Chi bộ đã xem minh chứng tại cuộc họp: việc hoàn thành trong hạn, báo cáo lên cổng muộn."


def cell_proposal(review: Review, acting_user: User, **fields: Any) -> Any:
    """The cell's proposal through the service: 27 + 60 points, Good, 4 votes for and none against, at a meeting
    recorded for it, unless `fields` say otherwise. No commitment is judged unless `verdicts` is given."""
    values: dict[str, Any] = {
        "general_points": 27,
        "task_points": 60,
        "level": RatingLevel.GOOD,
        "votes_for": 4,
        "votes_against": 0,
    }
    values.update(fields)
    if "meeting" not in values:
        values["meeting"] = meeting(review, acting_user)
    return services.proposal_record(review=review, acting_user=acting_user, **values)


def propose(
    review: Review,
    secretary: User,
    *,
    level: str = "good",
    general: int | None = 27,
    task: int | None = 60,
    verdict: str = Verdict.DONE,
    explanation: str = CELL_EXPLANATION,
) -> Any:
    verdicts = {assessment.pk: (verdict, "") for assessment in review.assessments.all()}
    return cell_proposal(
        review,
        secretary,
        general_points=general,
        task_points=task,
        level=level,
        verdicts=verdicts,
        acknowledgements=dict.fromkeys(verdicts, explanation),
    )


def proposal_post(review: Review, meeting_pk: int, *, verdict: str = Verdict.DONE, **overrides: Any) -> dict[str, Any]:
    """The proposal form as the secretary sends it: the points, level and votes of `cell_proposal`, every commitment
    judged `verdict`; `overrides` change or add fields."""
    data: dict[str, Any] = {
        "meeting": str(meeting_pk),
        "general_points": "27",
        "task_points": "60",
        "level": RatingLevel.GOOD,
        "votes_for": "4",
        "votes_against": "0",
        "votes_abstain": "0",
        "comments": "Chi bộ thống nhất.",
    }
    for assessment in review.assessments.all():
        data[f"verdict_{assessment.pk}"] = verdict
        data[f"cause_{assessment.pk}"] = ""
    data.update(overrides)
    return data


def proposed_review(cast: Any, *, excellent: bool = False, **period_options: Any) -> Review:
    """The member's review with two commitments, proposed by the cell: Good, or Excellent on 30 + 65 points."""
    make_confirmed(cast.member, cast.secretary.user)
    period = open_period(cast.ward, cast.org_board, **period_options)
    review = Review.objects.get(period=period, cadre=cast.member)
    if excellent:
        write_and_submit(review, general=30, task=65, level=RatingLevel.EXCELLENT, verdict=Verdict.EXCEEDED)
        propose(review, cast.secretary.user, general=30, task=65, level=RatingLevel.EXCELLENT, verdict=Verdict.EXCEEDED)
    else:
        write_and_submit(review)
        propose(review, cast.secretary.user)
    review.refresh_from_db()
    return review


def decided_review(cast: Any, **options: Any) -> tuple[Review, Decision]:
    """The proposed review (see `proposed_review`), decided Good by the grassroots committee."""
    review = proposed_review(cast, **options)
    decision = services.decision_make(review=review, level=RatingLevel.GOOD, acting_user=cast.committee_staff.user)
    review.refresh_from_db()
    return review, decision


def final_review(cast: Any, *, grounds: str = GROUNDS, cite_all: bool = False, **options: Any) -> Review:
    """The decided review (see `decided_review`), confirmed by the committee's head on `grounds` citing the first
    commitment, or every one with `cite_all`."""
    review, decision = decided_review(cast, **options)
    assessments = review.assessments.order_by("position")
    services.decision_confirm(
        decision=decision,
        grounds=grounds,
        assessment_ids=[assessment.pk for assessment in (assessments if cite_all else assessments[:1])],
        acting_user=cast.head.user,
    )
    review.refresh_from_db()
    return review


def stored_report(
    organisation: PartyOrganisation, number: int, *, kind: str = ReportKind.CELL_SUMMARY, **fields: Any
) -> Report:
    """Report number `number`, a row with a small file and no rendering: for what depends only on the row (a list,
    a download's access)."""
    report = Report(
        kind=kind,
        subject_key=f"{kind}:test:{number}",
        organisation=organisation,
        title=f"Báo cáo thử {number}",
        content_hash=f"{number:064d}",
        sha256=hashlib.sha256(f"report {number}".encode()).hexdigest(),
        verification_code=f"TEST{number:06d}",
        size=len(STORED_PDF),
        **fields,
    )
    report.file.save(f"{kind}-{number}.pdf", ContentFile(STORED_PDF), save=False)
    report.save()
    return report


def committee_member(
    cell: PartyOrganisation,
    committee: PartyOrganisation,
    username: str,
    full_name: str,
    *,
    post: str = PartyPost.COMMITTEE_MEMBER,
) -> User:
    """The account of a member of `cell` who sits on `committee` (a ward's, the city's). Made after the period
    opened, it adds no review."""
    cadre = make_member(cell, username, full_name=full_name)
    PositionFactory(cadre=cadre, organisation=committee, party_post=post)
    assert cadre.user is not None
    return cadre.user


def ward_committee_member(cast: Any) -> User:
    """A member of the ward's party committee: the committee above the member's deciding one."""
    return committee_member(cast.cell_b, cast.ward, "ward_member", "Đặng Văn Phúc")
