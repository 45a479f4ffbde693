"""Citizen feedback as a tracked case: submitted on a public page, handled by the oversight body of the area.

received → accepted → (forwarded to the managing party committee) → answered (true, partly true, untrue)
received or accepted → rejected (abusive, off-topic, duplicate; with a reason)

One module per step: submission (the citizen), triage (accepting, rejecting, forwarding), answers (the
verification's answer and the cadre's reply), review_inputs (a founded case into the cadre's review), purge
(the senders' details erased in time); routing says where a case goes. Each step checks who acts
(publicity.access), runs in one transaction and writes its audit event. The audit events and notifications never
carry the sender's contact details. Background work is asked for through programmes.outbox by the task's name:
publicity.tasks imports these modules, never the reverse.

A service that only views and tasks call runs as the outermost transaction (atomic(durable=True)), so that it
commits when it returns; one the demo seeding or another service calls inside its own transaction does not.
"""

from publicity.feedback.answers import answer_email_send, case_answer, case_reply
from publicity.feedback.purge import contacts_purge
from publicity.feedback.review_inputs import (
    REVIEW_STATES_TAKING_INPUTS,
    attach_pending,
    attach_waiting,
    commitment_statement,
)
from publicity.feedback.routing import area_for, body_accounts, body_for
from publicity.feedback.submission import (
    CODE_ALPHABET,
    CODE_LENGTH,
    TEXT_MAX_LENGTH,
    FeedbackThrottled,
    case_by_code,
    feedback_submit,
    new_tracking_code,
    normalise_code,
    source_digest,
    throttle_refusal,
)
from publicity.feedback.triage import case_accept, case_forward, case_reject, managing_committees

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "REVIEW_STATES_TAKING_INPUTS",
    "TEXT_MAX_LENGTH",
    "FeedbackThrottled",
    "answer_email_send",
    "area_for",
    "attach_pending",
    "attach_waiting",
    "body_accounts",
    "body_for",
    "case_accept",
    "case_answer",
    "case_by_code",
    "case_forward",
    "case_reject",
    "case_reply",
    "commitment_statement",
    "contacts_purge",
    "feedback_submit",
    "managing_committees",
    "new_tracking_code",
    "normalise_code",
    "source_digest",
    "throttle_refusal",
]
