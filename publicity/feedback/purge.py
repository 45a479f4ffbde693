"""Data minimisation: the senders' contact details and address digests erased once they are no longer needed."""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from programmes.audit import audit_record
from publicity.audit_actions import FeedbackAction
from publicity.models import FeedbackCase, FeedbackContact


@transaction.atomic(durable=True)
def contacts_purge(now: datetime.datetime | None = None) -> int:
    """Erase the senders' contact details once the retention period has passed, and the address digests once
    the rate limit no longer needs them."""
    now = now or timezone.now()
    retention = datetime.timedelta(days=settings.FEEDBACK_CONTACT_RETENTION_DAYS)
    # Closed for the retention period, or left unanswered that long past the deadline. The deadline is a
    # local date: between 17:00 and 24:00 UTC Viet Nam is already on the next day.
    expired = FeedbackCase.objects.filter(
        Q(closed_at__lt=now - retention) | Q(closed_at__isnull=True, due_on__lt=timezone.localdate(now - retention))
    )
    purged, _by_model = FeedbackContact.objects.filter(case__in=expired).delete()
    # The address digest serves the rate limit only: kept no longer than its longest window.
    longest_window = max(minutes for minutes, _limit in settings.FEEDBACK_RATE_LIMITS)
    FeedbackCase.objects.filter(submitted_at__lt=now - datetime.timedelta(minutes=longest_window)).exclude(
        source_digest=""
    ).update(source_digest="")
    if purged:
        audit_record(actor=None, action=FeedbackAction.CONTACTS_PURGE, after={"contacts": purged})
    return purged
