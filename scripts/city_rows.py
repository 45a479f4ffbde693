"""The rows of the city-scale data set, table by table, as tuples in the column order of `COLUMNS`.

Identifiers are given here, from 1, so that foreign keys are known without reading anything back: member n is
user n + 1 and cadre n + 1 and owns programme n + 1; versions and commitments are numbered programme by
programme. Each table's rows are a generator, so that a COPY streams them without holding a table in memory.
"""

import datetime
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from city_plan import REFORM_DAY, STAFF, Plan, Unit, programme_shape

from programmes.text import fold, search_text

Row = tuple[Any, ...]

# Columns of each table, by model label: city_data checks them against the models before loading anything.
COLUMNS: dict[str, tuple[str, ...]] = {
    "programmes.PartyOrganisation": (
        "id", "path", "depth", "numchild", "code", "name", "kind", "admin_area_code", "valid_from", "valid_to",
    ),
    "programmes.OrganisationSuccession": ("id", "predecessor_id", "successor_id", "share", "effective_on"),
    "auth.User": (
        "id", "password", "last_login", "is_superuser", "username", "first_name", "last_name", "email", "is_staff",
        "is_active", "date_joined",
    ),
    "programmes.Cadre": ("id", "code", "full_name", "name_folded", "gender", "user_id"),
    "programmes.Membership": (
        "id", "cadre_id", "cell_id", "member_type", "status", "joined_party_on", "official_on", "start_date",
        "end_date", "residence_cell_id", "residence_exemption", "residence_exemption_reason",
    ),
    "programmes.Position": (
        "id", "cadre_id", "post_kind", "party_post", "title", "organisation_id", "agency_name", "is_head",
        "council_deputy", "start_date", "end_date",
    ),
    "programmes.RoleAssignment": ("id", "user_id", "role", "organisation_id", "start_date", "end_date"),
    "programmes.ActionProgramme": (
        "id", "owner_id", "occasion", "title", "position_id", "position_title", "organisation_id",
        "organisation_name", "term_start", "term_end", "state", "current_version_id", "publicity_max",
        "publicity_level", "publication_consent_at", "created_at", "updated_at", "owner_name_folded",
        "search_folded", "closed_at", "closed_reason", "closed_note", "final_conclusion", "evaluated_by_id",
        "evaluated_at",
    ),
    "programmes.ProgrammeVersion": (
        "id", "programme_id", "number", "state", "amendment_reason", "created_at", "submitted_at",
        "confirming_organisation_id", "confirmer_id", "confirmer_title", "returned_at", "return_reason",
        "resubmission_of_id", "confirmed_at", "confirmed_by_id", "confirmation_comment",
    ),
    "programmes.Commitment": (
        "id", "programme_id", "reference", "status", "value_reached", "last_reported_at", "publicity_cap",
        "carried_from_id", "final_verdict", "final_note",
    ),
    "programmes.CommitmentTerms": (
        "id", "version_id", "commitment_id", "position", "category", "statement", "is_deliverable", "indicator",
        "unit", "baseline_value", "target_value", "measures", "deadline", "evidence_kind", "weight",
        "within_own_authority", "return_note",
    ),
    "programmes.ProgressReport": (
        "id", "commitment_id", "status", "value_reached", "note", "drop_reason", "reported_by_id", "reported_at",
        "submission_key",
    ),
}  # fmt: skip

UNUSABLE_PASSWORD = "!city-benchmark"  # noqa: S105 - Django's mark for "no password": members never sign in here
JOINED = datetime.datetime(2025, 1, 2, 8, 0, tzinfo=datetime.UTC)
TASKS = ("professional_task", "service_to_people", "party_building")
# (category, statement, indicator, unit, target range or None for a deliverable, evidence)
TEMPLATES = (
    ("politics_ethics", "Giữ vững lập trường chính trị, gương mẫu về đạo đức, lối sống; không vi phạm những điều "
     "đảng viên không được làm", "", "", None, "Nhận xét của chi bộ và khu dân cư"),
    ("professional_task", "Giải quyết đúng hạn {n} hồ sơ hành chính được giao trong năm", "Số hồ sơ giải quyết "
     "đúng hạn", "hồ sơ", (40, 400), "Sổ theo dõi hồ sơ"),
    ("service_to_people", "Tiếp nhận và trả lời {n} phản ánh của người dân khu phố trong 5 ngày làm việc",
     "Số phản ánh được trả lời đúng hạn", "phản ánh", (10, 120), "Sổ tiếp dân, văn bản trả lời"),
    ("party_building", "Giới thiệu {n} quần chúng ưu tú để chi bộ xem xét kết nạp vào Đảng", "Số quần chúng được "
     "giới thiệu", "người", (1, 4), "Đơn giới thiệu, nghị quyết chi bộ"),
    ("self_improvement", "Hoàn thành lớp bồi dưỡng lý luận chính trị và nghiên cứu, học tập nghị quyết của Đảng",
     "", "", None, "Giấy chứng nhận hoàn thành"),
    ("exemplary", "Vận động {n} hộ gia đình nơi cư trú phân loại rác tại nguồn", "Số hộ thực hiện", "hộ",
     (10, 80), "Danh sách hộ ký cam kết"),
)  # fmt: skip
TITLES = (
    "Chương trình hành động năm {year}",
    "Chương trình hành động thực hiện nhiệm vụ năm {year} của đồng chí {name}",
    "Cam kết tu dưỡng, rèn luyện, phấn đấu năm {year}",
)
PROGRESS = ("on_track", "on_track", "on_track", "at_risk", "done", "done", "done", "exceeded", "dropped")


def stamp(day: datetime.date, hour: int = 9) -> str:
    return f"{day.isoformat()} {hour:02d}:00:00+07"


@dataclass(frozen=True)
class Post:
    position_id: int
    organisation: Unit
    organisation_id: int
    title: str
    occasion: str


class CityRows:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.names = plan.names()
        self.unit_ids = {unit.code: n for n, unit in enumerate(plan.units, start=1)}
        self.cells = plan.cell_units()
        self.wards = plan.ward_units()
        self.posts: dict[int, Post] = {}
        self._place_posts()

    # --- Organisations and people -----------------------------------------------------------------------------

    def cell_of(self, member: int) -> tuple[Unit, Unit]:
        cell = self.cells[self.plan.cell_and_rank(member)[0]]
        return cell, self.wards[self.plan.cell_and_rank(member)[0] // self.plan.cells_per_ward]

    def ward_leader(self, ward: int, rank: int) -> int:
        return self.plan.member_at(ward * self.plan.cells_per_ward, rank)

    def _place_posts(self) -> None:
        """Per cell a secretary (rank 0) and a deputy (rank 1); per ward, in its first cell, the secretary of the
        ward committee (rank 2) and the chair of the People's Committee (rank 3)."""
        number = 0
        for k, cell in enumerate(self.cells):
            for rank, label in ((0, "Bí thư"), (1, "Phó Bí thư")):
                number += 1
                self.posts[self.plan.member_at(k, rank)] = Post(
                    number, cell, self.unit_ids[cell.code], f"{label} {cell.name}", "election"
                )
        for w, ward in enumerate(self.wards):
            number += 1
            self.posts[self.ward_leader(w, 2)] = Post(
                number, ward, self.unit_ids[ward.code], f"Bí thư {ward.name}", "election"
            )
            number += 1
            chair = f"Chủ tịch UBND {ward.name.removeprefix('Đảng bộ ')}"
            self.posts[self.ward_leader(w, 3)] = Post(number, ward, self.unit_ids[ward.code], chair, "appointment")

    def organisations(self) -> Iterator[Row]:
        for n, unit in enumerate(self.plan.units, start=1):
            depth = len(unit.path) // 4
            yield (n, unit.path, depth, unit.numchild, unit.code, unit.name, unit.kind, unit.admin_area_code,
                   unit.valid_from, unit.valid_to)  # fmt: skip

    def successions(self) -> Iterator[Row]:
        for n, (old, new, share) in enumerate(self.plan.successions, start=1):
            yield (n, self.unit_ids[old], self.unit_ids[new], share, REFORM_DAY)

    def users(self, staff_password: str) -> Iterator[Row]:
        joined = stamp(JOINED.date())
        for n, (name, _gender) in enumerate(self.names):
            family, given = name.split(" ", 1)
            yield (n + 1, UNUSABLE_PASSWORD, None, False, f"dv{n + 1:07d}", given, family, "", False, True, joined)
        for s, (username, _scope) in enumerate(STAFF, start=self.plan.members + 1):
            yield (s, staff_password, None, False, username, "Cán bộ", "Ban Tổ chức", "", True, True, joined)

    def cadres(self) -> Iterator[Row]:
        for n, (name, gender) in enumerate(self.names):
            yield (n + 1, f"{self.plan.units[0].code}-DV-{n + 1:07d}", name, fold(name), gender, n + 1)

    def memberships(self) -> Iterator[Row]:
        rng = random.Random(self.plan.seed + 1)  # noqa: S311 - repeatable test data
        for n in range(self.plan.members):
            cell, _ward = self.cell_of(n)
            joined = datetime.date(rng.randint(1980, 2024), rng.randint(1, 12), rng.randint(1, 28))
            probationary = joined.year == 2024 and rng.random() < 0.8
            official = None if probationary else joined + datetime.timedelta(days=365)
            member_type = "probationary" if probationary else "official"
            status = "exempt" if rng.random() < 0.02 else "active"
            # No residence cell: the city's members are asked no residence comment (the roster import brings them).
            yield (n + 1, n + 1, self.unit_ids[cell.code], member_type, status, joined, official, cell.valid_from,
                   None, None, "", "")  # fmt: skip

    def positions(self) -> Iterator[Row]:
        for member, post in sorted(self.posts.items(), key=lambda item: item[1].position_id):
            start = post.organisation.valid_from
            if post.occasion == "appointment":
                agency = f"Ủy ban nhân dân {post.organisation.name.removeprefix('Đảng bộ ')}"
                yield (post.position_id, member + 1, "government", "", post.title, None, agency, True, True, start,
                       None)  # fmt: skip
            else:
                party_post = "secretary" if post.title.startswith("Bí thư") else "deputy_secretary"
                yield (post.position_id, member + 1, "party", party_post, "", post.organisation_id, "", False, False,
                       start, None)  # fmt: skip

    def role_assignments(self) -> Iterator[Row]:
        for n, (_username, scope) in enumerate(STAFF, start=1):
            unit = self.plan.units[0] if scope == "city" else self.wards[0]
            yield (n, self.plan.members + n, "org_board_staff", self.unit_ids[unit.code], JOINED.date(), None)

    # --- Programmes, versions, commitments, terms, progress ---------------------------------------------------

    def confirmer(self, member: int) -> tuple[int, int, str]:
        """(confirming organisation id, confirmer's user id, the confirmer's title) for member's programme."""
        cell_index, rank = self.plan.cell_and_rank(member)
        ward_index = cell_index // self.plan.cells_per_ward
        ward = self.wards[ward_index]
        if member == self.ward_leader(ward_index, 2):
            return self.unit_ids[self.plan.units[0].code], self.plan.members + 1, "Ban Thường vụ Thành ủy"
        if rank == 0 or member in self.posts:
            return self.unit_ids[ward.code], self.ward_leader(ward_index, 2) + 1, f"Bí thư {ward.name}"
        cell = self.cells[cell_index]
        return self.unit_ids[cell.code], self.plan.member_at(cell_index, 0) + 1, f"Bí thư {cell.name}"

    def walk(self) -> Iterator[tuple[int, Any, int, int]]:
        """(member, shape, first version id, first commitment id) of every programme, in order."""
        version_id = commitment_id = 1
        for member in range(self.plan.members):
            shape = programme_shape(member)
            yield member, shape, version_id, commitment_id
            version_id += shape.versions
            commitment_id += shape.commitments

    def dates(self, member: int, shape: Any) -> dict[str, datetime.date]:
        post = self.posts.get(member)
        year = 2024 if shape.state == "closed" else 2025
        start = datetime.date(2025, 7, 1) if post else datetime.date(year, 1, 1)
        end = datetime.date(2030, 6, 30) if post else datetime.date(year, 12, 31)
        created = start + datetime.timedelta(days=4 + member % 40)
        return {
            "start": start,
            "end": end,
            "created": created,
            "submitted": created + datetime.timedelta(days=3),
            "confirmed": created + datetime.timedelta(days=8),
            "amended": created + datetime.timedelta(days=90),
        }

    def programmes(self) -> Iterator[Row]:
        for member, shape, version_id, _c in self.walk():
            post = self.posts.get(member)
            cell, _ward = self.cell_of(member)
            days = self.dates(member, shape)
            name = self.names[member][0]
            if post:
                title = f"Chương trình hành động nhiệm kỳ 2025 - 2030 của {post.title}"
                org_id, org_name, occasion = post.organisation_id, post.organisation.name, post.occasion
                position_id, position_title = post.position_id, post.title
            else:
                template = TITLES[member % len(TITLES)]
                title = template.format(year=days["start"].year, name=name)
                org_id, org_name, occasion, position_id, position_title = (
                    self.unit_ids[cell.code], cell.name, "annual", None, ""
                )  # fmt: skip
            in_force = shape.state in ("confirmed", "closed")
            current = (version_id + shape.versions - 1) if in_force else None
            level = 4 if shape.published else (1 + member % 2 if in_force else 0)
            maximum = 4 if shape.published else max(1, level)
            consent = stamp(days["confirmed"] + datetime.timedelta(days=1)) if shape.published else None
            changed = days["amended"] if shape.amended else days["confirmed"] if in_force else days["created"]
            folded = fold(name)
            # A closed programme was closed when its term ended; none has been evaluated yet.
            closed = (
                (stamp(days["end"] + datetime.timedelta(days=1)), "term_ended")
                if shape.state == "closed"
                else (None, "")
            )
            yield (member + 1, member + 1, occasion, title, position_id, position_title, org_id, org_name,
                   days["start"], days["end"], shape.state, current, maximum, level, consent,
                   stamp(days["created"]), stamp(changed), folded,
                   search_text(folded, position_title, org_name), *closed, "", "", None, None)  # fmt: skip

    def versions(self) -> Iterator[Row]:
        for member, shape, version_id, _c in self.walk():
            days = self.dates(member, shape)
            org, confirmer, title = self.confirmer(member)
            created, submitted, confirmed = (stamp(days[key]) for key in ("created", "submitted", "confirmed"))
            pid = member + 1
            if shape.state == "draft":
                yield (version_id, pid, 1, "draft", "", created, None, None, None, "", None, "", None, None, None, "")
            elif shape.state == "submitted":
                yield (version_id, pid, 1, "submitted", "", created, submitted, org, confirmer, title, None, "", None,
                       None, None, "")  # fmt: skip
            elif shape.state == "returned":
                reason = "Đề nghị nêu chỉ tiêu cụ thể, có thể đo được cho các nội dung nhiệm vụ."
                yield (version_id, pid, 1, "returned", "", created, submitted, org, confirmer, title, confirmed,
                       reason, None, None, None, "")  # fmt: skip
                yield (version_id + 1, pid, 2, "draft", "", confirmed, None, None, None, "", None, "", version_id,
                       None, None, "")  # fmt: skip
            else:
                comment = "Đồng ý xác nhận chương trình."
                first = "superseded" if shape.amended else "confirmed"
                yield (version_id, pid, 1, first, "", created, submitted, org, confirmer, title, None, "", None,
                       confirmed, confirmer, comment)  # fmt: skip
                if shape.amended:
                    amended = stamp(days["amended"])
                    reason = "Điều chỉnh chỉ tiêu theo nhiệm vụ được giao bổ sung."
                    yield (version_id + 1, pid, 2, "confirmed", reason, amended, amended, org, confirmer, title, None,
                           "", None, amended, confirmer, comment)  # fmt: skip

    def _commitment_plan(self, member: int, shape: Any) -> list[dict[str, Any]]:
        """Per commitment: its template, target, and its progress reports as (status, value, when)."""
        rng = random.Random(self.plan.seed * 1_000_003 + member)  # noqa: S311 - repeatable test data
        days = self.dates(member, shape)
        order = [0, 1, 2, 3, 4, 5]
        rng.shuffle(order)
        chosen = sorted(order[: shape.commitments], key=lambda t: (TEMPLATES[t][0] not in TASKS, t))
        tasks = [t for t in chosen if TEMPLATES[t][0] in TASKS]
        weights = {t: 100 // len(tasks) + (100 % len(tasks) if i == 0 else 0) for i, t in enumerate(tasks)}
        plans = []
        for j, t in enumerate(chosen):
            low_high = TEMPLATES[t][4]
            target = rng.randint(*low_high) if low_high else None
            reports = []
            when = days["confirmed"]
            for r in range(shape.reports[j]):
                when = when + datetime.timedelta(days=rng.randint(20, 90))
                final = r == shape.reports[j] - 1
                status = rng.choice(PROGRESS) if final else "on_track"
                share = {"done": 1.0, "exceeded": 1.2, "dropped": 0.0}.get(status, rng.uniform(0.2, 0.8))
                value = Decimal(round(target * share)) if target is not None else None
                reports.append((status, value, when))
            plans.append({"template": t, "target": target, "weight": weights.get(t), "reports": reports})
        return plans

    def commitments(self) -> Iterator[Row]:
        for member, shape, _v, commitment_id in self.walk():
            for j, planned in enumerate(self._commitment_plan(member, shape)):
                number = commitment_id + j
                reference = uuid.UUID(int=(number * 0x9E3779B97F4A7C15F39CC0605CEDC834) % (1 << 128))
                cap = 2 if mix_cap(number) else None
                if planned["reports"]:
                    status, value, when = planned["reports"][-1]
                    yield (number, member + 1, reference, status, value, stamp(when, 15), cap, None, "", "")
                else:
                    yield (number, member + 1, reference, "not_started", None, None, cap, None, "", "")

    def terms(self) -> Iterator[Row]:
        number = 0
        for member, shape, version_id, commitment_id in self.walk():
            days = self.dates(member, shape)
            planned = self._commitment_plan(member, shape)
            for v in range(shape.versions):
                for j, item in enumerate(planned):
                    number += 1
                    category, statement, indicator, unit, _range, evidence = TEMPLATES[item["template"]]
                    target = item["target"]
                    if target is not None and v == 1 and shape.amended:
                        target += 1
                    note = "Cần nêu chỉ tiêu cụ thể." if shape.state == "returned" and j == 0 else ""
                    deadline = days["end"] - datetime.timedelta(days=15 * j)
                    yield (number, version_id + v, commitment_id + j, j + 1, category, statement.format(n=target),
                           target is None, indicator, unit, Decimal(0) if target is not None else None,
                           Decimal(target) if target is not None else None,
                           "Xây dựng kế hoạch cụ thể, báo cáo chi bộ hằng quý", deadline, evidence, item["weight"],
                           True, note)  # fmt: skip

    def progress(self) -> Iterator[Row]:
        number = 0
        for member, shape, _v, commitment_id in self.walk():
            if not any(shape.reports):
                continue
            for j, planned in enumerate(self._commitment_plan(member, shape)):
                for status, value, when in planned["reports"]:
                    number += 1
                    note = "Đã triển khai theo kế hoạch, kết quả như báo cáo." if status != "dropped" else ""
                    reason = "Nhiệm vụ được điều chuyển cho đơn vị khác." if status == "dropped" else ""
                    yield (number, commitment_id + j, status, value, note, reason, member + 1, stamp(when, 15), None)


def mix_cap(number: int) -> bool:
    """A few commitments (3%) are kept inside the party even when their programme is published."""
    return (number * 2654435761) % 1000 < 30
