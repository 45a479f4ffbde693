"""The end of term (DOMAIN 7.1: in_progress ──close(result)──▶ closed): closing a confirmed programme, with a verdict
on each of its commitments, and the confirmer's end-of-term evaluation of those verdicts.

A programme closes when its term ends or its owner leaves the post it was for (the nightly sweep,
`close_ended_programmes`), or earlier when its confirmer closes it for a reason. Closing sets each commitment's
final verdict from its progress by one rule (`verdict_for`); the confirmer then reviews them, may change any with a
note, and records the conclusion (`record_end_of_term_evaluation`).
"""

import datetime
import logging
from collections.abc import Mapping
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes import access, summary_marks
from programmes.action_programmes.public_stamps import public_programme_changed
from programmes.action_programmes.services._common import VERSION_FIELDS, _audit_version, _notify_owner, _touch
from programmes.audit import audit_record, snapshot
from programmes.audit_actions import ProgrammeAction
from programmes.models import (
    ActionProgramme,
    ClosingReason,
    Commitment,
    CommitmentTerms,
    FinalVerdict,
    ProgrammeState,
    ProgrammeVersion,
    ProgressStatus,
    VersionState,
)
from programmes.models.action_programmes import PENDING_VERSION_STATES

logger = logging.getLogger(__name__)
# The nightly sweep's count of the programmes it could not close.
FAILED = "failed"
CLOSING_FIELDS = ("state", "closed_at", "closed_reason", "closed_note")
EVALUATION_FIELDS = ("final_conclusion", "evaluated_by", "evaluated_at")
# A target kept at its starting value has no direction: only reaching it exactly counts from the figures.
_LEVEL = 0


def _direction(terms: CommitmentTerms) -> int:
    """+1 when the target lies above the starting value, -1 below it, 0 when there is no direction to go."""
    if terms.target_value is None or terms.baseline_value is None:
        return 1
    if terms.target_value == terms.baseline_value:
        return _LEVEL
    return 1 if terms.target_value > terms.baseline_value else -1


def verdict_for(terms: CommitmentTerms, status: str, value_reached: Decimal | None) -> str:
    """The final verdict of a commitment from its progress: the one rule closing applies to every commitment.

    - exceeded: reported "vượt chỉ tiêu", or a value beyond the target (above it, or below it for a target that
      goes down);
    - met: reported done, or a value at the target;
    - partly: still in progress (on track or at risk), or a value between the starting value and the target;
    - not met: anything else (nothing reported, not started, dropped).
    """
    if status == ProgressStatus.EXCEEDED:
        return FinalVerdict.EXCEEDED
    target = terms.target_value
    if value_reached is not None and target is not None and not terms.is_deliverable:
        direction = _direction(terms)
        if direction and (value_reached - target) * direction > 0:
            return FinalVerdict.EXCEEDED
        if value_reached == target:
            return FinalVerdict.MET
    if status == ProgressStatus.DONE:
        return FinalVerdict.MET
    if status in (ProgressStatus.ON_TRACK, ProgressStatus.AT_RISK):
        return FinalVerdict.PARTLY
    if value_reached is not None and target is not None and not terms.is_deliverable:
        baseline = terms.baseline_value if terms.baseline_value is not None else Decimal(0)
        if (value_reached - baseline) * _direction(terms) > 0:
            return FinalVerdict.PARTLY
    return FinalVerdict.NOT_MET


def _terms_in_force(programme: ActionProgramme) -> list[CommitmentTerms]:
    if programme.current_version_id is None:
        return []
    return list(
        CommitmentTerms.objects.filter(version_id=programme.current_version_id)
        .select_related("commitment")
        .select_for_update(of=("self", "commitment"))
    )


def _require_confirmer(acting_user: User | None, programme: ActionProgramme) -> None:
    if acting_user is not None and not access.is_programme_confirmer(acting_user, programme):
        raise PermissionDenied(_("Chỉ người xác nhận chương trình mới được kết thúc hoặc đánh giá chương trình này."))


@transaction.atomic
def close_programme(
    acting_user: User | None, programme: ActionProgramme, reason: str, *, note: str = ""
) -> ActionProgramme:
    """Close a confirmed programme for `reason` (ClosingReason; "other" needs `note`), setting each commitment's
    final verdict from its progress (`verdict_for`). `acting_user` None is the nightly sweep; a person must be the
    programme's confirmer (`access.is_programme_confirmer`).

    An amendment not yet confirmed is withdrawn with it. Closing a closed programme again changes nothing and writes
    no second event, so the sweep may run twice.
    Only a confirmed programme closes: a draft, a submitted or a returned one has promised nothing yet (nothing
    was confirmed, so there is nothing to weigh the results against), and it stays as it is for its owner to
    withdraw or finish.
    """
    programme = (
        ActionProgramme.objects.select_for_update(of=("self",))
        .select_related("owner", "current_version")
        .get(pk=programme.pk)
    )
    _require_confirmer(acting_user, programme)
    if programme.state == ProgrammeState.CLOSED:
        return programme
    if programme.state != ProgrammeState.CONFIRMED:
        raise ValidationError(_("Chỉ chương trình đã được xác nhận, đang thực hiện mới kết thúc được."))
    if reason not in ClosingReason.values:
        raise ValidationError({"reason": _("Hãy chọn lý do kết thúc chương trình.")})
    note = note.strip()
    if reason == ClosingReason.OTHER and not note:
        raise ValidationError({"note": _("Với “Lý do khác”, hãy ghi rõ lý do kết thúc chương trình.")})
    before = snapshot(programme, CLOSING_FIELDS)
    items = _terms_in_force(programme)
    verdicts: dict[str, str] = {}
    commitments = []
    for terms in items:
        commitment = terms.commitment
        commitment.final_verdict = verdict_for(terms, commitment.status, commitment.value_reached)
        commitments.append(commitment)
        verdicts[str(commitment.reference)] = commitment.final_verdict
    Commitment.objects.bulk_update(commitments, ["final_verdict"])
    withdrawn = _withdraw_pending_amendment(acting_user, programme)
    programme.state = ProgrammeState.CLOSED
    programme.closed_at = timezone.now()
    programme.closed_reason = reason
    programme.closed_note = note
    _touch(programme, *CLOSING_FIELDS)
    public_programme_changed(programme.pk)
    # The owner no longer counts among the members with a programme in force.
    summary_marks.programme_changed(programme, owner_too=True)
    audit_record(
        actor=acting_user,
        action=ProgrammeAction.CLOSE,
        obj=programme,
        before=before,
        after={**snapshot(programme, CLOSING_FIELDS), "verdicts": verdicts},
    )
    reason_label = ClosingReason(reason).label
    _notify_owner(
        programme,
        lambda: (
            _("Chương trình đã kết thúc: %(title)s") % {"title": programme.title},
            _("Lý do: %(reason)s. Người xác nhận sẽ đánh giá kết quả thực hiện từng nội dung cam kết.")
            % {"reason": note or reason_label}
            + (_(" Bản điều chỉnh chưa được xác nhận đã được rút.") if withdrawn else ""),
        ),
    )
    return programme


def _withdraw_pending_amendment(acting_user: User | None, programme: ActionProgramme) -> bool:
    """Withdraw the amendment not yet confirmed (a draft or one awaiting confirmation), each with its audit event:
    confirmed after the close, it would put the programme back in force and its verdicts would be computed again."""
    pending = list(
        ProgrammeVersion.objects.select_for_update().filter(programme=programme, state__in=PENDING_VERSION_STATES)
    )
    for version in pending:
        before = snapshot(version, VERSION_FIELDS)
        version.state = VersionState.WITHDRAWN
        version.save(update_fields=["state"])
        _audit_version(acting_user, ProgrammeAction.WITHDRAW, version, before=before, because="programme_closed")
    return bool(pending)


@transaction.atomic
def record_end_of_term_evaluation(
    *,
    programme: ActionProgramme,
    conclusion: str,
    verdicts: Mapping[int, tuple[str, str]],
    acting_user: User,
) -> ActionProgramme:
    """The confirmer's end-of-term evaluation of a closed programme: the final verdict and note of each commitment
    (by commitment id; one left out keeps its verdict) and the conclusion. It may be recorded again, to correct."""
    programme = (
        ActionProgramme.objects.select_for_update(of=("self",))
        .select_related("owner", "current_version")
        .get(pk=programme.pk)
    )
    if not access.can_evaluate_programme(acting_user, programme):
        _require_confirmer(acting_user, programme)
        raise ValidationError(_("Chỉ đánh giá cuối nhiệm kỳ khi chương trình đã kết thúc."))
    conclusion = conclusion.strip()
    if not conclusion:
        raise ValidationError({"conclusion": _("Hãy ghi kết luận của người xác nhận về kết quả thực hiện.")})
    items = {terms.commitment_id: terms.commitment for terms in _terms_in_force(programme)}
    unknown = set(verdicts) - set(items)
    if unknown:
        raise ValidationError(_("Có nội dung cam kết không thuộc chương trình này."))
    before = {
        **snapshot(programme, EVALUATION_FIELDS),
        "verdicts": {str(c.reference): [c.final_verdict, c.final_note] for c in items.values()},
    }
    changed = []
    for commitment_id, (verdict, verdict_note) in verdicts.items():
        if verdict not in FinalVerdict.values:
            raise ValidationError(_("Kết quả cuối nhiệm kỳ không hợp lệ."))
        commitment = items[commitment_id]
        commitment.final_verdict = verdict
        commitment.final_note = verdict_note.strip()
        changed.append(commitment)
    Commitment.objects.bulk_update(changed, ["final_verdict", "final_note"])
    programme.final_conclusion = conclusion
    programme.evaluated_by = acting_user
    programme.evaluated_at = timezone.now()
    _touch(programme, *EVALUATION_FIELDS)
    public_programme_changed(programme.pk)
    audit_record(
        actor=acting_user,
        action=ProgrammeAction.EVALUATE,
        obj=programme,
        before=before,
        after={
            **snapshot(programme, EVALUATION_FIELDS),
            "verdicts": {str(c.reference): [c.final_verdict, c.final_note] for c in items.values()},
        },
    )
    _notify_owner(
        programme,
        lambda: (
            _("Đã có đánh giá cuối nhiệm kỳ: %(title)s") % {"title": programme.title},
            conclusion,
        ),
    )
    return programme


def ended_programmes(today: datetime.date) -> dict[int, str]:
    """The confirmed programmes to close on `today`, by id, each with its reason: the term ended before today,
    else the post it was for ended before today."""
    confirmed = ActionProgramme.objects.filter(state=ProgrammeState.CONFIRMED)
    found: dict[int, str] = dict.fromkeys(
        confirmed.filter(position__end_date__lt=today).values_list("pk", flat=True), ClosingReason.LEFT_POST
    )
    found.update(
        dict.fromkeys(confirmed.filter(term_end__lt=today).values_list("pk", flat=True), ClosingReason.TERM_ENDED)
    )
    return found


def close_ended_programmes(today: datetime.date | None = None) -> dict[str, int]:
    """Nightly: close every confirmed programme whose term or post has ended, each in its own transaction (those
    closed stay closed should one fail, and the rest are still closed; the next night tries the failed ones again).
    Returns the count per reason, and of those that failed."""
    today = today or timezone.localdate()
    counts = {reason.value: 0 for reason in ClosingReason} | {FAILED: 0}
    for pk, reason in sorted(ended_programmes(today).items()):
        programme = ActionProgramme.objects.filter(pk=pk, state=ProgrammeState.CONFIRMED).first()
        if programme is None:
            continue
        try:
            close_programme(None, programme, reason)
        except (ValidationError, DatabaseError) as error:
            # One programme that cannot close must not keep every programme after it open night after night. Its
            # id and the kind of error only: a message may quote the programme's content.
            logger.error("nightly close of programme %s failed: %s", pk, type(error).__name__)
            counts[FAILED] += 1
            continue
        counts[reason] += 1
    return counts
