"""Erasure: deleting a cadre leaves none of their citizen ID, phone or date of birth in any table of the portal,
row history and import jobs included; the audit event of the erasure keeps counts, never the values."""

import datetime
from typing import cast as typed

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models
from django.test import Client
from django.urls import reverse

from programmes import privacy
from programmes.importing.services import import_job_submit
from programmes.models import (
    AuditEvent,
    Cadre,
    CadrePrivateDetails,
    ImportJob,
    ImportKind,
    ImportStatus,
    Membership,
    PartyPost,
    Position,
    Role,
)
from tests.factories import PositionFactory, RoleAssignmentFactory, UserFactory
from tests.programmes.import_files import ROSTER_HEADERS, to_csv, to_xlsx
from tests.programmes.programme_data import make_confirmed
from tests.programmes.test_admin import form_data

pytestmark = pytest.mark.django_db

CODE = "XOA0001"
CITIZEN_ID = "079185012345"
FIRST_PHONE = "0912345678"
SECOND_PHONE = "0987654321"
BIRTH = datetime.date(1985, 3, 9)
OTHER_CITIZEN_ID = "079190054321"
# Every form a value can take in stored text: as entered, without the leading zero a spreadsheet drops, as dates print.
NEEDLES = [CITIZEN_ID, CITIZEN_ID.lstrip("0"), FIRST_PHONE, SECOND_PHONE, BIRTH.isoformat(), BIRTH.strftime("%d/%m/%Y")]
SCANNED_FIELDS = (models.CharField, models.TextField, models.JSONField, models.DateField, models.FileField)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def superuser_client() -> Client:
    client = Client()
    client.force_login(typed(User, UserFactory(username="quantri", is_staff=True, is_superuser=True)))
    return client


def scan(needle: str) -> list[str]:
    """Every column of every model (history tables and third-party apps included) whose stored text holds `needle`."""
    found = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = connection.ops.quote_name(model._meta.db_table)
            for field in model._meta.concrete_fields:
                if not isinstance(field, SCANNED_FIELDS):
                    continue
                column = connection.ops.quote_name(str(field.column))
                # Table and column names come from the models' own metadata, quoted; the value is a parameter.
                query = f"SELECT COUNT(*) FROM {table} WHERE CAST({column} AS TEXT) LIKE %s"  # noqa: S608
                cursor.execute(query, [f"%{needle}%"])
                if cursor.fetchone()[0]:
                    found.append(f"{model._meta.label}.{field.name}")
    return found


def roster_row(code: str, name: str, birth: str, citizen_id: str, phone: str, cell_code: str) -> list:
    return [code, name, "Nữ", birth, citizen_id, phone, f"{code.lower()}@example.vn", cell_code, "", "", "", ""]


def submit_roster(cast, data: bytes, name: str, django_capture_on_commit_callbacks) -> ImportJob:
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_submit(
            kind=ImportKind.ROSTER,
            uploaded_file=SimpleUploadedFile(name, data),
            scope=cast.ward,
            acting_user=cast.org_board,
        )
    job.refresh_from_db()
    return job


def imported_person(cast, django_capture_on_commit_callbacks) -> tuple[Cadre, ImportJob, ImportJob]:
    """The person comes in with the roster, next to a colleague; an earlier upload failed on the ID that the
    spreadsheet had turned into a number."""
    failed = submit_roster(
        cast,
        to_csv(ROSTER_HEADERS, [roster_row(CODE, "Đỗ Thị Xuân", "09/03/1985", "79185012345", "", cast.cell_a.code)]),
        "lan-dau.csv",
        django_capture_on_commit_callbacks,
    )
    assert failed.status == ImportStatus.FAILED
    rows = [
        roster_row(CODE, "Đỗ Thị Xuân", "09/03/1985", CITIZEN_ID, FIRST_PHONE, cast.cell_a.code),
        roster_row("XOA0002", "Lý Văn Yên", "01/01/1990", OTHER_CITIZEN_ID, "0900000002", cast.cell_a.code),
    ]
    job = submit_roster(cast, to_xlsx(ROSTER_HEADERS, rows), "dang-vien.xlsx", django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.SUCCEEDED
    return Cadre.objects.get(code=CODE), job, failed


def edit_in_the_admin(client: Client, cadre: Cadre) -> None:
    """Several saves of the cadre's form: a new phone, a new name, then a post added in its inline."""
    change = reverse("admin:programmes_cadre_change", args=[cadre.pk])
    data = form_data(client.get(change))
    prefix = next(key for key in data if key.endswith("-phone")).removesuffix("-phone")
    data[f"{prefix}-phone"] = SECOND_PHONE
    assert client.post(change, data).status_code == 302
    data = form_data(client.get(change))
    data["full_name"] = "Đỗ Thị Xuân Mai"
    assert client.post(change, data).status_code == 302


@pytest.mark.postgres
def test_deleting_a_cadre_in_the_admin_leaves_no_citizen_id_phone_or_birth_date_in_any_table(
    cast, superuser_client, django_capture_on_commit_callbacks, tmp_path
):
    cadre, job, failed = imported_person(cast, django_capture_on_commit_callbacks)
    PositionFactory(cadre=cadre, organisation=cast.cell_a, party_post=PartyPost.DEPUTY_SECRETARY)
    edit_in_the_admin(superuser_client, cadre)
    account = typed(User, UserFactory(username="xuan"))
    Cadre.objects.filter(pk=cadre.pk).update(user=account)
    RoleAssignmentFactory(user=account, role=Role.FRONT_OVERSEER, organisation=cast.ward)
    # Before: the values are really there, in the live rows and in the history.
    assert {"programmes.CadrePrivateDetails.citizen_id", "programmes.HistoricalCadrePrivateDetails.citizen_id"} <= set(
        scan(CITIZEN_ID)
    )
    assert "programmes.HistoricalCadrePrivateDetails.phone" in scan(FIRST_PHONE)
    assert "programmes.ImportJob.errors" in scan(CITIZEN_ID.lstrip("0"))
    stored_files = [tmp_path / job.file.name, tmp_path / failed.file.name]

    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(reverse("admin:programmes_cadre_delete", args=[cadre.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not Cadre.objects.filter(code=CODE).exists()
    for needle in NEEDLES:
        assert scan(needle) == [], needle
    # The colleague in the same file keeps everything: the scan does find what is still there.
    assert "programmes.CadrePrivateDetails.citizen_id" in scan(OTHER_CITIZEN_ID)
    assert Membership.objects.filter(cadre__code="XOA0002").exists()
    # Both uploaded files named the person: they are gone from the disk, the job rows stay as the record.
    assert ImportJob.objects.filter(pk__in=[job.pk, failed.pk], file="").count() == 2
    assert not any(path.exists() for path in stored_files)
    # The account is a separate record, with its own roles: left to the administrator.
    assert User.objects.filter(pk=account.pk).exists()

    event = AuditEvent.objects.get(action="cadre.erase")
    assert event.actor is not None and event.actor.username == "quantri"
    assert event.object_id == str(cadre.pk)
    assert event.after is not None
    assert event.after["private_details"] == 1
    assert event.after["memberships"] == 1
    assert event.after["positions"] == 1
    assert event.after["import_files"] == 2
    assert event.after["import_errors"] == 1
    # The imports, the three admin saves and the deletion each left history rows.
    assert event.after["history_rows"] >= 9
    assert not AuditEvent.objects.filter(action="admin.delete", object_id=str(cadre.pk)).exists()


def test_a_bulk_delete_in_the_admin_erases_each_cadre(cast, superuser_client, django_capture_on_commit_callbacks):
    cadre, _job, _failed = imported_person(cast, django_capture_on_commit_callbacks)
    edit_in_the_admin(superuser_client, cadre)
    other = Cadre.objects.get(code="XOA0002")

    response = superuser_client.post(
        reverse("admin:programmes_cadre_changelist"),
        {"action": "delete_selected", "_selected_action": [cadre.pk, other.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert not Cadre.objects.filter(code__in=[CODE, "XOA0002"]).exists()
    for needle in [*NEEDLES, OTHER_CITIZEN_ID]:
        assert scan(needle) == [], needle
    assert AuditEvent.objects.filter(action="cadre.erase").count() == 2


def test_a_cadre_with_a_programme_is_not_erased(cast):
    owner = make_confirmed(cast.member, cast.secretary.user).owner
    superuser = typed(User, UserFactory(username="quantri", is_superuser=True))

    with pytest.raises(ValidationError) as refused:
        privacy.cadre_erase(cadre=owner, acting_user=superuser)

    assert "chương trình hành động" in refused.value.messages[0]
    assert Cadre.objects.filter(pk=owner.pk).exists()
    assert CadrePrivateDetails.objects.filter(cadre=owner).exists()
    assert Cadre.history.filter(id=owner.pk).exists()
    assert not AuditEvent.objects.filter(action="cadre.erase").exists()


def test_only_board_staff_over_the_cadre_cell_or_an_administrator_may_erase(cast):
    other_board = typed(
        User,
        RoleAssignmentFactory(
            user=UserFactory(username="other_board"), role=Role.ORG_BOARD_STAFF, organisation=cast.other_ward
        ).user,
    )
    for refused in (other_board, cast.secretary.user, cast.member.user, cast.overseer):
        with pytest.raises(PermissionDenied):
            privacy.cadre_erase(cadre=cast.outsider, acting_user=refused)
    assert Cadre.objects.filter(pk=cast.outsider.pk).exists()

    counts = privacy.cadre_erase(cadre=cast.outsider, acting_user=cast.org_board)

    assert counts["private_details"] == 1 and counts["memberships"] == 1
    assert not Cadre.objects.filter(pk=cast.outsider.pk).exists()
    assert not Cadre.history.filter(id=cast.outsider.pk).exists()
    assert not Position.history.filter(cadre_id=cast.outsider.pk).exists()
