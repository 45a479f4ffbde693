"""In-portal notifications, each also sent by email by a background task once the transaction commits
(programmes.outbox), tried until it is sent, and sent once; or kept for the reader's daily digest, or for the
portal alone, as the reader chose for that kind (NotificationPreference).

A notification is written in its reader's language (AccountPreferences.language, else the portal's): a caller
builds the subject and body inside `in_language_of(recipient)`, and `notify_many` builds each notice's text in its
reader's language itself. Every e-mail ends with a link that turns its kind off without signing in
(programmes.action_programmes.notification_preferences).

A notification is read outside every page's access check (and by email), so a caller quotes a commitment's
wording only to the owner's chain (programmes.access.commitment_reading), for whom no cap holds. Today:
the programme's notifications and the commitment reminders go to its owner and to the confirmer the version was
sent to; the review's to its subject, to the cell's secretary, to the deciding body and to the head who confirms,
none quoting a commitment; the Front's and the People's Council's name the case and the owner, never a commitment
(tests/programmes/test_commitment_caps.py checks all of them).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.db import transaction
from django.urls import reverse, translate_url
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from programmes import outbox
from programmes.mail import send_portal_mail
from programmes.models import AccountPreferences, Delivery, Notification, NotificationKind, NotificationPreference
from programmes.text import one_line

EMAIL_TASK = "programmes.tasks.send_notification_email"
# The links that turn a kind off are signed with this salt (programmes.action_programmes.notification_preferences
# reads them); a link naming ALL_KINDS turns every kind off (the digest's).
UNSUBSCRIBE_SALT = "programmes.notifications.unsubscribe"
ALL_KINDS = "all"
# Where a user object keeps its language once read, so that one request or task reads it once.
_LANGUAGE_ATTRIBUTE = "_portal_notification_language"


def in_portal_language() -> translation.override:
    """Write text that is stored for everyone to read (a title printed on a Party document, the audit log) in the
    portal's language, whatever language the person acting has chosen for their own screen."""
    return translation.override(settings.LANGUAGE_CODE)


def known_language(code: str | None) -> str:
    """`code` if the portal speaks it, else the portal's language."""
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def language_of(user: User) -> str:
    """The language the user reads their notifications and e-mails in: their choice, else the portal's."""
    cached: str | None = getattr(user, _LANGUAGE_ATTRIBUTE, None)
    if cached is None:
        chosen = AccountPreferences.objects.filter(user=user.pk).values_list("language", flat=True).first()
        cached = known_language(chosen)
        setattr(user, _LANGUAGE_ATTRIBUTE, cached)
    return cached


def in_language_of(user: User) -> translation.override:
    """Write what `user` will read (a notification to them) in their language."""
    return translation.override(language_of(user))


def delivery_for(user: User, kind: str) -> str:
    """How a notification of `kind` reaches `user` besides the portal: their choice, e-mailed at once by default;
    never by e-mail to an account without an address or one that is switched off."""
    if not user.email or not user.is_active:
        return Delivery.PORTAL
    chosen = NotificationPreference.objects.filter(user=user.pk, kind=kind).values_list("delivery", flat=True).first()
    return chosen or Delivery.IMMEDIATE


def portal_link(link: str) -> str:
    """The link without the language prefix of whoever built it ("/en/kiem-diem/1/" is kept as "/kiem-diem/1/"):
    a page then opens in the reader's own language."""
    if not link.startswith("/"):
        return link
    return translate_url(link, settings.LANGUAGE_CODE)


def notify(
    *, recipient: User, subject: str, body: str, link: str, kind: str = NotificationKind.GENERAL
) -> Notification:
    """Record the notification and, in the same transaction, the task that e-mails it (when its reader wants it at
    once): a rollback sends nothing, and a broker that is away when the change commits delays the e-mail without
    losing it. Build `subject` and `body` inside `in_language_of(recipient)`."""
    notification = Notification.objects.create(
        recipient=recipient,
        kind=kind,
        subject=one_line(subject)[:255],
        body=body,
        link=portal_link(link),
        delivery=delivery_for(recipient, kind),
    )
    if notification.delivery == Delivery.IMMEDIATE:
        # By the task's name: the task module imports this one.
        outbox.enqueue(EMAIL_TASK, notification.pk)
    return notification


def notify_each(
    recipients: Iterable[User], *, kind: str, link: str, text: Callable[[], tuple[str, str]]
) -> list[Notification]:
    """Notify each of `recipients` (each once), with the subject and body `text()` writes in their language."""
    notifications = []
    for recipient in {user.pk: user for user in recipients}.values():
        with in_language_of(recipient):
            subject, body = text()
        notifications.append(notify(recipient=recipient, subject=subject, body=body, link=link, kind=kind))
    return notifications


@dataclass(frozen=True)
class Notice:
    """One notification to write among many (notify_many). `text` returns its subject and body; it is called in
    the recipient's language."""

    recipient_id: int
    kind: str
    link: str
    text: Callable[[], tuple[str, str]]


Row = TypeVar("Row")


def notices_for(
    pairs: Iterable[tuple[int, int]],
    rows: Mapping[int, Row],
    kind: str,
    link: Callable[[int, Row], str],
    text: Callable[[Row], Callable[[], tuple[str, str]]],
) -> list[Notice]:
    """A notice per (recipient, object) of a reminder run, from the object's row read at sending time; an object
    with no row any more (answered, confirmed, no longer in force since it was chosen) is skipped."""
    return [
        Notice(recipient_id=recipient, kind=kind, link=link(obj, rows[obj]), text=text(rows[obj]))
        for recipient, obj in pairs
        if obj in rows
    ]


@dataclass(frozen=True)
class _Reader:
    language: str
    mailable: bool


def readers(user_ids: Iterable[int]) -> dict[int, "_Reader"]:
    """The language of each user and whether e-mail can reach them, in one query."""
    rows = User.objects.filter(pk__in=set(user_ids)).values_list(
        "pk", "email", "is_active", "account_preferences__language"
    )
    return {pk: _Reader(known_language(language), bool(email) and active) for pk, email, active, language in rows}


def notify_many(notices: list[Notice]) -> list[Notification]:
    """`notify` for many notices at once, in a fixed number of queries whatever their number: the readers, their
    choices, the notifications and the e-mail tasks are each read or written once."""
    if not notices:
        return []
    found = readers(notice.recipient_id for notice in notices)
    chosen = {
        (user_id, kind): delivery
        for user_id, kind, delivery in NotificationPreference.objects.filter(
            user__in=list(found), kind__in={notice.kind for notice in notices}
        ).values_list("user_id", "kind", "delivery")
    }
    notifications = []
    for notice in notices:
        reader = found.get(notice.recipient_id)
        if reader is None:
            continue
        with translation.override(reader.language):
            subject, body = notice.text()
        delivery = chosen.get((notice.recipient_id, notice.kind), Delivery.IMMEDIATE) if reader.mailable else ""
        notifications.append(
            Notification(
                recipient_id=notice.recipient_id,
                kind=notice.kind,
                subject=one_line(subject)[:255],
                body=body,
                link=portal_link(notice.link),
                delivery=delivery or Delivery.PORTAL,
            )
        )
    created = Notification.objects.bulk_create(notifications)
    outbox.enqueue_many(
        EMAIL_TASK, [(notification.pk,) for notification in created if notification.delivery == Delivery.IMMEDIATE]
    )
    return created


# --- What every e-mail carries: the links that turn a kind off --------------------------------------------------


def address_mark(user: User) -> str:
    return salted_hmac(UNSUBSCRIBE_SALT, user.email.strip().lower()).hexdigest()[:16]


def unsubscribe_token(user: User, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind, "a": address_mark(user)}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(user: User, kind: str) -> str:
    """The absolute link (in the active language) that turns `kind` off for `user`."""
    return f"{settings.SITE_URL}{reverse('accounts:unsubscribe', args=[unsubscribe_token(user, kind)])}"


def preferences_url() -> str:
    return f"{settings.SITE_URL}{reverse('accounts:notification_preferences')}"


def email_footer(user: User, kinds: Iterable[str]) -> str:
    """The end of an e-mail to `user` about `kinds`, in the active language: a link per kind that turns it off,
    and the page where they choose."""
    lines = ["—"]
    for kind in dict.fromkeys(kinds):
        lines.append(
            _("Không nhận thư về “%(kind)s” nữa: %(link)s")
            % {"kind": kind_label(kind), "link": unsubscribe_url(user, kind)}
        )
    lines.append(_("Chọn cách nhận từng loại thông báo: %(link)s") % {"link": preferences_url()})
    return "\n".join(lines)


def unsubscribe_headers(user: User, kind: str) -> dict[str, str]:
    """The List-Unsubscribe headers (RFC 2369, RFC 8058): mail programs show an "unsubscribe" button that posts
    to the link at once."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(user, kind)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def notification_email_send(*, notification_id: int) -> bool:
    """Send one notification's email at most once; True when it was sent now."""
    with transaction.atomic(durable=True):
        notification = (
            Notification.objects.select_for_update().select_related("recipient").filter(pk=notification_id).first()
        )
        if notification is None or notification.emailed_at is not None or not notification.recipient.email:
            return False
        recipient = notification.recipient
        with in_language_of(recipient):
            body = notification.body
            if notification.link:
                body = f"{body}\n\n{settings.SITE_URL}{notification.link}"
            body = f"{body}\n\n{email_footer(recipient, [notification.kind])}"
            headers = unsubscribe_headers(recipient, notification.kind)
        send_portal_mail(notification.subject, body, recipient.email, headers)
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True


def mark_read(*, recipient: User) -> int:
    """Mark every unread notification of the user read (reading one's own list is not audited)."""
    return Notification.objects.filter(recipient=recipient, read_at__isnull=True).update(read_at=timezone.now())


def kind_label(kind: str) -> str:
    """The kind's name in the active language ("Thông báo khác" for a kind no longer known)."""
    try:
        return str(NotificationKind(kind).label)
    except ValueError:
        return str(NotificationKind.GENERAL.label)
