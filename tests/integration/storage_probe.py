"""A task that only the object-storage test loads into its workers (celery worker --include): it reads stored
files through the worker's own file storage and says what it found, so that a test can ask each worker in turn."""

import hashlib
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.core.files.storage import default_storage

READ_STORED_FILES = "tests.integration.storage_probe.read_stored_files"


@shared_task(name=READ_STORED_FILES)
def read_stored_files(names: list[str]) -> dict[str, object]:
    """The SHA-256 of each named file as this worker reads it (None: not found), and what its MEDIA_ROOT holds."""
    found: dict[str, str | None] = {}
    for name in names:
        try:
            with default_storage.open(name, "rb") as stream:
                found[name] = hashlib.sha256(stream.read()).hexdigest()
        except FileNotFoundError:
            found[name] = None
    media_root = Path(settings.MEDIA_ROOT)
    local = sorted(str(path) for path in media_root.rglob("*") if path.is_file()) if media_root.is_dir() else []
    return {"files": found, "media_root": str(media_root), "local_files": local}
