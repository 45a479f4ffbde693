"""Background jobs of the reviews app: evaluation reports, telling the members of a new period, the reminders.

Every task is safe to run twice. `acks_late` with `reject_on_worker_lost` gives a task whose worker
died back to the broker, and the services make the second run a no-op where the first finished.
Time limits are sized for the largest report (an organisation roll-up of a big ward, a few seconds);
the broker's visibility timeout (settings) is longer than them, so a slow task is not delivered twice.
"""

import datetime

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.utils import timezone

from config.celery import TaskOptions
from reviews.models import PeriodState, ReportKind, ReviewPeriod
from reviews.reminders import review_reminders_send
from reviews.reports.batches import (
    MAX_ATTEMPTS,
    batch_create,
    batch_item_fail,
    batch_item_run,
    batch_items_requeue,
    planned_items,
)
from reviews.reports.produce import report_produce, review_reports_refresh
from reviews.services.periods import period_members_notify
from reviews.services.residence import residence_requests_notify

REPORT_SOFT_TIME_LIMIT = 120
REPORT_TIME_LIMIT = 150
RETRY_BASE_SECONDS = 5
# A pending batch item untouched this long lost its message (reviews.reports.batches.batch_items_requeue):
# longer than the broker's visibility timeout (2 h) plus a task's time limit, after which Redis has
# already given back the message of a task whose worker died.
STALLED_AFTER = datetime.timedelta(hours=3)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_ATTEMPTS - 1,
    soft_time_limit=REPORT_SOFT_TIME_LIMIT,
    time_limit=REPORT_TIME_LIMIT,
)
def produce_batch_item(self: Task[[int], str], item_id: int) -> str:
    """Produce one report of a batch; retried with backoff, then listed as failed with its error."""
    try:
        item = batch_item_run(item_id)
    except (Exception, SoftTimeLimitExceeded) as error:
        if self.request.retries + 1 >= MAX_ATTEMPTS:
            batch_item_fail(item_id, f"{type(error).__name__}: {error}")
            return "failed"
        raise self.retry(exc=error, countdown=RETRY_BASE_SECONDS * 2**self.request.retries) from error
    return item.state if item is not None else "missing"


# The reports of one review: redelivered if a worker dies mid-render, retried with backoff on any error.
REVIEW_REPORT_TASK: TaskOptions = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (Exception,),
    "retry_backoff": RETRY_BASE_SECONDS,
    "max_retries": MAX_ATTEMPTS - 1,
    "soft_time_limit": REPORT_SOFT_TIME_LIMIT,
    "time_limit": REPORT_TIME_LIMIT,
}


@shared_task(**REVIEW_REPORT_TASK)
def produce_review_report(review_id: int) -> int:
    """The individual report of a review whose decision was just confirmed."""
    report, _made = report_produce(ReportKind.INDIVIDUAL, review_id)
    return report.pk


@shared_task(**REVIEW_REPORT_TASK)
def refresh_review_reports(review_id: int) -> list[int]:
    """The reports that print a review whose result changed after confirmation (appeal, re-classification)."""
    return [report.pk for report, _made in review_reports_refresh(review_id)]


@shared_task(acks_late=True, reject_on_worker_lost=True)
def nightly_reports() -> list[int]:
    """Every report of the periods whose decision window closed today (run after midnight: yesterday);
    and the items of earlier batches whose message the broker lost are sent again."""
    batch_items_requeue(STALLED_AFTER)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    batches = []
    for period in ReviewPeriod.objects.filter(decisions_until__in=[yesterday, timezone.localdate()]):
        batches.append(_batch_for(period, "nightly"))
    return [batch for batch in batches if batch is not None]


@shared_task(acks_late=True, reject_on_worker_lost=True)
def weekly_rollups() -> list[int]:
    """The roll-ups of every open period, so committees follow progress while it runs."""
    batches = []
    for period in ReviewPeriod.objects.filter(state=PeriodState.OPEN):
        batches.append(_batch_for(period, "weekly", kinds={ReportKind.ORGANISATION_ROLLUP, ReportKind.CELL_SUMMARY}))
    return [batch for batch in batches if batch is not None]


def _batch_for(period: ReviewPeriod, label: str, kinds: set[str] | None = None) -> int | None:
    items = [item for item in planned_items(period, period.scope) if kinds is None or item[0] in kinds]
    if not items:
        return None
    try:
        batch = batch_create(
            period=period,
            scope=period.scope,
            title=f"{period.title} ({label} {timezone.localdate():%d/%m/%Y})",
            items=items,
            acting_user=None,
        )
    except ValidationError:
        return None
    return batch.pk


@shared_task(acks_late=True)
def notify_period_opened(period_id: int) -> int:
    """Tell every member of a newly opened period, and the residence cells asked for comments, once (a second run
    tells nobody again)."""
    told = period_members_notify(period_id=period_id)
    return told + residence_requests_notify(period_id=period_id)


@shared_task(acks_late=True)
def remind_reviews() -> dict[str, int]:
    """Every morning: remind members of self-reviews due soon and heads of decisions waiting for confirmation."""
    return review_reminders_send()
