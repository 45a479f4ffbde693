"""`manage.py backup` and `manage.py restore` (what `make backup` and `make restore FILE=…` run), end to end.

Each test runs the real commands in a subprocess against databases of its own: the demo on SQLite
(stage 1) and on a fresh PostgreSQL database (stage 2), with uploaded files, then compares the restored
database table by table and the restored files hash by hash with the originals, read independently.
"""

import hashlib
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

REPO_ROOT = Path(__file__).resolve().parents[2]


def cache_dir(media_root: Path) -> Path:
    return media_root.parent / f"{media_root.name}-cache"


def manage(*args: str, database_url: str, media_root: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": database_url,
        "DJANGO_MEDIA_ROOT": str(media_root),
        # The embedded default's cache (files), beside the media: never the working copy's var/cache.
        "DJANGO_CACHE_DIR": str(cache_dir(media_root)),
        "CELERY_BROKER_URL": "memory://",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=check,
    )


def populate(database_url: str, media_root: Path) -> None:
    """The demo data, plus uploaded files in two folders (one with a Vietnamese name)."""
    manage("migrate", "--noinput", "-v0", database_url=database_url, media_root=media_root)
    manage("seed_demo", database_url=database_url, media_root=media_root)
    (media_root / "evidence" / "2026").mkdir(parents=True)
    (media_root / "evidence" / "2026" / "biên bản họp.pdf").write_bytes(b"%PDF-1.7 " + os.urandom(4096))
    (media_root / "reports").mkdir()
    (media_root / "reports" / "review-1-v1.pdf").write_bytes(os.urandom(20000))


def file_hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


def only_archive(folder: Path) -> Path:
    archives = list(folder.glob("portal-backup-*.tar"))
    assert len(archives) == 1, archives
    return archives[0]


def sqlite_counts(path: Path) -> dict[str, int]:
    database = sqlite3.connect(path)
    try:
        tables = [row[0] for row in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {
            table: database.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            for table in tables
            if not table.startswith("sqlite_")
        }
    finally:
        database.close()


def test_the_demo_on_sqlite_round_trips_with_equal_rows_and_files(tmp_path):
    source_db, source_media = tmp_path / "source.sqlite3", tmp_path / "media"
    populate(f"sqlite:///{source_db}", source_media)

    saved = manage(
        "backup", "--output", str(tmp_path / "backups"), database_url=f"sqlite:///{source_db}", media_root=source_media
    )
    archive = only_archive(tmp_path / "backups")
    assert str(archive) in saved.stdout

    target_db, target_media = tmp_path / "restored.sqlite3", tmp_path / "restored-media"
    # Something cached before, as for the database the restored one replaces: the restore empties the cache.
    cache_probe = "from django.core.cache import cache; cache.set('publicity:areas:stale', [], None)"
    manage("shell", "--command", cache_probe, database_url=f"sqlite:///{target_db}", media_root=target_media)
    assert list(cache_dir(target_media).glob("*.djcache"))
    restored = manage("restore", str(archive), database_url=f"sqlite:///{target_db}", media_root=target_media)
    assert not list(cache_dir(target_media).glob("*.djcache"))

    counts = sqlite_counts(source_db)
    assert counts["programmes_cadre"] > 0 and counts["programmes_actionprogramme"] > 0
    assert sqlite_counts(target_db) == counts
    assert file_hashes(target_media) == file_hashes(source_media)
    assert len(file_hashes(source_media)) == 2
    assert f"{sum(counts.values())} dòng và 2 tệp" in restored.stdout


@pytest.fixture(scope="module")
def empty_portal(tmp_path_factory) -> tuple[Path, Path]:
    """A migrated database with no data, and its backup: enough to try a restore that must be refused."""
    folder = tmp_path_factory.mktemp("empty-portal")
    database, media = folder / "portal.sqlite3", folder / "media"
    manage("migrate", "--noinput", "-v0", database_url=f"sqlite:///{database}", media_root=media)
    manage("backup", "--output", str(folder / "backups"), database_url=f"sqlite:///{database}", media_root=media)
    return database, only_archive(folder / "backups")


def test_a_restore_refuses_a_database_that_has_data_and_changes_nothing(tmp_path, empty_portal):
    database, archive = empty_portal
    before = sqlite_counts(database)

    refused = manage(
        "restore", str(archive), database_url=f"sqlite:///{database}", media_root=tmp_path / "media", check=False
    )

    assert refused.returncode == 1
    assert "Chỉ khôi phục vào cơ sở dữ liệu trống" in refused.stderr
    assert sqlite_counts(database) == before


def test_a_damaged_archive_is_refused_before_anything_is_written(tmp_path, empty_portal):
    _database, archive = empty_portal
    # Rewrite the archive with one byte of the database part changed, the manifest untouched.
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as original:
        original.extractall(unpacked, filter="data")
    part = unpacked / "database.sqlite3"
    data = bytearray(part.read_bytes())
    data[200] ^= 0xFF
    part.write_bytes(bytes(data))
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(damaged, "w") as rewritten:
        for name in ("manifest.json", "database.sqlite3", "media.tar"):
            rewritten.add(unpacked / name, arcname=name)

    target_db = tmp_path / "target.sqlite3"
    refused = manage(
        "restore", str(damaged), database_url=f"sqlite:///{target_db}", media_root=tmp_path / "m2", check=False
    )

    assert refused.returncode == 1
    assert "database.sqlite3" in refused.stderr and "SHA-256" in refused.stderr
    assert sqlite_counts(target_db) == {}


# --- PostgreSQL (stage 2) ------------------------------------------------------------------------------------


@pytest.fixture
def postgres_databases(django_db_blocker) -> Iterator[tuple[str, str]]:
    """Two new databases on the test server, dropped afterwards: the one backed up, the one restored into."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://... (stage 2 of `make test` does)")
    settings_dict = connection.settings_dict
    names = [f"backup_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("source", "target")]
    with django_db_blocker.unblock(), connection._nodb_cursor() as cursor:
        for name in names:
            cursor.execute(f'CREATE DATABASE "{name}"')
    credentials = settings_dict["USER"] + (f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else "")
    address = f"{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}"
    try:
        yield tuple(f"postgres://{credentials}@{address}/{name}" for name in names)  # type: ignore[misc]
    finally:
        with django_db_blocker.unblock(), connection._nodb_cursor() as cursor:
            for name in names:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_counts(database_url: str) -> dict[str, int]:
    import psycopg2

    with psycopg2.connect(database_url) as database, database.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608
            (counts[table],) = cursor.fetchone() or (0,)
    database.close()
    return counts


@pytest.mark.postgres
def test_a_populated_postgresql_round_trips_into_a_fresh_database(tmp_path, postgres_databases):
    source_url, target_url = postgres_databases
    source_media = tmp_path / "media"
    populate(source_url, source_media)

    manage("backup", "--output", str(tmp_path / "backups"), database_url=source_url, media_root=source_media)
    archive = only_archive(tmp_path / "backups")
    target_media = tmp_path / "restored-media"
    restored = manage("restore", str(archive), database_url=target_url, media_root=target_media)

    counts = postgres_counts(source_url)
    assert counts["programmes_cadre"] > 0 and counts["reviews_reviewperiod"] > 0
    assert postgres_counts(target_url) == counts
    assert file_hashes(target_media) == file_hashes(source_media)
    assert "tất cả khớp bản kê" in restored.stdout
    # The restored portal works: its migrations are all applied and a page's data is there.
    plan = manage("migrate", "--check", database_url=target_url, media_root=target_media, check=False)
    assert plan.returncode == 0, plan.stdout + plan.stderr
