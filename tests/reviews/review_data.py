"""Review periods and reviews built through the real services, for tests of every layer."""

import datetime
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from programmes.models import PartyOrganisation, PartyPost
from reviews import services
from reviews.models import CellMeeting, PeriodKind, RatingLevel, Review, ReviewPeriod, RuleSet, Verdict
from tests.factories import PositionFactory, make_member

COVERS_FROM = datetime.date(2026, 1, 1)
COVERS_TO = datetime.date(2026, 12, 31)

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
