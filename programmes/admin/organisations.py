"""The organisation tree in the admin: staff who are not system administrators open it at the organisations they
manage, and place, move or edit nodes only within that subtree; every change and move is audited."""

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from programmes import access
from programmes.audit_actions import AdminAction
from programmes.models import OrganisationSuccession, PartyOrganisation

from .mixins import (
    AuditedAdminMixin,
    ScopedAdminMixin,
    ScopedForeignKeyMixin,
    ScopedHistoryMixin,
    admin_audit,
    full_snapshot,
    managed_organisations,
)


class SuccessionInline(
    ScopedForeignKeyMixin[OrganisationSuccession], admin.TabularInline[OrganisationSuccession, PartyOrganisation]
):
    model = OrganisationSuccession
    fk_name = "successor"
    raw_id_fields = ["predecessor"]
    extra = 0


@admin.register(PartyOrganisation)
class PartyOrganisationAdmin(
    AuditedAdminMixin[PartyOrganisation],
    ScopedHistoryMixin[PartyOrganisation],
    ScopedAdminMixin[PartyOrganisation],
    # Neither treebeard nor simple_history ships types: to the type checker both admins are Any.
    TreeAdmin,  # type: ignore[misc]
    SimpleHistoryAdmin,  # type: ignore[misc]
):
    form = movenodeform_factory(PartyOrganisation)
    list_display = ["name", "code", "kind", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["name", "code", "admin_area_code"]
    inlines = [SuccessionInline]
    scope_lookup = "pk"

    def get_queryset(self, request: HttpRequest) -> QuerySet[PartyOrganisation]:
        if not access.sees_every_admin_row(request.user) and self._lists_top_level(request):
            # The tree opens at the roots, which lie outside a scoped user's subtree: open it at their grants.
            request._treebeard_parent = None  # type: ignore[attr-defined]
            return PartyOrganisation.objects.filter(pk__in=access.managed_tops(request.user))
        return super().get_queryset(request)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if request.method != "GET":
            # treebeard opens a level of the tree only on GET, yet its template reads the level on every render
            # (an action's confirmation page too): without one an action answers 500. The action itself still
            # applies to the selected rows of the whole scoped queryset.
            request._treebeard_parent = None  # type: ignore[attr-defined]
        return super().changelist_view(request, extra_context)

    def _lists_top_level(self, request: HttpRequest) -> bool:
        return (
            hasattr(request, "_treebeard_parent_id")
            and not request._treebeard_parent_id
            and not getattr(request, "_ignore_treebeard_filters", False)
            and not self.is_filtered(request)
        )

    def get_form(
        self, request: HttpRequest, obj: PartyOrganisation | None = None, change: bool = False, **kwargs: Any
    ) -> type[ModelForm[PartyOrganisation]]:
        form = super().get_form(request, obj, change, **kwargs)
        if access.sees_every_admin_row(request.user):
            return form
        allowed = managed_organisations(request).values("pk")

        class ScopedMoveNodeForm(form):  # type: ignore[misc,valid-type]
            def __init__(self, *args: Any, **form_kwargs: Any) -> None:
                super().__init__(*args, **form_kwargs)
                # Staff place nodes only next to or under nodes they manage, and never add a root.
                reference = self.fields["treebeard_ref_node"]
                reference.queryset = reference.queryset.filter(pk__in=allowed)
                reference.required = True

        return ScopedMoveNodeForm

    def save_model(
        self, request: HttpRequest, obj: PartyOrganisation, form: ModelForm[PartyOrganisation], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        # The form has already placed the node in the tree; refusing here rolls the whole change back.
        if not access.may_place_node(request.user, obj):
            raise PermissionDenied

    def move_node(self, request: HttpRequest) -> HttpResponse:
        node = PartyOrganisation.objects.filter(pk=request.POST.get("node") or None).first()
        target = PartyOrganisation.objects.filter(pk=request.POST.get("target") or None).first()
        if node is None or target is None:
            refused: HttpResponse = super().move_node(request)
            return refused
        if not access.may_place_node(request.user, node, target):
            raise PermissionDenied
        before = full_snapshot(node)
        with transaction.atomic():
            response: HttpResponse = super().move_node(request)
            if response.status_code == 200:
                node.refresh_from_db()
                admin_audit(request, AdminAction.CHANGE, node, before, full_snapshot(node))
        return response
