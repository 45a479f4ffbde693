"""What a review copies of a member's programmes when its period opens: each commitment in force, its target in
words and its number in the programme, read for every member of the period at once."""

import datetime
import functools
from decimal import Decimal
from typing import NamedTuple

from django.db.models import QuerySet

from programmes.action_programmes import numbering
from programmes.models import ActionProgramme, CommitmentCategory, CommitmentTerms, Membership, ProgrammeState
from programmes.programme_document import format_number
from reviews.models import ReviewPeriod


@functools.lru_cache(maxsize=4096)
def _target_text(
    is_deliverable: bool, evidence_kind: str, indicator: str, target_value: Decimal | None, unit: str
) -> str:
    """What the review shows as the commitment's target: the product for a deliverable, else the indicator, figure
    and unit. Cached: a ward's programmes repeat the same few targets, and the figures are written the same way
    in every language."""
    if is_deliverable:
        return evidence_kind[:255]
    target = format_number(target_value) if target_value is not None else ""
    parts = [indicator + (":" if indicator and target else ""), target, unit]
    return " ".join(part for part in parts if part).strip()[:255]


# What an assessment copies of a commitment's terms in force: commitment, statement, target, deadline, is_task, and
# its number in the programme ("II.2").
_Prefill = tuple[int, str, str, datetime.date | None, bool, str]


class _Terms(NamedTuple):
    owner: int
    version_id: int
    commitment_id: int
    position: int
    category: str
    statement: str
    target: str
    deadline: datetime.date | None


def commitments_in_force(period: ReviewPeriod, owners: QuerySet[Membership]) -> dict[int, list[_Prefill]]:
    """The commitments in force of the confirmed programmes overlapping the period, of every member at once,
    by owner (cadre id), in the order a review lists them (programme by programme, each in its document order,
    numbered as the programme numbers them): plain values, no model object per commitment."""
    programmes = ActionProgramme.objects.filter(
        owner__in=owners.values("cadre"),
        state__in=[ProgrammeState.CONFIRMED, ProgrammeState.CLOSED],
        current_version__isnull=False,
        term_start__lte=period.covers_to,
        term_end__gte=period.covers_from,
    )
    terms = (
        CommitmentTerms.objects.filter(version__in=programmes.values("current_version"))
        .order_by("version__programme__term_start", "version_id", "position")
        .values_list(
            "version__programme__owner",
            "version_id",
            "commitment_id",
            "position",
            "category",
            "statement",
            "is_deliverable",
            "evidence_kind",
            "indicator",
            "target_value",
            "unit",
            "deadline",
        )
    )
    by_version: dict[int, list[_Terms]] = {}
    for owner, version, commitment, position, category, statement, *target, deadline in terms:
        by_version.setdefault(version, []).append(
            _Terms(owner, version, commitment, position, category, statement, _target_text(*target), deadline)
        )
    tasks = CommitmentCategory.task_values()
    by_owner: dict[int, list[_Prefill]] = {}
    for version_terms in by_version.values():
        numbers = numbering.commitment_numbers(version_terms)
        for item in numbering.document_order(version_terms):
            prefill = (
                item.commitment_id,
                item.statement,
                item.target,
                item.deadline,
                item.category in tasks,
                numbers[item.commitment_id],
            )
            by_owner.setdefault(item.owner, []).append(prefill)
    return by_owner
