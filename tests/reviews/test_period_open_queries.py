"""Opening a period costs the same number of queries for a ward of 10 members as for one of 100 (and so for 3,000):
the members, their posts, the organisations above them and their commitments are read once, the reviews and the
pre-filled assessments written in bulk. Every rule still holds for each member: a review per place, the form,
the deciding committee, not rated with the reason, the commitments of their programme in order."""

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import F, QuerySet
from django.test.utils import CaptureQueriesContext

from programmes.models import (
    AuditEvent,
    Cadre,
    Membership,
    MembershipStatus,
    Notification,
    NotificationKind,
    OrganisationKind,
    PartyPost,
)
from reviews.models import CommitmentAssessment, ResidenceComment, Review, ReviewForm, ReviewState
from reviews.services.periods import period_members_notify
from tests.factories import PositionFactory, copy_programme, make_members, make_organisation
from tests.programmes.programme_data import make_confirmed
from tests.reviews.review_data import open_period

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# The rule set (read by the test), the savepoint and its release, the permission (2), the overlap check and its
# lock (2), the period, the posts, the members, their cells, the organisations above them, their commitments, the
# two bulk inserts, the audit event (3, its content type read afresh), the feedback waiting for them (1), the one
# task that tells every member (1), and the marks asking for the dashboards' figures to be counted again with the ask
# for it (2): 22.
OPENING_QUERIES = {"sqlite": 22, "postgresql": 22}
# Telling the members, in the background: the period, its members, then per batch of 2,000 the savepoint, the log
# and what it logged, the readers, their choices, the notifications, the e-mail tasks and the release: 10.
TELLING_QUERIES = 10


def build_ward(cast, members: int) -> dict[str, int]:
    """`members` more members in the cast's two cells: one in ten exempt, one in ten on the grassroots committee
    (reviewed there too), the others with the member's confirmed programme (2 commitments). What to expect."""
    template = make_confirmed(cast.member, cast.secretary.user)
    exempt = make_members(cast.cell_a, members // 10, status=MembershipStatus.EXEMPT)
    committee = make_members(cast.cell_b, members // 10)
    for cadre in committee:
        PositionFactory(cadre=cadre, organisation=cast.grassroots, party_post=PartyPost.COMMITTEE_MEMBER)
    others = make_members(cast.cell_a, members - len(exempt) - len(committee))
    copy_programme(template, [*committee, *others])
    # The cast: 5 members, 7 reviews; the member's programme pre-fills 2 commitments.
    return {
        "reviews": 7 + len(exempt) + 2 * len(committee) + len(others),
        "assessments": 2 + 2 * (2 * len(committee) + len(others)),
        "not_rated": len(exempt),
    }


@pytest.mark.parametrize("members", [10, 100])
def test_opening_a_period_takes_the_same_queries_for_10_and_100_members(cast, members):
    expected = build_ward(cast, members)
    ContentType.objects.clear_cache()  # counted whether or not an earlier test audited a period

    with CaptureQueriesContext(connection) as queries:
        period = open_period(cast.ward, cast.org_board)

    assert len(queries) == OPENING_QUERIES[connection.vendor], "\n".join(query["sql"] for query in queries)
    reviews = Review.objects.filter(period=period)
    assert reviews.count() == expected["reviews"]
    not_rated = reviews.filter(state=ReviewState.NOT_RATED, not_rated_reason="Miễn công tác và sinh hoạt đảng")
    assert not_rated.count() == expected["not_rated"]
    assert CommitmentAssessment.objects.filter(review__period=period).count() == expected["assessments"]
    event = AuditEvent.objects.get(action="review.period_open")
    assert event.after is not None and event.after["reviews"] == expected["reviews"]


def give_accounts(without: QuerySet[Cadre]) -> None:
    """An account with an e-mail address for each of the cadres `without` one, written in bulk."""
    cadres = list(without)
    users = User.objects.bulk_create(User(username=cadre.code, email=f"{cadre.code}@example.vn") for cadre in cadres)
    for cadre, user in zip(cadres, users, strict=True):
        cadre.user = user
    Cadre.objects.bulk_update(cadres, ["user"])


@pytest.mark.parametrize("members", [10, 100])
def test_telling_the_members_takes_the_same_queries_for_10_and_100_members(
    cast, members, django_capture_on_commit_callbacks
):
    build_ward(cast, members)
    give_accounts(Cadre.objects.filter(user__isnull=True))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        period = open_period(cast.ward, cast.org_board)
    # Two tasks, handed to the broker once the opening commits: the one telling every member, and the dashboards' count.
    assert len(callbacks) == 2
    told = set(
        Review.objects.filter(period=period, state=ReviewState.SELF_DRAFTING).values_list("cadre__user", flat=True)
    )

    with CaptureQueriesContext(connection) as queries:
        sent = period_members_notify(period_id=period.pk)

    assert len(queries) == TELLING_QUERIES, "\n".join(query["sql"] for query in queries)
    # One notification per member with a self-review to write (not per place), none for the exempt.
    assert sent == len(told)
    notified = Notification.objects.filter(kind=NotificationKind.PERIOD_OPENED)
    assert set(notified.values_list("recipient", flat=True)) == told
    assert period_members_notify(period_id=period.pk) == 0
    assert notified.count() == len(told)


def test_each_member_of_a_bulk_opening_gets_their_own_places_form_and_commitments(cast):
    build_ward(cast, 20)

    period = open_period(cast.ward, cast.org_board)

    on_committee = Review.objects.filter(period=period, place=cast.grassroots).exclude(
        cadre__in=[cast.committee_staff, cast.head]
    )
    assert on_committee.count() == 2
    for review in on_committee:
        in_cell = Review.objects.get(period=period, cadre=review.cadre, place=cast.cell_b)
        # Committee members are rated by the ward above, in their cell as in their committee, on the leader's form.
        assert {review.deciding_organisation, in_cell.deciding_organisation} == {cast.ward}
        assert {review.form, in_cell.form} == {ReviewForm.LEADER}
        assert review.position_title == f"Cấp ủy viên {cast.grassroots.name}"
        for each in (review, in_cell):
            mine = list(each.assessments.order_by("position"))
            assert [assessment.position for assessment in mine] == [1, 2]
            # Their own programme's commitments, not the template's.
            assert {assessment.commitment.programme.owner_id for assessment in mine} == {review.cadre_id}
    plain = Review.objects.filter(period=period, place=cast.cell_a, state=ReviewState.SELF_DRAFTING).exclude(
        cadre__in=[cast.member, cast.secretary]
    )
    assert plain.count() == 16
    assert {review.deciding_organisation for review in plain} == {cast.grassroots}
    assert {review.form for review in plain} == {ReviewForm.MEMBER}
    assert not CommitmentAssessment.objects.filter(review__period=period, review__state=ReviewState.NOT_RATED).exists()


@pytest.mark.parametrize("members", [10, 100])
def test_asking_the_residence_cells_adds_one_statement_whatever_the_number_of_members(cast, members):
    """Every working member lives under a cell of the other ward: the requests are written with one more statement
    (the members' residence is read with the members), one per working member at their cell."""
    build_ward(cast, members)
    grassroots_b = make_organisation("Đảng bộ Khu phố 5", OrganisationKind.GRASSROOTS_COMMITTEE, cast.other_ward)
    residence = make_organisation("Chi bộ Khu phố 2", OrganisationKind.SUBORDINATE_CELL, grassroots_b)
    Membership.objects.filter(cell__path__startswith=cast.ward.path).update(residence_cell=residence)
    ContentType.objects.clear_cache()

    with CaptureQueriesContext(connection) as queries:
        period = open_period(cast.ward, cast.org_board)

    assert len(queries) == OPENING_QUERIES[connection.vendor] + 1, "\n".join(query["sql"] for query in queries)
    working = Membership.objects.filter(
        cell__path__startswith=cast.ward.path, end_date__isnull=True, status=MembershipStatus.ACTIVE
    ).count()
    assert working > members * 0.8
    requests = ResidenceComment.objects.filter(review__period=period)
    assert requests.count() == working
    assert not requests.exclude(review__place=F("review__cell")).exists()
