"""What the portal's admin pages share: every save and delete writes an audit event, staff who are not system
administrators see and edit only the rows of the subtree they manage (the history pages too), a right is given
only within the rules of programmes.grants, and rows that change through their services are only shown."""

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.contrib.admin import ModelAdmin
from django.contrib.admin.options import BaseModelAdmin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.forms import BaseInlineFormSet, ModelChoiceField, ModelForm
from django.http import Http404, HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin

from programmes import access, grants
from programmes.access import Action
from programmes.audit import audit_record, snapshot
from programmes.audit_actions import AdminAction
from programmes.models import Cadre, CadrePrivateDetails, Membership, PartyOrganisation
from programmes.models.organisations import CELL_KINDS

# Models whose values must never reach the audit log: only the names of the fields that changed are kept.
PERSONAL_DATA_MODELS: tuple[type[models.Model], ...] = (CadrePrivateDetails,)


def full_snapshot(obj: models.Model) -> dict[str, Any]:
    return snapshot(obj, [field.name for field in obj._meta.concrete_fields])


def _stored_snapshot(obj: models.Model) -> dict[str, Any] | None:
    """The row as the database holds it now, before the form's values are saved over it."""
    if obj.pk is None:
        return None
    stored = type(obj)._default_manager.filter(pk=obj.pk).first()
    return full_snapshot(stored) if stored is not None else None


def admin_audit(
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


def managed_organisations(request: HttpRequest) -> QuerySet[PartyOrganisation]:
    return access.organisations_where(request.user, Action.MANAGE_TREE)


def cadre_in(request: HttpRequest, prefix: str = "") -> Q:
    """Cadres whose current membership is in a cell of the managed subtree; `prefix` is the path to the cadre."""
    return Q(
        **{
            f"{prefix}memberships__end_date__isnull": True,
            f"{prefix}memberships__cell__in": managed_organisations(request),
        }
    )


_BEFORE_ATTRIBUTE = "_audit_before"

_ModelT = TypeVar("_ModelT", bound=models.Model)

if TYPE_CHECKING:
    # To the type checker each mixin is the admin it extends, so that its calls to super() are checked; at run
    # time it is a plain generic class, and an inline may take a mixin as well as a model admin does.
    _AdminMixinBase = ModelAdmin
    _BaseAdminMixinBase = BaseModelAdmin
else:
    _AdminMixinBase = _BaseAdminMixinBase = Generic


class AuditedAdminMixin(_AdminMixinBase[_ModelT]):
    """Writes AdminAction.ADD, AdminAction.CHANGE and AdminAction.DELETE events for the object and for its inlines."""

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> _ModelT | None:
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            # Taken before the form touches anything: a tree form moves the node before save_model runs.
            setattr(request, _BEFORE_ATTRIBUTE, {(obj._meta.label, obj.pk): full_snapshot(obj)})
        return obj

    def save_model(self, request: HttpRequest, obj: _ModelT, form: ModelForm[_ModelT], change: bool) -> None:
        before = None
        if change:
            taken = getattr(request, _BEFORE_ATTRIBUTE, {})
            before = taken.get((obj._meta.label, obj.pk)) or _stored_snapshot(obj)
        super().save_model(request, obj, form, change)
        admin_audit(request, AdminAction.CHANGE if change else AdminAction.ADD, obj, before, full_snapshot(obj))

    def delete_model(self, request: HttpRequest, obj: _ModelT) -> None:
        # Recorded first: after the delete the object has no primary key to point at.
        admin_audit(request, AdminAction.DELETE, obj, _stored_snapshot(obj), None)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[_ModelT]) -> None:
        for obj in queryset:
            admin_audit(request, AdminAction.DELETE, obj, full_snapshot(obj), None)
        super().delete_queryset(request, queryset)

    def save_formset(
        self,
        request: HttpRequest,
        form: ModelForm[_ModelT],
        formset: BaseInlineFormSet[models.Model, _ModelT, ModelForm[models.Model]],
        change: bool,
    ) -> None:
        befores = {
            inline_form.instance.pk: _stored_snapshot(inline_form.instance)
            for inline_form in formset.initial_forms
            if inline_form.instance.pk is not None
        }
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            admin_audit(request, AdminAction.ADD, obj, None, full_snapshot(obj))
        for obj, _changed in formset.changed_objects:
            admin_audit(request, AdminAction.CHANGE, obj, befores.get(obj.pk), full_snapshot(obj))
        for obj in formset.deleted_objects:
            admin_audit(request, AdminAction.DELETE, obj, befores.get(obj.pk), None)


def _cadres_staff_may_place(request: HttpRequest) -> QuerySet[Cadre]:
    """Cadres of the managed subtree, and cadres with no current cell (a transfer not yet placed anywhere)."""
    placed = Membership.objects.filter(cadre=OuterRef("pk"), end_date__isnull=True)
    return Cadre.objects.filter(Q(pk__in=Cadre.objects.filter(cadre_in(request)).values("pk")) | ~Exists(placed))


class ScopedForeignKeyMixin(_BaseAdminMixinBase[_ModelT]):
    """Staff who are not system administrators may point rows only to organisations they manage and to cadres of
    their subtree. Accounts are checked by the rules of programmes.grants when they change (GrantRulesMixin)."""

    # Organisation fields that may name a cell outside the managed subtree (a member's residence cell, often in another
    # ward): nothing of that cell changes, it is only named.
    any_cell_fields: tuple[str, ...] = ()

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        if db_field.name in self.any_cell_fields:
            kwargs["queryset"] = PartyOrganisation.objects.filter(kind__in=CELL_KINDS)
        elif not access.sees_every_admin_row(request.user):
            if db_field.related_model is PartyOrganisation:
                kwargs["queryset"] = managed_organisations(request)
            elif db_field.related_model is Cadre:
                kwargs["queryset"] = _cadres_staff_may_place(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def refuse_grant(
    request: HttpRequest, obj: models.Model | None, reason: str, field: str | None = None
) -> ValidationError:
    """A refused grant: on the record (the form is shown again and nothing is saved) and told to the person."""
    grants.grant_refusal_record(acting_user=request.user, obj=obj, reason=reason)
    return ValidationError({field: reason} if field else reason)


class GrantRulesMixin(_AdminMixinBase[_ModelT]):
    """Runs `grant_refusal` of the admin on every add and change form: a right is given only within the rules."""

    def grant_refusal(self, request: HttpRequest, instance: _ModelT, data: dict[str, Any]) -> tuple[str, str] | None:
        """(field, reason) when the change would break a rule of programmes.grants, else None."""
        return None

    def get_form(
        self, request: HttpRequest, obj: _ModelT | None = None, change: bool = False, **kwargs: Any
    ) -> type[ModelForm[_ModelT]]:
        form = super().get_form(request, obj, change, **kwargs)
        model_admin = self

        class GrantCheckedForm(form):  # type: ignore[valid-type,misc]
            def clean(self) -> dict[str, Any]:
                data: dict[str, Any] = super().clean()
                refused = model_admin.grant_refusal(request, self.instance, data)
                if refused is not None:
                    field, reason = refused
                    raise refuse_grant(request, self.instance, reason, field if field in self.fields else None)
                return data

        return GrantCheckedForm


class ScopedHistoryMixin(_AdminMixinBase[_ModelT]):
    """django-simple-history's pages answer from the same scope as the change page: staff who are not system
    administrators see the history only of rows they may open, and never revert (a revert would bypass the
    checks of a change); system administrators revert through save_model, so through the same rules."""

    def _refuse_history(self, request: HttpRequest, reason: str) -> None:
        audit_record(
            actor=request.user,
            action=AdminAction.HISTORY_REFUSED,
            after={"path": request.path, "method": request.method, "reason": reason},
        )

    def _object_in_scope(self, request: HttpRequest, object_id: str) -> bool:
        return self.get_queryset(request).filter(pk=unquote(object_id)).exists()

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not access.sees_every_admin_row(request.user) and not self._object_in_scope(request, object_id):
            # Also a deleted row: its history is a system administrator's to read.
            self._refuse_history(request, "out_of_scope")
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not access.sees_every_admin_row(request.user) and not self._object_in_scope(request, object_id):
            self._refuse_history(request, "out_of_scope")
            raise Http404
        if request.method != "GET" and not access.may_revert_history(request.user):
            self._refuse_history(request, "revert")
            raise PermissionDenied
        response: HttpResponse = super().history_form_view(  # type: ignore[misc]
            request, object_id, version_id, extra_context
        )
        return response

    def revert_disabled(self, request: HttpRequest, obj: _ModelT | None = None) -> bool:
        return not access.may_revert_history(request.user)


class ScopedAdminMixin(ScopedForeignKeyMixin[_ModelT]):
    """Staff who are not system administrators see only rows of the organisations they manage.
    `scope_lookup` names the path from the row to its organisation."""

    scope_lookup = ""

    def scope_condition(self, request: HttpRequest) -> Q:
        return Q(**{f"{self.scope_lookup}__in": managed_organisations(request)})

    def get_queryset(self, request: HttpRequest) -> QuerySet[_ModelT]:
        queryset = super().get_queryset(request)
        if access.sees_every_admin_row(request.user):
            return queryset
        return queryset.filter(self.scope_condition(request)).distinct()


class NoChangesAdminMixin:
    """Rows nobody adds, changes or deletes in the admin, whatever their permissions: written elsewhere, only shown."""

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


class ReadOnlyAdminMixin(NoChangesAdminMixin):
    """Programmes change only through their services (with checks and audit), never in the admin; system
    administrators alone see them there."""

    def has_view_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return access.sees_every_admin_row(request.user)


# simple_history ships no types, so its admin reads as Any to the type checker: the one untyped base, said once.
class ScopedGrantAdmin(
    AuditedAdminMixin[_ModelT],
    GrantRulesMixin[_ModelT],
    ScopedHistoryMixin[_ModelT],
    ScopedAdminMixin[_ModelT],
    SimpleHistoryAdmin,  # type: ignore[misc]
):
    """The admin of rows that place a cadre or give a right within the subtree (cadres, memberships, posts, roles):
    audited, scoped, with a scoped history, and every add or change checked against the rules of the grants."""
