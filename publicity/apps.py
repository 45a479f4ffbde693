from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicityConfig(AppConfig):
    name = "publicity"
    verbose_name = _("Công khai và giám sát")

    def ready(self) -> None:
        from programmes.audit import register_actions
        from publicity.audit_actions import FeedbackAction, FollowAction
        from publicity.statuses import register_public_machines
        from reviews.signals import period_opened

        register_actions(FeedbackAction, FollowAction)
        register_public_machines()
        # The feedback queue as a spreadsheet, registered with the portal's exports as the module loads.
        import publicity.exports  # noqa: F401

        period_opened.connect(attach_verified_feedback, dispatch_uid="publicity.attach_verified_feedback")


def attach_verified_feedback(sender: Any, period: Any, **kwargs: Any) -> None:
    from publicity.feedback import attach_pending

    attach_pending(period)
