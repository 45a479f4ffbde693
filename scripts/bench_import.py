"""Roster import benchmark: 10,000 cadres (--cadres) in 40 cells, as XLSX and as CSV, imported and re-imported,
and a bad file refused.

Runs on a fresh SQLite database in a temporary folder (unless DATABASE_URL is set), through the same
service the portal, the admin and the management commands use. Prints a Markdown table and, with
--output, writes it into that file between the import-benchmark markers.
"""

import argparse
import datetime
import os
import platform
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from bench_sections import write_section  # noqa: E402  (scripts/ is on sys.path as the script runs)

START = "<!-- import-benchmark:start -->"
END = "<!-- import-benchmark:end -->"
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE_MALE = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thành", "Công"]
MIDDLE_FEMALE = ["Thị", "Ngọc", "Thu", "Thanh", "Mỹ", "Bích", "Kim"]
GIVEN_MALE = ["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phúc", "Quang", "Sơn", "Tùng"]
GIVEN_FEMALE = ["Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hương", "Lan", "Linh", "Mai", "Ngọc", "Thảo", "Yến"]


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux: the process's peak so far, so each phase reads at least the one before.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class BenchmarkFailed(Exception):
    pass


def check(condition: bool, detail: object) -> None:
    """Figures only count when the import did what it must; stop loudly otherwise."""
    if not condition:
        raise BenchmarkFailed(detail)


def measure(label: str, action: Callable[[], Any], results: list[dict[str, Any]], rows: int = 0) -> Any:
    started = time.perf_counter()
    cpu_started = time.process_time()
    value = action()
    seconds = time.perf_counter() - started
    results.append(
        {
            "phase": label,
            "seconds": seconds,
            # The process's own work; the rest of the wall time is the database's, and other work on the machine.
            "cpu_seconds": time.process_time() - cpu_started,
            "rows_per_s": rows / seconds,
            "peak_rss_mb": peak_rss_mb(),
        }
    )
    return value


def tree_rows(wards: int, grassroots: int, cells: int) -> list[list[str]]:
    rows = [["BENCH", "Đảng bộ Thành phố (đo hiệu năng)", "city_committee", "", "", "", "", ""]]
    for w in range(1, wards + 1):
        ward = f"BENCH-P{w}"
        rows.append([ward, f"Đảng bộ phường {w}", "commune_committee", "BENCH", "", "01/07/2025", "", ""])
        for g in range(1, grassroots + 1):
            base = f"{ward}-KP{g}"
            rows.append([base, f"Đảng bộ Khu phố {g}, phường {w}", "grassroots_committee", ward, "", "", "", ""])
            for c in range(1, cells + 1):
                rows.append([f"{base}-CB{c}", f"Chi bộ {c}, Khu phố {g}", "subordinate_cell", base, "", "", "", ""])
    return rows


def cadre_rows(cell_codes: list[str], count: int, seed: int = 2025, prefix: str = "BDV") -> list[list[Any]]:
    rng = random.Random(seed)  # noqa: S311 - repeatable test data, not secrets
    rows: list[list[Any]] = []
    for n in range(1, count + 1):
        female = rng.random() < 0.45
        name = " ".join(
            [
                rng.choice(FAMILY),
                rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE),
                rng.choice(GIVEN_FEMALE if female else GIVEN_MALE),
            ]
        )
        joined = datetime.date(1985, 1, 1) + datetime.timedelta(days=rng.randrange(38 * 365))
        official = joined + datetime.timedelta(days=365) if rng.random() < 0.95 else None
        born = joined - datetime.timedelta(days=rng.randrange(18 * 365, 40 * 365))
        rows.append(
            [
                f"{prefix}{n:06d}",
                name,
                "Nữ" if female else "Nam",
                datetime.datetime.combine(born, datetime.time()),
                f"079{n:09d}",
                f"09{n:08d}",
                f"dangvien{n}@example.vn",
                cell_codes[n % len(cell_codes)],
                "chinh_thuc" if official else "du_bi",
                "dang_sinh_hoat",
                datetime.datetime.combine(joined, datetime.time()),
                datetime.datetime.combine(official, datetime.time()) if official else None,
            ]
        )
    return rows


def write_xlsx(path: Path, headers: list[str], rows: list[list[Any]]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def write_csv(path: Path, headers: list[str], rows: list[list[Any]]) -> None:
    import csv

    def cell(value: Any) -> Any:
        # As a spreadsheet saves a date cell to CSV in Vietnam.
        return f"{value:%d/%m/%Y}" if isinstance(value, datetime.date) else value

    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows([cell(value) for value in row] for row in rows)


def spoil(rows: list[list[Any]], cell_codes: list[str]) -> list[list[Any]]:
    """A copy with 1% of rows wrong in the ways the import must catch."""
    bad = [row[:] for row in rows]
    for i in range(0, len(bad), 100):
        kind = (i // 100) % 4
        if kind == 0:
            bad[i][3] = "31/02/1980"
        elif kind == 1:
            bad[i][4] = "12345"
        elif kind == 2:
            bad[i][7] = "KHONG-CO-CHI-BO"
        else:
            twin = bad[i][:]
            twin[7] = cell_codes[(cell_codes.index(bad[i][7]) + 1) % len(cell_codes)]
            bad.append(twin)
    return bad


def run(count: int, workdir: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    import django

    django.setup()
    from django.core.management import call_command

    from programmes.importing import organisations, roster
    from programmes.importing.services import import_file
    from programmes.models import Cadre, Membership
    from programmes.models.cadres import CadrePrivateDetails

    call_command("migrate", verbosity=0)
    headers = [column.header for column in roster.COLUMNS]
    org_headers = [column.header for column in organisations.COLUMNS]
    results: list[dict[str, Any]] = []
    # Other work on the machine slows every phase: the figures are read against it.
    load = os.getloadavg()

    tree = tree_rows(wards=2, grassroots=4, cells=5)
    cell_codes = [row[0] for row in tree if row[2] == "subordinate_cell"]
    tree_file = workdir / "to-chuc.csv"
    write_csv(tree_file, org_headers, tree)
    tree_result = import_file(kind="organisations", source=tree_file, name=tree_file.name, acting_user=None)
    check(tree_result.ok, tree_result.errors[:5])

    cadres = cadre_rows(cell_codes, count)
    good = workdir / "dang-vien.xlsx"
    measure("Writing the XLSX file (not part of the import)", lambda: write_xlsx(good, headers, cadres), results)

    # Other cadres in the CSV file, so that it creates as many as the XLSX file; then 1% of them changed.
    csv_cadres = cadre_rows(cell_codes, count, seed=2026, prefix="CDV")
    good_csv = workdir / "dang-vien.csv"
    write_csv(good_csv, headers, csv_cadres)
    changed = [row[:] for row in csv_cadres]
    for i in range(0, count, 100):
        changed[i][1] += " Mới"
        changed[i + 1][7] = cell_codes[(cell_codes.index(changed[i + 1][7]) + 1) % len(cell_codes)]
    changed_csv = workdir / "dang-vien-sua.csv"
    write_csv(changed_csv, headers, changed)

    def importing(path: Path) -> Callable[[], Any]:
        return lambda: import_file(kind="roster", source=path, name=path.name, acting_user=None)

    first = measure(f"First import, XLSX ({count:,} created)", importing(good), results, count)
    check(first.ok and first.created == count, (first.counts(), first.errors[:5]))
    first_csv = measure(f"First import, CSV ({count:,} other cadres created)", importing(good_csv), results, count)
    check(first_csv.ok and first_csv.created == count, (first_csv.counts(), first_csv.errors[:5]))
    second = measure("Second import of the XLSX file (0 created, 0 updated)", importing(good), results, count)
    check(second.counts() == {"created": 0, "updated": 0, "unchanged": count}, second.counts())
    updates = 2 * len(range(0, count, 100))
    label = f"Re-import of the CSV file, {updates:,} cadres renamed or moved to another cell"
    third = measure(label, importing(changed_csv), results, count)
    check(third.counts() == {"created": 0, "updated": updates, "unchanged": count - updates}, third.counts())

    bad = workdir / "dang-vien-loi.xlsx"
    write_xlsx(bad, headers, spoil(cadres, cell_codes))
    tables = (Cadre, CadrePrivateDetails, Membership)
    before = [model.objects.count() for model in tables]
    refused = measure(
        "Validating a bad file (refused)",
        importing(bad),
        results,
        count,
    )
    check(bool(refused.errors) and [model.objects.count() for model in tables] == before, refused.counts())
    from django.db import connection

    facts = {
        "database": "PostgreSQL (a fresh database)"
        if connection.vendor == "postgresql"
        else "SQLite (a fresh file database)",
        "cadres": count,
        "load": load,
        "cells": len(cell_codes),
        "file_kb": good.stat().st_size // 1024,
        "errors_found": len(refused.errors),
        "history_rows": Cadre.history.count() + CadrePrivateDetails.history.count() + Membership.history.count(),
    }
    return results, facts


def markdown(results: list[dict[str, Any]], facts: dict[str, Any]) -> str:
    cpu = os.cpu_count()
    lines = [
        START,
        f"## Roster import ({facts['cadres']:,} cadres)",
        "",
        f"Measured {datetime.date.today():%d/%m/%Y} on {platform.system()} with {cpu} CPU cores (`nproc`), "
        f"Python {platform.python_version()}, {facts['database']}; load average "
        f"{' / '.join(f'{load:.2f}' for load in facts['load'])} (1, 5, 15 min) at the start. Command: `make bench` "
        "(runs `scripts/bench.sh`, which runs `scripts/bench_import.py` with "
        "`DJANGO_SETTINGS_MODULE=config.settings.test`); on PostgreSQL: "
        "`DATABASE_URL=postgres://…/<empty database> .venv/bin/python scripts/bench_import.py "
        f"--cadres {facts['cadres']} --output docs/BENCHMARKS.md`.",
        "",
        f"The files: {facts['cadres']:,} cadres with Vietnamese names in {facts['cells']} cells "
        f"(XLSX, {facts['file_kb']:,} KB, real date cells; CSV, dates as dd/mm/yyyy), imported through the same "
        "service as the web page, the admin and `manage.py import_roster`: validation of the whole file, then one "
        f"transaction with bulk inserts and row history ({facts['history_rows']:,} history rows after the runs) "
        "and one audit event. "
        "On PostgreSQL the rows and their history rows go through a staging table filled by COPY. "
        "The XLSX sheet is read in one streaming pass by `programmes.importing.xlsx` (values as openpyxl gives them).",
        "",
        "| Phase | Wall time (s) | CPU time of the process (s) | Rows of the file per second "
        "| Peak RSS of the process so far (MB) |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['phase']} | {r['seconds']:.2f} | {r['cpu_seconds']:.2f} | "
        + (f"{r['rows_per_s']:,.0f}" if r["rows_per_s"] else "")
        + f" | {r['peak_rss_mb']:.0f} |"
        for r in results
    ]
    lines += [
        "",
        "The bad file is the same roster with 1% of rows spoiled (impossible date, citizen ID not 12 digits, "
        f"unknown cell, the same cadre in a second cell): {facts['errors_found']} errors listed by row and column, "
        "nothing written.",
        "Target: at least 6,000 rows per second at 50,000 rows on PostgreSQL, with a peak RSS of at most 300 MB.",
        END,
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cadres", type=int, default=10_000)
    parser.add_argument("--output", type=Path, help="Markdown file to update")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        workdir = Path(folder)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
        results, facts = run(args.cadres, workdir)
    section = markdown(results, facts)
    print(section)
    if args.output:
        write_section(args.output, section, START, END)


if __name__ == "__main__":
    main()
