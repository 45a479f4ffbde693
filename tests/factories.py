"""Factories for the test suite. Organisations are added through treebeard so paths stay valid."""

import datetime
import typing
from typing import Any, NamedTuple

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from factory.django import DjangoModelFactory

from programmes.models import (
    Cadre,
    CadrePrivateDetails,
    Membership,
    OrganisationKind,
    PartyOrganisation,
    PartyPost,
    Position,
    PostKind,
    Role,
    RoleAssignment,
)

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
