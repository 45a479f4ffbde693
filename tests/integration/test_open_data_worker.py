"""The first downloads of the open-data files on the real stack (PostgreSQL, Redis, a Celery worker process):
downloads arriving together, before any file exists, all answer "being prepared" at once, make nothing
themselves and queue one run between them; the worker then makes the files and the next download gets one."""

import threading
import time
from pathlib import Path

import pytest
import redis
from django.db import connection
from django.test import Client
from django.urls import reverse

from programmes.action_programmes.publication import OPEN_DATA_REFRESH
from programmes.models import OutboxMessage
from publicity.models import OpenDataFile, OpenDataKind
from tests.integration.conftest import CeleryWorker, queue_keys
from tests.publicity.public_data import make_public

pytestmark = pytest.mark.integration

FILES = (
    "publicity:open_data_programmes_csv",
    "publicity:open_data_commitments_csv",
    "publicity:open_data_programmes_json_file",
    "publicity:open_data_commitments_json_file",
)
DOWNLOADS = 12
RUN_TIMEOUT = 90.0


def download_together(addresses: list[str]) -> list[tuple[int, str | None]]:
    """Each address asked by its own thread (its own database connection), all at the same moment."""
    start = threading.Barrier(len(addresses))
    answers: list[tuple[int, str | None]] = []

    def download(address: str) -> None:
        try:
            start.wait()
            response = Client().get(address)
            answers.append((response.status_code, response.get("Retry-After")))
        finally:
            connection.close()

    threads = [threading.Thread(target=download, args=(address,)) for address in addresses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def test_downloads_before_any_file_queue_one_run_which_the_worker_makes_and_the_file_is_then_served(
    cast, migrated_rows, celery_worker: CeleryWorker, settings, tmp_path: Path
) -> None:
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = media
    # No worker while the downloads come: whatever is made before it starts, a request made.
    celery_worker.kill()
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        make_public(cast.member, cast.secretary.user)
        # A portal whose files were never made: the publication's own ask is dropped, only downloads ask here.
        broker.delete(*queue_keys())
        OutboxMessage.objects.all().delete()

        addresses = [reverse(FILES[number % len(FILES)]) for number in range(DOWNLOADS)]
        answers = download_together(addresses)
        assert answers == [(503, "120")] * DOWNLOADS
        assert files_under(media) == []
        assert not OpenDataFile.objects.exclude(storage_name="").exists()
        asks = list(OutboxMessage.objects.filter(task=OPEN_DATA_REFRESH))
        assert len(asks) == 1 and asks[0].sent_at is not None  # handed to Redis after the request committed

        celery_worker.start({"DJANGO_MEDIA_ROOT": str(media)})
        deadline = time.monotonic() + RUN_TIMEOUT
        while OpenDataFile.objects.exclude(storage_name="").count() < len(OpenDataKind):
            assert time.monotonic() < deadline, celery_worker.log_tail()
            time.sleep(0.2)
        # One run made the four files: a second would have written four more beside them.
        assert len(files_under(media)) == 2 * len(OpenDataKind)  # each file and its compressed copy

        response = Client().get(reverse(FILES[0]))
        body = response.getvalue().decode()
        record = OpenDataFile.objects.get(kind=OpenDataKind.PROGRAMMES_CSV)
        assert response.status_code == 200 and response["ETag"] == f'"{record.sha256}"'
        assert cast.member.full_name in body
    finally:
        celery_worker.kill()
