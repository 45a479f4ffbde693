"""The frame of a Party document (Hướng dẫn 36-HD/VPTW): the header above it (who issues it, under whom, where and
when) and the signature blocks below it (who signs for the collective, in which post)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from programmes.models import OrganisationKind, PartyOrganisation, PartyPost, Position, PostKind
from programmes.models.organisations import CELL_KINDS
from programmes.text import normalise

# --- The Party document header ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyHeader:
    """The two columns above a Party document: who issues it (under whom), and where and when."""

    superior: str
    issuer: str
    place: str
    issued_on: datetime.date

    # "ngày 03 tháng 4 năm 2018": days under 10 and the months January and February take a leading zero.
    @property
    def day(self) -> str:
        return f"{self.issued_on.day:02d}"

    @property
    def month(self) -> str:
        month = self.issued_on.month
        return f"{month:02d}" if month < 3 else str(month)


def _without_prefix(name: str, prefix: str) -> str:
    name = normalise(name)
    if name.casefold().startswith(prefix.casefold()):
        name = name[len(prefix) :].strip()
    return name[:1].upper() + name[1:]


def place_of(organisation: PartyOrganisation) -> str:
    """The ward or commune in the date line: "Phường Bến Thành" from "Đảng bộ phường Bến Thành"."""
    if organisation.kind == OrganisationKind.COMMUNE_COMMITTEE:
        commune: PartyOrganisation | None = organisation
    else:
        commune = (
            PartyOrganisation.objects.get_ancestors(organisation)
            .filter(kind=OrganisationKind.COMMUNE_COMMITTEE)
            .order_by("-depth")
            .first()
        )
    return _without_prefix((commune or organisation).name, "Đảng bộ ")


def party_header(
    organisation: PartyOrganisation, issued_on: datetime.date, *, issuer_name: str | None = None
) -> PartyHeader:
    """The header of a document issued in `organisation`; `issuer_name` keeps a name recorded at the time."""
    parent = PartyOrganisation.objects.get_parent(organisation)
    return PartyHeader(
        superior=normalise(parent.name).upper() if parent is not None else "",
        issuer=normalise(issuer_name or organisation.name).upper(),
        place=place_of(organisation),
        issued_on=issued_on,
    )


# --- Signature blocks -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureBlock:
    """Who signs for a collective (Hướng dẫn 36-HD/VPTW): "T/M CHI BỘ" or "T/M ĐẢNG ỦY", then the signer's post
    ("BÍ THƯ", "PHÓ BÍ THƯ") and name."""

    heading: str
    title: str
    name: str


def on_behalf_of(organisation: PartyOrganisation) -> str:
    """The "T/M" line of a collective: a cell signs for the cell, every committee for its committee."""
    if organisation.kind in CELL_KINDS:
        return str(_("T/M CHI BỘ"))
    return str(_("T/M ĐẢNG ỦY"))


SIGNING_POSTS = (PartyPost.SECRETARY, PartyPost.DEPUTY_SECRETARY)


def signer_title(organisation: PartyOrganisation, cadre_id: int | None, on: datetime.date) -> str:
    """The post in which `cadre_id` signed for `organisation` on the day `on` (the document's date: its decision,
    confirmation or print date), so that a report made again after a change of post still prints the post held
    when it was signed: deputy secretary when that is what the signer held there, else the secretary (whose post
    a document of the collective names by default); a head of an agency who confirmed as such signs with the
    title of that post."""
    if cadre_id is None:
        return str(PartyPost.SECRETARY.label).upper()
    positions = Position.objects.current(on).filter(organisation=organisation, cadre_id=cadre_id)
    posts = set(positions.filter(post_kind=PostKind.PARTY).values_list("party_post", flat=True))
    if PartyPost.SECRETARY not in posts and PartyPost.DEPUTY_SECRETARY in posts:
        return str(PartyPost.DEPUTY_SECRETARY.label).upper()
    if not posts & set(SIGNING_POSTS):
        head = positions.filter(is_head=True).exclude(title="").values_list("title", flat=True).first()
        if head:
            return normalise(head).upper()
    return str(PartyPost.SECRETARY.label).upper()


def signer_on(organisation: PartyOrganisation, on: datetime.date) -> Position | None:
    """Who signed the collective's documents on the day `on`: its secretary, or its deputy secretary while it had
    none."""
    for post in SIGNING_POSTS:
        position = (
            Position.objects.current(on)
            .filter(organisation=organisation, post_kind=PostKind.PARTY, party_post=post)
            .select_related("cadre")
            .order_by("-start_date", "-pk")
            .first()
        )
        if position is not None:
            return position
    return None


def signature_block(
    organisation: PartyOrganisation, name: str, cadre_id: int | None, on: datetime.date
) -> SignatureBlock:
    """The block of a document signed for `organisation` on the day `on` by the cadre `cadre_id` (printed as
    `name`), in the post held that day."""
    with translation.override(settings.LANGUAGE_CODE):
        return SignatureBlock(
            heading=on_behalf_of(organisation), title=signer_title(organisation, cadre_id, on), name=name
        )


def collective_signature(organisation: PartyOrganisation, on: datetime.date) -> SignatureBlock:
    """The block of a document the collective issues on the day `on`, for whoever signed for it that day."""
    signer = signer_on(organisation, on)
    if signer is None:
        with translation.override(settings.LANGUAGE_CODE):
            return SignatureBlock(
                heading=on_behalf_of(organisation), title=str(PartyPost.SECRETARY.label).upper(), name=""
            )
    return signature_block(organisation, signer.cadre.full_name, signer.cadre_id, on)
