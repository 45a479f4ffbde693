"""The residence cell's comment on a working member (Quy định 213-QĐ/TW): given on the portal by the residence cell's
secretary, declined by them with a reason ("không có ý kiến"), or brought in from outside the portal by the
workplace side with its source. Asked when an annual period opens (reviews.services.periods).

The comment is read by the workplace cell before its meeting: once the cell has proposed a level, it stays as it
was read. The latest answer stands; each is in the audit log with the one it replaced.
"""

import functools
from collections import Counter
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes import access as programme_access
from programmes.action_programmes.evidence import check_upload
from programmes.action_programmes.notifications import Notice, notify_each
from programmes.models import NotificationKind
from programmes.reminders import send_reminders
from reviews import access as review_access
from reviews.audit_actions import ReviewAction
from reviews.models import (
    RESIDENCE_POINTS,
    PeriodState,
    PointAssessment,
    ResidenceComment,
    ResidenceCommentChannel,
    ResidenceCommentState,
    ReviewPeriod,
    ReviewState,
)
from reviews.services._common import _audit, _require

# Before its meeting the cell reads the comment; after it, the comment is part of what was decided on.
_OPEN_REVIEW_STATES = (ReviewState.SELF_DRAFTING, ReviewState.SELF_SUBMITTED)
_ANSWER_FIELDS = ("state", "channel", "source", "text", *(name for name, _label in RESIDENCE_POINTS))


def _lock(comment: ResidenceComment) -> ResidenceComment:
    return (
        ResidenceComment.objects.select_for_update(of=("self",))
        .select_related("review__period", "review__cadre", "review__cell", "residence_cell")
        .get(pk=comment.pk)
    )


def _require_open(comment: ResidenceComment) -> None:
    review = comment.review
    if review.period.state != PeriodState.OPEN or review.state not in _OPEN_REVIEW_STATES:
        raise ValidationError(
            _(
                "Chi bộ nơi công tác đã họp kiểm điểm đồng chí %(name)s (hoặc đợt kiểm điểm đã kết thúc): nhận xét "
                "nơi cư trú không ghi hay sửa được nữa."
            )
            % {"name": review.cadre.full_name}
        )


def _checked_points(points: Mapping[str, str], *, required: bool) -> dict[str, str]:
    """The four points of Quy định 213, each "good" or "limited"; all four when the residence cell comments."""
    checked: dict[str, str] = {}
    for name, label in RESIDENCE_POINTS:
        value = points.get(name, "") or ""
        if value and value not in PointAssessment.values:
            raise ValidationError({name: _("Mức đánh giá không hợp lệ.")})
        if required and not value:
            raise ValidationError({name: _("Hãy đánh giá nội dung “%(point)s”.") % {"point": label}})
        checked[name] = value
    return checked


def _before(comment: ResidenceComment) -> dict[str, Any]:
    return {name: getattr(comment, name) for name in _ANSWER_FIELDS}


def _attach(comment: ResidenceComment, document: UploadedFile[bytes] | None) -> None:
    if document is None:
        return
    checked = check_upload(document)
    comment.document_sha256 = checked.sha256
    comment.document.save(checked.storage_name, document, save=False)


def _save_answer(comment: ResidenceComment, acting_user: User, **answer: Any) -> None:
    for name, value in answer.items():
        setattr(comment, name, value)
    comment.recorded_by = acting_user
    comment.recorded_at = timezone.now()
    comment.save()


def _tell_workplace(acting_user: User, comment: ResidenceComment) -> None:
    """The workplace cell's secretary reads the comment before the meeting: told once it is there."""
    review = comment.review
    secretary = programme_access.secretary_user(review.cell)
    if secretary is None or secretary.pk == acting_user.pk or review_access.is_subject(secretary, review):
        return

    def text() -> tuple[str, str]:
        return (
            _("Nhận xét nơi cư trú của đồng chí %(name)s") % {"name": review.cadre.full_name},
            _("%(cell)s đã trả lời đề nghị nhận xét nơi cư trú (%(state)s) cho đợt “%(period)s”.")
            % {
                "cell": comment.residence_cell.name,
                "state": comment.get_state_display(),
                "period": review.period.title,
            },
        )

    notify_each(
        [secretary],
        kind=NotificationKind.RESIDENCE_COMMENT,
        link=reverse("reviews:review_detail", args=[review.pk]),
        text=text,
    )


def _lock_for_answer(comment: ResidenceComment, acting_user: User, refusal: str) -> ResidenceComment:
    """The request locked, once the user is found to answer for the residence cell and the answer still open to
    them (not already brought in from outside the portal)."""
    comment = _lock(comment)
    _require(review_access.can_record_residence_comment(acting_user, comment), refusal)
    _require_open(comment)
    if comment.channel == ResidenceCommentChannel.OUTSIDE:
        raise ValidationError(_("Chi bộ nơi công tác đã nhận nhận xét này ngoài cổng; không ghi đè được."))
    return comment


def _answer(
    comment: ResidenceComment,
    acting_user: User,
    action: str,
    values: dict[str, str],
    audited: dict[str, object],
    document: UploadedFile[bytes] | None = None,
) -> ResidenceComment:
    """Store the residence cell's answer given on the portal (with its scan), audit it and tell the workplace
    cell."""
    before = _before(comment)
    _attach(comment, document)
    if document is not None:
        audited = {**audited, "sha256": comment.document_sha256}
    _save_answer(comment, acting_user, channel=ResidenceCommentChannel.PORTAL, **values)
    _audit(
        acting_user,
        action,
        comment,
        before=before,
        review=comment.review_id,
        residence_cell=comment.residence_cell_id,
        **audited,
    )
    _tell_workplace(acting_user, comment)
    return comment


@transaction.atomic(durable=True)
def residence_comment_record(
    *,
    comment: ResidenceComment,
    text: str,
    points: Mapping[str, str],
    document: UploadedFile[bytes] | None = None,
    acting_user: User,
) -> ResidenceComment:
    """The residence cell's secretary comments: the text and the four points of Quy định 213, with the signed
    comment scanned if they have it."""
    comment = _lock_for_answer(
        comment, acting_user, _("Chỉ bí thư, phó bí thư chi bộ nơi cư trú được nhận xét đảng viên này.")
    )
    if not text.strip():
        raise ValidationError({"text": _("Hãy ghi nội dung nhận xét.")})
    checked = _checked_points(points, required=True)
    values = {"state": ResidenceCommentState.COMMENTED, "text": text.strip(), "no_comment_reason": "", **checked}
    return _answer(comment, acting_user, ReviewAction.RESIDENCE_COMMENT, values, dict(checked), document)


@transaction.atomic(durable=True)
def residence_comment_decline(*, comment: ResidenceComment, reason: str, acting_user: User) -> ResidenceComment:
    """The residence cell's secretary answers "không có ý kiến", saying why (the member is not known there, moved
    in lately…): the workplace cell then knows it waits for nothing."""
    comment = _lock_for_answer(
        comment, acting_user, _("Chỉ bí thư, phó bí thư chi bộ nơi cư trú được trả lời đề nghị nhận xét này.")
    )
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy ghi lý do không có ý kiến nhận xét.")})
    values = {
        "state": ResidenceCommentState.NO_COMMENT,
        "text": "",
        "no_comment_reason": reason.strip(),
        **dict.fromkeys((name for name, _label in RESIDENCE_POINTS), ""),
    }
    return _answer(comment, acting_user, ReviewAction.RESIDENCE_NO_COMMENT, values, {"reason": reason.strip()})


@transaction.atomic(durable=True)
def residence_comment_upload(
    *,
    comment: ResidenceComment,
    source: str,
    text: str,
    points: Mapping[str, str] | None = None,
    document: UploadedFile[bytes] | None = None,
    acting_user: User,
) -> ResidenceComment:
    """The workplace side brings in a comment the residence cell gave outside the portal (on paper, through the
    National Public Service Portal): its source (number, date, sender), and its text or its scan."""
    comment = _lock(comment)
    _require(
        review_access.can_upload_residence_comment(acting_user, comment),
        _("Đồng chí không được tải lên nhận xét nơi cư trú cho đảng viên này."),
    )
    _require_open(comment)
    if comment.state != ResidenceCommentState.REQUESTED:
        raise ValidationError(
            _("Chi bộ nơi cư trú đã trả lời trên cổng (%(state)s); không tải lên nhận xét khác được.")
            % {"state": comment.get_state_display()}
        )
    if not source.strip():
        raise ValidationError({"source": _("Hãy ghi nguồn của nhận xét: số, ngày văn bản và nơi gửi.")})
    if not text.strip() and document is None:
        raise ValidationError(_("Hãy ghi nội dung nhận xét hoặc tải lên bản quét văn bản nhận xét."))
    checked = _checked_points(points or {}, required=False)
    before = _before(comment)
    _attach(comment, document)
    _save_answer(
        comment,
        acting_user,
        state=ResidenceCommentState.COMMENTED,
        channel=ResidenceCommentChannel.OUTSIDE,
        source=source.strip()[:255],
        text=text.strip(),
        **checked,
    )
    _audit(
        acting_user,
        ReviewAction.RESIDENCE_UPLOAD,
        comment,
        before=before,
        review=comment.review_id,
        source=comment.source,
        sha256=comment.document_sha256,
    )
    return comment


def residence_requests_notify(*, period_id: int) -> int:
    """Tell the secretary of each residence cell asked for comments in a newly opened period how many and by when,
    once (programmes.reminders.send_reminders, keyed by the period and the day it opened); how many were told."""
    period = ReviewPeriod.objects.filter(pk=period_id).first()
    if period is None:
        return 0
    asked = Counter(ResidenceComment.objects.filter(review__period=period).values_list("residence_cell_id", flat=True))
    secretaries = programme_access.secretaries_of(asked)
    counts: Counter[int] = Counter()
    for cell, number in asked.items():
        if cell in secretaries:
            counts[secretaries[cell]] += number
    due_on = period.residence_comments_due()
    link = reverse("reviews:residence_requests")

    def text(number: int) -> tuple[str, str]:
        return (
            _("Đề nghị nhận xét đảng viên nơi cư trú: %(title)s") % {"title": period.title},
            _(
                "%(count)s đảng viên đang công tác cư trú trên địa bàn chi bộ cần được nhận xét (Quy định 213-QĐ/TW), "
                "hạn %(date)s. Đồng chí xem danh sách trong mục Nhận xét nơi cư trú."
            )
            % {"count": number, "date": f"{due_on:%d/%m/%Y}"},
        )

    def notices(pairs: list[tuple[int, int]]) -> list[Notice]:
        return [
            Notice(
                recipient_id=user_id,
                kind=NotificationKind.RESIDENCE_COMMENT,
                link=link,
                text=functools.partial(text, counts[user_id]),
            )
            for user_id, _period in pairs
        ]

    return send_reminders(
        NotificationKind.RESIDENCE_COMMENT,
        [(user_id, period.pk) for user_id in sorted(counts)],
        timezone.localtime(period.opened_at).date(),
        notices,
    )
