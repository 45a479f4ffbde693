"""Closing a case with an answer: what the verification found, the answer the sender reads (and the one e-mail
telling them of it), and the cadre's own reply before that."""

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes import outbox
from programmes.action_programmes.notifications import in_portal_language
from programmes.action_programmes.public_stamps import public_programme_changed
from programmes.mail import send_portal_mail
from programmes.models import NotificationKind
from publicity import access
from publicity.audit_actions import FeedbackAction
from publicity.feedback._common import (
    _audit,
    _case_link,
    _counted,
    _lock,
    _lock_for_handler,
    _notify_all,
)
from publicity.feedback.review_inputs import _attach, _review_taking_inputs
from publicity.feedback.routing import body_accounts
from publicity.models import ATTACHED_VERIFICATIONS, CaseState, FeedbackCase, FeedbackContact, Verification


@transaction.atomic
def case_answer(*, case: FeedbackCase, verification: str, answer: str, acting_user: User) -> FeedbackCase:
    """Record what the verification found and the answer the sender reads; a founded case goes to the review."""
    case = _lock_for_handler(case, acting_user, CaseState.ACCEPTED, CaseState.FORWARDED)
    if verification not in Verification.values:
        raise ValidationError({"verification": _("Hãy chọn kết quả xác minh.")})
    if not answer.strip():
        raise ValidationError({"answer": _("Hãy ghi nội dung trả lời để công khai cho người gửi.")})
    case.state = CaseState.ANSWERED
    case.verification = verification
    case.answer = answer.strip()
    case.answered_at = case.closed_at = timezone.now()
    case.handled_by = acting_user
    case.save(update_fields=["state", "verification", "answer", "answered_at", "closed_at", "handled_by"])
    _counted(case)
    public_programme_changed(case.programme_id)
    _audit(acting_user, FeedbackAction.ANSWER, case, verification=verification)
    if verification in ATTACHED_VERIFICATIONS:
        review = _review_taking_inputs(case)
        if review is not None:
            _attach(case, review)
    owner = case.programme.owner.user
    if owner is not None:
        _notify_all(
            [owner],
            NotificationKind.FEEDBACK_CASE,
            lambda: (
                _("Kết quả xác minh góp ý, phản ánh mã %(code)s") % {"code": case.tracking_code},
                _("Kết quả: %(verification)s.") % {"verification": case.get_verification_display()},
            ),
            reverse("oversight:owner_case", args=[case.pk]),
        )
    if FeedbackContact.objects.filter(case=case).exclude(email="").exists():
        # By the task's name: the task module imports this one.
        outbox.enqueue("publicity.tasks.send_answer_email", case.pk)
    return case


def answer_email_send(*, case_id: int) -> bool:
    """Tell the sender, at most once, that their case has an answer; the e-mail carries the code, not the answer."""
    with transaction.atomic(durable=True):
        contact = FeedbackContact.objects.select_for_update().select_related("case").filter(case=case_id).first()
        if contact is None or not contact.email or contact.answer_emailed_at is not None:
            return False
        case = contact.case
        with in_portal_language():
            subject = _("Góp ý, phản ánh mã %(code)s đã có kết quả") % {"code": case.tracking_code}
            body = _("Xem kết quả xử lý và nội dung trả lời tại: %(link)s") % {
                "link": settings.SITE_URL + reverse("publicity:track_case", args=[case.tracking_code])
            }
        send_portal_mail(subject, body, contact.email)
        contact.answer_emailed_at = timezone.now()
        contact.save(update_fields=["answer_emailed_at"])
    return True


@transaction.atomic(durable=True)
def case_reply(*, case: FeedbackCase, text: str, acting_user: User) -> FeedbackCase:
    """The cadre's own account of the matter, shown to the oversight body and published with the answer."""
    case = _lock(case)
    if not access.can_reply_as_owner(acting_user, case):
        raise PermissionDenied(_("Chỉ cán bộ có chương trình mới gửi được ý kiến, trước khi có kết quả."))
    if not text.strip():
        raise ValidationError({"text": _("Hãy ghi ý kiến của đồng chí.")})
    case.cadre_reply = text.strip()
    case.cadre_replied_at = timezone.now()
    case.save(update_fields=["cadre_reply", "cadre_replied_at"])
    public_programme_changed(case.programme_id)
    _audit(acting_user, FeedbackAction.REPLY, case)
    _notify_all(
        body_accounts(case.area, case.body, case.programme),
        NotificationKind.FEEDBACK_CASE,
        lambda: (
            _("Cán bộ đã gửi ý kiến về góp ý, phản ánh mã %(code)s") % {"code": case.tracking_code},
            case.programme.owner.full_name,
        ),
        _case_link(case),
    )
    return case
