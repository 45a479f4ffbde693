"""The demo's organisation tree: the city, the pre-July-2025 units, four wards with their grassroots organisations
and cells, and which old units each ward was formed from. Upserted by code."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from demo.writing import Tally, create_rows, update_rows
from programmes.importing.base import assign_changed
from programmes.importing.communes import area_in_text, committee_name
from programmes.models import OrganisationKind, OrganisationSuccession, PartyOrganisation, SuccessionShare

NEW_STRUCTURE = datetime.date(2025, 7, 1)
OLD_STRUCTURE_END = datetime.date(2025, 6, 30)
CITY_CODE = "79"
CITY_NAME = "Đảng bộ Thành phố Hồ Chí Minh"


@dataclass(frozen=True)
class OrgSpec:
    code: str
    name: str
    kind: str
    parent_code: str | None
    admin_area_code: str = ""
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None


FULL, PARTIAL = SuccessionShare.FULL, SuccessionShare.PARTIAL
# The pre-July-2025 units the demo wards were formed from, by official code.
OLD_UNITS = {
    "26734": "Phường Tân Định",
    "26737": "Phường Đa Kao",
    "26740": "Phường Bến Nghé",
    "26743": "Phường Bến Thành",
    "26746": "Phường Nguyễn Thái Bình",
    "26749": "Phường Phạm Ngũ Lão",
    "26752": "Phường Cầu Ông Lãnh",
    "27625": "Xã An Phú Tây",
    "27634": "Xã Tân Quý Tây",
    "27637": "Xã Bình Chánh",
}


@dataclass(frozen=True)
class WardSpec:
    area_code: str
    title: str  # "Phường Bến Thành" / "Xã Bình Chánh"
    rural: bool
    hospital: bool
    # (old official code, share of it that went into this unit)
    formed_from: tuple[tuple[str, str], ...]

    @property
    def predecessors(self) -> tuple[tuple[str, str, str], ...]:
        """(old official code, old name, share of it that went into this unit)"""
        return tuple((code, OLD_UNITS[code], share) for code, share in self.formed_from)

    @property
    def code(self) -> str:
        return f"{CITY_CODE}-{self.area_code}"

    @property
    def in_text(self) -> str:
        return area_in_text(self.title)

    @property
    def short(self) -> str:
        return self.title.split(" ", 1)[1]


# Area code, title, rural, with a hospital, and the old units it was formed from (official code, share).
WARDS = (
    WardSpec("26740", "Phường Sài Gòn", False, True, (("26740", FULL), ("26737", PARTIAL), ("26746", PARTIAL))),
    WardSpec(
        "26743",
        "Phường Bến Thành",
        False,
        False,
        (("26743", FULL), ("26746", PARTIAL), ("26749", FULL), ("26752", PARTIAL)),
    ),
    WardSpec("26737", "Phường Tân Định", False, False, (("26734", FULL), ("26737", PARTIAL))),
    WardSpec("27637", "Xã Bình Chánh", True, True, (("27625", PARTIAL), ("27634", FULL), ("27637", FULL))),
)
DEMO_WARD = WARDS[1]
QUARTERS_PER_WARD = 3


def old_code(official_code: str) -> str:
    # Old and new units may share an official code (new Bến Thành was formed from old Bến Thành): keep them apart.
    return f"{CITY_CODE}-{official_code}-truoc-2025"


def government_code(ward: WardSpec) -> str:
    return f"{ward.code}-UBND"


def school_code(ward: WardSpec) -> str:
    return f"{ward.code}-TRUONG"


# The cell of the demo's plain member (dangvien): the school's Tổ Toán - Tin học.
DEMO_CELL = f"{school_code(DEMO_WARD)}-01"


def _hospital_code(ward: WardSpec) -> str:
    return f"{ward.code}-BENHVIEN"


def quarter_word(ward: WardSpec) -> str:
    return "Ấp" if ward.rural else "Khu phố"


def _children(parent: str, names: Sequence[str], kind: str) -> list[OrgSpec]:
    return [
        OrgSpec(f"{parent}-{index:02d}", f"Chi bộ {name}", kind, parent, valid_from=NEW_STRUCTURE)
        for index, name in enumerate(names, start=1)
    ]


def _ward_organisations(ward: WardSpec) -> list[OrgSpec]:
    """The ward committee, its grassroots organisations and their cells, parents first."""
    sub = OrganisationKind.SUBORDINATE_CELL
    grassroots = OrganisationKind.GRASSROOTS_COMMITTEE
    economy = "Phòng Kinh tế" if ward.rural else "Phòng Kinh tế, Hạ tầng và Đô thị"
    specs = [
        OrgSpec(
            ward.code,
            committee_name(ward.title),
            OrganisationKind.COMMUNE_COMMITTEE,
            CITY_CODE,
            ward.area_code,
            NEW_STRUCTURE,
        ),
        OrgSpec(
            government_code(ward),
            f"Đảng bộ Ủy ban nhân dân {ward.in_text}",
            grassroots,
            ward.code,
            valid_from=NEW_STRUCTURE,
        ),
        *_children(
            government_code(ward),
            ["Văn phòng HĐND và UBND", economy, "Phòng Văn hóa - Xã hội", "Trung tâm Phục vụ hành chính công"],
            sub,
        ),
        OrgSpec(
            school_code(ward),
            f"Đảng bộ Trường Trung học cơ sở {ward.short}",
            grassroots,
            ward.code,
            valid_from=NEW_STRUCTURE,
        ),
        *_children(school_code(ward), ["Tổ Toán - Tin học", "Tổ Ngữ văn - Ngoại ngữ", "Hành chính - Văn phòng"], sub),
    ]
    if ward.hospital:
        specs.append(
            OrgSpec(
                _hospital_code(ward),
                f"Đảng bộ Bệnh viện Đa khoa khu vực {ward.short}",
                grassroots,
                ward.code,
                valid_from=NEW_STRUCTURE,
            )
        )
        specs += _children(_hospital_code(ward), ["Khối Nội", "Khối Ngoại", "Cận lâm sàng - Hành chính"], sub)
    word = quarter_word(ward)
    specs += [
        OrgSpec(
            f"{ward.code}-KP{n:02d}",
            f"Chi bộ {word} {n}",
            OrganisationKind.GRASSROOTS_CELL,
            ward.code,
            valid_from=NEW_STRUCTURE,
        )
        for n in range(1, QUARTERS_PER_WARD + 1)
    ]
    return specs


def _historic_organisations() -> list[OrgSpec]:
    """Each pre-July-2025 unit once, closed, even when it was split among several new ones."""
    seen: dict[str, OrgSpec] = {}
    for ward in WARDS:
        for official_code, name, _share in ward.predecessors:
            seen.setdefault(
                official_code,
                OrgSpec(
                    old_code(official_code),
                    committee_name(name),
                    OrganisationKind.COMMUNE_COMMITTEE,
                    CITY_CODE,
                    official_code,
                    valid_to=OLD_STRUCTURE_END,
                ),
            )
    return list(seen.values())


def organisation_specs() -> list[OrgSpec]:
    city = OrgSpec(CITY_CODE, CITY_NAME, OrganisationKind.CITY_COMMITTEE, None)
    return [city, *_historic_organisations(), *(spec for ward in WARDS for spec in _ward_organisations(ward))]


def spec_names() -> dict[str, str]:
    return {spec.code: spec.name for spec in organisation_specs()}


ORG_FIELDS = ("name", "kind", "admin_area_code", "valid_from", "valid_to")


def write_organisations(tally: Tally) -> dict[str, PartyOrganisation]:
    specs = organisation_specs()
    existing = {o.code: o for o in PartyOrganisation.objects.filter(code__in=[s.code for s in specs])}
    changed, created = [], 0
    for spec in specs:
        values = {name: getattr(spec, name) for name in ORG_FIELDS}
        node = existing.get(spec.code)
        if node is not None:
            if assign_changed(node, values):
                changed.append(node)
            continue
        node = PartyOrganisation(code=spec.code, **values)
        if spec.parent_code is None:
            existing[spec.code] = PartyOrganisation.objects.add_root(instance=node)
        else:
            parent = existing[spec.parent_code]
            # Treebeard places a child from the parent's stored child count: read it fresh.
            parent.refresh_from_db()
            existing[spec.code] = PartyOrganisation.objects.add_child(parent, instance=node)
        created += 1
    tally.add("organisations", created, update_rows(PartyOrganisation, changed, ORG_FIELDS))
    return existing


def write_successions(organisations: dict[str, PartyOrganisation], tally: Tally) -> None:
    existing = {
        (s.predecessor_id, s.successor_id): s
        for s in OrganisationSuccession.objects.filter(successor__code__in=[w.code for w in WARDS])
    }
    new, changed = [], []
    for ward in WARDS:
        successor = organisations[ward.code]
        for official_code, _name, share in ward.predecessors:
            predecessor = organisations[old_code(official_code)]
            link = existing.get((predecessor.pk, successor.pk))
            values = {"share": share, "effective_on": NEW_STRUCTURE}
            if link is None:
                new.append(OrganisationSuccession(predecessor=predecessor, successor=successor, **values))
            elif assign_changed(link, values):
                changed.append(link)
    tally.add(
        "successions",
        len(create_rows(OrganisationSuccession, new)),
        update_rows(OrganisationSuccession, changed, ["share", "effective_on"]),
    )
