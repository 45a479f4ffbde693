"""Personal data over its life: erasing a cadre with every trace of their personal data, and the retention
periods enforced every night (Law 91/2025 on personal data protection; docs/PRIVACY.md).

Row history (django-simple-history) keeps a full copy of a row at every change and at its deletion, so
deleting a cadre alone would leave their citizen ID, phone and date of birth in the history tables. Every
deletion of a cadre therefore goes through `cadre_erase`, which purges that history in the same transaction.
"""

import datetime
import logging
import re
from collections.abc import Callable, Iterable
from functools import partial

from axes.models import AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import Storage
from django.db import models, transaction
from django.db.models import ProtectedError, Q, QuerySet, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programmes import access
from programmes.audit import audit_record
from programmes.audit_actions import PrivacyAction, RosterAction
from programmes.exports.services import export_files_expire
from programmes.importing.base import read_table
from programmes.importing.limits import UnreadableFile
from programmes.models import (
    Cadre,
    CadrePrivateDetails,
    ImportJob,
    ImportKind,
    Notification,
    ReadEvent,
    ReminderLog,
)
from programmes.models.imports import FINISHED_STATUSES

logger = logging.getLogger(__name__)

# Rows deleted per statement and per transaction by the nightly purge: short locks, bounded memory.
RETENTION_BATCH = 1000
# Import kinds whose files and errors name people (the organisation tree does not).
IMPORT_KINDS_NAMING_PEOPLE = (ImportKind.ROSTER, ImportKind.POSITIONS)
SCRUBBED_ERROR = gettext_lazy("(Nội dung lỗi đã được xóa cùng hồ sơ của một đảng viên.)")


# --- Erasure ---------------------------------------------------------------------------------------------------


def history_models() -> list[type[models.Model]]:
    """Every history table of the project: the models django-simple-history made."""
    return [model for model in apps.get_models() if getattr(model, "instance_type", None) is not None]


def _cadre_history_columns() -> list[tuple[type[models.Model], str]]:
    """Each history table holding rows about a cadre, with the column naming the cadre: the cadre's own
    history by its id, and the history of every model with a foreign key to the cadre (private details,
    memberships, posts, and whatever gains history later)."""
    found = []
    for model in history_models():
        if model.instance_type is Cadre:  # type: ignore[attr-defined]
            found.append((model, "id"))
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is Cadre:
                found.append((model, field.attname))
    return found


def cadre_history_purge(*, cadre_pk: int) -> int:
    """Delete every history row of the cadre and of the rows that belong to them; the number deleted.

    Called inside the caller's transaction after the cadre itself is deleted (the deletion adds one last
    history row per deleted row); the caller writes the audit event."""
    removed = 0
    for model, column in _cadre_history_columns():
        count, _by_model = model._default_manager.filter(**{column: cadre_pk}).delete()
        removed += count
    return removed


def _needles(cadre: Cadre) -> set[str]:
    """The values that identify the person in free text: member code, and every citizen ID, phone and email
    their private details ever held (the history still has the old ones at this point)."""
    values = {cadre.code}
    rows = CadrePrivateDetails.history.filter(cadre_id=cadre.pk).values_list("citizen_id", "phone", "email")
    current = CadrePrivateDetails.objects.filter(cadre=cadre).values_list("citizen_id", "phone", "email")
    for citizen_id, phone, email in [*rows, *current]:
        # A spreadsheet that read the ID as a number dropped its leading zero; the import's error quotes that.
        values |= {citizen_id, citizen_id.lstrip("0"), phone, re.sub(r"\D", "", phone), email.lower()}
    return {value.lower() for value in values if len(value) >= 4}


def _mentions(text: str, needles: set[str]) -> bool:
    return any(re.search(rf"(?<![\w@.-]){re.escape(needle)}(?![\w@-])", text, re.IGNORECASE) for needle in needles)


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() if value is not None else ""


def _file_mentions(job: ImportJob, needles: set[str]) -> bool:
    try:
        with job.file.open("rb") as handle:
            table = read_table(handle, job.original_name)
    except (OSError, UnreadableFile):
        logger.warning("import job %s: stored file unreadable while erasing a cadre", job.pk)
        return False
    return any(
        _cell_text(value).lower() in needles or _cell_text(value).lower().lstrip("0") in needles
        for row in table.rows
        for value in row.values.values()
    )


def _delete_files(storage: Storage, names: Iterable[str]) -> None:
    for name in names:
        storage.delete(name)


def _forget_import_files(jobs: list[ImportJob]) -> None:
    """Empty the jobs' file column now and delete the stored files once the transaction commits, so that a
    rollback keeps both."""
    if not jobs:
        return
    ImportJob.objects.filter(pk__in=[job.pk for job in jobs]).update(file="")
    names = [job.file.name for job in jobs if job.file.name]
    transaction.on_commit(partial(_delete_files, jobs[0].file.storage, names))


def _scrub_imports(needles: set[str]) -> dict[str, int]:
    """Uploaded roster and post files that still hold the person are deleted; error messages quoting one of
    their values are replaced. The job rows stay, as the record of what was imported when."""
    jobs = ImportJob.objects.filter(kind__in=IMPORT_KINDS_NAMING_PEOPLE)
    holding = [
        job for job in jobs.filter(status__in=FINISHED_STATUSES).exclude(file="") if _file_mentions(job, needles)
    ]
    _forget_import_files(holding)
    scrubbed = 0
    for job in jobs.exclude(errors=[]):
        errors = list(job.errors)
        for index, entry in enumerate(errors):
            if _mentions(str(entry.get("message", "")), needles):
                errors[index] = {**entry, "message": str(SCRUBBED_ERROR)}
                scrubbed += 1
        if errors != job.errors:
            ImportJob.objects.filter(pk=job.pk).update(errors=errors)
    return {"import_files": len(holding), "import_errors": scrubbed}


def _refusal(error: ProtectedError | RestrictedError) -> str:
    blocking = error.protected_objects if isinstance(error, ProtectedError) else error.restricted_objects
    kinds = sorted({str(obj._meta.verbose_name) for obj in blocking})
    return _(
        "Không xóa được hồ sơ này vì còn %(kinds)s gắn với đảng viên; các hồ sơ đó phải được lưu giữ theo quy định."
    ) % {"kinds": ", ".join(kinds)}


def cadre_erase(*, cadre: Cadre, acting_user: User | AnonymousUser) -> dict[str, int]:
    """Delete a cadre with their private details, memberships and posts, and every copy of their personal
    data the portal still holds: the rows' history, uploaded roster files naming them and import errors
    quoting their values. The audit event keeps the counts, never the values.

    Refused (ValidationError) while programmes or reviews of the cadre exist: those are Party records.
    """
    if not access.can_erase_cadre(acting_user, cadre):
        raise PermissionDenied(_("Đồng chí không được xóa hồ sơ của đảng viên này."))
    cadre_pk, name = cadre.pk, cadre.full_name
    # Not durable: the admin's delete views run it inside their own transaction.
    with transaction.atomic():
        if not Cadre.objects.select_for_update().filter(pk=cadre_pk).exists():
            raise ValidationError(_("Hồ sơ này đã được xóa."), code="gone")
        needles = _needles(cadre)
        counts = {
            "private_details": CadrePrivateDetails.objects.filter(cadre_id=cadre_pk).count(),
            "memberships": cadre.memberships.count(),
            "positions": cadre.positions.count(),
            # Who read their file goes with them (the foreign key cascades); what they themselves did stays.
            "read_events": ReadEvent.objects.filter(subject_id=cadre_pk).count(),
        }
        try:
            cadre.delete()
        except (ProtectedError, RestrictedError) as error:
            raise ValidationError(_refusal(error), code="protected") from error
        counts["history_rows"] = cadre_history_purge(cadre_pk=cadre_pk)
        counts.update(_scrub_imports(needles))
        # The deleted row has no primary key any more: the event points at the id it had.
        audit_record(
            actor=acting_user, action=RosterAction.CADRE_ERASE, obj=Cadre(pk=cadre_pk, full_name=name), after=counts
        )
    return counts


# --- Retention -------------------------------------------------------------------------------------------------


def _delete_in_batches(queryset: QuerySet[models.Model], remove: Callable[[list[int]], int] | None = None) -> int:
    """Delete what `queryset` selects, RETENTION_BATCH rows per transaction; safe to stop and run again.
    `remove` deletes one batch when the model refuses a plain delete (the append-only read log)."""
    model = queryset.model
    removed = 0
    while True:
        batch = list(queryset.order_by().values_list("pk", flat=True)[:RETENTION_BATCH])
        if not batch:
            return removed
        # Each batch commits on its own (the nightly task runs outside any transaction), so a stopped run keeps
        # what it deleted.
        with transaction.atomic(durable=True):
            if remove is not None:
                removed += remove(batch)
            else:
                removed += model._default_manager.filter(pk__in=batch).delete()[0]


def _expire_import_files(cutoff: datetime.datetime) -> int:
    """An uploaded file is needed only to run its import: it is deleted once the job is that old."""
    expired = ImportJob.objects.filter(
        Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff)
    ).exclude(file="")
    removed = 0
    while True:
        batch = list(expired.only("pk", "file").order_by("pk")[:RETENTION_BATCH])
        if not batch:
            return removed
        with transaction.atomic(durable=True):
            _forget_import_files(batch)
        removed += len(batch)


def _days_ago(now: datetime.datetime, setting: str) -> datetime.datetime:
    return now - datetime.timedelta(days=getattr(settings, setting))


def retention_enforce(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Delete what has outlived its retention period (the *_RETENTION_DAYS settings): row history,
    notifications and the log of reminders, uploaded import files, spreadsheets exported in the background
    (EXPORT_FILE_RETENTION_HOURS), sign-in records and reads of personal data. Batched and idempotent; one audit event
    with the counts when anything was deleted. The senders' contacts of citizen feedback have their own nightly purge
    (publicity.feedback.contacts_purge, FEEDBACK_CONTACT_RETENTION_DAYS)."""
    now = now or timezone.now()
    history_cutoff = _days_ago(now, "HISTORY_RETENTION_DAYS")
    counts = {
        "history_rows": sum(
            _delete_in_batches(model._default_manager.filter(history_date__lt=history_cutoff))
            for model in history_models()
        ),
        "notifications": _delete_in_batches(
            Notification.objects.filter(created_at__lt=_days_ago(now, "NOTIFICATION_RETENTION_DAYS"))
        ),
        # Who was reminded of what: kept as long as the notifications it sent.
        "reminder_log": _delete_in_batches(
            ReminderLog.objects.filter(created_at__lt=_days_ago(now, "NOTIFICATION_RETENTION_DAYS"))
        ),
        "import_files": _expire_import_files(_days_ago(now, "IMPORT_FILE_RETENTION_DAYS")),
        "export_files": export_files_expire(now),
    }
    # django-axes keeps every sign-in (address, browser) and, when enabled, every failure, without end.
    sign_in_cutoff = _days_ago(now, "SIGN_IN_LOG_RETENTION_DAYS")
    counts["sign_in_records"] = sum(
        _delete_in_batches(model.objects.filter(attempt_time__lt=sign_in_cutoff))
        for model in (AccessLog, AccessFailureLog)
    )
    read_cutoff = _days_ago(now, "READ_EVENT_RETENTION_DAYS")
    counts["read_events"] = _delete_in_batches(
        ReadEvent.objects.filter(at__lt=read_cutoff),
        lambda batch: ReadEvent.objects.filter(pk__in=batch).purge_before(read_cutoff),
    )
    if any(counts.values()):
        audit_record(actor=None, action=PrivacyAction.RETENTION, after=counts)
    return counts
