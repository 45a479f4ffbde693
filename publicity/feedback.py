"""Citizen feedback as a tracked case: submitted on a public page, handled by the oversight body of the area.

received → accepted → (forwarded to the managing party committee) → answered (true, partly true, untrue)
received or accepted → rejected (abusive, off-topic, duplicate; with a reason)

Each step checks who acts (publicity.access), runs in one transaction and writes its audit event. The audit
events and notifications never carry the sender's contact details. A case verified as true or partly true
becomes an input of the cadre's next review, at once if a review is open for it, else when the next period
opens (reviews.signals.period_opened).
"""

import datetime
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes import outbox
from programmes.access import accounts_holding_role, path_and_above, reader_cell, secretary_user
from programmes.action_programmes.notifications import in_portal_language, notify
from programmes.audit import audit_record
from programmes.mail import send_portal_mail
from programmes.models import (
    ActionProgramme,
    Commitment,
    CommitmentTerms,
    PartyOrganisation,
    PartyPost,
    Position,
    PostKind,
)
from programmes.models.organisations import OrganisationKind
from publicity import access, selectors
from publicity.models import (
    ATTACHED_VERIFICATIONS,
    CaseState,
    FeedbackCase,
    FeedbackContact,
    FeedbackKind,
    OversightBody,
    RejectionReason,
    Verification,
)
from reviews import services as review_services
from reviews.models import InputSource, PeriodState, Review, ReviewInput, ReviewPeriod, ReviewState

# Letters and digits a person reads back without confusion (no 0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
TEXT_MAX_LENGTH = 2000
# A review still takes inputs until the cell has proposed its rating.
REVIEW_STATES_TAKING_INPUTS = (ReviewState.SELF_DRAFTING, ReviewState.SELF_SUBMITTED)


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


def _self_and_ancestors(organisation: PartyOrganisation) -> list[PartyOrganisation]:
    """The organisation and those above it, the nearest first; one query."""
    return list(PartyOrganisation.objects.filter(path__in=path_and_above(organisation.path)).order_by("-depth"))


def area_for(programme: ActionProgramme) -> PartyOrganisation:
    """The ward or commune whose oversight bodies watch the programme's owner; the top of the tree otherwise."""
    ancestors = _self_and_ancestors(reader_cell(programme))
    ward = next((node for node in ancestors if node.kind == OrganisationKind.COMMUNE_COMMITTEE), None)
    return ward if ward is not None else ancestors[-1]


def body_for(programme: ActionProgramme) -> str:
    """An elected deputy answers to the People's Council standing body; every other cadre to the Front."""
    deputy = Position.objects.current().filter(cadre=programme.owner_id, council_deputy=True).exists()
    return OversightBody.COUNCIL if deputy else OversightBody.FRONT


def body_accounts(area: PartyOrganisation, body: str, programme: ActionProgramme) -> list[User]:
    """The accounts of `body` whose grant covers `area` (of the area itself, or of a body above it), but not
    the account of the cadre the case is about."""
    accounts = accounts_holding_role(access.PERSONA_FOR_BODY[OversightBody(body)], area)
    return [account for account in accounts if account.pk != programme.owner.user_id]


def _audit(actor: User | None, action: str, case: FeedbackCase, **after: object) -> None:
    # Never the sender's name, e-mail, phone or network address: the audit trail is read by staff. Steps
    # taken by accounts keep their address, as every other event does.
    audit_record(
        actor=actor, action=action, obj=case, after={"state": case.state, **after}, keep_address=actor is not None
    )


def _lock(case: FeedbackCase) -> FeedbackCase:
    return (
        FeedbackCase.objects.select_for_update(of=("self",))
        .select_related("programme__owner", "area", "commitment")
        .get(pk=case.pk)
    )


def _require_handler(user: User, case: FeedbackCase) -> None:
    if not access.can_handle_case(user, case):
        raise PermissionDenied(_("Bạn không xử lý góp ý, phản ánh của địa bàn này."))


def _require_state(case: FeedbackCase, *states: str) -> None:
    if case.state not in states:
        raise ValidationError(
            _("Góp ý, phản ánh này đang ở trạng thái “%(state)s”, không thực hiện được thao tác này.")
            % {"state": case.get_state_display()}
        )


def _case_link(case: FeedbackCase) -> str:
    return reverse("oversight:case", args=[case.pk])


def _notify_all(recipients: Iterable[User], subject: str, body: str, link: str) -> None:
    """Callers build the text and the link inside in_portal_language(): stored text is in the portal's
    language and links carry no language prefix, whatever language the person acting reads."""
    for recipient in recipients:
        notify(recipient=recipient, subject=subject, body=body, link=link)


# --- The citizen -----------------------------------------------------------------------------------------------


def _sent_before(submission_key: uuid.UUID, programme: ActionProgramme, text: str) -> FeedbackCase | None:
    """The case this form already stored, if any; the key of a form sent with other content is refused."""
    case = FeedbackCase.objects.filter(submission_key=submission_key).first()
    if case is not None and (case.programme_id != programme.pk or case.text != text.strip()):
        raise ValidationError(_("Biểu mẫu này đã được gửi một lần. Hãy tải lại trang để gửi góp ý, phản ánh mới."))
    return case


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
    if submission_key is not None:
        earlier = _sent_before(submission_key, programme, text)
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
    try:
        with transaction.atomic():
            case = FeedbackCase.objects.create(
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
            )
    except IntegrityError:
        # The same form sent twice at once: the other request stored it first (the unique key waited for it).
        earlier = _sent_before(submission_key, programme, text) if submission_key is not None else None
        if earlier is None:
            raise
        return earlier
    if name or email or phone:
        FeedbackContact.objects.create(case=case, name=name, email=email, phone=phone)
    _audit(
        None,
        "feedback.submit",
        case,
        programme=programme.pk,
        commitment=commitment.pk if commitment else None,
        body=body,
        area=area.pk,
    )
    with in_portal_language():
        _notify_all(
            body_accounts(area, body, programme),
            _("Góp ý, phản ánh mới về chương trình của %(name)s") % {"name": programme.owner.full_name},
            _("Mã %(code)s, hạn trả lời %(due)s.")
            % {"code": case.tracking_code, "due": case.due_on.strftime("%d/%m/%Y")},
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


# --- The oversight body ----------------------------------------------------------------------------------------


@transaction.atomic
def case_accept(*, case: FeedbackCase, acting_user: User) -> FeedbackCase:
    """The body takes the case up: from now on the cadre sees it (without the sender) and may reply."""
    case = _lock(case)
    _require_handler(acting_user, case)
    _require_state(case, CaseState.RECEIVED)
    case.state = CaseState.ACCEPTED
    case.accepted_at = timezone.now()
    case.handled_by = acting_user
    case.save(update_fields=["state", "accepted_at", "handled_by"])
    _audit(acting_user, "feedback.accept", case)
    owner = case.programme.owner.user
    if owner is not None:
        with in_portal_language():
            _notify_all(
                [owner],
                _("Có góp ý, phản ánh của Nhân dân về chương trình của đồng chí"),
                _("%(body)s đã tiếp nhận góp ý, phản ánh mã %(code)s. Đồng chí có thể gửi ý kiến của mình.")
                % {"body": case.addressee, "code": case.tracking_code},
                reverse("oversight:owner_case", args=[case.pk]),
            )
    return case


@transaction.atomic
def case_reject(
    *, case: FeedbackCase, reason: str, note: str, duplicate_code: str = "", acting_user: User
) -> FeedbackCase:
    """Not taken up: abusive, off-topic or a duplicate of another case, with a reason the sender reads."""
    case = _lock(case)
    _require_handler(acting_user, case)
    _require_state(case, CaseState.RECEIVED, CaseState.ACCEPTED)
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
    _audit(acting_user, "feedback.reject", case, reason=reason, duplicate_of=duplicate_of.pk if duplicate_of else None)
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


@transaction.atomic
def case_forward(*, case: FeedbackCase, organisation: PartyOrganisation, note: str, acting_user: User) -> FeedbackCase:
    """Ask the party committee managing the cadre to verify; its secretary and the cadre are told."""
    case = _lock(case)
    _require_handler(acting_user, case)
    _require_state(case, CaseState.ACCEPTED)
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
    _audit(acting_user, "feedback.forward", case, organisation=organisation.pk)
    secretary = secretary_user(organisation)
    if secretary is not None and secretary.pk != case.programme.owner.user_id:
        with in_portal_language():
            _notify_all(
                [secretary],
                _("%(body)s đề nghị xác minh góp ý, phản ánh của Nhân dân") % {"body": case.addressee},
                _("Về chương trình hành động của đồng chí %(name)s (mã %(code)s): %(note)s")
                % {"name": case.programme.owner.full_name, "code": case.tracking_code, "note": case.forward_note},
                reverse("programmes:programme_detail", args=[case.programme_id]),
            )
    return case


@transaction.atomic
def case_answer(*, case: FeedbackCase, verification: str, answer: str, acting_user: User) -> FeedbackCase:
    """Record what the verification found and the answer the sender reads; a founded case goes to the review."""
    case = _lock(case)
    _require_handler(acting_user, case)
    _require_state(case, CaseState.ACCEPTED, CaseState.FORWARDED)
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
    _audit(acting_user, "feedback.answer", case, verification=verification)
    if verification in ATTACHED_VERIFICATIONS:
        review = _review_taking_inputs(case)
        if review is not None:
            _attach(case, review)
    owner = case.programme.owner.user
    if owner is not None:
        with in_portal_language():
            _notify_all(
                [owner],
                _("Kết quả xác minh góp ý, phản ánh mã %(code)s") % {"code": case.tracking_code},
                _("Kết quả: %(verification)s.") % {"verification": case.get_verification_display()},
                reverse("oversight:owner_case", args=[case.pk]),
            )
    if FeedbackContact.objects.filter(case=case).exclude(email="").exists():
        # By the task's name: the task module imports this one.
        outbox.enqueue("publicity.tasks.send_answer_email", case.pk)
    return case


def answer_email_send(*, case_id: int) -> bool:
    """Tell the sender, at most once, that their case has an answer; the e-mail carries the code, not the answer."""
    with transaction.atomic():
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


# --- The cadre's right of reply --------------------------------------------------------------------------------


@transaction.atomic
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
    _audit(acting_user, "feedback.reply", case)
    with in_portal_language():
        _notify_all(
            body_accounts(case.area, case.body, case.programme),
            _("Cán bộ đã gửi ý kiến về góp ý, phản ánh mã %(code)s") % {"code": case.tracking_code},
            case.programme.owner.full_name,
            _case_link(case),
        )
    return case


# --- Into the cadre's review -----------------------------------------------------------------------------------


def _review_taking_inputs(case: FeedbackCase) -> Review | None:
    return (
        Review.objects.filter(
            cadre=case.programme.owner_id, period__state=PeriodState.OPEN, state__in=REVIEW_STATES_TAKING_INPUTS
        )
        .select_related("period")
        .order_by("-period__opened_at", "pk")
        .first()
    )


def commitment_statement(case: FeedbackCase, *, public: bool = False) -> str:
    """What the commitment the case is about promises, in the version in force; with `public`, only while
    the commitment is still shown in public."""
    if case.commitment_id is None:
        return ""
    terms = selectors.public_terms() if public else CommitmentTerms.objects.all()
    found = terms.filter(version=case.programme.current_version_id, commitment=case.commitment_id).first()
    return found.statement if found is not None else ""


def _input_text(case: FeedbackCase) -> str:
    lines = [
        _("Góp ý, phản ánh mã %(code)s, nhận ngày %(date)s.")
        % {"code": case.tracking_code, "date": timezone.localtime(case.submitted_at).strftime("%d/%m/%Y")},
    ]
    if case.commitment is not None:
        lines.append(_("Về nội dung cam kết: %(statement)s") % {"statement": commitment_statement(case)})
    lines += [
        _("Nội dung: %(text)s") % {"text": case.text},
        _("Kết quả xác minh: %(verification)s.") % {"verification": case.get_verification_display()},
        _("Trả lời của %(body)s: %(answer)s") % {"body": case.addressee, "answer": case.answer},
    ]
    if case.cadre_reply:
        lines.append(_("Ý kiến của cán bộ: %(reply)s") % {"reply": case.cadre_reply})
    return "\n".join(lines)


def _attach(case: FeedbackCase, review: Review) -> ReviewInput | None:
    """The case becomes an input of `review`, once: the row lock makes a concurrent attachment wait and skip."""
    if FeedbackCase.objects.select_for_update().filter(pk=case.pk, review_input__isnull=False).exists():
        return None
    if case.handled_by is None:  # every answered case has its handler; this tells the type checker
        raise ValueError(case.pk)
    with in_portal_language():
        entry = review_services.input_attach_from_system(
            review=review,
            source=InputSource.CITIZEN_FEEDBACK,
            author=case.addressee,
            text=_input_text(case),
            added_by=case.handled_by,
        )
    case.review_input = entry
    case.save(update_fields=["review_input"])
    _audit(None, "feedback.attach", case, review=review.pk, review_input=entry.pk)
    return entry


def attach_pending(period: ReviewPeriod) -> int:
    """Attach every verified case still waiting to the reviews a newly opened period created for its cadre."""
    waiting = FeedbackCase.objects.filter(
        state=CaseState.ANSWERED, verification__in=ATTACHED_VERIFICATIONS, review_input__isnull=True
    ).select_related("programme__owner", "commitment", "area", "handled_by")
    reviews = {
        review.cadre_id: review
        for review in Review.objects.filter(period=period, state__in=REVIEW_STATES_TAKING_INPUTS).order_by("-pk")
    }
    attached = 0
    for case in waiting.filter(programme__owner__in=list(reviews)):
        if _attach(case, reviews[case.programme.owner_id]) is not None:
            attached += 1
    return attached


@transaction.atomic
def attach_waiting() -> int:
    """Attach every verified case still waiting to a review of its cadre in any open period."""
    return sum(attach_pending(period) for period in ReviewPeriod.objects.filter(state=PeriodState.OPEN))


# --- Data minimisation -----------------------------------------------------------------------------------------


@transaction.atomic
def contacts_purge(now: datetime.datetime | None = None) -> int:
    """Erase the senders' contact details once the retention period has passed, and the address digests once
    the rate limit no longer needs them."""
    now = now or timezone.now()
    retention = datetime.timedelta(days=settings.FEEDBACK_CONTACT_RETENTION_DAYS)
    # Closed for the retention period, or left unanswered that long past the deadline.
    expired = FeedbackCase.objects.filter(
        Q(closed_at__lt=now - retention) | Q(closed_at__isnull=True, due_on__lt=(now - retention).date())
    )
    purged, _by_model = FeedbackContact.objects.filter(case__in=expired).delete()
    # The address digest serves the rate limit only: kept no longer than its longest window.
    longest_window = max(minutes for minutes, _limit in settings.FEEDBACK_RATE_LIMITS)
    FeedbackCase.objects.filter(submitted_at__lt=now - datetime.timedelta(minutes=longest_window)).exclude(
        source_digest=""
    ).update(source_digest="")
    if purged:
        audit_record(actor=None, action="feedback.contacts_purge", after={"contacts": purged})
    return purged
