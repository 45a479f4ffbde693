import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied

from programmes.importing.services import import_file
from programmes.models import AuditEvent, OrganisationKind, OrganisationSuccession, PartyOrganisation, SuccessionShare
from tests.factories import RoleAssignmentFactory, UserFactory
from tests.programmes.import_files import ORGANISATION_HEADERS, row_counts, to_csv, to_xlsx, where

TREE = [
    ["HCM", "Đảng bộ Thành phố", "city_committee", "", "", "", "", ""],
    ["HCM-BT", "Đảng bộ phường Bến Thành", "Đảng bộ xã, phường, đặc khu", "HCM", "26743", "01/07/2025", "", ""],
    ["HCM-BT-KP1", "Đảng bộ Khu phố 1", "dang bo co so", "HCM-BT", "", "2025-07-01", "", ""],
    ["HCM-BT-KP1A", "Chi bộ Khu phố 1A", "Chi bộ trực thuộc", "HCM-BT-KP1", "", "", "", ""],
]


def run(data: bytes, name: str = "to-chuc.csv", **kwargs):
    kwargs.setdefault("acting_user", None)
    return import_file(kind="organisations", source=io.BytesIO(data), name=name, **kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize("build, name", [(to_csv, "to-chuc.csv"), (to_xlsx, "to-chuc.xlsx")])
def test_organisation_file_builds_the_tree_parents_first(build, name):
    # Children listed before their parents still land under them.
    result = run(build(ORGANISATION_HEADERS, list(reversed(TREE))), name)

    assert result.errors == []
    assert result.counts() == {"created": 4, "updated": 0, "unchanged": 0}
    cell = PartyOrganisation.objects.get(code="HCM-BT-KP1A")
    assert cell.kind == OrganisationKind.SUBORDINATE_CELL
    assert [o.code for o in PartyOrganisation.objects.get_ancestors(cell)] == ["HCM", "HCM-BT", "HCM-BT-KP1"]
    ward = PartyOrganisation.objects.get(code="HCM-BT")
    assert ward.valid_from == datetime.date(2025, 7, 1)
    assert ward.admin_area_code == "26743"
    assert ward.history.count() == 1
    event = AuditEvent.objects.get(action="import.organisations")
    assert event.actor is None
    assert event.after == {"created": 4, "updated": 0, "unchanged": 0}


@pytest.mark.django_db
def test_decomposed_vietnamese_is_stored_composed():
    decomposed = "Chi bo\u0302\u0323 Khu pho\u0302\u0301 1A"
    rows = [*TREE[:3], ["HCM-BT-KP1A", decomposed, "subordinate_cell", "HCM-BT-KP1", "", "", "", ""]]
    assert run(to_csv(ORGANISATION_HEADERS, rows)).ok
    assert PartyOrganisation.objects.get(code="HCM-BT-KP1A").name == "Chi bộ Khu phố 1A"


@pytest.mark.django_db
@pytest.mark.postgres
def test_same_organisation_file_twice_changes_nothing():
    data = to_xlsx(ORGANISATION_HEADERS, TREE)
    first = run(data, "to-chuc.xlsx")
    before = row_counts()

    second = run(data, "to-chuc.xlsx")

    assert first.counts() == {"created": 4, "updated": 0, "unchanged": 0}
    assert second.counts() == {"created": 0, "updated": 0, "unchanged": 4}
    after = row_counts()
    assert after.pop("AuditEvent") == before.pop("AuditEvent") + 1
    assert after == before


@pytest.mark.django_db
def test_changed_parent_moves_the_organisation_with_its_subtree():
    run(
        to_csv(
            ORGANISATION_HEADERS, [*TREE, ["HCM-ST", "Đảng bộ phường Sài Gòn", "commune_committee", "HCM"] + [""] * 4]
        )
    )
    moved = [row[:] for row in TREE]
    moved[2][3] = "HCM-ST"
    moved[2][1] = "Đảng bộ Khu phố 1 (Sài Gòn)"

    result = run(to_csv(ORGANISATION_HEADERS, moved))

    assert result.counts() == {"created": 0, "updated": 1, "unchanged": 3}
    cell = PartyOrganisation.objects.get(code="HCM-BT-KP1A")
    assert [o.code for o in PartyOrganisation.objects.get_ancestors(cell)] == ["HCM", "HCM-ST", "HCM-BT-KP1"]
    grassroots = PartyOrganisation.objects.get(code="HCM-BT-KP1")
    assert grassroots.name == "Đảng bộ Khu phố 1 (Sài Gòn)"
    assert grassroots.history.first().path == grassroots.path
    assert PartyOrganisation.objects.find_problems() == ([], [], [], [], [])


@pytest.mark.django_db
def test_predecessors_are_linked_once():
    rows = [
        *TREE[:2],
        ["OLD-1", "Đảng bộ phường 1 (cũ)", "commune_committee", "HCM", "", "", "30/06/2025", ""],
        ["OLD-2", "Đảng bộ phường 2 (cũ)", "commune_committee", "HCM", "", "", "30/06/2025", ""],
    ]
    rows[1] = [*rows[1][:7], "OLD-1; OLD-2"]
    assert run(to_csv(ORGANISATION_HEADERS, rows)).ok
    assert run(to_csv(ORGANISATION_HEADERS, rows)).counts()["updated"] == 0

    ward = PartyOrganisation.objects.get(code="HCM-BT")
    assert sorted(ward.predecessors.values_list("code", flat=True)) == ["OLD-1", "OLD-2"]
    link = OrganisationSuccession.objects.get(predecessor__code="OLD-1")
    assert (link.share, link.effective_on) == (SuccessionShare.FULL, datetime.date(2025, 7, 1))


def _refused(rows, expected, headers=ORGANISATION_HEADERS, **kwargs):
    before = row_counts()
    result = run(to_csv(headers, rows), **kwargs)
    assert expected <= where(result), result.errors
    assert all(issue.message for issue in result.errors)
    assert row_counts() == before
    return result


@pytest.mark.django_db
def test_missing_and_unknown_columns_are_reported_once_on_row_1():
    headers = [h for h in ORGANISATION_HEADERS if h != "loai"] + ["ghi_chu"]
    result = _refused([["X", "Y", "", "", "", "", "", "z"]] * 3, {(1, "loai"), (1, "ghi_chu")}, headers=headers)
    assert len(result.errors) == 2


@pytest.mark.django_db
def test_unknown_parent_is_refused():
    _refused([*TREE[:1], ["A", "Đảng bộ A", "commune_committee", "KHONG-CO", "", "", "", ""]], {(3, "ma_cap_tren")})


@pytest.mark.django_db
def test_duplicate_code_in_the_file_is_refused():
    result = _refused([*TREE, TREE[1]], {(6, "ma_to_chuc")})
    assert "dòng 3" in result.errors[0].message


@pytest.mark.django_db
def test_bad_date_end_before_start_and_bad_kind_are_all_listed():
    rows = [
        *TREE[:1],
        ["A", "Đảng bộ A", "commune_committee", "HCM", "", "31/02/2025", "", ""],
        ["B", "Đảng bộ B", "commune_committee", "HCM", "", "01/07/2025", "30/06/2025", ""],
        ["C", "Đảng bộ C", "phường", "HCM", "", "", "", ""],
    ]
    result = _refused(rows, {(3, "hieu_luc_tu"), (4, "hieu_luc_den"), (5, "loai")})
    assert len(result.errors) == 3
    assert "dd/mm/yyyy" in result.errors[0].message


@pytest.mark.django_db
def test_cycle_in_the_tree_is_refused():
    rows = [
        ["A", "Đảng bộ A", "commune_committee", "B", "", "", "", ""],
        ["B", "Đảng bộ B", "commune_committee", "A", "", "", "", ""],
    ]
    result = _refused(rows, {(2, "ma_cap_tren"), (3, "ma_cap_tren")})
    assert "A → B → A" in result.errors[0].message


@pytest.mark.django_db
def test_moving_an_organisation_under_its_own_descendant_is_refused():
    run(to_csv(ORGANISATION_HEADERS, TREE))
    _refused(
        [["HCM-BT", "Đảng bộ phường Bến Thành", "commune_committee", "HCM-BT-KP1A", "", "", "", ""]],
        {(2, "ma_cap_tren")},
    )


@pytest.mark.django_db
def test_unknown_predecessor_is_refused():
    _refused([[*TREE[0][:7], "KHONG-CO"]], {(2, "ma_tien_than")})


@pytest.mark.django_db
def test_cell_with_members_cannot_become_a_committee(cast):
    rows = [[cast.cell_a.code, cast.cell_a.name, "grassroots_committee", cast.grassroots.code, "", "", "", ""]]
    _refused(rows, {(2, "loai")})


@pytest.mark.django_db
def test_staff_of_another_ward_cannot_touch_this_ward(cast):
    other_board = UserFactory(username="other_board")
    RoleAssignmentFactory(user=other_board, organisation=cast.other_ward)
    rows = [
        [cast.ward.code, "Đổi tên", "commune_committee", cast.city.code, "", "", "", ""],
        ["MOI", "Chi bộ mới", "subordinate_cell", cast.grassroots.code, "", "", "", ""],
    ]
    _refused(rows, {(2, "ma_to_chuc"), (3, "ma_cap_tren")}, acting_user=other_board, scope=cast.other_ward)


@pytest.mark.django_db
def test_staff_may_add_inside_their_ward_but_not_a_new_root(cast):
    ok = run(
        to_csv(ORGANISATION_HEADERS, [["MOI", "Chi bộ mới", "subordinate_cell", cast.grassroots.code] + [""] * 4]),
        acting_user=cast.org_board,
        scope=cast.ward,
    )
    assert ok.counts()["created"] == 1
    assert AuditEvent.objects.get(action="import.organisations").actor == cast.org_board
    _refused(
        [["GOC", "Tổ chức gốc", "city_committee"] + [""] * 5],
        {(2, "ma_cap_tren")},
        acting_user=cast.org_board,
        scope=cast.ward,
    )


@pytest.mark.django_db
def test_a_member_cannot_import_at_all(cast):
    with pytest.raises(PermissionDenied):
        run(to_csv(ORGANISATION_HEADERS, TREE), acting_user=cast.member.user, scope=cast.cell_a)
