"""Carrying unfinished commitments of earlier programmes into a new one ("Chuyển tiếp cam kết chưa hoàn thành"): the
service's rules and messages, the page that offers them, and where a carried commitment shows what it came from."""

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from programmes import access
from programmes.action_programmes import services
from programmes.action_programmes.carrying import carryable_commitments
from programmes.action_programmes.progress import progress_report
from programmes.action_programmes.publication import commitment_publicity_set
from programmes.audit_actions import ProgrammeAction
from programmes.models import ActionProgramme, AuditEvent, Commitment, ProgressStatus, PublicityLevel
from tests.factories import client_for, make_member
from tests.pages import queries_of
from tests.programmes.programme_data import make_confirmed, make_draft, submit

NEW_TITLE = "Chương trình hành động khi nhận nhiệm vụ mới"


def _commitment(programme: ActionProgramme, position: int) -> Commitment:
    assert programme.current_version is not None
    return programme.current_version.terms.get(position=position).commitment


@pytest.fixture
def earlier(cast: Any) -> ActionProgramme:
    """The member's confirmed programme: I.1 reported done, I.2 reported on track twice (unfinished)."""
    programme = make_confirmed(cast.member, cast.secretary.user)
    user = cast.member.user
    progress_report(
        commitment=_commitment(programme, 1),
        status=ProgressStatus.DONE,
        value_reached=Decimal("100"),
        links=["https://example.vn/so-theo-doi"],
        acting_user=user,
    )
    progress_report(
        commitment=_commitment(programme, 2), status=ProgressStatus.NOT_STARTED, note="Chờ kế hoạch", acting_user=user
    )
    progress_report(
        commitment=_commitment(programme, 2),
        status=ProgressStatus.ON_TRACK,
        value_reached=Decimal("90"),
        note="Đã xử lý chín phần mười hồ sơ",
        acting_user=user,
    )
    return programme


@pytest.fixture
def target(cast: Any, earlier: ActionProgramme) -> ActionProgramme:
    return make_draft(cast.member, weights=(60,), title=NEW_TITLE)


def test_an_unfinished_commitment_is_copied_into_the_draft_and_remembers_where_it_came_from(cast, earlier, target):
    source = _commitment(earlier, 2)
    [terms] = services.carry_commitments(actor=cast.member.user, target_programme=target, commitments=[source])

    assert terms.version == target.versions.get(number=1)
    assert terms.position == 2
    assert terms.statement == earlier.current_version.terms.get(position=2).statement
    assert terms.weight == 40
    new = Commitment.objects.get(pk=terms.commitment_id)
    assert new.programme == target and new.carried_from == source
    assert new.status == ProgressStatus.NOT_STARTED
    event = AuditEvent.objects.get(action=ProgrammeAction.COMMITMENT_CARRY)
    assert event.after is not None
    assert event.after["carried_from"] == source.pk and event.after["from_number"] == "I.2"


def test_a_finished_commitment_is_refused_by_its_number_and_nothing_is_carried(cast, earlier, target):
    with pytest.raises(ValidationError) as refused:
        services.carry_commitments(
            actor=cast.member.user,
            target_programme=target,
            commitments=[_commitment(earlier, 2), _commitment(earlier, 1)],
        )
    [message] = refused.value.messages
    assert message.startswith("Nội dung cam kết I.1 “Giải quyết đúng hạn")
    assert "đã ở tình trạng “Hoàn thành”" in message
    assert "không chuyển tiếp" in message
    assert not target.commitments.filter(carried_from__isnull=False).exists()


def test_carrying_the_same_commitment_twice_is_refused_by_name(cast, earlier, target):
    source = _commitment(earlier, 2)
    services.carry_commitments(actor=cast.member.user, target_programme=target, commitments=[source])
    with pytest.raises(ValidationError) as refused:
        services.carry_commitments(actor=cast.member.user, target_programme=target, commitments=[source])
    [message] = refused.value.messages
    assert "Nội dung cam kết I.2" in message
    assert f"đã được chuyển tiếp vào chương trình “{NEW_TITLE}”; không chuyển tiếp lần thứ hai" in message
    assert target.commitments.filter(carried_from=source).count() == 1


def test_a_commitment_carried_into_one_programme_is_neither_offered_nor_carried_into_the_next(cast, earlier, target):
    source = _commitment(earlier, 2)
    services.carry_commitments(actor=cast.member.user, target_programme=target, commitments=[source])
    services.programme_confirm(
        version=submit(target), publicity_max=PublicityLevel.PUBLIC, acting_user=cast.secretary.user
    )
    later = make_draft(cast.member, weights=(60,), title="Chương trình năm sau")

    offered = {item.terms.commitment_id for item in carryable_commitments(cast.member, later)}
    # The copy in the new programme carries the promise on; the original is not offered beside it.
    carried = target.commitments.get(carried_from=source)
    assert source.pk not in offered and carried.pk in offered
    with pytest.raises(ValidationError, match=f"đã được chuyển tiếp vào chương trình “{NEW_TITLE}”"):
        services.carry_commitments(actor=cast.member.user, target_programme=later, commitments=[source])
    assert not later.commitments.filter(carried_from=source).exists()


def test_a_commitment_kept_to_the_cell_stays_kept_to_the_cell_once_carried(cast, earlier, target):
    source = _commitment(earlier, 2)
    commitment_publicity_set(commitment=source, cap=PublicityLevel.CELL, acting_user=cast.member.user)
    source.refresh_from_db()
    assert not access.commitment_reading(cast.org_board, earlier).shows(source)

    [terms] = services.carry_commitments(actor=cast.member.user, target_programme=target, commitments=[source])
    services.programme_confirm(
        version=submit(target), publicity_max=PublicityLevel.PUBLIC, acting_user=cast.secretary.user
    )
    target.refresh_from_db()
    carried = Commitment.objects.get(pk=terms.commitment_id)
    assert carried.publicity_cap == PublicityLevel.CELL
    assert not access.commitment_reading(cast.org_board, target).shows(carried)
    assert access.commitment_reading(cast.secretary.user, target).shows(carried)
    event = AuditEvent.objects.get(action=ProgrammeAction.COMMITMENT_CARRY)
    assert event.after is not None and event.after["publicity_cap"] == PublicityLevel.CELL


def test_another_cadres_commitment_is_refused_without_naming_it(cast, target):
    colleague = make_member(cast.cell_a, "dongnghiep", full_name="Đỗ Văn Giang")
    theirs = make_confirmed(colleague, cast.secretary.user)
    with pytest.raises(ValidationError) as refused:
        services.carry_commitments(
            actor=cast.member.user, target_programme=target, commitments=[_commitment(theirs, 2)]
        )
    [message] = refused.value.messages
    assert message == "Một nội dung cam kết đã chọn không thuộc chương trình của đồng chí nên không chuyển tiếp được."
    assert "Giải quyết" not in message


def test_only_the_owner_carries_and_only_into_a_draft(cast, earlier, target):
    source = _commitment(earlier, 2)
    with pytest.raises(PermissionDenied):
        services.carry_commitments(actor=cast.secretary.user, target_programme=target, commitments=[source])
    with pytest.raises(ValidationError) as refused:
        services.carry_commitments(actor=cast.member.user, target_programme=earlier, commitments=[source])
    assert refused.value.messages == ["Chỉ chuyển tiếp được cam kết vào chương trình đang ở bản nháp."]


def test_the_page_lists_only_unfinished_commitments_and_carries_the_ticked_ones(cast, earlier, target):
    client = client_for(cast.member.user)
    url = reverse("programmes:commitment_carry", args=[target.pk])
    page = client.get(url).content.decode()
    assert "Mục I.2" in page and "Đúng tiến độ" in page and earlier.title in page
    assert "Mục I.1" not in page

    source = _commitment(earlier, 2)
    answer = client.post(url, {"commitments": [str(source.pk)]})
    assert answer.status_code == 302
    assert target.commitments.filter(carried_from=source).exists()
    # Carried, it is offered no more; sent again, the form says so in Vietnamese.
    assert "Mục I.2" not in client.get(url).content.decode()
    again = client.post(url, {"commitments": [str(source.pk)]}).content.decode()
    assert "không còn chuyển tiếp được" in again


def test_nobody_else_reaches_the_carry_page(cast, earlier, target):
    url = reverse("programmes:commitment_carry", args=[target.pk])
    assert client_for(cast.outsider.user).get(url).status_code == 404
    other_ward_member = make_member(cast.other_ward, "phuongkhac", full_name="Mai Văn Hòa")
    assert client_for(other_ward_member.user).post(url, {"commitments": ["1"]}).status_code == 404


def test_the_new_programme_shows_where_the_commitment_came_from_with_its_history(cast, earlier, target):
    services.carry_commitments(actor=cast.member.user, target_programme=target, commitments=[_commitment(earlier, 2)])
    detail = client_for(cast.member.user).get(reverse("programmes:programme_detail", args=[target.pk]))
    page = detail.content.decode()
    assert f'Chuyển tiếp từ: <a href="{reverse("programmes:programme_detail", args=[earlier.pk])}">' in page
    assert ", mục I.2" in page
    assert "Đã xử lý chín phần mười hồ sơ" in page and "Chờ kế hoạch" in page
    editor = client_for(cast.member.user).get(reverse("programmes:programme_edit", args=[target.pk]))
    assert f"Chuyển tiếp từ: {earlier.title}" in editor.content.decode()


def test_the_history_is_shown_only_to_readers_of_the_earlier_programme(cast, earlier, target):
    services.carry_commitments(actor=cast.member.user, target_programme=target, commitments=[_commitment(earlier, 2)])
    services.programme_submit(version=target.versions.get(number=1), acting_user=cast.member.user)
    services.programme_confirm(version=target.versions.get(number=1), publicity_max=4, acting_user=cast.secretary.user)
    new = target.commitments.get(carried_from__isnull=False)
    # The earlier programme is made private again: the secretary (its confirmer) still reads it, a cell member not.
    ActionProgramme.objects.filter(pk=earlier.pk).update(publicity_level=0)
    ActionProgramme.objects.filter(pk=target.pk).update(publicity_level=1)
    colleague = make_member(cast.cell_a, "dongchi", full_name="Đinh Thị Lan")
    url = reverse("programmes:programme_detail", args=[target.pk])

    secretary_page = client_for(cast.secretary.user).get(url).content.decode()
    assert "Đã xử lý chín phần mười hồ sơ" in secretary_page and ", mục I.2" in secretary_page
    colleague_page = client_for(colleague.user).get(url).content.decode()
    assert "Chuyển tiếp từ một chương trình trước." in colleague_page
    assert "Đã xử lý chín phần mười hồ sơ" not in colleague_page and earlier.title not in colleague_page

    progress_page = (
        client_for(cast.member.user).get(reverse("programmes:progress_new", args=[target.pk, new.pk])).content.decode()
    )
    assert ", mục I.2" in progress_page and "Đã xử lý chín phần mười hồ sơ" in progress_page


def test_the_programme_page_asks_the_same_queries_for_one_carried_commitment_as_for_three(cast):
    earlier = make_confirmed(cast.member, cast.secretary.user, weights=(20, 20, 20, 40))
    colleague = make_member(cast.cell_a, "dongchi", full_name="Đinh Thị Lan")
    client = client_for(colleague.user)

    def carried_into(own_weight: int, positions: list[int]) -> ActionProgramme:
        programme = make_draft(cast.member, weights=(own_weight,), title=f"{NEW_TITLE} {own_weight}")
        chosen = [_commitment(earlier, position) for position in positions]
        services.carry_commitments(actor=cast.member.user, target_programme=programme, commitments=chosen)
        version = services.programme_submit(version=programme.versions.get(number=1), acting_user=cast.member.user)
        services.programme_confirm(version=version, publicity_max=4, acting_user=cast.secretary.user)
        ActionProgramme.objects.filter(owner=cast.member).update(publicity_level=1)
        return programme

    one = carried_into(60, [4])
    three = carried_into(40, [1, 2, 3])
    one_count, one_page = queries_of(lambda: client.get(reverse("programmes:programme_detail", args=[one.pk])))
    three_count, three_page = queries_of(lambda: client.get(reverse("programmes:programme_detail", args=[three.pk])))
    assert one_page.content.decode().count(", mục I.") == 1
    assert three_page.content.decode().count(", mục I.") == 3
    assert three_count == one_count
