"""The audit log is append-only in the code and in the database; the tree, cadres and posts keep row history."""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction

from programmes import services
from programmes.audit import audit_record
from programmes.models import AuditEvent, Cadre, OrganisationKind, PartyPost, Position, PostKind
from programmes.models.audit import AppendOnlyError

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(cast) -> AuditEvent:
    return audit_record(actor=cast.org_board, action="test.event", obj=cast.ward, after={"name": cast.ward.name})


def test_an_event_cannot_be_changed_or_deleted_through_the_model(event):
    event.action = "test.changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="test.changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE programmes_auditevent SET action = 'test.changed' WHERE id = %s",
        "DELETE FROM programmes_auditevent WHERE id = %s",
    ],
    ids=["update", "delete"],
)
def test_the_database_refuses_raw_updates_and_deletes(event, statement):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


def test_services_leave_row_history_for_organisations_cadres_and_posts(cast):
    cell = services.organisation_create(
        parent=cast.grassroots,
        name="Chi bộ Khu phố 1C",
        kind=OrganisationKind.SUBORDINATE_CELL,
        code="KP1C",
        acting_user=cast.org_board,
    )
    services.organisation_close(organisation=cell, valid_to=datetime.date(2025, 12, 31), acting_user=cast.org_board)
    assert [h.valid_to for h in cell.history.order_by("history_id")] == [None, datetime.date(2025, 12, 31)]

    position = services.position_assign(
        cadre=cast.member,
        post_kind=PostKind.PARTY,
        party_post=PartyPost.DEPUTY_SECRETARY,
        organisation=cast.cell_a,
        start_date=datetime.date(2025, 9, 1),
        acting_user=cast.org_board,
    )
    services.position_end(position=position, end_date=datetime.date(2025, 12, 31), acting_user=cast.org_board)
    records = Position.history.filter(id=position.pk).order_by("history_id")
    assert [(r.history_type, r.end_date) for r in records] == [("+", None), ("~", datetime.date(2025, 12, 31))]


def test_cadre_renames_are_kept_in_row_history(cast):
    cadre = Cadre.objects.get(pk=cast.member.pk)
    cadre.full_name = "Trần Thị Ánh Hồng"
    cadre.save()
    assert list(cadre.history.order_by("history_id").values_list("full_name", flat=True)) == [
        "Trần Thị Ánh",
        "Trần Thị Ánh Hồng",
    ]
