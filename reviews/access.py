"""Who may see or act on a review. The rules are programmes.access's grants applied to a review's places;
this module only names the organisation each question is about (programmes cannot import reviews).

A review is never visible to overseers, to the public or to other cells: only to its subject, to those
who record the proposal of its place, to the deciding committee and those above it, and to
organisation-board staff of the subtree.

A stored report is as private as what it prints. The individual report of a review goes to whoever may read
that review: the review's own circle, who judge the commitments copied into it. A programme's document goes
to whoever may read the programme and every one of its commitments (programmes.access.commitment_reading):
the stored file prints them all, so a reader kept from a capped commitment does not get it and prints the
programme page's own PDF instead, which leaves that commitment out. A cell summary or an organisation roll-up
prints the levels of many members, so it goes only to those who read reviews where the report's organisation
lies: the secretary or deputy of that cell, committee members above it, organisation-board staff of the
subtree. Never to overseers, plain members or the public.

A system administrator sees everything: the one rule is programmes.access.is_superuser.
"""

from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.http import Http404

from programmes import access
from programmes.access import Action, AnyUser, Persona

# Re-exported: the reviews app asks this module whether a user is a system administrator, never the user's flag.
from programmes.access import is_superuser as is_superuser
from programmes.models import PartyOrganisation
from programmes.models.organisations import CELL_KINDS
from reviews.models import (
    Appeal,
    Decision,
    DecisionState,
    LevelChange,
    Report,
    ReportKind,
    Review,
    ReviewPeriod,
    ReviewState,
)

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
    if is_superuser(user) or is_subject(user, review):
        return True
    return any(grant.covers(review.place) or grant.covers(review.cell) for grant in _reader_grants(user))


def reviews_visible_to(user: AnyUser) -> QuerySet[Review]:
    """The reviews `user` may read, as one query (the same rule as can_view_review)."""
    queryset = Review.objects.all()
    if not user.is_authenticated:
        return queryset.none()
    if is_superuser(user):
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
    if is_superuser(user):
        return ReviewPeriod.objects.all()
    return ReviewPeriod.objects.filter(pk__in=reviews_visible_to(user).values("period")) | ReviewPeriod.objects.filter(
        opened_by=user
    )


def acting(user: AnyUser) -> User:
    """The user as an account, for services that need one (views are login-protected)."""
    if not isinstance(user, User):
        raise Http404
    return user


# --- Stored reports --------------------------------------------------------------------------------------------

ORGANISATION_KINDS = (ReportKind.CELL_SUMMARY, ReportKind.ORGANISATION_ROLLUP)
# Reviews with a result to print, as reviews.reports.batches.planned_items takes them.
REPORTABLE_STATES = (ReviewState.FINAL, ReviewState.APPEALED)


def can_download_report(user: AnyUser, report: Report) -> bool:
    if not user.is_authenticated:
        return False
    if is_superuser(user):
        return True
    if report.kind == ReportKind.INDIVIDUAL:
        return report.review is not None and can_view_review(user, report.review)
    if report.kind == ReportKind.PROGRAMME:
        programme = report.programme
        return (
            programme is not None
            and access.can_view_programme(user, programme)
            and access.commitment_reading(user, programme).shows_all(programme.commitments.all())
        )
    return any(grant.covers(report.organisation) for grant in _reader_grants(user))


def reports_visible_to(user: AnyUser) -> QuerySet[Report]:
    """The reports `user` may download, as one query (the same rule as can_download_report, but for the deciding
    committee, which downloads a programme document with a capped commitment by its link: see
    access.programmes_read_in_full)."""
    queryset = Report.objects.all()
    if not user.is_authenticated:
        return queryset.none()
    if is_superuser(user):
        return queryset
    condition = Q(kind=ReportKind.INDIVIDUAL, review__in=reviews_visible_to(user).values("pk")) | Q(
        kind=ReportKind.PROGRAMME, programme__in=access.programmes_read_in_full(user).values("pk")
    )
    grants = _reader_grants(user)
    if grants:
        covered = Q()
        for grant in grants:
            covered |= grant.as_q("organisation__")
        condition |= Q(kind__in=ORGANISATION_KINDS) & covered
    return queryset.filter(condition)


def get_report_for(user: AnyUser, pk: Any) -> Report:
    """The report if the user may download it; else 404, whether or not it exists."""
    report = (
        Report.objects.select_related("organisation", "period", "review__place", "review__cell", "review__cadre")
        .filter(pk=pk)
        .first()
    )
    if report is None or not can_download_report(user, report):
        raise Http404
    return report


def current_individual_report(review: Review) -> Report | None:
    """The latest individual report of a review, for its page; whoever reads the review may download it."""
    if review.state not in REPORTABLE_STATES:
        return None
    return Report.objects.filter(review=review, kind=ReportKind.INDIVIDUAL, is_current=True).only("pk").first()
