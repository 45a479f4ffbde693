"""The data of each report kind, registered with reviews.reports.kinds.register.

Each builder reads what its report prints, once, and returns it as plain values, so that the data
hash changes exactly when the printed content would: names, levels as their Vietnamese labels,
numbers and ISO dates; never model objects, never the time of the run. Only presentation derived
from something else goes in `extra`: the Party header of the issuing organisation, dated the day the
file is made like the footer's "Tạo lúc", so a rerun that finds the data unchanged keeps the old file
with its old date.

Every builder runs a fixed number of queries whatever the number of members, commitments or cells.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone, translation

from programmes.documents import party_header, programme_document_context
from programmes.models import (
    ActionProgramme,
    Cadre,
    CommitmentTerms,
    PartyOrganisation,
    PartyPost,
    Position,
    PostKind,
    ProgrammeState,
    ProgressStatus,
    PublicityLevel,
)
from programmes.models.organisations import OrganisationKind
from reviews import quota, rules, selectors
from reviews.models import (
    LEVEL_ORDER,
    Appeal,
    CellMeeting,
    CommitmentAssessment,
    Decision,
    LevelChange,
    PeriodKind,
    RatingLevel,
    ReportKind,
    Review,
    ReviewForm,
    ReviewPeriod,
    ReviewState,
    RuleSet,
    Verdict,
)
from reviews.presentation import SELF_REVIEW_SECTIONS, section_title
from reviews.reports.kinds import ReportData, register, subject_key

# The abbreviations Party reports use in tables, where the full labels would not fit a column.
LEVEL_SHORT = {
    RatingLevel.EXCELLENT: "HTXSNV",
    RatingLevel.GOOD: "HTTNV",
    RatingLevel.COMPLETED: "HTNV",
    RatingLevel.NOT_COMPLETED: "KHTNV",
}
# A review still on its way to a result; a final or not-rated one is settled.
OPEN_STATES = [state for state in ReviewState if state not in (ReviewState.FINAL, ReviewState.NOT_RATED)]
SHORT_HASH = 16
# What a report read beyond the cell may quote of a programme: commitments that reach the party committees.
SHARED_REPORT_LEVEL = PublicityLevel.COMMITTEE


@contextmanager
def _portal_language() -> Iterator[None]:
    # Labels go into the data hash: they must come out the same from a worker and from a request in English.
    with translation.override(settings.LANGUAGE_CODE):
        yield


def _iso(value: datetime.date | datetime.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    return value.isoformat()


def _level(value: str) -> str:
    return str(RatingLevel(value).label) if value else ""


def _short(value: str) -> str:
    return LEVEL_SHORT[RatingLevel(value)] if value else ""


def _verdict(value: str) -> str:
    return str(Verdict(value).label) if value else ""


def _total(general: int | None, task: int | None) -> int | None:
    return general + task if general is not None and task is not None else None


def _percent(part: int, whole: int) -> int:
    return round(part * 100 / whole) if whole else 0


def _person(user: User | None) -> str:
    """The name printed for an account: its cadre's name (joined by the selectors), else the account's."""
    if user is None:
        return ""
    try:
        return user.cadre.full_name
    except Cadre.DoesNotExist:
        return user.get_full_name() or user.get_username()


def _secretary_name(organisation: PartyOrganisation) -> str:
    """Whoever holds the secretary's post of `organisation` today: the one who signs its reports."""
    position = (
        Position.objects.current()
        .filter(organisation=organisation, post_kind=PostKind.PARTY, party_post=PartyPost.SECRETARY)
        .select_related("cadre")
        .order_by("-start_date", "-pk")
        .first()
    )
    return position.cadre.full_name if position is not None else ""


def _period_data(period: ReviewPeriod) -> dict[str, Any]:
    return {
        "title": period.title,
        "kind": str(PeriodKind(period.kind).label),
        "covers_from": _iso(period.covers_from),
        "covers_to": _iso(period.covers_to),
    }


def _rule_set_data(rule_set: RuleSet) -> dict[str, Any]:
    return {
        "code": rule_set.code,
        "name": rule_set.name,
        "regulation": rule_set.regulation,
        "uses_points": rule_set.uses_points,
        "general_points_max": rule_set.general_points_max,
        "task_points_max": rule_set.task_points_max,
    }


def _with_rule_set(period: ReviewPeriod | None, kind: str) -> ReviewPeriod:
    if period is None:
        raise ValueError(f"a {kind} report is made for a review period")
    return ReviewPeriod.objects.select_related("rule_set").get(pk=period.pk)


def _on_time_condition(prefix: str = "") -> Q:
    """An assessment done on time: by the cell's verdict, or by the member's own where the cell gave none."""
    on_time = Verdict.on_time_values()
    return Q(**{f"{prefix}cell_verdict__in": on_time}) | Q(
        **{f"{prefix}cell_verdict": "", f"{prefix}self_verdict__in": on_time}
    )


def _live_decision_level() -> Subquery:
    """The level of the review's latest decision still standing (awaiting confirmation or confirmed)."""
    return Subquery(
        Decision.objects.filter(review=OuterRef("pk"), state__in=selectors.LIVE_DECISION_STATES)
        .order_by("-decided_at", "-pk")
        .values("level")[:1]
    )


# --- The programme document ----------------------------------------------------------------------------------


@register(ReportKind.PROGRAMME)
def programme_report(programme_id: int, period: ReviewPeriod | None) -> ReportData:
    programme = ActionProgramme.objects.select_related("current_version", "owner", "organisation").get(pk=programme_id)
    version = programme.current_version
    if version is None:
        raise ValueError("a programme is printed once confirmed")
    context = programme_document_context(programme, version)
    return ReportData(
        kind=ReportKind.PROGRAMME,
        subject_key=subject_key(ReportKind.PROGRAMME, programme.pk),
        title=programme.title,
        template="reports/programme.html",
        organisation=programme.organisation,
        programme=programme,
        data={"version": version.number, "confirmed_at": version.confirmed_at},
        extra=context,
    )


# --- The individual evaluation report ------------------------------------------------------------------------


def _commitment_rows(assessments: list[CommitmentAssessment]) -> list[dict[str, Any]]:
    return [
        {
            "number": assessment.position,
            "statement": assessment.statement,
            "target": assessment.target,
            "deadline": _iso(assessment.deadline),
            "is_task": assessment.is_task,
            "self_verdict": _verdict(assessment.self_verdict),
            "self_cause": assessment.self_cause,
            "cell_verdict": _verdict(assessment.cell_verdict),
            "cell_cause": assessment.cell_cause,
        }
        for assessment in assessments
    ]


def _evidence_rows(assessments: list[CommitmentAssessment]) -> list[dict[str, Any]]:
    rows = []
    for assessment in assessments:
        for item in getattr(assessment.commitment, "files", []):
            rows.append(
                {
                    "commitment": assessment.position,
                    "name": item.original_name,
                    "link": item.link,
                    "description": item.description,
                    "sha256": item.sha256[:SHORT_HASH],
                    "uploaded_on": _iso(item.uploaded_at),
                }
            )
    return rows


def _proposal_data(review: Review) -> dict[str, Any] | None:
    proposal = getattr(review, "proposal", None)
    if proposal is None:
        return None
    meeting = proposal.meeting
    return {
        "meeting_date": _iso(meeting.held_on),
        "members_total": meeting.members_total,
        "members_present": meeting.members_present,
        "has_quorum": meeting.has_quorum,
        "chaired_by": meeting.chaired_by,
        "votes_for": proposal.votes_for,
        "votes_against": proposal.votes_against,
        "votes_abstain": proposal.votes_abstain,
        "general_points": proposal.general_points,
        "task_points": proposal.task_points,
        "total_points": _total(proposal.general_points, proposal.task_points),
        "level": _level(proposal.level),
        "comments": proposal.comments,
        "recorded_by": _person(proposal.recorded_by),
        "recorded_on": _iso(proposal.recorded_at),
    }


def _decision_data(decision: Decision | None) -> dict[str, Any] | None:
    if decision is None:
        return None
    return {
        "level": _level(decision.level),
        "general_points": decision.general_points,
        "task_points": decision.task_points,
        "total_points": _total(decision.general_points, decision.task_points),
        "reason": decision.reclassification_reason,
        "quota_override": decision.quota_override,
        "deciding_organisation": decision.deciding_organisation.name,
        "decided_on": _iso(decision.decided_at),
        "state": str(decision.get_state_display()),
    }


def _confirmation_data(decision: Decision | None) -> dict[str, Any] | None:
    if decision is None or decision.confirmed_at is None:
        return None
    return {
        "name": _person(decision.confirmed_by),
        "confirmed_on": _iso(decision.confirmed_at),
        "grounds": decision.grounds,
        "commitments": [
            {"number": assessment.position, "statement": assessment.statement}
            for assessment in decision.grounds_assessments.all()
        ],
        "evidence": [
            {"name": item.original_name or item.link, "sha256": item.sha256[:SHORT_HASH]}
            for item in decision.grounds_evidence.all()
        ],
    }


def _appeal_rows(appeals: list[Appeal]) -> list[dict[str, Any]]:
    return [
        {
            "filed_on": _iso(appeal.filed_at),
            "text": appeal.text,
            "state": str(appeal.get_state_display()),
            "resolving_organisation": appeal.resolving_organisation.name,
            "resolution": appeal.resolution,
            "new_level": _level(appeal.new_level),
            "resolved_on": _iso(appeal.resolved_at),
        }
        for appeal in appeals
    ]


def _level_change_rows(changes: list[LevelChange]) -> list[dict[str, Any]]:
    return [
        {
            "cause": str(change.get_cause_display()),
            "organisation": change.organisation.name,
            "from_level": _level(change.from_level),
            "to_level": _level(change.to_level),
            "reason": change.reason,
            "changed_on": _iso(change.changed_at),
        }
        for change in changes
    ]


@register(ReportKind.INDIVIDUAL)
def individual_report(review_id: int, period: ReviewPeriod | None) -> ReportData:
    """Báo cáo kết quả kiểm điểm, đánh giá, xếp loại of one review, from the self-review to the last change."""
    with _portal_language():
        review = Review.objects.select_related(
            "period__rule_set",
            "cadre",
            "place",
            "cell",
            "deciding_organisation",
            "proposal__meeting",
            "proposal__recorded_by__cadre",
        ).get(pk=review_id)
        assessments = list(selectors.review_assessments(review))
        live = [item for item in selectors.review_decisions(review) if item.state in selectors.LIVE_DECISION_STATES]
        decision = live[-1] if live else None
        proposal = _proposal_data(review)
        data = {
            "member": {
                "name": review.cadre.full_name,
                "position": review.position_title,
                "place": review.place.name,
                "cell": review.cell.name,
                "form": str(ReviewForm(review.form).label),
            },
            "period": _period_data(review.period),
            "rule_set": _rule_set_data(review.period.rule_set),
            "state": str(review.get_state_display()),
            "not_rated_reason": review.not_rated_reason,
            "sections": [
                {"title": section_title(name), "text": getattr(review, name)} for name in SELF_REVIEW_SECTIONS
            ],
            "self_assessment": {
                "general_points": review.self_general_points,
                "task_points": review.self_task_points,
                "total_points": _total(review.self_general_points, review.self_task_points),
                "level": _level(review.self_level),
                "submitted_on": _iso(review.self_submitted_at),
            },
            "commitments": _commitment_rows(assessments),
            "evidence": _evidence_rows(assessments),
            "proposal": proposal,
            "decision": _decision_data(decision),
            "confirmation": _confirmation_data(decision),
            "appeals": _appeal_rows(list(selectors.review_appeals(review))),
            "level_changes": _level_change_rows(list(selectors.review_level_changes(review))),
            "final_level": _level(review.final_level),
            "signatures": {
                "cell": review.place.name,
                "secretary": proposal["recorded_by"] if proposal else "",
                "deciding_organisation": review.deciding_organisation.name,
                "head": _person(decision.confirmed_by) if decision is not None else "",
            },
        }
        header = party_header(review.place, timezone.localdate())
    return ReportData(
        kind=ReportKind.INDIVIDUAL,
        subject_key=subject_key(ReportKind.INDIVIDUAL, review.pk),
        title=f"{review.cadre.full_name} – {review.period.title}",
        template="reports/individual.html",
        organisation=review.place,
        period=review.period,
        review=review,
        data=data,
        extra={"header": header},
    )


# --- The cell summary ----------------------------------------------------------------------------------------


def _overdue_by_cadre(cadre_ids: list[int], period: ReviewPeriod) -> dict[int, list[dict[str, Any]]]:
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
    overdue: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        overdue[row["version__programme__owner_id"]].append(
            {
                "statement": row["statement"],
                "deadline": _iso(row["deadline"]),
                "status": str(ProgressStatus(row["commitment__status"]).label),
            }
        )
    return overdue


def _level_totals(results: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "level": str(level.label),
            "short": LEVEL_SHORT[level],
            "count": results.count(level),
            "percent": _percent(results.count(level), len(results)),
        }
        for level in LEVEL_ORDER
    ]


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
                decided_level=_live_decision_level(),
                commitments=Count("assessments"),
                on_time=Count("assessments", filter=_on_time_condition("assessments__")),
            )
            .order_by("cadre__name_folded", "cadre__code")
        )
        overdue = _overdue_by_cadre([review.cadre_id for review in reviews], period)
        meetings = CellMeeting.objects.filter(period=period, cell=cell).order_by("held_on", "pk")
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
        header = party_header(cell, timezone.localdate())
    return ReportData(
        kind=ReportKind.CELL_SUMMARY,
        subject_key=subject_key(ReportKind.CELL_SUMMARY, cell.pk, period),
        title=f"{cell.name} – {period.title}",
        template="reports/cell_summary.html",
        organisation=cell,
        period=period,
        data=data,
        extra={"header": header},
    )


# --- The organisation roll-up --------------------------------------------------------------------------------


def _quota_rows(period: ReviewPeriod, organisation: PartyOrganisation) -> list[dict[str, Any]]:
    """The quota of each deciding organisation in the subtree that has decided, as decision_make counts it: the
    decided Excellent against the Good of the whole picture; with the justification of each Excellent beyond it."""
    pictures = quota.pictures(period, under=organisation)
    justified: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for entry in quota.justified(period, under=organisation):
        justified[entry.organisation_id].append({"name": entry.name, "text": entry.text, "confirmed": entry.confirmed})
    deciding = PartyOrganisation.objects.filter(pk__in=list(pictures)).order_by("path").values_list("pk", "name")
    rows = []
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
        period = _with_rule_set(period, ReportKind.ORGANISATION_ROLLUP)
        organisation = PartyOrganisation.objects.get(pk=organisation_id)
        reviews = Review.objects.filter(period=period, place__path__startswith=organisation.path)
        groups = (
            reviews.annotate(decided_level=_live_decision_level())
            .values("cell__name", "cell__path", "state", "final_level", "decided_level")
            .annotate(number=Count("pk"))
            .order_by("cell__path", "state", "final_level", "decided_level")
        )
        completion = (
            CommitmentAssessment.objects.filter(review__in=reviews)
            .values("review__cell__path")
            .annotate(total=Count("pk"), on_time=Count("pk", filter=_on_time_condition()))
            .order_by()
        )
        assessed = {row["review__cell__path"]: (row["on_time"], row["total"]) for row in completion}
        cells: dict[str, dict[str, Any]] = {}
        results: list[str] = []
        states: dict[str, int] = defaultdict(int)
        not_rated = 0
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
                states[row["state"]] += row["number"]
        for path, cell in cells.items():
            on_time, total = assessed.get(path, (0, 0))
            cell.update(on_time=on_time, commitments=total, rate=_percent(on_time, total))
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
            "secretary": _secretary_name(organisation),
        }
        header = party_header(organisation, timezone.localdate())
    return ReportData(
        kind=ReportKind.ORGANISATION_ROLLUP,
        subject_key=subject_key(ReportKind.ORGANISATION_ROLLUP, organisation.pk, period),
        title=f"{organisation.name} – {period.title}",
        template="reports/organisation_rollup.html",
        organisation=organisation,
        period=period,
        data=data,
        extra={"header": header},
    )
