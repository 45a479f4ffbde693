"""The member's self-review: the draft, what stands between it and submission, the submission."""

import datetime
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.audit import snapshot
from programmes.models import AuditEvent, NotificationKind
from reviews import access as review_access
from reviews import rules
from reviews.audit_actions import ReviewAction
from reviews.consistency import ConsistencyFlag, consistency_flags
from reviews.models import CommitmentAssessment, RatingLevel, Review, ReviewForm, ReviewState, Verdict
from reviews.presentation import SELF_REVIEW_SECTIONS, section_title
from reviews.services._common import (
    REVIEW_FIELDS,
    Verdicts,
    _audit,
    _lock,
    _move,
    _require,
    _require_state,
    _tell,
)
from reviews.services._verdicts import _set_verdicts

REQUIRED_SECTIONS = ("strengths", "shortcomings", "remedy_plan")
# The page saves the draft by itself every half minute and when a field is left: one line in the history for
# a sitting of writing, not one per automatic save. A new line once the last one is this old.
AUTOSAVE_SITTING = datetime.timedelta(hours=1)


@transaction.atomic
def self_review_save(
    *,
    review: Review,
    sections: Mapping[str, str],
    general_points: int | None,
    task_points: int | None,
    level: str,
    form: str | None = None,
    verdicts: Verdicts | None = None,
    acting_user: User,
    automatic: bool = False,
) -> Review:
    """Save the member's draft of the bản kiểm điểm; nothing is checked for completeness until submission.

    An `automatic` save (the page's own, while the member writes) is recorded in the history only when the member
    has no saving of this draft there within AUTOSAVE_SITTING; a save the member asks for always is.
    """
    review = _lock(review)
    _require(review_access.is_subject(acting_user, review), _("Chỉ đảng viên được kiểm điểm mới viết bản kiểm điểm."))
    _require_state(review, ReviewState.SELF_DRAFTING)
    unknown = set(sections) - set(SELF_REVIEW_SECTIONS)
    if unknown:
        raise ValueError(f"unknown sections: {sorted(unknown)}")
    if level and level not in RatingLevel.values:
        raise ValidationError({"self_level": _("Mức xếp loại không hợp lệ.")})
    for name, text in sections.items():
        setattr(review, name, text.strip())
    if form is not None:
        if form not in ReviewForm.values:
            raise ValidationError({"form": _("Mẫu bản kiểm điểm không hợp lệ.")})
        review.form = form
    review.self_general_points = general_points
    review.self_task_points = task_points
    review.self_level = level
    review.save()
    _set_verdicts(review, verdicts or {}, field="self")
    if not (automatic and _saved_in_this_sitting(review, acting_user)):
        details: dict[str, Any] = {"self_level": level}
        if automatic:
            details["automatic"] = True
        _audit(acting_user, ReviewAction.SELF_SAVE, review, **details)
    return review


def _saved_in_this_sitting(review: Review, acting_user: User) -> bool:
    """Whether the history already has a saving of this draft by this person within AUTOSAVE_SITTING."""
    return AuditEvent.objects.filter(
        action=ReviewAction.SELF_SAVE,
        actor=acting_user,
        object_id=str(review.pk),
        content_type=ContentType.objects.get_for_model(Review),
        at__gte=timezone.now() - AUTOSAVE_SITTING,
    ).exists()


def self_review_draft_conflicts(
    *,
    review: Review,
    assessments: list[CommitmentAssessment],
    sections: Mapping[str, str],
    general_points: int | None,
    task_points: int | None,
    level: str,
    verdicts: Verdicts,
    acting_user: User,
) -> list[rules.Conflict]:
    """The checks of `self_review_conflicts` on what the member is writing, before it is saved (the page's live
    check panel): the same rules on the draft as typed. Nothing is written; `review` and `assessments` are changed
    in memory only, so the caller must not save them."""
    _require(review_access.is_subject(acting_user, review), _("Chỉ đảng viên được kiểm điểm mới viết bản kiểm điểm."))
    for name, text in sections.items():
        if name in SELF_REVIEW_SECTIONS:
            setattr(review, name, text.strip())
    review.self_general_points, review.self_task_points, review.self_level = general_points, task_points, level
    by_pk = {assessment.pk: assessment for assessment in assessments}
    for pk, (verdict, cause) in verdicts.items():
        if pk in by_pk:
            by_pk[pk].self_verdict, by_pk[pk].self_cause = verdict, cause.strip()
    return self_review_conflicts(review, assessments=assessments)


def self_review_conflicts(
    review: Review,
    *,
    assessments: list[CommitmentAssessment] | None = None,
    flags: list[ConsistencyFlag] | None = None,
) -> list[rules.Conflict]:
    """What stands between the draft and its submission, in Vietnamese; blocking ones refuse it.

    A verdict that claims more than the recorded progress is a warning: the member may still submit, and
    the cell will have to explain it. A page that has the assessments (with their commitments) and their
    flags already passes them.
    """
    conflicts = [
        rules.Conflict(_("Chưa viết phần “%(section)s”.") % {"section": section_title(name)})
        for name in REQUIRED_SECTIONS
        if not getattr(review, name).strip()
    ]
    if assessments is None:
        assessments = list(review.assessments.select_related("commitment"))
    unjudged = [assessment.number for assessment in assessments if not assessment.self_verdict]
    if unjudged:
        conflicts.append(
            rules.Conflict(
                _("Chưa tự đánh giá nội dung cam kết số %(numbers)s.")
                % {"numbers": ", ".join(str(number) for number in unjudged)}
            )
        )
    missing_cause = [
        assessment.number
        for assessment in assessments
        if assessment.self_verdict in (Verdict.PARTLY, Verdict.NOT_DONE, Verdict.DONE_LATE)
        and not assessment.self_cause.strip()
    ]
    if missing_cause:
        conflicts.append(
            rules.Conflict(
                _("Nội dung số %(numbers)s chưa hoàn thành đúng hạn: hãy nêu nguyên nhân.")
                % {"numbers": ", ".join(str(number) for number in missing_cause)}
            )
        )
    conflicts += rules.check_level(
        review.period.rule_set,
        level=review.self_level,
        general=review.self_general_points,
        task=review.self_task_points,
        verdicts=[assessment.self_verdict for assessment in assessments if assessment.is_task],
    )
    if flags is None:
        flags = consistency_flags(assessments, judge="self")
    conflicts += [flag.conflict() for flag in flags]
    return conflicts


@transaction.atomic
def self_review_submit(*, review: Review, acting_user: User) -> Review:
    review = _lock(review)
    _require(review_access.is_subject(acting_user, review), _("Chỉ đảng viên được kiểm điểm mới nộp bản kiểm điểm."))
    _require_state(review, ReviewState.SELF_DRAFTING)
    refused = rules.blocking(self_review_conflicts(review))
    if refused:
        raise ValidationError(refused)
    before = snapshot(review, REVIEW_FIELDS)
    _move(review, ReviewState.SELF_SUBMITTED, self_submitted_at=timezone.now())
    _audit(acting_user, ReviewAction.SELF_SUBMIT, review, before, **snapshot(review, REVIEW_FIELDS))
    _tell(
        acting_user,
        review_access.told_of_self_review(review),
        NotificationKind.SELF_REVIEW_SUBMITTED,
        review,
        lambda: (
            _("Bản kiểm điểm đã nộp: %(name)s") % {"name": review.cadre.full_name},
            _(
                "Đồng chí %(name)s đã nộp bản kiểm điểm cá nhân của đợt “%(period)s”; chi bộ xem xét, góp ý và đề xuất "
                "xếp loại."
            )
            % {"name": review.cadre.full_name, "period": review.period.title},
        ),
    )
    return review
