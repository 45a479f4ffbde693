"""A cell's whole table at once: the secretary's proposals, the committee's decisions, the head's confirmations.

Each row goes through the very service of the single-member page (proposal_record, decision_make, decision_confirm),
so the rules, the audit events and the notices are the same row by row. A table is one transaction: every row is
tried, each in a savepoint of its own so that a refused row does not hide the faults of the rows after it, and if
any row is refused nothing is stored and every refusal comes back by row (RowsRefused).

The quota is weighed on the whole set: each row tells its service the levels the rows not stored yet are getting
(quota.others_of), so that the Excellent ratings needing a justification do not depend on the rows' order.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from programmes.models import PartyOrganisation
from reviews import access as review_access
from reviews.models import CellMeeting, CellProposal, Decision, Review, ReviewPeriod
from reviews.services._common import Acknowledgements, Verdicts, _require
from reviews.services.cell import proposal_record
from reviews.services.confirmation import decision_confirm
from reviews.services.decision import decision_make, lock_quotas

Refusal = ValidationError | PermissionDenied


class RowsRefused(Exception):
    """Some rows of a table were refused, so nothing of the table was stored: the refusal of each, by review id."""

    def __init__(self, refusals: Mapping[int, Refusal]) -> None:
        super().__init__(_("%(count)s dòng bị từ chối; chưa lưu dòng nào.") % {"count": len(refusals)})
        self.refusals = dict(refusals)


@dataclass(frozen=True)
class ProposalRow:
    """One member's proposal, with what the single proposal form asks for."""

    review: Review
    level: str
    votes_for: int
    votes_against: int
    votes_abstain: int = 0
    general_points: int | None = None
    task_points: int | None = None
    comments: str = ""
    verdicts: Verdicts = field(default_factory=dict)
    acknowledgements: Acknowledgements = field(default_factory=dict)


@dataclass(frozen=True)
class DecisionRow:
    """One member's decision: the level, the reason when it is not the cell's, the reasons for flagged verdicts."""

    review: Review
    level: str
    reason: str = ""
    acknowledgements: Acknowledgements = field(default_factory=dict)


@dataclass(frozen=True)
class ConfirmationRow:
    """One decision the head confirms, on its grounds: a text and the commitments (and evidence) it rests on."""

    decision: Decision
    grounds: str
    assessment_ids: Sequence[int] = ()
    evidence_ids: Sequence[int] = ()


Row = TypeVar("Row", ProposalRow, DecisionRow, ConfirmationRow)
Stored = TypeVar("Stored")


def _review_of(row: ProposalRow | DecisionRow | ConfirmationRow) -> Review:
    return row.decision.review if isinstance(row, ConfirmationRow) else row.review


def _check_rows(rows: Sequence[Row], period: ReviewPeriod, place: PartyOrganisation) -> None:
    """A table holds reviews of its cell in its period, each once; an empty one stores nothing and says so."""
    reviews = [_review_of(row) for row in rows]
    if not reviews:
        raise ValidationError(_("Chưa có dòng nào để lưu."))
    if len({review.pk for review in reviews}) != len(reviews) or any(
        review.period_id != period.pk or review.place_id != place.pk for review in reviews
    ):
        raise ValidationError(_("Bảng có bản kiểm điểm không thuộc chi bộ và đợt này, hoặc một người hai dòng."))


def _lock_reviews(reviews: Iterable[Review]) -> None:
    """Hold the table's reviews before anything else, in the order of their ids, as a single step locks its review
    first: a single decision waiting for the deciding organisation never holds a review the table still needs."""
    ids = sorted(review.pk for review in reviews)
    list(Review.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk").values_list("pk"))


def _levels_not_stored(
    rows: Sequence[ProposalRow] | Sequence[DecisionRow], row: ProposalRow | DecisionRow, stored: set[int]
) -> dict[int, str]:
    """The levels the other rows of the same deciding organisation are getting and do not have yet (quota.others_of);
    a row refused counts at the level it was meant to get, so that the rows after it are weighed as if it passed."""
    organisation = row.review.deciding_organisation_id
    return {
        other.review.pk: other.level
        for other in rows
        if other is not row and other.review.deciding_organisation_id == organisation and other.review.pk not in stored
    }


def _each_row(rows: Sequence[Row], store: Callable[[Row, set[int]], Stored]) -> list[Stored]:
    """Store every row, each in a savepoint, inside the caller's transaction; when one or more are refused, raise
    RowsRefused with them all, and the caller's transaction undoes the rows stored."""
    stored: set[int] = set()
    results: list[Stored] = []
    refusals: dict[int, Refusal] = {}
    for row in rows:
        review = _review_of(row)
        try:
            with transaction.atomic():
                results.append(store(row, stored))
        except (ValidationError, PermissionDenied) as refusal:
            refusals[review.pk] = refusal
        else:
            stored.add(review.pk)
    if refusals:
        raise RowsRefused(refusals)
    return results


@transaction.atomic(durable=True)
def cell_proposals_record(
    *,
    period: ReviewPeriod,
    place: PartyOrganisation,
    meeting: CellMeeting,
    rows: Sequence[ProposalRow],
    acting_user: User,
) -> list[tuple[CellProposal, list[str]]]:
    """The cell's proposals for several members at one meeting, all or none: each as proposal_record records it.
    Returns each proposal with its warnings (the quota's weighed on the whole set)."""
    _require(review_access.can_record_meeting(acting_user, place), _("Chỉ bí thư, phó bí thư chi bộ ghi đề xuất."))
    _check_rows(rows, period, place)
    _lock_reviews(row.review for row in rows)

    def store(row: ProposalRow, stored: set[int]) -> tuple[CellProposal, list[str]]:
        return proposal_record(
            review=row.review,
            meeting=meeting,
            general_points=row.general_points,
            task_points=row.task_points,
            level=row.level,
            votes_for=row.votes_for,
            votes_against=row.votes_against,
            votes_abstain=row.votes_abstain,
            comments=row.comments,
            verdicts=row.verdicts,
            acknowledgements=row.acknowledgements,
            alongside=_levels_not_stored(rows, row, stored),
            acting_user=acting_user,
        )

    return _each_row(rows, store)


@transaction.atomic(durable=True)
def cell_decisions_make(
    *,
    period: ReviewPeriod,
    place: PartyOrganisation,
    rows: Sequence[DecisionRow],
    quota_override: str = "",
    acting_user: User,
) -> list[Decision]:
    """The committee's decisions on several members of a cell, all or none: each as decision_make decides it.

    One justification covers the set: it is kept on each Excellent decision that goes beyond the quota. The
    reviews, then their deciding organisations, are held until the end, so that two tables (or a table and a
    single decision) of the same committee are counted one after the other, never both blind to the other.
    """
    _require(
        review_access.can_decide_in(acting_user, place), _("Đồng chí không thuộc cấp ủy có thẩm quyền quyết định.")
    )
    _check_rows(rows, period, place)
    _lock_reviews(row.review for row in rows)
    lock_quotas(row.review.deciding_organisation_id for row in rows)

    def store(row: DecisionRow, stored: set[int]) -> Decision:
        return decision_make(
            review=row.review,
            level=row.level,
            reason=row.reason,
            quota_override=quota_override,
            acknowledgements=row.acknowledgements,
            alongside=_levels_not_stored(rows, row, stored),
            acting_user=acting_user,
        )

    return _each_row(rows, store)


@transaction.atomic(durable=True)
def cell_decisions_confirm(
    *,
    period: ReviewPeriod,
    place: PartyOrganisation,
    rows: Sequence[ConfirmationRow],
    acting_user: User,
) -> list[Decision]:
    """The head confirms several decisions of a cell at once, all or none, each on its own grounds as
    decision_confirm requires them."""
    _require(
        review_access.can_confirm_in(acting_user, place),
        _("Chỉ người đứng đầu cấp quyết định mới xác nhận kết quả."),
    )
    if not rows:
        raise ValidationError(_("Hãy chọn ít nhất một quyết định để xác nhận."))
    _check_rows(rows, period, place)

    def store(row: ConfirmationRow, _stored: set[int]) -> Decision:
        return decision_confirm(
            decision=row.decision,
            grounds=row.grounds,
            assessment_ids=row.assessment_ids,
            evidence_ids=row.evidence_ids,
            acting_user=acting_user,
        )

    return _each_row(rows, store)
