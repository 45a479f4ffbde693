"""The cell's meeting and its proposal of a level, with the quota the proposal is warned of."""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.action_programmes.evidence import check_upload
from programmes.models import PartyOrganisation
from reviews import access as review_access
from reviews import quota, rules
from reviews.audit_actions import ReviewAction
from reviews.models import CellMeeting, CellProposal, ConsistencyNote, RatingLevel, Review, ReviewPeriod, ReviewState
from reviews.services._common import (
    Acknowledgements,
    Verdicts,
    _audit,
    _counted,
    _lock,
    _require,
    _require_state,
)
from reviews.services._verdicts import _acknowledge, _check_level_and_verdicts, _set_verdicts


@transaction.atomic
def meeting_record(
    *,
    period: ReviewPeriod,
    cell: PartyOrganisation,
    held_on: datetime.date,
    members_total: int,
    members_present: int,
    chaired_by: str,
    minutes: str = "",
    minutes_file: UploadedFile[bytes] | None = None,
    acting_user: User,
) -> CellMeeting:
    _require(review_access.can_record_meeting(acting_user, cell), _("Chỉ bí thư, phó bí thư mới ghi cuộc họp này."))
    if members_present > members_total:
        raise ValidationError({"members_present": _("Số dự họp không thể lớn hơn tổng số đảng viên.")})
    if not minutes.strip() and minutes_file is None:
        raise ValidationError({"minutes": _("Hãy viết biên bản hoặc tải tệp biên bản lên.")})
    meeting = CellMeeting(
        period=period,
        cell=cell,
        held_on=held_on,
        members_total=members_total,
        members_present=members_present,
        chaired_by=chaired_by.strip(),
        minutes=minutes.strip(),
        recorded_by=acting_user,
    )
    if minutes_file is not None:
        checked = check_upload(minutes_file)
        meeting.minutes_sha256 = checked.sha256
        meeting.minutes_file.save(checked.storage_name, minutes_file, save=False)
    meeting.save()
    _audit(
        acting_user,
        ReviewAction.MEETING_RECORD,
        meeting,
        held_on=held_on,
        members_total=members_total,
        members_present=members_present,
        quorum=meeting.has_quorum,
    )
    return meeting


def cell_quota(review: Review, level: str) -> rules.QuotaStatus:
    """The quota of the review's deciding organisation if the cell proposes `level`, over the whole picture of the
    period: the decided levels, else the proposals."""
    return rules.expected_quota(review.period.rule_set, quota.others_of(review).proposing(level))


def proposal_refusal(review: Review, acting_user: User) -> str | None:
    """Why `acting_user` may not record the cell's proposal on `review`, or None when they may; the proposal page
    asks it too, so that the page and the service refuse the same people with the same words."""
    own = review_access.is_subject(acting_user, review)
    if own and review_access.can_record_meeting(acting_user, review.place):
        return _("Bí thư không tự ghi đề xuất cho bản kiểm điểm của chính mình; phó bí thư ghi thay.")
    if own or not review_access.can_record_proposal(acting_user, review):
        return _("Chỉ bí thư, phó bí thư chi bộ ghi đề xuất.")
    return None


@transaction.atomic
def proposal_record(
    *,
    review: Review,
    meeting: CellMeeting,
    general_points: int | None,
    task_points: int | None,
    level: str,
    votes_for: int,
    votes_against: int,
    votes_abstain: int = 0,
    comments: str = "",
    verdicts: Verdicts | None = None,
    acknowledgements: Acknowledgements | None = None,
    acting_user: User,
) -> tuple[CellProposal, list[str]]:
    """Record the cell's proposal; returns it with warnings (the quota), refusing what the rules forbid.

    A verdict that claims more than the commitment's recorded progress (reviews.consistency) is kept only
    with a written reason in `acknowledgements`, unless one already explains it.
    """
    review = _lock(review)
    refusal = proposal_refusal(review, acting_user)
    if refusal is not None:
        raise PermissionDenied(refusal)
    _require_state(review, ReviewState.SELF_SUBMITTED)
    if meeting.period_id != review.period_id or meeting.cell_id != review.place_id:
        raise ValidationError({"meeting": _("Cuộc họp không phải của chi bộ và đợt kiểm điểm này.")})
    if not meeting.has_quorum:
        raise ValidationError(
            {"meeting": _("Cuộc họp chưa đủ quá nửa số đảng viên dự, nên không đủ điều kiện đề xuất xếp loại.")}
        )
    if votes_for + votes_against + votes_abstain > meeting.members_present:
        raise ValidationError({"votes_for": _("Tổng số phiếu lớn hơn số đảng viên dự họp.")})
    _set_verdicts(review, verdicts or {}, field="cell")
    assessments = list(review.assessments.select_related("commitment"))
    unjudged = [assessment.position for assessment in assessments if not assessment.cell_verdict]
    if unjudged:
        raise ValidationError(
            _("Chi bộ chưa kết luận nội dung cam kết số %(numbers)s.")
            % {"numbers": ", ".join(str(number) for number in unjudged)}
        )
    conflicts, flags, reasons = _check_level_and_verdicts(
        review,
        assessments,
        level=level,
        general_points=general_points,
        task_points=task_points,
        acknowledgements=acknowledgements,
    )
    notes = _acknowledge(review, flags, reasons, stage=ConsistencyNote.Stage.CELL, acting_user=acting_user)
    values = {
        "meeting": meeting,
        "general_points": general_points,
        "task_points": task_points,
        "level": level,
        "votes_for": votes_for,
        "votes_against": votes_against,
        "votes_abstain": votes_abstain,
        "comments": comments.strip(),
        "recorded_by": acting_user,
        "recorded_at": timezone.now(),
    }
    proposal, _created = CellProposal.objects.update_or_create(review=review, defaults=values)
    review.state = ReviewState.CELL_PROPOSED
    review.return_reason = ""
    review.save(update_fields=["state", "return_reason"])
    _counted(review)
    warnings = [conflict.message for conflict in conflicts if not conflict.blocking]
    # Only a proposal that adds an Excellent rating is warned of: the others' excess is not this proposal's doing.
    status = cell_quota(review, level)
    if level == RatingLevel.EXCELLENT and status.exceeded:
        warnings.append(status.message(review.deciding_organisation.name))
    _audit(
        acting_user,
        ReviewAction.PROPOSE,
        proposal,
        review=review.pk,
        level=level,
        general_points=general_points,
        task_points=task_points,
        votes=[votes_for, votes_against, votes_abstain],
        warnings=warnings,
        explained=[note.assessment.position for note in notes],
    )
    return proposal, warnings
