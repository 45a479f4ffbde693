"""The city-scale data set's plan: the tree of Ho Chi Minh City's 168 wards (with the units they were formed from)
and their cells, who is a member where and holds which post, and the shape of every action programme.

Everything derives from the scale and a seed, so that a rerun builds the same rows, and the expected number of
rows of every table is known before a row is written (`Plan.counts`). scripts/city_data.py turns it into rows.
"""

import csv
import datetime
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# The city's rows of the national list of July 2025, kept in the repository (tests/data/README.md says whence).
COMMUNES_CSV = REPO_ROOT / "tests" / "data" / "vn-communes-2025-hcmc.csv"
PROVINCE = "79"  # Ho Chi Minh City in the national list of July 2025
REFORM_DAY = datetime.date(2025, 7, 1)

# The city at full scale (issue "City scale"): members, wards, cells per ward.
CITY_MEMBERS = 370_000
CITY_WARDS = 168
CELLS_PER_WARD = 30
# The ward whose period opening and review list are measured holds this many members at every scale from 1/10.
BIG_WARD_MEMBERS = 3_000

# Programme states out of 1000 (a year's mix: most confirmed, a tail still in the making).
DRAFT_UNDER, SUBMITTED_UNDER, RETURNED_UNDER, CLOSED_UNDER = 80, 150, 170, 190
# Of the confirmed or closed programmes, this many in 100 are published with consent (74,000 at full scale).
PUBLISHED_UNDER = 24
# Commitments per programme (4.1 on average: 1.52 million at full scale) and progress reports per commitment
# of a confirmed programme (0.75 on average: 926,000).
COMMITMENT_COUNTS = (3, 4, 4, 4, 5, 5, 4, 4, 4, 4)
REPORT_COUNTS = (0, 0, 0, 1, 1, 1, 1, 2)

FAMILY = (
    ("Nguyễn", 38),
    ("Trần", 11),
    ("Lê", 9),
    ("Phạm", 7),
    ("Huỳnh", 5),
    ("Hoàng", 4),
    ("Phan", 4),
    ("Võ", 4),
    ("Vũ", 3),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 2),
    ("Hồ", 2),
    ("Ngô", 2),
    ("Dương", 1),
    ("Lý", 1),
    ("Trương", 1),
    ("Đinh", 1),
)
MIDDLE_MALE = ("Văn", "Văn", "Văn", "Hữu", "Đức", "Minh", "Quốc", "Thành", "Công", "Hoàng", "Xuân")
MIDDLE_FEMALE = ("Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Mỹ", "Bích", "Kim", "Phương", "Hồng")
GIVEN_MALE = (
    "An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phúc", "Quang", "Sơn", "Tùng", "Tuấn",
    "Hiếu", "Hoà", "Thắng", "Trung", "Vinh", "Đạt", "Phong", "Tâm", "Thịnh", "Lợi", "Nghĩa", "Tài", "Huy", "Kiên",
)  # fmt: skip
GIVEN_FEMALE = (
    "Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hương", "Lan", "Linh", "Mai", "Ngọc", "Thảo", "Yến", "Trang",
    "Nhung", "Oanh", "Phượng", "Quyên", "Thuỷ", "Trinh", "Uyên", "Vân", "Xuân", "Hằng", "Loan", "Nga", "My", "An",
)  # fmt: skip


@dataclass(frozen=True)
class Unit:
    """One organisation of the tree, in the order treebeard would have added it."""

    code: str
    name: str
    kind: str
    path: str
    admin_area_code: str = ""
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    numchild: int = 0


@dataclass(frozen=True)
class Shape:
    """What programme number `index` is: its state, versions, commitments and reports, from the index alone."""

    state: str
    published: bool
    amended: bool
    commitments: int
    reports: tuple[int, ...]

    @property
    def versions(self) -> int:
        return 2 if self.amended or self.state == "returned" else 1


def mix(index: int, salt: int = 0) -> int:
    """A well-spread 32-bit number from an index: shapes vary without any random state to replay."""
    value = (index * 2654435761 + salt * 40503 + 12345) & 0xFFFFFFFF
    value ^= value >> 15
    value = (value * 2246822519) & 0xFFFFFFFF
    return value ^ (value >> 13)


def programme_shape(index: int) -> Shape:
    bits = mix(index)
    bucket = bits % 1000
    if bucket < DRAFT_UNDER:
        state = "draft"
    elif bucket < SUBMITTED_UNDER:
        state = "submitted"
    elif bucket < RETURNED_UNDER:
        state = "returned"
    elif bucket < CLOSED_UNDER:
        state = "closed"
    else:
        state = "confirmed"
    in_force = state in ("confirmed", "closed")
    published = in_force and (bits >> 10) % 100 < PUBLISHED_UNDER
    amended = state == "confirmed" and (bits >> 17) % 10 == 0
    count = COMMITMENT_COUNTS[(bits >> 20) % len(COMMITMENT_COUNTS)]
    reports = tuple(REPORT_COUNTS[mix(index, salt=j + 1) % len(REPORT_COUNTS)] if in_force else 0 for j in range(count))
    return Shape(state, published, amended, count, reports)


def tree_path(*steps: int) -> str:
    """Treebeard's materialised path: four base-36 digits per level, counted from 1."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

    def step(number: int) -> str:
        digits = ""
        for _ in range(4):
            number, rest = divmod(number, 36)
            digits = alphabet[rest] + digits
        return digits

    return "".join(step(number) for number in steps)


def committee_name(area: str) -> str:
    for level in ("Thị trấn ", "Đặc khu ", "Phường ", "Xã "):
        if area.startswith(level):
            return f"Đảng bộ {level.lower()}{area[len(level) :]}"
    return f"Đảng bộ {area}"


@dataclass
class Plan:
    scale: float
    seed: int = 2025
    members: int = 0
    wards: int = 0
    cells_per_ward: int = 0
    big_ward_members: int = 0
    units: list[Unit] = field(default_factory=list)
    # (predecessor code, successor code, share), from the national list.
    successions: list[tuple[str, str, str]] = field(default_factory=list)

    @classmethod
    def for_scale(cls, scale: float, seed: int = 2025, communes: Path = COMMUNES_CSV) -> "Plan":
        members = max(60, round(CITY_MEMBERS * scale))
        full_tree = scale >= 0.1
        plan = cls(
            scale=scale,
            seed=seed,
            members=members,
            wards=CITY_WARDS if full_tree else max(2, min(CITY_WARDS, math.ceil(CITY_WARDS * scale * 10))),
            cells_per_ward=CELLS_PER_WARD if full_tree else 3,
            big_ward_members=BIG_WARD_MEMBERS if full_tree else members // 4,
        )
        plan._build_tree(communes)
        return plan

    # --- The tree ------------------------------------------------------------------------------------------

    def _build_tree(self, communes: Path) -> None:
        with communes.open(encoding="utf-8") as source:
            records = [row for row in csv.DictReader(source) if row["province_code"] == PROVINCE]
        chosen: dict[str, str] = {}
        for row in records:
            if row["commune_code"] not in chosen and len(chosen) < self.wards:
                chosen[row["commune_code"]] = row["commune_name"]
        historic: dict[str, str] = {}
        for row in records:
            if row["commune_code"] in chosen:
                historic.setdefault(row["predecessor_code"], row["predecessor_name"])
                pair = (f"{PROVINCE}-{row['predecessor_code']}-truoc-2025", f"{PROVINCE}-{row['commune_code']}")
                if pair not in {(a, b) for a, b, _share in self.successions}:
                    self.successions.append((*pair, row["predecessor_share"]))
        city_name = f"Đảng bộ {records[0]['province_name']}"
        self.units.append(
            Unit(PROVINCE, city_name, "city_committee", tree_path(1), numchild=len(historic) + len(chosen))
        )
        for n, (code, name) in enumerate(historic.items(), start=1):
            self.units.append(
                Unit(
                    f"{PROVINCE}-{code}-truoc-2025",
                    committee_name(name),
                    "commune_committee",
                    tree_path(1, n),
                    admin_area_code=code,
                    valid_to=REFORM_DAY - datetime.timedelta(days=1),
                )
            )
        for w, (code, name) in enumerate(chosen.items(), start=len(historic) + 1):
            ward = Unit(
                f"{PROVINCE}-{code}",
                committee_name(name),
                "commune_committee",
                tree_path(1, w),
                admin_area_code=code,
                valid_from=REFORM_DAY,
                numchild=self.cells_per_ward,
            )
            self.units.append(ward)
        wards = self.ward_units()
        for ward in wards:
            area = ward.name.removeprefix("Đảng bộ ")
            for c in range(1, self.cells_per_ward + 1):
                self.units.append(
                    Unit(
                        f"{ward.code}-CB{c:02d}",
                        f"Chi bộ khu phố {c}, {area}",
                        "grassroots_cell",
                        ward.path + tree_path(c),
                        valid_from=REFORM_DAY,
                    )
                )

    def ward_units(self) -> list[Unit]:
        return [unit for unit in self.units if unit.kind == "commune_committee" and unit.valid_from]

    def cell_units(self) -> list[Unit]:
        return [unit for unit in self.units if unit.kind == "grassroots_cell"]

    # --- Members -------------------------------------------------------------------------------------------

    @property
    def cells(self) -> int:
        return self.wards * self.cells_per_ward

    def cell_and_rank(self, member: int) -> tuple[int, int]:
        """The cell (index in cell_units) of member number `member`, and the member's rank in it (0: the first).

        The first ward's cells take the first `big_ward_members`; the others share the rest in turn."""
        if member < self.big_ward_members:
            return member % self.cells_per_ward, member // self.cells_per_ward
        rest, others = member - self.big_ward_members, self.cells - self.cells_per_ward
        return self.cells_per_ward + rest % others, rest // others

    def member_at(self, cell: int, rank: int) -> int:
        if cell < self.cells_per_ward:
            return rank * self.cells_per_ward + cell
        return self.big_ward_members + rank * (self.cells - self.cells_per_ward) + cell - self.cells_per_ward

    def names(self) -> list[tuple[str, str]]:
        """(full name, gender) of every member, in order: common names repeat as in a real city."""
        rng = random.Random(self.seed)  # noqa: S311 - repeatable test data, not secrets
        family = [name for name, weight in FAMILY for _ in range(weight)]
        result = []
        for _ in range(self.members):
            female = rng.random() < 0.42
            middle = MIDDLE_FEMALE if female else MIDDLE_MALE
            given = GIVEN_FEMALE if female else GIVEN_MALE
            name = f"{rng.choice(family)} {rng.choice(middle)} {rng.choice(given)}"
            result.append((name, "female" if female else "male"))
        return result

    # --- Expected rows -------------------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Rows per table (model label) once the data is built."""
        shapes = [programme_shape(i) for i in range(self.members)]
        return {
            "programmes.PartyOrganisation": len(self.units),
            "programmes.OrganisationSuccession": len(self.successions),
            "auth.User": self.members + len(STAFF),
            "programmes.Cadre": self.members,
            "programmes.Membership": self.members,
            # A secretary and a deputy per cell; per ward a secretary and the chair of the People's Committee.
            "programmes.Position": 2 * self.cells + 2 * self.wards,
            "programmes.RoleAssignment": len(STAFF),
            "programmes.ActionProgramme": self.members,
            "programmes.ProgrammeVersion": sum(shape.versions for shape in shapes),
            "programmes.Commitment": sum(shape.commitments for shape in shapes),
            "programmes.CommitmentTerms": sum(shape.commitments * shape.versions for shape in shapes),
            "programmes.ProgressReport": sum(sum(shape.reports) for shape in shapes),
        }


# Staff accounts (not cadres): (username, role scope) — "city" or "big_ward". Their password is STAFF_PASSWORD.
STAFF = (("bench.city.staff", "city"), ("bench.ward.staff", "big_ward"))
STAFF_PASSWORD = "do-hieu-nang-2025"  # noqa: S105 - a throwaway benchmark database's account
