"""Keeping a copy of every page given as evidence: asked for when the link is attached, fetched in the background
(programmes.tasks.archive_evidence_link) through the guarded fetcher (link_fetch), stored with its SHA-256.

What the rating rested on must survive the page changing or vanishing. A link the fetcher refuses (a private
address, too large, not a page) fails at once with the reason; one that could not be reached is tried again, at
most EVIDENCE_ARCHIVE_MAX_ATTEMPTS times in all, counted on the row so that a redelivered task counts too.
"""

import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes import outbox
from programmes.action_programmes.link_fetch import Fetched, FetchFailed, FetchRefused, fetch_copy
from programmes.action_programmes.notifications import in_portal_language
from programmes.audit import audit_record
from programmes.audit_actions import ProgrammeAction
from programmes.models import ArchiveState, Evidence, LinkArchive

ARCHIVE_TASK = "programmes.tasks.archive_evidence_link"
# What `link_archive_fetch` did; RETRY asks the task to try again later.
ARCHIVED, FAILED, RETRY, SKIPPED = "archived", "failed", "retry", "skipped"


def link_archive_request(evidence: Evidence) -> LinkArchive:
    """Ask, in the caller's transaction, for a copy of the page `evidence` links to (the owner's report that
    attached it checked who may); the request commits or rolls back with the report."""
    archive = LinkArchive.objects.create(evidence=evidence)
    outbox.enqueue(ARCHIVE_TASK, archive.pk)
    return archive


def link_archive_fetch(*, archive_id: int) -> str:
    """Fetch and store the copy for one archive row, once: a row already archived or failed is left alone.

    The fetch (up to EVIDENCE_ARCHIVE_TOTAL_SECONDS) runs outside any transaction; the attempt is counted before
    it and the outcome written after it, each in a short transaction of its own."""
    attempt = _count_attempt(archive_id)
    if attempt is None:
        return SKIPPED
    number, url = attempt
    # The reasons are stored for every reader of the page: in the portal's language, not the worker's.
    with in_portal_language():
        try:
            fetched = fetch_copy(url)
        except FetchRefused as refused:
            _fail(archive_id, str(refused))
            return FAILED
        except FetchFailed as failure:
            if number >= settings.EVIDENCE_ARCHIVE_MAX_ATTEMPTS:
                _fail(archive_id, _("%(reason)s Đã thử %(count)s lần.") % {"reason": failure, "count": number})
                return FAILED
            pending = LinkArchive.objects.filter(pk=archive_id, state=ArchiveState.PENDING)
            pending.update(failure_reason=str(failure)[:500])
            return RETRY
    return _store(archive_id, fetched)


def _locked_pending(archive_id: int) -> LinkArchive | None:
    archive = LinkArchive.objects.select_for_update().select_related("evidence").filter(pk=archive_id).first()
    return archive if archive is not None and archive.state == ArchiveState.PENDING else None


@transaction.atomic
def _count_attempt(archive_id: int) -> tuple[int, str] | None:
    archive = _locked_pending(archive_id)
    if archive is None:
        return None
    archive.attempts += 1
    archive.save(update_fields=["attempts"])
    return archive.attempts, archive.evidence.link


@transaction.atomic
def _fail(archive_id: int, reason: str) -> None:
    archive = _locked_pending(archive_id)
    if archive is None:
        return
    archive.state = ArchiveState.FAILED
    archive.failure_reason = reason[:500]
    archive.save(update_fields=["state", "failure_reason"])
    _audit(archive)


@transaction.atomic
def _store(archive_id: int, fetched: Fetched) -> str:
    archive = _locked_pending(archive_id)
    if archive is None:
        # Another worker stored it while this one fetched.
        return SKIPPED
    # The stored name is random: nothing of the link becomes a path.
    archive.file.save(f"{uuid.uuid4().hex}{fetched.extension}", ContentFile(fetched.body), save=False)
    archive.state = ArchiveState.ARCHIVED
    archive.content_type = fetched.content_type
    archive.size = len(fetched.body)
    archive.sha256 = fetched.sha256
    archive.fetched_url = fetched.url[:1000]
    archive.fetched_at = timezone.now()
    archive.failure_reason = ""
    try:
        archive.save()
    except Exception:
        archive.file.delete(save=False)
        raise
    _audit(archive)
    return ARCHIVED


def _audit(archive: LinkArchive) -> None:
    audit_record(
        actor=None,
        action=ProgrammeAction.EVIDENCE_ARCHIVE,
        obj=archive.evidence,
        after={
            "link": archive.evidence.link,
            "state": archive.state,
            "sha256": archive.sha256,
            "fetched_url": archive.fetched_url,
            "attempts": archive.attempts,
            "failure_reason": archive.failure_reason,
        },
    )
