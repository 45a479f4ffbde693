"""The organisation roll-up: a grassroots organisation or a ward/commune committee for a period."""

from collections import defaultdict
from typing import NotRequired, TypedDict

from django.db.models import Count
from django.utils import timezone

from programmes.models import (
    PartyOrganisation,
)
from programmes.models.organisations import OrganisationKind
from reviews import commitment_figures, quota, rules, selectors
from reviews.commitment_figures import Figures
from reviews.models import (
    ENDED_REVIEW_STATES,
    CommitmentAssessment,
    ReportKind,
    Review,
    ReviewPeriod,
    ReviewState,
)
from reviews.reports.contexts._common import (
    _collective_signature,
    _level_totals,
    _percent,
    _period_data,
    _portal_language,
    _rule_set_data,
    _with_rule_set,
    organisation_period_report,
    print_moment,
)
from reviews.reports.kinds import ReportData, register

# A review still on its way to a result; a final or not-rated one is settled.
OPEN_STATES = [state for state in ReviewState if state not in ENDED_REVIEW_STATES]


class JustifiedExcellent(TypedDict):
    name: str
    text: str
    confirmed: bool


class QuotaRow(TypedDict):
    organisation: str
    decided: int
    excellent: int
    good: int
    allowed: int | None
    percent: int | None
    exceeded: bool
    justified: list[JustifiedExcellent]


class CellCompletion(TypedDict):
    name: str
    members: int
    with_result: int
    # Added once every review of the cell is counted.
    on_time: NotRequired[int]
    commitments: NotRequired[int]
    overdue: NotRequired[int]
    rate: NotRequired[int]


def _quota_rows(period: ReviewPeriod, organisation: PartyOrganisation) -> list[QuotaRow]:
    """The quota of each deciding organisation in the subtree that has decided, as decision_make counts it: the
    decided Excellent against the Good of the whole picture; with the justification of each Excellent beyond it."""
    pictures = quota.pictures(period, under=organisation)
    justified: dict[int, list[JustifiedExcellent]] = defaultdict(list)
    for entry in quota.justified(period, under=organisation):
        justified[entry.organisation_id].append({"name": entry.name, "text": entry.text, "confirmed": entry.confirmed})
    deciding = PartyOrganisation.objects.filter(pk__in=list(pictures)).order_by("path").values_list("pk", "name")
    rows: list[QuotaRow] = []
    for pk, name in deciding:
        picture = pictures[pk]
        if not picture.decided:
            continue
        status = rules.decided_quota(period.rule_set, picture)
        rows.append(
            {
                "organisation": name,
                "decided": len(picture.decided),
                "excellent": status.excellent,
                "good": status.good,
                "allowed": status.allowed,
                "percent": status.percent,
                "exceeded": status.exceeded,
                "justified": justified[pk],
            }
        )
    return rows


@register(ReportKind.ORGANISATION_ROLLUP)
def organisation_rollup_report(organisation_id: int, period: ReviewPeriod | None) -> ReportData:
    """A grassroots organisation or a ward/commune committee: levels, the quota, completion by cell, what is open."""
    with _portal_language():
        printed_at = print_moment()
        as_of = timezone.localdate(printed_at)
        period = _with_rule_set(period, ReportKind.ORGANISATION_ROLLUP)
        organisation = PartyOrganisation.objects.get(pk=organisation_id)
        reviews = Review.objects.filter(period=period, place__path__startswith=organisation.path)
        groups = (
            reviews.annotate(decided_level=selectors.live_decision_level())
            .values("cell__name", "cell__path", "state", "final_level", "decided_level")
            .annotate(number=Count("pk"))
            .order_by("cell__path", "state", "final_level", "decided_level")
        )
        # Counted as the cell summaries and the individual reports count them, on the print date.
        assessed = commitment_figures.figures_by(
            CommitmentAssessment.objects.filter(review__in=reviews), "review__cell__path", as_of
        )
        cells: dict[str, CellCompletion] = {}
        results: list[str] = []
        states: dict[str, int] = defaultdict(int)
        awaiting: dict[str, int] = defaultdict(int)
        not_rated = 0
        # Every review is counted once: with a result (confirmed, or decided and awaiting confirmation, as the
        # level chart counts it), not rated, or still without a result; the three add up to the total.
        for row in groups:
            cell = cells.setdefault(row["cell__path"], {"name": row["cell__name"], "members": 0, "with_result": 0})
            cell["members"] += row["number"]
            result = row["final_level"] or row["decided_level"] or ""
            if row["state"] == ReviewState.NOT_RATED:
                not_rated += row["number"]
            elif result:
                results += [result] * row["number"]
                cell["with_result"] += row["number"]
                if row["state"] in OPEN_STATES:
                    awaiting[row["state"]] += row["number"]
            else:
                states[row["state"]] += row["number"]
        for path, cell in cells.items():
            counts = assessed.get(path, Figures())
            cell.update(
                {
                    "on_time": counts.on_time,
                    "commitments": counts.commitments,
                    "overdue": counts.overdue,
                    "rate": _percent(counts.on_time, counts.commitments),
                }
            )
        data = {
            "organisation": {"name": organisation.name, "kind": str(OrganisationKind(organisation.kind).label)},
            "period": _period_data(period),
            "rule_set": _rule_set_data(period.rule_set),
            "members_count": sum(cell["members"] for cell in cells.values()),
            "rated_count": len(results),
            "not_rated_count": not_rated,
            "distribution": _level_totals(results),
            "quota": _quota_rows(period, organisation),
            "cells": [cells[path] for path in sorted(cells)],
            "open_states": [
                {"state": str(state.label), "count": states[state]} for state in OPEN_STATES if states[state]
            ],
            "open_count": sum(states.values()),
            # Results counted above that still await the head's confirmation or an appeal's answer.
            "awaiting": [
                {"state": str(state.label), "count": awaiting[state]} for state in OPEN_STATES if awaiting[state]
            ],
            "overdue_count": sum(cell["overdue"] for cell in cells.values()),
            "signature": _collective_signature(organisation, as_of),
        }
    return organisation_period_report(
        ReportKind.ORGANISATION_ROLLUP, organisation, period, "reports/organisation_rollup.html", data, printed_at
    )
