from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from programmes.audit import current_ip_address


class AuditContextMiddleware:
    """Makes the client's address available to audit events written during the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_ip_address.set(request.META.get("REMOTE_ADDR") or None)
        try:
            return self.get_response(request)
        finally:
            current_ip_address.reset(token)
