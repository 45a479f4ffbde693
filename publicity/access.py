"""Who may see and handle citizen feedback cases.

A case belongs to one oversight body (the Front, or the People's Council standing body) of one area. The
accounts of that body whose grant covers the area handle it; an account of another area, or of the other
body, sees nothing of it. The cadre the case is about sees it only once it has been accepted, without the
sender's contact details, and may reply; the party side never sees who sent it.
"""

from typing import Any

from django.db.models import Q, QuerySet

from programmes.access import (
    Action,
    AnyUser,
    Grant,
    Persona,
    can_anywhere,
    get_or_404,
    grants_for,
    is_programme_owner,
    role_holders_over,
)
from publicity.models import CaseState, FeedbackCase, OversightBody

PERSONA_FOR_BODY = {
    OversightBody.FRONT: Persona.FRONT_OVERSEER,
    OversightBody.COUNCIL: Persona.COUNCIL_OVERSEER,
}
BODY_FOR_PERSONA = {persona: body for body, persona in PERSONA_FOR_BODY.items()}
# The cadre sees a case once the oversight body has accepted it, so abuse rejected at once never reaches them.
OWNER_VISIBLE_STATES = (CaseState.ACCEPTED, CaseState.FORWARDED, CaseState.ANSWERED)
OWNER_REPLY_STATES = (CaseState.ACCEPTED, CaseState.FORWARDED)


def _overseer_grants(user: AnyUser) -> list[Grant]:
    return [grant for grant in grants_for(user) if grant.persona in BODY_FOR_PERSONA]


def is_overseer(user: AnyUser) -> bool:
    """May the user open the oversight workspace? Front and People's Council accounts (and the system
    administrator, who sees the workspace but handles no area's cases)."""
    return can_anywhere(user, Action.OVERSEE_AREA)


def handles_cases(user: AnyUser) -> bool:
    """Does the user hold a Front or People's Council account over some area, whose cases they handle? (Unlike
    is_overseer, not the system administrator, who handles no area's cases.)"""
    return bool(_overseer_grants(user))


def case_handlers(cases: list[FeedbackCase]) -> dict[int, set[int]]:
    """The ids of the accounts that handle each case (can_handle_case), by case id, in one query per body: the
    accounts of the case's body over its area, never the cadre the case is about. `cases` come with their area and
    their programme's owner."""
    handlers: dict[int, set[int]] = {}
    for body, persona in PERSONA_FOR_BODY.items():
        of_body = [case for case in cases if case.body == body]
        if not of_body:
            continue
        holders = role_holders_over(persona, {case.area_id: case.area for case in of_body}.values())
        for case in of_body:
            handlers[case.pk] = holders.get(case.area_id, set()) - {case.programme.owner.user_id}
    return handlers


def can_handle_case(user: AnyUser, case: FeedbackCase) -> bool:
    """An account of the case's body whose grant covers the case's area; never the cadre the case is about,
    who may well also sit on the Front or the People's Council."""
    if is_programme_owner(user, case.programme):
        return False
    return any(
        BODY_FOR_PERSONA[grant.persona] == case.body and grant.covers(case.area) for grant in _overseer_grants(user)
    )


def cases_handled_by(user: AnyUser) -> QuerySet[FeedbackCase]:
    """Every case the user's oversight accounts handle, as one query."""
    condition = Q()
    grants = _overseer_grants(user)
    if not grants:
        return FeedbackCase.objects.none()
    for grant in grants:
        condition |= grant.as_q("area__") & Q(body=BODY_FOR_PERSONA[grant.persona])
    return FeedbackCase.objects.filter(condition).exclude(programme__owner__user=user.pk)


def can_export_cases(user: AnyUser) -> bool:
    """A spreadsheet of the queue: the accounts that handle cases (the queue the page shows them, no more). The system
    administrator, who sees the workspace but handles no case, has nothing to export."""
    return bool(_overseer_grants(user))


def get_case_for(user: AnyUser, pk: Any) -> FeedbackCase:
    """The case, for an account that handles it; anyone else gets 404, as if it did not exist."""
    cases = FeedbackCase.objects.select_related("programme__owner", "commitment", "area", "forwarded_to", "handled_by")
    return get_or_404(user, cases, pk, can_handle_case)


def cases_for_owner(user: AnyUser) -> QuerySet[FeedbackCase]:
    """Accepted cases about the user's own programmes."""
    if not user.is_authenticated:
        return FeedbackCase.objects.none()
    return FeedbackCase.objects.filter(programme__owner__user=user, state__in=OWNER_VISIBLE_STATES)


def can_reply_as_owner(user: AnyUser, case: FeedbackCase) -> bool:
    return is_programme_owner(user, case.programme) and case.state in OWNER_REPLY_STATES
