import datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from programmes.importing.communes import committee_name, historic_code, import_communes
from programmes.models import AuditEvent, OrganisationKind, OrganisationSuccession, PartyOrganisation, SuccessionShare
from tests.programmes.import_files import row_counts

HCMC = Path(__file__).resolve().parent.parent / "data" / "vn-communes-2025-hcmc.csv"
REFORM_DAY = datetime.date(2025, 7, 1)


@pytest.fixture
def hcmc(db):
    result = import_communes(source=HCMC, province="79")
    assert result.errors == []
    return result


def test_hcmc_has_168_current_units_by_kind_of_place(hcmc):
    city = PartyOrganisation.objects.get(code="79")
    assert city.kind == OrganisationKind.CITY_COMMITTEE
    assert city.name == "Đảng bộ Thành phố Hồ Chí Minh"
    current = PartyOrganisation.objects.filter(valid_from=REFORM_DAY, kind=OrganisationKind.COMMUNE_COMMITTEE)
    assert current.count() == 168
    names = list(current.values_list("name", flat=True))
    assert sum(name.startswith("Đảng bộ phường ") for name in names) == 113
    assert sum(name.startswith("Đảng bộ xã ") for name in names) == 54
    assert sum(name.startswith("Đảng bộ đặc khu ") for name in names) == 1
    assert all(unit.path.startswith(city.path) and unit.depth == 2 for unit in current)


def test_each_current_unit_keeps_its_predecessors_as_closed_units(hcmc):
    current = PartyOrganisation.objects.filter(valid_from=REFORM_DAY)
    assert all(unit.predecessors.exists() for unit in current)
    historic = PartyOrganisation.objects.filter(valid_to=datetime.date(2025, 6, 30))
    assert historic.count() == 442
    assert not any(unit.is_active_on(REFORM_DAY) for unit in historic)
    assert OrganisationSuccession.objects.count() == 493
    assert not OrganisationSuccession.objects.exclude(effective_on=REFORM_DAY).exists()


def test_a_reused_code_and_a_split_unit_are_kept_apart(hcmc):
    # New 25747 (Thủ Dầu Một) was formed partly from old 25741, which also went to new 25750 (Phú Lợi).
    new = PartyOrganisation.objects.get(code="79-25747")
    old_same_code = PartyOrganisation.objects.get(code=historic_code("79", "25747"))
    assert new.name == "Đảng bộ phường Thủ Dầu Một"
    assert old_same_code.name == "Đảng bộ phường Phú Cường"
    split = PartyOrganisation.objects.get(code=historic_code("79", "25741"))
    assert sorted(split.successors.values_list("code", flat=True)) == ["79-25747", "79-25750"]
    shares = set(OrganisationSuccession.objects.filter(predecessor=split).values_list("share", flat=True))
    assert shares == {SuccessionShare.PARTIAL}
    assert PartyOrganisation.objects.filter(admin_area_code="25741").count() == 1


@pytest.mark.parametrize(
    ("area", "committee"),
    [
        ("Phường Bến Thành", "Đảng bộ phường Bến Thành"),
        ("Xã  Bình Chánh", "Đảng bộ xã Bình Chánh"),
        ("Đặc khu Côn Đảo", "Đảng bộ đặc khu Côn Đảo"),
        ("phường Tân Định", "Đảng bộ phường Tân Định"),
        ("Thành phố Hồ Chí Minh", "Đảng bộ Thành phố Hồ Chí Minh"),
        ("Phường 1", "Đảng bộ phường 1"),
    ],
)
def test_committee_names_follow_party_document_style(area, committee):
    assert committee_name(area) == committee


def test_demo_data_and_the_official_list_name_the_same_units_alike(hcmc):
    """Loading the demo after the real list (or the other way round) must not rename anything."""
    official = dict(PartyOrganisation.objects.values_list("code", "name"))
    call_command("seed_demo", verbosity=0)
    renamed = {
        code: (name, official[code])
        for code, name in PartyOrganisation.objects.values_list("code", "name")
        if code in official and official[code] != name
    }
    assert renamed == {}


@pytest.mark.postgres
def test_importing_hcmc_twice_changes_nothing(hcmc):
    assert hcmc.counts() == {"created": 611, "updated": 0, "unchanged": 0}
    before = row_counts()
    again = import_communes(source=HCMC, province="79")
    assert again.counts() == {"created": 0, "updated": 0, "unchanged": 611}
    after = row_counts()
    assert after.pop("AuditEvent") == before.pop("AuditEvent") + 1
    assert after == before
    assert AuditEvent.objects.filter(action="import.communes").count() == 2


@pytest.mark.django_db
def test_import_communes_command_prints_counts_and_refuses_an_unknown_province(capsys):
    call_command("import_communes", str(HCMC), "--province", "79")
    assert "611" in capsys.readouterr().out
    with pytest.raises(CommandError) as refused:
        call_command("import_communes", str(HCMC), "--province", "01")
    assert refused.value.returncode == 1
    assert "01" in capsys.readouterr().err
