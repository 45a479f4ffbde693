from django.http import HttpRequest

from programmes import access
from programmes.access import Action


def navigation(request: HttpRequest) -> dict[str, object]:
    """What the menu offers this user, asked of the access module once per page."""
    user = request.user
    if not user.is_authenticated:
        return {"nav": {}}
    return {
        "nav": {
            "organisations": access.can_anywhere(user, Action.VIEW_ORGANISATION),
            "import_roster": access.can_anywhere(user, Action.IMPORT_ROSTER),
            "oversight": access.can_anywhere(user, Action.OVERSEE_AREA),
            "admin": user.is_staff,
        }
    }
