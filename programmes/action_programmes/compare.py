"""Two versions of a programme side by side, commitment by commitment.

The terms of the same lasting commitment are paired, so a target moved from 90 to 95 shows as a change
of that commitment, not as one commitment removed and another added. A commitment only in the newer
version was added by the amendment; one only in the older version was dropped by it.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from programmes.action_programmes import numbering
from programmes.models import Commitment, CommitmentTerms, ProgrammeVersion
from programmes.text import display_number

# The fields a reader compares, in the order the comparison lists them.
COMPARED_FIELDS = (
    "statement",
    "category",
    "is_deliverable",
    "indicator",
    "unit",
    "baseline_value",
    "target_value",
    "deadline",
    "measures",
    "evidence_kind",
    "weight",
    "within_own_authority",
)
MILESTONES = "milestones"
# A change to any of these moves what the commitment will be judged against ("Chỉ tiêu đã thay đổi").
TARGET_FIELDS = frozenset({"indicator", "unit", "target_value"})
DEADLINE_FIELDS = frozenset({"deadline"})


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    UNCHANGED = "unchanged"

    @property
    def label(self) -> str:
        return {
            ChangeKind.ADDED: _("Nội dung mới"),
            ChangeKind.REMOVED: _("Đã bỏ"),
            ChangeKind.CHANGED: _("Có thay đổi"),
            ChangeKind.UNCHANGED: _("Không thay đổi"),
        }[self]


@dataclass(frozen=True)
class FieldChange:
    """One field of a commitment in the two versions, as a reader sees it."""

    field: str
    label: str
    old: str
    new: str
    changed: bool


@dataclass(frozen=True)
class CommitmentChange:
    commitment_id: int
    kind: ChangeKind
    old: CommitmentTerms | None
    new: CommitmentTerms | None
    # Every compared field (for the side-by-side view); `changes` is the part that differs.
    fields: tuple[FieldChange, ...] = field(default=())
    # Its number in each version among the commitments compared ("II.2", `numbering`), so that one left out leaves
    # no gap.
    old_number: str | None = None
    new_number: str | None = None

    @property
    def terms(self) -> CommitmentTerms:
        """The terms to title the commitment with: the newer wording when there is one."""
        terms = self.new if self.new is not None else self.old
        if terms is None:
            raise ValueError("a compared commitment has terms in at least one version")
        return terms

    @property
    def kind_label(self) -> str:
        return self.kind.label

    @property
    def changes(self) -> list[FieldChange]:
        return [item for item in self.fields if item.changed]

    @property
    def target_changed(self) -> bool:
        return any(item.field in TARGET_FIELDS for item in self.changes)

    @property
    def deadline_changed(self) -> bool:
        return any(item.field in DEADLINE_FIELDS for item in self.changes)


def _number(value: Decimal | int | None) -> str:
    return display_number(value)


def _yes_no(value: bool) -> str:
    return _("Có") if value else _("Không")


def _milestones(terms: CommitmentTerms) -> list[tuple[datetime.date, str]]:
    return [(milestone.due_date, milestone.description) for milestone in terms.milestones.all()]


def _show_milestones(items: list[tuple[datetime.date, str]]) -> str:
    return "; ".join(f"{due_date:%d/%m/%Y}: {description}" for due_date, description in items)


_DISPLAY: dict[str, Callable[[CommitmentTerms], str]] = {
    "category": lambda terms: str(terms.get_category_display()),
    "is_deliverable": lambda terms: _yes_no(terms.is_deliverable),
    "within_own_authority": lambda terms: _yes_no(terms.within_own_authority),
    "baseline_value": lambda terms: _number(terms.baseline_value),
    "target_value": lambda terms: _number(terms.target_value),
    "weight": lambda terms: _number(terms.weight),
    "deadline": lambda terms: f"{terms.deadline:%d/%m/%Y}" if terms.deadline else "",
}


def field_label(name: str) -> str:
    if name == MILESTONES:
        return _("Mốc thực hiện")
    model_field = CommitmentTerms._meta.get_field(name)
    return capfirst(str(getattr(model_field, "verbose_name", name)))


def display_value(terms: CommitmentTerms | None, name: str) -> str:
    """A field of the terms as the page shows it (dates dd/mm/yyyy, numbers without trailing zeros)."""
    if terms is None:
        return ""
    if name == MILESTONES:
        return _show_milestones(_milestones(terms))
    show = _DISPLAY.get(name)
    return show(terms) if show is not None else str(getattr(terms, name))


def _raw(terms: CommitmentTerms | None, name: str) -> Any:
    if terms is None:
        return None
    if name == MILESTONES:
        return _milestones(terms)
    value = getattr(terms, name)
    return value.strip() if isinstance(value, str) else value


def _fields(old: CommitmentTerms | None, new: CommitmentTerms | None) -> tuple[FieldChange, ...]:
    both = old is not None and new is not None
    return tuple(
        FieldChange(
            field=name,
            label=field_label(name),
            old=display_value(old, name),
            new=display_value(new, name),
            changed=both and _raw(old, name) != _raw(new, name),
        )
        for name in (*COMPARED_FIELDS, MILESTONES)
    )


def _by_commitment(
    terms: Iterable[CommitmentTerms], shows: Callable[[Commitment], bool] | None
) -> dict[int, CommitmentTerms]:
    ordered = sorted(terms, key=lambda item: item.position)
    return {item.commitment_id: item for item in ordered if shows is None or shows(item.commitment)}


def compare_versions(
    old: ProgrammeVersion, new: ProgrammeVersion, *, shows: Callable[[Commitment], bool] | None = None
) -> list[CommitmentChange]:
    """Every commitment of either version, in the newer version's order (by section), then those the newer one
    dropped.

    Uses the versions' prefetched terms and milestones when they are there (selectors.version_for_display).
    With `shows` (`access.commitment_reading(...).shows`), only the commitments the reader may read are
    compared and numbered: one they may not read is in neither version, nor in any count made of the result.
    """
    old_terms = _by_commitment(old.terms.all(), shows)
    new_terms = _by_commitment(new.terms.all(), shows)
    old_numbers = numbering.commitment_numbers(old_terms.values())
    new_numbers = numbering.commitment_numbers(new_terms.values())
    result: list[CommitmentChange] = []
    for terms in numbering.document_order(new_terms.values()):
        commitment_id = terms.commitment_id
        before = old_terms.get(commitment_id)
        fields = _fields(before, terms)
        if before is None:
            kind = ChangeKind.ADDED
        elif any(item.changed for item in fields):
            kind = ChangeKind.CHANGED
        else:
            kind = ChangeKind.UNCHANGED
        result.append(
            CommitmentChange(
                commitment_id,
                kind,
                before,
                terms,
                fields,
                old_number=old_numbers.get(commitment_id),
                new_number=new_numbers[commitment_id],
            )
        )
    for terms in numbering.document_order(old_terms.values()):
        commitment_id = terms.commitment_id
        if commitment_id not in new_terms:
            result.append(
                CommitmentChange(
                    commitment_id,
                    ChangeKind.REMOVED,
                    terms,
                    None,
                    _fields(terms, None),
                    old_number=old_numbers[commitment_id],
                )
            )
    return result
