from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Kiểm điểm, đánh giá, xếp loại")

    def ready(self) -> None:
        from programmes.audit import register_actions
        from reviews.audit_actions import ReportAction, ReviewAction
        from reviews.statuses import register_review_machines

        register_actions(ReviewAction, ReportAction)
        register_review_machines()
        # The period's reviews as a spreadsheet, registered with the portal's exports as the module loads.
        import reviews.exports  # noqa: F401
