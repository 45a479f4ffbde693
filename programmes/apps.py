from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = _("Tổ chức đảng, cán bộ và chương trình hành động")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from programmes.accounts.middleware import second_step_on_login
        from programmes.audit import register_actions
        from programmes.audit_actions import BASE_ACTIONS

        register_actions(*BASE_ACTIONS)

        # Connected here, not in the middleware, so that every sign-in counts, force_login in tests included.
        user_logged_in.connect(second_step_on_login, dispatch_uid="portal_second_step")
