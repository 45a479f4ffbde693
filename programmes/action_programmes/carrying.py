"""Carrying unfinished commitments into a new programme: what an owner may carry, and where a carried commitment
came from, as its pages show it ("Chuyển tiếp từ: …, mục II.2", with the earlier commitment's progress history).

The change itself is services.carry_commitments; who may read the earlier commitment is the access module's.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, Prefetch

from programmes import access
from programmes.action_programmes import numbering
from programmes.models import (
    ActionProgramme,
    Cadre,
    Commitment,
    CommitmentTerms,
    ProgrammeState,
    ProgressReport,
    ProgressStatus,
)

# The programmes whose unfinished commitments may be carried: confirmed ones, in force or closed.
CARRIED_FROM_STATES = frozenset({ProgrammeState.CONFIRMED, ProgrammeState.CLOSED})


@dataclass(frozen=True)
class Carryable:
    """An unfinished commitment of an earlier programme, as the owner reads it in the version in force."""

    terms: CommitmentTerms
    programme: ActionProgramme
    number: str

    @property
    def commitment(self) -> Commitment:
        return self.terms.commitment


def in_force_terms(commitments: Iterable[int]) -> dict[int, CommitmentTerms]:
    """The terms of each commitment in its programme's version in force (none for a commitment no confirmed
    version holds, or one an amendment took out), by commitment id; one query."""
    rows = CommitmentTerms.objects.filter(
        commitment_id__in=list(commitments), version_id=F("version__programme__current_version_id")
    ).select_related("commitment__programme")
    return {row.commitment_id: row for row in rows}


def _numbers_in(version_ids: Iterable[int]) -> dict[int, str]:
    """The owner's numbers ("II.2") of every commitment of the given versions, by commitment id; one query."""
    rows = CommitmentTerms.objects.filter(version_id__in=set(version_ids)).only(
        "version_id", "commitment_id", "category", "position"
    )
    by_version: dict[int, list[CommitmentTerms]] = {}
    for row in rows:
        by_version.setdefault(row.version_id, []).append(row)
    numbers: dict[int, str] = {}
    for terms in by_version.values():
        numbers.update(numbering.commitment_numbers(terms))
    return numbers


def commitment_numbers_in_force(terms: Iterable[CommitmentTerms]) -> dict[int, str]:
    """The number of each commitment in its version in force, as its owner reads it; one query."""
    return _numbers_in(item.version_id for item in terms)


def carryable_commitments(owner: Cadre, into: ActionProgramme) -> list[Carryable]:
    """The owner's unfinished commitments of their confirmed or closed programmes, other than `into`, not yet carried
    into any programme: newest programme first, then in document order. Three queries."""
    terms = list(
        CommitmentTerms.objects.filter(
            version__programme__owner=owner,
            version__programme__state__in=sorted(CARRIED_FROM_STATES),
            version_id=F("version__programme__current_version_id"),
        )
        .exclude(version__programme=into)
        .exclude(commitment__status__in=sorted(ProgressStatus.finished_values()))
        .filter(commitment__carried_into__isnull=True)
        .select_related("commitment", "version__programme")
    )
    numbers = commitment_numbers_in_force(terms)
    by_programme: dict[int, list[CommitmentTerms]] = {}
    for item in terms:
        by_programme.setdefault(item.version.programme_id, []).append(item)
    programmes = sorted(
        (group[0].version.programme for group in by_programme.values()),
        key=lambda programme: (programme.term_start, programme.pk),
        reverse=True,
    )
    return [
        Carryable(terms=item, programme=programme, number=numbers[item.commitment_id])
        for programme in programmes
        for item in numbering.document_order(by_programme[programme.pk])
    ]


@dataclass(frozen=True)
class CarriedFrom:
    """Where a carried commitment came from, as one reader may see it: the earlier programme, the commitment's
    number there and its progress reports (newest first) for a reader of that commitment; only the fact that it
    was carried for anyone else."""

    readable: bool
    programme: ActionProgramme | None = None
    number: str = ""
    statement: str = ""
    reports: tuple[ProgressReport, ...] = ()


def carried_from(user: access.AnyUser, commitments: Iterable[Commitment]) -> dict[int, CarriedFrom]:
    """By the id of each carried commitment among `commitments`: where it came from, as `user` may see it. No query
    when none was carried; else four, and the access module's questions once for each earlier programme."""
    earlier_ids = {item.pk: item.carried_from_id for item in commitments if item.carried_from_id is not None}
    if not earlier_ids:
        return {}
    earlier = {
        commitment.pk: commitment
        for commitment in Commitment.objects.filter(pk__in=set(earlier_ids.values()))
        .select_related("programme__owner", "programme__organisation", "programme__current_version")
        .prefetch_related(Prefetch("progress_reports", queryset=ProgressReport.objects.order_by("-reported_at", "-pk")))
    }
    terms = in_force_terms(earlier)
    numbers = commitment_numbers_in_force(terms.values())
    readable = access.readable_commitments(user, earlier.values())
    found: dict[int, CarriedFrom] = {}
    for carried_id, earlier_id in earlier_ids.items():
        source = earlier.get(earlier_id)
        if source is None or source.pk not in readable:
            found[carried_id] = CarriedFrom(readable=False)
            continue
        source_terms = terms.get(earlier_id)
        found[carried_id] = CarriedFrom(
            readable=True,
            programme=source.programme,
            number=numbers.get(earlier_id, ""),
            statement=source_terms.statement if source_terms is not None else "",
            reports=tuple(source.progress_reports.all()),
        )
    return found
