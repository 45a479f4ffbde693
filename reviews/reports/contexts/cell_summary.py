"""The cell summary: every member reviewed in a cell for a period."""

from collections import defaultdict
from typing import TypedDict

from django.db.models import Count, Prefetch, Q

from programmes.models import (
    ActionProgramme,
    CommitmentTerms,
    PartyOrganisation,
    ProgrammeState,
    ProgressStatus,
    PublicityLevel,
)
from programmes.models.organisations import OrganisationKind
from reviews import selectors
from reviews.models import (
    CellMeeting,
    MeetingAttendance,
    ReportKind,
    Review,
    ReviewPeriod,
    ReviewState,
)
from reviews.reports.contexts._common import (
    _iso,
    _level_totals,
    _on_time_condition,
    _period_data,
    _portal_language,
    _rule_set_data,
    _secretary_name,
    _short,
    _with_rule_set,
    organisation_period_report,
)
from reviews.reports.kinds import ReportData, register

# What a report read beyond the cell may quote of a programme: commitments that reach the party committees.
SHARED_REPORT_LEVEL = PublicityLevel.COMMITTEE


class OverdueItem(TypedDict):
    statement: str
    deadline: str | None
    status: str


def _overdue_by_cadre(cadre_ids: list[int], period: ReviewPeriod) -> dict[int, list[OverdueItem]]:
    """Commitments in force of the members' programmes for the period, past their deadline and not finished.

    Measured at the end of the period rather than today, so that the same data prints the same report.
    Only those that reach the party committees (programme level and the owner's cap both at least "Nội bộ
    cấp ủy"): besides the cell's own secretary, the summary's readers are committees above the cell and
    organisation-board staff (reviews.access), who read no commitment kept inside the cell.
    """
    programmes = ActionProgramme.objects.filter(
        owner_id__in=cadre_ids,
        state__in=[ProgrammeState.CONFIRMED, ProgrammeState.CLOSED],
        current_version__isnull=False,
        term_start__lte=period.covers_to,
        term_end__gte=period.covers_from,
        publicity_level__gte=SHARED_REPORT_LEVEL,
    )
    rows = (
        CommitmentTerms.objects.filter(version__in=programmes.values("current_version"), deadline__lt=period.covers_to)
        .filter(Q(commitment__publicity_cap__isnull=True) | Q(commitment__publicity_cap__gte=SHARED_REPORT_LEVEL))
        .exclude(commitment__status__in=ProgressStatus.finished_values())
        .values("version__programme__owner_id", "statement", "deadline", "commitment__status")
        .order_by("deadline", "version_id", "position")
    )
    overdue: dict[int, list[OverdueItem]] = defaultdict(list)
    for row in rows:
        overdue[row["version__programme__owner_id"]].append(
            {
                "statement": row["statement"],
                "deadline": _iso(row["deadline"]),
                "status": str(ProgressStatus(row["commitment__status"]).label),
            }
        )
    return overdue


@register(ReportKind.CELL_SUMMARY)
def cell_summary_report(cell_id: int, period: ReviewPeriod | None) -> ReportData:
    """Every member reviewed in the cell for the period: levels at each step, commitments, overdue items."""
    with _portal_language():
        period = _with_rule_set(period, ReportKind.CELL_SUMMARY)
        cell = PartyOrganisation.objects.get(pk=cell_id)
        reviews = list(
            Review.objects.filter(period=period, place=cell)
            .select_related("cadre", "proposal")
            .annotate(
                decided_level=selectors.live_decision_level(),
                commitments=Count("assessments"),
                on_time=Count("assessments", filter=_on_time_condition("assessments__")),
            )
            .order_by("cadre__name_folded", "cadre__code")
        )
        overdue = _overdue_by_cadre([review.cadre_id for review in reviews], period)
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
            items = overdue.get(review.cadre_id, [])
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
                    "on_time": review.on_time,
                    "commitments": review.commitments,
                    "overdue": len(items),
                }
            )
        not_rated = [member for member in members if member["not_rated"]]
        data = {
            "cell": {"name": cell.name, "kind": str(OrganisationKind(cell.kind).label)},
            "period": _period_data(period),
            "rule_set": _rule_set_data(period.rule_set),
            "reference_date": _iso(period.covers_to),
            "meetings": [
                {
                    "held_on": _iso(meeting.held_on),
                    "members_total": meeting.members_total,
                    "members_present": meeting.members_present,
                    "has_quorum": meeting.has_quorum,
                    "chaired_by": meeting.chaired_by,
                    "meeting_secretary": meeting.meeting_secretary,
                    "presented_by": meeting.presented_by,
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
            "totals": _level_totals(results),
            "members_count": len(members),
            "rated_count": len(results),
            "not_rated_count": len(not_rated),
            "pending_count": len(members) - len(results) - len(not_rated),
            "secretary": _secretary_name(cell),
        }
    return organisation_period_report(ReportKind.CELL_SUMMARY, cell, period, "reports/cell_summary.html", data)
