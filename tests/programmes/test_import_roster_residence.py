"""The roster's residence columns (Quy định 213-QĐ/TW): the cell where each member lives, often in another ward than
the importer's, and the exemption with its reason. A file without them changes nothing of what is stored."""

import pytest

from programmes.models import Cadre, Membership, OrganisationKind, ResidenceExemption
from tests.factories import make_organisation
from tests.programmes.import_files import RESIDENCE_HEADERS, ROSTER_HEADERS, to_csv
from tests.programmes.test_import_roster import roster_rows, run

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

HEADERS = [*ROSTER_HEADERS, *RESIDENCE_HEADERS]


def _current(code: str) -> Membership:
    return Membership.objects.get(cadre=Cadre.objects.get(code=code), end_date__isnull=True)


@pytest.fixture
def residence_cell(cast):
    return make_organisation(
        "Chi bộ Khu phố 2", OrganisationKind.SUBORDINATE_CELL, cast.other_ward, code="79-26740-KP2"
    )


def test_residence_cell_of_another_ward_and_exemptions_are_imported(cast, residence_cell):
    rows = roster_rows(cast.cell_a.code, count=3)
    rows[0] += [residence_cell.code, "", ""]
    rows[1] += ["", "doanh_trai", ""]
    rows[2] += [residence_cell.code, "khac", "Biệt phái công tác ở nước ngoài"]

    result = run(to_csv(HEADERS, rows), acting_user=cast.org_board, scope=cast.ward)

    assert result.errors == []
    assert _current("IMP0001").residence_cell == residence_cell
    assert _current("IMP0002").residence_exemption == ResidenceExemption.BARRACKS
    third = _current("IMP0003")
    assert (third.residence_exemption, third.residence_exemption_reason) == (
        ResidenceExemption.OTHER,
        "Biệt phái công tác ở nước ngoài",
    )
    # A file of the older template keeps the residence as it was; clearing the cell in the column clears it.
    older = run(
        to_csv(ROSTER_HEADERS, roster_rows(cast.cell_a.code, count=1)), acting_user=cast.org_board, scope=cast.ward
    )
    assert older.errors == []
    assert _current("IMP0001").residence_cell == residence_cell
    cleared = roster_rows(cast.cell_a.code, count=1)
    cleared[0] += ["", "", ""]
    assert run(to_csv(HEADERS, cleared), acting_user=cast.org_board, scope=cast.ward).counts()["updated"] == 1
    assert _current("IMP0001").residence_cell is None


def test_an_unknown_residence_cell_code_is_refused_with_its_row_and_nothing_is_saved(cast, residence_cell):
    rows = roster_rows(cast.cell_a.code, count=2)
    rows[0] += ["79-99999-KP9", "", ""]
    rows[1] += [cast.grassroots.code, "khac", ""]

    result = run(to_csv(HEADERS, rows), acting_user=cast.org_board, scope=cast.ward)

    messages = {(issue.row, issue.column): issue.message for issue in result.errors}
    assert "Không có chi bộ nơi cư trú mã “79-99999-KP9”" in messages[(2, "ma_chi_bo_cu_tru")]
    assert "không phải chi bộ" in messages[(3, "ma_chi_bo_cu_tru")]
    assert "lý do khác" in messages[(3, "ly_do_mien")]
    assert not Cadre.objects.filter(code__startswith="IMP").exists()
