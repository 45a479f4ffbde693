"""After the result stands: appeals, the superior committee's re-classification, and the changes of level.

The result in force is the confirmed decision until a change of level replaces it (an appeal resolved by
re-classifying, or the superior committee's re-classification); each result is made by one body. The member
may appeal each result once, within the period's appeal days from when it was made, and the appeal goes to
the committee above that body (reviews.access.can_resolve_appeal). Every change after the result stands
notifies the member and queues the reports that print the review.
"""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes import access as programme_access
from programmes import outbox
from programmes.action_programmes.notifications import notify_each
from programmes.audit import snapshot
from programmes.models import NotificationKind, PartyOrganisation
from reviews import access as review_access
from reviews.audit_actions import ReviewAction
from reviews.models import Appeal, AppealState, LevelChange, RatingLevel, Review, ReviewState
from reviews.services._common import (
    REVIEW_FIELDS,
    _audit,
    _counted,
    _lock,
    _move,
    _require,
    _require_state,
    _review_link,
    _tell,
)
from reviews.services.decision import _check_led_units, _lock_quota, decision_quota


def current_change(review: Review) -> LevelChange | None:
    """The change of level in force (the latest), or None while the confirmed decision stands."""
    return review.level_changes.select_related("organisation").order_by("-changed_at", "-pk").first()


def appeal_deadline(review: Review) -> datetime.date | None:
    """The last day to appeal the result in force: `appeal_days` after it was made (final_at)."""
    if review.final_at is None:
        return None
    return timezone.localtime(review.final_at).date() + datetime.timedelta(days=review.period.appeal_days)


def appeal_refusal(
    review: Review,
    change: LevelChange | None,
    addressee: PartyOrganisation | None,
    today: datetime.date | None = None,
) -> str | None:
    """Why the member may not appeal the result in force now, or None. `change` is current_change(review),
    `addressee` reviews.access.appeal_addressee(review, change): the committee the appeal would go to."""
    if review.state != ReviewState.FINAL:
        return _("Bước này không làm được khi bản kiểm điểm đang ở trạng thái “%(state)s”.") % {
            "state": review.get_state_display()
        }
    deadline = appeal_deadline(review)
    if deadline is None or (today or timezone.localdate()) > deadline:
        return _("Đã quá hạn kiến nghị (đến hết ngày %(date)s).") % {
            "date": f"{deadline:%d/%m/%Y}" if deadline else "—"
        }
    if review_access.result_appealed(review, change):
        return _("Đồng chí đã kiến nghị về kết quả này; mỗi kết quả chỉ được kiến nghị một lần.")
    if addressee is None:
        return _(
            "Kết quả này do %(body)s đưa ra, không có cấp ủy cấp trên trên cổng; "
            "đồng chí gửi kiến nghị trực tiếp đến cấp có thẩm quyền."
        ) % {"body": review_access.result_body(review, change).name}
    return None


def _window_sentence(review: Review, change: LevelChange) -> str:
    """What the member is told of their right to appeal the new result `change`."""
    deadline = appeal_deadline(review)
    if deadline is None or review_access.appeal_addressee(review, change) is None:
        return _("Không có cấp ủy cấp trên trên cổng để kiến nghị về kết quả này.")
    return _("Đồng chí có thể kiến nghị đến hết ngày %(date)s.") % {"date": f"{deadline:%d/%m/%Y}"}


def _queue_reports_after_change(review: Review) -> None:
    """The review's individual report, and the period's summaries already made that print it, asked for through
    the outbox: written with the change, sent after the commit, the change standing even with the broker away."""
    # By the task's name: the task modules import the services, never the reverse.
    outbox.enqueue("reviews.tasks.refresh_review_reports", review.pk)


@transaction.atomic(durable=True)
def appeal_file(*, review: Review, text: str, acting_user: User) -> Appeal:
    """The member's kiến nghị against the result in force, sent to the committee above the body that made it."""
    review = _lock(review)
    _require(review_access.is_subject(acting_user, review), _("Chỉ người được kiểm điểm mới kiến nghị."))
    _require_state(review, ReviewState.FINAL)
    change = current_change(review)
    addressee = review_access.appeal_addressee(review, change)
    refusal = appeal_refusal(review, change, addressee)
    if refusal is not None or addressee is None:
        raise ValidationError(refusal or "")
    if not text.strip():
        raise ValidationError({"text": _("Hãy ghi nội dung kiến nghị.")})
    before = snapshot(review, REVIEW_FIELDS)
    appeal = Appeal.objects.create(
        review=review,
        contested_change=change,
        resolving_organisation=addressee,
        text=text.strip(),
        filed_by=acting_user,
    )
    _move(review, ReviewState.APPEALED)
    _audit(
        acting_user,
        ReviewAction.APPEAL,
        appeal,
        before,
        review=review.pk,
        contested_change=change.pk if change is not None else None,
        resolving_organisation=addressee.pk,
        state=review.state,
    )
    # The committee it goes to (those of its members who may resolve it), and a receipt for the member.
    _tell(
        acting_user,
        review_access.told_of_appeal(appeal),
        NotificationKind.APPEAL_FILED,
        review,
        lambda: (_("Kiến nghị về kết quả xếp loại: %(name)s") % {"name": review.cadre.full_name}, appeal.text),
    )
    notify_each(
        [acting_user],
        kind=NotificationKind.APPEAL_FILED,
        link=_review_link(review),
        text=lambda: (
            _("Đã gửi kiến nghị đến %(body)s") % {"body": addressee.name},
            _(
                "Kiến nghị của đồng chí về kết quả xếp loại đã được gửi; đồng chí sẽ nhận được thông báo khi có kết "
                "quả giải quyết."
            ),
        ),
    )
    _queue_reports_after_change(review)
    return appeal


def _change_level(
    review: Review,
    *,
    cause: str,
    level: str,
    reason: str,
    body: PartyOrganisation,
    acting_user: User,
    field: str = "level",
) -> LevelChange:
    """Record a new result: the change, and the review's level and time, which open a new appeal window.

    A change to Excellent keeps the rules of a decision: a leader's units must reach their tasks (refused on
    `field`, the form's field of the new level), and it counts against the deciding organisation's quota under the
    same lock; beyond it, the reason the committee must write for any change is kept as the quota's justification."""
    _check_led_units(review, level, field)
    beyond_quota = False
    if level == RatingLevel.EXCELLENT:
        _lock_quota(review)
        beyond_quota = decision_quota(review, level).needs_justification
    change = LevelChange.objects.create(
        review=review,
        cause=cause,
        organisation=body,
        from_level=review.final_level,
        to_level=level,
        reason=reason,
        beyond_quota=beyond_quota,
        changed_by=acting_user,
    )
    review.final_level = level
    review.final_at = change.changed_at
    return change


@transaction.atomic(durable=True)
def appeal_resolve(*, appeal: Appeal, upheld: bool, resolution: str, new_level: str = "", acting_user: User) -> Appeal:
    """Resolve an appeal: keep the result, or re-classify (a new result, which may itself be appealed once).
    Only the committee the appeal is addressed to decides (reviews.access.can_resolve_appeal)."""
    appeal = (
        # Only the appeal's row: the contested change is an outer join, which PostgreSQL does not lock.
        Appeal.objects.select_for_update(of=("self",))
        .select_related("contested_change__organisation", "resolving_organisation")
        .get(pk=appeal.pk)
    )
    review = _lock(appeal.review)
    appeal.review = review
    _require(
        review_access.can_resolve_appeal(acting_user, appeal),
        _("Đồng chí không có thẩm quyền giải quyết kiến nghị này."),
    )
    if appeal.state != AppealState.PENDING:
        raise ValidationError(_("Kiến nghị này đã được giải quyết."))
    if not resolution.strip():
        raise ValidationError({"resolution": _("Hãy ghi kết quả giải quyết.")})
    before = {"appeal_state": appeal.state, **snapshot(review, (*REVIEW_FIELDS, "final_at"))}
    change = None
    if not upheld:
        if new_level not in RatingLevel.values or new_level == review.final_level:
            raise ValidationError({"new_level": _("Hãy chọn mức xếp loại mới khác mức hiện tại.")})
        change = _change_level(
            review,
            cause=LevelChange.Cause.APPEAL,
            level=new_level,
            reason=resolution.strip(),
            body=appeal.resolving_organisation,
            acting_user=acting_user,
            field="new_level",
        )
    appeal.state = AppealState.UPHELD if upheld else AppealState.RECLASSIFIED
    appeal.resolution = resolution.strip()
    appeal.new_level = "" if upheld else new_level
    appeal.resolved_by = acting_user
    appeal.resolved_at = timezone.now()
    appeal.save()
    _move(review, ReviewState.FINAL, "final_level", "final_at")  # set by the change of level, if any
    _audit(
        acting_user,
        ReviewAction.APPEAL_RESOLVE,
        appeal,
        before,
        review=review.pk,
        appeal_state=appeal.state,
        **snapshot(review, (*REVIEW_FIELDS, "final_at")),
    )

    def resolved() -> tuple[str, str]:
        body = appeal.resolution
        if change is not None:
            body += "\n" + _("Mức xếp loại mới: %(level)s.") % {"level": review.get_final_level_display()}
            body += " " + _window_sentence(review, change)
        return _("Kiến nghị đã được giải quyết: %(outcome)s") % {"outcome": appeal.get_state_display()}, body

    # The member, and the head of the body whose result was contested.
    subject = review.cadre.user
    contested_head = programme_access.secretary_user(review_access.result_body(review, appeal.contested_change))
    told = [user for user in (subject, contested_head) if user is not None]
    _tell(acting_user, told, NotificationKind.APPEAL_RESOLVED, review, resolved)
    _queue_reports_after_change(review)
    return appeal


@transaction.atomic(durable=True)
def review_reclassify(*, review: Review, level: str, reason: str, acting_user: User) -> LevelChange:
    """The superior committee re-classifies a final result, with a reason (124/366 Art. 13): a new result,
    which the member is told of and may appeal once, to the committee above the one that re-classified."""
    review = _lock(review)
    superior = review_access.superior_of(review)
    if superior is None or not review_access.can_reclassify(acting_user, review):
        raise PermissionDenied(_("Chỉ cấp ủy cấp trên mới xếp loại lại."))
    _require_state(review, ReviewState.FINAL)
    if level not in RatingLevel.values or level == review.final_level:
        raise ValidationError({"level": _("Hãy chọn mức xếp loại mới khác mức hiện tại.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy ghi lý do xếp loại lại.")})
    before = snapshot(review, (*REVIEW_FIELDS, "final_at"))
    change = _change_level(
        review,
        cause=LevelChange.Cause.SUPERIOR,
        level=level,
        reason=reason.strip(),
        body=superior,
        acting_user=acting_user,
    )
    review.save(update_fields=["final_level", "final_at"])
    _counted(review)
    _audit(
        acting_user,
        ReviewAction.RECLASSIFY,
        review,
        before,
        review=review.pk,
        change=change.pk,
        organisation=superior.pk,
        reason=change.reason,
        **snapshot(review, (*REVIEW_FIELDS, "final_at")),
    )
    previous_level = RatingLevel(change.from_level).label
    subject = review.cadre.user
    if subject is not None:
        _tell(
            acting_user,
            [subject],
            NotificationKind.RECLASSIFIED,
            review,
            lambda: (
                _("Cấp ủy cấp trên xếp loại lại: %(level)s") % {"level": review.get_final_level_display()},
                _("%(body)s xếp loại lại kết quả của đồng chí từ “%(old)s” thành “%(new)s”. Lý do: %(reason)s")
                % {
                    "body": superior.name,
                    "old": previous_level,
                    "new": review.get_final_level_display(),
                    "reason": change.reason,
                }
                + " "
                + _window_sentence(review, change),
            ),
        )
    # The head of the body whose result it replaces.
    head = programme_access.secretary_user(review.deciding_organisation)
    _tell(
        acting_user,
        [head] if head is not None and head != subject else [],
        NotificationKind.RECLASSIFIED,
        review,
        lambda: (
            _("Cấp ủy cấp trên xếp loại lại: %(name)s") % {"name": review.cadre.full_name},
            _("%(body)s xếp loại lại từ “%(old)s” thành “%(new)s”. Lý do: %(reason)s")
            % {
                "body": superior.name,
                "old": previous_level,
                "new": review.get_final_level_display(),
                "reason": change.reason,
            },
        ),
    )
    _queue_reports_after_change(review)
    return change
