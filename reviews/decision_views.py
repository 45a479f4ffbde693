"""The deciding committee's pages: the decision (with the quota of Excellent ratings), the return to the cell,
the head's confirmation on concrete grounds, the member's appeal (one per result) and its resolution by the
committee above the body whose result is contested, and the superior committee's re-classification.

Every page shows the review's essentials first (who, where, what the cell proposed and how it judged each
commitment), then its form. Who may act is asked of reviews.access before the form is shown; the service
asks again and decides. A refusal is a 403 page that says why, in the service's words.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from programmes.models import Evidence
from programmes.web import AuthenticatedRequest, refusal_page
from reviews import access, rules, selectors, services
from reviews.consistency import ConsistencyFlag, acknowledgement_field, consistency_flags
from reviews.decision_forms import (
    AppealForm,
    AppealResolveForm,
    DecisionConfirmForm,
    DecisionForm,
    DecisionReturnForm,
    ReclassifyForm,
)
from reviews.models import (
    Appeal,
    AppealState,
    CellProposal,
    CommitmentAssessment,
    Decision,
    DecisionState,
    RatingLevel,
    Review,
    ReviewState,
)

QUOTA_TEMPLATE = "includes/review_decision_quota.html"


# --- What every page shows and how it refuses ----------------------------------------------------------------


def _proposal(review: Review) -> CellProposal | None:
    return CellProposal.objects.select_related("meeting", "recorded_by__cadre").filter(review=review).first()


@dataclass(frozen=True)
class VerdictRow:
    assessment: CommitmentAssessment
    # Set when the cell's verdict claims more than the commitment's recorded progress.
    flag: ConsistencyFlag | None


def _essentials(review: Review, proposal: CellProposal | None) -> dict[str, Any]:
    """What every page of the committee shows first; the cell's verdicts with their flags (a fixed few queries)."""
    assessments = list(review.assessments.select_related("commitment"))
    flags = consistency_flags(assessments, judge="cell")
    flagged = {flag.assessment.pk: flag for flag in flags}
    return {
        "review": review,
        "proposal": proposal,
        "assessments": assessments,
        "flags": flags,
        "verdict_rows": [VerdictRow(assessment, flagged.get(assessment.pk)) for assessment in assessments],
        # The committee reads what the residence cell said, as the cell did; it brings nothing in from outside.
        "residence_comment": selectors.residence_comment_of(review),
        "today": timezone.localdate(),
    }


def _refuse(request: HttpRequest, template: str, review: Review, message: str) -> HttpResponse:
    return refusal_page(request, template, message, review=review)


def _not_now(request: HttpRequest, review: Review) -> HttpResponse:
    """The step does not apply in the review's state (already decided, not yet proposed…): say so on its page."""
    messages.error(
        request,
        _("Bước này không làm được khi bản kiểm điểm đang ở trạng thái “%(state)s”.")
        % {"state": review.get_state_display()},
    )
    return redirect("reviews:review_detail", pk=review.pk)


def _posted(request: HttpRequest) -> QueryDict | None:
    """The submitted data, even when empty (an empty submission is still one, and gets its errors)."""
    return request.POST if request.method == "POST" else None


def _done(request: HttpRequest, review: Review, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("reviews:review_detail", pk=review.pk)


Saved = TypeVar("Saved", covariant=True)
# What a step's service saved, as a step's page hands it on.
Outcome = TypeVar("Outcome")


class StepForm(Protocol[Saved]):
    """A committee step's form: it validates what was sent, and its submit runs the step's service."""

    @property
    def is_bound(self) -> bool: ...

    def is_valid(self) -> bool: ...

    def submit(self, *, acting_user: User) -> Saved | None: ...


def _submitted(
    request: AuthenticatedRequest,
    template: str,
    review: Review,
    form: StepForm[Saved],
    done: Callable[[Saved], str],
) -> HttpResponse | None:
    """What a submission of the step's form leads to: once the service has run, back to the review with `done`'s
    words; when the service refuses, its 403 page in the service's words. None when the page is to be shown (the
    form was not sent, or comes back with its errors)."""
    if not form.is_bound:
        return None
    try:
        if form.is_valid() and (saved := form.submit(acting_user=request.user)):
            return _done(request, review, done(saved))
    except PermissionDenied as refusal:
        return _refuse(request, template, review, str(refusal))
    return None


def _step_page(
    request: AuthenticatedRequest,
    template: str,
    review: Review,
    form: StepForm[Saved],
    done: Callable[[Saved], str],
    context: Callable[[], dict[str, Any]] = dict,
) -> HttpResponse:
    """A step's page once the user may take it now: the submission's outcome, else the review's essentials, the
    form and what `context` adds (asked only when the page is shown)."""
    outcome = _submitted(request, template, review, form, done)
    if outcome is not None:
        return outcome
    return render(request, template, _essentials(review, _proposal(review)) | {"form": form} | context())


def _review_step(
    request: AuthenticatedRequest,
    pk: int,
    template: str,
    *,
    may_act: Callable[[User, Review], bool],
    refusal: str,
    states: Collection[str],
    form: Callable[[Review], StepForm[Outcome]],
    done: Callable[[Review, Outcome], str],
    context: Callable[[Review], dict[str, Any]],
) -> HttpResponse:
    """A step on one review that a rule of access and the review's state allow: the step's refusal to a user
    `may_act` turns down, "not now" when the review is in none of `states`, else the step's page (`_step_page`)."""
    review = access.get_review_for(request.user, pk)
    if not may_act(request.user, review):
        return _refuse(request, template, review, refusal)
    if review.state not in states:
        return _not_now(request, review)
    return _step_page(
        request, template, review, form(review), lambda saved: done(review, saved), lambda: context(review)
    )


# --- The decision --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuotaBox:
    """The deciding organisation's Excellent decisions so far, and the quota with this review at `level`."""

    organisation: str
    level: RatingLevel
    decision: rules.DecisionQuota

    @property
    def status(self) -> rules.QuotaStatus:
        return self.decision.after


def _quota_box(review: Review, level: str) -> QuotaBox:
    return QuotaBox(
        organisation=review.deciding_organisation.name,
        level=RatingLevel(level),
        decision=services.decision_quota(review, level),
    )


def _decision_form(
    request: AuthenticatedRequest, review: Review, proposal: CellProposal, flags: list[ConsistencyFlag]
) -> DecisionForm:
    """Bound to a real submission; otherwise showing what was chosen (a quota check or an htmx refresh)."""
    if request.method == "POST" and request.POST.get("action") != "check":
        return DecisionForm(request.POST, review=review, proposal=proposal, flags=flags)
    # Without JavaScript, "check the quota" posts the form back: it is shown again for the level chosen,
    # nothing saved. With htmx, changing the level asks for the quota box alone with ?level=.
    sent = request.POST if request.method == "POST" else request.GET
    typed = [*DecisionForm.base_fields, "general_points", "task_points"]
    typed += [acknowledgement_field(flag.assessment.pk) for flag in flags]
    initial = {name: sent[name] for name in typed if name in sent}
    return DecisionForm(initial=initial, review=review, proposal=proposal, flags=flags)


@login_required
@require_http_methods(["GET", "POST"])
def decision_make(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    template = "reviews/decision_form.html"
    review = access.get_review_for(request.user, pk)
    if not access.can_decide(request.user, review):
        return _refuse(request, template, review, _("Đồng chí không thuộc cấp ủy có thẩm quyền quyết định."))
    proposal = _proposal(review)
    if review.state != ReviewState.CELL_PROPOSED or proposal is None:
        return _not_now(request, review)
    essentials = _essentials(review, proposal)
    form = _decision_form(request, review, proposal, essentials["flags"])
    outcome = _submitted(
        request,
        template,
        review,
        form,
        lambda decision: (
            _("Đã quyết định mức “%(level)s” cho đồng chí %(name)s; chờ người đứng đầu xác nhận.")
            % {"level": decision.get_level_display(), "name": review.cadre.full_name}
        ),
    )
    if outcome is not None:
        return outcome
    quota = _quota_box(review, form.chosen_level())
    if request.htmx and request.method == "GET":
        return render(request, QUOTA_TEMPLATE, {"form": form, "quota": quota})
    context = essentials | {"form": form, "quota": quota}
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def decision_return(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _review_step(
        request,
        pk,
        "reviews/decision_return_form.html",
        may_act=access.can_decide,
        refusal=_("Đồng chí không thuộc cấp ủy có thẩm quyền quyết định."),
        states=(ReviewState.CELL_PROPOSED, ReviewState.DECIDED),
        form=lambda review: DecisionReturnForm(_posted(request), review=review),
        done=lambda review, _returned: (
            _("Đã trả lại %(cell)s đề xuất về đồng chí %(name)s để ghi lại.")
            % {"cell": review.cell.name, "name": review.cadre.full_name}
        ),
        context=lambda review: {"pending": _pending_decision(review)},
    )


# --- The head's confirmation ---------------------------------------------------------------------------------


def _pending_decision(review: Review) -> Decision | None:
    return (
        review.decisions.filter(state=DecisionState.AWAITING_CONFIRMATION).select_related("decided_by__cadre").first()
    )


def _evidence_of(review: Review) -> QuerySet[Evidence]:
    """The evidence of the review's commitments, which the head may cite."""
    return (
        Evidence.objects.filter(commitment__assessments__review=review)
        .distinct()
        .order_by("commitment__assessments__position", "uploaded_at", "pk")
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_confirm(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    template = "reviews/decision_confirm_form.html"
    review = access.get_review_for(request.user, pk)
    refusal = services.confirm_refusal(review, request.user)
    if refusal is not None:
        return _refuse(request, template, review, refusal)
    decision = _pending_decision(review)
    if review.state != ReviewState.DECIDED or decision is None:
        return _not_now(request, review)
    evidence = _evidence_of(review)
    return _step_page(
        request,
        template,
        review,
        DecisionConfirmForm(
            _posted(request), decision=decision, assessments=review.assessments.all(), evidence=evidence
        ),
        lambda _confirmed: (
            _("Đã xác nhận kết quả “%(level)s” của đồng chí %(name)s; đồng chí được báo kết quả.")
            % {"level": decision.get_level_display(), "name": review.cadre.full_name}
        ),
        lambda: {"pending": decision, "has_evidence": evidence.exists()},
    )


# --- Appeals -------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def appeal_file(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _review_step(
        request,
        pk,
        "reviews/appeal_form.html",
        may_act=access.is_subject,
        refusal=_("Chỉ người được kiểm điểm mới kiến nghị."),
        states=(ReviewState.FINAL,),
        form=lambda review: AppealForm(_posted(request), review=review),
        done=lambda _review, _appeal: _("Đã gửi kiến nghị; cấp ủy có thẩm quyền sẽ xem xét và trả lời đồng chí."),
        context=_appeal_context,
    )


def _appeal_context(review: Review) -> dict[str, Any]:
    """What the member appeals against, to whom, by when, and why an appeal may no longer be filed."""
    change = services.current_change(review)
    addressee = access.appeal_addressee(review, change)
    return {
        "deadline": services.appeal_deadline(review),
        "appeal_refusal": services.appeal_refusal(review, change, addressee),
        "contested_change": change,
        "contested_body": access.result_body(review, change),
        "addressee": addressee,
    }


def _get_appeal_for(user: User, pk: int) -> Appeal:
    """The appeal, if its review is one `user` may read (404 otherwise, as for the review itself)."""
    appeal = (
        Appeal.objects.select_related("filed_by__cadre", "contested_change__organisation", "resolving_organisation")
        .filter(pk=pk)
        .first()
    )
    if appeal is None:
        raise Http404
    appeal.review = access.get_review_for(user, appeal.review_id)
    return appeal


@login_required
@require_http_methods(["GET", "POST"])
def appeal_resolve(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    template = "reviews/appeal_resolve_form.html"
    appeal = _get_appeal_for(request.user, pk)
    review = appeal.review
    if not access.can_resolve_appeal(request.user, appeal):
        return _refuse(
            request,
            template,
            review,
            _("Kiến nghị này do %(body)s giải quyết; đồng chí không có thẩm quyền giải quyết.")
            % {"body": appeal.resolving_organisation.name},
        )
    if appeal.state != AppealState.PENDING:
        messages.error(request, _("Kiến nghị này đã được giải quyết."))
        return redirect("reviews:review_detail", pk=review.pk)
    return _step_page(
        request,
        template,
        review,
        AppealResolveForm(_posted(request), appeal=appeal, review=review),
        lambda resolved: (
            _("Đã giải quyết kiến nghị của đồng chí %(name)s: %(outcome)s.")
            % {"name": review.cadre.full_name, "outcome": resolved.get_state_display()}
        ),
        lambda: {"appeal": appeal},
    )


# --- Re-classification by the superior committee -------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def review_reclassify(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _review_step(
        request,
        pk,
        "reviews/reclassify_form.html",
        may_act=access.can_reclassify,
        refusal=_("Chỉ cấp ủy cấp trên mới xếp loại lại."),
        states=(ReviewState.FINAL,),
        form=lambda review: ReclassifyForm(_posted(request), review=review),
        done=lambda review, change: (
            _("Đã xếp loại lại đồng chí %(name)s: “%(level)s”.")
            % {"name": review.cadre.full_name, "level": change.get_to_level_display()}
        ),
        context=lambda review: {"changes": list(review.level_changes.select_related("changed_by__cadre"))},
    )
