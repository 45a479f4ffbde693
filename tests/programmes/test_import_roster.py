import datetime
import io
from collections import Counter
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programmes.importing.base import RowReader, SourceRow, email_is_valid
from programmes.importing.bulk import _copy_chunk, _copy_text
from programmes.importing.services import import_file
from programmes.models import AuditEvent, Cadre, CadrePrivateDetails, Membership, MembershipStatus, MemberType
from tests.factories import RoleAssignmentFactory, UserFactory
from tests.programmes.import_files import ROSTER_HEADERS, row_counts, to_csv, to_xlsx, where
from tests.publicity.public_data import make_public


def current(cadre: Cadre) -> Membership:
    return Membership.objects.get(cadre=cadre, end_date__isnull=True)


def roster_rows(cell_code: str, *, start: int = 1, count: int = 3) -> list[list]:
    return [
        [
            f"IMP{n:04d}",
            f"Nguyễn Thị Hồng {n}",
            "Nữ",
            "17/05/1980",
            f"0791800{n:05d}",
            f"0909{n:06d}",
            f"hong{n}@example.vn",
            cell_code,
            "chinh_thuc" if n % 2 else "Đảng viên dự bị",
            "",
            "03/02/2005",
            "03/02/2006",
        ]
        for n in range(start, start + count)
    ]


def run(data: bytes, name: str = "dang-vien.csv", **kwargs):
    kwargs.setdefault("acting_user", None)
    return import_file(kind="roster", source=io.BytesIO(data), name=name, **kwargs)


@pytest.mark.django_db
def test_roster_csv_with_bom_creates_cadres_details_and_memberships(cast):
    result = run(to_csv(ROSTER_HEADERS, roster_rows(cast.cell_a.code)))

    assert result.errors == []
    assert result.counts() == {"created": 3, "updated": 0, "unchanged": 0}
    cadre = Cadre.objects.get(code="IMP0001")
    assert cadre.full_name == "Nguyễn Thị Hồng 1"
    assert cadre.name_folded == "nguyen thi hong 1"
    assert cadre.gender == "female"
    assert cadre.private.citizen_id == "079180000001"
    assert cadre.private.date_of_birth == datetime.date(1980, 5, 17)
    membership = current(cadre)
    assert membership.cell == cast.cell_a
    assert membership.member_type == MemberType.OFFICIAL
    assert membership.status == MembershipStatus.ACTIVE
    assert current(Cadre.objects.get(code="IMP0002")).member_type == MemberType.PROBATIONARY
    assert cadre.history.count() == 1
    assert membership.history.count() == 1


@pytest.mark.django_db
def test_roster_xlsx_with_real_date_cells_and_no_bom_csv(cast):
    rows = roster_rows(cast.cell_b.code, count=2)
    for row in rows:
        row[3] = datetime.datetime(1980, 5, 17)
        row[10] = datetime.date(2005, 2, 3)
    result = run(to_xlsx(ROSTER_HEADERS, rows), "dang-vien.xlsx")
    assert result.counts()["created"] == 2
    membership = current(Cadre.objects.get(code="IMP0001"))
    assert membership.joined_party_on == datetime.date(2005, 2, 3)

    plain = run(to_csv(ROSTER_HEADERS, roster_rows(cast.cell_b.code, start=10, count=1), bom=False))
    assert plain.counts()["created"] == 1


@pytest.mark.django_db
@pytest.mark.postgres
def test_same_roster_twice_changes_nothing(cast):
    data = to_xlsx(ROSTER_HEADERS, roster_rows(cast.cell_a.code, count=5))
    first = run(data, "dang-vien.xlsx")
    before = row_counts()

    second = run(data, "dang-vien.xlsx")

    assert first.counts() == {"created": 5, "updated": 0, "unchanged": 0}
    assert second.counts() == {"created": 0, "updated": 0, "unchanged": 5}
    after = row_counts()
    assert after.pop("AuditEvent") == before.pop("AuditEvent") + 1
    assert after == before
    assert AuditEvent.objects.filter(action="import.roster").count() == 2


@pytest.mark.django_db
@pytest.mark.postgres
def test_transfer_closes_the_old_membership_and_opens_a_new_one(cast):
    run(to_csv(ROSTER_HEADERS, roster_rows(cast.cell_a.code, count=2)))
    moved = roster_rows(cast.cell_a.code, count=2)
    moved[0][7] = cast.cell_b.code
    moved[1][1] = "Nguyễn Thị Hồng Hai"

    result = run(to_csv(ROSTER_HEADERS, moved))

    assert result.counts() == {"created": 0, "updated": 2, "unchanged": 0}
    cadre = Cadre.objects.get(code="IMP0001")
    old = Membership.objects.get(cadre=cadre, cell=cast.cell_a)
    today = timezone.localdate()
    assert old.status == MembershipStatus.TRANSFERRED
    assert old.end_date == max(today - datetime.timedelta(days=1), old.start_date)
    assert current(cadre).cell == cast.cell_b
    assert current(cadre).start_date == today
    assert Cadre.objects.get(code="IMP0002").full_name == "Nguyễn Thị Hồng Hai"


@pytest.mark.django_db
def test_existing_cadre_is_transferred_from_a_longstanding_membership(cast):
    rows = roster_rows(cast.cell_b.code, count=1)
    rows[0][0] = cast.member.code
    rows[0][1] = cast.member.full_name

    assert run(to_csv(ROSTER_HEADERS, rows)).counts()["updated"] == 1

    old = Membership.objects.get(cadre=cast.member, cell=cast.cell_a)
    assert old.end_date == timezone.localdate() - datetime.timedelta(days=1)
    assert current(cast.member).cell == cast.cell_b


def _refused(data, expected, **kwargs):
    before = row_counts()
    result = run(data, **kwargs)
    assert expected <= where(result), result.errors
    assert row_counts() == before
    return result


@pytest.mark.django_db
def test_cadre_listed_in_two_cells_is_refused(cast):
    rows = roster_rows(cast.cell_a.code, count=2)
    twin = roster_rows(cast.cell_b.code, count=1)[0]
    result = _refused(to_csv(ROSTER_HEADERS, [*rows, twin]), {(4, "ma_dang_vien")})
    assert "hai chi bộ" in result.errors[0].message


@pytest.mark.django_db
def test_membership_outside_a_cell_and_unknown_cell_are_refused(cast):
    rows = roster_rows(cast.grassroots.code, count=1) + roster_rows("KHONG-CO", start=2, count=1)
    result = _refused(to_csv(ROSTER_HEADERS, rows), {(2, "ma_chi_bo"), (3, "ma_chi_bo")})
    assert "không phải chi bộ" in result.errors[0].message


@pytest.mark.django_db
def test_bad_values_are_each_reported_with_row_and_column(cast):
    rows = roster_rows(cast.cell_a.code, count=4)
    rows[0][4] = "07918000001"
    rows[1][3] = "17-05-80"
    rows[2][8] = "tạm"
    rows[3][11] = "01/01/2000"
    result = _refused(
        to_csv(ROSTER_HEADERS, rows), {(2, "so_cccd"), (3, "ngay_sinh"), (4, "loai_dang_vien"), (5, "ngay_chinh_thuc")}
    )
    assert len(result.errors) == 4
    assert "12 chữ số" in result.errors[0].message


@pytest.mark.parametrize(
    "address",
    [
        "hong1@example.vn",
        "a.b+c@sub.example.com.vn",
        "x@localhost",
        "x@[192.168.0.1]",
        "x@[::1]",
        "x@[999.1.1.1]",
        '"quoted name"@example.vn',
        "a..b@example.vn",
        ".a@example.vn",
        "a@example",
        "a@-example.vn",
        "a@example-.vn",
        "a@xn--bcher-kva.vn",
        "a@ví-dụ.vn",
        "a@example.v",
        "a@@example.vn",
        "a b@example.vn",
        "@example.vn",
        "a@",
        "không-có-a-còng",
        "a@" + "x" * 64 + ".vn",
        "a" * 240 + "@example.vn",
    ],
)
def test_addresses_are_judged_as_django_judges_them(address):
    try:
        validate_email(address)
        expected = True
    except ValidationError:
        expected = False
    assert email_is_valid(address) is expected
    row = SourceRow(2, {"email": address})
    issues: list = []
    assert RowReader(row, issues).email("email") == (address if expected else "")
    assert len(issues) == (0 if expected else 1)


@pytest.mark.django_db
def test_citizen_id_typed_as_a_number_in_excel_gets_a_hint(cast):
    rows = roster_rows(cast.cell_a.code, count=1)
    rows[0][4] = 79180000001
    result = _refused(to_xlsx(ROSTER_HEADERS, rows), {(2, "so_cccd")}, name="dang-vien.xlsx")
    assert "văn bản" in result.errors[0].message


@pytest.mark.django_db
def test_org_board_staff_of_another_ward_is_refused(cast):
    other_board = UserFactory(username="other_board")
    RoleAssignmentFactory(user=other_board, organisation=cast.other_ward)
    result = _refused(
        to_csv(ROSTER_HEADERS, roster_rows(cast.cell_a.code, count=2)),
        {(2, "ma_chi_bo"), (3, "ma_chi_bo")},
        acting_user=other_board,
        scope=cast.other_ward,
    )
    assert "ngoài phạm vi" in result.errors[0].message


@pytest.mark.django_db
def test_org_board_staff_import_their_own_ward_with_history_naming_them(cast):
    result = run(
        to_csv(ROSTER_HEADERS, roster_rows(cast.cell_a.code, count=2)), acting_user=cast.org_board, scope=cast.ward
    )
    assert result.counts()["created"] == 2
    assert Cadre.objects.get(code="IMP0001").history.get().history_user == cast.org_board


@pytest.mark.django_db
def test_unreadable_and_empty_files_are_refused(cast):
    assert where(run("mã,tên\n".encode("utf-16"))) == {(1, "")}
    assert where(run(b"not a workbook", "dang-vien.xlsx")) == {(1, "")}
    assert where(run(to_csv(ROSTER_HEADERS, []))) == {(2, "")}


@pytest.mark.django_db
def test_a_renamed_owner_is_found_by_the_new_name_in_public_search(cast):
    run(to_csv(ROSTER_HEADERS, roster_rows(cast.cell_a.code, count=1)))
    owner = Cadre.objects.get(code="IMP0001")
    owner.user = User.objects.create_user("imp0001")
    owner.save()
    programme = make_public(owner, cast.secretary.user)
    renamed = roster_rows(cast.cell_a.code, count=1)
    renamed[0][1] = "Trần Thị Hồng Nhung"

    run(to_csv(ROSTER_HEADERS, renamed))

    programme.refresh_from_db()
    assert programme.owner_name_folded == "tran thi hong nhung"
    assert "tran thi hong nhung" in programme.search_folded
    response = Client().get(reverse("publicity:public_home"), {"q": "Trần Thị Hồng Nhung"})
    assert programme.pk in response.context["page"].object_list
    assert "Trần Thị Hồng Nhung" in response.text


TRACKED: dict[Any, tuple[str, ...]] = {
    Cadre: ("id", "code", "full_name", "name_folded", "gender", "user_id"),
    CadrePrivateDetails: ("cadre_id", "date_of_birth", "citizen_id", "phone", "email", "address"),
    Membership: (
        "id",
        "cadre_id",
        "cell_id",
        "member_type",
        "status",
        "joined_party_on",
        "official_on",
        "start_date",
        "end_date",
    ),
}


def history_types(model) -> dict[str, int]:
    return dict(Counter(model.history.filter(history_change_reason="import").values_list("history_type", flat=True)))


def assert_latest_history_matches_rows(user) -> None:
    """Each imported row's newest history row copies it column for column, written by the importing user."""
    for model, fields in TRACKED.items():
        imported = {"code__startswith": "IMP"} if model is Cadre else {"cadre__code__startswith": "IMP"}
        live = {values[0]: values for values in model.objects.filter(**imported).values_list(*fields)}
        latest = {}
        history = model.history.filter(**{fields[0] + "__in": list(live)}).order_by("history_id")
        for values in history.values_list(*fields, "history_user_id"):
            latest[values[0]] = values
        assert {key: values[:-1] for key, values in latest.items()} == live, model.__name__
        assert {values[-1] for values in latest.values()} == {user.pk}, model.__name__


@pytest.mark.django_db
@pytest.mark.postgres
def test_large_roster_and_its_reimport_write_every_row_and_history_row(cast):
    """2,000 cadres, then the same file with 200 changed: 50 renamed, 50 with new details, 50 moved to another
    cell, 50 with a new member type. The rows and history rows are those the model-by-model path wrote."""
    rows = roster_rows(cast.cell_a.code, count=2000)
    first = run(to_csv(ROSTER_HEADERS, rows), acting_user=cast.org_board, scope=cast.ward)
    assert first.counts() == {"created": 2000, "updated": 0, "unchanged": 0}
    assert history_types(Cadre) == history_types(CadrePrivateDetails) == history_types(Membership) == {"+": 2000}
    assert_latest_history_matches_rows(cast.org_board)

    for n in range(0, 50):
        rows[n][1] = f"Trần Văn Đổi {n}"
        rows[50 + n][5] = f"0388{n:06d}"
        rows[100 + n][7] = cast.cell_b.code
        rows[150 + n][8] = "du_bi" if rows[150 + n][8] == "chinh_thuc" else "chinh_thuc"
    second = run(to_csv(ROSTER_HEADERS, rows), acting_user=cast.org_board, scope=cast.ward)

    assert second.counts() == {"created": 0, "updated": 200, "unchanged": 1800}
    assert history_types(Cadre) == {"+": 2000, "~": 50}
    assert history_types(CadrePrivateDetails) == {"+": 2000, "~": 50}
    # The moves close 50 memberships ("~") and open 50 ("+"); the member types change 50 in place.
    assert history_types(Membership) == {"+": 2050, "~": 100}
    assert_latest_history_matches_rows(cast.org_board)
    renamed = Cadre.objects.get(code="IMP0001")
    assert renamed.full_name == "Trần Văn Đổi 0"
    assert renamed.history.latest("history_id").history_type == "~"
    moved = Cadre.objects.get(code="IMP0101")
    assert list(moved.memberships.order_by("id").values_list("cell_id", "status", "end_date")) == [
        # Opened today, it cannot end before it started.
        (cast.cell_a.pk, MembershipStatus.TRANSFERRED, timezone.localdate()),
        (cast.cell_b.pk, MembershipStatus.ACTIVE, None),
    ]
    assert Membership.history.filter(cadre_id=moved.pk).count() == 3
    assert CadrePrivateDetails.objects.get(cadre__code="IMP0051").phone == "0388000000"
    assert AuditEvent.objects.filter(action="import.roster").count() == 2


def test_rows_are_copied_column_by_column_as_they_were_value_by_value():
    rows = [
        (1, "a\tb", None, datetime.date(2025, 7, 1), True, "x", datetime.datetime(2025, 7, 1, 8, 30)),
        (2, "c\\N", "d", None, False, "", None),
        (3, "dòng\nhai\r", "e", datetime.date(2025, 7, 2), True, "y", datetime.datetime(2025, 7, 2)),
    ]
    expected = "".join("\t".join(map(_copy_text, row)) + "\n" for row in rows)
    assert _copy_chunk(rows) == expected
    plain = [(*row[:1], "z", *row[2:]) for row in rows]
    assert _copy_chunk(plain) == "".join("\t".join(map(_copy_text, row)) + "\n" for row in plain)


@pytest.mark.django_db
@pytest.mark.postgres
def test_text_with_backslashes_and_tabs_is_stored_as_written(cast):
    rows = roster_rows(cast.cell_a.code, count=1)
    rows[0][1] = "Lê\tVăn \\N An"
    rows[0][5] = "\\N"

    assert run(to_csv(ROSTER_HEADERS, rows)).counts()["created"] == 1

    cadre = Cadre.objects.get(code="IMP0001")
    assert cadre.full_name == "Lê\tVăn \\N An"
    assert cadre.private.phone == "\\N"
    assert cadre.history.get().full_name == "Lê\tVăn \\N An"
