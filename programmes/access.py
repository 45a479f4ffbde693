"""The one place that answers "may this user see or do this, here?".

A user's grants are derived from what they hold today: the cell they are a member of, the party
posts they hold, and the roles given to their account (organisation-board staff, Front and
People's Council overseers). Each grant covers an organisation, and for most roles its whole
subtree. Checking an organisation against the grants needs no query: materialised paths make
"inside the subtree" a string prefix test. Views, services and selectors ask this module; nothing
else decides access.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from programmes.models import (
    ActionProgramme,
    Cadre,
    Commitment,
    CommitmentTerms,
    Membership,
    PartyOrganisation,
    PartyPost,
    Position,
    PostKind,
    ProgrammeVersion,
    PublicityLevel,
    RoleAssignment,
    VersionState,
)
from programmes.models.organisations import CELL_KINDS, GRASSROOTS_KINDS

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
    DECIDE_RATING = "decide_rating"
    CONFIRM_DECISION = "confirm_decision"
    OVERSEE_AREA = "oversee_area"


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
    Action.DECIDE_RATING: frozenset(_COMMITTEE),
    Action.CONFIRM_DECISION: frozenset({Persona.COMMITTEE_HEAD}),
    Action.OVERSEE_AREA: frozenset(_OVERSEERS),
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
            return organisation.path.startswith(self.path)
        return organisation.pk == self.organisation_id

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


def _grants_allowing(user: AnyUser, action: Action) -> list[Grant]:
    allowed = PERMISSIONS[action]
    return [grant for grant in grants_for(user) if grant.persona in allowed]


def can(user: AnyUser, action: Action, organisation: PartyOrganisation) -> bool:
    """May `user` do `action` in `organisation`? Answered from cached grants, with no query."""
    return is_superuser(user) or holds(user, action, organisation)


def holds(user: AnyUser, action: Action, organisation: PartyOrganisation) -> bool:
    """May `user` do `action` in `organisation` by a post or role of their own? Unlike `can`, a system administrator's
    account gets nothing from being one: the cell proposes and the committees decide, never the administrator."""
    return any(grant.covers(organisation) for grant in _grants_allowing(user, action))


def can_anywhere(user: AnyUser, action: Action) -> bool:
    """Does the user hold `action` somewhere? For navigation and menus."""
    return is_superuser(user) or bool(_grants_allowing(user, action))


def organisations_where(user: AnyUser, action: Action) -> QuerySet[PartyOrganisation]:
    """Every organisation in which `user` may do `action`, as one query."""
    queryset = PartyOrganisation.objects.all()
    if is_superuser(user):
        return queryset
    grants = _grants_allowing(user, action)
    if not grants:
        return queryset.none()
    condition = Q()
    for grant in grants:
        condition |= grant.as_q()
    return queryset.filter(condition)


def paths_where(user: AnyUser, action: Action, field: str = "scope_path") -> Q | None:
    """A condition on a materialised-path column: rows whose path lies where `user` may do `action` (everything for
    a system administrator); None when nowhere. Rows with no path belong to no subtree: administrators only."""
    if is_superuser(user):
        return Q()
    grants = [grant for grant in _grants_allowing(user, action) if grant.subtree]
    if not grants:
        return None
    condition = Q()
    for grant in grants:
        condition |= Q(**{f"{field}__startswith": grant.path})
    return condition


def get_organisation_for(user: AnyUser, pk: Any, action: Action = Action.VIEW_ORGANISATION) -> PartyOrganisation:
    """The organisation, if the user may see it (else 404) and may do `action` there (else 403)."""
    organisation = PartyOrganisation.objects.filter(pk=pk).first()
    if organisation is None or not can(user, Action.VIEW_ORGANISATION, organisation):
        raise Http404
    if not can(user, action, organisation):
        raise PermissionDenied
    return organisation


def _cadres_in(user: AnyUser, action: Action) -> Q | None:
    """A condition selecting cadres whose current cell lies where `user` may do `action`."""
    grants = _grants_allowing(user, action)
    if not grants:
        return None
    condition = Q()
    for grant in grants:
        condition |= grant.as_q("memberships__cell__")
    return condition & Q(memberships__end_date__isnull=True)


def cadres_visible_to(user: AnyUser) -> QuerySet[Cadre]:
    """Cadres the user may see in rosters: their own cell's, or their subtree's; always themself."""
    queryset = Cadre.objects.all()
    if is_superuser(user):
        return queryset
    if not user.is_authenticated:
        return queryset.none()
    condition = _cadres_in(user, Action.VIEW_MEMBERS)
    own = Q(user=user)
    return queryset.filter(own | condition if condition is not None else own).distinct()


def _current_cell(cadre: Cadre) -> PartyOrganisation | None:
    membership = cadre.current_membership
    return membership.cell if membership is not None else None


def can_view_cadre(user: AnyUser, cadre: Cadre) -> bool:
    if not user.is_authenticated:
        return False
    if cadre.user_id is not None and cadre.user_id == user.pk:
        return True
    cell = _current_cell(cadre)
    return cell is not None and can(user, Action.VIEW_MEMBERS, cell)


def can_view_private_details(user: AnyUser, cadre: Cadre) -> bool:
    """Date of birth, citizen ID and phone: the cadre, their cell secretary, organisation-board staff."""
    if not user.is_authenticated:
        return False
    if cadre.user_id is not None and cadre.user_id == user.pk:
        return True
    cell = _current_cell(cadre)
    return cell is not None and can(user, Action.VIEW_PRIVATE_DETAILS, cell)


def can_erase_cadre(user: AnyUser, cadre: Cadre) -> bool:
    """Deleting a cadre's record with every trace of their personal data: a system administrator, or
    organisation-board staff over the cadre's current cell (who keep the records)."""
    if is_superuser(user):
        return True
    cell = _current_cell(cadre)
    return cell is not None and can(user, Action.MANAGE_TREE, cell)


def get_cadre_for(user: AnyUser, pk: Any, *, private: bool = False) -> Cadre:
    """The cadre if the user may see them (else 404); with `private`, also their personal data (else 403)."""
    cadre = Cadre.objects.filter(pk=pk).first()
    if cadre is None or not can_view_cadre(user, cadre):
        raise Http404
    if private and not can_view_private_details(user, cadre):
        raise PermissionDenied
    return cadre


# --- Action programmes ----------------------------------------------------------------------------------------

# What each persona may read of a confirmed programme, by the programme's publicity level.
_READ_LEVEL_FOR: dict[Persona, int] = {
    Persona.MEMBER: PublicityLevel.CELL,
    Persona.CELL_SECRETARY: PublicityLevel.CELL,
    Persona.CELL_DEPUTY: PublicityLevel.CELL,
    Persona.COMMITTEE_MEMBER: PublicityLevel.COMMITTEE,
    Persona.STANDING_MEMBER: PublicityLevel.COMMITTEE,
    Persona.COMMITTEE_HEAD: PublicityLevel.COMMITTEE,
    Persona.ORG_BOARD_STAFF: PublicityLevel.COMMITTEE,
    Persona.FRONT_OVERSEER: PublicityLevel.OVERSIGHT,
    Persona.COUNCIL_OVERSEER: PublicityLevel.OVERSIGHT,
}


def secretary_user(organisation: PartyOrganisation) -> User | None:
    """The account of whoever is secretary of `organisation` today, if they have one."""
    position = (
        Position.objects.current()
        .filter(organisation=organisation, post_kind=PostKind.PARTY, party_post=PartyPost.SECRETARY)
        .exclude(cadre__user__isnull=True)
        .select_related("cadre__user")
        .order_by("-start_date")
        .first()
    )
    return position.cadre.user if position is not None else None


def _secretary_posts(user: AnyUser) -> QuerySet[Position]:
    """The party bodies whose secretary `user` is today (as `secretary_user` and the confirmation queue read it)."""
    return Position.objects.current().filter(
        Q(cadre__user=user), post_kind=PostKind.PARTY, party_post=PartyPost.SECRETARY
    )


def is_programme_owner(user: AnyUser, programme: ActionProgramme) -> bool:
    return bool(user.is_authenticated and programme.owner.user_id == user.pk)


def can_confirm_version(user: AnyUser, version: ProgrammeVersion) -> bool:
    """The secretary of the confirming body today, and never the programme's owner."""
    if not user.is_authenticated or version.confirming_organisation is None:
        return False
    if is_programme_owner(user, version.programme):
        return False
    confirmer = secretary_user(version.confirming_organisation)
    return confirmer is not None and confirmer.pk == user.pk


# Versions every reader of the programme may see; a draft, a submission, a returned or a withdrawn version is
# its owner's, and a submission or a returned version also its confirmer's.
SHARED_VERSION_STATES = frozenset({VersionState.CONFIRMED, VersionState.SUPERSEDED})


def can_view_version(user: AnyUser, version: ProgrammeVersion) -> bool:
    """One version of a programme the user may already read: confirmed ones for every reader; the others for
    the owner; a submitted one also for whoever may confirm it, and a returned one for whoever it was sent to
    or may confirm its correction (so that the confirmer compares the correction with what they returned)."""
    if version.state in SHARED_VERSION_STATES:
        return True
    if is_superuser(user) or is_programme_owner(user, version.programme):
        return True
    if version.state == VersionState.RETURNED and user.is_authenticated and version.confirmer_id == user.pk:
        return True
    return version.state in (VersionState.SUBMITTED, VersionState.RETURNED) and can_confirm_version(user, version)


def reader_cell(programme: ActionProgramme) -> PartyOrganisation:
    """Where the owner's colleagues are: their current cell, else the organisation of the programme."""
    cell = _current_cell(programme.owner)
    return cell if cell is not None else programme.organisation


def can_view_programme(user: AnyUser, programme: ActionProgramme) -> bool:
    """The owner and the confirmer always; others by their role around the owner's cell and the publicity level.

    The confirmer is whoever a version was sent to or confirmed by, and also whoever holds the confirming
    body's secretaryship today while a version waits: a successor confirms what their predecessor was sent.
    """
    if not user.is_authenticated:
        return False
    if is_superuser(user) or is_programme_owner(user, programme):
        return True
    waiting = Q(state=VersionState.SUBMITTED, confirming_organisation__in=_secretary_posts(user).values("organisation"))
    if programme.versions.filter(Q(confirmer=user) | Q(confirmed_by=user) | waiting).exists():
        return True
    if programme.current_version_id is None:
        return False
    cell = reader_cell(programme)
    return any(
        grant.covers(cell) and programme.publicity_level >= _READ_LEVEL_FOR[grant.persona] for grant in grants_for(user)
    )


def get_programme_for(user: AnyUser, pk: Any, *, write: bool = False) -> ActionProgramme:
    """The programme if the user may see it (else 404); with `write`, only its owner (else 403)."""
    programme = ActionProgramme.objects.select_related("owner", "organisation", "current_version").filter(pk=pk).first()
    if programme is None or not can_view_programme(user, programme):
        raise Http404
    if write and not is_programme_owner(user, programme):
        raise PermissionDenied
    return programme


def programmes_visible_to(user: AnyUser) -> QuerySet[ActionProgramme]:
    """Confirmed programmes the user may read by role and publicity level, and their own; one query."""
    queryset = ActionProgramme.objects.all()
    if is_superuser(user):
        return queryset
    if not user.is_authenticated:
        return queryset.none()
    waiting = Q(
        versions__state=VersionState.SUBMITTED,
        versions__confirming_organisation__in=_secretary_posts(user).values("organisation"),
    )
    condition = Q(owner__user=user) | Q(versions__confirmer=user) | Q(versions__confirmed_by=user) | waiting
    # As reader_cell: an owner without a current cell is read where the programme was registered.
    without_cell = ~Exists(Membership.objects.filter(cadre=OuterRef("owner"), end_date__isnull=True))
    for grant in grants_for(user):
        in_scope = (grant.as_q("owner__memberships__cell__") & Q(owner__memberships__end_date__isnull=True)) | (
            grant.as_q("organisation__") & without_cell
        )
        condition |= in_scope & Q(current_version__isnull=False, publicity_level__gte=_READ_LEVEL_FOR[grant.persona])
    return queryset.filter(condition).distinct()


# --- Commitments within a programme ---------------------------------------------------------------------------

# Personas only a secretary's post gives (no role does): whoever holds one is that organisation's secretary today.
_SECRETARY_PERSONAS = frozenset({Persona.CELL_SECRETARY, Persona.COMMITTEE_HEAD})
_CELL_LEADERS = frozenset({Persona.CELL_SECRETARY, Persona.CELL_DEPUTY})
# Above every level: a reader with no grant around the owner reads no capped commitment.
_NO_LEVEL = max(PublicityLevel.values) + 1


def effective_level(programme_level: int, cap: int | None) -> int:
    """How far a commitment reaches: its programme's level, or the owner's lower cap on it (None: as the programme)."""
    return programme_level if cap is None else min(programme_level, cap)


def commitment_level(programme: ActionProgramme, commitment: Commitment) -> int:
    return effective_level(programme.publicity_level, commitment.publicity_cap)


def deciding_organisation_in(lineage: Sequence[PartyOrganisation], *, leads: bool) -> PartyOrganisation:
    """The committee that decides the review of a member of the last organisation of `lineage` (root first).

    The same rule as reviews.services opening a period, for the review in the member's cell: the grassroots
    organisation of the cell (the nearest grassroots kind, the cell itself included), or for a member who holds
    a committee post or heads an agency (`leads`), the organisation directly above it.
    """
    index = next(
        (position for position in reversed(range(len(lineage))) if lineage[position].kind in GRASSROOTS_KINDS),
        len(lineage) - 1,
    )
    if leads and index > 0:
        return lineage[index - 1]
    return lineage[index]


def leads_in_review(positions: Iterable[Position]) -> bool:
    """Whether a cadre holding `positions` today is rated by the committee above their grassroots organisation:
    a post in a committee (not a cell), or the head of an agency. `positions` with their organisations."""
    return any(
        (position.organisation is not None and position.organisation.kind not in CELL_KINDS)
        or (position.post_kind == PostKind.GOVERNMENT and position.is_head)
        for position in positions
    )


class CommitmentReadings:
    """Which commitments of some programmes one reader may read; see `commitment_reading` for the rule.

    Made for the programmes of one page, whose readability the caller has already settled (a selector or
    `can_view_programme`). Nothing is looked up while every commitment asked about reaches as far as its
    programme; the first one capped below it makes the facts of the owner's chain load, once for every
    programme of the page: the owners' cells (one query), the versions (one query, none when the caller passes
    them), and for a reader sitting on a committee above the cell, its ancestors and the owners' posts (two).
    """

    def __init__(
        self,
        user: AnyUser,
        programmes: Iterable[ActionProgramme],
        *,
        versions: Iterable[ProgrammeVersion] | None = None,
    ) -> None:
        self.user = user
        self._programmes = {programme.pk: programme for programme in programmes}
        self._versions: dict[int, list[ProgrammeVersion]] | None = None
        if versions is not None:
            self._versions = {pk: [] for pk in self._programmes}
            for version in versions:
                self._versions.setdefault(version.programme_id, []).append(version)
        self._cells: dict[int, PartyOrganisation] | None = None
        self._lineages: dict[str, list[PartyOrganisation]] | None = None
        self._leaders: set[int] | None = None
        self._chain: dict[int, bool] = {}

    def of(self, programme: ActionProgramme) -> "CommitmentReading":
        return CommitmentReading(self, programme)

    def shows(self, programme: ActionProgramme, commitment: Commitment) -> bool:
        level = commitment_level(programme, commitment)
        # As far as its programme: whoever reads the programme reads it.
        if level >= programme.publicity_level:
            return True
        return self.keeps_everything(programme) or level >= self._read_level(programme)

    def keeps_everything(self, programme: ActionProgramme) -> bool:
        """Is the reader in the owner's chain, for whom no cap holds?"""
        if programme.pk not in self._chain:
            self._chain[programme.pk] = self._in_owners_chain(programme)
        return self._chain[programme.pk]

    def _in_owners_chain(self, programme: ActionProgramme) -> bool:
        user = self.user
        if not user.is_authenticated:
            return False
        if is_superuser(user) or is_programme_owner(user, programme) or self._confirms(programme):
            return True
        cell = self._cell(programme)
        grants = grants_for(user)
        if any(grant.persona in _CELL_LEADERS and grant.organisation_id == cell.pk for grant in grants):
            return True
        return self._decides_on_owner(programme, cell)

    def _confirms(self, programme: ActionProgramme) -> bool:
        """As can_view_programme: a version was sent to or confirmed by the reader, or one waits for the body
        whose secretary they are today."""
        if self._versions is None:
            self._versions = {pk: [] for pk in self._programmes}
            for version in ProgrammeVersion.objects.filter(programme_id__in=list(self._programmes)).only(
                "programme_id", "state", "confirming_organisation_id", "confirmer_id", "confirmed_by_id"
            ):
                self._versions[version.programme_id].append(version)
        user_pk = self.user.pk
        secretary_of = {
            grant.organisation_id for grant in grants_for(self.user) if grant.persona in _SECRETARY_PERSONAS
        }
        return any(
            version.confirmer_id == user_pk
            or version.confirmed_by_id == user_pk
            or (version.state == VersionState.SUBMITTED and version.confirming_organisation_id in secretary_of)
            for version in self._versions.get(programme.pk, [])
        )

    def _cell(self, programme: ActionProgramme) -> PartyOrganisation:
        """As reader_cell: the owner's current cell, else the organisation of the programme."""
        if self._cells is None:
            owners = {item.owner_id for item in self._programmes.values()}
            memberships = Membership.objects.filter(cadre_id__in=owners, end_date__isnull=True).select_related("cell")
            self._cells = {membership.cadre_id: membership.cell for membership in memberships}
        return self._cells.get(programme.owner_id) or programme.organisation

    def _read_level(self, programme: ActionProgramme) -> int:
        cell = self._cell(programme)
        return min(
            (_READ_LEVEL_FOR[grant.persona] for grant in grants_for(self.user) if grant.covers(cell)),
            default=_NO_LEVEL,
        )

    def _decides_on_owner(self, programme: ActionProgramme, cell: PartyOrganisation) -> bool:
        """Does the reader sit on the committee that decides the review in the owner's cell?"""
        seats = [grant for grant in grants_for(self.user) if grant.persona in _COMMITTEE and grant.covers(cell)]
        if not seats:
            return False
        self._load_deciding_facts()
        if self._lineages is None or self._leaders is None:
            raise RuntimeError("deciding facts are loaded above")
        deciding = deciding_organisation_in(self._lineages[cell.path], leads=programme.owner_id in self._leaders)
        return any(grant.organisation_id == deciding.pk for grant in seats)

    def _load_deciding_facts(self) -> None:
        if self._lineages is not None:
            return
        cells = {item.pk: self._cell(item) for item in self._programmes.values()}
        steplen = PartyOrganisation.steplen
        prefixes = {
            cell.path[:length] for cell in cells.values() for length in range(steplen, len(cell.path) + 1, steplen)
        }
        by_path = {
            organisation.path: organisation for organisation in PartyOrganisation.objects.filter(path__in=prefixes)
        }
        self._lineages = {
            cell.path: [by_path[prefix] for prefix in sorted(by_path) if cell.path.startswith(prefix)]
            for cell in cells.values()
        }
        posts: dict[int, list[Position]] = {}
        owners = {item.owner_id for item in self._programmes.values()}
        for position in Position.objects.current().filter(cadre_id__in=owners).select_related("organisation"):
            posts.setdefault(position.cadre_id, []).append(position)
        self._leaders = {owner for owner, held in posts.items() if leads_in_review(held)}


@dataclass(frozen=True)
class CommitmentReading:
    """The commitments of one programme one reader may read (made by `commitment_reading`)."""

    readings: CommitmentReadings
    programme: ActionProgramme

    def shows(self, commitment: Commitment) -> bool:
        return self.readings.shows(self.programme, commitment)

    def keeps_everything(self) -> bool:
        """Is the reader in the owner's chain (or a superuser), for whom no cap holds?"""
        return self.readings.keeps_everything(self.programme)

    def terms(self, items: Iterable[CommitmentTerms]) -> list[CommitmentTerms]:
        """The terms whose commitment the reader may read, in their order; each with its commitment joined."""
        return [item for item in items if self.shows(item.commitment)]

    def shows_all(self, commitments: Iterable[Commitment]) -> bool:
        return all(self.shows(commitment) for commitment in commitments)


def commitment_reading(
    user: AnyUser, programme: ActionProgramme, *, versions: Iterable[ProgrammeVersion] | None = None
) -> CommitmentReading:
    """Which commitments of `programme` the user may read, for a user who may read the programme.

    A commitment reaches the lower of its programme's level and the owner's cap on it ("Công khai nội dung này
    tối đa đến…"), and is read by whoever's grant around the owner's cell reads that level (`_READ_LEVEL_FOR`).
    The owner's chain reads every commitment of a programme it reads, whatever the caps, because its duty
    needs them: the owner; the confirmer (whoever a version was sent to or confirmed by, and the confirming
    body's secretary today while a version waits); the secretary and deputy secretary of the owner's cell; the
    members of the committee that decides the owner's review in that cell (`deciding_organisation_in`), not
    the committees above it. Superusers read everything.

    Pass the programme's versions when the page has them already (any order, all states), to spare a query.
    Answers from the cached grants; a page asks no query per commitment (see CommitmentReadings).
    """
    return CommitmentReadings(user, [programme], versions=versions).of(programme)


def programmes_read_in_full(user: AnyUser) -> QuerySet[ActionProgramme]:
    """Programmes the user reads with every commitment, as one query (for lists of documents that print them all).

    Those of `programmes_visible_to` where no commitment is capped below what the user's grant around the owner
    reads, and those of the owner's chain a query can name: the owner, the confirmer (sent to, confirmed by, or
    secretary of the body a version waits for), the secretary and deputy secretary of the owner's cell. The
    committee deciding the owner's review also reads them in full (`commitment_reading`) but is not named here:
    which committee decides depends on the owner's posts.
    """
    visible = programmes_visible_to(user)
    if is_superuser(user) or not user.is_authenticated:
        return visible
    grants = grants_for(user)
    bodies = [grant.organisation_id for grant in grants if grant.persona in _SECRETARY_PERSONAS]
    cells = [grant.organisation_id for grant in grants if grant.persona in _CELL_LEADERS]
    current = Q(owner__memberships__end_date__isnull=True)
    condition = (
        Q(owner__user=user)
        | Q(versions__confirmer=user)
        | Q(versions__confirmed_by=user)
        | Q(versions__state=VersionState.SUBMITTED, versions__confirming_organisation__in=bodies)
        | (current & Q(owner__memberships__cell__in=cells))
    )
    without_cell = ~Exists(Membership.objects.filter(cadre=OuterRef("owner"), end_date__isnull=True))
    for grant in grants:
        level = _READ_LEVEL_FOR[grant.persona]
        hidden = Commitment.objects.filter(
            Q(publicity_cap__lt=level), Q(publicity_cap__lt=OuterRef("publicity_level")), programme=OuterRef("pk")
        )
        in_scope = (grant.as_q("owner__memberships__cell__") & current) | (grant.as_q("organisation__") & without_cell)
        condition |= in_scope & ~Exists(hidden)
    return visible.filter(pk__in=ActionProgramme.objects.filter(condition).values("pk"))
