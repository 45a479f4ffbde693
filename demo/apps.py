from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "demo"
    verbose_name = _("Dữ liệu dùng thử")

    def ready(self) -> None:
        from demo.audit_actions import DemoAction
        from programmes.audit import register_actions

        register_actions(DemoAction)
