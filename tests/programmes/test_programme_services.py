"""The programme services: who may call them, the states they leave, the rows they write and the audit event of each."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from programmes.action_programmes import services
from programmes.action_programmes.selectors import confirmation_queue
from programmes.models import (
    ActionProgramme,
    Commitment,
    CommitmentCategory,
    CommitmentTerms,
    Milestone,
    Notification,
    Occasion,
    PartyPost,
    ProgrammeState,
    ProgrammeVersion,
    PublicityLevel,
    VersionState,
)
from tests.events import last_event, writes_events
from tests.factories import PositionFactory, UserFactory, make_member
from tests.programmes.programme_data import (
    TERM_END,
    TERM_START,
    commitment_content,
    make_confirmed,
    make_draft,
    submit,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 1)


def version_of(programme: ActionProgramme, number: int = 1) -> ProgrammeVersion:
    return ProgrammeVersion.objects.get(programme=programme, number=number)


def statements(version: ProgrammeVersion) -> list[tuple[int, str]]:
    return list(version.terms.order_by("position").values_list("position", "statement"))


def terms_rows(version: ProgrammeVersion) -> list[Any]:
    return list(CommitmentTerms.objects.filter(version=version).order_by("pk").values())


def create(owner, acting_user=None, **overrides: Any) -> ActionProgramme:
    options: dict[str, Any] = {
        "owner": owner,
        "occasion": Occasion.NEW_DUTY,
        "title": "  Chương trình hành động nhận nhiệm vụ mới  ",
        "position": None,
        "term_start": TERM_START,
        "term_end": TERM_END,
        "acting_user": acting_user or owner.user,
    }
    options.update(overrides)
    return services.programme_create(**options)


def add(version: ProgrammeVersion, user, number: int = 1, **overrides: Any) -> CommitmentTerms:
    return services.commitment_add(version=version, content=commitment_content(number, **overrides), acting_user=user)


# --- programme_create ------------------------------------------------------------------------------------------


def test_owner_registers_a_draft_with_an_empty_first_version(cast):
    with writes_events("programme.create"):
        programme = create(cast.member)
    programme.refresh_from_db()
    assert programme.owner == cast.member
    assert programme.title == "Chương trình hành động nhận nhiệm vụ mới"
    assert programme.state == ProgrammeState.DRAFT
    assert programme.organisation == cast.cell_a
    assert programme.organisation_name == "Chi bộ Khu phố 1A"
    assert programme.position_title == "Đảng viên Chi bộ Khu phố 1A"
    assert programme.current_version is None
    assert programme.publicity_level == PublicityLevel.PRIVATE
    assert list(programme.versions.values_list("number", "state")) == [(1, VersionState.DRAFT)]
    assert not CommitmentTerms.objects.exists()
    event = last_event("programme.create")
    assert event.actor == cast.member.user
    assert event.object_id == str(programme.pk)
    assert event.after is not None
    assert event.after["title"] == programme.title
    assert event.after["owner"] == cast.member.pk
    assert event.after["term_start"] == "2026-01-01"


@pytest.mark.parametrize("actor", ["secretary", "head", "org_board"])
def test_nobody_registers_a_programme_for_someone_else(cast, actor):
    acting_user = cast.org_board if actor == "org_board" else getattr(cast, actor).user
    with writes_events(), pytest.raises(PermissionDenied):
        create(cast.member, acting_user=acting_user)
    assert not ActionProgramme.objects.exists()


def test_a_post_of_someone_else_is_refused(cast):
    post_of_secretary = cast.secretary.positions.get()
    with writes_events(), pytest.raises(ValidationError) as error:
        create(cast.member, position=post_of_secretary)
    assert error.value.message_dict == {"position": ["Chức vụ này không phải của người lập chương trình."]}
    assert not ActionProgramme.objects.exists()


def test_an_ended_post_is_refused(cast):
    post = cast.secretary.positions.get()
    post.end_date = datetime.date(2021, 1, 1)
    post.save()
    with pytest.raises(ValidationError) as error:
        create(cast.secretary, position=post)
    assert error.value.message_dict == {"position": ["Chức vụ này đã kết thúc."]}


def test_a_party_post_places_the_programme_in_the_organisation_of_the_post(cast):
    programme = create(cast.committee_staff, position=cast.committee_staff.positions.get())
    assert programme.organisation == cast.grassroots
    assert programme.position_title == "Cấp ủy viên Đảng bộ Khu phố 1"
    secretary_programme = create(cast.secretary, position=cast.secretary.positions.get())
    assert secretary_programme.organisation == cast.cell_a
    assert secretary_programme.position_title == "Bí thư Chi bộ Khu phố 1A"


def test_the_term_must_end_after_it_starts(cast):
    with writes_events(), pytest.raises(ValidationError) as error:
        create(cast.member, term_start=TERM_END, term_end=TERM_START)
    assert error.value.message_dict == {"term_end": ["Ngày kết thúc phải sau ngày bắt đầu."]}
    assert not ActionProgramme.objects.exists()


def test_an_unknown_occasion_is_refused(cast):
    with pytest.raises(ValidationError) as error:
        create(cast.member, occasion="birthday")
    assert error.value.message_dict == {"occasion": ["Lý do lập chương trình không hợp lệ."]}


def test_a_cadre_without_a_cell_is_told_to_ask_the_organisation_board(cast):
    cast.member.memberships.update(end_date=datetime.date(2025, 1, 1))
    with pytest.raises(ValidationError) as error:
        create(cast.member)
    assert error.value.messages == ["Đồng chí chưa sinh hoạt ở chi bộ nào trên cổng; hãy liên hệ Ban Tổ chức."]


# --- programme_update ------------------------------------------------------------------------------------------


def test_owner_changes_the_title_and_term_of_a_draft(cast):
    programme = create(cast.member)
    with writes_events("programme.update"):
        services.programme_update(
            programme=programme,
            occasion=Occasion.ELECTION,
            title="Chương trình hành động ứng cử",
            position=None,
            term_start=TERM_START,
            term_end=datetime.date(2027, 12, 31),
            acting_user=cast.member.user,
        )
    programme.refresh_from_db()
    assert (programme.occasion, programme.title, programme.term_end) == (
        Occasion.ELECTION,
        "Chương trình hành động ứng cử",
        datetime.date(2027, 12, 31),
    )
    event = last_event("programme.update")
    assert event.before is not None and event.after is not None
    assert event.before["title"] == "Chương trình hành động nhận nhiệm vụ mới"
    assert event.after["title"] == "Chương trình hành động ứng cử"


def test_the_general_information_is_frozen_after_confirmation(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    with writes_events(), pytest.raises(ValidationError) as error:
        services.programme_update(
            programme=programme,
            occasion=Occasion.NEW_DUTY,
            title="Tên khác",
            position=None,
            term_start=TERM_START,
            term_end=TERM_END,
            acting_user=cast.member.user,
        )
    assert error.value.messages == ["Chương trình đã được xác nhận: thông tin chung không sửa được nữa."]
    programme.refresh_from_db()
    assert programme.title == "Chương trình hành động nhiệm kỳ 2026"


# --- Commitments of a draft ------------------------------------------------------------------------------------


def test_commitments_are_added_at_the_end_with_their_milestones(cast):
    programme = create(cast.member)
    version = version_of(programme)
    user = cast.member.user
    add(version, user, 1, weight=50)
    with writes_events("commitment.add"):
        second = services.commitment_add(
            version=version,
            content=commitment_content(2, weight=50),
            milestones=[(datetime.date(2026, 3, 31), "  Xong 50% hồ sơ  ")],
            acting_user=user,
        )
    assert statements(version) == [
        (1, "Giải quyết đúng hạn 100% hồ sơ hành chính của khu phố, đợt 1"),
        (2, "Giải quyết đúng hạn 100% hồ sơ hành chính của khu phố, đợt 2"),
    ]
    assert list(Milestone.objects.values_list("terms", "due_date", "description")) == [
        (second.pk, datetime.date(2026, 3, 31), "Xong 50% hồ sơ")
    ]
    assert Commitment.objects.filter(programme=programme).count() == 2
    event = last_event("commitment.add")
    assert event.after is not None
    assert event.after["position"] == 2
    assert event.after["target_value"] == "100"


@pytest.mark.parametrize("weight", [0, 101])
def test_a_weight_outside_1_to_100_is_refused_and_nothing_is_added(cast, weight):
    version = version_of(create(cast.member))
    with writes_events(), pytest.raises(ValidationError) as error:
        add(version, cast.member.user, weight=weight)
    assert error.value.message_dict == {"weight": ["Trọng số phải từ 1 đến 100."]}
    assert not Commitment.objects.exists()
    assert not CommitmentTerms.objects.exists()


def test_a_field_the_form_does_not_edit_is_a_programming_error(cast):
    version = version_of(create(cast.member))
    with pytest.raises(ValueError, match="return_note"):
        add(version, cast.member.user, return_note="tự ghi")
    assert not Commitment.objects.exists()


def test_a_commitment_is_rewritten_and_the_audit_keeps_before_and_after(cast):
    programme = make_draft(cast.member)
    terms = version_of(programme).terms.get(position=1)
    with writes_events("commitment.update"):
        services.commitment_update(
            terms=terms,
            content=commitment_content(1, target_value=Decimal("95"), weight=60),
            milestones=[(datetime.date(2026, 5, 1), "Rà soát giữa kỳ")],
            acting_user=cast.member.user,
        )
    terms.refresh_from_db()
    assert terms.target_value == Decimal("95")
    assert list(terms.milestones.values_list("description", flat=True)) == ["Rà soát giữa kỳ"]
    event = last_event("commitment.update")
    assert event.before is not None and event.after is not None
    assert (event.before["target_value"], event.after["target_value"]) == ("100.00", "95")


def test_removing_a_commitment_renumbers_the_rest_and_deletes_the_never_confirmed_commitment(cast):
    programme = make_draft(cast.member, weights=(20, 30, 50))
    version = version_of(programme)
    first = version.terms.get(position=1)
    with writes_events("commitment.remove"):
        services.commitment_remove(terms=first, acting_user=cast.member.user)
    assert statements(version) == [
        (1, "Giải quyết đúng hạn 100% hồ sơ hành chính của khu phố, đợt 2"),
        (2, "Giải quyết đúng hạn 100% hồ sơ hành chính của khu phố, đợt 3"),
    ]
    assert not Commitment.objects.filter(pk=first.commitment_id).exists()
    event = last_event("commitment.remove")
    assert event.before is not None
    assert event.before["statement"].endswith("đợt 1")


def test_moving_a_commitment_swaps_it_with_its_neighbour(cast):
    programme = make_draft(cast.member, weights=(20, 30, 50))
    version = version_of(programme)
    third = version.terms.get(position=3)
    with writes_events("commitment.move"):
        services.commitment_move(terms=third, offset=-1, acting_user=cast.member.user)
    assert [statement[-1] for _position, statement in statements(version)] == ["1", "3", "2"]
    assert [position for position, _statement in statements(version)] == [1, 2, 3]
    event = last_event("commitment.move")
    assert event.after is not None
    assert event.after["order"] == list(version.terms.order_by("position").values_list("commitment_id", flat=True))


@pytest.mark.parametrize(("position", "offset"), [(1, -1), (3, 1), (2, 2)])
def test_a_move_past_either_end_or_by_more_than_one_changes_nothing(cast, position, offset):
    version = version_of(make_draft(cast.member, weights=(20, 30, 50)))
    before = statements(version)
    with writes_events():
        terms = version.terms.get(position=position)
        services.commitment_move(terms=terms, offset=offset, acting_user=cast.member.user)
    assert statements(version) == before


def test_a_commitment_moves_inside_its_section_only(cast):
    """Shown and numbered by section, a commitment moved up past the first of its section would change nothing
    anyone sees: it stays; inside its section it swaps with its neighbour, and the positions follow that order."""
    version = version_of(make_draft(cast.member, weights=(20, 30, 50)))
    second = version.terms.get(position=2)
    CommitmentTerms.objects.filter(pk=second.pk).update(category=CommitmentCategory.POLITICS_ETHICS, weight=None)
    first, third = version.terms.get(position=1), version.terms.get(position=3)
    before = statements(version)
    with writes_events():
        services.commitment_move(terms=first, offset=-1, acting_user=cast.member.user)
    assert statements(version) == before

    services.commitment_move(terms=third, offset=-1, acting_user=cast.member.user)

    # The section of the second comes first; then the third before the first.
    assert [statement[-1] for _position, statement in statements(version)] == ["2", "3", "1"]


def frozen_calls(version: ProgrammeVersion, user) -> dict[str, Any]:
    terms = version.terms.order_by("position").first()
    assert terms is not None
    return {
        "add": lambda: services.commitment_add(version=version, content=commitment_content(9), acting_user=user),
        "update": lambda: services.commitment_update(
            terms=terms, content=commitment_content(1, statement="Đổi nội dung đã xác nhận"), acting_user=user
        ),
        "remove": lambda: services.commitment_remove(terms=terms, acting_user=user),
        "move": lambda: services.commitment_move(terms=terms, offset=1, acting_user=user),
    }


@pytest.mark.parametrize("call", ["add", "update", "remove", "move"])
def test_the_commitments_of_a_confirmed_version_are_frozen(cast, call):
    programme = make_confirmed(cast.member, cast.secretary.user)
    version = version_of(programme)
    rows = terms_rows(version)
    commitments = Commitment.objects.count()
    with writes_events(), pytest.raises(ValidationError) as error:
        frozen_calls(version, cast.member.user)[call]()
    assert error.value.messages == [
        "Phiên bản này đang ở trạng thái “Đang có hiệu lực”, không sửa được. Muốn thay đổi, hãy lập bản điều chỉnh."
    ]
    assert terms_rows(version) == rows
    assert Commitment.objects.count() == commitments


@pytest.mark.parametrize("call", ["add", "update", "remove", "move"])
def test_the_commitments_of_a_submitted_version_are_frozen_too(cast, call):
    programme = make_draft(cast.member)
    version = submit(programme)
    rows = terms_rows(version)
    with writes_events(), pytest.raises(ValidationError):
        frozen_calls(version, cast.member.user)[call]()
    assert terms_rows(version) == rows


# --- programme_submit ------------------------------------------------------------------------------------------


def test_submission_is_refused_while_the_quality_check_finds_something(cast):
    programme = make_draft(cast.member, weights=(60, 30))
    vague = add(
        version_of(programme),
        cast.member.user,
        3,
        category=CommitmentCategory.POLITICS_ETHICS,
        statement="Nâng cao chất lượng công tác",
        indicator="",
        unit="",
        target_value=None,
        baseline_value=None,
        weight=None,
    )
    with writes_events(), pytest.raises(ValidationError) as error:
        submit(programme)
    assert vague.position == 3
    assert error.value.messages == [
        "Nội dung còn chung chung: hãy nêu con số cần đạt hoặc sản phẩm cụ thể "
        "thay cho những từ như “nâng cao”, “tăng cường”.",
        "Chưa có chỉ tiêu đo được: ghi chỉ tiêu, đơn vị tính và giá trị cam kết, hoặc chọn cam kết một sản phẩm.",
        "Trọng số các nội dung nhiệm vụ cộng lại được 90, cần đúng 100.",
    ]
    version = version_of(programme)
    assert version.state == VersionState.DRAFT
    assert version.confirmer is None and version.submitted_at is None
    programme.refresh_from_db()
    assert programme.state == ProgrammeState.DRAFT
    assert not Notification.objects.exists()


def test_submission_of_an_empty_programme_is_refused(cast):
    programme = create(cast.member)
    with pytest.raises(ValidationError) as error:
        submit(programme)
    assert error.value.messages == ["Chương trình chưa có nội dung cam kết nào."]


def test_once_fixed_the_programme_goes_to_the_cell_secretary_with_a_notification(cast):
    programme = make_draft(cast.member, weights=(60, 30))
    user = cast.member.user
    services.commitment_update(
        terms=version_of(programme).terms.get(position=2), content=commitment_content(2, weight=40), acting_user=user
    )
    with writes_events("programme.submit"):
        version = submit(programme)
    version.refresh_from_db()
    assert version.state == VersionState.SUBMITTED
    assert version.submitted_at is not None
    assert version.confirming_organisation == cast.cell_a
    assert version.confirmer == cast.secretary.user
    assert version.confirmer_title == "Bí thư Chi bộ Khu phố 1A"
    programme.refresh_from_db()
    assert programme.state == ProgrammeState.SUBMITTED
    assert programme.current_version is None
    notification = Notification.objects.get()
    assert notification.recipient == cast.secretary.user
    assert notification.subject == "Chờ xác nhận: chương trình hành động của Trần Thị Ánh"
    assert notification.body == "Trần Thị Ánh đã gửi “Chương trình hành động nhiệm kỳ 2026” để đồng chí xác nhận."
    assert notification.link == reverse("programmes:programme_review", args=[programme.pk, 1])
    event = last_event("programme.submit")
    assert event.before is not None and event.after is not None
    assert (event.before["state"], event.after["state"]) == ("draft", "submitted")
    assert event.after["confirmer"] == cast.secretary.user.pk
    assert list(confirmation_queue(cast.secretary.user)) == [version]


def test_texts_stored_for_others_are_in_the_portal_language_whatever_the_actors_screen(cast):
    with translation.override("en"):
        programme = make_draft(cast.member)
        version = submit(programme)
        services.programme_return(
            version=version,
            reason="",
            commitment_notes={version.terms.get(position=1).pk: "Ghi rõ nguồn số liệu."},
            acting_user=cast.secretary.user,
        )
        correction = submit(programme, number=2)
        services.programme_confirm(
            version=correction, publicity_max=PublicityLevel.CELL, acting_user=cast.secretary.user
        )
    programme.refresh_from_db()
    correction.refresh_from_db()
    assert programme.position_title == "Đảng viên Chi bộ Khu phố 1A"
    assert correction.confirmer_title == "Bí thư Chi bộ Khu phố 1A"
    assert list(Notification.objects.order_by("pk").values_list("subject", flat=True)) == [
        "Chờ xác nhận: chương trình hành động của Trần Thị Ánh",
        "Chương trình được trả lại để sửa: Chương trình hành động nhiệm kỳ 2026",
        "Chờ xác nhận: chương trình hành động của Trần Thị Ánh",
        "Đã xác nhận: Chương trình hành động nhiệm kỳ 2026 (phiên bản 2)",
    ]
    assert Notification.objects.get(subject__startswith="Chương trình được trả lại").body == (
        "Xem ý kiến ở từng nội dung cam kết."
    )


def test_a_submitted_version_cannot_be_submitted_again(cast):
    programme = make_draft(cast.member)
    submit(programme)
    with writes_events(), pytest.raises(ValidationError):
        submit(programme)
    assert Notification.objects.count() == 1


# --- programme_return ------------------------------------------------------------------------------------------


def test_returning_needs_a_reason_as_a_whole_or_for_a_commitment(cast):
    programme = make_draft(cast.member)
    version = submit(programme)
    first = version.terms.get(position=1)
    with writes_events(), pytest.raises(ValidationError) as error:
        services.programme_return(
            version=version, reason="   ", commitment_notes={first.pk: "  "}, acting_user=cast.secretary.user
        )
    assert error.value.message_dict == {"reason": ["Hãy ghi lý do trả lại, chung hoặc cho từng nội dung cam kết."]}
    version.refresh_from_db()
    assert version.state == VersionState.SUBMITTED


def test_the_confirmer_returns_with_notes_on_single_commitments(cast):
    programme = make_draft(cast.member)
    version = submit(programme)
    first, second = version.terms.order_by("position")
    with writes_events("programme.return"):
        services.programme_return(
            version=version,
            reason="",
            commitment_notes={second.pk: "  Chỉ tiêu 100% chưa sát thực tế, đề nghị ghi rõ số hồ sơ.  "},
            acting_user=cast.secretary.user,
        )
    version.refresh_from_db()
    assert version.state == VersionState.RETURNED
    assert version.returned_at is not None
    assert version.return_reason == ""
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.return_note, second.return_note) == ("", "Chỉ tiêu 100% chưa sát thực tế, đề nghị ghi rõ số hồ sơ.")
    programme.refresh_from_db()
    assert programme.state == ProgrammeState.RETURNED
    notification = Notification.objects.get(recipient=cast.member.user)
    assert notification.subject == "Chương trình được trả lại để sửa: Chương trình hành động nhiệm kỳ 2026"
    assert notification.body == "Xem ý kiến ở từng nội dung cam kết."
    assert notification.link == reverse("programmes:programme_detail", args=[programme.pk])
    event = last_event("programme.return")
    assert event.actor == cast.secretary.user
    assert event.after is not None
    assert event.after["notes"] == {str(second.pk): "Chỉ tiêu 100% chưa sát thực tế, đề nghị ghi rõ số hồ sơ."}
    assert list(confirmation_queue(cast.secretary.user)) == []


def test_a_returned_version_is_kept_as_sent_and_its_correction_is_the_next_version(cast):
    programme = make_draft(cast.member)
    version = submit(programme)
    first = version.terms.get(position=1)
    sent = terms_rows(version)
    with writes_events("programme.return"):
        services.programme_return(
            version=version,
            reason="Bổ sung biện pháp cụ thể.",
            commitment_notes={first.pk: "Biện pháp còn chung."},
            acting_user=cast.secretary.user,
        )
    correction = version_of(programme, 2)
    assert (correction.state, correction.resubmission_of, correction.amendment_reason) == (
        VersionState.DRAFT,
        version,
        "",
    )
    assert not correction.is_amendment
    # The same lasting commitments with the same wording, each with the note it answers.
    assert [(row["commitment_id"], row["statement"], row["return_note"]) for row in terms_rows(correction)] == [
        (row["commitment_id"], row["statement"], row["return_note"]) for row in terms_rows(version)
    ]
    assert [row["return_note"] for row in terms_rows(correction)] == ["Biện pháp còn chung.", ""]
    assert (last_event("programme.return").after or {})["correction"] == 2

    owner = cast.member.user
    with writes_events("commitment.update", "programme.submit"):
        services.commitment_update(
            terms=correction.terms.get(position=1),
            content=commitment_content(1, measures="Lập sổ theo dõi, rà soát thứ Sáu hằng tuần", weight=60),
            acting_user=owner,
        )
        submit(programme, number=2)
    programme.refresh_from_db()
    assert programme.state == ProgrammeState.SUBMITTED
    services.programme_confirm(version=correction, publicity_max=PublicityLevel.CELL, acting_user=cast.secretary.user)
    programme.refresh_from_db()
    version.refresh_from_db()
    assert programme.current_version == correction
    # The returned version is as it was sent, with its reason and notes; only the correction moved.
    assert (version.state, version.return_reason) == (VersionState.RETURNED, "Bổ sung biện pháp cụ thể.")
    assert [{**row, "return_note": ""} for row in terms_rows(version)] == [{**row, "return_note": ""} for row in sent]
    assert list(version.terms.order_by("position").values_list("return_note", flat=True)) == [
        "Biện pháp còn chung.",
        "",
    ]
    assert list(correction.terms.values_list("return_note", flat=True)) == ["", ""]
    assert correction.terms.get(position=1).measures == "Lập sổ theo dõi, rà soát thứ Sáu hằng tuần"


def returned_registration(cast) -> tuple[ActionProgramme, ProgrammeVersion]:
    """The member's registration, sent and returned by the cell's secretary: the programme and its first version."""
    programme = make_draft(cast.member)
    version = submit(programme)
    services.programme_return(version=version, reason="Bổ sung", acting_user=cast.secretary.user)
    return programme, version


def test_a_returned_version_is_not_edited_or_sent_again(cast):
    _programme, version = returned_registration(cast)
    owner = cast.member.user
    with writes_events(), pytest.raises(ValidationError):
        services.commitment_update(
            terms=version.terms.get(position=1), content=commitment_content(1, weight=60), acting_user=owner
        )
    with pytest.raises(ValidationError):
        services.programme_submit(version=version, acting_user=owner)
    with pytest.raises(ValidationError):
        services.version_withdraw(version=version, acting_user=owner)
    version.refresh_from_db()
    assert version.state == VersionState.RETURNED


def test_returning_a_correction_again_opens_the_third_version_from_the_second(cast):
    programme = make_draft(cast.member)
    services.programme_return(version=submit(programme), reason="Lần 1", acting_user=cast.secretary.user)
    second = submit(programme, number=2)
    services.programme_return(
        version=second,
        reason="",
        commitment_notes={second.terms.get(position=2).pk: "Chỉ tiêu 2 chưa rõ."},
        acting_user=cast.secretary.user,
    )
    third = version_of(programme, 3)
    assert (third.state, third.resubmission_of) == (VersionState.DRAFT, second)
    assert list(third.terms.order_by("position").values_list("return_note", flat=True)) == ["", "Chỉ tiêu 2 chưa rõ."]
    assert list(programme.versions.order_by("number").values_list("state", flat=True)) == [
        VersionState.RETURNED,
        VersionState.RETURNED,
        VersionState.DRAFT,
    ]
    programme.refresh_from_db()
    assert programme.state == ProgrammeState.RETURNED


def test_withdrawing_the_correction_of_a_registration_withdraws_the_programme(cast):
    programme, version = returned_registration(cast)
    with writes_events("programme.withdraw"):
        services.version_withdraw(version=version_of(programme, 2), acting_user=cast.member.user)
    programme.refresh_from_db()
    version.refresh_from_db()
    assert (programme.state, version.state) == (ProgrammeState.WITHDRAWN, VersionState.RETURNED)


def test_a_returned_amendment_is_corrected_in_the_next_version_with_its_reason(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    amendment = services.amendment_start(programme=programme, reason="Đổi chỉ tiêu", acting_user=cast.member.user)
    submit(programme, number=2)
    services.programme_return(version=amendment, reason="Chưa rõ lý do", acting_user=cast.secretary.user)
    correction = version_of(programme, 3)
    assert (correction.amendment_reason, correction.resubmission_of, correction.is_amendment) == (
        "Đổi chỉ tiêu",
        amendment,
        True,
    )
    programme.refresh_from_db()
    # The version in force stays; the programme is still confirmed and carried out.
    assert (programme.state, programme.current_version) == (ProgrammeState.CONFIRMED, version_of(programme, 1))
    with pytest.raises(ValidationError):
        services.amendment_start(programme=programme, reason="Thêm nữa", acting_user=cast.member.user)
    submit(programme, number=3)
    services.programme_confirm(version=correction, publicity_max=PublicityLevel.CELL, acting_user=cast.secretary.user)
    assert list(programme.versions.order_by("number").values_list("state", flat=True)) == [
        VersionState.SUPERSEDED,
        VersionState.RETURNED,
        VersionState.CONFIRMED,
    ]


def rename(programme: ActionProgramme, title: str, acting_user: User) -> ActionProgramme:
    """The owner changes only the programme's title: the rest of the general information is sent as it is."""
    kept = {name: getattr(programme, name) for name in ("occasion", "position", "term_start", "term_end")}
    return services.programme_update(programme=programme, title=title, acting_user=acting_user, **kept)


def test_the_general_information_of_a_returned_registration_is_changed_in_its_correction(cast):
    programme = make_draft(cast.member)
    services.programme_return(version=submit(programme), reason="Đổi tên", acting_user=cast.secretary.user)
    rename(programme, "Chương trình hành động nhiệm kỳ 2026 (sửa)", cast.member.user)
    programme.refresh_from_db()
    assert programme.title == "Chương trình hành động nhiệm kỳ 2026 (sửa)"
    submit(programme, number=2)
    with pytest.raises(ValidationError):
        rename(programme, "Lại đổi", cast.member.user)


@pytest.mark.parametrize("actor", ["member", "outsider", "head", "committee_staff"])
def test_only_the_confirmer_returns(cast, actor):
    version = submit(make_draft(cast.member))
    with writes_events(), pytest.raises(PermissionDenied):
        services.programme_return(version=version, reason="Không đạt", acting_user=getattr(cast, actor).user)
    version.refresh_from_db()
    assert version.state == VersionState.SUBMITTED


# --- programme_confirm -----------------------------------------------------------------------------------------


def test_the_cell_secretary_confirms_and_the_version_comes_into_force(cast):
    programme = make_draft(cast.member)
    version = submit(programme)
    with writes_events("programme.confirm"):
        services.programme_confirm(
            version=version,
            publicity_max=PublicityLevel.PUBLIC,
            comment="  Đồng ý, chỉ tiêu sát thực tế.  ",
            acting_user=cast.secretary.user,
        )
    version.refresh_from_db()
    assert version.state == VersionState.CONFIRMED
    assert version.confirmed_by == cast.secretary.user
    assert version.confirmed_at is not None
    assert version.confirmation_comment == "Đồng ý, chỉ tiêu sát thực tế."
    programme.refresh_from_db()
    assert programme.state == ProgrammeState.CONFIRMED
    assert programme.current_version == version
    assert (programme.publicity_max, programme.publicity_level) == (PublicityLevel.PUBLIC, PublicityLevel.COMMITTEE)
    notification = Notification.objects.get(recipient=cast.member.user)
    assert notification.subject == "Đã xác nhận: Chương trình hành động nhiệm kỳ 2026 (phiên bản 1)"
    assert notification.body == "Đồng ý, chỉ tiêu sát thực tế."
    event = last_event("programme.confirm")
    assert event.actor == cast.secretary.user
    assert event.after is not None
    assert (event.after["state"], event.after["version"], event.after["publicity_max"]) == ("confirmed", 1, 4)


@pytest.mark.parametrize(
    ("publicity_max", "level"),
    [
        (PublicityLevel.CELL, PublicityLevel.CELL),
        (PublicityLevel.COMMITTEE, PublicityLevel.COMMITTEE),
        (PublicityLevel.OVERSIGHT, PublicityLevel.COMMITTEE),
        (PublicityLevel.PUBLIC, PublicityLevel.COMMITTEE),
    ],
)
def test_the_publicity_level_is_the_lower_of_committee_and_the_maximum(cast, publicity_max, level):
    programme = make_confirmed(cast.member, cast.secretary.user, publicity_max=publicity_max)
    assert (programme.publicity_max, programme.publicity_level) == (publicity_max, level)


@pytest.mark.parametrize("publicity_max", [PublicityLevel.PRIVATE, 9])
def test_a_maximum_below_the_cell_or_unknown_is_refused(cast, publicity_max):
    version = submit(make_draft(cast.member))
    with writes_events(), pytest.raises(ValidationError) as error:
        services.programme_confirm(version=version, publicity_max=publicity_max, acting_user=cast.secretary.user)
    assert error.value.message_dict == {"publicity_max": ["Mức độ công khai tối đa không hợp lệ."]}
    version.refresh_from_db()
    assert version.state == VersionState.SUBMITTED


@pytest.mark.parametrize("actor", ["member", "outsider", "head", "committee_staff"])
def test_only_the_secretary_of_the_confirming_body_confirms(cast, actor):
    version = submit(make_draft(cast.member))
    with writes_events(), pytest.raises(PermissionDenied):
        services.programme_confirm(
            version=version, publicity_max=PublicityLevel.CELL, acting_user=getattr(cast, actor).user
        )
    version.refresh_from_db()
    assert version.state == VersionState.SUBMITTED


def test_org_board_staff_cannot_confirm_either(cast):
    version = submit(make_draft(cast.member))
    with pytest.raises(PermissionDenied):
        services.programme_confirm(version=version, publicity_max=PublicityLevel.CELL, acting_user=cast.org_board)


def new_cell_secretary(cast) -> User:
    """Cell A's secretary's post ended yesterday; Giang holds it from then: her account."""
    old_post = cast.secretary.positions.get()
    old_post.end_date = datetime.date.today() - datetime.timedelta(days=1)
    old_post.save()
    successor = make_member(cast.cell_a, "secretary2", full_name="Đỗ Thị Giang")
    PositionFactory(cadre=successor, organisation=cast.cell_a, party_post=PartyPost.SECRETARY)
    assert successor.user is not None
    return successor.user


def test_a_new_secretary_confirms_what_the_old_one_was_sent(cast):
    version = submit(make_draft(cast.member))
    successor = new_cell_secretary(cast)
    with pytest.raises(PermissionDenied):
        services.programme_confirm(version=version, publicity_max=PublicityLevel.CELL, acting_user=cast.secretary.user)
    services.programme_confirm(version=version, publicity_max=PublicityLevel.CELL, acting_user=successor)
    version.refresh_from_db()
    assert version.confirmed_by == successor


def test_a_returned_version_sent_again_goes_to_whoever_confirms_now(cast):
    programme, _version = returned_registration(cast)
    successor = new_cell_secretary(cast)
    correction = submit(programme, number=2)
    assert correction.confirmer == successor
    assert list(confirmation_queue(successor)) == [correction]
    assert list(confirmation_queue(cast.secretary.user)) == []
    assert Notification.objects.filter(recipient=successor, link__endswith="/xac-nhan/").count() == 1


def test_the_secretary_s_own_programme_goes_one_level_up_and_they_cannot_confirm_it(cast):
    programme = make_draft(cast.secretary)
    version = submit(programme)
    assert version.confirming_organisation == cast.grassroots
    assert version.confirmer == cast.head.user
    assert version.confirmer_title == "Bí thư Đảng bộ Khu phố 1"
    with writes_events(), pytest.raises(PermissionDenied) as error:
        services.programme_confirm(version=version, publicity_max=PublicityLevel.CELL, acting_user=cast.secretary.user)
    assert str(error.value) == "Không ai được tự xác nhận chương trình của chính mình."
    services.programme_confirm(version=version, publicity_max=PublicityLevel.CELL, acting_user=cast.head.user)
    version.refresh_from_db()
    assert version.state == VersionState.CONFIRMED


def test_an_owner_who_becomes_secretary_of_the_confirming_body_still_cannot_confirm(cast):
    version = submit(make_draft(cast.member))
    cast.secretary.positions.update(end_date=datetime.date.today() - datetime.timedelta(days=1))
    PositionFactory(cadre=cast.member, organisation=cast.cell_a, party_post=PartyPost.SECRETARY)
    with writes_events(), pytest.raises(PermissionDenied):
        services.programme_confirm(version=version, publicity_max=PublicityLevel.CELL, acting_user=cast.member.user)
    with pytest.raises(PermissionDenied):
        services.programme_return(version=version, reason="Tự trả", acting_user=cast.member.user)
    version.refresh_from_db()
    assert version.state == VersionState.SUBMITTED


def test_a_confirmed_version_cannot_be_confirmed_or_returned_again(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    version = version_of(programme)
    with writes_events(), pytest.raises(ValidationError):
        services.programme_confirm(version=version, publicity_max=PublicityLevel.CELL, acting_user=cast.secretary.user)
    with pytest.raises(ValidationError):
        services.programme_return(version=version, reason="Muộn", acting_user=cast.secretary.user)


# --- Amendments ------------------------------------------------------------------------------------------------


def test_an_amendment_needs_a_reason(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    with writes_events(), pytest.raises(ValidationError) as error:
        services.amendment_start(programme=programme, reason="  ", acting_user=cast.member.user)
    assert error.value.message_dict == {"reason": ["Hãy ghi lý do điều chỉnh."]}
    assert programme.versions.count() == 1


def test_only_a_confirmed_programme_is_amended(cast):
    programme = make_draft(cast.member)
    with pytest.raises(ValidationError) as error:
        services.amendment_start(programme=programme, reason="Đổi chỉ tiêu", acting_user=cast.member.user)
    assert error.value.messages == ["Chỉ điều chỉnh được chương trình đã được xác nhận và đang thực hiện."]


def test_an_amendment_copies_the_terms_of_the_version_in_force_for_the_same_commitments(cast):
    programme = make_draft(cast.member)
    user = cast.member.user
    services.commitment_update(
        terms=version_of(programme).terms.get(position=1),
        content=commitment_content(1, weight=60),
        milestones=[(datetime.date(2026, 3, 31), "Xong quý I")],
        acting_user=user,
    )
    version = submit(programme)
    services.programme_confirm(version=version, publicity_max=PublicityLevel.PUBLIC, acting_user=cast.secretary.user)
    with writes_events("programme.amend"):
        amendment = services.amendment_start(
            programme=programme, reason="  Khu phố sáp nhập, số hồ sơ tăng.  ", acting_user=user
        )
    assert (amendment.number, amendment.state, amendment.amendment_reason) == (
        2,
        VersionState.DRAFT,
        "Khu phố sáp nhập, số hồ sơ tăng.",
    )
    old = list(version.terms.order_by("position"))
    new = list(amendment.terms.order_by("position"))
    assert [t.commitment_id for t in new] == [t.commitment_id for t in old]
    for name in services.CONTENT_FIELDS:
        assert [getattr(t, name) for t in new] == [getattr(t, name) for t in old], name
    assert list(new[0].milestones.values_list("due_date", "description")) == [
        (datetime.date(2026, 3, 31), "Xong quý I")
    ]
    programme.refresh_from_db()
    assert programme.current_version == version
    assert programme.state == ProgrammeState.CONFIRMED
    event = last_event("programme.amend")
    assert event.after is not None
    assert (event.after["number"], event.after["reason"]) == (2, "Khu phố sáp nhập, số hồ sơ tăng.")


def test_only_one_amendment_is_pending_at_a_time(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    services.amendment_start(programme=programme, reason="Đổi chỉ tiêu", acting_user=cast.member.user)
    with writes_events(), pytest.raises(ValidationError) as error:
        services.amendment_start(programme=programme, reason="Đổi lần nữa", acting_user=cast.member.user)
    assert error.value.messages == ["Chương trình đang có một bản điều chỉnh chưa được xác nhận."]
    submit(programme, 2)
    with pytest.raises(ValidationError):
        services.amendment_start(programme=programme, reason="Đổi lần nữa", acting_user=cast.member.user)
    assert programme.versions.count() == 2


@pytest.mark.postgres
def test_the_database_refuses_a_second_pending_version(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    services.amendment_start(programme=programme, reason="Đổi chỉ tiêu", acting_user=cast.member.user)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgrammeVersion.objects.create(programme=programme, number=3, amendment_reason="Bản thứ hai")


@pytest.mark.postgres
def test_a_returned_version_is_not_pending_but_its_correction_is_the_one_pending_version(cast):
    programme = make_draft(cast.member)
    services.programme_return(version=submit(programme), reason="Bổ sung", acting_user=cast.secretary.user)
    assert programme.versions.count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgrammeVersion.objects.create(programme=programme, number=3, amendment_reason="Bản thứ hai")
    # A later version without a reason is allowed only as the correction of a returned one.
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgrammeVersion.objects.create(programme=programme, number=3, state=VersionState.WITHDRAWN)


@pytest.mark.postgres
def test_the_database_refuses_an_amendment_without_a_reason(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgrammeVersion.objects.create(programme=programme, number=2, state=VersionState.WITHDRAWN)


def test_version_1_stays_in_force_until_the_amendment_is_confirmed_then_it_is_superseded(cast):
    programme = make_confirmed(cast.member, cast.secretary.user, publicity_max=PublicityLevel.OVERSIGHT)
    first = version_of(programme)
    amendment = services.amendment_start(programme=programme, reason="Tăng chỉ tiêu", acting_user=cast.member.user)
    services.commitment_update(
        terms=amendment.terms.get(position=1),
        content=commitment_content(1, target_value=Decimal("98"), weight=60),
        acting_user=cast.member.user,
    )
    submit(programme, 2)
    programme.refresh_from_db()
    first.refresh_from_db()
    assert (programme.state, programme.current_version, first.state) == (
        ProgrammeState.CONFIRMED,
        first,
        VersionState.CONFIRMED,
    )
    services.programme_confirm(version=amendment, publicity_max=PublicityLevel.CELL, acting_user=cast.secretary.user)
    programme.refresh_from_db()
    first.refresh_from_db()
    amendment.refresh_from_db()
    assert first.state == VersionState.SUPERSEDED
    assert amendment.state == VersionState.CONFIRMED
    assert programme.current_version == amendment
    assert programme.state == ProgrammeState.CONFIRMED
    # A lower maximum pulls the level down with it.
    assert (programme.publicity_max, programme.publicity_level) == (PublicityLevel.CELL, PublicityLevel.CELL)
    assert first.terms.get(position=1).target_value == Decimal("100")
    assert amendment.terms.get(position=1).target_value == Decimal("98")
    services.amendment_start(programme=programme, reason="Điều chỉnh lần hai", acting_user=cast.member.user)
    assert list(programme.versions.order_by("number").values_list("number", "state")) == [
        (1, VersionState.SUPERSEDED),
        (2, VersionState.CONFIRMED),
        (3, VersionState.DRAFT),
    ]


def test_returning_an_amendment_leaves_the_programme_confirmed(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    services.amendment_start(programme=programme, reason="Tăng chỉ tiêu", acting_user=cast.member.user)
    amendment = submit(programme, 2)
    assert Notification.objects.filter(recipient=cast.secretary.user).latest("pk").subject == (
        "Chờ xác nhận: bản điều chỉnh của Trần Thị Ánh"
    )
    services.programme_return(version=amendment, reason="Chưa rõ lý do", acting_user=cast.secretary.user)
    programme.refresh_from_db()
    assert programme.state == ProgrammeState.CONFIRMED
    assert programme.current_version == version_of(programme, 1)


def test_removing_a_confirmed_commitment_from_an_amendment_keeps_its_history(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    amendment = services.amendment_start(programme=programme, reason="Bỏ một nội dung", acting_user=cast.member.user)
    removed = amendment.terms.get(position=2)
    services.commitment_remove(terms=removed, acting_user=cast.member.user)
    assert Commitment.objects.filter(pk=removed.commitment_id).exists()
    assert version_of(programme, 1).terms.count() == 2
    assert amendment.terms.count() == 1


# --- version_withdraw ------------------------------------------------------------------------------------------


def test_withdrawing_the_first_version_withdraws_the_programme_and_empties_the_queue(cast):
    programme = make_draft(cast.member)
    version = submit(programme)
    with writes_events("programme.withdraw"):
        services.version_withdraw(version=version, acting_user=cast.member.user)
    version.refresh_from_db()
    programme.refresh_from_db()
    assert (version.state, programme.state) == (VersionState.WITHDRAWN, ProgrammeState.WITHDRAWN)
    assert list(confirmation_queue(cast.secretary.user)) == []
    event = last_event("programme.withdraw")
    assert event.before is not None and event.after is not None
    assert (event.before["state"], event.after["state"]) == ("submitted", "withdrawn")


def test_withdrawing_an_amendment_keeps_the_programme_in_force(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    amendment = services.amendment_start(programme=programme, reason="Đổi chỉ tiêu", acting_user=cast.member.user)
    services.version_withdraw(version=amendment, acting_user=cast.member.user)
    programme.refresh_from_db()
    assert programme.state == ProgrammeState.CONFIRMED
    assert programme.current_version == version_of(programme, 1)
    again = services.amendment_start(programme=programme, reason="Đổi lại", acting_user=cast.member.user)
    assert again.number == 3


def test_a_confirmed_version_cannot_be_withdrawn(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    with writes_events(), pytest.raises(ValidationError) as error:
        services.version_withdraw(version=version_of(programme), acting_user=cast.member.user)
    assert error.value.messages == ["Chỉ rút được phiên bản chưa được xác nhận."]


# --- Owner services refuse everyone else ------------------------------------------------------------------------


def owner_calls(programme: ActionProgramme, user) -> dict[str, Any]:
    version = version_of(programme)
    terms = version.terms.get(position=1)
    return {
        "update": lambda: services.programme_update(
            programme=programme,
            occasion=Occasion.NEW_DUTY,
            title="Đổi tên",
            position=None,
            term_start=TERM_START,
            term_end=TERM_END,
            acting_user=user,
        ),
        "add": lambda: services.commitment_add(version=version, content=commitment_content(9), acting_user=user),
        "change": lambda: services.commitment_update(terms=terms, content=commitment_content(1), acting_user=user),
        "remove": lambda: services.commitment_remove(terms=terms, acting_user=user),
        "move": lambda: services.commitment_move(terms=terms, offset=1, acting_user=user),
        "submit": lambda: services.programme_submit(version=version, acting_user=user),
        "withdraw": lambda: services.version_withdraw(version=version, acting_user=user),
    }


@pytest.mark.parametrize("call", ["update", "add", "change", "remove", "move", "submit", "withdraw"])
@pytest.mark.parametrize("actor", ["secretary", "outsider", "head", "org_board", "overseer", "stranger"])
def test_only_the_owner_changes_a_draft(cast, call, actor):
    programme = make_draft(cast.member)
    users = {"org_board": cast.org_board, "overseer": cast.overseer, "stranger": UserFactory(username="stranger")}
    user = users[actor] if actor in users else getattr(cast, actor).user
    rows = terms_rows(version_of(programme))
    with writes_events(), pytest.raises(PermissionDenied) as error:
        owner_calls(programme, user)[call]()
    assert str(error.value) == "Chỉ người lập chương trình mới được làm việc này."
    assert terms_rows(version_of(programme)) == rows
    assert version_of(programme).state == VersionState.DRAFT
    programme.refresh_from_db()
    assert (programme.title, programme.state) == ("Chương trình hành động nhiệm kỳ 2026", ProgrammeState.DRAFT)


@pytest.mark.parametrize("actor", ["secretary", "outsider"])
def test_only_the_owner_starts_an_amendment(cast, actor):
    programme = make_confirmed(cast.member, cast.secretary.user)
    with writes_events(), pytest.raises(PermissionDenied):
        services.amendment_start(programme=programme, reason="Đổi", acting_user=getattr(cast, actor).user)
    assert programme.versions.count() == 1
