"""The residence comment (Quy định 213-QĐ/TW): asked of the cell where a working member lives when an annual period
opens; answered by that cell's secretary, who sees the request and nothing else of the member, even from another
ward; read in the "Ý kiến nhận xét nơi cư trú" panel by those who read the review; flagged and reminded once
overdue."""

import datetime
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from programmes.models import (
    AuditEvent,
    Cadre,
    Membership,
    MembershipStatus,
    Notification,
    NotificationKind,
    OrganisationKind,
    PartyOrganisation,
    PartyPost,
    ResidenceExemption,
)
from reviews import access, services
from reviews.models import (
    PeriodKind,
    ResidenceComment,
    ResidenceCommentChannel,
    ResidenceCommentState,
    Review,
    ReviewState,
)
from reviews.reminders import review_reminders_send
from reviews.services.residence import residence_requests_notify
from reviews.tasks import notify_period_opened
from tests.factories import PositionFactory, client_for, make_member, make_organisation
from tests.reviews.review_data import open_period, propose, write_and_submit

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
POINTS = {
    "point_policies": "good",
    "point_ethics": "good",
    "point_activities": "limited",
    "point_civic_duties": "good",
}
COMMENT = "Đồng chí gương mẫu, tham gia sinh hoạt tổ dân phố; còn ít dự họp khu phố."


@dataclass
class Residence:
    """Chi bộ Khu phố 2 of the other ward (Sài Gòn), its secretary, and the cast's member living there."""

    cell: PartyOrganisation
    secretary: Cadre


def _residence_of(cadre: Cadre, cell: PartyOrganisation | None, **fields: object) -> None:
    Membership.objects.filter(cadre=cadre, end_date__isnull=True).update(residence_cell=cell, **fields)


@pytest.fixture
def residence(cast) -> Residence:
    grassroots_b = make_organisation("Đảng bộ Khu phố 5", OrganisationKind.GRASSROOTS_COMMITTEE, cast.other_ward)
    cell = make_organisation("Chi bộ Khu phố 2", OrganisationKind.SUBORDINATE_CELL, grassroots_b)
    secretary = make_member(cell, "bithu_kp2", full_name="Tạ Thị Nga")
    PositionFactory(cadre=secretary, organisation=cell, party_post=PartyPost.SECRETARY)
    _residence_of(cast.member, cell)
    return Residence(cell=cell, secretary=secretary)


def _comment_of(cadre: Cadre) -> ResidenceComment:
    return ResidenceComment.objects.select_related("review", "residence_cell").get(review__cadre=cadre)


def test_an_annual_period_asks_the_residence_cell_of_each_working_member_once(cast, residence):
    # The outsider lives under another cell of the same ward; the secretary lives where she works (no request).
    _residence_of(cast.outsider, cast.cell_a)
    _residence_of(cast.secretary, cast.cell_a)
    period = open_period(cast.ward, cast.org_board)

    comments = ResidenceComment.objects.filter(review__period=period)
    assert {(comment.review.cadre, comment.residence_cell) for comment in comments} == {
        (cast.member, residence.cell),
        (cast.outsider, cast.cell_a),
    }
    member_comment = _comment_of(cast.member)
    # At the member's cell, due the period's 10 days before the cell meetings.
    assert member_comment.review.place == cast.cell_a
    assert member_comment.due_on == period.cell_meetings_until - datetime.timedelta(days=10)
    assert member_comment.state == ResidenceCommentState.REQUESTED
    event = AuditEvent.objects.get(action="review.period_open")
    assert event.after is not None and event.after["residence_requests"] == 2


def test_exempt_members_and_members_not_active_get_no_request(cast, residence):
    _residence_of(cast.member, residence.cell, residence_exemption=ResidenceExemption.BARRACKS)
    _residence_of(cast.outsider, residence.cell)
    Membership.objects.filter(cadre=cast.outsider).update(status=MembershipStatus.SUSPENDED)
    _residence_of(
        cast.committee_staff,
        residence.cell,
        residence_exemption=ResidenceExemption.OTHER,
        residence_exemption_reason="Công tác biệt phái ở nước ngoài",
    )
    period = open_period(cast.ward, cast.org_board)

    assert not ResidenceComment.objects.filter(review__period=period).exists()


def test_other_kinds_of_period_ask_nothing(cast, residence):
    period = open_period(cast.ward, cast.org_board, kind=PeriodKind.AD_HOC)
    assert not ResidenceComment.objects.filter(review__period=period).exists()


def test_the_deadline_is_a_setting_of_the_period_never_before_it_opened(cast, residence):
    today = timezone.localdate()
    period = open_period(
        cast.ward,
        cast.org_board,
        self_review_until=today + datetime.timedelta(days=2),
        cell_meetings_until=today + datetime.timedelta(days=5),
        residence_comment_days=30,
    )
    assert _comment_of(cast.member).due_on == today
    assert period.residence_comment_days == 30


def test_residence_secretary_of_another_ward_sees_the_request_and_nothing_else(cast, residence):
    open_period(cast.ward, cast.org_board)
    comment = _comment_of(cast.member)
    review = comment.review
    client = client_for(residence.secretary.user)

    listing = client.get(reverse("reviews:residence_requests"))
    assert listing.status_code == 200
    assert "Trần Thị Ánh" in listing.content.decode()
    # "Việc cần làm" on their own page leads there.
    desk = client.get(reverse("programmes:dashboard")).content.decode()
    assert "Đảng viên cư trú trên địa bàn chờ chi bộ nhận xét" in desk
    assert reverse("reviews:residence_requests") in desk
    assert client.get(reverse("reviews:residence_comment_record", args=[comment.pk])).status_code == 200
    # The review, its pages and the member's programme stay closed.
    for url in (
        reverse("reviews:review_detail", args=[review.pk]),
        reverse("reviews:input_add", args=[review.pk]),
        reverse("reviews:residence_comment_upload", args=[comment.pk]),
        reverse("reviews:cell_reviews", args=[review.period_id, review.cell_id]),
        reverse("programmes:cadre_detail", args=[cast.member.pk]),
    ):
        assert client.get(url).status_code == 404, url
    # The workplace secretary does not answer for the residence cell.
    secretary = client_for(cast.secretary.user)
    assert secretary.get(reverse("reviews:residence_comment_record", args=[comment.pk])).status_code == 404
    assert "Trần Thị Ánh" not in secretary.get(reverse("reviews:residence_requests")).content.decode()


def test_residence_secretary_records_the_comment_and_the_workplace_reads_it(cast, residence):
    period = open_period(cast.ward, cast.org_board)
    comment = _comment_of(cast.member)
    client = client_for(residence.secretary.user)

    response = client.post(
        reverse("reviews:residence_comment_record", args=[comment.pk]),
        {"answer": "comment", "text": COMMENT, **POINTS, "document": SimpleUploadedFile("nx.pdf", PDF)},
    )

    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.state == ResidenceCommentState.COMMENTED
    assert comment.channel == ResidenceCommentChannel.PORTAL
    assert comment.point_activities == "limited"
    assert len(comment.document_sha256) == 64
    assert AuditEvent.objects.filter(action="review.residence_comment", object_id=str(comment.pk)).exists()
    # The workplace secretary is told, and reads it on the review, on the meeting page and downloads the scan.
    assert Notification.objects.filter(recipient=cast.secretary.user, kind=NotificationKind.RESIDENCE_COMMENT).exists()
    secretary = client_for(cast.secretary.user)
    for url in (
        reverse("reviews:review_detail", args=[comment.review_id]),
        reverse("reviews:meeting_record", args=[period.pk, cast.cell_a.pk]),
    ):
        page = secretary.get(url).content.decode()
        assert "Ý kiến nhận xét nơi cư trú" in page and COMMENT in page and "Chi bộ Khu phố 2" in page
    download = secretary.get(reverse("reviews:residence_comment_download", args=[comment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    # The member reads it on their self-review page; a member of cell 1B does not get the file.
    own = client_for(cast.member.user).get(reverse("reviews:self_review_edit", args=[comment.review_id]))
    assert COMMENT in own.content.decode()
    # …and in the copy of their personal data.
    copy = client_for(cast.member.user).get(reverse("programmes:my_data_json")).content.decode("utf-8")
    assert "Chi bộ Khu phố 2" in copy and "tham gia sinh hoạt tổ dân phố" in copy
    outsider = client_for(cast.outsider.user)
    assert outsider.get(reverse("reviews:residence_comment_download", args=[comment.pk])).status_code == 404


def test_the_committee_reads_the_comment_on_its_decision_page(cast, residence):
    open_period(cast.ward, cast.org_board)
    comment = _comment_of(cast.member)
    services.residence_comment_decline(
        comment=comment, reason="Đồng chí mới chuyển đến khu phố.", acting_user=residence.secretary.user
    )
    review = write_and_submit(comment.review)
    propose(review, cast.secretary.user)

    page = client_for(cast.committee_staff.user).get(reverse("reviews:decision_make", args=[review.pk]))

    assert page.status_code == 200
    text = page.content.decode()
    assert "Ý kiến nhận xét nơi cư trú" in text and "Đồng chí mới chuyển đến khu phố." in text


def test_no_comment_needs_a_reason_and_a_comment_needs_its_four_points(cast, residence):
    open_period(cast.ward, cast.org_board)
    comment = _comment_of(cast.member)
    user = residence.secretary.user
    with pytest.raises(ValidationError):
        services.residence_comment_decline(comment=comment, reason=" ", acting_user=user)
    with pytest.raises(ValidationError):
        services.residence_comment_record(
            comment=comment, text=COMMENT, points={**POINTS, "point_ethics": ""}, acting_user=user
        )
    response = client_for(user).post(
        reverse("reviews:residence_comment_record", args=[comment.pk]), {"answer": "none", "reason": ""}
    )
    assert response.status_code == 200 and "Hãy ghi lý do không có ý kiến nhận xét." in response.content.decode()
    comment.refresh_from_db()
    assert comment.state == ResidenceCommentState.REQUESTED


def test_only_the_residence_cells_secretary_records_it(cast, residence):
    open_period(cast.ward, cast.org_board)
    comment = _comment_of(cast.member)
    for user in (cast.secretary.user, cast.head.user, cast.member.user):
        with pytest.raises(PermissionDenied):
            services.residence_comment_record(comment=comment, text=COMMENT, points=POINTS, acting_user=user)


def test_the_workplace_uploads_a_comment_obtained_outside_with_its_source(cast, residence):
    open_period(cast.ward, cast.org_board)
    comment = _comment_of(cast.member)
    client = client_for(cast.secretary.user)
    url = reverse("reviews:residence_comment_upload", args=[comment.pk])

    refused = client.post(url, {"source": "", "text": COMMENT})
    assert refused.status_code == 200
    response = client.post(
        url,
        {"source": "Phiếu nhận xét ngày 05/12, qua Cổng dịch vụ công", "document": SimpleUploadedFile("p.pdf", PDF)},
    )

    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.channel == ResidenceCommentChannel.OUTSIDE
    assert comment.source.startswith("Phiếu nhận xét")
    # The residence secretary can no longer overwrite it; the member may not upload for themself.
    with pytest.raises(ValidationError):
        services.residence_comment_record(
            comment=comment, text=COMMENT, points=POINTS, acting_user=residence.secretary.user
        )
    assert client_for(cast.member.user).get(url).status_code == 403


def test_after_the_cell_proposed_the_comment_stays_as_it_was_read(cast, residence):
    open_period(cast.ward, cast.org_board)
    comment = _comment_of(cast.member)
    review = write_and_submit(comment.review)
    propose(review, cast.secretary.user)
    assert Review.objects.get(pk=review.pk).state == ReviewState.CELL_PROPOSED
    with pytest.raises(ValidationError):
        services.residence_comment_record(
            comment=comment, text=COMMENT, points=POINTS, acting_user=residence.secretary.user
        )


def test_overdue_requests_are_flagged_and_reminded_once_a_day(cast, residence):
    open_period(cast.ward, cast.org_board)
    comment = _comment_of(cast.member)
    today = timezone.localdate()
    ResidenceComment.objects.filter(pk=comment.pk).update(due_on=today - datetime.timedelta(days=1))

    listing = client_for(residence.secretary.user).get(reverse("reviews:residence_requests"))
    assert "Quá hạn" in listing.content.decode()
    counts = review_reminders_send(today)
    assert counts[NotificationKind.RESIDENCE_COMMENT_OVERDUE] == 1
    assert review_reminders_send(today)[NotificationKind.RESIDENCE_COMMENT_OVERDUE] == 0
    reminder = Notification.objects.get(kind=NotificationKind.RESIDENCE_COMMENT_OVERDUE)
    assert reminder.recipient == residence.secretary.user
    assert reminder.link == reverse("reviews:residence_comment_record", args=[comment.pk])
    # Answered, it is no longer overdue nor reminded.
    services.residence_comment_decline(comment=comment, reason="Không rõ nơi ở.", acting_user=residence.secretary.user)
    assert review_reminders_send(today + datetime.timedelta(days=3))[NotificationKind.RESIDENCE_COMMENT_OVERDUE] == 0


def test_the_residence_secretary_is_told_of_the_requests_once(cast, residence):
    period = open_period(cast.ward, cast.org_board)

    assert notify_period_opened(period.pk) >= 1
    told = Notification.objects.get(recipient=residence.secretary.user, kind=NotificationKind.RESIDENCE_COMMENT)
    assert "1 đảng viên" in told.body and told.link == reverse("reviews:residence_requests")
    assert residence_requests_notify(period_id=period.pk) == 0


def test_the_residence_check_agrees_with_its_queryset_twin_across_two_wards(cast, residence):
    # The outsider (cell 1B) lives under cell 1A: the cast's secretary answers for her, Nga for the member.
    _residence_of(cast.outsider, cast.cell_a)
    open_period(cast.ward, cast.org_board)
    comments = list(ResidenceComment.objects.select_related("review__cadre", "residence_cell"))
    users = [
        residence.secretary.user,
        cast.secretary.user,
        cast.member.user,
        cast.outsider.user,
        cast.committee_staff.user,
        cast.head.user,
        cast.org_board,
        cast.overseer,
    ]
    for user in users:
        checked = {comment.pk for comment in comments if access.can_record_residence_comment(user, comment)}
        assert set(access.residence_requests_for(user).values_list("pk", flat=True)) == checked, user
    assert {comment.review.cadre for comment in access.residence_requests_for(cast.secretary.user)} == {cast.outsider}
