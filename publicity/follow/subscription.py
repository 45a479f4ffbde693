"""The citizen's steps: asking to follow (a pending subscription and an e-mail with a confirmation link), confirming
by that link, and unsubscribing in one click, which deletes the subscription and its address.

No step tells anyone whether an address already follows something: asking gets the same answer whatever the
address (the e-mail itself, sent to that address alone, says "you already follow"), and an address asked for too
often gets the same answer and no e-mail. The network address is kept to a rate, as the feedback form does.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programmes import outbox
from programmes.audit import audit_record
from publicity.audit_actions import FollowAction
from publicity.feedback import source_digest
from publicity.follow.mail import absolute, send_follow_mail
from publicity.follow.targets import Followed, described, followable
from publicity.follow.tokens import confirm_token, confirmed_id, unsubscribed_id
from publicity.models import FollowRequest, FollowSubscription

# By the task's name: the task module imports this one.
CONFIRMATION_TASK = "publicity.tasks.send_follow_confirmation"
ADDRESS_MAX_LENGTH = 254
INVALID_LINK = gettext_lazy(
    "Liên kết này không dùng được: có thể đã hết hạn, đã được dùng để hủy theo dõi, hoặc bị chép thiếu. "
    "Hãy đăng ký theo dõi lại từ trang chương trình hoặc trang địa bàn."
)


class FollowThrottled(ValidationError):
    """This network address has asked to follow as often as the limit allows for now."""


def _count_since(digest_field: str, digest: str, minutes: int, now: datetime.datetime) -> int:
    since = now - datetime.timedelta(minutes=minutes)
    return FollowRequest.objects.filter(**{digest_field: digest}, requested_at__gte=since).count()


def throttle_refusal(source: str, now: datetime.datetime) -> str | None:
    """Why this network address may not ask again now, or None."""
    for window_minutes, limit in settings.FOLLOW_RATE_LIMITS:
        if _count_since("source_digest", source, window_minutes, now) >= limit:
            return _(
                "Từ máy của bạn đã có %(limit)s yêu cầu theo dõi trong %(window)s phút qua, là mức tối đa. "
                "Xin vui lòng thử lại sau."
            ) % {"limit": limit, "window": window_minutes}
    return None


def _address_saturated(address: str, now: datetime.datetime) -> bool:
    """Whether this e-mail address was asked for as often as its limit allows: no more e-mails to it for now."""
    return any(
        _count_since("address_digest", address, window_minutes, now) >= limit
        for window_minutes, limit in settings.FOLLOW_ADDRESS_RATE_LIMITS
    )


def _clean_address(email: str) -> str:
    email = email.strip()
    if not email:
        raise ValidationError({"email": _("Hãy ghi địa chỉ thư điện tử để nhận thư báo.")})
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Địa chỉ thư điện tử chưa đúng dạng, ví dụ: ten@example.vn.")}) from None
    if len(email) > ADDRESS_MAX_LENGTH:
        too_long = _("Địa chỉ thư điện tử dài quá %(limit)s ký tự.") % {"limit": ADDRESS_MAX_LENGTH}
        raise ValidationError({"email": too_long})
    return email


def _audit(action: str, subscription: FollowSubscription) -> None:
    # What is followed, never by whom: no address, no network address.
    followed = Followed.of(subscription)
    confirmed = subscription.confirmed_at is not None
    after = {"target": followed.target.value, "object": followed.object_id, "confirmed": confirmed}
    audit_record(actor=None, action=action, obj=subscription, after=after, keep_address=False)


def _pending_or_existing(followed: Followed, address: str, email: str, language: str) -> FollowSubscription:
    """The address's subscription to `followed`, asked for again now; a new pending one if it had none."""
    now = timezone.now()
    existing = FollowSubscription.objects.select_for_update().filter(address_digest=address, **followed.lookup).first()
    if existing is None:
        try:
            with transaction.atomic():
                return FollowSubscription.objects.create(
                    target=followed.target,
                    address_digest=address,
                    email=email,
                    language=language,
                    requested_at=now,
                    **followed.lookup,
                )
        except IntegrityError:
            # The same address asked at the same moment from another request: that one's row is this one's.
            existing = FollowSubscription.objects.select_for_update().get(address_digest=address, **followed.lookup)
    existing.requested_at = now
    fields = ["requested_at"]
    if existing.confirmed_at is None:
        # Not confirmed yet: the latest request's spelling and language are those the confirmation goes out in.
        existing.email, existing.language = email, language
        fields += ["email", "language"]
    existing.save(update_fields=fields)
    return existing


@transaction.atomic(durable=True)
def follow_request(*, followed: Followed, email: str, language: str, source_address: str) -> None:
    """Ask to follow `followed` at `email`: a pending subscription, confirmed by the link e-mailed to the address
    (or an e-mail saying it already follows). Returns nothing: the caller answers the same whatever happened."""
    email = _clean_address(email)
    if not followable(followed):
        raise ValidationError(_("Không theo dõi được: nội dung này không (còn) được công khai."))
    now = timezone.now()
    source = source_digest(source_address)
    refusal = throttle_refusal(source, now)
    if refusal is not None:
        raise FollowThrottled(refusal)
    address = source_digest(email.lower())
    saturated = _address_saturated(address, now)
    FollowRequest.objects.create(source_digest=source, address_digest=address, requested_at=now)
    if saturated:
        return
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    subscription = _pending_or_existing(followed, address, email, language)
    _audit(FollowAction.REQUEST, subscription)
    outbox.enqueue(CONFIRMATION_TASK, subscription.pk)


def confirmation_send(*, subscription_id: int) -> bool:
    """E-mail the answer to the latest request, once: the confirmation link, or "you already follow" for a confirmed
    subscription. True when it was sent now."""
    with transaction.atomic(durable=True):
        subscription = FollowSubscription.objects.select_for_update().filter(pk=subscription_id).first()
        if subscription is None:
            return False
        if subscription.mailed_at is not None and subscription.mailed_at >= subscription.requested_at:
            return False
        with translation.override(subscription.language):
            what = described(Followed.of(subscription))
            if subscription.confirmed_at is None:
                subject, body = _confirmation_text(subscription, what)
            else:
                subject = _("Bạn đã theo dõi từ trước: %(what)s") % {"what": what}
                body = _(
                    "Có yêu cầu đăng ký theo dõi %(what)s bằng địa chỉ thư này, nhưng địa chỉ này đã theo dõi từ "
                    "trước. Bạn vẫn tiếp tục nhận thư báo khi có thay đổi được công khai; không cần làm gì thêm."
                ) % {"what": what}
            send_follow_mail(subscription, subject, body, what)
        subscription.mailed_at = timezone.now()
        subscription.save(update_fields=["mailed_at"])
    return True


def _confirmation_text(subscription: FollowSubscription, what: str) -> tuple[str, str]:
    link = absolute(reverse("publicity:follow_confirm", args=[confirm_token(subscription.pk)]))
    subject = _("Xác nhận theo dõi: %(what)s") % {"what": what}
    body = _(
        "Có người (có thể là bạn) vừa đăng ký nhận thư báo về %(what)s tại địa chỉ thư này.\n\n"
        "Để bắt đầu nhận thư báo, hãy mở liên kết sau trong %(days)s ngày tới và bấm “Xác nhận theo dõi”:\n"
        "%(link)s\n\n"
        "Nếu không phải bạn đăng ký, hãy bỏ qua thư này: bạn sẽ không nhận thêm thư nào, và địa chỉ của bạn "
        "được xóa sau %(retention)s ngày."
    ) % {
        "what": what,
        "days": settings.FOLLOW_CONFIRM_DAYS,
        "link": link,
        "retention": settings.FOLLOW_PENDING_RETENTION_DAYS,
    }
    return subject, body


def subscription_for_confirmation(token: str) -> FollowSubscription | None:
    """The subscription a confirmation link names, while the link is valid; for the page that shows the button."""
    subscription_id = confirmed_id(token)
    return None if subscription_id is None else FollowSubscription.objects.filter(pk=subscription_id).first()


def subscription_for_unsubscribing(token: str) -> FollowSubscription | None:
    subscription_id = unsubscribed_id(token)
    return None if subscription_id is None else FollowSubscription.objects.filter(pk=subscription_id).first()


@transaction.atomic(durable=True)
def follow_confirm(*, token: str) -> FollowSubscription:
    """Confirm a subscription by its link: from now on it receives the published changes. Confirming again changes
    nothing."""
    subscription_id = confirmed_id(token)
    subscription = (
        FollowSubscription.objects.select_for_update().filter(pk=subscription_id).first()
        if subscription_id is not None
        else None
    )
    if subscription is None:
        raise ValidationError(INVALID_LINK)
    if subscription.confirmed_at is not None:
        return subscription
    if not followable(Followed.of(subscription)):
        raise ValidationError(_("Không xác nhận được: nội dung này không còn được công khai."))
    subscription.confirmed_at = timezone.now()
    subscription.save(update_fields=["confirmed_at"])
    _audit(FollowAction.CONFIRM, subscription)
    return subscription


@transaction.atomic(durable=True)
def follow_cancel(*, token: str) -> bool:
    """Unsubscribe by the link of any e-mail (or of the confirmation, to drop a request one did not make): the
    subscription and its address are deleted at once. False when it was already gone."""
    subscription_id = unsubscribed_id(token)
    if subscription_id is None:
        raise ValidationError(INVALID_LINK)
    subscription = FollowSubscription.objects.select_for_update().filter(pk=subscription_id).first()
    if subscription is None:
        return False
    _audit(FollowAction.UNSUBSCRIBE, subscription)
    subscription.delete()
    return True
