"""Changes that give someone a right: linking an account to a cadre (who then holds the cadre's posts), a role
assignment, a post. The rules are the same wherever the change is made (the admin, an import, a command):

- nobody links, unlinks or grants to their own account: a right is always given by someone else;
- staff who are not system administrators give rights only to accounts of people in the subtree they manage,
  never to a system administrator's or another staff account, and never reach outside that subtree;
- the person who loses a post's account is told, and every change is audited with what it was before.
"""

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programmes import access
from programmes.access import Action
from programmes.action_programmes.notifications import in_portal_language, notify
from programmes.audit import audit_record
from programmes.audit_actions import AdminAction, RosterAction
from programmes.models import Cadre, Membership, PartyOrganisation, RoleAssignment

AnyUser = User | AnonymousUser

OWN_ACCOUNT_REFUSAL = gettext_lazy("Không ai được tự gắn hoặc tự cấp quyền cho tài khoản của chính mình.")
OUT_OF_SCOPE_REFUSAL = gettext_lazy("Cán bộ này ngoài phạm vi đồng chí quản lý.")


def _manages(acting_user: AnyUser, organisation: PartyOrganisation | None) -> bool:
    return organisation is not None and access.can(acting_user, Action.MANAGE_TREE, organisation)


def cadre_in_scope(acting_user: AnyUser, cadre: Cadre) -> bool:
    """A cadre whose current cell the acting user manages. A cadre with no current cell (transferred out, not yet
    placed) belongs to nobody's subtree: staff may take them in, as a transfer does."""
    if access.is_superuser(acting_user):
        return True
    membership = Membership.objects.filter(cadre=cadre, end_date__isnull=True).select_related("cell").first()
    return membership is None or _manages(acting_user, membership.cell)


def account_grant_refusal(acting_user: AnyUser, account: User | None) -> str | None:
    """Why the acting user may not give a right to `account`, or None when they may.

    An account is in a staff member's scope when its cadre's current cell is in their subtree, or, for an account
    not linked to any cadre, when every role it holds today lies in their subtree."""
    if account is None:
        return None
    if acting_user.is_authenticated and account.pk == acting_user.pk:
        return str(OWN_ACCOUNT_REFUSAL)
    if access.is_superuser(acting_user):
        return None
    if account.is_superuser or account.is_staff:
        return _("Chỉ quản trị hệ thống được gắn hoặc cấp quyền cho tài khoản quản trị.")
    cadre = Cadre.objects.filter(user=account).first()
    if cadre is not None:
        membership = Membership.objects.filter(cadre=cadre, end_date__isnull=True).select_related("cell").first()
        if membership is None or not _manages(acting_user, membership.cell):
            return _("Tài khoản này thuộc một đảng viên ngoài phạm vi đồng chí quản lý.")
        return None
    today = timezone.localdate()
    current = RoleAssignment.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today), user=account, start_date__lte=today
    ).select_related("organisation")
    if any(not _manages(acting_user, assignment.organisation) for assignment in current):
        return _("Tài khoản này đang giữ vai trò ngoài phạm vi đồng chí quản lý.")
    return None


def stored_account_id(cadre: Cadre) -> int | None:
    """The account the database links to the cadre now, whatever a form has set on the instance."""
    if cadre.pk is None:
        return None
    return Cadre.objects.filter(pk=cadre.pk).values_list("user_id", flat=True).first()


def cadre_link_refusal(acting_user: AnyUser, cadre: Cadre, account: User | None) -> str | None:
    """Why the acting user may not set `account` as the cadre's account (None: they may)."""
    if cadre.pk is not None:
        stored = stored_account_id(cadre)
        if stored is not None and acting_user.is_authenticated and stored == acting_user.pk:
            return str(OWN_ACCOUNT_REFUSAL)
        if not cadre_in_scope(acting_user, cadre):
            return str(OUT_OF_SCOPE_REFUSAL)
    refusal = account_grant_refusal(acting_user, account)
    if refusal is not None:
        return refusal
    if account is not None and Cadre.objects.filter(user=account).exclude(pk=cadre.pk).exists():
        return _("Tài khoản này đã gắn với hồ sơ của một cán bộ khác.")
    return None


def grant_refusal_record(*, acting_user: AnyUser, obj: object, reason: str) -> None:
    """Keep a refused attempt on the record: it is written outside the refused change, so it stays."""
    audit_record(
        actor=acting_user,
        action=AdminAction.GRANT_REFUSED,
        obj=obj if getattr(obj, "pk", None) is not None else None,  # type: ignore[arg-type]
        after={"reason": reason},
    )


@transaction.atomic
def cadre_link_account(*, cadre: Cadre, account: User | None, acting_user: AnyUser) -> Cadre:
    """Link `account` to the cadre (or unlink with None): the account then holds the cadre's posts.

    The previous holder of the cadre's account is told; the change is audited with the account before and after."""
    refusal = cadre_link_refusal(acting_user, cadre, account)
    if refusal is not None:
        raise PermissionDenied(refusal)
    locked = Cadre.objects.select_for_update().get(pk=cadre.pk)
    previous_id = locked.user_id
    new_id = account.pk if account is not None else None
    if previous_id == new_id:
        return locked
    locked.user = account
    locked.save(update_fields=["user"])
    access.forget_grants(acting_user)
    audit_record(
        actor=acting_user,
        action=RosterAction.CADRE_ACCOUNT_LINKED,
        obj=locked,
        before={"user": previous_id},
        after={"user": new_id},
    )
    previous = User.objects.filter(pk=previous_id).first() if previous_id is not None else None
    if previous is not None:
        what = gettext_lazy("hồ sơ cán bộ %(name)s và các chức vụ của hồ sơ này") % {"name": locked}
        holder_lost_notify(previous=previous, what=what)
    return locked


def holder_lost_notify(*, previous: User, what: object) -> None:
    """Tell the account that has just lost a post or a role: a takeover never goes unnoticed by its victim."""
    with in_portal_language():
        notify(
            recipient=previous,
            subject=_("Tài khoản của đồng chí không còn giữ: %(what)s") % {"what": what},
            body=_(
                "Tài khoản %(account)s không còn giữ %(what)s; các quyền đi kèm không còn thuộc tài khoản này. "
                "Nếu đồng chí không biết về thay đổi này, hãy báo ngay cho ban tổ chức."
            )
            % {"account": previous.get_username(), "what": what},
            link="",
        )
