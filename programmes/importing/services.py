"""Import services: run a file through validation and, if it is clean, apply it in one transaction."""

import gc
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import IO, Any, Protocol

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes import access, outbox, summary_marks
from programmes.access import Action
from programmes.audit import audit_record
from programmes.audit_actions import ImportAction
from programmes.models import ImportJob, ImportKind, ImportStatus, PartyOrganisation
from programmes.models.imports import FINISHED_STATUSES
from programmes.text import normalise

from . import organisations, positions, roster
from .base import Column, ImportIssue, ImportResult, ScopeCheck, Table, check_headers, read_table
from .limits import FileTooLarge, ImportLimits, UnreadableFile, check_declared, too_big

logger = logging.getLogger(__name__)

ALLOWED_SUFFIXES = (".csv", ".xlsx")
XLSX_SIGNATURE = b"PK\x03\x04"


class Importer(Protocol):
    audit_action: ImportAction

    def validate(self, scope: ScopeCheck) -> list[ImportIssue]: ...

    def apply(self, acting_user: User | None) -> ImportResult: ...


@dataclass(frozen=True)
class KindSpec:
    columns: tuple[Column, ...]
    build: Callable[[Table], tuple[Importer, list[ImportIssue]]]


def _builder(parse: Callable[[Table], tuple[list[Any], list[ImportIssue]]], cls: Callable[[Any], Importer]) -> Any:
    def build(table: Table) -> tuple[Importer, list[ImportIssue]]:
        rows, issues = parse(table)
        return cls(rows), issues

    return build


KINDS: dict[str, KindSpec] = {
    ImportKind.ORGANISATIONS: KindSpec(
        organisations.COLUMNS, _builder(organisations.parse_rows, organisations.OrganisationImport)
    ),
    ImportKind.ROSTER: KindSpec(roster.COLUMNS, _builder(roster.parse_rows, roster.RosterImport)),
    ImportKind.POSITIONS: KindSpec(positions.COLUMNS, _builder(positions.parse_rows, positions.PositionImport)),
}


def _check_permission(acting_user: User | AnonymousUser | None, scope: PartyOrganisation | None) -> None:
    if acting_user is None:
        return
    if scope is None:
        if not access.acts_on_whole_tree(acting_user):
            raise PermissionDenied(_("Hãy chọn phạm vi (tổ chức) được nhập dữ liệu."))
    elif not access.can(acting_user, Action.IMPORT_ROSTER, scope):
        raise PermissionDenied(_("Đồng chí không được nhập dữ liệu cho tổ chức này."))


def import_run(
    *,
    importer: Importer,
    scope: PartyOrganisation | None,
    acting_user: User | None,
    dry_run: bool = False,
    job: ImportJob | None = None,
    parse_issues: list[ImportIssue] | None = None,
) -> ImportResult:
    """Validate everything; when clean (and not a dry run), apply it all in one transaction with one audit event."""
    issues = [*(parse_issues or []), *importer.validate(ScopeCheck(acting_user, scope))]
    if issues or dry_run:
        return ImportResult(errors=sorted(issues, key=lambda issue: issue.row), dry_run=dry_run)
    # The outermost transaction (a command or the job's task calls it): the job is marked finished once it returns.
    with transaction.atomic(durable=True):
        result = importer.apply(acting_user)
        audit_record(actor=acting_user, action=importer.audit_action, obj=job, after=result.counts())
        # Members, cells and posts may have changed anywhere in the scope (the whole tree without one).
        tops = PartyOrganisation.objects.filter(depth=1) if scope is None else [scope]
        summary_marks.subtrees_changed(*(top.pk for top in tops))
    return result


@contextmanager
def _cyclic_collection_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for an import: a roster's import makes millions of objects (cells,
    rows, values to write) that live until it ends, and the collector went over them again and again, a fifth of
    the import's time. They form no reference cycles to collect; plain reference counting frees them as ever.
    Collection resumes at the end (if it was on: a concurrent import may have paused it first)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_cyclic_collection_paused()
def import_file(
    *,
    kind: str,
    source: Path | IO[bytes],
    name: str,
    acting_user: User | None,
    scope: PartyOrganisation | None = None,
    dry_run: bool = False,
    job: ImportJob | None = None,
) -> ImportResult:
    """Import one CSV or XLSX file of `kind`. `acting_user` None is the system (a management command).

    Nothing is written unless the whole file is valid. Errors carry the sheet row and column header.
    """
    _check_permission(acting_user, scope)
    spec = KINDS[kind]
    try:
        table = read_table(source, name)
    except UnreadableFile as error:
        return ImportResult(errors=[ImportIssue(1, "", str(error))])
    header_issues = check_headers(table, spec.columns)
    if header_issues:
        return ImportResult(errors=header_issues)
    if not table.rows:
        return ImportResult(errors=[ImportIssue(2, "", _("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề."))])
    # Cells that do not parse are reported together with references that do not resolve.
    importer, issues = spec.build(table)
    # The parsed rows are all the import needs: the cells as read are let go before it runs, not held through it.
    del table
    return import_run(
        importer=importer, scope=scope, acting_user=acting_user, dry_run=dry_run, job=job, parse_issues=issues
    )


def check_upload(uploaded_file: UploadedFile[bytes]) -> str:
    """The upload's clean name, or a ValidationError: its type, its size and what it declares (limits.py)."""
    name = normalise(PurePath(uploaded_file.name or "").name)
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ValidationError(_("Chỉ nhận tệp .csv hoặc .xlsx."), code="file_type")
    limits = ImportLimits.from_settings()
    if (uploaded_file.size or 0) > limits.max_bytes:
        raise ValidationError(str(too_big(uploaded_file.size, limits)), code="file_size")
    data = uploaded_file.read(limits.max_bytes + 1)
    uploaded_file.seek(0)
    if suffix == ".xlsx" and not data.startswith(XLSX_SIGNATURE):
        raise ValidationError(_("Tệp không phải tệp Excel .xlsx hợp lệ."), code="file_type")
    if suffix == ".csv" and b"\x00" in data[:8192]:
        raise ValidationError(_("Tệp không phải tệp văn bản CSV."), code="file_type")
    # What the file declares is checked now, so that a workbook bomb is never stored; the import counts the rest.
    try:
        check_declared(data, suffix, limits)
    except FileTooLarge as error:
        raise ValidationError(str(error), code="file_limits") from error
    return name


def import_job_submit(
    *,
    kind: str,
    uploaded_file: UploadedFile[bytes],
    scope: PartyOrganisation | None,
    acting_user: User | AnonymousUser,
) -> ImportJob:
    """Store the upload privately and queue its import once the job row is committed."""
    if not acting_user.is_authenticated:
        raise PermissionDenied
    _check_permission(acting_user, scope)
    if kind not in KINDS:
        raise ValidationError(_("Loại dữ liệu không hợp lệ."), code="kind")
    name = check_upload(uploaded_file)
    with transaction.atomic(durable=True):
        job = ImportJob(kind=kind, original_name=name[:255], scope=scope, created_by=acting_user)
        job.file.save(name, uploaded_file, save=False)
        job.save()
        audit_record(
            actor=acting_user,
            action=ImportAction.JOB_SUBMIT,
            obj=job,
            after={"kind": kind, "original_name": job.original_name, "scope": scope.code if scope else None},
        )
        # By the task's name: the task module imports this one.
        outbox.enqueue("programmes.tasks.run_import_job", job.pk)
    return job


def _claim(job_id: int) -> bool:
    """Mark the job running and count the attempt unless it has finished; a redelivered job that never finished
    runs again. The task runs outside any transaction, so the count is committed before the work starts, and a
    worker killed by the work (out of memory, say) leaves it behind for the next delivery to see."""
    claimed = (
        ImportJob.objects.filter(pk=job_id)
        .exclude(status__in=FINISHED_STATUSES)
        .update(status=ImportStatus.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1)
    )
    return claimed == 1


def _park(job: ImportJob) -> None:
    """Stop, for good, a job that was started too many times without finishing."""
    logger.error("import job %s parked after %s unfinished attempts", job.pk, job.attempts - 1)
    message = _(
        "Việc nhập tệp này đã bị gián đoạn %(count)d lần (máy chủ dừng giữa chừng), nên đã dừng hẳn và không "
        "thử lại. Hãy kiểm tra tệp (số dòng, số cột, dung lượng) rồi tải lên lại, hoặc báo cho quản trị viên."
    ) % {"count": job.attempts - 1}
    with transaction.atomic(durable=True):
        _finish(job, ImportStatus.FAILED, {}, [ImportIssue(1, "", message).as_dict()])
        audit_record(actor=None, action=ImportAction.JOB_PARK, obj=job, after={"attempts": job.attempts - 1})


def _finish(job: ImportJob, status: str, counts: dict[str, int], errors: list[dict[str, Any]]) -> None:
    job.status = status
    job.counts = counts
    job.errors = errors
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "counts", "errors", "finished_at"])


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Run a queued job once. Returns None when it had already finished. Database outages propagate (for retry).

    A job delivered again after settings.IMPORT_MAX_ATTEMPTS starts that never finished is parked: it fails with
    a message instead of being run again, so that a file that kills its worker is not handed to the next one.
    """
    if not _claim(job_id):
        return None
    job = ImportJob.objects.select_related("scope", "created_by").get(pk=job_id)
    if job.attempts > settings.IMPORT_MAX_ATTEMPTS:
        _park(job)
        return job
    try:
        with job.file.open("rb") as handle:
            result = import_file(
                kind=job.kind,
                source=handle,
                name=job.original_name,
                acting_user=job.created_by,
                scope=job.scope,
                job=job,
            )
    except OperationalError:
        raise
    except PermissionDenied as error:
        _finish(job, ImportStatus.FAILED, {}, [ImportIssue(1, "", str(error)).as_dict()])
        return job
    except Exception:
        logger.exception("import job %s failed", job_id)
        message = _("Lỗi hệ thống khi nhập tệp; hãy báo cho quản trị viên.")
        _finish(job, ImportStatus.FAILED, {}, [ImportIssue(1, "", message).as_dict()])
        return job
    status = ImportStatus.SUCCEEDED if result.ok else ImportStatus.FAILED
    _finish(job, status, result.counts() if result.ok else {}, [issue.as_dict() for issue in result.errors])
    return job


def import_job_fail(*, job_id: int, message: str) -> None:
    """Give up on a job the worker could not run (the database stayed unreachable)."""
    job = ImportJob.objects.filter(pk=job_id).exclude(status__in=FINISHED_STATUSES).first()
    if job is not None:
        _finish(job, ImportStatus.FAILED, {}, [ImportIssue(1, "", message).as_dict()])
