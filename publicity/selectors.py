"""Reads for the public pages: only what anyone may see, already joined, in a fixed number of queries.

The rule is the one `programmes.action_programmes.publication` states for one object (`is_public`,
`public_commitment`); the database keeps it for every programme in the stored flag `ActionProgramme.is_public`,
which lists, the feed and the sitemap filter on (an indexed column whose count PostgreSQL knows). Every page asks
the live data, or a cached part keyed by the stamps the services move (`public_stamps`): withdrawing consent or
lowering a level removes a programme from all of them at the next request. Nothing here reaches private details,
reviews or the audit log.
"""

import dataclasses
import hashlib
import time
from collections.abc import Sequence
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
    Value,
)
from django.db.models.functions import Concat, Substr
from django.http import Http404
from django.utils import timezone

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
    ProgressStatus,
    PublicityLevel,
    VersionState,
)
from programmes.search import search_words, words_condition
from publicity.models import CaseState, FeedbackCase

PUBLIC = PublicityLevel.PUBLIC
# The versions a reader may see of a programme: the one in force and those it replaced.
SHARED_VERSION_STATES = (VersionState.CONFIRMED, VersionState.SUPERSEDED)
# As long as a shared cache may keep a public page (publicity.views.PUBLIC_MAX_AGE).
SEARCH_CACHE_SECONDS = 300


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


@dataclass(frozen=True)
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


# The areas this process read last, under their key, with the moment the shared copy expires: the key holds the
# shared listing stamp, so a publication or a withdrawal through any process renews them here too; kept in the
# process because taking the 168 committees out of the shared cache (a round trip and unpickling their rows) was a
# sixth of a public page's time. Wall-clock time, which every process shares.
_areas_read: dict[str, tuple[float, list[Area]]] = {}


def areas(stamp: str | None = None) -> list[Area]:
    """Ward and commune committees with at least one published programme in their subtree, from the cache or
    from two queries (the committees, the grouped counts). `stamp`: the listing's, when the caller has read it."""
    key = f"publicity:areas:{stamp or listing_stamp()}"
    kept = _areas_read.get(key)
    if kept is None or kept[0] <= time.time():
        shared = cache.get(key)
        if isinstance(shared, tuple) and shared[0] > time.time():
            kept = shared
        else:
            kept = (time.time() + AREAS_CACHE_SECONDS, _count_areas())
            cache.set(key, kept, AREAS_CACHE_SECONDS)
        _areas_read.clear()
        _areas_read[key] = kept
    return list(kept[1])


@dataclass(frozen=True)
class OrganisationCount:
    pk: int
    name: str
    published: int


def organisations(
    area: PartyOrganisation | None, chosen_id: int | None = None, stamp: str | None = None
) -> list[OrganisationCount]:
    """Party organisations holding published programmes in `area`, with their number: from the cache, as the areas'
    counts are kept (a publication or a withdrawal renews them at once), or one query. Without an area, only the
    organisation `chosen_id` (an address shared with it alone keeps working), else none: the city has thousands,
    which a visitor narrows by choosing the ward first."""
    if area is None:
        return _count_organisations(None, chosen_id)
    key = f"publicity:organisations:{stamp or listing_stamp()}:{area.pk}"
    cached: list[OrganisationCount] | None = cache.get(key)
    if cached is None:
        cached = _count_organisations(area, None)
        cache.set(key, cached, AREAS_CACHE_SECONDS)
    return list(cached)


def _count_organisations(area: PartyOrganisation | None, chosen_id: int | None) -> list[OrganisationCount]:
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
    if not search_words(text):
        return None
    return words_condition("search_folded", text, word_start=True)


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
    return _with_list_rows(queryset).order_by(*_list_order(filters))


def programme_page_ids(filters: Filters, start: int, stop: int) -> list[int]:
    """The ids of rows `start` to `stop` of `programme_list`, in its order, in one query: chosen and sorted on the
    programmes' own rows (a search for "nguyen van an" sorts 700 matches; joining every one of them to its owner
    and version before keeping 21 cost a third of its time)."""
    ids = programme_list(filters).select_related(None).prefetch_related(None).values_list("pk", flat=True)
    return list(ids[start:stop])


def searched_page_ids(filters: Filters, start: int, stop: int, stamp: str | None = None) -> list[int]:
    """`programme_page_ids`, kept in the cache for a search by words (with or without a ward, an organisation or an
    occasion) under the listing's stamp: the stamp moves whenever a programme enters or leaves the public pages, so a
    withdrawn one is never found again, while a common name asked again (the search a city's visitors repeat most)
    is not matched against the trigram index each time. Not kept: browsing without words (read from the index by
    name at once) and the status and overdue filters (they follow a programme's closing, its progress and the day,
    which do not move the listing's stamp). The cache's time bounds what no service announces (a new name)."""
    words = search_words(filters.text)
    if not words or filters.status or filters.overdue:
        return programme_page_ids(filters, start, stop)
    # Every filter, so that one added later is in the key too; the words as the query reads them (with or without
    # accents, the same programmes), the area by its id.
    asked = {field.name: getattr(filters, field.name) for field in dataclasses.fields(filters)}
    asked.update(text=words, area=filters.area.pk if filters.area is not None else None, rows=(start, stop))
    digest = hashlib.sha256(repr(sorted(asked.items())).encode()).hexdigest()[:32]
    key = f"publicity:search:{stamp or listing_stamp()}:{digest}"
    ids: list[int] | None = cache.get(key)
    if ids is None:
        ids = programme_page_ids(filters, start, stop)
        cache.set(key, ids, SEARCH_CACHE_SECONDS)
    return ids


def programmes_by_id(ids: Sequence[int]) -> dict[int, ActionProgramme]:
    """Those of the programmes `ids` still published, with what a card of the list shows: two queries."""
    rows = _with_list_rows(public_programmes().filter(pk__in=list(ids))).order_by()
    return {programme.pk: programme for programme in rows}


def _with_list_rows(queryset: QuerySet[ActionProgramme]) -> QuerySet[ActionProgramme]:
    """What a card of the list shows: the owner, the version in force and its public commitments."""
    return queryset.select_related("owner", "current_version").prefetch_related(
        Prefetch("current_version__terms", queryset=public_terms().order_by("position"))
    )


def _list_order(filters: Filters) -> tuple[str | Concat, str, str]:
    return (_name_order(filters), "-term_start", "pk")


def _name_order(filters: Filters) -> str | Concat:
    """By owner's name. Browsing the city and one-word searches read a page from the partial index
    `programme_public_by_name`. Several words match few programmes (about 700 of 75,000 for "nguyen van an"),
    clustered far along that index: walking it to the first match cost 60 ms at city scale, where sorting the
    matches found by the trigram index costs 5. A ward or an organisation is the same: a ward holds about 1% of the
    city's published programmes, so a page of them is about 2,000 rows along the city's index (13 ms), where its
    ~600 rows, found by organisation and sorted, take 3. An expression the index cannot serve makes PostgreSQL sort."""
    narrowed = filters.area is not None or filters.organisation_id is not None
    if len(search_words(filters.text)) < 2 and not narrowed:
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


# --- An area ---------------------------------------------------------------------------------------------------


def public_area(pk: int) -> PartyOrganisation:
    """A ward or commune committee, whose published programmes an area's pages list, else 404."""
    area = PartyOrganisation.objects.filter(pk=pk, kind=OrganisationKind.COMMUNE_COMMITTEE).first()
    if area is None:
        raise Http404
    return area


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
