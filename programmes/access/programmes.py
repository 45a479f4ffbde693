"""Programme visibility: who reads an action programme and its versions, who owns and who confirms it.

A programme is read by its owner and its confirmer always, and by others by their grant around the owner's cell
and the programme's publicity level (`_READ_LEVEL_FOR`). What of its commitments a reader sees is `commitments`.
"""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from programmes.access.holdings import AnyUser, Grant, Persona, grants_for, is_superuser
from programmes.access.organisations import _current_cell
from programmes.models import (
    ActionProgramme,
    Membership,
    PartyOrganisation,
    PartyPost,
    Position,
    PostKind,
    ProgrammeVersion,
    PublicityLevel,
    VersionState,
)

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


def secretaries_of(organisation_ids: Iterable[int]) -> dict[int, int]:
    """`secretary_user` for many organisations in one query: the account id of each one's secretary today, by
    organisation id (the latest appointed where two overlap), for those that have one with an account."""
    found: dict[int, int] = {}
    for organisation_id, user_id in (
        Position.objects.current()
        .filter(
            organisation__in=set(organisation_ids),
            post_kind=PostKind.PARTY,
            party_post=PartyPost.SECRETARY,
            cadre__user__isnull=False,
        )
        .order_by("organisation_id", "-start_date", "-pk")
        .values_list("organisation_id", "cadre__user_id")
    ):
        found.setdefault(organisation_id, user_id)
    return found


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


def union_of_ids(branches: list[QuerySet[Any, Any]]) -> QuerySet[Any, Any]:
    """One column of ids from several queries, each on its own indexed conditions, as UNION ALL: PostgreSQL runs
    every branch on its index and semi-joins the ids, where OR across joins (and DISTINCT) hash-joins every row.
    Each branch selects one column, unordered; the caller filters `pk__in` on the result."""
    first, *rest = [branch.order_by() for branch in branches]
    return first.union(*rest, all=True) if rest else first


def current_members_in(grant: Grant) -> QuerySet[Membership, Any]:
    """The cadres whose current cell lies where `grant` reaches (one indexed path condition on the cell)."""
    return Membership.objects.filter(grant.as_q("cell__"), end_date__isnull=True).values("cadre_id")


def in_grant_scope(grant: Grant) -> list[QuerySet[ActionProgramme, Any]]:
    """The programmes read where `grant` reaches, as reader_cell places them: by the owner's current cell, or
    where the programme was registered when the owner has no current cell. Two branches for union_of_ids."""
    without_cell = ~Exists(Membership.objects.filter(cadre=OuterRef("owner"), end_date__isnull=True))
    return [
        ActionProgramme.objects.filter(owner__in=current_members_in(grant)).values("pk"),
        ActionProgramme.objects.filter(grant.as_q("organisation__"), without_cell).values("pk"),
    ]


def programme_chain_ids(user: User) -> list[QuerySet[Any, Any]]:
    """The programmes `user` reads as their owner or confirmer (sent to, confirmed by, or secretary today of the
    body a version waits for), one indexed branch each for union_of_ids."""
    versions = ProgrammeVersion.objects.values("programme_id")
    return [
        ActionProgramme.objects.filter(owner__user=user).values("pk"),
        versions.filter(confirmer=user),
        versions.filter(confirmed_by=user),
        versions.filter(
            state=VersionState.SUBMITTED, confirming_organisation__in=_secretary_posts(user).values("organisation")
        ),
    ]


def programmes_visible_to(user: AnyUser) -> QuerySet[ActionProgramme]:
    """Confirmed programmes the user may read by role and publicity level, and their own; one query, without
    DISTINCT: the ids come from a union of indexed branches (the same rule as can_view_programme)."""
    queryset = ActionProgramme.objects.all()
    if is_superuser(user):
        return queryset
    if not isinstance(user, User):
        return queryset.none()
    branches = programme_chain_ids(user)
    for grant in grants_for(user):
        readable = Q(current_version__isnull=False, publicity_level__gte=_READ_LEVEL_FOR[grant.persona])
        branches += [branch.filter(readable) for branch in in_grant_scope(grant)]
    return queryset.filter(pk__in=union_of_ids(branches))
