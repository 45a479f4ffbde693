"""The city-scale benchmark's operations, each run in a process of its own so that its peak memory is its own:

    period     open an annual review period for the big ward (its 3,000 members) as the ward's staff
    import     import a roster of 50,000 new members into the city's other cells (CSV)
    reports    print a sample of published programmes: the pipeline, and bare WeasyPrint on the same HTML
    summaries  count every organisation's dashboard figures (the nightly run, which fills the summary table the
               dashboards read), then one cell's again after a change in it (the run a service's mark asks for)

Each prints one line of JSON. scripts/bench_city.py runs them with the benchmark's settings and database.
"""

import argparse
import datetime
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

IMPORT_ROWS = 50_000
REPORT_SAMPLE = 20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def open_period() -> dict[str, Any]:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from programmes.models import RoleAssignment
    from reviews.models import RuleSet
    from reviews.services.periods import period_open

    staff = User.objects.get(username="bench.ward.staff")
    ward = RoleAssignment.objects.get(user=staff).organisation
    rule_set = RuleSet.objects.order_by("pk").first()
    if rule_set is None:
        raise SystemExit("no rule set: the migrations seed them")
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        period = period_open(
            title="Kiểm điểm, đánh giá, xếp loại năm 2025",
            kind="annual",
            rule_set=rule_set,
            scope=ward,
            covers_from=datetime.date(2025, 1, 1),
            covers_to=datetime.date(2025, 12, 31),
            self_review_until=datetime.date(2025, 12, 15),
            cell_meetings_until=datetime.date(2025, 12, 20),
            decisions_until=datetime.date(2025, 12, 31),
            acting_user=staff,
        )
    seconds = time.perf_counter() - started
    return {
        "period": period.pk,
        "ward": ward.name,
        "reviews": period.reviews.count(),
        "seconds": seconds,
        "queries": len(queries),
        "peak_rss_mb": peak_rss_mb(),
    }


def import_roster() -> dict[str, Any]:
    from bench_import import cadre_rows, write_csv

    from programmes.importing import roster
    from programmes.importing.services import import_file
    from programmes.models import PartyOrganisation, RoleAssignment

    big_ward = RoleAssignment.objects.get(user__username="bench.ward.staff").organisation
    cells = PartyOrganisation.objects.filter(kind="grassroots_cell").exclude(path__startswith=big_ward.path)
    cell_codes = list(cells.order_by("path").values_list("code", flat=True))
    with tempfile.TemporaryDirectory(prefix="bench-city-import-") as folder:
        source = Path(folder) / "dang-vien.csv"
        # The CSV carries dates as text (yyyy-mm-dd), as a spreadsheet saved to CSV would.
        rows = [
            [value.date().isoformat() if isinstance(value, datetime.datetime) else value for value in row]
            for row in cadre_rows(cell_codes, IMPORT_ROWS)
        ]
        write_csv(source, [column.header for column in roster.COLUMNS], rows)
        before = peak_rss_mb()
        started = time.perf_counter()
        result = import_file(kind="roster", source=source, name=source.name, acting_user=None)
        seconds = time.perf_counter() - started
    if not (result.ok and result.created == IMPORT_ROWS):
        raise SystemExit(f"the import did not create {IMPORT_ROWS} members: {result.counts()} {result.errors[:5]}")
    return {
        "rows": IMPORT_ROWS,
        "seconds": seconds,
        "rows_per_second": IMPORT_ROWS / seconds,
        "peak_rss_mb": peak_rss_mb(),
        "rss_before_mb": before,
    }


def print_reports() -> dict[str, Any]:
    """The printed programme (reports/programme.html through render_pdf, as the PDF view does) for a sample of
    published programmes, in CPU seconds, and WeasyPrint alone on the HTML of the same documents."""
    from django.conf import settings
    from django.template.loader import render_to_string
    from django.utils import timezone, translation
    from weasyprint import HTML

    from programmes import documents as documents_module
    from programmes.action_programmes.selectors import version_for_display
    from programmes.documents import render_pdf
    from programmes.programme_document import programme_document_context
    from publicity.selectors import public_programmes

    programmes = list(public_programmes().select_related("current_version").order_by("pk")[:REPORT_SAMPLE])
    documents = []
    for programme in programmes:
        current = programme.current_version
        version = version_for_display(programme, current.number) if current is not None else None
        if version is not None:
            documents.append((programme, version))
    started = time.process_time()
    pages = 0
    for programme, version in documents:
        pdf = render_pdf("reports/programme.html", programme_document_context(programme, version))
        pages += pdf.count(b"/Type /Page\n") or 1
    pipeline = time.process_time() - started
    htmls = []
    with translation.override(settings.LANGUAGE_CODE):
        for programme, version in documents:
            context = {"generated_at": timezone.now(), **programme_document_context(programme, version)}
            htmls.append(render_to_string("reports/programme.html", documents_module._nfc(context)))
    started = time.process_time()
    for html in htmls:
        fetcher = documents_module.StaticOnlyFetcher()
        HTML(string=html, base_url=documents_module.BASE_URL, url_fetcher=fetcher).write_pdf()
    bare = time.process_time() - started
    return {
        "reports": len(documents),
        "cpu_seconds": pipeline,
        "per_cpu_second": len(documents) / pipeline,
        "bare_weasyprint_seconds": bare / len(documents),
        "pipeline_seconds": pipeline / len(documents),
        "peak_rss_mb": peak_rss_mb(),
    }


def count_summaries() -> dict[str, Any]:
    """The nightly count of every organisation's figures (publicity.tasks.refresh_all_summaries), timed with its
    queries; then the count a progress report's mark asks for, of one cell of the big ward."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from programmes import summary_marks
    from programmes.models import PartyOrganisation, RoleAssignment
    from publicity.dashboards.refresh import refresh_all, refresh_marked
    from publicity.models import OrganisationSummary

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        outcome = refresh_all()
    seconds = time.perf_counter() - started
    ward = RoleAssignment.objects.get(user__username="bench.ward.staff").organisation
    cell = PartyOrganisation.objects.filter(path__startswith=ward.path, kind="grassroots_cell").order_by("path").first()
    if cell is None:
        raise SystemExit("the big ward has no cell")
    summary_marks.mark([cell.pk])
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as marked_queries:
        marked = refresh_marked()
    marked_seconds = time.perf_counter() - started
    if marked is None:
        raise SystemExit("the cell's mark was not counted")
    return {
        "organisations": outcome.counted,
        "rows": OrganisationSummary.objects.count(),
        "seconds": seconds,
        "queries": len(queries),
        "marked_seconds": marked_seconds,
        "marked_queries": len(marked_queries),
        "marked_rows": marked.written,
        "peak_rss_mb": peak_rss_mb(),
    }


OPERATIONS = {"period": open_period, "import": import_roster, "reports": print_reports, "summaries": count_summaries}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("operation", choices=sorted(OPERATIONS))
    args = parser.parse_args()
    import django

    django.setup()
    print(json.dumps(OPERATIONS[args.operation]()))


if __name__ == "__main__":
    main()
