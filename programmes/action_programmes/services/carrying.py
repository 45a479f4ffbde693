"""Carrying unfinished commitments of the owner's earlier programmes into the draft of a new one."""

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from programmes.action_programmes.carrying import CARRIED_FROM_STATES, commitment_numbers_in_force, in_force_terms
from programmes.action_programmes.services._common import CONTENT_FIELDS, _lock_draft
from programmes.action_programmes.services.commitments import commitment_add
from programmes.audit import audit_record
from programmes.audit_actions import ProgrammeAction
from programmes.models import ActionProgramme, Commitment, CommitmentTerms, ProgressStatus, VersionState


def _named(terms: CommitmentTerms, number: str) -> dict[str, str]:
    return {"number": number, "statement": terms.statement[:80], "programme": terms.commitment.programme.title}


def _refusal(
    commitment: Commitment | None, terms: CommitmentTerms | None, number: str, target: ActionProgramme
) -> str | None:
    """Why this commitment may not be carried into `target`, naming it; None when it may."""
    if commitment is None:
        return _("Một nội dung cam kết đã chọn không còn nữa; hãy tải lại trang và chọn lại.")
    if commitment.programme.owner_id != target.owner_id:
        # Another cadre's commitment: nothing of it is named.
        return _("Một nội dung cam kết đã chọn không thuộc chương trình của đồng chí nên không chuyển tiếp được.")
    if terms is None or commitment.programme.state not in CARRIED_FROM_STATES:
        return _(
            "Một nội dung cam kết đã chọn không thuộc chương trình đã xác nhận hoặc đã kết thúc của đồng chí nên "
            "không chuyển tiếp được."
        )
    if commitment.programme_id == target.pk:
        return _("Nội dung cam kết %(number)s “%(statement)s” đã thuộc chương trình này.") % _named(terms, number)
    if commitment.status in ProgressStatus.finished_values():
        return _(
            "Nội dung cam kết %(number)s “%(statement)s” của chương trình “%(programme)s” đã ở tình trạng "
            "“%(status)s”, không còn là cam kết chưa hoàn thành nên không chuyển tiếp."
        ) % {**_named(terms, number), "status": commitment.get_status_display()}
    carried_into = Commitment.objects.filter(carried_from=commitment).select_related("programme").first()
    if carried_into is not None:
        # A promise carries on in one programme only: the copy, not the original, is carried further.
        return _(
            "Nội dung cam kết %(number)s “%(statement)s” của chương trình “%(programme)s” đã được chuyển tiếp vào "
            "chương trình “%(into)s”; không chuyển tiếp lần thứ hai."
        ) % {**_named(terms, number), "into": carried_into.programme.title}
    return None


def _deadline_within(terms: CommitmentTerms, target: ActionProgramme) -> dict[str, object]:
    """The earlier deadline, when it falls in the new term; else none, for the owner to set anew."""
    deadline = terms.deadline
    inside = deadline is not None and target.term_start <= deadline <= target.term_end
    return {"deadline": deadline if inside else None}


@transaction.atomic
def carry_commitments(
    *, actor: User, target_programme: ActionProgramme, commitments: Sequence[Commitment]
) -> list[CommitmentTerms]:
    """Copy the owner's unfinished commitments of earlier confirmed or closed programmes into the draft of
    `target_programme`, each as a new commitment that records the one it carries on (`carried_from`) and keeps its
    publicity cap. A commitment is carried once, into one programme. Every one is checked before any is copied: one
    refused, none is carried."""
    draft = target_programme.versions.filter(state=VersionState.DRAFT).first()
    if draft is None:
        raise ValidationError(_("Chỉ chuyển tiếp được cam kết vào chương trình đang ở bản nháp."))
    draft = _lock_draft(draft, actor)
    target = draft.programme
    chosen = list(dict.fromkeys(commitment.pk for commitment in commitments))
    if not chosen:
        raise ValidationError(_("Chưa chọn nội dung cam kết nào để chuyển tiếp."))
    found = {
        commitment.pk: commitment
        for commitment in Commitment.objects.filter(pk__in=chosen).select_related("programme").select_for_update()
    }
    terms = in_force_terms(found)
    numbers = commitment_numbers_in_force(terms.values())
    refusals = [
        refusal
        for pk in chosen
        if (refusal := _refusal(found.get(pk), terms.get(pk), numbers.get(pk, ""), target)) is not None
    ]
    if refusals:
        raise ValidationError(refusals)
    carried = []
    for pk in chosen:
        source = terms[pk]
        content = {name: getattr(source, name) for name in CONTENT_FIELDS} | _deadline_within(source, target)
        new_terms = commitment_add(version=draft, content=content, acting_user=actor)
        # The owner's cap on who reads the commitment goes with it: what they kept to their cell stays kept.
        cap = found[pk].publicity_cap
        Commitment.objects.filter(pk=new_terms.commitment_id).update(carried_from=found[pk], publicity_cap=cap)
        new_terms.commitment.carried_from = found[pk]
        new_terms.commitment.publicity_cap = cap
        audit_record(
            actor=actor,
            action=ProgrammeAction.COMMITMENT_CARRY,
            obj=new_terms,
            after={
                "commitment": new_terms.commitment_id,
                "carried_from": pk,
                "from_programme": found[pk].programme_id,
                "from_number": numbers.get(pk, ""),
                "publicity_cap": cap,
            },
        )
        carried.append(new_terms)
    return carried
