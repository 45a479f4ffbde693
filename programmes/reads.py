"""Reads on the record: when someone opens another person's private data (their record's personal details, a
self-review, a comment on it, a report, minutes, private evidence), one row says who, what, when and from where.

The person sees these rows as "Ai đã xem hồ sơ của tôi"; staff holding VIEW_AUDIT_LOG read them for their
subtree. Writing one costs a single INSERT: the caller passes the organisation it has already loaded.
"""

from django.contrib.auth.models import AnonymousUser, User
from django.db import models

from programmes.audit import current_ip_address
from programmes.models import Cadre, PartyOrganisation, ReadEvent, ReadKind


def read_record(
    *,
    reader: User | AnonymousUser,
    kind: ReadKind,
    subject: Cadre | None,
    obj: models.Model | None = None,
    scope: PartyOrganisation | None = None,
) -> ReadEvent | None:
    """Record that `reader` opened `subject`'s data; nothing when the person reads their own."""
    if not reader.is_authenticated:
        return None
    if subject is not None and subject.user_id is not None and subject.user_id == reader.pk:
        return None
    if obj is None and subject is None:
        raise ValueError("A read event names the person or the object read.")
    return ReadEvent.objects.create(
        reader=reader,
        reader_repr=reader.get_username(),
        kind=kind,
        subject=subject,
        object_id=str(obj.pk if obj is not None else subject.pk),  # type: ignore[union-attr]
        object_repr=str(obj if obj is not None else subject)[:255],
        scope_path=scope.path if scope is not None else "",
        ip_address=current_ip_address.get(),
    )
