"""Where a case goes: the ward or commune watching the programme's owner, the oversight body the cadre answers to,
and the accounts of that body who handle it."""

from django.contrib.auth.models import User

from programmes.access import accounts_holding_role, path_and_above, reader_cell
from programmes.models import ActionProgramme, PartyOrganisation, Position
from programmes.models.organisations import OrganisationKind
from publicity import access
from publicity.models import OversightBody


def _self_and_ancestors(organisation: PartyOrganisation) -> list[PartyOrganisation]:
    """The organisation and those above it, the nearest first; one query."""
    return list(PartyOrganisation.objects.filter(path__in=path_and_above(organisation.path)).order_by("-depth"))


def area_for(programme: ActionProgramme) -> PartyOrganisation:
    """The ward or commune whose oversight bodies watch the programme's owner; the top of the tree otherwise."""
    ancestors = _self_and_ancestors(reader_cell(programme))
    ward = next((node for node in ancestors if node.kind == OrganisationKind.COMMUNE_COMMITTEE), None)
    return ward if ward is not None else ancestors[-1]


def body_for(programme: ActionProgramme) -> str:
    """An elected deputy answers to the People's Council standing body; every other cadre to the Front."""
    deputy = Position.objects.current().filter(cadre=programme.owner_id, council_deputy=True).exists()
    return OversightBody.COUNCIL if deputy else OversightBody.FRONT


def body_accounts(area: PartyOrganisation, body: str, programme: ActionProgramme) -> list[User]:
    """The accounts of `body` whose grant covers `area` (of the area itself, or of a body above it), but not
    the account of the cadre the case is about."""
    accounts = accounts_holding_role(access.PERSONA_FOR_BODY[OversightBody(body)], area)
    return [account for account in accounts if account.pk != programme.owner.user_id]
