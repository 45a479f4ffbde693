"""A cadre's portfolio ("Quá trình thực hiện và kết quả kiểm điểm"): every action programme and every review of the
cadre over time, newest first, each row only where the reader may see that programme or review.

Who sees the page, and which rows, is the access modules' answer (programmes.access for the cadre and the
programmes, reviews.access for the reviews); the page asks, and adds no rule of its own. Three queries list the rows
whatever their number.
"""

from collections import Counter
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from programmes import access as programme_access
from programmes.models import ActionProgramme, Cadre, Commitment, CommitmentTerms, ProgressStatus
from reviews import access
from reviews.models import Review, ReviewState

_FINISHED = ProgressStatus.finished_values()


@dataclass(frozen=True)
class ProgrammeRow:
    programme: ActionProgramme
    # Of the commitments the reader may read (a commitment its owner keeps from them is not counted): those of the
    # version in force, or of the programme as drafted before its first confirmation.
    finished: int
    total: int


def _programmes(request: HttpRequest, cadre: Cadre) -> list[ProgrammeRow]:
    """The cadre's programmes the reader may see, newest first, with their commitments finished and in all; two
    queries, and the access module's for the commitments kept from some readers."""
    programmes = list(
        programme_access.programmes_visible_to(request.user)
        .filter(owner=cadre)
        .select_related("owner", "organisation")
        .order_by("-term_start", "-pk")
    )
    in_force = Exists(
        CommitmentTerms.objects.filter(commitment=OuterRef("pk"), version=OuterRef("programme__current_version"))
    )
    commitments = Commitment.objects.filter(
        in_force | Q(programme__current_version__isnull=True), programme__in=[programme.pk for programme in programmes]
    ).only("pk", "programme_id", "status", "publicity_cap")
    by_pk = {programme.pk: programme for programme in programmes}
    readings = programme_access.CommitmentReadings(request.user, programmes)
    finished: Counter[int] = Counter()
    total: Counter[int] = Counter()
    for commitment in commitments:
        if readings.shows(by_pk[commitment.programme_id], commitment):
            total[commitment.programme_id] += 1
            finished[commitment.programme_id] += commitment.status in _FINISHED
    return [ProgrammeRow(programme, finished[programme.pk], total[programme.pk]) for programme in programmes]


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
