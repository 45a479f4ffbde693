"""The oversight body's first steps on a case: taking it up, turning it down with a reason, or forwarding it to
the party committee managing the cadre for verification."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.access import reader_cell, secretary_user
from programmes.models import NotificationKind, PartyOrganisation, PartyPost, Position, PostKind
from publicity import access
from publicity.audit_actions import FeedbackAction
from publicity.feedback._common import _audit, _counted, _lock_for_handler, _notify_all
from publicity.feedback.routing import _self_and_ancestors
from publicity.feedback.submission import case_by_code
from publicity.models import CaseState, FeedbackCase, RejectionReason


@transaction.atomic
def case_accept(*, case: FeedbackCase, acting_user: User) -> FeedbackCase:
    """The body takes the case up: from now on the cadre sees it (without the sender) and may reply."""
    case = _lock_for_handler(case, acting_user, CaseState.RECEIVED)
    case.state = CaseState.ACCEPTED
    case.accepted_at = timezone.now()
    case.handled_by = acting_user
    case.save(update_fields=["state", "accepted_at", "handled_by"])
    _counted(case)
    _audit(acting_user, FeedbackAction.ACCEPT, case)
    owner = case.programme.owner.user
    if owner is not None:
        _notify_all(
            [owner],
            NotificationKind.FEEDBACK_CASE,
            lambda: (
                _("Có góp ý, phản ánh của Nhân dân về chương trình của đồng chí"),
                _("%(body)s đã tiếp nhận góp ý, phản ánh mã %(code)s. Đồng chí có thể gửi ý kiến của mình.")
                % {"body": case.addressee, "code": case.tracking_code},
            ),
            reverse("oversight:owner_case", args=[case.pk]),
        )
    return case


@transaction.atomic(durable=True)
def case_reject(
    *, case: FeedbackCase, reason: str, note: str, duplicate_code: str = "", acting_user: User
) -> FeedbackCase:
    """Not taken up: abusive, off-topic or a duplicate of another case, with a reason the sender reads."""
    case = _lock_for_handler(case, acting_user, CaseState.RECEIVED, CaseState.ACCEPTED)
    if reason not in RejectionReason.values:
        raise ValidationError({"reason": _("Hãy chọn lý do không tiếp nhận.")})
    if not note.strip():
        raise ValidationError({"note": _("Hãy giải thích lý do để người gửi được biết.")})
    duplicate_of = None
    if reason == RejectionReason.DUPLICATE:
        duplicate_of = case_by_code(duplicate_code)
        if duplicate_of is None or duplicate_of.pk == case.pk or not access.can_handle_case(acting_user, duplicate_of):
            raise ValidationError({"duplicate_code": _("Hãy ghi mã tra cứu của góp ý, phản ánh bị trùng.")})
    case.state = CaseState.REJECTED
    case.rejection_reason = reason
    case.rejection_note = note.strip()
    case.duplicate_of = duplicate_of
    case.handled_by = acting_user
    case.closed_at = timezone.now()
    case.save(update_fields=["state", "rejection_reason", "rejection_note", "duplicate_of", "handled_by", "closed_at"])
    _counted(case)
    _audit(
        acting_user, FeedbackAction.REJECT, case, reason=reason, duplicate_of=duplicate_of.pk if duplicate_of else None
    )
    return case


def managing_committees(case: FeedbackCase) -> list[PartyOrganisation]:
    """Where a case can be forwarded: the cadre's cell and the party bodies above it, the nearest first; not a
    body the cadre leads as its secretary, which would make them verify a case about themselves."""
    bodies = _self_and_ancestors(reader_cell(case.programme))
    led = set(
        Position.objects.current()
        .filter(
            cadre=case.programme.owner_id,
            post_kind=PostKind.PARTY,
            party_post=PartyPost.SECRETARY,
            organisation__in=[body.pk for body in bodies],
        )
        .values_list("organisation_id", flat=True)
    )
    return [body for body in bodies if body.pk not in led]


@transaction.atomic(durable=True)
def case_forward(*, case: FeedbackCase, organisation: PartyOrganisation, note: str, acting_user: User) -> FeedbackCase:
    """Ask the party committee managing the cadre to verify; its secretary and the cadre are told."""
    case = _lock_for_handler(case, acting_user, CaseState.ACCEPTED)
    if organisation.pk not in {committee.pk for committee in managing_committees(case)}:
        raise ValidationError({"organisation": _("Chỉ chuyển được cho tổ chức đảng quản lý cán bộ này.")})
    if not note.strip():
        raise ValidationError({"note": _("Hãy ghi nội dung đề nghị xác minh.")})
    case.state = CaseState.FORWARDED
    case.forwarded_to = organisation
    case.forwarded_at = timezone.now()
    case.forward_note = note.strip()
    case.handled_by = acting_user
    case.save(update_fields=["state", "forwarded_to", "forwarded_at", "forward_note", "handled_by"])
    _counted(case)
    _audit(acting_user, FeedbackAction.FORWARD, case, organisation=organisation.pk)
    secretary = secretary_user(organisation)
    if secretary is not None and secretary.pk != case.programme.owner.user_id:
        _notify_all(
            [secretary],
            NotificationKind.FEEDBACK_FORWARDED,
            lambda: (
                _("%(body)s đề nghị xác minh góp ý, phản ánh của Nhân dân") % {"body": case.addressee},
                _("Về chương trình hành động của đồng chí %(name)s (mã %(code)s): %(note)s")
                % {"name": case.programme.owner.full_name, "code": case.tracking_code, "note": case.forward_note},
            ),
            reverse("programmes:programme_detail", args=[case.programme_id]),
        )
    return case
