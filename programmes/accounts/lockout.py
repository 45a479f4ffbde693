"""django-axes with two limits on failed log-ins.

Axes itself counts failures per (user name, client address), so that a person is never locked out by someone
else's failures. A password spray, one wrong password on each of many accounts from one address, never reaches
that limit for any one name; this handler also counts every failure from the address, whatever the name, and
locks the whole address once it reaches LOGIN_ADDRESS_FAILURE_LIMIT. The client address is the portal's own
(`programmes.middleware.client_address`, set as AXES_CLIENT_IP_CALLABLE), so behind trusted proxies a client
cannot put its failures on another client's address.
"""

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest

# Set on the request when the address as a whole is locked, so that the lockout page says so.
ADDRESS_LOCKED_ATTRIBUTE = "portal_address_locked"


def address_failures(request: HttpRequest) -> int:
    """Failures from the request's client address within the cool-off period, over every user name."""
    attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)  # type: ignore[attr-defined]
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


# AxesDatabaseHandler is Any to the type checker (django-axes ships no type hints).
class PortalAxesHandler(AxesDatabaseHandler):  # type: ignore[misc]
    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """The failures axes compares with AXES_FAILURE_LIMIT: those of this name from this address, or the limit
        itself once the address has reached its own limit (so that even a right password is refused)."""
        failures: int = super().get_failures(request, credentials)
        if not request.axes_ip_address:  # type: ignore[attr-defined]
            return failures
        if address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            setattr(request, ADDRESS_LOCKED_ATTRIBUTE, True)
            limit: int = get_failure_limit(request, credentials)
            return max(failures, limit)
        return failures
