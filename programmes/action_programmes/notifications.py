"""In-portal notifications, each also sent by email by a background task once the transaction commits
(programmes.outbox), tried until it is sent, and sent once.

A notification is read outside every page's access check (and by email), so a caller quotes a commitment's
wording only to the owner's chain (programmes.access.commitment_reading), for whom no cap holds. Today:
the programme's notifications go to its owner and to the confirmer the version was sent to; the review's to
its subject and to the head of the deciding body; the Front's and the People's Council's name the case and
the owner, never a commitment (tests/programmes/test_commitment_caps.py checks all of them).
"""

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone, translation

from programmes import outbox
from programmes.mail import send_portal_mail
from programmes.models import Notification
from programmes.text import one_line


def in_portal_language() -> translation.override:
    """Write text that is stored for others to read (a notification, a title printed on a Party document) in
    the portal's language, whatever language the person acting has chosen for their own screen."""
    return translation.override(settings.LANGUAGE_CODE)


def notify(*, recipient: User, subject: str, body: str, link: str) -> Notification:
    """Record the notification and, in the same transaction, the task that e-mails it: a rollback sends nothing,
    and a broker that is away when the change commits delays the e-mail without losing it."""
    notification = Notification.objects.create(recipient=recipient, subject=one_line(subject), body=body, link=link)
    if recipient.email:
        # By the task's name: the task module imports this one.
        outbox.enqueue("programmes.tasks.send_notification_email", notification.pk)
    return notification


def notification_email_send(*, notification_id: int) -> bool:
    """Send one notification's email at most once; True when it was sent now."""
    with transaction.atomic(durable=True):
        notification = (
            Notification.objects.select_for_update().select_related("recipient").filter(pk=notification_id).first()
        )
        if notification is None or notification.emailed_at is not None or not notification.recipient.email:
            return False
        body = notification.body
        if notification.link:
            body = f"{body}\n\n{settings.SITE_URL}{notification.link}"
        send_portal_mail(notification.subject, body, notification.recipient.email)
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True


def mark_read(*, recipient: User) -> int:
    """Mark every unread notification of the user read (reading one's own list is not audited)."""
    return Notification.objects.filter(recipient=recipient, read_at__isnull=True).update(read_at=timezone.now())
