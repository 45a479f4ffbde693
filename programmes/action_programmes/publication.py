"""Publication of programmes: who may read a programme beyond its author, and the owner's choices about it.

The five levels (`PublicityLevel`) are ordered; each includes the readers of the ones below. The confirmer
sets the maximum when confirming; the owner chooses the level up to it, and must first give consent before
the programme leaves the party (the Front and the People's Council, then the public). Withdrawing consent
brings the programme back inside the party at once; the internal record stays. A commitment may be shown to
fewer people than its programme (`Commitment.publicity_cap`), never to more, and each piece of evidence is
private unless the owner marks it public.

The predicates `is_public` and `public_commitment` are what the public pages (the publicity app) ask; they
read only fields already on the objects, so they cost no queries.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes import access, outbox, summary_marks
from programmes.action_programmes.announcements import PublicChange, announce
from programmes.action_programmes.public_stamps import public_programme_changed
from programmes.audit import audited_update
from programmes.audit_actions import ProgrammeAction
from programmes.models import (
    ActionProgramme,
    Commitment,
    CommitmentTerms,
    Evidence,
    PublicityLevel,
)
from programmes.models.action_programmes import PUBLISHED_STATES

# Above this level a programme leaves the party, which needs the owner's consent.
INSIDE_PARTY = PublicityLevel.COMMITTEE
# A confirmed programme is always read by its cell, which follows it and reviews the owner against it.
CONFIRMED_FLOOR = PublicityLevel.CELL

PUBLICITY_FIELDS = ("publicity_max", "publicity_level", "publication_consent_at")


# --- What the public pages ask ------------------------------------------------------------------------------


def is_public(programme: ActionProgramme) -> bool:
    """Whether anyone, without logging in, may read `programme`.

    True only when all hold: the owner set the level to PUBLIC (which the confirmer's maximum allowed),
    the owner's consent to publication is in force, a version has been confirmed, and the programme is
    confirmed or closed (a withdrawn programme, or one back in drafting with nothing in force, is not).
    The database keeps the same rule as the stored `ActionProgramme.is_public` (`PUBLIC_RULE`), which the
    public lists filter on; this one answers for a programme in memory, changed or not yet saved.
    """
    return (
        programme.publicity_level >= PublicityLevel.PUBLIC
        and programme.publicity_max >= PublicityLevel.PUBLIC
        and programme.publication_consent_at is not None
        and programme.current_version_id is not None
        and programme.state in PUBLISHED_STATES
    )


def public_commitment(commitment: Commitment, programme: ActionProgramme) -> bool:
    """Whether `commitment` of `programme` may be shown on the public pages.

    The programme must be public (`is_public`) and the commitment's own cap, if any, must not hold it
    below PUBLIC (None means "as the programme"). Pass the programme already loaded, to spare a query.
    Public evidence of the commitment (`Evidence.is_public`) is shown only when this is True.
    """
    if commitment.programme_id != programme.pk:
        return False
    if not is_public(programme):
        return False
    return commitment.publicity_cap is None or commitment.publicity_cap >= PublicityLevel.PUBLIC


# --- What the owner may choose ------------------------------------------------------------------------------


def is_confirmed(programme: ActionProgramme) -> bool:
    """A version has been confirmed and is in force."""
    return programme.current_version_id is not None


def allowed_levels(programme: ActionProgramme) -> list[PublicityLevel]:
    """The levels the owner may choose now, lowest first (what `publicity_set` accepts)."""
    if not is_confirmed(programme):
        return [PublicityLevel.PRIVATE, PublicityLevel.CELL]
    top = programme.publicity_max
    if programme.publication_consent_at is None:
        top = min(top, INSIDE_PARTY)
    return [level for level in PublicityLevel if CONFIRMED_FLOOR <= level <= top]


def allowed_caps(programme: ActionProgramme) -> list[PublicityLevel]:
    """The levels a commitment of `programme` may be held to, lowest first (None, "as the programme", also)."""
    return [level for level in PublicityLevel if CONFIRMED_FLOOR <= level <= programme.publicity_max]


def publication_items(programme: ActionProgramme) -> list[CommitmentTerms]:
    """The commitments in force, in order, each with its evidence (newest first); two queries, none before."""
    if programme.current_version_id is None:
        return []
    evidence = Prefetch("commitment__evidence", queryset=Evidence.objects.order_by("-uploaded_at", "-pk"))
    return list(
        CommitmentTerms.objects.filter(version_id=programme.current_version_id)
        .select_related("commitment")
        .prefetch_related(evidence)
        .order_by("position")
    )


# --- Services -----------------------------------------------------------------------------------------------


def _require_owner(acting_user: User, programme: ActionProgramme) -> None:
    if not access.is_programme_owner(acting_user, programme):
        raise PermissionDenied(_("Chỉ người lập chương trình mới được quyết định việc công khai chương trình."))


def _lock_programme(pk: int) -> ActionProgramme:
    return ActionProgramme.objects.select_for_update().select_related("owner").get(pk=pk)


def _level_label(level: int) -> str:
    return str(PublicityLevel(level).label)


# Regenerates the open-data files (publicity.opendata_files), named so that this base app need not import it.
OPEN_DATA_REFRESH = "publicity.tasks.refresh_open_data"


def open_data_changed() -> None:
    """What the public may download changed: ask, with this transaction, for the open-data files to be
    regenerated. The task skips when a run started after this change, so a burst of changes costs one run."""
    outbox.enqueue(OPEN_DATA_REFRESH, timezone.now().isoformat())


def _update_publicity(acting_user: User, action: str, programme: ActionProgramme, **changes: Any) -> None:
    """Save the programme's publicity `changes` (and its time of last change), audited with all its publicity;
    the open-data files follow when the programme enters or leaves the public."""
    was_public = is_public(programme)
    changes["updated_at"] = timezone.now()
    audited_update(programme, changes, action=action, acting_user=acting_user, recorded=PUBLICITY_FIELDS)
    public_programme_changed(programme.pk, publicity=True)
    if was_public or is_public(programme):
        open_data_changed()
        summary_marks.programme_changed(programme)
    if not was_public and is_public(programme):
        announce(PublicChange.PUBLISHED, programme.pk)


# Not durable, nor consent_give and evidence_publicity_set: the demo seeding publishes inside its one transaction.
@transaction.atomic
def publicity_set(*, programme: ActionProgramme, level: int, acting_user: User) -> ActionProgramme:
    """Set who may read the programme, within the confirmer's maximum and the owner's consent.

    Before its first confirmation a programme stays private or in the cell; once confirmed it is read by
    the cell at least. Above the party committees (the Front and People's Council, the public) the owner's
    consent must be given first. Choosing the level it already has changes nothing and records nothing.
    """
    programme = _lock_programme(programme.pk)
    _require_owner(acting_user, programme)
    if level not in PublicityLevel.values:
        raise ValidationError({"level": _("Mức độ công khai không hợp lệ.")})
    if level > PublicityLevel.CELL and not is_confirmed(programme):
        raise ValidationError({"level": _("Chương trình chưa được xác nhận chỉ để riêng tư hoặc trong nội bộ chi bộ.")})
    if level > programme.publicity_max:
        raise ValidationError(
            {
                "level": _("Người xác nhận chỉ cho phép công khai tối đa đến mức “%(max)s”.")
                % {"max": _level_label(programme.publicity_max)}
            }
        )
    if level > INSIDE_PARTY and programme.publication_consent_at is None:
        raise ValidationError(
            {
                "level": _(
                    "Muốn công khai ở mức “%(level)s”, trước hết đồng chí cần đồng ý công khai chương trình "
                    "(mục “Đồng ý công khai” trên trang này)."
                )
                % {"level": _level_label(level)}
            }
        )
    if level < CONFIRMED_FLOOR and is_confirmed(programme):
        raise ValidationError(
            {"level": _("Chương trình đã được xác nhận luôn được chi bộ theo dõi; không để riêng tư được.")}
        )
    if level == programme.publicity_level:
        return programme
    _update_publicity(acting_user, ProgrammeAction.PUBLICITY, programme, publicity_level=level)
    return programme


@transaction.atomic
def consent_give(*, programme: ActionProgramme, acting_user: User) -> ActionProgramme:
    """Record the owner's consent to publish the programme beyond the party; the level itself is not raised."""
    programme = _lock_programme(programme.pk)
    _require_owner(acting_user, programme)
    if not is_confirmed(programme):
        raise ValidationError(_("Chỉ đồng ý công khai được khi chương trình đã được xác nhận."))
    if programme.publication_consent_at is not None:
        raise ValidationError(_("Đồng chí đã đồng ý công khai chương trình này rồi."))
    _update_publicity(acting_user, ProgrammeAction.CONSENT_GIVE, programme, publication_consent_at=timezone.now())
    return programme


@transaction.atomic(durable=True)
def consent_withdraw(*, programme: ActionProgramme, acting_user: User) -> ActionProgramme:
    """Withdraw the consent: the programme comes back inside the party at once (the Front, the People's
    Council and the public no longer see it); everything recorded inside the party stays."""
    programme = _lock_programme(programme.pk)
    _require_owner(acting_user, programme)
    if programme.publication_consent_at is None:
        raise ValidationError(_("Chương trình chưa có sự đồng ý công khai nào để rút lại."))
    _update_publicity(
        acting_user,
        ProgrammeAction.CONSENT_WITHDRAW,
        programme,
        publication_consent_at=None,
        publicity_level=min(programme.publicity_level, INSIDE_PARTY),
    )
    return programme


# Not durable: the items form saves every cap and flag of the page in one transaction, all or none.
@transaction.atomic
def commitment_publicity_set(*, commitment: Commitment, cap: int | None, acting_user: User) -> Commitment:
    """Hold one commitment to fewer readers than its programme (`cap`), or None to follow the programme.

    A cap may not be above the programme's maximum: a commitment is lowered, never raised above its programme.
    """
    programme = _lock_programme(commitment.programme_id)
    _require_owner(acting_user, programme)
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    if cap is not None:
        if cap not in PublicityLevel.values:
            raise ValidationError({"cap": _("Mức độ công khai không hợp lệ.")})
        if cap > programme.publicity_max:
            raise ValidationError(
                {
                    "cap": _(
                        "Một nội dung cam kết không được công khai rộng hơn chương trình: mức tối đa là “%(max)s”."
                    )
                    % {"max": _level_label(programme.publicity_max)}
                }
            )
        if cap < CONFIRMED_FLOOR:
            raise ValidationError({"cap": _("Nội dung cam kết luôn được chi bộ theo dõi; không để riêng tư được.")})
    if cap == commitment.publicity_cap:
        return commitment
    public_programme_changed(programme.pk)
    if is_public(programme):
        open_data_changed()
        summary_marks.programme_changed(programme)
    return audited_update(
        commitment,
        {"publicity_cap": cap},
        action=ProgrammeAction.COMMITMENT_PUBLICITY,
        acting_user=acting_user,
        recorded=("programme", "publicity_cap"),
    )


@transaction.atomic
def evidence_publicity_set(*, evidence: Evidence, is_public: bool, acting_user: User) -> Evidence:
    """Mark a file or link public or private. Public evidence reaches the public pages only when its
    programme and commitment are public there (`public_commitment`)."""
    evidence = Evidence.objects.select_for_update().select_related("commitment__programme__owner").get(pk=evidence.pk)
    _require_owner(acting_user, evidence.commitment.programme)
    if evidence.is_public == is_public:
        return evidence
    public_programme_changed(evidence.commitment.programme_id)
    return audited_update(
        evidence,
        {"is_public": is_public},
        action=ProgrammeAction.EVIDENCE_PUBLICITY,
        acting_user=acting_user,
        recorded=("commitment", "is_public"),
    )
