import pytest

from programmes import access
from programmes.access import Action, Persona


@pytest.mark.django_db
def test_each_persona_gets_the_grants_of_what_they_hold(cast):
    assert access.personas(cast.member.user) == {Persona.MEMBER}
    assert access.personas(cast.secretary.user) == {Persona.MEMBER, Persona.CELL_SECRETARY}
    assert access.personas(cast.committee_staff.user) == {Persona.MEMBER, Persona.COMMITTEE_MEMBER}
    assert access.personas(cast.head.user) == {Persona.MEMBER, Persona.COMMITTEE_HEAD}
    assert access.personas(cast.org_board) == {Persona.ORG_BOARD_STAFF}
    assert access.personas(cast.overseer) == {Persona.FRONT_OVERSEER}
    assert access.personas(cast.anonymous) == set()


@pytest.mark.django_db
def test_member_sees_own_cell_roster_but_not_the_neighbouring_cell(cast):
    user = cast.member.user
    assert access.can(user, Action.VIEW_MEMBERS, cast.cell_a)
    assert not access.can(user, Action.VIEW_MEMBERS, cast.cell_b)
    assert not access.can(user, Action.VIEW_MEMBERS, cast.grassroots)
    assert not access.can(user, Action.VIEW_PRIVATE_DETAILS, cast.cell_a)


@pytest.mark.django_db
def test_outsider_from_neighbouring_cell_is_refused_everything_in_cell_a(cast):
    user = cast.outsider.user
    for action in Action:
        assert not access.can(user, action, cast.cell_a), action
    assert not access.can_view_cadre(user, cast.member)
    assert not access.can_view_private_details(user, cast.member)


@pytest.mark.django_db
def test_cell_secretary_records_proposals_and_keeps_contacts_for_own_cell_only(cast):
    user = cast.secretary.user
    assert access.can(user, Action.RECORD_CELL_PROPOSAL, cast.cell_a)
    assert access.can_view_private_details(user, cast.member)
    assert not access.can(user, Action.RECORD_CELL_PROPOSAL, cast.cell_b)
    assert not access.can_view_private_details(user, cast.outsider)
    assert not access.can(user, Action.DECIDE_RATING, cast.cell_a)


@pytest.mark.django_db
def test_committee_staff_decide_in_subtree_but_only_the_head_confirms(cast):
    staff, head = cast.committee_staff.user, cast.head.user
    for cell in (cast.cell_a, cast.cell_b):
        assert access.can(staff, Action.DECIDE_RATING, cell)
        assert access.can(head, Action.DECIDE_RATING, cell)
        assert access.can(head, Action.CONFIRM_DECISION, cell)
        assert not access.can(staff, Action.CONFIRM_DECISION, cell)
    assert not access.can(head, Action.DECIDE_RATING, cast.ward)
    assert not access.can_view_private_details(staff, cast.member)


@pytest.mark.django_db
def test_org_board_staff_manage_their_subtree_and_nothing_beyond(cast):
    user = cast.org_board
    for organisation in (cast.ward, cast.grassroots, cast.cell_a, cast.cell_b):
        assert access.can(user, Action.IMPORT_ROSTER, organisation)
        assert access.can(user, Action.VIEW_PRIVATE_DETAILS, organisation)
    assert not access.can(user, Action.VIEW_ORGANISATION, cast.other_ward)
    assert not access.can(user, Action.VIEW_ORGANISATION, cast.city)


@pytest.mark.django_db
def test_overseer_sees_the_area_structure_but_no_roster_or_personal_data(cast):
    user = cast.overseer
    assert access.can(user, Action.VIEW_ORGANISATION, cast.cell_a)
    assert access.can(user, Action.OVERSEE_AREA, cast.ward)
    assert not access.can(user, Action.VIEW_MEMBERS, cast.cell_a)
    assert not access.can_view_cadre(user, cast.member)
    assert not access.can_view_private_details(user, cast.member)
    assert not access.can(user, Action.OVERSEE_AREA, cast.other_ward)


@pytest.mark.django_db
def test_anonymous_may_do_nothing_internal(cast):
    for action in Action:
        assert not access.can(cast.anonymous, action, cast.ward)
    assert not access.cadres_visible_to(cast.anonymous).exists()
    assert not access.organisations_where(cast.anonymous, Action.VIEW_ORGANISATION).exists()


@pytest.mark.django_db
def test_cadre_always_sees_own_private_details(cast):
    assert access.can_view_private_details(cast.member.user, cast.member)


@pytest.mark.django_db
def test_cadres_visible_to_follows_the_roster_scopes(cast):
    assert set(access.cadres_visible_to(cast.member.user)) == {cast.member, cast.secretary}
    assert set(access.cadres_visible_to(cast.head.user)) == {
        cast.member,
        cast.secretary,
        cast.outsider,
        cast.committee_staff,
        cast.head,
    }
    assert set(access.cadres_visible_to(cast.overseer)) == set()


@pytest.mark.django_db
def test_a_post_that_ended_grants_nothing(cast):
    import datetime

    position = cast.secretary.positions.get()
    position.end_date = datetime.date(2021, 1, 1)
    position.save()
    access.forget_grants(cast.secretary.user)
    assert not access.can(cast.secretary.user, Action.RECORD_CELL_PROPOSAL, cast.cell_a)


@pytest.mark.django_db
def test_checking_access_makes_no_query_once_grants_are_loaded(cast, django_assert_num_queries):
    user = cast.head.user
    access.grants_for(user)
    with django_assert_num_queries(0):
        for organisation in (cast.cell_a, cast.cell_b, cast.ward, cast.other_ward):
            access.can(user, Action.DECIDE_RATING, organisation)
