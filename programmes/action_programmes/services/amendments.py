"""Changing a confirmed programme by an amendment (a new version, confirmed like the first, while the one in force
stays), and withdrawing a version not yet confirmed."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from programmes.action_programmes.services._common import (
    VERSION_FIELDS,
    _audit_version,
    _follow_first_version,
    _lock_version,
    _require_owner,
)
from programmes.action_programmes.services._copying import _copy_terms, _next_number
from programmes.audit import snapshot
from programmes.audit_actions import ProgrammeAction
from programmes.models import ActionProgramme, ProgrammeState, ProgrammeVersion, VersionState
from programmes.models.action_programmes import PENDING_VERSION_STATES


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
    _audit_version(acting_user, ProgrammeAction.AMEND, version, before=None, reason=version.amendment_reason)
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
    _audit_version(acting_user, ProgrammeAction.WITHDRAW, version, before=before)
    return version
