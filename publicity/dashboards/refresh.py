"""Counting the dashboards' figures ahead, so that a city's dashboard reads a few rows as a ward's does.

A refresh counts, for every organisation of the subtrees it covers, what is counted in the organisation itself (the
OWN rows of `OrganisationSummary`), then sums them over each subtree (SUBTREE rows) for those organisations and every
organisation above them. Every figure comes from a fixed number of grouped queries over the whole covered part of the
tree, never one query per organisation: the members, the commitments (staff and public figures together), the reviews,
the quota, the cases, the published programmes; then one grouped query by path prefix per depth of the tree for the
sums. What each figure means:

- members and members with a confirmed programme: the current memberships of a cell;
- commitments: the terms in force of the confirmed programmes registered in the organisation, by their latest progress
  status (programmes.models.ProgressStatus); overdue and due soon as `CommitmentTerms.is_overdue` says, overdue without
  any evidence, stalled when nothing was reported for settings.DASHBOARD_STALLED_DAYS;
- reviews: those of each cell's latest period (ad hoc reviews apart), by state, and the level each stands at
  (reviews.quota.standing_level);
- the quota: each deciding organisation's picture in its latest period (reviews.quota), as the decision checks it;
- cases: citizens' feedback about the programmes registered in the organisation once the oversight body took it up
  (the party side knows nothing of a case before, publicity.access), by state, those being handled by age;
- public: the published programmes and their public commitments in force (publicity.selectors' rule).

Two runs: `refresh_all` (the nightly beat, what time alone changes: overdue, stalled) and `refresh_marked` (the
subtrees marked by the services since the last run). Writing is serialised by locking the rows written, in one order;
an OWN row counted before a later run wrote it is not written back over it.
"""

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, PositiveIntegerField, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from programmes import summary_marks
from programmes.action_programmes.public_stamps import summaries_changed
from programmes.models import (
    ActionProgramme,
    CommitmentTerms,
    Evidence,
    Membership,
    PartyOrganisation,
    ProgrammeState,
    ProgressStatus,
    SummaryMark,
)
from publicity.access import OWNER_VISIBLE_STATES
from publicity.models import CaseState, FeedbackCase, OrganisationSummary
from publicity.selectors import public_commitment_q, public_programmes
from reviews import quota, rules
from reviews.models import PeriodKind, RatingLevel, Review, ReviewPeriod, ReviewState

logger = logging.getLogger(__name__)

Scope = OrganisationSummary.Scope
# Every figure of a summary row, in the model's order.
COUNT_FIELDS: tuple[str, ...] = tuple(
    field.name for field in OrganisationSummary._meta.concrete_fields if isinstance(field, PositiveIntegerField)
)
STATUS_FIELDS = {
    ProgressStatus.NOT_STARTED: "not_started",
    ProgressStatus.ON_TRACK: "on_track",
    ProgressStatus.AT_RISK: "at_risk",
    ProgressStatus.DONE: "done",
    ProgressStatus.EXCEEDED: "exceeded",
    ProgressStatus.DROPPED: "dropped",
}
REVIEW_STATE_FIELDS = {state: f"reviews_{state}" for state in ReviewState.values}
LEVEL_FIELDS = {level: f"level_{level}" for level in RatingLevel.values}
# The cases the party side may know of: those the oversight body took up (a case turned down never reaches it).
CASE_STATES = tuple(CaseState(state) for state in OWNER_VISIBLE_STATES)
CASE_STATE_FIELDS = {state: f"cases_{state}" for state in CASE_STATES}
WRITE_BATCH = 1000

Counts = dict[str, int]


@dataclass(frozen=True)
class Outcome:
    """What one refresh did: the organisations counted again, and the summary rows written."""

    counted: int
    written: int

    def as_dict(self) -> dict[str, int]:
        return {"counted": self.counted, "written": self.written}


# --- Runs ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """What a run counts again: whole subtrees (their roots' paths) and single organisations (by id); the whole
    tree when `whole`."""

    subtrees: tuple[str, ...] = ()
    singles: tuple[int, ...] = ()
    whole: bool = False

    def rows(self, path: str, pk: str) -> Q:
        """Rows whose organisation (its path field `path`, its id field `pk`) lies in this part."""
        if self.whole:
            return Q()
        condition = Q(**{f"{pk}__in": list(self.singles)})
        for root in self.subtrees:
            condition |= Q(**{f"{path}__startswith": root})
        return condition


WHOLE = Part(whole=True)


def refresh_all() -> Outcome:
    """Count the whole tree again (the nightly run): the marks waiting are covered by it and dropped first."""
    claimed = _claim_marks()
    try:
        return _refresh(WHOLE)
    except BaseException:
        _restore(claimed)
        raise


def refresh_marked() -> Outcome | None:
    """Count again the organisations and subtrees marked since the last run; None when nothing was marked (another
    run took the marks)."""
    claimed = _claim_marks()
    if not claimed:
        return None
    try:
        # Sums are made of every organisation's OWN row: before the first whole count there are none to add to.
        return _refresh(_part(claimed) if _counted_before() else WHOLE)
    except BaseException:
        # The changes these marks stood for are counted nowhere yet: the next run takes them again.
        _restore(claimed)
        raise


def _counted_before() -> bool:
    """Whether the whole tree was counted once (a new portal's first changes come before its first night)."""
    return OrganisationSummary.objects.filter(scope=Scope.OWN, organisation__depth=1).exists()


def _claim_marks() -> list[tuple[int, bool]]:
    """Take every mark waiting, as (organisation, subtree), in one short transaction. The lock waits for a service
    still writing a mark (its upsert holds the row), so that the counting, which starts after this commits, sees
    that service's change."""
    with transaction.atomic():
        marks = list(
            SummaryMark.objects.select_for_update().order_by("pk").values_list("pk", "organisation_id", "subtree")
        )
        SummaryMark.objects.filter(pk__in=[pk for pk, _organisation, _subtree in marks]).delete()
    return sorted({(organisation, subtree) for _pk, organisation, subtree in marks})


def _restore(claimed: list[tuple[int, bool]]) -> None:
    summary_marks.mark(
        (organisation for organisation, subtree in claimed if not subtree),
        subtrees=(organisation for organisation, subtree in claimed if subtree),
    )


def _part(claimed: list[tuple[int, bool]]) -> Part:
    """The marks as a part of the tree: the outermost subtrees, and the single organisations outside them."""
    paths = dict(PartyOrganisation.objects.filter(pk__in={pk for pk, _subtree in claimed}).values_list("pk", "path"))
    roots = _outermost(paths[pk] for pk, subtree in claimed if subtree and pk in paths)
    singles = {pk for pk, subtree in claimed if not subtree and pk in paths and not _inside(paths[pk], roots)}
    return Part(subtrees=tuple(roots), singles=tuple(sorted(singles)))


def _inside(path: str, roots: Iterable[str]) -> bool:
    return any(path.startswith(root) for root in roots)


def _outermost(paths: Iterable[str]) -> list[str]:
    """The paths not inside another one's subtree."""
    roots: list[str] = []
    for path in sorted(set(paths)):
        if not roots or not path.startswith(roots[-1]):
            roots.append(path)
    return roots


def _refresh(part: Part) -> Outcome:
    """Count the organisations of `part` and write their rows, and the sums of every subtree holding them."""
    started = timezone.now()
    covered = list(
        PartyOrganisation.objects.filter(part.rows("path", "pk")).order_by("path").values_list("pk", "path", "depth")
    )
    own = _own_counts(part, started)
    above = _above(part, [path for _pk, path, _depth in covered])
    with transaction.atomic():
        existing = _lock_rows(None if part.whole else [pk for pk, _path, _depth in (*covered, *above)])
        own_rows = [
            OrganisationSummary(organisation_id=pk, scope=Scope.OWN, refreshed_at=started, **own.get(pk, {}))
            for pk, _path, _depth in covered
            # A run that started later wrote this row already, from newer facts.
            if existing.get((pk, Scope.OWN), started) <= started
        ]
        _write(own_rows)
        roots = None if part.whole else _outermost(path for _pk, path, _depth in covered)
        subtree_rows = _subtree_rows([*covered, *above], roots, timezone.now())
        _write(subtree_rows)
    transaction.on_commit(summaries_changed)
    return Outcome(counted=len(covered), written=len(own_rows) + len(subtree_rows))


def _above(part: Part, paths: list[str]) -> list[tuple[int, str, int]]:
    """(id, path, depth) of the organisations above those counted, whose sums change with them."""
    if part.whole:
        return []
    step = PartyOrganisation.steplen
    counted = set(paths)
    prefixes = {path[:length] for path in paths for length in range(step, len(path), step)} - counted
    above = PartyOrganisation.objects.filter(path__in=prefixes).order_by("path")
    return list(above.values_list("pk", "path", "depth"))


# --- Writing -------------------------------------------------------------------------------------------------------


def _lock_rows(organisation_ids: list[int] | None) -> dict[tuple[int, str], datetime.datetime]:
    """Lock the summary rows about to be written (every row when None), in one order (organisation, scope) so that
    two runs never wait on each other in turn; their refresh times, by (organisation, scope)."""
    locked = OrganisationSummary.objects.select_for_update()
    if organisation_ids is not None:
        locked = locked.filter(organisation_id__in=organisation_ids)
    rows = locked.order_by("organisation_id", "scope").values_list("organisation_id", "scope", "refreshed_at")
    return {(organisation, scope): refreshed for organisation, scope, refreshed in rows}


def _write(rows: list[OrganisationSummary]) -> None:
    OrganisationSummary.objects.bulk_create(
        rows,
        batch_size=WRITE_BATCH,
        update_conflicts=True,
        unique_fields=["organisation", "scope"],
        update_fields=[*COUNT_FIELDS, "refreshed_at"],
    )


def _anchored(roots: list[str] | None, length: int) -> Q:
    """The OWN rows to sum at the depth of paths `length` long: those of the subtrees counted, and of the organisation
    above each at that depth (every row when `roots` is None)."""
    if roots is None:
        return Q()
    condition = Q(pk__in=[])
    for anchor in _outermost(root[:length] for root in roots):
        condition |= Q(organisation__path__startswith=anchor)
    return condition


def _subtree_rows(
    organisations: list[tuple[int, str, int]], roots: list[str] | None, refreshed_at: datetime.datetime
) -> list[OrganisationSummary]:
    """The SUBTREE row of each organisation: the sum of the OWN rows of its subtree, read under the lock, by one
    grouped query by path prefix per depth of the tree (the city's tree is five or six deep). `roots`: the subtrees
    whose OWN rows changed (None: all of them)."""
    by_path = {path: pk for pk, path, _depth in organisations}
    step = PartyOrganisation.steplen
    sums: dict[str, Counts] = {}
    for depth in sorted({depth for _pk, _path, depth in organisations}):
        length = depth * step
        rows = (
            OrganisationSummary.objects.filter(
                _anchored(roots, length), scope=Scope.OWN, organisation__depth__gte=depth
            )
            .annotate(prefix=Substr("organisation__path", 1, length))
            .values("prefix")
            .annotate(**{name: Sum(name) for name in COUNT_FIELDS})
            .order_by()
        )
        found: Iterable[Mapping[str, Any]] = rows
        for row in found:
            prefix = str(row["prefix"])
            if prefix in by_path:
                sums[prefix] = {name: int(row[name] or 0) for name in COUNT_FIELDS}
    return [
        OrganisationSummary(organisation_id=pk, scope=Scope.SUBTREE, refreshed_at=refreshed_at, **sums.get(path, {}))
        for path, pk in by_path.items()
    ]


# --- Counting ------------------------------------------------------------------------------------------------------


def _own_counts(part: Part, now: datetime.datetime) -> dict[int, Counts]:
    """What is counted in each organisation of `part` itself, by organisation id: seven queries."""
    own: dict[int, Counts] = defaultdict(lambda: defaultdict(int))
    _add_rows(own, _members(part), "cell")
    _add_rows(own, _commitments(part, now), "organisation")
    _add_reviews(own, part)
    _add_quota(own, part)
    _add_rows(own, _cases(part, now), "organisation")
    _add_rows(own, _published(part), "organisation")
    return own


def _add_rows(own: dict[int, Counts], rows: Iterable[Mapping[str, Any]], key: str) -> None:
    for row in rows:
        counts = own[row[key]]
        for name, value in row.items():
            if name != key:
                counts[name] += value or 0


def _members(part: Part) -> Iterable[Mapping[str, Any]]:
    confirmed = ActionProgramme.objects.filter(owner=OuterRef("cadre"), state=ProgrammeState.CONFIRMED)
    return (
        Membership.objects.filter(part.rows("cell__path", "cell_id"), end_date__isnull=True)
        .values("cell")
        .annotate(members=Count("pk"), members_with_programme=Count("pk", filter=Q(Exists(confirmed))))
        .order_by()
    )


def _commitments(part: Part, now: datetime.datetime) -> Iterable[Mapping[str, Any]]:
    """The terms in force of confirmed programmes (staff figures) and of published ones (public figures), in one
    pass over the terms, by the programme's organisation."""
    today = timezone.localdate(now)
    soon = today + datetime.timedelta(days=settings.DASHBOARD_DUE_SOON_DAYS)
    quiet_since = now - datetime.timedelta(days=settings.DASHBOARD_STALLED_DAYS)
    unfinished = ~Q(commitment__status__in=sorted(ProgressStatus.finished_values()))
    overdue = Q(deadline__lt=today) & unfinished
    due_soon = Q(deadline__gte=today, deadline__lte=soon) & unfinished
    no_evidence = ~Q(Exists(Evidence.objects.filter(commitment=OuterRef("commitment"))))
    quiet = Q(commitment__last_reported_at__lt=quiet_since) | Q(
        commitment__last_reported_at__isnull=True, version__confirmed_at__lt=quiet_since
    )
    staff = Q(version__programme__state=ProgrammeState.CONFIRMED)
    public = Q(version__programme__is_public=True) & public_commitment_q("commitment__")
    figures = {
        "commitments": Count("pk", filter=staff),
        "overdue": Count("pk", filter=staff & overdue),
        "due_soon": Count("pk", filter=staff & due_soon),
        # The cheap conditions first: the evidence is looked up for the overdue commitments alone.
        "overdue_without_evidence": Count("pk", filter=staff & overdue & no_evidence),
        "stalled": Count("pk", filter=staff & unfinished & quiet),
        "public_commitments": Count("pk", filter=public),
        "public_overdue": Count("pk", filter=public & overdue),
        "public_due_soon": Count("pk", filter=public & due_soon),
    }
    for status, name in STATUS_FIELDS.items():
        figures[f"commitments_{name}"] = Count("pk", filter=staff & Q(commitment__status=status))
        figures[f"public_{name}"] = Count("pk", filter=public & Q(commitment__status=status))
    return (
        CommitmentTerms.objects.filter(
            part.rows("version__programme__organisation__path", "version__programme__organisation_id"),
            version__programme__current_version=F("version"),
            version__programme__state__in=[ProgrammeState.CONFIRMED, ProgrammeState.CLOSED],
        )
        .values(organisation=F("version__programme__organisation"))
        .annotate(**figures)
        .order_by()
    )


def _add_reviews(own: dict[int, Counts], part: Part) -> None:
    """The reviews of each cell's latest period by state, and the level each stands at: one grouped query."""
    rows = list(
        Review.objects.filter(part.rows("cell__path", "cell_id"))
        .exclude(period__kind=PeriodKind.AD_HOC)
        .annotate(standing=quota.standing_level())
        .values("cell", "period", "period__covers_to", "state", "standing")
        .annotate(number=Count("pk"))
        .order_by()
    )
    periods: dict[int, set[tuple[datetime.date, int]]] = defaultdict(set)
    for row in rows:
        periods[row["cell"]].add((row["period__covers_to"], row["period"]))
    latest = {cell: max(found)[1] for cell, found in periods.items()}
    for row in rows:
        if row["period"] != latest[row["cell"]]:
            continue
        counts = own[row["cell"]]
        counts[REVIEW_STATE_FIELDS[row["state"]]] += row["number"]
        if row["standing"]:
            counts[LEVEL_FIELDS[row["standing"]]] += row["number"]


def _add_quota(own: dict[int, Counts], part: Part) -> None:
    """Each deciding organisation's quota in its latest period, as reviews.rules checks a decision against it."""
    deciding = part.rows("deciding_organisation__path", "deciding_organisation_id")
    reviews = Review.objects.filter(deciding).exclude(period__kind=PeriodKind.AD_HOC)
    pictures = quota.pictures_by_period(reviews)
    periods = ReviewPeriod.objects.filter(pk__in={period for _organisation, period in pictures}).select_related(
        "rule_set"
    )
    by_id = {period.pk: period for period in periods}
    latest: dict[int, ReviewPeriod] = {}
    for organisation, period_id in pictures:
        period = by_id[period_id]
        known = latest.get(organisation)
        if known is None or (period.covers_to, period.pk) > (known.covers_to, known.pk):
            latest[organisation] = period
    for organisation, period in latest.items():
        status = rules.decided_quota(period.rule_set, pictures[(organisation, period.pk)])
        counts = own[organisation]
        counts["quota_organisations"] += 1
        counts["quota_excellent"] += status.excellent
        counts["quota_good"] += status.good
        if status.allowed is not None:
            counts["quota_limited"] += 1
            counts["quota_allowed"] += status.allowed
            counts["quota_over"] += status.exceeded


def _cases(part: Part, now: datetime.datetime) -> Iterable[Mapping[str, Any]]:
    today = timezone.localdate(now)
    week, month = now - datetime.timedelta(days=7), now - datetime.timedelta(days=30)
    still_open = Q(state__in=[CaseState.ACCEPTED, CaseState.FORWARDED])
    figures = {name: Count("pk", filter=Q(state=state)) for state, name in CASE_STATE_FIELDS.items()}
    figures |= {
        "cases_open_week": Count("pk", filter=still_open & Q(submitted_at__gte=week)),
        "cases_open_month": Count("pk", filter=still_open & Q(submitted_at__lt=week, submitted_at__gte=month)),
        "cases_open_older": Count("pk", filter=still_open & Q(submitted_at__lt=month)),
        "cases_overdue": Count("pk", filter=still_open & Q(due_on__lt=today)),
    }
    return (
        FeedbackCase.objects.filter(
            part.rows("programme__organisation__path", "programme__organisation_id"), state__in=CASE_STATES
        )
        .values(organisation=F("programme__organisation"))
        .annotate(**figures)
        .order_by()
    )


def _published(part: Part) -> Iterable[Mapping[str, Any]]:
    return (
        public_programmes()
        .filter(part.rows("organisation__path", "organisation_id"))
        .values("organisation")
        .annotate(public_programmes=Count("pk"))
        .order_by()
    )
