"""The confirmer's check of the evidence behind a "done" claim: accept it, or reject it with a reason.

A rejection takes the claim back. When the rejected item stands behind the commitment's claim in force (its latest
report, of "done" or "exceeded"), the commitment returns to in progress through a progress report the checker
makes, saying which evidence was rejected and why; the owner is told. An item of an older claim, since replaced by
a newer report, is only marked: the commitment stands on the newer report.

Who checks is the access module's answer (`access.can_check_evidence`: the programme's confirmer).
"""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes import access
from programmes.action_programmes.evidence import download_name
from programmes.action_programmes.notifications import in_portal_language, notify_each
from programmes.action_programmes.progress import report_takes_effect
from programmes.audit import audit_record, snapshot
from programmes.audit_actions import ProgrammeAction
from programmes.models import Commitment, Evidence, EvidenceReview, NotificationKind, ProgressReport, ProgressStatus

REVIEW_FIELDS = ("commitment", "progress_report", "review_state", "reviewed_by", "reviewed_at", "review_reason")
# The statuses a commitment "in progress" has; a rejection returns it to the last of them reported before the claim.
IN_PROGRESS = frozenset({ProgressStatus.ON_TRACK, ProgressStatus.AT_RISK})


def check_refusal(acting_user: User, evidence: Evidence) -> str | None:
    """Why `acting_user` may not accept or reject `evidence` now, or None when they may; the page asks it too."""
    if not access.can_check_evidence(acting_user, evidence):
        return _("Chỉ người xác nhận chương trình mới kiểm tra minh chứng của chương trình này.")
    if evidence.review_state != EvidenceReview.PENDING:
        return _("Minh chứng này không còn chờ kiểm tra.")
    return None


def _locked(evidence: Evidence, acting_user: User) -> Evidence:
    """The evidence re-read under locks (its commitment first, as the owner's report takes it), once it is certain
    that `acting_user` may check it now."""
    Commitment.objects.select_for_update().filter(pk=evidence.commitment_id).first()
    evidence = (
        Evidence.objects.select_for_update(of=("self",))
        .select_related("commitment__programme__owner__user", "commitment__programme__current_version")
        .get(pk=evidence.pk)
    )
    if not access.can_check_evidence(acting_user, evidence):
        raise PermissionDenied(check_refusal(acting_user, evidence))
    refusal = check_refusal(acting_user, evidence)
    if refusal is not None:
        raise ValidationError(refusal)
    return evidence


def _mark(evidence: Evidence, state: str, acting_user: User, reason: str = "") -> None:
    evidence.review_state = state
    evidence.reviewed_by = acting_user
    evidence.reviewed_at = timezone.now()
    evidence.review_reason = reason
    evidence.save(update_fields=["review_state", "reviewed_by", "reviewed_at", "review_reason"])


@transaction.atomic
def evidence_accept(*, evidence: Evidence, acting_user: User) -> Evidence:
    """The confirmer accepts one evidence item behind a "done" claim."""
    evidence = _locked(evidence, acting_user)
    before = snapshot(evidence, REVIEW_FIELDS)
    _mark(evidence, EvidenceReview.ACCEPTED, acting_user)
    audit_record(
        actor=acting_user,
        action=ProgrammeAction.EVIDENCE_ACCEPT,
        obj=evidence,
        before=before,
        after=snapshot(evidence, REVIEW_FIELDS),
    )
    return evidence


@transaction.atomic
def evidence_reject(*, evidence: Evidence, reason: str, acting_user: User) -> Evidence:
    """The confirmer rejects one evidence item, saying why; a claim in force that rested on it is taken back."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Hãy ghi lý do từ chối minh chứng, để người lập chương trình biết cần bổ sung gì.")}
        )
    evidence = _locked(evidence, acting_user)
    before = snapshot(evidence, REVIEW_FIELDS)
    _mark(evidence, EvidenceReview.REJECTED, acting_user, reason)
    returned = _take_claim_back(evidence, reason, acting_user)
    _notify_owner(evidence, reason, returned=returned is not None)
    audit_record(
        actor=acting_user,
        action=ProgrammeAction.EVIDENCE_REJECT,
        obj=evidence,
        before=before,
        after={**snapshot(evidence, REVIEW_FIELDS), "returned_by_report": returned.pk if returned else None},
    )
    return evidence


def _evidence_name(evidence: Evidence) -> str:
    return download_name(evidence) if evidence.file else evidence.link


def _take_claim_back(evidence: Evidence, reason: str, acting_user: User) -> ProgressReport | None:
    """Return the commitment to in progress when `evidence` stands behind its claim in force; the new report, if
    one was made."""
    commitment = evidence.commitment
    claim = evidence.progress_report
    latest = commitment.progress_reports.order_by("-reported_at", "-pk").first()
    if (
        claim is None
        or latest is None
        or latest.pk != claim.pk
        or commitment.status not in ProgressStatus.needing_evidence()
    ):
        return None
    before_claim = Q(reported_at__lt=claim.reported_at) | Q(reported_at=claim.reported_at, pk__lt=claim.pk)
    earlier = (
        commitment.progress_reports.filter(before_claim, status__in=sorted(IN_PROGRESS))
        .order_by("-reported_at", "-pk")
        .values_list("status", flat=True)
        .first()
    )
    # Written once for every reader of the programme: in the portal's language.
    with in_portal_language():
        note = _(
            "Minh chứng “%(name)s” bị người xác nhận từ chối: %(reason)s. "
            "Nội dung cam kết trở lại đang thực hiện cho đến khi có minh chứng được chấp nhận."
        ) % {"name": _evidence_name(evidence), "reason": reason}
    report = ProgressReport.objects.create(
        commitment=commitment,
        status=earlier or ProgressStatus.ON_TRACK,
        note=note,
        reported_by=acting_user,
    )
    report_takes_effect(commitment, report)
    return report


def _notify_owner(evidence: Evidence, reason: str, *, returned: bool) -> None:
    programme = evidence.commitment.programme
    owner_user = programme.owner.user
    if owner_user is None:
        return

    def text() -> tuple[str, str]:
        subject = _("Minh chứng bị từ chối: %(programme)s") % {"programme": programme.title}
        body = _("Người xác nhận đã từ chối minh chứng “%(name)s”. Lý do: %(reason)s") % {
            "name": _evidence_name(evidence),
            "reason": reason,
        }
        if returned:
            body += " " + _("Nội dung cam kết đã trở lại “đang thực hiện”; hãy báo cáo lại kèm minh chứng mới.")
        return subject, body

    detail = reverse("programmes:programme_detail", args=[programme.pk])
    notify_each(
        [owner_user],
        kind=NotificationKind.EVIDENCE_REJECTED,
        link=f"{detail}#cam-ket-{evidence.commitment_id}",
        text=text,
    )
