"""The citizen's step: sending feedback on a published programme (kept to a rate per network address, stored
once however often the form is sent) and finding a case again by its tracking code."""

import datetime
import hashlib
import hmac
import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programmes import idempotency
from programmes.idempotency import SameForm
from programmes.models import ActionProgramme, Commitment, NotificationKind
from publicity import selectors
from publicity.audit_actions import FeedbackAction
from publicity.feedback._common import _audit, _case_link, _counted, _notify_all
from publicity.feedback.routing import area_for, body_accounts, body_for
from publicity.models import FeedbackCase, FeedbackContact, FeedbackKind

# Letters and digits a person reads back without confusion (no 0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
TEXT_MAX_LENGTH = 2000


class FeedbackThrottled(ValidationError):
    """This address has sent as many cases as the limit allows for now."""


def new_tracking_code() -> str:
    letters = "".join(secrets.choice(CODE_ALPHABET) for _position in range(CODE_LENGTH))
    return f"{letters[:5]}-{letters[5:]}"


def normalise_code(text: str) -> str:
    """What a person typed, in the stored form: upper case, without spaces, with the one dash."""
    letters = "".join(character for character in text.upper() if character.isalnum())
    if len(letters) != CODE_LENGTH:
        return ""
    return f"{letters[:5]}-{letters[5:]}"


def source_digest(address: str) -> str:
    """A keyed digest of the sender's network address: enough to count their submissions, not to recover it."""
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()


def throttle_refusal(digest: str, now: datetime.datetime | None = None) -> str | None:
    """Why this address may not send another case now, or None."""
    now = now or timezone.now()
    for window_minutes, limit in settings.FEEDBACK_RATE_LIMITS:
        since = now - datetime.timedelta(minutes=window_minutes)
        if FeedbackCase.objects.filter(source_digest=digest, submitted_at__gte=since).count() >= limit:
            return _(
                "Bạn đã gửi %(limit)s góp ý, phản ánh trong %(window)s phút qua, là mức tối đa. "
                "Xin vui lòng gửi lại sau; các góp ý đã gửi vẫn được xem xét."
            ) % {"limit": limit, "window": window_minutes}
    return None


ALREADY_SENT = gettext_lazy("Biểu mẫu này đã được gửi một lần. Hãy tải lại trang để gửi góp ý, phản ánh mới.")


def _same_form(
    programme: ActionProgramme, commitment: Commitment | None, kind: str, text: str
) -> SameForm[FeedbackCase]:
    """Whether a case stored with this form's key is what this sending says (else the key is refused)."""
    commitment_id = commitment.pk if commitment is not None else None
    return lambda case: (
        (case.programme_id, case.commitment_id, case.kind, case.text)
        == (programme.pk, commitment_id, kind, text.strip())
    )


@transaction.atomic
def feedback_submit(
    *,
    programme: ActionProgramme,
    commitment: Commitment | None,
    kind: str,
    text: str,
    name: str = "",
    email: str = "",
    phone: str = "",
    source_address: str,
    submission_key: uuid.UUID | None = None,
) -> FeedbackCase:
    """Record a citizen's feedback on a published programme and route it to the oversight body of the area.

    `submission_key` is the form's one-time key: the same form sent again (a double click, a resent page) gets
    back the case it stored, and nothing more is stored, counted or announced.
    """
    same_form = _same_form(programme, commitment, kind, text)
    earlier = idempotency.sent_before(FeedbackCase, submission_key, same_form=same_form, refusal=str(ALREADY_SENT))
    if earlier is not None:
        return earlier
    if not selectors.public_programmes().filter(pk=programme.pk).exists():
        raise ValidationError(_("Chương trình này không còn được công khai, không gửi góp ý được."))
    if (
        commitment is not None
        and not selectors.public_terms().filter(version=programme.current_version_id, commitment=commitment).exists()
    ):
        raise ValidationError({"commitment": _("Nội dung cam kết này không được công khai.")})
    if kind not in FeedbackKind.values:
        raise ValidationError({"kind": _("Hãy chọn góp ý hoặc phản ánh.")})
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Hãy ghi nội dung góp ý, phản ánh.")})
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError({"text": _("Nội dung dài quá %(limit)s ký tự.") % {"limit": TEXT_MAX_LENGTH}})
    digest = source_digest(source_address)
    refusal = throttle_refusal(digest)
    if refusal is not None:
        raise FeedbackThrottled(refusal)
    area = area_for(programme)
    body = body_for(programme)
    name, email, phone = name.strip(), email.strip(), phone.strip()
    case = idempotency.create_once(
        FeedbackCase,
        submission_key,
        lambda: FeedbackCase.objects.create(
            programme=programme,
            commitment=commitment,
            kind=kind,
            text=text,
            tracking_code=new_tracking_code(),
            due_on=timezone.localdate() + datetime.timedelta(days=settings.FEEDBACK_ANSWER_DAYS),
            area=area,
            body=body,
            identified=bool(email or phone),
            source_digest=digest,
            submission_key=submission_key,
        ),
        same_form=same_form,
        refusal=str(ALREADY_SENT),
    )
    if idempotency.was_sent_before(case):
        return case
    if name or email or phone:
        FeedbackContact.objects.create(case=case, name=name, email=email, phone=phone)
    _counted(case)
    _audit(
        None,
        FeedbackAction.SUBMIT,
        case,
        programme=programme.pk,
        commitment=commitment.pk if commitment else None,
        body=body,
        area=area.pk,
    )
    _notify_all(
        body_accounts(area, body, programme),
        NotificationKind.FEEDBACK_CASE,
        lambda: (
            _("Góp ý, phản ánh mới về chương trình của %(name)s") % {"name": programme.owner.full_name},
            _("Mã %(code)s, hạn trả lời %(due)s.")
            % {"code": case.tracking_code, "due": case.due_on.strftime("%d/%m/%Y")},
        ),
        _case_link(case),
    )
    return case


def case_by_code(code: str) -> FeedbackCase | None:
    normalised = normalise_code(code)
    if not normalised:
        return None
    return (
        FeedbackCase.objects.select_related("programme__owner", "commitment", "area")
        .filter(tracking_code=normalised)
        .first()
    )
