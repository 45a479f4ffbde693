"""Every change to a programme: registration, editing a draft, submission, return, confirmation, amendment.

Each service checks who acts and the rules, runs in one transaction and writes its audit event.
Sent content is never edited in place: a change to a confirmed programme is a new version (an amendment)
confirmed like the first, and until then the confirmed version stays in force; a returned version stays
as it was sent, with the reasons, and its correction is the next version.
"""

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes import access
from programmes.action_programmes.confirmers import find_confirmer
from programmes.action_programmes.notifications import in_portal_language, notify
from programmes.action_programmes.quality import check_version
from programmes.audit import audit_record, snapshot
from programmes.models import (
    ActionProgramme,
    Cadre,
    Commitment,
    CommitmentTerms,
    Milestone,
    Occasion,
    Position,
    PostKind,
    ProgrammeState,
    ProgrammeVersion,
    PublicityLevel,
    VersionState,
)
from programmes.models.action_programmes import PENDING_VERSION_STATES

# What the owner may change before the first confirmation, as programme_update stores it.
REGISTRATION_FIELDS = (
    "occasion",
    "title",
    "position",
    "position_title",
    "organisation",
    "organisation_name",
    "term_start",
    "term_end",
)
PROGRAMME_FIELDS = ("owner", *REGISTRATION_FIELDS, "state", "current_version", "publicity_max", "publicity_level")
VERSION_FIELDS = (
    "programme",
    "number",
    "state",
    "amendment_reason",
    "resubmission_of",
    "confirming_organisation",
    "confirmer",
)
# What a cadre writes for one commitment; the form's fields are exactly these.
CONTENT_FIELDS = (
    "category",
    "statement",
    "is_deliverable",
    "indicator",
    "unit",
    "baseline_value",
    "target_value",
    "measures",
    "deadline",
    "evidence_kind",
    "weight",
    "within_own_authority",
)
TERMS_FIELDS = ("version", "commitment", "position", *CONTENT_FIELDS)

Milestones = Sequence[tuple[datetime.date, str]]


# --- Checks shared by the services ---------------------------------------------------------------------------


def _require_owner(acting_user: User, programme: ActionProgramme) -> None:
    if not access.is_programme_owner(acting_user, programme):
        raise PermissionDenied(_("Chỉ người lập chương trình mới được làm việc này."))


def _require_editable(version: ProgrammeVersion) -> None:
    if not version.is_editable:
        raise ValidationError(
            _("Phiên bản này đang ở trạng thái “%(state)s”, không sửa được. Muốn thay đổi, hãy lập bản điều chỉnh.")
            % {"state": version.get_state_display()}
        )


def _require_confirmer(acting_user: User, version: ProgrammeVersion) -> None:
    if access.is_programme_owner(acting_user, version.programme):
        raise PermissionDenied(_("Không ai được tự xác nhận chương trình của chính mình."))
    if not access.can_confirm_version(acting_user, version):
        raise PermissionDenied(_("Bạn không phải người xác nhận chương trình này."))


def _require_submitted(version: ProgrammeVersion) -> None:
    if version.state != VersionState.SUBMITTED:
        raise ValidationError(_("Chương trình không ở trạng thái chờ xác nhận."))


def _lock_version(version: ProgrammeVersion) -> ProgrammeVersion:
    """Re-read the version under a row lock, so that two clicks cannot both change its state."""
    return ProgrammeVersion.objects.select_for_update().select_related("programme__owner").get(pk=version.pk)


def _lock_draft(version: ProgrammeVersion, acting_user: User) -> ProgrammeVersion:
    """The version locked, once it is certain that `acting_user` may change its commitments now."""
    version = _lock_version(version)
    _require_owner(acting_user, version.programme)
    _require_editable(version)
    return version


def _touch(programme: ActionProgramme, *fields: str) -> None:
    programme.updated_at = timezone.now()
    programme.save(update_fields=[*fields, "updated_at"])


def _follow_first_version(programme: ActionProgramme, state: str) -> None:
    """Until its first confirmation a programme stands where its first version stands."""
    if programme.current_version_id is None:
        programme.state = state
        _touch(programme, "state")


def _audit_version(
    acting_user: User, action: str, version: ProgrammeVersion, *, before: dict[str, Any] | None, **extra: Any
) -> None:
    after = {**snapshot(version, VERSION_FIELDS), **extra}
    audit_record(actor=acting_user, action=action, obj=version, before=before, after=after)


def _notify_owner(programme: ActionProgramme, *, subject: str, body: str) -> None:
    """Tell the owner, on their programme's page; call it `in_portal_language` (the texts are stored)."""
    owner_user = programme.owner.user
    if owner_user is not None:
        notify(
            recipient=owner_user,
            subject=subject,
            body=body,
            link=reverse("programmes:programme_detail", args=[programme.pk]),
        )


# --- Registration --------------------------------------------------------------------------------------------


def _check_position(owner: Cadre, position: Position | None) -> None:
    if position is None:
        return
    if position.cadre_id != owner.pk:
        raise ValidationError({"position": _("Chức vụ này không phải của người lập chương trình.")})
    if position.end_date is not None and position.end_date < timezone.localdate():
        raise ValidationError({"position": _("Chức vụ này đã kết thúc.")})


def _check_term(term_start: datetime.date, term_end: datetime.date) -> None:
    if term_end < term_start:
        raise ValidationError({"term_end": _("Ngày kết thúc phải sau ngày bắt đầu.")})


def _place_of(owner: Cadre, position: Position | None) -> tuple[Any, str]:
    """The organisation the programme belongs to, and the post's title as it reads today."""
    if position is not None and position.post_kind == PostKind.PARTY and position.organisation is not None:
        return position.organisation, position.display_title
    membership = owner.current_membership
    if membership is None:
        raise ValidationError(_("Bạn chưa sinh hoạt ở chi bộ nào trên cổng; hãy liên hệ Ban Tổ chức."))
    if position is not None:
        return membership.cell, position.display_title
    # Stored with the programme and printed on it: in the portal's language, not the registering user's.
    with in_portal_language():
        return membership.cell, _("Đảng viên %(cell)s") % {"cell": membership.cell}


def _registration(
    owner: Cadre,
    *,
    occasion: str,
    title: str,
    position: Position | None,
    term_start: datetime.date,
    term_end: datetime.date,
) -> dict[str, Any]:
    """What the programme is for, checked, as the REGISTRATION_FIELDS it is stored in."""
    if occasion not in Occasion.values:
        raise ValidationError({"occasion": _("Lý do lập chương trình không hợp lệ.")})
    _check_position(owner, position)
    _check_term(term_start, term_end)
    organisation, position_title = _place_of(owner, position)
    return {
        "occasion": occasion,
        "title": title.strip(),
        "position": position,
        "position_title": position_title,
        "organisation": organisation,
        "organisation_name": organisation.name,
        "term_start": term_start,
        "term_end": term_end,
    }


@transaction.atomic
def programme_create(
    *,
    owner: Cadre,
    occasion: str,
    title: str,
    position: Position | None,
    term_start: datetime.date,
    term_end: datetime.date,
    acting_user: User,
) -> ActionProgramme:
    """Register a new programme, as a draft with an empty first version."""
    if owner.user_id != acting_user.pk:
        raise PermissionDenied(_("Mỗi người tự lập chương trình hành động của mình."))
    registration = _registration(
        owner, occasion=occasion, title=title, position=position, term_start=term_start, term_end=term_end
    )
    programme = ActionProgramme.objects.create(owner=owner, **registration)
    ProgrammeVersion.objects.create(programme=programme, number=1)
    audit_record(
        actor=acting_user, action="programme.create", obj=programme, after=snapshot(programme, PROGRAMME_FIELDS)
    )
    return programme


@transaction.atomic
def programme_update(
    *,
    programme: ActionProgramme,
    occasion: str,
    title: str,
    position: Position | None,
    term_start: datetime.date,
    term_end: datetime.date,
    acting_user: User,
) -> ActionProgramme:
    """Change what the programme is for; only before its first confirmation."""
    _require_owner(acting_user, programme)
    if programme.current_version_id is not None:
        raise ValidationError(_("Chương trình đã được xác nhận: thông tin chung không sửa được nữa."))
    # The registration as it now stands: version 1, or its correction after a return.
    _require_editable(programme.versions.latest("number"))
    registration = _registration(
        programme.owner, occasion=occasion, title=title, position=position, term_start=term_start, term_end=term_end
    )
    before = snapshot(programme, PROGRAMME_FIELDS)
    for name, value in registration.items():
        setattr(programme, name, value)
    _touch(programme, *REGISTRATION_FIELDS)
    audit_record(
        actor=acting_user,
        action="programme.update",
        obj=programme,
        before=before,
        after=snapshot(programme, PROGRAMME_FIELDS),
    )
    return programme


# --- Commitments of a draft version --------------------------------------------------------------------------


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
    audit_record(actor=acting_user, action="commitment.add", obj=terms, after=snapshot(terms, TERMS_FIELDS))
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
        actor=acting_user, action="commitment.update", obj=terms, before=before, after=snapshot(terms, TERMS_FIELDS)
    )
    return terms


@transaction.atomic
def commitment_remove(*, terms: CommitmentTerms, acting_user: User) -> None:
    """Take a commitment out of a draft version; one never confirmed disappears altogether."""
    version = _lock_draft(terms.version, acting_user)
    before = snapshot(terms, TERMS_FIELDS)
    commitment = terms.commitment
    audit_record(actor=acting_user, action="commitment.remove", obj=terms, before=before)
    terms.delete()
    if not commitment.terms.exists():
        commitment.delete()
    _renumber(list(version.terms.order_by("position", "pk")))


def _renumber(items: list[CommitmentTerms]) -> None:
    """Number the commitments 1, 2, 3… in the order given."""
    for number, item in enumerate(items, start=1):
        item.position = number
    CommitmentTerms.objects.bulk_update(items, ["position"])


@transaction.atomic
def commitment_move(*, terms: CommitmentTerms, offset: int, acting_user: User) -> None:
    """Move a commitment up (offset -1) or down (offset 1) in a draft version."""
    version = _lock_draft(terms.version, acting_user)
    items = list(version.terms.order_by("position", "pk"))
    index = next(i for i, item in enumerate(items) if item.pk == terms.pk)
    target = index + offset
    if offset not in (-1, 1) or not 0 <= target < len(items):
        return
    items[index], items[target] = items[target], items[index]
    _renumber(items)
    audit_record(
        actor=acting_user,
        action="commitment.move",
        obj=terms,
        after={"order": [item.commitment_id for item in items]},
    )


# --- Copying a version ---------------------------------------------------------------------------------------


def _next_number(programme: ActionProgramme) -> int:
    return (programme.versions.aggregate(last=Max("number"))["last"] or 0) + 1


def _copy_terms(source: ProgrammeVersion, version: ProgrammeVersion, *, with_notes: bool = False) -> None:
    """Give `version` the commitments of `source`: the same lasting commitments, so that comparing the two
    pairs them; with `with_notes`, each keeps the confirmer's note on it."""
    olds = list(source.terms.prefetch_related("milestones"))
    # Two inserts whatever the number of commitments: a return or an amendment copies the whole version.
    news = CommitmentTerms.objects.bulk_create(
        CommitmentTerms(
            version=version,
            commitment_id=old.commitment_id,
            position=old.position,
            return_note=old.return_note if with_notes else "",
            **{name: getattr(old, name) for name in CONTENT_FIELDS},
        )
        for old in olds
    )
    Milestone.objects.bulk_create(
        Milestone(terms=new, due_date=milestone.due_date, description=milestone.description.strip())
        for old, new in zip(olds, news, strict=True)
        for milestone in old.milestones.all()
    )


# --- Submission, return, confirmation ------------------------------------------------------------------------


@transaction.atomic
def programme_submit(*, version: ProgrammeVersion, acting_user: User) -> ProgrammeVersion:
    """Send a draft (a first version, a correction after a return, or an amendment) to its confirmer, once it
    passes the quality check."""
    version = _lock_version(version)
    programme = version.programme
    _require_owner(acting_user, programme)
    _require_editable(version)
    findings = check_version(version)
    if findings:
        raise ValidationError([finding.message for finding in findings])
    confirmer = find_confirmer(programme)
    before = snapshot(version, VERSION_FIELDS)
    version.state = VersionState.SUBMITTED
    version.submitted_at = timezone.now()
    version.confirming_organisation = confirmer.organisation
    version.confirmer = confirmer.user
    version.confirmer_title = confirmer.title
    version.save()
    _follow_first_version(programme, ProgrammeState.SUBMITTED)
    _audit_version(acting_user, "programme.submit", version, before=before)
    with in_portal_language():
        kind = _("bản điều chỉnh") if version.is_amendment else _("chương trình hành động")
        notify(
            recipient=confirmer.user,
            subject=_("Chờ xác nhận: %(kind)s của %(owner)s") % {"kind": kind, "owner": programme.owner.full_name},
            body=_("%(owner)s đã gửi “%(title)s” để đồng chí xác nhận.")
            % {"owner": programme.owner.full_name, "title": programme.title},
            link=reverse("programmes:programme_review", args=[programme.pk, version.number]),
        )
    return version


@transaction.atomic
def programme_return(
    *,
    version: ProgrammeVersion,
    reason: str,
    commitment_notes: Mapping[int, str] | None = None,
    acting_user: User,
) -> ProgrammeVersion:
    """Send a submitted version back to its owner, with a reason as a whole and/or per commitment.

    The returned version stays as it was sent, with the reasons; the owner corrects the next version,
    opened here as a draft copy of it (the same commitments, each with its note), and sends that one.
    Returns the returned version.
    """
    version = _lock_version(version)
    _require_confirmer(acting_user, version)
    _require_submitted(version)
    notes = {pk: note.strip() for pk, note in (commitment_notes or {}).items() if note.strip()}
    if not reason.strip() and not notes:
        raise ValidationError({"reason": _("Hãy ghi lý do trả lại, chung hoặc cho từng nội dung cam kết.")})
    before = snapshot(version, VERSION_FIELDS)
    items = list(version.terms.all())
    for item in items:
        item.return_note = notes.get(item.pk, "")
    CommitmentTerms.objects.bulk_update(items, ["return_note"])
    version.state = VersionState.RETURNED
    version.returned_at = timezone.now()
    version.return_reason = reason.strip()
    version.save(update_fields=["state", "returned_at", "return_reason"])
    programme = version.programme
    correction = ProgrammeVersion.objects.create(
        programme=programme,
        number=_next_number(programme),
        amendment_reason=version.amendment_reason,
        resubmission_of=version,
    )
    _copy_terms(version, correction, with_notes=True)
    _follow_first_version(programme, ProgrammeState.RETURNED)
    _audit_version(
        acting_user,
        "programme.return",
        version,
        before=before,
        return_reason=version.return_reason,
        notes=notes,
        correction=correction.number,
    )
    with in_portal_language():
        _notify_owner(
            programme,
            subject=_("Chương trình được trả lại để sửa: %(title)s") % {"title": programme.title},
            body=version.return_reason or _("Xem ý kiến ở từng nội dung cam kết."),
        )
    return version


@transaction.atomic
def programme_confirm(
    *, version: ProgrammeVersion, publicity_max: int, comment: str = "", acting_user: User
) -> ProgrammeVersion:
    """Confirm a submitted version: it comes into force, the one before it is superseded, and it is frozen."""
    version = _lock_version(version)
    _require_confirmer(acting_user, version)
    _require_submitted(version)
    if publicity_max not in PublicityLevel.values or publicity_max < PublicityLevel.CELL:
        raise ValidationError({"publicity_max": _("Mức độ công khai tối đa không hợp lệ.")})
    findings = check_version(version)
    if findings:
        raise ValidationError([finding.message for finding in findings])
    programme = ActionProgramme.objects.select_for_update().get(pk=version.programme_id)
    before = snapshot(programme, PROGRAMME_FIELDS)
    if programme.current_version_id is not None:
        ProgrammeVersion.objects.filter(pk=programme.current_version_id).update(state=VersionState.SUPERSEDED)
    version.terms.update(return_note="")
    version.state = VersionState.CONFIRMED
    version.confirmed_at = timezone.now()
    version.confirmed_by = acting_user
    version.confirmation_comment = comment.strip()
    version.save(update_fields=["state", "confirmed_at", "confirmed_by", "confirmation_comment"])
    first_confirmation = programme.current_version_id is None
    programme.current_version = version
    programme.state = ProgrammeState.CONFIRMED
    programme.publicity_max = publicity_max
    # Committees see a confirmed programme by default; going further is the owner's consent to give.
    default_level = PublicityLevel.COMMITTEE if first_confirmation else programme.publicity_level
    programme.publicity_level = min(default_level, publicity_max)
    _touch(programme, "current_version", "state", "publicity_max", "publicity_level")
    audit_record(
        actor=acting_user,
        action="programme.confirm",
        obj=version,
        before=before,
        after={**snapshot(programme, PROGRAMME_FIELDS), "version": version.number, "comment": comment.strip()},
    )
    with in_portal_language():
        _notify_owner(
            programme,
            subject=_("Đã xác nhận: %(title)s (phiên bản %(number)s)")
            % {"title": programme.title, "number": version.number},
            body=version.confirmation_comment,
        )
    return version


# --- Amendments and withdrawal -------------------------------------------------------------------------------


@transaction.atomic
def amendment_start(*, programme: ActionProgramme, reason: str, acting_user: User) -> ProgrammeVersion:
    """Open a new version as a copy of the one in force; the one in force stays until this one is confirmed."""
    programme = ActionProgramme.objects.select_for_update().select_related("owner").get(pk=programme.pk)
    _require_owner(acting_user, programme)
    if programme.current_version is None or programme.state != ProgrammeState.CONFIRMED:
        raise ValidationError(_("Chỉ điều chỉnh được chương trình đã được xác nhận và đang thực hiện."))
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy ghi lý do điều chỉnh.")})
    if programme.versions.filter(state__in=PENDING_VERSION_STATES).exists():
        raise ValidationError(_("Chương trình đang có một bản điều chỉnh chưa được xác nhận."))
    version = ProgrammeVersion.objects.create(
        programme=programme, number=_next_number(programme), amendment_reason=reason.strip()
    )
    _copy_terms(programme.current_version, version)
    _audit_version(acting_user, "programme.amend", version, before=None, reason=version.amendment_reason)
    return version


@transaction.atomic
def version_withdraw(*, version: ProgrammeVersion, acting_user: User) -> ProgrammeVersion:
    """Withdraw a version not yet confirmed; withdrawing the first one withdraws the programme."""
    version = _lock_version(version)
    programme = version.programme
    _require_owner(acting_user, programme)
    if version.state not in PENDING_VERSION_STATES:
        raise ValidationError(_("Chỉ rút được phiên bản chưa được xác nhận."))
    before = snapshot(version, VERSION_FIELDS)
    version.state = VersionState.WITHDRAWN
    version.save(update_fields=["state"])
    _follow_first_version(programme, ProgrammeState.WITHDRAWN)
    _audit_version(acting_user, "programme.withdraw", version, before=before)
    return version
