"""The demo data command: deterministic, idempotent, realistic enough, and every demo account works."""

import json
import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import reverse

from programmes import access
from programmes.access import Persona
from programmes.models import (
    AuditEvent,
    Cadre,
    CadrePrivateDetails,
    Membership,
    MembershipStatus,
    MemberType,
    OrganisationSuccession,
    PartyOrganisation,
    Position,
    PostKind,
    RoleAssignment,
)

pytestmark = pytest.mark.django_db

EXPECTED_PERSONAS = {
    "quantri": set(),
    "bantochuc": {Persona.ORG_BOARD_STAFF},
    "mattran": {Persona.FRONT_OVERSEER},
    "hdnd": {Persona.COUNCIL_OVERSEER},
    "dangvien": {Persona.MEMBER},
    "bithuchibo": {Persona.MEMBER, Persona.CELL_SECRETARY},
    "capuy": {Persona.MEMBER, Persona.COMMITTEE_MEMBER},
    "bithudangbo": {Persona.MEMBER, Persona.COMMITTEE_HEAD},
    "bithuphuong": {Persona.MEMBER, Persona.COMMITTEE_HEAD},
}
MODELS: list[type[models.Model]] = [
    PartyOrganisation,
    OrganisationSuccession,
    Cadre,
    CadrePrivateDetails,
    Membership,
    Position,
    RoleAssignment,
]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def state() -> dict:
    return {
        "counts": {model.__name__: model._default_manager.count() for model in MODELS},
        "names": list(Cadre.objects.order_by("code").values_list("code", "full_name")),
        "organisations": list(PartyOrganisation.objects.order_by("path").values_list("code", "name", "path")),
        "ids": list(CadrePrivateDetails.objects.order_by("cadre__code").values_list("citizen_id", flat=True)),
    }


@pytest.mark.postgres
def test_running_twice_leaves_the_same_data():
    first_output = seed()
    first = state()
    second_output = seed()
    assert state() == first
    assert "0 bản ghi mới, 0 bản ghi cập nhật" in second_output
    assert "0 bản ghi mới" not in first_output
    assert AuditEvent.objects.filter(action="demo.seed").count() == 2


def test_the_slice_is_a_realistic_hcmc_structure_after_july_2025():
    seed()
    assert 280 <= Cadre.objects.count() <= 320
    city = PartyOrganisation.objects.get(code="79")
    assert city.name == "Đảng bộ Thành phố Hồ Chí Minh"
    wards = PartyOrganisation.objects.filter(kind="commune_committee", valid_to__isnull=True)
    assert set(wards.values_list("admin_area_code", flat=True)) == {"26740", "26743", "26737", "27637"}
    ben_thanh = wards.get(admin_area_code="26743")
    assert ben_thanh.name == "Đảng bộ phường Bến Thành"
    formed_from = PartyOrganisation.objects.filter(succession_as_predecessor__successor=ben_thanh)
    assert formed_from.count() == 4
    assert all(old.valid_to.isoformat() == "2025-06-30" for old in formed_from)
    assert Membership.objects.filter(status=MembershipStatus.EXEMPT).count() == 1
    assert Membership.objects.filter(status=MembershipStatus.SUSPENDED).count() == 1
    assert 1 <= Membership.objects.filter(member_type=MemberType.PROBATIONARY).count() <= 30
    assert (
        Position.objects.filter(post_kind=PostKind.GOVERNMENT, is_head=True, title__startswith="Chủ tịch").count() == 4
    )
    assert Position.objects.filter(title__startswith="Hiệu trưởng").exists()
    assert Position.objects.filter(title__startswith="Giám đốc Bệnh viện").exists()
    assert Position.objects.filter(title__startswith="Trưởng khu phố").exists()
    for cell in PartyOrganisation.objects.filter(kind__in=["subordinate_cell", "grassroots_cell"]):
        posts = set(cell.positions.filter(post_kind=PostKind.PARTY).values_list("party_post", flat=True))
        assert posts == {"secretary", "deputy_secretary"}, cell
    surnames = [name.split()[0] for name in Cadre.objects.values_list("full_name", flat=True)]
    assert 0.3 <= surnames.count("Nguyễn") / len(surnames) <= 0.5


def test_private_details_are_well_formed():
    seed()
    details = list(CadrePrivateDetails.objects.all())
    assert len(details) == Cadre.objects.count()
    assert all(re.fullmatch(r"079[0-3]\d{8}", d.citizen_id) for d in details)
    assert all(re.fullmatch(r"09\d{8}", d.phone) for d in details)
    assert len({d.citizen_id for d in details}) == len(details)
    for d in details:
        assert d.date_of_birth is not None
        assert d.citizen_id[4:6] == f"{d.date_of_birth.year % 100:02d}"


def test_every_demo_account_logs_in_and_holds_its_personas():
    seed("--password", "mat-khau-demo")
    for username, personas in EXPECTED_PERSONAS.items():
        client = Client()
        response = client.post(reverse("login"), {"username": username, "password": "mat-khau-demo"})
        assert response.status_code == 302, username
        user = response.wsgi_request.user
        assert user.is_authenticated and user.username == username
        assert access.personas(user) == personas, username
    assert response.wsgi_request.user.is_superuser is False
    dangvien = Cadre.objects.get(user__username="dangvien")
    bithuchibo = Cadre.objects.get(user__username="bithuchibo")
    cells = [cadre.memberships.get(end_date__isnull=True).cell for cadre in (dangvien, bithuchibo)]
    assert cells[0] == cells[1]


def test_the_password_comes_from_the_environment_and_a_changed_one_is_reset(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "tu-bien-moi-truong")
    output = seed()
    assert "tu-bien-moi-truong" in output
    user = User.objects.get(username="dangvien")
    assert user.check_password("tu-bien-moi-truong")
    seed("--password", "demo-2025")
    user.refresh_from_db()
    assert user.check_password("demo-2025")


def test_no_citizen_id_or_phone_reaches_the_audit_log():
    seed()
    seed()
    logged = json.dumps(list(AuditEvent.objects.values("before", "after", "object_repr")), ensure_ascii=False)
    for citizen_id, phone in CadrePrivateDetails.objects.values_list("citizen_id", "phone"):
        assert citizen_id not in logged
        assert phone not in logged
    assert AuditEvent.objects.filter(action="demo.seed", actor__isnull=True).count() == 2


def test_accounts_option_prints_the_table_and_writes_nothing():
    output = seed("--accounts")
    for username in EXPECTED_PERSONAS:
        assert re.search(rf"^{username}\s", output, re.MULTILINE), username
    assert "Cán bộ Ban Tổ chức" in output
    assert "Đảng bộ phường Bến Thành" in output
    assert not PartyOrganisation.objects.exists()
    assert not AuditEvent.objects.exists()
