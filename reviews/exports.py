"""A period's reviews as a spreadsheet: levels at each step and the grounds of the confirmed decision, the same rows as
the period's page shows the user (reviews.access, the page's filters)."""

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, ExpressionWrapper, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programmes.exports import ExportList, Selection, batches, register, write_rows
from programmes.exports.lists import checked_filters, object_id
from programmes.exports.workbook import Book
from reviews import access, selectors
from reviews.filters import PeriodReviewFilterForm, filter_period_reviews
from reviews.models import Decision, DecisionState, RatingLevel, Review, ReviewPeriod


def _level(value: str | None) -> str:
    return str(RatingLevel(value).label) if value in RatingLevel.values else ""


class PeriodReviewsSelection(Selection):
    def __init__(self, period: ReviewPeriod, reviews: QuerySet[Review]) -> None:
        self.scope = period.scope
        self.reviews = reviews

    def rows(self) -> QuerySet[Review]:
        return self.reviews

    def write(self, book: Book) -> None:
        today = timezone.localdate()
        grounds = Decision.objects.filter(review=OuterRef("pk"), state=DecisionState.CONFIRMED).order_by(
            "-decided_at", "-pk"
        )
        rows = self.reviews.annotate(
            confirmed_grounds=Subquery(grounds.values("grounds")[:1]),
            overdue=ExpressionWrapper(selectors.overdue_condition(today), output_field=BooleanField()),
        )
        headers = [
            _("Đảng viên"),
            _("Chức vụ khi kiểm điểm"),
            _("Chi bộ"),
            _("Nơi kiểm điểm"),
            _("Cấp quyết định"),
            _("Mẫu"),
            _("Trạng thái"),
            _("Tự nhận mức"),
            _("Chi bộ đề xuất"),
            _("Quyết định chờ xác nhận"),
            _("Kết quả xếp loại"),
            _("Căn cứ xác nhận"),
            _("Lý do không xếp loại"),
            _("Quá hạn bước hiện tại"),
        ]
        write_rows(book, _("Bản kiểm điểm"), headers, batches(rows), _review_values)


def _review_values(review: Any) -> list[Any]:
    proposal = getattr(review, "proposal", None)
    return [
        review.cadre.full_name,
        review.position_title,
        review.cell.name,
        review.place.name,
        review.deciding_organisation.name,
        review.form,
        review.get_state_display(),
        _level(review.self_level),
        _level(proposal.level if proposal is not None else None),
        _level(review.decided_level) if not review.final_level else "",
        _level(review.final_level),
        review.confirmed_grounds or "",
        review.not_rated_reason,
        _("Có") if review.overdue else "",
    ]


class PeriodReviewsList(ExportList):
    key = "reviews"
    label = gettext_lazy("Bản kiểm điểm của đợt")
    file_stem = "ban-kiem-diem"

    def select(self, user: User, parameters: dict[str, str]) -> Selection:
        period = selectors.get_period(object_id(parameters))
        if period is None:
            raise Http404
        if not access.can_export_reviews(user):
            raise PermissionDenied
        reviews = selectors.period_reviews(user, period)
        if not access.can_view_period(user, period, reviews_seen=reviews.exists()):
            raise PermissionDenied
        filters = checked_filters(PeriodReviewFilterForm(parameters, user=user, period=period))
        return PeriodReviewsSelection(period, filter_period_reviews(reviews, filters, timezone.localdate()))


register(PeriodReviewsList())
