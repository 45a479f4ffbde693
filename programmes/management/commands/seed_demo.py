"""Demo data: a slice of Ho Chi Minh City after the July 2025 restructuring, the same on every run.

Four ward/commune party committees with their real post-2025 names and codes and the units each was formed from,
their grassroots organisations and cells, about 300 cadres with private details, memberships and posts, the
demo accounts, action programmes in every state made through the programme services, and the school's annual
review of 2026 with reviews in every state made through the review services. Everything is upserted by code
(programmes by owner and title, the review period by title), so a second run changes nothing.
"""

import datetime
import hashlib
import os
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group, Permission, User
from django.core.management.base import BaseCommand, CommandParser
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from programmes.accounts.second_factor import TOTP_DEVICE_NAME, key_text
from programmes.action_programmes import publication
from programmes.action_programmes import services as programme_services
from programmes.action_programmes.progress import progress_report
from programmes.audit import audit_record
from programmes.importing.communes import area_in_text, committee_name
from programmes.models import (
    ActionProgramme,
    Cadre,
    CadrePrivateDetails,
    CommitmentCategory,
    Evidence,
    Membership,
    MembershipStatus,
    MemberType,
    Occasion,
    OrganisationKind,
    OrganisationSuccession,
    PartyOrganisation,
    PartyPost,
    Position,
    PostKind,
    ProgrammeState,
    ProgrammeVersion,
    ProgressStatus,
    PublicityLevel,
    Role,
    RoleAssignment,
    SuccessionShare,
)
from programmes.models.cadres import Gender
from programmes.text import fold, normalise

# The demo command seeds every app, so it alone reaches up to reviews (DESIGN: nothing else imports upwards).
from publicity import feedback
from publicity.models import FeedbackCase
from reviews import services as review_services
from reviews.models import (
    CellMeeting,
    Decision,
    PeriodKind,
    RatingLevel,
    Review,
    ReviewPeriod,
    ReviewState,
    RuleSet,
    Verdict,
)

SEED = 2025
TOTAL_CADRES = 300
MIN_CELL_SIZE = 5
NEW_STRUCTURE = datetime.date(2025, 7, 1)
OLD_STRUCTURE_END = datetime.date(2025, 6, 30)
# Documented for the demo only; a real deployment has no demo accounts.
DEFAULT_PASSWORD = "demo-2025"  # noqa: S105
# The demo accounts whose roles require a second factor (programmes.access.requires_second_factor). Each has an
# authenticator key derived from its name, the same on every machine and printed with the accounts, so that a
# person can add it to an app or ask `manage.py demo_otp <name>` for the current code.
SECOND_FACTOR_ACCOUNTS = ("quantri", "bantochuc", "bithuphuong", "bithudangbo", "capuy", "bithuchibo")
# Demo accounts have an address on a reserved domain, so that password reset can be tried (the mail is printed).
DEMO_EMAIL_DOMAIN = "demo.example.vn"
CITY_CODE = "79"
CITY_NAME = "Đảng bộ Thành phố Hồ Chí Minh"
STAFF_GROUP = "Ban Tổ chức"

# Family names with their approximate share of the population (southern spellings Huỳnh, Võ weigh more here).
FAMILY_NAMES = {
    "Nguyễn": 38.4,
    "Trần": 11.2,
    "Lê": 9.5,
    "Phạm": 7.1,
    "Huỳnh": 3.5,
    "Hoàng": 1.6,
    "Phan": 4.5,
    "Võ": 3.0,
    "Vũ": 0.9,
    "Đặng": 2.1,
    "Bùi": 2.0,
    "Đỗ": 1.4,
    "Hồ": 1.3,
    "Ngô": 1.3,
    "Dương": 1.0,
    "Lý": 0.5,
}
MIDDLE_NAMES = {
    Gender.MALE: ["Văn", "Văn", "Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Hoàng", "Tấn", "Ngọc"],
    Gender.FEMALE: ["Thị", "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Kim", "Hồng", "Mỹ", "Bích", "Phương"],
}
GIVEN_NAMES = {
    Gender.MALE: [
        "Hùng", "Dũng", "Tuấn", "Minh", "Phúc", "Khang", "Bảo", "Long", "Nam", "Sơn", "Thắng", "Trung", "Hải",
        "Hiếu", "Nghĩa", "Tài", "Lộc", "Thành", "Quang", "Vinh", "Hòa", "Tâm", "Cường", "Đạt", "Khoa", "Phong",
        "Toàn", "Thịnh", "Nhân", "Duy",
    ],
    Gender.FEMALE: [
        "Lan", "Hương", "Hoa", "Mai", "Linh", "Trang", "Thảo", "Ngân", "Hạnh", "Nhung", "Yến", "Vy", "Tuyết",
        "Loan", "Phượng", "Dung", "Hằng", "Nga", "Thủy", "Hà", "Trinh", "Uyên", "Châu", "Diễm", "Oanh", "Quyên",
    ],
}  # fmt: skip


@dataclass(frozen=True)
class OrgSpec:
    code: str
    name: str
    kind: str
    parent_code: str | None
    admin_area_code: str = ""
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None


@dataclass(frozen=True)
class WardSpec:
    area_code: str
    title: str  # "Phường Bến Thành" / "Xã Bình Chánh"
    rural: bool
    hospital: bool
    # (old official code, old name, share of it that went into this unit)
    predecessors: tuple[tuple[str, str, str], ...]

    @property
    def code(self) -> str:
        return f"{CITY_CODE}-{self.area_code}"

    @property
    def in_text(self) -> str:
        return area_in_text(self.title)

    @property
    def short(self) -> str:
        return self.title.split(" ", 1)[1]


WARDS = (
    WardSpec(
        "26740",
        "Phường Sài Gòn",
        rural=False,
        hospital=True,
        predecessors=(
            ("26740", "Phường Bến Nghé", SuccessionShare.FULL),
            ("26737", "Phường Đa Kao", SuccessionShare.PARTIAL),
            ("26746", "Phường Nguyễn Thái Bình", SuccessionShare.PARTIAL),
        ),
    ),
    WardSpec(
        "26743",
        "Phường Bến Thành",
        rural=False,
        hospital=False,
        predecessors=(
            ("26743", "Phường Bến Thành", SuccessionShare.FULL),
            ("26746", "Phường Nguyễn Thái Bình", SuccessionShare.PARTIAL),
            ("26749", "Phường Phạm Ngũ Lão", SuccessionShare.FULL),
            ("26752", "Phường Cầu Ông Lãnh", SuccessionShare.PARTIAL),
        ),
    ),
    WardSpec(
        "26737",
        "Phường Tân Định",
        rural=False,
        hospital=False,
        predecessors=(
            ("26734", "Phường Tân Định", SuccessionShare.FULL),
            ("26737", "Phường Đa Kao", SuccessionShare.PARTIAL),
        ),
    ),
    WardSpec(
        "27637",
        "Xã Bình Chánh",
        rural=True,
        hospital=True,
        predecessors=(
            ("27625", "Xã An Phú Tây", SuccessionShare.PARTIAL),
            ("27634", "Xã Tân Quý Tây", SuccessionShare.FULL),
            ("27637", "Xã Bình Chánh", SuccessionShare.FULL),
        ),
    ),
)
DEMO_WARD = WARDS[1]
QUARTERS_PER_WARD = 3


def _old_code(official_code: str) -> str:
    # Old and new units may share an official code (new Bến Thành was formed from old Bến Thành): keep them apart.
    return f"{CITY_CODE}-{official_code}-truoc-2025"


def _government_code(ward: WardSpec) -> str:
    return f"{ward.code}-UBND"


def _school_code(ward: WardSpec) -> str:
    return f"{ward.code}-TRUONG"


def _hospital_code(ward: WardSpec) -> str:
    return f"{ward.code}-BENHVIEN"


def _quarter_word(ward: WardSpec) -> str:
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
            _government_code(ward),
            f"Đảng bộ Ủy ban nhân dân {ward.in_text}",
            grassroots,
            ward.code,
            valid_from=NEW_STRUCTURE,
        ),
        *_children(
            _government_code(ward),
            ["Văn phòng HĐND và UBND", economy, "Phòng Văn hóa - Xã hội", "Trung tâm Phục vụ hành chính công"],
            sub,
        ),
        OrgSpec(
            _school_code(ward),
            f"Đảng bộ Trường Trung học cơ sở {ward.short}",
            grassroots,
            ward.code,
            valid_from=NEW_STRUCTURE,
        ),
        *_children(_school_code(ward), ["Tổ Toán - Tin học", "Tổ Ngữ văn - Ngoại ngữ", "Hành chính - Văn phòng"], sub),
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
    word = _quarter_word(ward)
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
                    _old_code(official_code),
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


def _spec_names() -> dict[str, str]:
    return {spec.code: spec.name for spec in organisation_specs()}


@dataclass(frozen=True)
class AccountSpec:
    username: str
    role_label: str
    scope_code: str | None
    first_name: str
    last_name: str = ""


def account_specs() -> list[AccountSpec]:
    """The demo accounts. Cadre accounts take the name of the cadre chosen for them."""
    school, cell = _school_code(DEMO_WARD), f"{_school_code(DEMO_WARD)}-01"
    return [
        AccountSpec("quantri", _("Quản trị hệ thống"), None, "Quản trị", "hệ thống"),
        AccountSpec("bantochuc", _("Cán bộ Ban Tổ chức"), DEMO_WARD.code, "Hạnh", "Lê Thị"),
        AccountSpec("mattran", _("Mặt trận Tổ quốc (giám sát)"), DEMO_WARD.code, "Phúc", "Trần Văn"),
        AccountSpec("hdnd", _("Thường trực HĐND (giám sát)"), DEMO_WARD.code, "Loan", "Phạm Thị Kim"),
        AccountSpec("bithuphuong", _("Bí thư Đảng ủy phường"), DEMO_WARD.code, ""),
        AccountSpec("bithudangbo", _("Bí thư đảng ủy cơ sở, người đứng đầu"), school, ""),
        AccountSpec("capuy", _("Cấp ủy viên"), school, ""),
        AccountSpec("bithuchibo", _("Bí thư chi bộ"), cell, ""),
        AccountSpec("dangvien", _("Đảng viên"), cell, ""),
    ]


# People ----------------------------------------------------------------------------------------------------------


@dataclass
class Person:
    code: str
    full_name: str
    gender: str
    cell_code: str
    date_of_birth: datetime.date
    citizen_id: str
    phone: str
    address: str
    member_type: str
    joined_party_on: datetime.date
    official_on: datetime.date | None
    status: str = MembershipStatus.ACTIVE
    username: str | None = None


@dataclass(frozen=True)
class PostSpec:
    cadre_code: str
    post_kind: str
    organisation_code: str
    party_post: str = ""
    title: str = ""
    agency_name: str = ""
    is_head: bool = False


@dataclass
class Plan:
    people: list[Person] = field(default_factory=list)
    posts: list[PostSpec] = field(default_factory=list)
    # The cadre code behind each owner the demo programmes name ("dangvien", "toan-1", ...).
    programme_owners: dict[str, str] = field(default_factory=dict)
    # The cadre code behind each colleague of the demo cell the demo reviews name ("toan-1" ... "toan-5").
    review_subjects: dict[str, str] = field(default_factory=dict)


class PeopleGenerator:
    """Draws every random value from one seeded generator, in a fixed order, so each run plans the same."""

    def __init__(self) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 - repeatable on purpose; nothing secret is drawn
        self.citizen_ids: set[str] = set()
        self.phones: set[str] = set()

    def _date_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        return start + datetime.timedelta(days=self.rng.randint(0, (end - start).days))

    def _unique_digits(self, prefix: str, length: int, taken: set[str]) -> str:
        while True:
            value = prefix + "".join(self.rng.choice("0123456789") for _digit in range(length))
            if value not in taken:
                taken.add(value)
                return value

    def name(self, gender: str) -> str:
        family = self.rng.choices(list(FAMILY_NAMES), weights=list(FAMILY_NAMES.values()))[0]
        middle = self.rng.choice(MIDDLE_NAMES[Gender(gender)])
        given = self.rng.choice(GIVEN_NAMES[Gender(gender)])
        return f"{family} {middle} {given}"

    def citizen_id(self, gender: str, born: datetime.date) -> str:
        # 079 (province), century and sex digit, two digits of the year of birth, six random digits.
        century = 0 if born.year < 2000 else 2
        sex = 0 if gender == Gender.MALE else 1
        return self._unique_digits(f"079{century + sex}{born.year % 100:02d}", 6, self.citizen_ids)

    def person(self, index: int, cell: OrgSpec, ward: WardSpec, residential: bool) -> Person:
        gender = Gender.MALE if self.rng.random() < (0.5 if residential else 0.55) else Gender.FEMALE
        oldest, youngest = (1948, 1985) if residential else (1966, 2001)
        born = self._date_between(datetime.date(oldest, 1, 1), datetime.date(youngest, 12, 31))
        full_name = self.name(gender)
        probationary = self.rng.random() < 0.05
        if probationary:
            joined = self._date_between(datetime.date(2025, 3, 1), datetime.date(2025, 6, 30))
        else:
            earliest = datetime.date(born.year + 20, born.month, min(born.day, 28))
            joined = self._date_between(earliest, max(earliest, datetime.date(2023, 12, 31)))
        quarter = self.rng.randint(1, QUARTERS_PER_WARD)
        return Person(
            code=f"{CITY_CODE}-DV{index:06d}",
            full_name=full_name,
            gender=gender,
            cell_code=cell.code,
            date_of_birth=born,
            citizen_id=self.citizen_id(gender, born),
            phone=self._unique_digits("09", 8, self.phones),
            address=f"{_quarter_word(ward)} {quarter}, {ward.in_text}, Thành phố Hồ Chí Minh",
            member_type=MemberType.PROBATIONARY if probationary else MemberType.OFFICIAL,
            joined_party_on=joined,
            official_on=None if probationary else joined + datetime.timedelta(days=365),
        )

    def cell_sizes(self, cells: Sequence[OrgSpec]) -> list[int]:
        """At least MIN_CELL_SIZE each; residential cells, with their retired members, draw twice the rest."""
        sizes = [MIN_CELL_SIZE] * len(cells)
        weights = [2 if cell.kind == OrganisationKind.GRASSROOTS_CELL else 1 for cell in cells]
        for _extra in range(TOTAL_CADRES - MIN_CELL_SIZE * len(cells)):
            sizes[self.rng.choices(range(len(cells)), weights=weights)[0]] += 1
        return sizes


class PostPlanner:
    """Hands out party posts, preferring members who hold none yet, so most people hold one post at most."""

    def __init__(self, rng: random.Random, plan: Plan, members_by_cell: dict[str, list[Person]]) -> None:
        self.rng = rng
        self.plan = plan
        self.members_by_cell = members_by_cell
        self.holding: dict[str, int] = {}

    def pool(self, organisation: OrgSpec, specs: Sequence[OrgSpec]) -> list[Person]:
        codes = [s.code for s in specs if s.code == organisation.code or s.code.startswith(organisation.code + "-")]
        return [person for code in codes for person in self.members_by_cell.get(code, [])]

    def pick(self, pool: Sequence[Person]) -> Person:
        free = [person for person in pool if not self.holding.get(person.code)]
        person = self.rng.choice(free or list(pool))
        self.holding[person.code] = self.holding.get(person.code, 0) + 1
        return person

    def party(self, organisation: OrgSpec, pool: Sequence[Person], post: str, count: int = 1) -> list[Person]:
        holders = [self.pick(pool) for _seat in range(count)]
        self.plan.posts += [PostSpec(p.code, PostKind.PARTY, organisation.code, party_post=post) for p in holders]
        return holders

    def government(self, person: Person, organisation: OrgSpec, title: str, agency: str, is_head: bool) -> None:
        self.plan.posts.append(
            PostSpec(
                person.code, PostKind.GOVERNMENT, organisation.code, title=title, agency_name=agency, is_head=is_head
            )
        )


def _assign_posts(planner: PostPlanner, specs: Sequence[OrgSpec]) -> None:
    by_code = {spec.code: spec for spec in specs}
    for ward in WARDS:
        ward_org = by_code[ward.code]
        leaders = planner.pool(by_code[_government_code(ward)], specs)
        planner.party(ward_org, leaders, PartyPost.SECRETARY)
        (chair,) = planner.party(ward_org, leaders, PartyPost.DEPUTY_SECRETARY)
        planner.party(ward_org, leaders, PartyPost.STANDING_MEMBER, 3)
        agency = f"Ủy ban nhân dân {ward.in_text}"
        planner.government(chair, ward_org, f"Chủ tịch {agency}", agency, is_head=True)
    for spec in specs:
        if spec.kind == OrganisationKind.GRASSROOTS_COMMITTEE:
            _grassroots_committee_posts(planner, spec, specs)
    for spec in specs:
        if spec.kind in (OrganisationKind.SUBORDINATE_CELL, OrganisationKind.GRASSROOTS_CELL) and spec.valid_to is None:
            _cell_posts(planner, spec)


def _grassroots_committee_posts(planner: PostPlanner, spec: OrgSpec, specs: Sequence[OrgSpec]) -> None:
    pool = planner.pool(spec, specs)
    (secretary,) = planner.party(spec, pool, PartyPost.SECRETARY)
    planner.party(spec, pool, PartyPost.DEPUTY_SECRETARY)
    planner.party(spec, pool, PartyPost.COMMITTEE_MEMBER, 3)
    unit = spec.name.removeprefix("Đảng bộ ")
    if spec.code.endswith("-TRUONG"):
        planner.government(secretary, spec, f"Hiệu trưởng {unit}", unit, is_head=True)
    elif spec.code.endswith("-BENHVIEN"):
        planner.government(secretary, spec, f"Giám đốc {unit}", unit, is_head=True)


def _cell_posts(planner: PostPlanner, spec: OrgSpec) -> None:
    pool = planner.members_by_cell[spec.code]
    planner.party(spec, pool, PartyPost.SECRETARY)
    (deputy,) = planner.party(spec, pool, PartyPost.DEPUTY_SECRETARY)
    if spec.kind == OrganisationKind.GRASSROOTS_CELL:
        quarter = spec.name.removeprefix("Chi bộ ")
        ward = next(w for w in WARDS if spec.code.startswith(w.code + "-"))
        planner.government(deputy, spec, f"Trưởng {quarter.lower()}", f"{quarter}, {ward.in_text}", is_head=False)


def _holders(plan: Plan, organisation_code: str, post: str) -> list[str]:
    return [
        p.cadre_code
        for p in plan.posts
        if p.organisation_code == organisation_code and p.party_post == post and p.post_kind == PostKind.PARTY
    ]


def _party_post_count(plan: Plan) -> dict[str, int]:
    counts: dict[str, int] = {}
    for post in plan.posts:
        if post.post_kind == PostKind.PARTY:
            counts[post.cadre_code] = counts.get(post.cadre_code, 0) + 1
    return counts


def _choose_accounts(plan: Plan) -> None:
    """Pick the cadres behind the demo accounts so that each has exactly the role the account shows."""
    counts = _party_post_count(plan)
    people = {person.code: person for person in plan.people}
    school, cell = _school_code(DEMO_WARD), f"{_school_code(DEMO_WARD)}-01"
    only_post = [code for code in _holders(plan, school, PartyPost.COMMITTEE_MEMBER) if counts[code] == 1]
    members = [p.code for p in plan.people if p.cell_code == cell and not counts.get(p.code)]
    chosen = {
        "bithuphuong": _holders(plan, DEMO_WARD.code, PartyPost.SECRETARY)[0],
        "bithudangbo": _holders(plan, school, PartyPost.SECRETARY)[0],
        "capuy": only_post[0],
        "bithuchibo": _holders(plan, cell, PartyPost.SECRETARY)[0],
        "dangvien": next(code for code in members if people[code].member_type == MemberType.OFFICIAL),
    }
    for username, code in chosen.items():
        people[code].username = username


def _mark_exempt_and_suspended(plan: Plan) -> None:
    """One elderly member exempt from party work, one member suspended; neither holds a post or an account."""
    counts = _party_post_count(plan)
    free = [p for p in plan.people if not counts.get(p.code) and p.username is None]
    residential = [p for p in free if "-KP" in p.cell_code]
    min(residential, key=lambda p: p.date_of_birth).status = MembershipStatus.EXEMPT
    working = [p for p in free if "-UBND-" in p.cell_code and p.member_type == MemberType.OFFICIAL]
    working[len(working) // 2].status = MembershipStatus.SUSPENDED


def _choose_programme_owners(plan: Plan) -> None:
    """The owners of the demo programmes, and the secretary who confirms the second cell's.

    Besides dangvien and bithuchibo, plain members of the demo cell and of the next cell of the school own
    programmes. They get accounts because a programme is registered by its owner's own account, but no password:
    they are not demo logins.
    """
    counts = _party_post_count(plan)
    people = {person.code: person for person in plan.people}
    owners = {p.username: p.code for p in plan.people if p.username in ("dangvien", "bithuchibo")}
    school = _school_code(DEMO_WARD)
    for slot, cell in (("toan", f"{school}-01"), ("van", f"{school}-02")):
        free = [
            p.code
            for p in plan.people
            if p.cell_code == cell
            and not counts.get(p.code)
            and p.username is None
            and p.status == MembershipStatus.ACTIVE
        ]
        owners.update({f"{slot}-{number}": code for number, code in enumerate(free[:3], start=1)})
    confirmer = _holders(plan, f"{school}-02", PartyPost.SECRETARY)[0]
    for code in [*owners.values(), confirmer]:
        person = people[code]
        if person.username is None:
            person.username = "dv" + code.rsplit("DV", 1)[1]
    plan.programme_owners = owners


def _choose_review_subjects(plan: Plan) -> None:
    """dangvien's colleagues of the demo cell whose reviews the demo takes along: the programme owners first, then
    the other members without an account. A bản kiểm điểm is written by its subject's own account, so they get one,
    without a password like the programme owners."""
    cell = f"{_school_code(DEMO_WARD)}-01"
    subjects = {slot: code for slot, code in plan.programme_owners.items() if slot.startswith("toan-")}
    rest = [p for p in plan.people if p.cell_code == cell and p.username is None]
    for number, person in enumerate(rest, start=len(subjects) + 1):
        person.username = "dv" + person.code.rsplit("DV", 1)[1]
        subjects[f"toan-{number}"] = person.code
    plan.review_subjects = subjects


def build_plan() -> Plan:
    """The whole demo population, from the seed alone: no database read, so every run plans the same."""
    specs = organisation_specs()
    cells = [s for s in specs if s.kind in (OrganisationKind.SUBORDINATE_CELL, OrganisationKind.GRASSROOTS_CELL)]
    generator = PeopleGenerator()
    plan = Plan()
    members_by_cell: dict[str, list[Person]] = {}
    index = 0
    for cell, size in zip(cells, generator.cell_sizes(cells), strict=True):
        ward = next(w for w in WARDS if cell.code.startswith(w.code + "-"))
        for _slot in range(size):
            index += 1
            person = generator.person(index, cell, ward, cell.kind == OrganisationKind.GRASSROOTS_CELL)
            plan.people.append(person)
            members_by_cell.setdefault(cell.code, []).append(person)
    _assign_posts(PostPlanner(generator.rng, plan, members_by_cell), specs)
    _choose_accounts(plan)
    _mark_exempt_and_suspended(plan)
    _choose_programme_owners(plan)
    _choose_review_subjects(plan)
    return plan


# Writing ---------------------------------------------------------------------------------------------------------


@dataclass
class Tally:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, created: int, updated: int) -> None:
        self.created[name] = self.created.get(name, 0) + created
        self.updated[name] = self.updated.get(name, 0) + updated


def _differs(obj: models.Model, values: dict[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _update(model: type[models.Model], objs: list[Any], fields: Sequence[str]) -> int:
    if objs:
        bulk_update_with_history(objs, model, list(fields), default_change_reason="demo.seed")
    return len(objs)


def _create(model: type[models.Model], objs: list[Any]) -> list[Any]:
    if not objs:
        return []
    return list(bulk_create_with_history(objs, model, default_change_reason="demo.seed"))


ORG_FIELDS = ("name", "kind", "admin_area_code", "valid_from", "valid_to")


def _write_organisations(tally: Tally) -> dict[str, PartyOrganisation]:
    specs = organisation_specs()
    existing = {o.code: o for o in PartyOrganisation.objects.filter(code__in=[s.code for s in specs])}
    changed, created = [], 0
    for spec in specs:
        values = {name: getattr(spec, name) for name in ORG_FIELDS}
        node = existing.get(spec.code)
        if node is not None:
            if _differs(node, values):
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
    tally.add("organisations", created, _update(PartyOrganisation, changed, ORG_FIELDS))
    return existing


def _write_successions(organisations: dict[str, PartyOrganisation], tally: Tally) -> None:
    existing = {
        (s.predecessor_id, s.successor_id): s
        for s in OrganisationSuccession.objects.filter(successor__code__in=[w.code for w in WARDS])
    }
    new, changed = [], []
    for ward in WARDS:
        successor = organisations[ward.code]
        for official_code, _name, share in ward.predecessors:
            predecessor = organisations[_old_code(official_code)]
            link = existing.get((predecessor.pk, successor.pk))
            values = {"share": share, "effective_on": NEW_STRUCTURE}
            if link is None:
                new.append(OrganisationSuccession(predecessor=predecessor, successor=successor, **values))
            elif _differs(link, values):
                changed.append(link)
    tally.add(
        "successions",
        len(_create(OrganisationSuccession, new)),
        _update(OrganisationSuccession, changed, ["share", "effective_on"]),
    )


class _PasswordHashes:
    """Hashing is slow on purpose: hash the demo password once and check each distinct stored hash once."""

    def __init__(self, password: str) -> None:
        self.password = password
        self._encoded: str | None = None
        self._checked: dict[str, bool] = {}

    @property
    def encoded(self) -> str:
        if self._encoded is None:
            self._encoded = make_password(self.password)
        return self._encoded

    def matches(self, stored: str) -> bool:
        if stored not in self._checked:
            self._checked[stored] = check_password(self.password, stored)
        return self._checked[stored]


def _write_users(password: str, plan: Plan, tally: Tally) -> dict[str, User]:
    """The demo accounts, all with the one demo password, and the accounts of the other programme owners."""
    names = {p.username: p.full_name for p in plan.people if p.username}
    specs = account_specs()
    usernames = [s.username for s in specs]
    others = [(p.username, p) for p in plan.people if p.username and p.username not in usernames]
    usernames += [username for username, _person in others]
    existing = {u.username: u for u in User.objects.filter(username__in=usernames)}
    hashes = _PasswordHashes(password)
    new, changed = [], []
    for spec in specs:
        family_middle, given = (
            names[spec.username].rsplit(" ", 1) if spec.username in names else (spec.last_name, spec.first_name)
        )
        superuser = spec.username == "quantri"
        values = {
            "first_name": given,
            "last_name": family_middle,
            "is_staff": superuser or spec.username == "bantochuc",
            "is_superuser": superuser,
            "is_active": True,
            "email": f"{spec.username}@{DEMO_EMAIL_DOMAIN}",
        }
        user = existing.get(spec.username)
        if user is None:
            new.append(User(username=spec.username, password=hashes.encoded, **values))
            continue
        stale_password = not hashes.matches(user.password)
        if stale_password:
            user.password = hashes.encoded
        if _differs(user, values) or stale_password:
            changed.append(user)
    for username, person in others:
        family_middle, given = person.full_name.rsplit(" ", 1)
        values = {"first_name": given, "last_name": family_middle, "is_staff": False, "is_superuser": False}
        user = existing.get(username)
        if user is None:
            # No usable password: the account exists for the cadre's programme, not as a demo login.
            new.append(User(username=username, password=make_password(None), is_active=True, **values))
        elif _differs(user, values):
            changed.append(user)
    User.objects.bulk_create(new)
    User.objects.bulk_update(
        changed, ["password", "first_name", "last_name", "is_staff", "is_superuser", "is_active", "email"]
    )
    tally.add("accounts", len(new), len(changed))
    return {u.username: u for u in User.objects.filter(username__in=usernames)}


def demo_totp_key(username: str) -> str:
    """The demo account's authenticator key, hex-encoded as django-otp stores it. Public on purpose: demo only."""
    return hashlib.sha1(f"cong-chuong-trinh-demo:{username}".encode()).hexdigest()  # noqa: S324 - not a secret


def _write_second_factor(users: dict[str, User], tally: Tally) -> None:
    """A confirmed authenticator device with the documented key for each demo account that must have one."""
    created = updated = 0
    for username in SECOND_FACTOR_ACCOUNTS:
        key = demo_totp_key(username)
        device = TOTPDevice.objects.filter(user=users[username], confirmed=True).first()
        if device is None:
            TOTPDevice.objects.create(user=users[username], name=TOTP_DEVICE_NAME, key=key, confirmed=True)
            created += 1
        elif device.key != key:
            device.key, device.drift, device.last_t = key, 0, -1
            device.save(update_fields=["key", "drift", "last_t"])
            updated += 1
    tally.add("second-factor devices", created, updated)


def _write_staff_group(user: User) -> None:
    """Organisation-board staff use the admin for their subtree: give them the model permissions it checks."""
    group, _created = Group.objects.get_or_create(name=STAFF_GROUP)
    models_managed = [
        "partyorganisation",
        "organisationsuccession",
        "cadre",
        "cadreprivatedetails",
        "membership",
        "position",
        "roleassignment",
    ]
    codenames = [f"{verb}_{model}" for model in models_managed for verb in ("view", "add", "change")]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="programmes", codename__in=[*codenames, "view_auditevent"])
    )
    user.groups.add(group)


def _write_cadres(plan: Plan, users: dict[str, User], tally: Tally) -> dict[str, Cadre]:
    existing = {c.code: c for c in Cadre.objects.filter(code__in=[p.code for p in plan.people])}
    new, changed = [], []
    for person in plan.people:
        name = normalise(person.full_name)
        user = users[person.username] if person.username else None
        values = {"full_name": name, "name_folded": fold(name), "gender": person.gender, "user_id": user and user.pk}
        cadre = existing.get(person.code)
        if cadre is None:
            new.append(Cadre(code=person.code, **values))
        elif _differs(cadre, values):
            changed.append(cadre)
    _create(Cadre, new)
    tally.add("cadres", len(new), _update(Cadre, changed, ["full_name", "name_folded", "gender", "user"]))
    return {c.code: c for c in Cadre.objects.filter(code__in=[p.code for p in plan.people])}


PRIVATE_FIELDS = ("date_of_birth", "citizen_id", "phone", "address")


def _write_private_details(plan: Plan, cadres: dict[str, Cadre], tally: Tally) -> None:
    existing = {d.cadre_id: d for d in CadrePrivateDetails.objects.filter(cadre__in=cadres.values())}
    new, changed = [], []
    for person in plan.people:
        cadre = cadres[person.code]
        values = {name: getattr(person, name) for name in PRIVATE_FIELDS}
        details = existing.get(cadre.pk)
        if details is None:
            new.append(CadrePrivateDetails(cadre=cadre, **values))
        elif _differs(details, values):
            changed.append(details)
    _create(CadrePrivateDetails, new)
    tally.add("private_details", len(new), _update(CadrePrivateDetails, changed, PRIVATE_FIELDS))


MEMBERSHIP_FIELDS = ("cell_id", "member_type", "status", "joined_party_on", "official_on", "start_date")


def _write_memberships(
    plan: Plan, cadres: dict[str, Cadre], organisations: dict[str, PartyOrganisation], tally: Tally
) -> None:
    """Upserted by cadre: each demo cadre's current membership is set to the planned cell."""
    existing = {m.cadre_id: m for m in Membership.objects.filter(cadre__in=cadres.values(), end_date__isnull=True)}
    new, changed = [], []
    for person in plan.people:
        cadre = cadres[person.code]
        values = {
            "cell_id": organisations[person.cell_code].pk,
            "member_type": person.member_type,
            "status": person.status,
            "joined_party_on": person.joined_party_on,
            "official_on": person.official_on,
            "start_date": NEW_STRUCTURE,
        }
        membership = existing.get(cadre.pk)
        if membership is None:
            new.append(Membership(cadre=cadre, **values))
        elif _differs(membership, values):
            changed.append(membership)
    _create(Membership, new)
    fields = [name.removesuffix("_id") for name in MEMBERSHIP_FIELDS]
    tally.add("memberships", len(new), _update(Membership, changed, fields))


def _write_positions(
    plan: Plan, cadres: dict[str, Cadre], organisations: dict[str, PartyOrganisation], tally: Tally
) -> None:
    """Upserted by (cadre, kind, post, organisation, title) among current posts."""
    existing = {
        (p.cadre_id, p.post_kind, p.party_post, p.organisation_id, p.title): p
        for p in Position.objects.filter(cadre__in=cadres.values(), end_date__isnull=True)
    }
    new, changed = [], []
    for post in plan.posts:
        cadre, organisation = cadres[post.cadre_code], organisations[post.organisation_code]
        key = (cadre.pk, post.post_kind, post.party_post, organisation.pk, post.title)
        values = {"agency_name": post.agency_name, "is_head": post.is_head, "start_date": NEW_STRUCTURE}
        position = existing.get(key)
        if position is None:
            new.append(
                Position(
                    cadre=cadre,
                    post_kind=post.post_kind,
                    party_post=post.party_post,
                    organisation=organisation,
                    title=post.title,
                    **values,
                )
            )
        elif _differs(position, values):
            changed.append(position)
    _create(Position, new)
    tally.add("positions", len(new), _update(Position, changed, ["agency_name", "is_head", "start_date"]))


ROLE_ACCOUNTS = {"bantochuc": Role.ORG_BOARD_STAFF, "mattran": Role.FRONT_OVERSEER, "hdnd": Role.COUNCIL_OVERSEER}


def _write_roles(users: dict[str, User], organisations: dict[str, PartyOrganisation], tally: Tally) -> None:
    ward = organisations[DEMO_WARD.code]
    created = 0
    for username, role in ROLE_ACCOUNTS.items():
        current = RoleAssignment.objects.filter(
            user=users[username], role=role, organisation=ward, end_date__isnull=True
        )
        if not current.exists():
            _create(
                RoleAssignment,
                [RoleAssignment(user=users[username], role=role, organisation=ward, start_date=NEW_STRUCTURE)],
            )
            created += 1
    tally.add("roles", created, 0)


# Action programmes --------------------------------------------------------------------------------------------------

# The programmes run over this fixed year, so every run writes the same content; deadlines early in it have passed.
DEMO_YEAR = 2026
SCHOOL_SITE = "https://thcsbenthanh.example"


def _day(month: int, day: int, years_on: int = 0) -> datetime.date:
    return datetime.date(DEMO_YEAR + years_on, month, day)


def _decimal(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


@dataclass(frozen=True)
class ReportSpec:
    status: str
    value: str | None = None
    note: str = ""
    link: str = ""


@dataclass(frozen=True)
class CommitmentSpec:
    category: str
    statement: str
    measures: str
    deadline: datetime.date
    evidence_kind: str
    indicator: str = ""
    unit: str = ""
    baseline: str | None = None
    target: str | None = None
    weight: int | None = None
    deliverable: bool = False
    milestones: tuple[tuple[datetime.date, str], ...] = ()
    reports: tuple[ReportSpec, ...] = ()

    def content(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "statement": self.statement,
            "is_deliverable": self.deliverable,
            "indicator": self.indicator,
            "unit": self.unit,
            "baseline_value": _decimal(self.baseline),
            "target_value": _decimal(self.target),
            "measures": self.measures,
            "deadline": self.deadline,
            "evidence_kind": self.evidence_kind,
            "weight": self.weight,
            "within_own_authority": True,
        }


@dataclass(frozen=True)
class AmendmentSpec:
    reason: str
    position: int
    changes: tuple[tuple[str, Any], ...]
    confirm: bool = False
    comment: str = ""


@dataclass(frozen=True)
class ProgrammeSpec:
    owner: str  # a key of Plan.programme_owners
    occasion: str
    title: str
    term: tuple[datetime.date, datetime.date]
    commitments: tuple[CommitmentSpec, ...]
    outcome: str  # the ProgrammeState the script leaves it in
    for_party_post: bool = False
    publicity_max: int = PublicityLevel.COMMITTEE
    comment: str = ""
    return_reason: str = ""
    return_notes: tuple[tuple[int, str], ...] = ()
    amendment: AmendmentSpec | None = None


Category = CommitmentCategory
Status = ProgressStatus


def demo_programmes() -> tuple[ProgrammeSpec, ...]:
    """Programmes in every state for the school's two teachers' cells of Phường Bến Thành."""
    annual = Occasion.ANNUAL
    year = (_day(1, 1), _day(12, 31))
    next_year = (_day(1, 1, 1), _day(12, 31, 1))
    school_year = f"{DEMO_YEAR}-{DEMO_YEAR + 1}"
    return (
        ProgrammeSpec(
            "dangvien",
            Occasion.NEW_DUTY,
            f"Chương trình hành động khi nhận nhiệm vụ phụ trách bồi dưỡng học sinh giỏi Tin học năm {DEMO_YEAR}",
            year,
            (
                CommitmentSpec(
                    Category.PROFESSIONAL_TASK,
                    "Bồi dưỡng đội tuyển học sinh giỏi Tin học của trường đạt ít nhất 6 giải cấp phường",
                    "Dạy bồi dưỡng 2 buổi mỗi tuần từ tháng 01; tổ chức 3 đợt thi thử; trao đổi với phụ huynh sau "
                    "mỗi đợt",
                    _day(4, 30),
                    "Quyết định công nhận giải của Ủy ban nhân dân phường Bến Thành",
                    indicator="Số giải học sinh giỏi Tin học cấp phường",
                    unit="giải",
                    baseline="3",
                    target="6",
                    weight=40,
                    milestones=((_day(2, 28), "Hoàn thành 2 đợt thi thử, chọn đội tuyển 10 em"),),
                    reports=(
                        ReportSpec(Status.ON_TRACK, None, "Đã chọn đội tuyển 10 em sau 2 đợt thi thử."),
                        ReportSpec(
                            Status.EXCEEDED,
                            "7",
                            "Đội tuyển đạt 7 giải: 2 giải nhất, 2 giải nhì, 3 giải ba.",
                            f"{SCHOOL_SITE}/tin-tuc/ket-qua-hoc-sinh-gioi-tin-hoc-cap-phuong-{DEMO_YEAR}",
                        ),
                    ),
                ),
                CommitmentSpec(
                    Category.PROFESSIONAL_TASK,
                    "Có 95% học sinh lớp 9A3 đạt từ 5,0 điểm môn Toán trở lên ở kỳ thi tuyển sinh lớp 10",
                    "Phụ đạo học sinh yếu chiều thứ Ba và thứ Năm; kiểm tra định kỳ hằng tháng; theo dõi từng em "
                    "trong sổ tay chủ nhiệm",
                    _day(6, 30),
                    "Bảng điểm thi tuyển sinh lớp 10 của lớp 9A3",
                    indicator="Tỷ lệ học sinh lớp 9A3 đạt từ 5,0 điểm môn Toán",
                    unit="%",
                    baseline="88",
                    target="95",
                    weight=30,
                    reports=(
                        ReportSpec(
                            Status.DONE,
                            "96",
                            "Lớp 9A3 có 43/45 em đạt từ 5,0 điểm môn Toán.",
                            f"{SCHOOL_SITE}/tuyen-sinh-lop-10/{DEMO_YEAR}/ket-qua-lop-9a3",
                        ),
                    ),
                ),
                CommitmentSpec(
                    Category.SERVICE_TO_PEOPLE,
                    "Hoàn thành kho 40 bài giảng điện tử môn Tin học dùng chung cho học sinh trong phường",
                    "Mỗi tuần hoàn thành 2 bài; tổ chuyên môn góp ý trước khi đăng; đăng trên kho học liệu của trường",
                    _day(3, 31),
                    "Đường dẫn kho học liệu và danh sách bài giảng đã đăng",
                    indicator="Số bài giảng điện tử đã đăng trên kho học liệu",
                    unit="bài",
                    baseline="12",
                    target="40",
                    weight=15,
                    reports=(
                        ReportSpec(
                            Status.AT_RISK,
                            "26",
                            "Mới đăng 26/40 bài do thiếu thiết bị quay dựng; đã đề nghị nhà trường hỗ trợ.",
                            f"{SCHOOL_SITE}/hoc-lieu/tin-hoc",
                        ),
                    ),
                ),
                CommitmentSpec(
                    Category.PARTY_BUILDING,
                    "Bồi dưỡng, giới thiệu 1 quần chúng ưu tú trong Tổ Toán - Tin học để chi bộ xem xét kết nạp Đảng",
                    "Phân công kèm cặp; giới thiệu học lớp bồi dưỡng nhận thức về Đảng; báo cáo chi bộ hằng quý",
                    _day(12, 15),
                    "Nghị quyết của chi bộ giới thiệu quần chúng ưu tú",
                    weight=15,
                    deliverable=True,
                    reports=(
                        ReportSpec(Status.ON_TRACK, None, "Quần chúng đã học xong lớp bồi dưỡng nhận thức về Đảng."),
                    ),
                ),
                CommitmentSpec(
                    Category.EXEMPLARY,
                    "Tham gia đầy đủ 12/12 kỳ sinh hoạt chi bộ thường kỳ, gương mẫu thực hiện quy định nêu gương",
                    "Sắp xếp lịch dạy trước ngày sinh hoạt; báo cáo chi bộ bằng văn bản khi vắng có lý do",
                    _day(12, 31),
                    "Sổ biên bản sinh hoạt chi bộ",
                    indicator="Số kỳ sinh hoạt chi bộ tham dự",
                    unit="kỳ",
                    baseline="0",
                    target="12",
                    reports=(ReportSpec(Status.ON_TRACK, "10", "Đã dự 10/10 kỳ sinh hoạt đến hết tháng 10."),),
                ),
            ),
            ProgrammeState.CONFIRMED,
            publicity_max=PublicityLevel.PUBLIC,
            comment="Nội dung cụ thể, sát nhiệm vụ được giao. Đồng ý xác nhận.",
        ),
        ProgrammeSpec(
            "dangvien",
            annual,
            f"Bản cam kết tu dưỡng, rèn luyện, phấn đấu năm {DEMO_YEAR + 1}",
            next_year,
            (
                CommitmentSpec(
                    Category.POLITICS_ETHICS,
                    "Học tập đầy đủ 100% chuyên đề, nghị quyết do chi bộ tổ chức và viết bài thu hoạch",
                    "Tham gia học tập trực tiếp; viết bài thu hoạch sau mỗi chuyên đề",
                    _day(12, 15, 1),
                    "Bài thu hoạch có nhận xét của chi bộ",
                    indicator="Tỷ lệ chuyên đề, nghị quyết đã học tập",
                    unit="%",
                    target="100",
                ),
                CommitmentSpec(
                    Category.PROFESSIONAL_TASK,
                    f"Đạt danh hiệu giáo viên dạy giỏi cấp trường năm học {school_year}",
                    "Đăng ký 2 tiết thao giảng; dự giờ đồng nghiệp 18 tiết mỗi học kỳ",
                    _day(5, 31, 1),
                    "Quyết định công nhận giáo viên dạy giỏi cấp trường",
                    weight=60,
                    deliverable=True,
                ),
                CommitmentSpec(
                    Category.PROFESSIONAL_TASK,
                    "Giảm tỷ lệ học sinh lớp chủ nhiệm 8A2 có kết quả học tập chưa đạt xuống dưới 3%",
                    "Lập nhóm học tập; phụ đạo 1 buổi mỗi tuần; liên lạc với phụ huynh hằng tháng",
                    _day(5, 31, 1),
                    "Sổ điểm điện tử và báo cáo tổng kết năm học của lớp 8A2",
                    indicator="Tỷ lệ học sinh có kết quả học tập chưa đạt",
                    unit="%",
                    baseline="6",
                    target="3",
                    weight=40,
                ),
            ),
            ProgrammeState.DRAFT,
        ),
        ProgrammeSpec(
            "bithuchibo",
            Occasion.ELECTION,
            "Chương trình hành động của Bí thư Chi bộ Tổ Toán - Tin học nhiệm kỳ 2025 - 2027",
            (_day(8, 1, -1), _day(7, 31, 1)),
            (
                CommitmentSpec(
                    Category.PARTY_BUILDING,
                    "Tổ chức đủ 100% kỳ sinh hoạt chi bộ hằng tháng, mỗi quý 1 kỳ sinh hoạt chuyên đề",
                    "Lập kế hoạch sinh hoạt cả năm; chuẩn bị nội dung chuyên đề trước 1 tuần; mời đảng ủy dự mỗi "
                    "quý 1 kỳ",
                    _day(6, 30, 1),
                    "Sổ biên bản sinh hoạt chi bộ và kế hoạch sinh hoạt chuyên đề",
                    indicator="Tỷ lệ kỳ sinh hoạt tổ chức đúng quy định",
                    unit="%",
                    baseline="90",
                    target="100",
                    weight=40,
                    reports=(ReportSpec(Status.ON_TRACK, "100", "Đủ 16/16 kỳ sinh hoạt, 5 kỳ chuyên đề."),),
                ),
                CommitmentSpec(
                    Category.PARTY_BUILDING,
                    "Kết nạp ít nhất 2 đảng viên mới là giáo viên trẻ trong nhiệm kỳ",
                    "Lập danh sách quần chúng ưu tú; phân công đảng viên kèm cặp; phối hợp Chi đoàn giới thiệu",
                    _day(6, 30, 1),
                    "Quyết định kết nạp đảng viên của Đảng ủy phường",
                    indicator="Số đảng viên mới được kết nạp",
                    unit="đảng viên",
                    baseline="0",
                    target="2",
                    weight=30,
                    reports=(ReportSpec(Status.ON_TRACK, "1", "Đã kết nạp 1 đồng chí; 1 quần chúng đang bồi dưỡng."),),
                ),
                CommitmentSpec(
                    Category.PROFESSIONAL_TASK,
                    "100% giáo viên Tổ Toán - Tin học sử dụng bài giảng điện tử trong giảng dạy",
                    "Tập huấn nội bộ 2 buổi mỗi học kỳ; dự giờ, góp ý; chia sẻ học liệu dùng chung",
                    _day(12, 31),
                    "Biên bản dự giờ và thống kê của tổ chuyên môn",
                    indicator="Tỷ lệ giáo viên của tổ sử dụng bài giảng điện tử",
                    unit="%",
                    baseline="60",
                    target="100",
                    weight=30,
                ),
            ),
            ProgrammeState.CONFIRMED,
            for_party_post=True,
            publicity_max=PublicityLevel.PUBLIC,
            comment="Đồng ý. Đề nghị chú trọng công tác phát triển đảng viên trong giáo viên trẻ.",
            amendment=AmendmentSpec(
                f"Thực hiện nghị quyết của Đảng ủy Trường quý II/{DEMO_YEAR}: nâng chỉ tiêu phát triển đảng viên.",
                2,
                (("statement", "Kết nạp ít nhất 3 đảng viên mới là giáo viên trẻ trong nhiệm kỳ"), ("target_value", 3)),
                confirm=True,
                comment="Đồng ý điều chỉnh chỉ tiêu.",
            ),
        ),
        ProgrammeSpec(
            "toan-1",
            annual,
            f"Bản cam kết tu dưỡng, rèn luyện, phấn đấu năm {DEMO_YEAR}",
            year,
            (
                CommitmentSpec(
                    Category.POLITICS_ETHICS,
                    "Không vi phạm 19 điều đảng viên không được làm; thực hiện nghiêm quy định nêu gương",
                    "Tự kiểm tra hằng quý; tiếp thu góp ý của chi bộ, đồng nghiệp và nơi cư trú",
                    _day(12, 31),
                    "Nhận xét của chi bộ và của chi ủy nơi cư trú",
                    indicator="Số lần bị nhắc nhở, phê bình",
                    unit="lần",
                    target="0",
                ),
                CommitmentSpec(
                    Category.PROFESSIONAL_TASK,
                    "Có 90% học sinh lớp 7A1 đạt điểm trung bình môn Toán từ 6,5 trở lên",
                    "Chia nhóm theo trình độ; giao bài tập phân hóa; kiểm tra 15 phút hằng tuần",
                    _day(5, 31),
                    "Sổ điểm điện tử cuối năm học của lớp 7A1",
                    indicator="Tỷ lệ học sinh lớp 7A1 đạt từ 6,5 điểm",
                    unit="%",
                    baseline="78",
                    target="90",
                    weight=70,
                    reports=(
                        ReportSpec(
                            Status.DONE,
                            "91",
                            "Cuối năm học lớp 7A1 có 41/45 em đạt từ 6,5 điểm.",
                            f"{SCHOOL_SITE}/tong-ket-nam-hoc/{DEMO_YEAR}/lop-7a1",
                        ),
                    ),
                ),
                CommitmentSpec(
                    Category.SERVICE_TO_PEOPLE,
                    "Dạy miễn phí 4 buổi ôn tập cho học sinh có hoàn cảnh khó khăn tại Khu phố 2",
                    "Phối hợp Ban điều hành khu phố lập danh sách; mượn nhà văn hóa khu phố làm lớp học",
                    _day(8, 31),
                    "Xác nhận của Ban điều hành Khu phố 2",
                    indicator="Số buổi dạy miễn phí",
                    unit="buổi",
                    baseline="0",
                    target="4",
                    weight=30,
                    reports=(ReportSpec(Status.ON_TRACK, "4", "Đã dạy 4 buổi cho 18 em."),),
                ),
            ),
            ProgrammeState.CONFIRMED,
            comment="Đồng ý xác nhận.",
            amendment=AmendmentSpec(
                "Ban điều hành Khu phố 2 đề nghị mở thêm 2 buổi ôn tập cuối năm cho học sinh có hoàn cảnh khó khăn.",
                3,
                (
                    ("statement", "Dạy miễn phí 6 buổi ôn tập cho học sinh có hoàn cảnh khó khăn tại Khu phố 2"),
                    ("target_value", 6),
                    ("deadline", _day(12, 20)),
                ),
            ),
        ),
        ProgrammeSpec(
            "toan-2",
            Occasion.NEW_DUTY,
            f"Chương trình hành động khi nhận nhiệm vụ Tổ phó Tổ Toán - Tin học năm học {school_year}",
            (_day(11, 1), _day(5, 31, 1)),
            (
                CommitmentSpec(
                    Category.PROFESSIONAL_TASK,
                    "Tổ chức 6 chuyên đề đổi mới phương pháp dạy học môn Toán trong năm học",
                    "Mỗi tháng 1 chuyên đề; phân công giáo viên báo cáo; mời Ban Giám hiệu dự",
                    _day(5, 15, 1),
                    "Biên bản sinh hoạt chuyên đề của tổ",
                    indicator="Số chuyên đề đã tổ chức",
                    unit="chuyên đề",
                    baseline="0",
                    target="6",
                    weight=50,
                ),
                CommitmentSpec(
                    Category.PROFESSIONAL_TASK,
                    "Hướng dẫn 2 giáo viên mới đạt yêu cầu tiết dạy thao giảng cấp tổ",
                    "Dự giờ mỗi giáo viên 2 tiết mỗi tháng; góp ý giáo án trước khi lên lớp",
                    _day(3, 31, 1),
                    "Phiếu đánh giá tiết dạy thao giảng",
                    indicator="Số giáo viên mới đạt yêu cầu",
                    unit="giáo viên",
                    baseline="0",
                    target="2",
                    weight=50,
                ),
                CommitmentSpec(
                    Category.EXEMPLARY,
                    "Đi đầu chuyển đổi số: 100% hồ sơ chuyên môn của tổ lưu trên hệ thống quản lý của trường",
                    "Hướng dẫn từng giáo viên; rà soát hồ sơ cuối mỗi tháng",
                    _day(1, 31, 1),
                    "Thống kê hồ sơ trên hệ thống quản lý trường học",
                    indicator="Tỷ lệ hồ sơ chuyên môn đã số hóa",
                    unit="%",
                    baseline="40",
                    target="100",
                ),
            ),
            ProgrammeState.SUBMITTED,
        ),
        ProgrammeSpec(
            "toan-3",
            annual,
            f"Bản cam kết tu dưỡng, rèn luyện, phấn đấu năm {DEMO_YEAR + 1}",
            next_year,
            (
                CommitmentSpec(
                    Category.PROFESSIONAL_TASK,
                    "100% học sinh khối 6 được kiểm tra đạt yêu cầu kỹ năng tin học cơ bản",
                    "Dạy đúng chương trình; kiểm tra thực hành cuối mỗi chủ đề",
                    _day(5, 31, 1),
                    "Kết quả kiểm tra thực hành của khối 6",
                    indicator="Tỷ lệ học sinh khối 6 đạt yêu cầu kỹ năng tin học",
                    unit="%",
                    baseline="85",
                    target="100",
                    weight=100,
                ),
                CommitmentSpec(
                    Category.SELF_IMPROVEMENT,
                    "Hoàn thành chương trình bồi dưỡng lý luận chính trị sơ cấp",
                    "Đăng ký lớp với Trung tâm Chính trị; sắp xếp lịch dạy để học đầy đủ",
                    _day(10, 31, 1),
                    "Giấy chứng nhận hoàn thành chương trình sơ cấp lý luận chính trị",
                    deliverable=True,
                ),
            ),
            ProgrammeState.RETURNED,
            return_reason="Chỉ tiêu chưa sát thực tế; đề nghị bổ sung nội dung về phục vụ Nhân dân nơi cư trú.",
            return_notes=((1, "Đề nghị ghi rõ số học sinh hiện chưa đạt và cách kèm cặp từng em."),),
        ),
        ProgrammeSpec(
            "van-1",
            annual,
            f"Bản cam kết tu dưỡng, rèn luyện, phấn đấu năm {DEMO_YEAR}",
            year,
            (
                CommitmentSpec(
                    Category.PROFESSIONAL_TASK,
                    "Có 92% học sinh lớp 9A1 đạt từ 5,0 điểm môn Ngữ văn ở kỳ thi tuyển sinh lớp 10",
                    "Ôn tập theo chủ đề; chấm chữa bài viết hằng tuần; thi thử 3 đợt",
                    _day(6, 30),
                    "Bảng điểm thi tuyển sinh lớp 10 của lớp 9A1",
                    indicator="Tỷ lệ học sinh lớp 9A1 đạt từ 5,0 điểm môn Ngữ văn",
                    unit="%",
                    baseline="85",
                    target="92",
                    weight=60,
                    reports=(
                        ReportSpec(
                            Status.DONE,
                            "93",
                            "Lớp 9A1 có 40/43 em đạt từ 5,0 điểm môn Ngữ văn.",
                            f"{SCHOOL_SITE}/tuyen-sinh-lop-10/{DEMO_YEAR}/ket-qua-lop-9a1",
                        ),
                    ),
                ),
                CommitmentSpec(
                    Category.PROFESSIONAL_TASK,
                    "Duy trì câu lạc bộ Đọc sách cho học sinh khối 6 và khối 7, mỗi tháng 1 buổi, đủ 9 buổi",
                    "Xây dựng danh mục sách theo tháng; phối hợp thư viện trường và Đoàn thanh niên",
                    _day(12, 20),
                    "Sổ sinh hoạt câu lạc bộ và ảnh hoạt động",
                    indicator="Số buổi sinh hoạt câu lạc bộ",
                    unit="buổi",
                    baseline="0",
                    target="9",
                    weight=40,
                    reports=(ReportSpec(Status.ON_TRACK, "7", "Đã tổ chức 7 buổi, trung bình 35 em mỗi buổi."),),
                ),
                CommitmentSpec(
                    Category.POLITICS_ETHICS,
                    "Viết 2 bài thu hoạch về học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
                    "Đăng ký nội dung làm theo với chi bộ; tự đánh giá mỗi học kỳ",
                    _day(11, 30),
                    "Bài thu hoạch có nhận xét của chi bộ",
                    indicator="Số bài thu hoạch",
                    unit="bài",
                    baseline="0",
                    target="2",
                ),
            ),
            ProgrammeState.CONFIRMED,
            comment="Đồng ý xác nhận.",
        ),
        ProgrammeSpec(
            "van-2",
            Occasion.NEW_DUTY,
            f"Chương trình hành động khi nhận nhiệm vụ Tổng phụ trách Đội năm học {school_year}",
            (_day(9, 1), _day(5, 31, 1)),
            (
                CommitmentSpec(
                    Category.SERVICE_TO_PEOPLE,
                    "Tổ chức 3 đợt hoạt động tình nguyện của Liên đội tại các khu phố của phường",
                    "Phối hợp Đoàn phường và Ban điều hành khu phố; mỗi đợt có kế hoạch và tổng kết",
                    _day(5, 31, 1),
                    "Kế hoạch, báo cáo tổng kết từng đợt có xác nhận của khu phố",
                    indicator="Số đợt hoạt động tình nguyện",
                    unit="đợt",
                    baseline="1",
                    target="3",
                    weight=50,
                ),
                CommitmentSpec(
                    Category.PROFESSIONAL_TASK,
                    "Liên đội đạt danh hiệu Liên đội vững mạnh xuất sắc cấp phường",
                    "Xây dựng chương trình công tác Đội cả năm; kiểm tra chi đội hằng tháng",
                    _day(5, 31, 1),
                    "Quyết định khen thưởng của Hội đồng Đội phường",
                    weight=50,
                    deliverable=True,
                ),
            ),
            ProgrammeState.SUBMITTED,
        ),
        ProgrammeSpec(
            "van-3",
            Occasion.ELECTION,
            "Chương trình hành động khi ứng cử Ban Chấp hành Công đoàn Trường nhiệm kỳ 2026 - 2031",
            (_day(10, 1), _day(9, 30, 5)),
            (
                CommitmentSpec(
                    Category.SERVICE_TO_PEOPLE,
                    "Vận động 100% đoàn viên công đoàn đóng góp quỹ hỗ trợ giáo viên có hoàn cảnh khó khăn",
                    "Phát động vào đầu năm học; công khai thu chi mỗi học kỳ",
                    _day(5, 31, 1),
                    "Sổ quỹ và biên bản công khai thu chi",
                    indicator="Tỷ lệ đoàn viên tham gia đóng góp",
                    unit="%",
                    baseline="70",
                    target="100",
                    weight=100,
                ),
            ),
            ProgrammeState.WITHDRAWN,
        ),
    )


def _report_progress(spec: ProgrammeSpec, version: ProgrammeVersion, user: User) -> None:
    for terms, item in zip(version.terms.order_by("position"), spec.commitments, strict=True):
        for report in item.reports:
            progress_report(
                commitment=terms.commitment,
                status=report.status,
                value_reached=_decimal(report.value),
                note=report.note,
                links=[report.link] if report.link else [],
                acting_user=user,
            )


def _amend(amendment: AmendmentSpec, programme: ActionProgramme, user: User, publicity_max: int) -> None:
    version = programme_services.amendment_start(programme=programme, reason=amendment.reason, acting_user=user)
    terms = version.terms.get(position=amendment.position)
    content = {name: getattr(terms, name) for name in programme_services.CONTENT_FIELDS}
    content.update(amendment.changes)
    milestones = [(milestone.due_date, milestone.description) for milestone in terms.milestones.all()]
    programme_services.commitment_update(terms=terms, content=content, milestones=milestones, acting_user=user)
    version = programme_services.programme_submit(version=version, acting_user=user)
    if amendment.confirm and version.confirmer is not None:
        programme_services.programme_confirm(
            version=version, publicity_max=publicity_max, comment=amendment.comment, acting_user=version.confirmer
        )


def _play(spec: ProgrammeSpec, owner: Cadre, user: User) -> None:
    """Register the programme as its owner would, then take it as far as the script says, through the services."""
    position = None
    if spec.for_party_post:
        position = Position.objects.current().filter(cadre=owner, post_kind=PostKind.PARTY).order_by("pk").first()
    programme = programme_services.programme_create(
        owner=owner,
        occasion=spec.occasion,
        title=spec.title,
        position=position,
        term_start=spec.term[0],
        term_end=spec.term[1],
        acting_user=user,
    )
    version = programme.versions.get()
    for item in spec.commitments:
        programme_services.commitment_add(
            version=version, content=item.content(), milestones=item.milestones, acting_user=user
        )
    if spec.outcome == ProgrammeState.DRAFT:
        return
    version = programme_services.programme_submit(version=version, acting_user=user)
    confirmer = version.confirmer
    if spec.outcome == ProgrammeState.WITHDRAWN:
        programme_services.version_withdraw(version=version, acting_user=user)
    elif confirmer is None or spec.outcome == ProgrammeState.SUBMITTED:
        return
    elif spec.outcome == ProgrammeState.RETURNED:
        at = {terms.position: terms.pk for terms in version.terms.all()}
        programme_services.programme_return(
            version=version,
            reason=spec.return_reason,
            commitment_notes={at[position]: note for position, note in spec.return_notes},
            acting_user=confirmer,
        )
    else:
        programme_services.programme_confirm(
            version=version, publicity_max=spec.publicity_max, comment=spec.comment, acting_user=confirmer
        )
        _report_progress(spec, version, user)
        if spec.amendment is not None:
            _amend(spec.amendment, programme, user, spec.publicity_max)
        if spec.publicity_max == PublicityLevel.PUBLIC:
            _publish(programme, user)


def _publish(programme: ActionProgramme, user: User) -> None:
    """The owner consents and publishes to the People, with the evidence links shown, as a cadre would."""
    publication.consent_give(programme=programme, acting_user=user)
    publication.publicity_set(programme=programme, level=PublicityLevel.PUBLIC, acting_user=user)
    for evidence in Evidence.objects.filter(commitment__programme=programme).exclude(link=""):
        publication.evidence_publicity_set(evidence=evidence, is_public=True, acting_user=user)


def _write_programmes(plan: Plan, cadres: dict[str, Cadre], tally: Tally) -> None:
    """The demo programmes; one whose owner already has a programme of that title is left as it is."""
    created = 0
    for spec in demo_programmes():
        code = plan.programme_owners.get(spec.owner)
        owner = cadres[code] if code is not None else None
        if owner is None or owner.user is None:
            continue
        if ActionProgramme.objects.filter(owner=owner, title=spec.title).exists():
            continue
        _play(spec, owner, owner.user)
        created += 1
    tally.add("programmes", created, 0)


# Reviews -----------------------------------------------------------------------------------------------------------

REVIEW_PERIOD_TITLE = f"Kiểm điểm, đánh giá, xếp loại chất lượng đảng viên năm {DEMO_YEAR}"
REVIEW_RULE_SET = "366-2025"


@dataclass(frozen=True)
class ReviewSpec:
    subject: str  # a key of Plan.review_subjects
    outcome: str  # the ReviewState the script leaves the review in
    strengths: str
    shortcomings: str
    remedy_plan: str
    self_points: tuple[int, int]
    self_level: str
    cell_points: tuple[int, int] = (0, 0)
    cell_level: str = ""
    cell_comments: str = ""
    grounds: str = ""


def demo_reviews() -> tuple[ReviewSpec, ...]:
    """dangvien's colleagues in the annual review: one rated, one awaiting the head's confirmation, one proposed
    by the cell, two submitted. dangvien's own review stays a draft for the demo user to write."""
    good, completed = RatingLevel.GOOD, RatingLevel.COMPLETED
    return (
        ReviewSpec(
            "toan-1",
            ReviewState.FINAL,
            "Giữ vững lập trường chính trị, chấp hành nghiêm chủ trương của Đảng, pháp luật của Nhà nước. Lớp 7A1 "
            "có 41/45 em đạt từ 6,5 điểm môn Toán, vượt chỉ tiêu đăng ký; đã dạy miễn phí 4 buổi ôn tập cho học "
            "sinh có hoàn cảnh khó khăn tại Khu phố 2.",
            "Đổi mới phương pháp dạy học ở một số tiết chưa đều; nguyên nhân: chưa dành đủ thời gian dự giờ, học "
            "hỏi đồng nghiệp.",
            "Mỗi tháng dự giờ ít nhất 2 tiết của đồng nghiệp; đăng ký 1 tiết thao giảng mỗi học kỳ.",
            (27, 61),
            good,
            (27, 60),
            good,
            "Chi bộ thống nhất đề nghị mức hoàn thành tốt nhiệm vụ.",
            "Lớp 7A1 có 91% học sinh đạt từ 6,5 điểm môn Toán (chỉ tiêu 90%), có sổ điểm cuối năm học làm minh "
            "chứng; cả 3 nội dung cam kết hoàn thành đúng hạn.",
        ),
        ReviewSpec(
            "toan-2",
            ReviewState.DECIDED,
            "Chấp hành tốt nội quy nhà trường; dạy đúng chương trình Tin học khối 6; tích cực hướng dẫn đồng nghiệp "
            "sử dụng bài giảng điện tử.",
            "Hồ sơ chuyên môn có lúc cập nhật chậm; nguyên nhân: nhận thêm nhiệm vụ Tổ phó từ tháng 11.",
            "Lập lịch cập nhật hồ sơ hằng tuần; phân công lại công việc trong tổ.",
            (26, 58),
            good,
            (26, 56),
            good,
            "Chi bộ thống nhất đề nghị mức hoàn thành tốt nhiệm vụ.",
        ),
        ReviewSpec(
            "toan-3",
            ReviewState.CELL_PROPOSED,
            "Giữ gìn phẩm chất đạo đức, lối sống; hoàn thành nhiệm vụ giảng dạy được giao.",
            "Bản cam kết đầu năm bị trả lại vì chỉ tiêu chưa sát thực tế; vắng 2 kỳ sinh hoạt chi bộ có lý do.",
            "Xây dựng lại chỉ tiêu có số liệu cụ thể; sắp xếp lịch dạy để dự đủ các kỳ sinh hoạt chi bộ.",
            (25, 50),
            good,
            (24, 40),
            completed,
            "Chi bộ đề nghị mức hoàn thành nhiệm vụ: còn vắng 2 kỳ sinh hoạt, bản cam kết chưa được xác nhận.",
        ),
        ReviewSpec(
            "toan-4",
            ReviewState.SELF_SUBMITTED,
            "Cùng chi ủy duy trì sinh hoạt chi bộ đúng định kỳ; hoàn thành nhiệm vụ giảng dạy môn Toán khối 8.",
            "Kiểm tra, giám sát đảng viên trong chi bộ chưa thường xuyên; nguyên nhân: chưa lập kế hoạch theo quý.",
            "Tham mưu chi ủy ban hành kế hoạch kiểm tra, giám sát theo quý ngay từ đầu năm.",
            (27, 58),
            good,
        ),
        ReviewSpec(
            "toan-5",
            ReviewState.SELF_SUBMITTED,
            "Cùng tập thể đảng ủy lãnh đạo nhà trường hoàn thành kế hoạch năm học; gương mẫu thực hiện quy định nêu "
            "gương.",
            "Theo dõi, đôn đốc các chi bộ thực hiện nghị quyết có lúc chưa sâu sát; nguyên nhân: kiêm nhiệm nhiều "
            "việc.",
            "Mỗi quý dự ít nhất 1 kỳ sinh hoạt ở mỗi chi bộ; báo cáo đảng ủy kết quả theo dõi.",
            (28, 60),
            good,
        ),
    )


def _self_review(spec: ReviewSpec, review: Review, user: User) -> None:
    verdicts = {assessment.pk: (Verdict.DONE, "") for assessment in review.assessments.all()}
    sections = {"strengths": spec.strengths, "shortcomings": spec.shortcomings, "remedy_plan": spec.remedy_plan}
    general, task = spec.self_points
    review_services.self_review_save(
        review=review,
        sections=sections,
        general_points=general,
        task_points=task,
        level=spec.self_level,
        verdicts=verdicts,
        acting_user=user,
    )
    review_services.self_review_submit(review=review, acting_user=user)


def _cell_meeting(period: ReviewPeriod, cell: PartyOrganisation, secretary: Cadre, user: User) -> CellMeeting:
    members = Membership.objects.filter(cell=cell, end_date__isnull=True, status=MembershipStatus.ACTIVE).count()
    return review_services.meeting_record(
        period=period,
        cell=cell,
        held_on=min(timezone.localdate(), period.cell_meetings_until),
        members_total=members,
        members_present=members - 1,
        chaired_by=secretary.full_name,
        minutes=(
            f"Chi bộ họp kiểm điểm cuối năm {DEMO_YEAR}; 1 đồng chí vắng có lý do. Từng đồng chí đọc bản kiểm "
            "điểm, chi bộ góp ý, rồi biểu quyết đề xuất mức xếp loại của từng đồng chí."
        ),
        acting_user=user,
    )


# Why the cell keeps "done on time" where the portal's record lags behind (kept only where a verdict is flagged).
CELL_EXPLANATION = (
    "Chi bộ đối chiếu sổ theo dõi tại cuộc họp: nội dung đã hoàn thành trong hạn, đồng chí chưa kịp cập nhật "
    "tiến độ lên cổng."
)


def _propose(spec: ReviewSpec, review: Review, meeting: CellMeeting, secretary: User) -> None:
    verdicts = {assessment.pk: (Verdict.DONE, "") for assessment in review.assessments.all()}
    general, task = spec.cell_points
    against = 0 if spec.cell_level == spec.self_level else 1
    review_services.proposal_record(
        review=review,
        meeting=meeting,
        general_points=general,
        task_points=task,
        level=spec.cell_level,
        votes_for=meeting.members_present - against,
        votes_against=against,
        comments=spec.cell_comments,
        verdicts=verdicts,
        acknowledgements=dict.fromkeys(verdicts, CELL_EXPLANATION),
        acting_user=secretary,
    )


def _confirm(spec: ReviewSpec, decision: Decision, head: User) -> None:
    """The head confirms on the cell's verdicts and the evidence the member reported."""
    assessments = list(decision.review.assessments.values_list("pk", "commitment_id"))
    evidence = Evidence.objects.filter(commitment__in=[commitment for _pk, commitment in assessments])
    review_services.decision_confirm(
        decision=decision,
        grounds=spec.grounds,
        assessment_ids=[pk for pk, _commitment in assessments],
        evidence_ids=list(evidence.values_list("pk", flat=True)),
        acting_user=head,
    )


def _write_reviews(
    plan: Plan,
    cadres: dict[str, Cadre],
    organisations: dict[str, PartyOrganisation],
    users: dict[str, User],
    tally: Tally,
) -> None:
    """The school's annual review, opened by the organisation board through the review services, with dangvien's
    colleagues taken as far as the script says. An existing period of that title is left as it is."""
    if ReviewPeriod.objects.filter(title=REVIEW_PERIOD_TITLE).exists():
        return
    school = organisations[_school_code(DEMO_WARD)]
    cell = organisations[f"{_school_code(DEMO_WARD)}-01"]
    period = review_services.period_open(
        title=REVIEW_PERIOD_TITLE,
        kind=PeriodKind.ANNUAL,
        rule_set=RuleSet.objects.get(code=REVIEW_RULE_SET),
        scope=school,
        covers_from=_day(1, 1),
        covers_to=_day(12, 31),
        self_review_until=_day(12, 10),
        cell_meetings_until=_day(12, 20),
        decisions_until=_day(12, 31),
        acting_user=users["bantochuc"],
    )
    usernames = {person.code: person.username for person in plan.people if person.username}
    secretary = next(cadres[code] for code, username in usernames.items() if username == "bithuchibo")
    meeting = None
    for spec in demo_reviews():
        code = plan.review_subjects[spec.subject]
        review = Review.objects.get(period=period, cadre=cadres[code], place=cell)
        _self_review(spec, review, users[usernames[code]])
        if spec.outcome == ReviewState.SELF_SUBMITTED:
            continue
        meeting = meeting or _cell_meeting(period, cell, secretary, users["bithuchibo"])
        _propose(spec, review, meeting, users["bithuchibo"])
        if spec.outcome == ReviewState.CELL_PROPOSED:
            continue
        decision = review_services.decision_make(review=review, level=spec.cell_level, acting_user=users["capuy"])
        if spec.outcome == ReviewState.FINAL:
            _confirm(spec, decision, users["bithudangbo"])
    tally.add("review_periods", 1, 0)
    tally.add("reviews", period.reviews.count(), 0)


def _iter_rows(rows: Sequence[Sequence[str]]) -> Iterator[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for number, row in enumerate(rows):
        yield "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        if number == 0:
            yield "  ".join("-" * width for width in widths)


def accounts_table(password: str) -> str:
    names = _spec_names()
    rows = [(_("Tên đăng nhập"), _("Vai trò"), _("Phạm vi"))]
    rows += [
        (s.username, s.role_label, names[s.scope_code] if s.scope_code else _("Toàn hệ thống")) for s in account_specs()
    ]
    lines = [_("Tài khoản dùng thử:"), *_iter_rows(rows), _("Mật khẩu chung: %(password)s") % {"password": password}]
    lines += [
        _(
            "Các tài khoản sau cần thêm mã xác thực hai bước sau mật khẩu: lệnh “manage.py demo_otp <tên đăng nhập>” "
            "in mã hiện tại; hoặc thêm khóa của tài khoản vào ứng dụng xác thực (loại theo thời gian):"
        ),
        *_iter_rows(
            [
                (_("Tên đăng nhập"), _("Khóa xác thực")),
                *((u, key_text(demo_totp_key(u))) for u in SECOND_FACTOR_ACCOUNTS),
            ]
        ),
        _("Quên mật khẩu: mỗi tài khoản có địa chỉ <tên đăng nhập>@%(domain)s; make run in thư ra màn hình.")
        % {"domain": DEMO_EMAIL_DOMAIN},
    ]
    return "\n".join(lines)


# Two citizens' cases on the published programme of the cell secretary: one waiting for the Front of the ward,
# one answered. Sent from a made-up address so that they never count against a visitor's limit.
DEMO_FEEDBACK_ADDRESS = "demo-seed"
DEMO_FEEDBACK_OWNER = "bithuchibo"


def _write_feedback(users: dict[str, User], tally: Tally) -> None:
    """Demo cases for the Front's workspace; a programme that already has cases is left as it is."""
    programme = (
        ActionProgramme.objects.filter(owner__user__username=DEMO_FEEDBACK_OWNER, publicity_level=PublicityLevel.PUBLIC)
        .order_by("pk")
        .first()
    )
    if programme is None or FeedbackCase.objects.filter(programme=programme).exists():
        tally.add("feedback cases", 0, 0)
        return
    first_commitment = programme.commitments.order_by("pk").first()
    feedback.feedback_submit(
        programme=programme,
        commitment=first_commitment,
        kind="report",
        text="Tháng 9 vừa rồi chi bộ không sinh hoạt chuyên đề như chương trình đã nêu; đề nghị Mặt trận xem lại.",
        name="Nguyễn Thị Lan",
        email="lan.nguyen@example.vn",
        source_address=DEMO_FEEDBACK_ADDRESS,
    )
    answered = feedback.feedback_submit(
        programme=programme,
        commitment=None,
        kind="suggestion",
        text="Đề nghị đăng kế hoạch sinh hoạt chuyên đề của chi bộ để phụ huynh được biết.",
        source_address=DEMO_FEEDBACK_ADDRESS,
    )
    front = users["mattran"]
    feedback.case_accept(case=answered, acting_user=front)
    feedback.case_answer(
        case=answered,
        verification="true",
        answer="Ủy ban MTTQ phường đã trao đổi với chi bộ; kế hoạch sinh hoạt chuyên đề sẽ được niêm yết tại trường.",
        acting_user=front,
    )
    tally.add("feedback cases", 2, 0)


@transaction.atomic
def seed_demo(password: str) -> Tally:
    """Write the whole demo slice in one transaction and record one "demo.seed" audit event with the counts."""
    plan = build_plan()
    tally = Tally()
    organisations = _write_organisations(tally)
    _write_successions(organisations, tally)
    users = _write_users(password, plan, tally)
    _write_staff_group(users["bantochuc"])
    _write_second_factor(users, tally)
    cadres = _write_cadres(plan, users, tally)
    _write_private_details(plan, cadres, tally)
    _write_memberships(plan, cadres, organisations, tally)
    _write_positions(plan, cadres, organisations, tally)
    _write_roles(users, organisations, tally)
    _write_programmes(plan, cadres, tally)
    _write_reviews(plan, cadres, organisations, users, tally)
    _write_feedback(users, tally)
    # Counts only: the audit log must never carry personal data.
    audit_record(
        actor=None,
        action="demo.seed",
        obj=organisations[CITY_CODE],
        after={"created": tally.created, "updated": tally.updated, "cadres": len(plan.people)},
    )
    return tally


class Command(BaseCommand):
    help = "Nạp dữ liệu dùng thử: một phần Thành phố Hồ Chí Minh sau ngày 01/07/2025."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", default=None, help="Mật khẩu chung của tài khoản dùng thử.")
        parser.add_argument("--accounts", action="store_true", help="Chỉ in bảng tài khoản, không ghi dữ liệu.")

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"] or os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        if not options["accounts"]:
            tally = seed_demo(password)
            created = sum(tally.created.values())
            updated = sum(tally.updated.values())
            self.stdout.write(
                _("Đã nạp dữ liệu dùng thử: %(created)d bản ghi mới, %(updated)d bản ghi cập nhật.")
                % {"created": created, "updated": updated}
            )
        self.stdout.write(accounts_table(password))
