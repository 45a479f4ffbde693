"""Commitments within a programme: which of a readable programme's commitments a reader sees.

The owner may cap a commitment below the programme's publicity level; the owner's chain (owner, confirmer, the
cell's secretary and deputy, the committee deciding the owner's review) reads every commitment regardless. The
rule is told in full on `commitment_reading`; `programmes_read_in_full` is its queryset twin for documents.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, Q, QuerySet

from programmes.access.holdings import _COMMITTEE, SECRETARY_PERSONAS, AnyUser, Persona, grants_for, is_superuser
from programmes.access.programmes import (
    _READ_LEVEL_FOR,
    can_view_programme,
    in_grant_scope,
    is_programme_owner,
    programmes_visible_to,
    union_of_ids,
)
from programmes.models import (
    ActionProgramme,
    Commitment,
    CommitmentTerms,
    Membership,
    PartyOrganisation,
    Position,
    PostKind,
    ProgrammeVersion,
    PublicityLevel,
    VersionState,
)
from programmes.models.organisations import CELL_KINDS, GRASSROOTS_KINDS

# Personas only a secretary's post gives (no role does): whoever holds one is that organisation's secretary today.
_SECRETARY_PERSONAS = SECRETARY_PERSONAS
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


def readable_commitments(user: AnyUser, commitments: Iterable[Commitment]) -> set[int]:
    """The ids of those of `commitments` the user may read where they stand, in their own programmes (with their
    progress reports): the earlier commitment a carried one continues is shown to those who may, and to no one
    else. Each programme is asked about once, however many of its commitments are given; `commitments` with their
    programmes joined (owner, organisation)."""
    items = list(commitments)
    programmes = {item.programme_id: item.programme for item in items}
    visible = [programme for programme in programmes.values() if can_view_programme(user, programme)]
    readings = CommitmentReadings(user, visible)
    shown = {programme.pk for programme in visible}
    return {item.pk for item in items if item.programme_id in shown and readings.shows(item.programme, item)}


def programmes_read_in_full(user: AnyUser) -> QuerySet[ActionProgramme]:
    """Programmes the user reads with every commitment, as one query (for lists of documents that print them all).

    Those of `programmes_visible_to` where no commitment is capped below what the user's grant around the owner
    reads, and those of the owner's chain a query can name: the owner, the confirmer (sent to, confirmed by, or
    secretary of the body a version waits for), the secretary and deputy secretary of the owner's cell. The
    committee deciding the owner's review also reads them in full (`commitment_reading`) but is not named here:
    which committee decides depends on the owner's posts.
    """
    visible = programmes_visible_to(user)
    if is_superuser(user) or not isinstance(user, User):
        return visible
    grants = grants_for(user)
    bodies = [grant.organisation_id for grant in grants if grant.persona in _SECRETARY_PERSONAS]
    cells = [grant.organisation_id for grant in grants if grant.persona in _CELL_LEADERS]
    versions = ProgrammeVersion.objects.values("programme_id")
    # The owner's chain, one indexed branch each (see union_of_ids).
    branches = [
        ActionProgramme.objects.filter(owner__user=user).values("pk"),
        versions.filter(confirmer=user),
        versions.filter(confirmed_by=user),
        versions.filter(state=VersionState.SUBMITTED, confirming_organisation__in=bodies),
        ActionProgramme.objects.filter(
            owner__in=Membership.objects.filter(cell__in=cells, end_date__isnull=True).values("cadre_id")
        ).values("pk"),
    ]
    for grant in grants:
        level = _READ_LEVEL_FOR[grant.persona]
        hidden = Commitment.objects.filter(
            Q(publicity_cap__lt=level), Q(publicity_cap__lt=OuterRef("publicity_level")), programme=OuterRef("pk")
        )
        branches += [branch.filter(~Exists(hidden)) for branch in in_grant_scope(grant)]
    return visible.filter(pk__in=union_of_ids(branches))
