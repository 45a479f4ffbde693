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
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from programmes import access
from programmes.access import Action, AnyUser, Persona

# Re-exported: the reviews app asks this module whether a user is a system administrator, never the user's flag.
from programmes.access import is_superuser as is_superuser

# Re-exported: party organisations rated as collectives and their reports (Mẫu 01) are decided from grants alone.
from programmes.access.collectives import can_rate_under as can_rate_under
from programmes.access.collectives import can_read_collective_report as can_read_collective_report
from programmes.access.collectives import can_write_collective_report as can_write_collective_report
from programmes.access.collectives import rating_bodies as rating_bodies
from programmes.access.collectives import reporting_organisations as reporting_organisations
from programmes.models import Cadre, PartyOrganisation
from programmes.models.organisations import CELL_KINDS, GRASSROOTS_KINDS
from reviews.models import (
    Appeal,
    AppealState,
    Decision,
    DecisionState,
    LevelChange,
    Report,
    ReportKind,
    ResidenceComment,
    Review,
    ReviewPeriod,
    ReviewState,
)

# Personas that may read reviews where their grant reaches: the party side that reads rosters (never overseers),
# but plain members, who read only their own reviews.
_READERS = access.PERMISSIONS[Action.VIEW_MEMBERS] - {Persona.MEMBER}
# Who records the proposal of a leadership collective (a place that is not a cell): its head and standing members.
_COLLECTIVE_RECORDERS = frozenset({Persona.COMMITTEE_HEAD, Persona.STANDING_MEMBER})
# Whoever holds the secretary's post of an organisation: the head who confirms its decisions.
_SECRETARY_PERSONAS = frozenset({Persona.COMMITTEE_HEAD, Persona.CELL_SECRETARY})


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
    condition = Q(cadre__in=Cadre.objects.filter(user=user).values("pk"))
    grants = _reader_grants(user)
    if grants:
        # Against the ids of the organisations read, without joining them: the period's or state's index picks
        # the rows and each is checked against the hashed ids (no OR across joins, no DISTINCT).
        read = access.organisations_covered(grants)
        condition |= Q(place__in=read) | Q(cell__in=read)
    return queryset.filter(condition)


def get_review_for(user: AnyUser, pk: Any) -> Review:
    reviews = Review.objects.select_related("period__rule_set", "cadre", "place", "cell", "deciding_organisation")
    return access.get_or_404(user, reviews, pk, can_view_review)


def can_open_period(user: AnyUser, scope: PartyOrganisation) -> bool:
    return access.can(user, Action.OPEN_REVIEW_PERIOD, scope)


# Recording the cell's proposal, deciding and re-classifying are acts of party bodies (DOMAIN, product decision 3):
# they go by the user's own posts (access.holds), never by a system administrator's account.


def can_record_proposal(user: AnyUser, review: Review) -> bool:
    """The secretary or deputy of the place: of the cell, or of the leadership collective reviewed in."""
    return not is_subject(user, review) and can_record_meeting(user, review.place)


def can_record_meeting(user: AnyUser, place: PartyOrganisation) -> bool:
    """In a cell, its secretary or deputy (and a committee's above it may not); in a leadership collective, its
    head or a standing member of that very body."""
    if place.kind in CELL_KINDS:
        return access.holds(user, Action.RECORD_CELL_PROPOSAL, place)
    return any(
        grant.organisation_id == place.pk and grant.persona in _COLLECTIVE_RECORDERS
        for grant in access.grants_for(user)
    )


def recording_condition(user: AnyUser) -> Q | None:
    """The queryset twin of can_record_meeting on a review's place (can_record_proposal without the subject
    clause, for the counts of a place): by the user's own posts; None when they record for no place."""
    condition = access.holding_condition(user, Action.RECORD_CELL_PROPOSAL, "place__")
    in_cell = None if condition is None else condition & Q(place__kind__in=CELL_KINDS)
    collectives = [grant.organisation_id for grant in access.grants_for(user) if grant.persona in _COLLECTIVE_RECORDERS]
    in_collective = Q(place_id__in=collectives) & ~Q(place__kind__in=CELL_KINDS) if collectives else None
    if in_cell is None or in_collective is None:
        return in_cell or in_collective
    return in_cell | in_collective


def can_decide(user: AnyUser, review: Review) -> bool:
    """Members of the deciding committee (or of a committee above it), never the subject."""
    return not is_subject(user, review) and access.holds(user, Action.DECIDE_RATING, review.deciding_organisation)


def deciding_condition(user: AnyUser) -> Q | None:
    """The queryset twin of can_decide, on reviews: None when the user decides nowhere."""
    grants = access.grants_allowing(user, Action.DECIDE_RATING)
    if not grants:
        return None
    # Against the ids of the bodies, without a join: the (deciding organisation, state) index serves the queue.
    return Q(deciding_organisation__in=access.organisations_covered(grants)) & ~Q(cadre__user=user)


def can_decide_in(user: AnyUser, place: PartyOrganisation) -> bool:
    """May the user open the committee's table of a place's reviews? Members of a committee above the place (by their
    own posts, as can_decide); each row of the table is theirs to decide only where can_decide says so."""
    return access.holds(user, Action.DECIDE_RATING, place)


def can_confirm_in(user: AnyUser, place: PartyOrganisation) -> bool:
    """May the user open the head's table of a place's decisions? The head (secretary) of a committee above the
    place, or of the place itself where it decides its own members' ratings (a grassroots cell); each decision is
    theirs to confirm only where can_confirm_decision (and the three-people rule) says so."""
    if access.holds(user, Action.CONFIRM_DECISION, place):
        return True
    return place.kind in GRASSROOTS_KINDS and any(
        grant.organisation_id == place.pk and grant.persona in _SECRETARY_PERSONAS for grant in access.grants_for(user)
    )


def can_confirm_decision(user: AnyUser, review: Review) -> bool:
    """Only the head of the deciding body today: its secretary."""
    return not is_subject(user, review) and heads_body(user, review.deciding_organisation)


def heads_body(user: AnyUser, body: PartyOrganisation) -> bool:
    """Is the user the head of the body today (its secretary), who confirms its decisions? A table of a cell's
    decisions asks it once per deciding body (one query each)."""
    if not user.is_authenticated:
        return False
    head = access.secretary_user(body)
    return head is not None and head.pk == user.pk


def confirming_condition(user: AnyUser) -> Q | None:
    """Reviews whose deciding body the user heads by a secretary's post of their own (as can_confirm_decision),
    never their own review; None when they head no body."""
    headed = [grant.organisation_id for grant in access.grants_for(user) if grant.persona in _SECRETARY_PERSONAS]
    if not headed:
        return None
    return Q(deciding_organisation_id__in=headed) & ~Q(cadre__user=user)


def heads_a_body(user: AnyUser) -> bool:
    """Does the user head a committee (a secretary's post above a cell)? Their work list then shows the
    decisions waiting for confirmation even while there are none."""
    return access.holds_persona(user, Persona.COMMITTEE_HEAD)


def superior_of(review: Review) -> PartyOrganisation | None:
    parent: PartyOrganisation | None = PartyOrganisation.objects.get_parent(review.deciding_organisation)
    return parent


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
    parent: PartyOrganisation | None = PartyOrganisation.objects.get_parent(result_body(review, change))
    return parent


def result_appealed(review: Review, change: LevelChange | None) -> bool:
    """Was the result in force already appealed? Each result may be appealed once. `change` is the change of
    level in force (reviews.services.current_change), None while the confirmed decision stands."""
    return Appeal.objects.filter(review=review, contested_change=change).exists()


def result_appealed_annotation() -> "ExpressionWrapper[Q]":
    """The queryset twin of result_appealed, for a Review queryset: an appeal against the latest change of level,
    or against the confirmed decision while no change replaced it."""
    latest_change = (
        LevelChange.objects.filter(review=OuterRef(OuterRef("pk"))).order_by("-changed_at", "-pk").values("pk")[:1]
    )
    against_change = Appeal.objects.filter(review=OuterRef("pk"), contested_change=Subquery(latest_change))
    against_decision = Appeal.objects.filter(review=OuterRef("pk"), contested_change__isnull=True)
    changed = LevelChange.objects.filter(review=OuterRef("pk"))
    return ExpressionWrapper(
        Exists(against_change) | (Exists(against_decision) & ~Exists(changed)), output_field=BooleanField()
    )


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
    grants = access.grants_allowing(user, Action.DECIDE_RATING)
    if not any(grant.covers(appeal.resolving_organisation) for grant in grants):
        return False
    body = result_body(appeal.review, appeal.contested_change)
    if any(grant.organisation_id == body.pk for grant in grants):
        return False
    return not _made_contested_result(user, appeal)


def appeals_resolvable_by(user: AnyUser) -> QuerySet[Appeal] | None:
    """The queryset twin of can_resolve_appeal, for pending appeals of an outer Review queryset (`review` is the
    outer row): addressed within the user's deciding grants; not against a result of a body they sit on, nor one
    they decided, confirmed or changed themselves. None when the user decides nowhere."""
    addressed = access.holding_condition(user, Action.DECIDE_RATING, "resolving_organisation__")
    if addressed is None:
        return None
    bodies = {grant.organisation_id for grant in access.grants_allowing(user, Action.DECIDE_RATING)}
    own_body = Q(contested_change__organisation_id__in=bodies) | Q(
        contested_change__isnull=True, review__deciding_organisation_id__in=bodies
    )
    decided_by_user = Decision.objects.filter(review=OuterRef("review"), state=DecisionState.CONFIRMED).filter(
        Q(decided_by=user.pk) | Q(confirmed_by=user.pk)
    )
    made_by_user = Q(contested_change__changed_by=user.pk) | (
        Q(contested_change__isnull=True) & Exists(decided_by_user)
    )
    return (
        Appeal.objects.filter(addressed, review=OuterRef("pk"), state=AppealState.PENDING)
        .exclude(own_body)
        .exclude(made_by_user)
        .exclude(review__cadre__user=user.pk)
    )


# --- Who is told of each hand-off (reviews.services): the people the next step waits for ------------------------


def deciders_at(organisation_ids: list[int]) -> dict[int, list[User]]:
    """The members of each deciding body, by their own posts in it (not the committees above it, who may decide
    too but are not the body a cell reports to), by organisation id."""
    return access.accounts_acting_at(Action.DECIDE_RATING, organisation_ids)


def told_of_self_review(review: Review) -> list[User]:
    """Who reads a submitted self-review for the cell: the place's secretary; for the secretary's own review, the
    deputies and standing members who record in their stead (reviews.services.proposal_refusal)."""
    secretary = access.secretary_user(review.place)
    if secretary is not None and not is_subject(secretary, review):
        return [secretary]
    action = Action.RECORD_CELL_PROPOSAL if review.place.kind in CELL_KINDS else Action.DECIDE_RATING
    recorders = access.accounts_acting_at(action, [review.place_id]).get(review.place_id, [])
    return [user for user in recorders if can_record_proposal(user, review)]


def told_of_proposal(review: Review) -> list[User]:
    """Who decides on a proposal: the deciding body's members, never the subject."""
    deciders = deciders_at([review.deciding_organisation_id]).get(review.deciding_organisation_id, [])
    return [user for user in deciders if not is_subject(user, review)]


def told_of_appeal(appeal: Appeal) -> list[User]:
    """The members of the committee an appeal is addressed to who may resolve it (can_resolve_appeal)."""
    members = deciders_at([appeal.resolving_organisation_id]).get(appeal.resolving_organisation_id, [])
    return [user for user in members if can_resolve_appeal(user, appeal)]


def can_add_prompt_or_input(user: AnyUser, review: Review) -> bool:
    # Never the subject: a committee head who may open periods over their own cell must not comment on themself.
    return not is_subject(user, review) and (
        can_record_proposal(user, review)
        or can_decide(user, review)
        or access.can(user, Action.OPEN_REVIEW_PERIOD, review.cell)
    )


# --- Residence comments (Quy định 213-QĐ/TW): asked of the cell where a working member lives -----------------------
# The residence cell's secretary sees the request and answers it, nothing else of the member: their grant covers
# their own cell, not the member's, so the review, its inputs and the programme stay closed to them (404).


def can_record_residence_comment(user: AnyUser, comment: ResidenceComment) -> bool:
    """The secretary or deputy of the residence cell, by their own post (never a system administrator's account),
    never about themself."""
    return not is_subject(user, comment.review) and access.holds(
        user, Action.RECORD_RESIDENCE_COMMENT, comment.residence_cell
    )


def residence_requests_for(user: AnyUser) -> QuerySet[ResidenceComment]:
    """The queryset twin of can_record_residence_comment: the requests the user answers for their residence cells."""
    condition = access.holding_condition(user, Action.RECORD_RESIDENCE_COMMENT, "residence_cell__")
    if condition is None:
        return ResidenceComment.objects.none()
    return ResidenceComment.objects.filter(condition).exclude(review__cadre__user=user.pk)


def can_upload_residence_comment(user: AnyUser, comment: ResidenceComment) -> bool:
    """A comment obtained outside the portal is brought in by those who add comments to the member's review: the
    workplace cell's secretary, the deciding committee, period openers; never the member."""
    return can_add_prompt_or_input(user, comment.review)


def can_read_residence_comment(user: AnyUser, comment: ResidenceComment) -> bool:
    """Whoever reads the member's review, and the residence cell's secretary who answers it."""
    return can_view_review(user, comment.review) or can_record_residence_comment(user, comment)


def _residence_comments() -> QuerySet[ResidenceComment]:
    return ResidenceComment.objects.select_related(
        "residence_cell",
        "review__period",
        "review__cadre",
        "review__place",
        "review__cell",
        "review__deciding_organisation",
    )


def get_residence_request_for(user: AnyUser, pk: Any) -> ResidenceComment:
    """The request if the user answers it for the residence cell; else 404, whether or not it exists."""
    return access.get_or_404(user, _residence_comments(), pk, can_record_residence_comment)


def get_residence_comment_for(user: AnyUser, pk: Any) -> ResidenceComment:
    """The comment if the user may read it (can_read_residence_comment); else 404, whether or not it exists."""
    return access.get_or_404(user, _residence_comments(), pk, can_read_residence_comment)


def get_reviewed_residence_comment_for(user: AnyUser, pk: Any) -> ResidenceComment:
    """The comment seen from the member's review: 404 unless the user reads that review (the residence secretary,
    who does not, never reaches the workplace side's pages)."""
    return access.get_or_404(
        user, _residence_comments(), pk, lambda user, comment: can_view_review(user, comment.review)
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


def can_view_period(user: AnyUser, period: ReviewPeriod, *, reviews_seen: bool) -> bool:
    """Seeing a period is seeing some of its reviews (`reviews_seen`: the user may read one), or having opened it:
    overseers and other organisations learn nothing of it. The check behind periods_visible_to."""
    return reviews_seen or (user.is_authenticated and period.opened_by_id == user.pk) or is_superuser(user)


def can_export_reviews(user: AnyUser) -> bool:
    """A spreadsheet of a period's reviews (levels and grounds): those who read others' reviews by a post or role
    (never a plain member, who reads her own alone, nor an overseer), and the system administrator. What it holds
    is what the period's page shows them (reviews_visible_to)."""
    return is_superuser(user) or bool(_reader_grants(user))


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
        condition |= Q(kind__in=ORGANISATION_KINDS, organisation__in=access.organisations_covered(grants))
    return queryset.filter(condition)


def get_report_for(user: AnyUser, pk: Any) -> Report:
    """The report if the user may download it; else 404, whether or not it exists."""
    reports = Report.objects.select_related("organisation", "period", "review__place", "review__cell", "review__cadre")
    return access.get_or_404(user, reports, pk, can_download_report)


def current_individual_report(review: Review) -> Report | None:
    """The latest individual report of a review, for its page; whoever reads the review may download it."""
    if review.state not in REPORTABLE_STATES:
        return None
    return Report.objects.filter(review=review, kind=ReportKind.INDIVIDUAL, is_current=True).only("pk").first()
