"""The second factor: a TOTP authenticator app, with single-use recovery codes for the day the phone is lost.

Each state change is one service: only the account's own holder turns the second factor on or off or draws new
recovery codes (`acting_user` is that person), in one transaction with its audit event. Events record counts,
never a key or a code.
"""

import base64
import re
from binascii import unhexlify

import segno
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import verify_token
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from programmes.audit import audit_record
from programmes.audit_actions import AccountAction

RECOVERY_CODE_COUNT = 10
# Names of the devices as the admin lists them.
TOTP_DEVICE_NAME = "Ứng dụng xác thực"
RECOVERY_DEVICE_NAME = "Mã dự phòng"
# A code from the app: six digits. Anything else typed in the code field is taken for a recovery code.
_TOTP_TOKEN = re.compile(r"\d{6}")
# Steps of 30 seconds either side of now that a code may be off by (a phone's clock a little fast or slow).
TOLERANCE_STEPS = 1


def new_key() -> str:
    """A fresh secret key, hex-encoded as django-otp stores it (20 bytes, as RFC 6238 suggests for SHA-1)."""
    return str(random_hex(20))


def key_text(key: str) -> str:
    """The key as a person types it into an authenticator app: base32, in groups of four."""
    encoded = base64.b32encode(unhexlify(key)).decode().rstrip("=")
    return " ".join(encoded[i : i + 4] for i in range(0, len(encoded), 4))


def setup_url(user: User, key: str) -> str:
    """The otpauth:// address the QR code carries (account name, key, issuer)."""
    return str(TOTPDevice(user=user, key=key).config_url)


def qr_data_uri(url: str) -> str:
    """The QR code as an inline SVG data URI: drawn by the portal, nothing fetched from elsewhere."""
    return str(segno.make(url, error="m").svg_data_uri(scale=5, border=2, dark="#000", light="#fff"))


def totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def recovery_device(user: User) -> StaticDevice | None:
    return StaticDevice.objects.devices_for_user(user, confirmed=True).first()


def recovery_codes_left(user: User) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


def normalise_token(text: str) -> str:
    """What the person typed, without the spaces and dashes that codes are shown with, in lower case."""
    return re.sub(r"[\s\-]", "", text).lower()


def format_recovery_code(code: str) -> str:
    """Recovery codes are shown in two halves, easier to copy by hand."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def _own_account(user: User, acting_user: User) -> None:
    # Nobody, not even an administrator, turns on, off or reads the second factor of another account from here:
    # an administrator who must help a person who lost both phone and codes deletes the devices in the admin.
    if acting_user.pk != user.pk:
        raise PermissionDenied


def _replace_recovery_codes(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": RECOVERY_DEVICE_NAME, "confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _index in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def totp_enable(*, user: User, key: str, token: str, acting_user: User) -> tuple[TOTPDevice, list[str]]:
    """Turn the second factor on with `key` once `token` shows that the person's app holds the key.

    Creates the TOTP device and a fresh set of recovery codes, which are returned so the page can show them once.
    The accepted code cannot be used again to sign in."""
    _own_account(user, acting_user)
    totp = TOTP(unhexlify(key))
    typed = normalise_token(token)
    if not _TOTP_TOKEN.fullmatch(typed) or not totp.verify(int(typed), tolerance=TOLERANCE_STEPS):
        raise ValidationError(
            {
                "token": _(
                    "Mã không đúng. Hãy nhập mã 6 chữ số đang hiện trong ứng dụng xác thực; nếu mã vẫn bị từ chối, "
                    "kiểm tra giờ trên điện thoại."
                )
            }
        )
    with transaction.atomic(durable=True):
        # Locks the account's row, so that two tabs confirming at once cannot leave two devices.
        User.objects.select_for_update().only("pk").get(pk=user.pk)
        if totp_device(user) is not None:
            raise ValidationError(_("Xác thực hai bước đã được bật cho tài khoản này."))
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(
            user=user, name=TOTP_DEVICE_NAME, key=key, confirmed=True, last_t=totp.t(), last_used_at=timezone.now()
        )
        codes = _replace_recovery_codes(user)
        audit_record(
            actor=acting_user, action=AccountAction.SECOND_FACTOR_ON, obj=user, after={"recovery_codes": len(codes)}
        )
    return device, codes


def second_factor_check(*, user: User, token: str) -> Device:
    """The device that accepts `token`: a current code of the app, or an unused recovery code (used up here).

    Each device slows down guessing by itself (django-otp doubles the wait after each wrong code); a refusal says
    how long to wait. Not wrapped in a transaction of its own: a wrong code must stay counted when this refuses."""
    typed = normalise_token(token)
    device: Device | None = totp_device(user) if _TOTP_TOKEN.fullmatch(typed) else recovery_device(user)
    wrong = ValidationError(
        {"token": _("Mã không đúng hoặc đã được dùng. Hãy nhập mã đang hiện trong ứng dụng, hoặc một mã dự phòng.")}
    )
    if device is None:
        raise wrong
    allowed, details = device.verify_is_allowed()
    if not allowed:
        locked_until = (details or {}).get("locked_until")
        seconds = max(1, int((locked_until - timezone.now()).total_seconds()) + 1) if locked_until else 60
        raise ValidationError(
            {"token": _("Đã nhập sai nhiều lần. Vui lòng chờ %(seconds)d giây rồi thử lại.") % {"seconds": seconds}}
        )
    verified = verify_token(user, device.persistent_id, typed)
    if verified is None:
        raise wrong
    if isinstance(verified, StaticDevice):
        audit_record(
            actor=user,
            action=AccountAction.RECOVERY_CODE_USED,
            obj=user,
            after={"recovery_codes": recovery_codes_left(user)},
        )
    return verified


def totp_disable(*, user: User, token: str, acting_user: User) -> None:
    """Turn the second factor off: needs a current code (or a recovery code), so a session left open is not
    enough. Removes the app's key and every recovery code."""
    _own_account(user, acting_user)
    second_factor_check(user=user, token=token)
    with transaction.atomic(durable=True):
        left = recovery_codes_left(user)
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        audit_record(
            actor=acting_user, action=AccountAction.SECOND_FACTOR_OFF, obj=user, before={"recovery_codes": left}
        )


@transaction.atomic(durable=True)
def recovery_codes_regenerate(*, user: User, acting_user: User) -> list[str]:
    """Draw a new set of recovery codes; the old ones stop working at once."""
    _own_account(user, acting_user)
    if totp_device(user) is None:
        raise ValidationError(_("Hãy bật xác thực hai bước trước khi tạo mã dự phòng."))
    before = recovery_codes_left(user)
    codes = _replace_recovery_codes(user)
    audit_record(
        actor=acting_user,
        action=AccountAction.RECOVERY_CODES_REGENERATED,
        obj=user,
        before={"recovery_codes": before},
        after={"recovery_codes": len(codes)},
    )
    return codes


def token_now(key: str) -> str:
    """The app's current code for `key`, as six digits (for the demo accounts' command)."""
    return f"{TOTP(unhexlify(key)).token():06d}"
