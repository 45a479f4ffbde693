"""A form's one-time key: the same form sent twice stores one record, and the second sending is answered with it.

A form that creates a record carries a key made when its page is shown (a hidden UUID field, a new one each
time); the record keeps it in a unique, nullable `submission_key` column. Sending the same page again (a double
click, a page resent from the browser's history, a retry after a slow answer) finds the record the first sending
stored, and the service returns it as if it had just stored it: the person sees the one record and its success,
and nothing is stored, counted or announced twice. A key that stored something else (the page sent again with
other content, someone else's key) is refused with a message saying so, and nothing is stored: quietly answering
with the earlier record would lose what the person has just written.

Two sendings at the same moment both find nothing and both insert: the unique key makes the second insert wait
for the first transaction, then fail, and the second sending is answered with the first one's record.
"""

import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

Record = TypeVar("Record", bound=models.Model)
SameForm = Callable[[Record], bool]

# Set on a record found by its key, so that the caller can skip what only a first sending does.
_SENT_BEFORE = "_sent_before_with_this_key"


def sent_before(
    model: type[Record], key: uuid.UUID | None, *, same_form: SameForm[Record], refusal: str
) -> Record | None:
    """The record this form already stored, if any; `same_form(record)` says whether it is this form's content
    (else the key is refused with `refusal`, saying what to do instead)."""
    if key is None:
        return None
    earlier = model._default_manager.filter(submission_key=key).first()
    if earlier is None:
        return None
    if not same_form(earlier):
        raise ValidationError(refusal, code="already_sent")
    setattr(earlier, _SENT_BEFORE, True)
    return earlier


def create_once(
    model: type[Record],
    key: uuid.UUID | None,
    create: Callable[[], Record],
    *,
    same_form: SameForm[Record],
    refusal: str,
) -> Record:
    """`create()` the record in a savepoint; when the same form sent at the same moment stored it first (the
    unique key waited for that transaction), that sending's record instead."""
    try:
        with transaction.atomic():
            return create()
    except IntegrityError:
        earlier = sent_before(model, key, same_form=same_form, refusal=refusal)
        if earlier is None:
            raise
        return earlier


def was_sent_before(record: models.Model) -> bool:
    """Whether the service answered with a record an earlier sending of the same form stored."""
    return bool(getattr(record, _SENT_BEFORE, False))
