"""The commitments of a draft version: adding, rewriting, removing and reordering them, with their milestones."""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from programmes.action_programmes import numbering
from programmes.action_programmes.services._common import CONTENT_FIELDS, TERMS_FIELDS, Milestones, _lock_draft
from programmes.audit import audit_record, snapshot
from programmes.audit_actions import ProgrammeAction
from programmes.models import Commitment, CommitmentTerms, Milestone, ProgrammeVersion


def _clean_content(content: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(content) - set(CONTENT_FIELDS)
    if unknown:
        raise ValueError(f"unknown commitment fields: {sorted(unknown)}")
    # The database constraint would only say, in English and for no field, that it was violated.
    weight = content.get("weight")
    if weight is not None and not 1 <= weight <= 100:
        raise ValidationError({"weight": _("Trọng số phải từ 1 đến 100.")})
    return dict(content)


def _set_milestones(terms: CommitmentTerms, milestones: Milestones) -> None:
    terms.milestones.all().delete()
    Milestone.objects.bulk_create(
        Milestone(terms=terms, due_date=due_date, description=description.strip())
        for due_date, description in milestones
    )


@transaction.atomic
def commitment_add(
    *, version: ProgrammeVersion, content: Mapping[str, Any], milestones: Milestones = (), acting_user: User
) -> CommitmentTerms:
    """Add a commitment at the end of a draft version."""
    version = _lock_draft(version, acting_user)
    last = version.terms.aggregate(last=Max("position"))["last"] or 0
    commitment = Commitment.objects.create(programme=version.programme)
    terms = CommitmentTerms(version=version, commitment=commitment, position=last + 1, **_clean_content(content))
    terms.full_clean()
    terms.save()
    _set_milestones(terms, milestones)
    audit_record(
        actor=acting_user, action=ProgrammeAction.COMMITMENT_ADD, obj=terms, after=snapshot(terms, TERMS_FIELDS)
    )
    return terms


@transaction.atomic
def commitment_update(
    *, terms: CommitmentTerms, content: Mapping[str, Any], milestones: Milestones = (), acting_user: User
) -> CommitmentTerms:
    """Rewrite a commitment of a draft version; a confirmed version's commitments are frozen."""
    _lock_draft(terms.version, acting_user)
    before = snapshot(terms, TERMS_FIELDS)
    for name, value in _clean_content(content).items():
        setattr(terms, name, value)
    terms.full_clean()
    terms.save()
    _set_milestones(terms, milestones)
    audit_record(
        actor=acting_user,
        action=ProgrammeAction.COMMITMENT_UPDATE,
        obj=terms,
        before=before,
        after=snapshot(terms, TERMS_FIELDS),
    )
    return terms


@transaction.atomic(durable=True)
def commitment_remove(*, terms: CommitmentTerms, acting_user: User) -> None:
    """Take a commitment out of a draft version; one never confirmed disappears altogether."""
    version = _lock_draft(terms.version, acting_user)
    before = snapshot(terms, TERMS_FIELDS)
    commitment = terms.commitment
    audit_record(actor=acting_user, action=ProgrammeAction.COMMITMENT_REMOVE, obj=terms, before=before)
    terms.delete()
    if not commitment.terms.exists():
        commitment.delete()
    _renumber(list(version.terms.order_by("position", "pk")))


def _renumber(items: list[CommitmentTerms]) -> None:
    """Number the commitments 1, 2, 3… in the order given."""
    for number, item in enumerate(items, start=1):
        item.position = number
    CommitmentTerms.objects.bulk_update(items, ["position"])


@transaction.atomic(durable=True)
def commitment_move(*, terms: CommitmentTerms, offset: int, acting_user: User) -> None:
    """Move a commitment up (offset -1) or down (offset 1) inside its section of a draft version: the commitments
    are numbered and shown by section (`numbering`), so a move across sections would change nothing anyone sees."""
    version = _lock_draft(terms.version, acting_user)
    items = numbering.document_order(version.terms.order_by("position", "pk"))
    index = next(i for i, item in enumerate(items) if item.pk == terms.pk)
    target = index + offset
    if offset not in (-1, 1) or not 0 <= target < len(items) or items[target].category != items[index].category:
        return
    items[index], items[target] = items[target], items[index]
    _renumber(items)
    audit_record(
        actor=acting_user,
        action=ProgrammeAction.COMMITMENT_MOVE,
        obj=terms,
        after={"order": [item.commitment_id for item in items]},
    )
