"""The residence comment (Quy định 213-QĐ/TW): the residence cell's secretary's list of requests and their answer,
the workplace side's upload of a comment obtained outside the portal, and the scanned document's download.

The residence secretary reaches the request alone: the member's review, its inputs and programme stay 404 to them
(reviews.access). The services (reviews.services.residence) check and persist; these views only ask and show.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from programmes.files import extension_of, private_download
from programmes.models import ReadKind
from programmes.reads import read_record
from programmes.web import AuthenticatedRequest, call_service, paginate
from reviews import access, selectors, services
from reviews.models import ResidenceComment, ResidenceCommentChannel
from reviews.residence_forms import ANSWER_NONE, ResidenceAnswerForm, ResidenceUploadForm
from reviews.self_review_views import CONTENT_TYPES

REQUESTS_PER_PAGE = 50


@login_required
@require_GET
def residence_requests(request: AuthenticatedRequest) -> HttpResponse:
    """Every signed-in user may open the list: it holds the requests of the residence cells they answer for."""
    page, numbers = paginate(request, selectors.residence_requests(request.user), REQUESTS_PER_PAGE)
    context = {"page": page, "numbers": numbers, "today": timezone.localdate()}
    return render(request, "reviews/residence_requests.html", context)


def _answer(form: ResidenceAnswerForm, comment: ResidenceComment, user: Any) -> ResidenceComment | None:
    data = form.cleaned_data
    if data["answer"] == ANSWER_NONE:
        return call_service(
            form, services.residence_comment_decline, comment=comment, reason=data["reason"], acting_user=user
        )
    return call_service(
        form,
        services.residence_comment_record,
        comment=comment,
        text=data["text"],
        points=form.points(),
        document=data["document"],
        acting_user=user,
    )


@login_required
@require_http_methods(["GET", "POST"])
def residence_comment_record(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    comment = access.get_residence_request_for(request.user, pk)
    posted = request.method == "POST"
    form = ResidenceAnswerForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        answered = _answer(form, comment, access.acting(request.user))
        if answered is not None:
            messages.success(
                request,
                _("Đã gửi trả lời về đồng chí %(name)s cho chi bộ nơi công tác.")
                % {"name": comment.review.cadre.full_name},
            )
            return redirect("reviews:residence_requests")
    context = {
        "comment": comment,
        "form": form,
        "today": timezone.localdate(),
        "outside": comment.channel == ResidenceCommentChannel.OUTSIDE,
    }
    return render(request, "reviews/residence_comment_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def residence_comment_upload(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    comment = access.get_reviewed_residence_comment_for(request.user, pk)
    if not access.can_upload_residence_comment(request.user, comment):
        raise PermissionDenied(_("Bạn không được tải lên nhận xét nơi cư trú cho đảng viên này."))
    posted = request.method == "POST"
    form = ResidenceUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        data = form.cleaned_data
        uploaded = call_service(
            form,
            services.residence_comment_upload,
            comment=comment,
            source=data["source"],
            text=data["text"],
            points=form.points(),
            document=data["document"],
            acting_user=access.acting(request.user),
        )
        if uploaded is not None:
            messages.success(
                request,
                _("Đã ghi nhận xét nơi cư trú của đồng chí %(name)s.") % {"name": comment.review.cadre.full_name},
            )
            return redirect("reviews:review_detail", pk=comment.review_id)
    context = {"comment": comment, "review": comment.review, "form": form}
    return render(request, "reviews/residence_upload_form.html", context)


@login_required
@require_GET
def residence_comment_download(request: HttpRequest, pk: int) -> FileResponse:
    comment = access.get_residence_comment_for(request.user, pk)
    if not comment.document:
        raise Http404
    review = comment.review
    read_record(reader=request.user, kind=ReadKind.REVIEW_INPUT, subject=review.cadre, obj=comment, scope=review.cell)
    extension = extension_of(comment.document)
    return private_download(
        comment.document,
        filename=f"nhan-xet-noi-cu-tru-{comment.pk}{extension}",
        content_type=CONTENT_TYPES.get(extension, ""),
    )
