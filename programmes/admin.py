from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from programmes.models import (
    AuditEvent,
    Cadre,
    CadrePrivateDetails,
    Membership,
    OrganisationSuccession,
    PartyOrganisation,
    Position,
    RoleAssignment,
)


class SuccessionInline(admin.TabularInline):
    model = OrganisationSuccession
    fk_name = "successor"
    raw_id_fields = ["predecessor"]
    extra = 0


@admin.register(PartyOrganisation)
class PartyOrganisationAdmin(TreeAdmin, SimpleHistoryAdmin):
    form = movenodeform_factory(PartyOrganisation)
    list_display = ["name", "code", "kind", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["name", "code", "admin_area_code"]
    inlines = [SuccessionInline]


class PrivateDetailsInline(admin.StackedInline):
    model = CadrePrivateDetails
    can_delete = False


class MembershipInline(admin.TabularInline):
    model = Membership
    raw_id_fields = ["cell"]
    extra = 0


class PositionInline(admin.TabularInline):
    model = Position
    raw_id_fields = ["organisation"]
    extra = 0


@admin.register(Cadre)
class CadreAdmin(SimpleHistoryAdmin):
    list_display = ["full_name", "code", "gender", "user"]
    search_fields = ["full_name", "name_folded", "code"]
    raw_id_fields = ["user"]
    inlines = [PrivateDetailsInline, MembershipInline, PositionInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["cadre", "cell", "member_type", "status", "start_date", "end_date"]
    list_filter = ["member_type", "status"]
    search_fields = ["cadre__full_name", "cadre__code", "cell__name"]
    raw_id_fields = ["cadre", "cell"]
    list_select_related = ["cadre", "cell"]


@admin.register(Position)
class PositionAdmin(SimpleHistoryAdmin):
    list_display = ["cadre", "post_kind", "party_post", "title", "organisation", "is_head", "start_date", "end_date"]
    list_filter = ["post_kind", "party_post", "is_head"]
    search_fields = ["cadre__full_name", "title", "organisation__name"]
    raw_id_fields = ["cadre", "organisation"]
    list_select_related = ["cadre", "organisation"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "organisation", "start_date", "end_date"]
    list_filter = ["role"]
    raw_id_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only, even for administrators."""

    list_display = ["at", "actor_repr", "action", "object_repr", "ip_address"]
    list_filter = ["action"]
    search_fields = ["actor_repr", "object_repr", "action"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
