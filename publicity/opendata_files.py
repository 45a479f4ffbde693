"""The open-data files: generated in the background, kept in storage, served whole with ETag and Last-Modified.

Each file is stored twice, as written and gzip-compressed (`<name>.gz`, written in the same pass): a client that
accepts gzip (every browser) downloads the compressed copy, a tenth of the bytes for the city's CSV, with
`Content-Encoding: gzip`; any other gets the file as written. Both copies are switched and deleted together.

Building a city's CSV takes tens of seconds, too long for a request. `refresh` writes each file of
`OpenDataKind` into the default storage under a new name and then switches the kind's `OpenDataFile` row to it
in one transaction: a download opens the old file or the new one, never half of one. The file before stays
until the next run, for downloads still under way. The storage API alone is used (no file-system path), so the
files live wherever the portal keeps its media.

When: nightly from the beat, and after each publication change (`programmes.action_programmes.publication`
enqueues `publicity.tasks.refresh_open_data` with the time of the change). A run claims the rows with one
conditional update of `started_at`; a request made before a run started is in that run's data and does
nothing, so a burst of changes before the first run starts costs one regeneration.

Never in a request: a download of a file not generated yet (a new portal, before its first run) queues the run
and answers "being prepared, try again in a few minutes" (503 with Retry-After); the open-data page lists the
file as being prepared. `manage.py prepare_open_data`, run after `migrate` and the demo, queues the first run
so that a new portal does not wait for the night.
"""

import datetime
import gzip
import hashlib
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from programmes import outbox
from programmes.action_programmes.publication import OPEN_DATA_REFRESH
from publicity.models import OpenDataFile, OpenDataKind
from publicity.opendata import (
    LICENCE,
    commitment_rows,
    commitments_csv_lines,
    documentation,
    programmes_csv_lines,
    programmes_with_commitments,
)
from publicity.views import public_cache

FOLDER = "du-lieu-mo"
CONTENT_TYPES = {
    OpenDataKind.PROGRAMMES_CSV: "text/csv; charset=utf-8",
    OpenDataKind.COMMITMENTS_CSV: "text/csv; charset=utf-8",
    OpenDataKind.PROGRAMMES_JSON: "application/json",
    OpenDataKind.COMMITMENTS_JSON: "application/json",
}
# A first download queues the run once; when no file came this long after (a worker lost the run), the next asks
# again. Longer than a city's run, so that a run under way is never doubled.
ASK_AGAIN_AFTER = datetime.timedelta(minutes=15)
# What the "being prepared" answer asks a browser, or a client that reads Retry-After, to wait (seconds).
PREPARING_RETRY_AFTER_SECONDS = 120


# --- Writing a file ------------------------------------------------------------------------------------------


def _json_lines(rows: Iterable[Any]) -> Iterator[str]:
    """The whole list as one JSON document, a row at a time: {"licence": …, "results": […], "count": n}."""
    yield '{"licence": ' + json.dumps(str(LICENCE), ensure_ascii=False) + ', "results": ['
    count = 0
    for row in rows:
        yield (",\n" if count else "\n") + json.dumps(row, ensure_ascii=False)
        count += 1
    yield f'\n], "count": {count}}}\n'


def content_lines(kind: OpenDataKind) -> Iterator[str]:
    """The text of one open-data file, in pieces."""
    writers: dict[OpenDataKind, Callable[[], Iterator[str]]] = {
        OpenDataKind.PROGRAMMES_CSV: programmes_csv_lines,
        OpenDataKind.COMMITMENTS_CSV: commitments_csv_lines,
        OpenDataKind.PROGRAMMES_JSON: lambda: _json_lines(programmes_with_commitments()),
        OpenDataKind.COMMITMENTS_JSON: lambda: _json_lines(commitment_rows()),
    }
    return writers[kind]()


# Level 6, zlib's default: within a few percent of level 9's size for a fraction of its time on text this large.
GZIP_LEVEL = 6


def _write(kind: OpenDataKind, handle: IO[bytes], compressed: IO[bytes]) -> tuple[str, int]:
    """Write the file into `handle`, and gzip-compressed into `compressed`; its SHA-256 (hex) and its size in
    bytes. The compressed copy carries no name and no time (mtime 0), so the same data give the same bytes."""
    digest = hashlib.sha256()
    size = 0
    with gzip.GzipFile(fileobj=compressed, mode="wb", compresslevel=GZIP_LEVEL, mtime=0) as zipped:
        for piece in content_lines(kind):
            data = piece.encode()
            handle.write(data)
            zipped.write(data)
            digest.update(data)
            size += len(data)
    return digest.hexdigest(), size


def compressed_name(stored: str) -> str:
    """The storage name of a stored file's gzip-compressed copy."""
    return f"{stored}.gz"


def _store(kind: OpenDataKind, started: datetime.datetime) -> tuple[str, str, int]:
    """Generate the file and its compressed copy under a new name in storage: (stored name, SHA-256, size)."""
    with tempfile.TemporaryFile() as handle, tempfile.TemporaryFile() as compressed:
        sha256, size = _write(kind, handle, compressed)
        stem, _dot, extension = kind.label.rpartition(".")
        name = f"{FOLDER}/{stem}-{started:%Y%m%dT%H%M%S%f}-{sha256[:12]}.{extension}"
        handle.seek(0)
        stored = default_storage.save(name, File(handle, name=name))
        # Saved under the exact name `_serve` looks for: the stored name is new (time and digest), so is its copy.
        compressed.seek(0)
        default_storage.save(compressed_name(stored), File(compressed, name=compressed_name(stored)))
    return stored, sha256, size


def _delete(stored: str) -> None:
    """Delete a stored file and its compressed copy."""
    default_storage.delete(stored)
    default_storage.delete(compressed_name(stored))


@transaction.atomic
def _switch(kind: OpenDataKind, stored: str, sha256: str, size: int, started: datetime.datetime) -> bool:
    """Serve `stored` from now on, unless a run that read its data later switched first. The file before the
    current one goes once this commits; the current one stays for downloads under way."""
    row = OpenDataFile.objects.select_for_update().get(kind=kind)
    if row.data_as_of is not None and row.data_as_of > started:
        transaction.on_commit(partial(_delete, stored))
        return False
    dropped = row.previous_name
    row.previous_name, row.storage_name = row.storage_name, stored
    row.sha256, row.size, row.data_as_of, row.generated_at = sha256, size, started, timezone.now()
    row.save()
    if dropped:
        transaction.on_commit(partial(_delete, dropped))
    return True


def _ensure_rows() -> None:
    existing = set(OpenDataFile.objects.values_list("kind", flat=True))
    OpenDataFile.objects.bulk_create(
        [OpenDataFile(kind=kind) for kind in OpenDataKind if kind not in existing], ignore_conflicts=True
    )


def _generate(kinds: Iterable[OpenDataKind], started: datetime.datetime) -> None:
    for kind in kinds:
        stored, sha256, size = _store(kind, started)
        _switch(kind, stored, sha256, size, started)


# --- Runs ----------------------------------------------------------------------------------------------------


def refresh(requested_at: str | None = None) -> bool:
    """Regenerate every open-data file. With `requested_at` (a publication change's time, ISO 8601), only when no
    run started since: the one conditional update claims the run, so of two requests waiting together one runs.
    True when this call regenerated."""
    _ensure_rows()
    started = timezone.now()
    rows = OpenDataFile.objects.all()
    if requested_at is not None:
        changed = parse_datetime(requested_at)
        if changed is None:
            raise ValueError(f"open data: {requested_at!r} is no time")
        rows = rows.filter(Q(started_at__isnull=True) | Q(started_at__lt=changed))
    if not rows.update(started_at=started):
        return False
    try:
        _generate(OpenDataKind, started)
    except BaseException:
        # The changes this run claimed are not in any file: the next request regenerates.
        OpenDataFile.objects.filter(started_at=started).update(started_at=None)
        raise
    return True


def ready_file(kind: OpenDataKind) -> OpenDataFile | None:
    """The file to serve for `kind`, or None while it has never been generated."""
    return OpenDataFile.objects.filter(kind=kind).exclude(storage_name="").first()


def ready_files() -> dict[str, OpenDataFile]:
    """The files generated so far, by kind."""
    return {row.kind: row for row in OpenDataFile.objects.exclude(storage_name="")}


def missing_files_request() -> bool:
    """Ask the workers for the files never generated yet (a new portal, before its first run); True when this
    call queued the run. One conditional update claims the ask, so that of many downloads arriving together one
    queues it and the others wait for it; an ask or a run started less than ASK_AGAIN_AFTER ago is waited for.

    Downloads, the open-data page and the set-up command ask. The data are public and no one's record changes:
    no permission to check and no audit event, as for the nightly run."""
    _ensure_rows()
    now = timezone.now()
    recently = now - ASK_AGAIN_AFTER
    with transaction.atomic():
        asked = (
            OpenDataFile.objects.filter(storage_name="")
            .filter(Q(asked_at__isnull=True) | Q(asked_at__lt=recently))
            .filter(Q(started_at__isnull=True) | Q(started_at__lt=recently))
            .update(asked_at=now)
        )
        if asked:
            # Through the task's own debounce: a run that starts after this ask reads it, and asks for no other.
            outbox.enqueue(OPEN_DATA_REFRESH, now.isoformat())
    return bool(asked)


# --- Serving -------------------------------------------------------------------------------------------------


def _serve(request: HttpRequest, kind: OpenDataKind) -> HttpResponseBase:
    """The stored file, or 304 when the client's copy (If-None-Match / If-Modified-Since) is this one; while the
    file has never been generated, the page saying it is being prepared."""
    record = ready_file(kind)
    if record is None:
        return _preparing(request, kind)
    zipped = _accepts_gzip(request) and default_storage.exists(compressed_name(record.storage_name))
    # Each encoding is its own representation, with its own tag (RFC 9110 8.8.3).
    etag = f'"{record.sha256}-gzip"' if zipped else f'"{record.sha256}"'
    # Whole seconds, as HTTP dates carry them: a client's If-Modified-Since then matches.
    modified = int(record.generated_at.timestamp()) if record.generated_at is not None else None
    conditional = get_conditional_response(request, etag=etag, last_modified=modified)
    if conditional is not None:
        response: HttpResponseBase = conditional
    else:
        name = compressed_name(record.storage_name) if zipped else record.storage_name
        response = FileResponse(
            default_storage.open(name, "rb"),
            as_attachment=True,
            filename=kind.label,
            content_type=CONTENT_TYPES[kind],
        )
        response["X-Content-Type-Options"] = "nosniff"
        if zipped:
            # FileResponse would name the encoding only from a file name ending in .gz; the download keeps .csv.
            response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ["Accept-Encoding"])
    response["ETag"] = etag
    if modified is not None:
        response["Last-Modified"] = http_date(modified)
    return response


def _accepts_gzip(request: HttpRequest) -> bool:
    """Whether the client takes gzip (`Accept-Encoding: gzip`, not refused with q=0)."""
    for item in request.headers.get("Accept-Encoding", "").split(","):
        coding, _semicolon, parameters = item.strip().partition(";")
        if coding.strip().lower() in ("gzip", "x-gzip"):
            return parameters.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def _preparing(request: HttpRequest, kind: OpenDataKind) -> HttpResponse:
    """503 with Retry-After: the file is being made in the background, never here (a city's takes longer than a
    request may last); the page says so in the public site's layout."""
    missing_files_request()
    response = render(request, "publicity/open_data_preparing.html", {"file_name": kind.label}, status=503)
    response["Retry-After"] = str(PREPARING_RETRY_AFTER_SECONDS)
    return response


@require_safe
@public_cache()
def open_data(request: HttpRequest) -> HttpResponse:
    """What the files hold and how to read them; each file with its size and time, or "being prepared" (and then
    asked for) while it has never been generated."""
    files = ready_files()
    preparing = len(files) < len(OpenDataKind)
    if preparing:
        missing_files_request()
    context = {**documentation(), "files": files, "any_preparing": preparing}
    response = render(request, "publicity/open_data.html", context)
    if preparing:
        # Kept no longer than the wait it asks for, so that the files show once they are made.
        patch_cache_control(response, max_age=PREPARING_RETRY_AFTER_SECONDS)
    return response


@require_safe
@public_cache()
def programmes_csv(request: HttpRequest) -> HttpResponseBase:
    return _serve(request, OpenDataKind.PROGRAMMES_CSV)


@require_safe
@public_cache()
def commitments_csv(request: HttpRequest) -> HttpResponseBase:
    return _serve(request, OpenDataKind.COMMITMENTS_CSV)


@require_safe
@public_cache()
def programmes_json_file(request: HttpRequest) -> HttpResponseBase:
    return _serve(request, OpenDataKind.PROGRAMMES_JSON)


@require_safe
@public_cache()
def commitments_json_file(request: HttpRequest) -> HttpResponseBase:
    return _serve(request, OpenDataKind.COMMITMENTS_JSON)
