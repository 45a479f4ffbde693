"""Password reset by e-mail: Django's views and token; the e-mail goes out from a worker, the new password is set
by this service."""

import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from programmes import outbox
from programmes.action_programmes.notifications import in_portal_language
from programmes.audit import audit_record
from programmes.audit_actions import AccountAction
from programmes.mail import send_portal_mail
from programmes.models import AuditEvent

RESET_REQUESTED = AccountAction.PASSWORD_RESET_REQUESTED


@transaction.atomic(durable=True)
def password_reset(*, user: User, new_password: str) -> User:
    """Replace a forgotten password through the e-mailed link. The link proved that the account holder is the one
    acting, so they are the event's actor. Every other session of the account ends (Django ties sessions to the
    password)."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit_record(actor=user, action=AccountAction.PASSWORD_RESET, obj=user)
    return user


def reset_request_refusal(address: str) -> str | None:
    """Why this client address may not ask for another reset now (the same for every e-mail address typed, so
    the answer tells nothing about which accounts exist), or None."""
    since = timezone.now() - datetime.timedelta(hours=1)
    recent = AuditEvent.objects.filter(action=RESET_REQUESTED, ip_address=address or None, at__gte=since).count()
    if recent >= settings.PASSWORD_RESET_HOURLY_LIMIT:
        return _(
            "Đã có %(limit)s yêu cầu đặt lại mật khẩu từ máy này trong một giờ qua, là mức tối đa. Xin vui lòng "
            "thử lại sau."
        ) % {"limit": settings.PASSWORD_RESET_HOURLY_LIMIT}
    return None


@transaction.atomic(durable=True)
def reset_request_record(*, users: list[User]) -> None:
    """One event per request, with the client's address and no e-mail address; the e-mails leave after commit, from
    a worker, so that the page answers as fast whether or not an account was found."""
    audit_record(actor=None, action=RESET_REQUESTED)
    # By the task's name: the task module imports this one.
    outbox.enqueue_many("programmes.tasks.send_password_reset_email", [(user.pk,) for user in users])


def password_reset_email_send(*, user_id: int) -> bool:
    """Send one account its reset link, made here so that no token ever waits in the broker's queue."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email or not user.has_usable_password():
        return False
    context = {
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "site_url": settings.SITE_URL.rstrip("/"),
        "valid_minutes": max(1, settings.PASSWORD_RESET_TIMEOUT // 60),
    }
    with in_portal_language():
        subject = render_to_string("emails/password_reset_subject.txt", context)
        body = render_to_string("emails/password_reset_body.txt", context)
    send_portal_mail(subject, body, user.email)
    return True
