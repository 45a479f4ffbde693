"""People and programmes for the end-of-term tests: the member's confirmed programme, and a secretary and staff of
another ward."""

from programmes.models import OrganisationKind, PartyPost, Role
from tests.factories import PositionFactory, RoleAssignmentFactory, UserFactory, make_member, make_organisation


def other_ward_people(cast):
    """(the secretary of a cell in the other ward, organisation-board staff of the other ward)."""
    grassroots = make_organisation("Đảng bộ Khu phố 9", OrganisationKind.GRASSROOTS_COMMITTEE, cast.other_ward)
    cell = make_organisation("Chi bộ Khu phố 9A", OrganisationKind.SUBORDINATE_CELL, grassroots)
    secretary = make_member(cell, "other_secretary", full_name="Đặng Văn Giang")
    PositionFactory(cadre=secretary, organisation=cell, party_post=PartyPost.SECRETARY)
    staff = RoleAssignmentFactory(
        user=UserFactory(username="other_org_board"), role=Role.ORG_BOARD_STAFF, organisation=cast.other_ward
    ).user
    return secretary.user, staff
