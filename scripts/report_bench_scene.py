"""The evaluation-report benchmark's data: 5 cells of 40 members, each with a confirmed programme of 6
commitments and evidence, a self-review with text in every section, the cell's meeting and proposal, the
committee's decision and its head's confirmation, all made through the portal's own services and imports.

scripts/bench_reports.py measures on what `build` makes here.
"""

import datetime
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

CELLS = 5
MEMBERS_PER_CELL = 40
BATCH_SIZE = CELLS * MEMBERS_PER_CELL


class BenchmarkFailed(Exception):
    pass


FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Hữu", "Đức", "Minh", "Thị", "Ngọc", "Thu", "Thanh"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Anh", "Chi", "Giang", "Hà", "Lan", "Mai"]

# The bản kiểm điểm of a member: text in every section, so that the whole report makes three pages.
SECTIONS = {
    "strengths": (
        "Kiên định lập trường, lối sống giản dị, trung thực; hoàn thành các cam kết đầu năm, giải quyết hồ sơ "
        "hành chính của khu phố đúng hạn."
    ),
    "shortcomings": "Có lúc chưa sâu sát cơ sở. Nguyên nhân: khối lượng công việc chuyên môn lớn.",
    "remedies_done": "Đã lập sổ theo dõi hồ sơ hằng tuần, báo cáo định kỳ với chi bộ.",
    "prompt_answers": "Danh sách hộ nghèo chậm cập nhật: đã rà soát, cập nhật đủ trong quý III.",
    "collective_responsibility": "Cùng chịu trách nhiệm về việc phân loại rác tại nguồn chưa đạt chỉ tiêu.",
    "remedy_plan": "Mỗi tháng xuống khu phố hai lần; báo cáo chi bộ kết quả thực hiện cam kết hằng quý.",
}

EVIDENCE_PDF = b"%PDF-1.4\n% so theo doi ho so hanh chinh\n"


# --- Commitments ---------------------------------------------------------------------------------------------


def commitments() -> list[dict[str, Any]]:
    """Six commitments of a programme for 2026: two not scored as tasks, four tasks weighing 100 in all."""
    common = {
        "is_deliverable": False,
        "within_own_authority": True,
        "measures": "Rà soát hằng tuần, báo cáo chi bộ hằng tháng, phối hợp với Ban điều hành khu phố",
    }
    return [
        {
            **common,
            "category": "politics_ethics",
            "statement": "Dự đủ 12 buổi sinh hoạt chi bộ và 4 buổi học tập nghị quyết",
            "indicator": "Số buổi tham gia",
            "unit": "buổi",
            "baseline_value": Decimal("14"),
            "target_value": Decimal("16"),
            "deadline": datetime.date(2026, 6, 30),
            "evidence_kind": "Sổ ghi biên bản sinh hoạt chi bộ",
            "weight": None,
        },
        {
            **common,
            "category": "exemplary",
            "statement": "Vận động 10 hộ lân cận phân loại rác tại nguồn",
            "indicator": "Số hộ được vận động",
            "unit": "hộ",
            "baseline_value": Decimal("4"),
            "target_value": Decimal("10"),
            "deadline": datetime.date(2026, 9, 30),
            "evidence_kind": "Xác nhận của tổ dân phố",
            "weight": None,
        },
        {
            **common,
            "category": "professional_task",
            "statement": "Giải quyết đúng hạn mọi hồ sơ hành chính được giao",
            "indicator": "Tỷ lệ hồ sơ giải quyết đúng hạn",
            "unit": "%",
            "baseline_value": Decimal("85"),
            "target_value": Decimal("100"),
            "deadline": datetime.date(2026, 12, 31),
            "evidence_kind": "Sổ theo dõi hồ sơ có xác nhận của bộ phận một cửa",
            "weight": 30,
        },
        {
            **common,
            "category": "professional_task",
            "statement": "Cập nhật đủ danh sách hộ nghèo của khu phố",
            "indicator": "Tỷ lệ hộ được cập nhật",
            "unit": "%",
            "baseline_value": Decimal("70"),
            "target_value": Decimal("100"),
            "deadline": datetime.date(2026, 12, 31),
            "evidence_kind": "Danh sách có xác nhận của Ủy ban nhân dân phường",
            "weight": 30,
        },
        {
            **common,
            "category": "service_to_people",
            "statement": "Phản hồi trong 24 giờ ý kiến của nhân dân",
            "indicator": "Tỷ lệ ý kiến được phản hồi",
            "unit": "%",
            "baseline_value": Decimal("60"),
            "target_value": Decimal("100"),
            "deadline": datetime.date(2026, 12, 31),
            "evidence_kind": "Nhật ký tiếp nhận, phản hồi ý kiến",
            "weight": 20,
        },
        {
            **common,
            "category": "party_building",
            "statement": "Giới thiệu 1 quần chúng ưu tú học lớp cảm tình Đảng",
            "indicator": "Số người được giới thiệu",
            "unit": "người",
            "baseline_value": Decimal("0"),
            "target_value": Decimal("1"),
            "deadline": datetime.date(2026, 12, 31),
            "evidence_kind": "Giấy giới thiệu của chi bộ",
            "weight": 20,
        },
    ]


def check(condition: bool, detail: object) -> None:
    """Figures only count when the data and the reports are what they claim; stop loudly otherwise."""
    if not condition:
        raise BenchmarkFailed(detail)


# --- The data, through the services ----------------------------------------------------------------------------


@dataclass
class Scene:
    period: Any
    grassroots: Any
    cells: list[Any]
    reviews: list[int] = field(default_factory=list)
    build_seconds: float = 0.0


def _write_csv(path: Path, headers: list[str], rows: list[list[Any]]) -> None:
    import csv

    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)


def _import(kind: str, path: Path, headers: list[str], rows: list[list[Any]]) -> None:
    from programmes.importing.services import import_file

    _write_csv(path, headers, rows)
    result = import_file(kind=kind, source=path, name=path.name, acting_user=None)
    check(result.ok, result.errors[:5])


def _organisations(workdir: Path) -> tuple[str, list[str], str]:
    from programmes.importing import organisations

    ward, base = "BR-P1", "BR-P1-KP1"
    rows = [
        ["BR", "Đảng bộ Thành phố (đo hiệu năng báo cáo)", "city_committee", "", "", "", "", ""],
        [ward, "Đảng bộ phường Bến Nghé", "commune_committee", "BR", "", "01/07/2025", "", ""],
        [base, "Đảng bộ Khu phố 1, phường Bến Nghé", "grassroots_committee", ward, "", "", "", ""],
    ]
    cell_codes = [f"{base}-CB{number}" for number in range(1, CELLS + 2)]
    for number, code in enumerate(cell_codes, start=1):
        name = f"Chi bộ Khu phố 1{chr(64 + number)}" if number <= CELLS else "Chi bộ Văn phòng Đảng ủy"
        rows.append([code, name, "subordinate_cell", base, "", "", "", ""])
    _import("organisations", workdir / "to-chuc.csv", [c.header for c in organisations.COLUMNS], rows)
    return base, cell_codes, ward


def _roster(workdir: Path, cell_codes: list[str]) -> list[str]:
    from programmes.importing import roster

    rng = random.Random(366)  # noqa: S311 - repeatable test data, not secrets
    members = [(code, n) for code in cell_codes[:CELLS] for n in range(MEMBERS_PER_CELL)]
    members += [(cell_codes[CELLS], n) for n in range(2)]
    rows = []
    for number, (cell, _n) in enumerate(members, start=1):
        joined = datetime.date(1990, 1, 1) + datetime.timedelta(days=rng.randrange(30 * 365))
        rows.append(
            [
                f"BR{number:05d}",
                f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                rng.choice(["Nam", "Nữ"]),
                f"{(joined - datetime.timedelta(days=25 * 365)):%d/%m/%Y}",
                f"079{number:09d}",
                f"09{number:08d}",
                f"baocao{number}@example.vn",
                cell,
                "chinh_thuc",
                "dang_sinh_hoat",
                f"{joined:%d/%m/%Y}",
                f"{(joined + datetime.timedelta(days=365)):%d/%m/%Y}",
            ]
        )
    _import("roster", workdir / "dang-vien.csv", [c.header for c in roster.COLUMNS], rows)
    return [row[0] for row in rows]


def _programme(cadre: Any) -> None:
    """A programme of `cadre` for 2026 with the six commitments, confirmed, and evidence for the first two."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from programmes.action_programmes import services as programmes
    from programmes.action_programmes.progress import progress_report

    user = cadre.user
    programme = programmes.programme_create(
        owner=cadre,
        occasion="annual",
        title="Chương trình hành động năm 2026",
        position=None,
        term_start=datetime.date(2026, 1, 1),
        term_end=datetime.date(2026, 12, 31),
        acting_user=user,
    )
    version = programme.versions.get(number=1)
    for content in commitments():
        programmes.commitment_add(version=version, content=content, acting_user=user)
    version = programmes.programme_submit(version=version, acting_user=user)
    if version.confirmer is None:
        raise BenchmarkFailed(f"no confirmer for the programme of {cadre}")
    programmes.programme_confirm(version=version, publicity_max=3, acting_user=version.confirmer)
    for terms in version.terms.order_by("position")[:2]:
        progress_report(
            commitment=terms.commitment,
            status="done",
            note="Đã hoàn thành, có minh chứng kèm theo.",
            files=[SimpleUploadedFile("so-theo-doi.pdf", EVIDENCE_PDF, content_type="application/pdf")],
            acting_user=user,
        )


# What the cell writes for a verdict it keeps against the recorded progress (kept only where one is flagged).
EXPLANATION = "Chi bộ đã xem minh chứng: hoàn thành trong hạn, báo cáo lên cổng muộn."


def _level_plan(index: int) -> tuple[str, int, int]:
    """(level, general points, task points) of the n-th member of a cell: 4 excellent, 8 completed, 28 good."""
    if index in (5, 15, 25, 35):
        return "excellent", 28, 64
    if index % 5 == 4:
        return "completed", 22, 42
    return "good", 27, 58


def _verdicts(review: Any, level: str) -> dict[int, tuple[str, str]]:
    verdicts = {}
    tasks = 0
    for assessment in review.assessments.order_by("position"):
        verdict, cause = "done", ""
        if assessment.is_task:
            tasks += 1
            if level == "excellent" and tasks <= 2:
                verdict = "exceeded"
            elif level == "completed" and tasks == 1:
                verdict, cause = "done_late", "Hồ sơ bổ sung chậm do người dân chưa nộp đủ giấy tờ."
        verdicts[assessment.pk] = (verdict, cause)
    return verdicts


def build(workdir: Path) -> Scene:
    from django.contrib.auth.models import User
    from django.utils import timezone

    from programmes import services as tree
    from programmes.models import Cadre, Evidence, PartyOrganisation
    from reviews import services
    from reviews.models import Review, RuleSet

    started = time.perf_counter()
    base, cell_codes, ward_code = _organisations(workdir)
    codes = _roster(workdir, cell_codes)
    for code in codes:
        user = User.objects.create_user(username=code.lower())
        Cadre.objects.filter(code=code).update(user=user)
    cadres = {cadre.code: cadre for cadre in Cadre.objects.select_related("user").filter(code__in=codes)}
    organisations = {org.code: org for org in PartyOrganisation.objects.filter(code__startswith="BR")}
    grassroots, ward = organisations[base], organisations[ward_code]
    cells = [organisations[code] for code in cell_codes[:CELLS]]
    since = timezone.localdate() - datetime.timedelta(days=365)

    def post(code: str, party_post: str, organisation: Any) -> None:
        tree.position_assign(
            cadre=cadres[code],
            post_kind="party",
            party_post=party_post,
            organisation=organisation,
            start_date=since,
            acting_user=None,
        )

    # The grassroots committee's head and a committee member sit in its office cell; each cell has a
    # secretary (its first member) and a deputy (its second), who records the secretary's own proposal.
    head_code, committee_code = codes[-2], codes[-1]
    post(head_code, "secretary", grassroots)
    post(committee_code, "committee_member", grassroots)
    by_cell = [codes[n * MEMBERS_PER_CELL : (n + 1) * MEMBERS_PER_CELL] for n in range(CELLS)]
    for cell, members in zip(cells, by_cell, strict=True):
        post(members[0], "secretary", cell)
        post(members[1], "deputy_secretary", cell)
    board = User.objects.create_user(username="ban-to-chuc")
    tree.role_assign(user=board, role="org_board_staff", organisation=ward, start_date=since, acting_user=None)

    def fresh(code: str) -> Any:
        # A new account object: grants are cached per object, and posts were just given.
        return User.objects.get(username=code.lower())

    for code in codes[:BATCH_SIZE]:
        cadre = cadres[code]
        cadre.user = fresh(code)
        _programme(cadre)
    today = timezone.localdate()
    period = services.period_open(
        title="Kiểm điểm, đánh giá, xếp loại năm 2026",
        kind="annual",
        rule_set=RuleSet.objects.get(code="366-2025"),
        scope=ward,
        covers_from=datetime.date(2026, 1, 1),
        covers_to=datetime.date(2026, 12, 31),
        self_review_until=today,
        cell_meetings_until=today,
        decisions_until=today + datetime.timedelta(days=1),
        acting_user=fresh(board.username),
    )
    committee, head = fresh(committee_code), fresh(head_code)
    plans: list[tuple[Any, str, int, int]] = []
    for cell, members in zip(cells, by_cell, strict=True):
        secretary, deputy = fresh(members[0]), fresh(members[1])
        meeting = services.meeting_record(
            period=period,
            cell=cell,
            held_on=today,
            members_total=MEMBERS_PER_CELL,
            members_present=MEMBERS_PER_CELL - 2,
            chaired_by=cadres[members[0]].full_name,
            minutes="Chi bộ họp kiểm điểm cuối năm; các đồng chí dự họp góp ý từng bản kiểm điểm.",
            acting_user=secretary,
        )
        for index, code in enumerate(members):
            review = Review.objects.select_related("period__rule_set", "cadre__user").get(
                period=period, cadre__code=code, place=cell
            )
            level, general, task = _level_plan(index)
            verdicts = _verdicts(review, level)
            subject = review.cadre.user
            if subject is None:
                raise BenchmarkFailed(f"{review.cadre} has no account")
            services.self_review_save(
                review=review,
                sections=SECTIONS,
                general_points=general,
                task_points=task,
                level=level,
                verdicts=verdicts,
                acting_user=subject,
            )
            services.self_review_submit(review=review, acting_user=subject)
            services.proposal_record(
                review=review,
                meeting=meeting,
                general_points=general,
                task_points=task,
                level=level,
                votes_for=MEMBERS_PER_CELL - 3,
                votes_against=1,
                votes_abstain=0,
                comments="Chi bộ thống nhất với bản tự kiểm điểm; đề nghị phát huy ưu điểm, khắc phục hạn chế.",
                verdicts=verdicts,
                # The reports were written today, maybe after a deadline: the cell says why it keeps the verdicts.
                acknowledgements=dict.fromkeys(verdicts, EXPLANATION),
                acting_user=deputy if index == 0 else secretary,
            )
            plans.append((review, level, general, task))
    # Decided in the order a committee keeps within its quota: excellent ones once the good ones are counted.
    order = {"good": 0, "completed": 1, "excellent": 2}
    for review, level, _general, _task in sorted(plans, key=lambda plan: order[plan[1]]):
        decision = services.decision_make(review=review, level=level, acting_user=committee)
        assessments = list(review.assessments.order_by("position").values_list("pk", flat=True)[:2])
        evidence = Evidence.objects.filter(commitment__assessments__pk=assessments[0]).values_list("pk", flat=True)
        services.decision_confirm(
            decision=decision,
            grounds="Hoàn thành đúng hạn các nội dung cam kết số 1 và 2, có sổ theo dõi làm minh chứng.",
            assessment_ids=assessments,
            evidence_ids=list(evidence),
            acting_user=head,
        )
    reviews = [plan[0].pk for plan in plans]
    check(Review.objects.filter(pk__in=reviews, state="final").count() == BATCH_SIZE, "not every review is final")
    return Scene(
        period=period, grassroots=grassroots, cells=cells, reviews=reviews, build_seconds=time.perf_counter() - started
    )


@contextmanager
def no_automatic_reports() -> Iterator[None]:
    """Confirming a decision queues its individual report (eager in these settings): the batch makes them here."""
    with mock.patch("reviews.services.confirmation._queue_review_report"):
        yield
