"""Writing audit events. Every state-changing service calls `audit_record` inside its transaction."""

import json
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from typing import Any, TypeVar, cast

from django.contrib.auth.models import AnonymousUser, User
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.functional import Promise

from programmes.models import AuditEvent, Cadre, Membership, PartyOrganisation

Audited = TypeVar("Audited", bound=models.Model)

# Set by AuditContextMiddleware for the length of a request; empty in workers and commands.
current_ip_address: ContextVar[str | None] = ContextVar("current_ip_address", default=None)


# Every action code the portal writes, with the words the log shows for it; each app registers its own.
_ACTION_LABELS: dict[str, str | Promise] = {}


def register_actions(*choices: type[models.TextChoices]) -> None:
    """Make these actions writable and give the log their labels; called from each app's `ready()`."""
    for actions in choices:
        for action in actions:
            _ACTION_LABELS[action.value] = action.label


def action_label(code: str) -> str:
    """What the log shows for an action: its label, or the stored code for one no longer declared."""
    label = _ACTION_LABELS.get(code)
    return str(label) if label is not None else code


def action_choices() -> list[tuple[str, str]]:
    """Every registered action with its label, for the log's filter, in label order."""
    return sorted(((code, str(label)) for code, label in _ACTION_LABELS.items()), key=lambda pair: pair[1])


def actions_matching(text: str) -> list[str]:
    """The codes whose label or code holds `text`, ignoring case: what the log's "action" filter looks for."""
    wanted = text.strip().casefold()
    return [code for code, label in _ACTION_LABELS.items() if wanted in str(label).casefold() or wanted in code]


def json_safe(values: Mapping[str, object]) -> dict[str, Any]:
    """Dates as ISO strings, decimals as strings: what the audit log's JSON column stores."""
    # json.loads returns Any; an object dumped loads back as one.
    return cast(dict[str, Any], json.loads(json.dumps(values, cls=DjangoJSONEncoder)))


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of `obj` as JSON-safe values (dates as ISO strings, foreign keys as ids)."""
    values: dict[str, object] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        values[name] = getattr(obj, getattr(field, "attname", name))
    return json_safe(values)


# Where an event belongs, tried in this order: the organisation a row names, else the cell of the person it is about.
_ORGANISATION_FIELDS = ("cell", "place", "organisation", "scope")
_PERSON_FIELDS = ("cadre", "owner", "subject")


def _cell_path_of(cadre_id: int | None) -> str:
    if cadre_id is None:
        return ""
    path = (
        Membership.objects.filter(cadre_id=cadre_id, end_date__isnull=True).values_list("cell__path", flat=True).first()
    )
    return path or ""


def scope_path_of(obj: models.Model | None) -> str:
    """The materialised path of the organisation an audited object belongs to ("" when none can be told), so that
    staff read the log of their own subtree."""
    if obj is None:
        return ""
    if isinstance(obj, PartyOrganisation):
        return obj.path
    if isinstance(obj, Cadre):
        return _cell_path_of(obj.pk)
    field_names = {field.name for field in obj._meta.concrete_fields}
    for name in _ORGANISATION_FIELDS:
        if name in field_names and getattr(obj, f"{name}_id", None) is not None:
            path = PartyOrganisation.objects.filter(pk=getattr(obj, f"{name}_id")).values_list("path", flat=True)
            return path.first() or ""
    for name in _PERSON_FIELDS:
        if name in field_names and obj._meta.get_field(name).related_model is Cadre:
            return _cell_path_of(getattr(obj, f"{name}_id", None))
    if "programme" in field_names:
        programme = getattr(obj, "programme", None)
        return scope_path_of(programme)
    return ""


def audit_record(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    keep_address: bool = True,
) -> AuditEvent:
    """Append one event. `actor` None means the system itself (an import command, a scheduled task).

    `keep_address` False leaves out the network address of the request, for a member of the public whose
    address the portal promises not to keep (citizen feedback)."""
    if action not in _ACTION_LABELS:
        # A typo here would write an event no filter or label ever finds; refuse it where it is written.
        raise ValueError(f"Unregistered audit action {action!r}: declare it in the app's audit_actions module.")
    user = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
        actor=user,
        actor_repr=user.get_username() if user is not None else "system",
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        before=before,
        after=after,
        ip_address=current_ip_address.get() if keep_address else None,
        scope_path=scope_path_of(obj),
    )


def audited_update(
    obj: Audited,
    changes: Mapping[str, object],
    *,
    action: str,
    acting_user: User | AnonymousUser | None,
    recorded: Iterable[str] | None = None,
) -> Audited:
    """Set `changes` on `obj`, save those fields alone, and append the event with the fields before and after.

    `recorded` names the fields the event shows, the changed ones when not given; a caller names more (the
    programme a commitment belongs to, a row's other dates) so that the event reads on its own in the log.
    The caller runs it inside its service's transaction, after its checks.
    """
    recorded = tuple(recorded if recorded is not None else changes)
    before = snapshot(obj, recorded)
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.save(update_fields=list(changes))
    audit_record(actor=acting_user, action=action, obj=obj, before=before, after=snapshot(obj, recorded))
    return obj
