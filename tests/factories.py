"""Factories for the test suite. Organisations are added through treebeard so paths stay valid."""

import copy
import datetime
import itertools
import typing
import uuid
from collections.abc import Sequence
from typing import Any, NamedTuple

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Model
from django.test import Client
from factory.django import DjangoModelFactory

from programmes.models import (
    ActionProgramme,
    Cadre,
    CadrePrivateDetails,
    Commitment,
    CommitmentTerms,
    Membership,
    OrganisationKind,
    PartyOrganisation,
    PartyPost,
    Position,
    PostKind,
    ProgrammeVersion,
    PublicityLevel,
    Role,
    RoleAssignment,
)
from programmes.text import fold, normalise

User = get_user_model()
DEFAULT_PASSWORD = "mat-khau-thu-nghiem-2025"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.vn")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


_code_counter = iter(range(1, 10**9))


def make_organisation(
    name: str,
    kind: str = OrganisationKind.SUBORDINATE_CELL,
    parent: PartyOrganisation | None = None,
    code: str | None = None,
    **fields: Any,
) -> PartyOrganisation:
    """An organisation under `parent` (a new root when None), saved through treebeard."""
    node = PartyOrganisation(name=name, kind=kind, code=code or f"ORG{next(_code_counter):06d}", **fields)
    if parent is None:
        return PartyOrganisation.objects.add_root(instance=node)
    parent.refresh_from_db()
    return PartyOrganisation.objects.add_child(parent, instance=node)


class WardTree(NamedTuple):
    city: PartyOrganisation
    ward: PartyOrganisation
    other_ward: PartyOrganisation
    grassroots: PartyOrganisation
    cell_a: PartyOrganisation
    cell_b: PartyOrganisation


def make_ward_tree() -> WardTree:
    """The city with two wards (Bến Thành, Sài Gòn); under Bến Thành the grassroots committee of Khu phố 1 and its
    cells 1A and 1B: the organisations of the access tests' personas."""
    city = make_organisation("Đảng bộ Thành phố Hồ Chí Minh", OrganisationKind.CITY_COMMITTEE, code="79")
    ward = make_organisation("Đảng bộ phường Bến Thành", OrganisationKind.COMMUNE_COMMITTEE, city, code="79-26743")
    other_ward = make_organisation("Đảng bộ phường Sài Gòn", OrganisationKind.COMMUNE_COMMITTEE, city, code="79-26740")
    grassroots = make_organisation("Đảng bộ Khu phố 1", OrganisationKind.GRASSROOTS_COMMITTEE, ward)
    cell_a = make_organisation("Chi bộ Khu phố 1A", OrganisationKind.SUBORDINATE_CELL, grassroots)
    cell_b = make_organisation("Chi bộ Khu phố 1B", OrganisationKind.SUBORDINATE_CELL, grassroots)
    return WardTree(city, ward, other_ward, grassroots, cell_a, cell_b)


class CadreFactory(DjangoModelFactory):
    class Meta:
        model = Cadre

    code = factory.Sequence(lambda n: f"DV{n:08d}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Thử {n}")
    gender = "male"


class PrivateDetailsFactory(DjangoModelFactory):
    class Meta:
        model = CadrePrivateDetails

    cadre = factory.SubFactory(CadreFactory)
    date_of_birth = datetime.date(1980, 5, 17)
    citizen_id = factory.Sequence(lambda n: f"0790{n:08d}")
    phone = factory.Sequence(lambda n: f"0909{n:06d}")
    email = factory.Sequence(lambda n: f"canbo{n}@example.vn")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    cadre = factory.SubFactory(CadreFactory)
    start_date = datetime.date(2020, 1, 1)


class PositionFactory(DjangoModelFactory):
    class Meta:
        model = Position

    cadre = factory.SubFactory(CadreFactory)
    post_kind = PostKind.PARTY
    party_post = PartyPost.SECRETARY
    start_date = datetime.date(2020, 1, 1)


class RoleAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = Role.ORG_BOARD_STAFF
    start_date = datetime.date(2020, 1, 1)


def make_member(cell: PartyOrganisation, username: str | None = None, **cadre_fields: Any) -> Cadre:
    """A cadre with a login (when `username` is given), private details and a current membership."""
    user = UserFactory(username=username) if username else None
    cadre = typing.cast(Cadre, CadreFactory(user=user, **cadre_fields))
    PrivateDetailsFactory(cadre=cadre)
    MembershipFactory(cadre=cadre, cell=cell)
    return cadre


def admin_staff(user: Any, app_label: str) -> Any:
    """`user` made staff holding every model permission of `app_label`: all the admin asks of Django itself, so
    what it still refuses is the portal's own rule."""
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label=app_label))
    return user


def make_members(cell: PartyOrganisation, count: int, **membership_fields: Any) -> list[Cadre]:
    """`count` cadres without login and their current memberships of `cell`, written in bulk (a ward of
    thousands in seconds)."""
    names = {next(_bulk_numbers): normalise(f"Nguyễn Văn Số {number}") for number in range(count)}
    cadres = Cadre.objects.bulk_create(
        Cadre(code=f"DB{number:08d}", full_name=name, name_folded=fold(name)) for number, name in names.items()
    )
    start = datetime.date(2020, 1, 1)
    Membership.objects.bulk_create(
        Membership(cadre=cadre, cell=cell, start_date=start, **membership_fields) for cadre in cadres
    )
    return cadres


_bulk_numbers = itertools.count(1)


M = typing.TypeVar("M", bound=Model)


def _copy(row: M, **changes: Any) -> M:
    """An unsaved copy of `row` with `changes`."""
    duplicate = copy.copy(row)
    duplicate.pk = None
    duplicate._state = copy.copy(row._state)
    duplicate._state.adding = True
    for name, value in changes.items():
        setattr(duplicate, name, value)
    return duplicate


def copy_programme(template: ActionProgramme, owners: Sequence[Cadre]) -> list[ActionProgramme]:
    """The confirmed programme `template`, as it stands in force, given to each of `owners`: programmes, their
    version and commitments written in bulk, for tests that need many members with programmes."""
    version = template.current_version
    assert version is not None, "copy a confirmed programme"
    terms = list(CommitmentTerms.objects.filter(version=version).select_related("commitment").order_by("position"))
    programmes = ActionProgramme.objects.bulk_create(
        # Not published: a programme may be shown beyond its cell only once confirmed, and these are confirmed last.
        _copy(template, owner=owner, position=None, current_version=None, publicity_level=PublicityLevel.PRIVATE)
        for owner in owners
    )
    versions = ProgrammeVersion.objects.bulk_create(_copy(version, programme=programme) for programme in programmes)
    commitments = Commitment.objects.bulk_create(
        _copy(entry.commitment, programme=programme, reference=uuid.uuid4())
        for programme in programmes
        for entry in terms
    )
    per_programme = len(terms)
    CommitmentTerms.objects.bulk_create(
        _copy(entry, version=new_version, commitment=commitments[index * per_programme + offset])
        for index, new_version in enumerate(versions)
        for offset, entry in enumerate(terms)
    )
    for programme, new_version in zip(programmes, versions, strict=True):
        programme.current_version = new_version
    ActionProgramme.objects.bulk_update(programmes, ["current_version"])
    return programmes


def client_for(user: Any) -> Client:
    """A browser signed in as `user`, or an anonymous one for None."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client
