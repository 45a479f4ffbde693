"""Who may give whom a right: link an account to a cadre (who then holds the cadre's posts), assign a role, give a
post. The rules are the same wherever the change is made (the admin, an import, a command):

- nobody links, unlinks or grants to their own account: a right is always given by someone else;
- staff who are not system administrators give rights only to accounts of people in the subtree they manage,
  never to a system administrator's or another staff account, and never reach outside that subtree.

The changes themselves (with their audit and notices) are programmes.grants.
"""

from django.contrib.auth.models import User
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programmes.access.holdings import (
    Action,
    AnyUser,
    can,
    current_role_areas,
    is_protected_account,
    is_superuser,
)
from programmes.models import Cadre, Membership, PartyOrganisation

OWN_ACCOUNT_REFUSAL = gettext_lazy("Không ai được tự gắn hoặc tự cấp quyền cho tài khoản của chính mình.")
OUT_OF_SCOPE_REFUSAL = gettext_lazy("Cán bộ này ngoài phạm vi đồng chí quản lý.")


def _manages(acting_user: AnyUser, organisation: PartyOrganisation | None) -> bool:
    return organisation is not None and can(acting_user, Action.MANAGE_TREE, organisation)


def cadre_in_scope(acting_user: AnyUser, cadre: Cadre) -> bool:
    """A cadre whose current cell the acting user manages. A cadre with no current cell (transferred out, not yet
    placed) belongs to nobody's subtree: staff may take them in, as a transfer does."""
    if is_superuser(acting_user):
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
    if is_superuser(acting_user):
        return None
    if is_protected_account(account):
        return _("Chỉ quản trị hệ thống được gắn hoặc cấp quyền cho tài khoản quản trị.")
    cadre = Cadre.objects.filter(user=account).first()
    if cadre is not None:
        membership = Membership.objects.filter(cadre=cadre, end_date__isnull=True).select_related("cell").first()
        if membership is None or not _manages(acting_user, membership.cell):
            return _("Tài khoản này thuộc một đảng viên ngoài phạm vi đồng chí quản lý.")
        return None
    if any(not _manages(acting_user, area) for area in current_role_areas(account)):
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
