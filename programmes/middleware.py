import ipaddress
import sqlite3
from collections.abc import Callable

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader

from programmes.audit import current_ip_address

# What the busy page asks a browser (and a client that reads Retry-After) to wait before trying again.
BUSY_RETRY_AFTER_SECONDS = 30


def client_address(request: HttpRequest) -> str:
    """The address the request came from. Behind PORTAL_TRUSTED_PROXIES reverse proxies, each of which appends
    the address it saw to X-Forwarded-For, the client is that many entries from the right; entries further
    left were written by the client itself and are not believed."""
    proxies: int = settings.PORTAL_TRUSTED_PROXIES
    if proxies:
        forwarded: list[str] = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
        ]
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


def is_database_busy(error: BaseException | None) -> bool:
    """SQLite's answer when another writer held the database past the busy timeout (settings: "timeout")."""
    return isinstance(error, OperationalError | sqlite3.OperationalError) and "locked" in str(error)


def database_busy_response() -> HttpResponse:
    """503 with a page asking to try again in a few minutes. Rendered without the request, like the 500 page:
    a context processor would only wait for the same lock again."""
    response = HttpResponse(loader.get_template("errors/503.html").render(), status=503)
    response["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
    return response


class DatabaseBusyMiddleware:
    """A database kept busy by another writer longer than the busy timeout answers "try again" (503), not a
    server error: nothing was saved (the transaction rolled back), and the same request will succeed later."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # Django's request log records the 503 with its address, as it does every 5xx answer.
        return database_busy_response() if is_database_busy(exception) else None
