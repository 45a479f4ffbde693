"""A member's commitment figures in a review: how many commitments, how many done on time, how many overdue.

The one place these are defined. The individual report, the cell summary and the organisation roll-up all
count with the conditions below, so a member's figures read the same in each, and a cell's are the sum of
its members'.

- On time: done on time or beyond what was asked, by the cell's verdict, or by the member's own where the
  cell gave none.
- Overdue, as of a day: the deadline is before that day and the commitment is not finished: neither finished
  in the programme's progress (done, exceeded, dropped with a reason) nor judged done in the review (on time,
  beyond, or late).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet

from programmes.models import ProgressStatus, PublicityLevel
from reviews.models import CommitmentAssessment, Verdict

# Beyond the cell, a summary may quote a commitment only if it reaches the party committees.
SHARED_REPORT_LEVEL = PublicityLevel.COMMITTEE

DONE_VERDICTS = frozenset({Verdict.EXCEEDED, Verdict.DONE, Verdict.DONE_LATE})


def _judged(values: Iterable[str], prefix: str) -> Q:
    """The review's verdict is one of `values`: the cell's, or the member's own where the cell gave none."""
    values = list(values)
    return Q(**{f"{prefix}cell_verdict__in": values}) | Q(
        **{f"{prefix}cell_verdict": "", f"{prefix}self_verdict__in": values}
    )


def on_time_condition(prefix: str = "") -> Q:
    """For CommitmentAssessment (or through `prefix`, e.g. "assessments__"): done on time or beyond."""
    return _judged(Verdict.on_time_values(), prefix)


def overdue_condition(as_of: datetime.date, prefix: str = "") -> Q:
    """For CommitmentAssessment: past its deadline on `as_of` and not finished."""
    finished = Q(**{f"{prefix}commitment__status__in": list(ProgressStatus.finished_values())}) | _judged(
        DONE_VERDICTS, prefix
    )
    return Q(**{f"{prefix}deadline__lt": as_of}) & ~finished


def shared_condition(prefix: str = "") -> Q:
    """The commitment may be quoted to the party committees: its programme's level and its own cap allow it."""
    return Q(**{f"{prefix}commitment__programme__publicity_level__gte": SHARED_REPORT_LEVEL}) & (
        Q(**{f"{prefix}commitment__publicity_cap__isnull": True})
        | Q(**{f"{prefix}commitment__publicity_cap__gte": SHARED_REPORT_LEVEL})
    )


@dataclass(frozen=True)
class Figures:
    commitments: int = 0
    on_time: int = 0
    overdue: int = 0


def with_flags(assessments: QuerySet[CommitmentAssessment], as_of: datetime.date) -> QuerySet[CommitmentAssessment]:
    """The assessments, each with `is_on_time` and `is_overdue` as of the day."""
    return assessments.annotate(
        is_on_time=ExpressionWrapper(on_time_condition(), output_field=BooleanField()),
        is_overdue=ExpressionWrapper(overdue_condition(as_of), output_field=BooleanField()),
    )


def figures_of(assessments: Iterable[CommitmentAssessment]) -> Figures:
    """The figures of assessments flagged by `with_flags` (one review's, already loaded)."""
    rows = list(assessments)
    return Figures(
        commitments=len(rows),
        on_time=sum(1 for row in rows if getattr(row, "is_on_time", False)),
        overdue=sum(1 for row in rows if getattr(row, "is_overdue", False)),
    )


def figures_by(assessments: QuerySet[CommitmentAssessment], key: str, as_of: datetime.date) -> dict[object, Figures]:
    """The figures of the assessments grouped by `key` (a field path from CommitmentAssessment: "review_id",
    "review__cell__path"), counted in the database."""
    rows = (
        assessments.values(key)
        .annotate(
            total=Count("pk"),
            on_time=Count("pk", filter=on_time_condition()),
            overdue=Count("pk", filter=overdue_condition(as_of)),
        )
        .order_by()
    )
    return {row[key]: Figures(commitments=row["total"], on_time=row["on_time"], overdue=row["overdue"]) for row in rows}


def overdue_items(assessments: QuerySet[CommitmentAssessment], as_of: datetime.date) -> QuerySet[CommitmentAssessment]:
    """The overdue assessments, oldest deadline first, each with `is_shared` (may be quoted beyond the cell)."""
    return (
        assessments.filter(overdue_condition(as_of))
        .annotate(is_shared=ExpressionWrapper(shared_condition(), output_field=BooleanField()))
        .select_related("commitment")
        .order_by("deadline", "review_id", "position", "pk")
    )
