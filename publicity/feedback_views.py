"""Citizen feedback: the public form and the tracking page; the oversight body's queue and case; the cadre's reply.

The public feedback pages are never cached and never indexed: the form carries a CSRF token and a fresh
question, and a case page is for whoever holds its code.
"""

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from programmes import access as programme_access
from programmes.action_programmes import numbering
from programmes.export_views import export_response
from programmes.middleware import client_address
from programmes.search import filter_parameters
from programmes.web import AuthenticatedRequest, add_service_error, paginate
from publicity import access, case_decisions, feedback, queue, selectors
from publicity.feedback_forms import (
    AnswerForm,
    FeedbackForm,
    ForwardForm,
    QueueFilterForm,
    RejectForm,
    ReplyForm,
    TrackingForm,
)
from publicity.models import FeedbackCase, FeedbackContact

CASES_PER_PAGE = 25
View = Callable[..., HttpResponseBase]


def private_page(view: View) -> View:
    """Not cached anywhere and not indexed by search engines."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped


def _user(request: HttpRequest) -> User:
    """The signed-in account; every view that asks is behind login_required."""
    return cast(User, request.user)


# --- The citizen -----------------------------------------------------------------------------------------------


@private_page
@require_http_methods(["GET", "POST"])
def feedback_new(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.public_programme(pk)
    terms = numbering.document_order(selectors.public_terms().filter(version=programme.current_version_id))
    commitments = {item.commitment_id: item.commitment for item in terms}
    initial = {}
    if request.GET.get("cam_ket", "").isdigit() and int(request.GET["cam_ket"]) in commitments:
        initial["commitment"] = int(request.GET["cam_ket"])
    numbers = numbering.commitment_numbers(terms)
    form = FeedbackForm(request.POST or None, terms=terms, numbers=numbers, initial=initial)
    status = 200 if not form.is_bound else 400
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            case = feedback.feedback_submit(
                programme=programme,
                commitment=commitments.get(data["commitment"]) if data["commitment"] else None,
                kind=data["kind"],
                text=data["text"],
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                source_address=client_address(request),
                submission_key=data["submission_key"],
            )
        except ValidationError as error:
            add_service_error(form, error)
            status = 429 if isinstance(error, feedback.FeedbackThrottled) else 400
        else:
            request.session["feedback_sent"] = case.tracking_code
            return redirect("publicity:track_case", code=case.tracking_code)
    context = {"programme": programme, "form": form}
    return render(request, "publicity/feedback_new.html", context, status=status)


@private_page
@require_safe
def track(request: HttpRequest) -> HttpResponse:
    form = TrackingForm(request.GET or None)
    if form.is_bound and form.is_valid():
        if feedback.case_by_code(form.cleaned_data["ma"]) is not None:
            return redirect("publicity:track_case", code=form.cleaned_data["ma"])
        form.add_error("ma", _("Không tìm thấy góp ý, phản ánh nào có mã này. Hãy kiểm tra lại từng ký tự."))
    return render(request, "publicity/feedback_track.html", {"form": form})


@private_page
@require_safe
def track_case(request: HttpRequest, code: str) -> HttpResponse:
    case = feedback.case_by_code(code)
    if case is None:
        raise Http404
    just_sent = request.session.pop("feedback_sent", None) == case.tracking_code if request.session else False
    # Whoever holds the code reads the case; the programme it is about only while it is still published.
    still_public = selectors.public_programmes().filter(pk=case.programme_id).exists()
    context = {
        "case": case,
        "just_sent": just_sent,
        "still_public": still_public,
        "withdrawn": not still_public,
        "commitment_statement": feedback.commitment_statement(case, public=True) if still_public else "",
    }
    return render(request, "publicity/feedback_case.html", context)


# --- The oversight body ----------------------------------------------------------------------------------------


def _require_overseer(request: HttpRequest) -> User:
    user = _user(request)
    if not access.is_overseer(user):
        raise PermissionDenied
    return user


@private_page
@login_required
@require_safe
def oversight_queue(request: HttpRequest) -> HttpResponse:
    user = _require_overseer(request)
    form = QueueFilterForm(request.GET or None, user=user)
    filters = form.filters()
    shown = filters.pop("loc", "") or "open"
    page, page_numbers = paginate(request, queue.oversight_queue(user, shown, filters), CASES_PER_PAGE)
    context = {
        "form": form,
        "may_export": access.can_export_cases(user),
        "searched": bool(filters),
        "shown": shown,
        "page": page,
        "page_numbers": page_numbers,
        "today": timezone.localdate(),
    }
    return render(request, "publicity/oversight_queue.html", context)


def _statement_for_handler(user: User, case: FeedbackCase) -> str:
    """The wording of the commitment the case is about, while the handler may still read it: once the owner caps
    it below the Front and the People's Council, or takes the programme back inside the party, it is not quoted."""
    if case.commitment is None:
        return ""
    programme = case.programme
    if not programme_access.can_view_programme(user, programme):
        return ""
    if not programme_access.commitment_reading(user, programme).shows(case.commitment):
        return ""
    return feedback.commitment_statement(case)


def _case_context(
    user: User, case: FeedbackCase, query: Mapping[str, str], refused: Form | None = None, refused_name: str = ""
) -> dict[str, Any]:
    """The case, and the form of the one decision chosen (`case_decisions`): the refused one again with its errors."""
    chosen = case_decisions.chosen_decision(case, query, refused_name)
    forms: dict[str, Form | None] = {"reject_form": None, "forward_form": None, "answer_form": None}
    if chosen is not None and chosen.form_name:
        forms[chosen.form_name] = refused if refused is not None else _blank_form(chosen.form_name, case)
    return {
        "case": case,
        "contact": FeedbackContact.objects.filter(case=case).first(),
        "commitment_statement": _statement_for_handler(user, case),
        "decisions": case_decisions.open_decisions(case),
        "chosen": chosen,
        "choice_parameter": case_decisions.CHOICE_PARAMETER,
        "accept_possible": chosen is case_decisions.ACCEPT,
        **forms,
    }


def _blank_form(form_name: str, case: FeedbackCase) -> Form:
    # Each form keeps its prefix, so that a field's id says which decision it belongs to.
    if form_name == "forward_form":
        return ForwardForm(prefix="forward", committees=feedback.managing_committees(case))
    if form_name == "answer_form":
        return AnswerForm(prefix="answer")
    return RejectForm(prefix="reject")


@private_page
@login_required
@require_safe
def oversight_queue_export(request: HttpRequest) -> HttpResponseBase:
    """The queue's cases, in the tab and with the search on screen, as a spreadsheet (publicity.exports)."""
    return export_response(cast(AuthenticatedRequest, request), "feedback_cases", filter_parameters(request.GET))


@private_page
@login_required
@require_safe
def oversight_case(request: HttpRequest, pk: int) -> HttpResponse:
    case = access.get_case_for(_user(request), pk)
    return render(request, "publicity/oversight_case.html", _case_context(_user(request), case, request.GET))


def _case_step(
    form_name: str, build: Callable[[HttpRequest, FeedbackCase], Form], run: Callable[..., FeedbackCase], done: str
) -> View:
    """A POST that runs one service with a form's data; on refusal the case page shows the form again."""

    @private_page
    @login_required
    @require_POST
    def step(request: HttpRequest, pk: int) -> HttpResponse:
        user = _user(request)
        case = access.get_case_for(user, pk)
        form = build(request, case)
        if form.is_valid():
            try:
                run(case=case, acting_user=user, **form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, done)
                return redirect("oversight:case", pk=case.pk)
        context = _case_context(user, case, request.GET, refused=form, refused_name=form_name)
        return render(request, "publicity/oversight_case.html", context, status=400)

    return step


@private_page
@login_required
@require_POST
def oversight_accept(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = access.get_case_for(user, pk)
    try:
        feedback.case_accept(case=case, acting_user=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã tiếp nhận. Cán bộ được thông báo và có thể gửi ý kiến."))
    return redirect("oversight:case", pk=case.pk)


oversight_reject = _case_step(
    "reject_form",
    lambda request, case: RejectForm(request.POST, prefix="reject"),
    feedback.case_reject,
    _("Đã ghi không tiếp nhận; người gửi xem được lý do bằng mã tra cứu."),
)
oversight_forward = _case_step(
    "forward_form",
    lambda request, case: ForwardForm(request.POST, prefix="forward", committees=feedback.managing_committees(case)),
    feedback.case_forward,
    _("Đã chuyển cấp ủy xác minh."),
)
oversight_answer = _case_step(
    "answer_form",
    lambda request, case: AnswerForm(request.POST, prefix="answer"),
    feedback.case_answer,
    _("Đã ghi kết quả; người gửi xem được trả lời bằng mã tra cứu."),
)


# --- The cadre -------------------------------------------------------------------------------------------------


@private_page
@login_required
@require_safe
def owner_cases(request: HttpRequest) -> HttpResponse:
    """The People's feedback on the user's own programmes, once the oversight body has accepted it."""
    cases = access.cases_for_owner(_user(request)).select_related("programme", "area").order_by("-submitted_at", "-pk")
    page, page_numbers = paginate(request, cases, CASES_PER_PAGE)
    context = {"page": page, "page_numbers": page_numbers}
    return render(request, "publicity/owner_cases.html", context)


@private_page
@login_required
@require_http_methods(["GET", "POST"])
def owner_case(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = access.cases_for_owner(user).select_related("programme__owner", "commitment", "area").filter(pk=pk).first()
    if case is None:
        raise Http404
    form = ReplyForm(request.POST or None) if access.can_reply_as_owner(user, case) else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                feedback.case_reply(case=case, text=form.cleaned_data["text"], acting_user=user)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Đã gửi ý kiến của đồng chí tới %(body)s.") % {"body": case.addressee})
                return redirect("oversight:owner_case", pk=case.pk)
    context = {"case": case, "form": form, "commitment_statement": feedback.commitment_statement(case)}
    return render(request, "publicity/owner_case.html", context)
