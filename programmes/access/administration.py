"""The admin's own rules: what a staff member sees and changes there beyond the portal's pages.

Staff who are not system administrators work in the admin inside the subtree they manage (MANAGE_TREE): they see
its rows, point rows only at its organisations and cadres, read the history of those rows and never revert one
(a revert would bypass the checks of a change). A system administrator sees every row, deleted rows' history
included, and reverts through the same save as a change.
"""

from programmes.access.granting import OUT_OF_SCOPE_REFUSAL, OWN_ACCOUNT_REFUSAL, cadre_in_scope
from programmes.access.holdings import Action, AnyUser, can, grants_allowing, is_superuser
from programmes.models import Cadre, PartyOrganisation, RoleAssignment


def sees_every_admin_row(user: AnyUser) -> bool:
    """May the user see and change the admin's rows with no organisation scope: every organisation, cadre and
    audit event, the history of deleted rows, the programmes the admin only shows? A system administrator only."""
    return is_superuser(user)


def may_revert_history(user: AnyUser) -> bool:
    """May the user restore an earlier version of a row from its history page? A system administrator only."""
    return is_superuser(user)


def may_place_node(user: AnyUser, *nodes: PartyOrganisation) -> bool:
    """May the user create, move or change these organisations in the tree: each one in the subtree they manage."""
    return is_superuser(user) or all(can(user, Action.MANAGE_TREE, node) for node in nodes)


def managed_tops(user: AnyUser) -> list[int]:
    """The organisations at the top of the subtrees the user manages: where their view of the tree opens."""
    return [grant.organisation_id for grant in grants_allowing(user, Action.MANAGE_TREE)]


def own_record_change_refusal(user: AnyUser, cadre: Cadre) -> str | None:
    """Why the user may not change the posts and memberships of `cadre` (None: they may). Nobody changes the
    rights on their own record but a system administrator."""
    own = cadre.pk is not None and user.is_authenticated and cadre.user_id == user.pk
    return str(OWN_ACCOUNT_REFUSAL) if own and not is_superuser(user) else None


def cadre_placement_refusal(user: AnyUser, cadre: Cadre | None) -> str | None:
    """Why the user may not give a membership or a post to `cadre` (None: they may): only to a cadre of their
    subtree, and never to their own record."""
    if cadre is None or is_superuser(user):
        return None
    if cadre.user_id is not None and cadre.user_id == user.pk:
        return str(OWN_ACCOUNT_REFUSAL)
    if not cadre_in_scope(user, cadre):
        return str(OUT_OF_SCOPE_REFUSAL)
    return None


def stored_role_holder_id(assignment: RoleAssignment) -> int | None:
    """The account the database says holds `assignment` now, whatever a form has set on the instance: a change
    is checked against the holder it takes the role from as well as the one it gives it to."""
    if assignment.pk is None:
        return None
    return RoleAssignment.objects.filter(pk=assignment.pk).values_list("user_id", flat=True).first()
