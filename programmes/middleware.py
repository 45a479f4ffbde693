import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from programmes.audit import current_ip_address


def client_address(request: HttpRequest) -> str:
    """The address the request came from. Behind PORTAL_TRUSTED_PROXIES reverse proxies, each of which appends
    the address it saw to X-Forwarded-For, the client is that many entries from the right; entries further
    left were written by the client itself and are not believed."""
    proxies = settings.PORTAL_TRUSTED_PROXIES
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        # An entry that is no address (a proxy count set too high lets the client's own text through) is not believed.
        if len(forwarded) >= proxies and _is_address(forwarded[-proxies]):
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR") or "")


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


class AuditContextMiddleware:
    """Makes the client's address available to audit events written during the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_ip_address.set(client_address(request) or None)
        try:
            return self.get_response(request)
        finally:
            current_ip_address.reset(token)
