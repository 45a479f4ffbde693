"""Import limits benchmark: an XLSX bomb and million-row files refused, each measured in a process of its own.

The files are written part by part (tests/programmes/import_files.py: RawXlsx), never built in memory by
openpyxl. Each refusal runs in a fresh Python process, through the portal's own code: the upload check the
web form calls (programmes.importing.services.check_upload) and the import the worker runs (import_file).
That process's peak resident memory (ru_maxrss) and the wall time of the call are reported. The goal: each
refused in under 5 s with under 200 MB of peak memory. A valid 10,000-row roster shows what the counting
costs a file that passes. With --with-before, the bomb is also given to the reader as it was before the
limits (openpyxl in read-only mode, every row kept), in a process capped at 2 GB of address space.

Prints a Markdown section and, with --output, writes it into that file between the import-limits markers.
"""

import argparse
import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from bench_sections import write_section  # noqa: E402  (scripts/ is on sys.path as the script runs)

START = "<!-- import-limits-benchmark:start -->"
END = "<!-- import-limits-benchmark:end -->"
ROWS = 1_000_000
MEMORY_GOAL_MB = 200
TIME_GOAL_S = 5.0
BEFORE_ADDRESS_SPACE = 2 * 1024**3


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux: the peak of this process so far.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.utils import translation

    translation.activate("vi")


# --- Measuring one case, in a process of its own --------------------------------------------------------------


def _upload(path: Path) -> str | None:
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import UploadedFile

    from programmes.importing.services import check_upload

    with path.open("rb") as handle:
        try:
            check_upload(UploadedFile(handle, name=path.name, size=path.stat().st_size))
        except ValidationError as error:
            return error.messages[0]
    return None


def _import(path: Path) -> str | None:
    from programmes.importing.services import import_file

    result = import_file(kind="roster", source=path, name=path.name, acting_user=None)
    return result.errors[0].message if result.errors else None


def _count(path: Path) -> str | None:
    from programmes.importing.limits import ImportLimits, check_xlsx

    check_xlsx(path.read_bytes(), ImportLimits.from_settings(), thorough=True)
    return None


def _read(path: Path) -> str | None:
    from programmes.importing.base import read_table

    read_table(path, path.name)
    return None


def _before(path: Path) -> str | None:
    """The reader as it was before the limits: openpyxl read-only, the declared area, every row kept."""
    import io

    from openpyxl import load_workbook

    resource.setrlimit(resource.RLIMIT_AS, (BEFORE_ADDRESS_SPACE, BEFORE_ADDRESS_SPACE))
    workbook = load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=True)
    try:
        rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    except MemoryError:
        return "MemoryError"
    finally:
        workbook.close()
    return f"{len(rows)} rows read"


WAYS = {"upload": _upload, "import": _import, "count": _count, "read": _read, "before": _before}


def measure_here(way: str, path: Path) -> dict[str, Any]:
    setup_django()
    started_rss = peak_rss_mb()
    started = time.perf_counter()
    message = WAYS[way](path)
    return {
        "seconds": time.perf_counter() - started,
        "peak_rss_mb": peak_rss_mb(),
        "started_rss_mb": started_rss,
        "message": message,
    }


def measure(way: str, path: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, "--measure", way, str(path)]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    measured: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return measured


# --- The files ------------------------------------------------------------------------------------------------


def write_files(folder: Path) -> dict[str, Path]:
    setup_django()
    from tests.programmes.import_files import ROSTER_HEADERS, long_roster, xlsx_bomb

    files = {
        "bomb": folder / "bom.xlsx",
        "declared": folder / "trieu-dong.xlsx",
        "undeclared": folder / "trieu-dong-khong-khai-bao.xlsx",
        "csv": folder / "trieu-dong.csv",
        "valid": folder / "dang-vien.xlsx",
    }
    xlsx_bomb().write(files["bomb"])
    long_roster(ROWS).write(files["declared"])
    long_roster(ROWS, declared=False).write(files["undeclared"])
    with files["csv"].open("w", encoding="utf-8-sig", newline="") as handle:
        handle.write(",".join(ROSTER_HEADERS) + "\n")
        handle.writelines(f"BDV{number:07d}\n" for number in range(2, ROWS + 2))
    # The roster benchmark's own builders, found beside this script (scripts/ is on sys.path as it runs).
    from bench_import import cadre_rows, write_xlsx

    cells = [f"BENCH-CB{number}" for number in range(1, 41)]
    write_xlsx(files["valid"], list(ROSTER_HEADERS), cadre_rows(cells, 10_000))
    return files


CASES = [
    ("bomb", "upload", "XLSX bomb: declares A1:XFD1048576, 20,000 rows"),
    ("bomb", "import", "XLSX bomb: declares A1:XFD1048576, 20,000 rows"),
    ("declared", "upload", "XLSX, 1,000,000 rows, area declared (A1:L1000001)"),
    ("declared", "import", "XLSX, 1,000,000 rows, area declared (A1:L1000001)"),
    ("undeclared", "upload", "XLSX, 1,000,000 rows, no declared area"),
    ("undeclared", "import", "XLSX, 1,000,000 rows, no declared area"),
    ("csv", "upload", "CSV, 1,000,000 rows"),
    ("csv", "import", "CSV, 1,000,000 rows"),
]
WAY_LABELS = {
    "upload": "upload check (`check_upload`, the web form)",
    "import": "import (`import_file`, the worker)",
    "count": "counting only (`check_xlsx`)",
    "read": "whole read (`read_table`: the sheet streamed, its rows counted as they are read)",
    "before": "the reader before the limits, capped at 2 GB",
}


def size_label(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1024:,.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:,.1f} MB"


def run(with_before: bool) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any] | None]:
    with tempfile.TemporaryDirectory(prefix="bench-import-limits-") as folder:
        files = write_files(Path(folder))
        refusals = []
        for key, way, label in CASES:
            result = measure(way, files[key])
            refusals.append({"file": label, "size": size_label(files[key]), "way": way, **result})
        valid_size = size_label(files["valid"])
        valid = [{"way": way, "size": valid_size, **measure(way, files["valid"])} for way in ("count", "read")]
        before = {"size": size_label(files["bomb"]), **measure("before", files["bomb"])} if with_before else None
    return refusals, valid, before


# --- The report -----------------------------------------------------------------------------------------------


def started_rss(results: list[dict[str, Any]]) -> str:
    low, high = (f"{function(r['started_rss_mb'] for r in results):.0f}" for function in (min, max))
    return low if low == high else f"{low}–{high}"


def verdict(result: dict[str, Any]) -> str:
    if result["message"] is None:
        return "accepted (nothing declared)"
    return "refused"


def markdown(refusals: list[dict[str, Any]], valid: list[dict[str, Any]], before: dict[str, Any] | None) -> str:
    from django.conf import settings

    refused = [result for result in refusals if result["message"] is not None]
    met = all(r["seconds"] < TIME_GOAL_S and r["peak_rss_mb"] < MEMORY_GOAL_MB for r in refusals)
    lines = [
        START,
        "## Import limits (an XLSX bomb and million-row files)",
        "",
        f"Measured {datetime.date.today():%d/%m/%Y} on {platform.system()} with {os.cpu_count()} CPU cores "
        f"(`nproc`), Python {platform.python_version()}; load average "
        f"{' / '.join(f'{load:.2f}' for load in os.getloadavg())} (1, 5, 15 min) at the end. Command: `make bench` "
        "(runs `scripts/bench.sh`, which runs `env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.test "
        ".venv/bin/python scripts/bench_import_limits.py --with-before --output docs/BENCHMARKS.md`).",
        "",
        f"Limits in force (settings, defaults): {settings.IMPORT_MAX_UPLOAD_MB} MB per file, "
        f"{settings.IMPORT_MAX_ROWS:,} data rows, {settings.IMPORT_MAX_COLUMNS} columns, "
        f"{settings.IMPORT_MAX_CELLS:,} cells, {settings.IMPORT_MAX_UNCOMPRESSED_MB} MB of XLSX content once "
        "decompressed. The files are written part by part (`tests/programmes/import_files.py`), never built in "
        "memory. Each line is a fresh Python process: the wall time of the one call, and the process's peak "
        "resident memory (`ru_maxrss`), which includes Python and Django themselves "
        f"({started_rss(refusals)} MB once started).",
        "",
        "| File | Size | Through | Outcome | Wall time (s) | Peak RSS (MB) |",
        "|---|---:|---|---|---:|---:|",
    ]
    lines += [
        f"| {r['file']} | {r['size']} | {WAY_LABELS[r['way']]} | {verdict(r)} | {r['seconds']:.2f} | "
        f"{r['peak_rss_mb']:.0f} |"
        for r in refusals
    ]
    messages = sorted({r["message"] for r in refused})
    lines += [
        "",
        f"Goal: each refused in under {TIME_GOAL_S:.0f} s with under {MEMORY_GOAL_MB} MB of peak memory — "
        f"**{'met' if met else 'not met'}**. A file that declares nothing passes the upload check (which reads "
        "only what a file declares) and is refused by the import as its rows are counted, at the first row past "
        "the limit. The refusals, as the uploader reads them:",
        "",
        *(f"- {message}" for message in messages),
        "",
        "What the counting costs a file that passes: a valid roster of 10,000 cadres, built as in the roster "
        "benchmark above.",
        "",
        "| File | Size | Step | Wall time (s) | Peak RSS (MB) |",
        "|---|---:|---|---:|---:|",
    ]
    lines += [
        f"| Valid roster, 10,000 rows | {r['size']} | {WAY_LABELS[r['way']]} | {r['seconds']:.2f} | "
        f"{r['peak_rss_mb']:.0f} |"
        for r in valid
    ]
    if before is not None:
        lines += [
            "",
            "Before the limits (`--with-before`): the bomb given to the reader as it was (openpyxl in read-only "
            "mode pads every row to the declared 16,384 columns, and every row was kept), in a process whose "
            "address space is capped at 2 GB so that it fails instead of taking the machine's memory.",
            "",
            "| File | Size | Outcome | Wall time (s) | Peak RSS (MB) |",
            "|---|---:|---|---:|---:|",
            f"| XLSX bomb | {before['size']} | {before['message']} | {before['seconds']:.2f} | "
            f"{before['peak_rss_mb']:.0f} |",
        ]
    lines.append(END)
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, help="Markdown file to update")
    parser.add_argument("--with-before", action="store_true", help="also give the bomb to the reader as it was")
    parser.add_argument("--measure", nargs=2, metavar=("WAY", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        way, path = args.measure
        print(json.dumps(measure_here(way, Path(path))))
        return
    refusals, valid, before = run(args.with_before)
    section = markdown(refusals, valid, before)
    print(section)
    if args.output:
        write_section(args.output, section, START, END)


if __name__ == "__main__":
    main()
