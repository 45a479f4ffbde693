"""Organisation scope: which organisations and cadres a user may see, and their private details.

The rules are the grants of `holdings` applied to an organisation, or to a cadre's current cell.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from programmes.access.holdings import (
    Action,
    AnyUser,
    acts_on_whole_tree,
    can,
    grants_allowing,
    is_superuser,
    organisations_covered,
    organisations_where,
)
from programmes.models import Cadre, Membership, PartyOrganisation


def get_organisation_for(user: AnyUser, pk: Any, action: Action = Action.VIEW_ORGANISATION) -> PartyOrganisation:
    """The organisation, if the user may see it (else 404) and may do `action` there (else 403)."""
    organisation: PartyOrganisation | None = PartyOrganisation.objects.filter(pk=pk).first()
    if organisation is None or not can(user, Action.VIEW_ORGANISATION, organisation):
        raise Http404
    if not can(user, action, organisation):
        raise PermissionDenied
    return organisation


def import_jobs_condition(user: AnyUser) -> Q:
    """Import jobs the user may see: every one for a system administrator (who imports for the whole tree), else
    those they uploaded and those scoped inside organisations where they may import."""
    if acts_on_whole_tree(user):
        return Q()
    return Q(created_by=user) | Q(scope__in=organisations_where(user, Action.IMPORT_ROSTER))


def cadres_visible_to(user: AnyUser) -> QuerySet[Cadre]:
    """Cadres the user may see in rosters: their own cell's, or their subtree's; always themself. No join and no
    DISTINCT: the current memberships in the organisations the grants reach (each cadre has one at most)."""
    queryset = Cadre.objects.all()
    if is_superuser(user):
        return queryset
    if not user.is_authenticated:
        return queryset.none()
    own = Q(user=user)
    grants = grants_allowing(user, Action.VIEW_MEMBERS)
    if not grants:
        return queryset.filter(own)
    members = Membership.objects.filter(cell__in=organisations_covered(grants), end_date__isnull=True)
    return queryset.filter(own | Q(pk__in=members.values("cadre_id")))


def _current_cell(cadre: Cadre) -> PartyOrganisation | None:
    membership = cadre.current_membership
    return membership.cell if membership is not None else None


def _is_self_or_may_in_cell(user: AnyUser, cadre: Cadre, action: Action) -> bool:
    """The cadre themself, or whoever may do `action` in the cadre's current cell."""
    if not user.is_authenticated:
        return False
    if cadre.user_id is not None and cadre.user_id == user.pk:
        return True
    cell = _current_cell(cadre)
    return cell is not None and can(user, action, cell)


def can_view_cadre(user: AnyUser, cadre: Cadre) -> bool:
    return _is_self_or_may_in_cell(user, cadre, Action.VIEW_MEMBERS)


def can_view_private_details(user: AnyUser, cadre: Cadre) -> bool:
    """Date of birth, citizen ID and phone: the cadre, their cell secretary, organisation-board staff."""
    return _is_self_or_may_in_cell(user, cadre, Action.VIEW_PRIVATE_DETAILS)


def can_erase_cadre(user: AnyUser, cadre: Cadre) -> bool:
    """Deleting a cadre's record with every trace of their personal data: a system administrator, or
    organisation-board staff over the cadre's current cell (who keep the records)."""
    if is_superuser(user):
        return True
    cell = _current_cell(cadre)
    return cell is not None and can(user, Action.MANAGE_TREE, cell)


def get_cadre_for(user: AnyUser, pk: Any, *, private: bool = False) -> Cadre:
    """The cadre if the user may see them (else 404); with `private`, also their personal data (else 403)."""
    cadre = Cadre.objects.filter(pk=pk).first()
    if cadre is None or not can_view_cadre(user, cadre):
        raise Http404
    if private and not can_view_private_details(user, cadre):
        raise PermissionDenied
    return cadre


def get_dashboard_organisation(user: AnyUser, pk: Any) -> PartyOrganisation:
    """The organisation whose dashboard the user asks for: 404 when there is none, 403 when it lies outside the
    subtrees whose figures the user may read (the tree's names are no secret: the public pages list its areas)."""
    organisation: PartyOrganisation | None = PartyOrganisation.objects.filter(pk=pk).first()
    if organisation is None:
        raise Http404
    if not can(user, Action.VIEW_DASHBOARD, organisation):
        raise PermissionDenied
    return organisation


def dashboard_tops(user: AnyUser) -> QuerySet[PartyOrganisation]:
    """The organisations where the user's dashboards open: the top of each subtree whose figures they may read (a
    grant inside another grant's subtree adds nothing), the tree's roots for a system administrator; one query."""
    if is_superuser(user):
        return PartyOrganisation.objects.filter(depth=1).order_by("path")
    paths = sorted({grant.path for grant in grants_allowing(user, Action.VIEW_DASHBOARD)})
    tops = [path for path in paths if not any(path != other and path.startswith(other) for other in paths)]
    return PartyOrganisation.objects.filter(path__in=tops).order_by("path")
