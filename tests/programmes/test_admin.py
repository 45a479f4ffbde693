"""The Django admin: it renders (treebeard included) with warnings as errors, every save and delete is audited,
personal data stays out of the audit log, and staff who are not superusers see only their subtree."""

import datetime
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from programmes.models import (
    ActionProgramme,
    AuditEvent,
    Cadre,
    CadrePrivateDetails,
    ConfirmerRule,
    Membership,
    OrganisationKind,
    PartyOrganisation,
    Position,
    RoleAssignment,
)
from tests.factories import admin_staff, make_member
from tests.programmes.programme_data import make_confirmed

pytestmark = pytest.mark.django_db

EDITABLE = [PartyOrganisation, Cadre, Membership, Position, RoleAssignment]


def before(event: AuditEvent) -> dict[str, Any]:
    assert event.before is not None
    return event.before


def after(event: AuditEvent) -> dict[str, Any]:
    assert event.after is not None
    return event.after


def current_membership(cadre: Cadre) -> Membership:
    membership = cadre.current_membership
    assert membership is not None
    return membership


def url(model, view: str, *args) -> str:
    return reverse(f"admin:programmes_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def staff_client(cast) -> Client:
    """The ward's organisation-board staff, with the model permissions the admin checks."""
    client = Client()
    client.force_login(admin_staff(cast.org_board, "programmes"))
    return client


def form_data(response) -> dict:
    """What the browser would post back from a rendered change form: every field and inline as shown."""
    data: dict[str, Any] = {}

    def add(form) -> None:
        for name in form.fields:
            value = form[name].value()
            data[form.add_prefix(name)] = "" if value is None else value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.initial_forms:
            add(form)
        data[f"{formset.prefix}-TOTAL_FORMS"] = len(formset.initial_forms)
    return data


# --- Rendering ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", EDITABLE, ids=lambda m: m.__name__)
def test_changelist_and_add_pages_render_for_a_superuser(cast, superuser_client, model):
    assert superuser_client.get(url(model, "changelist")).status_code == 200
    assert superuser_client.get(url(model, "add")).status_code == 200


def test_tree_changelist_and_change_page_render(cast, superuser_client):
    response = superuser_client.get(url(PartyOrganisation, "changelist"))
    assert "Đảng bộ Thành phố Hồ Chí Minh" in response.content.decode()
    assert superuser_client.get(url(PartyOrganisation, "change", cast.cell_a.pk)).status_code == 200
    assert superuser_client.get(url(PartyOrganisation, "changelist") + "?q=Khu").status_code == 200


def test_the_audit_log_is_read_only_in_the_admin(cast, superuser_client):
    event = AuditEvent.objects.create(actor_repr="system", action="test.event")
    assert superuser_client.get(url(AuditEvent, "changelist")).status_code == 200
    assert superuser_client.get(url(AuditEvent, "add")).status_code == 403
    assert superuser_client.post(url(AuditEvent, "delete", event.pk), {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


# --- Auditing -----------------------------------------------------------------------------------------------------


def test_an_admin_change_is_audited_with_the_state_before_and_after(cast, superuser_client):
    assignment = RoleAssignment.objects.get(user=cast.overseer)
    data = form_data(superuser_client.get(url(RoleAssignment, "change", assignment.pk)))
    data["end_date"] = "2025-12-31"
    response = superuser_client.post(url(RoleAssignment, "change", assignment.pk), data)
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin.change")
    assert event.actor is not None and event.actor.username == "quantri"
    assert event.object_id == str(assignment.pk)
    assert before(event)["end_date"] is None
    assert after(event)["end_date"] == "2025-12-31"


def test_adding_an_organisation_through_the_tree_form_is_audited(cast, superuser_client):
    data = form_data(superuser_client.get(url(PartyOrganisation, "add")))
    data.update(
        name="Chi bộ Khu phố 2",
        code="79-26743-KP02",
        kind=OrganisationKind.GRASSROOTS_CELL,
        treebeard_position="first-child",
        treebeard_ref_node=cast.ward.pk,
    )
    response = superuser_client.post(url(PartyOrganisation, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = PartyOrganisation.objects.get(code="79-26743-KP02")
    assert PartyOrganisation.objects.get_parent(created) == cast.ward
    event = AuditEvent.objects.get(action="admin.add")
    assert event.before is None
    assert after(event)["code"] == "79-26743-KP02"


def test_an_admin_delete_is_audited_with_the_last_state(cast, superuser_client):
    position = cast.secretary.positions.get()
    response = superuser_client.post(url(Position, "delete", position.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Position.objects.filter(pk=position.pk).exists()
    event = AuditEvent.objects.get(action="admin.delete")
    assert event.object_id == str(position.pk)
    assert before(event)["party_post"] == "secretary"
    assert event.after is None


def test_private_details_changed_in_the_cadre_form_leave_only_field_names_in_the_audit(cast, superuser_client):
    cadre = cast.member
    details = CadrePrivateDetails.objects.get(cadre=cadre)
    old_phone, citizen_id = details.phone, details.citizen_id
    data = form_data(superuser_client.get(url(Cadre, "change", cadre.pk)))
    prefix = next(key for key in data if key.endswith("-phone")).removesuffix("-phone")
    data[f"{prefix}-phone"] = "0987654321"
    data["full_name"] = "Trần Thị Ánh Hồng"
    response = superuser_client.post(url(Cadre, "change", cadre.pk), data)
    assert response.status_code == 302
    details.refresh_from_db()
    assert details.phone == "0987654321"
    private_event = AuditEvent.objects.get(
        action="admin.change", object_repr=str(details), after__has_key="changed_fields"
    )
    assert private_event.after == {"changed_fields": ["phone"]}
    assert private_event.before is None
    # The untouched membership inline writes nothing; the cadre's own change is recorded in full.
    cadre_event = AuditEvent.objects.exclude(pk=private_event.pk).get(action="admin.change")
    assert after(cadre_event)["full_name"] == "Trần Thị Ánh Hồng"
    logged = json.dumps([list(AuditEvent.objects.values("before", "after"))], ensure_ascii=False)
    for secret in (old_phone, "0987654321", citizen_id):
        assert secret not in logged


# --- Scope of staff who are not superusers -------------------------------------------------------------------------


def test_staff_see_only_rows_of_their_ward(cast, staff_client):
    stranger = make_member(
        PartyOrganisation.objects.add_child(
            cast.other_ward,
            instance=PartyOrganisation(name="Chi bộ Khu phố 9", kind=OrganisationKind.GRASSROOTS_CELL, code="X9"),
        ),
        full_name="Người Phường Khác",
    )
    response = staff_client.get(url(Membership, "changelist"))
    shown = {m.cadre for m in response.context["cl"].result_list}
    assert shown == {cast.member, cast.secretary, cast.outsider, cast.committee_staff, cast.head}
    cadres = staff_client.get(url(Cadre, "changelist")).context["cl"].result_list
    assert stranger not in cadres
    other_membership = current_membership(stranger)
    assert staff_client.get(url(Membership, "change", other_membership.pk)).status_code == 302
    assert staff_client.get(url(Cadre, "change", stranger.pk)).status_code == 302
    assert staff_client.get(url(PartyOrganisation, "change", cast.other_ward.pk)).status_code == 302


def test_staff_tree_opens_at_their_ward_and_children_load(cast, staff_client):
    response = staff_client.get(url(PartyOrganisation, "changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [cast.ward]
    children = staff_client.get(url(PartyOrganisation, "changelist") + f"children/{cast.ward.pk}/")
    assert children.status_code == 200
    assert "Đảng bộ Khu phố 1" in children.json()["result_html"]


def test_staff_cannot_point_a_membership_to_a_cell_outside_their_ward(cast, staff_client):
    membership = current_membership(cast.member)
    data = form_data(staff_client.get(url(Membership, "change", membership.pk)))
    data["cell"] = cast.other_ward.pk
    response = staff_client.post(url(Membership, "change", membership.pk), data)
    assert response.status_code == 200
    assert "cell" in response.context["adminform"].form.errors
    membership.refresh_from_db()
    assert membership.cell == cast.cell_a
    assert not AuditEvent.objects.filter(action="admin.change").exists()


def test_staff_cannot_move_a_node_out_of_their_ward(cast, staff_client):
    response = staff_client.post(
        url(PartyOrganisation, "changelist") + "move/",
        {"node": cast.cell_a.pk, "target": cast.other_ward.pk, "relation": "child"},
    )
    assert response.status_code == 403
    cast.cell_a.refresh_from_db()
    assert PartyOrganisation.objects.get_parent(cast.cell_a) == cast.grassroots


def test_staff_moving_a_cell_within_their_ward_is_audited(cast, staff_client):
    response = staff_client.post(
        url(PartyOrganisation, "changelist") + "move/",
        {"node": cast.cell_a.pk, "target": cast.ward.pk, "relation": "child"},
    )
    assert response.status_code == 200
    cast.cell_a.refresh_from_db()
    assert PartyOrganisation.objects.get_parent(cast.cell_a) == cast.ward
    event = AuditEvent.objects.get(action="admin.change")
    assert before(event)["path"] != after(event)["path"]


def test_staff_audit_log_lists_only_their_own_events(cast, staff_client):
    AuditEvent.objects.create(actor_repr="system", action="other.event")
    AuditEvent.objects.create(actor=cast.org_board, actor_repr="org_board", action="own.event")
    listed = staff_client.get(url(AuditEvent, "changelist")).context["cl"].result_list
    assert [event.action for event in listed] == ["own.event"]


def test_dates_in_the_audit_are_iso_strings(cast, superuser_client):
    membership = current_membership(cast.member)
    data = form_data(superuser_client.get(url(Membership, "change", membership.pk)))
    data["end_date"] = datetime.date(2025, 8, 31).isoformat()
    data["status"] = "transferred"
    assert superuser_client.post(url(Membership, "change", membership.pk), data).status_code == 302
    event = AuditEvent.objects.get(action="admin.change")
    assert (before(event)["status"], after(event)["status"]) == ("active", "transferred")
    assert after(event)["end_date"] == "2025-08-31"


def test_staff_add_organisations_only_under_nodes_of_their_ward(cast, staff_client):
    data = form_data(staff_client.get(url(PartyOrganisation, "add")))
    data.update(name="Chi bộ lạc chỗ", code="X10", kind=OrganisationKind.GRASSROOTS_CELL)
    data.update(treebeard_position="first-child", treebeard_ref_node=cast.other_ward.pk)
    response = staff_client.post(url(PartyOrganisation, "add"), data)
    assert "treebeard_ref_node" in response.context["adminform"].form.errors
    data.update(treebeard_position="right", treebeard_ref_node=cast.ward.pk)
    assert staff_client.post(url(PartyOrganisation, "add"), data).status_code == 403
    assert not PartyOrganisation.objects.filter(code="X10").exists()
    data.update(treebeard_position="first-child")
    assert staff_client.post(url(PartyOrganisation, "add"), data).status_code == 302
    created = PartyOrganisation.objects.get(code="X10")
    assert PartyOrganisation.objects.get_parent(created) == cast.ward
    assert after(AuditEvent.objects.get(action="admin.add"))["code"] == "X10"


# --- Action programmes ----------------------------------------------------------------------------------------


def test_programmes_are_read_only_in_the_admin_and_hidden_from_staff(cast, superuser_client, staff_client):
    programme = make_confirmed(cast.member, cast.secretary.user)
    assert superuser_client.get(url(ActionProgramme, "changelist")).status_code == 200
    page = superuser_client.get(url(ActionProgramme, "change", programme.pk))
    assert page.status_code == 200
    assert 'name="title"' not in page.content.decode()
    assert superuser_client.get(url(ActionProgramme, "add")).status_code == 403
    assert superuser_client.post(url(ActionProgramme, "delete", programme.pk), {"post": "yes"}).status_code == 403
    assert staff_client.get(url(ActionProgramme, "changelist")).status_code == 403


def test_a_changed_confirmer_rule_is_audited(cast, superuser_client):
    rule = ConfirmerRule.objects.get(owner_standing="member", occasion="")
    response = superuser_client.get(url(ConfirmerRule, "change", rule.pk))
    data = form_data(response)
    data["confirming_body"] = "grassroots_committee"
    assert superuser_client.post(url(ConfirmerRule, "change", rule.pk), data).status_code == 302
    rule.refresh_from_db()
    assert rule.confirming_body == "grassroots_committee"
    event = AuditEvent.objects.get(action="admin.change", object_id=str(rule.pk), object_repr__contains="→")
    assert before(event)["confirming_body"] == "own_cell"
    assert after(event)["confirming_body"] == "grassroots_committee"
