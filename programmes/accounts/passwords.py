"""Password reset by e-mail: Django's views and token; the new password is set by this service."""

from django.contrib.auth.models import User
from django.db import transaction

from programmes.audit import audit_record


@transaction.atomic
def password_reset(*, user: User, new_password: str) -> User:
    """Replace a forgotten password through the e-mailed link. The link proved that the account holder is the one
    acting, so they are the event's actor. Every other session of the account ends (Django ties sessions to the
    password)."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit_record(actor=user, action="account.password_reset", obj=user)
    return user
