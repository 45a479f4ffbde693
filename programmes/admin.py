"""The Django admin for staff. Every save and delete here writes an audit event, and staff who are not
system administrators see and edit only the rows of the subtree they manage."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import Http404, HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from programmes import access, grants, privacy
from programmes.access import Action
from programmes.audit import audit_record, snapshot
from programmes.models import (
    ActionProgramme,
    AuditEvent,
    Cadre,
    CadrePrivateDetails,
    ConfirmerRule,
    Membership,
    OrganisationSuccession,
    PartyOrganisation,
    Position,
    ProgrammeVersion,
    ReadKind,
    RoleAssignment,
)
from programmes.reads import read_record

# Models whose values must never reach the audit log: only the names of the fields that changed are kept.
PERSONAL_DATA_MODELS: tuple[type[models.Model], ...] = (CadrePrivateDetails,)


def _full_snapshot(obj: models.Model) -> dict[str, Any]:
    return snapshot(obj, [field.name for field in obj._meta.concrete_fields])


def _stored_snapshot(obj: models.Model) -> dict[str, Any] | None:
    """The row as the database holds it now, before the form's values are saved over it."""
    if obj.pk is None:
        return None
    stored = type(obj)._default_manager.filter(pk=obj.pk).first()
    return _full_snapshot(stored) if stored is not None else None


def _admin_audit(
    request: HttpRequest, action: str, obj: models.Model, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> None:
    if before is not None and before == after:
        # An inline form can count as changed while the row is not (a re-rendered date): nothing happened.
        return
    if isinstance(obj, PERSONAL_DATA_MODELS):
        changed = sorted(
            name for name in {*(before or {}), *(after or {})} if (before or {}).get(name) != (after or {}).get(name)
        )
        before, after = None, {"changed_fields": changed}
    audit_record(actor=request.user, action=action, obj=obj, before=before, after=after)


def _managed_organisations(request: HttpRequest) -> QuerySet[PartyOrganisation]:
    return access.organisations_where(request.user, Action.MANAGE_TREE)


_BEFORE_ATTRIBUTE = "_audit_before"


class AuditedAdminMixin:
    """Writes "admin.add", "admin.change" and "admin.delete" events for the object and for its inlines."""

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        if obj is not None:
            # Taken before the form touches anything: a tree form moves the node before save_model runs.
            setattr(request, _BEFORE_ATTRIBUTE, {(obj._meta.label, obj.pk): _full_snapshot(obj)})
        return obj

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        before = None
        if change:
            taken = getattr(request, _BEFORE_ATTRIBUTE, {})
            before = taken.get((obj._meta.label, obj.pk)) or _stored_snapshot(obj)
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        _admin_audit(request, "admin.change" if change else "admin.add", obj, before, _full_snapshot(obj))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        # Recorded first: after the delete the object has no primary key to point at.
        _admin_audit(request, "admin.delete", obj, _stored_snapshot(obj), None)
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            _admin_audit(request, "admin.delete", obj, _full_snapshot(obj), None)
        super().delete_queryset(request, queryset)  # type: ignore[misc]

    def save_formset(self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool) -> None:
        befores = {
            inline_form.instance.pk: _stored_snapshot(inline_form.instance)
            for inline_form in formset.initial_forms
            if inline_form.instance.pk is not None
        }
        super().save_formset(request, form, formset, change)  # type: ignore[misc]
        for obj in formset.new_objects:
            _admin_audit(request, "admin.add", obj, None, _full_snapshot(obj))
        for obj, _changed in formset.changed_objects:
            _admin_audit(request, "admin.change", obj, befores.get(obj.pk), _full_snapshot(obj))
        for obj in formset.deleted_objects:
            _admin_audit(request, "admin.delete", obj, befores.get(obj.pk), None)


def _cadres_staff_may_place(request: HttpRequest) -> QuerySet[Cadre]:
    """Cadres of the managed subtree, and cadres with no current cell (a transfer not yet placed anywhere)."""
    placed = Membership.objects.filter(cadre=OuterRef("pk"), end_date__isnull=True)
    return Cadre.objects.filter(Q(pk__in=Cadre.objects.filter(_cadre_in(request)).values("pk")) | ~Exists(placed))


class ScopedForeignKeyMixin:
    """Staff who are not system administrators may point rows only to organisations they manage and to cadres of
    their subtree. Accounts are checked by the rules of programmes.grants when they change (GrantRulesMixin)."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if not access.is_superuser(request.user):
            if db_field.related_model is PartyOrganisation:
                kwargs["queryset"] = _managed_organisations(request)
            elif db_field.related_model is Cadre:
                kwargs["queryset"] = _cadres_staff_may_place(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]


def _refuse(request: HttpRequest, obj: models.Model | None, reason: str, field: str | None = None) -> ValidationError:
    """A refused grant: on the record (the form is shown again and nothing is saved) and told to the person."""
    grants.grant_refusal_record(acting_user=request.user, obj=obj, reason=reason)
    return ValidationError({field: reason} if field else reason)


class GrantRulesMixin:
    """Runs `grant_refusal` of the admin on every add and change form: a right is given only within the rules."""

    def grant_refusal(self, request: HttpRequest, instance: Any, data: dict[str, Any]) -> tuple[str, str] | None:
        """(field, reason) when the change would break a rule of programmes.grants, else None."""
        return None

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)  # type: ignore[misc]
        model_admin = self

        class GrantCheckedForm(form):  # type: ignore[misc,valid-type]
            def clean(self) -> dict[str, Any]:
                data: dict[str, Any] = super().clean()
                refused = model_admin.grant_refusal(request, self.instance, data)
                if refused is not None:
                    field, reason = refused
                    raise _refuse(request, self.instance, reason, field if field in self.fields else None)
                return data

        return GrantCheckedForm


class ScopedHistoryMixin:
    """django-simple-history's pages answer from the same scope as the change page: staff who are not system
    administrators see the history only of rows they may open, and never revert (a revert would bypass the
    checks of a change); system administrators revert through save_model, so through the same rules."""

    def _refuse_history(self, request: HttpRequest, reason: str) -> None:
        audit_record(
            actor=request.user,
            action="admin.history_refused",
            after={"path": request.path, "method": request.method, "reason": reason},
        )

    def _object_in_scope(self, request: HttpRequest, object_id: str) -> bool:
        queryset = self.get_queryset(request)  # type: ignore[attr-defined]
        return bool(queryset.filter(pk=unquote(object_id)).exists())

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        if not access.is_superuser(request.user) and not self._object_in_scope(request, object_id):
            # Also a deleted row: its history is a system administrator's to read.
            self._refuse_history(request, "out_of_scope")
            raise Http404
        return super().history_view(request, object_id, extra_context)  # type: ignore[misc]

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        if not access.is_superuser(request.user):
            if not self._object_in_scope(request, object_id):
                self._refuse_history(request, "out_of_scope")
                raise Http404
            if request.method != "GET":
                self._refuse_history(request, "revert")
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)  # type: ignore[misc]

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return not access.is_superuser(request.user)


class ScopedAdminMixin(ScopedForeignKeyMixin):
    """Staff who are not system administrators see only rows of the organisations they manage.
    `scope_lookup` names the path from the row to its organisation."""

    scope_lookup = ""

    def scope_condition(self, request: HttpRequest) -> Q:
        return Q(**{f"{self.scope_lookup}__in": _managed_organisations(request)})

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset: QuerySet[Any] = super().get_queryset(request)  # type: ignore[misc]
        if access.is_superuser(request.user):
            return queryset
        return queryset.filter(self.scope_condition(request)).distinct()


class SuccessionInline(ScopedForeignKeyMixin, admin.TabularInline):
    model = OrganisationSuccession
    fk_name = "successor"
    raw_id_fields = ["predecessor"]
    extra = 0


@admin.register(PartyOrganisation)
class PartyOrganisationAdmin(AuditedAdminMixin, ScopedHistoryMixin, ScopedAdminMixin, TreeAdmin, SimpleHistoryAdmin):
    form = movenodeform_factory(PartyOrganisation)
    list_display = ["name", "code", "kind", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["name", "code", "admin_area_code"]
    inlines = [SuccessionInline]
    scope_lookup = "pk"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        if not access.is_superuser(request.user) and self._lists_top_level(request):
            # The tree opens at the roots, which lie outside a scoped user's subtree: open it at their grants.
            request._treebeard_parent = None  # type: ignore[attr-defined]
            return PartyOrganisation.objects.filter(pk__in=_managed_tops(request))
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

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        if access.is_superuser(request.user):
            return form
        allowed = _managed_organisations(request).values("pk")

        class ScopedMoveNodeForm(form):  # type: ignore[misc,valid-type]
            def __init__(self, *args: Any, **form_kwargs: Any) -> None:
                super().__init__(*args, **form_kwargs)
                # Staff place nodes only next to or under nodes they manage, and never add a root.
                reference = self.fields["treebeard_ref_node"]
                reference.queryset = reference.queryset.filter(pk__in=allowed)
                reference.required = True

        return ScopedMoveNodeForm

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # The form has already placed the node in the tree; refusing here rolls the whole change back.
        if not access.is_superuser(request.user) and not access.can(request.user, Action.MANAGE_TREE, obj):
            raise PermissionDenied

    def move_node(self, request: HttpRequest) -> HttpResponse:
        node = PartyOrganisation.objects.filter(pk=request.POST.get("node") or None).first()
        target = PartyOrganisation.objects.filter(pk=request.POST.get("target") or None).first()
        if node is None or target is None:
            return super().move_node(request)
        if not access.is_superuser(request.user) and not (
            access.can(request.user, Action.MANAGE_TREE, node) and access.can(request.user, Action.MANAGE_TREE, target)
        ):
            raise PermissionDenied
        before = _full_snapshot(node)
        with transaction.atomic():
            response = super().move_node(request)
            if response.status_code == 200:
                node.refresh_from_db()
                _admin_audit(request, "admin.change", node, before, _full_snapshot(node))
        return response


def _managed_tops(request: HttpRequest) -> list[int]:
    allowed = access.PERMISSIONS[Action.MANAGE_TREE]
    return [grant.organisation_id for grant in access.grants_for(request.user) if grant.persona in allowed]


class PrivateDetailsInline(admin.StackedInline):
    model = CadrePrivateDetails
    can_delete = False


class OwnRecordFormSet(BaseInlineFormSet):
    """Posts and cells of one's own cadre record are changed by someone else (programmes.grants)."""

    request: HttpRequest

    def clean(self) -> None:
        super().clean()
        user = self.request.user
        own = self.instance.pk is not None and self.instance.user_id == user.pk
        if own and not access.is_superuser(self.request.user) and self.has_changed():
            reason = str(grants.OWN_ACCOUNT_REFUSAL)
            raise _refuse(self.request, self.instance, reason)


class OwnRecordInlineMixin(ScopedForeignKeyMixin):
    formset: Any = OwnRecordFormSet

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)  # type: ignore[misc]
        return type(formset.__name__, (formset,), {"request": request})


class MembershipInline(OwnRecordInlineMixin, admin.TabularInline):
    model = Membership
    raw_id_fields = ["cell"]
    extra = 0


class PositionInline(OwnRecordInlineMixin, admin.TabularInline):
    model = Position
    raw_id_fields = ["organisation"]
    extra = 0


def _cadre_in(request: HttpRequest, prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}memberships__end_date__isnull": True,
            f"{prefix}memberships__cell__in": _managed_organisations(request),
        }
    )


def _links_another_account(cadre: Cadre, account: User | None) -> bool:
    return grants.stored_account_id(cadre) != (account.pk if account is not None else None)


@admin.register(Cadre)
class CadreAdmin(AuditedAdminMixin, GrantRulesMixin, ScopedHistoryMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["full_name", "code", "gender", "user"]
    search_fields = ["full_name", "name_folded", "code"]
    raw_id_fields = ["user"]
    inlines = [PrivateDetailsInline, MembershipInline, PositionInline]

    def scope_condition(self, request: HttpRequest) -> Q:
        return _cadre_in(request)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            # The change page shows the personal details inline: opening it is a read on the record.
            cadre = self.get_queryset(request).filter(pk=unquote(object_id)).first()
            if cadre is not None:
                cell = cadre.current_membership.cell if cadre.current_membership is not None else None
                read_record(reader=request.user, kind=ReadKind.CADRE_RECORD, subject=cadre, scope=cell)
        return response

    def grant_refusal(self, request: HttpRequest, instance: Any, data: dict[str, Any]) -> tuple[str, str] | None:
        if "user" not in data or not _links_another_account(instance, data["user"]):
            return None
        reason = grants.cadre_link_refusal(request.user, instance, data["user"])
        return ("user", reason) if reason is not None else None

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        # The account is linked by its service (rules, audit, the previous holder told), after the rest is saved.
        account = form.cleaned_data.get("user")
        linking = _links_another_account(obj, account)
        if linking:
            obj.user_id = grants.stored_account_id(obj)
        super().save_model(request, obj, form, change)
        if linking:
            obj.user = grants.cadre_link_account(cadre=obj, account=account, acting_user=request.user).user

    # A cadre is deleted only by the erasure service: it also purges the history rows that still hold the
    # citizen ID and phone, and writes its own audit event (counts, no values) in place of "admin.delete".
    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        privacy.cadre_erase(cadre=obj, acting_user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for cadre in queryset:
                privacy.cadre_erase(cadre=cadre, acting_user=request.user)


@admin.register(Membership)
class MembershipAdmin(AuditedAdminMixin, GrantRulesMixin, ScopedHistoryMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["cadre", "cell", "member_type", "status", "start_date", "end_date"]
    list_filter = ["member_type", "status"]
    search_fields = ["cadre__full_name", "cadre__code", "cell__name"]
    raw_id_fields = ["cadre", "cell"]
    list_select_related = ["cadre", "cell"]
    scope_lookup = "cell"

    def grant_refusal(self, request: HttpRequest, instance: Any, data: dict[str, Any]) -> tuple[str, str] | None:
        return _cadre_refusal(request, data.get("cadre"))


def _cadre_refusal(request: HttpRequest, cadre: Cadre | None) -> tuple[str, str] | None:
    """A membership or a post is given to a cadre of one's subtree, and never to one's own record."""
    if cadre is None or access.is_superuser(request.user):
        return None
    if cadre.user_id is not None and cadre.user_id == request.user.pk:
        return ("cadre", str(grants.OWN_ACCOUNT_REFUSAL))
    if not grants.cadre_in_scope(request.user, cadre):
        return ("cadre", str(grants.OUT_OF_SCOPE_REFUSAL))
    return None


@admin.register(Position)
class PositionAdmin(AuditedAdminMixin, GrantRulesMixin, ScopedHistoryMixin, ScopedAdminMixin, SimpleHistoryAdmin):
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
        in_tree = Q(organisation__in=_managed_organisations(request))
        return in_tree | (Q(organisation__isnull=True) & _cadre_in(request, "cadre__"))

    def grant_refusal(self, request: HttpRequest, instance: Any, data: dict[str, Any]) -> tuple[str, str] | None:
        return _cadre_refusal(request, data.get("cadre"))

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        stored = Position.objects.filter(pk=obj.pk).select_related("cadre__user").first() if change else None
        super().save_model(request, obj, form, change)
        previous = stored.cadre.user if stored is not None and stored.cadre_id != obj.cadre_id else None
        if previous is not None:
            grants.holder_lost_notify(previous=previous, what=stored)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedAdminMixin, GrantRulesMixin, ScopedHistoryMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["user", "role", "organisation", "start_date", "end_date"]
    list_filter = ["role"]
    raw_id_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]
    scope_lookup = "organisation"

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        stored = RoleAssignment.objects.filter(pk=obj.pk).select_related("user").first() if change else None
        super().save_model(request, obj, form, change)
        if stored is not None and stored.user_id != obj.user_id:
            grants.holder_lost_notify(previous=stored.user, what=stored)

    def grant_refusal(self, request: HttpRequest, instance: Any, data: dict[str, Any]) -> tuple[str, str] | None:
        # Checked on every change, the end of a role included: nobody ends or edits a role of their own either.
        stored = RoleAssignment.objects.filter(pk=instance.pk).values_list("user_id", flat=True).first()
        for account in (data.get("user"), User.objects.filter(pk=stored).first() if stored else None):
            reason = grants.account_grant_refusal(request.user, account)
            if reason is not None:
                return ("user", reason)
        return None


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only, even for administrators."""

    list_display = ["at", "actor_repr", "action", "object_repr", "ip_address"]
    list_filter = ["action"]
    search_fields = ["actor_repr", "object_repr", "action"]
    date_hierarchy = "at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        queryset = super().get_queryset(request)
        # Events name objects of every kind, with no organisation to scope them by: staff see their own.
        return queryset if access.is_superuser(request.user) else queryset.filter(actor=request.user.pk)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ConfirmerRule)
class ConfirmerRuleAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Who confirms whose programme: city-wide policy, changed by those given the model permission."""

    list_display = ["owner_standing", "occasion", "confirming_body"]
    list_filter = ["owner_standing", "confirming_body"]


class ReadOnlyAdminMixin:
    """Programmes change only through their services (with checks and audit), never in the admin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.is_superuser(request.user)


class ProgrammeVersionInline(ReadOnlyAdminMixin, admin.TabularInline):
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
class ActionProgrammeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "owner", "occasion", "state", "term_start", "term_end", "publicity_level"]
    list_filter = ["state", "occasion", "publicity_level"]
    search_fields = ["title", "owner__full_name", "owner__code"]
    list_select_related = ["owner"]
    inlines = [ProgrammeVersionInline]


from programmes import admin_import  # noqa: E402,F401
