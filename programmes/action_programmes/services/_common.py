"""What the programme services share: the fields their audit events record, the checks of who acts and of the
version's state, the row lock, and the owner's notification."""

import datetime
from collections.abc import Callable, Sequence
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes import access
from programmes.action_programmes.notifications import notify_each
from programmes.audit import audit_record, snapshot
from programmes.models import ActionProgramme, NotificationKind, ProgrammeState, ProgrammeVersion, VersionState

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


def _require_owner(acting_user: User, programme: ActionProgramme) -> None:
    if not access.is_programme_owner(acting_user, programme):
        raise PermissionDenied(_("Chỉ người lập chương trình mới được làm việc này."))


def _require_open(programme: ActionProgramme) -> None:
    """A closed programme is finished: nothing of it is edited, sent or confirmed any more."""
    if programme.state == ProgrammeState.CLOSED:
        raise ValidationError(_("Chương trình đã kết thúc; không sửa, gửi hay xác nhận thêm được."))


def _require_editable(version: ProgrammeVersion) -> None:
    _require_open(version.programme)
    if not version.is_editable:
        raise ValidationError(
            _("Phiên bản này đang ở trạng thái “%(state)s”, không sửa được. Muốn thay đổi, hãy lập bản điều chỉnh.")
            % {"state": version.get_state_display()}
        )


def confirmer_refusal(acting_user: User, version: ProgrammeVersion) -> str | None:
    """Why `acting_user` may not return or confirm `version`, or None when they may; the review page asks it too,
    so that the page and the service refuse the same people with the same words."""
    if access.is_programme_owner(acting_user, version.programme):
        return _("Không ai được tự xác nhận chương trình của chính mình.")
    if not access.can_confirm_version(acting_user, version):
        return _("Đồng chí không phải người xác nhận chương trình này.")
    return None


def _require_confirmer(acting_user: User, version: ProgrammeVersion) -> None:
    refusal = confirmer_refusal(acting_user, version)
    if refusal is not None:
        raise PermissionDenied(refusal)


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
    acting_user: User | None, action: str, version: ProgrammeVersion, *, before: dict[str, Any] | None, **extra: Any
) -> None:
    after = {**snapshot(version, VERSION_FIELDS), **extra}
    audit_record(actor=acting_user, action=action, obj=version, before=before, after=after)


def _notify_owner(programme: ActionProgramme, text: Callable[[], tuple[str, str]]) -> None:
    """Tell the owner, on their programme's page, what `text()` writes (subject and body) in their language."""
    owner_user = programme.owner.user
    if owner_user is not None:
        notify_each(
            [owner_user],
            kind=NotificationKind.PROGRAMME_CONFIRMATION,
            link=reverse("programmes:programme_detail", args=[programme.pk]),
            text=text,
        )
