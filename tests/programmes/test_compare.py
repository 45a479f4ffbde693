"""Comparing two versions commitment by commitment, and the comparison page."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from programmes.action_programmes import services
from programmes.action_programmes.compare import ChangeKind, compare_versions
from programmes.action_programmes.selectors import version_for_display
from programmes.models import ActionProgramme, CommitmentCategory, ProgrammeVersion
from tests.factories import client_for
from tests.pages import missing_from
from tests.programmes.programme_data import commitment_content, make_confirmed, submit

pytestmark = pytest.mark.django_db

NEW_DEADLINE = datetime.date(2026, 9, 30)


def compare_url(programme: ActionProgramme, query: str = "") -> str:
    return reverse("programmes:version_compare", args=[programme.pk]) + query


def amend(cast, programme: ActionProgramme) -> ProgrammeVersion:
    """Version 2: the first commitment's target and deadline moved, the second dropped, a third added."""
    owner = cast.member.user
    version = services.amendment_start(programme=programme, reason="Địa bàn mở rộng sau sáp nhập", acting_user=owner)
    first, second = version.terms.order_by("position")
    services.commitment_update(
        terms=first, content={"target_value": Decimal("95"), "deadline": NEW_DEADLINE}, acting_user=owner
    )
    services.commitment_remove(terms=second, acting_user=owner)
    services.commitment_add(
        version=version,
        content=commitment_content(3, statement="Tổ chức 4 buổi tiếp dân mỗi quý tại khu phố", weight=40),
        acting_user=owner,
    )
    return version


@pytest.fixture
def programme(cast) -> ActionProgramme:
    return make_confirmed(cast.member, cast.secretary.user)


def both(programme: ActionProgramme) -> tuple[ProgrammeVersion, ProgrammeVersion]:
    old = version_for_display(programme, 1)
    new = version_for_display(programme, 2)
    assert old is not None and new is not None
    return old, new


# --- compare_versions -----------------------------------------------------------------------------------------


def test_changed_target_and_deadline_are_listed_with_old_and_new_values(cast, programme):
    amend(cast, programme)
    changes = compare_versions(*both(programme))
    first = changes[0]
    assert first.kind == ChangeKind.CHANGED
    assert {(item.field, item.old, item.new) for item in first.changes} == {
        ("target_value", "100", "95"),
        ("deadline", "30/06/2026", "30/09/2026"),
    }
    assert [item.label for item in first.changes] == ["Giá trị cam kết", "Thời hạn hoàn thành"]
    assert first.target_changed
    assert first.deadline_changed


def test_added_and_removed_commitments_are_detected(cast, programme):
    amend(cast, programme)
    old, new = both(programme)
    changes = compare_versions(old, new)
    kinds = [change.kind for change in changes]
    assert kinds == [ChangeKind.CHANGED, ChangeKind.ADDED, ChangeKind.REMOVED]
    added, removed = changes[1], changes[2]
    assert added.old is None
    assert added.terms.statement == "Tổ chức 4 buổi tiếp dân mỗi quý tại khu phố"
    assert removed.new is None
    assert removed.terms.statement.endswith("đợt 2")
    assert not added.changes
    assert not removed.changes


def test_a_fresh_amendment_is_unchanged_everywhere_and_pairs_by_commitment(cast, programme):
    services.amendment_start(programme=programme, reason="Chưa đổi gì", acting_user=cast.member.user)
    changes = compare_versions(*both(programme))
    assert [change.kind for change in changes] == [ChangeKind.UNCHANGED, ChangeKind.UNCHANGED]
    pairs = [(change.old, change.new) for change in changes]
    assert all(old is not None and new is not None and old.commitment_id == new.commitment_id for old, new in pairs)


def test_wording_category_deliverable_and_milestones_are_compared(cast, programme):
    owner = cast.member.user
    version = services.amendment_start(programme=programme, reason="Đổi cách làm", acting_user=owner)
    first = version.terms.get(position=1)
    services.commitment_update(
        terms=first,
        content={
            "statement": "Hoàn thành sổ tay hướng dẫn thủ tục cho người dân",
            "category": CommitmentCategory.SERVICE_TO_PEOPLE,
            "is_deliverable": True,
            "measures": "Biên soạn cùng bộ phận một cửa",
            "weight": 60,
        },
        milestones=[(datetime.date(2026, 3, 31), "Xong bản thảo")],
        acting_user=owner,
    )
    # Moved to another section, it is listed, and numbered, in that section.
    changes = compare_versions(*both(programme))
    change = next(item for item in changes if item.commitment_id == first.commitment_id)
    assert (change.old_number, change.new_number) == ("I.1", "II.1")
    changed = {item.field: (item.old, item.new) for item in change.changes}
    assert set(changed) == {"statement", "category", "is_deliverable", "measures", "milestones"}
    assert changed["category"] == ("Nhiệm vụ chuyên môn được giao", "Phục vụ Nhân dân")
    assert changed["is_deliverable"] == ("Không", "Có")
    assert changed["milestones"] == ("", "31/03/2026: Xong bản thảo")
    assert not change.target_changed
    assert not change.deadline_changed


def test_same_number_written_differently_is_not_a_change(cast, programme):
    owner = cast.member.user
    version = services.amendment_start(programme=programme, reason="Ghi lại số", acting_user=owner)
    first = version.terms.get(position=1)
    services.commitment_update(terms=first, content={"target_value": Decimal("100.00")}, acting_user=owner)
    assert compare_versions(*both(programme))[0].kind == ChangeKind.UNCHANGED


# --- The comparison page --------------------------------------------------------------------------------------


def test_page_defaults_to_the_version_in_force_against_the_pending_one(cast, programme):
    amend(cast, programme)
    response = client_for(cast.member.user).get(compare_url(programme))
    assert response.status_code == 200
    text = response.text
    assert (
        missing_from(
            text,
            "Chỉ tiêu đã thay đổi",
            "Thời hạn đã thay đổi",
            '<del><span class="visually-hidden">Trước: </span>100</del>',
            '<ins><span class="visually-hidden">Sau: </span>95</ins>',
            "30/09/2026",
            "Địa bàn mở rộng sau sáp nhập",
            "Nội dung mới",
            "Đã bỏ",
            '<option value="1" selected>',
            '<option value="2" selected>',
        )
        == []
    )


def test_after_confirmation_the_page_compares_the_version_in_force_with_the_one_before(cast, programme):
    amend(cast, programme)
    version = submit(programme, 2)
    services.programme_confirm(version=version, publicity_max=4, acting_user=cast.secretary.user)
    text = client_for(cast.member.user).get(compare_url(programme)).text
    assert "Chỉ tiêu đã thay đổi" in text
    assert text.count("Ngày xác nhận") == 2
    assert "(chưa xác nhận)" not in text


def test_picking_the_same_version_twice_or_an_unknown_one_says_so(cast, programme):
    amend(cast, programme)
    client = client_for(cast.member.user)
    same = client.get(compare_url(programme, "?tu=2&den=2"))
    assert same.status_code == 200
    assert "Hãy chọn hai phiên bản khác nhau." in same.text
    assert "Chỉ tiêu đã thay đổi" not in same.text
    unknown = client.get(compare_url(programme, "?tu=1&den=9"))
    assert "Không có phiên bản số 9 để so sánh." in unknown.text


def test_reversed_order_is_allowed(cast, programme):
    amend(cast, programme)
    text = client_for(cast.member.user).get(compare_url(programme, "?tu=2&den=1")).text
    assert '<ins><span class="visually-hidden">Sau: </span>100</ins>' in text


def test_readers_see_only_confirmed_versions_and_the_confirmer_the_one_waiting(cast, programme):
    amend(cast, programme)
    # committee_staff may read the confirmed programme (committee level) but not the owner's draft amendment.
    reader = client_for(cast.committee_staff.user)
    text = reader.get(compare_url(programme)).text
    assert "Chương trình mới có một phiên bản" in text
    assert "Không có phiên bản số 2 để so sánh." in reader.get(compare_url(programme, "?tu=1&den=2")).text
    submit(programme, 2)
    assert "Chỉ tiêu đã thay đổi" in client_for(cast.secretary.user).get(compare_url(programme)).text


def test_outsider_gets_404_and_anonymous_goes_to_login(cast, programme):
    amend(cast, programme)
    assert client_for(cast.outsider.user).get(compare_url(programme)).status_code == 404
    response = Client().get(compare_url(programme))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
