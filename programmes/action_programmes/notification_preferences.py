"""How each reader receives each kind of notification (at once, in the day's digest, in the portal only), the
language they read them in, and the link in every e-mail that turns a kind off without signing in.

The link carries a signed token (django.core.signing) naming the account and the kind, and a mark of the
account's e-mail address: it cannot be made for another account or kind, it expires after
NOTIFICATION_UNSUBSCRIBE_DAYS, and it stops working once the account's address changes (a message that reached an
address the account no longer has cannot change its choices). Opening it shows a button; the change is a POST,
which a mail program may also send by itself (RFC 8058 one-click, the List-Unsubscribe-Post header).
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from programmes.action_programmes.notifications import ALL_KINDS, UNSUBSCRIBE_SALT, address_mark, kind_label
from programmes.audit import audit_record
from programmes.audit_actions import NotificationAction
from programmes.models import AccountPreferences, Delivery, Notification, NotificationKind, NotificationPreference

# --- Choices ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preferences:
    language: str
    deliveries: dict[str, str]


def preferences_of(user: User) -> Preferences:
    """The user's language and their choice for every kind (e-mailed at once where they chose nothing)."""
    chosen = dict(NotificationPreference.objects.filter(user=user.pk).values_list("kind", "delivery"))
    language = AccountPreferences.objects.filter(user=user.pk).values_list("language", flat=True).first() or ""
    return Preferences(
        language=language,
        deliveries={kind: chosen.get(kind, Delivery.IMMEDIATE) for kind in NotificationKind.values},
    )


def _stored(user: User) -> dict[str, Any]:
    preferences = preferences_of(user)
    changed = {kind: delivery for kind, delivery in preferences.deliveries.items() if delivery != Delivery.IMMEDIATE}
    return {"language": preferences.language, "deliveries": changed}


def _set_deliveries(user: User, deliveries: Mapping[str, str]) -> None:
    """Keep a row for each kind not e-mailed at once; what waited for a digest of a kind now kept in the portal
    stays there."""
    now = timezone.now()
    NotificationPreference.objects.filter(user=user, kind__in=list(deliveries)).delete()
    NotificationPreference.objects.bulk_create(
        NotificationPreference(user=user, kind=kind, delivery=delivery, updated_at=now)
        for kind, delivery in deliveries.items()
        if delivery != Delivery.IMMEDIATE
    )
    silenced = [kind for kind, delivery in deliveries.items() if delivery == Delivery.PORTAL]
    Notification.objects.filter(
        recipient=user, kind__in=silenced, delivery=Delivery.DIGEST, emailed_at__isnull=True
    ).update(delivery=Delivery.PORTAL)


@transaction.atomic(durable=True)
def preferences_save(*, user: User, deliveries: Mapping[str, str], language: str, acting_user: User) -> Preferences:
    """Set how `user` receives each kind named in `deliveries`, and their language; only the account itself."""
    if acting_user.pk != user.pk:
        raise PermissionDenied(_("Chỉ chủ tài khoản mới đổi được cách nhận thông báo của mình."))
    unknown = sorted(set(deliveries) - set(NotificationKind.values))
    if unknown:
        raise ValidationError(_("Loại thông báo không hợp lệ: %(kinds)s.") % {"kinds": ", ".join(unknown)})
    wrong = [kind for kind, delivery in deliveries.items() if delivery not in Delivery.values]
    if wrong:
        raise ValidationError(
            {kind: _("Hãy chọn một cách nhận cho “%(kind)s”.") % {"kind": kind_label(kind)} for kind in wrong}
        )
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Ngôn ngữ không hợp lệ.")})
    before = _stored(user)
    _set_deliveries(user, deliveries)
    AccountPreferences.objects.update_or_create(user=user, defaults={"language": language})
    # The next notification in this process reads the new language.
    user.__dict__.pop("_portal_notification_language", None)
    after = _stored(user)
    if after != before:
        audit_record(actor=acting_user, action=NotificationAction.PREFERENCES, obj=user, before=before, after=after)
    return preferences_of(user)


# --- The link that turns a kind off -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Unsubscription:
    user: User
    kind: str

    @property
    def label(self) -> str:
        return _("mọi loại thông báo") if self.kind == ALL_KINDS else kind_label(self.kind)


def read_unsubscribe_token(token: str) -> Unsubscription | None:
    """Whose and which kind a link names, or None for a link that is forged, expired, or sent to an address the
    account no longer has (one answer for all, so that nothing can be learnt by trying)."""
    try:
        data = signing.loads(
            token, salt=UNSUBSCRIBE_SALT, max_age=datetime.timedelta(days=settings.NOTIFICATION_UNSUBSCRIBE_DAYS)
        )
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    kind, mark = data.get("k"), data.get("a")
    if kind not in (*NotificationKind.values, ALL_KINDS) or not isinstance(mark, str):
        return None
    user = User.objects.filter(pk=data["u"], is_active=True).first()
    if user is None or not user.email or not constant_time_compare(mark, address_mark(user)):
        return None
    return Unsubscription(user=user, kind=str(kind))


@transaction.atomic(durable=True)
def unsubscribe(*, token: str) -> Unsubscription:
    """Turn the e-mail of the link's kind (or of every kind) off for its account: the notifications stay in the
    portal. Whoever holds the link may do it, as the e-mail's reader; doing it twice changes nothing more."""
    found = read_unsubscribe_token(token)
    if found is None:
        raise ValidationError(_("Liên kết hủy nhận thư không hợp lệ hoặc đã hết hạn."))
    kinds = NotificationKind.values if found.kind == ALL_KINDS else [found.kind]
    before = _stored(found.user)
    _set_deliveries(found.user, dict.fromkeys(kinds, Delivery.PORTAL))
    after = _stored(found.user)
    if after != before:
        audit_record(
            actor=found.user,
            action=NotificationAction.UNSUBSCRIBE,
            obj=found.user,
            before=before,
            after={**after, "kind": found.kind},
        )
    return found


def language_choices() -> list[tuple[str, str]]:
    """The languages a reader may choose, the portal's first (an empty choice: the portal's language)."""
    return [("", _("Theo ngôn ngữ của cổng"))] + [(code, str(name)) for code, name in settings.LANGUAGES]
