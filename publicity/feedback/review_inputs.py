"""A case verified as true or partly true becomes an input of the cadre's review: at once if a review of theirs
is open and still taking inputs, else when the next period opens (reviews.signals.period_opened)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.action_programmes import numbering
from programmes.action_programmes.notifications import in_portal_language
from programmes.models import CommitmentTerms
from publicity import selectors
from publicity.audit_actions import FeedbackAction
from publicity.feedback._common import _audit
from publicity.models import ATTACHED_VERIFICATIONS, CaseState, FeedbackCase
from reviews import services as review_services
from reviews.models import InputSource, PeriodState, Review, ReviewInput, ReviewPeriod, ReviewState

# A review still takes inputs until the cell has proposed its rating.
REVIEW_STATES_TAKING_INPUTS = (ReviewState.SELF_DRAFTING, ReviewState.SELF_SUBMITTED)


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
    """What the commitment the case is about promises, under its number, in the version in force; with `public`,
    only while the commitment is still shown in public."""
    if case.commitment_id is None:
        return ""
    version_id = case.programme.current_version_id
    terms = selectors.public_terms() if public else CommitmentTerms.objects.all()
    found = terms.filter(version=version_id, commitment=case.commitment_id).first()
    if found is None:
        return ""
    # Under the number the public page and the feedback form gave it, among the public commitments ("II.2. …");
    # one no longer public keeps only its words.
    numbers = numbering.commitment_numbers(selectors.public_terms().filter(version=version_id))
    number = numbers.get(found.commitment_id)
    return f"{number}. {found.statement}" if number else found.statement


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
    _audit(None, FeedbackAction.ATTACH, case, review=review.pk, review_input=entry.pk)
    return entry


def attach_pending(period: ReviewPeriod) -> int:
    """Attach every verified case still waiting to the reviews a newly opened period created for its cadre."""
    taking_inputs = Review.objects.filter(period=period, state__in=REVIEW_STATES_TAKING_INPUTS)
    # The cases first, usually none: a ward's thousands of reviews are read only for the cadres with one waiting.
    waiting = list(
        FeedbackCase.objects.filter(
            state=CaseState.ANSWERED,
            verification__in=ATTACHED_VERIFICATIONS,
            review_input__isnull=True,
            programme__owner__in=taking_inputs.values("cadre"),
        ).select_related("programme__owner", "commitment", "area", "handled_by")
    )
    if not waiting:
        return 0
    # The first review of a cadre reviewed in several places: the one in their cell.
    reviews = {
        review.cadre_id: review
        for review in taking_inputs.filter(cadre__in=[case.programme.owner_id for case in waiting]).order_by("-pk")
    }
    attached = 0
    for case in waiting:
        if _attach(case, reviews[case.programme.owner_id]) is not None:
            attached += 1
    return attached


@transaction.atomic(durable=True)
def attach_waiting() -> int:
    """Attach every verified case still waiting to a review of its cadre in any open period."""
    return sum(attach_pending(period) for period in ReviewPeriod.objects.filter(state=PeriodState.OPEN))
