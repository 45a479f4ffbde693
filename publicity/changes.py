"""What changed recently on the public pages: confirmations, confirmed amendments and progress on public commitments,
as the changes page, the site's, a programme's and an area's Atom feeds and the followers' e-mails tell them.

Read live under the same rule as every public page (publicity.selectors): a programme no longer published, or a
commitment capped below the public, is never told.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.models import ActionProgramme, CommitmentTerms, ProgrammeVersion, ProgressReport
from publicity.selectors import (
    SHARED_VERSION_STATES,
    public_commitment_q,
    public_programme_q,
    public_programmes,
)

# What "recent" means for the changes page and the feeds: older entries are not read at all.
RECENT_DAYS = 180


class ChangeKindPublic(StrEnum):
    CONFIRMED = "confirmed"
    AMENDED = "amended"
    PROGRESS = "progress"
    # Told to followers only (publicity.follow); the pages and feeds list versions and progress.
    PUBLISHED = "published"


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

    @classmethod
    def about(
        cls,
        programme: ActionProgramme,
        *,
        kind: ChangeKindPublic,
        at: datetime.datetime,
        key: str,
        summary: str,
        commitment_id: int | None = None,
    ) -> "RecentChange":
        """A change of `programme`, named as every page and feed names it."""
        return cls(
            kind=kind,
            at=at,
            key=key,
            programme_id=programme.pk,
            programme_title=programme.title,
            owner_name=programme.owner.full_name,
            organisation_name=programme.organisation_name,
            summary=summary,
            commitment_id=commitment_id,
        )

    @property
    def kind_label(self) -> str:
        return {
            ChangeKindPublic.CONFIRMED: _("Chương trình được xác nhận"),
            ChangeKindPublic.AMENDED: _("Điều chỉnh được xác nhận"),
            ChangeKindPublic.PROGRESS: _("Cập nhật tiến độ"),
            ChangeKindPublic.PUBLISHED: _("Chương trình mới được công khai"),
        }[self.kind]


@dataclass(frozen=True)
class ChangeScope:
    """Whose changes are read: one programme's, an area's (a ward or commune committee's subtree), or all."""

    programme_id: int | None = None
    area_path: str | None = None

    def q(self, prefix: str) -> Q:
        """The condition on the programme, reached through `prefix` ("programme__")."""
        condition = Q()
        if self.programme_id is not None:
            condition &= Q(**{f"{prefix}pk": self.programme_id})
        if self.area_path is not None:
            condition &= Q(**{f"{prefix}organisation__path__startswith": self.area_path})
        return condition


EVERYWHERE = ChangeScope()


def _version_changes(limit: int, since: datetime.datetime | None, where: Q) -> Iterable[RecentChange]:
    """Confirmed versions of published programmes matching `where` (on the version), newest first."""
    dated = Q(confirmed_at__gte=since) if since is not None else Q(confirmed_at__isnull=False)
    versions = ProgrammeVersion.objects.filter(
        where, dated, public_programme_q("programme__"), state__in=SHARED_VERSION_STATES
    )
    for version in versions.select_related("programme__owner").order_by("-confirmed_at", "-pk")[:limit]:
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
        yield RecentChange.about(
            programme,
            kind=kind,
            at=version.confirmed_at,
            key=f"version-{version.pk}",
            summary=summary,
        )


def _progress_changes(limit: int, since: datetime.datetime | None, where: Q) -> Iterable[RecentChange]:
    """Progress reports matching `where` (on the report) on public commitments in force of published programmes,
    newest first."""
    terms_in_force = CommitmentTerms.objects.filter(
        commitment=OuterRef("commitment"), version=OuterRef("commitment__programme__current_version")
    )
    reports = ProgressReport.objects.filter(
        where,
        public_programme_q("commitment__programme__"),
        public_commitment_q("commitment__"),
        Exists(terms_in_force),
    )
    if since is not None:
        reports = reports.filter(reported_at__gte=since)
    reports = (
        reports.annotate(
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
        yield RecentChange.about(
            programme,
            kind=ChangeKindPublic.PROGRESS,
            at=report.reported_at,
            key=f"progress-{report.pk}",
            summary=summary,
            commitment_id=report.commitment_id,
        )


def recent_changes(limit: int = 50, scope: ChangeScope = EVERYWHERE) -> list[RecentChange]:
    """Confirmations, confirmed amendments and progress on public commitments of the last RECENT_DAYS within
    `scope`, newest first; two queries, each read from the index of its date."""
    since = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    merged = [
        *_version_changes(limit, since, scope.q("programme__")),
        *_progress_changes(limit, since, scope.q("commitment__programme__")),
    ]
    merged.sort(key=lambda change: (change.at, change.key), reverse=True)
    return merged[:limit]


def version_change(version_id: int) -> RecentChange | None:
    """One confirmed version as the pages tell it, or None unless its programme is published; one query."""
    return next(iter(_version_changes(1, None, Q(pk=version_id))), None)


def progress_change(report_id: int) -> RecentChange | None:
    """One progress report as the pages tell it, or None unless the public sees its commitment; one query."""
    return next(iter(_progress_changes(1, None, Q(pk=report_id))), None)


def publication_change(programme_id: int) -> RecentChange | None:
    """A programme that entered the public pages, told as news of its area, or None unless it is published."""
    programme = public_programmes().select_related("owner").filter(pk=programme_id).first()
    if programme is None:
        return None
    return RecentChange.about(
        programme,
        kind=ChangeKindPublic.PUBLISHED,
        at=programme.updated_at,
        key=f"published-{programme.pk}",
        summary=_("Chương trình hành động của đồng chí %(owner)s (%(organisation)s) được công khai.")
        % {"owner": programme.owner.full_name, "organisation": programme.organisation_name},
    )
