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
from programmes.web import AuthenticatedRequest
from reviews import access, services
from reviews.bulk_tables import Refused, posted
from reviews.collective_forms import OrganisationRowForm
from reviews.models import OrganisationRating, PeriodState, ReviewPeriod
from reviews.services.collective import GroupQuota, Standing, group_quotas, ratings_under, subordinates

TEMPLATE = "reviews/organisation_ratings.html"


@dataclass
class RatingRow:
    organisation: PartyOrganisation
    form: OrganisationRowForm
    rating: OrganisationRating | None

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
    rows = []
    for organisation in subordinates(upper):
        rating = ratings.get(organisation.pk)
        rows.append(
            RatingRow(organisation, OrganisationRowForm(data, organisation=organisation, rating=rating), rating)
        )
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
                    by_organisation[organisation_pk].form.refused(refusal)
            except ValidationError as error:
                table_errors.extend(error.messages)
            else:
                messages.success(request, _("Đã lưu xếp loại %(count)s tổ chức đảng.") % {"count": len(chosen)})
                return redirect("reviews:organisation_ratings", period_pk=period.pk, organisation_pk=upper.pk)
    for row in rows:
        if row.form.is_bound:
            row.form.mark_errors()
    stored = {
        pk: Standing(rating.function_group, rating.level, bool(rating.quota_justification.strip()))
        for pk, rating in ratings.items()
    }
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
