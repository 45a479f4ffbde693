"""Batches of reports: one item per report, one task per item, progress counted from the items.

An item is done once, whatever the number of deliveries: a redelivered task finds it done and stops,
and producing its report again with unchanged data stores nothing new (reviews.reports.produce).
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes import access, outbox
from programmes.access import Action
from programmes.audit import audit_record
from programmes.models import PartyOrganisation
from programmes.models.organisations import CELL_KINDS, GRASSROOTS_KINDS, OrganisationKind
from reviews.audit_actions import ReportAction
from reviews.models import (
    ItemState,
    ReportBatch,
    ReportBatchItem,
    ReportKind,
    Review,
    ReviewPeriod,
    ReviewState,
)
from reviews.reports.produce import report_produce

# A failing item is tried this many times (with backoff between tries) before it is listed as failed.
MAX_ATTEMPTS = 3
ROLLUP_KINDS = frozenset({OrganisationKind.GRASSROOTS_COMMITTEE, OrganisationKind.COMMUNE_COMMITTEE})
# The task that produces one item, asked for by its name: reviews.tasks imports this module, never the reverse.
PRODUCE_BATCH_ITEM = "reviews.tasks.produce_batch_item"


def can_request_reports(user: User, scope: PartyOrganisation) -> bool:
    """Organisation-board staff and committee members of the scope (or above it)."""
    return access.can(user, Action.OPEN_REVIEW_PERIOD, scope) or access.can(user, Action.DECIDE_RATING, scope)


def planned_items(period: ReviewPeriod, scope: PartyOrganisation) -> list[tuple[str, int]]:
    """(kind, object id) of every report of the period inside `scope`: each decided review, each cell
    summary, and the roll-up of each grassroots organisation and of the ward or commune committee."""
    reviews = Review.objects.filter(period=period, place__path__startswith=scope.path).exclude(
        state=ReviewState.NOT_RATED
    )
    items: list[tuple[str, int]] = [
        (ReportKind.INDIVIDUAL, pk)
        for pk in reviews.filter(state__in=[ReviewState.FINAL, ReviewState.APPEALED])
        .order_by("pk")
        .values_list("pk", flat=True)
    ]
    places = PartyOrganisation.objects.filter(pk__in=reviews.values("place")).order_by("path")
    items += [(ReportKind.CELL_SUMMARY, place.pk) for place in places if place.kind in CELL_KINDS]
    organisations = PartyOrganisation.objects.filter(
        path__startswith=scope.path, kind__in=ROLLUP_KINDS | GRASSROOTS_KINDS
    ).order_by("path")
    with_reviews = set(reviews.values_list("deciding_organisation", flat=True))
    items += [
        (ReportKind.ORGANISATION_ROLLUP, organisation.pk)
        for organisation in organisations
        if organisation.pk in with_reviews or organisation.kind == OrganisationKind.COMMUNE_COMMITTEE
    ]
    return items


@transaction.atomic(durable=True)
def batch_create(
    *,
    period: ReviewPeriod,
    scope: PartyOrganisation,
    title: str = "",
    items: list[tuple[str, int]] | None = None,
    acting_user: User | None,
) -> ReportBatch:
    """Plan a batch and queue one task per item once the plan is committed. `acting_user` None is the schedule."""
    if acting_user is not None and not can_request_reports(acting_user, scope):
        raise PermissionDenied(_("Đồng chí không được tạo báo cáo cho tổ chức này."))
    planned = items if items is not None else planned_items(period, scope)
    if not planned:
        raise ValidationError(_("Không có báo cáo nào để tạo trong phạm vi này."))
    batch = ReportBatch.objects.create(
        title=title or _("Báo cáo %(period)s – %(scope)s") % {"period": period.title, "scope": scope.name},
        period=period,
        scope=scope,
        requested_by=acting_user,
    )
    ReportBatchItem.objects.bulk_create(
        ReportBatchItem(batch=batch, kind=kind, object_id=object_id) for kind, object_id in dict.fromkeys(planned)
    )
    audit_record(actor=acting_user, action=ReportAction.BATCH, obj=batch, after={"items": len(planned)})
    outbox.enqueue_many(PRODUCE_BATCH_ITEM, [(item_id,) for item_id in batch.items.values_list("pk", flat=True)])
    return batch


def batch_item_run(item_id: int) -> ReportBatchItem | None:
    """Produce one item's report; a done item is left as it is."""
    # The attempt is committed before the work starts, and the item is marked done once its report is stored.
    with transaction.atomic(durable=True):
        # Lock the item row only: the batch's period is an outer join, which PostgreSQL cannot lock.
        items = ReportBatchItem.objects.select_for_update(of=("self",)).select_related("batch__period")
        item = items.filter(pk=item_id).first()
        if item is None or item.state == ItemState.DONE:
            return item
        item.attempts += 1
        item.updated_at = timezone.now()
        item.save(update_fields=["attempts", "updated_at"])
    report, _made = report_produce(item.kind, item.object_id, item.batch.period)
    with transaction.atomic(durable=True):
        item = ReportBatchItem.objects.select_for_update().get(pk=item_id)
        item.state = ItemState.DONE
        item.report = report
        item.error = ""
        item.updated_at = timezone.now()
        item.save(update_fields=["state", "report", "error", "updated_at"])
        _finish_if_complete(item.batch_id)
    return item


def batch_item_fail(item_id: int, error: str) -> None:
    with transaction.atomic(durable=True):
        item = ReportBatchItem.objects.select_for_update().filter(pk=item_id).first()
        if item is None or item.state == ItemState.DONE:
            return
        item.state = ItemState.FAILED
        item.error = error[:2000]
        item.updated_at = timezone.now()
        item.save(update_fields=["state", "error", "updated_at"])
        _finish_if_complete(item.batch_id)


def batch_items_requeue(older_than: datetime.timedelta) -> int:
    """Send again the task of every pending item untouched for `older_than`; how many were sent.

    The broker can lose a message: kombu's Redis transport pops it from the queue and only then records
    it as unacknowledged, so a worker killed between the two forgets it, and its batch would never finish.
    A task sent twice is harmless (a done item is left as it is); `older_than` should outlast the broker's
    own redelivery (its visibility timeout) and a task's time limit, so that only lost items are sent.
    """
    with transaction.atomic(durable=True):
        stalled = list(
            ReportBatchItem.objects.select_for_update(skip_locked=True)
            .filter(state=ItemState.PENDING, updated_at__lt=timezone.now() - older_than)
            .values_list("pk", flat=True)
        )
        # Touched, so that the next sweep waits again before sending them once more.
        ReportBatchItem.objects.filter(pk__in=stalled).update(updated_at=timezone.now())
        outbox.enqueue_many(PRODUCE_BATCH_ITEM, [(item_id,) for item_id in stalled])
    return len(stalled)


def _finish_if_complete(batch_id: int) -> None:
    # The batch row is locked first: two items finishing at once would otherwise each see the other
    # still pending (neither commit is visible to the other) and leave the batch unfinished for ever.
    list(ReportBatch.objects.select_for_update().filter(pk=batch_id).values_list("pk", flat=True))
    if not ReportBatchItem.objects.filter(batch_id=batch_id, state=ItemState.PENDING).exists():
        ReportBatch.objects.filter(pk=batch_id, finished_at__isnull=True).update(finished_at=timezone.now())


@dataclass(frozen=True)
class Progress:
    total: int
    done: int
    failed: int

    @property
    def pending(self) -> int:
        return self.total - self.done - self.failed

    @property
    def percent(self) -> int:
        return round(100 * (self.done + self.failed) / self.total) if self.total else 100


def batch_progress(batch: ReportBatch) -> Progress:
    states = list(batch.items.values_list("state", flat=True))
    return Progress(
        total=len(states),
        done=states.count(ItemState.DONE),
        failed=states.count(ItemState.FAILED),
    )
