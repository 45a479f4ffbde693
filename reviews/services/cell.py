"""The cell's meeting and its proposal of a level, with the quota the proposal is warned of."""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.action_programmes.evidence import check_upload
from programmes.action_programmes.notifications import notify_each
from programmes.models import NotificationKind, PartyOrganisation
from reviews import access as review_access
from reviews import quota, rules, selectors
from reviews.audit_actions import ReviewAction
from reviews.models import (
    CellMeeting,
    CellProposal,
    ConsistencyNote,
    MeetingAttendance,
    RatingLevel,
    Review,
    ReviewPeriod,
    ReviewState,
)
from reviews.services._common import (
    Acknowledgements,
    Verdicts,
    _audit,
    _lock,
    _move,
    _require,
    _require_state,
    _tell,
)
from reviews.services._verdicts import _acknowledge, _check_level_and_verdicts, _set_verdicts


@dataclass(frozen=True)
class Attendance:
    """One member named in the meeting's attendance, as the secretary marks them: present, or absent with a reason."""

    cadre_id: int
    present: bool
    reason: str = ""


def absence_reason_field(cadre_id: int) -> str:
    """The name under which the meeting form sends, and meeting_record refuses, one absent member's reason."""
    return f"reason_{cadre_id}"


def _check_attendance(
    place: PartyOrganisation, attendance: Sequence[Attendance], members_total: int, members_present: int
) -> None:
    """Named attendance lists every member of the place once, gives each absent member's reason, and agrees with
    the numbers; refuse every fault at once, each at its member's field."""
    roster = {cadre.pk: cadre.full_name for cadre in selectors.meeting_roster(place).only("pk", "full_name")}
    marked = [entry.cadre_id for entry in attendance]
    if len(set(marked)) != len(marked) or not set(marked) <= roster.keys():
        raise ValidationError({"attendance": _("Danh sách điểm danh có người không thuộc chi bộ hoặc bị lặp.")})
    errors: dict[str, list[str]] = {}
    for cadre_id in roster.keys() - set(marked):
        errors[absence_reason_field(cadre_id)] = [
            _("Chưa đánh dấu đồng chí %(name)s có mặt hay vắng mặt.") % {"name": roster[cadre_id]}
        ]
    for entry in attendance:
        if not entry.present and not entry.reason.strip():
            errors[absence_reason_field(entry.cadre_id)] = [
                _("Đồng chí %(name)s vắng mặt: hãy ghi lý do vắng.") % {"name": roster[entry.cadre_id]}
            ]
    present = sum(entry.present for entry in attendance)
    if not errors and (members_total, members_present) != (len(attendance), present):
        errors["members_present"] = [
            _(
                "Số liệu khác danh sách điểm danh: danh sách có %(present)s đồng chí có mặt trên %(total)s, "
                "nhưng ghi %(typed_present)s/%(typed_total)s."
            )
            % {
                "present": present,
                "total": len(attendance),
                "typed_present": members_present,
                "typed_total": members_total,
            }
        ]
    if errors:
        raise ValidationError(errors)


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
    meeting_secretary: str = "",
    presented_by: str = "",
    dissent: str = "",
    attendance: Sequence[Attendance] = (),
    acting_user: User,
) -> CellMeeting:
    """Record the cell's meeting. Named `attendance` (optional: the minutes may carry it) lists every member the
    cell has today, present or absent with a reason, and must agree with the numbers."""
    _require(review_access.can_record_meeting(acting_user, cell), _("Chỉ bí thư, phó bí thư mới ghi cuộc họp này."))
    if members_present > members_total:
        raise ValidationError({"members_present": _("Số dự họp không thể lớn hơn tổng số đảng viên.")})
    if not minutes.strip() and minutes_file is None:
        raise ValidationError({"minutes": _("Hãy viết biên bản hoặc tải tệp biên bản lên.")})
    if attendance:
        _check_attendance(cell, attendance, members_total, members_present)
    meeting = CellMeeting(
        period=period,
        cell=cell,
        held_on=held_on,
        members_total=members_total,
        members_present=members_present,
        chaired_by=chaired_by.strip(),
        meeting_secretary=meeting_secretary.strip(),
        presented_by=presented_by.strip(),
        minutes=minutes.strip(),
        dissent=dissent.strip(),
        recorded_by=acting_user,
    )
    if minutes_file is not None:
        checked = check_upload(minutes_file)
        meeting.minutes_sha256 = checked.sha256
        meeting.minutes_file.save(checked.storage_name, minutes_file, save=False)
    meeting.save()
    MeetingAttendance.objects.bulk_create(
        MeetingAttendance(
            meeting=meeting,
            cadre_id=entry.cadre_id,
            present=entry.present,
            absence_reason="" if entry.present else entry.reason.strip(),
        )
        for entry in attendance
    )
    _audit(
        acting_user,
        ReviewAction.MEETING_RECORD,
        meeting,
        held_on=held_on,
        members_total=members_total,
        members_present=members_present,
        quorum=meeting.has_quorum,
        meeting_secretary=meeting.meeting_secretary,
        presented_by=meeting.presented_by,
        present=[entry.cadre_id for entry in attendance if entry.present],
        absent={str(entry.cadre_id): entry.reason.strip() for entry in attendance if not entry.present},
        dissent=meeting.dissent,
    )
    _tell_meeting(meeting, acting_user)
    return meeting


def _tell_meeting(meeting: CellMeeting, acting_user: User) -> None:
    """The deciding bodies of the cell's reviews in the period learn that the cell has met."""
    bodies = list(
        Review.objects.filter(period=meeting.period, place=meeting.cell)
        .values_list("deciding_organisation_id", flat=True)
        .distinct()
    )
    members = {user.pk: user for users in review_access.deciders_at(bodies).values() for user in users}
    others = [user for user in members.values() if user.pk != acting_user.pk]
    notify_each(
        others,
        kind=NotificationKind.MEETING_RECORDED,
        link=reverse("reviews:cell_reviews", args=[meeting.period_id, meeting.cell_id]),
        text=lambda: (
            _("%(cell)s đã họp kiểm điểm") % {"cell": meeting.cell.name},
            _(
                "Đợt “%(period)s”: cuộc họp ngày %(date)s, %(present)s/%(total)s đảng viên dự. Chi bộ đề xuất "
                "xếp loại từng đảng viên để cấp ủy quyết định."
            )
            % {
                "period": meeting.period.title,
                "date": f"{meeting.held_on:%d/%m/%Y}",
                "present": meeting.members_present,
                "total": meeting.members_total,
            },
        ),
    )


def cell_quota(review: Review, level: str, alongside: Mapping[int, str] | None = None) -> rules.QuotaStatus:
    """The quota of the review's deciding organisation if the cell proposes `level`, over the whole picture of the
    period: the decided levels, else the proposals; with the levels proposed `alongside` it in the same submission
    (quota.others_of)."""
    return rules.expected_quota(review.period.rule_set, quota.others_of(review, alongside).proposing(level))


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
    alongside: Mapping[int, str] | None = None,
    acting_user: User,
) -> tuple[CellProposal, list[str]]:
    """Record the cell's proposal; returns it with warnings (the quota), refusing what the rules forbid.

    A verdict that claims more than the commitment's recorded progress (reviews.consistency) is kept only
    with a written reason in `acknowledgements`, unless one already explains it. `alongside` gives the levels the
    same submission proposes for other reviews of the deciding organisation, not stored yet: the quota warning
    weighs the whole set.
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
    unjudged = [assessment.number for assessment in assessments if not assessment.cell_verdict]
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
    _move(review, ReviewState.CELL_PROPOSED, return_reason="")
    warnings = [conflict.message for conflict in conflicts if not conflict.blocking]
    # Only a proposal that adds an Excellent rating is warned of: the others' excess is not this proposal's doing.
    status = cell_quota(review, level, alongside)
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
    _tell(
        acting_user,
        review_access.told_of_proposal(review),
        NotificationKind.PROPOSAL_RECORDED,
        review,
        lambda: (
            _("Chi bộ đề xuất xếp loại: %(name)s") % {"name": review.cadre.full_name},
            _(
                "%(cell)s đề xuất mức “%(level)s” (%(for)s tán thành, %(against)s không tán thành, %(abstain)s "
                "không biểu quyết). Chờ cấp ủy quyết định."
            )
            % {
                "cell": review.place.name,
                "level": RatingLevel(level).label,
                "for": votes_for,
                "against": votes_against,
                "abstain": votes_abstain,
            },
        ),
    )
    return proposal, warnings
