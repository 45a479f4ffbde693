"""The member's bản kiểm điểm (write, check, submit), review prompts, and comments with their documents.

The edit page works with and without JavaScript. Saving is a form POST that redirects back to the page;
sent by htmx, the same POST answers with the "Kiểm tra trước khi nộp" panel only. The submit button
belongs to the same form and posts it to self_review_submit, which saves the draft first, so nothing
typed is lost; a refusal comes back on the edit page with the service's reasons.

With JavaScript (static/js/self_review_form.js) the same POST also comes in two quiet modes: "check", as the
member types, answers with the panel computed on the unsaved draft (the service's own checks, nothing written);
"autosave", every half minute and when a field is left, saves through the same service as an automatic save.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from programmes.action_programmes.evidence import JPEG, OLE, OOXML, OPENDOCUMENT, PDF, PNG, WEBP
from programmes.files import extension_of, private_download
from programmes.models import Evidence, ReadKind
from programmes.reads import read_record
from programmes.web import AuthenticatedRequest, add_service_error
from reviews import access as review_access
from reviews import presentation, rules, selectors, services
from reviews.consistency import consistency_flags
from reviews.models import CommitmentAssessment, Review, ReviewInput, ReviewState
from reviews.self_review_forms import (
    SERVICE_FIELDS,
    InputForm,
    PromptForm,
    SelfReviewForm,
    rule_set_summary,
)

# The edit form carries this field, so a POST to self_review_submit from it saves the draft first.
DRAFT_MARKER = "strengths"
# The quiet modes of the edit form's POST (the `mode` field the page's script adds).
CHECK_MODE, AUTOSAVE_MODE = "check", "autosave"
PANEL_TEMPLATE = "includes/review_self_check.html"
FORM_TEMPLATE = "includes/review_self_form.html"

CONTENT_TYPES = {
    extension: kind.content_type
    for kind in (PDF, PNG, JPEG, WEBP, *OOXML.values(), *OPENDOCUMENT.values(), *OLE.values())
    for extension in kind.extensions
}


def _detail_url(review: Review) -> str:
    return reverse("reviews:review_detail", args=[review.pk])


def _edit_url(review: Review) -> str:
    return reverse("reviews:self_review_edit", args=[review.pk])


def _go(request: AuthenticatedRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _own_review(request: HttpRequest, pk: int) -> Review:
    """The review if the user is its subject: 404 for those who may not read it, 403 for other readers."""
    review = review_access.get_review_for(request.user, pk)
    if not review_access.is_subject(request.user, review):
        raise PermissionDenied(_("Chỉ đảng viên được kiểm điểm mới viết bản kiểm điểm của mình."))
    return review


def _not_drafting(request: AuthenticatedRequest, review: Review) -> HttpResponse:
    messages.info(
        request,
        _("Bản kiểm điểm đang ở trạng thái “%(state)s”, không sửa hay nộp được nữa.")
        % {"state": review.get_state_display()},
    )
    return _go(request, _detail_url(review))


def _assessments(review: Review) -> list[CommitmentAssessment]:
    return list(
        review.assessments.select_related("commitment").prefetch_related(
            Prefetch("commitment__evidence", queryset=Evidence.objects.order_by("-uploaded_at", "-pk"))
        )
    )


def _form(review: Review, data: QueryDict | None = None) -> SelfReviewForm:
    """The form over the saved draft, each commitment with its flag if its saved verdict claims too much."""
    assessments = _assessments(review)
    return SelfReviewForm(
        data, review=review, assessments=assessments, flags=consistency_flags(assessments, judge="self")
    )


def _panel_context(
    review: Review,
    *,
    refused: list[str] | None = None,
    form: SelfReviewForm | None = None,
    conflicts: list[rules.Conflict] | None = None,
) -> dict[str, Any]:
    """The check panel; from the form's assessments and flags when the page has them already, or from the
    `conflicts` already found on the draft as typed."""
    if conflicts is None and form is not None:
        conflicts = services.self_review_conflicts(review, assessments=form.assessments, flags=form.flags)
    elif conflicts is None:
        conflicts = services.self_review_conflicts(review)
    rule_set = review.period.rule_set
    general, task = review.self_general_points, review.self_task_points
    total = general + task if rule_set.uses_points and general is not None and task is not None else None
    return {
        "review": review,
        "must_fix": [conflict.message for conflict in conflicts if conflict.blocking],
        "advice": [conflict.message for conflict in conflicts if not conflict.blocking],
        "points_total": total,
        "points_level": rules.level_for_points(rule_set, total).label if total is not None else "",
        "points_max": rule_set.general_points_max + rule_set.task_points_max,
        "refused": refused or [],
    }


def _draft_panel(request: AuthenticatedRequest, review: Review, form: SelfReviewForm, *, status: str) -> HttpResponse:
    """The check panel on the draft as typed, not saved: the form's own refusals (a mark out of range) first."""
    field_errors = [
        f"{form.fields[name].label}: {message}" if name in form.fields else str(message)
        for name, errors in form.errors.items()
        for message in errors
    ]
    conflicts = []
    if not field_errors:
        arguments = form.save_arguments()
        arguments.pop("form")
        conflicts = services.self_review_draft_conflicts(
            review=review, assessments=form.assessments, acting_user=review_access.acting(request.user), **arguments
        )
    context = _panel_context(review, form=form, conflicts=conflicts)
    context["must_fix"] = field_errors + context["must_fix"]
    context.update(live=True, oob_status=status)
    return render(request, PANEL_TEMPLATE, context)


def _quietly(request: AuthenticatedRequest, review: Review, mode: str) -> HttpResponse:
    """The page's own POSTs while the member writes: the live check, or the automatic save. Neither replaces
    the form the member is typing in; what could not be saved stays on screen until the next try."""
    form = _form(review, request.POST)
    if mode == CHECK_MODE:
        form.is_valid()
        return _draft_panel(request, review, form, status="")
    if not form.is_valid():
        return _draft_panel(
            request,
            review,
            form,
            status=_("Chưa tự động lưu được: còn ô chưa hợp lệ trong mục “Kiểm tra trước khi nộp”."),
        )
    try:
        saved = services.self_review_save(
            review=review, acting_user=review_access.acting(request.user), automatic=True, **form.save_arguments()
        )
    except (ValidationError, PermissionDenied) as error:
        return _draft_panel(request, review, form, status=" ".join(_messages_of(error)))
    status = _("Đã tự động lưu bản nháp lúc %(time)s.") % {"time": timezone.localtime().strftime("%H:%M")}
    return _panel(request, saved, status=status)


def _messages_of(error: ValidationError | PermissionDenied) -> list[str]:
    return error.messages if isinstance(error, ValidationError) else [str(error)]


def _panel(request: HttpRequest, review: Review, *, status: str, refused: list[str] | None = None) -> HttpResponse:
    """The check panel for htmx, with the status line swapped out of band into its live region."""
    context = _panel_context(review, refused=refused)
    context["oob_status"] = status
    return render(request, PANEL_TEMPLATE, context)


def _form_context(review: Review, form: SelfReviewForm) -> dict[str, Any]:
    return {
        "review": review,
        "form": form,
        "prompts": list(review.prompts.all()),
        # The member reads what the residence cell said of them (a member brings no comment in for themself).
        "residence_comment": selectors.residence_comment_of(review),
        "today": timezone.localdate(),
        "level_title": presentation.section_title("self_level"),
        "rule_summary": rule_set_summary(review.period.rule_set),
        "edit_url": _edit_url(review),
        "submit_url": reverse("reviews:self_review_submit", args=[review.pk]),
    }


def _page(
    request: HttpRequest, review: Review, form: SelfReviewForm, *, refused: list[str] | None = None
) -> HttpResponse:
    context = _panel_context(review, refused=refused, form=form)
    context.update(_form_context(review, form))
    return render(request, "reviews/self_review_form.html", context)


def _invalid(request: AuthenticatedRequest, review: Review, form: SelfReviewForm) -> HttpResponse:
    """The form with its errors: for htmx it replaces the form (the request aimed at the panel)."""
    if not request.htmx:
        return _page(request, review, form)
    response = render(request, FORM_TEMPLATE, _form_context(review, form))
    return reswap(retarget(response, "#self-review-form"), "outerHTML")


def _save(request: HttpRequest, review: Review, form: SelfReviewForm) -> Review | None:
    """Save the draft through the service; None when the form or the service refused it."""
    if not form.is_valid():
        return None
    try:
        return services.self_review_save(
            review=review, acting_user=review_access.acting(request.user), **form.save_arguments()
        )
    except (ValidationError, PermissionDenied) as error:
        add_service_error(form, error, SERVICE_FIELDS)
        return None


def _saved_message() -> str:
    return _("Đã lưu bản nháp lúc %(time)s.") % {"time": timezone.localtime().strftime("%H:%M")}


@login_required
@require_http_methods(["GET", "POST"])
def self_review_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    review = _own_review(request, pk)
    if review.state != ReviewState.SELF_DRAFTING:
        return _not_drafting(request, review)
    if request.method != "POST":
        return _page(request, review, _form(review))
    mode = request.POST.get("mode", "")
    if request.htmx and mode in (CHECK_MODE, AUTOSAVE_MODE):
        return _quietly(request, review, mode)
    form = _form(review, request.POST)
    saved = _save(request, review, form)
    if saved is None:
        return _invalid(request, review, form)
    if request.htmx:
        return _panel(request, saved, status=_saved_message())
    messages.success(request, _saved_message())
    return redirect(_edit_url(review))


@login_required
@require_POST
def self_review_submit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    review = _own_review(request, pk)
    if review.state != ReviewState.SELF_DRAFTING:
        return _not_drafting(request, review)
    # Sent from the edit form, the POST carries the draft: save it first so that what is on screen is submitted.
    if DRAFT_MARKER in request.POST:
        form = _form(review, request.POST)
        saved = _save(request, review, form)
        if saved is None:
            return _invalid(request, review, form)
        review = saved
    try:
        services.self_review_submit(review=review, acting_user=review_access.acting(request.user))
    except ValidationError as refusal:
        if request.htmx:
            return _panel(request, review, status=_("Bản kiểm điểm chưa nộp được."), refused=refusal.messages)
        # Read back what was saved, so the page shows the draft exactly as it now stands.
        review = review_access.get_review_for(request.user, pk)
        return _page(request, review, _form(review), refused=refusal.messages)
    messages.success(
        request,
        _("Đã nộp bản kiểm điểm. Chi bộ sẽ xem xét tại cuộc họp kiểm điểm; bản đã nộp không sửa được nữa."),
    )
    return _go(request, _detail_url(review))


# --- Prompts and comments ------------------------------------------------------------------------------------


def _review_to_add_to(request: HttpRequest, pk: int) -> Review:
    review = review_access.get_review_for(request.user, pk)
    if not review_access.can_add_prompt_or_input(request.user, review):
        raise PermissionDenied(_("Đồng chí không được gửi gợi ý hay thêm ý kiến nhận xét cho bản kiểm điểm này."))
    return review


@login_required
@require_http_methods(["GET", "POST"])
def prompt_add(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review_to_add_to(request, pk)
    form = PromptForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.prompt_add(
                review=review, text=form.cleaned_data["text"], acting_user=review_access.acting(request.user)
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error, SERVICE_FIELDS)
        else:
            messages.success(
                request,
                _("Đã gửi gợi ý kiểm điểm cho đồng chí %(name)s.") % {"name": review.cadre.full_name},
            )
            return redirect(_detail_url(review))
    context = {"review": review, "form": form, "prompts": list(review.prompts.all())}
    return render(request, "reviews/prompt_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def input_add(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review_to_add_to(request, pk)
    posted = request.method == "POST"
    form = InputForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            services.input_add(
                review=review,
                source=data["source"],
                author=data["author"],
                text=data["text"],
                document=data["document"],
                received_on=data["received_on"],
                acting_user=review_access.acting(request.user),
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error, SERVICE_FIELDS)
        else:
            messages.success(
                request,
                _("Đã thêm ý kiến nhận xét vào bản kiểm điểm của đồng chí %(name)s.")
                % {"name": review.cadre.full_name},
            )
            return redirect(_detail_url(review))
    return render(request, "reviews/input_form.html", {"review": review, "form": form})


@login_required
@require_GET
def input_download(request: HttpRequest, pk: int) -> FileResponse:
    entry = ReviewInput.objects.select_related("review__cadre", "review__place", "review__cell").filter(pk=pk).first()
    # 404 whether the comment does not exist or may not be read: its existence is itself private.
    if entry is None or not review_access.can_view_review(request.user, entry.review) or not entry.document:
        raise Http404
    extension = extension_of(entry.document)
    review = entry.review
    read_record(reader=request.user, kind=ReadKind.REVIEW_INPUT, subject=review.cadre, obj=entry, scope=review.cell)
    return private_download(
        entry.document,
        filename=f"nhan-xet-{entry.pk}{extension}",
        content_type=CONTENT_TYPES.get(extension, ""),
    )
