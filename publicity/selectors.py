"""Reads for the public pages: only what anyone may see, already joined, in a fixed number of queries.

The rule is the one `programmes.action_programmes.publication` states for one object (`is_public`,
`public_commitment`); the database keeps it for every programme in the stored flag `ActionProgramme.is_public`,
which lists, the feed and the sitemap filter on (an indexed column whose count PostgreSQL knows). Every page asks
the live data, or a cached part keyed by the stamps the services move (`public_stamps`): withdrawing consent or
lowering a level removes a programme from all of them at the next request. Nothing here reaches private details,
reviews or the audit log.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import pairwise

from django.core.cache import cache
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Concat, Substr
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.action_programmes.compare import ChangeKind, CommitmentChange, compare_versions
from programmes.action_programmes.progress import ProgrammeProgress, programme_progress
from programmes.action_programmes.public_stamps import listing_stamp
from programmes.models import (
    ActionProgramme,
    CommitmentTerms,
    Evidence,
    OrganisationKind,
    PartyOrganisation,
    ProgrammeState,
    ProgrammeVersion,
    ProgressReport,
    ProgressStatus,
    PublicityLevel,
    VersionState,
)
from programmes.text import fold
from publicity.models import CaseState, FeedbackCase

PUBLIC = PublicityLevel.PUBLIC
# The versions a reader may see of a programme: the one in force and those it replaced.
SHARED_VERSION_STATES = (VersionState.CONFIRMED, VersionState.SUPERSEDED)
# A search of more words than this is cut: each word is one more condition.
MAX_SEARCH_WORDS = 6
# What "recent" means for the changes page and the feed: older entries are not read at all.
RECENT_DAYS = 180


# --- The rule, as conditions ---------------------------------------------------------------------------------


def public_programme_q(prefix: str = "") -> Q:
    """`publication.is_public` as a condition on ActionProgramme (through `prefix`, e.g. "programme__"): the
    flag the database keeps from the same rule."""
    return Q(**{f"{prefix}is_public": True})


def public_commitment_q(prefix: str = "") -> Q:
    """The commitment's own cap of `publication.public_commitment`: none, or not below PUBLIC."""
    return Q(**{f"{prefix}publicity_cap__isnull": True}) | Q(**{f"{prefix}publicity_cap__gte": PUBLIC})


def public_programmes() -> QuerySet[ActionProgramme]:
    return ActionProgramme.objects.filter(public_programme_q())


def public_terms() -> QuerySet[CommitmentTerms]:
    """Terms of commitments shown in public, in order, with their commitment (status, value reached)."""
    return CommitmentTerms.objects.filter(public_commitment_q("commitment__")).select_related("commitment")


def _in_force_q(prefix: str = "") -> Q:
    """The commitment (through `prefix`) has terms in the version in force of its programme."""
    return Q(
        Exists(
            CommitmentTerms.objects.filter(
                commitment=OuterRef(f"{prefix}pk"), version=OuterRef(f"{prefix}programme__current_version")
            )
        )
    )


def _overdue_q() -> Q:
    """The programme has a public commitment in force past its deadline and not finished."""
    return Q(
        Exists(
            CommitmentTerms.objects.filter(
                public_commitment_q("commitment__"),
                version=OuterRef("current_version"),
                deadline__lt=timezone.localdate(),
            ).exclude(commitment__status__in=ProgressStatus.finished_values())
        )
    )


# --- The list of published programmes ------------------------------------------------------------------------


class StatusFilter(StrEnum):
    IN_PROGRESS = "dang-thuc-hien"
    CLOSED = "da-ket-thuc"


@dataclass(frozen=True)
class Filters:
    """What the visitor asked for; every part optional."""

    text: str = ""
    area: PartyOrganisation | None = None
    organisation_id: int | None = None
    occasion: str = ""
    status: str = ""
    overdue: bool = False


@dataclass
class Area:
    """A ward or commune committee with the number of programmes published in it."""

    organisation: PartyOrganisation
    published: int


# Seconds the per-area counts stay cached at most; a publication or withdrawal renews them at once (the stamp).
AREAS_CACHE_SECONDS = 600


def _published_by_path_prefix(length: int) -> dict[str, int]:
    """Published programmes counted by the first `length` characters of their organisation's path: one
    grouped query over the published rows (a ward's subtree shares its path as a prefix)."""
    rows = (
        public_programmes()
        .order_by()
        .annotate(prefix=Substr("organisation__path", 1, length))
        .values("prefix")
        .annotate(published=Count("pk"))
        .values_list("prefix", "published")
    )
    return dict(rows)


def _count_areas() -> list[Area]:
    wards = list(PartyOrganisation.objects.filter(kind=OrganisationKind.COMMUNE_COMMITTEE).order_by("name", "pk"))
    counts: dict[str, int] = {}
    for length in sorted({len(ward.path) for ward in wards}):  # one depth, in practice: one query
        counts.update(_published_by_path_prefix(length))
    return [Area(ward, counts[ward.path]) for ward in wards if counts.get(ward.path)]


def areas() -> list[Area]:
    """Ward and commune committees with at least one published programme in their subtree, from the cache or
    from two queries (the committees, the grouped counts)."""
    key = f"publicity:areas:{listing_stamp()}"
    cached = cache.get(key)
    if cached is None:
        cached = _count_areas()
        cache.set(key, cached, AREAS_CACHE_SECONDS)
    return list(cached)


@dataclass(frozen=True)
class OrganisationCount:
    pk: int
    name: str
    published: int


def organisations(area: PartyOrganisation | None, chosen_id: int | None = None) -> list[OrganisationCount]:
    """Party organisations holding published programmes in `area`, with their number; one query. Without an area,
    only the organisation `chosen_id` (an address shared with it alone keeps working), else none: the city has
    thousands, which a visitor narrows by choosing the ward first."""
    queryset = public_programmes()
    if area is not None:
        queryset = queryset.filter(organisation__path__startswith=area.path)
    elif chosen_id is not None:
        queryset = queryset.filter(organisation_id=chosen_id)
    else:
        return []
    rows = (
        queryset.order_by()
        .values("organisation_id", "organisation__name")
        .annotate(published=Count("pk"))
        .order_by("organisation__name", "organisation_id")
    )
    return [OrganisationCount(row["organisation_id"], row["organisation__name"], row["published"]) for row in rows]


def _search_q(text: str) -> Q | None:
    """Every word of `text`, without accents, begins a word of the owner's name, the position or the organisation.

    The programme keeps these folded in one column (`search_folded`, each word after a space), so that each word
    is one `LIKE '% word%'` on it: PostgreSQL answers them together from a trigram index; SQLite scans.
    """
    words = fold(text).split()[:MAX_SEARCH_WORDS]
    if not words:
        return None
    condition = Q()
    for word in words:
        condition &= Q(search_folded__contains=f" {word}")
    return condition


def programme_list(filters: Filters) -> QuerySet[ActionProgramme]:
    """Published programmes matching `filters`, by owner's name, each with its public commitments in force
    (for `public_progress`): the page's slice costs two queries whatever its length."""
    queryset = public_programmes()
    if filters.area is not None:
        queryset = queryset.filter(organisation__path__startswith=filters.area.path)
    if filters.organisation_id is not None:
        queryset = queryset.filter(organisation_id=filters.organisation_id)
    if filters.occasion:
        queryset = queryset.filter(occasion=filters.occasion)
    if filters.status == StatusFilter.IN_PROGRESS:
        queryset = queryset.filter(state=ProgrammeState.CONFIRMED)
    elif filters.status == StatusFilter.CLOSED:
        queryset = queryset.filter(state=ProgrammeState.CLOSED)
    if filters.overdue:
        queryset = queryset.filter(_overdue_q())
    search = _search_q(filters.text)
    if search is not None:
        queryset = queryset.filter(search)
    return (
        queryset.select_related("owner", "current_version")
        .prefetch_related(Prefetch("current_version__terms", queryset=public_terms().order_by("position")))
        .order_by(_name_order(filters.text), "-term_start", "pk")
    )


def _name_order(text: str) -> str | Concat:
    """By owner's name. Browsing and one-word searches read a page from the partial index
    `programme_public_by_name`. Several words match few programmes (about 700 of 75,000 for "nguyen van an"),
    clustered far along that index: walking it to the first match cost 60 ms at city scale, where sorting the
    matches found by the trigram index costs 5. An expression the index cannot serve makes PostgreSQL sort."""
    if len(fold(text).split()) < 2:
        return "owner_name_folded"
    return Concat("owner_name_folded", Value(""))


def public_progress(programme: ActionProgramme) -> ProgrammeProgress:
    """The weighted progress and overdue count over the public commitments in force (prefetched by the
    selectors above, so no query): a hidden commitment weighs nothing in what the public sees."""
    if programme.current_version is None:
        raise ValueError("a published programme has a version in force")
    return programme_progress(programme.current_version)


# --- One published programme ---------------------------------------------------------------------------------


def public_programme(pk: int) -> ActionProgramme:
    """The programme if it is published, else 404 (whether or not it exists)."""
    programme = public_programmes().select_related("owner").filter(pk=pk).first()
    if programme is None:
        raise Http404
    return programme


def _evidence_prefetch() -> Prefetch[str, QuerySet[Evidence], str]:
    return Prefetch(
        "commitment__evidence",
        queryset=Evidence.objects.filter(is_public=True).order_by("-uploaded_at", "-pk"),
        to_attr="public_evidence",
    )


def public_versions(programme: ActionProgramme) -> list[ProgrammeVersion]:
    """The confirmed versions of a published programme, oldest first, each with its public commitments,
    their milestones and public evidence: four queries whatever the number of versions and commitments."""
    return list(
        programme.versions.filter(state__in=SHARED_VERSION_STATES, confirmed_at__isnull=False)
        .prefetch_related(
            Prefetch(
                "terms",
                queryset=public_terms().prefetch_related("milestones", _evidence_prefetch()).order_by("position"),
            )
        )
        .order_by("number")
    )


@dataclass(frozen=True)
class Amendment:
    """A confirmed amendment as the public sees it: what changed against the version it replaced, and why."""

    version: ProgrammeVersion
    previous: ProgrammeVersion
    changes: list[CommitmentChange]


@dataclass
class AmendmentHistory:
    baseline: ProgrammeVersion
    current: ProgrammeVersion
    amendments: list[Amendment]
    # The registration next to the version in force, commitment by commitment (only those that differ).
    baseline_changes: list[CommitmentChange]
    # How many confirmed amendments moved each commitment's target (indicator, unit or value).
    target_changes: dict[int, int] = field(default_factory=dict)


def amendment_history(versions: Sequence[ProgrammeVersion], current_id: int) -> AmendmentHistory:
    """The public history of amendments from already-fetched versions (`public_versions`); no query."""
    current = next(version for version in versions if version.pk == current_id)
    # The version in force is the last one confirmed; the others are those it replaced, in order.
    in_effect = list(versions)
    amendments = []
    target_changes: dict[int, int] = {}
    for previous, version in pairwise(in_effect):
        changes = [change for change in compare_versions(previous, version) if change.kind != ChangeKind.UNCHANGED]
        amendments.append(Amendment(version, previous, changes))
        for change in changes:
            if change.target_changed:
                target_changes[change.commitment_id] = target_changes.get(change.commitment_id, 0) + 1
    baseline = in_effect[0]
    baseline_changes = (
        [change for change in compare_versions(baseline, current) if change.kind != ChangeKind.UNCHANGED]
        if baseline.pk != current.pk
        else []
    )
    return AmendmentHistory(baseline, current, amendments, baseline_changes, target_changes)


def public_evidence_file(pk: int) -> Evidence:
    """A public file of a public commitment in force of a published programme, else 404."""
    evidence = (
        Evidence.objects.filter(
            public_programme_q("commitment__programme__"),
            public_commitment_q("commitment__"),
            _in_force_q("commitment__"),
            pk=pk,
            is_public=True,
        )
        .exclude(file="")
        .first()
    )
    if evidence is None:
        raise Http404
    return evidence


# --- What changed recently -----------------------------------------------------------------------------------


class ChangeKindPublic(StrEnum):
    CONFIRMED = "confirmed"
    AMENDED = "amended"
    PROGRESS = "progress"


@dataclass(frozen=True)
class RecentChange:
    kind: ChangeKindPublic
    at: datetime.datetime
    # Unique and stable across requests: the feed's entry id.
    key: str
    programme_id: int
    programme_title: str
    owner_name: str
    organisation_name: str
    summary: str
    commitment_id: int | None = None

    @property
    def kind_label(self) -> str:
        return {
            ChangeKindPublic.CONFIRMED: _("Chương trình được xác nhận"),
            ChangeKindPublic.AMENDED: _("Điều chỉnh được xác nhận"),
            ChangeKindPublic.PROGRESS: _("Cập nhật tiến độ"),
        }[self.kind]


def _version_changes(limit: int, since: datetime.datetime) -> Iterable[RecentChange]:
    versions = (
        ProgrammeVersion.objects.filter(
            public_programme_q("programme__"), state__in=SHARED_VERSION_STATES, confirmed_at__gte=since
        )
        .select_related("programme__owner")
        .order_by("-confirmed_at", "-pk")[:limit]
    )
    for version in versions:
        programme = version.programme
        if version.is_amendment:
            kind = ChangeKindPublic.AMENDED
            summary = _("Phiên bản %(number)s có hiệu lực. Lý do điều chỉnh: %(reason)s") % {
                "number": version.number,
                "reason": version.amendment_reason,
            }
        else:
            kind = ChangeKindPublic.CONFIRMED
            summary = _("%(confirmer)s đã xác nhận chương trình.") % {
                "confirmer": version.confirmer_title or _("Người xác nhận")
            }
        if version.confirmed_at is None:  # excluded by the query; this tells the type checker
            continue
        yield RecentChange(
            kind=kind,
            at=version.confirmed_at,
            key=f"version-{version.pk}",
            programme_id=programme.pk,
            programme_title=programme.title,
            owner_name=programme.owner.full_name,
            organisation_name=programme.organisation_name,
            summary=summary,
        )


def _progress_changes(limit: int, since: datetime.datetime) -> Iterable[RecentChange]:
    terms_in_force = CommitmentTerms.objects.filter(
        commitment=OuterRef("commitment"), version=OuterRef("commitment__programme__current_version")
    )
    reports = (
        ProgressReport.objects.filter(
            public_programme_q("commitment__programme__"),
            public_commitment_q("commitment__"),
            Exists(terms_in_force),
            reported_at__gte=since,
        )
        .annotate(
            position=Subquery(terms_in_force.values("position")[:1]),
            statement=Subquery(terms_in_force.values("statement")[:1]),
        )
        .select_related("commitment__programme__owner")
        .order_by("-reported_at", "-pk")[:limit]
    )
    for report in reports:
        programme = report.commitment.programme
        summary = _("Nội dung %(position)s “%(statement)s”: %(status)s.") % {
            "position": report.position,
            "statement": report.statement,
            "status": report.get_status_display(),
        }
        yield RecentChange(
            kind=ChangeKindPublic.PROGRESS,
            at=report.reported_at,
            key=f"progress-{report.pk}",
            programme_id=programme.pk,
            programme_title=programme.title,
            owner_name=programme.owner.full_name,
            organisation_name=programme.organisation_name,
            summary=summary,
            commitment_id=report.commitment_id,
        )


def recent_changes(limit: int = 50) -> list[RecentChange]:
    """Confirmations, confirmed amendments and progress on public commitments of the last RECENT_DAYS, newest
    first; two queries, each read from the index of its date."""
    since = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    merged = [*_version_changes(limit, since), *_progress_changes(limit, since)]
    merged.sort(key=lambda change: (change.at, change.key), reverse=True)
    return merged[:limit]


# --- The sitemap ----------------------------------------------------------------------------------------------


def programmes_for_sitemap() -> QuerySet[ActionProgramme]:
    return public_programmes().only("pk", "updated_at").order_by("pk")


def answered_feedback(programme: ActionProgramme) -> list[FeedbackCase]:
    """The People's feedback on the programme that its oversight body answered, newest first; one query.

    Only what the body wrote for publication, the result and the cadre's reply go on the page: never the
    sender, nor the sender's own words, which may name other people."""
    return list(
        FeedbackCase.objects.filter(programme=programme, state=CaseState.ANSWERED)
        .only("kind", "commitment_id", "area__name", "body", "verification", "answer", "answered_at", "cadre_reply")
        .select_related("area")
        .order_by("-answered_at", "-pk")
    )
