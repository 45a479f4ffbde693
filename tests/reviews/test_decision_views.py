"""The deciding committee's pages: decide (with the quota), return, the head's confirmation on grounds, appeals
and re-classification, each driven through the page on a review brought to the cell's proposal by the services.
"""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programmes.action_programmes.progress import progress_report
from programmes.models import PartyPost, Position, ProgressStatus
from reviews import services
from reviews.models import (
    Appeal,
    AppealState,
    Decision,
    DecisionState,
    LevelChange,
    RatingLevel,
    Review,
    ReviewState,
    Verdict,
)
from tests.factories import PositionFactory, client_for, make_member
from tests.programmes.programme_data import make_confirmed
from tests.reviews.review_data import (
    GROUNDS,
    decided_review,
    final_review,
    open_period,
    propose,
    proposed_review,
    write_and_submit,
)

pytestmark = pytest.mark.django_db


def url(name: str, pk: int) -> str:
    return reverse(f"reviews:{name}", args=[pk])


def detail_url(review: Review) -> str:
    return url("review_detail", review.pk)


def appealed(cast) -> tuple[Review, Appeal]:
    review = final_review(cast)
    appeal = services.appeal_file(review=review, text="Đề nghị xem xét lại mức xếp loại.", acting_user=cast.member.user)
    review.refresh_from_db()
    return review, appeal


def ward_committee_member(cast):
    """A member of the ward's party committee: the committee above the member's deciding one."""
    cadre = make_member(cast.cell_b, "ward_member", full_name="Đặng Văn Phúc")
    PositionFactory(cadre=cadre, organisation=cast.ward, party_post=PartyPost.COMMITTEE_MEMBER)
    return cadre.user


def review_pages(review: Review, appeal: Appeal) -> list[str]:
    return [
        url("decision_make", review.pk),
        url("decision_return", review.pk),
        url("decision_confirm", review.pk),
        url("appeal_file", review.pk),
        url("appeal_resolve", appeal.pk),
        url("review_reclassify", review.pk),
    ]


# --- Who reaches the pages -----------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login_from_every_decision_page(cast):
    review, appeal = appealed(cast)
    client = Client()
    for page in review_pages(review, appeal):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("login")), page


@pytest.mark.parametrize("persona", ["outsider", "overseer"])
def test_outsider_and_overseer_get_404_and_change_nothing(cast, persona):
    review, appeal = appealed(cast)
    user = cast.outsider.user if persona == "outsider" else cast.overseer
    client = client_for(user)
    for page in review_pages(review, appeal):
        assert client.get(page).status_code == 404, page
        assert client.post(page, {"level": "not_completed", "reason": "x", "text": "x"}).status_code == 404, page
    review.refresh_from_db()
    appeal.refresh_from_db()
    assert review.state == ReviewState.APPEALED
    assert appeal.state == AppealState.PENDING


def test_the_subject_can_neither_decide_nor_confirm(cast):
    review = proposed_review(cast)
    client = client_for(cast.member.user)
    response = client.get(url("decision_make", review.pk))
    assert response.status_code == 403
    assert "Đồng chí không thuộc cấp ủy có thẩm quyền quyết định." in response.content.decode()
    assert client.post(url("decision_make", review.pk), {"level": "excellent"}).status_code == 403

    services.decision_make(review=review, level=RatingLevel.GOOD, acting_user=cast.committee_staff.user)
    response = client.post(url("decision_confirm", review.pk), {"grounds": GROUNDS})
    assert response.status_code == 403
    assert "Không ai được tự xác nhận kết quả xếp loại của chính mình." in response.content.decode()
    assert Decision.objects.get(review=review).state == DecisionState.AWAITING_CONFIRMATION


# --- The decision --------------------------------------------------------------------------------------------


def test_committee_staff_decides_the_cells_level_through_the_page(cast):
    review = proposed_review(cast)
    client = client_for(cast.committee_staff.user)
    response = client.get(url("decision_make", review.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Trần Thị Ánh" in page
    assert "Chi bộ Khu phố 1A" in page
    assert "4 tán thành, 0 không tán thành, 0 không biểu quyết" in page
    assert "Hoàn thành đúng hạn" in page  # the cell's verdicts
    assert response.context["form"]["level"].value() == RatingLevel.GOOD
    assert response.context["form"]["general_points"].value() == 27
    assert "Bắt buộc khi mức quyết định khác mức chi bộ đề xuất" in page

    response = client.post(
        url("decision_make", review.pk),
        {"action": "decide", "level": "good", "general_points": "27", "task_points": "60", "reason": ""},
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url(review)
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "Đã quyết định mức “Hoàn thành tốt nhiệm vụ” cho đồng chí Trần Thị Ánh; chờ người đứng đầu xác nhận."
    ]
    decision = Decision.objects.get(review=review)
    assert decision.state == DecisionState.AWAITING_CONFIRMATION
    assert (decision.level, decision.general_points, decision.task_points) == ("good", 27, 60)
    assert decision.decided_by == cast.committee_staff.user
    review.refresh_from_db()
    assert review.state == ReviewState.DECIDED


def test_a_level_other_than_the_cells_needs_a_reason_at_the_reason_field(cast):
    review = proposed_review(cast)
    client = client_for(cast.committee_staff.user)
    values = {"action": "decide", "level": "completed", "general_points": "27", "task_points": "60"}
    response = client.post(url("decision_make", review.pk), values)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "Xếp loại khác đề xuất của chi bộ (“Hoàn thành tốt nhiệm vụ”) cần ghi lý do." in errors["reason"][0]
    assert not Decision.objects.filter(review=review).exists()

    values["reason"] = "Chưa chủ động đề xuất giải pháp mới trong năm."
    response = client.post(url("decision_make", review.pk), values)
    assert response.status_code == 302
    decision = Decision.objects.get(review=review)
    assert decision.level == RatingLevel.COMPLETED
    assert decision.reclassification_reason == values["reason"]


def test_a_level_the_rules_forbid_is_refused_above_the_form(cast):
    review = proposed_review(cast)
    response = client_for(cast.committee_staff.user).post(
        url("decision_make", review.pk),
        {"action": "decide", "level": "excellent", "general_points": "27", "task_points": "60", "reason": "Vượt."},
    )
    assert response.status_code == 200
    assert "Tổng 87 điểm chỉ đạt mức “Hoàn thành tốt nhiệm vụ”" in " ".join(response.context["form"].non_field_errors())
    assert not Decision.objects.filter(review=review).exists()


def test_excellent_over_the_quota_is_refused_without_a_justification_and_accepted_with_one(cast):
    review = proposed_review(cast, excellent=True)
    client = client_for(cast.committee_staff.user)
    page = client.get(url("decision_make", review.pk)).content.decode()
    # No Good decided or proposed in the grassroots committee's period, so 20% of them allows no Excellent.
    assert "Đảng bộ Khu phố 1 đã quyết định 0 xuất sắc trong đợt này." in page
    assert "Nếu quyết định mức “Hoàn thành xuất sắc nhiệm vụ”: 1 xuất sắc / 0 tốt." in page
    assert "Vượt tỷ lệ: tối đa 0 xuất sắc (20% số tốt)." in page
    assert 'name="quota_override"' in page

    values = {"action": "decide", "level": "excellent", "general_points": "30", "task_points": "65"}
    response = client.post(url("decision_make", review.pk), values)
    assert response.status_code == 200
    assert "Cần giải trình để vượt." in response.context["form"].errors["quota_override"][0]
    assert not Decision.objects.filter(review=review).exists()

    values["quota_override"] = "Đồng chí được Thành ủy khen thưởng đột xuất vì thành tích cải cách hành chính."
    assert client.post(url("decision_make", review.pk), values).status_code == 302
    decision = Decision.objects.get(review=review)
    assert decision.level == RatingLevel.EXCELLENT
    assert decision.quota_override == values["quota_override"]


def test_a_level_below_excellent_in_an_organisation_over_its_quota_asks_no_justification(cast):
    review = proposed_review(cast, excellent=True)
    outsider = Review.objects.get(period=review.period, cadre=cast.outsider)
    write_and_submit(outsider, general=30, task=65, level=RatingLevel.EXCELLENT, verdict=Verdict.EXCEEDED)
    cell_b_secretary = make_member(cast.cell_b, "cell_b_secretary", full_name="Mai Văn Khánh")
    PositionFactory(cadre=cell_b_secretary, organisation=cast.cell_b, party_post=PartyPost.SECRETARY)
    assert cell_b_secretary.user is not None
    propose(outsider, cell_b_secretary.user, general=30, task=65, level=RatingLevel.EXCELLENT, verdict=Verdict.EXCEEDED)
    services.decision_make(
        review=outsider,
        level=RatingLevel.EXCELLENT,
        quota_override="Đồng chí được Thành ủy khen thưởng đột xuất.",
        acting_user=cast.committee_staff.user,
    )
    client = client_for(cast.committee_staff.user)

    box = client.get(url("decision_make", review.pk), {"level": "good"}, headers={"HX-Request": "true"}).text

    assert "Đảng bộ Khu phố 1 đã quyết định 1 xuất sắc trong đợt này." in box
    assert "Nếu quyết định mức “Hoàn thành tốt nhiệm vụ”: 1 xuất sắc / 1 tốt." in box
    assert "mức này không thêm đảng viên xuất sắc nên không cần giải trình" in box
    assert 'name="quota_override"' not in box
    values = {"action": "decide", "level": "good", "general_points": "27", "task_points": "60", "reason": "Hạ mức."}
    assert client.post(url("decision_make", review.pk), values).status_code == 302
    assert Decision.objects.get(review=review).quota_override == ""


def test_the_quota_box_follows_the_level_chosen_with_htmx_and_without_javascript(cast):
    review = proposed_review(cast, excellent=True)
    client = client_for(cast.committee_staff.user)

    response = client.get(url("decision_make", review.pk), {"level": "good"}, headers={"HX-Request": "true"})
    box = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in box
    assert 'id="quota-box"' in box
    assert "Nếu quyết định mức “Hoàn thành tốt nhiệm vụ”: 0 xuất sắc / 1 tốt." in box
    assert "Trong tỷ lệ cho phép: tối đa 0 xuất sắc" in box
    assert 'name="quota_override"' not in box

    response = client.get(url("decision_make", review.pk), {"level": "excellent"}, headers={"HX-Request": "true"})
    assert "Vượt tỷ lệ" in response.content.decode()
    assert 'name="quota_override"' in response.content.decode()

    # Without JavaScript the "check" button posts the form back, shown again for the level chosen; nothing saved.
    response = client.post(
        url("decision_make", review.pk), {"action": "check", "level": "good", "reason": "Giữ tỷ lệ."}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" in page
    assert "Nếu quyết định mức “Hoàn thành tốt nhiệm vụ”" in page
    assert response.context["form"]["level"].value() == "good"
    assert response.context["form"]["reason"].value() == "Giữ tỷ lệ."
    assert not response.context["form"].errors
    assert not Decision.objects.filter(review=review).exists()


def test_under_a_rule_set_without_points_the_page_asks_for_none(cast):
    make_confirmed(cast.member, cast.secretary.user)
    period = open_period(cast.ward, cast.org_board, rule_code="124-2023")
    review = Review.objects.get(period=period, cadre=cast.member)
    write_and_submit(review, general=None, task=None)
    propose(review, cast.secretary.user, general=None, task=None)
    client = client_for(cast.committee_staff.user)
    page = client.get(url("decision_make", review.pk)).content.decode()
    assert 'name="general_points"' not in page
    response = client.post(url("decision_make", review.pk), {"action": "decide", "level": "good"})
    assert response.status_code == 302
    decision = Decision.objects.get(review=review)
    assert (decision.level, decision.general_points, decision.task_points) == ("good", None, None)


def test_an_empty_submission_gets_its_errors(cast):
    review = proposed_review(cast)
    response = client_for(cast.committee_staff.user).post(url("decision_return", review.pk), {})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["Hãy ghi lý do trả lại chi bộ."]


def test_a_decided_review_cannot_be_decided_again(cast):
    review, _decision = decided_review(cast)
    response = client_for(cast.committee_staff.user).get(url("decision_make", review.pk))
    assert response.status_code == 302
    assert response["Location"] == detail_url(review)


# --- Returning to the cell -----------------------------------------------------------------------------------


def test_committee_staff_returns_the_proposal_with_a_reason(cast):
    review = proposed_review(cast)
    client = client_for(cast.committee_staff.user)
    assert client.get(url("decision_return", review.pk)).status_code == 200
    response = client.post(url("decision_return", review.pk), {"reason": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["Hãy ghi lý do trả lại chi bộ."]

    reason = "Biên bản chưa ghi ý kiến của các đảng viên dự họp."
    response = client.post(url("decision_return", review.pk), {"reason": reason})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.state == ReviewState.SELF_SUBMITTED
    assert review.return_reason == reason


# --- The head's confirmation ---------------------------------------------------------------------------------


def test_head_confirms_with_grounds_and_a_cited_assessment_and_evidence(cast):
    review, decision = decided_review(cast)
    first, _second = review.assessments.order_by("position")
    progress_report(
        commitment=first.commitment,
        status=ProgressStatus.DONE,
        note="Đã giải quyết đúng hạn toàn bộ hồ sơ.",
        links=["https://motcua.example.vn/so-theo-doi-2026"],
        acting_user=cast.member.user,
    )
    evidence = first.commitment.evidence.get()
    client = client_for(cast.head.user)
    response = client.get(url("decision_confirm", review.pk))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Quyết định của cấp ủy, chờ xác nhận" in page
    assert "Võ Thị Dung" in page  # who decided
    assert f'value="{first.pk}"' in page
    assert "https://motcua.example.vn/so-theo-doi-2026" in page

    response = client.post(url("decision_confirm", review.pk), {"grounds": GROUNDS})
    assert response.status_code == 200
    assert "Hãy chọn ít nhất một nội dung cam kết hoặc minh chứng" in response.context["form"].errors["grounds"][0]

    response = client.post(
        url("decision_confirm", review.pk),
        {"grounds": GROUNDS, "assessments": [first.pk], "evidence": [evidence.pk]},
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url(review)
    decision.refresh_from_db()
    assert decision.state == DecisionState.CONFIRMED
    assert decision.confirmed_by == cast.head.user
    assert list(decision.grounds_assessments.all()) == [first]
    assert list(decision.grounds_evidence.all()) == [evidence]
    review.refresh_from_db()
    assert review.state == ReviewState.FINAL
    assert review.final_level == RatingLevel.GOOD


def test_committee_staff_cannot_confirm_only_the_head_does(cast):
    review, decision = decided_review(cast)
    client = client_for(cast.committee_staff.user)
    response = client.get(url("decision_confirm", review.pk))
    assert response.status_code == 403
    assert "Chỉ người đứng đầu cấp quyết định mới xác nhận kết quả." in response.content.decode()
    first = review.assessments.order_by("position")[0]
    response = client.post(url("decision_confirm", review.pk), {"grounds": GROUNDS, "assessments": [first.pk]})
    assert response.status_code == 403
    decision.refresh_from_db()
    assert decision.state == DecisionState.AWAITING_CONFIRMATION


def test_secretary_who_recorded_the_proposal_cannot_confirm_even_as_head(cast):
    review, decision = decided_review(cast)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Position.objects.filter(cadre=cast.head, organisation=cast.grassroots).update(end_date=yesterday)
    PositionFactory(cadre=cast.secretary, organisation=cast.grassroots, party_post=PartyPost.SECRETARY)
    client = client_for(cast.secretary.user)
    message = "Người ghi đề xuất của chi bộ không được đồng thời xác nhận kết quả; cần người đứng đầu khác."
    response = client.get(url("decision_confirm", review.pk))
    assert response.status_code == 403
    assert message in response.content.decode()
    first = review.assessments.order_by("position")[0]
    response = client.post(url("decision_confirm", review.pk), {"grounds": GROUNDS, "assessments": [first.pk]})
    assert response.status_code == 403
    assert message in response.content.decode()
    decision.refresh_from_db()
    assert decision.state == DecisionState.AWAITING_CONFIRMATION


# --- Appeals -------------------------------------------------------------------------------------------------


def test_member_appeals_within_the_window_and_the_ward_committee_reclassifies(cast):
    review = final_review(cast)
    member = client_for(cast.member.user)
    response = member.get(url("appeal_file", review.pk))
    deadline = services.appeal_deadline(review)
    assert deadline is not None
    assert f"Hạn kiến nghị: đến hết ngày {deadline:%d/%m/%Y}." in response.content.decode()

    response = member.post(url("appeal_file", review.pk), {"text": "Đề nghị xem xét lại vì tôi đã vượt chỉ tiêu."})
    assert response.status_code == 302
    appeal = Appeal.objects.get(review=review)
    assert appeal.state == AppealState.PENDING

    # The deciding committee's head made the contested result: the page refuses him and names who resolves.
    response = client_for(cast.head.user).get(url("appeal_resolve", appeal.pk))
    assert response.status_code == 403
    assert f"Kiến nghị này do {cast.ward.name} giải quyết" in response.content.decode()

    head = client_for(ward_committee_member(cast))
    response = head.get(url("appeal_resolve", appeal.pk))
    assert response.status_code == 200
    assert "Đề nghị xem xét lại vì tôi đã vượt chỉ tiêu." in response.content.decode()

    response = head.post(url("appeal_resolve", appeal.pk), {"outcome": "reclassified", "resolution": "Xét lại."})
    assert response.status_code == 200
    assert response.context["form"].errors["new_level"] == ["Hãy chọn mức xếp loại mới khác mức hiện tại."]

    resolution = "Chi bộ xác minh lại: một nội dung hoàn thành chậm, xếp loại lại."
    response = head.post(
        url("appeal_resolve", appeal.pk),
        {"outcome": "reclassified", "new_level": "completed", "resolution": resolution},
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == AppealState.RECLASSIFIED
    change = LevelChange.objects.get(review=review)
    assert (change.cause, change.from_level, change.to_level) == ("appeal", "good", "completed")
    review.refresh_from_db()
    assert review.final_level == RatingLevel.COMPLETED
    assert review.state == ReviewState.FINAL


def test_appeal_after_the_window_is_refused(cast):
    review = final_review(cast, appeal_days=0)
    Review.objects.filter(pk=review.pk).update(final_at=timezone.now() - datetime.timedelta(days=2))
    client = client_for(cast.member.user)
    assert "Đã quá hạn kiến nghị" in client.get(url("appeal_file", review.pk)).content.decode()
    response = client.post(url("appeal_file", review.pk), {"text": "Đề nghị xem xét lại."})
    assert response.status_code == 200
    assert "Đã quá hạn kiến nghị" in " ".join(response.context["form"].non_field_errors())
    assert not Appeal.objects.filter(review=review).exists()


def test_only_the_subject_appeals_and_only_the_committee_resolves(cast):
    review, appeal = appealed(cast)
    response = client_for(cast.committee_staff.user).get(url("appeal_file", review.pk))
    assert response.status_code == 403
    assert "Chỉ người được kiểm điểm mới kiến nghị." in response.content.decode()
    response = client_for(cast.member.user).post(
        url("appeal_resolve", appeal.pk), {"outcome": "reclassified", "new_level": "excellent", "resolution": "x"}
    )
    assert response.status_code == 403
    appeal.refresh_from_db()
    assert appeal.state == AppealState.PENDING


# --- Re-classification by the superior committee -------------------------------------------------------------


def test_reclassify_is_refused_to_the_deciding_committee_and_allowed_to_the_ward_committee(cast):
    review = final_review(cast)
    response = client_for(cast.committee_staff.user).post(
        url("review_reclassify", review.pk), {"level": "completed", "reason": "x"}
    )
    assert response.status_code == 403
    assert "Chỉ cấp ủy cấp trên mới xếp loại lại." in response.content.decode()

    client = client_for(ward_committee_member(cast))
    assert client.get(url("review_reclassify", review.pk)).status_code == 200
    response = client.post(url("review_reclassify", review.pk), {"level": "completed", "reason": ""})
    assert response.context["form"].errors["reason"] == ["Hãy ghi lý do xếp loại lại."]
    reason = "Kiểm tra của Ủy ban Kiểm tra phường cho thấy một nội dung chưa đạt chỉ tiêu."
    response = client.post(url("review_reclassify", review.pk), {"level": "completed", "reason": reason})
    assert response.status_code == 302
    change = LevelChange.objects.get(review=review)
    assert (change.cause, change.to_level, change.reason) == ("superior", "completed", reason)
    review.refresh_from_db()
    assert review.final_level == RatingLevel.COMPLETED
