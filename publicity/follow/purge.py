"""Data minimisation: requests never confirmed go with their address, and the rate limit's digests and the old
delivery records once they are no longer needed."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from programmes.audit import audit_record
from publicity.audit_actions import FollowAction
from publicity.models import FollowDelivery, FollowRequest, FollowSubscription

# A delivery record only keeps a retried task from sending a change twice: tasks are retried for about two days.
DELIVERY_RETENTION = datetime.timedelta(days=30)


@transaction.atomic(durable=True)
def follows_purge(now: datetime.datetime | None = None) -> int:
    """Delete the subscriptions never confirmed within FOLLOW_PENDING_RETENTION_DAYS of their latest request, with
    their addresses; the request digests past the longest rate window; delivery records past DELIVERY_RETENTION.
    How many subscriptions were deleted."""
    now = now or timezone.now()
    expired = now - datetime.timedelta(days=settings.FOLLOW_PENDING_RETENTION_DAYS)
    _total, by_model = FollowSubscription.objects.filter(confirmed_at__isnull=True, requested_at__lt=expired).delete()
    purged = by_model.get(FollowSubscription._meta.label, 0)
    windows = [minutes for minutes, _limit in (*settings.FOLLOW_RATE_LIMITS, *settings.FOLLOW_ADDRESS_RATE_LIMITS)]
    FollowRequest.objects.filter(requested_at__lt=now - datetime.timedelta(minutes=max(windows))).delete()
    FollowDelivery.objects.filter(created_at__lt=now - DELIVERY_RETENTION).delete()
    if purged:
        audit_record(actor=None, action=FollowAction.PURGE, after={"subscriptions": purged})
    return purged
