"""The table of party organisations' ratings (Hướng dẫn 43-HD/BTCTW): the committee of an organisation rates the
organisations directly under it for a period that includes collectives, through services.rate_organisations.

Whoever may not rate under the organisation (reviews.access.can_rate_under) gets 404, as for a period they do not
see. A refused table stores nothing and comes back with each refusal beside its row and listed above the table; the
quota of Excellent collectives is shown per group of similar function as the levels now chosen leave it. The page
costs the same number of queries whatever the number of organisations.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from programmes.models import PartyOrganisation
from programmes.web import AuthenticatedRequest, call_service
from reviews import access, services
from reviews.bulk_tables import Refused, posted
from reviews.collective_forms import CollectiveReportForm, OrganisationRowForm
from reviews.models import CollectiveReport, OrganisationRating, PeriodState, ReviewPeriod
from reviews.services.collective import (
    GroupQuota,
    Standing,
    group_quotas,
    is_rated,
    ratings_under,
    standings_with,
    subordinates,
)
from reviews.services.collective_report import REPORT_SECTIONS

TEMPLATE = "reviews/organisation_ratings.html"


@dataclass
class RatingRow:
    organisation: PartyOrganisation
    form: OrganisationRowForm
    rating: OrganisationRating | None
    reported: bool = False

    @property
    def anchor(self) -> str:
        return f"to-chuc-{self.organisation.pk}"


def rating_place(
    request: AuthenticatedRequest, period_pk: int, organisation_pk: int
) -> tuple[ReviewPeriod, PartyOrganisation]:
    """The period and the upper organisation, when the period rates collectives, the organisation lies in its scope
    and the user rates under it; else 404: others learn nothing of the period."""
    period = ReviewPeriod.objects.select_related("rule_set", "scope").filter(pk=period_pk).first()
    upper = PartyOrganisation.objects.filter(pk=organisation_pk).first()
    if period is None or upper is None or not period.includes_collectives:
        raise Http404
    if not upper.path.startswith(period.scope.path) or not access.can_rate_under(request.user, upper):
        raise Http404
    return period, upper


def _quotas(period: ReviewPeriod, rows: list[RatingRow], stored: dict[int, Standing]) -> list[GroupQuota]:
    """Each group's quota with the levels as now chosen (a row left blank keeps its stored rating)."""
    standings = dict(stored)
    for row in rows:
        level = row.form.chosen_level()
        if level:
            standings[row.organisation.pk] = Standing(row.form.chosen_group(), level, row.form.chosen_justified())
    if period.rule_set.collective_quota_percent is None:
        return []
    return list(group_quotas(period, standings.values()).values())


@login_required
@require_http_methods(["GET", "POST"])
def organisation_ratings(request: AuthenticatedRequest, period_pk: int, organisation_pk: int) -> HttpResponse:
    period, upper = rating_place(request, period_pk, organisation_pk)
    ratings = {rating.organisation_id: rating for rating in ratings_under(period, upper)}
    data = posted(request) if period.state == PeriodState.OPEN else None
    organisations = list(subordinates(upper, period))
    reported = set(
        CollectiveReport.objects.filter(period=period, organisation__in=organisations).values_list(
            "organisation_id", flat=True
        )
    )
    rows = []
    for organisation in organisations:
        rating = ratings.get(organisation.pk)
        form = OrganisationRowForm(data, organisation=organisation, rating=rating)
        rows.append(RatingRow(organisation, form, rating, organisation.pk in reported))
    table_errors: list[str] = []
    if data is not None and request.POST.get("action") != "check":
        valid = [row.form.is_valid() for row in rows]
        if all(valid):
            chosen = [found for row in rows if (found := row.form.organisation_row()) is not None]
            try:
                services.rate_organisations(
                    period=period, upper=upper, rows=chosen, acting_user=access.acting(request.user)
                )
            except services.RowsRefused as refused:
                by_organisation = {row.organisation.pk: row for row in rows}
                for organisation_pk, refusal in refused.refusals.items():
                    if organisation_pk in by_organisation:
                        by_organisation[organisation_pk].form.refused(refusal)
                    else:  # a rating stored before, of an organisation no longer listed
                        table_errors.extend(
                            refusal.messages if isinstance(refusal, ValidationError) else [str(refusal)]
                        )
            except ValidationError as error:
                table_errors.extend(error.messages)
            else:
                messages.success(request, _("Đã lưu xếp loại %(count)s tổ chức đảng.") % {"count": len(chosen)})
                return redirect("reviews:organisation_ratings", period_pk=period.pk, organisation_pk=upper.pk)
    for row in rows:
        if row.form.is_bound:
            row.form.mark_errors()
    stored = standings_with(ratings.values(), [])
    context = {
        "period": period,
        "upper": upper,
        "rows": rows,
        "editable": period.state == PeriodState.OPEN,
        "refused_rows": [
            Refused(row.organisation.name, row.anchor, row.form.row_errors) for row in rows if row.form.errors
        ],
        "table_errors": table_errors,
        "quotas": _quotas(period, rows, stored),
        "percent": period.rule_set.collective_quota_percent,
        "exceeding_percent": period.rule_set.excellent_exceeding_percent,
    }
    return render(request, TEMPLATE, context)


# --- The collective's report (Mẫu 01) ----------------------------------------------------------------------------

REPORT_TEMPLATE = "reviews/collective_report.html"


def _report_place(
    request: AuthenticatedRequest, period_pk: int, organisation_pk: int
) -> tuple[ReviewPeriod, PartyOrganisation]:
    """The period and the organisation it rates (a party group, or one not in force at the end of the period, is
    never rated), when the user reads its report; else 404."""
    period = ReviewPeriod.objects.select_related("scope").filter(pk=period_pk).first()
    organisation = PartyOrganisation.objects.filter(pk=organisation_pk).first()
    if period is None or organisation is None or not period.includes_collectives:
        raise Http404
    if not is_rated(period, organisation):
        raise Http404
    if not access.can_read_collective_report(request.user, organisation):
        raise Http404
    return period, organisation


@login_required
@require_http_methods(["GET", "POST"])
def collective_report(request: AuthenticatedRequest, period_pk: int, organisation_pk: int) -> HttpResponse:
    period, organisation = _report_place(request, period_pk, organisation_pk)
    report = (
        CollectiveReport.objects.filter(period=period, organisation=organisation).select_related("written_by").first()
    )
    may_write = period.state == PeriodState.OPEN and access.can_write_collective_report(request.user, organisation)
    initial = {name: getattr(report, name) for name in REPORT_SECTIONS} if report is not None else None
    form = CollectiveReportForm(request.POST if request.method == "POST" and may_write else None, initial=initial)
    if request.method == "POST" and may_write and form.is_valid():
        saved = call_service(
            form,
            services.collective_report_save,
            period=period,
            organisation=organisation,
            sections=form.cleaned_data,
            acting_user=access.acting(request.user),
        )
        if saved is not None:
            messages.success(request, _("Đã lưu báo cáo kiểm điểm của %(name)s.") % {"name": organisation.name})
            return redirect("reviews:collective_report", period_pk=period.pk, organisation_pk=organisation.pk)
    context = {"period": period, "organisation": organisation, "report": report, "form": form, "may_write": may_write}
    return render(request, REPORT_TEMPLATE, context)
