import datetime
import io

import pytest

from programmes.importing.services import import_file
from programmes.models import PartyPost, Position, PostKind
from tests.factories import RoleAssignmentFactory, UserFactory
from tests.programmes.import_files import POSITION_HEADERS, row_counts, to_csv, to_xlsx, where


def position_rows(cast) -> list[list]:
    return [
        [cast.member.code, "dang", "Phó Bí thư", cast.cell_a.code, "", "", "", "01/07/2025", ""],
        [
            cast.member.code,
            "chinh_quyen",
            "",
            "",
            "Chủ tịch UBND phường",
            "UBND phường Bến Thành",
            "có",
            "2025-07-01",
            "",
        ],
    ]


def run(data: bytes, name: str = "chuc-vu.csv", **kwargs):
    kwargs.setdefault("acting_user", None)
    return import_file(kind="positions", source=io.BytesIO(data), name=name, **kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize("build, name", [(to_csv, "chuc-vu.csv"), (to_xlsx, "chuc-vu.xlsx")])
def test_positions_file_creates_party_and_government_posts(cast, build, name):
    result = run(build(POSITION_HEADERS, position_rows(cast)), name)

    assert result.counts() == {"created": 2, "updated": 0, "unchanged": 0}
    party = Position.objects.get(cadre=cast.member, post_kind=PostKind.PARTY)
    assert (party.party_post, party.organisation, party.start_date) == (
        PartyPost.DEPUTY_SECRETARY,
        cast.cell_a,
        datetime.date(2025, 7, 1),
    )
    government = Position.objects.get(cadre=cast.member, post_kind=PostKind.GOVERNMENT)
    assert government.is_head is True
    assert government.agency_name == "UBND phường Bến Thành"


@pytest.mark.django_db
@pytest.mark.postgres
def test_same_positions_twice_changes_nothing_and_an_end_date_updates(cast):
    data = to_csv(POSITION_HEADERS, position_rows(cast))
    run(data)
    before = row_counts()
    assert run(data).counts() == {"created": 0, "updated": 0, "unchanged": 2}
    after = row_counts()
    assert after.pop("AuditEvent") == before.pop("AuditEvent") + 1
    assert after == before

    ended = position_rows(cast)
    ended[0][8] = "31/12/2025"
    assert run(to_csv(POSITION_HEADERS, ended)).counts() == {"created": 0, "updated": 1, "unchanged": 1}
    assert Position.objects.get(cadre=cast.member, post_kind=PostKind.PARTY).end_date == datetime.date(2025, 12, 31)


@pytest.mark.django_db
def test_bad_position_rows_are_refused_with_every_error(cast):
    rows = [
        ["KHONG-CO", "dang", "Bí thư", cast.cell_a.code, "", "", "", "01/07/2025", ""],
        [cast.member.code, "dang", "", "", "", "", "", "01/07/2025", ""],
        [cast.member.code, "chinh_quyen", "", "", "", "", "có lẽ", "", ""],
        [cast.member.code, "quan_doi", "", "", "x", "", "", "01/07/2025", "30/06/2025"],
        [cast.member.code, "dang", "Bí thư", "KHONG-CO", "", "", "", "01/07/2025", ""],
    ]
    before = row_counts()
    result = run(to_csv(POSITION_HEADERS, rows))
    assert {
        (2, "ma_dang_vien"),
        (3, "chuc_vu_dang"),
        (3, "ma_to_chuc"),
        (4, "chuc_danh"),
        (4, "nguoi_dung_dau"),
        (4, "tu_ngay"),
        (5, "loai_chuc_vu"),
        (5, "den_ngay"),
    } <= where(result)
    assert row_counts() == before


@pytest.mark.django_db
def test_duplicate_position_in_the_file_is_refused(cast):
    rows = position_rows(cast)
    result = run(to_csv(POSITION_HEADERS, [*rows, rows[0]]))
    assert where(result) == {(4, "ma_dang_vien")}


@pytest.mark.django_db
def test_positions_outside_the_staff_members_ward_are_refused(cast):
    other_board = UserFactory(username="other_board")
    RoleAssignmentFactory(user=other_board, organisation=cast.other_ward)
    result = run(to_csv(POSITION_HEADERS, position_rows(cast)), acting_user=other_board, scope=cast.other_ward)
    assert {(2, "ma_dang_vien"), (2, "ma_to_chuc"), (3, "ma_dang_vien")} <= where(result)
    assert not Position.objects.filter(cadre=cast.member).exists()
