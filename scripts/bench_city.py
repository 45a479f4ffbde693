"""City-scale benchmark: Ho Chi Minh City's data (scripts/city_data.py) at a scale, on a throwaway PostgreSQL
database, served by gunicorn with production's settings; every page measured against a bare Django view of 50
rows in one interleaved run, and the operations (period opening, roster import, open data, printed reports, the
dashboards' figures).

    BENCH_CITY_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python scripts/bench_city.py --scale 0.1 --output docs/BENCHMARKS.md

The URL names a PostgreSQL server and a database to connect to; the benchmark creates `bench_city_<scale>`
there (dropping an earlier one) and leaves it for inspection. `make bench-city` starts a server of its own.
"""

import argparse
import datetime
import io
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = Path(__file__).resolve().parent
sys.path[:0] = [str(REPO_ROOT), str(SCRIPTS)]

from bench_city_http import Load, Page, fetch, gunicorn, interleaved  # noqa: E402
from bench_sections import write_section  # noqa: E402

PYTHON = str(REPO_ROOT / ".venv" / "bin" / "python")
BARE = "Bare view (50 rows)"


def database_name(scale: float) -> str:
    return "bench_city_" + f"{scale:g}".replace(".", "_")


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def recreate_database(server_url: str, name: str, reuse: bool) -> bool:
    """Create the database afresh; with `reuse`, keep one already built. True when it must be built."""
    import psycopg2

    connection = psycopg2.connect(server_url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if reuse and cursor.fetchone():
                return False
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()
    return True


def run(command: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(command, cwd=REPO_ROOT, env={**os.environ, **env}, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def operation(name: str, env: dict[str, str]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(run([PYTHON, str(SCRIPTS / "bench_city_ops.py"), name], env).splitlines()[-1])
    print(f"{name}: {result}", flush=True)
    return result


def pages_and_sessions(period_id: int) -> tuple[list[Page], dict[str, tuple[float, int]]]:
    """The pages to measure (a staff session signed in for the staff pages), and each page's server time and
    queries measured in this process with the test client: median of five requests after a warm one."""
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from programmes.models import ActionProgramme, ProgrammeState, RoleAssignment
    from publicity.selectors import public_programmes

    staff = User.objects.get(username="bench.ward.staff")
    ward = RoleAssignment.objects.get(user=staff).organisation
    city = RoleAssignment.objects.get(user__username="bench.city.staff").organisation
    published = public_programmes().order_by("pk")
    programme = published.filter(versions__number=2).first() or published.first()
    if programme is None:
        raise SystemExit("no published programme to measure")
    clients: dict[str, Client] = {}

    def session_of(username: str) -> str:
        """A browser signed in as `username`: its cookie for gunicorn, its client for the in-process measures."""
        client = Client(HTTP_ACCEPT_LANGUAGE="vi")
        client.force_login(User.objects.get(username=username), backend="django.contrib.auth.backends.ModelBackend")
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        clients[cookie] = client
        return cookie

    cookie = session_of("bench.ward.staff")
    city_cookie = session_of("bench.city.staff")
    # A programme of the ward closed at the end of its term, read by the one who confirmed it: its end-of-term
    # evaluation and its owner's portfolio of programmes and reviews.
    closed = (
        ActionProgramme.objects.filter(state=ProgrammeState.CLOSED, organisation__path__startswith=ward.path)
        .select_related("current_version__confirmed_by")
        .order_by("pk")
        .first()
    )
    if closed is None or closed.current_version is None or closed.current_version.confirmed_by is None:
        raise SystemExit("no closed programme with its confirmer in the ward to measure")
    confirmer_cookie = session_of(closed.current_version.confirmed_by.username)
    home = reverse("publicity:public_home")
    pages = [
        Page(BARE, "/bench/bare/"),
        Page("Public home / browse", home),
        Page(f"A ward's published programmes ({ward.name})", f"{home}?khu_vuc={ward.pk}"),
        Page("Public programme page", reverse("publicity:public_programme", args=[programme.pk])),
        Page('Search "nguyen van an"', f"{home}?q=nguyen+van+an"),
        Page('Search "Nguyễn Văn An"', f"{home}?q={quote('Nguyễn Văn An')}"),
        Page("Atom feed", reverse("publicity:public_changes_feed")),
        Page("Staff programme list (ward staff)", reverse("programmes:programme_list"), cookie),
        Page("Ward review list (ward staff)", reverse("reviews:period_detail", args=[period_id]), cookie),
        Page("Ward dashboard (ward staff)", reverse("dashboards:organisation", args=[ward.pk]), cookie),
        Page("City dashboard (city staff)", reverse("dashboards:organisation", args=[city.pk]), city_cookie),
        Page(f"Public area dashboard ({ward.name})", reverse("publicity:area_dashboard", args=[ward.pk])),
        Page(
            "End-of-term evaluation (its confirmer)",
            reverse("programmes:programme_evaluation", args=[closed.pk]),
            confirmer_cookie,
        ),
        Page(
            "A cadre's portfolio (their confirmer)",
            reverse("reviews:cadre_portfolio", args=[closed.owner_id]),
            confirmer_cookie,
        ),
    ]
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="vi")
    server: dict[str, tuple[float, int]] = {}
    for page in pages:
        client = clients[page.cookie] if page.cookie else anonymous
        check_status(page, client.get(page.path).status_code)
        times = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                client.get(page.path)
                times.append(time.perf_counter() - started)
        server[page.label] = (statistics.median(times), len(queries))
        print(f"{page.label}: {server[page.label][0] * 1000:.0f} ms, {len(queries)} queries", flush=True)
    return pages, server


def check_status(page: Page, status: int) -> None:
    if status != 200:
        raise SystemExit(f"{page.label} ({page.path}) answered {status}")


# What docker-compose.yml sets for this workload (docs/SCALING.md), as the server measured has them.
TUNED_SETTINGS = (
    "jit",
    "shared_buffers",
    "effective_cache_size",
    "work_mem",
    "random_page_cost",
    "max_parallel_workers_per_gather",
)


def machine(database_url: str) -> str:
    import psycopg2

    with psycopg2.connect(database_url) as connection, connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        row = cursor.fetchone()
        settings = []
        for name in TUNED_SETTINGS:
            cursor.execute(f"SHOW {name}")
            settings.append(f"{name}={cursor.fetchone()[0]}")  # type: ignore[index]
    memory = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    gigabytes = int(memory.split()[1]) / 1024 / 1024
    return (
        f"{platform.machine()}, {os.cpu_count()} CPUs, {gigabytes:.0f} GB, Python {platform.python_version()}, "
        f"PostgreSQL {row[0] if row else '?'} ({', '.join(settings)}), gunicorn 3 sync workers"
    )


def markdown(scale: float, facts: dict[str, Any]) -> str:
    loads: dict[str, Load] = facts["loads"]
    bare = loads[BARE].throughput
    lines = [
        f"## City scale {scale:g} ({facts['members']:,} members)",
        "",
        f"`make bench-city SCALE={scale:g}` (`scripts/bench_city.py --scale {scale:g}`), {facts['date']}; "
        f"{facts['machine']}.",
        "",
        f"Data built by COPY in {facts['build_seconds']}: " + ", ".join(facts["counts"]) + ".",
        "",
        f"Pages: server time and queries in-process (median of 5 after a warm request); then, over gunicorn, "
        f"{facts['clients']} clients for {facts['seconds']:g} s per page, page after page, {facts['rounds']} rounds, "
        "in one run with the bare view.",
        "",
        "| Page | server ms | queries | req/s | vs bare view | p50 ms | p95 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, load in loads.items():
        server_seconds, queries = facts["server"][label]
        lines.append(
            f"| {label} | {server_seconds * 1000:,.0f} | {queries} | {load.throughput:,.1f} | "
            f"{load.throughput / bare:.3f} | {load.p50 * 1000:,.0f} | {load.percentile(0.95) * 1000:,.0f} | "
            f"{load.errors} |"
        )
    period, roster, reports = facts["period"], facts["import"], facts["reports"]
    lines += ["", "| Operation | Result |", "|---|---|"]
    lines.append(
        f"| Period opening, {period['ward']} ({period['reviews']:,} reviews) | {period['seconds']:.1f} s, "
        f"{period['queries']:,} queries |"
    )
    summaries = facts["summaries"]
    lines.append(
        f"| Dashboards' figures, every organisation counted (the nightly run; {summaries['organisations']:,} "
        f"organisations, {summaries['rows']:,} summary rows) | {summaries['seconds']:.1f} s, "
        f"{summaries['queries']:,} queries, peak memory {summaries['peak_rss_mb']:.0f} MB |"
    )
    lines.append(
        f"| Dashboards' figures, one cell counted again after a change (the run a service's mark asks for; "
        f"{summaries['marked_rows']} rows written) | {summaries['marked_seconds'] * 1000:,.0f} ms, "
        f"{summaries['marked_queries']} queries |"
    )
    open_data = facts["open_data"]
    lines.append(
        f"| Open data, the four files made by one background run (`prepare_open_data --now`) | "
        f"{open_data['run_seconds']:.1f} s, {open_data['bytes'] / 1e6:.1f} MB |"
    )
    for label, (served, size) in open_data["served"].items():
        lines.append(
            f"| Open data {label} ({size / 1e6:.1f} MB), served from the stored file (best of 3) | "
            f"{served * 1000:.0f} ms |"
        )
    lines.append(
        f"| Roster import, {roster['rows']:,} new members (CSV) | {roster['rows_per_second']:,.0f} rows/s "
        f"({roster['seconds']:.0f} s), peak memory {roster['peak_rss_mb']:.0f} MB |"
    )
    lines.append(
        f"| Printed programme, {reports['reports']} published | {reports['per_cpu_second']:.1f} per CPU-second; "
        f"{reports['pipeline_seconds']:.3f} s each, bare WeasyPrint on the same HTML "
        f"{reports['bare_weasyprint_seconds']:.3f} s |"
    )
    return "\n".join(lines) + "\n"


def make_open_data() -> dict[str, Any]:
    """The open-data files, made here by the set-up command, as a worker's run makes them (a download never
    does): how long the run took and how many bytes it wrote."""
    from django.core.management import call_command

    from publicity.opendata_files import ready_files

    started = time.perf_counter()
    call_command("prepare_open_data", "--now", stdout=io.StringIO())
    seconds = time.perf_counter() - started
    return {"run_seconds": seconds, "bytes": sum(row.size for row in ready_files().values())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, required=True, help="1 is the whole city; 0.1 a tenth")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_CITY_DATABASE_URL", ""))
    parser.add_argument("--cache-url", default=os.environ.get("BENCH_CITY_CACHE_URL", ""), help="redis://…")
    parser.add_argument("--reuse", action="store_true", help="measure a database built before and not yet measured")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0, help="per page and round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--output", type=Path, help="the Markdown file to write the section into")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        parser.error("give a PostgreSQL server's URL: --database-url or BENCH_CITY_DATABASE_URL")
    # Each scale starts from an empty cache (FLUSHDB): only a Redis on this machine, never a deployment's.
    if urlsplit(args.cache_url).hostname not in ("127.0.0.1", "localhost"):
        parser.error("give a Redis on this machine (it is emptied): --cache-url or BENCH_CITY_CACHE_URL")
    name = database_name(args.scale)
    database_url = with_database(args.database_url, name)
    work = Path(tempfile.mkdtemp(prefix="bench-city-"))
    env = {
        "DJANGO_SETTINGS_MODULE": "bench_city_settings",
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_STATIC_ROOT": str(work / "static"),
        "DJANGO_MEDIA_ROOT": str(work / "media"),
        "DJANGO_LOG_LEVEL": "WARNING",
        # Django's cache as compose deploys it: Redis.
        "CACHE_URL": args.cache_url,
        "PYTHONPATH": f"{REPO_ROOT}:{SCRIPTS}",
    }
    facts: dict[str, Any] = {"date": datetime.date.today().isoformat(), "machine": machine(args.database_url)}
    facts["machine"] += ", Django's cache in Redis"
    facts.update(clients=args.clients, seconds=args.seconds, rounds=args.rounds)
    if recreate_database(args.database_url, name, args.reuse):
        started = time.perf_counter()
        print(run([PYTHON, str(SCRIPTS / "city_data.py"), "--scale", str(args.scale), "--migrate"], env), flush=True)
        facts["build_seconds"] = f"{time.perf_counter() - started:.0f} s (migrations included)"
    else:
        facts["build_seconds"] = "an earlier run (--reuse)"
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], env)
    # Nothing cached for another scale's database (the same ids, other rows) may answer for this one.
    run([PYTHON, "manage.py", "shell", "--command", "from django.core.cache import cache; cache.clear()"], env)
    facts["period"] = operation("period", env)
    # After the period's opening, so that its 3,000 reviews are among the figures the dashboards read.
    facts["summaries"] = operation("summaries", env)
    facts["reports"] = operation("reports", env)
    os.environ.update(env)
    import django

    django.setup()
    from city_data import table_counts

    counts = table_counts()
    facts["members"] = counts["programmes.Cadre"]
    facts["counts"] = [f"{rows:,} {label.split('.')[1]}" for label, rows in counts.items()]
    pages, facts["server"] = pages_and_sessions(facts["period"]["period"])
    facts["open_data"] = make_open_data()
    with gunicorn(env, work / "gunicorn.log") as port:
        facts["loads"] = interleaved(port, pages, args.clients, args.seconds, args.rounds)
        facts["open_data"]["served"] = {}
        for label, path in (("programmes CSV", "chuong-trinh.csv"), ("commitments CSV", "noi-dung-cam-ket.csv")):
            page = Page(label, f"/cong-khai/du-lieu-mo/{path}")
            # As written (a client taking no compression), then as a browser gets it (gzip).
            for encoding, shown in (("", label), ("gzip", f"{label}, gzip to a browser")):
                status, _seconds, size = fetch(port, page, encoding)
                check_status(page, status)
                served = min(fetch(port, page, encoding)[1] for _run in range(3))
                facts["open_data"]["served"][shown] = (served, size)
    facts["import"] = operation("import", env)
    section = markdown(args.scale, facts)
    print(section)
    if args.output:
        marker = f"city-benchmark-{args.scale:g}"
        text = f"<!-- {marker}:start -->\n{section}<!-- {marker}:end -->\n"
        write_section(args.output, text, f"<!-- {marker}:start -->", f"<!-- {marker}:end -->")


if __name__ == "__main__":
    main()
