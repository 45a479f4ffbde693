"""Every hand-off of a review tells the people the next step waits for, and nobody else: a review of Bến Thành
from the period's opening to the appeal and the superior committee's re-classification, with a second ward (Sài
Gòn) whose people are never told anything. Each step's new notifications are read as (who, kind) pairs."""

import pytest
from django.contrib.auth.models import User
from django.core import mail

from programmes.models import Cadre, Notification, NotificationKind, OrganisationKind, PartyPost
from reviews import services
from reviews.models import Appeal, RatingLevel, Review
from tests.factories import PositionFactory, make_member, make_organisation
from tests.programmes.programme_data import make_confirmed
from tests.reviews.review_data import GROUNDS, cell_proposal, meeting, open_period, propose, write_and_submit

pytestmark = pytest.mark.django_db

K = NotificationKind


def user_of(cadre: Cadre) -> User:
    assert cadre.user is not None
    return cadre.user


class Inbox:
    """The notifications written since the last look, as (username, kind) pairs."""

    def __init__(self) -> None:
        self.seen = 0

    def new(self) -> set[tuple[str, str]]:
        fresh = Notification.objects.filter(pk__gt=self.seen).select_related("recipient").order_by("pk")
        pairs = {(notification.recipient.username, notification.kind) for notification in fresh}
        self.seen = max([self.seen, *(notification.pk for notification in fresh)])
        return pairs


@pytest.fixture
def world(cast):
    """The cast, the ward's secretary (the committee above the grassroots one) and a second ward's people."""
    ward_head = make_member(cast.cell_b, "ward_head", full_name="Trịnh Thị Hoa")
    PositionFactory(cadre=ward_head, organisation=cast.ward, party_post=PartyPost.SECRETARY)
    other_grassroots = make_organisation("Đảng bộ Khu phố 5", OrganisationKind.GRASSROOTS_COMMITTEE, cast.other_ward)
    other_cell = make_organisation("Chi bộ Khu phố 5A", OrganisationKind.SUBORDINATE_CELL, other_grassroots)
    others = [make_member(other_cell, name) for name in ("other_member", "other_secretary", "other_head")]
    PositionFactory(cadre=others[1], organisation=other_cell, party_post=PartyPost.SECRETARY)
    PositionFactory(cadre=others[2], organisation=other_grassroots, party_post=PartyPost.SECRETARY)
    other_ward_head = make_member(other_cell, "other_ward_head")
    PositionFactory(cadre=other_ward_head, organisation=cast.other_ward, party_post=PartyPost.SECRETARY)
    make_confirmed(cast.member, user_of(cast.secretary))
    return user_of(ward_head)


def test_each_hand_off_tells_the_next_people_and_nobody_of_the_other_ward(
    cast, world, django_capture_on_commit_callbacks
):
    ward_head = world
    inbox = Inbox()
    inbox.new()

    # The period opens: each member of the ward with a self-review to write, once (by the background task).
    with django_capture_on_commit_callbacks(execute=True):
        period = open_period(cast.ward, cast.org_board)
    members = {"member", "secretary", "outsider", "committee_staff", "head", "ward_head"}
    assert inbox.new() == {(name, K.PERIOD_OPENED) for name in members}

    review = Review.objects.get(period=period, cadre=cast.member)
    write_and_submit(review)
    assert inbox.new() == {("secretary", K.SELF_REVIEW_SUBMITTED)}

    # The cell meets: the grassroots committee that decides its members' reviews (not the ward above it).
    held = meeting(review, user_of(cast.secretary))
    assert inbox.new() == {("committee_staff", K.MEETING_RECORDED), ("head", K.MEETING_RECORDED)}

    verdicts = {assessment.pk: ("done", "") for assessment in review.assessments.all()}
    cell_proposal(review, user_of(cast.secretary), meeting=held, verdicts=verdicts)
    assert inbox.new() == {("committee_staff", K.PROPOSAL_RECORDED), ("head", K.PROPOSAL_RECORDED)}

    decision = services.decision_make(review=review, level=RatingLevel.GOOD, acting_user=user_of(cast.committee_staff))
    assert inbox.new() == {("head", K.DECISION_MADE)}

    services.decision_confirm(
        decision=decision,
        grounds=GROUNDS,
        assessment_ids=[review.assessments.order_by("position")[0].pk],
        acting_user=user_of(cast.head),
    )
    assert inbox.new() == {("member", K.RESULT_CONFIRMED)}

    # The appeal goes to the ward's committee, with a receipt for the member.
    appeal = services.appeal_file(review=review, text="Đề nghị xem lại mức xếp loại.", acting_user=user_of(cast.member))
    assert inbox.new() == {("ward_head", K.APPEAL_FILED), ("member", K.APPEAL_FILED)}

    services.appeal_resolve(
        appeal=Appeal.objects.get(pk=appeal.pk), upheld=True, resolution="Giữ nguyên kết quả.", acting_user=ward_head
    )
    assert inbox.new() == {("member", K.APPEAL_RESOLVED), ("head", K.APPEAL_RESOLVED)}

    services.review_reclassify(
        review=Review.objects.get(pk=review.pk),
        level=RatingLevel.COMPLETED,
        reason="Kết luận kiểm tra của Ủy ban kiểm tra.",
        acting_user=ward_head,
    )
    assert inbox.new() == {("member", K.RECLASSIFIED), ("head", K.RECLASSIFIED)}

    # Nobody of Sài Gòn was told anything, and nothing was told twice.
    strangers = {"other_member", "other_secretary", "other_head", "other_ward_head", "org_board", "overseer"}
    assert not Notification.objects.filter(recipient__username__in=strangers).exists()
    assert not {message.to[0] for message in mail.outbox} & {f"{name}@example.vn" for name in strangers}


def test_the_secretarys_own_self_review_goes_to_the_deputy(cast, world):
    deputy = make_member(cast.cell_a, "deputy", full_name="Đỗ Thị Phó")
    PositionFactory(cadre=deputy, organisation=cast.cell_a, party_post=PartyPost.DEPUTY_SECRETARY)
    period = open_period(cast.ward, cast.org_board)
    inbox = Inbox()
    inbox.new()
    review = Review.objects.get(period=period, cadre=cast.secretary, place=cast.cell_a)
    write_and_submit(review)
    assert inbox.new() == {("deputy", K.SELF_REVIEW_SUBMITTED)}


def test_a_committee_members_proposal_goes_to_the_ward_that_decides_it(cast, world):
    period = open_period(cast.ward, cast.org_board)
    inbox = Inbox()
    review = Review.objects.get(period=period, cadre=cast.committee_staff, place=cast.cell_b)
    write_and_submit(review)
    inbox.new()
    # Cell 1B has no secretary in the cast: give it one to record its meeting and proposal.
    recorder = make_member(cast.cell_b, "secretary_b")
    PositionFactory(cadre=recorder, organisation=cast.cell_b, party_post=PartyPost.SECRETARY)
    propose(review, user_of(recorder))
    # The cell's meeting concerns both bodies deciding its members (the grassroots committee for a plain member, the
    # ward for committee members); the proposal on a grassroots committee member's review only the ward.
    assert inbox.new() == {
        ("committee_staff", K.MEETING_RECORDED),
        ("head", K.MEETING_RECORDED),
        ("ward_head", K.MEETING_RECORDED),
        ("ward_head", K.PROPOSAL_RECORDED),
    }
