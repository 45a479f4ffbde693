"""Telling the followers of a published change: one fan-out per change, e-mails in batches, each sent once.

A service that publishes a programme, confirms a version of a public one or reports progress on a public commitment
asks for `fan_out` (programmes.action_programmes.announcements). It reads the change as the public pages tell it
(publicity.changes: nothing about a programme no longer published, nor a commitment capped below the public),
records one delivery per confirmed follower (unique per subscription and change, so running it again adds none) and
queues their e-mails in batches. Each batch reads the change again before its first e-mail (a change withdrawn
meanwhile is not sent), and each e-mail is sent with its delivery row locked and marked sent in the same transaction.
"""

from collections.abc import Iterator, Sequence

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from programmes import outbox
from programmes.action_programmes.announcements import PublicChange, change_key
from programmes.models import ActionProgramme
from publicity import changes, selectors
from publicity.follow.mail import absolute, send_follow_mail
from publicity.follow.targets import Followed, described, followers_q
from publicity.models import FollowDelivery, FollowSubscription

# By the task's name: the task module imports this one.
SEND_TASK = "publicity.tasks.send_follow_emails"
# Followers read and recorded per transaction by the fan-out; e-mails per task (each a few hundred milliseconds).
FAN_OUT_CHUNK = 500
EMAILS_PER_TASK = 50


def _told(kind: PublicChange, object_id: int) -> changes.RecentChange | None:
    """The change as the public pages tell it now (in the active language), or None if it is not public (any more)."""
    if kind == PublicChange.VERSION:
        return changes.version_change(object_id)
    if kind == PublicChange.PROGRESS:
        return changes.progress_change(object_id)
    return changes.publication_change(object_id)


def _changed_programme(kind: PublicChange, object_id: int) -> tuple[changes.RecentChange, ActionProgramme] | None:
    """The change and the published programme it is about, or None when the change is not public (any more)."""
    change = _told(kind, object_id)
    if change is None:
        return None
    programme = selectors.public_programmes().select_related("organisation").filter(pk=change.programme_id).first()
    return (change, programme) if programme is not None else None


def _chunks(ids: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def fan_out(kind: str, object_id: int) -> int:
    """Record a delivery for every confirmed follower of the change and queue their e-mails; how many were queued.
    Safe to run again: recorded deliveries are not doubled, and those already sent are not queued."""
    change = PublicChange(kind)
    found = _changed_programme(change, object_id)
    if found is None:
        return 0
    told, programme = found
    key = change_key(change, object_id)
    # Those who followed before the change: one who confirms after it was made is not sent it later (its fan-out
    # may run after their confirmation), only what comes next.
    followers = FollowSubscription.objects.filter(
        followers_q(programme, with_area=change == PublicChange.PUBLISHED), confirmed_at__lte=told.at
    ).order_by("pk")
    queued, last = 0, 0
    while True:
        ids = list(followers.filter(pk__gt=last).values_list("pk", flat=True)[:FAN_OUT_CHUNK])
        if not ids:
            return queued
        with transaction.atomic():
            FollowDelivery.objects.bulk_create(
                [FollowDelivery(subscription_id=pk, change=key) for pk in ids], ignore_conflicts=True
            )
            waiting = list(
                FollowDelivery.objects.filter(subscription_id__in=ids, change=key, sent_at__isnull=True)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            outbox.enqueue_many(SEND_TASK, ((batch,) for batch in _chunks(waiting, EMAILS_PER_TASK)))
        queued += len(waiting)
        last = ids[-1]


def _told_by_key(key: str) -> changes.RecentChange | None:
    kind, _dash, object_id = key.partition("-")
    return _told(PublicChange(kind), int(object_id))


def _email_text(change: changes.RecentChange) -> tuple[str, str]:
    address = reverse("publicity:public_programme", args=[change.programme_id])
    if change.commitment_id:
        address += f"#cam-ket-{change.commitment_id}"
    subject = f"{change.kind_label}: {change.owner_name} – {change.programme_title}"
    body = _(
        "%(kind)s: chương trình “%(title)s” của đồng chí %(owner)s (%(organisation)s).\n\n"
        "%(summary)s\n\n"
        "Xem trên cổng: %(link)s"
    ) % {
        "kind": change.kind_label,
        "title": change.programme_title,
        "owner": change.owner_name,
        "organisation": change.organisation_name,
        "summary": change.summary,
        "link": absolute(address),
    }
    return subject, body


def deliveries_send(delivery_ids: Sequence[int]) -> int:
    """E-mail each delivery not sent yet, while its change is still public; how many were sent now."""
    # Read once per change, target and language for the whole batch.
    told: dict[tuple[str, str], changes.RecentChange | None] = {}
    names: dict[tuple[Followed, str], str] = {}
    sent = 0
    for delivery_id in delivery_ids:
        with transaction.atomic(durable=True):
            delivery = (
                FollowDelivery.objects.select_for_update(of=("self",))
                .select_related("subscription")
                .filter(pk=delivery_id, sent_at__isnull=True, subscription__confirmed_at__isnull=False)
                .first()
            )
            if delivery is None:
                continue
            subscription = delivery.subscription
            with translation.override(subscription.language):
                language = translation.get_language() or subscription.language
                if (delivery.change, language) not in told:
                    told[delivery.change, language] = _told_by_key(delivery.change)
                change = told[delivery.change, language]
                if change is None:
                    continue
                followed = Followed.of(subscription)
                if (followed, language) not in names:
                    names[followed, language] = described(followed)
                subject, body = _email_text(change)
                if not send_follow_mail(subscription, subject, body, names[followed, language]):
                    continue
            delivery.sent_at = timezone.now()
            delivery.save(update_fields=["sent_at"])
            sent += 1
    return sent
