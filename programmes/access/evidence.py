"""Evidence checks: who accepts or rejects the evidence behind a "done" claim, and what waits for them.

The checker is the programme's confirmer: the secretary today of the body that confirmed the version in force
(the owner's cell where the confirmer rule names the cell, ConfirmerRule.ConfirmingBody.OWN_CELL), never the owner.
A successor in that post checks what their predecessor confirmed, as a successor confirms what was sent.
"""

from django.contrib.auth.models import User
from django.db.models import QuerySet

from programmes.access.commitments import _SECRETARY_PERSONAS
from programmes.access.holdings import AnyUser, grants_for
from programmes.access.programmes import _secretary_posts, can_confirm_version
from programmes.models import ActionProgramme, Evidence, EvidenceReview, ProgrammeState


def checks_evidence_of(user: AnyUser, programme: ActionProgramme) -> bool:
    """Whether `user` checks the evidence of `programme` now: the confirmer of its version in force, while the
    programme is in force. (The programme page asks it once for all its evidence.)"""
    version = programme.current_version
    if version is None or programme.state != ProgrammeState.CONFIRMED:
        return False
    return can_confirm_version(user, version)


def can_check_evidence(user: AnyUser, evidence: Evidence) -> bool:
    """Whether `user` may accept or reject `evidence` now: the confirmer of its programme's version in force."""
    return checks_evidence_of(user, evidence.commitment.programme)


def evidence_to_check(user: AnyUser) -> QuerySet[Evidence]:
    """The queryset twin of `can_check_evidence`, narrowed to what waits: evidence pending a check in programmes
    in force whose confirming body the user is secretary of today, none of their own; oldest first."""
    # Only a secretary confirms, and the grants say who is one without a query (the desk asks every user).
    if not isinstance(user, User) or not any(grant.persona in _SECRETARY_PERSONAS for grant in grants_for(user)):
        return Evidence.objects.none()
    return (
        Evidence.objects.filter(
            review_state=EvidenceReview.PENDING,
            commitment__programme__state=ProgrammeState.CONFIRMED,
            commitment__programme__current_version__confirming_organisation__in=_secretary_posts(user).values(
                "organisation"
            ),
        )
        .exclude(commitment__programme__owner__user=user)
        .order_by("uploaded_at", "pk")
    )
