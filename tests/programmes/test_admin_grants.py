"""The admin answers from the ward's scope on every page a library adds (history, revert), and a right is given
only within the rules of programmes.grants: the four attacks found with two wards, now refused and on record."""

from dataclasses import dataclass
from typing import Any, cast

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from programmes.models import (
    AuditEvent,
    Cadre,
    Membership,
    Notification,
    OrganisationKind,
    PartyOrganisation,
    PartyPost,
    Position,
    Role,
    RoleAssignment,
)
from tests.factories import (
    PositionFactory,
    RoleAssignmentFactory,
    UserFactory,
    admin_staff,
    client_for,
    make_member,
    make_organisation,
)
from tests.programmes.test_admin import form_data

pytestmark = pytest.mark.django_db

HISTORIED = ["cadre", "membership", "position", "roleassignment", "partyorganisation"]


@dataclass
class OtherWard:
    """Phường Sài Gòn: a cell with its secretary (who has an account), a member, and its own board staff."""

    cell: PartyOrganisation
    secretary: Cadre
    member: Cadre
    board: User


def new_user(**fields: Any) -> User:
    return cast(User, UserFactory(**fields))


def with_role(user: User, role: Role, organisation: PartyOrganisation) -> User:
    RoleAssignmentFactory(user=user, role=role, organisation=organisation)
    return user


def _board_staff(username: str, ward: PartyOrganisation) -> User:
    user = with_role(new_user(username=username, is_staff=True), Role.ORG_BOARD_STAFF, ward)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="programmes"))
    return user


@pytest.fixture
def other(cast) -> OtherWard:
    grassroots = make_organisation("Đảng bộ Khu phố 5", OrganisationKind.GRASSROOTS_COMMITTEE, cast.other_ward)
    cell = make_organisation("Chi bộ Khu phố 5A", OrganisationKind.SUBORDINATE_CELL, grassroots)
    secretary = make_member(cell, "bithu_saigon", full_name="Đỗ Văn Giang")
    PositionFactory(cadre=secretary, organisation=cell, party_post=PartyPost.SECRETARY)
    member = make_member(cell, "dangvien_saigon", full_name="Ngô Thị Hoa")
    board = _board_staff("bantochuc_saigon", cast.other_ward)
    return OtherWard(cell=cell, secretary=secretary, member=member, board=board)


@pytest.fixture
def board(cast) -> User:
    """Organisation-board staff of phường Bến Thành with the admin permissions the demo gives them."""
    return admin_staff(cast.org_board, "programmes")


def admin_url(model: str, view: str, *args: Any) -> str:
    return reverse(f"admin:programmes_{model}_{view}", args=args)


def other_ward_object(model: str, other: OtherWard) -> Any:
    membership = Membership.objects.get(cadre=other.secretary)
    return {
        "cadre": other.secretary,
        "membership": membership,
        "position": Position.objects.get(cadre=other.secretary),
        "roleassignment": RoleAssignment.objects.get(user=other.board),
        "partyorganisation": other.cell,
    }[model]


def refusals(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


# --- 1. History of another ward's rows ------------------------------------------------------------------------


@pytest.mark.parametrize("model", HISTORIED)
def test_board_staff_cannot_read_another_wards_history_pages(cast, other, board, model):
    obj = other_ward_object(model, other)
    record = obj.history.latest()
    client = client_for(board)

    assert client.get(admin_url(model, "history", obj.pk)).status_code == 404
    assert client.get(admin_url(model, "simple_history", obj.pk, record.history_id)).status_code == 404
    assert refusals("admin.history_refused") == 2


@pytest.mark.parametrize("model", HISTORIED)
def test_board_staff_read_their_own_wards_history_without_revert(cast, board, model):
    obj = {
        "cadre": cast.member,
        "membership": Membership.objects.get(cadre=cast.member),
        "position": Position.objects.get(cadre=cast.secretary),
        "roleassignment": RoleAssignment.objects.get(user=cast.overseer),
        "partyorganisation": cast.cell_a,
    }[model]
    client = client_for(board)

    assert client.get(admin_url(model, "history", obj.pk)).status_code == 200
    page = client.get(admin_url(model, "simple_history", obj.pk, obj.history.latest().history_id))
    assert page.status_code == 200
    assert page.context["revert_disabled"] is True


def test_the_history_of_a_deleted_row_is_for_system_administrators_only(cast, board):
    cadre = make_member(cast.cell_a, full_name="Lý Văn Khoa")
    cadre_pk = cadre.pk
    cadre.delete()

    assert client_for(board).get(admin_url("cadre", "history", cadre_pk)).status_code == 404


# --- 2 and 3. Revert through the history form ---------------------------------------------------------------


def revert_membership_to_cell(board: User, membership: Membership, cell: PartyOrganisation) -> Any:
    """The history form of the membership's latest record, sent back with `cell` in place of its own."""
    record = membership.history.latest()
    data = {"cadre": membership.cadre_id, "cell": cell.pk, "member_type": membership.member_type}
    data |= {"status": membership.status, "start_date": membership.start_date.isoformat()}
    return client_for(board).post(admin_url("membership", "simple_history", membership.pk, record.history_id), data)


def test_a_history_revert_cannot_move_another_wards_member_into_ones_cell(cast, other, board):
    membership = Membership.objects.get(cadre=other.member)

    response = revert_membership_to_cell(board, membership, cast.cell_a)

    assert response.status_code == 404
    membership.refresh_from_db()
    assert membership.cell_id == other.cell.pk
    assert refusals("admin.history_refused") == 1


def test_a_history_revert_cannot_link_ones_account_to_another_wards_secretary(cast, other, board):
    record = other.secretary.history.latest()
    data = {"code": other.secretary.code, "full_name": other.secretary.full_name, "user": board.pk}

    response = client_for(board).post(admin_url("cadre", "simple_history", other.secretary.pk, record.history_id), data)

    assert response.status_code == 404
    other.secretary.refresh_from_db()
    assert other.secretary.user is not None and other.secretary.user.username == "bithu_saigon"


def test_a_history_revert_in_ones_own_ward_is_refused_too(cast, board):
    membership = Membership.objects.get(cadre=cast.member)

    response = revert_membership_to_cell(board, membership, cast.cell_b)

    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.cell_id == cast.cell_a.pk
    assert refusals("admin.history_refused") == 1


# --- 4. Taking a post through the cadre's account field -------------------------------------------------------


def post_account(client: Client, cadre: Cadre, account: User | None):
    data = form_data(client.get(admin_url("cadre", "change", cadre.pk)))
    data["user"] = account.pk if account is not None else ""
    return client.post(admin_url("cadre", "change", cadre.pk), data)


def test_board_staff_cannot_link_their_own_account_to_the_ward_secretarys_record(cast, board):
    client = client_for(board)

    response = post_account(client, cast.head, board)

    assert response.status_code == 200
    assert "tự cấp quyền cho tài khoản của chính mình" in response.content.decode()
    cast.head.refresh_from_db()
    assert cast.head.user is not None and cast.head.user.username == "head"
    event = AuditEvent.objects.get(action="grant.refused")
    assert event.actor == board and event.object_id == str(cast.head.pk)


def test_board_staff_cannot_link_an_account_of_another_wards_member_or_overseer(cast, other, board):
    overseer = with_role(new_user(username="mattran_saigon"), Role.FRONT_OVERSEER, cast.other_ward)
    client = client_for(board)

    linked = post_account(client, cast.member, other.member.user).content.decode()
    overseeing = post_account(client, cast.member, overseer).content.decode()

    assert "ngoài phạm vi" in linked
    assert "vai trò ngoài phạm vi" in overseeing
    cast.member.refresh_from_db()
    assert cast.member.user is not None and cast.member.user.username == "member"
    assert refusals("grant.refused") == 2


def test_board_staff_cannot_give_a_staff_account_a_post(cast, other, board):
    response = post_account(client_for(board), cast.member, other.board)

    assert "tài khoản quản trị" in response.content.decode()
    assert refusals("grant.refused") == 1


def test_linking_a_new_account_is_audited_and_tells_the_previous_holder(cast, board):
    previous = cast.member.user
    assert previous is not None
    account = new_user(username="tai_khoan_moi")

    response = post_account(client_for(board), cast.member, account)

    assert response.status_code == 302
    cast.member.refresh_from_db()
    assert cast.member.user == account
    event = AuditEvent.objects.get(action="cadre.account_linked")
    assert event.before == {"user": previous.pk} and event.after == {"user": account.pk}
    assert Notification.objects.filter(recipient=previous).count() == 1
    assert not Notification.objects.filter(recipient=account).exists()


def test_board_staff_cannot_grant_themselves_a_role_or_end_their_own(cast, board):
    client = client_for(board)
    data = {"user": board.pk, "role": Role.FRONT_OVERSEER, "organisation": cast.ward.pk, "start_date": "2026-01-01"}

    response = client.post(admin_url("roleassignment", "add"), data)

    assert response.status_code == 200
    assert not RoleAssignment.objects.filter(user=board, role=Role.FRONT_OVERSEER).exists()
    own = RoleAssignment.objects.get(user=board)
    data = {"user": board.pk, "role": own.role, "organisation": cast.ward.pk, "start_date": "2026-01-01"}
    client.post(admin_url("roleassignment", "change", own.pk), data | {"end_date": "2026-01-02"})
    own.refresh_from_db()
    assert own.end_date is None
    assert refusals("grant.refused") == 2


def test_board_staff_cannot_give_another_wards_member_a_post_or_a_cell_in_their_ward(cast, other, board):
    client = client_for(board)
    post = {"cadre": other.member.pk, "post_kind": "party", "party_post": PartyPost.SECRETARY}
    post |= {"organisation": cast.grassroots.pk, "start_date": "2026-01-01"}
    membership = {"cadre": other.member.pk, "cell": cast.cell_a.pk, "member_type": "official"}
    membership |= {"status": "active", "start_date": "2026-01-01"}

    client.post(admin_url("position", "add"), post)
    client.post(admin_url("membership", "add"), membership)

    assert not Position.objects.filter(cadre=other.member, organisation=cast.grassroots).exists()
    assert not Membership.objects.filter(cadre=other.member, cell=cast.cell_a).exists()


def test_a_superuser_may_link_any_account_through_the_same_service(cast, other):
    superuser = new_user(username="quantri", is_staff=True, is_superuser=True)
    account = new_user(username="tai_khoan_moi")

    post_account(client_for(superuser), other.member, account)

    other.member.refresh_from_db()
    assert other.member.user == account
    assert AuditEvent.objects.filter(action="cadre.account_linked", actor=superuser).count() == 1


def test_moving_a_role_to_another_account_tells_the_previous_holder(cast, board):
    assignment = RoleAssignment.objects.get(user=cast.overseer)
    successor = new_user(username="mattran_moi")
    data = {"user": successor.pk, "role": assignment.role, "organisation": cast.ward.pk, "start_date": "2026-01-01"}

    response = client_for(board).post(admin_url("roleassignment", "change", assignment.pk), data)

    assert response.status_code == 302
    (notice,) = Notification.objects.filter(recipient=cast.overseer)
    assert "không còn giữ" in notice.subject and "Mặt trận" in notice.subject
    assert not Notification.objects.filter(recipient=successor).exists()


def test_giving_a_post_to_another_cadre_tells_the_previous_holder(cast, board):
    position = Position.objects.get(cadre=cast.secretary)
    data = {"cadre": cast.outsider.pk, "post_kind": position.post_kind, "party_post": position.party_post}
    data |= {"organisation": cast.cell_a.pk, "start_date": position.start_date.isoformat()}

    response = client_for(board).post(admin_url("position", "change", position.pk), data)

    assert response.status_code == 302
    (notice,) = Notification.objects.filter(recipient=cast.secretary.user)
    assert "Lê Văn Bình" in notice.body


def test_an_action_on_the_organisation_tree_asks_for_confirmation_and_then_deletes(cast):
    superuser = new_user(username="quantri", is_staff=True, is_superuser=True)
    empty = make_organisation("Tổ đảng trống", OrganisationKind.PARTY_GROUP, cast.cell_b)
    client = client_for(superuser)
    data = {"action": "delete_selected", "_selected_action": [empty.pk]}

    confirmation = client.post(admin_url("partyorganisation", "changelist"), data)
    done = client.post(admin_url("partyorganisation", "changelist"), data | {"post": "yes"})

    assert confirmation.status_code == 200 and "Tổ đảng trống" in confirmation.content.decode()
    assert done.status_code == 302
    assert not PartyOrganisation.objects.filter(pk=empty.pk).exists()
    assert AuditEvent.objects.filter(action="admin.delete", object_id=str(empty.pk)).count() == 1


def test_an_action_on_the_organisation_tree_without_a_selection_is_explained_not_a_server_error(cast):
    client = client_for(new_user(username="quantri", is_staff=True, is_superuser=True))

    response = client.post(admin_url("partyorganisation", "changelist"), {"action": "delete_selected"})

    assert response.status_code == 200
    assert PartyOrganisation.objects.count() == 6
