"""Grants and role lookups: who holds what, today, and which actions that allows where.

A user's grants are derived from what they hold today: the cell they are a member of, the party posts they
hold, and the roles given to their account (organisation-board staff, Front and People's Council overseers).
Each grant covers an organisation, and for most roles its whole subtree. Checking an organisation against
the grants needs no query: materialised paths make "inside the subtree" a string prefix test. Every question
here has a check (for one object) and, where lists need it, its queryset twin (a condition for a query).
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from programmes.models import (
    Cadre,
    Membership,
    PartyOrganisation,
    PartyPost,
    Position,
    PostKind,
    Role,
    RoleAssignment,
)
from programmes.models.organisations import CELL_KINDS

AnyUser = User | AnonymousUser


class Persona(StrEnum):
    MEMBER = "member"
    CELL_SECRETARY = "cell_secretary"
    CELL_DEPUTY = "cell_deputy"
    COMMITTEE_MEMBER = "committee_member"
    STANDING_MEMBER = "standing_member"
    COMMITTEE_HEAD = "committee_head"
    ORG_BOARD_STAFF = "org_board_staff"
    FRONT_OVERSEER = "front_overseer"
    COUNCIL_OVERSEER = "council_overseer"


class Action(StrEnum):
    VIEW_ORGANISATION = "view_organisation"
    VIEW_MEMBERS = "view_members"
    VIEW_PRIVATE_DETAILS = "view_private_details"
    MANAGE_TREE = "manage_tree"
    IMPORT_ROSTER = "import_roster"
    VIEW_AUDIT_LOG = "view_audit_log"
    OPEN_REVIEW_PERIOD = "open_review_period"
    RECORD_CELL_PROPOSAL = "record_cell_proposal"
    RECORD_RESIDENCE_COMMENT = "record_residence_comment"
    DECIDE_RATING = "decide_rating"
    CONFIRM_DECISION = "confirm_decision"
    OVERSEE_AREA = "oversee_area"
    VIEW_DASHBOARD = "view_dashboard"
    EXPORT_LISTS = "export_lists"
    RATE_ORGANISATIONS = "rate_organisations"


_INTERNAL = {
    Persona.MEMBER,
    Persona.CELL_SECRETARY,
    Persona.CELL_DEPUTY,
    Persona.COMMITTEE_MEMBER,
    Persona.STANDING_MEMBER,
    Persona.COMMITTEE_HEAD,
    Persona.ORG_BOARD_STAFF,
}
_OVERSEERS = {Persona.FRONT_OVERSEER, Persona.COUNCIL_OVERSEER}
_COMMITTEE = {Persona.COMMITTEE_MEMBER, Persona.STANDING_MEMBER, Persona.COMMITTEE_HEAD}
# The personas a role assignment gives (RoleAssignment.role); the others come from membership and party posts.
_ROLE_PERSONAS = frozenset(Persona(role) for role in Role.values)

# Which personas may do what, inside the organisation their grant covers.
PERMISSIONS: dict[Action, frozenset[Persona]] = {
    Action.VIEW_ORGANISATION: frozenset(_INTERNAL | _OVERSEERS),
    Action.VIEW_MEMBERS: frozenset(_INTERNAL),
    # The secretary keeps the cell's contact list; organisation-board staff keep the records.
    Action.VIEW_PRIVATE_DETAILS: frozenset({Persona.CELL_SECRETARY, Persona.ORG_BOARD_STAFF}),
    Action.MANAGE_TREE: frozenset({Persona.ORG_BOARD_STAFF}),
    Action.IMPORT_ROSTER: frozenset({Persona.ORG_BOARD_STAFF}),
    Action.VIEW_AUDIT_LOG: frozenset({Persona.ORG_BOARD_STAFF, Persona.COMMITTEE_HEAD}),
    Action.OPEN_REVIEW_PERIOD: frozenset({Persona.ORG_BOARD_STAFF, Persona.STANDING_MEMBER, Persona.COMMITTEE_HEAD}),
    Action.RECORD_CELL_PROPOSAL: frozenset({Persona.CELL_SECRETARY, Persona.CELL_DEPUTY}),
    # Quy định 213-QĐ/TW: the residence cell's committee (its secretary, or the deputy in their stead) comments on
    # the working members who live in its area, whatever cell they belong to.
    Action.RECORD_RESIDENCE_COMMENT: frozenset({Persona.CELL_SECRETARY, Persona.CELL_DEPUTY}),
    Action.DECIDE_RATING: frozenset(_COMMITTEE),
    Action.CONFIRM_DECISION: frozenset({Persona.COMMITTEE_HEAD}),
    Action.OVERSEE_AREA: frozenset(_OVERSEERS),
    # The organisation dashboards count members, commitments, reviews (levels among them) and feedback cases of a
    # subtree: those who read its reviews (DOMAIN 7.2), the party side above the plain member. A cell's secretary
    # or deputy sees the cell; committees and board staff their subtree. Overseers read the public area dashboard.
    Action.VIEW_DASHBOARD: frozenset(_INTERNAL - {Persona.MEMBER}),
    # A spreadsheet of a list is staff work: a plain member reads her cell's lists on screen but takes no copy away.
    Action.EXPORT_LISTS: frozenset((_INTERNAL | _OVERSEERS) - {Persona.MEMBER}),
    # Hướng dẫn 43-HD/BTCTW: the standing committee of the level directly above rates each party organisation under
    # it; the organisation board's staff of that level enter the ratings for it.
    Action.RATE_ORGANISATIONS: frozenset({Persona.COMMITTEE_HEAD, Persona.STANDING_MEMBER, Persona.ORG_BOARD_STAFF}),
}


@dataclass(frozen=True)
class Grant:
    persona: Persona
    organisation_id: int
    path: str
    # A plain member's grant covers their own cell only; every other grant covers the subtree.
    subtree: bool = True

    def covers(self, organisation: PartyOrganisation) -> bool:
        if self.subtree:
            return bool(organisation.path.startswith(self.path))
        return bool(organisation.pk == self.organisation_id)

    def as_q(self, prefix: str = "") -> Q:
        if self.subtree:
            return Q(**{f"{prefix}path__startswith": self.path})
        return Q(**{f"{prefix}pk": self.organisation_id})


_CACHE_ATTRIBUTE = "_portal_grants"


def _party_post_persona(party_post: str, organisation: PartyOrganisation) -> Persona:
    in_cell = organisation.kind in CELL_KINDS
    if party_post == PartyPost.SECRETARY:
        return Persona.CELL_SECRETARY if in_cell else Persona.COMMITTEE_HEAD
    if party_post == PartyPost.DEPUTY_SECRETARY:
        return Persona.CELL_DEPUTY if in_cell else Persona.STANDING_MEMBER
    if party_post == PartyPost.STANDING_MEMBER:
        return Persona.STANDING_MEMBER
    return Persona.COMMITTEE_MEMBER


def _load_grants(user: User) -> tuple[Grant, ...]:
    today = timezone.localdate()
    grants: list[Grant] = []
    cadre = Cadre.objects.filter(user=user).only("pk").first()
    if cadre is not None:
        membership = (
            Membership.objects.filter(cadre=cadre, end_date__isnull=True)
            .select_related("cell")
            .only("cell__path")
            .first()
        )
        if membership is not None:
            cell = membership.cell
            grants.append(Grant(Persona.MEMBER, cell.pk, cell.path, subtree=False))
        positions = (
            Position.objects.current(today)
            .filter(cadre=cadre, post_kind=PostKind.PARTY, organisation__isnull=False)
            .select_related("organisation")
        )
        for position in positions:
            organisation = position.organisation
            if organisation is not None:
                persona = _party_post_persona(position.party_post, organisation)
                grants.append(Grant(persona, organisation.pk, organisation.path))
    assignments = _current_role_assignments(today).filter(user=user).select_related("organisation")
    for assignment in assignments:
        grants.append(Grant(Persona(assignment.role), assignment.organisation.pk, assignment.organisation.path))
    return tuple(grants)


def path_and_above(path: str) -> list[str]:
    """The materialised paths of a node and of every node above it."""
    step = PartyOrganisation.steplen
    return [path[:length] for length in range(step, len(path) + 1, step)]


def _current_role_assignments(today: datetime.date) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=today), start_date__lte=today)


def current_role_areas(account: User) -> list[PartyOrganisation]:
    """The organisations over which `account` holds a role today (for the rules on who may give it rights)."""
    assignments = _current_role_assignments(timezone.localdate()).filter(user=account).select_related("organisation")
    return [assignment.organisation for assignment in assignments]


def role_holders_over(role: Persona, areas: Iterable[PartyOrganisation]) -> dict[int, set[int]]:
    """`accounts_holding_role` for many areas in one query: the ids of the active accounts holding `role` today
    over each area (assigned to it or to a body above it), by area id."""
    areas = list(areas)
    paths = {path for area in areas for path in path_and_above(area.path)}
    holders: dict[str, set[int]] = {}
    for path, user_id in (
        _current_role_assignments(timezone.localdate())
        .filter(role=role, organisation__path__in=paths, user__is_active=True)
        .values_list("organisation__path", "user_id")
    ):
        holders.setdefault(path, set()).add(user_id)
    return {
        area.pk: {user_id for path in path_and_above(area.path) for user_id in holders.get(path, ())} for area in areas
    }


def accounts_acting_at(action: Action, organisation_ids: Iterable[int]) -> dict[int, list[User]]:
    """The active accounts whose own party post at each given organisation (at it, not above it) allows `action`
    there, by organisation id, in one query: the body's own members, whom a hand-off in it concerns."""
    allowed = PERMISSIONS[action]
    positions = (
        Position.objects.current(timezone.localdate())
        .filter(
            post_kind=PostKind.PARTY,
            organisation__in=set(organisation_ids),
            cadre__user__isnull=False,
            cadre__user__is_active=True,
        )
        .select_related("organisation", "cadre__user")
        .order_by("organisation_id", "pk")
    )
    found: dict[int, dict[int, User]] = {}
    for position in positions:
        organisation, user = position.organisation, position.cadre.user
        if organisation is None or user is None:
            continue
        if _party_post_persona(position.party_post, organisation) in allowed:
            found.setdefault(organisation.pk, {})[user.pk] = user
    return {pk: list(users.values()) for pk, users in found.items()}


def accounts_holding_role(role: Persona, area: PartyOrganisation) -> list[User]:
    """The active accounts holding `role` today over `area`: assigned to the area itself or to a body above it."""
    assignments = (
        _current_role_assignments(timezone.localdate())
        .filter(role=role, organisation__path__in=path_and_above(area.path), user__is_active=True)
        .select_related("user")
    )
    return list({assignment.user for assignment in assignments})


def grants_for(user: AnyUser) -> tuple[Grant, ...]:
    """The user's grants today, loaded once per user object (so once per request)."""
    if not user.is_authenticated or not user.is_active:
        return ()
    cached: tuple[Grant, ...] | None = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is None:
        cached = _load_grants(user)
        setattr(user, _CACHE_ATTRIBUTE, cached)
    return cached


def forget_grants(user: AnyUser) -> None:
    """Drop the cached grants, after a change of posts or roles within one request or test."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def personas(user: AnyUser) -> set[Persona]:
    return {grant.persona for grant in grants_for(user)}


# Holders of these read private details or decide on ratings: a stolen password alone must not open their account.
# Those who read private details (the cell secretary keeps the cell's contact list, board staff the records) or
# decide ratings (the committees).
SECOND_FACTOR_PERSONAS = frozenset(
    {
        Persona.CELL_SECRETARY,
        Persona.ORG_BOARD_STAFF,
        Persona.COMMITTEE_MEMBER,
        Persona.STANDING_MEMBER,
        Persona.COMMITTEE_HEAD,
    }
)


def requires_second_factor(user: AnyUser) -> bool:
    """Must this account sign in with a second factor? Staff and superusers (the admin), and every account that
    holds a post or role in SECOND_FACTOR_PERSONAS today."""
    if not user.is_authenticated:
        return False
    if getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
        return True
    return bool(personas(user) & SECOND_FACTOR_PERSONAS)


def is_superuser(user: AnyUser) -> bool:
    """A system administrator: an active account flagged superuser."""
    return bool(user.is_authenticated and user.is_active and getattr(user, "is_superuser", False))


def is_protected_account(account: User) -> bool:
    """An account only a system administrator may give rights to: a superuser's or a staff account."""
    return bool(account.is_superuser or account.is_staff)


def acts_on_whole_tree(user: AnyUser) -> bool:
    """May the user act with no organisation as scope: create a top-level organisation, import for the whole
    tree, see every import? A system administrator only."""
    return is_superuser(user)


def grants_allowing(user: AnyUser, action: Action) -> list[Grant]:
    """The user's own grants whose persona may do `action` (where: each grant's organisation). The check behind
    `holds`; `holding_condition` is its twin for a query."""
    allowed = PERMISSIONS[action]
    return [grant for grant in grants_for(user) if grant.persona in allowed]


def holding_condition(user: AnyUser, action: Action, prefix: str = "") -> Q | None:
    """The queryset twin of `holds`: rows whose organisation (reached by `prefix`, e.g. "deciding_organisation__")
    lies where the user may do `action` by a post or role of their own; None when nowhere."""
    grants = grants_allowing(user, action)
    if not grants:
        return None
    condition = Q()
    for grant in grants:
        condition |= grant.as_q(prefix)
    return condition


def holds_persona(user: AnyUser, persona: Persona) -> bool:
    """Does the user hold `persona` today, anywhere? For what a page offers, never for a permission."""
    return persona in personas(user)


# A cell's secretary and a committee's head: the secretary of a party body.
SECRETARY_PERSONAS = frozenset({Persona.CELL_SECRETARY, Persona.COMMITTEE_HEAD})


def is_secretary_anywhere(user: AnyUser) -> bool:
    """Is the user the secretary of a party body today? Only then can a version wait for their confirmation (it is
    sent to the body whose secretary confirms it), so the menu counts that queue for them alone. No query once the
    grants are loaded."""
    return bool(personas(user) & SECRETARY_PERSONAS)


def registers_programmes(user: AnyUser) -> bool:
    """A cadre (party member or party post) registers programmes; accounts holding roles alone do not."""
    return bool(personas(user) - set(_ROLE_PERSONAS))


def actions_of(grant: Grant) -> list[Action]:
    """What one grant allows (inside its organisation), in the order of `Action`: for the user's own page."""
    return [action for action, allowed in PERMISSIONS.items() if grant.persona in allowed]


M = TypeVar("M", bound=Model)


def get_or_404(user: AnyUser, queryset: QuerySet[M], pk: Any, allowed: Callable[[AnyUser, M], bool]) -> M:
    """The object of `queryset` with `pk` if `allowed` lets the user see it; else 404, whether or not it exists."""
    found = queryset.filter(pk=pk).first()
    if found is None or not allowed(user, found):
        raise Http404
    return found


def can(user: AnyUser, action: Action, organisation: PartyOrganisation) -> bool:
    """May `user` do `action` in `organisation`? Answered from cached grants, with no query."""
    return is_superuser(user) or holds(user, action, organisation)


def holds(user: AnyUser, action: Action, organisation: PartyOrganisation) -> bool:
    """May `user` do `action` in `organisation` by a post or role of their own? Unlike `can`, a system administrator's
    account gets nothing from being one: the cell proposes and the committees decide, never the administrator."""
    return any(grant.covers(organisation) for grant in grants_allowing(user, action))


def can_anywhere(user: AnyUser, action: Action) -> bool:
    """Does the user hold `action` somewhere? For navigation and menus."""
    return is_superuser(user) or bool(grants_allowing(user, action))


def widest_organisation(user: AnyUser, action: Action) -> PartyOrganisation | None:
    """The organisation of the user's widest grant allowing `action` (the highest in the tree): where a record of
    something they did over all their grants belongs, so that those above them read it in their audit log."""
    grants = sorted(grants_allowing(user, action), key=lambda grant: len(grant.path))
    if not grants:
        return None
    found: PartyOrganisation | None = PartyOrganisation.objects.filter(pk=grants[0].organisation_id).first()
    return found


def organisations_covered(grants: list[Grant]) -> QuerySet[PartyOrganisation, Any]:
    """The ids of the organisations `grants` reach, as a subquery for `…__in=`: an organisation column compared
    with it needs no join, and its path conditions use the path index (one prefix scan per grant)."""
    condition = Q(pk__in=[])
    for grant in grants:
        condition |= grant.as_q()
    return PartyOrganisation.objects.filter(condition).values("pk")


def organisations_where(user: AnyUser, action: Action) -> QuerySet[PartyOrganisation]:
    """Every organisation in which `user` may do `action`, as one query."""
    queryset: QuerySet[PartyOrganisation] = PartyOrganisation.objects.all()
    if is_superuser(user):
        return queryset
    condition = holding_condition(user, action)
    return queryset.none() if condition is None else queryset.filter(condition)


def paths_where(user: AnyUser, action: Action, field: str = "scope_path") -> Q | None:
    """A condition on a materialised-path column: rows whose path lies where `user` may do `action` (everything for
    a system administrator); None when nowhere. Rows with no path belong to no subtree: administrators only."""
    if is_superuser(user):
        return Q()
    grants = [grant for grant in grants_allowing(user, action) if grant.subtree]
    if not grants:
        return None
    condition = Q()
    for grant in grants:
        condition |= Q(**{f"{field}__startswith": grant.path})
    return condition
