"""The whole demo population planned from a seed alone: people, their cells and posts, and who holds the accounts.

No database read, so every run plans the same; the builders then write the plan.
"""

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from demo.organisations import (
    CITY_CODE,
    DEMO_CELL,
    DEMO_WARD,
    QUARTERS_PER_WARD,
    WARDS,
    OrgSpec,
    WardSpec,
    government_code,
    organisation_specs,
    quarter_word,
    school_code,
)
from programmes.models import MembershipStatus, MemberType, OrganisationKind, PartyPost, PostKind
from programmes.models.cadres import Gender

SEED = 2025
TOTAL_CADRES = 300
MIN_CELL_SIZE = 5

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


@dataclass
class Person:
    code: str
    full_name: str
    gender: str
    cell_code: str  # "" for someone whose cell lies outside the demo slice: no membership is written
    date_of_birth: datetime.date
    citizen_id: str
    phone: str
    address: str
    member_type: str
    joined_party_on: datetime.date
    official_on: datetime.date | None
    status: str = MembershipStatus.ACTIVE
    username: str | None = None
    # The cell of the quarter they live in, which comments on members working elsewhere (Quy định 213-QĐ/TW);
    # "" for members of a residential cell, who are active where they live.
    residence_code: str = ""


@dataclass(frozen=True)
class PostSpec:
    cadre_code: str
    post_kind: str
    organisation_code: str
    party_post: str = ""
    title: str = ""
    agency_name: str = ""
    is_head: bool = False


# The demo accounts that are not drawn: the city committee's secretary, who confirms the programmes of the wards'
# secretaries (a ward committee's managing committee is the city's), and two more plain members of the demo cell
# whose self-reviews are still to write. The secretary's own cell lies outside the demo slice.
# User name, full name, gender, cell ("" outside the slice), ward lived in, born in the five years from.
NAMED_PEOPLE = (
    ("bithuthanhuy", "Huỳnh Văn Khiêm", Gender.MALE, "", WARDS[0], 1966),
    ("dangvien2", "Trần Thị Mỹ Duyên", Gender.FEMALE, DEMO_CELL, DEMO_WARD, 1990),
    # He lives in the other ward: his residence comment is asked of a cell of Phường Sài Gòn.
    ("dangvien3", "Võ Thanh Tùng", Gender.MALE, DEMO_CELL, WARDS[0], 1985),
)
# The quarter a named person lives in, where it is not drawn: dangvien3 lives in Khu phố 2 of Phường Sài Gòn, whose
# cell's secretary is the demo account bithukp2 (RESIDENCE_CELL).
NAMED_QUARTERS = {"dangvien3": 2}
RESIDENCE_CELL = f"{WARDS[0].code}-KP02"
# Their party posts: user name, organisation code, post.
NAMED_POSTS = (("bithuthanhuy", CITY_CODE, PartyPost.SECRETARY),)


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
        return self._member(index, full_name, gender, born, cell.code, ward, probationary)

    def named(
        self,
        index: int,
        full_name: str,
        gender: str,
        cell_code: str,
        lives_in: WardSpec,
        born_from: int,
        quarter: int | None = None,
    ) -> Person:
        """A person of the demo chosen by name (NAMED_PEOPLE), with details drawn like everyone else's; in
        `quarter` of the ward if given (drawn all the same, so that the draws after it stay as they were)."""
        born = self._date_between(datetime.date(born_from, 1, 1), datetime.date(born_from + 4, 12, 31))
        return self._member(index, full_name, gender, born, cell_code, lives_in, False, quarter)

    def _member(
        self,
        index: int,
        full_name: str,
        gender: str,
        born: datetime.date,
        cell_code: str,
        ward: WardSpec,
        probationary: bool,
        quarter: int | None = None,
    ) -> Person:
        if probationary:
            joined = self._date_between(datetime.date(2025, 3, 1), datetime.date(2025, 6, 30))
        else:
            earliest = datetime.date(born.year + 20, born.month, min(born.day, 28))
            joined = self._date_between(earliest, max(earliest, datetime.date(2023, 12, 31)))
        drawn = self.rng.randint(1, QUARTERS_PER_WARD)
        quarter = quarter or drawn
        return Person(
            code=f"{CITY_CODE}-DV{index:06d}",
            full_name=full_name,
            gender=gender,
            cell_code=cell_code,
            date_of_birth=born,
            citizen_id=self.citizen_id(gender, born),
            phone=self._unique_digits("09", 8, self.phones),
            address=f"{quarter_word(ward)} {quarter}, {ward.in_text}, Thành phố Hồ Chí Minh",
            residence_code=f"{ward.code}-KP{quarter:02d}" if cell_code and "-KP" not in cell_code else "",
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
        leaders = planner.pool(by_code[government_code(ward)], specs)
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
    school, cell = school_code(DEMO_WARD), DEMO_CELL
    only_post = [code for code in _holders(plan, school, PartyPost.COMMITTEE_MEMBER) if counts[code] == 1]
    members = [p.code for p in plan.people if p.cell_code == cell and not counts.get(p.code)]
    chosen = {
        "bithuphuong": _holders(plan, DEMO_WARD.code, PartyPost.SECRETARY)[0],
        "bithudangbo": _holders(plan, school, PartyPost.SECRETARY)[0],
        "capuy": only_post[0],
        "bithuchibo": _holders(plan, cell, PartyPost.SECRETARY)[0],
        # The secretary of the residential cell where dangvien3 lives, in the other ward (Quy định 213-QĐ/TW).
        "bithukp2": _holders(plan, RESIDENCE_CELL, PartyPost.SECRETARY)[0],
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
    school = school_code(DEMO_WARD)
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
    cell = DEMO_CELL
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
    _add_named_people(generator, plan, index)
    return plan


def _add_named_people(generator: PeopleGenerator, plan: Plan, last_index: int) -> None:
    """After every drawn person and post, so that adding one changes nobody else's details."""
    codes = {}
    for index, (username, full_name, gender, cell_code, lives_in, born_from) in enumerate(
        NAMED_PEOPLE, start=last_index + 1
    ):
        quarter = NAMED_QUARTERS.get(username)
        person = generator.named(index, full_name, gender, cell_code, lives_in, born_from, quarter)
        person.username = username
        plan.people.append(person)
        codes[username] = person.code
    for username, organisation_code, post in NAMED_POSTS:
        plan.posts.append(PostSpec(codes[username], PostKind.PARTY, organisation_code, party_post=post))
