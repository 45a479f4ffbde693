"""A cell's tables: the secretary records the whole cell's proposals in one table, the committee decides the whole
cell in one table, and the head confirms several decisions at once.

One row per review of the place in the period; a row the user may act on now has its fields, the others say where
the review stands or why the user may not act on it (the single pages' own refusals). Who may open a table is
asked of reviews.access; each row is asked of it (or of the step's refusal) again; the table services decide.
A table that is refused stores nothing and comes back with each refusal next to its row and listed above the
table. The quota of Excellent ratings is shown for the set as chosen: counted again by a small script as levels
change, by the server when "check the quota" is sent, and checked by the services on the whole set at submission.

The page costs the same number of queries whatever the number of members.
"""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from programmes.access import AnyUser
from programmes.models import PartyOrganisation
from programmes.web import AuthenticatedRequest, refusal_page
from reviews import access, services
from reviews.bulk_forms import (
    ConfirmationRowForm,
    ConfirmationSetForm,
    DecisionRowForm,
    DecisionSetForm,
    ProposalRowForm,
    ProposalSetForm,
)
from reviews.bulk_tables import (
    DECIDING,
    PROPOSING,
    TableRow,
    all_valid,
    posted,
    set_quotas,
    store_table,
    table_context,
    table_place,
    table_reviews,
)
from reviews.consistency import ConsistencyFlag, consistency_flags
from reviews.models import CellMeeting, CellProposal, Decision, DecisionState, Review, ReviewPeriod, ReviewState

PROPOSALS_TEMPLATE = "reviews/cell_proposals.html"
DECISIONS_TEMPLATE = "reviews/cell_decisions.html"
CONFIRMATIONS_TEMPLATE = "reviews/cell_confirmations.html"
CHECK = "check"

# --- The cell's proposals ------------------------------------------------------------------------------------


def _proposal_rows(request: AuthenticatedRequest, reviews: list[Review]) -> list[TableRow]:
    data = posted(request)
    rows = []
    for review in reviews:
        refusal = services.proposal_refusal(review, request.user)
        if review.state != ReviewState.SELF_SUBMITTED:
            rows.append(TableRow(review))
        elif refusal is not None:
            rows.append(TableRow(review, note=refusal))
        else:
            previous = getattr(review, "proposal", None)
            form = ProposalRowForm(data, review=review, assessments=list(review.assessments.all()), previous=previous)
            rows.append(TableRow(review, form))
    _flag_proposal_rows(rows)
    return rows


def _flag_proposal_rows(rows: list[TableRow]) -> None:
    """The verdicts on screen that claim more than the recorded progress, each row's own (three queries in all)."""
    editable = [row for row in rows if row.form is not None]
    shown: dict[int, str] = {}
    for row in editable:
        shown.update(row.form.shown_verdicts())
    assessments = [assessment for row in editable for assessment in row.form.assessments]
    flags = consistency_flags(assessments, judge="cell", verdicts=shown)
    by_review: dict[int, list[ConsistencyFlag]] = defaultdict(list)
    for flag in flags:
        by_review[flag.assessment.review_id].append(flag)
    for row in editable:
        row.flags = by_review.get(row.review.pk, [])
        row.items = row.form.assessment_rows(row.flags)


def _quorate_meetings(period: ReviewPeriod, place: PartyOrganisation) -> list[CellMeeting]:
    meetings = CellMeeting.objects.filter(period=period, cell=place).order_by("-held_on", "-pk")
    return [meeting for meeting in meetings if meeting.has_quorum]


def _record_proposals(
    request: AuthenticatedRequest,
    period: ReviewPeriod,
    place: PartyOrganisation,
    set_form: ProposalSetForm,
    rows: list[TableRow],
) -> HttpResponse | None:
    """Store the table when it is sent and valid; None when the page is to be shown again (with its errors)."""
    forms = [row.form for row in rows if row.form is not None]
    if not all_valid(set_form, forms):
        return None
    defaults = {name: set_form.cleaned_data[name] for name in ("votes_for", "votes_against", "votes_abstain")}
    built = [form.proposal_row(defaults) for form in forms]
    if any(form.errors for form in forms):
        return None
    table = [row for row in built if row is not None]
    stored = store_table(
        set_form,
        rows,
        lambda: services.cell_proposals_record(
            period=period, place=place, meeting=set_form.cleaned_data["meeting"], rows=table, acting_user=request.user
        ),
    )
    if stored is None:
        return None
    messages.success(request, _("Đã ghi đề xuất của chi bộ cho %(count)s đồng chí.") % {"count": len(stored)})
    for warning, names in _warned(stored).items():
        messages.warning(
            request, _("Đồng chí %(names)s: %(warning)s") % {"names": ", ".join(names), "warning": warning}
        )
    return redirect("reviews:cell_reviews", period_pk=period.pk, cell_pk=place.pk)


def _warned(stored: list[tuple[CellProposal, list[str]]]) -> dict[str, list[str]]:
    """Each warning once, with the members it was given for (the quota's, weighed on the whole set, is the same for
    every Excellent row)."""
    names: dict[str, list[str]] = defaultdict(list)
    for proposal, warnings in stored:
        for warning in warnings:
            names[warning].append(proposal.review.cadre.full_name)
    return names


@login_required
@require_http_methods(["GET", "POST"])
def cell_proposals(request: AuthenticatedRequest, period_pk: int, cell_pk: int) -> HttpResponse:
    period, place = table_place(request.user, period_pk, cell_pk)
    if not access.can_record_meeting(request.user, place):
        return refusal_page(
            request, PROPOSALS_TEMPLATE, _("Chỉ bí thư, phó bí thư chi bộ ghi đề xuất."), period=period, place=place
        )
    meetings = _quorate_meetings(period, place)
    rows = _proposal_rows(request, list(table_reviews(period, place)))
    set_form = ProposalSetForm(posted(request), meetings=meetings)
    if request.method == "POST" and request.POST.get("action") != CHECK and meetings:
        outcome = _record_proposals(request, period, place, set_form, rows)
        if outcome is not None:
            return outcome
    context = table_context(
        period,
        place,
        rows,
        set_form=set_form,
        has_meetings=bool(meetings),
        quotas=set_quotas(period, rows, PROPOSING),
        meeting_url=reverse("reviews:meeting_record", args=[period.pk, place.pk]),
    )
    return render(request, PROPOSALS_TEMPLATE, context)


# --- The committee's decisions -------------------------------------------------------------------------------


def _decision_rows(request: AuthenticatedRequest, reviews: list[Review]) -> list[TableRow]:
    data = posted(request)
    proposed = [
        review
        for review in reviews
        if review.state == ReviewState.CELL_PROPOSED and access.can_decide(request.user, review)
    ]
    assessments = [assessment for review in proposed for assessment in review.assessments.all()]
    flags: dict[int, list[ConsistencyFlag]] = defaultdict(list)
    for flag in consistency_flags(assessments, judge="cell"):
        flags[flag.assessment.review_id].append(flag)
    decidable = {review.pk for review in proposed}
    rows = []
    for review in reviews:
        if review.pk in decidable:
            form = DecisionRowForm(data, review=review, flags=flags.get(review.pk, []))
            rows.append(TableRow(review, form, flags=flags.get(review.pk, [])))
        elif review.state == ReviewState.CELL_PROPOSED:
            rows.append(TableRow(review, note=_("Đồng chí không thuộc cấp ủy có thẩm quyền quyết định.")))
        else:
            rows.append(TableRow(review))
    return rows


def _make_decisions(
    request: AuthenticatedRequest,
    period: ReviewPeriod,
    place: PartyOrganisation,
    set_form: DecisionSetForm,
    rows: list[TableRow],
) -> HttpResponse | None:
    forms = [row.form for row in rows if row.form is not None]
    if not all_valid(set_form, forms):
        return None
    table = [row for row in (form.decision_row() for form in forms) if row is not None]
    justification = set_form.cleaned_data["quota_override"]
    decided = store_table(
        set_form,
        rows,
        lambda: services.cell_decisions_make(
            period=period, place=place, rows=table, quota_override=justification, acting_user=request.user
        ),
    )
    if decided is None:
        return None
    messages.success(
        request,
        _("Đã quyết định xếp loại %(count)s đồng chí; chờ người đứng đầu xác nhận.") % {"count": len(decided)},
    )
    return redirect("reviews:cell_reviews", period_pk=period.pk, cell_pk=place.pk)


@login_required
@require_http_methods(["GET", "POST"])
def cell_decisions(request: AuthenticatedRequest, period_pk: int, cell_pk: int) -> HttpResponse:
    period, place = table_place(request.user, period_pk, cell_pk)
    if not access.can_decide_in(request.user, place):
        return refusal_page(
            request,
            DECISIONS_TEMPLATE,
            _("Đồng chí không thuộc cấp ủy có thẩm quyền quyết định."),
            period=period,
            place=place,
        )
    rows = _decision_rows(request, list(table_reviews(period, place)))
    set_form = DecisionSetForm(posted(request))
    if request.method == "POST" and request.POST.get("action") != CHECK:
        outcome = _make_decisions(request, period, place, set_form, rows)
        if outcome is not None:
            return outcome
    quotas = set_quotas(period, rows, DECIDING)
    context = table_context(
        period, place, rows, set_form=set_form, quotas=quotas, beyond=sum(item.beyond for item in quotas)
    )
    return render(request, DECISIONS_TEMPLATE, context)


# --- The head's confirmations --------------------------------------------------------------------------------


def _confirmation_rows(request: AuthenticatedRequest, reviews: list[Review]) -> list[TableRow]:
    """A row to tick for each decision awaiting the user's confirmation; whether the user heads each deciding body
    is asked once per body, not per member."""
    data = posted(request)
    pending = _pending_decisions(reviews)
    heads = _heads(request.user, [review for review in reviews if review.pk in pending])
    rows = []
    for review in reviews:
        decision = pending.get(review.pk)
        if review.state != ReviewState.DECIDED or decision is None:
            rows.append(TableRow(review))
            continue
        refusal = services.confirm_refusal(review, request.user, heads=heads[review.deciding_organisation_id])
        if refusal is not None:
            rows.append(TableRow(review, note=refusal))
            continue
        form = ConfirmationRowForm(data, review=review, decision=decision, assessments=list(review.assessments.all()))
        rows.append(TableRow(review, form))
    return rows


def _pending_decisions(reviews: list[Review]) -> dict[int, Decision]:
    decided = [review.pk for review in reviews if review.state == ReviewState.DECIDED]
    decisions = Decision.objects.filter(review__in=decided, state=DecisionState.AWAITING_CONFIRMATION).select_related(
        "decided_by__cadre"
    )
    found = {}
    for decision in decisions:
        found[decision.review_id] = decision
    for review in reviews:
        if review.pk in found:
            found[review.pk].review = review
    return found


def _heads(user: AnyUser, reviews: list[Review]) -> dict[int, bool]:
    bodies = {review.deciding_organisation_id: review.deciding_organisation for review in reviews}
    return {pk: access.heads_body(user, body) for pk, body in bodies.items()}


def _confirm(
    request: AuthenticatedRequest,
    period: ReviewPeriod,
    place: PartyOrganisation,
    set_form: ConfirmationSetForm,
    rows: list[TableRow],
) -> HttpResponse | None:
    forms = [row.form for row in rows if row.form is not None]
    if not all_valid(set_form, forms):
        return None
    common = set_form.cleaned_data["grounds"]
    table = [row for row in (form.confirmation_row(common) for form in forms) if row is not None]
    confirmed = store_table(
        set_form,
        rows,
        lambda: services.cell_decisions_confirm(period=period, place=place, rows=table, acting_user=request.user),
    )
    if confirmed is None:
        return None
    messages.success(
        request,
        _("Đã xác nhận kết quả của %(count)s đồng chí; các đồng chí được báo kết quả.") % {"count": len(confirmed)},
    )
    return redirect("reviews:cell_reviews", period_pk=period.pk, cell_pk=place.pk)


@login_required
@require_http_methods(["GET", "POST"])
def cell_confirmations(request: AuthenticatedRequest, period_pk: int, cell_pk: int) -> HttpResponse:
    period, place = table_place(request.user, period_pk, cell_pk)
    if not access.can_confirm_in(request.user, place):
        return refusal_page(
            request,
            CONFIRMATIONS_TEMPLATE,
            _("Chỉ người đứng đầu cấp quyết định mới xác nhận kết quả."),
            period=period,
            place=place,
        )
    rows = _confirmation_rows(request, list(table_reviews(period, place)))
    set_form = ConfirmationSetForm(posted(request))
    if request.method == "POST":
        outcome = _confirm(request, period, place, set_form, rows)
        if outcome is not None:
            return outcome
    return render(request, CONFIRMATIONS_TEMPLATE, table_context(period, place, rows, set_form=set_form))
