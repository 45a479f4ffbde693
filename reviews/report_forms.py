"""The report pages' forms: filtering the list, and asking for reports (the period first, then what).

Forms validate and lay out; reviews.reports.batches.batch_create plans and queues. Every choice offered
is already limited to where the user may request reports, and batch_create checks again.
"""

from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from programmes import access
from programmes.access import Action, AnyUser
from programmes.models import PartyOrganisation
from programmes.models.organisations import CELL_KINDS
from programmes.web import PortalForm, add_service_error
from reviews.access import REPORTABLE_STATES, periods_visible_to, reviews_visible_to
from reviews.models import ReportBatch, ReportKind, Review, ReviewPeriod, ReviewState
from reviews.reports.batches import batch_create


def may_request_somewhere(user: AnyUser) -> bool:
    """For menus and the request page: batches.can_request_reports holds for some organisation."""
    return access.can_anywhere(user, Action.OPEN_REVIEW_PERIOD) or access.can_anywhere(user, Action.DECIDE_RATING)


def requestable_organisations(user: AnyUser) -> QuerySet[PartyOrganisation]:
    """Every organisation where batches.can_request_reports holds for `user`, as one query."""
    return access.organisations_where(user, Action.OPEN_REVIEW_PERIOD) | access.organisations_where(
        user, Action.DECIDE_RATING
    )


def requestable_periods(user: AnyUser) -> QuerySet[ReviewPeriod]:
    """Periods with some organisation inside their scope where the user may request reports."""
    inside = requestable_organisations(user).filter(path__startswith=OuterRef("scope__path"))
    return ReviewPeriod.objects.filter(Exists(inside)).order_by("-covers_to", "-pk")


class PeriodChoiceField(forms.ModelChoiceField[ReviewPeriod]):
    def label_from_instance(self, obj: ReviewPeriod) -> str:
        return f"{obj.title} ({obj.covers_from:%d/%m/%Y} – {obj.covers_to:%d/%m/%Y})"


class OrganisationChoiceField(forms.ModelChoiceField[PartyOrganisation]):
    def label_from_instance(self, obj: PartyOrganisation) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


class ReviewChoiceField(forms.ModelChoiceField[Review]):
    def label_from_instance(self, obj: Review) -> str:
        level = obj.get_final_level_display() if obj.final_level else obj.get_state_display()
        return f"{obj.cadre.full_name} — {obj.place.name} ({level})"


def _inline_helper(*fields: str) -> FormHelper:
    """A one-line GET form: the template writes the <form> element and its button."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout(Row(*(Column(name, css_class="col-sm-6 col-lg-4") for name in fields)))
    return helper


class ReportFilterForm(PortalForm):
    """The list's filters, read from the query string ("?dot=3&loai=cell_summary")."""

    dot = PeriodChoiceField(
        label=_("Đợt kiểm điểm"),
        queryset=ReviewPeriod.objects.none(),
        required=False,
        empty_label=_("Tất cả các đợt"),
    )
    loai = forms.ChoiceField(
        label=_("Loại báo cáo"), choices=[("", _("Tất cả các loại")), *ReportKind.choices], required=False
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        period_field = cast(PeriodChoiceField, self.fields["dot"])
        period_field.queryset = periods_visible_to(user).order_by("-covers_to", "-pk")
        self.helper = _inline_helper("dot", "loai")


class ReportPeriodForm(PortalForm):
    """The first step of a request: which period (read from the query string, "?dot=3")."""

    dot = PeriodChoiceField(
        label=_("Đợt kiểm điểm"),
        queryset=ReviewPeriod.objects.none(),
        error_messages={
            "invalid_choice": _("Hãy chọn một đợt trong danh sách: đồng chí không tạo được báo cáo của đợt này.")
        },
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        period_field = cast(PeriodChoiceField, self.fields["dot"])
        period_field.queryset = requestable_periods(user)
        self.helper = _inline_helper("dot")


class Target(models.TextChoices):
    REVIEW = "review", _("Một bản kiểm điểm: báo cáo đánh giá cá nhân")
    CELL = "cell", _("Một chi bộ: báo cáo tổng hợp và báo cáo của từng đảng viên đã có kết quả")
    SUBTREE = "subtree", _("Một tổ chức đảng và các tổ chức trực thuộc: mọi báo cáo của đợt")


class ReportRequestForm(PortalForm):
    """What to produce in the chosen period: one review, one cell, or a whole subtree."""

    target = forms.ChoiceField(label=_("Tạo báo cáo cho"), choices=Target.choices, widget=forms.RadioSelect)
    review = ReviewChoiceField(
        label=_("Bản kiểm điểm"),
        queryset=Review.objects.none(),
        required=False,
        empty_label=_("Chọn bản kiểm điểm"),
        help_text=_("Chỉ có các bản kiểm điểm đã có kết quả xếp loại."),
    )
    cell = OrganisationChoiceField(
        label=_("Chi bộ"),
        queryset=PartyOrganisation.objects.none(),
        required=False,
        empty_label=_("Chọn chi bộ"),
    )
    organisation = OrganisationChoiceField(
        label=_("Tổ chức đảng"),
        queryset=PartyOrganisation.objects.none(),
        required=False,
        empty_label=_("Chọn tổ chức đảng"),
        help_text=_(
            "Tạo báo cáo của từng bản kiểm điểm đã có kết quả, báo cáo tổng hợp của từng chi bộ và của từng "
            "tổ chức cơ sở đảng, đảng bộ phường, xã trong phạm vi."
        ),
    )

    def __init__(self, *args: Any, user: User, period: ReviewPeriod, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.period = period
        inside = requestable_organisations(user).filter(path__startswith=period.scope.path).order_by("path")
        review_field = cast(ReviewChoiceField, self.fields["review"])
        review_field.queryset = (
            reviews_visible_to(user)
            .filter(period=period, state__in=REPORTABLE_STATES, place__in=inside.values("pk"))
            .select_related("cadre", "place")
            .order_by("place__path", "cadre__full_name", "pk")
        )
        reviewed_places = Review.objects.filter(period=period).exclude(state=ReviewState.NOT_RATED).values("place")
        cell_field = cast(OrganisationChoiceField, self.fields["cell"])
        cell_field.queryset = inside.filter(kind__in=CELL_KINDS, pk__in=reviewed_places)
        organisation_field = cast(OrganisationChoiceField, self.fields["organisation"])
        organisation_field.queryset = inside.exclude(kind__in=CELL_KINDS)
        for name in ("review", "cell", "organisation"):
            self.fields[name].error_messages["invalid_choice"] = gettext(
                "Hãy chọn trong danh sách: đồng chí không tạo được báo cáo cho lựa chọn này."
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "target",
            Fieldset(_("Chọn một trong ba"), "review", "cell", "organisation"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        target = cleaned.get("target")
        needed = {
            Target.REVIEW: ("review", _("Hãy chọn bản kiểm điểm cần tạo báo cáo.")),
            Target.CELL: ("cell", _("Hãy chọn chi bộ cần tạo báo cáo.")),
            Target.SUBTREE: ("organisation", _("Hãy chọn tổ chức đảng cần tạo báo cáo.")),
        }
        if target in needed:
            field, message = needed[Target(target)]
            if not cleaned.get(field) and field not in self.errors:
                self.add_error(field, message)
        return cleaned

    def _plan(self) -> tuple[PartyOrganisation, list[tuple[str, int]] | None, str]:
        """(scope, items, title) for batch_create; items None is every report of the subtree."""
        data = self.cleaned_data
        period = self.period
        if data["target"] == Target.REVIEW:
            review: Review = data["review"]
            title = gettext("Báo cáo đánh giá %(name)s – %(period)s") % {
                "name": review.cadre.full_name,
                "period": period.title,
            }
            return review.place, [(ReportKind.INDIVIDUAL, review.pk)], title
        if data["target"] == Target.CELL:
            cell: PartyOrganisation = data["cell"]
            reviews = Review.objects.filter(period=period, place=cell, state__in=REPORTABLE_STATES).order_by("pk")
            items: list[tuple[str, int]] = [(ReportKind.CELL_SUMMARY, cell.pk)]
            items += [(ReportKind.INDIVIDUAL, pk) for pk in reviews.values_list("pk", flat=True)]
            return cell, items, ""
        return data["organisation"], None, ""

    def submit(self) -> ReportBatch | None:
        scope, items, title = self._plan()
        try:
            return batch_create(period=self.period, scope=scope, title=title, items=items, acting_user=self.user)
        except ValidationError as error:
            add_service_error(self, error)
        except PermissionDenied as refused:
            self.add_error(None, str(refused))
        return None
