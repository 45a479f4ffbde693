"""The end of term on the confirmer's side: closing a programme early (“Kết thúc chương trình”), the evaluation of a
closed one (“Đánh giá cuối nhiệm kỳ”), and its printed report. Another ward's people never find the programme
(404, access.get_programme_for); a reader who is not its confirmer is told why (403)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from programmes import access
from programmes.action_programmes.closing_forms import ClosingForm, EvaluationForm
from programmes.action_programmes.services import close_programme, record_end_of_term_evaluation
from programmes.documents import render_pdf
from programmes.evaluation_document import (
    closing_reason_text,
    evaluation_document_context,
    evaluation_rows,
    in_force_terms,
)
from programmes.models import ActionProgramme, ProgrammeState
from programmes.web import AuthenticatedRequest, call_service, refusal_page


def _not_confirmer(request: AuthenticatedRequest, template: str, programme: ActionProgramme) -> HttpResponse:
    return refusal_page(
        request,
        template,
        _("Chỉ người xác nhận chương trình mới được kết thúc hoặc đánh giá chương trình này."),
        programme=programme,
    )


@login_required
@require_http_methods(["GET", "POST"])
def programme_close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The confirmer closes a programme in force before its term ends, with a reason."""
    programme = access.get_programme_for(request.user, pk)
    template = "programmes/programme_close.html"
    if programme.state == ProgrammeState.CLOSED:
        messages.info(request, _("Chương trình này đã kết thúc."))
        return redirect("programmes:programme_detail", programme.pk)
    if not access.can_close_programme(request.user, programme):
        return _not_confirmer(request, template, programme)
    form = ClosingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        closed = call_service(
            form,
            close_programme,
            acting_user=request.user,
            programme=programme,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )
        if closed is not None:
            messages.success(
                request, _("Đã kết thúc chương trình. Đồng chí hãy đánh giá kết quả thực hiện từng nội dung cam kết.")
            )
            return redirect("programmes:programme_evaluation", programme.pk)
    return render(request, template, {"programme": programme, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def programme_evaluation(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The confirmer reviews each commitment of a closed programme, may change its verdict, and concludes."""
    programme = access.get_programme_for(request.user, pk)
    template = "programmes/programme_evaluation.html"
    if not access.can_evaluate_programme(request.user, programme):
        return _not_confirmer(request, template, programme)
    rows = evaluation_rows(programme, in_force_terms(programme))
    form = EvaluationForm(
        request.POST if request.method == "POST" else None,
        rows=rows,
        initial={"conclusion": programme.final_conclusion},
    )
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            record_end_of_term_evaluation,
            programme=programme,
            conclusion=form.cleaned_data["conclusion"],
            verdicts=form.verdicts(),
            acting_user=request.user,
        )
        if done is not None:
            messages.success(request, _("Đã ghi đánh giá cuối nhiệm kỳ; người lập chương trình đã được thông báo."))
            return redirect("programmes:programme_detail", programme.pk)
    context = {"programme": programme, "form": form, "closed_reason": closing_reason_text(programme)}
    return render(request, template, context)


@login_required
@require_GET
def evaluation_pdf(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """“Báo cáo kết quả thực hiện chương trình hành động”, for whoever reads the closed programme: only the
    commitments this reader may read, as on the page."""
    programme = access.get_programme_for(request.user, pk)
    if programme.state != ProgrammeState.CLOSED:
        return redirect("programmes:programme_detail", programme.pk)
    terms = access.commitment_reading(request.user, programme).terms(in_force_terms(programme))
    judgement = access.reads_end_of_term_judgement(request.user, programme)
    context = evaluation_document_context(programme, terms, with_judgement=judgement)
    pdf = render_pdf("reports/programme_evaluation.html", context)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="ket-qua-thuc-hien-{programme.pk}.pdf"'
    patch_cache_control(response, private=True, no_cache=True)
    return response
