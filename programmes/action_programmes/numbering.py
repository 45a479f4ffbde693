"""The one numbering of a version's commitments, the same on every page, in print and in feedback: the section
(the content group, in the order of `CommitmentCategory`, numbered I, II, III… among the groups the version holds)
and the commitment's place in it, "II.2".

It is counted over the commitments the reader may read (`access.commitment_reading`; in public, the public ones),
so a commitment its owner keeps from a reader leaves no trace in the numbers that reader sees. Where nothing is
kept from anyone, as for most programmes, every reader sees the same number for the same commitment.
"""

from collections.abc import Iterable
from typing import Protocol, TypeVar

from programmes.models import CommitmentCategory, CommitmentTerms

ROMAN_NUMERALS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
CATEGORY_ORDER = {category.value: index for index, category in enumerate(CommitmentCategory)}


class Numbered(Protocol):
    @property
    def commitment_id(self) -> int: ...

    @property
    def category(self) -> str: ...

    @property
    def position(self) -> int: ...


T = TypeVar("T", bound=Numbered)


def document_order(terms: Iterable[T]) -> list[T]:
    """The commitments by section, then in the order their owner gave them."""
    return sorted(terms, key=lambda item: (CATEGORY_ORDER.get(item.category, len(CATEGORY_ORDER)), item.position))


def numeral(index: int) -> str:
    return ROMAN_NUMERALS[index] if index < len(ROMAN_NUMERALS) else str(index + 1)


def commitment_numbers(shown_terms: Iterable[Numbered]) -> dict[int, str]:
    """commitment id -> "II.2", for the commitments of one version shown to a reader (all those the reader may
    read, not a page of them)."""
    numbers: dict[int, str] = {}
    sections: list[str] = []
    counts: dict[str, int] = {}
    for item in document_order(shown_terms):
        if item.category not in counts:
            sections.append(item.category)
            counts[item.category] = 0
        counts[item.category] += 1
        numbers[item.commitment_id] = f"{numeral(len(sections) - 1)}.{counts[item.category]}"
    return numbers


def section_numeral(number: str) -> str:
    """ "II" of "II.2"."""
    return number.split(".", 1)[0]


def version_numbers(version_id: int | None) -> dict[int, str]:
    """The numbers of every commitment of a version, as its owner reads them (one query)."""
    rows = CommitmentTerms.objects.filter(version_id=version_id).only("commitment_id", "category", "position")
    return commitment_numbers(rows)
