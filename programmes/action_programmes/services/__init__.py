"""Every change to a programme: registration, editing a draft, submission, return, confirmation, amendment, the end
of term; one module per step (registration, commitments, confirmation, amendments, closing).

Each service checks who acts and the rules, runs in one transaction and writes its audit event.
Sent content is never edited in place: a change to a confirmed programme is a new version (an amendment)
confirmed like the first, and until then the confirmed version stays in force; a returned version stays
as it was sent, with the reasons, and its correction is the next version.

A service that only views and tasks call runs as the outermost transaction (atomic(durable=True)), so that it
commits when it returns; one the demo seeding or another service calls inside its own transaction does not.
"""

from programmes.action_programmes.services._common import (
    CONTENT_FIELDS,
    PROGRAMME_FIELDS,
    REGISTRATION_FIELDS,
    TERMS_FIELDS,
    VERSION_FIELDS,
    Milestones,
    confirmer_refusal,
)
from programmes.action_programmes.services.amendments import amendment_start, version_withdraw
from programmes.action_programmes.services.carrying import carry_commitments
from programmes.action_programmes.services.closing import (
    close_ended_programmes,
    close_programme,
    record_end_of_term_evaluation,
    verdict_for,
)
from programmes.action_programmes.services.commitments import (
    commitment_add,
    commitment_move,
    commitment_remove,
    commitment_update,
)
from programmes.action_programmes.services.confirmation import programme_confirm, programme_return, programme_submit
from programmes.action_programmes.services.registration import programme_create, programme_update

__all__ = [
    "CONTENT_FIELDS",
    "PROGRAMME_FIELDS",
    "REGISTRATION_FIELDS",
    "TERMS_FIELDS",
    "VERSION_FIELDS",
    "Milestones",
    "amendment_start",
    "carry_commitments",
    "close_ended_programmes",
    "close_programme",
    "commitment_add",
    "commitment_move",
    "commitment_remove",
    "commitment_update",
    "confirmer_refusal",
    "programme_confirm",
    "programme_create",
    "programme_return",
    "programme_submit",
    "programme_update",
    "record_end_of_term_evaluation",
    "verdict_for",
    "version_withdraw",
]
