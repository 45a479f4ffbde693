"""Where a verdict on a commitment says more than the progress its owner recorded.

The member's self-review and the cell's verdicts say how each commitment was carried out; the programme
records its progress (the latest status and value, and dated reports). A verdict that claims a commitment
done (on time, or beyond its target) while the record says it is at risk, below its target or past its
deadline is flagged, with the recorded figures, on the page of whoever judges next.

The member reads the flags as warnings before submitting. The cell's secretary, recording the proposal,
and the deciding committee, deciding, may keep a flagged verdict only with a written reason (a
ConsistencyNote), so that a contradiction never goes up the chain unexplained; a flag the cell has
explained is shown to the committee with the cell's reason, and needs no second one.

Three queries for a review's flags, whatever the number of its commitments.
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from django.db.models import F, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.models import CommitmentTerms, ProgressReport, ProgressStatus
from programmes.programme_document import format_number
from reviews import rules
from reviews.models import CommitmentAssessment, ConsistencyNote, Verdict

Judge = Literal["self", "cell"]

CLAIMS_DONE = frozenset({Verdict.EXCEEDED, Verdict.DONE, Verdict.DONE_LATE})
FINISHED = ProgressStatus.needing_evidence()


class Inconsistency(StrEnum):
    NOT_FINISHED = "not_finished"
    BELOW_TARGET = "below_target"
    NOT_EXCEEDED = "not_exceeded"
    OVERDUE = "overdue"
    FINISHED_LATE = "finished_late"


def acknowledgement_field(assessment_pk: int) -> str:
    """The name under which a form sends, and a service refuses, the reason for one flagged commitment."""
    return f"acknowledge_{assessment_pk}"


@dataclass(frozen=True)
class Record:
    """What the programme recorded of one commitment, as the flags weigh it."""

    status: str
    value: Decimal | None
    target: Decimal | None
    baseline: Decimal | None
    unit: str
    measurable: bool
    deadline: datetime.date | None
    # The day of the first report that said done or exceeded, if any.
    finished_on: datetime.date | None
    # Whether anything was reported at all.
    reported: bool

    def reaches(self, *, beyond: bool = False) -> bool:
        """The recorded value reaches the target (or goes beyond it), in the target's direction."""
        if self.value is None or self.target is None:
            return False
        if self.baseline is not None and self.target < self.baseline:
            return self.value < self.target if beyond else self.value <= self.target
        return self.value > self.target if beyond else self.value >= self.target

    def figures(self) -> str:
        """“Tiến độ ghi nhận: Có nguy cơ chậm, 26/40 hồ sơ, hạn 15/11/2026”."""
        parts = [str(ProgressStatus(self.status).label)]
        if self.measurable and self.target is not None:
            value = format_number(self.value) if self.value is not None else "—"
            parts.append(f"{value}/{format_number(self.target)} {self.unit}".strip())
        if self.deadline is not None:
            parts.append(_("hạn %(date)s") % {"date": f"{self.deadline:%d/%m/%Y}"})
        if self.finished_on is not None:
            parts.append(_("báo cáo hoàn thành ngày %(date)s") % {"date": f"{self.finished_on:%d/%m/%Y}"})
        return _("Tiến độ ghi nhận: %(figures)s") % {"figures": ", ".join(parts)}


def contradictions(verdict: str, record: Record, today: datetime.date) -> list[Inconsistency]:
    """How `verdict` claims more than `record` shows; empty when it does not.

    A commitment nobody reported on has no recorded progress to contradict: its status ("Chưa bắt đầu")
    only says that nothing was reported, which every page already shows next to it.
    """
    if verdict not in CLAIMS_DONE or not record.reported:
        return []
    found = []
    finished = record.status in FINISHED
    if not finished:
        found.append(Inconsistency.NOT_FINISHED)
    if record.measurable and record.value is not None and not record.reaches():
        found.append(Inconsistency.BELOW_TARGET)
    elif verdict == Verdict.EXCEEDED and record.status != ProgressStatus.EXCEEDED and not record.reaches(beyond=True):
        found.append(Inconsistency.NOT_EXCEEDED)
    if verdict in Verdict.on_time_values() and record.deadline is not None:
        if not finished and record.deadline < today:
            found.append(Inconsistency.OVERDUE)
        elif finished and record.finished_on is not None and record.finished_on > record.deadline:
            found.append(Inconsistency.FINISHED_LATE)
    return found


def _describe(kind: Inconsistency, record: Record) -> str:
    deadline = f"{record.deadline:%d/%m/%Y}" if record.deadline else ""
    if kind == Inconsistency.NOT_FINISHED:
        return _("tiến độ ghi nhận là “%(status)s”, chưa hoàn thành") % {"status": ProgressStatus(record.status).label}
    if kind == Inconsistency.BELOW_TARGET:
        return _("giá trị đạt được %(value)s chưa đạt chỉ tiêu %(target)s") % {
            "value": format_number(record.value) if record.value is not None else "—",
            "target": format_number(record.target) if record.target is not None else "—",
        }
    if kind == Inconsistency.NOT_EXCEEDED:
        return _("tiến độ ghi nhận không vượt chỉ tiêu")
    if kind == Inconsistency.OVERDUE:
        return _("đã quá hạn %(date)s mà chưa hoàn thành") % {"date": deadline}
    finished_on = f"{record.finished_on:%d/%m/%Y}" if record.finished_on else ""
    return _("báo cáo hoàn thành ngày %(finished)s, sau hạn %(date)s") % {"finished": finished_on, "date": deadline}


@dataclass(frozen=True)
class ConsistencyFlag:
    """One commitment whose verdict claims more than its recorded progress, and who explained it so far."""

    assessment: CommitmentAssessment
    judge: Judge
    verdict: str
    kinds: tuple[Inconsistency, ...]
    record: Record
    # The written reasons that cover this verdict and these contradictions, oldest first.
    notes: tuple[ConsistencyNote, ...]

    @property
    def acknowledged(self) -> bool:
        return bool(self.notes)

    @property
    def kinds_key(self) -> str:
        return ",".join(sorted(self.kinds))

    @property
    def figures(self) -> str:
        return self.record.figures()

    @property
    def verdict_label(self) -> str:
        return str(Verdict(self.verdict).label)

    @property
    def problems(self) -> str:
        return "; ".join(_describe(kind, self.record) for kind in self.kinds)

    @property
    def message(self) -> str:
        if self.judge == "self":
            text = _("Nội dung %(number)s: tự đánh giá “%(verdict)s” trái với tiến độ ghi nhận (%(problems)s).")
        else:
            text = _("Nội dung %(number)s: chi bộ kết luận “%(verdict)s” trái với tiến độ ghi nhận (%(problems)s).")
        return text % {"number": self.assessment.number, "verdict": self.verdict_label, "problems": self.problems}

    def conflict(self) -> rules.Conflict:
        """As the rules present a doubt: a warning (not blocking) with the figures."""
        return rules.Conflict(f"{self.message} {self.figures}.", blocking=False)


def _terms_in_force(commitment_ids: Iterable[int]) -> dict[int, CommitmentTerms]:
    """Each commitment's terms in its programme's version in force: its target, unit and direction."""
    return {
        terms.commitment_id: terms
        for terms in CommitmentTerms.objects.filter(
            commitment_id__in=list(commitment_ids), version_id=F("commitment__programme__current_version")
        )
    }


def _finished_on(commitment_ids: Iterable[int]) -> dict[int, datetime.date]:
    rows = (
        ProgressReport.objects.filter(commitment_id__in=list(commitment_ids), status__in=FINISHED)
        .values("commitment")
        .annotate(first=Min("reported_at"))
        .order_by()
    )
    return {row["commitment"]: timezone.localdate(row["first"]) for row in rows}


def _record(
    assessment: CommitmentAssessment, terms: CommitmentTerms | None, finished_on: datetime.date | None
) -> Record:
    commitment = assessment.commitment
    measurable = terms is not None and not terms.is_deliverable and terms.target_value is not None
    return Record(
        status=commitment.status,
        value=commitment.value_reached,
        target=terms.target_value if terms is not None else None,
        baseline=terms.baseline_value if terms is not None else None,
        unit=terms.unit if terms is not None else "",
        measurable=measurable,
        # The deadline the review shows: the one in force when the period opened.
        deadline=assessment.deadline,
        finished_on=finished_on,
        reported=commitment.last_reported_at is not None,
    )


def _notes(assessments: Sequence[CommitmentAssessment]) -> dict[int, list[ConsistencyNote]]:
    found: dict[int, list[ConsistencyNote]] = {}
    for note in ConsistencyNote.objects.filter(assessment__in=[item.pk for item in assessments]).select_related(
        "acknowledged_by__cadre"
    ):
        found.setdefault(note.assessment_id, []).append(note)
    return found


def consistency_flags(
    assessments: Sequence[CommitmentAssessment],
    *,
    judge: Judge,
    verdicts: Mapping[int, str] | None = None,
    today: datetime.date | None = None,
) -> list[ConsistencyFlag]:
    """The flagged commitments among `assessments` (each with its commitment joined), in their order.

    The verdicts weighed are the member's (`judge="self"`) or the cell's (`"cell"`), unless `verdicts`
    (assessment pk → verdict) gives the ones a form is about to record. For the cell's verdicts each flag
    carries the notes that already explain it.
    """
    chosen = {item.pk: (verdicts or {}).get(item.pk, getattr(item, f"{judge}_verdict")) or "" for item in assessments}
    claiming = [item for item in assessments if chosen[item.pk] in CLAIMS_DONE]
    if not claiming:
        return []
    ids = [item.commitment_id for item in claiming]
    terms = _terms_in_force(ids)
    finished = _finished_on(ids)
    notes = _notes(claiming) if judge == "cell" else {}
    today = today or timezone.localdate()
    flags = []
    for item in claiming:
        verdict = chosen[item.pk]
        record = _record(item, terms.get(item.commitment_id), finished.get(item.commitment_id))
        kinds = tuple(contradictions(verdict, record, today))
        if not kinds:
            continue
        covering = tuple(
            note for note in notes.get(item.pk, []) if note.verdict == verdict and set(kinds) <= note.kind_values
        )
        flags.append(ConsistencyFlag(item, judge, verdict, kinds, record, covering))
    return flags


def open_flags(flags: Iterable[ConsistencyFlag]) -> list[ConsistencyFlag]:
    return [flag for flag in flags if not flag.acknowledged]
