"""The review pages everyone starts from: work lists, periods, opening a period, and one review's page."""

import datetime
import typing

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programmes.action_programmes.progress import progress_report
from programmes.models import (
    AuditEvent,
    Membership,
    MembershipStatus,
    OrganisationKind,
    PartyPost,
    ProgressStatus,
    Role,
)
from reviews import services, views, work_list_views
from reviews.models import (
    AppealState,
    PeriodKind,
    PeriodState,
    RatingLevel,
    Review,
    ReviewPeriod,
    ReviewState,
    RuleSet,
    Verdict,
)
from tests.factories import (
    PositionFactory,
    RoleAssignmentFactory,
    UserFactory,
    client_for,
    make_member,
    make_organisation,
)
from tests.pages import missing_from
from tests.programmes.programme_data import make_confirmed
from tests.reviews.review_data import committee_member, open_period, propose, ward_committee_member, write_and_submit

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
WORK_LIST = reverse("reviews:work_list")
PERIOD_LIST = reverse("reviews:period_list")
PERIOD_OPEN = reverse("reviews:period_open")

# Every page: session, user, the grants (a cadre's cadre, membership, posts and roles; an account's cadre and
# roles) and the header's counts. Then, for committee staff: own reviews, proposals to decide (counted for its
# pages, then the page, then the places they wait in, each with its table), appeals (none: no page to fetch), and
# the organisations the queues' search offers.
COMMITTEE_WORK_LIST_QUERIES = 7 + 6
# A secretary: own reviews, the cells' counts, decisions to confirm (a cell secretary may head a grassroots cell).
SECRETARY_WORK_LIST_QUERIES = 7 + 3
# Organisation-board staff (no cadre): the page of periods (count and rows), then the counts by state.
PERIOD_LIST_QUERIES = 5 + 3
# The head on a final review: the review; proposal with meeting; the meeting's named attendance; appeals;
# assessments and their evidence; prompts; inputs; decisions and their grounds (verdicts, evidence); level
# changes; history; the superior committee for re-classification; the current individual report (a final
# review's PDF link); the residence comment; and the one insert that puts the head's read of another person's
# review on the record.
REVIEW_DETAIL_QUERIES = 7 + 16 + 1


def detail_url(review: Review) -> str:
    return reverse("reviews:review_detail", args=[review.pk])


def period_url(period: ReviewPeriod) -> str:
    return reverse("reviews:period_detail", args=[period.pk])


def member_review(cast, *, programme: bool = True) -> Review:
    if programme:
        make_confirmed(cast.member, cast.secretary.user)
    period = open_period(cast.ward, cast.org_board)
    return Review.objects.get(period=period, cadre=cast.member)


def proposed(cast, review: Review) -> Review:
    write_and_submit(review)
    propose(review, cast.secretary.user)
    review.refresh_from_db()
    return review


def decided(cast, review: Review) -> Review:
    proposed(cast, review)
    services.decision_make(review=review, level=RatingLevel.GOOD, acting_user=cast.committee_staff.user)
    review.refresh_from_db()
    return review


def final(cast, review: Review) -> Review:
    decided(cast, review)
    decision = review.decisions.get()
    services.decision_confirm(
        decision=decision,
        grounds="Hoàn thành đúng hạn các nội dung cam kết, có minh chứng.",
        assessment_ids=[assessment.pk for assessment in review.assessments.all()],
        acting_user=cast.head.user,
    )
    review.refresh_from_db()
    return review


def appealed(cast, review: Review) -> Review:
    final(cast, review)
    services.appeal_file(review=review, text="Đề nghị xem xét lại mức xếp loại.", acting_user=cast.member.user)
    review.refresh_from_db()
    return review


def page_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


# --- Anonymous and outsiders ----------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login_from_every_page(cast):
    review = member_review(cast, programme=False)
    client = Client()
    for url in (WORK_LIST, PERIOD_LIST, PERIOD_OPEN, period_url(review.period), detail_url(review)):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


@pytest.mark.parametrize("who", ["outsider", "overseer"])
def test_outsider_and_overseer_get_404_for_the_member_review(cast, who):
    review = proposed(cast, member_review(cast))
    user = cast.outsider.user if who == "outsider" else cast.overseer
    assert client_for(user).get(detail_url(review)).status_code == 404


@pytest.mark.parametrize("who", ["outsider", "overseer"])
def test_outsider_and_overseer_see_nothing_of_the_member_review_in_lists(cast, who):
    review = proposed(cast, member_review(cast))
    user = cast.outsider.user if who == "outsider" else cast.overseer
    client = client_for(user)
    for url in (WORK_LIST, PERIOD_LIST):
        response = client.get(url)
        assert response.status_code == 200
        assert cast.member.full_name not in response.text
        assert detail_url(review) not in response.text
    response = client.get(period_url(review.period))
    if who == "overseer":
        assert response.status_code == 404
    else:
        # The outsider has a review of their own in the period, and sees only that one.
        assert response.status_code == 200
        assert cast.outsider.full_name in response.text
        assert cast.member.full_name not in response.text
        assert cast.secretary.full_name not in response.text


def test_overseer_has_no_review_link_in_the_menu_but_the_member_does(cast):
    dashboard = reverse("programmes:dashboard")
    assert WORK_LIST not in client_for(cast.overseer).get(dashboard).text
    assert WORK_LIST in client_for(cast.member.user).get(dashboard).text
    assert WORK_LIST in client_for(cast.org_board).get(dashboard).text


def test_overseer_may_not_open_a_period(cast):
    assert client_for(cast.overseer).get(PERIOD_OPEN).status_code == 404
    assert client_for(cast.member.user).get(PERIOD_OPEN).status_code == 404


# --- Work lists -----------------------------------------------------------------------------------------------


def test_member_sees_own_review_with_the_next_step(cast):
    review = member_review(cast)
    response = client_for(cast.member.user).get(WORK_LIST)
    assert response.status_code == 200
    text = response.text
    assert "Bản kiểm điểm của tôi" in text
    assert reverse("reviews:self_review_edit", args=[review.pk]) in text
    assert "Đang viết bản kiểm điểm" in text
    assert ">Quá hạn<" not in text
    assert "Chi bộ của tôi" not in text
    assert "Chờ cấp ủy quyết định" not in text


def test_member_sees_own_review_overdue_after_the_self_review_window(cast):
    today = timezone.localdate()
    open_period(cast.ward, cast.org_board, self_review_until=today - datetime.timedelta(days=1))
    text = client_for(cast.member.user).get(WORK_LIST).text
    assert ">Quá hạn<" in text


def test_member_with_a_final_result_is_offered_an_appeal(cast):
    review = final(cast, member_review(cast))
    text = client_for(cast.member.user).get(WORK_LIST).text
    assert "Kết quả: Hoàn thành tốt nhiệm vụ." in text
    assert reverse("reviews:appeal_file", args=[review.pk]) in text


def test_secretary_sees_the_cell_with_counts_and_a_link_to_the_cell_page(cast):
    review = member_review(cast)
    write_and_submit(review)
    response = client_for(cast.secretary.user).get(WORK_LIST)
    text = response.text
    assert "Chi bộ của tôi" in text
    assert reverse("reviews:cell_reviews", args=[review.period.pk, cast.cell_a.pk]) in text
    place = response.context["places"][0]
    assert place["cell"] == cast.cell_a.pk
    assert place["total"] == 2
    assert place["self_submitted"] == 1
    assert place["self_drafting"] == 1
    assert cast.cell_b.name not in text


def test_committee_staff_sees_proposals_waiting_for_a_decision(cast):
    review = proposed(cast, member_review(cast))
    text = client_for(cast.committee_staff.user).get(WORK_LIST).text
    assert "Chờ cấp ủy quyết định" in text
    assert cast.member.full_name in text
    assert reverse("reviews:decision_make", args=[review.pk]) in text
    assert "Chờ người đứng đầu xác nhận" not in text


def test_head_sees_decisions_waiting_for_confirmation(cast):
    review = decided(cast, member_review(cast))
    response = client_for(cast.head.user).get(WORK_LIST)
    assert [row.pk for row in response.context["to_confirm"].reviews] == [review.pk]
    assert reverse("reviews:decision_confirm", args=[review.pk]) in response.text
    # The committee member decided but does not confirm.
    assert reverse("reviews:decision_confirm", args=[review.pk]) not in (
        client_for(cast.committee_staff.user).get(WORK_LIST).text
    )


def test_the_committee_above_the_deciding_one_sees_appeals_to_resolve(cast):
    review = appealed(cast, member_review(cast))
    appeal = review.appeals.get(state=AppealState.PENDING)
    text = client_for(ward_committee_member(cast)).get(WORK_LIST).text
    assert "Kiến nghị chờ giải quyết" in text
    assert reverse("reviews:appeal_resolve", args=[appeal.pk]) in text
    # The deciding committee does not judge the appeal against its own decision; nor does another ward.
    other_ward = committee_member(cast.cell_b, cast.other_ward, "ward_b_member", "Lý Văn Tâm")
    for user in (cast.head.user, cast.committee_staff.user, other_ward):
        assert reverse("reviews:appeal_resolve", args=[appeal.pk]) not in client_for(user).get(WORK_LIST).text


def test_org_board_work_list_offers_to_open_a_period(cast):
    text = client_for(cast.org_board).get(WORK_LIST).text
    assert PERIOD_OPEN in text


def _proposals_to_decide(cast, number: int) -> list[Review]:
    for index in range(number - 1):
        make_member(cast.cell_a, f"extra{index}", full_name=f"Nguyễn Văn Thêm {index}")
    period = open_period(cast.ward, cast.org_board)
    reviews = list(Review.objects.filter(period=period, place=cast.cell_a).exclude(cadre=cast.secretary))
    assert len(reviews) == number
    return reviews


def test_work_list_query_count_does_not_grow_with_reviews(cast, django_assert_num_queries):
    reviews = _proposals_to_decide(cast, 5)
    proposed(cast, reviews[0])
    client = client_for(cast.committee_staff.user)
    one = page_queries(client, WORK_LIST)
    assert one == COMMITTEE_WORK_LIST_QUERIES
    for review in reviews[1:]:
        proposed(cast, review)
    with django_assert_num_queries(one):
        response = client.get(WORK_LIST)
    assert response.context["to_decide"].total == 5


def test_a_long_queue_comes_in_pages_of_its_own_with_the_same_queries(cast, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(work_list_views, "QUEUE_PER_PAGE", 50)
    reviews = _proposals_to_decide(cast, 55)
    for review in reviews[:5]:
        proposed(cast, review)
    client = client_for(cast.committee_staff.user)
    five = page_queries(client, WORK_LIST)
    for review in reviews[5:]:
        proposed(cast, review)
    with django_assert_num_queries(five):
        response = client.get(WORK_LIST + "?trang_xac_nhan=1")
    queue = response.context["to_decide"]
    assert queue.total == 55 and len(queue.reviews) == 50
    # The second page's link keeps the other parameters of the page.
    assert "?trang_xac_nhan=1&amp;trang_quyet_dinh=2" in response.text
    second = client.get(WORK_LIST + "?trang_quyet_dinh=2").context["to_decide"]
    assert len(second.reviews) == 5
    assert {review.pk for review in queue.reviews + second.reviews} == {review.pk for review in reviews}


def test_secretary_work_list_query_count_does_not_grow_with_reviews(cast, django_assert_num_queries):
    reviews = _proposals_to_decide(cast, 5)
    write_and_submit(reviews[0])
    client = client_for(cast.secretary.user)
    one = page_queries(client, WORK_LIST)
    assert one == SECRETARY_WORK_LIST_QUERIES
    for review in reviews[1:]:
        write_and_submit(review)
    with django_assert_num_queries(one):
        client.get(WORK_LIST)


# --- Periods --------------------------------------------------------------------------------------------------


def test_period_list_shows_kind_rule_set_scope_windows_and_counts(cast):
    review = member_review(cast)
    write_and_submit(review)
    response = client_for(cast.org_board).get(PERIOD_LIST)
    text = response.text
    assert (
        missing_from(
            text,
            review.period.title,
            "366-2025",
            cast.ward.name,
            "Hằng năm",
            f"{review.period.self_review_until:%d/%m/%Y}",
            PERIOD_OPEN,
        )
        == []
    )
    row = response.context["rows"][0]
    counts = {count.state: count.number for count in row.counts}
    assert counts[ReviewState.SELF_SUBMITTED] == 1
    assert row.total == Review.objects.filter(period=review.period).count()


def test_period_list_counts_only_the_reviews_the_user_sees(cast):
    review = member_review(cast)
    response = client_for(cast.member.user).get(PERIOD_LIST)
    assert response.context["rows"][0].total == 1
    assert PERIOD_OPEN not in response.text
    assert review.period.title in response.text


def test_period_list_query_count_does_not_grow_with_periods(cast, django_assert_num_queries):
    open_period(cast.ward, cast.org_board)
    client = client_for(cast.org_board)
    one = page_queries(client, PERIOD_LIST)
    assert one == PERIOD_LIST_QUERIES
    for year in range(2022, 2026):
        open_period(
            cast.ward,
            cast.org_board,
            title=f"Đợt {year}",
            covers_from=datetime.date(year, 1, 1),
            covers_to=datetime.date(year, 12, 31),
        )
    with django_assert_num_queries(one):
        response = client.get(PERIOD_LIST)
    assert len(response.context["rows"]) == 5


def test_period_detail_for_org_board_shows_every_cell_and_the_quota(cast):
    review = decided(cast, member_review(cast))
    response = client_for(cast.org_board).get(period_url(review.period))
    assert response.status_code == 200
    text = response.text
    assert (
        missing_from(
            text,
            cast.cell_a.name,
            cast.cell_b.name,
            review.period.rule_set.regulation,
            "0 xuất sắc / 1 tốt — tối đa 0: đạt",
            "chờ xác nhận",
        )
        == []
    )


def test_a_wards_period_comes_in_pages_by_cell_with_the_same_queries(cast, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(views, "REVIEWS_PER_PAGE", 20)
    for index in range(3):
        make_member(cast.cell_a, f"extra{index}", full_name=f"Nguyễn Văn Thêm {index}")
    period = open_period(cast.ward, cast.org_board)
    client = client_for(cast.org_board)
    small = page_queries(client, period_url(period))
    seen = Review.objects.filter(period=period).count()
    assert seen < 20
    first = Review.objects.filter(period=period).first()
    assert first is not None
    for index in range(50):
        cell = cast.cell_a if index % 2 else cast.cell_b
        member = make_member(cell, f"later{index}", full_name=f"Trần Văn Sau {index}")
        Review.objects.create(
            period=period,
            cadre=member,
            place=cell,
            cell=cell,
            deciding_organisation=first.deciding_organisation,
        )
    with django_assert_num_queries(small):
        response = client.get(period_url(period) + "?page=2")
    assert response.context["total"] == seen + 50
    assert sum(len(group.rated) + len(group.not_rated) for group in response.context["groups"]) == 20
    # Cells come in order across pages, and the quota still counts every deciding body of the period.
    assert response.context["quotas"]
    assert "?page=3" in response.text


def test_period_detail_lists_not_rated_members_with_their_reason(cast):
    Membership.objects.filter(cadre=cast.outsider).update(status=MembershipStatus.EXEMPT)
    period = open_period(cast.ward, cast.org_board)
    not_rated = Review.objects.get(period=period, cadre=cast.outsider)
    assert not_rated.state == ReviewState.NOT_RATED
    text = client_for(cast.org_board).get(period_url(period)).text
    assert "Không đánh giá, xếp loại" in text
    assert f"{cast.outsider.full_name}</a>: {not_rated.not_rated_reason}" in text


def test_period_detail_for_secretary_shows_only_the_cell(cast):
    review = member_review(cast)
    response = client_for(cast.secretary.user).get(period_url(review.period))
    text = response.text
    assert cast.member.full_name in text
    assert cast.outsider.full_name not in text
    assert reverse("reviews:cell_reviews", args=[review.period.pk, cast.cell_a.pk]) in text


def test_period_detail_for_member_shows_only_own_review(cast):
    review = member_review(cast)
    text = client_for(cast.member.user).get(period_url(review.period)).text
    assert detail_url(review) in text
    assert cast.secretary.full_name not in text.split("Bản kiểm điểm đồng chí được xem")[1]


# --- Opening a period -----------------------------------------------------------------------------------------


def period_form_data(scope, **overrides) -> dict[str, str]:
    data = {
        "title": "Kiểm điểm năm 2026",
        "kind": "annual",
        "rule_set": str(RuleSet.objects.get(code="366-2025").pk),
        "scope": str(scope.pk),
        "covers_from": "2026-01-01",
        "covers_to": "2026-12-31",
        "self_review_until": "2026-12-15",
        "cell_meetings_until": "2026-12-20",
        "decisions_until": "2026-12-31",
        "appeal_days": "15",
    }
    data.update(overrides)
    return data


def test_period_form_defaults_to_the_rule_set_in_force_and_the_users_scopes(cast):
    response = client_for(cast.org_board).get(PERIOD_OPEN)
    assert response.status_code == 200
    form = response.context["form"]
    assert form["rule_set"].initial.code == "366-2025"
    scopes = list(form.fields["scope"].queryset)
    assert cast.ward in scopes
    assert cast.grassroots in scopes
    assert cast.cell_a not in scopes
    assert cast.other_ward not in scopes


def test_opening_a_period_through_the_form_creates_the_reviews(cast):
    Membership.objects.filter(cadre=cast.outsider).update(status=MembershipStatus.SUSPENDED)
    client = client_for(cast.org_board)
    response = client.post(PERIOD_OPEN, period_form_data(cast.ward), follow=True)
    period = ReviewPeriod.objects.get()
    assert response.redirect_chain[-1][0] == period_url(period)
    reviews = Review.objects.filter(period=period)
    # Alice, Bình, Cường in their cells; Dung and Em in their cell and in the grassroots committee.
    assert reviews.count() == 7
    assert reviews.filter(state=ReviewState.NOT_RATED).count() == 1
    assert "tạo 6 bản kiểm điểm; 1 đảng viên thuộc diện không đánh giá, xếp loại" in response.text
    assert period.opened_by == cast.org_board


def test_opening_a_period_refuses_a_scope_outside_the_users(cast):
    response = client_for(cast.org_board).post(PERIOD_OPEN, period_form_data(cast.other_ward))
    assert response.status_code == 200
    assert "không được mở đợt kiểm điểm ở tổ chức này" in response.text
    assert response.context["form"].errors["scope"]
    assert not ReviewPeriod.objects.exists()


def test_head_may_open_a_period_for_the_grassroots_but_not_the_ward(cast):
    client = client_for(cast.head.user)
    refused = client.post(PERIOD_OPEN, period_form_data(cast.ward))
    assert refused.context["form"].errors["scope"]
    assert not ReviewPeriod.objects.exists()
    assert client.post(PERIOD_OPEN, period_form_data(cast.grassroots)).status_code == 302
    assert ReviewPeriod.objects.get().scope == cast.grassroots


def test_opening_a_period_with_windows_out_of_order_shows_the_error_at_the_field(cast):
    data = period_form_data(cast.ward, cell_meetings_until="2026-12-10")
    response = client_for(cast.org_board).post(PERIOD_OPEN, data)
    assert response.status_code == 200
    assert "Hạn họp chi bộ phải sau hạn nộp bản kiểm điểm." in response.context["form"].errors["cell_meetings_until"]
    assert not ReviewPeriod.objects.exists()


def test_opening_a_period_twice_shows_which_period_holds_the_scope(cast):
    client = client_for(cast.org_board)
    assert client.post(PERIOD_OPEN, period_form_data(cast.ward)).status_code == 302
    response = client.post(PERIOD_OPEN, period_form_data(cast.grassroots, title="Kiểm điểm lần hai"))
    assert response.status_code == 200
    assert response.context["form"].errors["scope"] == [
        "Đã có đợt “Kiểm điểm năm 2026” (Hằng năm, kết quả từ 01/01/2026 đến 31/12/2026) ở Đảng bộ phường Bến "
        "Thành, trùng phạm vi và thời gian với đợt định mở: đảng viên sẽ bị kiểm điểm hai lần. Hãy chọn phạm vi "
        "hoặc thời gian khác."
    ]
    assert ReviewPeriod.objects.count() == 1


# --- Closing a period -----------------------------------------------------------------------------------------


def close_url(period: ReviewPeriod) -> str:
    return reverse("reviews:period_close", args=[period.pk])


# The page's own reads after the common ones (session, user, grants): the period, the open reviews by cell.
PERIOD_CLOSE_QUERIES = 5 + 2


def other_ward_period(cast) -> tuple[ReviewPeriod, User]:
    board = typing.cast(
        User,
        RoleAssignmentFactory(
            user=UserFactory(username="other_board"), role=Role.ORG_BOARD_STAFF, organisation=cast.other_ward
        ).user,
    )
    cell = make_organisation("Chi bộ Khu phố 3", OrganisationKind.SUBORDINATE_CELL, cast.other_ward)
    make_member(cell, full_name="Đoàn Văn Sáu")
    return open_period(cast.other_ward, board), board


def test_the_close_page_lists_what_is_still_open_by_cell_with_links(cast):
    review = proposed(cast, member_review(cast))
    response = client_for(cast.org_board).get(close_url(review.period))
    assert response.status_code == 200
    text = response.text
    # Alice proposed; Bình in cell 1A, Cường, Dung and Em in cell 1B, Dung and Em in the committee: drafting.
    assert "Còn 7 bản kiểm điểm chưa có kết quả." in text
    assert "<li>Đang viết bản kiểm điểm: 6</li>" in text
    assert "<li>Chi bộ đã đề xuất: 1</li>" in text
    rows = {
        row.cell.name: (row.cell.total, [(count.label, count.number) for count in row.counts])
        for row in response.context["cells"]
    }
    assert rows == {
        "Chi bộ Khu phố 1A": (2, [("Đang viết bản kiểm điểm", 1), ("Chi bộ đã đề xuất", 1)]),
        "Chi bộ Khu phố 1B": (3, [("Đang viết bản kiểm điểm", 3)]),
        "Đảng bộ Khu phố 1": (2, [("Đang viết bản kiểm điểm", 2)]),
    }
    assert reverse("reviews:cell_reviews", args=[review.period.pk, cast.cell_a.pk]) in text
    assert 'name="confirm"' in text


def test_closing_needs_the_confirmation_and_every_result(cast):
    review = proposed(cast, member_review(cast))
    client = client_for(cast.org_board)
    unconfirmed = client.post(close_url(review.period), {})
    assert unconfirmed.status_code == 200
    assert unconfirmed.context["form"].errors["confirm"] == ["Hãy đánh dấu xác nhận để kết thúc đợt kiểm điểm."]
    refused = client.post(close_url(review.period), {"confirm": "on"})
    assert refused.status_code == 200
    assert refused.context["form"].non_field_errors() == ["Còn 7 bản kiểm điểm chưa có kết quả; chưa đóng đợt được."]
    review.period.refresh_from_db()
    assert review.period.state == PeriodState.OPEN
    assert not AuditEvent.objects.filter(action="review.period_close").exists()


def test_a_period_whose_reviews_all_ended_is_closed_and_offers_no_close_link_any_more(cast):
    Membership.objects.update(status=MembershipStatus.EXEMPT)
    period = open_period(cast.ward, cast.org_board)
    client = client_for(cast.org_board)
    assert close_url(period) in client.get(period_url(period)).text
    page = client.get(close_url(period)).text
    assert "Mọi bản kiểm điểm đã có kết quả hoặc thuộc diện không đánh giá, xếp loại." in page

    response = client.post(close_url(period), {"confirm": "on"}, follow=True)

    assert response.redirect_chain[-1][0] == period_url(period)
    assert "Đã kết thúc đợt “Kiểm điểm, đánh giá, xếp loại năm 2026”." in response.text
    assert close_url(period) not in response.text
    period.refresh_from_db()
    assert period.state == PeriodState.CLOSED
    assert AuditEvent.objects.filter(action="review.period_close").count() == 1
    again = client.post(close_url(period), {"confirm": "on"})
    assert again.context["form"].non_field_errors() == ["Đợt kiểm điểm này đã kết thúc."]


@pytest.mark.parametrize("method", ["get", "post"])
def test_only_those_who_may_open_a_period_over_its_scope_reach_its_close_page(cast, method):
    Membership.objects.update(status=MembershipStatus.EXEMPT)
    period = open_period(cast.ward, cast.org_board)
    other, other_board = other_ward_period(cast)
    for user in (other_board, cast.member.user, cast.secretary.user, cast.committee_staff.user, cast.head.user):
        response = getattr(client_for(user), method)(close_url(period), {"confirm": "on"})
        assert response.status_code == 404, user
        assert close_url(period) not in client_for(user).get(period_url(period)).text
    assert getattr(client_for(cast.org_board), method)(close_url(other), {"confirm": "on"}).status_code == 404
    period.refresh_from_db()
    other.refresh_from_db()
    assert period.state == other.state == PeriodState.OPEN
    # Each ward's staff closes its own.
    assert client_for(other_board).get(close_url(other)).status_code == 200


def test_the_close_page_costs_the_same_queries_for_one_cell_or_many(cast, django_assert_num_queries):
    one = open_period(cast.cell_a, cast.org_board, kind=PeriodKind.MID_TERM)
    client = client_for(cast.org_board)
    assert page_queries(client, close_url(one)) == PERIOD_CLOSE_QUERIES
    for number in range(5):
        cell = make_organisation(
            f"Chi bộ Khu phố 1{'CDEFG'[number]}", OrganisationKind.SUBORDINATE_CELL, cast.grassroots
        )
        make_member(cell, full_name=f"Đảng viên chi bộ {number}")
    many = open_period(cast.ward, cast.org_board)
    with django_assert_num_queries(PERIOD_CLOSE_QUERIES):
        response = client.get(close_url(many))
    assert len(response.context["cells"]) == 8


# --- One review -----------------------------------------------------------------------------------------------


@pytest.fixture
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def add_evidence(cast, review: Review) -> None:
    owner = review.cadre.user
    assert owner is not None
    for assessment in review.assessments.select_related("commitment"):
        progress_report(
            commitment=assessment.commitment,
            status=ProgressStatus.ON_TRACK,
            files=[SimpleUploadedFile("bao-cao.pdf", PDF_BYTES, content_type="application/pdf")],
            links=["https://example.vn/bao-cao"],
            acting_user=owner,
        )


@pytest.mark.parametrize("who", ["member", "secretary", "committee_staff", "head", "org_board"])
def test_review_page_shows_the_review_to_each_reader(cast, who):
    review = final(cast, member_review(cast))
    user = cast.org_board if who == "org_board" else getattr(cast, who).user
    response = client_for(user).get(detail_url(review))
    assert response.status_code == 200
    text = response.text
    assert (
        missing_from(
            text,
            cast.member.full_name,
            services.section_title("strengths"),
            "Giữ vững lập trường chính trị",
            "Giải quyết đúng hạn 100% hồ sơ hành chính",
            "4 tán thành, 0 không tán thành, 0 không biểu quyết",
            "Đủ quá nửa: có",
            "Hoàn thành đúng hạn các nội dung cam kết, có minh chứng.",
            "Người đứng đầu xác nhận kết quả",
        )
        == []
    )


def test_review_page_links_evidence_and_shows_history(cast, private_media):
    review = member_review(cast)
    add_evidence(cast, review)
    final(cast, review)
    text = client_for(cast.head.user).get(detail_url(review)).text
    evidence = review.assessments.order_by("position")[0].commitment.evidence.exclude(file="")[0]
    assert reverse("programmes:evidence_download", args=[evidence.pk]) in text
    assert "https://example.vn/bao-cao" in text
    for label in ("Nộp bản kiểm điểm", "Chi bộ đề xuất mức xếp loại", "Cấp ủy quyết định xếp loại"):
        assert label in text
    assert "Ghi cuộc họp kiểm điểm của chi bộ" in text
    assert cast.committee_staff.full_name in text


def test_review_page_offers_each_role_its_next_step(cast):
    review = member_review(cast)
    member, secretary = client_for(cast.member.user), client_for(cast.secretary.user)
    staff, head = client_for(cast.committee_staff.user), client_for(cast.head.user)
    assert reverse("reviews:self_review_edit", args=[review.pk]) in member.get(detail_url(review)).text

    write_and_submit(review)
    assert reverse("reviews:proposal_record", args=[review.pk]) in secretary.get(detail_url(review)).text
    assert reverse("reviews:proposal_record", args=[review.pk]) not in member.get(detail_url(review)).text

    propose(review, cast.secretary.user)
    text = staff.get(detail_url(review)).text
    assert reverse("reviews:decision_make", args=[review.pk]) in text
    assert reverse("reviews:decision_return", args=[review.pk]) in text
    assert reverse("reviews:decision_make", args=[review.pk]) not in secretary.get(detail_url(review)).text

    services.decision_make(review=review, level=RatingLevel.GOOD, acting_user=cast.committee_staff.user)
    assert reverse("reviews:decision_confirm", args=[review.pk]) in head.get(detail_url(review)).text
    assert reverse("reviews:decision_confirm", args=[review.pk]) not in staff.get(detail_url(review)).text

    services.decision_confirm(
        decision=review.decisions.get(),
        grounds="Đủ căn cứ.",
        assessment_ids=[review.assessments.order_by("position")[0].pk],
        acting_user=cast.head.user,
    )
    assert reverse("reviews:appeal_file", args=[review.pk]) in member.get(detail_url(review)).text
    assert reverse("reviews:review_reclassify", args=[review.pk]) not in staff.get(detail_url(review)).text

    appeal = services.appeal_file(review=review, text="Xin xem xét lại.", acting_user=cast.member.user)
    ward = client_for(ward_committee_member(cast))
    assert reverse("reviews:appeal_resolve", args=[appeal.pk]) in ward.get(detail_url(review)).text
    assert reverse("reviews:appeal_resolve", args=[appeal.pk]) not in head.get(detail_url(review)).text
    assert reverse("reviews:appeal_resolve", args=[appeal.pk]) not in member.get(detail_url(review)).text


def test_superior_committee_is_offered_reclassification(cast):
    review = final(cast, member_review(cast))
    # The ward's organisation-board staff do not decide ratings; a ward committee member does.
    ward_member = make_member(cast.cell_b, "ward_member", full_name="Đặng Văn Phường")
    PositionFactory(cadre=ward_member, organisation=cast.ward, party_post=PartyPost.COMMITTEE_MEMBER)
    text = client_for(ward_member.user).get(detail_url(review)).text
    assert reverse("reviews:review_reclassify", args=[review.pk]) in text


def test_review_page_query_count_does_not_grow_with_commitments(cast, private_media, django_assert_num_queries):
    other = make_member(cast.cell_a, "member5", full_name="Ngô Thị Năm")
    make_confirmed(cast.member, cast.secretary.user, weights=(100,))
    make_confirmed(other, cast.secretary.user, weights=(20, 20, 20, 20, 20))
    period = open_period(cast.ward, cast.org_board)
    one = Review.objects.get(period=period, cadre=cast.member)
    five = Review.objects.get(period=period, cadre=other)
    assert (one.assessments.count(), five.assessments.count()) == (1, 5)
    for review in (one, five):
        add_evidence(cast, review)
        final(cast, review)
        services.prompt_add(review=review, text="Làm rõ việc chậm hồ sơ.", acting_user=cast.head.user)
    client = client_for(cast.head.user)
    small = page_queries(client, detail_url(one))
    assert small == REVIEW_DETAIL_QUERIES
    with django_assert_num_queries(small):
        response = client.get(detail_url(five))
    assert len(response.context["assessments"]) == 5


def test_period_detail_keeps_the_quota_from_members_and_secretaries(cast):
    review = decided(cast, member_review(cast))
    for user in (cast.member.user, cast.secretary.user):
        response = client_for(user).get(period_url(review.period))
        assert response.context["quotas"] == []
        assert "xuất sắc /" not in response.text
    assert client_for(cast.committee_staff.user).get(period_url(review.period)).context["quotas"]


JUSTIFICATION = "Đồng chí có sáng kiến cải cách hành chính được Ủy ban nhân dân phường công nhận."


def test_period_detail_lists_each_excellent_beyond_the_quota_with_its_justification(cast):
    review = member_review(cast)
    write_and_submit(review, general=28, task=65, level=RatingLevel.EXCELLENT, verdict=Verdict.EXCEEDED)
    propose(review, cast.secretary.user, level=RatingLevel.EXCELLENT, general=28, task=65, verdict=Verdict.EXCEEDED)
    services.decision_make(
        review=review,
        level=RatingLevel.EXCELLENT,
        quota_override=JUSTIFICATION,
        acting_user=cast.committee_staff.user,
    )
    for user in (cast.org_board, cast.committee_staff.user):
        text = client_for(user).get(period_url(review.period)).text
        assert (
            missing_from(
                text,
                "Xuất sắc vượt tỷ lệ có giải trình: Đảng bộ Khu phố 1",
                f'<a href="{detail_url(review)}">Trần Thị Ánh</a> <span class="small text-body-secondary">',
                JUSTIFICATION,
                "1 xuất sắc / 0 tốt — tối đa 0: vượt tỷ lệ",
            )
            == []
        )
    for user in (cast.member.user, cast.secretary.user):
        assert JUSTIFICATION not in client_for(user).get(period_url(review.period)).text


def test_secretary_of_a_subordinate_cell_has_no_confirmation_list(cast):
    member_review(cast, programme=False)
    text = client_for(cast.secretary.user).get(WORK_LIST).text
    assert "Chờ người đứng đầu xác nhận" not in text
    assert "Chờ người đứng đầu xác nhận" in client_for(cast.head.user).get(WORK_LIST).text


@pytest.mark.parametrize("who", ["member", "secretary", "committee_staff", "head", "org_board"])
def test_every_reader_sees_the_member_review_in_the_period_pages(cast, who):
    review = proposed(cast, member_review(cast))
    user = cast.org_board if who == "org_board" else getattr(cast, who).user
    client = client_for(user)
    for url in (WORK_LIST, PERIOD_LIST, period_url(review.period)):
        assert client.get(url).status_code == 200, url
    assert review.period.title in client.get(PERIOD_LIST).text
    assert detail_url(review) in client.get(period_url(review.period)).text
