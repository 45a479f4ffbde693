"""Role assignments in the admin: scoped to the managed subtree, given, changed and ended only within the rules
of programmes.grants (nobody grants, edits or ends a role of their own), the previous holder told of a change."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.models import User
from django.forms import ModelForm
from django.http import HttpRequest

from programmes import access, grants
from programmes.models import RoleAssignment

from .mixins import ScopedGrantAdmin


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ScopedGrantAdmin[RoleAssignment]):
    list_display = ["user", "role", "organisation", "start_date", "end_date"]
    list_filter = ["role"]
    raw_id_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]
    scope_lookup = "organisation"

    def save_model(
        self, request: HttpRequest, obj: RoleAssignment, form: ModelForm[RoleAssignment], change: bool
    ) -> None:
        stored = RoleAssignment.objects.filter(pk=obj.pk).select_related("user").first() if change else None
        super().save_model(request, obj, form, change)
        if stored is not None and stored.user_id != obj.user_id:
            grants.holder_lost_notify(previous=stored.user, what=stored)

    def grant_refusal(
        self, request: HttpRequest, instance: RoleAssignment, data: dict[str, Any]
    ) -> tuple[str, str] | None:
        # Checked on every change, the end of a role included: nobody ends or edits a role of their own either.
        stored = access.stored_role_holder_id(instance)
        for account in (data.get("user"), User.objects.filter(pk=stored).first() if stored else None):
            reason = grants.account_grant_refusal(request.user, account)
            if reason is not None:
                return ("user", reason)
        return None
