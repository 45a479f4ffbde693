"""Action programmes in the admin: who confirms whose programme (a policy staff maintain, audited), and the
programmes with their versions, shown to system administrators only, since they change through their services."""

from django.contrib import admin

from programmes.models import ActionProgramme, ConfirmerRule, ProgrammeVersion

from .mixins import AuditedAdminMixin, ReadOnlyAdminMixin


@admin.register(ConfirmerRule)
class ConfirmerRuleAdmin(AuditedAdminMixin[ConfirmerRule], admin.ModelAdmin[ConfirmerRule]):
    """Who confirms whose programme: city-wide policy, changed by those given the model permission."""

    list_display = ["owner_standing", "occasion", "confirming_body"]
    list_filter = ["owner_standing", "confirming_body"]


class ProgrammeVersionInline(ReadOnlyAdminMixin, admin.TabularInline[ProgrammeVersion, ActionProgramme]):
    model = ProgrammeVersion
    fields = readonly_fields = (
        "number",
        "state",
        "amendment_reason",
        "submitted_at",
        "confirmer",
        "confirmed_at",
        "confirmed_by",
    )
    extra = 0


@admin.register(ActionProgramme)
class ActionProgrammeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[ActionProgramme]):
    list_display = ["title", "owner", "occasion", "state", "term_start", "term_end", "publicity_level"]
    list_filter = ["state", "occasion", "publicity_level"]
    search_fields = ["title", "owner__full_name", "owner__code"]
    list_select_related = ["owner"]
    inlines = [ProgrammeVersionInline]
