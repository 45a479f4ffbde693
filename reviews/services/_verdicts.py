"""The verdicts on each commitment, and the reasons kept for those that claim more than the recorded
progress (reviews.consistency): shared by the cell's proposal and the committee's decision."""

from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

from reviews import rules
from reviews.audit_actions import ReviewAction
from reviews.consistency import ConsistencyFlag, acknowledgement_field, consistency_flags
from reviews.models import CommitmentAssessment, ConsistencyNote, Review, Verdict
from reviews.services._common import Acknowledgements, Verdicts, _audit


def _set_verdicts(review: Review, verdicts: Verdicts, *, field: str) -> None:
    assessments = {assessment.pk: assessment for assessment in review.assessments.all()}
    for pk, (verdict, cause) in verdicts.items():
        assessment = assessments.get(pk)
        if assessment is None:
            raise ValidationError(_("Nội dung cam kết không thuộc bản kiểm điểm này."))
        if verdict and verdict not in Verdict.values:
            raise ValidationError(_("Mức đánh giá nội dung cam kết không hợp lệ."))
        setattr(assessment, f"{field}_verdict", verdict)
        setattr(assessment, f"{field}_cause", cause.strip())
    CommitmentAssessment.objects.bulk_update(assessments.values(), [f"{field}_verdict", f"{field}_cause"])


def _unexplained(flags: list[ConsistencyFlag], reasons: Acknowledgements) -> dict[str, list[str]]:
    """The refusal for each flag nobody has explained yet and that comes without a reason now, by its field."""
    return {
        acknowledgement_field(flag.assessment.pk): [
            flag.message + " " + _("Hãy sửa kết luận, hoặc ghi lý do giữ kết luận này.")
        ]
        for flag in flags
        if not flag.acknowledged and not reasons.get(flag.assessment.pk, "").strip()
    }


def _refuse(refused: list[str], unexplained: dict[str, list[str]]) -> None:
    """Refuse with every reason at once: the rules' (for the whole form) and each unexplained flag (at its field)."""
    if unexplained:
        raise ValidationError({NON_FIELD_ERRORS: refused, **unexplained} if refused else unexplained)
    if refused:
        raise ValidationError(refused)


def _check_level_and_verdicts(
    review: Review,
    assessments: list[CommitmentAssessment],
    *,
    level: str,
    general_points: int | None,
    task_points: int | None,
    acknowledgements: Acknowledgements | None,
) -> tuple[list[rules.Conflict], list[ConsistencyFlag], Acknowledgements]:
    """Check a proposed or decided level against the rule set (points, the cell's verdicts on the tasks) and the
    verdicts against the recorded progress; refuse a blocking conflict or a flag without a reason, all at once.
    Returns the conflicts (the warnings among them are shown), the flags and their reasons (to be kept)."""
    conflicts = rules.check_level(
        review.period.rule_set,
        level=level,
        general=general_points,
        task=task_points,
        verdicts=[assessment.cell_verdict for assessment in assessments if assessment.is_task],
    )
    reasons = acknowledgements or {}
    flags = consistency_flags(assessments, judge="cell")
    _refuse(rules.blocking(conflicts), _unexplained(flags, reasons))
    return conflicts, flags, reasons


def _acknowledge(
    review: Review, flags: list[ConsistencyFlag], reasons: Acknowledgements, *, stage: str, acting_user: User
) -> list[ConsistencyNote]:
    """Keep the reason written for each flagged verdict, with the figures it was written against."""
    notes = []
    for flag in flags:
        reason = reasons.get(flag.assessment.pk, "").strip()
        if not reason:
            continue
        note = ConsistencyNote.objects.create(
            assessment=flag.assessment,
            stage=stage,
            verdict=flag.verdict,
            kinds=flag.kinds_key,
            figures=flag.figures,
            reason=reason,
            acknowledged_by=acting_user,
        )
        _audit(
            acting_user,
            ReviewAction.CONSISTENCY_NOTE,
            note,
            review=review.pk,
            position=flag.assessment.position,
            stage=stage,
            verdict=flag.verdict,
            kinds=note.kinds,
            figures=note.figures,
            reason=reason,
        )
        notes.append(note)
    return notes
