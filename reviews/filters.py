"""The staff's search of reviews: a period's reviews by member's name (accent-insensitive), cell, state, level and
overdue step; the work list's queues by name, organisation and overdue step. A period's page and its spreadsheet
filter through the same form, inside the reviews reviews.access lets the user read."""

import datetime
from typing import Any

from django import forms
from django.db.models import CharField, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext_lazy as _

from programmes import access as programme_access
from programmes.access import Action, AnyUser
from programmes.models import PartyOrganisation
from programmes.search import ListFilterForm, OrganisationFilterField, words_condition
from reviews.access import reviews_visible_to
from reviews.models import RatingLevel, Review, ReviewPeriod, ReviewState
from reviews.selectors import overdue_condition

OVERDUE_LABEL = _("Quá hạn bước hiện tại")


def current_level() -> Coalesce:
    """For a Review queryset annotated with `decided_level` (the decision awaiting confirmation): the level the review
    stands at now, the result in force, else the decision awaiting confirmation, else the cell's proposal."""
    return Coalesce(
        NullIf(F("final_level"), Value("")),
        F("decided_level"),
        F("proposal__level"),
        output_field=CharField(),
    )


class PeriodReviewFilterForm(ListFilterForm):
    field_order = ["q", "chi_bo", "trang_thai", "muc", "qua_han"]
    trang_thai = forms.ChoiceField(
        label=_("Trạng thái"), choices=[("", _("Tất cả")), *ReviewState.choices], required=False
    )
    muc = forms.ChoiceField(
        label=_("Mức xếp loại"),
        choices=[("", _("Tất cả")), *RatingLevel.choices],
        required=False,
        help_text=_("Kết quả, hoặc quyết định chờ xác nhận, hoặc đề xuất của chi bộ."),
    )
    qua_han = forms.BooleanField(label=OVERDUE_LABEL, required=False)

    def __init__(self, *args: Any, user: AnyUser, period: ReviewPeriod, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].help_text = _("Họ và tên đảng viên; gõ có dấu hoặc không dấu.")
        cells = reviews_visible_to(user).filter(period=period).values("cell")
        self.fields["chi_bo"] = OrganisationFilterField(
            queryset=PartyOrganisation.objects.filter(pk__in=cells), label=_("Chi bộ")
        )
        self.order_fields(self.field_order)


def filter_period_reviews(reviews: QuerySet[Review], filters: dict[str, Any], today: datetime.date) -> QuerySet[Review]:
    """A period's reviews (selectors.period_reviews, with `decided_level`) narrowed by the form's filters."""
    if filters.get("q"):
        reviews = reviews.filter(words_condition("cadre__name_folded", filters["q"]))
    if filters.get("chi_bo"):
        reviews = reviews.filter(cell=filters["chi_bo"])
    if filters.get("trang_thai"):
        reviews = reviews.filter(state=filters["trang_thai"])
    if filters.get("muc"):
        reviews = reviews.alias(level_now=current_level()).filter(level_now=filters["muc"])
    if filters.get("qua_han"):
        reviews = reviews.filter(overdue_condition(today))
    return reviews


class WorkListFilterForm(ListFilterForm):
    field_order = ["q", "to_chuc", "qua_han"]
    qua_han = forms.BooleanField(label=OVERDUE_LABEL, required=False)

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].help_text = _("Họ và tên đảng viên; gõ có dấu hoặc không dấu.")
        self.fields["to_chuc"] = OrganisationFilterField(
            queryset=programme_access.organisations_where(user, Action.VIEW_ORGANISATION),
            label=_("Nơi kiểm điểm"),
        )
        self.order_fields(self.field_order)


def filter_queue(reviews: QuerySet[Review] | None, filters: dict[str, Any], today: datetime.date) -> Any:
    """A work-list queue (None when the user has no such queue) narrowed by the form's filters."""
    if reviews is None:
        return None
    if filters.get("q"):
        reviews = reviews.filter(words_condition("cadre__name_folded", filters["q"]))
    if filters.get("to_chuc"):
        path = filters["to_chuc"].path
        reviews = reviews.filter(Q(place__path__startswith=path) | Q(cell__path__startswith=path))
    if filters.get("qua_han"):
        reviews = reviews.filter(overdue_condition(today))
    return reviews
