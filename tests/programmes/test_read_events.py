"""Reads on the record: opening another person's private data writes one read event, the person sees who looked,
and staff holding VIEW_AUDIT_LOG read events (and changes) of their own subtree only, with a CSV copy."""

import csv
import io
from typing import Any, cast

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmes.audit import audit_record
from programmes.audit_actions import RosterAction
from programmes.models import AuditEvent, ReadEvent, ReadKind, Role
from programmes.models.audit import AppendOnlyError
from tests.factories import RoleAssignmentFactory, UserFactory, client_for, make_member

pytestmark = pytest.mark.django_db


def new_user(**fields: Any) -> User:
    return cast(User, UserFactory(**fields))


@pytest.fixture
def other_board(cast) -> User:
    """Organisation-board staff of phường Sài Gòn."""
    user = new_user(username="bantochuc_saigon")
    RoleAssignmentFactory(user=user, role=Role.ORG_BOARD_STAFF, organisation=cast.other_ward)
    return user


def open_record(user: Any, cadre_pk: int) -> None:
    assert client_for(user).get(reverse("programmes:cadre_detail", args=[cadre_pk])).status_code == 200


def test_board_staff_opening_a_record_writes_one_read_event_in_one_query(cast):
    client = client_for(cast.org_board)
    url = reverse("programmes:cadre_detail", args=[cast.member.pk])
    client.get(url)  # the session and the caches are warm; count the second visit
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200

    writes = [query["sql"] for query in queries.captured_queries if "programmes_readevent" in query["sql"]]
    assert len(writes) == 1 and writes[0].startswith("INSERT")
    assert ReadEvent.objects.count() == 2
    event = ReadEvent.objects.first()
    assert event is not None
    assert event.reader == cast.org_board and event.subject == cast.member
    assert event.kind == ReadKind.CADRE_RECORD and event.scope_path == cast.cell_a.path
    assert event.ip_address == "127.0.0.1"


def test_reading_ones_own_record_or_a_record_without_private_details_writes_nothing(cast):
    open_record(cast.member.user, cast.member.pk)
    # A fellow member sees the cadre's page but not the private details: nothing private was read.
    colleague = make_member(cast.cell_a, "colleague", full_name="Mai Văn Lâm")
    open_record(colleague.user, cast.member.pk)

    assert not ReadEvent.objects.exists()


def test_the_cadre_sees_who_opened_their_record(cast):
    open_record(cast.org_board, cast.member.pk)
    open_record(cast.secretary.user, cast.member.pk)

    page = client_for(cast.member.user).get(reverse("programmes:my_readers")).content.decode()

    assert "Lê Văn Bình" in page  # the secretary, by their cadre's name
    assert "org_board" in page  # staff without a cadre record, by their account
    assert "Hồ sơ cá nhân".lower() in page
    assert "127.0.0.1" not in page


def test_another_person_never_sees_someone_elses_readers(cast):
    open_record(cast.org_board, cast.member.pk)

    page = client_for(cast.outsider.user).get(reverse("programmes:my_readers")).content.decode()

    assert "org_board" not in page
    assert "Chưa có ai khác xem hồ sơ" in page


def test_the_audit_page_lists_the_read_for_the_wards_staff_and_not_for_another_wards(cast, other_board):
    open_record(cast.org_board, cast.member.pk)
    reads = {"loai": "luot-xem"}

    own = client_for(cast.org_board).get(reverse("programmes:audit_log"), reads)
    other = client_for(other_board).get(reverse("programmes:audit_log"), reads)

    assert own.status_code == 200 and other.status_code == 200
    assert "Trần Thị Ánh" in own.content.decode()
    assert list(own.context["page"].object_list) == list(ReadEvent.objects.all())
    assert list(other.context["page"].object_list) == []
    assert "Trần Thị Ánh" not in other.content.decode()


def test_the_audit_page_lists_changes_of_the_subtree_with_filters(cast, other_board):
    audit_record(actor=cast.org_board, action=RosterAction.POSITION_ASSIGN, obj=cast.cell_a)
    audit_record(actor=other_board, action=RosterAction.ORGANISATION_CLOSE, obj=cast.other_ward)
    page = reverse("programmes:audit_log")
    client = client_for(cast.org_board)

    everything = [event.action for event in client.get(page).context["page"].object_list]
    # Filtered by the words the page shows for the action, as a person types them.
    filtered = client.get(page, {"hanh_dong": "giao chức", "nguoi": "org_"}).context["page"].object_list
    by_code = client.get(page, {"hanh_dong": "position.assign"}).context["page"].object_list
    nobody = client.get(page, {"nguoi": "someone else"}).context["page"].object_list

    assert "position.assign" in everything and "organisation.close" not in everything
    assert [event.action for event in filtered] == ["position.assign"]
    assert [event.action for event in by_code] == ["position.assign"]
    assert list(nobody) == []


def test_a_wrong_date_range_is_explained(cast):
    response = client_for(cast.org_board).get(
        reverse("programmes:audit_log"), {"tu_ngay": "2026-12-31", "den_ngay": "2026-01-01"}
    )

    assert "“Đến ngày” phải sau hoặc bằng “Từ ngày”." in response.content.decode()


def test_the_audit_csv_holds_the_filtered_reads_of_the_subtree(cast, other_board):
    open_record(cast.org_board, cast.member.pk)
    saigon_cell_member = make_member(cast.cell_b, full_name="Không Được Thấy")
    ReadEvent.objects.create(
        reader=other_board,
        reader_repr="bantochuc_saigon",
        kind=ReadKind.CADRE_RECORD,
        subject=saigon_cell_member,
        scope_path=cast.other_ward.path + "0001",
    )

    response = client_for(cast.org_board).get(reverse("programmes:audit_log_csv"), {"loai": "luot-xem"})

    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][1] == "Người xem"
    assert [row[4] for row in rows[1:]] == ["Trần Thị Ánh"]


def test_the_audit_csv_writes_a_hostile_name_as_text(cast):
    hostile = '=HYPERLINK("http://example.com";"Chi bộ")'
    cast.cell_a.name = hostile
    cast.cell_a.save()
    audit_record(actor=cast.org_board, action=RosterAction.ORGANISATION_CLOSE, obj=cast.cell_a)

    response = client_for(cast.org_board).get(reverse("programmes:audit_log_csv"))

    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = [row for row in csv.reader(io.StringIO(text)) if row[5] == "organisation.close"]
    assert [row[3] for row in rows] == ["'" + hostile]


@pytest.mark.parametrize("persona", ["member", "secretary", "overseer", "anonymous"])
def test_only_holders_of_view_audit_log_open_the_audit_page(cast, persona):
    user = {"member": cast.member.user, "secretary": cast.secretary.user, "overseer": cast.overseer}.get(persona)
    client = client_for(user) if user is not None else Client()

    response = client.get(reverse("programmes:audit_log"))
    csv_response = client.get(reverse("programmes:audit_log_csv"))

    expected = 302 if persona == "anonymous" else 403
    assert response.status_code == expected and csv_response.status_code == expected


def test_the_committee_head_reads_the_log_of_the_grassroots_committee(cast):
    audit_record(actor=cast.org_board, action=RosterAction.POSITION_END, obj=cast.cell_a)

    response = client_for(cast.head.user).get(reverse("programmes:audit_log"))

    assert [event.action for event in response.context["page"].object_list] == ["position.end"]


def test_the_admin_change_page_of_a_cadre_is_a_read_on_the_record(cast):
    cast.org_board.is_staff = True
    cast.org_board.save()
    cast.org_board.user_permissions.set(Permission.objects.filter(content_type__app_label="programmes"))

    response = client_for(cast.org_board).get(reverse("admin:programmes_cadre_change", args=[cast.member.pk]))

    assert response.status_code == 200
    assert ReadEvent.objects.filter(subject=cast.member, reader=cast.org_board).count() == 1


def test_read_events_are_append_only(cast):
    open_record(cast.org_board, cast.member.pk)
    event = ReadEvent.objects.get()

    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        ReadEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        ReadEvent.objects.update(reader_repr="someone else")
    assert AuditEvent.objects.filter(action__startswith="read").count() == 0


def test_the_dashboard_leads_to_the_readers_the_data_copy_and_for_staff_the_audit_page(cast):
    member = client_for(cast.member.user).get(reverse("programmes:dashboard")).content.decode()
    staff = client_for(cast.org_board).get(reverse("programmes:dashboard")).content.decode()

    assert reverse("programmes:my_readers") in member and reverse("programmes:my_data") in member
    assert reverse("programmes:audit_log") not in member
    assert reverse("programmes:audit_log") in staff


def page_queries(client: Client, url: str, params: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries.captured_queries)


def test_the_readers_and_audit_pages_cost_the_same_whatever_the_number_of_events(cast):
    member, staff = client_for(cast.member.user), client_for(cast.org_board)
    open_record(cast.org_board, cast.member.pk)
    few = [
        page_queries(member, reverse("programmes:my_readers")),
        page_queries(staff, reverse("programmes:audit_log")),
        page_queries(staff, reverse("programmes:audit_log"), {"loai": "luot-xem"}),
    ]
    for _visit in range(30):
        open_record(cast.org_board, cast.member.pk)
        open_record(cast.secretary.user, cast.member.pk)

    many = [
        page_queries(member, reverse("programmes:my_readers")),
        page_queries(staff, reverse("programmes:audit_log")),
        page_queries(staff, reverse("programmes:audit_log"), {"loai": "luot-xem"}),
    ]

    assert many == few
    # Session, user, grants and the header's counts, then the page's own count and one page of rows; the member's
    # page also reads her cadre record and her grants through it.
    assert few == [10, 6, 7]
