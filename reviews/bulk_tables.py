"""What a cell's tables share (reviews.bulk_views): a row per review of the place in the period, the place checked
against the period, the refusals of a table put back by row, and the quota of Excellent ratings with the table's
levels as chosen. Every read here is a fixed number of queries, whatever the number of members.
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, QueryDict
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from programmes.access import AnyUser
from programmes.models import PartyOrganisation
from reviews import access, quota, rules, services
from reviews.cell_forms import AssessmentRow
from reviews.consistency import ConsistencyFlag
from reviews.models import CommitmentAssessment, RatingLevel, Review, ReviewPeriod

T = TypeVar("T")


@dataclass
class TableRow:
    """One review of the place: its form when the user may act on it now, else why not (or where it stands)."""

    review: Review
    form: Any = None
    note: str = ""
    flags: list[ConsistencyFlag] = field(default_factory=list)
    # The commitments of the row with their fields (the proposal table).
    items: list[AssessmentRow] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"dong-{self.review.pk}"


@dataclass(frozen=True)
class Refused:
    """A refused row, for the list above the table: whose, and what."""

    name: str
    anchor: str
    errors: list[str]


@dataclass(frozen=True)
class CellAccess:
    period: ReviewPeriod
    place: PartyOrganisation
    may_record: bool
    # The place's reviews in the period that the user may read (not evaluated: the cell's page joins what it shows).
    reviews: QuerySet[Review]


def cell_access(user: AnyUser, period_pk: int, place_pk: int) -> CellAccess:
    """The period and a place within its scope, when the user records for the place or reads one of its reviews
    there; else 404, for the cell's page and its tables alike: others learn nothing of the period, not its title."""
    period = ReviewPeriod.objects.select_related("rule_set", "scope").filter(pk=period_pk).first()
    place = PartyOrganisation.objects.filter(pk=place_pk).first()
    if period is None or place is None or not place.path.startswith(period.scope.path):
        raise Http404
    may_record = access.can_record_meeting(user, place)
    reviews = access.reviews_visible_to(user).filter(period=period, place=place)
    if not may_record and not reviews.exists():
        raise Http404
    return CellAccess(period, place, may_record, reviews)


def table_place(user: AnyUser, period_pk: int, place_pk: int) -> tuple[ReviewPeriod, PartyOrganisation]:
    """The period and place of a cell's table, as the cell's page finds them (cell_access)."""
    found = cell_access(user, period_pk, place_pk)
    return found.period, found.place


def table_reviews(period: ReviewPeriod, place: PartyOrganisation) -> QuerySet[Review]:
    """Every review of the place in the period, by name, with what each row reads, in a fixed few queries."""
    return (
        Review.objects.filter(period=period, place=place)
        .select_related("period__rule_set", "cadre", "place", "cell", "deciding_organisation", "proposal")
        .prefetch_related(
            Prefetch(
                "assessments",
                queryset=CommitmentAssessment.objects.select_related("commitment").order_by("position", "pk"),
            )
        )
        .order_by("cadre__name_folded", "pk")
    )


def posted(request: HttpRequest) -> QueryDict | None:
    return request.POST if request.method == "POST" else None


def all_valid(set_form: Any, forms: Sequence[Any]) -> bool:
    """Validate every form (not only up to the first invalid one), so that each row shows its own errors."""
    valid = [set_form.is_valid(), *(form.is_valid() for form in forms)]
    return all(valid)


def refused_rows(rows: Sequence[TableRow]) -> list[Refused]:
    return [
        Refused(row.review.cadre.full_name, row.anchor, row.form.row_errors)
        for row in rows
        if row.form is not None and row.form.errors
    ]


def put_refusals(rows: Sequence[TableRow], refused: services.RowsRefused) -> None:
    by_review = {row.review.pk: row for row in rows}
    for review_pk, refusal in refused.refusals.items():
        form = by_review[review_pk].form
        form.refused(refusal)


def store_table(set_form: Any, rows: Sequence[TableRow], store: Callable[[], T]) -> T | None:
    """Run a table's service; when it refuses, put each row's refusal beside its row (or the whole table's above
    it) and return None, so that the page is shown again with nothing stored."""
    try:
        return store()
    except services.RowsRefused as refused:
        put_refusals(rows, refused)
        if "quota_override" in set_form.fields and any(map(_asks_justification, refused.refusals.values())):
            set_form.add_error(
                "quota_override", _("Bảng làm vượt tỷ lệ xuất sắc: hãy ghi giải trình để quyết định vượt.")
            )
    except ValidationError as error:
        set_form.add_error(None, error)
    return None


def _asks_justification(refusal: Exception) -> bool:
    """Whether a row was refused for want of the justification of Excellent ratings beyond the quota."""
    return (
        isinstance(refusal, ValidationError)
        and hasattr(refusal, "error_dict")
        and "quota_override" in refusal.error_dict
    )


def table_context(period: ReviewPeriod, place: PartyOrganisation, rows: list[TableRow], **more: Any) -> dict[str, Any]:
    for row in rows:
        if row.form is not None and row.form.is_bound:
            row.form.mark_errors()
    return {
        "period": period,
        "place": place,
        "rows": rows,
        "editable": [row for row in rows if row.form is not None],
        "refused_rows": refused_rows(rows),
        "uses_points": period.rule_set.uses_points,
        "cell_page": reverse("reviews:cell_reviews", args=[period.pk, place.pk]),
        **more,
    }


# --- The quota of the set ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SetQuota:
    """The quota of one deciding organisation with the table's levels as chosen.

    `base_excellent` and `base_good` count the reviews outside the table as the quota counts them for this table's
    kind (the script adds the rows' levels to them); `status` is the count with the rows, `beyond` how many Excellent
    ratings go past the allowed number."""

    organisation: PartyOrganisation
    mode: str
    percent: int | None
    base_excellent: int
    base_good: int
    status: rules.QuotaStatus

    @property
    def beyond(self) -> int:
        return self.status.beyond

    @property
    def marked(self) -> dict[str, SafeString]:
        """The figures as the sentence shows them, each marked for the script that counts them again."""
        figures = {
            "excellent": self.status.excellent,
            "good": self.status.good,
            "allowed": self.status.allowed,
            "beyond": self.beyond,
        }
        return {
            name: format_html('<strong data-count="{}">{}</strong>', name, value) for name, value in figures.items()
        }


PROPOSING, DECIDING = "propose", "decide"


def _count(levels: Sequence[str], level: str) -> int:
    return sum(item == level for item in levels)


def set_quotas(period: ReviewPeriod, rows: Sequence[TableRow], mode: str) -> list[SetQuota]:
    """The quota of each deciding organisation of the table's rows, as the levels now chosen leave it: a proposal
    table as services.cell_quota warns of it (every level counts), a decision table as services.decision_quota
    enforces it (the decided Excellent ones against the Good of the whole picture). One query."""
    rule_set = period.rule_set
    editable = [row for row in rows if row.form is not None]
    if rule_set.quota_percent is None or not editable:
        return []
    groups: dict[int, list[TableRow]] = defaultdict(list)
    for row in editable:
        groups[row.review.deciding_organisation_id].append(row)
    outside = quota.pictures(period, groups, excluding=[row.review.pk for row in editable])
    found = []
    for organisation_id, members in groups.items():
        base = outside.get(organisation_id, rules.QuotaPicture())
        chosen = [row.form.chosen_level() for row in members]
        # A row left blank keeps what it stands at: its proposal, if the cell made one.
        kept = [
            row.review.proposal.level for row, level in zip(members, chosen, strict=True) if not level and _has(row)
        ]
        levels = [level for level in chosen if level]
        if mode == PROPOSING:
            picture = rules.QuotaPicture(base.decided, (*base.proposed, *levels, *kept))
            status = rules.expected_quota(rule_set, picture)
            base_excellent = _count(base.levels, RatingLevel.EXCELLENT)
        else:
            picture = rules.QuotaPicture((*base.decided, *levels), (*base.proposed, *kept))
            status = rules.decided_quota(rule_set, picture)
            base_excellent = _count(base.decided, RatingLevel.EXCELLENT)
        found.append(
            SetQuota(
                organisation=members[0].review.deciding_organisation,
                mode=mode,
                percent=rule_set.quota_percent,
                base_excellent=base_excellent,
                base_good=_count(base.levels, RatingLevel.GOOD),
                status=status,
            )
        )
    return found


def _has(row: TableRow) -> bool:
    return getattr(row.review, "proposal", None) is not None
