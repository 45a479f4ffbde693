"""The audit log in the admin: read-only for everyone, and staff who are not system administrators see only the
events of their own actions."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from programmes import access
from programmes.models import AuditEvent

from .mixins import NoChangesAdminMixin


@admin.register(AuditEvent)
class AuditEventAdmin(NoChangesAdminMixin, admin.ModelAdmin[AuditEvent]):
    """Read-only: the audit log is append-only, even for administrators."""

    list_display = ["at", "actor_repr", "action", "object_repr", "ip_address"]
    list_filter = ["action"]
    search_fields = ["actor_repr", "object_repr", "action"]
    date_hierarchy = "at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        queryset = super().get_queryset(request)
        # Events name objects of every kind, with no organisation to scope them by: staff see their own.
        return queryset if access.sees_every_admin_row(request.user) else queryset.filter(actor=request.user.pk)
