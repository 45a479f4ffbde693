"""The Django admin for staff, one module per area; importing this package registers them all (the admin's
autodiscovery imports it). Every save and delete writes an audit event, and staff who are not system
administrators see and edit only the rows of the subtree they manage (programmes.admin.mixins)."""

from . import action_programmes, audit_log, cadres, imports, organisations, roles
from .mixins import (
    AuditedAdminMixin,
    GrantRulesMixin,
    NoChangesAdminMixin,
    ReadOnlyAdminMixin,
    ScopedAdminMixin,
    ScopedForeignKeyMixin,
    ScopedGrantAdmin,
    ScopedHistoryMixin,
)

__all__ = [
    "AuditedAdminMixin",
    "GrantRulesMixin",
    "NoChangesAdminMixin",
    "ReadOnlyAdminMixin",
    "ScopedAdminMixin",
    "ScopedForeignKeyMixin",
    "ScopedGrantAdmin",
    "ScopedHistoryMixin",
    "action_programmes",
    "audit_log",
    "cadres",
    "imports",
    "organisations",
    "roles",
]
