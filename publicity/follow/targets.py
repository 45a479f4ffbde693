"""What a citizen follows: a published programme, the published programmes of a cadre, or those of an area (a ward
or commune committee's subtree); whether it may be followed now, and how the pages and e-mails name it."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from programmes.models import ActionProgramme, Cadre, OrganisationKind, PartyOrganisation
from publicity import selectors
from publicity.models import FollowSubscription, FollowTarget


@dataclass(frozen=True)
class Followed:
    """Exactly one of a programme, a cadre or an area, by id."""

    target: FollowTarget
    object_id: int

    @classmethod
    def programme(cls, programme: ActionProgramme) -> "Followed":
        return cls(FollowTarget.PROGRAMME, programme.pk)

    @classmethod
    def cadre(cls, cadre_id: int) -> "Followed":
        return cls(FollowTarget.CADRE, cadre_id)

    @classmethod
    def area(cls, area: PartyOrganisation) -> "Followed":
        return cls(FollowTarget.AREA, area.pk)

    @classmethod
    def of(cls, subscription: FollowSubscription) -> "Followed":
        target = FollowTarget(subscription.target)
        object_id = {
            FollowTarget.PROGRAMME: subscription.programme_id,
            FollowTarget.CADRE: subscription.cadre_id,
            FollowTarget.AREA: subscription.area_id,
        }[target]
        if object_id is None:  # the table's check constraint forbids it
            raise ValueError("a subscription names its target")
        return cls(target, object_id)

    @property
    def lookup(self) -> dict[str, int]:
        """The subscription's columns naming it: {"programme_id": 5}."""
        return {f"{self.target.value}_id": self.object_id}


def _public_programme(programme_id: int) -> ActionProgramme | None:
    return selectors.public_programmes().select_related("owner").filter(pk=programme_id).first()


def _cadre_with_public_programmes(cadre_id: int) -> Cadre | None:
    return Cadre.objects.filter(pk=cadre_id, programmes__in=selectors.public_programmes()).distinct().first()


def _area(area_id: int) -> PartyOrganisation | None:
    return PartyOrganisation.objects.filter(pk=area_id, kind=OrganisationKind.COMMUNE_COMMITTEE).first()


def followable(followed: Followed) -> bool:
    """Whether the public may follow it now: a published programme; a cadre with one; a ward or commune. One query."""
    if followed.target == FollowTarget.PROGRAMME:
        return _public_programme(followed.object_id) is not None
    if followed.target == FollowTarget.CADRE:
        return _cadre_with_public_programmes(followed.object_id) is not None
    return _area(followed.object_id) is not None


def described(followed: Followed) -> str:
    """What is followed, in words a page or an e-mail may show: only what is public now. One query."""
    if followed.target == FollowTarget.PROGRAMME:
        programme = _public_programme(followed.object_id)
        if programme is None:
            return _("một chương trình nay không còn được công khai")
        return _("chương trình “%(title)s” của đồng chí %(owner)s") % {
            "title": programme.title,
            "owner": programme.owner.full_name,
        }
    if followed.target == FollowTarget.CADRE:
        cadre = _cadre_with_public_programmes(followed.object_id)
        if cadre is None:
            return _("các chương trình của một cán bộ nay không còn chương trình nào được công khai")
        return _("các chương trình được công khai của đồng chí %(name)s") % {"name": cadre.full_name}
    area = _area(followed.object_id)
    if area is None:
        return _("các chương trình của một địa bàn không còn trên cổng")
    return _("các chương trình được công khai tại %(area)s") % {"area": area.name}


def followers_q(programme: ActionProgramme, *, with_area: bool) -> Q:
    """The subscriptions that hear of a change of `programme`: its own and its owner's followers, and with
    `with_area` those of the ward or commune it lies in (a programme newly published is news to its area)."""
    condition = Q(programme_id=programme.pk) | Q(cadre_id=programme.owner_id)
    if with_area:
        path = programme.organisation.path
        steplen = PartyOrganisation.steplen
        ancestors = [path[:end] for end in range(steplen, len(path) + 1, steplen)]
        condition |= Q(area__path__in=ancestors)
    return condition
