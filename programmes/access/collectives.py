"""Party organisations reviewed as collectives (Hướng dẫn 43-HD/BTCTW): who rates them and who writes their report.

The standing committee of the level directly above rates each organisation: its head, standing members and
organisation-board staff, by a post or role at that upper organisation itself (not from a body further up, and
never as system administrator: the rating is an act of the party body). The head of an organisation (its secretary)
directs its collective report (Mẫu 01), which those who rate it read. reviews.access re-exports these rules; they
live here because they read nothing but grants and the tree.
"""

from django.db.models import QuerySet

from programmes.access.holdings import SECRETARY_PERSONAS, Action, AnyUser, grants_allowing, grants_for
from programmes.models import PartyOrganisation

# Whoever holds the secretary's post of an organisation: its head.
_HEADS = SECRETARY_PERSONAS


def can_rate_under(user: AnyUser, upper: PartyOrganisation) -> bool:
    """May the user rate the party organisations directly under `upper`? By a post or role at `upper` itself."""
    return any(grant.organisation_id == upper.pk for grant in grants_allowing(user, Action.RATE_ORGANISATIONS))


def can_write_collective_report(user: AnyUser, organisation: PartyOrganisation) -> bool:
    """The organisation's head, by their own secretary's post there, directs its collective report."""
    return any(grant.organisation_id == organisation.pk and grant.persona in _HEADS for grant in grants_for(user))


def can_read_collective_report(user: AnyUser, organisation: PartyOrganisation) -> bool:
    """Its head, and those who rate it: the committee directly above (can_rate_under)."""
    if can_write_collective_report(user, organisation):
        return True
    parent: PartyOrganisation | None = PartyOrganisation.objects.get_parent(organisation)
    return parent is not None and can_rate_under(user, parent)


def rating_bodies(user: AnyUser, scope: PartyOrganisation) -> QuerySet[PartyOrganisation]:
    """The organisations inside `scope` under which the user rates (can_rate_under), by the tree's order."""
    ids = [grant.organisation_id for grant in grants_allowing(user, Action.RATE_ORGANISATIONS)]
    return PartyOrganisation.objects.filter(pk__in=ids, path__startswith=scope.path).order_by("path")


def reporting_organisations(user: AnyUser, scope: PartyOrganisation) -> QuerySet[PartyOrganisation]:
    """The organisations below `scope` (rated within it) whose collective report the user writes."""
    ids = [grant.organisation_id for grant in grants_for(user) if grant.persona in _HEADS]
    return PartyOrganisation.objects.filter(pk__in=ids, path__startswith=scope.path, depth__gt=scope.depth).order_by(
        "path"
    )
