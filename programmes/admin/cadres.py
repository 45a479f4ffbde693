"""Cadres, their memberships and their posts in the admin: scoped to the cadres of the managed subtree, a cadre's
account linked by its service, nobody changing their own record, and a cadre deleted only by the erasure service."""

from typing import Any, TypeVar

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse

from programmes import access, grants, privacy
from programmes.models import Cadre, CadrePrivateDetails, Membership, Position, ReadKind
from programmes.reads import read_record

from .mixins import (
    ScopedForeignKeyMixin,
    ScopedGrantAdmin,
    cadre_in,
    managed_organisations,
    refuse_grant,
)


class PrivateDetailsInline(admin.StackedInline[CadrePrivateDetails, Cadre]):
    model = CadrePrivateDetails
    can_delete = False


_RecordT = TypeVar("_RecordT", Membership, Position)


class OwnRecordFormSet(BaseInlineFormSet[_RecordT, Cadre, ModelForm[_RecordT]]):
    """Posts and cells of one's own cadre record are changed by someone else (programmes.grants)."""

    request: HttpRequest

    def clean(self) -> None:
        super().clean()
        reason = access.own_record_change_refusal(self.request.user, self.instance)
        if reason is not None and self.has_changed():
            raise refuse_grant(self.request, self.instance, reason)


class OwnRecordInline(ScopedForeignKeyMixin[_RecordT], admin.TabularInline[_RecordT, Cadre]):
    formset: type[OwnRecordFormSet[_RecordT]] = OwnRecordFormSet

    def get_formset(
        self, request: HttpRequest, obj: Cadre | None = None, **kwargs: Any
    ) -> type[BaseInlineFormSet[_RecordT, Cadre, ModelForm[_RecordT]]]:
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"request": request})


class MembershipInline(OwnRecordInline[Membership]):
    model = Membership
    raw_id_fields = ["cell", "residence_cell"]
    any_cell_fields = ("residence_cell",)
    extra = 0


class PositionInline(OwnRecordInline[Position]):
    model = Position
    raw_id_fields = ["organisation"]
    extra = 0


def _links_another_account(cadre: Cadre, account: User | None) -> bool:
    return grants.stored_account_id(cadre) != (account.pk if account is not None else None)


@admin.register(Cadre)
class CadreAdmin(ScopedGrantAdmin[Cadre]):
    list_display = ["full_name", "code", "gender", "user"]
    search_fields = ["full_name", "name_folded", "code"]
    raw_id_fields = ["user"]
    inlines = [PrivateDetailsInline, MembershipInline, PositionInline]

    def scope_condition(self, request: HttpRequest) -> Q:
        return cadre_in(request)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            # The change page shows the personal details inline: opening it is a read on the record.
            cadre = self.get_queryset(request).filter(pk=unquote(object_id)).first()
            if cadre is not None:
                cell = cadre.current_membership.cell if cadre.current_membership is not None else None
                read_record(reader=request.user, kind=ReadKind.CADRE_RECORD, subject=cadre, scope=cell)
        return response

    def grant_refusal(self, request: HttpRequest, instance: Cadre, data: dict[str, Any]) -> tuple[str, str] | None:
        if "user" not in data or not _links_another_account(instance, data["user"]):
            return None
        reason = grants.cadre_link_refusal(request.user, instance, data["user"])
        return ("user", reason) if reason is not None else None

    def save_model(self, request: HttpRequest, obj: Cadre, form: ModelForm[Cadre], change: bool) -> None:
        # The account is linked by its service (rules, audit, the previous holder told), after the rest is saved.
        account = form.cleaned_data.get("user")
        linking = _links_another_account(obj, account)
        if linking:
            obj.user_id = grants.stored_account_id(obj)
        super().save_model(request, obj, form, change)
        if linking:
            obj.user = grants.cadre_link_account(cadre=obj, account=account, acting_user=request.user).user

    # A cadre is deleted only by the erasure service: it also purges the history rows that still hold the
    # citizen ID and phone, and writes its own audit event (counts, no values) in place of AdminAction.DELETE.
    def delete_model(self, request: HttpRequest, obj: Cadre) -> None:
        privacy.cadre_erase(cadre=obj, acting_user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Cadre]) -> None:
        with transaction.atomic():
            for cadre in queryset:
                privacy.cadre_erase(cadre=cadre, acting_user=request.user)


def _cadre_refusal(request: HttpRequest, cadre: Cadre | None) -> tuple[str, str] | None:
    """A membership or a post is given to a cadre of one's subtree, and never to one's own record."""
    reason = access.cadre_placement_refusal(request.user, cadre)
    return ("cadre", reason) if reason is not None else None


@admin.register(Membership)
class MembershipAdmin(ScopedGrantAdmin[Membership]):
    list_display = ["cadre", "cell", "member_type", "status", "start_date", "end_date"]
    list_filter = ["member_type", "status", "residence_exemption"]
    search_fields = ["cadre__full_name", "cadre__code", "cell__name"]
    raw_id_fields = ["cadre", "cell", "residence_cell"]
    any_cell_fields = ("residence_cell",)
    list_select_related = ["cadre", "cell"]
    scope_lookup = "cell"

    def grant_refusal(self, request: HttpRequest, instance: Membership, data: dict[str, Any]) -> tuple[str, str] | None:
        return _cadre_refusal(request, data.get("cadre"))


@admin.register(Position)
class PositionAdmin(ScopedGrantAdmin[Position]):
    list_display = [
        "cadre",
        "post_kind",
        "party_post",
        "title",
        "organisation",
        "is_head",
        "council_deputy",
        "start_date",
        "end_date",
    ]
    list_filter = ["post_kind", "party_post", "is_head", "council_deputy"]
    search_fields = ["cadre__full_name", "title", "organisation__name"]
    raw_id_fields = ["cadre", "organisation"]
    list_select_related = ["cadre", "organisation"]

    def scope_condition(self, request: HttpRequest) -> Q:
        # A government post may have no organisation: it belongs where its holder's membership is.
        in_tree = Q(organisation__in=managed_organisations(request))
        return in_tree | (Q(organisation__isnull=True) & cadre_in(request, "cadre__"))

    def grant_refusal(self, request: HttpRequest, instance: Position, data: dict[str, Any]) -> tuple[str, str] | None:
        return _cadre_refusal(request, data.get("cadre"))

    def save_model(self, request: HttpRequest, obj: Position, form: ModelForm[Position], change: bool) -> None:
        stored = Position.objects.filter(pk=obj.pk).select_related("cadre__user").first() if change else None
        super().save_model(request, obj, form, change)
        previous = stored.cadre.user if stored is not None and stored.cadre_id != obj.cadre_id else None
        if previous is not None:
            grants.holder_lost_notify(previous=previous, what=stored)
