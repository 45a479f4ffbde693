"""Exporting a staff list: at once for a short list, in the background for a long one; each export audited.

A short list (up to settings.EXPORT_BACKGROUND_ROWS rows) is written into a temporary file while the person waits
and handed to them. A longer one is a job (ExportJob): a worker writes it with its progress, stores the file through
Django's storage (the file system, or the S3 bucket of config/settings/storage.py) and keeps it for its maker
EXPORT_FILE_RETENTION_HOURS; the nightly retention sweep deletes it after that. Either way the audit log records
who exported which list with which filters, under the organisation the list is about.
"""

import datetime
import logging
import tempfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes import access, outbox
from programmes.access import Action
from programmes.audit import audit_record
from programmes.audit_actions import ExportAction
from programmes.exports import ExportList, Selection, get_list
from programmes.exports.workbook import Book
from programmes.models import ExportJob, ExportState, PartyOrganisation

logger = logging.getLogger(__name__)

EXPORT_TASK = "programmes.tasks.run_export_job"
# A background job writes its progress at most this often (in per cent), not at every batch.
PROGRESS_STEP = 1
RETENTION_BATCH = 500


@dataclass(frozen=True)
class Prepared:
    """A list selected for one user, and whether it is too long to write while they wait."""

    exported: ExportList
    selection: Selection
    parameters: dict[str, str]
    large: bool


def _scope(selection: Selection, user: User) -> PartyOrganisation | None:
    """Where the export is recorded: the organisation the list is about, else the user's widest exporting grant."""
    return selection.scope or access.widest_organisation(user, Action.EXPORT_LISTS)


def export_prepare(*, list_key: str, parameters: dict[str, str], acting_user: User) -> Prepared:
    """The user's selection of the list (PermissionDenied when they may not export it); counts at most one row past
    the threshold, never the whole city's rows."""
    exported = get_list(list_key)
    selection = exported.select(acting_user, parameters)
    threshold = settings.EXPORT_BACKGROUND_ROWS
    large = selection.rows()[: threshold + 1].count() > threshold
    return Prepared(exported, selection, parameters, large)


def _audit_after(prepared: Prepared | ExportJob, rows: int | None) -> dict[str, Any]:
    if isinstance(prepared, ExportJob):
        key, parameters = prepared.list_key, prepared.parameters
    else:
        key, parameters = prepared.exported.key, prepared.parameters
    return {"list": key, "filters": parameters, "rows": rows}


def export_now(*, prepared: Prepared, acting_user: User) -> tuple[IO[bytes], int]:
    """Write a short list into a temporary file (deleted once closed), audited; the file at its start, and its rows."""
    if prepared.large:
        raise PermissionDenied(_("Danh sách quá dài để xuất ngay; hãy yêu cầu xuất trong nền."))
    target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115  (closed by the response that sends it)
    book = Book()
    prepared.selection.write(book)
    book.save(target)
    target.seek(0)
    with transaction.atomic():
        audit_record(
            actor=acting_user,
            action=ExportAction.LIST,
            obj=_scope(prepared.selection, acting_user),
            after=_audit_after(prepared, book.written),
        )
    return target, book.written


def export_job_request(*, list_key: str, parameters: dict[str, str], acting_user: User) -> ExportJob:
    """Ask for a list's spreadsheet in the background (the user's access is checked now and again when it runs)."""
    prepared = export_prepare(list_key=list_key, parameters=parameters, acting_user=acting_user)
    # The outermost transaction: the job's message goes to the broker once the job is committed.
    with transaction.atomic(durable=True):
        job = ExportJob.objects.create(
            list_key=list_key,
            parameters=parameters,
            scope=_scope(prepared.selection, acting_user),
            created_by=acting_user,
        )
        audit_record(actor=acting_user, action=ExportAction.REQUEST, obj=job, after=_audit_after(prepared, None))
        outbox.enqueue(EXPORT_TASK, job.pk)
    return job


def _claim(job_id: int) -> ExportJob | None:
    """The job, marked running, unless it is finished (a second delivery of its message finds nothing to do). A job
    found running is run again: its worker died, and the message came back (acks_late)."""
    claimed = ExportJob.objects.filter(pk=job_id, state__in=[ExportState.QUEUED, ExportState.RUNNING]).update(
        state=ExportState.RUNNING, started_at=timezone.now(), percent=0
    )
    if not claimed:
        return None
    return ExportJob.objects.select_related("created_by").get(pk=job_id)


def _fail(job: ExportJob, message: str) -> ExportJob:
    job.state, job.error, job.finished_at = ExportState.FAILED, message, timezone.now()
    job.save(update_fields=["state", "error", "finished_at"])
    return job


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Write a job's spreadsheet as its maker sees the list today, with its progress, into the storage. None when
    the job was already finished."""
    job = _claim(job_id)
    if job is None:
        return None
    try:
        selection = get_list(job.list_key).select(job.created_by, dict(job.parameters))
    except PermissionDenied:
        return _fail(job, _("Người yêu cầu không còn được xuất danh sách này."))
    total = selection.rows().count()
    shown = {"percent": 0}

    def progress(written: int) -> None:
        # Short of 100 until the file is stored: the page offers the download only once it is there.
        percent = min(99, written * 100 // total) if total else 99
        if percent - shown["percent"] >= PROGRESS_STEP:
            shown["percent"] = percent
            ExportJob.objects.filter(pk=job.pk).update(percent=percent)

    try:
        with tempfile.TemporaryFile(suffix=".xlsx") as target:
            book = Book(progress)
            selection.write(book)
            book.save(target)
            target.seek(0)
            job.file.save("export.xlsx", File(target), save=False)
    except Exception:
        logger.exception("export job %s failed", job.pk)
        return _fail(job, _("Không xuất được bảng tính; hãy thử lại sau."))
    job.state, job.percent, job.row_count, job.finished_at = ExportState.DONE, 100, book.written, timezone.now()
    job.save(update_fields=["file", "state", "percent", "row_count", "finished_at"])
    return job


def export_job_open(*, job: ExportJob, acting_user: User) -> IO[bytes]:
    """The finished job's file, for its maker while it is kept; the download is audited."""
    if not access.can_download_export(acting_user, job):
        raise PermissionDenied
    # The list asked again, as when it was made: a maker who no longer reads it (moved to another ward, a role
    # ended) takes no copy of it away. Building the selection counts nothing; PermissionDenied or Http404 passes.
    get_list(job.list_key).select(acting_user, dict(job.parameters))
    kept_until = job.kept_until
    if job.state != ExportState.DONE or kept_until is None or kept_until < timezone.now():
        raise PermissionDenied(_("Bảng tính này không còn được lưu; hãy xuất lại danh sách."))
    handle = job.file.open("rb")
    with transaction.atomic():
        audit_record(actor=acting_user, action=ExportAction.DOWNLOAD, obj=job, after=_audit_after(job, job.row_count))
    return handle


def export_files_expire(now: datetime.datetime | None = None) -> int:
    """Delete the files of jobs finished more than EXPORT_FILE_RETENTION_HOURS ago (the rows stay, as the record of
    what was exported); batched, idempotent. Run by the nightly retention task."""
    cutoff = (now or timezone.now()) - datetime.timedelta(hours=settings.EXPORT_FILE_RETENTION_HOURS)
    expired = ExportJob.objects.filter(Q(finished_at__lt=cutoff)).exclude(file="")
    removed = 0
    while True:
        batch = list(expired.only("pk", "file").order_by("pk")[:RETENTION_BATCH])
        if not batch:
            return removed
        for job in batch:
            job.file.delete(save=False)
        ExportJob.objects.filter(pk__in=[job.pk for job in batch]).update(file="")
        removed += len(batch)
