"""Background jobs of the programmes app. Each takes an id, calls one service and may safely run twice."""

from celery import Task, shared_task
from django.db import OperationalError
from django.utils.translation import gettext as _

from programmes import outbox
from programmes.action_programmes.digests import digest_email_send, digest_sweep
from programmes.action_programmes.link_archives import RETRY, link_archive_fetch
from programmes.action_programmes.services.closing import close_ended_programmes as close_ended
from programmes.exports.services import export_job_run
from programmes.importing.services import import_job_fail, import_job_run
from programmes.mail import EMAIL_TASK_OPTIONS
from programmes.privacy import retention_enforce
from programmes.reminders import commitment_reminders_send

IMPORT_MAX_RETRIES = 3


@shared_task(bind=True, acks_late=True, max_retries=IMPORT_MAX_RETRIES)
def run_import_job(self: Task[[int], str], job_id: int) -> str:
    """Import an uploaded file. A finished job is skipped; only a database outage is retried, with backoff.

    Acknowledged late, so a worker killed mid-import gives the message back; the job counts its attempts and
    is parked after settings.IMPORT_MAX_ATTEMPTS of them (import_job_run)."""
    try:
        job = import_job_run(job_id=job_id)
    except OperationalError as error:
        if self.request.retries >= IMPORT_MAX_RETRIES:
            import_job_fail(job_id=job_id, message=_("Cơ sở dữ liệu không sẵn sàng; hãy tải tệp lên lại sau."))
            raise
        raise self.retry(exc=error, countdown=10 * 2**self.request.retries) from error
    return job.status if job is not None else "skipped"


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=10, max_retries=3)
def run_export_job(job_id: int) -> str:
    """Write a staff list's spreadsheet in the background. A finished job is skipped; a job whose worker died is
    written again when its message comes back (acknowledged late)."""
    job = export_job_run(job_id=job_id)
    return job.state if job is not None else "skipped"


@shared_task(**EMAIL_TASK_OPTIONS)
def send_notification_email(notification_id: int) -> bool:
    """Email one notification; a mail-server failure is retried until it is sent, and a sent one never again."""
    from programmes.action_programmes.notifications import notification_email_send

    return notification_email_send(notification_id=notification_id)


# Not the e-mail rules: the link expires within the hour, so a reset e-mail stops being tried much sooner.
@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_password_reset_email(user_id: int) -> bool:
    """Email one account its password-reset link; a mail-server failure is retried."""
    from programmes.accounts.passwords import password_reset_email_send

    return password_reset_email_send(user_id=user_id)


@shared_task(acks_late=True)
def enforce_retention() -> dict[str, int]:
    """Nightly: delete history, notifications, import files, sign-in records and read events past their retention."""
    return retention_enforce()


@shared_task(acks_late=True)
def send_outbox() -> int:
    """Every minute: hand the broker the tasks it could not take when they were asked for (programmes.outbox)."""
    return outbox.send_due()


@shared_task(**EMAIL_TASK_OPTIONS)
def send_digest_email(user_id: int) -> bool:
    """Email one person the day's digest of what waits for it; sent once, retried while the mail server is away."""
    return digest_email_send(user_id=user_id)


@shared_task(acks_late=True)
def send_digests() -> int:
    """Every morning: ask for one digest e-mail per person with notifications waiting for it (at most one a day)."""
    return digest_sweep()


@shared_task(acks_late=True)
def remind_commitments() -> dict[str, int]:
    """Every morning: remind owners of commitments due soon, overdue, overdue without evidence or stalled, each at
    most once a day (programmes.reminders)."""
    return commitment_reminders_send()


@shared_task(acks_late=True)
def close_ended_programmes() -> dict[str, int]:
    """Every night: close the confirmed programmes whose term, or whose owner's post, ended before today; a
    programme already closed is left as it is, so a second run closes nothing (services.closing)."""
    return close_ended()


# No Celery bound on retries: the archive row counts its attempts (redeliveries included) and fails for good after
# EVIDENCE_ARCHIVE_MAX_ATTEMPTS (link_archives), so this task stops asking.
@shared_task(bind=True, acks_late=True, max_retries=None)
def archive_evidence_link(self: Task[[int], str], archive_id: int) -> str:
    """Fetch and keep the copy of a page given as evidence; a site that could not be reached is tried again later,
    with backoff (one, two, four minutes...)."""
    outcome = link_archive_fetch(archive_id=archive_id)
    if outcome == RETRY:
        raise self.retry(countdown=60 * 2**self.request.retries)
    return outcome
