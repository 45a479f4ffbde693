"""The end-of-term evaluation of a closed programme: its rows (what each commitment promised, what it reached, its
evidence and final verdict), shown on the confirmer's page and on the programme's page, and printed as the Party
document "BÁO CÁO KẾT QUẢ THỰC HIỆN CHƯƠNG TRÌNH HÀNH ĐỘNG" through the programme's document machinery
(programmes.documents: the same header, the same numbers, the same confirmer's signature block)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone
from django.utils.functional import Promise
from django_stubs_ext import StrOrPromise

from programmes.action_programmes import numbering
from programmes.models import (
    ActionProgramme,
    ClosingReason,
    CommitmentTerms,
    FinalVerdict,
    Occasion,
    ProgressStatus,
)
from programmes.party_document import PartyHeader, SignatureBlock, party_header
from programmes.programme_document import cadre_name, confirmer_block, format_number, target_text


@dataclass(frozen=True)
class EvaluationRow:
    commitment_id: int
    number: str
    statement: str
    # Promised: the target (or the product, for a deliverable) and its deadline.
    promised: str | Promise
    unit: str
    deadline: datetime.date | None
    # Reached: the last value reported, with the unit, and the status.
    reached: str
    status_label: StrOrPromise
    evidence_count: int
    verdict: str
    verdict_label: StrOrPromise
    note: str


def _reached(value: Decimal | None, unit: str) -> str:
    return f"{format_number(value)} {unit}".strip() if value is not None else ""


def evaluation_rows(programme: ActionProgramme, terms: list[CommitmentTerms]) -> list[EvaluationRow]:
    """The rows of `terms` (the version in force's commitments this reader may read), in document order, each
    under its number in the version (`numbering`), with the count of its evidence (one query)."""
    numbers = numbering.commitment_numbers(terms)
    counts = dict(
        CommitmentTerms.objects.filter(pk__in=[item.pk for item in terms])
        .annotate(evidence_count=Count("commitment__evidence"))
        .values_list("commitment_id", "evidence_count")
    )
    rows = []
    for item in numbering.document_order(terms):
        commitment = item.commitment
        verdict = commitment.final_verdict
        rows.append(
            EvaluationRow(
                commitment_id=commitment.pk,
                number=numbers[commitment.pk],
                statement=item.statement,
                promised=item.evidence_kind if item.is_deliverable else target_text(item),
                unit=item.unit,
                deadline=item.deadline,
                reached=_reached(commitment.value_reached, item.unit),
                status_label=ProgressStatus(commitment.status).label,
                evidence_count=counts.get(commitment.pk, 0),
                verdict=verdict,
                verdict_label=FinalVerdict(verdict).label if verdict else "",
                note=commitment.final_note,
            )
        )
    return rows


def closing_reason_text(programme: ActionProgramme, *, with_note: bool = True) -> StrOrPromise:
    """Why the programme closed, as the pages and the report say it: the reason, or the confirmer's own words
    (`with_note`, for the readers of the evaluation's words: access.reads_end_of_term_judgement)."""
    if not programme.closed_reason:
        return ""
    if with_note and programme.closed_reason == ClosingReason.OTHER and programme.closed_note:
        return programme.closed_note
    return ClosingReason(programme.closed_reason).label


def in_force_terms(programme: ActionProgramme) -> list[CommitmentTerms]:
    """The commitments of the version in force, with their commitment (for the verdicts), in one query."""
    if programme.current_version_id is None:
        return []
    return list(CommitmentTerms.objects.filter(version_id=programme.current_version_id).select_related("commitment"))


@dataclass(frozen=True)
class EvaluationDocument:
    header: PartyHeader
    is_annual: bool
    programme_title: str
    occasion: StrOrPromise
    owner_name: str
    position_title: str
    organisation_name: str
    term_start: datetime.date
    term_end: datetime.date
    closed_on: datetime.date | None
    closed_reason: StrOrPromise
    rows: tuple[EvaluationRow, ...]
    # The conclusion's section is printed for the readers of the evaluation's words only.
    shows_judgement: bool
    conclusion: str
    evaluated_on: datetime.date | None
    confirmer: SignatureBlock


def evaluation_document_context(
    programme: ActionProgramme, terms: list[CommitmentTerms], *, with_judgement: bool = True
) -> dict[str, object]:
    """What `reports/programme_evaluation.html` prints: the programme's particulars, each commitment's row, the
    confirmer's conclusion (`with_judgement`: for the readers of the evaluation's words) and their signature block
    (dated the day it is printed, as every report is)."""
    version = programme.current_version
    if version is None:
        raise ValueError("only a confirmed programme is closed and evaluated")
    signer = programme.evaluated_by_id or version.confirmed_by_id
    document = EvaluationDocument(
        header=party_header(programme.organisation, timezone.localdate(), issuer_name=programme.organisation_name),
        is_annual=programme.occasion == Occasion.ANNUAL,
        programme_title=programme.title,
        occasion=Occasion(programme.occasion).label,
        owner_name=programme.owner.full_name,
        position_title=programme.position_title,
        organisation_name=programme.organisation_name,
        term_start=programme.term_start,
        term_end=programme.term_end,
        closed_on=timezone.localdate(programme.closed_at) if programme.closed_at is not None else None,
        closed_reason=closing_reason_text(programme, with_note=with_judgement),
        rows=tuple(evaluation_rows(programme, terms)),
        shows_judgement=with_judgement,
        conclusion=programme.final_conclusion if with_judgement else "",
        evaluated_on=timezone.localdate(programme.evaluated_at) if programme.evaluated_at is not None else None,
        confirmer=confirmer_block(version, cadre_name(signer)),
    )
    return {"header": document.header, "document": document}
