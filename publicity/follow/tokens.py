"""The links of the follow e-mails: signed (django.core.signing), so that the server keeps no token. The
confirmation link expires after FOLLOW_CONFIRM_DAYS; the unsubscribe link works as long as its subscription exists,
so that every e-mail ever sent can stop the next one. Each names one subscription and nothing else."""

from django.conf import settings
from django.core import signing

CONFIRM_SALT = "publicity.follow.confirm"
UNSUBSCRIBE_SALT = "publicity.follow.unsubscribe"


def confirm_token(subscription_id: int) -> str:
    return signing.dumps(subscription_id, salt=CONFIRM_SALT)


def unsubscribe_token(subscription_id: int) -> str:
    return signing.dumps(subscription_id, salt=UNSUBSCRIBE_SALT)


def _read(token: str, salt: str, max_age: int | None = None) -> int | None:
    try:
        value = signing.loads(token, salt=salt, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def confirmed_id(token: str) -> int | None:
    """The subscription a confirmation link names, or None when it is forged, damaged or expired."""
    return _read(token, CONFIRM_SALT, max_age=settings.FOLLOW_CONFIRM_DAYS * 24 * 60 * 60)


def unsubscribed_id(token: str) -> int | None:
    """The subscription an unsubscribe link names, or None when it is forged or damaged."""
    return _read(token, UNSUBSCRIBE_SALT)
