"""The printable action programme (reports/programme.html, printed by `documents.render_pdf`): its commitments grouped
as the Party's documents number them, the owner's and the confirmer's signature blocks, and the figures in Vietnamese.
The end-of-term results report (`evaluation_document`) and the reviews' reports reuse its parts."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TypedDict

from django.conf import settings
from django.utils import numberformat, timezone, translation
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from programmes.action_programmes import numbering
from programmes.models import (
    ActionProgramme,
    Cadre,
    CommitmentCategory,
    CommitmentTerms,
    Occasion,
    PartyPost,
    ProgrammeVersion,
)
from programmes.party_document import PartyHeader, SignatureBlock, on_behalf_of, party_header
from programmes.text import normalise

DRAFT_MARK = _("BẢN NHÁP – CHƯA ĐƯỢC XÁC NHẬN")
OWNER_HEADING = _("NGƯỜI CAM KẾT")


def format_number(value: Decimal) -> str:
    """Vietnamese figures: 1.500 and 12,5, without trailing zeros."""
    return numberformat.format(value.normalize(), ",", thousand_sep=".", grouping=3, force_grouping=True)


def target_text(terms: CommitmentTerms) -> str | Promise:
    """Where the indicator goes from where it is: "từ 80 lên 100 %".

    In words rather than with an arrow: the bundled fonts have no arrow glyph, and a fallback glyph
    would come from whatever fonts the server happens to have.
    """
    if terms.target_value is None:
        return ""
    target = f"{format_number(terms.target_value)} {terms.unit}".strip()
    baseline = terms.baseline_value
    if baseline is None:
        return target
    # Lazy, so that the words come in the document's language when the PDF is rendered.
    values = {"baseline": format_number(baseline), "target": target}
    if terms.target_value > baseline:
        return format_lazy(_("từ {baseline} lên {target}"), **values)
    if terms.target_value < baseline:
        return format_lazy(_("từ {baseline} xuống {target}"), **values)
    return format_lazy(_("giữ ở mức {target}"), **values)


@dataclass(frozen=True)
class CommitmentRow:
    number: str
    statement: str
    indicator: str
    target: str | Promise
    evidence_kind: str
    measures: str
    deadline: datetime.date | None
    weight: int | None
    within_own_authority: bool
    milestones: tuple[tuple[datetime.date, str], ...]


@dataclass(frozen=True)
class CommitmentGroup:
    numeral: str
    label: str | Promise
    rows: tuple[CommitmentRow, ...]


def commitment_groups(terms: list[CommitmentTerms], numbers: dict[int, str]) -> tuple[CommitmentGroup, ...]:
    """The commitments by section in the sections' order, each under its number in the version (`numbering`):
    the same "II.2" as on the programme's page, the public page and the feedback form."""
    groups: list[CommitmentGroup] = []
    for category in CommitmentCategory:
        in_category = numbering.document_order(item for item in terms if item.category == category)
        if not in_category:
            continue
        rows = tuple(
            CommitmentRow(
                number=numbers[item.commitment_id],
                statement=item.statement,
                indicator=item.indicator,
                target="" if item.is_deliverable else target_text(item),
                evidence_kind=item.evidence_kind,
                measures=item.measures,
                deadline=item.deadline,
                weight=item.weight,
                within_own_authority=item.within_own_authority,
                milestones=tuple((milestone.due_date, milestone.description) for milestone in item.milestones.all()),
            )
            for item in in_category
        )
        numeral = numbering.section_numeral(rows[0].number)
        groups.append(CommitmentGroup(numeral=numeral, label=category.label, rows=rows))
    return tuple(groups)


def cadre_name(user_id: int | None) -> str:
    """The full name of the cadre behind the account `user_id` (a signer, a confirmer), or "" without one."""
    if user_id is None:
        return ""
    return Cadre.objects.filter(user_id=user_id).values_list("full_name", flat=True).first() or ""


class ProgrammeDocument(TypedDict):
    header: PartyHeader
    is_annual: bool
    programme_title: str
    occasion: StrOrPromise
    owner_name: str
    position_title: str
    organisation_name: str
    term_start: datetime.date
    term_end: datetime.date
    groups: tuple[CommitmentGroup, ...]
    version_number: int
    is_superseded: bool
    amendment_reason: str
    confirmed_on: datetime.date | None
    as_of: datetime.date
    confirmation_comment: str
    confirmer: SignatureBlock
    owner_signature: SignatureBlock
    draft_mark: StrOrPromise


def _owner_block(name: str) -> SignatureBlock:
    with translation.override(settings.LANGUAGE_CODE):
        return SignatureBlock(heading=str(OWNER_HEADING), title="", name=name)


def confirmer_block(version: ProgrammeVersion, name: str) -> SignatureBlock:
    """The confirmer's block: for the confirming collective ("T/M CHI BỘ", "T/M ĐẢNG ỦY") with the post the
    confirmer held when the version was sent ("Bí thư Chi bộ Khu phố 1" prints "BÍ THƯ")."""
    organisation = version.confirming_organisation
    title = normalise(version.confirmer_title)
    if organisation is None:
        with translation.override(settings.LANGUAGE_CODE):
            return SignatureBlock(heading=str(_("NGƯỜI XÁC NHẬN")), title=title.upper(), name=name)
    suffix = normalise(organisation.name)
    if title.casefold().endswith(suffix.casefold()) and len(title) > len(suffix):
        title = title[: -len(suffix)].strip()
    with translation.override(settings.LANGUAGE_CODE):
        return SignatureBlock(
            heading=on_behalf_of(organisation),
            title=title.upper() or str(PartyPost.SECRETARY.label).upper(),
            name=name,
        )


def programme_document_context(
    programme: ActionProgramme, version: ProgrammeVersion, *, terms: list[CommitmentTerms] | None = None
) -> ProgrammeDocument:
    """What `reports/programme.html` prints for one version; only what a Party document shows, nothing private.

    `version` should come from `selectors.version_for_display` (its commitments and milestones prefetched).
    `terms`, when given, are the version's commitments to print: those the reader may read
    (`access.commitment_reading`); the others are left out and the rest numbered (`numbering`) without a gap.
    A version never confirmed is printed as a draft, marked on every page.

    Dated as every report is (Hướng dẫn 36-HD/VPTW: the date line is the day the paper is issued): the header
    carries the print date, and whether the version is in force is stated as of that day; the day it was
    confirmed is printed as such in the version line, never as the document's date.
    """
    confirmed_on = timezone.localdate(version.confirmed_at) if version.confirmed_at is not None else None
    printed_on = timezone.localdate()
    shown = list(version.terms.all()) if terms is None else terms
    is_draft = confirmed_on is None
    return {
        "header": party_header(programme.organisation, printed_on, issuer_name=programme.organisation_name),
        "is_annual": programme.occasion == Occasion.ANNUAL,
        "programme_title": programme.title,
        "occasion": Occasion(programme.occasion).label,
        "owner_name": programme.owner.full_name,
        "position_title": programme.position_title,
        "organisation_name": programme.organisation_name,
        "term_start": programme.term_start,
        "term_end": programme.term_end,
        "groups": commitment_groups(shown, numbering.commitment_numbers(shown)),
        "version_number": version.number,
        "is_superseded": not is_draft and version.pk != programme.current_version_id,
        "amendment_reason": version.amendment_reason if version.is_amendment else "",
        "confirmed_on": confirmed_on,
        "as_of": printed_on,
        "confirmation_comment": version.confirmation_comment,
        "confirmer": confirmer_block(
            version, cadre_name(version.confirmed_by_id if not is_draft else version.confirmer_id)
        ),
        "owner_signature": _owner_block(programme.owner.full_name),
        "draft_mark": DRAFT_MARK if is_draft else "",
    }
