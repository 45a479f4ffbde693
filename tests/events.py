"""Reading the audit log in tests: which events a block wrote, and the latest of an action."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db.models import Max

from programmes.models import AuditEvent


@contextmanager
def writes_events(*actions: str) -> Iterator[None]:
    """The block writes exactly these audit events, in this order (none when no action is given)."""
    last = AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0
    yield
    written = list(AuditEvent.objects.filter(id__gt=last).order_by("id").values_list("action", flat=True))
    assert written == list(actions)


def last_event(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("id")
