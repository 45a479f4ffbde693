"""Back up the portal (database and uploaded files) into one archive, and restore it into an empty one.

The archive is a tar file holding:

- `database.dump` (PostgreSQL, `pg_dump -Fc`) or `database.sqlite3` (SQLite, its online backup API);
- `media.tar`, every file of the portal's file storage (evidence, minutes, reports, import files), read
  through Django's storage API: the folder MEDIA_ROOT, or the S3-compatible bucket when one is configured
  (config/settings/storage.py);
- `manifest.json`: the SHA-256 and size of each part, the row count of every table and the SHA-256 of
  every media file, so that a restore can prove it brought back exactly what was saved.

On PostgreSQL the row counts and the dump read the same snapshot (`pg_export_snapshot`), so a backup
taken while people work is still consistent with its own manifest. A restore refuses a database that
already has tables and a file storage (folder or bucket) that already has files: it never merges into live data.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import posixpath
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_PART = "media.tar"
PART_BY_ENGINE = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in the portal's language."""


@dataclass(frozen=True)
class RestoreSummary:
    tables: int
    rows: int
    media_files: int


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


class _HashingReader:
    """A stored file read once, into the archive, with its SHA-256 computed on the way."""

    def __init__(self, stream: File[bytes]) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        block: bytes = self.stream.read(size)
        self.digest.update(block)
        return block


def _stored_sha256(storage: Storage, name: str) -> str:
    with storage.open(name, "rb") as stream:
        reader = _HashingReader(stream)
        while reader.read(CHUNK):
            pass
    return reader.digest.hexdigest()


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in PART_BY_ENGINE:
        raise BackupError(_("Chưa hỗ trợ sao lưu cơ sở dữ liệu loại %(vendor)s.") % {"vendor": vendor})
    return vendor


def _quoted(table: str) -> str:
    return connection.ops.quote_name(table)


def _row_counts(cursor: Any, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quoted(table)}")  # noqa: S608 - names from introspection
        counts[table] = cursor.fetchone()[0]
    return counts


def _pg_environment() -> dict[str, str]:
    """libpq's variables for pg_dump and pg_restore: the password never appears on a command line."""
    db = settings.DATABASES["default"]
    environment = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if db.get(key):
            environment[variable] = str(db[key])
    environment["PGDATABASE"] = str(db["NAME"])
    return environment


def _run(command: list[str], environment: dict[str, str]) -> None:
    try:
        # The program is pg_dump or pg_restore, its arguments built here; no shell.
        subprocess.run(command, env=environment, check=True, capture_output=True, text=True)  # noqa: S603
    except FileNotFoundError as error:
        raise BackupError(
            _("Không tìm thấy chương trình %(program)s: cần gói postgresql-client.") % {"program": command[0]}
        ) from error
    except subprocess.CalledProcessError as error:
        raise BackupError(
            _("%(program)s báo lỗi: %(error)s") % {"program": command[0], "error": error.stderr.strip()[-2000:]}
        ) from error


def _dump_postgresql(target: Path) -> dict[str, int]:
    """Counts and dump from one snapshot: a REPEATABLE READ transaction exports it to pg_dump."""
    with connection.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _row_counts(cursor, connection.introspection.table_names(cursor))
            _run(
                ["pg_dump", "-Fc", "--no-owner", "--no-privileges", f"--snapshot={snapshot}", "-f", str(target)],
                _pg_environment(),
            )
        finally:
            cursor.execute("ROLLBACK")
    return counts


def _dump_sqlite(target: Path) -> dict[str, int]:
    """SQLite's online backup copies a consistent image even while the portal writes."""
    connection.ensure_connection()
    source = connection.connection
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        cursor = copy.cursor()
        tables = [row[0] for row in cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        counts = _row_counts(cursor, [table for table in tables if not table.startswith("sqlite_")])
    finally:
        copy.close()
    return counts


def _is_link(storage: Storage, name: str) -> bool:
    """A symbolic link in the media folder leads outside what the portal stored: it is neither saved nor counted."""
    return isinstance(storage, FileSystemStorage) and Path(storage.path(name)).is_symlink()


def _media_names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every stored file's name, folder by folder: the same walk on the file system and in a bucket."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(posixpath.join(folder, file) for file in files):
        if not _is_link(storage, name):
            yield name
    for sub_folder in sorted(folders):
        yield from _media_names(storage, posixpath.join(folder, sub_folder))


def _storage_place(storage: Storage) -> str:
    """The folder or bucket, as the portal's messages name it."""
    if isinstance(storage, FileSystemStorage):
        return str(storage.location)
    bucket = getattr(storage, "bucket_name", "?")
    return f"s3://{bucket}/{getattr(storage, 'location', '')}"


def _pack_media(storage: Storage, target: Path) -> dict[str, str]:
    hashes = {}
    with tarfile.open(target, "w") as archive:
        for name in _media_names(storage):
            info = tarfile.TarInfo(name)
            info.size = storage.size(name)
            info.mtime = int(storage.get_modified_time(name).timestamp())
            with storage.open(name, "rb") as stream:
                reader = _HashingReader(stream)
                archive.addfile(info, reader)
            hashes[name] = reader.digest.hexdigest()
    return hashes


def _unpack_media(part: Path, storage: Storage) -> None:
    """Every file of the archive's media part saved under its own name; anything but a plain file is refused."""
    with tarfile.open(part) as archive:
        for member in archive:
            stream = archive.extractfile(member) if member.isfile() else None
            if stream is None:
                raise BackupError(_("Phần tệp tải lên của bản sao lưu có mục lạ: %(name)s.") % {"name": member.name})
            with stream:
                saved = storage.save(member.name, File(stream, name=member.name))
            if saved != member.name:
                raise BackupError(_("Không khôi phục được tệp %(name)s đúng tên.") % {"name": member.name})


def _migrations() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        latest: dict[str, str] = {}
        for app, name in cursor.fetchall():
            latest[app] = max(latest.get(app, ""), name)
    return latest


def backup(output_dir: Path) -> Path:
    """Write one archive into `output_dir` and return its path."""
    engine = _engine()
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%dT%H%M%S")
    archive_path = output_dir / f"portal-backup-{stamp}.tar"
    with tempfile.TemporaryDirectory(dir=output_dir) as work_dir:
        work = Path(work_dir)
        database_part = work / PART_BY_ENGINE[engine]
        counts = _dump_postgresql(database_part) if engine == "postgresql" else _dump_sqlite(database_part)
        media_hashes = _pack_media(default_storage, work / MEDIA_PART)
        parts = [database_part, work / MEDIA_PART]
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "engine": engine,
            "migrations": _migrations(),
            "parts": {part.name: {"sha256": sha256_of(part), "bytes": part.stat().st_size} for part in parts},
            "tables": counts,
            "media": media_hashes,
        }
        partial = archive_path.with_suffix(".tar.partial")
        with tarfile.open(partial, "w") as archive:
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(datetime.datetime.now().timestamp())
            archive.addfile(info, io.BytesIO(data))
            for part in parts:
                archive.add(part, arcname=part.name)
        # Renamed only when complete: an interrupted backup never leaves a file that looks finished.
        partial.rename(archive_path)
    return archive_path


# --- Restore -------------------------------------------------------------------------------------------------


@contextmanager
def _unpacked(archive_path: Path) -> Iterator[tuple[dict[str, Any], Path]]:
    """The manifest and a folder with the verified parts; refuses an archive whose parts do not match."""
    if not archive_path.is_file():
        raise BackupError(_("Không tìm thấy tệp sao lưu %(path)s.") % {"path": archive_path})
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        try:
            with tarfile.open(archive_path) as archive:
                archive.extractall(work, filter="data")
            manifest = json.loads((work / MANIFEST).read_text())
        except (tarfile.TarError, OSError, ValueError) as error:
            raise BackupError(_("Tệp sao lưu hỏng hoặc không đúng định dạng: %(error)s") % {"error": error}) from error
        if manifest.get("format") != FORMAT:
            raise BackupError(
                _("Tệp sao lưu có định dạng %(format)s, không đọc được.") % {"format": manifest.get("format")}
            )
        for name, expected in manifest["parts"].items():
            part = work / name
            if not part.is_file() or sha256_of(part) != expected["sha256"]:
                raise BackupError(
                    _("Phần %(name)s của tệp sao lưu không khớp mã SHA-256 trong bản kê.") % {"name": name}
                )
        yield manifest, work


def _refuse_unless_empty(storage: Storage) -> None:
    tables = connection.introspection.table_names()
    if tables:
        raise BackupError(
            _(
                "Cơ sở dữ liệu đích đã có %(count)s bảng. Chỉ khôi phục vào cơ sở dữ liệu trống: tạo cơ sở dữ liệu "
                "mới (hoặc chuyển tệp SQLite cũ đi chỗ khác) rồi trỏ DATABASE_URL vào đó."
            )
            % {"count": len(tables)}
        )
    if any(_media_names(storage)):
        raise BackupError(
            _("Thư mục tệp tải lên %(path)s đã có tệp. Chỉ khôi phục vào thư mục trống.")
            % {"path": _storage_place(storage)}
        )


def _restore_database(engine: str, part: Path) -> None:
    if engine == "postgresql":
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "-d",
                str(settings.DATABASES["default"]["NAME"]),
                str(part),
            ],
            _pg_environment(),
        )
        return
    connection.ensure_connection()
    source = sqlite3.connect(part)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _check(manifest: dict[str, Any], storage: Storage) -> RestoreSummary:
    """The restored rows and files against the manifest; any difference is an error, named."""
    with connection.cursor() as cursor:
        counts = _row_counts(cursor, list(manifest["tables"]))
    different = [table for table, rows in manifest["tables"].items() if counts.get(table) != rows]
    if different:
        raise BackupError(_("Số dòng khác bản kê ở các bảng: %(tables)s.") % {"tables": ", ".join(different)})
    restored = {name: _stored_sha256(storage, name) for name in _media_names(storage)}
    if restored != manifest["media"]:
        raise BackupError(_("Các tệp tải lên đã khôi phục không khớp bản kê."))
    return RestoreSummary(tables=len(counts), rows=sum(counts.values()), media_files=len(restored))


def restore(archive_path: Path) -> RestoreSummary:
    """Restore an archive into the configured (empty) database and file storage, then prove it."""
    engine = _engine()
    _refuse_unless_empty(default_storage)
    with _unpacked(archive_path) as (manifest, work):
        if manifest["engine"] != engine:
            raise BackupError(
                _("Tệp sao lưu của %(saved)s, không khôi phục được vào %(engine)s.")
                % {"saved": manifest["engine"], "engine": engine}
            )
        _restore_database(engine, work / PART_BY_ENGINE[engine])
        _unpack_media(work / MEDIA_PART, default_storage)
        summary = _check(manifest, default_storage)
    # Pages, cards and counts cached for the database this one replaced carry the same ids with other rows, and
    # the stamps that key them never expire: nothing of them may answer for the restored data.
    cache.clear()
    return summary
