"""What every report kind gives the producer: its subject key, its title, its template and its data.

`data` is everything the report prints, as plain values (text, numbers, ISO dates, lists and dicts of
them). Its hash decides whether a report must be made again: the same data gives the same report,
so a rerun makes no new file.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from programmes.models import ActionProgramme, PartyOrganisation
from reviews.models import ReportKind, Review, ReviewPeriod


@dataclass(frozen=True)
class DigitalSigner:
    """Who signs a report digitally: the signing body (its key, by its organisation code, signs), the block printed
    for it (heading, post and name) and the column of the signature blocks it is printed in ("left" or "right"),
    where the visible signature goes."""

    organisation: PartyOrganisation
    heading: str
    title: str
    name: str
    column: str = "right"

    @classmethod
    def of_block(
        cls, organisation: PartyOrganisation, block: Mapping[str, object], column: str = "right"
    ) -> "DigitalSigner":
        """From a signature block as report data has it (heading, title, name)."""
        return cls(
            organisation=organisation,
            heading=str(block["heading"]),
            title=str(block["title"]),
            name=str(block["name"]),
            column=column,
        )


@dataclass
class ReportData:
    kind: str
    subject_key: str
    title: str
    template: str
    organisation: PartyOrganisation
    data: dict[str, Any]
    period: ReviewPeriod | None = None
    review: Review | None = None
    programme: ActionProgramme | None = None
    # Values the template needs that are not part of the data hash (already-rendered fragments).
    extra: Mapping[str, object] = field(default_factory=dict)
    signer: DigitalSigner | None = None


# kind -> builder(object_id, period) ; filled by reviews.reports.contexts at import.
BUILDERS: dict[str, Callable[[int, ReviewPeriod | None], ReportData]] = {}


def register(
    kind: ReportKind,
) -> Callable[[Callable[[int, ReviewPeriod | None], ReportData]], Callable[[int, ReviewPeriod | None], ReportData]]:
    def decorate(
        builder: Callable[[int, ReviewPeriod | None], ReportData],
    ) -> Callable[[int, ReviewPeriod | None], ReportData]:
        BUILDERS[kind] = builder
        return builder

    return decorate


def subject_key(kind: str, object_id: int, period: ReviewPeriod | None = None) -> str:
    if period is None:
        return f"{kind}:{object_id}"
    return f"{kind}:{period.pk}:{object_id}"
