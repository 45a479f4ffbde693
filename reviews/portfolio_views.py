"""A cadre's portfolio ("Quá trình thực hiện và kết quả kiểm điểm"): every action programme and every review of the
cadre over time, newest first, each row only where the reader may see that programme or review.

Who sees the page, and which rows, is the access modules' answer (programmes.access for the cadre and the
programmes, reviews.access for the reviews); the page asks, and adds no rule of its own. Two queries list the rows
whatever their number.
"""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from programmes import access as programme_access
from programmes.models import ActionProgramme, Cadre, Commitment, CommitmentTerms, ProgressStatus
from reviews import access
from reviews.models import Review, ReviewState

_FINISHED = sorted(ProgressStatus.finished_values())


def _count(rows: QuerySet[CommitmentTerms] | QuerySet[Commitment], key: str) -> Subquery:
    """How many of `rows` each programme has, as a subquery on the programme (0 when none)."""
    counted = rows.order_by().values(key).annotate(number=Count("pk")).values("number")
    return Subquery(counted, output_field=IntegerField())


def _programmes(request: HttpRequest, cadre: Cadre) -> QuerySet[ActionProgramme]:
    """The cadre's programmes the reader may see, newest first, with their commitments finished and in all: those of
    the version in force, or of the programme as drafted before its first confirmation."""
    in_force = CommitmentTerms.objects.filter(version=OuterRef("current_version"))
    drafted = Commitment.objects.filter(programme=OuterRef("pk"))
    return (
        programme_access.programmes_visible_to(request.user)
        .filter(owner=cadre)
        .annotate(
            total=Coalesce(
                _count(in_force, "version"),
                _count(drafted, "programme"),
                Value(0),
            ),
            finished=Coalesce(
                _count(in_force.filter(commitment__status__in=_FINISHED), "version"),
                _count(drafted.filter(status__in=_FINISHED), "programme"),
                Value(0),
            ),
        )
        .order_by("-term_start", "-pk")
    )


@dataclass(frozen=True)
class ReviewRow:
    review: Review
    # The level once the review has its result; blank before (and while an appeal is being settled).
    final_level: str


def _reviews(request: HttpRequest, cadre: Cadre) -> list[ReviewRow]:
    reviews = (
        access.reviews_visible_to(request.user)
        .filter(cadre=cadre)
        .select_related("period", "place")
        .order_by("-period__covers_to", "-period__pk", "place__path")
    )
    return [ReviewRow(review, review.final_level if review.state == ReviewState.FINAL else "") for review in reviews]


@login_required
@require_GET
def cadre_portfolio(request: HttpRequest, pk: int) -> HttpResponse:
    cadre = programme_access.get_cadre_for(request.user, pk)
    context = {
        "cadre": cadre,
        "programmes": _programmes(request, cadre),
        "reviews": _reviews(request, cadre),
    }
    return render(request, "reviews/cadre_portfolio.html", context)
