"""The registration pages: the owner's list, a new programme, the draft editor (with and without htmx),
submission, withdrawal and the start of an amendment, for every persona of the cast."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from programmes.action_programmes import services
from programmes.action_programmes.forms import CommitmentForm
from programmes.models import (
    ActionProgramme,
    Notification,
    Occasion,
    OrganisationKind,
    ProgrammeState,
    ProgrammeVersion,
    VersionState,
)
from programmes.web import add_service_error
from tests.factories import client_for, make_member, make_organisation
from tests.programmes.programme_data import commitment_content, make_confirmed, make_draft, submit

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def commitment_post(prefix: str, content: dict[str, Any], milestones=()) -> dict[str, str]:
    """The commitment form's POST data for `content` (the services' dictionary)."""
    data: dict[str, str] = {}
    for name, value in content.items():
        if isinstance(value, bool):
            if value:
                data[f"{prefix}-{name}"] = "on"
        elif value is None:
            data[f"{prefix}-{name}"] = ""
        elif isinstance(value, datetime.date):
            data[f"{prefix}-{name}"] = value.isoformat()
        else:
            data[f"{prefix}-{name}"] = str(value)
    for number, (due_date, description) in enumerate(milestones, start=1):
        data[f"{prefix}-milestone_{number}_date"] = due_date
        data[f"{prefix}-milestone_{number}_description"] = description
    return data


def url(name: str, programme: ActionProgramme, *args: Any) -> str:
    return reverse(f"programmes:{name}", args=[programme.pk, *args])


def first_version(programme: ActionProgramme) -> ProgrammeVersion:
    return programme.versions.get(number=1)


def in_force(programme: ActionProgramme) -> ProgrammeVersion:
    assert programme.current_version is not None
    return programme.current_version


# --- Anonymous visitors, outsiders, accounts without a cadre --------------------------------------


def _draft_urls(programme: ActionProgramme) -> list[tuple[str, str]]:
    terms = first_version(programme).terms.get(position=1)
    return [
        ("get", url("programme_edit", programme)),
        ("get", url("programme_quality", programme)),
        ("post", url("commitment_add", programme)),
        ("get", url("commitment_edit", programme, terms.pk)),
        ("post", url("commitment_delete", programme, terms.pk)),
        ("post", url("commitment_move", programme, terms.pk)),
        ("post", url("programme_submit", programme)),
        ("get", url("version_withdraw", programme)),
        ("post", url("version_withdraw", programme)),
        ("get", url("amendment_start", programme)),
    ]


def test_anonymous_is_sent_to_the_login_page_from_every_registration_page(cast):
    programme = make_draft(cast.member)
    client = Client()
    urls = [
        ("get", reverse("programmes:programme_list")),
        ("get", reverse("programmes:programme_create")),
        *_draft_urls(programme),
    ]
    for method, address in urls:
        response = getattr(client, method)(address)
        assert response.status_code == 302, address
        assert response["Location"].startswith(reverse("login")), address


def test_outsider_gets_404_on_every_page_of_someone_elses_draft_and_nothing_changes(cast):
    programme = make_draft(cast.member)
    client = client_for(cast.outsider.user)
    for method, address in _draft_urls(programme):
        assert getattr(client, method)(address, headers=HTMX).status_code == 404, address
    version = first_version(programme)
    assert version.state == VersionState.DRAFT
    assert version.terms.count() == 2


def test_the_confirmer_may_read_a_submitted_programme_but_not_withdraw_or_amend_it(cast):
    programme = make_draft(cast.member)
    submit(programme)
    client = client_for(cast.secretary.user)
    assert client.post(url("version_withdraw", programme)).status_code == 403
    assert client.get(url("amendment_start", programme)).status_code == 403
    assert first_version(programme).state == VersionState.SUBMITTED


def test_an_account_without_a_cadre_is_told_why_it_cannot_register(cast):
    response = client_for(cast.org_board).get(reverse("programmes:programme_create"))
    assert response.status_code == 403
    assert "không gắn với hồ sơ cán bộ, đảng viên" in response.text


def test_the_menu_offers_my_programmes_to_cadres_only(cast):
    link = f'href="{reverse("programmes:programme_list")}"'
    assert link in client_for(cast.member.user).get(reverse("password_change")).text
    assert link in client_for(cast.head.user).get(reverse("password_change")).text
    assert link not in client_for(cast.org_board).get(reverse("password_change")).text


# --- A new programme ------------------------------------------------------------------------------


def test_a_cadre_registers_a_programme_for_one_of_their_posts(cast):
    client = client_for(cast.secretary.user)
    form_page = client.get(reverse("programmes:programme_create")).text
    assert "Không gắn chức vụ (đảng viên)" in form_page
    assert "Bí thư Chi bộ Khu phố 1A" in form_page
    position = cast.secretary.positions.get()
    response = client.post(
        reverse("programmes:programme_create"),
        {
            "occasion": Occasion.NEW_DUTY,
            "title": "Chương trình hành động nhiệm kỳ 2026",
            "position": position.pk,
            "term_start": "2026-01-01",
            "term_end": "2026-12-31",
        },
    )
    programme = ActionProgramme.objects.get(owner=cast.secretary)
    assert response.status_code == 302
    assert response["Location"] == url("programme_edit", programme)
    assert programme.position == position
    assert programme.position_title == "Bí thư Chi bộ Khu phố 1A"
    assert first_version(programme).state == VersionState.DRAFT


def test_a_term_ending_before_it_starts_is_refused_at_the_field(cast):
    response = client_for(cast.member.user).post(
        reverse("programmes:programme_create"),
        {"occasion": Occasion.ANNUAL, "title": "Cam kết 2026", "term_start": "2026-12-31", "term_end": "2026-01-01"},
    )
    assert response.status_code == 200
    assert "Ngày kết thúc phải sau ngày bắt đầu." in response.text
    assert 'aria-describedby="id_term_end_error"' in response.text
    assert not ActionProgramme.objects.exists()


# --- The editor: from an empty draft to a submitted programme -------------------------------------


def test_registering_a_programme_from_creation_to_submission(cast):
    client = client_for(cast.member.user)
    client.post(
        reverse("programmes:programme_create"),
        {
            "occasion": Occasion.NEW_DUTY,
            "title": "Chương trình 2026",
            "term_start": "2026-01-01",
            "term_end": "2026-12-31",
        },
    )
    programme = ActionProgramme.objects.get(owner=cast.member)
    version = first_version(programme)

    page = client.get(url("programme_edit", programme)).text
    assert "Chương trình chưa có nội dung cam kết nào." in page
    assert "Người xác nhận: Bí thư Chi bộ Khu phố 1A, Lê Văn Bình" in page
    assert 'disabled aria-describedby="submit-explanation"' in page

    # Without JavaScript: a normal POST and a redirect back to the editor.
    response = client.post(url("commitment_add", programme), commitment_post("new", commitment_content(1, weight=60)))
    assert response.status_code == 302
    assert response["Location"] == url("programme_edit", programme) + "#commitments"

    # With htmx: the same POST answers with the commitment section and asks the quality panel to refresh.
    second = commitment_content(2, weight=30, deadline=None)
    response = client.post(url("commitment_add", programme), commitment_post("new", second), headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "programmeChanged"
    assert "<html" not in response.text
    assert 'id="commitments"' in response.text
    assert "Đã thêm nội dung cam kết I.2." in response.text
    assert "Tổng trọng số các nội dung nhiệm vụ: <strong>90/100</strong>." in response.text
    assert version.terms.count() == 2

    panel = client.get(url("programme_quality", programme), headers=HTMX).text
    assert "<html" not in panel
    assert "Nội dung I.2: Chưa có thời hạn hoàn thành." in panel
    assert "Trọng số các nội dung nhiệm vụ cộng lại được 90, cần đúng 100." in panel
    assert "disabled" in panel

    response = client.post(url("programme_submit", programme), follow=True)
    assert response.redirect_chain[-1][0] == url("programme_edit", programme)
    assert "Chưa gửi được chương trình:" in response.text
    assert "Chưa có thời hạn hoàn thành." in response.text
    version.refresh_from_db()
    assert version.state == VersionState.DRAFT
    assert not Notification.objects.exists()

    terms = version.terms.get(position=2)
    fixed = commitment_content(2, weight=40, deadline=datetime.date(2026, 9, 30))
    response = client.post(
        url("commitment_edit", programme, terms.pk), commitment_post(f"c{terms.pk}", fixed), headers=HTMX
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "programmeChanged"
    panel = client.get(url("programme_quality", programme), headers=HTMX).text
    assert "Đạt yêu cầu" in panel
    assert "disabled" not in panel

    response = client.post(url("programme_submit", programme))
    assert response.status_code == 302
    assert response["Location"] == url("programme_detail", programme)
    version.refresh_from_db()
    programme.refresh_from_db()
    assert version.state == VersionState.SUBMITTED
    assert programme.state == ProgrammeState.SUBMITTED
    assert Notification.objects.filter(recipient=cast.secretary.user).count() == 1

    # A second click (another tab, a double click) sends nothing again.
    response = client.post(url("programme_submit", programme), follow=True)
    assert response.redirect_chain[-1][0] == url("programme_detail", programme)
    assert "đang ở trạng thái “Chờ xác nhận” nên không sửa được" in response.text
    assert Notification.objects.filter(recipient=cast.secretary.user).count() == 1


def test_a_bad_commitment_is_shown_at_its_fields_and_nothing_is_saved(cast):
    programme = make_draft(cast.member, weights=(100,))
    content = commitment_content(2, weight=150, statement="")
    response = client_for(cast.member.user).post(
        url("commitment_add", programme), commitment_post("new", content), headers=HTMX
    )
    assert response.status_code == 200
    assert "HX-Trigger" not in response
    assert 'aria-describedby="id_new-weight_helptext id_new-weight_error"' in response.text
    assert 'id="id_new-weight_error"' in response.text
    assert 'id="id_new-statement_error"' in response.text
    assert first_version(programme).terms.count() == 1


def test_a_milestone_needs_both_its_date_and_what_it_delivers(cast):
    programme = make_draft(cast.member, weights=(100,))
    content = commitment_content(2, weight=None, category="self_improvement")
    data = commitment_post("new", content, milestones=[("2026-03-31", "")])
    response = client_for(cast.member.user).post(url("commitment_add", programme), data, headers=HTMX)
    assert "Hãy ghi kết quả cần đạt ở mốc này." in response.text
    assert first_version(programme).terms.count() == 1

    data = commitment_post("new", content, milestones=[("2026-03-31", "Hoàn thành lớp bồi dưỡng")])
    client_for(cast.member.user).post(url("commitment_add", programme), data)
    terms = first_version(programme).terms.get(position=2)
    assert [(m.due_date, m.description) for m in terms.milestones.all()] == [
        (datetime.date(2026, 3, 31), "Hoàn thành lớp bồi dưỡng")
    ]


def test_the_quality_panel_alone_is_only_for_htmx(cast):
    programme = make_draft(cast.member)
    response = client_for(cast.member.user).get(url("programme_quality", programme))
    assert response["Location"] == url("programme_edit", programme) + "#quality-panel"


def test_editing_a_commitment_in_place_shows_its_form_with_its_values(cast):
    programme = make_draft(cast.member)
    terms = first_version(programme).terms.get(position=2)
    client = client_for(cast.member.user)
    fragment = client.get(url("commitment_edit", programme, terms.pk), headers=HTMX).text
    assert "Sửa nội dung I.2" in fragment
    assert f'name="c{terms.pk}-weight" value="40"' in fragment
    assert 'value="2026-06-30"' in fragment
    page = client.get(url("commitment_edit", programme, terms.pk)).text
    assert "<html" in page
    assert "Sửa nội dung I.2" in page


def test_commitments_move_and_are_removed_with_and_without_htmx(cast):
    programme = make_draft(cast.member, weights=(60, 40))
    version = first_version(programme)
    first, second = version.terms.order_by("position")
    client = client_for(cast.member.user)

    response = client.post(url("commitment_move", programme, second.pk), {"offset": "-1"}, headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "programmeChanged"
    assert "Đã chuyển nội dung cam kết lên vị trí I.1." in response.text
    assert list(version.terms.order_by("position").values_list("pk", flat=True)) == [second.pk, first.pk]

    assert client.post(url("commitment_move", programme, second.pk), {"offset": "3"}).status_code == 400

    response = client.post(url("commitment_delete", programme, second.pk))
    assert response.status_code == 302
    remaining = version.terms.get()
    assert remaining.pk == first.pk
    assert remaining.position == 1


def test_the_owner_changes_the_general_information_before_the_first_confirmation(cast):
    programme = make_draft(cast.member)
    response = client_for(cast.member.user).post(
        url("programme_edit", programme),
        {
            "occasion": Occasion.ANNUAL,
            "title": "Bản cam kết 2026",
            "term_start": "2026-01-01",
            "term_end": "2026-12-31",
        },
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.title == "Bản cam kết 2026"
    assert programme.occasion == Occasion.ANNUAL


def test_the_editor_names_why_no_confirmer_can_be_found(cast):
    lonely_cell = make_organisation("Chi bộ Khu phố 9", OrganisationKind.SUBORDINATE_CELL, cast.grassroots)
    owner = make_member(lonely_cell, "lonely", full_name="Đỗ Thị Giang")
    programme = make_draft(owner)
    page = client_for(owner.user).get(url("programme_edit", programme)).text
    assert "Chi bộ Khu phố 9 chưa có bí thư có tài khoản trên cổng, nên chưa có người xác nhận." in page
    assert 'disabled aria-describedby="submit-explanation"' in page


def test_a_returned_programme_shows_the_reason_and_each_commitments_note(cast):
    programme = make_draft(cast.member)
    version = submit(programme)
    terms = version.terms.get(position=1)
    services.programme_return(
        version=version,
        reason="Chỉ tiêu chưa rõ nguồn số liệu.",
        commitment_notes={terms.pk: "Ghi rõ số hồ sơ mỗi quý."},
        acting_user=cast.secretary.user,
    )
    page = client_for(cast.member.user).get(url("programme_edit", programme)).text
    assert "Chỉ tiêu chưa rõ nguồn số liệu." in page
    assert "Ghi rõ số hồ sơ mỗi quý." in page
    assert "Gửi lại để xác nhận" in page


def test_add_service_error_puts_each_message_at_its_field_or_above_the_form():
    form = CommitmentForm({}, prefix="new", weight_total=0)
    form.is_valid()
    add_service_error(form, ValidationError({"deadline": "Thời hạn sai.", "version": "Phiên bản đã khóa."}))
    assert "Thời hạn sai." in form.errors["deadline"]
    assert "Phiên bản đã khóa." in form.non_field_errors()


# --- A confirmed programme is frozen; an amendment is edited instead -------------------------------


def test_a_confirmed_version_cannot_be_edited_and_nothing_changes(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    terms = in_force(programme).terms.get(position=1)
    client = client_for(cast.member.user)
    changed = commitment_post(f"c{terms.pk}", commitment_content(1, statement="Đã sửa sau khi xác nhận"))
    assert client.post(url("commitment_edit", programme, terms.pk), changed).status_code == 404
    assert client.post(url("commitment_delete", programme, terms.pk)).status_code == 404
    assert client.post(url("commitment_move", programme, terms.pk), {"offset": "1"}).status_code == 404
    assert (
        client.post(url("commitment_add", programme), commitment_post("new", commitment_content())).status_code == 404
    )
    terms.refresh_from_db()
    assert terms.statement == commitment_content(1)["statement"]
    assert in_force(programme).terms.count() == 2

    response = client.get(url("programme_edit", programme))
    assert response.status_code == 302
    assert response["Location"] == url("programme_detail", programme)
    response = client.get(url("programme_quality", programme), headers=HTMX)
    assert response["HX-Redirect"] == url("programme_detail", programme)


def test_an_amendment_is_a_new_version_while_the_confirmed_one_stays_in_force(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    version_in_force = in_force(programme)
    client = client_for(cast.member.user)

    form_page = client.get(url("amendment_start", programme)).text
    assert "Lý do điều chỉnh" in form_page
    assert "vẫn có hiệu lực cho đến khi bản điều chỉnh được xác nhận" in form_page

    response = client.post(url("amendment_start", programme), {"reason": ""})
    assert response.status_code == 200
    assert 'id="id_reason_error"' in response.text
    assert programme.versions.count() == 1

    response = client.post(
        url("amendment_start", programme), {"reason": "Được giao thêm nhiệm vụ phụ trách khu phố 2."}
    )
    assert response.status_code == 302
    assert response["Location"] == url("programme_edit", programme)
    amendment = programme.versions.get(number=2)
    assert amendment.state == VersionState.DRAFT

    page = client.get(url("programme_edit", programme)).text
    assert "Bản điều chỉnh (phiên bản 2)" in page
    assert "Được giao thêm nhiệm vụ phụ trách khu phố 2." in page
    new_terms = amendment.terms.get(position=1)
    old_terms = version_in_force.terms.get(position=1)
    assert url("commitment_edit", programme, new_terms.pk) in page
    assert url("commitment_edit", programme, old_terms.pk) not in page

    changed = commitment_content(1, statement="Giải quyết đúng hạn 100% hồ sơ của khu phố 1 và khu phố 2")
    assert (
        client.post(
            url("commitment_edit", programme, old_terms.pk), commitment_post(f"c{old_terms.pk}", changed)
        ).status_code
        == 404
    )
    client.post(url("commitment_edit", programme, new_terms.pk), commitment_post(f"c{new_terms.pk}", changed))
    new_terms.refresh_from_db()
    old_terms.refresh_from_db()
    programme.refresh_from_db()
    assert new_terms.statement == changed["statement"]
    assert old_terms.statement == commitment_content(1)["statement"]
    assert programme.current_version == version_in_force
    assert programme.state == ProgrammeState.CONFIRMED

    # General information stays as confirmed.
    response = client.post(
        url("programme_edit", programme),
        {"occasion": Occasion.ANNUAL, "title": "Đổi tên", "term_start": "2026-01-01", "term_end": "2026-12-31"},
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.title != "Đổi tên"

    # A second amendment cannot be opened while this one is pending.
    response = client.get(url("amendment_start", programme))
    assert response["Location"] == url("programme_edit", programme)
    response = client.post(url("amendment_start", programme), {"reason": "Lần nữa"})
    assert "Chương trình đang có một bản điều chỉnh chưa được xác nhận." in response.text
    assert programme.versions.count() == 2


def test_an_unconfirmed_programme_cannot_be_amended(cast):
    programme = make_draft(cast.member)
    services.version_withdraw(version=first_version(programme), acting_user=cast.member.user)
    response = client_for(cast.member.user).post(url("amendment_start", programme), {"reason": "Thử"})
    assert response.status_code == 200
    assert "Chỉ điều chỉnh được chương trình đã được xác nhận và đang thực hiện." in response.text


# --- Withdrawal -----------------------------------------------------------------------------------


def test_the_owner_withdraws_a_draft_after_confirming(cast):
    programme = make_draft(cast.member)
    client = client_for(cast.member.user)
    page = client.get(url("version_withdraw", programme)).text
    assert "Rút chương trình “Chương trình hành động nhiệm kỳ 2026”?" in page
    assert first_version(programme).state == VersionState.DRAFT
    response = client.post(url("version_withdraw", programme))
    assert response["Location"] == reverse("programmes:programme_list")
    programme.refresh_from_db()
    assert programme.state == ProgrammeState.WITHDRAWN
    assert first_version(programme).state == VersionState.WITHDRAWN


def test_withdrawing_an_amendment_keeps_the_confirmed_version(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    services.amendment_start(programme=programme, reason="Điều chỉnh chỉ tiêu", acting_user=cast.member.user)
    response = client_for(cast.member.user).post(url("version_withdraw", programme))
    assert response["Location"] == url("programme_detail", programme)
    programme.refresh_from_db()
    assert programme.state == ProgrammeState.CONFIRMED
    assert programme.versions.get(number=2).state == VersionState.WITHDRAWN


# --- The list -------------------------------------------------------------------------------------


def test_the_list_shows_state_progress_overdue_and_a_pending_amendment(cast):
    confirmed = make_confirmed(cast.member, cast.secretary.user, title="Chương trình đã xác nhận")
    commitment = in_force(confirmed).terms.get(position=1).commitment
    commitment.value_reached = Decimal("90")
    commitment.save()
    services.amendment_start(programme=confirmed, reason="Điều chỉnh", acting_user=cast.member.user)
    make_draft(cast.member, title="Chương trình đang soạn")
    page = client_for(cast.member.user).get(reverse("programmes:programme_list")).text
    assert "Chương trình hành động của tôi" in page
    assert "Đã xác nhận, đang thực hiện" in page
    assert "Bản nháp" in page
    assert "Bản điều chỉnh (phiên bản 2): Bản nháp" in page
    # 90 of the way from 80 to 100 is 50% of a commitment weighted 60, the other one 0%: 30%.
    assert 'aria-valuetext="30%"' in page
    assert reverse("programmes:programme_create") in page


def test_the_list_shows_programmes_in_scope_to_the_cell_secretary(cast):
    make_confirmed(cast.member, cast.secretary.user, title="Chương trình của Ánh")
    page = client_for(cast.secretary.user).get(reverse("programmes:programme_list")).text
    assert "Chương trình trong phạm vi của tôi" in page
    assert "Trần Thị Ánh" in page
    assert "Chương trình của Ánh" in page
    outsider_page = client_for(cast.outsider.user).get(reverse("programmes:programme_list")).text
    assert "Chương trình của Ánh" not in outsider_page


# Session, user, grants, the header's counts, the cadre, the own programmes with their versions in force,
# commitments and pending versions, the readable page's ids with their total, its rows with their commitments, and
# (for a reader of others' programmes) the organisations the search offers. No milestones: the lists do not show them.
MEMBER_LIST_QUERIES = 12
SECRETARY_LIST_QUERIES = 13


@pytest.mark.parametrize("count", [1, 5])
def test_the_list_costs_the_same_queries_for_1_and_5_programmes(cast, count, django_assert_num_queries):
    for number in range(count):
        programme = make_confirmed(cast.member, cast.secretary.user, title=f"Chương trình số {number}")
        services.amendment_start(programme=programme, reason="Điều chỉnh", acting_user=cast.member.user)
        make_draft(cast.member, title=f"Bản nháp số {number}")
    address = reverse("programmes:programme_list")
    member, secretary = client_for(cast.member.user), client_for(cast.secretary.user)
    with django_assert_num_queries(MEMBER_LIST_QUERIES):
        page = member.get(address).text
    assert all(f"Bản nháp số {number}" in page for number in range(count))
    with django_assert_num_queries(SECRETARY_LIST_QUERIES):
        page = secretary.get(address).text
    assert all(f"Chương trình số {number}" in page for number in range(count))


def test_the_list_is_paginated_by_25(cast):
    for number in range(26):
        owner = make_member(cast.cell_a, f"owner{number}", full_name=f"Đảng viên {number:02d}")
        make_confirmed(owner, cast.secretary.user, title=f"Chương trình {number:02d}", weights=(100,))
    page = client_for(cast.secretary.user).get(reverse("programmes:programme_list")).text
    assert "Trang 1 trên 2" in page


def _programmes_in_cell_a(cast, count: int) -> None:
    """`count` confirmed programmes of members of cell A, created in the reverse of their owners' names."""
    for number in reversed(range(count)):
        owner = make_member(cast.cell_a, f"owner{number}", full_name=f"Đảng viên {number:03d}")
        make_confirmed(owner, cast.secretary.user, title=f"Chương trình {number:03d}", weights=(100,))


@pytest.mark.parametrize("count", [10, 100])
def test_the_scoped_list_costs_the_same_queries_for_10_and_100_programmes(cast, count, django_assert_num_queries):
    _programmes_in_cell_a(cast, count)
    secretary = client_for(cast.secretary.user)
    address = reverse("programmes:programme_list")
    with django_assert_num_queries(SECRETARY_LIST_QUERIES):
        page = secretary.get(address).text
    # By owner's name, 25 a page, with the total of the whole list.
    assert all(f"Chương trình {number:03d}" in page for number in range(min(count, 25)))
    assert "Chương trình 025" not in page
    assert f"{count} chương trình" in page
    if count > 25:
        with django_assert_num_queries(SECRETARY_LIST_QUERIES):
            assert "Chương trình 025" in secretary.get(address + "?page=2").text
    # The other cell's member reads none of them, whatever the number.
    assert "Chương trình 000" not in client_for(cast.outsider.user).get(address).text


# The organisation board's staff (an account without a member record, as a ward's staff at city scale): session,
# user, grants (no member record, their role), the header's unread count, the member record (none: no own programmes
# to read), the readable page's ids with their total, its rows with their commitments, the organisations the search
# offers.
STAFF_LIST_QUERIES = 10


@pytest.mark.parametrize("count", [10, 100])
def test_the_staff_list_costs_the_same_queries_for_10_and_100_programmes(cast, count, django_assert_num_queries):
    _programmes_in_cell_a(cast, count)
    staff = client_for(cast.org_board)
    with django_assert_num_queries(STAFF_LIST_QUERIES):
        page = staff.get(reverse("programmes:programme_list")).text
    assert "Chương trình 000" in page and f"{count} chương trình" in page
    assert "Chương trình hành động của tôi" not in page


def test_the_scoped_list_pages_follow_the_owners_names_and_a_page_past_the_end_shows_the_last(cast):
    _programmes_in_cell_a(cast, 30)
    secretary = client_for(cast.secretary.user)
    address = reverse("programmes:programme_list")
    second = secretary.get(address + "?page=2").text
    assert all(f"Chương trình {number:03d}" in second for number in range(25, 30))
    assert "Chương trình 024" not in second
    assert "Trang 2 trên 2" in second
    for past_the_end in ("3", "99", "0", "-1"):
        page = secretary.get(address, {"page": past_the_end}).text
        assert "Chương trình 029" in page and "Chương trình 024" not in page, past_the_end
    for not_a_number in ("abc", "2.5", ""):
        page = secretary.get(address, {"page": not_a_number}).text
        assert "Chương trình 000" in page and "Chương trình 029" not in page, not_a_number
    # A filter narrows the ids and the total alike.
    page = secretary.get(address, {"q": "dang vien 02"}).text
    assert "10 chương trình" in page and "Chương trình 020" in page and "Chương trình 000" not in page
