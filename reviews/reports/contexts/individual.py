"""The individual evaluation report: one review, from the self-review to the last change of its level."""

import datetime
from typing import TypedDict

from django.contrib.auth.models import User
from django.utils import timezone

from programmes.models import Cadre
from programmes.party_document import signature_block
from reviews import commitment_figures, selectors
from reviews.models import (
    Appeal,
    CommitmentAssessment,
    Decision,
    LevelChange,
    ReportKind,
    Review,
    ReviewForm,
    ReviewPeriod,
)
from reviews.presentation import SELF_REVIEW_SECTIONS, section_title
from reviews.reports.contexts._common import (
    MeetingFacts,
    _collective_signature,
    _iso,
    _level,
    _meeting_facts,
    _period_data,
    _person,
    _portal_language,
    _rule_set_data,
    _signature,
    _total,
    _verdict,
    print_moment,
    printed_extra,
)
from reviews.reports.kinds import DigitalSigner, ReportData, register, subject_key


class SignatureData(TypedDict):
    heading: str
    title: str
    name: str


class CommitmentRow(TypedDict):
    number: str
    statement: str
    target: str
    deadline: str | None
    is_task: bool
    self_verdict: str
    self_cause: str
    cell_verdict: str
    cell_cause: str
    on_time: bool
    overdue: bool


class EvidenceRow(TypedDict):
    commitment: str
    name: str
    link: str
    description: str
    uploaded_on: str | None


class ProposalData(MeetingFacts):
    meeting_date: str | None
    votes_for: int
    votes_against: int
    votes_abstain: int
    general_points: int | None
    task_points: int | None
    total_points: int | None
    level: str
    comments: str
    recorded_by: str
    recorded_on: str | None


class DecisionData(TypedDict):
    level: str
    general_points: int | None
    task_points: int | None
    total_points: int | None
    reason: str
    quota_override: str
    deciding_organisation: str
    decided_on: str | None
    state: str


class GroundsCommitment(TypedDict):
    number: str
    statement: str


class GroundsEvidence(TypedDict):
    name: str


class ConfirmationData(TypedDict):
    name: str
    confirmed_on: str | None
    grounds: str
    commitments: list[GroundsCommitment]
    evidence: list[GroundsEvidence]


class AppealRow(TypedDict):
    filed_on: str | None
    text: str
    state: str
    resolving_organisation: str
    resolution: str
    new_level: str
    resolved_on: str | None


class LevelChangeRow(TypedDict):
    cause: str
    organisation: str
    from_level: str
    to_level: str
    reason: str
    changed_on: str | None


def _commitment_rows(assessments: list[CommitmentAssessment]) -> list[CommitmentRow]:
    return [
        {
            "number": assessment.number,
            "statement": assessment.statement,
            "target": assessment.target,
            "deadline": _iso(assessment.deadline),
            "is_task": assessment.is_task,
            "self_verdict": _verdict(assessment.self_verdict),
            "self_cause": assessment.self_cause,
            "cell_verdict": _verdict(assessment.cell_verdict),
            "cell_cause": assessment.cell_cause,
            "on_time": bool(getattr(assessment, "is_on_time", False)),
            "overdue": bool(getattr(assessment, "is_overdue", False)),
        }
        for assessment in assessments
    ]


def _evidence_rows(assessments: list[CommitmentAssessment]) -> list[EvidenceRow]:
    rows: list[EvidenceRow] = []
    for assessment in assessments:
        for item in getattr(assessment.commitment, "files", []):
            rows.append(
                {
                    "commitment": assessment.number,
                    "name": item.original_name,
                    "link": item.link,
                    "description": item.description,
                    "uploaded_on": _iso(item.uploaded_at),
                }
            )
    return rows


def _proposal_data(review: Review) -> ProposalData | None:
    proposal = getattr(review, "proposal", None)
    if proposal is None:
        return None
    meeting = proposal.meeting
    return {
        "meeting_date": _iso(meeting.held_on),
        **_meeting_facts(meeting),
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


def _decision_data(decision: Decision | None) -> DecisionData | None:
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


def _confirmation_data(decision: Decision | None) -> ConfirmationData | None:
    if decision is None or decision.confirmed_at is None:
        return None
    return {
        "name": _person(decision.confirmed_by),
        "confirmed_on": _iso(decision.confirmed_at),
        "grounds": decision.grounds,
        "commitments": [
            {"number": assessment.number, "statement": assessment.statement}
            for assessment in decision.grounds_assessments.all()
        ],
        "evidence": [{"name": item.original_name or item.link} for item in decision.grounds_evidence.all()],
    }


def _appeal_rows(appeals: list[Appeal]) -> list[AppealRow]:
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


def _level_change_rows(changes: list[LevelChange]) -> list[LevelChangeRow]:
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


class Signatures(TypedDict):
    cell: SignatureData
    deciding: SignatureData


def _signatures(review: Review, decision: Decision | None, as_of: datetime.date) -> Signatures:
    """The cell that proposed, signed by whoever recorded its proposal (the secretary, or the deputy), and the
    deciding committee, signed by the leader who confirmed its decision, each with the post held there on the day
    they signed: a report made again after a change of post prints the post of that day. Before anyone signed,
    the block of whoever signs for the collective on the print date `as_of`, the name left to write in."""
    proposal = getattr(review, "proposal", None)
    recorder = proposal.recorded_by if proposal is not None else None
    if proposal is not None and recorder is not None:
        recorded_on = timezone.localdate(proposal.recorded_at)
        cell_block = _signature(signature_block(review.cell, _person(recorder), _cadre_id(recorder), recorded_on))
    else:
        cell_block = {**_collective_signature(review.cell, as_of), "name": ""}
    confirmer = decision.confirmed_by if decision is not None else None
    deciding = review.deciding_organisation
    if decision is not None and confirmer is not None and decision.confirmed_at is not None:
        confirmed_on = timezone.localdate(decision.confirmed_at)
        deciding_block = _signature(signature_block(deciding, _person(confirmer), _cadre_id(confirmer), confirmed_on))
    else:
        deciding_block = {**_collective_signature(deciding, as_of), "name": ""}
    return {"cell": _block(cell_block), "deciding": _block(deciding_block)}


def _block(values: dict[str, str]) -> SignatureData:
    return {"heading": values["heading"], "title": values["title"], "name": values["name"]}


def _cadre_id(user: User) -> int | None:
    try:
        return user.cadre.pk
    except Cadre.DoesNotExist:
        return None


@register(ReportKind.INDIVIDUAL)
def individual_report(review_id: int, period: ReviewPeriod | None) -> ReportData:
    """Báo cáo kết quả kiểm điểm, đánh giá, xếp loại of one review, from the self-review to the last change."""
    printed_at = print_moment()
    as_of = timezone.localdate(printed_at)
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
        # Flagged as the cell summary counts them, on the print date.
        assessments = list(commitment_figures.with_flags(selectors.review_assessments(review), as_of))
        figures = commitment_figures.figures_of(assessments)
        live = [item for item in selectors.review_decisions(review) if item.state in selectors.LIVE_DECISION_STATES]
        decision = live[-1] if live else None
        proposal = _proposal_data(review)
        signatures = _signatures(review, decision, as_of)
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
            "figures": {"commitments": figures.commitments, "on_time": figures.on_time, "overdue": figures.overdue},
            "evidence": _evidence_rows(assessments),
            "proposal": proposal,
            "decision": _decision_data(decision),
            "confirmation": _confirmation_data(decision),
            "appeals": _appeal_rows(list(selectors.review_appeals(review))),
            "level_changes": _level_change_rows(list(selectors.review_level_changes(review))),
            "final_level": _level(review.final_level),
            "signatures": signatures,
        }
        extra = printed_extra(review.place, printed_at)
    return ReportData(
        kind=ReportKind.INDIVIDUAL,
        subject_key=subject_key(ReportKind.INDIVIDUAL, review.pk),
        title=f"{review.cadre.full_name} – {review.period.title}",
        template="reports/individual.html",
        organisation=review.place,
        period=review.period,
        review=review,
        data=data,
        extra=extra,
        # The deciding committee signs the result it decided; the cell's block beside it stays for the pen.
        signer=DigitalSigner.of_block(review.deciding_organisation, signatures["deciding"]),
    )
