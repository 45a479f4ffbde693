"""Each rule of programmes.access exists once, as a check with its queryset twin: here, that they agree.

`holds` (the grants allowing an action, by the user's own posts and roles) against `holding_condition` (the same
as a condition for a query), for every action, over two wards and the city, for a plain member, a cell
secretary, a committee member and a committee head of one ward, a committee member of the other ward,
organisation-board staff, a Front overseer, a system administrator and an anonymous visitor.
"""

import pytest
from django.contrib.auth.models import User

from programmes import access
from programmes.access import Action
from programmes.models import OrganisationKind, PartyOrganisation, PartyPost
from tests.factories import PositionFactory, make_member, make_organisation

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _twin_holds(user, action, organisation):
    condition = access.holding_condition(user, action, "")
    return condition is not None and PartyOrganisation.objects.filter(condition, pk=organisation.pk).exists()


def test_holds_and_its_queryset_twin_agree_for_every_persona_action_and_organisation(cast):
    grassroots_b = make_organisation("Đảng bộ Khu phố 5", OrganisationKind.GRASSROOTS_COMMITTEE, cast.other_ward)
    cell_b5 = make_organisation("Chi bộ Khu phố 5A", OrganisationKind.SUBORDINATE_CELL, grassroots_b)
    other_ward_member = make_member(cell_b5, "other_ward_member", full_name="Lý Văn Tâm")
    PositionFactory(cadre=other_ward_member, organisation=grassroots_b, party_post=PartyPost.COMMITTEE_MEMBER)
    superuser = User.objects.create_user(username="admin", is_superuser=True, is_staff=True)
    users = [
        cast.member.user,
        cast.secretary.user,
        cast.committee_staff.user,
        cast.head.user,
        other_ward_member.user,
        cast.org_board,
        cast.overseer,
        superuser,
        cast.anonymous,
    ]
    organisations = [cast.city, cast.ward, cast.grassroots, cast.cell_a, cast.cell_b, cast.other_ward]
    organisations += [grassroots_b, cell_b5]

    answers = set()
    for user in users:
        for action in Action:
            grants = access.grants_allowing(user, action)
            assert (access.holding_condition(user, action) is None) == (not grants), (user, action)
            for organisation in organisations:
                held = access.holds(user, action, organisation)
                assert held == _twin_holds(user, action, organisation), (user, action, organisation)
                answers.add((action, held))

    # Not vacuous: deciding is held somewhere and refused elsewhere, and the administrator holds nothing as such.
    assert {(Action.DECIDE_RATING, True), (Action.DECIDE_RATING, False)} <= answers
    assert other_ward_member.user is not None
    assert access.holds(other_ward_member.user, Action.DECIDE_RATING, cell_b5)
    assert not access.holds(other_ward_member.user, Action.DECIDE_RATING, cast.cell_a)
    assert not access.holds(cast.committee_staff.user, Action.DECIDE_RATING, cell_b5)
    assert access.holding_condition(superuser, Action.DECIDE_RATING) is None
