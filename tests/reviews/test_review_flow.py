"""One review from opening the period to an appeal, through the services, for the cast's member."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from programmes.models import AuditEvent
from reviews import services
from reviews.models import AppealState, RatingLevel, Review, ReviewState
from tests.programmes.programme_data import make_confirmed
from tests.reviews.review_data import open_period, propose, ward_committee_member, write_and_submit

pytestmark = pytest.mark.django_db


def test_member_review_from_self_review_to_resolved_appeal(cast):
    make_confirmed(cast.member, cast.secretary.user)
    period = open_period(cast.ward, cast.org_board)
    review = Review.objects.get(period=period, cadre=cast.member)
    assert review.place == cast.cell_a
    assert review.deciding_organisation == cast.grassroots
    assert review.assessments.count() == 2

    write_and_submit(review)
    proposal, warnings = propose(review, cast.secretary.user)
    assert proposal.level == RatingLevel.GOOD
    assert warnings == []

    decision = services.decision_make(review=review, level=RatingLevel.GOOD, acting_user=cast.committee_staff.user)
    with pytest.raises(PermissionDenied):
        services.decision_confirm(decision=decision, grounds="x", acting_user=cast.secretary.user)
    assessment = review.assessments.order_by("position")[0]
    services.decision_confirm(
        decision=decision,
        grounds="Hoàn thành đúng hạn 2/2 nội dung cam kết, có minh chứng.",
        assessment_ids=[assessment.pk],
        acting_user=cast.head.user,
    )
    review.refresh_from_db()
    assert review.state == ReviewState.FINAL
    assert review.final_level == RatingLevel.GOOD

    appeal = services.appeal_file(review=review, text="Đề nghị xem xét lại.", acting_user=cast.member.user)
    # The ward's committee, above the deciding one, resolves the appeal.
    ward_member = ward_committee_member(cast)
    services.appeal_resolve(appeal=appeal, upheld=True, resolution="Giữ nguyên kết quả.", acting_user=ward_member)
    appeal.refresh_from_db()
    assert appeal.state == AppealState.UPHELD
    actions = list(
        AuditEvent.objects.filter(action__startswith="review.").order_by("pk").values_list("action", flat=True)
    )
    assert actions == [
        "review.period_open",
        "review.self_save",
        "review.self_submit",
        "review.meeting_record",
        "review.propose",
        "review.decide",
        "review.confirm",
        "review.appeal",
        "review.appeal_resolve",
    ]


def test_excellent_needs_the_points_and_tasks_beyond_target(cast):
    make_confirmed(cast.member, cast.secretary.user)
    period = open_period(cast.ward, cast.org_board)
    review = Review.objects.get(period=period, cadre=cast.member)
    with pytest.raises(ValidationError) as refused:
        write_and_submit(review, general=28, task=60, level=RatingLevel.EXCELLENT)
    messages = " ".join(refused.value.messages)
    assert "Tổng 88 điểm chỉ đạt mức “Hoàn thành tốt nhiệm vụ”" in messages
    assert "ít nhất 30% nhiệm vụ vượt yêu cầu" in messages
