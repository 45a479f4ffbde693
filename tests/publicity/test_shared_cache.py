"""The embedded default's cache is shared by its processes (two gunicorn workers and the Celery worker): a stamp
that a service moves in one process is the one every other process reads, so a programme withdrawn through one
web process leaves the cached pages of all of them at once. Real processes with the settings `make run` uses."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
import django
django.setup()
from django.conf import settings
from programmes.action_programmes import public_stamps
if sys.argv[1] == "withdraw":
    public_stamps.public_programme_changed(7, publicity=True)
print(settings.CACHES["default"]["BACKEND"], public_stamps.listing_stamp(), public_stamps.programme_stamp(7))
"""


def _process(tmp_path: Path, action: str) -> list[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_CACHE_DIR": str(tmp_path / "cache"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        "CACHE_URL": "",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, action], env=env, cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.split()


def test_a_stamp_moved_in_one_process_of_the_embedded_default_is_read_by_the_others(tmp_path: Path) -> None:
    backend, listing, page = _process(tmp_path, "read")
    assert backend == "django.core.cache.backends.filebased.FileBasedCache"
    assert _process(tmp_path, "read")[1:] == [listing, page]

    _backend, moved_listing, moved_page = _process(tmp_path, "withdraw")
    assert moved_listing != listing and moved_page != page

    assert _process(tmp_path, "read")[1:] == [moved_listing, moved_page]


def test_the_production_settings_refuse_to_start_without_a_shared_cache(tmp_path: Path) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production", "DJANGO_SECRET_KEY": "x" * 50}
    env.pop("CACHE_URL", None)
    check = [sys.executable, "-c", "import django; django.setup()"]
    refused = subprocess.run(check, env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0 and "CACHE_URL must name the Redis cache" in refused.stderr

    with_cache = {**env, "CACHE_URL": "redis://127.0.0.1:6379/2"}
    started = subprocess.run(check, env=with_cache, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert started.returncode == 0, started.stderr[-2000:]
