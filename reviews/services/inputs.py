"""What others bring to a review: the committee's prompts and the comments (inputs) for the cell to read."""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.action_programmes.evidence import check_upload
from programmes.audit import audit_record
from programmes.models import NotificationKind
from reviews import access as review_access
from reviews.audit_actions import ReviewAction
from reviews.models import InputSource, Review, ReviewInput, ReviewPrompt
from reviews.services._common import _audit, _require, _tell


@transaction.atomic(durable=True)
def prompt_add(*, review: Review, text: str, acting_user: User) -> ReviewPrompt:
    """A gợi ý kiểm điểm from the committee or the secretary, for the member to answer in section IV."""
    _require(
        review_access.can_add_prompt_or_input(acting_user, review),
        _("Đồng chí không được gửi gợi ý kiểm điểm cho đảng viên này."),
    )
    if not text.strip():
        raise ValidationError({"text": _("Hãy ghi nội dung gợi ý.")})
    prompt = ReviewPrompt.objects.create(review=review, text=text.strip(), issued_by=acting_user)
    _audit(acting_user, ReviewAction.PROMPT_ADD, prompt, review=review.pk)
    subject = review.cadre.user
    _tell(
        acting_user,
        [subject] if subject is not None else [],
        NotificationKind.REVIEW_PROMPT,
        review,
        lambda: (_("Gợi ý kiểm điểm: %(period)s") % {"period": review.period.title}, prompt.text),
    )
    return prompt


@transaction.atomic(durable=True)
def input_add(
    *,
    review: Review,
    source: str,
    author: str,
    text: str,
    document: UploadedFile[bytes] | None = None,
    received_on: datetime.date | None = None,
    acting_user: User,
) -> ReviewInput:
    """Attach a comment (residence cell, workplace, leadership, verified citizen feedback) for the cell to read."""
    _require(
        review_access.can_add_prompt_or_input(acting_user, review),
        _("Đồng chí không được thêm ý kiến nhận xét cho bản kiểm điểm này."),
    )
    if source not in InputSource.values:
        raise ValidationError({"source": _("Nguồn nhận xét không hợp lệ.")})
    if not author.strip() or not text.strip():
        raise ValidationError(_("Hãy ghi nơi nhận xét và nội dung nhận xét."))
    entry = ReviewInput(
        review=review,
        source=source,
        author=author.strip(),
        text=text.strip(),
        received_on=received_on or timezone.localdate(),
        added_by=acting_user,
    )
    if document is not None:
        checked = check_upload(document)
        entry.document_sha256 = checked.sha256
        entry.document.save(checked.storage_name, document, save=False)
    entry.save()
    _audit(acting_user, ReviewAction.INPUT_ADD, entry, review=review.pk, source=source, sha256=entry.document_sha256)
    return entry


def input_attach_from_system(
    *, review: Review, source: str, author: str, text: str, added_by: User, received_on: datetime.date | None = None
) -> ReviewInput:
    """Attach an input that another part of the portal hands over on its own (a verified citizen feedback case,
    attached when a period opens): no one asks for it on a page, so no one's permission is checked here; the
    caller has decided it belongs to the review. Audited as a step of the system, naming who handled it."""
    if source not in InputSource.values:
        raise ValueError(source)
    entry = ReviewInput.objects.create(
        review=review,
        source=source,
        author=author.strip()[:255],
        text=text.strip(),
        received_on=received_on or timezone.localdate(),
        added_by=added_by,
    )
    # The system's step: no actor, and no network address of whichever request happened to set it off.
    audit_record(
        actor=None,
        action=ReviewAction.INPUT_ATTACH,
        obj=entry,
        after={"review": review.pk, "source": source, "handled_by": added_by.pk},
        keep_address=False,
    )
    return entry
