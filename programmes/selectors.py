"""Reads scoped to the user and already joined. Views list through these, never through Model.objects."""

from django.db.models import Count, F, Func, Model, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from programmes import access
from programmes.access import Action, AnyUser
from programmes.models import Cadre, Membership, PartyOrganisation, Position


def organisations_visible_to(user: AnyUser) -> QuerySet[PartyOrganisation]:
    return access.organisations_where(user, Action.VIEW_ORGANISATION).order_by("path")


def count_subquery(queryset: QuerySet[Model]) -> Subquery:
    """The number of rows `queryset` selects, as a subquery to annotate with (refer to the outer row by OuterRef)."""
    # COUNT as a plain function, not an aggregate, so that the subquery has no GROUP BY and always one row.
    return Subquery(queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")[:1])


def organisation_children(organisation: PartyOrganisation) -> QuerySet[PartyOrganisation]:
    """Direct children with the number of current members of each, in one query."""
    # Typed by hand: django-stubs types no annotate() on a model whose base (treebeard's) it cannot see.
    children: QuerySet[PartyOrganisation] = (
        PartyOrganisation.objects.filter(path__startswith=organisation.path, depth=organisation.depth + 1)
        .annotate(member_count=Count("memberships", filter=Q(memberships__end_date__isnull=True)))
        .order_by("name")
    )
    return children


def _current_positions(lookup: str = "positions") -> Prefetch[str, QuerySet[Position], str]:
    """Today's posts of each cadre, as `cadre.current_positions`."""
    return Prefetch(
        lookup,
        queryset=Position.objects.current(timezone.localdate()).select_related("organisation").order_by("start_date"),
        to_attr="current_positions",
    )


def members_of(organisation: PartyOrganisation) -> QuerySet[Membership]:
    """Current memberships of every cell in the organisation's subtree, with cadre, cell and posts."""
    return (
        Membership.objects.filter(end_date__isnull=True, cell__path__startswith=organisation.path)
        .select_related("cadre", "cell")
        .prefetch_related(_current_positions("cadre__positions"))
        .order_by("cell__path", "cadre__name_folded")
    )


def cadre_profile(cadre_pk: int) -> Cadre:
    """One cadre with current membership and current posts, for the profile page."""
    return (
        Cadre.objects.select_related("user")
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("cell").order_by("-start_date")),
            _current_positions(),
        )
        .get(pk=cadre_pk)
    )
