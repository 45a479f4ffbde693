"""Who may see or act on a review. The rules are programmes.access's grants applied to a review's places;
this module only names the organisation each question is about (programmes cannot import reviews).

A review is never visible to overseers, to the public or to other cells: only to its subject, to those
who record the proposal of its place, to the deciding committee and those above it, and to
organisation-board staff of the subtree.
"""

from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.http import Http404

from programmes import access
from programmes.access import Action, AnyUser, Persona
from programmes.models import PartyOrganisation
from programmes.models.organisations import CELL_KINDS
from reviews.models import Appeal, Decision, DecisionState, LevelChange, Review, ReviewPeriod

# Personas that may read reviews where their grant reaches; overseers and plain members are absent.
_READERS = frozenset(
    {
        Persona.CELL_SECRETARY,
        Persona.CELL_DEPUTY,
        Persona.COMMITTEE_MEMBER,
        Persona.STANDING_MEMBER,
        Persona.COMMITTEE_HEAD,
        Persona.ORG_BOARD_STAFF,
    }
)


def is_subject(user: AnyUser, review: Review) -> bool:
    return bool(user.is_authenticated and review.cadre.user_id == user.pk)


def _reader_grants(user: AnyUser) -> list[access.Grant]:
    return [grant for grant in access.grants_for(user) if grant.persona in _READERS]


def can_view_review(user: AnyUser, review: Review) -> bool:
    if not user.is_authenticated:
        return False
    if getattr(user, "is_superuser", False) or is_subject(user, review):
        return True
    return any(grant.covers(review.place) or grant.covers(review.cell) for grant in _reader_grants(user))


def reviews_visible_to(user: AnyUser) -> QuerySet[Review]:
    """The reviews `user` may read, as one query (the same rule as can_view_review)."""
    queryset = Review.objects.all()
    if not user.is_authenticated:
        return queryset.none()
    if getattr(user, "is_superuser", False):
        return queryset
    condition = Q(cadre__user=user)
    for grant in _reader_grants(user):
        condition |= grant.as_q("place__") | grant.as_q("cell__")
    return queryset.filter(condition)


def get_review_for(user: AnyUser, pk: Any) -> Review:
    review = (
        Review.objects.select_related("period__rule_set", "cadre", "place", "cell", "deciding_organisation")
        .filter(pk=pk)
        .first()
    )
    if review is None or not can_view_review(user, review):
        raise Http404
    return review


def can_open_period(user: AnyUser, scope: PartyOrganisation) -> bool:
    return access.can(user, Action.OPEN_REVIEW_PERIOD, scope)


# Recording the cell's proposal, deciding and re-classifying are acts of party bodies (DOMAIN, product decision 3):
# they go by the user's own posts (access.holds), never by a system administrator's account.


def can_record_proposal(user: AnyUser, review: Review) -> bool:
    """The secretary or deputy of the place: of the cell, or of the leadership collective reviewed in."""
    if not user.is_authenticated or is_subject(user, review):
        return False
    place = review.place
    if place.kind in CELL_KINDS:
        return access.holds(user, Action.RECORD_CELL_PROPOSAL, place)
    return any(
        grant.organisation_id == place.pk and grant.persona in (Persona.COMMITTEE_HEAD, Persona.STANDING_MEMBER)
        for grant in access.grants_for(user)
    )


def can_record_meeting(user: AnyUser, place: PartyOrganisation) -> bool:
    if place.kind in CELL_KINDS:
        return access.holds(user, Action.RECORD_CELL_PROPOSAL, place)
    return any(
        grant.organisation_id == place.pk and grant.persona in (Persona.COMMITTEE_HEAD, Persona.STANDING_MEMBER)
        for grant in access.grants_for(user)
    )


def can_decide(user: AnyUser, review: Review) -> bool:
    """Members of the deciding committee (or of a committee above it), never the subject."""
    return not is_subject(user, review) and access.holds(user, Action.DECIDE_RATING, review.deciding_organisation)


def can_confirm_decision(user: AnyUser, review: Review) -> bool:
    """Only the head of the deciding body today: its secretary."""
    if not user.is_authenticated or is_subject(user, review):
        return False
    head = access.secretary_user(review.deciding_organisation)
    return head is not None and head.pk == user.pk


def superior_of(review: Review) -> PartyOrganisation | None:
    return PartyOrganisation.objects.get_parent(review.deciding_organisation)


def can_reclassify(user: AnyUser, review: Review) -> bool:
    """The committee above the deciding one (Art. 13: the superior committee may re-classify)."""
    superior = superior_of(review)
    return superior is not None and not is_subject(user, review) and access.holds(user, Action.DECIDE_RATING, superior)


# --- Appeals (kiến nghị): one per result, judged by the committee above the body that made it ------------------


def result_body(review: Review, change: LevelChange | None) -> PartyOrganisation:
    """The body whose result it is: the deciding committee for the confirmed decision, else the committee that
    changed the level (on appeal, or as the superior committee re-classifying)."""
    return change.organisation if change is not None else review.deciding_organisation


def appeal_addressee(review: Review, change: LevelChange | None) -> PartyOrganisation | None:
    """The committee an appeal against this result goes to: the one directly above the body that made it
    (None at the top of the tree, where the appeal goes beyond the portal)."""
    return PartyOrganisation.objects.get_parent(result_body(review, change))


def _deciding_grants(user: AnyUser) -> list[access.Grant]:
    return [grant for grant in access.grants_for(user) if grant.persona in access.PERMISSIONS[Action.DECIDE_RATING]]


def _made_contested_result(user: AnyUser, appeal: Appeal) -> bool:
    change = appeal.contested_change
    if change is not None:
        return change.changed_by_id == user.pk
    return (
        Decision.objects.filter(review_id=appeal.review_id, state=DecisionState.CONFIRMED)
        .filter(Q(decided_by=user.pk) | Q(confirmed_by=user.pk))
        .exists()
    )


def can_resolve_appeal(user: AnyUser, appeal: Appeal) -> bool:
    """Members of the committee the appeal is addressed to (or of a committee above it), by their own posts.

    Never the subject; never a member of the body whose result is contested, nor whoever decided, confirmed
    or changed that result: the body that made a decision does not judge the appeal against it.
    """
    if not user.is_authenticated or is_subject(user, appeal.review):
        return False
    grants = _deciding_grants(user)
    if not any(grant.covers(appeal.resolving_organisation) for grant in grants):
        return False
    body = result_body(appeal.review, appeal.contested_change)
    if any(grant.organisation_id == body.pk for grant in grants):
        return False
    return not _made_contested_result(user, appeal)


def can_add_prompt_or_input(user: AnyUser, review: Review) -> bool:
    # Never the subject: a committee head who may open periods over their own cell must not comment on themself.
    return not is_subject(user, review) and (
        can_record_proposal(user, review)
        or can_decide(user, review)
        or access.can(user, Action.OPEN_REVIEW_PERIOD, review.cell)
    )


def periods_visible_to(user: AnyUser) -> QuerySet[ReviewPeriod]:
    """Periods whose scope overlaps what the user reads: inside their grants, or above them."""
    if not user.is_authenticated:
        return ReviewPeriod.objects.none()
    if getattr(user, "is_superuser", False):
        return ReviewPeriod.objects.all()
    return ReviewPeriod.objects.filter(pk__in=reviews_visible_to(user).values("period")) | ReviewPeriod.objects.filter(
        opened_by=user
    )


def acting(user: AnyUser) -> User:
    """The user as an account, for services that need one (views are login-protected)."""
    if not isinstance(user, User):
        raise Http404
    return user
