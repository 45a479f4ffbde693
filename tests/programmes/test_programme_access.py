"""Who may read a programme: every persona of the cast against every publicity level, and the list agreeing with it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from programmes import access
from programmes.action_programmes import services
from programmes.models import ActionProgramme, PartyPost, PublicityLevel, Role
from tests.factories import PositionFactory, RoleAssignmentFactory, UserFactory, make_member, make_organisation
from tests.programmes.programme_data import make_confirmed, make_draft, submit

pytestmark = pytest.mark.django_db

LEVELS = list(PublicityLevel)
VIEWERS = [
    "owner",
    "confirmer",
    "cellmate",
    "outsider",
    "committee_staff",
    "head",
    "org_board",
    "overseer",
    "far_overseer",
    "far_org_board",
    "anonymous",
]


@pytest.fixture
def viewers(cast) -> dict:
    cellmate = make_member(cast.cell_a, "cellmate", full_name="Ngô Thị Hạnh")
    far_ward_cell = make_organisation("Chi bộ Khu phố 5", parent=cast.other_ward)
    return {
        "owner": cast.member.user,
        "confirmer": cast.secretary.user,
        "cellmate": cellmate.user,
        "outsider": cast.outsider.user,
        "committee_staff": cast.committee_staff.user,
        "head": cast.head.user,
        "org_board": cast.org_board,
        "overseer": cast.overseer,
        "far_overseer": RoleAssignmentFactory(
            user=UserFactory(username="far_overseer"), role=Role.COUNCIL_OVERSEER, organisation=cast.other_ward
        ).user,
        "far_org_board": RoleAssignmentFactory(
            user=UserFactory(username="far_org_board"), role=Role.ORG_BOARD_STAFF, organisation=far_ward_cell
        ).user,
        "anonymous": cast.anonymous,
    }


def readers_at(level: int) -> set[str]:
    """Who reads Alice's confirmed programme at `level`, as DOMAIN 3.2 says."""
    readers = {"owner", "confirmer"}
    if level >= PublicityLevel.CELL:
        readers.add("cellmate")
    if level >= PublicityLevel.COMMITTEE:
        readers |= {"committee_staff", "head", "org_board"}
    if level >= PublicityLevel.OVERSIGHT:
        readers.add("overseer")
    return readers


def set_level(programme: ActionProgramme, level: int) -> ActionProgramme:
    # Beyond the party only with the owner's consent (constraint programme_published_with_consent).
    consent = timezone.now() if level > PublicityLevel.COMMITTEE else None
    ActionProgramme.objects.filter(pk=programme.pk).update(publicity_level=level, publication_consent_at=consent)
    programme.refresh_from_db()
    return programme


@pytest.mark.parametrize("level", LEVELS, ids=[level.name for level in LEVELS])
def test_each_persona_reads_a_confirmed_programme_from_its_level(cast, viewers, level):
    programme = set_level(make_confirmed(cast.member, cast.secretary.user), level)
    readers = {name for name in VIEWERS if access.can_view_programme(viewers[name], programme)}
    assert readers == readers_at(level)


def test_a_draft_is_read_by_its_owner_only(cast, viewers):
    programme = make_draft(cast.member)
    readers = {name for name in VIEWERS if access.can_view_programme(viewers[name], programme)}
    assert readers == {"owner"}


@pytest.mark.parametrize("step", ["submitted", "returned"])
def test_a_programme_before_confirmation_is_read_by_its_owner_and_its_confirmer(cast, viewers, step):
    programme = make_draft(cast.member)
    version = submit(programme)
    if step == "returned":
        services.programme_return(version=version, reason="Bổ sung", acting_user=cast.secretary.user)
    programme.refresh_from_db()
    readers = {name for name in VIEWERS if access.can_view_programme(viewers[name], programme)}
    assert readers == {"owner", "confirmer"}


def test_a_successor_secretary_reads_what_waits_for_them_and_the_list_agrees(cast, viewers):
    programme = make_draft(cast.member)
    submit(programme)
    cast.secretary.positions.update(end_date=datetime.date.today() - datetime.timedelta(days=1))
    successor = make_member(cast.cell_a, "secretary2", full_name="Đỗ Thị Giang")
    PositionFactory(cadre=successor, organisation=cast.cell_a, party_post=PartyPost.SECRETARY)
    assert successor.user is not None
    assert access.can_view_programme(successor.user, programme)
    assert programme in access.programmes_visible_to(successor.user)
    # Once the version is no longer waiting, it is back to the publicity level: nothing before confirmation.
    services.version_withdraw(version=programme.versions.get(), acting_user=cast.member.user)
    assert not access.can_view_programme(successor.user, programme)
    assert programme not in access.programmes_visible_to(successor.user)


def test_the_head_who_confirmed_the_secretary_s_programme_reads_it_at_the_cell_level(cast, viewers):
    programme = make_confirmed(cast.secretary, cast.head.user, publicity_max=PublicityLevel.CELL)
    assert programme.publicity_level == PublicityLevel.CELL
    readers = {name for name in VIEWERS if access.can_view_programme(viewers[name], programme)}
    # Alice and the cellmate are the secretary's cell; the head confirmed it; committee staff wait for level 2.
    assert readers == {"owner", "confirmer", "cellmate", "head"}


def test_the_outsider_never_reads_a_programme_of_the_neighbouring_cell(cast, viewers):
    programme = make_confirmed(cast.member, cast.secretary.user)
    for level in LEVELS:
        set_level(programme, level)
        assert not access.can_view_programme(cast.outsider.user, programme), level
        assert not access.can_view_programme(cast.anonymous, programme), level


def test_an_inactive_account_reads_nothing_by_role(cast, viewers):
    programme = set_level(make_confirmed(cast.member, cast.secretary.user), PublicityLevel.PUBLIC)
    cellmate = viewers["cellmate"]
    cellmate.is_active = False
    cellmate.save()
    access.forget_grants(cellmate)
    assert not access.can_view_programme(cellmate, programme)


# --- The list agrees with the page ------------------------------------------------------------------------------


@pytest.fixture
def many_programmes(cast, viewers) -> list[ActionProgramme]:
    """Programmes in every state and level, in both cells, and one whose owner has left every cell."""
    secretary_b = make_member(cast.cell_b, "secretary_b", full_name="Đặng Văn Bảo")
    PositionFactory(cadre=secretary_b, organisation=cast.cell_b, party_post=PartyPost.SECRETARY)
    assert secretary_b.user is not None
    cellmate = viewers["cellmate"].cadre
    leaver = make_member(cast.cell_a, "leaver", full_name="Bùi Thị Lành")
    programmes = [make_confirmed(cast.member, cast.secretary.user, title=f"Mức {level}") for level in LEVELS]
    for programme, level in zip(programmes, LEVELS, strict=True):
        set_level(programme, level)
    programmes += [
        make_draft(cast.member, title="Bản nháp"),
        make_draft(cellmate, title="Bản nháp của đồng chí cùng chi bộ"),
        make_confirmed(cast.secretary, cast.head.user, publicity_max=PublicityLevel.CELL),
        make_confirmed(cast.outsider, secretary_b.user, publicity_max=PublicityLevel.OVERSIGHT),
        set_level(make_confirmed(cast.committee_staff, secretary_b.user), PublicityLevel.OVERSIGHT),
        make_confirmed(leaver, cast.secretary.user, publicity_max=PublicityLevel.COMMITTEE),
    ]
    submitted = make_draft(cellmate, title="Chờ xác nhận")
    submit(submitted)
    programmes.append(submitted)
    leaver.memberships.update(end_date=datetime.date(2026, 1, 31))
    return programmes


@pytest.mark.postgres
def test_programmes_visible_to_agrees_with_can_view_programme_for_every_persona(cast, viewers, many_programmes):
    superuser = UserFactory(username="quantri", is_superuser=True)
    everyone = {**viewers, "secretary_b": UserFactory(username="secretary_b"), "superuser": superuser}
    everything = set(ActionProgramme.objects.all())
    assert len(everything) == 12
    for name, user in everyone.items():
        listed = set(access.programmes_visible_to(user))
        allowed = {programme for programme in everything if access.can_view_programme(user, programme)}
        assert listed == allowed, name
        assert access.programmes_visible_to(user).count() == len(listed), name


def test_a_leaver_s_programme_is_still_read_in_the_cell_it_was_registered_in(cast, viewers, many_programmes):
    leaver_programme = ActionProgramme.objects.get(owner__user__username="leaver")
    assert access.can_view_programme(viewers["cellmate"], leaver_programme)
    assert leaver_programme in access.programmes_visible_to(viewers["cellmate"])
    assert leaver_programme not in access.programmes_visible_to(cast.outsider.user)


# --- Fetching for reading and for writing -----------------------------------------------------------------------


def test_get_programme_for_writing_is_for_the_owner_only(cast, viewers):
    programme = set_level(make_confirmed(cast.member, cast.secretary.user), PublicityLevel.PUBLIC)
    assert access.get_programme_for(cast.member.user, programme.pk, write=True) == programme
    for name in ("confirmer", "cellmate", "committee_staff", "head", "org_board", "overseer"):
        assert access.get_programme_for(viewers[name], programme.pk) == programme, name
        with pytest.raises(PermissionDenied):
            access.get_programme_for(viewers[name], programme.pk, write=True)
    for name in ("outsider", "far_overseer", "anonymous"):
        with pytest.raises(Http404):
            access.get_programme_for(viewers[name], programme.pk)
        with pytest.raises(Http404):
            access.get_programme_for(viewers[name], programme.pk, write=True)
    with pytest.raises(Http404):
        access.get_programme_for(cast.member.user, 987654)


def test_only_the_secretary_of_the_confirming_body_may_confirm_and_never_the_owner(cast, viewers):
    version = submit(make_draft(cast.member))
    allowed = {name for name in VIEWERS if access.can_confirm_version(viewers[name], version)}
    assert allowed == {"confirmer"}
    own = submit(make_draft(cast.secretary))
    assert access.can_confirm_version(cast.head.user, own)
    assert not access.can_confirm_version(cast.secretary.user, own)
