"""The tree, membership, post and role services: who may call them, the rules they keep, the audit they write."""

import datetime
from typing import Any
from typing import cast as typed

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError

from programmes import services
from programmes.models import (
    AuditEvent,
    Membership,
    MembershipStatus,
    OrganisationKind,
    OrganisationSuccession,
    PartyOrganisation,
    PartyPost,
    Position,
    PostKind,
    Role,
    RoleAssignment,
    SuccessionShare,
)
from tests.events import last_event
from tests.factories import UserFactory, make_member, make_organisation

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 9, 1)


def before(event: AuditEvent) -> dict[str, Any]:
    assert event.before is not None
    return event.before


def after(event: AuditEvent) -> dict[str, Any]:
    assert event.after is not None
    return event.after


def current_membership(cadre) -> Membership:
    membership = cadre.current_membership
    assert membership is not None
    return membership


# --- organisation_create ----------------------------------------------------------------------------------------


def test_org_board_staff_create_a_cell_in_their_ward_and_the_audit_has_it(cast):
    cell = services.organisation_create(
        parent=cast.grassroots,
        name="Chi bộ Khu phố 1C",
        kind=OrganisationKind.SUBORDINATE_CELL,
        code="79-26743-KP1C",
        valid_from=DAY,
        acting_user=cast.org_board,
    )
    assert PartyOrganisation.objects.get_parent(cell) == cast.grassroots
    event = last_event("organisation.create")
    assert event.actor == cast.org_board
    assert event.object_id == str(cell.pk)
    assert event.before is None
    assert after(event)["code"] == "79-26743-KP1C"
    assert after(event)["valid_from"] == "2025-09-01"


@pytest.mark.parametrize("persona", ["head", "secretary", "overseer"])
def test_personas_without_tree_rights_cannot_create_organisations(cast, persona):
    user = getattr(cast, persona)
    user = getattr(user, "user", user)
    with pytest.raises(PermissionDenied):
        services.organisation_create(
            parent=cast.grassroots, name="Chi bộ X", kind=OrganisationKind.SUBORDINATE_CELL, code="X1", acting_user=user
        )
    assert not PartyOrganisation.objects.filter(code="X1").exists()


def test_org_board_staff_cannot_create_in_another_ward_or_a_root(cast):
    with pytest.raises(PermissionDenied):
        services.organisation_create(
            parent=cast.other_ward,
            name="Đảng bộ X",
            kind=OrganisationKind.GRASSROOTS_COMMITTEE,
            code="X2",
            acting_user=cast.org_board,
        )
    with pytest.raises(PermissionDenied):
        services.organisation_create(
            parent=None, name="Đảng bộ Y", kind=OrganisationKind.CITY_COMMITTEE, code="X3", acting_user=cast.org_board
        )


def test_organisation_create_refuses_a_used_code_a_bad_validity_and_a_committee_under_a_cell(cast):
    with pytest.raises(ValidationError, match="đã được dùng"):
        services.organisation_create(
            parent=cast.ward,
            name="Trùng",
            kind=OrganisationKind.GRASSROOTS_CELL,
            code=cast.cell_a.code,
            acting_user=None,
        )
    with pytest.raises(ValidationError, match="hết hiệu lực phải sau"):
        services.organisation_create(
            parent=cast.ward,
            name="Ngược ngày",
            kind=OrganisationKind.GRASSROOTS_CELL,
            code="X4",
            valid_from=DAY,
            valid_to=DAY - datetime.timedelta(days=1),
            acting_user=None,
        )
    with pytest.raises(ValidationError, match="tổ đảng"):
        services.organisation_create(
            parent=cast.cell_a, name="Sai cấp", kind=OrganisationKind.SUBORDINATE_CELL, code="X5", acting_user=None
        )
    group = services.organisation_create(
        parent=cast.cell_a, name="Tổ đảng số 1", kind=OrganisationKind.PARTY_GROUP, code="X6", acting_user=None
    )
    assert PartyOrganisation.objects.get_parent(group) == cast.cell_a
    assert last_event("organisation.create").actor_repr == "system"


# --- organisation_close -------------------------------------------------------------------------------------------


def test_closing_an_empty_cell_is_audited_with_before_and_after(cast):
    empty = make_organisation("Chi bộ Khu phố 1D", OrganisationKind.SUBORDINATE_CELL, cast.grassroots)
    services.organisation_close(organisation=empty, valid_to=DAY, acting_user=cast.org_board)
    empty.refresh_from_db()
    assert empty.valid_to == DAY
    event = last_event("organisation.close")
    assert before(event)["valid_to"] is None
    assert after(event)["valid_to"] == "2025-09-01"


def test_a_cell_with_members_or_open_children_cannot_be_closed(cast):
    with pytest.raises(ValidationError, match="đảng viên đang sinh hoạt"):
        services.organisation_close(organisation=cast.cell_a, valid_to=DAY, acting_user=cast.org_board)
    with pytest.raises(ValidationError, match="tổ chức trực thuộc"):
        services.organisation_close(organisation=cast.grassroots, valid_to=DAY, acting_user=cast.org_board)
    cast.cell_a.refresh_from_db()
    assert cast.cell_a.valid_to is None


def test_closing_is_refused_to_the_cell_secretary_and_twice(cast):
    empty = make_organisation("Chi bộ Khu phố 1E", OrganisationKind.SUBORDINATE_CELL, cast.grassroots)
    with pytest.raises(PermissionDenied):
        services.organisation_close(organisation=empty, valid_to=DAY, acting_user=cast.secretary.user)
    services.organisation_close(organisation=empty, valid_to=DAY, acting_user=None)
    with pytest.raises(ValidationError, match="từ trước"):
        services.organisation_close(organisation=empty, valid_to=DAY, acting_user=None)


# --- organisation_restructure -------------------------------------------------------------------------------------


def test_merging_two_cells_closes_them_links_the_successor_and_returns_who_must_move(cast):
    on = datetime.date(2025, 10, 1)
    result = services.organisation_restructure(
        organisations=[cast.cell_a, cast.cell_b],
        parent=cast.grassroots,
        name="Chi bộ Khu phố 1",
        kind=OrganisationKind.SUBORDINATE_CELL,
        code="79-26743-KP1",
        on=on,
        shares={cast.cell_b.pk: SuccessionShare.PARTIAL},
        acting_user=cast.org_board,
    )
    successor = result.successor
    assert successor.valid_from == on
    for old in (cast.cell_a, cast.cell_b):
        old.refresh_from_db()
        assert old.valid_to == datetime.date(2025, 9, 30)
    links = {link.predecessor_id: link for link in OrganisationSuccession.objects.filter(successor=successor)}
    assert links[cast.cell_a.pk].share == SuccessionShare.FULL
    assert links[cast.cell_b.pk].share == SuccessionShare.PARTIAL
    formed_from = PartyOrganisation.objects.filter(succession_as_predecessor__successor=successor)
    assert set(formed_from) == {cast.cell_a, cast.cell_b}
    # Nobody was moved silently: all five members still sit in the old cells and are listed to move.
    assert {m.cadre for m in result.memberships_to_move} == {
        cast.member,
        cast.secretary,
        cast.outsider,
        cast.committee_staff,
        cast.head,
    }
    assert not Membership.objects.filter(cell=successor).exists()
    assert [p.cadre for p in result.positions_to_move] == [cast.secretary]
    assert AuditEvent.objects.filter(action="organisation.close").count() == 2
    assert AuditEvent.objects.filter(action="organisation.succession").count() == 2


def test_restructure_is_refused_outside_the_scope_and_for_a_closed_or_nested_unit(cast):
    kwargs: dict[str, Any] = {"name": "Mới", "kind": OrganisationKind.SUBORDINATE_CELL, "on": DAY}
    with pytest.raises(PermissionDenied):
        services.organisation_restructure(
            organisations=[cast.cell_a], parent=cast.other_ward, code="N1", acting_user=cast.org_board, **kwargs
        )
    with pytest.raises(ValidationError, match="nằm trong"):
        services.organisation_restructure(
            organisations=[cast.cell_a], parent=cast.cell_a, code="N2", acting_user=None, **kwargs
        )
    with pytest.raises(ValidationError, match="nằm trong một tổ chức khác"):
        services.organisation_restructure(
            organisations=[cast.grassroots, cast.cell_a], parent=cast.ward, code="N3", acting_user=None, **kwargs
        )
    closed = make_organisation("Chi bộ đã giải thể", parent=cast.grassroots, valid_to=datetime.date(2024, 1, 1))
    with pytest.raises(ValidationError, match="không còn hiệu lực"):
        services.organisation_restructure(
            organisations=[closed], parent=cast.grassroots, code="N4", acting_user=None, **kwargs
        )
    assert not PartyOrganisation.objects.filter(code__in=["N1", "N2", "N3", "N4"]).exists()


# --- membership_transfer ------------------------------------------------------------------------------------------


def test_transfer_closes_the_old_membership_the_day_before_and_opens_one_in_the_new_cell(cast):
    arrival = services.membership_transfer(cadre=cast.member, to_cell=cast.cell_b, on=DAY, acting_user=cast.org_board)
    old = Membership.objects.get(cadre=cast.member, cell=cast.cell_a)
    assert old.end_date == datetime.date(2025, 8, 31)
    assert old.status == MembershipStatus.TRANSFERRED
    assert arrival.cell == cast.cell_b
    assert arrival.start_date == DAY
    assert arrival.status == MembershipStatus.ACTIVE
    assert current_membership(cast.member) == arrival
    out = last_event("membership.transfer_out")
    assert before(out)["status"] == "active"
    assert before(out)["end_date"] is None
    assert after(out)["status"] == "transferred"
    assert after(out)["end_date"] == "2025-08-31"
    assert after(last_event("membership.transfer_in"))["cell"] == cast.cell_b.pk


def test_transfer_refuses_a_target_that_is_not_a_cell_and_the_same_cell(cast):
    with pytest.raises(ValidationError, match="không phải là chi bộ"):
        services.membership_transfer(cadre=cast.member, to_cell=cast.grassroots, on=DAY, acting_user=cast.org_board)
    with pytest.raises(ValidationError, match="đang sinh hoạt tại chi bộ này"):
        services.membership_transfer(cadre=cast.member, to_cell=cast.cell_a, on=DAY, acting_user=cast.org_board)
    assert Membership.objects.filter(cadre=cast.member).count() == 1


def test_transfer_to_a_cell_of_another_ward_needs_rights_on_both_sides(cast):
    far_cell = make_organisation("Chi bộ Khu phố 5", OrganisationKind.GRASSROOTS_CELL, cast.other_ward)
    with pytest.raises(PermissionDenied):
        services.membership_transfer(cadre=cast.member, to_cell=far_cell, on=DAY, acting_user=cast.org_board)
    with pytest.raises(PermissionDenied):
        services.membership_transfer(cadre=cast.member, to_cell=cast.cell_b, on=DAY, acting_user=cast.head.user)
    services.membership_transfer(cadre=cast.member, to_cell=far_cell, on=DAY, acting_user=None)
    assert current_membership(cast.member).cell == far_cell


def test_transfer_on_or_before_the_start_date_is_refused(cast):
    with pytest.raises(ValidationError, match="Ngày chuyển"):
        services.membership_transfer(
            cadre=cast.member, to_cell=cast.cell_b, on=datetime.date(2020, 1, 1), acting_user=None
        )


# --- membership_set_status ----------------------------------------------------------------------------------------


def test_org_board_staff_set_a_member_exempt_and_the_audit_keeps_both_states(cast):
    membership = current_membership(cast.member)
    services.membership_set_status(membership=membership, status=MembershipStatus.EXEMPT, acting_user=cast.org_board)
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.EXEMPT
    event = last_event("membership.set_status")
    assert (before(event)["status"], after(event)["status"]) == ("active", "exempt")


def test_status_change_is_refused_to_a_secretary_for_transferred_and_on_a_past_membership(cast):
    membership = current_membership(cast.member)
    with pytest.raises(PermissionDenied):
        services.membership_set_status(
            membership=membership, status=MembershipStatus.SUSPENDED, acting_user=cast.secretary.user
        )
    with pytest.raises(ValidationError):
        services.membership_set_status(membership=membership, status=MembershipStatus.TRANSFERRED, acting_user=None)
    services.membership_transfer(cadre=cast.member, to_cell=cast.cell_b, on=DAY, acting_user=None)
    membership.refresh_from_db()
    with pytest.raises(ValidationError, match="hiện tại"):
        services.membership_set_status(membership=membership, status=MembershipStatus.ACTIVE, acting_user=None)


# --- position_assign / position_end -------------------------------------------------------------------------------


def assign_party_post(cadre, party_post: str, organisation: PartyOrganisation, *, acting_user) -> Position:
    """`party_post` in `organisation` for `cadre` from DAY, through the service."""
    return services.position_assign(
        cadre=cadre,
        post_kind=PostKind.PARTY,
        party_post=party_post,
        organisation=organisation,
        start_date=DAY,
        acting_user=acting_user,
    )


def test_org_board_staff_appoint_a_deputy_and_end_the_post_with_audit(cast):
    position = assign_party_post(cast.member, PartyPost.DEPUTY_SECRETARY, cast.cell_a, acting_user=cast.org_board)
    assert after(last_event("position.assign"))["party_post"] == "deputy_secretary"
    services.position_end(position=position, end_date=datetime.date(2025, 12, 31), acting_user=cast.org_board)
    event = last_event("position.end")
    assert before(event)["end_date"] is None
    assert after(event)["end_date"] == "2025-12-31"
    with pytest.raises(ValidationError, match="đã kết thúc"):
        services.position_end(position=position, end_date=datetime.date(2026, 1, 1), acting_user=None)


def test_party_post_rules_one_secretary_and_only_for_members_of_the_organisation(cast):
    with pytest.raises(ValidationError, match="đã có Bí thư"):
        assign_party_post(cast.member, PartyPost.SECRETARY, cast.cell_a, acting_user=None)
    with pytest.raises(ValidationError, match="không sinh hoạt trong"):
        assign_party_post(cast.outsider, PartyPost.DEPUTY_SECRETARY, cast.cell_a, acting_user=None)
    with pytest.raises(ValidationError, match="chức danh"):
        services.position_assign(cadre=cast.member, post_kind=PostKind.GOVERNMENT, start_date=DAY, acting_user=None)


def test_position_assign_is_refused_to_the_head_and_outside_the_scope(cast):
    with pytest.raises(PermissionDenied):
        assign_party_post(cast.member, PartyPost.COMMITTEE_MEMBER, cast.grassroots, acting_user=cast.head.user)
    stranger = make_member(make_organisation("Chi bộ khác", OrganisationKind.GRASSROOTS_CELL, cast.other_ward))
    with pytest.raises(PermissionDenied):
        services.position_assign(
            cadre=stranger,
            post_kind=PostKind.GOVERNMENT,
            title="Trưởng khu phố 5",
            start_date=DAY,
            acting_user=cast.org_board,
        )


def test_a_government_post_with_the_head_flag(cast):
    position = services.position_assign(
        cadre=cast.head,
        post_kind=PostKind.GOVERNMENT,
        title="Chủ tịch Ủy ban nhân dân phường Bến Thành",
        agency_name="Ủy ban nhân dân phường Bến Thành",
        is_head=True,
        start_date=DAY,
        acting_user=cast.org_board,
    )
    assert position.is_head and position.party_post == ""
    assert Position.objects.filter(cadre=cast.head, post_kind=PostKind.GOVERNMENT).count() == 1


# --- role_assign / role_end ---------------------------------------------------------------------------------------


def test_org_board_staff_grant_and_end_an_overseer_role(cast):
    user = typed(User, UserFactory(username="hdnd_phuong"))
    assignment = services.role_assign(
        user=user, role=Role.COUNCIL_OVERSEER, organisation=cast.ward, start_date=DAY, acting_user=cast.org_board
    )
    assert after(last_event("role.assign"))["role"] == "council_overseer"
    with pytest.raises(ValidationError, match="đã có vai trò"):
        services.role_assign(
            user=user, role=Role.COUNCIL_OVERSEER, organisation=cast.ward, start_date=DAY, acting_user=cast.org_board
        )
    services.role_end(assignment=assignment, end_date=datetime.date(2025, 12, 31), acting_user=cast.org_board)
    event = last_event("role.end")
    assert (before(event)["end_date"], after(event)["end_date"]) == (None, "2025-12-31")
    assert RoleAssignment.objects.filter(user=user).count() == 1


def test_roles_cannot_be_granted_by_an_overseer_or_outside_the_scope(cast):
    user = typed(User, UserFactory(username="ai_do"))
    with pytest.raises(PermissionDenied):
        services.role_assign(
            user=user, role=Role.FRONT_OVERSEER, organisation=cast.ward, start_date=DAY, acting_user=cast.overseer
        )
    with pytest.raises(PermissionDenied):
        services.role_assign(
            user=user, role=Role.ORG_BOARD_STAFF, organisation=cast.city, start_date=DAY, acting_user=cast.org_board
        )
    assert not RoleAssignment.objects.filter(user=user).exists()
    assignment = RoleAssignment.objects.get(user=cast.overseer)
    with pytest.raises(PermissionDenied):
        services.role_end(assignment=assignment, end_date=DAY, acting_user=cast.overseer)
