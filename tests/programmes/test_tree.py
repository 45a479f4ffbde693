"""The organisation tree: subtree reads cost the same at any depth, grassroots lookup, history links, validity."""

import datetime
from typing import cast as typed

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from programmes import access, selectors
from programmes.access import Action
from programmes.models import OrganisationKind, OrganisationSuccession, PartyOrganisation, Role, SuccessionShare
from tests.factories import RoleAssignmentFactory, UserFactory, make_member, make_organisation

pytestmark = pytest.mark.django_db


def chain(depth: int, prefix: str) -> list[PartyOrganisation]:
    """A line of `depth` organisations, each under the previous one, the last one a cell with two members."""
    nodes = [make_organisation(f"Đảng bộ {prefix} 1", OrganisationKind.CITY_COMMITTEE)]
    for level in range(2, depth):
        nodes.append(make_organisation(f"Đảng bộ {prefix} {level}", OrganisationKind.SECTION_COMMITTEE, nodes[-1]))
    nodes.append(make_organisation(f"Chi bộ {prefix}", OrganisationKind.SUBORDINATE_CELL, nodes[-1]))
    make_member(nodes[-1], full_name="Nguyễn Văn An")
    make_member(nodes[-1], full_name="Lê Thị Bình")
    return nodes


def queries_for(read) -> int:
    with CaptureQueriesContext(connection) as context:
        read()
    return len(context.captured_queries)


@pytest.mark.postgres
def test_subtree_reads_take_the_same_queries_at_depth_3_and_8():
    shallow, deep = chain(3, "nông"), chain(8, "sâu")
    assert deep[-1].depth == 8
    counts = {}
    for name, nodes in (("shallow", shallow), ("deep", deep)):
        staff = typed(User, UserFactory(username=f"staff_{name}"))
        RoleAssignmentFactory(user=staff, role=Role.ORG_BOARD_STAFF, organisation=nodes[0])
        access.grants_for(staff)
        subtree = queries_for(lambda s=staff: list(access.organisations_where(s, Action.MANAGE_TREE)))
        members = queries_for(lambda top=nodes[0]: list(selectors.members_of(top)))
        assert len(list(access.organisations_where(staff, Action.MANAGE_TREE))) == len(nodes)
        assert len(list(selectors.members_of(nodes[0]))) == 2
        counts[name] = (subtree, members)
    assert counts["shallow"] == counts["deep"]
    assert counts["deep"][0] == 1


def test_grassroots_organisation_is_found_from_any_node_below_it(cast):
    group = make_organisation("Tổ đảng 1", OrganisationKind.PARTY_GROUP, cast.cell_a)
    assert cast.cell_a.grassroots_organisation() == cast.grassroots
    assert group.grassroots_organisation() == cast.grassroots
    assert cast.grassroots.grassroots_organisation() == cast.grassroots
    grassroots_cell = make_organisation("Chi bộ Khu phố 3", OrganisationKind.GRASSROOTS_CELL, cast.ward)
    assert grassroots_cell.grassroots_organisation() == grassroots_cell
    assert cast.ward.grassroots_organisation() is None


def test_succession_links_keep_where_a_unit_came_from_and_went(cast):
    old_a = make_organisation("Đảng bộ phường Bến Thành, Quận 1", OrganisationKind.COMMUNE_COMMITTEE, cast.city)
    old_b = make_organisation("Đảng bộ phường Phạm Ngũ Lão, Quận 1", OrganisationKind.COMMUNE_COMMITTEE, cast.city)
    on = datetime.date(2025, 7, 1)
    OrganisationSuccession.objects.create(predecessor=old_a, successor=cast.ward, effective_on=on)
    OrganisationSuccession.objects.create(
        predecessor=old_b, successor=cast.ward, share=SuccessionShare.PARTIAL, effective_on=on
    )
    formed_from = PartyOrganisation.objects.filter(succession_as_predecessor__successor=cast.ward)
    assert set(formed_from) == {old_a, old_b}
    went_to = PartyOrganisation.objects.filter(succession_as_successor__predecessor=old_b)
    assert list(went_to) == [cast.ward]
    assert OrganisationSuccession.objects.get(predecessor=old_b).share == SuccessionShare.PARTIAL


@pytest.mark.postgres
def test_a_unit_cannot_succeed_itself_or_be_linked_twice(cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationSuccession.objects.create(predecessor=cast.ward, successor=cast.ward)
    OrganisationSuccession.objects.create(predecessor=cast.other_ward, successor=cast.ward)
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationSuccession.objects.create(predecessor=cast.other_ward, successor=cast.ward)


@pytest.mark.postgres
def test_validity_cannot_end_before_it_starts(cast):
    cast.cell_a.valid_from = datetime.date(2025, 7, 1)
    cast.cell_a.valid_to = datetime.date(2025, 6, 30)
    with pytest.raises(IntegrityError), transaction.atomic():
        cast.cell_a.save()
    cast.cell_a.valid_to = datetime.date(2025, 7, 1)
    cast.cell_a.save()
    assert cast.cell_a.is_active_on(datetime.date(2025, 7, 1))
    assert not cast.cell_a.is_active_on(datetime.date(2025, 7, 2))
    assert not cast.cell_a.is_active_on(datetime.date(2025, 6, 30))
