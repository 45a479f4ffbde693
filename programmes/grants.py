"""Changes that give someone a right: linking an account to a cadre (who then holds the cadre's posts), a role
assignment, a post. The rules of who may give which right are access policy and live in
programmes.access.granting (re-exported here for the admin); this module makes the changes: the person who loses
a post's account is told, and every change or refused attempt is audited with what it was before.
"""

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programmes import access
from programmes.access.granting import (
    OUT_OF_SCOPE_REFUSAL,
    OWN_ACCOUNT_REFUSAL,
    account_grant_refusal,
    cadre_in_scope,
    cadre_link_refusal,
    stored_account_id,
)
from programmes.action_programmes.notifications import notify_each
from programmes.audit import audit_record
from programmes.audit_actions import AdminAction, RosterAction
from programmes.models import Cadre, NotificationKind

AnyUser = User | AnonymousUser

__all__ = [
    "OUT_OF_SCOPE_REFUSAL",
    "OWN_ACCOUNT_REFUSAL",
    "account_grant_refusal",
    "cadre_in_scope",
    "cadre_link_account",
    "cadre_link_refusal",
    "grant_refusal_record",
    "holder_lost_notify",
    "stored_account_id",
]


def grant_refusal_record(*, acting_user: AnyUser, obj: object, reason: str) -> None:
    """Keep a refused attempt on the record: it is written outside the refused change, so it stays."""
    audit_record(
        actor=acting_user,
        action=AdminAction.GRANT_REFUSED,
        obj=obj if getattr(obj, "pk", None) is not None else None,  # type: ignore[arg-type]
        after={"reason": reason},
    )


# Not durable: the admin's change form runs it inside its own transaction, after saving the rest of the cadre.
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
    notify_each(
        [previous],
        kind=NotificationKind.ACCOUNT,
        link="",
        text=lambda: (
            _("Tài khoản của đồng chí không còn giữ: %(what)s") % {"what": what},
            _(
                "Tài khoản %(account)s không còn giữ %(what)s; các quyền đi kèm không còn thuộc tài khoản này. "
                "Nếu đồng chí không biết về thay đổi này, hãy báo ngay cho ban tổ chức."
            )
            % {"account": previous.get_username(), "what": what},
        ),
    )
