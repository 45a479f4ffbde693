"""Who confirms a programme: the configurable rule of DOMAIN 2.3, applied to the owner's post."""

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from programmes import access
from programmes.action_programmes.notifications import in_portal_language
from programmes.models import ActionProgramme, ConfirmerRule, PartyOrganisation, PartyPost, Position, PostKind
from programmes.models.organisations import CELL_KINDS, GRASSROOTS_KINDS

Standing = ConfirmerRule.OwnerStanding
Body = ConfirmerRule.ConfirmingBody


@dataclass(frozen=True)
class Confirmer:
    organisation: PartyOrganisation
    user: User
    title: str
    rule: ConfirmerRule


def owner_standing(position: Position | None) -> str:
    """The owner's standing for the rule, from the post the programme is for."""
    if position is None:
        return Standing.MEMBER
    if position.post_kind == PostKind.GOVERNMENT:
        return Standing.HEAD if position.is_head else Standing.MEMBER
    organisation = position.organisation
    if organisation is not None and organisation.kind in CELL_KINDS:
        leads_cell = position.party_post in (PartyPost.SECRETARY, PartyPost.DEPUTY_SECRETARY)
        return Standing.CELL_LEADER if leads_cell else Standing.MEMBER
    return Standing.COMMITTEE_MEMBER


def rule_for(standing: str, occasion: str) -> ConfirmerRule:
    rules = {rule.occasion: rule for rule in ConfirmerRule.objects.filter(owner_standing=standing)}
    rule = rules.get(occasion) or rules.get("")
    if rule is None:
        label = Standing(standing).label
        raise ValidationError(_("Chưa có quy tắc xác định người xác nhận cho “%(standing)s”.") % {"standing": label})
    return rule


def _starting_point(programme: ActionProgramme) -> PartyOrganisation:
    position = programme.position
    if position is not None and position.post_kind == PostKind.PARTY and position.organisation is not None:
        return position.organisation
    membership = programme.owner.current_membership
    return membership.cell if membership is not None else programme.organisation


def _nearest(organisation: PartyOrganisation, kinds: frozenset[str]) -> PartyOrganisation | None:
    if organisation.kind in kinds:
        return organisation
    for ancestor in reversed(list(PartyOrganisation.objects.get_ancestors(organisation))):
        if ancestor.kind in kinds:
            return ancestor
    return None


def confirming_body(programme: ActionProgramme, rule: ConfirmerRule) -> PartyOrganisation | None:
    start = _starting_point(programme)
    if rule.confirming_body == Body.OWN_CELL:
        return _nearest(start, CELL_KINDS) or start
    grassroots = _nearest(start, GRASSROOTS_KINDS)
    if rule.confirming_body == Body.GRASSROOTS_COMMITTEE:
        return grassroots or PartyOrganisation.objects.get_parent(start)
    # The managing committee sits above the grassroots organisation (or above the owner's committee).
    return PartyOrganisation.objects.get_parent(grassroots or start)


def find_confirmer(programme: ActionProgramme) -> Confirmer:
    """The confirmer today, or a ValidationError saying in Vietnamese why none can be found.

    Nobody confirms their own programme: when the owner is the secretary of the confirming body,
    the secretary of the body above confirms.
    """
    rule = rule_for(owner_standing(programme.position), programme.occasion)
    organisation = confirming_body(programme, rule)
    while organisation is not None:
        user = access.secretary_user(organisation)
        if user is None:
            raise ValidationError(
                _("%(organisation)s chưa có bí thư có tài khoản trên cổng, nên chưa có người xác nhận.")
                % {"organisation": organisation.name}
            )
        if user.pk != programme.owner.user_id:
            with in_portal_language():
                title = _("Bí thư %(organisation)s") % {"organisation": organisation.name}
            return Confirmer(organisation=organisation, user=user, title=title, rule=rule)
        organisation = PartyOrganisation.objects.get_parent(organisation)
    raise ValidationError(_("Không tìm được cấp xác nhận phía trên tổ chức của đồng chí."))
