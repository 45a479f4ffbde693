"""Every step of a review: opening a period, the self-review, inputs, the cell's meeting and proposal,
the decision, the head's confirmation on grounds, appeals and re-classification; one module per step.

Each service checks who acts (reviews.access) and the rule set (reviews.rules), runs in one
transaction and writes its audit event. Subject, proposer and confirmer are three different people.
Background work is asked for through programmes.outbox by the task's name: the services never import
reviews.tasks, whose tasks call into them.

A cell's tables (bulk) store the whole cell's proposals, decisions or confirmations at once through the single
steps' services, all or none.

A service that only views and tasks call runs as the outermost transaction (atomic(durable=True)), so that it
commits when it returns: appeals and re-classification, the return of a proposal, prompts and inputs, closing a
period, a cell's tables. Opening a period, the self-review, the cell's meeting and proposal, the decision and its
confirmation stay plain: the demo seeding runs them inside its one transaction (and a table, row by row).
"""

from reviews.presentation import SELF_REVIEW_SECTIONS, section_title
from reviews.services._common import REVIEW_FIELDS, Acknowledgements, Verdicts
from reviews.services.appeals import (
    appeal_deadline,
    appeal_file,
    appeal_refusal,
    appeal_resolve,
    current_change,
    review_reclassify,
)
from reviews.services.bulk import (
    ConfirmationRow,
    DecisionRow,
    ProposalRow,
    RowsRefused,
    cell_decisions_confirm,
    cell_decisions_make,
    cell_proposals_record,
)
from reviews.services.cell import (
    Attendance,
    absence_reason_field,
    cell_quota,
    meeting_record,
    proposal_record,
    proposal_refusal,
)
from reviews.services.collective import OrganisationRow, rate_organisations
from reviews.services.collective_report import collective_report_save
from reviews.services.confirmation import confirm_refusal, decision_confirm
from reviews.services.decision import decision_make, decision_quota, decision_return
from reviews.services.inputs import input_add, input_attach_from_system, prompt_add
from reviews.services.periods import period_close, period_open
from reviews.services.residence import (
    residence_comment_decline,
    residence_comment_record,
    residence_comment_upload,
)
from reviews.services.self_review import (
    REQUIRED_SECTIONS,
    self_review_conflicts,
    self_review_draft_conflicts,
    self_review_save,
    self_review_submit,
)

__all__ = [
    "REQUIRED_SECTIONS",
    "REVIEW_FIELDS",
    "SELF_REVIEW_SECTIONS",
    "Acknowledgements",
    "Attendance",
    "ConfirmationRow",
    "DecisionRow",
    "OrganisationRow",
    "ProposalRow",
    "RowsRefused",
    "Verdicts",
    "absence_reason_field",
    "appeal_deadline",
    "appeal_file",
    "appeal_refusal",
    "appeal_resolve",
    "cell_decisions_confirm",
    "cell_decisions_make",
    "cell_proposals_record",
    "cell_quota",
    "collective_report_save",
    "confirm_refusal",
    "current_change",
    "decision_confirm",
    "decision_make",
    "decision_quota",
    "decision_return",
    "input_add",
    "input_attach_from_system",
    "meeting_record",
    "period_close",
    "period_open",
    "prompt_add",
    "proposal_record",
    "proposal_refusal",
    "rate_organisations",
    "residence_comment_decline",
    "residence_comment_record",
    "residence_comment_upload",
    "review_reclassify",
    "section_title",
    "self_review_conflicts",
    "self_review_draft_conflicts",
    "self_review_save",
    "self_review_submit",
]
