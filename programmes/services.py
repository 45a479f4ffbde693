"""State changes of the organisation tree, memberships, posts and roles.

Each service checks permission through `programmes.access`, keeps the rules, runs in one transaction and writes
an audit event with the object's state before and after. `acting_user=None` is the system itself (a management
command, an import); it is allowed everything, so only trusted code may pass it. They stay plain `atomic`, not the
outermost transaction: they are building blocks for trusted code (organisation_restructure runs organisation_create
inside its own transaction), and no view or task calls them.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from programmes import access
from programmes.access import Action
from programmes.audit import audit_record, audited_update, snapshot
from programmes.audit_actions import RosterAction
from programmes.models import (
    Cadre,
    Membership,
    MembershipStatus,
    OrganisationKind,
    OrganisationSuccession,
    PartyOrganisation,
    PartyPost,
    Position,
    PostKind,
    Role,
    RoleAssignment,
    SuccessionShare,
)

ActingUser = User | None

ORGANISATION_FIELDS = ("name", "code", "kind", "admin_area_code", "valid_from", "valid_to", "path", "depth")
MEMBERSHIP_FIELDS = ("cadre", "cell", "member_type", "status", "start_date", "end_date")
POSITION_FIELDS = (
    "cadre",
    "post_kind",
    "party_post",
    "title",
    "organisation",
    "agency_name",
    "is_head",
    "council_deputy",
    "start_date",
    "end_date",
)
ROLE_FIELDS = ("user", "role", "organisation", "start_date", "end_date")
# Posts an organisation has only one holder of at a time.
SINGLE_HOLDER_POSTS = frozenset({PartyPost.SECRETARY})
SETTABLE_STATUSES = frozenset({MembershipStatus.ACTIVE, MembershipStatus.EXEMPT, MembershipStatus.SUSPENDED})


def _require(acting_user: ActingUser, actions: Iterable[Action], organisation: PartyOrganisation) -> None:
    """Refuse unless the user may do one of `actions` in `organisation`; the system (None) may do everything."""
    if acting_user is None:
        return
    if not any(access.can(acting_user, action, organisation) for action in actions):
        raise PermissionDenied(
            _("Đồng chí không có quyền thực hiện thao tác này tại %(organisation)s.") % {"organisation": organisation}
        )


def _require_superuser(acting_user: ActingUser) -> None:
    if acting_user is not None and not access.acts_on_whole_tree(acting_user):
        raise PermissionDenied(_("Chỉ quản trị hệ thống được tạo tổ chức cấp cao nhất."))


# Organisations ---------------------------------------------------------------------------------------------------


def _check_validity(valid_from: datetime.date | None, valid_to: datetime.date | None) -> None:
    if valid_from and valid_to and valid_to < valid_from:
        raise ValidationError({"valid_to": _("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.")})


def _check_parent_accepts(parent: PartyOrganisation, kind: str) -> None:
    # A cell's members are organised in party groups only; anything else belongs beside the cell, not under it.
    if parent.is_cell and kind != OrganisationKind.PARTY_GROUP:
        raise ValidationError({"parent": _("Dưới chi bộ chỉ có thể lập tổ đảng.")})
    if parent.valid_to is not None:
        raise ValidationError({"parent": _("Tổ chức cấp trên %(parent)s đã hết hiệu lực.") % {"parent": parent}})


def _add_node(parent: PartyOrganisation | None, node: PartyOrganisation) -> PartyOrganisation:
    if parent is None:
        return PartyOrganisation.objects.add_root(instance=node)
    # Treebeard computes the child's path from the parent's stored numchild: read it fresh.
    parent.refresh_from_db()
    return PartyOrganisation.objects.add_child(parent, instance=node)


@transaction.atomic
def organisation_create(
    *,
    parent: PartyOrganisation | None,
    name: str,
    kind: str,
    code: str,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
    admin_area_code: str = "",
    acting_user: ActingUser,
) -> PartyOrganisation:
    """Add an organisation under `parent` (a new root when None: system administrators only)."""
    if parent is None:
        _require_superuser(acting_user)
    else:
        _require(acting_user, [Action.MANAGE_TREE], parent)
        _check_parent_accepts(parent, kind)
    _check_validity(valid_from, valid_to)
    if PartyOrganisation.objects.filter(code=code).exists():
        raise ValidationError({"code": _("Mã tổ chức %(code)s đã được dùng.") % {"code": code}})
    node = PartyOrganisation(
        name=name, kind=kind, code=code, valid_from=valid_from, valid_to=valid_to, admin_area_code=admin_area_code
    )
    node = _add_node(parent, node)
    audit_record(
        actor=acting_user, action=RosterAction.ORGANISATION_CREATE, obj=node, after=snapshot(node, ORGANISATION_FIELDS)
    )
    return node


def _open_children(organisation: PartyOrganisation) -> QuerySet[PartyOrganisation]:
    return PartyOrganisation.objects.filter(
        path__startswith=organisation.path, depth=organisation.depth + 1, valid_to__isnull=True
    )


def _current_memberships_under(organisation: PartyOrganisation) -> QuerySet[Membership]:
    return Membership.objects.filter(end_date__isnull=True, cell__path__startswith=organisation.path)


@transaction.atomic
def organisation_close(
    *, organisation: PartyOrganisation, valid_to: datetime.date, acting_user: ActingUser
) -> PartyOrganisation:
    """End an organisation's validity. Refused while it still has open sub-organisations or current members."""
    _require(acting_user, [Action.MANAGE_TREE], organisation)
    if organisation.valid_to is not None:
        raise ValidationError(_("%(organisation)s đã hết hiệu lực từ trước.") % {"organisation": organisation})
    _check_validity(organisation.valid_from, valid_to)
    if _open_children(organisation).exists():
        raise ValidationError(_("Còn tổ chức trực thuộc đang hoạt động: hãy giải thể hoặc chuyển chúng trước."))
    remaining = _current_memberships_under(organisation).count()
    if remaining:
        raise ValidationError(
            _("Còn %(count)d đảng viên đang sinh hoạt: hãy chuyển sinh hoạt trước khi giải thể.") % {"count": remaining}
        )
    return _close(organisation, valid_to, acting_user)


def _close(organisation: PartyOrganisation, valid_to: datetime.date, acting_user: ActingUser) -> PartyOrganisation:
    return audited_update(
        organisation,
        {"valid_to": valid_to},
        action=RosterAction.ORGANISATION_CLOSE,
        acting_user=acting_user,
        recorded=ORGANISATION_FIELDS,
    )


@dataclass
class RestructureResult:
    """The successor, and what still sits in the closed organisations for a person to move deliberately."""

    successor: PartyOrganisation
    memberships_to_move: list[Membership] = field(default_factory=list)
    positions_to_move: list[Position] = field(default_factory=list)
    children_to_move: list[PartyOrganisation] = field(default_factory=list)


def _check_restructure(
    organisations: Sequence[PartyOrganisation], parent: PartyOrganisation, on: datetime.date
) -> None:
    if not organisations:
        raise ValidationError(_("Chọn ít nhất một tổ chức để sắp xếp."))
    if len({o.pk for o in organisations}) != len(organisations):
        raise ValidationError(_("Một tổ chức được chọn hai lần."))
    for organisation in organisations:
        if not organisation.is_active_on(on):
            raise ValidationError(
                _("%(organisation)s không còn hiệu lực vào ngày %(day)s.") % {"organisation": organisation, "day": on}
            )
        if organisation.contains(parent):
            raise ValidationError(
                {"parent": _("Tổ chức cấp trên không được nằm trong %(o)s, tổ chức sẽ giải thể.") % {"o": organisation}}
            )
    for organisation in organisations:
        if any(other.pk != organisation.pk and other.contains(organisation) for other in organisations):
            raise ValidationError(_("%(o)s nằm trong một tổ chức khác được chọn.") % {"o": organisation})


def _what_remains(
    organisations: Sequence[PartyOrganisation],
) -> tuple[list[Membership], list[Position], list[PartyOrganisation]]:
    paths = Q()
    for organisation in organisations:
        paths |= Q(path__startswith=organisation.path)
    subtree = PartyOrganisation.objects.filter(paths)
    memberships = list(
        Membership.objects.filter(end_date__isnull=True, cell__in=subtree).select_related("cadre", "cell")
    )
    positions = list(Position.objects.filter(end_date__isnull=True, organisation__in=subtree).select_related("cadre"))
    children = [child for organisation in organisations for child in _open_children(organisation)]
    return memberships, positions, children


@transaction.atomic
def organisation_restructure(
    *,
    organisations: Sequence[PartyOrganisation],
    parent: PartyOrganisation,
    name: str,
    kind: str,
    code: str,
    on: datetime.date,
    shares: dict[int, str] | None = None,
    admin_area_code: str = "",
    acting_user: ActingUser,
) -> RestructureResult:
    """Merge `organisations` into a new one under `parent` from `on`: the old ones close the day before.

    `shares` maps an old organisation's pk to SuccessionShare (default full). Members, posts and sub-organisations
    are not moved: they are returned, because each move is a decision a person takes and records.
    """
    for organisation in organisations:
        _require(acting_user, [Action.MANAGE_TREE], organisation)
    _require(acting_user, [Action.MANAGE_TREE], parent)
    _check_restructure(organisations, parent, on)
    shares = shares or {}
    if any(share not in SuccessionShare.values for share in shares.values()):
        raise ValidationError(_("Phần kế thừa không hợp lệ."))
    successor = organisation_create(
        parent=parent,
        name=name,
        kind=kind,
        code=code,
        valid_from=on,
        admin_area_code=admin_area_code,
        acting_user=acting_user,
    )
    for organisation in organisations:
        organisation.refresh_from_db()
        _close(organisation, on - datetime.timedelta(days=1), acting_user)
        link = OrganisationSuccession.objects.create(
            predecessor=organisation,
            successor=successor,
            share=shares.get(organisation.pk, SuccessionShare.FULL),
            effective_on=on,
        )
        audit_record(
            actor=acting_user,
            action=RosterAction.ORGANISATION_SUCCESSION,
            obj=link,
            after=snapshot(link, ("predecessor", "successor", "share", "effective_on")),
        )
    memberships, positions, children = _what_remains(organisations)
    return RestructureResult(successor, memberships, positions, children)


# Memberships -----------------------------------------------------------------------------------------------------

ROSTER_ACTIONS = (Action.IMPORT_ROSTER, Action.MANAGE_TREE)


def _current_membership(cadre: Cadre) -> Membership:
    membership = Membership.objects.filter(cadre=cadre, end_date__isnull=True).select_related("cell").first()
    if membership is None:
        raise ValidationError(_("%(cadre)s không có nơi sinh hoạt hiện tại.") % {"cadre": cadre})
    return membership


@transaction.atomic
def membership_transfer(
    *, cadre: Cadre, to_cell: PartyOrganisation, on: datetime.date, acting_user: ActingUser
) -> Membership:
    """Move a cadre's membership to `to_cell` from `on`: the current one ends the day before, as transferred.

    The acting user must manage both the sending and the receiving cell, since both rosters change.
    """
    current = _current_membership(cadre)
    _require(acting_user, ROSTER_ACTIONS, current.cell)
    _require(acting_user, ROSTER_ACTIONS, to_cell)
    if not to_cell.is_cell:
        raise ValidationError({"to_cell": _("%(o)s không phải là chi bộ.") % {"o": to_cell}})
    if to_cell.pk == current.cell_id:
        raise ValidationError({"to_cell": _("Đảng viên đang sinh hoạt tại chi bộ này.")})
    if not to_cell.is_active_on(on):
        raise ValidationError({"to_cell": _("%(o)s không có hiệu lực vào ngày chuyển.") % {"o": to_cell}})
    if on <= current.start_date:
        raise ValidationError({"on": _("Ngày chuyển phải sau ngày bắt đầu sinh hoạt tại chi bộ hiện tại.")})
    status_before = current.status
    audited_update(
        current,
        {"end_date": on - datetime.timedelta(days=1), "status": MembershipStatus.TRANSFERRED},
        action=RosterAction.MEMBERSHIP_TRANSFER_OUT,
        acting_user=acting_user,
        recorded=MEMBERSHIP_FIELDS,
    )
    arrival = Membership.objects.create(
        cadre=cadre,
        cell=to_cell,
        member_type=current.member_type,
        status=status_before,
        joined_party_on=current.joined_party_on,
        official_on=current.official_on,
        start_date=on,
    )
    audit_record(
        actor=acting_user,
        action=RosterAction.MEMBERSHIP_TRANSFER_IN,
        obj=arrival,
        after=snapshot(arrival, MEMBERSHIP_FIELDS),
    )
    return arrival


@transaction.atomic
def membership_set_status(*, membership: Membership, status: str, acting_user: ActingUser) -> Membership:
    """Set active, exempt or suspended on a current membership. "Transferred" comes only from a transfer."""
    _require(acting_user, ROSTER_ACTIONS, membership.cell)
    if status not in SETTABLE_STATUSES:
        raise ValidationError({"status": _("Tình trạng sinh hoạt không hợp lệ ở đây.")})
    if membership.end_date is not None:
        raise ValidationError(_("Chỉ đổi được tình trạng của nơi sinh hoạt hiện tại."))
    if membership.status == status:
        return membership
    return audited_update(
        membership,
        {"status": status},
        action=RosterAction.MEMBERSHIP_SET_STATUS,
        acting_user=acting_user,
        recorded=MEMBERSHIP_FIELDS,
    )


# Positions -------------------------------------------------------------------------------------------------------


def _position_scope(cadre: Cadre, organisation: PartyOrganisation | None) -> PartyOrganisation:
    if organisation is not None:
        return organisation
    # A government post outside the tree is managed where the cadre's membership is.
    return _current_membership(cadre).cell


def _check_party_post(cadre: Cadre, party_post: str, organisation: PartyOrganisation | None) -> None:
    if organisation is None or party_post not in PartyPost.values:
        raise ValidationError({"party_post": _("Chức vụ Đảng cần có chức vụ và tổ chức đảng.")})
    membership = Membership.objects.filter(
        cadre=cadre, end_date__isnull=True, cell__path__startswith=organisation.path
    ).exists()
    if not membership:
        raise ValidationError(
            {"cadre": _("%(cadre)s không sinh hoạt trong %(o)s.") % {"cadre": cadre, "o": organisation}}
        )
    current = Position.objects.filter(organisation=organisation, party_post=party_post, end_date__isnull=True)
    if current.filter(cadre=cadre).exists():
        raise ValidationError({"party_post": _("Đảng viên đang giữ chức vụ này.")})
    if party_post in SINGLE_HOLDER_POSTS and current.exists():
        raise ValidationError(
            {"party_post": _("%(o)s đã có Bí thư đương nhiệm: hãy kết thúc nhiệm kỳ trước.") % {"o": organisation}}
        )


@transaction.atomic
def position_assign(
    *,
    cadre: Cadre,
    post_kind: str,
    start_date: datetime.date,
    party_post: str = "",
    organisation: PartyOrganisation | None = None,
    title: str = "",
    agency_name: str = "",
    is_head: bool = False,
    acting_user: ActingUser,
) -> Position:
    """Give a cadre a party post in an organisation, or a government post (title, agency, head flag)."""
    _require(acting_user, [Action.MANAGE_TREE], _position_scope(cadre, organisation))
    if post_kind == PostKind.PARTY:
        _check_party_post(cadre, party_post, organisation)
    elif post_kind == PostKind.GOVERNMENT:
        if not title.strip():
            raise ValidationError({"title": _("Chức vụ chính quyền cần có chức danh.")})
    else:
        raise ValidationError({"post_kind": _("Loại chức vụ không hợp lệ.")})
    position = Position.objects.create(
        cadre=cadre,
        post_kind=post_kind,
        party_post=party_post if post_kind == PostKind.PARTY else "",
        organisation=organisation,
        title=title.strip(),
        agency_name=agency_name.strip(),
        is_head=is_head,
        start_date=start_date,
    )
    audit_record(
        actor=acting_user, action=RosterAction.POSITION_ASSIGN, obj=position, after=snapshot(position, POSITION_FIELDS)
    )
    return position


def _end_dated_record(
    record: Position | RoleAssignment,
    *,
    end_date: datetime.date,
    fields: Sequence[str],
    action: str,
    already_ended: str,
    ends_too_early: str,
    acting_user: ActingUser,
) -> None:
    """Close a post or a role on a date, keeping the row as history."""
    if record.end_date is not None:
        raise ValidationError(already_ended)
    if end_date < record.start_date:
        raise ValidationError({"end_date": ends_too_early})
    audited_update(record, {"end_date": end_date}, action=action, acting_user=acting_user, recorded=fields)


@transaction.atomic
def position_end(*, position: Position, end_date: datetime.date, acting_user: ActingUser) -> Position:
    _require(acting_user, [Action.MANAGE_TREE], _position_scope(position.cadre, position.organisation))
    _end_dated_record(
        position,
        end_date=end_date,
        fields=POSITION_FIELDS,
        action=RosterAction.POSITION_END,
        already_ended=_("Chức vụ này đã kết thúc."),
        ends_too_early=_("Ngày kết thúc phải sau ngày bắt đầu giữ chức vụ."),
        acting_user=acting_user,
    )
    return position


# Roles -----------------------------------------------------------------------------------------------------------


@transaction.atomic
def role_assign(
    *,
    user: User,
    role: str,
    organisation: PartyOrganisation,
    start_date: datetime.date,
    acting_user: ActingUser,
) -> RoleAssignment:
    """Grant an account a staff or overseer role over an organisation's subtree."""
    _require(acting_user, [Action.MANAGE_TREE], organisation)
    if role not in Role.values:
        raise ValidationError({"role": _("Vai trò không hợp lệ.")})
    try:
        with transaction.atomic():
            assignment = RoleAssignment.objects.create(
                user=user, role=role, organisation=organisation, start_date=start_date
            )
            audit_record(
                actor=acting_user,
                action=RosterAction.ROLE_ASSIGN,
                obj=assignment,
                after=snapshot(assignment, ROLE_FIELDS),
            )
    except IntegrityError as error:
        # The named constraint role_assignment_unique_current is the one rule an insert can break here.
        raise ValidationError(_("Tài khoản đã có vai trò này tại %(o)s.") % {"o": organisation}) from error
    return assignment


@transaction.atomic
def role_end(*, assignment: RoleAssignment, end_date: datetime.date, acting_user: ActingUser) -> RoleAssignment:
    _require(acting_user, [Action.MANAGE_TREE], assignment.organisation)
    _end_dated_record(
        assignment,
        end_date=end_date,
        fields=ROLE_FIELDS,
        action=RosterAction.ROLE_END,
        already_ended=_("Vai trò này đã kết thúc."),
        ends_too_early=_("Ngày kết thúc phải sau ngày bắt đầu."),
        acting_user=acting_user,
    )
    return assignment
