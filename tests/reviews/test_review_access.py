"""Who may read a review: its subject, the secretary of its place, the deciding committee and those above it,
organisation-board staff of the subtree; never overseers, the public or another cell. The list and the check
agree."""

from typing import cast as typed

import pytest
from django.contrib.auth.models import User
from django.http import Http404

from programmes.models import Cadre, OrganisationKind, PartyPost, Role
from reviews import access as review_access
from reviews.models import Review, ReviewPeriod
from tests.factories import PositionFactory, RoleAssignmentFactory, UserFactory, make_member, make_organisation
from tests.programmes.programme_data import make_confirmed
from tests.reviews.review_data import open_period

pytestmark = pytest.mark.django_db


def user_of(cadre: Cadre) -> User:
    assert cadre.user is not None
    return cadre.user


@pytest.fixture
def colleague(cast) -> Cadre:
    """Another plain member of cell A."""
    return make_member(cast.cell_a, "colleague", full_name="Đinh Thị Lan")


@pytest.fixture
def period(cast, colleague) -> ReviewPeriod:
    make_confirmed(cast.member, user_of(cast.secretary))
    return open_period(cast.ward, cast.org_board)


@pytest.fixture
def review(cast, period) -> Review:
    return Review.objects.get(period=period, cadre=cast.member)


def persona(cast, name: str):
    if name == "colleague":
        return User.objects.get(username="colleague")
    if name == "superuser":
        return UserFactory(username="quantri", is_superuser=True, is_staff=True)
    value = getattr(cast, name)
    return user_of(value) if isinstance(value, Cadre) else value


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("member", True),
        ("colleague", False),
        ("secretary", True),
        ("committee_staff", True),
        ("head", True),
        ("org_board", True),
        ("superuser", True),
        ("overseer", False),
        ("outsider", False),
        ("anonymous", False),
    ],
)
def test_who_may_read_the_members_review(cast, review, who, allowed):
    user = persona(cast, who)
    assert review_access.can_view_review(user, review) is allowed
    assert reviews_of(user).filter(pk=review.pk).exists() is allowed
    if allowed:
        assert review_access.get_review_for(user, review.pk) == review
    else:
        with pytest.raises(Http404):
            review_access.get_review_for(user, review.pk)


def reviews_of(user):
    return review_access.reviews_visible_to(user)


@pytest.mark.parametrize(
    "who",
    [
        *("member", "colleague", "secretary", "committee_staff", "head", "org_board", "superuser", "overseer"),
        *("outsider", "anonymous", "ward_committee", "other_ward_board", "other_grassroots_head"),
    ],
)
def test_the_list_of_readable_reviews_agrees_with_the_check(cast, period, who):
    if who == "ward_committee":
        cadre = make_member(cast.cell_b, "ward_committee")
        PositionFactory(cadre=cadre, organisation=cast.ward, party_post=PartyPost.COMMITTEE_MEMBER)
        user = user_of(cadre)
    elif who == "other_ward_board":
        user = typed(User, UserFactory(username="other_ward_board"))
        RoleAssignmentFactory(user=user, role=Role.ORG_BOARD_STAFF, organisation=cast.other_ward)
    elif who == "other_grassroots_head":
        other = make_organisation("Đảng bộ Khu phố 2", OrganisationKind.GRASSROOTS_COMMITTEE, cast.ward)
        cadre = make_member(make_organisation("Chi bộ Khu phố 2A", parent=other), "other_grassroots_head")
        PositionFactory(cadre=cadre, organisation=other, party_post=PartyPost.SECRETARY)
        user = user_of(cadre)
    else:
        user = persona(cast, who)
    every = list(Review.objects.select_related("place", "cell", "cadre"))
    assert len(every) == 8
    expected = {review.pk for review in every if review_access.can_view_review(user, review)}
    listed = list(reviews_of(user).values_list("pk", flat=True))
    assert len(listed) == len(set(listed)), "no review listed twice"
    assert set(listed) == expected


def test_what_each_persona_reads_of_the_whole_ward(cast, period):
    def places(user) -> set[tuple[str, str]]:
        return {
            (review.cadre.full_name, review.place.name) for review in reviews_of(user).select_related("cadre", "place")
        }

    cell_a, cell_b, grassroots = cast.cell_a.name, cast.cell_b.name, cast.grassroots.name
    assert places(user_of(cast.member)) == {("Trần Thị Ánh", cell_a)}
    assert places(user_of(cast.secretary)) == {
        ("Trần Thị Ánh", cell_a),
        ("Lê Văn Bình", cell_a),
        ("Đinh Thị Lan", cell_a),
    }
    # The outsider reads only their own; a committee member reads the whole grassroots organisation.
    assert places(user_of(cast.outsider)) == {("Phạm Văn Cường", cell_b)}
    assert len(places(user_of(cast.committee_staff))) == 8
    assert places(cast.overseer) == set()
    assert places(cast.anonymous) == set()
    # The committee's own review is not the cell secretary's to read.
    assert ("Huỳnh Văn Em", grassroots) not in places(user_of(cast.secretary))


def test_periods_are_listed_to_those_who_read_reviews_in_them_and_to_who_opened_them(cast, period):
    assert list(review_access.periods_visible_to(user_of(cast.member))) == [period]
    assert list(review_access.periods_visible_to(cast.org_board)) == [period]
    assert not review_access.periods_visible_to(cast.overseer).exists()
    assert not review_access.periods_visible_to(cast.anonymous).exists()
