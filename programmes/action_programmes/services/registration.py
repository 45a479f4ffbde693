"""Registering a programme: what it is for (the occasion, the post, the term), checked, and changed until its first
confirmation."""

import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.action_programmes.notifications import in_portal_language
from programmes.action_programmes.services._common import (
    PROGRAMME_FIELDS,
    REGISTRATION_FIELDS,
    _require_editable,
    _require_owner,
    _touch,
)
from programmes.audit import audit_record, snapshot
from programmes.audit_actions import ProgrammeAction
from programmes.models import ActionProgramme, Cadre, Occasion, Position, PostKind, ProgrammeVersion


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
        raise ValidationError(_("Đồng chí chưa sinh hoạt ở chi bộ nào trên cổng; hãy liên hệ Ban Tổ chức."))
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
        actor=acting_user, action=ProgrammeAction.CREATE, obj=programme, after=snapshot(programme, PROGRAMME_FIELDS)
    )
    return programme


@transaction.atomic(durable=True)
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
        action=ProgrammeAction.UPDATE,
        obj=programme,
        before=before,
        after=snapshot(programme, PROGRAMME_FIELDS),
    )
    return programme
