"""The fixed cast of personas every access test uses.

A ward committee (Đảng bộ phường Bến Thành) has a grassroots committee with two cells:
- cell A: `member` (Alice), `secretary` (Bình, its secretary);
- cell B (the neighbouring cell): `outsider` (Cường);
- the grassroots committee: `committee_staff` (a committee member) and `head` (its secretary);
- `org_board` is organisation-board staff for the ward; `overseer` is the ward's Front overseer.
"""

import importlib
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from programmes.models import Cadre, PartyOrganisation, PartyPost, Role
from tests.factories import PositionFactory, RoleAssignmentFactory, UserFactory, make_member, make_ward_tree

_confirmer_rules = importlib.import_module("programmes.migrations.0005_default_confirmer_rules")
_rule_sets = importlib.import_module("reviews.migrations.0002_rule_sets")


@pytest.fixture
def migrated_rows(transactional_db: None) -> None:
    """For a transactional test: the rows the migrations put in place (default confirmer rules, rule sets), which
    an earlier transactional test's flush may have emptied. pytest-django runs such tests after all others."""
    _confirmer_rules.add_rules(django_apps, None)
    _rule_sets.add_rule_sets(django_apps, None)


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache: the database it filled before is gone, and the stamps with it."""
    cache.clear()


@pytest.fixture(autouse=True)
def _portal_language() -> Iterator[None]:
    """Each test starts in the portal's language. A request leaves its language active in the thread (as a worker
    process would for its next request); without this a page asked in English would change the next test's URLs."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def superuser_client(db: None) -> Client:
    """A browser logged in as a system administrator (staff and superuser)."""
    client = Client()
    client.force_login(typing.cast(User, UserFactory(username="quantri", is_staff=True, is_superuser=True)))
    return client


@dataclass
class Cast:
    city: PartyOrganisation
    ward: PartyOrganisation
    grassroots: PartyOrganisation
    cell_a: PartyOrganisation
    cell_b: PartyOrganisation
    other_ward: PartyOrganisation
    member: Cadre
    secretary: Cadre
    outsider: Cadre
    committee_staff: Cadre
    head: Cadre
    org_board: Any
    overseer: Any
    anonymous: AnonymousUser


@pytest.fixture
def cast(db: None) -> Cast:
    city, ward, other_ward, grassroots, cell_a, cell_b = make_ward_tree()

    member = make_member(cell_a, "member", full_name="Trần Thị Ánh")
    secretary = make_member(cell_a, "secretary", full_name="Lê Văn Bình")
    PositionFactory(cadre=secretary, organisation=cell_a, party_post=PartyPost.SECRETARY)
    outsider = make_member(cell_b, "outsider", full_name="Phạm Văn Cường")
    committee_staff = make_member(cell_b, "committee_staff", full_name="Võ Thị Dung")
    PositionFactory(cadre=committee_staff, organisation=grassroots, party_post=PartyPost.COMMITTEE_MEMBER)
    head = make_member(cell_b, "head", full_name="Huỳnh Văn Em")
    PositionFactory(cadre=head, organisation=grassroots, party_post=PartyPost.SECRETARY)

    org_board = RoleAssignmentFactory(
        user=UserFactory(username="org_board"), role=Role.ORG_BOARD_STAFF, organisation=ward
    ).user
    overseer = RoleAssignmentFactory(
        user=UserFactory(username="overseer"), role=Role.FRONT_OVERSEER, organisation=ward
    ).user
    return Cast(
        city=city,
        ward=ward,
        grassroots=grassroots,
        cell_a=cell_a,
        cell_b=cell_b,
        other_ward=other_ward,
        member=member,
        secretary=secretary,
        outsider=outsider,
        committee_staff=committee_staff,
        head=head,
        org_board=org_board,
        overseer=overseer,
        anonymous=AnonymousUser(),
    )
