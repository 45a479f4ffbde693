"""Evaluation report benchmark: the PDF pipeline against WeasyPrint alone, against LibreOffice, and a batch of 200.

Runs on a fresh SQLite database in a temporary folder (unless DATABASE_URL is set), with reports stored
in a temporary media folder. The data is built through the portal's own services: the organisation tree
and the roster imported as the import benchmark does, then for each of 200 members a confirmed action
programme with 6 commitments and evidence, a self-review with text in every section, the cell's meeting
and proposal, the committee's decision and its head's confirmation.

Measured, in this one run:
1. the individual report and a 40-member cell summary: the whole pipeline (reviews.reports.produce
   report_data + render: queries, template, PDF) against WeasyPrint alone rendering the same final HTML, and
   the renderer now against the renderer before on the reports as printed before (scripts/report_bench_before/);
2. the individual report against LibreOffice converting a filled three-page .docx in batch mode (when
   LibreOffice is installed; otherwise the issue's reference figure, labelled as such);
3. a batch of 200 individual reports produced one after the other by reviews.reports.batches.batch_item_run
   in a fresh process, as a worker runs them: reports per second and the process's memory along the way.

Prints a Markdown section and, with --output, writes it into that file between the report-benchmark markers.
"""

import argparse
import datetime
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast
from unittest import mock

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from bench_sections import write_section  # noqa: E402  (scripts/ is on sys.path as the script runs)
from report_bench_measure import (  # noqa: E402
    LIBREOFFICE_BATCH,
    Times,
    measure_libreoffice,
    memory_mb,
    page_count,
    summary,
    timed,
)
from report_bench_scene import (  # noqa: E402
    BATCH_SIZE,
    CELLS,
    MEMBERS_PER_CELL,
    Scene,
    build,
    check,
    no_automatic_reports,
)

# The reports as printed before the QR code became an image and the footer came from the page margins.
BEFORE = REPO_ROOT / "scripts" / "report_bench_before"
START = "<!-- report-benchmark:start -->"
END = "<!-- report-benchmark:end -->"
CHECKPOINTS = (50, 100, 150, 200)
# The figures for this machine kind, quoted where LibreOffice is not installed to measure it.
LIBREOFFICE_REFERENCE = (0.15, 0.17)
NAIVE_WEASYPRINT_REFERENCE = (0.17, 0.18)
PIPELINE_GOAL = 1.1
RATE_GOAL = 7  # individual reports per CPU-second of the pipeline

# --- 1. The pipeline against WeasyPrint alone ------------------------------------------------------------------


def final_html(built: Any, code: str) -> str:
    """The HTML the pipeline hands to WeasyPrint for this report, caught on its way."""
    from reviews.reports import produce

    caught: list[str] = []

    def catch(html: str) -> bytes:
        caught.append(html)
        return b""

    with mock.patch("programmes.documents.html_to_pdf", side_effect=catch):
        produce.render(built, code)
    check(len(caught) == 1, "the pipeline did not render exactly one HTML document")
    return caught[0]


def previous_renderer(kind: str) -> Callable[[], bytes] | None:
    """The renderer as it was before (stylesheet parsed once, WeasyPrint's whole default stylesheet, tagged PDF)
    on the report's HTML and print stylesheet as they were then; None when no such copy is kept."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from programmes.documents import BASE_URL, StaticOnlyFetcher

    page = BEFORE / f"{kind}.html"
    if not page.exists():
        return None
    link = '<link rel="stylesheet" href="/static/css/reports.css">'
    html = page.read_text(encoding="utf-8")
    check(html.count(link) == 1, f"{page} does not link the print stylesheet once")
    bare = html.replace(link, "")
    font_config = FontConfiguration()
    stylesheet = CSS(
        string=(BEFORE / "reports.css").read_text(encoding="utf-8"),
        base_url=f"{BASE_URL}static/css/reports.css",
        url_fetcher=StaticOnlyFetcher(),
        font_config=font_config,
    )

    def render() -> bytes:
        document = HTML(string=bare, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher())
        return cast(bytes, document.write_pdf(stylesheets=[stylesheet], font_config=font_config, pdf_tags=True))

    return render


def qr_svg_times(runs: int) -> Times:
    """Drawing the verification QR code as the inline SVG the template printed before (in the pipeline then)."""
    import segno

    from reviews.reports.produce import verification_url

    url = verification_url("BENCH12345")
    return timed(lambda: segno.make(url, error="m").svg_inline(scale=2, border=1, omitsize=True), runs)


def compare(kind: str, object_id: int, period: Any, runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from weasyprint import HTML

    from programmes.documents import BASE_URL, StaticOnlyFetcher, html_to_pdf
    from reviews.reports import produce

    code = "BENCH12345"

    def pipeline() -> bytes:
        built = produce.report_data(kind, object_id, period)
        return produce.render(built, code)

    html = final_html(produce.report_data(kind, object_id, period), code)

    def weasyprint_alone() -> bytes:
        # WeasyPrint ships no type hints; without a target, write_pdf returns the PDF.
        return cast(bytes, HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf())

    def weasyprint_tagged() -> bytes:
        return cast(
            bytes, HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf(pdf_tags=True)
        )

    def renderer() -> bytes:
        return html_to_pdf(html)

    pdf = pipeline()
    check(renderer() == weasyprint_tagged(), f"{kind}: the renderer's PDF differs from WeasyPrint's own")
    with CaptureQueriesContext(connection) as queries:
        produce.report_data(kind, object_id, period)
    # Interleaved, so that whatever else the machine does weighs on all of them alike.
    actions = {"pipeline": pipeline, "alone": weasyprint_alone, "tagged": weasyprint_tagged, "renderer": renderer}
    before = previous_renderer(kind)
    before_pdf = None
    if before is not None:
        actions["before"] = before
        before_pdf = before()
    measured = {name: Times() for name in actions}
    for _ in range(runs):
        for name, action in actions.items():
            timed(action, 1, measured[name])
    data_times = timed(lambda: produce.report_data(kind, object_id, period), runs)
    with mock.patch("programmes.documents.html_to_pdf", return_value=b""):
        html_times = timed(pipeline, runs)  # everything but the PDF: queries, data, template
    return {
        "kind": kind,
        "pages": page_count(pdf),
        "pdf": pdf,
        "size": len(pdf),
        "before_size": len(before_pdf) if before_pdf is not None else None,
        "before_pages": page_count(before_pdf) if before_pdf is not None else None,
        "html": html,
        "queries": len(queries),
        **{name: summary(times) for name, times in measured.items()},
        "data": summary(data_times),
        "without_pdf": summary(html_times),
        "qr_svg": summary(qr_svg_times(runs)),
        "ratio": statistics.median(measured["pipeline"].wall) / statistics.median(measured["alone"].wall),
    }


# --- 3. A batch of 200 in one worker process -------------------------------------------------------------------


def worker(batch_id: int) -> dict[str, Any]:
    """Run every item of the batch in this process, one after the other, as a worker's task does."""
    import django

    django.setup()
    from reviews.models import ItemState, ReportBatchItem
    from reviews.reports import batches

    item_ids = list(ReportBatchItem.objects.filter(batch_id=batch_id).order_by("pk").values_list("pk", flat=True))
    points = [{"done": 0, "seconds": 0.0, **memory_mb()}]
    started = time.perf_counter()
    for number, item_id in enumerate(item_ids, start=1):
        item = batches.batch_item_run(item_id)
        check(item is not None and item.state == ItemState.DONE, f"item {item_id} not done")
        if number in CHECKPOINTS or number == len(item_ids):
            points.append({"done": number, "seconds": time.perf_counter() - started, **memory_mb()})
    return {"items": len(item_ids), "seconds": time.perf_counter() - started, "points": points}


def run_batch(scene: Scene) -> dict[str, Any]:
    from reviews.models import ItemState, Report, ReportBatchItem, ReportKind
    from reviews.reports import batches
    from reviews.tasks import produce_batch_item

    # The batch's tasks leave through the outbox, which hands each to the broker with apply_async: caught there,
    # so that the fresh process below runs them all, as a worker would.
    with mock.patch.object(produce_batch_item, "apply_async") as queued:
        batch = batches.batch_create(
            period=scene.period,
            scope=scene.grassroots,
            title="Đo hiệu năng: 200 báo cáo cá nhân",
            items=[(ReportKind.INDIVIDUAL, pk) for pk in scene.reviews],
            acting_user=None,
        )
    check(queued.call_count == BATCH_SIZE, queued.call_count)
    # A fresh process, like a worker: it starts, then runs the 200 tasks one after the other.
    result = subprocess.run(
        [sys.executable, __file__, "--worker", str(batch.pk)], capture_output=True, text=True, env=os.environ.copy()
    )
    check(result.returncode == 0, f"the worker process failed:\n{result.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    done = ReportBatchItem.objects.filter(batch=batch, state=ItemState.DONE).count()
    made = Report.objects.filter(kind=ReportKind.INDIVIDUAL, review_id__in=scene.reviews, is_current=True).count()
    check(done == BATCH_SIZE and made == BATCH_SIZE, (done, made))
    figures["reports"] = made
    return figures


# --- The run ---------------------------------------------------------------------------------------------------


def run(workdir: Path, runs: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils.html import strip_tags

    from reviews.models import ReportKind

    call_command("migrate", verbosity=0)
    load = os.getloadavg()
    with no_automatic_reports():
        scene = build(workdir)
    # The objects made while building the data stay out of the collector's way, as they would in a worker
    # that never built them.
    gc.collect()
    gc.freeze()
    chosen = scene.reviews[5]  # an excellent member of the first cell: every part of the report filled
    individual = compare(ReportKind.INDIVIDUAL, chosen, None, runs)
    cell = compare(ReportKind.CELL_SUMMARY, scene.cells[0].pk, scene.period, runs)
    office = measure_libreoffice(workdir, strip_tags(individual["html"]))
    for row in (individual, cell):
        del row["pdf"], row["html"]
    batch = run_batch(scene)
    return {
        "individual": individual,
        "cell": cell,
        "libreoffice": office,
        "batch": batch,
        "build_seconds": scene.build_seconds,
        "members": MEMBERS_PER_CELL,
        "load": load,
    }


def _seconds(figures: dict[str, float]) -> str:
    return f"{figures['median']:.3f} ({figures['min']:.3f}–{figures['max']:.3f})"


def markdown(results: dict[str, Any]) -> str:
    individual, cell, office, batch = (results[key] for key in ("individual", "cell", "libreoffice", "batch"))
    runs = individual["pipeline"]["runs"]
    load = " / ".join(f"{value:.2f}" for value in results["load"])
    lines = [
        START,
        "## Evaluation reports (PDF)",
        "",
        f"Measured {datetime.date.today():%d/%m/%Y} on {platform.system()} with {os.cpu_count()} CPU cores "
        f"(`nproc`), Python {platform.python_version()}, WeasyPrint {_weasyprint_version()}, SQLite (a fresh file "
        f"database); load average {load} (1, 5, 15 min) at the start. Command: `make bench` (runs "
        "`scripts/bench.sh`, which runs `scripts/bench_reports.py` with "
        "`DJANGO_SETTINGS_MODULE=config.settings.test` after the import benchmark).",
        "",
        f"The data, built through the portal's services in {results['build_seconds']:.0f} s: a grassroots "
        f"committee with {CELLS} cells of {results['members']} members; each member has a confirmed action "
        "programme of 6 commitments (evidence for two), a self-review with text in all six sections, the cell's "
        "proposal, the committee's decision and its head's confirmation on grounds.",
        "",
        f"### 1. Whole pipeline against WeasyPrint alone (warm process, {runs} runs each, interleaved)",
        "",
        "Pipeline: `reviews.reports.produce.report_data` + `render` — the queries, the data, the template, the QR "
        "code and the PDF through `programmes.documents.render_pdf`. WeasyPrint alone: the same final HTML "
        "(rendered once from the same context) given to `HTML(string=…, url_fetcher=StaticOnlyFetcher()).write_pdf()` "
        "on every run, nothing reused between runs. Times in seconds: median (min–max).",
        "",
        "| Report | Pages | Queries | Pipeline | WeasyPrint alone | **Ratio** | WeasyPrint alone, `pdf_tags=True` "
        "| Pipeline without the PDF | Queries and data only |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, row in (("Individual report", individual), (f"Cell summary, {results['members']} members", cell)):
        lines.append(
            f"| {label} | {row['pages']} | {row['queries']} | {_seconds(row['pipeline'])} | {_seconds(row['alone'])} "
            f"| **{row['ratio']:.2f}** | {_seconds(row['tagged'])} | {row['without_pdf']['median']:.3f} "
            f"| {row['data']['median']:.3f} |"
        )
    met = all(row["ratio"] <= PIPELINE_GOAL for row in (individual, cell))
    rate_met = 1 / individual["pipeline"]["cpu"] >= RATE_GOAL
    lines += [
        "",
        "CPU time of the process for the same runs (median; what other work on the machine does not inflate): "
        + "; ".join(
            f"{label}: pipeline {row['pipeline']['cpu']:.3f}, WeasyPrint alone {row['alone']['cpu']:.3f}"
            for label, row in (("individual report", individual), ("cell summary", cell))
        )
        + ". Pipeline without the PDF: the same calls with `html_to_pdf` stubbed out (queries, data, template, "
        "NFC; the QR code is drawn by the renderer); queries and data only: `report_data`.",
        "",
        "Reports per CPU-second (the inverse of the pipeline's median CPU time; goal at least "
        f"{RATE_GOAL}): "
        + "; ".join(
            f"{label} **{1 / row['pipeline']['cpu']:.1f}**"
            for label, row in (("individual report", individual), ("cell summary", cell))
        )
        + f" — goal for the individual report **{'met' if rate_met else 'NOT met'}**.",
        "",
        f"Goal: the pipeline within {PIPELINE_GOAL}x of WeasyPrint alone on the same HTML — "
        f"**{'met' if met else 'NOT met'}**. The pipeline writes tagged PDFs (`pdf_tags=True`, for screen "
        "readers) and renders with the print stylesheet and its fonts parsed once per worker thread, and with "
        "WeasyPrint's default rules for only the elements the reports use as its user-agent stylesheet "
        "(`programmes.documents.html_to_pdf`, `programmes/document_ua.css`); its PDF is byte-for-byte the one "
        "WeasyPrint alone makes with "
        "`pdf_tags=True` (checked on every run of this script). Before the stylesheet and fonts were kept, the "
        "renderer was exactly that naive tagged call, so the pipeline took about "
        + "; ".join(
            f"{label} {before:.3f} s (ratio {before / row['alone']['median']:.2f})"
            for label, row in (("individual report", individual), ("cell summary", cell))
            for before in [row["tagged"]["median"] + row["without_pdf"]["median"]]
        )
        + " (derived: tagged column + pipeline without the PDF).",
        *before_and_after(individual, cell, results["members"]),
        "",
        "### 2. Individual report against LibreOffice converting a filled .docx",
        "",
    ]
    ours = individual["pipeline"]["median"]
    if office is not None:
        faster = ours < office["per_document"]
        lines += [
            f"Measured: `{Path(office['binary']).name} --headless --convert-to pdf` over a batch of "
            f"{LIBREOFFICE_BATCH} filled .docx files with the individual report's text ({office['pages']} pages), "
            f"{office['version']}: {office['total']:.2f} s in all, **{office['per_document']:.3f} s per document**. "
            f"Our pipeline: **{ours:.3f} s** per report (median wall time) — goal (faster) "
            f"**{'met' if faster else 'NOT met'}**.",
        ]
    else:
        low, high = LIBREOFFICE_REFERENCE
        faster = ours < low
        lines += [
            "LibreOffice is not installed on this machine (`command -v soffice libreoffice` finds nothing), so it "
            "was not measured. **Reference (quoted from the issue, not measured here):** LibreOffice converting a "
            f"filled three-page .docx in batch mode takes {low:.2f}–{high:.2f} s per report on this machine kind "
            f"(naive WeasyPrint in a warm process: {NAIVE_WEASYPRINT_REFERENCE[0]:.2f}–"
            f"{NAIVE_WEASYPRINT_REFERENCE[1]:.2f} s).",
            "",
            f"Our pipeline, measured above: **{ours:.3f} s** per {individual['pages']}-page report (median wall "
            f"time; {individual['pipeline']['cpu']:.3f} s of CPU time) — goal (faster than the reference's "
            f"{low:.2f} s) **{'met' if faster else 'NOT met'}**.",
        ]
    points = batch["points"]
    at = {point["done"]: point for point in points}
    first, last = at[0], at[batch["items"]]
    growth = last["rss"] - at[CHECKPOINTS[0]]["rss"]
    lines += [
        "",
        f"### 3. A batch of {batch['items']} individual reports in one worker process",
        "",
        f"`reviews.reports.batches.batch_item_run` for each item of one batch, one after the other in a fresh "
        f"process (as a Celery worker runs the tasks): {batch['seconds']:.1f} s, "
        f"**{batch['items'] / batch['seconds']:.2f} reports per second per worker process**; "
        f"{batch['reports']} current reports stored, one per review.",
        "",
        "| Reports done | Elapsed (s) | RSS now (MB) | Peak RSS so far (MB) |",
        "|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {point['done']} | {point['seconds']:.1f} | {point['rss']:.0f} | {point['peak']:.0f} |" for point in points
    ]
    lines += [
        "",
        f"Memory over the batch: {first['rss']:.0f} MB once started, {at[CHECKPOINTS[0]]['rss']:.0f} MB after "
        f"{CHECKPOINTS[0]}, {last['rss']:.0f} MB after {batch['items']} ({growth:+.0f} MB between {CHECKPOINTS[0]} "
        f"and {batch['items']}); peak {last['peak']:.0f} MB (VmRSS / VmHWM from /proc/self/status).",
        END,
    ]
    return "\n".join(lines) + "\n"


def before_and_after(individual: dict[str, Any], cell: dict[str, Any], members: int) -> list[str]:
    """The reports as printed before against now, from the same interleaved runs (when the copies are kept)."""
    rows = [
        (label, row) for label, row in (("Individual report", individual), (f"Cell summary, {members} members", cell))
    ]
    rows = [(label, row) for label, row in rows if "before" in row]
    if not rows:
        return []
    lines = [
        "",
        "Before and after drawing the QR code as an image, printing the footer from the page margins and the short "
        "default stylesheet, in this same run (interleaved with the runs above). Before: the reports' HTML and print "
        "stylesheet as they were then (kept in `scripts/report_bench_before/`: the QR code as an inline SVG path, the "
        "footer as running elements), rendered as `html_to_pdf` then did (stylesheet parsed once, WeasyPrint's whole "
        "default stylesheet, tagged PDF). Now: `html_to_pdf` on the current HTML. Same text, fonts, layout and page "
        "breaks. Median CPU time in seconds; the pipeline before is derived: the renderer before + the pipeline "
        "without the PDF now + drawing the QR code as that SVG, which the template step did then "
        f"({individual['qr_svg']['cpu']:.4f} s, measured here).",
        "",
        "| Report | Renderer before | Renderer now | Change | Pipeline before (derived) | Pipeline now "
        "| **Reports per CPU-second, before → now** | PDF before → now |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, row in rows:
        before, now = row["before"]["cpu"], row["renderer"]["cpu"]
        pipeline_before = before + row["without_pdf"]["cpu"] + row["qr_svg"]["cpu"]
        pipeline_now = row["pipeline"]["cpu"]
        lines.append(
            f"| {label} | {before:.3f} | {now:.3f} | {(now / before - 1) * 100:+.0f} % | {pipeline_before:.3f} "
            f"| {pipeline_now:.3f} | **{1 / pipeline_before:.1f} → {1 / pipeline_now:.1f}** "
            f"| {row['before_size'] / 1024:.1f} KB, {row['before_pages']} pages → {row['size'] / 1024:.1f} KB, "
            f"{row['pages']} pages |"
        )
    return lines


def _weasyprint_version() -> str:
    import weasyprint

    return str(weasyprint.__version__)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=25, help="timed runs of each report (at least 15)")
    parser.add_argument("--output", type=Path, help="Markdown file to update")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)  # the batch process, started by the run
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    if args.worker is not None:
        print(json.dumps(worker(args.worker)))
        return
    if args.runs < 15:
        parser.error("--runs must be at least 15")
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as folder:
        workdir = Path(folder)
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
        os.environ["DJANGO_MEDIA_ROOT"] = str(workdir / "media")
        results = run(workdir, args.runs)
    section = markdown(results)
    print(section)
    if args.output:
        write_section(args.output, section, START, END)


if __name__ == "__main__":
    main()
