"""The daily digest: one e-mail per person per day listing the notifications of the kinds they chose to receive
that way, after which those are marked e-mailed.

The nightly sweep (programmes.tasks.send_digests, on the bulk queue) finds who has something waiting and claims one
digest per person and day in the reminder log (programmes.reminders.claim: the unique constraint keeps a second run
of the day from claiming it again); each claimed digest is one task on the e-mail queue
(programmes.tasks.send_digest_email), which sends whatever waits for that person at that moment, once.
"""

import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programmes import outbox
from programmes.action_programmes.notifications import ALL_KINDS, email_footer, in_language_of, unsubscribe_headers
from programmes.mail import send_portal_mail
from programmes.models import Delivery, Notification
from programmes.reminders import BATCH, audit_sweep, claim

DIGEST = "digest"
DIGEST_TASK = "programmes.tasks.send_digest_email"


def waiting_for_digest() -> QuerySet[Notification]:
    return Notification.objects.filter(delivery=Delivery.DIGEST, emailed_at__isnull=True)


def digest_sweep(today: datetime.date | None = None) -> int:
    """Ask for today's digest of everyone who has something waiting and has not had one today; how many."""
    today = today or timezone.localdate()
    recipients = list(waiting_for_digest().order_by("recipient_id").values_list("recipient_id", flat=True).distinct())
    asked = 0
    for start in range(0, len(recipients), BATCH):
        chunk = recipients[start : start + BATCH]
        with transaction.atomic():
            claimed = sorted(recipient for recipient, _obj in claim(DIGEST, [(pk, pk) for pk in chunk], today))
            outbox.enqueue_many(DIGEST_TASK, [(pk,) for pk in claimed])
        asked += len(claimed)
    audit_sweep("digests", today, {"digests": asked})
    return asked


def _digest_text(user: User, items: list[Notification]) -> tuple[str, str]:
    count = len(items)
    subject = ngettext("Thông báo trong ngày: %(count)s mục", "Thông báo trong ngày: %(count)s mục", count) % {
        "count": count
    }
    lines = [_("Các thông báo mới trên cổng chương trình hành động:"), ""]
    for number, item in enumerate(items, start=1):
        when = timezone.localtime(item.created_at)
        lines.append(f"{number}. {item.subject} ({when:%d/%m/%Y %H:%M})")
        if item.body:
            lines.append("   " + " ".join(item.body.split())[:300])
        if item.link:
            lines.append(f"   {settings.SITE_URL}{item.link}")
        lines.append("")
    lines.append(email_footer(user, [item.kind for item in items]))
    return subject, "\n".join(lines)


def digest_email_send(*, user_id: int) -> bool:
    """Send `user_id` one e-mail listing every notification waiting for their digest, and mark them e-mailed;
    False when nothing waits (a digest already sent, or a second run)."""
    with transaction.atomic(durable=True):
        items = list(waiting_for_digest().select_for_update().filter(recipient=user_id).order_by("created_at", "pk"))
        user = User.objects.filter(pk=user_id).first()
        if not items or user is None:
            return False
        if not user.email or not user.is_active:
            # Nowhere to send it: the notifications stay in the portal.
            Notification.objects.filter(pk__in=[item.pk for item in items]).update(delivery=Delivery.PORTAL)
            return False
        with in_language_of(user):
            subject, body = _digest_text(user, items)
            headers = unsubscribe_headers(user, ALL_KINDS)
        send_portal_mail(subject, body, user.email, headers)
        Notification.objects.filter(pk__in=[item.pk for item in items]).update(emailed_at=timezone.now())
    return True
