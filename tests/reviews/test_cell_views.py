"""The cell's pages: its reviews in a period, the meeting, the proposal and the minutes download."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from programmes.models import PartyPost
from reviews.models import CellMeeting, RatingLevel, Review, ReviewState, Verdict
from tests.factories import PositionFactory, client_for, make_member
from tests.programmes.programme_data import make_confirmed
from tests.reviews.review_data import meeting, open_period, proposal_post, propose, write_and_submit

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def cell_url(period, place) -> str:
    return reverse("reviews:cell_reviews", args=[period.pk, place.pk])


def meeting_url(period, place) -> str:
    return reverse("reviews:meeting_record", args=[period.pk, place.pk])


def proposal_url(review) -> str:
    return reverse("reviews:proposal_record", args=[review.pk])


def review_of(period, cadre) -> Review:
    return Review.objects.get(period=period, cadre=cadre)


@pytest.fixture
def period(cast):
    make_confirmed(cast.member, cast.secretary.user)
    return open_period(cast.ward, cast.org_board)


def meeting_post(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "held_on": timezone.localdate().isoformat(),
        "members_total": "5",
        "members_present": "4",
        "chaired_by": "Lê Văn Bình",
        "minutes": "Chi bộ họp kiểm điểm cuối năm, góp ý từng bản kiểm điểm.",
    }
    data.update(overrides)
    return data


# --- The meeting ---------------------------------------------------------------------------------------------


def test_meeting_form_prefills_the_cells_active_members(cast, period):
    page = client_for(cast.secretary.user).get(meeting_url(period, cast.cell_a)).text
    # Alice and Bình are the cell's members.
    assert 'name="members_total" value="2"' in page
    assert "cần ít nhất 2 đồng chí dự họp" in page


def test_secretary_records_a_meeting_with_quorum_and_sees_it(cast, period):
    client = client_for(cast.secretary.user)
    response = client.post(meeting_url(period, cast.cell_a), meeting_post(), follow=True)
    assert response.redirect_chain[-1][0] == cell_url(period, cast.cell_a)
    page = response.text
    assert "4/5 đảng viên dự — đủ quá nửa" in page
    assert "Đã ghi cuộc họp ngày" in page
    recorded = CellMeeting.objects.get(period=period, cell=cast.cell_a)
    assert recorded.has_quorum
    assert recorded.recorded_by == cast.secretary.user


def test_a_meeting_without_quorum_is_recorded_with_a_warning(cast, period):
    response = client_for(cast.secretary.user).post(
        meeting_url(period, cast.cell_a), meeting_post(members_present="2"), follow=True
    )
    page = response.text
    assert "2/5 đảng viên dự — chưa đủ quá nửa" in page
    assert "không đủ điều kiện để đề xuất xếp loại" in page
    assert not CellMeeting.objects.get(period=period).has_quorum


def test_the_quorum_hint_answers_htmx_before_saving(cast, period):
    client = client_for(cast.secretary.user)
    address = meeting_url(period, cast.cell_a)
    short = client.get(address, {"members_total": "5", "members_present": "2"}, HTTP_HX_REQUEST="true")
    assert "2/5 đảng viên dự — chưa đủ quá nửa" in short.text
    assert "<html" not in short.text
    enough = client.get(address, {"members_total": "5", "members_present": "3"}, HTTP_HX_REQUEST="true")
    assert "3/5 đảng viên dự — đủ quá nửa" in enough.text
    assert not CellMeeting.objects.exists()


def test_meeting_form_shows_errors_at_the_fields(cast, period):
    response = client_for(cast.secretary.user).post(
        meeting_url(period, cast.cell_a), meeting_post(members_present="6", minutes="")
    )
    assert response.status_code == 200
    assert "Số dự họp không thể lớn hơn tổng số đảng viên." in response.text
    assert "Hãy viết biên bản hoặc tải tệp biên bản lên." in response.text
    assert not CellMeeting.objects.exists()


# --- The proposal --------------------------------------------------------------------------------------------


def test_secretary_records_the_proposal_for_a_submitted_review(cast, period):
    review = write_and_submit(review_of(period, cast.member))
    client = client_for(cast.secretary.user)
    client.post(meeting_url(period, cast.cell_a), meeting_post())
    recorded = CellMeeting.objects.get()

    cell_page = client.get(cell_url(period, cast.cell_a)).text
    assert proposal_url(review) in cell_page
    assert "Ghi đề xuất" in cell_page

    form_page = client.get(proposal_url(review)).text
    assert "4/5 đảng viên dự — đủ quá nửa" in form_page
    assert "Hoàn thành tốt nhiệm vụ" in form_page
    assert 'name="general_points" value="27"' in form_page
    assert "<details" in form_page
    assert "Giữ vững lập trường chính trị" in form_page

    response = client.post(proposal_url(review), proposal_post(review, recorded.pk), follow=True)
    assert response.redirect_chain[-1][0] == cell_url(period, cast.cell_a)
    assert "Đã ghi đề xuất của chi bộ" in response.text
    review.refresh_from_db()
    assert review.state == ReviewState.CELL_PROPOSED
    assert review.proposal.level == RatingLevel.GOOD
    assert review.proposal.recorded_by == cast.secretary.user
    assert set(review.assessments.values_list("cell_verdict", flat=True)) == {Verdict.DONE}


def test_under_a_rule_set_without_points_the_proposal_has_no_points(cast):
    make_confirmed(cast.member, cast.secretary.user)
    period = open_period(cast.ward, cast.org_board, rule_code="124-2023")
    review = write_and_submit(review_of(period, cast.member), general=None, task=None)
    held = meeting(review, cast.secretary.user)
    client = client_for(cast.secretary.user)
    assert 'name="general_points"' not in client.get(proposal_url(review)).text
    data = proposal_post(review, held.pk)
    del data["general_points"], data["task_points"]
    assert client.post(proposal_url(review), data).status_code == 302
    review.refresh_from_db()
    assert review.state == ReviewState.CELL_PROPOSED
    assert review.proposal.general_points is None


def test_a_meeting_without_quorum_refuses_the_proposal(cast, period):
    review = write_and_submit(review_of(period, cast.member))
    short = meeting(review, cast.secretary.user, total=5, present=2)
    response = client_for(cast.secretary.user).post(proposal_url(review), proposal_post(review, short.pk))
    assert response.status_code == 200
    assert "Cuộc họp chưa đủ quá nửa số đảng viên dự" in response.text
    review.refresh_from_db()
    assert review.state == ReviewState.SELF_SUBMITTED


def test_blocking_rule_conflicts_are_shown_and_nothing_is_saved(cast, period):
    review = write_and_submit(review_of(period, cast.member))
    held = meeting(review, cast.secretary.user)
    data = proposal_post(review, held.pk, level=RatingLevel.EXCELLENT)
    response = client_for(cast.secretary.user).post(proposal_url(review), data)
    assert response.status_code == 200
    assert "Tổng 87 điểm chỉ đạt mức" in response.text
    review.refresh_from_db()
    assert review.state == ReviewState.SELF_SUBMITTED
    assert set(review.assessments.values_list("cell_verdict", flat=True)) == {""}


def test_without_a_meeting_the_form_links_to_recording_one(cast, period):
    review = write_and_submit(review_of(period, cast.member))
    page = client_for(cast.secretary.user).get(proposal_url(review)).text
    assert meeting_url(period, cast.cell_a) in page
    assert "Chưa ghi cuộc họp kiểm điểm nào" in page


def test_a_review_not_yet_submitted_cannot_be_proposed(cast, period):
    review = review_of(period, cast.member)
    response = client_for(cast.secretary.user).get(proposal_url(review), follow=True)
    assert response.redirect_chain[-1][0] == cell_url(period, cast.cell_a)
    assert "Đang viết bản kiểm điểm" in response.text


def test_the_secretary_cannot_propose_for_their_own_review_but_a_deputy_can(cast):
    deputy = make_member(cast.cell_a, "deputy", full_name="Đỗ Thị Phó")
    PositionFactory(cadre=deputy, organisation=cast.cell_a, party_post=PartyPost.DEPUTY_SECRETARY)
    make_confirmed(cast.member, cast.secretary.user)
    period = open_period(cast.ward, cast.org_board)
    own = write_and_submit(review_of(period, cast.secretary))

    refused = client_for(cast.secretary.user).get(proposal_url(own))
    assert refused.status_code == 403
    assert "Bí thư không tự ghi đề xuất cho bản kiểm điểm của chính mình; phó bí thư ghi thay." in refused.text
    posted = client_for(cast.secretary.user).post(proposal_url(own), {})
    assert posted.status_code == 403

    assert deputy.user is not None
    held = meeting(own, deputy.user)
    deputy_client = client_for(deputy.user)
    assert proposal_url(own) in deputy_client.get(cell_url(period, cast.cell_a)).text
    response = deputy_client.post(proposal_url(own), proposal_post(own, held.pk))
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.state == ReviewState.CELL_PROPOSED
    assert own.proposal.recorded_by == deputy.user


def test_the_member_cannot_propose_for_their_own_review(cast, period):
    review = write_and_submit(review_of(period, cast.member))
    response = client_for(cast.member.user).get(proposal_url(review))
    assert response.status_code == 403
    assert "Chỉ bí thư, phó bí thư chi bộ ghi đề xuất." in response.text


def test_committee_returned_proposal_shows_the_reason_and_starts_from_the_cells_answers(cast, period):
    from reviews import services

    review = write_and_submit(review_of(period, cast.member))
    propose(review, cast.secretary.user)
    services.decision_return(review=review, reason="Chưa ghi rõ kết quả biểu quyết.", acting_user=cast.head.user)
    page = client_for(cast.secretary.user).get(proposal_url(review)).text
    assert "Chưa ghi rõ kết quả biểu quyết." in page
    assert 'name="votes_for" value="4"' in page


def test_quota_warning_when_proposals_exceed_a_fifth_of_good(cast):
    others = [make_member(cast.cell_a, f"member{number}", full_name=f"Nguyễn Thị Số {number}") for number in (2, 3)]
    make_confirmed(cast.member, cast.secretary.user)
    period = open_period(cast.ward, cast.org_board)
    for cadre in others:
        propose(write_and_submit(review_of(period, cadre)), cast.secretary.user)
    excellent = write_and_submit(
        review_of(period, cast.member), general=30, task=65, level=RatingLevel.EXCELLENT, verdict=Verdict.EXCEEDED
    )
    held = meeting(excellent, cast.secretary.user)
    data = proposal_post(
        excellent,
        held.pk,
        verdict=Verdict.EXCEEDED,
        general_points="30",
        task_points="65",
        level=RatingLevel.EXCELLENT,
    )
    response = client_for(cast.secretary.user).post(proposal_url(excellent), data, follow=True)
    page = response.text
    excellent.refresh_from_db()
    # A warning, not a block: the proposal is recorded.
    assert excellent.state == ReviewState.CELL_PROPOSED
    assert "vượt tỷ lệ cho phép" in page
    assert "Đề xuất hiện có 1 xuất sắc trên 2 tốt: vượt tỷ lệ 20% (tối đa 0)." in page


# --- Who sees what -------------------------------------------------------------------------------------------


def test_the_committee_reads_the_cell_page_but_does_not_record(cast, period):
    write_and_submit(review_of(period, cast.member))
    client = client_for(cast.committee_staff.user)
    page = client.get(cell_url(period, cast.cell_a)).text
    assert "Trần Thị Ánh" in page
    assert meeting_url(period, cast.cell_a) not in page
    assert client.get(meeting_url(period, cast.cell_a)).status_code == 403
    assert client.get(proposal_url(review_of(period, cast.member))).status_code == 403


def test_a_member_sees_only_their_own_review_on_the_cell_page(cast, period):
    page = client_for(cast.member.user).get(cell_url(period, cast.cell_a)).text
    assert "Trần Thị Ánh" in page
    assert "Lê Văn Bình" not in page.split('id="reviews-heading"')[1].split('id="meetings-heading"')[0]


@pytest.mark.parametrize("persona", ["outsider", "overseer"])
def test_outsiders_and_overseers_get_404_on_every_page(cast, period, persona, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    user = cast.overseer if persona == "overseer" else cast.outsider.user
    review = write_and_submit(review_of(period, cast.member))
    held = meeting(review, cast.secretary.user)
    client = client_for(user)
    for address in (
        cell_url(period, cast.cell_a),
        meeting_url(period, cast.cell_a),
        proposal_url(review),
        reverse("reviews:minutes_download", args=[held.pk]),
    ):
        assert client.get(address).status_code == 404, address
    assert client.post(meeting_url(period, cast.cell_a), meeting_post()).status_code == 404
    assert client.post(proposal_url(review), proposal_post(review, held.pk)).status_code == 404
    assert CellMeeting.objects.count() == 1


def test_the_outsiders_own_cell_page_exists_but_not_a_place_outside_the_period(cast, period):
    outsider = client_for(cast.outsider.user)
    assert outsider.get(cell_url(period, cast.cell_b)).status_code == 200
    assert client_for(cast.org_board).get(cell_url(period, cast.other_ward)).status_code == 404


def test_anonymous_is_sent_to_login(cast, period):
    review = review_of(period, cast.member)
    client = client_for(None)
    for address in (
        cell_url(period, cast.cell_a),
        meeting_url(period, cast.cell_a),
        proposal_url(review),
        reverse("reviews:minutes_download", args=[1]),
    ):
        response = client.get(address)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


# --- The minutes file ----------------------------------------------------------------------------------------


def test_minutes_file_is_downloaded_by_those_who_may_see_the_cell(cast, period, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    upload = SimpleUploadedFile("Biên bản họp.pdf", PDF_BYTES, content_type="application/pdf")
    client = client_for(cast.secretary.user)
    client.post(meeting_url(period, cast.cell_a), meeting_post(minutes="", minutes_file=upload))
    recorded = CellMeeting.objects.get()
    assert recorded.minutes_sha256
    address = reverse("reviews:minutes_download", args=[recorded.pk])
    assert address in client.get(cell_url(period, cast.cell_a)).text

    response = client.get(address)
    assert response.status_code == 200
    assert response.getvalue() == PDF_BYTES
    assert response["Content-Disposition"] == f'attachment; filename="bien-ban-{recorded.pk}.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Cache-Control"] == "private"
    response.close()
    # The committee reads the cell's reviews; the member reads her own review of that cell.
    for reader in (cast.committee_staff.user, cast.member.user):
        allowed = client_for(reader).get(address)
        assert allowed.status_code == 200
        allowed.close()
    assert client_for(cast.outsider.user).get(address).status_code == 404


def test_a_meeting_without_a_file_has_nothing_to_download(cast, period):
    review = review_of(period, cast.member)
    held = meeting(review, cast.secretary.user)
    assert client_for(cast.secretary.user).get(reverse("reviews:minutes_download", args=[held.pk])).status_code == 404


def test_a_wrong_minutes_file_is_refused_at_the_field(cast, period, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    upload = SimpleUploadedFile("bien-ban.pdf", b"not a pdf at all", content_type="application/pdf")
    response = client_for(cast.secretary.user).post(
        meeting_url(period, cast.cell_a), meeting_post(minutes="", minutes_file=upload)
    )
    assert response.status_code == 200
    assert "không thuộc loại được nhận" in response.text
    assert "Hãy viết biên bản hoặc tải tệp biên bản lên." not in response.text
    assert not CellMeeting.objects.exists()


# --- Query count ---------------------------------------------------------------------------------------------


# Session, user, the period, the place, grants (cadre, membership, posts, roles), the reviews with their
# proposals, the meetings and their named attendance, the proposals of the deciding body for the quota, and the
# header's counts.
CELL_PAGE_QUERIES = 13


@pytest.mark.parametrize("count", [1, 5])
def test_the_cell_page_costs_the_same_queries_for_1_and_5_reviews(cast, count, django_assert_num_queries):
    others = [make_member(cast.cell_a, f"member{number}") for number in range(count - 1)]
    make_confirmed(cast.member, cast.secretary.user)
    period = open_period(cast.ward, cast.org_board)
    for cadre in [cast.member, *others]:
        review = write_and_submit(review_of(period, cadre))
        propose(review, cast.secretary.user)
    client = client_for(cast.secretary.user)
    address = cell_url(period, cast.cell_a)
    client.get(address)
    with django_assert_num_queries(CELL_PAGE_QUERIES):
        page = client.get(address).text
    assert page.count("Hoàn thành tốt nhiệm vụ") >= count
    assert page.count(f"{timezone.localdate():%d/%m/%Y}") >= count
