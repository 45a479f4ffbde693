"""The head's confirmation of a decision on concrete grounds; subject, proposer and confirmer are three
different people."""

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes import outbox
from programmes.models import Evidence, NotificationKind
from reviews import access as review_access
from reviews.audit_actions import ReviewAction
from reviews.models import Decision, DecisionState, Review, ReviewState
from reviews.services._common import _audit, _lock, _move, _tell


def confirm_refusal(review: Review, confirmer: User, *, heads: bool | None = None) -> str | None:
    """Why `confirmer` may not confirm this review's decision, or None.

    Subject, proposer and confirmer are three different people, and only the head of the deciding
    body confirms. Pages ask this before the head writes the grounds; decision_confirm enforces it.
    `heads` is review_access.heads_body for the deciding body when the caller already asked it (a table of
    a cell's decisions asks once per body); decision_confirm always asks afresh.
    """
    proposal = getattr(review, "proposal", None)
    subject_user_id = review.cadre.user_id
    if confirmer.pk == subject_user_id:
        return _("Không ai được tự xác nhận kết quả xếp loại của chính mình.")
    if proposal is not None and confirmer.pk == proposal.recorded_by_id:
        return _("Người ghi đề xuất của chi bộ không được đồng thời xác nhận kết quả; cần người đứng đầu khác.")
    if proposal is not None and proposal.recorded_by_id == subject_user_id:
        return _("Đề xuất do chính người được kiểm điểm ghi, không hợp lệ.")
    if heads is None:
        heads = review_access.can_confirm_decision(confirmer, review)
    if not heads:
        return _("Chỉ người đứng đầu cấp quyết định mới xác nhận kết quả.")
    return None


@transaction.atomic
def decision_confirm(
    *,
    decision: Decision,
    grounds: str,
    assessment_ids: Iterable[int] = (),
    evidence_ids: Iterable[int] = (),
    acting_user: User,
) -> Decision:
    """The head of the deciding body confirms on concrete grounds: a text plus the verdicts and evidence."""
    decision = Decision.objects.select_for_update().select_related("review").get(pk=decision.pk)
    review = _lock(decision.review)
    refusal = confirm_refusal(review, acting_user)
    if refusal is not None:
        raise PermissionDenied(refusal)
    if decision.state != DecisionState.AWAITING_CONFIRMATION:
        raise ValidationError(_("Quyết định này không ở trạng thái chờ xác nhận."))
    assessment_ids = list(assessment_ids)
    evidence_ids = list(evidence_ids)
    assessments = list(review.assessments.filter(pk__in=assessment_ids))
    evidence = list(Evidence.objects.filter(pk__in=evidence_ids, commitment__assessments__review=review).distinct())
    if len(assessments) != len(set(assessment_ids)) or len(evidence) != len(set(evidence_ids)):
        raise ValidationError(_("Căn cứ phải là nội dung cam kết và minh chứng của chính bản kiểm điểm này."))
    if not grounds.strip():
        raise ValidationError({"grounds": _("Hãy ghi căn cứ xác nhận.")})
    if review.assessments.exists() and not (assessments or evidence):
        raise ValidationError(
            {"grounds": _("Hãy chọn ít nhất một nội dung cam kết hoặc minh chứng làm căn cứ cụ thể.")}
        )
    decision.state = DecisionState.CONFIRMED
    decision.confirmed_by = acting_user
    decision.confirmed_at = timezone.now()
    decision.grounds = grounds.strip()
    decision.save(update_fields=["state", "confirmed_by", "confirmed_at", "grounds"])
    decision.grounds_assessments.set(assessments)
    decision.grounds_evidence.set(evidence)
    _move(review, ReviewState.FINAL, final_level=decision.level, final_at=decision.confirmed_at)
    _audit(
        acting_user,
        ReviewAction.CONFIRM,
        decision,
        review=review.pk,
        level=decision.level,
        grounds=decision.grounds,
        assessments=[item.pk for item in assessments],
        evidence=[item.pk for item in evidence],
    )
    # The individual evaluation report is produced as soon as the result stands (after the commit; a broker
    # that is away delays it, programmes.outbox).
    _queue_review_report(review.pk)
    subject = review.cadre.user
    _tell(
        acting_user,
        [subject] if subject is not None else [],
        NotificationKind.RESULT_CONFIRMED,
        review,
        lambda: (
            _("Kết quả xếp loại: %(level)s") % {"level": decision.get_level_display()},
            _("Đồng chí có thể kiến nghị trong %(days)s ngày.") % {"days": review.period.appeal_days},
        ),
    )
    return decision


def _queue_review_report(review_id: int) -> None:
    # By the task's name: the task modules import the services, never the reverse.
    outbox.enqueue("reviews.tasks.produce_review_report", review_id)
