"""Sending a version to its confirmer, and the confirmer's two answers: returning it with reasons (its correction
opens as the next version) or confirming it (it comes into force and is frozen)."""

from collections.abc import Mapping

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes import summary_marks
from programmes.action_programmes.announcements import PublicChange, announce
from programmes.action_programmes.confirmers import find_confirmer
from programmes.action_programmes.notifications import notify_each
from programmes.action_programmes.public_stamps import public_programme_changed
from programmes.action_programmes.publication import is_public
from programmes.action_programmes.quality import check_version
from programmes.action_programmes.services._common import (
    PROGRAMME_FIELDS,
    VERSION_FIELDS,
    _audit_version,
    _follow_first_version,
    _lock_version,
    _notify_owner,
    _require_confirmer,
    _require_editable,
    _require_open,
    _require_owner,
    _require_submitted,
    _touch,
)
from programmes.action_programmes.services._copying import _copy_terms, _next_number
from programmes.audit import audit_record, snapshot
from programmes.audit_actions import ProgrammeAction
from programmes.models import (
    ActionProgramme,
    CommitmentTerms,
    NotificationKind,
    ProgrammeState,
    ProgrammeVersion,
    PublicityLevel,
    VersionState,
)


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
    _audit_version(acting_user, ProgrammeAction.SUBMIT, version, before=before)

    def text() -> tuple[str, str]:
        what = _("bản điều chỉnh") if version.is_amendment else _("chương trình hành động")
        return (
            _("Chờ xác nhận: %(kind)s của %(owner)s") % {"kind": what, "owner": programme.owner.full_name},
            _("%(owner)s đã gửi “%(title)s” để đồng chí xác nhận.")
            % {"owner": programme.owner.full_name, "title": programme.title},
        )

    notify_each(
        [confirmer.user],
        kind=NotificationKind.PROGRAMME_CONFIRMATION,
        link=reverse("programmes:programme_review", args=[programme.pk, version.number]),
        text=text,
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
        ProgrammeAction.RETURN,
        version,
        before=before,
        return_reason=version.return_reason,
        notes=notes,
        correction=correction.number,
    )
    _notify_owner(
        programme,
        lambda: (
            _("Chương trình được trả lại để sửa: %(title)s") % {"title": programme.title},
            version.return_reason or _("Xem ý kiến ở từng nội dung cam kết."),
        ),
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
    _require_open(programme)
    was_public = is_public(programme)
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
    public_programme_changed(programme.pk, publicity=True)
    # The commitments in force changed, and the owner may now count among the members with a confirmed programme.
    summary_marks.programme_changed(programme, owner_too=first_confirmation)
    # The followers of a public programme hear of its amendment; one entering the public pages is news to its area.
    if is_public(programme) and was_public:
        announce(PublicChange.VERSION, version.pk)
    elif is_public(programme):
        announce(PublicChange.PUBLISHED, programme.pk)
    audit_record(
        actor=acting_user,
        action=ProgrammeAction.CONFIRM,
        obj=version,
        before=before,
        after={**snapshot(programme, PROGRAMME_FIELDS), "version": version.number, "comment": comment.strip()},
    )
    _notify_owner(
        programme,
        lambda: (
            _("Đã xác nhận: %(title)s (phiên bản %(number)s)") % {"title": programme.title, "number": version.number},
            version.confirmation_comment,
        ),
    )
    return version
