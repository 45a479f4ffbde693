from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Value
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language_info

from programmes import access
from programmes.access import Action, AnyUser
from programmes.accounts.middleware import second_step_needed
from programmes.action_programmes import selectors as programme_selectors
from programmes.models import ProgrammeVersion
from programmes.selectors import count_subquery
from programmes.text import normalise


def _language_choices(request: HttpRequest) -> list[tuple[str, str, str]]:
    """(code, the language named in itself, this page's address in it) for the language switch.

    The address is translated here, while the page's language is active: set_language runs on an
    unprefixed URL, so in the default language, and cannot resolve a prefixed "/en/..." itself.
    Django stores some local names decomposed; the page wants NFC.
    """
    path = request.get_full_path()
    return [
        (code, normalise(get_language_info(code)["name_local"]), translate_url(path, code))
        for code, _name in settings.LANGUAGES
    ]


def vietnamese_name(user: object) -> str:
    """Family and middle names come first in Vietnamese ("Phan Đức Bảo"), unlike get_full_name()."""
    parts = (getattr(user, "last_name", ""), getattr(user, "first_name", ""))
    return " ".join(part.strip() for part in parts if part.strip()) or str(getattr(user, "username", ""))


def header_counts(user: AnyUser) -> tuple[int, int]:
    """(unread notifications, versions waiting for the user's confirmation), in one query for every page."""
    if user.pk is None:
        return 0, 0
    # The queue is counted only for a body's secretary (from the grants the menu reads anyway): for anyone else it
    # is empty, and its query cost most of the page's menu.
    waiting = (
        count_subquery(
            ProgrammeVersion.objects.filter(pk__in=programme_selectors.confirmation_queue(user).values("pk"))
        )
        if access.is_secretary_anywhere(user)
        else Value(0)
    )
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(unread=count_subquery(programme_selectors.unread_notifications(user)), waiting=waiting)
        .values_list("unread", "waiting")
        .first()
    )
    return (row[0] or 0, row[1] or 0) if row is not None else (0, 0)


def navigation(request: HttpRequest) -> dict[str, object]:
    """What the menu offers this user, asked of the access module once per page."""
    languages = _language_choices(request)
    # A 400 raised before the authentication middleware ran has no user: render it as anonymous.
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}, "language_choices": languages}
    if not getattr(user, "is_verified", lambda: True)() and second_step_needed(request) is not None:
        # A password alone has not opened the portal yet: the menu shows no counts of what waits inside.
        return {"nav": {}, "language_choices": languages, "account_name": vietnamese_name(user)}
    unread, waiting = header_counts(user)
    return {
        "nav": {
            "organisations": access.can_anywhere(user, Action.VIEW_ORGANISATION),
            "import_roster": access.can_anywhere(user, Action.IMPORT_ROSTER),
            "oversight": access.can_anywhere(user, Action.OVERSEE_AREA),
            "dashboards": access.can_anywhere(user, Action.VIEW_DASHBOARD),
            "admin": user.is_staff,
            "audit_log": access.can_anywhere(user, Action.VIEW_AUDIT_LOG),
            # A cadre (party member or party post) registers programmes; role-only accounts do not.
            "my_programmes": access.registers_programmes(user),
            "unread_notifications": unread,
            "waiting_confirmation": waiting,
        },
        "language_choices": languages,
        "account_name": vietnamese_name(user),
    }
