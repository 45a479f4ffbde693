"""The quota of Excellent ratings as the database holds it: the picture of each deciding organisation's period
(rules.QuotaPicture), and the Excellent decisions taken beyond it with a written justification.

The decision (services.decision_make, under a lock on the deciding organisation), the cell's warning, the period
and cell pages and the roll-up report all read the quota here, so that they count alike. One query each, whatever
the number of reviews.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import CharField, Count, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf

from programmes.models import PartyOrganisation
from reviews.models import Decision, DecisionState, LevelChange, RatingLevel, Review, ReviewPeriod
from reviews.rules import QuotaPicture
from reviews.selectors import LIVE_DECISION_STATES, live_decision_level


def standing_level() -> Coalesce:
    """A decided review's level as it stands: its result in force once confirmed (an appeal or a re-classification
    may have changed it), else the level of its decision awaiting confirmation; null while undecided."""
    return Coalesce(NullIf("final_level", Value("")), live_decision_level(), output_field=CharField())


def _scope(organisation_ids: Iterable[int] | None, under: PartyOrganisation | None, prefix: str = "") -> Q:
    """Reviews or decisions (or, with `prefix`, rows related to a review) of the given deciding organisations, or
    of those in the subtree `under`."""
    condition = Q()
    if organisation_ids is not None:
        condition &= Q(**{f"{prefix}deciding_organisation_id__in": list(organisation_ids)})
    if under is not None:
        condition &= Q(**{f"{prefix}deciding_organisation__path__startswith": under.path})
    return condition


def pictures(
    period: ReviewPeriod,
    organisation_ids: Iterable[int] | None = None,
    *,
    under: PartyOrganisation | None = None,
    excluding: Iterable[int] = (),
) -> dict[int, QuotaPicture]:
    """The picture of each deciding organisation (given, or in the subtree `under`) that has a decided or proposed
    review in the period, by the organisation's id; `excluding` leaves reviews out by id (the ones being decided)."""
    reviews = Review.objects.filter(_scope(organisation_ids, under), period=period)
    left_out = list(excluding)
    if left_out:
        reviews = reviews.exclude(pk__in=left_out)
    return {organisation: picture for (organisation,), picture in _pictures(reviews, "deciding_organisation").items()}


def pictures_by_period(reviews: QuerySet[Review]) -> dict[tuple[int, int], QuotaPicture]:
    """The picture of each deciding organisation in each period among `reviews`, by (organisation id, period id):
    one query however many organisations and periods (the dashboards count the whole city's at once)."""
    return {
        (organisation, period): picture
        for (organisation, period), picture in _pictures(reviews, "deciding_organisation", "period").items()
    }


def _pictures(reviews: QuerySet[Review], *keys: str) -> dict[tuple[int, ...], QuotaPicture]:
    rows = (
        reviews.annotate(standing=standing_level())
        .filter(Q(standing__isnull=False) | Q(proposal__isnull=False))
        .values(*keys, "standing", "proposal__level")
        .annotate(number=Count("pk"))
        .order_by()
    )
    decided: dict[tuple[int, ...], list[str]] = defaultdict(list)
    proposed: dict[tuple[int, ...], list[str]] = defaultdict(list)
    for row in rows:
        key = tuple(row[name] for name in keys)
        if row["standing"]:
            decided[key] += [row["standing"]] * row["number"]
        else:
            proposed[key] += [row["proposal__level"]] * row["number"]
    return {key: QuotaPicture(tuple(decided[key]), tuple(proposed[key])) for key in decided.keys() | proposed.keys()}


def others_of(review: Review, alongside: Mapping[int, str] | None = None) -> QuotaPicture:
    """Every other review of the review's deciding organisation in its period, as it stands.

    `alongside` gives the level other reviews of the same deciding organisation are getting in the same submission
    (review id → level) but do not have yet: each counts at that level, as a proposal, in place of what it stands
    at. A cell's or a committee's whole table is so checked as one set, whatever the order its rows are stored in.
    """
    others = {pk: level for pk, level in (alongside or {}).items() if pk != review.pk}
    found = pictures(review.period, [review.deciding_organisation_id], excluding=[review.pk, *others])
    picture = found.get(review.deciding_organisation_id, QuotaPicture())
    return QuotaPicture(picture.decided, (*picture.proposed, *others.values()))


@dataclass(frozen=True)
class Justified:
    """An Excellent decision beyond the quota, with the justification the committee wrote for it."""

    organisation_id: int
    organisation: str
    review_id: int
    name: str
    text: str
    confirmed: bool


def justified(
    period: ReviewPeriod, organisation_ids: Iterable[int] | None = None, *, under: PartyOrganisation | None = None
) -> list[Justified]:
    """The standing Excellent ratings of the period taken beyond the quota with a justification, by organisation
    then date: the committees' decisions, and changes to Excellent after confirmation (appeal, re-classification)
    whose reason stands as the justification while the review is still Excellent."""
    decisions = (
        Decision.objects.filter(
            _scope(organisation_ids, under),
            review__period=period,
            state__in=LIVE_DECISION_STATES,
            level=RatingLevel.EXCELLENT,
        )
        .exclude(quota_override="")
        .select_related("deciding_organisation", "review__cadre")
    )
    changes = LevelChange.objects.filter(
        _scope(organisation_ids, under, prefix="review__"),
        review__period=period,
        review__final_level=RatingLevel.EXCELLENT,
        to_level=RatingLevel.EXCELLENT,
        beyond_quota=True,
    ).select_related("review__deciding_organisation", "review__cadre")
    found = [
        (decision.deciding_organisation.path, decision.decided_at, _from_decision(decision)) for decision in decisions
    ]
    found += [(change.review.deciding_organisation.path, change.changed_at, _from_change(change)) for change in changes]
    return [item for _path, _when, item in sorted(found, key=lambda row: (row[0], row[1]))]


def _from_decision(decision: Decision) -> Justified:
    return Justified(
        organisation_id=decision.deciding_organisation_id,
        organisation=decision.deciding_organisation.name,
        review_id=decision.review_id,
        name=decision.review.cadre.full_name,
        text=decision.quota_override,
        confirmed=decision.state == DecisionState.CONFIRMED,
    )


def _from_change(change: LevelChange) -> Justified:
    review = change.review
    return Justified(
        organisation_id=review.deciding_organisation_id,
        organisation=review.deciding_organisation.name,
        review_id=review.pk,
        name=review.cadre.full_name,
        text=change.reason,
        confirmed=True,
    )
