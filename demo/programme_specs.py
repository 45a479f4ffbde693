"""How a demo action programme is written down: its commitments, the progress reported on them, an amendment, and
how far its script takes it; read from the table of the demo's programmes (programmes.toml), one loop for all."""

import datetime
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from programmes.models import CommitmentCategory, Occasion, ProgrammeState, ProgressStatus, PublicityLevel

# The programmes run over this fixed year, so every run writes the same content; deadlines early in it have passed.
DEMO_YEAR = 2026
SCHOOL_SITE = "https://thcsbenthanh.example"


def demo_date(month: int, day: int, years_on: int = 0) -> datetime.date:
    return datetime.date(DEMO_YEAR + years_on, month, day)


def decimal_or_none(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


@dataclass(frozen=True)
class ReportSpec:
    status: str
    value: str | None = None
    note: str = ""
    link: str = ""


@dataclass(frozen=True)
class CommitmentSpec:
    category: str
    statement: str
    measures: str
    deadline: datetime.date
    evidence_kind: str
    indicator: str = ""
    unit: str = ""
    baseline: str | None = None
    target: str | None = None
    weight: int | None = None
    deliverable: bool = False
    milestones: tuple[tuple[datetime.date, str], ...] = ()
    reports: tuple[ReportSpec, ...] = ()

    def content(self) -> dict[str, object]:
        return {
            "category": self.category,
            "statement": self.statement,
            "is_deliverable": self.deliverable,
            "indicator": self.indicator,
            "unit": self.unit,
            "baseline_value": decimal_or_none(self.baseline),
            "target_value": decimal_or_none(self.target),
            "measures": self.measures,
            "deadline": self.deadline,
            "evidence_kind": self.evidence_kind,
            "weight": self.weight,
            "within_own_authority": True,
        }


@dataclass(frozen=True)
class AmendmentSpec:
    reason: str
    position: int
    changes: tuple[tuple[str, object], ...]
    confirm: bool = False
    comment: str = ""


@dataclass(frozen=True)
class ProgrammeSpec:
    owner: str  # a key of Plan.programme_owners
    occasion: str
    title: str
    term: tuple[datetime.date, datetime.date]
    commitments: tuple[CommitmentSpec, ...]
    outcome: str  # the ProgrammeState the script leaves it in
    for_party_post: bool = False
    publicity_max: int = PublicityLevel.COMMITTEE
    comment: str = ""
    return_reason: str = ""
    return_notes: tuple[tuple[int, str], ...] = ()
    amendment: AmendmentSpec | None = None


PROGRAMMES_TABLE = Path(__file__).with_name("programmes.toml")
# What the texts of the table may name, in braces.
TEXT_VALUES = {
    "year": DEMO_YEAR,
    "next_year": DEMO_YEAR + 1,
    "school_year": f"{DEMO_YEAR}-{DEMO_YEAR + 1}",
    "site": SCHOOL_SITE,
}
DATE_FIELDS = frozenset({"deadline"})


def _text(value: str) -> str:
    return value.format(**TEXT_VALUES)


def _date(value: list[int]) -> datetime.date:
    """[month, day] in the demo year, or [month, day, years after it]."""
    month, day, *years_on = value
    return demo_date(month, day, *years_on)


def _report(row: Mapping[str, Any]) -> ReportSpec:
    return ReportSpec(
        ProgressStatus(row["status"]), row.get("value"), _text(row.get("note", "")), _text(row.get("link", ""))
    )


def _commitment(row: Mapping[str, Any]) -> CommitmentSpec:
    return CommitmentSpec(
        CommitmentCategory(row["category"]),
        _text(row["statement"]),
        _text(row["measures"]),
        _date(row["deadline"]),
        _text(row["evidence_kind"]),
        indicator=_text(row.get("indicator", "")),
        unit=row.get("unit", ""),
        baseline=row.get("baseline"),
        target=row.get("target"),
        weight=row.get("weight"),
        deliverable=row.get("deliverable", False),
        milestones=tuple((_date(m["due"]), _text(m["text"])) for m in row.get("milestones", [])),
        reports=tuple(_report(report) for report in row.get("report", [])),
    )


def _change(name: str, value: Any) -> tuple[str, object]:
    if name in DATE_FIELDS:
        return name, _date(value)
    return name, _text(value) if isinstance(value, str) else value


def _amendment(row: Mapping[str, Any] | None) -> AmendmentSpec | None:
    if row is None:
        return None
    return AmendmentSpec(
        _text(row["reason"]),
        row["position"],
        tuple(_change(name, value) for name, value in row["changes"].items()),
        confirm=row.get("confirm", False),
        comment=_text(row.get("comment", "")),
    )


def _programme(row: Mapping[str, Any]) -> ProgrammeSpec:
    start, end = row["term"]
    return ProgrammeSpec(
        row["owner"],
        Occasion(row["occasion"]),
        _text(row["title"]),
        (_date(start), _date(end)),
        tuple(_commitment(item) for item in row["commitment"]),
        ProgrammeState(row["outcome"]),
        for_party_post=row.get("for_party_post", False),
        publicity_max=PublicityLevel[row.get("publicity_max", "committee").upper()],
        comment=_text(row.get("comment", "")),
        return_reason=_text(row.get("return_reason", "")),
        return_notes=tuple((note["position"], _text(note["note"])) for note in row.get("return_notes", [])),
        amendment=_amendment(row.get("amendment")),
    )


def load_programmes() -> tuple[ProgrammeSpec, ...]:
    """Every demo programme of the table, in its order."""
    with PROGRAMMES_TABLE.open("rb") as table:
        return tuple(_programme(row) for row in tomllib.load(table)["programme"])
