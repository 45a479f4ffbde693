import sqlite3
from typing import Any

from django.apps import AppConfig
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = _("Tổ chức đảng, cán bộ và chương trình hành động")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from programmes.accounts.middleware import second_step_on_login
        from programmes.audit import register_actions
        from programmes.audit_actions import BASE_ACTIONS
        from programmes.status_palette import register_base_machines
        from programmes.vendor_apps import describe_crontab_in_the_readers_language, translate_admin_password_warning

        register_actions(*BASE_ACTIONS)
        # Every state shown as a badge takes its colour from one palette (programmes/status_palette.py).
        register_base_machines()
        translate_admin_password_warning()
        describe_crontab_in_the_readers_language()
        # The base app's exportable lists register themselves as their module loads.
        import programmes.exports.lists  # noqa: F401

        # Connected here, not in the middleware, so that every sign-in counts, force_login in tests included.
        user_logged_in.connect(second_step_on_login, dispatch_uid="portal_second_step")
        connection_created.connect(sqlite_statement_limit, dispatch_uid="portal_sqlite_statement_limit")


def sqlite_statement_limit(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """SQLite: let a bulk insert take as many values as this SQLite allows (32,766 by default since 3.32, often
    250,000), not the 999 of older builds that Django assumes, so that opening a period writes its reviews in one
    statement rather than one per 45 rows: the same number of queries for any number of members."""
    if connection.vendor == "sqlite":
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        connection.features.max_query_params = limit
