"""The cell summary: every member reviewed in a cell for a period."""

from collections import defaultdict
from typing import TypedDict

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.models import (
    PartyOrganisation,
    ProgressStatus,
)
from programmes.models.organisations import OrganisationKind
from reviews import commitment_figures, selectors
from reviews.commitment_figures import Figures
from reviews.models import (
    CellMeeting,
    CommitmentAssessment,
    MeetingAttendance,
    ReportKind,
    Review,
    ReviewPeriod,
    ReviewState,
)
from reviews.reports.contexts._common import (
    _collective_signature,
    _iso,
    _level_totals,
    _meeting_facts,
    _period_data,
    _portal_language,
    _rule_set_data,
    _short,
    _with_rule_set,
    organisation_period_report,
    print_moment,
)
from reviews.reports.kinds import ReportData, register


class OverdueItem(TypedDict):
    number: str
    statement: str
    deadline: str | None
    status: str


def _overdue_by_review(assessments: list[CommitmentAssessment]) -> dict[int, list[OverdueItem]]:
    """The overdue commitments of each review, numbered as its individual report numbers them.

    The statement is printed only for commitments that reach the party committees: besides the cell's own
    secretary, the summary's readers are committees above the cell and organisation-board staff
    (reviews.access), who read no commitment kept inside the cell; those are counted and listed by number.
    """
    overdue: dict[int, list[OverdueItem]] = defaultdict(list)
    for item in assessments:
        overdue[item.review_id].append(
            {
                "number": item.number,
                "statement": item.statement if getattr(item, "is_shared", False) else _("(Nội dung nội bộ chi bộ)"),
                "deadline": _iso(item.deadline),
                "status": str(ProgressStatus(item.commitment.status).label),
            }
        )
    return overdue


@register(ReportKind.CELL_SUMMARY)
def cell_summary_report(cell_id: int, period: ReviewPeriod | None) -> ReportData:
    """Every member reviewed in the cell for the period: levels at each step, commitments, overdue items."""
    with _portal_language():
        printed_at = print_moment()
        as_of = timezone.localdate(printed_at)
        period = _with_rule_set(period, ReportKind.CELL_SUMMARY)
        cell = PartyOrganisation.objects.get(pk=cell_id)
        reviews = list(
            Review.objects.filter(period=period, place=cell)
            .select_related("cadre", "proposal")
            .annotate(decided_level=selectors.live_decision_level())
            .order_by("cadre__name_folded", "cadre__code")
        )
        # Counted as each member's individual report counts them, on the print date.
        assessments = CommitmentAssessment.objects.filter(review__in=[review.pk for review in reviews])
        figures = commitment_figures.figures_by(assessments, "review_id", as_of)
        overdue = _overdue_by_review(list(commitment_figures.overdue_items(assessments, as_of)))
        meetings = (
            CellMeeting.objects.filter(period=period, cell=cell)
            .prefetch_related(Prefetch("attendance", queryset=MeetingAttendance.objects.select_related("cadre")))
            .order_by("held_on", "pk")
        )
        members = []
        overdue_rows = []
        results = []
        for number, review in enumerate(reviews, start=1):
            proposal = getattr(review, "proposal", None)
            result = review.final_level or review.decided_level or ""
            items = overdue.get(review.pk, [])
            counts = figures.get(review.pk, Figures())
            if review.state != ReviewState.NOT_RATED and result:
                results.append(result)
            overdue_rows += [{"name": review.cadre.full_name, **item} for item in items]
            members.append(
                {
                    "number": number,
                    "name": review.cadre.full_name,
                    "position": review.position_title,
                    "state": str(review.get_state_display()),
                    "not_rated": review.state == ReviewState.NOT_RATED,
                    "not_rated_reason": review.not_rated_reason,
                    "self_level": _short(review.self_level),
                    "proposed_level": _short(proposal.level) if proposal is not None else "",
                    "decided_level": _short(review.decided_level or ""),
                    "final_level": _short(review.final_level),
                    "on_time": counts.on_time,
                    "commitments": counts.commitments,
                    "overdue": counts.overdue,
                }
            )
        not_rated = [member for member in members if member["not_rated"]]
        data = {
            "cell": {"name": cell.name, "kind": str(OrganisationKind(cell.kind).label)},
            "period": _period_data(period),
            "rule_set": _rule_set_data(period.rule_set),
            "meetings": [
                {
                    "held_on": _iso(meeting.held_on),
                    **_meeting_facts(meeting),
                    # The members the minutes name absent, with the reason each gave.
                    "absent": [
                        {"name": entry.cadre.full_name, "reason": entry.absence_reason}
                        for entry in meeting.attendance.all()
                        if not entry.present
                    ],
                    "dissent": meeting.dissent,
                }
                for meeting in meetings
            ],
            "members": members,
            "not_rated": [{"name": member["name"], "reason": member["not_rated_reason"]} for member in not_rated],
            "overdue": overdue_rows,
            "overdue_count": len(overdue_rows),
            "totals": _level_totals(results),
            "members_count": len(members),
            "rated_count": len(results),
            "not_rated_count": len(not_rated),
            "pending_count": len(members) - len(results) - len(not_rated),
            "signature": _collective_signature(cell, as_of),
        }
    return organisation_period_report(
        ReportKind.CELL_SUMMARY, cell, period, "reports/cell_summary.html", data, printed_at
    )
