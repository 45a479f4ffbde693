"""Reads for the programme pages, scoped to the user and joined once, so list pages keep a fixed query count."""

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from programmes import access
from programmes.access import AnyUser
from programmes.models import (
    ActionProgramme,
    Cadre,
    CommitmentTerms,
    Evidence,
    Notification,
    PartyPost,
    PostKind,
    ProgrammeVersion,
    ProgressReport,
    VersionState,
)
from programmes.models.action_programmes import PENDING_VERSION_STATES


def terms_prefetch(lookup: str = "terms") -> Prefetch[str, QuerySet[CommitmentTerms], str]:
    """A version's commitments in order, each with its lasting commitment and milestones."""
    return Prefetch(
        lookup,
        queryset=CommitmentTerms.objects.select_related("commitment")
        .prefetch_related("milestones")
        .order_by("position"),
    )


def progress_terms_prefetch(lookup: str) -> Prefetch[str, QuerySet[CommitmentTerms], str]:
    """A version's commitments in order with their lasting commitment: what the lists' progress figures read (their
    milestones are shown on the programme's page only)."""
    return Prefetch(lookup, queryset=CommitmentTerms.objects.select_related("commitment").order_by("position"))


def pending_versions_prefetch() -> Prefetch[str, QuerySet[ProgrammeVersion], str]:
    return Prefetch(
        "versions",
        queryset=ProgrammeVersion.objects.filter(state__in=PENDING_VERSION_STATES),
        to_attr="pending_versions",
    )


def programmes_owned_by(user: AnyUser) -> QuerySet[ActionProgramme]:
    """The user's own programmes, newest first, with what the list shows (progress of the version in force)."""
    if not user.is_authenticated:
        return ActionProgramme.objects.none()
    return (
        ActionProgramme.objects.filter(owner__user=user)
        .select_related("current_version", "organisation")
        .prefetch_related(progress_terms_prefetch("current_version__terms"), pending_versions_prefetch())
        .order_by("-created_at", "-pk")
    )


def programmes_readable_by(user: AnyUser) -> QuerySet[ActionProgramme]:
    """Programmes of others the user may read by role and publicity level (the unit's list)."""
    if not user.is_authenticated:
        return ActionProgramme.objects.none()
    return (
        access.programmes_visible_to(user)
        .exclude(owner__in=Cadre.objects.filter(user_id=user.pk).values("pk"))
        .filter(current_version__isnull=False)
        .select_related("owner", "current_version", "organisation")
        .prefetch_related(terms_prefetch("current_version__terms"))
        # The owner's folded name as the programme keeps it (`ActionProgramme.owner_name_folded`): the order is read
        # from the programme's own row, without joining every owner of a ward before keeping 25.
        .order_by("owner_name_folded", "-term_start", "pk")
    )


def readable_rows(ids: list[int]) -> QuerySet[ActionProgramme]:
    """The rows of one page of `programmes_readable_by` (ids found by `paginate_by_ids`), with what the list shows."""
    return (
        ActionProgramme.objects.filter(pk__in=ids)
        .select_related("owner", "current_version", "organisation")
        .prefetch_related(progress_terms_prefetch("current_version__terms"))
    )


def confirmation_queue(user: AnyUser) -> QuerySet[ProgrammeVersion]:
    """Versions waiting for this user: they are secretary of the confirming body today."""
    if not user.is_authenticated:
        return ProgrammeVersion.objects.none()
    today = timezone.localdate()
    holds_post = Q(
        confirming_organisation__positions__cadre__user=user,
        confirming_organisation__positions__post_kind=PostKind.PARTY,
        confirming_organisation__positions__party_post=PartyPost.SECRETARY,
        confirming_organisation__positions__start_date__lte=today,
    ) & (
        Q(confirming_organisation__positions__end_date__isnull=True)
        | Q(confirming_organisation__positions__end_date__gte=today)
    )
    return (
        ProgrammeVersion.objects.filter(holds_post, state=VersionState.SUBMITTED)
        .exclude(programme__owner__user=user)
        .select_related("programme__owner", "programme__organisation", "confirming_organisation")
        .distinct()
        .order_by("submitted_at", "pk")
    )


def version_for_display(programme: ActionProgramme, number: int) -> ProgrammeVersion | None:
    """One version of a programme the caller may already see, with its commitments joined."""
    return (
        programme.versions.filter(number=number)
        .select_related("confirmed_by", "confirmer", "confirming_organisation", "resubmission_of")
        .prefetch_related(terms_prefetch())
        .first()
    )


def unread_notifications(user: AnyUser) -> QuerySet[Notification]:
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user, read_at__isnull=True)


# The programme page lists the latest reports of each commitment; the full history is in the audit log.
REPORTS_PER_COMMITMENT = 5


def programme_versions(programme: ActionProgramme) -> QuerySet[ProgrammeVersion]:
    """Every version of a programme the caller may already see, oldest first, with who confirms it."""
    return programme.versions.select_related(
        "confirmer__cadre", "confirmed_by__cadre", "confirming_organisation"
    ).order_by("number")


def terms_with_progress_prefetch() -> Prefetch[str, QuerySet[CommitmentTerms], str]:
    """A version's commitments in order, with milestones, all evidence and the latest progress reports
    (as `commitment.latest_reports`, newest first).

    A fixed number of queries whatever the number of commitments, reports and files.
    """
    return Prefetch(
        "terms",
        queryset=CommitmentTerms.objects.select_related("commitment")
        .prefetch_related(
            "milestones",
            Prefetch(
                "commitment__progress_reports",
                queryset=ProgressReport.objects.order_by("-reported_at", "-pk")[:REPORTS_PER_COMMITMENT],
                # A sliced prefetch needs its own attribute: the related manager cannot filter a slice.
                to_attr="latest_reports",
            ),
            Prefetch(
                "commitment__evidence",
                queryset=Evidence.objects.select_related("archive").order_by("-uploaded_at", "-pk"),
            ),
        )
        .order_by("position"),
    )


def notifications_of(user: AnyUser) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")
