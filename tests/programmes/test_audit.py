"""The audit log is append-only in the code and in the database; the tree, cadres and posts keep row history."""

import ast
import datetime
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from programmes import services
from programmes.audit import action_choices, action_label, actions_matching, audit_record
from programmes.audit_actions import RosterAction
from programmes.models import AuditEvent, Cadre, OrganisationKind, PartyPost, Position, PostKind
from programmes.models.audit import AppendOnlyError

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parents[2]
APPLICATION_PACKAGES = {"programmes", "reviews", "publicity", "demo", "config"}


@pytest.fixture
def event(cast) -> AuditEvent:
    return audit_record(
        actor=cast.org_board, action=RosterAction.ORGANISATION_CREATE, obj=cast.ward, after={"name": cast.ward.name}
    )


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
    assert AuditEvent.objects.get(pk=event.pk).action == "organisation.create"


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
    assert AuditEvent.objects.get(pk=event.pk).action == "organisation.create"


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


# --- Actions: declared once, with their labels ------------------------------------------------------------


def test_an_undeclared_action_is_refused_where_it_is_written(cast):
    with pytest.raises(ValueError, match=r"organisation\.creat"):
        audit_record(actor=cast.org_board, action="organisation.creat", obj=cast.ward)

    assert not AuditEvent.objects.filter(action="organisation.creat").exists()


def test_every_app_declares_its_actions_with_a_label_of_its_own():
    codes = [code for code, _label in action_choices()]
    labels = [label for _code, label in action_choices()]

    assert {"programme.confirm", "review.decide", "feedback.answer", "demo.seed"} <= set(codes)
    assert len(codes) == len(set(codes)) and len(labels) == len(set(labels))
    assert all(label != code for code, label in action_choices())
    assert action_label("review.decide") == "Cấp ủy quyết định xếp loại"
    # An event written by an older release under a code no longer declared still reads as what it stored.
    assert action_label("legacy.gone") == "legacy.gone"


def test_the_log_filter_finds_actions_by_their_words_in_either_case():
    assert set(actions_matching("XÁC NHẬN chương trình")) == {"programme.submit", "programme.confirm"}
    assert set(actions_matching("review.appeal")) == {"review.appeal", "review.appeal_resolve"}
    assert actions_matching("no such words") == []


def _action_literals_in_application_code() -> list[str]:
    """`action="x.y"` keywords and `_audit(…, "x.y", …)` arguments: codes written as bare strings."""
    declared = dict(action_choices())
    found = []
    for path in sorted(PROJECT.glob("*/**/*.py")):
        relative = path.relative_to(PROJECT)
        if relative.parts[0] not in APPLICATION_PACKAGES or "migrations" in relative.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            arguments = [keyword.value for keyword in node.keywords if keyword.arg == "action"] + node.args
            for argument in arguments:
                written = argument.value if isinstance(argument, ast.Constant) else None
                if isinstance(written, str) and written in declared:
                    found.append(f"{relative}:{node.lineno} {written}")
    return found


def test_application_code_names_actions_by_their_constants():
    assert _action_literals_in_application_code() == []
