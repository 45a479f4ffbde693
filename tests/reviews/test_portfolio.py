"""A cadre's portfolio ("Quá trình thực hiện và kết quả kiểm điểm"): their programmes and reviews over time, newest
first, each row only for readers the access modules let see it; 404 for whoever may not see the cadre."""

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes.models import ActionProgramme, ProgressStatus, PublicityLevel, Role
from reviews.models import Review, ReviewPeriod
from tests.factories import RoleAssignmentFactory, UserFactory, _copy, client_for, copy_programme, make_member
from tests.pages import missing_from, queries_of
from tests.programmes.programme_data import make_draft
from tests.reviews.review_data import final_review

DRAFT_TITLE = "Chương trình hành động năm 2027 (bản nháp)"


@pytest.fixture
def portfolio(cast: Any) -> Review:
    """The member's confirmed programme (one of two commitments finished) and its final review (Good), and a draft."""
    review = final_review(cast)
    programme = ActionProgramme.objects.get(owner=cast.member, state="confirmed")
    programme.commitments.filter(pk=programme.commitments.order_by("pk")[0].pk).update(status=ProgressStatus.DONE)
    make_draft(cast.member, title=DRAFT_TITLE)
    return review


def _url(cast: Any) -> str:
    return reverse("reviews:cadre_portfolio", args=[cast.member.pk])


def test_the_cadre_sees_every_programme_and_review_of_their_own_newest_first(cast, portfolio):
    page = client_for(cast.member.user).get(_url(cast)).content.decode()
    assert (
        missing_from(
            page,
            "Quá trình thực hiện và kết quả kiểm điểm: đồng chí Trần Thị Ánh",
            DRAFT_TITLE,
            "Chương trình hành động nhiệm kỳ 2026",
            "Nhận nhiệm vụ mới",
            "01/01/2026 – 31/12/2026",
            "1/2 nội dung",
            "0/2 nội dung",
            "Kiểm điểm, đánh giá, xếp loại năm 2026",
            "Chi bộ Khu phố 1A",
            "Hoàn thành tốt nhiệm vụ",
            "Đã có kết quả",
        )
        == []
    )


def test_staff_of_the_ward_see_the_review_and_the_published_programme_but_not_the_draft(cast, portfolio):
    ActionProgramme.objects.filter(owner=cast.member, state="confirmed").update(
        publicity_level=PublicityLevel.COMMITTEE
    )
    page = client_for(cast.org_board).get(_url(cast)).content.decode()
    assert "Hoàn thành tốt nhiệm vụ" in page and "Chương trình hành động nhiệm kỳ 2026" in page
    assert DRAFT_TITLE not in page


def test_a_cell_member_sees_what_the_programme_rules_let_them_and_no_review(cast, portfolio):
    colleague = make_member(cast.cell_a, "dongchi", full_name="Đinh Thị Lan")
    ActionProgramme.objects.filter(owner=cast.member, state="confirmed").update(publicity_level=PublicityLevel.CELL)
    page = client_for(colleague.user).get(_url(cast)).content.decode()
    assert "Chương trình hành động nhiệm kỳ 2026" in page
    assert DRAFT_TITLE not in page
    assert "Hoàn thành tốt nhiệm vụ" not in page
    assert "Không có bản kiểm điểm nào đồng chí được xem." in page
    assert "1/2 nội dung" in page
    # A commitment its owner keeps to her chain is not counted for the colleague; her secretary still counts it.
    programme = ActionProgramme.objects.get(owner=cast.member, state="confirmed")
    programme.commitments.exclude(status=ProgressStatus.DONE).update(publicity_cap=PublicityLevel.PRIVATE)
    assert "1/1 nội dung" in client_for(colleague.user).get(_url(cast)).content.decode()
    assert "1/2 nội dung" in client_for(cast.secretary.user).get(_url(cast)).content.decode()
    # Kept to the owner's chain, the programme leaves the colleague's list too.
    ActionProgramme.objects.filter(owner=cast.member, state="confirmed").update(publicity_level=PublicityLevel.PRIVATE)
    page = client_for(colleague.user).get(_url(cast)).content.decode()
    assert "Không có chương trình hành động nào đồng chí được xem." in page


def test_whoever_may_not_see_the_cadre_gets_404(cast, portfolio):
    other_staff = RoleAssignmentFactory(
        user=UserFactory(username="org_board_b"), role=Role.ORG_BOARD_STAFF, organisation=cast.other_ward
    ).user
    assert client_for(other_staff).get(_url(cast)).status_code == 404
    assert client_for(cast.outsider.user).get(_url(cast)).status_code == 404
    assert client_for(cast.org_board).get(reverse("reviews:cadre_portfolio", args=[999999])).status_code == 404
    assert client_for(None).get(_url(cast)).status_code == 302


def test_the_page_is_linked_from_the_cadre_the_programme_page_and_the_own_dashboard(cast, portfolio):
    url = _url(cast)
    cadre_page = client_for(cast.org_board).get(reverse("programmes:cadre_detail", args=[cast.member.pk]))
    assert url in cadre_page.content.decode()
    assert url in client_for(cast.member.user).get(reverse("programmes:dashboard")).content.decode()
    programme = ActionProgramme.objects.get(owner=cast.member, state="confirmed")
    detail = reverse("programmes:programme_detail", args=[programme.pk])
    assert url in client_for(cast.secretary.user).get(detail).content.decode()
    # The ward's overseer reads the published programme but not the member's record: the name is not a link.
    ActionProgramme.objects.filter(pk=programme.pk).update(
        publicity_level=PublicityLevel.OVERSIGHT, publication_consent_at=timezone.now()
    )
    overseer_page = client_for(cast.overseer).get(detail)
    assert overseer_page.status_code == 200
    assert url not in overseer_page.content.decode()


def _more(cast: Any, review: Review, *, programmes: int, reviews: int) -> None:
    """More programmes and reviews of the member, written in bulk (each review in a period of its own)."""
    template = ActionProgramme.objects.filter(owner=cast.member, state="confirmed").earliest("pk")
    copy_programme(template, [cast.member] * programmes)
    period = review.period
    periods = ReviewPeriod.objects.bulk_create(
        _copy(
            period,
            title=f"Kiểm điểm năm {2000 + year}",
            covers_from=datetime.date(2000 + year, 1, 1),
            covers_to=datetime.date(2000 + year, 12, 31),
        )
        for year in range(ReviewPeriod.objects.count(), ReviewPeriod.objects.count() + reviews)
    )
    Review.objects.bulk_create(_copy(review, period=other) for other in periods)


def _publish_to_committee(cast: Any) -> None:
    confirmed = ActionProgramme.objects.filter(owner=cast.member, state="confirmed")
    confirmed.update(publicity_level=PublicityLevel.COMMITTEE)


@pytest.mark.parametrize("reader", ["member", "org_board"])
def test_the_query_count_is_the_same_for_3_and_for_10_programmes_and_reviews(cast, portfolio, reader):
    client = client_for(cast.member.user if reader == "member" else cast.org_board)
    _more(cast, portfolio, programmes=1, reviews=2)  # 3 programmes (the draft among them), 3 reviews
    _publish_to_committee(cast)
    few, answer = queries_of(lambda: client.get(_url(cast)))
    assert answer.status_code == 200
    _more(cast, portfolio, programmes=7, reviews=7)  # 10 and 10
    _publish_to_committee(cast)
    many, answer = queries_of(lambda: client.get(_url(cast)))
    page = answer.content.decode()
    assert page.count("Kiểm điểm năm 20") == 9
    # The member reads the draft too; the ward's staff only the confirmed ones.
    assert page.count("Chương trình hành động nhiệm kỳ 2026") == 9
    assert (DRAFT_TITLE in page) == (reader == "member")
    assert many == few
