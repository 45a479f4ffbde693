"""Who confirms a programme: the owner's standing, the rule table (data, not code), the body that confirms."""

import datetime
import typing
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from programmes.action_programmes import services
from programmes.action_programmes.confirmers import find_confirmer, owner_standing, rule_for
from programmes.models import (
    ActionProgramme,
    ConfirmerRule,
    Occasion,
    OrganisationKind,
    PartyPost,
    Position,
    PostKind,
    ProgrammeVersion,
    VersionState,
)
from tests.factories import PositionFactory, make_member, make_organisation
from tests.programmes.programme_data import TERM_END, TERM_START, commitment_content, make_draft, submit

pytestmark = pytest.mark.django_db

Standing = ConfirmerRule.OwnerStanding
Body = ConfirmerRule.ConfirmingBody


def register(owner, position: Position | None = None, occasion: str = Occasion.NEW_DUTY) -> ActionProgramme:
    assert owner.user is not None
    programme = services.programme_create(
        owner=owner,
        occasion=occasion,
        title="Chương trình hành động",
        position=position,
        term_start=TERM_START,
        term_end=TERM_END,
        acting_user=owner.user,
    )
    services.commitment_add(version=programme.versions.get(), content=commitment_content(1), acting_user=owner.user)
    return programme


def post(**fields: Any) -> Position:
    return typing.cast(Position, PositionFactory(**fields))


def ward_secretary(cast):
    secretary = make_member(cast.cell_b, "bithuphuong", full_name="Nguyễn Văn Phường")
    PositionFactory(cadre=secretary, organisation=cast.ward, party_post=PartyPost.SECRETARY)
    return secretary


# --- Standing -------------------------------------------------------------------------------------------------


def test_standing_comes_from_the_post_the_programme_is_for(cast):
    assert owner_standing(None) == Standing.MEMBER
    assert owner_standing(cast.secretary.positions.get()) == Standing.CELL_LEADER
    deputy = post(cadre=cast.member, organisation=cast.cell_a, party_post=PartyPost.DEPUTY_SECRETARY)
    assert owner_standing(deputy) == Standing.CELL_LEADER
    assert owner_standing(cast.committee_staff.positions.get()) == Standing.COMMITTEE_MEMBER
    assert owner_standing(cast.head.positions.get()) == Standing.COMMITTEE_MEMBER
    head_of_agency = post(
        cadre=cast.outsider, post_kind=PostKind.GOVERNMENT, party_post="", title="Chủ tịch UBND phường", is_head=True
    )
    assert owner_standing(head_of_agency) == Standing.HEAD
    clerk = post(
        cadre=cast.outsider, post_kind=PostKind.GOVERNMENT, party_post="", title="Công chức địa chính", is_head=False
    )
    assert owner_standing(clerk) == Standing.MEMBER


def test_the_default_rule_table_is_installed_as_data():
    rows = set(ConfirmerRule.objects.values_list("owner_standing", "occasion", "confirming_body"))
    assert rows == {
        (Standing.MEMBER, "", Body.OWN_CELL),
        (Standing.CELL_LEADER, "", Body.GRASSROOTS_COMMITTEE),
        (Standing.COMMITTEE_MEMBER, "", Body.MANAGING_COMMITTEE),
        (Standing.HEAD, "", Body.MANAGING_COMMITTEE),
    }


def test_an_occasion_specific_rule_overrides_the_general_one(cast):
    ConfirmerRule.objects.create(
        owner_standing=Standing.MEMBER, occasion=Occasion.ELECTION, confirming_body=Body.GRASSROOTS_COMMITTEE
    )
    assert rule_for(Standing.MEMBER, Occasion.ELECTION).confirming_body == Body.GRASSROOTS_COMMITTEE
    assert rule_for(Standing.MEMBER, Occasion.NEW_DUTY).confirming_body == Body.OWN_CELL
    election = find_confirmer(register(cast.member, occasion=Occasion.ELECTION))
    assert (election.organisation, election.user) == (cast.grassroots, cast.head.user)
    new_duty = find_confirmer(register(cast.member, occasion=Occasion.NEW_DUTY))
    assert (new_duty.organisation, new_duty.user) == (cast.cell_a, cast.secretary.user)


def test_a_standing_without_any_rule_is_named_in_the_error():
    ConfirmerRule.objects.filter(owner_standing=Standing.HEAD).delete()
    with pytest.raises(ValidationError) as error:
        rule_for(Standing.HEAD, Occasion.APPOINTMENT)
    assert error.value.messages == ["Chưa có quy tắc xác định người xác nhận cho “Người đứng đầu cơ quan, đơn vị”."]


# --- The confirming body --------------------------------------------------------------------------------------


def test_a_member_is_confirmed_by_the_secretary_of_their_cell(cast):
    confirmer = find_confirmer(register(cast.member))
    assert (confirmer.organisation, confirmer.user, confirmer.title) == (
        cast.cell_a,
        cast.secretary.user,
        "Bí thư Chi bộ Khu phố 1A",
    )
    assert confirmer.rule.owner_standing == Standing.MEMBER


def test_a_cell_secretary_is_confirmed_by_the_grassroots_committee_secretary(cast):
    confirmer = find_confirmer(register(cast.secretary, cast.secretary.positions.get()))
    assert (confirmer.organisation, confirmer.user, confirmer.title) == (
        cast.grassroots,
        cast.head.user,
        "Bí thư Đảng bộ Khu phố 1",
    )


def test_a_committee_member_is_confirmed_by_the_managing_committee_above_the_grassroots(cast):
    bithuphuong = ward_secretary(cast)
    confirmer = find_confirmer(register(cast.committee_staff, cast.committee_staff.positions.get()))
    assert (confirmer.organisation, confirmer.user) == (cast.ward, bithuphuong.user)
    assert confirmer.title == "Bí thư Đảng bộ phường Bến Thành"


def test_the_grassroots_secretary_s_own_programme_goes_to_the_ward(cast):
    bithuphuong = ward_secretary(cast)
    confirmer = find_confirmer(register(cast.head, cast.head.positions.get()))
    assert (confirmer.organisation, confirmer.user) == (cast.ward, bithuphuong.user)


def test_a_head_of_agency_is_confirmed_by_the_managing_committee(cast):
    bithuphuong = ward_secretary(cast)
    agency_post = post(
        cadre=cast.outsider, post_kind=PostKind.GOVERNMENT, party_post="", title="Hiệu trưởng", is_head=True
    )
    confirmer = find_confirmer(register(cast.outsider, agency_post))
    assert (confirmer.organisation, confirmer.user) == (cast.ward, bithuphuong.user)


def test_when_the_owner_is_the_secretary_of_the_confirming_body_it_moves_up_one_level(cast):
    confirmer = find_confirmer(register(cast.secretary))
    assert (confirmer.organisation, confirmer.user) == (cast.grassroots, cast.head.user)
    assert confirmer.rule.confirming_body == Body.OWN_CELL


def test_a_grassroots_cell_secretary_is_confirmed_by_the_ward(cast):
    quarter = make_organisation("Chi bộ Khu phố 2", OrganisationKind.GRASSROOTS_CELL, cast.ward)
    secretary = make_member(quarter, "bithukp2", full_name="Lê Thị Hoa")
    own_post = post(cadre=secretary, organisation=quarter, party_post=PartyPost.SECRETARY)
    resident = make_member(quarter, "cudan", full_name="Trần Văn Tư")
    bithuphuong = ward_secretary(cast)
    assert find_confirmer(register(resident)).user == secretary.user
    assert find_confirmer(register(secretary, own_post)).user == bithuphuong.user


def test_a_vacant_secretary_is_named_and_the_submission_stays_a_draft(cast):
    cast.secretary.positions.update(end_date=datetime.date(2025, 1, 1))
    programme = make_draft(cast.member)
    with pytest.raises(ValidationError) as error:
        submit(programme)
    assert error.value.messages == [
        "Chi bộ Khu phố 1A chưa có bí thư có tài khoản trên cổng, nên chưa có người xác nhận."
    ]
    version = ProgrammeVersion.objects.get(programme=programme)
    assert (version.state, version.confirmer) == (VersionState.DRAFT, None)


def test_a_secretary_without_an_account_counts_as_vacant(cast):
    cast.head.user = None
    cast.head.save()
    with pytest.raises(ValidationError) as error:
        find_confirmer(register(cast.secretary, cast.secretary.positions.get()))
    assert error.value.messages == [
        "Đảng bộ Khu phố 1 chưa có bí thư có tài khoản trên cổng, nên chưa có người xác nhận."
    ]


def test_a_vacant_managing_committee_is_named(cast):
    with pytest.raises(ValidationError) as error:
        find_confirmer(register(cast.committee_staff, cast.committee_staff.positions.get()))
    assert error.value.messages == [
        "Đảng bộ phường Bến Thành chưa có bí thư có tài khoản trên cổng, nên chưa có người xác nhận."
    ]


def test_the_secretary_of_the_top_organisation_has_nobody_above(cast):
    city_secretary = make_member(cast.cell_b, "bithuthanhpho", full_name="Phan Văn Thành")
    city_post = post(cadre=city_secretary, organisation=cast.city, party_post=PartyPost.SECRETARY)
    with pytest.raises(ValidationError) as error:
        find_confirmer(register(city_secretary, city_post))
    assert error.value.messages == ["Không tìm được cấp xác nhận phía trên tổ chức của đồng chí."]
